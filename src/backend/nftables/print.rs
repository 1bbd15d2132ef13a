//! The lowered ruleset in nftables' own syntax: every match, statement and
//! rule as `nft -f` reads it. Printing decides nothing; the meaning is in
//! src/ruleset/lower.rs.

use std::fmt::{self, Display, Formatter, Write as _};

use crate::model::reject::Answer;
use crate::model::rule::written;
use crate::model::{ClampMss, LimitPer, LogLevel, RateUnit};
use crate::ruleset::{
    CtState, Direction, Family, Fib, Helper, IfName, KeyField, KeyValue, L4, Lookup, MapKey,
    MapValue, Match, PortProto, Priority, Reject, Rule, Set, Side, Statement, TcpFlag, Verdict,
};

/// `x` alone, or `{ x, y }`.
fn set<T>(items: &[T], show: impl Fn(&T) -> String) -> String {
    let shown: Vec<String> = items.iter().map(show).collect();
    if shown.len() == 1 {
        shown.into_iter().next().unwrap_or_default()
    } else {
        format!("{{ {} }}", shown.join(", "))
    }
}

fn family_word(family: Family) -> &'static str {
    match family {
        Family::Ipv4 => "ip",
        Family::Ipv6 => "ip6",
    }
}

fn if_name(name: &IfName) -> String {
    match name {
        IfName::Exact(exact) => format!("\"{exact}\""),
        IfName::Prefix(stem) => format!("\"{stem}*\""),
    }
}

fn side_word(side: Side) -> &'static str {
    match side {
        Side::In => "iifname",
        Side::Out => "oifname",
    }
}

fn l4_word(l4: &L4) -> String {
    match l4 {
        L4::Tcp => "tcp".to_owned(),
        L4::Udp => "udp".to_owned(),
        L4::Icmp => "icmp".to_owned(),
        L4::Icmpv6 => "ipv6-icmp".to_owned(),
        L4::Igmp => "igmp".to_owned(),
        L4::Number(n) => n.to_string(),
    }
}

fn state_word(state: &CtState) -> &'static str {
    match state {
        CtState::New => "new",
        CtState::Established => "established",
        CtState::Related => "related",
        CtState::Invalid => "invalid",
        CtState::Untracked => "untracked",
    }
}

fn flags(flags: &[TcpFlag]) -> String {
    if flags.is_empty() {
        return "0x0".to_owned();
    }
    let words: Vec<&str> = flags
        .iter()
        .map(|f| match f {
            TcpFlag::Fin => "fin",
            TcpFlag::Syn => "syn",
            TcpFlag::Rst => "rst",
            TcpFlag::Psh => "psh",
            TcpFlag::Ack => "ack",
            TcpFlag::Urg => "urg",
        })
        .collect();
    words.join("|")
}

