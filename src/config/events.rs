//! A piece of the model (src/config/pieces.rs: `[[name]]` tables only)
//! deserialized straight from `toml_parser`'s events: no document tree, no
//! hash map per table, spans put at the whole file's offsets as they are
//! made. The `toml` crate lexes and parses with the same `toml_parser`, so
//! what is valid TOML is decided exactly as before.
//!
//! Only what the model's `[[name]]` tables hold is read here: keys, strings,
//! booleans, integers and flat arrays of them. Anything else (an error, a
//! dotted key, an inline table, a float, a nested array, a value serde
//! refuses, a table name this reader does not know) gives
//! `None`, and the caller reads the piece with the `toml` crate as before,
//! which also locates every error as before.

use std::borrow::Cow;
use std::ops::Range;

use serde::Deserialize;
use serde::de::value::Error;
use serde::de::{DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde_spanned::de::{SpannedDeserializer, is_spanned};
use toml::Spanned;
use toml_parser::decoder::ScalarKind;
use toml_parser::parser::{Event, EventKind, RecursionGuard, ValidateWhitespace, parse_document};
use toml_parser::{ParseError, Source};

use super::RawModel;

/// How deep arrays and tables may nest, as in the `toml` crate (which
/// refuses deeper documents).
const DEPTH: u32 = 80;

/// The piece `text[range]`, read from its events, or `None` when it holds
/// anything but `[[name]]` tables of keys, strings, integers and flat arrays
/// of them that deserialize into the model.
pub(super) fn parse_piece(text: &str, range: Range<usize>) -> Option<RawModel> {
    let source = Source::new(&text[range.clone()]);
    let tokens = source.lex().into_vec();
    let mut events: Vec<Event> = Vec::with_capacity(tokens.len());
    let mut error: Option<ParseError> = None;
    {
        let mut valid = ValidateWhitespace::new(&mut events, source);
        let mut guarded = RecursionGuard::new(&mut valid, DEPTH);
        parse_document(&tokens, &mut guarded, &mut error);
    }
    drop(tokens);
    if error.is_some() {
        return None;
    }
    let mut reader = Reader {
        source,
        events: &events,
        at: 0,
        by: range.start,
    };
    let mut model = RawModel::default();
    while let Some(open) = reader.next_line() {
        let (name, span) = reader.header(open)?;
        let table = TableDe {
            entries: reader.table()?,
            span,
        };
        match name.as_ref() {
            "policy" => model.policy.push(Deserialize::deserialize(table).ok()?),
            "rule" => model.rule.push(Deserialize::deserialize(table).ok()?),
            "dnat" => model.dnat.push(Deserialize::deserialize(table).ok()?),
            "masquerade" => model.masquerade.push(Deserialize::deserialize(table).ok()?),
            "snat" => model.snat.push(Deserialize::deserialize(table).ok()?),
            "redirect" => model.redirect.push(Deserialize::deserialize(table).ok()?),
            "nat" => model.nat.push(Deserialize::deserialize(table).ok()?),
            "stopped" => model.stopped.push(Deserialize::deserialize(table).ok()?),
            "tunnel" => model.tunnel.push(Deserialize::deserialize(table).ok()?),
            "blacklist" => model.blacklist.push(Deserialize::deserialize(table).ok()?),
            "ipset" => model.ipset.push(Deserialize::deserialize(table).ok()?),
            "maclist" => model.maclist.push(Deserialize::deserialize(table).ok()?),
            "conntrack" => model.conntrack.push(Deserialize::deserialize(table).ok()?),
            _ => return None,
        }
    }
    // Each piece's lists were grown by doubling: left so until the whole
    // run is read, their spare room was a third of the raw rules' 70 MB
    // at 100,000 rules, the peak heap while parsing (docs/performance.md).
    model.shrink_to_fit();
    Some(model)
}

/// A value of a table: what the model's `[[name]]` tables hold.
enum Value<'i> {
    Text(Cow<'i, str>),
    Bool(bool),
    Signed(i64),
    Unsigned(u64),
    Array(Vec<Spanned<Value<'i>>>),
}

type Entries<'i> = Vec<(Spanned<Cow<'i, str>>, Spanned<Value<'i>>)>;

/// Walks the events of one piece; `by` is the piece's offset in the file.
struct Reader<'e, 'i> {
    source: Source<'i>,
    events: &'e [Event],
    at: usize,
    by: usize,
}

impl<'i> Reader<'_, 'i> {
    fn span(&self, event: &Event) -> Range<usize> {
        event.span().start() + self.by..event.span().end() + self.by
    }

    /// The next event that is not a blank, a comment or a line end.
    fn next_line(&mut self) -> Option<Event> {
        while let Some(&event) = self.events.get(self.at) {
            self.at += 1;
            if !matches!(
                event.kind(),
                EventKind::Whitespace | EventKind::Comment | EventKind::Newline
            ) {
                return Some(event);
            }
        }
        None
    }

    /// The next event that is not a blank (within one line).
    fn next_word(&mut self) -> Option<Event> {
        while let Some(&event) = self.events.get(self.at) {
            self.at += 1;
            if event.kind() != EventKind::Whitespace {
                return Some(event);
            }
        }
        None
    }

    /// `[[name]]`: its name and the header's span (a table's span in the
    /// `toml` crate).
    fn header(&mut self, open: Event) -> Option<(Cow<'i, str>, Range<usize>)> {
        if open.kind() != EventKind::ArrayTableOpen {
            return None;
        }
        let key = self
            .next_word()
            .filter(|e| e.kind() == EventKind::SimpleKey)?;
        let name = self.key(&key)?;
        let close = self
            .next_word()
            .filter(|e| e.kind() == EventKind::ArrayTableClose)?;
        Some((
            name,
            open.span().start() + self.by..close.span().end() + self.by,
        ))
    }

    /// The `key = value` lines up to the next `[[name]]` or the end.
    fn table(&mut self) -> Option<Entries<'i>> {
        let mut entries = Vec::new();
        loop {
            let before = self.at;
            match self.next_line() {
                None => return Some(entries),
                Some(event) if event.kind() == EventKind::ArrayTableOpen => {
                    self.at = before;
                    return Some(entries);
                }
                Some(event) if event.kind() == EventKind::SimpleKey => {
                    let key = Spanned::new(self.span(&event), self.key(&event)?);
                    self.next_word()
                        .filter(|e| e.kind() == EventKind::KeyValSep)?;
                    let first = self.next_word()?;
                    let value = self.value(first, true)?;
                    entries.push((key, value));
                }
                Some(_) => return None,
            }
        }
    }

    fn key(&self, event: &Event) -> Option<Cow<'i, str>> {
        let raw = self.source.get(event)?;
        let mut key = Cow::Borrowed("");
        let mut error: Option<ParseError> = None;
        raw.decode_key(&mut key, &mut error);
        error.is_none().then_some(key)
    }

    /// A scalar, or (at the top of a value) a flat array of scalars.
    fn value(&mut self, first: Event, top: bool) -> Option<Spanned<Value<'i>>> {
        match first.kind() {
            EventKind::Scalar => self.scalar(&first),
            EventKind::ArrayOpen if top => {
                let mut items = Vec::new();
                loop {
                    let event = self.next_line()?;
                    match event.kind() {
                        EventKind::ValueSep => {}
                        EventKind::ArrayClose => {
                            let span = first.span().start() + self.by..event.span().end() + self.by;
                            return Some(Spanned::new(span, Value::Array(items)));
                        }
                        _ => items.push(self.value(event, false)?),
                    }
                }
            }
            _ => None,
        }
    }

    fn scalar(&self, event: &Event) -> Option<Spanned<Value<'i>>> {
        let raw = self.source.get(event)?;
        let mut decoded = Cow::Borrowed("");
        let mut error: Option<ParseError> = None;
        let kind = raw.decode_scalar(&mut decoded, &mut error);
        if error.is_some() {
            return None;
        }
        let value = match kind {
            ScalarKind::String => Value::Text(decoded),
            ScalarKind::Boolean(value) => Value::Bool(value),
            // As the `toml` crate: an i64 where it fits, else a u64.
            ScalarKind::Integer(radix) => match i64::from_str_radix(&decoded, radix.value()) {
                Ok(n) => Value::Signed(n),
                Err(_) => Value::Unsigned(u64::from_str_radix(&decoded, radix.value()).ok()?),
            },
            _ => return None,
        };
        Some(Spanned::new(self.span(event), value))
    }
}

