//! `?IF`, `?ELSIF`, `?ELSE` and `?ENDIF` as Shorewall's compiler applies
//! them (Shorewall/Config.pm, `process_compiler_directive`): only the lines
//! of the branch Shorewall takes are imported. A condition whose value fwgen
//! cannot know as Shorewall would is refused at its line (see
//! [`super::condition`]): importing both branches, or guessing one, would be
//! a different firewall.

use super::condition::{Variables, evaluate};
use super::file::{Physical, Unreadable};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keyword {
    If,
    Elsif,
    Else,
}

/// One open `?IF`, as Shorewall's `@ifstack` holds it.
struct Frame {
    keyword: Keyword,
    /// Lines were omitted already when the `?IF` was met.
    prior_omit: bool,
    /// A branch of this `?IF` was taken.
    included: bool,
    line: usize,
}

/// The directives Shorewall's `read_a_line` hands to
/// `process_compiler_directive`, whose names it matches as a prefix.
const DIRECTIVES: &[&str] = &[
    "IF", "ELSE", "ELSIF", "ENDIF", "SET", "RESET", "FORMAT", "COMMENT", "ERROR", "WARNING",
    "INFO", "REQUIRE",
];

/// `process_compiler_directive`'s keywords in its order, and whether white
/// space must follow.
const KEYWORDS: &[(&str, bool)] = &[
    ("IF", true),
    ("ELSE", false),
    ("ELSIF", true),
    ("ENDIF", false),
    ("SET", true),
    ("RESET", true),
    ("FORMAT", true),
    ("COMMENT", false),
    ("ERROR", true),
    ("WARNING", true),
    ("INFO", true),
    ("WARNING!", true),
    ("INFO!", true),
    ("REQUIRE", true),
];

/// The lines of `lines` that Shorewall's compiler reads: conditional
/// directives applied and removed, omitted lines dropped. Other directives
/// stay for the file's converter, except those that change variables or
/// stop the compiler, which are refused.
pub(super) fn active(
    file: &str,
    lines: Vec<Physical>,
    variables: &Variables,
) -> Result<Vec<Physical>, Unreadable> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut omitting = false;
    let mut kept = Vec::new();
    for line in lines {
        let number = line.number;
        let refuse = move |reason: String| Unreadable {
            file: file.to_owned(),
            line: Some(number),
            reason,
        };
        let Some((keyword, expression)) = directive(&line).map_err(refuse)? else {
            if !omitting {
                kept.push(line);
            }
            continue;
        };
        if !expression.is_ascii() {
            return Err(super::file::non_ascii(file, line.number, &line.content));
        }
        let condition = |expression: &str| {
            evaluate(expression, variables).map_err(|reason| {
                refuse(format!(
                    "?{keyword} {expression}: {reason}; fwgen imports the branch Shorewall takes or nothing"
                ))
            })
        };
        match keyword.as_str() {
            "IF" => {
                let next = omitting || !condition(&expression)?;
                stack.push(Frame {
                    keyword: Keyword::If,
                    prior_omit: omitting,
                    included: !next,
                    line: line.number,
                });
                omitting = next;
            }
            // Shorewall tests the expression's truth here: `?ELSIF 0` is
            // refused by its compiler as a missing expression.
            "ELSIF" if expression.is_empty() || expression == "0" => {
                return Err(refuse("?ELSIF without an expression".into()));
            }
            "ELSIF" => {
                let Some(top) = stack.last_mut().filter(|f| f.keyword != Keyword::Else) else {
                    return Err(refuse("?ELSIF has no matching ?IF".into()));
                };
                if omitting && !top.included {
                    omitting = top.prior_omit || !condition(&expression)?;
                    top.included = !omitting;
                } else {
                    omitting = true;
                }
                top.keyword = Keyword::Elsif;
            }
            "ELSE" | "ENDIF" if !expression.is_empty() => {
                return Err(refuse(format!("?{keyword} takes no expression")));
            }
            "ELSE" => {
                let Some(top) = stack.last_mut().filter(|f| f.keyword != Keyword::Else) else {
                    return Err(refuse("?ELSE has no matching ?IF".into()));
                };
                if !top.prior_omit {
                    omitting = top.included || !omitting;
                }
                top.keyword = Keyword::Else;
                top.included = true;
            }
            "ENDIF" => {
                let Some(top) = stack.pop() else {
                    return Err(refuse("?ENDIF has no matching ?IF".into()));
                };
                omitting = top.prior_omit;
            }
            "SET" | "RESET" if !omitting => {
                return Err(refuse(format!(
                    "?{keyword} changes variables as the compiler reads; fwgen does not follow it"
                )));
            }
            "ERROR" if !omitting => {
                return Err(refuse(
                    "?ERROR stops Shorewall's compiler here: the configuration does not compile"
                        .into(),
                ));
            }
            _ if !omitting => kept.push(line),
            // A line of a branch Shorewall's compiler does not take is no
            // input to the firewall: it drops it too.
            _ => {}
        }
    }
    match stack.last() {
        Some(open) => Err(Unreadable {
            file: file.to_owned(),
            line: Some(open.line),
            reason: "?IF has no matching ?ENDIF".into(),
        }),
        None => Ok(kept),
    }
}

/// The directive of a line and its expression (comment removed, trailing
/// white space trimmed), `None` for a line that is not a directive.
fn directive(line: &Physical) -> Result<Option<(String, String)>, String> {
    let text = line.content.trim_ascii_start();
    let Some(rest) = text.strip_prefix(b"?") else {
        return Ok(None);
    };
    let starts = |name: &str| {
        rest.get(..name.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(name.as_bytes()))
    };
    if !DIRECTIVES.iter().any(|d| starts(d)) {
        return Ok(None);
    }
    for (name, space) in KEYWORDS {
        if !starts(name) {
            continue;
        }
        let after = &rest[name.len()..];
        if *space && !after.first().is_some_and(u8::is_ascii_whitespace) {
            continue;
        }
        let expression = String::from_utf8_lossy(after.trim_ascii()).into_owned();
        return Ok(Some(((*name).to_owned(), expression)));
    }
    Err(format!(
        "invalid compiler directive `{}`",
        String::from_utf8_lossy(text).trim_end()
    ))
}
