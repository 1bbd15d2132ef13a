//! The stopped ruleset: what the firewall lets through while it is
//! stopped, as Shorewall 5.2's compiled `stop_firewall` loads it with
//! ADMINISABSENTMINDED=Yes (Shorewall/Misc.pm, compile_stop_firewall and
//! process_stoppedrules), in the same table as the running ruleset so
//! that loading one replaces the other.
//!
//! - input and forward drop what nothing accepts; output accepts all (the
//!   firewall's own traffic leaves, and its answers come back as
//!   established), or with `stopped_output_open = false`
//!   (ADMINISABSENTMINDED=No) drops what loopback, DHCP and the entries
//!   from `$FW` do not accept;
//! - established and related traffic passes, in and through;
//! - the `[[stopped]]` entries: to `$FW` in input, else in forward;
//! - loopback, and DHCP on `dhcp` interfaces (in, and bridged back out
//!   of the same interface);
//! - with IPv6 zones, Shorewall6's link-local and multicast accepts and
//!   its AllowICMPs; without, new IPv6 is dropped as in the running
//!   ruleset (fwgen's choice: stopping never opens IPv6).
//!
//! No NAT, no interface options, no zones: Shorewall's stopped state has
//! none of them.

use ipnet::IpNet;

use super::lower::{
    LINK_LOCAL_ICMPV6, NEEDED_ICMPV6, allowicmps_jump, comment, dhcp_matches, icmpv6_types,
    if_name, service_label, service_matches,
};
use super::{
    Base, Chain, ChainType, CtState, Direction, Family, Hook, L4, Match, Origin, Piece, Policy,
    Priority, Rule, Ruleset, Side, Statement, Verdict,
};
use crate::model::rule::{is_ipv6, written};
use crate::model::{InterfaceOption, Model, Place, Stopped, StoppedEnd};

/// The file `render --backend nftables` writes it to, next to fwgen.nft.
pub const FILE_NAME: &str = "fwgen-stopped.nft";

pub fn lower_stopped(model: &Model) -> Ruleset {
    let ipv6 = model.has_family(true);
    let open = model.firewall.stopped_output_open;
    let mut chains = Vec::new();
    if ipv6 {
        chains.push(allowicmps_chain());
    }
    let mut input = first_rules(model);
    let mut forward = first_rules(model);
    let mut output = Vec::new();
    if ipv6 {
        for (direction, network) in [
            (Direction::Source, "fe80::/10"),
            (Direction::Destination, "fe80::/10"),
            (Direction::Destination, "ff00::/8"),
        ] {
            input.push(piece(vec![address(
                Family::Ipv6,
                direction,
                vec![net(network)],
            )]));
        }
        if !open {
            for network in ["fe80::/10", "ff00::/8"] {
                output.push(piece(vec![address(
                    Family::Ipv6,
                    Direction::Destination,
                    vec![net(network)],
                )]));
            }
        }
    }
    for (index, entry) in model.stopped.iter().enumerate() {
        let rules = entry_rules(model, index, entry);
        if entry.to_firewall() {
            input.extend(rules);
        } else if entry.from_firewall() {
            output.extend(rules);
        } else {
            forward.extend(rules);
        }
    }
    if ipv6 {
        input.push(allowicmps_jump());
        if !open {
            output.push(allowicmps_jump());
        }
        forward.push(allowicmps_jump());
    }
    input.push(loopback(Side::In));
    if !open {
        output.push(loopback(Side::Out));
    }
    for (index, interface) in model.interfaces.iter().enumerate() {
        if !interface.dhcp() {
            continue;
        }
        let origin = Origin::InterfaceOption {
            interface: index,
            option: "dhcp",
        };
        let on = |side| {
            if_name(interface).map(|name| Match::Interface {
                side,
                negated: false,
                names: vec![name],
            })
        };
        for ports in dhcp_matches(model, interface) {
            let with = |sides: &[Side]| -> Vec<Match> {
                let mut matches: Vec<Match> = sides.iter().filter_map(|&side| on(side)).collect();
                matches.extend(ports.iter().cloned());
                matches
            };
            input.push(Rule::new(with(&[Side::In]), vec![accept()], origin));
            if !open {
                output.push(Rule::new(with(&[Side::Out]), vec![accept()], origin));
            }
            // Shorewall: "This might be a bridge".
            forward.push(Rule::new(
                with(&[Side::In, Side::Out]),
                vec![accept()],
                origin,
            ));
        }
    }
    if ipv6 {
        // Shorewall6: ICMPv6 bridged between two ports of a bridge.
        for (index, interface) in model.interfaces.iter().enumerate() {
            let bridged =
                interface.has(InterfaceOption::Bridge) && model.interface_family(index).has_ipv6();
            let Some(name) = if_name(interface).filter(|_| bridged) else {
                continue;
            };
            let side = |side| Match::Interface {
                side,
                negated: false,
                names: vec![name.clone()],
            };
            forward.push(Rule::new(
                vec![
                    side(Side::In),
                    side(Side::Out),
                    Match::Protocol(vec![L4::Icmpv6]),
                ],
                vec![accept()],
                Origin::InterfaceOption {
                    interface: index,
                    option: "bridge",
                },
            ));
        }
    }
    let output_policy = if open { Policy::Accept } else { Policy::Drop };
    chains.push(base_chain("input", Hook::Input, Policy::Drop, input));
    chains.push(base_chain("forward", Hook::Forward, Policy::Drop, forward));
    chains.push(base_chain("output", Hook::Output, output_policy, output));
    for chain in &mut chains {
        for rule in &mut chain.rules {
            rule.comment = comment(model, rule);
        }
    }
    Ruleset {
        table: model.nftables_table.clone(),
        sets: Vec::new(),
        // Declared though no rule reads them: `fwgen apply` carries the
        // running sets' members across a stop and a start.
        ipsets: model.ipsets.clone(),
        helpers: Vec::new(),
        chains,
    }
}

