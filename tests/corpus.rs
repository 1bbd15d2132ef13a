//! The corpus (tests/corpus/): Shorewall directories written after real
//! public ones, each naming the repository it follows. Every one either
//! imports or is refused with each reason at a Shorewall file and line;
//! every model imported (with or without `--partial`) renders with both
//! backends to files `shorewall check` and `nft -c` accept. Which ones are
//! refused, where and why is recorded below, so a change in either
//! direction fails here; the table printed says how far the importer is
//! from its target.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// What `fwgen import shorewall` does with a corpus directory.
enum Expected {
    Imports,
    /// Refused at exactly these `FILE:LINE`s (sorted), for the reason given.
    Refused(&'static [&'static str], &'static str),
}

use Expected::{Imports, Refused};

/// Every corpus directory and what the import does with it.
const CORPUS: &[(&str, Expected)] = &[
    (
        "0z-cloud-vx-router",
        Refused(
            &[
                "hosts:3", "hosts:6", "snat:11", "snat:12", "snat:15", "snat:19", "snat:22",
                "snat:23", "zones:39", "zones:42",
            ],
            "two ipsec zones (mode=tunnel mss=1024) and their hosts (on em1, the physical name of eth0, which Shorewall's known_interface accepts); every snat entry, as Shorewall 5.2.8 compiles masq alone while it has entries (Nat.pm convert_masq appends masq to snat; snat's 172.16.3138.0/24, no address, is refused by Shorewall once it reads snat)",
        ),
    ),
    (
        "adampielak-loadbalancer",
        Refused(
            &["hosts:6"],
            "zone sgw (the ipset +sgw on eth0) is declared after pub, eth0's zone, and eth0 is route-filtered (no sfilter) without routeback: Shorewall sends a connection from eth0 back out of it to the set's addresses to pub-sgw (all all ACCEPT), where pub-pub traffic is not let back out; fwgen's model has no zone on hosts another zone takes first",
        ),
    ),
    (
        "adampielak-single",
        Refused(
            &["rules:25", "rules:26", "rules:34", "rules:35"],
            "host names as SOURCE addresses (Shorewall resolves them when compiling; here it refuses them too: Unknown Host)",
        ),
    ),
    ("ajmitchelson-gatekeeper", Imports),
    ("alu0100958379-dmz", Imports),
    (
        "arobb-vpn-gw",
        Refused(
            &["masq:3"],
            "a masq entry to `&tun2` (read as detect) on an optional interface, which Shorewall leaves out while tun2 has no address; its SOURCE exclusion (192.168.41.0/24!192.168.41.1) and the hosts entries with exclusions (0.0.0.0/0!192.168.0.0/16, 192.168.41.0/24!192.168.41.1) are carried as `except`",
        ),
    ),
    ("azuwis-ec2-vpn", Imports),
    ("bigeasy-puppy", Imports),
    ("blan-gw", Imports),
    ("blunix-role", Imports),
    ("bonk-se-server", Imports),
    ("bsingr-home-box", Imports),
    (
        "casjay-base-docker",
        Refused(
            &["policy:7", "shorewall.conf:27"],
            "DOCKER=Yes; a policy for a pair the catch-all above it already decides (Shorewall refuses it too)",
        ),
    ),
    ("casjay-dotfiles-server", Imports),
    ("cjstrych-cluster-head", Imports),
    ("coimbrap-krkn-alpha", Imports),
    ("comprofix-fw01", Imports),
    ("danigy-bloonix-pi", Imports),
    ("deivy-knock-server", Imports),
    ("demiguise-dotfiles", Imports),
    ("dovanduy-artica-gen", Imports),
    (
        "dragoscirjan-openvpn-n",
        Refused(
            &["rules:15"],
            "loc:eth1 names an interface of net: Shorewall compiles the rule into loc-loc, which no packet leaving eth1 reaches, and fwgen refuses a rule that could never match (the same line's loc:tun0, one device of the wildcard tun+, is carried: -i tun0)",
        ),
    ),
    ("dudacgf-salt-lab", Imports),
    ("duritong-puppet-blacklist", Imports),
    ("evertrue-cookbook", Imports),
    ("fkeet-base-laptop", Imports),
    (
        "fkeet-home-gw",
        Refused(
            &["rules:7", "rules:8"],
            "tcp netbios-dgm and udp microsoft-ds are no services (Shorewall refuses them too)",
        ),
    ),
    ("francois-homestead", Imports),
    ("gcrofils-asimov-remote", Imports),
    ("greg-js-archwiki", Imports),
    ("hickey-openvpn-container", Imports),
    (
        "hierugu-waf-lab",
        Refused(
            &["routestopped:2", "routestopped:3"],
            "routestopped names the zones net and dmz where interfaces belong (Shorewall 5.2 ignores routestopped, and `shorewall update` converts it and refuses it: Unknown Interface (net))",
        ),
    ),
    (
        "hornos-grid-root",
        Refused(
            &["interfaces:5", "policy:8"],
            "upnpclient (the `$FW $FW ACCEPT` of the included policy.root is noted: loopback is accepted anyway); a policy rate limit on a second all-all policy (Shorewall refuses that duplicate too)",
        ),
    ),
    ("ilario-desktop", Imports),
    ("joachimopdenakker-gateway", Imports),
    ("joshland-wgmesh", Imports),
    ("juan-reynoso-three", Imports),
    (
        "karlvr-docker-net",
        Refused(
            &["rules:53"],
            "udp hkp is no service (Shorewall refuses it too)",
        ),
    ),
    ("katch922-gentoo-desktop", Imports),
    ("kemitchell-debian-vps", Imports),
    ("kmmorozov-course-gw", Imports),
    ("kpcyrd-jenkins", Imports),
    ("lasse-aagren-lxc", Imports),
    ("leapcode-eip", Imports),
    ("lojic-cloud-setup", Imports),
    ("matayto-router", Imports),
    ("memes-laptop", Imports),
    ("mguterl-slice", Imports),
    ("mrlesmithjr-ansible-role", Imports),
    ("multiverse-os-router", Imports),
    (
        "nextcentury-xen-host",
        Refused(
            &["zones:10", "zones:11", "zones:7", "zones:8", "zones:9"],
            "bport zones nested in the bridge's zone (and what names them)",
        ),
    ),
    ("nipil-merged", Imports),
    ("nser77-ha-router", Imports),
    ("patrickpreuss-squid-gw", Refused(&["interfaces:5"], "upnp")),
    ("pdellaert-simple", Imports),
    (
        "phlax-docker-cloud",
        Refused(
            &["interfaces:8", "interfaces:9"],
            "bridge on the wildcards docker+ and br-+ (Shorewall 5.2 refuses it too)",
        ),
    ),
    ("picturae-salt-pipo", Imports),
    ("robotology-camera-share", Imports),
    ("saltstack-formula-pillar", Imports),
    ("sbsbi-stormbringer", Imports),
    ("seenhub-environments", Imports),
    ("sjure-devops-vm", Imports),
    ("sol1-readme-gw", Imports),
    ("student-puma-homelab", Imports),
    (
        "tbean74-linuxsoho",
        Refused(
            &["rules:47"],
            "the port-knocking action SSHKnock called with PROTO and ports (fwgen does not narrow an action by its caller's columns); Shorewall 5.2.8 refuses the same line: action.SSHKnock is empty and the legacy Perl file SSHKnock beside it must be merged into it (Rules.pm). The five site macros in ?FORMAT 2 (macro.NFS before Shorewall's own), the REDIRECT with ORIGINAL DEST !192.168.0.1, snat's MASQUERADE and the openvpnserver tunnel are carried",
        ),
    ),
    (
        "teastep-mynetwork",
        Refused(
            &["conntrack:15", "policy:3", "rules:4"],
            "Tom Eastep's own gateway (Shorewall's MyNetwork article): ?if on $EXPERIMENTAL and $VERSION, which a params file that is a shell program (INCLUDE, $(...), [ -n ... ]) could set, and ?if $AUTOHELPERS, a setting Shorewall completes; fwgen takes no branch it cannot decide. Behind them: providers and rtrules, accounting, extension scripts, embedded Perl, stock actions (RST, DNSAmp, dropNotSyn, AutoBL, forwardUPnP), the UNTRACKED section, two RATE limits, DNAT- without a zone, NOTRACK in stoppedrules",
        ),
    ),
    (
        "thetechstech-fail2ban",
        Refused(
            &["snat:3"],
            "a snat entry beside a masq file with an entry: Shorewall compiles masq alone (Nat.pm convert_masq appends it to snat, converted, and renames masq to masq.bak), so snat's own line takes effect only from the next compile",
        ),
    ),
    ("thetechstech-pbx", Imports),
    ("thorinaboenke-ovpn-gw", Imports),
    ("warthog9-segmented-home", Imports),
    ("xianhuazhou-mail-host", Imports),
    ("yanosz-tunnel-node", Imports),
    (
        "yasir2000-nonbridged-wifi",
        Refused(
            &["rules:29", "rules:30"],
            "$WWW_IP, set nowhere on the page (Shorewall 5.2.8 refuses rules:29 too: Undefined shell variable); the Shorewall 3.4 rest (old Macro/ACTION syntax, interfaces named as masq SOURCE, norfc1918 and detectnets, a routestopped read as `shorewall update` converts it) is carried or noted",
        ),
    ),
    ("yasir2000-openwrt-wiki", Imports),
    (
        "ysurac-omr-vps",
        Refused(
            &[
                "interfaces:10",
                "interfaces:12",
                "interfaces:13",
                "interfaces:14",
                "interfaces:15",
                "interfaces:16",
                "interfaces:6",
                "interfaces:7",
                "interfaces:8",
                "interfaces:9",
                "shorewall6/interfaces:6",
                "tcinterfaces:3",
            ],
            "tcinterfaces; and the tunnels of zone vpn, of both families, that one family's interfaces file alone declares (IPv4's gt-tun+, wg+, tun+ and the rest, IPv6's omr-6in4-user+): the other family's Shorewall does not know them, so its packets on them meet no zone there, where fwgen's model has an interface for both families (the uplink's options that differ, routeback and rpfilter for IPv6 alone, nosmurfs and sourceroute=0 for IPv4, are `options_ipv4` and `options_ipv6`; forward=1 on the wildcard omr-6in4-user+ is noted: Shorewall6 sets /proc per named interface)",
        ),
    ),
];

