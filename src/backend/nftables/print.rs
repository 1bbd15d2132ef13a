//! The lowered ruleset in nftables' own syntax: every match, statement and
//! rule as `nft -f` reads it. Printing decides nothing; the meaning is in
//! src/ruleset/lower.rs. Everything is written straight into the output
//! file as the template renders it: no string per rule, match or value.

use std::fmt::{self, Display, Formatter};

use ipnet::IpNet;

use crate::model::reject::Answer;
use crate::model::{ClampMss, LimitPer, LogLevel, OwnerId, PortRange, RateUnit};
use crate::ruleset::{
    CtState, Direction, Element, Family, Fib, Helper, IfName, KeyField, KeyValue, L4, Lookup,
    MapElement, MapKey, MapValue, Match, OwnerKind, PortProto, Priority, Reject, Rule, Set, Side,
    Statement, TcpFlag, TimeTest, Verdict,
};

/// `x` alone, or `{ x, y }`, each value written by `show`.
fn set<T>(
    f: &mut Formatter<'_>,
    items: &[T],
    show: impl Fn(&mut Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    if let [one] = items {
        return show(f, one);
    }
    f.write_str("{ ")?;
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            f.write_str(", ")?;
        }
        show(f, item)?;
    }
    f.write_str(" }")
}

/// An address as people write it (`10.0.0.1`), a network with its prefix
/// (as `crate::model::rule::written`).
fn net(f: &mut Formatter<'_>, net: &IpNet) -> fmt::Result {
    if net.prefix_len() == net.max_prefix_len() {
        write!(f, "{}", net.addr())
    } else {
        write!(f, "{net}")
    }
}

/// `22` or `1000-2000` (as `PortRange::written("-")`).
fn ports(f: &mut Formatter<'_>, range: &PortRange) -> fmt::Result {
    if range.low == range.high {
        write!(f, "{}", range.low)
    } else {
        write!(f, "{}-{}", range.low, range.high)
    }
}

/// A NAT statement's flags as nftables writes them: `random`, then
/// `persistent`, comma-separated.
fn nat_flags(f: &mut Formatter<'_>, random: bool, persistent: bool) -> fmt::Result {
    let flags: Vec<&str> = [(random, "random"), (persistent, "persistent")]
        .into_iter()
        .filter_map(|(on, flag)| on.then_some(flag))
        .collect();
    if !flags.is_empty() {
        write!(f, " {}", flags.join(","))?;
    }
    Ok(())
}

fn family_word(family: Family) -> &'static str {
    match family {
        Family::Ipv4 => "ip",
        Family::Ipv6 => "ip6",
    }
}

fn if_name(f: &mut Formatter<'_>, name: &IfName) -> fmt::Result {
    match name {
        IfName::Exact(exact) => write!(f, "\"{exact}\""),
        IfName::Prefix(stem) => write!(f, "\"{stem}*\""),
    }
}

fn side_word(side: Side) -> &'static str {
    match side {
        Side::In => "iifname",
        Side::Out => "oifname",
    }
}

fn l4_word(f: &mut Formatter<'_>, l4: &L4) -> fmt::Result {
    f.write_str(match l4 {
        L4::Tcp => "tcp",
        L4::Udp => "udp",
        L4::Icmp => "icmp",
        L4::Icmpv6 => "ipv6-icmp",
        L4::Igmp => "igmp",
        L4::Number(n) => return write!(f, "{n}"),
    })
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

/// `fin|syn`, or `0x0` for none.
struct Flags<'a>(&'a [TcpFlag]);

