//! `lage serve` end to end: the real binary on 127.0.0.1, the real OpenSSH client (`ssh`) in
//! real terminals (tmux), and russh as a client where OpenSSH will not do what a hostile client
//! does (a password it was not offered, a 65535×65535 pty). What the server recorded is read
//! from its audit log and, after it stopped, from the sled store it wrote.

mod common;

use std::io::Read;
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::item_id;
use common::serve::{SLOW, Serve, fingerprint};
use lage::curation::Action;
use lage::store::{ItemQuery, Store};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn two_people_see_each_others_acknowledgement_live_and_a_viewer_is_refused() {
    let serve = Serve::start(&[]);
    let anna = serve.dashboard("anna", 120, 32);
    let bo = serve.dashboard("bo", 120, 32);
    let olle = serve.dashboard("olle", 120, 32);
    for (who, t) in [("anna", &anna), ("bo", &bo), ("olle", &olle)] {
        let screen = t.wait_for("Brand i skola i Farsta", SLOW);
        assert!(screen.contains(who), "{who}'s header names them:\n{screen}");
    }

    // Bo opens the fire's detail; Anna acknowledges it; Bo sees it under Anna's name.
    bo.keys(&["g", "Enter"]);
    bo.wait_for("example.org/brand", SLOW);
    assert!(!bo.screen().contains("Kvitterad av anna"));
    anna.keys(&["g", "x"]);
    anna.wait_for("Sparat", SLOW);
    let shown = Instant::now();
    bo.wait_for("Kvitterad av anna", Duration::from_secs(5));
    assert!(
        shown.elapsed() < Duration::from_secs(2),
        "the acknowledgement took {:?} to reach the other session",
        shown.elapsed()
    );

    // A window change resizes that session only.
    anna.resize(80, 24);
    anna.wait("anna's dashboard at 80 columns", SLOW, |s| {
        s.lines().all(|l| l.chars().count() <= 80) && s.contains("Brand i skola")
    });
    assert!(
        bo.screen().lines().any(|l| l.chars().count() > 100),
        "bo's dashboard kept its width:\n{}",
        bo.screen()
    );

    // Olle, a viewer, may not acknowledge: told so, and nothing is stored.
    olle.keys(&["G", "x"]);
    let screen = olle.wait("a refusal", SLOW, |s| s.contains("läsare"));
    assert!(!screen.contains("Sparat"), "{screen}");

    for t in [&anna, &bo, &olle] {
        t.keys(&["q"]);
    }
    for t in [&anna, &bo, &olle] {
        assert_eq!(t.wait_exit(SLOW), 0, "ssh exits 0 when the dashboard quits");
    }
    serve.wait_audit("anna's acknowledgement", |l| {
        l["event"] == "decision" && l["user"] == "anna" && l["action"] == "acknowledge"
    });
    serve.wait_audit("olle's refusal", |l| {
        l["event"] == "refused" && l["user"] == "olle" && l["role"] == "viewer"
    });
    for user in ["anna", "bo", "olle"] {
        serve.wait_audit("a logout", |l| l["event"] == "logout" && l["user"] == user);
    }

    let mut serve = serve;
    let _ = serve.child.kill();
    let _ = serve.child.wait();
    let store = Store::open(&serve.data).expect("the data dir is free once the server stopped");
    let fire = item_id(&store, "Brand i skola");
    let decisions = store.decisions(&fire).expect("decisions");
    assert!(
        decisions
            .iter()
            .any(|d| d.action == Action::Acknowledge && d.author == "anna"),
        "{decisions:?}"
    );
    let all = store.items(&ItemQuery::default()).expect("items");
    for item in all {
        assert!(
            store
                .decisions(&item.id)
                .expect("decisions")
                .iter()
                .all(|d| d.author != "olle"),
            "a viewer's decision was stored"
        );
    }
}

