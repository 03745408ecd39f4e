//! The dashboard end to end: the real `lage` binary in a real terminal (tmux), polling a feed
//! from a loopback server, driven by keys and read back with `capture-pane`; what it recorded is
//! then read from the sled store it wrote.

mod common;

use std::path::Path;
use std::time::Duration;

use common::serve::write_local_news;
use common::{FixtureServer, Tmux, item_id, write_config};
use lage::curation::Action;
use lage::store::Store;

/// How long the dashboard may take to show the first poll's items (a debug build, a loaded CI).
const SHOW: Duration = Duration::from_secs(30);

/// A config with the one feed, in `dir`.
fn config(dir: &Path, server: &FixtureServer) -> std::path::PathBuf {
    write_config(
        dir,
        &format!(
            "[[source]]\nid = \"lokalt\"\nname = \"Lokala nyheter\"\nkind = \"rss\"\nurl = \"{}\"\ninterval = \"10m\"\n",
            server.url("/feed/feed.json")
        ),
    )
}

struct Dashboard {
    _dir: tempfile::TempDir,
    _server: FixtureServer,
    data: std::path::PathBuf,
    tmux: Tmux,
}

/// Starts `lage` on the feed in a `cols`×`rows` terminal, as user `anna`, with `args`.
fn start(cols: u16, rows: u16, args: &[&str]) -> Dashboard {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixtures = dir.path().join("fixtures");
    std::fs::create_dir_all(&fixtures).expect("fixtures dir");
    write_local_news(&fixtures);
    let server = FixtureServer::start(&fixtures);
    let config = config(dir.path(), &server);
    let data = dir.path().join("data");
    let mut command = vec![
        env!("CARGO_BIN_EXE_lage"),
        "--config",
        config.to_str().expect("utf-8 path"),
        "--data-dir",
        data.to_str().expect("utf-8 path"),
    ];
    command.extend_from_slice(args);
    let tmux = Tmux::start(
        dir.path(),
        &command,
        &[
            ("USER", "anna"),
            ("LOGNAME", "anna"),
            ("TERM", "xterm-256color"),
            ("LAGE_LANG", "sv"),
        ],
        cols,
        rows,
    );
    Dashboard {
        _dir: dir,
        _server: server,
        data,
        tmux,
    }
}

#[test]
fn a_duty_officer_searches_acknowledges_and_quits_in_a_real_terminal() {
    let d = start(100, 30, &[]);
    let screen = d.tmux.wait_for("Brand i skola i Farsta", SHOW);
    assert!(screen.contains("Vattenläcka i Bromma"), "{screen}");
    assert!(
        screen.contains("anna"),
        "the header names who is logged in:\n{screen}"
    );

    // The hostile title is on screen as text; none of its commands ran.
    let screen = d.tmux.wait_for("Evil", SHOW);
    assert!(
        screen.contains("Brand i skola"),
        "ESC [ 2 J did not clear the screen:\n{screen}"
    );
    let title = d.tmux.format("#{pane_title}");
    assert!(
        !title.contains("PWNED"),
        "the window title was changed to {title:?}"
    );
    assert!(
        !screen.contains('\u{1b}') && !screen.contains('\u{202e}'),
        "{screen:?}"
    );

    // Search over the whole store, then clear it.
    d.tmux.keys(&["/"]);
    d.tmux.type_text("vattenläcka");
    d.tmux.keys(&["Enter"]);
    d.tmux.wait("the search to leave only the leak", SHOW, |s| {
        s.contains("Vattenläcka i Bromma") && !s.contains("Brand i skola")
    });
    d.tmux.keys(&["Escape"]);
    d.tmux.wait("the search to be cleared", SHOW, |s| {
        s.contains("Vattenläcka i Bromma") && s.contains("Brand i skola")
    });

    // Help lists the keys, and closes again.
    d.tmux.keys(&["?"]);
    let help = d.tmux.wait_for("Tangenter", SHOW);
    for key in [
        "kvittera",
        "sätt status",
        "filtermeny",
        "sök i hela",
        "källor",
        "loggbok",
    ] {
        assert!(
            help.to_lowercase().contains(key),
            "help lacks {key:?}:\n{help}"
        );
    }
    d.tmux.keys(&["Escape"]);
    d.tmux
        .wait("help to close", SHOW, |s| !s.contains("Tangenter"));

    // The newest item (the fire) is selected first: acknowledge it.
    d.tmux.keys(&["g", "x"]);
    d.tmux.wait_for("Sparat", SHOW);
    d.tmux.keys(&["q"]);
    assert_eq!(d.tmux.wait_exit(SHOW), 0, "lage exits cleanly on q");

    let store = Store::open(&d.data).expect("the data dir is free after quitting");
    let id = item_id(&store, "Brand i skola");
    let decisions = store.decisions(&id).expect("decisions");
    assert!(
        decisions
            .iter()
            .any(|d| d.action == Action::Acknowledge && d.author == "anna"),
        "{decisions:?}"
    );
    let log = store.log_entries(10).expect("log");
    assert!(log.iter().any(|e| e.author == "anna"), "{log:?}");
}

