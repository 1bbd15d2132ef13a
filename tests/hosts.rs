//! Shorewall's hosts file (shorewall-hosts(5)) in and out of fwgen's model:
//! what the importer carries, what it refuses and why, that a model with
//! hosts survives a round trip through its own Shorewall files, and the
//! lab with the ORIGINAL directory compiled by Shorewall as a contestant.

mod common;

use std::path::{Path, PathBuf};

use fwgen::backend::{self, Backend};
use fwgen::import::shorewall::{ImportError, import};
use fwgen::load::compile;
use fwgen::source::Source;
use fwgen::verify::{self, Contestant};

/// The road-warrior VPN of shorewall-hosts(5) (there on `ppp+`, here on
/// the uplink eth0): `vpn` is declared before `net`, so Shorewall gives
/// vpn's addresses to vpn and every other address on eth0 to net.
fn shorewall_dir(name: &str, zones: &str, hosts: &str) -> PathBuf {
    let dir = common::scratch(name);
    let files = [
        ("zones", zones),
        ("interfaces", "?FORMAT 2\nnet eth0 tcpflags\nloc eth1 -\n"),
        ("hosts", hosts),
        (
            "policy",
            "vpn loc ACCEPT\nloc net ACCEPT\nnet all DROP info\nall all REJECT info\n",
        ),
        (
            "rules",
            "?SECTION NEW\nSSH(ACCEPT) vpn $FW\nPing(ACCEPT) net $FW\nACCEPT $FW vpn tcp 8080\n",
        ),
    ];
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap();
    }
    std::fs::write(dir.join("shorewall.conf"), common::sample_conf("shorewall")).unwrap();
    dir
}

const ZONES: &str = "fw firewall\nvpn ipv4\nnet ipv4\nloc ipv4\n";

fn refused(dir: &Path) -> Vec<(String, usize, String)> {
    match import(dir, false) {
        Err(ImportError::Unsupported(lines)) => lines
            .into_iter()
            .map(|u| (u.file, u.line, u.reason))
            .collect(),
        Err(other) => panic!("{other:?}"),
        Ok(imported) => panic!("imported:\n{}", imported.toml),
    }
}

#[test]
fn a_hosts_line_becomes_the_zones_hosts() {
    let dir = shorewall_dir(
        "hosts-import",
        ZONES,
        "vpn eth0:10.8.0.0/24,10.9.0.1 # road warriors\n",
    );
    let imported = import(&dir, false).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(
        imported.toml.contains(
            "# hosts:1\n[[zones.vpn.hosts]]\ninterface = \"eth0\"\nnetworks = [\"10.8.0.0/24\", \"10.9.0.1\"]\n"
        ),
        "{}",
        imported.toml
    );
    let model = compile(&Source::new("imported.toml", imported.toml)).unwrap();
    let vpn = model.zones.iter().find(|z| z.name == "vpn").unwrap();
    assert_eq!(vpn.hosts.len(), 1);
    assert_eq!(model.interfaces[vpn.hosts[0].interface].name, "eth0");
}

/// eth0 sending its own traffic back out: `net`'s chain for it comes
/// first in Shorewall's dispatch, ahead of a later zone's hosts on eth0.
const ROUTEBACK: &str = "?FORMAT 2\nnet eth0 tcpflags,routeback\nloc eth1 -\n";

/// Hosts a zone declared before theirs takes whole never match in
/// Shorewall (zones are dispatched in the zones file's order, and `net`'s
/// chains end in its policy; eth0's traffic back out of it is dropped by
/// Misc.pm's sfilter first (no routefilter), or with `routeback` taken by
/// `net`): they, their zone and what names it have no effect, and the
/// import says so by name, line by line.
#[test]
fn hosts_shorewall_never_reaches_are_noted_with_their_zone() {
    for interfaces in [None, Some(ROUTEBACK)] {
        hosts_never_reached_are_noted(interfaces);
    }
}

