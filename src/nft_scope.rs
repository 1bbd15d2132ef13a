//! Whether an nftables ruleset file touches fwgen's table and nothing
//! else: what `fwgen apply --ruleset FILE` accepts. Rollback restores one
//! table, so a file that flushes the ruleset, touches another table or
//! includes other files could do damage that no rollback undoes.

/// A top-level statement outside fwgen's table, with its line (1-based).
#[derive(Debug, PartialEq, Eq)]
pub struct Foreign {
    pub line: usize,
    pub text: String,
}

/// One top-level statement: its words outside braces, and where it starts.
struct Statement {
    line: usize,
    words: Vec<String>,
    text: String,
}

/// Split a ruleset into top-level statements. Braces nest; `#` starts a
/// comment outside quotes; a backslash before a newline joins lines;
/// newlines and `;` end a statement outside braces.
fn statements(text: &str) -> (Vec<Statement>, Option<Foreign>) {
    let mut out = Vec::new();
    let mut current = Statement {
        line: 1,
        words: Vec::new(),
        text: String::new(),
    };
    let mut word = String::new();
    let (mut depth, mut line, mut quoted, mut comment) = (0usize, 1usize, false, false);
    let mut chars = text.chars().peekable();
    // `include` inside a block pulls in text that can close the table.
    let mut nested_include: Option<Foreign> = None;
    let mut flush_word = |word: &mut String, current: &mut Statement, depth: usize, line: usize| {
        if depth == 0 && !word.is_empty() {
            current.words.push(std::mem::take(word));
        } else if word == "include" && nested_include.is_none() {
            nested_include = Some(Foreign {
                line,
                text: "include (inside a block)".to_owned(),
            });
        }
        word.clear();
    };
    while let Some(c) = chars.next() {
        if c == '\n' {
            line += 1;
            comment = false;
        }
        if comment {
            continue;
        }
        if quoted {
            quoted = c != '"';
            continue;
        }
        match c {
            '\\' if chars.peek() == Some(&'\n') => {
                chars.next();
                line += 1;
                flush_word(&mut word, &mut current, depth, line);
            }
            '#' => {
                comment = true;
                flush_word(&mut word, &mut current, depth, line);
            }
            '"' => {
                flush_word(&mut word, &mut current, depth, line);
                quoted = true;
            }
            '{' => {
                flush_word(&mut word, &mut current, depth, line);
                depth += 1;
            }
            '}' => {
                flush_word(&mut word, &mut current, depth, line);
                depth = depth.saturating_sub(1);
            }
            '\n' | ';' if depth == 0 => {
                flush_word(&mut word, &mut current, depth, line);
                if !current.words.is_empty() {
                    out.push(std::mem::replace(
                        &mut current,
                        Statement {
                            line,
                            words: Vec::new(),
                            text: String::new(),
                        },
                    ));
                }
                current.line = line;
                continue;
            }
            c if c.is_whitespace() || c == ';' => flush_word(&mut word, &mut current, depth, line),
            c => word.push(c),
        }
        if depth == 0 && current.text.len() < 120 && c != '\n' {
            current.text.push(c);
        }
    }
    flush_word(&mut word, &mut current, depth, line);
    if !current.words.is_empty() {
        out.push(current);
    }
    (out, nested_include)
}

const VERBS: [&str; 7] = [
    "add", "create", "insert", "replace", "delete", "flush", "destroy",
];

/// Whether a statement's words name `table inet TABLE` as their subject.
fn concerns(words: &[String], table: &str) -> bool {
    let is = |i: usize, expected: &str| words.get(i).is_some_and(|w| w == expected);
    let words_str: Vec<&str> = words.iter().map(String::as_str).collect();
    match words_str.as_slice() {
        ["define" | "redefine" | "undefine", ..] => true,
        ["table", ..] => is(1, "inet") && is(2, table),
        [verb, "table", ..] if VERBS.contains(verb) => is(2, "inet") && is(3, table),
        [verb, "ct", _, ..] if VERBS.contains(verb) => is(3, "inet") && is(4, table),
        [verb, _, ..] if VERBS.contains(verb) => is(2, "inet") && is(3, table),
        _ => false,
    }
}

/// The first statement that concerns anything but `table inet TABLE`.
pub fn foreign_statement(text: &str, table: &str) -> Option<Foreign> {
    let (statements, nested_include) = statements(text);
    let first = statements
        .into_iter()
        .find(|s| !concerns(&s.words, table))
        .map(|s| Foreign {
            line: s.line,
            text: s.text.trim().to_owned(),
        });
    match (first, nested_include) {
        (Some(a), Some(b)) => Some(if b.line < a.line { b } else { a }),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn foreign(text: &str) -> Option<usize> {
        foreign_statement(text, "fwgen").map(|f| f.line)
    }

    #[test]
    fn fwgen_own_file_is_accepted() {
        let text = "#!/usr/sbin/nft -f\n# comment\ntable inet fwgen\ndelete table inet fwgen\ntable inet fwgen {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tiifname \"lo\" accept comment \"a { b ; flush ruleset\"\n\t}\n}\nadd rule inet fwgen input tcp dport 22 accept\ndefine x = 1\n";
        assert_eq!(foreign(text), None);
    }

    #[test]
    fn anything_beyond_the_table_is_found_with_its_line() {
        assert_eq!(foreign("table inet fwgen\nflush ruleset\n"), Some(2));
        assert_eq!(
            foreign("table inet fwgen { }\n\ntable ip nat { }\n"),
            Some(3)
        );
        assert_eq!(foreign("include \"/etc/x.nft\"\n"), Some(1));
        assert_eq!(foreign("delete table inet other\n"), Some(1));
        assert_eq!(foreign("table fwgen { }\n"), Some(1));
        assert_eq!(foreign("add rule ip fwgen input accept\n"), Some(1));
        assert_eq!(
            foreign("table inet fwgen { chain a { } }; flush ruleset\n"),
            Some(1)
        );
        assert_eq!(foreign("add ct helper inet other h { }\n"), Some(1));
        assert_eq!(
            foreign("table inet fwgen \\\n { }\nlist ruleset\n"),
            Some(3)
        );
    }
}
