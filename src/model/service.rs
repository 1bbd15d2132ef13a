//! What a rule matches beyond zones and addresses: protocol, ports, ICMP
//! type, and the service macros that expand to them.

use std::fmt::{self, Display, Formatter};
use std::net::IpAddr;

use ipnet::IpNet;

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
            // 0 is no protocol of its own: iptables reads `-p 0` as every
            // protocol, nftables' `meta l4proto 0` as the packets of
            // protocol number 0 alone: refused (the model's `all`).
            other => (other.parse::<u8>().ok())
                .filter(|&n| n != 0)
                .map(Protocol::from_number),
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

    /// One port, `LOW:HIGH`, or an open range (`LOW:`, `:HIGH`, which
    /// starts at 0 as Shorewall's `validate_portpair` writes it:
    /// `--dport 0:1023`), as Shorewall reads numbers.
    pub fn parse(text: &str) -> Result<PortRange, &'static str> {
        let Some((low, high)) = text.split_once(':') else {
            return parse_port(text).map(PortRange::single);
        };
        let low = if low.is_empty() { 0 } else { parse_port(low)? };
        let high = if high.is_empty() {
            65535
        } else {
            parse_port(high)?
        };
        if low > high {
            return Err("the range's first port is above its last");
        }
        Ok(PortRange { low, high })
    }

    /// A comma-separated list of ports and ranges.
    pub fn parse_list(text: &str) -> Result<Vec<PortRange>, String> {
        text.split(',')
            .map(|part| {
                PortRange::parse(part.trim()).map_err(|reason| format!("`{part}`: {reason}"))
            })
            .collect()
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

fn parse_port(text: &str) -> Result<u16, &'static str> {
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_digit()) {
        return Err("ports are numbers");
    }
    match text.parse::<u32>() {
        Ok(port) if (1..=65535).contains(&port) => Ok(port as u16),
        _ => Err("ports are 1 to 65535"),
    }
}

/// An ICMP or ICMPv6 type, by number, with a code where the rule names
/// one (iptables' `fragmentation-needed` is type 3 code 4), and its name
/// where it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IcmpType {
    pub number: u8,
    /// `None`: every code of the type.
    pub code: Option<u8>,
    pub name: Option<&'static str>,
}

/// ICMP names: nftables' for the types (the same as Shorewall's), and
/// Shorewall's (iptables') for a type with a code (IPAddrs.pm
/// `%icmp_types`).
const ICMP_NAMES: &[(&str, u8, Option<u8>)] = &[
    ("echo-reply", 0, None),
    ("destination-unreachable", 3, None),
    ("network-unreachable", 3, Some(0)),
    ("host-unreachable", 3, Some(1)),
    ("protocol-unreachable", 3, Some(2)),
    ("port-unreachable", 3, Some(3)),
    ("fragmentation-needed", 3, Some(4)),
    ("source-route-failed", 3, Some(5)),
    ("network-unknown", 3, Some(6)),
    ("host-unknown", 3, Some(7)),
    ("network-prohibited", 3, Some(9)),
    ("host-prohibited", 3, Some(10)),
    ("TOS-network-unreachable", 3, Some(11)),
    ("TOS-host-unreachable", 3, Some(12)),
    ("communication-prohibited", 3, Some(13)),
    ("host-precedence-violation", 3, Some(14)),
    ("precedence-cutoff", 3, Some(15)),
    ("source-quench", 4, None),
    ("redirect", 5, None),
    ("network-redirect", 5, Some(0)),
    ("host-redirect", 5, Some(1)),
    ("TOS-network-redirect", 5, Some(2)),
    ("TOS-host-redirect", 5, Some(3)),
    ("echo-request", 8, None),
    ("router-advertisement", 9, None),
    ("router-solicitation", 10, None),
    ("time-exceeded", 11, None),
    ("ttl-zero-during-transit", 11, Some(0)),
    ("ttl-zero-during-reassembly", 11, Some(1)),
    ("parameter-problem", 12, None),
    ("ip-header-bad", 12, Some(0)),
    ("required-option-missing", 12, Some(1)),
    ("timestamp-request", 13, None),
    ("timestamp-reply", 14, None),
    ("address-mask-request", 17, None),
    ("address-mask-reply", 18, None),
];

