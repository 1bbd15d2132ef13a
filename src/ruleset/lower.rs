//! Lower the analyzed model into the ruleset the kernel runs. Every fact
//! about what fwgen's firewall does is stated here once: the pieces of
//! Shorewall's behaviour it reproduces, the order of the packet path, the
//! dispatch to zone pairs, and each model item's rules.
//!
//! The packet path of a filter base chain: loopback; conntrack
//! (established leaves here; related, invalid and untracked packets meet
//! their dispositions: by default related is accepted, invalid dropped and
//! untracked goes on); without IPv6 zones, new IPv6 is dropped (established
//! IPv6 sessions survive an apply); the interface chains (options:
//! nosmurfs, dhcp, tcpflags), which so run for new packets and those whose
//! disposition is CONTINUE; the zone-pair dispatch; the catch-all.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use ipnet::IpNet;

use super::member::{self, Member, zone_members};
use super::{
    Base, Chain, ChainType, CtState, Direction, Family, Fib, Hook, IfName, L4, LogTag, MapElement,
    MapKey, MapValue, Match, Origin, OwnerKind, Piece, Policy, PortProto, Priority, Reject, Rule,
    Ruleset, Set, Side, Statement, TcpFlag, TimeTest, Verdict, lookup::lookups,
};
use crate::model::rule::{is_ipv6, written};
use crate::model::service::DestType;
use crate::model::zone::applies_to;
use crate::model::{
    CONNTRACK_HELPERS, ClampMss, ConntrackHelper, Disposition, DispositionKey, Forwarding,
    RouteFilter,
};
use crate::model::{
    Decision, DecisionOrigin, DefaultAction, Dnat, IcmpType, Interface, InterfaceOption, LimitPer,
    LogLevel, Model, NatExempt, OneToOne, Origdest, PolicyAction, PortRange, Protocol, RateUnit,
    Redirect, Section, Service, Snat, SnatTarget, SnatTo, SourcePorts, ZoneId, ZoneRef,
};

/// The longest comment nftables keeps (NFTNL_UDATA_COMMENT_MAXLEN - 1).
const COMMENT_MAX: usize = 127;

/// The whole ruleset.
pub fn lower(model: &Model) -> Ruleset {
    let mut ruleset = lower_unnamed(model);
    // Naming every rule is spread over the cores.
    each_chain(&mut ruleset.chains, |chain| {
        for rule in &mut chain.rules {
            rule.comment = comment(model, rule);
            name_elements(model, rule);
        }
    });
    ruleset
}

/// [`lower`] without the comments that name each rule's and element's
/// item: for readers that never print a rule (`fwgen check`), the same
/// rules at a fraction of the strings.
pub fn lower_unnamed(model: &Model) -> Ruleset {
    let pairs = reachable_pairs(model);
    let any = |option: InterfaceOption| model.interfaces.iter().any(|i| i.has_any(option));
    let hosts_tcpflags = model
        .zones
        .iter()
        .flat_map(|z| &z.hosts)
        .any(|h| h.tcpflags);
    let mut chains = Vec::new();
    if any(InterfaceOption::Tcpflags) || hosts_tcpflags {
        chains.push(tcpflags_chain(model));
    }
    if any(InterfaceOption::Nosmurfs) {
        chains.push(smurfs_chain(model));
    }
    if model.has_family(true) {
        chains.push(allowicmps_chain());
    }
    chains.push(rejection_chain());
    let default_actions_at = chains.len();
    chains.extend(maclist_chains(model));
    chains.extend(interface_chains(model));
    chains.extend(pair_chains(model, &pairs));
    chains.extend(super::blacklist::chains(model, &pairs));
    chains.extend(pair_options_chains(model, &pairs));
    if let Some(prerouting) = prerouting_chain(model) {
        chains.push(prerouting);
    }
    chains.extend(rpfilter_chain(model));
    chains.push(local_chain(model, &pairs, Side::In));
    chains.push(forward_chain(model, &pairs));
    chains.push(local_chain(model, &pairs, Side::Out));
    chains.extend(nat_chains(model));
    let mut default_actions = default_action_chains(model, &chains);
    default_actions.extend(synflood_chains(model, &chains));
    chains.splice(default_actions_at..default_actions_at, default_actions);
    setting_rules(model, &mut chains);
    let mut sets = log_limit_sets(model);
    // Log limits add chains of their own (a rate-limited rule's log), so
    // this pass is one thread's.
    let mut log_chains = Vec::new();
    if model.firewall.log_limit.is_some() {
        for chain in &mut chains {
            let name = chain.name.clone();
            let rules = std::mem::take(&mut chain.rules);
            // Most rules stay one rule: room for them at once, no list
            // per rule.
            chain.rules.reserve(rules.len());
            for rule in rules {
                limit_logging(
                    model,
                    &sets,
                    rule,
                    (&name, &mut log_chains),
                    &mut chain.rules,
                );
            }
            // A logging rule becomes two or more: the list grew by
            // doubling past the room reserved, and is kept to the end.
            chain.rules.shrink_to_fit();
        }
    }
    chains.extend(log_chains);
    sets.extend(super::limit::limit_sets(model, &chains));
    sets.extend(routed_source_sets(model));
    Ruleset {
        table: model.nftables_table.clone(),
        sets,
        ipsets: model.ipsets.clone(),
        helpers: helpers(model),
        chains,
    }
}

/// A rule's comment: its item's name, or for a rule folded from several
/// items each item's name in order; a lookup's elements name theirs.
pub(super) fn comment(model: &Model, rule: &Rule) -> Option<String> {
    if let Some(lookup) = rule.lookup() {
        let kind = if lookup.verdict.is_some() {
            "set"
        } else {
            "map"
        };
        return Some(format!(
            "{kind} {}: each element names its rule",
            lookup.name
        ));
    }
    if rule.parts.is_empty() {
        return describe_item(model, rule.origin).map(cut);
    }
    let mut names: Vec<String> = Vec::new();
    for part in &rule.parts {
        if let Some(name) = describe_item(model, part.origin)
            && !names.contains(&name)
        {
            names.push(name);
        }
    }
    Some(cut(names.join("; ")))
}

/// Each element of a lookup carries its item's name, as a rule would.
fn name_elements(model: &Model, rule: &mut Rule) {
    for statement in &mut rule.statements {
        if let Statement::Lookup(lookup) = statement {
            let elements = &mut Arc::make_mut(lookup).elements;
            for n in 0..elements.len() {
                // An item's elements are neighbours: name the item once.
                let comment = match n.checked_sub(1).map(|previous| &elements[previous]) {
                    Some(previous) if previous.origin == elements[n].origin => {
                        previous.comment.clone()
                    }
                    _ => describe_item(model, elements[n].origin).map(cut),
                };
                elements[n].comment = comment;
            }
        }
    }
}

