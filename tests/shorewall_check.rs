//! Shorewall's own compiler judges the Shorewall backend: every example
//! and every model of tests/models/ must pass `shorewall check` (and `shorewall6 check` where it has IPv6)
//! without an ERROR or a WARNING (but the one Shorewall gives every masq
//! SOURCE interface: `common::complaint`).

mod common;

/// `folder` holds the model `{example}.toml`: examples or tests/models.
fn check(folder: &str, example: &str) {
    common::require_root();
    common::require_tool("shorewall", "shorewall");
    common::require_tool("shorewall6", "shorewall6");
    let dir = common::scratch(&format!("shorewall-check-{example}"));
    common::render_file(&format!("{folder}/{example}.toml"), "shorewall", &dir);
    let model =
        std::fs::read_to_string(common::root().join(folder).join(format!("{example}.toml")))
            .unwrap();
    let mut checked = 0;
    for product in ["shorewall", "shorewall6"] {
        let config = dir.join(product);
        if !config.is_dir() {
            continue;
        }
        let (ok, out) = common::run(product, &["check", config.to_str().unwrap()]);
        assert!(ok, "{product} check failed for {example}:\n{out}");
        let complaints: Vec<&str> = out
            .lines()
            .filter(|l| common::complaint(l, &model))
            .collect();
        assert!(
            complaints.is_empty(),
            "{product} check of {example} complained:\n{}",
            complaints.join("\n")
        );
        assert!(
            out.contains("configuration verified"),
            "{product} check of {example} did not verify:\n{out}"
        );
        checked += 1;
    }
    assert!(checked > 0, "{example} rendered no Shorewall configuration");
    let _ = std::fs::remove_dir_all(&dir);
}

macro_rules! shorewall_check {
    ($folder:literal: $($name:ident => $example:literal,)*) => {
        $(
            #[test]
            fn $name() {
                check($folder, $example);
            }
        )*

        #[test]
        fn every_case_is_checked() {
            common::assert_every_case_in($folder, &[$($example),*]);
        }
    };
}

shorewall_check! { "examples":
    lxc_host => "lxc-host",
    two_interfaces => "two-interfaces",
    three_interfaces => "three-interfaces",
    port_forward => "port-forward",
    ipv6 => "ipv6",
    shorewall4 => "shorewall4",
}

mod models {
    use super::*;