/// ICMPv6 names: nftables' for the types, Shorewall6's (ip6tables') for
/// a type with a code (IPAddrs.pm `%ipv6_icmp_types`).
const ICMPV6_NAMES: &[(&str, u8, Option<u8>)] = &[
    ("destination-unreachable", 1, None),
    ("no-route", 1, Some(0)),
    ("communication-prohibited", 1, Some(1)),
    ("address-unreachable", 1, Some(3)),
    ("port-unreachable", 1, Some(4)),
    ("packet-too-big", 2, None),
    ("time-exceeded", 3, None),
    ("ttl-zero-during-transit", 3, Some(0)),
    ("ttl-zero-during-reassembly", 3, Some(1)),
    ("parameter-problem", 4, None),
    ("bad-header", 4, Some(0)),
    ("unknown-header-type", 4, Some(1)),
    ("unknown-option", 4, Some(2)),
    ("echo-request", 128, None),
    ("echo-reply", 129, None),
    ("mld-listener-query", 130, None),
    ("mld-listener-report", 131, None),
    ("mld-listener-done", 132, None),
    ("nd-router-solicit", 133, None),
    ("nd-router-advert", 134, None),
    ("nd-neighbor-solicit", 135, None),
    ("nd-neighbor-advert", 136, None),
    ("nd-redirect", 137, None),
    ("ind-neighbor-solicit", 141, None),
    ("ind-neighbor-advert", 142, None),
    ("mld2-listener-report", 143, None),
];

/// Shorewall6's (ip6tables') other spellings of ICMPv6 types
/// (shorewall6's action.AllowICMPs writes `neighbour-solicitation`).
const ICMPV6_ALIASES: &[(&str, u8)] = &[
    ("ttl-exceeded", 3),
    ("router-solicitation", 133),
    ("router-advertisement", 134),
    ("neighbour-solicitation", 135),
    ("neighbour-advertisement", 136),
    ("redirect", 137),
];

fn icmp_names(ipv6: bool) -> &'static [(&'static str, u8, Option<u8>)] {
    if ipv6 { ICMPV6_NAMES } else { ICMP_NAMES }
}

impl IcmpType {
    /// Parse a name, a number, or `TYPE/CODE` (numbers, as Shorewall
    /// writes them) for ICMP (`ipv6 == false`) or ICMPv6.
    pub fn parse(text: &str, ipv6: bool) -> Option<IcmpType> {
        if let Some((number, code)) = text.split_once('/') {
            let number = number.parse::<u8>().ok()?;
            let code = code.parse::<u8>().ok()?;
            return Some(IcmpType::from_number(number, Some(code), ipv6));
        }
        if let Ok(number) = text.parse::<u8>() {
            return Some(IcmpType::from_number(number, None, ipv6));
        }
        if let Some(&(name, number, code)) = icmp_names(ipv6).iter().find(|(n, ..)| *n == text) {
            return Some(IcmpType {
                number,
                code,
                name: Some(name),
            });
        }
        let alias = ICMPV6_ALIASES.iter().find(|(n, _)| ipv6 && *n == text)?;
        Some(IcmpType::from_number(alias.1, None, ipv6))
    }

    pub fn from_number(number: u8, code: Option<u8>, ipv6: bool) -> IcmpType {
        let name = icmp_names(ipv6)
            .iter()
            .find(|(_, n, c)| *n == number && *c == code)
            .map(|(name, ..)| *name);
        IcmpType { number, code, name }
    }

    /// The type alone, as nftables names it (`icmp type X`), whatever
    /// the code.
    pub fn type_word(&self, ipv6: bool) -> String {
        let plain = IcmpType::from_number(self.number, None, ipv6);
        plain.to_string()
    }

    /// `TYPE` or `TYPE/CODE` in numbers, as Shorewall6 takes them.
    pub fn numeric(&self) -> String {
        match self.code {
            Some(code) => format!("{}/{code}", self.number),
            None => self.number.to_string(),
        }
    }

