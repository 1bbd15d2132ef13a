//! Whether one kernel rule matches every packet another matches: what
//! `fwgen check` asks to find rules that an earlier rule hides.

use std::collections::HashMap;
use std::sync::Arc;

use ipnet::IpNet;

use super::{Chain, Direction, Family, L4, Lookup, Match, PortProto, Rule, Ruleset, Statement};
use crate::model::PortRange;

fn nets_inside(outer: &[IpNet], inner: &[IpNet]) -> bool {
    inner.iter().all(|i| outer.iter().any(|o| o.contains(i)))
}

fn ports_inside(outer: &[PortRange], inner: &[PortRange]) -> bool {
    inner
        .iter()
        .all(|i| outer.iter().any(|o| o.low <= i.low && i.high <= o.high))
}

fn transport(proto: PortProto) -> Option<L4> {
    match proto {
        PortProto::Tcp => Some(L4::Tcp),
        PortProto::Udp => Some(L4::Udp),
        PortProto::Any => None,
    }
}

/// The protocols an inner match restricts a packet to, if it does.
fn protocols_of(m: &Match) -> Option<Vec<L4>> {
    match m {
        Match::Protocol(protocols) => Some(protocols.clone()),
        Match::Port { proto, .. } => transport(*proto).map(|p| vec![p]),
        Match::IcmpType { family, .. } => Some(vec![if family.is_ipv6() {
            L4::Icmpv6
        } else {
            L4::Icmp
        }]),
        _ => None,
    }
}

/// Whether `inner`'s matches imply the outer match.
fn implied(outer: &Match, inner: &[Match]) -> bool {
    inner.iter().any(|i| match (outer, i) {
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
                nets: n,
            },
        ) => family == f && direction == d && nets_inside(nets, n),
        (
            Match::Port {
                proto,
                direction,
                ports,
            },
            Match::Port {
                proto: p,
                direction: d,
                ports: n,
            },
        ) => (proto == p || *proto == PortProto::Any) && direction == d && ports_inside(ports, n),
        (Match::Protocol(protocols), other) => {
            protocols_of(other).is_some_and(|inner| inner.iter().all(|p| protocols.contains(p)))
        }
        (
            Match::IcmpType { family, types },
            Match::IcmpType {
                family: f,
                types: t,
            },
        ) => {
            family == f
                && t.iter()
                    .all(|ty| types.iter().any(|outer| outer.covers(ty)))
        }
        (Match::EtherSource(macs), Match::EtherSource(inner)) => {
            inner.iter().all(|mac| macs.contains(mac))
        }
        (Match::Family(family), other) => other.family() == Some(*family),
        // Each limit has its own buckets: it never holds for sure.
        (outer, _) if outer.is_limit() => false,
        (outer, other) => outer == other,
    })
}

/// Whether every packet `inner` matches, `outer` matches too.
pub fn covers(outer: &Rule, inner: &Rule) -> bool {
    outer.matches.iter().all(|m| implied(m, &inner.matches))
}

/// Whether a rule with these matches can match a packet whose
/// destination port is one of `ports`: not when a destination port match
/// holds none of them (whatever the packet's protocol).
fn can_match_ports(matches: &[Match], ports: &[u16]) -> bool {
    matches.iter().all(|m| match m {
        Match::Port {
            direction: Direction::Destination,
            ports: ranges,
            ..
        } => ranges
            .iter()
            .any(|r| ports.iter().any(|&p| r.low <= p && p <= r.high)),
        _ => true,
    })
}

