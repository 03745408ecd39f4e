//! `lage items`: stored items, newest first.

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use clap::Args;

use super::{Paths, format};
use crate::config::parse_duration;
use crate::item::{Item, Lifecycle, Severity};
use crate::store::{ItemQuery, Store};
use crate::tags::{EffectiveTag, TagOverride, effective, tag_under, validate_tag};

/// Options of `lage items`.
#[derive(Debug, Args)]
pub struct ItemsArgs {
    /// Only items published since a duration ago ("2h", "7d") or a date ("2026-11-20", Stockholm
    /// time) or an RFC 3339 time.
    #[arg(long, value_name = "DURATION|DATE")]
    pub since: Option<String>,
    /// Only items from this source.
    #[arg(long, value_name = "ID")]
    pub source: Option<String>,
    /// Only items carrying this tag or a tag under it (`fokus` matches `fokus/brott`).
    #[arg(long, value_name = "PREFIX")]
    pub tag: Option<String>,
    /// At most this many items.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Print a JSON array.
    #[arg(long, conflicts_with = "ndjson")]
    pub json: bool,
    /// Print one JSON object per line.
    #[arg(long)]
    pub ndjson: bool,
}

/// Lists items: reads the options, opens the store in the data dir, prints to stdout.
pub fn items(paths: &Paths, args: ItemsArgs) -> anyhow::Result<ExitCode> {
    let query = ItemsQuery::new(args, Utc::now())?;
    let store = paths.open_store()?;
    list(&store, query, &mut std::io::stdout().lock())
}

/// The options of `lage items`, checked: a bad `--since` or `--tag` is refused before the store
/// is opened.
pub struct ItemsQuery {
    since: Option<DateTime<Utc>>,
    tag: Option<String>,
    args: ItemsArgs,
}

impl ItemsQuery {
    /// Checks `--since` (read relative to `now`) and `--tag`.
    pub fn new(args: ItemsArgs, now: DateTime<Utc>) -> anyhow::Result<ItemsQuery> {
        let since = args
            .since
            .as_deref()
            .map(|s| parse_since(s, now))
            .transpose()?;
        let tag = args
            .tag
            .as_deref()
            .map(|t| {
                let t = t.trim_end_matches('/');
                validate_tag(t)
                    .map(|()| t.to_string())
                    .map_err(|e| anyhow::anyhow!("--tag: invalid tag '{t}': {e}"))
            })
            .transpose()?;
        Ok(ItemsQuery { since, tag, args })
    }
}

/// Writes the items `query` selects from `store` to `out`, as lines, a JSON array or NDJSON.
pub fn list(store: &Store, query: ItemsQuery, out: &mut dyn Write) -> anyhow::Result<ExitCode> {
    let ItemsQuery {
        since,
        tag: filter,
        args,
    } = query;
    let items = store.items(&ItemQuery {
        since,
        source: args.source,
        // A tag filter drops items after reading, so the limit applies after it.
        limit: if filter.is_some() { None } else { args.limit },
    })?;
    let mut listed = Vec::with_capacity(items.len());
    for item in &items {
        if listed.len() >= args.limit.unwrap_or(usize::MAX) {
            break;
        }
        let (tags, removed) = effective(&item.tagging, &store.tag_overrides(&item.id)?);
        if let Some(filter) = &filter
            && !tags.iter().any(|t| tag_under(&t.tag, filter))
        {
            continue;
        }
        listed.push((item, tags, removed));
    }
    let now = Utc::now();
    if args.json {
        let listed: Vec<Listed> = listed
            .into_iter()
            .map(|(i, tags, removed)| Listed::new(i, tags, removed, now))
            .collect();
        writeln!(
            out,
            "{}",
            format::json_safe(&serde_json::to_string_pretty(&listed)?)
        )?;
    } else if args.ndjson {
        for (item, tags, removed) in listed {
            let listed = Listed::new(item, tags, removed, now);
            writeln!(
                out,
                "{}",
                format::json_safe(&serde_json::to_string(&listed)?)
            )?;
        }
    } else {
        for (item, tags, _) in &listed {
            writeln!(out, "{}", format::item_line(item, tags, now))?;
        }
        if listed.iter().any(|(i, _, _)| i.date_is_first_seen()) {
            writeln!(out, "(* = the source gave no date; first-seen time shown)")?;
        }
        if listed
            .iter()
            .any(|(_, tags, _)| tags.iter().any(|t| t.manual))
        {
            writeln!(out, "({} = tag set by hand)", format::MANUAL_MARK)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// An item as listed in JSON: the stored item (its `tagging` carries the rules' evidence) plus
/// what holds at the moment of listing: the tags it carries with manual decisions applied.
#[derive(serde::Serialize)]
struct Listed<'a> {
    #[serde(flatten)]
    item: &'a Item,
    /// active, cancelled or expired, for alerts.
    #[serde(skip_serializing_if = "Option::is_none")]
    lifecycle: Option<Lifecycle>,
    /// Whether the item is a drill or test.
    exercise: bool,
    /// The severity shown: the source's, raised by a rule.
    effective_severity: Option<Severity>,
    /// The tags the item carries (rules' tags with manual decisions applied).
    tags: Vec<EffectiveTag>,
    /// Tags the rules give that a person removed.
    removed_tags: Vec<TagOverride>,
}

impl<'a> Listed<'a> {
    fn new(
        item: &'a Item,
        tags: Vec<EffectiveTag>,
        removed_tags: Vec<TagOverride>,
        now: DateTime<Utc>,
    ) -> Listed<'a> {
        Listed {
            item,
            lifecycle: item.lifecycle(now),
            exercise: item.is_exercise(),
            effective_severity: item.effective_severity(),
            tags,
            removed_tags,
        }
    }
}

/// Reads `--since`: a duration back from `now`, a Stockholm date, or an RFC 3339 time.
pub fn parse_since(text: &str, now: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
    if let Some(d) = parse_duration(text) {
        return chrono::Duration::from_std(d)
            .ok()
            .and_then(|d| now.checked_sub_signed(d))
            .ok_or_else(|| anyhow::anyhow!("--since: '{text}' reaches back too far"));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        && let Some(midnight) = date.and_hms_opt(0, 0, 0)
        && let Some(t) = chrono_tz::Europe::Stockholm
            .from_local_datetime(&midnight)
            .earliest()
    {
        return Ok(t.with_timezone(&Utc));
    }
    bail!(
        "--since: invalid value '{text}': expected a duration (\"2h\", \"7d\") or a date (2026-11-20)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_accepts_durations_and_dates() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        assert_eq!(
            parse_since("2h", now).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap()
        );
        assert_eq!(
            parse_since("2026-11-20", now).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 19, 23, 0, 0).unwrap()
        );
        assert!(parse_since("igår", now).is_err());
        assert!(parse_since("100000000y", now).is_err());
    }
}
