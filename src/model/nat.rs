//! Address translation: port forwards (DNAT), masquerade and SNAT.

use std::net::IpAddr;

use ipnet::IpNet;

use super::policy::LogLevel;
use super::rule::{Endpoint, Origdest};
use super::service::{MacroColumns, PortRange, Protocol};
use super::zone::{ZoneId, ZoneRef, applies_to};

/// A port forward: connections from `source` to `dports` are sent to `to`
/// in zone `dest`, and accepted from `source` to `dest` as Shorewall's DNAT
/// rule does.
#[derive(Debug, Clone)]
pub struct Dnat {
    pub source: Endpoint,
    /// Index into `Model::zones`.
    pub dest: usize,
    pub to: IpAddr,
    pub proto: Protocol,
    pub dports: Vec<PortRange>,
    /// Source ports forwarded (Shorewall's SPORT column); empty means every
    /// source port.
    pub sports: Vec<PortRange>,
    /// Only connections originally sent to one of these (Shorewall's
    /// ORIGDEST column); empty means whatever address they were sent to.
    pub origdest: Origdest,
    /// The port on the target; `None` keeps the original port.
    pub to_port: Option<u16>,
    /// The stock macro the forward was written with (`Web(DNAT)`): one
    /// `Dnat` per protocol of the macro's lines.
    pub macro_call: Option<ForwardMacro>,
    /// Whether the forwarded connections are accepted at the forward's
    /// place in the rules; `false` is Shorewall's DNAT-: they meet the
    /// later rules and the policy of the source and `dest` pair.
    pub accept: bool,
    pub log: Option<LogLevel>,
    /// Shorewall's log tag (`DNAT:info:web`), only with `log`.
    pub log_tag: Option<String>,
    pub comment: Option<String>,
    /// Shorewall's RATE: the translation takes connections under it (the
    /// nat rule matches a connection's first packet alone); one over it
    /// is not translated, and meets the filter as sent (to the firewall,
    /// usually). The filter's accept of translated ones has no limit.
    pub rate: Option<Box<super::RateLimit>>,
    pub line: usize,
    /// Byte range of the entry in the model file.
    pub span: std::ops::Range<usize>,
}

/// A port forward or redirect written with a stock macro (`HTTP(DNAT)`,
/// `Web(REDIRECT)`): Shorewall's Rules.pm expands each of the macro's
/// lines with the call's action for PARAM, so each line's protocol and
/// ports are forwarded. The analyzer makes one entry per protocol; the
/// Shorewall backend writes the call once, on the first.
#[derive(Debug, Clone)]
pub struct ForwardMacro {
    /// The stock macro's name (`/usr/share/shorewall/macro.NAME`).
    pub name: &'static str,
    /// Whether this entry is the call's first.
    pub first: bool,
    /// The PROTO, DPORT and SPORT columns the call gives the macro.
    pub columns: MacroColumns,
}

impl Dnat {
    pub fn is_ipv6(&self) -> bool {
        self.to.is_ipv6()
    }

    /// Whether connections from `zone` are forwarded. A named zone is
    /// itself (the firewall's own connections through the nat OUTPUT
    /// chain); `all` is every zone but the target's, the firewall
    /// included, as Shorewall expands it (shorewall-rules(5); Rules.pm's
    /// build_zone_list drops the intra-zone pair of a wildcard).
    pub fn forwards_from(&self, zone: ZoneId) -> bool {
        let dest = ZoneId::Zone(self.dest);
        applies_to(self.source.zone, ZoneRef::One(dest), (zone, dest))
    }

    /// The port the target sees for an original destination port.
    pub fn target_port(&self, dport: u16) -> u16 {
        self.to_port.unwrap_or(dport)
    }
}