    /// Whether every packet `inner` matches, this matches too.
    pub fn covers(&self, inner: &IcmpType) -> bool {
        self.number == inner.number && (self.code.is_none() || self.code == inner.code)
    }

    /// Whether an ICMP packet of this type and code matches.
    pub fn matches(&self, number: u8, code: Option<u8>) -> bool {
        self.number == number && self.code.is_none_or(|c| code == Some(c))
    }
}

impl Display for IcmpType {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.name {
            Some(name) => f.write_str(name),
            None => f.write_str(&self.numeric()),
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

    /// A protocol with its DPORT and SPORT columns as Shorewall reads a
    /// macro's line: ports for TCP and UDP, the type for ICMP.
    pub fn parsed(
        proto: Protocol,
        dport: Option<&str>,
        sport: Option<&str>,
    ) -> Result<Service, String> {
        let mut service = Service {
            proto,
            dports: Vec::new(),
            sports: Vec::new(),
            icmp_type: None,
        };
        if proto.is_icmp() {
            if let Some(text) = dport {
                let parsed = IcmpType::parse(text, proto == Protocol::Icmpv6);
                service.icmp_type =
                    Some(parsed.ok_or_else(|| format!("unknown {proto} type `{text}`"))?);
            }
            if sport.is_some() {
                return Err(format!("{proto} has no source ports"));
            }
            return Ok(service);
        }
        if !proto.has_ports() && (dport.is_some() || sport.is_some()) {
            return Err(format!("protocol {proto} has no ports"));
        }
        service.dports = dport
            .map(PortRange::parse_list)
            .transpose()?
            .unwrap_or_default();
        service.sports = sport
            .map(PortRange::parse_list)
            .transpose()?
            .unwrap_or_default();
        Ok(service)
    }
}

/// One line of a stock macro's body, its columns as Shorewall's file
/// writes them (`-` for an empty column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MacroLine {
    /// `PARAM` (the calling rule's action), another macro, or an action.
    pub action: &'static str,
    pub source: &'static str,
    pub dest: &'static str,
    pub proto: &'static str,
    pub dport: &'static str,
    pub sport: &'static str,
}

/// A line of the generated table.
pub const fn line(
    action: &'static str,
    source: &'static str,
    dest: &'static str,
    proto: &'static str,
    dport: &'static str,
    sport: &'static str,
) -> MacroLine {
    MacroLine {
        action,
        source,
        dest,
        proto,
        dport,
        sport,
    }
}

/// One of Shorewall's stock macros (/usr/share/shorewall/macro.NAME).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockMacro {
    pub name: &'static str,
    /// The action of a call without one (`DEFAULT DROP`).
    pub default: Option<&'static str>,
    /// The conntrack helper the macro attaches when AUTOHELPERS=No (its
    /// `?if ... __X_HELPER` branch); `lines` are the AUTOHELPERS=Yes branch.
    pub helper: Option<&'static str>,
    pub lines: &'static [MacroLine],
    /// Shorewall6's own version (/usr/share/shorewall6/macro.NAME), if any.
    pub ipv6_lines: Option<&'static [MacroLine]>,
}

impl StockMacro {
    /// Whether each of its lines, Shorewall's and Shorewall6's, takes the
    /// call's action (PARAM): the call then means its action on every line.
    pub fn every_line_takes_param(&self) -> bool {
        (self.lines.iter())
            .chain(self.ipv6_lines.unwrap_or_default())
            .all(|l| l.action == "PARAM")
    }
}

pub use super::stock_macros::STOCK_MACROS;

/// Shorewall finds a macro by its exact file name.
pub fn stock_macro(name: &str) -> Option<&'static StockMacro> {
    STOCK_MACROS.iter().find(|m| m.name == name)
}

/// A named service, expanding as Shorewall's macro of the same name does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Macro {
    pub name: &'static str,
    /// Shorewall's macro of that name; `None` for fwgen's own: `DHCP`,
    /// which the Shorewall backend writes as its lines, and `Invalid`.
    pub stock: Option<&'static StockMacro>,
}

