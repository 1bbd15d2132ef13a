//! A plain rate over an address list and beside a list left out
//! (tests/models/rate-address-list.toml): what each SYN met, in order,
//! must be the same for Shorewall's compiled firewall and for fwgen's
//! nftables ruleset.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use fwgen::model::Model;
use fwgen::verify::contest::{Contestant, load};
use fwgen::verify::topology::Topology;
use fwgen::verify::{probe, sys};

use super::mss::host_in;

/// What each SYN met, in the order sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// To port 22 from 203.0.113.10 and .11 in turn, three each.
    pub ssh: Vec<&'static str>,
    /// To port 80, twice from 203.0.113.10 (left out), then three times
    /// from 203.0.113.11.
    pub web: Vec<&'static str>,
}

fn address(text: &str) -> IpAddr {
    text.parse().expect("an address")
}

/// The SYNs a net host sends the firewall, from the addresses the rules
/// name (the lab gives them to the net host), with `contestant` loaded.
pub fn sent(model: &Model, name: &str, contestant: &Contestant, dir: &Path) -> Sent {
    let topology = Topology::build(model, name).unwrap_or_else(|e| panic!("{e}"));
    load(model, contestant, &topology, dir).unwrap_or_else(|e| panic!("{e}"));
    let sender = host_in(&topology, model, "net");
    let target = topology
        .firewall_address_towards(&sender, false)
        .expect("the firewall's address towards the net host");
    let stop = Arc::new(AtomicBool::new(false));
    let listener = super::rate::listen(&topology.firewall.netns, target, Arc::clone(&stop));
    let netns = sender.netns.clone();
    let (first, second) = (address("203.0.113.10"), address("203.0.113.11"));
    let sent = std::thread::spawn(move || {
        sys::enter(&netns).unwrap_or_else(|e| panic!("{e}"));
        let syn = |from: IpAddr, port: u16| {
            probe::tcp((from, None), SocketAddr::new(target, port))
                .unwrap_or_else(|e| panic!("{e}"))
                .verdict()
        };
        let ssh = [first, second, first, second, first, second]
            .into_iter()
            .map(|from| syn(from, 22))
            .collect();
        let web = [first, first, second, second, second]
            .into_iter()
            .map(|from| syn(from, 80))
            .collect();
        Sent { ssh, web }
    })
    .join()
    .expect("the sender");
    stop.store(true, Ordering::SeqCst);
    listener.join().expect("the firewall's listener");
    sent
}
