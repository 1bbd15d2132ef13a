//! Explain: the verdict the model gives one new connection, and why,
//! computed from the model alone with no kernel. Both backends must agree
//! with it (the lab checks this with real packets).

use std::fmt::{self, Display, Formatter};
use std::net::IpAddr;

use crate::error::quoted;
use crate::model::{
    Interface, Model, Protocol, SnatTarget, SnatTo, SourcePorts, Verdict, ZoneId, interface,
};
use crate::ruleset::lower::{self, lower};
use crate::ruleset::walk::{self, Outcome, Packet, Step};
use crate::ruleset::{CtState, Family as RuleFamily, Hook, Origin, Piece, Ruleset, Statement};

/// One end of a connection: a zone, an address, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub zone: Option<ZoneId>,
    pub address: Option<IpAddr>,
    /// The model interface (index) the packet uses on this side, when the
    /// asker knows it (the lab does): a zone behind several interfaces
    /// otherwise uses the one whose networks hold the address, or its first.
    pub interface: Option<usize>,
    /// The device on that interface, when it is a wildcard (`tun0` of
    /// `tun+`, by its logical name); `None`: the device the lab names
    /// ([`crate::model::Interface::example_device`]).
    pub device: Option<String>,
}

/// A new connection to explain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub from: Place,
    pub to: Place,
    /// `None` means a protocol no rule names.
    pub proto: Option<Protocol>,
    pub dport: Option<u16>,
    pub sport: Option<u16>,
    pub icmp_type: Option<u8>,
    /// The ICMP code; `None`: unknown (a rule naming a code does not match).
    pub icmp_code: Option<u8>,
    /// The sender's MAC address; `None`: unknown (no `[[maclist]]` entry
    /// naming a MAC address matches).
    pub source_mac: Option<crate::model::Mac>,
    /// The owner of the firewall's socket that sent it; `None`: unknown
    /// (a rule's USER/GROUP test does not hold, its negation does, and
    /// explain says so).
    pub owner: Option<crate::model::SocketOwner>,
}

/// What decided a verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decider {
    /// Traffic of the firewall to itself.
    Loopback,
    /// The firewall's connection from a loopback address (127.0.0.1,
    /// ::1) that a port forward sends to another host (its line): the
    /// kernel routes no packet from a loopback address out of the
    /// firewall and drops it.
    LoopbackRouted { line: usize },
    /// The model has no IPv6 zone; all IPv6 is dropped.
    NoIpv6,
    /// An interface option (dhcp) accepted it before any rule.
    InterfaceOption {
        interface: String,
        option: &'static str,
    },
    /// A port forward's accept (line of the `[[dnat]]`).
    Dnat { line: usize },
    /// A redirect's accept (line of the `[[redirect]]`).
    Redirect { line: usize },
    /// A tunnel's opening (line of the `[[tunnel]]`).
    Tunnel { line: usize },
    /// A rule (its line).
    Rule { line: usize },
    /// A `[[blacklist]]` entry (its line).
    Blacklist { line: usize },
    /// A `[[maclist]]` entry (its line).
    Maclist { line: usize },
    /// A policy (its line).
    Policy { line: usize },
    /// A zone's traffic to itself.
    IntraZone,
    /// ICMPv6 that IPv6 needs (RFC 4890), accepted before a DROP or REJECT.
    NeededIcmpv6,
    /// No zone pair claims the connection (end of INPUT, FORWARD or OUTPUT).
    /// `ipv6`: the packet's family, whose policy list the end reads.
    CatchAll { hook: Hook, ipv6: bool },
    /// A piece of Shorewall's behaviour (tcpflags, nosmurfs, conntrack).
    Shorewall { what: String },
}

/// Address translation applied to the connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nat {
    Dnat {
        to: IpAddr,
        port: Option<u16>,
        line: usize,
    },
    Masquerade {
        interface: String,
        /// The source ports the translation gives, and `random`.
        ports: SourcePorts,
        line: usize,
    },
    /// To a port on the firewall itself.
    Redirect { port: u16, line: usize },
    /// Exempt from the later port forwards and redirects (ACCEPT+, NONAT):
    /// not translated.
    Exempt { line: usize },
    /// The source address kept, the source port changed within `ports`
    /// (`to = "keep"`).
    SnatPorts {
        interface: String,
        ports: SourcePorts,
        line: usize,
    },
    Snat {
        to: SnatTo,
        /// The address of `to` the kernel gives this connection; `None`
        /// when the question leaves its source or destination address open.
        picked: Option<IpAddr>,
        interface: String,
        ports: SourcePorts,
        line: usize,
    },
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub verdict: Verdict,
    pub decided_by: Decider,
    /// `None`: an address on an interface of no zone that no zone's hosts
    /// claim (Shorewall's `-` interface).
    pub source_zone: Option<ZoneId>,
    /// After DNAT.
    pub dest_zone: Option<ZoneId>,
    /// The nftables chain (and Shorewall chain) that decided, if any.
    pub chain: Option<String>,
    pub nat: Vec<Nat>,
    /// Every rule of the lowered ruleset the packet met, in order.
    pub trace: Vec<Step>,
}

/// Why a query cannot be answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    /// The argument (`--from` or `--to`) names no zone and its address lies
    /// in no zone's networks.
    Unplaced {
        argument: &'static str,
        address: IpAddr,
    },
    /// Neither a zone nor an address.
    Empty { argument: &'static str },
    /// Port 0: no connection has it.
    PortZero { argument: &'static str },
    /// `--from` and `--to` are addresses of different families.
    MixedFamilies { from: IpAddr, to: IpAddr },
    /// An address no packet carries there: a multicast source, an
    /// unspecified destination.
    UnusableAddress {
        argument: &'static str,
        address: IpAddr,
        reason: &'static str,
    },
    /// ICMP of one family with an address of the other.
    ProtocolFamily {
        protocol: Protocol,
        argument: &'static str,
        address: IpAddr,
    },
}

impl Display for QueryError {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::Unplaced { argument, address } => write!(
                f,
                "{argument}: {address} is in no zone's networks; write ZONE:{address}"
            ),
            QueryError::Empty { argument } => {
                write!(f, "{argument}: give a zone, an address or ZONE:ADDRESS")
            }
            QueryError::PortZero { argument } => {
                write!(f, "{argument}: port 0 is no port; ports are 1 to 65535")
            }
            QueryError::MixedFamilies { from, to } => write!(
                f,
                "--to: {to} is {}, but --from {from} is {}: a connection has one address family",
                family_name(to.is_ipv6()),
                family_name(from.is_ipv6())
            ),
            QueryError::UnusableAddress {
                argument,
                address,
                reason,
            } => write!(f, "{argument}: {address} {reason}"),
            QueryError::ProtocolFamily {
                protocol,
                argument,
                address,
            } => write!(
                f,
                "--proto: {protocol} is {}, but {argument} {address} is {}; use --proto {}",
                family_name(protocol.only_ipv6() == Some(true)),
                family_name(address.is_ipv6()),
                if address.is_ipv6() { "icmpv6" } else { "icmp" }
            ),
        }
    }
}

