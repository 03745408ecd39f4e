//! One process owns a data dir. This lock says so plainly, with the holder's pid, instead of
//! letting sled fail with a raw "could not acquire lock" error.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The held lock; released when dropped (or when the process dies, since it is an OS lock).
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

/// Why the data dir could not be locked.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it.
    #[error(
        "data dir {} is in use by another lage process{}; stop that process, or use another directory with --data-dir",
        dir.display(),
        pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
    )]
    Busy {
        /// The data dir.
        dir: PathBuf,
        /// The holder's pid, if it wrote one.
        pid: Option<u32>,
    },
    /// `lage serve` holds it: the way in is over SSH.
    #[error(
        "data dir {} is served by `lage serve` (pid {pid}) on {addr}; work through it: `ssh -p {port} USER@{host}` for the dashboard, or a command over it, such as `ssh -p {port} USER@{host} items --since 1h`",
        dir.display(),
        port = addr.port(),
        host = if addr.ip().is_unspecified() || addr.ip().is_loopback() { "localhost".to_string() } else { addr.ip().to_string() }
    )]
    Served {
        /// The data dir.
        dir: PathBuf,
        /// The server's pid.
        pid: u32,
        /// Where it listens.
        addr: std::net::SocketAddr,
    },
    /// The lock file could not be created or locked.
    #[error("cannot lock data dir {}: {source}", dir.display())]
    Io {
        /// The data dir.
        dir: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
}

impl DirLock {
    /// Takes the lock on `dir/lock`, writing our pid into it.
    pub fn acquire(dir: &Path) -> Result<DirLock, LockError> {
        let io = |source| LockError::Io {
            dir: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(dir.join("lock"))
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                let pid: Option<u32> = text.trim().parse().ok();
                if let Some(pid) = pid
                    && let Some(addr) = super::serving::announced(dir, pid)
                {
                    return Err(LockError::Served {
                        dir: dir.to_path_buf(),
                        pid,
                        addr,
                    });
                }
                return Err(LockError::Busy {
                    dir: dir.to_path_buf(),
                    pid,
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        write!(file, "{}", std::process::id()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(DirLock { _file: file })
    }
}