/// fwgen's own macros: `DHCP` (no stock macro of that name), and
/// Shorewall's stock actions `Invalid` (conntrack state INVALID),
/// `Broadcast` and `Multicast` (the packet's destination address type).
pub const OWN_MACROS: &[&str] = &["DHCP", "Invalid", "Broadcast", "Multicast"];

/// What Shorewall's stock actions Broadcast and Multicast match: the
/// destination's address type, as a policy's default actions of the same
/// names do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DestType {
    /// `Broadcast(ACTION)`: a broadcast or anycast destination.
    Broadcast,
    /// `Multicast(ACTION)`: a multicast destination.
    Multicast,
}

/// How a rule calls a macro: its action and the columns it gives itself,
/// which replace the macro's own column by column (Rules.pm
/// `merge_macro_column`: a rule's non-empty column wins).
#[derive(Debug, Clone, Default)]
pub struct MacroCall {
    /// `ACCEPT`, `DROP` or `REJECT`; `None`: any.
    pub action: Option<&'static str>,
    pub columns: MacroColumns,
    /// AUTOHELPERS=No: Shorewall's helper macros attach their helper.
    pub helpers_attached: bool,
    /// An audited call (`SSH(A_ACCEPT)`): the lines that take the call's
    /// action (PARAM) are audited, a line with an action of its own is
    /// not (Shorewall substitutes PARAM only).
    pub audited: bool,
}

/// PROTO, DPORT (or ICMP type) and SPORT a rule gives its macro, in
/// Shorewall's spelling with numbers only; `None`: the macro's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MacroColumns {
    pub proto: Option<String>,
    pub dport: Option<String>,
    pub sport: Option<String>,
}

impl MacroCall {
    /// Whether the call's helper macros attach their helper: with
    /// AUTOHELPERS=No, an unaudited ACCEPT (or any action: `None`).
    /// Rules.pm's process_rule sets HELPER in ACCEPT's entry of
    /// `%functions` alone, which neither DROP nor REJECT nor the audited
    /// A_ACCEPT (an action of its own) reach: they ignore `{ helper=X }`.
    fn attaches_helpers(&self) -> bool {
        self.helpers_attached && !self.audited && matches!(self.action, None | Some("ACCEPT"))
    }
}

impl MacroColumns {
    pub fn is_empty(&self) -> bool {
        self == &MacroColumns::default()
    }
}

/// One part of a macro call: the services of its lines that go the same
/// way and name the same addresses of their own. Most macros are one
/// plain part; `DEST SOURCE` lines (macro.GRE, macro.NTPbi) make a part
/// the way back, and addresses in a line (macro.VRRP's `DEST:224.0.0.18`)
/// a part narrowed to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroPart {
    /// Lines from DEST to SOURCE: a rule from the call's dest to its
    /// source, of the other zone pair.
    pub reversed: bool,
    /// The lines' own addresses in SOURCE, narrowing the part's source
    /// (the call's dest when `reversed`).
    pub source: Vec<IpNet>,
    /// The lines' own addresses in DEST, narrowing the part's dest.
    pub dest: Vec<IpNet>,
    /// `Some(true)`: lines of Shorewall6's file only, `Some(false)`: of
    /// Shorewall's only, where the two files of a macro differ.
    pub family: Option<bool>,
    /// What the lines match; empty: every protocol (macro.Rfc1918).
    pub services: Vec<Service>,
    /// The lines' `origdest=` (Rules.pm's column/value pair in DEST): only
    /// connections first sent to one of these.
    pub origdest: Vec<IpNet>,
}

impl MacroPart {
    /// Whether the part's lines may match packets of a family: its own
    /// family, addresses and protocols allow it (macro.AllowICMPs' lines
    /// from `fe80::/10` are IPv6's, its `icmp` lines IPv4's).
    pub fn allows_family(&self, ipv6: bool) -> bool {
        let addresses: Vec<&IpNet> = (self.source.iter())
            .chain(&self.dest)
            .chain(&self.origdest)
            .collect();
        self.family.is_none_or(|family| family == ipv6)
            && (addresses.is_empty() || addresses.iter().any(|a| super::rule::is_ipv6(a) == ipv6))
            && (self.services.is_empty()
                || (self.services.iter()).any(|s| s.proto.only_ipv6().is_none_or(|o| o == ipv6)))
    }

