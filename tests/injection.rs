//! Free text fwgen accepts (descriptions, comments) may hold characters that
//! mean something to Shorewall or nft; the output must still pass both
//! tools and carry no rule the model did not ask for. Text fwgen refuses
//! (newlines, quotes, `$`, backticks, control characters) is covered by
//! tests/errors.
//!
//! Each tests/injection/<case>.toml is rendered by both backends; every
//! Shorewall directory it renders goes through `shorewall check` (or
//! `shorewall6 check`), on a copy, and the nftables file through `nft -c`.
//! A comment of a rule or a NAT entry is a `?COMMENT` directive, which
//! Shorewall carries into the rule: each directory is also compiled and
//! started in a network namespace, and every such comment must be in the
//! loaded rules, whole, as `--comment "TEXT"`.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use fwgen::backend::{self, Backend};
use fwgen::load::compile;
use fwgen::source::Source;

/// Files of a Shorewall directory that carry the model's entries.
const ENTRY_FILES: [&str; 6] = ["zones", "interfaces", "policy", "rules", "snat", "masq"];
/// Text that would be a directive or a rule if it left its comment.
const OUTSIDE_COMMENT: [&str; 5] = [";", "{", "?COMMENT", "?if", "INCLUDE"];

fn model(case: &str) -> fwgen::model::Model {
    let path = format!("tests/injection/{case}.toml");
    let text = std::fs::read_to_string(common::root().join(&path)).unwrap();
    compile(&Source::new(&path, text)).unwrap_or_else(|f| panic!("{}", f.render()))
}

/// Renders the case with both backends into `dir`; returns what was written.
fn render(case: &str, dir: &Path) -> BTreeMap<String, String> {
    let model = model(case);
    let mut written = BTreeMap::new();
    for backend in [Backend::Shorewall, Backend::Nftables] {
        let files = backend::render(&model, backend).unwrap();
        common::write_tree(
            dir,
            files.iter().map(|f| (f.path.as_str(), f.content.as_str())),
        );
        written.extend(files.into_iter().map(|f| (f.path, f.content)));
    }
    written
}

/// Every free text stays inside a comment: in the Shorewall files only `#`
/// lines and `?COMMENT` directives hold it, and a rules file holds the
/// rules the model asked for.
fn assert_shorewall_text_contained(dir: &Path, product: &str, rule_lines: usize) {
    for name in ENTRY_FILES {
        let Ok(text) = std::fs::read_to_string(dir.join(product).join(name)) else {
            continue;
        };
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && comment_directive(l).is_none() && !l.is_empty())
        {
            assert!(
                !OUTSIDE_COMMENT.iter().any(|bad| line.contains(bad)),
                "{product}/{name}: free text outside a comment: {line}"
            );
        }
    }
    let rules = std::fs::read_to_string(dir.join(product).join("rules")).unwrap();
    let lines = rules
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('?'))
        .count();
    assert_eq!(
        lines, rule_lines,
        "{product}/rules: the model's rules and nothing else:\n{rules}"
    );
}

/// The text of a `?COMMENT TEXT` line; `?COMMENT` alone ends a comment.
fn comment_directive(line: &str) -> Option<&str> {
    match line.strip_prefix("?COMMENT") {
        Some("") => Some(""),
        Some(text) => text.strip_prefix(' '),
        None => None,
    }
}