/// A redirect (Shorewall's REDIRECT rule): connections from `source` to
/// `dports`, whatever address they were sent to, go to `to_port` on the
/// firewall itself, and are accepted from `source` to the firewall.
#[derive(Debug, Clone)]
pub struct Redirect {
    pub source: Endpoint,
    pub proto: Protocol,
    pub dports: Vec<PortRange>,
    /// Source ports redirected; empty means every source port.
    pub sports: Vec<PortRange>,
    /// ORIGDEST: only connections sent to one of these addresses are
    /// redirected (one family); empty: whatever their destination.
    pub origdest: Origdest,
    /// The port on the firewall.
    pub to_port: u16,
    /// The stock macro the redirect was written with (`Web(REDIRECT)`).
    pub macro_call: Option<ForwardMacro>,
    /// Whether the redirected connections are accepted at the redirect's
    /// place in the rules; `false` is Shorewall's REDIRECT-.
    pub accept: bool,
    pub log: Option<LogLevel>,
    /// Shorewall's log tag (`DNAT:info:web`), only with `log`.
    pub log_tag: Option<String>,
    pub comment: Option<String>,
    pub line: usize,
    /// Byte range of the entry in the model file.
    pub span: std::ops::Range<usize>,
}

impl Redirect {
    /// Whether connections from `zone` are redirected: a named zone is
    /// itself; `all` is every zone, never the firewall (Shorewall's
    /// wildcard drops the pair whose source is the redirect's own zone).
    pub fn redirects_from(&self, zone: ZoneId) -> bool {
        let dest = ZoneRef::One(ZoneId::Firewall);
        applies_to(self.source.zone, dest, (zone, ZoneId::Firewall))
    }

    /// The one family ORIGDEST narrows the redirect to: `Some(true)` for
    /// IPv6; `None` without ORIGDEST.
    pub fn origdest_ipv6(&self) -> Option<bool> {
        self.origdest.ipv6()
    }
}

/// One-to-one NAT (Shorewall's nat file, shorewall-nat(5)): connections to
/// `external` arriving on `interface` go to `internal`, and `internal`'s
/// connections leaving by `interface` carry `external` as their source.
#[derive(Debug, Clone)]
pub struct OneToOne {
    pub external: IpAddr,
    /// Index into `Model::interfaces`.
    pub interface: usize,
    pub internal: IpAddr,
    /// Index into `Model::zones`: the zone whose networks hold `internal`.
    pub zone: usize,
    /// Shorewall's ALL column: both translations on every interface.
    pub all_interfaces: bool,
    /// Shorewall's LOCAL column: the firewall's own connections to
    /// `external` go to `internal` too.
    pub local: bool,
    pub comment: Option<String>,
    pub line: usize,
    /// Byte range of the entry in the model file.
    pub span: std::ops::Range<usize>,
}

