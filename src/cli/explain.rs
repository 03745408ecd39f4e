//! `lage rules explain ITEM_ID`: why a stored item carries each of its tags: the rules and
//! their evidence as stored at tagging time, the manual decisions with who and when, and whether
//! the rules on disk now would tag it differently.

use std::process::ExitCode;

use anyhow::bail;
use clap::Args;
use serde::Serialize;

use super::rules::{RulesDir, print_match};
use super::{Paths, format};
use crate::item::Item;
use crate::rules::RuleSet;
use crate::rules::replay::delta;
use crate::tags::{EffectiveTag, OverrideAction, TagOverride, Tagging, effective};

/// Options of `lage rules explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The item's id (as `lage items --json` shows it).
    #[arg(value_name = "ITEM_ID")]
    id: String,
    #[command(flatten)]
    rules: RulesDir,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// How the rules on disk now compare with the tags the item carries.
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

/// Explains one item's tags.
pub fn explain(paths: &Paths, args: ExplainArgs) -> anyhow::Result<ExitCode> {
    let store = paths.open_store()?;
    let Some(item) = store.item(&args.id)? else {
        bail!(
            "no item with id '{}' in the store (ids are listed by `lage items --json`)",
            args.id
        );
    };
    let overrides = store.tag_overrides(&item.id)?;
    drop(store);
    let (tags, removed) = effective(&item.tagging, &overrides);
    let (set, on_disk) = on_disk(paths, &args.rules, &item, &overrides, &tags);
    if args.json {
        let out = Explained {
            id: &item.id,
            title: &item.title,
            tags: &tags,
            removed_tags: &removed,
            tagging: &item.tagging,
            overrides: &overrides,
            on_disk: &on_disk,
        };
        println!(
            "{}",
            format::json_safe(&serde_json::to_string_pretty(&out)?)
        );
        return Ok(ExitCode::SUCCESS);
    }
    // Rule origins (file:line) only when the rules on disk are the ones that tagged the item.
    let set = set.filter(|s| s.version() == item.tagging.rules_version);
    print_item(&item);
    print_tags(&item.tagging, &tags, &overrides, set.as_ref());
    print_removed(&item.tagging, &overrides, set.as_ref());
    match &on_disk {
        OnDisk::Unchanged { version } => {
            println!(
                "\nwith the rules on disk now ({}): unchanged",
                short(version)
            );
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
            println!(
                "\nwith the rules on disk now ({}): {}",
                short(version),
                changes.join(" ")
            );
        }
        OnDisk::Unavailable { reason } => {
            println!("\nwith the rules on disk now: {}", format::safe(reason));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_item(item: &Item) {
    println!("item {}", format::safe(&item.id));
    println!("  {}", item.title);
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
    println!("{facts}");
}

fn print_tags(
    tagging: &Tagging,
    tags: &[EffectiveTag],
    overrides: &[TagOverride],
    set: Option<&RuleSet>,
) {
    // An item no rule fired on is stored without its tagging, version included.
    if tagging.rules_version.is_empty() {
        println!("\ntags (no rule fired):");
    } else {
        println!("\ntags (rules version {}):", short(&tagging.rules_version));
    }
    if tags.is_empty() {
        println!("  none");
    }
    for tag in tags {
        let mut line = format!("  #{}", format::safe(&tag.tag));
        if tag.manual {
            line.push_str(&format!(" {} added", format::MANUAL_MARK));
            line.push_str(&decided(overrides, &tag.tag));
        }
        println!("{line}");
        let matches: Vec<_> = tagging
            .matches
            .iter()
            .filter(|m| m.tags.contains(&tag.tag))
            .collect();
        if matches.is_empty() {
            println!("    no rule gives it");
        }
        for m in matches {
            print_rule_match(set, m);
        }
    }
}

/// Every tag whose latest manual decision is a removal: those the rules give with their
/// evidence, the others as standing decisions (no rule can give them to this item).
fn print_removed(tagging: &Tagging, overrides: &[TagOverride], set: Option<&RuleSet>) {
    let mut latest = crate::tags::latest_decisions(overrides);
    latest.retain(|o| o.action == OverrideAction::Remove);
    if latest.is_empty() {
        return;
    }
    latest.sort_by(|a, b| a.tag.cmp(&b.tag));
    println!("\nremoved by hand:");
    for o in latest {
        println!(
            "  #{} {} removed by {}",
            format::safe(&o.tag),
            format::MANUAL_MARK,
            who_when_why(o)
        );
        let matches: Vec<_> = tagging
            .matches
            .iter()
            .filter(|m| m.tags.contains(&o.tag))
            .collect();
        if matches.is_empty() {
            println!("    the rules did not give it; it stays off if they do");
        }
        for m in matches {
            print_rule_match(set, m);
        }
    }
}

fn print_rule_match(set: Option<&RuleSet>, m: &crate::tags::RuleMatch) {
    let empty = RuleSet::empty();
    print_match(set.unwrap_or(&empty), m, 4);
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

/// Tags the item with the rules on disk and compares the effective tags, overrides applied to
/// both sides. Never fails: when there is nothing to compare with, says why.
fn on_disk(
    paths: &Paths,
    rules: &RulesDir,
    item: &Item,
    overrides: &[TagOverride],
    now: &[EffectiveTag],
) -> (Option<RuleSet>, OnDisk) {
    let dir = match rules.resolve(paths) {
        Ok((dir, _)) => dir,
        Err(e) => {
            return (
                None,
                OnDisk::Unavailable {
                    reason: format!("{e:#}"),
                },
            );
        }
    };
    let set = match RuleSet::load_dir(&dir) {
        Ok(set) => set,
        Err(errors) => {
            return (
                None,
                OnDisk::Unavailable {
                    reason: format!(
                        "the rules in {} do not compile ({} errors; see `lage rules check`)",
                        dir.display(),
                        errors.0.len()
                    ),
                },
            );
        }
    };
    let (then, _) = effective(&set.tag(item), overrides);
    let names =
        |tags: &[EffectiveTag]| -> Vec<String> { tags.iter().map(|t| t.tag.clone()).collect() };
    let (added, removed) = delta(&names(now), &names(&then));
    let version = set.version().to_string();
    let on_disk = if added.is_empty() && removed.is_empty() {
        OnDisk::Unchanged { version }
    } else {
        OnDisk::Changed {
            version,
            added,
            removed,
        }
    };
    (Some(set), on_disk)
}
