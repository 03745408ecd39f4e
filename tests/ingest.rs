//! Ingest, end to end: the real `lage` binary polls a loopback fixture server into a data dir
//! made for the test, and the test reads back what was stored (`items --json`), what each source
//! reported (`poll --once --json`) and the sources' health (`sources --json`).
//!
//! Every test has its own temp dir and its own server, so tests run in parallel and never share
//! state. Nothing here touches the network beyond 127.0.0.1.

mod common;

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde_json::Value;
use tempfile::TempDir;

use common::{FixtureServer, json_output, lage_cmd, write_config};

/// Fetch settings for tests: short enough that a stuck request fails fast, long enough for a
/// debug build on a busy machine.
const FETCH: &str = r#"
[fetch]
contact = "lage-tests@stockholm.example"
timeout = "10s"
connect_timeout = "2s"
"#;

/// The contact configured in [`FETCH`], expected in the User-Agent.
const CONTACT: &str = "lage-tests@stockholm.example";

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/feeds")
}

/// One test's world: a fixture server and a temp dir holding the config and the data dir.
struct World {
    server: FixtureServer,
    dir: TempDir,
}

impl World {
    /// A world serving the bundled fixtures.
    fn new() -> World {
        World::serving(&fixtures_dir())
    }

    /// A world whose server serves `dir` instead of the bundled fixtures.
    fn serving(dir: &Path) -> World {
        World {
            server: FixtureServer::start(dir),
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn url(&self, path: &str) -> String {
        self.server.url(path)
    }

    fn config_path(&self) -> PathBuf {
        self.dir.path().join("lage.toml")
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Writes (or rewrites) the config: `fetch` settings followed by the `sources` tables.
    fn configure(&self, fetch: &str, sources: &[String]) {
        write_config(self.dir.path(), &format!("{fetch}\n{}", sources.join("\n")));
    }

    /// Runs `lage poll --once --json` with extra environment, checks it exited 0 without a
    /// panic, and returns the report.
    fn poll_with_env(&self, env: &[(&str, Option<&str>)]) -> Value {
        let mut cmd = lage_cmd(&self.config_path(), &self.data_dir());
        cmd.args(["poll", "--once", "--json"]);
        for (name, value) in env {
            match value {
                Some(value) => cmd.env(name, value),
                None => cmd.env_remove(name),
            };
        }
        json_output(&cmd.output().expect("run lage poll"), "poll --once --json")
    }

    fn poll(&self) -> Value {
        self.poll_with_env(&[])
    }

    /// Every stored item (`lage items --json`).
    fn items(&self) -> Vec<Value> {
        let output = lage_cmd(&self.config_path(), &self.data_dir())
            .args(["items", "--json"])
            .output()
            .expect("run lage items");
        array(json_output(&output, "items --json"))
    }

    /// Source health (`lage sources --json`) of source `id`.
    fn source_health(&self, id: &str) -> Value {
        let output = lage_cmd(&self.config_path(), &self.data_dir())
            .args(["sources", "--json"])
            .output()
            .expect("run lage sources");
        array(json_output(&output, "sources --json"))
            .into_iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("no source {id} in `lage sources --json`"))
    }
}

/// A `[[source]]` table.
fn source(id: &str, kind: &str, url: &str) -> String {
    format!("[[source]]\nid = \"{id}\"\nkind = \"{kind}\"\nurl = \"{url}\"\n")
}

fn rss(id: &str, url: &str) -> String {
    source(id, "rss", url)
}

fn array(value: Value) -> Vec<Value> {
    match value {
        Value::Array(values) => values,
        other => panic!("expected a JSON array, got {other}"),
    }
}

/// The report of source `id` in a poll report.
fn report<'a>(poll: &'a Value, id: &str) -> &'a Value {
    poll["sources"]
        .as_array()
        .and_then(|sources| sources.iter().find(|s| s["id"] == id))
        .unwrap_or_else(|| panic!("no report for source {id} in {poll}"))
}

/// The error message of source `id`, after checking its status is `error`.
fn error_of(poll: &Value, id: &str) -> String {
    let report = report(poll, id);
    assert_eq!(
        report["status"], "error",
        "source {id} should have failed: {report}"
    );
    let message = report["error"].as_str().unwrap_or_default().to_string();
    assert!(
        !message.is_empty(),
        "source {id} failed without a message: {report}"
    );
    message
}

fn assert_ok(poll: &Value, id: &str) {
    let report = report(poll, id);
    assert_eq!(report["status"], "ok", "source {id} should be ok: {report}");
}

fn text<'a>(item: &'a Value, field: &str) -> &'a str {
    item[field].as_str().unwrap_or_default()
}

/// The titles of `items`, sorted.
fn titles(items: &[Value]) -> Vec<String> {
    let mut titles: Vec<String> = items.iter().map(|i| text(i, "title").to_string()).collect();
    titles.sort();
    titles
}

fn sorted(expected: &[&str]) -> Vec<String> {
    let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    expected.sort();
    expected
}

/// The stored item whose guid is `guid`.
fn by_guid<'a>(items: &'a [Value], guid: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["guid"] == guid)
        .unwrap_or_else(|| panic!("no stored item with guid {guid}"))
}

fn time(value: &Value) -> DateTime<Utc> {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("not a time: {value}"));
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("not an RFC 3339 time '{text}': {e}"))
        .with_timezone(&Utc)
}

/// Polls `path` as the only `rss` source and checks the stored titles are exactly `expected`.
fn assert_feed_titles(path: &str, expected: &[&str]) {
    let world = World::new();
    world.configure(FETCH, &[rss("feed", &world.url(path))]);
    let poll = world.poll();
    assert_ok(&poll, "feed");
    let items = world.items();
    assert_eq!(items.len(), expected.len(), "items stored from {path}");
    assert_eq!(
        titles(&items),
        sorted(expected),
        "titles stored from {path}"
    );
}

/// Characters that must never reach a terminal from feed text: C0 controls other than `\n` and
/// `\t`, DEL and C1 controls, bidi embeddings, overrides and isolates, zero-width characters
/// and directional marks.
fn is_hostile(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{200b}'..='\u{200f}')
}

/// Every string (and object key) anywhere in `value` that holds a hostile character, with its
/// JSON path.
fn hostile_strings(value: &Value, path: &str, found: &mut Vec<String>) {
    fn check(s: &str, at: &str, found: &mut Vec<String>) {
        if s.chars().any(is_hostile) {
            found.push(format!("{at}: {s:?}"));
        }
    }
    match value {
        Value::String(s) => check(s, path, found),
        Value::Array(values) => {
            for (i, v) in values.iter().enumerate() {
                hostile_strings(v, &format!("{path}[{i}]"), found);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                let at = format!("{path}.{k}");
                check(k, &at, found);
                hostile_strings(v, &at, found);
            }
        }
        _ => {}
    }
}

