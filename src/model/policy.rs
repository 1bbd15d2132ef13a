//! Policies: what happens to a connection between two zones when no rule
//! decides it.

use std::collections::BTreeMap;
use std::fmt::{self, Display, Formatter};

use super::zone::{Family, ZoneId, ZoneRef};

/// One side of a policy, as shorewall-policy(5) writes it:
/// `zone[,...[+]]|$FW|all[+][!ezone[,...]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicySide {
    /// One zone, or `$FW`.
    Zone(ZoneId),
    /// `loc,dmz` (Shorewall 5.0.12): each zone listed.
    List(Vec<ZoneId>),
    /// `all`: every zone and the firewall, but those after `!`
    /// (`all!dmz,vpn`, Shorewall 5.2.3).
    All { except: Vec<ZoneId> },
}

impl PolicySide {
    /// Whether the side names `zone`.
    pub fn has(&self, zone: ZoneId) -> bool {
        match self {
            PolicySide::Zone(one) => *one == zone,
            PolicySide::List(zones) => zones.contains(&zone),
            PolicySide::All { except } => !except.contains(&zone),
        }
    }

    /// The zones the side names explicitly (none for `all`).
    pub fn listed(&self) -> &[ZoneId] {
        match self {
            PolicySide::Zone(one) => std::slice::from_ref(one),
            PolicySide::List(zones) => zones,
            PolicySide::All { .. } => &[],
        }
    }

    /// The plain form, where the side has one: one zone, or `all`
    /// without exclusions.
    pub fn plain(&self) -> Option<ZoneRef> {
        match self {
            PolicySide::Zone(one) => Some(ZoneRef::One(*one)),
            PolicySide::All { except } if except.is_empty() => Some(ZoneRef::All),
            _ => None,
        }
    }
}

/// One `[[policy]]` entry.
#[derive(Debug, Clone)]
pub struct Policy {
    pub source: PolicySide,
    pub dest: PolicySide,
    /// `+` after a list or `all` (`loc,dmz+`, `all+`): the entry also
    /// decides a zone's traffic to itself, which otherwise only an entry
    /// naming that one zone on both sides does.
    pub intrazone: bool,
    pub action: PolicyAction,
    pub log: Option<LogLevel>,
    /// An audit record before the verdict, after the log (Shorewall's
    /// `DROP:audit`): ACCEPT, DROP and REJECT only.
    pub audit: bool,
    /// The stock actions run before the verdict (shorewall-policy(5)'s
    /// `DROP:Broadcast(DROP)`), in order; `None`: the firewall's default
    /// ([`crate::model::Model::default_actions`]).
    pub default_action: Option<Vec<DefaultAction>>,
    /// Shorewall's RATE column: new TCP connections (SYN packets) of the
    /// entry's zone pairs over this rate are dropped before the rules
    /// (Rules.pm's syn-flood chain `@net-all`).
    pub rate: Option<Box<super::RateLimit>>,
    /// Shorewall's CONNLIMIT column: new TCP connections of the entry's
    /// zone pairs from an address (or network, by the mask) with more
    /// connections are dropped before the rules, in the same syn-flood
    /// chain as `rate` (one rule with both, Rules.pm).
    pub connlimit: Option<super::ConnLimit>,
    /// The families whose policy list holds the entry (Shorewall's policy
    /// file, Shorewall6's, or both): a packet meets only its own family's.
    pub family: Family,
    pub comment: Option<String>,
    /// Line of the entry in the model file.
    pub line: usize,
    /// Byte range of the entry in the model file.
    pub span: std::ops::Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyAction {
    Accept,
    Drop,
    Reject,
    /// Only meaningful with nested zones; without them, fwgen treats the
    /// pair as Shorewall does: the connection falls through to the end of the
    /// chain and is dropped by the catch-all. Refused for a zone on a named
    /// interface a wildcard with zones covers (`continue-over-wildcard`).
    Continue,
}

impl PolicyAction {
    pub fn keyword(self) -> &'static str {
        match self {
            PolicyAction::Accept => "ACCEPT",
            PolicyAction::Drop => "DROP",
            PolicyAction::Reject => "REJECT",
            PolicyAction::Continue => "CONTINUE",
        }
    }
}

