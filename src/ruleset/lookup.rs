//! Runs of rules become lookups: consecutive rules of one chain that end
//! in a verdict alone and match only addresses, protocols and ports become
//! one rule that looks the packet up in a named set (one verdict) or
//! verdict map (several), keyed by the concatenation of what they match
//! (`ip saddr . meta l4proto . th dport`). A new connection then meets one
//! rule where it met thousands, and the kernel loads one set where it
//! loaded thousands of rules.
//!
//! First match wins in a chain and a set has no order, so a run holds no
//! two elements that overlap: a rule that would overlap an element of the
//! run ends it and starts the next, and so stays after every rule it
//! followed. Each element keeps the model item that made it.

use std::collections::BTreeMap;
use std::sync::Arc;

use ipnet::IpNet;

use super::lower::write_out_small_sets;
use super::{
    Direction, Element, KeyField, KeyValue, L4, Lookup, Match, PortProto, Rule, Statement, Verdict,
};
use crate::model::PortRange;

/// A run becomes a lookup from this many elements, made by two model
/// items or more; shorter runs stay rules, as a reader writes them (a
/// small model's file reads rule by rule, and one more rule adds a line).
pub const LOOKUP_MIN: usize = 16;

/// The rules of one chain, with every run of [`LOOKUP_MIN`] elements or
/// more as one lookup named after the chain (`net-fw`, then `net-fw-2`).
/// `families` are those the chain's packets can have (`[ipv4, ipv6]`).
pub fn lookups(chain: &str, families: [bool; 2], rules: Vec<Rule>) -> Vec<Rule> {
    let mut out = Vec::with_capacity(rules.len());
    let mut run = Run::new(families);
    let mut made = 0;
    for rule in rules {
        let Some(candidate) = Candidate::of(&rule) else {
            run.flush(chain, &mut made, &mut out);
            out.push(rule);
            continue;
        };
        if let Some(admitted) = run.admits(&candidate) {
            run.add(rule, &candidate, admitted);
            continue;
        }
        run.flush(chain, &mut made, &mut out);
        if let Some(admitted) = run.admits(&candidate) {
            run.add(rule, &candidate, admitted);
        } else {
            // Its own elements overlap: it stays a rule.
            out.push(rule);
        }
    }
    run.flush(chain, &mut made, &mut out);
    out
}

/// The places of a key, in its order: source address, destination
/// address, protocol, source port, destination port.
const SLOTS: usize = 5;

/// The fields a key has, by place.
type Slots = [Option<KeyField>; SLOTS];

/// A rule as elements of a lookup: the fields it matches, by place, and
/// the values it matches in each.
struct Candidate {
    slots: Slots,
    columns: [Vec<KeyValue>; SLOTS],
    verdict: Verdict,
    /// Every protocol it matches carries ports: a port it leaves open can
    /// be written as every port.
    ported: bool,
}