fn cut(text: String) -> String {
    if text.len() <= COMMENT_MAX {
        return text;
    }
    let mut end = COMMENT_MAX - 3;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

// ----- names -----

/// `conntrack notrack net udp/53`, or the entry's comment.
fn notrack_text(model: &Model, entry: &crate::model::Conntrack) -> String {
    if let Some(comment) = &entry.comment {
        return comment.clone();
    }
    let mut text = String::from("conntrack notrack ");
    match &entry.source {
        Some(source) => text.push_str(zone_label(model, source.zone)),
        None => text.push_str(entry.chain.keyword()),
    }
    for service in &entry.services {
        text.push(' ');
        write_service_label(&mut text, service);
    }
    text
}

fn zone_label(model: &Model, zone: ZoneRef) -> &str {
    match zone {
        ZoneRef::All => "all",
        ZoneRef::One(id) => model.zone_name(id),
    }
}

pub(super) fn service_label(service: &Service) -> String {
    let mut text = String::new();
    write_service_label(&mut text, service);
    text
}

/// `tcp/22,80`, `icmp/echo-request`, `udp/53 from port 1024-65535`.
fn write_service_label(text: &mut String, service: &Service) {
    let ports = |text: &mut String, ranges: &[PortRange]| {
        for (n, range) in ranges.iter().enumerate() {
            if n > 0 {
                text.push(',');
            }
            if range.low == range.high {
                let _ = write!(text, "{}", range.low);
            } else {
                let _ = write!(text, "{}-{}", range.low, range.high);
            }
        }
    };
    let _ = write!(text, "{}", service.proto);
    if let Some(icmp) = service.icmp_type {
        let _ = write!(text, "/{icmp}");
    }
    if !service.dports.is_empty() {
        text.push('/');
        ports(text, &service.dports);
    }
    if !service.sports.is_empty() {
        text.push_str(" from port ");
        ports(text, &service.sports);
    }
}

/// A rule's or blacklist entry's name: its comment, else what it is
/// (`rule loc->fw SSH ACCEPT`, `blacklist net->all DROP`).
fn rule_text(model: &Model, rule: &crate::model::Rule, kind: &str, keyword: &str) -> String {
    if let Some(comment) = &rule.comment {
        return comment.clone();
    }
    // Written into one string: every rule of the model is named.
    let mut text = String::with_capacity(48);
    text.push_str(kind);
    text.push(' ');
    text.push_str(zone_label(model, rule.source.zone));
    text.push_str("->");
    text.push_str(zone_label(model, rule.dest.zone));
    let services = |text: &mut String| {
        for (n, service) in rule.services.iter().enumerate() {
            if n > 0 {
                text.push(' ');
            }
            write_service_label(text, service);
        }
    };
    if let Some(service_macro) = rule.service_macro {
        text.push(' ');
        text.push_str(service_macro.name);
        if rule.macro_columns.is_some() {
            text.push(' ');
            services(&mut text);
        }
    } else if !rule.services.is_empty() {
        text.push(' ');
        services(&mut text);
    }
    text.push(' ');
    text.push_str(keyword);
    text
}

/// A model item as a rule's comment names it: its own comment when it has
/// one, else what it is (`rule loc->fw tcp/22 ACCEPT`). Shorewall's own
/// pieces are named by their chain, not by a comment, except the IPv6 drop
/// that stands alone in a base chain.
pub(super) fn describe_item(model: &Model, origin: Origin) -> Option<String> {
    match origin {
        Origin::Rule(index) => {
            let rule = &model.rules[index];
            Some(rule_text(model, rule, "rule", rule.verdict.keyword()))
        }
        Origin::NatExempt(index) => {
            let rule = &model.nat_exemptions[index];
            let keyword = rule.nat_exempt.map_or("", NatExempt::keyword);
            Some(rule_text(model, rule, "rule", keyword))
        }
        Origin::Blacklist(index) => {
            let entry = &model.blacklist[index];
            let keyword = match entry.verdict {
                crate::model::Verdict::Accept => "WHITELIST",
                other => other.keyword(),
            };
            Some(rule_text(model, entry, "blacklist", keyword))
        }
        Origin::Dnat(index) => {
            let dnat = &model.dnats[index];
            Some(dnat.comment.clone().unwrap_or_else(|| {
                let ports: Vec<String> = dnat.dports.iter().map(|r| r.written("-")).collect();
                format!(
                    "dnat {} {}/{} to {}",
                    zone_label(model, dnat.source.zone),
                    dnat.proto,
                    ports.join(","),
                    dnat.to
                )
            }))
        }
        Origin::Redirect(index) => {
            let redirect = &model.redirects[index];
            Some(redirect.comment.clone().unwrap_or_else(|| {
                let ports: Vec<String> = redirect.dports.iter().map(|r| r.written("-")).collect();
                format!(
                    "redirect {} {}/{} to port {}",
                    zone_label(model, redirect.source.zone),
                    redirect.proto,
                    ports.join(","),
                    redirect.to_port
                )
            }))
        }
        Origin::OneToOne(index) => {
            let nat = &model.one_to_one[index];
            Some(
                nat.comment
                    .clone()
                    .unwrap_or_else(|| format!("nat {} <-> {}", nat.external, nat.internal)),
            )
        }
        Origin::Snat(index) => {
            let snat = &model.snats[index];
            Some(snat.comment.clone().unwrap_or_else(|| {
                let interface = snat.interface_name(&model.interfaces);
                let mut only = snat.proto.map(|p| format!(", {p}")).unwrap_or_default();
                if !snat.dports.is_empty() {
                    let ports: Vec<String> = snat.dports.iter().map(|p| p.written("-")).collect();
                    only.push_str(&format!(" port {}", ports.join(",")));
                }
                if let Some(mark) = snat.mark {
                    only.push_str(&format!(", mark {mark}"));
                }
                match snat.target {
                    SnatTarget::Exempt => format!("no source NAT on {interface}{only}"),
                    SnatTarget::Detect => {
                        format!("snat on {interface} to its address (detect){only}")
                    }
                    SnatTarget::To(to) => format!("snat on {interface} to {to}{only}"),
                    SnatTarget::Masquerade => format!("masquerade on {interface}{only}"),
                    SnatTarget::Keep => format!(
                        "snat on {interface} to source ports {}, the address kept{only}",
                        snat.ports.range_text().unwrap_or_default()
                    ),
                }
            }))
        }
        Origin::Policy { policy, .. } => {
            let policy = &model.policies[policy];
            Some(policy.comment.clone().unwrap_or_else(|| {
                let (source, dest) = match (policy.source.plain(), policy.dest.plain()) {
                    (Some(source), Some(dest)) => (
                        zone_label(model, source).to_owned(),
                        zone_label(model, dest).to_owned(),
                    ),
                    _ => model.policy_sides(policy, |_| true).unwrap_or_default(),
                };
                format!("policy {source}->{dest} {}", policy.action.keyword())
            }))
        }
        Origin::PolicyRate(index) => {
            let policy = &model.policies[index];
            Some(format!(
                "policy {} {}: new TCP connections over {}",
                synflood_label(model, policy),
                policy.action.keyword(),
                policy.limits_described()
            ))
        }
        Origin::IntraZone(zone) => Some(format!("{} to itself ACCEPT", model.zone_name(zone))),
        Origin::Maclist(index) => Some(maclist_text(model, &model.maclist[index])),
        Origin::Conntrack(index) => Some(notrack_text(model, &model.conntrack[index])),
        Origin::InterfaceOption { interface, option } => Some(format!(
            "interface {} {option}",
            model.interfaces[interface].name
        )),
        // The only rule ip_forwarding makes is its "off" drop.
        Origin::Setting("ip_forwarding") => {
            Some("firewall ip_forwarding off: nothing is forwarded".to_owned())
        }
        Origin::Setting("ip_forwarding_ipv4") => {
            Some("firewall ip_forwarding_ipv4 off: no IPv4 packet is forwarded".to_owned())
        }
        Origin::Setting("ip_forwarding_ipv6") => {
            Some("firewall ip_forwarding_ipv6 off: no IPv6 packet is forwarded".to_owned())
        }
        Origin::Setting(key) => Some(format!("firewall {key}")),
        Origin::ZoneOption { zone, option } => {
            Some(format!("zone {} {option}", model.zones[zone].name))
        }
        Origin::Shorewall(Piece::NoIpv6) => Some("the model has no IPv6 zone".to_owned()),
        Origin::Stopped(index) => Some(super::stopped::describe(model, index)),
        Origin::Tunnel(index) => {
            let tunnel = &model.tunnels[index];
            let mut text = format!(
                "tunnel {} {}",
                tunnel.kind.shorewall(),
                model.zones[tunnel.zone].name
            );
            if !tunnel.gateways.is_empty() {
                let gateways: Vec<String> = tunnel.gateways.iter().map(written).collect();
                text.push(':');
                text.push_str(&gateways.join(","));
            }
            Some(text)
        }
        Origin::Shorewall(_) => None,
    }
}

/// What made a rule, as `explain --trace` shows it.
pub fn describe(model: &Model, origin: Origin) -> String {
    if let Some(text) = describe_item(model, origin) {
        return text;
    }
    let Origin::Shorewall(piece) = origin else {
        return String::new();
    };
    match piece {
        Piece::Loopback => "loopback: the firewall's traffic to itself",
        Piece::Conntrack => return conntrack_text(model),
        Piece::StateLog => {
            "related_log, invalid_log, untracked_log (untracked_disposition beside an Invalid rule), rules in the ALL or RELATED section: the state is decided in the zone pair's chain, logged when its level is set"
        }
        Piece::EstablishedInPair => {
            "established packets accepted in the zone pair's chain, after the rules of the ALL and ESTABLISHED sections"
        }
        Piece::NoIpv6 => "the model has no IPv6 zone",
        Piece::Tcpflags => "tcpflags: illegal TCP flag combinations",
        Piece::Nosmurfs => "nosmurfs: broadcast or multicast sources",
        Piece::RejectChain => "Shorewall's reject: how REJECT answers",
        Piece::AllowIcmps => "AllowICMPs: the ICMPv6 IPv6 needs (RFC 4890)",
        Piece::DropBroadcasts => {
            "Broadcast(DROP), Multicast(DROP): the policy's default actions, a silent drop before its verdict"
        }
        Piece::Dispatch => "dispatch to interface and zone-pair chains",
        Piece::NestedNatReturn => {
            "a nested zone's RETURN in nat PREROUTING (it has no CONTINUE policy): no parent's port forward, redirect or exemption, nor one-to-one NAT, takes its connections"
        }
        Piece::Blacklist => "the blacklist: [[blacklist]] entries before the rules, for the states of blacklist_states",
        Piece::CatchAll(_) => "catch-all: no zone pair claims the packet",
        Piece::Stopped => "the stopped state: what passes whatever the [[stopped]] entries say",
        Piece::ForwardClearMark => "FORWARD_CLEAR_MARK: forwarded packets lose the mark bits that source NAT tests",
        Piece::HelperNewOnly => "conntrack helpers: only a new connection is given one",
    }
    .to_owned()
}

/// What the conntrack piece does, by the model's dispositions.
fn conntrack_text(model: &Model) -> String {
    let d = &model.firewall.dispositions;
    let mut text = format!(
        "conntrack: established passes; related {}, invalid {}, untracked {} (the firewall's dispositions)",
        d.words(DispositionKey::Related),
        d.words(DispositionKey::Invalid),
        d.words(DispositionKey::Untracked)
    );
    let logged: Vec<&str> = LOGGED_STATES
        .iter()
        .filter(|(_, key)| {
            let firewall = &model.firewall;
            firewall.disposition_log(*key, false).is_some()
                || firewall.disposition_log(*key, true).is_some()
        })
        .map(|(state, _)| state_word(*state))
        .collect();
    if !logged.is_empty() {
        let _ = write!(
            text,
            "; {} logged and decided in the zone pair chains",
            logged.join(", ")
        );
    }
    let unlogged_in_pairs = |ipv6: bool| {
        model.firewall.state_logs.untracked.get(ipv6).is_none() && untracked_in_pairs(model, ipv6)
    };
    if unlogged_in_pairs(false) || unlogged_in_pairs(true) {
        text.push_str(
            "; untracked decided in the zone pair chains, none where an Invalid rule applies (as Shorewall 5.2.8)",
        );
    }
    text
}

// ----- small builders -----

fn accept() -> Statement {
    Statement::Verdict(Verdict::Accept)
}

fn drop_() -> Statement {
    Statement::Verdict(Verdict::Drop)
}

fn jump(chain: &str) -> Statement {
    Statement::Verdict(Verdict::Jump(chain.to_owned()))
}

fn shorewall(matches: Vec<Match>, statements: Vec<Statement>, piece: Piece) -> Rule {
    Rule::new(matches, statements, Origin::Shorewall(piece))
}

/// A piece's drop of packets from (or to) a network.
fn drop_net(family: Family, direction: Direction, network: &str, piece: Piece) -> Rule {
    shorewall(
        vec![address(family, direction, vec![net(network)])],
        vec![drop_()],
        piece,
    )
}

fn net(text: &str) -> IpNet {
    // Constants of this file only: they parse.
    text.parse()
        .unwrap_or_else(|_| IpNet::from(std::net::IpAddr::from([0, 0, 0, 0])))
}

fn address(family: Family, direction: Direction, nets: Vec<IpNet>) -> Match {
    Match::Address {
        family,
        direction,
        negated: false,
        nets,
    }
}

/// A port forward's or redirect's ORIGDEST on its nat rule (Rules.pm's
/// `-d ADDRESS`; for left-out networks, `! -d` or a chain returning on
/// each): the destination taken in, then those left out.
fn destination_addresses(family: Family, origdest: &Origdest) -> Vec<Match> {
    let taken = (!origdest.addresses.is_empty())
        .then(|| address(family, Direction::Destination, origdest.addresses.clone()));
    let left_out = (!origdest.excluded.is_empty()).then(|| Match::Address {
        family,
        direction: Direction::Destination,
        negated: true,
        nets: origdest.excluded.clone(),
    });
    taken.into_iter().chain(left_out).collect()
}

pub fn log(model: &Model, chain: &str, disposition: &str, level: LogLevel) -> Statement {
    let prefix = format!("{}:{chain}:{disposition}:", model.firewall.log_prefix);
    Statement::Log {
        prefix: cut_prefix(prefix).0,
        level,
        tag: None,
        ip_options: false,
    }
}

/// Shorewall's log_rule_limit (Chains.pm): a prefix over 29 characters is
/// cut to 28 and a space. Returns the prefix and how many of its first
/// characters it keeps.
fn cut_prefix(mut prefix: String) -> (String, usize) {
    if prefix.len() <= 29 {
        let kept = prefix.len();
        return (prefix, kept);
    }
    prefix.truncate(28);
    prefix.push(' ');
    (prefix, 28)
}

/// A log statement with a rule's, a port forward's or a redirect's tag, as
/// Shorewall's log_rule_limit
/// (Chains.pm, LOGTAGONLY=No) writes it: the tag and a space after the
/// prefix, and a prefix over 29 characters cut to 28 and a space. The
/// statement carries how much of the tag the cut kept, for `check`.
fn tagged(statement: Statement, tag: &Option<String>) -> Statement {
    match (statement, tag) {
        (
            Statement::Log {
                prefix,
                level,
                ip_options,
                ..
            },
            Some(tag),
        ) => {
            let (cut, kept) = cut_prefix(format!("{prefix}{tag} "));
            let kept = kept.saturating_sub(prefix.len()).min(tag.len());
            Statement::Log {
                prefix: cut,
                level,
                tag: Some(LogTag {
                    text: tag.clone(),
                    kept,
                }),
                ip_options,
            }
        }
        (statement, _) => statement,
    }
}

// ----- Shorewall's own chains -----

fn chain(name: &str, comment: &str, rules: Vec<Rule>) -> Chain {
    Chain {
        name: name.to_owned(),
        base: None,
        comment: Some(comment.to_owned()),
        rules,
    }
}

/// Shorewall's `tcpflags` chain, whose rules go to TCP_FLAGS_DISPOSITION
/// (Misc.pm): DROP, ACCEPT, or REJECT as iptables' bare REJECT target
/// answers, ICMP port unreachable. With TCP_FLAGS_LOG_LEVEL they go to
/// its `logflags` chain instead: logged as `logflags`, and a REJECT
/// answers with a TCP reset. Audited (A_DROP, A_REJECT), an audit record
/// before the verdict (after the log), and an unlogged A_REJECT goes to
/// Shorewall's `reject` chain (its A_REJECT chain: `AUDIT --type reject`,
/// `-g reject`), as a REJECT rule does. When the families' dispositions or log
/// levels differ (shorewall.conf's and shorewall6.conf's), the rules are
/// written once for each family, IPv4's then IPv6's, each with its
/// family's verdict.
fn tcpflags_chain(model: &Model) -> Chain {
    use TcpFlag::{Ack, Fin, Psh, Rst, Syn, Urg};
    let all_dispositions = &model.firewall.dispositions;
    let dispositions = all_dispositions.tcp_flags;
    let logs = model.firewall.tcp_flags_log;
    // One family's values serve both when they agree or IPv6 is absent.
    let same = all_dispositions.decided(DispositionKey::TcpFlags).same() && logs.same();
    let families: Vec<(Option<Family>, bool)> = if same || !model.has_family(true) {
        vec![(None, false)]
    } else if !model.has_family(false) {
        vec![(None, true)]
    } else {
        vec![(Some(Family::Ipv4), false), (Some(Family::Ipv6), true)]
    };
    let verdict = |ipv6: bool| {
        let (disposition, level) = (dispositions.get(ipv6), logs.get(ipv6));
        let word = all_dispositions.word(DispositionKey::TcpFlags, ipv6);
        // Misc.pm logs `logflags` with `--log-ip-options`; NFLOG takes no
        // such flag (log_rule_limit writes LOGPARMS for LOG alone).
        let logflags = |level: LogLevel| {
            let mut statement = log(model, "logflags", word, level);
            if let Statement::Log { ip_options, .. } = &mut statement {
                *ip_options = !matches!(level, LogLevel::Nflog(_));
            }
            statement
        };
        let mut statements: Vec<Statement> = level.map(logflags).into_iter().collect();
        let audited = all_dispositions.audited(DispositionKey::TcpFlags, ipv6);
        statements.extend(audited.then_some(Statement::Audit));
        statements.push(match (disposition, level) {
            (Disposition::Accept, _) => accept(),
            // Shorewall's A_REJECT chain: AUDIT, then `-g reject`.
            (Disposition::Reject, None) if audited => jump("rejection"),
            (Disposition::Reject, None) => Statement::Reject(Reject::PortUnreachable),
            (Disposition::Reject, Some(_)) => Statement::Reject(Reject::TcpReset),
            // CONTINUE is not a word TCP_FLAGS_DISPOSITION takes.
            (Disposition::Drop | Disposition::Continue, _) => drop_(),
        });
        statements
    };
    let all = vec![Fin, Syn, Rst, Psh, Ack, Urg];
    let flags = |mask: Vec<TcpFlag>, value: Vec<TcpFlag>| Match::TcpFlags { mask, value };
    let caught: Vec<Vec<Match>> = [
        (all.clone(), vec![Fin, Psh, Urg]),
        (all.clone(), vec![]),
        (vec![Syn, Rst], vec![Syn, Rst]),
        (vec![Fin, Rst], vec![Fin, Rst]),
        (vec![Fin, Syn], vec![Fin, Syn]),
        (vec![Fin, Psh, Ack], vec![Fin, Psh]),
    ]
    .into_iter()
    .map(|(mask, value)| vec![flags(mask, value)])
    .chain([vec![
        flags(vec![Fin, Syn, Rst, Ack], vec![Syn]),
        Match::Port {
            proto: PortProto::Tcp,
            direction: Direction::Source,
            ports: vec![PortRange::single(0)],
        },
    ]])
    .collect();
    let mut rules = Vec::new();
    for (family, ipv6) in families {
        for matches in &caught {
            let matches = family.map(Match::Family).into_iter().chain(matches.clone());
            rules.push(shorewall(matches.collect(), verdict(ipv6), Piece::Tcpflags));
        }
    }
    chain(
        "tcpflags",
        "tcpflags: TCP packets with illegal flag combinations",
        rules,
    )
}

/// Shorewall's `smurfs` chain; with SMURF_LOG_LEVEL its drops go through
/// `smurflog`, logged as `smurfs` (Misc.pm).
fn smurfs_chain(model: &Model) -> Chain {
    let logs = model.firewall.smurf_log;
    let dropped = |ipv6: bool, matches: Vec<Match>| {
        let mut statements: Vec<Statement> = logs
            .get(ipv6)
            .map(|level| log(model, "smurfs", "DROP", level))
            .into_iter()
            .collect();
        statements.push(drop_());
        shorewall(matches, statements, Piece::Nosmurfs)
    };
    let rules = vec![
        shorewall(
            vec![address(
                Family::Ipv4,
                Direction::Source,
                vec![net("0.0.0.0/32")],
            )],
            vec![Statement::Verdict(Verdict::Return)],
            Piece::Nosmurfs,
        ),
        // Only IPv4 has broadcasts: with a log for each family, IPv4's.
        dropped(
            false,
            if logs.same() {
                vec![Match::Fib(Fib::SourceIsBroadcast)]
            } else {
                vec![
                    Match::Family(Family::Ipv4),
                    Match::Fib(Fib::SourceIsBroadcast),
                ]
            },
        ),
        dropped(
            false,
            vec![address(
                Family::Ipv4,
                Direction::Source,
                vec![net("224.0.0.0/4")],
            )],
        ),
        // Shorewall6 drops its anycast addresses as sources first (Misc.pm
        // `-s $address` for each of `$ALL_ACASTS`, lib.runtime
        // convert_to_anycast: the global addresses, 2000::/3, of prefixes
        // up to /120): the subnet-router anycast address of each, which
        // the kernel's fib holds as anycast (the RFC 2526 ones, which it
        // does not, are not matched here).
        dropped(
            true,
            vec![
                address(Family::Ipv6, Direction::Source, vec![net("2000::/3")]),
                Match::Fib(Fib::SourceIsAnycast),
            ],
        ),
        dropped(
            true,
            vec![address(
                Family::Ipv6,
                Direction::Source,
                vec![net("ff00::/8")],
            )],
        ),
    ];
    chain(
        "smurfs",
        "nosmurfs: packets from broadcast or multicast sources",
        rules,
    )
}

/// Shorewall6's AllowICMPs (RFC 4890): the types IPv6 needs from anywhere,
/// and those it needs from link-local sources. Names as nft spells them.
pub(super) const NEEDED_ICMPV6: &[(u8, &str)] = &[
    (1, "destination-unreachable"),
    (2, "packet-too-big"),
    (3, "time-exceeded"),
    (4, "parameter-problem"),
    (133, "nd-router-solicit"),
    (134, "nd-router-advert"),
    (135, "nd-neighbor-solicit"),
    (136, "nd-neighbor-advert"),
    (137, "nd-redirect"),
    (141, "ind-neighbor-solicit"),
    (142, "ind-neighbor-advert"),
    (148, ""),
    (149, ""),
];
pub(super) const LINK_LOCAL_ICMPV6: &[(u8, &str)] = &[
    (130, "mld-listener-query"),
    (131, "mld-listener-report"),
    (132, "mld-listener-done"),
    (143, "mld2-listener-report"),
    (151, ""),
    (152, ""),
    (153, ""),
];

pub(super) fn icmpv6_types(table: &[(u8, &'static str)]) -> Vec<IcmpType> {
    table
        .iter()
        .map(|&(number, name)| IcmpType {
            number,
            code: None,
            name: (!name.is_empty()).then_some(name),
        })
        .collect()
}

fn allowicmps_chain() -> Chain {
    let types = |table| Match::IcmpType {
        family: Family::Ipv6,
        types: icmpv6_types(table),
    };
    let rules = vec![
        shorewall(
            vec![types(NEEDED_ICMPV6)],
            vec![accept()],
            Piece::AllowIcmps,
        ),
        shorewall(
            vec![
                address(Family::Ipv6, Direction::Source, vec![net("fe80::/10")]),
                types(LINK_LOCAL_ICMPV6),
            ],
            vec![accept()],
            Piece::AllowIcmps,
        ),
    ];
    chain(
        "allowicmps",
        "the ICMPv6 IPv6 needs (RFC 4890), as Shorewall6's AllowICMPs",
        rules,
    )
}

pub(super) fn allowicmps_jump() -> Rule {
    shorewall(
        vec![Match::Protocol(vec![L4::Icmpv6])],
        vec![jump("allowicmps")],
        Piece::AllowIcmps,
    )
}

/// The chains of Shorewall's Broadcast(DROP) and Multicast(DROP) default
/// actions that some rule jumps to: `broadcasts` runs both, `broadcast`
/// and `multicast` one each. IPv4 by the address types of the routing
/// table; IPv6 multicast by prefix and the firewall's anycast addresses as
/// in the reject chain.
fn default_action_chains(model: &Model, chains: &[Chain]) -> Vec<Chain> {
    let jumped = |name: &str| {
        chains.iter().any(|chain| {
            chain.rules.iter().any(|rule| {
                rule.statements
                    .iter()
                    .any(|s| matches!(s, Statement::Verdict(Verdict::Jump(to)) if to == name))
            })
        })
    };
    let both = [DefaultAction::Broadcast, DefaultAction::Multicast];
    let mut made = Vec::new();
    for (actions, name) in [
        (&both[..], "broadcasts"),
        (&both[..1], "broadcast"),
        (&both[1..], "multicast"),
    ] {
        if jumped(name) {
            made.push(default_action_chain(model, actions, name));
        }
    }
    made
}

/// A Broadcast or Multicast rule's matches, one set per family: its own
/// addresses, then the destination type as the policy's default action of
/// that name matches it (`default_action_chain`).
fn dest_type_sets(
    model: &Model,
    rule: &crate::model::Rule,
    dest_type: DestType,
    families: &[bool],
) -> Vec<Vec<Match>> {
    let addressed =
        rule.source.has_addresses() || rule.dest.has_addresses() || !rule.origdest.is_empty();
    families
        .iter()
        .filter_map(|&ipv6| {
            let mut matches = match addressed {
                true => address_matches(model, rule, ipv6)?,
                false => Vec::new(),
            };
            // Addresses say the family themselves.
            let typed = dest_type_matches(dest_type, ipv6);
            let implied = addressed && matches!(typed.first(), Some(Match::Family(_)));
            matches.extend(typed.into_iter().skip(usize::from(implied)));
            Some(matches)
        })
        .collect()
}

/// What Broadcast and Multicast match in one family: IPv4 by the routing
/// table's address types, IPv6 multicast by prefix and the firewall's
/// anycast addresses.
fn dest_type_matches(dest_type: DestType, ipv6: bool) -> Vec<Match> {
    match (dest_type, ipv6) {
        (DestType::Broadcast, false) => vec![
            Match::Family(Family::Ipv4),
            Match::Fib(Fib::DestinationIsBroadcastOrAnycast),
        ],
        (DestType::Multicast, false) => vec![
            Match::Family(Family::Ipv4),
            Match::Fib(Fib::DestinationIsMulticast),
        ],
        (DestType::Broadcast, true) => vec![
            address(Family::Ipv6, Direction::Destination, vec![net("2000::/3")]),
            Match::Fib(Fib::DestinationIsAnycast),
        ],
        (DestType::Multicast, true) => vec![address(
            Family::Ipv6,
            Direction::Destination,
            vec![net("ff00::/8")],
        )],
    }
}

fn default_action_chain(model: &Model, actions: &[DefaultAction], name: &str) -> Chain {
    let v4 = |fib| {
        shorewall(
            vec![Match::Family(Family::Ipv4), Match::Fib(fib)],
            vec![drop_()],
            Piece::DropBroadcasts,
        )
    };
    let mut rules = Vec::new();
    if model.has_family(false) {
        rules.push(v4(match actions {
            [DefaultAction::Broadcast] => Fib::DestinationIsBroadcastOrAnycast,
            [DefaultAction::Multicast] => Fib::DestinationIsMulticast,
            _ => Fib::DestinationIsBroadcastLike,
        }));
    }
    if model.has_family(true) && actions.contains(&DefaultAction::Broadcast) {
        rules.push(shorewall(
            vec![
                address(Family::Ipv6, Direction::Destination, vec![net("2000::/3")]),
                Match::Fib(Fib::DestinationIsAnycast),
            ],
            vec![drop_()],
            Piece::DropBroadcasts,
        ));
    }
    if model.has_family(true) && actions.contains(&DefaultAction::Multicast) {
        rules.push(drop_net(
            Family::Ipv6,
            Direction::Destination,
            "ff00::/8",
            Piece::DropBroadcasts,
        ));
    }
    let words: Vec<&str> = actions.iter().map(|a| a.keyword()).collect();
    let comment = format!(
        "{}: dropped silently before a policy's verdict",
        words.join(",")
    );
    chain(name, &comment, rules)
}

/// The jump to the chain of a policy's default actions; none when it has
/// none.
fn default_action_jump(actions: &[DefaultAction]) -> Option<Rule> {
    let name = match (
        actions.contains(&DefaultAction::Broadcast),
        actions.contains(&DefaultAction::Multicast),
    ) {
        (true, true) => "broadcasts",
        (true, false) => "broadcast",
        (false, true) => "multicast",
        (false, false) => return None,
    };
    Some(shorewall(
        Vec::new(),
        vec![jump(name)],
        Piece::DropBroadcasts,
    ))
}

/// Shorewall's `reject` chain and Shorewall6's, statement for statement
/// (tests/reject.rs holds them side by side). Shorewall6 drops instead of
/// answering packets to the anycast addresses of the firewall's global
/// subnets, which it lists when it starts; the kernel knows the
/// subnet-router ones as the anycast type.
fn rejection_chain() -> Chain {
    let v4 = Match::Family(Family::Ipv4);
    let v6 = Match::Family(Family::Ipv6);
    let proto = |l4| Match::Protocol(vec![l4]);
    let refuse = |matches, statement| shorewall(matches, vec![statement], Piece::RejectChain);
    let reject = |how| Statement::Reject(how);
    let rules = vec![
        refuse(
            vec![v4.clone(), Match::Fib(Fib::SourceIsBroadcast)],
            drop_(),
        ),
        refuse(
            vec![
                address(Family::Ipv6, Direction::Destination, vec![net("2000::/3")]),
                Match::Fib(Fib::DestinationIsAnycast),
            ],
            drop_(),
        ),
        refuse(
            vec![address(
                Family::Ipv4,
                Direction::Source,
                vec![net("224.0.0.0/4")],
            )],
            drop_(),
        ),
        refuse(
            vec![address(
                Family::Ipv6,
                Direction::Source,
                vec![net("ff00::/8")],
            )],
            drop_(),
        ),
        refuse(vec![proto(L4::Igmp)], drop_()),
        refuse(vec![proto(L4::Tcp)], reject(Reject::TcpReset)),
        refuse(vec![proto(L4::Udp)], reject(Reject::PortUnreachable)),
        refuse(
            vec![v4.clone(), proto(L4::Icmp)],
            reject(Reject::HostUnreachable),
        ),
        refuse(
            vec![v6.clone(), proto(L4::Icmpv6)],
            reject(Reject::AddrUnreachable),
        ),
        refuse(vec![v4], reject(Reject::HostProhibited)),
        refuse(vec![v6], reject(Reject::AdminProhibited)),
    ];
    chain(
        "rejection",
        "REJECT answers as Shorewall's: TCP reset, ICMP unreachable otherwise",
        rules,
    )
}

// ----- interfaces -----

/// How nftables names an interface: `eth+` matches every name starting
/// with `eth`; `None` for `+`, which is every interface.
pub fn if_name(interface: &Interface) -> Option<IfName> {
    match interface.physical.strip_suffix('+') {
        Some("") => None,
        Some(stem) => Some(IfName::Prefix(stem.to_owned())),
        None => Some(IfName::Exact(interface.physical.clone())),
    }
}

fn is_wildcard(interface: &Interface) -> bool {
    interface.physical.ends_with('+')
}

fn interface_index(model: &Model, interface: &Interface) -> usize {
    model
        .interfaces
        .iter()
        .position(|i| std::ptr::eq(i, interface))
        .unwrap_or(0)
}

fn interface_chain_name(interface: &Interface, hook: &str) -> String {
    format!("{hook}-{}", interface_chain_suffix(&interface.name))
}

/// An interface's name in its chains' names (`in-ppp-any` for `ppp+`):
/// the analyzer refuses two interfaces it gives one name.
pub fn interface_chain_suffix(name: &str) -> String {
    name.replace('+', "-any")
}

/// DHCP's ports for the families of the interface's zone that have
/// `dhcp` (in `options`, or that family's own list): 67-68 (IPv4),
/// 546-547 (DHCPv6, as Shorewall6), each narrowed to its family: the
/// other family's packets come in by the interface too, and the product
/// that does not know the interface sends them to its catch-all
/// (helper-252: IPv6 to udp 67 on an IPv4 zone's interface was accepted).
pub(super) fn dhcp_matches(model: &Model, interface: &Interface) -> Vec<Vec<Match>> {
    let ports = |low, high| Match::Port {
        proto: PortProto::Udp,
        direction: Direction::Destination,
        ports: vec![PortRange { low, high }],
    };
    family_matches(model, interface, InterfaceOption::Dhcp)
        .into_iter()
        .map(|(family, mut matches)| {
            if matches.is_empty() {
                matches.push(Match::Family(family));
            }
            matches.push(match family {
                Family::Ipv4 => ports(67, 68),
                Family::Ipv6 => ports(546, 547),
            });
            matches
        })
        .collect()
}

/// The families of the interface that have the option, each with the
/// match that narrows a rule to it: none where the interface carries that
/// family alone, `meta nfproto` where it carries both.
fn family_matches(
    model: &Model,
    interface: &Interface,
    option: InterfaceOption,
) -> Vec<(Family, Vec<Match>)> {
    let carried = model.interface_family(interface_index(model, interface));
    let both = carried.has_ipv4() && carried.has_ipv6();
    [(Family::Ipv4, false), (Family::Ipv6, true)]
        .into_iter()
        .filter(|(_, ipv6)| carried.has(*ipv6) && interface.has_for(option, *ipv6))
        .map(|(family, _)| {
            let narrowed = if both {
                vec![Match::Family(family)]
            } else {
                vec![]
            };
            (family, narrowed)
        })
        .collect()
}

/// An option's rule for every family that has it: one rule without a
/// family match when each family the interface carries has it.
fn option_matches(
    model: &Model,
    interface: &Interface,
    option: InterfaceOption,
) -> Vec<Vec<Match>> {
    let families = family_matches(model, interface, option);
    let carried = model.interface_family(interface_index(model, interface));
    let all = usize::from(carried.has_ipv4()) + usize::from(carried.has_ipv6());
    if families.len() == all {
        vec![vec![]]
    } else {
        families.into_iter().map(|(_, matches)| matches).collect()
    }
}

/// The source matches of the hosts entries on the interface whose line
/// has the option (`tcpflags`), with their zone, in zone
/// order (Misc.pm find_hosts_by_option: `-s NET` in the interface's input
/// and forward option chains), in each family where the interface itself
/// lacks the option (where it has it, its own rule takes every source).
fn hosts_option_matches(
    model: &Model,
    interface: &Interface,
    option: InterfaceOption,
) -> Vec<(usize, Vec<Match>)> {
    let index = interface_index(model, interface);
    let has = |h: &crate::model::Hosts| match option {
        InterfaceOption::Tcpflags => h.tcpflags,
        _ => false,
    };
    let carried = model.interface_family(index);
    let mut out = Vec::new();
    for (zone, z) in model.zones.iter().enumerate() {
        for hosts in z.hosts.iter().filter(|h| h.interface == index && has(h)) {
            let member = Member {
                interface,
                index,
                networks: &hosts.networks,
                ipset: hosts.ipset.map(|set| &model.ipsets[set]),
                destonly: hosts.destonly,
                routeback: hosts.routeback,
            };
            for ipv6 in [false, true] {
                if !carried.has(ipv6) || interface.has_for(option, ipv6) {
                    continue;
                }
                out.extend(
                    member
                        .address_match(Side::In, ipv6)
                        .map(|m| (zone, vec![m])),
                );
            }
        }
    }
    out
}

/// Options applied to new packets entering (hook "in" and "fwd") or
/// leaving ("out") an interface, in Shorewall's order: sfilter (forward),
/// smurfs, dhcp, tcpflags.
fn interface_rules(model: &Model, interface: &Interface, hook: &str) -> Vec<Rule> {
    let index = interface_index(model, interface);
    let made = |option, matches, statements| {
        Rule::new(
            matches,
            statements,
            Origin::InterfaceOption {
                interface: index,
                option,
            },
        )
    };
    let mut rules = Vec::new();
    let incoming = hook != "out";
    // The sfilter first, before the options' chains (Misc.pm counts it
    // in the chain's `filtered` rules at its head): a TCP_FLAGS_DISPOSITION
    // of ACCEPT or REJECT does not decide what sfilter drops (helper-258).
    // A wildcard's sfilter is the forward chain's, ahead of the conntrack
    // map (early_sfilters).
    if hook == "fwd" && !is_wildcard(interface) {
        rules.extend(sfilter(model, interface, Vec::new()));
    }
    if incoming {
        // Shorewall's jump is for NEW, INVALID and UNTRACKED packets: the
        // conntrack map has decided the others, unless related is logged
        // (then decided later, in the pair chain).
        // Either family's: the other's related packets never get here.
        let states = match model.firewall.state_logs.related.either() {
            true => vec![Match::CtState(vec![
                CtState::New,
                CtState::Invalid,
                CtState::Untracked,
            ])],
            false => vec![],
        };
        for mut matches in option_matches(model, interface, InterfaceOption::Nosmurfs) {
            matches.extend(states.iter().cloned());
            rules.push(made("nosmurfs", matches, vec![jump("smurfs")]));
        }
    }
    if interface.dhcp() {
        // Forwarded back out of the interface: a bridge's alone (Misc.pm
        // adds the forward option chain's DHCP rule for `bridge`, not
        // for `routeback`).
        for matches in dhcp_matches(model, interface) {
            match hook {
                "fwd" if interface.has(InterfaceOption::Bridge) => {
                    let mut all: Vec<Match> = if_name(interface)
                        .map(|name| Match::Interface {
                            side: Side::Out,
                            negated: false,
                            names: vec![name],
                        })
                        .into_iter()
                        .collect();
                    all.extend(matches);
                    rules.push(made("dhcp", all, vec![accept()]));
                }
                "fwd" => {}
                _ => rules.push(made("dhcp", matches, vec![accept()])),
            }
        }
    }
    if incoming {
        for mut matches in option_matches(model, interface, InterfaceOption::Tcpflags) {
            matches.push(Match::Protocol(vec![L4::Tcp]));
            rules.push(made("tcpflags", matches, vec![jump("tcpflags")]));
        }
        for (zone, mut matches) in hosts_option_matches(model, interface, InterfaceOption::Tcpflags)
        {
            matches.push(Match::Protocol(vec![L4::Tcp]));
            let origin = Origin::ZoneOption {
                zone,
                option: "hosts tcpflags",
            };
            rules.push(Rule::new(matches, vec![jump("tcpflags")], origin));
        }
        if interface.maclist() {
            // IPv4's alone (`options` of an interface of IPv4 zones, or
            // `options_ipv4`): IPv6 from it is not Shorewall6's to verify.
            let family = model
                .has_family(true)
                .then_some(Match::Family(Family::Ipv4));
            let states = Match::CtState(vec![CtState::New, CtState::Untracked]);
            let chain = maclist_chain_name(interface);
            let matches = family.into_iter().chain([states]).collect();
            rules.push(made("maclist", matches, vec![jump(&chain)]));
        }
    }
    rules
}

/// Shorewall's sfilter (Misc.pm: `-o IF -g sfilter` first in the
/// interface's forward chain): what came in by the interface (`inbound`
/// says how, where the rule is not in the interface's own chain) and
/// would leave by it is dropped, logged at SFILTER_LOG_LEVEL (info),
/// whatever its zones and its conntrack state; routeback and routefilter
/// lift it. `-o eth+` leaves by every interface the wildcard covers, the
/// named ones of other zones included.
fn sfilter(model: &Model, interface: &Interface, inbound: Vec<Match>) -> Option<Rule> {
    let carried = model.interface_family(interface_index(model, interface));
    let families: Vec<bool> = [false, true]
        .into_iter()
        .filter(|&ipv6| carried.has(ipv6) && sfiltered(model, interface, ipv6))
        .collect();
    let mut matches = inbound;
    match families[..] {
        [] => return None,
        // One of the interface's two families: the other has no sfilter.
        [ipv6] if carried.has_ipv4() && carried.has_ipv6() => {
            matches.insert(0, Match::Family(Family::of(ipv6)));
        }
        _ => {}
    }
    sfilter_rule(model, interface, matches)
}

/// The sfilter's rule after `matches`: `-o IF`, logged and dropped.
fn sfilter_rule(model: &Model, interface: &Interface, mut matches: Vec<Match>) -> Option<Rule> {
    matches.push(Match::Interface {
        side: Side::Out,
        negated: false,
        names: vec![if_name(interface)?],
    });
    Some(sfilter_drop(model, interface, matches))
}

/// The interface's sfilter's drop, logged, of what `matches` match.
fn sfilter_drop(model: &Model, interface: &Interface, matches: Vec<Match>) -> Rule {
    Rule::new(
        matches,
        vec![log(model, "sfilter", "DROP", LogLevel::Info), drop_()],
        Origin::InterfaceOption {
            interface: interface_index(model, interface),
            option: "sfilter",
        },
    )
}

/// The sfilters of the wildcard interfaces, for the forward chain ahead
/// of its conntrack map: in Shorewall the sfilter comes before any
/// conntrack match (the pair chains' ESTABLISHED accept included), and a
/// wildcard's `-o eth+` also catches what leaves by a named interface it
/// covers, replies to that interface's connections included. A named
/// interface's sfilter (in and out by that one interface) passes nothing
/// that a connection could be established by, so its place in the
/// interface's chain, after the conntrack map, gives the same verdicts.
///
/// Where the blacklist has entries (`option_place`), the sfilter is in the
/// zone pairs' chains, after their blacklist and before their conntrack
/// matches: then it drops only what the dispatch sends to a pair.
pub(crate) fn early_sfilters(model: &Model) -> Vec<Rule> {
    let places = [false, true].map(|ipv6| option_place(model, ipv6));
    if places == [OptionPlace::Interface; 2] {
        return interface_early_sfilters(model);
    }
    let pairs = reachable_pairs(model);
    let wildcards = model.interfaces.iter().filter(|i| is_wildcard(i));
    let mut rules = Vec::new();
    for i in wildcards {
        let carried = model.interface_family(interface_index(model, i));
        for ipv6 in [false, true] {
            if !carried.has(ipv6) || !sfiltered(model, i, ipv6) {
                continue;
            }
            let family = Match::Family(Family::of(ipv6));
            let inbound: Vec<Vec<Match>> = match places[usize::from(ipv6)] {
                OptionPlace::Interface => vec![dispatch_matches(model, Side::In, i)],
                OptionPlace::Pairs => pair_sfilter_matches(model, &pairs, i, ipv6),
            };
            for matches in inbound {
                let mut all = vec![family.clone()];
                all.extend(matches);
                rules.extend(sfilter_rule(model, i, all));
            }
        }
    }
    rules
}

/// The dispatch's matches of every pair a wildcard's packets may be sent
/// to by an interface it covers: where its sfilter sits when the options
/// are the pairs' (`OptionPlace::Pairs`).
fn pair_sfilter_matches(
    model: &Model,
    pairs: &[(ZoneId, ZoneId)],
    wildcard: &Interface,
    ipv6: bool,
) -> Vec<Vec<Match>> {
    let stem = wildcard.physical.trim_end_matches('+');
    let target = |_: (ZoneId, ZoneId), sides: &[(Side, Member)]| {
        let (inbound, outbound) = (sides[0].1.interface, sides[1].1.interface);
        if std::ptr::eq(inbound, wildcard) && outbound.physical.starts_with(stem) {
            Verdict::Drop
        } else {
            Verdict::Return
        }
    };
    forward_jumps(model, pairs, ipv6, true, &target)
        .into_iter()
        .filter(|j| j.target == Verdict::Drop)
        .map(|j| j.matches)
        .collect()
}

/// The wildcards' sfilters where no family's blacklist has entries.
fn interface_early_sfilters(model: &Model) -> Vec<Rule> {
    model
        .interfaces
        .iter()
        .filter(|i| is_wildcard(i))
        .filter_map(|i| {
            let mut inbound = dispatch_matches(model, Side::In, i);
            // The wildcard is its zones' families' alone: Shorewall6 has
            // no eth+ of an IPv4 zone, and its packets go on to the
            // forward chain's end (after the conntrack map, with no IPv6
            // zone in the model, the NoIpv6 drop).
            let carried = model.interface_family(interface_index(model, i));
            if !(carried.has_ipv4() && carried.has_ipv6()) {
                inbound.insert(0, Match::Family(Family::of(carried.has_ipv6())));
            }
            sfilter(model, i, inbound)
        })
        .collect()
}

fn interface_chains(model: &Model) -> Vec<Chain> {
    let mut chains = Vec::new();
    for hook in ["in", "fwd", "out"] {
        for interface in &model.interfaces {
            let rules = interface_rules(model, interface, hook);
            if !rules.is_empty() {
                let mut options: Vec<String> =
                    interface.options.iter().map(ToString::to_string).collect();
                for (ipv6, family) in [(false, "ipv4"), (true, "ipv6")] {
                    options.extend(interface.options_of(ipv6).map(|o| format!("{o}({family})")));
                }
                let comment = if options.is_empty() {
                    format!("{}: Shorewall's sfilter", interface.name)
                } else {
                    format!("{} options: {}", interface.name, options.join(","))
                };
                chains.push(Chain {
                    name: interface_chain_name(interface, hook),
                    base: None,
                    comment: Some(comment),
                    rules,
                });
            }
        }
    }
    chains
}

// ----- MAC verification -----

/// An interface's MAC verification chain, named as Shorewall names it
/// (`eth1_mac`; no zone pair's name is without `-`).
fn maclist_chain_name(interface: &Interface) -> String {
    format!("{}_mac", interface_chain_suffix(&interface.name))
}

/// Shorewall's `IF_mac` chain of each interface with `maclist` (Misc.pm
/// setup_mac_lists): its `[[maclist]]` entries in order, one rule per
/// address (ACCEPT returns to the interface's chain, REJECT is
/// Shorewall's `reject`); then, when the end logs or does not accept,
/// broadcasts and multicasts from the interface's own addresses return;
/// then MACLIST_LOG_LEVEL and MACLIST_DISPOSITION.
fn maclist_chains(model: &Model) -> Vec<Chain> {
    let mut chains = Vec::new();
    for (index, interface) in model.interfaces.iter().enumerate() {
        if !interface.maclist() {
            continue;
        }
        let name = maclist_chain_name(interface);
        // Shorewall's own chain name in the log prefix: `eth+_mac`.
        let logged_as = format!("{}_mac", interface.name);
        let mut rules = Vec::new();
        let listed = model
            .maclist
            .iter()
            .enumerate()
            .filter(|(_, e)| e.interface == index);
        for (at, entry) in listed {
            let mac = entry.mac.map(|mac| Match::EtherSource(vec![mac]));
            let sources: Vec<Option<IpNet>> = match entry.addresses.is_empty() {
                true => vec![None],
                false => entry.addresses.iter().copied().map(Some).collect(),
            };
            for source in sources {
                let mut matches: Vec<Match> = mac.iter().cloned().collect();
                matches
                    .extend(source.map(|net| address(Family::Ipv4, Direction::Source, vec![net])));
                let statements = maclist_verdict(model, &logged_as, entry.disposition, entry.log);
                rules.push(Rule::new(matches, statements, Origin::Maclist(at)));
            }
        }
        let firewall = &model.firewall;
        if firewall.maclist_log.is_some() || firewall.maclist_disposition != Disposition::Accept {
            let own = Match::Fib(Fib::SourceIsInterfaceAddress);
            let option = Origin::InterfaceOption {
                interface: index,
                option: "maclist",
            };
            let to = [
                Match::Fib(Fib::DestinationIsBroadcast),
                address(
                    Family::Ipv4,
                    Direction::Destination,
                    vec![net("224.0.0.0/4")],
                ),
            ];
            for dest in to {
                let matches = vec![Match::Family(Family::Ipv4), own.clone(), dest];
                let verdict = vec![Statement::Verdict(Verdict::Return)];
                rules.push(Rule::new(matches, verdict, option));
            }
        }
        let end = maclist_verdict(
            model,
            &logged_as,
            firewall.maclist_disposition,
            firewall.maclist_log,
        );
        rules.push(Rule::new(
            Vec::new(),
            end,
            Origin::Setting("maclist_disposition"),
        ));
        let comment = format!("{}: MAC verification", interface.name);
        chains.push(chain(&name, &comment, rules));
    }
    chains
}

/// A maclist disposition's statements: the log (prefixed with
/// Shorewall's name of the chain), then ACCEPT as a return to the
/// interface's chain, DROP, or REJECT as Shorewall's `reject`.
fn maclist_verdict(
    model: &Model,
    chain: &str,
    disposition: Disposition,
    level: Option<LogLevel>,
) -> Vec<Statement> {
    let mut statements: Vec<Statement> = level
        .map(|level| log(model, chain, disposition.word(), level))
        .into_iter()
        .collect();
    statements.push(match disposition {
        Disposition::Accept | Disposition::Continue => Statement::Verdict(Verdict::Return),
        Disposition::Drop => drop_(),
        Disposition::Reject => jump("rejection"),
    });
    statements
}

/// A `[[maclist]]` entry as a rule's comment names it.
fn maclist_text(model: &Model, entry: &crate::model::MaclistEntry) -> String {
    let mut text = format!(
        "maclist {} {}",
        model.interfaces[entry.interface].name, entry.disposition
    );
    if let Some(mac) = entry.mac {
        let _ = write!(text, " {mac}");
    }
    if !entry.addresses.is_empty() {
        let addresses: Vec<String> = entry.addresses.iter().map(written).collect();
        let _ = write!(text, " {}", addresses.join(","));
    }
    text
}

// ----- zone pairs -----

/// The ordered pairs that traffic can take, as (source, dest): the
/// firewall's pairs and every pair of zones that have interfaces.
pub fn reachable_pairs(model: &Model) -> Vec<(ZoneId, ZoneId)> {
    let has_interfaces = |id: ZoneId| match id {
        ZoneId::Firewall => true,
        ZoneId::Zone(index) => model.has_members(index),
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
        (ZoneId::Zone(s), ZoneId::Zone(d)) if s == d => member::intra_zone_forward(model, s),
        _ => true,
    }
}

/// The families a pair carries: `[ipv4, ipv6]`.
pub(super) fn pair_families(model: &Model, pair: (ZoneId, ZoneId)) -> [bool; 2] {
    let (s, d) = (model.zone_family(pair.0), model.zone_family(pair.1));
    let v4 = s.has_ipv4() && d.has_ipv4() && model.has_family(false);
    let v6 = s.has_ipv6() && d.has_ipv6() && model.has_family(true);
    [v4, v6]
}

/// A model item that makes rules in pair chains.
#[derive(Clone, Copy)]
enum PairItem {
    Dnat(usize),
    Redirect(usize),
    Rule(usize),
}

/// Each pair's items with where they start in the model's file.
type PairItems = Vec<Vec<(usize, PairItem)>>;

/// A pair and its items, to be lowered into its chain's rules.
type PairWork = ((ZoneId, ZoneId), Vec<(usize, PairItem)>);

/// The items of each pair (by its place in `pairs`), in the model's file
/// order, as Shorewall's one rules file orders them (first match wins).
/// One pass over the items: an item that names both its zones goes to its
/// one pair at once, and only `all` is compared with every pair.
fn pair_items(model: &Model, pairs: &[(ZoneId, ZoneId)]) -> PairItems {
    let place: HashMap<(ZoneId, ZoneId), usize> = pairs
        .iter()
        .enumerate()
        .map(|(n, &pair)| (pair, n))
        .collect();
    let mut items: PairItems = vec![Vec::new(); pairs.len()];
    let add =
        |items: &mut PairItems, (source, dest): (ZoneRef, ZoneRef), entry: (usize, PairItem)| {
            if let (ZoneRef::One(source), ZoneRef::One(dest)) = (source, dest) {
                if let Some(&n) = place.get(&(source, dest)) {
                    items[n].push(entry);
                }
                return;
            }
            for (n, &pair) in pairs.iter().enumerate() {
                if applies_to(source, dest, pair) {
                    items[n].push(entry);
                }
            }
        };
    for (index, dnat) in model.dnats.iter().enumerate() {
        let dest = ZoneRef::One(ZoneId::Zone(dnat.dest));
        let entry = (dnat.span.start, PairItem::Dnat(index));
        add(&mut items, (dnat.source.zone, dest), entry);
    }
    for (index, redirect) in model.redirects.iter().enumerate() {
        for (n, &pair) in pairs.iter().enumerate() {
            if pair.1 == ZoneId::Firewall && redirect.redirects_from(pair.0) {
                items[n].push((redirect.span.start, PairItem::Redirect(index)));
            }
        }
    }
    // The `Invalid` macro's rules see INVALID packets only when their
    // disposition lets them through to the rules (CONTINUE), or when the
    // pair chain decides them (`invalid_log`: the rules run in Shorewall's
    // `_net-fw` before its log); they come first, as Shorewall's INVALID
    // section precedes the NEW one.
    // Per family: a family whose INVALID packets are dropped or rejected
    // first never reaches the rules, so where either family's continue,
    // the rules are there for it.
    let invalid_reach = model
        .firewall
        .dispositions
        .invalid
        .any(&Disposition::Continue)
        || invalid_in_pairs(model);
    for (index, rule) in model.rules.iter().enumerate() {
        let at = match rule.in_invalid_section() {
            false => rule.span.start,
            true if invalid_reach => 0,
            true => continue,
        };
        add(
            &mut items,
            (rule.source.zone, rule.dest.zone),
            (at, PairItem::Rule(index)),
        );
    }
    for pair_items in &mut items {
        pair_items.sort_by_key(|(at, _)| *at);
    }
    items
}

fn pair_chains(model: &Model, pairs: &[(ZoneId, ZoneId)]) -> Vec<Chain> {
    let items = pair_items(model, pairs);
    let weights: Vec<usize> = items.iter().map(Vec::len).collect();
    let mut work: Vec<PairWork> = pairs.iter().copied().zip(items).collect();
    // Each pair's chain depends on the model alone: a big model's pairs
    // are lowered on every core, in runs of consecutive pairs, and put
    // back in order.
    let mut runs: Vec<_> = weight_runs(&weights)
        .iter()
        .rev()
        .map(|run| work.split_off(run.start))
        .collect();
    runs.reverse();
    let untracked = untracked_in_pairs(model, false) || untracked_in_pairs(model, true);
    let lower_run = |run: Vec<PairWork>| -> Vec<PairRules> {
        run.into_iter()
            .map(|(pair, items)| pair_rules(model, pair, items, untracked))
            .collect()
    };
    let chains: Vec<PairRules> = std::thread::scope(|scope| {
        let mut runs = runs.into_iter();
        let first = runs.next().unwrap_or_default();
        let others: Vec<_> = runs
            .map(|run| scope.spawn(move || lower_run(run)))
            .collect();
        let mut chains = lower_run(first);
        for other in others {
            chains.extend(
                other
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p)),
            );
        }
        chains
    });
    pairs
        .iter()
        .zip(chains)
        .map(|(&pair, chain)| {
            let PairRules {
                mut rules,
                mut own,
                mut own_families,
                new_at,
            } = chain;
            // A zone's `mss` makes the pair's chain in Shorewall, a CONTINUE
            // pair's too (setup_zone_mss writes into it before the rules).
            let clamps = zone_mss_rules(model, pair);
            if !clamps.is_empty() {
                own = true;
                own_families = pair_families(model, pair);
            }
            let name = model.pair_name(pair.0, pair.1);
            let jumps = synflood_jumps(model, pair, own);
            if !jumps.is_empty() && new_at <= rules.len() {
                let before = &rules[..new_at];
                if !before.iter().any(Rule::decides_every_packet) {
                    rules.splice(new_at..new_at, jumps);
                }
            }
            // Every rule ends in a verdict: after one that matches everything,
            // later rules and the policy can never run, so they are left out.
            let unconditional = rules.iter().position(Rule::decides_every_packet);
            if let Some(at) = unconditional {
                rules.truncate(at + 1);
            }
            let decision = model.matrix.get(pair.0, pair.1);
            let split = split_decisions(model, pair);
            let ipv6 = pair_families(model, pair)[1];
            let comment = match (unconditional, decision) {
                (None, Some(_)) if !split.is_empty() => {
                    let has_rules = own;
                    let mut comments = Vec::new();
                    for (family, decision) in split {
                        let part =
                            policy_rules(model, &name, pair, decision, family.is_ipv6(), has_rules);
                        rules.extend(part.into_iter().map(|mut rule| {
                            rule.matches.insert(0, Match::Family(family));
                            rule
                        }));
                        comments.push(format!(
                            "{} {}",
                            family.name(),
                            describe_item(model, policy_origin(pair, decision)).unwrap_or_default()
                        ));
                    }
                    Some(format!("{name}: {}", comments.join("; ")))
                }
                (None, Some(decision)) => {
                    // The pair's own items decide, not the state head every
                    // pair chain gets (Shorewall makes no chain for that).
                    let has_rules = own;
                    rules.extend(policy_rules(model, &name, pair, decision, ipv6, has_rules));
                    Some(policy_comment(model, pair, decision))
                }
                (Some(_), _) => Some(format!(
                    "{name}: a rule decides every packet; no policy is reached"
                )),
                (None, None) => None,
            };
            rules.splice(0..0, clamps);
            let rules = without_chainless_families(model, pair, (own, own_families), rules);
            Chain {
                name,
                base: None,
                comment,
                rules,
            }
        })
        .collect()
}

/// The pair chain's rules less those of the families Shorewall makes no
/// chain for: a family whose decision is CONTINUE and of which the pair
/// has no rules of its own (Rules.pm's complete_policy_chains makes no
/// chain of a CONTINUE policy; Shorewall's and Shorewall6's rules files
/// each make their own). That family's packets, every state (the state
/// head included), go on to the next dispatch rule, a nested zone's
/// parent's, or the catch-all.
fn without_chainless_families(
    model: &Model,
    pair: (ZoneId, ZoneId),
    (own, own_families): (bool, [bool; 2]),
    rules: Vec<Rule>,
) -> Vec<Rule> {
    let continues = |v6: bool| {
        (model.matrix.family(pair.0, pair.1, v6))
            .is_some_and(|d| d.action == PolicyAction::Continue)
    };
    let families = pair_families(model, pair);
    if families == [false, false] {
        // A pair of no common family keeps its decision as IPv4's.
        return if continues(false) && !own {
            Vec::new()
        } else {
            rules
        };
    }
    let carried: Vec<bool> = [false, true]
        .into_iter()
        .filter(|&v6| families[usize::from(v6)])
        .collect();
    let kept: Vec<Family> = (carried.iter().copied())
        .filter(|&v6| !continues(v6) || own_families[usize::from(v6)])
        .map(Family::of)
        .collect();
    match kept.as_slice() {
        [] => Vec::new(),
        [family] if carried.len() == 2 => (rules.into_iter())
            .filter_map(
                |mut rule| match rule.matches.iter().find_map(Match::family) {
                    Some(named) if named != *family => None,
                    Some(_) => Some(rule),
                    None => {
                        rule.matches.insert(0, Match::Family(*family));
                        Some(rule)
                    }
                },
            )
            .collect(),
        _ => rules,
    }
}

/// A pair chain's rules before its policy, and whether the pair's own
/// items (rules, port forwards' accepts, tunnels) made any of them: the
/// state head alone makes no chain in Shorewall.
struct PairRules {
    rules: Vec<Rule>,
    own: bool,
    /// Whether the pair's own items made rules of IPv4, of IPv6: which of
    /// Shorewall's and Shorewall6's firewalls have the chain.
    own_families: [bool; 2],
    /// Where the NEW section begins: the place of a policy's syn-flood jump.
    new_at: usize,
}

/// One pair's rules, before its policy: the state head, then its `Invalid`
/// rules, tunnels, its other rules and port forwards' accepts, folded. `untracked`: whether the
/// pair chains decide untracked packets ([`untracked_in_pairs`]).
fn pair_rules(
    model: &Model,
    pair: (ZoneId, ZoneId),
    items: Vec<(usize, PairItem)>,
    untracked: bool,
) -> PairRules {
    let name = model.pair_name(pair.0, pair.1);
    let families = pair_families(model, pair);
    let (head, items) = state_head(model, (pair, untracked), &name, items);
    let invalid = fold(
        &name,
        families,
        pair_item_rules(model, &name, families, head.invalid_items),
    );
    // `Invalid` rules are in the rules file's INVALID section (the
    // Shorewall backend writes them there), before the NEW section's head.
    let (invalid_rules, items): (Vec<_>, Vec<_>) = items.into_iter().partition(
        |(_, item)| matches!(item, PairItem::Rule(index) if model.rules[*index].in_invalid_section()),
    );
    let mut rules = pair_item_rules(model, &name, families, invalid_rules);
    let invalid_count = rules.len();
    // Tunnels next: Shorewall inserts them at the head of the NEW section,
    // before every line of the rules file's NEW section.
    for (index, tunnel) in model.tunnels.iter().enumerate() {
        rules.extend(tunnel_rules(model, tunnel, index, pair, families));
    }
    rules.extend(pair_item_rules(model, &name, families, items));
    // A policy's syn-flood jump goes where Shorewall's NEW section begins,
    // after the `Invalid` rules: folded apart only then, to keep every
    // other chain as it was.
    let rules = if synflood_policies(model, pair).is_empty() {
        (0, fold(&name, families, rules))
    } else {
        let rest = rules.split_off(invalid_count);
        let mut rules = fold(&name, families, rules);
        let count = rules.len();
        rules.extend(fold(&name, families, rest));
        (count, rules)
    };
    let (new_count, rules) = rules;
    let own_families = [false, true].map(|v6| {
        let family = Family::of(v6);
        head.own[usize::from(v6)]
            || (invalid.iter().chain(&rules)).any(|r| rule_families(model, r).contains(&family))
    });
    let own = !invalid.is_empty() || !rules.is_empty() || head.own.contains(&true);
    let mut chain = head.before;
    chain.extend(invalid);
    chain.extend(head.after);
    let new_at = chain.len() + new_count;
    chain.extend(rules);
    PairRules {
        rules: chain,
        own,
        own_families,
        new_at,
    }
}

/// The head of a pair chain for the states decided there, as Shorewall's
/// state sections (none while the `ct state vmap` decides every state):
/// the rules of the ALL section, those of the ESTABLISHED section and the
/// established state's accept, those of the RELATED section and the
/// related state's rule, the `Invalid` macro's items that run before
/// the invalid state's log and disposition (with `invalid_log`: Shorewall's
/// `_net-fw`), then the invalid and untracked states' rules. `own`:
/// whether rules of the pair are in the sections before NEW, of IPv4 and
/// of IPv6.
struct StateHead {
    before: Vec<Rule>,
    invalid_items: Vec<(usize, PairItem)>,
    after: Vec<Rule>,
    own: [bool; 2],
}

/// The pair's state head, and the items left for the NEW section.
fn state_head(
    model: &Model,
    (pair, untracked): ((ZoneId, ZoneId), bool),
    name: &str,
    items: Vec<(usize, PairItem)>,
) -> (StateHead, Vec<(usize, PairItem)>) {
    let logs = &model.firewall.state_logs;
    let mut head = StateHead {
        before: Vec::new(),
        invalid_items: Vec::new(),
        after: Vec::new(),
        own: [false, false],
    };
    let sections = model.rules.iter().any(|r| r.section.before_invalid());
    // A zone's `mss` clamps SYN-ACKs before the pair chain's established
    // accept ([`established_in_pairs`]); a zone's hosts dispatched back to
    // each other one way alone need the accept there too.
    if *logs == crate::model::StateLogs::default()
        && !untracked
        && !sections
        && !zone_mss(model)
        && !routeback_one_way(model)
    {
        return (head, items);
    }
    let families = pair_families(model, pair);
    // The rules of Shorewall's sections before NEW, in section order:
    // those of ALL see every state, those of ESTABLISHED and RELATED
    // (Shorewall's `^net-fw` and `+net-fw`) their state only.
    let section_of = |item: &PairItem| match item {
        PairItem::Rule(index) => model.rules[*index].section,
        _ => Section::New,
    };
    let (early, items): (Vec<_>, Vec<_>) = items
        .into_iter()
        .partition(|(_, item)| section_of(item).before_invalid());
    let section_rules = |section: Section, state: Option<CtState>| {
        let of: Vec<_> = (early.iter())
            .filter(|(_, item)| section_of(item) == section)
            .cloned()
            .collect();
        let mut rules = pair_item_rules(model, name, families, of);
        if let Some(state) = state {
            for rule in &mut rules {
                rule.matches.insert(0, Match::CtState(vec![state]));
            }
        }
        fold(name, families, rules)
    };
    let all = section_rules(Section::All, None);
    let established = section_rules(Section::Established, Some(CtState::Established));
    let related = section_rules(Section::Related, Some(CtState::Related));
    head.own = [false, true].map(|v6| {
        let family = Family::of(v6);
        (all.iter().chain(&established).chain(&related))
            .any(|r| rule_families(model, r).contains(&family))
    });
    head.before.extend(all);
    head.before.extend(established);
    if established_in_pairs(model) {
        head.before.push(shorewall(
            vec![Match::CtState(vec![CtState::Established])],
            vec![accept()],
            Piece::EstablishedInPair,
        ));
    }
    head.before.extend(related);
    head.before
        .extend(state_rules(model, name, DispositionKey::Related));
    // Either family's: the other family's invalid packets are decided
    // before the pair chain, or continue to the rules the same way.
    let invalid_here = invalid_in_pairs(model);
    let (invalid_items, items): (Vec<_>, Vec<_>) = items.into_iter().partition(|(_, item)| {
        invalid_here
            && matches!(item, PairItem::Rule(index) if model.rules[*index].in_invalid_section())
    });
    head.invalid_items = invalid_items;
    head.after
        .extend(state_rules(model, name, DispositionKey::Invalid));
    if untracked {
        head.after.extend(untracked_rule(model, pair, name));
    }
    head.before.retain(|rule| !rule.statements.is_empty());
    head.after.retain(|rule| !rule.statements.is_empty());
    (head, items)
}

/// Whether the model has rules in Shorewall's rules file section
/// `section`.
fn has_section(model: &Model, section: Section) -> bool {
    model.rules.iter().any(|r| r.section == section)
}

/// Whether the zone pair chains accept established packets, not the `ct
/// state vmap`: when rules of the ALL or ESTABLISHED section must see them
/// first, as in each of Shorewall's pair chains (Rules.pm finish_section:
/// the ALL section's rules, then `--ctstate ESTABLISHED -j ACCEPT`, or a
/// jump to `^net-fw` that holds the ESTABLISHED section's rules).
///
/// A zone's `mss` clamps SYN-ACKs too, at the head of the pair chain
/// before its established accept: the pair chains accept them then.
pub fn established_in_pairs(model: &Model) -> bool {
    zone_mss(model)
        || has_section(model, Section::All)
        || has_section(model, Section::Established)
        || continue_reaches_catch_all(model)
        || routeback_one_way(model)
}

/// Whether a zone's traffic between two of its hosts entries on one
/// interface is dispatched one way alone: to an entry with `routeback`
/// and not back to one without it, the zone being on that interface
/// alone (Misc.pm generate_matrix writes `-A aqu_frwd -o eth1 -d
/// 192.168.40.0/24 -j ACCEPT` for the first and nothing for the second).
/// The replies of the connections one way then meet no pair chain and go
/// on to the catch-all (`shorewall compile`: `-A eth1_fwd -s
/// 192.168.40.0/24 -j aqu_frwd`, no `-d 192.168.42.0/24` there, then
/// `-A FORWARD -g reject`), which a `ct state vmap` ahead of the dispatch
/// would have accepted first: every state is decided in the pair chains,
/// as Shorewall's are.
fn routeback_one_way(model: &Model) -> bool {
    (0..model.zones.len()).any(|zone| {
        let id = ZoneId::Zone(zone);
        [false, true].into_iter().any(|ipv6| {
            let members: Vec<Member> = zone_members(model, id, ipv6)
                .into_iter()
                .filter(|m| !m.whole() && !m.destonly)
                .collect();
            let passes = |a: &Member, b: &Member| back_to_itself(model, id, (a, b), ipv6);
            members.iter().any(|a| {
                members.iter().any(|b| {
                    a.interface.physical == b.interface.physical && passes(a, b) != passes(b, a)
                })
            })
        })
    })
}

/// Whether a zone pair's packets may pass the zone dispatch without
/// meeting a pair chain: a CONTINUE policy between two zones without
/// parents (Shorewall warns: "CONTINUE policy between two un-nested
/// zones"). Shorewall decides the connection states only in its pair
/// chains (Rules.pm's finish_chain_section), and makes no chain for a
/// CONTINUE pair without rules (complete_policy_chains): its established,
/// related and invalid packets, the replies of connections the other way
/// included, meet the catch-all (`shorewall compile`: `-A INPUT -i eth2
/// -j eth2_in`, no `dmz-fw`, then `-A INPUT -j DROP`), which a `ct state
/// vmap` ahead of the dispatch would have decided first. Every state is
/// then decided in the pair chains, as Shorewall's are. A nested zone's
/// CONTINUE goes on to its parent's chain, which decides the states as
/// the map would: the map stays.
fn continue_reaches_catch_all(model: &Model) -> bool {
    let unnested = |zone: ZoneId| match zone {
        ZoneId::Firewall => true,
        ZoneId::Zone(index) => model.zones[index].parents.is_empty(),
    };
    let ids = model.zone_ids();
    ids.iter().any(|&source| {
        ids.iter().any(|&dest| {
            unnested(source)
                && unnested(dest)
                && (model.matrix.decisions(source, dest).iter())
                    .any(|d| d.action == PolicyAction::Continue)
        })
    })
}

/// Whether the pair chains decide either family's invalid packets.
fn invalid_in_pairs(model: &Model) -> bool {
    decided_in_pairs(model, DispositionKey::Invalid, false)
        || decided_in_pairs(model, DispositionKey::Invalid, true)
}

/// The untracked state's rule in a pair chain, where the pair chains
/// decide it ([`untracked_in_pairs`]): Shorewall 5.2.8 writes none in a
/// chain with rules in its INVALID section (an `Invalid` rule applies to
/// the pair; `shorewall compile` shows `net-fw` without an UNTRACKED rule):
/// Rules.pm's finish_chain_section leaves its loop once it has finished
/// the INVALID section's chain `_net-fw`, UNTRACKED already marked done,
/// and then writes only an ACCEPT disposition, unlogged (`--ctstate
/// UNTRACKED -j ACCEPT`). Such a pair's other untracked packets go on to
/// its rules and policy.
fn untracked_rule(model: &Model, pair: (ZoneId, ZoneId), name: &str) -> Vec<Rule> {
    // Per family: Shorewall's and Shorewall6's rules files each have their
    // own INVALID section, and shorewall.conf and shorewall6.conf their
    // own UNTRACKED_DISPOSITION and UNTRACKED_LOG_LEVEL.
    let invalid_in = |ipv6: bool| {
        (model.rules.iter()).any(|r| {
            r.in_invalid_section()
                && r.allows_family(ipv6)
                && applies_to(r.source.zone, r.dest.zone, pair)
        })
    };
    let firewall = &model.firewall;
    let of_family = |ipv6: bool| -> Option<Rule> {
        if !untracked_in_pairs(model, ipv6) {
            // The family's `ct state vmap` decides.
            return None;
        }
        if !invalid_in(ipv6) {
            let level = firewall.state_logs.untracked.get(ipv6);
            return Some(state_rule(
                model,
                name,
                DispositionKey::Untracked,
                level,
                ipv6,
            ));
        }
        // An audited ACCEPT (A_ACCEPT) is Shorewall's jump to its A_ACCEPT
        // chain, which it leaves out here as it leaves out DROP's.
        plain_untracked_accept(model, ipv6).then(|| {
            shorewall(
                vec![Match::CtState(vec![CtState::Untracked])],
                vec![accept()],
                Piece::StateLog,
            )
        })
    };
    let (ipv4, ipv6) = (of_family(false), of_family(true));
    // One rule for both when they agree.
    if ipv4 == ipv6 {
        return ipv4.into_iter().collect();
    }
    [(Family::Ipv4, ipv4), (Family::Ipv6, ipv6)]
        .into_iter()
        .filter_map(|(family, rule)| {
            let mut rule = rule?;
            rule.matches.insert(0, Match::Family(family));
            Some(rule)
        })
        .collect()
}

/// Whether the zone pair chains decide one family's untracked packets,
/// not its `ct state vmap`: when they are logged, and when an `Invalid`
/// rule leaves some pair chains without the disposition
/// ([`untracked_rule`]) that the map would give every pair (an unlogged
/// ACCEPT is the same in both).
pub fn untracked_in_pairs(model: &Model, ipv6: bool) -> bool {
    let firewall = &model.firewall;
    firewall.state_logs.untracked.get(ipv6).is_some()
        || has_section(model, Section::All)
        || continue_reaches_catch_all(model)
        || (firewall.dispositions.untracked.get(ipv6) != Disposition::Continue
            && !plain_untracked_accept(model, ipv6)
            && model
                .rules
                .iter()
                .any(crate::model::Rule::in_invalid_section))
}

/// Whether one family's untracked disposition is a plain, unaudited
/// ACCEPT: the one Shorewall 5.2.8 still writes in a pair chain that an
/// `Invalid` rule applies to (`-j ACCEPT`; an `A_ACCEPT` is left out with
/// the other dispositions, `shorewall compile`), so the same in the `ct
/// state vmap` as in every pair chain.
pub fn plain_untracked_accept(model: &Model, ipv6: bool) -> bool {
    let dispositions = &model.firewall.dispositions;
    dispositions.get(DispositionKey::Untracked, ipv6) == Disposition::Accept
        && !dispositions.audited(DispositionKey::Untracked, ipv6)
}

/// Rules and port forwards' accepts in the model's file order, as
/// Shorewall's one rules file orders them (first match wins).
fn pair_item_rules(
    model: &Model,
    name: &str,
    families: [bool; 2],
    items: Vec<(usize, PairItem)>,
) -> Vec<Rule> {
    let mut rules = Vec::with_capacity(items.len());
    for (_, item) in items {
        match item {
            // DNAT- and REDIRECT- translate only: the later rules decide.
            PairItem::Dnat(index) if !model.dnats[index].accept => {}
            PairItem::Redirect(index) if !model.redirects[index].accept => {}
            PairItem::Dnat(index) => rules.push(dnat_accept(&model.dnats[index], index)),
            PairItem::Redirect(index) => {
                rules.push(redirect_accept(&model.redirects[index], index));
            }
            PairItem::Rule(index) => {
                rules.extend(rule_rules(model, index, name, families));
            }
        }
    }
    rules
}

/// Work of at least this many items (model items, or rules) per thread:
/// a small model is lowered on this thread alone.
const WORK_PER_THREAD: usize = 4096;

/// Consecutive runs of `weights` of about equal weight, one per thread:
/// up to one per core, one for small work. Every index is in one run, in
/// order.
fn weight_runs(weights: &[usize]) -> Vec<std::ops::Range<usize>> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    runs_on(weights, cores)
}

