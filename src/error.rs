//! Every way a model can be wrong, with the text that explains it.
//!
//! Modelled on casey/just's `CompileError`: the condition is a variant of
//! [`ErrorKind`], all messages live in one `Display` match, and the span says
//! where in the model file the offending text is.

use std::borrow::Cow;
use std::fmt::{self, Display, Formatter};
use std::ops::Range;

use crate::model::logging::LogLimitProblem;
use crate::source::Source;

/// Longest piece of the user's text an error quotes or shows in its
/// snippet; the rest is cut, with a marker saying how much.
const MAX_SHOWN: usize = 160;

/// An error found while loading, analyzing or lowering a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// Byte range of the offending text in the model file, when known.
    pub span: Option<Range<usize>>,
    pub kind: Box<ErrorKind>,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// No `-c`, no `FWGEN_CONFIG`, and no model in the default places.
    NoModel {
        looked: Vec<String>,
    },
    Read {
        message: String,
    },
    NotUtf8,
    /// Well-formed TOML, but a value of the wrong type or a missing key.
    Toml {
        message: String,
    },
    /// Not TOML at all: the parser stopped here.
    TomlSyntax {
        message: String,
    },
    /// A key the table does not have.
    UnknownKey {
        message: String,
        key: String,
        expected: Vec<String>,
    },
    EmptyModel,
    UnknownZone {
        name: String,
        known: Vec<String>,
    },
    UnknownInterface {
        name: String,
        known: Vec<String>,
    },
    ZoneNameSyntax {
        name: String,
    },
    /// Longer than Shorewall allows with the LOGFORMAT fwgen writes for
    /// `[firewall] log_prefix` (`analyze::max_zone_name`).
    ZoneNameTooLong {
        name: String,
        log_prefix: String,
    },
    ReservedZoneName {
        name: String,
    },
    /// Two zones whose pair's chain is one of fwgen's own
    /// (`ruleset::OWN_CHAIN_WORDS`).
    ZoneChainTaken {
        chain: String,
    },
    ZoneIsFirewall {
        name: String,
    },
    InterfaceNameSyntax {
        name: String,
        reason: &'static str,
    },
    DuplicateInterface {
        name: String,
        first: Range<usize>,
    },
    /// Two interface names that give the same chain names (`ppp+` and
    /// `ppp-any`: `in-ppp-any`).
    InterfaceChainClash {
        name: String,
        other: String,
        first: Range<usize>,
    },
    /// An interface's name that is another interface's device: Shorewall
    /// knows an interface by both (Zones.pm keys %interfaces by each) and
    /// refuses the two ("Duplicate Interface").
    InterfaceNameIsDevice {
        name: String,
        other: String,
        first: Range<usize>,
    },
    InterfaceInFirewallZone {
        name: String,
    },
    UnknownInterfaceOption {
        name: String,
    },
    /// A Shorewall option fwgen's model does not hold (model::option_verdict).
    RefusedInterfaceOption {
        option: String,
        reason: &'static str,
    },
    /// A zone's hosts on the zone's own interface (shorewall-hosts(5):
    /// "do not include any entries in this file for that same (zone,
    /// interface) pair").
    HostsOnOwnInterface {
        zone: String,
        interface: String,
    },
    /// A zone nested in itself or in a zone declared after it.
    ParentNotBefore {
        zone: String,
        parent: String,
    },
    /// A parent named twice in one zone's `parent` list.
    DuplicateParent {
        zone: String,
        parent: String,
    },
    /// `parent = []`.
    EmptyParents {
        zone: String,
    },
    /// A nested zone of a family its parent does not hold.
    NestedFamily {
        zone: String,
        parent: String,
        family: &'static str,
    },
    /// A zone's hosts on an interface of a zone declared before it, whose
    /// dispatch would take them first.
    HostsAfterOwner {
        zone: String,
        interface: String,
        owner: String,
    },
    /// A hosts entry of every address (`0.0.0.0/0`, `::/0`) on an
    /// interface of no zone whose line has `maclist`, `nosmurfs` or
    /// `tcpflags`: the entry gives the interface its zone (Zones.pm
    /// add_group_to_zone), and Shorewall applies an interface's option
    /// only while it has none (find_hosts_by_option).
    HostsTakeInterface {
        zone: String,
        interface: String,
        /// The options lost, each in backquotes: "`maclist`, `nosmurfs`".
        options: String,
        network: String,
    },
    /// A zone's hosts on an interface of a zone that lacks one of its
    /// families (IPv6 hosts on an IPv4 zone's interface), in either order.
    HostsOtherFamily {
        zone: String,
        interface: String,
        owner: String,
        /// The family the hosts zone has and the owner lacks.
        family: &'static str,
    },
    EmptyHosts {
        zone: String,
    },
    /// A hosts entry of every address (`0.0.0.0/0`, `::/0`) beside another
    /// network of its family: Shorewall refuses the list ("Duplicate Host
    /// Group", Zones.pm add_group_to_zone).
    HostsEveryAddressBeside {
        zone: String,
        interface: String,
        network: String,
    },
    /// A source NAT entry's `except` item that cannot leave out what it
    /// says.
    SnatExcept {
        text: String,
        reason: &'static str,
    },
    /// A hosts entry's `except` item that cannot leave out what it says.
    HostsExcept {
        zone: String,
        text: String,
        reason: &'static str,
    },
    BadInterfaceOptionValue {
        option: String,
        value: String,
        allowed: &'static str,
    },
    ConflictingOptions {
        first: String,
        second: String,
        reason: &'static str,
    },
    /// An option in `options_ipv4` or `options_ipv6` whose rules fwgen
    /// does not give one family.
    FamilyInterfaceOption {
        option: String,
        family: &'static str,
        reason: &'static str,
    },
    /// An option of `options_ipv4` or `options_ipv6` given already, in
    /// `options` or in the other family's list.
    FamilyOptionTwice {
        option: String,
        first: &'static str,
    },
    /// `options_ipv6` on an interface that carries no IPv6 (or
    /// `options_ipv4`, no IPv4).
    FamilyOptionOfAbsentFamily {
        option: String,
        interface: String,
        ipv6: bool,
        family: &'static str,
    },
    /// An option Shorewall refuses (`bridge`) or ignores (the /proc
    /// options) on a wildcard interface name such as `ppp+`.
    WildcardOption {
        option: String,
        physical: String,
        reason: &'static str,
    },
    /// A wildcard interface's zone declared before the zone of a named
    /// interface the wildcard covers: Shorewall would send the named
    /// interface's packets to the wildcard's zone.
    WildcardZoneFirst {
        named: String,
        zone: String,
        wildcard: String,
        wildcard_zone: String,
    },
    /// A named interface of no zone covered by a wildcard of a zone:
    /// Shorewall sends its packets no hosts entry claims to the wildcard's
    /// zone.
    WildcardOverZoneless {
        named: String,
        wildcard: String,
        wildcard_zone: String,
    },
    /// A named interface whose zone lacks a family of the zone of a
    /// wildcard that covers it: that family's Shorewall does not know the
    /// named interface and sends its packets to the wildcard's zone.
    WildcardOverOtherFamily {
        named: String,
        zone: String,
        wildcard: String,
        wildcard_zone: String,
        family: &'static str,
    },
    /// A zone's hosts on a wildcard interface that covers a named
    /// interface of no zone, or of a zone not declared before the hosts'
    /// zone: Shorewall's dispatch of the named interface's packets passes
    /// through the wildcard's (`-i ppp+` matches ppp7) where those hosts
    /// claim them.
    WildcardHostsOverNamed {
        named: String,
        /// The named interface's zone; `None`: of no zone.
        zone: Option<String>,
        wildcard: String,
        hosts_zone: String,
        /// Whether the wildcard has a zone of its own.
        wildcard_zoned: bool,
    },
    /// A CONTINUE policy of a nested zone's pair whose parent's pair (or
    /// that of a zone on an interface it shares) has blacklist entries.
    BlacklistAfterContinue {
        source: String,
        dest: String,
        parent: String,
    },
    /// A CONTINUE policy for a pair with a zone on a named interface a
    /// wildcard with zones covers.
    ContinueOverWildcard {
        source: String,
        dest: String,
        zone: String,
        named: String,
        wildcard: String,
    },
    BadNetwork {
        text: String,
        reason: String,
    },
    BadRange {
        text: String,
        reason: &'static str,
    },
    /// A `[[snat]]`'s `to` listing several addresses.
    SnatAddressList {
        text: String,
    },
    ExclusionOfOtherFamily {
        address: String,
    },
    DnatExclusion,
    /// A `mark` (Shorewall's MARK column) the model refuses.
    BadMark {
        text: String,
        reason: &'static str,
    },
    BadLogTag {
        tag: String,
    },
    LogTagWithoutLog,
    /// A zone's `mss` in a model with no rule in Shorewall's NEW section.
    ZoneMssWithoutRules,
    /// `audit = true` on an entry fwgen does not audit.
    AuditedAction {
        what: String,
    },
    /// A rate or connection limit key (`rate`, `rate_burst`, `connlimit`,
    /// ...) with a value the model refuses.
    /// A policy side shorewall-policy(5) does not take, or one Shorewall
    /// 5.2.8 compiles against its own manual.
    BadPolicyZones {
        text: String,
        reason: &'static str,
    },
    /// A policy's `default_action` fwgen cannot run.
    BadDefaultAction {
        text: String,
        reason: &'static str,
    },
    /// A masquerade's or SNAT's `source_interface` that cannot be one.
    BadSourceInterface {
        text: String,
        reason: &'static str,
        hint: &'static str,
    },
    BadLimit {
        key: &'static str,
        text: String,
        reason: &'static str,
    },
    /// An address range of more than one network in a rule whose limit
    /// counts per iptables rule (`key`: `rate` or `connlimit`).
    LimitOverRange {
        key: &'static str,
        range: String,
        networks: usize,
    },
    BadZoneList {
        text: String,
    },
    WrongFamily {
        address: String,
        zone: String,
        family: &'static str,
    },
    UnknownAction {
        action: String,
        allowed: &'static str,
    },
    UnknownLogLevel {
        level: String,
    },
    /// A level Shorewall names but fwgen cannot carry (ULOG, LOGMARK, a
    /// bad NFLOG option list).
    RefusedLogLevel {
        level: String,
        reason: crate::model::policy::LogLevelProblem,
    },
    /// A rule's `section` that is none, or that the rule cannot be in.
    RuleSection {
        section: String,
        reason: &'static str,
    },
    /// A rule's `helper` that is no helper, or on a rule it cannot watch.
    BadHelper {
        text: String,
        reason: String,
    },
    /// A `[[conntrack]]` key fwgen cannot carry.
    BadConntrack {
        key: &'static str,
        text: String,
        reason: String,
    },
    /// A rule's `syn = true` whose services are not TCP alone.
    BadSyn {
        reason: String,
    },
    /// A rule's `user`, `group` or `owner_negated` that is malformed, or
    /// on a rule whose source is not the firewall.
    BadOwner {
        key: &'static str,
        text: String,
        reason: String,
    },
    /// A rule's time window key (`time_start`, `weekdays`, ...) that is
    /// malformed or that the backends cannot mean alike.
    BadTime {
        key: &'static str,
        text: String,
        reason: String,
    },
    /// `zone:eth0` in a rule, where it cannot be.
    RuleInterface {
        interface: String,
        reason: &'static str,
    },
    /// An `[[ipset]]` the model cannot hold.
    BadIpset {
        name: String,
        reason: String,
    },
    /// `+name` in an address column, where or as it cannot be.
    IpsetReference {
        text: String,
        reason: String,
    },
    /// `&eth0`: an interface's address when the firewall starts.
    InterfaceAddress {
        text: String,
        reason: &'static str,
    },
    /// A sender's MAC address (`~00-1a-...`) where the model does not
    /// take it.
    MacSource {
        text: String,
        reason: &'static str,
    },
    /// `to = "detect"` where the interface's address cannot stand.
    SnatDetect {
        reason: &'static str,
    },
    /// `to = "none"` where an exemption cannot stand.
    SnatNone {
        reason: &'static str,
    },
    /// `to = "keep"` where ports alone cannot stand.
    SnatKeep {
        reason: &'static str,
    },
    /// A source NAT entry below one on an interface whose devices overlap
    /// its own, where the interfaces list its own first: Shorewall tries
    /// the entries interface by interface, in the interfaces' order.
    SnatOrder {
        interface: String,
        earlier: String,
    },
    /// A one-to-one NAT on an interface listed after one whose devices
    /// overlap its own and which has source NAT entries: Shorewall tries
    /// those first.
    NatOrder {
        interface: String,
        earlier: String,
    },
    /// A one-to-one NAT on a named interface beside an interface of
    /// physical name `+` and a port forward or redirect: Shorewall then
    /// tries the one-to-one translation ahead of the port forwards.
    NatBeforeForwards {
        interface: String,
        wildcard: String,
    },
    /// A LOG rule with what only a verdict has (a macro, no `log`).
    LogRule {
        reason: &'static str,
    },
    /// An ACCEPT+ or NONAT rule with what fwgen or Shorewall does not
    /// take on one (a macro, a section other than NEW, ...).
    NatExemption {
        action: &'static str,
        reason: &'static str,
    },
    UnknownProtocol {
        protocol: String,
    },
    PortsNeedProtocol {
        protocol: String,
    },
    BadPort {
        text: String,
        reason: &'static str,
    },
    IcmpTypeNeedsIcmp {
        protocol: String,
    },
    UnknownIcmpType {
        name: String,
    },
    /// IPv4 ICMP type 255: iptables' wildcard, nftables' one type.
    IcmpTypeWildcard {
        name: String,
    },
    UnknownMacro {
        name: String,
    },
    MacroAndProtocol,
    MacroNotExpressible {
        name: String,
        reason: String,
    },
    BadRejectWith {
        text: String,
        reason: &'static str,
    },
    UnknownService {
        name: String,
        protocol: String,
    },
    MacroNotForAction {
        name: String,
        action: String,
    },
    FreeTextCharacter {
        field: &'static str,
        character: char,
    },
    FreeTextTooLong {
        field: &'static str,
        max: usize,
    },
    BadIdentifier {
        field: &'static str,
        text: String,
        grammar: &'static str,
    },
    FirewallToFirewall,
    /// A rule whose `all+` (or list with `+`) covers the firewall's traffic
    /// to itself with a verdict or log other than a plain ACCEPT.
    FirewallItselfCovered {
        text: String,
    },
    /// A `[[stopped]]` source or dest that is no interface, `$FW` or `any`.
    UnknownStoppedPlace {
        name: String,
        known: Vec<String>,
    },
    /// A `[[stopped]]` entry from the firewall: its own traffic always
    /// leaves while stopped.
    StoppedFromFirewall,
    /// A wildcard interface in a `[[stopped]]` entry for IPv6: Shorewall6
    /// reads `ppp+` there as an ipset and refuses it.
    StoppedWildcardIpv6 {
        name: String,
    },
    DnatToFirewall,
    DnatNeedsZone {
        zone: String,
    },
    DnatTargetOutsideZone {
        target: String,
        zone: String,
    },
    DnatTargetInOtherZone {
        target: String,
        zone: String,
        holder: String,
    },
    DnatTargetNotHost {
        target: String,
    },
    PortForwardWithoutPort,
    OneToOneIpv6,
    OneToOneUnplaced {
        internal: String,
    },
    BadShorewallVersion {
        version: i64,
    },
    FamilyConflict {
        what: &'static str,
    },
    UnknownTunnelType {
        kind: String,
    },
    /// A `[[tunnel]]` key the tunnel's type gives no meaning, or a value
    /// it cannot take.
    TunnelKey {
        key: &'static str,
        kind: &'static str,
        why: &'static str,
    },
    TunnelZone {
        zone: String,
    },
    MissingPolicy {
        source: String,
        dest: String,
        /// `Some("IPv6")` when only that family's policies leave it out.
        family: Option<&'static str>,
    },
    BadLogPrefix {
        prefix: String,
    },
    BadLogLimit {
        text: String,
        problem: LogLimitProblem,
    },
    BadClampMss {
        size: i64,
    },
    BadIpForwarding {
        text: String,
    },
    /// `ip_forwarding_ipv6` (a setting's family key) beside `ip_forwarding`.
    FamilySettingTwice {
        key: &'static str,
        ipv6: bool,
    },
    /// `smurf_log_ipv6` (or `tcp_flags_disposition_ipv6`,
    /// `tcp_flags_log_ipv6`) in a model without IPv6 zones (or `_ipv4` without
    /// IPv4 ones).
    FamilySettingOfAbsentFamily {
        key: &'static str,
        ipv6: bool,
    },
    BadBlacklistState {
        text: String,
    },
    BadDisposition {
        key: crate::model::DispositionKey,
        text: String,
    },
    InvalidRuleRejected,
    /// Beside `fast_accept = true`: a rule of the ESTABLISHED section, of
    /// the RELATED section where related packets are accepted first, or a
    /// blacklist that sees those states.
    FastAcceptConflict {
        /// What conflicts: `a rule in the ESTABLISHED section`.
        what: &'static str,
    },
    TcpFlagsUnseen {
        /// `tcp_flags_disposition`, or a family's key.
        key: String,
        /// Shorewall's words, `A_REJECT` audited.
        tcp_flags: &'static str,
        invalid: &'static str,
    },
    InvalidInBlacklist,
    Internal {
        message: String,
    },
    InvalidLogged,
    DestTypeLogged {
        name: String,
    },
    DuplicatePolicy {
        first_line: usize,
    },
    /// The same SOURCE and DEST, one of them `all`, named a second time.
    RepeatedWildcardPolicy {
        source: String,
        dest: String,
        first_line: usize,
    },
    ShorewallNeedsIpv4,
    BadMaclistDisposition {
        text: String,
    },
    BadMac {
        text: String,
    },
    MaclistWithoutOption {
        interface: String,
    },
    MaclistEmpty,
    MaclistIpv6 {
        interface: String,
    },
}

