//! The contest: the same probes against Shorewall's compiled firewall, the
//! nftables ruleset and `fwgen explain`; every disagreement is reported.

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;

use crate::backend::Backend;
use crate::explain::{Explanation, Nat, Place, Query, explain, explain_in};
use crate::model::{Interface, InterfaceOption, Model, Protocol, Verdict, ZoneId, ZoneRef};

use super::Result;
use super::probe::{self, Listeners, Outcome, SourcePort};
use super::sys::{self, run};
use super::topology::{Host, Topology, link_name, representative};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Tcp(u16),
    Udp(u16),
    Ping,
    /// A DHCP lease from dnsmasq on the firewall, through the firewall.
    Dhcp,
}

/// One new connection to try.
#[derive(Debug, Clone)]
pub struct Probe {
    pub from: String,
    pub from_netns: String,
    pub from_zone: Option<ZoneId>,
    pub source: IpAddr,
    pub to: String,
    pub to_zone: Option<ZoneId>,
    pub dest: IpAddr,
    pub kind: Kind,
    /// The model interfaces the two hosts sit behind (`None`: the firewall).
    pub interfaces: (Option<usize>, Option<usize>),
    /// A fixed source port (a port forward's SPORT); `None` is any.
    pub sport: Option<u16>,
    /// The MAC address the firewall sees the probe come from, where the
    /// lab gave the sender one.
    pub source_mac: Option<crate::model::Mac>,
}

impl Probe {
    /// `tcp 22`, `udp 53`, `ping` or `dhcp lease`.
    pub fn kind_text(&self) -> String {
        match self.kind {
            Kind::Tcp(port) => format!("tcp {port}"),
            Kind::Udp(port) => format!("udp {port}"),
            Kind::Ping => "ping".to_owned(),
            Kind::Dhcp => "dhcp lease".to_owned(),
        }
    }

    pub fn describe(&self) -> String {
        let sport = self
            .sport
            .map(|port| format!(" sport {port}"))
            .unwrap_or_default();
        format!(
            "{} {} -> {} {} {}{sport}",
            self.from,
            self.source,
            self.to,
            self.dest,
            self.kind_text()
        )
    }
}

/// Which firewalls take part.
#[derive(Debug, Clone)]
pub enum Contestant {
    /// fwgen's Shorewall files, compiled by Shorewall (and Shorewall6).
    Shorewall,
    /// An original Shorewall configuration directory (the one the model
    /// was imported from), compiled by Shorewall itself as it is, and
    /// beside it the Shorewall6 directory when there is one.
    ShorewallDir {
        ipv4: std::path::PathBuf,
        ipv6: Option<std::path::PathBuf>,
    },
    /// The nftables ruleset, possibly altered by a test.
    Nftables(String),
    /// fwgen's Shorewall files compiled by Shorewall, started, then
    /// stopped (src/verify/stopped.rs).
    ShorewallStopped,
    /// An original Shorewall directory (and its Shorewall6 one), compiled
    /// by Shorewall as it is, started, then stopped: its stoppedrules (a
    /// legacy routestopped once `shorewall update` has converted it)
    /// against fwgen's stopped ruleset.
    ShorewallDirStopped {
        ipv4: std::path::PathBuf,
        ipv6: Option<std::path::PathBuf>,
    },
}

impl Contestant {
    /// An original directory and, when it is named `shorewall` and a
    /// `shorewall6` directory stands beside it, that one too.
    pub fn original(dir: &Path) -> Contestant {
        let ipv6 = (dir.file_name().is_some_and(|n| n == "shorewall"))
            .then(|| dir.with_file_name("shorewall6"))
            .filter(|six| six.is_dir());
        Contestant::ShorewallDir {
            ipv4: dir.to_path_buf(),
            ipv6,
        }
    }

    /// Whether this firewall decides the probe's family: an original
    /// Shorewall directory without its Shorewall6 one says nothing about
    /// IPv6.
    pub fn covers(&self, probe: &Probe) -> bool {
        match self {
            Contestant::ShorewallDir { ipv6: None, .. }
            | Contestant::ShorewallDirStopped { ipv6: None, .. } => !probe.dest.is_ipv6(),
            _ => true,
        }
    }
}

/// Every port a probe uses: the model's ports (rules, blacklist entries,
/// port forwards, source NAT entries, conntrack entries), a few common ones, and the first port from 7777 up that
/// none of them names.
pub fn ports(model: &Model) -> Vec<u16> {
    let mut named: BTreeSet<u16> = BTreeSet::new();
    for rule in model.rules.iter().chain(&model.blacklist) {
        for service in &rule.services {
            for range in &service.dports {
                named.insert(range.low);
                named.insert(range.high);
            }
        }
    }
    for dnat in &model.dnats {
        for range in &dnat.dports {
            named.insert(range.low);
            named.insert(range.high);
        }
        named.extend(dnat.to_port);
    }
    for redirect in &model.redirects {
        for range in &redirect.dports {
            named.insert(range.low);
            named.insert(range.high);
        }
        named.insert(redirect.to_port);
    }
    for range in model.snats.iter().flat_map(|s| &s.dports) {
        named.insert(range.low);
        named.insert(range.high);
    }
    for tunnel in &model.tunnels {
        for opening in tunnel.openings() {
            for range in opening.dports.iter().chain(&opening.sports) {
                named.insert(range.low);
                named.insert(range.high);
            }
        }
    }
    // `[[conntrack]]` entries: whether the packet is tracked decides how
    // the rules meet it.
    for service in model.conntrack.iter().flat_map(|c| &c.services) {
        for range in service.dports.iter().chain(&service.sports) {
            named.insert(range.low);
            named.insert(range.high);
        }
    }
    let unnamed = (7777..=u16::MAX).find(|port| !names_port(model, *port));
    let mut ports = named;
    ports.extend([22, 53, 80]);
    ports.extend(unnamed);
    ports.retain(|p| !(67..=68).contains(p));
    // DHCPv6 (`dhcp` for IPv6 opens it, to the firewall and from it): the
    // lab sends plain UDP to the client's and the server's port.
    if model.has_family(true) && model.interfaces.iter().any(Interface::dhcp) {
        ports.extend([546, 547]);
    }
    ports.into_iter().collect()
}

/// Whether a rule's or a port forward's port range holds `port`.
fn names_port(model: &Model, port: u16) -> bool {
    let holds = |range: &crate::model::PortRange| range.low <= port && port <= range.high;
    model
        .rules
        .iter()
        .chain(&model.blacklist)
        .flat_map(|r| &r.services)
        .any(|s| s.dports.iter().any(holds))
        || model
            .dnats
            .iter()
            .any(|d| d.dports.iter().any(holds) || d.to_port == Some(port))
        || model
            .redirects
            .iter()
            .any(|r| r.dports.iter().any(holds) || r.to_port == port)
        || model.snats.iter().any(|s| s.dports.iter().any(holds))
        || model
            .conntrack
            .iter()
            .flat_map(|c| &c.services)
            .any(|s| s.dports.iter().chain(&s.sports).any(holds))
        || model.tunnels.iter().any(|t| {
            t.openings()
                .iter()
                .any(|o| o.dports.iter().chain(&o.sports).any(holds))
        })
}

/// Why the lab sends nothing from `from` to `to`, if it sends nothing:
/// two hosts of one zone on one interface's link (a bridge's) without
/// `routeback`, which reach each other without the firewall. Hosts of two
/// zones on one interface, and a hosts entry's host (which sends
/// everything by the firewall), are probed: the firewall drops what would
/// leave by the interface it came in on unless `routeback` (or
/// `routefilter`) lifts it (Shorewall's sfilter).
fn unprobed(model: &Model, from: &Host, to: &Host) -> Option<String> {
    let (Some(a), Some(b)) = (from.interface, to.interface) else {
        return None;
    };
    if a != b || from.router.is_some() || to.router.is_some() {
        return None;
    }
    if model.interfaces[a].routeback_any() || from.zone != to.zone {
        return None;
    }
    let interface = &model.interfaces[a].physical;
    let reason = format!("both behind {interface}, which has no routeback");
    Some(format!("{} -> {}: {reason}", from.label, to.label))
}
fn kinds(ports: &[u16]) -> Vec<Kind> {
    let mut kinds: Vec<Kind> = ports.iter().map(|&p| Kind::Tcp(p)).collect();
    kinds.extend(ports.iter().map(|&p| Kind::Udp(p)));
    kinds.push(Kind::Ping);
    kinds
}

