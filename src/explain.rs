//! Explain: the verdict the model gives one new connection, and why,
//! computed from the model alone with no kernel. Both backends must agree
//! with it (the lab checks this with real packets).

use std::fmt::{self, Display, Formatter};
use std::net::IpAddr;

use crate::error::quoted;
use crate::model::rule::is_ipv6;
use crate::model::zone::applies_to;
use crate::model::{
    DecisionOrigin, Dnat, Interface, Model, PolicyAction, Protocol, Rule, Service, Verdict, ZoneId,
    ZoneRef,
};

/// One end of a connection: a zone, an address, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub zone: Option<ZoneId>,
    pub address: Option<IpAddr>,
}

/// A new connection to explain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query {
    pub from: Place,
    pub to: Place,
    /// `None` means a protocol no rule names.
    pub proto: Option<Protocol>,
    pub dport: Option<u16>,
    pub sport: Option<u16>,
    pub icmp_type: Option<u8>,
}

/// What decided a verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decider {
    /// Traffic of the firewall to itself.
    Loopback,
    /// The model has no IPv6 zone; all IPv6 is dropped.
    NoIpv6,
    /// An interface option (dhcp) accepted it before any rule.
    InterfaceOption {
        interface: String,
        option: &'static str,
    },
    /// A port forward's accept (line of the `[[dnat]]`).
    Dnat { line: usize },
    /// A rule (its line).
    Rule { line: usize },
    /// A policy (its line).
    Policy { line: usize },
    /// A zone's traffic to itself.
    IntraZone,
    /// ICMPv6 that IPv6 needs (RFC 4890), accepted before a DROP or REJECT.
    NeededIcmpv6,
    /// No zone pair claims the connection (end of INPUT, FORWARD or OUTPUT).
    CatchAll { hook: &'static str },
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
        line: usize,
    },
    Snat {
        to: IpAddr,
        interface: String,
        line: usize,
    },
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub verdict: Verdict,
    pub decided_by: Decider,
    pub source_zone: ZoneId,
    /// After DNAT.
    pub dest_zone: ZoneId,
    /// The nftables chain (and Shorewall chain) that decided, if any.
    pub chain: Option<String>,
    pub nat: Vec<Nat>,
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
    if let Some(i) = model
        .interfaces
        .iter()
        .find(|i| i.networks.iter().any(|n| n.contains(&address)))
    {
        return Some(ZoneId::Zone(i.zone));
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

fn zone_of(model: &Model, place: Place, argument: &'static str) -> Result<ZoneId, QueryError> {
    match (place.zone, place.address) {
        (Some(zone), _) => Ok(zone),
        (None, Some(address)) => place_or(model, address, argument),
        (None, None) => Err(QueryError::Empty { argument }),
    }
}

fn place_or(model: &Model, address: IpAddr, argument: &'static str) -> Result<ZoneId, QueryError> {
    place(model, address).ok_or(QueryError::Unplaced { argument, address })
}

/// The interface a zone's traffic uses for an address: the one whose
/// networks hold it, else the zone's first interface.
fn interface_for(model: &Model, zone: ZoneId, address: Option<IpAddr>) -> Option<&Interface> {
    let ZoneId::Zone(index) = zone else {
        return None;
    };
    let mut interfaces = model.interfaces_of(index);
    let first = model.interfaces_of(index).next();
    address
        .and_then(|a| interfaces.find(|i| i.networks.iter().any(|n| n.contains(&a))))
        .or(first)
}

struct Packet {
    ipv6: bool,
    saddr: Option<IpAddr>,
    daddr: Option<IpAddr>,
    proto: Option<Protocol>,
    dport: Option<u16>,
    original_dport: Option<u16>,
    sport: Option<u16>,
    icmp_type: Option<u8>,
}

pub fn explain(model: &Model, query: &Query) -> Result<Explanation, QueryError> {
    let family = query_family(query)?;
    let source = zone_of(model, query.from, "--from")?;
    let mut dest = zone_of(model, query.to, "--to")?;
    let ipv6 = family.unwrap_or_else(|| {
        !(model.zone_family(source).has_ipv4() && model.zone_family(dest).has_ipv4())
    });
    let mut packet = Packet {
        ipv6,
        saddr: query.from.address,
        daddr: query.to.address,
        proto: query.proto,
        dport: query.dport,
        original_dport: query.dport,
        sport: query.sport,
        icmp_type: query.icmp_type,
    };
    let mut nat = Vec::new();
    let answer = |verdict, decided_by, dest, chain: Option<String>, nat: Vec<Nat>| Explanation {
        verdict,
        decided_by,
        source_zone: source,
        dest_zone: dest,
        chain,
        nat,
    };
    if source == ZoneId::Firewall && dest == ZoneId::Firewall {
        return Ok(answer(Verdict::Accept, Decider::Loopback, dest, None, nat));
    }
    if ipv6 && !model.has_family(true) {
        return Ok(answer(Verdict::Drop, Decider::NoIpv6, dest, None, nat));
    }
    if let Some(dnat) = matching_dnat(model, source, &packet) {
        nat.push(Nat::Dnat {
            to: dnat.to,
            port: dnat.to_port,
            line: dnat.line,
        });
        packet.daddr = Some(dnat.to);
        packet.dport = packet.dport.map(|p| dnat.target_port(p));
        dest = ZoneId::Zone(dnat.dest);
    }
    let (verdict, decided_by, chain) = filter(model, source, dest, &packet);
    if verdict == Verdict::Accept && dest != ZoneId::Firewall {
        nat.extend(source_nat(model, dest, &packet));
    }
    Ok(answer(verdict, decided_by, dest, chain, nat))
}

fn matching_dnat<'a>(model: &'a Model, source: ZoneId, packet: &Packet) -> Option<&'a Dnat> {
    if source == ZoneId::Firewall {
        return None;
    }
    model.dnats.iter().find(|d| {
        d.source.zone.matches(source)
            && d.is_ipv6() == packet.ipv6
            && packet.proto == Some(d.proto)
            && packet
                .dport
                .is_some_and(|p| d.dports.iter().any(|r| r.contains(p)))
            && addresses_match(&d.source.addresses, packet.saddr, packet.ipv6)
    })
}

