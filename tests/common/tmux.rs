//! A real terminal for end-to-end dashboard tests: a private tmux server (its own socket, no
//! user config) running one command in a pane of a fixed size, driven with `send-keys` and read
//! with `capture-pane`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// One tmux server with one session; killed when dropped.
pub struct Tmux {
    socket: PathBuf,
    status: PathBuf,
}

impl Tmux {
    /// Starts `command` (program and arguments, with `env` set) in a detached `cols`×`rows`
    /// pane. The pane stays after the command exits, so its last screen and exit status can
    /// be read. Panics if tmux is missing: `.ci/run` installs it.
    pub fn start(dir: &Path, command: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Tmux {
        let tmux = Tmux {
            socket: dir.join("tmux.sock"),
            status: dir.join("exit-status"),
        };
        // A shell runs the command and writes its exit status to a file: tmux itself does not
        // always record the status of a pane that ended.
        let mut line: Vec<String> = vec![
            "env".into(),
            format!("STATUS_FILE={}", tmux.status.display()),
        ];
        line.extend(env.iter().map(|(k, v)| format!("{k}={v}")));
        line.extend([
            "sh".into(),
            "-c".into(),
            "\"$@\"; echo $? > \"$STATUS_FILE\"".into(),
            "sh".into(),
        ]);
        line.extend(command.iter().map(|s| s.to_string()));
        let size = [cols.to_string(), rows.to_string()];
        let mut args: Vec<&str> = vec![
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            &size[0],
            "-y",
            &size[1],
        ];
        args.extend(line.iter().map(String::as_str));
        tmux.run(&args);
        tmux.run(&["set-option", "-t", "t", "remain-on-exit", "on"]);
        tmux
    }

    fn run(&self, args: &[&str]) -> Output {
        let output = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run tmux (install it: apt-get install tmux): {e}"));
        assert!(
            output.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// Sends tmux key names (`Enter`, `Escape`, `C-s`, `Down`, or a single character).
    /// Each key goes on its own: a key sent right after `Escape` would reach the program as
    /// Alt+key (terminals cannot tell the two apart), so Escape is followed by a pause.
    pub fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.run(&["send-keys", "-t", "t", key]);
            if *key == "Escape" {
                std::thread::sleep(std::time::Duration::from_millis(300));
            }
        }
    }

    /// Types `text` literally.
    pub fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", "t", "-l", text]);
    }

    /// The pane's visible text, one line per row.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "t"]).stdout).into_owned()
    }

    /// A tmux format value for the pane (`#{pane_title}`, `#{pane_pid}`, `#{pane_dead}`).
    pub fn format(&self, format: &str) -> String {
        String::from_utf8_lossy(
            &self
                .run(&["display-message", "-p", "-t", "t", format])
                .stdout,
        )
        .trim()
        .to_string()
    }

    /// Resizes the pane's window.
    pub fn resize(&self, cols: u16, rows: u16) {
        self.run(&[
            "resize-window",
            "-t",
            "t",
            "-x",
            &cols.to_string(),
            "-y",
            &rows.to_string(),
        ]);
    }

    /// Waits until the screen satisfies `ready`, returning it; panics with the last screen
    /// after `timeout`.
    pub fn wait(&self, what: &str, timeout: Duration, ready: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ready(&screen) {
                return screen;
            }
            if start.elapsed() > timeout {
                panic!("timed out after {timeout:?} waiting for {what}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the screen contains `text`.
    pub fn wait_for(&self, text: &str, timeout: Duration) -> String {
        self.wait(&format!("{text:?} on screen"), timeout, |s| {
            s.contains(text)
        })
    }

    /// Waits until the command in the pane has ended (exited or was killed).
    pub fn wait_dead(&self, timeout: Duration) {
        let start = Instant::now();
        while self.format("#{pane_dead}") != "1" {
            if start.elapsed() > timeout {
                panic!(
                    "the command did not end within {timeout:?}; the screen:\n{}",
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the command in the pane has exited and returns its exit status; panics if it
    /// was killed by a signal instead.
    pub fn wait_exit(&self, timeout: Duration) -> i32 {
        self.wait_dead(timeout);
        let status = std::fs::read_to_string(&self.status).unwrap_or_default();
        status.trim().parse().unwrap_or_else(|_| {
            panic!(
                "the command ended without an exit status ({status:?}); the screen:\n{}",
                self.screen()
            )
        })
    }

    /// The pid of the command (the child of the shell that runs it in the pane), from `/proc`.
    pub fn pid(&self) -> String {
        let shell = self.format("#{pane_pid}");
        let children: Vec<String> = std::fs::read_dir("/proc")
            .expect("read /proc")
            .filter_map(|entry| {
                let name = entry.ok()?.file_name().into_string().ok()?;
                let stat = std::fs::read_to_string(format!("/proc/{name}/stat")).ok()?;
                // The parent pid is the second field after the parenthesised command name.
                let ppid = stat
                    .rsplit_once(')')?
                    .1
                    .split_whitespace()
                    .nth(1)?
                    .to_string();
                (ppid == shell).then_some(name)
            })
            .collect();
        assert_eq!(
            children.len(),
            1,
            "one child of the pane's shell, not {children:?}"
        );
        children[0].clone()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}
