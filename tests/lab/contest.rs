//! The contest: the same probes against Shorewall's compiled firewall, the
//! nftables ruleset and `fwgen explain`; every disagreement is reported.

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;

use fwgen::backend::{self, Backend};
use fwgen::explain::{Nat, Place, Query, explain};
use fwgen::model::{InterfaceOption, Model, Protocol, Verdict, ZoneId};

use super::probe::{self, Listeners, Outcome};
use super::topology::{Host, Topology};
use crate::common::run;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Tcp(u16),
    Udp(u16),
    Ping,
    /// A DHCP lease from dnsmasq on the firewall, through the firewall.
    Dhcp,
}

/// One new connection to try.
#[derive(Debug, Clone)]
pub struct Probe {
    pub from: String,
    pub from_netns: String,
    pub from_zone: ZoneId,
    pub source: IpAddr,
    pub to: String,
    pub to_zone: ZoneId,
    pub dest: IpAddr,
    pub kind: Kind,
}

impl Probe {
    pub fn describe(&self) -> String {
        let what = match self.kind {
            Kind::Tcp(port) => format!("tcp {port}"),
            Kind::Udp(port) => format!("udp {port}"),
            Kind::Ping => "ping".to_owned(),
            Kind::Dhcp => "dhcp lease".to_owned(),
        };
        format!(
            "{} {} -> {} {} {what}",
            self.from, self.source, self.to, self.dest
        )
    }
}

/// Which firewalls take part.
#[derive(Debug, Clone)]
pub enum Contestant {
    Shorewall,
    /// An original Shorewall configuration directory (the one the model
    /// was imported from), compiled by Shorewall itself.
    ShorewallDir(std::path::PathBuf),
    /// The nftables ruleset, possibly altered by a test.
    Nftables(String),
}

/// Every port a probe uses: the model's ports, a few common ones, and one
/// no rule names.
pub fn ports(model: &Model) -> Vec<u16> {
    let mut ports: BTreeSet<u16> = [22, 53, 80, 7777].into_iter().collect();
    for rule in &model.rules {
        for service in &rule.services {
            for range in &service.dports {
                ports.insert(range.low);
                ports.insert(range.high);
            }
        }
    }
    for dnat in &model.dnats {
        for range in &dnat.dports {
            ports.insert(range.low);
            ports.insert(range.high);
        }
        ports.extend(dnat.to_port);
    }
    ports.retain(|p| !(67..=68).contains(p));
    ports.into_iter().collect()
}

fn crosses_firewall(model: &Model, from: &Host, to: &Host) -> bool {
    match (from.interface, to.interface) {
        (Some(a), Some(b)) if a == b => model.interfaces[a].routeback(),
        _ => true,
    }
}

fn kinds(ports: &[u16]) -> Vec<Kind> {
    let mut kinds: Vec<Kind> = ports.iter().map(|&p| Kind::Tcp(p)).collect();
    kinds.extend(ports.iter().map(|&p| Kind::Udp(p)));
    kinds.push(Kind::Ping);
    kinds
}

pub fn probes(model: &Model, topology: &Topology) -> Vec<Probe> {
    let ports = ports(model);
    let hosts = topology.all_hosts();
    let mut probes = Vec::new();
    for from in &hosts {
        for to in &hosts {
            let both_fw = from.zone == ZoneId::Firewall && to.zone == ZoneId::Firewall;
            if from.label == to.label || both_fw || !crosses_firewall(model, from, to) {
                continue;
            }
            for ipv6 in [false, true] {
                let Some((sources, dest)) = ends(topology, from, to, ipv6) else {
                    continue;
                };
                for source in sources {
                    for kind in kinds(&ports) {
                        probes.push(probe(from, to, source, dest, kind));
                    }
                }
            }
        }
    }
    probes.extend(dnat_probes(model, topology));
    probes
}