impl Display for Match {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Match::Loopback(Side::In) => f.write_str("iif \"lo\""),
            Match::Loopback(Side::Out) => f.write_str("oif \"lo\""),
            Match::Interface {
                side,
                negated,
                names,
            } => {
                let not = if *negated { "!= " } else { "" };
                write!(f, "{} {not}{}", side_word(*side), set(names, if_name))
            }
            Match::Family(family) => match family {
                Family::Ipv4 => f.write_str("meta nfproto ipv4"),
                Family::Ipv6 => f.write_str("meta nfproto ipv6"),
            },
            Match::Address {
                family,
                direction,
                negated,
                nets,
            } => {
                let field = match direction {
                    Direction::Source => "saddr",
                    Direction::Destination => "daddr",
                };
                let not = if *negated { "!= " } else { "" };
                write!(
                    f,
                    "{} {field} {not}{}",
                    family_word(*family),
                    set(nets, written)
                )
            }
            Match::Protocol(protocols) => write!(f, "meta l4proto {}", set(protocols, l4_word)),
            Match::Port {
                proto,
                direction,
                ports,
            } => {
                let header = match proto {
                    PortProto::Tcp => "tcp",
                    PortProto::Udp => "udp",
                    PortProto::Any => "th",
                };
                let field = match direction {
                    Direction::Source => "sport",
                    Direction::Destination => "dport",
                };
                write!(f, "{header} {field} {}", set(ports, |p| p.written("-")))
            }
            Match::IcmpType { family, types } => {
                let header = match family {
                    Family::Ipv4 => "icmp",
                    Family::Ipv6 => "icmpv6",
                };
                write!(f, "{header} type {}", set(types, ToString::to_string))
            }
            Match::CtState(states) => {
                write!(f, "ct state {}", set(states, |s| state_word(s).to_owned()))
            }
            Match::OriginalPort(ports) => write!(
                f,
                "ct original proto-dst {}",
                set(ports, |p| p.written("-"))
            ),
            Match::Fib(fib) => f.write_str(match fib {
                Fib::SourceIsBroadcast => "fib saddr type broadcast",
                Fib::DestinationIsAnycast => "fib daddr type anycast",
                Fib::NoRouteBackStrict => "fib saddr . iif oif missing",
                Fib::NoRouteBackLoose => "fib saddr oif missing",
                Fib::DestinationIsBroadcastLike => {
                    "fib daddr type { broadcast, anycast, multicast }"
                }
            }),
            Match::LogLimit { limit, set } => {
                let rate = format!(
                    "limit rate {}/{} burst {} packets",
                    limit.rate,
                    unit_word(limit.unit),
                    limit.burst
                );
                match set {
                    None => f.write_str(&rate),
                    Some((name, family)) => {
                        let field = match limit.per {
                            LimitPer::Destination => "daddr",
                            _ => "saddr",
                        };
                        write!(
                            f,
                            "update @{name} {{ {} {field} {rate} }}",
                            family_word(*family)
                        )
                    }
                }
            }
            Match::RateLimit { limit, set } => {
                let rate = format!(
                    "limit rate {}/{} burst {} packets",
                    limit.rate,
                    unit_word(limit.unit),
                    limit.burst
                );
                match set {
                    None => f.write_str(&rate),
                    Some((name, family)) => write!(
                        f,
                        "update @{name} {{ {} {rate} }}",
                        address_key(*family, limit.per, None)
                    ),
                }
            }
            Match::ConnLimit { limit, set, family } => {
                let over = if limit.above { "over " } else { "" };
                write!(
                    f,
                    "add @{set} {{ {} ct count {over}{} }}",
                    address_key(*family, limit.per, limit.mask),
                    limit.count
                )
            }
            Match::TcpFlags { mask, value } => {
                write!(f, "tcp flags & ({}) == {}", flags(mask), flags(value))
            }
            Match::MssAtLeast(size) => write!(f, "tcp option maxseg size >= {size}"),
        }
    }
}

impl Display for Verdict {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Accept => f.write_str("accept"),
            Verdict::Drop => f.write_str("drop"),
            Verdict::Return => f.write_str("return"),
            Verdict::Jump(chain) => write!(f, "jump {chain}"),
        }
    }
}

/// The level as nft names it: nft refuses `warning` and wants `warn`;
/// NFLOG is `group N` (`--nflog-range` is left out: the kernel never read
/// it, and iptables-nft drops it too).
pub fn level_name(level: LogLevel) -> String {
    match level {
        LogLevel::Warning => "level warn".to_owned(),
        LogLevel::Nflog(nflog) => {
            let mut text = format!("group {}", nflog.group.unwrap_or(0));
            if let Some(threshold) = nflog.threshold {
                text.push_str(&format!(" queue-threshold {threshold}"));
            }
            text
        }
        other => format!("level {}", other.name()),
    }
}

