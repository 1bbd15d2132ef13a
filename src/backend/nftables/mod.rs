//! The nftables backend: lowers the model into one ruleset file that
//! `nft -f` loads atomically, replacing fwgen's own table and nothing else.
//!
//! Every statement is computed here; templates/nftables/ruleset.txt only
//! lays the table out. docs/semantics.md maps each model concept to the
//! Shorewall lines and the nftables lines that express it.

mod line;
mod nat;

use askama::Template;

use std::collections::HashMap;

use self::line::{
    Line, dispatch_match, dnat_accept, fold, ifname, is_wildcard, quoted, rule_lines,
};
use super::{OutputFile, header, template_failure};
use crate::error::Error;
use crate::model::zone::applies_to;
use crate::model::{
    Decision, Interface, InterfaceOption, LogLevel, Model, PolicyAction, Rule, ZoneId, ZoneRef,
};

/// The file's name in the output directory.
pub const FILE_NAME: &str = "fwgen.nft";

#[derive(Template)]
#[template(path = "nftables/ruleset.txt")]
struct RulesetFile<'a> {
    header: &'a str,
    table: &'a str,
    /// Statements of the `tcpflags` chain, empty when no interface asks.
    tcpflags: Vec<&'static str>,
    smurfs: Vec<&'static str>,
    reject: Vec<&'static str>,
    /// The ICMPv6 IPv6 needs (Shorewall6's AllowICMPs), empty without IPv6.
    allowicmps: Vec<&'static str>,
    /// Interface chains (`wlan0-in`, ...): options applied before dispatch.
    interface_chains: Vec<Chain>,
    /// One chain per zone pair: its rules in order, then its policy.
    pair_chains: Vec<Chain>,
    /// input, forward and output.
    base_chains: Vec<BaseChain>,
    /// Reverse-path filtering (routefilter), empty when no interface asks.
    prerouting: Vec<String>,
    /// Port forwards.
    nat_prerouting: Vec<String>,
    /// Masquerade and SNAT.
    nat_postrouting: Vec<String>,
}

struct Chain {
    name: String,
    comment: String,
    rules: Vec<String>,
}

/// A filter base chain: what runs before conntrack, then the dispatch.
struct BaseChain {
    hook: &'static str,
    /// `iif "lo" accept` and the IPv6 switch.
    first: Vec<String>,
    /// Jumps to interface chains.
    interfaces: Vec<String>,
    /// Zone dispatch by verdict map, one line per family.
    dispatch: Vec<String>,
    /// The catch-all for traffic no zone pair claims.
    last: Vec<String>,
}

const TCPFLAGS: &[&str] = &[
    "tcp flags & (fin|syn|rst|psh|ack|urg) == fin|psh|urg drop",
    "tcp flags & (fin|syn|rst|psh|ack|urg) == 0x0 drop",
    "tcp flags & (syn|rst) == syn|rst drop",
    "tcp flags & (fin|rst) == fin|rst drop",
    "tcp flags & (fin|syn) == fin|syn drop",
    "tcp flags & (fin|psh|ack) == fin|psh drop",
    "tcp flags & (fin|syn|rst|ack) == syn tcp sport 0 drop",
];

const SMURFS: &[&str] = &[
    "ip saddr 0.0.0.0 return",
    "fib saddr type broadcast drop",
    "ip saddr 224.0.0.0/4 drop",
    "ip6 saddr ff00::/8 drop",
];

/// Shorewall6's AllowICMPs action (RFC 4890), run before every DROP or
/// REJECT policy and catch-all of IPv6 traffic.
const ALLOWICMPS: &[&str] = &[
    "icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem, nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, nd-redirect, ind-neighbor-solicit, ind-neighbor-advert, 148, 149 } accept",
    "ip6 saddr fe80::/10 icmpv6 type { mld-listener-query, mld-listener-report, mld-listener-done, mld2-listener-report, 151, 152, 153 } accept",
];

const ALLOWICMPS_JUMP: &str = "meta l4proto ipv6-icmp jump allowicmps";