fn probe(from: &Host, to: &Host, source: IpAddr, dest: IpAddr, kind: Kind) -> Probe {
    Probe {
        from: from.label.clone(),
        from_netns: from.netns.clone(),
        from_zone: from.zone,
        source,
        to: to.label.clone(),
        to_zone: to.zone,
        dest,
        kind,
    }
}

/// Source addresses and the destination address between two hosts.
fn ends(topology: &Topology, from: &Host, to: &Host, ipv6: bool) -> Option<(Vec<IpAddr>, IpAddr)> {
    let family = |a: &&IpAddr| a.is_ipv6() == ipv6;
    let sources: Vec<IpAddr> = if from.zone == ZoneId::Firewall {
        vec![topology.firewall_address_towards(to, ipv6)?]
    } else {
        from.addresses
            .iter()
            .chain(&from.extra)
            .filter(family)
            .copied()
            .collect()
    };
    let dest = if to.zone == ZoneId::Firewall {
        topology.firewall_address_towards(from, ipv6)?
    } else {
        *to.addresses.iter().find(family)?
    };
    (!sources.is_empty()).then_some((sources, dest))
}

fn dnat_probes(model: &Model, topology: &Topology) -> Vec<Probe> {
    let mut probes = Vec::new();
    for dnat in &model.dnats {
        for host in topology
            .hosts
            .iter()
            .filter(|h| dnat.source.zone.matches(h.zone))
        {
            let ipv6 = dnat.is_ipv6();
            let Some(dest) = topology.firewall_address_towards(host, ipv6) else {
                continue;
            };
            let sources = host
                .addresses
                .iter()
                .chain(&host.extra)
                .filter(|a| a.is_ipv6() == ipv6);
            for &source in sources {
                let mut ports: BTreeSet<u16> = BTreeSet::new();
                for range in &dnat.dports {
                    ports.insert(range.low);
                    ports.insert(range.high);
                }
                for port in ports {
                    let kind = if dnat.proto == Protocol::Tcp {
                        Kind::Tcp(port)
                    } else {
                        Kind::Udp(port)
                    };
                    probes.push(probe(host, &topology.firewall, source, dest, kind));
                }
            }
        }
    }
    probes
}

/// The DHCP probes: a client on every IPv4 interface with `dhcp`, or
/// whose zone the model lets reach the firewall's DHCP server anyway (as
/// lxc-host's containers do through `loc -> $FW`), asks dnsmasq on the
/// firewall. On a bridge the client is a new container; on a plain link it
/// is the link's host.
pub fn dhcp_probes(model: &Model, topology: &Topology) -> Vec<Probe> {
    model
        .interfaces
        .iter()
        .enumerate()
        .filter(|(_, i)| model.zones[i.zone].family.has_ipv4())
        .filter(|(_, i)| i.dhcp() || server_accepts(model, ZoneId::Zone(i.zone)))
        .filter_map(|(index, i)| {
            let host = topology.hosts.iter().find(|h| h.interface == Some(index))?;
            let dest = topology.firewall_address_towards(host, false)?;
            let from_netns = if i.has(InterfaceOption::Bridge) {
                format!("{}-dhcp{index}", topology.prefix)
            } else {
                host.netns.clone()
            };
            Some(Probe {
                from: format!("{}(dhcp)", host.label),
                from_netns,
                from_zone: host.zone,
                source: IpAddr::from([0, 0, 0, 0]),
                to: "fw".to_owned(),
                to_zone: ZoneId::Firewall,
                dest,
                kind: Kind::Dhcp,
            })
        })
        .collect()
}

/// Whether the model accepts a DHCP request from `zone` to the firewall.
fn server_accepts(model: &Model, zone: ZoneId) -> bool {
    let (ask, _) = dhcp_queries(zone);
    explain(model, &ask).is_ok_and(|a| a.verdict == Verdict::Accept)
}

// ----- what explain expects -----

