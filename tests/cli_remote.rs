//! CLI commands run for a remote (SSH) user inside the serving process: `run_remote` over a real
//! sled store prints what the local `lage` binary prints for the same store, refuses what would
//! touch the server's files, poll or change anything, and records every command line in the
//! data dir's audit log.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use tempfile::TempDir;

use common::{ingest, json_output, lage_cmd, write_config};
use lage::access::Role;
use lage::brief::edition::BriefKind;
use lage::brief::{Briefs, period};
use lage::cli::remote::{Served, run_remote};
use lage::config::{Config, Env};
use lage::item::{RawItem, RawText};
use lage::normalise::{Normalised, normalise};
use lage::rules::{RuleSet, bundled};
use lage::store::Store;

const CONFIG: &str = r#"
[[source]]
id = "nyheter"
name = "Lokala nyheter"
kind = "rss"
url = "http://127.0.0.1:9/feed.xml"
"#;

/// A config, a data dir with three tagged items and one briefing edition, and the server's
/// view of them.
struct Fixture {
    _dir: TempDir,
    config_path: PathBuf,
    data_dir: PathBuf,
    served: Served,
    ids: Vec<String>,
}

fn item(set: &RuleSet, guid: &str, title: &str, body: &str, at: DateTime<Utc>) -> Normalised {
    let mut n = normalise(
        RawItem {
            guid: Some(guid.into()),
            link: Some(format!("https://nyheter.example.se/{guid}")),
            title: Some(RawText::plain(title)),
            summary: Some(RawText::plain(body)),
            published: Some(at),
            ..RawItem::default()
        },
        "nyheter",
        "rss",
        at,
    );
    n.item.tagging = set.tag(&n.item);
    n
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let config_path = write_config(dir.path(), CONFIG);
    let data_dir = dir.path().join("data");
    let config = Config::load(&config_path, Env::default()).expect("config");
    let store = Store::open(&data_dir).expect("store");
    let set = bundled::rule_set().expect("bundled rules");
    let now = Utc::now();
    let items = vec![
        item(
            &set,
            "a1",
            "Brand i skola i Farsta",
            "Räddningstjänsten släckte en brand i en skola.",
            now - Duration::minutes(30),
        ),
        item(
            &set,
            "a2",
            "Inbrott i butik vid Farsta centrum",
            "Polisen utreder ett inbrott under natten.",
            now - Duration::hours(5),
        ),
        item(
            &set,
            "a3",
            "Vattenläcka på Götgatan",
            "Trafiken leds om.",
            now - Duration::days(2),
        ),
    ];
    let ids = ingest(&store, items, now);
    Briefs::new(&store, &config)
        .create(BriefKind::Week, period::week_of(now), "anna", now)
        .expect("edition");
    let served = Served {
        config: Arc::new(config),
        store: Arc::new(store),
        rules: Arc::new(RwLock::new(Arc::new(set))),
    };
    Fixture {
        _dir: dir,
        config_path,
        data_dir,
        served,
        ids,
    }
}

/// What one remote command printed and returned.
struct Ran {
    status: u32,
    out: String,
    err: String,
}

fn remote_as(f: &Fixture, line: &str, user: &str, role: Role) -> Ran {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let status = run_remote(line, &f.served, user, role, false, &mut out, &mut err);
    Ran {
        status,
        out: String::from_utf8(out).expect("UTF-8 on out"),
        err: String::from_utf8(err).expect("UTF-8 on err"),
    }
}

fn remote(f: &Fixture, line: &str) -> Ran {
    remote_as(f, line, "anna", Role::Analyst)
}

/// Releases the data dir (the served store holds its lock) so the local binary can open it.
fn close(f: Fixture) -> (TempDir, PathBuf, PathBuf) {
    let Fixture {
        _dir,
        config_path,
        data_dir,
        served,
        ..
    } = f;
    drop(served);
    (_dir, config_path, data_dir)
}

fn local(config: &Path, data_dir: &Path, args: &[&str]) -> std::process::Output {
    lage_cmd(config, data_dir)
        .args(args)
        .env("USER", "lokal-anna")
        .output()
        .expect("run lage")
}

