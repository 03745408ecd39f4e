//! `lage rules check|test|explain|replay`: the tagging rules as an analyst works with them,
//! validating and trying a rule before it goes live, asking why a stored item carries a tag,
//! and seeing what an edit would change over stored items.
//!
//! `check` and `test` need no data dir (they can run while `lage run` holds it); `explain` and
//! `replay` read the store. Rule terms and feed text are untrusted on the terminal: everything
//! printed goes through `format`'s cleaning helpers. `test` and `explain` are also run for
//! remote users (`remote.rs`) with the server's rules, which is why their bodies write to a
//! writer rather than to stdout.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::Utc;
use clap::{Args, Subcommand};
use serde::Serialize;

use super::{Paths, explain, format, replay};
use crate::config::Config;
use crate::item::{Location, RawItem, RawText, Severity};
use crate::normalise::normalise;
use crate::rules::{Miss, RuleErrors, RuleSet, bundled};
use crate::tags::{Evidence, RuleMatch, Tagging};

/// The `rules` subcommands.
#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate every rule file; print each error with its file, line and rule.
    Check(CheckArgs),
    /// Tag a text (or a file, or stdin) and print the tags, their evidence and near misses.
    Test(TestArgs),
    /// Print why a stored item carries each of its tags.
    Explain(explain::ExplainArgs),
    /// Re-tag stored items with the rules on disk and print what changes (--apply writes it).
    Replay(replay::ReplayArgs),
}

/// Where the rules are: `--rules DIR`, else the config's `rules` directory.
#[derive(Debug, Args)]
pub struct RulesDir {
    /// The rule directory [default: the config's `rules`]
    #[arg(long = "rules", value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Options of `lage rules check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    rules: RulesDir,
}

/// Options of `lage rules test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    #[command(flatten)]
    pub(super) rules: RulesDir,
    /// The text to tag (the item's body) [default: read from stdin]
    #[arg(long, value_name = "TEXT", conflicts_with = "file")]
    pub(super) text: Option<String>,
    /// Read the text to tag from this file.
    #[arg(long, value_name = "FILE")]
    pub(super) file: Option<PathBuf>,
    /// The item's title.
    #[arg(long, value_name = "TITLE")]
    pub(super) title: Option<String>,
    /// The source kind the item comes from (for rules with `kinds`).
    #[arg(long, value_name = "KIND", default_value = "rss")]
    kind: String,
    /// The source id the item comes from (for rules with `sources`).
    #[arg(long, value_name = "ID", default_value = "test")]
    source: String,
    /// A category as the source would give it (repeatable).
    #[arg(long = "category", value_name = "CATEGORY")]
    categories: Vec<String>,
    /// The item's place name (its location); also checked against the area of interest.
    #[arg(long, value_name = "PLACE")]
    place: Option<String>,
    /// The severity the source gave (info, low, medium, high, critical; Swedish labels too).
    #[arg(long, value_name = "SEVERITY")]
    severity: Option<String>,
    /// Print `{tags, matches, misses, ...}` as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs a `rules` subcommand.
pub fn rules(paths: &Paths, command: RulesCommand) -> anyhow::Result<ExitCode> {
    match command {
        RulesCommand::Check(args) => check(paths, args),
        RulesCommand::Test(args) => test(paths, args),
        RulesCommand::Explain(args) => explain::explain(paths, args),
        RulesCommand::Replay(args) => replay::replay(paths, args),
    }
}

impl RulesDir {
    /// The directory, and the config when it had to be read to find it.
    pub fn resolve(&self, paths: &Paths) -> anyhow::Result<(PathBuf, Option<Config>)> {
        if let Some(dir) = &self.dir {
            return Ok((dir.clone(), None));
        }
        let config = paths.load_config()?;
        let dir = configured_dir(&config)?;
        Ok((dir, Some(config)))
    }
}

/// The config's rule directory, or an error that says how to name one.
pub fn configured_dir(config: &Config) -> anyhow::Result<PathBuf> {
    match &config.rules_dir {
        Some(dir) => Ok(dir.clone()),
        None => bail!(
            "no rule directory: pass --rules DIR, or set rules = \"DIR\" in {}",
            config.path.display()
        ),
    }
}

/// Compiles the rules in `dir`, or prints every error (one per line, on stderr) and returns
/// `None`, so the caller can exit 1 with the messages readable rather than folded into one.
pub fn load_or_report(dir: &Path) -> Option<RuleSet> {
    match RuleSet::load_dir(dir) {
        Ok(set) => Some(set),
        Err(errors) => {
            report_errors(&errors, "");
            eprintln!(
                "lage: {} in the rules in {}",
                count(errors.0.len(), "error", "errors"),
                format::safe(&dir.display().to_string())
            );
            None
        }
    }
}

/// Prints rule errors on stderr, one per line, each after `prefix`.
pub fn report_errors(errors: &RuleErrors, prefix: &str) {
    for line in error_lines(errors, prefix) {
        eprintln!("{line}");
    }
}