fn query(probe: &Probe, proto: Option<Protocol>, dport: Option<u16>, icmp: Option<u8>) -> Query {
    Query {
        from: Place {
            zone: Some(probe.from_zone),
            address: Some(probe.source),
        },
        to: Place {
            zone: Some(probe.to_zone),
            address: Some(probe.dest),
        },
        proto,
        dport,
        sport: None,
        icmp_type: icmp,
    }
}

pub fn expected(model: &Model, topology: &Topology, probe: &Probe) -> Outcome {
    let ipv6 = probe.dest.is_ipv6();
    let (proto, dport, icmp) = match probe.kind {
        Kind::Tcp(port) => (Some(Protocol::Tcp), Some(port), None),
        Kind::Udp(port) => (Some(Protocol::Udp), Some(port), None),
        Kind::Ping if ipv6 => (Some(Protocol::Icmpv6), None, Some(128)),
        Kind::Ping => (Some(Protocol::Icmp), None, Some(8)),
        Kind::Dhcp => return expected_dhcp(model, probe),
    };
    let answer = explain(model, &query(probe, proto, dport, icmp)).expect("explain");
    match answer.verdict {
        Verdict::Drop => return Outcome::Drop,
        Verdict::Reject => return Outcome::Reject,
        Verdict::Accept => {}
    }
    if probe.kind == Kind::Ping {
        return Outcome::Accept {
            label: None,
            seen: None,
        };
    }
    let mut dest = probe.dest;
    let mut seen = probe.source;
    for nat in &answer.nat {
        match nat {
            Nat::Dnat { to, .. } => dest = *to,
            Nat::Snat { to, .. } => seen = *to,
            Nat::Masquerade { interface, .. } => {
                let index = model
                    .interfaces
                    .iter()
                    .position(|i| &i.physical == interface)
                    .expect("interface");
                seen = topology.links[index]
                    .firewall
                    .iter()
                    .copied()
                    .find(|a| a.is_ipv6() == ipv6)
                    .expect("address");
            }
        }
    }
    let label = topology
        .all_hosts()
        .into_iter()
        .find(|h| h.addresses.contains(&dest) || h.extra.contains(&dest))
        .map(|h| h.label.clone());
    Outcome::Accept {
        label,
        seen: Some(seen),
    }
}

/// The request from `zone` to the firewall's server, and the reply.
fn dhcp_queries(zone: ZoneId) -> (Query, Query) {
    let ask = Query {
        from: Place {
            zone: Some(zone),
            address: None,
        },
        to: Place {
            zone: Some(ZoneId::Firewall),
            address: None,
        },
        proto: Some(Protocol::Udp),
        dport: Some(67),
        sport: Some(68),
        icmp_type: None,
    };
    let reply = Query {
        from: ask.to,
        to: ask.from,
        dport: Some(68),
        sport: Some(67),
        ..ask
    };
    (ask, reply)
}

/// A lease needs both directions: client to server (67) and back (68).
fn expected_dhcp(model: &Model, probe: &Probe) -> Outcome {
    let (ask, reply) = dhcp_queries(probe.from_zone);
    let accepted = |q: &Query| explain(model, q).is_ok_and(|a| a.verdict == Verdict::Accept);
    if accepted(&ask) && accepted(&reply) {
        Outcome::Accept {
            label: None,
            seen: None,
        }
    } else {
        Outcome::Drop
    }
}

// ----- loading a contestant -----

pub fn load(model: &Model, contestant: &Contestant, topology: &Topology, dir: &Path) {
    match contestant {
        Contestant::Shorewall => load_shorewall(model, topology, dir),
        Contestant::ShorewallDir(original) => load_original(original, topology, dir),
        Contestant::Nftables(ruleset) => {
            let file = dir.join("fwgen.nft");
            std::fs::write(&file, ruleset).unwrap();
            let (ok, out) = run(
                "ip",
                &[
                    "netns",
                    "exec",
                    &topology.firewall.netns,
                    "nft",
                    "-f",
                    file.to_str().unwrap(),
                ],
            );
            assert!(ok, "nft -f failed in the lab:\n{out}");
        }
    }
}