fn audit_lines(data_dir: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(data_dir.join("audit.log")).expect("audit.log");
    text.lines()
        .map(|l| serde_json::from_str(l).expect("an audit line is JSON"))
        .collect()
}

#[test]
fn remote_output_is_what_the_local_binary_prints_for_the_same_store() {
    let f = fixture();
    let commands: [&[&str]; 5] = [
        &["items", "--json"],
        &["items"],
        &["items", "--since", "1h", "--ndjson"],
        &["sources", "--json"],
        &["brief", "list"],
    ];
    let remote_runs: Vec<Ran> = commands
        .iter()
        .map(|words| remote(&f, &words.join(" ")))
        .collect();
    for (words, ran) in commands.iter().zip(&remote_runs) {
        assert_eq!(ran.status, 0, "{words:?}: {}", ran.err);
        assert_eq!(ran.err, "", "{words:?}");
    }
    let listed: Value = serde_json::from_str(&remote_runs[0].out).expect("items --json is JSON");
    assert_eq!(listed.as_array().map(Vec::len), Some(3), "{listed}");
    let since: Vec<&str> = remote_runs[2].out.lines().collect();
    assert_eq!(since.len(), 1, "only the item of the last hour: {since:?}");

    let (_dir, config, data_dir) = close(f);
    let local_json = json_output(&local(&config, &data_dir, commands[0]), "items --json");
    assert_eq!(listed, local_json);
    for (words, ran) in commands.iter().zip(&remote_runs) {
        let output = local(&config, &data_dir, words);
        assert!(output.status.success(), "local {words:?} failed");
        assert_eq!(
            ran.out,
            String::from_utf8_lossy(&output.stdout),
            "remote and local {words:?} differ"
        );
    }
}

#[test]
fn poll_and_every_command_that_changes_something_are_refused_with_what_is_allowed() {
    let f = fixture();
    for line in [
        "poll",
        "run",
        "tag 0123 +fokus/brott",
        "import items.ndjson",
        "rules replay --apply",
        "brief approve 1",
        "opml export",
        "serve",
        "",
    ] {
        let ran = remote(&f, line);
        assert_eq!(ran.status, 2, "{line:?}: {}", ran.err);
        assert_eq!(ran.out, "", "{line:?}");
        assert!(
            ran.err
                .contains("items, sources, rules test, rules explain, brief list"),
            "{line:?} names what is allowed: {}",
            ran.err
        );
    }
    let poll = remote(&f, "poll");
    assert_eq!(
        poll.err,
        "lage: `poll` is not available over SSH; these are: items, sources, rules test, rules explain, brief list, brief show, brief export\n"
    );
    assert!(remote(&f, "rules replay").err.contains("`rules replay`"));
}

#[test]
fn paths_on_the_server_are_refused() {
    let f = fixture();
    let target = f.data_dir.join("export.md");
    let target_arg = target.display().to_string();
    for line in [
        "--data-dir /x items".to_string(),
        "items --data-dir /x".to_string(),
        "--config /etc/passwd sources".to_string(),
        format!("brief export 1 --format md -o {target_arg}"),
        format!("brief export 1 --format md --output={target_arg}"),
        "rules test --file /etc/passwd".to_string(),
        "rules test --rules /tmp --text brand".to_string(),
        "rules explain 0123 --rules /tmp".to_string(),
    ] {
        let ran = remote(&f, &line);
        assert_eq!(ran.status, 2, "{line}: {}", ran.err);
        assert_eq!(ran.out, "", "{line}");
        assert!(ran.err.starts_with("lage: "), "{line}: {}", ran.err);
        assert!(
            ran.err.contains("not available over SSH"),
            "{line}: {}",
            ran.err
        );
    }
    assert!(!target.exists(), "no file was written on the server");
    assert!(
        remote(&f, "--data-dir /x items")
            .err
            .contains("the server's data dir")
    );
    let stdin = remote(&f, "rules test --json");
    assert_eq!(stdin.status, 2);
    assert!(
        stdin.err.contains("stdin is not available"),
        "{}",
        stdin.err
    );
}

