//! The tagging rules from the command line, as an analyst uses them: `rules check`, `rules test`,
//! `rules explain`, `rules replay`, `tag`, tags in `items`, live edits under `lage run` and tags
//! in `lage demo`. Each test runs the real binary against a loopback fixture server serving
//! documents the test writes, a config and a rule directory of its own, and a data dir.

mod common;

use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{FixtureServer, lage_cmd, write_config};
use serde_json::Value;
use tempfile::TempDir;

/// How long any wait for a process may take before the test gives up.
const PATIENCE: Duration = Duration::from_secs(20);

/// Fires on any word holding *brand*, or on smoke and the rescue service together.
const BRAND: &str = r#"
[[rule]]
name = "brand"
tags = ["fokus/olyckor"]
threshold = 3

[rule.terms]
"*brand*" = 3
"rökutveckling" = 2
"räddningstjänst*" = 1
"#;

/// Farsta named in the text.
const FARSTA: &str = r#"
[[rule]]
name = "farsta"
tags = ["plats/farsta"]

[rule.terms]
"farsta*" = 1
"#;

/// Farsta named in the text, but not in burglary reports (a narrower edit of [`FARSTA`]).
const FARSTA_NOT_BURGLARY: &str = r#"
[[rule]]
name = "farsta"
tags = ["plats/farsta"]

[rule.terms]
"farsta*" = 1

[[rule.none]]
any = ["inbrott*"]
"#;

/// Burglaries.
const INBROTT: &str = r#"
[[rule]]
name = "inbrott"
tags = ["fokus/brott"]

[rule.terms]
"inbrott*" = 2
"#;

/// A rule with a regex that does not compile, on line 6.
const BROKEN: &str = r#"
[[rule]]
name = "trasig"
tags = ["fokus/brott"]
[rule.terms]
"re:(?<x" = 1
"#;

/// An RSS 2.0 document with `(guid, title, description)` items.
fn rss(items: &[(&str, &str, &str)]) -> String {
    let items: String = items
        .iter()
        .enumerate()
        .map(|(n, (guid, title, description))| {
            format!(
                "<item><guid>{guid}</guid><title>{title}</title>\
                 <link>https://example.se/nyheter/{guid}</link>\
                 <description>{description}</description>\
                 <pubDate>Wed, 25 Nov 2026 0{n}:00:00 GMT</pubDate></item>"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>Nyheter</title><link>https://example.se/</link><description>test</description>\
         {items}</channel></rss>\n"
    )
}

/// The two stories most tests use: a school fire in Farsta and a burglary in Farsta.
const SKOLBRAND: (&str, &str, &str) = (
    "skolbrand",
    "Skolbrand i Farsta",
    "Kraftig rökutveckling, räddningstjänsten på plats.",
);
const INBROTT_FARSTA: (&str, &str, &str) = (
    "inbrott",
    "Inbrott i Farsta",
    "Polisen söker vittnen till ett inbrott i en villa.",
);

/// One test's world: a fixture server serving `nyheter.xml`, a config with one source and
/// `rules = "rules"`, the rule directory, and a data dir.
struct Workspace {
    server: FixtureServer,
    docs: TempDir,
    dir: TempDir,
    config: PathBuf,
    data: PathBuf,
}

impl Workspace {
    /// A workspace whose rule directory holds `rules` as `(file name, text)`.
    fn new(rules: &[(&str, &str)]) -> Workspace {
        let docs = tempfile::tempdir().expect("temp dir");
        let dir = tempfile::tempdir().expect("temp dir");
        let server = FixtureServer::start(docs.path());
        std::fs::create_dir(dir.path().join("rules")).expect("create the rule dir");
        let config = write_config(
            dir.path(),
            &format!(
                "rules = \"rules\"\n\n[[source]]\nid = \"nyheter\"\nkind = \"rss\"\n\
                 url = \"{}\"\ninterval = \"10s\"\n",
                server.url("/feed/nyheter.xml")
            ),
        );
        let data = dir.path().join("data");
        let ws = Workspace {
            server,
            docs,
            dir,
            config,
            data,
        };
        for (name, text) in rules {
            ws.write_rules(name, text);
        }
        ws.serve(&[SKOLBRAND, INBROTT_FARSTA]);
        ws
    }

    fn rules_dir(&self) -> PathBuf {
        self.dir.path().join("rules")
    }

    /// Writes (or replaces) a rule file.
    fn write_rules(&self, name: &str, text: &str) {
        std::fs::write(self.rules_dir().join(name), text).expect("write a rule file");
    }

    /// Serves these items as the source's document.
    fn serve(&self, items: &[(&str, &str, &str)]) {
        std::fs::write(self.docs.path().join("nyheter.xml"), rss(items)).expect("write the feed");
    }

    fn lage(&self) -> Command {
        lage_cmd(&self.config, &self.data)
    }

    fn run(&self, args: &[&str]) -> Output {
        self.lage().args(args).output().expect("run lage")
    }

    /// Runs `lage` with `args`, asserts exit 0 and returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        succeeded(&self.run(args), args)
    }

    fn json(&self, args: &[&str]) -> Value {
        let stdout = self.ok(args);
        serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("lage {args:?} did not print JSON ({e}):\n{stdout}"))
    }

    /// `lage items --json`.
    fn items(&self) -> Vec<Value> {
        match self.json(&["items", "--json"]) {
            Value::Array(items) => items,
            other => panic!("items --json printed {other}"),
        }
    }

    /// The listed item with `guid`.
    fn item(&self, guid: &str) -> Value {
        self.items()
            .into_iter()
            .find(|i| i["guid"] == guid)
            .unwrap_or_else(|| panic!("no item with guid {guid}"))
    }

    /// Polls once and returns the ids of the two stories.
    fn poll(&self) -> (String, String) {
        self.ok(&["poll", "--once"]);
        (id(&self.item("skolbrand")), id(&self.item("inbrott")))
    }
}

