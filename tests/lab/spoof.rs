//! Reverse-path filtering seen by the firewall: a host in one zone sends a
//! TCP SYN to a port the firewall listens on and its rules open, from an
//! address of another zone's network (spoofed). Whether the firewall's
//! socket took the SYN (a `SYN-RECV` entry from that address) shows
//! whether the packet got through: rp_filter (Shorewall) and `fib` in
//! prerouting (nftables) must both stop it, or both let it in.

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::Path;

use fwgen::model::Model;
use fwgen::verify::contest::{Contestant, load};
use fwgen::verify::topology::Topology;
use fwgen::verify::{probe, sys};

use super::mss::host_in;
use crate::common::run;

/// Whether a SYN from `spoofed` sent by a host of `zone` to the firewall's
/// `port` reached the firewall's listening socket.
pub fn spoofed_syn_arrives(
    model: &Model,
    name: &str,
    contestant: &Contestant,
    dir: &Path,
    (zone, spoofed, port): (&str, IpAddr, u16),
) -> bool {
    let topology = Topology::build(model, name).unwrap_or_else(|e| panic!("{e}"));
    load(model, contestant, &topology, dir).unwrap_or_else(|e| panic!("{e}"));
    let sender = host_in(&topology, model, zone);
    let target = topology
        .firewall_address_towards(&sender, false)
        .expect("the firewall's address towards the sender");
    let address = format!("{spoofed}/32");
    let (ok, out) = run(
        "ip",
        &[
            "netns",
            "exec",
            &sender.netns,
            "ip",
            "addr",
            "add",
            &address,
            "dev",
            "eth0",
            "nodad",
        ],
    );
    assert!(ok, "adding {address}: {out}");
    let fw_netns = topology.firewall.netns.clone();
    let listening = std::thread::spawn(move || {
        sys::enter(&fw_netns).unwrap_or_else(|e| panic!("{e}"));
        TcpListener::bind(SocketAddr::new(target, port)).expect("listen")
    });
    let listener = listening.join().expect("listener");
    let netns = sender.netns.clone();
    let sending = std::thread::spawn(move || {
        sys::enter(&netns).unwrap_or_else(|e| panic!("{e}"));
        probe::tcp((spoofed, None), SocketAddr::new(target, port)).unwrap_or_else(|e| panic!("{e}"))
    });
    let outcome = sending.join().expect("sender");
    assert_ne!(outcome.verdict(), "ACCEPT", "the SYN-ACK went elsewhere");
    let (ok, sockets) = run(
        "ip",
        &[
            "netns",
            "exec",
            &topology.firewall.netns,
            "ss",
            "-Htn",
            "state",
            "syn-recv",
        ],
    );
    assert!(ok, "ss: {sockets}");
    drop(listener);
    sockets.contains(&format!("{spoofed}:"))
}
