//! The example's network, built in namespaces: the firewall with the
//! model's interfaces (veth pairs; a bridge with two containers where the
//! model says bridge) and one host per interface, addressed inside the
//! zone's networks (or a test range: [`test_network`]), routed through
//! the firewall. Every namespace is deleted when the topology is dropped,
//! on errors, interruptions and panics alike.

use std::collections::BTreeSet;
use std::net::IpAddr;

use ipnet::IpNet;

use crate::model::{InterfaceOption, Model, ZoneId, ZoneRef};

use super::Result;
use super::sys::{in_ns, run, sh};

/// A host of the lab: the firewall or a machine in a zone.
#[derive(Debug, Clone)]
pub struct Host {
    pub label: String,
    pub netns: String,
    /// `None`: a host on an interface of no zone whose address no zone's
    /// hosts claim.
    pub zone: Option<ZoneId>,
    /// Primary addresses (IPv4, then IPv6 where the zone has it).
    pub addresses: Vec<IpAddr>,
    /// Addresses the model's rules name, added so probes can use them.
    pub extra: Vec<IpAddr>,
    /// The model interface this host sits behind (`None` for the firewall).
    pub interface: Option<usize>,
    /// The namespace of the link's host whose side of the link this one
    /// shares (a `hosts` entry's), `None` for a host on the link itself.
    pub router: Option<String>,
    /// The MAC address the firewall sees its packets come from: a link
    /// host's is [`link_host_mac`]; `None` where the kernel picks it.
    pub mac: Option<crate::model::Mac>,
    /// On a named interface a wildcard covers, a host in the network of a
    /// hosts entry on that wildcard (`model.interfaces[over]`): where
    /// Shorewall's dispatch passes through the wildcard's chain too.
    pub over: Option<usize>,
}

/// The MAC address of the n-th host on the link of `model.interfaces[index]`:
/// `02:00:00:00:INDEX:N` (locally administered), so a model can list it
/// in `[[maclist]]`.
pub fn link_host_mac(index: usize, n: usize) -> crate::model::Mac {
    let byte = |v: usize| u8::try_from(v).unwrap_or(u8::MAX);
    crate::model::Mac([2, 0, 0, 0, byte(index), byte(n)])
}

/// One model interface in the lab.
#[derive(Debug, Clone)]
pub struct Link {
    /// The firewall's addresses on it.
    pub firewall: Vec<IpAddr>,
    pub networks: Vec<IpNet>,
}

pub struct Topology {
    pub prefix: String,
    pub firewall: Host,
    pub hosts: Vec<Host>,
    pub links: Vec<Link>,
    /// The first IPv4 address of each firewall interface a rule names with
    /// `&IFACE`, by device, read in the firewall's namespace as `fwgen
    /// apply` reads it (src/nft_defines.rs).
    pub interface_addresses: std::collections::BTreeMap<String, std::net::Ipv4Addr>,
    namespaces: Vec<String>,
}

/// The kernel name of a model interface in the lab: its own, or for a
/// wildcard (`eth+`, `+`) a name the wildcard matches.
pub fn link_name(interface: &crate::model::Interface, index: usize) -> String {
    interface.example_device(index)
}

/// The addresses from `first` to `last`, both included (none when
/// `last` is below `first` or of the other family).
fn addresses_between(first: IpAddr, last: IpAddr) -> impl Iterator<Item = IpAddr> {
    let (low, high, ipv6) = match (first, last) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            (u128::from(u32::from(a)), u128::from(u32::from(b)), false)
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b), true),
        _ => (1, 0, false),
    };
    (low..=high).map(move |n| {
        if ipv6 {
            IpAddr::from(std::net::Ipv6Addr::from(n))
        } else {
            // A v4 range holds only u32 values.
            IpAddr::from(std::net::Ipv4Addr::from(
                u32::try_from(n).unwrap_or(u32::MAX),
            ))
        }
    })
}

/// The n-th host address of a network (0 is the firewall's).
fn nth_host(net: &IpNet, n: u32) -> IpAddr {
    match net {
        IpNet::V4(v4) => IpAddr::V4(
            u32::from(v4.network())
                .wrapping_add(1)
                .wrapping_add(n)
                .into(),
        ),
        IpNet::V6(v6) => IpAddr::V6(
            u128::from(v6.network())
                .wrapping_add(1)
                .wrapping_add(u128::from(n))
                .into(),
        ),
    }
}

/// Whether a source NAT entry's sources, as written, hold an address: an
/// address it leaves out is placed as those it translates are.
fn taken_by(snat: &crate::model::Snat, address: &IpAddr) -> bool {
    match &snat.exclusion {
        Some(e) if e.networks.is_empty() => e.except.iter().any(|n| n.contains(address)),
        Some(e) => e.networks.iter().any(|n| n.contains(address)),
        None => snat.sources.iter().any(|n| n.contains(address)),
    }
}

