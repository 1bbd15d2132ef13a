//! The firewall-wide settings that change what passes, as shorewall.conf
//! names them: CLAMPMSS, IP_FORWARDING, ROUTE_FILTER, LOG_MARTIANS,
//! AUTOHELPERS and the dispositions (TCP_FLAGS_DISPOSITION,
//! RELATED_DISPOSITION, INVALID_DISPOSITION, UNTRACKED_DISPOSITION).

use std::fmt::{self, Display, Formatter};

use super::{ConnState, Firewall, Interface, InterfaceOption, LogLevel, Model};

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

/// A setting that may differ between the families: IPv4's value
/// (Shorewall's shorewall.conf) and IPv6's (shorewall6.conf). The model
/// writes `key` for both, or `key_ipv4` and `key_ipv6` for each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Families<T> {
    pub ipv4: T,
    pub ipv6: T,
}

impl<T: Copy> Families<T> {
    /// The same value for both families.
    pub fn both(value: T) -> Families<T> {
        Families {
            ipv4: value,
            ipv6: value,
        }
    }

    /// The value of IPv6 (`true`) or IPv4 (`false`).
    pub fn get(&self, ipv6: bool) -> T {
        if ipv6 { self.ipv6 } else { self.ipv4 }
    }
}

impl<T> Families<Option<T>> {
    /// Whether either family has a value (a log level set for either).
    pub fn either(&self) -> bool {
        self.ipv4.is_some() || self.ipv6.is_some()
    }
}

/// One value, or each family's: `DROP`, or `ACCEPT for IPv4, DROP for IPv6`.
impl<T: Display + PartialEq> Display for Families<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.same() {
            write!(f, "{}", self.ipv4)
        } else {
            write!(f, "{} for IPv4, {} for IPv6", self.ipv4, self.ipv6)
        }
    }
}

impl<T: PartialEq> Families<T> {
    /// Whether the families have one value.
    pub fn same(&self) -> bool {
        self.ipv4 == self.ipv6
    }

    /// Whether either family's value is `value`.
    pub fn any(&self, value: &T) -> bool {
        self.ipv4 == *value || self.ipv6 == *value
    }
}

/// What happens to the packets one of Shorewall's checks catches: its
/// `*_DISPOSITION` setting (Config.pm). Not every check takes every word:
/// [`DispositionKey::allowed`] says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// The packet is accepted here, before any rule.
    Accept,
    /// The packet is dropped.
    Drop,
    /// The packet is rejected (see [`DispositionKey`] for the answer).
    Reject,
    /// Nothing happens here: the packet meets the rules and policies.
    Continue,
}

impl Disposition {
    /// Shorewall's word (`ACCEPT`, `DROP`, `REJECT`, `CONTINUE`).
    pub fn parse(text: &str) -> Option<Disposition> {
        match text {
            "ACCEPT" => Some(Disposition::Accept),
            "DROP" => Some(Disposition::Drop),
            "REJECT" => Some(Disposition::Reject),
            "CONTINUE" => Some(Disposition::Continue),
            _ => None,
        }
    }

    /// Shorewall's word, its audited form (`A_DROP`) when `audited`.
    pub fn setting_word(self, audited: bool) -> &'static str {
        match (self, audited) {
            (Disposition::Accept, true) => "A_ACCEPT",
            (Disposition::Drop, true) => "A_DROP",
            (Disposition::Reject, true) => "A_REJECT",
            (disposition, _) => disposition.word(),
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            Disposition::Accept => "ACCEPT",
            Disposition::Drop => "DROP",
            Disposition::Reject => "REJECT",
            Disposition::Continue => "CONTINUE",
        }
    }
}

impl Display for Disposition {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// The `[firewall]` keys that hold a [`Disposition`], with the words
/// Shorewall 5.2.8 takes for each (Config.pm) and fwgen's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DispositionKey {
    /// TCP_FLAGS_DISPOSITION: the `tcpflags` interface option's catch.
    TcpFlags,
    /// RELATED_DISPOSITION: packets related to a connection.
    Related,
    /// INVALID_DISPOSITION: packets conntrack calls INVALID.
    Invalid,
    /// UNTRACKED_DISPOSITION: packets conntrack does not track.
    Untracked,
}

