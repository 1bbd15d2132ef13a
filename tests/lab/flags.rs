//! tcpflags' disposition seen by the sender: a host of one zone sends a
//! TCP packet with SYN and FIN both set (an illegal combination, and
//! INVALID to conntrack) through the firewall to a closed port of a host
//! of another zone, from a raw socket, and listens for what comes back:
//! an ICMP port unreachable (REJECT, iptables' bare REJECT target), a TCP
//! reset from the receiver (ACCEPT: it reached a closed port), or nothing
//! (DROP). The same over IPv6 ([`syn_fin_answer_ipv6`]): ICMPv6 port
//! unreachable (type 1 code 4) for REJECT.

use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::{Duration, Instant};

use fwgen::model::Model;
use fwgen::verify::contest::{Contestant, load};
use fwgen::verify::sys;
use fwgen::verify::topology::Topology;
use socket2::{Domain, Protocol, Socket, Type};

use super::mss::{host_in, ipv4};
use super::packet::tcp_header_of;

const SOURCE_PORT: u16 = 40_123;
/// No lab host listens here.
const CLOSED_PORT: u16 = 7_919;
const WAIT: Duration = Duration::from_secs(2);

/// What the sender heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// ICMP destination unreachable, port unreachable (code 3).
    PortUnreachable,
    /// A TCP reset from the receiver.
    Reset,
    Nothing,
}

/// TCP flags: SYN|FIN, and a bare SYN and ACK (0x02, 0x10).
pub const SYN_FIN: u8 = 0x03;
pub const SYN: u8 = 0x02;
pub const ACK: u8 = 0x10;

/// A 20-byte TCP header with these flags and its checksum.
fn segment(source: IpAddr, dest: IpAddr, flags: u8) -> Vec<u8> {
    tcp_header_of((source, SOURCE_PORT), (dest, CLOSED_PORT), 1, flags)
}

fn raw(domain: Domain, protocol: Protocol) -> Socket {
    let socket = Socket::new(domain, Type::RAW, Some(protocol)).expect("a raw socket");
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("a read timeout");
    socket
}

/// The transport header of an IPv4 packet read from a raw socket, or of
/// an IPv6 packet quoted in an ICMPv6 error (a fixed 40-byte header: the
/// probe has no extension headers).
fn payload(ipv6: bool, packet: &[u8]) -> Option<&[u8]> {
    let header = if ipv6 {
        40
    } else {
        usize::from(packet.first()? & 0x0f) * 4
    };
    packet.get(header..)
}

/// What one read of a raw socket says, if it concerns the probe. An IPv6
/// raw socket reads no IP header.
fn heard(ipv6: bool, icmp: bool, packet: &[u8]) -> Option<Heard> {
    let body = if ipv6 {
        packet
    } else {
        payload(false, packet)?
    };
    if icmp {
        // Port unreachable (ICMP type 3 code 3, ICMPv6 type 1 code 4),
        // quoting our packet's ports.
        let quoted = payload(ipv6, body.get(8..)?)?;
        let ours =
            quoted.get(0..4)? == [SOURCE_PORT.to_be_bytes(), CLOSED_PORT.to_be_bytes()].concat();
        let unreachable = if ipv6 { [1, 4] } else { [3, 3] };
        return (body.get(0..2)? == unreachable && ours).then_some(Heard::PortUnreachable);
    }
    let ports = [CLOSED_PORT.to_be_bytes(), SOURCE_PORT.to_be_bytes()].concat();
    (body.get(0..4)? == ports && body.get(13)? & 0x04 != 0).then_some(Heard::Reset)
}

/// Send one SYN|FIN from `from`'s host to `to`'s (`fw`: the firewall),
/// with `contestant` loaded, and report what came back within `WAIT`.
pub fn syn_fin_answer(
    model: &Model,
    name: &str,
    contestant: &Contestant,
    dir: &Path,
    zones: (&str, &str),
) -> Heard {
    tcp_answer(SYN_FIN, model, name, contestant, dir, zones)
}

/// What the sender of one TCP segment with `flags` hears, as
/// [`syn_fin_answer`] (a bare ACK: a connection conntrack picks up in
/// the middle, NEW to it).
pub fn tcp_answer(
    flags: u8,
    model: &Model,
    name: &str,
    contestant: &Contestant,
    dir: &Path,
    zones: (&str, &str),
) -> Heard {
    answer_of(false, flags, model, name, contestant, dir, zones)
}

/// [`syn_fin_answer`] over IPv6, between the hosts' IPv6 addresses.
pub fn syn_fin_answer_ipv6(
    model: &Model,
    name: &str,
    contestant: &Contestant,
    dir: &Path,
    zones: (&str, &str),
) -> Heard {
    answer_of(true, SYN_FIN, model, name, contestant, dir, zones)
}

fn answer_of(
    ipv6: bool,
    flags: u8,
    model: &Model,
    name: &str,
    contestant: &Contestant,
    dir: &Path,
    (from, to): (&str, &str),
) -> Heard {
    let topology = Topology::build(model, name).unwrap_or_else(|e| panic!("{e}"));
    load(model, contestant, &topology, dir).unwrap_or_else(|e| panic!("{e}"));
    let sender = host_in(&topology, model, from);
    let address = |host: &fwgen::verify::topology::Host| -> IpAddr {
        if !ipv6 {
            return ipv4(host);
        }
        *host
            .addresses
            .iter()
            .find(|a| a.is_ipv6())
            .unwrap_or_else(|| panic!("{} has no IPv6 address", host.label))
    };
    // `fw`: the firewall's address on the sender's link.
    let dest = if to == "fw" {
        let link = &topology.links[sender.interface.expect("a host behind an interface")];
        *link
            .firewall
            .iter()
            .find(|a| a.is_ipv6() == ipv6)
            .expect("the firewall has an address of the family on the link")
    } else {
        address(&host_in(&topology, model, to))
    };
    let source = address(&sender);
    let netns = sender.netns.clone();
    let listening = std::thread::spawn(move || {
        sys::enter(&netns).unwrap_or_else(|e| panic!("{e}"));
        let (domain, icmp) = if ipv6 {
            (Domain::IPV6, Protocol::ICMPV6)
        } else {
            (Domain::IPV4, Protocol::ICMPV4)
        };
        let (icmp, tcp) = (raw(domain, icmp), raw(domain, Protocol::TCP));
        let sending = raw(domain, Protocol::TCP);
        sending
            .bind(&SocketAddr::new(source, 0).into())
            .expect("bind the raw socket");
        let to = SocketAddr::new(dest, 0);
        sending
            .send_to(&segment(source, dest, flags), &to.into())
            .expect("send the segment");
        let deadline = Instant::now() + WAIT;
        let mut buffer = [0u8; 1500];
        while Instant::now() < deadline {
            for (is_icmp, mut socket) in [(true, &icmp), (false, &tcp)] {
                if let Ok(n) = socket.read(&mut buffer)
                    && let Some(heard) = heard(ipv6, is_icmp, &buffer[..n])
                {
                    return heard;
                }
            }
        }
        Heard::Nothing
    });
    listening.join().expect("the sender")
}