/// Polls an escape-sequence fixture and checks the titles and that no field anywhere carries a
/// control, bidi or zero-width character.
fn assert_titles_sanitised(path: &str) {
    let world = World::new();
    world.configure(FETCH, &[rss("esc", &world.url(path))]);
    let poll = world.poll();
    assert_ok(&poll, "esc");
    let items = world.items();
    assert_eq!(items.len(), 6, "items stored from {path}");
    let stored = titles(&items);
    for expected in [
        "Falsk[2J larm i Kista",
        "Strömavbrott]0;pwned i Farsta",
        "Inbrott i skola i Bromma",
        "Brand i Skärholmen",
    ] {
        assert!(
            stored.iter().any(|t| t == expected),
            "no title {expected:?} in {stored:?}"
        );
    }
    let mut found = Vec::new();
    hostile_strings(&Value::Array(items), "items", &mut found);
    assert!(
        found.is_empty(),
        "hostile characters stored:\n{}",
        found.join("\n")
    );
}

/// The ETag the server sends for `path`, read with a plain HTTP/1.1 request of our own.
fn served_etag(server: &FixtureServer, path: &str) -> String {
    let authority = server.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(authority).expect("connect to the fixture server");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set read timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .expect("send request");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read response");
    let response = String::from_utf8_lossy(&response);
    let head = response.split("\r\n\r\n").next().unwrap_or_default();
    head.lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("etag")
                .then(|| value.trim().to_string())
        })
        .unwrap_or_else(|| panic!("no ETag in the response to {path}:\n{head}"))
}

// ---- Formats -------------------------------------------------------------------------------

#[test]
fn rss_0_91_items_are_stored_with_their_titles() {
    assert_feed_titles(
        "/feed/rss091.xml",
        &[
            "Brand i trapphus på Ringvägen",
            "Vattenläcka vid Medborgarplatsen",
            "Krisövning på Södermalms stadsdelsförvaltning",
        ],
    );
}

#[test]
fn rss_1_0_items_are_stored_with_their_titles() {
    assert_feed_titles(
        "/feed/rss10.rdf",
        &[
            "Strömavbrott i Abrahamsberg",
            "Inbrott i förskola i Ulvsunda",
            "Trafikolycka vid Brommaplan",
        ],
    );
}

#[test]
fn rss_2_0_items_are_stored_with_their_titles() {
    assert_feed_titles(
        "/feed/rss20.xml",
        &[
            "Brand i garage i Hägersten",
            "Trafikolycka vid Fridhemsplan",
            "Vattenläcka på Götgatan",
            "Inbrott i skola i Skarpnäck",
            "Krisövning i Stadshuset",
        ],
    );
}

#[test]
fn atom_entries_are_stored_with_their_titles() {
    assert_feed_titles(
        "/feed/atom.xml",
        &[
            "Brand i bil i Husby",
            "Hot mot personal på fritidsgården i Rinkeby",
            "Trafikolycka på E18 vid Kista",
            "Krisövning i Kista & Husby",
        ],
    );
}

#[test]
fn json_feed_items_are_stored_with_their_titles() {
    assert_feed_titles(
        "/feed/jsonfeed.json",
        &[
            "Vattenläcka i Högdalen",
            "Inbrott i skola i Årsta",
            "Förberedelser inför stormen",
        ],
    );
}

// ---- Text: charsets, links, HTML, dates, hostile characters ---------------------------------

#[test]
fn windows_1252_feed_keeps_swedish_letters() {
    let world = World::new();
    world.configure(FETCH, &[rss("cp1252", &world.url("/feed/windows1252.xml"))]);
    assert_ok(&world.poll(), "cp1252");
    let stored = titles(&world.items());
    for expected in [
        "Vattenläcka på Södermalm – gatan avstängd",
        "Åtgärder efter brand i Älvsjö",
    ] {
        assert!(
            stored.iter().any(|t| t == expected),
            "no title {expected:?} in {stored:?}"
        );
    }
}

#[test]
fn iso_8859_1_from_the_http_charset_keeps_swedish_letters() {
    let world = World::new();
    let url = world.url("/charset/iso88591-no-prolog-encoding.xml?cs=ISO-8859-1");
    world.configure(FETCH, &[rss("latin1", &url)]);
    assert_ok(&world.poll(), "latin1");
    let stored = titles(&world.items());
    assert!(
        stored.iter().any(|t| t == "Översvämning i Hässelby strand"),
        "no correctly decoded title in {stored:?}"
    );
}

#[test]
fn relative_links_are_resolved_to_absolute_urls() {
    let world = World::new();
    world.configure(FETCH, &[rss("rel", &world.url("/feed/relative-links.xml"))]);
    assert_ok(&world.poll(), "rel");
    let items = world.items();
    let urls: Vec<&str> = ["rel-1", "rel-2", "rel-3"]
        .into_iter()
        .map(|guid| text(by_guid(&items, guid), "url"))
        .collect();
    // Resolved against the channel's own <link> (https://example.stockholm/), as
    // src/source/rss.rs documents; an absolute link is left as it is.
    assert_eq!(
        urls,
        [
            "https://example.stockholm/nyheter/2026/brand-i-kista",
            "https://example.stockholm/nyheter/x.html",
            "https://other.example.stockholm/ovning",
        ]
    );
}

#[test]
fn html_in_titles_becomes_plain_text() {
    let world = World::new();
    world.configure(FETCH, &[rss("html", &world.url("/feed/html-titles.xml"))]);
    assert_ok(&world.poll(), "html");
    let items = world.items();
    assert_eq!(
        text(by_guid(&items, "html-1"), "title"),
        "Brand i Rinkeby & Kista"
    );
    assert_eq!(
        text(by_guid(&items, "html-2"), "title").replace('\u{a0}', " "),
        "Strömavbrott i Farsta"
    );
    assert_eq!(
        text(by_guid(&items, "html-3"), "title"),
        "Vattenläcka på Kungsholmen"
    );
    assert_eq!(
        text(by_guid(&items, "html-4"), "title"),
        "Krisövning i Hägersten — \"Stab 1\""
    );
    assert_eq!(
        text(by_guid(&items, "html-5"), "title"),
        "Temperatur < 0 grader i Bromma"
    );
}

#[test]
fn items_without_dates_are_dated_when_first_seen() {
    let world = World::new();
    world.configure(
        FETCH,
        &[rss("nodate", &world.url("/feed/missing-dates.xml"))],
    );
    let before = Utc::now();
    assert_ok(&world.poll(), "nodate");
    let after = Utc::now();
    let items = world.items();
    assert_eq!(items.len(), 3);
    for item in &items {
        assert_eq!(item["date_origin"], "first_seen", "{item}");
        assert_eq!(item["published"], item["first_seen"], "{item}");
        let published = time(&item["published"]);
        assert!(
            before - chrono::Duration::seconds(1) <= published
                && published <= after + chrono::Duration::seconds(1),
            "published {published} is not the time of the poll ({before} to {after})"
        );
    }
}