/// Every probe between two hosts, then through every port forward, and
/// the pairs of hosts the lab leaves unprobed, each with the reason.
pub fn probes(model: &Model, topology: &Topology) -> (Vec<Probe>, Vec<String>) {
    let ports = ports(model);
    let hosts = topology.all_hosts();
    let mut probes = Vec::new();
    let mut skipped = Vec::new();
    for from in &hosts {
        for to in &hosts {
            let both_fw = from.zone == Some(ZoneId::Firewall) && to.zone == Some(ZoneId::Firewall);
            if from.label == to.label || both_fw {
                continue;
            }
            if let Some(reason) = unprobed(model, from, to) {
                skipped.push(reason);
                continue;
            }
            for ipv6 in [false, true] {
                let Some((sources, dest)) = ends(topology, from, to, ipv6) else {
                    continue;
                };
                for source in sources {
                    for kind in kinds(&ports) {
                        probes.push(probe(from, to, source, dest, kind));
                    }
                }
            }
        }
    }
    probes.extend(dnat_probes(model, topology));
    probes.extend(one_to_one_probes(model, topology));
    probes.extend(redirect_origdest_probes(model, topology));
    probes.extend(second_address_probes(topology, &ports));
    probes.extend(named_dest_probes(model, topology, &ports));
    probes.extend(loopback_probes(topology, &ports));
    (with_source_ports(model, &ports, probes), skipped)
}

/// From the firewall to itself, in each family it has an address of in
/// the lab: TCP to every port the lab listens on and ping, to the
/// loopback address (127.0.0.1, ::1) from it, and to the firewall's first
/// address of the family from that address. The kernel sends both out by
/// `lo` and back in by it; a firewall that filters its traffic to itself
/// (Shorewall's fw-fw chain) decides them, and a port forward from the
/// firewall may send them elsewhere.
fn loopback_probes(topology: &Topology, ports: &[u16]) -> Vec<Probe> {
    let firewall = &topology.firewall;
    let mut probes = Vec::new();
    for ipv6 in [false, true] {
        let Some(own) = firewall.addresses.iter().find(|a| a.is_ipv6() == ipv6) else {
            continue;
        };
        let loopback = if ipv6 {
            IpAddr::from(std::net::Ipv6Addr::LOCALHOST)
        } else {
            IpAddr::from(std::net::Ipv4Addr::LOCALHOST)
        };
        for address in [loopback, *own] {
            let kinds = ports.iter().map(|&port| Kind::Tcp(port));
            for kind in kinds.chain([Kind::Ping]) {
                probes.push(probe(firewall, firewall, address, address, kind));
            }
        }
    }
    probes
}

/// Every source port range the model names (rules, blacklist entries,
/// port forwards, redirects, tunnels).
fn named_sports(model: &Model) -> Vec<crate::model::PortRange> {
    let services = model.rules.iter().chain(&model.blacklist);
    let mut ranges: Vec<crate::model::PortRange> = services
        .flat_map(|r| &r.services)
        .flat_map(|s| s.sports.iter().copied())
        .collect();
    ranges.extend(model.dnats.iter().flat_map(|d| d.sports.iter().copied()));
    ranges.extend(
        model
            .redirects
            .iter()
            .flat_map(|r| r.sports.iter().copied()),
    );
    for tunnel in &model.tunnels {
        ranges.extend(tunnel.openings().iter().flat_map(|o| o.sports.clone()));
    }
    ranges
}

/// The source ports of a TCP or UDP probe when the model names any: one
/// no range names, and one inside each range, none a port the lab listens
/// on. A probe from an ephemeral port would be one explain cannot know.
fn matrix_sports(model: &Model, listened: &[u16]) -> Vec<u16> {
    let ranges = named_sports(model);
    if ranges.is_empty() {
        return Vec::new();
    }
    let free = |port: &u16| !listened.contains(port);
    let outside = (40000..=u16::MAX)
        .chain(1024..40000)
        .chain(1..1024)
        .find(|p| free(p) && !ranges.iter().any(|r| r.contains(*p)));
    let mut sports: Vec<u16> = outside.into_iter().collect();
    for range in &ranges {
        if let Some(inside) = (range.low..=range.high).find(free)
            && !sports.contains(&inside)
        {
            sports.push(inside);
        }
    }
    sports
}

/// Each TCP and UDP probe with no fixed source port, once from each of
/// [`matrix_sports`]; a probe sent twice (the matrix's and a port
/// forward's) is kept once.
fn with_source_ports(model: &Model, listened: &[u16], probes: Vec<Probe>) -> Vec<Probe> {
    let sports = matrix_sports(model, listened);
    let mut sent = std::collections::HashSet::new();
    let mut out: Vec<Probe> = Vec::new();
    for probe in probes {
        let transport = matches!(probe.kind, Kind::Tcp(_) | Kind::Udp(_));
        let variants: Vec<Probe> = if transport && probe.sport.is_none() && !sports.is_empty() {
            sports
                .iter()
                .map(|&port| Probe {
                    sport: Some(port),
                    ..probe.clone()
                })
                .collect()
        } else {
            vec![probe]
        };
        for variant in variants {
            let key = (
                variant.from_netns.clone(),
                variant.source,
                variant.dest,
                variant.kind,
                variant.sport,
            );
            if sent.insert(key) {
                out.push(variant);
            }
        }
    }
    out
}

/// Probes to each one-to-one NAT's external address (the hosts route it
/// through the firewall) from the hosts whose link it translates on (every
/// host's, with `all_interfaces`). The firewall's own (LOCAL) are not
/// probed: the firewall has no address to send them from that the lab
/// could tell apart from its own traffic.
fn one_to_one_probes(model: &Model, topology: &Topology) -> Vec<Probe> {
    let ports = ports(model);
    let mut probes = Vec::new();
    for nat in &model.one_to_one {
        let hosts = topology
            .hosts
            .iter()
            .filter(|h| nat.all_interfaces || h.interface == Some(nat.interface));
        for host in hosts {
            let sources = host
                .addresses
                .iter()
                .chain(&host.extra)
                .filter(|a| a.is_ipv4())
                .copied();
            for source in sources {
                for kind in kinds(&ports) {
                    probes.push(probe(host, &topology.firewall, source, nat.external, kind));
                }
            }
        }
    }
    probes
}

fn probe(from: &Host, to: &Host, source: IpAddr, dest: IpAddr, kind: Kind) -> Probe {
    Probe {
        from: from.label.clone(),
        from_netns: from.netns.clone(),
        from_zone: from.zone,
        source,
        to: to.label.clone(),
        to_zone: to.zone,
        dest,
        kind,
        interfaces: (from.interface, to.interface),
        sport: None,
        source_mac: from.mac,
    }
}

/// Source addresses and the destination address between two hosts.
fn ends(topology: &Topology, from: &Host, to: &Host, ipv6: bool) -> Option<(Vec<IpAddr>, IpAddr)> {
    let family = |a: &&IpAddr| a.is_ipv6() == ipv6;
    let sources: Vec<IpAddr> = if from.zone == Some(ZoneId::Firewall) {
        vec![topology.firewall_address_towards(to, ipv6)?]
    } else {
        from.addresses
            .iter()
            .chain(&from.extra)
            .filter(family)
            .copied()
            .collect()
    };
    let dest = if to.zone == Some(ZoneId::Firewall) {
        topology.firewall_address_towards(from, ipv6)?
    } else {
        *to.addresses.iter().find(family)?
    };
    (!sources.is_empty()).then_some((sources, dest))
}