/// The ruleset as packets to one of `ports` meet it, for a walk that asks
/// many such packets: rules, lookup elements and the parts of folded rules
/// that cannot match them (their destination port match holds none of
/// `ports`) are left out, and every statement a port forward makes that
/// sends packets to another port gets its port added to `ports` first. A
/// rule left out could not match, so every walk of such a packet ends as in
/// the whole ruleset and finds the same rule; what is gone is the cost of
/// meeting every element of a lookup one by one.
pub fn narrowed_to_ports(ruleset: &Ruleset, ports: &[u16]) -> Ruleset {
    let mut ports = ports.to_vec();
    for rule in ruleset.chains.iter().flat_map(|c| &c.rules) {
        for statement in &rule.statements {
            if let Statement::Dnat {
                port: Some(port), ..
            } = statement
            {
                ports.push(*port);
            }
        }
    }
    ports.sort_unstable();
    ports.dedup();
    let narrow = |rule: &Rule| -> Option<Rule> {
        if !can_match_ports(&rule.matches, &ports) {
            return None;
        }
        let statements = rule
            .statements
            .iter()
            .map(|statement| match statement {
                Statement::Lookup(lookup) => Statement::Lookup(Arc::new(Lookup {
                    name: lookup.name.clone(),
                    key: lookup.key.clone(),
                    verdict: lookup.verdict.clone(),
                    elements: lookup
                        .elements
                        .iter()
                        .filter(|e| can_match_ports(&lookup.element_matches(e), &ports))
                        .cloned()
                        .collect(),
                })),
                other => other.clone(),
            })
            .collect();
        Some(Rule {
            matches: rule.matches.clone(),
            statements,
            origin: rule.origin,
            comment: rule.comment.clone(),
            parts: rule
                .parts
                .iter()
                .filter(|part| can_match_ports(&part.matches, &ports))
                .cloned()
                .collect(),
        })
    };
    Ruleset {
        table: ruleset.table.clone(),
        sets: ruleset.sets.clone(),
        ipsets: ruleset.ipsets.clone(),
        helpers: ruleset.helpers.clone(),
        chains: ruleset
            .chains
            .iter()
            .map(|chain| Chain {
                name: chain.name.clone(),
                base: chain.base,
                comment: chain.comment.clone(),
                rules: chain.rules.iter().filter_map(narrow).collect(),
            })
            .collect(),
    }
}

/// Every network a source-address match of the ruleset tests (negated or
/// not, in rules, lookup elements and the parts of folded rules), each as
/// its network address and prefix.
pub fn source_networks(ruleset: &Ruleset) -> std::collections::HashSet<IpNet> {
    let mut nets = std::collections::HashSet::new();
    let mut add = |matches: &[Match]| {
        for m in matches {
            if let Match::Address {
                direction: Direction::Source,
                nets: held,
                ..
            } = m
            {
                nets.extend(held.iter().map(IpNet::trunc));
            }
        }
    };
    for rule in ruleset.chains.iter().flat_map(|c| &c.rules) {
        add(&rule.matches);
        for part in &rule.parts {
            add(&part.matches);
        }
        if let Some(lookup) = rule.lookup() {
            for element in &lookup.elements {
                add(&lookup.element_matches(element));
            }
        }
    }
    nets
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ruleset::{Direction, Origin, Piece, Statement, Verdict};

    fn rule(matches: Vec<Match>) -> Rule {
        Rule::new(
            matches,
            vec![Statement::Verdict(Verdict::Accept)],
            Origin::Shorewall(Piece::Dispatch),
        )
    }

    fn port(proto: PortProto, low: u16, high: u16) -> Match {
        Match::Port {
            proto,
            direction: Direction::Destination,
            ports: vec![PortRange { low, high }],
        }
    }

    #[test]
    fn wider_matches_cover_narrower_ones_and_not_the_reverse() {
        let all_tcp = rule(vec![Match::Protocol(vec![L4::Tcp])]);
        let ssh = rule(vec![port(PortProto::Tcp, 22, 22)]);
        let range = rule(vec![port(PortProto::Tcp, 1, 1024)]);
        let dns = rule(vec![
            Match::Protocol(vec![L4::Udp, L4::Tcp]),
            port(PortProto::Any, 53, 53),
        ]);
        let udp_dns = rule(vec![port(PortProto::Udp, 53, 53)]);
        assert!(covers(&all_tcp, &ssh));
        assert!(covers(&range, &ssh));
        assert!(!covers(&ssh, &range));
        assert!(!covers(&ssh, &all_tcp));
        assert!(covers(&dns, &udp_dns));
        assert!(!covers(&udp_dns, &dns));
        assert!(covers(&rule(vec![]), &ssh));
        let office = rule(vec![Match::Address {
            family: Family::Ipv4,
            direction: Direction::Source,
            negated: false,
            nets: vec!["192.0.2.0/24".parse().unwrap()],
        }]);
        assert!(!covers(&office, &ssh));
        assert!(!covers(&ssh, &office));
    }
}

