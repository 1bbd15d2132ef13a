//! What a rule matches beyond zones and addresses: protocol, ports, ICMP
//! type, and the service macros that expand to them.

use std::fmt::{self, Display, Formatter};

/// A protocol a rule can match. `all` is the absence of a protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    Number(u8),
}

impl Protocol {
    pub fn parse(text: &str) -> Option<Protocol> {
        match text.to_ascii_lowercase().as_str() {
            "tcp" => Some(Protocol::Tcp),
            "udp" => Some(Protocol::Udp),
            "icmp" => Some(Protocol::Icmp),
            "icmpv6" | "ipv6-icmp" | "icmp6" => Some(Protocol::Icmpv6),
            other => other.parse::<u8>().ok().map(Protocol::from_number),
        }
    }

    pub fn from_number(number: u8) -> Protocol {
        match number {
            6 => Protocol::Tcp,
            17 => Protocol::Udp,
            1 => Protocol::Icmp,
            58 => Protocol::Icmpv6,
            other => Protocol::Number(other),
        }
    }

    pub fn has_ports(self) -> bool {
        matches!(self, Protocol::Tcp | Protocol::Udp)
    }

    pub fn is_icmp(self) -> bool {
        matches!(self, Protocol::Icmp | Protocol::Icmpv6)
    }

    /// `Some(true)` for IPv6 only, `Some(false)` for IPv4 only.
    pub fn only_ipv6(self) -> Option<bool> {
        match self {
            Protocol::Icmp => Some(false),
            Protocol::Icmpv6 => Some(true),
            _ => None,
        }
    }
}

impl Display for Protocol {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Protocol::Tcp => f.write_str("tcp"),
            Protocol::Udp => f.write_str("udp"),
            Protocol::Icmp => f.write_str("icmp"),
            Protocol::Icmpv6 => f.write_str("icmpv6"),
            Protocol::Number(n) => write!(f, "{n}"),
        }
    }
}

/// A port or an inclusive range of ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PortRange {
    pub low: u16,
    pub high: u16,
}

impl PortRange {
    pub fn single(port: u16) -> PortRange {
        PortRange {
            low: port,
            high: port,
        }
    }

    pub fn contains(self, port: u16) -> bool {
        self.low <= port && port <= self.high
    }

    /// Written with a separator: `:` for Shorewall, `-` for nftables.
    pub fn written(self, separator: &str) -> String {
        if self.low == self.high {
            self.low.to_string()
        } else {
            format!("{}{separator}{}", self.low, self.high)
        }
    }
}

/// An ICMP or ICMPv6 type, by number, with its name where it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IcmpType {
    pub number: u8,
    pub name: Option<&'static str>,
}

const ICMP_TYPES: &[(&str, u8)] = &[
    ("echo-reply", 0),
    ("destination-unreachable", 3),
    ("source-quench", 4),
    ("redirect", 5),
    ("echo-request", 8),
    ("router-advertisement", 9),
    ("router-solicitation", 10),
    ("time-exceeded", 11),
    ("parameter-problem", 12),
    ("timestamp-request", 13),
    ("timestamp-reply", 14),
];

const ICMPV6_TYPES: &[(&str, u8)] = &[
    ("destination-unreachable", 1),
    ("packet-too-big", 2),
    ("time-exceeded", 3),
    ("parameter-problem", 4),
    ("echo-request", 128),
    ("echo-reply", 129),
    ("nd-router-solicit", 133),
    ("nd-router-advert", 134),
    ("nd-neighbor-solicit", 135),
    ("nd-neighbor-advert", 136),
];

impl IcmpType {
    /// Parse a name or number for ICMP (`ipv6 == false`) or ICMPv6.
    pub fn parse(text: &str, ipv6: bool) -> Option<IcmpType> {
        let table = if ipv6 { ICMPV6_TYPES } else { ICMP_TYPES };
        if let Ok(number) = text.parse::<u8>() {
            return Some(IcmpType::from_number(number, ipv6));
        }
        table
            .iter()
            .find(|(name, _)| *name == text)
            .map(|&(name, number)| IcmpType {
                number,
                name: Some(name),
            })
    }