fn dnat_probes(model: &Model, topology: &Topology) -> Vec<Probe> {
    let mut probes = Vec::new();
    for dnat in &model.dnats {
        for host in topology
            .hosts
            .iter()
            .filter(|h| h.zone.is_some_and(|z| dnat.source.zone.matches(z)))
        {
            let ipv6 = dnat.is_ipv6();
            let Some(primary) = topology.firewall_address_towards(host, ipv6) else {
                continue;
            };
            // With ORIGDEST, the firewall's primary address (not forwarded
            // unless named) and each ORIGDEST address.
            let mut dests = vec![primary];
            for net in dnat.origdest.networks() {
                let address = super::topology::origdest_address(net);
                if !dests.contains(&address) {
                    dests.push(address);
                }
            }
            let sources = host
                .addresses
                .iter()
                .chain(&host.extra)
                .filter(|a| a.is_ipv6() == ipv6);
            for &source in sources {
                let mut ports: BTreeSet<u16> = BTreeSet::new();
                for range in &dnat.dports {
                    ports.insert(range.low);
                    ports.insert(range.high);
                }
                for port in ports {
                    let kind = if dnat.proto == Protocol::Tcp {
                        Kind::Tcp(port)
                    } else {
                        Kind::Udp(port)
                    };
                    for sport in probe_sports(&dnat.sports) {
                        for &dest in &dests {
                            let probe = probe(host, &topology.firewall, source, dest, kind);
                            probes.push(Probe { sport, ..probe });
                        }
                    }
                }
            }
        }
    }
    probes
}

/// A redirect with ORIGDEST: from each host it redirects, to each
/// ORIGDEST address (a host's in the lab when a rule names it, else
/// nobody's), on each end of its port ranges: redirected there, not to the
/// primary addresses the matrix probes.
fn redirect_origdest_probes(model: &Model, topology: &Topology) -> Vec<Probe> {
    let mut probes = Vec::new();
    for redirect in model.redirects.iter().filter(|r| !r.origdest.is_empty()) {
        let dests: Vec<IpAddr> = redirect
            .origdest
            .networks()
            .map(super::topology::origdest_address)
            .collect();
        let from = topology
            .hosts
            .iter()
            .filter(|h| h.zone.is_some_and(|z| redirect.redirects_from(z)));
        for host in from {
            let sources = host.addresses.iter().chain(&host.extra);
            for &source in sources.filter(|a| a.is_ipv6() == dests[0].is_ipv6()) {
                for range in &redirect.dports {
                    let kind = |port| match redirect.proto {
                        Protocol::Tcp => Kind::Tcp(port),
                        _ => Kind::Udp(port),
                    };
                    for &dest in &dests {
                        let to = topology
                            .hosts
                            .iter()
                            .find(|h| h.addresses.contains(&dest) || h.extra.contains(&dest))
                            .unwrap_or(&topology.firewall);
                        for port in [range.low, range.high] {
                            probes.push(probe(host, to, source, dest, kind(port)));
                        }
                    }
                }
            }
        }
    }
    probes.dedup_by(|a, b| {
        (&a.from, a.source, a.dest, a.kind) == (&b.from, b.source, b.dest, b.kind)
    });
    probes
}

/// To the second address a `&IFACE` interface gets in the lab, from every
/// host behind that link: `&IFACE` is the first address only.
fn second_address_probes(topology: &Topology, ports: &[u16]) -> Vec<Probe> {
    let mut probes = Vec::new();
    for host in &topology.hosts {
        let Some(link) = host.interface.and_then(|i| topology.links.get(i)) else {
            continue;
        };
        // The second addresses the lab gave `&IFACE` interfaces (ORIGDEST
        // addresses on the link have probes of their own).
        let seconds = link
            .firewall
            .iter()
            .filter(|a| topology.firewall.extra.contains(a));
        for &dest in seconds {
            let sources = host.addresses.iter().chain(&host.extra);
            for &source in sources.filter(|a| !a.is_ipv6()) {
                for kind in kinds(ports) {
                    probes.push(probe(host, &topology.firewall, source, dest, kind));
                }
            }
        }
    }
    probes
}

/// To each address the lab gave a host because an entry names it as a
/// destination: a rule's or blacklist entry's DEST addresses (taken in or
/// left out, an ipset's members), and each tunnel's gateways, the way out
/// of a tunnel (`fw-zone`). From the first address of that family of each
/// host of the entry's source zones (the firewall's address towards the
/// host, for `$FW`): the matrix probes only each host's first address,
/// which these entries may not name, so without these they would never be
/// met where they match.
fn named_dest_probes(model: &Model, topology: &Topology, ports: &[u16]) -> Vec<Probe> {
    // Each entry's source zones, the source addresses it names, and the
    // destination address.
    let mut wanted: Vec<(ZoneRef, Vec<IpAddr>, IpAddr)> = Vec::new();
    for entry in model.rules.iter().chain(&model.blacklist) {
        if !matches!(entry.dest.zone, ZoneRef::One(ZoneId::Zone(_))) {
            continue;
        }
        let members = entry
            .dest
            .ipset
            .iter()
            .flat_map(|set| &model.ipsets[set.index].elements);
        let named = entry.dest.addresses.iter().chain(&entry.dest.excluded);
        let sources: Vec<IpAddr> = entry.source.addresses.iter().map(representative).collect();
        for net in named.chain(members) {
            wanted.push((entry.source.zone, sources.clone(), representative(net)));
        }
    }
    for tunnel in &model.tunnels {
        let firewall = ZoneRef::One(ZoneId::Firewall);
        let gateways = tunnel.gateways.iter().map(representative);
        wanted.extend(gateways.map(|g| (firewall, Vec::new(), g)));
    }
    let mut probes = Vec::new();
    let mut seen: BTreeSet<(String, IpAddr, IpAddr)> = BTreeSet::new();
    for (zones, named_sources, dest) in wanted {
        // The host the lab gave the address (the first entry naming it
        // placed it, in its own zone).
        let Some(to) = topology.hosts.iter().find(|h| h.extra.contains(&dest)) else {
            continue;
        };
        let ipv6 = dest.is_ipv6();
        for from in topology.all_hosts() {
            let from_source = from.zone.is_some_and(|zone| zones.matches(zone));
            if !from_source || from.label == to.label || unprobed(model, from, to).is_some() {
                continue;
            }
            // Its first address, and the addresses the entry names as
            // its source that the lab gave this host.
            let sources: Vec<IpAddr> = if from.zone == Some(ZoneId::Firewall) {
                topology
                    .firewall_address_towards(to, ipv6)
                    .into_iter()
                    .collect()
            } else {
                let first = from.addresses.iter().find(|a| a.is_ipv6() == ipv6);
                let named = from.extra.iter().filter(|a| named_sources.contains(a));
                first.into_iter().chain(named).copied().collect()
            };
            for source in sources {
                if !seen.insert((from.label.clone(), source, dest)) {
                    continue;
                }
                for kind in kinds(ports) {
                    probes.push(probe(from, to, source, dest, kind));
                }
            }
        }
    }
    probes
}

/// The source ports a port forward's probes use: any, or (with SPORT) one
/// it names and one it does not.
fn probe_sports(sports: &[crate::model::PortRange]) -> Vec<Option<u16>> {
    let Some(first) = sports.first() else {
        return vec![None];
    };
    let named = |port: &u16| sports.iter().any(|r| r.contains(*port));
    let mut ports = vec![Some(first.low)];
    ports.extend(
        (1024..=u16::MAX)
            .chain(1..1024)
            .find(|p| !named(p))
            .map(Some),
    );
    ports
}