impl DispositionKey {
    pub const ALL: [DispositionKey; 4] = [
        DispositionKey::TcpFlags,
        DispositionKey::Related,
        DispositionKey::Invalid,
        DispositionKey::Untracked,
    ];

    /// The model's key.
    pub fn key(self) -> &'static str {
        match self {
            DispositionKey::TcpFlags => "tcp_flags_disposition",
            DispositionKey::Related => "related_disposition",
            DispositionKey::Invalid => "invalid_disposition",
            DispositionKey::Untracked => "untracked_disposition",
        }
    }

    /// Shorewall's setting.
    pub fn setting(self) -> &'static str {
        match self {
            DispositionKey::TcpFlags => "TCP_FLAGS_DISPOSITION",
            DispositionKey::Related => "RELATED_DISPOSITION",
            DispositionKey::Invalid => "INVALID_DISPOSITION",
            DispositionKey::Untracked => "UNTRACKED_DISPOSITION",
        }
    }

    /// Where the disposition sits in [`Dispositions::audited`].
    fn index(self) -> usize {
        self as usize
    }

    /// The words Config.pm takes (its audited `A_` forms aside).
    pub fn allowed(self) -> &'static [Disposition] {
        use Disposition::{Accept, Continue, Drop, Reject};
        match self {
            DispositionKey::TcpFlags => &[Drop, Reject, Accept],
            DispositionKey::Related | DispositionKey::Untracked => {
                &[Accept, Drop, Reject, Continue]
            }
            DispositionKey::Invalid => &[Drop, Reject, Continue],
        }
    }

    /// The words whose audited form (`A_DROP`: an audit record, then the
    /// disposition) Shorewall 5.2.8 takes and compiles for the setting:
    /// TCP_FLAGS_DISPOSITION's A_DROP and A_REJECT (shorewall.conf(5)) and
    /// A_ACCEPT (the man page does not list it, Config.pm's pattern takes
    /// it and `shorewall compile` writes `logflags` as for the others: the
    /// log, `-j AUDIT --type accept`, `-j ACCEPT`); the states' A_ACCEPT
    /// and A_DROP (INVALID takes no ACCEPT). The states' A_REJECT is listed and passes Config.pm, but
    /// `shorewall compile` stops at it ("Unknown rule target (A_REJECT)":
    /// A_REJECT is an action, action.A_REJECT, which the state sections of
    /// Rules.pm do not look up).
    pub fn audited_allowed(self) -> impl Iterator<Item = Disposition> {
        let audited: &[Disposition] = match self {
            DispositionKey::TcpFlags => {
                &[Disposition::Drop, Disposition::Reject, Disposition::Accept]
            }
            _ => &[Disposition::Accept, Disposition::Drop],
        };
        audited
            .iter()
            .copied()
            .filter(move |d| self.allowed().contains(d))
    }

    /// A word of the setting as shorewall.conf and the model write it
    /// (`DROP`, `A_DROP`): the disposition and whether it is audited;
    /// `None` for a word the setting does not take.
    pub fn read(self, text: &str) -> Option<(Disposition, bool)> {
        match text.strip_prefix("A_") {
            Some(word) => Disposition::parse(word)
                .filter(|d| self.audited_allowed().any(|a| a == *d))
                .map(|d| (d, true)),
            None => Disposition::parse(text)
                .filter(|d| self.allowed().contains(d))
                .map(|d| (d, false)),
        }
    }

    /// Why a state's `A_REJECT` is not taken, for a hint.
    pub fn audited_reject_refusal(self) -> Option<&'static str> {
        (self != DispositionKey::TcpFlags).then_some(
            "Shorewall 5.2.8 takes A_REJECT in shorewall.conf but `shorewall compile` stops at it (\"Unknown rule target (A_REJECT)\")",
        )
    }

    /// fwgen's default. Shorewall's own, but INVALID: fwgen drops invalid
    /// packets unless the model says otherwise (Shorewall's default is
    /// CONTINUE).
    pub fn model_default(self) -> Disposition {
        match self {
            DispositionKey::TcpFlags | DispositionKey::Invalid => Disposition::Drop,
            DispositionKey::Related => Disposition::Accept,
            DispositionKey::Untracked => Disposition::Continue,
        }
    }

    /// Shorewall's default (Config.pm), for a setting left unset.
    pub fn shorewall_default(self) -> Disposition {
        match self {
            DispositionKey::Invalid => Disposition::Continue,
            key => key.model_default(),
        }
    }

    /// The allowed words, as a hint writes them.
    pub fn words(self) -> String {
        let plain = self.allowed().iter().map(|d| format!("\"{d}\""));
        let audited = self
            .audited_allowed()
            .map(|d| format!("\"{}\"", d.setting_word(true)));
        plain.chain(audited).collect::<Vec<String>>().join(", ")
    }
}