#[test]
fn escape_sequences_and_bidi_controls_from_character_references_are_removed() {
    assert_titles_sanitised("/feed/escape-title.xml");
}

#[test]
fn escape_sequences_and_bidi_controls_from_raw_bytes_are_removed() {
    assert_titles_sanitised("/feed/escape-title-raw.xml");
}

// ---- Polling again ---------------------------------------------------------------------------

#[test]
fn unchanged_feed_is_not_modified_on_the_second_poll() {
    let world = World::new();
    let path = "/feed/rss20.xml";
    world.configure(FETCH, &[rss("rss20", &world.url(path))]);
    assert_ok(&world.poll(), "rss20");
    let first = world.items();
    assert_eq!(world.server.hits(path), 1);

    let second_poll = world.poll();

    assert_eq!(
        report(&second_poll, "rss20")["status"],
        "not_modified",
        "{second_poll}"
    );
    assert_eq!(
        world.server.hits(path),
        2,
        "the second poll must ask the server"
    );
    assert_eq!(second_poll["totals"]["new"], 0);
    let sent = world
        .server
        .last_request_headers(path)
        .and_then(|h| h.get("if-none-match").cloned())
        .expect("the second poll sent If-None-Match");
    let served = served_etag(&world.server, path);
    assert!(
        served.starts_with("W/\""),
        "the server sends a weak ETag: {served}"
    );
    assert_eq!(
        sent.as_bytes(),
        served.as_bytes(),
        "If-None-Match must be the ETag, byte-exact"
    );
    let second = world.items();
    let identity = |items: &[Value]| -> Vec<(String, String, u64)> {
        let mut ids: Vec<_> = items
            .iter()
            .map(|i| {
                let revision = i["revision"].as_u64().unwrap_or_default();
                (
                    text(i, "id").to_string(),
                    text(i, "content_hash").to_string(),
                    revision,
                )
            })
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(identity(&second), identity(&first));
    assert!(
        second.iter().all(|i| i["revision"] == 1),
        "all items stay at revision 1"
    );
}

#[test]
fn changed_item_is_updated_in_place_and_new_item_added() {
    let world = World::new();
    world.configure(FETCH, &[rss("rss20", &world.url("/feed/rss20.xml"))]);
    assert_ok(&world.poll(), "rss20");
    let before = world.items();
    let old = by_guid(&before, "test-rss20-0004").clone();

    world
        .server
        .set_file("/feed/rss20.xml", "rss20-changed.xml");
    let poll = world.poll();

    assert_ok(&poll, "rss20");
    assert_eq!(poll["totals"]["new"], 1, "{poll}");
    assert_eq!(poll["totals"]["updated"], 1, "{poll}");
    let after = world.items();
    assert_eq!(after.len(), 6);
    let changed = by_guid(&after, "test-rss20-0004");
    assert_eq!(changed["id"], old["id"]);
    assert_eq!(changed["revision"], 2);
    assert_eq!(
        text(changed, "title"),
        "Trafikolycka vid Fridhemsplan – två personer till sjukhus"
    );
    assert_eq!(
        text(by_guid(&after, "test-rss20-0006"), "title"),
        "Strömavbrott i Bromma"
    );
    assert_eq!(by_guid(&after, "test-rss20-0005")["revision"], 1);
}

// ---- Failing sources -------------------------------------------------------------------------

#[test]
fn server_error_fails_only_its_own_source() {
    let world = World::new();
    world.configure(
        FETCH,
        &[
            rss("broken", &world.url("/status/500")),
            rss("fine", &world.url("/feed/rss20.xml")),
        ],
    );
    let poll = world.poll();
    let error = error_of(&poll, "broken");
    assert!(
        error.contains("500"),
        "error should name the status: {error}"
    );
    assert_ok(&poll, "fine");
    assert_eq!(report(&poll, "fine")["new"], 5);
    assert_eq!(poll["totals"]["errors"], 1);
}

#[test]
fn source_that_starts_failing_keeps_its_stored_items() {
    let world = World::new();
    world.configure(FETCH, &[rss("city", &world.url("/feed/rss20.xml"))]);
    assert_ok(&world.poll(), "city");
    let before = world.items();
    assert_eq!(before.len(), 5);

    world.configure(FETCH, &[rss("city", &world.url("/status/500"))]);
    let poll = world.poll();

    assert!(error_of(&poll, "city").contains("500"));
    assert_eq!(
        world.items(),
        before,
        "a failing poll must leave stored items untouched"
    );
}

#[test]
fn empty_body_after_a_good_poll_is_an_error_and_keeps_the_items() {
    let world = World::new();
    world.configure(FETCH, &[rss("city", &world.url("/feed/rss20.xml"))]);
    assert_ok(&world.poll(), "city");
    let before = world.items();

    world.configure(FETCH, &[rss("city", &world.url("/empty"))]);
    let poll = world.poll();

    error_of(&poll, "city");
    assert_eq!(
        world.items(),
        before,
        "an empty body must not clear stored items"
    );
}

#[test]
fn retry_after_on_429_is_reported_and_honoured() {
    let world = World::new();
    let path = "/status/429";
    world.configure(FETCH, &[rss("busy", &world.url(path))]);
    let before = Utc::now();
    let first = world.poll();
    let after = Utc::now();

    assert!(error_of(&first, "busy").contains("429"));
    let health = world.source_health("busy");
    let until = time(&health["retry_after_until"]);
    let slack = chrono::Duration::seconds(2);
    assert!(
        before + chrono::Duration::seconds(120) - slack <= until
            && until <= after + chrono::Duration::seconds(120) + slack,
        "retry_after_until {until} should be 120 s after the poll ({before} to {after})"
    );
    assert_eq!(world.server.hits(path), 1);

    let second = world.poll();

    assert_eq!(
        world.server.hits(path),
        1,
        "the deferred source must not be fetched again"
    );
    let deferred = report(&second, "busy");
    assert_eq!(deferred["status"], "deferred", "{deferred}");
    let why = deferred["error"].as_str().unwrap_or_default();
    assert!(
        why.contains("Retry-After"),
        "the report should say why it was not polled: {why}"
    );
}

/// Polls one source whose server is too slow for a 1 s timeout; checks it times out, and that
/// the whole poll ends long before the server would have answered.
fn assert_times_out(path: &str) {
    let world = World::new();
    let fetch = "[fetch]\ntimeout = \"1s\"\nconnect_timeout = \"1s\"\n";
    world.configure(
        fetch,
        &[
            rss("slow", &world.url(path)),
            rss("fine", &world.url("/feed/rss20.xml")),
        ],
    );
    let started = Instant::now();
    let poll = world.poll();
    let took = started.elapsed();

    let error = error_of(&poll, "slow");
    assert!(
        error.contains("timed out"),
        "error should say it timed out: {error}"
    );
    assert_ok(&poll, "fine");
    // A hang guard, not a performance target: the server would answer only after 30 s.
    assert!(took < Duration::from_secs(15), "poll took {took:?}");
}

#[test]
fn slow_body_times_out() {
    assert_times_out("/slow/30");
}

#[test]
fn slow_headers_time_out() {
    assert_times_out("/slow-headers/30");
}

#[test]
fn oversized_body_is_refused_at_the_limit() {
    let world = World::new();
    let fetch = format!("{FETCH}max_body_bytes = 1048576\n");
    world.configure(&fetch, &[rss("big", &world.url("/big/20"))]);
    let error = error_of(&world.poll(), "big");
    assert!(
        error.contains("limit"),
        "error should mention the limit: {error}"
    );
    assert!(world.items().is_empty());
}

#[test]
fn gzip_body_is_decompressed_and_parsed() {
    let world = World::new();
    world.configure(FETCH, &[rss("gz", &world.url("/gzip/rss20.xml"))]);
    let poll = world.poll();
    assert_ok(&poll, "gz");
    assert_eq!(world.items().len(), 5);
}

#[test]
fn gzip_bomb_is_refused_at_the_limit() {
    let world = World::new();
    let fetch = format!("{FETCH}max_body_bytes = 1048576\n");
    world.configure(&fetch, &[rss("bomb", &world.url("/gzip-bomb/64"))]);
    let error = error_of(&world.poll(), "bomb");
    assert!(
        error.contains("limit"),
        "error should mention the limit: {error}"
    );
    assert!(world.items().is_empty());
}

#[test]
fn redirect_loop_is_an_error() {
    let world = World::new();
    world.configure(FETCH, &[rss("loop", &world.url("/redirect-loop/0"))]);
    let error = error_of(&world.poll(), "loop");
    assert!(
        error.to_lowercase().contains("redirect"),
        "error should mention redirects: {error}"
    );
}

#[test]
fn redirects_are_followed_up_to_max_redirects() {
    let world = World::new();
    let fetch = format!("{FETCH}max_redirects = 5\n");
    world.configure(
        &fetch,
        &[
            rss("three", &world.url("/redirect/3/rss20.xml")),
            rss("six", &world.url("/redirect/6/rss20.xml")),
        ],
    );
    let poll = world.poll();
    assert_ok(&poll, "three");
    assert_eq!(report(&poll, "three")["seen"], 5);
    let error = error_of(&poll, "six");
    assert!(
        error.to_lowercase().contains("redirect"),
        "error should mention redirects: {error}"
    );
}

// ---- Requests as the server sees them -----------------------------------------------------

#[test]
fn user_agent_names_lage_and_the_contact() {
    let world = World::new();
    world.configure(FETCH, &[rss("city", &world.url("/feed/rss20.xml"))]);
    assert_ok(&world.poll(), "city");
    let headers = world
        .server
        .last_request_headers("/feed/rss20.xml")
        .expect("lage asked for the feed");
    let agent = headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .expect("a User-Agent header");
    assert!(agent.starts_with("lage/"), "User-Agent: {agent}");
    assert!(agent.contains(CONTACT), "User-Agent: {agent}");
}

fn incidents_with_token(world: &World) -> String {
    format!(
        "{}token = \"${{LAGE_TEST_TOKEN}}\"\n",
        source(
            "incidents",
            "incidents",
            &world.url("/bearer/incidents.json")
        )
    )
}

#[test]
fn bearer_token_from_the_environment_unlocks_incidents() {
    let world = World::new();
    world.configure(FETCH, &[incidents_with_token(&world)]);
    let poll = world.poll_with_env(&[("LAGE_TEST_TOKEN", Some("s3cret-token"))]);
    assert_ok(&poll, "incidents");
    let items = world.items();
    let mut guids: Vec<&str> = items.iter().map(|i| text(i, "guid")).collect();
    guids.sort();
    assert_eq!(
        guids,
        ["INC-2026-00501", "INC-2026-00502", "INC-2026-00503"]
    );
}

#[test]
fn missing_token_variable_fails_only_that_source() {
    let world = World::new();
    world.configure(
        FETCH,
        &[
            incidents_with_token(&world),
            rss("city", &world.url("/feed/rss20.xml")),
        ],
    );
    let poll = world.poll_with_env(&[("LAGE_TEST_TOKEN", None)]);
    let error = error_of(&poll, "incidents");
    assert!(
        error.contains("LAGE_TEST_TOKEN"),
        "error should name the variable: {error}"
    );
    assert_ok(&poll, "city");
    assert_eq!(report(&poll, "city")["new"], 5);
}

#[test]
fn a_resolved_url_secret_never_appears_in_reports_or_health() {
    let world = World::new();
    // A port nobody listens on: the connection error is where HTTP clients print the URL.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    world.configure(
        FETCH,
        &[rss(
            "keyed",
            &format!("http://127.0.0.1:{port}/data.json?api_key=${{LAGE_TEST_KEY}}"),
        )],
    );
    let poll = world.poll_with_env(&[("LAGE_TEST_KEY", Some("hemligt-9f3"))]);
    let error = error_of(&poll, "keyed");
    assert!(!error.is_empty());
    assert!(!poll.to_string().contains("hemligt-9f3"), "{poll}");
    let health = world.source_health("keyed");
    assert!(!health.to_string().contains("hemligt-9f3"), "{health}");
    assert!(
        health["url"]
            .as_str()
            .unwrap_or("")
            .contains("${LAGE_TEST_KEY}")
    );
}

