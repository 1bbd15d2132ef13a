//! A `?IF` condition's value as Shorewall's compiler computes it
//! (Shorewall/Config.pm, `evaluate_expression`), for the conditions whose
//! value fwgen can know: not a capability of the running kernel, a variable
//! from the environment or a setting's default.
//!
//! Shorewall expands `$VAR` in a condition textually, quoting each value
//! that is not an integer, then evaluates the result as Perl. fwgen does the
//! same expansion and evaluates a small subset of Perl: integers, quoted
//! strings, `!`, unary `-`, `==` `!=` `<` `>` `<=` `>=`, `eq` `ne`, `&&`,
//! `||` and parentheses, with Perl's precedence and truth. Anything else is
//! refused.

use std::collections::{BTreeMap, BTreeSet};

/// What a condition may refer to.
pub(super) struct Variables {
    /// Variables of params when every line of it is a plain assignment of a
    /// literal; `None` when params is a shell program fwgen does not run.
    pub params: Option<BTreeMap<String, String>>,
    /// Names shorewall.conf assigns: settings that Shorewall normalises and
    /// fills with defaults, whose value fwgen does not know.
    pub settings: BTreeSet<String>,
    /// Reading Shorewall6's configuration (`__IPV6` is true).
    pub ipv6: bool,
}

/// The variables of a params file that is nothing but comments, blank
/// lines and `NAME=literal` lines (`export` allowed), as the shell would
/// set them; `None` when any line is more than that, since fwgen does not
/// run shell programs.
pub(super) fn plain_params(bytes: &[u8]) -> Option<BTreeMap<String, String>> {
    let mut params = BTreeMap::new();
    for raw in bytes.split(|&b| b == b'\n') {
        let text = raw.trim_ascii();
        if text.is_empty() || text.starts_with(b"#") {
            continue;
        }
        let text = std::str::from_utf8(text).ok()?;
        let text = text.strip_prefix("export ").unwrap_or(text).trim_start();
        let (name, value) = text.split_once('=')?;
        if !is_name(name) {
            return None;
        }
        params.insert(name.to_owned(), shell_literal(value)?);
    }
    Some(params)
}

/// A shell word that is a literal: plain characters, or one quoted string
/// without expansions, then nothing or a comment.
fn shell_literal(text: &str) -> Option<String> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_./:,+-=@%".contains(c);
    let (value, rest) = match text.chars().next() {
        Some(quote @ ('\'' | '"')) => {
            let end = text[1..].find(quote)? + 1;
            let inner = &text[1..end];
            if quote == '"' && inner.contains(['$', '`', '\\']) {
                return None;
            }
            (inner, &text[end + 1..])
        }
        _ => {
            let end = text.find(|c: char| !plain(c)).unwrap_or(text.len());
            (&text[..end], &text[end..])
        }
    };
    let rest = rest.trim_start();
    let commented = rest.is_empty()
        || (rest.starts_with('#')
            && text.len() > rest.len()
            && text[..text.len() - rest.len()].ends_with(char::is_whitespace));
    commented.then(|| value.to_owned())
}

