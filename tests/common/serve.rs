//! `lage serve` for end-to-end tests: the real binary on 127.0.0.1 (a port the system picks),
//! polling a JSON Feed from a loopback fixture server, with users and keys made by the real
//! `ssh-keygen`, reached with the real OpenSSH client (`ssh`).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::{Duration as Span, Utc};

use super::{FixtureServer, Tmux, write_config};

/// How long the first poll, a login or a screen may take (a debug build on a loaded CI).
pub const SLOW: Duration = Duration::from_secs(30);

/// The users the tests log in as: name, role.
pub const USERS: [(&str, &str); 3] = [("anna", "duty"), ("bo", "analyst"), ("olle", "viewer")];

/// A running `lage serve`; killed when dropped.
pub struct Serve {
    pub dir: tempfile::TempDir,
    _fixtures: FixtureServer,
    pub data: PathBuf,
    pub config: PathBuf,
    pub port: u16,
    pub child: Child,
    clients: std::cell::Cell<usize>,
}

/// A JSON Feed with a school fire, a water leak, and a title full of terminal commands.
pub fn write_local_news(dir: &Path) {
    let at = |minutes: i64| (Utc::now() - Span::minutes(minutes)).to_rfc3339();
    let feed = serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Lokala nyheter",
        "items": [
            {
                "id": "brand",
                "url": "https://example.org/brand",
                "title": "Brand i skola i Farsta",
                "content_text": "Räddningstjänsten släckte en brand i en skola i Farsta. Ingen skadad.",
                "date_published": at(5)
            },
            {
                "id": "vatten",
                "url": "https://example.org/vatten",
                "title": "Vattenläcka i Bromma",
                "content_text": "En vattenläcka stör trafiken i Bromma.",
                "date_published": at(15)
            },
            {
                "id": "evil",
                "url": "https://example.org/evil",
                "title": "Evil \u{1b}]0;PWNED\u{7} \u{1b}[2J clear \u{9b}31m red \u{202e}desrever",
                "content_text": "Body \u{1b}]52;c;cHduZWQ=\u{7} with an OSC 52 copy.",
                "date_published": at(25)
            }
        ]
    });
    std::fs::write(dir.join("feed.json"), feed.to_string()).expect("write the feed");
}

fn keygen(path: &Path, comment: &str) {
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f"])
        .arg(path)
        .status()
        .unwrap_or_else(|e| panic!("cannot run ssh-keygen (apt-get install openssh-client): {e}"));
    assert!(status.success(), "ssh-keygen failed");
}