impl Display for Flags<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("0x0");
        }
        for (n, flag) in self.0.iter().enumerate() {
            if n > 0 {
                f.write_str("|")?;
            }
            f.write_str(match flag {
                TcpFlag::Fin => "fin",
                TcpFlag::Syn => "syn",
                TcpFlag::Rst => "rst",
                TcpFlag::Psh => "psh",
                TcpFlag::Ack => "ack",
                TcpFlag::Urg => "urg",
            })?;
        }
        Ok(())
    }
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
                write!(f, "{} {not}", side_word(*side))?;
                set(f, names, if_name)
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
                write!(f, "{} {field} {not}", family_word(*family))?;
                set(f, nets, net)
            }
            Match::InterfaceAddress {
                direction,
                interface,
            } => {
                let field = match direction {
                    Direction::Source => "saddr",
                    Direction::Destination => "daddr",
                };
                let variable = crate::nft_defines::variable(interface);
                write!(f, "ip {field} ${variable}")
            }
            Match::Set {
                family,
                direction,
                negated,
                name,
                ..
            } => {
                let field = match direction {
                    Direction::Source => "saddr",
                    Direction::Destination => "daddr",
                };
                let not = if *negated { "!= " } else { "" };
                write!(f, "{} {field} {not}@{name}", family_word(*family))
            }
            Match::Protocol(protocols) => {
                f.write_str("meta l4proto ")?;
                set(f, protocols, l4_word)
            }
            Match::Port {
                proto,
                direction,
                ports: ranges,
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
                write!(f, "{header} {field} ")?;
                set(f, ranges, ports)
            }
            Match::IcmpType { family, types } => {
                let header = match family {
                    Family::Ipv4 => "icmp",
                    Family::Ipv6 => "icmpv6",
                };
                let ipv6 = family.is_ipv6();
                if types.iter().all(|t| t.code.is_none()) {
                    write!(f, "{header} type ")?;
                    set(f, types, |f, t| f.write_str(&t.type_word(ipv6)))
                } else if let [one] = types.as_slice() {
                    let code = one.code.unwrap_or_default();
                    write!(
                        f,
                        "{header} type {} {header} code {code}",
                        one.type_word(ipv6)
                    )
                } else {
                    // The lowering never merges a type with a code into a
                    // set (`Merge`): every type here has its code.
                    write!(f, "{header} type . {header} code ")?;
                    set(f, types, |f, t| {
                        write!(f, "{} . {}", t.type_word(ipv6), t.code.unwrap_or_default())
                    })
                }
            }
            Match::CtState(states) => {
                f.write_str("ct state ")?;
                set(f, states, |f, s| f.write_str(state_word(s)))
            }
            Match::OriginalPort(original) => {
                f.write_str("ct original proto-dst ")?;
                set(f, original, ports)
            }
            Match::OriginalAddress {
                family,
                negated,
                nets,
            } => {
                let not = if *negated { "!= " } else { "" };
                write!(f, "ct original {} daddr {not}", family_word(*family))?;
                set(f, nets, net)
            }
            Match::Owner { kind, negated, id } => {
                let key = match kind {
                    OwnerKind::User => "skuid",
                    OwnerKind::Group => "skgid",
                };
                let not = if *negated { "!= " } else { "" };
                match id {
                    // nft resolves the name when it loads the ruleset.
                    OwnerId::Name(name) => write!(f, "meta {key} {not}\"{name}\""),
                    ids => write!(f, "meta {key} {not}{ids}"),
                }
            }
            Match::Fib(fib) => f.write_str(match fib {
                Fib::SourceIsBroadcast => "fib saddr type broadcast",
                Fib::SourceIsAnycast => "fib saddr type anycast",
                Fib::DestinationIsAnycast => "fib daddr type anycast",
                Fib::NoRouteBackStrict => "fib saddr . iif oif missing",
                Fib::NoRouteBackLoose => "fib saddr oif missing",
                Fib::NoRouteBackWithMark => "fib saddr . mark . iif oif missing",
                Fib::DestinationIsBroadcastLike => {
                    "fib daddr type { broadcast, anycast, multicast }"
                }
                Fib::DestinationIsBroadcastOrAnycast => "fib daddr type { broadcast, anycast }",
                Fib::DestinationIsMulticast => "fib daddr type multicast",
                Fib::DestinationIsBroadcast => "fib daddr type broadcast",
                Fib::SourceIsInterfaceAddress => "fib saddr . iif type local",
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
            Match::SourceRoutedOut(name) => {
                f.write_str("fib saddr oifname ")?;
                if_name(f, name)
            }
            Match::RoutedSource { set, family, .. } => {
                write!(f, "{} saddr @{set}", family_word(*family))
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
                write!(f, "tcp flags & ({}) == {}", Flags(mask), Flags(value))
            }
            Match::MssAtLeast(size) => write!(f, "tcp option maxseg size >= {size}"),
            Match::EtherSource(macs) => {
                f.write_str("ether saddr ")?;
                set(f, macs, |f, mac| write!(f, "{mac}"))
            }
            Match::Time(TimeTest::Hours(ranges)) => {
                // Integers: nft converts a quoted "06:00" from the timezone
                // of its own process, never an integer (seconds, UTC).
                let range = |&(low, high): &(u32, u32)| format!("{low}-{high}");
                match ranges.as_slice() {
                    [one] => write!(f, "meta hour {}", range(one)),
                    many => {
                        let all: Vec<String> = many.iter().map(range).collect();
                        write!(f, "meta hour {{ {} }}", all.join(", "))
                    }
                }
            }
            Match::Time(TimeTest::Weekdays(days)) => {
                let names: Vec<String> = days
                    .iter()
                    .map(|&d| format!("\"{}\"", crate::model::time::NFT_WEEKDAYS[usize::from(d)]))
                    .collect();
                match names.as_slice() {
                    [one] => write!(f, "meta day {one}"),
                    many => write!(f, "meta day {{ {} }}", many.join(", ")),
                }
            }
            Match::Time(TimeTest::Dates(from, to)) => match (from, to) {
                // Integer seconds since the epoch: nft reads a quoted date
                // in its own timezone. xt_time holds through the stop's
                // whole second: below the next one.
                (Some(from), Some(to)) => {
                    write!(f, "meta time >= {from} meta time < {}", to + 1)
                }
                (Some(from), None) => write!(f, "meta time >= {from}"),
                (None, Some(to)) => write!(f, "meta time < {}", to + 1),
                (None, None) => Ok(()),
            },
            Match::Mark(mark) => {
                let op = if mark.negated { "!=" } else { "==" };
                write!(
                    f,
                    "meta mark & {:#010x} {op} {:#010x}",
                    mark.mask, mark.value
                )
            }
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
            Verdict::Goto(chain) => write!(f, "goto {chain}"),
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

fn map_value(f: &mut Formatter<'_>, value: &MapValue) -> fmt::Result {
    match value {
        MapValue::Name(name) => write!(f, "\"{name}\""),
        MapValue::State(state) => f.write_str(state_word(state)),
    }
}

fn map_key(key: MapKey) -> &'static str {
    match key {
        MapKey::Interface(side) => side_word(side),
        MapKey::InterfacePair => "iifname . oifname",
        MapKey::CtState => "ct state",
    }
}

/// Values joined by ` . `, each written by `show`.
fn concatenation<T>(
    f: &mut Formatter<'_>,
    values: &[T],
    show: impl Fn(&mut Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    for (n, value) in values.iter().enumerate() {
        if n > 0 {
            f.write_str(" . ")?;
        }
        show(f, value)?;
    }
    Ok(())
}

/// `"eth0" . "eth1" : jump net-loc`.
fn map_element(f: &mut Formatter<'_>, element: &MapElement) -> fmt::Result {
    concatenation(f, &element.key, map_value)?;
    write!(f, " : {}", element.verdict)
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Statement::Log {
                prefix,
                level,
                ip_options,
                ..
            } => {
                write!(f, "log prefix \"{prefix}\" {}", level_name(*level))?;
                match ip_options {
                    true => f.write_str(" flags ip options"),
                    false => Ok(()),
                }
            }
            Statement::Audit => f.write_str("log level audit"),
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
                write!(f, "{} vmap {{ ", map_key(*key))?;
                for (n, element) in elements.iter().enumerate() {
                    if n > 0 {
                        f.write_str(", ")?;
                    }
                    map_element(f, element)?;
                }
                f.write_str(" }")
            }
            Statement::Dnat { family, to, port } => {
                let target = match (port, family) {
                    (Some(port), Family::Ipv4) => format!("{to}:{port}"),
                    (Some(port), Family::Ipv6) => format!("[{to}]:{port}"),
                    (None, _) => to.to_string(),
                };
                write!(f, "dnat {} to {target}", family_word(*family))
            }
            Statement::Snat { family, to, ports } => {
                let target = match (ports.range_text(), family) {
                    (None, _) => to.to_string(),
                    (Some(range), Family::Ipv4) => format!("{to}:{range}"),
                    (Some(range), Family::Ipv6) if to.is_range() => {
                        format!("[{}]-[{}]:{range}", to.first, to.last)
                    }
                    (Some(range), Family::Ipv6) => format!("[{}]:{range}", to.first),
                };
                write!(f, "snat {} to {target}", family_word(*family))?;
                nat_flags(f, ports.random, to.persistent)
            }
            Statement::SnatInterfaceAddress { interface, ports } => {
                let variable = crate::nft_defines::variable(interface);
                write!(f, "snat ip to ${variable}")?;
                nat_flags(f, ports.random, false)
            }
            Statement::SnatPorts { ports } => {
                write!(f, "snat to :{}", ports.range_text().unwrap_or_default())?;
                nat_flags(f, ports.random, false)
            }
            Statement::Masquerade { ports } => {
                f.write_str("masquerade")?;
                if let Some(range) = ports.range_text() {
                    write!(f, " to :{range}")?;
                }
                nat_flags(f, ports.random, false)
            }
            Statement::AddSource { set, family } => {
                write!(f, "add @{set} {{ {} saddr }}", family_word(*family))
            }
            Statement::Redirect(port) => write!(f, "redirect to :{port}"),
            Statement::ClearMark(bits) => {
                write!(f, "meta mark set meta mark & {:#010x}", !bits)
            }
            Statement::SetMss(ClampMss::RouteMtu) => {
                f.write_str("tcp option maxseg size set rt mtu")
            }
            Statement::SetMss(ClampMss::Size(size)) => {
                write!(f, "tcp option maxseg size set {size}")
            }
            Statement::SetHelper(name) => write!(f, "ct helper set \"{name}\""),
            Statement::Notrack => f.write_str("notrack"),
            Statement::Lookup(lookup) => {
                concatenation(f, &lookup.key, key_field)?;
                match &lookup.verdict {
                    Some(verdict) => write!(f, " @{} {verdict}", lookup.name),
                    None => write!(f, " vmap @{}", lookup.name),
                }
            }
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

/// The body of an `[[ipset]]`'s set: a hash:net set takes networks
/// (`flags interval`), a hash:ip set addresses only. A network inside
/// another element is left out: ipset's hash:net holds both (a packet
/// matches either), where nft refuses an interval set's overlapping
/// elements ("conflicting intervals") and the outer one matches the same.
pub fn ipset_lines(set: &crate::model::Ipset) -> Vec<String> {
    let key = if set.ipv6 { "ipv6_addr" } else { "ipv4_addr" };
    let mut lines = vec![format!("type {key}")];
    if set.kind == crate::model::IpsetKind::HashNet {
        lines.push("flags interval".to_owned());
    }
    if !set.elements.is_empty() {
        let inside = |n: &ipnet::IpNet| (set.elements.iter()).any(|o| o != n && o.contains(n));
        let elements: Vec<String> = set
            .elements
            .iter()
            .filter(|n| !inside(n))
            .map(|n| shown(|f| net(f, n)).to_string())
            .collect();
        lines.push(format!("elements = {{ {} }}", elements.join(", ")));
    }
    lines
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
            shown(|f| l4_word(f, &helper.protocol))
        ),
        format!("l3proto {l3proto}"),
    ]
}

