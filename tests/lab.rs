//! The lab: for every example, Shorewall's compiled firewall and the
//! nftables ruleset are loaded into a network namespace in turn, real
//! packets are sent between every ordered pair of hosts (the firewall
//! included), and the verdicts, the host reached and the source address
//! seen must equal what `fwgen explain` says. Any disagreement fails the
//! test and prints the whole matrix.
//!
//! Needs root, iproute2, nftables, shorewall, shorewall6, dnsmasq-base,
//! busybox, ethtool and iputils-ping (tests/run installs them).

mod common;

#[path = "lab/contest.rs"]
mod contest;
#[path = "lab/probe.rs"]
mod probe;
#[path = "lab/topology.rs"]
mod topology;

use contest::{Contestant, Round, contest};
use fwgen::backend::{self, Backend};
use fwgen::load::compile;
use fwgen::model::Model;
use fwgen::source::Source;

/// `folder` holds the model `{example}.toml`: examples or tests/models.
fn model(folder: &str, example: &str) -> Model {
    let relative = format!("{folder}/{example}.toml");
    let text = std::fs::read_to_string(common::root().join(&relative)).unwrap();
    compile(&Source::new(&relative, text)).unwrap_or_else(|f| panic!("{}", f.render()))
}

fn require_lab() {
    common::require_root();
    for (tool, package) in [
        ("ip", "iproute2"),
        ("nft", "nftables"),
        ("shorewall", "shorewall"),
        ("shorewall6", "shorewall6"),
        ("dnsmasq", "dnsmasq-base"),
        ("busybox", "busybox"),
        ("ethtool", "ethtool"),
        ("ping", "iputils-ping"),
        ("timeout", "coreutils"),
    ] {
        common::require_tool(tool, package);
    }
}

fn nftables_ruleset(model: &Model) -> String {
    backend::render(model, Backend::Nftables)
        .expect("render")
        .remove(0)
        .content
}