/// `[A-Za-z_]\w*`: a shell variable's name.
pub(super) fn is_name(text: &str) -> bool {
    !text.is_empty()
        && !text.starts_with(|c: char| c.is_ascii_digit())
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The value of a condition as Shorewall's compiler computes it.
pub(super) fn evaluate(expression: &str, variables: &Variables) -> Result<bool, String> {
    if expression.is_empty() {
        return Err("a condition is missing".into());
    }
    if expression.contains("passed(") {
        return Err("`passed` tests action parameters, which exist only in actions".into());
    }
    let expanded = expand_capabilities(&expand_variables(expression, variables)?, variables)?;
    let expanded = expanded.trim_start();
    if !expanded.is_empty() && expanded.bytes().all(|b| b.is_ascii_digit()) {
        // Taken as a string, not evaluated: "00" is true.
        return Ok(expanded != "0");
    }
    let tokens = tokens(expanded)?;
    let mut parser = Parser { tokens, at: 0 };
    let tree = parser.or()?;
    if parser.at != parser.tokens.len() {
        return Err(format!("`{expanded}` is not an expression fwgen evaluates"));
    }
    Ok(tree.value()?.truth())
}

/// `$NAME` and `${NAME}` replaced, each time the first one from the start,
/// as Shorewall does; values that are not integers are quoted unless the
/// text before holds an odd number of quotes.
fn expand_variables(expression: &str, variables: &Variables) -> Result<String, String> {
    let mut text = expression.to_owned();
    for _ in 0..=100 {
        let Some((start, name, end)) = find_reference(&text, '$') else {
            return Ok(text);
        };
        let value = variable(&name, variables)?;
        let first = &text[..start];
        let integer = is_integer(&value);
        let in_quotes = first.matches('"').count() % 2 == 1 || first.matches('\'').count() % 2 == 1;
        let value = if integer || in_quotes {
            value
        } else {
            format!("'{value}'")
        };
        text = format!("{first}{value}{}", &text[end..]);
    }
    Err("its variables expand without end".into())
}

/// The first `{sigil}NAME` or `{sigil}{NAME}`: its start, name and end.
fn find_reference(text: &str, sigil: char) -> Option<(usize, String, usize)> {
    for (start, _) in text.match_indices(sigil) {
        let after = &text[start + sigil.len_utf8()..];
        let (braced, body) = match after.strip_prefix('{') {
            Some(inner) => (true, inner),
            None => (false, after),
        };
        let length = name_length(body);
        if length == 0 {
            continue;
        }
        let consumed = sigil.len_utf8() + usize::from(braced) + length;
        if braced {
            if body[length..].starts_with('}') {
                return Some((start, body[..length].to_owned(), start + consumed + 1));
            }
            continue;
        }
        return Some((start, body[..length].to_owned(), start + consumed));
    }
    None
}

/// Length of `\d+` or `[a-zA-Z_]\w*` at the start of `text`.
fn name_length(text: &str) -> usize {
    let bytes = text.as_bytes();
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    match bytes.first() {
        Some(b) if b.is_ascii_digit() => bytes.iter().take_while(|b| b.is_ascii_digit()).count(),
        Some(b) if b.is_ascii_alphabetic() || *b == b'_' => {
            bytes.iter().take_while(|b| word(b)).count()
        }
        _ => 0,
    }
}

fn is_integer(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn variable(name: &str, variables: &Variables) -> Result<String, String> {
    if name.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "`${name}` is an action parameter, which exists only in actions"
        ));
    }
    if name == "FW" {
        return Err("`$FW` is set by Shorewall's compiler from the zones file".into());
    }
    if variables.settings.contains(name) {
        return Err(format!(
            "`${name}` is a shorewall.conf setting, which Shorewall's compiler normalises and completes with defaults"
        ));
    }
    let Some(params) = &variables.params else {
        return Err(format!(
            "`${name}` may be set by params, which is a shell program fwgen does not run (only plain NAME=value lines can be read)"
        ));
    };
    match params.get(name) {
        Some(value) if !value.contains(['\'', '\\']) => Ok(value.clone()),
        Some(_) => Err(format!("`${name}` holds a quote or backslash")),
        None => Err(format!(
            "`${name}` is not set in params; Shorewall would take it from its environment or the kernel's capabilities"
        )),
    }
}

/// `__NAME` and `__{NAME}`: `__IPV4` and `__IPV6` are the family; every
/// other name is a capability of the kernel Shorewall runs on.
fn expand_capabilities(expression: &str, variables: &Variables) -> Result<String, String> {
    let mut text = expression.to_owned();
    while let Some((start, name, end)) = find_capability(&text) {
        let value = match name.as_str() {
            "IPV4" => !variables.ipv6,
            "IPV6" => variables.ipv6,
            _ => {
                return Err(format!(
                    "`__{name}` depends on the kernel and tools of the host Shorewall compiles on"
                ));
            }
        };
        text = format!("{}{}{}", &text[..start], u8::from(value), &text[end..]);
    }
    Ok(text)
}

