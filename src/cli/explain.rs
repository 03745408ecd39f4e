//! `lage rules explain ITEM_ID`: why a stored item carries each of its tags: the rules and
//! their evidence as stored at tagging time, the manual decisions with who and when, and whether
//! the rules on disk now would tag it differently. The body, [`explain_item`], writes to any
//! writer and takes the rules to compare with, so a remote user (`remote.rs`) gets the same
//! explanation against the rules the server has in force.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::bail;
use clap::Args;
use serde::Serialize;

use super::rules::{RulesDir, print_match};
use super::{Paths, format};
use crate::item::Item;
use crate::rules::RuleSet;
use crate::rules::replay::delta;
use crate::store::Store;
use crate::tags::{EffectiveTag, OverrideAction, TagOverride, Tagging, effective};

/// Options of `lage rules explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The item's id (as `lage items --json` shows it).
    #[arg(value_name = "ITEM_ID")]
    pub(super) id: String,
    #[command(flatten)]
    pub(super) rules: RulesDir,
    /// Print one JSON object.
    #[arg(long)]
    pub(super) json: bool,
}

/// How the rules on disk now (remotely: the rules in force) compare with the tags the item
/// carries.
#[derive(Debug, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
enum OnDisk {
    /// They give the same effective tags.
    Unchanged { version: String },
    /// They would add and remove these effective tags.
    Changed {
        version: String,
        added: Vec<String>,
        removed: Vec<String>,
    },
    /// There is nothing to compare with.
    Unavailable { reason: String },
}

/// `rules explain --json`.
#[derive(Serialize)]
struct Explained<'a> {
    id: &'a str,
    title: &'a str,
    tags: &'a [EffectiveTag],
    removed_tags: &'a [TagOverride],
    tagging: &'a Tagging,
    overrides: &'a [TagOverride],
    on_disk: &'a OnDisk,
}

/// Explains one item's tags, comparing them with the rules on disk now; prints to stdout.
pub fn explain(paths: &Paths, args: ExplainArgs) -> anyhow::Result<ExitCode> {
    let store = paths.open_store()?;
    let against = Against {
        label: "on disk now",
        load: || load_on_disk(paths, &args.rules),
    };
    explain_item(&store, &args, against, &mut std::io::stdout().lock())
}

/// The rules an explanation compares an item's tags with.
pub struct Against<F> {
    /// How the text output names them: "on disk now", "in force now".
    pub label: &'static str,
    /// Gets them, or says why there are none to compare with; called once the item is found.
    pub load: F,
}

