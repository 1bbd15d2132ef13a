//! Zones: named groups of hosts, reached through interfaces.

/// A zone other than the firewall's own.
#[derive(Debug, Clone)]
pub struct Zone {
    pub name: String,
    pub family: Family,
    pub description: Option<String>,
    /// Networks on interfaces of other zones that belong to this zone
    /// (Shorewall's hosts file), in model order.
    pub hosts: Vec<Hosts>,
    /// The zone this one is nested in (index into `Model::zones`): a
    /// zone's nested zones come before it in `Model::zones`, so they are
    /// dispatched first, as Shorewall orders its zones.
    pub parent: Option<usize>,
    /// Byte range of the zone's name in the model file.
    pub span: std::ops::Range<usize>,
}

/// Networks behind one interface that belong to a zone other than the
/// interface's own: `vpn eth0:10.8.0.0/24` in Shorewall's hosts file.
/// Zones are dispatched in model order, so the zone is declared before
/// the interface's own zone (the analyzer makes sure).
#[derive(Debug, Clone)]
pub struct Hosts {
    /// Index into `Model::interfaces`.
    pub interface: usize,
    pub networks: Vec<ipnet::IpNet>,
}

/// The address families a zone holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Ipv4,
    Ipv6,
    Both,
}

impl Family {
    pub fn has_ipv4(self) -> bool {
        self != Family::Ipv6
    }

    pub fn has_ipv6(self) -> bool {
        self != Family::Ipv4
    }

    pub fn has(self, ipv6: bool) -> bool {
        if ipv6 {
            self.has_ipv6()
        } else {
            self.has_ipv4()
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Family::Ipv4 => "ipv4",
            Family::Ipv6 => "ipv6",
            Family::Both => "both",
        }
    }
}

/// One concrete zone: the firewall or a declared zone (by index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ZoneId {
    Firewall,
    Zone(usize),
}

/// A zone as policies and rules name it: one zone or `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneRef {
    All,
    One(ZoneId),
}

impl ZoneRef {
    pub fn matches(self, id: ZoneId) -> bool {
        match self {
            ZoneRef::All => true,
            ZoneRef::One(one) => one == id,
        }
    }
}

/// Whether an entry naming `source` and `dest` applies to a zone pair.
/// Shorewall's rule: `all` on either side leaves out a zone's traffic to
/// itself; only naming the zone on both sides includes it.
pub fn applies_to(source: ZoneRef, dest: ZoneRef, pair: (ZoneId, ZoneId)) -> bool {
    let wildcard = source == ZoneRef::All || dest == ZoneRef::All;
    source.matches(pair.0) && dest.matches(pair.1) && !(wildcard && pair.0 == pair.1)
}