impl Display for PolicyAction {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// A stock action of Shorewall 5.2.8 that a policy runs before its
/// verdict (its default action: the POLICY column's `DROP:Broadcast(DROP)`,
/// or DROP_DEFAULT and REJECT_DEFAULT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultAction {
    /// `Broadcast(DROP)`: packets to a broadcast or anycast address of the
    /// firewall are dropped silently.
    Broadcast,
    /// `Multicast(DROP)`: packets to a multicast address are dropped
    /// silently.
    Multicast,
}

impl DefaultAction {
    /// `Broadcast(DROP)` or `Broadcast` (whose parameter defaults to DROP),
    /// the same for Multicast, as Shorewall spells them.
    pub fn read(text: &str) -> Option<DefaultAction> {
        match text {
            "Broadcast" | "Broadcast(DROP)" => Some(DefaultAction::Broadcast),
            "Multicast" | "Multicast(DROP)" => Some(DefaultAction::Multicast),
            _ => None,
        }
    }

    pub fn keyword(self) -> &'static str {
        match self {
            DefaultAction::Broadcast => "Broadcast(DROP)",
            DefaultAction::Multicast => "Multicast(DROP)",
        }
    }
}

/// A list of default actions as Shorewall writes one: `none` when empty.
pub fn default_actions_text(actions: &[DefaultAction]) -> String {
    if actions.is_empty() {
        return "none".to_owned();
    }
    let words: Vec<&str> = actions.iter().map(|a| a.keyword()).collect();
    words.join(",")
}

/// A syslog level, or Shorewall's NFLOG. Shown in Shorewall's spelling
/// (`info`, `NFLOG(1,0,1)`); nftables spells warning `warn`
/// (src/backend/nftables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Emerg,
    Alert,
    Crit,
    Err,
    Warning,
    Notice,
    Info,
    Debug,
    /// `NFLOG(group,range,threshold)`: the packet goes to a netlink group
    /// (ulogd) instead of the kernel log.
    Nflog(Nflog),
}

/// Shorewall's `NFLOG(group,range,threshold)` (Config.pm's validate_level:
/// iptables' `--nflog-group`, `--nflog-range`, `--nflog-threshold`; each
/// may be left empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nflog {
    /// The netlink group; 0 when not written (iptables' default).
    pub group: Option<u16>,
    /// `--nflog-range`: the kernel never read it (iptables-nft drops it with
    /// "--nflog-range has never worked"), so it changes nothing; kept to be
    /// written back.
    pub range: Option<u32>,
    /// Packets queued in the kernel before they are sent (nft's
    /// `queue-threshold`).
    pub threshold: Option<u16>,
}

/// Why a log level is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevelProblem {
    /// Not a level Shorewall knows.
    Unknown,
    /// ULOG: Shorewall 5.2.8 needs the kernel's ULOG target.
    Ulog,
    /// NFLOG with a bad option list.
    NflogOptions,
    /// LOGMARK: iptables' LOGMARK target has no nftables equivalent.
    Logmark,
    /// A syslog level with LOG's options in parentheses
    /// (`info(ip_options)`), which Config.pm's validate_level takes.
    Flags,
}

impl LogLevel {
    /// By syslog number: `ALL[4]` is warning.
    pub const ALL: [LogLevel; 8] = [
        LogLevel::Emerg,
        LogLevel::Alert,
        LogLevel::Crit,
        LogLevel::Err,
        LogLevel::Warning,
        LogLevel::Notice,
        LogLevel::Info,
        LogLevel::Debug,
    ];

    /// The syslog number, as Config.pm's validate_level gives a syslog
    /// level; NFLOG has none.
    pub fn number(self) -> Option<usize> {
        LogLevel::ALL.iter().position(|level| *level == self)
    }