#[test]
fn a_url_variable_that_is_not_set_fails_only_that_source() {
    let world = World::new();
    world.configure(
        FETCH,
        &[
            rss(
                "keyed",
                &format!("{}?api_key=${{LAGE_TEST_KEY}}", world.url("/feed/atom.xml")),
            ),
            rss("city", &world.url("/feed/rss20.xml")),
        ],
    );
    let poll = world.poll_with_env(&[("LAGE_TEST_KEY", None)]);
    let error = error_of(&poll, "keyed");
    assert!(error.contains("LAGE_TEST_KEY"), "{error}");
    assert_eq!(world.server.hits("/feed/atom.xml"), 0);
    assert_ok(&poll, "city");
    assert_eq!(world.source_health("keyed")["last_status"], "error");
}

#[test]
fn brotli_body_is_decompressed_and_parsed() {
    let world = World::new();
    world.configure(FETCH, &[rss("br", &world.url("/brotli/rss20.xml"))]);
    let poll = world.poll();
    assert_ok(&poll, "br");
    assert_eq!(report(&poll, "br")["new"], 5);
}

#[test]
fn last_modified_is_sent_back_as_if_modified_since() {
    let world = World::new();
    world.configure(FETCH, &[rss("stad", &world.url("/feed/rss20.xml"))]);
    world.poll();
    world.poll();
    let headers = world
        .server
        .last_request_headers("/feed/rss20.xml")
        .expect("requests were made");
    assert_eq!(
        headers
            .get("if-modified-since")
            .and_then(|v| v.to_str().ok()),
        Some(common::LAST_MODIFIED_DATE)
    );
}

