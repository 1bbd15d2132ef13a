//! The lowered ruleset as its readers see it: every kernel rule a model
//! item made names that item in a comment that no unrelated edit changes,
//! and `explain --trace` shows the packet path it walks.

mod common;

use fwgen::load::load;
use fwgen::ruleset::lower::lower;
use fwgen::ruleset::{Origin, Piece};

fn every_model() -> Vec<String> {
    let mut all: Vec<String> = common::examples()
        .into_iter()
        .map(|e| format!("examples/{e}.toml"))
        .collect();
    all.extend(
        common::models()
            .into_iter()
            .map(|m| format!("tests/models/{m}.toml")),
    );
    all
}

#[test]
fn every_rule_a_model_item_made_carries_its_name() {
    for path in every_model() {
        let (_, model) = load(&common::root().join(&path)).unwrap();
        let ruleset = lower(&model);
        let mut named = 0;
        for chain in &ruleset.chains {
            for rule in &chain.rules {
                let made_by_model = !matches!(rule.origin, Origin::Shorewall(_));
                if made_by_model {
                    named += 1;
                    let comment = rule.comment.as_deref().unwrap_or_else(|| {
                        panic!("{path}: a rule of {} has no comment: {rule:?}", chain.name)
                    });
                    assert!(
                        !comment.is_empty() && comment.len() <= 127,
                        "{path}: {comment}"
                    );
                    assert!(!comment.contains('"'), "{path}: {comment}");
                }
                for element in rule.lookup().iter().flat_map(|l| &l.elements) {
                    let comment = element.comment.as_deref().unwrap_or_else(|| {
                        panic!("{path}: an element of {} has no comment", chain.name)
                    });
                    assert!(comment.len() <= 127 && !comment.contains('"'), "{comment}");
                }
            }
        }
        assert!(named > 0, "{path}: no rule was made by the model");
    }
}

/// A rule whose matches no packet of one family can meet is dead weight
/// the kernel walks: `meta nfproto ipv4 ... meta l4proto ipv6-icmp` (the
/// ICMPv6 exceptions of a catch-all written under an IPv4 prefix), or an
/// address of the other family.
#[test]
fn no_rule_matches_one_family_and_the_others_protocol_or_address() {
    use fwgen::ruleset::{Family, L4, Match};
    for path in every_model() {
        let (_, model) = load(&common::root().join(&path)).unwrap();
        let ruleset = lower(&model);
        for chain in &ruleset.chains {
            for rule in &chain.rules {
                let families: Vec<Family> = (rule.matches.iter())
                    .filter_map(|m| match m {
                        Match::Family(f) => Some(*f),
                        Match::Address { family, .. } | Match::IcmpType { family, .. } => {
                            Some(*family)
                        }
                        Match::Protocol(protos) if protos == &[L4::Icmpv6] => Some(Family::Ipv6),
                        Match::Protocol(protos) if protos == &[L4::Icmp] => Some(Family::Ipv4),
                        _ => None,
                    })
                    .collect();
                assert!(
                    families.windows(2).all(|w| w[0] == w[1]),
                    "{path}: a rule of {} can match no packet: {rule:?}",
                    chain.name
                );
            }
        }
    }
}

/// The rules eth+'s early sfilter made in a rendered ruleset; at least one.
fn eth_any_sfilters(text: &str) -> Vec<&str> {
    let sfilters: Vec<&str> = (text.lines())
        .filter(|l| l.contains("interface eth+ sfilter"))
        .collect();
    assert!(!sfilters.is_empty(), "no early sfilter:\n{text}");
    sfilters
}

/// The body of chain `name` in a rendered ruleset, up to its own closing
/// line (its rules may hold braces: sets, rate limits).
fn chain_body<'a>(text: &'a str, name: &str) -> &'a str {
    text.split(&format!("chain {name} {{"))
        .nth(1)
        .and_then(|rest| rest.split("\n\t}").next())
        .unwrap_or_else(|| panic!("no chain {name} in:\n{text}"))
}

/// Asserts that `text` holds `first` and `then`, `first` ahead.
fn assert_before(text: &str, first: &str, then: &str) {
    let at = |what: &str| (text.find(what)).unwrap_or_else(|| panic!("no `{what}` in:\n{text}"));
    assert!(
        at(first) < at(then),
        "`{first}` comes before `{then}`:\n{text}"
    );
}

/// The iptables rules `shorewall compile` makes of fwgen's Shorewall
/// files for the model `rendered` wrote under `name`.
fn compiled(name: &str) -> String {
    let dir = common::root().join("target/test-scratch").join(name);
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    common::fwgen_stdout(&[
        "render",
        "--backend",
        "shorewall",
        "-c",
        dir.join("fwgen.toml").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--yes",
    ]);
    common::shorewall_compile("shorewall", &out.join("shorewall"), &dir.join("firewall"))
}

/// Render a model's text, always from the same path.
fn rendered(model_text: &str, name: &str) -> String {
    let dir = common::root().join("target/test-scratch").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("fwgen.toml");
    std::fs::write(&model, model_text).unwrap();
    common::fwgen_stdout(&[
        "render",
        "--backend",
        "nftables",
        "-c",
        model.to_str().unwrap(),
    ])
}

/// A wildcard's MAC verification chain logs under Shorewall's name of
/// it, `eth+_mac` (nftables names the chain `eth-any_mac`).
#[test]
fn a_wildcards_maclist_logs_as_shorewall_names_its_chain() {
    let text = rendered(
        r#"
[firewall]
maclist_log = "info"
[zones.net]
[interfaces."eth+"]
zone = "net"
options = ["maclist"]
[[policy]]
source = "all"
dest = "all"
action = "REJECT"
[[maclist]]
disposition = "DROP"
log = "info"
interface = "eth+"
mac = "02:00:00:00:00:07"
"#,
        "wildcard-maclist",
    );
    let chain = chain_body(&text, "eth-any_mac");
    assert!(
        chain.contains("ether saddr 02:00:00:00:00:07 update @lograte4")
            && chain.contains("log prefix \"Shorewall:eth+_mac:DROP:\"")
            && chain.contains("log prefix \"Shorewall:eth+_mac:REJECT:\""),
        "{chain}"
    );
}

/// MAC verification is IPv4's: in a model with IPv6 zones, IPv6 from an
/// IPv4 zone's `maclist` interface does not meet it (Shorewall6 knows no
/// such interface: its IPv6 meets the input chain's end, not a REJECT).
#[test]
fn maclist_verifies_ipv4_alone() {
    let text = rendered(
        r#"
[zones.net]
family = "both"
[zones.loc]
[interfaces.eth0]
zone = "net"
[interfaces.eth1]
zone = "loc"
options = ["maclist"]
[[policy]]
source = "all"
dest = "all"
action = "DROP"
[[maclist]]
disposition = "ACCEPT"
interface = "eth1"
mac = "02:00:00:00:01:00"
"#,
        "maclist-ipv4-alone",
    );
    let jumps: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("jump eth1_mac"))
        .collect();
    assert_eq!(jumps.len(), 2, "{text}");
    for line in jumps {
        assert!(
            line.trim_start()
                .starts_with("meta nfproto ipv4 ct state { new, untracked }"),
            "{line}"
        );
    }
}

/// ICMP without a type is IPv4's protocol, ICMPv6 IPv6's: Shorewall
/// writes the rule in one product's table (`-p 1` in shorewall's net-fw
/// alone, `-p 58` in shorewall6's), where nftables' `meta l4proto` reads
/// either family's header, so a chain of both families says which
/// (helper-247: an IPv6 packet of next header 1 was accepted where
/// Shorewall6 drops it).
#[test]
fn an_icmp_protocol_without_a_type_matches_its_own_family_alone() {
    let text = rendered(
        r#"
[zones.net]
family = "both"
[interfaces.eth0]
zone = "net"
[[policy]]
source = "all"
dest = "all"
action = "DROP"
[[rule]]
action = "ACCEPT"
source = "net"
dest = "$FW"
proto = "icmp"
[[rule]]
action = "ACCEPT"
source = "net"
dest = "$FW"
proto = "icmpv6"
"#,
        "icmp-protocol-family",
    );
    let chain = chain_body(&text, "net-fw");
    for (family, proto) in [("ipv4", "icmp"), ("ipv6", "ipv6-icmp")] {
        let rule = (chain.lines())
            .find(|l| l.contains(&format!("meta l4proto {proto} accept")))
            .unwrap_or_else(|| panic!("no {proto} rule in:\n{chain}"));
        assert!(
            rule.trim_start().starts_with(&format!(
                "meta nfproto {family} meta l4proto {proto} accept"
            )),
            "{rule}"
        );
    }
    let four = compiled("icmp-protocol-family");
    assert!(four.contains("-A net-fw -p 1 -j ACCEPT"), "{four}");
    assert!(!four.contains("-p 58 -j ACCEPT"), "{four}");
    let dir = common::root().join("target/test-scratch/icmp-protocol-family");
    let six = common::shorewall_compile(
        "shorewall6",
        &dir.join("out/shorewall6"),
        &dir.join("firewall6"),
    );
    assert!(six.contains("-A net-fw -p 58 -j ACCEPT"), "{six}");
    assert!(!six.contains("-p 1 -j ACCEPT"), "{six}");
}

/// A REJECT naming its answer logs under the action as written
/// (Rules.pm: `REJECT(icmp-host-prohibited)`, cut with Shorewall's
/// prefix to 29 characters, the tag with it), where nftables logged
/// `REJECT` and the tag (helper-247).
#[test]
fn a_named_reject_logs_under_the_action_as_shorewall_writes_it() {
    let text = rendered(
        r#"
[zones.loc]
[interfaces.eth1]
zone = "loc"
[[policy]]
source = "all"
dest = "all"
action = "DROP"
[[rule]]
action = "REJECT"
reject_with = "icmp-host-prohibited"
log = "info"
log_tag = "abc"
source = "loc"
dest = "$FW"
proto = "udp"
"#,
        "named-reject-log",
    );
    let prefix = |text: &str, before: &str| -> String {
        let at = text
            .find(before)
            .unwrap_or_else(|| panic!("no `{before}` in:\n{text}"));
        let rest = &text[at + before.len()..];
        rest[..rest.find('"').unwrap()].to_owned()
    };
    let nft = prefix(chain_body(&text, "loc-fw"), "log prefix \"");
    let iptables = prefix(&compiled("named-reject-log"), "--log-prefix \"");
    assert_eq!(nft, iptables);
    assert_eq!(nft, "Shorewall:loc-fw:REJECT(icmp ");
}