fn runs_on(weights: &[usize], cores: usize) -> Vec<std::ops::Range<usize>> {
    let total: usize = weights.iter().sum();
    let threads = cores.min(total / WORK_PER_THREAD).max(1);
    let mut runs = Vec::with_capacity(threads);
    let (mut start, mut sum) = (0, 0);
    for (n, weight) in weights.iter().enumerate() {
        sum += weight;
        if runs.len() + 1 < threads && sum * threads >= total * (runs.len() + 1) {
            runs.push(start..n + 1);
            start = n + 1;
        }
    }
    runs.push(start..weights.len());
    runs
}

/// `f` on every chain, a big ruleset's chains on every core (runs of
/// consecutive chains of about equal numbers of rules).
fn each_chain(chains: &mut [Chain], f: impl Fn(&mut Chain) + Sync) {
    let weights: Vec<usize> = chains.iter().map(|c| c.rules.len()).collect();
    let mut rest = chains;
    let mut slices = Vec::new();
    for run in weight_runs(&weights).iter().rev() {
        let (head, tail) = rest.split_at_mut(run.start);
        slices.push(tail);
        rest = head;
    }
    let f = &f;
    std::thread::scope(|scope| {
        let mut slices = slices.into_iter().rev();
        let first = slices.next();
        for slice in slices {
            scope.spawn(move || slice.iter_mut().for_each(f));
        }
        if let Some(first) = first {
            first.iter_mut().for_each(f);
        }
    });
}

/// The policies with a rate that decide `pair`, each with the families
/// it decides there: one, or both when one entry decides both.
fn synflood_policies(model: &Model, pair: (ZoneId, ZoneId)) -> Vec<(usize, Vec<Family>)> {
    if !model
        .policies
        .iter()
        .any(crate::model::Policy::limits_new_connections)
    {
        return Vec::new();
    }
    let families = pair_families(model, pair);
    let mut out: Vec<(usize, Vec<Family>)> = Vec::new();
    for ipv6 in [false, true]
        .into_iter()
        .filter(|&v6| families[usize::from(v6)])
    {
        let Some(decision) = model.matrix.family(pair.0, pair.1, ipv6) else {
            continue;
        };
        let DecisionOrigin::Policy(index) = decision.origin else {
            continue;
        };
        if !model.policies[index].limits_new_connections() {
            continue;
        }
        match out.iter_mut().find(|(p, _)| *p == index) {
            Some((_, families)) => families.push(Family::of(ipv6)),
            None => out.push((index, vec![Family::of(ipv6)])),
        }
    }
    out
}

/// The jumps of a pair's chain to its policy's syn-flood chain, at the
/// head of the NEW section (Rules.pm: `-p tcp --syn -j @net-all`): in
/// every chain of the pair's own (`own`), and in a policy's own chain
/// only for an ACCEPT or CONTINUE policy, where the verdict would not
/// drop the connection anyway.
fn synflood_jumps(model: &Model, pair: (ZoneId, ZoneId), own: bool) -> Vec<Rule> {
    let decided = synflood_policies(model, pair);
    let split = decided.len() > 1;
    let mut jumps = Vec::new();
    for (index, families) in decided {
        let policy = &model.policies[index];
        if !own && !matches!(policy.action, PolicyAction::Accept | PolicyAction::Continue) {
            continue;
        }
        let syn = first_syn();
        let chain = synflood_chain_name(model, index);
        let origin = Origin::Policy {
            pair,
            policy: index,
        };
        let mut matches = Vec::new();
        if split && let [family] = families[..] {
            matches.push(Match::Family(family));
        }
        matches.push(syn);
        jumps.push(Rule::new(matches, vec![jump(&chain)], origin));
    }
    jumps
}

/// `net-all` for the policy `net all`: Shorewall's policy chain's name.
fn synflood_label(model: &Model, policy: &crate::model::Policy) -> String {
    let side = |side: &crate::model::PolicySide| {
        side.plain()
            .map_or("list", |zone| zone_label(model, zone))
            .to_owned()
    };
    format!("{}-{}", side(&policy.source), side(&policy.dest))
}

/// The syn-flood chain of `model.policies[index]`: `synflood-net-all`
/// (Shorewall's `@net-all`), the family after it for an entry of one.
fn synflood_chain_name(model: &Model, index: usize) -> String {
    let policy = &model.policies[index];
    let label = synflood_label(model, policy);
    match policy.family {
        crate::model::Family::Both => format!("synflood-{label}"),
        family => format!("synflood-{label}-{}", family.name()),
    }
}

/// The set of a syn-flood chain's limit for one family: `rate-` or
/// `conn-`, the chain's name, and the family unless the name ends with it
/// already (a policy of one family).
fn synflood_set(kind: &str, chain: &str, policy: &crate::model::Policy, family: Family) -> String {
    match policy.family {
        crate::model::Family::Both => format!("{kind}-{chain}-{}", family.name()),
        _ => format!("{kind}-{chain}"),
    }
}

/// Shorewall's syn-flood chains (Rules.pm `setup_syn_flood_chains`), one
/// for each policy with a rate or a connection limit that a chain jumps
/// to: a new TCP connection under the rate and the limit returns to its
/// pair's chain (one rule with both, `-m limit ... -m connlimit ! --connlimit-above
/// N -j RETURN`); over either, it is logged at the policy's level and
/// dropped, whatever the policy's verdict. The bucket and the connection
/// counts are the entry's, shared by every pair it decides, one for each
/// family as Shorewall's and Shorewall6's.
fn synflood_chains(model: &Model, chains: &[Chain]) -> Vec<Chain> {
    let mut made = Vec::new();
    for (index, policy) in model.policies.iter().enumerate() {
        if !policy.limits_new_connections() {
            continue;
        }
        let name = synflood_chain_name(model, index);
        let jumped = chains.iter().any(|chain| {
            chain.rules.iter().any(|rule| {
                rule.statements
                    .iter()
                    .any(|s| matches!(s, Statement::Verdict(Verdict::Jump(to)) if *to == name))
            })
        });
        if !jumped {
            continue;
        }
        let origin = Origin::PolicyRate(index);
        let families: Vec<Family> = [false, true]
            .into_iter()
            .filter(|&v6| model.has_family(v6) && policy.family.has(v6))
            .map(Family::of)
            .collect();
        let mut rules = Vec::new();
        for &family in &families {
            let mut matches = Vec::new();
            if families.len() > 1 {
                matches.push(Match::Family(family));
            }
            if let Some(rate) = policy.rate.as_deref() {
                let set = (rate.per != LimitPer::All)
                    .then(|| (synflood_set("rate", &name, policy, family), family));
                matches.push(Match::RateLimit {
                    limit: rate.clone(),
                    set,
                });
            }
            if let Some(limit) = policy.connlimit {
                matches.push(Match::ConnLimit {
                    limit,
                    set: synflood_set("conn", &name, policy, family),
                    family,
                });
            }
            rules.push(Rule::new(
                matches,
                vec![Statement::Verdict(Verdict::Return)],
                origin,
            ));
        }
        let label = synflood_label(model, policy);
        let logged = (policy.log).map(|level| log(model, &format!("@{label}"), "DROP", level));
        match (logged, model.firewall.log_limit) {
            // Rules.pm setup_syn_flood_chains logs under LOGLIMIT, or
            // without one under `--limit 5/min --limit-burst 5`, never
            // unlimited: a syn flood must not flood the log.
            (Some(logged), None) => {
                let limit = crate::model::logging::LogLimit {
                    per: crate::model::logging::LimitPer::All,
                    rate: 5,
                    unit: RateUnit::Minute,
                    burst: 5,
                };
                let limiting = vec![Match::LogLimit { limit, set: None }];
                rules.push(Rule::new(limiting, vec![logged], origin));
                rules.push(Rule::new(Vec::new(), vec![drop_()], origin));
            }
            (logged, _) => {
                let statements = logged.into_iter().chain([drop_()]).collect();
                rules.push(Rule::new(Vec::new(), statements, origin));
            }
        }
        let comment = format!(
            "policy {label} {}: new TCP connections over {} are dropped before the rules",
            policy.action.keyword(),
            policy.limits_described()
        );
        made.push(chain(&name, &comment, rules));
    }
    made
}

fn split_decisions(model: &Model, pair: (ZoneId, ZoneId)) -> Vec<(Family, Decision)> {
    let families = pair_families(model, pair);
    let decisions: Vec<(Family, Decision)> = [false, true]
        .into_iter()
        .filter(|&v6| families[usize::from(v6)])
        .filter_map(|v6| Some((Family::of(v6), model.matrix.family(pair.0, pair.1, v6)?)))
        .collect();
    match decisions.as_slice() {
        [(_, a), (_, b)] if a != b => decisions,
        _ => Vec::new(),
    }
}

fn policy_origin(pair: (ZoneId, ZoneId), decision: Decision) -> Origin {
    match decision.origin {
        DecisionOrigin::IntraZone => Origin::IntraZone(pair.0),
        DecisionOrigin::Policy(policy) => Origin::Policy { pair, policy },
    }
}

fn policy_comment(model: &Model, pair: (ZoneId, ZoneId), decision: Decision) -> String {
    let origin = policy_origin(pair, decision);
    format!(
        "{}: {}",
        model.pair_name(pair.0, pair.1),
        describe_item(model, origin).unwrap_or_default()
    )
}

