//! `lage brief`: compose, approve and export briefings from the command line, scriptably.
//!
//! Commands that make or change an edition print its reference (`3` for `new`, `3.2` for the
//! others) alone on stdout, so scripts can chain them; what a person should read goes to
//! stderr. Every change is flushed before it is reported.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand, ValueEnum};

use super::{LangArg, Paths, format};
use crate::audit::AuditEvent;
use crate::brief::document::{SECTIONS, section};
use crate::brief::edition::{BriefKind, Edition, EditionRef, EventNotes, Level};
use crate::brief::export;
use crate::brief::labels::BriefLang;
use crate::brief::render::Format;
use crate::brief::{Briefs, EditionId, period};
use crate::config::Config;
use crate::curation::local_author;
use crate::store::Store;

/// `lage brief ...`.
#[derive(Debug, Subcommand)]
pub enum BriefCommand {
    /// Start an edition (prints its number); items picked with `b` in the period are in it.
    New(NewArgs),
    /// List editions, newest first.
    List(ListArgs),
    /// Show an edition: header, levels, events with their ids.
    Show(ShowArgs),
    /// Add items to an edition (at the end).
    Add(ItemsArgs),
    /// Take items out of an edition (they stay out even though picked).
    Remove(ItemsArgs),
    /// Set key messages, levels, marking, distribution, or move an item.
    Set(SetArgs),
    /// Set what the analyst adds to one event: consequences, actions, resources.
    Event(EventArgs),
    /// Approve an edition: freeze it; later edits make a new version.
    Approve(IdArg),
    /// Export an edition as md, html, pdf, json or atom.
    Export(ExportArgs),
}

/// Options of `lage brief new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// Weekly picture or incident report.
    #[arg(long, value_enum, default_value_t = KindArg::Week)]
    kind: KindArg,
    /// The ISO week, e.g. 2026-W48 [default for week: the current week].
    #[arg(long, value_name = "YYYY-Www", conflicts_with_all = ["from", "to"])]
    period: Option<String>,
    /// Start: a date or date and time in Stockholm time [default for incident: 24 h ago].
    #[arg(long, value_name = "DATE", requires = "to")]
    from: Option<String>,
    /// End: a date (included whole) or a date and time.
    #[arg(long, value_name = "DATE", requires = "from")]
    to: Option<String>,
}

/// The kind on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Veckolägesbild.
    Week,
    /// Samlad lägesbild during an incident.
    Incident,
}

/// Options of `lage brief list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// One JSON object per edition.
    #[arg(long)]
    pub(super) json: bool,
}

/// Options of `lage brief show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The edition: N (latest version) or N.V.
    pub(super) id: EditionId,
    /// Every version of the edition, oldest first, instead.
    #[arg(long)]
    pub(super) versions: bool,
}

/// An edition and items.
#[derive(Debug, Args)]
pub struct ItemsArgs {
    /// The edition: N or N.V (must be the latest version).
    id: EditionId,
    /// Item ids (as `lage items --json` shows them).
    #[arg(required = true, value_name = "ITEM_ID")]
    items: Vec<String>,
}

/// An edition.
#[derive(Debug, Args)]
pub struct IdArg {
    /// The edition: N or N.V (must be the latest version).
    id: EditionId,
}

/// Options of `lage brief set`.
#[derive(Debug, Args)]
pub struct SetArgs {
    /// The edition: N or N.V (must be the latest version).
    id: EditionId,
    /// The key messages (sammanfattning); paragraphs separated by blank lines.
    #[arg(long, value_name = "TEXT", conflicts_with = "key_messages_file")]
    key_messages: Option<String>,
    /// Read the key messages from FILE (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    key_messages_file: Option<PathBuf>,
    /// A section's level, e.g. `olyckor=förhöjd` or `kris=serious` (repeatable).
    #[arg(long = "level", value_name = "SECTION=LEVEL")]
    levels: Vec<String>,
    /// The classification marking.
    #[arg(long, value_name = "TEXT")]
    marking: Option<String>,
    /// The distribution: replaces the list (repeat for several recipients).
    #[arg(long, value_name = "TEXT")]
    distribution: Vec<String>,
    /// Move an item one step: `ITEM_ID=up` or `ITEM_ID=down` (repeatable).
    #[arg(long = "move", value_name = "ITEM_ID=up|down")]
    moves: Vec<String>,
}