/// A rule narrowed to addresses matches a known address inside them.
fn addresses_match(addresses: &[ipnet::IpNet], address: Option<IpAddr>, ipv6: bool) -> bool {
    if addresses.is_empty() {
        return true;
    }
    let of_family: Vec<_> = addresses.iter().filter(|a| is_ipv6(a) == ipv6).collect();
    address.is_some_and(|address| of_family.iter().any(|net| net.contains(&address)))
}

fn hook(source: ZoneId, dest: ZoneId) -> &'static str {
    match (source, dest) {
        (_, ZoneId::Firewall) => "INPUT",
        (ZoneId::Firewall, _) => "OUTPUT",
        _ => "FORWARD",
    }
}

/// ICMPv6 types Shorewall6's AllowICMPs accepts, and those it accepts
/// from link-local sources only.
const NEEDED_ICMPV6: &[u8] = &[1, 2, 3, 4, 133, 134, 135, 136, 137, 141, 142, 148, 149];
const LINK_LOCAL_ICMPV6: &[u8] = &[130, 131, 132, 143, 151, 152, 153];

fn needed_icmpv6(packet: &Packet) -> bool {
    let link_local = packet.saddr.is_some_and(|a| match a {
        IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80,
        IpAddr::V4(_) => false,
    });
    packet.ipv6
        && packet.proto == Some(Protocol::Icmpv6)
        && packet.icmp_type.is_some_and(|t| {
            NEEDED_ICMPV6.contains(&t) || (link_local && LINK_LOCAL_ICMPV6.contains(&t))
        })
}

fn filter(
    model: &Model,
    source: ZoneId,
    dest: ZoneId,
    packet: &Packet,
) -> (Verdict, Decider, Option<String>) {
    let (verdict, decider, chain) = filter_chains(model, source, dest, packet);
    let refused =
        verdict != Verdict::Accept && !matches!(decider, Decider::Rule { .. } | Decider::NoIpv6);
    if refused && model.has_family(true) && needed_icmpv6(packet) {
        return (Verdict::Accept, Decider::NeededIcmpv6, chain);
    }
    (verdict, decider, chain)
}

fn filter_chains(
    model: &Model,
    source: ZoneId,
    dest: ZoneId,
    packet: &Packet,
) -> (Verdict, Decider, Option<String>) {
    let hook = hook(source, dest);
    let ingress = interface_for(model, source, packet.saddr);
    let egress = interface_for(model, dest, packet.daddr);
    if let Some(accepted) = dhcp_option(hook, ingress, egress, packet) {
        return (Verdict::Accept, accepted, None);
    }
    let catch_all = (Verdict::Reject, Decider::CatchAll { hook }, None);
    let carried = |zone: ZoneId| {
        model.zone_family(zone).has(packet.ipv6)
            && (zone == ZoneId::Firewall || interface_for(model, zone, None).is_some())
    };
    if !carried(source) || !carried(dest) {
        return catch_all;
    }
    if source == dest {
        let same_link = ingress.map(|i| &i.physical) == egress.map(|i| &i.physical);
        if same_link && !ingress.is_some_and(Interface::routeback) {
            return catch_all;
        }
    }
    let chain = model.pair_name(source, dest);
    if let Some((verdict, decider)) = pair_rules(model, source, dest, packet) {
        return (verdict, decider, Some(chain));
    }
    let Some(decision) = model.matrix.get(source, dest) else {
        return catch_all;
    };
    let verdict = match decision.action {
        PolicyAction::Accept => Verdict::Accept,
        PolicyAction::Drop => Verdict::Drop,
        PolicyAction::Reject => Verdict::Reject,
        PolicyAction::Continue => return catch_all,
    };
    let decider = match decision.origin {
        DecisionOrigin::IntraZone => Decider::IntraZone,
        DecisionOrigin::Policy(index) => Decider::Policy {
            line: model.policies[index].line,
        },
    };
    (verdict, decider, Some(chain))
}

