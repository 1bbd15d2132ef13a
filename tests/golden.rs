//! Golden files: every example, rendered by every backend, must match
//! golden/<example>/<backend>/ byte for byte; every model of tests/models/
//! must match golden/models/<model>/<backend>/.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use fwgen::backend::{self, Backend};
use fwgen::load::compile;
use fwgen::source::Source;

/// `folder` holds the model `{example}.toml`: examples or tests/models.
fn render(folder: &str, example: &str, backend: Backend) -> BTreeMap<String, String> {
    let relative = format!("{folder}/{example}.toml");
    let text = std::fs::read_to_string(common::root().join(&relative)).unwrap();
    let model = compile(&Source::new(&relative, text)).unwrap_or_else(|f| panic!("{}", f.render()));
    let files = backend::render(&model, backend).unwrap();
    let again = backend::render(&model, backend).unwrap();
    assert_eq!(files, again, "rendering is not deterministic");
    files.into_iter().map(|f| (f.path, f.content)).collect()
}

fn check(example: &str, backend: Backend) {
    let dir = common::root()
        .join("golden")
        .join(example)
        .join(backend.name());
    common::assert_tree(Path::new(&dir), &render("examples", example, backend));
}

fn check_model(model: &str, backend: Backend) {
    let dir = common::root()
        .join("golden/models")
        .join(model)
        .join(backend.name());
    common::assert_tree(Path::new(&dir), &render("tests/models", model, backend));
}

macro_rules! golden {
    ($name:ident, $example:literal) => {
        mod $name {
            use super::*;

            #[test]
            fn shorewall() {
                check($example, Backend::Shorewall);
            }

            #[test]
            fn nftables() {
                check($example, Backend::Nftables);
            }
        }
    };
}

golden!(lxc_host, "lxc-host");
golden!(two_interfaces, "two-interfaces");
golden!(three_interfaces, "three-interfaces");
golden!(port_forward, "port-forward");
golden!(ipv6, "ipv6");
golden!(shorewall4, "shorewall4");

macro_rules! golden_model {
    ($($name:ident => $model:literal,)*) => {
        mod models {
            use super::*;

            $(
                mod $name {
                    use super::*;

                    #[test]
                    fn shorewall() {
                        check_model($model, Backend::Shorewall);
                    }

                    #[test]
                    fn nftables() {
                        check_model($model, Backend::Nftables);
                    }
                }
            )*

            #[test]
            fn every_model_has_a_golden_case() {
                common::assert_every_case_in("tests/models", &[$($model),*]);
            }
        }
    };
}

golden_model! {
    log_levels => "log-levels",
    log_action => "log-action",
    zone_interface => "zone-interface",
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
    rate_limits => "rate-limits",
    rate_address_list => "rate-address-list",
    rate_log => "rate-log",
    rule_helper => "rule-helper",
    rule_wildcard_device => "rule-wildcard-device",
    conntrack_notrack => "conntrack-notrack",
    rule_owner => "rule-owner",
    rule_time => "rule-time",
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

#[test]
fn every_example_has_a_golden_case() {
    let source = std::fs::read_to_string(common::root().join("tests/golden.rs")).unwrap();
    for entry in std::fs::read_dir(common::root().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            assert!(
                source.contains(&format!("\"{stem}\")")),
                "examples/{stem}.toml has no golden! case"
            );
        }
    }
}
