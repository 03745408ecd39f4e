//! Real-world feed captures (`tests/fixtures/wild/`), each served with the Content-Type its
//! host really sent, all polled in one `lage poll --once` and checked against
//! `MANIFEST.tsv`: how many items each must give (or that it must fail cleanly), and what text
//! must or must not reach the store.
//!
//! The manifest is the specification: adding a capture is adding a line there, not a test here.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;
use tempfile::TempDir;

use common::{FixtureServer, json_output, lage_cmd, write_config};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/feeds")
}

fn wild_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wild")
}

/// What the manifest expects of one capture.
#[derive(Debug, Clone, PartialEq)]
enum Expect {
    /// Status ok and exactly this many items stored.
    Items(usize),
    /// Status error with a message.
    Error,
    /// Either of the above; the capture is broken in a way a client may recover from or not.
    ItemsOrError,
}

/// One line of `MANIFEST.tsv`.
#[derive(Debug, Clone)]
struct Capture {
    file: String,
    content_type: String,
    expect: Expect,
    must_contain: Option<String>,
    must_not_contain: Option<String>,
}

impl Capture {
    /// The source id: the file name, which is already a valid id.
    fn id(&self) -> &str {
        &self.file
    }
}

/// Reads the manifest: tab-separated `file, content_type, expect, note`, with a header line.
fn manifest() -> Vec<Capture> {
    let path = wild_dir().join("MANIFEST.tsv");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut captures = Vec::new();
    for (index, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let at = format!("{}:{}", path.display(), index + 1);
        let columns: Vec<&str> = line.split('\t').collect();
        let [file, content_type, expect, note] = columns[..] else {
            panic!(
                "{at}: expected 4 tab-separated columns, got {}",
                columns.len()
            );
        };
        let expect = match expect {
            "error" => Expect::Error,
            "items_or_error" => Expect::ItemsOrError,
            other => match other.strip_prefix("items:").map(str::parse) {
                Some(Ok(n)) => Expect::Items(n),
                _ => panic!("{at}: unknown expectation '{other}'"),
            },
        };
        let marker = |name: &str| {
            note.split(';')
                .find_map(|part| part.trim().strip_prefix(name))
                .map(|value| value.trim().to_string())
        };
        captures.push(Capture {
            file: file.to_string(),
            content_type: content_type.to_string(),
            expect,
            must_contain: marker("must_contain="),
            must_not_contain: marker("must_not_contain="),
        });
    }
    assert!(!captures.is_empty(), "{} lists no captures", path.display());
    captures
}

/// A fixture server, a config with one source per capture, and a data dir.
struct WildWorld {
    _server: FixtureServer,
    dir: TempDir,
    captures: Vec<Capture>,
}

impl WildWorld {
    fn new() -> WildWorld {
        let server = FixtureServer::start(&fixtures_dir());
        let dir = tempfile::tempdir().expect("temp dir");
        let captures = manifest();
        let mut config = String::from(
            "[fetch]\ncontact = \"lage-tests@stockholm.example\"\ntimeout = \"10s\"\nconnect_timeout = \"2s\"\n",
        );
        for capture in &captures {
            let content_type: String =
                url::form_urlencoded::byte_serialize(capture.content_type.as_bytes()).collect();
            let url = server.url(&format!("/wild/{}?ct={content_type}", capture.file));
            config.push_str(&format!(
                "\n[[source]]\nid = \"{}\"\nkind = \"rss\"\nurl = \"{url}\"\n",
                capture.id()
            ));
        }
        write_config(dir.path(), &config);
        WildWorld {
            _server: server,
            dir,
            captures,
        }
    }

    /// Runs `lage poll --once --json`; it must exit 0 without a panic, whatever the captures hold.
    fn poll(&self) -> Value {
        let output = lage_cmd(
            &self.dir.path().join("lage.toml"),
            &self.dir.path().join("data"),
        )
        .args(["poll", "--once", "--json"])
        .output()
        .expect("run lage poll");
        json_output(&output, "poll")
    }