fn policy_rules(
    model: &Model,
    chain: &str,
    pair: (ZoneId, ZoneId),
    decision: Decision,
    ipv6: bool,
    has_rules: bool,
) -> Vec<Rule> {
    let origin = match decision.origin {
        DecisionOrigin::IntraZone => Origin::IntraZone(pair.0),
        DecisionOrigin::Policy(policy) => Origin::Policy { pair, policy },
    };
    let verdict = match decision.action {
        PolicyAction::Accept => accept(),
        PolicyAction::Drop => drop_(),
        PolicyAction::Reject => jump("rejection"),
        // CONTINUE returns: the next dispatch rule, a nested zone's parent's,
        // takes the packet; without one it reaches the catch-all. Its log
        // ends the pair's chain when the pair has rules, which is when
        // Shorewall makes that chain (Rules.pm's policy for it).
        PolicyAction::Continue => {
            return (decision.log)
                .filter(|_| has_rules)
                .map(|level| log(model, chain, "CONTINUE", level))
                .map(|statement| Rule::new(Vec::new(), vec![statement], origin))
                .into_iter()
                .collect();
        }
    };
    // What Shorewall runs before a DROP or REJECT policy belongs to it.
    let mut rules = Vec::new();
    if ipv6 && decision.action != PolicyAction::Accept {
        rules.push(Rule {
            origin,
            ..allowicmps_jump()
        });
    }
    let default_actions = match decision.origin {
        DecisionOrigin::Policy(index) => model.default_actions(&model.policies[index]),
        DecisionOrigin::IntraZone => Vec::new(),
    };
    rules.extend(default_action_jump(&default_actions).map(|jump| Rule { origin, ..jump }));
    let mut statements: Vec<Statement> = decision
        .log
        .map(|level| log(model, chain, decision.action.keyword(), level))
        .into_iter()
        .collect();
    // Rules.pm's add_policy_rules: the AUDIT rule after the log, before
    // the verdict.
    let audited = match decision.origin {
        DecisionOrigin::Policy(index) => model.policies[index].audit,
        DecisionOrigin::IntraZone => false,
    };
    statements.extend(audited.then_some(Statement::Audit));
    statements.push(verdict);
    rules.push(Rule::new(Vec::new(), statements, origin));
    rules
}

// ----- model rules -----

/// The statement that ends a rule; none for LOG, whose packets go on to
/// the next rule (Shorewall's LOG action is iptables' non-terminating LOG).
fn verdict_statement(verdict: crate::model::Verdict) -> Option<Statement> {
    match verdict {
        crate::model::Verdict::Accept => Some(accept()),
        crate::model::Verdict::Drop => Some(drop_()),
        crate::model::Verdict::Reject => Some(jump("rejection")),
        crate::model::Verdict::Log => None,
    }
}

/// The filter rule that lets a port-forwarded connection through.
fn dnat_accept(dnat: &Dnat, index: usize) -> Rule {
    let family = Family::of(dnat.is_ipv6());
    let mut matches = Vec::new();
    let sources: Vec<IpNet> = dnat
        .source
        .addresses
        .iter()
        .filter(|a| is_ipv6(a) == dnat.is_ipv6())
        .copied()
        .collect();
    if !sources.is_empty() {
        matches.push(address(family, Direction::Source, sources));
    }
    matches.push(address(
        family,
        Direction::Destination,
        vec![IpNet::from(dnat.to)],
    ));
    let target_ports: Vec<PortRange> = match dnat.to_port {
        Some(port) => vec![PortRange::single(port)],
        None => dnat.dports.clone(),
    };
    matches.push(Match::Port {
        proto: port_proto(dnat.proto),
        direction: Direction::Destination,
        ports: target_ports,
    });
    if dnat.to_port.is_some() {
        matches.extend(original_port(&dnat.dports));
    }
    // ORIGDEST: Rules.pm's `-m conntrack --ctorigdst` on the ACCEPT.
    matches.extend(original_addresses(family, &dnat.origdest));
    matches.extend(source_ports(dnat.proto, &dnat.sports));
    Rule::new(matches, vec![accept()], Origin::Dnat(index))
}

/// The test of the port a translated connection was sent to, on the
/// filter rule that lets it through: Nat.pm handle_nat_rule gives
/// Rules.pm's `-m conntrack --ctorigdstport` a port only where DPORT is one
/// port (`port_count == 1`, a range counting two), so a list or range
/// lets every connection to the server's port through, a forwarded one
/// or not.
fn original_port(dports: &[PortRange]) -> Option<Match> {
    match dports {
        [port] if port.low == port.high => Some(Match::OriginalPort(dports.to_vec())),
        _ => None,
    }
}

/// The filter rule that lets a redirected connection reach its port on
/// the firewall (Shorewall's REDIRECT accepts it at its place in the rules).
fn redirect_accept(redirect: &Redirect, index: usize) -> Rule {
    let mut matches: Vec<Match> = endpoint_sources(&redirect.source).into_iter().collect();
    matches.push(Match::Port {
        proto: port_proto(redirect.proto),
        direction: Direction::Destination,
        ports: vec![PortRange::single(redirect.to_port)],
    });
    matches.extend(original_port(&redirect.dports));
    // ORIGDEST: Rules.pm's `-m conntrack --ctorigdst` on the ACCEPT.
    if let Some(ipv6) = redirect.origdest_ipv6() {
        matches.extend(original_addresses(Family::of(ipv6), &redirect.origdest));
    }
    matches.extend(source_ports(redirect.proto, &redirect.sports));
    Rule::new(matches, vec![accept()], Origin::Redirect(index))
}

/// A tunnel's openings in one pair chain (`zone-fw` or `fw-zone`), in
/// the order Tunnels.pm inserts them: per family its gateways' addresses
/// narrow them; IKE takes only NEW and UNTRACKED packets.
fn tunnel_rules(
    model: &Model,
    tunnel: &crate::model::Tunnel,
    index: usize,
    pair: (ZoneId, ZoneId),
    families: [bool; 2],
) -> Vec<Rule> {
    let tunnel_families = tunnel.families(&model.zones);
    let carried: Vec<bool> = [false, true]
        .into_iter()
        .filter(|&ipv6| families[usize::from(ipv6)] && tunnel_families[usize::from(ipv6)])
        .collect();
    let mut rules = Vec::new();
    for opening in tunnel.openings() {
        let here = if opening.inbound {
            (ZoneId::Zone(opening.zone), ZoneId::Firewall)
        } else {
            (ZoneId::Firewall, ZoneId::Zone(opening.zone))
        };
        if here != pair {
            continue;
        }
        let direction = if opening.inbound {
            Direction::Source
        } else {
            Direction::Destination
        };
        let family_matches: Vec<Vec<Match>> = if tunnel.gateways.is_empty() {
            match carried[..] {
                [] => Vec::new(),
                [ipv6] if families == [true, true] => vec![vec![Match::Family(Family::of(ipv6))]],
                _ => vec![Vec::new()],
            }
        } else {
            carried
                .iter()
                .map(|&ipv6| {
                    let nets: Vec<IpNet> = tunnel
                        .gateways
                        .iter()
                        .filter(|g| is_ipv6(g) == ipv6)
                        .copied()
                        .collect();
                    vec![address(Family::of(ipv6), direction, nets)]
                })
                .collect()
        };
        let service = Service {
            proto: opening.proto,
            dports: opening.dports.clone(),
            sports: opening.sports.clone(),
            icmp_type: None,
        };
        for mut matches in family_matches {
            matches.extend(service_matches(&service));
            if opening.new_or_untracked {
                matches.push(Match::CtState(vec![CtState::New, CtState::Untracked]));
            }
            rules.push(Rule::new(matches, vec![accept()], Origin::Tunnel(index)));
        }
    }
    rules
}

/// A redirect's source addresses (of one family: the analyzer sees to it).
fn endpoint_sources(source: &crate::model::Endpoint) -> Option<Match> {
    let first = source.addresses.first()?;
    Some(address(
        Family::of(is_ipv6(first)),
        Direction::Source,
        source.addresses.clone(),
    ))
}

/// A source NAT entry's PROTO and PORT(S): `tcp dport { 80, 443 }`, or
/// the protocol alone.
fn snat_service(snat: &Snat) -> Vec<Match> {
    let Some(proto) = snat.proto else {
        return Vec::new();
    };
    if snat.dports.is_empty() {
        return vec![Match::Protocol(vec![l4(proto)])];
    }
    vec![Match::Port {
        proto: port_proto(proto),
        direction: Direction::Destination,
        ports: snat.dports.clone(),
    }]
}

/// A port forward's or redirect's SPORT: Shorewall matches it in the nat
/// rule and in the filter accept alike.
fn source_ports(proto: Protocol, sports: &[PortRange]) -> Option<Match> {
    (!sports.is_empty()).then(|| Match::Port {
        proto: port_proto(proto),
        direction: Direction::Source,
        ports: sports.to_vec(),
    })
}

fn port_proto(proto: Protocol) -> PortProto {
    match proto {
        Protocol::Udp => PortProto::Udp,
        _ => PortProto::Tcp,
    }
}

/// Address matches of one family for a rule's endpoints, or `None` when
/// the rule cannot match that family.
fn address_matches(model: &Model, rule: &crate::model::Rule, ipv6: bool) -> Option<Vec<Match>> {
    let mut matches = endpoint_matches(model, &rule.source, Direction::Source, ipv6)?;
    matches.extend(endpoint_matches(
        model,
        &rule.dest,
        Direction::Destination,
        ipv6,
    )?);
    // ORIGDEST: Rules.pm's `-m conntrack --ctorigdst`.
    let origdest = rule.origdest.of_family(ipv6)?;
    matches.extend(original_addresses(Family::of(ipv6), &origdest));
    Some(matches)
}

/// USER/GROUP: Chains.pm do_user's `-m owner [!] --uid-owner U [!]
/// --gid-owner G`, each test negated with `!`.
fn owner_matches(rule: &crate::model::Rule) -> Vec<Match> {
    let Some(owner) = &rule.owner else {
        return Vec::new();
    };
    [
        (OwnerKind::User, &owner.user),
        (OwnerKind::Group, &owner.group),
    ]
    .into_iter()
    .filter_map(|(kind, id)| {
        Some(Match::Owner {
            kind,
            negated: owner.negated,
            id: id.clone()?,
        })
    })
    .collect()
}

/// TIME: Chains.pm do_time's `-m time` as nftables' clock tests, each
/// one only when the window gives it (src/model/time.rs).
fn time_matches(rule: &crate::model::Rule) -> Vec<Match> {
    let Some(window) = &rule.time else {
        return Vec::new();
    };
    let mut matches = Vec::new();
    if let Some(ranges) = window.day_ranges() {
        matches.push(Match::Time(TimeTest::Hours(ranges)));
    }
    if !window.weekdays.is_empty() {
        matches.push(Match::Time(TimeTest::Weekdays(window.weekdays.clone())));
    }
    let (from, to) = (
        window.date_start.as_ref().map(|d| d.seconds),
        window.date_stop.as_ref().map(|d| d.seconds),
    );
    if from.is_some() || to.is_some() {
        matches.push(Match::Time(TimeTest::Dates(from, to)));
    }
    matches
}

/// An ORIGDEST of one family as conntrack matches (Rules.pm's
/// `-m conntrack --ctorigdst`, and `! --ctorigdst` for each left-out
/// network, shorewall-exclusion(5)): the networks taken in, then those
/// left out.
fn original_addresses(family: Family, origdest: &Origdest) -> Vec<Match> {
    let taken = (!origdest.addresses.is_empty()).then(|| Match::OriginalAddress {
        family,
        negated: false,
        nets: origdest.addresses.clone(),
    });
    let left_out = (!origdest.excluded.is_empty()).then(|| Match::OriginalAddress {
        family,
        negated: true,
        nets: origdest.excluded.clone(),
    });
    taken.into_iter().chain(left_out).collect()
}

/// `zone:eth0` as the interface a rule's packets come in by (SOURCE) or
/// go out by (DEST): `iifname "eth0"`, `oifname "ppp*"`; nothing for `+`.
fn interface_matches(model: &Model, rule: &crate::model::Rule) -> Vec<Match> {
    [(&rule.source, Side::In), (&rule.dest, Side::Out)]
        .into_iter()
        .filter_map(|(endpoint, side)| endpoint_interface_match(model, endpoint, side))
        .collect()
}

/// `zone:eth0`'s interface as a match; `zone:ppp5` (a device of `ppp+`)
/// the device's kernel name alone.
fn endpoint_interface_match(
    model: &Model,
    endpoint: &crate::model::Endpoint,
    side: Side,
) -> Option<Match> {
    let interface = &model.interfaces[endpoint.interface?];
    let name = match endpoint.device() {
        Some(device) => IfName::Exact(interface.device_physical(device)),
        None => if_name(interface)?,
    };
    Some(Match::Interface {
        side,
        negated: false,
        names: vec![name],
    })
}

fn l4(proto: Protocol) -> L4 {
    match proto {
        Protocol::Tcp => L4::Tcp,
        Protocol::Udp => L4::Udp,
        Protocol::Icmp => L4::Icmp,
        Protocol::Icmpv6 => L4::Icmpv6,
        Protocol::Number(number) => L4::Number(number),
    }
}

pub(super) fn service_matches(service: &Service) -> Vec<Match> {
    let mut matches = Vec::new();
    push_service_matches(service, &mut matches);
    matches
}

/// [`service_matches`] appended to `matches`: no list of its own per rule.
fn push_service_matches(service: &Service, matches: &mut Vec<Match>) {
    match service.proto {
        Protocol::Tcp | Protocol::Udp => {
            let proto = port_proto(service.proto);
            let before = matches.len();
            for (ports, direction) in [
                (&service.sports, Direction::Source),
                (&service.dports, Direction::Destination),
            ] {
                if !ports.is_empty() {
                    matches.push(Match::Port {
                        proto,
                        direction,
                        ports: ports.clone(),
                    });
                }
            }
            if matches.len() == before {
                matches.push(Match::Protocol(vec![l4(service.proto)]));
            }
        }
        Protocol::Icmp | Protocol::Icmpv6 => matches.push(match service.icmp_type {
            Some(icmp) => Match::IcmpType {
                family: Family::of(service.proto == Protocol::Icmpv6),
                types: vec![icmp],
            },
            None => Match::Protocol(vec![l4(service.proto)]),
        }),
        Protocol::Number(_) => matches.push(Match::Protocol(vec![l4(service.proto)])),
    }
}

/// Whether a model rule makes any kernel rule in a pair's chain (it may
/// not, for a family the pair does not carry).
pub fn renders_in(model: &Model, index: usize, pair: (ZoneId, ZoneId)) -> bool {
    let name = model.pair_name(pair.0, pair.1);
    !rule_rules(model, index, &name, pair_families(model, pair)).is_empty()
}

/// A model rule as the rules of one pair chain: one per family with
/// addresses and per service.
fn rule_rules(model: &Model, index: usize, chain: &str, families: [bool; 2]) -> Vec<Rule> {
    item_rules(
        model,
        &model.rules[index],
        Origin::Rule(index),
        chain,
        families,
    )
}

/// A connection's first TCP segment: SYN set, ACK, RST and FIN clear
/// (iptables' `--syn`, nftables `tcp flags & (fin|syn|rst|ack) == syn`).
fn first_syn() -> Match {
    Match::TcpFlags {
        mask: vec![TcpFlag::Fin, TcpFlag::Syn, TcpFlag::Rst, TcpFlag::Ack],
        value: vec![TcpFlag::Syn],
    }
}

/// A rule of the model (`[[rule]]` or `[[blacklist]]`, by `origin`) as the
/// rules of one chain; `chain` names it in log prefixes.
pub(super) fn item_rules(
    model: &Model,
    rule: &crate::model::Rule,
    origin: Origin,
    chain: &str,
    families: [bool; 2],
) -> Vec<Rule> {
    let whitelist =
        matches!(origin, Origin::Blacklist(_)) && rule.verdict == crate::model::Verdict::Accept;
    let families_of_pair = families;
    // The families the rule is written for, in a list of at most two
    // without an allocation per item and chain.
    let mut allowed = [false; 2];
    let mut count = 0;
    for ipv6 in [false, true] {
        if families[usize::from(ipv6)] && rule.allows_family(ipv6) {
            allowed[count] = ipv6;
            count += 1;
        }
    }
    let families = &allowed[..count];
    let address_sets: Vec<Vec<Match>> =
        if !rule.source.has_addresses() && !rule.dest.has_addresses() && rule.origdest.is_empty() {
            // A rule of one family (`family = "ipv4"`) in a chain of both
            // says so; addresses say it themselves.
            match families[..] {
                [ipv6]
                    if rule.family != crate::model::Family::Both
                        && families_of_pair == [true, true] =>
                {
                    vec![vec![Match::Family(Family::of(ipv6))]]
                }
                _ => vec![Vec::new()],
            }
        } else {
            families
                .iter()
                .filter_map(|&ipv6| address_matches(model, rule, ipv6))
                .collect()
        };
    let services: Vec<Option<&Service>> = if rule.services.is_empty() {
        vec![None]
    } else {
        rule.services
            .iter()
            .filter(|s| s.proto.only_ipv6().is_none_or(|v6| families.contains(&v6)))
            .map(Some)
            .collect()
    };
    // Rules.pm logs the action as written: `REJECT(icmp-host-prohibited)`
    // (helper-247: nftables logged `REJECT`).
    let named_reject;
    let keyword = match rule.reject_with.as_deref() {
        _ if whitelist => "WHITELIST",
        Some(named) => {
            named_reject = format!("REJECT({})", named.option);
            named_reject.as_str()
        }
        None => rule.verdict.action_word(rule.audit),
    };
    // Room for the log, the audit and the verdict at once.
    let mut statements: Vec<Statement> = Vec::with_capacity(3);
    statements.extend(
        rule.log
            .map(|level| tagged(log(model, chain, keyword, level), &rule.log_tag)),
    );
    // Shorewall's A_DROP chain: the AUDIT rule, then the verdict.
    statements.extend(rule.audit.then_some(Statement::Audit));
    statements.extend(match rule.reject_with.as_deref() {
        Some(named) => Some(Statement::Reject(Reject::Named(named.answer))),
        // WHITELIST: the packet leaves the blacklist for the rules.
        None if whitelist => Some(Statement::Verdict(Verdict::Return)),
        None => verdict_statement(rule.verdict),
    });
    // A named ICMP answer is one family's: say which when no address does.
    let family = rule
        .reject_with
        .as_deref()
        .and_then(|r| r.only_ipv6())
        .filter(|_| rule.source.addresses.is_empty() && rule.dest.addresses.is_empty())
        .map(|ipv6| Match::Family(Family::of(ipv6)));
    let interfaces = interface_matches(model, rule);
    let sender = sender_match(&rule.source);
    let owners = owner_matches(rule);
    let times = time_matches(rule);
    let address_sets = match rule.dest_type() {
        Some(dest_type) => dest_type_sets(model, rule, dest_type, families),
        None => address_sets,
    };
    let mut rules = Vec::new();
    for addresses in &address_sets {
        for service in &services {
            // Room for the service's matches (protocol, ports) and a state.
            let mut matches = Vec::with_capacity(interfaces.len() + addresses.len() + 4);
            matches.extend(interfaces.iter().cloned());
            matches.extend(addresses.iter().cloned());
            matches.extend(sender.clone());
            matches.extend(family.clone());
            if let Some(service) = service {
                // ICMP or ICMPv6 without a type is one family's protocol
                // (iptables' `-p 1` lives in IPv4's tables alone), where
                // `meta l4proto` reads either family's header: a chain of
                // both families says which (helper-247).
                let only = (service.icmp_type.is_none())
                    .then(|| service.proto.only_ipv6())
                    .flatten()
                    .filter(|_| families_of_pair == [true, true])
                    .filter(|_| !matches.iter().any(|m| m.family().is_some()));
                matches.extend(only.map(|ipv6| Match::Family(Family::of(ipv6))));
                push_service_matches(service, &mut matches);
            }
            // `syn = true`: Shorewall's `tcp:syn`, iptables' `--syn`.
            if rule.syn {
                matches.push(first_syn());
            }
            matches.extend(owners.iter().cloned());
            matches.extend(times.iter().cloned());
            if rule.is_invalid_macro() {
                matches.push(Match::CtState(vec![CtState::Invalid]));
            }
            rules.push(Rule::new(matches, statements.clone(), origin));
        }
    }
    // A limit's sets are named by the item's index and the chain
    // (`blacklist-…` chains apart from the pair chains).
    let index = match origin {
        Origin::Rule(index) | Origin::Blacklist(index) => index,
        _ => 0,
    };
    super::limit::limited(rule, index, chain, families, rules)
}

// ----- folding -----

impl Match {
    /// How many values the match holds in its set.
    fn set_len(&self) -> usize {
        match self {
            Match::Interface { names, .. } => names.len(),
            Match::Address { nets, .. } => nets.len(),
            Match::Protocol(protocols) => protocols.len(),
            Match::Port { ports, .. } | Match::OriginalPort(ports) => ports.len(),
            Match::IcmpType { types, .. } => types.len(),
            _ => 0,
        }
    }

    /// The same match with its set replaced by one value of it, for every
    /// value (a left-out address list is one test, and stays whole); other
    /// matches as they are.
    pub(super) fn split(&self) -> Vec<Match> {
        let each = |n: usize, pick: &dyn Fn(usize) -> Match| (0..n).map(pick).collect();
        match self {
            Match::Address {
                family,
                direction,
                negated: false,
                nets,
            } => each(nets.len(), &|i| address(*family, *direction, vec![nets[i]])),
            Match::OriginalAddress {
                family,
                negated: false,
                nets,
            } => each(nets.len(), &|i| Match::OriginalAddress {
                family: *family,
                negated: false,
                nets: vec![nets[i]],
            }),
            Match::EtherSource(macs) => each(macs.len(), &|i| Match::EtherSource(vec![macs[i]])),
            Match::Port {
                proto,
                direction,
                ports,
            } => each(ports.len(), &|i| Match::Port {
                proto: *proto,
                direction: *direction,
                ports: vec![ports[i]],
            }),
            Match::IcmpType { family, types } => each(types.len(), &|i| Match::IcmpType {
                family: *family,
                types: vec![types[i]],
            }),
            other => vec![other.clone()],
        }
    }

    /// Add another match's set to this one's, when they differ only there.
    fn absorb(&mut self, other: &Match) -> bool {
        match (self, other) {
            (
                Match::Address {
                    family,
                    direction,
                    negated: false,
                    nets,
                },
                Match::Address {
                    family: f,
                    direction: d,
                    negated: false,
                    nets: more,
                },
            ) if family == f && direction == d => union(nets, more),
            (
                Match::Port {
                    proto,
                    direction,
                    ports,
                },
                Match::Port {
                    proto: p,
                    direction: d,
                    ports: more,
                },
            ) if proto == p && direction == d => union(ports, more),
            (
                Match::IcmpType { family, types },
                Match::IcmpType {
                    family: f,
                    types: more,
                },
            ) if family == f && types.iter().chain(more).all(|t| t.code.is_none()) => {
                union(types, more)
            }
            (Match::Protocol(protocols), Match::Protocol(more)) => union(protocols, more),
            _ => false,
        }
    }
}

fn union<T: PartialEq + Clone>(values: &mut Vec<T>, more: &[T]) -> bool {
    for value in more {
        if !values.contains(value) {
            values.push(value.clone());
        }
    }
    true
}

/// The one match in which two rules with the same statements differ.
fn differs_in_one(a: &Rule, b: &Rule) -> Option<usize> {
    let limited = |r: &Rule| r.matches.iter().any(Match::is_limit);
    if a.statements != b.statements
        || a.matches.len() != b.matches.len()
        || limited(a)
        || limited(b)
    {
        return None;
    }
    let differing: Vec<usize> = (0..a.matches.len())
        .filter(|&i| a.matches[i] != b.matches[i])
        .collect();
    match differing.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// `udp dport 53` then `tcp dport 53` (or the other way round): one rule
/// on `meta l4proto { udp, tcp } th dport 53`.
fn both_transports(a: &Match, b: &Match) -> Option<(Match, Match)> {
    let transport = |proto| match proto {
        PortProto::Tcp => Some(L4::Tcp),
        PortProto::Udp => Some(L4::Udp),
        PortProto::Any => None,
    };
    match (a, b) {
        (
            Match::Port {
                proto,
                direction,
                ports,
            },
            Match::Port {
                proto: other,
                direction: d,
                ports: p,
            },
        ) if proto != other && direction == d && ports == p => Some((
            Match::Protocol(vec![transport(*proto)?, transport(*other)?]),
            Match::Port {
                proto: PortProto::Any,
                direction: *direction,
                ports: ports.clone(),
            },
        )),
        _ => None,
    }
}

/// Merge consecutive rules that differ in one set: with the same
/// statements, one rule on the union says exactly what they did, and the
/// kernel evaluates one rule instead of many. How an item is written
/// depends only on the item and its neighbours in the same chain: rules
/// of one item always merge (the item's own sets, `meta l4proto { udp,
/// tcp } th dport 53`); rules of neighbouring items merge only when the
/// set they make holds at least [`FOLD_MIN`] values, and the merged rule
/// keeps each item's rule as a part, so explain still names the item a
/// packet matched and the comment names them all.
///
/// Before that, long runs of rules become lookups in named sets
/// ([`lookups`]): what a packet meets then no longer grows with the rules.
fn fold(chain: &str, families: [bool; 2], rules: Vec<Rule>) -> Vec<Rule> {
    let folded = fold_across_items(lookups(chain, families, fold_within_items(rules)));
    let mut out = Vec::with_capacity(folded.len());
    for rule in folded {
        write_out_small_sets(rule, &mut out);
    }
    out
}

/// Below this many values a set is written out as rules of its own, and
/// neighbouring items stay rules of their own: the kernel names every
/// anonymous set by scanning the table's sets, so thousands of small sets
/// load in seconds where the same rules written out load in a fraction
/// (docs/performance.md). Protocol sets (`{ udp, tcp }`) stay sets.
const FOLD_MIN: usize = 4;

/// The rule, added to `out`, with every address, port or ICMP type set of
/// fewer than [`FOLD_MIN`] values written out value by value (first match
/// wins, so this is equivalent). Not a rule with a limit: written out, each
/// rule would have a bucket of its own, where Shorewall's one iptables rule
/// (`--dports 22,2222`) has one.
pub(super) fn write_out_small_sets(rule: Rule, out: &mut Vec<Rule>) {
    let small =
        |m: &Match| !matches!(m, Match::Protocol(_)) && (2..FOLD_MIN).contains(&m.set_len());
    if !rule.matches.iter().any(small) || rule.matches.iter().any(Match::is_limit) {
        out.push(rule);
        return;
    }
    // One small set (the usual case): each of its values is moved into
    // its rule, the other matches cloned once, no bookkeeping lists.
    let mut small_at = rule.matches.iter().enumerate().filter(|(_, m)| small(m));
    if let (Some((at, _)), None) = (small_at.next(), small_at.next()) {
        let values = rule.matches[at].split();
        out.reserve(values.len());
        for value in values {
            let mut matches = Vec::with_capacity(rule.matches.len());
            matches.extend(rule.matches[..at].iter().cloned());
            matches.push(value);
            matches.extend(rule.matches[at + 1..].iter().cloned());
            out.push(Rule {
                matches,
                statements: rule.statements.clone(),
                origin: rule.origin,
                comment: rule.comment.clone(),
                parts: rule.parts.clone(),
            });
        }
        return;
    }
    // Each written-out rule is made once, its matches cloned once: the
    // combinations in order, the last match's values changing fastest.
    let split: Vec<Option<Vec<Match>>> = rule
        .matches
        .iter()
        .map(|m| small(m).then(|| m.split()))
        .collect();
    let counts: Vec<usize> = split
        .iter()
        .map(|s| s.as_ref().map_or(1, Vec::len))
        .collect();
    let total: usize = counts.iter().product();
    let Rule {
        matches,
        statements,
        origin,
        comment,
        parts,
    } = rule;
    out.reserve(total);
    let mut picks = vec![0; counts.len()];
    for _ in 0..total {
        let matches: Vec<Match> = (matches.iter().zip(&split).zip(&picks))
            .map(|((m, values), &pick)| values.as_ref().map_or(m, |v| &v[pick]).clone())
            .collect();
        out.push(Rule {
            matches,
            statements: statements.clone(),
            origin,
            comment: comment.clone(),
            parts: parts.clone(),
        });
        // The next combination: count up from the last match.
        for (pick, &count) in picks.iter_mut().zip(&counts).rev() {
            *pick += 1;
            if *pick < count {
                break;
            }
            *pick = 0;
        }
    }
}

fn fold_within_items(rules: Vec<Rule>) -> Vec<Rule> {
    let mut folded: Vec<Rule> = Vec::with_capacity(rules.len());
    for rule in rules {
        if let Some(last) = folded.last_mut()
            && last.origin == rule.origin
            && let Some(index) = differs_in_one(last, &rule)
        {
            let has_protocol = last.matches.iter().any(|m| matches!(m, Match::Protocol(_)));
            if !has_protocol
                && let Some((protocols, ports)) =
                    both_transports(&last.matches[index], &rule.matches[index])
            {
                last.matches[index] = ports;
                last.matches.insert(index, protocols);
                continue;
            }
            if last.matches[index].absorb(&rule.matches[index]) {
                continue;
            }
        }
        folded.push(rule);
    }
    folded
}

fn fold_across_items(rules: Vec<Rule>) -> Vec<Rule> {
    let mut out: Vec<Rule> = Vec::with_capacity(rules.len());
    let mut run: Vec<Rule> = Vec::new();
    let mut merged: Option<(Rule, usize)> = None;
    for rule in rules {
        if let Some((into, index)) = &mut merged
            && differs_in_one(into, &rule) == Some(*index)
            && into.matches[*index].absorb(&rule.matches[*index])
        {
            run.push(rule);
            continue;
        }
        if merged.is_none()
            && let Some(last) = run.last()
            && let Some(index) = differs_in_one(last, &rule)
        {
            let mut into = last.clone();
            if into.matches[index].absorb(&rule.matches[index]) {
                merged = Some((into, index));
                run.push(rule);
                continue;
            }
        }
        flush_run(&mut run, merged.take(), &mut out);
        run.push(rule);
    }
    flush_run(&mut run, merged, &mut out);
    out
}

fn flush_run(run: &mut Vec<Rule>, merged: Option<(Rule, usize)>, out: &mut Vec<Rule>) {
    match merged {
        Some((mut into, index)) if into.matches[index].set_len() >= FOLD_MIN => {
            into.parts = std::mem::take(run);
            out.push(into);
        }
        _ => out.append(run),
    }
}

// ----- base chains -----

fn base(hook: Hook, chain_type: ChainType, priority: Priority, policy: Policy) -> Option<Base> {
    Some(Base {
        chain_type,
        hook,
        priority,
        policy,
    })
}

/// Loopback, the blacklist, conntrack, and without IPv6 zones the drop
/// of new IPv6.
/// The rules every packet of a hook meets first: loopback, the blacklist,
/// `ahead` (what Shorewall decides before any conntrack match), then the
/// conntrack verdicts.
fn first_rules(
    model: &Model,
    loopback: Option<Side>,
    blacklist: Option<Rule>,
    ahead: Vec<Rule>,
) -> Vec<Rule> {
    let mut rules = Vec::new();
    if let Some(side) = loopback {
        rules.push(shorewall(
            vec![Match::Loopback(side)],
            vec![accept()],
            Piece::Loopback,
        ));
    }
    rules.extend(blacklist);
    rules.extend(ahead);
    for (matches, ipv6) in state_families(model) {
        // Every state may be decided in the pair chains (rules in the
        // ALL section): no map then.
        rules.extend(audited_state_rules(model, &matches, ipv6));
        let elements = conntrack_elements(model, ipv6);
        if elements.is_empty() {
            continue;
        }
        rules.push(shorewall(
            matches,
            vec![Statement::Map {
                key: MapKey::CtState,
                elements,
            }],
            Piece::Conntrack,
        ));
    }
    if !model.has_family(true) {
        rules.push(shorewall(
            vec![Match::Family(Family::Ipv6)],
            vec![drop_()],
            Piece::NoIpv6,
        ));
    }
    rules
}

/// The conntrack verdicts: established accepted, and related, invalid
/// and untracked packets by their dispositions, as the state sections of
/// each of Shorewall's zone-pair chains (Rules.pm's state table: REJECT
/// goes to Shorewall's `reject`); CONTINUE leaves a state out of the map,
/// and so does `fast_accept` the states it accepts before the map
/// (`fast_accepts` in every hook; the families of one map accept the
/// same states first, as `state_families` compares what decides them).
fn conntrack_elements(model: &Model, ipv6: bool) -> Vec<MapElement> {
    let dispositions = &model.firewall.dispositions;
    let fast: Vec<CtState> = model
        .firewall
        .fast_states(ipv6)
        .into_iter()
        .map(CtState::from)
        .collect();
    let mut states = Vec::new();
    if !established_in_pairs(model) {
        states.push((CtState::Established, Disposition::Accept));
    }
    for (state, key) in LOGGED_STATES {
        if !decided_in_pairs(model, key, ipv6) && !dispositions.audited(key, ipv6) {
            states.push((state, dispositions.get(key, ipv6)));
        }
    }
    states
        .into_iter()
        .filter(|(state, _)| !fast.contains(state))
        .filter_map(|(state, disposition)| {
            let verdict = disposition_verdict(disposition)?;
            Some(MapElement {
                key: vec![MapValue::State(state)],
                verdict,
            })
        })
        .collect()
}

/// The audited states the `ct state vmap` would decide (a map's element
/// is a verdict and holds no audit record): a rule of their own beside
/// the map, the audit record and then the disposition, as Shorewall's
/// `-m conntrack --ctstate INVALID -j A_DROP` in each pair chain's state
/// section (Chains.pm ensure_audit_chain: `AUDIT --type drop`, `DROP`).
fn audited_state_rules(model: &Model, family: &[Match], ipv6: bool) -> Vec<Rule> {
    let dispositions = &model.firewall.dispositions;
    LOGGED_STATES
        .into_iter()
        .filter(|(_, key)| dispositions.audited(*key, ipv6) && !decided_in_pairs(model, *key, ipv6))
        .map(|(state, key)| {
            let mut matches = family.to_vec();
            matches.push(Match::CtState(vec![state]));
            let verdict = disposition_verdict(dispositions.get(key, ipv6)).map(Statement::Verdict);
            let statements = std::iter::once(Statement::Audit).chain(verdict).collect();
            shorewall(matches, statements, Piece::Conntrack)
        })
        .collect()
}

/// The families whose conntrack states are decided apart, each with its
/// match and whether it is IPv6: one entry (no match) when the families'
/// RELATED_, INVALID_ and UNTRACKED_DISPOSITION and log levels agree or
/// the model has one family,
/// else IPv4's and IPv6's (`meta nfproto`), as shorewall.conf and
/// shorewall6.conf each decide their own.
fn state_families(model: &Model) -> Vec<(Vec<Match>, bool)> {
    let (d, logs) = (&model.firewall.dispositions, &model.firewall.state_logs);
    let same = d.decided(DispositionKey::Related).same()
        && d.decided(DispositionKey::Invalid).same()
        && d.decided(DispositionKey::Untracked).same()
        && logs.related.same()
        && logs.invalid.same()
        && logs.untracked.same();
    if same || !model.has_family(true) {
        vec![(Vec::new(), false)]
    } else if !model.has_family(false) {
        vec![(Vec::new(), true)]
    } else {
        vec![
            (vec![Match::Family(Family::Ipv4)], false),
            (vec![Match::Family(Family::Ipv6)], true),
        ]
    }
}

/// Whether the zone pair chains decide a state instead of the `ct state
/// vmap`: a logged one, and untracked packets beside an `Invalid` rule
/// ([`untracked_in_pairs`]). Of one family: its log level decides.
fn decided_in_pairs(model: &Model, key: DispositionKey, ipv6: bool) -> bool {
    model.firewall.disposition_log(key, ipv6).is_some()
        // Rules of the ALL section see every state before its disposition,
        // those of the RELATED section related packets.
        || has_section(model, Section::All)
        || continue_reaches_catch_all(model)
        || (key == DispositionKey::Related && has_section(model, Section::Related))
        || (key == DispositionKey::Untracked && untracked_in_pairs(model, ipv6))
}

/// The states with a disposition and a log level of their own, in the
/// order of Shorewall's state sections, each with the character that
/// names its log chain (Rules.pm's state table: `+net-fw`, `_net-fw`,
/// `&net-fw`).
const LOGGED_STATES: [(CtState, DispositionKey); 3] = [
    (CtState::Related, DispositionKey::Related),
    (CtState::Invalid, DispositionKey::Invalid),
    (CtState::Untracked, DispositionKey::Untracked),
];

fn state_word(state: CtState) -> &'static str {
    match state {
        CtState::Related => "related",
        CtState::Invalid => "invalid",
        _ => "untracked",
    }
}