/// Each rule error as a terminal-safe line starting with `prefix`.
pub fn error_lines<'a>(
    errors: &'a RuleErrors,
    prefix: &'a str,
) -> impl Iterator<Item = String> + 'a {
    errors
        .0
        .iter()
        .map(move |error| format!("{prefix}{}", format::safe(&error.to_string())))
}

/// The config's rules (the bundled ones when it names no rule directory), or `None` after
/// printing every error and that `lage` is not `doing` anything until they are fixed.
pub fn config_rules(config: &Config, doing: &str) -> Option<RuleSet> {
    match &config.rules_dir {
        Some(dir) => {
            let set = load_or_report(dir);
            if set.is_none() {
                eprintln!("lage: not {doing}: fix the rules first (`lage rules check`)");
            }
            set
        }
        None => bundled::rule_set()
            .map_err(|errors| report_errors(&errors, "lage: "))
            .ok(),
    }
}

/// `n thing` or `n things`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `lage rules check`: a summary on success, every error and exit 1 on failure.
fn check(paths: &Paths, args: CheckArgs) -> anyhow::Result<ExitCode> {
    let (dir, _) = args.rules.resolve(paths)?;
    let Some(set) = load_or_report(&dir) else {
        return Ok(ExitCode::FAILURE);
    };
    println!(
        "{}: {}, {}, {}: OK",
        format::safe(&dir.display().to_string()),
        count(set.files().len(), "file", "files"),
        count(set.rules().len(), "rule", "rules"),
        count(set.tags().len(), "tag", "tags")
    );
    Ok(ExitCode::SUCCESS)
}

/// The most text `rules test` reads from a file or stdin; ingest keeps less of a body anyway.
const MAX_TEST_BYTES: u64 = 4 * 1024 * 1024;

/// `lage rules test`: tags an item built from the arguments exactly as ingest would build it.
fn test(paths: &Paths, args: TestArgs) -> anyhow::Result<ExitCode> {
    let (dir, config) = args.rules.resolve(paths)?;
    let Some(set) = load_or_report(&dir) else {
        return Ok(ExitCode::FAILURE);
    };
    // The area of interest decides `local`; with --rules the config was not needed, so it is
    // used when it loads and a rule with `local` is simply told the item is not local otherwise.
    let config = match config {
        Some(c) => Some(c),
        None => paths.load_config().ok(),
    };
    let severity = test_severity(&args)?;
    let text = match (&args.text, &args.file) {
        (Some(text), _) => text.clone(),
        (None, Some(file)) => read_text_file(file)?,
        (None, None) => read_stdin(args.title.is_some())?,
    };
    let nothing = "nothing to tag: pass --text, --file or --title, or pipe the text on stdin";
    let test = Test {
        set: &set,
        config: config.as_ref(),
        severity,
        text,
        nothing,
    };
    trace(test, args, &mut std::io::stdout().lock())
}

/// Why `rules test` with these options cannot run for a remote user, if it cannot: the rule
/// directory and the file would be paths on the server, and there is no stdin to read.
pub fn remote_test_refusal(args: &TestArgs) -> Option<&'static str> {
    if args.rules.dir.is_some() {
        Some(
            "--rules is not available over SSH: it names a directory on the server; the rules in force are used",
        )
    } else if args.file.is_some() {
        Some(
            "--file is not available over SSH: it names a file on the server; give the text with --text",
        )
    } else if args.text.is_none() && args.title.is_none() {
        Some(
            "reading the text from stdin is not available over SSH: give it with --text (or --title)",
        )
    } else {
        None
    }
}

/// `rules test` for a remote user: tags `--text` (or just `--title`) with `set`, the rules in
/// force, and `config`'s area of interest, printing to `out`. Call only after
/// [`remote_test_refusal`] found nothing to refuse.
pub fn test_served(
    set: &RuleSet,
    config: &Config,
    args: TestArgs,
    out: &mut dyn std::io::Write,
) -> anyhow::Result<ExitCode> {
    let severity = test_severity(&args)?;
    let test = Test {
        set,
        config: Some(config),
        severity,
        text: args.text.clone().unwrap_or_default(),
        nothing: "nothing to tag: pass --text or --title",
    };
    trace(test, args, out)
}

/// `--severity`, read.
fn test_severity(args: &TestArgs) -> anyhow::Result<Option<Severity>> {
    args.severity
        .as_deref()
        .map(|s| {
            Severity::parse(s).with_context(|| {
                format!(
                    "--severity: invalid value '{s}': expected info, low, medium, high or critical"
                )
            })
        })
        .transpose()
}

/// What `rules test` tags with, besides its options: the rules, the config (for the area of
/// interest), the severity and text already read, and what to say when there is nothing to tag.
struct Test<'a> {
    set: &'a RuleSet,
    config: Option<&'a Config>,
    severity: Option<Severity>,
    text: String,
    nothing: &'a str,
}

