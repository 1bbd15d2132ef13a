//! How a REJECT rule answers when it names the answer: Shorewall's
//! `REJECT(option)` (shorewall-rules(5), Rules.pm `%reject_options`),
//! iptables' `--reject-with`.

/// An answer `REJECT(option)` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RejectWith {
    /// The option as Shorewall writes it (`icmp-host-prohibited`).
    pub option: &'static str,
    pub answer: Answer,
}

/// What the answer is, as nftables writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// A TCP reset; only for TCP.
    TcpReset,
    /// An ICMP type (IPv4 only), by nftables' name.
    Icmp(&'static str),
    /// An ICMPv6 type (IPv6 only), by nftables' name.
    Icmpv6(&'static str),
}

/// Shorewall 5.2's options (both spellings where it takes two), with
/// nftables' name of the same answer.
const OPTIONS: &[(&str, Answer)] = &[
    ("icmp-net-unreachable", Answer::Icmp("net-unreachable")),
    ("icmp-host-unreachable", Answer::Icmp("host-unreachable")),
    ("icmp-port-unreachable", Answer::Icmp("port-unreachable")),
    ("icmp-proto-unreachable", Answer::Icmp("prot-unreachable")),
    ("icmp-net-prohibited", Answer::Icmp("net-prohibited")),
    ("icmp-host-prohibited", Answer::Icmp("host-prohibited")),
    ("icmp-admin-prohibited", Answer::Icmp("admin-prohibited")),
    ("icmp-tcp-reset", Answer::TcpReset),
    ("tcp-reset", Answer::TcpReset),
    ("icmp6-no-route", Answer::Icmpv6("no-route")),
    ("no-route", Answer::Icmpv6("no-route")),
    ("icmp6-adm-prohibited", Answer::Icmpv6("admin-prohibited")),
    ("adm-prohibited", Answer::Icmpv6("admin-prohibited")),
    ("icmp6-addr-unreachable", Answer::Icmpv6("addr-unreachable")),
    ("addr-unreach", Answer::Icmpv6("addr-unreachable")),
    ("icmp6-port-unreachable", Answer::Icmpv6("port-unreachable")),
];

impl RejectWith {
    pub fn parse(text: &str) -> Option<RejectWith> {
        OPTIONS
            .iter()
            .find(|(option, _)| *option == text)
            .map(|&(option, answer)| RejectWith { option, answer })
    }

    /// Every option, for hints.
    pub fn options() -> impl Iterator<Item = &'static str> {
        OPTIONS.iter().map(|(option, _)| *option)
    }

    /// `Some(true)` for an IPv6-only answer, `Some(false)` for IPv4 only:
    /// Shorewall6 refuses the IPv4 options and Shorewall the IPv6 ones, so
    /// the rule applies to that family only.
    pub fn only_ipv6(self) -> Option<bool> {
        match self.answer {
            Answer::TcpReset => None,
            Answer::Icmp(_) => Some(false),
            Answer::Icmpv6(_) => Some(true),
        }
    }
}
