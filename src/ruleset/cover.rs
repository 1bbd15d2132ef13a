//! Whether one kernel rule matches every packet another matches: what
//! `fwgen check` asks to find rules that an earlier rule hides.

use ipnet::IpNet;

use super::{Family, L4, Match, PortProto, Rule};
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

/// The family an inner match restricts a packet to, if it does.
fn family_of(m: &Match) -> Option<Family> {
    match m {
        Match::Family(family) | Match::Address { family, .. } | Match::IcmpType { family, .. } => {
            Some(*family)
        }
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
        ) => family == f && t.iter().all(|ty| types.contains(ty)),
        (Match::Family(family), other) => family_of(other) == Some(*family),
        (outer, other) => outer == other,
    })
}

/// Whether every packet `inner` matches, `outer` matches too.
pub fn covers(outer: &Rule, inner: &Rule) -> bool {
    outer.matches.iter().all(|m| implied(m, &inner.matches))
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
