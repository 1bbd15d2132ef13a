//! A zone's members as the dispatch sees them: whole interfaces (the
//! interfaces file) and networks on an interface of another zone (the
//! hosts file). Zones are dispatched in model order; a packet belongs to
//! the first zone one of whose members matches it.

use ipnet::IpNet;

use crate::model::rule::is_ipv6;
use crate::model::{Interface, Ipset, Model, ZoneId};

use super::{Direction, Family, Match, Side};

/// One member of a zone, for one family.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    pub interface: &'a Interface,
    /// Index into `Model::interfaces`.
    pub index: usize,
    /// The zone's networks on the interface; empty for the whole interface.
    pub networks: &'a [IpNet],
    /// An ipset's hosts (`eth0:+bo`): matched by the set, `networks`
    /// being its elements as declared.
    pub ipset: Option<&'a Ipset>,
    /// A hosts member that is the zone's as a destination only
    /// (shorewall-hosts(5) `destonly`): no dispatch by its sources.
    pub destonly: bool,
    /// Whether the zone's traffic to this member may be dispatched back
    /// out of the interface it came in by (Misc.pm generate_matrix:
    /// `$hostref->{options}{routeback}`): a whole interface's `routeback`
    /// in the members' family (or `bridge`), a hosts entry's own
    /// `routeback`.
    pub routeback: bool,
}

impl Member<'_> {
    /// Whether the member is the whole interface.
    pub fn whole(&self) -> bool {
        self.networks.is_empty() && self.ipset.is_none()
    }

    /// The address match a dispatch adds for a hosts member: `ip saddr`
    /// coming in, `ip daddr` going out.
    pub fn address_match(&self, side: Side, ipv6: bool) -> Option<Match> {
        if let Some(set) = self.ipset {
            return (set.ipv6 == ipv6).then(|| set_match(set, side, false));
        }
        let nets: Vec<IpNet> = self
            .networks
            .iter()
            .filter(|n| is_ipv6(n) == ipv6)
            .copied()
            .collect();
        (!nets.is_empty()).then(|| Match::Address {
            family: Family::of(ipv6),
            direction: match side {
                Side::In => Direction::Source,
                Side::Out => Direction::Destination,
            },
            negated: false,
            nets,
        })
    }
}

/// `ip saddr @bo` coming in, `ip daddr @bo` going out (`!=` negated).
pub fn set_match(set: &Ipset, side: Side, negated: bool) -> Match {
    Match::Set {
        family: Family::of(set.ipv6),
        direction: match side {
            Side::In => Direction::Source,
            Side::Out => Direction::Destination,
        },
        negated,
        name: set.name.clone(),
        elements: set.elements.clone(),
    }
}

/// The members of a zone that carry a family: its interfaces, then its
/// hosts with networks of that family, in model order.
pub fn zone_members(model: &Model, zone: ZoneId, ipv6: bool) -> Vec<Member<'_>> {
    let ZoneId::Zone(index) = zone else {
        return Vec::new();
    };
    if !model.zones[index].family.has(ipv6) {
        return Vec::new();
    }
    let interfaces = model
        .interfaces
        .iter()
        .enumerate()
        .filter(|(_, i)| i.zone == Some(index))
        .map(|(at, interface)| Member {
            interface,
            index: at,
            networks: &[],
            ipset: None,
            destonly: false,
            routeback: interface.routeback(ipv6),
        });
    let hosts = model.zones[index]
        .hosts
        .iter()
        .filter(|h| match h.ipset {
            Some(set) => model.ipsets[set].ipv6 == ipv6,
            None => h.networks.iter().any(|n| is_ipv6(n) == ipv6),
        })
        .map(|h| Member {
            interface: &model.interfaces[h.interface],
            index: h.interface,
            networks: &h.networks,
            ipset: h.ipset.map(|set| &model.ipsets[set]),
            destonly: h.destonly,
            routeback: h.routeback,
        });
    interfaces.chain(hosts).collect()
}

/// Whether a zone's traffic to itself can pass the firewall: between two
/// of its interfaces, or back out of a routeback interface or hosts entry
/// of its own (Zones.pm's `$zoneref->{options}{in_out}{routeback}`).
pub fn intra_zone_forward(model: &Model, zone: usize) -> bool {
    let members = [false, true].map(|ipv6| zone_members(model, ZoneId::Zone(zone), ipv6));
    let routeback = members.iter().flatten().any(|m| m.routeback);
    interface_count(model, zone) > 1 || routeback
}

/// Whether a hosts entry on `model.interfaces[index]` with networks of the
/// family has `routeback`: Zones.pm (add_group_to_zone) then sets the
/// interface's own `routeback`, which lifts its sfilter for every zone
/// on it, in that family's compiler.
pub fn hosts_routeback(model: &Model, index: usize, ipv6: bool) -> bool {
    (0..model.zones.len()).any(|zone| {
        zone_members(model, ZoneId::Zone(zone), ipv6)
            .iter()
            .any(|m| !m.whole() && m.index == index && m.routeback)
    })
}

/// How many interfaces a zone's members are on, of either family
/// (Shorewall's `keys %{$zoneref->{interfaces}}`, generate_matrix).
pub fn interface_count(model: &Model, zone: usize) -> usize {
    let mut physical: Vec<&str> = Vec::new();
    for ipv6 in [false, true] {
        for member in zone_members(model, ZoneId::Zone(zone), ipv6) {
            if !physical.contains(&member.interface.physical.as_str()) {
                physical.push(&member.interface.physical);
            }
        }
    }
    physical.len()
}