/// A value written by a function, where a `Display` is wanted.
struct Shown<F>(F);

/// (A function, not `Shown(..)`, so that the closure takes a formatter of
/// any lifetime.)
fn shown<F: Fn(&mut Formatter<'_>) -> fmt::Result>(write: F) -> Shown<F> {
    Shown(write)
}

impl<F: Fn(&mut Formatter<'_>) -> fmt::Result> Display for Shown<F> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        (self.0)(f)
    }
}

/// One field of a lookup's key as a rule reads it: `ip saddr`,
/// `meta l4proto`, `th dport`.
fn key_field(f: &mut Formatter<'_>, field: &KeyField) -> fmt::Result {
    let side = |direction: &Direction| match direction {
        Direction::Source => "s",
        Direction::Destination => "d",
    };
    match field {
        KeyField::Address(family, direction) => {
            write!(f, "{} {}addr", family_word(*family), side(direction))
        }
        KeyField::Protocol => f.write_str("meta l4proto"),
        KeyField::Port(direction) => write!(f, "th {}port", side(direction)),
    }
}

/// A lookup's key as its set declares it: `ipv4_addr . inet_proto . inet_service`.
fn key_type(f: &mut Formatter<'_>, field: &KeyField) -> fmt::Result {
    f.write_str(match field {
        KeyField::Address(Family::Ipv4, _) => "ipv4_addr",
        KeyField::Address(Family::Ipv6, _) => "ipv6_addr",
        KeyField::Protocol => "inet_proto",
        KeyField::Port(_) => "inet_service",
    })
}

