//! Walk a packet through the lowered ruleset, rule by rule, as the kernel
//! does: the base chain of a hook from its first rule, jumps into regular
//! chains and back, verdict maps, the first terminal verdict. `fwgen
//! explain` asks it, `explain --trace` prints the rules it met, and `fwgen
//! check` asks explain.
//!
//! What the kernel would learn from the routing table is assumed: a packet
//! arrives on the interface its source is routed through (no reverse-path
//! drop; a masquerade's SOURCE interface takes what arrives on it), and only 255.255.255.255 is a broadcast source. A new TCP
//! connection opens with a SYN; an established one carries ACK.

use std::net::IpAddr;

use super::{
    ChainType, CtState, Direction, Family, Fib, Hook, L4, MapKey, MapValue, Match, Origin, Piece,
    PortProto, Reject, Rule, Ruleset, Side, Statement, TcpFlag, Verdict,
};
use crate::model::Protocol;

/// What the walk knows about a packet; `None` is unknown, and a match on
/// an unknown field does not match (its negation does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    pub family: Family,
    pub iif: Option<String>,
    pub oif: Option<String>,
    pub saddr: Option<IpAddr>,
    pub daddr: Option<IpAddr>,
    pub proto: Option<Protocol>,
    pub sport: Option<u16>,
    pub dport: Option<u16>,
    pub icmp_type: Option<u8>,
    /// The ICMP code; unknown, a rule naming a code does not match.
    pub icmp_code: Option<u8>,
    /// The destination port before DNAT.
    pub original_dport: Option<u16>,
    /// The destination address before DNAT.
    pub original_daddr: Option<IpAddr>,
    pub state: CtState,
    /// The sender's MAC address, where the asker knows it.
    pub smac: Option<crate::model::Mac>,
    /// The owner of the socket that sent it (the firewall's own packets),
    /// where the asker knows it.
    pub owner: Option<crate::model::SocketOwner>,
}

/// One rule the packet met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub chain: String,
    /// Position in the chain, from 0.
    pub index: usize,
    pub origin: Origin,
    pub matched: bool,
    /// The rule has a rate or connection limit and its other matches
    /// hold: whether it matches depends on the packets before this one.
    pub limited: bool,
    /// The rule tests the sending socket's owner and every other match of
    /// it holds: whether it matches depends on who sent the packet.
    pub owned: bool,
    /// The rule tests the clock (Shorewall's TIME) and every other match
    /// of it holds: whether it matches depends on when the packet comes.
    pub timed: bool,
    /// The rule as nft prints it is the backend's business; the walk keeps
    /// the rule itself.
    pub rule: Rule,
}

/// How the packet left the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Accept,
    Drop,
    Reject(Reject),
}

/// The end of a walk through a filter hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Walk {
    pub outcome: Outcome,
    /// The rule that decided (for a reject chain's answer: the rule that
    /// sent the packet there); `None` when the base chain's policy did.
    pub decided_by: Option<Step>,
    /// Every rule the packet met, in order.
    pub trace: Vec<Step>,
}

/// A translation the packet met in a nat hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translation {
    pub statement: Statement,
    pub origin: Origin,
    pub trace: Vec<Step>,
}

impl Translation {
    /// Whether the rule met exempts the connection: nothing translates it.
    pub fn exempts(&self) -> bool {
        self.statement == Statement::Verdict(Verdict::Accept)
    }
}

fn l4_of(proto: Protocol) -> L4 {
    match proto {
        Protocol::Tcp => L4::Tcp,
        Protocol::Udp => L4::Udp,
        Protocol::Icmp => L4::Icmp,
        Protocol::Icmpv6 => L4::Icmpv6,
        Protocol::Number(2) => L4::Igmp,
        Protocol::Number(n) => L4::Number(n),
    }
}

fn interface(packet: &Packet, side: Side) -> &str {
    let name = match side {
        Side::In => &packet.iif,
        Side::Out => &packet.oif,
    };
    name.as_deref().unwrap_or("")
}

