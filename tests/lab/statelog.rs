//! RELATED_LOG_LEVEL seen in the kernel log (tests/models/state-logs.toml):
//! a loc host connects to a port of the firewall that no rule opens; the
//! policy rejects it, and the firewall's TCP reset leaves as a RELATED
//! packet, which the `fw-loc` pair chain logs as `Shorewall:+fw-loc:ACCEPT:`
//! before accepting it. The kernel log is read as tests/lab/ratelog.rs
//! reads it.

use std::net::SocketAddr;
use std::path::Path;

use fwgen::model::Model;
use fwgen::verify::contest::{Contestant, load};
use fwgen::verify::topology::Topology;
use fwgen::verify::{probe, sys};

use super::mss::{host_in, ipv4};
use super::ratelog::KernelLog;

const RELATED_PREFIX: &str = "Shorewall:+fw-loc:ACCEPT:";
const SENT: usize = 3;

/// What the loc host's connections met, and how many log records of the
/// related state name it as their destination.
pub fn rejected_and_logged(
    model: &Model,
    name: &str,
    contestant: &Contestant,
    dir: &Path,
) -> (Vec<&'static str>, usize) {
    let topology = Topology::build(model, name).unwrap_or_else(|e| panic!("{e}"));
    load(model, contestant, &topology, dir).unwrap_or_else(|e| panic!("{e}"));
    let sender = host_in(&topology, model, "loc");
    let source = ipv4(&sender);
    let target = topology
        .firewall_address_towards(&sender, false)
        .expect("the firewall's address towards the loc host");
    let kmsg = KernelLog::start();
    let netns = sender.netns.clone();
    let probes = std::thread::spawn(move || {
        sys::enter(&netns).unwrap_or_else(|e| panic!("{e}"));
        (0..SENT)
            .map(|_| {
                probe::tcp((source, None), SocketAddr::new(target, 8080))
                    .unwrap_or_else(|e| panic!("{e}"))
                    .verdict()
            })
            .collect::<Vec<_>>()
    });
    let verdicts = probes.join().expect("the TCP sender");
    let to = format!("DST={source} ");
    let logged = kmsg
        .records()
        .iter()
        .filter(|r| r.contains(RELATED_PREFIX) && r.contains(&to))
        .count();
    (verdicts, logged)
}
