//! `tunnels` (shorewall-tunnels(5)): each line becomes a `[[tunnel]]`,
//! read as Tunnels.pm reads it: the TYPE lowercased and split at `:`,
//! `-` for any gateway, GATEWAY ZONES for IPsec only.

use super::{Importer, Kind, Table, Value};

/// The tunnels file's columns, as setup_tunnels names them.
const TUNNEL_COLUMNS: &[(&str, usize)] = &[
    ("type", 0),
    ("zone", 1),
    ("gateway", 2),
    ("gateways", 2),
    ("gateway_zone", 3),
    ("gateway_zones", 3),
];

/// A TYPE as the model writes it: the type, and the keys it takes.
struct Type {
    name: String,
    proto: Option<String>,
    port: Option<String>,
    ah: bool,
}

/// Tunnels.pm's reading of TYPE: `Err` where Shorewall refuses it, and
/// the options Shorewall ignores, for a note.
fn read_type(text: &str) -> Result<(Type, Option<String>), String> {
    let lower = text.to_ascii_lowercase();
    let mut parts = lower.split(':');
    let name = parts.next().unwrap_or_default().to_owned();
    let options: Vec<&str> = parts.collect();
    let plain = |name: &str| Type {
        name: name.to_owned(),
        proto: None,
        port: None,
        ah: false,
    };
    let ignored = |options: &[&str]| {
        (!options.is_empty())
            .then(|| format!("Shorewall ignores `:{}` after `{name}`", options.join(":")))
    };
    match name.as_str() {
        "ipsec" | "ipsecnat" => match options[..] {
            [] | ["noah"] => Ok((plain(&name), None)),
            ["ah"] if name == "ipsec" => Ok((
                Type {
                    ah: true,
                    ..plain(&name)
                },
                None,
            )),
            ["ah"] => {
                Err(":ah not allowed with ipsecnat tunnels (Shorewall refuses it)".to_owned())
            }
            _ => Err(format!(
                "invalid IPSEC modifier `{}` (Shorewall refuses it)",
                options.join(":")
            )),
        },
        "openvpn" | "openvpnclient" | "openvpnserver" => {
            let proto_word = |p: &str| p == "udp" || p == "tcp";
            match options[..] {
                [] => Ok((plain(&name), None)),
                [one] if proto_word(one) => Ok((
                    Type {
                        proto: Some(one.to_owned()),
                        ..plain(&name)
                    },
                    None,
                )),
                [one] => Ok((
                    Type {
                        port: Some(one.to_owned()),
                        ..plain(&name)
                    },
                    None,
                )),
                [proto, port] => Ok((
                    Type {
                        proto: Some(proto.to_owned()),
                        port: Some(port.to_owned()),
                        ..plain(&name)
                    },
                    None,
                )),
                _ => Err(format!(
                    "invalid port `{}` (Shorewall refuses it)",
                    options[1..].join(":")
                )),
            }
        }
        "generic" => match options[..] {
            [] => Ok((plain(&name), None)),
            [proto] => Ok((
                Type {
                    proto: Some(proto.to_owned()),
                    ..plain(&name)
                },
                None,
            )),
            [proto, port] => Ok((
                Type {
                    proto: Some(proto.to_owned()),
                    port: Some(port.to_owned()),
                    ..plain(&name)
                },
                None,
            )),
            _ => Err(format!("`{text}` has more fields than generic:PROTO:PORT")),
        },
        "l2tp" if !options.is_empty() => Err(format!(
            "unknown option `{}` (Shorewall refuses it)",
            options.join(":")
        )),
        "ipip" | "gre" | "6to4" | "6in4" | "pptpclient" | "pptpserver" | "tinc" | "l2tp" => {
            Ok((plain(&name), ignored(&options)))
        }
        _ => Err(format!(
            "tunnels of type `{name}` are not supported (Shorewall refuses them)"
        )),
    }
}