/// Shorewall's `reject` chain and Shorewall6's, statement for statement
/// (tests/reject.rs holds them side by side). Shorewall6 drops instead of
/// answering packets to the anycast addresses of the firewall's global
/// subnets, which it lists when it starts; the kernel knows the
/// subnet-router ones as the anycast type.
const REJECT: &[&str] = &[
    "meta nfproto ipv4 fib saddr type broadcast drop",
    "ip6 daddr 2000::/3 fib daddr type anycast drop",
    "ip saddr 224.0.0.0/4 drop",
    "ip6 saddr ff00::/8 drop",
    "meta l4proto igmp drop",
    "meta l4proto tcp reject with tcp reset",
    "meta l4proto udp reject with icmpx type port-unreachable",
    "meta nfproto ipv4 meta l4proto icmp reject with icmp type host-unreachable",
    "meta nfproto ipv6 meta l4proto ipv6-icmp reject with icmpv6 type addr-unreachable",
    "meta nfproto ipv4 reject with icmp type host-prohibited",
    "meta nfproto ipv6 reject with icmpv6 type admin-prohibited",
];

pub fn render(model: &Model) -> Result<Vec<OutputFile>, Vec<Error>> {
    let header = header(model);
    let pairs = reachable_pairs(model);
    let any = |option: InterfaceOption| model.interfaces.iter().any(|i| i.has(option));
    let file = RulesetFile {
        header: &header,
        table: &model.nftables_table,
        tcpflags: if any(InterfaceOption::Tcpflags) {
            TCPFLAGS.to_vec()
        } else {
            Vec::new()
        },
        smurfs: if any(InterfaceOption::Nosmurfs) {
            SMURFS.to_vec()
        } else {
            Vec::new()
        },
        reject: REJECT.to_vec(),
        allowicmps: if model.has_family(true) {
            ALLOWICMPS.to_vec()
        } else {
            Vec::new()
        },
        interface_chains: interface_chains(model),
        pair_chains: pair_chains(model, &pairs),
        base_chains: vec![
            input_chain(model, &pairs),
            forward_chain(model, &pairs),
            output_chain(model, &pairs),
        ],
        prerouting: prerouting(model),
        nat_prerouting: model
            .dnats
            .iter()
            .map(|d| nat::dnat_rule(model, d))
            .collect(),
        nat_postrouting: model
            .snats
            .iter()
            .map(|s| nat::snat_rule(model, s))
            .collect(),
    };
    let content = file.render().map_err(template_failure)?;
    Ok(vec![OutputFile {
        path: FILE_NAME.to_owned(),
        content,
    }])
}

// ----- names and small pieces -----

pub(super) fn log_statement(
    model: &Model,
    chain: &str,
    disposition: &str,
    level: LogLevel,
) -> String {
    format!(
        "log prefix \"{}:{chain}:{disposition}:\" level {}",
        model.firewall.log_prefix,
        level_name(level)
    )
}

/// The level as nft names it: nft refuses `warning` and wants `warn`.
fn level_name(level: LogLevel) -> &'static str {
    match level {
        LogLevel::Warning => "warn",
        other => other.name(),
    }
}

// ----- interfaces -----

fn interface_chain_name(interface: &Interface, hook: &str) -> String {
    format!("{hook}-{}", interface.name.replace('+', "-any"))
}

/// DHCP's ports for the families of the interface's zone: 67-68 (IPv4),
/// 546-547 (DHCPv6, as Shorewall6).
fn dhcp_ports(model: &Model, interface: &Interface) -> Vec<&'static str> {
    let family = model.zones[interface.zone].family;
    match (family.has_ipv4(), family.has_ipv6()) {
        (true, true) => vec![
            "meta nfproto ipv4 udp dport 67-68",
            "meta nfproto ipv6 udp dport 546-547",
        ],
        (false, true) => vec!["udp dport 546-547"],
        _ => vec!["udp dport 67-68"],
    }
}

