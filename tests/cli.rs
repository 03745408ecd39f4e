//! The command line as an operator uses it: `poll`, `items`, `sources`, `opml`, `run`, `demo`,
//! each run as the real binary against a loopback fixture server, a config written by the test
//! and a data dir of its own.

mod common;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use common::{FixtureServer, lage_cmd, write_config};
use serde_json::Value;
use tempfile::TempDir;

/// How long any wait for a process may take before the test gives up.
const PATIENCE: Duration = Duration::from_secs(20);

/// The feed fixtures the server serves.
fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/feeds")
}

/// The OPML fixture: 5 feeds in the folders "Myndigheter" (with "Blåljus") and "Nyheter".
fn subscriptions_opml() -> PathBuf {
    fixtures().join("opml/subscriptions.opml")
}

/// The `xmlUrl`s of the OPML fixture, as written there (entities decoded).
const OPML_URLS: [&str; 5] = [
    "https://www.cert.se/feed.rss",
    "https://www.mcf.se/sv/rss/nyheter/",
    "https://polisen.se/aktuellt/rss/stockholms-lan/handelser-rss---stockholms-lan/",
    "https://brandforsvar.example.stockholm/rss/insatser",
    "https://start.stockholm/aktuellt/nyheter/rss?typ=nyheter&sprak=sv",
];

/// A `[[source]]` table of kind rss.
fn rss_source(id: &str, url: &str) -> String {
    format!("[[source]]\nid = \"{id}\"\nkind = \"rss\"\nurl = \"{url}\"\ninterval = \"10m\"\n\n")
}

/// A URL on 127.0.0.1 where nothing listens: the port was free a moment ago.
fn closed_port_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("listener address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}/feed.xml")
}

/// One test's config file and data dir.
struct Workspace {
    dir: TempDir,
    config: PathBuf,
    data: PathBuf,
}

impl Workspace {
    /// A fresh directory with `config` as `lage.toml` and an empty data dir beside it.
    fn new(config: &str) -> Workspace {
        let dir = tempfile::tempdir().expect("create a temporary dir");
        let config = write_config(dir.path(), config);
        let data = dir.path().join("data");
        Workspace { dir, config, data }
    }

    /// `lage --config ... --data-dir ...`, ready for a subcommand.
    fn lage(&self) -> Command {
        lage_cmd(&self.config, &self.data)
    }

    /// Runs `lage` with `args`, asserts exit 0 and returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        succeeded(self.lage().args(args))
    }

    /// Runs `lage` with `args`, asserts exit 0 and parses stdout as JSON.
    fn json(&self, args: &[&str]) -> Value {
        let stdout = self.ok(args);
        serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("lage {args:?} did not print JSON ({e}):\n{stdout}"))
    }

    /// `lage items --json`: every stored item, newest first.
    fn items(&self) -> Vec<Value> {
        as_array(self.json(&["items", "--json"]))
    }

    /// `lage sources --json`.
    fn sources(&self) -> Vec<Value> {
        as_array(self.json(&["sources", "--json"]))
    }

    /// Starts `lage run` with stdout read line by line on a helper thread.
    fn spawn_run(&self) -> Running {
        let mut child = self
            .lage()
            .arg("run")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start lage run");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running { child, lines }
    }
}

/// Runs `cmd`, returning its output.
fn output(cmd: &mut Command) -> Output {
    cmd.output().expect("run lage")
}

/// Runs `cmd`, asserts exit 0 and returns stdout.
fn succeeded(cmd: &mut Command) -> String {
    let out = output(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} exited with {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

fn as_array(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items,
        other => panic!("expected a JSON array, got {other}"),
    }
}

/// The ids of a list of JSON objects, in order.
fn ids(values: &[Value]) -> Vec<String> {
    values
        .iter()
        .map(|v| {
            v["id"]
                .as_str()
                .expect("every object has a string id")
                .to_owned()
        })
        .collect()
}

/// The keys of a JSON object, sorted.
fn keys(value: &Value) -> BTreeSet<&str> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("expected a JSON object, got {value}"))
        .keys()
        .map(String::as_str)
        .collect()
}

fn published(item: &Value) -> DateTime<Utc> {
    let text = item["published"].as_str().expect("published is a string");
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("published {text:?} is not RFC 3339: {e}"))
        .with_timezone(&Utc)
}