fn port_matches(
    packet: &Packet,
    proto: PortProto,
    port: Option<u16>,
    ranges: &[crate::model::PortRange],
) -> bool {
    let proto_ok = match (proto, packet.proto) {
        (PortProto::Tcp, Some(Protocol::Tcp)) | (PortProto::Udp, Some(Protocol::Udp)) => true,
        (PortProto::Any, Some(p)) => p.has_ports(),
        _ => false,
    };
    proto_ok && port.is_some_and(|p| ranges.iter().any(|r| r.contains(p)))
}

/// A new connection's first TCP segment carries SYN alone (so does a
/// related one's, an FTP data connection's); a segment of an established
/// connection ACK alone.
fn flags_match(mask: &[TcpFlag], value: &[TcpFlag], state: CtState) -> bool {
    let carried = match state {
        CtState::Established => TcpFlag::Ack,
        _ => TcpFlag::Syn,
    };
    let present = |flag: &TcpFlag| *flag == carried && mask.contains(flag);
    mask.iter().filter(|f| present(f)).count() == value.len() && value.iter().all(present)
}

/// Whether one match holds for the packet.
pub fn matches(m: &Match, packet: &Packet) -> bool {
    match m {
        Match::Loopback(side) => interface(packet, *side) == "lo",
        Match::Interface {
            side,
            negated,
            names,
        } => {
            let name = interface(packet, *side);
            names.iter().any(|n| n.matches(name)) != *negated
        }
        Match::Family(family) => packet.family == *family,
        Match::Address {
            family,
            direction,
            negated,
            nets,
        } => {
            if packet.family != *family {
                return false;
            }
            let address = match direction {
                Direction::Source => packet.saddr,
                Direction::Destination => packet.daddr,
            };
            match address {
                Some(address) => nets.iter().any(|n| n.contains(&address)) != *negated,
                // No address given: only a network of every address
                // (`0.0.0.0/0`) is sure to hold it.
                None => nets.iter().any(|n| n.prefix_len() == 0) != *negated,
            }
        }
        // The set as loaded: its model elements (explain says so).
        Match::Set {
            family,
            direction,
            negated,
            elements,
            ..
        } => {
            let address = match direction {
                Direction::Source => packet.saddr,
                Direction::Destination => packet.daddr,
            };
            packet.family == *family
                && address.is_some_and(|a| elements.iter().any(|n| n.contains(&a)) != *negated)
        }
        // Resolved to an address before a walk (Ruleset::with_interface_addresses).
        Match::InterfaceAddress { .. } => false,
        Match::Protocol(protocols) => packet.proto.is_some_and(|p| protocols.contains(&l4_of(p))),
        Match::Port {
            proto,
            direction,
            ports,
        } => {
            let port = match direction {
                Direction::Source => packet.sport,
                Direction::Destination => packet.dport,
            };
            port_matches(packet, *proto, port, ports)
        }
        Match::IcmpType { family, types } => {
            let proto = if family.is_ipv6() {
                Protocol::Icmpv6
            } else {
                Protocol::Icmp
            };
            packet.family == *family
                && packet.proto == Some(proto)
                && packet
                    .icmp_type
                    .is_some_and(|t| types.iter().any(|ty| ty.matches(t, packet.icmp_code)))
        }
        Match::CtState(states) => states.contains(&packet.state),
        Match::OriginalPort(ports) => packet
            .original_dport
            .is_some_and(|p| ports.iter().any(|r| r.contains(p))),
        Match::OriginalAddress {
            family,
            negated,
            nets,
        } => {
            packet.family == *family
                && match packet.original_daddr {
                    Some(a) => nets.iter().any(|n| n.contains(&a)) != *negated,
                    None => *negated,
                }
        }
        Match::Fib(Fib::SourceIsBroadcast) => {
            packet.saddr == Some(IpAddr::from([255, 255, 255, 255]))
        }
        // The walk's packets come from hosts' unicast addresses.
        Match::Fib(
            Fib::SourceIsAnycast
            | Fib::DestinationIsAnycast
            | Fib::NoRouteBackStrict
            | Fib::NoRouteBackLoose
            | Fib::NoRouteBackWithMark,
        ) => false,
        Match::Fib(Fib::DestinationIsBroadcastLike) => packet.daddr.is_some_and(|a| match a {
            IpAddr::V4(v4) => v4.is_broadcast() || v4.is_multicast(),
            IpAddr::V6(v6) => v6.is_multicast(),
        }),
        Match::Fib(Fib::DestinationIsBroadcastOrAnycast | Fib::DestinationIsBroadcast) => {
            packet.daddr == Some(IpAddr::from([255, 255, 255, 255]))
        }
        // The walk's packets come from hosts, never from the firewall's
        // own addresses.
        Match::Fib(Fib::SourceIsInterfaceAddress) => false,
        // A sender whose MAC address is not given is none of the listed.
        Match::EtherSource(macs) => packet.smac.is_some_and(|mac| macs.contains(&mac)),
        Match::Fib(Fib::DestinationIsMulticast) => packet.daddr.is_some_and(|a| match a {
            IpAddr::V4(v4) => v4.is_multicast(),
            IpAddr::V6(v6) => v6.is_multicast(),
        }),
        // The first packet of a connection is always under the log limit;
        // a per-address limit reads that family's address.
        Match::LogLimit { set, .. } => set
            .as_ref()
            .is_none_or(|(_, family)| packet.family == *family),
        // The walk's packet is a connection's first in a while: under a
        // rate limit, its address's only connection (explain says that
        // this is an assumption).
        Match::RateLimit { set, .. } => set
            .as_ref()
            .is_none_or(|(_, family)| packet.family == *family),
        Match::ConnLimit { limit, family, .. } => {
            packet.family == *family && (limit.count >= 1) != limit.above
        }
        Match::TcpFlags { mask, value } => {
            packet.proto == Some(Protocol::Tcp) && flags_match(mask, value, packet.state)
        }
        // The walk does not know a segment's options.
        Match::MssAtLeast(_) => false,
        // A packet arrives on the interface its source is routed through,
        // so its source is routed out of that interface.
        Match::SourceRoutedOut(name) => name.matches(interface(packet, Side::In)),
        Match::RoutedSource {
            family,
            interface: name,
            ..
        } => packet.family == *family && name.matches(interface(packet, Side::In)),
        // Nothing in the model sets a mark: the walk's packet has none.
        Match::Mark(mark) => mark.holds(0),
        // Where the walk does not know which socket sent a packet, an
        // owner test does not hold and its negation does (explain says so).
        Match::Owner { kind, negated, id } => match &packet.owner {
            Some(owner) => owner.is(id, *kind == super::OwnerKind::Group) != *negated,
            None => *negated,
        },
        // The walk has no clock: a time test does not hold (explain says
        // so).
        Match::Time(_) => false,
    }
}