fn map_value(value: &MapValue) -> String {
    match value {
        MapValue::Name(name) => format!("\"{name}\""),
        MapValue::State(state) => state_word(state).to_owned(),
    }
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Statement::Log { prefix, level } => {
                write!(f, "log prefix \"{prefix}\" {}", level_name(*level))
            }
            Statement::Verdict(verdict) => write!(f, "{verdict}"),
            Statement::Reject(reject) => f.write_str(match reject {
                Reject::TcpReset => "reject with tcp reset",
                Reject::PortUnreachable => "reject with icmpx type port-unreachable",
                Reject::HostUnreachable => "reject with icmp type host-unreachable",
                Reject::HostProhibited => "reject with icmp type host-prohibited",
                Reject::AddrUnreachable => "reject with icmpv6 type addr-unreachable",
                Reject::AdminProhibited => "reject with icmpv6 type admin-prohibited",
                Reject::Named(Answer::TcpReset) => "reject with tcp reset",
                Reject::Named(Answer::Icmp(name)) => {
                    return write!(f, "reject with icmp type {name}");
                }
                Reject::Named(Answer::Icmpv6(name)) => {
                    return write!(f, "reject with icmpv6 type {name}");
                }
            }),
            Statement::Map { key, elements } => {
                let key = match key {
                    MapKey::Interface(side) => side_word(*side).to_owned(),
                    MapKey::InterfacePair => "iifname . oifname".to_owned(),
                    MapKey::CtState => "ct state".to_owned(),
                };
                let elements: Vec<String> = elements
                    .iter()
                    .map(|e| {
                        let key: Vec<String> = e.key.iter().map(map_value).collect();
                        format!("{} : {}", key.join(" . "), e.verdict)
                    })
                    .collect();
                write!(f, "{key} vmap {{ {} }}", elements.join(", "))
            }
            Statement::Dnat { family, to, port } => {
                let target = match (port, family) {
                    (Some(port), Family::Ipv4) => format!("{to}:{port}"),
                    (Some(port), Family::Ipv6) => format!("[{to}]:{port}"),
                    (None, _) => to.to_string(),
                };
                write!(f, "dnat {} to {target}", family_word(*family))
            }
            Statement::Snat { family, to } => write!(f, "snat {} to {to}", family_word(*family)),
            Statement::Masquerade => f.write_str("masquerade"),
            Statement::Redirect(port) => write!(f, "redirect to :{port}"),
            Statement::SetMss(ClampMss::RouteMtu) => {
                f.write_str("tcp option maxseg size set rt mtu")
            }
            Statement::SetMss(ClampMss::Size(size)) => {
                write!(f, "tcp option maxseg size set {size}")
            }
            Statement::SetHelper(name) => write!(f, "ct helper set \"{name}\""),
            Statement::Lookup(lookup) => match &lookup.verdict {
                Some(verdict) => write!(f, "{} @{} {verdict}", key(lookup), lookup.name),
                None => write!(f, "{} vmap @{}", key(lookup), lookup.name),
            },
        }
    }
}

impl Display for Rule {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        // The matches and statements, one space between each, written
        // straight into the output (no string per part).
        let matches = self.matches.iter().map(|m| m as &dyn Display);
        let statements = self.statements.iter().map(|s| s as &dyn Display);
        for (n, part) in matches.chain(statements).enumerate() {
            if n > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{part}")?;
        }
        if let Some(comment) = &self.comment {
            write!(f, " comment \"{comment}\"")?;
        }
        Ok(())
    }
}

/// The key of a limit's set: `ip saddr`, `ip6 daddr & ffff:ffff:ffff::`.
fn address_key(family: Family, per: LimitPer, mask: Option<u8>) -> String {
    let field = match per {
        LimitPer::Destination => "daddr",
        _ => "saddr",
    };
    let key = format!("{} {field}", family_word(family));
    let netmask = match (family, mask) {
        (Family::Ipv4, Some(bits)) if bits < 32 => ipnet::Ipv4Net::new([0; 4].into(), bits)
            .ok()
            .map(|net| net.netmask().to_string()),
        (Family::Ipv6, Some(bits)) if bits < 128 => ipnet::Ipv6Net::new([0u16; 8].into(), bits)
            .ok()
            .map(|net| net.netmask().to_string()),
        _ => None,
    };
    match netmask {
        Some(netmask) => format!("{key} & {netmask}"),
        None => key,
    }
}

fn unit_word(unit: RateUnit) -> &'static str {
    match unit {
        RateUnit::Second => "second",
        RateUnit::Minute => "minute",
        RateUnit::Hour => "hour",
        RateUnit::Day => "day",
    }
}

/// A set's declaration, as the lines inside `set NAME { ... }`.
pub fn set_lines(set: &Set) -> Vec<String> {
    let key = match set.family {
        Family::Ipv4 => "ipv4_addr",
        Family::Ipv6 => "ipv6_addr",
    };
    vec![format!("type {key}"), format!("size {}", set.size)]
        .into_iter()
        .chain(match set.timeout {
            Some(timeout) => vec![
                "flags dynamic,timeout".to_owned(),
                format!("timeout {timeout}s"),
            ],
            None => vec!["flags dynamic".to_owned()],
        })
        .collect()
}