/// The test range of an interface without declared networks: the
/// index-th /24 of 198.18.0.0/15 (RFC 2544's benchmarking range), or the
/// index-th /64 of fd00:66::/32.
fn test_network(index: usize, ipv6: bool) -> IpNet {
    let index = u32::try_from(index).unwrap_or(u32::MAX);
    if ipv6 {
        let base = u128::from(std::net::Ipv6Addr::new(0xfd00, 0x66, 0, 0, 0, 0, 0, 0));
        let net = std::net::Ipv6Addr::from(base | (u128::from(index & 0xffff) << 64));
        IpNet::V6(ipnet::Ipv6Net::new_assert(net, 64))
    } else {
        let base = u32::from(std::net::Ipv4Addr::new(198, 18, 0, 0));
        let net = std::net::Ipv4Addr::from(base | ((index & 0x1ff) << 8));
        IpNet::V4(ipnet::Ipv4Net::new_assert(net, 24))
    }
}

fn with_prefix(address: IpAddr, net: &IpNet) -> String {
    format!("{address}/{}", net.prefix_len())
}

/// An address to stand for a network a rule names.
pub fn representative(net: &IpNet) -> IpAddr {
    if net.prefix_len() == net.max_prefix_len() {
        net.addr()
    } else {
        nth_host(net, 1)
    }
}

/// The address of an ORIGDEST network the lab gives the firewall.
pub fn origdest_address(net: &IpNet) -> IpAddr {
    representative(net)
}

impl Topology {
    pub fn build(model: &Model, name: &str) -> Result<Topology> {
        let prefix = format!("fwl{}-{name}", std::process::id() % 10000);
        let fw_ns = format!("{prefix}-fw");
        let mut topology = Topology {
            prefix: prefix.clone(),
            firewall: Host {
                label: "fw".to_owned(),
                netns: fw_ns.clone(),
                zone: Some(ZoneId::Firewall),
                addresses: Vec::new(),
                extra: Vec::new(),
                interface: None,
                router: None,
                mac: None,
                over: None,
            },
            hosts: Vec::new(),
            links: Vec::new(),
            interface_addresses: std::collections::BTreeMap::new(),
            namespaces: Vec::new(),
        };
        topology.add_namespace(&fw_ns)?;
        in_ns(&fw_ns, &["ip", "link", "set", "lo", "up"])?;
        in_ns(&fw_ns, &["sysctl", "-qw", "net.ipv4.ip_forward=1"])?;
        in_ns(&fw_ns, &["sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"])?;
        // Between zones on one link the firewall routes a packet out by
        // the interface it came in on, without telling the sender of a
        // shorter way (an ICMP redirect).
        for redirects in ["all", "default"] {
            let off = format!("net.ipv4.conf.{redirects}.send_redirects=0");
            in_ns(&fw_ns, &["sysctl", "-qw", &off])?;
        }
        for index in 0..model.interfaces.len() {
            super::sys::interrupted()?;
            topology.add_link(model, index)?;
        }
        topology.add_zone_hosts(model)?;
        topology.add_extra_addresses(model)?;
        topology.add_origdest_addresses(model)?;
        topology.add_nat_addresses(model)?;
        topology.add_second_addresses(model)?;
        topology.add_default_route(model)?;
        topology.keep_unresolved_packets()?;
        Ok(topology)
    }

    /// The packets waiting for a neighbour to resolve are kept up to
    /// `unres_qlen_bytes` (208 KB, about 256 small packets), the oldest
    /// dropped beyond: the lab's pool sends more probes than that towards
    /// one host at once, and a ping lost there (one echo, no resend) read
    /// DROP. 16 MB keeps every probe of a round. The setting is each
    /// interface's (a namespace has no defaults of its own), so it is made
    /// once the links exist.
    fn keep_unresolved_packets(&self) -> Result<()> {
        let script = "for f in /proc/sys/net/ipv4/neigh/*/unres_qlen_bytes \
                      /proc/sys/net/ipv6/neigh/*/unres_qlen_bytes; do \
                      echo 16777216 > \"$f\"; done";
        for netns in &self.namespaces {
            in_ns(netns, &["sh", "-c", script])?;
        }
        Ok(())
    }

    /// A namespace whose ICMP errors are not rate limited: a lab sends many
    /// rejected probes at once, and a rate-limited REJECT looks like DROP.
    /// Its interfaces' IPv6 addresses skip duplicate address detection:
    /// while a link-local address is tentative (up to 2 s after the link
    /// comes up), the kernel sends no neighbour solicitation for a packet
    /// it forwards (the sender's address is not the interface's), so a
    /// contestant quick to start saw its first forwarded probes' neighbour
    /// fail and every later probe to that host DROP.
    fn add_namespace(&mut self, netns: &str) -> Result<()> {
        let _ = run("ip", &["netns", "del", netns]);
        // Registered first: a namespace half made is deleted all the same.
        self.namespaces.push(netns.to_owned());
        sh(&["ip", "netns", "add", netns])?;
        let limits = [
            "net.ipv4.icmp_ratelimit=0",
            "net.ipv6.icmp.ratelimit=0",
            "net.ipv4.icmp_msgs_per_sec=100000",
            "net.ipv4.icmp_msgs_burst=100000",
            "net.ipv6.conf.all.accept_dad=0",
            "net.ipv6.conf.default.accept_dad=0",
        ];
        for limit in limits {
            in_ns(netns, &["sysctl", "-qw", limit])?;
        }
        Ok(())
    }

