//! Interfaces: the links that connect zones to the firewall.

use std::fmt::{self, Display, Formatter};

use ipnet::IpNet;

/// A network interface of the firewall host.
#[derive(Debug, Clone)]
pub struct Interface {
    /// Shorewall's logical name; the key in `[interfaces.NAME]`.
    pub name: String,
    /// The kernel's name (`physical = ...`, default: the logical name).
    pub physical: String,
    /// Index into `Model::zones`; `None` for an interface of no zone
    /// (Shorewall's `-`), whose addresses belong to the zones whose hosts
    /// name it, and no others.
    pub zone: Option<usize>,
    pub options: Vec<InterfaceOption>,
    /// Networks reached through this interface (informational: used to
    /// place addresses in zones, check DNAT targets and build the lab).
    pub networks: Vec<IpNet>,
    pub description: Option<String>,
    /// Byte range of the interface's name in the model file.
    pub span: std::ops::Range<usize>,
    /// Byte range of each option, in `options` order.
    pub option_spans: Vec<std::ops::Range<usize>>,
    /// Options of one family only (`options_ipv4`, `options_ipv6`): a
    /// line of Shorewall's or of Shorewall6's interfaces file alone.
    pub family_options: Vec<FamilyOption>,
}

/// An interface option for one address family only.
#[derive(Debug, Clone)]
pub struct FamilyOption {
    pub option: InterfaceOption,
    /// `true`: IPv6 (`options_ipv6`); `false`: IPv4 (`options_ipv4`).
    pub ipv6: bool,
    /// Byte range of the option in the model file.
    pub span: std::ops::Range<usize>,
}

/// An interface option, as in shorewall-interfaces(5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InterfaceOption {
    /// DHCP (UDP 67 and 68) may enter and leave the interface.
    Dhcp,
    /// Traffic may leave through the interface it came in on.
    Routeback,
    /// The interface is a bridge; implies routeback.
    Bridge,
    /// Drop TCP packets with illegal flag combinations.
    Tcpflags,
    /// Drop packets whose source is a broadcast or multicast address.
    Nosmurfs,
    /// Reverse-path filtering (rp_filter): drop spoofed sources.
    Routefilter(Option<u8>),
    /// Shorewall's rpfilter: new, related and invalid packets whose source
    /// would not be routed back out of the interface (strict, with the
    /// packet's mark) are dropped before the filter (mangle PREROUTING).
    Rpfilter,
    /// Log martian packets (log_martians sysctl).
    Logmartians(Option<u8>),
    /// Accept source-routed packets (accept_source_route sysctl).
    Sourceroute(Option<u8>),
    /// Answer ARP only for addresses of this interface (arp_filter sysctl).
    ArpFilter,
    /// Proxy ARP (proxy_arp sysctl).
    Proxyarp(Option<u8>),
    /// The interface's IPv6 router behaviour (Shorewall6's `forward`: the
    /// sysctl net.ipv6.conf.IF.forwarding). Forwarding between interfaces
    /// is `ip_forwarding`'s (net.ipv6.conf.all.forwarding).
    Forward(Option<u8>),
    /// The interface may be down or absent: the firewall starts all the
    /// same. Shorewall is silent where it cannot set the interface's /proc
    /// options; fwgen's nftables rules match it by name and need nothing.
    Optional,
    /// `mss=N`: forwarded TCP SYNs entering or leaving the interface
    /// offer an MSS of at most N (Shorewall's settcpmss chain).
    Mss(u16),
    /// MAC verification: new connections from the interface meet its
    /// `[[maclist]]` entries, then `maclist_disposition`.
    Maclist,
}

impl Interface {
    /// Whether this interface is a wildcard whose pattern matches every
    /// name `other` stands for (`ppp+` covers `ppp0`, `ppp1+` and itself).
    pub fn covers(&self, other: &Interface) -> bool {
        pattern_covers(&self.physical, &other.physical)
    }

    /// Whether this is a wildcard (`ppp+`) that covers `other`, a named
    /// interface (ppp7).
    pub fn covers_named(&self, other: &Interface) -> bool {
        !other.physical.ends_with('+') && self.covers(other)
    }