/// Six sources on one host, each held open by the server for half a second.
fn six_slow_sources(world: &World) -> Vec<String> {
    (0..6)
        .map(|i| {
            rss(
                &format!("slow{i}"),
                &world.url(&format!("/slow-headers/0.5?n={i}")),
            )
        })
        .collect()
}

#[test]
fn requests_to_one_host_respect_the_per_host_limit() {
    let world = World::new();
    let fetch = FETCH.replace("[fetch]", "[fetch]\nper_host = 2\nconcurrency = 16");
    world.configure(&fetch, &six_slow_sources(&world));
    world.poll();
    assert_eq!(world.server.max_in_flight(), 2);
}

#[test]
fn requests_respect_the_global_limit() {
    let world = World::new();
    let fetch = FETCH.replace("[fetch]", "[fetch]\nper_host = 8\nconcurrency = 3");
    world.configure(&fetch, &six_slow_sources(&world));
    world.poll();
    assert_eq!(world.server.max_in_flight(), 3);
}

#[test]
fn credentials_never_follow_a_redirect_to_another_host() {
    let world = World::new();
    let elsewhere = FixtureServer::start(&fixtures_dir());
    let target = elsewhere.url("/feed/rss20.xml");
    let redirect = world.url(&format!("/redirect-to?url={}", url_encode(&target)));
    world.configure(
        FETCH,
        &[format!(
            "{}headers = {{ X-Api-Key = \"${{LAGE_TEST_KEY}}\" }}\n",
            rss("keyed", &redirect)
        )],
    );

    let poll = world.poll_with_env(&[("LAGE_TEST_KEY", Some("hemligt-4k"))]);

    assert!(error_of(&poll, "keyed").contains("another host"), "{poll}");
    assert_eq!(
        elsewhere.hits("/feed/rss20.xml"),
        0,
        "the key must not reach the other host"
    );
}

#[test]
fn a_plain_source_may_follow_a_redirect_to_another_host() {
    let world = World::new();
    let elsewhere = FixtureServer::start(&fixtures_dir());
    let target = elsewhere.url("/feed/rss20.xml");
    world.configure(
        FETCH,
        &[rss(
            "moved",
            &world.url(&format!("/redirect-to?url={}", url_encode(&target))),
        )],
    );
    let poll = world.poll();
    assert_ok(&poll, "moved");
    let headers = elsewhere
        .last_request_headers("/feed/rss20.xml")
        .expect("the other host was asked");
    assert!(
        headers.get("referer").is_none(),
        "no Referer carries our URL onward"
    );
}

#[test]
fn a_url_holding_a_secret_is_never_a_base_for_stored_links() {
    let feeds = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        feeds.path().join("f.xml"),
        "<rss version=\"2.0\"><channel><title>t</title>\
         <item><title>A</title><link>rel/a.html</link><guid>a</guid></item>\
         <item><title>B</title><link>https://example.stockholm/b</link><guid>b</guid></item>\
         </channel></rss>",
    )
    .expect("write");
    let world = World::serving(feeds.path());
    // Any `${VAR}` in the URL (path or query) makes it private; the server ignores the query.
    let url = format!("{}?token=${{LAGE_TEST_KEY}}", world.url("/feed/f.xml"));
    world.configure(FETCH, &[rss("keyed", &url)]);

    let poll = world.poll_with_env(&[("LAGE_TEST_KEY", Some("hemligt-5p"))]);

    assert_ok(&poll, "keyed");
    let items = world.items();
    assert_eq!(items.len(), 2);
    assert!(
        !serde_json::to_string(&items)
            .unwrap_or_default()
            .contains("hemligt-5p")
    );
    assert!(
        by_guid(&items, "a")["url"].is_null(),
        "a relative link has no safe base"
    );
    assert_eq!(by_guid(&items, "b")["url"], "https://example.stockholm/b");
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// ---- Incidents ---------------------------------------------------------------------------

#[test]
fn incidents_ndjson_over_http_is_ingested() {
    let world = World::new();
    world.configure(
        FETCH,
        &[source(
            "incidents",
            "incidents",
            &world.url("/feed/incidents.ndjson"),
        )],
    );
    assert_ok(&world.poll(), "incidents");
    let items = world.items();
    assert_eq!(items.len(), 3);
    let incident = by_guid(&items, "INC-2026-00502");
    assert_eq!(
        text(incident, "title"),
        "Vattenläcka i förskola på Södermalm"
    );
    assert_eq!(incident["kind"], "incidents");
}

#[test]
fn incident_spool_files_are_ingested_and_moved_aside() {
    let world = World::new();
    let spool = world.dir.path().join("spool");
    std::fs::create_dir(&spool).expect("create spool");
    for name in ["incidents.json", "incident-bad.json"] {
        std::fs::copy(fixtures_dir().join(name), spool.join(name)).expect("fill spool");
    }
    let url = url::Url::from_directory_path(&spool).expect("absolute spool path");
    world.configure(FETCH, &[source("spool", "incidents", url.as_str())]);

    let poll = world.poll();

    let report = report(&poll, "spool");
    let mentioned = report["warnings"]
        .as_array()
        .into_iter()
        .flatten()
        .chain([&report["error"]])
        .filter_map(Value::as_str)
        .any(|m| m.contains("incident-bad.json"));
    assert!(mentioned, "the malformed file should be reported: {report}");
    assert_eq!(
        world.items().len(),
        3,
        "the good file's incidents are stored"
    );
    assert!(
        spool.join("processed/incidents.json").is_file(),
        "good file moved to processed/"
    );
    assert!(
        spool.join("rejected/incident-bad.json").is_file(),
        "bad file moved to rejected/"
    );
    assert!(!spool.join("incidents.json").exists());
    assert!(!spool.join("incident-bad.json").exists());
}

#[test]
fn an_oversized_spool_file_is_set_aside_and_the_rest_are_stored() {
    let world = World::new();
    let spool = world.dir.path().join("spool");
    std::fs::create_dir(&spool).expect("create spool");
    std::fs::copy(fixtures_dir().join("incidents.json"), spool.join("a.json")).expect("fill");
    // Larger than max_body_bytes below: it must not block the spool for ever.
    std::fs::write(spool.join("b.json"), vec![b' '; 4096]).expect("fill");
    let url = url::Url::from_directory_path(&spool).expect("absolute spool path");
    let fetch = FETCH.replace("[fetch]", "[fetch]\nmax_body_bytes = 2048");
    world.configure(&fetch, &[source("spool", "incidents", url.as_str())]);

    let poll = world.poll();

    assert_ok(&poll, "spool");
    assert_eq!(world.items().len(), 3);
    assert!(spool.join("rejected/b.json").is_file());
    assert!(spool.join("processed/a.json").is_file());
    let warnings = report(&poll, "spool")["warnings"].to_string();
    assert!(
        warnings.contains("b.json") && warnings.contains("limit"),
        "{warnings}"
    );
}