/// The zone an address lies in: the zone of an interface whose networks
/// hold it, else the one zone whose interfaces declare no networks.
pub fn place(model: &Model, address: IpAddr) -> Option<ZoneId> {
    place_as(model, address, false)
}

/// A hosts entry holds an address: a destination-only one not as a source.
fn hosts_hold(hosts: &crate::model::Hosts, address: IpAddr, source: bool) -> bool {
    !(source && hosts.destonly) && hosts.networks.iter().any(|n| n.contains(&address))
}

/// [`place`] for a source (`source`) or a destination address.
fn place_as(model: &Model, address: IpAddr, source: bool) -> Option<ZoneId> {
    // Hosts first: their zone is dispatched before the interface's own.
    if let Some(zone) = model
        .zones
        .iter()
        .position(|z| z.hosts.iter().any(|h| hosts_hold(h, address, source)))
    {
        return Some(ZoneId::Zone(zone));
    }
    if let Some(zone) = model
        .interfaces
        .iter()
        .filter(|i| i.networks.iter().any(|n| n.contains(&address)))
        .find_map(|i| i.zone)
    {
        return Some(ZoneId::Zone(zone));
    }
    let open: Vec<usize> = (0..model.zones.len())
        .filter(|&z| model.interfaces_of(z).any(|i| i.networks.is_empty()))
        .filter(|&z| model.zones[z].family.has(address.is_ipv6()))
        .collect();
    match open.as_slice() {
        [only] => Some(ZoneId::Zone(*only)),
        _ => None,
    }
}

fn family_name(ipv6: bool) -> &'static str {
    if ipv6 { "IPv6" } else { "IPv4" }
}

/// Refuses what no packet can be; returns the family the addresses or the
/// protocol fix (`Some(true)` for IPv6), if any.
fn query_family(query: &Query) -> Result<Option<bool>, QueryError> {
    for (port, argument) in [(query.dport, "--dport"), (query.sport, "--sport")] {
        if port == Some(0) {
            return Err(QueryError::PortZero { argument });
        }
    }
    check_addresses(query)?;
    if let (Some(from), Some(to)) = (query.from.address, query.to.address)
        && from.is_ipv6() != to.is_ipv6()
    {
        return Err(QueryError::MixedFamilies { from, to });
    }
    let protocol_family = query.proto.and_then(Protocol::only_ipv6);
    let addresses = [(query.from.address, "--from"), (query.to.address, "--to")];
    for (address, argument) in addresses {
        let Some(address) = address else { continue };
        if let (Some(protocol), Some(ipv6)) = (query.proto, protocol_family)
            && ipv6 != address.is_ipv6()
        {
            return Err(QueryError::ProtocolFamily {
                protocol,
                argument,
                address,
            });
        }
    }
    let address_family = addresses.iter().find_map(|(a, _)| a.map(|a| a.is_ipv6()));
    Ok(address_family.or(protocol_family))
}

/// A source is one host's unicast address; a destination is not "none".
/// (`0.0.0.0` as a source is a DHCP client before its lease: allowed.)
fn check_addresses(query: &Query) -> Result<(), QueryError> {
    let unusable = |argument, address, reason| {
        Err(QueryError::UnusableAddress {
            argument,
            address,
            reason,
        })
    };
    if let Some(address) = query.from.address
        && address.is_multicast()
    {
        return unusable("--from", address, "is a multicast address, never a source");
    }
    if let Some(address) = query.to.address
        && address.is_unspecified()
    {
        return unusable(
            "--to",
            address,
            "is the unspecified address, never a destination",
        );
    }
    Ok(())
}

/// The zone of a place; `None` for an address on an interface of no zone
/// (Shorewall's `-`) that no zone's hosts there hold.
fn zone_of(
    model: &Model,
    place: &Place,
    argument: &'static str,
) -> Result<Option<ZoneId>, QueryError> {
    let source = argument == "--from";
    let zoneless = place.interface.filter(|&index| {
        model
            .interfaces
            .get(index)
            .is_some_and(|i| i.zone.is_none())
    });
    match (place.zone, place.address, zoneless) {
        (Some(zone), _, _) => Ok(Some(zone)),
        (None, Some(address), Some(index)) => Ok(hosts_zone_on(model, index, address, source)),
        (None, Some(address), None) => place_as(model, address, source)
            .ok_or(QueryError::Unplaced { argument, address })
            .map(Some),
        (None, None, _) => Err(QueryError::Empty { argument }),
    }
}

/// The first zone, in dispatch order, whose hosts on an interface hold an
/// address.
fn hosts_zone_on(model: &Model, interface: usize, address: IpAddr, source: bool) -> Option<ZoneId> {
    let holds =
        |h: &crate::model::Hosts| h.interface == interface && hosts_hold(h, address, source);
    model
        .zones
        .iter()
        .position(|z| z.hosts.iter().any(holds))
        .map(ZoneId::Zone)
}

/// Whether a packet of a zone may carry an interface (the asker's hint):
/// the zone's own, one its hosts are on, or for no zone an interface of
/// no zone.
fn zone_uses(model: &Model, zone: Option<ZoneId>, index: usize, interface: &Interface) -> bool {
    match zone {
        Some(ZoneId::Zone(z)) => {
            interface.zone == Some(z) || model.zones[z].hosts.iter().any(|h| h.interface == index)
        }
        Some(ZoneId::Firewall) => false,
        None => interface.zone.is_none(),
    }
}