    shorewall_check! { "tests/models":
        log_levels => "log-levels",
        log_limit => "log-limit",
        lookup_order => "lookup-order",
        addresses => "addresses",
        macro_lines => "macro-lines",
        zone_lists => "zone-lists",
        nat_order => "nat-order",
        masq_source_interface => "masq-source-interface",
        masq_wildcard => "masq-wildcard",
        icmp_codes => "icmp-codes",
        policy_lists => "policy-lists",
        policy_default_action => "policy-default-action",
        policy_rate => "policy-rate",
        policy_connlimit => "policy-connlimit",
        rule_broadcast => "rule-broadcast",
        nat_mark => "nat-mark",
        snat_ports => "snat-ports",
        snat_keep_ports => "snat-keep-ports",
        snat_range => "snat-range",
    snat_port_map => "snat-port-map",
    snat_before_nat => "snat-before-nat",
        snat_detect => "snat-detect",
        snat_continue => "snat-continue",
        snat_dest => "snat-dest",
        snat_exclusion => "snat-exclusion",
        exclusion_ipv6 => "exclusion-ipv6",
        nat_hosts => "nat-hosts",
        nat_origdest => "nat-origdest",
        origdest_exclusion => "origdest-exclusion",
        iface_address => "iface-address",
        ipsets => "ipsets",
        ipset_hosts => "ipset-hosts",
        rfc1918 => "rfc1918",
        continue_log => "continue-log",
        nat_sport => "nat-sport",
        nat_all => "nat-all",
        nat_redirect => "nat-redirect",
        nat_exempt => "nat-exempt",
        nat_exempt_all => "nat-exempt-all",
        macro_dnat => "macro-dnat",
        dnat_minus => "dnat-minus",
        dnat_port_list => "dnat-port-list",
        nat_one_to_one => "nat-one-to-one",
        blacklist => "blacklist",
        blacklist_only => "blacklist-only",
        blacklist_options => "blacklist-options",
        blacklist_wildcard => "blacklist-wildcard",
        firewall_settings => "firewall-settings",
        dispositions => "dispositions",
        state_logs => "state-logs",
        rule_sections => "rule-sections",
        untracked_invalid => "untracked-invalid",
        stopped => "stopped",
        stopped_closed => "stopped-closed",
        tunnels => "tunnels",
        tunnels_more => "tunnels-more",
        log_action => "log-action",
        zone_interface => "zone-interface",
        rate_limits => "rate-limits",
        rate_address_list => "rate-address-list",
        rate_log => "rate-log",
        rule_helper => "rule-helper",
        rule_wildcard_device => "rule-wildcard-device",
        conntrack_notrack => "conntrack-notrack",
        rule_owner => "rule-owner",
        rule_time => "rule-time",
        forwarding_off => "forwarding-off",
        family_settings => "family-settings",
        family_dispositions => "family-dispositions",
        routefilter_loose => "routefilter-loose",
        rpfilter => "rpfilter",
        wildcard_and_named => "wildcard-and-named",
        wildcard_hosts => "wildcard-hosts",
        wildcard_hosts_named => "wildcard-hosts-named",
        continue_beside_wildcard => "continue-beside-wildcard",
        wildcard_hairpin => "wildcard-hairpin",
        wildcard_hairpin_zoneless => "wildcard-hairpin-zoneless",
        wildcard_hairpin_sfilter => "wildcard-hairpin-sfilter",
        wildcard_sfilter => "wildcard-sfilter",
        family_clamp => "family-clamp",
        hosts_routeback => "hosts-routeback",
        hosts_line_routeback => "hosts-line-routeback",
        sfilter_per_family => "sfilter-per-family",
        manual_rules_redirect_hosts => "manual-rules-redirect-hosts",
        manual_hosts_wildcard_sfilter => "manual-hosts-wildcard-sfilter",
        manual_rules_dnat_rate => "manual-rules-dnat-rate",
        manual_nat_subzone => "manual-nat-subzone",
        dnat_hosts_order => "dnat-hosts-order",
        dnat_nested_return => "dnat-nested-return",
        dnat_wildcard_order => "dnat-wildcard-order",
        nat_exempt_hosts => "nat-exempt-hosts",
        manual_interfaces_bridge => "manual-interfaces-bridge",
        maclist => "maclist",
        rule_mac => "rule-mac",
        optional_uplinks => "optional-uplinks",
        hosts_cluster => "hosts-cluster",
        hosts_exclusion => "hosts-exclusion",
        nested_zones => "nested-zones",
        blacklist_nested => "blacklist-nested",
        shared_uplink => "shared-uplink",
        vocabulary => "vocabulary",
        hosts_ipv6 => "hosts-ipv6",
        family_options => "family-options",
        family_options_more => "family-options-more",
        family_policies => "family-policies",
        continue_unnested => "continue-unnested",
        interface_mss => "interface-mss",
        tcp_syn => "tcp-syn",
        dnat_log_tag => "dnat-log-tag",
        dnat_log_sources => "dnat-log-sources",
        zone_mss => "zone-mss",
        fast_accept => "fast-accept",
        fast_accept_blacklist => "fast-accept-blacklist",
        audited => "audited",
        audited_dispositions => "audited-dispositions",
        long_zone_names => "long-zone-names",
    }
}

/// What Shorewall compiles from `[firewall]` settings prepended to the
/// dual-stack example: (IPv4 script, IPv6 script).
fn compiled_with(name: &str, settings: &str) -> (String, String) {
    common::require_root();
    let dir = common::scratch(&format!("shorewall-settings-{name}"));
    let example = std::fs::read_to_string(common::root().join("examples/ipv6.toml")).unwrap();
    let model = dir.join("fwgen.toml");
    std::fs::write(&model, format!("[firewall]\n{settings}\n\n{example}")).unwrap();
    common::render_file(model.to_str().unwrap(), "shorewall", &dir);
    common::assert_shorewall_accepts(&dir, name);
    let mut scripts = Vec::new();
    for product in ["shorewall", "shorewall6"] {
        let script = dir.join(format!("{product}.sh"));
        let config = dir.join(product);
        scripts.push(common::shorewall_compile(product, &config, &script));
    }
    let _ = std::fs::remove_dir_all(&dir);
    let six = scripts.pop().unwrap();
    (scripts.pop().unwrap(), six)
}

