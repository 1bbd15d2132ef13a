//! The `[firewall]` settings in the lowered ruleset, where `explain` and
//! `check` read them: each rule they make names its setting.

mod common;

use std::process::Command;

use fwgen::load::compile;
use fwgen::model::{ClampMss, Families, Model};
use fwgen::ruleset::lower::lower;
use fwgen::ruleset::{Hook, Match, Origin, Priority, Statement};
use fwgen::source::Source;

fn model(name: &str) -> Model {
    let path = format!("tests/models/{name}.toml");
    let text = std::fs::read_to_string(common::root().join(&path)).unwrap();
    compile(&Source::new(&path, text)).unwrap_or_else(|f| panic!("{}", f.render()))
}

#[test]
fn clamp_mss_is_a_mangle_priority_forward_chain() {
    let mut model = model("firewall-settings");
    let ruleset = lower(&model);
    let chain = ruleset.chain("mangle-forward").expect("mangle-forward");
    let base = chain.base.expect("a base chain");
    assert_eq!(
        (base.hook, base.priority),
        (Hook::Forward, Priority::Mangle)
    );
    assert_eq!(chain.rules.len(), 1);
    assert_eq!(chain.rules[0].origin, Origin::Setting("clamp_mss"));
    assert_eq!(
        chain.rules[0].statements,
        vec![Statement::SetMss(ClampMss::RouteMtu)]
    );
    // The forward chain that decides is still the filter one.
    let decides = ruleset.base(Hook::Forward, fwgen::ruleset::ChainType::Filter);
    assert_eq!(decides.map(|c| c.name.as_str()), Some("forward"));
    model.firewall.clamp_mss = Families::both(Some(ClampMss::Size(1400)));
    let ruleset = lower(&model);
    let rule = &ruleset.chain("mangle-forward").unwrap().rules[0];
    assert!(rule.matches.contains(&Match::MssAtLeast(1400)), "{rule:?}");
    model.firewall.clamp_mss = Families::both(None);
    assert!(lower(&model).chain("mangle-forward").is_none());
}

/// route_filter filters eth0, which has no routefilter option, strictly
/// (the setting's rule), and leaves eth1's own `routefilter=2` loose.
#[test]
fn route_filter_reaches_every_interface() {
    let model = model("firewall-settings");
    let ruleset = lower(&model);
    let prerouting = ruleset.chain("prerouting").expect("prerouting");
    let origins: Vec<Origin> = prerouting.rules.iter().map(|r| r.origin).collect();
    assert!(
        origins.contains(&Origin::Setting("route_filter")),
        "{origins:?}"
    );
    assert!(
        origins.contains(&Origin::InterfaceOption {
            interface: 1,
            option: "routefilter"
        }),
        "{origins:?}"
    );
    let loose = prerouting.rules.iter().any(|r| {
        r.origin != Origin::Setting("route_filter")
            && r.matches
                .contains(&Match::Fib(fwgen::ruleset::Fib::NoRouteBackLoose))
    });
    assert!(loose, "eth1 stays loose");
}

#[test]
fn explain_names_ip_forwarding_off() {
    let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .args([
            "explain",
            "-c",
            "tests/models/forwarding-off.toml",
            "--from",
            "loc",
            "--to",
            "net",
            "--dport",
            "80",
        ])
        .current_dir(common::root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("verdict: DROP"), "{stdout}");
    assert!(
        stdout.contains("decided by: firewall ip_forwarding off: nothing is forwarded"),
        "{stdout}"
    );
    let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .args([
            "explain",
            "-c",
            "tests/models/forwarding-off.toml",
            "--from",
            "net",
            "--to",
            "$FW",
            "--dport",
            "22",
        ])
        .current_dir(common::root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("verdict: ACCEPT"),
        "the firewall's own traffic is as before: {stdout}"
    );
}

