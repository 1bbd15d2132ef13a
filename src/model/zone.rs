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
    /// The zones this one is nested in (indexes into `Model::zones`;
    /// Shorewall's `zone:p1,p2`): a zone's nested zones come before it in
    /// `Model::zones`, so they are dispatched first, as Shorewall orders
    /// its zones.
    pub parents: Vec<usize>,
    /// Shorewall's zone option `mss=N` (zones file OPTIONS, IN OPTIONS,
    /// OUT OPTIONS).
    pub mss: ZoneMss,
    /// Byte range of the zone's name in the model file.
    pub span: std::ops::Range<usize>,
}

/// The MSS that TCP SYNs (and SYN-ACKs) to and from a zone offer at most:
/// the zones file's `mss=N`, clamped at the head of the zone's pair chains
/// (Chains.pm, setup_zone_mss).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ZoneMss {
    /// `mss`: the pairs from and to the zone (OPTIONS).
    pub both: Option<u16>,
    /// `mss_in`: the pairs from the zone (IN OPTIONS).
    pub entering: Option<u16>,
    /// `mss_out`: the pairs to the zone (OUT OPTIONS).
    pub leaving: Option<u16>,
}

impl ZoneMss {
    pub fn is_set(&self) -> bool {
        *self != ZoneMss::default()
    }
}

/// Networks behind one interface that belong to a zone other than the
/// interface's own: `vpn eth0:10.8.0.0/24` in Shorewall's hosts file.
/// Zones are dispatched in model order, so the zone is declared before
/// the interface's own zone (the analyzer makes sure).
#[derive(Debug, Clone)]
pub struct Hosts {
    /// Index into `Model::interfaces`.
    pub interface: usize,
    /// The zone's networks on the interface, the addresses `except`
    /// leaves out already taken away (the fewest networks that hold the
    /// rest exactly); for an ipset's hosts (`eth0:+bo`), the set's
    /// elements as the model declares them: the members `explain`,
    /// `check` and the lab take it to hold.
    pub networks: Vec<ipnet::IpNet>,
    /// shorewall-hosts(5)'s exclusion (`eth1:192.168.1.0/24!192.168.1.5`):
    /// the networks as written and the addresses left out of them, which
    /// the Shorewall backend writes back; `networks` is what remains.
    pub exclusion: Option<Exclusion>,
    /// `eth0:+bo`: the hosts are the members of `model.ipsets[index]`,
    /// matched by the set at run time (`-m set --match-set bo src`,
    /// `ip saddr @bo`), whatever it holds then.
    pub ipset: Option<usize>,
    /// shorewall-hosts(5) `destonly`: the networks are the zone's as
    /// destinations only; a packet from them is dispatched as if this
    /// hosts entry were not there.
    pub destonly: bool,
    /// shorewall-hosts(5) `routeback`: the zone's traffic to these
    /// networks is dispatched back out of the interface it came in by,
    /// and the interface has no sfilter (for the entry's families), as
    /// Zones.pm sets the interface's own `routeback` for it.
    pub routeback: bool,
    /// shorewall-hosts(5) `tcpflags`: TCP from the networks coming in by
    /// the interface goes through the tcpflags checks (Misc.pm: `-A
    /// eth1_fwd -p tcp -s NET -j tcpflags`, and `eth1_in`).
    pub tcpflags: bool,
}

/// A hosts entry's networks as written, with the addresses left out.
#[derive(Debug, Clone)]
pub struct Exclusion {
    pub networks: Vec<ipnet::IpNet>,
    pub except: Vec<ipnet::IpNet>,
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

/// The families an interface carries: its zone's, or for an interface of
/// no zone those of the zones whose hosts are on it (IPv4 when none are).
pub fn interface_family(
    zones: &[Zone],
    interfaces: &[super::Interface],
    interface: usize,
) -> Family {
    if let Some(zone) = interfaces[interface].zone {
        return zones[zone].family;
    }
    let on_it = zones
        .iter()
        .filter(|z| z.hosts.iter().any(|h| h.interface == interface));
    let (mut v4, mut v6) = (false, false);
    for zone in on_it {
        v4 |= zone.family.has_ipv4();
        v6 |= zone.family.has_ipv6();
    }
    match (v4, v6) {
        (false, true) => Family::Ipv6,
        (true, true) => Family::Both,
        _ => Family::Ipv4,
    }
}