/// Options of `lage brief event`.
#[derive(Debug, Args)]
pub struct EventArgs {
    /// The edition: N or N.V (must be the latest version).
    id: EditionId,
    /// The item's id.
    item: String,
    /// Consequences (konsekvenser).
    #[arg(long, value_name = "TEXT")]
    consequences: Option<String>,
    /// Actions taken (åtgärder).
    #[arg(long, value_name = "TEXT")]
    actions: Option<String>,
    /// Resources engaged.
    #[arg(long, value_name = "TEXT")]
    resources: Option<String>,
}

/// Options of `lage brief export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The edition: N (latest version) or N.V.
    pub(super) id: EditionId,
    /// The format.
    #[arg(long, value_enum)]
    pub(super) format: FormatArg,
    /// Write to FILE instead of stdout (written whole, then renamed into place).
    #[arg(short, long, value_name = "FILE")]
    pub(super) output: Option<PathBuf>,
}

/// The format on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Markdown.
    Md,
    /// Self-contained HTML.
    Html,
    /// A4 PDF.
    Pdf,
    /// The structured document (docs/briefing.md).
    Json,
    /// An Atom feed of approved editions.
    Atom,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Format {
        match f {
            FormatArg::Md => Format::Markdown,
            FormatArg::Html => Format::Html,
            FormatArg::Pdf => Format::Pdf,
            FormatArg::Json => Format::Json,
            FormatArg::Atom => Format::Atom,
        }
    }
}

impl From<LangArg> for BriefLang {
    fn from(lang: LangArg) -> BriefLang {
        match lang {
            LangArg::Sv => BriefLang::Sv,
            LangArg::En => BriefLang::En,
        }
    }
}