fn assert_has(script: &str, wanted: &[&str], unwanted: &[&str], what: &str) {
    for line in wanted {
        assert!(script.contains(line), "{what}: `{line}` is missing");
    }
    for line in unwanted {
        assert!(!script.contains(line), "{what}: `{line}` is there");
    }
}

/// Shorewall's sample settings: a per-source log limit shared by every log
/// rule, and broadcasts and multicasts dropped (after AllowICMPs in
/// Shorewall6) before the DROP policy logs.
#[test]
fn default_logging_settings_compile_to_the_samples() {
    let (four, six) = compiled_with("defaults", "");
    let limit = "-m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 10 \
                 --hashlimit-name lograte --hashlimit-mode srcip -j LOG";
    let net_fw = "-A net-fw -m addrtype --dst-type BROADCAST -j DROP\n\
                  -A net-fw -m addrtype --dst-type ANYCAST -j DROP\n\
                  -A net-fw -m addrtype --dst-type MULTICAST -j DROP\n\
                  -A net-fw -m hashlimit";
    assert_has(&four, &[limit, net_fw], &[], "IPv4");
    let net_fw6 = "-A net-fw -p 58 -j AllowICMPs\n\
                   -A net-fw -j Broadcast\n\
                   -A net-fw -j Multicast\n\
                   -A net-fw -m hashlimit";
    let multicast = "-A Multicast -d ff00::/8 -j DROP";
    assert_has(&six, &[limit, net_fw6, multicast], &[], "IPv6");
}

#[test]
fn other_logging_settings_compile_as_written() {
    let (four, six) = compiled_with(
        "per-destination",
        "log_limit = \"d:5/minute\"\ndrop_broadcasts = false",
    );
    let limit = "-m hashlimit --hashlimit-upto 5/min --hashlimit-burst 5 \
                 --hashlimit-name lograte --hashlimit-mode dstip";
    assert_has(&four, &[limit], &["--dst-type BROADCAST"], "IPv4");
    assert_has(
        &six,
        &[limit, "-A net-fw -p 58 -j AllowICMPs"],
        &["-j Broadcast"],
        "IPv6",
    );
    let (four, _) = compiled_with("overall", "log_limit = \"2/hour:4\"");
    let limit = "-A net-fw -m limit --limit 2/hour --limit-burst 4 -j LOG";
    assert_has(&four, &[limit], &["hashlimit"], "overall limit");
    let (four, six) = compiled_with("unlimited", "log_limit = \"none\"");
    let log = "-A net-fw -j LOG --log-level 6";
    assert_has(&four, &[log], &["hashlimit", "-m limit"], "no limit");
    assert_has(&six, &[log], &["hashlimit", "-m limit"], "no limit, IPv6");
}

/// A masquerade on a device a wildcard covers, where the wildcard's
/// physical name differs from its logical one (`lan+` on `wl+`): the snat
/// file names the device by its logical name (`lan7`), which Shorewall
/// maps (`map_physical`), and nftables by the kernel's (`wl7`); a review
/// found `wl7` in the snat file, which Shorewall refuses ("Unknown
/// interface").
#[test]
fn masquerade_on_a_renamed_wildcard_device() {
    let dir = common::scratch("masq-renamed-wildcard");
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("fwgen.toml");
    std::fs::write(
        &model,
        "[zones.net]\n[zones.loc]\n[interfaces.net0]\nzone = \"net\"\n[interfaces.\"lan+\"]\nzone = \"loc\"\nphysical = \"wl+\"\n[[policy]]\nsource = \"loc\"\ndest = \"net\"\naction = \"ACCEPT\"\n[[policy]]\nsource = \"all\"\ndest = \"all\"\naction = \"REJECT\"\n[[masquerade]]\ninterface = \"lan7\"\nsources = [\"192.168.0.0/16\"]\n",
    )
    .unwrap();
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    common::render_file(model.to_str().unwrap(), "shorewall", &out);
    let snat = std::fs::read_to_string(out.join("shorewall/snat")).unwrap();
    assert!(snat.contains("192.168.0.0/16          lan7"), "{snat}");
    common::assert_shorewall_accepts(&out, "masq-renamed-wildcard");
    let nft = common::fwgen_stdout(&[
        "render",
        "--backend",
        "nftables",
        "-c",
        model.to_str().unwrap(),
    ]);
    assert!(
        nft.contains("oifname \"wl7\" ip saddr 192.168.0.0/16 masquerade"),
        "{nft}"
    );
}

