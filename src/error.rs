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
const MAX_SHOWN: usize = 200;
/// Characters shown before the offending text when a long line is cut.
const LEAD: usize = 40;

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
            BadLogLimit { problem: LogLimitProblem::NamedTable, .. } => "drop the table's name: `s:1/sec:10` limits each source address in a table of fwgen's naming".into(),
            BadLogLimit { .. } => "write Shorewall's LOGLIMIT: `s:1/sec:10` (per source, burst 10), `d:5/min` (per destination, burst 5), `2/hour:4` (one limit for all); or \"none\" to log every packet".into(),
            BadClampMss { .. } => "`clamp_mss` is true (the route's MTU), false, or an MSS of 1 to 65535 bytes".into(),
            BadIpForwarding { .. } => "`ip_forwarding` is \"on\", \"off\" or \"keep\" (leave the kernel's setting as it is)".into(),
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
    let shown = source.slice(span);
    let shown = shown.split('\n').next().unwrap_or("");
    let snippet = snippet(line, location.column - 1, shown);
    out.push_str(&format!("{gutter} |\n{number} | {}\n", snippet.text));
    out.push_str(&format!(
        "{gutter} | {}{}\n",
        snippet.indent,
        "^".repeat(snippet.width)
    ));
    gutter
}

/// The snippet of a long line: a window of the line, with the caret's
/// indent and width in it.
struct Snippet {
    text: String,
    indent: String,
    width: usize,
}

/// The line holding an error, whole when short. A longer line is cut to a
/// window of about [`MAX_SHOWN`] characters that starts a little before the
/// offending text (`start`, in characters), with a marker at each end
/// saying how much was cut; the caret stays under the offending text.
fn snippet(line: &str, start: usize, shown: &str) -> Snippet {
    let length = line.chars().count();
    let Range {
        start: from,
        end: to,
    } = window(length, start);
    let before = cut_marker(from);
    let after = cut_marker(length - to);
    let window: String = line.chars().skip(from).take(to - from).collect();
    let lead: String = line
        .chars()
        .skip(from)
        .take(start.saturating_sub(from))
        .collect();
    let indent: String = std::iter::repeat_n(' ', before.chars().count())
        .chain(
            visible(&lead)
                .chars()
                .map(|c| if c == '\t' { '\t' } else { ' ' }),
        )
        .collect();
    // The caret stops where the window does; no limit when nothing is cut after.
    let room = if to < length {
        to.saturating_sub(start)
    } else {
        usize::MAX
    };
    let shown: String = shown.chars().take(room).collect();
    Snippet {
        text: format!("{before}{}{after}", visible(&window)),
        indent,
        width: visible(&shown).chars().count().max(1),
    }
}

/// The characters of a line shown: all of a short line; of a long one,
/// [`MAX_SHOWN`] from [`LEAD`] before the offending text on.
fn window(length: usize, start: usize) -> Range<usize> {
    if length <= MAX_SHOWN {
        return 0..length;
    }
    let from = start.saturating_sub(LEAD).min(length - MAX_SHOWN);
    from..from + MAX_SHOWN
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
/// about 200 characters, for every message that quotes it.
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
            Toml { message } => write!(f, "{}", shorten_message(message)),
            EmptyModel => write!(f, "the model declares no zone"),
            UnknownZone { name, .. } => write!(f, "unknown zone `{}`", shorten(name)),
            UnknownInterface { name, .. } => write!(f, "unknown interface `{}`", shorten(name)),
            ZoneNameSyntax { name } => {
                write!(f, "`{}` is not a valid zone name", quoted(name))
            }
            ZoneNameTooLong { name, max } => {
                write!(
                    f,
                    "zone name `{}` is longer than {max} characters",
                    shorten(name)
                )
            }
            ReservedZoneName { name } => {
                write!(f, "`{}` is reserved and cannot name a zone", shorten(name))
            }
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
            DuplicateInterface { name, .. } => {
                write!(f, "interface `{}` is declared twice", shorten(name))
            }
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
            BadInterfaceOptionValue { option, value, .. } => write!(
                f,
                "option `{}` does not take the value `{}`",
                shorten(option),
                quoted(value)
            ),
            ConflictingOptions { first, second, .. } => {
                write!(
                    f,
                    "options `{}` and `{}` conflict",
                    shorten(first),
                    shorten(second)
                )
            }
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
            UnknownMacro { name } => write!(f, "unknown macro `{}`", quoted(name)),
            MacroAndProtocol => write!(
                f,
                "a rule cannot have both a macro and its own protocol or ports"
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
            DnatToFirewall => write!(f, "a port forward cannot target the firewall itself"),
            DnatNeedsZone { zone } => write!(f, "a port forward cannot go to `{}`", shorten(zone)),
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
            BadShorewallVersion { version } => {
                write!(f, "unsupported Shorewall version {version}")
            }
            FamilyConflict { what } => write!(f, "{what} matches neither IPv4 nor IPv6 traffic"),
            MissingPolicy { source, dest } => {
                write!(
                    f,
                    "no policy covers connections from `{}` to `{}`",
                    shorten(source),
                    shorten(dest)
                )
            }
            DnatFromFirewall => write!(f, "a port forward cannot start at the firewall"),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_lines_and_values_are_shown_whole() {
        let snippet = snippet("\tzone = \"lan\"", 8, "\"lan\"");
        assert_eq!(snippet.text, "\tzone = \"lan\"");
        assert_eq!(snippet.indent, "\t       ");
        assert_eq!(snippet.width, 5);
        assert_eq!(shorten("lan"), "lan");
    }

    #[test]
    fn long_lines_keep_the_caret_under_the_offending_text() {
        let line = format!("a = \"{}\", b = \"bad\"", "x".repeat(1000));
        let start = line.find("bad").unwrap();
        let snippet = snippet(&line, start, "bad");
        let at: String = snippet.text.chars().skip(snippet.indent.len()).collect();
        assert!(at.starts_with("bad\""), "{at}");
        // Near the end of the line the window is the last MAX_SHOWN characters.
        let cut = format!("[... {} characters cut ...]", line.len() - MAX_SHOWN);
        assert!(snippet.text.starts_with(&cut), "{}", snippet.text);
        assert_eq!(snippet.width, 3);
    }

    #[test]
    fn long_values_lose_their_middle() {
        let value = format!("{}{}", "a".repeat(150), "b".repeat(150));
        let shown = shorten(&value);
        assert_eq!(
            shown.chars().count(),
            200 + "[... 100 characters cut ...]".len()
        );
        assert!(shown.starts_with(&"a".repeat(100)) && shown.ends_with(&"b".repeat(100)));
    }
}