fn key_value(f: &mut Formatter<'_>, value: &KeyValue) -> fmt::Result {
    match value {
        KeyValue::Net(address) => net(f, address),
        KeyValue::Protocol(l4) => l4_word(f, l4),
        KeyValue::Ports(range) => ports(f, range),
    }
}

/// One line inside a chain or a set, written when the file is.
pub enum Line<'a> {
    Text(String),
    Rule(&'a Rule),
    /// A lookup's element: `\t10.0.0.1 . tcp . 22 comment "..." : accept,`.
    Element(&'a Lookup, &'a Element),
    /// The first line of a rule whose interface map has an element a line:
    /// its matches and `iifname vmap {`.
    MapHead(&'a Rule, MapKey),
    /// `\t"eth0" : jump in-eth0,`.
    MapElement(&'a MapElement),
    /// `}`, and the rule's comment.
    MapEnd(&'a Rule),
}

impl Display for Line<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Line::Text(text) => f.write_str(text),
            Line::Rule(rule) => write!(f, "{rule}"),
            Line::Element(lookup, element) => {
                f.write_str("\t")?;
                concatenation(f, &element.values, key_value)?;
                if let Some(comment) = &element.comment {
                    write!(f, " comment \"{comment}\"")?;
                }
                if lookup.verdict.is_none() {
                    write!(f, " : {}", element.verdict)?;
                }
                f.write_str(",")
            }
            Line::MapHead(rule, key) => {
                for m in &rule.matches {
                    write!(f, "{m} ")?;
                }
                write!(f, "{} vmap {{", map_key(*key))
            }
            Line::MapElement(element) => {
                f.write_str("\t")?;
                map_element(f, element)?;
                f.write_str(",")
            }
            Line::MapEnd(rule) => match &rule.comment {
                Some(comment) => write!(f, "}} comment \"{comment}\""),
                None => f.write_str("}"),
            },
        }
    }
}