    fn link_networks(model: &Model, index: usize) -> Vec<IpNet> {
        let interface = &model.interfaces[index];
        let family = model.interface_family(index);
        let mut networks = Vec::new();
        let declared = |v6: bool| {
            interface
                .networks
                .iter()
                .find(|n| matches!(n, IpNet::V6(_)) == v6)
                .copied()
        };
        let invented = |v6: bool| Self::test_network_for(model, index, v6);
        if family.has_ipv4() {
            networks.push(declared(false).unwrap_or_else(|| invented(false)));
        }
        if family.has_ipv6() {
            networks.push(declared(true).unwrap_or_else(|| invented(true)));
        }
        networks
    }

    /// The test range of an interface without declared networks, moved
    /// to the range's other half (198.19.0.0/16, fd00:66:0:8000::/49)
    /// when a port forward of another zone targets an address in it: the
    /// model, which declares no networks, says that address is in the
    /// forward's zone, and the lab must not route it elsewhere.
    fn test_network_for(model: &Model, index: usize, ipv6: bool) -> IpNet {
        let zone = model.interfaces[index].zone;
        let ours = |dest: usize| {
            Some(dest) == zone || model.zones[dest].hosts.iter().any(|h| h.interface == index)
        };
        let net = test_network(index, ipv6);
        let foreign = model
            .dnats
            .iter()
            .any(|d| !ours(d.dest) && net.contains(&d.to));
        if foreign {
            test_network(index + if ipv6 { 0x8000 } else { 0x100 }, ipv6)
        } else {
            net
        }
    }

    fn add_link(&mut self, model: &Model, index: usize) -> Result<()> {
        let interface = &model.interfaces[index];
        // The firewall's loopback (`- lo -` in Shorewall's interfaces
        // file) is in its namespace already, and no host is behind it.
        if interface.physical == "lo" {
            self.links.push(Link {
                firewall: Vec::new(),
                networks: Vec::new(),
            });
            return Ok(());
        }
        let networks = Self::link_networks(model, index);
        let fw_ns = self.firewall.netns.clone();
        let name = link_name(interface, index);
        let bridge = interface.has(InterfaceOption::Bridge);
        let count = if bridge { 2 } else { 1 };
        if bridge {
            in_ns(&fw_ns, &["ip", "link", "add", &name, "type", "bridge"])?;
        }
        for n in 0..count {
            let host_ns = format!("{}-h{index}{n}", self.prefix);
            self.add_namespace(&host_ns)?;
            let fw_side = if bridge {
                format!("v{index}p{n}")
            } else {
                name.clone()
            };
            let mac = link_host_mac(index, n);
            sh(&[
                "ip",
                "-n",
                &fw_ns,
                "link",
                "add",
                &fw_side,
                "type",
                "veth",
                "peer",
                "name",
                "eth0",
                "address",
                &mac.to_string(),
                "netns",
                &host_ns,
            ])?;
            if bridge {
                in_ns(&fw_ns, &["ip", "link", "set", &fw_side, "master", &name])?;
            }
            in_ns(&fw_ns, &["ip", "link", "set", &fw_side, "up"])?;
            let mut addresses = Vec::new();
            in_ns(&host_ns, &["ip", "link", "set", "lo", "up"])?;
            for net in &networks {
                let address = Self::link_host_address(model, index, net, n as u32);
                in_ns(
                    &host_ns,
                    &[
                        "ip",
                        "addr",
                        "add",
                        &with_prefix(address, net),
                        "dev",
                        "eth0",
                        "nodad",
                    ],
                )?;
                addresses.push(address);
            }
            in_ns(&host_ns, &["ip", "link", "set", "eth0", "up"])?;
            for net in &networks {
                let gateway = nth_host(net, 0).to_string();
                let family = if matches!(net, IpNet::V6(_)) {
                    "-6"
                } else {
                    "-4"
                };
                in_ns(
                    &host_ns,
                    &["ip", family, "route", "add", "default", "via", &gateway],
                )?;
            }
            // On an interface of no zone the link's own host has an address
            // no hosts entry claims (unless the link's network is a zone's),
            // in every family alike: the lab gives a host one zone.
            let zone = match interface.zone {
                Some(zone) => Some(ZoneId::Zone(zone)),
                None => Self::claimed_by(model, index, &addresses)?,
            };
            let name = zone.map_or_else(
                || format!("{}(no zone)", interface.name),
                |z| model.zone_name(z).to_owned(),
            );
            self.hosts.push(Host {
                label: format!(
                    "{name}#{}",
                    self.hosts.iter().filter(|h| h.zone == zone).count() + 1
                ),
                netns: host_ns,
                zone,
                addresses,
                extra: Vec::new(),
                interface: Some(index),
                router: None,
                mac: Some(mac),
                over: None,
            });
        }
        let mut firewall = Vec::new();
        for net in &networks {
            let address = nth_host(net, 0);
            in_ns(
                &fw_ns,
                &[
                    "ip",
                    "addr",
                    "add",
                    &with_prefix(address, net),
                    "dev",
                    &name,
                    "nodad",
                ],
            )?;
            firewall.push(address);
        }
        in_ns(&fw_ns, &["ip", "link", "set", &name, "up"])?;
        if bridge {
            in_ns(&fw_ns, &["ethtool", "-K", &name, "tx", "off"])?;
        }
        self.firewall.addresses.extend(firewall.iter().copied());
        self.links.push(Link { firewall, networks });
        Ok(())
    }

