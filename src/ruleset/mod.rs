//! The lowered ruleset: the firewall as the kernel runs it, built once from
//! the analyzed model ([`lower::lower`]). Tables hold chains, chains hold
//! rules, and every rule is typed matches, statements, and the origin that
//! made it: a model item, or the named piece of Shorewall behaviour it
//! reproduces.
//!
//! Three readers share it and nothing restates its meaning: the nftables
//! backend prints it (src/backend/nftables/), `fwgen explain` walks a
//! packet through it ([`walk`]), and `fwgen check` asks that walk about
//! the rules the kernel will really run. The namespace lab is the
//! independent judge that compares it with Shorewall's compiled firewall.

pub mod blacklist;
pub mod cover;
mod interface_address;
mod limit;
pub mod lookup;
pub mod lower;
pub mod member;
pub mod stopped;
pub mod walk;

use std::net::IpAddr;
use std::sync::Arc;

use ipnet::IpNet;

use crate::model::{
    ClampMss, ConnLimit, IcmpType, LogLevel, LogLimit, MarkTest, PortRange, RateLimit, SnatTo,
    SourcePorts, ZoneId,
};

/// The whole table.
#[derive(Debug, Clone)]
pub struct Ruleset {
    pub table: String,
    /// Named sets the rules update (the per-address log limit).
    pub sets: Vec<Set>,
    /// The model's `[[ipset]]` entries: named sets of addresses, created
    /// with their elements, which more may join at run time.
    pub ipsets: Vec<crate::model::Ipset>,
    /// The conntrack helper objects rules attach (`ct helper ftp-21 { ... }`).
    pub helpers: Vec<Helper>,
    pub chains: Vec<Chain>,
}

/// A `ct helper` object: a kernel helper for one protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Helper {
    /// The object's name (`ftp-21`).
    pub name: String,
    /// The kernel's helper (`ftp`).
    pub kind: &'static str,
    pub protocol: L4,
    /// `None`: both families.
    pub family: Option<Family>,
}

/// A set that rules fill as packets pass (`flags dynamic`): one element
/// per address, holding that address's rate-limit state or its count of
/// connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Set {
    pub name: String,
    pub family: Family,
    /// Seconds an element lives after its last packet (`flags timeout`);
    /// `None`: the element lives while it counts connections.
    pub timeout: Option<u64>,
    pub size: u32,
    /// What the set is for, shown above it.
    pub comment: String,
}

impl Ruleset {
    pub fn chain(&self, name: &str) -> Option<&Chain> {
        self.chains.iter().find(|c| c.name == name)
    }