/// One value with its span, for serde.
struct ValueDe<'i>(Spanned<Value<'i>>);

impl<'de> Deserializer<'de> for ValueDe<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0.into_inner() {
            Value::Text(Cow::Borrowed(text)) => visitor.visit_borrowed_str(text),
            Value::Text(Cow::Owned(text)) => visitor.visit_string(text),
            Value::Bool(value) => visitor.visit_bool(value),
            Value::Signed(n) => visitor.visit_i64(n),
            Value::Unsigned(n) => visitor.visit_u64(n),
            Value::Array(items) => visitor.visit_seq(Items(items.into_iter())),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if is_spanned(name) {
            let span = self.0.span();
            return visitor.visit_map(SpannedDeserializer::new(ValueDe(self.0), span));
        }
        self.deserialize_any(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map enum
        identifier ignored_any
    }
}

impl<'de> IntoDeserializer<'de, Error> for ValueDe<'de> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

struct Items<'i>(std::vec::IntoIter<Spanned<Value<'i>>>);

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.0
            .next()
            .map(|item| seed.deserialize(ValueDe(item)))
            .transpose()
    }
}

/// One `[[name]]` table: its entries in file order and its header's span.
struct TableDe<'i> {
    entries: Entries<'i>,
    span: Range<usize>,
}

impl<'de> Deserializer<'de> for TableDe<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_map(Fields {
            entries: self.entries.into_iter(),
            value: None,
        })
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if is_spanned(name) {
            let span = self.span.clone();
            return visitor.visit_map(SpannedDeserializer::new(self, span));
        }
        self.deserialize_any(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

impl<'de> IntoDeserializer<'de, Error> for TableDe<'de> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

struct Fields<'i> {
    entries: std::vec::IntoIter<(Spanned<Cow<'i, str>>, Spanned<Value<'i>>)>,
    value: Option<Spanned<Value<'i>>>,
}

