//! Input: the one way fwgen reads a file it is given (the model, every file
//! an import reads). fwgen runs as root, so a path may name anything: only a
//! regular file is read, and only up to [`MAX_INPUT`] bytes. A device such
//! as `/dev/zero` never ends and a FIFO can block forever; both are refused
//! before a byte is read. A symbolic link is followed: the file it leads to
//! must be regular too.

use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use rustix::fs::{FileType, Mode, OFlags};

/// The largest input fwgen reads: far above any real firewall
/// configuration, far below what would exhaust memory.
pub const MAX_INPUT: u64 = 64 * 1024 * 1024;

/// Why a file was not read.
#[derive(Debug)]
pub enum InputError {
    /// Opening, inspecting or reading failed.
    Io { path: PathBuf, error: io::Error },
    /// Not a regular file (a device, FIFO, socket or directory).
    NotRegular { path: PathBuf, kind: &'static str },
    /// Larger than the limit, in bytes.
    TooLarge { path: PathBuf, limit: u64 },
}

impl InputError {
    /// What is wrong, without the path.
    pub fn reason(&self) -> String {
        match self {
            InputError::Io { error, .. } => error.to_string(),
            InputError::NotRegular { kind, .. } => {
                format!("is {kind}, not a regular file; fwgen reads only regular files")
            }
            InputError::TooLarge { limit, .. } => format!(
                "larger than {} MiB, the limit for a file fwgen reads",
                limit / (1024 * 1024)
            ),
        }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (InputError::Io { path, .. }
        | InputError::NotRegular { path, .. }
        | InputError::TooLarge { path, .. }) = self;
        write!(f, "{}: {}", shown(path), self.reason())
    }
}

impl std::error::Error for InputError {}

fn shown(path: &Path) -> String {
    crate::source::display_path(path)
}

/// The whole content of the regular file at `path`, at most [`MAX_INPUT`] bytes.
pub fn read(path: &Path) -> Result<Vec<u8>, InputError> {
    read_limited(path, MAX_INPUT)
}

/// As [`read`], with another limit (for tests of the limit itself).
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    let io = |error: io::Error| InputError::Io {
        path: path.to_owned(),
        error,
    };
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    let fd = rustix::fs::open(path, flags, Mode::empty()).map_err(|e| io(e.into()))?;
    let stat = rustix::fs::fstat(&fd).map_err(|e| io(e.into()))?;
    let kind = FileType::from_raw_mode(stat.st_mode);
    if kind != FileType::RegularFile {
        return Err(InputError::NotRegular {
            path: path.to_owned(),
            kind: kind_name(kind),
        });
    }
    let mut bytes = Vec::new();
    std::fs::File::from(fd)
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(InputError::TooLarge {
            path: path.to_owned(),
            limit,
        });
    }
    Ok(bytes)
}

fn kind_name(kind: FileType) -> &'static str {
    match kind {
        FileType::Directory => "a directory",
        FileType::CharacterDevice => "a character device",
        FileType::BlockDevice => "a block device",
        FileType::Fifo => "a FIFO",
        FileType::Socket => "a socket",
        _ => "a special file",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_exact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, [b'x'; 10]).unwrap();
        assert_eq!(read_limited(&path, 10).unwrap().len(), 10);
        let error = read_limited(&path, 9).unwrap_err();
        assert!(matches!(error, InputError::TooLarge { limit: 9, .. }));
    }

    #[test]
    fn devices_are_refused_before_reading() {
        let error = read(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "/dev/zero: is a character device, not a regular file; fwgen reads only regular files"
        );
    }

    #[test]
    fn the_limit_is_stated_in_mib() {
        let error = InputError::TooLarge {
            path: "big.toml".into(),
            limit: MAX_INPUT,
        };
        assert_eq!(
            error.to_string(),
            "big.toml: larger than 64 MiB, the limit for a file fwgen reads"
        );
    }
}
