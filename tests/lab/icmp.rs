//! ICMP types with codes seen by the receiver: a host of one zone sends
//! ICMP error messages of a given type and code from a raw socket through
//! the firewall to a host of another zone, which reads every ICMP packet
//! on a raw socket of its own. Each message quotes a UDP datagram with its
//! own source port, so the receiver tells the probes apart; what arrives is
//! what the firewall let through. The quoted datagram belongs to no
//! connection: conntrack calls the messages INVALID, and the model's
//! `invalid_disposition = "CONTINUE"` (Shorewall's CONTINUE) hands them to
//! the rules and policies as new packets.

use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use fwgen::explain::{Place, Query, explain};
use fwgen::model::{Model, Verdict};
use fwgen::verify::contest::{Contestant, load};
use fwgen::verify::sys;
use fwgen::verify::topology::Topology;
use socket2::{Domain, Protocol, Socket, Type};

use super::mss::{host_in, ipv4};
use super::packet::checksum;

/// The quoted datagram's source port of the first probe; each probe adds
/// its index.
const FIRST_PORT: u16 = 41_000;
const QUOTED_DPORT: u16 = 33_434;
const WAIT: Duration = Duration::from_secs(2);

/// One probe: from zone, to zone, ICMP type, ICMP code.
pub type Probe = (&'static str, &'static str, u8, u8);

/// An ICMP error of `kind` and `code` quoting a UDP datagram from
/// `receiver` (the host it tells about its own packet) to `sender`.
fn icmp_error(kind: u8, code: u8, port: u16, receiver: Ipv4Addr, sender: Ipv4Addr) -> Vec<u8> {
    let mut quoted = vec![0u8; 28];
    quoted[0] = 0x45;
    quoted[2..4].copy_from_slice(&28u16.to_be_bytes());
    quoted[8] = 64;
    quoted[9] = 17;
    quoted[12..16].copy_from_slice(&receiver.octets());
    quoted[16..20].copy_from_slice(&sender.octets());
    let header = checksum(&quoted[..20]);
    quoted[10..12].copy_from_slice(&header.to_be_bytes());
    quoted[20..22].copy_from_slice(&port.to_be_bytes());
    quoted[22..24].copy_from_slice(&QUOTED_DPORT.to_be_bytes());
    quoted[24..26].copy_from_slice(&8u16.to_be_bytes());
    let mut message = vec![kind, code, 0, 0, 0, 0, 0, 0];
    if (kind, code) == (3, 4) {
        // fragmentation-needed: the next hop's MTU.
        message[6..8].copy_from_slice(&1400u16.to_be_bytes());
    }
    message.extend_from_slice(&quoted);
    let sum = checksum(&message);
    message[2..4].copy_from_slice(&sum.to_be_bytes());
    message
}

/// The probe index an ICMP packet read from a raw socket is, if any.
fn probe_of(packet: &[u8], probes: &[Probe]) -> Option<usize> {
    let header = usize::from(packet.first()? & 0x0f) * 4;
    let message = packet.get(header..)?;
    let quoted = message.get(8..)?;
    let inner = usize::from(quoted.first()? & 0x0f) * 4;
    let port = u16::from_be_bytes([*quoted.get(inner)?, *quoted.get(inner + 1)?]);
    let index = usize::from(port.checked_sub(FIRST_PORT)?);
    let (_, _, kind, code) = probes.get(index)?;
    (message.first() == Some(kind) && message.get(1) == Some(code)).then_some(index)
}

fn raw_icmp() -> Socket {
    let socket =
        Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::ICMPV4)).expect("a raw ICMP socket");
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("a read timeout");
    socket
}

/// What `fwgen explain` says of each probe: whether it is accepted.
fn explained(model: &Model, topology: &Topology, probes: &[Probe]) -> Vec<bool> {
    let place = |zone: &str| {
        let host = host_in(topology, model, zone);
        Place {
            zone: host.zone,
            address: Some(ipv4(&host)),
            interface: host.interface,
            device: None,
        }
    };
    probes
        .iter()
        .map(|&(from, to, kind, code)| {
            let query = Query {
                from: place(from),
                to: place(to),
                proto: Some(fwgen::model::Protocol::Icmp),
                dport: None,
                sport: None,
                icmp_type: Some(kind),
                icmp_code: Some(code),
                source_mac: None,
                owner: None,
            };
            let answer = explain(model, &query).unwrap_or_else(|e| panic!("explain: {e}"));
            answer.verdict == Verdict::Accept
        })
        .collect()
}

/// Send every probe with `contestant` loaded: which ones arrived, and
/// which ones `fwgen explain` accepts, for the lab's hosts.
pub fn received(
    model: &Model,
    name: &str,
    contestant: &Contestant,
    dir: &Path,
    probes: &'static [Probe],
) -> (Vec<bool>, Vec<bool>) {
    let topology = Topology::build(model, name).unwrap_or_else(|e| panic!("{e}"));
    load(model, contestant, &topology, dir).unwrap_or_else(|e| panic!("{e}"));
    let mut zones: Vec<&str> = probes.iter().map(|p| p.1).collect();
    zones.sort_unstable();
    zones.dedup();
    let (ready_tx, ready_rx) = mpsc::channel();
    let listeners: Vec<_> = zones
        .into_iter()
        .map(|zone| {
            let netns = host_in(&topology, model, zone).netns.clone();
            let ready = ready_tx.clone();
            std::thread::spawn(move || {
                sys::enter(&netns).unwrap_or_else(|e| panic!("{e}"));
                let mut socket = raw_icmp();
                ready.send(()).expect("ready");
                let deadline = Instant::now() + WAIT;
                let mut heard = Vec::new();
                let mut buffer = [0u8; 1500];
                while Instant::now() < deadline {
                    if let Ok(n) = socket.read(&mut buffer)
                        && let Some(index) = probe_of(&buffer[..n], probes)
                        && probes[index].1 == zone
                    {
                        heard.push(index);
                    }
                }
                heard
            })
        })
        .collect();
    for _ in &listeners {
        ready_rx.recv().expect("a receiver ready");
    }
    for (index, &(from, to, kind, code)) in probes.iter().enumerate() {
        let sender = host_in(&topology, model, from);
        let receiver = host_in(&topology, model, to);
        let (IpAddr::V4(source), IpAddr::V4(dest)) = (ipv4(&sender), ipv4(&receiver)) else {
            panic!("IPv4 hosts");
        };
        let port = FIRST_PORT + u16::try_from(index).expect("few probes");
        let message = icmp_error(kind, code, port, dest, source);
        let netns = sender.netns.clone();
        std::thread::spawn(move || {
            sys::enter(&netns).unwrap_or_else(|e| panic!("{e}"));
            let socket = raw_icmp();
            let to = SocketAddr::new(IpAddr::V4(dest), 0);
            socket
                .send_to(&message, &to.into())
                .expect("send the ICMP message");
        })
        .join()
        .expect("the sender");
    }
    let mut arrived = vec![false; probes.len()];
    for listener in listeners {
        for index in listener.join().expect("a receiver") {
            arrived[index] = true;
        }
    }
    (arrived, explained(model, &topology, probes))
}