    fn forward(services: Vec<Service>) -> MacroPart {
        MacroPart {
            reversed: false,
            source: Vec::new(),
            dest: Vec::new(),
            family: None,
            services,
            origdest: Vec::new(),
        }
    }

    /// Whether the part is the call as written: forward, no addresses.
    pub fn is_plain(&self) -> bool {
        !self.reversed
            && !self.names_addresses()
            && self.family.is_none()
            && self.origdest.is_empty()
    }

    pub fn names_addresses(&self) -> bool {
        !self.source.is_empty() || !self.dest.is_empty()
    }

    fn same_place(&self, other: &MacroPart) -> bool {
        self.reversed == other.reversed
            && self.source == other.source
            && self.dest == other.dest
            && self.family == other.family
            && self.origdest == other.origdest
    }
}

/// Why a macro call cannot be expressed in the model.
pub type Refusal = String;

impl Macro {
    /// A stock macro by its exact name, or one of fwgen's own (any case, as
    /// the model always took them).
    pub fn find(name: &str) -> Option<Macro> {
        if let Some(stock) = stock_macro(name) {
            return Some(Macro {
                name: stock.name,
                stock: Some(stock),
            });
        }
        if let Some(own) = OWN_MACROS.iter().find(|m| m.eq_ignore_ascii_case(name)) {
            return Some(Macro {
                name: own,
                stock: None,
            });
        }
        // The model's earlier spelling of the stock names, any case.
        let stock = STOCK_MACROS
            .iter()
            .find(|m| m.name.eq_ignore_ascii_case(name))?;
        Some(Macro {
            name: stock.name,
            stock: Some(stock),
        })
    }

    /// Every name `find` knows, for hints.
    pub fn names() -> impl Iterator<Item = &'static str> {
        STOCK_MACROS
            .iter()
            .map(|m| m.name)
            .chain(OWN_MACROS.iter().copied())
    }

    /// Whether the Shorewall backend can write the macro by its name: a
    /// stock macro, or Shorewall's action `Invalid`, `Broadcast` or
    /// `Multicast`.
    pub fn in_shorewall(self) -> bool {
        self.stock.is_some() || self.is_invalid() || self.dest_type().is_some()
    }

    /// The address type Shorewall's stock action Broadcast or Multicast
    /// matches; `None` for every other macro.
    pub fn dest_type(self) -> Option<DestType> {
        match self.name {
            "Broadcast" => Some(DestType::Broadcast),
            "Multicast" => Some(DestType::Multicast),
            _ => None,
        }
    }

    /// `Invalid` matches packets in conntrack state INVALID, not a service.
    pub fn is_invalid(self) -> bool {
        self.name == "Invalid"
    }

    /// The parts a call of the macro matches (its lines grouped by
    /// direction and own addresses), or why the model cannot express it.
    pub fn expand(self, call: &MacroCall) -> Result<Vec<MacroPart>, Refusal> {
        let Some(stock) = self.stock else {
            return Ok(vec![MacroPart::forward(self.own_services())]);
        };
        let mut parts = Vec::new();
        expand_stock(stock, call, false, &mut parts, 0)?;
        Ok(parts)
    }

    /// The conntrack helper a call attaches to its connections: with
    /// conntrack_helpers = false (AUTOHELPERS=No) a helper macro's line
    /// carries `{ helper=X }`, which Rules.pm turns into a raw-table
    /// `CT --helper X` for the rule's new connections when the rule
    /// accepts (an ACCEPT in the NEW section); other actions ignore it,
    /// the audited A_ACCEPT too ([`MacroCall::attaches_helpers`]).
    pub fn attached_helper(self, call: &MacroCall) -> Option<&'static str> {
        let helper = self.stock?.helper?;
        (call.action.is_some() && call.attaches_helpers()).then_some(helper)
    }

    fn own_services(self) -> Vec<Service> {
        match self.name {
            "DHCP" => vec![Service::ports(Protocol::Udp, &[(67, 68)], &[])],
            _ => Vec::new(),
        }
    }
}

