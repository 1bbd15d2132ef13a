//! `fwgen schema`: the JSON Schema editors validate fwgen.toml with. Every
//! example and test model is valid under it; a model the parser refuses
//! for its shape (unknown key, wrong type, missing key) is invalid under it.

mod common;

use std::process::Command;

use jsonschema::Validator;

/// The schema as `fwgen schema` prints it, compiled by a JSON Schema
/// validator of its own (not fwgen's code).
fn validator() -> Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&common::fwgen_stdout(&["schema"])).expect("fwgen schema prints JSON");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

/// A TOML file as the JSON value the schema describes.
fn instance(path: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(common::root().join(path)).unwrap();
    toml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every schema error of a file, one line each.
fn errors(validator: &Validator, path: &str) -> Vec<String> {
    validator
        .iter_errors(&instance(path))
        .map(|e| format!("{path}: {} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn every_example_and_test_model_is_valid() {
    let validator = validator();
    let files: Vec<String> = common::examples()
        .iter()
        .map(|name| format!("examples/{name}.toml"))
        .chain(
            common::models()
                .iter()
                .map(|name| format!("tests/models/{name}.toml")),
        )
        .collect();
    assert!(files.len() > 6, "{files:?}");
    let wrong: Vec<String> = files.iter().flat_map(|f| errors(&validator, f)).collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn shape_errors_of_the_parser_are_schema_errors() {
    let validator = validator();
    for (case, at) in [
        ("unknown-key", "/rule/0"),
        ("wrong-type", "/rule/0/dport"),
        ("missing-key", "/rule/0"),
    ] {
        let found = errors(&validator, &format!("tests/errors/{case}.toml"));
        assert!(!found.is_empty(), "{case} is valid under the schema");
        assert!(
            found.iter().any(|e| e.contains(&format!(" at {at}"))),
            "{case}: {found:?}"
        );
    }
}

#[test]
fn unknown_keys_are_refused_in_every_table() {
    let validator = validator();
    let valid = instance("examples/lxc-host.toml");
    assert!(validator.is_valid(&valid));
    for pointer in [
        "",
        "/firewall",
        "/zones/net",
        "/interfaces/wlan0",
        "/policy/0",
        "/rule/0",
    ] {
        let mut model = valid.clone();
        let table = model
            .pointer_mut(pointer)
            .and_then(serde_json::Value::as_object_mut)
            .unwrap_or_else(|| panic!("lxc-host has no table at {pointer:?}"));
        table.insert("bogus".to_owned(), 1.into());
        assert!(
            !validator.is_valid(&model),
            "`bogus` accepted at {pointer:?}"
        );
    }
}

#[test]
fn init_writes_a_schema_line_editors_read() {
    let dir = common::scratch("schema-init");
    let model = dir.join("fwgen.toml");
    let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .args(["init", "-c"])
        .arg(&model)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = std::fs::read_to_string(&model).unwrap();
    assert_eq!(
        text.lines().next(),
        Some("#:schema /usr/share/fwgen/fwgen.schema.json")
    );
    let parsed: serde_json::Value = toml::from_str(&text).unwrap();
    assert!(validator().is_valid(&parsed));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Editors show a key's row of docs/model.md when hovering it: every key
/// of every table has one, so an undocumented key fails here.
#[test]
fn every_key_has_its_description_from_docs_model() {
    let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .arg("schema")
        .output()
        .unwrap();
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let definitions = schema["definitions"].as_object().expect("definitions");
    let mut keys = 0;
    for (table, definition) in definitions {
        for (key, property) in definition["properties"].as_object().into_iter().flatten() {
            keys += 1;
            let described = property["description"].as_str().unwrap_or_default();
            assert!(
                described.contains("required") || described.contains("default: "),
                "{table}.{key} has no description from docs/model.md: {property}"
            );
        }
    }
    assert!(keys > 40, "{keys} keys");
    let zone = &definitions["RawInterface"]["properties"]["zone"]["description"];
    assert_eq!(
        zone,
        "The zone behind the interface (not the firewall's). Left out: an interface of no zone, Shorewall's `-` (see below). (string; default: none)"
    );
}