fn state_chain_mark(key: DispositionKey) -> char {
    match key {
        DispositionKey::Related => '+',
        DispositionKey::Invalid => '_',
        DispositionKey::Untracked | DispositionKey::TcpFlags => '&',
    }
}

/// A disposition's verdict (REJECT: Shorewall's `reject`); CONTINUE: none.
fn disposition_verdict(disposition: Disposition) -> Option<Verdict> {
    match disposition {
        Disposition::Accept => Some(Verdict::Accept),
        Disposition::Drop => Some(Verdict::Drop),
        Disposition::Reject => Some(Verdict::Jump("rejection".to_owned())),
        Disposition::Continue => None,
    }
}

/// The state's rules in a zone pair's chain where the pair chains decide
/// it ([`decided_in_pairs`]: a logged state, or one the rules of the ALL or
/// RELATED section must see first), none where the `ct state vmap` does.
/// With RELATED_LOG_LEVEL (INVALID_, UNTRACKED_), Shorewall decides the
/// state in each zone pair's chain, before its rules: `-m conntrack
/// --ctstate RELATED -j +net-fw`, a chain that logs under LOGLIMIT as
/// `Shorewall:+net-fw:ACCEPT:` (the disposition's word; none for
/// CONTINUE) and then gives the disposition (Rules.pm
/// finish_chain_section). The state's rule, when `key`'s state is logged.
/// When the families' dispositions or log levels differ, one rule for
/// each family whose packets of the state are logged (`meta nfproto`),
/// each with its own level, disposition and log word; the other family's
/// are decided in its `ct state vmap`.
fn state_rules(model: &Model, pair_name: &str, key: DispositionKey) -> Vec<Rule> {
    let firewall = &model.firewall;
    let rule = |ipv6: bool| {
        decided_in_pairs(model, key, ipv6).then(|| {
            let level = firewall.disposition_log(key, ipv6);
            state_rule(model, pair_name, key, level, ipv6)
        })
    };
    if !model.has_family(true) {
        return rule(false).into_iter().collect();
    }
    if !model.has_family(false) {
        return rule(true).into_iter().collect();
    }
    if rule(false) == rule(true) {
        return rule(false).into_iter().collect();
    }
    [(Family::Ipv4, false), (Family::Ipv6, true)]
        .into_iter()
        .filter_map(|(family, ipv6)| {
            let mut rule = rule(ipv6)?;
            rule.matches.insert(0, Match::Family(family));
            Some(rule)
        })
        .collect()
}

/// A state's rule in a pair chain: its log when `level` is given, then its
/// disposition (Shorewall's `-j +net-fw` to a log chain, or the
/// disposition's target itself when unlogged).
fn state_rule(
    model: &Model,
    pair_name: &str,
    key: DispositionKey,
    level: Option<LogLevel>,
    ipv6: bool,
) -> Rule {
    let state = LOGGED_STATES
        .iter()
        .find(|(_, k)| *k == key)
        .map_or(CtState::Untracked, |(state, _)| *state);
    let dispositions = &model.firewall.dispositions;
    let disposition = dispositions.get(key, ipv6);
    let word = match disposition {
        Disposition::Continue => "",
        _ => dispositions.word(key, ipv6),
    };
    let chain = format!("{}{pair_name}", state_chain_mark(key));
    let mut statements: Vec<Statement> = level
        .map(|level| log(model, &chain, word, level))
        .into_iter()
        .collect();
    statements.extend(dispositions.audited(key, ipv6).then_some(Statement::Audit));
    statements.extend(disposition_verdict(disposition).map(Statement::Verdict));
    shorewall(
        vec![Match::CtState(vec![state])],
        statements,
        Piece::StateLog,
    )
}

/// The end of input, forward and output, for packets no zone pair claims
/// (an address on an interface of no zone that no hosts entry holds, a
/// name no wildcard covers): Shorewall's complete_standard_chain (Rules.pm)
/// gives INPUT the policy of `all $FW`, OUTPUT that of `$FW all`, each
/// else that of `all all`, else INPUT DROP and the others REJECT, logged
/// at info.
fn catch_all(model: &Model, hook: Hook, name: &str) -> Vec<Rule> {
    let ends: Vec<(bool, CatchAll)> = [false, true]
        .into_iter()
        .filter(|&v6| model.has_family(v6))
        .map(|v6| (v6, catch_all_policy(model, hook, v6)))
        .collect();
    // One end for both only where they do the same: the verdict, the log
    // and the default actions run before it.
    let same = |a: &CatchAll, b: &CatchAll| {
        a.action == b.action
            && a.log == b.log
            && catch_all_defaults(model, a) == catch_all_defaults(model, b)
    };
    match ends.as_slice() {
        [(_, v4), (_, v6)] if !same(v4, v6) => ends
            .iter()
            .flat_map(|&(ipv6, end)| {
                catch_all_end(model, hook, name, end, ipv6)
                    .into_iter()
                    .map(move |mut rule| {
                        rule.matches.insert(0, Match::Family(Family::of(ipv6)));
                        rule
                    })
            })
            .collect(),
        [(_, end), ..] => catch_all_end(model, hook, name, *end, model.has_family(true)),
        [] => catch_all_end(
            model,
            hook,
            name,
            catch_all_policy(model, hook, false),
            false,
        ),
    }
}

/// The default actions a catch-all runs before its verdict: its policy's,
/// or the firewall's for that verdict.
fn catch_all_defaults(model: &Model, end: &CatchAll) -> Vec<crate::model::DefaultAction> {
    match end.policy {
        Some(index) => model.default_actions(&model.policies[index]),
        None => model.firewall_default_actions(end.action),
    }
}

/// The rules that end INPUT, OUTPUT or FORWARD by one catch-all; `ipv6`:
/// IPv6 packets may meet it (they pass the ICMPv6 IPv6 needs first).
fn catch_all_end(model: &Model, hook: Hook, name: &str, end: CatchAll, ipv6: bool) -> Vec<Rule> {
    let verdict = match end.action {
        PolicyAction::Accept => accept(),
        PolicyAction::Reject => jump("rejection"),
        // CONTINUE adds nothing: the packet meets the chain's own policy.
        PolicyAction::Drop | PolicyAction::Continue => drop_(),
    };
    let mut rules = Vec::new();
    if end.action != PolicyAction::Accept && ipv6 {
        rules.push(allowicmps_jump());
    }
    rules.extend(default_action_jump(&catch_all_defaults(model, &end)));
    let mut statements: Vec<Statement> = end
        .log
        .filter(|_| end.action != PolicyAction::Continue)
        .map(|level| log(model, name, end.action.keyword(), level))
        .into_iter()
        .collect();
    statements.push(verdict);
    rules.push(shorewall(Vec::new(), statements, Piece::CatchAll(hook)));
    rules
}

/// How INPUT, OUTPUT or FORWARD ends for what no zone pair claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatchAll {
    /// The policy whose verdict it takes, if one does.
    pub policy: Option<usize>,
    pub action: PolicyAction,
    pub log: Option<LogLevel>,
}

/// Shorewall's complete_standard_chain (Rules.pm): the end of INPUT takes
/// the policy of the chain `all2$FW`, OUTPUT of `$FW2all`, and each of
/// them and FORWARD, without one, that of `all2all`: the policy written
/// `all` (or `all!zone`, not `all+`) on those sides. With none, INPUT
/// drops and the others reject, logged at info. Each family's end is
/// judged in its own policy list (`ipv6`: Shorewall6's).
pub fn catch_all_policy(model: &Model, hook: Hook, ipv6: bool) -> CatchAll {
    use crate::model::PolicySide;
    // `all` as Shorewall names the chain: `all+` without exclusions makes
    // a chain `all+2...` of its own.
    let all = |side: &PolicySide, plus: bool| matches!(side, PolicySide::All { except } if !plus || !except.is_empty());
    let fw = |side: &PolicySide| *side == PolicySide::Zone(ZoneId::Firewall);
    let own = |p: &crate::model::Policy| match hook {
        Hook::Input => all(&p.source, p.intrazone) && fw(&p.dest),
        Hook::Output => fw(&p.source) && all(&p.dest, p.intrazone),
        _ => false,
    };
    let all_to_all = |p: &crate::model::Policy| {
        matches!((&p.source, &p.dest), (PolicySide::All { except: s }, PolicySide::All { except: d })
            if !(p.intrazone && s.is_empty() && d.is_empty()))
    };
    let mine = |p: &&crate::model::Policy| p.family.has(ipv6);
    let found = model
        .policies
        .iter()
        .position(|p| mine(&p) && own(p))
        .or_else(|| {
            model
                .policies
                .iter()
                .position(|p| mine(&p) && all_to_all(p))
        });
    match found {
        Some(index) => CatchAll {
            policy: Some(index),
            action: model.policies[index].action,
            log: model.policies[index].log,
        },
        None => CatchAll {
            policy: None,
            action: if hook == Hook::Input {
                PolicyAction::Drop
            } else {
                PolicyAction::Reject
            },
            log: Some(LogLevel::Info),
        },
    }
}

/// FASTACCEPT=Yes (`fast_accept`): established packets, and related ones
/// where they are accepted without a log, pass as Misc.pm's `$faststate`
/// accept: at the head of OUTPUT (`place` `None`: every family), and in
/// each interface's option chains, after their sfilter, ahead of their
/// smurfs and tcpflags checks and their zone dispatch. Where a family's
/// options stay on the interfaces (`OptionPlace::Interface`) that is
/// before the addresses no zone claims and the zone pairs' chains (whose
/// `mss` then clamps no SYN-ACK); where blrules entries move them into the
/// pair chains (`OptionPlace::Pairs`) it is after the pair's blacklist,
/// and the addresses no zone claims never meet it. `place`: only the
/// families whose options go there.
fn fast_accepts(model: &Model, place: Option<OptionPlace>) -> Vec<Rule> {
    let states = |ipv6: bool| -> Vec<CtState> {
        if place.is_some_and(|p| option_place(model, ipv6) != p) {
            return Vec::new();
        }
        let states = model.firewall.fast_states(ipv6);
        states.into_iter().map(CtState::from).collect()
    };
    // A family the model lacks takes the other's rule: no family match.
    let one = !model.has_family(false) || !model.has_family(true) || states(false) == states(true);
    let families: Vec<(Vec<Match>, bool)> = if one {
        vec![(Vec::new(), !model.has_family(false))]
    } else {
        vec![
            (vec![Match::Family(Family::Ipv4)], false),
            (vec![Match::Family(Family::Ipv6)], true),
        ]
    };
    families
        .into_iter()
        .filter(|(_, ipv6)| !states(*ipv6).is_empty())
        .map(|(mut matches, ipv6)| {
            matches.push(Match::CtState(states(ipv6)));
            Rule::new(matches, vec![accept()], Origin::Setting("fast_accept"))
        })
        .collect()
}

/// A packet on an interface of no zone whose address (its source coming
/// in, its destination going out) no zone's hosts there hold is claimed by
/// no zone: Shorewall's interface chain dispatches it nowhere, and it
/// reaches the end of INPUT, FORWARD or OUTPUT whatever its conntrack state
/// (Shorewall accepts established traffic in the zone pairs' chains),
/// after the interface's options (its dhcp, tcpflags and smurfs checks
/// come before the dispatch, those of the interface it came in by when it
/// is forwarded to such an address), unless the blacklist has entries:
/// then the options are the zone pairs' (`option_place`) and it meets
/// none. So these rules come first for it, before the conntrack map.
fn unclaimed_rules(model: &Model, hook: Hook, name: &str, sides: &[Side]) -> Vec<Rule> {
    let mut rules = Vec::new();
    for (index, interface) in model.interfaces.iter().enumerate() {
        if interface.zone.is_some() {
            continue;
        }
        let family = model.interface_family(index);
        for &side in sides {
            for ipv6 in [false, true].into_iter().filter(|&v6| family.has(v6)) {
                let matches = unclaimed_matches(model, index, side, ipv6);
                let short = match (hook, side) {
                    (Hook::Input, _) => "in",
                    (Hook::Output, _) => "out",
                    (_, Side::In) => "fwd",
                    (_, Side::Out) => "",
                };
                let own_options = option_place(model, ipv6) == OptionPlace::Interface;
                let options = (own_options
                    && !short.is_empty()
                    && !interface_rules(model, interface, short).is_empty())
                .then(|| {
                    let chain = interface_chain_name(interface, short);
                    shorewall(matches.clone(), vec![jump(&chain)], Piece::Dispatch)
                });
                rules.extend(options);
                // Forwarded to it, the packet has met the forward chain of
                // the interface it came in by first (its sfilter, when it
                // came in by this one, its smurfs and tcpflags checks).
                if own_options && (hook, side) == (Hook::Forward, Side::Out) {
                    for inbound in &model.interfaces {
                        if interface_rules(model, inbound, "fwd").is_empty() {
                            continue;
                        }
                        let mut by = matches.clone();
                        by.extend(dispatch_matches(model, Side::In, inbound));
                        let chain = interface_chain_name(inbound, "fwd");
                        rules.push(shorewall(by, vec![jump(&chain)], Piece::Dispatch));
                    }
                }
                if own_options && hook == Hook::Forward {
                    rules.extend(unclaimed_sfilters(model, interface, side, &matches));
                }
                // This family's end alone: the other's ICMPv6 exceptions
                // would never match behind `meta nfproto`.
                let end = catch_all_policy(model, hook, ipv6);
                for rule in catch_all_end(model, hook, name, end, ipv6) {
                    let mut prefixed = matches.clone();
                    prefixed.extend(rule.matches);
                    rules.push(Rule {
                        matches: prefixed,
                        ..rule
                    });
                }
            }
        }
    }
    rules
}

/// The sfilters of the wildcards covering an interface of no zone, for
/// what that interface's hosts do not claim: no zone's forward chain
/// decides such a packet, so it goes on down FORWARD (Shorewall jumps to
/// the wildcards' chains after the named interfaces') to every chain of
/// an interface whose name matches the one it came in by (`-i ppp+`
/// matches ppp0 too), and each starts with its sfilter: `-A ppp+_fwd -o
/// ppp+ -g sfilter` drops what leaves by ppp+ before the catch-all
/// rejects it. Coming in by the unclaimed interface (`Side::In`), the
/// wildcards that cover it are the chains it meets; leaving by it
/// (`Side::Out`), those that cover it and the interface it came in by.
fn unclaimed_sfilters(
    model: &Model,
    interface: &Interface,
    side: Side,
    unclaimed: &[Match],
) -> Vec<Rule> {
    let wildcards = model.interfaces.iter().filter(|w| w.covers(interface));
    wildcards
        .filter_map(|wildcard| {
            let mut inbound = unclaimed.to_vec();
            if side == Side::Out {
                inbound.push(Match::Interface {
                    side: Side::In,
                    negated: false,
                    names: vec![if_name(wildcard)?],
                });
            }
            sfilter(model, wildcard, inbound)
        })
        .collect()
}

/// A `bridge` of no zone that carries no hosts (shorewall-interfaces(5),
/// Example 4: "a bridge with no IP address and you want to allow traffic
/// through the bridge"): what is bridged between its ports is accepted
/// before anything else, as Misc.pm writes `-A FORWARD -i br0 -o br0 -j
/// ACCEPT` for it (an interface with no zone and no hosts is Shorewall's
/// alone: IPv4).
fn zoneless_bridges(model: &Model) -> Vec<Rule> {
    let bridges = model.interfaces.iter().enumerate().filter(|(index, i)| {
        i.zone.is_none() && i.has(InterfaceOption::Bridge) && !model.has_hosts_on(*index)
    });
    bridges
        .filter_map(|(index, interface)| {
            let name = if_name(interface)?;
            let on = |side| Match::Interface {
                side,
                negated: false,
                names: vec![name.clone()],
            };
            let matches = vec![Match::Family(Family::Ipv4), on(Side::In), on(Side::Out)];
            let origin = Origin::InterfaceOption {
                interface: index,
                option: "bridge",
            };
            Some(Rule::new(matches, vec![accept()], origin))
        })
        .collect()
}

/// `meta nfproto ipv4 iifname "ens33" ip saddr != { the hosts there }`:
/// destination-only hosts are no sources.
fn unclaimed_matches(model: &Model, index: usize, side: Side, ipv6: bool) -> Vec<Match> {
    let family = Family::of(ipv6);
    let mut matches = vec![Match::Family(family)];
    matches.extend(dispatch_matches(model, side, &model.interfaces[index]));
    let nets: Vec<IpNet> = model
        .zones
        .iter()
        .flat_map(|z| &z.hosts)
        .filter(|h| h.interface == index && !(side == Side::In && h.destonly))
        .filter(|h| h.ipset.is_none())
        .flat_map(|h| &h.networks)
        .filter(|n| is_ipv6(n) == ipv6)
        .copied()
        .collect();
    if !nets.is_empty() {
        matches.push(Match::Address {
            family,
            direction: match side {
                Side::In => Direction::Source,
                Side::Out => Direction::Destination,
            },
            negated: true,
            nets,
        });
    }
    // An ipset's hosts there: `ip saddr != @bo`, one match per set.
    let sets = (model.zones.iter().flat_map(|z| &z.hosts))
        .filter(|h| h.interface == index && !(side == Side::In && h.destonly))
        .filter_map(|h| h.ipset)
        .map(|set| &model.ipsets[set])
        .filter(|set| set.ipv6 == ipv6);
    matches.extend(sets.map(|set| member::set_match(set, side, true)));
    matches
}

/// A jump of a dispatch: by verdict map when every interface it names is
/// an exact name, by a rule of its own after the map when one is a
/// wildcard. A map cannot hold `"ppp*"` beside `"ppp9"` (nft refuses the
/// conflicting intervals), and a named interface must be matched before
/// the wildcard that covers it, as Shorewall orders its jumps. Where the
/// named interface's chain could return and Shorewall would go on to the
/// wildcard's, the analyzer refuses the model (`continue-over-wildcard`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Jump {
    /// The map key, `None` for a rule of its own.
    pub(super) key: Option<Vec<MapValue>>,
    /// What the rule matches instead.
    matches: Vec<Match>,
    pub(super) target: Verdict,
}

/// What a dispatch rule matches for an interface: its name, or for a
/// wildcard its pattern without the named interfaces it covers, as named
/// interfaces are matched first (docs/model.md). For `+`, every named
/// interface is left out.
fn dispatch_matches(model: &Model, side: Side, interface: &Interface) -> Vec<Match> {
    let mut matches: Vec<Match> = if_name(interface)
        .map(|name| Match::Interface {
            side,
            negated: false,
            names: vec![name],
        })
        .into_iter()
        .collect();
    let Some(stem) = interface.physical.strip_suffix('+') else {
        return matches;
    };
    let mut covered: Vec<IfName> = Vec::new();
    for named in model.interfaces.iter().filter(|i| !is_wildcard(i)) {
        let name = IfName::Exact(named.physical.clone());
        if named.physical.starts_with(stem) && !covered.contains(&name) {
            covered.push(name);
        }
    }
    if !covered.is_empty() {
        matches.push(Match::Interface {
            side,
            negated: true,
            names: covered,
        });
    }
    matches
}

impl Jump {
    /// A jump for members of zones, one per side. A member whose interface
    /// is a wildcard or carries hosts of another zone needs a rule of its
    /// own: the rules keep the zones' order, a map has none.
    fn new(model: &Model, sides: &[(Side, Member)], ipv6: bool, target: Verdict) -> Jump {
        let exact = sides
            .iter()
            .all(|(_, m)| m.whole() && !is_wildcard(m.interface) && !model.has_hosts_on(m.index));
        let key = exact.then(|| {
            sides
                .iter()
                .map(|(_, m)| MapValue::Name(m.interface.physical.clone()))
                .collect()
        });
        let mut matches: Vec<Match> = sides
            .iter()
            .flat_map(|(side, m)| dispatch_matches(model, *side, m.interface))
            .collect();
        matches.extend(
            sides
                .iter()
                .filter_map(|(side, m)| m.address_match(*side, ipv6)),
        );
        Jump {
            key,
            matches,
            target,
        }
    }
}

/// One verdict-map rule per family, then the jumps that need rules of
/// their own. Each family keeps its own map even when they agree, so a
/// zone of one family added later adds map elements and changes no line.
pub(super) fn dispatch_rules(key: MapKey, v4: Vec<Jump>, v6: Vec<Jump>) -> Vec<Rule> {
    let mut all = family_dispatch(key, Some(Family::Ipv4), &v4);
    all.extend(family_dispatch(key, Some(Family::Ipv6), &v6));
    all
}

/// The verdict map and wildcard rules of one family (`None`: any family).
fn family_dispatch(key: MapKey, family: Option<Family>, jumps: &[Jump]) -> Vec<Rule> {
    let prefix: Vec<Match> = family.map(Match::Family).into_iter().collect();
    let elements: Vec<MapElement> = jumps
        .iter()
        .filter_map(|j| {
            j.key.clone().map(|key| MapElement {
                key,
                verdict: j.target.clone(),
            })
        })
        .collect();
    let mut rules = Vec::new();
    if !elements.is_empty() {
        rules.push(shorewall(
            prefix.clone(),
            vec![Statement::Map { key, elements }],
            Piece::Dispatch,
        ));
    }
    for j in jumps.iter().filter(|j| j.key.is_none()) {
        let mut matches = prefix.clone();
        matches.extend(j.matches.clone());
        let verdict = Statement::Verdict(j.target.clone());
        rules.push(shorewall(matches, vec![verdict], Piece::Dispatch));
    }
    rules
}

/// Where an interface's options (its `in-`, `fwd-` and `out-` chains, a
/// wildcard's sfilter) meet the packets of a family: Shorewall's
/// `add_interface_options` (Chains.pm).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionPlace {
    /// Every packet by the interface, ahead of the dispatch to the zones
    /// (Shorewall moves the option chains' rules into the interface's
    /// chains): the family's blrules is empty.
    Interface,
    /// Only the packets the dispatch sends to a zone pair, after the pair's
    /// blacklist (Shorewall copies them, or jumps to them, into every
    /// zone-pair chain): the family's blrules has entries. A packet of no
    /// pair (a zone's traffic to itself on one interface, an address no
    /// zone claims) meets none of them.
    Pairs,
}

/// Where the interfaces' options go for a family (`OptionPlace`).
pub fn option_place(model: &Model, ipv6: bool) -> OptionPlace {
    if crate::backend::shorewall::writes_blacklist(model, ipv6) {
        OptionPlace::Pairs
    } else {
        OptionPlace::Interface
    }
}

/// The jumps to the interface chains of one hook, for each family where
/// its options go (`option_place`): by the interface alone, or by the
/// dispatch to the zone pairs, in a chain of its own
/// (`pair_options_chain`).
fn option_jumps(model: &Model, pairs: &[(ZoneId, ZoneId)], hook: &str, side: Side) -> Vec<Rule> {
    let families = [false, true].map(|ipv6| option_place(model, ipv6));
    if families == [OptionPlace::Interface; 2] {
        return interface_jumps(model, hook, side);
    }
    let mut rules = Vec::new();
    for ipv6 in [false, true].into_iter().filter(|&v6| model.has_family(v6)) {
        if option_place(model, ipv6) == OptionPlace::Interface {
            rules.extend(family_dispatch(
                MapKey::Interface(side),
                Some(Family::of(ipv6)),
                &interface_option_jumps(model, hook, side),
            ));
        }
    }
    if pair_options_chain(model, pairs, hook).is_some() {
        let jump = Statement::Verdict(Verdict::Jump(pair_options_name(hook)));
        rules.push(shorewall(Vec::new(), vec![jump], Piece::Dispatch));
    }
    rules
}

/// The chain of one hook's pair dispatch to the interface chains.
fn pair_options_name(hook: &str) -> String {
    format!("options-{hook}")
}

/// The dispatch to the interface chains of one hook by the zone pairs,
/// for each family whose options are the pairs' (`OptionPlace::Pairs`):
/// a chain of its own, so that a member's `return` (its interface has no
/// options) comes back to the base chain and its dispatch to the pair,
/// where in the base chain it would end the walk at the hook's policy.
/// `None` when no pair's member has options.
fn pair_options_chain(model: &Model, pairs: &[(ZoneId, ZoneId)], hook: &str) -> Option<Chain> {
    let rules: Vec<Rule> = [false, true]
        .into_iter()
        .filter(|&ipv6| model.has_family(ipv6) && option_place(model, ipv6) == OptionPlace::Pairs)
        .flat_map(|ipv6| pair_option_jumps(model, pairs, hook, ipv6))
        .collect();
    (!rules.is_empty()).then(|| Chain {
        name: pair_options_name(hook),
        base: None,
        comment: Some(format!(
            "the interfaces' {hook} options, by the zone pairs (the blacklist has entries)"
        )),
        rules,
    })
}

/// The pairs' option chains of the three hooks (`pair_options_chain`).
fn pair_options_chains(model: &Model, pairs: &[(ZoneId, ZoneId)]) -> Vec<Chain> {
    ["in", "fwd", "out"]
        .into_iter()
        .filter_map(|hook| pair_options_chain(model, pairs, hook))
        .collect()
}

