//! Real packets: listeners that answer with what they saw, and probes that
//! tell ACCEPT (answered), REJECT (refused or unreachable at once) and DROP
//! (no answer in time) apart. Each runs on a thread that has entered the
//! host's network namespace (a thread's namespace is its own).

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv6Addr, SocketAddr, TcpListener, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol as SockProtocol, Socket, Type};

use super::Result;
use super::sys::enter;
use crate::model::PortRange;

/// How long a probe waits for an answer.
pub const WAIT: Duration = Duration::from_millis(1500);

/// What a probe saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Answered by the host `label`, which saw the connection come from `seen`.
    Accept {
        label: Option<String>,
        seen: Option<IpAddr>,
        /// The source port it saw, compared only with a range.
        port: SourcePort,
    },
    Reject,
    Drop,
}

/// The source port a listener saw, as the contest compares it: only
/// where explain's expectation is a range (a source NAT's `ports`), which
/// the port seen must be in; any two ports seen agree (without a range
/// the kernel keeps a probe's port, or picks another on a clash).
#[derive(Debug, Clone, Copy)]
pub enum SourcePort {
    Seen(Option<u16>),
    Within(PortRange),
}

impl PartialEq for SourcePort {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (SourcePort::Seen(_), SourcePort::Seen(_)) => true,
            (SourcePort::Within(range), SourcePort::Seen(port))
            | (SourcePort::Seen(port), SourcePort::Within(range)) => {
                port.is_some_and(|p| range.contains(p))
            }
            (SourcePort::Within(a), SourcePort::Within(b)) => a == b,
        }
    }
}

impl Eq for SourcePort {}

impl Outcome {
    pub fn verdict(&self) -> &'static str {
        match self {
            Outcome::Accept { .. } => "ACCEPT",
            Outcome::Reject => "REJECT",
            Outcome::Drop => "DROP",
        }
    }

    pub fn short(&self) -> String {
        match self {
            Outcome::Accept {
                label: Some(label),
                seen: Some(seen),
                port: SourcePort::Within(range),
            } => format!(
                "ACCEPT {label} saw {seen} port {}:{}",
                range.low, range.high
            ),
            Outcome::Accept {
                label: Some(label),
                seen: Some(seen),
                ..
            } => format!("ACCEPT {label} saw {seen}"),
            Outcome::Accept { .. } => "ACCEPT".to_owned(),
            other => other.verdict().to_owned(),
        }
    }

    /// `{"verdict", "host", "seen"}`; host and seen are null unless known.
    pub fn json(&self) -> serde_json::Value {
        let (host, seen) = match self {
            Outcome::Accept { label, seen, .. } => (label.clone(), seen.map(|s| s.to_string())),
            _ => (None, None),
        };
        serde_json::json!({"verdict": self.verdict(), "host": host, "seen": seen})
    }
}

fn canonical(address: IpAddr) -> IpAddr {
    address.to_canonical()
}

fn answer(label: &str, peer: SocketAddr) -> String {
    format!("{label} {} {}\n", canonical(peer.ip()), peer.port())
}

/// A listener's [`answer`]: the label, which may hold spaces (a host of
/// no zone is `eth1(no zone)#1`), then the address and port it saw.
fn parse_answer(text: &str) -> Outcome {
    let mut words = text.trim().rsplitn(3, ' ');
    let port = words.next().and_then(|w| w.parse().ok());
    let seen = words.next().and_then(|w| w.parse().ok());
    let label = words.next().map(str::to_owned);
    let port = SourcePort::Seen(port);
    Outcome::Accept { label, seen, port }
}