/// `dhcp` on an interface of one family's zone opens DHCP to that family
/// alone: the product that does not know the interface (shorewall6/
/// interfaces has no eth0) sends the other family's packets to its
/// catch-all, where nftables' inet table accepted them in `in-eth0`
/// (helper-252).
#[test]
fn dhcp_on_an_interface_of_one_family_opens_that_family_alone() {
    let text = rendered(
        r#"
[zones.net]
family = "ipv4"
[zones.v6]
family = "ipv6"
[interfaces.eth0]
zone = "net"
options = ["dhcp"]
[interfaces.eth2]
zone = "v6"
options = ["dhcp"]
[[policy]]
source = "all"
dest = "all"
action = "REJECT"
"#,
        "dhcp-one-family",
    );
    for (chain, rule) in [
        ("in-eth0", "meta nfproto ipv4 udp dport 67-68 accept"),
        ("out-eth0", "meta nfproto ipv4 udp dport 67-68 accept"),
        ("in-eth2", "meta nfproto ipv6 udp dport 546-547 accept"),
        ("out-eth2", "meta nfproto ipv6 udp dport 546-547 accept"),
    ] {
        let body = chain_body(&text, chain);
        assert!(body.contains(rule), "{chain}: {body}");
    }
    let four = compiled("dhcp-one-family");
    assert!(
        four.contains("-A net-fw -p udp --dport 67:68 -j ACCEPT"),
        "{four}"
    );
    assert!(!four.contains("546:547"), "{four}");
    let dir = common::root().join("target/test-scratch/dhcp-one-family");
    let six = common::shorewall_compile(
        "shorewall6",
        &dir.join("out/shorewall6"),
        &dir.join("firewall6"),
    );
    assert!(
        six.contains("-A v6-fw -p udp --dport 546:547 -j ACCEPT"),
        "{six}"
    );
    assert!(!six.contains("67:68") && !six.contains("-i eth0"), "{six}");
}

/// The early sfilter of an IPv4 zone's wildcard matches IPv4 alone:
/// Shorewall6 knows no eth+ there, so IPv6 from eth2 to the dual-stack
/// loc's eth1 meets its forward chain's end (AllowICMPs, then REJECT),
/// not the wildcard's DROP.
#[test]
fn a_wildcards_early_sfilter_is_its_zones_family() {
    let text = rendered(
        r#"
[zones.loc]
family = "both"
[zones.net]
family = "ipv4"
[interfaces.eth1]
zone = "loc"
networks = ["192.168.1.0/24", "2001:db8:1::/64"]
[interfaces."eth+"]
zone = "net"
[[policy]]
source = "loc"
dest = "net"
action = "ACCEPT"
[[policy]]
source = "all"
dest = "all"
action = "REJECT"
"#,
        "early-sfilter-family",
    );
    let sfilters = eth_any_sfilters(&text);
    for line in sfilters {
        assert!(
            line.trim_start().starts_with("meta nfproto ipv4 "),
            "the sfilter of an IPv4 wildcard matches IPv6 too: {line}"
        );
    }
}

