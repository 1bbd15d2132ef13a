//! nft judges the nftables backend: every example and every model of
//! tests/models/ passes `nft -c`, then loads twice in a row into a
//! throwaway network namespace, leaving one copy of every chain and a
//! foreign table untouched.

mod common;

const FOREIGN: &str = "table inet foreign {\n\tchain keep {\n\t\ttype filter hook input priority 10; policy accept;\n\t\tcounter\n\t}\n}\n";

fn chain_names(listing: &str) -> Vec<String> {
    listing
        .lines()
        .filter_map(|l| l.trim().strip_prefix("chain "))
        .map(|l| l.trim_end_matches(" {").to_owned())
        .collect()
}

/// `folder` holds the model `{example}.toml`: examples or tests/models.
fn check(folder: &str, example: &str) {
    common::require_root();
    common::require_tool("nft", "nftables");
    common::require_tool("ip", "iproute2");
    let dir = common::scratch(&format!("nft-load-{example}"));
    common::render_file(&format!("{folder}/{example}.toml"), "nftables", &dir);
    let file = dir.join("fwgen.nft");
    let file = file.to_str().unwrap();
    let check = common::nft_args(&["-c"], file);
    let check: Vec<&str> = check.iter().map(String::as_str).collect();
    let (ok, out) = common::run("nft", &check);
    assert!(ok, "nft -c rejected {example}:\n{out}");
    let mut load = vec!["nft".to_owned()];
    load.extend(common::nft_args(&[], file));
    let load: Vec<&str> = load.iter().map(String::as_str).collect();

    let netns = common::Netns::new(&format!("nft-{example}"));
    let foreign = dir.join("foreign.nft");
    std::fs::write(&foreign, FOREIGN).unwrap();
    let (ok, out) = netns.exec(&["nft", "-f", foreign.to_str().unwrap()]);
    assert!(ok, "loading the foreign table failed: {out}");
    for attempt in 1..=2 {
        let (ok, out) = netns.exec(&load);
        assert!(ok, "load {attempt} of {example} failed:\n{out}");
    }
    let (ok, listing) = netns.exec(&["nft", "list", "table", "inet", "fwgen"]);
    assert!(ok, "nft list table failed: {listing}");
    let chains = chain_names(&listing);
    let mut unique = chains.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        chains.len(),
        unique.len(),
        "a chain appears twice after two loads:\n{listing}"
    );
    let rendered = std::fs::read_to_string(file).unwrap();
    assert_eq!(
        chains.len(),
        chain_names(&rendered).len(),
        "chains differ from the file:\n{listing}"
    );
    // The stopped ruleset replaces the running one as a whole, and the
    // running one replaces it back (`fwgen apply --stopped`, then `apply`).
    let stopped = dir.join("fwgen-stopped.nft");
    let stopped = stopped.to_str().unwrap();
    let (ok, out) = common::run("nft", &["-c", "-f", stopped]);
    assert!(ok, "nft -c rejected {example}'s stopped ruleset:\n{out}");
    let (ok, out) = netns.exec(&["nft", "-f", stopped]);
    assert!(ok, "loading {example}'s stopped ruleset failed:\n{out}");
    let (ok, listing) = netns.exec(&["nft", "list", "table", "inet", "fwgen"]);
    assert!(ok, "nft list table failed: {listing}");
    let stopped_text = std::fs::read_to_string(stopped).unwrap();
    assert_eq!(
        chain_names(&listing),
        chain_names(&stopped_text),
        "the stopped table is not the stopped file's:\n{listing}"
    );
    let (ok, out) = netns.exec(&load);
    assert!(
        ok,
        "reloading {example} after the stopped ruleset failed:\n{out}"
    );
    let (ok, listing) = netns.exec(&["nft", "list", "table", "inet", "foreign"]);
    assert!(
        ok && listing.contains("chain keep"),
        "the foreign table did not survive:\n{listing}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

macro_rules! nft_load {
    ($folder:literal: $($name:ident => $example:literal,)*) => {
        $(
            #[test]
            fn $name() {
                check($folder, $example);
            }
        )*

        #[test]
        fn every_case_is_loaded() {
            common::assert_every_case_in($folder, &[$($example),*]);
        }
    };
}

nft_load! { "examples":
    lxc_host => "lxc-host",
    two_interfaces => "two-interfaces",
    three_interfaces => "three-interfaces",
    port_forward => "port-forward",
    ipv6 => "ipv6",
    shorewall4 => "shorewall4",
}

mod models {
    use super::*;

    nft_load! { "tests/models":
        log_levels => "log-levels",
        log_limit => "log-limit",
        lookup_order => "lookup-order",
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
        addresses => "addresses",
        macro_lines => "macro-lines",
        zone_lists => "zone-lists",
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