    /// The base chain of a hook (filter or nat) that decides or
    /// translates: not the mangle-priority chain that only edits packets.
    pub fn base(&self, hook: Hook, chain_type: ChainType) -> Option<&Chain> {
        self.chains.iter().find(|c| {
            c.base.is_some_and(|b| {
                b.hook == hook && b.chain_type == chain_type && b.priority != Priority::Mangle
            })
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Hook {
    Prerouting,
    Input,
    Forward,
    Output,
    Postrouting,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainType {
    Filter,
    Nat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// Before connection tracking (iptables' raw table): `notrack`.
    Raw,
    /// Before the filter (iptables' mangle table): packets are edited.
    Mangle,
    Filter,
    Dstnat,
    Srcnat,
}

/// What a base chain does with a packet no rule decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    Accept,
    Drop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Base {
    pub chain_type: ChainType,
    pub hook: Hook,
    pub priority: Priority,
    pub policy: Policy,
}

/// fwgen's own chains named `WORD-HOOK` (`blacklist-forward`,
/// `nat-prerouting`): their first words, and the hooks after them. A zone
/// pair's chain is `SOURCE-DEST`, so zones named a word and a hook are
/// refused (`zone-chain-taken`); nft would merge the two chains of one
/// name into one. (`options-in` and the interface chains, `in-eth0`, take
/// the reserved zone names `in`, `fwd` and `out`.)
pub const OWN_CHAIN_WORDS: &[&str] = &["blacklist", "helpers", "mangle", "nat", "notrack"];
pub const HOOK_WORDS: &[&str] = &["prerouting", "input", "forward", "output", "postrouting"];

#[derive(Debug, Clone)]
pub struct Chain {
    pub name: String,
    pub base: Option<Base>,
    /// What the chain is for, shown above it.
    pub comment: Option<String>,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub matches: Vec<Match>,
    pub statements: Vec<Statement>,
    pub origin: Origin,
    /// The origin as people name it (`rule loc->fw tcp/22 ACCEPT`): set on
    /// every rule a model item made, never derived from a line number.
    pub comment: Option<String>,
    /// When consecutive rules of several model items were folded into this
    /// one (a set of values, or a lookup): those rules, in order, each with
    /// its own origin (a packet's rule is the first part it matches).
    /// Empty otherwise.
    pub parts: Vec<Rule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    Ipv4,
    Ipv6,
}

impl Family {
    pub fn of(ipv6: bool) -> Family {
        if ipv6 { Family::Ipv6 } else { Family::Ipv4 }
    }

    pub fn is_ipv6(self) -> bool {
        self == Family::Ipv6
    }

    /// `ipv4` or `ipv6`, as set names end.
    pub fn name(self) -> &'static str {
        match self {
            Family::Ipv4 => "ipv4",
            Family::Ipv6 => "ipv6",
        }
    }
}

/// Which interface a match or map looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The interface a packet came in on.
    In,
    /// The interface it leaves by.
    Out,
}

/// One test of a rule's time window (src/model/time.rs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeTest {
    /// Seconds of the day (UTC), inclusive ranges: `meta hour 0-21600`,
    /// written as integers, which `nft` does not convert from its own
    /// timezone as it does `"06:00"`.
    Hours(Vec<(u32, u32)>),
    /// Weekdays (0 Monday to 6 Sunday) in the kernel's timezone: `meta day`.
    Weekdays(Vec<u8>),
    /// Seconds since the epoch, inclusive (`meta time`, integer seconds):
    /// from, up to.
    Dates(Option<i64>, Option<i64>),
}

/// Which owner of a socket a match tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerKind {
    User,
    Group,
}

/// Source or destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Source,
    Destination,
}

/// An interface name as nftables matches it: exact, or every name that
/// starts with a stem (Shorewall's `ppp+`, nftables' `"ppp*"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfName {
    Exact(String),
    Prefix(String),
}

impl IfName {
    pub fn matches(&self, name: &str) -> bool {
        match self {
            IfName::Exact(exact) => exact == name,
            IfName::Prefix(stem) => name.starts_with(stem.as_str()),
        }
    }
}

/// Which layer-4 header a port match reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PortProto {
    Tcp,
    Udp,
    /// The transport header, whatever its protocol (`th dport`).
    Any,
}