/// A zone's name, or `-` for none.
fn zone_label(model: &Model, zone: Option<ZoneId>) -> &str {
    zone.map_or("-", |z| model.zone_name(z))
}

/// The interface a zone's traffic uses for an address: the one whose
/// networks hold it, else the zone's first interface.
pub(crate) fn interface_for(
    model: &Model,
    zone: ZoneId,
    address: Option<IpAddr>,
) -> Option<&Interface> {
    let ZoneId::Zone(index) = zone else {
        return None;
    };
    let mut interfaces = model.interfaces_of(index);
    let first = model.interfaces_of(index).next();
    let hosts = &model.zones[index].hosts;
    let host_interface = |a: IpAddr| {
        hosts
            .iter()
            .find(|h| h.networks.iter().any(|n| n.contains(&a)))
            .map(|h| &model.interfaces[h.interface])
    };
    let first_hosts = hosts.first().map(|h| &model.interfaces[h.interface]);
    address
        .and_then(|a| {
            host_interface(a)
                .or_else(|| interfaces.find(|i| i.networks.iter().any(|n| n.contains(&a))))
        })
        .or(first)
        .or(first_hosts)
}

/// An address of a zone that has only hosts (no interface of its own):
/// the first address of its first network of the family, as a packet
/// named by its zone alone must come from one of them to belong to it.
fn hosts_address(model: &Model, zone: ZoneId, ipv6: bool) -> Option<IpAddr> {
    let ZoneId::Zone(index) = zone else {
        return None;
    };
    if model.interfaces_of(index).next().is_some() {
        return None;
    }
    let net = model.zones[index]
        .hosts
        .iter()
        .flat_map(|h| &h.networks)
        .find(|n| n.addr().is_ipv6() == ipv6)?;
    Some(match net.hosts().next() {
        Some(first) if net.prefix_len() < net.max_prefix_len() => first,
        _ => net.addr(),
    })
}

/// The name a packet on an interface carries: its own, or for a wildcard
/// (`ppp+`, `+`) a name it covers that no named interface has.
/// The device a packet uses on `interface`: for a wildcard, the one
/// [`Interface::example_device`] names (the lab's link), unless a declared
/// interface has that name.
fn kernel_name(model: &Model, interface: &Interface) -> String {
    let index = model
        .interfaces
        .iter()
        .position(|i| std::ptr::eq(i, interface))
        .unwrap_or_default();
    let mut name = interface.example_device(index);
    while interface.physical.ends_with('+') && model.interfaces.iter().any(|i| i.physical == name) {
        name.push('x');
    }
    name
}

fn hook(source: Option<ZoneId>, dest: Option<ZoneId>) -> Hook {
    match (source, dest) {
        (_, Some(ZoneId::Firewall)) => Hook::Input,
        (Some(ZoneId::Firewall), _) => Hook::Output,
        _ => Hook::Forward,
    }
}

fn hook_name(hook: Hook) -> &'static str {
    match hook {
        Hook::Input => "INPUT",
        Hook::Output => "OUTPUT",
        _ => "FORWARD",
    }
}

pub fn explain(model: &Model, query: &Query) -> Result<Explanation, QueryError> {
    explain_in(model, &lower(model), query)
}

/// Explain against a ruleset already lowered (check asks many questions).
pub fn explain_in(
    model: &Model,
    ruleset: &Ruleset,
    query: &Query,
) -> Result<Explanation, QueryError> {
    explain_as(model, ruleset, query, CtState::New)
}

