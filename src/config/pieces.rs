//! A long model parsed in pieces: the head of the file, then one TOML
//! document per top-level `[[name]]` table that follows it, so that no
//! document tree of the whole file is ever built (that tree was most of the
//! time and memory of reading 100,000 rules, docs/performance.md).
//!
//! Each piece is parsed by the `toml` crate itself and its spans are moved by
//! the piece's offset, so a model read in pieces is the model read whole,
//! with the same spans. Whenever the file is not cut cleanly (a piece fails
//! to parse or to deserialize, or a `[[name]]` would not extend an array of
//! tables), the caller parses the file whole, which gives TOML's own errors
//! exactly as before.

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::RawModel;

/// Text of about this many bytes is parsed as one piece: large enough that
/// a piece's own cost (a document, a deserializer) is shared by a few hundred
/// tables, small enough that its document tree stays small.
const PIECE_BYTES: usize = 64 * 1024;

/// One thread for every this many pieces (256 KB), up to one per core:
/// a small model is parsed on this thread alone.
const PIECES_PER_THREAD: usize = 4;

/// The model read in pieces, or `None` when it must be read whole. The
/// pieces are parsed on up to as many threads as the machine has cores, each
/// taking one run of consecutive pieces; this thread takes the first run.
pub(super) fn parse(text: &str) -> Option<RawModel> {
    let cuts = cuts(text);
    let first = *cuts.first()?;
    let head = DeTable::parse(&text[..first]).ok()?;
    if !extendable(text, head.get_ref(), &cuts) {
        return None;
    }
    let mut model = RawModel::deserialize(toml::Deserializer::from(head)).ok()?;
    let pieces = pieces(text.len(), &cuts);
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let threads = cores.min(pieces.len().div_ceil(PIECES_PER_THREAD)).max(1);
    let mut runs = pieces.chunks(pieces.len().div_ceil(threads).max(1));
    let mine = runs.next().unwrap_or_default();
    let parts: Vec<Option<RawModel>> = std::thread::scope(|scope| {
        let workers: Vec<_> = runs
            .map(|run| scope.spawn(move || parse_run(text, run)))
            .collect();
        let first = parse_run(text, mine);
        std::iter::once(first)
            .chain(
                workers
                    .into_iter()
                    .map(|worker| worker.join().ok().flatten()),
            )
            .collect()
    });
    for part in parts {
        model.append(part?)?;
    }
    model.shrink_to_fit();
    Some(model)
}

/// One piece: a range of the text and how many `[[name]]` tables it opens.
struct Piece {
    range: Range<usize>,
    tables: usize,
}

/// The cuts grouped into pieces of about [`PIECE_BYTES`] each.
fn pieces(end: usize, cuts: &[usize]) -> Vec<Piece> {
    let mut pieces: Vec<Piece> = Vec::new();
    for (i, &start) in cuts.iter().enumerate() {
        let stop = cuts.get(i + 1).copied().unwrap_or(end);
        match pieces.last_mut() {
            Some(last) if last.range.len() < PIECE_BYTES => {
                last.range.end = stop;
                last.tables += 1;
            }
            _ => pieces.push(Piece {
                range: start..stop,
                tables: 1,
            }),
        }
    }
    pieces
}

/// Consecutive pieces, appended in order.
fn parse_run(text: &str, run: &[Piece]) -> Option<RawModel> {
    let mut part = RawModel::default();
    for piece in run {
        if part.append(parse_piece(text, piece.range.clone())?)? != piece.tables {
            return None;
        }
    }
    part.shrink_to_fit();
    Some(part)
}

/// Where each piece starts: the lines opening a top-level `[[name]]` table,
/// from the first one after which no other kind of table header follows.
/// A cut that falls inside a multi-line string or array leaves the text
/// before it unterminated, so that piece fails to parse.
pub(super) fn cuts(text: &str) -> Vec<usize> {
    let mut cuts = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let header = line.trim_start_matches([' ', '\t']);
        if header.starts_with('[') {
            if opens_array_table(header) {
                cuts.push(offset);
            } else {
                cuts.clear();
            }
        }
        offset += line.len();
    }
    cuts
}

/// `[[name]]`, a bare key, then only blanks or a comment.
fn opens_array_table(line: &str) -> bool {
    let Some((name, after)) = line
        .strip_prefix("[[")
        .and_then(|rest| rest.split_once("]]"))
    else {
        return false;
    };
    let name = name.trim_matches([' ', '\t']);
    let after = after.trim_start_matches([' ', '\t']);
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && (after.is_empty() || after.starts_with(['#', '\r', '\n']))
}