/// Options applied to packets entering (hook "in" and "fwd") or leaving
/// ("out") an interface, in Shorewall's order: smurfs, dhcp, tcpflags.
fn interface_rules(model: &Model, interface: &Interface, hook: &str) -> Vec<String> {
    let mut rules = Vec::new();
    let incoming = hook != "out";
    if incoming && interface.has(InterfaceOption::Nosmurfs) {
        rules.push("ct state new,invalid,untracked jump smurfs".to_owned());
    }
    if interface.dhcp() {
        for ports in dhcp_ports(model, interface) {
            match hook {
                "fwd" if interface.routeback() => {
                    let out =
                        ifname(interface).map_or(String::new(), |name| format!("oifname {name} "));
                    rules.push(format!("{out}{ports} accept"));
                }
                "fwd" => {}
                _ => rules.push(format!("{ports} accept")),
            }
        }
    }
    if incoming && interface.has(InterfaceOption::Tcpflags) {
        rules.push("meta l4proto tcp jump tcpflags".to_owned());
    }
    rules
}

fn interface_chains(model: &Model) -> Vec<Chain> {
    let mut chains = Vec::new();
    for hook in ["in", "fwd", "out"] {
        for interface in &model.interfaces {
            let rules = interface_rules(model, interface, hook);
            if !rules.is_empty() {
                let options: Vec<String> =
                    interface.options.iter().map(ToString::to_string).collect();
                chains.push(Chain {
                    name: interface_chain_name(interface, hook),
                    comment: format!("{} options: {}", interface.name, options.join(",")),
                    rules,
                });
            }
        }
    }
    chains
}

/// `iifname vmap { "eth0" : jump in-eth0, ... }` for interfaces that have
/// a chain for this hook.
fn interface_jumps(model: &Model, hook: &str, selector: &str) -> Vec<String> {
    let jumps: Vec<Jump> = model
        .interfaces
        .iter()
        .filter(|i| !interface_rules(model, i, hook).is_empty())
        .map(|i| Jump::new(model, &[(selector, i)], interface_chain_name(i, hook)))
        .collect();
    dispatch_lines(selector, jumps.clone(), jumps)
}

// ----- zone pairs -----

/// The ordered pairs that traffic can take, as (source, dest): the
/// firewall's pairs and every pair of zones that have interfaces.
fn reachable_pairs(model: &Model) -> Vec<(ZoneId, ZoneId)> {
    let has_interfaces = |id: ZoneId| match id {
        ZoneId::Firewall => true,
        ZoneId::Zone(index) => model.interfaces_of(index).next().is_some(),
    };
    let ids = model.zone_ids();
    let mut pairs = Vec::new();
    for &source in &ids {
        for &dest in &ids {
            let fw_to_fw = source == ZoneId::Firewall && dest == ZoneId::Firewall;
            if !fw_to_fw
                && has_interfaces(source)
                && has_interfaces(dest)
                && forward_possible(model, source, dest)
            {
                pairs.push((source, dest));
            }
        }
    }
    pairs
}

/// A zone's traffic to itself passes the firewall only between two of its
/// interfaces or back out of a routeback interface.
fn forward_possible(model: &Model, source: ZoneId, dest: ZoneId) -> bool {
    match (source, dest) {
        (ZoneId::Zone(s), ZoneId::Zone(d)) if s == d => {
            let interfaces: Vec<&Interface> = model.interfaces_of(s).collect();
            interfaces.len() > 1 || interfaces.iter().any(|i| i.routeback())
        }
        _ => true,
    }
}

/// The families a pair carries: `[ipv4, ipv6]`.
fn pair_families(model: &Model, pair: (ZoneId, ZoneId)) -> [bool; 2] {
    let (s, d) = (model.zone_family(pair.0), model.zone_family(pair.1));
    let v4 = s.has_ipv4() && d.has_ipv4() && model.has_family(false);
    let v6 = s.has_ipv6() && d.has_ipv6() && model.has_family(true);
    [v4, v6]
}