/// Issue #15: tcpflags' disposition, as Shorewall's Misc.pm compiles it:
/// REJECT alone answers as iptables' bare REJECT (ICMP port unreachable);
/// with TCP_FLAGS_LOG_LEVEL the `logflags` chain logs and answers with a
/// TCP reset; ACCEPT accepts.
#[test]
fn tcp_flags_disposition_and_log_level() {
    use fwgen::model::{Disposition, LogLevel};
    use fwgen::ruleset::{Reject, Verdict};
    let mut model = model("dispositions");
    // Without the log limit a logging rule stays one rule.
    model.firewall.log_limit = None;
    let last = |model: &Model| {
        let ruleset = lower(model);
        let chain = ruleset.chain("tcpflags").expect("tcpflags");
        assert_eq!(chain.rules.len(), 7);
        chain.rules[0].statements.clone()
    };
    assert_eq!(
        last(&model),
        vec![Statement::Reject(Reject::PortUnreachable)]
    );
    model.firewall.tcp_flags_log = fwgen::model::Families::both(Some(LogLevel::Info));
    let logged = last(&model);
    assert!(
        matches!(&logged[0], Statement::Log { prefix, ip_options: true, .. } if prefix == "Shorewall:logflags:REJECT:"),
        "{logged:?}"
    );
    assert_eq!(
        logged.last(),
        Some(&Statement::Reject(Reject::TcpReset)),
        "{logged:?}"
    );
    // Misc.pm's `--log-ip-options` goes with LOG alone: NFLOG takes no
    // flag, and nft refuses `log group 0 flags ip options`.
    let nflog = LogLevel::read("NFLOG(5)").unwrap();
    model.firewall.tcp_flags_log = fwgen::model::Families::both(Some(nflog));
    let logged = last(&model);
    assert!(
        matches!(
            &logged[0],
            Statement::Log {
                ip_options: false,
                ..
            }
        ),
        "{logged:?}"
    );
    model.firewall.tcp_flags_log = fwgen::model::Families::both(Some(LogLevel::Info));
    model.firewall.dispositions.tcp_flags = fwgen::model::Families::both(Disposition::Accept);
    assert_eq!(
        last(&model).last(),
        Some(&Statement::Verdict(Verdict::Accept))
    );
}

/// Issue 15: settings per family. IPv6's forwarding off drops IPv6 alone
/// first in the forward chain, apply sets each family's sysctl by its own
/// setting, and only IPv6's smurfs are logged.
#[test]
fn forwarding_and_smurf_log_per_family() {
    use fwgen::model::Forwarding;
    use fwgen::ruleset::Family;
    let mut model = model("family-settings");
    let ruleset = lower(&model);
    let forward = ruleset.chain("forward").expect("forward");
    let first = &forward.rules[0];
    assert_eq!(first.origin, Origin::Setting("ip_forwarding_ipv6"));
    assert_eq!(first.matches, vec![Match::Family(Family::Ipv6)]);
    let sysctls: Vec<(&str, String)> = fwgen::apply::forwarding(&model)
        .into_iter()
        .map(|s| (s.key, s.value))
        .collect();
    assert_eq!(
        sysctls,
        [
            ("net.ipv4.ip_forward", "1".to_owned()),
            ("net.ipv6.conf.all.forwarding", "0".to_owned())
        ]
    );
    let smurfs = ruleset.chain("smurfs").expect("smurfs");
    let logged = |family: Family| {
        smurfs.rules.iter().any(|rule| {
            rule.statements
                .iter()
                .any(|s| matches!(s, Statement::Log { .. }))
                && rule.matches.iter().any(|m| {
                    matches!(m, Match::Address { family: f, .. } | Match::Family(f) if *f == family)
                })
        })
    };
    assert!(logged(Family::Ipv6) && !logged(Family::Ipv4));
    // IPv4's forwarding kept: no sysctl for it, and nothing dropped for it.
    model.firewall.ip_forwarding.ipv4 = Some(Forwarding::Keep);
    let sysctls = fwgen::apply::forwarding(&model);
    assert_eq!(sysctls.len(), 1);
    assert_eq!(sysctls[0].key, "net.ipv6.conf.all.forwarding");
    // Both off: one rule drops everything, as `ip_forwarding = "off"`.
    model.firewall.ip_forwarding.ipv4 = Some(Forwarding::Off);
    let ruleset = lower(&model);
    let first = &ruleset.chain("forward").expect("forward").rules[0];
    assert_eq!(first.matches, vec![]);
}

