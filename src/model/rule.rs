//! Rules: exceptions to the policies, evaluated in order.

use std::fmt::{self, Display, Formatter};

use ipnet::IpNet;

use super::policy::LogLevel;
use super::reject::RejectWith;
use super::service::{Macro, MacroColumns, Service};
use super::zone::ZoneRef;

/// One `[[rule]]` entry.
#[derive(Debug, Clone)]
pub struct Rule {
    pub verdict: Verdict,
    pub log: Option<LogLevel>,
    pub source: Endpoint,
    pub dest: Endpoint,
    /// The macro the rule was written with, if any.
    pub service_macro: Option<Macro>,
    /// REJECT's named answer (`REJECT(icmp-host-prohibited)`).
    pub reject_with: Option<RejectWith>,
    /// The columns the rule gives its macro (`SSH(ACCEPT) net $FW tcp 2222`).
    pub macro_columns: MacroColumns,
    /// What the rule matches; empty means every protocol.
    pub services: Vec<Service>,
    pub comment: Option<String>,
    /// Line of the entry in the model file.
    pub line: usize,
    /// Byte range of the entry in the model file.
    pub span: std::ops::Range<usize>,
}

/// A zone, optionally narrowed to addresses or networks
/// (Shorewall's `net:192.0.2.0/24`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub zone: ZoneRef,
    pub addresses: Vec<IpNet>,
}

impl Endpoint {
    /// Whether the endpoint's addresses allow the family (`true` = IPv6).
    pub fn allows_family(&self, ipv6: bool) -> bool {
        self.addresses.is_empty() || self.addresses.iter().any(|a| is_ipv6(a) == ipv6)
    }
}

pub fn is_ipv6(net: &IpNet) -> bool {
    matches!(net, IpNet::V6(_))
}

/// An address as people write it (`10.0.0.1`), a network with its prefix.
pub fn written(net: &IpNet) -> String {
    if net.prefix_len() == net.max_prefix_len() {
        net.addr().to_string()
    } else {
        net.to_string()
    }
}

/// What a rule does with a matching connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Accept,
    Drop,
    Reject,
}

impl Verdict {
    pub fn keyword(self) -> &'static str {
        match self {
            Verdict::Accept => "ACCEPT",
            Verdict::Drop => "DROP",
            Verdict::Reject => "REJECT",
        }
    }
}

impl Verdict {
    /// A Shorewall action that is a verdict (`ACCEPT`, `DROP`, `REJECT`).
    pub fn parse(text: &str) -> Option<Verdict> {
        [Verdict::Accept, Verdict::Drop, Verdict::Reject]
            .into_iter()
            .find(|v| v.keyword() == text)
    }
}

impl Display for Verdict {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

impl Rule {
    /// Whether this rule can apply to traffic of the family.
    pub fn allows_family(&self, ipv6: bool) -> bool {
        let services_allow = self.services.is_empty()
            || self
                .services
                .iter()
                .any(|s| s.proto.only_ipv6().is_none_or(|only| only == ipv6));
        let answer_allows = self
            .reject_with
            .is_none_or(|r| r.only_ipv6().is_none_or(|only| only == ipv6));
        services_allow
            && answer_allows
            && self.source.allows_family(ipv6)
            && self.dest.allows_family(ipv6)
    }

    pub fn is_invalid_match(&self) -> bool {
        self.service_macro.is_some_and(Macro::is_invalid)
    }
}