/// What one rule matches, field by field, in the key's order.
/// Borrowed from the rule: a candidate's values are copied once, into its
/// columns.
#[derive(Default)]
struct Fields<'a> {
    source: Option<(super::Family, &'a [IpNet])>,
    destination: Option<(super::Family, &'a [IpNet])>,
    protocols: Option<&'a [L4]>,
    port_proto: Option<PortProto>,
    sports: Option<&'a [PortRange]>,
    dports: Option<&'a [PortRange]>,
}

impl<'a> Fields<'a> {
    /// `None` when the rule matches something a key cannot hold.
    fn of(rule: &'a Rule) -> Option<Fields<'a>> {
        let mut fields = Fields::default();
        for m in &rule.matches {
            match m {
                Match::Address {
                    family,
                    direction,
                    negated: false,
                    nets,
                } if !nets.is_empty() => {
                    let slot = match direction {
                        Direction::Source => &mut fields.source,
                        Direction::Destination => &mut fields.destination,
                    };
                    if slot.replace((*family, nets)).is_some() {
                        return None;
                    }
                }
                Match::Protocol(protocols) if !protocols.is_empty() => {
                    if fields.protocols.replace(protocols).is_some() {
                        return None;
                    }
                }
                Match::Port {
                    proto,
                    direction,
                    ports,
                } if !ports.is_empty() => {
                    if fields.port_proto.is_some_and(|p| p != *proto) {
                        return None;
                    }
                    fields.port_proto = Some(*proto);
                    let slot = match direction {
                        Direction::Source => &mut fields.sports,
                        Direction::Destination => &mut fields.dports,
                    };
                    if slot.replace(ports).is_some() {
                        return None;
                    }
                }
                _ => return None,
            }
        }
        Some(fields)
    }

    /// The protocols of the key: a port match's (`tcp dport` is `tcp .
    /// port`), or those matched, which must carry ports if a port is.
    fn l4(&self) -> Option<Option<&'a [L4]>> {
        let ported = |l4: &L4| matches!(l4, L4::Tcp | L4::Udp);
        match (self.port_proto, self.protocols) {
            (None, protocols) => Some(protocols),
            (Some(PortProto::Tcp), None) => Some(Some(&[L4::Tcp])),
            (Some(PortProto::Udp), None) => Some(Some(&[L4::Udp])),
            (Some(PortProto::Any), Some(protocols)) if protocols.iter().all(ported) => {
                Some(Some(protocols))
            }
            _ => None,
        }
    }
}

impl Candidate {
    fn of(rule: &Rule) -> Option<Candidate> {
        let [Statement::Verdict(verdict)] = rule.statements.as_slice() else {
            return None;
        };
        if !rule.parts.is_empty() || matches!(verdict, Verdict::Return) {
            return None;
        }
        let fields = Fields::of(rule)?;
        let mut slots: Slots = [None; SLOTS];
        let mut columns: [Vec<KeyValue>; SLOTS] = Default::default();
        let addresses = [
            (Direction::Source, &fields.source),
            (Direction::Destination, &fields.destination),
        ];
        for (place, (direction, slot)) in addresses.into_iter().enumerate() {
            if let Some((family, nets)) = slot {
                slots[place] = Some(KeyField::Address(*family, direction));
                columns[place] = nets.iter().map(|n| KeyValue::Net(*n)).collect();
            }
        }
        let protocols = fields.l4()?;
        let ported = protocols
            .as_ref()
            .is_some_and(|p| p.iter().all(|l4| matches!(l4, L4::Tcp | L4::Udp)));
        if let Some(protocols) = protocols {
            slots[2] = Some(KeyField::Protocol);
            columns[2] = protocols.iter().copied().map(KeyValue::Protocol).collect();
        }
        let ports = [
            (Direction::Source, &fields.sports),
            (Direction::Destination, &fields.dports),
        ];
        for (place, (direction, slot)) in ports.into_iter().enumerate() {
            if let Some(ports) = slot {
                slots[3 + place] = Some(KeyField::Port(direction));
                columns[3 + place] = ports.iter().map(|p| KeyValue::Ports(*p)).collect();
            }
        }
        if slots.iter().all(Option::is_none) {
            return None;
        }
        Some(Candidate {
            slots,
            columns,
            verdict: verdict.clone(),
            ported,
        })
    }

    /// Every combination of its values, a value or `None` (every value)
    /// per place.
    fn elements(&self) -> Vec<[Option<KeyValue>; SLOTS]> {
        let mut rows: Vec<[Option<KeyValue>; SLOTS]> = vec![[None; SLOTS]];
        for (place, column) in self.columns.iter().enumerate() {
            if column.is_empty() {
                continue;
            }
            rows = rows
                .iter()
                .flat_map(|row| {
                    column.iter().map(move |value| {
                        let mut row = *row;
                        row[place] = Some(*value);
                        row
                    })
                })
                .collect();
        }
        rows
    }
}

/// The value that holds every packet of the chain in a field, where one
/// does: every address, when the chain carries that family alone; every
/// port, for protocols that carry ports. (No protocol stands for all: a
/// port field cannot read a packet without one.)
fn wildcard(field: KeyField, families: [bool; 2], ported: bool) -> Option<KeyValue> {
    match field {
        KeyField::Address(family, _) if families == [!family.is_ipv6(), family.is_ipv6()] => {
            let any: IpNet = if family.is_ipv6() {
                "::/0".parse().ok()?
            } else {
                "0.0.0.0/0".parse().ok()?
            };
            Some(KeyValue::Net(any))
        }
        KeyField::Port(_) if ported => Some(KeyValue::Ports(PortRange {
            low: 0,
            high: u16::MAX,
        })),
        _ => None,
    }
}

/// A value as the span of numbers it covers: a network's addresses, a
/// protocol's number, a range's ports.
fn span(value: &KeyValue) -> (u128, u128) {
    match value {
        KeyValue::Net(IpNet::V4(net)) => (
            u128::from(u32::from(net.network())),
            u128::from(u32::from(net.broadcast())),
        ),
        KeyValue::Net(IpNet::V6(net)) => (u128::from(net.network()), u128::from(net.broadcast())),
        KeyValue::Protocol(l4) => {
            let number = match l4 {
                L4::Icmp => 1,
                L4::Igmp => 2,
                L4::Tcp => 6,
                L4::Udp => 17,
                L4::Icmpv6 => 58,
                L4::Number(n) => *n,
            };
            (u128::from(number), u128::from(number))
        }
        KeyValue::Ports(range) => (u128::from(range.low), u128::from(range.high)),
    }
}

/// Whether two of the values (a value twice too) cover a number in common.
fn meets_itself(values: &[KeyValue]) -> bool {
    values.iter().enumerate().any(|(at, value)| {
        let (low, high) = span(value);
        values[at + 1..].iter().any(|other| {
            let (other_low, other_high) = span(other);
            low <= other_high && other_low <= high
        })
    })
}

/// Every number a place can hold: where an element has no value.
const EVERY: (u128, u128) = (0, u128::MAX);

fn spans(values: &[Option<KeyValue>; SLOTS]) -> [(u128, u128); SLOTS] {
    values.each_ref().map(|v| v.as_ref().map_or(EVERY, span))
}

/// Elements as a tree of spans, field by field: whether a new element
/// overlaps one of them (every field's spans meet) costs a few range
/// queries, not a comparison with each. Nodes live in one arena, and a
/// node's first child is kept without a map: most elements share no
/// prefix past their first field, and a map per node would cost a page
/// of memory per thousand elements.
struct Spans {
    nodes: Vec<Node>,
}

#[derive(Default)]
struct Node {
    first: Option<((u128, u128), usize)>,
    more: BTreeMap<(u128, u128), usize>,
    /// The widest span among the children: a query looks back this far.
    widest: u128,
    /// The elements with no value at this place: they meet every span.
    every: Option<usize>,
}

impl Default for Spans {
    fn default() -> Spans {
        Spans {
            nodes: vec![Node::default()],
        }
    }
}

impl Spans {
    fn overlaps(&self, spans: &[(u128, u128)]) -> bool {
        self.overlaps_below(0, spans)
    }

    fn overlaps_below(&self, node: usize, spans: &[(u128, u128)]) -> bool {
        let Some((&(low, high), rest)) = spans.split_first() else {
            return true;
        };
        let node = &self.nodes[node];
        let meets = |&(span, child): &((u128, u128), usize)| {
            span.0 <= high && span.1 >= low && self.overlaps_below(child, rest)
        };
        if node
            .every
            .is_some_and(|every| self.overlaps_below(every, rest))
            || node.first.as_ref().is_some_and(meets)
        {
            return true;
        }
        let from = (low.saturating_sub(node.widest), 0);
        node.more
            .range(from..=(high, u128::MAX))
            .any(|(span, child)| meets(&(*span, *child)))
    }

    fn insert(&mut self, spans: &[(u128, u128)]) {
        let mut at = 0;
        for &span in spans {
            at = self.child(at, span);
        }
    }

    /// The child of `node` for `span`, made if it is new.
    fn child(&mut self, node: usize, span: (u128, u128)) -> usize {
        let next = self.nodes.len();
        let parent = &mut self.nodes[node];
        let found = if span == EVERY {
            *parent.every.get_or_insert(next)
        } else {
            parent.widest = parent.widest.max(span.1 - span.0);
            match parent.first {
                Some((first, child)) if first == span => child,
                None => parent.first.insert((span, next)).1,
                Some(_) => *parent.more.entry(span).or_insert(next),
            }
        };
        if found == next {
            self.nodes.push(Node::default());
        }
        found
    }
}

/// A rule that joins the run: the run's key with it, and its elements.
struct Admitted {
    key: Slots,
    elements: Vec<[Option<KeyValue>; SLOTS]>,
}

/// The run being gathered.
struct Run {
    families: [bool; 2],
    slots: Slots,
    /// Every rule so far carries ports in all it matches.
    ported: bool,
    rules: Vec<Rule>,
    elements: Vec<([Option<KeyValue>; SLOTS], Verdict, super::Origin)>,
    spans: Spans,
}

impl Run {
    fn new(families: [bool; 2]) -> Run {
        Run {
            families,
            slots: [None; SLOTS],
            ported: true,
            rules: Vec::new(),
            elements: Vec::new(),
            spans: Spans::default(),
        }
    }

    /// The key the run would have with the rule, if the rule joins it: a
    /// field one side lacks is written as every value where that is exact,
    /// and none of the rule's elements overlaps an element of the run or
    /// another of the rule's own.
    fn admits(&self, candidate: &Candidate) -> Option<Admitted> {
        let mut key = candidate.slots;
        if !self.rules.is_empty() {
            for (place, slot) in key.iter_mut().enumerate() {
                *slot = match (self.slots[place], candidate.slots[place]) {
                    (ours, theirs) if ours == theirs => ours,
                    (Some(field), None) => {
                        wildcard(field, self.families, candidate.ported).map(|_| field)
                    }
                    (None, Some(field)) => {
                        wildcard(field, self.families, self.ported).map(|_| field)
                    }
                    _ => None,
                };
                if *slot != self.slots[place].or(candidate.slots[place]) {
                    return None;
                }
            }
        }
        // Its elements are every combination of its columns' values, so
        // two of them overlap exactly where two values of one column do:
        // those differing in that place alone meet, and any others
        // differ in some place too.
        if candidate.columns.iter().any(|column| meets_itself(column)) {
            return None;
        }
        let elements = candidate.elements();
        let free = elements
            .iter()
            .all(|values| !self.spans.overlaps(&spans(values)));
        free.then_some(Admitted { key, elements })
    }

    fn add(&mut self, rule: Rule, candidate: &Candidate, admitted: Admitted) {
        self.slots = admitted.key;
        self.ported &= candidate.ported;
        for values in admitted.elements {
            self.spans.insert(&spans(&values));
            self.elements
                .push((values, candidate.verdict.clone(), rule.origin));
        }
        self.rules.push(rule);
    }

    /// The run as one lookup when it is long enough, else its rules.
    fn flush(&mut self, chain: &str, made: &mut usize, out: &mut Vec<Rule>) {
        let run = std::mem::replace(self, Run::new(self.families));
        let items = run
            .rules
            .iter()
            .filter(|r| r.origin != run.rules[0].origin)
            .count();
        if run.elements.len() < LOOKUP_MIN || items == 0 {
            out.extend(run.rules);
            return;
        }
        *made += 1;
        let name = if *made == 1 {
            chain.to_owned()
        } else {
            format!("{chain}-{made}")
        };
        let key: Vec<KeyField> = run.slots.iter().flatten().copied().collect();
        let mut elements: Vec<Element> = run
            .elements
            .into_iter()
            .map(|(values, verdict, origin)| Element {
                values: run
                    .slots
                    .iter()
                    .zip(values)
                    .filter_map(|(field, value)| {
                        let field = (*field)?;
                        value.or_else(|| wildcard(field, run.families, true))
                    })
                    .collect(),
                verdict,
                origin,
                comment: None,
            })
            .collect();
        // Collected in the place of the run's list, which grew by
        // doubling: what the ruleset keeps is sized to its elements.
        elements.shrink_to_fit();
        let verdict = elements[0].verdict.clone();
        let one_verdict = elements.iter().all(|e| e.verdict == verdict);
        let lookup = Lookup {
            name,
            key,
            verdict: one_verdict.then_some(verdict),
            elements,
        };
        let origin = run.rules[0].origin;
        // The rules it holds, as they would be written without it: what
        // `fwgen check` compares.
        let mut parts = Vec::with_capacity(run.rules.len());
        for rule in run.rules {
            write_out_small_sets(rule, &mut parts);
        }
        parts.shrink_to_fit();
        out.push(Rule {
            parts,
            ..Rule::new(
                Vec::new(),
                vec![Statement::Lookup(Arc::new(lookup))],
                origin,
            )
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meet(a: &[(u128, u128)], b: &[(u128, u128)]) -> bool {
        a.iter().zip(b).all(|(x, y)| x.0 <= y.1 && y.0 <= x.1)
    }

    #[test]
    fn the_tree_of_spans_finds_the_same_overlaps_as_a_comparison_with_each() {
        let mut seed: u64 = 11;
        let mut next = |n: u128| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            u128::from(seed >> 33) % n
        };
        let mut tree = Spans::default();
        let mut kept: Vec<Vec<(u128, u128)>> = Vec::new();
        let (mut overlapping, mut free) = (0, 0);
        for _ in 0..2000 {
            let element: Vec<(u128, u128)> = (0..3)
                .map(|_| {
                    let low = next(200);
                    (low, low + [0, 0, 0, 3, 40][next(5) as usize])
                })
                .collect();
            let scanned = kept.iter().any(|k| meet(k, &element));
            assert_eq!(tree.overlaps(&element), scanned, "{element:?}");
            if scanned {
                overlapping += 1;
            } else {
                free += 1;
                tree.insert(&element);
                kept.push(element);
            }
        }
        assert!(overlapping > 100 && free > 100, "{overlapping} {free}");
    }

    /// A candidate's own elements overlap exactly when two values of one
    /// of its columns do: the column test against a comparison of every
    /// two of its elements.
    #[test]
    fn a_candidate_overlaps_itself_where_a_column_does() {
        let mut seed: u64 = 7;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let (mut overlapping, mut free) = (0, 0);
        for _ in 0..3000 {
            let mut columns: [Vec<KeyValue>; SLOTS] = Default::default();
            let mut slots: Slots = [None; SLOTS];
            for (place, column) in columns.iter_mut().enumerate() {
                // Places 1 and 4: ports; the others: networks.
                for _ in 0..next(4) {
                    column.push(if place % 3 == 1 {
                        let low = next(30) as u16;
                        KeyValue::Ports(PortRange {
                            low,
                            high: low + [0, 0, 2, 10][next(4) as usize],
                        })
                    } else {
                        let prefix = [24, 30, 32, 32][next(4) as usize];
                        let address = std::net::Ipv4Addr::new(10, 0, 0, next(16) as u8);
                        KeyValue::Net(IpNet::V4(
                            ipnet::Ipv4Net::new(address, prefix).unwrap().trunc(),
                        ))
                    });
                }
                if !column.is_empty() {
                    slots[place] = Some(KeyField::Protocol);
                }
            }
            let candidate = Candidate {
                slots,
                columns,
                verdict: Verdict::Accept,
                ported: false,
            };
            let elements: Vec<_> = candidate.elements().iter().map(spans).collect();
            let scanned = elements
                .iter()
                .enumerate()
                .any(|(at, element)| elements[at + 1..].iter().any(|other| meet(element, other)));
            let by_column = candidate.columns.iter().any(|c| meets_itself(c));
            assert_eq!(by_column, scanned, "{:?}", candidate.columns);
            if scanned {
                overlapping += 1;
            } else if elements.len() > 1 {
                free += 1;
            }
        }
        assert!(overlapping > 100 && free > 100, "{overlapping} {free}");
    }
}

#[cfg(test)]
mod order_tests {
    use std::net::IpAddr;

    use super::*;
    use crate::model::Protocol;
    use crate::ruleset::walk::{Packet, matches};
    use crate::ruleset::{CtState, Family, Origin};

    /// Random rules of one IPv4 chain: hosts and networks that nest, ports
    /// and ranges that overlap, open fields, three verdicts.
    fn rules(seed: u64, count: usize) -> Vec<Rule> {
        let mut next = crate::ruleset::test_random(seed);
        (0..count)
            .map(|index| {
                let mut matches = Vec::new();
                if next(4) > 0 {
                    let net = match next(20) {
                        0 => "10.0.0.0/16".to_owned(),
                        1 | 2 => format!("10.0.{}.0/24", next(4)),
                        _ => format!("10.0.{}.{}/32", next(4), next(64)),
                    };
                    matches.push(Match::Address {
                        family: Family::Ipv4,
                        direction: Direction::Source,
                        negated: false,
                        nets: vec![net.parse().unwrap()],
                    });
                }
                let proto = [PortProto::Tcp, PortProto::Udp][next(2)];
                if next(5) > 0 {
                    let low = 20 + next(100) as u16;
                    let high = if next(8) == 0 { low + 3 } else { low };
                    matches.push(Match::Port {
                        proto,
                        direction: Direction::Destination,
                        ports: vec![PortRange { low, high }],
                    });
                } else {
                    let l4 = if proto == PortProto::Tcp {
                        L4::Tcp
                    } else {
                        L4::Udp
                    };
                    matches.push(Match::Protocol(vec![l4]));
                }
                let verdict =
                    [Verdict::Accept, Verdict::Drop, Verdict::Jump("r".into())][next(3)].clone();
                Rule::new(
                    matches,
                    vec![Statement::Verdict(verdict)],
                    Origin::Rule(index),
                )
            })
            .collect()
    }

    /// The verdict the first rule (or the one element) that holds the
    /// packet gives.
    fn first_match(rules: &[Rule], packet: &Packet) -> Option<(Verdict, Origin)> {
        let holds = |m: &Match| matches(m, packet);
        rules.iter().find_map(|rule| {
            if !rule.matches.iter().all(holds) {
                return None;
            }
            match rule.lookup() {
                Some(lookup) => {
                    // A set has no order: at most one element may hold.
                    let found: Vec<&Element> = lookup
                        .elements
                        .iter()
                        .filter(|e| lookup.element_matches(e).iter().all(holds))
                        .collect();
                    assert!(found.len() <= 1, "overlapping elements: {found:?}");
                    found.first().map(|e| (e.verdict.clone(), e.origin))
                }
                None => Some((rule.verdict()?.clone(), rule.origin)),
            }
        })
    }

    #[test]
    fn lookups_give_every_packet_the_verdict_and_item_of_the_first_rule_that_holds_it() {
        let mut folded_any = 0;
        for seed in 1..40 {
            let original = rules(seed, 120);
            let folded = lookups("c", [true, false], original.clone());
            folded_any += folded.iter().filter(|r| r.lookup().is_some()).count();
            // Packets at every rule's address and port and beside them.
            let mut probes: Vec<(IpAddr, u16)> = Vec::new();
            for rule in &original {
                let address = rule.matches.iter().find_map(|m| match m {
                    Match::Address { nets, .. } => Some(nets[0].addr()),
                    _ => None,
                });
                let port = rule.matches.iter().find_map(|m| match m {
                    Match::Port { ports, .. } => Some(ports[0].low),
                    _ => None,
                });
                let address = address.unwrap_or(IpAddr::from([10, 0, 3, 63]));
                let port = port.unwrap_or(19);
                for (a, p) in [(address, port), (address, port + 1), (address, port + 3)] {
                    probes.push((a, p));
                }
                probes.push((IpAddr::from([10, 0, 1, 200]), port));
            }
            for &(address, port) in &probes {
                for proto in [Protocol::Tcp, Protocol::Udp] {
                    let packet = Packet {
                        family: Family::Ipv4,
                        iif: None,
                        oif: None,
                        saddr: Some(address),
                        daddr: None,
                        proto: Some(proto),
                        sport: Some(40000),
                        dport: Some(port),
                        icmp_type: None,
                        icmp_code: None,
                        original_dport: None,
                        original_daddr: None,
                        state: CtState::New,
                        smac: None,
                        owner: None,
                    };
                    assert_eq!(
                        first_match(&folded, &packet),
                        first_match(&original, &packet),
                        "seed {seed}: {packet:?}"
                    );
                }
            }
        }
        assert!(
            folded_any >= 10,
            "too few lookups to prove much: {folded_any}"
        );
    }
}