/// Compiles the product's directory and starts it in a namespace of its
/// own (with the interfaces the cases name): every `?COMMENT` text must be
/// in the loaded rules as one whole `--comment "TEXT"`.
fn assert_comments_reach_rules(dir: &Path, product: &str, case: &str) {
    let mut comments = Vec::new();
    for name in ["rules", "snat", "masq"] {
        let Ok(text) = std::fs::read_to_string(dir.join(product).join(name)) else {
            continue;
        };
        comments.extend(
            text.lines()
                .filter_map(comment_directive)
                .filter(|c| !c.is_empty())
                .map(str::to_owned),
        );
    }
    assert!(!comments.is_empty(), "{case}: {product} has no ?COMMENT");
    let copy = common::scratch(&format!("injection-compile-{case}-{product}"));
    common::copy_tree(&dir.join(product), &copy.join(product));
    let script = copy.join("firewall");
    let (ok, out) = common::run(
        product,
        &[
            "compile",
            copy.join(product).to_str().unwrap(),
            script.to_str().unwrap(),
        ],
    );
    assert!(ok, "{product} compile of {case} failed:\n{out}");
    let netns = common::Netns::new(&format!("inj-{case}-{product}"));
    let links = [
        vec![
            "ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth1",
        ],
        vec!["ip", "link", "set", "eth0", "up"],
        vec!["ip", "link", "set", "eth1", "up"],
    ];
    for link in links {
        let (ok, out) = netns.exec(&link);
        assert!(ok, "{link:?}: {out}");
    }
    // Its own VARDIR: the tests run side by side, and Shorewall writes its
    // iptables-restore input there (/var/lib/shorewall by default).
    let vardir = copy.join("var");
    std::fs::create_dir_all(&vardir).unwrap();
    let vardir = format!("VARDIR={}", vardir.display());
    let (ok, out) = netns.exec(&["env", &vardir, script.to_str().unwrap(), "start"]);
    assert!(ok, "{product} start of {case} failed:\n{out}");
    let save = if product == "shorewall6" {
        "ip6tables-save"
    } else {
        "iptables-save"
    };
    let (ok, saved) = netns.exec(&[save]);
    assert!(ok, "{save}: {saved}");
    // iptables-save escapes a quote inside a quoted comment.
    let saved = saved.replace("\\'", "'");
    for comment in &comments {
        let whole = format!("--comment \"{comment}\"");
        assert!(
            saved.contains(&whole),
            "{case}: {product} did not load the comment {whole}:\n{saved}"
        );
        for line in saved.lines().filter(|l| l.contains(comment.as_str())) {
            assert!(line.contains(&whole), "{case}: the comment was cut: {line}");
        }
    }
    let _ = std::fs::remove_dir_all(&copy);
}

/// In nftables, hostile text appears only in `comment "..."` strings.
fn assert_nft_text_contained(dir: &Path) {
    let nft = std::fs::read_to_string(dir.join("fwgen.nft")).unwrap();
    let rules_with_text: Vec<&str> = nft
        .lines()
        .filter(|l| l.contains("chain x") || l.contains("flush ruleset"))
        .filter(|l| !l.trim_start().starts_with('#') && !l.contains("comment \""))
        .collect();
    assert!(rules_with_text.is_empty(), "{rules_with_text:?}");
}

fn check(case: &str, rule_lines: &[(&str, usize)]) {
    common::require_root();
    let dir = common::scratch(&format!("injection-{case}"));
    let written = render(case, &dir);
    common::assert_nft_accepts(&dir.join("fwgen.nft"), case);
    let checked = common::assert_shorewall_accepts(&dir, case);
    let expected: Vec<&str> = rule_lines.iter().map(|(product, _)| *product).collect();
    assert_eq!(checked, expected, "{case}: the Shorewall products rendered");
    assert_eq!(
        common::read_tree(&dir),
        written,
        "{case}: checking the render changed it"
    );
    for &(product, lines) in rule_lines {
        assert_shorewall_text_contained(&dir, product, lines);
        assert_comments_reach_rules(&dir, product, case);
    }
    assert_nft_text_contained(&dir);
    let _ = std::fs::remove_dir_all(&dir);
}

macro_rules! injection_case {
    ($($name:ident => $case:literal, $rule_lines:expr;)*) => {
        $(
            #[test]
            fn $name() {
                check($case, $rule_lines);
            }
        )*

        #[test]
        fn every_case_file_has_a_test() {
            common::assert_every_case_in("tests/injection", &[$($case),*]);
        }
    };
}

// Per case: each Shorewall product it renders, with its rules file's
// number of rule lines (DNAT included).
injection_case! {
    hostile_free_text_passes_both_tools_and_adds_no_rule => "accepted", &[("shorewall", 2)];
    hostile_text_in_a_masq_file => "accepted-masq", &[("shorewall", 1)];
    hostile_text_in_both_families => "accepted-ipv6", &[("shorewall", 1), ("shorewall6", 2)];
}