/// The DHCP probes: a client on every IPv4 interface with `dhcp`, or
/// whose zone the model lets reach the firewall's DHCP server anyway (as
/// lxc-host's containers do through `loc -> $FW`), asks dnsmasq on the
/// firewall. On a bridge the client is a new container; on a plain link it
/// is the link's host.
pub fn dhcp_probes(model: &Model, topology: &Topology) -> Vec<Probe> {
    model
        .interfaces
        .iter()
        .enumerate()
        // An interface of no zone has no DHCP probe: its hosts' zones are
        // told apart by address, and a client has none yet.
        .filter_map(|(index, i)| Some((index, i, i.zone?)))
        .filter(|(_, _, zone)| model.zones[*zone].family.has_ipv4())
        .filter_map(|(index, i, zone)| {
            let host = topology.hosts.iter().find(|h| h.interface == Some(index))?;
            // A bridge's client is a namespace of its own, whose MAC
            // address the kernel picks.
            let bridge = i.has(InterfaceOption::Bridge);
            let source_mac = if bridge { None } else { host.mac };
            let served = i.has_for(InterfaceOption::Dhcp, false)
                || server_accepts(model, ZoneId::Zone(zone), index, source_mac);
            if !served {
                return None;
            }
            let dest = topology.firewall_address_towards(host, false)?;
            let from_netns = if bridge {
                format!("{}-dhcp{index}", topology.prefix)
            } else {
                host.netns.clone()
            };
            Some(Probe {
                from: format!("{}(dhcp)", host.label),
                from_netns,
                from_zone: host.zone,
                source: IpAddr::from([0, 0, 0, 0]),
                to: "fw".to_owned(),
                to_zone: Some(ZoneId::Firewall),
                dest,
                kind: Kind::Dhcp,
                interfaces: (Some(index), None),
                sport: None,
                source_mac,
            })
        })
        .collect()
}

/// Whether the model accepts a DHCP request from `zone` by the interface
/// (its index) to the firewall, from a client of this MAC address.
fn server_accepts(
    model: &Model,
    zone: ZoneId,
    interface: usize,
    mac: Option<crate::model::Mac>,
) -> bool {
    let (ask, _) = dhcp_queries(Some(zone), Some(interface), mac);
    explain(model, &ask).is_ok_and(|a| a.verdict == Verdict::Accept)
}

/// What the model says of a probe: the outcome, and explain's answer
/// (the model items that decide it) where explain gives one.
#[derive(Debug, Clone)]
pub struct Expectation {
    pub outcome: Outcome,
    pub explanation: Option<Explanation>,
}

// ----- what explain expects -----

fn query(probe: &Probe, proto: Option<Protocol>, dport: Option<u16>, icmp: Option<u8>) -> Query {
    Query {
        from: Place {
            zone: probe.from_zone,
            address: Some(probe.source),
            interface: probe.interfaces.0,
            device: None,
        },
        to: Place {
            zone: probe.to_zone,
            address: Some(probe.dest),
            interface: probe.interfaces.1,
            device: None,
        },
        proto,
        dport,
        sport: probe.sport,
        icmp_type: icmp,
        // The lab's ICMP probe is ping: echo request code 0.
        icmp_code: icmp.map(|_| 0),
        source_mac: probe.source_mac,
        owner: sender(probe.from_zone),
    }
}

/// The owner of the socket a probe is sent from: the lab's own process
/// for the firewall's probes (the kernel sees it in a USER/GROUP test),
/// nobody's for a host's.
fn sender(zone: Option<ZoneId>) -> Option<crate::model::SocketOwner> {
    static LAB: std::sync::OnceLock<crate::model::SocketOwner> = std::sync::OnceLock::new();
    let lab = || {
        LAB.get_or_init(crate::model::SocketOwner::this_process)
            .clone()
    };
    (zone == Some(ZoneId::Firewall)).then(lab)
}

pub fn expected(model: &Model, topology: &Topology, probe: &Probe) -> Result<Expectation> {
    let ipv6 = probe.dest.is_ipv6();
    let (proto, dport, icmp) = match probe.kind {
        Kind::Tcp(port) => (Some(Protocol::Tcp), Some(port), None),
        Kind::Udp(port) => (Some(Protocol::Udp), Some(port), None),
        Kind::Ping if ipv6 => (Some(Protocol::Icmpv6), None, Some(128)),
        Kind::Ping => (Some(Protocol::Icmp), None, Some(8)),
        Kind::Dhcp => return Ok(expected_dhcp(model, probe)),
    };
    let asked = query(probe, proto, dport, icmp);
    let ruleset = lab_ruleset(model, topology)?;
    let answer = explain_in(model, &ruleset, &asked)
        .map_err(|e| format!("explain {}: {e}", probe.describe()))?;
    let mut outcome = expected_outcome(model, topology, probe, &answer)?;
    if answer.verdict == Verdict::Accept && !reply_passes(model, &ruleset, probe, &asked, &answer)?
    {
        outcome = Outcome::Drop;
    } else if answer.verdict == Verdict::Accept
        && matches!(probe.kind, Kind::Tcp(_))
        && !next_packets_pass(model, &ruleset, probe, &asked)?
    {
        // The handshake completes for the prober, whose connect returns;
        // its ACK (established) never reaches the listener, which so never
        // answers.
        outcome = Outcome::Accept {
            label: None,
            seen: None,
            port: SourcePort::Seen(None),
        };
    }
    Ok(Expectation {
        outcome,
        explanation: Some(answer),
    })
}

/// The model's ruleset as the lab's firewall loads it: each `&IFACE` the
/// address the lab read from that interface.
fn lab_ruleset(model: &Model, topology: &Topology) -> Result<crate::ruleset::Ruleset> {
    crate::ruleset::lower::lower(model)
        .with_interface_addresses(&topology.interface_addresses)
        .map_err(|missing| format!("the lab has no address of {missing} for `&{missing}`"))
}

/// Whether the reply of an accepted connection passes. It does between
/// zones (established traffic is accepted) unless the blacklist sees
/// established packets (`blacklist_states`), rules of the ALL or
/// ESTABLISHED section or a wildcard's sfilter do, and may take the reply; to or
/// from an address no zone claims, the reply meets the catch-all as
/// Shorewall's does (see `unclaimed_rules` in src/ruleset/lower.rs). A
/// port forward's reply comes from its target, in the target's zone
/// (conntrack gives it the original address back in postrouting, after
/// the filter). A reply that does not pass leaves the connection
/// incomplete: the prober sees no answer.
fn reply_passes(
    model: &Model,
    ruleset: &crate::ruleset::Ruleset,
    probe: &Probe,
    asked: &Query,
    answer: &Explanation,
) -> Result<bool> {
    let blacklist_sees_replies = !model.blacklist.is_empty()
        && model
            .firewall
            .blacklist_states
            .contains(&crate::model::blacklist::ConnState::Established);
    // Rules of the ALL or ESTABLISHED section see established packets
    // before the pair chain accepts them, and may take the reply.
    let rules_see_replies = crate::ruleset::lower::established_in_pairs(model)
        // A wildcard's sfilter, ahead of the established accept, may too.
        || !crate::ruleset::lower::early_sfilters(model).is_empty();
    // A redirect's reply comes from the firewall itself, whatever the
    // connection was sent to (an address of no zone included).
    let target = answer.nat.iter().rev().find_map(|nat| match nat {
        crate::explain::Nat::Dnat { to, port, .. } => {
            Some((answer.dest_zone, Some(*to), port.or(asked.dport)))
        }
        crate::explain::Nat::Redirect { port, .. } => {
            Some((Some(ZoneId::Firewall), None, Some(*port)))
        }
        _ => None,
    });
    let (replier, sport) = match target {
        Some((zone, address, port)) => {
            let place = crate::explain::Place {
                zone,
                address,
                interface: None,
                device: None,
            };
            (place, port)
        }
        None => (asked.to.clone(), asked.dport),
    };
    // `[[conntrack]]`: an untracked connection's reply starts a new one;
    // a reply an entry untracks meets the rules as UNTRACKED.
    let untracked = answer
        .trace
        .iter()
        .any(|step| step.matched && matches!(step.origin, crate::ruleset::Origin::Conntrack(_)));
    if probe.from_zone.is_some()
        && replier.zone.is_some()
        && !blacklist_sees_replies
        && !rules_see_replies
        && model.conntrack.is_empty()
    {
        return Ok(true);
    }
    let replier_zone = replier.zone;
    let reply = Query {
        from: replier,
        to: asked.from.clone(),
        sport,
        dport: asked.sport,
        icmp_type: asked
            .icmp_type
            .map(|_| if probe.dest.is_ipv6() { 129 } else { 0 }),
        // The firewall's listeners answer from the lab's sockets; its
        // echo replies come from the kernel, with no socket (explain
        // takes an owner test as iptables does then: only negated, it
        // holds).
        owner: sender(replier_zone).filter(|_| asked.icmp_type.is_none()),
        ..asked.clone()
    };
    let state = if untracked {
        crate::ruleset::CtState::New
    } else {
        crate::ruleset::CtState::Established
    };
    let answer = crate::explain::explain_as(model, ruleset, &reply, state)
        .map_err(|e| format!("explain the reply of {}: {e}", probe.describe()))?;
    Ok(answer.verdict == Verdict::Accept)
}