/// A layer-4 protocol as `meta l4proto` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum L4 {
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    Igmp,
    Number(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CtState {
    New,
    Established,
    Related,
    Invalid,
    Untracked,
}

impl From<crate::model::ConnState> for CtState {
    fn from(state: crate::model::ConnState) -> Self {
        use crate::model::ConnState;
        match state {
            ConnState::New => CtState::New,
            ConnState::Established => CtState::Established,
            ConnState::Related => CtState::Related,
            ConnState::Invalid => CtState::Invalid,
            ConnState::Untracked => CtState::Untracked,
        }
    }
}

/// A route lookup the kernel makes for the packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fib {
    /// The source address is a broadcast address.
    SourceIsBroadcast,
    /// The source address is an anycast address of the firewall (IPv6's
    /// subnet-router anycast of its prefixes).
    SourceIsAnycast,
    /// The destination is an anycast address of the firewall.
    DestinationIsAnycast,
    /// No route back to the source through the interface it came in on.
    NoRouteBackStrict,
    /// No route back to the source at all.
    NoRouteBackLoose,
    /// No route back to the source through the interface it came in on,
    /// looked up with the packet's mark (Shorewall's `-m rpfilter
    /// --validmark --invert`).
    NoRouteBackWithMark,
    /// The destination is a broadcast, anycast or multicast address.
    DestinationIsBroadcastLike,
    /// The destination is a broadcast or anycast address (Broadcast).
    DestinationIsBroadcastOrAnycast,
    /// The destination is a multicast address (Multicast).
    DestinationIsMulticast,
    /// The destination is a broadcast address (`-m addrtype --dst-type
    /// BROADCAST`).
    DestinationIsBroadcast,
    /// The source is an address of the interface the packet came in by
    /// (Shorewall's loop over the interface's addresses).
    SourceIsInterfaceAddress,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpFlag {
    Fin,
    Syn,
    Rst,
    Psh,
    Ack,
    Urg,
}

/// One condition of a rule; a rule matches when all its matches do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Match {
    /// `iif "lo"` / `oif "lo"`.
    Loopback(Side),
    /// `iifname "eth0"`, `oifname != { "ppp9" }`.
    Interface {
        side: Side,
        negated: bool,
        names: Vec<IfName>,
    },
    /// `meta nfproto ipv4`.
    Family(Family),
    /// `ip saddr { ... }`, `ip saddr != 0.0.0.0`.
    Address {
        family: Family,
        direction: Direction,
        negated: bool,
        nets: Vec<IpNet>,
    },
    /// `meta l4proto { tcp, udp }`.
    Protocol(Vec<L4>),
    /// `tcp dport { 80, 443 }`, `th dport 53`.
    Port {
        proto: PortProto,
        direction: Direction,
        ports: Vec<PortRange>,
    },
    /// `icmp type echo-request`, `icmpv6 type { ... }`; a type with a code:
    /// `icmp type destination-unreachable icmp code 4`. A set holds types
    /// without codes, or (never made today) types all with codes.
    IcmpType {
        family: Family,
        types: Vec<IcmpType>,
    },
    /// `ct state { new, untracked }`.
    CtState(Vec<CtState>),
    /// `ct original proto-dst 80`: the port before DNAT.
    OriginalPort(Vec<PortRange>),
    /// `ct original ip daddr { ... }` (`!=` negated): the destination
    /// address before DNAT.
    OriginalAddress {
        family: Family,
        negated: bool,
        nets: Vec<IpNet>,
    },
    /// `ip daddr $fwgen_addr_eth0`: the first IPv4 address the interface
    /// (its physical name) has when the ruleset is loaded, Shorewall's
    /// `&eth0`. The ruleset file leaves the variable undefined: whoever
    /// loads it passes `nft -D fwgen_addr_eth0=ADDR` (src/nft_defines.rs),
    /// and `nft -f` without it fails rather than match nothing.
    InterfaceAddress {
        direction: Direction,
        interface: String,
    },
    /// `ip saddr @bo` (`!=` negated): the address is a member of the named
    /// set (an `[[ipset]]`). `elements` are its members when loaded:
    /// explain and check assume those, and the kernel's set may hold more.
    Set {
        family: Family,
        direction: Direction,
        negated: bool,
        name: String,
        elements: Vec<IpNet>,
    },
    Fib(Fib),
    /// `tcp flags & (MASK) == VALUE`.
    TcpFlags {
        mask: Vec<TcpFlag>,
        value: Vec<TcpFlag>,
    },
    /// `tcp option maxseg size >= N`.
    MssAtLeast(u16),
    /// `ether saddr 02:00:00:00:01:00`, `ether saddr { ... }`: the
    /// sender's MAC address is one of these.
    EtherSource(Vec<crate::model::Mac>),
    /// `meta mark & 0xff == 0x64` (`!=` negated): the packet's mark.
    Mark(MarkTest),
    /// The log limit: under it, per address in the named set
    /// (`update @lograte4 { ip saddr limit rate 1/second burst 10 packets }`),
    /// or for the rule alone (`limit rate ...`) without a set.
    LogLimit {
        limit: LogLimit,
        /// The set and the family it keys on, for a per-address limit.
        set: Option<(String, Family)>,
    },
    /// A rule's rate limit (Shorewall's RATE): the rule matches only what
    /// is under it, for the rule alone (`limit rate 10/minute burst 5
    /// packets`) or per address in the named set (`update @rate-3-net-fw-0-ipv4
    /// { ip saddr limit rate ... }`). Its own bucket or set: never folded.
    RateLimit {
        limit: RateLimit,
        set: Option<(String, Family)>,
    },
    /// `fib saddr oifname "eth1"`: the route back to the source leaves by
    /// the interface. The kernel looks it up in prerouting only.
    SourceRoutedOut(IfName),
    /// `ip saddr @routed-eth1-ipv4`: a source that nat-prerouting found
    /// routed out of `interface` (Shorewall's masq/snat SOURCE interface,
    /// the networks routed out of it).
    RoutedSource {
        set: String,
        family: Family,
        interface: IfName,
    },
    /// A test of the clock when the packet arrives (Shorewall's TIME):
    /// `meta hour`, `meta day`, `meta time`.
    Time(TimeTest),
    /// `meta skuid "proxy"`, `meta skgid != 1000-1999`: the owner of the
    /// local socket that sent the packet (Shorewall's USER/GROUP); only
    /// the firewall's own packets have one.
    Owner {
        kind: OwnerKind,
        negated: bool,
        id: crate::model::OwnerId,
    },
    /// A rule's connection limit (Shorewall's CONNLIMIT): `add @NAME { ip
    /// saddr & MASK ct count [over] N }`, the set keyed by the masked
    /// address of one family.
    ConnLimit {
        limit: ConnLimit,
        set: String,
        family: Family,
    },
}