impl Error {
    pub fn new(span: Option<Range<usize>>, kind: ErrorKind) -> Self {
        Error {
            span,
            kind: Box::new(kind),
        }
    }

    pub fn at(span: Range<usize>, kind: ErrorKind) -> Self {
        Error::new(Some(span), kind)
    }

    /// A line of advice shown under the snippet, where one helps.
    pub fn hint(&self) -> Option<String> {
        use ErrorKind::*;
        let hint = match &*self.kind {
            NoModel { .. } => "write a starter model with `fwgen init`, or name one with `-c FILE` or FWGEN_CONFIG".into(),
            Read { .. } => "pass the model with `-c FILE`; the default is ./fwgen.toml, else /etc/fwgen/fwgen.toml".into(),
            NotUtf8 => "save the model as UTF-8".into(),
            EmptyModel => "declare at least one zone and one interface, or start from `examples/lxc-host.toml`".into(),
            UnknownZone { known, .. } if known.is_empty() => {
                "no zone is declared yet: add `[zones.NAME]`; `$FW` is the firewall, `all` every zone".into()
            }
            UnknownZone { name, known } => {
                let candidates = known.iter().map(String::as_str).chain(["$FW", "all"]);
                format!(
                    "{}known zones: {}, `$FW` (the firewall) and `all`",
                    did_you_mean(name, candidates),
                    known.join(", ")
                )
            }
            UnknownInterface { name, known } => format!(
                "{}known interfaces: {}",
                did_you_mean(name, known.iter().map(String::as_str)),
                known.join(", ")
            ),
            ZoneNameSyntax { .. } => {
                "a zone name is a letter followed by letters, digits or `_`".into()
            }
            ZoneNameTooLong { name, log_prefix } => zone_name_too_long_hint(name, log_prefix),
            ReservedZoneName { .. } => {
                "`all`, `any`, `none`, `SOURCE` and `DEST` have a meaning of their own in Shorewall, which refuses names beginning `all2` or ending `2all` too (\"Invalid zone name\"), and `in`, `fwd` and `out` begin the names of fwgen's interface chains (`in-eth0`)"
                    .into()
            }
            ZoneChainTaken { .. } => format!(
                "a zone pair's chain is named `SOURCE-DEST`, and fwgen's own chains are named {} followed by `-` and a hook ({}); rename one of the zones",
                (crate::ruleset::OWN_CHAIN_WORDS.iter())
                    .map(|w| format!("`{w}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                crate::ruleset::HOOK_WORDS.join(", ")
            ),
            ZoneIsFirewall { .. } => {
                "the firewall's own zone is set by `[firewall] zone`; refer to it as `$FW`".into()
            }
            InterfaceNameSyntax { .. } => "use the name `ip link` shows, e.g. `eth0` or `lxcbr0`; set `physical` when Shorewall's logical name differs".into(),
            DuplicateInterface { .. } => "each kernel interface belongs to exactly one zone".into(),
            InterfaceChainClash { .. } => "fwgen writes `+` as `-any` in chain names (`in-ppp-any`): rename one of the two interfaces (the model's name; `physical` keeps the kernel's)".into(),
            InterfaceNameIsDevice { .. } => "Shorewall knows an interface by its name and by its device alike, so it refuses the two (\"Duplicate Interface\"), and a rule's `zone:NAME` could mean either: rename this interface".into(),
            InterfaceInFirewallZone { .. } => "interfaces connect other zones to the firewall; give this interface a zone of its own".into(),
            UnknownInterfaceOption { name } => format!("{}supported options: {INTERFACE_OPTIONS}", did_you_mean(name.split('=').next().unwrap_or(name), INTERFACE_OPTIONS.split(", ").map(|o| o.split(['[', '=']).next().unwrap_or(o)))),
            RefusedInterfaceOption { reason, .. } => (*reason).into(),
            HostsOnOwnInterface { .. } => "the whole interface is already in the zone: drop the hosts entry".into(),
            NestedFamily { parent, .. } => format!("a nested zone holds a part of its parent's hosts: give it `{parent}`'s family or a narrower one (Shorewall's and Shorewall6's zones files nest each family apart)"),
            DuplicateParent { parent, .. } => format!("name `{parent}` once"),
            EmptyParents { .. } => "name the parent zones, or leave `parent` out for a zone nested in none".into(),
            ParentNotBefore { parent, .. } => format!("declare zone `{parent}` before the zones nested in it, as Shorewall's zones file must (\"Unknown parent zone\")"),
            HostsAfterOwner { zone, owner, .. } => format!("declare zone `{zone}` before zone `{owner}`, or nest it in `{owner}` (`parent = \"{owner}\"`): zones are dispatched in the order declared (Shorewall's zones file), nested zones before their parents, and `{owner}` takes every address of its interface"),
            HostsTakeInterface { zone, interface, options, network } => format!("Shorewall compiles no {options} for `{0}`: the hosts entry `{0}:{network}` gives `{0}` to zone `{1}`, and Shorewall applies an interface's maclist, nosmurfs and tcpflags only while the interface has no zone (Zones.pm find_hosts_by_option), where fwgen's nftables would apply them to every packet from `{0}`: give the hosts entry's networks narrower than every address, or give `{0}` zone `{1}` on its own line (`zone = \"{1}\"`) if the options are meant, or drop them", shorten(interface), shorten(zone)),
            HostsOtherFamily { zone, interface, owner, family } => {
                let product = if *family == "IPv6" { "Shorewall6" } else { "Shorewall" };
                format!("give zone `{owner}` the family `both`, or give `{interface}` no zone and `{owner}` its hosts on it: an interface carries the families of its zone alone ({product}'s interfaces file would not list `{interface}` for the hosts of `{zone}`, and {product} refuses them: \"Unknown interface ({interface})\", or \"No network interfaces defined\")")
            }
            HostsEveryAddressBeside { interface, network, .. } => format!("every address holds the others: drop them, keeping `{network}` alone (Shorewall refuses `{0}:{network}` beside another network of its family: \"Duplicate Host Group\", Zones.pm add_group_to_zone), or give them another zone, declared first", shorten(interface)),
            EmptyHosts { .. } => "list the networks or addresses of the zone on this interface: `networks = [\"10.8.0.0/24\"]`".into(),
            SnatExcept { .. } => "leave out addresses inside the entry's sources, some of them: `sources = [\"10.0.0.0/8\"]`, `except = [\"10.1.0.0/16\"]`".into(),
            HostsExcept { .. } => "leave out addresses inside the entry's networks, some of them: `networks = [\"192.168.1.0/24\"]`, `except = [\"192.168.1.5\"]`".into(),
            BadInterfaceOptionValue { allowed, .. } => format!("allowed values: {allowed}"),
            ConflictingOptions { reason, .. } => (*reason).into(),
            FamilyInterfaceOption { reason, .. } => (*reason).into(),
            FamilyOptionTwice { .. } => "an option of both families goes in `options` alone; `options_ipv4` and `options_ipv6` hold what one family adds".into(),
            FamilyOptionOfAbsentFamily { family, .. } => format!("the interface carries {family} alone (its zone's family, or that of the zones whose hosts are on it): drop the option, or give the zone the family"),
            WildcardOption { reason, .. } => (*reason).into(),
            WildcardOverZoneless { named, wildcard, wildcard_zone } => format!("Shorewall sends `{0}`'s packets to `{2}` (by `{1}`), but those a hosts entry of a zone declared before `{2}` claims, where fwgen's nftables gives them to no zone but those of its hosts entries: give `{0}` zone `{2}` (the zones with hosts on it declared before `{2}`), or narrow `{1}` so that it does not cover `{0}`", shorten(named), shorten(wildcard), shorten(wildcard_zone)),
            WildcardOverOtherFamily { named, zone, wildcard, wildcard_zone, family } => format!("Shorewall's {3} firewall (its own interfaces file) does not know `{0}`, so `{2}` takes its {3} packets, which fwgen's nftables drops at the catch-all: narrow `{1}` so that it does not cover `{0}`, or give zone `{4}` both families (and declare it before `{2}`)", shorten(named), shorten(wildcard), shorten(wildcard_zone), family, shorten(zone)),
            // A narrower wildcard under one of no zone: no zone order helps.
            WildcardHostsOverNamed { named, wildcard, wildcard_zoned: false, .. } if named.ends_with('+') => format!("fwgen's nftables takes what no hosts entry of `{1}` claims, `{0}`'s packets included, where Shorewall dispatches `-i {0}` apart: narrow `{1}` so that it does not cover `{0}`", shorten(named), shorten(wildcard)),
            WildcardHostsOverNamed { named, zone: Some(zone), wildcard, hosts_zone, .. } => format!("Shorewall dispatches `{0}`'s packets through `{1}`'s chain too (`-i {1}` matches {0}), in zone order: the hosts of `{2}` there claim those from and to their networks, and `{1}`'s own zone, if it has one, all the rest, where fwgen's nftables gives them to `{0}`'s zone `{3}`: {4}, or narrow `{1}` so that it does not cover `{0}`", shorten(named), shorten(wildcard), shorten(hosts_zone), shorten(zone), if hosts_zone == zone { format!("give those hosts a zone of their own declared after `{}`", shorten(zone)) } else { format!("declare zone `{}` after zone `{}`", shorten(hosts_zone), shorten(zone)) }),
            WildcardHostsOverNamed { named, zone: None, wildcard, hosts_zone, .. } => format!("Shorewall dispatches `{0}`'s packets that no hosts entry on it claims through `{1}`'s (`-i {1}` matches {0}), where the hosts of `{2}` claim those from and to their networks, which fwgen's nftables drops at the catch-all: give `{0}` a zone declared before `{2}`, or narrow `{1}` so that it does not cover `{0}`", shorten(named), shorten(wildcard), shorten(hosts_zone)),
            BlacklistAfterContinue { parent, .. } => format!("give the pair a policy of its own (ACCEPT, DROP or REJECT), and repeat there the `{}` entries its connections should meet", shorten(parent)),
            ContinueOverWildcard { named, wildcard, .. } => format!("give the pair a policy of its own (ACCEPT, DROP or REJECT), or narrow `{}` so that it does not cover `{}`", shorten(wildcard), shorten(named)),
            WildcardZoneFirst { named, zone, wildcard, wildcard_zone } => format!("fwgen matches a named interface before a wildcard, but Shorewall dispatches by zone in the order of its zones file, so `{}` would take `{}`'s packets there: declare zone `{}` before zone `{}`, or narrow `{}` so that it does not cover `{}`", shorten(wildcard_zone), shorten(named), shorten(zone), shorten(wildcard_zone), shorten(wildcard), shorten(named)),
            BadNetwork { .. } => "write an address (`10.0.0.1`, `2001:db8::1`) or a network (`10.0.0.0/24`)".into(),
            SnatAddressList { .. } => "give one address, or a range the kernel picks from for each connection: `to = \"203.0.113.10-203.0.113.12\"`".into(),
            BadRange { .. } => "a range is `FIRST-LAST`, two addresses of one family, the first not above the last: `192.168.1.10-192.168.1.20`".into(),
            ExclusionOfOtherFamily { .. } => "leave out addresses of the family taken in (`loc:192.168.1.0/24!192.168.1.5`), or take in that family too".into(),
            BadZoneList { .. } => "zone lists: `loc,dmz` (`loc,dmz+` with each zone's traffic to itself), `all+`, `all-` (not $FW), `all!net,dmz`; `any` is `all`".into(),
            BadLogTag { .. } => "a log tag is 1 to 12 letters, digits, `_` or `-`: `log_tag = \"TRAP\"`".into(),
            ZoneMssWithoutRules => "add the rules the zones need (a [[rule]], [[dnat]] or [[redirect]]), or clamp with the interface's `mss` option or the firewall's `clamp_mss`".into(),
            LogTagWithoutLog => "give it a `log` level (`log = \"info\"`): the tag is part of its log prefix".into(),
            AuditedAction { .. } => "remove `audit`: it stands for Shorewall's A_ACCEPT, A_DROP and A_REJECT (`SSH(A_ACCEPT)` with a macro), and a policy's `DROP:audit`".into(),
            BadSourceInterface { hint, .. } => (*hint).into(),
            BadDefaultAction { .. } => "default_action = [\"Broadcast(DROP)\", \"Multicast(DROP)\"] (either or both, Shorewall's stock actions), or [] for none; left out: drop_broadcasts decides before DROP and REJECT".into(),
            BadPolicyZones { .. } => "a policy's source and dest (shorewall-policy(5)): a zone, `$FW`, `loc,dmz` (`loc,dmz+` with each zone's traffic to itself), `all`, `all+`, `all!net,dmz`".into(),
            BadLimit { key, .. } if key.starts_with("rate") => "a rate limit: `rate = \"10/minute\"` (sec, second, min, minute, hour, day), `rate_burst = 5`, `rate_per = \"source\"` or `\"dest\"`, `rate_table = \"ssh\"` (with `rate_per`); on a rule, only ACCEPT, LOG or an audited DROP or REJECT (Shorewall refuses RATE with the plain DROP and REJECT); on a policy, any action, no `rate_table`; on a port forward, no `rate_table`, no macro, from one zone without hosts entries and no address list".into(),
            LimitOverRange { .. } => "write the range as the networks it is (each its own bucket in Shorewall too), as one network, or give it a rule without the limit; taken in, a `rate_per` rate without a connection limit keeps one table for the whole range".into(),
            BadLimit { .. } => "a connection limit: `connlimit = 2` (at most 2 connections per source address), on a rule also `connlimit_above = 2` (more than 2), `connlimit_per = \"dest\"`, `connlimit_mask = 24`".into(),
            BadMark { .. } => "a mark test: `mark = \"100\"` (the low 8 bits are 100, Shorewall's default mask 0xff), `mark = \"0x10/0xf0\"` (values and masks 0 to 255), `mark = \"!100\"` (any other mark)".into(),
            DnatExclusion => "write a [[rule]] that drops the left-out addresses above it: rules, port forwards and redirects apply in the file's order".into(),
            WrongFamily { .. } => "set the zone's `family` to \"both\" or use an address of its family".into(),
            UnknownAction { action, allowed } => {
                let actions = allowed.split(" (").next().unwrap_or(allowed).split(", ");
                format!("{}allowed actions: {allowed}", did_you_mean(action, actions))
            }
            UnknownLogLevel { .. } => "log levels: emerg, alert, crit, err, warning, notice, info, debug, or NFLOG(group,range,threshold)".into(),
            RuleSection { .. } => "a rule's `section` is \"all\", \"established\", \"related\", \"invalid\" (the `Invalid` macro's default) or \"new\" (every other rule's default), as Shorewall's rules file's ?SECTION; a rule the section cannot take belongs in \"new\"".into(),
            BadHelper { .. } => "helpers, as Shorewall's HELPER column names them: amanda (udp), ftp (tcp), irc (tcp), netbios-ns (udp), pptp (tcp), Q.931 (tcp), RAS (udp), sane (tcp), sip (udp), snmp (udp), tftp (udp); on an ACCEPT rule of that protocol, with conntrack_helpers = false".into(),
            BadConntrack { .. } => "a `[[conntrack]]` entry is `action = \"notrack\"` with a `source` zone (`\"net\"`, `\"net:198.51.100.0/24\"`, the firewall's own) or, without one, `chain = \"prerouting\"`, `\"output\"` or `\"both\"`; `dest` addresses, `proto`, `dport`, `sport`".into(),
            BadSyn { .. } => "`syn = true` (Shorewall's `tcp:syn`) goes with `proto = \"tcp\"`, no macro and no ACCEPT+ or NONAT: it matches a connection's first TCP segment".into(),
            BadOwner { .. } => "the owner of the firewall's own packets (Shorewall's USER/GROUP): `user = \"proxy\"` or `user = 13` or `user = \"1000-1999\"`, `group` likewise, `owner_negated = true` for neither; on a rule whose source is the firewall".into(),
            BadTime { .. } => "a rule's window of the clock (Shorewall's TIME): `time_start = \"22:00\"`, `time_stop = \"06:00\"` (UTC, inclusive, wrapping past midnight), `date_start = \"2026-12-24\"`, `date_stop = \"2026-12-26T23:59:59\"` (UTC); `weekdays = [\"Sat\", \"Sun\"]` with `time_zone = \"kernel\"` (nftables reads the weekday in the kernel's timezone only)".into(),
            RuleInterface { .. } => "write `ZONE:INTERFACE` with an interface of that zone (`net:eth0`), then addresses if any (`net:eth0:192.0.2.0/24`)".into(),
            SnatNone { .. } => "`to = \"none\"` (Shorewall's CONTINUE) only exempts what the entry matches from the later entries: drop `persistent`, `ports`, `random` and `before_nat`".into(),
            SnatKeep { .. } => "`to = \"keep\"` (Shorewall's `SNAT(:PORTS)`) is an IPv4 `[[snat]]` entry's, with `proto` and `ports` (`ports = \"1024:2000\"`) and no `persistent`, for Shorewall 5's snat file".into(),
            SnatOrder { interface, earlier } => format!("put the entry above those on `{}`, or list `{}` before `{}` in `[interfaces]`: entries on interfaces that share no device may come in any order", quoted(earlier), quoted(earlier), quoted(interface)),
            NatBeforeForwards { wildcard, .. } => format!("name the devices of `{}` by a pattern (`eth+`, `wl+`) instead of `+`: Shorewall then tries the port forwards first, as fwgen does", quoted(wildcard)),
            NatOrder { interface, earlier } => format!("list `{}` before `{}` in `[interfaces]`, so that Shorewall tries its one-to-one NAT first, as nftables does", quoted(interface), quoted(earlier)),
            SnatDetect { .. } => "`detect` is an IPv4 entry's, on an interface with a fixed name: write the address (`to = \"203.0.113.10\"`), or use a `[[masquerade]]`".into(),
            BadIpset { .. } => "an `[[ipset]]` is `name` (a letter, then up to 30 letters, digits or `_`), `family` (\"ipv4\" or \"ipv6\"), `kind` (\"hash:net\", the default, or \"hash:ip\") and `elements` (addresses or networks of its family)".into(),
            IpsetReference { .. } => "write `ZONE:+NAME` or `ZONE:!+NAME` with NAME an `[[ipset]]` of the model, as the whole address list; a zone's hosts: `networks = [\"+NAME\"]`; a source NAT entry's sources: `sources = [\"+NAME\", ...]`, sets alone".into(),
            MacSource { .. } => "a rule's or blacklist entry's `source` may be a zone (not `$FW`), an interface of it if any, and MAC addresses alone: `loc:~00-1a-2b-3c-4d-5e,~00-1a-2b-3c-4d-5f`, `loc:eth1:~00-1a-2b-3c-4d-5e`; the packets then come from one of those senders".into(),
            InterfaceAddress { .. } => "write `ZONE:&IFACE` (`$FW:&eth0`) with IFACE one of the model's `[interfaces]`, or the address itself (`$FW:192.168.1.1`)".into(),
            RefusedLogLevel { .. } => "write NFLOG(group) to send packets to ulogd, or a syslog level (info, notice, ...)".into(),
            NatExemption { .. } => "ACCEPT+ and NONAT exempt what they match from the later [[dnat]] and [[redirect]] entries: write them with `source`, `dest` (a zone and addresses, no interface) and `proto`/`dport`/`sport` alone, in the NEW section (ACCEPT+ accepts too; NONAT leaves the verdict to the later rules and the policy)".into(),
            LogRule { .. } => "a LOG rule is `action = \"LOG\"` with `log = \"LEVEL\"` and the rule's matches (proto, dport, ...); the packet goes on to the next rule".into(),
            UnknownProtocol { .. } => "protocols: tcp, udp, icmp, icmpv6, all, or a number from 1 to 255 (0 is iptables' every protocol: write `all`)".into(),
            PortsNeedProtocol { .. } => "ports need `proto = \"tcp\"` or `proto = \"udp\"` (or a macro that sets one)".into(),
            BadPort { .. } => "a port is a number from 1 to 65535, a range is `LOW:HIGH`".into(),
            IcmpTypeNeedsIcmp { .. } => "set `proto = \"icmp\"` (or \"icmpv6\")".into(),
            IcmpTypeWildcard { .. } => "for every ICMP packet leave `icmp_type` out".into(),
            UnknownIcmpType { .. } => "ICMP types: echo-request, echo-reply, destination-unreachable, time-exceeded, parameter-problem; with a code, as iptables names them: fragmentation-needed, port-unreachable, host-unreachable, ...; or numbers: 8, 3/4".into(),
            UnknownMacro { name } => {
                let macros = crate::model::service::Macro::names();
                format!("{}macros are Shorewall 5.2.8's stock macros by their exact name (/usr/share/shorewall/macro.NAME) and fwgen's own DHCP and Invalid", did_you_mean(name, macros))
            }
            MacroAndProtocol => "a rule's `proto` replaces the macro's protocol on each of its lines (shorewall-rules(5)): give one protocol, or write one rule per protocol".into(),
            BadRejectWith { text, .. } => format!("{}options: {}", did_you_mean(text, crate::model::reject::RejectWith::options()), crate::model::reject::RejectWith::options().collect::<Vec<_>>().join(", ")),
            MacroNotExpressible { .. } => "write the rules the macro stands for with `proto`, `dport` and `sport` (see docs/model.md)".into(),
            UnknownService { .. } => "a port is a number, a range `LOW:HIGH` (open: `LOW:`), or a service name of /etc/services for the rule's protocol".into(),
            MacroNotForAction { .. } => "`Invalid` marks packets in conntrack state INVALID, which fwgen always drops: use it with DROP".into(),
            FreeTextCharacter { .. } => "descriptions and comments are one line of text without quotes, backslashes or control characters".into(),
            FreeTextTooLong { .. } => "nftables keeps at most 128 bytes of a comment".into(),
            BadIdentifier { grammar, .. } => (*grammar).into(),
            FirewallToFirewall => "fwgen accepts all of the firewall's traffic to itself (over `lo`) and has no rules for it (Shorewall's fw-fw chain)".into(),
            FirewallItselfCovered { .. } => "Shorewall filters the firewall's traffic to itself on `lo` by such an entry (its chain fw2fw, OUTPUT -o lo), and fwgen always accepts that traffic: leave the firewall out (`all+!$FW`; in a rule also `all+-`) or name the zones".into(),
            UnknownStoppedPlace { name, known } => format!(
                "{}write an interface of the model ({}), `$FW` for the firewall itself, or `any`; `:ADDRESS,...` narrows it",
                did_you_mean(name, known.iter().map(String::as_str)),
                known.join(", ")
            ),
            StoppedWildcardIpv6 { .. } => "name each interface, or narrow the entry to IPv4 addresses (`:192.0.2.0/24`)".into(),
            StoppedFromFirewall => "while stopped the firewall's own traffic always leaves (Shorewall's ADMINISABSENTMINDED=Yes): remove the entry, or set `[firewall] stopped_output_open = false`".into(),
            DnatToFirewall => "forward to a host in another zone; to reach a service on the firewall, ACCEPT it from the source zone".into(),
            DnatNeedsZone { .. } => "DNAT forwards to one zone: name it, not `all`".into(),
            DnatTargetOutsideZone { zone, .. } => format!("list the target's network in `networks` of an interface of `{zone}`, or forward to the zone that holds it"),
            DnatTargetInOtherZone { holder, .. } => format!("the translated connection is routed to `{holder}` and meets the rules and policy towards `{holder}`, not this forward's accept: set `dest = \"{holder}\"`, or correct the networks"),
            DnatTargetNotHost { .. } => "DNAT forwards to one host: write a single address".into(),
            PortForwardWithoutPort => "a port forward or redirect needs `proto` tcp or udp and the `dport` it listens on, or a stock `macro` that gives them (`macro = \"Web\"`)".into(),
            OneToOneIpv6 => "Shorewall's nat file translates IPv4 addresses only".into(),
            OneToOneUnplaced { .. } => "list the internal address's network in `networks` of an interface of its zone or in one of its zone's `hosts` (with one zone but the external interface's and no networks, that zone is taken)".into(),
            BadShorewallVersion { .. } => "`shorewall.version` is 4 (writes masq) or 5 (writes snat)".into(),
            FamilyConflict { what: "this policy" } => "the entry's `family` is carried by none of the zones on one of its sides: give it their family, or leave `family` out (both)".into(),
            FamilyConflict { what: "this IPv4 source NAT entry" | "this IPv6 source NAT entry" } => "the entry's `family` and this address differ: an entry translates one family; write an address of its family, or leave `family` out".into(),
            FamilyConflict { what: "this source NAT entry on its interface" } => "the interface's zone (or the zones of its hosts) does not carry this family: give the zone `family = \"both\"`, or leave `family` out".into(),
            FamilyConflict { .. } => "its zones, addresses and protocol have no address family in common".into(),
            UnknownTunnelType { .. } => "tunnel types (shorewall-tunnels(5)): ipsec, ipsecnat, ipip, gre, 6to4, 6in4, pptpclient, pptpserver, tinc, openvpn, openvpnclient, openvpnserver, l2tp, generic (WireGuard: `type = \"generic\"`, `proto = \"udp\"`, `port = 51820`)".into(),
            TunnelKey { .. } => "`proto` and `port` go with openvpn, openvpnclient, openvpnserver (tcp or udp) and generic; `ah` with ipsec; `gateway_zones` with ipsec and ipsecnat".into(),
            TunnelZone { .. } => "a tunnel's zone is the zone its gateways are in: name one zone, not `$FW` or `all`".into(),
            MissingPolicy { family: Some(family), .. } => format!("each family's list is judged alone: end {family}'s with a catch-all, source = \"all\", dest = \"all\" and its `family` (or none, for both)"),
            MissingPolicy { .. } => "end the policies with a catch-all: source = \"all\", dest = \"all\", action = \"REJECT\"".into(),
            BadLogPrefix { .. } => "a log prefix is 1 to 9 letters, digits, `_` or `-`".into(),
            BadLogLimit { problem: LogLimitProblem::NamedTable, .. } => "drop the table's name: `s:1/sec:10` limits each source address in a table of fwgen's naming".into(),
            BadLogLimit { .. } => "write Shorewall's LOGLIMIT: `s:1/sec:10` (per source, burst 10), `d:5/min` (per destination, burst 5), `2/hour:4` (one limit for all); or \"none\" to log every packet".into(),
            BadClampMss { .. } => "`clamp_mss` is true (the route's MTU), false, or an MSS of 1 to 65535 bytes".into(),
            BadIpForwarding { .. } => "`ip_forwarding` is \"on\", \"off\" or \"keep\" (leave the kernel's setting as it is)".into(),
            FamilySettingTwice { key, .. } => format!("`{key}` gives both families one value; `{key}_ipv4` and `{key}_ipv6` give each its own, in place of `{key}`: write one way or the other"),
            FamilySettingOfAbsentFamily { ipv6, .. } => format!("the setting would change nothing: add a zone with `family = \"{}\"` or `\"both\"`, or remove the key", family_word(*ipv6)),
            BadBlacklistState { .. } => "`blacklist_states` lists states of new, established, related, invalid, untracked, or is [\"all\"] (Shorewall's BLACKLIST=)".into(),
            BadDisposition { key, text } => format!(
                "`{}` is one of {} (Shorewall's {}){}",
                key.key(),
                key.words(),
                key.setting(),
                key.audited_reject_refusal()
                    .filter(|_| text == "A_REJECT")
                    .map(|why| format!("; {why}"))
                    .unwrap_or_default()
            ),
            TcpFlagsUnseen { .. } => "the packets tcpflags catches are INVALID to conntrack, and fwgen decides INVALID packets before the interface options: set `invalid_disposition = \"CONTINUE\"` (Shorewall's default) or `invalid_log` (then the pair chains decide them, after tcpflags), or leave `tcp_flags_disposition` at \"DROP\" and `invalid_disposition` unaudited (an audit record fwgen would add to, or leave off, what tcpflags catches)".into(),
            FastAcceptConflict { .. } => "with `fast_accept = true` established packets (and related ones, where `related_disposition` is ACCEPT without `related_log`) are accepted before the blacklist and every rule, and Shorewall refuses this (\"not permitted with FASTACCEPT=Yes\"): remove it, or set `fast_accept = false`".into(),
            InvalidRuleRejected => "with `invalid_disposition = \"REJECT\"` invalid packets are rejected before the rules: remove the rule, or set `invalid_disposition = \"CONTINUE\"` (the rule drops them, the rules and policies decide the rest) or \"DROP\", or set `invalid_log` (then the rule runs before the REJECT, as in Shorewall)".into(),
            InvalidInBlacklist => "the blacklist sees the states of `blacklist_states`: drop INVALID packets with a [[rule]] and the `Invalid` macro".into(),
            Internal { .. } => "this is a bug in fwgen; please report it with the model".into(),
            DuplicatePolicy { .. } => "the first matching policy wins and Shorewall refuses a later one for the same pair: move this one above, or remove it".into(),
            RepeatedWildcardPolicy { source, dest, first_line } => format!(
                "the policy at line {first_line} already names `{source}` -> `{dest}`, and Shorewall refuses a second one (\"duplicates earlier policy\"): remove this one or merge the two"
            ),
            BadMaclistDisposition { .. } => "MAC verification takes \"ACCEPT\", \"DROP\" or \"REJECT\" (shorewall-maclist(5), MACLIST_DISPOSITION); the audited forms (A_DROP, A_REJECT) are not in fwgen's model".into(),
            BadMac { .. } => "six hexadecimal bytes separated by `:` or `-` (`02:00:00:00:01:00`), or Shorewall's `~02-00-00-00-01-00`".into(),
            MaclistWithoutOption { interface } => format!("add \"maclist\" to the options of `[interfaces.{interface}]` (Shorewall: \"No hosts on {interface} have the maclist option specified\")"),
            MaclistEmpty => "give the entry a `mac`, `addresses`, or both (Shorewall: \"You must specify a MAC address or an IP address\")".into(),
            MaclistIpv6 { .. } => "MAC verification is modelled for IPv4 alone (Shorewall6 writes other chains for it: link-local and multicast pass): give the interface's zone `family = \"ipv4\"`, move `maclist` to `options_ipv4` to verify its IPv4 alone, or drop the option".into(),
            ShorewallNeedsIpv4 => "Shorewall (IPv4) refuses a configuration without an IPv4 zone; give a zone `family = \"both\"`, or render this model for nftables only".into(),
            InvalidLogged => "remove `log`: INVALID packets are dropped silently by both backends".into(),
            DestTypeLogged { .. } => "remove `log`: fwgen writes Shorewall's Broadcast and Multicast actions unlogged (a logged call is not in its model)".into(),
            Toml { .. } => "docs/model.md lists every key and the type of its value".into(),
            TomlSyntax { .. } => "this is not valid TOML: strings go in double quotes, one `key = value` per line, each key once per table (https://toml.io)".into(),
            UnknownKey { key, expected, .. } => match nearest(key, expected.iter().map(String::as_str)) {
                Some(near) => format!("did you mean `{near}`?"),
                None => "docs/model.md lists every key of each table".into(),
            },
        };
        Some(hint)
    }

    /// The error as the user sees it: message, location, snippet, caret,
    /// secondary labels, hint.
    pub fn render(&self, source: Option<&Source>) -> String {
        let message = self.kind.to_string();
        let hint = self.hint();
        let labels = source.map_or_else(Vec::new, |source| self.labels(source));
        Diagnostic {
            level: "error",
            message: &message,
            span: self.span.as_ref(),
            labels: &labels,
            hint: hint.as_deref(),
        }
        .render(source)
    }

    /// Other places the error is about: where a duplicate was first
    /// declared.
    fn labels(&self, source: &Source) -> Vec<(Range<usize>, &'static str)> {
        use ErrorKind::*;
        match &*self.kind {
            DuplicateInterface { first, .. } => vec![(first.clone(), "first declared here")],
            InterfaceChainClash { first, .. } => vec![(first.clone(), "the other interface")],
            InterfaceNameIsDevice { first, .. } => vec![(first.clone(), "that interface's device")],
            DuplicatePolicy { first_line } | RepeatedWildcardPolicy { first_line, .. } => source
                .line_span(*first_line)
                .map(|span| vec![(span, "the earlier policy")])
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}

impl Error {
    /// A parse error of the model told apart: the text is not TOML at all
    /// (a syntax error), a table has a key it does not know, or a value
    /// has the wrong type. Called only when parsing failed.
    pub fn toml(span: Option<Range<usize>>, message: String, text: &str) -> Error {
        if toml::from_str::<toml::Table>(text).is_err() {
            return Error::new(span, ErrorKind::TomlSyntax { message });
        }
        let Some(rest) = message.strip_prefix("unknown field `") else {
            return Error::new(span, ErrorKind::Toml { message });
        };
        let key = rest.split('`').next().unwrap_or_default().to_owned();
        let expected = rest
            .split_once("expected")
            .map(|(_, names)| {
                names
                    .split('`')
                    .skip(1)
                    .step_by(2)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Error::new(
            span,
            ErrorKind::UnknownKey {
                message,
                key,
                expected,
            },
        )
    }

    /// The error as one JSON object (docs/json.md).
    pub fn json(&self, source: Option<&Source>) -> serde_json::Value {
        let location = self
            .span
            .as_ref()
            .zip(source)
            .map(|(s, src)| src.location(s.start));
        serde_json::json!({
            "level": "error",
            "code": self.kind.code(),
            "message": self.kind.to_string(),
            "file": source.map(Source::display_name),
            "line": location.map(|l| l.line),
            "column": location.map(|l| l.column),
            "hint": self.hint(),
        })
    }
}

/// Advice for a tool (nft, unshare, Shorewall) that failed for lack of
/// privilege, judged by what it printed; `is_root` says whether fwgen runs
/// as root, where the missing piece is a capability instead.
pub fn privilege_hint(output: &str, is_root: bool) -> Option<&'static str> {
    let denied = [
        "Operation not permitted",
        "Ordinary users may not",
        "must be root",
    ];
    if !denied.iter().any(|d| output.contains(d)) {
        return None;
    }
    Some(if is_root {
        "the kernel refused root: fwgen needs CAP_NET_ADMIN (and CAP_SYS_ADMIN for `unshare`), which a container may withhold"
    } else {
        "run as root (e.g. `sudo fwgen ...`): loading or checking rules needs CAP_NET_ADMIN"
    })
}

/// The interface options the analyzer knows, as the hint lists them.
const INTERFACE_OPTIONS: &str = "dhcp, routeback, bridge, tcpflags, nosmurfs, routefilter[=0|1|2], rpfilter, logmartians[=0|1], sourceroute[=0|1], arp_filter, proxyarp[=0|1], forward[=0|1], optional, mss=N, maclist";

/// The candidate nearest to a misspelt name, when one is near enough to be
/// what was meant: the same but for case, or a few edits away (one edit
/// per three characters).
fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let name = name.to_lowercase();
    let allowed = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&name, &c.to_lowercase()), c))
        .filter(|(distance, _)| *distance <= allowed)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// "did you mean `x`? " before a hint's list, or nothing.
/// How Shorewall's limit on zone names comes out of `log_prefix`, and
/// which prefix, if any, leaves room for `name`.
fn zone_name_too_long_hint(name: &str, log_prefix: &str) -> String {
    use crate::analyze::{filled_logformat, logformat, max_zone_name};
    let filled = filled_logformat(log_prefix);
    let shorter = (1..=9)
        .rev()
        .find(|&length| max_zone_name(&"x".repeat(length)) >= name.len());
    let remedy = match shorter {
        Some(1) => format!(
            "a 1-character `[firewall] log_prefix` leaves room for {}",
            name.len()
        ),
        Some(length) => format!(
            "a `[firewall] log_prefix` of at most {length} characters leaves room for {}",
            name.len()
        ),
        None => format!(
            "no `[firewall] log_prefix` leaves room for more than {}",
            max_zone_name("x")
        ),
    };
    format!(
        "Shorewall's Config.pm fills the LOGFORMAT fwgen writes, \"{}\", as `{filled}` ({} characters) and allows 5 + (29 - {}) / 2 = {} (rounded down); {remedy}",
        logformat(log_prefix),
        filled.len(),
        filled.len(),
        max_zone_name(log_prefix)
    )
}

fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    nearest(name, candidates).map_or_else(String::new, |near| {
        format!("did you mean `{}`? ", quoted(near))
    })
}

/// One diagnostic (`error`, `warning` or `notice`): the message, then
/// `--> file:line:col`, the line with a caret under the span, and a hint.
pub fn render_diagnostic(
    level: &str,
    message: &str,
    span: Option<&Range<usize>>,
    source: Option<&Source>,
    hint: Option<&str>,
) -> String {
    Diagnostic {
        level,
        message,
        span,
        labels: &[],
        hint,
    }
    .render(source)
}

/// What a diagnostic shows, rendered by annotate-snippets as rustc
/// renders its own.
struct Diagnostic<'a> {
    level: &'a str,
    message: &'a str,
    span: Option<&'a Range<usize>>,
    /// Secondary spans with their label ("first declared here").
    labels: &'a [(Range<usize>, &'static str)],
    hint: Option<&'a str>,
}