fn pair_chains(model: &Model, pairs: &[(ZoneId, ZoneId)]) -> Vec<Chain> {
    let buckets = rules_by_pair(model);
    let folded: Vec<Vec<Line>> = pairs
        .iter()
        .map(|&pair| {
            let name = model.pair_name(pair.0, pair.1);
            let families = pair_families(model, pair);
            let mut lines = Vec::new();
            for dnat in &model.dnats {
                if applies_to(
                    dnat.source.zone,
                    ZoneRef::One(ZoneId::Zone(dnat.dest)),
                    pair,
                ) {
                    lines.push(dnat_accept(dnat));
                }
            }
            for rule in buckets.get(&pair).into_iter().flatten() {
                lines.extend(rule_lines(model, rule, &name, families));
            }
            fold(lines)
        })
        .collect();
    let folded = within_set_budget(folded);
    pairs
        .iter()
        .zip(folded)
        .map(|(&pair, lines)| {
            let name = model.pair_name(pair.0, pair.1);
            // Every rule ends in a verdict: after one that matches everything,
            // later rules and the policy can never run, so they are left out.
            let unconditional = lines.iter().position(|l| l.matches.is_empty());
            let reached = unconditional.map_or(lines.len(), |at| at + 1);
            let mut rules: Vec<String> = lines[..reached].iter().map(Line::text).collect();
            let decision = model.matrix.get(pair.0, pair.1);
            let comment = decision.map_or(String::new(), |d| policy_comment(model, d));
            let ipv6 = pair_families(model, pair)[1];
            if unconditional.is_none() {
                rules.extend(
                    decision.map_or_else(Vec::new, |d| policy_lines(model, &name, d, ipv6)),
                );
            }
            Chain {
                name,
                comment,
                rules,
            }
        })
        .collect()
}

/// Anonymous sets a ruleset may hold before small ones are written out as
/// single rules: the kernel names each anonymous set by scanning the
/// table's sets, so loading thousands of them takes seconds (measured in
/// docs/performance.md), while a few extra rules cost nothing.
const SET_BUDGET: usize = 256;

fn within_set_budget(chains: Vec<Vec<Line>>) -> Vec<Vec<Line>> {
    let sizes: Vec<usize> = chains.iter().flatten().flat_map(Line::set_sizes).collect();
    let Some(largest) = sizes.iter().max().copied() else {
        return chains;
    };
    let Some(limit) = (1..=largest)
        .find(|&limit| sizes.iter().filter(|&&size| size > limit).count() <= SET_BUDGET)
    else {
        return chains;
    };
    if limit == 1 {
        return chains;
    }
    chains
        .into_iter()
        .map(|lines| {
            lines
                .into_iter()
                .flat_map(|line| line.expand(limit))
                .collect()
        })
        .collect()
}

/// Each pair's rules in model order, found in one pass over the rules.
fn rules_by_pair(model: &Model) -> HashMap<(ZoneId, ZoneId), Vec<&Rule>> {
    let ids = model.zone_ids();
    let expand = |zone: ZoneRef| match zone {
        ZoneRef::All => ids.clone(),
        ZoneRef::One(id) => vec![id],
    };
    let mut buckets: HashMap<(ZoneId, ZoneId), Vec<&Rule>> = HashMap::new();
    for rule in model.rules.iter().filter(|r| !r.is_invalid_match()) {
        for &source in &expand(rule.source.zone) {
            for &dest in &expand(rule.dest.zone) {
                if applies_to(rule.source.zone, rule.dest.zone, (source, dest)) {
                    buckets.entry((source, dest)).or_default().push(rule);
                }
            }
        }
    }
    buckets
}

fn policy_comment(model: &Model, decision: Decision) -> String {
    match decision.origin {
        crate::model::DecisionOrigin::IntraZone => {
            "policy: ACCEPT (a zone's traffic to itself)".to_owned()
        }
        crate::model::DecisionOrigin::Policy(index) => {
            let policy = &model.policies[index];
            format!(
                "policy: {} (from {} to {})",
                policy.action,
                model.zone_ref_name(policy.source),
                model.zone_ref_name(policy.dest)
            )
        }
    }
}

