//! Every way a model can be wrong, with the text that explains it.
//!
//! Modelled on casey/just's `CompileError`: the condition is a variant of
//! [`ErrorKind`], all messages live in one `Display` match, and the span says
//! where in the model file the offending text is.

use std::fmt::{self, Display, Formatter};
use std::ops::Range;

use crate::source::Source;

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
    Read {
        message: String,
    },
    NotUtf8,
    Toml {
        message: String,
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
    ZoneNameTooLong {
        name: String,
        max: usize,
    },
    ReservedZoneName {
        name: String,
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
    InterfaceInFirewallZone {
        name: String,
    },
    UnknownInterfaceOption {
        name: String,
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
    BadNetwork {
        text: String,
        reason: String,
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
    UnknownMacro {
        name: String,
    },
    MacroAndProtocol,
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
    DnatToFirewall,
    DnatNeedsZone {
        zone: String,
    },
    DnatTargetOutsideZone {
        target: String,
        zone: String,
    },
    DnatTargetNotHost {
        target: String,
    },
    PortForwardWithoutPort,
    BadShorewallVersion {
        version: i64,
    },
    FamilyConflict {
        what: &'static str,
    },
    MissingPolicy {
        source: String,
        dest: String,
    },
    DnatFromFirewall,
    BadLogPrefix {
        prefix: String,
    },
    Internal {
        message: String,
    },
    InvalidLogged,
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
            Read { .. } => "pass the model with `-c FILE`; the default is ./fwgen.toml".into(),
            NotUtf8 => "save the model as UTF-8".into(),
            EmptyModel => "declare at least one zone and one interface, or start from `examples/lxc-host.toml`".into(),
            UnknownZone { known, .. } if known.is_empty() => {
                "no zone is declared yet: add `[zones.NAME]`; `$FW` is the firewall, `all` every zone".into()
            }
            UnknownZone { known, .. } => {
                format!("known zones: {}, `$FW` (the firewall) and `all`", known.join(", "))
            }
            UnknownInterface { known, .. } => format!("known interfaces: {}", known.join(", ")),
            ZoneNameSyntax { .. } => {
                "a zone name is a letter followed by letters, digits or `_`".into()
            }
            ZoneNameTooLong { max, .. } => format!(
                "Shorewall's log prefixes (`Shorewall:net-fw:DROP:`) leave room for {max} characters"
            ),
            ReservedZoneName { .. } => {
                "`all`, `any`, `none`, `SOURCE` and `DEST` have a meaning of their own in Shorewall"
                    .into()
            }
            ZoneIsFirewall { .. } => {
                "the firewall's own zone is set by `[firewall] zone`; refer to it as `$FW`".into()
            }
            InterfaceNameSyntax { .. } => "use the name `ip link` shows, e.g. `eth0` or `lxcbr0`; set `physical` when Shorewall's logical name differs".into(),
            DuplicateInterface { .. } => "each kernel interface belongs to exactly one zone".into(),
            InterfaceInFirewallZone { .. } => "interfaces connect other zones to the firewall; give this interface a zone of its own".into(),
            UnknownInterfaceOption { .. } => "supported options: dhcp, routeback, bridge, tcpflags, nosmurfs, routefilter[=0|1|2], logmartians[=0|1], sourceroute[=0|1], arp_filter, proxyarp[=0|1]".into(),
            BadInterfaceOptionValue { allowed, .. } => format!("allowed values: {allowed}"),
            ConflictingOptions { reason, .. } => (*reason).into(),
            BadNetwork { .. } => "write an address (`10.0.0.1`, `2001:db8::1`) or a network (`10.0.0.0/24`)".into(),
            WrongFamily { .. } => "set the zone's `family` to \"both\" or use an address of its family".into(),
            UnknownAction { allowed, .. } => format!("allowed actions: {allowed}"),
            UnknownLogLevel { .. } => "log levels: emerg, alert, crit, err, warning, notice, info, debug".into(),
            UnknownProtocol { .. } => "protocols: tcp, udp, icmp, icmpv6, all, or a number from 0 to 255".into(),
            PortsNeedProtocol { .. } => "ports need `proto = \"tcp\"` or `proto = \"udp\"` (or a macro that sets one)".into(),
            BadPort { .. } => "a port is a number from 1 to 65535, a range is `LOW:HIGH`".into(),
            IcmpTypeNeedsIcmp { .. } => "set `proto = \"icmp\"` (or \"icmpv6\")".into(),
            UnknownIcmpType { .. } => "ICMP types: echo-request, echo-reply, destination-unreachable, time-exceeded, parameter-problem, or a number".into(),
            UnknownMacro { .. } => format!("macros: {}", crate::model::service::MACRO_NAMES.join(", ")),
            MacroAndProtocol => "a macro sets protocol and ports itself; remove `proto`, `dport` and `sport` or the macro".into(),
            MacroNotForAction { .. } => "`Invalid` marks packets in conntrack state INVALID, which fwgen always drops: use it with DROP".into(),
            FreeTextCharacter { .. } => "descriptions and comments are one line of text without quotes, backslashes or control characters".into(),
            FreeTextTooLong { .. } => "nftables keeps at most 128 bytes of a comment".into(),
            BadIdentifier { grammar, .. } => (*grammar).into(),
            FirewallToFirewall => "traffic of the firewall to itself travels over `lo` and is always accepted".into(),
            DnatToFirewall => "forward to a host in another zone; to reach a service on the firewall, ACCEPT it from the source zone".into(),
            DnatNeedsZone { .. } => "DNAT forwards to one zone: name it, not `all`".into(),
            DnatTargetOutsideZone { zone, .. } => format!("list the target's network in `networks` of an interface of `{zone}`, or forward to the zone that holds it"),
            DnatTargetNotHost { .. } => "DNAT forwards to one host: write a single address".into(),
            PortForwardWithoutPort => "a port forward needs `proto` tcp or udp and the `dport` it listens on".into(),
            BadShorewallVersion { .. } => "`shorewall.version` is 4 (writes masq) or 5 (writes snat)".into(),
            FamilyConflict { .. } => "its zones, addresses and protocol have no address family in common".into(),
            MissingPolicy { .. } => "end the policies with a catch-all: source = \"all\", dest = \"all\", action = \"REJECT\"".into(),
            DnatFromFirewall => "port forwards apply to connections arriving from a zone".into(),
            BadLogPrefix { .. } => "a log prefix is 1 to 9 letters, digits, `_` or `-`".into(),
            Internal { .. } => "this is a bug in fwgen; please report it with the model".into(),
            DuplicatePolicy { .. } => "the first matching policy wins and Shorewall refuses a later one for the same pair: move this one above, or remove it".into(),
            RepeatedWildcardPolicy { source, dest, first_line } => format!(
                "the policy at line {first_line} already names `{source}` -> `{dest}`, and Shorewall refuses a second one (\"duplicates earlier policy\"): remove this one or merge the two"
            ),
            ShorewallNeedsIpv4 => "Shorewall (IPv4) refuses a configuration without an IPv4 zone; give a zone `family = \"both\"`, or render this model for nftables only".into(),
            InvalidLogged => "remove `log`: INVALID packets are dropped silently by both backends".into(),
            Toml { .. } => "docs/model.md lists every key and the type of its value".into(),
        };
        Some(hint)
    }

    /// The error as the user sees it: message, location, snippet, caret, hint.
    pub fn render(&self, source: Option<&Source>) -> String {
        let message = self.kind.to_string();
        let hint = self.hint();
        render_diagnostic(
            "error",
            &message,
            self.span.as_ref(),
            source,
            hint.as_deref(),
        )
    }
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
    let mut out = format!("{level}: {message}\n");
    let gutter = match source {
        Some(source) => render_location(&mut out, source, span),
        None => String::new(),
    };
    if let Some(hint) = hint {
        out.push_str(&format!("{gutter} = hint: {hint}\n"));
    }
    out
}

/// Writes `--> file:line:col` and the snippet; returns the gutter used.
fn render_location(out: &mut String, source: &Source, span: Option<&Range<usize>>) -> String {
    let name = source.display_name();
    let Some(span) = span else {
        out.push_str(&format!(" --> {name}\n"));
        return String::new();
    };
    let location = source.location(span.start);
    let line = source.line_text(span.start);
    let number = location.line.to_string();
    let gutter = " ".repeat(number.len());
    out.push_str(&format!(
        "{gutter}--> {name}:{}:{}\n",
        location.line, location.column
    ));
    out.push_str(&format!("{gutter} |\n{number} | {}\n", visible(line)));
    let shown = source.slice(span);
    let shown = shown.split('\n').next().unwrap_or("");
    let width = visible(shown).chars().count().max(1);
    let indent: String = visible(line)
        .chars()
        .take(location.column - 1)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    out.push_str(&format!("{gutter} | {indent}{}\n", "^".repeat(width)));
    gutter
}

/// Control characters shown as escapes, so a snippet never breaks the terminal.
fn visible(text: &str) -> String {
    text.chars()
        .flat_map(|c| match c {
            '\t' => vec!['\t'],
            c if c.is_control() => c.escape_default().collect(),
            c => vec![c],
        })
        .collect()
}

impl Display for ErrorKind {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        use ErrorKind::*;
        match self {
            Read { message } => write!(f, "cannot read the model: {message}"),
            NotUtf8 => write!(f, "the model is not valid UTF-8"),
            Toml { message } => write!(f, "{message}"),
            EmptyModel => write!(f, "the model declares no zone"),
            UnknownZone { name, .. } => write!(f, "unknown zone `{name}`"),
            UnknownInterface { name, .. } => write!(f, "unknown interface `{name}`"),
            ZoneNameSyntax { name } => {
                write!(f, "`{}` is not a valid zone name", name.escape_debug())
            }
            ZoneNameTooLong { name, max } => {
                write!(f, "zone name `{name}` is longer than {max} characters")
            }
            ReservedZoneName { name } => write!(f, "`{name}` is reserved and cannot name a zone"),
            ZoneIsFirewall { name } => {
                write!(f, "zone `{name}` has the name of the firewall's own zone")
            }
            InterfaceNameSyntax { name, reason } => write!(
                f,
                "`{}` is not a valid interface name: {reason}",
                name.escape_debug()
            ),
            DuplicateInterface { name, .. } => {
                write!(f, "interface `{name}` is declared twice")
            }
            InterfaceInFirewallZone { name } => {
                write!(f, "interface `{name}` cannot belong to the firewall zone")
            }
            UnknownInterfaceOption { name } => {
                write!(f, "unknown interface option `{}`", name.escape_debug())
            }
            BadInterfaceOptionValue { option, value, .. } => write!(
                f,
                "option `{option}` does not take the value `{}`",
                value.escape_debug()
            ),
            ConflictingOptions { first, second, .. } => {
                write!(f, "options `{first}` and `{second}` conflict")
            }
            BadNetwork { text, reason } => {
                write!(
                    f,
                    "`{}` is not a valid address or network: {reason}",
                    text.escape_debug()
                )
            }
            WrongFamily {
                address,
                zone,
                family,
            } => write!(
                f,
                "address `{address}` does not belong in {family}-only zone `{zone}`"
            ),
            UnknownAction { action, .. } => {
                write!(f, "unknown action `{}`", action.escape_debug())
            }
            UnknownLogLevel { level } => write!(f, "unknown log level `{}`", level.escape_debug()),
            UnknownProtocol { protocol } => {
                write!(f, "unknown protocol `{}`", protocol.escape_debug())
            }
            PortsNeedProtocol { protocol } => {
                write!(f, "ports need tcp or udp, but the protocol is `{protocol}`")
            }
            BadPort { text, reason } => {
                write!(f, "`{}` is not a valid port: {reason}", text.escape_debug())
            }
            IcmpTypeNeedsIcmp { protocol } => {
                write!(
                    f,
                    "an ICMP type needs icmp or icmpv6, but the protocol is `{protocol}`"
                )
            }
            UnknownIcmpType { name } => write!(f, "unknown ICMP type `{}`", name.escape_debug()),
            UnknownMacro { name } => write!(f, "unknown macro `{}`", name.escape_debug()),
            MacroAndProtocol => write!(
                f,
                "a rule cannot have both a macro and its own protocol or ports"
            ),
            MacroNotForAction { name, action } => {
                write!(f, "macro `{name}` cannot be used with action {action}")
            }
            FreeTextCharacter { field, character } => {
                write!(f, "{field} contains the forbidden character {character:?}")
            }
            FreeTextTooLong { field, max } => write!(f, "{field} is longer than {max} bytes"),
            BadIdentifier { field, text, .. } => {
                write!(f, "`{}` is not a valid {field}", text.escape_debug())
            }
            FirewallToFirewall => write!(f, "a policy or rule from `$FW` to `$FW` is not allowed"),
            DnatToFirewall => write!(f, "a port forward cannot target the firewall itself"),
            DnatNeedsZone { zone } => write!(f, "a port forward cannot go to `{zone}`"),
            DnatTargetOutsideZone { target, zone } => {
                write!(
                    f,
                    "port forward target `{target}` is not inside zone `{zone}`"
                )
            }
            DnatTargetNotHost { target } => {
                write!(f, "port forward target `{target}` is a network, not a host")
            }
            PortForwardWithoutPort => write!(f, "a port forward needs a protocol and a port"),
            BadShorewallVersion { version } => {
                write!(f, "unsupported Shorewall version {version}")
            }
            FamilyConflict { what } => write!(f, "{what} matches neither IPv4 nor IPv6 traffic"),
            MissingPolicy { source, dest } => {
                write!(
                    f,
                    "no policy covers connections from `{source}` to `{dest}`"
                )
            }
            DnatFromFirewall => write!(f, "a port forward cannot start at the firewall"),
            BadLogPrefix { prefix } => {
                write!(f, "`{}` is not a valid log prefix", prefix.escape_debug())
            }
            Internal { message } => write!(f, "internal error: {message}"),
            InvalidLogged => write!(f, "rules with the `Invalid` macro cannot log"),
            ShorewallNeedsIpv4 => write!(f, "the Shorewall backend needs at least one IPv4 zone"),
            DuplicatePolicy { first_line } => {
                write!(
                    f,
                    "the policy at line {first_line} already decides this source and dest"
                )
            }
            RepeatedWildcardPolicy { source, dest, .. } => {
                write!(f, "a second policy for `{source}` -> `{dest}`")
            }
        }
    }
}
