//! MAC verification: Shorewall's maclist file (shorewall-maclist(5)) and
//! the `maclist` interface option. New connections from an interface with
//! the option meet its entries in order; the first whose MAC address (and
//! addresses) match decides, and a host no entry decides gets
//! `maclist_disposition` (MACLIST_DISPOSITION).

use std::fmt::{self, Display, Formatter};
use std::ops::Range;

use ipnet::IpNet;

use super::{Disposition, LogLevel};

/// A MAC address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Mac(pub [u8; 6]);

impl Mac {
    /// Six hexadecimal bytes separated by `:` or `-`, or Shorewall's own
    /// form, `~` and `-` (`~02-00-00-00-01-00`), as Shorewall's do_mac reads it.
    pub fn parse(text: &str) -> Option<Mac> {
        let plain = text.strip_prefix('~').unwrap_or(text);
        let separator = if plain.contains(':') { ':' } else { '-' };
        let mut bytes = [0u8; 6];
        let mut parts = plain.split(separator);
        for byte in &mut bytes {
            let part = parts.next()?;
            // from_str_radix takes a sign (`+a`), which no MAC address has.
            if part.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            *byte = u8::from_str_radix(part, 16).ok()?;
        }
        parts.next().is_none().then_some(Mac(bytes))
    }

    /// As Shorewall's IPv4 rules file and fwgen's `source` write it:
    /// `~02-00-00-00-01-ab`.
    pub fn tilde(&self) -> String {
        format!("~{}", self.to_string().replace(':', "-"))
    }
}

impl Display for Mac {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

/// One `[[maclist]]` entry: a line of the maclist file.
#[derive(Debug, Clone)]
pub struct MaclistEntry {
    /// `Accept` (the connection goes on to the rules), `Drop` or `Reject`.
    pub disposition: Disposition,
    /// The matching packets are logged first.
    pub log: Option<LogLevel>,
    /// `model.interfaces[interface]`, which has the `maclist` option.
    pub interface: usize,
    /// `None`: any MAC address, the addresses alone decide.
    pub mac: Option<Mac>,
    /// The source addresses the host must use; empty: any.
    pub addresses: Vec<IpNet>,
    pub span: Range<usize>,
    /// The entry's line in the model file.
    pub line: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_spellings() {
        let mac = Some(Mac([2, 0, 0, 0, 1, 0xab]));
        assert_eq!(Mac::parse("02:00:00:00:01:ab"), mac);
        assert_eq!(Mac::parse("~02-00-00-00-01-AB"), mac);
        assert_eq!(Mac::parse("2:0:0:0:1:ab"), mac);
        assert_eq!(Mac::parse("02:00:00:00:01"), None);
        assert_eq!(Mac::parse("02:00:00:00:01:ab:00"), None);
        assert_eq!(Mac::parse("02:00:00:00:01:xy"), None);
        assert_eq!(Mac::parse("~+a-00-00-00-01-ab"), None);
        assert_eq!(
            mac.map(|m| m.to_string()).as_deref(),
            Some("02:00:00:00:01:ab")
        );
    }
}