    /// The address of the link's n-th host: the n-th of the network after
    /// the firewall's, or on an interface of a zone, the n-th after it
    /// that no hosts entry on the interface holds (a nested zone's hosts
    /// over the test range, `adm:loc` on `eth1:198.18.1.0/25`, would
    /// otherwise share it with the link host, which is the zone's).
    fn link_host_address(model: &Model, index: usize, net: &IpNet, n: u32) -> IpAddr {
        let first = nth_host(net, 1 + n);
        if model.interfaces[index].zone.is_none() {
            return first;
        }
        let held =
            |address: &IpAddr| {
                model.zones.iter().flat_map(|z| &z.hosts).any(|h| {
                    h.interface == index && h.networks.iter().any(|hn| hn.contains(address))
                })
            };
        (0..4096)
            .map(|k| nth_host(net, 1 + k))
            .filter(|a| net.contains(a) && !held(a))
            .nth(n as usize)
            .unwrap_or(first)
    }

    /// The zone whose hosts on an interface of no zone hold the link
    /// host's addresses; an error when its families' addresses are not
    /// all one zone's (or all no zone's).
    fn claimed_by(model: &Model, index: usize, addresses: &[IpAddr]) -> Result<Option<ZoneId>> {
        let claim = |address: &IpAddr| {
            model
                .zones
                .iter()
                .position(|z| {
                    z.hosts.iter().any(|h| {
                        h.interface == index && h.networks.iter().any(|n| n.contains(address))
                    })
                })
                .map(ZoneId::Zone)
        };
        let zones: Vec<Option<ZoneId>> = addresses.iter().map(claim).collect();
        match zones.split_first() {
            None => Ok(None),
            Some((first, rest)) if rest.iter().all(|z| z == first) => Ok(*first),
            Some(_) => Err(format!(
                "interface {}: the lab's host on it would be of one zone in one family and \
                 of another in the other (its networks and the hosts entries on it differ by \
                 family); give the interface networks that one zone's hosts hold in both, or \
                 none",
                model.interfaces[index].name
            )),
        }
    }