/// Source NAT on an outgoing interface: what `target` says the source
/// becomes, for the connections the entry matches.
#[derive(Debug, Clone)]
pub struct Snat {
    /// Index into `Model::interfaces`.
    pub interface: usize,
    /// A device the interface, a wildcard, covers (`wlan0` of `wl+`, as
    /// Shorewall's masq/snat INTERFACE may name it), by its logical name:
    /// only what leaves through that device. `None`: every device of the
    /// interface.
    pub device: Option<String>,
    /// Source networks translated; empty means every source (unless
    /// `source_interface` narrows it).
    pub sources: Vec<IpNet>,
    /// shorewall-exclusion(5) in SOURCE (`10.0.0.0/8!10.1.0.0/16`): the
    /// sources as written (empty: every source) and the addresses left
    /// out, which the Shorewall backend writes back; `sources` is what
    /// remains, and the left-out addresses pass over the entry to the
    /// later ones.
    pub exclusion: Option<super::Exclusion>,
    /// Indexes into `Model::ipsets`: only sources that are members of
    /// one of these sets (Shorewall's SOURCE `+bo,+pri`, one rule per
    /// set); empty: no set narrows. `sources` is empty then.
    pub source_sets: Vec<usize>,
    /// Index into `Model::interfaces`: only sources routed out of that
    /// interface (Shorewall's masq/snat SOURCE interface).
    pub source_interface: Option<usize>,
    /// Only connections to these networks (Shorewall's DEST
    /// `INTERFACE:NETWORKS`); empty: every destination.
    pub destinations: Vec<IpNet>,
    pub target: SnatTarget,
    /// Only this protocol (Shorewall's PROTO column); `None`: every one.
    pub proto: Option<super::Protocol>,
    /// Only these destination ports (Shorewall's PORT(S)/DPORT column);
    /// empty: every port. Only with a protocol that has ports.
    pub dports: Vec<super::PortRange>,
    /// Only packets whose mark passes (Shorewall's MARK column); `None`:
    /// every packet.
    pub mark: Option<super::MarkTest>,
    /// The source ports the translation gives (Shorewall's
    /// `SNAT(ADDRESS:PORTS)` and `MASQUERADE(PORTS)`), and `random`.
    pub ports: SourcePorts,
    /// Ahead of the one-to-one NAT of the interface (Shorewall's
    /// `SNAT+`/`MASQUERADE+`: the IFACE_snat chain, which POSTROUTING
    /// jumps to after the `nat_out` of ALL one-to-one entries and before
    /// IFACE_out, the interface's own, and IFACE_masq, the other entries).
    pub before_nat: bool,
    /// The family the entry translates, one alone: Shorewall's snat line
    /// is one product's, nftables matches one family's addresses. The
    /// model's `family` key; without it, that of the entry's addresses
    /// (`to`, `sources`, `except`, its sets), and with none, IPv4 where
    /// the interface carries it (`detect` is IPv4's).
    pub ipv6: bool,
    pub comment: Option<String>,
    pub line: usize,
    /// Byte range of the entry in the model file.
    pub span: std::ops::Range<usize>,
}

/// The source address a source NAT entry gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnatTarget {
    /// The address of the interface the packet leaves by, as it is when
    /// the packet leaves (`[[masquerade]]`; Shorewall's `MASQUERADE`,
    /// nftables `masquerade`).
    Masquerade,
    /// A fixed address or range (`to = "ADDRESS"`).
    To(SnatTo),
    /// The interface's first IPv4 address, read when the firewall starts
    /// (`to = "detect"`; Shorewall's `SNAT(detect)`; nftables `snat ip to
    /// $fwgen_addr_IFACE`, the define `&IFACE` in rules uses).
    Detect,
    /// No translation: connections the entry matches leave untranslated,
    /// and the later entries pass over them (`to = "none"`; Shorewall's
    /// `CONTINUE`; nftables `accept` in the nat postrouting chain).
    Exempt,
    /// The source address kept, only the source port changed, within
    /// the entry's `ports` (`to = "keep"`; Shorewall's `SNAT(:PORTS)`,
    /// iptables `--to-source :PORTS`, IPv4 only; nftables `snat to
    /// :PORTS`).
    Keep,
}

impl SnatTarget {
    /// The fixed address or range, when the entry has one.
    pub fn address(self) -> Option<SnatTo> {
        match self {
            SnatTarget::To(to) => Some(to),
            _ => None,
        }
    }
}

/// How a source NAT entry picks the translated source port: within
/// `range` (only with a protocol that has ports: Shorewall's
/// validate_portpair1 asks for TCP, UDP, SCTP or DCCP, and nftables for
/// an l4proto match), and at random (`random`: iptables' `--random`,
/// nftables' `random`) rather than keeping the original port when free.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SourcePorts {
    pub range: Option<super::PortRange>,
    pub random: bool,
}

impl SourcePorts {
    pub fn is_default(&self) -> bool {
        *self == SourcePorts::default()
    }

    /// `1024-65535` or `1024`, as Shorewall's SNAT()/MASQUERADE() and
    /// nftables' `to :PORTS` write it.
    pub fn range_text(&self) -> Option<String> {
        self.range.map(|r| match r.low == r.high {
            true => r.low.to_string(),
            false => format!("{}-{}", r.low, r.high),
        })
    }
}

