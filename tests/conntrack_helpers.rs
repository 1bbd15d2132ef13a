//! `conntrack_helpers` attaches exactly the helpers Shorewall and
//! Shorewall6 attach with AUTOHELPERS=Yes on this kernel: the model's
//! table (fwgen::model::CONNTRACK_HELPERS) against the installed
//! Shorewall's compiled firewall, family by family, and the nftables
//! ruleset against the table.

mod common;

use std::collections::BTreeSet;

use fwgen::backend::{self, Backend};
use fwgen::load::compile;
use fwgen::model::{CONNTRACK_HELPERS, Model};
use fwgen::source::Source;

fn model() -> Model {
    let text = std::fs::read_to_string(common::root().join("examples/ipv6.toml")).unwrap();
    let text = format!(
        "[firewall]\nconntrack_helpers = true\n{}",
        text.replace("[firewall]\n", "")
    );
    compile(&Source::new("helpers.toml", text)).unwrap_or_else(|f| panic!("{}", f.render()))
}

/// `(helper, proto, port)` of each `-A PREROUTING ... -j CT --helper` line.
fn compiled_helpers(script: &str) -> BTreeSet<(String, String, u16)> {
    script
        .lines()
        .filter(|l| l.starts_with("-A PREROUTING") && l.contains("-j CT --helper "))
        .map(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            let after = |flag: &str| {
                let at = words
                    .iter()
                    .position(|w| *w == flag)
                    .unwrap_or_else(|| panic!("{flag} in {l}"));
                words[at + 1].to_owned()
            };
            let proto = if after("-p") == "6" { "tcp" } else { "udp" };
            (
                after("--helper"),
                proto.to_owned(),
                after("--dport").parse().unwrap(),
            )
        })
        .collect()
}

fn table(ipv6: bool) -> BTreeSet<(String, String, u16)> {
    CONNTRACK_HELPERS
        .iter()
        .filter(|h| !(ipv6 && h.ipv4_only))
        .map(|h| {
            let proto = if h.tcp { "tcp" } else { "udp" };
            (h.kind.to_owned(), proto.to_owned(), h.port)
        })
        .collect()
}

#[test]
fn the_helpers_are_shorewalls() {
    common::require_root();
    common::require_tool("shorewall", "shorewall");
    common::require_tool("shorewall6", "shorewall6");
    let model = model();
    let dir = common::scratch("conntrack-helpers");
    let files = backend::render(&model, Backend::Shorewall).unwrap();
    common::write_tree(
        &dir,
        files.iter().map(|f| (f.path.as_str(), f.content.as_str())),
    );
    for (product, ipv6) in [("shorewall", false), ("shorewall6", true)] {
        let script = common::shorewall_compile(
            product,
            &dir.join(product),
            &dir.join(format!("{product}.compiled")),
        );
        assert_eq!(
            compiled_helpers(&script),
            table(ipv6),
            "{product}'s helpers"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Each helper of the table is one `ct helper` object, attached on
/// prerouting and output, IPv4-only ones for IPv4 only, after a first rule
/// that returns every packet but a new connection's.
#[test]
fn the_ruleset_attaches_each_helper() {
    let ruleset = fwgen::ruleset::lower::lower(&model());
    assert_eq!(ruleset.helpers.len(), CONNTRACK_HELPERS.len());
    for chain in ["helpers-prerouting", "helpers-output"] {
        let chain = ruleset.chain(chain).unwrap_or_else(|| panic!("no {chain}"));
        assert_eq!(chain.rules.len(), 1 + CONNTRACK_HELPERS.len());
        let first = &chain.rules[0];
        assert_eq!(
            first.origin,
            fwgen::ruleset::Origin::Shorewall(fwgen::ruleset::Piece::HelperNewOnly)
        );
    }
    let nft = backend::render(&model(), Backend::Nftables)
        .unwrap()
        .remove(0)
        .content;
    for helper in CONNTRACK_HELPERS {
        let l3proto = if helper.ipv4_only {
            "l3proto ip\n"
        } else {
            "l3proto inet\n"
        };
        let object = format!(
            "type \"{}\" protocol {}\n\t\t{l3proto}",
            helper.kind,
            if helper.tcp { "tcp" } else { "udp" }
        );
        assert!(nft.contains(&object), "{object} not in\n{nft}");
    }
}