impl Serve {
    /// Starts `lage serve` with `args` after `serve`, and waits until its first poll is stored.
    pub fn start(args: &[&str]) -> Serve {
        let dir = tempfile::tempdir().expect("temp dir");
        let fixtures = dir.path().join("fixtures");
        std::fs::create_dir_all(&fixtures).expect("fixtures dir");
        write_local_news(&fixtures);
        let server = FixtureServer::start(&fixtures);
        let config = write_config(
            dir.path(),
            &format!(
                "[[source]]\nid = \"lokalt\"\nname = \"Lokala nyheter\"\nkind = \"rss\"\nurl = \"{}\"\ninterval = \"10m\"\n",
                server.url("/feed/feed.json")
            ),
        );
        let keys = dir.path().join("keys");
        std::fs::create_dir_all(&keys).expect("keys dir");
        let mut users = String::new();
        for (name, role) in USERS {
            keygen(&keys.join(name), name);
            let public = std::fs::read_to_string(keys.join(format!("{name}.pub"))).expect("key");
            users.push_str(&format!(
                "[[user]]\nname = \"{name}\"\nrole = \"{role}\"\nkeys = [\"{}\"]\n\n",
                public.trim()
            ));
        }
        // A key that belongs to nobody.
        keygen(&keys.join("mallory"), "mallory");
        std::fs::write(dir.path().join("users.toml"), users).expect("users file");
        let data = dir.path().join("data");
        let mut child = Command::new(env!("CARGO_BIN_EXE_lage"))
            .arg("--config")
            .arg(&config)
            .arg("--data-dir")
            .arg(&data)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .env("LAGE_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::from(
                std::fs::File::create(dir.path().join("serve.err")).expect("log file"),
            ))
            .spawn()
            .expect("start lage serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let port = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                panic!(
                    "lage serve ended before listening:\n{}",
                    std::fs::read_to_string(dir.path().join("serve.err")).unwrap_or_default()
                );
            };
            if let Some(addr) = line.strip_prefix("lage serve: listening on ") {
                let addr: std::net::SocketAddr = addr.parse().expect("address");
                break addr.port();
            }
        };
        // Keep reading stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        let serve = Serve {
            dir,
            _fixtures: server,
            data,
            config,
            port,
            child,
            clients: std::cell::Cell::new(0),
        };
        serve.wait_for_items(3);
        serve
    }

    /// The private key file of `user` (`mallory` is nobody's).
    pub fn key(&self, user: &str) -> PathBuf {
        self.dir.path().join("keys").join(user)
    }

    /// `ssh` options for a non-interactive client that trusts this server on first use.
    pub fn ssh_args(&self, login: &str, key: &Path) -> Vec<String> {
        [
            "-F",
            "/dev/null",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "IdentityAgent=none",
            "-o",
            "BatchMode=yes",
            "-o",
            "LogLevel=ERROR",
            "-o",
            "ConnectTimeout=20",
            "-p",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([
            self.port.to_string(),
            "-i".into(),
            key.display().to_string(),
            format!("{login}@127.0.0.1"),
        ])
        .collect()
    }

    /// Runs `command` over SSH as `user` with their key.
    pub fn exec(&self, user: &str, command: &str) -> Output {
        self.exec_as(user, &self.key(user), &[], command)
    }

    /// Runs `command` over SSH as `login` with `key` and extra `ssh` options.
    pub fn exec_as(&self, login: &str, key: &Path, options: &[&str], command: &str) -> Output {
        Command::new("ssh")
            .args(options)
            .args(self.ssh_args(login, key))
            .arg(command)
            .stdin(Stdio::null())
            .output()
            .expect("run ssh")
    }

    /// Opens `user`'s dashboard over SSH in a real terminal of `cols`×`rows`.
    pub fn dashboard(&self, user: &str, cols: u16, rows: u16) -> Tmux {
        let n = self.clients.get();
        self.clients.set(n + 1);
        let dir = self.dir.path().join(format!("client-{n}"));
        std::fs::create_dir_all(&dir).expect("client dir");
        let mut command: Vec<String> = vec!["ssh".into(), "-t".into()];
        command.extend(self.ssh_args(user, &self.key(user)));
        let command: Vec<&str> = command.iter().map(String::as_str).collect();
        Tmux::start(&dir, &command, &[("TERM", "xterm-256color")], cols, rows)
    }

    /// Waits until `items --json` over SSH lists at least `n` items.
    pub fn wait_for_items(&self, n: usize) {
        let start = Instant::now();
        loop {
            let out = self.exec("olle", "items --json");
            if out.status.success()
                && serde_json::from_slice::<Vec<serde_json::Value>>(&out.stdout)
                    .is_ok_and(|items| items.len() >= n)
            {
                return;
            }
            if start.elapsed() > SLOW {
                panic!(
                    "no {n} items over SSH within {SLOW:?}: status {}, stderr {}\nserver log:\n{}",
                    out.status,
                    String::from_utf8_lossy(&out.stderr),
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// The audit log, one JSON value a line.
    pub fn audit(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.data.join("audit.log"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("audit line {l:?}: {e}")))
            .collect()
    }

    /// Waits until an audit line satisfies `found`.
    pub fn wait_audit(&self, what: &str, found: impl Fn(&serde_json::Value) -> bool) {
        let start = Instant::now();
        while !self.audit().iter().any(&found) {
            if start.elapsed() > SLOW {
                panic!("no audit line for {what}:\n{:#?}", self.audit());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// What the server logged to stderr.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("serve.err")).unwrap_or_default()
    }

    /// The server's resident memory in KiB, from /proc.
    pub fn rss_kib(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.split_whitespace().next()?.parse().ok())
            })
            .unwrap_or(0)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The SHA-256 fingerprint of a public key file, as `ssh-keygen -l` prints it.
pub fn fingerprint(public_key: &Path) -> String {
    let out = Command::new("ssh-keygen")
        .arg("-lf")
        .arg(public_key)
        .output()
        .expect("ssh-keygen -l");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .nth(1)
        .expect("a fingerprint")
        .to_string()
}