impl Diagnostic<'_> {
    fn render(&self, source: Option<&Source>) -> String {
        use annotate_snippets::{Group, Level, Renderer};
        let level = match self.level {
            "error" => Level::ERROR,
            "warning" => Level::WARNING,
            name => Level::NOTE.with_name(Some(name)),
        };
        let message = visible(self.message);
        let mut group = Group::with_title(level.primary_title(message.as_str()));
        let name = source.map(Source::display_name);
        let shown = source
            .zip(self.span)
            .map(|(source, span)| Shown::new(source, span, self.labels));
        match (&shown, &name) {
            (Some(shown), Some(name)) => group = group.element(shown.snippet(name)),
            (None, Some(name)) => {
                group = group.element(annotate_snippets::Origin::path(name.as_str()));
            }
            _ => {}
        }
        let hint = self.hint.map(visible);
        if let Some(hint) = &hint {
            group = group.element(Level::HELP.with_name(Some("hint")).message(hint.as_str()));
        }
        let mut out = Renderer::plain().render(&[group]);
        out.push('\n');
        out
    }
}

/// The lines of the model a diagnostic shows, from the first annotated line
/// to the last, with each span relative to them and cut at its line's end
/// (the first line of a span is where it points).
struct Shown {
    text: String,
    first_line: usize,
    primary: Range<usize>,
    labels: Vec<(Range<usize>, &'static str)>,
}

impl Shown {
    fn new(
        source: &Source,
        primary: &Range<usize>,
        labels: &[(Range<usize>, &'static str)],
    ) -> Shown {
        let text = &source.text;
        let starts = std::iter::once(primary.start).chain(labels.iter().map(|(s, _)| s.start));
        let first = starts.clone().min().unwrap_or(0).min(text.len());
        let last = starts.max().unwrap_or(0).min(text.len());
        let from = source.line_start(first);
        let to = source.line_end(last);
        let window = &text[from..to];
        let relative = |span: &Range<usize>| {
            let floor = |at: usize| crate::source::floor_char_boundary(text, at);
            let start = floor(span.start.clamp(from, to));
            let end = floor(span.end.clamp(start, source.line_end(start)));
            // C1 controls are shown as U+FFFD, one byte longer each.
            let shift = |at: usize| at - from + c1_before(&text[from..at]);
            shift(start)..shift(end)
        };
        Shown {
            text: without_c1(window),
            first_line: source.location(from).line,
            primary: relative(primary),
            labels: labels
                .iter()
                .map(|(span, label)| (relative(span), *label))
                .collect(),
        }
    }
}

impl Shown {
    /// The lines with a caret under the primary span and each label under
    /// its own.
    fn snippet<'a>(
        &'a self,
        name: &'a str,
    ) -> annotate_snippets::Snippet<'a, annotate_snippets::Annotation<'a>> {
        use annotate_snippets::{AnnotationKind, Snippet};
        let primary = AnnotationKind::Primary.span(self.primary.clone());
        let labels = self
            .labels
            .iter()
            .map(|(span, label)| AnnotationKind::Context.span(span.clone()).label(*label));
        Snippet::source(self.text.as_str())
            .line_start(self.first_line)
            .path(name)
            .fold(true)
            .annotation(primary)
            .annotations(labels)
    }
}

/// C1 control characters (U+0080 to U+009F, which some terminals obey):
/// annotate-snippets shows C0 controls as symbols, these fwgen replaces.
fn is_c1(c: char) -> bool {
    ('\u{80}'..='\u{9f}').contains(&c)
}

fn c1_before(text: &str) -> usize {
    text.chars().filter(|c| is_c1(*c)).count()
}

fn without_c1(text: &str) -> String {
    text.chars()
        .map(|c| if is_c1(c) { '\u{fffd}' } else { c })
        .collect()
}

/// Says how many characters of the user's text are not shown (nothing
/// when none are cut).
fn cut_marker(cut: usize) -> String {
    if cut == 0 {
        return String::new();
    }
    format!("[... {cut} characters cut ...]")
}

/// User text quoted in a message: at most [`MAX_SHOWN`] characters, the
/// middle cut out with a marker.
fn shorten(text: &str) -> Cow<'_, str> {
    shorten_to(text, MAX_SHOWN)
}

fn shorten_to(text: &str, max: usize) -> Cow<'_, str> {
    let count = text.chars().count();
    if count <= max {
        return Cow::Borrowed(text);
    }
    let keep = max / 2;
    let head: String = text.chars().take(keep).collect();
    let tail: String = text.chars().skip(count - keep).collect();
    Cow::Owned(format!("{head}{}{tail}", cut_marker(count - 2 * keep)))
}