fn loopback(side: Side) -> Rule {
    Rule::new(
        vec![Match::Loopback(side)],
        vec![accept()],
        Origin::Shorewall(Piece::Loopback),
    )
}

/// How a `[[stopped]]` entry names itself in a rule's comment.
pub fn describe(model: &Model, index: usize) -> String {
    let entry = &model.stopped[index];
    if let Some(comment) = &entry.comment {
        return comment.clone();
    }
    let mut text = format!(
        "stopped {}->{}",
        end_label(model, &entry.source),
        end_label(model, &entry.dest)
    );
    for service in &entry.services {
        text.push(' ');
        text.push_str(&service_label(service));
    }
    text.push_str(" ACCEPT");
    text
}

/// `eth1`, `$FW`, `any`, with `:ADDRESS,...` when narrowed.
pub fn end_label(model: &Model, end: &StoppedEnd) -> String {
    let place = match end.place {
        Place::Any => "any",
        Place::Firewall => "$FW",
        Place::Interface(index) => model.interfaces[index].name.as_str(),
    };
    if end.addresses.is_empty() {
        return place.to_owned();
    }
    let addresses: Vec<String> = end.addresses.iter().map(written).collect();
    format!("{place}:{}", addresses.join(","))
}

/// Established and related pass (with `stopped_output_open = false` only
/// when there are `[[stopped]]` entries: Shorewall inserts that rule with
/// the first line of stoppedrules); without IPv6 zones new IPv6 is dropped.
fn first_rules(model: &Model) -> Vec<Rule> {
    let mut rules = Vec::new();
    let model_families = [model.has_family(false), model.has_family(true)];
    // Which product's stoppedrules has a line: each inserts the rule for
    // its own family.
    let families = if model.firewall.stopped_output_open {
        model_families
    } else {
        model.stopped.iter().fold([false, false], |seen, entry| {
            let own = entry.families(&model.interfaces, &model.zones);
            [seen[0] || own[0], seen[1] || own[1]]
        })
    };
    let established = Match::CtState(vec![CtState::Established, CtState::Related]);
    if families == model_families {
        rules.push(piece(vec![established]));
    } else if let Some(v6) = [false, true]
        .into_iter()
        .find(|&v6| families[usize::from(v6)])
    {
        rules.push(piece(vec![Match::Family(Family::of(v6)), established]));
    }
    if !model.has_family(true) {
        rules.push(Rule::new(
            vec![Match::Family(Family::Ipv6)],
            vec![Statement::Verdict(Verdict::Drop)],
            Origin::Shorewall(Piece::NoIpv6),
        ));
    }
    rules
}