#[test]
fn a_spool_of_only_bad_files_is_an_error_and_they_leave_the_spool() {
    let world = World::new();
    let spool = world.dir.path().join("spool");
    std::fs::create_dir(&spool).expect("create spool");
    std::fs::copy(
        fixtures_dir().join("incident-bad.json"),
        spool.join("bad.json"),
    )
    .expect("fill");
    let url = url::Url::from_directory_path(&spool).expect("absolute spool path");
    world.configure(FETCH, &[source("spool", "incidents", url.as_str())]);

    let first = world.poll();
    assert!(error_of(&first, "spool").contains("bad.json"));
    assert!(spool.join("rejected/bad.json").is_file());

    let second = world.poll();
    assert_ok(&second, "spool");
}

#[test]
fn a_spool_whose_files_cannot_leave_it_is_an_error_and_stores_nothing() {
    let world = World::new();
    let spool = world.dir.path().join("spool");
    std::fs::create_dir(&spool).expect("create spool");
    std::fs::copy(fixtures_dir().join("incidents.json"), spool.join("a.json")).expect("fill");
    // A plain file where the processed/ folder should go.
    std::fs::write(spool.join("processed"), "").expect("block processed/");
    let url = url::Url::from_directory_path(&spool).expect("absolute spool path");
    world.configure(FETCH, &[source("spool", "incidents", url.as_str())]);

    let poll = world.poll();

    assert!(error_of(&poll, "spool").contains("not writable"), "{poll}");
    assert!(world.items().is_empty());
    assert!(
        spool.join("a.json").is_file(),
        "the file waits in the spool"
    );
}

#[test]
fn local_feed_file_is_read_and_left_in_place() {
    let world = World::new();
    let feed = world.dir.path().join("rss20.xml");
    std::fs::copy(fixtures_dir().join("rss20.xml"), &feed).expect("copy feed");
    let url = url::Url::from_file_path(&feed).expect("absolute feed path");
    world.configure(FETCH, &[rss("local", url.as_str())]);

    assert_ok(&world.poll(), "local");

    assert_eq!(world.items().len(), 5);
    assert!(
        feed.is_file(),
        "an rss source's file is not a spool: it must stay where the config points"
    );
}

// ---- Deduplication across sources ---------------------------------------------------------

/// A one-item RSS feed whose item links to `link`.
fn one_item_feed(guid: &str, title: &str, link: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>{guid}</title><link>https://example.stockholm/</link>
<description>test</description>
<item><title>{title}</title><link>{link}</link><guid isPermaLink="false">{guid}</guid>
<pubDate>Tue, 24 Nov 2026 09:00:00 +0100</pubDate></item>
</channel></rss>
"#
    )
}

#[test]
fn same_canonical_url_from_two_sources_is_one_item_with_two_sightings() {
    let feeds = tempfile::tempdir().expect("temp dir");
    let article = "https://example.stockholm/nyheter/brand?id=7";
    let a = one_item_feed(
        "a-1",
        "Brand i Kista",
        "https://example.stockholm/nyheter/brand?id=7&amp;utm_source=rss&amp;utm_medium=feed",
    );
    let b = one_item_feed(
        "b-1",
        "Brand i Kista centrum",
        "https://example.stockholm/nyheter/brand?utm_campaign=nov&amp;id=7#top",
    );
    std::fs::write(feeds.path().join("a.xml"), a).expect("write a.xml");
    std::fs::write(feeds.path().join("b.xml"), b).expect("write b.xml");
    let world = World::serving(feeds.path());
    world.configure(
        FETCH,
        &[
            rss("a", &world.url("/feed/a.xml")),
            rss("b", &world.url("/feed/b.xml")),
        ],
    );

    let poll = world.poll();

    assert_ok(&poll, "a");
    assert_ok(&poll, "b");
    let items = world.items();
    assert_eq!(items.len(), 1, "one story, one item: {items:?}");
    let item = &items[0];
    assert_eq!(item["url"], article);
    let sightings = item["sightings"].as_array().expect("sightings");
    let mut sources: Vec<&str> = sightings.iter().map(|s| text(s, "source")).collect();
    sources.sort();
    assert_eq!(sources, ["a", "b"]);
    for sighting in sightings {
        assert_eq!(sighting["url"], article, "sighting urls are canonical too");
    }

    // Polling both again changes nothing: the two versions must not overwrite each other.
    for _ in 0..2 {
        let again = world.poll();
        assert_eq!(again["totals"]["new"], 0, "{again}");
        assert_eq!(again["totals"]["updated"], 0, "{again}");
    }
    let items = world.items();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["revision"], 1);
    assert_eq!(items[0]["title"], item["title"]);
}

#[test]
fn a_guid_reused_for_two_stories_keeps_two_items_when_one_drops_out() {
    let feeds = tempfile::tempdir().expect("temp dir");
    let a = reused_guid_item("Brand i Kista", "https://example.stockholm/a", "Rök.");
    let b = reused_guid_item(
        "Vattenläcka i Farsta",
        "https://example.stockholm/b",
        "Vatten.",
    );
    let files = [
        ("a.xml", reused_guid_feed(std::slice::from_ref(&a))),
        ("ab.xml", reused_guid_feed(&[a.clone(), b.clone()])),
        ("b.xml", reused_guid_feed(std::slice::from_ref(&b))),
    ];
    for (name, body) in &files {
        std::fs::write(feeds.path().join(name), body).expect("write");
    }
    let world = World::serving(feeds.path());
    world.configure(FETCH, &[rss("s", &world.url("/feed/f.xml"))]);

    world.server.set_file("f.xml", "a.xml");
    assert_eq!(world.poll()["totals"]["new"], 1);
    for (file, expected_new) in [("ab.xml", 1), ("a.xml", 0), ("b.xml", 0), ("ab.xml", 0)] {
        world.server.set_file("f.xml", file);
        let poll = world.poll();
        assert_eq!(poll["totals"]["new"], expected_new, "{file}: {poll}");
        let mut titles: Vec<String> = world
            .items()
            .iter()
            .map(|i| text(i, "title").to_owned())
            .collect();
        titles.sort();
        assert_eq!(
            titles,
            ["Brand i Kista", "Vattenläcka i Farsta"],
            "after {file}"
        );
    }
    for item in world.items() {
        assert_eq!(item["revision"], 1, "no story took over another: {item}");
    }
}

