//! One file of a Shorewall directory, read as Shorewall's compiler reads it:
//! bytes, split into lines, `#` starting a comment. Comments may be in any
//! encoding; everything else must be ASCII. fwgen runs as root, so a file
//! that is a symbolic link leading out of the directory is refused: its
//! lines would end up in error messages and in a `--partial` model.

use std::fmt;
use std::path::{Path, PathBuf};

/// A file or line the importer cannot read as Shorewall would. Unlike an
/// unsupported line, this stops the import even with `--partial`: what
/// follows it would be a guess.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub file: String,
    pub line: Option<usize>,
    pub reason: String,
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.reason),
            None => write!(f, "{}: {}", self.file, self.reason),
        }
    }
}

/// One physical line: its number, the bytes before any `#`, and the
/// comment after it when that is UTF-8.
#[derive(Debug, Clone)]
pub(super) struct Physical {
    pub number: usize,
    pub content: Vec<u8>,
    pub comment: Option<String>,
    /// The line, with no comment, ends in a `\` with whitespace after it
    /// (a space, a tab, the `\r` of a Windows line end): Config.pm
    /// read_a_line continues a line whose last byte is `\` (it takes off
    /// the `\n` alone), so this one continues nothing, and split_line1
    /// refuses the backslash.
    pub spaced_backslash: bool,
    /// The line's comment ends in `\`, its last byte (a Windows line
    /// end's `\r` comes after it): Config.pm read_a_line joins the next
    /// line to it before it strips the comment, and drops it at the end of
    /// its file. [`Directory::lines`] refuses one that would swallow a line
    /// of text.
    pub comment_continues: bool,
}

impl Physical {
    /// The content as text: ASCII, or refused at its line. `?COMMENT` text
    /// may be UTF-8: it is free text, carried into the model's `comment`.
    pub fn text(&self, file: &str) -> Result<String, Unreadable> {
        if self.content.is_ascii() {
            return Ok(caseless_directive(
                String::from_utf8_lossy(&self.content).into_owned(),
            ));
        }
        let is_comment = self
            .content
            .trim_ascii_start()
            .get(..8)
            .is_some_and(|k| k.eq_ignore_ascii_case(b"?COMMENT"));
        if is_comment && let Ok(text) = std::str::from_utf8(&self.content) {
            return Ok(caseless_directive(text.to_owned()));
        }
        Err(non_ascii(file, self.number, &self.content))
    }
}

/// A line's `?format`, `?section` or `?comment` in upper case, the one
/// spelling the importer reads: Shorewall's compiler takes them in any
/// case (Config.pm matches its directives and `?SECTION` with `/i`).
/// `?INCLUDE` is matched in upper case alone there, and stays as written.
fn caseless_directive(text: String) -> String {
    let indent = text.len() - text.trim_start().len();
    let Some(rest) = text[indent..].strip_prefix('?') else {
        return text;
    };
    let end = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    let word = &rest[..end];
    let caseless = ["FORMAT", "SECTION", "COMMENT"];
    if !caseless.iter().any(|d| d.eq_ignore_ascii_case(word)) {
        return text;
    }
    let at = indent + 1;
    format!(
        "{}{}{}",
        &text[..at],
        word.to_ascii_uppercase(),
        &text[at + end..]
    )
}

/// The directory a file is read from, resolved once.
pub(super) struct Directory {
    dir: PathBuf,
    resolved: Option<PathBuf>,
    /// Prefix of file names in messages (`shorewall6/`).
    label: String,
}

impl Directory {
    pub fn new(dir: &Path, label: &str) -> Directory {
        Directory {
            dir: dir.to_owned(),
            resolved: std::fs::canonicalize(dir).ok(),
            label: label.to_owned(),
        }
    }

    /// The name of `name` in messages.
    pub fn shown(&self, name: &str) -> String {
        format!("{}{name}", self.label)
    }

    fn unreadable(&self, name: &str, reason: String) -> Unreadable {
        Unreadable {
            file: self.shown(name),
            line: None,
            reason,
        }
    }

