//! Rate and connection limits decide the verdict: from one host of the
//! net zone, a burst of TCP SYNs to two ports under one plain rate limit
//! (a REJECT rule below it for one, the DROP policy for the other), a burst of pings under a per-source limit (the
//! policy below it drops), and connections held open under a connection
//! limit. What each packet met, in order, must be the same for Shorewall's
//! compiled firewall and for fwgen's nftables ruleset
//! (tests/models/rate-limits.toml).

use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use fwgen::model::Model;
use fwgen::verify::contest::{Contestant, load};
use fwgen::verify::topology::Topology;
use fwgen::verify::{probe, sys};

use super::mss::{host_in, ipv4};
use super::ratelog::KernelLog;

/// What each packet of the three bursts met, in the order sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bursts {
    /// Six SYNs to ports 22 and 2222 in turn (`rate = "10/minute"`, burst
    /// 3, one bucket for both ports).
    pub ssh: Vec<&'static str>,
    /// Six pings (`rate = "1/min"`, burst 2, per source).
    pub ping: Vec<&'static str>,
    /// Three connections to port 80 kept open (`connlimit = 2`).
    pub held: Vec<&'static str>,
    /// The log records of the port 80 rule (`log = "info"`) from the
    /// sender: only connections under the limit are logged.
    pub held_logged: usize,
}

const HELD_PREFIX: &str = "Shorewall:net-fw:ACCEPT:";

pub const SENT: usize = 6;
const HELD: usize = 3;

/// The bursts sent by a net host to the firewall with `contestant` loaded.
pub fn bursts(model: &Model, name: &str, contestant: &Contestant, dir: &Path) -> Bursts {
    let topology = Topology::build(model, name).unwrap_or_else(|e| panic!("{e}"));
    load(model, contestant, &topology, dir).unwrap_or_else(|e| panic!("{e}"));
    let sender = host_in(&topology, model, "net");
    let source = ipv4(&sender);
    let target = topology
        .firewall_address_towards(&sender, false)
        .expect("the firewall's address towards the net host");
    let kmsg = KernelLog::start();
    let stop = Arc::new(AtomicBool::new(false));
    let listener = listen(&topology.firewall.netns, target, Arc::clone(&stop));
    let netns = sender.netns.clone();
    let tcp = std::thread::spawn(move || {
        sys::enter(&netns).unwrap_or_else(|e| panic!("{e}"));
        let ssh: Vec<&'static str> = (0..SENT)
            .map(|n| {
                let port = if n % 2 == 0 { 22 } else { 2222 };
                probe::tcp((source, None), SocketAddr::new(target, port))
                    .unwrap_or_else(|e| panic!("{e}"))
                    .verdict()
            })
            .collect();
        let mut open: Vec<TcpStream> = Vec::new();
        let mut held = Vec::new();
        for _ in 0..HELD {
            match TcpStream::connect_timeout(&SocketAddr::new(target, 80), probe::WAIT) {
                Ok(stream) => {
                    open.push(stream);
                    held.push("ACCEPT");
                }
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => held.push("REJECT"),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => held.push("DROP"),
                Err(e) => panic!("connecting to {target}:80: {e}"),
            }
        }
        (ssh, held)
    });
    let (ssh, held) = tcp.join().expect("the TCP sender");
    let ping = (0..SENT)
        .map(|_| {
            probe::ping(&sender.netns, source, target)
                .unwrap_or_else(|e| panic!("{e}"))
                .verdict()
        })
        .collect();
    stop.store(true, Ordering::SeqCst);
    listener.join().expect("the firewall's listener");
    let from = format!("SRC={source} ");
    let held_logged = kmsg
        .records()
        .iter()
        .filter(|r| r.contains(HELD_PREFIX) && r.contains(&from) && r.contains("DPT=80 "))
        .count();
    Bursts {
        ssh,
        ping,
        held,
        held_logged,
    }
}

/// The firewall listens on ports 22 and 2222 (closing each connection at
/// once) and 80 (keeping them open) until `stop`, for at most a minute.
pub fn listen(netns: &str, address: IpAddr, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
    let netns = netns.to_owned();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        sys::enter(&netns).unwrap_or_else(|e| panic!("{e}"));
        let bind = |port| {
            let listener = TcpListener::bind(SocketAddr::new(address, port)).expect("listen");
            listener.set_nonblocking(true).expect("nonblocking");
            listener
        };
        let (ssh, web) = ([bind(22), bind(2222)], bind(80));
        ready_tx.send(()).expect("ready");
        let mut kept = Vec::new();
        for _ in 0..1200 {
            if stop.load(Ordering::SeqCst) {
                break;
            }
            for listener in &ssh {
                while let Ok((stream, _)) = listener.accept() {
                    drop(stream);
                }
            }
            while let Ok((stream, _)) = web.accept() {
                kept.push(stream);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    ready_rx
        .recv_timeout(Duration::from_secs(5))
        .expect("the firewall listens");
    handle
}
