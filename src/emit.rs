//! Emit: print rendered files, or write them into a directory atomically.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::backend::OutputFile;

/// Every file under a line naming it, as `tail` does for several files.
pub fn to_stdout(files: &[OutputFile]) -> String {
    let mut out = String::new();
    for (index, file) in files.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        out.push_str(&format!("==> {} <==\n", file.path));
        out.push_str(&file.content);
    }
    out
}

/// Write every file: all temp files are written and synced first, then
/// renamed into place, so an error before the renames leaves `dir` as it was.
pub fn write_all(dir: &Path, files: &[OutputFile]) -> std::io::Result<()> {
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let result = stage(dir, files, &mut staged);
    if let Err(error) = result {
        for (temp, _) in &staged {
            let _ = fs::remove_file(temp);
        }
        return Err(error);
    }
    for (temp, target) in &staged {
        fs::rename(temp, target)?;
    }
    for parent in staged.iter().filter_map(|(_, t)| t.parent()) {
        if let Ok(handle) = fs::File::open(parent) {
            let _ = handle.sync_all();
        }
    }
    Ok(())
}

fn stage(
    dir: &Path,
    files: &[OutputFile],
    staged: &mut Vec<(PathBuf, PathBuf)>,
) -> std::io::Result<()> {
    for file in files {
        let target = dir.join(&file.path);
        let parent = target.parent().unwrap_or(dir);
        fs::create_dir_all(parent)?;
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("file");
        let temp = parent.join(format!(".{name}.fwgen-{}", std::process::id()));
        let mut handle = fs::File::create(&temp)?;
        staged.push((temp.clone(), target.clone()));
        handle.write_all(file.content.as_bytes())?;
        handle.sync_all()?;
    }
    Ok(())
}