/// User text shown escaped (control characters, quotes) and shortened to
/// about 160 characters, for every message that quotes it.
pub fn quoted(text: &str) -> String {
    shorten(&text.escape_debug().to_string()).into_owned()
}

/// TOML's message quotes the user's text (keys, values) in backticks or
/// double quotes: each quoted part is shortened, then the whole message.
fn shorten_message(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(open) = rest.find(['`', '"']) {
        let delimiter = &rest[open..open + 1];
        let Some(close) = rest[open + 1..].find(delimiter) else {
            break;
        };
        let inner = &rest[open + 1..open + 1 + close];
        out.push_str(&rest[..=open]);
        out.push_str(&shorten(inner));
        out.push_str(delimiter);
        rest = &rest[open + 2 + close..];
    }
    out.push_str(rest);
    shorten_to(&out, 2 * MAX_SHOWN).into_owned()
}

/// Control characters shown as escapes, so a snippet never breaks the terminal.
/// Written into one string, no list per character: `fwgen check` shows
/// tens of thousands of findings on a large model.
fn visible(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    for c in text.chars() {
        if c != '\t' && c.is_control() {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    shown
}

impl ErrorKind {
    /// A stable name for scripts (docs/json.md): the variant's name in
    /// kebab case (`Toml` is `toml-value`). Never renamed once released.
    pub fn code(&self) -> &'static str {
        use ErrorKind::*;
        match self {
            NoModel { .. } => "no-model",
            Read { .. } => "read",
            NotUtf8 => "not-utf8",
            Toml { .. } => "toml-value",
            TomlSyntax { .. } => "toml-syntax",
            UnknownKey { .. } => "unknown-key",
            EmptyModel => "empty-model",
            UnknownZone { .. } => "unknown-zone",
            UnknownInterface { .. } => "unknown-interface",
            ZoneNameSyntax { .. } => "zone-name-syntax",
            ZoneNameTooLong { .. } => "zone-name-too-long",
            ReservedZoneName { .. } => "reserved-zone-name",
            ZoneChainTaken { .. } => "zone-chain-taken",
            ZoneIsFirewall { .. } => "zone-is-firewall",
            InterfaceNameSyntax { .. } => "interface-name-syntax",
            DuplicateInterface { .. } => "duplicate-interface",
            InterfaceChainClash { .. } => "interface-chain-clash",
            InterfaceNameIsDevice { .. } => "interface-name-is-device",
            InterfaceInFirewallZone { .. } => "interface-in-firewall-zone",
            UnknownInterfaceOption { .. } => "unknown-interface-option",
            RefusedInterfaceOption { .. } => "refused-interface-option",
            HostsOnOwnInterface { .. } => "hosts-on-own-interface",
            ParentNotBefore { .. } => "parent-not-before",
            DuplicateParent { .. } => "duplicate-parent",
            EmptyParents { .. } => "empty-parents",
            NestedFamily { .. } => "nested-family",
            HostsAfterOwner { .. } => "hosts-after-owner",
            HostsOtherFamily { .. } => "hosts-other-family",
            HostsTakeInterface { .. } => "hosts-take-interface",
            EmptyHosts { .. } => "empty-hosts",
            HostsEveryAddressBeside { .. } => "hosts-every-address-beside",
            HostsExcept { .. } => "hosts-except",
            SnatExcept { .. } => "snat-except",
            BadInterfaceOptionValue { .. } => "bad-interface-option-value",
            ConflictingOptions { .. } => "conflicting-options",
            FamilyInterfaceOption { .. } => "family-interface-option",
            FamilyOptionOfAbsentFamily { .. } => "family-option-of-absent-family",
            FamilyOptionTwice { .. } => "family-option-twice",
            WildcardOption { .. } => "wildcard-option",
            WildcardZoneFirst { .. } => "wildcard-zone-first",
            WildcardOverZoneless { .. } => "wildcard-over-zoneless",
            WildcardOverOtherFamily { .. } => "wildcard-over-other-family",
            WildcardHostsOverNamed { .. } => "wildcard-hosts-over-named",
            BlacklistAfterContinue { .. } => "blacklist-after-continue",
            ContinueOverWildcard { .. } => "continue-over-wildcard",
            BadNetwork { .. } => "bad-network",
            BadRange { .. } => "bad-range",
            SnatAddressList { .. } => "snat-address-list",
            ExclusionOfOtherFamily { .. } => "exclusion-of-other-family",
            DnatExclusion => "dnat-exclusion",
            BadMark { .. } => "bad-mark",
            BadLogTag { .. } => "bad-log-tag",
            ZoneMssWithoutRules => "zone-mss-without-rules",
            LogTagWithoutLog => "log-tag-without-log",
            AuditedAction { .. } => "audited-action",
            BadLimit { .. } => "bad-limit",
            LimitOverRange { .. } => "limit-over-range",
            BadSourceInterface { .. } => "bad-source-interface",
            BadPolicyZones { .. } => "bad-policy-zones",
            BadDefaultAction { .. } => "bad-default-action",
            BadZoneList { .. } => "bad-zone-list",
            WrongFamily { .. } => "wrong-family",
            UnknownAction { .. } => "unknown-action",
            UnknownLogLevel { .. } => "unknown-log-level",
            RefusedLogLevel { .. } => "refused-log-level",
            InterfaceAddress { .. } => "interface-address",
            MacSource { .. } => "mac-source",
            SnatDetect { .. } => "snat-detect",
            SnatNone { .. } => "snat-none",
            SnatKeep { .. } => "snat-keep",
            SnatOrder { .. } => "snat-order",
            NatOrder { .. } => "nat-order",
            NatBeforeForwards { .. } => "nat-before-forwards",
            BadIpset { .. } => "bad-ipset",
            IpsetReference { .. } => "ipset-reference",
            BadHelper { .. } => "bad-helper",
            BadConntrack { .. } => "bad-conntrack",
            BadSyn { .. } => "bad-syn",
            BadOwner { .. } => "bad-owner",
            BadTime { .. } => "bad-time",
            RuleSection { .. } => "rule-section",
            RuleInterface { .. } => "rule-interface",
            LogRule { .. } => "log-rule",
            NatExemption { .. } => "nat-exemption",
            UnknownProtocol { .. } => "unknown-protocol",
            PortsNeedProtocol { .. } => "ports-need-protocol",
            BadPort { .. } => "bad-port",
            IcmpTypeNeedsIcmp { .. } => "icmp-type-needs-icmp",
            IcmpTypeWildcard { .. } => "icmp-type-wildcard",
            UnknownIcmpType { .. } => "unknown-icmp-type",
            UnknownMacro { .. } => "unknown-macro",
            MacroAndProtocol => "macro-and-protocol",
            MacroNotExpressible { .. } => "macro-not-expressible",
            BadRejectWith { .. } => "bad-reject-with",
            UnknownService { .. } => "unknown-service",
            MacroNotForAction { .. } => "macro-not-for-action",
            FreeTextCharacter { .. } => "free-text-character",
            FreeTextTooLong { .. } => "free-text-too-long",
            BadIdentifier { .. } => "bad-identifier",
            FirewallToFirewall => "firewall-to-firewall",
            FirewallItselfCovered { .. } => "firewall-itself-covered",
            UnknownStoppedPlace { .. } => "unknown-stopped-place",
            StoppedFromFirewall => "stopped-from-firewall",
            StoppedWildcardIpv6 { .. } => "stopped-wildcard-ipv6",
            DnatToFirewall => "dnat-to-firewall",
            DnatNeedsZone { .. } => "dnat-needs-zone",
            DnatTargetOutsideZone { .. } => "dnat-target-outside-zone",
            DnatTargetInOtherZone { .. } => "dnat-target-in-other-zone",
            DnatTargetNotHost { .. } => "dnat-target-not-host",
            PortForwardWithoutPort => "port-forward-without-port",
            OneToOneIpv6 => "one-to-one-ipv6",
            OneToOneUnplaced { .. } => "one-to-one-unplaced",
            BadShorewallVersion { .. } => "bad-shorewall-version",
            FamilyConflict { .. } => "family-conflict",
            UnknownTunnelType { .. } => "unknown-tunnel-type",
            TunnelKey { .. } => "tunnel-key",
            TunnelZone { .. } => "tunnel-zone",
            MissingPolicy { .. } => "missing-policy",
            BadLogPrefix { .. } => "bad-log-prefix",
            BadLogLimit { .. } => "bad-log-limit",
            BadClampMss { .. } => "bad-clamp-mss",
            BadIpForwarding { .. } => "bad-ip-forwarding",
            FamilySettingTwice { .. } => "family-setting-twice",
            FamilySettingOfAbsentFamily { .. } => "family-setting-of-absent-family",
            BadBlacklistState { .. } => "bad-blacklist-state",
            BadDisposition { .. } => "bad-disposition",
            TcpFlagsUnseen { .. } => "tcp-flags-unseen",
            InvalidRuleRejected => "invalid-rule-rejected",
            FastAcceptConflict { .. } => "fast-accept-conflict",
            InvalidInBlacklist => "invalid-in-blacklist",
            Internal { .. } => "internal",
            InvalidLogged => "invalid-logged",
            DestTypeLogged { .. } => "dest-type-logged",
            DuplicatePolicy { .. } => "duplicate-policy",
            RepeatedWildcardPolicy { .. } => "repeated-wildcard-policy",
            ShorewallNeedsIpv4 => "shorewall-needs-ipv4",
            BadMaclistDisposition { .. } => "bad-maclist-disposition",
            BadMac { .. } => "bad-mac",
            MaclistWithoutOption { .. } => "maclist-without-option",
            MaclistEmpty => "maclist-empty",
            MaclistIpv6 { .. } => "maclist-ipv6",
        }
    }
}

impl Display for ErrorKind {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        use ErrorKind::*;
        match self {
            NoModel { looked } => write!(f, "no model found: looked for {}", looked.join(" and ")),
            Read { message } => write!(f, "cannot read the model: {message}"),
            NotUtf8 => write!(f, "the model is not valid UTF-8"),
            Toml { message } | TomlSyntax { message } | UnknownKey { message, .. } => {
                write!(f, "{}", shorten_message(message))
            }
            EmptyModel => write!(f, "the model declares no zone"),
            UnknownZone { name, .. } => write!(f, "unknown zone `{}`", shorten(name)),
            UnknownInterface { name, .. } => write!(f, "unknown interface `{}`", shorten(name)),
            ZoneNameSyntax { name } => {
                write!(f, "`{}` is not a valid zone name", quoted(name))
            }
            ZoneNameTooLong { name, log_prefix } => {
                write!(
                    f,
                    "zone name `{}` is longer than {} characters",
                    shorten(name),
                    crate::analyze::max_zone_name(log_prefix)
                )
            }
            ReservedZoneName { name } => {
                write!(f, "`{}` is reserved and cannot name a zone", shorten(name))
            }
            ZoneChainTaken { chain } => write!(
                f,
                "the zones' chain `{}` is the name of one of fwgen's own chains",
                shorten(chain)
            ),
            ZoneIsFirewall { name } => {
                write!(
                    f,
                    "zone `{}` has the name of the firewall's own zone",
                    shorten(name)
                )
            }
            InterfaceNameSyntax { name, reason } => write!(
                f,
                "`{}` is not a valid interface name: {reason}",
                quoted(name)
            ),
            InterfaceChainClash { name, other, .. } => write!(
                f,
                "interfaces `{}` and `{}` would have the same chains (`in-{}`)",
                shorten(other),
                shorten(name),
                crate::ruleset::lower::interface_chain_suffix(name)
            ),
            DuplicateInterface { name, .. } => {
                write!(f, "interface `{}` is declared twice", shorten(name))
            }
            InterfaceNameIsDevice { name, other, .. } => write!(
                f,
                "interface `{}` is named as the device of interface `{}`",
                shorten(name),
                shorten(other)
            ),
            InterfaceInFirewallZone { name } => {
                write!(
                    f,
                    "interface `{}` cannot belong to the firewall zone",
                    shorten(name)
                )
            }
            UnknownInterfaceOption { name } => {
                write!(f, "unknown interface option `{}`", quoted(name))
            }
            NestedFamily {
                zone,
                parent,
                family,
            } => write!(
                f,
                "zone `{}` ({family}) is nested in `{}`, which does not hold that family",
                shorten(zone),
                shorten(parent)
            ),
            DuplicateParent { zone, parent } => write!(
                f,
                "zone `{}` names its parent `{}` twice",
                shorten(zone),
                shorten(parent)
            ),
            EmptyParents { zone } => {
                write!(f, "zone `{}` has an empty list of parents", shorten(zone))
            }
            ParentNotBefore { zone, parent } if zone == parent => {
                write!(f, "zone `{}` is nested in itself", shorten(zone))
            }
            ParentNotBefore { zone, parent } => write!(
                f,
                "zone `{}` is nested in `{}`, declared after it",
                shorten(zone),
                shorten(parent)
            ),
            HostsOnOwnInterface { zone, interface } => write!(
                f,
                "hosts of zone `{}` on `{}`, an interface of the zone itself",
                shorten(zone),
                shorten(interface)
            ),
            HostsTakeInterface {
                zone,
                interface,
                options,
                network,
            } => write!(
                f,
                "{} of interface `{}` would have no effect once zone `{}`'s hosts entry `{}` takes the whole interface",
                options,
                shorten(interface),
                shorten(zone),
                network
            ),
            HostsAfterOwner {
                zone,
                interface,
                owner,
            } => write!(
                f,
                "hosts of zone `{}` on `{}` are taken by zone `{}`, declared before it",
                shorten(zone),
                shorten(interface),
                shorten(owner)
            ),
            HostsOtherFamily {
                zone,
                interface,
                owner,
                family,
            } => write!(
                f,
                "hosts of zone `{}` on `{}`, an interface of zone `{}`, which has no {family}",
                shorten(zone),
                shorten(interface),
                shorten(owner)
            ),
            EmptyHosts { zone } => write!(f, "hosts of zone `{}` without networks", shorten(zone)),
            HostsEveryAddressBeside {
                zone,
                interface,
                network,
            } => write!(
                f,
                "hosts of zone `{}` on `{}` list every address (`{}`) beside other networks",
                shorten(zone),
                shorten(interface),
                network
            ),
            SnatExcept { text, reason } => {
                write!(f, "source NAT `except` item `{}` {reason}", quoted(text))
            }
            HostsExcept { zone, text, reason } => write!(
                f,
                "hosts of zone `{}`: `except` item `{}` {reason}",
                shorten(zone),
                quoted(text)
            ),
            RefusedInterfaceOption { option, .. } => write!(
                f,
                "Shorewall's interface option `{}` is not an option of fwgen's model",
                quoted(option)
            ),
            FamilyInterfaceOption { option, family, .. } => write!(
                f,
                "option `{}` cannot be given for {family} alone",
                quoted(option)
            ),
            FamilyOptionTwice { option, first } => {
                write!(f, "option `{}` is in `{first}` already", quoted(option))
            }
            FamilyOptionOfAbsentFamily {
                option,
                interface,
                ipv6,
                ..
            } => write!(
                f,
                "`{}` in `{}` of interface `{}`, which carries no {}",
                quoted(option),
                if *ipv6 {
                    "options_ipv6"
                } else {
                    "options_ipv4"
                },
                shorten(interface),
                if *ipv6 { "IPv6" } else { "IPv4" }
            ),
            BadInterfaceOptionValue { option, value, .. } if value.is_empty() => {
                write!(f, "option `{}` needs a value", shorten(option))
            }
            BadInterfaceOptionValue { option, value, .. } => write!(
                f,
                "option `{}` does not take the value `{}`",
                shorten(option),
                quoted(value)
            ),
            WildcardOption {
                option, physical, ..
            } => write!(
                f,
                "option `{}` on the wildcard interface name `{}`",
                shorten(option),
                shorten(physical)
            ),
            WildcardZoneFirst {
                named,
                zone,
                wildcard,
                wildcard_zone,
            } => write!(
                f,
                "interface `{}` of zone `{}` is covered by the wildcard `{}` of zone `{}`, declared before it",
                shorten(named),
                shorten(zone),
                shorten(wildcard),
                shorten(wildcard_zone)
            ),
            WildcardOverZoneless {
                named,
                wildcard,
                wildcard_zone,
            } => write!(
                f,
                "interface `{}` of no zone is covered by the wildcard `{}` of zone `{}`",
                shorten(named),
                shorten(wildcard),
                shorten(wildcard_zone)
            ),
            WildcardOverOtherFamily {
                named,
                zone,
                wildcard,
                wildcard_zone,
                family,
            } => write!(
                f,
                "interface `{}` of zone `{}` (no {4}) is covered by the wildcard `{}` of zone `{}` ({4})",
                shorten(named),
                shorten(zone),
                shorten(wildcard),
                shorten(wildcard_zone),
                family
            ),
            BlacklistAfterContinue {
                source,
                dest,
                parent,
            } => write!(
                f,
                "CONTINUE from `{}` to `{}` is refused: the `{}` pair its packets may go on to (a parent zone's, or a zone's on an interface it shares) has blacklist entries, which Shorewall runs after `{}`'s rules (they head that pair's chain) and fwgen's blacklist runs before every pair's rules",
                shorten(source),
                shorten(dest),
                shorten(parent),
                shorten(source),
            ),
            ContinueOverWildcard {
                source,
                dest,
                zone,
                named,
                wildcard,
            } => write!(
                f,
                "CONTINUE from `{}` to `{}` is refused: zone `{}` is on `{}`, which the wildcard `{}` covers; where `{}`'s chain returns, Shorewall goes on to the entries by `{}` (`-i`/`-o {}` matches {}), which fwgen's nftables leaves `{}`'s packets out of",
                shorten(source),
                shorten(dest),
                shorten(zone),
                shorten(named),
                shorten(wildcard),
                shorten(&format!("{source}-{dest}")),
                shorten(wildcard),
                shorten(wildcard),
                shorten(named),
                shorten(named),
            ),
            WildcardHostsOverNamed {
                named,
                zone,
                wildcard,
                hosts_zone,
                ..
            } => write!(
                f,
                "interface `{}` of {} is covered by the wildcard `{}`, on which zone `{}` has hosts",
                shorten(named),
                zone.as_deref().map_or_else(
                    || "no zone".to_owned(),
                    |z| format!("zone `{}`", shorten(z))
                ),
                shorten(wildcard),
                shorten(hosts_zone)
            ),
            ConflictingOptions { first, second, .. } => {
                write!(
                    f,
                    "options `{}` and `{}` conflict",
                    shorten(first),
                    shorten(second)
                )
            }
            BadRange { text, reason } => {
                write!(
                    f,
                    "`{}` is not a valid address range: {reason}",
                    quoted(text)
                )
            }
            SnatAddressList { text } => write!(
                f,
                "`{}` lists several addresses: an SNAT translates to one address or one range (Shorewall 5.2 refuses a list too: \"Only one SNAT address may be specified\")",
                quoted(text)
            ),
            ExclusionOfOtherFamily { address } => write!(
                f,
                "`{}` leaves out an address of a family no address before the `!` takes in",
                quoted(address)
            ),
            BadZoneList { text } => write!(f, "`{}` is not a zone list", quoted(text)),
            BadLogTag { tag } => write!(f, "`{}` is not a valid log tag", quoted(tag)),
            ZoneMssWithoutRules => write!(
                f,
                "a zone's mss needs a rule in the NEW section: Shorewall clamps at the head of the zone's pair chains and then leaves them without their state rules until a rule is read, so they would drop the replies of the connections they accept"
            ),
            LogTagWithoutLog => write!(f, "a log tag without a log level logs nothing"),
            AuditedAction { what } => write!(
                f,
                "`audit = true` on {what}: fwgen audits an ACCEPT, DROP or REJECT rule (a plain one or a macro's) or policy only"
            ),
            BadPolicyZones { text, reason } => {
                write!(f, "`{}` in a policy: {reason}", quoted(text))
            }
            BadDefaultAction { text, reason } => {
                write!(f, "default_action `{}`: {reason}", quoted(text))
            }
            BadSourceInterface { text, reason, .. } => {
                write!(f, "source_interface `{}`: {reason}", quoted(text))
            }
            BadLimit { key, text, reason } => {
                write!(f, "{key} `{}`: {reason}", quoted(text))
            }
            LimitOverRange {
                key,
                range,
                networks,
            } => write!(
                f,
                "address range `{}` beside `{key}`: Shorewall matches a range in one iptables rule (`-m iprange`) with one bucket and one count; fwgen holds it as its {networks} networks, which Shorewall and nftables limit one by one (or, left out alone, after the limit)",
                quoted(range)
            ),
            BadMark { text, reason } => write!(f, "mark `{}`: {reason}", quoted(text)),
            DnatExclusion => write!(
                f,
                "a port forward's or redirect's source cannot leave out addresses (`!`)"
            ),
            BadNetwork { text, reason } => {
                write!(
                    f,
                    "`{}` is not a valid address or network: {reason}",
                    quoted(text)
                )
            }
            WrongFamily {
                address,
                zone,
                family,
            } => write!(
                f,
                "address `{}` does not belong in {family}-only zone `{}`",
                shorten(address),
                shorten(zone)
            ),
            UnknownAction { action, .. } => {
                write!(f, "unknown action `{}`", quoted(action))
            }
            UnknownLogLevel { level } => write!(f, "unknown log level `{}`", quoted(level)),
            RefusedLogLevel { level, reason } => {
                write!(f, "log level `{}`: {reason}", quoted(level))
            }
            LogRule { reason } => write!(f, "a LOG rule {reason}"),
            NatExemption { action, reason } => write!(f, "`{action}` {reason}"),
            BadConntrack { key, text, reason } => {
                write!(f, "`{key} = {}`: {reason}", quoted(text))
            }
            BadHelper { text, reason } => {
                write!(f, "`helper = {}`: {reason}", quoted(text))
            }
            BadSyn { reason } => write!(f, "`syn = true`: {reason}"),
            BadOwner { key, text, reason } => {
                write!(f, "`{key} = {text}`: {reason}")
            }
            BadTime { key, text, reason } => {
                write!(f, "`{key} = {text}`: {reason}")
            }
            RuleSection { section, reason } => {
                write!(f, "`section = {}`: {reason}", quoted(section))
            }
            RuleInterface { interface, reason } => {
                write!(f, "interface `{}` {reason}", quoted(interface))
            }
            SnatNone { reason } => write!(
                f,
                "`none` (no source NAT for what this entry matches) {reason}"
            ),
            SnatKeep { reason } => write!(
                f,
                "`keep` (the source address kept, only the source port changed) {reason}"
            ),
            SnatOrder { interface, earlier } => write!(
                f,
                "this source NAT entry on `{}` follows one on `{}`, whose devices overlap its own; Shorewall tries `{}`'s entries first, as it is listed first in `[interfaces]` (Misc.pm add_interface_jumps jumps to each interface's chain in that order), where nftables follows the entries' order",
                quoted(interface),
                quoted(earlier),
                quoted(interface)
            ),
            NatBeforeForwards {
                interface,
                wildcard,
            } => write!(
                f,
                "this one-to-one NAT on `{}` would come before the port forwards and redirects in Shorewall, which jumps to the interfaces' chains ahead of the first zone it meets on `{}` (physical `+`: Misc.pm generate_matrix), where fwgen puts every port forward before the one-to-one translations",
                quoted(interface),
                quoted(wildcard)
            ),
            NatOrder { interface, earlier } => write!(
                f,
                "this one-to-one NAT on `{}` comes after the source NAT entries on `{}`, whose devices overlap its own, in Shorewall: it jumps to each interface's one-to-one chain and then its SNAT chain, interface by interface in `[interfaces]`' order (Misc.pm add_interface_jumps), where nftables puts every one-to-one translation first",
                quoted(interface),
                quoted(earlier)
            ),
            SnatDetect { reason } => write!(
                f,
                "`detect` (SNAT to the interface's first IPv4 address when the firewall starts) {reason}"
            ),
            BadIpset { name, reason } => write!(f, "ipset `{}`: {reason}", quoted(name)),
            IpsetReference { text, reason } => write!(f, "`{}`: {reason}", quoted(text)),
            MacSource { text, reason } => write!(f, "`{}` {reason}", quoted(text)),
            InterfaceAddress { text, reason } => write!(
                f,
                "`{}` (the interface's first IPv4 address when the firewall starts) {reason}",
                quoted(text)
            ),
            UnknownProtocol { protocol } => {
                write!(f, "unknown protocol `{}`", quoted(protocol))
            }
            PortsNeedProtocol { protocol } => {
                write!(
                    f,
                    "ports need tcp or udp, but the protocol is `{}`",
                    shorten(protocol)
                )
            }
            BadPort { text, reason } => {
                write!(f, "`{}` is not a valid port: {reason}", quoted(text))
            }
            IcmpTypeNeedsIcmp { protocol } => {
                write!(
                    f,
                    "an ICMP type needs icmp or icmpv6, but the protocol is `{}`",
                    shorten(protocol)
                )
            }
            UnknownIcmpType { name } => write!(f, "unknown ICMP type `{}`", quoted(name)),
            IcmpTypeWildcard { name } => write!(
                f,
                "ICMP type `{}`: iptables reads IPv4's type 255 as every ICMP packet (Shorewall's `--icmp-type 255`), nftables as type 255 alone",
                quoted(name)
            ),
            UnknownMacro { name } => write!(f, "unknown macro `{}`", quoted(name)),
            MacroAndProtocol => write!(f, "a rule with a macro gives it one protocol"),
            MacroNotExpressible { name, reason } => write!(
                f,
                "macro `{}` cannot be expressed in fwgen's model: {reason}",
                shorten(name)
            ),
            BadRejectWith { text, reason } => {
                write!(f, "`reject_with = {}`: {reason}", quoted(text))
            }
            UnknownService { name, protocol } => write!(
                f,
                "`{}` is not {} service in /etc/services",
                quoted(name),
                shorten(protocol)
            ),
            MacroNotForAction { name, action } => {
                write!(
                    f,
                    "macro `{}` cannot be used with action {}",
                    shorten(name),
                    shorten(action)
                )
            }
            FreeTextCharacter { field, character } => {
                write!(f, "{field} contains the forbidden character {character:?}")
            }
            FreeTextTooLong { field, max } => write!(f, "{field} is longer than {max} bytes"),
            BadIdentifier { field, text, .. } => {
                write!(f, "`{}` is not a valid {field}", quoted(text))
            }
            FirewallToFirewall => write!(f, "a policy or rule from `$FW` to `$FW` is not allowed"),
            FirewallItselfCovered { text } => write!(
                f,
                "`{}` covers the firewall's traffic to itself, which fwgen always accepts",
                quoted(text)
            ),
            UnknownStoppedPlace { name, .. } => {
                write!(f, "`{}` is not an interface, `$FW` or `any`", shorten(name))
            }
            StoppedWildcardIpv6 { name } => write!(
                f,
                "Shorewall6 does not take the wildcard interface `{}` in stoppedrules",
                shorten(name)
            ),
            StoppedFromFirewall => write!(f, "a [[stopped]] entry from `$FW` has no effect"),
            DnatToFirewall => write!(f, "a port forward cannot target the firewall itself"),
            DnatNeedsZone { zone } => write!(f, "a port forward cannot go to `{}`", shorten(zone)),
            DnatTargetInOtherZone {
                target,
                zone,
                holder,
            } => write!(
                f,
                "port forward target `{}` lies in zone `{}`, not in `{}`",
                shorten(target),
                shorten(holder),
                shorten(zone)
            ),
            DnatTargetOutsideZone { target, zone } => {
                write!(
                    f,
                    "port forward target `{}` is not inside zone `{}`",
                    shorten(target),
                    shorten(zone)
                )
            }
            DnatTargetNotHost { target } => {
                write!(
                    f,
                    "port forward target `{}` is a network, not a host",
                    shorten(target)
                )
            }
            PortForwardWithoutPort => write!(f, "a port forward needs a protocol and a port"),
            OneToOneIpv6 => write!(f, "one-to-one NAT of IPv6 addresses"),
            OneToOneUnplaced { internal } => {
                write!(
                    f,
                    "internal address `{internal}` lies in no zone's networks"
                )
            }
            BadShorewallVersion { version } => {
                write!(f, "unsupported Shorewall version {version}")
            }
            FamilyConflict { what } => write!(f, "{what} matches neither IPv4 nor IPv6 traffic"),
            UnknownTunnelType { kind } => write!(f, "unknown tunnel type `{}`", shorten(kind)),
            TunnelKey { key, kind, why } => write!(f, "`{key}` on a `{kind}` tunnel: {why}"),
            TunnelZone { zone } => write!(f, "a tunnel cannot be in `{}`", shorten(zone)),
            MissingPolicy {
                source,
                dest,
                family,
            } => {
                write!(
                    f,
                    "no policy covers connections from `{}` to `{}`",
                    shorten(source),
                    shorten(dest)
                )?;
                match family {
                    Some(family) => write!(f, " in {family}"),
                    None => Ok(()),
                }
            }
            BadLogPrefix { prefix } => {
                write!(f, "`{}` is not a valid log prefix", quoted(prefix))
            }
            BadLogLimit { text, problem } => {
                write!(
                    f,
                    "`{}` is not a log limit fwgen can express: {problem}",
                    quoted(text)
                )
            }
            BadClampMss { size } => write!(f, "{size} is not an MSS"),
            BadIpForwarding { text } => {
                write!(f, "`{}` is not an IP forwarding setting", quoted(text))
            }
            FamilySettingTwice { key, ipv6 } => {
                write!(f, "`{key}_{}` beside `{key}`", family_word(*ipv6))
            }
            FamilySettingOfAbsentFamily { key, ipv6 } => write!(
                f,
                "`{key}_{}` in a model without {} zones",
                family_word(*ipv6),
                if *ipv6 { "IPv6" } else { "IPv4" }
            ),
            BadBlacklistState { text } => {
                write!(f, "`{}` is not a connection state", quoted(text))
            }
            BadDisposition { key, text } => write!(
                f,
                "`{}` is not a disposition `{}` takes",
                quoted(text),
                key.key()
            ),
            TcpFlagsUnseen {
                key,
                tcp_flags,
                invalid,
            } => write!(
                f,
                "`{key} = \"{tcp_flags}\"` beside `invalid_disposition = \"{invalid}\"` is not modelled"
            ),
            InvalidRuleRejected => write!(
                f,
                "an `Invalid` rule beside `invalid_disposition = \"REJECT\"` is not modelled"
            ),
            FastAcceptConflict { what } => write!(
                f,
                "{what} beside `fast_accept = true`: those packets are accepted before it"
            ),
            InvalidInBlacklist => write!(f, "the `Invalid` macro has no place in the blacklist"),
            Internal { message } => write!(f, "internal error: {message}"),
            InvalidLogged => write!(f, "rules with the `Invalid` macro cannot log"),
            DestTypeLogged { name } => {
                write!(f, "rules with the `{}` macro cannot log", shorten(name))
            }
            ShorewallNeedsIpv4 => write!(f, "the Shorewall backend needs at least one IPv4 zone"),
            BadMaclistDisposition { text } => {
                write!(
                    f,
                    "`{}` is not a MAC verification disposition",
                    quoted(text)
                )
            }
            BadMac { text } => write!(f, "`{}` is not a MAC address", quoted(text)),
            MaclistWithoutOption { interface } => write!(
                f,
                "a `[[maclist]]` entry for `{}`, which has no `maclist` option",
                shorten(interface)
            ),
            MaclistEmpty => write!(
                f,
                "a `[[maclist]]` entry with neither `mac` nor `addresses`"
            ),
            MaclistIpv6 { interface } => write!(
                f,
                "`maclist` on `{}`, which carries IPv6",
                shorten(interface)
            ),
            DuplicatePolicy { first_line } => {
                write!(
                    f,
                    "the policy at line {first_line} already decides this source and dest"
                )
            }
            RepeatedWildcardPolicy { source, dest, .. } => {
                write!(
                    f,
                    "a second policy for `{}` -> `{}`",
                    shorten(source),
                    shorten(dest)
                )
            }
        }
    }
}