fn succeeded(out: &Output, args: &[&str]) -> String {
    assert!(
        out.status.success(),
        "lage {args:?} exited with {}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn id(item: &Value) -> String {
    item["id"].as_str().expect("an item has an id").to_string()
}

/// The names of the `tags` of a listed item (its effective tags).
fn tag_names(item: &Value) -> Vec<&str> {
    item["tags"]
        .as_array()
        .unwrap_or_else(|| panic!("no tags array in {item}"))
        .iter()
        .map(|t| t["tag"].as_str().expect("a tag is a string"))
        .collect()
}

/// The bundled config, whose rule directory is `config/rules`.
fn bundled_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("config/lage.toml")
}

// ---------------------------------------------------------------------------------------------
// rules check

#[test]
fn check_passes_on_the_bundled_rules_without_touching_the_data_dir() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");

    let out = lage_cmd(&bundled_config(), &data)
        .args(["rules", "check"])
        .output()
        .expect("run lage");

    let stdout = succeeded(&out, &["rules", "check"]);
    let line = stdout.trim();
    assert!(line.ends_with(" tags: OK"), "{line}");
    let numbers: Vec<usize> = line
        .split(": ")
        .nth(1)
        .unwrap_or_default()
        .split(", ")
        .map(|part| {
            part.split(' ')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("no count in {part:?} of {line}"))
        })
        .collect();
    let bundled_files =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("config/rules"))
            .expect("read config/rules")
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "toml"))
            })
            .count();
    assert_eq!(numbers[0], bundled_files, "{line}");
    assert!(numbers[1] >= numbers[0] && numbers[2] > 0, "{line}");
    assert!(!data.exists(), "rules check created the data dir");
}

#[test]
fn check_names_file_line_and_rule_of_every_error_and_exits_1() {
    let ws = Workspace::new(&[("a.toml", BRAND), ("b.toml", BROKEN)]);
    ws.write_rules(
        "c.toml",
        "[[rule]]\nname = \"utan-taggar\"\n\n[rule.terms]\n\"x*\" = 1\n",
    );

    let out = ws.run(&["rules", "check"]);

    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("b.toml:6: rule 'trasig': "), "{err}");
    assert!(err.contains("re:(?<x"), "{err}");
    assert!(
        err.contains("c.toml:"),
        "the second broken file is reported too: {err}"
    );
    assert!(err.contains("2 errors"), "{err}");
    assert!(!err.contains("OK"), "{err}");
}

#[test]
fn check_takes_another_directory_with_rules() {
    let ws = Workspace::new(&[("a.toml", BROKEN)]);
    let other = tempfile::tempdir().expect("temp dir");
    std::fs::write(other.path().join("x.toml"), format!("{BRAND}{INBROTT}")).expect("write");
    let dir = other.path().to_str().expect("UTF-8 temp path");

    let stdout = ws.ok(&["rules", "check", "--rules", dir]);

    assert!(stdout.contains("1 file, 2 rules, 2 tags: OK"), "{stdout}");
}

// ---------------------------------------------------------------------------------------------
// rules test