/// Whether the rule tests the clock and every other match of it holds.
fn timed_here(rule: &Rule, holds: impl Fn(&Match) -> bool) -> bool {
    let time = |m: &Match| matches!(m, Match::Time(_));
    rule.matches.iter().any(time) && rule.matches.iter().filter(|m| !time(m)).all(holds)
}

/// Whether the rule tests an owner the packet does not tell and every
/// other match of it holds.
fn owned_here(rule: &Rule, packet: &Packet, holds: impl Fn(&Match) -> bool) -> bool {
    let owner = |m: &Match| matches!(m, Match::Owner { .. });
    packet.owner.is_none()
        && rule.matches.iter().any(owner)
        && rule.matches.iter().filter(|m| !owner(m)).all(holds)
}

/// Whether the rule has a limit and every other match of it holds.
fn limited_here(rule: &Rule, holds: impl Fn(&Match) -> bool) -> bool {
    rule.matches.iter().any(Match::is_limit)
        && rule.matches.iter().filter(|m| !m.is_limit()).all(holds)
}

fn lookup(key: MapKey, elements: &[super::MapElement], packet: &Packet) -> Option<Verdict> {
    let wanted: Vec<MapValue> = match key {
        MapKey::Interface(side) => vec![MapValue::Name(interface(packet, side).to_owned())],
        MapKey::InterfacePair => vec![
            MapValue::Name(interface(packet, Side::In).to_owned()),
            MapValue::Name(interface(packet, Side::Out).to_owned()),
        ],
        MapKey::CtState => vec![MapValue::State(packet.state)],
    };
    elements
        .iter()
        .find(|e| e.key == wanted)
        .map(|e| e.verdict.clone())
}