/// The body of a `ct helper` object.
pub fn helper_lines(helper: &Helper) -> Vec<String> {
    let l3proto = match helper.family {
        None => "inet",
        Some(family) => family_word(family),
    };
    vec![
        format!(
            "type \"{}\" protocol {}",
            helper.kind,
            l4_word(&helper.protocol)
        ),
        format!("l3proto {l3proto}"),
    ]
}

fn direction_word(direction: Direction, field: &str) -> String {
    match direction {
        Direction::Source => format!("s{field}"),
        Direction::Destination => format!("d{field}"),
    }
}

/// A lookup's key as a rule reads it: `ip saddr . meta l4proto . th dport`.
fn key(lookup: &Lookup) -> String {
    let fields: Vec<String> = lookup
        .key
        .iter()
        .map(|field| match field {
            KeyField::Address(family, direction) => {
                format!(
                    "{} {}",
                    family_word(*family),
                    direction_word(*direction, "addr")
                )
            }
            KeyField::Protocol => "meta l4proto".to_owned(),
            KeyField::Port(direction) => format!("th {}", direction_word(*direction, "port")),
        })
        .collect();
    fields.join(" . ")
}

/// A lookup's key as its set declares it: `ipv4_addr . inet_proto . inet_service`.
fn key_type(lookup: &Lookup) -> String {
    let types: Vec<&str> = lookup
        .key
        .iter()
        .map(|field| match field {
            KeyField::Address(Family::Ipv4, _) => "ipv4_addr",
            KeyField::Address(Family::Ipv6, _) => "ipv6_addr",
            KeyField::Protocol => "inet_proto",
            KeyField::Port(_) => "inet_service",
        })
        .collect();
    types.join(" . ")
}

fn key_value(value: &KeyValue) -> String {
    match value {
        KeyValue::Net(net) => written(net),
        KeyValue::Protocol(l4) => l4_word(l4),
        KeyValue::Ports(range) => range.written("-"),
    }
}

/// A lookup's declaration, as the lines inside `set NAME { ... }` or
/// `map NAME { ... }`: one element a line, with its item's name.
pub fn lookup_lines(lookup: &Lookup) -> Vec<String> {
    let verdict = if lookup.verdict.is_some() {
        ""
    } else {
        " : verdict"
    };
    let mut lines = vec![format!("type {}{verdict}", key_type(lookup))];
    if lookup.interval() {
        lines.push("flags interval".to_owned());
    }
    lines.push("elements = {".to_owned());
    for element in &lookup.elements {
        // One string per element, written in place.
        let mut line = String::with_capacity(64);
        line.push('\t');
        for (n, value) in element.values.iter().enumerate() {
            if n > 0 {
                line.push_str(" . ");
            }
            line.push_str(&key_value(value));
        }
        if let Some(comment) = &element.comment {
            let _ = write!(line, " comment \"{comment}\"");
        }
        if lookup.verdict.is_none() {
            let _ = write!(line, " : {}", element.verdict);
        }
        line.push(',');
        lines.push(line);
    }
    lines.push("}".to_owned());
    lines
}

/// A rule as the lines of the file: one line, except that an interface
/// verdict map with several elements puts each on a line of its own, so
/// adding a zone or an interface adds lines and changes none.
pub fn rule_lines(rule: &Rule) -> Vec<String> {
    let map = rule.statements.iter().find_map(|s| match s {
        Statement::Map { key, elements } if *key != MapKey::CtState && elements.len() > 1 => {
            Some((key, elements))
        }
        _ => None,
    });
    let Some((key, elements)) = map else {
        return vec![rule.to_string()];
    };
    let key = match key {
        MapKey::Interface(side) => side_word(*side).to_owned(),
        _ => "iifname . oifname".to_owned(),
    };
    let mut head: Vec<String> = rule.matches.iter().map(ToString::to_string).collect();
    head.push(format!("{key} vmap {{"));
    let mut lines = vec![head.join(" ")];
    for element in elements {
        let values: Vec<String> = element.key.iter().map(map_value).collect();
        lines.push(format!("\t{} : {},", values.join(" . "), element.verdict));
    }
    lines.push(match &rule.comment {
        Some(comment) => format!("}} comment \"{comment}\""),
        None => "}".to_owned(),
    });
    lines
}

pub fn priority_word(priority: Priority) -> &'static str {
    match priority {
        Priority::Mangle => "mangle",
        Priority::Filter => "filter",
        Priority::Dstnat => "dstnat",
        Priority::Srcnat => "srcnat",
    }
}