/// A macro's parts as the services of a port forward or redirect
/// (`HTTP(DNAT)`): forward lines without addresses of their own, each
/// protocol with a destination port; why not otherwise.
pub fn forward_services(name: &str, parts: &[MacroPart]) -> Result<Vec<Service>, String> {
    let mut services = Vec::new();
    for part in parts {
        if part.reversed {
            return Err(format!(
                "macro.{name} has lines from DEST to SOURCE, which would translate connections from the target back to the source (Shorewall refuses them: \"Invalid or missing server IP address\")"
            ));
        }
        if !part.is_plain() {
            return Err(format!(
                "macro.{name} has lines with addresses of their own, an origdest or lines of one family, which fwgen's port forwards and redirects do not carry"
            ));
        }
        if part.services.is_empty() {
            return Err(format!(
                "macro.{name} has a line for every protocol, and a port forward or redirect takes TCP or UDP ports"
            ));
        }
        for service in &part.services {
            if !service.proto.has_ports() || service.dports.is_empty() {
                return Err(format!(
                    "macro.{name} has a line of protocol {} without a destination port, and a port forward or redirect takes TCP or UDP ports",
                    service.proto
                ));
            }
            services.push(service.clone());
        }
    }
    Ok(services)
}

/// How deep macros may call macros (Shorewall's stock ones nest once).
const MAX_NESTING: usize = 4;

fn expand_stock(
    stock: &StockMacro,
    call: &MacroCall,
    reversed: bool,
    parts: &mut Vec<MacroPart>,
    depth: usize,
) -> Result<(), Refusal> {
    let name = stock.name;
    if depth > MAX_NESTING {
        return Err(format!(
            "macro.{name} calls macros more than {MAX_NESTING} deep"
        ));
    }
    // Only an unaudited ACCEPT attaches the helper; under another action
    // the AUTOHELPERS=No branch's lines match what the other branch's do.
    if let (Some(helper), true) = (stock.helper, call.attaches_helpers())
        && (depth > 0 || stock.lines.len() != 1)
    {
        return Err(format!(
            "with conntrack_helpers = false (AUTOHELPERS=No) Shorewall's macro.{name} attaches the `{helper}` conntrack helper to one of its lines only, and fwgen attaches a helper to a whole rule: set conntrack_helpers = true, or write the macro's lines as rules"
        ));
    }
    let mut ipv4 = Vec::new();
    for line in stock.lines {
        expand_line(name, line, call, reversed, &mut ipv4, depth)?;
    }
    let Some(six_lines) = stock.ipv6_lines else {
        merge_parts(parts, ipv4);
        return Ok(());
    };
    let mut ipv6 = Vec::new();
    for line in six_lines {
        expand_line(name, line, call, reversed, &mut ipv6, depth)?;
    }
    if family_only(&ipv4, &ipv6, false) && family_only(&ipv6, &ipv4, true) {
        merge_parts(parts, ipv4);
        merge_parts(parts, ipv6);
        return Ok(());
    }
    // Shorewall6's file matches other ports (macro.mDNS: 1024: and
    // 32768:): each family's lines are parts of that family only, but
    // where both files agree.
    for (lines, other, v6) in [(&ipv4, &ipv6, false), (&ipv6, &ipv4, true)] {
        let own: Vec<MacroPart> = lines
            .iter()
            .map(|part| MacroPart {
                family: (!other.contains(part)).then_some(v6),
                ..part.clone()
            })
            .filter(|part| !v6 || part.family.is_some())
            .collect();
        merge_parts(parts, own);
    }
    Ok(())
}

/// Whether every part of one family's lines either names addresses (of
/// that family), or matches services the other family's lines match too
/// or that only this family has (ICMP, ICMPv6).
fn family_only(parts: &[MacroPart], other: &[MacroPart], v6: bool) -> bool {
    parts.iter().all(|part| {
        if part.names_addresses() {
            return true;
        }
        let twin = other.iter().find(|o| o.same_place(part));
        part.services.iter().all(|s| {
            twin.is_some_and(|t| t.services.contains(s)) || s.proto.only_ipv6() == Some(v6)
        })
    })
}

