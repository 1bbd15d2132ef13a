//! Protocol names in a PROTO column as Shorewall reads them: the model
//! names tcp, udp, icmp and ipv6-icmp and takes any other protocol by
//! number; other names (`igmp`, `esp`, `gre`, `vrrp`) are looked up as
//! getprotobyname(3) looks them up, in /etc/protocols.

use std::collections::{BTreeMap, BTreeSet};

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

    /// The PROTO column as the model writes it, with a note when a name
    /// became its number; `Err` when Shorewall would not know the name.
    pub fn resolve(&self, proto: &str) -> Result<(String, Option<String>), String> {
        // The names the model takes as they are (IPAddrs.pm's, and
        // IPv6's ICMP as /etc/protocols names it).
        let named = ["tcp", "udp", "icmp", "ipv6-icmp", "all"];
        if !is_name(proto) {
            // Not one name (a list, a number): each name of a list is
            // looked up as one (IPAddrs.pm, after `!` and what follows `:`
            // are taken off).
            let names = proto.trim_start_matches('!').split(',');
            for name in names.map(|name| name.split(':').next().unwrap_or_default()) {
                self.spelled(name)?;
            }
            return Ok((proto.to_owned(), None));
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