/// With blacklist entries Shorewall's sfilter of a wildcard is in the zone
/// pairs' chains (Chains.pm add_interface_options): what comes in by one
/// eth+ device and leaves by another (net to itself, no pair chain) goes
/// on to the end of FORWARD, and only what the dispatch sends to a pair
/// (to loc's eth1, which eth+ covers) meets the sfilter. The lab has one
/// device per wildcard, so the ruleset says it.
#[test]
fn a_wildcards_early_sfilter_follows_the_pairs_beside_a_blacklist() {
    let text = rendered(
        r#"
[zones.loc]
[zones.net]
[interfaces.eth1]
zone = "loc"
networks = ["192.168.1.0/24"]
[interfaces."eth+"]
zone = "net"
[[policy]]
source = "loc"
dest = "net"
action = "ACCEPT"
[[policy]]
source = "all"
dest = "all"
action = "REJECT"
[[blacklist]]
action = "DROP"
source = "net:203.0.113.0/24"
dest = "all"
"#,
        "early-sfilter-blacklist",
    );
    let sfilters = eth_any_sfilters(&text);
    for line in sfilters {
        assert!(
            line.contains(r#"oifname "eth1""#),
            "the sfilter drops what no pair's chain would see: {line}"
        );
    }
}

#[test]
fn an_unrelated_edit_above_a_rule_changes_no_comment() {
    for example in common::examples() {
        let text = std::fs::read_to_string(common::root().join(format!("examples/{example}.toml")))
            .unwrap();
        let scratch = format!("stable-{example}-{}", std::process::id());
        let before = rendered(&text, &scratch);
        let shifted = format!("# a note\n# another note\n\n{text}");
        let after = rendered(&shifted, &scratch);
        let _ = std::fs::remove_dir_all(common::root().join("target/test-scratch").join(&scratch));
        assert!(
            before == after,
            "{example}: lines moved, and the ruleset changed:\n{}",
            common::unified_diff(&before, &after, "fwgen.nft")
        );
    }
}

#[test]
fn chain_comments_never_claim_a_policy_a_rule_replaced() {
    for path in every_model() {
        let (_, model) = load(&common::root().join(&path)).unwrap();
        for chain in lower(&model).chains {
            // A pair chain's heading names the item whose policy ends it,
            // or says that a rule decides every packet. (A pair's blacklist
            // chain, `blacklist-net-fw`, and a policy's syn-flood chain,
            // `synflood-net-all`, end in no policy.)
            let is_pair = chain.base.is_none()
                && chain.name.contains('-')
                && !chain.name.starts_with("blacklist-")
                && !chain.name.starts_with("synflood-")
                && model.zones.iter().any(|z| {
                    chain.name.starts_with(&format!("{}-", z.name))
                        || chain.name.ends_with(&format!("-{}", z.name))
                });
            let claims_policy = is_pair
                && chain
                    .comment
                    .as_deref()
                    .is_some_and(|c| !c.ends_with("no policy is reached"));
            let has_policy_rule = chain
                .rules
                .iter()
                .any(|r| matches!(r.origin, Origin::Policy { .. } | Origin::IntraZone(_)));
            let policy_continues = chain
                .comment
                .as_deref()
                .is_some_and(|c| c.contains("CONTINUE"));
            assert!(
                !claims_policy || has_policy_rule || policy_continues,
                "{path}: chain {} claims `{:?}` but holds no policy rule",
                chain.name,
                chain.comment
            );
        }
    }
}

fn explain(example: &str, args: &[&str]) -> String {
    explain_model(&format!("examples/{example}.toml"), args)
}

fn met(trace: &str) -> usize {
    trace
        .lines()
        .filter(|l| l.starts_with("  + ") || l.starts_with("  - "))
        .count()
}

#[test]
fn an_established_packet_meets_at_most_three_rules() {
    for (from, to) in [
        ("net:192.0.2.1", "loc:10.0.0.5"),
        ("loc:10.0.0.5", "net:192.0.2.1"),
        ("loc:10.0.0.5", "$FW"),
        ("$FW", "net:192.0.2.1"),
    ] {
        let trace = explain(
            "lxc-host",
            &[
                "--from",
                from,
                "--to",
                to,
                "--dport",
                "443",
                "--state",
                "established",
                "--trace",
            ],
        );
        assert!(
            trace.starts_with("verdict: ACCEPT"),
            "{from} -> {to}: {trace}"
        );
        assert!(
            met(&trace) <= 3,
            "{from} -> {to} met {} rules:\n{trace}",
            met(&trace)
        );
        assert!(trace.contains("conntrack"), "{trace}");
    }
}

#[test]
fn trace_names_the_model_item_that_decided() {
    let trace = explain(
        "two-interfaces",
        &[
            "--from",
            "loc:192.168.1.10",
            "--to",
            "$FW",
            "--dport",
            "22",
            "--trace",
        ],
    );
    assert!(trace.starts_with("verdict: ACCEPT"), "{trace}");
    let decided = trace
        .lines()
        .rfind(|l| l.starts_with("  + "))
        .unwrap_or_default();
    assert!(decided.contains("tcp dport 22 accept"), "{trace}");
    assert!(trace.contains("from: rule loc->fw SSH ACCEPT"), "{trace}");
}

#[test]
fn invalid_packets_are_dropped_by_conntrack_before_any_rule() {
    let (_, model) = load(&common::root().join("examples/lxc-host.toml")).unwrap();
    let ruleset = lower(&model);
    let input = ruleset.chain("input").unwrap();
    let conntrack = input
        .rules
        .iter()
        .position(|r| r.origin == Origin::Shorewall(Piece::Conntrack))
        .expect("input has a conntrack rule");
    assert!(
        conntrack <= 1,
        "conntrack is not the first rule after loopback"
    );
    let answer = explain(
        "lxc-host",
        &[
            "--from",
            "net:192.0.2.1",
            "--to",
            "$FW",
            "--dport",
            "22",
            "--state",
            "invalid",
        ],
    );
    assert!(answer.starts_with("verdict: DROP"), "{answer}");
}

/// Two zones, and `ports` rules from loc to $FW, one port each.
fn neighbours(ports: &[u16]) -> String {
    let mut text = String::from(
        "[zones.net]\n[zones.loc]\n[interfaces.eth0]\nzone = \"net\"\n[interfaces.eth1]\nzone = \"loc\"\nnetworks = [\"192.168.1.0/24\"]\n[[policy]]\nsource = \"all\"\ndest = \"all\"\naction = \"REJECT\"\n",
    );
    for port in ports {
        text.push_str(&format!(
            "[[rule]]\naction = \"ACCEPT\"\nsource = \"loc\"\ndest = \"$FW\"\nproto = \"tcp\"\ndport = {port}\n"
        ));
    }
    text
}

#[test]
fn neighbouring_items_fold_into_one_set_only_from_four_values_and_keep_their_names() {
    let dir = common::scratch("fold");
    let model = dir.join("fwgen.toml");
    let text = neighbours(&[1001, 1002, 1003, 1004]);
    std::fs::write(&model, &text).unwrap();
    let (_, loaded) = load(&model).unwrap();
    let ruleset = lower(&loaded);
    let chain = ruleset.chain("loc-fw").unwrap();
    let folded: Vec<&fwgen::ruleset::Rule> = chain
        .rules
        .iter()
        .filter(|r| matches!(r.origin, Origin::Rule(_)))
        .collect();
    assert_eq!(
        folded.len(),
        1,
        "four neighbours fold into one rule: {folded:#?}"
    );
    assert_eq!(folded[0].parts.len(), 4);
    assert_eq!(
        folded[0]
            .comment
            .as_deref()
            .map(|c| c.matches("; ").count()),
        Some(3)
    );
    for (position, port) in ["1001", "1002", "1003", "1004"].iter().enumerate() {
        let answer = explain_model(
            model.to_str().unwrap(),
            &["--from", "loc", "--to", "$FW", "--dport", port],
        );
        let line = text
            .lines()
            .enumerate()
            .filter(|(_, l)| *l == "[[rule]]")
            .nth(position)
            .map(|(n, _)| n + 1)
            .unwrap();
        assert!(
            answer.contains(&format!("fwgen.toml:{line}\n")) && answer.contains("the rule at"),
            "port {port}: expected the rule at line {line}:\n{answer}"
        );
    }
    let three = neighbours(&[1001, 1002, 1003]);
    std::fs::write(&model, three).unwrap();
    let (_, loaded) = load(&model).unwrap();
    let apart = lower(&loaded)
        .chain("loc-fw")
        .unwrap()
        .rules
        .iter()
        .filter(|r| matches!(r.origin, Origin::Rule(_)))
        .count();
    assert_eq!(apart, 3, "three neighbours stay rules of their own");
    let _ = std::fs::remove_dir_all(&dir);
}

fn explain_model(model: &str, args: &[&str]) -> String {
    let mut all = vec!["explain", "-c", model];
    all.extend_from_slice(args);
    common::fwgen_stdout(&all)
}

#[test]
fn broadcasts_meet_a_silent_drop_before_a_logged_policy_unless_turned_off() {
    let args = [
        "--from",
        "net:192.0.2.1",
        "--to",
        "$FW:255.255.255.255",
        "--proto",
        "udp",
        "--dport",
        "137",
    ];
    let default = explain_model("examples/two-interfaces.toml", &args);
    assert!(
        default.starts_with("verdict: DROP\ndecided by: Broadcast(DROP), Multicast(DROP): the policy's default actions"),
        "{default}"
    );
    let off = explain_model("tests/models/log-limit.toml", &args);
    assert!(
        off.starts_with("verdict: DROP\ndecided by: the policy at"),
        "{off}"
    );
}

#[test]
fn a_logging_rule_logs_under_the_limit_and_decides_in_a_rule_of_its_own() {
    let (_, model) = load(&common::root().join("tests/models/log-limit.toml")).unwrap();
    let ruleset = lower(&model);
    assert_eq!(
        ruleset
            .sets
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>(),
        ["lograte4", "lograte6"],
        "one set of buckets per family"
    );
    let chain = ruleset.chain("loc-fw").expect("loc-fw");
    let ssh: Vec<&fwgen::ruleset::Rule> = chain
        .rules
        .iter()
        .filter(|r| matches!(r.origin, Origin::Rule(_)))
        .collect();
    let logging = ssh.iter().filter(|r| r.verdict().is_none()).count();
    let deciding = ssh.iter().filter(|r| r.verdict().is_some()).count();
    assert_eq!((logging, deciding), (2, 1), "{ssh:#?}");
    for rule in ssh.iter().filter(|r| r.verdict().is_none()) {
        assert!(
            rule.matches
                .iter()
                .any(|m| matches!(m, fwgen::ruleset::Match::LogLimit { set: Some(_), .. })),
            "{rule:?}"
        );
    }
}

#[test]
fn rules_port_forwards_and_source_nat_apply_in_file_order() {
    let model = "tests/models/nat-order.toml";
    let blocked = explain_model(
        model,
        &[
            "--from",
            "net:192.0.2.200",
            "--to",
            "net:203.0.113.1",
            "--dport",
            "80",
        ],
    );
    assert!(
        blocked.starts_with("verdict: DROP\ndecided by: the rule at"),
        "a host blocked above a port forward must stay blocked:\n{blocked}"
    );
    let other = explain_model(
        model,
        &[
            "--from",
            "net:198.51.100.7",
            "--to",
            "net:203.0.113.1",
            "--dport",
            "80",
        ],
    );
    assert!(
        other.starts_with("verdict: ACCEPT\ndecided by: the port forward at"),
        "{other}"
    );
    let own = explain_model(
        model,
        &[
            "--from",
            "loc:192.168.1.5",
            "--to",
            "net:198.51.100.1",
            "--dport",
            "443",
        ],
    );
    assert!(
        own.contains("nat: SNAT to 203.0.113.9"),
        "the SNAT above the masquerade wins:\n{own}"
    );
    let rest = explain_model(
        model,
        &[
            "--from",
            "loc:192.168.1.6",
            "--to",
            "net:198.51.100.1",
            "--dport",
            "443",
        ],
    );
    assert!(rest.contains("nat: masquerade"), "{rest}");
}

/// Two zones, and one rule from loc to $FW per row: (action, source
/// address, TCP port).
fn loc_to_fw(rows: &[(&str, String, u16)]) -> String {
    let mut text = neighbours(&[]);
    for (action, address, port) in rows {
        text.push_str(&format!(
            "[[rule]]\naction = \"{action}\"\nsource = \"loc:{address}\"\ndest = \"$FW\"\nproto = \"tcp\"\ndport = {port}\n"
        ));
    }
    text
}

/// `count` ACCEPT rules, each from a host of its own to a port of its own.
fn distinct_rows(count: u16, action: &str) -> Vec<(&str, String, u16)> {
    (1..=count)
        .map(|n| (action, format!("192.168.1.{n}"), 2000 + n))
        .collect()
}

/// The loc-fw chain of a model's text, and where the model was written.
fn loc_fw_chain(text: &str, name: &str) -> (fwgen::ruleset::Chain, std::path::PathBuf) {
    let dir = common::scratch(name);
    let model = dir.join("fwgen.toml");
    std::fs::write(&model, text).unwrap();
    let (_, loaded) = load(&model).unwrap();
    let chain = lower(&loaded).chain("loc-fw").unwrap().clone();
    (chain, model)
}

/// The line of the `n`-th `[[rule]]` (from 0) of a model's text.
fn rule_line(text: &str, n: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, l)| *l == "[[rule]]")
        .nth(n)
        .map(|(line, _)| line + 1)
        .unwrap()
}

fn lookups(chain: &fwgen::ruleset::Chain) -> Vec<&fwgen::ruleset::Lookup> {
    chain.rules.iter().filter_map(|r| r.lookup()).collect()
}

#[test]
fn a_long_run_of_rules_becomes_one_lookup_whose_elements_keep_their_items() {
    let text = loc_to_fw(&distinct_rows(40, "ACCEPT"));
    let (chain, model) = loc_fw_chain(&text, "lookup-run");
    let found = lookups(&chain);
    assert_eq!(found.len(), 1, "{chain:#?}");
    assert_eq!(found[0].elements.len(), 40);
    assert_eq!(found[0].name, "loc-fw");
    assert!(found[0].verdict.is_some(), "one verdict: a set, not a map");
    for n in [1u16, 17, 40] {
        let from = format!("loc:192.168.1.{n}");
        let port = (2000 + n).to_string();
        let args = ["--from", &from, "--to", "$FW", "--dport", &port, "--trace"];
        let answer = explain_model(model.to_str().unwrap(), &args);
        let line = rule_line(&text, usize::from(n - 1));
        assert!(
            answer.starts_with("verdict: ACCEPT")
                && answer.contains(&format!("the rule at {}:{line}\n", model.display())),
            "host {n}: expected the rule at line {line}:\n{answer}"
        );
        assert!(answer.contains("(an element of set loc-fw)"), "{answer}");
    }
    // A host's own port only: 192.168.1.1 to 2002 is no element.
    let args = [
        "--from",
        "loc:192.168.1.1",
        "--to",
        "$FW",
        "--dport",
        "2002",
    ];
    let answer = explain_model(model.to_str().unwrap(), &args);
    assert!(answer.starts_with("verdict: REJECT"), "{answer}");
}

#[test]
fn a_short_run_stays_rules_of_their_own() {
    let text = loc_to_fw(&distinct_rows(15, "ACCEPT"));
    let (chain, _) = loc_fw_chain(&text, "lookup-short");
    assert!(lookups(&chain).is_empty(), "{chain:#?}");
    let rules = chain
        .rules
        .iter()
        .filter(|r| matches!(r.origin, Origin::Rule(_)))
        .count();
    assert_eq!(rules, 15);
}

#[test]
fn a_new_connection_meets_as_many_rules_with_400_rules_as_with_40() {
    let met_with = |count: u16| {
        let rows: Vec<(&str, String, u16)> = (0..count)
            .map(|n| ("ACCEPT", format!("10.{}.{}.1", n / 200, n % 200), 3000 + n))
            .collect();
        let (_, model) = loc_fw_chain(&loc_to_fw(&rows), &format!("lookup-path-{count}"));
        let model = model.to_str().unwrap().to_owned();
        let last = format!("loc:10.{}.{}.1", (count - 1) / 200, (count - 1) % 200);
        let port = (3000 + count - 1).to_string();
        let decided = explain_model(
            &model,
            &["--from", &last, "--to", "$FW", "--dport", &port, "--trace"],
        );
        assert!(decided.starts_with("verdict: ACCEPT"), "{decided}");
        let refused = explain_model(
            &model,
            &[
                "--from",
                "loc:10.0.0.1",
                "--to",
                "$FW",
                "--dport",
                "9",
                "--trace",
            ],
        );
        assert!(refused.starts_with("verdict: REJECT"), "{refused}");
        (met(&decided), met(&refused))
    };
    assert_eq!(met_with(40), met_with(400));
}