    /// Addresses named by rules, blacklist entries and port forwards
    /// become addresses of the first host of their zone, routed by the
    /// firewall.
    fn add_extra_addresses(&mut self, model: &Model) -> Result<()> {
        let mut wanted: Vec<(ZoneId, IpNet)> = Vec::new();
        // `zone:eth1:ADDRESS`: the host on that interface takes it.
        let mut on_interface: Vec<(IpNet, usize)> = Vec::new();
        for rule in model.rules.iter().chain(&model.blacklist) {
            for endpoint in [&rule.source, &rule.dest] {
                if let ZoneRef::One(zone @ ZoneId::Zone(_)) = endpoint.zone {
                    // An address left out gets a host too, so the lab
                    // sends from both sides of the exclusion.
                    // An ipset's elements likewise: the lab sends from a
                    // member and from the zone's other addresses.
                    let members = endpoint
                        .ipset
                        .iter()
                        .flat_map(|set| &model.ipsets[set.index].elements);
                    let written =
                        (endpoint.addresses.iter().chain(&endpoint.excluded)).chain(members);
                    wanted.extend(written.clone().map(|a| (zone, *a)));
                    if let Some(index) = endpoint.interface {
                        on_interface.extend(written.map(|a| (*a, index)));
                    }
                }
            }
        }
        // An address a hosts entry leaves out (`except`) is the
        // interface's own zone's: a host of it there, so the lab sends
        // from both sides of the exclusion.
        for zone in &model.zones {
            for hosts in &zone.hosts {
                let owner = model.interfaces[hosts.interface].zone;
                let (Some(owner), Some(exclusion)) = (owner, &hosts.exclusion) else {
                    continue;
                };
                for net in &exclusion.except {
                    wanted.push((ZoneId::Zone(owner), *net));
                    on_interface.push((*net, hosts.interface));
                }
            }
        }
        // A tunnel's gateways are hosts of its zone: the lab sends from
        // them and from the zone's other addresses.
        for tunnel in &model.tunnels {
            let zone = ZoneId::Zone(tunnel.zone);
            wanted.extend(tunnel.gateways.iter().map(|a| (zone, *a)));
        }
        // Masqueraded and SNATed sources are not tied to a zone: they go to
        // the first zone that reaches the NAT's interface from elsewhere, so
        // the translation is exercised (lxc-host masquerades 10.0.0.0/8
        // without declaring the bridge's network). A network several
        // entries translate (thetechstech-fail2ban: 172.17.0.0/16 SNATed
        // out docker0 and masqueraded out eth0) goes to a zone behind none
        // of their interfaces where there is one, so every translation is
        // crossed from its one host.
        for snat in &model.snats {
            let out = model.interfaces[snat.interface].zone;
            let zones = || model.interfaces.iter().filter_map(|i| i.zone);
            // An exclusion's sources as written and the addresses left
            // out, so the lab sends from both sides of it.
            let written: Vec<IpNet> = match &snat.exclusion {
                Some(e) => e.networks.iter().chain(&e.except).copied().collect(),
                None => snat.sources.clone(),
            };
            // A left-out address on a link is its zone's host there.
            for net in snat.exclusion.iter().flat_map(|e| &e.except) {
                let address = representative(net);
                let link = (self.links.iter())
                    .position(|l| l.networks.iter().any(|n| n.contains(&address)));
                if let Some(zone) = link.and_then(|i| model.interfaces[i].zone) {
                    wanted.push((ZoneId::Zone(zone), *net));
                }
            }
            for net in &written {
                let address = representative(net);
                let on_some_link = self
                    .links
                    .iter()
                    .any(|l| l.networks.iter().any(|n| n.contains(&address)));
                if on_some_link {
                    continue;
                }
                let outs: Vec<Option<usize>> = model
                    .snats
                    .iter()
                    .filter(|s| taken_by(s, &address))
                    .map(|s| model.interfaces[s.interface].zone)
                    .collect();
                let zone = zones()
                    .find(|&zone| !outs.contains(&Some(zone)))
                    .or_else(|| zones().find(|&zone| Some(zone) != out));
                if let Some(zone) = zone {
                    wanted.push((ZoneId::Zone(zone), *net));
                }
            }
        }
        for dnat in &model.dnats {
            if let ZoneRef::One(zone @ ZoneId::Zone(_)) = dnat.source.zone {
                wanted.extend(dnat.source.addresses.iter().map(|a| (zone, *a)));
            }
            wanted.push((ZoneId::Zone(dnat.dest), IpNet::from(dnat.to)));
        }
        for nat in &model.one_to_one {
            wanted.push((ZoneId::Zone(nat.zone), IpNet::from(nat.internal)));
        }
        for (zone, net) in wanted {
            let address = representative(&net);
            // A multicast group (macro.mDNS's 224.0.0.251) is no host's
            // address; the lab's probes are unicast and meet it as a
            // destination they never have.
            if address.is_multicast() {
                continue;
            }
            // An address is at one place of a network: the firewall routes
            // it to one host. A second host given it would take that route
            // from the first, whose packets then fail the reverse-path
            // check (`routefilter`) and whose replies reach the other host,
            // a network no firewall meets. The first host keeps it.
            let held = |h: &Host| h.addresses.contains(&address) || h.extra.contains(&address);
            if held(&self.firewall) || self.hosts.iter().any(held) {
                continue;
            }
            let interface = on_interface
                .iter()
                .find(|(n, _)| *n == net)
                .map(|(_, index)| *index);
            let host = match interface {
                Some(index) => self
                    .hosts
                    .iter_mut()
                    .find(|h| h.zone == Some(zone) && h.interface == Some(index)),
                None => self.hosts.iter_mut().find(|h| h.zone == Some(zone)),
            };
            let Some(host) = host else {
                continue;
            };
            let link = &self.links[host.interface.unwrap_or_default()];
            let full = if address.is_ipv6() { 128 } else { 32 };
            let single = format!("{address}/{full}");
            // A hosts entry's host holds the address alone: the firewall
            // reaches it on the link and every host of the link by the
            // firewall, as its own addresses are.
            let on_link = match host.router {
                Some(_) => None,
                None => link.networks.iter().find(|n| n.contains(&address)),
            };
            let spec = on_link.map_or(single.clone(), |n| with_prefix(address, n));
            in_ns(
                &host.netns,
                &["ip", "addr", "add", &spec, "dev", "eth0", "nodad"],
            )?;
            host.extra.push(address);
            let host = host.clone();
            let index = host.interface.unwrap_or_default();
            if host.router.is_some() {
                self.route_by_firewall(model, index, &single)?;
                continue;
            }
            let via = host
                .addresses
                .iter()
                .find(|a| a.is_ipv6() == address.is_ipv6());
            if let (None, Some(via)) = (on_link, via) {
                let name = link_name(&model.interfaces[index], index);
                in_ns(
                    &self.firewall.netns,
                    &[
                        "ip",
                        "route",
                        "replace",
                        &single,
                        "via",
                        &via.to_string(),
                        "dev",
                        &name,
                    ],
                )?;
            }
        }
        Ok(())
    }

    /// A firewall interface a rule names with `&IFACE`, or an `SNAT(detect)`
    /// translates to, gets a second IPv4
    /// address after its first (`ip addr add ADDR/32`): the lab probes
    /// both, and only the first is the interface's address. Then the
    /// first address of each is read as apply reads it.
    fn add_second_addresses(&mut self, model: &Model) -> Result<()> {
        let rules = model
            .rules
            .iter()
            .flat_map(|r| [r.source.interface_address, r.dest.interface_address])
            .flatten();
        // `SNAT(detect)`: the receiver sees which of the two is used.
        let detects = model
            .snats
            .iter()
            .filter(|s| s.target == crate::model::SnatTarget::Detect && s.device.is_none())
            .map(|s| s.interface);
        let named: BTreeSet<usize> = rules.chain(detects).collect();
        for index in named {
            let interface = &model.interfaces[index];
            let name = link_name(interface, index);
            let Some(link) = self.links.get_mut(index) else {
                continue;
            };
            let Some(net) = link.networks.iter().find(|n| !n.addr().is_ipv6()) else {
                continue;
            };
            let second = nth_host(net, 200);
            in_ns(
                &self.firewall.netns,
                &[
                    "ip",
                    "addr",
                    "add",
                    &format!("{second}/32"),
                    "dev",
                    &name,
                    "nodad",
                ],
            )?;
            link.firewall.push(second);
            self.firewall.extra.push(second);
            let first = crate::nft_defines::first_address(&name, Some(&self.firewall.netns))?;
            self.interface_addresses.insert(name, first);
        }
        Ok(())
    }