#[test]
fn commands_run_over_ssh_with_the_same_output_roles_and_exit_status() {
    let serve = Serve::start(&[]);
    let out = serve.exec("olle", "items --json");
    assert!(out.status.success(), "{}", stderr(&out));
    let items: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(items.len(), 3);
    assert!(
        items
            .iter()
            .any(|i| i["title"].as_str() == Some("Brand i skola i Farsta"))
    );
    // Hostile text arrives escaped, as from the local CLI.
    assert!(!out.stdout.contains(&0x1b), "an ESC byte in the output");

    let out = serve.exec("anna", "sources");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("lokalt"));

    // With a pty (ssh -t) the client's terminal is raw: lines end in CR LF.
    let out = serve.exec_as("anna", &serve.key("anna"), &["-tt"], "sources");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("lokalt")
            && out.stdout.windows(2).any(|w| w == b"\r\n"),
        "{:?}",
        String::from_utf8_lossy(&out.stdout)
    );

    let out = serve.exec("anna", "poll --once");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not available over SSH"),
        "{}",
        stderr(&out)
    );

    let out = serve.exec("anna", "items --data-dir /tmp");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));

    // A shell is never offered: without a terminal there is a message, not a prompt.
    let out = serve.exec_as("anna", &serve.key("anna"), &["-T"], "");
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("needs a terminal"),
        "{}",
        stderr(&out)
    );

    serve.wait_audit("the command", |l| {
        l["event"] == "command"
            && l["user"] == "olle"
            && l["command"] == "items --json"
            && l["status"] == 0
    });

    // A user taken out of the users file is out at once, without a restart.
    let users = serve.dir.path().join("users.toml");
    let text = std::fs::read_to_string(&users).expect("users file");
    let without_bo: String = text
        .split("[[user]]")
        .filter(|block| !block.contains("name = \"bo\""))
        .collect::<Vec<_>>()
        .join("[[user]]");
    std::fs::write(&users, without_bo).expect("write users");
    let out = serve.exec("bo", "sources");
    assert_eq!(out.status.code(), Some(255), "{}", stderr(&out));
    assert!(serve.exec("anna", "sources").status.success());

    // Meanwhile the local CLI says where the picture is, instead of a lock error.
    let local = common::lage_cmd(&serve.config, &serve.data)
        .arg("items")
        .output()
        .expect("run lage items");
    assert!(!local.status.success());
    let message = stderr(&local);
    assert!(
        message.contains(&format!("ssh -p {}", serve.port)) && message.contains("lage serve"),
        "{message}"
    );
}

#[test]
fn wrong_keys_strangers_and_passwords_are_refused_and_audited() {
    let serve = Serve::start(&[]);
    let mallory = serve.key("mallory");
    let out = serve.exec_as("anna", &mallory, &[], "items");
    assert_eq!(out.status.code(), Some(255));
    assert!(
        stderr(&out).contains("Permission denied (publickey)"),
        "{}",
        stderr(&out)
    );
    let out = serve.exec_as("eve", &serve.key("anna"), &[], "items");
    assert_eq!(out.status.code(), Some(255));
    // OpenSSH asked for a password sends only the "none" probe: the server offers no password.
    let out = serve.exec_as(
        "anna",
        &serve.key("anna"),
        &[
            "-o",
            "PreferredAuthentications=password,keyboard-interactive",
            "-o",
            "PubkeyAuthentication=no",
        ],
        "items",
    );
    assert_eq!(out.status.code(), Some(255));

    let mallory_fp = fingerprint(&mallory.with_extension("pub"));
    serve.wait_audit("the wrong key", |l| {
        l["event"] == "login_refused"
            && l["user"] == "anna"
            && l["key"] == mallory_fp.as_str()
            && l["reason"] == "the key is not one of the user's"
    });
    serve.wait_audit("the stranger", |l| {
        l["event"] == "login_refused" && l["user"] == "eve" && l["reason"] == "unknown user"
    });
    serve.wait_audit("the password-only client", |l| {
        l["event"] == "login_refused" && l["user"] == "anna" && l["method"] == "none"
    });

    // A client that sends a password anyway is refused and recorded with the method.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let mut client = russh_client(serve.port).await;
        let result = client
            .authenticate_password("anna", "hunter2")
            .await
            .expect("password request");
        assert!(!result.success(), "a password logged in");
    });
    serve.wait_audit("the password", |l| {
        l["event"] == "login_refused" && l["method"] == "password" && l["user"] == "anna"
    });
    // (olle logged in to see that the server was up.)
    assert!(
        !serve
            .audit()
            .iter()
            .any(|l| l["event"] == "login" && l["user"] != "olle"),
        "someone logged in: {:#?}",
        serve.audit()
    );
}

