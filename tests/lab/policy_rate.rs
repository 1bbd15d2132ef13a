//! A policy's RATE decides new TCP connections before the rules
//! (tests/models/policy-rate.toml): what each SYN met, in order, must be
//! the same for Shorewall's compiled firewall and fwgen's nftables
//! ruleset.

use std::net::SocketAddr;
use std::path::Path;

use fwgen::model::Model;
use fwgen::verify::contest::{Contestant, load};
use fwgen::verify::topology::Topology;
use fwgen::verify::{probe, sys};

use super::mss::{host_in, ipv4};
use super::ratelog::KernelLog;

/// What each connection of the bursts met, in the order sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bursts {
    /// Two connections from the net host to the loc host: `net all DROP`
    /// decides them, and a pair without rules under a DROP policy does not
    /// count them (Shorewall's policy chain jumps to `@net-all` only for
    /// ACCEPT and CONTINUE).
    pub net_to_loc: Vec<&'static str>,
    /// Then five from the net host to the firewall's ports 22 and 2222 in
    /// turn, which a rule accepts: the policy's rate (1/min, burst 3)
    /// drops those over it before the rule.
    pub net_to_firewall: Vec<&'static str>,
    /// Five from the loc host to the net host (`loc net ACCEPT`, 2/min,
    /// burst 3).
    pub loc_to_net: Vec<&'static str>,
    /// The kernel log's records of `@net-all` for the net host.
    pub logged: usize,
}

const SENT: usize = 5;
const PORT: u16 = 80;

/// The bursts with `contestant` loaded.
pub fn bursts(model: &Model, name: &str, contestant: &Contestant, dir: &Path) -> Bursts {
    let topology = Topology::build(model, name).unwrap_or_else(|e| panic!("{e}"));
    load(model, contestant, &topology, dir).unwrap_or_else(|e| panic!("{e}"));
    let net = host_in(&topology, model, "net");
    let loc = host_in(&topology, model, "loc");
    let (net_address, loc_address) = (ipv4(&net), ipv4(&loc));
    let firewall = topology
        .firewall_address_towards(&net, false)
        .expect("the firewall's address towards the net host");
    let start = |netns: &str, label: &str, address, ports: &[u16]| {
        probe::Listeners::start(netns, label, &[address], ports).unwrap_or_else(|e| panic!("{e}"))
    };
    let _listeners = [
        start(&topology.firewall.netns, "fw", firewall, &[22, 2222]),
        start(&net.netns, &net.label, net_address, &[PORT]),
        start(&loc.netns, &loc.label, loc_address, &[PORT]),
    ];
    let kmsg = KernelLog::start();
    let send = |netns: &str, source, targets: Vec<SocketAddr>| -> Vec<&'static str> {
        let netns = netns.to_owned();
        std::thread::spawn(move || {
            sys::enter(&netns).unwrap_or_else(|e| panic!("{e}"));
            (targets.into_iter())
                .map(|to| {
                    probe::tcp((source, None), to)
                        .unwrap_or_else(|e| panic!("{e}"))
                        .verdict()
                })
                .collect()
        })
        .join()
        .expect("the sender")
    };
    let net_to_loc = send(
        &net.netns,
        net_address,
        vec![SocketAddr::new(loc_address, PORT); 2],
    );
    let ssh = (0..SENT).map(|n| SocketAddr::new(firewall, if n % 2 == 0 { 22 } else { 2222 }));
    let net_to_firewall = send(&net.netns, net_address, ssh.collect());
    let loc_to_net = send(
        &loc.netns,
        loc_address,
        vec![SocketAddr::new(net_address, PORT); SENT],
    );
    let from = format!("SRC={net_address} ");
    let logged = (kmsg.records().iter())
        .filter(|r| r.contains("Shorewall:@net-all:DROP:") && r.contains(&from))
        .count();
    Bursts {
        net_to_loc,
        net_to_firewall,
        loc_to_net,
        logged,
    }
}

/// Connections the loc host holds open to the net host's port 80 with
/// `contestant` loaded (tests/models/policy-connlimit.toml: `loc net
/// ACCEPT` with `connlimit = 2`), what each met in the order opened, and
/// how many records of `@loc-net` the kernel log has from the loc host.
pub fn held(
    model: &Model,
    name: &str,
    contestant: &Contestant,
    dir: &Path,
) -> (Vec<&'static str>, usize) {
    const HELD: usize = 3;
    let topology = Topology::build(model, name).unwrap_or_else(|e| panic!("{e}"));
    load(model, contestant, &topology, dir).unwrap_or_else(|e| panic!("{e}"));
    let net = host_in(&topology, model, "net");
    let loc = host_in(&topology, model, "loc");
    let (net_address, loc_address) = (ipv4(&net), ipv4(&loc));
    let kmsg = KernelLog::start();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let listener = super::rate::listen(&net.netns, net_address, std::sync::Arc::clone(&stop));
    let netns = loc.netns.clone();
    let met = std::thread::spawn(move || {
        sys::enter(&netns).unwrap_or_else(|e| panic!("{e}"));
        let mut open = Vec::new();
        let mut met = Vec::new();
        for _ in 0..HELD {
            let to = SocketAddr::new(net_address, PORT);
            match std::net::TcpStream::connect_timeout(&to, probe::WAIT) {
                Ok(stream) => {
                    open.push(stream);
                    met.push("ACCEPT");
                }
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => met.push("REJECT"),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => met.push("DROP"),
                Err(e) => panic!("connecting to {to}: {e}"),
            }
        }
        met
    })
    .join()
    .expect("the loc host");
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    listener.join().expect("the net host's listener");
    let from = format!("SRC={loc_address} ");
    let logged = (kmsg.records().iter())
        .filter(|r| r.contains("Shorewall:@loc-net:DROP:") && r.contains(&from))
        .count();
    (met, logged)
}