    pub fn from_number(number: u8, ipv6: bool) -> IcmpType {
        let table = if ipv6 { ICMPV6_TYPES } else { ICMP_TYPES };
        let name = table
            .iter()
            .find(|(_, n)| *n == number)
            .map(|(name, _)| *name);
        IcmpType { number, name }
    }
}

impl Display for IcmpType {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.name {
            Some(name) => f.write_str(name),
            None => write!(f, "{}", self.number),
        }
    }
}

/// One protocol with its ports or ICMP type; a rule matches any of its
/// services (a rule without services matches every protocol).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub proto: Protocol,
    pub dports: Vec<PortRange>,
    pub sports: Vec<PortRange>,
    pub icmp_type: Option<IcmpType>,
}

impl Service {
    fn ports(proto: Protocol, dports: &[(u16, u16)], sports: &[(u16, u16)]) -> Service {
        let ranges = |ports: &[(u16, u16)]| {
            ports
                .iter()
                .map(|&(low, high)| PortRange { low, high })
                .collect()
        };
        Service {
            proto,
            dports: ranges(dports),
            sports: ranges(sports),
            icmp_type: None,
        }
    }

    fn icmp(proto: Protocol, number: u8) -> Service {
        Service {
            proto,
            dports: Vec::new(),
            sports: Vec::new(),
            icmp_type: Some(IcmpType::from_number(number, proto == Protocol::Icmpv6)),
        }
    }
}

/// A named service, expanding as Shorewall's macro of the same name does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Macro {
    pub name: &'static str,
    /// Whether Shorewall 5.2 ships `macro.NAME`; otherwise the Shorewall
    /// backend writes the expanded lines.
    pub in_shorewall: bool,
}

pub const MACRO_NAMES: &[&str] = &[
    "SSH", "DNS", "HTTP", "HTTPS", "Web", "Ping", "DHCP", "NTP", "SMTP", "SMTPS", "IMAP", "IMAPS",
    "POP3", "POP3S", "Telnet", "Syslog", "SNMP", "Invalid",
];

impl Macro {
    pub fn find(name: &str) -> Option<Macro> {
        let name = *MACRO_NAMES.iter().find(|m| m.eq_ignore_ascii_case(name))?;
        Some(Macro {
            name,
            in_shorewall: name != "DHCP",
        })
    }

    /// `Invalid` matches packets in conntrack state INVALID, not a service.
    pub fn is_invalid(self) -> bool {
        self.name == "Invalid"
    }

    /// The services the macro stands for (Shorewall's /usr/share/shorewall/macro.*).
    pub fn services(self) -> Vec<Service> {
        use Protocol::{Icmp, Icmpv6, Tcp, Udp};
        let tcp = |port| Service::ports(Tcp, &[(port, port)], &[]);
        let udp = |port| Service::ports(Udp, &[(port, port)], &[]);
        match self.name {
            "SSH" => vec![tcp(22)],
            "DNS" => vec![udp(53), tcp(53)],
            "HTTP" => vec![tcp(80)],
            "HTTPS" => vec![tcp(443)],
            "Web" => vec![tcp(80), tcp(443)],
            "Ping" => vec![Service::icmp(Icmp, 8), Service::icmp(Icmpv6, 128)],
            "DHCP" => vec![Service::ports(Udp, &[(67, 68)], &[])],
            "NTP" => vec![udp(123)],
            "SMTP" => vec![tcp(25)],
            "SMTPS" => vec![tcp(465)],
            "IMAP" => vec![tcp(143)],
            "IMAPS" => vec![tcp(993)],
            "POP3" => vec![tcp(110)],
            "POP3S" => vec![tcp(995)],
            "Telnet" => vec![tcp(23)],
            "Syslog" => vec![udp(514), tcp(514)],
            "SNMP" => vec![udp(161)],
            _ => Vec::new(),
        }
    }
}
