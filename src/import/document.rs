//! The imported model as a TOML document: typed tables, rendered by one
//! function that quotes keys where TOML requires it and escapes every
//! string, so no name or comment from a Shorewall file can start a line,
//! a key or a table of its own. Rendering also gives where each table and
//! each of its items landed, so an error of the model is traced back to
//! the item that caused it.

use std::ops::Range;

/// A value of the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    String(String),
    Boolean(bool),
    Integer(i64),
    Array(Vec<Value>),
}

impl Value {
    /// An array of strings.
    pub fn strings<S: AsRef<str>>(items: &[S]) -> Value {
        Value::Array(items.iter().map(|s| s.as_ref().into()).collect())
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    fn render(&self, out: &mut String) {
        match self {
            Value::String(text) => out.push_str(&quote(text)),
            Value::Boolean(flag) => out.push_str(if *flag { "true" } else { "false" }),
            Value::Integer(number) => out.push_str(&number.to_string()),
            Value::Array(items) => {
                out.push('[');
                for (n, item) in items.iter().enumerate() {
                    if n > 0 {
                        out.push_str(", ");
                    }
                    item.render(out);
                }
                out.push(']');
            }
        }
    }
}

/// `false`: what an unset flag of the model is.
impl Default for Value {
    fn default() -> Self {
        Value::Boolean(false)
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::String(text.to_owned())
    }
}

impl From<&String> for Value {
    fn from(text: &String) -> Self {
        Value::String(text.clone())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::String(text)
    }
}

impl From<bool> for Value {
    fn from(flag: bool) -> Self {
        Value::Boolean(flag)
    }
}

impl From<u16> for Value {
    fn from(number: u16) -> Self {
        Value::Integer(number.into())
    }
}

impl From<u32> for Value {
    fn from(number: u32) -> Self {
        Value::Integer(number.into())
    }
}

/// A line of a table: `key = value`, or a `# comment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Pair(String, Value),
    Comment(String),
}

/// `[a.b]` or `[[a.b]]`, by its keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Header {
    Table(Vec<String>),
    ArrayOfTables(Vec<String>),
}

/// One table of the document, with the comment lines above its header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub comments: Vec<String>,
    pub header: Header,
    pub items: Vec<Item>,
}

impl Table {
    /// `[path]`.
    pub fn at(path: &[&str]) -> Table {
        Table::new(Header::Table(path.iter().map(|&k| k.to_owned()).collect()))
    }

    /// `[[path]]`.
    pub fn array(path: &[&str]) -> Table {
        Table::new(Header::ArrayOfTables(
            path.iter().map(|&k| k.to_owned()).collect(),
        ))
    }

    fn new(header: Header) -> Table {
        Table {
            comments: Vec::new(),
            header,
            items: Vec::new(),
        }
    }

    /// Add `key = value`.
    pub fn push(&mut self, key: &str, value: impl Into<Value>) {
        self.items.push(Item::Pair(key.to_owned(), value.into()));
    }

    /// Add `key = value` when there is a value.
    pub fn push_some<V: Into<Value>>(&mut self, key: &str, value: Option<V>) {
        if let Some(value) = value {
            self.push(key, value);
        }
    }

    /// Add a `# text` line.
    pub fn comment(&mut self, text: &str) {
        self.items.push(Item::Comment(text.to_owned()));
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.items.iter().find_map(|item| match item {
            Item::Pair(k, value) if k == key => Some(value),
            _ => None,
        })
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.items.iter_mut().find_map(|item| match item {
            Item::Pair(k, value) if k == key => Some(value),
            _ => None,
        })
    }

