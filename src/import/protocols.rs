//! Protocol names in a PROTO column as Shorewall reads them: the model
//! names tcp, udp, icmp and ipv6-icmp and takes any other protocol by
//! number; other names (`igmp`, `esp`, `gre`, `vrrp`) are looked up as
//! getprotobyname(3) looks them up, in /etc/protocols.

use std::collections::{BTreeMap, BTreeSet};

use super::numeric::numeric_value;

/// Chains.pm do_proto's test of TCP flags after a protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SynTest {
    /// `tcp:syn`: a connection's first segment alone (`-p tcp --syn`:
    /// SYN set, ACK, RST and FIN clear).
    First,
    /// `tcp:!syn`: every other segment (`! --syn`).
    NotFirst,
}

/// One PROTO item as its protocol and its `:syn` or `:!syn` test, if it
/// has one (any case, as do_proto reads it); any other item as it is.
pub fn split_syn(item: &str) -> (&str, Option<SynTest>) {
    match item.split_once(':') {
        Some((name, flag)) if flag.eq_ignore_ascii_case("syn") => (name, Some(SynTest::First)),
        Some((name, flag)) if flag.eq_ignore_ascii_case("!syn") => (name, Some(SynTest::NotFirst)),
        _ => (item, None),
    }
}

/// Where getprotobyname(3) reads protocols.
pub const PROTOCOLS: &str = "/etc/protocols";

/// The names IPAddrs.pm resolves itself (`%nametoproto`), before it asks
/// getprotobyname(3).
const SHOREWALL_NAMES: [&str; 8] = ["all", "ALL", "icmp", "ICMP", "tcp", "TCP", "udp", "UDP"];

/// Protocol name (or alias) -> number.
#[derive(Debug, Default)]
pub struct Protocols {
    /// By the name in lower case: the number, and the name as
    /// /etc/protocols spells it (getprotobyname(3) compares exactly).
    numbers: BTreeMap<String, (u8, String)>,
    /// Every name and alias as /etc/protocols spells it.
    spellings: BTreeSet<String>,
    /// Why /etc/protocols could not be read, if it could not.
    unreadable: Option<String>,
}

impl Protocols {
    pub fn read() -> Protocols {
        match std::fs::read_to_string(PROTOCOLS) {
            Ok(text) => Protocols::parse(&text),
            Err(error) => Protocols {
                unreadable: Some(error.to_string()),
                ..Protocols::default()
            },
        }
    }

