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
use socket2::SockRef;

use crate::common::run;

/// The MTU of the firewall's link towards the receiver.
pub const SMALL_MTU: u32 = 1400;
const PORT: u16 = 4411;

pub fn ipv4(host: &Host) -> IpAddr {
    *host
        .addresses
        .iter()
        .find(|a| a.is_ipv4())
        .unwrap_or_else(|| panic!("{} has no IPv4 address", host.label))
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
    (from, to): (&str, &str),
) -> u32 {
    let topology = Topology::build(model, name).unwrap_or_else(|e| panic!("{e}"));
    let server = host_in(&topology, model, to);
    let client = host_in(&topology, model, from);
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
    load(model, contestant, &topology, dir).unwrap_or_else(|e| panic!("{e}"));
    let address = SocketAddr::new(ipv4(&server), PORT);
    let netns = server.netns.clone();
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
    let source = ipv4(&client);
    let sender = std::thread::spawn(move || {
        sys::enter(&client.netns).unwrap_or_else(|e| panic!("{e}"));
        probe::tcp((source, None), address).unwrap_or_else(|e| panic!("{e}"))
    });
    let outcome = sender.join().expect("sender");
    assert_eq!(outcome.verdict(), "ACCEPT", "{from} -> {to} must connect");
    let mss = receiver.join().expect("receiver");
    mss.unwrap_or_else(|| panic!("{to}'s receiver accepted no connection"))
}