    pub fn name(self) -> &'static str {
        match self {
            LogLevel::Emerg => "emerg",
            LogLevel::Alert => "alert",
            LogLevel::Crit => "crit",
            LogLevel::Err => "err",
            LogLevel::Warning => "warning",
            LogLevel::Notice => "notice",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Nflog(_) => "NFLOG",
        }
    }

    /// A level as the model and Shorewall write it, with the reason when
    /// it is refused: a syslog level ([`LogLevel::parse`]) or
    /// `NFLOG[(group[,range[,threshold]])]`, any case, as Shorewall 5.2.8's
    /// validate_level reads it.
    pub fn read(text: &str) -> Result<LogLevel, LogLevelProblem> {
        if let Some(level) = LogLevel::parse(text) {
            return Ok(level);
        }
        let upper = text.to_ascii_uppercase();
        let (name, options) = match upper.split_once('(') {
            Some((name, rest)) => (name, Some(rest)),
            None => (upper.as_str(), None),
        };
        match name {
            "NFLOG" => Nflog::read(options).map(LogLevel::Nflog),
            "ULOG" => Err(LogLevelProblem::Ulog),
            "LOGMARK" => Err(LogLevelProblem::Logmark),
            name if options.is_some() && LogLevel::parse(name).is_some() => {
                Err(LogLevelProblem::Flags)
            }
            _ => Err(LogLevelProblem::Unknown),
        }
    }

    /// A level as Shorewall's compiler reads it (Config.pm's
    /// `%validlevels`): a name in any case, `warn`, `error` and `panic` as
    /// aliases, or the syslog number 0-7.
    pub fn parse(text: &str) -> Option<LogLevel> {
        if let [digit @ b'0'..=b'7'] = text.as_bytes() {
            return LogLevel::ALL.get(usize::from(digit - b'0')).copied();
        }
        let text = text.to_ascii_lowercase();
        let text = match text.as_str() {
            "warn" => "warning",
            "error" => "err",
            "panic" => "emerg",
            other => other,
        };
        LogLevel::ALL.into_iter().find(|level| level.name() == text)
    }
}

impl Nflog {
    /// The options after `NFLOG`: none, or `(...)` with up to three
    /// numbers, any of them empty.
    fn read(options: Option<&str>) -> Result<Nflog, LogLevelProblem> {
        let Some(options) = options else {
            return Ok(Nflog {
                group: None,
                range: None,
                threshold: None,
            });
        };
        let inner = options
            .strip_suffix(')')
            .ok_or(LogLevelProblem::NflogOptions)?;
        let fields: Vec<&str> = inner.split(',').collect();
        if fields.len() > 3 {
            return Err(LogLevelProblem::NflogOptions);
        }
        let field = |i: usize| fields.get(i).copied().filter(|f| !f.is_empty());
        fn number<T: std::str::FromStr>(text: Option<&str>) -> Result<Option<T>, LogLevelProblem> {
            text.map(|t| {
                if !t.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(LogLevelProblem::NflogOptions);
                }
                t.parse().map_err(|_| LogLevelProblem::NflogOptions)
            })
            .transpose()
        }
        Ok(Nflog {
            group: number(field(0))?,
            range: number(field(1))?,
            threshold: number(field(2))?,
        })
    }
}

/// Shorewall's spelling: `info`, `NFLOG`, `NFLOG(1,,4)`.
impl Display for LogLevel {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let LogLevel::Nflog(nflog) = self else {
            return f.write_str(self.name());
        };
        let shown = |n: Option<String>| n.unwrap_or_default();
        let fields = [
            shown(nflog.group.map(|n| n.to_string())),
            shown(nflog.range.map(|n| n.to_string())),
            shown(nflog.threshold.map(|n| n.to_string())),
        ];
        let used = fields
            .iter()
            .rposition(|f| !f.is_empty())
            .map_or(0, |i| i + 1);
        if used == 0 {
            return f.write_str("NFLOG");
        }
        write!(f, "NFLOG({})", fields[..used].join(","))
    }
}

