//! The model file as read from disk, with the line index errors need.

use std::ops::Range;
use std::path::{Path, PathBuf};

/// One loaded model file: where it came from and its text.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: String,
    /// Byte offset where each line starts, for `location` in O(log n).
    line_starts: LineStarts,
}

/// Where each line starts: four bytes a line while the text's offsets fit
/// in a `u32` (a model is read up to 64 MiB, src/input.rs; its index was
/// 8.4 MB of the peak heap at 100,000 rules, docs/performance.md).
#[derive(Debug, Clone)]
enum LineStarts {
    Narrow(Vec<u32>),
    Wide(Vec<usize>),
}

impl LineStarts {
    fn new(text: &str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1));
        if u32::try_from(text.len()).is_ok() {
            LineStarts::Narrow(starts.filter_map(|s| u32::try_from(s).ok()).collect())
        } else {
            LineStarts::Wide(starts.collect())
        }
    }

    /// Where line `index` (0-based) starts.
    fn get(&self, index: usize) -> Option<usize> {
        match self {
            LineStarts::Narrow(starts) => starts.get(index).map(|&s| s as usize),
            LineStarts::Wide(starts) => starts.get(index).copied(),
        }
    }

    /// How many lines start at or before `offset`.
    fn up_to(&self, offset: usize) -> usize {
        match self {
            LineStarts::Narrow(starts) => starts.partition_point(|&s| s as usize <= offset),
            LineStarts::Wide(starts) => starts.partition_point(|&s| s <= offset),
        }
    }
}

/// A position in a source file, 1-based as editors show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

impl Source {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        let mut text: String = text.into();
        // A file read in grows room it no longer needs (6 MB at 10 MB).
        text.shrink_to_fit();
        let line_starts = LineStarts::new(&text);
        Source {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// The same file without its text and line index: enough to name it
    /// in an error that points at no place in it.
    pub fn without_text(self) -> Source {
        Source::new(self.path, String::new())
    }

    /// The name shown in error messages and generated-file headers.
    pub fn display_name(&self) -> String {
        display_path(&self.path)
    }

    /// Line and column (in characters) of a byte offset.
    pub fn location(&self, offset: usize) -> Location {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let line = self.line_starts.up_to(offset);
        let line_start = self.line_starts.get(line - 1).unwrap_or_default();
        let column = self.text[line_start..offset].chars().count() + 1;
        Location { line, column }
    }

    /// The whole line holding `offset`, without its line break.
    pub fn line_text(&self, offset: usize) -> &str {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = self.text[offset..]
            .find('\n')
            .map_or(self.text.len(), |i| offset + i);
        self.text[start..end].trim_end_matches('\r')
    }

    /// Byte offset where the line holding `offset` starts.
    pub fn line_start(&self, offset: usize) -> usize {
        let line = self.location(offset).line;
        self.line_starts.get(line - 1).unwrap_or_default()
    }

    /// Byte offset where the line holding `offset` ends (before its line
    /// break, `\n` or `\r\n`).
    pub fn line_end(&self, offset: usize) -> usize {
        let start = self.line_start(offset);
        let end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        if self.text[start..end].ends_with('\r') {
            end - 1
        } else {
            end
        }
    }

    /// The span of line `line` (1-based) without its line break, when the
    /// file has that line.
    pub fn line_span(&self, line: usize) -> Option<Range<usize>> {
        let start = self.line_starts.get(line.checked_sub(1)?)?;
        Some(start..self.line_end(start))
    }

    /// The text a span covers.
    pub fn slice(&self, span: &Range<usize>) -> &str {
        let start = floor_char_boundary(&self.text, span.start.min(self.text.len()));
        let end = floor_char_boundary(&self.text, span.end.min(self.text.len()));
        &self.text[start..end.max(start)]
    }
}

/// A path as a user typed it, without a leading `./`.
pub fn display_path(path: &Path) -> String {
    let shown = path.display().to_string();
    shown.strip_prefix("./").map(str::to_owned).unwrap_or(shown)
}

pub(crate) fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_lines_and_characters() {
        let source = Source::new("f.toml", "a = 1\nzé = \"x\"\n");
        assert_eq!(source.location(0), Location { line: 1, column: 1 });
        assert_eq!(source.location(6), Location { line: 2, column: 1 });
        // 'é' is two bytes but one column.
        assert_eq!(source.location(9), Location { line: 2, column: 3 });
        assert_eq!(source.line_text(8), "zé = \"x\"");
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let source = Source::new("f.toml", "ab");
        assert_eq!(source.location(99), Location { line: 1, column: 3 });
    }

    /// `fwgen render` shows a backend's errors with the file's name alone
    /// (src/commands/render.rs): as they are shown with its text.
    #[test]
    fn an_error_without_a_place_needs_no_text() {
        use crate::error::{Error, ErrorKind};
        let source = Source::new("dir/f.toml", "a = 1\n");
        let error = Error::new(None, ErrorKind::ShorewallNeedsIpv4);
        let with_text = (error.render(Some(&source)), error.json(Some(&source)));
        let without = source.without_text();
        assert!(without.text.is_empty());
        let shown = (error.render(Some(&without)), error.json(Some(&without)));
        assert_eq!(shown, with_text);
    }
}
