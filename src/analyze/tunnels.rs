//! `[[tunnel]]`: a tunnel endpoint on the firewall (Shorewall's tunnels
//! file), checked as Tunnels.pm checks a line.

use super::*;
use crate::config::RawTunnel;
use crate::model::tunnel::{OpenVpnRole, Tunnel, TunnelKind};

impl Analyzer<'_> {
    pub(super) fn tunnel(&mut self, raw: &Spanned<RawTunnel>) -> Option<Tunnel> {
        let errors_before = self.errors.len();
        let entry = raw.get_ref();
        let kind = self.tunnel_kind(entry);
        let zone = self.tunnel_zone(&entry.zone);
        let gateways: Vec<IpNet> = entry
            .gateways
            .iter()
            .filter_map(|g| self.network(g.get_ref(), g.span()))
            .collect();
        // A gateway of a family its zone lacks would open nothing.
        if let Some(zone) = zone {
            let family = self.zones[zone].family;
            for (net, raw) in gateways.iter().zip(&entry.gateways) {
                self.check_family(net, raw.span(), ZoneId::Zone(zone), family);
            }
        }
        let gateway_zones: Vec<usize> = entry
            .gateway_zones
            .iter()
            .filter_map(|z| self.tunnel_zone(z))
            .collect();
        let comment = self.free_text("comment", entry.comment.as_ref());
        let (kind, zone) = (kind?, zone?);
        if self.errors.len() != errors_before {
            return None;
        }
        let tunnel = Tunnel {
            kind,
            zone,
            gateways,
            gateway_zones,
            comment,
            line: self.line(&raw.span()),
            span: raw.span(),
        };
        if tunnel.families(&self.zones) == [false, false] {
            let kind = ErrorKind::FamilyConflict {
                what: "this [[tunnel]]",
            };
            self.error(Some(raw.span()), kind);
            return None;
        }
        Some(tunnel)
    }

    /// The zone of a tunnel or of its gateway zones: one zone, not the
    /// firewall (Tunnels.pm: "Invalid tunnel ZONE").
    fn tunnel_zone(&mut self, raw: &Spanned<String>) -> Option<usize> {
        match self.zone_ref(raw.get_ref(), raw.span())? {
            ZoneRef::One(ZoneId::Zone(index)) => Some(index),
            ZoneRef::One(ZoneId::Firewall) | ZoneRef::All => {
                let kind = ErrorKind::TunnelZone {
                    zone: raw.get_ref().clone(),
                };
                self.error(Some(raw.span()), kind);
                None
            }
        }
    }

    /// The type and the keys that go with it; a key the type gives no
    /// meaning is an error, never ignored.
    fn tunnel_kind(&mut self, entry: &RawTunnel) -> Option<TunnelKind> {
        let name = entry.kind.get_ref().as_str();
        let kind = match name {
            "ipsec" | "ipsecnat" => TunnelKind::Ipsec {
                nat: name == "ipsecnat",
                ah: entry.ah.as_ref().is_some_and(|ah| *ah.get_ref()),
            },
            "ipip" => TunnelKind::Ipip,
            "gre" => TunnelKind::Gre,
            "6to4" => TunnelKind::SixToFour { written: "6to4" },
            "6in4" => TunnelKind::SixToFour { written: "6in4" },
            "pptpclient" | "pptpserver" => TunnelKind::Pptp {
                server: name == "pptpserver",
            },
            "tinc" => TunnelKind::Tinc,
            "openvpn" | "openvpnclient" | "openvpnserver" => TunnelKind::OpenVpn {
                role: match name {
                    "openvpn" => OpenVpnRole::Peer,
                    "openvpnclient" => OpenVpnRole::Client,
                    _ => OpenVpnRole::Server,
                },
                proto: Protocol::Udp,
                port: 1194,
            },
            "l2tp" => TunnelKind::L2tp,
            "generic" => TunnelKind::Generic {
                proto: Protocol::Udp,
                port: None,
            },
            _ => {
                let kind = ErrorKind::UnknownTunnelType {
                    kind: name.to_owned(),
                };
                self.error(Some(entry.kind.span()), kind);
                return None;
            }
        };
        let type_name = kind.name();
        let refuse = |analyzer: &mut Self, key, span: Range<usize>, why| {
            let kind = ErrorKind::TunnelKey {
                key,
                kind: type_name,
                why,
            };
            analyzer.error(Some(span), kind);
        };
        // `ah = false` with ipsecnat is Shorewall's `ipsecnat:noah`, which
        // Tunnels.pm takes; only `ah = true` is refused there.
        if let Some(ah) = &entry.ah
            && !matches!(kind, TunnelKind::Ipsec { nat: false, .. })
            && (*ah.get_ref() || !matches!(kind, TunnelKind::Ipsec { nat: true, .. }))
        {
            let why = match kind {
                TunnelKind::Ipsec { .. } => "Shorewall refuses AH with NAT traversal",
                _ => "only an ipsec tunnel uses AH",
            };
            refuse(self, "ah", ah.span(), why);
        }
        if let Some(first) = entry.gateway_zones.first()
            && !matches!(kind, TunnelKind::Ipsec { .. })
        {
            let why = "only IPsec lets gateway zones run IKE with the firewall";
            refuse(self, "gateway_zones", first.span(), why);
        }
        let proto = match (&entry.proto, kind) {
            (None, _) => None,
            (Some(raw), TunnelKind::OpenVpn { .. } | TunnelKind::Generic { .. }) => {
                let Some(proto) = self.protocol(raw)? else {
                    let why = "a tunnel carries one protocol: name it";
                    refuse(self, "proto", raw.span(), why);
                    return None;
                };
                if matches!(kind, TunnelKind::OpenVpn { .. }) && !proto.has_ports() {
                    refuse(self, "proto", raw.span(), "OpenVPN runs on tcp or udp");
                    return None;
                }
                Some(proto)
            }
            (Some(raw), _) => {
                refuse(self, "proto", raw.span(), "this type's protocol is fixed");
                return None;
            }
        };
        let port = match (&entry.port, kind) {
            (None, _) => None,
            (Some(raw), TunnelKind::OpenVpn { .. } | TunnelKind::Generic { .. }) => {
                let port = self.port_number(raw)?;
                if matches!(kind, TunnelKind::Generic { .. })
                    && !proto.unwrap_or(Protocol::Udp).has_ports()
                {
                    refuse(self, "port", raw.span(), "only tcp and udp have ports");
                    return None;
                }
                Some(port)
            }
            (Some(raw), _) => {
                refuse(self, "port", raw.span(), "this type's ports are fixed");
                return None;
            }
        };
        Some(match kind {
            TunnelKind::OpenVpn { role, .. } => TunnelKind::OpenVpn {
                role,
                proto: proto.unwrap_or(Protocol::Udp),
                port: port.unwrap_or(1194),
            },
            TunnelKind::Generic { .. } => TunnelKind::Generic {
                proto: proto.unwrap_or(Protocol::Udp),
                port,
            },
            other => other,
        })
    }
}
