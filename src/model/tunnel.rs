//! Tunnels (`[[tunnel]]`, Shorewall's tunnels file): the traffic a tunnel
//! endpoint exchanges with its peer gateways, accepted between the
//! firewall and the zone the gateways are in. What each type opens is
//! Shorewall 5.2.8's Tunnels.pm, stated once here as [`Tunnel::openings`];
//! src/ruleset/lower.rs places them at the head of the two pair chains, as
//! Shorewall inserts them at the head of the NEW section of its rules
//! chains, before every rule of the rules file.

use ipnet::IpNet;

use super::rule::is_ipv6;
use super::service::{PortRange, Protocol};
use super::zone::Zone;

/// One `[[tunnel]]` entry.
#[derive(Debug, Clone)]
pub struct Tunnel {
    pub kind: TunnelKind,
    /// The zone the gateways are in (an index into `Model::zones`).
    pub zone: usize,
    /// The peer gateways; empty: any address (Shorewall's `-`).
    pub gateways: Vec<IpNet>,
    /// IPsec only: zones whose hosts also run IKE with the firewall
    /// (Shorewall's GATEWAY ZONES).
    pub gateway_zones: Vec<usize>,
    pub comment: Option<String>,
    /// Line of the entry in the model file.
    pub line: usize,
    /// Byte range of the entry in the model file.
    pub span: std::ops::Range<usize>,
}

/// The tunnel types of shorewall-tunnels(5), with their options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TunnelKind {
    /// `ipsec` (IKE on UDP 500) or `ipsecnat` (UDP 500 and 4500); `ah`:
    /// AH is used besides ESP (`ipsec:ah`).
    Ipsec { nat: bool, ah: bool },
    /// `ipip`: IP protocol 4.
    Ipip,
    /// `gre`: IP protocol 47.
    Gre,
    /// `6to4` or `6in4`: IP protocol 41.
    SixToFour { written: &'static str },
    /// `pptpclient` or `pptpserver`.
    Pptp { server: bool },
    /// `tinc`: UDP and TCP 655.
    Tinc,
    /// `openvpn`, `openvpnclient`, `openvpnserver`, with the protocol and
    /// port (default udp 1194).
    OpenVpn {
        role: OpenVpnRole,
        proto: Protocol,
        port: u16,
    },
    /// `l2tp`: UDP from port 1701 to port 1701.
    L2tp,
    /// `generic:PROTO[:PORT]`; bare `generic` is every UDP port.
    Generic { proto: Protocol, port: Option<u16> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenVpnRole {
    /// `openvpn`: a peer to peer tunnel, the port both ways.
    Peer,
    /// `openvpnclient`: the firewall connects to the gateways' port.
    Client,
    /// `openvpnserver`: the gateways connect to the firewall's port.
    Server,
}

impl TunnelKind {
    /// The type as Shorewall's tunnels file writes it
    /// (`openvpnserver:tcp:443`, `ipsec:ah`, `generic:47`).
    pub fn shorewall(self) -> String {
        match self {
            TunnelKind::Ipsec { nat: false, ah } => {
                if ah { "ipsec:ah" } else { "ipsec" }.to_owned()
            }
            TunnelKind::Ipsec { nat: true, .. } => "ipsecnat".to_owned(),
            TunnelKind::Ipip => "ipip".to_owned(),
            TunnelKind::Gre => "gre".to_owned(),
            TunnelKind::SixToFour { written } => written.to_owned(),
            TunnelKind::Pptp { server } => {
                if server { "pptpserver" } else { "pptpclient" }.to_owned()
            }
            TunnelKind::Tinc => "tinc".to_owned(),
            TunnelKind::OpenVpn { role, proto, port } => {
                let name = match role {
                    OpenVpnRole::Peer => "openvpn",
                    OpenVpnRole::Client => "openvpnclient",
                    OpenVpnRole::Server => "openvpnserver",
                };
                format!("{name}:{proto}:{port}")
            }
            TunnelKind::L2tp => "l2tp".to_owned(),
            TunnelKind::Generic { proto, port } => match port {
                Some(port) => format!("generic:{proto}:{port}"),
                None => format!("generic:{proto}"),
            },
        }
    }

    /// The model's `type` word.
    pub fn name(self) -> &'static str {
        match self {
            TunnelKind::Ipsec { nat: false, .. } => "ipsec",
            TunnelKind::Ipsec { nat: true, .. } => "ipsecnat",
            TunnelKind::Ipip => "ipip",
            TunnelKind::Gre => "gre",
            TunnelKind::SixToFour { written } => written,
            TunnelKind::Pptp { server: false } => "pptpclient",
            TunnelKind::Pptp { server: true } => "pptpserver",
            TunnelKind::Tinc => "tinc",
            TunnelKind::OpenVpn { role, .. } => match role {
                OpenVpnRole::Peer => "openvpn",
                OpenVpnRole::Client => "openvpnclient",
                OpenVpnRole::Server => "openvpnserver",
            },
            TunnelKind::L2tp => "l2tp",
            TunnelKind::Generic { .. } => "generic",
        }
    }
}

/// One thing a tunnel accepts: a packet of `proto` between the firewall and
/// a gateway in `zone`, in one direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening {
    /// `true`: from the gateway to the firewall (`zone-fw`); `false`: from
    /// the firewall to the gateway (`fw-zone`).
    pub inbound: bool,
    /// The zone (an index into `Model::zones`): the tunnel's, or one of
    /// its gateway zones.
    pub zone: usize,
    pub proto: Protocol,
    pub dports: Vec<PortRange>,
    pub sports: Vec<PortRange>,
    /// Only connections in state NEW or UNTRACKED (IKE: Tunnels.pm's
    /// `state_imatch 'NEW,UNTRACKED'`); other openings take every state
    /// the rules see.
    pub new_or_untracked: bool,
}