/// Runs `lage brief ...`.
pub fn brief(paths: &Paths, lang: LangArg, command: BriefCommand) -> anyhow::Result<ExitCode> {
    let config = paths.load_config()?;
    let store = paths.open_store()?;
    let briefs = Briefs::new(&store, &config);
    let now = Utc::now();
    let by = local_author();
    let edited = |e: Edition| {
        println!("{}", e.reference());
        Ok(ExitCode::SUCCESS)
    };
    match command {
        BriefCommand::New(args) => {
            let kind = match args.kind {
                KindArg::Week => BriefKind::Week,
                KindArg::Incident => BriefKind::Incident,
            };
            let period = match (&args.period, &args.from, &args.to) {
                (Some(week), _, _) => period::week(week)?,
                (None, Some(from), Some(to)) => period::between(from, to)?,
                _ if kind == BriefKind::Incident => period::last_day(now),
                _ => period::week_of(now),
            };
            let e = briefs.create(kind, period, &by, now)?;
            eprintln!(
                "lage: edition {} started with {} picked item(s){}",
                e.number,
                e.items.len(),
                e.previous
                    .map(|p| format!("; compared with {p}"))
                    .unwrap_or_default()
            );
            println!("{}", e.number);
            Ok(ExitCode::SUCCESS)
        }
        BriefCommand::List(args) => list(&briefs, &args, &mut std::io::stdout().lock()),
        BriefCommand::Show(args) => show(&briefs, &args, now, &mut std::io::stdout().lock()),
        BriefCommand::Add(args) => edited(briefs.add(&args.id, &args.items, &by, now)?),
        BriefCommand::Remove(args) => edited(briefs.remove(&args.id, &args.items, &by, now)?),
        BriefCommand::Set(args) => {
            let key_messages = match (&args.key_messages, &args.key_messages_file) {
                (Some(text), _) => Some(text.clone()),
                (None, Some(path)) => Some(read_text(path)?),
                (None, None) => None,
            };
            let levels = args
                .levels
                .iter()
                .map(|l| parse_level(l))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let moves = args
                .moves
                .iter()
                .map(|m| parse_move(m))
                .collect::<anyhow::Result<Vec<_>>>()?;
            if key_messages.is_none()
                && levels.is_empty()
                && args.marking.is_none()
                && args.distribution.is_empty()
                && moves.is_empty()
            {
                bail!(
                    "nothing to set: give --key-messages, --level, --marking, --distribution or --move"
                );
            }
            let e = briefs.edit(&args.id, &by, now, |e| {
                if let Some(text) = key_messages {
                    e.key_messages = text.trim().to_string();
                }
                for (key, level) in levels {
                    e.levels.insert(key, level);
                }
                if let Some(marking) = args.marking {
                    e.marking = marking.trim().to_string();
                }
                if !args.distribution.is_empty() {
                    e.distribution = args
                        .distribution
                        .iter()
                        .map(|d| d.trim().to_string())
                        .collect();
                }
                for (item, by) in moves {
                    if !e.items.contains(&item) {
                        return Err(crate::brief::BriefError::NotInEdition(item));
                    }
                    e.move_item(&item, by);
                }
                Ok(())
            })?;
            edited(e)
        }
        BriefCommand::Event(args) => {
            if args.consequences.is_none() && args.actions.is_none() && args.resources.is_none() {
                bail!("nothing to set: give --consequences, --actions or --resources");
            }
            let e = briefs.edit(&args.id, &by, now, |e| {
                if !e.items.contains(&args.item) {
                    return Err(crate::brief::BriefError::NotInEdition(args.item.clone()));
                }
                let notes = e
                    .notes
                    .entry(args.item.clone())
                    .or_insert_with(EventNotes::default);
                if let Some(t) = args.consequences {
                    notes.consequences = t.trim().to_string();
                }
                if let Some(t) = args.actions {
                    notes.actions = t.trim().to_string();
                }
                if let Some(t) = args.resources {
                    notes.resources = t.trim().to_string();
                }
                if notes.is_empty() {
                    e.notes.remove(&args.item);
                }
                Ok(())
            })?;
            edited(e)
        }
        BriefCommand::Approve(args) => {
            let e = briefs.approve(&args.id, &by, now)?;
            eprintln!("lage: edition {} approved by {by}", e.reference());
            edited(e)
        }
        BriefCommand::Export(args) => {
            let exported = render_export(&briefs, &config, &args, lang, now)?;
            match &args.output {
                Some(path) => {
                    export::write_whole(path, &exported.bytes)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    record_export(&store, &by, &exported);
                }
                None => {
                    if exported.format == Format::Pdf && std::io::stdout().is_terminal() {
                        bail!("a PDF is not for the terminal: give -o FILE or redirect stdout");
                    }
                    write_export(&store, &by, &exported, &mut std::io::stdout().lock())?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `lage brief list`: writes every edition, newest first, to `out` as lines or JSON lines.
pub fn list(briefs: &Briefs<'_>, args: &ListArgs, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    for e in briefs.list()? {
        if args.json {
            let line = serde_json::json!({
                "number": e.number,
                "version": e.version,
                "kind": e.kind.as_str(),
                "from": e.period.from,
                "to": e.period.to,
                "week": e.period.week,
                "state": if e.is_approved() { "approved" } else { "draft" },
                "prepared_by": e.prepared.author,
                "approved_by": e.approved.as_ref().map(|a| &a.author),
                "approved_at": e.approved.as_ref().map(|a| a.at),
                "items": e.items.len(),
            });
            writeln!(out, "{}", format::json_safe(&line.to_string()))?;
        } else {
            writeln!(out, "{}", list_line(&e))?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `lage brief show`: writes the edition (or each of its versions) to `out`.
pub fn show(
    briefs: &Briefs<'_>,
    args: &ShowArgs,
    now: DateTime<Utc>,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let editions = if args.versions {
        briefs.versions(args.id.number)?
    } else {
        vec![briefs.get(&args.id)?]
    };
    if editions.is_empty() {
        bail!(
            "no briefing edition {} (editions are listed by `lage brief list`)",
            args.id
        );
    }
    for e in &editions {
        let doc = briefs.document(e, now)?;
        write!(out, "{}", show_text(e, &doc))?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// One edition exported in one format, not yet written anywhere.
pub struct Exported {
    /// The edition's version that was exported.
    pub edition: EditionRef,
    /// The format.
    pub format: Format,
    /// The document.
    pub bytes: Vec<u8>,
}

/// Renders the edition `args` names in `args.format` (ignoring `args.output`).
pub fn render_export(
    briefs: &Briefs<'_>,
    config: &Config,
    args: &ExportArgs,
    lang: LangArg,
    now: DateTime<Utc>,
) -> anyhow::Result<Exported> {
    let edition = briefs.get(&args.id)?;
    let format: Format = args.format.into();
    let bytes = export::export(briefs, config, &edition, format, lang.into(), now)?;
    Ok(Exported {
        edition: edition.reference(),
        format,
        bytes,
    })
}

/// Writes an export to a stream (stdout, an SSH channel), recording in the audit log that
/// `user` exported it: once the bytes are handed out, even if the reader then stops reading.
pub fn write_export(
    store: &Store,
    user: &str,
    exported: &Exported,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    record_export(store, user, exported);
    out.write_all(&exported.bytes)?;
    out.flush()?;
    Ok(())
}

/// Records in the audit log that `user` exported `exported`.
fn record_export(store: &Store, user: &str, exported: &Exported) {
    store.audit().record(AuditEvent::BriefExported {
        user: user.to_string(),
        edition: exported.edition.to_string(),
        format: exported.format.extension().to_string(),
    });
}

fn list_line(e: &Edition) -> String {
    let state = match &e.approved {
        Some(a) => format!(
            "approved by {} {}",
            format::safe(&a.author),
            crate::time::local_time(a.at)
        ),
        None => "draft".to_string(),
    };
    let span = if e.period.week.is_empty() {
        format!(
            "{} – {}",
            crate::time::local_time(e.period.from),
            crate::time::local_time(e.period.to)
        )
    } else {
        e.period.week.clone()
    };
    format!(
        "{:<6} {:<8} {:<22} {:>3} items  {}",
        e.reference(),
        e.kind.as_str(),
        span,
        e.items.len(),
        state
    )
}

fn show_text(e: &Edition, doc: &crate::brief::document::Briefing) -> String {
    let mut s = String::new();
    s.push_str(&list_line(e));
    s.push('\n');
    s.push_str(&format!(
        "period      {} – {}\n",
        crate::time::local_time(e.period.from),
        crate::time::local_time(e.period.to)
    ));
    s.push_str(&format!(
        "prepared    {} {}\n",
        format::safe(&e.prepared.author),
        crate::time::local_time(e.prepared.at)
    ));
    s.push_str(&format!("marking     {}\n", format::safe(&e.marking)));
    s.push_str(&format!(
        "distribution {}\n",
        format::safe(&e.distribution.join(", "))
    ));
    if let Some(p) = e.previous {
        s.push_str(&format!("previous    {p}\n"));
    }
    s.push_str("levels      ");
    s.push_str(
        &doc.sections
            .iter()
            .map(|sec| {
                format!(
                    "{}={} (suggested {})",
                    sec.key,
                    sec.level.as_str(),
                    sec.suggested.as_str()
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
    );
    s.push('\n');
    if !e.key_messages.is_empty() {
        s.push_str("key messages:\n");
        for line in e.key_messages.lines() {
            s.push_str("  ");
            s.push_str(&format::safe(line));
            s.push('\n');
        }
    }
    s.push_str(&format!("events ({}):\n", doc.events.len()));
    for (i, ev) in doc.events.iter().enumerate() {
        s.push_str(&format!(
            "  {:>3}. {}  {:<8} {}\n",
            i + 1,
            ev.id,
            format::severity_label(ev.severity),
            format::truncate(&format::safe(&ev.title), 90)
        ));
    }
    s
}

fn parse_level(text: &str) -> anyhow::Result<(String, Level)> {
    let keys = || {
        SECTIONS
            .iter()
            .map(|s| s.key)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some((key, level)) = text.split_once('=') else {
        bail!(
            "--level '{text}': expected SECTION=LEVEL, e.g. olyckor=förhöjd (sections: {})",
            keys()
        );
    };
    let key = key.trim();
    if section(key).is_none() {
        bail!(
            "--level '{text}': unknown section '{key}': expected one of {}",
            keys()
        );
    }
    let Some(level) = Level::parse(level) else {
        bail!(
            "--level '{text}': unknown level '{}': expected normal, förhöjd (elevated) or allvarlig (serious)",
            level.trim()
        );
    };
    Ok((key.to_string(), level))
}

fn parse_move(text: &str) -> anyhow::Result<(String, isize)> {
    match text.split_once('=') {
        Some((item, "up")) => Ok((item.trim().to_string(), -1)),
        Some((item, "down")) => Ok((item.trim().to_string(), 1)),
        _ => bail!("--move '{text}': expected ITEM_ID=up or ITEM_ID=down"),
    }
}

/// A text file, or stdin for `-`, at most 1 MiB.
fn read_text(path: &std::path::Path) -> anyhow::Result<String> {
    const MAX: u64 = 1024 * 1024;
    let mut text = String::new();
    if path.as_os_str() == "-" {
        std::io::stdin().take(MAX).read_to_string(&mut text)?;
    } else {
        std::fs::File::open(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .take(MAX)
            .read_to_string(&mut text)
            .with_context(|| format!("cannot read {} as UTF-8 text", path.display()))?;
    }
    Ok(text)
}