/// Listeners on every port, TCP and UDP, in one namespace; each answers
/// with its host's label and the peer address it saw.
pub struct Listeners {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Listeners {
    /// UDP sockets are bound to each address, so replies leave from the
    /// address the probe was sent to (as conntrack expects after DNAT).
    pub fn start(
        netns: &str,
        label: &str,
        addresses: &[IpAddr],
        ports: &[u16],
    ) -> Result<Listeners> {
        let stop = Arc::new(AtomicBool::new(false));
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (namespace, label, ports, flag) = (
            netns.to_owned(),
            label.to_owned(),
            ports.to_vec(),
            stop.clone(),
        );
        let addresses = addresses.to_vec();
        let thread = std::thread::spawn(move || {
            let netns = namespace;
            let bound = (|| -> Result<(Vec<TcpListener>, Vec<UdpSocket>)> {
                enter(&netns)?;
                let any = SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0));
                let mut tcp = Vec::new();
                let mut udp = Vec::new();
                for &port in &ports {
                    let at = SocketAddr::new(any.ip(), port);
                    let listener =
                        TcpListener::bind(at).map_err(|e| format!("{netns}: tcp {port}: {e}"))?;
                    listener
                        .set_nonblocking(true)
                        .map_err(|e| format!("{netns}: tcp {port}: {e}"))?;
                    tcp.push(listener);
                    for &address in &addresses {
                        let at = SocketAddr::new(address, port);
                        let socket =
                            udp_listener(at).map_err(|e| format!("{netns}: udp {at}: {e}"))?;
                        socket
                            .set_nonblocking(true)
                            .map_err(|e| format!("{netns}: udp {at}: {e}"))?;
                        udp.push(socket);
                    }
                }
                Ok((tcp, udp))
            })();
            let (tcp, udp) = match bound {
                Ok(sockets) => {
                    let _ = ready_tx.send(Ok(()));
                    sockets
                }
                Err(error) => {
                    let _ = ready_tx.send(Err(error));
                    return;
                }
            };
            let mut buffer = [0u8; 64];
            while !flag.load(Ordering::Relaxed) {
                for listener in &tcp {
                    while let Ok((mut stream, peer)) = listener.accept() {
                        let _ = stream.write_all(answer(&label, peer).as_bytes());
                    }
                }
                for socket in &udp {
                    while let Ok((_, peer)) = socket.recv_from(&mut buffer) {
                        let _ = socket.send_to(answer(&label, peer).as_bytes(), peer);
                    }
                }
                std::thread::sleep(Duration::from_millis(2));
            }
        });
        let listeners = Listeners {
            stop,
            thread: Some(thread),
        };
        match ready_rx.recv_timeout(Duration::from_secs(10)) {
            Ok(Ok(())) => Ok(listeners),
            Ok(Err(error)) => Err(error),
            Err(_) => Err(format!("the listeners in {netns} did not start")),
        }
    }
}

/// A UDP listener that a probe from the same host may share its port with
/// (a port forward's SPORT equal to its DPORT): the probe's socket is
/// connected, so the kernel gives the answer to it, not to the listener.
fn udp_listener(at: SocketAddr) -> std::io::Result<UdpSocket> {
    let domain = if at.is_ipv6() {
        Domain::IPV6
    } else {
        Domain::IPV4
    };
    let socket = Socket::new(domain, Type::DGRAM, Some(SockProtocol::UDP))?;
    socket.set_reuse_address(true)?;
    socket.bind(&at.into())?;
    Ok(socket.into())
}

impl Drop for Listeners {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn classify(error: &std::io::Error) -> Outcome {
    use std::io::ErrorKind::*;
    match error.kind() {
        ConnectionRefused | HostUnreachable | NetworkUnreachable | ConnectionReset => {
            Outcome::Reject
        }
        _ if error.raw_os_error() == Some(libc::EHOSTUNREACH)
            || error.raw_os_error() == Some(libc::EACCES) =>
        {
            Outcome::Reject
        }
        _ => Outcome::Drop,
    }
}

/// A socket bound to `source` and its fixed port, or an ephemeral one.
/// Probes that share a fixed source port run at once: the port is reused.
fn socket_for(
    (source, port): (IpAddr, Option<u16>),
    kind: Type,
    proto: SockProtocol,
) -> std::io::Result<Socket> {
    let domain = if source.is_ipv6() {
        Domain::IPV6
    } else {
        Domain::IPV4
    };
    let socket = Socket::new(domain, kind, Some(proto))?;
    if port.is_some() {
        socket.set_reuse_address(true)?;
    }
    socket.bind(&SocketAddr::new(source, port.unwrap_or(0)).into())?;
    Ok(socket)
}

pub fn tcp(from: (IpAddr, Option<u16>), dest: SocketAddr) -> Result<Outcome> {
    let source = from.0;
    let socket = socket_for(from, Type::STREAM, SockProtocol::TCP)
        .map_err(|e| format!("tcp socket from {source}: {e}"))?;
    if let Err(error) = socket.connect_timeout(&dest.into(), WAIT) {
        return Ok(classify(&error));
    }
    let mut stream: std::net::TcpStream = socket.into();
    let _ = stream.set_read_timeout(Some(WAIT));
    let mut text = String::new();
    Ok(match stream.read_to_string(&mut text) {
        Ok(_) if !text.is_empty() => parse_answer(&text),
        _ => Outcome::Accept {
            label: None,
            seen: None,
            port: SourcePort::Seen(None),
        },
    })
}

pub fn udp(from: (IpAddr, Option<u16>), dest: SocketAddr) -> Result<Outcome> {
    let source = from.0;
    let socket = socket_for(from, Type::DGRAM, SockProtocol::UDP)
        .map_err(|e| format!("udp socket from {source}: {e}"))?;
    if let Err(error) = socket.connect(&dest.into()) {
        return Ok(classify(&error));
    }
    let socket: UdpSocket = socket.into();
    let _ = socket.set_read_timeout(Some(Duration::from_millis(200)));
    let deadline = Instant::now() + WAIT;
    let mut buffer = [0u8; 128];
    // Resend a few times: the first datagram may wait for ARP.
    while Instant::now() < deadline {
        // A datagram the firewall's own OUTPUT chain refuses fails with
        // EPERM, whether dropped or rejected; a REJECT's ICMP error then
        // arrives on the socket.
        match socket.send(b"probe") {
            Err(error) if error.raw_os_error() != Some(libc::EPERM) => {
                return Ok(classify(&error));
            }
            _ => {}
        }
        match socket.recv(&mut buffer) {
            Ok(n) => return Ok(parse_answer(&String::from_utf8_lossy(&buffer[..n]))),
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(error) => return Ok(classify(&error)),
        }
    }
    Ok(Outcome::Drop)
}

/// ICMP echo with iputils ping from the namespace: two echoes half a
/// second apart, answered when either is (`N received` with N above 0),
/// as the UDP probe resends and TCP retransmits. One echo alone read DROP
/// when it was lost under the probe pool's load (corpus_lab
/// warthog9_segmented_home: one ping towards a host in one contestant,
/// the others and explain ACCEPT, in two of three runs).
pub fn ping(netns: &str, source: IpAddr, dest: IpAddr) -> Result<Outcome> {
    let output = std::process::Command::new("ip")
        .args([
            "netns", "exec", netns, "ping", "-n", "-c", "2", "-i", "0.5", "-W", "1.5", "-I",
        ])
        .arg(source.to_string())
        .arg(dest.to_string())
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("cannot run ping: {e}"))?;
    Ok(ping_outcome(&String::from_utf8_lossy(&output.stdout)))
}