impl Match {
    /// A rate or connection limit: what holds depends on the packets
    /// before, not on this packet alone.
    pub fn is_limit(&self) -> bool {
        matches!(self, Match::RateLimit { .. } | Match::ConnLimit { .. })
    }

    /// The family the match restricts a packet to, if it does.
    pub fn family(&self) -> Option<Family> {
        match self {
            Match::Family(family)
            | Match::Address { family, .. }
            | Match::OriginalAddress { family, .. }
            | Match::Set { family, .. }
            | Match::IcmpType { family, .. } => Some(*family),
            Match::InterfaceAddress { .. } => Some(Family::Ipv4),
            _ => None,
        }
    }
}

/// A log tag (Shorewall's `ACTION:level:tag`) in a log prefix: the tag,
/// and how many of its first characters the prefix kept once cut to 29
/// characters (all of them when it fits; 0 when it is left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogTag {
    pub text: String,
    pub kept: usize,
}

impl LogTag {
    /// Whether the prefix's cut took characters of the tag.
    pub fn is_cut(&self) -> bool {
        self.kept < self.text.len()
    }
}

/// What a rule does once it matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statement {
    /// `log prefix "..." level info`.
    Log {
        prefix: String,
        level: LogLevel,
        /// The log tag in the prefix, if the item has one.
        tag: Option<LogTag>,
        /// `flags ip options`: the packet's IP options in the log line, as
        /// iptables' `--log-ip-options` (Shorewall's `logflags` chain).
        ip_options: bool,
    },
    /// `log level audit`: an audit record of the verdict that follows
    /// (Shorewall's `-j AUDIT --type drop`, A_DROP and `DROP:audit`).
    Audit,
    Verdict(Verdict),
    Reject(Reject),
    /// `iifname vmap { "eth0" : jump in-eth0 }`: a lookup, no match no verdict.
    Map {
        key: MapKey,
        elements: Vec<MapElement>,
    },
    Dnat {
        family: Family,
        to: IpAddr,
        port: Option<u16>,
    },
    /// `snat ip to 203.0.113.10-203.0.113.12 persistent`, or with ports
    /// `snat ip to 203.0.113.10:1024-65535 random`.
    Snat {
        family: Family,
        to: SnatTo,
        ports: SourcePorts,
    },
    /// `snat ip to $fwgen_addr_eth0`: SNAT to the interface's first IPv4
    /// address, a define given when the ruleset is loaded (Shorewall's
    /// `SNAT(detect)`); resolved to a `Snat` before a walk.
    SnatInterfaceAddress {
        interface: String,
        ports: SourcePorts,
    },
    /// `add @routed-eth1-ipv4 { ip saddr }`: remember the source in the
    /// set a `Match::RoutedSource` reads.
    AddSource {
        set: String,
        family: Family,
    },
    /// `snat to :1024-2000`: the source address kept, only the source
    /// port changed (Shorewall's `SNAT(:1024-2000)`). The rule's matches
    /// name its family: nftables takes no `ip` before `to :PORTS`.
    SnatPorts {
        ports: SourcePorts,
    },
    /// `masquerade`, or with ports `masquerade to :1024-65535 random`.
    Masquerade {
        ports: SourcePorts,
    },
    /// `redirect to :PORT`: the connection goes to a port on the firewall.
    Redirect(u16),
    /// `tcp option maxseg size set rt mtu` (or `set N`).
    SetMss(ClampMss),
    /// `meta mark set meta mark & 0xffffff00`: the bits of the mask are
    /// cleared, the others kept.
    ClearMark(u32),
    /// `ct helper set "ftp-21"`: the named helper object watches the connection.
    SetHelper(String),
    /// `notrack`: conntrack leaves the packet alone (state UNTRACKED).
    Notrack,
    /// `ip saddr . meta l4proto . th dport @net-fw accept`, or `... vmap
    /// @net-fw`: the rules of a run folded into one named set or verdict
    /// map; no element found, no verdict.
    Lookup(Arc<Lookup>),
}