#[test]
fn a_viewer_may_read_but_not_export_and_the_language_may_be_chosen() {
    let f = fixture();
    let ran = remote_as(&f, "items --limit 1", "olle", Role::Viewer);
    assert_eq!(ran.status, 0, "{}", ran.err);
    assert!(ran.out.contains("Brand i skola i Farsta"), "{}", ran.out);
    let shown = remote_as(&f, "brief show 1", "olle", Role::Viewer);
    assert_eq!(shown.status, 0, "{}", shown.err);

    // An export takes the briefing out of the picture: the dashboard's role, analyst.
    let refused = remote_as(&f, "brief export 1 --format md", "olle", Role::Viewer);
    assert_eq!(refused.status, 1);
    assert!(refused.out.is_empty(), "{}", refused.out);
    assert!(
        refused
            .err
            .contains("olle (viewer) may not compose, approve or export briefings"),
        "{}",
        refused.err
    );
    let audit = audit_lines(f.served.store.dir());
    assert!(
        audit
            .iter()
            .any(|l| l["event"] == "refused" && l["user"] == "olle" && l["role"] == "viewer"),
        "{audit:?}"
    );
    assert!(
        !audit.iter().any(|l| l["event"] == "brief_exported"),
        "{audit:?}"
    );

    let en = remote(&f, "--lang en brief export 1 --format md");
    assert_eq!(en.status, 0, "{}", en.err);
    let sv = remote(&f, "brief export 1 --format md");
    assert_eq!(sv.status, 0, "{}", sv.err);
    assert!(
        !en.out.is_empty() && en.out != sv.out,
        "{}\n---\n{}",
        en.out,
        sv.out
    );
}

#[test]
fn every_command_is_audited_with_user_and_status_and_an_export_as_an_export() {
    let f = fixture();
    assert_eq!(
        remote_as(&f, "items --json", "olle", Role::Viewer).status,
        0
    );
    assert_eq!(remote(&f, "poll").status, 2);
    let export = remote(&f, "brief export 1 --format json");
    assert_eq!(export.status, 0, "{}", export.err);
    let doc: Value = serde_json::from_str(&export.out).expect("the export is JSON");
    assert!(doc.is_object(), "{doc}");
    let long = format!("items --source {}", "x".repeat(600));
    assert_eq!(remote(&f, &long).status, 0);

    let lines = audit_lines(&f.data_dir);
    let commands: Vec<&Value> = lines.iter().filter(|l| l["event"] == "command").collect();
    assert_eq!(commands.len(), 4, "{lines:?}");
    assert_eq!(commands[0]["user"], "olle");
    assert_eq!(commands[0]["command"], "items --json");
    assert_eq!(commands[0]["status"], 0);
    assert_eq!(commands[1]["user"], "anna");
    assert_eq!(commands[1]["command"], "poll");
    assert_eq!(commands[1]["status"], 2);
    assert_eq!(commands[2]["command"], "brief export 1 --format json");
    let kept = commands[3]["command"].as_str().expect("a string");
    assert_eq!(kept.chars().count(), 500);
    assert!(long.starts_with(kept));
    let exported: Vec<&Value> = lines
        .iter()
        .filter(|l| l["event"] == "brief_exported")
        .collect();
    assert_eq!(exported.len(), 1, "{lines:?}");
    assert_eq!(exported[0]["user"], "anna");
    assert_eq!(exported[0]["edition"], "1.1");
    assert_eq!(exported[0]["format"], "json");
}

#[test]
fn help_and_usage_errors_are_clap_s_own() {
    let f = fixture();
    let help = remote(&f, "--help");
    assert_eq!(help.status, 0);
    assert_eq!(help.err, "");
    assert!(help.out.contains("Usage: lage"), "{}", help.out);
    assert!(help.out.contains("items"), "{}", help.out);
    let sub = remote(&f, "items --help");
    assert_eq!(sub.status, 0);
    assert!(sub.out.contains("--since"), "{}", sub.out);

    let unknown = remote(&f, "items --frobnicate");
    assert_eq!(unknown.status, 2);
    assert_eq!(unknown.out, "");
    assert!(
        unknown
            .err
            .contains("unexpected argument '--frobnicate' found"),
        "{}",
        unknown.err
    );
    assert!(unknown.err.contains("Usage: lage items"), "{}", unknown.err);

    // The words clap quotes back come from the remote user: no escape reaches the terminal.
    let hostile = remote(&f, "items '--x\u{1b}[2J\u{202e}'");
    assert_eq!(hostile.status, 2);
    assert!(
        !hostile.err.contains('\u{1b}') && !hostile.err.contains('\u{202e}'),
        "{:?}",
        hostile.err
    );
    let unbalanced = remote(&f, "items --source 'nyheter");
    assert_eq!(unbalanced.status, 2);
    assert!(
        unbalanced
            .err
            .starts_with("lage: cannot read the command line"),
        "{}",
        unbalanced.err
    );
}