/// The outcome of iputils ping's report: answered when an echo came back,
/// REJECT when an ICMP error did, DROP otherwise.
fn ping_outcome(report: &str) -> Outcome {
    let text = report.to_lowercase();
    let received = text
        .split(',')
        .find_map(|part| part.trim().strip_suffix(" received"))
        .and_then(|n| n.trim().parse::<u32>().ok())
        .unwrap_or(0);
    if received > 0 {
        Outcome::Accept {
            label: None,
            seen: None,
            port: SourcePort::Seen(None),
        }
    } else if text.contains("unreachable")
        || text.contains("prohibited")
        || text.contains("filtered")
    {
        Outcome::Reject
    } else {
        Outcome::Drop
    }
}

#[cfg(test)]
mod answer_tests {
    use super::{Outcome, answer, parse_answer};

    #[test]
    fn a_label_with_spaces_keeps_the_address_it_saw() {
        let peer = "198.18.1.1:40000".parse().unwrap();
        let Outcome::Accept { label, seen, .. } = parse_answer(&answer("eth1(no zone)#1", peer))
        else {
            panic!("not an answer");
        };
        assert_eq!(label.as_deref(), Some("eth1(no zone)#1"));
        assert_eq!(seen, Some(peer.ip()));
        let Outcome::Accept { label, seen, .. } = parse_answer(&answer("loc#1", peer)) else {
            panic!("not an answer");
        };
        assert_eq!((label.as_deref(), seen), (Some("loc#1"), Some(peer.ip())));
    }
}

#[cfg(test)]
mod ping_tests {
    use super::{Outcome, ping_outcome};

    #[test]
    fn a_ping_is_answered_when_either_echo_came_back() {
        let one = "PING 10.0.0.2 (10.0.0.2) from 10.0.1.2 : 56(84) bytes of data.\n\
                   64 bytes from 10.0.0.2: icmp_seq=2 ttl=63 time=0.1 ms\n\n\
                   --- 10.0.0.2 ping statistics ---\n\
                   2 packets transmitted, 1 received, 50% packet loss, time 505ms\n";
        assert!(matches!(ping_outcome(one), Outcome::Accept { .. }));
        let none = "--- 10.0.0.2 ping statistics ---\n\
                    2 packets transmitted, 0 received, 100% packet loss, time 505ms\n";
        assert!(matches!(ping_outcome(none), Outcome::Drop));
        let refused = "From 10.0.1.1 icmp_seq=1 Destination Host Prohibited\n\n\
                       --- 10.0.0.2 ping statistics ---\n\
                       2 packets transmitted, 0 received, +2 errors, 100% packet loss\n";
        assert!(matches!(ping_outcome(refused), Outcome::Reject));
    }
}