/// A named set (one verdict) or verdict map (a verdict per element) with a
/// concatenated key, holding the rules of a run of one chain: one element
/// per combination of the values a rule matches, each with the model item
/// that made it. No two elements overlap, so the order of the rules the
/// run held cannot matter (lower.rs keeps rules that overlap apart).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    pub name: String,
    pub key: Vec<KeyField>,
    /// `Some`: a set, and the verdict of every element; `None`: a map.
    pub verdict: Option<Verdict>,
    pub elements: Vec<Element>,
}

/// One part of a concatenated key, in the order lower.rs writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyField {
    /// `ip saddr`, `ip6 daddr`.
    Address(Family, Direction),
    /// `meta l4proto`.
    Protocol,
    /// `th sport`, `th dport`.
    Port(Direction),
}

/// One value of an element, for the key field at the same position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyValue {
    Net(IpNet),
    Protocol(L4),
    Ports(crate::model::PortRange),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub values: Vec<KeyValue>,
    pub verdict: Verdict,
    pub origin: Origin,
    /// The origin as people name it, as a rule's comment.
    pub comment: Option<String>,
}

impl Lookup {
    /// Whether an element holds a network or a port range: the set needs
    /// `flags interval`.
    pub fn interval(&self) -> bool {
        self.elements
            .iter()
            .flat_map(|e| &e.values)
            .any(|v| match v {
                KeyValue::Net(net) => net.prefix_len() < net.max_prefix_len(),
                KeyValue::Ports(range) => range.low != range.high,
                KeyValue::Protocol(_) => false,
            })
    }

    /// What an element matches, as the matches of a rule of its own:
    /// `tcp . 22` is `tcp dport 22`, `tcp . 0-65535` is `meta l4proto tcp`.
    pub fn element_matches(&self, element: &Element) -> Vec<Match> {
        let every_port = |range: &crate::model::PortRange| range.low == 0 && range.high == u16::MAX;
        let protocol = element.values.iter().find_map(|v| match v {
            KeyValue::Protocol(l4) => Some(*l4),
            _ => None,
        });
        let port_proto = match protocol {
            Some(L4::Tcp) => Some(PortProto::Tcp),
            Some(L4::Udp) => Some(PortProto::Udp),
            _ => None,
        };
        let has_ports = element
            .values
            .iter()
            .any(|v| matches!(v, KeyValue::Ports(range) if !every_port(range)));
        let mut matches = Vec::new();
        for (field, value) in self.key.iter().zip(&element.values) {
            match (field, value) {
                (KeyField::Address(family, direction), KeyValue::Net(net)) => {
                    matches.push(Match::Address {
                        family: *family,
                        direction: *direction,
                        negated: false,
                        nets: vec![*net],
                    });
                }
                (KeyField::Protocol, KeyValue::Protocol(l4))
                    if !(has_ports && port_proto.is_some()) =>
                {
                    matches.push(Match::Protocol(vec![*l4]));
                }
                (KeyField::Port(direction), KeyValue::Ports(range)) if !every_port(range) => {
                    matches.push(Match::Port {
                        proto: port_proto.unwrap_or(PortProto::Any),
                        direction: *direction,
                        ports: vec![*range],
                    })
                }
                _ => {}
            }
        }
        matches
    }