/// How deep jumps may nest before the walk gives up (nft allows 16).
const MAX_DEPTH: usize = 16;

enum Flow {
    /// A terminal verdict, and the rule that gave it.
    Final(Outcome, Box<Step>),
    /// The chain ended or returned.
    Fallthrough,
}

struct Walker<'a> {
    ruleset: &'a Ruleset,
    packet: &'a Packet,
    trace: Vec<Step>,
}

impl Walker<'_> {
    fn chain(&mut self, name: &str, depth: usize) -> Flow {
        let Some(chain) = self.ruleset.chain(name) else {
            return Flow::Fallthrough;
        };
        if depth > MAX_DEPTH {
            return Flow::Fallthrough;
        }
        for (index, rule) in chain.rules.iter().enumerate() {
            let holds = |m: &Match| matches(m, self.packet);
            // A lookup matches when it finds an element, made by one item.
            let element = rule.lookup().map(|lookup| lookup.find(holds));
            let matched = rule.matches.iter().all(holds) && element.is_none_or(|e| e.is_some());
            let origin = match element.flatten() {
                Some(element) => element.origin,
                None => rule.origin_for(|part| part.matches.iter().all(holds)),
            };
            let step = Step {
                chain: chain.name.clone(),
                index,
                origin,
                matched,
                limited: limited_here(rule, holds),
                owned: owned_here(rule, self.packet, holds),
                timed: timed_here(rule, holds),
                rule: rule.without_parts(),
            };
            self.trace.push(step.clone());
            if !matched {
                continue;
            }
            match self.statements(rule, &step, depth) {
                Some(Flow::Fallthrough) => return Flow::Fallthrough,
                Some(done) => return done,
                None => {}
            }
        }
        Flow::Fallthrough
    }

    /// `None`: go on with the next rule.
    fn statements(&mut self, rule: &Rule, step: &Step, depth: usize) -> Option<Flow> {
        for statement in &rule.statements {
            let verdict = match statement {
                Statement::Verdict(verdict) => verdict.clone(),
                Statement::Reject(how) => {
                    return Some(Flow::Final(Outcome::Reject(*how), Box::new(step.clone())));
                }
                Statement::Map { key, elements } => match lookup(*key, elements, self.packet) {
                    Some(verdict) => verdict,
                    None => continue,
                },
                Statement::Lookup(set) => match set.find(|m| matches(m, self.packet)) {
                    Some(element) => element.verdict.clone(),
                    None => continue,
                },
                Statement::Log { .. }
                | Statement::Audit
                | Statement::Dnat { .. }
                | Statement::Snat { .. }
                | Statement::SnatInterfaceAddress { .. }
                | Statement::SnatPorts { .. }
                | Statement::Masquerade { .. }
                | Statement::AddSource { .. }
                | Statement::Redirect(_)
                | Statement::SetMss(_)
                | Statement::ClearMark(_)
                | Statement::SetHelper(_)
                | Statement::Notrack => continue,
            };
            return self.verdict(&verdict, step, depth);
        }
        None
    }

    fn verdict(&mut self, verdict: &Verdict, step: &Step, depth: usize) -> Option<Flow> {
        match verdict {
            Verdict::Accept => Some(Flow::Final(Outcome::Accept, Box::new(step.clone()))),
            Verdict::Drop => Some(Flow::Final(Outcome::Drop, Box::new(step.clone()))),
            Verdict::Return => Some(Flow::Fallthrough),
            Verdict::Jump(target) => match self.chain(target, depth + 1) {
                // How REJECT answers is the reject chain's; what decided is
                // the rule that sent the packet there.
                Flow::Final(outcome, by) if by.origin == Origin::Shorewall(Piece::RejectChain) => {
                    Some(Flow::Final(outcome, Box::new(step.clone())))
                }
                Flow::Final(outcome, by) => Some(Flow::Final(outcome, by)),
                Flow::Fallthrough => None,
            },
            // Where the target ends, this chain has ended too.
            Verdict::Goto(target) => Some(self.chain(target, depth + 1)),
        }
    }
}

