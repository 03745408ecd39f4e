//! `lage rules replay`: re-tags stored items with the rules on disk and prints what changes, per
//! tag, over the tags items effectively carry (manual decisions applied before and after, so
//! they never show as churn and are never undone). Writes nothing unless `--apply`.

use std::process::ExitCode;

use chrono::Utc;
use clap::Args;
use serde::Serialize;

use super::items::parse_since;
use super::rules::{RulesDir, count, load_or_report};
use super::{Paths, format};
use crate::rules::replay::{Change, Diff};
use crate::store::ItemQuery;
use crate::tags::{Tagging, effective};

/// Options of `lage rules replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    rules: RulesDir,
    /// Only items published since a duration ago ("30d") or a date ("2026-11-01") [default: all]
    #[arg(long, value_name = "DURATION|DATE")]
    since: Option<String>,
    /// Write the new tagging of the items that change.
    #[arg(long)]
    apply: bool,
    /// Example items shown per tag.
    #[arg(long, value_name = "N", default_value_t = 3)]
    examples: usize,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

/// `rules replay --json`.
#[derive(Serialize)]
struct Replayed<'a> {
    rules_version: &'a str,
    #[serde(flatten)]
    diff: &'a Diff,
    /// Items whose stored tagging differs from the new one (tags, or only evidence, severity or
    /// priority): what `--apply` writes.
    retagged: usize,
    applied: bool,
    written: usize,
}

/// Replays the rules over stored items.
pub fn replay(paths: &Paths, args: ReplayArgs) -> anyhow::Result<ExitCode> {
    let since = args
        .since
        .as_deref()
        .map(|s| parse_since(s, Utc::now()))
        .transpose()?;
    let (dir, _) = args.rules.resolve(paths)?;
    let Some(set) = load_or_report(&dir) else {
        return Ok(ExitCode::FAILURE);
    };
    let store = paths.open_store()?;
    let items = store.items(&ItemQuery {
        since,
        ..ItemQuery::default()
    })?;
    let mut diff = Diff::new(args.examples);
    let mut updates: Vec<(String, Tagging)> = Vec::new();
    for item in &items {
        let overrides = store.tag_overrides(&item.id)?;
        let tagging = set.tag(item);
        let before: Vec<String> = effective(&item.tagging, &overrides)
            .0
            .into_iter()
            .map(|t| t.tag)
            .collect();
        let after: Vec<String> = effective(&tagging, &overrides)
            .0
            .into_iter()
            .map(|t| t.tag)
            .collect();
        diff.record(&item.id, &item.title, &before, &after);
        if !same_outcome(&item.tagging, &tagging) {
            updates.push((item.id.clone(), tagging));
        }
    }
    let written = if args.apply {
        store.put_taggings(&updates)?
    } else {
        0
    };
    if args.json {
        let out = Replayed {
            rules_version: set.version(),
            diff: &diff,
            retagged: updates.len(),
            applied: args.apply,
            written,
        };
        println!(
            "{}",
            format::json_safe(&serde_json::to_string_pretty(&out)?)
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "replaying the rules in {} (version {}) over {}",
        format::safe(&dir.display().to_string()),
        set.version(),
        match &args.since {
            Some(since) => format!("items since {}", format::safe(since)),
            None => "all stored items".into(),
        }
    );
    print_table(&diff);
    println!(
        "\n{} checked, {} changed (tags added {}, removed {})",
        count(diff.checked, "item", "items"),
        count(diff.changed, "item", "items"),
        diff.added(),
        diff.removed()
    );
    let evidence_only = updates.len().saturating_sub(diff.changed);
    if args.apply {
        println!(
            "applied: wrote the new tagging of {}",
            count(written, "item", "items")
        );
    } else {
        let mut line = format!(
            "dry run: nothing written; --apply writes the new tagging of {}",
            count(updates.len(), "item", "items")
        );
        if evidence_only > 0 {
            line.push_str(&format!(
                " ({evidence_only} of them with the same tags and new evidence, severity or priority)"
            ));
        }
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether two taggings say the same thing about an item, whichever rule set version made them.
fn same_outcome(a: &Tagging, b: &Tagging) -> bool {
    a.tags == b.tags
        && a.matches == b.matches
        && a.severity == b.severity
        && a.priority == b.priority
}

/// `+3`, `-1`, or `0`.
fn signed(sign: char, n: usize) -> String {
    if n == 0 {
        "0".into()
    } else {
        format!("{sign}{n}")
    }
}

fn print_table(diff: &Diff) {
    if diff.tags.is_empty() {
        println!("\nno tag changes");
        return;
    }
    let width = diff
        .tags
        .iter()
        .map(|t| t.tag.chars().count() + 1)
        .max()
        .unwrap_or(0)
        .max(4);
    println!("\n{:<width$}  {:>7}  {:>7}", "tag", "added", "removed");
    for change in &diff.tags {
        println!(
            "{:<width$}  {:>7}  {:>7}",
            format!("#{}", format::safe(&change.tag)),
            signed('+', change.added),
            signed('-', change.removed)
        );
        for example in &change.examples {
            let sign = match example.change {
                Change::Added => '+',
                Change::Removed => '-',
            };
            println!(
                "    {sign} {}  {}",
                format::safe(&example.id),
                format::truncate(&format::safe(&example.title), 80)
            );
        }
    }
}