/// `ipv6` or `ipv4`, as the model's family keys end.
fn family_word(ipv6: bool) -> &'static str {
    if ipv6 { "ipv6" } else { "ipv4" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_keeps_tabs_and_text_and_escapes_other_controls() {
        assert_eq!(visible("a\tb é"), "a\tb é");
        assert_eq!(visible("x\ny\rz\u{1b}[0m"), "x\\ny\\rz\\u{1b}[0m");
        assert_eq!(visible("\u{85}\u{7f}"), "\\u{85}\\u{7f}");
        assert_eq!(visible(""), "");
    }

    #[test]
    fn near_names_are_suggested_and_far_ones_not() {
        let zones = ["net", "loc", "dmz"];
        assert_eq!(nearest("nett", zones), Some("net"));
        assert_eq!(nearest("NET", zones), Some("net"));
        assert_eq!(nearest("lan", zones), None);
        assert_eq!(
            nearest("ACCPET", ["ACCEPT", "DROP", "REJECT"]),
            Some("ACCEPT")
        );
        assert_eq!(nearest("ab", ["xy"]), None);
    }

    #[test]
    fn privilege_failures_get_the_hint_for_who_runs_fwgen() {
        let denied = "nft: Error: Could not process rule: Operation not permitted";
        assert!(privilege_hint(denied, false).is_some_and(|h| h.starts_with("run as root")));
        assert!(privilege_hint(denied, true).is_some_and(|h| h.contains("CAP_NET_ADMIN")));
        assert_eq!(privilege_hint("nft: syntax error", false), None);
    }

    #[test]
    fn long_values_lose_their_middle() {
        let value = format!("{}{}", "a".repeat(150), "b".repeat(150));
        let shown = shorten(&value);
        assert_eq!(
            shown.chars().count(),
            160 + "[... 140 characters cut ...]".len()
        );
        assert!(shown.starts_with(&"a".repeat(80)) && shown.ends_with(&"b".repeat(80)));
    }
}
