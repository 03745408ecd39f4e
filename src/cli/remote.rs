//! CLI commands for a remote (SSH) user, run inside the serving process against its config,
//! store and rules. Only one process may open a data dir, so an exec request such as
//! `items --since 1h --json` cannot start another `lage`: [`run_remote`] parses the line with
//! the local CLI's clap definitions and runs the same command bodies the local commands run,
//! so the output and exit status are the local ones.
//!
//! This module owns what a remote user may run and how it is refused: only commands that read
//! (`items`, `sources`, `rules test`, `rules explain`, `brief list|show|export`), never a form
//! that names a path on the server (`--config`, `--data-dir`, `--rules`, `rules test --file`,
//! `brief export -o`) or reads stdin, each checked against the user's role and every command
//! line recorded in the audit log. It must not print anywhere but the writers it is given.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::Utc;
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};

use super::brief::{self, BriefCommand, ExportArgs, ListArgs, ShowArgs};
use super::explain::{self, Against, ExplainArgs};
use super::items::{self, ItemsArgs, ItemsQuery};
use super::rules::{self, RulesCommand, TestArgs};
use super::sources::{self, SourcesArgs};
use super::{Cli, Command, LangArg, format};
use crate::access::{self, Permission, Role};
use crate::audit::AuditEvent;
use crate::brief::Briefs;
use crate::brief::render::Format;
use crate::config::Config;
use crate::rules::{RuleSet, SharedRules};
use crate::store::Store;

/// What a served command runs against: the serving process's config, store and rules.
pub struct Served {
    /// The config the server was started with.
    pub config: Arc<Config>,
    /// The server's store (the one process that holds the data dir).
    pub store: Arc<Store>,
    /// The rules in force, as the server's poller tags with them.
    pub rules: SharedRules,
}

/// The commands a remote user may run, as they are written.
pub const ALLOWED: [&str; 7] = [
    "items",
    "sources",
    "rules test",
    "rules explain",
    "brief list",
    "brief show",
    "brief export",
];

/// The exit status of a command that failed.
const FAILURE: u32 = 1;
/// The exit status of a command line that cannot run (clap's for usage errors).
const USAGE: u32 = 2;
/// The most characters of a command line the audit log keeps.
const AUDITED_CHARS: usize = 500;