impl<'de> MapAccess<'de> for Fields<'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        let span = key.span();
        seed.deserialize(ValueDe(Spanned::new(span, Value::Text(key.into_inner()))))
            .map(Some)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, Error> {
        let value = self
            .value
            .take()
            .ok_or_else(|| <Error as serde::de::Error>::custom("a value without a key"))?;
        seed.deserialize(ValueDe(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The piece read from its events, as `toml` reads it.
    fn same_as_toml(text: &str, start: usize) -> bool {
        let range = start..text.len();
        let Some(model) = parse_piece(text, range.clone()) else {
            return false;
        };
        let by_toml = super::super::pieces::parse_piece_toml(text, range).expect(text);
        assert_eq!(format!("{model:?}"), format!("{by_toml:?}"), "{text}");
        true
    }

    #[test]
    fn every_kind_of_string_integer_and_array_reads_as_toml_reads_it() {
        let head = "[zones.net]\n";
        let piece = "[[rule]] # one\n\
            action = \"ACC\\u0045PT\"\n\
            \"source\" = 'net:10.0.0.1'\n\
            'dest' = \"\"\"\nloc\"\"\"\n\
            proto = 0x6\n\
            dport = [ 22, \"8000:8100\" , # ssh\n  0o17,\n  1_000,\n]\n\
            sport = +443\n\
            comment = '''a\nb'''\n\
            \n[[policy]]\nsource = \"net\"\ndest = \"all\"\naction = \"DROP\"\n\
            [[dnat]]\nsource = \"net\"\ndest = \"loc\"\nto = \"10.0.0.1\"\nproto = -1\ndport = []\norigdest = [\"192.0.2.1\", \"192.0.2.0/28\"]\nto_port = 8080\n\
            [[redirect]]\nsource = \"loc\"\nproto = \"tcp\"\ndport = 80\norigdest = [\"203.0.113.7\"]\nto_port = 3128\n\
            [[dnat]]\nmacro = \"Web\"\nsource = \"net\"\ndest = \"loc\"\nto = \"10.0.0.2\"\n\
            [[redirect]]\nmacro = \"HTTP\"\nsource = \"loc\"\nto_port = 3128\naccept = false\n\
            [[masquerade]]\ninterface = \"eth0\"\nsources = [\"10.0.0.0/8\"]\ndestinations = [\"192.0.2.0/24\"]\nmark = \"!7\"\nproto = \"tcp\"\ndport = [80, \"443\"]\n\
            [[snat]]\ninterface = \"eth0\"\nto = \"1.2.3.4-1.2.3.6\"\npersistent = true\nmark = \"0x10/0xf0\"\nproto = 17\ndport = \"53\"\n\
            [[ rule ]]\naction = \"DROP\"\nsource = \"net\"\ndest = \"loc\"\nicmp_type = 8\n";
        let text = format!("{head}{piece}");
        assert!(same_as_toml(&text, head.len()));
    }

    #[test]
    fn what_the_events_do_not_read_is_left_to_toml() {
        let cases = [
            // a boolean serde refuses, a float, a date, an inline table,
            // a nested array
            "[[rule]]\naction = true\n",
            "[[rule]]\naction = 1.5\n",
            "[[rule]]\naction = 1979-05-27\n",
            "[[rule]]\naction = { a = 1 }\n",
            "[[rule]]\ndport = [[1]]\n",
            // a dotted key, a table header, a dotted array table
            "[[rule]]\naction.x = \"A\"\n",
            "[[rule]]\n[rule.x]\n",
            "[[rule.x]]\n",
            // an unknown name, an unknown field, a missing field, a duplicate
            "[[zone]]\nname = \"a\"\n",
            "[[rule]]\naction = \"A\"\nsource = \"a\"\ndest = \"b\"\nx = 1\n",
            "[[rule]]\naction = \"A\"\n",
            "[[rule]]\naction = \"A\"\naction = \"A\"\nsource = \"a\"\ndest = \"b\"\n",
            // TOML errors
            "[[rule]]\naction = \"A\nsource = \"a\"\n",
            "[[rule]]\naction = 012\n",
            "[[rule]]\naction = \"\\q\"\n",
            "[[rule]]\ndport = 99999999999999999999\n",
            "[[rule]]\naction\t= \"A\"\u{c}\n",
            "key = 1\n",
        ];
        for text in cases {
            assert!(parse_piece(text, 0..text.len()).is_none(), "{text}");
        }
    }

    #[test]
    fn every_piece_of_the_generated_models_is_read_from_its_events() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut read = 0;
        for dir in ["examples", "tests/check", "tests/models"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_none_or(|e| e != "toml") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let Some(&first) = super::super::pieces::cuts(&text).first() else {
                    continue;
                };
                if super::super::pieces::parse_piece_toml(&text, first..text.len()).is_some() {
                    assert!(same_as_toml(&text, first), "{}", path.display());
                    read += 1;
                }
            }
        }
        assert!(read >= 10, "only {read} models were read from their events");
    }
}