/// A lookup's declaration, as the lines inside `set NAME { ... }` or
/// `map NAME { ... }`: one element a line, with its item's name.
pub fn lookup_lines(lookup: &Lookup) -> Vec<Line<'_>> {
    let verdict = if lookup.verdict.is_some() {
        ""
    } else {
        " : verdict"
    };
    let key = shown(|f| concatenation(f, &lookup.key, key_type));
    let mut lines = Vec::with_capacity(lookup.elements.len() + 4);
    lines.push(Line::Text(format!("type {key}{verdict}")));
    if lookup.interval() {
        lines.push(Line::Text("flags interval".to_owned()));
    }
    lines.push(Line::Text("elements = {".to_owned()));
    lines.extend(lookup.elements.iter().map(|e| Line::Element(lookup, e)));
    lines.push(Line::Text("}".to_owned()));
    lines
}

/// A chain's rules as the lines of the file: a rule is one line, except
/// that an interface verdict map with several elements puts each on a
/// line of its own, so adding a zone or an interface adds lines and
/// changes none.
pub fn rule_lines(rules: &[Rule]) -> Vec<Line<'_>> {
    let mut lines = Vec::with_capacity(rules.len());
    for rule in rules {
        let map = rule.statements.iter().find_map(|s| match s {
            Statement::Map { key, elements } if *key != MapKey::CtState && elements.len() > 1 => {
                Some((key, elements))
            }
            _ => None,
        });
        let Some((key, elements)) = map else {
            lines.push(Line::Rule(rule));
            continue;
        };
        // Only the two interface keys reach here.
        let key = match key {
            MapKey::Interface(side) => MapKey::Interface(*side),
            _ => MapKey::InterfacePair,
        };
        lines.push(Line::MapHead(rule, key));
        lines.extend(elements.iter().map(Line::MapElement));
        lines.push(Line::MapEnd(rule));
    }
    lines
}

pub fn priority_word(priority: Priority) -> &'static str {
    match priority {
        Priority::Raw => "raw",
        Priority::Mangle => "mangle",
        Priority::Filter => "filter",
        Priority::Dstnat => "dstnat",
        Priority::Srcnat => "srcnat",
    }
}
