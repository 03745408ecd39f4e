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

use russh::keys::ssh_key::{AuthorizedKeys, HashAlg, PublicKey};
use serde::Deserialize;
use toml::Spanned;

use crate::access::Role;
use crate::config::{ConfigError, line_of};

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
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let offset = e.span().map(|s| s.start).unwrap_or(0);
            invalid(offset, e.message().trim().replace('\n', " "))
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let mut by_name = BTreeMap::new();
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
                    parse_keys(value).map_err(|e| {
                        invalid(
                            entry.span().start,
                            format!("user '{name}': not an OpenSSH public key line: {e}"),
                        )
                    })?
                } else {
                    let file = base.join(value);
                    let text =
                        std::fs::read_to_string(&file).map_err(|source| ConfigError::Read {
                            path: file.clone(),
                            source,
                        })?;
                    parse_keys(&text).map_err(|e| ConfigError::Invalid {
                        path: file.clone(),
                        line: 1,
                        message: format!("user '{name}': not an authorized_keys file: {e}"),
                    })?
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
        Ok(Users { by_name })
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
    modified: Option<SystemTime>,
    users: Users,
}

impl UsersFile {
    /// Reads the file; it must be valid at start.
    pub fn open(path: &Path) -> Result<UsersFile, ConfigError> {
        let modified = modified(path);
        let users = Users::load(path)?;
        Ok(UsersFile {
            path: path.to_path_buf(),
            modified,
            users,
        })
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The users as of now (re-read if the file changed).
    pub fn current(&mut self) -> &Users {
        let now = modified(&self.path);
        if now != self.modified {
            self.modified = now;
            match Users::load(&self.path) {
                Ok(users) => {
                    tracing::info!(
                        "users file {} read again: {} users",
                        self.path.display(),
                        users.len()
                    );
                    self.users = users;
                }
                Err(e) => tracing::error!("{e}; keeping the users read before"),
            }
        }
        &self.users
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
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

fn parse_keys(text: &str) -> Result<Vec<PublicKey>, String> {
    let mut keys = Vec::new();
    for entry in AuthorizedKeys::new(text) {
        let entry = entry.map_err(|e| e.to_string())?;
        keys.push(entry.public_key().clone());
    }
    if keys.is_empty() {
        return Err("no key in it".into());
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANNA: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMg2LhOF/XKtsMzfDECElxsBSx13ct9iG2eS+B6u1bvD anna@laptop";

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
            format!("# anna's keys\n\nno-pty {ANNA}\n"),
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
        let missing = parse("[[user]]\nname = \"anna\"\nrole = \"duty\"\nkeys = [\"nope.keys\"]\n")
            .expect_err("missing file")
            .to_string();
        assert!(
            missing.starts_with("/etc/lage/nope.keys: cannot read"),
            "{missing}"
        );
    }
}