    /// Every stored item.
    fn items(&self) -> Vec<Value> {
        let output = lage_cmd(
            &self.dir.path().join("lage.toml"),
            &self.dir.path().join("data"),
        )
        .args(["items", "--json"])
        .output()
        .expect("run lage items");
        match json_output(&output, "items") {
            Value::Array(items) => items,
            other => panic!("lage items --json did not print an array: {other:?}"),
        }
    }
}

/// The items source `id` has served: those it delivered first and those it was a second
/// sighting of (two captures may link the same article; that is one item with two sightings).
fn items_of<'a>(items: &'a [Value], id: &str) -> Vec<&'a Value> {
    items
        .iter()
        .filter(|item| {
            item["sightings"]
                .as_array()
                .is_some_and(|s| s.iter().any(|s| s["source"] == id))
        })
        .collect()
}

/// Whether any title, summary or body of `items` contains `needle`.
fn any_text_contains(items: &[&Value], needle: &str) -> bool {
    items.iter().any(|item| {
        ["title", "summary", "body"]
            .iter()
            .any(|field| item[*field].as_str().is_some_and(|t| t.contains(needle)))
    })
}

/// What is wrong with one capture's outcome, if anything.
fn check(capture: &Capture, report: Option<&Value>, items: &[&Value]) -> Vec<String> {
    let Some(report) = report else {
        return vec!["no report in the poll output".into()];
    };
    let status = report["status"].as_str().unwrap_or_default();
    let error = report["error"].as_str().unwrap_or_default();
    let titles: Vec<&str> = items.iter().filter_map(|i| i["title"].as_str()).collect();
    let mut problems = Vec::new();
    let failed_properly = status == "error" && !error.trim().is_empty();
    match capture.expect {
        Expect::Items(n) => {
            if status != "ok" {
                problems.push(format!("expected status ok, got {status} ({error})"));
            }
            if items.len() != n {
                problems.push(format!(
                    "expected {n} items, stored {}: {titles:?}",
                    items.len()
                ));
            }
        }
        Expect::Error => {
            if !failed_properly {
                problems.push(format!(
                    "expected an error with a message, got status {status} with {} items",
                    items.len()
                ));
            }
        }
        Expect::ItemsOrError => {
            if status != "ok" && !failed_properly {
                problems.push(format!(
                    "expected ok or an error with a message, got {report}"
                ));
            }
        }
    }
    if let Some(needle) = &capture.must_contain
        && !any_text_contains(items, needle)
    {
        problems.push(format!(
            "no stored text contains {needle:?}; titles: {titles:?}"
        ));
    }
    if let Some(needle) = &capture.must_not_contain
        && any_text_contains(items, needle)
    {
        problems.push(format!("stored text contains {needle:?}"));
    }
    problems
}

#[test]
fn every_wild_capture_meets_its_manifest_expectation() {
    let world = WildWorld::new();
    let poll = world.poll();
    let items = world.items();
    let reports = poll["sources"].as_array().cloned().unwrap_or_default();

    let mut failures = Vec::new();
    for capture in &world.captures {
        let report = reports.iter().find(|r| r["id"] == capture.id());
        let served = items_of(&items, capture.id());
        for problem in check(capture, report, &served) {
            failures.push(format!(
                "{} ({:?}): {problem}",
                capture.file, capture.expect
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} captures did not meet the manifest:\n{}",
        failures.len(),
        world.captures.len(),
        failures.join("\n")
    );
}

#[test]
fn polling_the_wild_captures_again_finds_nothing_new() {
    let world = WildWorld::new();
    world.poll();
    let second = world.poll();
    let new: Vec<String> = second["sources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["new"].as_u64().unwrap_or(0) > 0)
        .map(|r| format!("{}: {} new", r["id"], r["new"]))
        .collect();
    assert_eq!(
        second["totals"]["new"], 0,
        "new items on the second poll: {new:?}"
    );
}
