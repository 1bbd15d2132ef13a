//! MSS clamping seen by the receiver: a TCP connection from a host in one
//! zone to a host in another, through a firewall whose link towards the
//! receiver has a small MTU (as a PPPoE uplink has). The receiver reads the
//! MSS its accepted socket settled on (TCP_MAXSEG), which the SYN's MSS
//! option bounds: clamped, it follows the firewall's route MTU.

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::Path;
use std::time::Duration;

use fwgen::model::{Model, ZoneId};
use fwgen::verify::contest::{Contestant, load};
use fwgen::verify::topology::{Host, Topology, link_name};
use fwgen::verify::{probe, sys};
use socket2::{Domain, Protocol, SockRef, Socket, Type};

use crate::common::run;

/// The MTU of the firewall's link towards the receiver.
pub const SMALL_MTU: u32 = 1400;
const PORT: u16 = 4411;

pub fn ipv4(host: &Host) -> IpAddr {
    address_of(host, false)
}

/// The host's address of IPv6 (`true`) or IPv4.
fn address_of(host: &Host, ipv6: bool) -> IpAddr {
    *host
        .addresses
        .iter()
        .find(|a| a.is_ipv6() == ipv6)
        .unwrap_or_else(|| panic!("{} has no address of that family", host.label))
}

pub fn host_in(topology: &Topology, model: &Model, zone: &str) -> Host {
    topology
        .hosts
        .iter()
        .find(|h| matches!(h.zone, Some(ZoneId::Zone(i)) if model.zones[i].name == zone))
        .unwrap_or_else(|| panic!("no lab host in {zone}"))
        .clone()
}

/// The receiver's MSS for a connection from `from` (zone) to `to` (zone)
/// with `contestant` loaded.
pub fn received_mss(
    model: &Model,
    name: &str,
    contestant: &Contestant,
    dir: &Path,
    path: (&str, &str),
) -> u32 {
    received(model, name, contestant, dir, path, Offer::SmallMtu)
}

/// What the sender's SYN offers, and over which link.
#[derive(Clone, Copy)]
pub enum Offer {
    /// The sender's own MSS, over a firewall link of [`SMALL_MTU`] towards
    /// the receiver.
    SmallMtu,
    /// The sender's own MSS (its link's MTU less the headers), no link
    /// changed.
    Own,
    /// The sender's SYN offers this MSS (TCP_MAXSEG set before connecting).
    Size(u32),
}

/// The receiver's MSS for an IPv4 connection from `from` to `to`, whose
/// SYN offers what `offer` says.
pub fn received(
    model: &Model,
    name: &str,
    contestant: &Contestant,
    dir: &Path,
    path: (&str, &str),
    offer: Offer,
) -> u32 {
    received_over(model, name, contestant, dir, path, offer, false)
}

/// [`received`] over IPv6 (`true`) or IPv4.
pub fn received_over(
    model: &Model,
    name: &str,
    contestant: &Contestant,
    dir: &Path,
    (from, to): (&str, &str),
    offer: Offer,
    ipv6: bool,
) -> u32 {
    let topology = Topology::build(model, name).unwrap_or_else(|e| panic!("{e}"));
    let server = host_in(&topology, model, to);
    let client = host_in(&topology, model, from);
    if matches!(offer, Offer::SmallMtu) {
        small_mtu(model, &topology, &server);
    }
    load(model, contestant, &topology, dir).unwrap_or_else(|e| panic!("{e}"));
    let address = SocketAddr::new(address_of(&server, ipv6), PORT);
    let receiver = receiver(server.netns.clone(), address);
    let source = address_of(&client, ipv6);
    let sender = std::thread::spawn(move || {
        sys::enter(&client.netns).unwrap_or_else(|e| panic!("{e}"));
        match offer {
            Offer::Size(size) => connect_offering(source, address, size),
            _ => probe::tcp((source, None), address)
                .unwrap_or_else(|e| panic!("{e}"))
                .verdict()
                .to_owned(),
        }
    });
    let outcome = sender.join().expect("sender");
    assert_eq!(outcome, "ACCEPT", "{from} -> {to} must connect");
    let mss = receiver.join().expect("receiver");
    mss.unwrap_or_else(|| panic!("{to}'s receiver accepted no connection"))
}

/// A connection whose SYN offers `size`: "ACCEPT" once it is up.
fn connect_offering(source: IpAddr, address: SocketAddr, size: u32) -> String {
    let domain = Domain::for_address(address);
    let socket = Socket::new(domain, Type::STREAM, Some(Protocol::TCP)).expect("socket");
    socket.set_tcp_mss(size).expect("TCP_MAXSEG");
    socket
        .bind(&SocketAddr::new(source, 0).into())
        .expect("bind");
    match socket.connect_timeout(&address.into(), Duration::from_secs(5)) {
        Ok(()) => "ACCEPT".to_owned(),
        Err(error) => format!("connect: {error}"),
    }
}

/// The firewall's link towards `server` gets an MTU of [`SMALL_MTU`].
fn small_mtu(model: &Model, topology: &Topology, server: &Host) {
    let index = server
        .interface
        .expect("a zone host sits behind an interface");
    let link = link_name(&model.interfaces[index], index);
    let mtu = SMALL_MTU.to_string();
    let (ok, out) = run(
        "ip",
        &[
            "netns",
            "exec",
            &topology.firewall.netns,
            "ip",
            "link",
            "set",
            "dev",
            &link,
            "mtu",
            &mtu,
        ],
    );
    assert!(ok, "setting the MTU of {link}: {out}");
}

/// A listener in `netns` at `address`, ready when this returns: the MSS
/// of the first connection it accepts.
fn receiver(netns: String, address: SocketAddr) -> std::thread::JoinHandle<Option<u32>> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let receiver = std::thread::spawn(move || {
        sys::enter(&netns).unwrap_or_else(|e| panic!("{e}"));
        let listener = TcpListener::bind(address).expect("listen");
        listener.set_nonblocking(true).expect("nonblocking");
        ready_tx.send(()).expect("ready");
        // Bounded: a dropped SYN must fail the test, not hang it.
        for _ in 0..100 {
            if let Ok((stream, _)) = listener.accept() {
                return SockRef::from(&stream).tcp_mss().ok();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    });
    ready_rx
        .recv_timeout(Duration::from_secs(5))
        .expect("the receiver listens");
    receiver
}