/// Runs one command line sent over SSH by `user` with `role`; writes what the command prints to
/// `out` and errors to `err` (both terminal-safe, as locally); returns the exit status (0 ok, 1
/// failure, 2 usage). `terminal` says the client asked for a pty (`ssh -t`): its output is
/// drawn on a screen, so a PDF is refused there as it is locally.
///
/// Blocks while the command runs (store reads, an export's rendering): call it from a blocking
/// thread. Every call is recorded in the store's audit log with its status.
pub fn run_remote(
    command_line: &str,
    served: &Served,
    user: &str,
    role: Role,
    terminal: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u32 {
    let status = run(command_line, served, user, role, terminal, out, err);
    served.store.audit().record(AuditEvent::Command {
        user: user.to_string(),
        command: command_line.chars().take(AUDITED_CHARS).collect(),
        status,
    });
    status
}

/// A command a remote user may run, with its options.
enum Remote {
    Items(ItemsArgs),
    Sources(SourcesArgs),
    RulesTest(TestArgs),
    RulesExplain(ExplainArgs),
    BriefList(ListArgs),
    BriefShow(ShowArgs),
    BriefExport(ExportArgs),
}

impl Remote {
    /// What the command needs: reading, except an export, which needs what the dashboard's
    /// export needs (a briefing leaves the picture with it).
    fn permission(&self) -> Permission {
        match self {
            Remote::Items(_)
            | Remote::Sources(_)
            | Remote::RulesTest(_)
            | Remote::RulesExplain(_)
            | Remote::BriefList(_)
            | Remote::BriefShow(_) => Permission::Read,
            Remote::BriefExport(_) => Permission::ComposeBriefing,
        }
    }
}

fn run(
    command_line: &str,
    served: &Served,
    user: &str,
    role: Role,
    terminal: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u32 {
    let words = match shell_words::split(command_line) {
        Ok(words) => words,
        Err(e) => {
            say(err, &format!("cannot read the command line: {e}"));
            return USAGE;
        }
    };
    let (cli, matches) = match parse(&words) {
        Ok(parsed) => parsed,
        Err(e) => {
            // A command that is not available is refused as such, even when its options are
            // wrong too (`poll` without `--once`); help is clap's for every command.
            if e.use_stderr()
                && let Some(name) = subcommand_written(&words)
                && !may_be_allowed(&name)
            {
                say(err, &not_allowed(&name));
                return USAGE;
            }
            return clap_error(&e, out, err);
        }
    };
    let lang = cli.lang;
    let command = match remote_command(cli, &matches) {
        Ok(command) => command,
        Err(why) => {
            say(err, &why);
            return USAGE;
        }
    };
    if let Err(refused) = access::check(user, role, command.permission()) {
        say(err, &refused.to_string());
        served.store.audit().record(refused.into());
        return FAILURE;
    }
    match execute(command, served, user, lang, terminal, out) {
        Ok(code) if code == ExitCode::SUCCESS => 0,
        Ok(_) => FAILURE,
        // The reader went away: end quietly, as the local command does on SIGPIPE.
        Err(e) if broken_pipe(&e) => FAILURE,
        Err(e) => {
            say(err, &format!("{e:#}"));
            FAILURE
        }
    }
}

/// Parses the words as the local CLI does, keeping the matches to tell what was given on the
/// command line from what the server's environment supplied.
fn parse(words: &[String]) -> Result<(Cli, ArgMatches), clap::Error> {
    let args = std::iter::once("lage").chain(words.iter().map(String::as_str));
    let matches = Cli::command().try_get_matches_from(args)?;
    let cli = Cli::from_arg_matches(&matches)?;
    Ok((cli, matches))
}

/// The command if a remote user may run it in this form, else why not.
fn remote_command(cli: Cli, matches: &ArgMatches) -> Result<Remote, String> {
    for (id, flag, what) in [
        ("config", "--config", "the server's config"),
        ("data_dir", "--data-dir", "the server's data dir"),
    ] {
        if matches.value_source(id) == Some(ValueSource::CommandLine) {
            return Err(format!(
                "{flag} is not available over SSH: commands run against {what}"
            ));
        }
    }
    let on_server = |flag: &str, what: &str| {
        format!("{flag} is not available over SSH: it names {what} on the server")
    };
    let Some(command) = cli.command else {
        return Err(format!(
            "no command given; over SSH these are available: {}",
            ALLOWED.join(", ")
        ));
    };
    match command {
        Command::Items(args) => Ok(Remote::Items(args)),
        Command::Sources(args) => Ok(Remote::Sources(args)),
        Command::Rules(RulesCommand::Test(args)) => match rules::remote_test_refusal(&args) {
            Some(why) => Err(format!("rules test: {why}")),
            None => Ok(Remote::RulesTest(args)),
        },
        Command::Rules(RulesCommand::Explain(args)) => {
            if args.rules.dir.is_some() {
                Err(on_server("--rules", "a directory"))
            } else {
                Ok(Remote::RulesExplain(args))
            }
        }
        Command::Brief(BriefCommand::List(args)) => Ok(Remote::BriefList(args)),
        Command::Brief(BriefCommand::Show(args)) => Ok(Remote::BriefShow(args)),
        Command::Brief(BriefCommand::Export(args)) => {
            if args.output.is_some() {
                Err(format!(
                    "{}; the export is written to stdout",
                    on_server("brief export -o/--output", "a file")
                ))
            } else {
                Ok(Remote::BriefExport(args))
            }
        }
        // Everything else, and any command added later, is refused until it is listed here.
        _ => Err(not_allowed(&subcommand_name(matches))),
    }
}

/// The refusal of a command that is not available remotely.
fn not_allowed(name: &str) -> String {
    format!(
        "`{name}` is not available over SSH; these are: {}",
        ALLOWED.join(", ")
    )
}

/// The subcommand as written: `poll`, `rules replay`, `brief approve`.
fn subcommand_name(matches: &ArgMatches) -> String {
    let mut names = Vec::new();
    let mut current = matches;
    while let Some((name, sub)) = current.subcommand() {
        names.push(name);
        current = sub;
    }
    names.join(" ")
}

/// The subcommand of words clap could not parse, as far as it can tell.
fn subcommand_written(words: &[String]) -> Option<String> {
    let args = std::iter::once("lage").chain(words.iter().map(String::as_str));
    let matches = Cli::command()
        .ignore_errors(true)
        .try_get_matches_from(args)
        .ok()?;
    let name = subcommand_name(&matches);
    (!name.is_empty()).then_some(name)
}

/// Whether `name` is an allowed command or the start of one (`rules`, `brief`), whose usage
/// error clap should explain.
fn may_be_allowed(name: &str) -> bool {
    ALLOWED
        .iter()
        .any(|allowed| *allowed == name || allowed.starts_with(&format!("{name} ")))
}

/// Runs an allowed command against the served config, store and rules.
fn execute(
    command: Remote,
    served: &Served,
    user: &str,
    lang: LangArg,
    terminal: bool,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let store = &served.store;
    let config = &served.config;
    match command {
        Remote::Items(args) => items::list(store, ItemsQuery::new(args, Utc::now())?, out),
        Remote::Sources(args) => sources::list(config, store, args, out),
        Remote::RulesTest(args) => {
            let set = rules_in_force(&served.rules)?;
            rules::test_served(&set, config, args, out)
        }
        Remote::RulesExplain(args) => {
            let against = Against {
                label: "in force now",
                load: || rules_in_force(&served.rules).map_err(|e| e.to_string()),
            };
            explain::explain_item(store, &args, against, out)
        }
        Remote::BriefList(args) => brief::list(&Briefs::new(store, config), &args, out),
        Remote::BriefShow(args) => brief::show(&Briefs::new(store, config), &args, Utc::now(), out),
        Remote::BriefExport(args) => {
            let briefs = Briefs::new(store, config);
            let exported = brief::render_export(&briefs, config, &args, lang, Utc::now())?;
            if exported.format == Format::Pdf && terminal {
                anyhow::bail!(
                    "a PDF is not for the terminal: connect without -t and redirect stdout (`ssh HOST brief export ... > lagesbild.pdf`)"
                );
            }
            brief::write_export(store, user, &exported, out)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The rule set the server tags with now (a snapshot; a reload swaps the whole set).
fn rules_in_force(rules: &SharedRules) -> anyhow::Result<Arc<RuleSet>> {
    rules
        .read()
        .map(|set| Arc::clone(&set))
        .map_err(|_| anyhow::anyhow!("the rules lock is poisoned"))
}

/// Writes a clap error or help as clap would (help and version to `out`, errors to `err`),
/// with anything a terminal could execute taken out, and returns clap's exit code.
fn clap_error<'a>(e: &clap::Error, out: &'a mut dyn Write, err: &'a mut dyn Write) -> u32 {
    let text = terminal_safe(&e.render().to_string());
    let target = if e.use_stderr() { err } else { out };
    let _ = target
        .write_all(text.as_bytes())
        .and_then(|()| target.flush());
    u32::try_from(e.exit_code()).unwrap_or(USAGE)
}

/// `text` with its lines kept and every character the sanitizers never let through removed
/// (clap quotes the words it could not use, and those came from the remote user).
fn terminal_safe(text: &str) -> String {
    let mut buf = [0u8; 4];
    text.chars()
        .filter(|&c| {
            c == '\n' || !crate::normalise::text::has_unsafe_chars(c.encode_utf8(&mut buf))
        })
        .collect()
}

/// Writes `lage: message` on one terminal-safe line, as the local CLI reports errors.
fn say(err: &mut dyn Write, message: &str) {
    let _ = writeln!(err, "lage: {}", format::safe(message));
    let _ = err.flush();
}

/// Whether the error is the reader of `out` having gone away.
fn broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