/// Walk a packet through the filter base chain of a hook.
pub fn filter(ruleset: &Ruleset, hook: Hook, packet: &Packet) -> Walk {
    let mut walker = Walker {
        ruleset,
        packet,
        trace: Vec::new(),
    };
    let Some(base) = ruleset.base(hook, ChainType::Filter) else {
        return Walk {
            outcome: Outcome::Accept,
            decided_by: None,
            trace: Vec::new(),
        };
    };
    let policy = match base.base.map(|b| b.policy) {
        Some(super::Policy::Drop) => Outcome::Drop,
        _ => Outcome::Accept,
    };
    let flow = walker.chain(&base.name, 0);
    let (outcome, decided_by) = match flow {
        Flow::Final(outcome, step) => (outcome, Some(*step)),
        Flow::Fallthrough => (policy, None),
    };
    Walk {
        outcome,
        decided_by,
        trace: walker.trace,
    }
}

/// The base chains of a hook at one priority, each walked to its end as
/// the packet meets them. Lowering gives the chains before the nat and
/// filter ones (raw, mangle) no verdict, so they decide nothing: the
/// trace is what they did.
fn walk_priority(
    ruleset: &Ruleset,
    hook: Hook,
    priority: super::Priority,
    packet: &Packet,
) -> Vec<Step> {
    let mut walker = Walker {
        ruleset,
        packet,
        trace: Vec::new(),
    };
    let chains = ruleset.chains.iter().filter(|c| {
        c.base
            .is_some_and(|b| b.hook == hook && b.priority == priority)
    });
    for chain in chains {
        walker.chain(&chain.name, 0);
    }
    walker.trace
}

/// The rules of a hook's chains that only edit packets (mangle priority,
/// before the hook's nat and filter chains: a rule's conntrack helper, the
/// MSS clamp), as the packet meets them.
pub fn edits(ruleset: &Ruleset, hook: Hook, packet: &Packet) -> Vec<Step> {
    walk_priority(ruleset, hook, super::Priority::Mangle, packet)
}

/// The raw-priority chains of a hook (before conntrack), as the packet
/// meets them: whether a `notrack` leaves it untracked, and the trace.
pub fn untracks(ruleset: &Ruleset, hook: Hook, packet: &Packet) -> (bool, Vec<Step>) {
    let trace = walk_priority(ruleset, hook, super::Priority::Raw, packet);
    let untracked = trace.iter().any(|step| {
        step.matched
            && ruleset
                .chain(&step.chain)
                .and_then(|c| c.rules.get(step.index))
                .is_some_and(|r| r.statements.contains(&Statement::Notrack))
    });
    (untracked, trace)
}

