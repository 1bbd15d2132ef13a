//! Every option of shorewall-interfaces(5), as the installed Shorewall 5.2
//! lists it, has fwgen's verdict: modelled (the model takes it and the
//! importer carries it), a key of its own (`physical`), no effect (the
//! importer notes it by name) or refused with the reason (the analyzer at
//! the option's column, the importer at the interfaces line). The table
//! below states each verdict; the test holds the analyzer, the importer
//! and the manual page to it.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use fwgen::load::compile;
use fwgen::model::option_verdict::{SHOREWALL_OPTIONS, ipv6_alone};
use fwgen::source::Source;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expected {
    Modelled,
    Key,
    NoEffect,
    Refused,
}
use Expected::{Key, Modelled, NoEffect, Refused};

/// One written form of every option, with fwgen's verdict.
const VERDICTS: &[(&str, Expected)] = &[
    ("accept_ra", Refused),
    ("arp_filter", Modelled),
    ("arp_filter=0", NoEffect),
    ("arp_ignore=1", Refused),
    ("blacklist", NoEffect),
    ("bridge", Modelled),
    ("dbl=src", Refused),
    ("dbl=none", NoEffect),
    ("destonly", Refused),
    ("detectnets", NoEffect),
    ("dhcp", Modelled),
    ("forward=1", Modelled),
    ("ignore=1", Refused),
    ("loopback", Refused),
    ("logmartians", Modelled),
    ("maclist", Modelled),
    ("mss=1400", Modelled),
    ("nets=10.0.0.0/8", Refused),
    ("nodbl", NoEffect),
    ("norfc1918", NoEffect),
    ("nosmurfs", Modelled),
    ("omitanycast", Refused),
    ("optional", Modelled),
    ("physical=eth9", Key),
    ("proxyarp", Modelled),
    ("proxyndp", Refused),
    ("required", Refused),
    ("routeback", Modelled),
    ("routeback=0", NoEffect),
    ("routefilter=2", Modelled),
    ("rpfilter", Modelled),
    ("sfilter=10.0.0.0/8", Refused),
    ("sourceroute", Modelled),
    ("tcpflags", Modelled),
    ("tcpflags=0", NoEffect),
    ("unmanaged", Refused),
    ("upnp", Refused),
    ("upnpclient", Refused),
    ("wait=10", NoEffect),
];

fn name_of(option: &str) -> &str {
    option.split('=').next().unwrap_or(option)
}