/// Whether fwgen would decide what the `tcpflags` interface option catches
/// otherwise than Shorewall. The packets it catches are INVALID to
/// conntrack (all but a SYN from port 0); Shorewall runs the interface
/// options first, fwgen decides INVALID packets first unless they go on
/// (CONTINUE) or are logged (`invalid_log`: decided in the pair chains,
/// after the interface options, as Shorewall does). So a tcpflags
/// disposition other than plain DROP, or an audit record of either, is
/// unseen when INVALID packets are decided first. Each disposition is
/// given as decided: the word and whether it is audited.
pub fn tcp_flags_unseen(
    tcp_flags: (Disposition, bool),
    invalid: (Disposition, bool),
    invalid_logged: bool,
) -> bool {
    let differs = tcp_flags != (Disposition::Drop, false) || invalid.1;
    let invalid_decided_first = invalid.0 != Disposition::Continue && !invalid_logged;
    differs && invalid_decided_first
}

/// The dispositions of the model, one per [`DispositionKey`]: each of
/// TCP_FLAGS_, RELATED_, INVALID_ and UNTRACKED_DISPOSITION per family
/// (`key`, or `key_ipv4` and `key_ipv6`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dispositions {
    pub tcp_flags: Families<Disposition>,
    pub related: Families<Disposition>,
    pub invalid: Families<Disposition>,
    pub untracked: Families<Disposition>,
    /// Whether each disposition (by [`DispositionKey::ALL`]'s order) is
    /// audited in each family: Shorewall's `A_DROP`, `A_REJECT` and
    /// `A_ACCEPT` (the model writes them so), an audit record before the
    /// verdict, where the disposition decides.
    pub audited: [Families<bool>; 4],
}

impl Default for Dispositions {
    fn default() -> Self {
        Dispositions {
            tcp_flags: Families::both(DispositionKey::TcpFlags.model_default()),
            related: Families::both(DispositionKey::Related.model_default()),
            invalid: Families::both(DispositionKey::Invalid.model_default()),
            untracked: Families::both(DispositionKey::Untracked.model_default()),
            audited: [Families::both(false); 4],
        }
    }
}

impl Dispositions {
    /// The disposition of each family.
    pub fn families(&self, key: DispositionKey) -> Families<Disposition> {
        match key {
            DispositionKey::TcpFlags => self.tcp_flags,
            DispositionKey::Related => self.related,
            DispositionKey::Invalid => self.invalid,
            DispositionKey::Untracked => self.untracked,
        }
    }

    /// The disposition of one family (`true`: IPv6).
    pub fn get(&self, key: DispositionKey, ipv6: bool) -> Disposition {
        self.families(key).get(ipv6)
    }

    /// Whether one family's disposition is audited (`true`: IPv6).
    pub fn audited(&self, key: DispositionKey, ipv6: bool) -> bool {
        self.audited[key.index()].get(ipv6)
    }

    /// The disposition and whether it is audited, of each family: the two
    /// families decide alike when these are the same.
    pub fn decided(&self, key: DispositionKey) -> Families<(Disposition, bool)> {
        let (d, a) = (self.families(key), self.audited[key.index()]);
        Families {
            ipv4: (d.ipv4, a.ipv4),
            ipv6: (d.ipv6, a.ipv6),
        }
    }

