//! The server's host key: Ed25519, generated on first start into the data dir with mode 0600,
//! and read on every later start, so clients see the same fingerprint.

use std::io::Write;
use std::path::{Path, PathBuf};

use russh::keys::ssh_key::{Algorithm, LineEnding, PrivateKey};

/// The host key's file name in the data dir.
pub const FILE_NAME: &str = "ssh_host_ed25519_key";

/// Why the host key cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum HostKeyError {
    /// The key file could not be read or written.
    #[error("host key {}: {source}", path.display())]
    Io {
        /// The key file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The key file is not an unencrypted OpenSSH private key.
    #[error("host key {}: not an unencrypted OpenSSH private key: {message}", path.display())]
    Invalid {
        /// The key file.
        path: PathBuf,
        /// What the parser said.
        message: String,
    },
    /// The key file can be read by others: refuse, as sshd does.
    #[error("host key {}: mode {mode:o} lets others read it; run `chmod 600` on it", path.display())]
    Exposed {
        /// The key file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
}

/// The host key in `dir`, generated (and saved with mode 0600) when there is none yet. Returns
/// the key and whether it was generated now.
pub fn load_or_create(dir: &Path) -> Result<(PrivateKey, bool), HostKeyError> {
    let path = dir.join(FILE_NAME);
    let io = |source| HostKeyError::Io {
        path: path.clone(),
        source,
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            check_mode(&path)?;
            let key =
                PrivateKey::from_openssh(text.as_bytes()).map_err(|e| HostKeyError::Invalid {
                    path: path.clone(),
                    message: e.to_string(),
                })?;
            if key.is_encrypted() {
                return Err(HostKeyError::Invalid {
                    path,
                    message: "it is encrypted".into(),
                });
            }
            Ok((key, false))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = PrivateKey::random(&mut rand::rng(), Algorithm::Ed25519).map_err(|e| {
                HostKeyError::Invalid {
                    path: path.clone(),
                    message: e.to_string(),
                }
            })?;
            let text = key
                .to_openssh(LineEnding::LF)
                .map_err(|e| HostKeyError::Invalid {
                    path: path.clone(),
                    message: e.to_string(),
                })?;
            std::fs::create_dir_all(dir).map_err(io)?;
            // Written whole beside it, then linked into place: a crash leaves no half key, and
            // of two servers starting at once only one key wins (the link fails if it exists).
            let tmp = dir.join(format!("{FILE_NAME}.{}.tmp", std::process::id()));
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let written = options.open(&tmp).and_then(|mut file| {
                file.write_all(text.as_bytes())?;
                file.sync_all()
            });
            let linked = written.and_then(|()| std::fs::hard_link(&tmp, &path));
            let _ = std::fs::remove_file(&tmp);
            match linked {
                Ok(()) => Ok((key, true)),
                // Another start won the race: use its key.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create(dir),
                Err(e) => Err(io(e)),
            }
        }
        Err(e) => Err(io(e)),
    }
}

/// The SHA-256 fingerprint of the host key, as `ssh` shows it.
pub fn fingerprint(key: &PrivateKey) -> String {
    super::users::fingerprint(key.public_key())
}

#[cfg(unix)]
fn check_mode(path: &Path) -> Result<(), HostKeyError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|source| HostKeyError::Io {
            path: path.to_path_buf(),
            source,
        })?
        .permissions()
        .mode()
        & 0o777;
    if mode & 0o077 != 0 {
        return Err(HostKeyError::Exposed {
            path: path.to_path_buf(),
            mode,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_mode(_: &Path) -> Result<(), HostKeyError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_once_with_mode_0600_then_read_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (first, created) = load_or_create(dir.path()).expect("create");
        assert!(created);
        let (again, created) = load_or_create(dir.path()).expect("read");
        assert!(!created);
        assert_eq!(fingerprint(&first), fingerprint(&again));
        assert!(fingerprint(&first).starts_with("SHA256:"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let path = dir.path().join(FILE_NAME);
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
            let err = load_or_create(dir.path()).expect_err("exposed").to_string();
            assert!(err.contains("lets others read it"), "{err}");
        }
    }

    #[test]
    fn a_damaged_key_is_reported_not_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(FILE_NAME);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(&path)
            .and_then(|mut f| f.write_all(b"not a key"))
            .expect("write");
        let err = load_or_create(dir.path()).expect_err("invalid").to_string();
        assert!(
            err.contains("not an unencrypted OpenSSH private key"),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).expect("read"), b"not a key");
    }
}
