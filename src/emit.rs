//! Emit: print rendered files, or carry out a plan in a directory so that
//! an error leaves the directory as it was.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::backend::OutputFile;
use crate::plan::{Change, Plan};

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

/// Where the previous version of a replaced or removed file goes.
#[derive(Debug, Clone)]
pub enum Backup {
    /// `FILE.bak` beside the file.
    Beside,
    /// The same relative path under another directory.
    Dir(PathBuf),
}

impl Backup {
    fn path(&self, dir: &Path, relative: &str) -> PathBuf {
        match self {
            Backup::Beside => PathBuf::from(format!("{}.bak", dir.join(relative).display())),
            Backup::Dir(backups) => backups.join(relative),
        }
    }
}

/// Mode for files fwgen creates: none of them holds secrets.
const NEW_FILE_MODE: u32 = 0o644;

struct Staged {
    temp: PathBuf,
    target: PathBuf,
}

/// Carry out a plan: stage and sync every new file, back up every file
/// that will be replaced or removed, then rename into place. A failure
/// before the renames changes nothing; a failure during them is rolled back
/// from the backups.
pub fn apply(plan: &Plan, backup: &Backup) -> std::io::Result<()> {
    let mut staged = Vec::new();
    if let Err(error) = stage(plan, &mut staged).and_then(|()| back_up(plan, backup)) {
        for file in &staged {
            let _ = fs::remove_file(&file.temp);
        }
        return Err(error);
    }
    let mut done: Vec<&Staged> = Vec::new();
    for file in &staged {
        if let Err(error) = fs::rename(&file.temp, &file.target) {
            roll_back(plan, backup, &done, &staged);
            return Err(error);
        }
        done.push(file);
    }
    for entry in plan
        .entries
        .iter()
        .filter(|e| matches!(e.change, Change::Remove { .. }))
    {
        fs::remove_file(plan.dir.join(&entry.path))?;
    }
    sync_dirs(&staged);
    Ok(())
}

fn stage(plan: &Plan, staged: &mut Vec<Staged>) -> std::io::Result<()> {
    for entry in plan.changes() {
        let Some(content) = &entry.content else {
            continue;
        };
        let target = plan.dir.join(&entry.path);
        let parent = target.parent().unwrap_or(&plan.dir).to_owned();
        fs::create_dir_all(&parent)?;
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("file");
        let temp = parent.join(format!(".{name}.fwgen-{}.tmp", std::process::id()));
        let mut handle = fs::File::create(&temp)?;
        staged.push(Staged {
            temp: temp.clone(),
            target: target.clone(),
        });
        handle.write_all(content.as_bytes())?;
        keep_mode_and_owner(&temp, &target)?;
        handle.sync_all()?;
    }
    Ok(())
}

/// A replaced file keeps its mode and owner; a new one is 0644.
fn keep_mode_and_owner(temp: &Path, target: &Path) -> std::io::Result<()> {
    match fs::metadata(target) {
        Ok(old) => {
            fs::set_permissions(temp, fs::Permissions::from_mode(old.mode() & 0o7777))?;
            std::os::unix::fs::chown(temp, Some(old.uid()), Some(old.gid()))
        }
        Err(_) => fs::set_permissions(temp, fs::Permissions::from_mode(NEW_FILE_MODE)),
    }
}

fn back_up(plan: &Plan, backup: &Backup) -> std::io::Result<()> {
    for entry in plan.changes() {
        if matches!(entry.change, Change::Create) {
            continue;
        }
        let source = plan.dir.join(&entry.path);
        let target = backup.path(&plan.dir, &entry.path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::copy(&source, &target)?;
        fs::File::open(&target)?.sync_all()?;
    }
    Ok(())
}

fn roll_back(plan: &Plan, backup: &Backup, done: &[&Staged], staged: &[Staged]) {
    for file in done {
        let relative = file.target.strip_prefix(&plan.dir).unwrap_or(&file.target);
        let saved = backup.path(&plan.dir, &relative.to_string_lossy());
        if saved.exists() {
            let _ = fs::copy(&saved, &file.target);
        } else {
            let _ = fs::remove_file(&file.target);
        }
    }
    for file in staged {
        let _ = fs::remove_file(&file.temp);
    }
}

fn sync_dirs(staged: &[Staged]) {
    for parent in staged.iter().filter_map(|s| s.target.parent()) {
        if let Ok(handle) = fs::File::open(parent) {
            let _ = handle.sync_all();
        }
    }
}