    /// A port forward's ORIGDEST addresses are the firewall's, on every
    /// interface it forwards from (after its primary address there), so
    /// the lab sends to them and to the primary address alike.
    fn add_origdest_addresses(&mut self, model: &Model) -> Result<()> {
        for dnat in &model.dnats {
            for (index, interface) in model.interfaces.iter().enumerate() {
                if !interface
                    .zone
                    .is_some_and(|zone| dnat.forwards_from(ZoneId::Zone(zone)))
                {
                    continue;
                }
                for net in dnat.origdest.networks() {
                    self.add_firewall_address(model, index, origdest_address(net))?;
                }
            }
        }
        Ok(())
    }

    /// The addresses an SNAT entry translates to, and the external
    /// addresses of one-to-one NAT, that lie in their interface's lab
    /// network are the firewall's on that link, as the admin's firewall
    /// holds them (or Shorewall's ADD_SNAT_ALIASES and ADD_IP_ALIASES add
    /// them): the packets sent to them are answered by ARP there.
    /// Addresses outside the link's networks reach the firewall by the
    /// hosts' default route. At most 256 of a range; none a lab host holds.
    fn add_nat_addresses(&mut self, model: &Model) -> Result<()> {
        let snats = model.snats.iter().filter_map(|snat| {
            let to = snat.target.address()?;
            let addresses = addresses_between(to.first, to.last).take(256);
            Some(addresses.map(|address| (snat.interface, address)))
        });
        let one_to_one = model
            .one_to_one
            .iter()
            .map(|nat| (nat.interface, nat.external));
        let wanted: Vec<(usize, IpAddr)> = snats.flatten().chain(one_to_one).collect();
        for (index, address) in wanted {
            let held = self.firewall.addresses.contains(&address)
                || (self.hosts.iter())
                    .any(|h| h.addresses.contains(&address) || h.extra.contains(&address));
            let on_link = (self.links.get(index))
                .is_some_and(|link| link.networks.iter().any(|n| n.contains(&address)));
            if !held && on_link {
                self.add_firewall_address(model, index, address)?;
            }
        }
        Ok(())
    }

    /// `address` is the firewall's on the link of `model.interfaces[index]`
    /// (once).
    fn add_firewall_address(&mut self, model: &Model, index: usize, address: IpAddr) -> Result<()> {
        let Some(link) = self.links.get_mut(index) else {
            return Ok(());
        };
        if link.firewall.contains(&address) {
            return Ok(());
        }
        let full = if address.is_ipv6() { 128 } else { 32 };
        let spec = format!("{address}/{full}");
        let name = link_name(&model.interfaces[index], index);
        in_ns(
            &self.firewall.netns,
            &["ip", "addr", "add", &spec, "dev", &name, "nodad"],
        )?;
        link.firewall.push(address);
        Ok(())
    }