/// Explain a packet of a connection in a given conntrack state (a new
/// connection's first packet, or one of an established connection).
pub fn explain_as(
    model: &Model,
    ruleset: &Ruleset,
    query: &Query,
    state: CtState,
) -> Result<Explanation, QueryError> {
    let family = query_family(query)?;
    let source = zone_of(model, &query.from, "--from")?;
    let mut dest = zone_of(model, &query.to, "--to")?;
    let has_ipv4 = |zone: Option<ZoneId>| zone.is_none_or(|z| model.zone_family(z).has_ipv4());
    let ipv6 = family.unwrap_or_else(|| !(has_ipv4(source) && has_ipv4(dest)));
    // The asker's interface when it is one of the zone's, else the zone's
    // interface for the address.
    let name = |zone: Option<ZoneId>, place: &Place, address| {
        let hinted = place
            .interface
            .and_then(|index| Some((index, model.interfaces.get(index)?)))
            .filter(|(index, i)| zone_uses(model, zone, *index, i));
        if let (Some((_, interface)), Some(device)) = (hinted, &place.device) {
            return Some(interface.device_physical(device));
        }
        hinted
            .map(|(_, i)| i)
            .or_else(|| interface_for(model, zone?, address))
            .map(|i| kernel_name(model, i))
    };
    let firewall = Some(ZoneId::Firewall);
    let loopback = source == firewall && dest == firewall;
    let saddr = query
        .from
        .address
        .or_else(|| hosts_address(model, source?, ipv6));
    let mut packet = Packet {
        family: RuleFamily::of(ipv6),
        iif: if loopback {
            Some("lo".to_owned())
        } else {
            name(source, &query.from, saddr)
        },
        oif: None,
        saddr,
        daddr: query
            .to
            .address
            .or_else(|| hosts_address(model, dest?, ipv6)),
        proto: query.proto,
        sport: query.sport,
        dport: query.dport,
        icmp_type: query.icmp_type,
        icmp_code: query.icmp_code,
        original_dport: query.dport,
        original_daddr: None,
        state,
        smac: query.source_mac,
        owner: query.owner.clone(),
    };
    packet.original_daddr = packet.daddr;
    let mut nat = Vec::new();
    let mut trace = Vec::new();
    let mut redirected_here = false;
    // NAT rules see the first packet of a connection only; the firewall's
    // own connections meet the nat output chain instead of prerouting.
    // The kernel fixes a packet's output interface for the whole output
    // hook before the nat chain rewrites its address: the filter sees the
    // interface of the address the firewall connected to (iptables' `-o`
    // and nft's `oif` alike); the new route counts from postrouting on.
    let routed_oif = name(dest, &query.to, packet.daddr);
    let dnat_hook = if source == firewall {
        Hook::Output
    } else {
        Hook::Prerouting
    };
    // The raw chains (`[[conntrack]]`) come first, before conntrack looks
    // the packet up: an untracked packet, of a connection or not, meets no
    // NAT, and the rules as UNTRACKED.
    let (untracked, steps) = walk::untracks(ruleset, dnat_hook, &packet);
    trace.extend(steps);
    if untracked {
        packet.state = CtState::Untracked;
    }
    // Then the chains that edit packets (mangle priority): a new
    // connection gets a rule's conntrack helper there.
    trace.extend(walk::edits(ruleset, dnat_hook, &packet));
    if packet.state == CtState::New
        && let Some(translation) = walk::translate(ruleset, dnat_hook, &packet)
    {
        trace.extend(translation.trace);
        if let (Statement::Dnat { to, port, .. }, Origin::Dnat(index)) =
            (&translation.statement, translation.origin)
        {
            nat.push(Nat::Dnat {
                to: *to,
                port: *port,
                line: model.dnats[index].line,
            });
            packet.daddr = Some(*to);
            packet.dport = port.or(packet.dport);
            dest = Some(ZoneId::Zone(model.dnats[index].dest));
        }
        if let (Statement::Dnat { to, .. }, Origin::OneToOne(index)) =
            (&translation.statement, translation.origin)
        {
            nat.push(Nat::Dnat {
                to: *to,
                port: None,
                line: model.one_to_one[index].line,
            });
            packet.daddr = Some(*to);
            dest = Some(ZoneId::Zone(model.one_to_one[index].zone));
        }
        if let Origin::NatExempt(index) = translation.origin {
            nat.push(Nat::Exempt {
                line: model.nat_exemptions[index].line,
            });
        }
        if let (Statement::Redirect(port), Origin::Redirect(index)) =
            (&translation.statement, translation.origin)
        {
            nat.push(Nat::Redirect {
                port: *port,
                line: model.redirects[index].line,
            });
            packet.dport = Some(*port);
            if dnat_hook == Hook::Output {
                // The firewall's own connection: nat output redirects it
                // to the loopback address (nf_nat_redirect, as iptables'
                // REDIRECT in OUTPUT), rerouted over `lo`; the filter's
                // output hook still sees the interface it was routed to.
                packet.daddr = Some(match packet.family {
                    RuleFamily::Ipv6 => std::net::Ipv6Addr::LOCALHOST.into(),
                    _ => std::net::Ipv4Addr::LOCALHOST.into(),
                });
                redirected_here = true;
            } else {
                dest = firewall;
            }
        }
    }
    packet.oif = if loopback {
        Some("lo".to_owned())
    } else if source == firewall {
        routed_oif
    } else {
        name(dest, &query.to, packet.daddr)
    };
    if source == firewall {
        packet.iif = None;
    }
    if dest == firewall && !loopback {
        packet.oif = None;
    }
    let mut hook = if loopback {
        Hook::Output
    } else {
        hook(source, dest)
    };
    let ipv6 = packet.family == RuleFamily::Ipv6;
    if hook != dnat_hook {
        // The forward hook's (the MSS clamp); the output hook's were met
        // before its nat chain.
        trace.extend(walk::edits(ruleset, hook, &packet));
    }
    let mut walked = walk::filter(ruleset, hook, &packet);
    trace.extend(walked.trace.iter().cloned());
    // The firewall's packet to itself comes back in by `lo`; one a port
    // forward sent elsewhere leaves, unless its source is a loopback
    // address.
    let mut routed_loopback = None;
    if (loopback || redirected_here) && walked.outcome == Outcome::Accept {
        if dest == firewall || redirected_here {
            let input = loopback_input(ruleset, &packet);
            trace.extend(input.trace.iter().cloned());
            if input.outcome != Outcome::Accept {
                hook = Hook::Input;
                walked = input;
            }
        } else if packet.saddr.is_some_and(|a| a.is_loopback()) {
            routed_loopback = nat.iter().find_map(|n| match n {
                Nat::Dnat { line, .. } => Some(*line),
                _ => None,
            });
        }
    }
    let mut verdict = match walked.outcome {
        Outcome::Accept => Verdict::Accept,
        Outcome::Drop => Verdict::Drop,
        Outcome::Reject(_) => Verdict::Reject,
    };
    if routed_loopback.is_some() {
        verdict = Verdict::Drop;
    }
    let mut stopped_answer = None;
    if let Outcome::Reject(how) = walked.outcome
        && source != firewall
    {
        let answer = walk::filter(ruleset, Hook::Output, &reject_answer(&packet, how));
        if answer.outcome != Outcome::Accept {
            trace.extend(answer.trace.iter().cloned());
            verdict = Verdict::Drop;
            stopped_answer = Some(decider(model, Hook::Output, ipv6, answer.decided_by.as_ref()).0);
        }
    }
    if source == firewall {
        packet.oif = name(dest, &query.to, packet.daddr);
    }
    if verdict == Verdict::Accept
        && dest != firewall
        && !redirected_here
        && packet.state != CtState::Untracked
        && let Some(translation) = walk::translate(ruleset, Hook::Postrouting, &packet)
        && !translation.exempts()
    {
        // Only a new connection's first packet meets the nat chains;
        // conntrack translates the others as it translated that one.
        if state == CtState::New {
            trace.extend(translation.trace.iter().cloned());
        }
        if let Some(found) = source_nat(model, &translation, &packet) {
            nat.push(found);
        }
    }
    let (mut decided_by, chain) = decider(model, hook, ipv6, walked.decided_by.as_ref());
    if let Some(line) = routed_loopback {
        decided_by = Decider::LoopbackRouted { line };
    }
    if let Some(stopper) = stopped_answer {
        decided_by = Decider::Shorewall {
            what: format!(
                "{} rejects, but the answer leaves the firewall as a RELATED packet and {} stops it: the sender hears nothing",
                decider_text(model, &decided_by),
                decider_text(model, &stopper)
            ),
        };
    }
    Ok(Explanation {
        verdict,
        decided_by,
        source_zone: source,
        dest_zone: dest,
        chain,
        nat,
        trace,
    })
}

