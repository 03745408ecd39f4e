//! Spool directories: files another system drops for us leave the spool once handled.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// The folders handled spool files move to.
const FOLDERS: [&str; 2] = ["processed", "rejected"];

/// Makes sure handled files can leave the spool (the folders exist and are folders) before
/// anything is stored; otherwise the same first files would be read on every poll and the
/// rest never.
pub(super) fn prepare<'a>(files: impl IntoIterator<Item = &'a PathBuf>) -> Result<(), String> {
    let Some(dir) = files.into_iter().find_map(|f| f.parent()) else {
        return Ok(());
    };
    for folder in FOLDERS {
        std::fs::create_dir_all(dir.join(folder)).map_err(|e| {
            format!(
                "the spool is not writable: cannot create {folder}/ in {}: {e}",
                dir.display()
            )
        })?;
    }
    Ok(())
}

/// `dir/name`, or `dir/name.2`, `dir/name.3`… when that is taken: a file set aside earlier
/// under the same name must never be overwritten.
fn free_name(dir: &Path, name: &OsStr) -> PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    (2u32..)
        .map(|n| {
            let mut numbered = name.to_os_string();
            numbered.push(format!(".{n}"));
            dir.join(numbered)
        })
        .find(|p| !p.exists())
        .unwrap_or(first)
}

/// Moves spool files into a sibling folder (`processed/`, `rejected/`) once they are handled,
/// so the spool only holds what is still to do.
pub(super) fn move_aside(paths: &[PathBuf], folder: &str) {
    for path in paths {
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            continue;
        };
        let target_dir = dir.join(folder);
        let moved = std::fs::create_dir_all(&target_dir)
            .and_then(|()| std::fs::rename(path, free_name(&target_dir, name)));
        if let Err(e) = moved {
            tracing::error!("cannot move {} to {folder}/: {e}", path.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_set_aside_earlier_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        for content in ["first", "second", "third"] {
            std::fs::write(dir.path().join("export.json"), content).unwrap();
            move_aside(&[dir.path().join("export.json")], "rejected");
        }
        let read =
            |name: &str| std::fs::read_to_string(dir.path().join("rejected").join(name)).unwrap();
        assert_eq!(read("export.json"), "first");
        assert_eq!(read("export.json.2"), "second");
        assert_eq!(read("export.json.3"), "third");
    }
}
