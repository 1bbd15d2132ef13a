//! A port forward's RATE limits the translation alone
//! (tests/models/manual-rules-dnat-rate.toml, shorewall-rules(5) Example
//! 3): what each connection of a burst met, in order, must be the same
//! for Shorewall's compiled firewall and fwgen's nftables ruleset.

use std::net::SocketAddr;
use std::path::Path;

use fwgen::model::Model;
use fwgen::verify::contest::{Contestant, load};
use fwgen::verify::topology::Topology;
use fwgen::verify::{probe, sys};

use super::mss::{host_in, ipv4};

/// Connections sent in a row.
pub const SENT: usize = 5;

/// What each of `SENT` connections from the net host to the firewall's
/// port 80 met, in order, with `contestant` loaded: `ACCEPT` when the
/// web server behind the forward answered.
pub fn burst(model: &Model, name: &str, contestant: &Contestant, dir: &Path) -> Vec<&'static str> {
    let topology = Topology::build(model, name).unwrap_or_else(|e| panic!("{e}"));
    load(model, contestant, &topology, dir).unwrap_or_else(|e| panic!("{e}"));
    let net = host_in(&topology, model, "net");
    let loc = host_in(&topology, model, "loc");
    let target = model.dnats[0].to;
    let _listener = probe::Listeners::start(&loc.netns, &loc.label, &[target], &[80])
        .unwrap_or_else(|e| panic!("{e}"));
    let firewall = topology
        .firewall_address_towards(&net, false)
        .expect("the firewall's address towards the net host");
    let (netns, source) = (net.netns.clone(), ipv4(&net));
    std::thread::spawn(move || {
        sys::enter(&netns).unwrap_or_else(|e| panic!("{e}"));
        (0..SENT)
            .map(|_| {
                probe::tcp((source, None), SocketAddr::new(firewall, 80))
                    .unwrap_or_else(|e| panic!("{e}"))
                    .verdict()
            })
            .collect()
    })
    .join()
    .expect("the sender")
}