/// Waits (every 100 ms, at most [`PATIENCE`]) until `ready` holds.
fn wait_until(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !ready() {
        assert!(Instant::now() < deadline, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Sends `signal` (e.g. "TERM") to the process `pid` with kill(1).
fn send_signal(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{signal} {pid} failed");
}

/// A running `lage run`; killed if the test ends before it exits.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Running {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The next stdout line that contains `needle`.
    fn line_containing(&self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(_) => {}
                Err(_) => panic!("lage run printed no line containing {needle:?}"),
            }
        }
    }

    /// Waits for the process to exit (at most [`PATIENCE`]).
    fn wait_for_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll lage run") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "lage run did not exit within {PATIENCE:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Everything the process wrote to stderr (call after it exited).
    fn stderr(&mut self) -> String {
        let mut text = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut err, &mut text);
        }
        text
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// lage poll --once

#[test]
fn poll_json_has_the_documented_shape_and_a_failing_source_does_not_fail_the_poll() {
    let server = FixtureServer::start(&fixtures());
    let ws = Workspace::new(&format!(
        "{}{}",
        rss_source("stad", &server.url("/feed/rss20.xml")),
        rss_source("nere", &closed_port_url()),
    ));

    let report = ws.json(&["poll", "--once", "--json"]);

    assert_eq!(keys(&report), BTreeSet::from(["sources", "totals"]));
    let sources = report["sources"].as_array().expect("sources is an array");
    assert_eq!(ids(sources), ["stad", "nere"]);
    for source in sources {
        assert_eq!(
            keys(source),
            BTreeSet::from(["id", "status", "seen", "new", "updated", "error"]),
            "keys of {source}"
        );
    }
    let (ok, down) = (&sources[0], &sources[1]);
    assert_eq!(ok["status"], "ok");
    assert_eq!(
        (&ok["seen"], &ok["new"], &ok["updated"]),
        (&5.into(), &5.into(), &0.into())
    );
    assert_eq!(ok["error"], Value::Null);
    assert_eq!(down["status"], "error");
    assert_eq!((&down["seen"], &down["new"]), (&0.into(), &0.into()));
    assert!(
        down["error"].as_str().is_some_and(|e| !e.is_empty()),
        "the failing source carries its error: {down}"
    );
    let totals = &report["totals"];
    assert_eq!(
        keys(totals),
        BTreeSet::from(["seen", "new", "updated", "errors"])
    );
    assert_eq!(
        totals,
        &serde_json::json!({ "seen": 5, "new": 5, "updated": 0, "errors": 1 })
    );
}

#[test]
fn poll_text_lists_each_source_and_the_totals() {
    let server = FixtureServer::start(&fixtures());
    let ws = Workspace::new(&format!(
        "{}{}{}",
        rss_source("stad", &server.url("/feed/rss20.xml")),
        rss_source("rinkeby", &server.url("/feed/atom.xml")),
        rss_source("nere", &closed_port_url()),
    ));

    let stdout = ws.ok(&["poll", "--once"]);

    let lines: Vec<&str> = stdout.lines().collect();
    for (id, status) in [("stad", "ok"), ("rinkeby", "ok"), ("nere", "error")] {
        let line = lines
            .iter()
            .find(|l| l.split_whitespace().next() == Some(id))
            .unwrap_or_else(|| panic!("no line for source {id}:\n{stdout}"));
        assert_eq!(line.split_whitespace().nth(1), Some(status), "{line}");
    }
    assert_eq!(
        lines.last().copied(),
        Some("total: seen 9, new 9, updated 0, sources with errors 1")
    );
}

// ---------------------------------------------------------------------------------------------
// lage items

/// A workspace where `stad` (rss20.xml, 5 dated items from last week), `rinkeby` (atom.xml,
/// 4 dated items) and `odaterat` (missing-dates.xml, 3 items without dates) have been polled.
fn polled_workspace(server: &FixtureServer) -> Workspace {
    let ws = Workspace::new(&format!(
        "{}{}{}",
        rss_source("stad", &server.url("/feed/rss20.xml")),
        rss_source("rinkeby", &server.url("/feed/atom.xml")),
        rss_source("odaterat", &server.url("/feed/missing-dates.xml")),
    ));
    let report = ws.json(&["poll", "--once", "--json"]);
    assert_eq!(report["totals"]["new"], 12, "setup poll: {report}");
    ws
}

#[test]
fn items_are_listed_newest_first() {
    let server = FixtureServer::start(&fixtures());
    let ws = polled_workspace(&server);

    let items = ws.items();

    assert_eq!(items.len(), 12);
    let times: Vec<DateTime<Utc>> = items.iter().map(published).collect();
    for pair in times.windows(2) {
        assert!(pair[0] >= pair[1], "not newest first: {times:?}");
    }
}

#[test]
fn items_source_keeps_only_that_source() {
    let server = FixtureServer::start(&fixtures());
    let ws = polled_workspace(&server);

    let items = as_array(ws.json(&["items", "--json", "--source", "rinkeby"]));

    assert_eq!(items.len(), 4);
    assert!(
        items.iter().all(|i| i["source"] == "rinkeby"),
        "other sources leaked in: {items:?}"
    );
}

#[test]
fn items_limit_keeps_the_newest() {
    let server = FixtureServer::start(&fixtures());
    let ws = polled_workspace(&server);
    let all = ws.items();

    let limited = as_array(ws.json(&["items", "--json", "--limit", "2"]));

    assert_eq!(ids(&limited), ids(&all[..2]));
}

#[test]
fn a_reader_that_stops_early_ends_lage_quietly() {
    use std::io::{BufRead, BufReader};
    // Far more output than a pipe buffers, so lage is still writing when the reader leaves.
    let feeds = tempfile::tempdir().expect("temp dir");
    let items: String = (0..3000)
        .map(|i| {
            format!(
                "<item><title>Händelse {i}</title><guid>h{i}</guid>\
                 <description>{}</description></item>",
                "Text om läget i Skärholmen. ".repeat(20)
            )
        })
        .collect();
    std::fs::write(
        feeds.path().join("many.xml"),
        format!("<rss version=\"2.0\"><channel><title>M</title>{items}</channel></rss>"),
    )
    .expect("write feed");
    let server = FixtureServer::start(feeds.path());
    let ws = Workspace::new(&rss_source("many", &server.url("/feed/many.xml")));
    ws.json(&["poll", "--once", "--json"]);

    // Like `lage items | head -1`: read one line, then close the pipe.
    let mut child = ws
        .lage()
        .args(["items", "--ndjson"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start lage items");
    let mut first = String::new();
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    stdout.read_line(&mut first).expect("read one line");
    drop(stdout);
    let output = child.wait_with_output().expect("wait for lage");

    assert!(first.starts_with('{'), "{first}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn items_since_a_duration_drops_old_items_and_since_a_date_keeps_them() {
    let server = FixtureServer::start(&fixtures());
    let ws = polled_workspace(&server);

    let last_hour = as_array(ws.json(&["items", "--json", "--since", "1h"]));
    let since_2000 = as_array(ws.json(&["items", "--json", "--since", "2000-01-01"]));

    // Only the undated items, first seen just now, are from the last hour.
    let sources: BTreeSet<&str> = last_hour
        .iter()
        .filter_map(|i| i["source"].as_str())
        .collect();
    assert_eq!(last_hour.len(), 3, "{last_hour:?}");
    assert_eq!(sources, BTreeSet::from(["odaterat"]));
    assert_eq!(since_2000.len(), 12);
}

#[test]
fn items_ndjson_prints_one_object_per_line() {
    let server = FixtureServer::start(&fixtures());
    let ws = polled_workspace(&server);
    let all = ws.items();

    let stdout = ws.ok(&["items", "--ndjson"]);

    let lines: Vec<Value> = stdout
        .lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("line is not one JSON value ({e}): {line}"))
        })
        .collect();
    assert!(lines.iter().all(Value::is_object), "{stdout}");
    assert_eq!(ids(&lines), ids(&all));
}

#[test]
fn items_json_and_ndjson_together_are_a_usage_error() {
    let ws = Workspace::new("");

    let out = output(ws.lage().args(["items", "--json", "--ndjson"]));

    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--ndjson"), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// lage sources

/// Two enabled sources on the fixture server and a disabled one.
fn sources_config(server: &FixtureServer) -> String {
    format!(
        "{}{}[[source]]\nid = \"avstangd\"\nkind = \"rss\"\nurl = \"{}\"\nenabled = false\n",
        rss_source("stad", &server.url("/feed/rss20.xml")),
        rss_source("rinkeby", &server.url("/feed/atom.xml")),
        server.url("/feed/rss10.rdf"),
    )
}

#[test]
fn sources_lists_every_source_as_never_polled_before_the_first_poll() {
    let server = FixtureServer::start(&fixtures());
    let ws = Workspace::new(&sources_config(&server));

    let text = ws.ok(&["sources"]);
    let json = ws.sources();

    for id in ["stad", "rinkeby", "avstangd"] {
        let line = text
            .lines()
            .find(|l| l.split_whitespace().next() == Some(id))
            .unwrap_or_else(|| panic!("no line for {id}:\n{text}"));
        assert!(line.contains("never"), "{line}");
    }
    assert_eq!(ids(&json), ["stad", "rinkeby", "avstangd"]);
    let enabled: Vec<&Value> = json.iter().map(|s| &s["enabled"]).collect();
    assert_eq!(
        enabled,
        [&Value::Bool(true), &Value::Bool(true), &Value::Bool(false)]
    );
    for source in &json {
        assert_eq!(source["last_status"], Value::Null, "{source}");
        assert_eq!(source["last_success"], Value::Null, "{source}");
        assert_eq!(source["etag"], Value::Null, "{source}");
    }
}

#[test]
fn sources_json_after_a_poll_has_last_success_and_etag() {
    let server = FixtureServer::start(&fixtures());
    let ws = Workspace::new(&sources_config(&server));
    let before = Utc::now();
    ws.ok(&["poll", "--once"]);

    let json = ws.sources();

    let fixture = std::fs::read(fixtures().join("rss20.xml")).expect("read rss20.xml");
    let served_etag = format!("W/\"v-{:016x}\"", xxhash_rust::xxh3::xxh3_64(&fixture));
    let stad = &json[0];
    assert_eq!(stad["id"], "stad");
    assert_eq!(stad["last_status"], "ok");
    assert_eq!(stad["etag"], served_etag.as_str());
    let last_success =
        DateTime::parse_from_rfc3339(stad["last_success"].as_str().expect("last_success is set"))
            .expect("last_success is RFC 3339");
    assert!(
        last_success >= before - chrono::Duration::seconds(1),
        "{last_success}"
    );
    assert_eq!(json[1]["last_status"], "ok");
    assert!(json[1]["etag"].is_string(), "{}", json[1]);
    let disabled = &json[2];
    assert_eq!(disabled["id"], "avstangd");
    assert_eq!(
        disabled["last_status"],
        Value::Null,
        "a disabled source is not polled"
    );
}

// ---------------------------------------------------------------------------------------------
// lage opml

/// The `url` of every `[[source]]` in a TOML text, in order.
fn toml_source_urls(text: &str) -> Vec<String> {
    let table: toml::Table =
        toml::from_str(text).unwrap_or_else(|e| panic!("not valid TOML ({e}):\n{text}"));
    table
        .get("source")
        .and_then(|s| s.as_array())
        .map(|sources| {
            sources
                .iter()
                .map(|s| {
                    s["url"]
                        .as_str()
                        .expect("every source has a url")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn opml_import_prints_sources_that_a_config_can_include() {
    let ws = Workspace::new(&format!(
        "include = [\"feeds/*.toml\"]\n\n{}",
        rss_source("egen", "https://example.org/egen.xml")
    ));
    let opml = subscriptions_opml();

    let toml = ws.ok(&["opml", "import", opml.to_str().expect("UTF-8 path")]);

    assert!(toml.contains("# folder: Myndigheter / Blåljus"), "{toml}");
    std::fs::create_dir_all(ws.dir.path().join("feeds")).expect("create feeds/");
    std::fs::write(ws.dir.path().join("feeds/imported.toml"), &toml).expect("write feeds file");
    let sources = ws.sources();
    assert_eq!(sources.len(), 6, "{sources:?}");
    let imported = &sources[1..];
    let urls: BTreeSet<&str> = imported.iter().filter_map(|s| s["url"].as_str()).collect();
    assert_eq!(urls, BTreeSet::from(OPML_URLS));
    assert!(imported.iter().all(|s| s["kind"] == "rss"), "{imported:?}");
    let names: BTreeSet<&str> = imported.iter().filter_map(|s| s["name"].as_str()).collect();
    assert!(
        names.contains("Stockholms stad – Nyheter & pressmeddelanden"),
        "{names:?}"
    );
    let unique: BTreeSet<String> = ids(&sources).into_iter().collect();
    assert_eq!(unique.len(), 6, "ids are unique: {unique:?}");
}

#[test]
fn opml_import_into_appends_once_and_skips_feeds_already_configured() {
    // CERT-SE is already configured, by hand, in the main config.
    let ws = Workspace::new(&format!(
        "include = [\"feeds/*.toml\"]\n\n{}",
        rss_source("cert-se", "https://www.cert.se/feed.rss")
    ));
    let opml = subscriptions_opml();
    let into = ws.dir.path().join("feeds/imported.toml");
    std::fs::create_dir_all(ws.dir.path().join("feeds")).expect("create feeds/");
    let import = |ws: &Workspace| {
        let out = output(
            ws.lage()
                .arg("opml")
                .arg("import")
                .arg(&opml)
                .arg("--into")
                .arg(&into),
        );
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "opml import --into failed:\n{stderr}");
        stderr
    };

    let first = import(&ws);
    let second = import(&ws);

    assert!(first.contains("added 4 sources"), "{first}");
    assert!(first.contains("1 already configured"), "{first}");
    assert!(second.contains("added 0 sources"), "{second}");
    assert!(second.contains("5 already configured"), "{second}");
    let written = std::fs::read_to_string(&into).expect("read the feeds file");
    assert_eq!(written.matches("[[source]]").count(), 4, "{written}");
    let urls: BTreeSet<String> = ws
        .sources()
        .iter()
        .filter_map(|s| s["url"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(urls, OPML_URLS.iter().map(|u| u.to_string()).collect());
}

#[test]
fn opml_import_skips_local_files_and_env_references() {
    let dir = tempfile::tempdir().expect("temp dir");
    let opml = dir.path().join("x.opml");
    std::fs::write(
        &opml,
        r#"<opml version="2.0"><body>
        <outline text="Lösenord" xmlUrl="file:///etc/passwd"/>
        <outline text="Nyckel" xmlUrl="https://evil.example/?k=${AWS_SECRET_ACCESS_KEY}"/>
        <outline text="Polisen" xmlUrl="https://polisen.se/rss"/>
        </body></opml>"#,
    )
    .expect("write opml");
    let ws = Workspace::new("");
    let out = ws
        .lage()
        .args(["opml", "import"])
        .arg(&opml)
        .output()
        .expect("run lage");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("https://polisen.se/rss"), "{stdout}");
    assert!(!stdout.contains("file:"), "{stdout}");
    assert!(!stdout.contains("AWS_SECRET"), "{stdout}");
    assert!(
        stderr.contains("Lösenord") && stderr.contains("Nyckel"),
        "{stderr}"
    );
}

#[test]
fn opml_export_reads_back_to_the_same_urls() {
    let ws = Workspace::new(&format!(
        "{}{}{}[[source]]\nid = \"incidenter\"\nkind = \"incidents\"\nurl = \"https://incident.stockholm.example/api/v1/reports\"\n",
        rss_source("cert-se", OPML_URLS[0]),
        rss_source("polisen", OPML_URLS[2]),
        rss_source("stad", OPML_URLS[4]),
    ));
    let exported = ws.dir.path().join("export.opml");
    std::fs::write(&exported, ws.ok(&["opml", "export"])).expect("write the export");

    // Read it back with an empty config, so nothing counts as already configured.
    let other = Workspace::new("");
    let toml = other.ok(&["opml", "import", exported.to_str().expect("UTF-8 path")]);

    assert_eq!(
        toml_source_urls(&toml),
        [OPML_URLS[0], OPML_URLS[2], OPML_URLS[4]]
    );
}

#[test]
fn opml_export_keeps_env_references_and_never_the_secret() {
    let ws = Workspace::new(&rss_source(
        "vader",
        "https://api.example.org/warnings.xml?api_key=${SOME_KEY}",
    ));

    let exported = succeeded(
        ws.lage()
            .args(["opml", "export"])
            .env("SOME_KEY", "supersecret"),
    );

    assert!(exported.contains("api_key=${SOME_KEY}"), "{exported}");
    assert!(!exported.contains("supersecret"), "{exported}");
}

// ---------------------------------------------------------------------------------------------
// lage run and the data dir

/// A config with one rss20.xml source on the fixture server.
fn run_config(server: &FixtureServer) -> String {
    rss_source("stad", &server.url("/feed/rss20.xml"))
}

#[test]
fn a_busy_data_dir_is_reported_with_its_path_and_the_holders_pid() {
    let server = FixtureServer::start(&fixtures());
    let ws = Workspace::new(&run_config(&server));
    let mut run = ws.spawn_run();
    let pid = run.pid();
    let lock = ws.data.join("lock");
    wait_until("lage run to write its pid into the lock file", || {
        std::fs::read_to_string(&lock).is_ok_and(|t| t.trim() == pid.to_string())
    });

    let out = output(ws.lage().args(["items"]));

    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "items opened a data dir that lage run holds"
    );
    assert!(stderr.contains("in use"), "{stderr}");
    assert!(stderr.contains(&ws.data.display().to_string()), "{stderr}");
    assert!(stderr.contains(&pid.to_string()), "{stderr}");
    assert!(!stderr.to_lowercase().contains("sled"), "{stderr}");
    send_signal(pid, "TERM");
    run.wait_for_exit();
}

#[test]
fn run_stops_on_sigterm_with_exit_0_and_its_items_saved() {
    let server = FixtureServer::start(&fixtures());
    let ws = Workspace::new(&run_config(&server));
    let mut run = ws.spawn_run();
    let polled = run.line_containing("stad");

    send_signal(run.pid(), "TERM");
    let status = run.wait_for_exit();

    assert!(
        status.success(),
        "lage run exited with {status}: {}",
        run.stderr()
    );
    assert!(polled.contains(" ok "), "{polled}");
    let items = ws.items();
    assert_eq!(items.len(), 5);
    assert!(items.iter().all(|i| i["source"] == "stad"));
}

#[test]
fn items_reported_saved_survive_sigkill_and_the_lock_is_released() {
    let server = FixtureServer::start(&fixtures());
    let first = Workspace::new(&run_config(&server));
    first.ok(&["poll", "--once"]);
    let polled_once = ids(&first.items());
    assert_eq!(polled_once.len(), 5);
    // `stad` is not due again for 10 minutes, so `run` polls only the new source.
    std::fs::write(
        &first.config,
        format!(
            "{}{}",
            run_config(&server),
            rss_source("rinkeby", &server.url("/feed/atom.xml"))
        ),
    )
    .expect("rewrite the config");
    let mut run = first.spawn_run();
    let polled = run.line_containing("rinkeby");

    send_signal(run.pid(), "KILL");
    run.wait_for_exit();

    assert!(polled.contains("new    4"), "{polled}");
    let items = first.items();
    let stored: BTreeSet<String> = ids(&items).into_iter().collect();
    for id in &polled_once {
        assert!(stored.contains(id), "item {id} from poll --once is gone");
    }
    let from_run = items.iter().filter(|i| i["source"] == "rinkeby").count();
    assert_eq!(from_run, 4, "items lage run reported new before the kill");
    let sources = first.sources();
    assert_eq!(sources[1]["last_status"], "ok", "{}", sources[1]);
}

// ---------------------------------------------------------------------------------------------
// lage demo and a missing config

#[test]
fn demo_headless_stores_everything_then_finds_nothing_new() {
    let out = succeeded(Command::new(env!("CARGO_BIN_EXE_lage")).args(["demo", "--headless"]));

    let (first, second) = out
        .split_once("== Second poll")
        .unwrap_or_else(|| panic!("no second poll in:\n{out}"));
    let second = second.split("\n== ").next().unwrap_or(second);
    let first_totals = first
        .lines()
        .find(|l| l.starts_with("total: "))
        .unwrap_or_else(|| panic!("no totals for the first poll:\n{out}"));
    let new: usize = first_totals
        .split("new ")
        .nth(1)
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no new count in {first_totals:?}"));
    assert!(new > 0, "{first_totals}");
    assert!(
        first_totals.ends_with("sources with errors 0"),
        "{first_totals}"
    );
    for id in [
        "krisinformation",
        "cert-se",
        "mcf",
        "stockholm-stad",
        "lansstyrelsen",
        "incidents ",
    ] {
        let line = second
            .lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("no second-poll line for {id}:\n{second}"));
        assert!(line.contains("not_modified"), "{line}");
    }
    let second_totals = second
        .lines()
        .find(|l| l.starts_with("total: "))
        .unwrap_or_else(|| panic!("no totals for the second poll:\n{out}"));
    assert!(
        second_totals.ends_with("new 0, updated 0, sources with errors 0"),
        "{second_totals}"
    );
}

#[test]
fn a_missing_config_file_is_named() {
    let data = tempfile::tempdir().expect("create a temporary data dir");

    let out = output(lage_cmd(Path::new("/nonexistent.toml"), data.path()).arg("sources"));

    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/nonexistent.toml"), "{stderr}");
}