#[test]
fn rules_that_overlap_with_another_verdict_keep_their_order_around_lookups() {
    // A REJECT of host 3's port above the run, a DROP of the whole network
    // on port 2005 inside it, an ACCEPT of everything on 2005 below it.
    let mut rows = vec![("REJECT", "192.168.1.3".to_owned(), 2003)];
    rows.extend(distinct_rows(40, "ACCEPT"));
    rows.insert(20, ("DROP", "192.168.1.0/24".to_owned(), 2005));
    rows.extend(
        distinct_rows(20, "DROP")
            .into_iter()
            .map(|(a, h, p)| (a, h, p + 100)),
    );
    rows.push(("ACCEPT", "192.168.1.0/24".to_owned(), 2005));
    let text = loc_to_fw(&rows);
    let (chain, model) = loc_fw_chain(&text, "lookup-order");
    assert_eq!(lookups(&chain).len(), 2, "{chain:#?}");
    let model = model.to_str().unwrap();
    for (host, port, verdict) in [
        (3, 2003, "REJECT"), // the REJECT above the run wins over its ACCEPT
        (5, 2005, "ACCEPT"), // the run's ACCEPT of host 5 is above the DROP
        (15, 2005, "DROP"),  // the network's DROP is above the last ACCEPT
        (15, 2015, "ACCEPT"),
        (7, 2107, "DROP"),
        (200, 2005, "DROP"),
    ] {
        let from = format!("loc:192.168.1.{host}");
        let port = port.to_string();
        let answer = explain_model(model, &["--from", &from, "--to", "$FW", "--dport", &port]);
        assert!(
            answer.starts_with(&format!("verdict: {verdict}")),
            "host {host} port {port}: {answer}"
        );
    }
}

#[test]
fn rules_with_different_verdicts_that_do_not_overlap_share_one_verdict_map() {
    let mut rows = distinct_rows(10, "ACCEPT");
    rows.extend(
        distinct_rows(10, "DROP")
            .into_iter()
            .map(|(a, h, p)| (a, h, p + 100)),
    );
    let text = loc_to_fw(&rows);
    let (chain, model) = loc_fw_chain(&text, "lookup-map");
    let found = lookups(&chain);
    assert_eq!(found.len(), 1, "{chain:#?}");
    assert!(found[0].verdict.is_none(), "two verdicts: a map");
    let rendered = rendered(&text, "lookup-map-render");
    assert!(
        rendered.contains("ip saddr . meta l4proto . th dport vmap @loc-fw comment \"map loc-fw: each element names its rule\"")
            && rendered.contains("\tmap loc-fw {")
            && rendered.contains(
                "192.168.1.4 . tcp . 2104 comment \"rule loc->fw tcp/2104 DROP\" : drop,"
            ),
        "{rendered}"
    );
    let answer = explain_model(
        model.to_str().unwrap(),
        &[
            "--from",
            "loc:192.168.1.4",
            "--to",
            "$FW",
            "--dport",
            "2104",
        ],
    );
    assert!(answer.starts_with("verdict: DROP"), "{answer}");
}

#[test]
fn a_network_or_a_range_makes_the_set_an_interval_set() {
    let mut rows = distinct_rows(20, "ACCEPT");
    let plain = rendered(&loc_to_fw(&rows), "lookup-hash");
    assert!(!plain.contains("flags interval"), "{plain}");
    rows.push(("ACCEPT", "10.9.0.0/16".to_owned(), 2000));
    let interval = rendered(&loc_to_fw(&rows), "lookup-interval");
    assert!(
        interval.contains("flags interval")
            && interval.contains("10.9.0.0/16 . tcp . 2000 comment"),
        "{interval}"
    );
}

#[test]
fn check_finds_a_rule_that_an_element_of_a_lookup_hides() {
    let mut rows = distinct_rows(20, "ACCEPT");
    rows.push(("DROP", "192.168.1.7".to_owned(), 2007));
    let text = loc_to_fw(&rows);
    let (chain, model) = loc_fw_chain(&text, "lookup-check");
    assert_eq!(lookups(&chain).len(), 1, "{chain:#?}");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .args(["check", "-c", model.to_str().unwrap()])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    let hidden = rule_line(&text, 20);
    let hider = rule_line(&text, 6);
    assert!(
        report.contains(&format!(":{hidden}:")) && report.contains(&format!("line {hider} ")),
        "line {hidden} is hidden by line {hider}:\n{report}"
    );
}

#[test]
fn a_rule_from_any_address_joins_a_run_only_where_the_chain_carries_one_family() {
    let mut rows = distinct_rows(10, "ACCEPT");
    rows.push(("ACCEPT", String::new(), 2500));
    rows.extend(
        distinct_rows(10, "ACCEPT")
            .into_iter()
            .map(|(a, h, p)| (a, h, p + 100)),
    );
    let text = loc_to_fw(&rows).replace("source = \"loc:\"", "source = \"loc\"");
    let (chain, model) = loc_fw_chain(&text, "lookup-any-v4");
    let found = lookups(&chain);
    assert_eq!(found.len(), 1, "{chain:#?}");
    assert_eq!(found[0].elements.len(), 21);
    let args = [
        "--from",
        "loc:192.168.1.77",
        "--to",
        "$FW",
        "--dport",
        "2500",
        "--trace",
    ];
    let answer = explain_model(model.to_str().unwrap(), &args);
    assert!(
        answer.starts_with("verdict: ACCEPT") && answer.contains("(an element of set loc-fw)"),
        "{answer}"
    );
    // Both families: the rule from any address also takes IPv6, which an
    // IPv4 key cannot hold; it ends the run.
    let both = text
        .replace("[zones.loc]\n", "[zones.loc]\nfamily = \"both\"\n")
        .replace("[zones.net]\n", "[zones.net]\nfamily = \"both\"\n");
    let (chain, _) = loc_fw_chain(&both, "lookup-any-both");
    let elements: usize = lookups(&chain).iter().map(|l| l.elements.len()).sum();
    assert_eq!(elements, 0, "two runs of 10, each too short: {chain:#?}");
    assert!(
        chain
            .rules
            .iter()
            .any(|r| r.to_string().starts_with("tcp dport 2500 accept"))
    );
}

#[test]
fn a_rule_added_inside_a_lookup_adds_one_element_line_and_changes_nothing_else() {
    let rows = distinct_rows(40, "ACCEPT");
    let mut more = rows.clone();
    more.insert(20, ("ACCEPT", "192.168.1.200".to_owned(), 2999));
    let before = rendered(&loc_to_fw(&rows), "lookup-diff");
    let after = rendered(&loc_to_fw(&more), "lookup-diff");
    let diff = similar::TextDiff::from_lines(&before, &after);
    let changes: Vec<(similar::ChangeTag, String)> = diff
        .iter_all_changes()
        .filter(|c| c.tag() != similar::ChangeTag::Equal)
        .map(|c| (c.tag(), c.value().to_owned()))
        .collect();
    assert_eq!(
        changes,
        vec![(
            similar::ChangeTag::Insert,
            "\t\t\t192.168.1.200 . tcp . 2999 comment \"rule loc->fw tcp/2999 ACCEPT\",\n"
                .to_owned()
        )],
        "{}",
        diff.unified_diff()
    );
}

/// Issues #15/#14: untracked packets beside an `Invalid` rule, as Shorewall
/// 5.2.8 compiles them (the lab's `untracked_packets_beside_an_invalid_section`
/// sees the same from both backends): the pair the rule applies to has no
/// untracked disposition (DROP) and no log, only an unlogged ACCEPT; the
/// other pairs keep both.
#[test]
fn untracked_packets_skip_their_disposition_where_an_invalid_rule_applies() {
    use fwgen::explain::{Place, Query, explain_as};
    use fwgen::model::{Disposition, LogLevel, Model, Protocol, Verdict, ZoneId};
    use fwgen::ruleset::CtState;
    let (_, model) = load(&common::root().join("tests/models/untracked-invalid.toml")).unwrap();
    let zone = |model: &Model, name: &str| match name {
        "$FW" => ZoneId::Firewall,
        _ => ZoneId::Zone(model.zones.iter().position(|z| z.name == name).unwrap()),
    };
    let walk = |model: &Model, from: &str, to: &str, port: u16| {
        let place = |name| Place {
            zone: Some(zone(model, name)),
            address: None,
            interface: None,
            device: None,
        };
        let query = Query {
            from: place(from),
            to: place(to),
            proto: Some(Protocol::Tcp),
            dport: Some(port),
            sport: None,
            icmp_type: None,
            icmp_code: None,
            source_mac: None,
            owner: None,
        };
        let answer = explain_as(model, &lower(model), &query, CtState::Untracked).unwrap();
        // The untracked state's log prefix names its pair chain after `&`.
        let prefix = format!("Shorewall:&{}-{}:", from, to.replace("$FW", "fw"));
        let logged = answer
            .trace
            .iter()
            .any(|step| step.matched && format!("{:?}", step.rule.statements).contains(&prefix));
        (answer.verdict, logged)
    };
    assert_eq!(walk(&model, "net", "$FW", 22).0, Verdict::Accept);
    assert_eq!(walk(&model, "net", "$FW", 8080).0, Verdict::Drop);
    assert_eq!(walk(&model, "net", "loc", 22).0, Verdict::Drop);
    assert_eq!(walk(&model, "loc", "$FW", 22).0, Verdict::Drop);
    let mut accepting = model.clone();
    accepting.firewall.dispositions.untracked = fwgen::model::Families::both(Disposition::Accept);
    accepting.firewall.state_logs.untracked = fwgen::model::Families::both(Some(LogLevel::Info));
    assert_eq!(
        walk(&accepting, "net", "$FW", 8080),
        (Verdict::Accept, false),
        "accepted, unlogged, where the Invalid rule applies"
    );
    assert_eq!(
        walk(&accepting, "loc", "$FW", 8080),
        (Verdict::Accept, true),
        "logged, then accepted, in a pair no Invalid rule applies to"
    );
}