/// Earlier rules indexed so that only those that can cover a rule are
/// compared with it: by the first network they match (a rule narrowed to
/// an address can only be covered by one whose network holds it), and
/// within that (or among the rules that match no network) by the first
/// port they match, else kept in a short list of rules that match no
/// port. Linear in practice where a scan of every earlier rule is
/// quadratic: the rules of one network on other ports are not compared.
#[derive(Default)]
pub struct CoverIndex<'a> {
    rules: Vec<&'a Rule>,
    by_net: HashMap<(Family, Direction, IpNet), PortIndex>,
    /// The prefix lengths `by_net` holds networks of, per family and
    /// direction: only those supernets of an address are looked up.
    prefixes: HashMap<(Family, Direction), Vec<u8>>,
    /// The rules that match no network.
    no_net: PortIndex,
}

/// Rules (by position) indexed by the first port they match.
#[derive(Default)]
struct PortIndex {
    by_port: HashMap<(PortProto, Direction, u16), Vec<usize>>,
    /// Rules whose port match holds a range, under every block of
    /// [`BLOCK`] ports the range reaches into.
    by_block: HashMap<(PortProto, Direction, u16), Vec<usize>>,
    /// Rules that match no port.
    other: Vec<usize>,
}

/// Ports per block of the range index.
const BLOCK: u16 = 256;

fn first_address(rule: &Rule) -> Option<(Family, Direction, &[IpNet])> {
    rule.matches.iter().find_map(|m| match m {
        Match::Address {
            family,
            direction,
            negated: false,
            nets,
        } => Some((*family, *direction, nets.as_slice())),
        _ => None,
    })
}

fn first_port(rule: &Rule) -> Option<(PortProto, Direction, &[PortRange])> {
    rule.matches.iter().find_map(|m| match m {
        Match::Port {
            proto,
            direction,
            ports,
        } => Some((*proto, *direction, ports.as_slice())),
        _ => None,
    })
}

impl PortIndex {
    fn insert(&mut self, rule: &Rule, position: usize) {
        let Some((proto, direction, ports)) = first_port(rule) else {
            self.other.push(position);
            return;
        };
        for port in ports {
            if port.low == port.high {
                self.by_port
                    .entry((proto, direction, port.low))
                    .or_default()
                    .push(position);
            } else {
                for block in port.low / BLOCK..=port.high / BLOCK {
                    self.by_block
                        .entry((proto, direction, block))
                        .or_default()
                        .push(position);
                }
            }
        }
    }

    /// Add the lists of the rules that could cover `rule` to `found`.
    fn candidates<'s>(&'s self, rule: &Rule, found: &mut Vec<&'s [usize]>) {
        found.push(&self.other);
        for m in &rule.matches {
            let Match::Port {
                proto,
                direction,
                ports,
            } = m
            else {
                continue;
            };
            // An outer rule holds the first port (or range) whole: as
            // that single port, or in a range that reaches its first block.
            let Some(first) = ports.first() else { continue };
            for key in [*proto, PortProto::Any] {
                if first.low == first.high
                    && let Some(hits) = self.by_port.get(&(key, *direction, first.low))
                {
                    found.push(hits);
                }
                if let Some(hits) = self.by_block.get(&(key, *direction, first.low / BLOCK)) {
                    found.push(hits);
                }
            }
        }
    }
}

impl<'a> CoverIndex<'a> {
    /// Add the next rule; rules are numbered in the order they are added.
    pub fn insert(&mut self, rule: &'a Rule) {
        let position = self.rules.len();
        self.rules.push(rule);
        let Some((family, direction, nets)) = first_address(rule) else {
            self.no_net.insert(rule, position);
            return;
        };
        for net in nets {
            self.by_net
                .entry((family, direction, net.trunc()))
                .or_default()
                .insert(rule, position);
            let prefixes = self.prefixes.entry((family, direction)).or_default();
            if !prefixes.contains(&net.prefix_len()) {
                prefixes.push(net.prefix_len());
            }
        }
    }