fn policy_lines(model: &Model, chain: &str, decision: Decision, ipv6: bool) -> Vec<String> {
    let verdict = match decision.action {
        PolicyAction::Accept => "accept",
        PolicyAction::Drop => "drop",
        PolicyAction::Reject => "jump rejection",
        // Without nested zones a CONTINUE pair falls through to the catch-all.
        PolicyAction::Continue => return Vec::new(),
    };
    let mut lines = Vec::new();
    if ipv6 && decision.action != PolicyAction::Accept {
        lines.push(ALLOWICMPS_JUMP.to_owned());
    }
    let log = decision
        .log
        .map(|level| log_statement(model, chain, decision.action.keyword(), level));
    lines.push(match log {
        Some(log) => format!("{log} {verdict}"),
        None => verdict.to_owned(),
    });
    lines
}

// ----- base chains -----

fn zone_interfaces(model: &Model, zone: ZoneId, ipv6: bool) -> Vec<&Interface> {
    match zone {
        ZoneId::Firewall => Vec::new(),
        ZoneId::Zone(index) if model.zones[index].family.has(ipv6) => {
            model.interfaces_of(index).collect()
        }
        ZoneId::Zone(_) => Vec::new(),
    }
}

fn first_statements(model: &Model, loopback: &str) -> Vec<String> {
    let mut first = vec![format!("{loopback} \"lo\" accept")];
    if !model.has_family(true) {
        first.push("meta nfproto ipv6 drop comment \"the model has no IPv6 zone\"".to_owned());
    }
    first
}

fn catch_all(model: &Model, hook: &str) -> Vec<String> {
    let mut lines = Vec::new();
    if model.has_family(true) {
        lines.push(ALLOWICMPS_JUMP.to_owned());
    }
    lines.push(format!(
        "{} jump rejection",
        log_statement(model, hook, "REJECT", LogLevel::Info)
    ));
    lines
}

/// A jump of a dispatch: by verdict map when every interface it names is
/// an exact name, by a rule of its own after the map when one is a
/// wildcard. A map cannot hold `"ppp*"` beside `"ppp9"` (nft refuses the
/// conflicting intervals), and a named interface must win over the
/// wildcard that covers it, even when its chain returns without a verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Jump {
    /// The map key (`"eth0"`, `"eth0" . "eth1"`), `None` for a rule.
    key: Option<String>,
    /// What the rule matches instead (`iifname "ppp*" iifname != "ppp9" `).
    matches: String,
    target: String,
}

impl Jump {
    fn new(model: &Model, sides: &[(&str, &Interface)], target: String) -> Jump {
        let exact = sides.iter().all(|(_, i)| !is_wildcard(i));
        let key = exact.then(|| {
            let names: Vec<String> = sides.iter().map(|(_, i)| quoted(&i.physical)).collect();
            names.join(" . ")
        });
        let matches: String = sides
            .iter()
            .map(|(selector, i)| dispatch_match(model, selector, i))
            .collect();
        Jump {
            key,
            matches,
            target,
        }
    }
}

/// One verdict-map line per family (one for both when they agree), then
/// the jumps that need rules of their own.
fn dispatch_lines(selector: &str, v4: Vec<Jump>, v6: Vec<Jump>) -> Vec<String> {
    let lines = |prefix: &str, jumps: &[Jump]| {
        let elements: Vec<String> = jumps
            .iter()
            .filter_map(|j| j.key.as_ref().map(|k| format!("{k} : jump {}", j.target)))
            .collect();
        let mut lines = Vec::new();
        if !elements.is_empty() {
            lines.push(format!(
                "{prefix}{selector} vmap {{ {} }}",
                elements.join(", ")
            ));
        }
        for jump in jumps.iter().filter(|j| j.key.is_none()) {
            lines.push(format!("{prefix}{}jump {}", jump.matches, jump.target));
        }
        lines
    };
    if v4 == v6 {
        return lines("", &v4);
    }
    let mut all = lines("meta nfproto ipv4 ", &v4);
    all.extend(lines("meta nfproto ipv6 ", &v6));
    all
}