/// Adds parts, each merged into an earlier one of the same direction and
/// addresses.
fn merge_parts(parts: &mut Vec<MacroPart>, more: Vec<MacroPart>) {
    for part in more {
        match parts.iter_mut().find(|p| p.same_place(&part)) {
            // No service: every protocol, which takes in any other.
            Some(earlier) if earlier.services.is_empty() => {}
            Some(earlier) if part.services.is_empty() => earlier.services.clear(),
            Some(earlier) => {
                for service in part.services {
                    if !earlier.services.contains(&service) {
                        earlier.services.push(service);
                    }
                }
            }
            None => parts.push(part),
        }
    }
}

/// Which endpoint of the call a macro line's SOURCE or DEST column stands
/// for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Source,
    Dest,
}

/// A line's SOURCE or DEST column as Rules.pm `process_macro` reads it:
/// `-` is the call's own column; `SOURCE` and `DEST` (with `:ADDRESSES`)
/// name the call's source or dest; a bare address list narrows the call's
/// own column (`merge_macro_source_dest`).
fn line_endpoint(name: &str, column: &str, own: Side) -> Result<(Side, Vec<IpNet>), Refusal> {
    if column.contains('{') {
        return Err(format!(
            "macro.{name} names column/value pairs of its own (`{column}`), which a macro of the model cannot carry: write the rules with their addresses"
        ));
    }
    if column == "-" {
        return Ok((own, Vec::new()));
    }
    let (side, rest) = if let Some(rest) = column.strip_prefix("SOURCE") {
        (Side::Source, rest)
    } else if let Some(rest) = column.strip_prefix("DEST") {
        (Side::Dest, rest)
    } else {
        (own, column)
    };
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    if rest.is_empty() {
        return Ok((side, Vec::new()));
    }
    let addresses = rest
        .split(',')
        .map(|text| {
            let bare = text.trim_start_matches('[').trim_end_matches(']');
            bare.parse::<IpNet>()
                .or_else(|_| bare.parse::<IpAddr>().map(IpNet::from))
                .ok()
        })
        .collect::<Option<Vec<IpNet>>>();
    addresses.map(|a| (side, a)).ok_or_else(|| {
        format!(
            "macro.{name} names column/value pairs of its own (`{column}`), which a macro of the model cannot carry: write the rules with their addresses"
        )
    })
}

/// The direction of a line (`true`: from DEST to SOURCE, the way back),
/// its own addresses in SOURCE and DEST, and its `origdest=`.
type Direction = (bool, Vec<IpNet>, Vec<IpNet>, Vec<IpNet>);

/// DEST's column/value pairs (`DEST { origdest=10.0.0.0/8,... }`, Rules.pm
/// `process_macro`): the column without them, and ORIGDEST's networks.
/// Any other pair is refused.
fn column_pairs<'a>(name: &str, column: &'a str) -> Result<(&'a str, Vec<IpNet>), Refusal> {
    let Some((base, pairs)) = column.split_once('{') else {
        return Ok((column, Vec::new()));
    };
    let refused = || {
        format!(
            "macro.{name} names column/value pairs of its own (`{column}`) other than `origdest=`, which a macro of the model cannot carry: write the rules with their addresses"
        )
    };
    let pairs = pairs.trim().strip_suffix('}').ok_or_else(refused)?;
    let mut origdest = Vec::new();
    for pair in pairs.split_whitespace() {
        let Some(("origdest", list)) = pair.split_once('=') else {
            return Err(refused());
        };
        for text in list.split(',') {
            let net = text
                .parse::<IpNet>()
                .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| refused())?;
            origdest.push(net);
        }
    }
    Ok((base.trim(), origdest))
}