/// The first `__NAME` or `__{NAME}` (`\w+`, greedy) from the start.
fn find_capability(text: &str) -> Option<(usize, String, usize)> {
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    for (start, _) in text.match_indices("__") {
        let after = &text.as_bytes()[start + 2..];
        let braced = after.first() == Some(&b'{');
        let body = if braced { &after[1..] } else { after };
        let length = body.iter().take_while(|b| word(b)).count();
        if length == 0 || (braced && body.get(length) != Some(&b'}')) {
            continue;
        }
        let name = String::from_utf8_lossy(&body[..length]).into_owned();
        let end = start + 2 + usize::from(braced) * 2 + length;
        return Some((start, name, end));
    }
    None
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Integer(i64),
    Text(String),
    Operator(&'static str),
}

const OPERATORS: &[&str] = &[
    "&&", "||", "==", "!=", "<=", ">=", "<", ">", "!", "-", "(", ")",
];

fn tokens(text: &str) -> Result<Vec<Token>, String> {
    let unsupported =
        |what: &str| format!("`{what}` in `{text}` is not an expression fwgen evaluates");
    let mut tokens = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let length;
        if let Some(quote) = rest.chars().next().filter(|c| *c == '\'' || *c == '"') {
            let end = rest[1..].find(quote).ok_or_else(|| unsupported(rest))?;
            let inner = &rest[1..=end];
            // Config.pm evaluate_expression puts a variable's value (`$X`,
            // an action's `@1`) and a capability's (`__IPV4`) in place
            // inside quotes as well as outside, before Perl reads the
            // quotes: `'$X' eq 'yes'` compares X's value, not the text.
            if inner.contains(['\\', '$', '@']) || inner.contains("__") {
                return Err(format!(
                    "`{}` in `{text}`: Shorewall puts variables (`$NAME`), an action's parameters (`@1`) and capabilities (`__NAME`) in place inside quotes too, where fwgen would read the text as written; write the variable outside the quotes",
                    &rest[..end + 2]
                ));
            }
            tokens.push(Token::Text(inner.to_owned()));
            length = end + 2;
        } else if rest.starts_with(|c: char| c.is_ascii_digit()) {
            length = rest.bytes().take_while(u8::is_ascii_digit).count();
            let digits = &rest[..length];
            let next = rest[length..].chars().next();
            if (digits.len() > 1 && digits.starts_with('0'))
                || next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            {
                return Err(unsupported(digits));
            }
            tokens.push(Token::Integer(
                digits.parse().map_err(|_| unsupported(digits))?,
            ));
        } else if rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            length = rest
                .bytes()
                .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                .count();
            match &rest[..length] {
                "eq" => tokens.push(Token::Operator("eq")),
                "ne" => tokens.push(Token::Operator("ne")),
                word => return Err(unsupported(word)),
            }
        } else {
            let operator = OPERATORS
                .iter()
                .find(|o| rest.starts_with(**o))
                .ok_or_else(|| {
                    unsupported(&rest[..rest.chars().next().map_or(0, char::len_utf8)])
                })?;
            length = operator.len();
            tokens.push(Token::Operator(operator));
        }
        rest = rest[length..].trim_start();
    }
    Ok(tokens)
}