fn hosts_never_reached_are_noted(interfaces: Option<&str>) {
    let late = "fw firewall\nnet ipv4\nvpn ipv4\nloc ipv4\n";
    let dir = shorewall_dir("hosts-late", late, "vpn eth0:10.8.0.0/24\n");
    if let Some(interfaces) = interfaces {
        std::fs::write(dir.join("interfaces"), interfaces).unwrap();
    }
    let imported = import(&dir, false).unwrap_or_else(|e| panic!("{e:?}"));
    let notes = imported.toml.lines().filter(|l| l.starts_with("# NOTE "));
    let unreached: Vec<&str> = notes.filter(|l| l.contains("no effect")).collect();
    let at = |prefix: &str| unreached.iter().any(|l| l.starts_with(prefix));
    assert!(
        at(
            "# NOTE hosts:1: hosts of zone `vpn` on `eth0` have no effect: zone `net`, declared before it"
        ),
        "{unreached:#?}"
    );
    assert!(
        at("# NOTE zones:3: zone `vpn` has no effect"),
        "{unreached:#?}"
    );
    // Its policy and both rules naming it (the macro's too).
    for line in ["policy:1", "rules:2", "rules:4"] {
        assert!(
            at(&format!(
                "# NOTE {line}: has no effect: it names zone `vpn`"
            )),
            "{line}: {unreached:#?}"
        );
    }
    let model = compile(&Source::new("imported.toml", imported.toml)).unwrap();
    assert!(model.zones.iter().all(|z| z.name != "vpn"));
}

/// On a route-filtered interface without `routeback` (no sfilter), hosts
/// a zone declared before theirs takes as a source are still a
/// destination: Misc.pm generate_matrix sends a connection from eth0 back
/// out of it to them to `net`-`vpn` (`-o eth0 -d 10.8.0.0/24`, checked
/// with `shorewall compile`), where `net`-`net` lets none back out. fwgen
/// noted them as without effect and left them out (found by review).
/// Refused at the line.
#[test]
fn hosts_after_their_interfaces_zone_without_routeback_are_refused() {
    common::require_tool("shorewall", "shorewall");
    let late = "fw firewall\nnet ipv4\nvpn ipv4\nloc ipv4\n";
    let dir = shorewall_dir("hosts-late-no-routeback", late, "vpn eth0:10.8.0.0/24\n");
    let interfaces = "?FORMAT 2\nnet eth0 tcpflags,routefilter\nloc eth1 -\n";
    std::fs::write(dir.join("interfaces"), interfaces).unwrap();
    std::fs::write(
        dir.join("policy"),
        "net vpn ACCEPT\nloc net ACCEPT\nnet all DROP info\nall all REJECT info\n",
    )
    .unwrap();
    let out = common::scratch("hosts-late-no-routeback-out").join("firewall");
    let compiled = common::command("shorewall")
        .arg("compile")
        .arg(&dir)
        .arg(&out)
        .output()
        .unwrap();
    assert!(compiled.status.success(), "{compiled:?}");
    let script = std::fs::read_to_string(&out).unwrap();
    assert!(
        script.contains("-o eth0 -d 10.8.0.0/24 -j ACCEPT")
            && !script.contains("-o eth0 -g sfilter"),
        "Shorewall's net-vpn dispatch, no sfilter before it:\n{script}"
    );
    let refusals = refused(&dir);
    assert!(
        refusals
            .iter()
            .any(|(f, l, r)| f == "hosts" && *l == 1 && r.contains("declared before")),
        "{refusals:?}"
    );
}

/// Hosts Shorewall never reaches with `routeback` or `tcpflags` are not
/// without effect: Zones.pm sets the interface's `routeback` for them all
/// the same, which lifts its sfilter for every zone on it, and Misc.pm
/// checks their sources' TCP flags ahead of the dispatch. Refused at the
/// line, not noted.
#[test]
fn hosts_shorewall_never_reaches_with_routeback_are_refused() {
    let late = "fw firewall\nnet ipv4\nvpn ipv4\nloc ipv4\n";
    for option in ["routeback", "tcpflags"] {
        let hosts = format!("vpn eth0:10.8.0.0/24 {option}\n");
        let dir = shorewall_dir("hosts-late-rb", late, &hosts);
        let refusals = refused(&dir);
        assert!(
            refusals
                .iter()
                .any(|(f, l, r)| f == "hosts" && *l == 1 && r.contains("declared before")),
            "{option}: {refusals:?}"
        );
    }
}