    pub fn parse(text: &str) -> Protocols {
        let mut numbers = BTreeMap::new();
        let mut spellings = BTreeSet::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default();
            let mut fields = line.split_whitespace();
            let (Some(name), Some(number)) = (fields.next(), fields.next()) else {
                continue;
            };
            let Ok(number) = number.parse::<u8>() else {
                continue;
            };
            for name in std::iter::once(name).chain(fields) {
                (numbers.entry(name.to_ascii_lowercase())).or_insert((number, name.to_owned()));
                spellings.insert(name.to_owned());
            }
        }
        Protocols {
            numbers,
            spellings,
            unreadable: None,
        }
    }

    /// Shorewall knows a name as IPAddrs.pm or /etc/protocols spells it,
    /// in that case: `Udp` it refuses ("Invalid/Unknown protocol"). What
    /// is no name (a number, `proto=tcp`) the model judges.
    fn spelled(&self, name: &str) -> Result<(), String> {
        if !is_name(name)
            || SHOREWALL_NAMES.contains(&name)
            || self.spellings.contains(name)
            || self.unreadable.is_some()
        {
            return Ok(());
        }
        Err(match self.numbers.get(&name.to_ascii_lowercase()) {
            Some((_, spelling)) => format!(
                "protocol `{name}` is not spelled as {PROTOCOLS} spells it (`{spelling}`), and Shorewall looks it up exactly: it refuses `{name}` (\"Invalid/Unknown protocol\")"
            ),
            None => format!("protocol `{name}` is not in {PROTOCOLS}: Shorewall refuses it"),
        })
    }

    /// [`Protocols::resolve`] in a configuration of one family: each
    /// family's ICMP is refused in the other's (Chains.pm do_proto:
    /// "IPv6_ICMP not permitted in an IPv4 configuration", "ICMP not
    /// permitted in an IPv6 configuration").
    pub fn resolve_in(&self, proto: &str, ipv6: bool) -> Result<(String, Option<String>), String> {
        let read = self.resolve(proto)?;
        let list = read.0.trim_start_matches('!');
        let items = list
            .split(',')
            .map(|item| item.split(':').next().unwrap_or(item))
            .collect::<Vec<_>>();
        if !ipv6
            && items
                .iter()
                .any(|name| name.eq_ignore_ascii_case("ipv6-icmp") || *name == "58")
        {
            return Err(format!(
                "PROTO `{proto}`: IPv6's ICMP in an IPv4 configuration, which Shorewall refuses (\"IPv6_ICMP not permitted in an IPv4 configuration\"): write the line in shorewall6's file"
            ));
        }
        // IPAddrs.pm resolve_proto reads `icmp` as ipv6-icmp in IPv6,
        // written so alone: `ICMP`, `1`, `0x1` stay IPv4's ICMP.
        if ipv6
            && items
                .iter()
                .any(|name| *name == "1" || (name.eq_ignore_ascii_case("icmp") && *name != "icmp"))
        {
            return Err(format!(
                "PROTO `{proto}`: IPv4's ICMP in an IPv6 configuration, which Shorewall6 refuses (\"ICMP not permitted in an IPv6 configuration\"): Shorewall6 reads `icmp` as ipv6-icmp only written so, in lower case; write `icmp` or `ipv6-icmp`, or the line in shorewall's file"
            ));
        }
        Ok(read)
    }

    /// The PROTO column as the model writes it, with a note when a name
    /// became its number; `Err` when Shorewall would not know the name.
    /// Protocol 0 (`0`, `ip`) is iptables' every protocol (`-p 0`), the
    /// model's `all`.
    pub fn resolve(&self, proto: &str) -> Result<(String, Option<String>), String> {
        let (read, note) = self.resolve_each(proto)?;
        let (bang, list) = match read.strip_prefix('!') {
            Some(list) => ("!", list),
            None => ("", read.as_str()),
        };
        let zero = |item: &str| item.split(':').next() == Some("0");
        if !list.split(',').any(zero) {
            return Ok((read, note));
        }
        if !bang.is_empty() {
            return Err(format!(
                "PROTO `{proto}`: Shorewall refuses it (\"'!0' not allowed in the PROTO column\")"
            ));
        }
        if list != "0" {
            return Err(format!(
                "PROTO `{proto}` holds protocol 0, which iptables reads as every protocol (`-p 0`): write `all` (or leave PROTO out) on a line of its own"
            ));
        }
        let zero = format!(
            "protocol `{proto}` is number 0, which iptables reads as every protocol (`-p 0`): carried as `all`"
        );
        let notes: Vec<String> = note.into_iter().chain([zero]).collect();
        Ok(("all".to_owned(), Some(notes.join("; "))))
    }

    fn resolve_each(&self, proto: &str) -> Result<(String, Option<String>), String> {
        // The names the model takes as they are (IPAddrs.pm's, and
        // IPv6's ICMP as /etc/protocols names it).
        let named = ["tcp", "udp", "icmp", "ipv6-icmp", "all"];
        if !is_name(proto) {
            // Not one name (a list, a number): each item of a list is
            // read as one (IPAddrs.pm resolve_proto, after `!` and what
            // follows `:` are taken off): a name looked up, a number read
            // by Config.pm's numeric_value (`010` is 8, `0x11` 17).
            let (bang, list) = match proto.strip_prefix('!') {
                Some(list) => ("!", list),
                None => ("", proto),
            };
            let mut notes = Vec::new();
            let mut items = Vec::new();
            for item in list.split(',') {
                let (name, rest) = item.split_at(item.find(':').unwrap_or(item.len()));
                let numeric = name.bytes().all(|b| b.is_ascii_digit()) || name.starts_with("0x");
                if !numeric {
                    self.spelled(name)?;
                }
                let rest = self.without_all(item, name, rest, &mut notes)?;
                if !numeric {
                    // A name the model does not take, as its number (`gre`
                    // is 47), as a name alone is.
                    let lower = name.to_ascii_lowercase();
                    match self.numbers.get(&lower) {
                        Some((number, _)) if !named.contains(&lower.as_str()) => {
                            notes.push(format!(
                                "protocol `{name}` is number {number} ({PROTOCOLS})"
                            ));
                            items.push(format!("{number}{rest}"));
                        }
                        _ => items.push(format!("{name}{rest}")),
                    }
                    continue;
                }
                let Some(number) = numeric_value(name).filter(|n| (0..=255).contains(n)) else {
                    return Err(format!(
                        "protocol `{name}`: Shorewall refuses it (\"Invalid/Unknown protocol ({name})\"): a protocol number is 0 to 255, read with a leading 0 as octal and 0x as hexadecimal"
                    ));
                };
                if number.to_string() != name {
                    notes.push(format!("protocol `{name}` is number {number}: Shorewall reads a number with a leading 0 as octal, and one with 0x as hexadecimal (Config.pm numeric_value)"));
                }
                items.push(format!("{number}{rest}"));
            }
            let note = (!notes.is_empty()).then(|| notes.join("; "));
            return Ok((format!("{bang}{}", items.join(",")), note));
        }
        self.spelled(proto)?;
        let lower = proto.to_ascii_lowercase();
        if named.contains(&lower.as_str()) {
            return Ok((proto.to_owned(), None));
        }
        match (self.numbers.get(&lower), &self.unreadable) {
            (Some((number, _)), _) => Ok((
                number.to_string(),
                Some(format!(
                    "protocol `{proto}` is number {number} ({PROTOCOLS})"
                )),
            )),
            (None, Some(error)) => Err(format!(
                "protocol `{proto}` names a protocol, and {PROTOCOLS}, where Shorewall looks it up, cannot be read: {error}"
            )),
            (None, None) => Err(format!(
                "protocol `{proto}` is not in {PROTOCOLS}: Shorewall refuses it"
            )),
        }
    }

    /// What follows a PROTO item's protocol once Chains.pm do_proto has
    /// taken `:all` off (after `:syn`, as it strips that first): `tcp:all`
    /// is tcp, every segment (`:all` means more to ipp2p alone, and in the
    /// conntrack file's CT actions, which read it before this); `Err` for
    /// another protocol, as Shorewall refuses it.
    fn without_all<'a>(
        &self,
        item: &str,
        name: &str,
        rest: &'a str,
        notes: &mut Vec<String>,
    ) -> Result<&'a str, String> {
        let Some(after) = rest
            .get(..4)
            .filter(|all| all.eq_ignore_ascii_case(":all"))
            .map(|_| &rest[4..])
            .filter(|after| matches!(after.to_ascii_lowercase().as_str(), "" | ":syn" | ":!syn"))
        else {
            return Ok(rest);
        };
        if self.number(name) != Some(6) {
            return Err(format!(
                "PROTO `{item}`: Shorewall refuses it (\":all\" is only allowed with tcp)"
            ));
        }
        notes.push(format!(
            "PROTO `{item}` is `{name}{after}`: Shorewall takes `:all` off a TCP protocol (Chains.pm do_proto)"
        ));
        Ok(after)
    }

    /// The number of a protocol as resolve_proto reads it, if it names one.
    fn number(&self, name: &str) -> Option<u8> {
        if name.eq_ignore_ascii_case("tcp") {
            return Some(6);
        }
        if name.bytes().all(|b| b.is_ascii_digit()) || name.starts_with("0x") {
            return numeric_value(name).and_then(|n| u8::try_from(n).ok());
        }
        // Spelled as Shorewall spells it: [`Protocols::spelled`] has
        // judged that.
        self.numbers
            .get(&name.to_ascii_lowercase())
            .map(|(number, _)| *number)
    }
}