/// An `Invalid` rule of one family leaves the other family's untracked
/// disposition in the pair chain, as Shorewall's and Shorewall6's rules
/// files each have their own INVALID section (a review found IPv4's DROP
/// gone when the Invalid rule was IPv6's alone).
#[test]
fn an_invalid_rule_of_one_family_keeps_the_others_untracked_disposition() {
    let model = r#"[firewall]
untracked_disposition = "DROP"
invalid_disposition = "CONTINUE"
[zones.net]
family = "both"
[zones.loc]
family = "both"
[interfaces.eth0]
zone = "net"
[interfaces.eth1]
zone = "loc"
networks = ["10.61.0.0/24", "fd61:2::/64"]
[[policy]]
source = "all"
dest = "all"
action = "REJECT"
[[rule]]
action = "ACCEPT"
source = "net"
dest = "$FW"
proto = "tcp"
dport = 22
[[rule]]
macro = "Invalid"
action = "DROP"
source = "net"
dest = "$FW"
family = "ipv6"
"#;
    let text = rendered(model, "untracked-one-family");
    let chain = chain_body(&text, "net-fw");
    assert!(
        chain.contains("meta nfproto ipv4 ct state untracked drop"),
        "{chain}"
    );
    assert!(
        !chain.contains("meta nfproto ipv6 ct state untracked"),
        "{chain}"
    );
    let loc = chain_body(&text, "loc-fw");
    assert!(loc.contains("\tct state untracked drop"), "{loc}");
}

/// `Invalid` rules come before a tunnel's openings in the pair chain:
/// the Shorewall backend writes them in the INVALID section, which Shorewall
/// compiles before the NEW section's head, where it inserts tunnels (a
/// review found an INVALID packet to a tunnel's port dropped by fwgen's
/// Shorewall files and accepted by its nftables).
#[test]
fn invalid_rules_come_before_tunnels() {
    let model = r#"[firewall]
invalid_disposition = "CONTINUE"
[zones.net]
[zones.loc]
[interfaces.eth0]
zone = "net"
[interfaces.eth1]
zone = "loc"
[[policy]]
source = "all"
dest = "all"
action = "REJECT"
[[tunnel]]
type = "generic"
zone = "net"
proto = "udp"
port = 5000
[[rule]]
macro = "Invalid"
action = "DROP"
source = "net"
dest = "all"
"#;
    let text = rendered(model, "invalid-before-tunnels");
    let chain = chain_body(&text, "net-fw");
    assert_before(chain, "ct state invalid drop", "udp dport 5000 accept");
}

#[test]
fn trace_shows_the_helper_a_new_connection_is_given_and_no_other_packet_meets_it() {
    let model = "tests/models/rule-helper.toml";
    let ftp = |from: &str, state: &str| {
        let args = ["--from", from, "--to", "$FW", "--dport", "21"];
        let mut args = args.to_vec();
        args.extend(["--state", state, "--trace"]);
        explain_model(model, &args)
    };
    let helper = "ct helper set \"ftp-21\"";
    let met = |trace: &str, sign: &str| {
        trace.lines().any(|l| {
            l.starts_with(sign) && l.contains("rule-helpers-prerouting") && l.contains(helper)
        })
    };
    let loc = ftp("loc:192.168.1.5", "new");
    assert!(met(&loc, "  + "), "loc's FTP gets the helper:\n{loc}");
    let net = ftp("net:192.0.2.9", "new");
    assert!(
        met(&net, "  - ") && !met(&net, "  + "),
        "net's FTP meets the helper's rule and is not given it:\n{net}"
    );
    let established = ftp("loc:192.168.1.5", "established");
    assert!(
        !met(&established, "  + ") && !met(&established, "  - "),
        "an established packet never reaches the helpers' rules:\n{established}"
    );
    assert!(
        established.contains("+ rule-helpers-prerouting: ct state { established, related, invalid, untracked } return"),
        "{established}"
    );
}

/// Issue #15: without `clamp_mss`, Shorewall's settcpmss chain has no
/// `-j RETURN` (Misc.pm setup_mss): a SYN between two `mss=` interfaces
/// meets both rules and keeps the lower MSS. The interfaces keep their
/// order, each `oifname` before `iifname`.
#[test]
fn interface_mss_without_clamp_mss_never_returns() {
    let text = std::fs::read_to_string(common::root().join("tests/models/interface-mss.toml"))
        .unwrap()
        .replace("clamp_mss = 1300", "")
        .replace(
            "options = [\"tcpflags\"]\nnetworks = [\"10.1.0.0/24\"]",
            "options = [\"tcpflags\", \"mss=1300\"]\nnetworks = [\"10.1.0.0/24\"]",
        );
    let nft = rendered(&text, "interface-mss-no-clamp");
    let body = chain_body(&nft, "mangle-forward");
    assert!(!body.contains("return"), "{body}");
    let sets: Vec<&str> = body
        .lines()
        .filter(|l| l.contains("maxseg size set"))
        .map(|l| l.trim().split(" tcp flags").next().unwrap())
        .collect();
    assert_eq!(
        sets,
        [
            "meta nfproto ipv4 oifname \"eth0\"",
            "meta nfproto ipv4 iifname \"eth0\"",
            "meta nfproto ipv4 oifname \"eth2\"",
            "meta nfproto ipv4 iifname \"eth2\"",
        ],
        "{body}"
    );
    assert!(
        nft.contains("# mss=: the MSS of forwarded TCP SYNs"),
        "{nft}"
    );
}

/// Issue #15: a zone's `mss` makes the pair's chain even under a CONTINUE
/// policy with no rules, as Shorewall's setup_zone_mss writes the clamp
/// into it (`shorewall compile`: `loc-vpn` holds the TCPMSS rule, the
/// state rules and the CONTINUE log, and `loc_frwd` jumps to it): the
/// chain clamps, accepts established packets and logs the CONTINUE.
#[test]
fn zone_mss_makes_a_continue_pair_chain() {
    let text = std::fs::read_to_string(common::root().join("tests/models/zone-mss.toml"))
        .unwrap()
        .replace(
            "source = \"loc\"\ndest = \"vpn\"\naction = \"ACCEPT\"",
            "source = \"loc\"\ndest = \"vpn\"\naction = \"CONTINUE\"\nlog = \"info\"",
        );
    let nft = rendered(&text, "zone-mss-continue");
    let body = chain_body(&nft, "loc-vpn");
    for expected in [
        "tcp flags & (syn|rst) == syn tcp option maxseg size >= 1360 tcp option maxseg size set 1360",
        "ct state established accept",
        "log prefix \"Shorewall:loc-vpn:CONTINUE:\"",
    ] {
        assert!(body.contains(expected), "missing `{expected}`:\n{body}");
    }
    assert!(nft.contains(": jump loc-vpn"), "{nft}");
}

/// Issue #14: a logged port forward from `all` is logged by the first
/// zone, in the zones' order, whose interfaces take the connection, as
/// Shorewall 5.2.8's nat PREROUTING jumps to the zones' dnat chains in
/// zone order (`-i eth1 -j loc_dnat` before `-i eth+ -j net_dnat`, from
/// `shorewall compile`; a wildcard's zone declared before the zone of a
/// named interface it covers is refused, `wildcard-zone-first`): the
/// named interface's zone logs its connections, whatever the interfaces'
/// order.
#[test]
fn a_logged_forward_from_all_is_logged_by_each_zone_in_zone_order() {
    let model = "[zones.loc]\n[zones.dmz]\n[zones.net]\n\
        [interfaces.eth1]\nzone = \"loc\"\n\
        [interfaces.\"eth+\"]\nzone = \"net\"\n\
        [interfaces.eth2]\nzone = \"dmz\"\nnetworks = [\"10.0.0.0/24\"]\n\
        [[policy]]\nsource = \"all\"\ndest = \"all\"\naction = \"REJECT\"\n\
        [[dnat]]\nsource = \"all\"\ndest = \"dmz\"\nto = \"10.0.0.21\"\n\
        proto = \"tcp\"\ndport = 8081\nlog = \"info\"\n";
    let nft = rendered(model, &format!("dnat-all-order-{}", std::process::id()));
    let body = chain_body(&nft, "nat-prerouting");
    // loc's rule comes first; net's is on its wildcard alone.
    assert_before(
        body,
        "iifname \"eth1\" tcp dport 8081",
        "iifname \"eth*\" tcp dport 8081",
    );
    assert!(body.contains("Shorewall:net_dnat:DNAT:"), "{body}");
    assert!(body.contains("Shorewall:loc_dnat:DNAT:"), "{body}");
}

/// A wildcard's zone declared before the zone of a named interface it
/// covers is no zone-order error where the two zones share no family: an
/// IPv4 `net` on `eth+` and an IPv6 `loc` on `eth1` are in different files
/// for Shorewall (shorewall/zones and shorewall6/zones), whose order
/// cannot send one's packets to the other. The model is refused for
/// another reason: Shorewall's IPv4 firewall does not know eth1 and sends
/// its IPv4 packets to net (`wildcard-over-other-family`); with loc of
/// both families, declared after net, it is a zone-order error.
#[test]
fn a_wildcard_zone_first_of_another_family_is_no_zone_order_error() {
    let codes = |loc_family: &str| {
        let model = format!(
            "[zones.net]\nfamily = \"ipv4\"\n[zones.loc]\nfamily = \"{loc_family}\"\n\
             [interfaces.\"eth+\"]\nzone = \"net\"\n[interfaces.eth1]\nzone = \"loc\"\n\
             [[policy]]\nsource = \"all\"\ndest = \"all\"\naction = \"DROP\"\n"
        );
        let failure = fwgen::load::compile(&fwgen::source::Source::new("wildcard.toml", model))
            .expect_err("refused");
        let codes: Vec<&str> = failure.errors.iter().map(|e| e.kind.code()).collect();
        codes
    };
    assert_eq!(codes("ipv6"), ["wildcard-over-other-family"]);
    assert_eq!(codes("both"), ["wildcard-zone-first"]);
}