/// Where a CONTINUE policy or rule could let a connection go on past the
/// zone that takes it first, the hosts may be reached: refused, located.
/// So is a port forward into such a zone (its DNAT is in the nat table,
/// which the zones' dispatch does not stop).
#[test]
fn hosts_a_continue_or_a_port_forward_may_reach_stay_refused() {
    let late = "fw firewall\nnet ipv4\nvpn ipv4\nloc ipv4\n";
    let dir = shorewall_dir("hosts-late-continue", late, "vpn eth0:10.8.0.0/24\n");
    std::fs::write(
        dir.join("policy"),
        "vpn loc ACCEPT\nloc net ACCEPT\nnet loc CONTINUE\nnet all DROP info\nall all REJECT info\n",
    )
    .unwrap();
    let refusals = refused(&dir);
    let (file, line, reason) = &refusals[0];
    assert_eq!((file.as_str(), *line), ("hosts", 1));
    assert!(
        reason.contains("taken by zone `net`, declared before it"),
        "{reason}"
    );
    // vpn, left without members, goes too, and what names it.
    assert!(
        refusals
            .iter()
            .any(|(f, l, r)| f == "zones" && *l == 3 && r.contains("no members")),
        "{refusals:?}"
    );

    let dir = shorewall_dir("hosts-late-dnat", late, "vpn eth0:10.8.0.0/24\n");
    std::fs::write(dir.join("interfaces"), ROUTEBACK).unwrap();
    let rules = "?SECTION NEW\nACCEPT $FW vpn tcp 8080\nDNAT loc vpn:10.8.0.5 tcp 8443\n";
    std::fs::write(dir.join("rules"), rules).unwrap();
    let refusals = refused(&dir);
    assert!(
        refusals
            .iter()
            .any(|(f, l, r)| f == "rules" && *l == 3 && r.contains("`vpn` was left out")),
        "{refusals:?}"
    );
    assert!(
        refusals
            .iter()
            .all(|(f, l, _)| (f.as_str(), *l) != ("rules", 2)),
        "the filter rule is only noted: {refusals:?}"
    );
}

#[test]
fn hosts_options_ipsets_ranges_and_exclusions_are_refused() {
    for (hosts, expected) in [
        (
            "vpn eth0:10.8.0.0/24 dhcp\n",
            "`dhcp`: Shorewall refuses it (\"Invalid option (dhcp)\")",
        ),
        // An ipset is carried to the model, which declares it as an
        // `[[ipset]]` (src/import/shorewall.rs's unit test): one the model
        // cannot name is refused at the hosts line.
        ("vpn eth0:+vpn-set\n", "vpn-set"),
        (
            "vpn eth0:!+vpnset\n",
            "no range, ipset or dynamic zone after the `!`",
        ),
        ("vpn eth0:+vpnset[src]\n", "an ipset's flags in brackets"),
        ("vpn eth0:dynamic\n", "dynamic zones, ranges"),
        ("vpn eth0:10.8.0.1-10.8.0.9\n", "dynamic zones, ranges"),
        // An exclusion is carried (`except`), but one outside the
        // networks, which leaves nothing out, is refused.
        ("vpn eth0:10.8.0.0/24!10.9.0.1\n", "leaves nothing out"),
        ("vpn eth9:10.8.0.0/24\n", "not an imported interface"),
    ] {
        let dir = shorewall_dir("hosts-refused", ZONES, hosts);
        let refusals = refused(&dir);
        assert!(
            refusals.iter().any(|(file, line, reason)| file == "hosts"
                && *line == 1
                && reason.contains(expected)),
            "{hosts}: {refusals:?}"
        );
    }
}