    /// A device name the interface covers, where fwgen needs one (the
    /// packets `explain` walks, the lab's links): its own name, or for a
    /// wildcard (`eth+`, `+`) `STEMw<index>` (at most 15 characters), so
    /// that explain's packets leave by the device the lab brings up and
    /// a `[[masquerade]]` naming that device applies to both.
    /// The kernel's name of a device this wildcard covers, named by its
    /// logical name: the logical root swapped for the physical one
    /// (`lan7` of `lan+` with `physical = "wl+"` is `wl7`, as Shorewall's
    /// `map_physical` does).
    pub fn device_physical(&self, device: &str) -> String {
        let root = self.name.strip_suffix('+').unwrap_or(&self.name);
        let stem = (self.physical.strip_suffix('+')).unwrap_or(&self.physical);
        format!("{stem}{}", device.strip_prefix(root).unwrap_or(device))
    }

    /// The lab's device on this interface (a wildcard's: `pppw0`).
    pub fn example_device(&self, index: usize) -> String {
        match self.physical.strip_suffix('+') {
            Some(stem) => format!("{stem}w{index}").chars().take(15).collect(),
            None => self.physical.clone(),
        }
    }

    /// Whether the option is set for both families (`options`).
    pub fn has(&self, wanted: InterfaceOption) -> bool {
        self.options.contains(&wanted)
    }

    /// Whether the option is set for the family: in `options`, or in
    /// that family's own list.
    pub fn has_for(&self, wanted: InterfaceOption, ipv6: bool) -> bool {
        self.has(wanted)
            || self
                .family_options
                .iter()
                .any(|o| o.option == wanted && o.ipv6 == ipv6)
    }

    /// Whether the option is set for some family.
    pub fn has_any(&self, wanted: InterfaceOption) -> bool {
        self.has(wanted) || self.family_options.iter().any(|o| o.option == wanted)
    }

    /// The options of one family only, as Shorewall's (`false`) or
    /// Shorewall6's (`true`) interfaces file adds them.
    pub fn options_of(&self, ipv6: bool) -> impl Iterator<Item = InterfaceOption> + '_ {
        self.family_options
            .iter()
            .filter(move |o| o.ipv6 == ipv6)
            .map(|o| o.option)
    }

    /// Whether traffic of the family may go back out of this interface
    /// (Shorewall's routeback, in `options` or that family's own list;
    /// also implied by bridge).
    pub fn routeback(&self, ipv6: bool) -> bool {
        self.has_for(InterfaceOption::Routeback, ipv6) || self.has(InterfaceOption::Bridge)
    }

    /// Whether some family may go back out of this interface.
    pub fn routeback_any(&self) -> bool {
        self.routeback(false) || self.routeback(true)
    }

    /// The family's `mss=N`: in `options`, or that family's own list.
    pub fn mss(&self, ipv6: bool) -> Option<u16> {
        let own = self.options_of(ipv6);
        self.options
            .iter()
            .copied()
            .chain(own)
            .find_map(|o| match o {
                InterfaceOption::Mss(size) => Some(size),
                _ => None,
            })
    }

    /// Whether new connections from the interface meet MAC verification:
    /// `maclist` in `options` (an interface of IPv4 zones alone) or in
    /// `options_ipv4`; IPv4's alone either way.
    pub fn maclist(&self) -> bool {
        self.has_for(InterfaceOption::Maclist, false)
    }

    /// Whether `dhcp` is set for some family.
    pub fn dhcp(&self) -> bool {
        self.has_any(InterfaceOption::Dhcp)
    }
}

impl InterfaceOption {
    /// Whether two options are the same option, whatever their values
    /// (`mss=1452` and `mss=1400`).
    pub fn same_kind(self, other: InterfaceOption) -> bool {
        std::mem::discriminant(&self) == std::mem::discriminant(&other)
    }
}

impl Display for InterfaceOption {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let (name, value) = match self {
            InterfaceOption::Dhcp => ("dhcp", None),
            InterfaceOption::Routeback => ("routeback", None),
            InterfaceOption::Bridge => ("bridge", None),
            InterfaceOption::Tcpflags => ("tcpflags", None),
            InterfaceOption::Nosmurfs => ("nosmurfs", None),
            InterfaceOption::Routefilter(v) => ("routefilter", *v),
            InterfaceOption::Rpfilter => ("rpfilter", None),
            InterfaceOption::Logmartians(v) => ("logmartians", *v),
            InterfaceOption::Sourceroute(v) => ("sourceroute", *v),
            InterfaceOption::ArpFilter => ("arp_filter", None),
            InterfaceOption::Proxyarp(v) => ("proxyarp", *v),
            InterfaceOption::Forward(v) => ("forward", *v),
            InterfaceOption::Optional => ("optional", None),
            InterfaceOption::Maclist => ("maclist", None),
            InterfaceOption::Mss(size) => return write!(f, "mss={size}"),
        };
        match value {
            Some(value) => write!(f, "{name}={value}"),
            None => write!(f, "{name}"),
        }
    }
}