/// The end of an error message: why the level is refused.
impl Display for LogLevelProblem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LogLevelProblem::Unknown => "not a log level Shorewall knows",
            LogLevelProblem::Ulog => "ULOG needs the kernel's ULOG target, removed in Linux 3.17 (Shorewall 5.2.8 refuses it too: \"Log level ULOG requires ULOG Target\"), and nftables has no ULOG: write NFLOG (NFLOG(group) for ULOG(group); ulogd2 reads it through its NFLOG input plugin)",
            LogLevelProblem::NflogOptions => "NFLOG takes up to three numbers: NFLOG(group,range,threshold)",
            LogLevelProblem::Logmark => "iptables' LOGMARK target has no nftables equivalent",
            LogLevelProblem::Flags => "LOG's options in parentheses (ip_options, tcp_options, tcp_sequence, uid, macdecode: iptables' --log-* flags, which Shorewall takes) are not in fwgen's model: write the level alone, which logs without them",
        })
    }
}

/// The resolved policy of one ordered zone pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub action: PolicyAction,
    pub log: Option<LogLevel>,
    pub origin: DecisionOrigin,
}

/// Why a pair has its policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionOrigin {
    /// The first matching `[[policy]]` entry (index into `Model::policies`).
    Policy(usize),
    /// Traffic from a zone to itself, accepted unless a policy names the zone
    /// on both sides.
    IntraZone,
}

/// The policy of every ordered pair of zones (the firewall included, its
/// traffic to itself excluded), for each family the pair carries: later
/// passes never meet a missing pair.
#[derive(Debug, Clone, Default)]
pub struct PolicyMatrix {
    /// IPv4's decision, then IPv6's; `None` for a family the pair does not
    /// carry. A pair of no common family keeps its decision as IPv4's.
    pairs: BTreeMap<(ZoneId, ZoneId), [Option<Decision>; 2]>,
}

impl PolicyMatrix {
    pub fn insert(&mut self, source: ZoneId, dest: ZoneId, decisions: [Option<Decision>; 2]) {
        self.pairs.insert((source, dest), decisions);
    }

    /// The decision of one family (`true`: IPv6) for a pair; `None` for
    /// a family the pair does not carry, and for `$FW` to `$FW`.
    pub fn family(&self, source: ZoneId, dest: ZoneId, ipv6: bool) -> Option<Decision> {
        self.pairs.get(&(source, dest))?[usize::from(ipv6)]
    }

    /// The pair's decisions, IPv4's first, once when both families agree.
    pub fn decisions(&self, source: ZoneId, dest: ZoneId) -> Vec<Decision> {
        let Some([v4, v6]) = self.pairs.get(&(source, dest)) else {
            return Vec::new();
        };
        let mut all: Vec<Decision> = v4.iter().copied().collect();
        all.extend(v6.filter(|d| Some(*d) != *v4));
        all
    }

    /// The decision for a pair when its families agree (IPv4's when they
    /// differ: read [`Self::decisions`] then); `None` only for `$FW` to
    /// `$FW`.
    pub fn get(&self, source: ZoneId, dest: ZoneId) -> Option<Decision> {
        self.decisions(source, dest).first().copied()
    }
}

/// Shorewall's rule, in one family's policy list (`true`: IPv6): the
/// first policy of that family naming the pair wins; a zone's traffic to
/// itself is accepted unless such a policy names that zone on both sides.
pub fn resolve(policies: &[Policy], source: ZoneId, dest: ZoneId, ipv6: bool) -> Option<Decision> {
    let found = policies
        .iter()
        .position(|p| p.family.has(ipv6) && p.covers(source, dest));
    if source == dest {
        return Some(found.map_or(
            Decision {
                action: PolicyAction::Accept,
                log: None,
                origin: DecisionOrigin::IntraZone,
            },
            |index| decision(policies, index),
        ));
    }
    found.map(|index| decision(policies, index))
}

impl Policy {
    /// Whether the entry decides the zone pair, as Shorewall's Rules.pm
    /// (`process_a_policy`, `set_policy_chain`) reads it: an entry naming
    /// one zone on each side decides that pair, a zone's traffic to itself
    /// included; a list or `all` decides each pair of zones it names but a
    /// zone's traffic to itself, unless written with `+`.
    pub fn covers(&self, source: ZoneId, dest: ZoneId) -> bool {
        if let (PolicySide::Zone(s), PolicySide::Zone(d)) = (&self.source, &self.dest) {
            return (*s, *d) == (source, dest);
        }
        self.source.has(source) && self.dest.has(dest) && (source != dest || self.intrazone)
    }