/// Whether an accepted connection's next packets pass: rules of the ALL
/// or ESTABLISHED section see established packets (see
/// `established_in_pairs` in src/ruleset/lower.rs) and may drop them.
fn next_packets_pass(
    model: &Model,
    ruleset: &crate::ruleset::Ruleset,
    probe: &Probe,
    asked: &Query,
) -> Result<bool> {
    if !crate::ruleset::lower::established_in_pairs(model) {
        return Ok(true);
    }
    let answer =
        crate::explain::explain_as(model, ruleset, asked, crate::ruleset::CtState::Established)
            .map_err(|e| format!("explain the next packets of {}: {e}", probe.describe()))?;
    Ok(answer.verdict == Verdict::Accept)
}

fn expected_outcome(
    model: &Model,
    topology: &Topology,
    probe: &Probe,
    answer: &Explanation,
) -> Result<Outcome> {
    let ipv6 = probe.dest.is_ipv6();
    match answer.verdict {
        Verdict::Drop => return Ok(Outcome::Drop),
        Verdict::Reject => return Ok(Outcome::Reject),
        Verdict::Accept => {}
        // explain ends in a verdict; LOG is none.
        Verdict::Log => return Err(format!("explain {}: no verdict", probe.describe())),
    }
    if probe.kind == Kind::Ping {
        return Ok(Outcome::Accept {
            label: None,
            seen: None,
            port: SourcePort::Seen(None),
        });
    }
    let mut dest = probe.dest;
    let mut seen = probe.source;
    let mut redirected = false;
    for nat in &answer.nat {
        match nat {
            Nat::Dnat { to, .. } => dest = *to,
            Nat::Redirect { .. } => redirected = true,
            // The address kept: the listener sees the source's own.
            // Exempt: nothing translated.
            Nat::SnatPorts { .. } | Nat::Exempt { .. } => {}
            Nat::Snat { to, picked, .. } => {
                seen = picked.ok_or_else(|| format!("explain picks no address of {to}"))?;
            }
            Nat::Masquerade { interface, .. } => {
                // The link's name: a device a wildcard covers (`pppw0`
                // of `ppp+`) is the lab's link of the wildcard.
                let address = model
                    .interfaces
                    .iter()
                    .enumerate()
                    .position(|(index, i)| {
                        &i.physical == interface || link_name(i, index) == *interface
                    })
                    .and_then(|index| topology.links.get(index))
                    .and_then(|link| link.firewall.iter().copied().find(|a| a.is_ipv6() == ipv6));
                seen = address.ok_or_else(|| {
                    format!("the lab has no address on {interface} to masquerade to")
                })?;
            }
        }
    }
    let label = topology
        .all_hosts()
        .into_iter()
        .find(|h| h.addresses.contains(&dest) || h.extra.contains(&dest))
        .map(|h| h.label.clone());
    // A redirect's connection reaches the firewall itself, whichever
    // address it was sent to; so does one to a loopback address.
    let label = if redirected || dest.is_loopback() {
        Some(topology.firewall.label.clone())
    } else {
        label
    };
    // A source NAT's port range: the listener sees a port in it.
    let port = answer
        .nat
        .iter()
        .find_map(|nat| match nat {
            Nat::Snat { ports, .. }
            | Nat::Masquerade { ports, .. }
            | Nat::SnatPorts { ports, .. } => ports.range,
            _ => None,
        })
        .map_or(SourcePort::Seen(None), SourcePort::Within);
    Ok(Outcome::Accept {
        label,
        seen: Some(seen),
        port,
    })
}

/// The request from `zone` by the client's interface (its index) to the
/// firewall's server, and the reply: the interface decides, as a zone's
/// interfaces may differ in `dhcp`.
fn dhcp_queries(
    zone: Option<ZoneId>,
    interface: Option<usize>,
    mac: Option<crate::model::Mac>,
) -> (Query, Query) {
    let ask = Query {
        from: Place {
            zone,
            address: None,
            interface,
            device: None,
        },
        to: Place {
            zone: Some(ZoneId::Firewall),
            address: None,
            interface: None,
            device: None,
        },
        proto: Some(Protocol::Udp),
        dport: Some(67),
        sport: Some(68),
        icmp_type: None,
        icmp_code: None,
        source_mac: mac,
        owner: None,
    };
    let reply = Query {
        from: ask.to.clone(),
        to: ask.from.clone(),
        dport: Some(68),
        sport: Some(67),
        source_mac: None,
        // dnsmasq, which the lab starts as its own user, opens its socket
        // before it drops its privileges: a socket's owner is its opener's.
        owner: sender(Some(ZoneId::Firewall)),
        ..ask.clone()
    };
    (ask, reply)
}

/// A lease needs both directions: client to server (67) and back (68).
/// Explain's answer shown is the first direction that is refused, or the
/// request's when both pass.
fn expected_dhcp(model: &Model, probe: &Probe) -> Expectation {
    let (ask, reply) = dhcp_queries(probe.from_zone, probe.interfaces.0, probe.source_mac);
    let answers = [explain(model, &ask).ok(), explain(model, &reply).ok()];
    let refused = answers
        .iter()
        .position(|a| a.as_ref().is_none_or(|a| a.verdict != Verdict::Accept));
    match refused {
        None => Expectation {
            outcome: Outcome::Accept {
                label: None,
                seen: None,
                port: SourcePort::Seen(None),
            },
            explanation: answers[0].clone(),
        },
        Some(index) => Expectation {
            outcome: Outcome::Drop,
            explanation: answers[index].clone(),
        },
    }
}

// ----- loading a contestant -----

/// Load a contestant into the lab's firewall namespace; `dir` is scratch
/// space for its files (rendered, copied, compiled, Shorewall's state).
/// Returns once IPv6 neighbour discovery works on every link
/// ([`Topology::wait_for_link_locals`]), so that no probe meets a link
/// still coming up.
pub fn load(model: &Model, contestant: &Contestant, topology: &Topology, dir: &Path) -> Result<()> {
    load_contestant(model, contestant, topology, dir)?;
    topology.wait_for_link_locals()
}

fn load_contestant(
    model: &Model,
    contestant: &Contestant,
    topology: &Topology,
    dir: &Path,
) -> Result<()> {
    match contestant {
        Contestant::Shorewall => load_shorewall(model, topology, dir),
        Contestant::ShorewallStopped => {
            load_shorewall(model, topology, dir)?;
            super::stopped::stop_shorewall(topology, dir, "")
        }
        Contestant::ShorewallDirStopped { ipv4, ipv6 } => {
            let original = Contestant::ShorewallDir {
                ipv4: ipv4.clone(),
                ipv6: ipv6.clone(),
            };
            load_contestant(model, &original, topology, dir)?;
            super::stopped::stop_shorewall(topology, dir, "original-")
        }
        Contestant::ShorewallDir { ipv4, ipv6 } => {
            create_ipsets(model, topology)?;
            load_original("shorewall", ipv4, topology, dir)?;
            match ipv6 {
                Some(six) => load_original("shorewall6", six, topology, dir),
                None => Ok(()),
            }
        }
        Contestant::Nftables(ruleset) => {
            let file = dir.join("fwgen.nft");
            write(&file, ruleset)?;
            let defines = crate::nft_defines::defines(ruleset, |interface| {
                topology
                    .interface_addresses
                    .get(interface)
                    .copied()
                    .ok_or_else(|| format!("the lab has no address of {interface}"))
            })?;
            let path = file.to_string_lossy();
            let mut args = vec!["netns", "exec", &topology.firewall.netns, "nft"];
            args.extend(defines.iter().map(String::as_str));
            args.extend(["-f", &path]);
            let (ok, out) = run("ip", &args)?;
            if ok {
                Ok(())
            } else {
                Err(format!("nft -f failed in the lab:\n{out}"))
            }
        }
    }
}