/// Writes to `out` why the item `args` names in `store` carries each of its tags, and how the
/// rules `against` gives would tag it. Ignores `args.rules`: `against` says where the rules are.
pub fn explain_item<F>(
    store: &Store,
    args: &ExplainArgs,
    against: Against<F>,
    out: &mut dyn Write,
) -> anyhow::Result<ExitCode>
where
    F: FnOnce() -> Result<Arc<RuleSet>, String>,
{
    let Some(item) = store.item(&args.id)? else {
        bail!(
            "no item with id '{}' in the store (ids are listed by `lage items --json`)",
            args.id
        );
    };
    let overrides = store.tag_overrides(&item.id)?;
    let (tags, removed) = effective(&item.tagging, &overrides);
    let (set, on_disk) = match (against.load)() {
        Ok(set) => {
            let compared = compare(&set, &item, &overrides, &tags);
            (Some(set), compared)
        }
        Err(reason) => (None, OnDisk::Unavailable { reason }),
    };
    if args.json {
        let explained = Explained {
            id: &item.id,
            title: &item.title,
            tags: &tags,
            removed_tags: &removed,
            tagging: &item.tagging,
            overrides: &overrides,
            on_disk: &on_disk,
        };
        writeln!(
            out,
            "{}",
            format::json_safe(&serde_json::to_string_pretty(&explained)?)
        )?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    // Rule origins (file:line) only when the rules compared with are the ones that tagged the
    // item.
    let set = set.filter(|s| s.version() == item.tagging.rules_version);
    let set = set.as_deref();
    print_item(out, &item)?;
    print_tags(out, &item.tagging, &tags, &overrides, set)?;
    print_removed(out, &item.tagging, &overrides, set)?;
    let label = against.label;
    match &on_disk {
        OnDisk::Unchanged { version } => {
            writeln!(
                out,
                "\nwith the rules {label} ({}): unchanged",
                short(version)
            )?;
        }
        OnDisk::Changed {
            version,
            added,
            removed,
        } => {
            let changes: Vec<String> = added
                .iter()
                .map(|t| format!("+{}", format::safe(t)))
                .chain(removed.iter().map(|t| format!("-{}", format::safe(t))))
                .collect();
            writeln!(
                out,
                "\nwith the rules {label} ({}): {}",
                short(version),
                changes.join(" ")
            )?;
        }
        OnDisk::Unavailable { reason } => {
            writeln!(out, "\nwith the rules {label}: {}", format::safe(reason))?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn print_item(out: &mut dyn Write, item: &Item) -> std::io::Result<()> {
    writeln!(out, "item {}", format::safe(&item.id))?;
    writeln!(out, "  {}", item.title)?;
    let mut facts = format!(
        "  source {} ({}), published {}",
        format::safe(&item.source),
        format::safe(&item.kind),
        format::local_time(item.published)
    );
    let shown = item.effective_severity();
    if shown.is_some() {
        facts.push_str(&format!(", severity {}", format::severity_label(shown)));
        if shown != item.severity {
            facts.push_str(&format!(
                " (raised by rules from {})",
                format::severity_label(item.severity)
            ));
        }
    }
    if item.tagging.priority != 0 {
        facts.push_str(&format!(", priority {}", item.tagging.priority));
    }
    writeln!(out, "{facts}")
}

fn print_tags(
    out: &mut dyn Write,
    tagging: &Tagging,
    tags: &[EffectiveTag],
    overrides: &[TagOverride],
    set: Option<&RuleSet>,
) -> std::io::Result<()> {
    // An item no rule fired on is stored without its tagging, version included.
    if tagging.rules_version.is_empty() {
        writeln!(out, "\ntags (no rule fired):")?;
    } else {
        writeln!(
            out,
            "\ntags (rules version {}):",
            short(&tagging.rules_version)
        )?;
    }
    if tags.is_empty() {
        writeln!(out, "  none")?;
    }
    for tag in tags {
        let mut line = format!("  #{}", format::safe(&tag.tag));
        if tag.manual {
            line.push_str(&format!(" {} added", format::MANUAL_MARK));
            line.push_str(&decided(overrides, &tag.tag));
        }
        writeln!(out, "{line}")?;
        let matches: Vec<_> = tagging
            .matches
            .iter()
            .filter(|m| m.tags.contains(&tag.tag))
            .collect();
        if matches.is_empty() {
            writeln!(out, "    no rule gives it")?;
        }
        for m in matches {
            print_rule_match(out, set, m)?;
        }
    }
    Ok(())
}

/// Every tag whose latest manual decision is a removal: those the rules give with their
/// evidence, the others as standing decisions (no rule can give them to this item).
fn print_removed(
    out: &mut dyn Write,
    tagging: &Tagging,
    overrides: &[TagOverride],
    set: Option<&RuleSet>,
) -> std::io::Result<()> {
    let mut latest = crate::tags::latest_decisions(overrides);
    latest.retain(|o| o.action == OverrideAction::Remove);
    if latest.is_empty() {
        return Ok(());
    }
    latest.sort_by(|a, b| a.tag.cmp(&b.tag));
    writeln!(out, "\nremoved by hand:")?;
    for o in latest {
        writeln!(
            out,
            "  #{} {} removed by {}",
            format::safe(&o.tag),
            format::MANUAL_MARK,
            who_when_why(o)
        )?;
        let matches: Vec<_> = tagging
            .matches
            .iter()
            .filter(|m| m.tags.contains(&o.tag))
            .collect();
        if matches.is_empty() {
            writeln!(
                out,
                "    the rules did not give it; it stays off if they do"
            )?;
        }
        for m in matches {
            print_rule_match(out, set, m)?;
        }
    }
    Ok(())
}

fn print_rule_match(
    out: &mut dyn Write,
    set: Option<&RuleSet>,
    m: &crate::tags::RuleMatch,
) -> std::io::Result<()> {
    let empty = RuleSet::empty();
    print_match(out, set.unwrap_or(&empty), m, 4)
}

/// ` by anna at 2026-11-25 11:02: "why"` for the latest decision on `tag`.
fn decided(overrides: &[TagOverride], tag: &str) -> String {
    overrides
        .iter()
        .rev()
        .find(|o| o.tag == tag && o.action == OverrideAction::Add)
        .map(|o| format!(" by {}", who_when_why(o)))
        .unwrap_or_default()
}

/// `anna at 2026-11-25 11:02: "why"`.
fn who_when_why(o: &TagOverride) -> String {
    let mut text = format!(
        "{} at {}",
        format::safe(&o.author),
        format::local_time(o.at)
    );
    if let Some(note) = &o.note {
        text.push_str(&format!(": \"{}\"", format::safe(note)));
    }
    text
}

/// A rule version short enough to read: its first 12 hex digits.
fn short(version: &str) -> &str {
    version.get(..12).unwrap_or(version)
}

/// The rules on disk now (`--rules DIR`, else the config's), or why there are none to compare
/// with.
fn load_on_disk(paths: &Paths, rules: &RulesDir) -> Result<Arc<RuleSet>, String> {
    let (dir, _) = rules.resolve(paths).map_err(|e| format!("{e:#}"))?;
    RuleSet::load_dir(&dir).map(Arc::new).map_err(|errors| {
        format!(
            "the rules in {} do not compile ({} errors; see `lage rules check`)",
            dir.display(),
            errors.0.len()
        )
    })
}

/// Tags the item with `set` and compares the effective tags, overrides applied to both sides.
fn compare(set: &RuleSet, item: &Item, overrides: &[TagOverride], now: &[EffectiveTag]) -> OnDisk {
    let (then, _) = effective(&set.tag(item), overrides);
    let names =
        |tags: &[EffectiveTag]| -> Vec<String> { tags.iter().map(|t| t.tag.clone()).collect() };
    let (added, removed) = delta(&names(now), &names(&then));
    let version = set.version().to_string();
    if added.is_empty() && removed.is_empty() {
        OnDisk::Unchanged { version }
    } else {
        OnDisk::Changed {
            version,
            added,
            removed,
        }
    }
}
