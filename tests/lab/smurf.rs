//! SMURF_LOG_LEVEL of one family seen in the kernel log
//! (tests/models/family-settings.toml): a loc host sends TCP SYNs to the
//! firewall's SSH port from the loc network's broadcast address, written
//! into the IPv4 header of a raw socket. The firewall's `nosmurfs` option
//! drops them (`--src-type BROADCAST` in Shorewall's smurfs chain, `fib
//! saddr type broadcast` in nftables'), logged as `Shorewall:smurfs:DROP:`
//! only where IPv4's level is set, whatever IPv6's says.
//!
//! IPv6's smurfs (sources in ff00::/8) cannot be sent through the lab:
//! Linux drops an IPv6 packet with a multicast source in ip6_rcv_core,
//! before any netfilter hook, so neither Shorewall6's rule nor nftables'
//! ever sees one; that family's level is judged by `shorewall check`, `nft
//! -c` and the golden files alone.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;

use fwgen::model::Model;
use fwgen::verify::contest::{Contestant, load};
use fwgen::verify::sys;
use fwgen::verify::topology::Topology;
use ipnet::IpNet;
use socket2::{Domain, Protocol, Socket, Type};

use super::mss::host_in;
use super::packet::tcp_header;
use super::ratelog::KernelLog;
use crate::common::run;

pub const SENT: usize = 3;
const PREFIX: &str = "Shorewall:smurfs:DROP:";
const SSH: u16 = 22;

/// An IPv4 packet holding a TCP SYN from `source`:`port` to `dest`'s SSH
/// port (the kernel fills in the IP header's checksum and identification).
fn syn(source: Ipv4Addr, port: u16, dest: Ipv4Addr) -> Vec<u8> {
    let tcp = tcp_header((source, port), (dest, SSH), 7, 0x02);
    let mut packet = vec![0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0];
    packet.extend_from_slice(&source.octets());
    packet.extend_from_slice(&dest.octets());
    packet.extend_from_slice(&tcp);
    packet
}

/// The broadcast address of the network of the firewall's `address`,
/// which its namespace's local table must call broadcast (what
/// `--src-type BROADCAST` and `fib saddr type broadcast` read).
fn broadcast_of(topology: &Topology, address: Ipv4Addr) -> Ipv4Addr {
    let broadcast = topology
        .links
        .iter()
        .flat_map(|link| &link.networks)
        .find_map(|net| match net {
            IpNet::V4(net) if net.contains(&address) => Some(net.broadcast()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no network of {address}"));
    let netns = &topology.firewall.netns;
    let (ok, out) = run(
        "ip",
        &["-n", netns, "-4", "route", "show", "table", "local"],
    );
    assert!(ok, "ip route in {netns}: {out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with(&format!("broadcast {broadcast} "))),
        "{broadcast} is no broadcast address in {netns}:\n{out}"
    );
    broadcast
}

/// How many of the SENT broadcast-sourced SYNs the kernel log shows
/// dropped by the smurfs chain, with `contestant` loaded.
pub fn smurfs_logged(model: &Model, name: &str, contestant: &Contestant, dir: &Path) -> usize {
    let topology = Topology::build(model, name).unwrap_or_else(|e| panic!("{e}"));
    load(model, contestant, &topology, dir).unwrap_or_else(|e| panic!("{e}"));
    let sender = host_in(&topology, model, "loc");
    let Some(IpAddr::V4(dest)) = topology.firewall_address_towards(&sender, false) else {
        panic!("the firewall's IPv4 address towards the loc host");
    };
    let source = broadcast_of(&topology, dest);
    let kmsg = KernelLog::start();
    let netns = sender.netns.clone();
    let sending = std::thread::spawn(move || {
        sys::enter(&netns).unwrap_or_else(|e| panic!("{e}"));
        let socket = Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::TCP)).expect("raw");
        socket.set_header_included_v4(true).expect("IP_HDRINCL");
        let to = SocketAddr::new(IpAddr::V4(dest), 0);
        for n in 0..SENT {
            let port = 40_200 + u16::try_from(n).expect("a port");
            socket
                .send_to(&syn(source, port, dest), &to.into())
                .expect("send a SYN");
        }
    });
    sending.join().expect("the sender");
    let from = format!("SRC={source} ");
    kmsg.records()
        .iter()
        .filter(|r| r.contains(PREFIX) && r.contains(&from))
        .count()
}