/// Compile and start a copy of an original Shorewall directory; its
/// samples ship with STARTUP_ENABLED=No, the one setting the lab changes.
fn load_original(original: &Path, topology: &Topology, dir: &Path) {
    let copy = dir.join("original");
    let _ = std::fs::remove_dir_all(&copy);
    std::fs::create_dir_all(&copy).unwrap();
    for entry in std::fs::read_dir(original).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() && path.extension().is_none()
            || path.file_name().is_some_and(|n| n == "shorewall.conf")
        {
            std::fs::copy(&path, copy.join(path.file_name().unwrap())).unwrap();
        }
    }
    let conf = copy.join("shorewall.conf");
    let text = std::fs::read_to_string(&conf)
        .unwrap()
        .replace("STARTUP_ENABLED=No", "STARTUP_ENABLED=Yes");
    std::fs::write(&conf, text).unwrap();
    compile_and_start("shorewall", &copy, &dir.join("original.compiled"), topology);
}

/// `PRODUCT compile CONFIG SCRIPT`, then the script's `start` in the lab.
fn compile_and_start(product: &str, config: &Path, script: &Path, topology: &Topology) {
    let (ok, out) = run(
        product,
        &[
            "compile",
            config.to_str().unwrap(),
            script.to_str().unwrap(),
        ],
    );
    assert!(
        ok,
        "{product} compile of {} failed:\n{out}",
        config.display()
    );
    let (ok, out) = run(
        "ip",
        &[
            "netns",
            "exec",
            &topology.firewall.netns,
            script.to_str().unwrap(),
            "start",
        ],
    );
    assert!(ok, "{product} start failed in the lab:\n{out}");
}

fn load_shorewall(model: &Model, topology: &Topology, dir: &Path) {
    let files = backend::render(model, Backend::Shorewall).expect("render");
    crate::common::write_tree(
        dir,
        files.iter().map(|f| (f.path.as_str(), f.content.as_str())),
    );
    for product in ["shorewall", "shorewall6"] {
        let config = dir.join(product);
        if !config.is_dir() {
            continue;
        }
        compile_and_start(
            product,
            &config,
            &dir.join(format!("{product}.compiled")),
            topology,
        );
    }
}

// ----- running probes -----

pub fn run_probes(probes: &[Probe]) -> Vec<Outcome> {
    let mut outcomes = Vec::with_capacity(probes.len());
    for chunk in probes.chunks(96) {
        let handles: Vec<_> = chunk
            .iter()
            .cloned()
            .map(|p| {
                std::thread::spawn(move || {
                    probe::enter(&p.from_netns);
                    match p.kind {
                        Kind::Tcp(port) => probe::tcp(p.source, SocketAddr::new(p.dest, port)),
                        Kind::Udp(port) => probe::udp(p.source, SocketAddr::new(p.dest, port)),
                        Kind::Ping => probe::ping(&p.from_netns, p.source, p.dest),
                        Kind::Dhcp => unreachable!("dhcp probes run on their own"),
                    }
                })
            })
            .collect();
        outcomes.extend(handles.into_iter().map(|h| h.join().expect("probe thread")));
    }
    outcomes
}