/// Directories that import without `--partial` today (58 on 2026-12-04:
/// dovanduy-artica-gen imports since a rule's source takes MAC addresses;
/// 57 on 2026-12-03:
/// lojic-cloud-setup and dudacgf-salt-lab joined and import;
/// evertrue-cookbook joined and imports, danigy-bloonix-pi imports since a
/// zone without a TYPE is `ip`; thetechstech-fail2ban's snat
/// beside its masq is refused, as Shorewall compiles masq alone: it was
/// imported with both, a firewall Shorewall never runs).
const IMPORTS_TODAY: usize = 57;

/// The share of the corpus issue #16 asks to import without `--partial`.
const TARGET_PERCENT: usize = 80;

/// The directory `fwgen import shorewall` reads: `NAME/shorewall` for a
/// dual-stack entry (Shorewall6's directory beside it), else `NAME`.
fn import_dir(name: &str) -> PathBuf {
    let dir = common::root().join("tests/corpus").join(name);
    if dir.join("shorewall").is_dir() {
        dir.join("shorewall")
    } else {
        dir
    }
}

fn import(dir: &Path, partial: bool) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fwgen"));
    command.args(["import", "shorewall"]).arg(dir);
    if partial {
        command.arg("--partial");
    }
    command.output().unwrap()
}