/// Every option Shorewall 5.2's Zones.pm reads on a hosts line, and no
/// other, has fwgen's verdict; the importer refuses each refused option at
/// its line by name (the zone, left without members, with it), and notes
/// the one without effect while carrying the line.
#[test]
fn every_hosts_option_has_one_verdict() {
    use fwgen::model::option_verdict::{OptionVerdict, SHOREWALL_HOST_OPTIONS, host_verdict};
    let zones_pm = "/usr/share/shorewall/Shorewall/Zones.pm";
    let source = std::fs::read_to_string(zones_pm)
        .unwrap_or_else(|e| panic!("{zones_pm}: {e} (install shorewall: bash tests/run)"));
    // Read apart from `%validhostoptions`, in both products.
    let apart = ["ipsec", "norfc1918"].map(str::to_owned);
    let mut read: Vec<String> = apart.to_vec();
    // Its two blocks: IPv4's, then IPv6's (Zones.pm initialize).
    let mut blocks = Vec::new();
    for block in source.split("%validhostoptions = (").skip(1) {
        let block = block.split(");").next().unwrap();
        let names: Vec<String> = (block.lines())
            .filter_map(|l| {
                let name = l.split("=>").next()?.trim();
                (!name.is_empty()).then(|| name.to_owned())
            })
            .collect();
        read.extend(names.iter().cloned());
        blocks.push(names);
    }
    read.sort();
    read.dedup();
    assert_eq!(read, SHOREWALL_HOST_OPTIONS, "the options Zones.pm reads");
    assert_eq!(blocks.len(), 2, "IPv4's and IPv6's %validhostoptions");
    // Shorewall6 refuses the others: so does the import of its hosts.
    for option in SHOREWALL_HOST_OPTIONS {
        let in_six = blocks[1].iter().any(|o| o == option) || apart.contains(&option.to_string());
        let written = if *option == "mss" { "mss=1400" } else { option };
        assert_eq!(
            host_verdict(written, true).is_some(),
            in_six,
            "Shorewall6's hosts option {option}"
        );
    }
    for option in SHOREWALL_HOST_OPTIONS {
        let written = if *option == "mss" { "mss=1400" } else { option };
        let dir = shorewall_dir(
            "hosts-option",
            ZONES,
            &format!("vpn eth0:10.8.0.0/24 {written}\n"),
        );
        match host_verdict(written, false) {
            Some(OptionVerdict::NoEffect(_)) => {
                let imported = import(&dir, false).unwrap_or_else(|e| panic!("{written}: {e:?}"));
                assert!(
                    imported.toml.contains("[[zones.vpn.hosts]]"),
                    "{}",
                    imported.toml
                );
                let note = format!("hosts:1: hosts option `{written}` has no effect");
                assert!(imported.toml.contains(&note), "{}", imported.toml);
            }
            Some(OptionVerdict::Key(key)) => {
                let imported = import(&dir, false).unwrap_or_else(|e| panic!("{written}: {e:?}"));
                let entry = format!(
                    "[[zones.vpn.hosts]]\ninterface = \"eth0\"\nnetworks = [\"10.8.0.0/24\"]\n{key} = true\n"
                );
                assert!(imported.toml.contains(&entry), "{}", imported.toml);
            }
            Some(OptionVerdict::Refused(why)) => {
                let refusals = refused(&dir);
                let expected = format!("hosts option `{written}`: {why}");
                assert!(
                    refusals
                        .iter()
                        .any(|(f, l, r)| f == "hosts" && *l == 1 && *r == expected),
                    "{written}: {refusals:?}"
                );
                assert!(
                    refusals
                        .iter()
                        .any(|(f, l, r)| f == "zones" && *l == 2 && r.contains("no members")),
                    "{written}: the zone left without members: {refusals:?}"
                );
            }
            other => panic!("{written}: {other:?}"),
        }
    }
}

/// The hosts-cluster and nested-zones models render Shorewall files that
/// import back into a model with the same nftables ruleset.
#[test]
fn a_model_with_hosts_round_trips_through_its_shorewall_files() {
    round_trip("tests/models/hosts-cluster.toml");
}

#[test]
fn a_model_with_nested_zones_round_trips_through_its_shorewall_files() {
    round_trip("tests/models/nested-zones.toml");
}

/// An interface of no zone, a destination-only hosts entry and a zone of
/// two parents survive the round trip.
#[test]
fn a_model_with_a_shared_uplink_round_trips_through_its_shorewall_files() {
    round_trip("tests/models/shared-uplink.toml");
}

