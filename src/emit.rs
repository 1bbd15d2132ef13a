//! Emit: print rendered files, or carry out a plan in a directory so that
//! an error leaves the directory as it was, and a crash leaves either the
//! old set or (after the next run completes it) the new one.
//!
//! Writing a plan: every new file is staged under an unpredictable name
//! and synced; every file to be replaced or removed is copied to a backup
//! that never overwrites an earlier one, and synced; a journal naming every
//! rename is written and synced; then the renames and removals run and the
//! journal is removed. Whoever opens the directory next (render, diff,
//! apply) under its lock finds a journal only if a run died during the
//! renames, and completes them: every staged file was complete before the
//! first rename.

use std::fs::File;
use std::io::{self, Write};

use rustix::fs::{FileType, Gid, Mode, Uid};

use crate::backend::OutputFile;
use crate::plan::{Change, Plan};
use crate::secure_dir::{SecureDir, Trust, is_temp_name};

/// What `render` prints without `--out`: one file as it is (so `fwgen
/// render --backend nftables | nft -c -f -` works), several files each
/// under a line naming it, as `tail` does.
pub fn to_stdout(files: &[OutputFile]) -> String {
    if let [only] = files {
        return only.content.clone();
    }
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
#[derive(Debug)]
pub enum Backup {
    /// `FILE.bak` beside the file (`FILE.bak.1`, `.2`, ... once that exists).
    Beside,
    /// The same relative path under another directory, numbered the same way.
    Dir(SecureDir),
}

/// Mode for files fwgen creates: none of them holds secrets.
const NEW_FILE_MODE: u32 = 0o644;
/// Mode for directories fwgen creates in an output directory.
const NEW_DIR_MODE: u32 = 0o755;
/// Backups may hold an admin's own file: readable by root only.
const BACKUP_MODE: u32 = 0o600;

/// The journal's name in the output directory.
pub const JOURNAL: &str = ".fwgen-journal";
const JOURNAL_HEADER: &str = "fwgen journal 1";

/// What a run did beyond the plan, for the admin to read.
#[derive(Debug, Default)]
pub struct Report {
    /// Backups written, as paths.
    pub backups: Vec<String>,
}

/// One file staged beside its target.
struct Staged {
    dir: SecureDir,
    /// The directory relative to the output directory (`.` for itself).
    relative_dir: String,
    temp: String,
    name: String,
    /// The backup of the file this one replaces, once written.
    backup: Option<(SecureDir, String)>,
    /// Mode, owner and group of the file this one replaces.
    old: Option<(u32, u32, u32)>,
}

/// Open an output directory for writing: check who may write it, take its
/// lock, finish a run that died during its renames, and remove temporary
/// files that dead runs left. Returns the handle (holding the lock) and
/// what was repaired, one line each.
pub fn open_output(path: &std::path::Path, trust: Trust) -> io::Result<(SecureDir, Vec<String>)> {
    let dir = SecureDir::open(path, trust)?;
    dir.lock()?;
    let mut notes = Vec::new();
    if let Some(note) = recover(&dir, trust)? {
        notes.push(note);
    }
    let removed = remove_stale_temps(&dir, trust)?;
    if removed > 0 {
        notes.push(format!(
            "removed {removed} temporary file(s) an interrupted fwgen left in {}",
            dir.path().display()
        ));
    }
    Ok((dir, notes))
}

/// Carry out a plan in `dir` (opened with [`open_output`]).
/// Why a plan was not carried out, and whether the directory changed.
#[derive(Debug)]
pub struct WriteError {
    pub error: io::Error,
    /// False: the directory is as it was. True: the new files are in
    /// place but what followed failed (and the next run completes it).
    pub changed: bool,
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.changed {
            write!(
                f,
                "{}; the new files are in place, and the next fwgen run in the directory finishes what is left",
                self.error
            )
        } else {
            write!(f, "{}; nothing was changed", self.error)
        }
    }
}

fn unchanged(error: io::Error) -> WriteError {
    WriteError {
        error,
        changed: false,
    }
}