fn by_interface(
    model: &Model,
    pairs: &[(ZoneId, ZoneId)],
    selector: &str,
    outgoing: bool,
) -> Vec<String> {
    let jumps = |ipv6: bool| {
        let mut jumps = Vec::new();
        for &(source, dest) in pairs {
            let (fw, zone) = if outgoing {
                (source, dest)
            } else {
                (dest, source)
            };
            if fw != ZoneId::Firewall || zone == ZoneId::Firewall {
                continue;
            }
            for interface in zone_interfaces(model, zone, ipv6) {
                jumps.push(Jump::new(
                    model,
                    &[(selector, interface)],
                    model.pair_name(source, dest),
                ));
            }
        }
        jumps
    };
    dispatch_lines(selector, jumps(false), jumps(true))
}

fn input_chain(model: &Model, pairs: &[(ZoneId, ZoneId)]) -> BaseChain {
    BaseChain {
        hook: "input",
        first: first_statements(model, "iif"),
        interfaces: interface_jumps(model, "in", "iifname"),
        dispatch: by_interface(model, pairs, "iifname", false),
        last: catch_all(model, "INPUT"),
    }
}

fn output_chain(model: &Model, pairs: &[(ZoneId, ZoneId)]) -> BaseChain {
    BaseChain {
        hook: "output",
        first: first_statements(model, "oif"),
        interfaces: interface_jumps(model, "out", "oifname"),
        dispatch: by_interface(model, pairs, "oifname", true),
        last: catch_all(model, "OUTPUT"),
    }
}

fn forward_chain(model: &Model, pairs: &[(ZoneId, ZoneId)]) -> BaseChain {
    let jumps = |ipv6: bool| {
        let mut jumps = Vec::new();
        for &(source, dest) in pairs
            .iter()
            .filter(|(s, d)| *s != ZoneId::Firewall && *d != ZoneId::Firewall)
        {
            for inbound in zone_interfaces(model, source, ipv6) {
                for outbound in zone_interfaces(model, dest, ipv6) {
                    if inbound.physical == outbound.physical && !inbound.routeback() {
                        continue;
                    }
                    let sides = [("iifname", inbound), ("oifname", outbound)];
                    jumps.push(Jump::new(model, &sides, model.pair_name(source, dest)));
                }
            }
        }
        jumps
    };
    let dispatch = dispatch_lines("iifname . oifname", jumps(false), jumps(true));
    let mut first = Vec::new();
    if !model.has_family(true) {
        first.push("meta nfproto ipv6 drop comment \"the model has no IPv6 zone\"".to_owned());
    }
    BaseChain {
        hook: "forward",
        first,
        interfaces: interface_jumps(model, "fwd", "iifname"),
        dispatch,
        last: catch_all(model, "FORWARD"),
    }
}

/// routefilter: drop packets whose source would not be routed back, as the
/// kernel's rp_filter: strict (`routefilter`, `=1`) out of the interface
/// they came in on, loose (`=2`) out of any interface. logmartians logs
/// them first.
fn prerouting(model: &Model) -> Vec<String> {
    model
        .interfaces
        .iter()
        .filter(|i| i.routefilter() && model.zones[i.zone].family.has_ipv4())
        .map(|i| {
            let lookup = if i.has(InterfaceOption::Routefilter(Some(2))) {
                "fib saddr oif missing"
            } else {
                "fib saddr . iif oif missing"
            };
            let logs = i.has(InterfaceOption::Logmartians(None))
                || i.has(InterfaceOption::Logmartians(Some(1)));
            let log = match logs {
                true => log_statement(model, "martian", "DROP", LogLevel::Info) + " ",
                false => String::new(),
            };
            let interface = ifname(i).map_or(String::new(), |name| format!("iifname {name} "));
            format!("{interface}meta nfproto ipv4 ip saddr != 0.0.0.0 {lookup} {log}drop")
        })
        .collect()
}