/// shorewall-zones(5) `zone:p1,p2` becomes a list of parents, and the
/// zone is dispatched before both.
#[test]
fn a_zone_of_two_parents_becomes_a_zone_with_a_list_of_parents() {
    let zones = "fw firewall\nvpn ipv4\nnet ipv4\nloc ipv4\nadm:net,loc ipv4\n";
    let dir = shorewall_dir(
        "nested-two",
        zones,
        "vpn eth0:10.8.0.0/24\nadm eth1:10.9.0.0/28\n",
    );
    let imported = import(&dir, false).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(
        imported
            .toml
            .contains("# zones:5\n[zones.adm]\nparent = [\"net\", \"loc\"]\n"),
        "{}",
        imported.toml
    );
    let model = compile(&Source::new("imported.toml", imported.toml.clone()))
        .unwrap_or_else(|f| panic!("{}\n{}", f.render(), imported.toml));
    let names: Vec<&str> = model.zones.iter().map(|z| z.name.as_str()).collect();
    assert_eq!(names, ["vpn", "adm", "net", "loc"], "the dispatch order");
    assert_eq!(model.zones[1].parents, vec![2, 3]);
}

/// nser77's uplink: `- ens33` in the interfaces file becomes an interface
/// without `zone`, and the hosts line naming it the zone's hosts. The
/// `0.0.0.0/0` entry gives the interface net's zone, so Shorewall applies
/// none of its `tcpflags` (Zones.pm find_hosts_by_option): left out, and
/// named.
#[test]
fn an_interface_of_zone_dash_becomes_an_interface_without_a_zone() {
    let dir = shorewall_dir(
        "no-zone",
        "fw firewall\nnet ipv4\nloc ipv4\nvpn ipv4\n",
        "vpn eth0:10.8.0.0/24\nnet eth0:0.0.0.0/0\n",
    );
    std::fs::write(
        dir.join("interfaces"),
        "?FORMAT 2\n- eth0 tcpflags\nloc eth1 -\n",
    )
    .unwrap();
    let imported = import(&dir, false).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(
        imported
            .toml
            .contains("# interfaces:2\n[interfaces.eth0]\n\n"),
        "{}",
        imported.toml
    );
    assert!(
        (imported.notes.iter()).any(|n| n.starts_with("hosts:2: `tcpflags` of interface eth0 left out, having no effect: this entry `net eth0:0.0.0.0/0` gives eth0 zone net")),
        "{:?}",
        imported.notes
    );
    let model = compile(&Source::new("imported.toml", imported.toml.clone()))
        .unwrap_or_else(|f| panic!("{}\n{}", f.render(), imported.toml));
    assert_eq!(model.interfaces[0].zone, None);
    assert_eq!(model.zones[0].hosts.len(), 1, "{}", imported.toml);
}

fn round_trip(path: &str) {
    let text = std::fs::read_to_string(common::root().join(path)).unwrap();
    let model = compile(&Source::new(path, text)).unwrap_or_else(|f| panic!("{}", f.render()));
    // One directory per model: two tests of one process never share it.
    let stem = std::path::Path::new(path)
        .file_stem()
        .unwrap()
        .to_string_lossy();
    let dir = common::scratch(&format!("round-trip-{stem}"));
    for file in backend::render(&model, Backend::Shorewall).unwrap() {
        let at = dir.join(&file.path);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::fs::write(at, file.content).unwrap();
    }
    let imported = import(&dir.join("shorewall"), false).unwrap_or_else(|e| panic!("{e:?}"));
    let back = compile(&Source::new(path, imported.toml.clone()))
        .unwrap_or_else(|f| panic!("{}\n{}", f.render(), imported.toml));
    let ruleset = |m| {
        let files = backend::render(m, Backend::Nftables).unwrap();
        files.into_iter().map(|f| f.content).collect::<String>()
    };
    assert_eq!(ruleset(&back), ruleset(&model), "{}", imported.toml);
}

/// shorewall-nesting(5)'s zones: `sam:net` becomes `parent = "net"`, its
/// hosts line its hosts, and the model dispatches sam before net.
#[test]
fn a_nested_zone_becomes_a_zone_with_a_parent() {
    let zones = "fw firewall\nnet ipv4\nsam:net ipv4\nloc ipv4\n";
    let dir = shorewall_dir("nested-import", zones, "sam eth0:198.51.100.7\n");
    std::fs::write(
        dir.join("policy"),
        "sam all CONTINUE\nloc net ACCEPT\nnet all DROP info\nall all REJECT info\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("rules"),
        "?SECTION NEW\nSSH(ACCEPT) sam $FW\nACCEPT any $FW tcp 8080\n",
    )
    .unwrap();
    let imported = import(&dir, false).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(
        imported
            .toml
            .contains("# zones:3\n[zones.sam]\nparent = \"net\"\n"),
        "{}",
        imported.toml
    );
    assert!(
        imported.toml.contains("source = \"any\""),
        "{}",
        imported.toml
    );
    let model = compile(&Source::new("imported.toml", imported.toml.clone()))
        .unwrap_or_else(|f| panic!("{}\n{}", f.render(), imported.toml));
    let names: Vec<&str> = model.zones.iter().map(|z| z.name.as_str()).collect();
    assert_eq!(names, ["sam", "net", "loc"], "the dispatch order");
    assert_eq!(model.zones[0].parents, vec![1]);
}

