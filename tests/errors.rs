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
    zone_name_too_long_prefix => "zone-name-too-long-prefix",
    zone_name_reserved => "zone-name-reserved",
    zone_chain_taken => "zone-chain-taken",
    zone_is_firewall => "zone-is-firewall",
    interface_name_too_long => "interface-name-too-long",
    interface_name_colon => "interface-name-colon",
    interface_option_unknown => "interface-option-unknown",
    interface_option_refused => "interface-option-refused",
    hosts_after_owner => "hosts-after-owner",
    hosts_except_outside => "hosts-except-outside",
    hosts_except_everything => "hosts-except-everything",
    snat_except_outside => "snat-except-outside",
    snat_except_detect_ipv6 => "snat-except-detect-ipv6",
    masquerade_except_zone_family => "masquerade-except-zone-family",
    hosts_other_family_first => "hosts-other-family-first",
    hosts_other_family_after => "hosts-other-family-after",
    hosts_other_family_both => "hosts-other-family-both",
    hosts_take_interface => "hosts-take-interface",
    hosts_every_address_beside => "hosts-every-address-beside",
    parent_not_before => "parent-not-before",
    duplicate_parent => "duplicate-parent",
    empty_parents => "empty-parents",
    parent_list_not_before => "parent-list-not-before",
    parent_not_a_name => "parent-not-a-name",
    destonly_not_a_boolean => "destonly-not-a-boolean",
    nested_family => "nested-family",
    hosts_on_own_interface => "hosts-on-own-interface",
    interface_option_value => "interface-option-value",
    interface_option_twice => "interface-option-twice",
    interface_option_rpfilter => "interface-option-rpfilter",
    interface_option_family => "interface-option-family",
    policy_family => "policy-family",
    policy_family_missing => "policy-family-missing",
    policy_family_absent => "policy-family-absent",
    stopped_family => "stopped-family",
    bad_network => "bad-network",
    bad_source_interface => "bad-source-interface",
    bad_policy_zones => "bad-policy-zones",
    bad_range => "bad-range",
    exclusion_of_other_family => "exclusion-of-other-family",
    dnat_exclusion => "dnat-exclusion",
    bad_zone_list => "bad-zone-list",
    bad_log_tag => "bad-log-tag",
    bad_default_action => "bad-default-action",
    bad_disposition => "bad-disposition",
    maclist_bad_mac => "maclist-bad-mac",
    maclist_without_option => "maclist-without-option",
    maclist_ipv6 => "maclist-ipv6",
    tcp_flags_unseen => "tcp-flags-unseen",
    tcp_flags_unseen_family => "tcp-flags-unseen-family",
    tcp_flags_unseen_audited => "tcp-flags-unseen-audited",
    audited_state_reject => "audited-state-reject",
    invalid_rule_rejected => "invalid-rule-rejected",
    fast_accept_conflict => "fast-accept-conflict",
    log_tag_without_log => "log-tag-without-log",
    bad_rate => "bad-rate",
    bad_rate_per => "bad-rate-per",
    rate_on_drop => "rate-on-drop",
    dnat_rate_refused => "dnat-rate-refused",
    limit_over_range => "limit-over-range",
    nat_exempt_ipv6 => "nat-exempt-ipv6",
    blacklist_after_continue => "blacklist-after-continue",
    blacklist_after_continue_hosts => "blacklist-after-continue-hosts",
    continue_over_wildcard => "continue-over-wildcard",
    policy_rate_zone_list => "policy-rate-zone-list",
    policy_rate_bad => "policy-rate-bad",
    policy_connlimit_mask_ipv4 => "policy-connlimit-mask-ipv4",
    rate_burst_without_rate => "rate-burst-without-rate",
    rate_table_without_per => "rate-table-without-per",
    rate_table_shared_unlike => "rate-table-shared-unlike",
    bad_mark => "bad-mark",
    dnat_origdest_family => "dnat-origdest-family",
    macro_origdest_twice => "macro-origdest-twice",
    interface_chain_clash => "interface-chain-clash",
    interface_name_is_device => "interface-name-is-device",
    dnat_source_family => "dnat-source-family",
    redirect_origdest_zone_family => "redirect-origdest-zone-family",
    macro_icmp_type_and_dport => "macro-icmp-type-and-dport",
    masquerade_mixed_family => "masquerade-mixed-family",
    snat_range_reversed => "snat-range-reversed",
    snat_address_list => "snat-address-list",
    snat_detect_ipv6 => "snat-detect-ipv6",
    snat_detect_wildcard => "snat-detect-wildcard",
    snat_detect_persistent => "snat-detect-persistent",
    snat_detect_optional => "snat-detect-optional",
    snat_none_persistent => "snat-none-persistent",
    snat_ports_no_protocol => "snat-ports-no-protocol",
    snat_ports_list => "snat-ports-list",
    snat_none_random => "snat-none-random",
    snat_detect_ports => "snat-detect-ports",
    snat_none_before_nat => "snat-none-before-nat",
    snat_keep_without_ports => "snat-keep-without-ports",
    snat_keep_persistent => "snat-keep-persistent",
    snat_keep_ipv6 => "snat-keep-ipv6",
    snat_family_both => "snat-family-both",
    snat_family_conflict => "snat-family-conflict",
    snat_family_detect => "snat-family-detect",
    snat_family_except => "snat-family-except",
    snat_family_interface => "snat-family-interface",
    snat_order => "snat-order",
    nat_order => "nat-order",
    nat_before_forwards => "nat-before-forwards",
    snat_keep_masq_file => "snat-keep-masq-file",
    masquerade_uncovered_device => "masquerade-uncovered-device",
    masquerade_device_syntax => "masquerade-device-syntax",
    unknown_icmp_code => "unknown-icmp-code",
    icmp_type_wildcard => "icmp-type-wildcard",
    zone_named_like_a_chain => "zone-named-like-a-chain",
    dnat_origdest_interface => "dnat-origdest-interface",
    origdest_exclusion_family => "origdest-exclusion-family",
    mark_outside_mask => "mark-outside-mask",
    connlimit_and_above => "connlimit-and-above",
    connlimit_mask_ipv4 => "connlimit-mask-ipv4",
    wildcard_bridge => "wildcard-bridge",
    plus_dhcp => "plus-dhcp",
    wildcard_zone_first => "wildcard-zone-first",
    wildcard_over_zoneless => "wildcard-over-zoneless",
    wildcard_over_zoneless_hosts_after => "wildcard-over-zoneless-hosts-after",
    wildcard_over_other_family => "wildcard-over-other-family",
    wildcard_hosts_over_named => "wildcard-hosts-over-named",
    wildcard_hosts_over_named_same_zone => "wildcard-hosts-over-named-same-zone",
    wildcard_hosts_over_zoneless => "wildcard-hosts-over-zoneless",
    wildcard_hosts_over_wildcard => "wildcard-hosts-over-wildcard",
    wildcard_hosts_over_narrower => "wildcard-hosts-over-narrower",
    network_host_bits => "network-host-bits",
    bad_port => "bad-port",
    bad_port_range => "bad-port-range",
    ports_without_protocol => "ports-without-protocol",
    ports_with_icmp => "ports-with-icmp",
    icmp_type_without_icmp => "icmp-type-without-icmp",
    unknown_protocol => "unknown-protocol",
    unknown_macro => "unknown-macro",
    macro_protocol_list => "macro-protocol-list",
    macro_not_expressible => "macro-not-expressible",
    macro_helper_on_one_line => "macro-helper-on-one-line",
    bad_helper => "bad-helper",
    bad_conntrack => "bad-conntrack",
    bad_owner => "bad-owner",
    bad_syn => "bad-syn",
    bad_time => "bad-time",
    bad_rule_section => "bad-rule-section",
    helper_with_conntrack_helpers => "helper-with-conntrack-helpers",
    macro_address_on_address => "macro-address-on-address",
    unknown_service => "unknown-service",
    bad_reject_with => "bad-reject-with",
    unknown_action => "unknown-action",
    unknown_log_level => "unknown-log-level",
    bad_state_log => "bad-state-log",
    redirect_origdest_family => "redirect-origdest-family",
    log_level_ulog => "log-level-ulog",
    log_level_nflog_options => "log-level-nflog-options",
    log_rule_without_level => "log-rule-without-level",
    log_rule_with_macro => "log-rule-with-macro",
    nat_exempt_section => "nat-exempt-section",
    nat_exempt_macro => "nat-exempt-macro",
    nat_exempt_dest_interface => "nat-exempt-dest-interface",
    nat_exempt_one_to_one => "nat-exempt-one-to-one",
    nat_exempt_nonat_dest_address => "nat-exempt-nonat-dest-address",
    broadcast_logged => "broadcast-logged",
    interface_address => "interface-address",
    interface_address_wildcard => "interface-address-wildcard",
    interface_address_dnat => "interface-address-dnat",
    mac_source => "mac-source",
    ipset_name => "ipset-name",
    ipset_kind => "ipset-kind",
    ipset_elements => "ipset-elements",
    ipset_reference => "ipset-reference",
    ipset_dnat => "ipset-dnat",
    ipset_hosts => "ipset-hosts",
    rule_interface_of_other_zone => "rule-interface-of-other-zone",
    rule_interface_wildcard_device_other_zone => "rule-interface-wildcard-device-other-zone",
    rule_device_wildcard_star => "rule-device-wildcard-star",
    rule_device_injection => "rule-device-injection",
    rule_device_too_long => "rule-device-too-long",
    log_limit_named_table => "log-limit-named-table",
    log_limit_unit => "log-limit-unit",
    clamp_mss_too_big => "clamp-mss-too-big",
    clamp_mss_string => "clamp-mss-string",
    ip_forwarding_unknown => "ip-forwarding-unknown",
    family_setting_twice => "family-setting-twice",
    family_setting_absent => "family-setting-absent",
    ipv6_in_ipv4_zone => "ipv6-in-ipv4-zone",
    dnat_bad_sport => "dnat-bad-sport",
    dnat_outside_zone => "dnat-outside-zone",
    dnat_other_zone => "dnat-other-zone",
    one_to_one_unplaced => "one-to-one-unplaced",
    redirect_exclusion => "redirect-exclusion",
    unknown_tunnel_type => "unknown-tunnel-type",
    tunnel_key => "tunnel-key",
    tunnel_zone => "tunnel-zone",
    tunnel_gateway_family => "tunnel-gateway-family",
    blacklist_action => "blacklist-action",
    blacklist_state => "blacklist-state",
    blacklist_invalid => "blacklist-invalid",
    dnat_to_firewall => "dnat-to-firewall",
    dnat_macro_way_back => "dnat-macro-way-back",
    dnat_macro_other_action => "dnat-macro-other-action",
    redirect_macro_without_port => "redirect-macro-without-port",
    dnat_without_service => "dnat-without-service",
    dnat_to_network => "dnat-to-network",
    missing_policy => "missing-policy",
    firewall_to_firewall => "firewall-to-firewall",
    firewall_itself_covered => "firewall-itself-covered",
    firewall_itself_covered_audit => "firewall-itself-covered-audit",
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
    did_you_mean_zone => "did-you-mean-zone",
    did_you_mean_interface => "did-you-mean-interface",
    did_you_mean_macro => "did-you-mean-macro",
    did_you_mean_action => "did-you-mean-action",
    did_you_mean_key => "did-you-mean-key",
    interface_mss_value => "interface-mss-value",
    dnat_log_tag_without_log => "dnat-log-tag-without-log",
    redirect_bad_log_tag => "redirect-bad-log-tag",
    audited_action => "audited-action",
    audited_continue => "audited-continue",
    audited_blacklist => "audited-blacklist",
    audited_macro => "audited-macro",
    audited_macro_fixed_line => "audited-macro-fixed-line",
    audited_helper => "audited-helper",
    audited_allowicmps => "audited-allowicmps",
    section_helper_macro => "section-helper-macro",
    zone_mss_without_rules => "zone-mss-without-rules",
}

