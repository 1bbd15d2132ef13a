//! Untracked packets beside an INVALID section (tests/models/untracked-invalid.toml):
//! a table of the lab's own, at the raw priority of prerouting, takes TCP
//! to ports 22 and 8080 out of conntrack (`notrack`, as a NOTRACK rule of
//! Shorewall's conntrack file does), in the firewall's namespace, after
//! the contestant is loaded. Each probe's SYN then reaches the filter as
//! UNTRACKED; the answers are tracked (a SYN-ACK without a connection is
//! INVALID, which the model lets continue, then the firewall's and loc's
//! policies towards net accept), so the SYN's verdict is the probe's.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;

use fwgen::explain::{Place, Query, explain_as};
use fwgen::model::{Model, Protocol, Verdict, ZoneId};
use fwgen::ruleset::CtState;
use fwgen::ruleset::lower::lower;
use fwgen::verify::contest::{Contestant, load};
use fwgen::verify::probe::Listeners;
use fwgen::verify::topology::{Host, Topology};
use fwgen::verify::{probe, sys};

use super::mss::{host_in, ipv4};
use crate::common::run;

pub const PORTS: [u16; 2] = [22, 8080];

/// The probes: (from zone, to zone, port); `$FW` is the firewall.
pub const PROBES: [(&str, &str, u16); 4] = [
    ("net", "$FW", 22),
    ("net", "loc", 22),
    ("loc", "$FW", 22),
    ("net", "$FW", 8080),
];

const NOTRACK: &str = "table inet labnotrack {
  chain prerouting {
    type filter hook prerouting priority raw; policy accept;
    tcp dport { 22, 8080 } notrack;
  }
}
";

/// What each of [`PROBES`]'s untracked SYNs met with `contestant` loaded.
pub fn verdicts(
    model: &Model,
    name: &str,
    contestant: &Contestant,
    dir: &Path,
) -> Vec<&'static str> {
    let topology = Topology::build(model, name).unwrap_or_else(|e| panic!("{e}"));
    load(model, contestant, &topology, dir).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join(format!("{name}-notrack.nft"));
    std::fs::write(&file, NOTRACK).unwrap();
    let netns = &topology.firewall.netns;
    let (ok, out) = run(
        "ip",
        &["netns", "exec", netns, "nft", "-f", &file.to_string_lossy()],
    );
    assert!(ok, "the lab's notrack table: {out}");
    let loc = host_in(&topology, model, "loc");
    let firewall = &topology.firewall;
    let _listeners = [(firewall, "fw"), (&loc, "loc")].map(|(host, label)| {
        Listeners::start(&host.netns, label, &host.addresses, &PORTS)
            .unwrap_or_else(|e| panic!("{e}"))
    });
    PROBES
        .iter()
        .map(|&(from, to, port)| {
            let sender = host_in(&topology, model, from);
            let target = target(&topology, &sender, &loc, to);
            send(&sender, target, port)
        })
        .collect()
}

fn target(topology: &Topology, sender: &Host, loc: &Host, to: &str) -> IpAddr {
    match to {
        "$FW" => topology
            .firewall_address_towards(sender, false)
            .expect("the firewall's address towards the sender"),
        _ => ipv4(loc),
    }
}

fn send(sender: &Host, target: IpAddr, port: u16) -> &'static str {
    let source = ipv4(sender);
    let netns = sender.netns.clone();
    std::thread::spawn(move || {
        sys::enter(&netns).unwrap_or_else(|e| panic!("{e}"));
        probe::tcp((source, None), SocketAddr::new(target, port))
            .unwrap_or_else(|e| panic!("{e}"))
            .verdict()
    })
    .join()
    .expect("the TCP sender")
}

/// What `explain` says of each of [`PROBES`]'s SYNs in state UNTRACKED.
pub fn explained(model: &Model) -> Vec<&'static str> {
    let ruleset = lower(model);
    let zone = |name: &str| match name {
        "$FW" => ZoneId::Firewall,
        _ => ZoneId::Zone(
            model
                .zones
                .iter()
                .position(|z| z.name == name)
                .unwrap_or_else(|| panic!("no zone {name}")),
        ),
    };
    let place = |name: &str| Place {
        zone: Some(zone(name)),
        address: None,
        interface: None,
        device: None,
    };
    PROBES
        .iter()
        .map(|&(from, to, port)| {
            let query = Query {
                from: place(from),
                to: place(to),
                proto: Some(Protocol::Tcp),
                dport: Some(port),
                sport: None,
                icmp_type: None,
                icmp_code: None,
                source_mac: None,
                owner: None,
            };
            let answer = explain_as(model, &ruleset, &query, CtState::Untracked)
                .unwrap_or_else(|e| panic!("explain: {e:?}"));
            match answer.verdict {
                Verdict::Accept => "ACCEPT",
                Verdict::Drop => "DROP",
                Verdict::Reject => "REJECT",
                Verdict::Log => panic!("explain ends in a verdict"),
            }
        })
        .collect()
}
