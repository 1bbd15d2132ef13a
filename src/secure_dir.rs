//! Directories fwgen writes into as root (`--out`, `--backup-dir`, the
//! apply state directory): opened once, every file inside reached relative
//! to that handle and never through a symbolic link, owner and mode checked
//! the way sshd's StrictModes checks a home directory, and an exclusive lock
//! held on the handle for as long as fwgen works in it.

use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rustix::fs::{AtFlags, FileType, FlockOperation, Mode, OFlags, Stat};

/// Whether a directory that others may write into is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// Owned by root or by us, and writable by nobody else.
    Strict,
    /// `--force-unsafe-dir`: the admin accepts a directory others can write.
    Unsafe,
}

/// How long a command waits for another fwgen to finish in a directory.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// Largest file fwgen reads back from a directory it writes (its own
/// output, a backup, a journal): the same limit as for any input.
const READ_CAP: u64 = crate::input::MAX_INPUT;

/// An open directory and the path it was named by (for messages only).
#[derive(Debug)]
pub struct SecureDir {
    fd: OwnedFd,
    path: PathBuf,
}

fn other(message: String) -> io::Error {
    io::Error::other(message)
}

fn euid() -> u32 {
    rustix::process::geteuid().as_raw()
}

fn describe(stat: &Stat) -> String {
    format!(
        "mode {:04o}, owner uid {}",
        stat.st_mode & 0o7777,
        stat.st_uid
    )
}

/// The error for a symbolic link where fwgen expected a file or directory.
fn link_refused(path: &Path) -> io::Error {
    other(format!(
        "{} is a symbolic link; fwgen never writes through, replaces or reads a link in a directory it writes (a link there could point at any file): remove it, or name the real directory",
        path.display()
    ))
}

/// Map ELOOP from an O_NOFOLLOW open to a message naming the link.
fn no_follow(path: &Path, error: rustix::io::Errno) -> io::Error {
    if (error == rustix::io::Errno::LOOP || error == rustix::io::Errno::NOTDIR)
        && let Ok(stat) = rustix::fs::lstat(path)
        && FileType::from_raw_mode(stat.st_mode) == FileType::Symlink
    {
        return link_refused(path);
    }
    other(format!("{}: {}", path.display(), io::Error::from(error)))
}

fn check_trust(path: &Path, stat: &Stat, trust: Trust) -> io::Result<()> {
    if trust == Trust::Unsafe {
        return Ok(());
    }
    let owner_ok = stat.st_uid == 0 || stat.st_uid == euid();
    let writable_by_others = stat.st_mode & 0o022 != 0;
    if owner_ok && !writable_by_others {
        return Ok(());
    }
    Err(other(format!(
        "{} can be written by another user ({}): another user could change it, or plant links in it that fwgen would then follow; make it owned by root and not writable by group or others (chown root {0}; chmod go-w {0}), or pass --force-unsafe-dir",
        path.display(),
        describe(stat)
    )))
}

fn ours(uid: u32) -> bool {
    uid == 0 || uid == euid()
}

/// Links followed while walking one path, at most (as the kernel's 40).
const MAX_LINKS: usize = 40;