fn port(port: u16) -> Vec<PortRange> {
    vec![PortRange::single(port)]
}

impl Tunnel {
    /// What the tunnel accepts, in the order Shorewall inserts it into each
    /// chain (Tunnels.pm, one `add_tunnel_rule` per opening).
    pub fn openings(&self) -> Vec<Opening> {
        let zone = self.zone;
        let open = |inbound: bool, proto: Protocol, dports: Vec<PortRange>| Opening {
            inbound,
            zone,
            proto,
            dports,
            sports: Vec::new(),
            new_or_untracked: false,
        };
        let both = |proto: Protocol, dports: Vec<PortRange>| {
            vec![
                open(true, proto, dports.clone()),
                open(false, proto, dports),
            ]
        };
        match self.kind {
            TunnelKind::Ipsec { nat, ah } => {
                let mut openings = Vec::new();
                for &zone in std::iter::once(&self.zone).chain(&self.gateway_zones) {
                    // ESP and AH also go to the gateway zones: without
                    // ipsec zones Shorewall's have_ipsec is false, and
                    // fwgen's model has none.
                    let zoned = |opening: Opening| Opening { zone, ..opening };
                    openings.extend(
                        both(Protocol::Number(50), Vec::new())
                            .into_iter()
                            .map(zoned),
                    );
                    if ah {
                        openings.extend(
                            both(Protocol::Number(51), Vec::new())
                                .into_iter()
                                .map(zoned),
                        );
                    }
                    let ike = if nat {
                        vec![port(500)[0], port(4500)[0]]
                    } else {
                        port(500)
                    };
                    openings.extend(both(Protocol::Udp, ike).into_iter().map(|opening| Opening {
                        new_or_untracked: true,
                        ..zoned(opening)
                    }));
                }
                openings
            }
            TunnelKind::Ipip => both(Protocol::Number(4), Vec::new()),
            TunnelKind::Gre => both(Protocol::Number(47), Vec::new()),
            TunnelKind::SixToFour { .. } => both(Protocol::Number(41), Vec::new()),
            TunnelKind::Pptp { server: false } => vec![
                open(false, Protocol::Number(47), Vec::new()),
                open(true, Protocol::Number(47), Vec::new()),
                open(false, Protocol::Tcp, port(1723)),
            ],
            TunnelKind::Pptp { server: true } => vec![
                open(true, Protocol::Number(47), Vec::new()),
                open(false, Protocol::Number(47), Vec::new()),
                open(true, Protocol::Tcp, port(1723)),
            ],
            TunnelKind::Tinc => {
                let mut openings = both(Protocol::Udp, port(655));
                openings.extend(both(Protocol::Tcp, port(655)));
                openings
            }
            TunnelKind::OpenVpn {
                role,
                proto,
                port: p,
            } => {
                let (inbound, outbound) = match role {
                    OpenVpnRole::Peer => (true, true),
                    OpenVpnRole::Client => (false, true),
                    OpenVpnRole::Server => (true, false),
                };
                // The firewall's port: the destination on the way in when
                // it serves, the source on the way out.
                let way = |to_firewall: bool, at_destination: bool| {
                    let mut opening = open(to_firewall, proto, Vec::new());
                    if at_destination {
                        opening.dports = port(p);
                    } else {
                        opening.sports = port(p);
                    }
                    opening
                };
                vec![way(true, inbound), way(false, outbound)]
            }
            TunnelKind::L2tp => [true, false]
                .map(|inbound| Opening {
                    sports: port(1701),
                    ..open(inbound, Protocol::Udp, port(1701))
                })
                .to_vec(),
            TunnelKind::Generic { proto, port: p } => both(proto, p.map(port).unwrap_or_default()),
        }
    }

    /// The families the tunnel applies to, `[ipv4, ipv6]`: its gateways'
    /// when written, else its zone's (Shorewall and Shorewall6 each have a
    /// tunnels file).
    pub fn families(&self, zones: &[Zone]) -> [bool; 2] {
        [false, true].map(|ipv6| {
            zones[self.zone].family.has(ipv6)
                && (self.gateways.is_empty() || self.gateways.iter().any(|g| is_ipv6(g) == ipv6))
        })
    }
}