/// The firewall's packet to itself, once its output hook accepted it
/// (with oif `lo`), as the kernel delivers it: back in by `lo` through the
/// input hook's filter. Conntrack and NAT met it on the way out (the looped
/// packet keeps its connection, and no nat chain sees it again), so only
/// the filter decides.
fn loopback_input(ruleset: &Ruleset, packet: &Packet) -> walk::Walk {
    let looped = Packet {
        iif: Some("lo".to_owned()),
        oif: None,
        ..packet.clone()
    };
    walk::filter(ruleset, Hook::Input, &looped)
}

/// The answer of a REJECT (a TCP reset, an ICMP error): the kernel sends
/// it from the firewall through the output hook, back out of the
/// interface the packet came in on, in conntrack state RELATED (the
/// connection's, attached by nf_reject); a packet without a connection
/// (INVALID, UNTRACKED) has none to attach, and conntrack calls its answer
/// INVALID.
fn reject_answer(packet: &Packet, how: crate::ruleset::Reject) -> Packet {
    let tcp = how == crate::ruleset::Reject::TcpReset;
    let ipv6 = packet.family == RuleFamily::Ipv6;
    let (proto, icmp_type) = match (tcp, ipv6) {
        (true, _) => (Protocol::Tcp, None),
        (false, false) => (Protocol::Icmp, Some(3)),
        (false, true) => (Protocol::Icmpv6, Some(1)),
    };
    Packet {
        family: packet.family,
        iif: None,
        oif: packet.iif.clone(),
        saddr: packet.daddr,
        daddr: packet.saddr,
        proto: Some(proto),
        sport: if tcp { packet.dport } else { None },
        dport: if tcp { packet.sport } else { None },
        icmp_type,
        icmp_code: None,
        original_dport: None,
        original_daddr: None,
        smac: None,
        owner: None,
        state: match packet.state {
            CtState::Invalid | CtState::Untracked => CtState::Invalid,
            _ => CtState::Related,
        },
    }
}

/// What decided, in the model's words.
fn decider_text(model: &Model, decided_by: &Decider) -> String {
    let file = &model.source_name;
    match decided_by {
        Decider::Loopback => {
            "the firewall's traffic to itself (loopback) is always accepted".to_owned()
        }
        Decider::LoopbackRouted { line } => format!(
            "the port forward at {file}:{line} sends the firewall's connection from a loopback address to another host: the kernel routes no packet from 127.0.0.1 or ::1 out of the firewall, and drops it"
        ),
        Decider::NoIpv6 => "the model has no IPv6 zone: all IPv6 is dropped".to_owned(),
        Decider::InterfaceOption { interface, option } if *option == "sfilter" => format!(
            "Shorewall's sfilter on interface {interface}: what came in by it and would leave by it again (for a wildcard, by any device it stands for) is dropped (routeback or routefilter lift it)"
        ),
        Decider::InterfaceOption { interface, option } => {
            format!("the `{option}` option of interface {interface}")
        }
        Decider::Dnat { line } => format!("the port forward at {file}:{line}"),
        Decider::Redirect { line } => format!("the redirect at {file}:{line}"),
        Decider::Tunnel { line } => format!("the tunnel at {file}:{line}"),
        Decider::Rule { line } => format!("the rule at {file}:{line}"),
        Decider::Blacklist { line } => format!("the blacklist entry at {file}:{line}"),
        Decider::Maclist { line } => format!("the maclist entry at {file}:{line}"),
        Decider::Policy { line } => format!("the policy at {file}:{line}"),
        Decider::IntraZone => "the implicit ACCEPT of a zone's traffic to itself".to_owned(),
        Decider::NeededIcmpv6 => {
            "ICMPv6 that IPv6 needs (RFC 4890) passes before a DROP or REJECT".to_owned()
        }
        Decider::CatchAll { hook, ipv6 } => {
            let end = crate::ruleset::lower::catch_all_policy(model, *hook, *ipv6);
            let hook = hook_name(*hook);
            let action = end.action.keyword();
            let logged = match end.log {
                Some(_) => format!(", logged {}:{hook}:{action}:", model.firewall.log_prefix),
                None => String::new(),
            };
            match end.policy {
                Some(index) => format!(
                    "no zone pair claims it: the end of {hook} takes the policy at {file}:{} ({action}{logged})",
                    model.policies[index].line
                ),
                None => format!(
                    "no zone pair claims it: the end of {hook} ({action}{logged}, Shorewall's own end: no `all` policy names it)"
                ),
            }
        }
        Decider::Shorewall { what } => what.clone(),
    }
}

/// What decided, in the model's words, and the zone-pair chain it sits in.
fn decider(
    model: &Model,
    hook: Hook,
    ipv6: bool,
    step: Option<&Step>,
) -> (Decider, Option<String>) {
    let Some(step) = step else {
        return (Decider::CatchAll { hook, ipv6 }, None);
    };
    let in_pair = !matches!(
        step.chain.as_str(),
        "input" | "forward" | "output" | "prerouting"
    ) && !step.chain.starts_with("in-")
        && !step.chain.starts_with("fwd-")
        && !step.chain.starts_with("out-");
    let chain = in_pair
        .then(|| step.chain.clone())
        .filter(|c| c.contains('-'));
    let decider = match step.origin {
        Origin::Rule(index) => Decider::Rule {
            line: model.rules[index].line,
        },
        Origin::Blacklist(index) => Decider::Blacklist {
            line: model.blacklist[index].line,
        },
        Origin::Maclist(index) => Decider::Maclist {
            line: model.maclist[index].line,
        },
        Origin::Dnat(index) => Decider::Dnat {
            line: model.dnats[index].line,
        },
        Origin::Policy { policy, .. } | Origin::PolicyRate(policy) => Decider::Policy {
            line: model.policies[policy].line,
        },
        Origin::IntraZone(_) => Decider::IntraZone,
        Origin::InterfaceOption { interface, option } => Decider::InterfaceOption {
            interface: model.interfaces[interface].physical.clone(),
            option,
        },
        Origin::Redirect(index) => Decider::Redirect {
            line: model.redirects[index].line,
        },
        Origin::Tunnel(index) => Decider::Tunnel {
            line: model.tunnels[index].line,
        },
        Origin::Snat(_) | Origin::OneToOne(_) | Origin::NatExempt(_) => {
            Decider::CatchAll { hook, ipv6 }
        }
        Origin::Setting(_)
        | Origin::Stopped(_)
        | Origin::ZoneOption { .. }
        | Origin::Conntrack(_) => Decider::Shorewall {
            what: lower::describe(model, step.origin),
        },
        Origin::Shorewall(piece) => match piece {
            Piece::Loopback => Decider::Loopback,
            Piece::NoIpv6 => Decider::NoIpv6,
            Piece::AllowIcmps => Decider::NeededIcmpv6,
            Piece::CatchAll(hook) => Decider::CatchAll { hook, ipv6 },
            other => Decider::Shorewall {
                what: lower::describe(model, Origin::Shorewall(other)),
            },
        },
    };
    let chain = match decider {
        Decider::CatchAll { .. } | Decider::Loopback | Decider::NoIpv6 => None,
        _ => chain,
    };
    (decider, chain)
}