#[test]
fn reused_guids_with_exact_repeats_and_edits_stay_one_item_each() {
    let feeds = tempfile::tempdir().expect("temp dir");
    let a = reused_guid_item("Brand i Kista", "https://example.stockholm/a", "Rök.");
    let b = reused_guid_item("Storm", "https://example.stockholm/b", "Vind.");
    let b2 = reused_guid_item(
        "Storm",
        "https://example.stockholm/b",
        "Vind, träd över vägen.",
    );
    std::fs::write(
        feeds.path().join("v1.xml"),
        reused_guid_feed(&[a.clone(), b.clone(), b]),
    )
    .expect("write");
    std::fs::write(
        feeds.path().join("v2.xml"),
        reused_guid_feed(&[a, b2.clone(), b2]),
    )
    .expect("write");
    let world = World::serving(feeds.path());
    world.configure(FETCH, &[rss("s", &world.url("/feed/f.xml"))]);

    world.server.set_file("f.xml", "v1.xml");
    assert_eq!(world.poll()["totals"]["new"], 2);
    world.server.set_file("f.xml", "v2.xml");
    let edited = world.poll();
    assert_eq!(edited["totals"]["new"], 0, "{edited}");
    assert_eq!(edited["totals"]["updated"], 1, "{edited}");
    assert_eq!(world.items().len(), 2);
}

#[test]
fn one_guid_with_two_descriptions_does_not_count_updates_on_every_poll() {
    let feeds = tempfile::tempdir().expect("temp dir");
    let one = reused_guid_item("Brand i Kista", "https://example.stockholm/a", "Ett.");
    let two = reused_guid_item("Brand i Kista", "https://example.stockholm/a", "Två.");
    std::fs::write(feeds.path().join("f.xml"), reused_guid_feed(&[one, two])).expect("write");
    let world = World::serving(feeds.path());
    // Served without an ETag, so every poll parses the document again.
    world.configure(FETCH, &[rss("s", &world.url("/charset/f.xml?cs=utf-8"))]);
    world.poll();
    let stored = world.items().len();
    for _ in 0..3 {
        let poll = world.poll();
        assert_eq!(poll["totals"]["updated"], 0, "{poll}");
        assert_eq!(poll["totals"]["new"], 0, "{poll}");
    }
    assert_eq!(world.items().len(), stored);
}

#[test]
fn items_without_guids_sharing_one_link_stay_apart_whatever_the_order() {
    let feeds = tempfile::tempdir().expect("temp dir");
    let item = |title: &str| {
        format!(
            "<item><title>{title}</title><link>https://example.stockholm/trafik</link>\
             <pubDate>Tue, 24 Nov 2026 09:00:00 +0100</pubDate></item>"
        )
    };
    let (slussen, signalfel) = (item("Slussen avstängd"), item("Signalfel i tunnelbanan"));
    for (name, items) in [
        ("s.xml", vec![slussen.clone()]),
        ("gs.xml", vec![signalfel.clone(), slussen.clone()]),
        ("g.xml", vec![signalfel]),
    ] {
        std::fs::write(feeds.path().join(name), reused_guid_feed(&items)).expect("write");
    }
    let world = World::serving(feeds.path());
    world.configure(FETCH, &[rss("sl", &world.url("/feed/f.xml"))]);

    for (file, new, updated) in [
        ("s.xml", 1, 0),
        ("gs.xml", 1, 0),
        ("s.xml", 0, 0),
        ("g.xml", 0, 0),
        ("gs.xml", 0, 0),
    ] {
        world.server.set_file("f.xml", file);
        let poll = world.poll();
        assert_eq!(poll["totals"]["new"], new, "{file}: {poll}");
        assert_eq!(poll["totals"]["updated"], updated, "{file}: {poll}");
    }
    let items = world.items();
    let mut titles: Vec<&str> = items.iter().map(|i| text(i, "title")).collect();
    titles.sort();
    assert_eq!(titles, ["Signalfel i tunnelbanan", "Slussen avstängd"]);
    assert!(items.iter().all(|i| i["revision"] == 1), "{items:?}");
}

#[test]
fn items_sharing_a_link_keep_their_identity_when_the_feed_restamps_them() {
    let feeds = tempfile::tempdir().expect("temp dir");
    let item = |title: &str, hour: u32| {
        format!(
            "<item><title>{title}</title><link>https://example.stockholm/driftinfo</link>\
             <pubDate>Tue, 24 Nov 2026 {hour:02}:00:00 +0100</pubDate></item>"
        )
    };
    for (name, hour) in [("a.xml", 8), ("b.xml", 9), ("c.xml", 10)] {
        let items = [
            item("Vattenläcka i Kista", hour),
            item("Strömavbrott i Farsta", hour),
        ];
        std::fs::write(feeds.path().join(name), reused_guid_feed(&items)).expect("write");
    }
    let world = World::serving(feeds.path());
    world.configure(FETCH, &[rss("drift", &world.url("/feed/f.xml"))]);

    for (file, new) in [("a.xml", 2), ("b.xml", 0), ("c.xml", 0)] {
        world.server.set_file("f.xml", file);
        let poll = world.poll();
        assert_eq!(poll["totals"]["new"], new, "{file}: {poll}");
    }
    assert_eq!(world.items().len(), 2);
}