/// Zones, interfaces and a catch-all: a model that is valid on its own.
const VALID: &str = "[zones.net]\n\n[zones.loc]\n\n[interfaces.eth0]\nzone = \"net\"\n\n\
[interfaces.eth1]\nzone = \"loc\"\n\n[[policy]]\nsource = \"all\"\ndest = \"all\"\naction = \"REJECT\"\n";

/// Renders `text` as a model and returns stderr, checking exit code 2.
fn errors_of(name: &str, text: &str) -> (String, String) {
    let dir = common::scratch(&format!("errors-long-{name}"));
    let model = dir.join("fwgen.toml");
    std::fs::write(&model, text).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .args(["render", "--backend", "nftables", "-c"])
        .arg(&model)
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
    let shown = model.display().to_string();
    let _ = std::fs::remove_dir_all(&dir);
    (stderr, shown)
}

/// Every caret line stands under its snippet line at the offending text:
/// `expected` lists, in order, what each caret points at.
fn assert_carets(stderr: &str, expected: &[&str]) {
    let lines: Vec<&str> = stderr.lines().collect();
    let mut found = Vec::new();
    for pair in lines.windows(2) {
        let (snippet, caret) = (pair[0], pair[1]);
        let Some((gutter, shown)) = snippet.split_once(" | ") else {
            continue;
        };
        if gutter.trim().parse::<usize>().is_err() {
            continue;
        }
        let under = caret.split_once(" | ").map_or("", |(_, c)| c);
        let column = under.chars().position(|c| c == '^').expect("a caret");
        let at: String = shown.chars().skip(column).collect();
        found.push(at);
    }
    assert_eq!(found.len(), expected.len(), "{stderr}");
    for (at, want) in found.iter().zip(expected) {
        assert!(
            at.starts_with(want),
            "caret at {at:?}, not {want:?}:\n{stderr}"
        );
    }
}

