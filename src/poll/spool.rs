//! Spool directories: files another system drops for us leave the spool once handled.

use std::path::PathBuf;

/// Moves spool files into a sibling folder (`processed/`, `rejected/`) once they are handled,
/// so the spool only holds what is still to do. A read-only spool is left as it is (dedup keeps
/// re-reads harmless).
pub(super) fn move_aside(paths: &[PathBuf], folder: &str) {
    for path in paths {
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            continue;
        };
        let target_dir = dir.join(folder);
        let moved = std::fs::create_dir_all(&target_dir)
            .and_then(|()| std::fs::rename(path, target_dir.join(name)));
        if let Err(e) = moved {
            tracing::warn!("cannot move {} to {folder}/: {e}", path.display());
        }
    }
}