/// Whether a device pattern (`ppp+`, `+`) matches every device the name
/// or pattern `other` stands for (`ppp+` covers `ppp0`, `ppp1+` and
/// itself); a name covers nothing.
pub fn pattern_covers(pattern: &str, other: &str) -> bool {
    let named = other.trim_end_matches('+');
    pattern
        .strip_suffix('+')
        .is_some_and(|stem| named.starts_with(stem))
}

/// Whether two device names or patterns (`eth+`, `+`) can name one
/// device.
pub fn devices_overlap(a: &str, b: &str) -> bool {
    a == b || pattern_covers(a, b) || pattern_covers(b, a)
}

/// The kernel's rules (1-15 bytes, no `/`, `:` or whitespace), narrowed to
/// characters that are safe in every generated file.
pub fn name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("it is empty");
    }
    if name.len() > 15 {
        return Some("the kernel allows at most 15 bytes");
    }
    if name == "." || name == ".." {
        return Some("the kernel reserves `.` and `..`");
    }
    // Shorewall's wildcard: `ppp+` is every ppp interface, `+` all of them.
    let stem = name.strip_suffix('+').unwrap_or(name);
    if stem.is_empty() {
        return None;
    }
    if !stem
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
    {
        return Some("it must start with a letter or digit");
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
    if !stem.chars().all(allowed) {
        return Some(
            "only letters, digits, `_`, `.` and `-` are allowed (and a final `+`, Shorewall's wildcard)",
        );
    }
    None
}

/// The interface a rule, a source NAT entry or explain's `--from` names:
/// by its logical name or its device (`physical`), as Zones.pm keys
/// `%interfaces` by both; else the wildcard that stands for the device
/// ([`wildcard_covering`]), narrowed to it: then the device comes back
/// too, as Shorewall's known_interface makes it an interface of its own
/// that Rules.pm and Nat.pm match alone (`-i ppp5`).
pub fn named<'n>(interfaces: &[Interface], name: &'n str) -> Option<(usize, Option<&'n str>)> {
    let declared = (interfaces.iter().position(|i| i.name == name))
        .or_else(|| interfaces.iter().position(|i| i.physical == name));
    match declared {
        Some(index) => Some((index, None)),
        None => Some((wildcard_covering(interfaces, name)?, Some(name))),
    }
}

/// The wildcard interface (its index) that stands for the device `name`
/// (`ppp5` of `ppp+`), as Zones.pm known_interface finds it: the longest
/// logical root that begins the name. `None` for a wildcard's own name or
/// a name no root begins.
pub fn wildcard_covering(interfaces: &[Interface], name: &str) -> Option<usize> {
    if name.ends_with('+') {
        return None;
    }
    let (index, _) = interfaces
        .iter()
        .enumerate()
        .filter_map(|(index, i)| Some((index, i.name.strip_suffix('+')?)))
        .filter(|(_, root)| name.starts_with(root))
        .max_by_key(|(_, root)| root.len())?;
    Some(index)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// eth35 (of `eth3+`) and eth4 (of `eth+`) name no device alike;
    /// `eth+` and `eth3+`, or `+` and anything, may.
    #[test]
    fn devices_overlap_by_pattern() {
        assert!(devices_overlap("eth0", "eth0"));
        assert!(!devices_overlap("eth0", "eth1"));
        assert!(devices_overlap("eth+", "eth0"));
        assert!(devices_overlap("eth0", "eth+"));
        assert!(devices_overlap("eth+", "eth3+"));
        assert!(devices_overlap("eth3+", "eth+"));
        assert!(devices_overlap("+", "wlan0"));
        assert!(!devices_overlap("eth3+", "eth4"));
        assert!(!devices_overlap("eth3+", "eth4+"));
        assert!(pattern_covers("ppp+", "ppp1+"));
        assert!(!pattern_covers("ppp1+", "ppp+"));
        assert!(!pattern_covers("ppp0", "ppp0"));
    }

    #[test]
    fn interface_names() {
        assert_eq!(name_problem("lxcbr0"), None);
        assert_eq!(name_problem("eth0.100"), None);
        assert!(name_problem("averyveryverylongname").is_some());
        assert!(name_problem("eth0:1").is_some());
        assert!(name_problem("a b").is_some());
        assert!(name_problem("").is_some());
        assert_eq!(name_problem("ppp+"), None);
        assert_eq!(name_problem("+"), None);
        assert!(name_problem("pp+p").is_some());
    }
}