    /// The first element whose matches all hold (`holds` asks one match).
    pub fn find(&self, holds: impl Fn(&Match) -> bool) -> Option<&Element> {
        self.elements
            .iter()
            .find(|e| self.element_matches(e).iter().all(&holds))
    }
}

/// The verdicts of nftables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Accept,
    Drop,
    Return,
    Jump(String),
    /// To the chain, not back: where it ends (or returns) the packet goes
    /// on after the rule that jumped to this rule's chain.
    Goto(String),
}

/// How a rejected packet is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reject {
    TcpReset,
    /// ICMP or ICMPv6 port unreachable, by family (`icmpx`).
    PortUnreachable,
    HostUnreachable,
    HostProhibited,
    AddrUnreachable,
    AdminProhibited,
    /// A rule's named answer (`REJECT(icmp-net-prohibited)`).
    Named(crate::model::reject::Answer),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapKey {
    Interface(Side),
    /// `iifname . oifname`.
    InterfacePair,
    CtState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapElement {
    /// One value per part of the key: an interface name, or a ct state.
    pub key: Vec<MapValue>,
    pub verdict: Verdict,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MapValue {
    Name(String),
    State(CtState),
}

/// Who made a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// `model.rules[index]`.
    Rule(usize),
    /// `model.dnats[index]`: its translation or its filter accept.
    Dnat(usize),
    /// `model.snats[index]`.
    Snat(usize),
    /// `model.redirects[index]`: its translation or its filter accept.
    Redirect(usize),
    /// `model.nat_exemptions[index]`: its exemption from the later port
    /// forwards and redirects (ACCEPT+, NONAT).
    NatExempt(usize),
    /// `model.one_to_one[index]`: one of its translations.
    OneToOne(usize),
    /// The policy of a zone pair: `model.policies[index]`.
    Policy {
        pair: (ZoneId, ZoneId),
        policy: usize,
    },
    /// The rate limit of `model.policies[index]`: its syn-flood chain.
    PolicyRate(usize),
    /// The implicit ACCEPT of a zone's traffic to itself.
    IntraZone(ZoneId),
    /// An option of `model.interfaces[interface]`.
    InterfaceOption {
        interface: usize,
        option: &'static str,
    },
    /// A firewall-wide setting: its `[firewall]` key (`clamp_mss`).
    Setting(&'static str),
    /// A key of `model.zones[zone]` (`mss`, `mss_in`, `mss_out`).
    ZoneOption { zone: usize, option: &'static str },
    /// A piece of Shorewall's own behaviour.
    Shorewall(Piece),
    /// `model.stopped[index]`, in the stopped ruleset.
    Stopped(usize),
    /// `model.tunnels[index]`: one of its openings.
    Tunnel(usize),
    /// `model.blacklist[index]`.
    Blacklist(usize),
    /// `model.maclist[index]`.
    Maclist(usize),
    /// `model.conntrack[index]`.
    Conntrack(usize),
}

/// The pieces of Shorewall's behaviour that fwgen reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Piece {
    /// The firewall's traffic to itself.
    Loopback,
    /// Established and related traffic passes, invalid is dropped.
    Conntrack,
    /// A state decided in a zone pair's chain (related_log, invalid_log,
    /// untracked_log; untracked_disposition beside an `Invalid` rule):
    /// logged when its level is set, then its disposition.
    StateLog,
    /// Established packets accepted in a zone pair's chain, after the
    /// rules of the ALL and ESTABLISHED sections (Shorewall's
    /// `--ctstate ESTABLISHED -j ACCEPT` there).
    EstablishedInPair,
    /// A model without IPv6 zones drops new IPv6 traffic.
    NoIpv6,
    /// The `tcpflags` chain.
    Tcpflags,
    /// The `smurfs` chain.
    Nosmurfs,
    /// Shorewall's `reject` chain: how REJECT answers.
    RejectChain,
    /// Shorewall6's AllowICMPs, before every DROP or REJECT of IPv6.
    AllowIcmps,
    /// Broadcast(DROP) and Multicast(DROP), a policy's default actions.
    DropBroadcasts,
    /// Jumps from a base chain to interface or zone-pair chains.
    Dispatch,
    /// A nested zone's end of nat prerouting (Shorewall's RETURN after
    /// its `ZONE_dnat` jump): its parents' port forwards, redirects and
    /// exemptions, and the one-to-one NAT, are not its connections'.
    NestedNatReturn,
    /// The jump to the blacklist, for the states of `blacklist_states`.
    Blacklist,
    /// The end of INPUT, FORWARD or OUTPUT: what no zone pair claims.
    CatchAll(Hook),
    /// Shorewall's FORWARD_CLEAR_MARK: a forwarded packet's mark loses
    /// the low bits that the snat file's MARK column tests.
    ForwardClearMark,
    /// The first rule of a chain of conntrack helpers: only a new
    /// connection is given a helper, so no other packet goes on to meet
    /// the helpers' rules (a packet's path does not grow with them).
    HelperNewOnly,
    /// What Shorewall's stopped state lets through besides the
    /// `[[stopped]]` entries (src/ruleset/stopped.rs).
    Stopped,
}

impl Rule {
    pub fn new(matches: Vec<Match>, statements: Vec<Statement>, origin: Origin) -> Rule {
        Rule {
            matches,
            statements,
            origin,
            comment: None,
            parts: Vec::new(),
        }
    }

    /// The rule without its parts (for a trace: the kernel's rule alone).
    pub fn without_parts(&self) -> Rule {
        Rule {
            matches: self.matches.clone(),
            statements: self.statements.clone(),
            origin: self.origin,
            comment: self.comment.clone(),
            parts: Vec::new(),
        }
    }

    /// The origin of the rule a packet matched: the first matching part of
    /// a folded rule, else the rule's own.
    pub fn origin_for(&self, matches: impl Fn(&Rule) -> bool) -> Origin {
        self.parts
            .iter()
            .find(|part| matches(part))
            .map_or(self.origin, |part| part.origin)
    }

    /// The lookup the rule makes, if it makes one.
    pub fn lookup(&self) -> Option<&Lookup> {
        self.statements.iter().find_map(|s| match s {
            Statement::Lookup(lookup) => Some(lookup.as_ref()),
            _ => None,
        })
    }

    /// The rule as the rules of the model items that made it: the parts
    /// of a folded rule or a lookup, else the rule itself.
    pub fn items(&self) -> Vec<&Rule> {
        if self.parts.is_empty() {
            vec![self]
        } else {
            self.parts.iter().collect()
        }
    }

    /// Whether the rule ends every packet that reaches it: no match, and a
    /// verdict (a lookup decides only what it finds).
    pub fn decides_every_packet(&self) -> bool {
        self.matches.is_empty() && self.verdict().is_some()
    }

    /// The verdict the rule ends in, if it ends in one.
    pub fn verdict(&self) -> Option<&Verdict> {
        self.statements.iter().find_map(|s| match s {
            Statement::Verdict(v) => Some(v),
            _ => None,
        })
    }
}

/// A small deterministic random source for the tests that compare a fast
/// path with a plain one on generated rules: `next(n)` is in `0..n`.
#[cfg(test)]
pub(crate) fn test_random(seed: u64) -> impl FnMut(usize) -> usize {
    let mut seed = seed;
    move |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize % n
    }
}
