//! Where `lage serve` listens, announced in `DATA_DIR/serve.addr` (`PID ADDR`) while it runs,
//! so another `lage` that finds the data dir taken can say how to get in instead of failing
//! with a lock error. The pid ties the note to the lock's holder: a note left by a server that
//! was killed is ignored once another process holds the lock.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The announcement's file name in the data dir.
pub const FILE_NAME: &str = "serve.addr";

/// The announcement; the file is removed when this is dropped.
#[derive(Debug)]
pub struct Announcement {
    path: PathBuf,
}

impl Drop for Announcement {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Announces that this process serves `dir` on `addr`.
pub fn announce(dir: &Path, addr: SocketAddr) -> std::io::Result<Announcement> {
    let path = dir.join(FILE_NAME);
    let tmp = dir.join(format!("{FILE_NAME}.tmp"));
    let mut file = std::fs::File::create(&tmp)?;
    writeln!(file, "{} {addr}", std::process::id())?;
    file.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    Ok(Announcement { path })
}

/// The address the process `pid` announced for `dir`, if it did.
pub fn announced(dir: &Path, pid: u32) -> Option<SocketAddr> {
    let text = std::fs::read_to_string(dir.join(FILE_NAME)).ok()?;
    let (who, addr) = text.trim().split_once(' ')?;
    (who.parse::<u32>().ok()? == pid).then(|| addr.parse().ok())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announced_while_held_and_only_for_its_pid() {
        let dir = tempfile::tempdir().expect("tempdir");
        let addr: SocketAddr = "127.0.0.1:2222".parse().expect("addr");
        let note = announce(dir.path(), addr).expect("announce");
        assert_eq!(announced(dir.path(), std::process::id()), Some(addr));
        assert_eq!(announced(dir.path(), std::process::id() + 1), None);
        drop(note);
        assert_eq!(announced(dir.path(), std::process::id()), None);
    }
}