    /// Shorewall's word for one family's disposition: `A_DROP` audited.
    pub fn word(&self, key: DispositionKey, ipv6: bool) -> &'static str {
        self.get(key, ipv6).setting_word(self.audited(key, ipv6))
    }

    /// Shorewall's words of each family (`A_DROP`, or `DROP for IPv4,
    /// A_DROP for IPv6`).
    pub fn words(&self, key: DispositionKey) -> Families<&'static str> {
        Families {
            ipv4: self.word(key, false),
            ipv6: self.word(key, true),
        }
    }

    /// Give each family its disposition and whether it is audited.
    pub fn set_decided(&mut self, key: DispositionKey, decided: Families<(Disposition, bool)>) {
        let disposition = Families {
            ipv4: decided.ipv4.0,
            ipv6: decided.ipv6.0,
        };
        match key {
            DispositionKey::TcpFlags => self.tcp_flags = disposition,
            DispositionKey::Related => self.related = disposition,
            DispositionKey::Invalid => self.invalid = disposition,
            DispositionKey::Untracked => self.untracked = disposition,
        }
        self.audited[key.index()] = Families {
            ipv4: decided.ipv4.1,
            ipv6: decided.ipv6.1,
        };
    }

    /// Give both families `disposition`.
    pub fn set(&mut self, key: DispositionKey, disposition: Disposition) {
        match key {
            DispositionKey::TcpFlags => self.tcp_flags = Families::both(disposition),
            DispositionKey::Related => self.related = Families::both(disposition),
            DispositionKey::Invalid => self.invalid = Families::both(disposition),
            DispositionKey::Untracked => self.untracked = Families::both(disposition),
        }
    }
}

/// RELATED_LOG_LEVEL, INVALID_LOG_LEVEL and UNTRACKED_LOG_LEVEL: the log
/// level of each state's packets, logged in each zone pair's chain (as
/// `Shorewall:+net-fw:ACCEPT:`, `_` for invalid, `&` for untracked) before
/// the state's disposition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StateLogs {
    /// Of each family (`related_log`, or `related_log_ipv4` and `_ipv6`),
    /// as `invalid`.
    pub related: Families<Option<LogLevel>>,
    pub invalid: Families<Option<LogLevel>>,
    pub untracked: Families<Option<LogLevel>>,
}

impl Firewall {
    /// The states FASTACCEPT=Yes accepts first in a family
    /// ([`ConnState::fast`]). Empty without `fast_accept`.
    pub fn fast_states(&self, ipv6: bool) -> Vec<ConnState> {
        if !self.fast_accept {
            return Vec::new();
        }
        let related = DispositionKey::Related;
        ConnState::fast(
            (
                self.dispositions.get(related, ipv6),
                self.dispositions.audited(related, ipv6),
            ),
            self.disposition_log(related, ipv6).is_some(),
        )
    }

    /// The log level of a disposition's packets in one family (`true`:
    /// IPv6): TCP_FLAGS_LOG_LEVEL, RELATED_LOG_LEVEL, INVALID_LOG_LEVEL or
    /// UNTRACKED_LOG_LEVEL, each of which may differ by family.
    pub fn disposition_log(&self, key: DispositionKey, ipv6: bool) -> Option<LogLevel> {
        match key {
            DispositionKey::TcpFlags => self.tcp_flags_log.get(ipv6),
            DispositionKey::Related => self.state_logs.related.get(ipv6),
            DispositionKey::Invalid => self.state_logs.invalid.get(ipv6),
            DispositionKey::Untracked => self.state_logs.untracked.get(ipv6),
        }
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

impl ConntrackHelper {
    /// Its protocol's name as Shorewall's and nft's files write it.
    pub fn protocol(&self) -> &'static str {
        if self.tcp { "tcp" } else { "udp" }
    }
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
    /// What the firewall does with one family's forwarding (`true`:
    /// IPv6): the model's `ip_forwarding` (or `ip_forwarding_ipv4`,
    /// `ip_forwarding_ipv6`), else on when the model forwards between
    /// interfaces and kept otherwise. The one answer for every backend and
    /// for `apply`.
    pub fn ip_forwarding(&self, ipv6: bool) -> Forwarding {
        match self.firewall.ip_forwarding.get(ipv6) {
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