/// The jumps to the interface chains of one hook by the zone pairs'
/// dispatch: for each pair's members, the chain of the interface the
/// packet came in by. From the firewall, Shorewall copies the out options
/// of every interface of the zone into the pair's chain (`fw-loc`, no
/// `-o`): DHCP leaves by a zone's interface without `dhcp` when another
/// of its interfaces has it (`zone_out_options`).
fn pair_option_jumps(
    model: &Model,
    pairs: &[(ZoneId, ZoneId)],
    hook: &str,
    ipv6: bool,
) -> Vec<Rule> {
    let chain = |interface: &Interface| {
        if interface_rules(model, interface, hook).is_empty() {
            Verdict::Return
        } else {
            Verdict::Jump(interface_chain_name(interface, hook))
        }
    };
    let target = |pair: (ZoneId, ZoneId), sides: &[(Side, Member)]| match hook {
        "out" => zone_out_options(model, pair.1, ipv6).map_or(Verdict::Return, chain),
        _ => chain(sides[0].1.interface),
    };
    let (key, jumps) = match hook {
        "in" => (
            MapKey::Interface(Side::In),
            local_jumps(model, pairs, Side::In, ipv6, &target),
        ),
        "out" => (
            MapKey::Interface(Side::Out),
            local_jumps(model, pairs, Side::Out, ipv6, &target),
        ),
        _ => (
            MapKey::InterfacePair,
            forward_jumps(model, pairs, ipv6, true, &target),
        ),
    };
    family_dispatch(key, Some(Family::of(ipv6)), &dispatched(jumps))
}

/// The interface whose out chain stands for every out option of a zone's
/// interfaces in a family, which Shorewall copies into the firewall's
/// pair chain to the zone: the first of them whose out chain has a rule
/// of that family. The out options are `dhcp`'s accepts, the same rules
/// for every interface of one family, so one chain gives their union's
/// verdicts.
fn zone_out_options(model: &Model, zone: ZoneId, ipv6: bool) -> Option<&Interface> {
    let other = Match::Family(Family::of(!ipv6));
    // An interface's out rules of this family, as a packet meets them.
    let out = |interface: &Interface| -> Vec<(Vec<Match>, Vec<Statement>)> {
        (interface_rules(model, interface, "out").into_iter())
            .filter(|r| !r.matches.contains(&other))
            .map(|r| (r.matches, r.statements))
            .collect()
    };
    let members: Vec<&Interface> = (zone_members(model, zone, ipv6).into_iter())
        .filter(|m| model.interface_family(m.index).has(ipv6))
        .map(|m| m.interface)
        .collect();
    let chosen = *members.iter().find(|i| !out(i).is_empty())?;
    // Shorewall copies every member's: one stands for all only while
    // they are the same rules (or none).
    debug_assert!(
        (members.iter()).all(|i| out(i).is_empty() || out(i) == out(chosen)),
        "the out options of zone {zone:?}'s interfaces differ"
    );
    Some(chosen)
}

/// A dispatch's jumps that go somewhere: none when every one returns; a
/// map leaves out the ones that return, a rule of its own keeps its
/// return so that no later rule takes its packets.
pub(super) fn dispatched(jumps: Vec<Jump>) -> Vec<Jump> {
    if !(jumps.iter()).any(|j| matches!(j.target, Verdict::Jump(_) | Verdict::Goto(_))) {
        return Vec::new();
    }
    jumps
        .into_iter()
        .filter(|j| j.key.is_none() || j.target != Verdict::Return)
        .collect()
}

/// Jumps to the interface chains of one hook.
fn interface_jumps(model: &Model, hook: &str, side: Side) -> Vec<Rule> {
    // The interface chains are the same for both families.
    family_dispatch(
        MapKey::Interface(side),
        None,
        &interface_option_jumps(model, hook, side),
    )
}

/// A jump to its chain of the hook for each interface that has one.
fn interface_option_jumps(model: &Model, hook: &str, side: Side) -> Vec<Jump> {
    model
        .interfaces
        .iter()
        .filter(|i| !interface_rules(model, i, hook).is_empty())
        .enumerate()
        .map(|(index, i)| {
            let member = Member {
                interface: i,
                index,
                networks: &[],
                ipset: None,
                destonly: false,
                routeback: false,
            };
            // The interface chains are the same for both families.
            Jump::new(
                model,
                &[(side, member)],
                false,
                Verdict::Jump(interface_chain_name(i, hook)),
            )
        })
        .collect()
}

fn by_interface(model: &Model, pairs: &[(ZoneId, ZoneId)], side: Side) -> Vec<Rule> {
    let target = |pair: (ZoneId, ZoneId), _: &[(Side, Member)]| {
        Verdict::Jump(model.pair_name(pair.0, pair.1))
    };
    let jumps = |ipv6: bool| local_jumps(model, pairs, side, ipv6, &target);
    dispatch_rules(MapKey::Interface(side), jumps(false), jumps(true))
}

/// The jumps of the firewall's own traffic (in or out) to each pair's
/// `target`.
pub(super) fn local_jumps(
    model: &Model,
    pairs: &[(ZoneId, ZoneId)],
    side: Side,
    ipv6: bool,
    target: &Target,
) -> Vec<Jump> {
    let outgoing = side == Side::Out;
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
        // A destination-only member is never a source.
        let members = zone_members(model, zone, ipv6).into_iter();
        for member in members.filter(|m| !(side == Side::In && m.destonly)) {
            let sides = [(side, member)];
            let verdict = target((source, dest), &sides);
            jumps.push(Jump::new(model, &sides, ipv6, verdict));
        }
    }
    jumps
}

fn filter_chain(name: &str, hook: Hook, rules: Vec<Rule>) -> Chain {
    Chain {
        name: name.to_owned(),
        base: base(hook, ChainType::Filter, Priority::Filter, Policy::Drop),
        comment: None,
        rules,
    }
}

/// The base chain of the firewall's own traffic, in (`Side::In`, hook
/// input) or out (`Side::Out`, hook output).
fn local_chain(model: &Model, pairs: &[(ZoneId, ZoneId)], side: Side) -> Chain {
    let (name, short, hook, shorewall) = match side {
        Side::In => ("input", "in", Hook::Input, "INPUT"),
        Side::Out => ("output", "out", Hook::Output, "OUTPUT"),
    };
    // OUTPUT's accept is at its head; INPUT's in the interfaces' option
    // chains, or after the blacklist where blrules moves them.
    let (head, after_blacklist) = match side {
        Side::Out => (fast_accepts(model, None), Vec::new()),
        Side::In => (
            fast_accepts(model, Some(OptionPlace::Interface)),
            fast_accepts(model, Some(OptionPlace::Pairs)),
        ),
    };
    let mut rules = first_rules(
        model,
        Some(side),
        super::blacklist::jump(model, pairs, hook),
        after_blacklist,
    );
    let mut unclaimed = head;
    unclaimed.extend(unclaimed_rules(model, hook, shorewall, &[side]));
    rules.splice(1..1, unclaimed);
    rules.extend(option_jumps(model, pairs, short, side));
    rules.extend(by_interface(model, pairs, side));
    rules.extend(catch_all(model, hook, shorewall));
    filter_chain(name, hook, rules)
}

/// What a dispatch jumps to for a pair and its members (`(Side::In,
/// inbound)` first for forwarded traffic, the zone's member for the
/// firewall's own).
pub(super) type Target<'t> = dyn Fn((ZoneId, ZoneId), &[(Side, Member)]) -> Verdict + 't;

/// The jumps of forwarded traffic to each pair's `target`. Between two
/// zones on one interface that its sfilter keeps, there is a jump only
/// where `sfiltered_back` asks for it: Shorewall dispatches that traffic
/// to the pair's chain, where the blacklist and the options (the sfilter
/// among them) meet it when the blacklist has entries (`option_place`).
pub(super) fn forward_jumps(
    model: &Model,
    pairs: &[(ZoneId, ZoneId)],
    ipv6: bool,
    sfiltered_back: bool,
    target: &Target,
) -> Vec<Jump> {
    let hairpins = hairpin_interfaces(model, ipv6);
    let mut jumps: Vec<Jump> = hairpins
        .iter()
        .flat_map(|named| hairpin_jumps(model, pairs, named, ipv6, target))
        .collect();
    for &(source, dest) in pairs
        .iter()
        .filter(|(s, d)| *s != ZoneId::Firewall && *d != ZoneId::Firewall)
    {
        let sources = zone_members(model, source, ipv6).into_iter();
        for inbound in sources.filter(|m| !m.destonly) {
            for outbound in zone_members(model, dest, ipv6) {
                let back = inbound.interface.physical == outbound.interface.physical;
                if back
                    && hairpins
                        .iter()
                        .any(|h| h.physical == inbound.interface.physical)
                {
                    continue;
                }
                if back
                    && source == dest
                    && !back_to_itself(model, source, (&inbound, &outbound), ipv6)
                {
                    continue;
                }
                if back
                    && source != dest
                    && !sfiltered_back
                    && sfiltered(model, inbound.interface, ipv6)
                {
                    continue;
                }
                let sides = [(Side::In, inbound), (Side::Out, outbound)];
                let verdict = target((source, dest), &sides);
                jumps.push(Jump::new(model, &sides, ipv6, verdict));
            }
        }
    }
    jumps
}

/// The named interfaces whose packets back out of themselves Shorewall
/// dispatches by more than their own zone's members: covered by a
/// wildcard (`-o ppp+` leaves by ppp7 too), with no sfilter of their own
/// for the family to drop them first (routeback, routefilter or rpfilter
/// lifts it).
fn hairpin_interfaces(model: &Model, ipv6: bool) -> Vec<&Interface> {
    model
        .interfaces
        .iter()
        .filter(|n| !is_wildcard(n) && !sfiltered(model, n, ipv6))
        .filter(|n| model.interfaces.iter().any(|w| w.covers_named(n)))
        .collect()
}

/// The wildcards covering `named` whose sfilter stands for the family.
fn sfiltered_covers<'m>(
    model: &'m Model,
    named: &'m Interface,
    ipv6: bool,
) -> impl Iterator<Item = &'m Interface> {
    model
        .interfaces
        .iter()
        .filter(move |w| w.covers_named(named) && sfiltered(model, w, ipv6))
}

/// What comes in by a hairpin interface (`hairpin_interfaces`) and leaves
/// by it again, in Shorewall's order (Misc.pm generate_matrix): FORWARD's
/// jumps by the interface itself, its zones in order, then by the
/// wildcards that cover it (`-i ppp+` matches ppp7), unless one of them
/// has an sfilter (`hairpin_sfilters` drops what is left then); in each
/// source zone's forward chain, its destinations in zone order, each
/// member that leaves by the interface: its own (`-o ppp7`) or a
/// covering wildcard's (`-o ppp+`). A zone's chain has no entry back to
/// itself on an interface of its only one without routeback
/// (`shorewall_dispatches`), so a zone's own traffic there goes on to the
/// next destination, e.g. the wildcard's zone: `loc` on ppp7 alone sends
/// ppp7 -> ppp7 to `loc-net` by `-o ppp+`.
fn hairpin_jumps(
    model: &Model,
    pairs: &[(ZoneId, ZoneId)],
    named: &Interface,
    ipv6: bool,
    target: &Target,
) -> Vec<Jump> {
    let leaves = |i: &Interface| i.physical == named.physical || i.covers_named(named);
    let mut sources: Vec<ZoneId> = pairs.iter().map(|p| p.0).collect();
    sources.dedup();
    sources.retain(|&s| s != ZoneId::Firewall);
    // The named interface's own members first, then the covering
    // wildcards' (unless a wildcard's sfilter drops what is left).
    let by_named = |i: &Interface| i.physical == named.physical;
    let by_cover = |i: &Interface| i.covers_named(named);
    let mut comes_in: Vec<&dyn Fn(&Interface) -> bool> = vec![&by_named];
    if sfiltered_covers(model, named, ipv6).next().is_none() {
        comes_in.push(&by_cover);
    }
    let inbound = comes_in.into_iter().flat_map(|by| {
        sources.iter().flat_map(move |&source| {
            let members = zone_members(model, source, ipv6).into_iter();
            members
                .filter(move |m| !m.destonly && by(m.interface))
                .map(move |m| (source, m))
        })
    });
    let name = |side| interface_is(named, side);
    let mut jumps = Vec::new();
    for (source, from) in inbound {
        let dests = pairs
            .iter()
            .filter(|(s, d)| *s == source && *d != ZoneId::Firewall);
        let outbound = dests.flat_map(|&(_, dest)| {
            let members = zone_members(model, dest, ipv6).into_iter();
            members.map(move |to| (dest, to))
        });
        for (dest, to) in outbound {
            if !leaves(to.interface) || !shorewall_dispatches(model, (source, dest), &to) {
                continue;
            }
            let sides = [(Side::In, from), (Side::Out, to)];
            let mut matches = vec![name(Side::In), name(Side::Out)];
            matches.extend(sides.iter().filter_map(|(s, m)| m.address_match(*s, ipv6)));
            jumps.push(Jump {
                key: None,
                matches,
                target: target((source, dest), &sides),
            });
            // A whole member takes the rest: nothing after it is reached,
            // of this source member's, or of any when it is whole too.
            if to.whole() {
                if from.whole() {
                    return jumps;
                }
                break;
            }
        }
    }
    jumps
}

/// The match of packets coming in (`Side::In`) or leaving by `named`.
fn interface_is(named: &Interface, side: Side) -> Match {
    Match::Interface {
        side,
        negated: false,
        names: if_name(named).into_iter().collect(),
    }
}

/// Whether a source zone's forward chain has an entry for a member of the
/// destination zone (Misc.pm generate_matrix: `$zone ne $zone1 ||
/// $num_ifaces > 1 || $hostref->{options}{routeback}`).
fn shorewall_dispatches(model: &Model, (source, dest): (ZoneId, ZoneId), to: &Member) -> bool {
    let ZoneId::Zone(zone) = dest else {
        return true;
    };
    source != dest || member::interface_count(model, zone) > 1 || to.routeback
}

/// What comes in by a hairpin interface and back out of it that no zone
/// of its own claims, where a wildcard covering it has an sfilter: FORWARD
/// goes on to the wildcard's chain, whose sfilter (`-o ppp+ -g sfilter`)
/// drops it.
fn hairpin_sfilters(model: &Model) -> Vec<Rule> {
    let mut rules = Vec::new();
    for ipv6 in [false, true] {
        for named in hairpin_interfaces(model, ipv6) {
            let Some(wildcard) = sfiltered_covers(model, named, ipv6).next() else {
                continue;
            };
            let matches = vec![
                Match::Family(Family::of(ipv6)),
                interface_is(named, Side::In),
                interface_is(named, Side::Out),
            ];
            rules.push(sfilter_drop(model, wildcard, matches));
        }
    }
    rules
}

fn forward_chain(model: &Model, pairs: &[(ZoneId, ZoneId)]) -> Chain {
    let target = |pair: (ZoneId, ZoneId), _: &[(Side, Member)]| {
        Verdict::Jump(model.pair_name(pair.0, pair.1))
    };
    let jumps = |ipv6: bool| forward_jumps(model, pairs, ipv6, false, &target);
    // FASTACCEPT=Yes accepts in the interfaces' forward chains, after
    // their sfilters (`-A eth1_fwd -o eth1 -g sfilter` comes first), or
    // after the blacklist where blrules moves them into the pair chains.
    let fast = fast_accepts(model, Some(OptionPlace::Interface));
    let (first, mut ahead) = if fast.is_empty() {
        (Vec::new(), early_sfilters(model))
    } else {
        (early_sfilters(model), Vec::new())
    };
    ahead.extend(fast_accepts(model, Some(OptionPlace::Pairs)));
    let mut rules = first_rules(
        model,
        None,
        super::blacklist::jump(model, pairs, Hook::Forward),
        ahead,
    );
    let mut unclaimed = zoneless_bridges(model);
    unclaimed.extend(first);
    unclaimed.extend(fast);
    unclaimed.extend(unclaimed_rules(
        model,
        Hook::Forward,
        "FORWARD",
        &[Side::In, Side::Out],
    ));
    rules.splice(0..0, unclaimed);
    rules.extend(option_jumps(model, pairs, "fwd", Side::In));
    rules.extend(dispatch_rules(
        MapKey::InterfacePair,
        jumps(false),
        jumps(true),
    ));
    rules.extend(hairpin_sfilters(model));
    rules.extend(catch_all(model, Hook::Forward, "FORWARD"));
    filter_chain("forward", Hook::Forward, rules)
}

/// Whether a zone's traffic from the member back out of the member's
/// interface to the zone's member `outbound` passes: for a whole
/// interface only with `routeback` (Shorewall writes no intra-zone rule
/// for the interface otherwise); for hosts on it where Shorewall writes
/// the jump (`-A dmz_frwd -o eth2 -d 10.2.0.0/24 -j ACCEPT`: for every
/// hosts member of a zone on several interfaces, else for a `routeback`
/// one, `shorewall_dispatches`) and the sfilter does not drop it (the
/// interface's sfilter, first in its forward chain, decides).
fn back_to_itself(
    model: &Model,
    zone: ZoneId,
    (inbound, outbound): (&Member, &Member),
    ipv6: bool,
) -> bool {
    if inbound.whole() {
        inbound.interface.routeback(ipv6)
    } else {
        shorewall_dispatches(model, (zone, zone), outbound)
            && !sfiltered(model, inbound.interface, ipv6)
    }
}

/// Whether Shorewall's sfilter drops what is forwarded back out of the
/// interface it came in on, whatever its zones (Misc.pm: `-o IF -g
/// sfilter` first in the interface's forward chain): unless the interface
/// is routeback, route-filtered or `+`. Two zones sharing it (hosts, nested
/// zones) do not reach each other through the firewall then.
///
/// Per family: routefilter (the option and ROUTE_FILTER) is Shorewall's
/// alone (Zones.pm offers it to IPv4 interfaces only, and shorewall6.conf
/// has no ROUTE_FILTER), and `rpfilter` may be one family's option, so
/// Shorewall6 keeps the sfilter where Shorewall lifts it.
pub(crate) fn sfiltered(model: &Model, interface: &Interface, ipv6: bool) -> bool {
    !interface.routeback(ipv6)
        && !member::hosts_routeback(model, interface_index(model, interface), ipv6)
        && (ipv6 || model.route_filter(interface).is_none())
        && !interface.has_for(InterfaceOption::Rpfilter, ipv6)
        && interface.physical != "+"
}

/// routefilter: drop packets whose source would not be routed back, as the
/// kernel's rp_filter: strict (`routefilter`, `=1`) out of the interface
/// they came in on, loose (`=2`) out of any interface. logmartians logs
/// them first.
fn prerouting_chain(model: &Model) -> Option<Chain> {
    let rules: Vec<Rule> = model
        .interfaces
        .iter()
        .enumerate()
        .filter(|(index, _)| model.interface_family(*index).has_ipv4())
        .filter_map(|(index, i)| Some((index, i, model.route_filter(i)?)))
        .map(|(index, i, filter)| {
            let lookup = match filter {
                RouteFilter::Loose => Fib::NoRouteBackLoose,
                RouteFilter::Strict => Fib::NoRouteBackStrict,
            };
            let mut matches: Vec<Match> = if_name(i)
                .map(|name| Match::Interface {
                    side: Side::In,
                    negated: false,
                    names: vec![name],
                })
                .into_iter()
                .collect();
            matches.push(Match::Family(Family::Ipv4));
            matches.push(Match::Address {
                family: Family::Ipv4,
                direction: Direction::Source,
                negated: true,
                nets: vec![net("0.0.0.0/32")],
            });
            matches.push(Match::Fib(lookup));
            let mut statements = Vec::new();
            if model.logs_martians(i) {
                statements.push(log(model, "martian", "DROP", LogLevel::Info));
            }
            statements.push(drop_());
            Rule::new(matches, statements, route_filter_origin(i, index))
        })
        .collect();
    (!rules.is_empty()).then(|| Chain {
        name: "prerouting".to_owned(),
        base: base(
            Hook::Prerouting,
            ChainType::Filter,
            Priority::Filter,
            Policy::Accept,
        ),
        comment: None,
        rules,
    })
}

/// rpfilter, as Shorewall's mangle PREROUTING `-i IF -j rpfilter`
/// (Misc.pm): a new, related or invalid packet whose source would not be
/// routed back out of the interface it came in on, looked up with its mark
/// (`-m rpfilter --validmark --invert`), is dropped (RPFILTER_DISPOSITION
/// DROP), logged first with `rpfilter_log`. Where an IPv4 rpfilter
/// interface has `dhcp`, DHCP requests from 0.0.0.0 pass on every rpfilter
/// interface (Shorewall's one RETURN in the shared chain).
fn rpfilter_chain(model: &Model) -> Option<Chain> {
    let on = |i: &Interface, ipv6| i.has_for(InterfaceOption::Rpfilter, ipv6);
    let dhcp = model.interfaces.iter().enumerate().find(|(index, i)| {
        model.interface_family(*index).has_ipv4()
            && on(i, false)
            && i.has_for(InterfaceOption::Dhcp, false)
    });
    let mut rules = Vec::new();
    for (index, interface) in model.interfaces.iter().enumerate() {
        let incoming: Vec<Match> = if_name(interface)
            .map(|name| Match::Interface {
                side: Side::In,
                negated: false,
                names: vec![name],
            })
            .into_iter()
            .collect();
        // Always the family: the other family's packets are not Shorewall's
        // (or Shorewall6's) to filter.
        for (family, _) in family_matches(model, interface, InterfaceOption::Rpfilter) {
            let mut matches = incoming.clone();
            matches.push(Match::Family(family));
            if let (Family::Ipv4, Some((dhcp, _))) = (family, dhcp) {
                rules.push(rpfilter_dhcp(matches.clone(), dhcp));
            }
            matches.push(Match::CtState(vec![
                CtState::New,
                CtState::Related,
                CtState::Invalid,
            ]));
            matches.push(Match::Fib(Fib::NoRouteBackWithMark));
            let mut statements = Vec::new();
            if let Some(level) = model.firewall.rpfilter_log.get(family == Family::Ipv6) {
                statements.push(log(model, "rplog", "DROP", level));
            }
            statements.push(drop_());
            let origin = Origin::InterfaceOption {
                interface: index,
                option: "rpfilter",
            };
            rules.push(Rule::new(matches, statements, origin));
        }
    }
    (!rules.is_empty()).then(|| Chain {
        name: "rpfilter".to_owned(),
        base: base(
            Hook::Prerouting,
            ChainType::Filter,
            Priority::Mangle,
            Policy::Accept,
        ),
        comment: Some("rpfilter: Shorewall's mangle rpfilter chain".to_owned()),
        rules,
    })
}

/// Shorewall's `-s 0.0.0.0 -p udp --dport 67 --sport 68 -j RETURN` at the
/// head of its rpfilter chain, from the first rpfilter interface with `dhcp`.
fn rpfilter_dhcp(mut matches: Vec<Match>, dhcp: usize) -> Rule {
    matches.push(address(
        Family::Ipv4,
        Direction::Source,
        vec![net("0.0.0.0/32")],
    ));
    let port = |direction, port| Match::Port {
        proto: PortProto::Udp,
        direction,
        ports: vec![PortRange::single(port)],
    };
    matches.push(port(Direction::Destination, 67));
    matches.push(port(Direction::Source, 68));
    let origin = Origin::InterfaceOption {
        interface: dhcp,
        option: "dhcp",
    };
    Rule::new(matches, vec![accept()], origin)
}

/// The interface's own `routefilter` option, else the model's `route_filter`.
fn route_filter_origin(interface: &Interface, index: usize) -> Origin {
    let own = interface
        .options
        .iter()
        .any(|o| matches!(o, InterfaceOption::Routefilter(value) if *value != Some(0)));
    if own {
        Origin::InterfaceOption {
            interface: index,
            option: "routefilter",
        }
    } else {
        Origin::Setting("route_filter")
    }
}

// ----- firewall-wide settings -----

/// The rules of the `[firewall]` settings: `ip_forwarding = "off"` first
/// in the forward chain (nothing is forwarded, whatever the kernel's
/// switch), and the chain of `clamp_mss`.
fn setting_rules(model: &Model, chains: &mut Vec<Chain>) {
    let off = |ipv6: bool| model.ip_forwarding(ipv6) == Forwarding::Off;
    let rule = match (off(false), off(true) || !model.has_family(true)) {
        (true, true) => Some((Vec::new(), "ip_forwarding")),
        (true, false) => Some((vec![Match::Family(Family::Ipv4)], "ip_forwarding_ipv4")),
        (false, true) if off(true) => {
            Some((vec![Match::Family(Family::Ipv6)], "ip_forwarding_ipv6"))
        }
        _ => None,
    };
    if let Some((matches, key)) = rule
        && let Some(forward) = chains.iter_mut().find(|c| c.name == "forward")
    {
        let off = Rule::new(matches, vec![drop_()], Origin::Setting(key));
        forward.rules.insert(0, off);
    }
    chains.extend(mangle_forward_chain(model));
    if model.firewall.conntrack_helpers {
        chains.push(helper_chain(Hook::Prerouting, "helpers-prerouting"));
        chains.push(helper_chain(Hook::Output, "helpers-output"));
    }
    chains.extend(rule_helper_chains(model));
    chains.extend(notrack_chains(model));
}

/// `[[conntrack]]`, as Raw.pm writes the conntrack file's NOTRACK lines in
/// the raw table: before conntrack (raw priority), `notrack` for the
/// entry's packets. A source zone's entries are on its interfaces and
/// hosts in prerouting (Shorewall's `net_ctrk`, jumped to from raw
/// PREROUTING by the zone's members), the firewall's in output (`fw_ctrk`);
/// an entry without a source on the hooks of its `chain` (FORMAT 3 `:P`,
/// `:O`, `:PO`, straight in PREROUTING and OUTPUT).
///
/// The first CT target a packet meets in the raw table wins (xt_CT
/// ignores a packet that has one), so a conntrack helper Shorewall
/// attaches before a NOTRACK line keeps the packet tracked; here such a
/// packet leaves the chain (`return`) before that line, and the mangle
/// chains give it its helper. Shorewall's order: in PREROUTING each zone's
/// chain (its rules' helpers, then its entries), then the FORMAT 3 lines
/// (the shipped helpers after them); in OUTPUT the FORMAT 3 lines, the
/// shipped helpers (conntrack_helpers), then `fw_ctrk` (the firewall's
/// rules' helpers, then its entries).
fn notrack_chains(model: &Model) -> Vec<Chain> {
    let entries = |zone: Option<ZoneId>| {
        model
            .conntrack
            .iter()
            .enumerate()
            .filter(move |(_, e)| e.source.as_ref().map(|s| s.zone) == zone.map(ZoneRef::One))
    };
    let anywhere = |output: bool| {
        entries(None).filter(move |(_, e)| {
            e.chain == crate::model::ConntrackChain::Both
                || (e.chain == crate::model::ConntrackChain::Output) == output
        })
    };
    let arriving: Vec<Rule> = anywhere(false)
        .flat_map(|(index, entry)| notrack_rules(model, index, entry, None))
        .collect();
    let mut prerouting = Vec::new();
    for zone in (0..model.zones.len()).map(ZoneId::Zone) {
        let notracks: Vec<Rule> = entries(Some(zone))
            .flat_map(|(index, entry)| notrack_rules(model, index, entry, Some(zone)))
            .collect();
        if !notracks.is_empty() || !arriving.is_empty() {
            prerouting.extend(rule_helper_returns(model, zone));
        }
        prerouting.extend(notracks);
    }
    // Returns alone untrack nothing: no chain for them, unless entries
    // without a source follow them.
    if arriving.is_empty()
        && prerouting
            .iter()
            .all(|r| r.statements != [Statement::Notrack])
    {
        prerouting.clear();
    }
    prerouting.extend(arriving);
    let mut output: Vec<Rule> = anywhere(true)
        .flat_map(|(index, entry)| notrack_rules(model, index, entry, None))
        .collect();
    let own: Vec<Rule> = entries(Some(ZoneId::Firewall))
        .flat_map(|(index, entry)| notrack_rules(model, index, entry, Some(ZoneId::Firewall)))
        .collect();
    if !own.is_empty() {
        if model.firewall.conntrack_helpers {
            let helpers = helper_chain(Hook::Output, "").rules;
            output.extend(helpers.into_iter().skip(1).map(as_return));
        }
        output.extend(rule_helper_returns(model, ZoneId::Firewall));
        output.extend(own);
    }
    let chain = |hook: Hook, name: &str, rules: Vec<Rule>| Chain {
        name: name.to_owned(),
        base: base(hook, ChainType::Filter, Priority::Raw, Policy::Accept),
        comment: Some("conntrack: packets left untracked".to_owned()),
        rules,
    };
    let mut chains = Vec::new();
    if !prerouting.is_empty() {
        chains.push(chain(Hook::Prerouting, "notrack-prerouting", prerouting));
    }
    if !output.is_empty() {
        chains.push(chain(Hook::Output, "notrack-output", output));
    }
    chains
}

/// A rule that makes the packet leave the chain where `rule` acted.
fn as_return(mut rule: Rule) -> Rule {
    rule.statements = vec![Statement::Verdict(Verdict::Return)];
    rule
}

/// The helpers that rules from `zone` attach in its raw chain (Shorewall
/// compiles the rules before the conntrack file), as returns.
fn rule_helper_returns(model: &Model, zone: ZoneId) -> Vec<Rule> {
    let mut rules = Vec::new();
    for (index, rule) in model.rules.iter().enumerate() {
        let Some(helper) = rule.helper.and_then(conntrack_helper) else {
            continue;
        };
        if helper_sources(model, rule).contains(&zone) {
            let found = helper_rules(model, rule, helper, zone, Origin::Rule(index));
            rules.extend(found.into_iter().map(as_return));
        }
    }
    rules
}