/// Bridge-port zones, several parents and unknown parents are refused at
/// their zones line, each with its reason.
#[test]
fn nested_zones_fwgen_cannot_hold_are_refused_at_their_line() {
    for (zones, line, expected) in [
        (
            "fw firewall\nnet ipv4\nloc ipv4\nvpn:net bport\n",
            4,
            "bport zones (bridge ports) are not in fwgen's model: Shorewall tells the ports apart with iptables' physdev match",
        ),
        (
            "fw firewall\nnet ipv4\nloc ipv4\nvpn:net,net ipv4\n",
            4,
            "the parent zone `net` is named twice in `net,net`",
        ),
        (
            "fw firewall\nnet ipv4\nloc ipv4\nvpn:net,,loc ipv4\n",
            4,
            "an empty name in the parent list `net,,loc`",
        ),
        (
            "fw firewall\nvpn:net ipv4\nnet ipv4\nloc ipv4\n",
            2,
            "the parent zone `net` is not declared before it",
        ),
    ] {
        let dir = shorewall_dir("nested-refused", zones, "vpn eth0:10.8.0.0/24\n");
        let refusals = refused(&dir);
        assert!(
            refusals
                .iter()
                .any(|(f, l, r)| f == "zones" && *l == line && r.contains(expected)),
            "{zones}: {refusals:?}"
        );
    }
}

/// The lab: the original directory compiled by Shorewall, fwgen's own
/// Shorewall files and fwgen's nftables ruleset give every probe the
/// verdict explain gives: vpn's host (10.8.0.2 behind eth0's host) reaches
/// the firewall's SSH, net's does not; the firewall reaches vpn on 8080.
#[test]
fn lab_hosts_against_the_original_directory() {
    common::require_lab();
    let original = shorewall_dir("hosts-lab-original", ZONES, "vpn eth0:10.8.0.0/24\n");
    let imported = import(&original, false).unwrap_or_else(|e| panic!("{e:?}"));
    let model = compile(&Source::new("imported-hosts.toml", imported.toml)).unwrap();
    let dir = common::scratch("hosts-lab");
    let candidates = [
        ("original".to_owned(), Contestant::original(&original)),
        ("shorewall".to_owned(), Contestant::Shorewall),
        (
            "nftables".to_owned(),
            Contestant::Nftables(verify::nftables_ruleset(&model).unwrap()),
        ),
    ];
    let verification = verify::verify(&model, "hsto", &candidates, &dir, Vec::new(), &|_| {})
        .unwrap_or_else(|e| panic!("the lab could not run: {e}"));
    assert!(verification.notes.is_empty(), "{:?}", verification.notes);
    let matrix = verification.matrix();
    assert_eq!(
        verification.disagreements(),
        0,
        "disagreements:\n{}",
        verification.text(&model)
    );
    let vpn_ssh = matrix
        .lines()
        .find(|l| l.contains("vpn#1 10.8.0.2 -> fw") && l.contains("tcp 22 "))
        .unwrap_or_else(|| panic!("no probe from vpn's host to the firewall:\n{matrix}"));
    assert!(vpn_ssh.contains("ACCEPT"), "{vpn_ssh}");
    let net_ssh = matrix
        .lines()
        .find(|l| l.contains("net#1") && l.contains("-> fw") && l.contains("tcp 22 "))
        .unwrap_or_else(|| panic!("no probe from net's host to the firewall:\n{matrix}"));
    assert!(net_ssh.contains("DROP"), "{net_ssh}");
    let _ = std::fs::remove_dir_all(&dir);
}
