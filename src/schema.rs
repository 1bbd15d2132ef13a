//! The JSON Schema of the model file, derived from the parser's own serde
//! types (src/config.rs), for editors (taplo, Even Better TOML) and CI.
//! Each key's description is its row in docs/model.md, the one place the
//! model's keys are explained.

use schemars::generate::SchemaSettings;

use crate::config::RawModel;

/// Where the Debian package installs the schema; `fwgen init` points the
/// starter model's `#:schema` line at it.
pub const INSTALLED_PATH: &str = "/usr/share/fwgen/fwgen.schema.json";

/// The schema of `fwgen.toml`. Every table refuses keys it does not know
/// (`additionalProperties: false`), as the parser does.
pub fn model_schema() -> serde_json::Value {
    let generator = SchemaSettings::draft07().into_generator();
    let mut schema = generator.into_root_schema_for::<RawModel>();
    schema.insert("title".to_owned(), "fwgen model".into());
    let mut value = schema.to_value();
    without_null(&mut value);
    describe(&mut value, include_str!("../docs/model.md"));
    value
}

/// Give every key documented in docs/model.md its description: a section
/// `## `[zones.NAME]`` names the tables its `| key | type | default |
/// meaning |` rows describe.
fn describe(schema: &mut serde_json::Value, docs: &str) {
    let mut tables: Vec<String> = Vec::new();
    for line in docs.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            tables = heading
                .split('`')
                .skip(1)
                .step_by(2)
                .filter_map(table_name)
                .collect();
            continue;
        }
        let Some([key, kind, default, meaning]) = row(line) else {
            continue;
        };
        let Some(key) = key.strip_prefix('`').and_then(|k| k.strip_suffix('`')) else {
            continue;
        };
        let text = description(&meaning, &kind, &default);
        for table in &tables {
            if let Some(property) = property(schema, table, key) {
                property.insert("description".to_owned(), text.clone().into());
            }
        }
    }
}

/// "MEANING (TYPE; default: DEFAULT)", or "(TYPE; required)".
fn description(meaning: &str, kind: &str, default: &str) -> String {
    let default = match default {
        "required" => "required".to_owned(),
        other => format!("default: {other}"),
    };
    let kind = format!("{kind}; {default}");
    if meaning.is_empty() {
        kind
    } else {
        format!("{meaning} ({kind})")
    }
}

/// `[firewall]`, `[zones.NAME]`, `[[rule]]`: the model's top-level key;
/// `[[zones.NAME.hosts]]`: a table inside one (`zones.hosts`).
fn table_name(heading: &str) -> Option<String> {
    let inner = heading.trim_start_matches('[').trim_end_matches(']');
    let lower = |part: &&str| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase());
    let first = inner.split('.').next()?;
    lower(&first).then(|| inner.split('.').filter(lower).collect::<Vec<_>>().join("."))
}

/// The four cells of a table row (`\|` inside a cell is a `|`).
fn row(line: &str) -> Option<[String; 4]> {
    let inner = line.strip_prefix('|')?.strip_suffix('|')?;
    let cells: Vec<String> = inner
        .replace("\\|", "\u{0}")
        .split('|')
        .map(|cell| cell.trim().replace('\u{0}', "|"))
        .collect();
    cells.try_into().ok()
}

/// The schema of `key` in the top-level table `table` (through `$ref`,
/// a map's values and an array's items).
fn property<'a>(
    schema: &'a mut serde_json::Value,
    table: &str,
    key: &str,
) -> Option<&'a mut serde_json::Map<String, serde_json::Value>> {
    let mut pointer = String::new();
    for part in table.split('.') {
        pointer.push_str(&format!("/properties/{part}"));
        loop {
            let at = schema.pointer(&pointer)?;
            if let Some(reference) = at.get("$ref").and_then(|r| r.as_str()) {
                pointer = reference.strip_prefix('#')?.to_owned();
            } else if at
                .get("additionalProperties")
                .is_some_and(|a| a.is_object())
            {
                pointer.push_str("/additionalProperties");
            } else if at.get("items").is_some() {
                pointer.push_str("/items");
            } else {
                break;
            }
        }
    }
    schema
        .pointer_mut(&format!("{pointer}/properties/{key}"))?
        .as_object_mut()
}

/// TOML has no null: an optional key is one that may be left out, so the
/// `null` schemars allows for `Option` is taken out again.
fn without_null(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(object) => {
            if let Some(serde_json::Value::Array(types)) = object.get_mut("type") {
                types.retain(|t| t != "null");
                if let [only] = types.as_slice() {
                    let only = only.clone();
                    object.insert("type".to_owned(), only);
                }
            }
            object.values_mut().for_each(without_null);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(without_null),
        _ => {}
    }
}