/// One entry's `notrack` rules on one hook: per family, per member of the
/// source zone (`Some(zone)`: a zone's in prerouting, the firewall's in
/// output; `None`: no source), per service.
fn notrack_rules(
    model: &Model,
    index: usize,
    entry: &crate::model::Conntrack,
    zone: Option<ZoneId>,
) -> Vec<Rule> {
    let mut rules = Vec::new();
    for ipv6 in [false, true] {
        if !model.has_family(ipv6) {
            continue;
        }
        let of_family = |nets: &[IpNet]| -> Vec<IpNet> {
            nets.iter()
                .filter(|a| is_ipv6(a) == ipv6)
                .copied()
                .collect()
        };
        let dest = of_family(&entry.dest);
        let dest_excluded = of_family(&entry.dest_excluded);
        if dest.is_empty() && !entry.dest.is_empty()
            || entry.dest.is_empty() && dest_excluded.is_empty() && !entry.dest_excluded.is_empty()
        {
            continue;
        }
        let mut tail = vec![Match::Family(Family::of(ipv6))];
        let heads: Vec<Vec<Match>> = match (zone, &entry.source) {
            (Some(ZoneId::Zone(_)), Some(source)) => {
                let Some(sources) = endpoint_matches(model, source, Direction::Source, ipv6) else {
                    continue;
                };
                tail.extend(sources);
                zone_members(model, zone.unwrap_or(ZoneId::Firewall), ipv6)
                    .iter()
                    .filter(|m| !m.destonly)
                    .map(|m| {
                        let mut head = dispatch_matches(model, Side::In, m.interface);
                        head.extend(m.address_match(Side::In, ipv6));
                        head
                    })
                    .collect()
            }
            (_, Some(source)) => {
                let Some(sources) = endpoint_matches(model, source, Direction::Source, ipv6) else {
                    continue;
                };
                tail.extend(sources);
                vec![Vec::new()]
            }
            (_, None) => vec![Vec::new()],
        };
        if !dest.is_empty() {
            tail.push(address(Family::of(ipv6), Direction::Destination, dest));
        }
        if !dest_excluded.is_empty() {
            tail.push(Match::Address {
                family: Family::of(ipv6),
                direction: Direction::Destination,
                negated: true,
                nets: dest_excluded,
            });
        }
        let services: Vec<Option<&Service>> = if entry.services.is_empty() {
            vec![None]
        } else {
            entry.services.iter().map(Some).collect()
        };
        for head in heads {
            for service in &services {
                if service.is_some_and(|s| s.proto.only_ipv6().is_some_and(|only| only != ipv6)) {
                    continue;
                }
                let mut matches = head.clone();
                matches.extend(tail.iter().cloned());
                if let Some(service) = service {
                    matches.extend(service_matches(service));
                }
                let origin = Origin::Conntrack(index);
                rules.push(Rule::new(matches, vec![Statement::Notrack], origin));
            }
        }
    }
    rules
}

/// The entry of Shorewall's conntrack helper table for a kernel helper.
fn conntrack_helper(kind: &str) -> Option<&'static ConntrackHelper> {
    CONNTRACK_HELPERS.iter().find(|h| h.kind == kind)
}

/// Rules with a helper (a helper macro under conntrack_helpers = false),
/// as Raw.pm's `handle_helper_rule` writes them: `CT --helper X` in the
/// raw table's chain of the rule's source zone (`PREROUTING -i eth1 -j
/// loc_ctrk`; OUTPUT for `$FW`), for the rule's source addresses, proto
/// and ports, a TCP connection's SYN only. Shorewall matches neither the
/// rule's dest zone nor its dest addresses there: the helper watches every
/// such connection from the source, wherever it goes; but its ORIGDEST
/// and USER it does (Rules.pm passes ORIGDEST in DEST's place). After conntrack
/// (mangle priority), `ct helper set` gives a new connection its helper.
fn rule_helper_chains(model: &Model) -> Vec<Chain> {
    let mut prerouting = Vec::new();
    let mut output = Vec::new();
    for (index, rule) in model.rules.iter().enumerate() {
        let Some(helper) = rule.helper.and_then(conntrack_helper) else {
            continue;
        };
        for zone in helper_sources(model, rule) {
            let out = match zone {
                ZoneId::Firewall => &mut output,
                ZoneId::Zone(_) => &mut prerouting,
            };
            out.extend(helper_rules(model, rule, helper, zone, Origin::Rule(index)));
        }
    }
    let chain = |hook: Hook, name: &str, rules: Vec<Rule>| Chain {
        name: name.to_owned(),
        base: base(hook, ChainType::Filter, Priority::Mangle, Policy::Accept),
        comment: Some("helper: the conntrack helpers of rules".to_owned()),
        rules: new_only(rules),
    };
    let mut chains = Vec::new();
    if !prerouting.is_empty() {
        chains.push(chain(
            Hook::Prerouting,
            "rule-helpers-prerouting",
            prerouting,
        ));
    }
    if !output.is_empty() {
        chains.push(chain(Hook::Output, "rule-helpers-output", output));
    }
    chains
}

/// The zones whose raw chain gets a rule's helper: its source zone, or for
/// `all` each zone Shorewall pairs with the dest (not the dest itself:
/// `all` leaves intra-zone traffic out, and `$FW` to `$FW`), `$FW` first.
fn helper_sources(model: &Model, rule: &crate::model::Rule) -> Vec<ZoneId> {
    match rule.source.zone {
        ZoneRef::One(zone) => vec![zone],
        ZoneRef::All => std::iter::once(ZoneId::Firewall)
            .chain((0..model.zones.len()).map(ZoneId::Zone))
            .filter(|&zone| rule.dest.zone != ZoneRef::One(zone))
            .collect(),
    }
}

/// A rule's helper for the connections one source zone starts: per family
/// the helper exists in, per member of the zone (its interface and hosts
/// networks as the zone's dispatch matches them, those on the rule's
/// `zone:eth0` interface only; none for `$FW`), per service.
fn helper_rules(
    model: &Model,
    rule: &crate::model::Rule,
    helper: &ConntrackHelper,
    zone: ZoneId,
    origin: Origin,
) -> Vec<Rule> {
    let mut rules = Vec::new();
    for ipv6 in [false, true] {
        if !model.has_family(ipv6) || !rule.allows_family(ipv6) || (ipv6 && helper.ipv4_only) {
            continue;
        }
        let Some(sources) = endpoint_matches(model, &rule.source, Direction::Source, ipv6) else {
            continue;
        };
        // Rules.pm hands handle_helper_rule the rule's ORIGDEST in DEST's
        // place, and its USER column: Raw.pm's rule tests both (`-d
        // 1.2.3.4`, `-m owner --uid-owner 0`).
        let Some(origdest) = rule.origdest.of_family(ipv6) else {
            continue;
        };
        let narrowing: Vec<Match> = (original_addresses(Family::of(ipv6), &origdest).into_iter())
            .chain(owner_matches(rule))
            .collect();
        let heads: Vec<Vec<Match>> = match zone {
            ZoneId::Firewall => vec![Vec::new()],
            ZoneId::Zone(_) => zone_members(model, zone, ipv6)
                .iter()
                .filter(|m| !m.destonly)
                .filter(|m| rule.source.interface.is_none_or(|i| i == m.index))
                .map(|m| {
                    // `zone:ppp5`: the device alone, of those the
                    // wildcard's dispatch matches.
                    let device = (rule.source.device())
                        .and_then(|_| endpoint_interface_match(model, &rule.source, Side::In));
                    let mut head = match device {
                        Some(device) => vec![device],
                        None => dispatch_matches(model, Side::In, m.interface),
                    };
                    head.extend(m.address_match(Side::In, ipv6));
                    head
                })
                .collect(),
        };
        for head in heads {
            for service in &rule.services {
                let mut matches = head.clone();
                matches.push(Match::Family(Family::of(ipv6)));
                matches.extend(sources.iter().cloned());
                matches.extend(sender_match(&rule.source));
                matches.extend(narrowing.iter().cloned());
                matches.extend(service_matches(service));
                if service.proto == Protocol::Tcp {
                    matches.push(first_syn());
                }
                let set = Statement::SetHelper(helper_name(helper));
                rules.push(Rule::new(matches, vec![set], origin));
            }
        }
    }
    rules
}

/// A source's senders (`loc:~00-1a-...`): `ether saddr { ... }`, which
/// the kernel tests after the addresses (nft adds `meta iiftype ether`).
fn sender_match(endpoint: &crate::model::Endpoint) -> Option<Match> {
    let macs = endpoint.macs();
    (!macs.is_empty()).then(|| Match::EtherSource(macs.to_vec()))
}

/// One endpoint's addresses of one family, taken in and left out, and its
/// `&IFACE`; `None` when the endpoint cannot match that family.
fn endpoint_matches(
    model: &Model,
    endpoint: &crate::model::Endpoint,
    direction: Direction,
    ipv6: bool,
) -> Option<Vec<Match>> {
    if !endpoint.allows_family(ipv6) {
        return None;
    }
    let of_family = |nets: &[IpNet]| -> Vec<IpNet> {
        nets.iter()
            .filter(|a| is_ipv6(a) == ipv6)
            .copied()
            .collect()
    };
    let mut matches = Vec::new();
    let nets = of_family(&endpoint.addresses);
    if !nets.is_empty() {
        matches.push(address(Family::of(ipv6), direction, nets));
    }
    // `&eth0`: Shorewall's get_interface_address reads the physical
    // interface's address when the firewall starts.
    if let Some(index) = endpoint.interface_address {
        matches.push(Match::InterfaceAddress {
            direction,
            interface: model.interfaces[index].physical.clone(),
        });
    }
    if let Some(set) = endpoint.ipset {
        let ipset = &model.ipsets[set.index];
        matches.push(Match::Set {
            family: Family::of(ipset.ipv6),
            direction,
            negated: set.negated,
            name: ipset.name.clone(),
            elements: ipset.elements.clone(),
        });
    }
    let excluded = of_family(&endpoint.excluded);
    if !excluded.is_empty() {
        matches.push(Match::Address {
            family: Family::of(ipv6),
            direction,
            negated: true,
            nets: excluded,
        });
    }
    Some(matches)
}

/// A chain of `ct helper set` rules behind a first rule that returns
/// every packet but a new connection's: a helper is given to a new
/// connection only (the kernel ignores `ct helper set` on a confirmed
/// one, as iptables' CT target in Shorewall's raw table), so the other
/// packets need not meet the rest.
fn new_only(rules: Vec<Rule>) -> Vec<Rule> {
    let others = vec![
        CtState::Established,
        CtState::Related,
        CtState::Invalid,
        CtState::Untracked,
    ];
    let gate = Rule::new(
        vec![Match::CtState(others)],
        vec![Statement::Verdict(Verdict::Return)],
        Origin::Shorewall(Piece::HelperNewOnly),
    );
    std::iter::once(gate).chain(rules).collect()
}

/// The `ct helper` object of a helper: `ftp-21`, `q931-1720`.
fn helper_name(helper: &ConntrackHelper) -> String {
    let kind = helper.kind.to_ascii_lowercase().replace('.', "");
    format!("{kind}-{}", helper.port)
}

/// `conntrack_helpers`: one object per helper of Shorewall's conntrack file.
fn helpers(model: &Model) -> Vec<super::Helper> {
    let mut used: Vec<&ConntrackHelper> = model
        .rules
        .iter()
        .filter_map(|r| r.helper.and_then(conntrack_helper))
        .collect();
    if model.firewall.conntrack_helpers {
        used = CONNTRACK_HELPERS.iter().collect();
    }
    CONNTRACK_HELPERS
        .iter()
        .filter(|h| used.contains(h))
        .map(|helper| super::Helper {
            name: helper_name(helper),
            kind: helper.kind,
            protocol: if helper.tcp { L4::Tcp } else { L4::Udp },
            family: helper.ipv4_only.then_some(Family::Ipv4),
        })
        .collect()
}

/// AUTOHELPERS, as Shorewall's conntrack file in the raw table's
/// PREROUTING and OUTPUT: a new connection to a helper's port (for TCP,
/// its SYN) gets the helper.
fn helper_chain(hook: Hook, name: &str) -> Chain {
    let rules = CONNTRACK_HELPERS
        .iter()
        .map(|helper| {
            let mut matches = Vec::new();
            if helper.ipv4_only {
                matches.push(Match::Family(Family::Ipv4));
            }
            let proto = if helper.tcp {
                PortProto::Tcp
            } else {
                PortProto::Udp
            };
            matches.push(Match::Port {
                proto,
                direction: Direction::Destination,
                ports: vec![PortRange::single(helper.port)],
            });
            if helper.tcp {
                matches.push(first_syn());
            }
            let statement = Statement::SetHelper(helper_name(helper));
            Rule::new(
                matches,
                vec![statement],
                Origin::Setting("conntrack_helpers"),
            )
        })
        .collect();
    Chain {
        name: name.to_owned(),
        base: base(hook, ChainType::Filter, Priority::Mangle, Policy::Accept),
        comment: Some("conntrack_helpers: Shorewall's conntrack file".to_owned()),
        rules: new_only(rules),
    }
}

/// CLAMPMSS, as Shorewall's mangle FORWARD: every forwarded TCP SYN (and
/// SYN-ACK) offers at most the route's MTU, or at most the given size.
/// The forward hook's chain that edits packets before the filter: the
/// MSS clamp, and Shorewall's `-A FORWARD -j MARK --set-mark 0/0xff`
/// (FORWARD_CLEAR_MARK, on with the shorewall.conf fwgen writes), needed
/// only where a source NAT entry tests a mark: a forwarded packet reaches
/// it with those bits clear, whatever set them before.
fn mangle_forward_chain(model: &Model) -> Option<Chain> {
    let clear = model.snats.iter().any(|s| s.mark.is_some()).then(|| {
        Rule::new(
            Vec::new(),
            vec![Statement::ClearMark(crate::model::MarkTest::MAX)],
            Origin::Shorewall(Piece::ForwardClearMark),
        )
    });
    let options = interface_mss_rules(model);
    let setting = clamp_mss_rules(model);
    let clamps = !options.is_empty() || !setting.is_empty();
    let keys: Vec<&str> = [
        (clear.is_some(), "FORWARD_CLEAR_MARK"),
        (!options.is_empty(), "mss="),
        (!setting.is_empty(), "clamp_mss"),
    ]
    .into_iter()
    .filter_map(|(on, key)| on.then_some(key))
    .collect();
    let what = match (clear.is_some(), clamps) {
        (false, false) => return None,
        (true, false) => "the mark bits of forwarded packets",
        (false, true) => "the MSS of forwarded TCP SYNs",
        (true, true) => "the mark bits and the MSS of forwarded packets",
    };
    let comment = format!("{}: {what}", keys.join(" and "));
    Some(Chain {
        name: "mangle-forward".to_owned(),
        base: base(
            Hook::Forward,
            ChainType::Filter,
            Priority::Mangle,
            Policy::Accept,
        ),
        comment: Some(comment),
        rules: clear.into_iter().chain(options).chain(setting).collect(),
    })
}

/// The `mss=N` interface options, as Misc.pm's `setup_mss` writes its
/// settcpmss chain: in the interfaces' order, a forwarded SYN leaving
/// through the interface, then one entering through it, offers at most N;
/// under `clamp_mss` a packet through it leaves the chain there, so the
/// firewall-wide clamp (the chain's last rule) never meets it.
fn interface_mss_rules(model: &Model) -> Vec<Rule> {
    let mut rules = Vec::new();
    for (index, interface) in model.interfaces.iter().enumerate() {
        let origin = Origin::InterfaceOption {
            interface: index,
            option: "mss",
        };
        for (family, size) in mss_by_family(model, index) {
            rules.extend(mss_rules(model, interface, family, size, origin));
        }
    }
    rules
}

/// An interface's `mss=` sizes: `None` for both families where each
/// family the interface carries has the same (or it carries one), else
/// each family's own (`options_ipv4`, `options_ipv6`).
fn mss_by_family(model: &Model, index: usize) -> Vec<(Option<Family>, u16)> {
    let interface = &model.interfaces[index];
    let carried = model.interface_family(index);
    let sizes: Vec<(Family, Option<u16>)> = [false, true]
        .into_iter()
        .filter(|&ipv6| carried.has(ipv6))
        .map(|ipv6| (Family::of(ipv6), interface.mss(ipv6)))
        .collect();
    match sizes.as_slice() {
        [(_, Some(size))] => vec![(None, *size)],
        [(_, Some(a)), (_, Some(b))] if a == b => vec![(None, *a)],
        _ => sizes
            .into_iter()
            .filter_map(|(family, size)| Some((Some(family), size?)))
            .collect(),
    }
}

/// One interface's clamp to `size` for `family` (`None`: every family the
/// interface carries): out through it, then in, each followed by its
/// return under `clamp_mss`.
fn mss_rules(
    model: &Model,
    interface: &Interface,
    family: Option<Family>,
    size: u16,
    origin: Origin,
) -> Vec<Rule> {
    let mut rules = Vec::new();
    let carried = model.interface_family(interface_index(model, interface));
    let applies = |ipv6: bool| carried.has(ipv6) && family.is_none_or(|f| f.is_ipv6() == ipv6);
    // A family's Shorewall alone knows an interface of that family.
    let family = family.or(match (carried.has_ipv4(), carried.has_ipv6()) {
        (true, false) => Some(Family::Ipv4),
        (false, true) => Some(Family::Ipv6),
        _ => None,
    });
    for side in [Side::Out, Side::In] {
        let through: Vec<Match> = family
            .map(Match::Family)
            .into_iter()
            .chain(if_name(interface).map(|name| Match::Interface {
                side,
                negated: false,
                names: vec![name],
            }))
            .collect();
        let mut set = through.clone();
        set.push(syn());
        set.push(Match::MssAtLeast(size));
        let statement = Statement::SetMss(ClampMss::Size(size));
        rules.push(Rule::new(set, vec![statement], origin));
        // Each family's settcpmss chain returns under its own CLAMPMSS.
        let clamp = model.firewall.clamp_mss;
        let leave_ipv4 = clamp.ipv4.is_some() && applies(false);
        let leave_ipv6 = clamp.ipv6.is_some() && applies(true);
        let only = match (leave_ipv4, leave_ipv6) {
            (false, false) => continue,
            (true, true) => None,
            (true, false) => Some(Family::Ipv4),
            (false, true) => Some(Family::Ipv6),
        };
        // `through` matches the family already on a one-family rule.
        let only = only.filter(|_| family.is_none()).map(Match::Family);
        let through = only.into_iter().chain(through).collect();
        let leave = Statement::Verdict(Verdict::Return);
        rules.push(Rule::new(through, vec![leave], origin));
    }
    rules
}

/// The zones' `mss`, `mss_in` and `mss_out` at the head of a pair's
/// chain, as Chains.pm's setup_zone_mss inserts them (each at the chain's
/// head, before its state rules: in the zones' order, `mss`, `mss_in`,
/// `mss_out`, each put before those already there): a SYN or SYN-ACK of
/// the pair offers at most N. Each clamp only lowers, so their order
/// changes nothing but the listing.
fn zone_mss_rules(model: &Model, (source, dest): (ZoneId, ZoneId)) -> Vec<Rule> {
    let mut rules = Vec::new();
    for (index, zone) in model.zones.iter().enumerate() {
        let id = ZoneId::Zone(index);
        let clamps = [
            (zone.mss.both, "mss", source == id || dest == id),
            (zone.mss.entering, "mss_in", source == id),
            (zone.mss.leaving, "mss_out", dest == id),
        ];
        for (size, option, applies) in clamps {
            let (Some(size), true) = (size, applies) else {
                continue;
            };
            let origin = Origin::ZoneOption {
                zone: index,
                option,
            };
            let matches = vec![syn(), Match::MssAtLeast(size)];
            let statement = Statement::SetMss(ClampMss::Size(size));
            rules.insert(0, Rule::new(matches, vec![statement], origin));
        }
    }
    rules
}

/// Whether a zone has `mss`, `mss_in` or `mss_out`.
fn zone_mss(model: &Model) -> bool {
    model.zones.iter().any(|zone| zone.mss.is_set())
}

/// `--tcp-flags SYN,RST SYN`: a SYN or a SYN-ACK.
fn syn() -> Match {
    Match::TcpFlags {
        mask: vec![TcpFlag::Syn, TcpFlag::Rst],
        value: vec![TcpFlag::Syn],
    }
}

