//! The users file (`users.toml` beside the config, or `--users FILE`): who may log in, with
//! which keys, in which role.
//!
//! ```toml
//! [[user]]
//! name = "anna"
//! role = "analyst"          # viewer, duty, analyst or admin
//! keys = [
//!   "ssh-ed25519 AAAAC3... anna@laptop",   # an OpenSSH public key line
//!   "keys/anna.authorized_keys",           # or a file of them, relative to this file
//! ]
//! ```
//!
//! Key lines and `authorized_keys` files are read by `ssh-key`'s parser. Errors name the file
//! and line and say what is expected. The file is read again when it changes, so an admin can
//! add or remove a user without restarting the server.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use russh::keys::ssh_key::{Algorithm, AuthorizedKeys, HashAlg, PublicKey};
use serde::Deserialize;
use toml::Spanned;

use crate::access::Role;
use crate::config::{ConfigError, line_of, parse_toml};

/// A user who may log in.
#[derive(Debug, Clone)]
pub struct User {
    /// The login name.
    pub name: String,
    /// The role.
    pub role: Role,
    /// The public keys that log in as this user.
    pub keys: Vec<PublicKey>,
}

impl User {
    /// Whether `key` is one of this user's keys (compared by key data, not comment).
    pub fn has_key(&self, key: &PublicKey) -> bool {
        self.keys.iter().any(|k| k.key_data() == key.key_data())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    user: Vec<Spanned<RawUser>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUser {
    name: Spanned<String>,
    role: Spanned<String>,
    #[serde(default)]
    keys: Vec<Spanned<String>>,
}

/// Every user, by name.
#[derive(Debug, Clone, Default)]
pub struct Users {
    by_name: BTreeMap<String, User>,
    // The keys files read, so a change to one is noticed like a change to the users file.
    key_files: Vec<PathBuf>,
}

impl Users {
    /// Reads and checks the users file at `path`.
    pub fn load(path: &Path) -> Result<Users, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Users::parse(&text, path)
    }

    /// Parses the users file `text` read from `path` (key files are relative to its directory).
    pub fn parse(text: &str, path: &Path) -> Result<Users, ConfigError> {
        let invalid = |offset: usize, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            line: line_of(text, offset),
            message,
        };
        let raw: RawFile = parse_toml(text, path)?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut by_name = BTreeMap::new();
        let mut key_files = Vec::new();
        for user in raw.user {
            let at = user.span().start;
            let user = user.into_inner();
            let name = user.name.get_ref();
            if !valid_name(name) {
                return Err(invalid(
                    user.name.span().start,
                    format!(
                        "user name '{}': expected 1 to 32 of a-z, 0-9, '.', '_' or '-', starting with a letter",
                        name.escape_debug()
                    ),
                ));
            }
            let Some(role) = Role::parse(user.role.get_ref()) else {
                return Err(invalid(
                    user.role.span().start,
                    format!(
                        "user '{name}': role '{}': expected viewer, duty, analyst or admin",
                        user.role.get_ref().escape_debug()
                    ),
                ));
            };
            if user.keys.is_empty() {
                return Err(invalid(
                    at,
                    format!(
                        "user '{name}': no keys; give at least one public key line or authorized_keys file"
                    ),
                ));
            }
            let mut keys = Vec::new();
            for entry in &user.keys {
                let value = entry.get_ref().trim();
                let found = if looks_like_key(value) {
                    parse_keys(value).map_err(|(_, e)| {
                        invalid(entry.span().start, format!("user '{name}': {e}"))
                    })?
                } else {
                    let file = base.join(value);
                    let text =
                        std::fs::read_to_string(&file).map_err(|source| ConfigError::Read {
                            path: file.clone(),
                            source,
                        })?;
                    let keys = parse_keys(&text).map_err(|(line, e)| ConfigError::Invalid {
                        path: file.clone(),
                        line,
                        message: format!("user '{name}': {e}"),
                    })?;
                    key_files.push(file);
                    keys
                };
                keys.extend(found);
            }
            if by_name.contains_key(name) {
                return Err(invalid(
                    user.name.span().start,
                    format!("user '{name}' is defined twice"),
                ));
            }
            by_name.insert(
                name.clone(),
                User {
                    name: name.clone(),
                    role,
                    keys,
                },
            );
        }
        Ok(Users { by_name, key_files })
    }

    /// The user named `name`.
    pub fn get(&self, name: &str) -> Option<&User> {
        self.by_name.get(name)
    }

    /// How many users there are.
    pub fn len(&self) -> usize {
        self.by_name.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_name.is_empty()
    }
}

/// The users file, read again when its modification time changes. A file that became invalid
/// keeps the users it had (and the error is logged), so a typo never locks everyone out.
#[derive(Debug)]
pub struct UsersFile {
    path: PathBuf,
    // When the users file and each keys file it names were last changed.
    modified: Vec<Option<SystemTime>>,
    users: Users,
}