/// The option names of the installed manual page: the headings of its
/// OPTIONS section (`accept_ra[={0|1|2}]`, `nets=(net[,...])`).
fn manual_options() -> BTreeSet<String> {
    common::require_tool("man", "man-db");
    common::require_tool("col", "bsdextrautils");
    let output = std::process::Command::new("sh")
        .args(["-c", "man -P cat shorewall-interfaces | col -bx"])
        .env("MANWIDTH", "80")
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let section = text
        .split_once("\n       OPTIONS (Optional)")
        .and_then(|(_, rest)| rest.split_once("\nEXAMPLE"))
        .map(|(section, _)| section)
        .expect("shorewall-interfaces(5) has an OPTIONS section");
    let heading = |line: &&str| {
        line.len() > 11
            && line.starts_with(&" ".repeat(11))
            && !line[11..].starts_with(' ')
            && !line[11..].contains(' ')
            && line[11..].starts_with(|c: char| c.is_ascii_lowercase())
    };
    section
        .lines()
        .filter(heading)
        .map(|line| {
            line[11..]
                .split(['[', '='])
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

#[test]
fn every_option_of_the_manual_page_has_a_verdict() {
    let manual = manual_options();
    assert!(manual.len() > 30, "too few options read: {manual:?}");
    let known: BTreeSet<String> = SHOREWALL_OPTIONS.iter().map(|s| s.to_string()).collect();
    let tested: BTreeSet<String> = VERDICTS
        .iter()
        .map(|(o, _)| name_of(o).to_owned())
        .collect();
    let missing: Vec<&String> = manual.difference(&known).collect();
    assert!(missing.is_empty(), "no verdict for {missing:?}");
    // What fwgen knows beyond the page: the two options Zones.pm still
    // reads as obsolete.
    let extra: Vec<&String> = known.difference(&manual).collect();
    assert_eq!(extra, ["detectnets", "norfc1918"]);
    assert_eq!(tested, known, "the table here and SHOREWALL_OPTIONS differ");
}

/// Zones.pm's %validinterfaceoptions (IPv4 and IPv6) is what Shorewall's
/// compiler accepts: every name in it has a verdict.
#[test]
fn every_option_the_compiler_accepts_has_a_verdict() {
    let path = "/usr/share/shorewall/Shorewall/Zones.pm";
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e} (install shorewall: bash tests/run)"));
    let mut seen = 0;
    for block in text.split("%validinterfaceoptions = (").skip(1) {
        let block = block.split(");").next().unwrap();
        for line in block.lines() {
            let Some((name, _)) = line.split_once("=>") else {
                continue;
            };
            let name = name.trim();
            seen += 1;
            assert!(
                SHOREWALL_OPTIONS.contains(&name),
                "Zones.pm accepts `{name}`, which has no verdict"
            );
        }
    }
    assert!(seen > 50, "read only {seen} options of {path}");
}

fn model_with(option: &str) -> String {
    format!(
        "[zones.net]\n\n[interfaces.eth0]\nzone = \"net\"\noptions = [\"{option}\"]\n\n[[policy]]\nsource = \"all\"\ndest = \"all\"\naction = \"DROP\"\n"
    )
}

#[test]
fn the_analyzer_takes_or_refuses_each_option_as_its_verdict_says() {
    for (option, expected) in VERDICTS {
        let result = compile(&Source::new("options.toml", model_with(option)));
        match (expected, result) {
            (Modelled, Ok(model)) => {
                assert_eq!(model.interfaces[0].options.len(), 1, "{option}");
                assert_eq!(
                    name_of(&model.interfaces[0].options[0].to_string()),
                    name_of(option)
                );
            }
            (Modelled, Err(failure)) => {
                panic!("{option} refused:\n{}", failure.render())
            }
            (_, Ok(_)) => panic!("{option} taken by the analyzer, expected {expected:?}"),
            (_, Err(failure)) => {
                let text = failure.render();
                assert!(
                    text.contains(&format!(
                        "Shorewall's interface option `{option}` is not an option of fwgen's model"
                    )) && text.contains("options.toml:5:"),
                    "{option}:\n{text}"
                );
                if *expected == Key {
                    assert!(
                        text.contains("physical = \\\"NAME\\\"")
                            || text.contains("physical = \"NAME\""),
                        "{text}"
                    );
                }
            }
        }
    }
}

fn shorewall_dir(option: &str) -> std::path::PathBuf {
    let dir = common::scratch(&format!("interface-option-{}", name_of(option)));
    if !ipv6_alone(option) {
        write_product(&dir, "ipv4", option);
        return dir;
    }
    for (product, kind, written) in [("shorewall", "ipv4", "-"), ("shorewall6", "ipv6", option)] {
        let d = dir.join(product);
        std::fs::create_dir_all(&d).unwrap();
        write_product(&d, kind, written);
    }
    dir.join("shorewall")
}

/// One product's files, net's eth0 with `option`.
fn write_product(dir: &Path, kind: &str, option: &str) {
    let files = [
        ("zones", format!("fw firewall\nnet {kind}\nloc {kind}\n")),
        (
            "interfaces",
            format!("?FORMAT 2\nloc eth1 dhcp\nnet eth0 {option}\n"),
        ),
        (
            "policy",
            "loc net ACCEPT\nnet all DROP\nall all REJECT\n".to_owned(),
        ),
        ("rules", String::new()),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn import(dir: &Path) -> (bool, String, String) {
    let output = common::fwgen_within(
        &["import", "shorewall", dir.to_str().unwrap()],
        Duration::from_secs(5),
    );
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_importer_carries_notes_or_refuses_each_option_as_its_verdict_says() {
    for (option, expected) in VERDICTS {
        let (ok, model, stderr) = import(&shorewall_dir(option));
        let all = format!("{model}{stderr}");
        match expected {
            Modelled => {
                assert!(ok, "{option}: {stderr}");
                // Shorewall's implied tcpflags comes along (Zones.pm).
                let implied = if option.starts_with("tcpflags") {
                    format!("options = [\"{option}\"]")
                } else if ipv6_alone(option) {
                    // After Shorewall's options, from Shorewall6's line.
                    format!("options = [\"tcpflags\", \"{option}\"]")
                } else {
                    format!("options = [\"{option}\", \"tcpflags\"]")
                };
                assert!(model.contains(&implied), "{option}:\n{model}");
            }
            Key => {
                assert!(ok, "{option}: {stderr}");
                assert!(model.contains("physical = \"eth9\""), "{model}");
            }
            NoEffect => {
                assert!(ok, "{option}: {stderr}");
                assert!(
                    all.contains(&format!(
                        "interfaces:3: interface option `{option}` has no effect: "
                    )),
                    "{option}:\n{all}"
                );
                assert!(!model.contains(&format!("\"{option}\"")), "{model}");
            }
            Refused => {
                assert!(!ok, "{option} imported:\n{model}");
                assert!(
                    stderr.contains("interfaces:3") && stderr.contains(&format!("`{option}`")),
                    "{option}:\n{stderr}"
                );
            }
        }
    }
}