/// A value a million characters long, on one line: errors still name
/// file:line:col, but messages cut the value to about 200 characters and
/// say how much was cut, snippets show a window of the line marked `...`
/// where it was cut, and the caret stays under the offending text.
#[test]
fn a_very_long_value_is_cut_in_messages_and_snippets() {
    const LONG: usize = 1_000_000;
    let long = "x".repeat(LONG);
    let inline = format!(
        "rule = [{{ comment = \"{long}\", action = \"ACCEPT\", source = \"loc\", dest = \"wan\" }}]\n{VALID}"
    );
    let wan_column = inline.find("\"wan\"").unwrap() + 2;
    let action =
        format!("{VALID}\n[[rule]]\naction = \"{long}\"\nsource = \"loc\"\ndest = \"net\"\n");
    let key = format!(
        "{VALID}\n[[rule]]\naction = \"ACCEPT\"\nsource = \"loc\"\ndest = \"net\"\nbogus_{long} = 1\n"
    );
    let cases: [(&str, &str, Vec<String>, &[&str]); 3] = [
        (
            "inline",
            &inline,
            vec![":1:21".to_owned(), format!(":1:{wan_column}")],
            &["\"xxx", "wan\""],
        ),
        ("action", &action, vec![":17:10".to_owned()], &["\"xxx"]),
        ("key", &key, vec![":20:1".to_owned()], &["bogus_xxx"]),
    ];
    for (name, text, locations, carets) in cases {
        let (stderr, model) = errors_of(name, text);
        assert!(
            stderr.len() < 1500 * locations.len(),
            "{name}: {} bytes of stderr:\n{}",
            stderr.len(),
            &stderr[..stderr.len().min(3000)]
        );
        for location in &locations {
            assert!(
                stderr.contains(&format!("--> {model}{location}\n")),
                "{name}: no {location}:\n{stderr}"
            );
        }
        // The snippet marks where it cut the line (`...`).
        let cut_snippet = stderr.lines().any(|l| {
            l.split_once(" | ")
                .is_some_and(|(g, t)| g.trim().parse::<usize>().is_ok() && t.contains("..."))
        });
        assert!(
            cut_snippet,
            "{name}: no cut marker in the snippet:\n{stderr}"
        );
        assert!(
            stderr.lines().all(|l| l.chars().count() < 400),
            "{name}: a line is too long:\n{stderr}"
        );
        assert_carets(&stderr, carets);
    }
}

/// A snippet shows the user's line, but never a control character a
/// terminal would obey: C0 controls (ESC) become symbols, C1 controls
/// (U+009B is CSI on some terminals) become U+FFFD, and the caret stays
/// under the offending text.
#[test]
fn control_characters_in_a_shown_line_do_not_reach_the_terminal() {
    let c1 = VALID.replace("zone = \"loc\"", "zone = \"lco\" # \u{9b}31m\u{85}red");
    let (stderr, _) = errors_of("c1", &c1);
    let esc = format!("{VALID}# \u{1b}[31m red\n");
    let (esc_stderr, _) = errors_of("esc", &esc);
    for stderr in [&stderr, &esc_stderr] {
        let obeyed = stderr
            .chars()
            .find(|&c| (c.is_control() && c != '\n') || ('\u{80}'..='\u{9f}').contains(&c));
        assert_eq!(obeyed, None, "{stderr:?}");
    }
    assert!(stderr.contains("# \u{fffd}31m\u{fffd}red"), "{stderr}");
    assert!(stderr.contains("did you mean `loc`?"), "{stderr}");
    assert_carets(&stderr, &["\"lco\""]);
}
