//! `fwgen check`: each tests/check/<case>.toml must print exactly
//! tests/check/<case>.stdout; every warning class has a case.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn fwgen(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .current_dir(common::root())
        .args(args)
        .output()
        .unwrap()
}

fn check(case: &str, warnings: usize) {
    let model = format!("tests/check/{case}.toml");
    let output = fwgen(&["check", "-c", &model]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "check without --strict must not fail on warnings"
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    common::assert_text(
        Path::new(&common::root().join(format!("tests/check/{case}.stdout"))),
        &stdout,
    );
    let strict = fwgen(&["check", "--strict", "-c", &model]);
    let expected = if warnings > 0 { 1 } else { 0 };
    assert_eq!(
        strict.status.code(),
        Some(expected),
        "{case}: --strict exit code"
    );
    let json = fwgen(&["check", "--format", "json", "-c", &model]);
    let value: serde_json::Value =
        serde_json::from_slice(&json.stdout).expect("check --format json prints JSON");
    let items = value["findings"].as_array().expect("an array of findings");
    assert_eq!(value["warnings"], warnings, "{case}: the count in JSON");
    let counted = items.iter().filter(|i| i["level"] == "warning").count();
    assert_eq!(counted, warnings, "{case}: warnings in JSON");
    for item in items {
        assert!(
            item["line"].as_u64().is_some() && item["column"].as_u64().is_some(),
            "{item}"
        );
        assert!(
            item["hint"].as_str().is_some_and(|h| !h.is_empty()),
            "{item}"
        );
    }
}

macro_rules! check_case {
    ($($name:ident => ($case:literal, $warnings:literal),)*) => {
        $(
            #[test]
            fn $name() {
                check($case, $warnings);
            }
        )*

        #[test]
        fn every_case_file_has_a_test_and_every_code_a_case() {
            let known = [$($case),*];
            common::assert_every_case_in("tests/check", &known);
            let source = std::fs::read_to_string(common::root().join("src/check.rs")).unwrap();
            // the code is the first string after `Finding::warning(` or `code:`
            let codes: Vec<&str> = source
                .split("Finding::warning(")
                .skip(1)
                .filter_map(|rest| rest.split('"').nth(1))
                .chain(source.split("code: \"").skip(1).filter_map(|rest| rest.split('"').next()))
                .collect();
            assert!(codes.len() >= 9, "found only {codes:?} in src/check.rs: the scan no longer sees the codes");
            for code in codes {
                assert!(known.contains(&code), "warning code `{code}` has no case in tests/check/");
            }
        }
    };
}

check_case! {
    clean => ("clean", 0),
    lockout => ("lockout", 1),
    ssh_from_one_host => ("ssh-from-one-host", 0),
    ssh_from_listed_mac => ("ssh-from-listed-mac", 0),
    ssh_from_rule_mac => ("ssh-from-rule-mac", 0),
    shadowed_rule => ("shadowed-rule", 3),
    shadowed_forward => ("shadowed-forward", 4),
    redundant_rule => ("redundant-rule", 1),
    accept_to_masqueraded => ("accept-to-masqueraded", 1),
    accept_to_kept_address => ("accept-to-kept-address", 0),
    zone_without_interface => ("zone-without-interface", 1),
    interface_without_zone => ("interface-without-zone", 1),
    wildcard_sfilter => ("wildcard-sfilter", 2),
    useless_option => ("useless-option", 4),
    unreached_policy => ("unreached-policy", 1),
    unreached_policy_family => ("unreached-policy-family", 1),
    firewall_without_dns => ("firewall-without-dns", 0),
    continue_without_nesting => ("continue-without-nesting", 1),
    proc_option_not_set => ("proc-option-not-set", 3),
    untracked_beside_invalid => ("untracked-beside-invalid", 1),
    untracked_audited_beside_invalid => ("untracked-audited-beside-invalid", 1),
    owner_shadow => ("owner-shadow", 2),
    negated_owner_kernel => ("negated-owner-kernel", 1),
    time_shadow => ("time-shadow", 3),
    log_tag_cut => ("log-tag-cut", 3),
    log_tag_cut_sources => ("log-tag-cut-sources", 2),
}

#[test]
fn errors_exit_2_in_both_formats() {
    let model = "tests/errors/unknown-zone.toml";
    let text = fwgen(&["check", "-c", model]);
    assert_eq!(text.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&text.stderr).contains("unknown zone `lan`"));
    let json = fwgen(&["check", "--format", "json", "-c", model]);
    assert_eq!(json.status.code(), Some(2));
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let error = &value["errors"][0];
    assert_eq!(error["level"], "error");
    assert_eq!(error["code"], "unknown-zone");
    assert_eq!(error["line"], 19);
    assert_eq!(error["file"], model);
}

/// Every bundled example is a showcase: `check --strict` passes on it.
#[test]
fn every_example_passes_check_strict() {
    for example in common::examples() {
        let output = fwgen(&[
            "check",
            "--strict",
            "-c",
            &format!("examples/{example}.toml"),
        ]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(0), "{example}:\n{stdout}");
        assert!(stdout.contains("0 warning(s)"), "{example}:\n{stdout}");
    }
}