#[test]
fn a_huge_pty_is_clamped_and_the_server_stays_well() {
    let serve = Serve::start(&[]);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let output = runtime.block_on(async {
        let mut client = russh_client(serve.port).await;
        let key = russh::keys::load_secret_key(serve.key("anna"), None).expect("key");
        let auth = client
            .authenticate_publickey(
                "anna",
                russh::keys::PrivateKeyWithHashAlg::new(Arc::new(key), None),
            )
            .await
            .expect("auth");
        assert!(auth.success());
        let mut channel = client.channel_open_session().await.expect("channel");
        channel
            .request_pty(true, "xterm", 65535, 65535, 0, 0, &[])
            .await
            .expect("pty");
        channel.request_shell(true).await.expect("shell");
        let mut output = Vec::new();
        // The screen as a terminal of the clamped size shows it (the byte stream skips cells
        // that are already blank, so words are not contiguous in it).
        let mut screen = vt100::Parser::new(200, 500, 0);
        let deadline = tokio::time::Instant::now() + SLOW;
        while !screen.screen().contents().contains("Brand i skola") {
            match tokio::time::timeout_at(deadline, channel.wait()).await {
                Ok(Some(russh::ChannelMsg::Data { data })) => {
                    screen.process(&data);
                    output.extend_from_slice(&data);
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        assert!(
            screen.screen().contents().contains("Brand i skola"),
            "no dashboard drawn:\n{}",
            screen.screen().contents()
        );
        channel
            .window_change(u32::MAX, u32::MAX, 0, 0)
            .await
            .expect("window change");
        tokio::time::sleep(Duration::from_millis(500)).await;
        output
    });
    let text = String::from_utf8_lossy(&output);
    // Every cursor position the server drew at lies inside the clamped size.
    let (mut max_row, mut max_col) = (0u32, 0u32);
    for part in text.split("\u{1b}[").skip(1) {
        if let Some((pos, _)) = part.split_once('H')
            && let Some((row, col)) = pos.split_once(';')
            && let (Ok(row), Ok(col)) = (row.parse::<u32>(), col.parse::<u32>())
        {
            max_row = max_row.max(row);
            max_col = max_col.max(col);
        }
    }
    assert!(max_row > 0 && max_row <= 200, "drew at row {max_row}");
    assert!(max_col > 0 && max_col <= 500, "drew at column {max_col}");
    let rss = serve.rss_kib();
    assert!(rss < 1024 * 1024, "the server holds {rss} KiB");
    let out = serve.exec("olle", "items --json");
    assert!(
        out.status.success(),
        "the server still answers: {}",
        stderr(&out)
    );
}

#[test]
fn unauthenticated_connections_beyond_the_limit_are_closed_while_users_keep_working() {
    let serve = Serve::start(&["--max-unauthenticated", "3", "--login-grace", "20s"]);
    let anna = serve.dashboard("anna", 100, 30);
    anna.wait_for("Brand i skola i Farsta", SLOW);

    // Three silent connections take every unauthenticated slot.
    let silent: Vec<TcpStream> = (0..3)
        .map(|_| TcpStream::connect(("127.0.0.1", serve.port)).expect("connect"))
        .collect();
    // Each got the server's version line: they are being served.
    for mut s in &silent {
        s.set_read_timeout(Some(SLOW)).expect("timeout");
        let mut banner = [0u8; 8];
        s.read_exact(&mut banner).expect("banner");
        assert_eq!(&banner, b"SSH-2.0-");
    }
    // A fourth is closed at once, without a banner.
    let mut fourth = TcpStream::connect(("127.0.0.1", serve.port)).expect("connect");
    fourth.set_read_timeout(Some(SLOW)).expect("timeout");
    let mut buf = [0u8; 64];
    let n = fourth.read(&mut buf).unwrap_or(0);
    assert_eq!(n, 0, "the fourth connection got {:?}", &buf[..n]);

    // Anna, logged in before, keeps working.
    anna.keys(&["g", "x"]);
    anna.wait_for("Sparat", SLOW);
    serve.wait_audit("the refused connection", |l| {
        l["event"] == "connection_refused"
    });

    // Once the silent ones go, others can log in again.
    drop(silent);
    let start = Instant::now();
    loop {
        let out = serve.exec("olle", "sources");
        if out.status.success() {
            break;
        }
        assert!(
            start.elapsed() < SLOW,
            "no login after the flood: {}",
            stderr(&out)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    anna.keys(&["q"]);
    assert_eq!(anna.wait_exit(SLOW), 0);
}

#[test]
fn an_annotation_confirmed_over_ssh_survives_kill_9_of_the_server() {
    let mut serve = Serve::start(&[]);
    let bo = serve.dashboard("bo", 100, 30);
    bo.wait_for("Brand i skola i Farsta", SLOW);
    bo.keys(&["g", "Enter"]);
    bo.wait_for("example.org/brand", SLOW);
    bo.keys(&["a"]);
    bo.wait_for("Ctrl-S", SLOW);
    bo.type_text("Larm 14:02, skolan utrymd");
    bo.keys(&["C-s"]);
    bo.wait_for("Sparat", SLOW);
    let killed = std::process::Command::new("kill")
        .args(["-9", &serve.child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(killed.success());
    let _ = serve.child.wait();
    // The client sees the connection drop.
    bo.wait_dead(SLOW);

    let store = Store::open(&serve.data).expect("a data dir left by kill -9 opens");
    let fire = item_id(&store, "Brand i skola");
    let notes: Vec<(String, String)> = store
        .decisions(&fire)
        .expect("decisions")
        .into_iter()
        .filter_map(|d| match d.action {
            Action::Annotate { annotation } => Some((d.author, annotation.note)),
            _ => None,
        })
        .collect();
    assert_eq!(
        notes,
        [("bo".to_string(), "Larm 14:02, skolan utrymd".to_string())]
    );
}

#[test]
fn only_modern_algorithms_with_strict_kex_and_no_forwarding_or_subsystems() {
    let serve = Serve::start(&[]);
    let out = serve.exec_as("anna", &serve.key("anna"), &["-vv"], "sources");
    assert!(out.status.success(), "{}", stderr(&out));
    let log = stderr(&out);
    // The second "KEX algorithms" line of `ssh -vv` is the server's offer.
    let offer = log
        .lines()
        .filter(|l| l.contains("KEX algorithms:"))
        .nth(1)
        .unwrap_or_else(|| panic!("no server KEX offer in:\n{log}"));
    assert!(offer.contains("kex-strict-s-v00@openssh.com"), "{offer}");
    for weak in ["sha1", "nistp", "group14", "group1-"] {
        assert!(!offer.contains(weak), "{weak} offered: {offer}");
    }
    let refused = |options: &[&str], command: &str, expected: &str| {
        // INFO: OpenSSH reports a failed negotiation at that level.
        let options: Vec<&str> = ["-o", "LogLevel=INFO"]
            .iter()
            .chain(options)
            .copied()
            .collect();
        let out = serve.exec_as("anna", &serve.key("anna"), &options, command);
        assert_eq!(
            out.status.code(),
            Some(255),
            "{options:?}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains(expected),
            "{options:?}: {}",
            stderr(&out)
        );
    };
    refused(
        &["-o", "Ciphers=aes128-cbc"],
        "sources",
        "no matching cipher",
    );
    refused(
        &["-o", "MACs=hmac-sha1", "-o", "Ciphers=aes256-ctr"],
        "sources",
        "no matching MAC",
    );
    refused(
        &[
            "-o",
            "ExitOnForwardFailure=yes",
            "-N",
            "-R",
            "0:127.0.0.1:9",
        ],
        "",
        "remote port forwarding failed",
    );
    refused(&["-s"], "sftp", "subsystem request failed");
}

/// A russh client connected to the server (not yet authenticated).
async fn russh_client(port: u16) -> russh::client::Handle<AcceptAnyHost> {
    let config = Arc::new(russh::client::Config::default());
    russh::client::connect(config, ("127.0.0.1", port), AcceptAnyHost)
        .await
        .expect("connect")
}

/// A client handler that trusts the test's server.
struct AcceptAnyHost;

impl russh::client::Handler for AcceptAnyHost {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        _key: &russh::keys::PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(true)
    }
}