/// Tags the item `test` and `args` describe and writes the tags, evidence and near misses.
fn trace(test: Test<'_>, args: TestArgs, out: &mut dyn std::io::Write) -> anyhow::Result<ExitCode> {
    let Test {
        set,
        config,
        severity,
        text,
        nothing,
    } = test;
    if text.trim().is_empty() && args.title.as_deref().is_none_or(|t| t.trim().is_empty()) {
        bail!("{nothing}");
    }
    let raw = RawItem {
        title: args.title.map(RawText::plain),
        body: Some(RawText::plain(text)),
        categories: args.categories,
        location: args.place.map(|name| Location {
            name: Some(name),
            ..Location::default()
        }),
        severity,
        ..RawItem::default()
    };
    let local = config.and_then(|c| c.area.locate(&raw.areas, raw.location.as_ref()));
    let mut item = normalise(raw, &args.source, &args.kind, Utc::now()).item;
    item.local = local;
    let (tagging, misses) = set.trace(&item);
    if args.json {
        let traced = Traced {
            tagging: &tagging,
            misses: misses.iter().map(MissJson::from).collect(),
        };
        writeln!(
            out,
            "{}",
            format::json_safe(&serde_json::to_string_pretty(&traced)?)
        )?;
    } else {
        print_trace(out, set, &tagging, &misses)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn read_text_file(path: &Path) -> anyhow::Result<String> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("--file: cannot read {}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(MAX_TEST_BYTES)
        .read_to_end(&mut bytes)
        .with_context(|| format!("--file: cannot read {}", path.display()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Reads the text from stdin; on a terminal with a title given, there is no text to wait for.
fn read_stdin(have_title: bool) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        if have_title {
            return Ok(String::new());
        }
        eprintln!("lage: reading the text to tag from stdin (end with Ctrl-D)");
    }
    let mut bytes = Vec::new();
    stdin
        .lock()
        .take(MAX_TEST_BYTES)
        .read_to_end(&mut bytes)
        .context("cannot read stdin")?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `rules test --json`: the tagging (tags, matches with evidence, severity, priority, version)
/// and the near misses.
#[derive(Serialize)]
struct Traced<'a> {
    #[serde(flatten)]
    tagging: &'a Tagging,
    misses: Vec<MissJson<'a>>,
}

#[derive(Serialize)]
struct MissJson<'a> {
    rule: &'a str,
    score: i32,
    threshold: i32,
    reason: &'a str,
    evidence: &'a [Evidence],
}

impl<'a> From<&'a Miss> for MissJson<'a> {
    fn from(m: &'a Miss) -> MissJson<'a> {
        MissJson {
            rule: &m.rule,
            score: m.score,
            threshold: m.threshold,
            reason: &m.reason,
            evidence: &m.evidence,
        }
    }
}

/// Writes the tags of a traced item, each with its firing rules and their evidence, then the
/// near misses.
fn print_trace(
    out: &mut dyn Write,
    set: &RuleSet,
    tagging: &Tagging,
    misses: &[Miss],
) -> std::io::Result<()> {
    if tagging.tags.is_empty() {
        writeln!(out, "tags: none")?;
    } else {
        let tags: Vec<String> = tagging
            .tags
            .iter()
            .map(|t| format!("#{}", format::safe(t)))
            .collect();
        writeln!(out, "tags: {}", tags.join(" "))?;
    }
    if let Some(severity) = tagging.severity {
        writeln!(out, "severity raised to {}", severity.as_str())?;
    }
    if tagging.priority != 0 {
        writeln!(out, "priority {}", tagging.priority)?;
    }
    for tag in &tagging.tags {
        writeln!(out, "\n#{}", format::safe(tag))?;
        for m in tagging.matches.iter().filter(|m| m.tags.contains(tag)) {
            print_match(out, set, m, 2)?;
        }
    }
    if misses.is_empty() {
        writeln!(out, "\nnear misses: none")?;
    } else {
        writeln!(out, "\nnear misses:")?;
        for miss in misses {
            writeln!(
                out,
                "  rule '{}'{}: score {}, threshold {}: {}",
                format::safe(&miss.rule),
                rule_origin(set, &miss.rule),
                miss.score,
                miss.threshold,
                format::safe(&miss.reason)
            )?;
            for e in &miss.evidence {
                writeln!(out, "{}", format::evidence_line(e, 4))?;
            }
        }
    }
    Ok(())
}

/// Writes a firing rule's header line and its evidence lines.
pub fn print_match(
    out: &mut dyn Write,
    set: &RuleSet,
    m: &RuleMatch,
    indent: usize,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{:indent$}rule '{}'{}: score {}, threshold {}",
        "",
        format::safe(&m.rule),
        rule_origin(set, &m.rule),
        m.score,
        m.threshold
    )?;
    for e in &m.evidence {
        writeln!(out, "{}", format::evidence_line(e, indent + 2))?;
    }
    Ok(())
}

/// ` (file:line)` of a rule in `set`, or nothing when the set has no rule of that name.
pub fn rule_origin(set: &RuleSet, name: &str) -> String {
    set.rules()
        .iter()
        .find(|r| r.name == name)
        .map(|r| {
            format!(
                " ({}:{})",
                format::safe(&r.file.display().to_string()),
                r.line
            )
        })
        .unwrap_or_default()
}