/// The quoted values after `key "` in `text`, sorted.
fn quoted_after(text: &str, key: &str) -> Vec<String> {
    let mut values: Vec<String> = text
        .split(&format!("{key} \""))
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect();
    values.sort();
    values
}

/// Issue #14: the log prefixes of port forwards and redirects in
/// nftables' nat chains are those `shorewall compile` writes in its nat
/// table, byte for byte and one for one: from `$FW` in the nat OUTPUT
/// chain (`Shorewall:OUTPUT:DNAT:`), from `all` in each zone's dnat chain,
/// with their tags cut to 29 characters as each chain's name leaves room.
#[test]
fn nat_log_prefixes_are_shorewalls() {
    common::require_tool("shorewall", "shorewall");
    for name in ["dnat-log-sources", "dnat-log-tag"] {
        let model = format!("tests/models/{name}.toml");
        let dir = common::scratch(&format!("nat-log-prefixes-{name}"));
        common::render_file(&model, "shorewall", &dir);
        let script = dir.join("shorewall.sh");
        let compiled = common::shorewall_compile("shorewall", &dir.join("shorewall"), &script);
        let _ = std::fs::remove_dir_all(&dir);
        let nat = compiled
            .split("*nat\n")
            .nth(1)
            .and_then(|rest| rest.split("COMMIT").next())
            .unwrap_or_else(|| panic!("{name}: no nat table in the compiled script"));
        let shorewall = quoted_after(nat, "--log-prefix");
        let nft = common::fwgen_stdout(&["render", "--backend", "nftables", "-c", &model]);
        let nat_chains: String = ["nat-prerouting", "nat-output"]
            .iter()
            .filter_map(|chain| nft.split(&format!("chain {chain} {{")).nth(1))
            .filter_map(|rest| rest.split("\n\t}").next())
            .collect();
        let nftables = quoted_after(&nat_chains, "log prefix");
        assert!(
            !shorewall.is_empty(),
            "{name}: Shorewall logs nothing in nat"
        );
        assert_eq!(
            nftables, shorewall,
            "{name}: nftables' prefixes, Shorewall's"
        );
    }
}

/// Issue #14: an audited rule's log prefix names the audited action as
/// Shorewall's does (`Shorewall:loc-fw:A_ACCEPT:`), a macro's call
/// (`DNS(A_ACCEPT):info`) alike: the distinct prefixes of nftables' ruleset
/// are those `shorewall compile` writes for tests/models/audited.toml.
#[test]
fn audited_log_prefixes_are_shorewalls() {
    common::require_tool("shorewall", "shorewall");
    let model = "tests/models/audited.toml";
    let dir = common::scratch("audited-log-prefixes");
    common::render_file(model, "shorewall", &dir);
    let script = dir.join("shorewall.sh");
    let compiled = common::shorewall_compile("shorewall", &dir.join("shorewall"), &script);
    let _ = std::fs::remove_dir_all(&dir);
    let mut shorewall = quoted_after(&compiled, "--log-prefix");
    shorewall.dedup();
    let nft = common::fwgen_stdout(&["render", "--backend", "nftables", "-c", model]);
    let mut nftables = quoted_after(&nft, "log prefix");
    nftables.dedup();
    assert!(
        shorewall.iter().any(|p| p == "Shorewall:loc-fw:A_ACCEPT:"),
        "{shorewall:?}"
    );
    assert_eq!(nftables, shorewall, "nftables' prefixes, Shorewall's");
}