/// Start dnsmasq on the firewall's bridge and ask for a lease from a
/// container with no address.
pub fn run_dhcp(model: &Model, topology: &Topology, probe: &Probe) -> Outcome {
    let on_link = topology.hosts.iter().find(|h| h.netns == probe.from_netns);
    let index: usize = on_link.and_then(|h| h.interface).unwrap_or_else(|| {
        probe
            .from_netns
            .rsplit("dhcp")
            .next()
            .and_then(|n| n.parse().ok())
            .expect("dhcp index")
    });
    let interface = &model.interfaces[index];
    let link = &topology.links[index];
    let net = link
        .networks
        .iter()
        .find(|n| matches!(n, ipnet::IpNet::V4(_)))
        .expect("an IPv4 network");
    let ipnet::IpNet::V4(v4) = net else {
        unreachable!()
    };
    let base = u32::from(v4.network());
    let first = std::net::Ipv4Addr::from(base + 100);
    let last = std::net::Ipv4Addr::from(base + 150);
    let client = &probe.from_netns;
    let fw = &topology.firewall.netns;
    // A new container behind the bridge, removed afterwards; a link's own
    // host needs nothing.
    let _cleanup = on_link.is_none().then(|| {
        let _ = run("ip", &["netns", "del", client]);
        let (ok, out) = run("ip", &["netns", "add", client]);
        assert!(ok, "{out}");
        let guard = NetnsGuard(client.clone());
        let port = format!("v{index}dh");
        for args in [
            vec![
                "ip", "-n", fw, "link", "add", &port, "type", "veth", "peer", "name", "eth0",
                "netns", client,
            ],
            vec![
                "ip",
                "-n",
                fw,
                "link",
                "set",
                &port,
                "master",
                &super::topology::link_name(interface, index),
            ],
            vec!["ip", "-n", fw, "link", "set", &port, "up"],
            vec!["ip", "-n", client, "link", "set", "eth0", "up"],
        ] {
            let (ok, out) = run(args[0], &args[1..]);
            assert!(ok, "{}: {out}", args.join(" "));
        }
        guard
    });
    let range = format!("{first},{last},{},1h", v4.netmask());
    let mut dnsmasq = std::process::Command::new("ip")
        .args([
            "netns",
            "exec",
            fw,
            "dnsmasq",
            "--no-daemon",
            "--conf-file=/dev/null",
            "--port=0",
        ])
        .arg(format!(
            "--interface={}",
            super::topology::link_name(interface, index)
        ))
        .args(["--bind-interfaces", "--leasefile-ro", "--dhcp-range"])
        .arg(range)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("dnsmasq");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let output = std::process::Command::new("timeout")
        .args([
            "20",
            "ip",
            "netns",
            "exec",
            client,
            "busybox",
            "udhcpc",
            "-B",
            "-i",
            "eth0",
            "-n",
            "-q",
            "-f",
            "-t",
            "3",
            "-T",
            "1",
            "-s",
            "/bin/true",
        ])
        .output()
        .expect("udhcpc");
    let _ = dnsmasq.kill();
    let _ = dnsmasq.wait();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if text.contains("lease of") && text.contains("obtained") {
        Outcome::Accept {
            label: None,
            seen: None,
        }
    } else {
        Outcome::Drop
    }
}

struct NetnsGuard(String);

impl Drop for NetnsGuard {
    fn drop(&mut self) {
        let _ = run("ip", &["netns", "del", &self.0]);
    }
}

/// One contestant's outcomes, with explain's expectation for each probe.
pub struct Round {
    pub probes: Vec<Probe>,
    pub outcomes: Vec<Outcome>,
    pub expected: Vec<Outcome>,
}

/// Build the lab, load one contestant, probe, tear down.
pub fn contest(model: &Model, name: &str, contestant: &Contestant, dir: &Path) -> Round {
    let topology = Topology::build(model, name);
    load(model, contestant, &topology, dir);
    let ports = ports(model);
    let listeners: Vec<Listeners> = topology
        .all_hosts()
        .iter()
        .map(|h| {
            let addresses: Vec<IpAddr> = h.addresses.iter().chain(&h.extra).copied().collect();
            Listeners::start(&h.netns, &h.label, &addresses, &ports)
        })
        .collect();
    let mut probes = probes(model, &topology);
    let mut outcomes = run_probes(&probes);
    drop(listeners);
    for probe in dhcp_probes(model, &topology) {
        outcomes.push(run_dhcp(model, &topology, &probe));
        probes.push(probe);
    }
    let expected = probes
        .iter()
        .map(|p| expected(model, &topology, p))
        .collect();
    Round {
        probes,
        outcomes,
        expected,
    }
}