/// `clamp_mss` (CLAMPMSS), the mangle-forward chain's last rule: one
/// rule, or where the families differ (`clamp_mss_ipv4`, `_ipv6`) one per
/// family that clamps, matching its family.
fn clamp_mss_rules(model: &Model) -> Vec<Rule> {
    let clamp = model.firewall.clamp_mss;
    let families: &[(Option<Family>, bool, &'static str)] = if clamp.same() {
        &[(None, false, "clamp_mss")]
    } else {
        &[
            (Some(Family::Ipv4), false, "clamp_mss_ipv4"),
            (Some(Family::Ipv6), true, "clamp_mss_ipv6"),
        ]
    };
    let mut rules = Vec::new();
    for &(family, ipv6, key) in families {
        let Some(size) = clamp.get(ipv6) else {
            continue;
        };
        let mut matches: Vec<Match> = family.map(Match::Family).into_iter().collect();
        matches.push(syn());
        if let ClampMss::Size(size) = size {
            matches.push(Match::MssAtLeast(size));
        }
        let statement = Statement::SetMss(size);
        rules.push(Rule::new(matches, vec![statement], Origin::Setting(key)));
    }
    rules
}

// ----- the log limit -----

/// The sets of a per-address log limit, one per family the model has:
/// Shorewall's one hashlimit table `lograte`, shared by every log rule.
fn log_limit_sets(model: &Model) -> Vec<Set> {
    let Some(limit) = model.firewall.log_limit else {
        return Vec::new();
    };
    if limit.per == LimitPer::All {
        return Vec::new();
    }
    let unit = match limit.unit {
        RateUnit::Second => 1,
        RateUnit::Minute => 60,
        RateUnit::Hour => 3600,
        RateUnit::Day => 86_400,
    };
    // An element may go only once its bucket is full again.
    let refill = (u64::from(limit.burst) * unit).div_ceil(u64::from(limit.rate));
    [(false, "lograte4"), (true, "lograte6")]
        .into_iter()
        .filter(|(ipv6, _)| model.has_family(*ipv6))
        .map(|(ipv6, name)| Set {
            name: name.to_owned(),
            family: Family::of(ipv6),
            timeout: Some(refill.max(60)),
            size: 65_535,
            comment: "the log limit's buckets, one per address, shared by every log rule"
                .to_owned(),
        })
        .collect()
}

/// The families a rule's packets can have.
fn rule_families(model: &Model, rule: &Rule) -> Vec<Family> {
    let named = rule.matches.iter().find_map(Match::family);
    match named {
        Some(family) => vec![family],
        None => [false, true]
            .into_iter()
            .filter(|&ipv6| model.has_family(ipv6))
            .map(Family::of)
            .collect(),
    }
}

/// Under a log limit, a rule that logs becomes a rule that logs what the
/// limit lets through and a rule with the rest: a packet over the limit is
/// not logged and meets the same verdict, as with Shorewall's LOGLIMIT.
/// A rule with a rate limit (`chain` names the chain it is in; its log
/// chain joins `log_chains`) is in [`rate_logging`]. The rules it makes
/// are appended to `out`.
fn limit_logging(
    model: &Model,
    sets: &[Set],
    rule: Rule,
    (chain, log_chains): (&str, &mut Vec<Chain>),
    out: &mut Vec<Rule>,
) {
    let Some(limit) = model.firewall.log_limit else {
        out.push(rule);
        return;
    };
    let logs = |s: &Statement| matches!(s, Statement::Log { .. });
    let Some(log) = rule.statements.iter().find(|s| logs(s)).cloned() else {
        out.push(rule);
        return;
    };
    let rated = rule
        .matches
        .iter()
        .any(|m| matches!(m, Match::RateLimit { .. }));
    // A connection limit is counted once: a rule with a verdict logs and
    // judges in a chain of its own, as Shorewall's `~log0`.
    let counted = rule
        .matches
        .iter()
        .any(|m| matches!(m, Match::ConnLimit { .. }))
        && rule.statements.iter().any(|s| !logs(s));
    if rated || counted {
        out.push(rate_logging(model, sets, rule, chain, log_chains));
        return;
    }
    let limits: Vec<Match> = if limit.per == LimitPer::All {
        vec![Match::LogLimit { limit, set: None }]
    } else {
        rule_families(model, &rule)
            .into_iter()
            .filter_map(|family| {
                let set = sets.iter().find(|s| s.family == family)?;
                Some(Match::LogLimit {
                    limit,
                    set: Some((set.name.clone(), family)),
                })
            })
            .collect()
    };
    out.extend(limits.into_iter().map(|limiting| {
        let mut matches = Vec::with_capacity(rule.matches.len() + 1);
        matches.extend(rule.matches.iter().cloned());
        matches.push(limiting);
        Rule {
            matches,
            statements: vec![log.clone()],
            ..rule.clone()
        }
    }));
    let rest: Vec<Statement> = rule
        .statements
        .iter()
        .filter(|s| !logs(s))
        .cloned()
        .collect();
    if !rest.is_empty() {
        out.push(Rule {
            statements: rest,
            ..rule
        });
    }
}

/// A rule with a rate limit that logs, as Shorewall 5.2.8 compiles it: the
/// rule's matches and its rate limit, once, decide whether the packet is
/// the rule's (Rules.pm puts the RATE match on the rule); over the limit
/// it goes on to the next rule, neither logged nor judged. A LOG rule's
/// rate limit is the only limit on its log: Chains.pm `log_rule_limit`
/// adds LOGLIMIT only to a rule without a limit of its own. A rule with a
/// verdict jumps to a chain of its own (Shorewall's `~log0`) that logs
/// under the log limit and then gives the verdict, so that one bucket
/// decides both. A rule with a connection limit (CONNLIMIT) and a verdict
/// is compiled the same way (`-m connlimit ! --connlimit-above 3 -g
/// ~log0`): the limit decides whether the packet is the rule's, and the
/// log chain logs under the log limit; a LOG rule with a connection limit
/// keeps the log limit on its log (not a limit to Chains.pm).
fn rate_logging(
    model: &Model,
    sets: &[Set],
    rule: Rule,
    chain: &str,
    log_chains: &mut Vec<Chain>,
) -> Rule {
    let judged = |s: &Statement| !matches!(s, Statement::Log { .. });
    if !rule.statements.iter().any(judged) {
        return rule;
    }
    let item = match rule.origin {
        Origin::Blacklist(index) => format!("b{index}"),
        Origin::Rule(index) => index.to_string(),
        _ => "x".to_owned(),
    };
    let name = format!("log-{chain}-{item}");
    if !log_chains.iter().any(|c| c.name == name) {
        let inner = Rule::new(Vec::new(), rule.statements.clone(), rule.origin);
        let mut rules = Vec::new();
        limit_logging(model, sets, inner, (chain, log_chains), &mut rules);
        let what = describe_item(model, rule.origin).unwrap_or_default();
        let comment = format!("{what}: logged under the log limit, then its verdict");
        log_chains.push(self::chain(&name, &comment, rules));
    }
    Rule {
        statements: vec![jump(&name)],
        ..rule
    }
}

// ----- address translation -----

fn nat_chains(model: &Model) -> Vec<Chain> {
    let dnats = || model.dnats.iter().enumerate();
    let redirects = || model.redirects.iter().enumerate();
    let snats = model.snats.iter().enumerate();
    [
        nat_chain(
            "nat-prerouting",
            (Hook::Prerouting, Priority::Dstnat),
            prerouting_rules(model),
        ),
        nat_chain(
            "nat-output",
            (Hook::Output, Priority::Dstnat),
            one_to_one_rules(model, Hook::Output)
                .chain(in_dispatch_order(
                    dnats()
                        .flat_map(|(index, d)| {
                            let rules = dnat_rules(model, d, index, Hook::Output);
                            rules
                                .into_iter()
                                .map(|(rank, rule)| ((rank, d.span.start), rule))
                        })
                        .chain(redirects().flat_map(|(index, r)| {
                            let rules = redirect_rules(model, r, index, Hook::Output);
                            rules
                                .into_iter()
                                .map(|(rank, rule)| ((rank, r.span.start), rule))
                        })),
                    nat_exemption_rules(model, Hook::Output),
                ))
                .collect(),
        ),
        nat_chain(
            "nat-postrouting",
            (Hook::Postrouting, Priority::Srcnat),
            postrouting_rules(model, snats.collect()),
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Port forwards and redirects in Shorewall's order: zone by zone as
/// PREROUTING jumps to the zones' `ZONE_dnat` chains ([`nat_ranks`]),
/// each zone's in the model's file order (its rules file is read top to
/// bottom), and the first translation wins; a nested zone's connections
/// end at its RETURN ([`nested_returns`]).
fn prerouting_rules(model: &Model) -> Vec<Rule> {
    let dnats = model.dnats.iter().enumerate().flat_map(|(index, d)| {
        let rules = dnat_rules(model, d, index, Hook::Prerouting);
        rules
            .into_iter()
            .map(|(rank, rule)| ((rank, d.span.start), rule))
    });
    let redirects = model.redirects.iter().enumerate().flat_map(|(index, r)| {
        let rules = redirect_rules(model, r, index, Hook::Prerouting);
        rules
            .into_iter()
            .map(|(rank, rule)| ((rank, r.span.start), rule))
    });
    let rules = in_dispatch_order(
        dnats.chain(redirects).chain(nested_returns(model)),
        nat_exemption_rules(model, Hook::Prerouting),
    );
    // The sources routed out of an interface are noted first: they
    // translate nothing, and every new connection passes them.
    // Shorewall's nat file comes last: Misc.pm's generate_matrix adds
    // PREROUTING's jumps to the zones' dnat chains (the rules file's
    // DNAT and REDIRECT) first and those to the interfaces' nat chains
    // (`eth0_in`, the nat file's) after them ("Make sure that the 1:1
    // NAT jumps are last in PREROUTING"). In nat output the nat file's
    // LOCAL entries come first: setup_nat runs before process_rules.
    routed_source_rules(model)
        .chain(rules)
        .chain(one_to_one_rules(model, Hook::Prerouting))
        .collect()
}

/// Nat rules, each with its zones' rank in the dispatch ([`nat_ranks`])
/// and where its model entry starts, in that order (a stable sort: an
/// entry's own rules keep theirs).
fn in_dispatch_order(
    rules: impl Iterator<Item = ((usize, usize), Rule)>,
    more: impl Iterator<Item = ((usize, usize), Rule)>,
) -> impl Iterator<Item = Rule> {
    let mut rules: Vec<((usize, usize), Rule)> = rules.chain(more).collect();
    rules.sort_by_key(|(at, _)| *at);
    rules.into_iter().map(|(_, rule)| rule)
}

/// Each zone's rank in Shorewall's nat PREROUTING dispatch (Misc.pm
/// generate_matrix, add_prerouting_jumps): a jump to each zone's
/// `ZONE_dnat` per member, zone by zone in the zones' order (nested zones
/// first), and a jump returns when its chain translated nothing, so a
/// connection meets the port forwards of every zone whose members hold
/// it (`-i eth0 -s 10.8.0.0/24 -j vpn_dnat` and then `-i eth0 -j
/// net_dnat`), those of the earlier zone first. The rank is the zone's
/// index where its members can hold another zone's connections (their
/// interfaces meet, or one is nested in the other), and 0 for every
/// other zone, whose place no connection can tell: their rules keep the
/// file's order, and one entry's rules from such zones stay together.
fn nat_ranks(model: &Model) -> Vec<usize> {
    let members: Vec<Vec<&Interface>> = (0..model.zones.len())
        .map(|z| {
            let own = model.interfaces.iter().filter(move |i| i.zone == Some(z));
            let hosts = model.zones[z].hosts.iter().filter(|h| !h.destonly);
            own.chain(hosts.map(|h| &model.interfaces[h.interface]))
                .collect()
        })
        .collect();
    let meet =
        |a: &Interface, b: &Interface| a.physical == b.physical || a.covers(b) || b.covers(a);
    let nested = |a: usize, b: usize| model.zones[a].parents.contains(&b);
    let shares = |z: usize| {
        (0..model.zones.len()).filter(|&w| w != z).any(|w| {
            nested(z, w)
                || nested(w, z)
                || (members[z].iter()).any(|&a| members[w].iter().any(|&b| meet(a, b)))
        })
    };
    (0..model.zones.len())
        .map(|z| if shares(z) { z } else { 0 })
        .collect()
}

/// Shorewall's RETURN for a nested zone's members in PREROUTING, after
/// its own jump (Misc.pm handle_nested_zone, add_prerouting_jumps): where
/// a parent has port forwards, redirects or exemptions of the family and
/// the zone has no CONTINUE policy, its connections meet no later zone's
/// (its parents'), nor the one-to-one NAT after them. nftables: `accept`
/// in nat-prerouting, which ends the chain the same way.
fn nested_returns(model: &Model) -> impl Iterator<Item = ((usize, usize), Rule)> + '_ {
    let ranks = nat_ranks(model);
    let families = move |z: usize| -> Vec<bool> {
        [false, true]
            .into_iter()
            .filter(|&ipv6| model.zones[z].family.has(ipv6) && returns(model, z, ipv6))
            .collect()
    };
    (0..model.zones.len()).flat_map(move |z| {
        let families = families(z);
        let family = (families.len() == 1).then(|| Match::Family(Family::of(families[0])));
        let zone = ZoneRef::One(ZoneId::Zone(z));
        let sources = match families.is_empty() {
            true => Vec::new(),
            false => nat_sources(model, zone, (false, &families), |w| w == z),
        };
        let rank = ranks[z];
        sources.into_iter().map(move |(_, _, matches)| {
            let matches = unexcluded(model, z, matches);
            let addressed = matches
                .iter()
                .any(|m| !matches!(m, Match::Interface { .. }));
            let family = family.iter().filter(|_| !addressed).cloned();
            let matches = family.chain(matches).collect();
            let origin = Origin::Shorewall(Piece::NestedNatReturn);
            let rule = Rule::new(matches, vec![accept()], origin);
            ((rank, usize::MAX), rule)
        })
    })
}

/// A nested zone's member matches with each hosts entry's networks as
/// written: add_prerouting_jumps writes the RETURN with the entry's
/// networks and no exclusion (`-s 10.1.0.0/16 -j RETURN` for
/// `10.1.0.0/16!10.1.1.0/24`), unlike the zone's own dnat jump, so the
/// parents' translations pass over the left-out addresses too.
fn unexcluded(model: &Model, zone: usize, matches: Vec<Match>) -> Vec<Match> {
    // The member's own entry: its interface and its carved networks.
    let interface = matches.iter().find_map(|m| match m {
        Match::Interface { names, .. } if names.len() == 1 => Some(names[0].clone()),
        _ => None,
    });
    let hosts: Vec<&crate::model::zone::Hosts> = (model.zones[zone].hosts.iter())
        .filter(|h| if_name(&model.interfaces[h.interface]) == interface)
        .collect();
    (matches.into_iter())
        .map(|m| match m {
            Match::Address {
                family,
                direction,
                negated: false,
                nets,
            } => {
                let of_family = |all: &[ipnet::IpNet]| -> Vec<ipnet::IpNet> {
                    let ipv6 = family == Family::Ipv6;
                    all.iter().filter(|n| is_ipv6(n) == ipv6).copied().collect()
                };
                let written = (hosts.iter()).filter(|h| h.ipset.is_none()).find_map(|h| {
                    let exclusion = h.exclusion.as_ref()?;
                    (of_family(&h.networks) == nets).then(|| of_family(&exclusion.networks))
                });
                Match::Address {
                    family,
                    direction,
                    negated: false,
                    nets: written.unwrap_or(nets),
                }
            }
            other => other,
        })
        .collect()
}

/// Whether Shorewall ends a nested zone's nat dispatch of a family with
/// a RETURN: a parent translates connections of the family (its
/// `ZONE_dnat` is referenced) and no policy from the zone is CONTINUE.
fn returns(model: &Model, zone: usize, ipv6: bool) -> bool {
    let from = |p: usize| {
        let parent = ZoneId::Zone(p);
        model
            .dnats
            .iter()
            .any(|d| d.forwards_from(parent) && d.is_ipv6() == ipv6)
            || (model.redirects.iter())
                .any(|r| r.redirects_from(parent) && r.origdest_ipv6().is_none_or(|v6| v6 == ipv6))
            || (model.nat_exemptions.iter())
                .any(|r| source_zones(model, r).contains(&parent) && r.allows_family(ipv6))
    };
    let continues = model.zone_ids().into_iter().any(|dest| {
        (model.matrix.family(ZoneId::Zone(zone), dest, ipv6))
            .is_some_and(|d| d.action == PolicyAction::Continue)
    });
    model.zones[zone].parents.iter().any(|&p| from(p)) && !continues
}

/// ACCEPT+ and NONAT in the nat chain of `hook`, each with where its
/// model entry starts: `accept` ends the chain, so no later port forward
/// or redirect translates the connection (Nat.pm handle_nonat_rule:
/// `-j ACCEPT` in the source zone's dnat chain, which PREROUTING's other
/// jumps never see again; `-j RETURN` in nat OUTPUT for the firewall's
/// own connections). It matches the source zones' interfaces, the
/// rule's addresses (the destination's as sent: the dest zone does not
/// matter before routing) and its protocol and ports.
fn nat_exemption_rules(
    model: &Model,
    hook: Hook,
) -> impl Iterator<Item = ((usize, usize), Rule)> + '_ {
    (model.nat_exemptions.iter().enumerate()).flat_map(move |(index, rule)| {
        let rules = nat_exemption(model, rule, index, hook);
        rules
            .into_iter()
            .map(|(rank, one)| ((rank, rule.span.start), one))
    })
}

/// The source zones of a rule: those of the zone pairs it applies to
/// (`all` is every zone but the destination, as Shorewall expands it).
fn source_zones(model: &Model, rule: &crate::model::Rule) -> Vec<ZoneId> {
    let ids = model.zone_ids();
    let applies = |z: ZoneId| {
        ids.iter()
            .any(|&d| crate::model::zone::applies_to(rule.source.zone, rule.dest.zone, (z, d)))
    };
    ids.iter().copied().filter(|&z| applies(z)).collect()
}

fn nat_exemption(
    model: &Model,
    rule: &crate::model::Rule,
    index: usize,
    hook: Hook,
) -> Vec<(usize, Rule)> {
    let zones = source_zones(model, rule);
    if hook == Hook::Output && !zones.contains(&ZoneId::Firewall) {
        return Vec::new();
    }
    let families: Vec<bool> = [false, true]
        .into_iter()
        .filter(|&ipv6| rule.allows_family(ipv6))
        .collect();
    let mut rules = Vec::new();
    for &ipv6 in &families {
        let Some(mut matches) = address_matches(model, rule, ipv6) else {
            continue;
        };
        matches.extend(interface_matches(model, rule));
        let sources = match hook {
            Hook::Output => vec![(0, NAT_OUTPUT_LOG.to_owned(), Vec::new())],
            _ => nat_sources(model, rule.source.zone, (false, &[ipv6]), |z| {
                zones.contains(&ZoneId::Zone(z)) && model.zones[z].family.has(ipv6)
            }),
        };
        let services: Vec<Vec<Match>> = match rule.services.is_empty() {
            true => vec![Vec::new()],
            false => (rule.services.iter())
                .filter(|s| s.proto.only_ipv6().is_none_or(|only| only == ipv6))
                .map(service_matches)
                .collect(),
        };
        // Without addresses one rule holds both families.
        let both = matches.is_empty() && families.len() == 2;
        let family = (matches.is_empty() && !both).then_some(Match::Family(Family::of(ipv6)));
        let sender = sender_match(&rule.source);
        for (rank, _, interfaces) in &sources {
            for service in &services {
                let mut all: Vec<Match> = family.iter().cloned().collect();
                all.extend(interfaces.iter().cloned());
                all.extend(matches.iter().cloned());
                all.extend(sender.iter().cloned());
                all.extend(service.iter().cloned());
                let rule = Rule::new(all, vec![accept()], Origin::NatExempt(index));
                rules.push((*rank, rule));
            }
        }
        if both {
            break;
        }
    }
    rules
}

/// Each interface whose routed networks a source NAT takes as its sources
/// (Shorewall's masq/snat SOURCE interface), with the family and the first
/// entry naming it: one set and one prerouting rule for each.
fn routed_sources(model: &Model) -> Vec<(usize, Family, usize)> {
    let mut found: Vec<(usize, Family, usize)> = Vec::new();
    for (index, snat) in model.snats.iter().enumerate() {
        let Some(interface) = snat.source_interface else {
            continue;
        };
        let family = Family::of(snat.ipv6);
        if !found.iter().any(|&(i, f, _)| i == interface && f == family) {
            found.push((interface, family, index));
        }
    }
    found
}

fn routed_set_name(model: &Model, interface: usize, family: Family) -> String {
    format!(
        "routed-{}-{}",
        model.interfaces[interface].physical,
        family.name()
    )
}

/// Shorewall lists the networks routed out of a SOURCE interface when it
/// starts (`ip route show dev IF`, lib.runtime get_routed_networks); the
/// kernel looks a route up in prerouting only, so nat-prerouting notes a
/// new connection's source in a set when its route leaves by the
/// interface, and nat-postrouting reads the set.
fn routed_source_rules(model: &Model) -> impl Iterator<Item = Rule> + '_ {
    routed_sources(model)
        .into_iter()
        .filter_map(|(interface, family, index)| {
            let name = if_name(&model.interfaces[interface])?;
            Some(Rule::new(
                vec![Match::Family(family), Match::SourceRoutedOut(name)],
                vec![Statement::AddSource {
                    set: routed_set_name(model, interface, family),
                    family,
                }],
                Origin::Snat(index),
            ))
        })
}

fn routed_source_sets(model: &Model) -> Vec<Set> {
    routed_sources(model)
        .into_iter()
        .map(|(interface, family, _)| Set {
            name: routed_set_name(model, interface, family),
            family,
            // An address's route rarely moves; an hour bounds how long a
            // moved one is still taken (Shorewall's list lasts until
            // the next restart).
            timeout: Some(3600),
            size: 65535,
            comment: format!(
                "sources routed out of {}, noted as their connections open",
                model.interfaces[interface].physical
            ),
        })
        .collect()
}

/// Source NAT in Shorewall's POSTROUTING order: the one-to-one entries
/// with ALL (`nat_out`), the `before_nat` entries (each interface's
/// IFACE_snat), the other one-to-one entries (IFACE_out), then the other
/// source NAT entries (IFACE_masq); each in the model's order.
fn postrouting_rules(model: &Model, snats: Vec<(usize, &Snat)>) -> Vec<Rule> {
    let one_to_one = |all: bool| {
        one_to_one_rules(model, Hook::Postrouting).filter(move |rule| match rule.origin {
            Origin::OneToOne(index) => model.one_to_one[index].all_interfaces == all,
            _ => !all,
        })
    };
    let snat = |before: bool| {
        snats
            .iter()
            .filter(move |(_, s)| s.before_nat == before)
            .flat_map(|&(index, s)| snat_rules(model, s, index))
    };
    one_to_one(true)
        .chain(snat(true))
        .chain(one_to_one(false))
        .chain(snat(false))
        .collect()
}

/// One-to-one NAT's translations in the nat chain of `hook`, as Nat.pm's
/// do_one_nat writes them: `-d EXTERNAL -j DNAT` in prerouting (on its
/// interface, or every one with ALL), `-s INTERNAL -j SNAT` in
/// postrouting (the same), `-d EXTERNAL -j DNAT` in output with LOCAL.
fn one_to_one_rules(model: &Model, hook: Hook) -> impl Iterator<Item = Rule> + '_ {
    model
        .one_to_one
        .iter()
        .enumerate()
        .filter_map(move |(index, nat)| one_to_one_rule(model, nat, index, hook))
}

fn one_to_one_rule(model: &Model, nat: &OneToOne, index: usize, hook: Hook) -> Option<Rule> {
    let (side, direction, statement) = match hook {
        Hook::Prerouting | Hook::Output => (
            Side::In,
            Direction::Destination,
            Statement::Dnat {
                family: Family::Ipv4,
                to: nat.internal,
                port: None,
            },
        ),
        _ => (
            Side::Out,
            Direction::Source,
            Statement::Snat {
                family: Family::Ipv4,
                to: SnatTo::one(nat.external),
                ports: SourcePorts::default(),
            },
        ),
    };
    let matched = if direction == Direction::Destination {
        nat.external
    } else {
        nat.internal
    };
    let mut matches = Vec::new();
    if hook == Hook::Output {
        if !nat.local {
            return None;
        }
    } else if !nat.all_interfaces
        && let Some(name) = if_name(&model.interfaces[nat.interface])
    {
        matches.push(Match::Interface {
            side,
            negated: false,
            names: vec![name],
        });
    }
    matches.push(address(Family::Ipv4, direction, vec![IpNet::from(matched)]));
    Some(Rule::new(matches, vec![statement], Origin::OneToOne(index)))
}

/// A redirect's translation in the nat chain of `hook`: prerouting for
/// connections arriving on the interfaces of the zones it redirects from,
/// output for the firewall's own (Rules.pm: `REDIRECT $FW` is a nat OUTPUT
/// rule, logged there); each rule with its zones' rank.
fn redirect_rules(
    model: &Model,
    redirect: &Redirect,
    index: usize,
    hook: Hook,
) -> Vec<(usize, Rule)> {
    let logged = redirect.log.is_some();
    // Without ORIGDEST a redirect translates both families.
    let families = match redirect.origdest_ipv6() {
        Some(ipv6) => vec![ipv6],
        None => vec![false, true],
    };
    let sources = if hook == Hook::Output {
        if !redirect.redirects_from(ZoneId::Firewall) {
            return Vec::new();
        }
        vec![(0, NAT_OUTPUT_LOG.to_owned(), Vec::new())]
    } else {
        nat_sources(model, redirect.source.zone, (logged, &families), |z| {
            redirect.redirects_from(ZoneId::Zone(z))
        })
    };
    let mut matches: Vec<Match> = endpoint_sources(&redirect.source).into_iter().collect();
    // ORIGDEST: `-d ADDRESS` on the REDIRECT rule itself.
    if let Some(ipv6) = redirect.origdest_ipv6() {
        matches.extend(destination_addresses(Family::of(ipv6), &redirect.origdest));
    }
    matches.push(Match::Port {
        proto: port_proto(redirect.proto),
        direction: Direction::Destination,
        ports: redirect.dports.clone(),
    });
    matches.extend(source_ports(redirect.proto, &redirect.sports));
    let log = redirect.log.map(|level| (level, &redirect.log_tag));
    let translation = Statement::Redirect(redirect.to_port);
    let origin = Origin::Redirect(index);
    nat_rules(
        model,
        sources,
        &matches,
        (log, "REDIRECT"),
        &translation,
        origin,
    )
}

/// The nat chain Shorewall logs the firewall's own connections in.
const NAT_OUTPUT_LOG: &str = "OUTPUT";

/// Where a port forward or a redirect takes connections in nat
/// prerouting, each with its zones' rank in the dispatch ([`nat_ranks`]:
/// the zones of each rank by themselves, in rank order) and the chain
/// Shorewall logs them in (Rules.pm: a
/// zone's `net_dnat`): the interfaces of the zones `takes` holds, in one
/// rule, and each of their hosts entries (`[[zones.NAME.hosts]]` but
/// `destonly`) in one of its own, its interface and its networks or set
/// of each of `families` (`true`: IPv6), as Shorewall's PREROUTING jumps `-i eth0 -s
/// 10.8.0.0/24 -j vpn_dnat` (a zone's interface is matched whole: `-i
/// eth0 -j net_dnat` takes the hosts of another zone on eth0 too). A
/// logged one from `all` is one rule per member, zone by zone in the
/// zones' order, hosts first, as Shorewall logs each zone's connections
/// in the zone's own chain and its PREROUTING jumps to them in that order
/// (`-i eth+ -j net_dnat` before `-i eth1 -j loc_dnat`: a wildcard's zone
/// logs what it covers first). An interface `+` is no interface match.
fn nat_sources(
    model: &Model,
    source: ZoneRef,
    (logged, families): (bool, &[bool]),
    takes: impl Fn(usize) -> bool,
) -> Vec<(usize, String, Vec<Match>)> {
    let ranks = nat_ranks(model);
    let mut taken: Vec<usize> = (0..model.zones.len())
        .filter(|&z| takes(z))
        .map(|z| ranks[z])
        .collect();
    taken.sort_unstable();
    taken.dedup();
    let of_rank = |rank: usize| {
        let sources = rank_sources(model, source, (logged, families), |z| {
            takes(z) && ranks[z] == rank
        });
        sources.into_iter().map(move |(label, m)| (rank, label, m))
    };
    taken.into_iter().flat_map(of_rank).collect()
}

/// [`nat_sources`] of the zones of one rank.
fn rank_sources(
    model: &Model,
    source: ZoneRef,
    (logged, families): (bool, &[bool]),
    takes: impl Fn(usize) -> bool,
) -> Vec<(String, Vec<Match>)> {
    let chain = |zone: ZoneRef| format!("{}_dnat", zone_label(model, zone));
    let hosts = |zone: usize| -> Vec<Vec<Match>> {
        let members = families.iter().flat_map(|&ipv6| {
            zone_members(model, ZoneId::Zone(zone), ipv6)
                .into_iter()
                .map(move |m| (m, ipv6))
        });
        members
            .filter(|(m, _)| !m.whole() && !m.destonly)
            .map(|(m, ipv6)| {
                let interface = if_name(m.interface).map(|name| Match::Interface {
                    side: Side::In,
                    negated: false,
                    names: vec![name],
                });
                interface
                    .into_iter()
                    .chain(m.address_match(Side::In, ipv6))
                    .collect()
            })
            .collect()
    };
    let zones = (0..model.zones.len()).filter(|&z| takes(z));
    if !(logged && source == ZoneRef::All) {
        let label = chain(source);
        let mut sources: Vec<_> = zones.flat_map(hosts).map(|m| (label.clone(), m)).collect();
        let found = interface_match(model, &takes);
        sources.extend(found.map(|m| (label, m.into_iter().collect())));
        return sources;
    }
    let mut sources = Vec::new();
    for zone in zones {
        let label = chain(ZoneRef::One(ZoneId::Zone(zone)));
        sources.extend(hosts(zone).into_iter().map(|m| (label.clone(), m)));
        if let Some(found) = interface_match(model, &|z| z == zone) {
            sources.push((label, found.into_iter().collect()));
        }
    }
    sources
}

/// The interfaces of the zones `takes` holds as one match, `Some(None)`
/// when one is `+` (every interface); `None` when there are none.
fn interface_match(model: &Model, takes: &dyn Fn(usize) -> bool) -> Option<Option<Match>> {
    let names: Option<Vec<IfName>> = model
        .interfaces
        .iter()
        .filter(|i| i.zone.is_some_and(takes))
        .map(if_name)
        .collect();
    if names.as_ref().is_some_and(Vec::is_empty) {
        return None;
    }
    Some(names.map(|names| Match::Interface {
        side: Side::In,
        negated: false,
        names,
    }))
}

/// A translation's rules, one for each of its `sources` (the chain it is
/// logged in, and its interface matches) with `matches` after them: the
/// log statement first when it logs, under `disposition` (`DNAT`).
fn nat_rules(
    model: &Model,
    sources: Vec<(usize, String, Vec<Match>)>,
    matches: &[Match],
    (log, disposition): (Option<(LogLevel, &Option<String>)>, &str),
    translation: &Statement,
    origin: Origin,
) -> Vec<(usize, Rule)> {
    sources
        .into_iter()
        .map(|(rank, chain, mut interfaces)| {
            interfaces.extend_from_slice(matches);
            let logged =
                log.map(|(level, tag)| tagged(self::log(model, &chain, disposition, level), tag));
            let statements = logged.into_iter().chain([translation.clone()]).collect();
            (rank, Rule::new(interfaces, statements, origin))
        })
        .collect()
}

/// A nat base chain holding `rules`; none when there are none.
fn nat_chain(name: &str, (hook, priority): (Hook, Priority), rules: Vec<Rule>) -> Option<Chain> {
    (!rules.is_empty()).then(|| Chain {
        name: name.to_owned(),
        base: base(hook, ChainType::Nat, priority, Policy::Accept),
        comment: None,
        rules,
    })
}

/// A port forward's translation in the nat chain of `hook`: prerouting for
/// connections arriving on the interfaces of the zones it forwards from,
/// output for the firewall's own (logged in Shorewall's nat OUTPUT chain);
/// none when it forwards none of them. Each rule with its zones' rank.
fn dnat_rules(model: &Model, dnat: &Dnat, index: usize, hook: Hook) -> Vec<(usize, Rule)> {
    let ipv6 = dnat.is_ipv6();
    let family = Family::of(ipv6);
    let sources = if hook == Hook::Output {
        if !dnat.forwards_from(ZoneId::Firewall) {
            return Vec::new();
        }
        vec![(0, NAT_OUTPUT_LOG.to_owned(), Vec::new())]
    } else {
        nat_sources(
            model,
            dnat.source.zone,
            (dnat.log.is_some(), &[ipv6]),
            |z| dnat.forwards_from(ZoneId::Zone(z)) && model.zones[z].family.has(ipv6),
        )
    };
    let mut matches = Vec::new();
    let addresses: Vec<IpNet> = dnat
        .source
        .addresses
        .iter()
        .filter(|a| is_ipv6(a) == ipv6)
        .copied()
        .collect();
    if !addresses.is_empty() {
        matches.push(address(family, Direction::Source, addresses));
    }
    // ORIGDEST: `-d ADDRESS` on the DNAT rule itself.
    matches.extend(destination_addresses(family, &dnat.origdest));
    matches.push(Match::Port {
        proto: port_proto(dnat.proto),
        direction: Direction::Destination,
        ports: dnat.dports.clone(),
    });
    matches.extend(source_ports(dnat.proto, &dnat.sports));
    let log = dnat.log.map(|level| (level, &dnat.log_tag));
    let translation = Statement::Dnat {
        family,
        to: dnat.to,
        port: dnat.to_port,
    };
    let origin = Origin::Dnat(index);
    let rules = nat_rules(
        model,
        sources,
        &matches,
        (log, "DNAT"),
        &translation,
        origin,
    );
    let name = format!(
        "dnat{index}-{}",
        if hook == Hook::Output { "out" } else { "pre" }
    );
    super::limit::rated(dnat.rate.as_deref(), &name, family, rules)
}

/// An entry's rule, or with source sets one per set, in their order, as
/// Shorewall's `+bo,+pri` SOURCE compiles (`-m set --match-set bo src`,
/// then `pri`): the first that matches translates.
fn snat_rules(model: &Model, snat: &Snat, index: usize) -> Vec<Rule> {
    let rule = snat_rule(model, snat, index);
    if snat.source_sets.is_empty() {
        return vec![rule];
    }
    snat.source_sets
        .iter()
        .map(|&set| {
            let mut rule = rule.clone();
            let at = rule
                .matches
                .iter()
                .position(|m| matches!(m, Match::Family(_)))
                .map_or(rule.matches.len(), |at| at + 1);
            let set = member::set_match(&model.ipsets[set], Side::In, false);
            rule.matches.insert(at, set);
            rule
        })
        .collect()
}

fn snat_rule(model: &Model, snat: &Snat, index: usize) -> Rule {
    let interface = &model.interfaces[snat.interface];
    let out = match &snat.device {
        Some(_) => Some(IfName::Exact(snat.physical(&model.interfaces))),
        None => if_name(interface),
    };
    let mut matches: Vec<Match> = out
        .map(|name| Match::Interface {
            side: Side::Out,
            negated: false,
            names: vec![name],
        })
        .into_iter()
        .collect();
    let ipv6 = snat.ipv6;
    let family = Family::of(ipv6);
    if snat.sources.is_empty() {
        matches.push(Match::Family(family));
    } else {
        matches.push(address(family, Direction::Source, snat.sources.clone()));
    }
    if !snat.destinations.is_empty() {
        matches.push(address(
            family,
            Direction::Destination,
            snat.destinations.clone(),
        ));
    }
    if let Some(source) = snat.source_interface {
        matches.extend(
            if_name(&model.interfaces[source]).map(|interface| Match::RoutedSource {
                set: routed_set_name(model, source, family),
                family,
                interface,
            }),
        );
    }
    matches.extend(snat_service(snat));
    matches.extend(snat.mark.map(Match::Mark));
    let statement = match snat.target {
        SnatTarget::Exempt => Statement::Verdict(Verdict::Accept),
        SnatTarget::Detect => Statement::SnatInterfaceAddress {
            interface: snat.physical(&model.interfaces),
            ports: snat.ports,
        },
        SnatTarget::To(to) => Statement::Snat {
            family,
            to,
            ports: snat.ports,
        },
        SnatTarget::Masquerade => Statement::Masquerade { ports: snat.ports },
        SnatTarget::Keep => Statement::SnatPorts { ports: snat.ports },
    };
    Rule::new(matches, vec![statement], Origin::Snat(index))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Log prefixes as Shorewall writes them (the review's
    /// `Shorewall:abcde_dnat:REDIREC `): over 29 characters, 28 and a space,
    /// with or without a tag.
    #[test]
    fn long_log_prefixes_are_cut_as_shorewall_cuts_them() {
        assert_eq!(
            cut_prefix("Shorewall:abcde_dnat:REDIRECT:".to_owned()),
            ("Shorewall:abcde_dnat:REDIREC ".to_owned(), 28)
        );
        assert_eq!(
            cut_prefix("Shorewall:net-fw:DROP:".to_owned()),
            ("Shorewall:net-fw:DROP:".to_owned(), 22)
        );
        let tag = Some("TAG".to_owned());
        let long = Statement::Log {
            prefix: cut_prefix("Shorewall:abcde-fghij~:WHITELIST:".to_owned()).0,
            level: LogLevel::Info,
            tag: None,
            ip_options: false,
        };
        let Statement::Log {
            prefix, tag: kept, ..
        } = tagged(long, &tag)
        else {
            unreachable!()
        };
        assert_eq!(prefix, "Shorewall:abcde-fghij~:WHITE ");
        assert_eq!(kept.map(|t| t.kept), Some(0));
    }

    /// The statement carries how much of its tag the cut kept: all of a
    /// tag that fits, the characters up to the 28th, none past it.
    #[test]
    fn tagged_prefixes_record_what_the_cut_kept() {
        let kept = |base: &str, tag: &str| {
            let statement = Statement::Log {
                prefix: base.to_owned(),
                level: LogLevel::Info,
                tag: None,
                ip_options: false,
            };
            match tagged(statement, &Some(tag.to_owned())) {
                Statement::Log { prefix, tag, .. } => (prefix, tag.map(|t| t.kept)),
                _ => unreachable!(),
            }
        };
        let output = kept("Shorewall:OUTPUT:DNAT:", "alltag");
        assert_eq!(
            output,
            ("Shorewall:OUTPUT:DNAT:alltag ".to_owned(), Some(6))
        );
        let zone = kept("Shorewall:net_dnat:DNAT:", "alltag");
        assert_eq!(zone, ("Shorewall:net_dnat:DNAT:allt ".to_owned(), Some(4)));
        let redirect = kept("Shorewall:loc_dnat:REDIRECT:", "px");
        assert_eq!(
            redirect,
            ("Shorewall:loc_dnat:REDIRECT: ".to_owned(), Some(0))
        );
    }

    /// Small sets written out value by value: one small set (each value
    /// moved into its rule) and two (every combination, the last match's
    /// values changing fastest), the other matches and the statements on
    /// every rule, in order.
    #[test]
    fn small_sets_are_written_out_in_order() {
        let ports = |ports: &[u16]| Match::Port {
            proto: PortProto::Tcp,
            direction: Direction::Destination,
            ports: ports
                .iter()
                .map(|&p| PortRange { low: p, high: p })
                .collect(),
        };
        let nets = |nets: &[&str]| {
            address(
                Family::Ipv4,
                Direction::Source,
                nets.iter().map(|n| net(n)).collect(),
            )
        };
        let state = Match::CtState(vec![CtState::New]);
        let rule = |matches: Vec<Match>| Rule::new(matches, vec![accept()], Origin::Rule(7));
        let written = |matches: Vec<Match>| {
            let mut out = vec![rule(vec![state.clone()])];
            write_out_small_sets(rule(matches), &mut out);
            out.remove(0);
            out
        };
        assert_eq!(
            written(vec![state.clone(), ports(&[22, 80, 443]), state.clone()]),
            [22, 80, 443].map(|p| rule(vec![state.clone(), ports(&[p]), state.clone()]))
        );
        assert_eq!(
            written(vec![nets(&["10.0.0.1", "10.0.0.2"]), ports(&[22, 80])]),
            [
                ("10.0.0.1", 22),
                ("10.0.0.1", 80),
                ("10.0.0.2", 22),
                ("10.0.0.2", 80)
            ]
            .map(|(n, p)| rule(vec![nets(&[n]), ports(&[p])]))
        );
        // A set of FOLD_MIN values or more is kept whole.
        let whole = vec![ports(&[1, 2, 3, 4])];
        assert_eq!(written(whole.clone()), [rule(whole)]);
    }

    /// The runs of chains or pairs handed to threads: every index once, in
    /// order, no more runs than cores, and one run for small work.
    #[test]
    fn weight_runs_cover_every_index_in_order() {
        let mut random = crate::ruleset::test_random(19);
        for _ in 0..500 {
            let len = random(30);
            let weights: Vec<usize> = (0..len).map(|_| random(3 * WORK_PER_THREAD)).collect();
            let total: usize = weights.iter().sum();
            for cores in 1..5 {
                let runs = runs_on(&weights, cores);
                let covered: Vec<usize> = runs.iter().flat_map(|run| run.clone()).collect();
                assert_eq!(
                    covered,
                    (0..len).collect::<Vec<_>>(),
                    "{weights:?}, {cores}"
                );
                let threads = cores.min(total / WORK_PER_THREAD).max(1);
                assert!(runs.len() <= threads, "{weights:?}, {cores}");
                if threads == 1 {
                    assert_eq!(runs.len(), 1, "{weights:?}, {cores}");
                }
            }
        }
    }
}