fn source_nat(model: &Model, translation: &walk::Translation, packet: &Packet) -> Option<Nat> {
    let picked = |to: &SnatTo| match (packet.saddr, packet.daddr) {
        _ if !to.is_range() => Some(to.first),
        (Some(source), Some(dest)) => Some(to.pick(source, dest)),
        _ => None,
    };
    if let (Origin::OneToOne(index), Statement::Snat { to, .. }) =
        (translation.origin, &translation.statement)
    {
        let nat = &model.one_to_one[index];
        return Some(Nat::Snat {
            to: *to,
            picked: picked(to),
            interface: model.interfaces[nat.interface].physical.clone(),
            ports: SourcePorts::default(),
            line: nat.line,
        });
    }
    let Origin::Snat(index) = translation.origin else {
        return None;
    };
    let snat = &model.snats[index];
    let interface = snat.physical(&model.interfaces);
    Some(match translation.statement {
        Statement::Snat { to, .. } => Nat::Snat {
            to,
            picked: picked(&to),
            interface,
            ports: snat.ports,
            line: snat.line,
        },
        Statement::SnatPorts { ports } => Nat::SnatPorts {
            interface,
            ports,
            line: snat.line,
        },
        _ => Nat::Masquerade {
            interface,
            ports: snat.ports,
            line: snat.line,
        },
    })
}

impl Explanation {
    /// The explanation as people read it.
    pub fn text(&self, model: &Model) -> String {
        let mut out = format!("verdict: {}\n", self.verdict);
        out.push_str(&format!("decided by: {}\n", self.decider_text(model)));
        let path = format!(
            "{} -> {}",
            zone_label(model, self.source_zone),
            zone_label(model, self.dest_zone)
        );
        match &self.chain {
            Some(chain) => out.push_str(&format!("path: {path} (chain {chain})\n")),
            None => out.push_str(&format!("path: {path}\n")),
        }
        for note in self.limit_notes(model) {
            out.push_str(&format!("limit: {note}\n"));
        }
        for note in self.ipset_notes() {
            out.push_str(&format!("ipset: {note}\n"));
        }
        for note in self.owner_notes(model) {
            out.push_str(&format!("owner: {note}\n"));
        }
        for note in self.time_notes(model) {
            out.push_str(&format!("time: {note}\n"));
        }
        if self.audited() {
            out.push_str("audit: the verdict is recorded by the kernel's audit subsystem (`log level audit`, Shorewall's AUDIT target)\n");
        }
        if self.nat.is_empty() {
            out.push_str("nat: none\n");
        }
        for nat in &self.nat {
            out.push_str(&format!("nat: {}\n", nat_text(model, nat)));
        }
        out
    }