/// Whether every piece's `[[name]]` may extend what the head holds under
/// `name`: nothing, or an array of tables (written with `[[name]]` headers;
/// an inline array there cannot be extended, and one whose text starts with
/// `[[` holds arrays, not tables).
fn extendable(text: &str, head: &DeTable<'_>, cuts: &[usize]) -> bool {
    cuts.iter().all(|&cut| {
        let name = piece_name(&text[cut..]);
        head.get(name).is_none_or(|value| {
            let tables = value
                .get_ref()
                .as_array()
                .is_some_and(|items| items.iter().all(|item| item.get_ref().is_table()));
            tables && text.get(value.span()).is_some_and(|t| t.starts_with("[["))
        })
    })
}

/// The `name` of a piece's opening `[[name]]` line.
fn piece_name(piece: &str) -> &str {
    let header = piece.trim_start_matches([' ', '\t']);
    let inside = header.strip_prefix("[[").unwrap_or(header);
    let inside = inside.split("]]").next().unwrap_or_default();
    inside.trim_matches([' ', '\t'])
}

/// One piece, parsed alone, with its spans moved to the whole file's:
/// from `toml_parser`'s events (src/config/events.rs) where it holds only
/// what those read, else through the `toml` crate's document tree.
fn parse_piece(text: &str, range: Range<usize>) -> Option<RawModel> {
    super::events::parse_piece(text, range.clone()).or_else(|| parse_piece_toml(text, range))
}

/// One piece through the `toml` crate's document tree.
pub(super) fn parse_piece_toml(text: &str, range: Range<usize>) -> Option<RawModel> {
    let table = DeTable::parse(&text[range.clone()]).ok()?.into_inner();
    let table = shift_table(table, range.start);
    RawModel::deserialize(toml::Deserializer::from(Spanned::new(range, table))).ok()
}