/// The first translation of a nat hook that the packet meets, or the
/// exemption from every later one ([`Translation::exempts`]).
pub fn translate(ruleset: &Ruleset, hook: Hook, packet: &Packet) -> Option<Translation> {
    let chain = ruleset.base(hook, ChainType::Nat)?;
    let mut trace = Vec::new();
    for (index, rule) in chain.rules.iter().enumerate() {
        // `dnat ip6 to` (or `snat ip to`) on a packet of the other family:
        // the kernel's nat expression breaks, and the rule does not apply.
        let family_ok = rule.statements.iter().all(|s| match s {
            Statement::Dnat { family, .. } | Statement::Snat { family, .. } => {
                *family == packet.family
            }
            _ => true,
        });
        let matched = family_ok && rule.matches.iter().all(|m| matches(m, packet));
        trace.push(Step {
            chain: chain.name.clone(),
            index,
            origin: rule.origin,
            matched,
            limited: limited_here(rule, |m| matches(m, packet)),
            owned: owned_here(rule, packet, |m| matches(m, packet)),
            timed: timed_here(rule, |m| matches(m, packet)),
            rule: rule.without_parts(),
        });
        if !matched {
            continue;
        }
        // An exemption (Shorewall's CONTINUE, NONAT): no later rule
        // translates.
        let exempt = Statement::Verdict(Verdict::Accept);
        if rule.statements.contains(&exempt) {
            return Some(Translation {
                statement: exempt,
                origin: rule.origin,
                trace,
            });
        }
        let translation = rule.statements.iter().find(|s| {
            matches!(
                s,
                Statement::Dnat { .. }
                    | Statement::Snat { .. }
                    | Statement::SnatPorts { .. }
                    | Statement::Masquerade { .. }
                    | Statement::Redirect(_)
            )
        });
        if let Some(statement) = translation {
            return Some(Translation {
                statement: statement.clone(),
                origin: rule.origin,
                trace,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::compile;
    use crate::ruleset::lower::lower;
    use crate::source::Source;

    const ZONES: &str = "[zones.net]\n[zones.loc]\n[interfaces.eth0]\nzone = \"net\"\n\
        [interfaces.eth1]\nzone = \"loc\"\n";

    fn new_tcp(iif: Option<&str>, oif: Option<&str>) -> Packet {
        Packet {
            family: Family::Ipv4,
            iif: iif.map(str::to_owned),
            oif: oif.map(str::to_owned),
            saddr: Some(IpAddr::from([192, 0, 2, 7])),
            daddr: Some(IpAddr::from([198, 51, 100, 7])),
            proto: Some(Protocol::Tcp),
            sport: Some(40000),
            dport: Some(22),
            icmp_type: None,
            icmp_code: None,
            original_dport: None,
            original_daddr: None,
            state: CtState::New,
            smac: None,
            owner: None,
        }
    }

    fn outcomes(policies: &str) -> [Outcome; 3] {
        let text = format!("{ZONES}{policies}");
        let model =
            compile(&Source::new("m.toml", text)).unwrap_or_else(|f| panic!("{}", f.render()));
        let ruleset = lower(&model);
        // docker0 is no interface of the model: no zone claims its packets.
        [
            filter(&ruleset, Hook::Input, &new_tcp(Some("docker0"), None)).outcome,
            filter(
                &ruleset,
                Hook::Forward,
                &new_tcp(Some("docker0"), Some("eth0")),
            )
            .outcome,
            filter(&ruleset, Hook::Output, &new_tcp(None, Some("docker0"))).outcome,
        ]
    }

    /// Shorewall's complete_standard_chain: the ends of INPUT, FORWARD and
    /// OUTPUT take the all2$FW, all2all and $FW2all policies, and without
    /// them INPUT drops while the others reject.
    #[test]
    fn what_no_zone_claims_meets_the_policy_shorewall_ends_its_chains_with() {
        let all =
            |a: &str| format!("[[policy]]\nsource = \"all\"\ndest = \"all\"\naction = \"{a}\"\n");
        assert_eq!(outcomes(&all("DROP")), [Outcome::Drop; 3]);
        let own = format!(
            "[[policy]]\nsource = \"all\"\ndest = \"$FW\"\naction = \"ACCEPT\"\n\
             [[policy]]\nsource = \"$FW\"\ndest = \"all\"\naction = \"ACCEPT\"\n{}",
            all("DROP")
        );
        assert_eq!(
            outcomes(&own),
            [Outcome::Accept, Outcome::Drop, Outcome::Accept]
        );
        // `all+` makes a chain of its own (`all+2all`): Shorewall's defaults.
        let plus = "[[policy]]\nsource = \"all+\"\ndest = \"all\"\naction = \"ACCEPT\"\n";
        let [input, forward, output] = outcomes(plus);
        assert_eq!(input, Outcome::Drop);
        assert!(matches!(forward, Outcome::Reject(_)), "{forward:?}");
        assert!(matches!(output, Outcome::Reject(_)), "{output:?}");
    }
}