/// The sets an original directory names live on the admin's machine, not
/// in the directory (Shorewall creates none, and its start fails on a rule
/// naming a set that does not exist): the lab creates the model's
/// `[[ipset]]` entries, which the import declares for every set the
/// directory names (with a save file's members), in the firewall's
/// namespace, as `ipset -exist` (fwgen's own `init` does the same).
fn create_ipsets(model: &Model, topology: &Topology) -> Result<()> {
    let netns = topology.firewall.netns.as_str();
    for set in &model.ipsets {
        let family = set.family_word();
        let mut commands = vec![vec!["create", &set.name, set.kind.name(), "family", family]];
        let elements: Vec<String> = (set.elements.iter())
            .map(crate::model::rule::written)
            .collect();
        commands.extend(elements.iter().map(|e| vec!["add", &set.name, e.as_str()]));
        for command in commands {
            let mut args = vec!["netns", "exec", netns, "ipset", "-exist"];
            args.extend(command);
            let (ok, out) = run("ip", &args)?;
            if !ok {
                return Err(format!(
                    "ipset {} failed in the lab:\n{out}",
                    args[5..].join(" ")
                ));
            }
        }
    }
    Ok(())
}

fn write(path: &Path, content: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, content).map_err(|e| format!("{}: {e}", path.display()))
}

/// Compile and start a copy of an original Shorewall directory (never the
/// directory itself: Shorewall converts a masq file in place).
fn load_original(product: &str, original: &Path, topology: &Topology, dir: &Path) -> Result<()> {
    let copy = dir.join(format!("original-{product}"));
    copy_original(product, original, &copy)?;
    compile_and_start(
        product,
        &copy,
        &dir.join(format!("original-{product}.compiled")),
        topology,
        dir,
    )
}