/// An audited call of a helper macro (`FTP(A_ACCEPT)`) attaches no helper
/// under conntrack_helpers = false: Rules.pm's process_rule sets HELPER in
/// ACCEPT's entry alone, and `shorewall compile` writes no `CT --helper`
/// for it, so the FTP data connections are not RELATED there; the plain
/// `FTP(ACCEPT)` attaches it.
#[test]
fn an_audited_helper_macro_attaches_no_helper() {
    let model = |audit: bool| {
        format!(
            "[firewall]\nconntrack_helpers = false\n[zones.net]\n[zones.loc]\n\
             [interfaces.eth0]\nzone = \"net\"\n[interfaces.eth1]\nzone = \"loc\"\n\
             [[policy]]\nsource = \"all\"\ndest = \"all\"\naction = \"REJECT\"\n\
             [[rule]]\naction = \"ACCEPT\"\nmacro = \"FTP\"\nsource = \"loc\"\ndest = \"net\"\naudit = {audit}\n"
        )
    };
    let id = std::process::id();
    let plain = rendered(&model(false), &format!("helper-plain-{id}"));
    assert!(plain.contains("ct helper set"), "{plain}");
    let audited = rendered(&model(true), &format!("helper-audited-{id}"));
    assert!(!audited.contains("ct helper set"), "{audited}");
    assert!(audited.contains("log level audit accept"), "{audited}");
}