    /// What the verdict assumes about the limited rules the packet met:
    /// a rate or connection limit depends on the packets before, so such a
    /// rule may match or not; the walk took its limit as not reached (the
    /// rule's bucket not spent, the address's connections not counted up).
    pub fn limit_notes(&self, model: &Model) -> Vec<String> {
        let mut notes: Vec<String> = Vec::new();
        for step in &self.trace {
            let (line, rate, connlimit) = match step.origin {
                Origin::Rule(index) => match model.rules.get(index) {
                    Some(rule) => (rule.line, rule.rate.as_deref(), rule.connlimit),
                    None => continue,
                },
                Origin::Dnat(index) => match model.dnats.get(index) {
                    Some(dnat) => (dnat.line, dnat.rate.as_deref(), None),
                    None => continue,
                },
                _ => continue,
            };
            if !step.limited {
                continue;
            }
            let mut limits: Vec<String> = Vec::new();
            if let Some(rate) = rate {
                limits.push(format!("the rate {}", rate.describe()));
            }
            if let Some(connlimit) = connlimit {
                limits.push(connlimit.describe());
            }
            let (verb, other) = if step.matched {
                let over = match step.origin {
                    Origin::Dnat(_) => {
                        "over its limit the connection is not translated by it: a later port forward or redirect of the same port may take it, or it meets the filter as sent"
                    }
                    _ => {
                        "over its limit it does not match, and the packet goes on to the later rules and the policy"
                    }
                };
                ("matched", over)
            } else {
                ("did not match", "past its limit it may")
            };
            let note = format!(
                "the {} at {}:{} may match or not ({}): it {verb} here, taking its limit as not reached (a plain rate's bucket is spent by every packet the rule's limit meets, from any address); {other}",
                if matches!(step.origin, Origin::Dnat(_)) {
                    "port forward"
                } else {
                    "rule"
                },
                model.source_name,
                line,
                limits.join(", ")
            );
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
        notes
    }

    /// What the verdict assumes about the sets the packet met: each set
    /// holds the model's elements, as when the ruleset is loaded; members
    /// added at run time (`nft add element`, `ipset add`) are not known.
    pub fn ipset_notes(&self) -> Vec<String> {
        let mut notes: Vec<String> = Vec::new();
        let matches = self.trace.iter().flat_map(|step| {
            step.rule
                .matches
                .iter()
                .chain(step.rule.parts.iter().flat_map(|p| &p.matches))
        });
        for m in matches {
            let crate::ruleset::Match::Set { name, elements, .. } = m else {
                continue;
            };
            let note = format!(
                "set {name} was taken to hold its model elements only ({} of them, as when loaded); members added at run time may change the verdict",
                elements.len()
            );
            if !notes.contains(&note) {
                notes.push(note);
            }
        }
        notes
    }

    /// What the verdict assumes about the rules the packet met that test
    /// the owner of the sending socket (`user`, `group`): explain cannot
    /// know which user's program sends a packet, and takes it as sent by
    /// none of those owners.
    pub fn owner_notes(&self, model: &Model) -> Vec<String> {
        self.rule_notes(model, |step, rule, at| {
            let owner = rule.owner.as_ref().filter(|_| step.owned)?;
            let verb = if step.matched {
                "matched"
            } else {
                "did not match"
            };
            Some(format!(
                "the rule at {at} tests the sending socket's owner ({}), which explain cannot know: it took the packet as sent by no such user or group, and the rule {verb} here; a packet of another owner may get another verdict",
                owner.describe()
            ))
        })
    }

    /// What the verdict assumes about the rules the packet met that hold
    /// only within a window of the clock (Shorewall's TIME): explain has
    /// no clock, and takes the packet as outside every window.
    pub fn time_notes(&self, model: &Model) -> Vec<String> {
        self.rule_notes(model, |step, rule, at| {
            let window = rule.time.as_ref().filter(|_| step.timed)?;
            Some(format!(
                "the rule at {at} holds only {}, and explain has no clock: it took the packet as outside that window, and the rule did not match here; within it the rule matches and the verdict may differ",
                window.describe()
            ))
        })
    }

    /// The notes `note` makes of the model rules the packet met (given the
    /// step, the rule and its place `file:line`), each once, in order.
    fn rule_notes(
        &self,
        model: &Model,
        note: impl Fn(&Step, &crate::model::Rule, &str) -> Option<String>,
    ) -> Vec<String> {
        let mut notes: Vec<String> = Vec::new();
        for step in &self.trace {
            let Origin::Rule(index) = step.origin else {
                continue;
            };
            let Some(rule) = model.rules.get(index) else {
                continue;
            };
            let at = format!("{}:{}", model.source_name, rule.line);
            if let Some(note) = note(step, rule, &at)
                && !notes.contains(&note)
            {
                notes.push(note);
            }
        }
        notes
    }

    /// Whether a rule that matched writes an audit record (`audit = true`
    /// on the rule or policy that decided).
    fn audited(&self) -> bool {
        self.trace
            .iter()
            .any(|step| step.matched && step.rule.statements.contains(&Statement::Audit))
    }

    fn decider_text(&self, model: &Model) -> String {
        decider_text(model, &self.decided_by)
    }

    /// Every rule the packet met, as nft prints it, `+` where it matched,
    /// with what made it.
    pub fn trace_text(&self, model: &Model) -> String {
        let mut out = String::from("trace (every rule the packet met; + matched):\n");
        for step in &self.trace {
            let mark = if step.matched { '+' } else { '-' };
            let mut rule = step.rule.clone();
            rule.comment = None;
            out.push_str(&format!(
                "  {mark} {}: {rule}\n      from: {}\n",
                step.chain,
                step_origin(model, step)
            ));
        }
        out
    }

    /// The trace as a JSON array.
    pub fn trace_json(&self, model: &Model) -> serde_json::Value {
        let steps: Vec<serde_json::Value> = self
            .trace
            .iter()
            .map(|step| {
                let mut rule = step.rule.clone();
                rule.comment = None;
                serde_json::json!({
                    "chain": step.chain,
                    "rule": rule.to_string(),
                    "matched": step.matched,
                    "from": step_origin(model, step),
                })
            })
            .collect();
        serde_json::Value::Array(steps)
    }

    /// The explanation as one JSON object.
    pub fn json(&self, model: &Model) -> serde_json::Value {
        let (kind, line) = match &self.decided_by {
            Decider::Loopback => ("loopback", None),
            Decider::LoopbackRouted { line } => ("loopback-routed", Some(*line)),
            Decider::NoIpv6 => ("no-ipv6", None),
            Decider::InterfaceOption { .. } => ("interface-option", None),
            Decider::Dnat { line } => ("dnat", Some(*line)),
            Decider::Redirect { line } => ("redirect", Some(*line)),
            Decider::Tunnel { line } => ("tunnel", Some(*line)),
            Decider::Rule { line } => ("rule", Some(*line)),
            Decider::Blacklist { line } => ("blacklist", Some(*line)),
            Decider::Maclist { line } => ("maclist", Some(*line)),
            Decider::Policy { line } => ("policy", Some(*line)),
            Decider::IntraZone => ("intra-zone", None),
            Decider::NeededIcmpv6 => ("needed-icmpv6", None),
            Decider::CatchAll { .. } => ("catch-all", None),
            Decider::Shorewall { .. } => ("shorewall", None),
        };
        let nat: Vec<serde_json::Value> = self.nat.iter().map(nat_json).collect();
        serde_json::json!({
            "verdict": self.verdict.keyword(),
            "decided_by": {
                "kind": kind,
                "file": model.source_name,
                "line": line,
                "text": self.decider_text(model),
            },
            "source_zone": zone_label(model, self.source_zone),
            "dest_zone": zone_label(model, self.dest_zone),
            "chain": self.chain,
            "nat": nat,
            "limits": self.limit_notes(model),
            "ipsets": self.ipset_notes(),
            "owners": self.owner_notes(model),
            "times": self.time_notes(model),
        })
    }
}

fn nat_text(model: &Model, nat: &Nat) -> String {
    let file = &model.source_name;
    match nat {
        Nat::Dnat {
            to,
            port: Some(port),
            line,
        } => format!("DNAT to {to} port {port} ({file}:{line})"),
        Nat::Dnat {
            to,
            port: None,
            line,
        } => format!("DNAT to {to} ({file}:{line})"),
        Nat::Masquerade {
            interface,
            ports,
            line,
        } => {
            let ports = ports_text(ports);
            format!("masquerade to the address of {interface}{ports} ({file}:{line})")
        }
        Nat::Redirect { port, line } => {
            format!("REDIRECT to port {port} on the firewall ({file}:{line})")
        }
        Nat::Exempt { line } => format!(
            "none: exempt from the later port forwards and redirects by the rule at {file}:{line}"
        ),
        Nat::SnatPorts {
            interface,
            ports,
            line,
        } => {
            let ports = ports_text(ports);
            format!("SNAT on {interface}, the source address kept{ports} ({file}:{line})")
        }
        Nat::Snat {
            to,
            picked,
            interface,
            ports,
            line,
        } => {
            let ports = ports_text(ports);
            match picked {
                Some(picked) if to.is_range() => format!(
                    "SNAT to {to} on {interface}, {picked} for this source and destination{ports} ({file}:{line})"
                ),
                // `detect`: the address --iface-address gave.
                _ if (model.snats.iter())
                    .any(|s| s.target == SnatTarget::Detect && s.line == *line) =>
                {
                    format!(
                        "SNAT to {to}, the first address of {interface} (detect), on {interface}{ports} ({file}:{line})"
                    )
                }
                _ => format!("SNAT to {to} on {interface}{ports} ({file}:{line})"),
            }
        }
    }
}

fn nat_json(nat: &Nat) -> serde_json::Value {
    match nat {
        Nat::Dnat { to, port, line } => {
            serde_json::json!({"kind": "dnat", "to": to.to_string(), "port": port, "line": line})
        }
        Nat::Masquerade {
            interface,
            ports,
            line,
        } => {
            let mut json =
                serde_json::json!({"kind": "masquerade", "interface": interface, "line": line});
            ports_json(&mut json, ports);
            json
        }
        Nat::Redirect { port, line } => {
            serde_json::json!({"kind": "redirect", "port": port, "line": line})
        }
        Nat::Exempt { line } => serde_json::json!({"kind": "exempt", "line": line}),
        Nat::SnatPorts {
            interface,
            ports,
            line,
        } => {
            let mut json =
                serde_json::json!({"kind": "snat-ports", "interface": interface, "line": line});
            ports_json(&mut json, ports);
            json
        }
        Nat::Snat {
            to,
            picked,
            interface,
            ports,
            line,
        } => {
            let picked = picked.map(|p| p.to_string());
            let mut json = serde_json::json!({"kind": "snat", "to": to.to_string(), "picked": picked, "interface": interface, "line": line});
            ports_json(&mut json, ports);
            json
        }
    }
}

/// `, source port in 1024-65535, at random` after a source NAT's
/// address: what the kernel does with the source port; nothing when it
/// keeps it if free.
fn ports_text(ports: &SourcePorts) -> String {
    let range = ports.range_text().map(|r| format!(", source port in {r}"));
    let random = ports.random.then_some(", the source port picked at random");
    format!(
        "{}{}",
        range.unwrap_or_default(),
        random.unwrap_or_default()
    )
}

/// A source NAT's `ports` and `random` in explain's JSON, only when the
/// entry has them.
fn ports_json(json: &mut serde_json::Value, ports: &SourcePorts) {
    if let Some(range) = ports.range_text() {
        json["ports"] = range.into();
    }
    if ports.random {
        json["random"] = true.into();
    }
}

/// `ZONE`, `$FW`, `ZONE:ADDR`, `ZONE:IFACE[:ADDR]` or `ADDR`, as `--from`
/// and `--to` take them. IFACE names the interface the packet uses as a
/// rule's SOURCE or DEST does: by its name, its device, or a device a
/// wildcard stands for (`loc:tun0` of `tun+`).
pub fn parse_place(model: &Model, text: &str, argument: &'static str) -> Result<Place, String> {
    let zone_named = |name: &str| -> Result<ZoneId, String> {
        if name == "$FW" || name == model.firewall.zone {
            return Ok(ZoneId::Firewall);
        }
        model
            .zones
            .iter()
            .position(|z| z.name == name)
            .map(ZoneId::Zone)
            .ok_or_else(|| {
                let known: Vec<&str> = model.zones.iter().map(|z| z.name.as_str()).collect();
                format!(
                    "{argument}: unknown zone `{}` (zones: {}, $FW)",
                    quoted(name),
                    known.join(", ")
                )
            })
    };
    if let Ok(address) = text.parse::<IpAddr>() {
        return Ok(Place {
            zone: None,
            address: Some(address),
            interface: None,
            device: None,
        });
    }
    let address_of = |text: &str| {
        text.trim_matches(|c| c == '[' || c == ']')
            .parse::<IpAddr>()
            .map_err(|_| format!("{argument}: `{}` is not an address", quoted(text)))
    };
    match text.split_once(':') {
        Some((zone, rest)) if address_of(rest).is_err() => {
            let (name, address) = match rest.split_once(':') {
                Some((name, address)) => (name, Some(address_of(address)?)),
                None => (rest, None),
            };
            let (index, device) = interface::named(&model.interfaces, name).ok_or_else(|| {
                format!(
                    "{argument}: `{}` is neither an address nor an interface of the model",
                    quoted(rest)
                )
            })?;
            Ok(Place {
                zone: Some(zone_named(zone)?),
                address,
                interface: Some(index),
                device: device.map(str::to_owned),
            })
        }
        Some((zone, address)) => {
            let address = address_of(address)?;
            // `ens33:ADDRESS`: an address on an interface of no zone.
            let zoneless = model
                .interfaces
                .iter()
                .position(|i| i.zone.is_none() && i.name == zone);
            if let Some(index) = zoneless {
                return Ok(Place {
                    zone: None,
                    address: Some(address),
                    interface: Some(index),
                    device: None,
                });
            }
            Ok(Place {
                zone: Some(zone_named(zone)?),
                address: Some(address),
                interface: None,
                device: None,
            })
        }
        None => Ok(Place {
            zone: Some(zone_named(text)?),
            address: None,
            interface: None,
            device: None,
        }),
    }
}

/// Protocols as `--proto` takes them.
pub fn parse_protocol(text: &str) -> Result<Option<Protocol>, String> {
    if text.eq_ignore_ascii_case("all") {
        return Ok(None);
    }
    Protocol::parse(text).map(Some).ok_or_else(|| {
        format!(
            "--proto: unknown protocol `{}` (tcp, udp, icmp, icmpv6, all or 1-255)",
            quoted(text)
        )
    })
}

/// What made the rule a step met: its item; for a lookup, the item of the
/// element the packet found, or the set when it found none.
fn step_origin(model: &Model, step: &Step) -> String {
    let item = lower::describe(model, step.origin);
    match step.rule.lookup() {
        Some(lookup) if step.matched => format!("{item} (an element of set {})", lookup.name),
        Some(lookup) => format!(
            "set {}: {} elements, none holds the packet",
            lookup.name,
            lookup.elements.len()
        ),
        None => item,
    }
}
