//! Protocol names in a PROTO column as Shorewall reads them: the model
//! names tcp, udp, icmp and ipv6-icmp and takes any other protocol by
//! number; other names (`igmp`, `esp`, `gre`, `vrrp`) are looked up as
//! getprotobyname(3) looks them up, in /etc/protocols.

use std::collections::BTreeMap;

/// Where getprotobyname(3) reads protocols.
pub const PROTOCOLS: &str = "/etc/protocols";

/// Protocol name (or alias) -> number.
#[derive(Debug, Default)]
pub struct Protocols {
    numbers: BTreeMap<String, u8>,
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
                numbers.entry(name.to_ascii_lowercase()).or_insert(number);
            }
        }
        Protocols {
            numbers,
            unreadable: None,
        }
    }

    /// The PROTO column as the model writes it, with a note when a name
    /// became its number; `Err` when Shorewall would not know the name.
    pub fn resolve(&self, proto: &str) -> Result<(String, Option<String>), String> {
        let named = ["tcp", "udp", "icmp", "ipv6-icmp", "icmpv6", "icmp6", "all"];
        let one_name = proto
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && proto.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if named.contains(&proto.to_ascii_lowercase().as_str()) || !one_name {
            return Ok((proto.to_owned(), None));
        }
        match (
            self.numbers.get(&proto.to_ascii_lowercase()),
            &self.unreadable,
        ) {
            (Some(number), _) => Ok((
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
        assert_eq!(
            protocols.resolve("tcp,udp").unwrap(),
            ("tcp,udp".to_owned(), None)
        );
    }
}
