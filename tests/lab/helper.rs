//! A conntrack helper at work: a host opens an FTP control connection to
//! the firewall, asks for passive mode, and opens the data connection the
//! server's `227` reply announces, to a port no rule accepts. With the ftp
//! helper the kernel expects that connection and it passes as RELATED;
//! without one the policy decides it.

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use fwgen::model::Model;
use fwgen::verify::contest::{Contestant, load};
use fwgen::verify::sys;
use fwgen::verify::topology::Topology;

use super::mss::host_in;

const WAIT: Duration = Duration::from_secs(3);

/// Accept one connection within `WAIT`.
fn accept(listener: &TcpListener) -> Option<TcpStream> {
    listener.set_nonblocking(true).ok()?;
    let start = Instant::now();
    while start.elapsed() < WAIT {
        if let Ok((stream, _)) = listener.accept() {
            stream.set_nonblocking(false).ok()?;
            return Some(stream);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// The server's side: greet, answer PASV with a fresh data port, wait for
/// the data connection. True when it arrived.
fn serve(address: IpAddr, port: u16, ready: std::sync::mpsc::Sender<()>) -> bool {
    let control =
        TcpListener::bind(SocketAddr::new(address, port)).expect("listen on the control port");
    ready.send(()).expect("ready");
    let Some(mut stream) = accept(&control) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(WAIT));
    let _ = stream.write_all(b"220 lab\r\n");
    let mut line = String::new();
    let _ = BufReader::new(stream.try_clone().expect("clone")).read_line(&mut line);
    let data = TcpListener::bind(SocketAddr::new(address, 0)).expect("data port");
    let port = data.local_addr().expect("port").port();
    let IpAddr::V4(v4) = address else {
        panic!("IPv4 only")
    };
    let [a, b, c, d] = v4.octets();
    let reply = format!(
        "227 Entering Passive Mode ({a},{b},{c},{d},{},{})\r\n",
        port >> 8,
        port & 0xff
    );
    let _ = stream.write_all(reply.as_bytes());
    accept(&data).is_some()
}

/// The client's side: the data port from the `227` reply, and whether
/// connecting to it succeeded.
fn fetch(source: IpAddr, server: IpAddr, port: u16) -> bool {
    let Ok(stream) = TcpStream::connect_timeout(&SocketAddr::new(server, port), WAIT) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(WAIT));
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    let _ = reader.read_line(&mut line);
    let _ = (&stream).write_all(b"PASV\r\n");
    line.clear();
    let _ = reader.read_line(&mut line);
    let numbers: Vec<u16> = line
        .split(['(', ')'])
        .nth(1)
        .unwrap_or_default()
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let [.., high, low] = numbers[..] else {
        panic!("no 227 reply from the lab's FTP server: {line:?} (from {source})")
    };
    TcpStream::connect_timeout(&SocketAddr::new(server, high << 8 | low), WAIT).is_ok()
}

/// Whether a host of `zone` gets its passive FTP data connection to the
/// firewall through, with `contestant` loaded.
pub fn ftp_data_passes(
    model: &Model,
    name: &str,
    contestant: &Contestant,
    dir: &Path,
    zone: &str,
) -> bool {
    ftp_data_passes_on(model, name, contestant, dir, zone, 21)
}

/// The same with the FTP server's control connection on `port`.
pub fn ftp_data_passes_on(
    model: &Model,
    name: &str,
    contestant: &Contestant,
    dir: &Path,
    zone: &str,
    port: u16,
) -> bool {
    let topology = Topology::build(model, name).unwrap_or_else(|e| panic!("{e}"));
    load(model, contestant, &topology, dir).unwrap_or_else(|e| panic!("{e}"));
    let client = host_in(&topology, model, zone);
    let server = topology
        .firewall_address_towards(&client, false)
        .expect("the firewall's address towards the client");
    let fw_netns = topology.firewall.netns.clone();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let serving = std::thread::spawn(move || {
        sys::enter(&fw_netns).unwrap_or_else(|e| panic!("{e}"));
        serve(server, port, ready_tx)
    });
    ready_rx.recv_timeout(WAIT).expect("the FTP server listens");
    let source = super::mss::ipv4(&client);
    let netns = client.netns.clone();
    let fetching = std::thread::spawn(move || {
        sys::enter(&netns).unwrap_or_else(|e| panic!("{e}"));
        fetch(source, server, port)
    });
    let fetched = fetching.join().expect("client");
    let served = serving.join().expect("server");
    fetched && served
}