/// The matrix: one line per probe, `!!` where the columns disagree.
fn table(example: &str, rounds: &[(&str, &Round)]) -> (String, usize) {
    let first = rounds[0].1;
    let mut out = format!(
        "lab matrix for {example}: probe | explain | {}\n",
        rounds
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let mut disagreements = 0;
    for (index, probe) in first.probes.iter().enumerate() {
        let expected = &first.expected[index];
        let agree = rounds.iter().all(|(_, round)| {
            &round.outcomes[index] == expected && &round.expected[index] == expected
        });
        if !agree {
            disagreements += 1;
        }
        let cells: Vec<String> = rounds
            .iter()
            .map(|(_, round)| round.outcomes[index].short())
            .collect();
        out.push_str(&format!(
            "{} {} | {} | {}\n",
            if agree { "  " } else { "!!" },
            probe.describe(),
            expected.short(),
            cells.join(" | ")
        ));
    }
    out.push_str(&format!(
        "{} probes, {disagreements} disagreements\n",
        first.probes.len()
    ));
    (out, disagreements)
}

fn lab(example: &str) {
    lab_of(&model("examples", example), example);
}

/// A model of tests/models/ in the lab, under a short name: the lab's
/// namespace and link names carry it.
fn lab_model(name: &str, short: &str) {
    lab_of(&model("tests/models", name), short);
}

fn lab_of(model: &Model, example: &str) {
    require_lab();
    let dir = common::scratch(&format!("lab-{example}"));
    let shorewall = contest(model, example, &Contestant::Shorewall, &dir);
    let nftables = contest(
        model,
        example,
        &Contestant::Nftables(nftables_ruleset(model)),
        &dir,
    );
    assert_eq!(shorewall.probes.len(), nftables.probes.len());
    let (matrix, disagreements) = table(
        example,
        &[("shorewall", &shorewall), ("nftables", &nftables)],
    );
    assert!(shorewall.probes.len() > 20, "too few probes:\n{matrix}");
    assert_eq!(
        disagreements, 0,
        "the backends and explain disagree:\n{matrix}"
    );
    let accepted = shorewall
        .outcomes
        .iter()
        .filter(|o| o.verdict() == "ACCEPT")
        .count();
    assert!(
        accepted > 0 && accepted < shorewall.outcomes.len(),
        "a lab where every probe has one verdict proves little:\n{matrix}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn lxc_host() {
    lab("lxc-host");
}

#[test]
fn two_interfaces() {
    lab("two-interfaces");
}

#[test]
fn three_interfaces() {
    lab("three-interfaces");
}

#[test]
fn port_forward() {
    lab("port-forward");
}

#[test]
fn ipv6() {
    lab("ipv6");
}

#[test]
fn shorewall4() {
    lab("shorewall4");
}

/// Issue #13: every syslog level Shorewall accepts, logged before a verdict.
#[test]
fn model_log_levels() {
    lab_model("log-levels", "logl");
}

/// Issue #13: a per-destination log limit and no broadcast drop change
/// no verdict: Shorewall's hashlimit and nftables' sets agree with explain.
#[test]
fn model_log_limit() {
    lab_model("log-limit", "logm");
}

/// Issue #19: rules folded into a verdict map and a set, with rules that
/// overlap them with another verdict above and below: order decides in
/// Shorewall and nftables alike.
#[test]
fn model_lookup_order() {
    lab_model("lookup-order", "lkup");
}

/// Issue #14: a host blocked above a port forward stays blocked from it,
/// and an SNAT above a masquerade wins, in Shorewall and nftables alike.
#[test]
fn model_nat_order() {
    lab_model("nat-order", "nato");
}

/// Issue #13: loose reverse-path filtering lets the lab's traffic through
/// as Shorewall's rp_filter=2 does.
#[test]
fn model_routefilter_loose() {
    lab_model("routefilter-loose", "rpf");
}

/// Issue #13: ppp9 (vpn) is matched before ppp+ (net), which covers it.
#[test]
fn model_wildcard_and_named() {
    lab_model("wildcard-and-named", "wild");
}

/// Migration proof: a Shorewall sample imported into fwgen, rendered by both
/// backends, gives every probe the same verdict as the ORIGINAL directory
/// compiled by Shorewall itself.
fn sample(name: &str) {
    require_lab();
    let original = std::path::PathBuf::from(format!("/usr/share/doc/shorewall/examples/{name}"));
    let imported =
        fwgen::import::shorewall::import(&original, false).unwrap_or_else(|e| panic!("{e:?}"));
    let model = compile(&Source::new(format!("imported-{name}.toml"), imported.toml))
        .unwrap_or_else(|f| panic!("{}", f.render()));
    let dir = common::scratch(&format!("lab-sample-{name}"));
    let short = format!("s{}", &name[..3]);
    let original_round = contest(&model, &short, &Contestant::ShorewallDir(original), &dir);
    let shorewall = contest(&model, &short, &Contestant::Shorewall, &dir);
    let nftables = contest(
        &model,
        &short,
        &Contestant::Nftables(nftables_ruleset(&model)),
        &dir,
    );
    let rounds = [
        ("original", &original_round),
        ("shorewall", &shorewall),
        ("nftables", &nftables),
    ];
    let (matrix, disagreements) = table(&format!("sample {name}"), &rounds);
    assert!(
        original_round.probes.len() > 10,
        "too few probes:\n{matrix}"
    );
    assert_eq!(
        disagreements, 0,
        "the imported model does not behave as the original:\n{matrix}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sample_one_interface() {
    sample("one-interface");
}

#[test]
fn sample_two_interfaces() {
    sample("two-interfaces");
}

#[test]
fn sample_three_interfaces() {
    sample("three-interfaces");
}

#[test]
fn sample_universal() {
    sample("Universal");
}

#[test]
fn every_example_and_model_is_in_the_lab() {
    let source = std::fs::read_to_string(common::root().join("tests/lab.rs")).unwrap();
    for example in common::examples() {
        assert!(
            source.contains(&format!("lab(\"{example}\")")),
            "examples/{example}.toml is not in the lab"
        );
    }
    for name in common::models() {
        assert!(
            source.contains(&format!("lab_model(\"{name}\"")),
            "tests/models/{name}.toml is not in the lab"
        );
    }
}

/// The lab can fail: a ruleset whose net -> $FW policy accepts instead of
/// dropping must be caught.
#[test]
fn lab_catches_a_broken_policy() {
    require_lab();
    let model = model("examples", "lxc-host");
    // The verdict of net-fw's policy, and only that chain's, accepts.
    let ruleset = nftables_ruleset(&model);
    let (head, chain) = ruleset
        .split_once("chain net-fw {")
        .expect("the ruleset has a net-fw chain");
    let broken = format!(
        "{head}chain net-fw {{{}",
        chain.replacen("\t\tdrop comment", "\t\taccept comment", 1)
    );
    assert_ne!(
        broken,
        nftables_ruleset(&model),
        "the mutation did not apply"
    );
    let dir = common::scratch("lab-broken");
    let round = contest(&model, "broken", &Contestant::Nftables(broken), &dir);
    let (matrix, disagreements) = table("lxc-host (broken net-fw policy)", &[("nftables", &round)]);
    assert!(
        disagreements > 0,
        "the lab did not notice a broken policy:\n{matrix}"
    );
    let wrong: Vec<&str> = matrix.lines().filter(|l| l.starts_with("!!")).collect();
    assert!(
        wrong
            .iter()
            .all(|l| l.contains("net#1") && l.contains("-> fw")),
        "unexpected disagreements:\n{matrix}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
