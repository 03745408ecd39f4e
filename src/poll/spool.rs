//! Spool directories: files another system drops for us leave the spool once handled.

use std::path::PathBuf;

/// The folders handled spool files move to.
const FOLDERS: [&str; 2] = ["processed", "rejected"];

/// Makes sure handled files can leave the spool (the folders exist and are folders) before
/// anything is stored; otherwise the same first files would be read on every poll and the
/// rest never.
pub(super) fn prepare(files: &[PathBuf]) -> Result<(), String> {
    let Some(dir) = files.iter().find_map(|f| f.parent()) else {
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

/// Moves spool files into a sibling folder (`processed/`, `rejected/`) once they are handled,
/// so the spool only holds what is still to do.
pub(super) fn move_aside(paths: &[PathBuf], folder: &str) {
    for path in paths {
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            continue;
        };
        let target_dir = dir.join(folder);
        let moved = std::fs::create_dir_all(&target_dir)
            .and_then(|()| std::fs::rename(path, target_dir.join(name)));
        if let Err(e) = moved {
            tracing::error!("cannot move {} to {folder}/: {e}", path.display());
        }
    }
}