pub fn write(
    dir: &SecureDir,
    trust: Trust,
    plan: &Plan,
    backup: &Backup,
) -> Result<Report, WriteError> {
    let mut staged = Vec::new();
    let prepared = stage(dir, trust, plan, &mut staged)
        .and_then(|()| back_up(dir, trust, plan, backup, &mut staged))
        .and_then(|()| removals(dir, trust, plan))
        .and_then(|removals| {
            // Every staged file and its directory entry are durable before
            // the journal names them: a journal never names a lost temp.
            for file in &staged {
                file.dir.sync()?;
            }
            dir.sync()?;
            write_journal(dir, &staged, &removals).map(|()| removals)
        });
    let removals = match prepared {
        Ok(removals) => removals,
        Err(error) => {
            discard(&staged, true);
            return Err(unchanged(error));
        }
    };
    for (done, file) in staged.iter().enumerate() {
        if let Err(error) = file.dir.rename(&file.temp, &file.name) {
            roll_back(&staged[..done]);
            discard(&staged[done..], false);
            let _ = dir.remove(JOURNAL);
            return Err(unchanged(error));
        }
    }
    let finish = || -> io::Result<()> {
        for (parent, name, _) in &removals {
            parent.remove(name)?;
        }
        for file in &staged {
            file.dir.sync()?;
        }
        for (parent, _, _) in &removals {
            parent.sync()?;
        }
        dir.remove(JOURNAL)?;
        dir.sync()
    };
    finish().map_err(|error| WriteError {
        error,
        changed: true,
    })?;
    Ok(Report {
        backups: staged
            .iter()
            .filter_map(|s| s.backup.as_ref())
            .map(|(d, n)| d.path().join(n).display().to_string())
            .collect(),
    })
}

fn split(relative: &str) -> (String, &str) {
    match relative.rsplit_once('/') {
        Some((dir, name)) => (dir.to_owned(), name),
        None => (".".to_owned(), relative),
    }
}

fn stage(dir: &SecureDir, trust: Trust, plan: &Plan, staged: &mut Vec<Staged>) -> io::Result<()> {
    for entry in plan.changes() {
        let Some(content) = &entry.content else {
            continue;
        };
        let (parent, name) = dir
            .parent_of(&entry.path, Some(NEW_DIR_MODE), trust)?
            .ok_or_else(|| {
                io::Error::other(format!("cannot create the directory of {}", entry.path))
            })?;
        let (temp, mut file) = parent.create_temp(name, NEW_FILE_MODE)?;
        let name = name.to_owned();
        staged.push(Staged {
            dir: parent,
            relative_dir: split(&entry.path).0,
            temp,
            name,
            backup: None,
            old: None,
        });
        let Some(file_staged) = staged.last() else {
            continue;
        };
        file.write_all(content.as_bytes())?;
        let old = keep_mode_and_owner(&file, file_staged)?;
        file.sync_all()?;
        if let Some(last) = staged.last_mut() {
            last.old = old;
        }
    }
    Ok(())
}

/// A replaced file keeps its mode and owner (returned); a new one is 0644.
fn keep_mode_and_owner(file: &File, staged: &Staged) -> io::Result<Option<(u32, u32, u32)>> {
    let Some(old) = staged.dir.stat(&staged.name)? else {
        return Ok(None);
    };
    if FileType::from_raw_mode(old.st_mode) != FileType::RegularFile {
        return Err(io::Error::other(format!(
            "{} is not a regular file; fwgen replaces only regular files",
            staged.dir.path().join(&staged.name).display()
        )));
    }
    rustix::fs::fchmod(file, Mode::from_raw_mode(old.st_mode & 0o7777))?;
    // SAFETY of meaning: the ids come from the kernel's own stat of the file.
    let (uid, gid) = (Uid::from_raw(old.st_uid), Gid::from_raw(old.st_gid));
    rustix::fs::fchown(file, Some(uid), Some(gid))?;
    Ok(Some((old.st_mode & 0o7777, old.st_uid, old.st_gid)))
}

/// Copy every file that will be replaced or removed into a new backup
/// file, synced, before anything is replaced.
fn back_up(
    dir: &SecureDir,
    trust: Trust,
    plan: &Plan,
    backup: &Backup,
    staged: &mut [Staged],
) -> io::Result<()> {
    for entry in plan.changes() {
        if matches!(entry.change, Change::Create) {
            continue;
        }
        let Some((parent, name)) = dir.parent_of(&entry.path, None, trust)? else {
            continue;
        };
        let Some(bytes) = parent.read(name)? else {
            continue;
        };
        let (backup_dir, backup_name) = match backup {
            Backup::Beside => {
                let numbered_name = numbered(&parent, &format!("{name}.bak"))?;
                (parent, numbered_name)
            }
            Backup::Dir(root) => {
                let (target, _) = root
                    .parent_of(&entry.path, Some(0o700), Trust::Strict)?
                    .ok_or_else(|| io::Error::other("cannot create the backup directory"))?;
                let numbered_name = numbered(&target, name)?;
                (target, numbered_name)
            }
        };
        let base = match backup {
            Backup::Beside => format!("{name}.bak"),
            Backup::Dir(_) => name.to_owned(),
        };
        let backup_name = write_backup(&backup_dir, &backup_name, &base, &bytes)?;
        let slot = staged
            .iter_mut()
            .find(|s| s.name == name && s.relative_dir == split(&entry.path).0);
        match slot {
            Some(file) => file.backup = Some((backup_dir, backup_name)),
            None => drop(backup_dir),
        }
    }
    Ok(())
}

