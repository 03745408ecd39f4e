//! Tagging rules: the analyst-readable TOML rule language (`docs/rules.md`), compiled once into
//! one matcher for all rules, applied to items at ingest and on demand (test, explain, replay).
//!
//! `syntax` reads the files, `term` parses terms, `fold` folds text for matching, `compile`
//! checks everything and builds the [`Engine`], `engine` tags. Nothing here does IO except
//! reading rule files in [`RuleSet::load_dir`]; tagging is a pure function of the item and the
//! compiled rules.

pub mod bundled;
mod compile;
mod engine;
mod evaluate;
pub mod fold;
pub mod replay;
mod syntax;
mod term;
pub mod watch;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use xxhash_rust::xxh3::Xxh3;

use crate::item::Item;
use crate::tags::Tagging;
pub use engine::{Engine, Miss, Rule};

/// One rule file's text and where it came from.
#[derive(Debug, Clone)]
pub struct RuleFile {
    /// The file (used in messages).
    pub path: PathBuf,
    /// Its text.
    pub text: String,
}

/// A rule file error, naming the file, the line and (where known) the rule.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RuleError {
    /// The directory or a file could not be read, or the rules as a whole are too large.
    #[error("{}: {message}", path.display())]
    Read {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A value or the syntax is wrong.
    #[error("{}:{line}: {}{message}", path.display(), rule.as_ref().map(|r| format!("rule '{r}': ")).unwrap_or_default())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// The rule's name, when the error is inside a rule.
        rule: Option<String>,
        /// What is wrong, quoting the bad value, and what is expected.
        message: String,
    },
}

/// Every error found in a set of rule files (checking does not stop at the first).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct RuleErrors(pub Vec<RuleError>);

/// A compiled set of rules.
#[derive(Debug, Default)]
pub struct RuleSet {
    engine: Engine,
    version: String,
    files: Vec<PathBuf>,
}

impl RuleSet {
    /// A set with no rules: tags nothing.
    pub fn empty() -> RuleSet {
        RuleSet::default()
    }

    /// Reads and compiles every `*.toml` file in `dir`, in file-name order.
    pub fn load_dir(dir: &Path) -> Result<RuleSet, RuleErrors> {
        RuleSet::from_files(&read_dir(dir)?)
    }

    /// Compiles rule files given as text, in the order given.
    pub fn from_files(files: &[RuleFile]) -> Result<RuleSet, RuleErrors> {
        let engine = compile::compile(files).map_err(RuleErrors)?;
        Ok(RuleSet {
            engine,
            version: format!("{:016x}", files_digest(files).digest()),
            files: files.iter().map(|f| f.path.clone()).collect(),
        })
    }

    /// Tags an item: the firing rules, their tags and evidence.
    pub fn tag(&self, item: &Item) -> Tagging {
        self.engine.tag(item, &self.version)
    }

    /// Tags an item and also says why the rules that found something did not fire.
    pub fn trace(&self, item: &Item) -> (Tagging, Vec<Miss>) {
        self.engine.trace(item, &self.version)
    }

    /// A fingerprint of the rule files (stored with each tagging).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The compiled rules, in order.
    pub fn rules(&self) -> &[Rule] {
        &self.engine.rules
    }

    /// The files the rules came from.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// Every tag some rule can give, sorted.
    pub fn tags(&self) -> Vec<&str> {
        let mut tags: Vec<&str> = self
            .engine
            .rules
            .iter()
            .flat_map(|r| r.tags.iter().map(String::as_str))
            .collect();
        tags.sort_unstable();
        tags.dedup();
        tags
    }
}

/// A running hash of rule files' names and texts, in order: the rule set's version, and what
/// the watcher compares. The file name, not the path, so the same rules reached by another path
/// are the same.
fn files_digest(files: &[RuleFile]) -> Xxh3 {
    let mut hash = Xxh3::new();
    for file in files {
        let name = file.path.file_name().unwrap_or(file.path.as_os_str());
        hash.update(name.to_string_lossy().as_bytes());
        hash.update(&[0]);
        hash.update(file.text.as_bytes());
        hash.update(&[0]);
    }
    hash
}

/// Reads the `*.toml` files of a rule directory, sorted by file name.
pub fn read_dir(dir: &Path) -> Result<Vec<RuleFile>, RuleErrors> {
    let read_error = |path: &Path, e: std::io::Error| {
        RuleErrors(vec![RuleError::Read {
            path: path.to_path_buf(),
            message: format!("cannot read rules: {e}"),
        }])
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| read_error(dir, e))? {
        let path = entry.map_err(|e| read_error(dir, e))?.path();
        if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    if paths.is_empty() {
        // Rules moved away mid-edit must not silently untag everything from then on.
        return Err(RuleErrors(vec![RuleError::Read {
            path: dir.to_path_buf(),
            message: "no rule files (*.toml) in the directory".into(),
        }]));
    }
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let len = std::fs::metadata(&path)
            .map_err(|e| read_error(&path, e))?
            .len();
        if len > compile::MAX_FILE_BYTES as u64 {
            return Err(RuleErrors(vec![RuleError::Read {
                path,
                message: format!(
                    "the file is {len} bytes, at most {} are read",
                    compile::MAX_FILE_BYTES
                ),
            }]));
        }
        let text = std::fs::read_to_string(&path).map_err(|e| read_error(&path, e))?;
        files.push(RuleFile { path, text });
    }
    Ok(files)
}

/// A hash of everything in an item that rules look at; when two versions of an item have the
/// same fingerprint, their tags are the same under the same rules.
pub fn input_fingerprint(item: &Item) -> u64 {
    let mut hash = Xxh3::new();
    let mut put = |text: &str| {
        hash.update(text.as_bytes());
        hash.update(&[0]);
    };
    put(&item.title);
    put(&item.summary);
    put(&item.body);
    put(&item.source);
    put(&item.kind);
    for category in &item.categories {
        put(category);
    }
    put("\u{1}");
    if let Some(name) = item.location.as_ref().and_then(|l| l.name.as_deref()) {
        put(name);
    }
    for area in item.areas.iter().chain(&item.geocodes) {
        put(area);
    }
    put("\u{1}");
    put(item.local.as_ref().map_or("", |l| l.place.as_str()));
    put(item.severity.map_or("", |s| s.as_str()));
    hash.digest()
}

/// The rules in force, shared by the poller and the frontends, swapped whole on a reload.
pub type SharedRules = Arc<std::sync::RwLock<Arc<RuleSet>>>;
