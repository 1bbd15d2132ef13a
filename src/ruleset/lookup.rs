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
pub fn lookups(chain: &str, rules: Vec<Rule>) -> Vec<Rule> {
    let mut out = Vec::with_capacity(rules.len());
    let mut run = Run::default();
    let mut made = 0;
    for rule in rules {
        let Some(candidate) = Candidate::of(&rule) else {
            run.flush(chain, &mut made, &mut out);
            out.push(rule);
            continue;
        };
        if run.admits(&candidate) {
            run.add(rule, candidate);
            continue;
        }
        run.flush(chain, &mut made, &mut out);
        if run.admits(&candidate) {
            run.add(rule, candidate);
        } else {
            // Its own elements overlap: it stays a rule.
            out.push(rule);
        }
    }
    run.flush(chain, &mut made, &mut out);
    out
}

/// A rule as elements of a lookup: the key it matches and every
/// combination of its values.
struct Candidate {
    key: Vec<KeyField>,
    elements: Vec<Vec<KeyValue>>,
    verdict: Verdict,
}

/// What one rule matches, field by field, in the key's order.
#[derive(Default)]
struct Fields {
    source: Option<(super::Family, Vec<IpNet>)>,
    destination: Option<(super::Family, Vec<IpNet>)>,
    protocols: Option<Vec<L4>>,
    port_proto: Option<PortProto>,
    sports: Option<Vec<PortRange>>,
    dports: Option<Vec<PortRange>>,
}

impl Fields {
    /// `None` when the rule matches something a key cannot hold.
    fn of(rule: &Rule) -> Option<Fields> {
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
                    if slot.replace((*family, nets.clone())).is_some() {
                        return None;
                    }
                }
                Match::Protocol(protocols) if !protocols.is_empty() => {
                    if fields.protocols.replace(protocols.clone()).is_some() {
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
                    if slot.replace(ports.clone()).is_some() {
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
    fn l4(&self) -> Option<Option<Vec<L4>>> {
        let ported = |l4: &L4| matches!(l4, L4::Tcp | L4::Udp);
        match (self.port_proto, &self.protocols) {
            (None, protocols) => Some(protocols.clone()),
            (Some(PortProto::Tcp), None) => Some(Some(vec![L4::Tcp])),
            (Some(PortProto::Udp), None) => Some(Some(vec![L4::Udp])),
            (Some(PortProto::Any), Some(protocols)) if protocols.iter().all(ported) => {
                Some(Some(protocols.clone()))
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
        let mut key = Vec::new();
        let mut columns: Vec<Vec<KeyValue>> = Vec::new();
        for (direction, slot) in [
            (Direction::Source, &fields.source),
            (Direction::Destination, &fields.destination),
        ] {
            if let Some((family, nets)) = slot {
                key.push(KeyField::Address(*family, direction));
                columns.push(nets.iter().map(|n| KeyValue::Net(*n)).collect());
            }
        }
        if let Some(protocols) = fields.l4()? {
            key.push(KeyField::Protocol);
            columns.push(protocols.into_iter().map(KeyValue::Protocol).collect());
        }
        for (direction, slot) in [
            (Direction::Source, &fields.sports),
            (Direction::Destination, &fields.dports),
        ] {
            if let Some(ports) = slot {
                key.push(KeyField::Port(direction));
                columns.push(ports.iter().map(|p| KeyValue::Ports(*p)).collect());
            }
        }
        if key.is_empty() {
            return None;
        }
        Some(Candidate {
            key,
            elements: product(&columns),
            verdict: verdict.clone(),
        })
    }
}

/// Every combination of one value per column.
fn product(columns: &[Vec<KeyValue>]) -> Vec<Vec<KeyValue>> {
    let mut rows: Vec<Vec<KeyValue>> = vec![Vec::new()];
    for column in columns {
        rows = rows
            .iter()
            .flat_map(|row| {
                column.iter().map(move |value| {
                    let mut row = row.clone();
                    row.push(*value);
                    row
                })
            })
            .collect();
    }
    rows
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

fn spans(values: &[KeyValue]) -> Vec<(u128, u128)> {
    values.iter().map(span).collect()
}

/// Elements as a tree of spans, field by field: whether a new element
/// overlaps one of them (every field's spans meet) costs a few range
/// queries, not a comparison with each.
#[derive(Default)]
struct Spans {
    children: BTreeMap<(u128, u128), Spans>,
    /// The widest span among the children: a query looks back this far.
    widest: u128,
}

impl Spans {
    fn overlaps(&self, spans: &[(u128, u128)]) -> bool {
        let Some((&(low, high), rest)) = spans.split_first() else {
            return true;
        };
        let from = (low.saturating_sub(self.widest), 0);
        self.children
            .range(from..=(high, u128::MAX))
            .any(|(&(_, end), child)| end >= low && child.overlaps(rest))
    }

    fn insert(&mut self, spans: &[(u128, u128)]) {
        if let Some((&span, rest)) = spans.split_first() {
            self.widest = self.widest.max(span.1 - span.0);
            self.children.entry(span).or_default().insert(rest);
        }
    }
}

/// The run being gathered.
#[derive(Default)]
struct Run {
    key: Vec<KeyField>,
    rules: Vec<Rule>,
    elements: Vec<Element>,
    spans: Spans,
}

impl Run {
    /// Whether the rule's elements join the run: the same key, and none
    /// overlaps an element of the run or another of the rule's own.
    fn admits(&self, candidate: &Candidate) -> bool {
        if !self.rules.is_empty() && self.key != candidate.key {
            return false;
        }
        let mut own = Spans::default();
        candidate.elements.iter().all(|values| {
            let spans = spans(values);
            let free = !self.spans.overlaps(&spans) && !own.overlaps(&spans);
            own.insert(&spans);
            free
        })
    }

    fn add(&mut self, rule: Rule, candidate: Candidate) {
        self.key = candidate.key;
        for values in candidate.elements {
            self.spans.insert(&spans(&values));
            self.elements.push(Element {
                values,
                verdict: candidate.verdict.clone(),
                origin: rule.origin,
                comment: None,
            });
        }
        self.rules.push(rule);
    }

    /// The run as one lookup when it is long enough, else its rules.
    fn flush(&mut self, chain: &str, made: &mut usize, out: &mut Vec<Rule>) {
        let run = std::mem::take(self);
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
        let verdict = run.elements[0].verdict.clone();
        let one_verdict = run.elements.iter().all(|e| e.verdict == verdict);
        let lookup = Lookup {
            name,
            key: run.key,
            verdict: one_verdict.then_some(verdict),
            elements: run.elements,
        };
        out.push(Rule::new(
            Vec::new(),
            vec![Statement::Lookup(Arc::new(lookup))],
            run.rules[0].origin,
        ));
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
}