/// Copy what Shorewall reads of an original directory into `copy`: its
/// regular files without an extension, its site macros and actions, and
/// its conf file, or the one Shorewall ships when it has none, as `fwgen
/// import` reads such a directory (Shorewall's compiler refuses it). The
/// samples ship with STARTUP_ENABLED=No, the one setting the lab changes.
fn copy_original(product: &str, original: &Path, copy: &Path) -> Result<()> {
    let _ = std::fs::remove_dir_all(copy);
    std::fs::create_dir_all(copy).map_err(|e| format!("{}: {e}", copy.display()))?;
    let entries =
        std::fs::read_dir(original).map_err(|e| format!("{}: {e}", original.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("{}: {e}", original.display()))?
            .path();
        let Some(name) = path.file_name() else {
            continue;
        };
        // Site macros and actions (`macro.SSH`) are found in the directory
        // before Shorewall's own: they are part of the configuration.
        let site = ["macro.", "action."]
            .iter()
            .any(|prefix| name.to_string_lossy().starts_with(prefix));
        if path.is_file()
            && (path.extension().is_none()
                || site
                || name == "shorewall.conf"
                || name == "shorewall6.conf")
        {
            std::fs::copy(&path, copy.join(name))
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    let conf = copy.join(format!("{product}.conf"));
    let text = match std::fs::read_to_string(&conf) {
        Ok(text) => text,
        Err(_) => {
            let shipped = match product {
                "shorewall6" => crate::backend::shorewall::sample::SHOREWALL6,
                _ => crate::backend::shorewall::sample::SHOREWALL,
            };
            shipped
                .iter()
                .map(|(key, value)| format!("{key}={value}\n"))
                .collect()
        }
    };
    write(
        &conf,
        &text.replace("STARTUP_ENABLED=No", "STARTUP_ENABLED=Yes"),
    )
}

/// `PRODUCT compile CONFIG SCRIPT`, then the script's `start` in the lab,
/// its state (VARDIR) kept in the scratch directory, not /var/lib.
///
/// The compile runs in the firewall's namespace too: Shorewall's
/// compiler probes netfilter by creating chains named after its PID
/// (`fooX<pid>`) where it runs, and one killed midway (a run stopped by
/// Ctrl-C) leaves them behind, for a later compile given the same PID to
/// stop at "Chain already exists". In the lab they go with the namespace;
/// the host's tables are never touched.
fn compile_and_start(
    product: &str,
    config: &Path,
    script: &Path,
    topology: &Topology,
    dir: &Path,
) -> Result<()> {
    let (ok, out) = run(
        "ip",
        &[
            "netns",
            "exec",
            &topology.firewall.netns,
            product,
            "compile",
            &config.to_string_lossy(),
            &script.to_string_lossy(),
        ],
    )?;
    if !ok {
        return Err(format!(
            "{product} compile of {} failed:\n{out}",
            config.display()
        ));
    }
    let vardir = vardir_of(dir, script);
    std::fs::create_dir_all(&vardir).map_err(|e| format!("{}: {e}", vardir.display()))?;
    let (ok, out) = run_compiled(topology, script, &vardir, "start")?;
    if ok {
        Ok(())
    } else {
        Err(format!("{product} start failed in the lab:\n{out}"))
    }
}

/// Where a compiled script keeps its state in the lab (`var-NAME`).
pub(super) fn vardir_of(dir: &Path, script: &Path) -> std::path::PathBuf {
    dir.join(format!(
        "var-{}",
        script.file_name().unwrap_or_default().to_string_lossy()
    ))
}

/// Run a compiled Shorewall script's `command` (start, stop) in the
/// firewall's namespace with its VARDIR.
pub(super) fn run_compiled(
    topology: &Topology,
    script: &Path,
    vardir: &Path,
    command: &str,
) -> Result<(bool, String)> {
    run(
        "ip",
        &[
            "netns",
            "exec",
            &topology.firewall.netns,
            "env",
            &format!("VARDIR={}", vardir.display()),
            &script.to_string_lossy(),
            command,
        ],
    )
}

fn load_shorewall(model: &Model, topology: &Topology, dir: &Path) -> Result<()> {
    let files = super::rendered(model, Backend::Shorewall)?;
    let rendered = dir.join("rendered");
    let _ = std::fs::remove_dir_all(&rendered);
    for file in &files {
        write(&rendered.join(&file.path), &file.content)?;
    }
    for product in ["shorewall", "shorewall6"] {
        let config = rendered.join(product);
        if !config.is_dir() {
            continue;
        }
        compile_and_start(
            product,
            &config,
            &dir.join(format!("{product}.compiled")),
            topology,
            dir,
        )?;
    }
    Ok(())
}

// ----- running probes -----

/// How many probes run at once. Most probes of a round end in a DROP,
/// which waits [`probe::WAIT`] for nothing: the round takes about the
/// probes' count times that wait over this number.
const AT_ONCE: usize = 256;

/// Run the probes, `AT_ONCE` at a time, each started in the planned order
/// as soon as one before it has finished (no batch waits for its slowest),
/// telling `done` of each that finished; stops starting probes when
/// interrupted.
pub fn run_probes(probes: &[Probe], done: &dyn Fn(usize)) -> Result<Vec<Outcome>> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let (sender, finished) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..AT_ONCE.min(probes.len()) {
            let (sender, next) = (sender.clone(), &next);
            scope.spawn(move || {
                loop {
                    let index = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(p) = probes.get(index) else {
                        break;
                    };
                    let outcome = sys::interrupted().and_then(|()| run_probe(p));
                    // The receiver is gone when a probe failed: stop.
                    if sender.send((index, outcome)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(sender);
        let mut outcomes: Vec<Option<Outcome>> = vec![None; probes.len()];
        for (index, outcome) in finished {
            outcomes[index] = Some(outcome?);
            done(1);
        }
        outcomes
            .into_iter()
            .collect::<Option<Vec<Outcome>>>()
            .ok_or_else(|| "a probe's thread panicked".to_owned())
    })
}

/// One TCP, UDP or ping probe, sent from its host's namespace (which the
/// calling thread enters).
fn run_probe(p: &Probe) -> Result<Outcome> {
    sys::enter(&p.from_netns)?;
    match p.kind {
        Kind::Tcp(port) => probe::tcp((p.source, p.sport), SocketAddr::new(p.dest, port)),
        Kind::Udp(port) => probe::udp((p.source, p.sport), SocketAddr::new(p.dest, port)),
        Kind::Ping => probe::ping(&p.from_netns, p.source, p.dest),
        Kind::Dhcp => Err("a dhcp probe runs on its own".to_owned()),
    }
}

/// Start dnsmasq on the firewall's link and ask for a lease from the
/// link's host, or from a new container with no address on a bridge.
pub fn run_dhcp(model: &Model, topology: &Topology, probe: &Probe) -> Result<Outcome> {
    let on_link = topology.hosts.iter().find(|h| h.netns == probe.from_netns);
    let index = on_link.and_then(|h| h.interface).or_else(|| {
        probe
            .from_netns
            .rsplit("dhcp")
            .next()
            .and_then(|n| n.parse().ok())
    });
    let Some(index) = index.filter(|&i| i < model.interfaces.len()) else {
        return Err(format!("no link for {}", probe.describe()));
    };
    let interface = &model.interfaces[index];
    let link = &topology.links[index];
    let Some(ipnet::IpNet::V4(v4)) = link
        .networks
        .iter()
        .find(|n| matches!(n, ipnet::IpNet::V4(_)))
    else {
        return Err(format!(
            "{} has no IPv4 network for DHCP",
            interface.physical
        ));
    };
    let base = u32::from(v4.network());
    let first = std::net::Ipv4Addr::from(base.wrapping_add(100));
    let last = std::net::Ipv4Addr::from(base.wrapping_add(150));
    let client = &probe.from_netns;
    let fw = &topology.firewall.netns;
    let bridge = link_name(interface, index);
    // A new container behind the bridge, removed afterwards; a link's own
    // host needs nothing.
    let _cleanup = match on_link {
        Some(_) => None,
        None => {
            let _ = run("ip", &["netns", "del", client]);
            let guard = NetnsGuard(client.clone());
            sys::sh(&["ip", "netns", "add", client])?;
            let port = format!("v{index}dh");
            sys::sh(&[
                "ip", "-n", fw, "link", "add", &port, "type", "veth", "peer", "name", "eth0",
                "netns", client,
            ])?;
            sys::sh(&["ip", "-n", fw, "link", "set", &port, "master", &bridge])?;
            sys::sh(&["ip", "-n", fw, "link", "set", &port, "up"])?;
            sys::sh(&["ip", "-n", client, "link", "set", "eth0", "up"])?;
            Some(guard)
        }
    };
    let range = format!("{first},{last},{},1h", v4.netmask());
    let dnsmasq = std::process::Command::new("ip")
        .args([
            "netns",
            "exec",
            fw,
            "dnsmasq",
            "--no-daemon",
            "--conf-file=/dev/null",
            "--port=0",
            // No ping of an address before offering it (dnsmasq waits
            // 3 s for an answer): the lab's range holds no host.
            "--no-ping",
        ])
        .arg(format!("--interface={bridge}"))
        .args(["--bind-interfaces", "--leasefile-ro", "--dhcp-range"])
        .arg(range)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run dnsmasq: {e}"))?;
    let _server = ChildGuard(dnsmasq);
    // dnsmasq serves once it listens on port 67: wait for that (up to 5 s
    // on a loaded machine), never a fixed sleep that a slow start outlasts.
    for _ in 0..50 {
        let (_, listening) = run("ip", &["netns", "exec", fw, "ss", "-Hlun", "sport = :67"])?;
        if !listening.trim().is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let (_, text) = run(
        "timeout",
        &[
            "20",
            "ip",
            "netns",
            "exec",
            client,
            "busybox",
            "udhcpc",
            "-B",
            "-i",
            "eth0",
            "-n",
            "-q",
            "-f",
            "-t",
            "4",
            "-T",
            "2",
            "-s",
            "/bin/true",
        ],
    )?;
    Ok(if text.contains("lease of") && text.contains("obtained") {
        Outcome::Accept {
            label: None,
            seen: None,
            port: SourcePort::Seen(None),
        }
    } else {
        Outcome::Drop
    })
}

struct NetnsGuard(String);

impl Drop for NetnsGuard {
    fn drop(&mut self) {
        let _ = run("ip", &["netns", "del", &self.0]);
    }
}

/// A child process killed and reaped when dropped.
struct ChildGuard(std::process::Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One contestant's outcomes, with explain's expectation for each probe;
/// an outcome is `None` where the contestant does not decide the probe
/// ([`Contestant::covers`]).
pub struct Round {
    pub probes: Vec<Probe>,
    /// The pairs of hosts not probed, each with the reason.
    pub unprobed: Vec<String>,
    pub outcomes: Vec<Option<Outcome>>,
    pub expected: Vec<Expectation>,
    /// The lab's state after probing ([`state_after`]), kept when an
    /// outcome differs from explain's.
    pub state: Option<String>,
}

/// What the lab tells as it goes: a step, and probes planned and done.
pub enum Event<'a> {
    Step(&'a str),
    Planned(usize),
    Done(usize),
}

/// Build the lab, load one contestant, probe, tear down. `dhcp`: whether
/// the DHCP probes run (dnsmasq and busybox are needed). `known`: a round
/// of another contestant in the same model's network (the same `name`),
/// whose expectations are taken when it sent the same probes: explain
/// answers of the model and the network, not of the contestant.
pub fn contest(
    model: &Model,
    name: &str,
    contestant: &Contestant,
    dir: &Path,
    (dhcp, known): (bool, Option<&Round>),
    progress: &dyn Fn(Event),
) -> Result<Round> {
    progress(Event::Step("building the network"));
    let topology = Topology::build(model, name)?;
    sys::interrupted()?;
    progress(Event::Step("starting the firewall"));
    load(model, contestant, &topology, dir)?;
    sys::interrupted()?;
    let ports = ports(model);
    let mut listeners = Vec::new();
    for host in topology.all_hosts() {
        let addresses: Vec<IpAddr> = host.addresses.iter().chain(&host.extra).copied().collect();
        listeners.push(Listeners::start(
            &host.netns,
            &host.label,
            &addresses,
            &ports,
        )?);
    }
    let (mut probes, unprobed) = probes(model, &topology);
    let dhcp_probes = if dhcp {
        dhcp_probes(model, &topology)
    } else {
        Vec::new()
    };
    progress(Event::Planned(probes.len() + dhcp_probes.len()));
    // What explain expects is worked out while the probes wait for their
    // answers (the probes' order: the matrix's, then the DHCP probes).
    let (outcomes, expected) = std::thread::scope(|scope| {
        let expecting = scope.spawn(|| {
            let planned: Vec<&Probe> = probes.iter().chain(&dhcp_probes).collect();
            let same = known.filter(|round| {
                round.probes.len() == planned.len()
                    && round
                        .probes
                        .iter()
                        .zip(&planned)
                        .all(|(a, b)| a.describe() == b.describe())
            });
            match same {
                Some(round) => Ok(round.expected.clone()),
                None => planned
                    .into_iter()
                    .map(|p| expected(model, &topology, p))
                    .collect::<Result<Vec<_>>>(),
            }
        });
        let outcomes = run_round(
            model,
            contestant,
            &topology,
            (&probes, &dhcp_probes),
            listeners,
            progress,
        );
        let expected = expecting
            .join()
            .map_err(|_| "explain's thread panicked".to_owned());
        (outcomes, expected)
    });
    let (outcomes, expected) = (outcomes?, expected??);
    let disagrees = (outcomes.iter().zip(&expected))
        .any(|(outcome, expected)| outcome.as_ref().is_some_and(|o| *o != expected.outcome));
    let state = disagrees.then(|| state_after(contestant, &topology));
    probes.extend(dhcp_probes);
    Ok(Round {
        probes,
        unprobed,
        outcomes,
        expected,
        state,
    })
}

/// What the lab's kernels held once a round that disagreed with explain
/// had probed, for the failure to be read afterwards (a lab run leaves
/// nothing else behind): every namespace's neighbours (a neighbour that
/// failed drops every later packet towards its host), and, for a Shorewall
/// contestant, the rules of its firewall that counted a packet and drop
/// or reject (iptables-save -c).
fn state_after(contestant: &Contestant, topology: &Topology) -> String {
    let mut out = String::new();
    let mut command = |netns: &str, args: &[&str], keep: &dyn Fn(&str) -> bool| {
        let mut all = vec!["netns", "exec", netns];
        all.extend_from_slice(args);
        let text = match run("ip", &all) {
            Ok((_, text)) => text,
            Err(error) => error,
        };
        out.push_str(&format!("{netns}$ {}\n", args.join(" ")));
        for line in text.lines().filter(|l| keep(l)).take(200) {
            out.push_str(&format!("  {line}\n"));
        }
    };
    for host in topology.all_hosts() {
        command(&host.netns, &["ip", "neigh", "show"], &|_| true);
    }
    let shorewall = !matches!(contestant, Contestant::Nftables(_));
    if shorewall {
        // `[packets:bytes] -A chain ... -j DROP`, `:chain DROP [packets:bytes]`.
        let counted_drop = |line: &str| {
            let counted = !line.contains("[0:0]");
            let drops = ["DROP", "REJECT", "reject", "drop"]
                .iter()
                .any(|word| line.contains(word));
            counted && drops && (line.starts_with('[') || line.starts_with(':'))
        };
        let netns = topology.firewall.netns.as_str();
        command(netns, &["iptables-save", "-c"], &counted_drop);
        command(netns, &["ip6tables-save", "-c"], &counted_drop);
    }
    out
}

/// The contestant's outcomes of the matrix's probes (`None` where it does
/// not decide one), then of the DHCP probes, asked once the listeners are
/// gone.
fn run_round(
    model: &Model,
    contestant: &Contestant,
    topology: &Topology,
    (probes, dhcp_probes): (&[Probe], &[Probe]),
    listeners: Vec<Listeners>,
    progress: &dyn Fn(Event),
) -> Result<Vec<Option<Outcome>>> {
    progress(Event::Step("probing"));
    let (covered, skipped): (Vec<Probe>, Vec<Probe>) =
        probes.iter().cloned().partition(|p| contestant.covers(p));
    let ran = run_probes(&covered, &|n| progress(Event::Done(n)))?;
    progress(Event::Done(skipped.len()));
    let mut ran = ran.into_iter();
    let mut outcomes: Vec<Option<Outcome>> = probes
        .iter()
        .map(|p| {
            if contestant.covers(p) {
                ran.next()
            } else {
                None
            }
        })
        .collect();
    drop(listeners);
    for probe in dhcp_probes {
        sys::interrupted()?;
        progress(Event::Step("asking for DHCP leases"));
        outcomes.push(Some(run_dhcp(model, topology, probe)?));
        progress(Event::Done(1));
    }
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::copy_original;

    /// A DHCP client is served by its own interface's `dhcp`, not by
    /// another interface of its zone (review: the lab expected a lease on
    /// loc's eth2, which both kernels drop, because eth1 has `dhcp`).
    #[test]
    fn a_dhcp_client_is_judged_by_its_own_interface() {
        let text = "[zones.net]\n[zones.loc]\n\
[interfaces.eth0]\nzone = \"net\"\n\
[interfaces.eth1]\nzone = \"loc\"\noptions = [\"dhcp\"]\nnetworks = [\"192.168.1.0/24\"]\n\
[interfaces.eth2]\nzone = \"loc\"\nnetworks = [\"192.168.2.0/24\"]\n\
[[policy]]\nsource = \"all\"\ndest = \"all\"\naction = \"REJECT\"\n";
        let model = crate::load::compile(&crate::source::Source::new("dhcp.toml", text))
            .unwrap_or_else(|f| panic!("{}", f.render()));
        let loc = crate::model::ZoneId::Zone(1);
        assert!(super::server_accepts(&model, loc, 1, None), "eth1 has dhcp");
        assert!(
            !super::server_accepts(&model, loc, 2, None),
            "eth2 has none"
        );
    }

    /// The firewall probes each tunnel gateway's address: the way out of
    /// a PPTP client (TCP 1723 to its server) names no host's first
    /// address (issue #15, tests/models/tunnels-more.toml).
    #[test]
    fn the_firewall_probes_each_tunnel_gateway() {
        let text = "[zones.net]\n[interfaces.eth0]\nzone = \"net\"\n\
networks = [\"198.51.100.0/24\"]\n\
[[policy]]\nsource = \"all\"\ndest = \"all\"\naction = \"REJECT\"\n\
[[tunnel]]\ntype = \"pptpclient\"\nzone = \"net\"\ngateways = [\"198.51.100.221\"]\n";
        let model = crate::load::compile(&crate::source::Source::new("pptp.toml", text))
            .unwrap_or_else(|f| panic!("{}", f.render()));
        let topology = super::Topology::build(&model, "unit").unwrap();
        let (probes, _) = super::probes(&model, &topology);
        let gateway: std::net::IpAddr = "198.51.100.221".parse().unwrap();
        assert!(
            probes
                .iter()
                .any(|p| p.from == "fw" && p.dest == gateway && p.kind == super::Kind::Tcp(1723)),
            "{:?}",
            probes
                .iter()
                .map(super::Probe::describe)
                .collect::<Vec<_>>()
        );
    }

    /// A directory without a conf file is compiled with the one Shorewall
    /// ships (as `fwgen import` reads it), not refused by the compiler.
    #[test]
    fn an_original_without_a_conf_file_gets_the_shipped_one() {
        let scratch = tempfile::tempdir().unwrap();
        let original = scratch.path().join("etc");
        std::fs::create_dir(&original).unwrap();
        std::fs::write(original.join("zones"), "fw firewall\n").unwrap();
        std::fs::write(original.join("rules.bak~"), "x\n").unwrap();
        for product in ["shorewall", "shorewall6"] {
            let copy = scratch.path().join(product);
            copy_original(product, &original, &copy).unwrap();
            let conf = std::fs::read_to_string(copy.join(format!("{product}.conf"))).unwrap();
            assert!(
                conf.lines().any(|line| line == "STARTUP_ENABLED=Yes"),
                "{conf}"
            );
            assert!(
                conf.lines().any(|line| line == "IP_FORWARDING=Keep"),
                "{conf}"
            );
            assert_eq!(
                std::fs::read_to_string(copy.join("zones")).unwrap(),
                "fw firewall\n"
            );
            assert!(!copy.join("rules.bak~").exists());
        }
        // A conf file of its own is kept, with the lab's one change.
        std::fs::write(
            original.join("shorewall.conf"),
            "STARTUP_ENABLED=No\nIP_FORWARDING=On\n",
        )
        .unwrap();
        let copy = scratch.path().join("own");
        copy_original("shorewall", &original, &copy).unwrap();
        assert_eq!(
            std::fs::read_to_string(copy.join("shorewall.conf")).unwrap(),
            "STARTUP_ENABLED=Yes\nIP_FORWARDING=On\n"
        );
    }
}