/// Issue 15: explain names the family's forwarding: loc's IPv6 to net
/// meets `ip_forwarding_ipv6 = "off"`, its IPv4 the policy.
#[test]
fn explain_names_one_familys_forwarding_off() {
    let explain = |from: &str, to: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .args(["explain", "-c", "tests/models/family-settings.toml"])
            .args(["--from", from, "--to", to, "--dport", "80"])
            .current_dir(common::root())
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let six = explain("loc:fd61:2::5", "net:2001:db8::1");
    assert!(
        six.contains("verdict: DROP\n")
            && six.contains(
                "decided by: firewall ip_forwarding_ipv6 off: no IPv6 packet is forwarded"
            ),
        "{six}"
    );
    let four = explain("loc:10.61.0.5", "net:192.0.2.1");
    assert!(
        four.contains("verdict: ACCEPT\n") && !four.contains("ip_forwarding"),
        "{four}"
    );
}

/// Issue 15: family-dispositions's related disposition differs by family
/// (IPv4 ACCEPT, IPv6 DROP). Unlogged, each family's `ct state vmap`
/// holds its own; logged (`related_log`), the state leaves both maps and
/// each zone pair chain decides it with one rule per family, each logged
/// with its own disposition's word and ending in it.
#[test]
fn related_disposition_per_family_in_the_maps_and_the_pair_chains() {
    use fwgen::model::{Families, LogLevel};
    use fwgen::ruleset::{CtState, Family, MapValue, Verdict};
    let mut model = model("family-dispositions");
    // Each state map's matches, and its states with their verdicts.
    type StateMap = (Vec<Match>, Vec<(CtState, Verdict)>);
    let maps = |model: &Model| -> Vec<StateMap> {
        let ruleset = lower(model);
        let input = ruleset.chain("input").expect("input");
        input
            .rules
            .iter()
            .filter_map(|rule| match rule.statements.first() {
                Some(Statement::Map { elements, .. })
                    if elements
                        .iter()
                        .any(|e| e.key == vec![MapValue::State(CtState::Established)]) =>
                {
                    let states = elements
                        .iter()
                        .filter_map(|e| match e.key.as_slice() {
                            [MapValue::State(state)] => Some((*state, e.verdict.clone())),
                            _ => None,
                        })
                        .collect();
                    Some((rule.matches.clone(), states))
                }
                _ => None,
            })
            .collect()
    };
    assert_eq!(
        maps(&model),
        vec![
            (
                vec![Match::Family(Family::Ipv4)],
                vec![
                    (CtState::Established, Verdict::Accept),
                    (CtState::Related, Verdict::Accept),
                    (CtState::Untracked, Verdict::Accept)
                ]
            ),
            (
                vec![Match::Family(Family::Ipv6)],
                vec![
                    (CtState::Established, Verdict::Accept),
                    (CtState::Related, Verdict::Drop),
                    (CtState::Invalid, Verdict::Drop)
                ]
            ),
        ]
    );
    model.firewall.state_logs.related = Families::both(Some(LogLevel::Info));
    assert!(
        maps(&model)
            .iter()
            .all(|(_, states)| states.iter().all(|(s, _)| *s != CtState::Related)),
        "a logged state leaves the maps"
    );
    let ruleset = lower(&model);
    let pair = ruleset.chain("loc-fw").expect("loc-fw");
    let related: Vec<&fwgen::ruleset::Rule> = pair
        .rules
        .iter()
        .filter(|r| r.matches.contains(&Match::CtState(vec![CtState::Related])))
        .collect();
    // Each family's log (under its log limit), then its verdict.
    assert_eq!(related.len(), 4, "{:?}", pair.rules);
    for (rules, family, word, verdict) in [
        (&related[0..2], Family::Ipv4, "ACCEPT", Verdict::Accept),
        (&related[2..4], Family::Ipv6, "DROP", Verdict::Drop),
    ] {
        for rule in rules {
            assert_eq!(rule.matches[0], Match::Family(family), "{rule:?}");
        }
        let text = format!("{:?}", rules[0].statements);
        assert!(
            text.contains(&format!("\"Shorewall:+loc-fw:{word}:\"")),
            "{text}"
        );
        assert_eq!(
            rules[1].statements,
            vec![Statement::Verdict(verdict)],
            "{:?}",
            rules[1]
        );
    }

    // Logged by IPv6 alone (RELATED_LOG_LEVEL in shorewall6.conf only):
    // IPv4's related packets stay in its map, IPv6's are decided in the
    // pair chain by its rules alone.
    model.firewall.state_logs.related = Families {
        ipv4: None,
        ipv6: Some(LogLevel::Info),
    };
    let related_in_map = |ipv6: bool| {
        maps(&model)[usize::from(ipv6)]
            .1
            .iter()
            .any(|(s, _)| *s == CtState::Related)
    };
    assert!(related_in_map(false) && !related_in_map(true));
    let ruleset = lower(&model);
    let pair = ruleset.chain("loc-fw").expect("loc-fw");
    let related: Vec<&fwgen::ruleset::Rule> = pair
        .rules
        .iter()
        .filter(|r| r.matches.contains(&Match::CtState(vec![CtState::Related])))
        .collect();
    assert_eq!(related.len(), 2, "{:?}", pair.rules);
    assert!(
        related
            .iter()
            .all(|r| r.matches[0] == Match::Family(Family::Ipv6)),
        "{related:?}"
    );
}