/// A parsed condition.
#[derive(Debug)]
enum Tree {
    Leaf(Value),
    Not(Box<Tree>),
    Negative(Box<Tree>),
    Compare(&'static str, Box<Tree>, Box<Tree>),
    And(Box<Tree>, Box<Tree>),
    Or(Box<Tree>, Box<Tree>),
}

/// A Perl scalar as the subset produces it.
#[derive(Debug, Clone)]
enum Value {
    Integer(i64),
    Text(String),
    /// What `!` and comparisons return: 1 or the empty string.
    Truth(bool),
}

impl Value {
    fn truth(&self) -> bool {
        match self {
            Value::Integer(n) => *n != 0,
            Value::Text(t) => !(t.is_empty() || t == "0"),
            Value::Truth(b) => *b,
        }
    }

    fn number(&self) -> Result<i64, String> {
        match self {
            Value::Integer(n) => Ok(*n),
            Value::Truth(b) => Ok(i64::from(*b)),
            Value::Text(t) if is_integer(t) => t
                .parse()
                .map_err(|_| format!("`{t}` is too large a number")),
            Value::Text(t) => Err(format!(
                "`'{t}'` compared as a number: Perl's conversion is not what fwgen evaluates"
            )),
        }
    }

    fn text(&self) -> String {
        match self {
            Value::Integer(n) => n.to_string(),
            Value::Text(t) => t.clone(),
            Value::Truth(b) => if *b { "1" } else { "" }.to_owned(),
        }
    }
}

impl Tree {
    fn value(&self) -> Result<Value, String> {
        Ok(match self {
            Tree::Leaf(value) => value.clone(),
            Tree::Not(inner) => Value::Truth(!inner.value()?.truth()),
            Tree::Negative(inner) => match inner.value()? {
                Value::Integer(n) => Value::Integer(-n),
                other => return Err(format!("`-` before `{}`", other.text())),
            },
            Tree::And(a, b) => {
                let a = a.value()?;
                if a.truth() { b.value()? } else { a }
            }
            Tree::Or(a, b) => {
                let a = a.value()?;
                if a.truth() { a } else { b.value()? }
            }
            Tree::Compare(operator, a, b) => {
                let (a, b) = (a.value()?, b.value()?);
                Value::Truth(match *operator {
                    "eq" => a.text() == b.text(),
                    "ne" => a.text() != b.text(),
                    "==" => a.number()? == b.number()?,
                    "!=" => a.number()? != b.number()?,
                    "<" => a.number()? < b.number()?,
                    ">" => a.number()? > b.number()?,
                    "<=" => a.number()? <= b.number()?,
                    _ => a.number()? >= b.number()?,
                })
            }
        })
    }
}

/// Recursive descent in Perl's precedence: `||` < `&&` < equality <
/// relational < `!` and unary `-`. Chained comparisons are refused.
struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn operator(&mut self, choices: &[&'static str]) -> Option<&'static str> {
        match self.peek() {
            Some(Token::Operator(o)) if choices.contains(o) => {
                let o = *o;
                self.at += 1;
                Some(o)
            }
            _ => None,
        }
    }

    fn or(&mut self) -> Result<Tree, String> {
        let mut tree = self.and()?;
        while self.operator(&["||"]).is_some() {
            tree = Tree::Or(Box::new(tree), Box::new(self.and()?));
        }
        Ok(tree)
    }

    fn and(&mut self) -> Result<Tree, String> {
        let mut tree = self.equality()?;
        while self.operator(&["&&"]).is_some() {
            tree = Tree::And(Box::new(tree), Box::new(self.equality()?));
        }
        Ok(tree)
    }

    fn equality(&mut self) -> Result<Tree, String> {
        self.comparison(&["==", "!=", "eq", "ne"], Self::relational)
    }

    fn relational(&mut self) -> Result<Tree, String> {
        self.comparison(&["<", ">", "<=", ">="], Self::unary)
    }

    fn comparison(
        &mut self,
        operators: &[&'static str],
        operand: fn(&mut Self) -> Result<Tree, String>,
    ) -> Result<Tree, String> {
        let left = operand(self)?;
        let Some(operator) = self.operator(operators) else {
            return Ok(left);
        };
        let tree = Tree::Compare(operator, Box::new(left), Box::new(operand(self)?));
        if self.operator(operators).is_some() {
            return Err("chained comparisons are not an expression fwgen evaluates".into());
        }
        Ok(tree)
    }

    fn unary(&mut self) -> Result<Tree, String> {
        if self.operator(&["!"]).is_some() {
            return Ok(Tree::Not(Box::new(self.unary()?)));
        }
        if self.operator(&["-"]).is_some() {
            return Ok(Tree::Negative(Box::new(self.unary()?)));
        }
        if self.operator(&["("]).is_some() {
            let inner = self.or()?;
            if self.operator(&[")"]).is_none() {
                return Err("a `(` without its `)`".into());
            }
            return Ok(inner);
        }
        let leaf = match self.peek() {
            Some(Token::Integer(n)) => Value::Integer(*n),
            Some(Token::Text(t)) => Value::Text(t.clone()),
            Some(Token::Operator(o)) => return Err(format!("`{o}` where a value belongs")),
            None => return Err("a value is missing".into()),
        };
        self.at += 1;
        Ok(Tree::Leaf(leaf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variables(ipv6: bool) -> Variables {
        let params = [("V", "1"), ("E", ""), ("S", "abc"), ("Z", "0"), ("N", "-5")]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Variables {
            params: Some(params),
            settings: ["LOGFORMAT".to_owned()].into(),
            ipv6,
        }
    }

    fn truth(expression: &str) -> bool {
        evaluate(expression, &variables(false)).unwrap_or_else(|e| panic!("{expression}: {e}"))
    }

    #[test]
    fn conditions_shorewall_checks_agree_with() {
        // Each agrees with `shorewall check` on Shorewall 5.2.8.
        for (expression, expected) in [
            ("__IPV4", true),
            ("__IPV6", false),
            ("__{IPV4}", true),
            ("! __IPV6", true),
            ("$V", true),
            ("${V}", true),
            ("$E", false),
            ("$Z", false),
            ("! $E", true),
            ("$S eq 'abc' && ! $E", true),
            ("$S ne 'abc' || $V == 1", true),
            ("! $V == 0", true),
            ("00", true),
            ("0", false),
            ("$N < 0", true),
            ("\"$S\" eq \"abc\"", true),
            ("($V || $E) && $Z", false),
        ] {
            assert_eq!(truth(expression), expected, "{expression}");
        }
    }

    #[test]
    fn conditions_fwgen_cannot_know_are_refused() {
        for expression in [
            "__CT_TARGET",
            "$HOME",
            "$LOGFORMAT",
            "$FW eq 'fw'",
            "$1",
            "$S == 1",
            "$V =~ /x/",
            "not $V",
            "1 < 2 < 3",
            "010 == 8",
            "",
        ] {
            assert!(
                evaluate(expression, &variables(false)).is_err(),
                "{expression} was evaluated"
            );
        }
    }

    #[test]
    fn params_of_plain_literals_are_known_and_shell_programs_are_not() {
        let params =
            plain_params(b"# c\xe9\nA=1\nexport B='x y' # note\nC=\"z\"\nD=\nA=2\n").unwrap();
        let expected: BTreeMap<String, String> = [("A", "2"), ("B", "x y"), ("C", "z"), ("D", "")]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(params, expected);
        for program in [
            &b"A=$(hostname)\n"[..],
            b"A=\"$B\"\n",
            b"A=1; B=2\n",
            b"if true; then A=1; fi\n",
            b"A=x#y\n",
            b". /etc/other\n",
        ] {
            assert_eq!(
                plain_params(program),
                None,
                "{}",
                String::from_utf8_lossy(program)
            );
        }
    }

    #[test]
    fn ipv6_is_the_family_of_the_directory() {
        assert!(evaluate("__IPV6", &variables(true)).unwrap());
        assert!(!evaluate("__IPV4", &variables(true)).unwrap());
    }
}