#[test]
fn test_prints_tags_firing_rules_evidence_and_near_misses() {
    let ws = Workspace::new(&[("a.toml", BRAND), ("b.toml", FARSTA), ("c.toml", INBROTT)]);

    let stdout = ws.ok(&[
        "rules",
        "test",
        "--title",
        "Skolbranden i Farsta",
        "--text",
        "Räddningstjänsten \u{1b}[31mpå plats\u{202e}.",
    ]);

    assert!(
        stdout.starts_with("tags: #fokus/olyckor #plats/farsta\n"),
        "{stdout}"
    );
    assert!(stdout.contains("rule 'brand' ("), "{stdout}");
    assert!(
        stdout.contains("a.toml:2): score 4, threshold 3"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+3  *brand*  title \"skolbranden\""),
        "{stdout}"
    );
    assert!(stdout.contains("+1  räddningstjänst*  "), "{stdout}");
    assert!(stdout.contains("near misses: none"), "{stdout}");
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\u{202e}'),
        "{stdout:?}"
    );
}

#[test]
fn test_reads_stdin_and_lists_a_rule_that_came_close() {
    let ws = Workspace::new(&[("a.toml", BRAND)]);
    let mut child = ws
        .lage()
        .args(["rules", "test"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start lage");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all("Räddningstjänsten larmades till Farsta.".as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("wait for lage");

    let stdout = succeeded(&out, &["rules", "test"]);
    assert!(stdout.starts_with("tags: none"), "{stdout}");
    let misses = stdout
        .split("near misses:")
        .nth(1)
        .unwrap_or_else(|| panic!("no near misses in {stdout}"));
    assert!(misses.contains("rule 'brand'"), "{misses}");
    assert!(misses.contains("score 1, threshold 3"), "{misses}");
    assert!(misses.contains("räddningstjänst*"), "{misses}");
}

#[test]
fn test_json_has_tags_matches_and_misses_and_honours_kind_and_severity() {
    let rules = format!(
        "{BRAND}\n[[rule]]\nname = \"polisen-allvarligt\"\ntags = [\"fokus/brott\"]\n\
         kinds = [\"polisen\"]\nmin_severity = \"high\"\nseverity = \"critical\"\n"
    );
    let ws = Workspace::new(&[("a.toml", &rules)]);

    let out = ws.json(&[
        "rules",
        "test",
        "--kind",
        "polisen",
        "--severity",
        "hög",
        "--text",
        "Skottlossning",
        "--json",
    ]);

    assert_eq!(out["tags"], serde_json::json!(["fokus/brott"]));
    assert_eq!(out["matches"][0]["rule"], "polisen-allvarligt");
    assert_eq!(out["severity"], "critical");
    assert!(out["misses"].is_array(), "{out}");
    let low = ws.json(&[
        "rules", "test", "--kind", "polisen", "--text", "x", "--json",
    ]);
    assert_eq!(low["tags"], serde_json::json!([]), "{low}");
}

// ---------------------------------------------------------------------------------------------
// rules explain and tag

#[test]
fn explain_shows_why_an_ingested_item_carries_each_tag() {
    let ws = Workspace::new(&[("a.toml", BRAND), ("b.toml", FARSTA)]);
    let (skolbrand, inbrott) = ws.poll();

    let stdout = ws.ok(&["rules", "explain", &skolbrand]);

    assert!(stdout.contains("Skolbrand i Farsta"), "{stdout}");
    let olyckor = stdout
        .split("#fokus/olyckor")
        .nth(1)
        .unwrap_or_else(|| panic!("no #fokus/olyckor in {stdout}"));
    assert!(olyckor.contains("rule 'brand'"), "{stdout}");
    assert!(olyckor.contains("score 6, threshold 3"), "{stdout}");
    assert!(olyckor.contains("*brand*  title \"skolbrand\""), "{stdout}");
    assert!(stdout.contains("#plats/farsta"), "{stdout}");
    assert!(stdout.contains("with the rules on disk now ("), "{stdout}");
    assert!(stdout.trim_end().ends_with("): unchanged"), "{stdout}");

    // An edit on disk: explain says what it would change, and writes nothing.
    ws.write_rules("b.toml", FARSTA_NOT_BURGLARY);
    ws.write_rules("c.toml", INBROTT);
    let stdout = ws.ok(&["rules", "explain", &inbrott]);
    assert!(
        stdout.trim_end().ends_with(": +fokus/brott -plats/farsta"),
        "{stdout}"
    );
    assert_eq!(tag_names(&ws.item("inbrott")), ["plats/farsta"]);

    let json = ws.json(&["rules", "explain", &inbrott, "--json"]);
    assert_eq!(json["on_disk"]["status"], "changed", "{json}");
    assert_eq!(json["on_disk"]["added"], serde_json::json!(["fokus/brott"]));
}

#[test]
fn explain_and_tag_refuse_an_unknown_id() {
    let ws = Workspace::new(&[("a.toml", BRAND)]);
    ws.poll();

    for args in [
        &["rules", "explain", "finns-inte"][..],
        &["tag", "finns-inte", "+fokus/brott"][..],
    ] {
        let out = ws.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains("no item with id 'finns-inte'"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn manual_tags_are_stored_with_author_and_shown_as_manual() {
    let ws = Workspace::new(&[("a.toml", BRAND), ("b.toml", FARSTA)]);
    let (skolbrand, _) = ws.poll();

    let stdout = ws.ok(&[
        "tag",
        &skolbrand,
        "+fokus/kris",
        "-plats/farsta",
        "--note",
        "fel stadsdel",
    ]);

    assert!(stdout.contains("added #fokus/kris"), "{stdout}");
    assert!(stdout.contains("removed #plats/farsta"), "{stdout}");
    let author = stdout
        .lines()
        .find_map(|l| l.strip_prefix("by "))
        .and_then(|l| l.split(" at ").next())
        .unwrap_or_else(|| panic!("no author in {stdout}"))
        .to_string();
    assert!(!author.is_empty());

    let item = ws.item("skolbrand");
    assert_eq!(tag_names(&item), ["fokus/kris", "fokus/olyckor"]);
    let kris = &item["tags"][0];
    assert_eq!(kris["manual"], true);
    assert_eq!(kris["author"], author.as_str());
    assert_eq!(item["tags"][1]["manual"], false);
    assert_eq!(item["removed_tags"][0]["tag"], "plats/farsta");
    assert_eq!(item["removed_tags"][0]["note"], "fel stadsdel");
    // The rules' own tagging, with its evidence, is kept as it was.
    assert_eq!(
        item["tagging"]["tags"],
        serde_json::json!(["fokus/olyckor", "plats/farsta"])
    );

    let line = ws.ok(&["items"]);
    let line = line
        .lines()
        .find(|l| l.contains("Skolbrand i Farsta"))
        .unwrap_or_else(|| panic!("no line for the item in {line}"));
    assert!(line.ends_with("#fokus/kris✎ #fokus/olyckor"), "{line}");

    let explained = ws.ok(&["rules", "explain", &skolbrand]);
    assert!(
        explained.contains(&format!("#fokus/kris ✎ added by {author} at ")),
        "{explained}"
    );
    assert!(explained.contains("\"fel stadsdel\""), "{explained}");
    let removed = explained
        .split("removed by hand")
        .nth(1)
        .unwrap_or_else(|| panic!("no removals in {explained}"));
    assert!(
        removed.contains("#plats/farsta ✎ removed by"),
        "{explained}"
    );
    assert!(removed.contains("rule 'farsta'"), "{explained}");
}

#[test]
fn tag_refuses_bad_spelling_and_items_filter_by_tag_prefix() {
    let ws = Workspace::new(&[("a.toml", BRAND), ("b.toml", FARSTA)]);
    let (skolbrand, _) = ws.poll();

    let out = ws.run(&["tag", &skolbrand, "+Fokus/Kris"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("invalid tag"), "{}", stderr(&out));
    let out = ws.run(&["tag", &skolbrand, "fokus/kris"]);
    assert_eq!(out.status.code(), Some(1));

    let fokus = ws.json(&["items", "--json", "--tag", "fokus"]);
    let guids: Vec<&str> = fokus
        .as_array()
        .expect("array")
        .iter()
        .map(|i| i["guid"].as_str().expect("guid"))
        .collect();
    assert_eq!(guids, ["skolbrand"]);
    let plats = ws.ok(&["items", "--tag", "plats/"]);
    assert_eq!(plats.lines().count(), 2, "{plats}");
    let none = ws.ok(&["items", "--tag", "fok"]);
    assert!(
        none.trim().is_empty(),
        "a prefix matches whole segments only: {none}"
    );
}

// ---------------------------------------------------------------------------------------------
// rules replay

#[test]
fn replay_shows_the_difference_writes_only_with_apply_and_keeps_manual_decisions() {
    let ws = Workspace::new(&[("a.toml", BRAND), ("b.toml", FARSTA)]);
    let (skolbrand, inbrott) = ws.poll();
    ws.ok(&["tag", &skolbrand, "-plats/farsta"]);
    ws.write_rules("b.toml", FARSTA_NOT_BURGLARY);
    ws.write_rules("c.toml", INBROTT);
    let before = ws.items();

    let stdout = ws.ok(&["rules", "replay"]);

    let brott = stdout
        .lines()
        .find(|l| l.starts_with("#fokus/brott"))
        .unwrap_or_else(|| panic!("no fokus/brott row in {stdout}"));
    assert_eq!(
        brott.split_whitespace().collect::<Vec<_>>(),
        ["#fokus/brott", "+1", "0"]
    );
    let farsta = stdout
        .lines()
        .find(|l| l.starts_with("#plats/farsta"))
        .unwrap_or_else(|| panic!("no plats/farsta row in {stdout}"));
    assert_eq!(
        farsta.split_whitespace().collect::<Vec<_>>(),
        ["#plats/farsta", "0", "-1"]
    );
    assert!(
        stdout.contains(&format!("+ {inbrott}  Inbrott i Farsta")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("- {inbrott}  Inbrott i Farsta")),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 items checked, 1 item changed"),
        "{stdout}"
    );
    assert!(stdout.contains("dry run: nothing written"), "{stdout}");
    assert_eq!(ws.items(), before, "a dry run wrote something");

    let json = ws.json(&["rules", "replay", "--apply", "--json", "--examples", "0"]);
    assert_eq!(json["changed"], 1, "{json}");
    assert_eq!(json["applied"], true);
    assert!(json["written"].as_u64().is_some_and(|n| n >= 1), "{json}");
    assert_eq!(json["tags"][0]["examples"], serde_json::json!([]));

    let burglary = ws.item("inbrott");
    assert_eq!(tag_names(&burglary), ["fokus/brott"]);
    assert_eq!(burglary["tagging"]["matches"][0]["rule"], "inbrott");
    let fire = ws.item("skolbrand");
    assert_eq!(
        tag_names(&fire),
        ["fokus/olyckor"],
        "the manual removal was undone"
    );
    assert_eq!(fire["removed_tags"][0]["tag"], "plats/farsta");

    let again = ws.ok(&["rules", "replay"]);
    assert!(again.contains("0 items changed"), "{again}");
    assert!(
        again.contains("writes the new tagging of 0 items"),
        "{again}"
    );
}

#[test]
fn replay_since_skips_older_items() {
    let ws = Workspace::new(&[("a.toml", BRAND)]);
    ws.poll();
    ws.write_rules("c.toml", INBROTT);

    let json = ws.json(&["rules", "replay", "--since", "2999-01-01", "--json"]);

    assert_eq!(
        (json["checked"].as_u64(), json["changed"].as_u64()),
        (Some(0), Some(0))
    );
}

// ---------------------------------------------------------------------------------------------
// lage run: live edits

/// A running `lage run`, its stdout and stderr read line by line; killed if the test ends first.
struct Running {
    child: Child,
    stdout: mpsc::Receiver<String>,
    stderr: mpsc::Receiver<String>,
}

impl Running {
    fn start(ws: &Workspace) -> Running {
        let mut child = ws
            .lage()
            .arg("run")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start lage run");
        let stdout = lines(child.stdout.take().expect("piped stdout"));
        let stderr = lines(child.stderr.take().expect("piped stderr"));
        Running {
            child,
            stdout,
            stderr,
        }
    }

    /// Stops the process with SIGTERM and waits for it (at most [`PATIENCE`]).
    fn stop(&mut self) {
        let status = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status()
            .expect("run kill");
        assert!(status.success());
        let deadline = Instant::now() + PATIENCE;
        while self.child.try_wait().expect("poll lage run").is_none() {
            assert!(Instant::now() < deadline, "lage run did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
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

fn lines(stream: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The next line from `lines` containing `needle`, waiting at most [`PATIENCE`].
fn line_containing(lines: &mpsc::Receiver<String>, needle: &str) -> String {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return line,
            Ok(_) => {}
            Err(_) => panic!("lage run printed no line containing {needle:?}"),
        }
    }
}

#[test]
fn run_swaps_in_an_edited_rule_set_and_keeps_it_through_a_broken_edit() {
    let ws = Workspace::new(&[("a.toml", BRAND), ("b.toml", FARSTA)]);
    ws.serve(&[SKOLBRAND]);
    let mut run = Running::start(&ws);
    let first = line_containing(&run.stdout, "nyheter");
    assert!(first.contains("new    1"), "{first}");

    ws.write_rules("c.toml", INBROTT);
    let reloaded = line_containing(&run.stderr, "rules reloaded");
    assert!(reloaded.contains("3 rules"), "{reloaded}");

    ws.write_rules("d.toml", BROKEN);
    let kept = line_containing(&run.stderr, "rules: keeping the previous rules: ");
    assert!(kept.contains("d.toml:6: rule 'trasig'"), "{kept}");

    // The next poll (the source's interval is 10 s) tags a new item with the edited rules.
    ws.serve(&[SKOLBRAND, INBROTT_FARSTA]);
    let second = line_containing(&run.stdout, "nyheter");
    assert!(second.contains("new    1"), "{second}");
    run.stop();

    let burglary = ws.item("inbrott");
    assert_eq!(tag_names(&burglary), ["fokus/brott", "plats/farsta"]);
    assert_eq!(
        tag_names(&ws.item("skolbrand")),
        ["fokus/olyckor", "plats/farsta"]
    );
}

#[test]
fn run_and_poll_refuse_to_start_with_broken_rules() {
    let ws = Workspace::new(&[("a.toml", BRAND), ("b.toml", BROKEN)]);

    for command in ["run", "poll"] {
        let mut cmd = ws.lage();
        cmd.arg(command);
        if command == "poll" {
            cmd.arg("--once");
        }
        let out = cmd.stdin(Stdio::null()).output().expect("run lage");
        assert_eq!(out.status.code(), Some(1), "lage {command}");
        let err = stderr(&out);
        assert!(err.contains("b.toml:6: rule 'trasig'"), "{command}: {err}");
        assert!(
            String::from_utf8_lossy(&out.stdout).is_empty(),
            "{command} polled"
        );
    }
    assert!(
        ws.server.hits("/feed/nyheter.xml") == 0,
        "a source was fetched"
    );
}

// ---------------------------------------------------------------------------------------------
// lage demo

#[test]
fn demo_tags_with_the_bundled_rules() {
    let out = Command::new(env!("CARGO_BIN_EXE_lage"))
        .args(["demo", "--headless"])
        .output()
        .expect("run lage demo");

    let stdout = succeeded(&out, &["demo", "--headless"]);
    assert!(stdout.contains("tagging with "), "{stdout}");
    let listing = stdout
        .split("items in the store")
        .nth(1)
        .unwrap_or_else(|| panic!("no listing in {stdout}"));
    let tagged = listing.lines().filter(|l| l.contains(" #fokus/")).count();
    assert!(
        tagged >= 5,
        "only {tagged} item lines with a focus tag:\n{listing}"
    );
    assert!(listing.contains(" #plats/"), "{listing}");
}

#[test]
fn explain_and_replay_work_on_the_demo_data() {
    let dir = TempDir::new().expect("temp dir");
    let data = dir.path().join("demo-data");
    let data_arg = data.to_str().expect("UTF-8 path");
    let demo = Command::new(env!("CARGO_BIN_EXE_lage"))
        .args(["demo", "--headless", "--keep", data_arg])
        .output()
        .expect("run lage demo");
    let stdout = succeeded(&demo, &["demo", "--keep"]);
    assert!(stdout.contains("rules explain"), "{stdout}");

    let config = bundled_config();
    let lage = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_lage"))
            .arg("--config")
            .arg(&config)
            .args(["--data-dir", data_arg])
            .args(args)
            .output()
            .expect("run lage")
    };
    let listed = succeeded(
        &lage(&["items", "--tag", "fokus/kris", "--json"]),
        &["items"],
    );
    let items: Value = serde_json::from_str(&listed).expect("items JSON");
    let vma = items
        .as_array()
        .and_then(|a| a.iter().find(|i| i["severity"] == "critical"))
        .unwrap_or_else(|| panic!("no critical item tagged fokus/kris in {listed}"));
    let explained = succeeded(
        &lage(&["rules", "explain", &id(vma)]),
        &["rules", "explain"],
    );
    assert!(explained.contains("#fokus/kris"), "{explained}");
    assert!(explained.contains("score "), "{explained}");
    // The demo tagged with the bundled rules, which are the rules on disk: replay changes nothing.
    let replayed = succeeded(&lage(&["rules", "replay"]), &["rules", "replay"]);
    assert!(replayed.contains(" 0 items changed"), "{replayed}");
    assert!(replayed.contains("nothing written"), "{replayed}");
}