impl Snat {
    /// The interface as Shorewall's masq/snat INTERFACE column writes it:
    /// the device a wildcard covers, or the interface's logical name.
    pub fn interface_name<'a>(&'a self, interfaces: &'a [super::Interface]) -> &'a str {
        self.device
            .as_deref()
            .unwrap_or(&interfaces[self.interface].name)
    }

    /// The device name the kernel sees: the device a wildcard covers,
    /// its logical name's stem swapped for the physical one (`lan7` of
    /// `lan+` with `physical = "wl+"` is `wl7`, as Shorewall's
    /// `map_physical` does), or the interface's physical name (a
    /// wildcard's `NAME+`).
    pub fn physical(&self, interfaces: &[super::Interface]) -> String {
        let interface = &interfaces[self.interface];
        match &self.device {
            Some(device) => interface.device_physical(device),
            None => interface.physical.clone(),
        }
    }
}

/// The addresses a `[[snat]]` entry translates to: one address, or a range
/// the kernel picks one of for each connection (`first == last` for one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnatTo {
    pub first: IpAddr,
    pub last: IpAddr,
    /// The pick ignores the destination: a client keeps one address for
    /// every server (Shorewall's `:persistent`, nftables `persistent`).
    pub persistent: bool,
}

impl SnatTo {
    pub fn one(address: IpAddr) -> Self {
        SnatTo {
            first: address,
            last: address,
            persistent: false,
        }
    }

    pub fn is_ipv6(&self) -> bool {
        self.first.is_ipv6()
    }

    pub fn is_range(&self) -> bool {
        self.first != self.last
    }

    /// The address the kernel gives a connection from `source` to `dest`:
    /// Linux's nf_nat_core.c `find_best_ips_proto`, the one choice
    /// iptables' SNAT and nftables' `snat to` share, a hash of the source
    /// (and, but with `persistent`, the destination) into the range, word
    /// by word, in the kernel's own (little-endian) reading of the address.
    pub fn pick(&self, source: IpAddr, dest: IpAddr) -> IpAddr {
        if !self.is_range() {
            return self.first;
        }
        let (src, dst) = (words(source), words(dest));
        let (min, max) = (words(self.first), words(self.last));
        let last = if self.is_ipv6() { 3 } else { 0 };
        let initval = if self.persistent { 0 } else { dst[last] };
        let mut j = jhash2(src, initval);
        let mut picked = [0u32; 4];
        let mut full_range = false;
        for i in 0..=last {
            let (low, dist) = if full_range {
                (0, u32::MAX)
            } else {
                let (low, high) = (u32::from_be(min[i]), u32::from_be(max[i]));
                (low, high.wrapping_sub(low).wrapping_add(1))
            };
            let scaled = ((u64::from(j) * u64::from(dist)) >> 32) as u32;
            picked[i] = low.wrapping_add(scaled).to_be();
            full_range |= picked[i] != max[i];
            if !self.persistent {
                j ^= dst[i];
            }
        }
        let bytes: Vec<u8> = picked.iter().flat_map(|w| w.to_le_bytes()).collect();
        match self.first {
            IpAddr::V4(_) => IpAddr::from([bytes[0], bytes[1], bytes[2], bytes[3]]),
            IpAddr::V6(_) => {
                let octets: [u8; 16] = bytes.try_into().unwrap_or([0; 16]);
                IpAddr::from(octets)
            }
        }
    }
}

impl std::fmt::Display for SnatTo {
    /// `203.0.113.10` or `203.0.113.10-203.0.113.12`, as Shorewall's
    /// SNAT() and nftables' `snat to` write it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_range() {
            write!(f, "{}-{}", self.first, self.last)
        } else {
            write!(f, "{}", self.first)
        }
    }
}

/// An address as the kernel's `union nf_inet_addr` holds it: four 32-bit
/// words in memory order (an IPv4 address in the first, the rest zero),
/// read as a little-endian machine reads them.
fn words(address: IpAddr) -> [u32; 4] {
    let mut bytes = [0u8; 16];
    match address {
        IpAddr::V4(a) => bytes[..4].copy_from_slice(&a.octets()),
        IpAddr::V6(a) => bytes.copy_from_slice(&a.octets()),
    }
    let word = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    [word(0), word(4), word(8), word(12)]
}

