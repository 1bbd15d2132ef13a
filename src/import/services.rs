//! Port columns as Shorewall's compiler reads them (Chains.pm
//! `validate_port`, `validate_portpair`): numbers, service names looked up
//! with getservbyname(3) for the rule's protocol in /etc/services, ranges
//! `LOW:HIGH` (or `LOW-HIGH`), and open ranges `LOW:` and `:HIGH`. The
//! model takes numbers only: names become their numbers, each named in a
//! note.

use std::collections::BTreeMap;

use super::numeric::numeric_value;

/// Where getservbyname(3) reads services on the hosts Shorewall runs on.
pub const SERVICES: &str = "/etc/services";

/// Service name (or alias) and protocol -> port.
#[derive(Debug, Default)]
pub struct Services {
    ports: BTreeMap<(String, String), u16>,
    /// Why /etc/services could not be read, if it could not.
    unreadable: Option<String>,
}

impl Services {
    /// /etc/services as the resolver reads it; a missing file is an empty
    /// table (every name is then refused at its line).
    pub fn read() -> Services {
        match std::fs::read_to_string(SERVICES) {
            Ok(text) => Services::parse(&text),
            Err(error) => Services {
                unreadable: Some(error.to_string()),
                ..Services::default()
            },
        }
    }

    pub fn parse(text: &str) -> Services {
        let mut ports = BTreeMap::new();
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or_default();
            let mut fields = line.split_whitespace();
            let (Some(name), Some(port_proto)) = (fields.next(), fields.next()) else {
                continue;
            };
            let Some((port, proto)) = port_proto.split_once('/') else {
                continue;
            };
            let Ok(port) = port.parse::<u16>() else {
                continue;
            };
            for name in std::iter::once(name).chain(fields) {
                ports
                    .entry((name.to_owned(), proto.to_owned()))
                    .or_insert(port);
            }
        }
        Services {
            ports,
            unreadable: None,
        }
    }

    pub fn port(&self, name: &str, proto: &str) -> Option<u16> {
        self.ports
            .get(&(name.to_owned(), proto.to_owned()))
            .copied()
    }

    /// A port list in the model's spelling (numbers, `LOW:HIGH`), and the
    /// names it resolved; `Err` names what Shorewall would refuse.
    pub fn resolve(&self, list: &str, proto: &str) -> Result<(String, Vec<String>), String> {
        let mut resolved = Vec::new();
        let mut names = Vec::new();
        for item in list.split(',') {
            // Config.pm split_list: an empty element is no port.
            if item.is_empty() {
                return Err(format!(
                    "`{list}` has an empty element: Shorewall refuses it (\"Invalid port list ({list})\")"
                ));
            }
            // Chains.pm validate_portpair: `-` separates a range written
            // in digits alone (`1000-` is `1000:65535`), and a pair has
            // one separator.
            let written = item;
            let item = if item.chars().all(|c| c.is_ascii_digit() || c == '-') {
                item.replace('-', ":")
            } else {
                item.to_owned()
            };
            if item.matches(':').count() > 1 {
                return Err(format!(
                    "`{written}`: a range is two ports: Shorewall refuses it (\"Invalid port range ({written})\")"
                ));
            }
            let (low, high) = match item.split_once(':') {
                Some((low, high)) => (low, Some(high)),
                None => (item.as_str(), None),
            };
            let mut one = |text: &str| -> Result<u32, String> {
                // shorewall-rules(5): `!22` leaves ports out, which Shorewall
                // compiles (`! --dport 22`) and fwgen's rules do not match.
                if text.starts_with('!') {
                    return Err(format!(
                        "`{text}`: ports left out with `!`, which Shorewall compiles (`! --dport`) and fwgen's model does not carry: list the ports the rule is for"
                    ));
                }
                let unknown = || {
                    format!(
                        "`{text}` is not a {proto} service in {SERVICES}: Shorewall refuses it (\"Invalid/Unknown {proto} port/service\")"
                    )
                };
                if text.chars().all(|c| c.is_ascii_digit()) || text.starts_with("0x") {
                    let port = numeric_value(text)
                        .and_then(|port| u32::try_from(port).ok())
                        .ok_or_else(unknown)?;
                    // Only `0` itself passes unchecked (validate_portpair
                    // skips a false port); `00` and `0x0` are port 0,
                    // which validate_port refuses.
                    if port == 0 && text != "0" {
                        return Err(format!(
                            "`{text}` is port 0: Shorewall refuses it (\"Invalid/Unknown {proto} port/service ({text})\")"
                        ));
                    }
                    if port.to_string() != text {
                        names.push(format!(
                            "`{text}` is port {port}: Shorewall reads a number with a leading 0 as octal, and one with 0x as hexadecimal (Config.pm numeric_value)"
                        ));
                    }
                    // Out of range: the model refuses it, at this line.
                    return Ok(port);
                }
                let port = self.port(text, proto).ok_or_else(|| match &self.unreadable {
                    Some(error) => format!("`{text}` names a service, and {SERVICES}, where Shorewall looks it up, cannot be read: {error}"),
                    None => unknown(),
                })?;
                names.push(format!("`{text}` is {proto} port {port} ({SERVICES})"));
                Ok(u32::from(port))
            };
            match high {
                // Chains.pm validate_portpair: an open end is 0 or 65535
                // (the model reads `:HIGH` from port 0, as Shorewall
                // compiles it: `--dport 0:HIGH`), and a range runs up.
                Some(high) => {
                    let low_port = if low.is_empty() { 0 } else { one(low)? };
                    let high_port = if high.is_empty() { 65535 } else { one(high)? };
                    if low_port >= high_port {
                        return Err(format!(
                            "`{written}`: a range's first port must be below its last: Shorewall refuses it (\"Invalid port range ({written})\"); write one port as itself"
                        ));
                    }
                    // `0:HIGH` is the model's `:HIGH`.
                    let low = if low_port == 0 {
                        String::new()
                    } else {
                        low_port.to_string()
                    };
                    resolved.push(format!("{low}:{high_port}"));
                }
                None => resolved.push(one(low)?.to_string()),
            }
        }
        Ok((resolved.join(","), names))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str =
        "ssh\t\t22/tcp\t\t\t# SSH\nhttp\t\t80/tcp\t\twww\t\t# web\nnetbios-ns\t137/udp\n";

    #[test]
    fn names_resolve_for_their_protocol_only() {
        let services = Services::parse(TABLE);
        assert_eq!(
            services.resolve("ssh,www,443", "tcp").unwrap(),
            (
                "22,80,443".to_owned(),
                vec![
                    "`ssh` is tcp port 22 (/etc/services)".to_owned(),
                    "`www` is tcp port 80 (/etc/services)".to_owned()
                ]
            )
        );
        assert!(services.resolve("netbios-ns", "tcp").is_err());
        assert!(services.resolve("netbios-ns,http", "tcp").is_err());
        assert_eq!(services.resolve("netbios-ns", "udp").unwrap().0, "137");
    }

    #[test]
    fn open_and_dashed_ranges_are_spelled_out() {
        let services = Services::parse(TABLE);
        assert_eq!(services.resolve("1024:", "udp").unwrap().0, "1024:65535");
        assert_eq!(services.resolve(":1023", "udp").unwrap().0, ":1023");
        assert_eq!(
            services.resolve("10000-20000", "udp").unwrap().0,
            "10000:20000"
        );
        assert_eq!(
            services.resolve("135:139,80", "tcp").unwrap().0,
            "135:139,80"
        );
    }
}
