//! `lage import --ndjson FILE|-`: stores items from a file with one item JSON object per line,
//! the format `lage items --ndjson` prints (an `Item` plus fields computed when listing, which
//! are ignored), to move a data dir or fill one with a million items for a benchmark.
//!
//! The file is streamed in parts of [`PART`] lines, so a million lines import in bounded memory.
//! A line that is not an item with a valid id is reported as `FILE:LINE: reason` and skipped;
//! the rest are imported, and the exit code is 1 if any line was rejected. Items without rule
//! tags are tagged with the config's rules (the bundled ones when the config names none), like
//! ingest tags them. Manual decisions (`tags` set by hand) are not part of an item and are not
//! imported.

use std::fs::File;
use std::io::{BufRead, BufReader, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use super::rules::{config_rules, count};
use super::{Paths, format};
use crate::item::{Item, id_number};
use crate::rules::RuleSet;
use crate::store::{ImportReport, Store};

/// Options of `lage import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Read items from FILE ("-" for stdin), one JSON object per line, as `lage items --ndjson`
    /// prints them.
    #[arg(long, value_name = "FILE|-", required = true)]
    pub ndjson: PathBuf,
}

/// Lines read and imported together: the store merges search postings once per part.
const PART: usize = 10_000;

/// The longest line read; items are far smaller (a body is capped at 100 kB).
const MAX_LINE: usize = 8 * 1024 * 1024;

/// Rejected lines reported one by one; past this only the count is given.
const MAX_REPORTED: usize = 1_000;

/// Imports the file and prints `imported N new, M replaced, K rejected`.
pub fn import(paths: &Paths, args: ImportArgs) -> anyhow::Result<ExitCode> {
    let config = paths.load_config()?;
    let Some(rules) = config_rules(&config, "importing") else {
        return Ok(ExitCode::FAILURE);
    };
    let stdin = args.ndjson.as_os_str() == "-";
    let name = if stdin {
        "stdin".to_string()
    } else {
        args.ndjson.display().to_string()
    };
    let mut reader: Box<dyn BufRead> = if stdin {
        Box::new(std::io::stdin().lock())
    } else {
        let file = File::open(&args.ndjson).with_context(|| format!("cannot open {name}"))?;
        Box::new(BufReader::with_capacity(1 << 20, file))
    };
    let dir = paths
        .data_dir
        .clone()
        .unwrap_or_else(crate::config::default_data_dir);
    let store = Store::open_bulk(&dir)
        .with_context(|| format!("cannot open data dir {}", dir.display()))?;
    let progress = std::io::stderr().is_terminal();
    let mut report = ImportReport::default();
    let mut rejected = 0;
    let mut part = Vec::with_capacity(PART);
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        let read = next_line(&mut reader, &mut line, MAX_LINE)
            .with_context(|| format!("cannot read {name}"))?;
        let Some(fits) = read else { break };
        number += 1;
        let parsed = if fits {
            parse(&line)
        } else {
            Err(format!("line longer than {} MiB", MAX_LINE >> 20))
        };
        match parsed {
            Ok(Some(item)) => part.push(item),
            Ok(None) => {}
            Err(reason) => {
                rejected += 1;
                if rejected <= MAX_REPORTED {
                    eprintln!("{}", format::safe(&format!("{name}:{number}: {reason}")));
                }
            }
        }
        if part.len() >= PART {
            import_part(&store, &rules, &mut part, &mut report)?;
            if progress {
                eprint!("\rlage: {} lines read", number);
            }
        }
    }
    import_part(&store, &rules, &mut part, &mut report)?;
    store.flush()?;
    drop(store);
    // sled writes its snapshot when a database is opened, and an open without a recent one
    // replays the log: opening once more now spares the next `lage` (the dashboard) replaying
    // the whole import when it starts (6.7 s after a million items).
    drop(Store::open(&dir).with_context(|| format!("cannot reopen data dir {}", dir.display()))?);
    if progress && number >= PART {
        eprintln!();
    }
    if rejected > MAX_REPORTED {
        eprintln!(
            "lage: {} not shown",
            count(
                rejected - MAX_REPORTED,
                "further rejected line",
                "further rejected lines"
            )
        );
    }
    println!(
        "imported {} new, {} replaced, {rejected} rejected",
        report.new, report.replaced
    );
    Ok(if rejected > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads one item line: `Ok(None)` for a blank line, `Err` with the reason for anything that
/// is not an item with a valid id.
fn parse(line: &[u8]) -> Result<Option<Item>, String> {
    if line.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let mut item: Item =
        serde_json::from_slice(line).map_err(|e| format!("not an item as JSON: {e}"))?;
    // Another system's export is as untrusted as a feed.
    crate::normalise::resanitise(&mut item);
    if id_number(&item.id).is_none() {
        return Err(format!(
            "invalid item id '{}': expected 16 lowercase hex digits",
            item.id
        ));
    }
    Ok(Some(item))
}

/// Tags the part's untagged items and stores the part.
fn import_part(
    store: &Store,
    rules: &RuleSet,
    part: &mut Vec<Item>,
    report: &mut ImportReport,
) -> anyhow::Result<()> {
    for item in part.iter_mut().filter(|i| i.tagging.is_empty()) {
        item.tagging = rules.tag(item);
    }
    report.add(&store.import_part(part)?);
    part.clear();
    Ok(())
}

/// Reads the next line (without its `\n`) into `buf`. `None` at the end of input;
/// `Some(false)` when the line was longer than `max` bytes (it is skipped whole and `buf` is
/// left empty).
fn next_line(
    reader: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> std::io::Result<Option<bool>> {
    buf.clear();
    let mut any = false;
    let mut too_long = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(any.then_some(!too_long));
        }
        any = true;
        let (part, used, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], i + 1, true),
            None => (available, available.len(), false),
        };
        if !too_long {
            if buf.len() + part.len() > max {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(part);
            }
        }
        reader.consume(used);
        if done {
            return Ok(Some(!too_long));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_read_whole_and_an_overlong_one_is_skipped_whole() {
        let input = b"short\nthis one is too long\n\nlast without newline";
        // A tiny buffer, so lines span several reads.
        let mut reader = BufReader::with_capacity(4, &input[..]);
        let mut buf = Vec::new();
        let mut lines = Vec::new();
        while let Some(fits) = next_line(&mut reader, &mut buf, 10).expect("read") {
            lines.push((fits, String::from_utf8_lossy(&buf).into_owned()));
        }
        assert_eq!(
            lines,
            [
                (true, "short".to_string()),
                (false, String::new()),
                (true, String::new()),
                (false, String::new()),
            ]
        );
    }

    #[test]
    fn a_line_needs_an_item_with_a_valid_id() {
        assert!(matches!(parse(b"  "), Ok(None)));
        let err = parse(b"{\"id\": 1}").expect_err("not an item");
        assert!(err.starts_with("not an item as JSON"), "{err}");
    }
}