/// The stock macros whose helper sits on one line of several (SMB's
/// `udp 137 { helper=netbios-ns }`, IPMI's through SNMP) are refused under
/// conntrack_helpers = false, where fwgen would attach the helper to the
/// whole rule; but an audited call attaches none (Rules.pm: HELPER is set
/// in ACCEPT's entry of `%functions` alone), so it is taken: `shorewall
/// compile` takes `SMB(A_ACCEPT)` and writes no `CT --helper`, and the
/// nftables ruleset sets no helper either.
#[test]
fn an_audited_call_of_a_macro_with_a_helper_line_is_taken() {
    common::require_tool("shorewall", "shorewall");
    for name in ["IPMI", "SMB", "SMBBI", "Amanda", "PPtP"] {
        let dir = common::scratch(&format!("helper-line-{name}"));
        let model = dir.join("fwgen.toml");
        std::fs::write(
            &model,
            format!(
                "[firewall]\nconntrack_helpers = false\n[zones.net]\n[zones.loc]\n\
                 [interfaces.eth0]\nzone = \"net\"\n[interfaces.eth1]\nzone = \"loc\"\n\
                 [[policy]]\nsource = \"all\"\ndest = \"all\"\naction = \"REJECT\"\n\
                 [[rule]]\naction = \"ACCEPT\"\nmacro = \"{name}\"\nsource = \"loc\"\n\
                 dest = \"net\"\naudit = true\n"
            ),
        )
        .unwrap();
        let model = model.to_str().unwrap();
        let nft = common::fwgen_stdout(&["render", "--backend", "nftables", "-c", model]);
        assert!(!nft.contains("ct helper set"), "{name}: {nft}");
        assert!(nft.contains("log level audit accept"), "{name}: {nft}");
        let out = dir.join("out");
        std::fs::create_dir_all(&out).unwrap();
        let out_text = out.to_str().unwrap();
        common::fwgen_stdout(&[
            "render",
            "--backend",
            "shorewall",
            "-c",
            model,
            "--out",
            out_text,
            "--yes",
        ]);
        let config = out.join("shorewall");
        let rules = std::fs::read_to_string(config.join("rules")).unwrap();
        assert!(
            rules.contains(&format!("{name}(A_ACCEPT)")),
            "{name}: {rules}"
        );
        let script = common::shorewall_compile("shorewall", &config, &dir.join("firewall"));
        assert!(!script.contains("CT --helper"), "{name}: {script}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A policy of one family has a syn-flood chain named for it
/// (`synflood-fw-all-ipv6`); its limits' sets carry the family once.
#[test]
fn a_one_family_policys_limit_sets_name_the_family_once() {
    let model = r#"
[zones.net]
family = "both"

[interfaces.eth0]
zone = "net"

[[policy]]
source = "$FW"
dest = "all"
action = "ACCEPT"
family = "ipv6"
rate = "20/second"
rate_per = "source"
connlimit = 2
connlimit_per = "dest"

[[policy]]
source = "all"
dest = "all"
action = "REJECT"
"#;
    let text = rendered(model, "one-family-limits.toml");
    for set in ["rate-synflood-fw-all-ipv6", "conn-synflood-fw-all-ipv6"] {
        assert!(
            text.contains(&format!("set {set} {{")),
            "no set {set} in\n{text}"
        );
    }
    assert!(!text.contains("ipv6-ipv6"), "{text}");
}

/// Beside a blacklist, a wildcard's options are the zone pairs' (Chains.pm
/// add_interface_options), its sfilter too: what no hosts entry of the
/// wildcard's interface claims meets FORWARD's catch-all, not the sfilter
/// (tests/models/manual-hosts-wildcard-sfilter.toml with one blacklist
/// entry: Shorewall's `ppp+_fwd` holds only the hosts' dispatch then).
#[test]
fn beside_a_blacklist_no_wildcard_sfilter_decides_an_unclaimed_address() {
    let path = common::root().join("tests/models/manual-hosts-wildcard-sfilter.toml");
    let text = std::fs::read_to_string(path).unwrap()
        + "\n[[blacklist]]\naction = \"DROP\"\nsource = \"net:198.51.100.96/28\"\ndest = \"all\"\n";
    let dir = common::root().join("target/test-scratch/unclaimed-beside-blacklist");
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("fwgen.toml");
    std::fs::write(&model, text).unwrap();
    let args = ["--from", "net:198.51.100.7", "--to", "ppp+:203.0.113.9"];
    let trace = explain_model(model.to_str().unwrap(), &args);
    assert!(trace.starts_with("verdict: REJECT"), "{trace}");
    assert!(!trace.contains("sfilter"), "{trace}");
}

/// The catch-all of FORWARD is one end for both families only where the
/// two do the same: a default action of one family's policy alone
/// (Shorewall6's `Multicast(DROP)` before REJECT) ends IPv6's, not IPv4's.
#[test]
fn families_whose_catch_alls_differ_in_default_actions_end_apart() {
    let model = r#"
[zones.net]
family = "both"
[zones.loc]
family = "both"
[interfaces.eth0]
zone = "net"
[interfaces.eth1]
zone = "loc"
[[policy]]
source = "all"
dest = "all"
action = "REJECT"
family = "ipv4"
default_action = []
[[policy]]
source = "all"
dest = "all"
action = "REJECT"
family = "ipv6"
default_action = ["Multicast(DROP)"]
"#;
    let text = rendered(model, "catch-all-defaults");
    // The catch-alls (INPUT, FORWARD, OUTPUT) carry no policy comment.
    for end in [
        "\t\tmeta nfproto ipv4 jump rejection\n",
        "\t\tmeta nfproto ipv6 jump multicast\n",
        "\t\tmeta nfproto ipv6 jump rejection\n",
    ] {
        assert_eq!(text.matches(end).count(), 3, "{end:?} in\n{text}");
    }
}

/// A connection limit over an address list is one kernel rule, and one
/// count, per address (Shorewall's iptables rule per address, each with
/// its own connlimit), where a per-source rate keeps one set for the
/// list (Shorewall names one hashlimit table for the line); addresses
/// left out from a network are checked after the limit (Shorewall's
/// exclusion chain after `-m connlimit`).
#[test]
fn a_connection_limit_counts_per_listed_address_and_a_per_source_rate_does_not() {
    let model = r#"
[zones.net]

[interfaces.eth0]
zone = "net"

[[policy]]
source = "all"
dest = "all"
action = "DROP"

[[rule]]
action = "ACCEPT"
source = "net:192.0.2.1,192.0.2.2"
dest = "$FW"
proto = "tcp"
dport = 22
connlimit = 2

[[rule]]
action = "ACCEPT"
source = "net:192.0.2.1,192.0.2.2"
dest = "$FW"
proto = "tcp"
dport = 23
rate = "3/minute"
rate_per = "source"

[[rule]]
action = "ACCEPT"
source = "net:192.0.2.0/24!192.0.2.9"
dest = "$FW"
proto = "tcp"
dport = 24
connlimit = 2
"#;
    let text = rendered(model, "limit-over-list.toml");
    let ssh: Vec<&str> = text.lines().filter(|l| l.contains("dport 22 ")).collect();
    assert_eq!(ssh.len(), 2, "{text}");
    assert!(
        ssh[0].contains("ip saddr 192.0.2.1 ") && ssh[1].contains("ip saddr 192.0.2.2 "),
        "{ssh:?}"
    );
    assert_ne!(
        ssh[0].split('@').nth(1).map(|s| s.split(' ').next()),
        ssh[1].split('@').nth(1).map(|s| s.split(' ').next()),
        "one count for both addresses: {ssh:?}"
    );
    let telnet: Vec<&str> = text.lines().filter(|l| l.contains("dport 23 ")).collect();
    assert_eq!(telnet.len(), 1, "{text}");
    assert!(
        telnet[0].contains("ip saddr { 192.0.2.1, 192.0.2.2 }"),
        "{telnet:?}"
    );
    let left_out = text.lines().find(|l| l.contains("dport 24 ")).unwrap();
    let (count, excluded) = (
        left_out.find("ct count").unwrap(),
        left_out.find("!= 192.0.2.9").unwrap(),
    );
    assert!(
        count < excluded,
        "the left-out address before the count: {left_out}"
    );
}

/// A limited rule's matches come in the order of Shorewall's iptables
/// rule (Rules.pm, Chains.pm expand_rule): an ORIGDEST list is a rule per
/// address, outermost, and after the protocol come the rate limit, the
/// owner, the connection limit, the time and the ipset, so a packet the
/// owner, the time or the set turns away has spent the bucket already.
/// Read from `shorewall compile` of the same model beside fwgen's nft.
#[test]
fn a_limited_rules_matches_keep_shorewalls_order() {
    let model_text = r#"
[zones.net]
[zones.loc]
[interfaces.eth0]
zone = "net"
[interfaces.eth1]
zone = "loc"
networks = ["192.168.1.0/24"]
[[policy]]
source = "all"
dest = "all"
action = "REJECT"
[[ipset]]
name = "peers"
family = "ipv4"
elements = ["198.51.100.0/24"]
[[rule]]
action = "ACCEPT"
source = "$FW"
dest = "net:+peers"
proto = "tcp"
dport = 22
rate = "3/minute"
connlimit = 2
user = "root"
time_start = "08:00"
time_stop = "18:00"
origdest = ["198.51.100.1", "198.51.100.2"]
"#;
    let nft = rendered(model_text, "limited-order");
    let script = compiled("limited-order");
    let order = |line: &str, words: &[&str]| -> Vec<usize> {
        words
            .iter()
            .map(|w| line.find(w).unwrap_or_else(|| panic!("no {w} in {line}")))
            .collect()
    };
    let iptables: Vec<&str> = script
        .lines()
        .filter(|l| l.contains("--dport 22 "))
        .collect();
    let kernel: Vec<&str> = nft.lines().filter(|l| l.contains("dport 22 ")).collect();
    assert_eq!(iptables.len(), 2, "{iptables:?}");
    assert_eq!(kernel.len(), iptables.len(), "{kernel:?}");
    for (n, (shorewall, fwgen)) in iptables.iter().zip(&kernel).enumerate() {
        let address = format!("198.51.100.{}", n + 1);
        assert!(
            shorewall.contains(&format!("--ctorigdst {address} ")),
            "{shorewall}"
        );
        assert!(
            fwgen.contains(&format!("ct original ip daddr {address} ")),
            "{fwgen}"
        );
        let shorewall = order(
            shorewall,
            &[
                "--ctorigdst",
                "--dport",
                "-m limit",
                "--uid-owner",
                "-m connlimit",
                "-m time",
                "--match-set",
            ],
        );
        let fwgen = order(
            fwgen,
            &[
                "ct original",
                "dport",
                "limit rate",
                "meta skuid",
                "ct count",
                "meta hour",
                "@peers",
            ],
        );
        assert!(
            shorewall.is_sorted(),
            "Shorewall's order changed: {shorewall:?}"
        );
        assert!(fwgen.is_sorted(), "not Shorewall's order: {}", kernel[n]);
    }
}

/// NONAT from `all` to a zone leaves that zone's own connections alone,
/// as Rules.pm expands `all` (no zone's traffic to itself), in both
/// backends: fwgen's Shorewall files say so as `all!loc` (a DEST zone
/// would be warned about and ignored in NONAT's DEST), and nftables
/// matches no loc interface. Before, the Shorewall files wrote `all` and
/// `-`, so Shorewall exempted loc's connections too.
#[test]
fn nonat_from_all_to_a_zone_leaves_that_zones_connections_to_the_port_forward() {
    let model_text = r#"
[zones.net]
[zones.loc]
[zones.dmz]
[interfaces.eth0]
zone = "net"
[interfaces.eth1]
zone = "loc"
networks = ["192.168.1.0/24"]
[interfaces.eth2]
zone = "dmz"
networks = ["192.168.2.0/24"]
[[policy]]
source = "all"
dest = "all"
action = "REJECT"
[[rule]]
action = "NONAT"
source = "all"
dest = "loc"
proto = "tcp"
dport = 25
[[dnat]]
source = "all"
dest = "dmz"
to = "192.168.2.5"
proto = "tcp"
dport = 25
"#;
    let nft = rendered(model_text, "nonat-all-zone");
    let exemptions: Vec<&str> = nft
        .lines()
        .filter(|l| l.contains("dport 25") && l.trim_end().contains(" accept"))
        .collect();
    assert!(!exemptions.is_empty(), "{nft}");
    assert!(
        exemptions.iter().all(|l| !l.contains("\"eth1\"")),
        "{exemptions:?}"
    );
    let script = compiled("nonat-all-zone");
    let exempt = |chain: &str| script.contains(&format!("-A {chain} -p 6 --dport 25 -j ACCEPT"));
    assert!(exempt("net_dnat") && exempt("dmz_dnat"), "{script}");
    assert!(
        !exempt("loc_dnat"),
        "loc's own connections exempted: {script}"
    );
}

/// A port forward's plain rate over an ORIGDEST list is a bucket per
/// address: Shorewall writes one DNAT rule per address of the list, each
/// with its own `-m limit` (checked here with `shorewall compile` of
/// fwgen's own files), and the nftables ruleset one nat rule per address,
/// each with its own limit. It had one limit over the set, which let half
/// the rate through (found by review). A per-source rate is one
/// hashlimit table the rules share, and stays one set.
#[test]
fn a_port_forwards_rate_over_an_origdest_list_is_a_bucket_per_address() {
    common::require_tool("shorewall", "shorewall");
    let model = r#"
[zones.net]
[zones.loc]

[interfaces.eth0]
zone = "net"

[interfaces.eth1]
zone = "loc"

[[policy]]
source = "all"
dest = "all"
action = "DROP"

[[dnat]]
source = "net"
dest = "loc"
to = "10.0.0.5"
proto = "tcp"
dport = "80"
origdest = ["198.51.100.1", "198.51.100.2"]
rate = "5/second"
rate_burst = 10

[[dnat]]
source = "net"
dest = "loc"
to = "10.0.0.6"
proto = "tcp"
dport = "81"
origdest = ["198.51.100.1", "198.51.100.2"]
rate = "5/second"
rate_per = "source"
"#;
    let name = "dnat-rate-origdest.toml";
    let text = rendered(model, name);
    let web: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("dport 80 ") && l.contains("dnat ip to"))
        .collect();
    assert_eq!(web.len(), 2, "{text}");
    for (line, address) in web.iter().zip(["198.51.100.1", "198.51.100.2"]) {
        assert!(
            line.contains(&format!("ip daddr {address} "))
                && line.contains("limit rate 5/second burst 10 packets"),
            "{web:?}"
        );
    }
    // A per-source rate: one set for both addresses, as Shorewall's two
    // DNAT rules share one hashlimit table (found by review: fwgen had
    // split it, a budget per address).
    let sets: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("dport 81 ") && l.contains("dnat ip to"))
        .filter_map(|l| l.split('@').nth(1)?.split(' ').next())
        .collect();
    assert_eq!(sets.len(), 1, "{text}");
    let compiled = compiled(name);
    let tables: Vec<&str> = (compiled.lines())
        .filter(|l| l.contains("--dport 81 ") && l.contains("-j DNAT"))
        .filter_map(|l| l.split("--hashlimit-name ").nth(1)?.split(' ').next())
        .collect();
    assert!(
        tables.len() == 2 && tables[0] == tables[1],
        "Shorewall's per-source rate is one hashlimit table for both addresses: {tables:?}\n{compiled}"
    );
    for address in ["198.51.100.1", "198.51.100.2"] {
        assert!(
            compiled
                .lines()
                .any(|l| l.contains(&format!("-d {address} "))
                    && l.contains("--dport 80 ")
                    && l.contains("-m limit --limit 5/sec --limit-burst 10")
                    && l.contains("-j DNAT")),
            "no DNAT rule with its own limit for {address}:\n{compiled}"
        );
    }
}

/// A rule's helper follows its ORIGDEST and USER (found by review: Rules.pm
/// hands handle_helper_rule the ORIGDEST in DEST's place and the USER
/// column, so Raw.pm's `CT --helper` rule tests them, where fwgen's
/// `ct helper set` watched every FTP connection from the source): fwgen's
/// nft, and Shorewall's compile of fwgen's own files.
#[test]
fn a_rules_helper_follows_its_origdest_and_user() {
    common::require_tool("shorewall", "shorewall");
    let model = r#"
[firewall]
conntrack_helpers = false

[zones.net]
[zones.loc]

[interfaces.eth0]
zone = "net"

[interfaces.eth1]
zone = "loc"
networks = ["192.168.1.0/24"]

[[policy]]
source = "all"
dest = "all"
action = "DROP"

[[rule]]
macro = "FTP"
action = "ACCEPT"
source = "net"
dest = "loc:192.168.1.5"
origdest = ["203.0.113.4"]

[[rule]]
macro = "FTP"
action = "ACCEPT"
source = "$FW"
dest = "net"
user = "0"
"#;
    let name = "rule-helper-origdest-user.toml";
    let text = rendered(model, name);
    let helpers: Vec<&str> = (text.lines())
        .filter(|l| l.contains("ct helper set \"ftp-21\""))
        .collect();
    assert!(
        helpers.len() == 2
            && helpers[0].contains("ct original ip daddr 203.0.113.4 ")
            && helpers[1].contains("meta skuid 0 "),
        "{helpers:#?}\n{text}"
    );
    let compiled = compiled(name);
    for test in ["-d 203.0.113.4 ", "--uid-owner 0 "] {
        assert!(
            compiled
                .lines()
                .any(|l| l.contains(test) && l.contains("-j CT --helper ftp")),
            "Shorewall's helper rule tests `{test}`:\n{compiled}"
        );
    }
}

/// A plain rate or a connection limit over more than 15 ports is a bucket
/// (a count) per 15 of them (found by review: Chains.pm handle_port_list
/// writes one iptables rule per multiport part, each with its own `-m
/// limit` and connlimit, where fwgen's one nft rule had one bucket for
/// the whole list): fwgen's nft, and Shorewall's compile of its files.
#[test]
fn a_limit_over_a_long_port_list_is_one_per_multiport_part() {
    common::require_tool("shorewall", "shorewall");
    let model = r#"
[zones.net]

[interfaces.eth0]
zone = "net"

[[policy]]
source = "all"
dest = "all"
action = "DROP"

[[rule]]
action = "ACCEPT"
source = "net"
dest = "$FW"
proto = "tcp"
dport = "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17"
rate = "3/minute"
rate_burst = 4

[[rule]]
action = "ACCEPT"
source = "net"
dest = "$FW"
proto = "udp"
dport = "1:2,3:4,5:6,7:8,9:10,11:12,13:14,15:16"
connlimit = 2
"#;
    let name = "limit-long-port-list.toml";
    let text = rendered(model, name);
    let rated: Vec<&str> = (text.lines())
        .filter(|l| l.contains("limit rate 3/minute burst 4 packets"))
        .collect();
    assert!(
        rated.len() == 2
            && rated[0].contains("tcp dport { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 }")
            && rated[1].contains("tcp dport { 16, 17 }"),
        "{rated:#?}\n{text}"
    );
    let counted: Vec<&str> = (text.lines())
        .filter(|l| l.contains("ct count 2"))
        .collect();
    assert!(
        counted.len() == 2 && counted[0] != counted[1] && counted[1].contains("udp dport 15-16"),
        "{counted:#?}\n{text}"
    );
    let compiled = compiled(name);
    let limits = (compiled.lines())
        .filter(|l| l.contains("-m limit --limit 3/min --limit-burst 4"))
        .count();
    let counts = (compiled.lines())
        .filter(|l| l.contains("--connlimit-above 2"))
        .count();
    assert_eq!((limits, counts), (2, 2), "{compiled}");
}

/// A rule's helper keeps its packets tracked past an entry without a
/// source (helper-223): Shorewall compiles the zone's `CT --helper` into
/// its raw chain, jumped to ahead of the FORMAT 3 lines, and the first
/// CT target wins. fwgen's chain held the returns for the zone's helpers
/// only where the zone had entries of its own, and dropped them
/// otherwise, so TFTP from the internet was left untracked, without its
/// helper. fwgen's nft, and Shorewall's compile of fwgen's own files.
#[test]
fn a_rules_helper_comes_before_an_entry_without_a_source() {
    common::require_tool("shorewall", "shorewall");
    let model = r#"
[firewall]
conntrack_helpers = false

[zones.net]

[interfaces.eth0]
zone = "net"

[[policy]]
source = "all"
dest = "all"
action = "DROP"

[[rule]]
action = "ACCEPT"
source = "net"
dest = "$FW"
proto = "udp"
dport = 69
helper = "tftp"

[[conntrack]]
action = "notrack"
proto = "udp"
dport = 69
"#;
    let name = "rule-helper-before-notrack.toml";
    let text = rendered(model, name);
    let chain = chain_body(&text, "notrack-prerouting");
    assert_before(chain, "udp dport 69 return", "udp dport 69 notrack");
    let compiled = compiled(name);
    // Shorewall attaches the helper first: net_ctrk, which holds it, is
    // jumped to first.
    assert!(
        compiled.contains("-A net_ctrk -p 17 --dport 69 -j CT --helper tftp"),
        "{compiled}"
    );
    assert_before(
        &compiled,
        "-A PREROUTING -i eth0 -j net_ctrk",
        "-A PREROUTING -p 17 --dport 69 -j CT --notrack",
    );
}

/// A nested zone's RETURN in nat PREROUTING holds its hosts entry's
/// networks as written (helper-225): Misc.pm add_prerouting_jumps writes
/// `-s 10.1.0.0/16 -j RETURN` for `10.1.0.0/16!10.1.128.0/17`, without
/// the exclusion its own dnat jump has, so net's port forward passes over
/// 10.1.128.0/17 too, which stays net's zone. fwgen returned the carved
/// networks and forwarded 10.1.200.5's connection to port 80, which
/// Shorewall leaves to the firewall's DROP policy; each entry keeps its
/// own networks, on its own interface (review-227: an entry on eth2 of
/// the first one's carved networks got the first one's). fwgen's nft, and
/// Shorewall's compile of fwgen's own files.
#[test]
fn a_nested_zones_nat_return_holds_its_networks_as_written() {
    common::require_tool("shorewall", "shorewall");
    let model = r#"
[zones.net]

[zones.sub]
parent = "net"
hosts = [
    { interface = "eth0", networks = ["10.1.0.0/16"], except = ["10.1.128.0/17"] },
    { interface = "eth2", networks = ["10.1.0.0/17"] },
]

[zones.loc]

[interfaces.eth0]
zone = "net"

[interfaces.eth2]
zone = "net"

[interfaces.eth1]
zone = "loc"
networks = ["192.168.1.0/24"]

[[policy]]
source = "all"
dest = "all"
action = "DROP"

[[dnat]]
source = "net"
dest = "loc"
to = "192.168.1.5"
proto = "tcp"
dport = 80
"#;
    let name = "nested-nat-return-exclusion.toml";
    let text = rendered(model, name);
    let chain = chain_body(&text, "nat-prerouting");
    // The second entry, on eth2, carves to the first's networks: each
    // keeps its own.
    for returned in [
        "iifname \"eth0\" ip saddr 10.1.0.0/16 accept",
        "iifname \"eth2\" ip saddr 10.1.0.0/17 accept",
    ] {
        assert_before(chain, returned, "dnat ip to 192.168.1.5");
    }
    let compiled = compiled(name);
    for returned in [
        "-A PREROUTING -i eth0 -s 10.1.0.0/16 -j RETURN\n",
        "-A PREROUTING -i eth2 -s 10.1.0.0/17 -j RETURN\n",
    ] {
        assert!(
            compiled.contains(returned),
            "Shorewall's RETURN:\n{compiled}"
        );
    }
}

/// A policy's syn-flood chain logs under LOGLIMIT, and without one under
/// 5 a minute, burst 5 (helper-226: Rules.pm setup_syn_flood_chains,
/// `[ limit => "--limit 5/min --limit-burst 5" ]` where LOGILIMIT is
/// empty): fwgen logged every dropped SYN, which a flood turns into a
/// flood of the log. fwgen's nft, and Shorewall's compile of fwgen's own
/// files.
#[test]
fn a_syn_flood_chain_logs_under_shorewalls_own_limit_without_a_log_limit() {
    common::require_tool("shorewall", "shorewall");
    let model = r#"
[firewall]
log_limit = "none"

[zones.net]

[interfaces.eth0]
zone = "net"

[[policy]]
source = "net"
dest = "$FW"
action = "ACCEPT"
log = "info"
rate = "10/second"
rate_burst = 5

[[policy]]
source = "all"
dest = "all"
action = "DROP"
"#;
    let name = "synflood-log-limit.toml";
    let text = rendered(model, name);
    let chain: Vec<&str> = chain_body(&text, "synflood-net-fw").lines().collect();
    let logs: Vec<&&str> = chain.iter().filter(|l| l.contains(" log prefix")).collect();
    assert!(
        logs.len() == 1 && logs[0].contains("limit rate 5/minute burst 5 packets log prefix"),
        "{chain:#?}"
    );
    let compiled = compiled(name);
    assert!(
        compiled
            .lines()
            .any(|l| l.starts_with("-A @net-fw ")
                && l.contains("--limit 5/min --limit-burst 5 -j LOG")),
        "Shorewall's syn-flood log:\n{compiled}"
    );
}

/// Every chain named `A-B` of one `-` that is not a zone pair's is one of
/// fwgen's own `WORD-HOOK` chains (or one of a reserved zone name's, as
/// `in-eth0` and `options-in`), so
/// that the zone names the analyzer refuses (`zone-chain-taken`,
/// `fwgen::ruleset::OWN_CHAIN_WORDS`) are all that can make a pair's
/// chain take one of their names (helper-234: nft merged them).
#[test]
fn a_zone_pairs_chain_name_never_meets_fwgens_own() {
    use fwgen::ruleset::{HOOK_WORDS, OWN_CHAIN_WORDS};
    let mut own = std::collections::BTreeSet::new();
    for path in every_model() {
        let (_, model) = load(&common::root().join(&path)).unwrap();
        let mut zones: Vec<&str> = model.zones.iter().map(|z| z.name.as_str()).collect();
        zones.push(&model.firewall.zone);
        for chain in &lower(&model).chains {
            let Some((first, second)) = chain.name.split_once('-') else {
                continue;
            };
            let pair = zones.contains(&first) && zones.contains(&second);
            let reserved = |name: &str| ["in", "fwd", "out"].contains(&name);
            if second.contains('-') || pair || reserved(first) || reserved(second) {
                continue;
            }
            assert!(
                OWN_CHAIN_WORDS.contains(&first) && HOOK_WORDS.contains(&second),
                "{path}: chain `{}` is named like a zone pair's",
                chain.name
            );
            own.insert(chain.name.clone());
        }
    }
    // The models make the chains the list names.
    for word in OWN_CHAIN_WORDS {
        assert!(
            own.iter().any(|c| c.starts_with(&format!("{word}-"))),
            "{own:?}"
        );
    }
}

/// Shorewall's sfilter is first in an interface's forward chain (Misc.pm
/// counts its jump among the chain's `filtered` rules at its head), ahead
/// of the tcpflags jump: a SYN+FIN packet sent back out of the interface
/// it came in on is dropped by sfilter, where fwgen's tcpflags decided it
/// first, rejected with TCP_FLAGS_DISPOSITION=REJECT (and accepted with
/// ACCEPT; helper-258).
#[test]
fn the_sfilter_comes_before_the_interface_options_in_the_forward_chain() {
    let model = "[firewall]\ntcp_flags_disposition = \"REJECT\"\ninvalid_disposition = \"CONTINUE\"\n\n\
        [zones.net]\n[zones.loc]\n\n\
        [interfaces.eth0]\nzone = \"net\"\n\n\
        [interfaces.eth1]\nzone = \"loc\"\noptions = [\"tcpflags\", \"nosmurfs\"]\n\n\
        [interfaces.eth3]\nzone = \"loc\"\n\n\
        [[policy]]\nsource = \"loc\"\ndest = \"net\"\naction = \"ACCEPT\"\n\n\
        [[policy]]\nsource = \"all\"\ndest = \"all\"\naction = \"REJECT\"\n";
    let nft = rendered(model, "sfilter-first");
    let chain = chain_body(&nft, "fwd-eth1");
    assert_before(chain, "interface eth1 sfilter", "interface eth1 nosmurfs");
    assert_before(chain, "interface eth1 sfilter", "interface eth1 tcpflags");
    let script = compiled("sfilter-first");
    let forward: Vec<&str> = (script.lines())
        .filter(|l| l.starts_with("-A eth1_fwd "))
        .collect();
    assert!(
        forward
            .first()
            .is_some_and(|l| l.contains("-o eth1 -g sfilter")),
        "Shorewall's eth1_fwd: {forward:#?}"
    );
}