/// A protocol name, not a number or a list (`igmp`, `ipv6-icmp`).
fn is_name(text: &str) -> bool {
    text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_numbers_and_the_models_names_stay() {
        let protocols = Protocols::parse("igmp\t2\tIGMP\t# groups\nvrrp\t112\tVRRP\n");
        assert_eq!(protocols.resolve("tcp").unwrap(), ("tcp".to_owned(), None));
        assert_eq!(protocols.resolve("50").unwrap(), ("50".to_owned(), None));
        // Numbers as Config.pm's numeric_value reads them.
        let (number, note) = protocols.resolve("010").unwrap();
        assert_eq!(number, "8");
        assert!(note.unwrap().contains("`010` is number 8"));
        assert_eq!(protocols.resolve("0x11").unwrap().0, "17");
        assert_eq!(protocols.resolve("tcp,010").unwrap().0, "tcp,8");
        assert!(protocols.resolve("08").is_err());
        assert!(protocols.resolve("256").is_err());
        let (number, note) = protocols.resolve("igmp").unwrap();
        assert_eq!(number, "2");
        assert_eq!(
            note.unwrap(),
            "protocol `igmp` is number 2 (/etc/protocols)"
        );
        assert_eq!(protocols.resolve("VRRP").unwrap().0, "112");
        assert!(protocols.resolve("nosuch").is_err());
        // Spelled as Shorewall (IPAddrs.pm, then getprotobyname) spells
        // them, case and all.
        assert_eq!(protocols.resolve("UDP").unwrap(), ("UDP".to_owned(), None));
        assert!(protocols.resolve("Udp").is_err());
        let vrrp = protocols.resolve("Vrrp").unwrap_err();
        assert!(vrrp.contains("(`vrrp`)"), "{vrrp}");
        assert!(protocols.resolve("icmpv6").is_err());
        // `:all` after TCP is taken off (do_proto), after `:syn` too;
        // after another protocol Shorewall refuses it.
        let (tcp, note) = protocols.resolve("tcp:all").unwrap();
        assert_eq!(tcp, "tcp");
        assert!(note.unwrap().contains("`tcp:all` is `tcp`"));
        assert_eq!(protocols.resolve("06:ALL:syn,udp").unwrap().0, "6:syn,udp");
        for other in ["udp:all", "2:all", "igmp:all"] {
            let refused = protocols.resolve(other).unwrap_err();
            assert!(
                refused.contains("only allowed with tcp"),
                "{other}: {refused}"
            );
        }
        // Protocol 0 is iptables' every protocol.
        let (all, note) = protocols.resolve("00").unwrap();
        assert_eq!(all, "all");
        assert!(note.unwrap().contains("reads as every protocol"));
        assert!(
            protocols
                .resolve("tcp,0")
                .unwrap_err()
                .contains("protocol 0")
        );
        assert!(
            protocols
                .resolve("!0")
                .unwrap_err()
                .contains("'!0' not allowed")
        );
        // Names in a list are numbers, as a name alone is.
        let (list, note) = protocols.resolve("tcp,igmp").unwrap();
        assert_eq!(list, "tcp,2");
        assert!(note.unwrap().contains("`igmp` is number 2"));
        // A name Shorewall does not know is refused as such first.
        let unknown = protocols.resolve("Tcp:all").unwrap_err();
        assert!(unknown.contains("protocol `Tcp` is not in"), "{unknown}");
        // In a list, each name (IPAddrs.pm splits it).
        assert!(protocols.resolve("tcp,UDP").is_ok());
        assert!(protocols.resolve("tcp,Udp").is_err());
        assert!(protocols.resolve("Tcp,udp").is_err());
        assert_eq!(
            protocols.resolve("tcp,udp").unwrap(),
            ("tcp,udp".to_owned(), None)
        );
    }

    /// Without /etc/protocols a name that is neither IPAddrs.pm's nor the
    /// model's is refused: `icmpv6` (no name in /etc/protocols, which
    /// says `ipv6-icmp`) is not carried because the file is missing.
    #[test]
    fn without_the_protocols_file_only_the_models_names_are_carried() {
        let protocols = Protocols {
            unreadable: Some("No such file or directory".to_owned()),
            ..Protocols::default()
        };
        assert_eq!(protocols.resolve("tcp").unwrap(), ("tcp".to_owned(), None));
        assert!(protocols.resolve("ipv6-icmp").is_ok());
        for name in ["icmpv6", "icmp6", "gre"] {
            let refused = protocols.resolve(name).unwrap_err();
            assert!(refused.contains("cannot be read"), "{name}: {refused}");
        }
    }
}
