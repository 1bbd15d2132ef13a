//! The JSON Schema of the model file, derived from the parser's own serde
//! types (src/config.rs), for editors (taplo, Even Better TOML) and CI.

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
    value
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
