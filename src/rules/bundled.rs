//! The rule files shipped in `config/rules/`, compiled into the binary, so that `lage` tags out
//! of the box (the demo, or a config that names no rule directory). Embedding is done at build
//! time; nothing here reads the disk.

use std::path::Path;

use include_dir::{Dir, include_dir};

use super::{RuleErrors, RuleFile, RuleSet};

static RULES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/config/rules");

/// The bundled rule files, sorted by name (as [`RuleSet::load_dir`] reads a directory) and named
/// `config/rules/FILE` in messages.
pub fn files() -> Vec<RuleFile> {
    let mut files: Vec<RuleFile> = RULES
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "toml"))
        .map(|f| RuleFile {
            path: Path::new("config/rules").join(f.path()),
            text: String::from_utf8_lossy(f.contents()).into_owned(),
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// The bundled rules, compiled.
pub fn rule_set() -> Result<RuleSet, RuleErrors> {
    RuleSet::from_files(&files())
}