#[test]
fn an_annotation_survives_kill_9_right_after_it_was_confirmed() {
    let d = start(100, 30, &[]);
    d.tmux.wait_for("Brand i skola i Farsta", SHOW);
    d.tmux.keys(&["g", "Enter"]);
    d.tmux.wait_for("example.org/brand", SHOW);
    d.tmux.keys(&["a"]);
    d.tmux.wait_for("Ctrl-S", SHOW);
    d.tmux.type_text("Larm 14:02, skolan utrymd");
    d.tmux.keys(&["C-s"]);
    d.tmux.wait_for("Sparat", SHOW);
    let pid = d.tmux.pid();
    let killed = std::process::Command::new("kill")
        .args(["-9", &pid])
        .status()
        .expect("run kill");
    assert!(killed.success());
    d.tmux.wait_dead(SHOW);

    let store = Store::open(&d.data).expect("a data dir left by kill -9 opens");
    let id = item_id(&store, "Brand i skola");
    let notes: Vec<String> = store
        .decisions(&id)
        .expect("decisions")
        .into_iter()
        .filter_map(|d| match d.action {
            Action::Annotate { annotation } => Some(annotation.note),
            _ => None,
        })
        .collect();
    assert_eq!(notes, ["Larm 14:02, skolan utrymd"]);
}

#[test]
fn the_dashboard_speaks_english_at_80x24_and_survives_resizes() {
    let d = start(80, 24, &["--lang", "en"]);
    let screen = d.tmux.wait_for("Brand i skola", SHOW);
    assert!(
        screen.contains("Crime") || screen.contains("Accidents"),
        "{screen}"
    );
    for line in screen.lines() {
        assert!(
            line.chars().count() <= 80,
            "a line wider than the terminal: {line:?}"
        );
    }
    d.tmux.resize(40, 12);
    d.tmux.resize(120, 40);
    d.tmux.wait_for("Brand i skola", SHOW);
    d.tmux.keys(&["S"]);
    d.tmux.wait_for("Lokala nyheter", SHOW);
    d.tmux.keys(&["q"]);
    assert_eq!(d.tmux.wait_exit(SHOW), 0);
}

#[test]
fn an_analyst_picks_composes_approves_and_exports_a_briefing_in_a_real_terminal() {
    let d = start(100, 30, &[]);
    d.tmux.wait_for("Brand i skola i Farsta", SHOW);
    // Pick the fire and the leak for the briefing.
    d.tmux.keys(&["g", "b"]);
    d.tmux.wait_for("Sparat", SHOW);
    // Decisions and briefing changes go through one ordered write queue, so the edition
    // started next sees this pick too.
    d.tmux.keys(&["j", "b"]);
    // The briefing screen: no draft yet, so start one.
    d.tmux.keys(&["B"]);
    d.tmux.wait_for("inget utkast", SHOW);
    d.tmux.keys(&["n"]);
    let screen = d.tmux.wait("the new edition with both picks", SHOW, |s| {
        s.contains("nr 1, version 1, UTKAST")
            && s.contains("Brand i skola")
            && s.contains("Vattenläcka")
    });
    assert!(screen.contains("Händelser (2)"), "{screen}");
    // Raise olyckor, approve, export.
    d.tmux.keys(&["1"]);
    d.tmux.wait("the level to be saved", SHOW, |s| {
        s.contains("Olyckor") && s.contains("förhöjd ")
    });
    d.tmux.keys(&["A"]);
    d.tmux.wait_for("Godkänna", SHOW);
    d.tmux.keys(&["y"]);
    d.tmux.wait_for("GODKÄND", SHOW);
    d.tmux.keys(&["E"]);
    d.tmux.wait_for("Exporterat", SHOW);
    d.tmux.keys(&["Escape", "q"]);
    assert_eq!(d.tmux.wait_exit(SHOW), 0, "lage exits cleanly on q");

    for ext in ["md", "html", "pdf", "json", "atom"] {
        let file = d.data.join("exports").join(format!("lagesbild-1.1.{ext}"));
        let len = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        assert!(len > 100, "{} missing or empty", file.display());
    }
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(d.data.join("exports").join("lagesbild-1.1.json")).expect("json export"),
    )
    .expect("valid JSON");
    assert_eq!(json["state"], "approved");
    assert_eq!(json["approved"]["author"], "anna");
    assert_eq!(json["sections"][0]["level"], "elevated");
    assert_eq!(json["events"].as_array().map(Vec::len), Some(2));
}