fn line_direction(name: &str, line: &MacroLine) -> Result<Direction, Refusal> {
    let (dest_column, origdest) = column_pairs(name, line.dest)?;
    let (from, source) = line_endpoint(name, line.source, Side::Source)?;
    let (to, dest) = line_endpoint(name, dest_column, Side::Dest)?;
    match (from, to) {
        (Side::Source, Side::Dest) => Ok((false, source, dest, origdest)),
        (Side::Dest, Side::Source) => Ok((true, source, dest, origdest)),
        _ => Err(format!(
            "macro.{name} has a line from and to the same side of the rule (`{} {}`), which a rule of the model cannot carry",
            line.source, line.dest
        )),
    }
}

fn expand_line(
    name: &str,
    line: &MacroLine,
    call: &MacroCall,
    reversed: bool,
    parts: &mut Vec<MacroPart>,
    depth: usize,
) -> Result<(), Refusal> {
    let (back, source, dest, origdest) = line_direction(name, line)?;
    let reversed = reversed != back;
    match line.action {
        "PARAM" => {}
        action if stock_macro(action).is_some() => {
            if !source.is_empty() || !dest.is_empty() || !origdest.is_empty() {
                return Err(format!(
                    "macro.{name} calls macro.{action} with addresses of its own, which a macro of the model cannot carry"
                ));
            }
            let inner = stock_macro(action).expect("checked");
            let merged = MacroCall {
                columns: MacroColumns {
                    proto: merge_column(call.columns.proto.as_deref(), line.proto),
                    dport: merge_column(call.columns.dport.as_deref(), line.dport),
                    sport: merge_column(call.columns.sport.as_deref(), line.sport),
                },
                ..call.clone()
            };
            return expand_stock(inner, &merged, reversed, parts, depth + 1);
        }
        fixed @ ("ACCEPT" | "DROP" | "REJECT") => {
            if call.action != Some(fixed) {
                return Err(format!(
                    "macro.{name} always {fixed}s, whatever the rule's action: use it with {fixed}"
                ));
            }
            if call.audited {
                return Err(format!(
                    "macro.{name} has a line that always {fixed}s, unaudited whatever the rule's action (Shorewall gives a call's A_{fixed} to its PARAM lines only)"
                ));
            }
        }
        other => {
            return Err(format!(
                "macro.{name} uses the action `{other}` (an audited or other Shorewall action), which is not in fwgen's model"
            ));
        }
    }
    let proto = merge_column(call.columns.proto.as_deref(), line.proto);
    let dport = merge_column(call.columns.dport.as_deref(), line.dport);
    let sport = merge_column(call.columns.sport.as_deref(), line.sport);
    let mut services = Vec::new();
    // A line for every protocol (macro.Rfc1918) matches what its
    // addresses say, whatever the protocol (no service); ports need one.
    if proto.is_none() && (dport.is_some() || sport.is_some()) {
        return Err(format!(
            "macro.{name} has a line with ports and no protocol, which Shorewall refuses"
        ));
    }
    // A list (`tcp,udp`, macro.ONCRPC) is one line per protocol.
    for proto in proto.iter().flat_map(|p| p.split(',')) {
        let proto = macro_protocol(proto).ok_or_else(|| {
            format!("macro.{name} matches protocol `{proto}`, which fwgen's model does not name")
        })?;
        let service = Service::parsed(proto, dport.as_deref(), sport.as_deref())
            .map_err(|reason| format!("macro.{name}: {reason}"))?;
        services.push(service);
    }
    let part = MacroPart {
        reversed,
        source,
        dest,
        family: None,
        services,
        origdest,
    };
    merge_parts(parts, vec![part]);
    Ok(())
}

/// A PROTO of a stock macro's line: the model's names and numbers, and
/// the one other name the stock macros use (macro.VRRP's `vrrp`, 112 in
/// /etc/protocols and IANA's list).
fn macro_protocol(text: &str) -> Option<Protocol> {
    match text {
        "vrrp" => Some(Protocol::Number(112)),
        other => Protocol::parse(other),
    }
}

/// Rules.pm `merge_macro_column`: the rule's own column wins when given.
fn merge_column(call: Option<&str>, body: &str) -> Option<String> {
    call.filter(|c| *c != "-")
        .or(Some(body).filter(|b| *b != "-"))
        .map(str::to_owned)
}
