//! Zones' hosts: networks on interfaces of other zones (shorewall-hosts(5)).

use super::*;
use crate::config::RawHosts;
use crate::model::{Exclusion, Hosts};

impl Analyzer<'_> {
    /// Resolves every zone's hosts once the interfaces are known.
    pub(super) fn zone_hosts(&mut self, raw: &RawModel) {
        for (name, zone) in &raw.zones.0 {
            let Some(index) = self.zones.iter().position(|z| z.name == *name.get_ref()) else {
                continue;
            };
            let hosts: Vec<Hosts> = zone
                .hosts
                .iter()
                .filter_map(|h| self.hosts(index, h))
                .collect();
            self.zones[index].hosts = hosts;
            self.check_every_address_entries(index, &zone.hosts);
        }
    }

    /// Every address (`0.0.0.0/0`, `::/0`) in one of a zone's entries on an
    /// interface, beside another network of its family in that entry or in
    /// another entry of the zone there: Shorewall refuses the second
    /// ("Duplicate Host Group", Zones.pm add_group_to_zone), in either order.
    fn check_every_address_entries(&mut self, zone: usize, raw: &[RawHosts]) {
        let parsed: Vec<Vec<(IpNet, Range<usize>)>> = (raw.iter())
            .map(|h| {
                (h.networks.iter())
                    .filter_map(|n| Some((parse_network(n.get_ref().trim()).ok()?, n.span())))
                    .collect()
            })
            .collect();
        let is_v6 = |n: &IpNet| matches!(n, IpNet::V6(_));
        for (at, entry) in raw.iter().enumerate() {
            let own = &parsed[at];
            let family = |n: &IpNet| own.iter().filter(|(o, _)| is_v6(o) == is_v6(n)).count();
            let beside_other = |every: &IpNet| {
                (raw.iter().zip(&parsed).enumerate()).any(|(other, (h, nets))| {
                    other != at
                        && h.interface.get_ref() == entry.interface.get_ref()
                        && nets.iter().any(|(n, _)| is_v6(n) == is_v6(every))
                })
            };
            let found = (own.iter())
                .find(|(n, _)| n.prefix_len() == 0 && (family(n) > 1 || beside_other(n)));
            if let Some((every, span)) = found {
                let kind = ErrorKind::HostsEveryAddressBeside {
                    zone: self.zones[zone].name.clone(),
                    interface: entry.interface.get_ref().clone(),
                    network: every.to_string(),
                };
                self.error(Some(span.clone()), kind);
            }
        }
    }

    fn hosts(&mut self, zone: usize, raw: &RawHosts) -> Option<Hosts> {
        let names_set = raw
            .networks
            .iter()
            .any(|n| n.get_ref().trim_start().starts_with(['+', '!']));
        if names_set {
            return self.set_hosts(zone, raw);
        }
        let networks: Vec<IpNet> = raw
            .networks
            .iter()
            .filter_map(|n| self.network(n.get_ref(), n.span()))
            .collect();
        self.check_networks_family(&networks, &raw.networks, zone);
        let zone_name = self.zones[zone].name.clone();
        if raw.networks.is_empty() {
            let kind = ErrorKind::EmptyHosts {
                zone: zone_name.clone(),
            };
            self.error(Some(raw.interface.span()), kind);
        }
        let interface = self.hosts_interface(zone, raw)?;
        if networks.len() != raw.networks.len() || networks.is_empty() {
            return None;
        }
        self.check_hosts_take_interface(zone, interface, raw, &networks);
        let (networks, exclusion) = match raw.except.is_empty() {
            true => (networks, None),
            false => self.hosts_except(zone, raw, networks)?,
        };
        Some(Hosts {
            interface,
            networks,
            exclusion,
            ipset: None,
            destonly: raw.destonly.as_ref().is_some_and(|d| *d.get_ref()),
            routeback: raw.routeback.as_ref().is_some_and(|r| *r.get_ref()),
            tcpflags: raw.tcpflags.as_ref().is_some_and(|t| *t.get_ref()),
        })
    }

    /// `except` (shorewall-hosts(5)'s exclusion): the networks but the
    /// addresses left out, each inside some network, not all of them.
    fn hosts_except(
        &mut self,
        zone: usize,
        raw: &RawHosts,
        networks: Vec<IpNet>,
    ) -> Option<(Vec<IpNet>, Option<Exclusion>)> {
        let mut except = Vec::new();
        for item in &raw.except {
            let net = self.network(item.get_ref(), item.span())?;
            if !networks.iter().any(|n| n.contains(&net) || net.contains(n)) {
                self.hosts_except_error(
                    zone,
                    item,
                    "lies outside the entry's networks: it leaves nothing out",
                );
                return None;
            }
            except.push(net);
        }
        let remaining = addresses::subtract(&networks, &except);
        if remaining.is_empty() {
            let last = raw.except.last().expect("except is not empty");
            self.hosts_except_error(
                zone,
                last,
                "leaves out the last of the entry's networks: the entry would hold no address",
            );
            return None;
        }
        Some((remaining, Some(Exclusion { networks, except })))
    }

    fn hosts_except_error(&mut self, zone: usize, item: &Spanned<String>, reason: &'static str) {
        let kind = ErrorKind::HostsExcept {
            zone: self.zones[zone].name.clone(),
            text: item.get_ref().clone(),
            reason,
        };
        self.error(Some(item.span()), kind);
    }

    /// `eth0:+bo` (`networks = ["+bo"]`): the members of one `[[ipset]]`
    /// of the zone's family, the entry's only network.
    fn set_hosts(&mut self, zone: usize, raw: &RawHosts) -> Option<Hosts> {
        let first = &raw.networks[0];
        let set = if raw.networks.len() > 1 {
            let kind = ErrorKind::IpsetReference {
                text: first.get_ref().clone(),
                reason: "a hosts entry naming an ipset names that set alone: one `[[zones.NAME.hosts]]` entry per set or list of networks".to_owned(),
            };
            self.error(Some(first.span()), kind);
            None
        } else if first.get_ref().trim_start().starts_with('!') {
            let kind = ErrorKind::IpsetReference {
                text: first.get_ref().clone(),
                reason:
                    "a zone's hosts are the set's members, not every address but them (`!+NAME`)"
                        .to_owned(),
            };
            self.error(Some(first.span()), kind);
            None
        } else {
            let zone_ref = Some(ZoneRef::One(ZoneId::Zone(zone)));
            self.ipset_list(first, 0, first.get_ref(), zone_ref)
                .flatten()
        };
        if let Some(item) = raw.except.first() {
            let reason = "beside an ipset: a zone's hosts are the set's members, whatever it holds";
            self.hosts_except_error(zone, item, reason);
            return None;
        }
        let interface = self.hosts_interface(zone, raw)?;
        let set = set?;
        Some(Hosts {
            interface,
            networks: self.ipsets[set.index].elements.clone(),
            exclusion: None,
            ipset: Some(set.index),
            destonly: raw.destonly.as_ref().is_some_and(|d| *d.get_ref()),
            routeback: raw.routeback.as_ref().is_some_and(|r| *r.get_ref()),
            tcpflags: raw.tcpflags.as_ref().is_some_and(|t| *t.get_ref()),
        })
    }

    /// A hosts entry of every address on an interface of no zone makes
    /// the interface its zone's (Zones.pm add_group_to_zone: `ALLIP`
    /// sets the interface's zone), and Shorewall then applies none of
    /// the interface's own `maclist`, `nosmurfs` and `tcpflags`
    /// (find_hosts_by_option takes an interface's option only while it
    /// has no zone): refused, where fwgen's nftables would apply them.
    fn check_hosts_take_interface(
        &mut self,
        zone: usize,
        interface: usize,
        raw: &RawHosts,
        networks: &[IpNet],
    ) {
        let taken = &self.interfaces[interface];
        if taken.zone.is_some() {
            return;
        }
        let options = [
            InterfaceOption::Maclist,
            InterfaceOption::Nosmurfs,
            InterfaceOption::Tcpflags,
        ];
        let mut found = Vec::new();
        for (net, written) in networks.iter().zip(&raw.networks) {
            if net.prefix_len() != 0 {
                continue;
            }
            let ipv6 = matches!(net, IpNet::V6(_));
            // maclist is IPv4's alone (Interface::maclist).
            let lost: Vec<String> = options
                .into_iter()
                .filter(|&o| taken.has_for(o, ipv6) && !(ipv6 && o == InterfaceOption::Maclist))
                .map(|o| format!("`{o}`"))
                .collect();
            if !lost.is_empty() {
                let kind = ErrorKind::HostsTakeInterface {
                    zone: self.zones[zone].name.clone(),
                    interface: taken.name.clone(),
                    options: lost.join(", "),
                    network: net.to_string(),
                };
                found.push((written.span(), kind));
            }
        }
        for (span, kind) in found {
            self.error(Some(span), kind);
        }
    }

    /// The hosts entry's interface: one of another zone declared after
    /// this one and holding every family of this one, or of no zone.
    fn hosts_interface(&mut self, zone: usize, raw: &RawHosts) -> Option<usize> {
        let zone_name = self.zones[zone].name.clone();
        let name = raw.interface.get_ref();
        let Some(interface) = self.interfaces.iter().position(|i| i.name == *name) else {
            let kind = ErrorKind::UnknownInterface {
                name: name.clone(),
                known: self.interfaces.iter().map(|i| i.name.clone()).collect(),
            };
            self.error(Some(raw.interface.span()), kind);
            return None;
        };
        let owner = self.interfaces[interface].zone;
        let family = self.zones[zone].family;
        // In either order: the interface carries its zone's families alone
        // (a zone nested in the owner is refused as nested-family).
        let lacking = owner
            .filter(|&o| !self.nested_in(zone, o))
            .and_then(|owner| {
                let other = self.zones[owner].family;
                [false, true]
                    .into_iter()
                    .find(|&v6| family.has(v6) && !other.has(v6))
                    .map(|v6| (owner, if v6 { "IPv6" } else { "IPv4" }))
            });
        let kind = if owner == Some(zone) {
            Some(ErrorKind::HostsOnOwnInterface {
                zone: zone_name,
                interface: name.clone(),
            })
        } else if let Some((owner, lacked)) = lacking {
            Some(ErrorKind::HostsOtherFamily {
                zone: zone_name,
                interface: name.clone(),
                owner: self.zones[owner].name.clone(),
                family: lacked,
            })
        } else if let Some(owner) = owner.filter(|&owner| owner < zone) {
            Some(ErrorKind::HostsAfterOwner {
                zone: zone_name,
                interface: name.clone(),
                owner: self.zones[owner].name.clone(),
            })
        } else {
            None
        };
        if let Some(kind) = kind {
            self.error(Some(raw.interface.span()), kind);
            return None;
        }
        Some(interface)
    }
}