    /// A zone's hosts (networks on an interface of another zone) are one
    /// more lab host on that interface's link: a namespace of its own on a
    /// macvlan of the link host's side of the link, so the firewall sees
    /// its packets come in and go out on the interface from an address of
    /// the hosts' network, one of each family the entry names. It holds
    /// that address alone and sends everything by the firewall, and the
    /// link's hosts send it theirs by the firewall too, as hosts of
    /// networks that share a link use their gateway: every pair of zones
    /// on the interface crosses the firewall, which decides by
    /// `routeback`.
    ///
    /// A hosts entry on a wildcard (`ppp+`) has one more host on the link
    /// of each named interface the wildcard covers (ppp7), in the entry's
    /// network, of the named interface's zone: Shorewall's dispatch of
    /// ppp7 passes through ppp+'s too (`-i ppp+` matches ppp7), and the
    /// lab sends from there to see that it gives ppp+'s hosts nothing of
    /// ppp7, as fwgen's nftables (the analyzer refuses the zone orders
    /// where it would: `wildcard-hosts-over-named`).
    fn add_zone_hosts(&mut self, model: &Model) -> Result<()> {
        let mut made = 0;
        for (zone, entry) in model.zones.iter().enumerate() {
            for hosts in &entry.hosts {
                let label = format!("{}#", entry.name);
                let zone = Some(ZoneId::Zone(zone));
                self.add_hosts_host(model, (zone, label), hosts.interface, hosts, &mut made)?;
                let wildcard = &model.interfaces[hosts.interface];
                for (named, interface) in model.interfaces.iter().enumerate() {
                    if wildcard.covers_named(interface) {
                        let label = format!("{}@{}#", entry.name, interface.name);
                        let zone = interface.zone.map(ZoneId::Zone);
                        self.add_hosts_host(model, (zone, label), named, hosts, &mut made)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// One lab host on the link of `model.interfaces[interface]`, addressed
    /// in the networks of `hosts`, of `zone`, labelled `label` and a count.
    fn add_hosts_host(
        &mut self,
        model: &Model,
        (zone, label): (Option<ZoneId>, String),
        interface: usize,
        hosts: &crate::model::Hosts,
        made: &mut usize,
    ) -> Result<()> {
        let Some(router) = self.hosts.iter().find(|h| h.interface == Some(interface)) else {
            return Ok(());
        };
        let router = router.netns.clone();
        // One address of each family the entry names and the link
        // carries (the firewall is its gateway).
        let link = &self.links[interface];
        let placed: Vec<(IpNet, IpAddr)> = [false, true]
            .into_iter()
            .filter_map(|ipv6| {
                let net = hosts.networks.iter().find(|n| n.addr().is_ipv6() == ipv6)?;
                let gateway = link.firewall.iter().find(|a| a.is_ipv6() == ipv6)?;
                Some((*net, *gateway))
            })
            .collect();
        if placed.is_empty() {
            return Ok(());
        }
        let host_ns = format!("{}-z{made}", self.prefix);
        let side = format!("hz{made}");
        *made += 1;
        self.add_namespace(&host_ns)?;
        Self::add_hosts_link(&router, &host_ns, &side)?;
        let mut addresses = Vec::new();
        for (net, gateway) in placed {
            // The entry's first address no lab host holds: the link
            // host of an interface of no zone may hold the
            // representative already (its address is the zone's).
            let held = |a: &IpAddr| {
                self.firewall.addresses.contains(a)
                    || self
                        .hosts
                        .iter()
                        .any(|h| h.addresses.contains(a) || h.extra.contains(a))
            };
            let address = (0..4096)
                .map(|k| nth_host(&net, 1 + k))
                .find(|a| net.contains(a) && !held(a))
                .unwrap_or_else(|| representative(&net));
            let (family, full) = if address.is_ipv6() {
                ("-6", 128)
            } else {
                ("-4", 32)
            };
            let spec = format!("{address}/{full}");
            in_ns(
                &host_ns,
                &["ip", "addr", "add", &spec, "dev", "eth0", "nodad"],
            )?;
            let gateway = gateway.to_string();
            in_ns(
                &host_ns,
                &[
                    "ip", family, "route", "add", "default", "via", &gateway, "dev", "eth0",
                    "onlink",
                ],
            )?;
            // The entry's own interface takes its network; another's (a
            // named interface its wildcard covers) this address alone.
            let routed = if hosts.interface == interface {
                net.trunc().to_string()
            } else {
                spec.clone()
            };
            self.route_by_firewall(model, interface, &routed)?;
            addresses.push(address);
        }
        let count = self
            .hosts
            .iter()
            .filter(|h| h.label.starts_with(&label))
            .count();
        self.hosts.push(Host {
            label: format!("{label}{}", count + 1),
            netns: host_ns,
            zone,
            addresses,
            extra: Vec::new(),
            interface: Some(interface),
            router: Some(router),
            mac: None,
            over: (hosts.interface != interface).then_some(hosts.interface),
        });
        Ok(())
    }

    /// A hosts namespace's side of the link: a macvlan (bridge mode) of
    /// the link host's eth0, eth0 in the namespace. It takes no ICMP
    /// redirect: the firewall that routes between zones on one link tells
    /// it of a shorter way to the link's other hosts, which the lab's
    /// probes must not take.
    fn add_hosts_link(router_ns: &str, host_ns: &str, side: &str) -> Result<()> {
        sh(&[
            "ip", "-n", router_ns, "link", "add", side, "link", "eth0", "type", "macvlan", "mode",
            "bridge",
        ])?;
        sh(&["ip", "-n", router_ns, "link", "set", side, "netns", host_ns])?;
        in_ns(host_ns, &["ip", "link", "set", side, "name", "eth0"])?;
        for redirects in [
            "net.ipv4.conf.all.accept_redirects=0",
            "net.ipv4.conf.eth0.accept_redirects=0",
            "net.ipv6.conf.all.accept_redirects=0",
            "net.ipv6.conf.eth0.accept_redirects=0",
        ] {
            in_ns(host_ns, &["sysctl", "-qw", redirects])?;
        }
        in_ns(host_ns, &["ip", "link", "set", "lo", "up"])?;
        in_ns(host_ns, &["ip", "link", "set", "eth0", "up"])
    }

    /// A hosts namespace's address or network (`destination`) on an
    /// interface's link: the firewall reaches it on the link, and the
    /// link's own hosts by the firewall (their connected network may hold
    /// it, and would take them to it directly).
    fn route_by_firewall(&self, model: &Model, interface: usize, destination: &str) -> Result<()> {
        let ipv6 = destination.contains(':');
        let family = if ipv6 { "-6" } else { "-4" };
        let name = link_name(&model.interfaces[interface], interface);
        in_ns(
            &self.firewall.netns,
            &["ip", family, "route", "replace", destination, "dev", &name],
        )?;
        let Some(gateway) = self.links[interface]
            .firewall
            .iter()
            .find(|a| a.is_ipv6() == ipv6)
            .map(ToString::to_string)
        else {
            return Ok(());
        };
        let link_hosts = self
            .hosts
            .iter()
            .filter(|h| h.interface == Some(interface) && h.router.is_none());
        for host in link_hosts {
            in_ns(
                &host.netns,
                &[
                    "ip",
                    family,
                    "route",
                    "replace",
                    destination,
                    "via",
                    &gateway,
                    "dev",
                    "eth0",
                ],
            )?;
        }
        Ok(())
    }

    /// The one zone without declared networks (the internet) gets the
    /// firewall's default route.
    fn add_default_route(&mut self, model: &Model) -> Result<()> {
        let open: Vec<&Host> = self
            .hosts
            .iter()
            .filter(|h| {
                h.interface
                    .is_some_and(|i| model.interfaces[i].networks.is_empty())
            })
            .collect();
        if let [host] = open.as_slice() {
            for address in &host.addresses {
                let family = if address.is_ipv6() { "-6" } else { "-4" };
                in_ns(
                    &self.firewall.netns,
                    &[
                        "ip",
                        family,
                        "route",
                        "add",
                        "default",
                        "via",
                        &address.to_string(),
                    ],
                )?;
            }
        }
        Ok(())
    }

    /// The firewall's address on the link to a host, of a family.
    pub fn firewall_address_towards(&self, host: &Host, ipv6: bool) -> Option<IpAddr> {
        let link = &self.links[host.interface?];
        link.firewall.iter().copied().find(|a| a.is_ipv6() == ipv6)
    }

    pub fn all_hosts(&self) -> Vec<&Host> {
        std::iter::once(&self.firewall).chain(&self.hosts).collect()
    }

    /// Wait (at most 5 s) until IPv6 neighbour discovery works on every
    /// link: each interface with a global IPv6 address has a link-local
    /// one, and no address is tentative. The kernel adds a link-local
    /// address when it sees the link's carrier, up to a second after the
    /// link comes up; until then it sends no neighbour solicitation for a
    /// packet it forwards (the packet's source is not the interface's),
    /// the neighbour fails, and every later probe towards that host saw
    /// DROP in a contestant quick to start. A namespace whose IPv6 a
    /// contestant disabled (Shorewall's DISABLE_IPV6) has nothing to wait
    /// for.
    pub fn wait_for_link_locals(&self) -> Result<()> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let mut unready = None;
            for netns in &self.namespaces {
                let (ok, out) = run("ip", &["-n", netns, "-6", "-o", "addr", "show"])?;
                if !ok {
                    return Err(format!("ip -n {netns} -6 addr show failed: {out}"));
                }
                if let Some(device) = link_local_unready(&out) {
                    unready = Some(format!("{device} in {netns}"));
                    break;
                }
            }
            match unready {
                None => return Ok(()),
                Some(where_) if std::time::Instant::now() > deadline => {
                    return Err(format!(
                        "the lab's link-local IPv6 address of {where_} is not ready after 5 s"
                    ));
                }
                Some(_) => std::thread::sleep(std::time::Duration::from_millis(20)),
            }
        }
    }
}

/// The first device of `ip -o -6 addr show`'s output with a tentative
/// address, or with a global address but no link-local one.
fn link_local_unready(addresses: &str) -> Option<&str> {
    let lines: Vec<Vec<&str>> = addresses
        .lines()
        .map(|l| l.split_whitespace().collect())
        .filter(|words: &Vec<&str>| words.len() > 1)
        .collect();
    let of = |device: &str, scope: &str| {
        lines
            .iter()
            .any(|w| w[1] == device && w.windows(2).any(|p| p == ["scope", scope]))
    };
    lines
        .iter()
        .find(|w| w.contains(&"tentative") || (of(w[1], "global") && !of(w[1], "link")))
        .map(|w| w[1])
}

impl Drop for Topology {
    fn drop(&mut self) {
        for netns in &self.namespaces {
            let _ = run("ip", &["netns", "del", netns]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::link_local_unready;

    #[test]
    fn a_link_is_ready_with_a_link_local_address_that_is_not_tentative() {
        let ready = "1: lo    inet6 ::1/128 scope host \\       valid_lft forever\n\
            2: eth0    inet6 fd00:66::2/64 scope global nodad \\       valid_lft forever\n\
            2: eth0    inet6 fe80::1/64 scope link \\       valid_lft forever\n\
            3: eth1    inet6 fe80::2/64 scope link \\       valid_lft forever\n";
        assert_eq!(link_local_unready(ready), None);
        let no_link_local = "1: lo    inet6 ::1/128 scope host \\       valid_lft forever\n\
            2: eth0    inet6 fd00:66::2/64 scope global nodad \\       valid_lft forever\n\
            3: eth1    inet6 fe80::2/64 scope link \\       valid_lft forever\n";
        assert_eq!(link_local_unready(no_link_local), Some("eth0"));
        let tentative = "2: eth0    inet6 fd00:66::2/64 scope global nodad \\       valid_lft forever\n\
            2: eth0    inet6 fe80::1/64 scope link \\       valid_lft forever\n\
            3: eth1    inet6 fe80::2/64 scope link tentative \\       valid_lft forever\n";
        assert_eq!(link_local_unready(tentative), Some("eth1"));
        // An interface of IPv4 alone needs no link-local address.
        assert_eq!(link_local_unready(""), None);
    }
}