#[test]
fn rules_run_against_the_rules_in_force() {
    let f = fixture();
    let traced = remote(
        &f,
        "rules test --title 'Brand i skola' --text 'Räddningstjänsten släckte branden.' --json",
    );
    assert_eq!(traced.status, 0, "{}", traced.err);
    let traced: Value = serde_json::from_str(&traced.out).expect("rules test --json is JSON");
    assert!(traced["tags"].is_array(), "{traced}");

    let explained = remote(&f, &format!("rules explain {}", f.ids[0]));
    assert_eq!(explained.status, 0, "{}", explained.err);
    assert!(
        explained.out.contains("with the rules in force now (")
            && explained.out.contains("): unchanged"),
        "{}",
        explained.out
    );
    let missing = remote(&f, "rules explain 00000000deadbeef");
    assert_eq!(missing.status, 1);
    assert!(
        missing.err.starts_with("lage: no item with id"),
        "{}",
        missing.err
    );
}

/// A reader that has gone away.
struct Closed;

impl Write for Closed {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Err(std::io::ErrorKind::BrokenPipe.into())
    }
}

#[test]
fn a_reader_that_goes_away_ends_the_command_quietly() {
    let f = fixture();
    let mut err = Vec::new();
    let status = run_remote(
        "items --json",
        &f.served,
        "anna",
        Role::Analyst,
        false,
        &mut Closed,
        &mut err,
    );
    assert_eq!(status, 1);
    assert!(err.is_empty(), "{}", String::from_utf8_lossy(&err));
}

#[test]
fn a_local_export_is_audited_with_the_local_user() {
    let f = fixture();
    let (_dir, config, data_dir) = close(f);
    let out = data_dir.join("lagesbild.md");
    let output = local(
        &config,
        &data_dir,
        &["brief", "export", "1", "--format", "md", "-o"],
    );
    assert!(!output.status.success(), "-o needs a file");
    let output = lage_cmd(&config, &data_dir)
        .args(["brief", "export", "1", "--format", "md", "-o"])
        .arg(&out)
        .env("USER", "lokal-anna")
        .output()
        .expect("run lage");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(out.exists());
    let output = local(
        &config,
        &data_dir,
        &["brief", "export", "1", "--format", "html"],
    );
    assert!(output.status.success());
    let exported: Vec<Value> = audit_lines(&data_dir)
        .into_iter()
        .filter(|l| l["event"] == "brief_exported")
        .collect();
    assert_eq!(exported.len(), 2, "{exported:?}");
    assert_eq!(exported[0]["user"], "lokal-anna");
    assert_eq!(exported[0]["format"], "md");
    assert_eq!(exported[1]["format"], "html");
    assert_eq!(exported[1]["edition"], "1.1");
}

#[test]
fn a_pdf_goes_to_a_pipe_but_never_to_a_terminal() {
    let f = fixture();
    let run = |terminal: bool| {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let status = run_remote(
            "brief export 1 --format pdf",
            &f.served,
            "anna",
            Role::Analyst,
            terminal,
            &mut out,
            &mut err,
        );
        (status, out, String::from_utf8_lossy(&err).into_owned())
    };
    let (status, out, err) = run(true);
    assert_eq!(status, 1);
    assert!(out.is_empty(), "{} bytes reached the terminal", out.len());
    assert!(err.contains("a PDF is not for the terminal"), "{err}");
    let (status, out, err) = run(false);
    assert_eq!(status, 0, "{err}");
    assert!(out.starts_with(b"%PDF-"), "not a PDF");
}
