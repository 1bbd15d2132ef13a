//! The firewall-wide settings that change what passes, as shorewall.conf
//! names them: CLAMPMSS, IP_FORWARDING, ROUTE_FILTER, LOG_MARTIANS and
//! AUTOHELPERS.

use std::fmt::{self, Display, Formatter};

use super::{Interface, InterfaceOption, Model};

/// CLAMPMSS: what the MSS option of forwarded TCP SYN packets is lowered to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClampMss {
    /// `clamp_mss = true`: the route's MTU less the headers (CLAMPMSS=Yes).
    RouteMtu,
    /// `clamp_mss = N`: N, where the packet offers more (CLAMPMSS=N).
    Size(u16),
}

/// IP_FORWARDING: what the firewall does with the kernel's forwarding switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forwarding {
    /// Turn it on (`"on"`).
    On,
    /// Turn it off: nothing is forwarded (`"off"`).
    Off,
    /// Leave it as it is (`"keep"`).
    Keep,
}

impl Forwarding {
    /// The model's word, and Shorewall's (`On`, `Off`, `Keep`).
    pub fn parse(text: &str) -> Option<Forwarding> {
        match text {
            "on" => Some(Forwarding::On),
            "off" => Some(Forwarding::Off),
            "keep" => Some(Forwarding::Keep),
            _ => None,
        }
    }
}

impl Display for Forwarding {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Forwarding::On => "On",
            Forwarding::Off => "Off",
            Forwarding::Keep => "Keep",
        })
    }
}

/// A conntrack helper: it reads a connection's packets and lets the data
/// connections it announces through as RELATED (FTP's data channel).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConntrackHelper {
    /// The kernel's helper name (`ftp`, `Q.931`).
    pub kind: &'static str,
    /// `true`: TCP (a new connection's SYN); `false`: UDP.
    pub tcp: bool,
    pub port: u16,
    /// The kernel has this helper for IPv4 only.
    pub ipv4_only: bool,
}

const fn helper(kind: &'static str, tcp: bool, port: u16, ipv4_only: bool) -> ConntrackHelper {
    ConntrackHelper {
        kind,
        tcp,
        port,
        ipv4_only,
    }
}

/// `conntrack_helpers = true` (AUTOHELPERS=Yes): the helpers of Shorewall
/// 5.2.8's own conntrack file, each on its standard port, for connections
/// arriving at or leaving the firewall (its `PO` columns).
pub const CONNTRACK_HELPERS: &[ConntrackHelper] = &[
    helper("amanda", false, 10080, false),
    helper("ftp", true, 21, false),
    helper("RAS", false, 1719, false),
    helper("Q.931", true, 1720, false),
    helper("irc", true, 6667, true),
    helper("netbios-ns", false, 137, true),
    helper("pptp", true, 1723, true),
    helper("sane", true, 6566, false),
    helper("sip", false, 5060, false),
    helper("snmp", false, 161, true),
    helper("tftp", false, 69, false),
];

/// Reverse-path filtering of one interface, as the kernel's rp_filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteFilter {
    /// The source must be routed back out of the interface it came in on.
    Strict,
    /// The source must be routed back out of any interface.
    Loose,
}

impl Model {
    /// What the firewall does with forwarding: the model's `ip_forwarding`,
    /// else on when the model forwards between interfaces and kept
    /// otherwise. The one answer for every backend and for `apply`.
    pub fn ip_forwarding(&self) -> Forwarding {
        match self.firewall.ip_forwarding {
            Some(forwarding) => forwarding,
            None if self.forwards() => Forwarding::On,
            None => Forwarding::Keep,
        }
    }

    /// The interface's reverse-path filtering: its `routefilter` option, or
    /// with `route_filter = true` strict on every interface; as the kernel
    /// takes the larger of `all` and the interface's rp_filter, `=2` stays
    /// loose and `=0` becomes strict (Shorewall's ROUTE_FILTER=Yes).
    pub fn route_filter(&self, interface: &Interface) -> Option<RouteFilter> {
        let own = interface.options.iter().find_map(|option| match option {
            InterfaceOption::Routefilter(value) => Some(value.unwrap_or(1)),
            _ => None,
        });
        let global = u8::from(self.firewall.route_filter);
        match own.unwrap_or(0).max(global) {
            0 => None,
            1 => Some(RouteFilter::Strict),
            _ => Some(RouteFilter::Loose),
        }
    }

    /// Whether martians arriving on the interface are logged: its
    /// `logmartians` option, else the model's `log_martians`.
    pub fn logs_martians(&self, interface: &Interface) -> bool {
        let own = interface.options.iter().find_map(|option| match option {
            InterfaceOption::Logmartians(value) => Some(*value != Some(0)),
            _ => None,
        });
        own.unwrap_or(self.firewall.log_martians)
    }
}