    /// Give one family its own value of `key`: `key = ...` becomes
    /// `key_ipv4 = ...`, and `key_ipv6` follows it with `ipv6`'s value
    /// (after the comments `notes`), or the table's end when `key` is not
    /// there; a family without a value gets no key.
    pub fn split_family(&mut self, key: &str, ipv6: Option<Value>, notes: &[String]) {
        let four = format!("{key}_ipv4");
        let at = self
            .items
            .iter()
            .position(|item| matches!(item, Item::Pair(k, _) if k == key));
        let at = match at {
            Some(at) => {
                if let Item::Pair(k, _) = &mut self.items[at] {
                    *k = four;
                }
                at + 1
            }
            None => self.items.len(),
        };
        let mut added: Vec<Item> = notes.iter().map(|n| Item::Comment(n.clone())).collect();
        if let Some(value) = ipv6 {
            added.push(Item::Pair(format!("{key}_ipv6"), value));
        }
        self.items.splice(at..at, added);
    }

    /// Remove every `key = ...`.
    pub fn remove(&mut self, key: &str) {
        self.items
            .retain(|item| !matches!(item, Item::Pair(k, _) if k == key));
    }
}

/// Where a table landed in the rendered text: all of it (its comments
/// too), and each item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub whole: Range<usize>,
    pub items: Vec<Range<usize>>,
}

/// The tables as TOML text, each followed by a blank line, and where
/// each one landed.
pub fn render<'a>(tables: impl IntoIterator<Item = &'a Table>) -> (String, Vec<Placed>) {
    let mut out = String::new();
    let mut placed = Vec::new();
    for table in tables {
        let start = out.len();
        for comment in &table.comments {
            push_comment(&mut out, comment);
        }
        let (open, path, close) = match &table.header {
            Header::Table(path) => ("[", path, "]\n"),
            Header::ArrayOfTables(path) => ("[[", path, "]]\n"),
        };
        out.push_str(open);
        out.push_str(&dotted(path));
        out.push_str(close);
        let mut items = Vec::new();
        for item in &table.items {
            let at = out.len();
            match item {
                Item::Pair(name, value) => {
                    out.push_str(&key(name));
                    out.push_str(" = ");
                    value.render(&mut out);
                    out.push('\n');
                }
                Item::Comment(text) => push_comment(&mut out, text),
            }
            items.push(at..out.len());
        }
        out.push('\n');
        placed.push(Placed {
            whole: start..out.len(),
            items,
        });
    }
    (out, placed)
}

/// Comment lines: each text a `# text` line of its own.
pub fn comments<S: AsRef<str>>(texts: &[S]) -> String {
    let mut out = String::new();
    for text in texts {
        push_comment(&mut out, text.as_ref());
    }
    out
}

/// `# text`, on one line: a line break or other control character in the
/// text becomes a space (TOML allows none in a comment but the tab).
fn push_comment(out: &mut String, text: &str) {
    out.push_str("# ");
    out.extend(text.chars().map(|c| {
        if c.is_ascii_control() && c != '\t' {
            ' '
        } else {
            c
        }
    }));
    out.push('\n');
}

fn dotted(path: &[String]) -> String {
    let keys: Vec<String> = path.iter().map(|k| key(k)).collect();
    keys.join(".")
}

/// A key: bare when TOML allows it (`A-Z a-z 0-9 - _`), else quoted
/// (`"tun+"`, `"eth2.3"`, `""`).
pub fn key(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
    if bare { name.to_owned() } else { quote(name) }
}