fn dhcp_option(
    hook: &str,
    ingress: Option<&Interface>,
    egress: Option<&Interface>,
    packet: &Packet,
) -> Option<Decider> {
    let ports = if packet.ipv6 { 546..=547 } else { 67..=68 };
    let dhcp_port =
        packet.proto == Some(Protocol::Udp) && packet.dport.is_some_and(|p| ports.contains(&p));
    if !dhcp_port {
        return None;
    }
    let interface = match hook {
        "INPUT" => ingress.filter(|i| i.dhcp()),
        "OUTPUT" => egress.filter(|i| i.dhcp()),
        _ => ingress.filter(|i| {
            i.dhcp() && i.routeback() && egress.map(|e| &e.physical) == Some(&i.physical)
        }),
    }?;
    Some(Decider::InterfaceOption {
        interface: interface.physical.clone(),
        option: "dhcp",
    })
}

fn pair_rules(
    model: &Model,
    source: ZoneId,
    dest: ZoneId,
    packet: &Packet,
) -> Option<(Verdict, Decider)> {
    for dnat in &model.dnats {
        if applies_to(
            dnat.source.zone,
            ZoneRef::One(ZoneId::Zone(dnat.dest)),
            (source, dest),
        ) && dnat_accepts(dnat, packet)
        {
            return Some((Verdict::Accept, Decider::Dnat { line: dnat.line }));
        }
    }
    model
        .rules
        .iter()
        .filter(|r| !r.is_invalid_match() && applies_to(r.source.zone, r.dest.zone, (source, dest)))
        .find(|r| rule_matches(model, r, (source, dest), packet))
        .map(|r| (r.verdict, Decider::Rule { line: r.line }))
}

/// The filter accept a port forward adds (see the nftables backend).
fn dnat_accepts(dnat: &Dnat, packet: &Packet) -> bool {
    let ports_ok = match dnat.to_port {
        Some(port) => {
            packet.dport == Some(port)
                && packet
                    .original_dport
                    .is_some_and(|p| dnat.dports.iter().any(|r| r.contains(p)))
        }
        None => packet
            .dport
            .is_some_and(|p| dnat.dports.iter().any(|r| r.contains(p))),
    };
    dnat.is_ipv6() == packet.ipv6
        && packet.daddr == Some(dnat.to)
        && packet.proto == Some(dnat.proto)
        && ports_ok
        && addresses_match(&dnat.source.addresses, packet.saddr, packet.ipv6)
}

fn rule_matches(model: &Model, rule: &Rule, pair: (ZoneId, ZoneId), packet: &Packet) -> bool {
    let pair_carries =
        model.zone_family(pair.0).has(packet.ipv6) && model.zone_family(pair.1).has(packet.ipv6);
    pair_carries
        && rule.allows_family(packet.ipv6)
        && addresses_match(&rule.source.addresses, packet.saddr, packet.ipv6)
        && addresses_match(&rule.dest.addresses, packet.daddr, packet.ipv6)
        && (rule.services.is_empty() || rule.services.iter().any(|s| service_matches(s, packet)))
}

fn service_matches(service: &Service, packet: &Packet) -> bool {
    let Some(proto) = packet.proto else {
        return false;
    };
    let in_ports = |ranges: &[crate::model::PortRange], port: Option<u16>| {
        ranges.is_empty() || port.is_some_and(|p| ranges.iter().any(|r| r.contains(p)))
    };
    service.proto == proto
        && service.proto.only_ipv6().is_none_or(|v6| v6 == packet.ipv6)
        && in_ports(&service.dports, packet.dport)
        && in_ports(&service.sports, packet.sport)
        && service
            .icmp_type
            .is_none_or(|t| packet.icmp_type == Some(t.number))
}