fn open_dir_at(dir: &OwnedFd, name: &str) -> rustix::io::Result<OwnedFd> {
    rustix::fs::openat(
        dir,
        name,
        OFlags::DIRECTORY | OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

/// Walk a path from `/` (a relative one from the current directory's
/// absolute path), checking every directory on the way.
fn walk(path: &Path, trust: Trust) -> io::Result<OwnedFd> {
    let absolute = if path.is_absolute() {
        path.to_owned()
    } else {
        std::env::current_dir()?.join(path)
    };
    let mut pending: Vec<String> = components(&absolute, path)?;
    pending.reverse();
    let root = || {
        rustix::fs::open(
            "/",
            OFlags::DIRECTORY | OFlags::RDONLY | OFlags::CLOEXEC,
            Mode::empty(),
        )
    };
    let mut dir = root()?;
    let mut links = 0;
    while let Some(name) = pending.pop() {
        let parent = rustix::fs::fstat(&dir)?;
        let entry = rustix::fs::statat(&dir, name.as_str(), AtFlags::SYMLINK_NOFOLLOW).map_err(
            |e| match e {
                rustix::io::Errno::NOENT => other(format!(
                    "{} does not exist; create it first",
                    path.display()
                )),
                e => other(format!("{}: {}", path.display(), io::Error::from(e))),
            },
        )?;
        let shared_parent = parent.st_mode & 0o022 != 0 || !ours(parent.st_uid);
        if trust == Trust::Strict && shared_parent {
            let sticky = parent.st_mode & 0o1000 != 0;
            if !sticky || !ours(entry.st_uid) {
                return Err(other(format!(
                    "{}: `{name}` is in a directory another user can change ({}), who could have put it there or could swap it: name a path whose every directory only root can change, or pass --force-unsafe-dir",
                    path.display(),
                    describe(&parent)
                )));
            }
        }
        if FileType::from_raw_mode(entry.st_mode) == FileType::Symlink {
            if trust == Trust::Strict && !ours(entry.st_uid) {
                return Err(other(format!(
                    "{}: `{name}` is a symbolic link owned by uid {}: another user chose where it points; name the real directory",
                    path.display(),
                    entry.st_uid
                )));
            }
            links += 1;
            if links > MAX_LINKS {
                return Err(other(format!(
                    "{}: too many symbolic links",
                    path.display()
                )));
            }
            let target = rustix::fs::readlinkat(&dir, name.as_str(), Vec::new())?;
            let target = PathBuf::from(target.to_string_lossy().into_owned());
            let mut more = components(&target, path)?;
            more.reverse();
            pending.extend(more);
            if target.is_absolute() {
                dir = root()?;
            }
            continue;
        }
        dir = open_dir_at(&dir, &name).map_err(|e| match e {
            rustix::io::Errno::NOTDIR => other(format!("{} is not a directory", path.display())),
            e => other(format!("{}: {}", path.display(), io::Error::from(e))),
        })?;
    }
    Ok(dir)
}

/// The names of a path's components; `..` is refused (fwgen does not
/// guess which directory it means once links are involved).
fn components(path: &Path, named: &Path) -> io::Result<Vec<String>> {
    let mut out = Vec::new();
    for component in path.components() {
        match component {
            std::path::Component::RootDir | std::path::Component::CurDir => {}
            std::path::Component::Normal(name) => out.push(
                name.to_str()
                    .ok_or_else(|| other(format!("{} is not UTF-8", named.display())))?
                    .to_owned(),
            ),
            _ => {
                return Err(other(format!(
                    "{}: name the directory without `..`",
                    named.display()
                )));
            }
        }
    }
    Ok(out)
}

impl SecureDir {
    /// Open the directory an admin named, walking from `/` one component
    /// at a time without following a link another user could have made:
    /// every directory on the way must be one that only root or we can
    /// change, or sticky (as /tmp) with the next entry ours; a link on the
    /// way is followed only when root or we own it. The directory itself
    /// must pass [`Trust`].
    pub fn open(path: &Path, trust: Trust) -> io::Result<SecureDir> {
        let fd = walk(path, trust)?;
        let stat = rustix::fs::fstat(&fd)?;
        check_trust(path, &stat, trust)?;
        Ok(SecureDir {
            fd,
            path: path.to_owned(),
        })
    }

    /// Open a directory that holds fwgen's private state, creating it 0700
    /// when missing. An existing one must be ours and shut to others.
    pub fn open_private(path: &Path) -> io::Result<SecureDir> {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| other(format!("{} names no directory", path.display())))?;
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let parent = walk(parent, Trust::Strict)?;
        match rustix::fs::mkdirat(&parent, name, Mode::from_raw_mode(0o700)) {
            Ok(()) | Err(rustix::io::Errno::EXIST) => {}
            Err(e) => return Err(other(format!("{}: {}", path.display(), io::Error::from(e)))),
        }
        let fd = rustix::fs::openat(
            &parent,
            name,
            OFlags::DIRECTORY | OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| no_follow(path, e))?;
        let stat = rustix::fs::fstat(&fd)?;
        if stat.st_uid != euid() || stat.st_mode & 0o022 != 0 {
            return Err(other(format!(
                "refusing the state directory {} ({}): it must be owned by uid {} and writable by nobody else; remove it and fwgen creates it anew (0700)",
                path.display(),
                describe(&stat),
                euid()
            )));
        }
        if stat.st_mode & 0o077 != 0 {
            rustix::fs::fchmod(&fd, Mode::from_raw_mode(0o700))?;
        }
        Ok(SecureDir {
            fd,
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn shown(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// A subdirectory, never through a link; created with `mode` when
    /// missing and `create` is set. `None` when missing and not created.
    pub fn subdir(
        &self,
        name: &str,
        create: Option<u32>,
        trust: Trust,
    ) -> io::Result<Option<SecureDir>> {
        let path = self.shown(name);
        if let Some(mode) = create {
            match rustix::fs::mkdirat(&self.fd, name, Mode::from_raw_mode(mode)) {
                Ok(()) | Err(rustix::io::Errno::EXIST) => {}
                Err(e) => return Err(other(format!("{}: {}", path.display(), io::Error::from(e)))),
            }
        }
        let fd = match rustix::fs::openat(
            &self.fd,
            name,
            OFlags::DIRECTORY | OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        ) {
            Ok(fd) => fd,
            Err(rustix::io::Errno::NOENT) => return Ok(None),
            Err(e) => return Err(no_follow(&path, e)),
        };
        let stat = rustix::fs::fstat(&fd)?;
        check_trust(&path, &stat, trust)?;
        Ok(Some(SecureDir { fd, path }))
    }

    /// The directory holding a relative path's file, and the file's name.
    /// `None` when a directory on the way is missing (and not created).
    pub fn parent_of<'a>(
        &self,
        relative: &'a str,
        create: Option<u32>,
        trust: Trust,
    ) -> io::Result<Option<(SecureDir, &'a str)>> {
        let mut parts: Vec<&str> = relative.split('/').collect();
        let name = parts.pop().unwrap_or(relative);
        let mut dir = self.reopen()?;
        for part in parts {
            match dir.subdir(part, create, trust)? {
                Some(next) => dir = next,
                None => return Ok(None),
            }
        }
        Ok(Some((dir, name)))
    }

    fn reopen(&self) -> io::Result<SecureDir> {
        Ok(SecureDir {
            fd: self.fd.try_clone()?,
            path: self.path.clone(),
        })
    }

    /// `lstat` of a name in this directory; `None` when it does not exist.
    pub fn stat(&self, name: &str) -> io::Result<Option<Stat>> {
        match rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(stat) => Ok(Some(stat)),
            Err(rustix::io::Errno::NOENT) => Ok(None),
            Err(e) => Err(other(format!(
                "{}: {}",
                self.shown(name).display(),
                io::Error::from(e)
            ))),
        }
    }

    /// Refuse a file here that another user owns or can write (unless the
    /// admin accepts that): fwgen would replace it keeping that owner.
    pub fn check_file(&self, name: &str, trust: Trust) -> io::Result<()> {
        match self.stat(name)? {
            Some(stat) if FileType::from_raw_mode(stat.st_mode) == FileType::RegularFile => {
                check_trust(&self.shown(name), &stat, trust)
            }
            _ => Ok(()),
        }
    }

    /// Open a regular file for reading, never through a link; `None` when
    /// it does not exist.
    pub fn open_file(&self, name: &str) -> io::Result<Option<File>> {
        let path = self.shown(name);
        let fd = match rustix::fs::openat(
            &self.fd,
            name,
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
            Mode::empty(),
        ) {
            Ok(fd) => fd,
            Err(rustix::io::Errno::NOENT) => return Ok(None),
            Err(e) => return Err(no_follow(&path, e)),
        };
        let stat = rustix::fs::fstat(&fd)?;
        if FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile {
            return Err(other(format!(
                "{} is not a regular file; fwgen only reads and replaces regular files",
                path.display()
            )));
        }
        Ok(Some(File::from(fd)))
    }

    /// A regular file's bytes (at most 64 MiB); `None` when it does not exist.
    pub fn read(&self, name: &str) -> io::Result<Option<Vec<u8>>> {
        let Some(file) = self.open_file(name)? else {
            return Ok(None);
        };
        let mut bytes = Vec::new();
        file.take(READ_CAP + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > READ_CAP {
            return Err(other(format!(
                "{} is larger than {} MiB; fwgen does not read it",
                self.shown(name).display(),
                READ_CAP >> 20
            )));
        }
        Ok(Some(bytes))
    }

    /// Create a file that did not exist, never through a link.
    pub fn create_new(&self, name: &str, mode: u32) -> io::Result<File> {
        let fd = rustix::fs::openat(
            &self.fd,
            name,
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(mode),
        )
        .map_err(io::Error::from)?;
        rustix::fs::fchmod(&fd, Mode::from_raw_mode(mode))?;
        Ok(File::from(fd))
    }

    /// A new temporary file beside `name` with an unpredictable name
    /// (`.NAME.fwgen-RANDOM.tmp`), created exclusively.
    pub fn create_temp(&self, name: &str, mode: u32) -> io::Result<(String, File)> {
        loop {
            let temp = format!(".{name}{TEMP_INFIX}{}{TEMP_SUFFIX}", random_hex());
            match self.create_new(&temp, mode) {
                Ok(file) => return Ok((temp, file)),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(other(format!(
                        "cannot create a temporary file in {}: {e}",
                        self.path.display()
                    )));
                }
            }
        }
    }

    /// Write `bytes` to a new temporary file, sync it, and rename it over
    /// `name`: readers see the old file or the new one, never half of one.
    pub fn replace(&self, name: &str, bytes: &[u8], mode: u32) -> io::Result<()> {
        self.replace_as(name, bytes, mode, None)
    }

    /// [`SecureDir::replace`], the new file given an owner and group.
    pub fn replace_as(
        &self,
        name: &str,
        bytes: &[u8],
        mode: u32,
        owner: Option<(u32, u32)>,
    ) -> io::Result<()> {
        use std::io::Write;
        let (temp, mut file) = self.create_temp(name, mode)?;
        let owned = match owner {
            Some((uid, gid)) => rustix::fs::fchown(
                &file,
                Some(rustix::fs::Uid::from_raw(uid)),
                Some(rustix::fs::Gid::from_raw(gid)),
            )
            .and_then(|()| rustix::fs::fchmod(&file, Mode::from_raw_mode(mode)))
            .map_err(io::Error::from),
            None => Ok(()),
        };
        let written = owned
            .and_then(|()| file.write_all(bytes))
            .and_then(|()| file.sync_all());
        if let Err(e) = written.and_then(|()| self.rename(&temp, name)) {
            let _ = self.remove(&temp);
            return Err(e);
        }
        self.sync()
    }

    pub fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        rustix::fs::renameat(&self.fd, from, &self.fd, to).map_err(|e| {
            other(format!(
                "cannot rename {} to {}: {}",
                self.shown(from).display(),
                self.shown(to).display(),
                io::Error::from(e)
            ))
        })
    }

    /// Remove a name (a link is removed, never followed); a missing name is fine.
    pub fn remove(&self, name: &str) -> io::Result<()> {
        match rustix::fs::unlinkat(&self.fd, name, AtFlags::empty()) {
            Ok(()) | Err(rustix::io::Errno::NOENT) => Ok(()),
            Err(e) => Err(other(format!(
                "cannot remove {}: {}",
                self.shown(name).display(),
                io::Error::from(e)
            ))),
        }
    }

    /// Make renames and removals in this directory durable.
    pub fn sync(&self) -> io::Result<()> {
        rustix::fs::fsync(&self.fd).map_err(io::Error::from)
    }

    /// The names in this directory.
    pub fn names(&self) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        let mut dir = rustix::fs::Dir::read_from(&self.fd)?;
        while let Some(entry) = dir.read() {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name != "." && name != ".." {
                names.push(name);
            }
        }
        Ok(names)
    }

    /// Take the exclusive lock on this directory, waiting up to 10 s for
    /// another fwgen to finish. Held until this handle is dropped.
    pub fn lock(&self) -> io::Result<()> {
        let start = Instant::now();
        loop {
            match rustix::fs::flock(&self.fd, FlockOperation::NonBlockingLockExclusive) {
                Ok(()) => return Ok(()),
                Err(rustix::io::Errno::WOULDBLOCK) if start.elapsed() < LOCK_WAIT => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(rustix::io::Errno::WOULDBLOCK) => {
                    return Err(other(format!(
                        "another fwgen has been working in {} for more than {} s (it holds the directory's lock); try again when it is done",
                        self.path.display(),
                        LOCK_WAIT.as_secs()
                    )));
                }
                Err(e) => return Err(io::Error::from(e)),
            }
        }
    }

    /// Release the lock taken with [`SecureDir::lock`].
    pub fn unlock(&self) {
        let _ = rustix::fs::flock(&self.fd, FlockOperation::Unlock);
    }

    pub fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

const TEMP_INFIX: &str = ".fwgen-";
const TEMP_SUFFIX: &str = ".tmp";

/// Whether a name is one of fwgen's temporary files.
pub fn is_temp_name(name: &str) -> bool {
    name.starts_with('.') && name.contains(TEMP_INFIX) && name.ends_with(TEMP_SUFFIX)
}

/// 16 random hex digits from the kernel's random source.
pub fn random_hex() -> String {
    let mut bytes = [0u8; 8];
    let mut filled = 0;
    while filled < bytes.len() {
        match rustix::rand::getrandom(&mut bytes[filled..], rustix::rand::GetRandomFlags::empty()) {
            Ok(n) => filled += n,
            Err(rustix::io::Errno::INTR) => {}
            // getrandom(2) cannot fail on Linux 3.17 and later once seeded
            Err(_) => break,
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