#[test]
fn an_incident_linking_to_a_news_item_stays_its_own_record() {
    let feeds = tempfile::tempdir().expect("temp dir");
    let link = "https://krisinformation.example/handelser/brand-kista";
    std::fs::write(
        feeds.path().join("news.xml"),
        reused_guid_feed(&[format!(
            "<item><title>Brand i Kista</title><link>{link}</link><guid>n1</guid></item>"
        )]),
    )
    .expect("write");
    let world = World::serving(feeds.path());
    let spool = world.dir.path().join("spool");
    std::fs::create_dir(&spool).expect("create spool");
    std::fs::write(
        spool.join("inc.json"),
        format!(r#"{{"id":"INC-7","reported_at":"2026-11-24T08:00:00+01:00","title":"Brand i skola, Kista","url":"{link}","status":"open"}}"#),
    )
    .expect("write");
    let url = url::Url::from_directory_path(&spool).expect("absolute spool path");
    world.configure(
        FETCH,
        &[
            rss("news", &world.url("/feed/news.xml")),
            source("spool", "incidents", url.as_str()),
        ],
    );

    world.poll();

    let items = world.items();
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(by_guid(&items, "INC-7")["title"], "Brand i skola, Kista");
}

#[test]
fn a_corrected_incident_time_is_an_update() {
    let world = World::new();
    let spool = world.dir.path().join("spool");
    std::fs::create_dir(&spool).expect("create spool");
    let report = |time: &str| {
        format!(
            r#"{{"id":"INC-3","reported_at":"2026-11-24T{time}:00+01:00","title":"Hot mot personal"}}"#
        )
    };
    std::fs::write(spool.join("1.json"), report("17:42")).expect("write");
    let url = url::Url::from_directory_path(&spool).expect("absolute spool path");
    world.configure(FETCH, &[source("spool", "incidents", url.as_str())]);
    world.poll();
    std::fs::write(spool.join("2.json"), report("07:42")).expect("write");

    let poll = world.poll();

    assert_eq!(poll["totals"]["updated"], 1, "{poll}");
    let items = world.items();
    assert_eq!(items[0]["published"], "2026-11-24T06:42:00Z");
}

#[test]
fn an_older_incident_version_arriving_late_does_not_turn_it_back() {
    let world = World::new();
    let spool = world.dir.path().join("spool");
    std::fs::create_dir(&spool).expect("create spool");
    let report = |status: &str, updated: &str| {
        format!(
            r#"{{"id":"INC-9","reported_at":"2026-11-24T08:00:00+01:00","updated_at":"2026-11-24T{updated}:00+01:00","title":"Vattenläcka","status":"{status}"}}"#
        )
    };
    std::fs::write(spool.join("a.json"), report("closed", "09:00")).expect("write");
    let url = url::Url::from_directory_path(&spool).expect("absolute spool path");
    world.configure(FETCH, &[source("spool", "incidents", url.as_str())]);
    world.poll();
    std::fs::write(spool.join("b.json"), report("open", "08:30")).expect("write");

    let poll = world.poll();

    assert_eq!(poll["totals"]["updated"], 0, "{poll}");
    assert_eq!(world.items()[0]["extra"]["status"], "closed");
}

#[test]
fn a_spool_file_with_too_many_records_is_set_aside_whole() {
    let world = World::new();
    let spool = world.dir.path().join("spool");
    std::fs::create_dir(&spool).expect("create spool");
    let records: Vec<String> = (0..5_003)
        .map(|i| format!(r#"{{"id":"B-{i}","reported_at":"2026-11-24T08:00:00Z","title":"t{i}"}}"#))
        .collect();
    std::fs::write(spool.join("bulk.json"), format!("[{}]", records.join(","))).expect("write");
    let url = url::Url::from_directory_path(&spool).expect("absolute spool path");
    world.configure(FETCH, &[source("spool", "incidents", url.as_str())]);

    let poll = world.poll();

    assert!(error_of(&poll, "spool").contains("split"), "{poll}");
    assert!(world.items().is_empty());
    assert!(
        spool.join("rejected/bulk.json").is_file(),
        "kept whole for a person to split"
    );
}

#[test]
fn an_edited_title_under_a_reused_guid_is_an_update_not_a_new_item() {
    let feeds = tempfile::tempdir().expect("temp dir");
    let brand = reused_guid_item("Brand i Kista", "https://example.stockholm/n/1", "Rök.");
    let slackt = reused_guid_item(
        "Brand i Kista släckt",
        "https://example.stockholm/n/1",
        "Rök.",
    );
    let e4 = reused_guid_item("Trafikolycka E4", "https://example.stockholm/n/2", "Kö.");
    for (name, items) in [
        ("1.xml", vec![brand.clone()]),
        ("2.xml", vec![slackt.clone(), e4.clone()]),
        ("3.xml", vec![brand, e4]),
        ("4.xml", vec![slackt]),
    ] {
        std::fs::write(feeds.path().join(name), reused_guid_feed(&items)).expect("write");
    }
    let world = World::serving(feeds.path());
    world.configure(FETCH, &[rss("s", &world.url("/feed/f.xml"))]);

    for (file, new, updated) in [
        ("1.xml", 1, 0),
        ("2.xml", 1, 1),
        ("3.xml", 0, 1),
        ("4.xml", 0, 1),
    ] {
        world.server.set_file("f.xml", file);
        let poll = world.poll();
        assert_eq!(poll["totals"]["new"], new, "{file}: {poll}");
        assert_eq!(poll["totals"]["updated"], updated, "{file}: {poll}");
    }
    let items = world.items();
    assert_eq!(items.len(), 2, "{items:?}");
    let brand = items
        .iter()
        .find(|i| i["url"] == "https://example.stockholm/n/1")
        .expect("the fire story");
    assert_eq!(brand["title"], "Brand i Kista släckt");
    assert_eq!(brand["revision"], 4);
}

#[test]
fn a_second_sources_reused_guid_item_stays_a_sighting_when_its_neighbour_drops_out() {
    let feeds = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        feeds.path().join("a.xml"),
        one_item_feed("ga1", "Brand i Kista", "https://example.stockholm/n/1"),
    )
    .expect("write");
    let b1 = reused_guid_item(
        "Kista: brand i flerfamiljshus",
        "https://example.stockholm/n/1",
        "B.",
    );
    let b2 = reused_guid_item("Trafikolycka E4", "https://example.stockholm/n/2", "Kö.");
    std::fs::write(
        feeds.path().join("b2.xml"),
        reused_guid_feed(&[b1.clone(), b2]),
    )
    .expect("write");
    std::fs::write(feeds.path().join("b1.xml"), reused_guid_feed(&[b1])).expect("write");
    let world = World::serving(feeds.path());
    world.configure(
        FETCH,
        &[
            rss("a", &world.url("/feed/a.xml")),
            rss("b", &world.url("/feed/b.xml")),
        ],
    );
    world.server.set_file("b.xml", "b2.xml");
    world.poll();
    assert_eq!(world.items().len(), 2);

    world.server.set_file("b.xml", "b1.xml");
    let poll = world.poll();

    assert_eq!(poll["totals"]["new"], 0, "{poll}");
    assert_eq!(world.items().len(), 2);
}

/// An item whose guid is the site root, as some publishers give every item.
fn reused_guid_item(title: &str, link: &str, description: &str) -> String {
    format!(
        "<item><title>{title}</title><link>{link}</link><guid>https://example.stockholm/</guid>\
         <description>{description}</description>\
         <pubDate>Tue, 24 Nov 2026 09:00:00 +0100</pubDate></item>"
    )
}

fn reused_guid_feed(items: &[String]) -> String {
    format!(
        "<rss version=\"2.0\"><channel><title>t</title><link>https://example.stockholm/</link>{}</channel></rss>",
        items.concat()
    )
}

#[test]
fn a_later_version_of_an_incident_in_the_same_poll_wins() {
    let world = World::new();
    let spool = world.dir.path().join("spool");
    std::fs::create_dir(&spool).expect("create spool");
    let report = |status: &str| {
        format!(
            r#"{{"id":"INC-2026-00777","reported_at":"2026-11-24T08:00:00+01:00","title":"Vattenläcka i Farsta","status":"{status}"}}"#
        )
    };
    std::fs::write(spool.join("001.json"), report("open")).expect("write");
    std::fs::write(spool.join("002.json"), report("closed")).expect("write");
    let url = url::Url::from_directory_path(&spool).expect("absolute spool path");
    world.configure(FETCH, &[source("spool", "incidents", url.as_str())]);

    let poll = world.poll();

    assert_eq!(poll["totals"]["new"], 1, "{poll}");
    let items = world.items();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["extra"]["status"], "closed");
}