/// The first free backup name: `BASE`, else one above the highest
/// `BASE.N`, where BASE is `NAME.bak` beside the file and `NAME` in a
/// backup directory.
fn numbered(dir: &SecureDir, plain: &str) -> io::Result<String> {
    let plain = plain.to_owned();
    let names = dir.names()?;
    if !names.contains(&plain) {
        return Ok(plain);
    }
    let prefix = format!("{plain}.");
    let highest = names
        .iter()
        .filter_map(|n| n.strip_prefix(&prefix)?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    Ok(format!("{plain}.{}", highest + 1))
}

/// Write a backup under a name that did not exist; another process taking
/// it first moves this one to the next number after `base`. A failure
/// removes the half-written backup, and no earlier backup is ever touched.
fn write_backup(dir: &SecureDir, first: &str, base: &str, bytes: &[u8]) -> io::Result<String> {
    let name = base;
    let mut candidate = first.to_owned();
    loop {
        match dir.create_new(&candidate, BACKUP_MODE) {
            Ok(mut file) => {
                let written = file.write_all(bytes).and_then(|()| file.sync_all());
                if let Err(error) = written.and_then(|()| dir.sync()) {
                    let _ = dir.remove(&candidate);
                    return Err(io::Error::other(format!(
                        "cannot back up {} to {}: {error}",
                        name,
                        dir.path().join(&candidate).display()
                    )));
                }
                return Ok(candidate);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                candidate = numbered(dir, base)?;
            }
            Err(e) => {
                return Err(io::Error::other(format!(
                    "cannot back up {name} to {}: {e}",
                    dir.path().join(&candidate).display()
                )));
            }
        }
    }
}

type Removal = (SecureDir, String, String);

fn removals(dir: &SecureDir, trust: Trust, plan: &Plan) -> io::Result<Vec<Removal>> {
    let mut out = Vec::new();
    for entry in plan
        .entries
        .iter()
        .filter(|e| matches!(e.change, Change::Remove { .. }))
    {
        if let Some((parent, name)) = dir.parent_of(&entry.path, None, trust)? {
            out.push((parent, name.to_owned(), split(&entry.path).0));
        }
    }
    Ok(out)
}

fn write_journal(dir: &SecureDir, staged: &[Staged], removals: &[Removal]) -> io::Result<()> {
    let mut text = format!("{JOURNAL_HEADER}\n");
    for file in staged {
        text.push_str(&format!(
            "rename\t{}\t{}\t{}\n",
            file.relative_dir, file.temp, file.name
        ));
    }
    for (_, name, relative_dir) in removals {
        text.push_str(&format!("remove\t{relative_dir}\t{name}\n"));
    }
    dir.replace(JOURNAL, text.as_bytes(), 0o600)
}

/// Put back the files already renamed, from their backups (or remove them
/// when they were new).
fn roll_back(done: &[Staged]) {
    for file in done {
        match &file.backup {
            Some((backup_dir, backup_name)) => {
                if let Ok(Some(bytes)) = backup_dir.read(backup_name) {
                    let (mode, uid, gid) = file.old.unwrap_or((NEW_FILE_MODE, 0, 0));
                    let _ = file
                        .dir
                        .replace_as(&file.name, &bytes, mode, Some((uid, gid)));
                }
            }
            None => {
                let _ = file.dir.remove(&file.name);
            }
        }
    }
}

/// Remove staged files (and, before any rename, the backups just made).
fn discard(staged: &[Staged], with_backups: bool) {
    for file in staged {
        let _ = file.dir.remove(&file.temp);
        if with_backups && let Some((backup_dir, backup_name)) = &file.backup {
            let _ = backup_dir.remove(backup_name);
        }
    }
}

/// A regular file of ours that nobody else can write: what fwgen's own
/// journal and temporary files are.
fn written_by_us(stat: &rustix::fs::Stat) -> bool {
    FileType::from_raw_mode(stat.st_mode) == FileType::RegularFile
        && stat.st_uid == rustix::process::geteuid().as_raw()
        && stat.st_mode & 0o022 == 0
}

/// Whether `dir/name` is a file fwgen writes (for any backend).
fn known_output(dir: &str, name: &str) -> bool {
    let relative = if dir == "." {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    };
    [
        crate::backend::Backend::Shorewall,
        crate::backend::Backend::Nftables,
    ]
    .into_iter()
    .flat_map(crate::backend::known_files)
    .any(|known| known == relative)
}

/// One step of a journal, checked before anything is done with it.
enum Step<'a> {
    Rename {
        dir: &'a str,
        temp: &'a str,
        name: &'a str,
    },
    Remove {
        dir: &'a str,
        name: &'a str,
    },
}