/// Issue 15: UNTRACKED_LOG_LEVEL of IPv4 alone beside family-dispositions'
/// untracked ACCEPT for IPv4: IPv4's untracked packets leave its map and
/// each pair chain logs and accepts them with `meta nfproto ipv4`; IPv6's
/// (CONTINUE, unlogged) have no rule and go on to the rules.
#[test]
fn untracked_log_of_one_family_in_the_pair_chains() {
    use fwgen::model::{Families, LogLevel};
    use fwgen::ruleset::{CtState, Family, MapValue, Verdict};
    let mut model = model("family-dispositions");
    model.firewall.state_logs.untracked = Families {
        ipv4: Some(LogLevel::Info),
        ipv6: None,
    };
    let ruleset = lower(&model);
    let input = ruleset.chain("input").expect("input");
    let untracked_in_maps = input
        .rules
        .iter()
        .flat_map(|r| &r.statements)
        .any(|s| match s {
            Statement::Map { elements, .. } => elements
                .iter()
                .any(|e| e.key == vec![MapValue::State(CtState::Untracked)]),
            _ => false,
        });
    assert!(!untracked_in_maps, "{input:?}");
    let pair = ruleset.chain("net-fw").expect("net-fw");
    let untracked: Vec<&fwgen::ruleset::Rule> = pair
        .rules
        .iter()
        .filter(|r| {
            r.matches
                .contains(&Match::CtState(vec![CtState::Untracked]))
        })
        .collect();
    assert_eq!(untracked.len(), 2, "{:?}", pair.rules);
    assert!(
        untracked
            .iter()
            .all(|r| r.matches[0] == Match::Family(Family::Ipv4)),
        "{untracked:?}"
    );
    assert!(
        format!("{:?}", untracked[0].statements).contains("\"Shorewall:&net-fw:ACCEPT:\""),
        "{untracked:?}"
    );
    assert_eq!(
        untracked[1].statements,
        vec![Statement::Verdict(Verdict::Accept)]
    );
}