/// A string on one line: `"text"` when it needs no escape, `'text'` when
/// a literal string holds it unescaped, else `"text"` with escapes (as
/// the toml crate writes single-line strings; it writes a multi-line
/// string for a line break, which this never does).
pub fn quote(text: &str) -> String {
    let control = |c: char| c.is_ascii_control() && c != '\t';
    if !text.contains(['"', '\\']) && !text.chars().any(control) {
        return format!("\"{}\"", text.replace('\t', "\\t"));
    }
    if !text.contains('\'') && !text.chars().any(control) {
        return format!("'{text}'");
    }
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if c.is_ascii_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn one(table: &Table) -> String {
        render([table]).0
    }

    #[test]
    fn keys_are_quoted_exactly_when_toml_requires_it() {
        assert_eq!(key("net"), "net");
        assert_eq!(key("NET_IF-2"), "NET_IF-2");
        assert_eq!(key("tun+"), "\"tun+\"");
        assert_eq!(key("eth2.3"), "\"eth2.3\"");
        assert_eq!(key("a b"), "\"a b\"");
        assert_eq!(key(""), "\"\"");
        assert_eq!(key("é"), "\"é\"");
        let mut table = Table::at(&["interfaces", "eth2.3"]);
        table.push("zone", "net");
        assert_eq!(one(&table), "[interfaces.\"eth2.3\"]\nzone = \"net\"\n\n");
    }

    #[test]
    fn tables_render_with_their_comments_items_and_ranges() {
        let mut table = Table::array(&["zones", "tun+", "hosts"]);
        table.comments.push("hosts:3".into());
        table.push("networks", Value::strings(&["10.0.0.0/8", "::1"]));
        table.push("destonly", true);
        table.push("to_port", 8080u16);
        table.comment("the VPN");
        let (text, placed) = render([&table, &Table::at(&["shorewall"])]);
        assert_eq!(
            text,
            "# hosts:3\n[[zones.\"tun+\".hosts]]\nnetworks = [\"10.0.0.0/8\", \"::1\"]\ndestonly = true\nto_port = 8080\n# the VPN\n\n[shorewall]\n\n"
        );
        assert_eq!(placed.len(), 2);
        assert_eq!(&text[placed[0].items[1].clone()], "destonly = true\n");
        assert_eq!(&text[placed[0].items[3].clone()], "# the VPN\n");
        assert_eq!(&text[placed[1].whole.clone()], "[shorewall]\n\n");
    }

    #[test]
    fn hostile_names_and_comments_stay_on_their_line() {
        let hostile = "x\"]\n[evil]\nkey = 1 # \u{7f}'\\ é";
        let mut table = Table::at(&["zones", hostile]);
        table.comments.push(hostile.into());
        table.push(hostile, hostile);
        table.push("list", Value::strings(&[hostile, "]", "#"]));
        table.comment(hostile);
        let text = one(&table);
        assert_eq!(text.lines().count(), 6, "{text}");
        let parsed: toml::Table = text.parse().unwrap();
        assert_eq!(parsed.len(), 1, "{text}");
        let zone = &parsed["zones"][hostile];
        assert_eq!(zone[hostile].as_str(), Some(hostile));
        let list: Vec<&str> = zone["list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(list, [hostile, "]", "#"]);
    }

    #[test]
    fn strings_are_written_as_the_toml_crate_writes_one_line_strings() {
        for text in ["net", "a\tb", "say \"hi\"", "back\\slash", "it's", "ü"] {
            assert_eq!(quote(text), toml::Value::from(text).to_string(), "{text}");
        }
        assert_eq!(quote("both ' and \""), "\"both ' and \\\"\"");
        assert_eq!(quote("a\nb"), "\"a\\nb\"");
        assert_eq!(quote("\u{1}"), "\"\\u0001\"");
    }

    proptest! {
        #[test]
        fn any_key_and_string_round_trips(name in any::<String>(), text in any::<String>()) {
            let mut table = Table::array(&["rule", &name]);
            table.comments.push(text.clone());
            table.push(&name, text.as_str());
            table.push("list", Value::strings(&[&text, &name]));
            table.comment(&text);
            let rendered = one(&table);
            prop_assert_eq!(rendered.lines().count(), 6);
            let parsed: toml::Table = rendered.parse().unwrap();
            let entry = &parsed["rule"][&name][0];
            prop_assert_eq!(entry.as_table().unwrap().len(), 2);
            prop_assert_eq!(entry[&name].as_str(), Some(text.as_str()));
            prop_assert_eq!(entry["list"][0].as_str(), Some(text.as_str()));
            prop_assert_eq!(entry["list"][1].as_str(), Some(name.as_str()));
        }

        #[test]
        fn one_line_strings_match_the_toml_crate(text in "[^\\n\\r]*") {
            let theirs = toml::Value::from(text.as_str()).to_string();
            if !theirs.starts_with("\"\"\"") && !theirs.starts_with("'''") {
                prop_assert_eq!(quote(&text), theirs);
            }
        }
    }
}
