//! A rate limit on rules that log decides what is logged and what passes
//! (tests/models/rate-log.toml): from one net host, six SYNs to port 22
//! (`ACCEPT:info:rlsh`, RATE 10/min:3, a REJECT rule below) and six to
//! port 80 (`LOG:notice:rltcp`, RATE 3/min:4, an ACCEPT rule below).
//!
//! The observable is the kernel log: both Shorewall's LOG target and
//! nftables' `log` statement write through the kernel's nf_log, which
//! logs for a network namespace only with `net.netfilter.nf_log_all_netns
//! = 1` (set here, a host-wide switch that only lets namespaces log).
//! /dev/kmsg is read from its end on, during the bursts, and the records with
//! each prefix and the sender's address are counted after them.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom};
use std::net::SocketAddr;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use fwgen::model::Model;
use fwgen::verify::contest::{Contestant, load};
use fwgen::verify::topology::Topology;
use fwgen::verify::{probe, sys};

use super::mss::{host_in, ipv4};

/// What the packets of the two bursts met, in the order sent, and how
/// many log records each rule wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    pub ssh: Vec<&'static str>,
    pub ssh_logged: usize,
    pub web: Vec<&'static str>,
    pub web_logged: usize,
}

const SENT: usize = 6;
const SSH_PREFIX: &str = "Shorewall:net-fw:ACCEPT:rlsh ";
const WEB_PREFIX: &str = "Shorewall:net-fw:LOG:rltcp ";

/// The bursts sent by a net host to the firewall with `contestant` loaded.
pub fn bursts(model: &Model, name: &str, contestant: &Contestant, dir: &Path) -> Logged {
    let topology = Topology::build(model, name).unwrap_or_else(|e| panic!("{e}"));
    load(model, contestant, &topology, dir).unwrap_or_else(|e| panic!("{e}"));
    let sender = host_in(&topology, model, "net");
    let source = ipv4(&sender);
    let target = topology
        .firewall_address_towards(&sender, false)
        .expect("the firewall's address towards the net host");
    let kmsg = KernelLog::start();
    let stop = Arc::new(AtomicBool::new(false));
    let listener = super::rate::listen(&topology.firewall.netns, target, Arc::clone(&stop));
    let netns = sender.netns.clone();
    let tcp = std::thread::spawn(move || {
        sys::enter(&netns).unwrap_or_else(|e| panic!("{e}"));
        let burst = |port| -> Vec<&'static str> {
            (0..SENT)
                .map(|_| {
                    probe::tcp((source, None), SocketAddr::new(target, port))
                        .unwrap_or_else(|e| panic!("{e}"))
                        .verdict()
                })
                .collect()
        };
        (burst(22), burst(80))
    });
    let (ssh, web) = tcp.join().expect("the TCP sender");
    stop.store(true, Ordering::SeqCst);
    listener.join().expect("the firewall's listener");
    let records = kmsg.records();
    let count = |prefix: &str| {
        let from = format!("SRC={source} ");
        records
            .iter()
            .filter(|r| r.contains(prefix) && r.contains(&from))
            .count()
    };
    Logged {
        ssh_logged: count(SSH_PREFIX),
        web_logged: count(WEB_PREFIX),
        ssh,
        web,
    }
}

/// The kernel log from now on, drained by a thread of its own every few
/// milliseconds: other labs on the same kernel may log fast enough to
/// overwrite a record in the ring buffer before a reader that waits sees it.
pub struct KernelLog {
    stop: Arc<AtomicBool>,
    reader: std::thread::JoinHandle<Vec<String>>,
}

impl KernelLog {
    pub fn start() -> KernelLog {
        let mut kmsg = kernel_log();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let reader = std::thread::spawn(move || {
            let mut records = Vec::new();
            // At most ten minutes.
            for _ in 0..60_000 {
                let done = stopped.load(Ordering::SeqCst);
                records.extend(new_records(&mut kmsg));
                if done {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            records
        });
        KernelLog { stop, reader }
    }

    /// Every record written since [`KernelLog::start`], a moment after the
    /// last packet (the kernel logs as it judges).
    pub fn records(self) -> Vec<String> {
        std::thread::sleep(Duration::from_millis(300));
        self.stop.store(true, Ordering::SeqCst);
        self.reader.join().expect("the kernel log reader")
    }
}

/// /dev/kmsg, read from its end on, after letting namespaces log.
fn kernel_log() -> File {
    let switch = "/proc/sys/net/netfilter/nf_log_all_netns";
    std::fs::write(switch, "1").unwrap_or_else(|e| panic!("setting {switch}: {e}"));
    let mut kmsg = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open("/dev/kmsg")
        .unwrap_or_else(|e| panic!("opening /dev/kmsg: {e}"));
    kmsg.seek(SeekFrom::End(0))
        .unwrap_or_else(|e| panic!("seeking to the end of /dev/kmsg: {e}"));
    kmsg
}

/// The records written since the last read: one record per read, until
/// none is left (EAGAIN); a record overwritten before it was read (EPIPE)
/// is skipped, and counted as missing by the caller's assertions.
fn new_records(kmsg: &mut File) -> Vec<String> {
    let mut records = Vec::new();
    let mut buffer = vec![0u8; 8192];
    for _ in 0..100_000 {
        match kmsg.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => records.push(String::from_utf8_lossy(&buffer[..n]).into_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
            Err(e) if e.raw_os_error() == Some(libc::EPIPE) => continue,
            Err(e) => panic!("reading /dev/kmsg: {e}"),
        }
    }
    records
}