/// The kernel rules of one entry: one for every family it applies to,
/// or one for both when it applies to all the model's families alike.
fn entry_rules(model: &Model, index: usize, entry: &Stopped) -> Vec<Rule> {
    let families = entry.families(&model.interfaces, &model.zones);
    let model_families = [model.has_family(false), model.has_family(true)];
    let narrowed = !entry.source.addresses.is_empty() || !entry.dest.addresses.is_empty();
    let mut interfaces = Vec::new();
    for (end, side) in [(&entry.source, Side::In), (&entry.dest, Side::Out)] {
        if let Place::Interface(at) = end.place
            && let Some(name) = if_name(&model.interfaces[at])
        {
            interfaces.push(Match::Interface {
                side,
                negated: false,
                names: vec![name],
            });
        }
    }
    let services: Vec<Vec<Match>> = if entry.services.is_empty() {
        vec![Vec::new()]
    } else {
        entry.services.iter().map(service_matches).collect()
    };
    let per_family: Vec<Option<bool>> = if families == model_families && !narrowed {
        vec![None]
    } else {
        [false, true]
            .into_iter()
            .filter(|&v6| families[usize::from(v6)])
            .map(Some)
            .collect()
    };
    let mut rules = Vec::new();
    for family in per_family {
        let mut matches = interfaces.clone();
        if let Some(v6) = family {
            let addresses = address_matches(entry, v6);
            if addresses.is_empty() {
                matches.insert(0, Match::Family(Family::of(v6)));
            }
            matches.extend(addresses);
        }
        for service in &services {
            let mut all = matches.clone();
            all.extend(service.iter().cloned());
            rules.push(Rule::new(all, vec![accept()], Origin::Stopped(index)));
        }
    }
    rules
}

fn address_matches(entry: &Stopped, ipv6: bool) -> Vec<Match> {
    [
        (&entry.source, Direction::Source),
        (&entry.dest, Direction::Destination),
    ]
    .into_iter()
    .filter(|(end, _)| !end.addresses.is_empty())
    .map(|(end, direction)| {
        let nets = end
            .addresses
            .iter()
            .filter(|a| is_ipv6(a) == ipv6)
            .copied()
            .collect();
        address(Family::of(ipv6), direction, nets)
    })
    .collect()
}

fn piece(matches: Vec<Match>) -> Rule {
    Rule::new(matches, vec![accept()], Origin::Shorewall(Piece::Stopped))
}

fn accept() -> Statement {
    Statement::Verdict(Verdict::Accept)
}

fn address(family: Family, direction: Direction, nets: Vec<IpNet>) -> Match {
    Match::Address {
        family,
        direction,
        negated: false,
        nets,
    }
}

fn net(text: &str) -> IpNet {
    // Constants of this file only: they parse.
    text.parse()
        .unwrap_or_else(|_| IpNet::from(std::net::IpAddr::from([0, 0, 0, 0])))
}

fn base_chain(name: &str, hook: Hook, policy: Policy, rules: Vec<Rule>) -> Chain {
    Chain {
        name: name.to_owned(),
        base: Some(Base {
            chain_type: ChainType::Filter,
            hook,
            priority: Priority::Filter,
            policy,
        }),
        comment: None,
        rules,
    }
}

/// Shorewall6's AllowICMPs of the stopped state: every ICMPv6 type IPv6
/// needs, from any source (the running firewall's asks a link-local
/// source for the multicast listener types; stop_firewall does not).
fn allowicmps_chain() -> Chain {
    let mut types = icmpv6_types(NEEDED_ICMPV6);
    types.extend(icmpv6_types(LINK_LOCAL_ICMPV6));
    types.sort_by_key(|t| t.number);
    Chain {
        name: "allowicmps".to_owned(),
        base: None,
        comment: Some("the ICMPv6 IPv6 needs, as Shorewall6's stopped AllowICMPs".to_owned()),
        rules: vec![piece(vec![Match::IcmpType {
            family: Family::Ipv6,
            types,
        }])],
    }
}