/// Errors that follow from another one (an entry naming a zone or
/// interface whose line was refused), not recorded on their own.
const CONSEQUENCES: [&str; 3] = [
    "and this entry with it",
    "and the interface with it",
    "no members once its hosts",
];

/// The `FILE:LINE` of every error that is not a consequence of another,
/// sorted; fails on an error that names no Shorewall file and line.
fn error_locations(name: &str, stderr: &str) -> Vec<String> {
    let mut at: Vec<String> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("error: "))
        .filter(|l| !l.contains("line(s) cannot be expressed in fwgen's model"))
        .filter(|l| !l.contains("line(s) cannot be read as Shorewall reads them"))
        .filter(|l| !l.starts_with("what is left after skipping is not a complete model"))
        .filter_map(|l| {
            let location = l.split(": ").next().unwrap_or_default();
            let located = location.rsplit_once(':').is_some_and(|(file, line)| {
                !file.is_empty() && !line.is_empty() && line.chars().all(|c| c.is_ascii_digit())
            });
            assert!(located, "{name}: an error without FILE:LINE: {l}\n{stderr}");
            (!CONSEQUENCES.iter().any(|c| l.contains(c))).then(|| location.to_owned())
        })
        .collect();
    at.sort();
    at.dedup();
    at
}

/// Render an imported model with both backends and have Shorewall and nft
/// judge the files.
fn assert_renders(name: &str, model: &[u8]) {
    let dir = common::scratch(&format!("corpus-{name}"));
    let file = dir.join("imported.toml");
    std::fs::write(&file, model).unwrap();
    for backend in ["shorewall", "nftables"] {
        let out = dir.join(backend);
        std::fs::create_dir_all(&out).unwrap();
        common::render_file(file.to_str().unwrap(), backend, &out);
    }
    let model = String::from_utf8_lossy(model);
    // The warnings the import noted in Shorewall's words (an empty zone, a
    // sub-zone sharing no interface with its parent): Shorewall gives them
    // for the original too.
    let noted: Vec<String> = model
        .lines()
        .filter(|l| l.starts_with("# NOTE "))
        .filter_map(|l| l.split_once("(Shorewall warns: \"")?.1.split_once('"'))
        .map(|(warning, _)| warning.to_owned())
        .collect();
    assert_shorewall_accepts(&dir.join("shorewall"), name, &noted, &model);
    common::assert_nft_accepts(&dir.join("nftables").join("fwgen.nft"), name);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `shorewall check` (and `shorewall6 check`) of a copy of each rendered
/// directory: fails on an ERROR, on a WARNING other than those the import
/// noted in Shorewall's words (Shorewall gives them for the original too),
/// or without "configuration verified".
fn assert_shorewall_accepts(dir: &Path, name: &str, noted: &[String], model: &str) {
    let mut checked = 0;
    for product in ["shorewall", "shorewall6"] {
        if !dir.join(product).is_dir() {
            continue;
        }
        let copy = common::scratch(&format!("corpus-check-{name}"));
        common::copy_tree(&dir.join(product), &copy);
        let (ok, out) = common::run(product, &["check", copy.to_str().unwrap()]);
        let complaints: Vec<&str> = out
            .lines()
            .filter(|l| common::complaint(l, model))
            .filter(|l| !(l.contains("WARNING") && noted.iter().any(|n| l.contains(n.as_str()))))
            .collect();
        assert!(
            ok && complaints.is_empty() && out.contains("configuration verified"),
            "{product} check of {name} failed or complained:\n{out}"
        );
        checked += 1;
        let _ = std::fs::remove_dir_all(&copy);
    }
    assert!(checked > 0, "{name} rendered no Shorewall directory");
}

/// What happened to one directory, for the table.
struct Outcome {
    name: &'static str,
    imports: bool,
    partial: bool,
    locations: Vec<String>,
}

fn judge(name: &'static str) -> Outcome {
    let dir = import_dir(name);
    let output = import(&dir, false);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    match output.status.code() {
        Some(0) => {
            assert_renders(name, &output.stdout);
            Outcome {
                name,
                imports: true,
                partial: true,
                locations: Vec::new(),
            }
        }
        Some(2) => {
            let locations = error_locations(name, &stderr);
            assert!(
                !locations.is_empty(),
                "{name}: refused without a reason:\n{stderr}"
            );
            let partial = import(&dir, true);
            let imported = partial.status.success();
            if imported {
                assert_renders(&format!("{name}-partial"), &partial.stdout);
            }
            Outcome {
                name,
                imports: false,
                partial: imported,
                locations,
            }
        }
        other => panic!("{name}: exit {other:?} (0 or 2 expected):\n{stderr}"),
    }
}

fn table(outcomes: &[Outcome]) -> String {
    let mut text = String::from("corpus: import shorewall\n");
    for outcome in outcomes {
        let verdict = match (outcome.imports, outcome.partial) {
            (true, _) => "imports".to_owned(),
            (false, true) => format!("only with --partial ({})", outcome.locations.join(" ")),
            (false, false) => format!("refused ({})", outcome.locations.join(" ")),
        };
        let why = CORPUS
            .iter()
            .find(|(n, _)| *n == outcome.name)
            .and_then(|(_, e)| match e {
                Refused(_, why) => Some(*why),
                Imports => None,
            })
            .map_or(String::new(), |why| format!(": {why}"));
        text.push_str(&format!("  {:<26} {verdict}{why}\n", outcome.name));
    }
    let imports = outcomes.iter().filter(|o| o.imports).count();
    let partial = outcomes.iter().filter(|o| !o.imports && o.partial).count();
    text.push_str(&format!(
        "  {imports} of {} import ({}%), {partial} more only with --partial, {} refused outright; target {TARGET_PERCENT}%\n",
        outcomes.len(),
        imports * 100 / outcomes.len().max(1),
        outcomes.len() - imports - partial
    ));
    text
}

fn corpus_directories() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(common::root().join("tests/corpus"))
        .unwrap()
        .filter_map(|e| {
            let e = e.ok()?;
            e.file_type()
                .ok()?
                .is_dir()
                .then(|| e.file_name().to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    names
}

/// Every file of every corpus directory names the repository it follows.
#[test]
fn every_corpus_file_names_the_repository_it_follows() {
    let names = corpus_directories();
    assert!(
        names.len() >= 20,
        "the corpus has {} directories",
        names.len()
    );
    for name in names {
        let dir = common::root().join("tests/corpus").join(&name);
        for (file, text) in common::read_tree(&dir) {
            let head: String = text.lines().take(3).collect::<Vec<_>>().join("\n");
            assert!(
                head.contains("github.com/"),
                "tests/corpus/{name}/{file} does not name the repository it follows in its first lines"
            );
        }
    }
}

/// Each directory imports, or is refused at the recorded lines with each
/// error naming its file and line; every import renders to files both
/// tools accept.
#[test]
fn corpus_imports_or_is_refused_where_recorded() {
    common::require_tool("shorewall", "shorewall");
    common::require_tool("nft", "nftables");
    let names = corpus_directories();
    let recorded: Vec<&str> = CORPUS.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names.iter().map(String::as_str).collect::<Vec<_>>(),
        recorded,
        "tests/corpus and the CORPUS list differ: record every directory once, in order"
    );
    let outcomes: Vec<Outcome> = CORPUS.iter().map(|(name, _)| judge(name)).collect();
    println!("{}", table(&outcomes));
    let mut wrong = Vec::new();
    for ((name, expected), outcome) in CORPUS.iter().zip(&outcomes) {
        match expected {
            Imports if !outcome.imports => {
                wrong.push(format!("{name}: refused at {:?}", outcome.locations))
            }
            Refused(at, _) if outcome.locations != *at => wrong.push(format!(
                "{name}: refused at {:?}, recorded {at:?}",
                outcome.locations
            )),
            _ => {}
        }
    }
    assert!(
        wrong.is_empty(),
        "{}\n{}",
        wrong.join("\n"),
        table(&outcomes)
    );
}

/// Issue #16 asks that at least [`TARGET_PERCENT`] of the corpus import
/// without `--partial`; today's model reaches [`IMPORTS_TODAY`] directories
/// (the table in [`CORPUS`] says what stops each of the others: features of
/// issues #14 and #15). This test holds the line: fewer imports is a
/// regression, more must raise [`IMPORTS_TODAY`], and it prints how far the
/// target still is.
#[test]
fn the_corpus_imports_at_least_as_much_as_today() {
    let imports = CORPUS.iter().filter(|(_, e)| matches!(e, Imports)).count();
    let target = (TARGET_PERCENT * CORPUS.len()).div_ceil(100);
    let blocked: Vec<String> = CORPUS
        .iter()
        .filter_map(|(name, e)| match e {
            Refused(_, why) => Some(format!("  {name}: {why}")),
            Imports => None,
        })
        .collect();
    eprintln!(
        "{imports} of {} corpus directories import without --partial (issue #16's target: {target}). Refused:\n{}",
        CORPUS.len(),
        blocked.join("\n")
    );
    assert_eq!(
        imports, IMPORTS_TODAY,
        "the corpus table and IMPORTS_TODAY disagree: raise IMPORTS_TODAY when more import, never lower it silently"
    );
}