fn shift_table(table: DeTable<'_>, by: usize) -> DeTable<'_> {
    let mut shifted = DeTable::with_capacity(table.len());
    for (key, value) in table {
        let span = key.span();
        shifted.insert(
            Spanned::new(span.start + by..span.end + by, key.into_inner()),
            shift(value, by),
        );
    }
    shifted
}

fn shift(value: Spanned<DeValue<'_>>, by: usize) -> Spanned<DeValue<'_>> {
    let span = value.span();
    let inner = match value.into_inner() {
        DeValue::Table(table) => DeValue::Table(shift_table(table, by)),
        DeValue::Array(mut items) => {
            for item in items.iter_mut() {
                let placeholder = Spanned::new(0..0, DeValue::Boolean(false));
                *item = shift(std::mem::replace(item, placeholder), by);
            }
            DeValue::Array(items)
        }
        scalar => scalar,
    };
    Spanned::new(span.start + by..span.end + by, inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_follow_the_last_other_header() {
        let text = "[[rule]]\na = 1\n[zones.a]\n[[rule]]\nb = 2\n  [[dnat]] # x\n";
        assert_eq!(cuts(text), vec![25, 40]);
        assert_eq!(piece_name(&text[40..]), "dnat");
        assert!(cuts("[[rule]]\n[zones.a]\n").is_empty());
    }

    #[test]
    fn only_bare_array_table_headers_cut() {
        assert!(opens_array_table("[[rule]]\n"));
        assert!(opens_array_table("[[ rule ]]  # one\r\n"));
        assert!(!opens_array_table("[[rule.x]]\n"));
        assert!(!opens_array_table("[[\"rule\"]]\n"));
        assert!(!opens_array_table("[[rule]] x\n"));
        assert!(!opens_array_table("[rule]\n"));
    }

    /// The model as read whole, or the whole parse's error.
    fn whole(text: &str) -> String {
        match toml::from_str::<RawModel>(text) {
            Ok(model) => format!("{model:?}"),
            Err(error) => format!("error {:?}", error.span()),
        }
    }

    /// Every piece-wise read equals the whole read, spans included.
    fn same_as_whole(text: &str) -> bool {
        let Some(model) = parse(text) else {
            return false;
        };
        assert_eq!(format!("{model:?}"), whole(text), "{text}");
        true
    }

    #[test]
    fn pieces_equal_the_whole_file() {
        let text = "# head\n[firewall]\nzone = \"fw\"\n[zones.net]\n\n[[policy]]\nsource = \"net\"\ndest = \"all\"\naction = \"DROP\"\n\n[[rule]] # first\naction = \"ACCEPT\"\nsource = \"net\"\ndest = \"$FW\"\ndport = [22, \"8000:8100\",\n  443]\ncomment = \"\"\"\n[not a header]\n\"\"\"\n\n  [[ dnat ]]\nsource = \"net\"\ndest = \"loc\"\nto = \"10.0.0.1\"\nproto = \"tcp\"\ndport = 80\n[[rule]]\naction = \"DROP\"\nsource = \"net\"\ndest = \"$FW\"\n";
        assert!(same_as_whole(text));
    }

    #[test]
    fn many_pieces_on_several_threads_equal_the_whole_file() {
        let mut text = String::from("[zones.net]\n[zones.loc]\n");
        for n in 0..6000 {
            text.push_str(&format!(
                "[[rule]]\naction = \"ACCEPT\"\nsource = \"net:10.0.{}.{}\"\ndest = \"loc\"\nproto = \"tcp\"\ndport = [{n}, \"{n}:{}\"]\n\n",
                n / 250,
                n % 250,
                n + 10
            ));
            if n % 7 == 0 {
                text.push_str("[[dnat]]\nsource = \"net\"\ndest = \"loc\"\nto = \"10.0.0.1\"\nproto = \"tcp\"\ndport = 80\n");
            }
        }
        let pieces = pieces(text.len(), &cuts(&text));
        assert!(pieces.len() > 4);
        // Every piece is read from its events, none by the `toml` crate.
        for piece in &pieces {
            assert!(super::super::events::parse_piece(&text, piece.range.clone()).is_some());
        }
        assert!(same_as_whole(&text));
    }

    #[test]
    fn pieces_group_cuts_up_to_their_size() {
        let cuts = [10, 20, PIECE_BYTES + 10, PIECE_BYTES + 20];
        let pieces = pieces(PIECE_BYTES + 30, &cuts);
        let shown: Vec<_> = pieces.iter().map(|p| (p.range.clone(), p.tables)).collect();
        assert_eq!(
            shown,
            vec![
                (10..PIECE_BYTES + 10, 2),
                (PIECE_BYTES + 10..PIECE_BYTES + 30, 2)
            ]
        );
    }

    /// Models of the tree with lines that open tables, strings and arrays
    /// put in at random: whenever they are read in pieces, they read as the
    /// whole file does (which may then be an error, so the pieces must not
    /// succeed).
    #[test]
    fn cut_models_read_in_pieces_only_as_they_read_whole() {
        const LINES: &[&str] = &[
            "[[rule]]\n",
            "[[policy]]\n",
            "[[dnat]] # one\n",
            "[[zones]]\n",
            "[zones.extra]\n",
            "\"\"\"\n",
            "'''\n",
            "rule = []\n",
            "x = [\n",
            "]\n",
            "[[rule]]\naction = \"ACCEPT\"\nsource = \"net\"\ndest = \"loc\"\n",
            "comment = \"x\"\n",
        ];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut pieced = 0;
        for dir in ["examples", "tests/check", "tests/errors", "tests/models"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_none_or(|e| e != "toml") {
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                for _ in 0..60 {
                    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
                    for _ in 0..1 + next(3) {
                        let at = next(lines.len() + 1);
                        lines.insert(at, LINES[next(LINES.len())]);
                    }
                    let cut: String = lines.concat();
                    if let Some(model) = parse(&cut) {
                        assert_eq!(format!("{model:?}"), whole(&cut), "{cut}");
                        pieced += 1;
                    }
                }
            }
        }
        assert!(
            pieced >= 200,
            "only {pieced} cut models were read in pieces"
        );
    }

    #[test]
    fn what_cannot_be_cut_is_read_whole() {
        let cases = [
            // a cut inside a multi-line string
            "[[rule]]\ncomment = \"\"\"\n[[rule]]\n\"\"\"\naction = \"A\"\nsource = \"a\"\ndest = \"b\"\n",
            // an inline array cannot be extended by `[[rule]]`
            "rule = [{action = \"A\", source = \"a\", dest = \"b\"}]\n[[rule]]\naction = \"A\"\nsource = \"a\"\ndest = \"b\"\n",
            // nor an array of arrays
            "rule = [[\"A\", \"\", \"a\", \"b\"]]\n[[rule]]\naction = \"A\"\nsource = \"a\"\ndest = \"b\"\n",
            // a table that is no array field
            "[[firewall]]\nzone = \"fw\"\n",
            // a duplicate key in a piece
            "[[rule]]\naction = \"A\"\naction = \"B\"\n",
        ];
        for text in cases {
            assert!(parse(text).is_none(), "{text}");
        }
    }

    #[test]
    fn every_model_in_the_tree_reads_the_same() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut read = 0;
        for dir in [
            "examples",
            "tests/check",
            "tests/errors",
            "tests/injection",
            "tests/models",
        ] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                let text = std::fs::read(&path)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok());
                if let Some(text) = text.filter(|_| path.extension().is_some_and(|e| e == "toml")) {
                    read += usize::from(same_as_whole(&text));
                }
            }
        }
        assert!(read >= 20, "only {read} models were cut into pieces");
    }
}
