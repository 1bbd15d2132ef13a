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
    pub comment: Option<String>,
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

/// Source NAT on an outgoing interface: masquerade (to the interface's
/// address) when `to` is `None`, SNAT to a fixed address otherwise.
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
    /// Index into `Model::interfaces`: only sources routed out of that
    /// interface (Shorewall's masq/snat SOURCE interface).
    pub source_interface: Option<usize>,
    pub to: Option<IpAddr>,
    /// Only this protocol (Shorewall's PROTO column); `None`: every one.
    pub proto: Option<super::Protocol>,
    /// Only these destination ports (Shorewall's PORT(S)/DPORT column);
    /// empty: every port. Only with a protocol that has ports.
    pub dports: Vec<super::PortRange>,
    /// Only packets whose mark passes (Shorewall's MARK column); `None`:
    /// every packet.
    pub mark: Option<super::MarkTest>,
    pub comment: Option<String>,
    pub line: usize,
    /// Byte range of the entry in the model file.
    pub span: std::ops::Range<usize>,
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
            Some(device) => {
                let root = interface.name.strip_suffix('+').unwrap_or(&interface.name);
                let stem = (interface.physical.strip_suffix('+')).unwrap_or(&interface.physical);
                format!("{stem}{}", device.strip_prefix(root).unwrap_or(device))
            }
            None => interface.physical.clone(),
        }
    }
}
