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

    /// One port, `LOW:HIGH`, or an open range (`LOW:`, `:HIGH`), as
    /// Shorewall's `validate_portpair` reads numbers.
    pub fn parse(text: &str) -> Result<PortRange, &'static str> {
        let Some((low, high)) = text.split_once(':') else {
            return parse_port(text).map(PortRange::single);
        };
        let low = if low.is_empty() { 1 } else { parse_port(low)? };
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

/// fwgen's own macros: `DHCP` (no stock macro of that name), `Invalid`
/// (Shorewall's action of that name, conntrack state INVALID).
pub const OWN_MACROS: &[&str] = &["DHCP", "Invalid"];

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
}

/// PROTO, DPORT (or ICMP type) and SPORT a rule gives its macro, in
/// Shorewall's spelling with numbers only; `None`: the macro's own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MacroColumns {
    pub proto: Option<String>,
    pub dport: Option<String>,
    pub sport: Option<String>,
}

impl MacroColumns {
    pub fn is_empty(&self) -> bool {
        self == &MacroColumns::default()
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
    /// stock macro, or Shorewall's action `Invalid`.
    pub fn in_shorewall(self) -> bool {
        self.stock.is_some() || self.is_invalid()
    }

    /// `Invalid` matches packets in conntrack state INVALID, not a service.
    pub fn is_invalid(self) -> bool {
        self.name == "Invalid"
    }

    /// The services a call of the macro matches, or why the model cannot
    /// express it.
    pub fn expand(self, call: &MacroCall) -> Result<Vec<Service>, Refusal> {
        let Some(stock) = self.stock else {
            return Ok(self.own_services());
        };
        let mut services = Vec::new();
        expand_stock(stock, call, &mut services, 0)?;
        Ok(services)
    }

    fn own_services(self) -> Vec<Service> {
        match self.name {
            "DHCP" => vec![Service::ports(Protocol::Udp, &[(67, 68)], &[])],
            _ => Vec::new(),
        }
    }
}

/// How deep macros may call macros (Shorewall's stock ones nest once).
const MAX_NESTING: usize = 4;

fn expand_stock(
    stock: &StockMacro,
    call: &MacroCall,
    services: &mut Vec<Service>,
    depth: usize,
) -> Result<(), Refusal> {
    let name = stock.name;
    if depth > MAX_NESTING {
        return Err(format!(
            "macro.{name} calls macros more than {MAX_NESTING} deep"
        ));
    }
    if let (Some(helper), true) = (stock.helper, call.helpers_attached) {
        return Err(format!(
            "with conntrack_helpers = false (AUTOHELPERS=No) Shorewall's macro.{name} attaches the `{helper}` conntrack helper to the rule's connections, and a helper per rule is not in fwgen's model: set conntrack_helpers = true, or write the rule with proto and dport"
        ));
    }
    let mut ipv4 = Vec::new();
    for line in stock.lines {
        expand_line(name, line, call, &mut ipv4, depth)?;
    }
    let Some(six_lines) = stock.ipv6_lines else {
        merge_services(services, ipv4);
        return Ok(());
    };
    let mut ipv6 = Vec::new();
    for line in six_lines {
        expand_line(name, line, call, &mut ipv6, depth)?;
    }
    let family_only = |set: &[Service], other: &[Service], v6: bool| {
        set.iter()
            .all(|s| other.contains(s) || s.proto.only_ipv6() == Some(v6))
    };
    if !family_only(&ipv4, &ipv6, false) || !family_only(&ipv6, &ipv4, true) {
        return Err(format!(
            "Shorewall6's macro.{name} matches other ports than Shorewall's, beyond ICMP and ICMPv6, and a rule of the model matches the same services in both families"
        ));
    }
    merge_services(services, ipv4);
    merge_services(services, ipv6);
    Ok(())
}

fn merge_services(services: &mut Vec<Service>, more: Vec<Service>) {
    for service in more {
        if !services.contains(&service) {
            services.push(service);
        }
    }
}

fn expand_line(
    name: &str,
    line: &MacroLine,
    call: &MacroCall,
    services: &mut Vec<Service>,
    depth: usize,
) -> Result<(), Refusal> {
    match (line.source, line.dest) {
        ("-" | "SOURCE", "-" | "DEST") => {}
        ("DEST", "SOURCE") => {
            return Err(format!(
                "macro.{name} also matches the way back (a line from DEST to SOURCE), and a rule of the model goes one way: write a second rule with source and dest swapped"
            ));
        }
        (source, dest) => {
            return Err(format!(
                "macro.{name} names addresses or column/value pairs of its own (`{source} {dest}`), which a macro of the model cannot carry: write the rules with their addresses"
            ));
        }
    }
    match line.action {
        "PARAM" => {}
        action if stock_macro(action).is_some() => {
            let inner = stock_macro(action).expect("checked");
            let merged = MacroCall {
                columns: MacroColumns {
                    proto: merge_column(call.columns.proto.as_deref(), line.proto),
                    dport: merge_column(call.columns.dport.as_deref(), line.dport),
                    sport: merge_column(call.columns.sport.as_deref(), line.sport),
                },
                ..call.clone()
            };
            return expand_stock(inner, &merged, services, depth + 1);
        }
        fixed @ ("ACCEPT" | "DROP" | "REJECT") => {
            if call.action != Some(fixed) {
                return Err(format!(
                    "macro.{name} always {fixed}s, whatever the rule's action: use it with {fixed}"
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
    let Some(proto) = proto else {
        return Err(format!(
            "macro.{name} has a line for every protocol, which the model's macros cannot carry"
        ));
    };
    // A list (`tcp,udp`, macro.ONCRPC) is one line per protocol.
    for proto in proto.split(',') {
        let proto = Protocol::parse(proto).ok_or_else(|| {
            format!("macro.{name} matches protocol `{proto}`, which fwgen's model does not name")
        })?;
        let service = Service::parsed(proto, dport.as_deref(), sport.as_deref())
            .map_err(|reason| format!("macro.{name}: {reason}"))?;
        services.push(service);
    }
    Ok(())
}

/// Rules.pm `merge_macro_column`: the rule's own column wins when given.
fn merge_column(call: Option<&str>, body: &str) -> Option<String> {
    call.filter(|c| *c != "-")
        .or(Some(body).filter(|b| *b != "-"))
        .map(str::to_owned)
}