impl Importer {
    pub(super) fn tunnels(&mut self) {
        for line in self.commented_lines("tunnels") {
            let Some(columns) = self.split(&line, TUNNEL_COLUMNS) else {
                continue;
            };
            let get = |i: usize| columns.get(i).filter(|c| *c != "-").cloned();
            let (Some(kind), Some(zone)) = (get(0), get(1)) else {
                self.refuse(&line, "a tunnel needs TYPE and ZONE (Shorewall refuses it)");
                continue;
            };
            // Tunnels.pm lowercases TYPE only after it has set up the
            // first gateway with TYPE as written: an `IPSEC` tunnel opens
            // UDP 4500 to its first gateway alone, `ipsec:AH` is refused
            // (setup_one_ipsec compares the kind with `ipsec`; the other
            // types' handlers read it in any case).
            if kind.to_ascii_lowercase().starts_with("ipsec")
                && kind.chars().any(|c| c.is_ascii_uppercase())
            {
                self.refuse(&line, format!("TYPE `{kind}` is not in lower case: Shorewall's Tunnels.pm sets up the first gateway of an IPsec tunnel with TYPE as written and the others with it in lower case (an upper-case `ipsec` opens UDP 4500 to the first gateway alone, `:AH` and `:NOAH` are refused, `IPSECNAT:ah` is taken), which fwgen's tunnel does not say; write it in lower case"));
                continue;
            }
            let (tunnel, ignored) = match read_type(&kind) {
                Ok(read) => read,
                Err(reason) => {
                    self.refuse(&line, reason);
                    continue;
                }
            };
            if let Some(ignored) = ignored {
                self.notes
                    .push(format!("{}:{}: {ignored}", line.file, line.number));
            }
            let gateways: Vec<String> = get(2)
                .map(|list| list.split(',').map(str::to_owned).collect())
                .unwrap_or_default();
            if gateways.iter().any(|g| g.contains('!')) {
                self.refuse(
                    &line,
                    "exclusion is not allowed in the GATEWAYS column (Shorewall refuses it)",
                );
                continue;
            }
            let ipsec = tunnel.name.starts_with("ipsec");
            let gateway_zones: Vec<String> = match get(3) {
                Some(list) if ipsec => list.split(',').map(str::to_owned).collect(),
                Some(list) => {
                    self.notes.push(format!(
                        "{}:{}: GATEWAY ZONES `{list}`: Shorewall reads them for IPsec tunnels only and ignores them on a `{}` tunnel",
                        line.file, line.number, tunnel.name
                    ));
                    Vec::new()
                }
                None => Vec::new(),
            };
            // Shorewall6's `[2001:db8::1]` and `[2001:db8::]/64`; IPv4's
            // file takes no brackets (Shorewall: "Unknown Host").
            let misbracketed = |g: &&String| match g.strip_prefix('[') {
                Some(rest) => rest
                    .split_once(']')
                    .is_none_or(|(_, after)| !(after.is_empty() || after.starts_with('/'))),
                None => g.contains(['[', ']']),
            };
            if self.ipv6
                && let Some(g) = gateways.iter().find(misbracketed)
            {
                self.refuse(&line, format!("GATEWAY `{g}`: Shorewall6 takes `[ADDRESS]` or `[ADDRESS]/PREFIX` and refuses this (\"Invalid Network Address\", \"Missing ']'\" or \"Unknown Host\"), where removing the brackets would carry another address; a tunnel's port goes in TYPE (`openvpnclient:1200`)"));
                continue;
            }
            let bare: Vec<String> = (gateways.iter())
                .map(|g| g.replacen('[', "", 1).replacen(']', "", 1))
                .collect();
            if !self.ipv6
                && let Some(g) = gateways.iter().find(|g| g.contains('['))
            {
                self.refuse(&line, format!("GATEWAY `{g}`: an IPv4 configuration takes no brackets (Shorewall refuses it: Unknown Host)"));
                continue;
            }
            // An ipset, an interface's address (`&eth0`) or an exclusion
            // tells no family by its text: the model judges it.
            let addressed = |g: &&String| !g.starts_with(['+', '&', '!', '~']);
            if let Some(g) = (bare.iter().filter(addressed)).find(|g| g.contains(':') != self.ipv6)
            {
                let family = if self.ipv6 { "IPv6" } else { "IPv4" };
                self.refuse(&line, format!("GATEWAY `{g}` is not an {family} address, in the {family} configuration (Shorewall refuses it: Unknown Host)"));
                continue;
            }
            let family = bare.first().map(|g| g.contains(':'));
            // Tunnels.pm passes the port on as written, and iptables reads
            // a tcp port's leading 0 as octal (`--dport 0500` is port 320,
            // `01194` no port at all), a udp port's as decimal; the model's
            // port is decimal.
            if let Some(port) = (tunnel.port.as_deref())
                .filter(|p| p.len() > 1 && p.starts_with('0'))
                .filter(|_| {
                    tunnel
                        .proto
                        .as_deref()
                        .is_some_and(|p| p.eq_ignore_ascii_case("tcp"))
                })
            {
                self.refuse(&line, format!("tcp port `{port}` has a leading 0: Shorewall passes it on as written, and iptables reads a tcp port's as octal (`--dport 0500` is port 320, `01194` is refused); write the port without it"));
                continue;
            }
            let port = match tunnel.port.as_deref().map(str::parse::<u16>) {
                None => None,
                Some(Ok(port)) => Some(port),
                Some(Err(_)) => {
                    let port = tunnel.port.as_deref().unwrap_or_default();
                    self.refuse(&line, format!("`{port}` is not a port number"));
                    continue;
                }
            };
            let mut zones = vec![zone.clone()];
            zones.extend(gateway_zones.iter().cloned());
            let mut table = Table::array(&["tunnel"]);
            table.push("type", &tunnel.name);
            table.push("zone", &zone);
            table.push_some("proto", tunnel.proto.as_ref());
            table.push_some("port", port);
            table.push_some("ah", tunnel.ah.then_some(true));
            if !bare.is_empty() {
                table.push("gateways", Value::strings(&bare));
            }
            if !gateway_zones.is_empty() {
                table.push("gateway_zones", Value::strings(&gateway_zones));
            }
            table.push_some("comment", line.comment.as_ref());
            self.add(Kind::Tunnel, "", zones, family, &line, table);
        }
    }
}