fn plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains('/') && !name.contains('\0')
}

fn parse_step(line: &str) -> Option<Step<'_>> {
    let fields: Vec<&str> = line.split('\t').collect();
    let dir_ok = |d: &str| d == "." || plain_name(d);
    match fields.as_slice() {
        ["rename", dir, temp, name]
            if dir_ok(dir)
                && is_temp_name(temp)
                && plain_name(temp)
                && plain_name(name)
                && known_output(dir, name) =>
        {
            Some(Step::Rename { dir, temp, name })
        }
        ["remove", dir, name] if dir_ok(dir) && plain_name(name) && known_output(dir, name) => {
            Some(Step::Remove { dir, name })
        }
        _ => None,
    }
}

/// Finish the renames of a run that died between its first and last
/// rename. `Some(note)` when there was such a run.
pub fn recover(dir: &SecureDir, trust: Trust) -> io::Result<Option<String>> {
    let Some(journal) = dir.stat(JOURNAL)? else {
        return Ok(None);
    };
    let damaged = || {
        io::Error::other(format!(
            "{} is damaged, or not fwgen's own (it must be a file of uid {} that nobody else can write); fwgen will not guess what an interrupted run meant to do. Compare the directory with `fwgen diff`, then remove the journal",
            dir.path().join(JOURNAL).display(),
            rustix::process::geteuid().as_raw()
        ))
    };
    if !written_by_us(&journal) {
        return Err(damaged());
    }
    let Some(bytes) = dir.read(JOURNAL)? else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(&bytes);
    let mut lines = text.lines();
    if lines.next() != Some(JOURNAL_HEADER) {
        return Err(damaged());
    }
    let steps: Vec<Step> = lines
        .map(parse_step)
        .collect::<Option<_>>()
        .ok_or_else(damaged)?;
    let mut completed = 0;
    for step in &steps {
        let (relative_dir, name) = match step {
            Step::Rename { dir, name, .. } | Step::Remove { dir, name } => (*dir, *name),
        };
        let sub;
        let parent_ref = if relative_dir == "." {
            dir
        } else {
            match dir.subdir(relative_dir, None, trust)? {
                Some(found) => {
                    sub = found;
                    &sub
                }
                None => continue,
            }
        };
        match step {
            Step::Rename { temp, .. } => {
                if let Some(stat) = parent_ref.stat(temp)? {
                    if !written_by_us(&stat) {
                        return Err(damaged());
                    }
                    parent_ref.rename(temp, name)?;
                    completed += 1;
                }
            }
            Step::Remove { .. } => {
                if parent_ref.stat(name)?.is_some() {
                    parent_ref.remove(name)?;
                    completed += 1;
                }
            }
        }
        parent_ref.sync()?;
    }
    dir.remove(JOURNAL)?;
    dir.sync()?;
    Ok(Some(format!(
        "an earlier fwgen run in {} was interrupted while renaming its files; completed it ({completed} of {} steps were left), so the directory holds that run's whole set",
        dir.path().display(),
        steps.len()
    )))
}

/// Remove fwgen's temporary files from the directory and the
/// subdirectories fwgen writes: with the lock held, no live fwgen owns any.
pub fn remove_stale_temps(dir: &SecureDir, trust: Trust) -> io::Result<usize> {
    let mut removed = remove_temps_in(dir)?;
    let mut subdirs: Vec<String> = [
        crate::backend::Backend::Shorewall,
        crate::backend::Backend::Nftables,
    ]
    .into_iter()
    .flat_map(crate::backend::known_files)
    .filter_map(|path| Some(path.split_once('/')?.0.to_owned()))
    .collect();
    subdirs.sort();
    subdirs.dedup();
    for name in subdirs {
        if let Some(sub) = dir.subdir(&name, None, trust)? {
            removed += remove_temps_in(&sub)?;
        }
    }
    Ok(removed)
}

fn remove_temps_in(dir: &SecureDir) -> io::Result<usize> {
    let mut removed = 0;
    for name in dir.names()?.into_iter().filter(|n| is_temp_name(n)) {
        dir.remove(&name)?;
        removed += 1;
    }
    Ok(removed)
}