impl UsersFile {
    /// Reads the file; it must be valid at start.
    pub fn open(path: &Path) -> Result<UsersFile, ConfigError> {
        let users = Users::load(path)?;
        Ok(UsersFile {
            path: path.to_path_buf(),
            modified: stamps(path, &users),
            users,
        })
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The users as of now (re-read if the file or one of its keys files changed).
    pub fn current(&mut self) -> &Users {
        if stamps(&self.path, &self.users) != self.modified {
            match Users::load(&self.path) {
                Ok(users) => {
                    self.modified = stamps(&self.path, &users);
                    tracing::info!(
                        "users file {} read again: {} users",
                        self.path.display(),
                        users.len()
                    );
                    self.users = users;
                }
                Err(e) => {
                    // Not again until the next change.
                    self.modified = stamps(&self.path, &self.users);
                    tracing::error!("{e}; keeping the users read before");
                }
            }
        }
        &self.users
    }
}

fn stamps(path: &Path, users: &Users) -> Vec<Option<SystemTime>> {
    std::iter::once(path)
        .chain(users.key_files.iter().map(PathBuf::as_path))
        .map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok())
        .collect()
}

/// The SHA-256 fingerprint of `key`, as OpenSSH prints it (`SHA256:...`).
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && name.len() <= 32
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
}

/// A key line has a space and an algorithm word (`ssh-ed25519`, `ecdsa-...`, `sk-...`, possibly
/// after authorized_keys options); anything else names a keys file.
fn looks_like_key(value: &str) -> bool {
    value.split_whitespace().any(|word| {
        word.starts_with("ssh-") || word.starts_with("ecdsa-") || word.starts_with("sk-")
    }) && value.contains(' ')
}

