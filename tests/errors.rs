//! The error catalogue: each tests/errors/<case>.toml must fail with exactly
//! tests/errors/<case>.stderr, exit code 2, and write nothing.

mod common;

use std::path::Path;
use std::process::Command;

fn check(case: &str) {
    let model = format!("tests/errors/{case}.toml");
    let out = common::scratch(&format!("errors-{case}"));
    // Cases named shorewall-* are limits of the Shorewall backend only.
    let backends: &[&str] = if case.starts_with("shorewall-") {
        &["shorewall"]
    } else {
        &["shorewall", "nftables"]
    };
    for backend in backends {
        let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .current_dir(common::root())
            .args(["render", "--backend", backend, "-c", &model, "--out"])
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{case} ({backend}) did not fail:\n{stderr}"
        );
        assert!(output.stdout.is_empty(), "{case} wrote to stdout");
        assert_eq!(
            std::fs::read_dir(&out).unwrap().count(),
            0,
            "{case} ({backend}) wrote into the output directory"
        );
        assert!(!stderr.contains("panicked"), "{case} panicked:\n{stderr}");
        common::assert_text(
            Path::new(&common::root().join(format!("tests/errors/{case}.stderr"))),
            &stderr,
        );
    }
}

macro_rules! error_case {
    ($($name:ident => $case:literal,)*) => {
        $(
            #[test]
            fn $name() {
                check($case);
            }
        )*

        #[test]
        fn every_case_file_has_a_test() {
            let known = [$($case),*];
            common::assert_every_case_in("tests/errors", &known);
        }
    };
}

error_case! {
    toml_syntax => "toml-syntax",
    unknown_key => "unknown-key",
    wrong_type => "wrong-type",
    missing_key => "missing-key",
    unknown_zone => "unknown-zone",
    unknown_interface => "unknown-interface",
    duplicate_interface => "duplicate-interface",
    duplicate_zone_key => "duplicate-zone-key",
    zone_name_syntax => "zone-name-syntax",
    zone_name_too_long => "zone-name-too-long",
    zone_name_reserved => "zone-name-reserved",
    zone_is_firewall => "zone-is-firewall",
    interface_name_too_long => "interface-name-too-long",
    interface_name_colon => "interface-name-colon",
    interface_option_unknown => "interface-option-unknown",
    interface_option_value => "interface-option-value",
    interface_option_twice => "interface-option-twice",
    bad_network => "bad-network",
    network_host_bits => "network-host-bits",
    bad_port => "bad-port",
    bad_port_range => "bad-port-range",
    ports_without_protocol => "ports-without-protocol",
    ports_with_icmp => "ports-with-icmp",
    icmp_type_without_icmp => "icmp-type-without-icmp",
    unknown_protocol => "unknown-protocol",
    unknown_macro => "unknown-macro",
    macro_and_ports => "macro-and-ports",
    unknown_action => "unknown-action",
    unknown_log_level => "unknown-log-level",
    ipv6_in_ipv4_zone => "ipv6-in-ipv4-zone",
    dnat_outside_zone => "dnat-outside-zone",
    dnat_to_firewall => "dnat-to-firewall",
    dnat_to_network => "dnat-to-network",
    missing_policy => "missing-policy",
    firewall_to_firewall => "firewall-to-firewall",
    duplicate_policy => "duplicate-policy",
    policy_after_wildcard => "policy-after-wildcard",
    duplicate_wildcard_policy => "duplicate-wildcard-policy",
    duplicate_firewall_policy => "duplicate-firewall-policy",
    shorewall_needs_ipv4 => "shorewall-needs-ipv4",
    empty_model => "empty-model",
    not_utf8 => "not-utf8",
    missing_file => "missing-file-does-not-exist",
    many_errors => "many-errors",
    inject_newline_description => "inject-newline-description",
    inject_quote_comment => "inject-quote-comment",
    inject_zone_name => "inject-zone-name",
    inject_interface_name => "inject-interface-name",
    inject_dollar_comment => "inject-dollar-comment",
    inject_carriage_return_policy_comment => "inject-carriage-return-policy-comment",
    inject_nul_interface_description => "inject-nul-interface-description",
    inject_backtick_zone_description => "inject-backtick-zone-description",
    inject_semicolon_physical => "inject-semicolon-physical",
    inject_brace_log_prefix => "inject-brace-log-prefix",
    inject_hash_table_name => "inject-hash-table-name",
    inject_newline_dnat_comment => "inject-newline-dnat-comment",
    inject_quote_masquerade_comment => "inject-quote-masquerade-comment",
    inject_address_list => "inject-address-list",
    inject_log_level => "inject-log-level",
}
