//! REJECT answers as Shorewall's: `shorewall compile` and `shorewall6
//! compile` of the rendered dual-stack example show Shorewall's `reject`
//! chain, and the nftables `rejection` chain must say the same, statement
//! for statement and in the same order, for each family.

mod common;

/// Shorewall's IPv4 reject chain, beside the nftables statement that says
/// the same.
const IPV4: &[(&str, &str)] = &[
    (
        "-A reject -m addrtype --src-type BROADCAST -j DROP",
        "meta nfproto ipv4 fib saddr type broadcast drop",
    ),
    (
        "-A reject -s 224.0.0.0/4 -j DROP",
        "ip saddr 224.0.0.0/4 drop",
    ),
    ("-A reject -p 2 -j DROP", "meta l4proto igmp drop"),
    (
        "-A reject -p 6 -j REJECT --reject-with tcp-reset",
        "meta l4proto tcp reject with tcp reset",
    ),
    (
        "-A reject -p 17 -j REJECT",
        "meta l4proto udp reject with icmpx type port-unreachable",
    ),
    (
        "-A reject -p 1 -j REJECT --reject-with icmp-host-unreachable",
        "meta nfproto ipv4 meta l4proto icmp reject with icmp type host-unreachable",
    ),
    (
        "-A reject -j REJECT --reject-with icmp-host-prohibited",
        "meta nfproto ipv4 reject with icmp type host-prohibited",
    ),
];

/// Shorewall6's reject chain. Its first line runs for every anycast address
/// of the firewall's global (2000::/3) subnets ($ALL_ACASTS, found when the
/// firewall starts); the kernel knows their subnet-router anycast addresses
/// as the anycast type.
const IPV6: &[(&str, &str)] = &[
    (
        "-A reject -d $address -j DROP",
        "ip6 daddr 2000::/3 fib daddr type anycast drop",
    ),
    ("-A reject -s ff00::/8 -j DROP", "ip6 saddr ff00::/8 drop"),
    ("-A reject -p 2 -j DROP", "meta l4proto igmp drop"),
    (
        "-A reject -p 6 -j REJECT --reject-with tcp-reset",
        "meta l4proto tcp reject with tcp reset",
    ),
    (
        "-A reject -p 17 -j REJECT",
        "meta l4proto udp reject with icmpx type port-unreachable",
    ),
    (
        "-A reject -p 58 -j REJECT --reject-with icmp6-addr-unreachable",
        "meta nfproto ipv6 meta l4proto ipv6-icmp reject with icmpv6 type addr-unreachable",
    ),
    (
        "-A reject -j REJECT --reject-with icmp6-adm-prohibited",
        "meta nfproto ipv6 reject with icmpv6 type admin-prohibited",
    ),
];

/// The `-A reject` lines of a compiled firewall script, in order (the
/// anycast line is echoed from a shell loop).
fn shorewall_reject_chain(script: &str) -> Vec<String> {
    script
        .lines()
        .filter_map(|line| line.find("-A reject ").map(|at| &line[at..]))
        .map(|rule| rule.trim_end_matches("\" >&3").to_owned())
        .collect()
}

/// The statements of the nftables `rejection` chain that apply to one
/// family: those not bound to the other.
fn nftables_rejection_chain(ruleset: &str, ipv6: bool) -> Vec<String> {
    let other: &[&str] = if ipv6 {
        &["ip ", "meta nfproto ipv4 "]
    } else {
        &["ip6 ", "meta nfproto ipv6 "]
    };
    ruleset
        .lines()
        .map(str::trim)
        .skip_while(|line| *line != "chain rejection {")
        .skip(1)
        .take_while(|line| *line != "}")
        .filter(|line| !other.iter().any(|prefix| line.starts_with(prefix)))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_rejection_chain_is_shorewalls_reject_chain_in_both_families() {
    common::require_root();
    common::require_tool("shorewall", "shorewall");
    common::require_tool("shorewall6", "shorewall6");
    let dir = common::scratch("reject");
    common::render_example("ipv6", "shorewall", &dir);
    common::render_example("ipv6", "nftables", &dir);
    let ruleset = std::fs::read_to_string(dir.join("fwgen.nft")).unwrap();
    for (product, table, ipv6) in [("shorewall", IPV4, false), ("shorewall6", IPV6, true)] {
        let script = dir.join(format!("{product}.script"));
        let config = dir.join(product);
        let compiled = common::shorewall_compile(product, &config, &script);
        assert_eq!(
            shorewall_reject_chain(&compiled),
            table.iter().map(|row| row.0).collect::<Vec<_>>(),
            "{product}'s reject chain is not the one this test knows"
        );
        assert_eq!(
            nftables_rejection_chain(&ruleset, ipv6),
            table.iter().map(|row| row.1).collect::<Vec<_>>(),
            "the nftables rejection chain does not say what {product}'s does"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