/// Linux's `jhash2` (include/linux/jhash.h, Bob Jenkins' lookup3) of four
/// words.
fn jhash2(k: [u32; 4], initval: u32) -> u32 {
    let start = 0xdead_beef_u32.wrapping_add(4 << 2).wrapping_add(initval);
    let (mut a, mut b, mut c) = (start, start, start);
    a = a.wrapping_add(k[0]);
    b = b.wrapping_add(k[1]);
    c = c.wrapping_add(k[2]);
    // __jhash_mix
    for (shift_a, shift_b, shift_c) in [(4, 6, 8), (16, 19, 4)] {
        a = a.wrapping_sub(c) ^ c.rotate_left(shift_a);
        c = c.wrapping_add(b);
        b = b.wrapping_sub(a) ^ a.rotate_left(shift_b);
        a = a.wrapping_add(c);
        c = c.wrapping_sub(b) ^ b.rotate_left(shift_c);
        b = b.wrapping_add(a);
    }
    a = a.wrapping_add(k[3]);
    // __jhash_final
    c = (c ^ b).wrapping_sub(b.rotate_left(14));
    a = (a ^ c).wrapping_sub(c.rotate_left(11));
    b = (b ^ a).wrapping_sub(a.rotate_left(25));
    c = (c ^ b).wrapping_sub(b.rotate_left(16));
    a = (a ^ c).wrapping_sub(c.rotate_left(4));
    b = (b ^ a).wrapping_sub(a.rotate_left(14));
    (c ^ b).wrapping_sub(b.rotate_left(24))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(first: &str, last: &str, persistent: bool) -> SnatTo {
        let (first, last) = (first.parse().unwrap(), last.parse().unwrap());
        SnatTo {
            first,
            last,
            persistent,
        }
    }

    /// The addresses Linux 6.18 gave in the lab (tests/models/snat-range.toml,
    /// Shorewall's compiled firewall and nftables alike): the pick is the
    /// kernel's, not a first address or a round robin.
    #[test]
    fn a_range_is_picked_as_the_kernel_picks() {
        let pool = range("198.51.100.8", "198.51.100.15", false);
        let dest = "198.18.4.2".parse().unwrap();
        for (source, seen) in [
            ("192.168.1.2", "198.51.100.8"),
            ("192.168.0.2", "198.51.100.12"),
            ("192.168.2.2", "198.51.100.9"),
        ] {
            let picked = pool.pick(source.parse().unwrap(), dest);
            assert_eq!(picked.to_string(), seen, "{source}");
        }
        let office = range("203.0.113.10", "203.0.113.12", false);
        let picked = office.pick(
            "192.168.2.2".parse().unwrap(),
            "198.18.0.2".parse().unwrap(),
        );
        assert_eq!(picked.to_string(), "203.0.113.12");
    }

    /// With `persistent` the destination plays no part; one address is
    /// its own pick.
    #[test]
    fn persistent_ignores_the_destination() {
        let pool = range("203.0.113.20", "203.0.113.29", true);
        let source = "10.1.1.7".parse().unwrap();
        let picks: std::collections::BTreeSet<IpAddr> = (1..=50u8)
            .map(|d| pool.pick(source, IpAddr::from([198, 51, 100, d])))
            .collect();
        assert_eq!(picks.len(), 1);
        let one = SnatTo::one("203.0.113.5".parse().unwrap());
        assert_eq!(one.pick(source, source).to_string(), "203.0.113.5");
        let spread = range("203.0.113.20", "203.0.113.29", false);
        let picks: std::collections::BTreeSet<IpAddr> = (1..=50u8)
            .map(|d| spread.pick(source, IpAddr::from([198, 51, 100, d])))
            .collect();
        assert!(picks.len() > 1);
        assert!(
            picks
                .iter()
                .all(|p| *p >= spread.first && *p <= spread.last)
        );
    }
}