    /// The bytes of `name`, `None` when there is no such file (Shorewall's
    /// files are optional). A symbolic link must resolve inside the
    /// directory, and what is read is the file it resolves to.
    pub fn bytes(&self, name: &str) -> Result<Option<Vec<u8>>, Unreadable> {
        let path = self.dir.join(name);
        let metadata = match std::fs::symlink_metadata(&path) {
            Ok(metadata) => metadata,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.unreadable(name, e.to_string())),
        };
        let path = if metadata.file_type().is_symlink() {
            self.inside(name, &path)?
        } else {
            path
        };
        crate::input::read(&path)
            .map(Some)
            .map_err(|e| self.unreadable(name, e.reason()))
    }

    /// Where the symbolic link `path` leads, when that is inside the directory.
    fn inside(&self, name: &str, path: &Path) -> Result<PathBuf, Unreadable> {
        let target = std::fs::canonicalize(path).map_err(|e| {
            self.unreadable(
                name,
                format!("a symbolic link that leads nowhere readable ({e})"),
            )
        })?;
        match &self.resolved {
            Some(dir) if target.starts_with(dir) => Ok(target),
            _ => Err(self.unreadable(
                name,
                format!(
                    "a symbolic link to {}, outside {}: fwgen imports only files inside the directory",
                    target.display(),
                    self.dir.display()
                ),
            )),
        }
    }

    /// The directory's entries, sorted: each name and whether it is a
    /// directory. A name that is not UTF-8 is refused: no Shorewall file
    /// has one, and it could not be named in a message.
    pub fn entries(&self) -> Result<Vec<(String, bool)>, Unreadable> {
        let listing = |e: std::io::Error| Unreadable {
            file: self.dir.display().to_string(),
            line: None,
            reason: format!("cannot list the directory: {e}"),
        };
        let mut entries = Vec::new();
        for entry in std::fs::read_dir(&self.dir).map_err(listing)? {
            let entry = entry.map_err(listing)?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                let shown = name.to_string_lossy().escape_debug().to_string();
                return Err(self.unreadable(&shown, "a file name that is not UTF-8".into()));
            };
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            entries.push((name.to_owned(), is_dir));
        }
        entries.sort();
        Ok(entries)
    }

    /// Entries that a symbolic link among `entries` leads to: the target's
    /// name -> the link's. Such a file is read under the link's name.
    pub fn link_targets(
        &self,
        entries: &[(String, bool)],
    ) -> std::collections::BTreeMap<String, String> {
        let resolve = |name: &str| std::fs::canonicalize(self.dir.join(name)).ok();
        let is_link = |name: &str| {
            std::fs::symlink_metadata(self.dir.join(name)).is_ok_and(|m| m.file_type().is_symlink())
        };
        let mut targets = std::collections::BTreeMap::new();
        for (link, _) in entries.iter().filter(|(name, _)| is_link(name)) {
            let Some(target) = resolve(link) else {
                continue;
            };
            for (name, _) in entries.iter().filter(|(name, _)| !is_link(name)) {
                if resolve(name).as_ref() == Some(&target) {
                    targets.insert(name.clone(), link.clone());
                }
            }
        }
        targets
    }

    /// The file's physical lines, in any encoding.
    pub fn lines(&self, name: &str) -> Result<Vec<Physical>, Unreadable> {
        let Some(bytes) = self.bytes(name)? else {
            return Ok(Vec::new());
        };
        let mut originals: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
        if bytes.ends_with(b"\n") {
            originals.pop();
        }
        let raws: Vec<&[u8]> = (originals.iter())
            .map(|raw| raw.strip_suffix(b"\r").unwrap_or(raw))
            .collect();
        // Config.pm read_a_line joins a line ending in `\` to the next
        // before it strips the comment, so a comment ending in `\` takes
        // the next line into it, unread: refused, as the two readers would
        // differ (fwgen would read that line). Any encoding: the comment's
        // bytes, before its text is kept or not.
        // The last line, or one before a blank line, loses nothing but
        // itself at the end of its file (`comment_continues`).
        let comment_of = |raw: &[u8]| raw.iter().position(|&b| b == b'#').map(|at| at + 1);
        // A `\` before the `#` has Config.pm strip the comment first
        // (`/[\\]\s*#.*$/`): an ordinary continuation (review-239).
        let continues = |index: usize| {
            comment_of(raws[index])
                .is_some_and(|at| !raws[index][..at - 1].trim_ascii_end().ends_with(b"\\"))
                && originals[index].ends_with(b"\\")
        };
        let swallowing = (0..raws.len()).position(|index| {
            continues(index)
                && raws
                    .get(index + 1)
                    .is_some_and(|next| !next.trim_ascii().is_empty())
        });
        if let Some(index) = swallowing {
            return Err(Unreadable {
                file: self.shown(name),
                line: Some(index + 1),
                reason: format!(
                    "the comment ends in `\\`: Shorewall joins line {} to it, inside the comment, and never reads that line; end the comment otherwise, or join the lines yourself",
                    index + 2
                ),
            });
        }
        let lines = (raws.iter().copied().enumerate())
            .map(|(index, raw)| {
                let (content, comment) = match comment_of(raw) {
                    Some(at) => (&raw[..at - 1], Some(&raw[at..])),
                    None => (raw, None),
                };
                let original = originals[index];
                let kept = original.trim_ascii_end();
                Physical {
                    number: index + 1,
                    content: content.to_vec(),
                    comment: comment.and_then(|c| String::from_utf8(c.to_vec()).ok()),
                    spaced_backslash: !original.contains(&b'#')
                        && kept.ends_with(b"\\")
                        && kept.len() < original.len(),
                    comment_continues: continues(index),
                }
            })
            .collect();
        Ok(lines)
    }
}

/// The refusal of a line whose tokens are not ASCII.
pub(super) fn non_ascii(file: &str, number: usize, content: &[u8]) -> Unreadable {
    let (column, byte) = content
        .iter()
        .enumerate()
        .find(|(_, b)| !b.is_ascii())
        .map_or((0, 0), |(i, b)| (i + 1, *b));
    Unreadable {
        file: file.to_owned(),
        line: Some(number),
        reason: format!(
            "byte 0x{byte:02X} at column {column} is not ASCII; Shorewall's names, addresses and keywords are ASCII (only comments may use another encoding)"
        ),
    }
}