/// The keys in `text` (one key line, or an authorized_keys file), or the 1-based line and what
/// is wrong with it. Options (`from=`, `restrict`, `command=` ...) are refused rather than
/// ignored, since ignoring them would let a key in more widely than its line says; so are key
/// types this server cannot verify (RSA, security keys).
fn parse_keys(text: &str) -> Result<Vec<PublicKey>, (usize, String)> {
    let mut keys = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let entry = match AuthorizedKeys::new(trimmed).next() {
            Some(Ok(entry)) => entry,
            Some(Err(e)) => {
                return Err((line_no, format!("not an OpenSSH public key line: {e}")));
            }
            None => continue,
        };
        if !entry.config_opts().is_empty() {
            return Err((
                line_no,
                format!(
                    "key options ('{}') are not supported; give the bare key line",
                    entry.config_opts().to_string().escape_debug()
                ),
            ));
        }
        let key = entry.public_key().clone();
        if !matches!(
            key.algorithm(),
            Algorithm::Ed25519 | Algorithm::Ecdsa { .. }
        ) {
            return Err((
                line_no,
                format!(
                    "{} keys are not accepted; use an Ed25519 or ECDSA key (ssh-keygen -t ed25519)",
                    key.algorithm()
                ),
            ));
        }
        keys.push(key);
    }
    if keys.is_empty() {
        return Err((1, "no key in it".into()));
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANNA: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMg2LhOF/XKtsMzfDECElxsBSx13ct9iG2eS+B6u1bvD anna@laptop";

    const OTHER: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINTvhplAP3ovIEcVd8N7i+OEh/4u0ApRTZBjkgpP2IFK other";
    const RSA: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCvsxtDTrV2xHOUsNor0xepf/g4dhuvSyFe1hG8ZQ3LQOUTOMXm2bedhr0PRhBVpKJ1zlOM2ig2AUg2q0MokRIprLWS8m+l6QhrtyyhU2grJnGzIh5O6f0kUVrUHYSjE9l9CsCdIvgcrWomomSDCSBMKrXX3Jdmn6O3HE3hJ0SKgViHWfgLT+oEXhbF/C2NWO79gvPHrmjwg99jnTrS47RN6HyEirZynxztigSr7vx4fPvlANHyIIBIURUYbAUDBS0P3opi6AzIf5SQkRnCAbO2LGv0MxkRbVACLx1wy0yGec5F4m1RVv+2C7zqAYE60h2esoXAZkAMMQc5XXgqXD3T rsa";

    /// A users file in `dir` giving anna the keys in `anna.keys`: (users file, keys file).
    fn anna_with_keys_file(dir: &Path) -> (PathBuf, PathBuf) {
        let users = dir.join("users.toml");
        std::fs::write(
            &users,
            "[[user]]\nname = \"anna\"\nrole = \"duty\"\nkeys = [\"anna.keys\"]\n",
        )
        .expect("write");
        (users, dir.join("anna.keys"))
    }

    fn parse(text: &str) -> Result<Users, ConfigError> {
        Users::parse(text, Path::new("/etc/lage/users.toml"))
    }

    #[test]
    fn users_with_key_lines_and_roles() {
        let users = parse(&format!(
            "[[user]]\nname = \"anna\"\nrole = \"analyst\"\nkeys = [\"{ANNA}\"]\n"
        ))
        .expect("valid");
        let anna = users.get("anna").expect("anna");
        assert_eq!(anna.role, Role::Analyst);
        assert_eq!(anna.keys.len(), 1);
        assert!(anna.has_key(&anna.keys[0]));
        assert!(fingerprint(&anna.keys[0]).starts_with("SHA256:"));
        assert!(users.get("bo").is_none());
    }

    #[test]
    fn keys_from_an_authorized_keys_file_beside_the_users_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("anna.keys"),
            format!("# anna's keys\n\n{ANNA}\n"),
        )
        .expect("write");
        let path = dir.path().join("users.toml");
        std::fs::write(
            &path,
            "[[user]]\nname = \"anna\"\nrole = \"duty\"\nkeys = [\"anna.keys\"]\n",
        )
        .expect("write");
        let users = Users::load(&path).expect("valid");
        assert_eq!(users.get("anna").expect("anna").keys.len(), 1);
    }

    #[test]
    fn errors_name_the_line_and_what_is_expected() {
        let cases = [
            (
                "[[user]]\nname = \"anna\"\nrole = \"boss\"\nkeys = [\"x\"]\n",
                3,
                "role 'boss': expected viewer, duty, analyst or admin",
            ),
            (
                "[[user]]\nname = \"Anna Svensson\"\nrole = \"duty\"\nkeys = []\n",
                2,
                "user name 'Anna Svensson': expected 1 to 32",
            ),
            (
                "[[user]]\nname = \"anna\"\nrole = \"duty\"\nkeys = [\"ssh-ed25519 AAAAnotbase64 x\"]\n",
                4,
                "not an OpenSSH public key line",
            ),
            ("[[user]]\nname = \"anna\"\nrole = \"duty\"\n", 1, "no keys"),
            (
                "[[user]]\nname = \"anna\"\nrole = \"duty\"\nkey = []\n",
                4,
                "unknown field `key`",
            ),
        ];
        for (text, line, expected) in cases {
            let err = parse(text).expect_err(text).to_string();
            assert!(
                err.starts_with(&format!("/etc/lage/users.toml:{line}: ")),
                "{err}"
            );
            assert!(err.contains(expected), "{err}");
        }
        let twice = format!(
            "[[user]]\nname = \"anna\"\nrole = \"duty\"\nkeys = [\"{ANNA}\"]\n\n[[user]]\nname = \"anna\"\nrole = \"viewer\"\nkeys = [\"{ANNA}\"]\n"
        );
        let err = parse(&twice).expect_err("twice").to_string();
        assert!(err.contains(":7: user 'anna' is defined twice"), "{err}");
        // In a keys file: the line of the key with options, and keys that cannot be verified.
        let dir = tempfile::tempdir().expect("tempdir");
        let (users, keys) = anna_with_keys_file(dir.path());
        for (text, expected) in [
            (
                format!("# keys\n{ANNA}\nfrom=\"10.0.0.1\" {ANNA}\n"),
                ":3: user 'anna': key options",
            ),
            (
                format!("{ANNA}\n{RSA}\n"),
                ":2: user 'anna': ssh-rsa keys are not accepted",
            ),
        ] {
            std::fs::write(&keys, text).expect("write");
            let err = Users::load(&users).expect_err("refused").to_string();
            assert!(err.contains(&format!("anna.keys{expected}")), "{err}");
        }
        let missing = parse("[[user]]\nname = \"anna\"\nrole = \"duty\"\nkeys = [\"nope.keys\"]\n")
            .expect_err("missing file")
            .to_string();
        assert!(
            missing.starts_with("/etc/lage/nope.keys: cannot read"),
            "{missing}"
        );
    }

    #[test]
    fn a_key_removed_from_a_keys_file_is_noticed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (users, keys) = anna_with_keys_file(dir.path());
        std::fs::write(&keys, format!("{ANNA}\n")).expect("write");
        let mut file = UsersFile::open(&users).expect("open");
        let anna_key = file.current().get("anna").expect("anna").keys[0].clone();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&keys, format!("{}\n", OTHER)).expect("write");
        let anna = file.current().get("anna").expect("anna");
        assert!(!anna.has_key(&anna_key), "the removed key still logs in");
        // A broken edit keeps the users read before.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&users, "[[user]]\nname = 7\n").expect("write");
        assert!(file.current().get("anna").is_some());
    }
}