fn source_nat(model: &Model, dest: ZoneId, packet: &Packet) -> Option<Nat> {
    let egress = interface_for(model, dest, packet.daddr)?;
    let index = model
        .interfaces
        .iter()
        .position(|i| std::ptr::eq(i, egress))?;
    model
        .snats
        .iter()
        .filter(|s| s.interface == index)
        .find(|s| {
            let family_ok = model.snat_is_ipv6(s) == packet.ipv6;
            family_ok
                && (s.sources.is_empty()
                    || packet
                        .saddr
                        .is_some_and(|a| s.sources.iter().any(|n| n.contains(&a))))
        })
        .map(|s| match s.to {
            Some(to) => Nat::Snat {
                to,
                interface: egress.physical.clone(),
                line: s.line,
            },
            None => Nat::Masquerade {
                interface: egress.physical.clone(),
                line: s.line,
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
            model.zone_name(self.source_zone),
            model.zone_name(self.dest_zone)
        );
        match &self.chain {
            Some(chain) => out.push_str(&format!("path: {path} (chain {chain})\n")),
            None => out.push_str(&format!("path: {path}\n")),
        }
        if self.nat.is_empty() {
            out.push_str("nat: none\n");
        }
        for nat in &self.nat {
            out.push_str(&format!("nat: {}\n", nat_text(model, nat)));
        }
        out
    }

    fn decider_text(&self, model: &Model) -> String {
        let file = &model.source_name;
        match &self.decided_by {
            Decider::Loopback => {
                "the firewall's traffic to itself (loopback) is always accepted".to_owned()
            }
            Decider::NoIpv6 => "the model has no IPv6 zone: all IPv6 is dropped".to_owned(),
            Decider::InterfaceOption { interface, option } => {
                format!("the `{option}` option of interface {interface}")
            }
            Decider::Dnat { line } => format!("the port forward at {file}:{line}"),
            Decider::Rule { line } => format!("the rule at {file}:{line}"),
            Decider::Policy { line } => format!("the policy at {file}:{line}"),
            Decider::IntraZone => "the implicit ACCEPT of a zone's traffic to itself".to_owned(),
            Decider::NeededIcmpv6 => {
                "ICMPv6 that IPv6 needs (RFC 4890) passes before a DROP or REJECT".to_owned()
            }
            Decider::CatchAll { hook } => format!(
                "no zone pair claims it: the end of {hook} rejects (logged {}:{hook}:REJECT:)",
                model.firewall.log_prefix
            ),
        }
    }

    /// The explanation as one JSON object.
    pub fn json(&self, model: &Model) -> serde_json::Value {
        let (kind, line) = match &self.decided_by {
            Decider::Loopback => ("loopback", None),
            Decider::NoIpv6 => ("no-ipv6", None),
            Decider::InterfaceOption { .. } => ("interface-option", None),
            Decider::Dnat { line } => ("dnat", Some(*line)),
            Decider::Rule { line } => ("rule", Some(*line)),
            Decider::Policy { line } => ("policy", Some(*line)),
            Decider::IntraZone => ("intra-zone", None),
            Decider::NeededIcmpv6 => ("needed-icmpv6", None),
            Decider::CatchAll { .. } => ("catch-all", None),
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
            "source_zone": model.zone_name(self.source_zone),
            "dest_zone": model.zone_name(self.dest_zone),
            "chain": self.chain,
            "nat": nat,
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
        Nat::Masquerade { interface, line } => {
            format!("masquerade to the address of {interface} ({file}:{line})")
        }
        Nat::Snat {
            to,
            interface,
            line,
        } => format!("SNAT to {to} on {interface} ({file}:{line})"),
    }
}

fn nat_json(nat: &Nat) -> serde_json::Value {
    match nat {
        Nat::Dnat { to, port, line } => {
            serde_json::json!({"kind": "dnat", "to": to.to_string(), "port": port, "line": line})
        }
        Nat::Masquerade { interface, line } => {
            serde_json::json!({"kind": "masquerade", "interface": interface, "line": line})
        }
        Nat::Snat {
            to,
            interface,
            line,
        } => {
            serde_json::json!({"kind": "snat", "to": to.to_string(), "interface": interface, "line": line})
        }
    }
}

/// `ZONE`, `$FW`, `ZONE:ADDR` or `ADDR`, as `--from` and `--to` take them.
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
        });
    }
    match text.split_once(':') {
        Some((zone, address)) => {
            let address = address
                .trim_matches(|c| c == '[' || c == ']')
                .parse::<IpAddr>()
                .map_err(|_| format!("{argument}: `{}` is not an address", quoted(address)))?;
            Ok(Place {
                zone: Some(zone_named(zone)?),
                address: Some(address),
            })
        }
        None => Ok(Place {
            zone: Some(zone_named(text)?),
            address: None,
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
            "--proto: unknown protocol `{}` (tcp, udp, icmp, icmpv6 or 0-255)",
            quoted(text)
        )
    })
}
