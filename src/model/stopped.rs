//! What passes while the firewall is stopped (`[[stopped]]`, Shorewall's
//! stoppedrules). The stopped state itself is Shorewall's with
//! ADMINISABSENTMINDED=Yes: established and related traffic, loopback,
//! DHCP on `dhcp` interfaces and these entries pass; the firewall's own
//! traffic leaves freely; everything else entering or crossing the
//! firewall is dropped. src/ruleset/stopped.rs lowers it.

use ipnet::IpNet;

use super::interface::Interface;
use super::rule::is_ipv6;
use super::service::Service;
use super::zone::{Family, Zone};

/// One `[[stopped]]` entry: connections it matches are accepted while the
/// firewall is stopped.
#[derive(Debug, Clone)]
pub struct Stopped {
    pub source: StoppedEnd,
    pub dest: StoppedEnd,
    /// What the entry matches; empty means every protocol.
    pub services: Vec<Service>,
    /// The families whose stoppedrules hold the entry (Shorewall's,
    /// Shorewall6's, or both).
    pub family: Family,
    pub comment: Option<String>,
    /// Line of the entry in the model file.
    pub line: usize,
    /// Byte range of the entry in the model file.
    pub span: std::ops::Range<usize>,
}

/// Where a packet comes from or goes to, as stoppedrules names it: zones
/// do not exist while stopped, interfaces and addresses do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoppedEnd {
    pub place: Place,
    /// Narrows the place to these addresses; empty: every address.
    pub addresses: Vec<IpNet>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// `any` (Shorewall's `-`).
    Any,
    /// `$FW` (or the firewall zone's name): the firewall itself.
    Firewall,
    /// An index into `Model::interfaces`.
    Interface(usize),
}

impl StoppedEnd {
    /// Whether the end can see traffic of the family (`true` = IPv6): its
    /// interface's zone carries it, and its addresses (if any) include it.
    fn allows(&self, ipv6: bool, interfaces: &[Interface], zones: &[Zone]) -> bool {
        let place_allows = match self.place {
            Place::Interface(index) => {
                super::zone::interface_family(zones, interfaces, index).has(ipv6)
            }
            Place::Any | Place::Firewall => true,
        };
        place_allows
            && (self.addresses.is_empty() || self.addresses.iter().any(|a| is_ipv6(a) == ipv6))
    }
}

impl Stopped {
    /// The families the entry applies to, `[ipv4, ipv6]`: those of its
    /// `family` the model's zones carry that both ends and the protocol
    /// allow (Shorewall
    /// writes the entry to shorewall/stoppedrules, shorewall6/stoppedrules
    /// or both).
    pub fn families(&self, interfaces: &[Interface], zones: &[Zone]) -> [bool; 2] {
        [false, true].map(|ipv6| {
            self.family.has(ipv6)
                && zones.iter().any(|z| z.family.has(ipv6))
                && self.source.allows(ipv6, interfaces, zones)
                && self.dest.allows(ipv6, interfaces, zones)
                && (self.services.is_empty()
                    || self
                        .services
                        .iter()
                        .any(|s| s.proto.only_ipv6().is_none_or(|only| only == ipv6)))
        })
    }

    /// Whether the entry reaches the firewall itself (INPUT) rather than
    /// crossing it (FORWARD).
    pub fn to_firewall(&self) -> bool {
        self.dest.place == Place::Firewall
    }

    /// Whether the entry is the firewall's own traffic (OUTPUT).
    pub fn from_firewall(&self) -> bool {
        self.source.place == Place::Firewall
    }
}