    /// Whether the entry limits new TCP connections before the rules (a
    /// syn-flood chain: its RATE, its CONNLIMIT or both).
    pub fn limits_new_connections(&self) -> bool {
        self.rate.is_some() || self.connlimit.is_some()
    }

    /// What new TCP connections over which its syn-flood chain drops:
    /// `3/min, burst 5`, `2 connections per source`, or both (`or`).
    pub fn limits_described(&self) -> String {
        let rate = self.rate.as_deref().map(super::RateLimit::describe);
        let connlimit = self.connlimit.map(|c| {
            let described = c.describe();
            // A policy's limit is never `above` (Rules.pm refuses `!`).
            described
                .strip_prefix("at most ")
                .unwrap_or(&described)
                .to_owned()
        });
        rate.into_iter()
            .chain(connlimit)
            .collect::<Vec<_>>()
            .join(" or ")
    }
}

fn decision(policies: &[Policy], index: usize) -> Decision {
    Decision {
        action: policies[index].action,
        log: policies[index].log,
        origin: DecisionOrigin::Policy(index),
    }
}

#[cfg(test)]
mod tests {
    use super::LogLevel;

    #[test]
    fn levels_are_read_as_shorewall_reads_them() {
        assert_eq!(LogLevel::parse("4"), Some(LogLevel::Warning));
        assert_eq!(LogLevel::parse("0"), Some(LogLevel::Emerg));
        assert_eq!(LogLevel::parse("7"), Some(LogLevel::Debug));
        assert_eq!(LogLevel::parse("PANIC"), Some(LogLevel::Emerg));
        assert_eq!(LogLevel::parse("Warn"), Some(LogLevel::Warning));
        for refused in ["8", "+4", "04", "", "none", "nflog"] {
            assert_eq!(LogLevel::parse(refused), None, "{refused}");
        }
    }

    #[test]
    fn nflog_is_read_as_shorewall_reads_it() {
        use super::{LogLevelProblem, Nflog};
        let nflog = |group, range, threshold| {
            Ok(LogLevel::Nflog(Nflog {
                group,
                range,
                threshold,
            }))
        };
        assert_eq!(LogLevel::read("NFLOG"), nflog(None, None, None));
        assert_eq!(LogLevel::read("nflog(5)"), nflog(Some(5), None, None));
        assert_eq!(
            LogLevel::read("NFLOG(1,0,1)"),
            nflog(Some(1), Some(0), Some(1))
        );
        assert_eq!(LogLevel::read("NFLOG(2,,4)"), nflog(Some(2), None, Some(4)));
        assert_eq!(LogLevel::read("info"), Ok(LogLevel::Info));
        for (text, problem) in [
            ("ULOG", LogLevelProblem::Ulog),
            ("ULOG(1)", LogLevelProblem::Ulog),
            ("LOGMARK", LogLevelProblem::Logmark),
            ("NFLOG(1,2,3,4)", LogLevelProblem::NflogOptions),
            ("NFLOG(x)", LogLevelProblem::NflogOptions),
            ("NFLOG(1", LogLevelProblem::NflogOptions),
            ("NFLOG(70000)", LogLevelProblem::NflogOptions),
            ("NFLOG(-1)", LogLevelProblem::NflogOptions),
            ("NFLOGX", LogLevelProblem::Unknown),
            ("info(ip_options)", LogLevelProblem::Flags),
            ("WARN(tcp_options,uid)", LogLevelProblem::Flags),
            ("6(uid)", LogLevelProblem::Flags),
            ("infox(uid)", LogLevelProblem::Unknown),
        ] {
            assert_eq!(LogLevel::read(text), Err(problem), "{text}");
        }
        for text in [
            "NFLOG",
            "NFLOG(5)",
            "NFLOG(1,0,1)",
            "NFLOG(2,,4)",
            "NFLOG(,,4)",
        ] {
            assert_eq!(LogLevel::read(text).unwrap().to_string(), text);
        }
    }
}
