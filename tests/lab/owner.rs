//! The owner of the firewall's own connections (Shorewall's USER/GROUP,
//! nftables' `meta skuid`/`skgid`): the firewall's namespace opens TCP
//! connections as two users in turn (`setpriv --reuid --regid
//! --clear-groups`), to listeners on hosts of the zones; a connection
//! that completes passed.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;

use fwgen::model::Model;
use fwgen::verify::contest::{Contestant, load};
use fwgen::verify::sys;
use fwgen::verify::topology::Topology;

use super::mss::{host_in, ipv4};
use crate::common::run;

/// One connection the firewall opens: as the user (and group) `id`, to
/// a host of `zone` on `port`.
pub struct Attempt {
    pub id: u32,
    pub zone: &'static str,
    pub port: u16,
}

/// Whether each attempt connected, with `contestant` loaded.
pub fn connects(
    model: &Model,
    name: &str,
    contestant: &Contestant,
    dir: &Path,
    attempts: &[Attempt],
) -> Vec<bool> {
    let topology = Topology::build(model, name).unwrap_or_else(|e| panic!("{e}"));
    load(model, contestant, &topology, dir).unwrap_or_else(|e| panic!("{e}"));
    let mut listeners: Vec<TcpListener> = Vec::new();
    let mut targets = Vec::new();
    for attempt in attempts {
        let host = host_in(&topology, model, attempt.zone);
        let address = SocketAddr::new(ipv4(&host), attempt.port);
        if !targets.contains(&address) {
            let netns = host.netns.clone();
            let listener = std::thread::spawn(move || {
                sys::enter(&netns).unwrap_or_else(|e| panic!("{e}"));
                TcpListener::bind(address).expect("listen")
            });
            listeners.push(listener.join().expect("listener"));
        }
        targets.push(address);
    }
    attempts
        .iter()
        .zip(&targets)
        .map(|(attempt, address)| {
            let id = attempt.id.to_string();
            let (reuid, regid) = (format!("--reuid={id}"), format!("--regid={id}"));
            let script = format!("exec 3<>/dev/tcp/{}/{}", address.ip(), address.port());
            let (ok, _) = run(
                "ip",
                &[
                    "netns",
                    "exec",
                    &topology.firewall.netns,
                    "setpriv",
                    &reuid,
                    &regid,
                    "--clear-groups",
                    "timeout",
                    "3",
                    "bash",
                    "-c",
                    &script,
                ],
            );
            ok
        })
        .collect()
}