    /// The rules added so far that could cover `rule`: lists of positions,
    /// each in order, that together hold every candidate (some more than
    /// once).
    fn candidates(&self, rule: &Rule) -> Vec<&[usize]> {
        let mut found: Vec<&[usize]> = Vec::new();
        self.no_net.candidates(rule, &mut found);
        for m in &rule.matches {
            let Match::Address {
                family,
                direction,
                negated: false,
                nets,
            } = m
            else {
                continue;
            };
            let Some(first) = nets.first() else { continue };
            let Some(prefixes) = self.prefixes.get(&(*family, *direction)) else {
                continue;
            };
            for &prefix in prefixes.iter().filter(|&&p| p <= first.prefix_len()) {
                let Ok(net) = IpNet::new(first.addr(), prefix) else {
                    continue;
                };
                if let Some(index) = self.by_net.get(&(*family, *direction, net.trunc())) {
                    index.candidates(rule, &mut found);
                }
            }
        }
        found.retain(|list| !list.is_empty());
        found
    }

    /// The first rule added so far that `keep` accepts and that matches
    /// every packet `rule` matches. The candidates are compared in order
    /// (merged from their lists) and only until one covers: a rule on a
    /// common port is usually covered by the first earlier rule on that
    /// port, however many there are.
    pub fn first_covering(&self, rule: &Rule, keep: impl Fn(&Rule) -> bool) -> Option<&'a Rule> {
        let lists = self.candidates(rule);
        let mut heads = vec![0; lists.len()];
        loop {
            let position = lists
                .iter()
                .zip(&heads)
                .filter_map(|(list, &head)| list.get(head))
                .min()
                .copied()?;
            for (list, head) in lists.iter().zip(heads.iter_mut()) {
                while list.get(*head) == Some(&position) {
                    *head += 1;
                }
            }
            let earlier = self.rules[position];
            if keep(earlier) && covers(earlier, rule) {
                return Some(earlier);
            }
        }
    }
}

#[cfg(test)]
mod index_tests {
    use super::*;
    use crate::ruleset::{Origin, Piece, Statement, Verdict};

    /// A small deterministic generator of rules: addresses from a few
    /// nested networks, ports and ranges that overlap.
    fn rules(count: usize) -> Vec<Rule> {
        let nets = [
            "10.0.0.0/8",
            "10.1.0.0/16",
            "10.1.2.0/24",
            "10.1.2.3/32",
            "192.0.2.0/24",
        ];
        let ports = [
            (22, 22),
            (80, 80),
            (1, 1024),
            (8000, 8010),
            (8005, 8005),
            (60000, 65535),
        ];
        let mut next = crate::ruleset::test_random(7);
        (0..count)
            .map(|_| {
                let mut matches = Vec::new();
                if next(3) > 0 {
                    matches.push(Match::Address {
                        family: Family::Ipv4,
                        direction: Direction::Source,
                        negated: false,
                        nets: vec![nets[next(nets.len())].parse().unwrap()],
                    });
                }
                if next(4) > 0 {
                    let (low, high) = ports[next(ports.len())];
                    let proto = [PortProto::Tcp, PortProto::Udp, PortProto::Any][next(3)];
                    matches.push(Match::Port {
                        proto,
                        direction: Direction::Destination,
                        ports: vec![PortRange { low, high }],
                    });
                }
                Rule::new(
                    matches,
                    vec![Statement::Verdict(Verdict::Accept)],
                    Origin::Shorewall(Piece::Dispatch),
                )
            })
            .collect()
    }

    #[test]
    fn the_index_finds_the_same_first_covering_rule_as_a_scan() {
        let rules = rules(400);
        let mut index = CoverIndex::default();
        for (k, rule) in rules.iter().enumerate() {
            let scanned = rules[..k].iter().position(|e| covers(e, rule));
            let indexed = index
                .first_covering(rule, |_| true)
                .map(|found| rules.iter().position(|r| std::ptr::eq(r, found)).unwrap());
            assert_eq!(indexed, scanned, "rule {k}: {rule:?}");
            index.insert(rule);
        }
    }
}
