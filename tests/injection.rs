//! Free text fwgen accepts (descriptions, comments) may hold characters that
//! mean something to Shorewall or nft; the output must still pass both
//! tools and carry no rule the model did not ask for. Text fwgen refuses
//! (newlines, quotes, `$`, backticks, control characters) is covered by
//! tests/errors.

mod common;

use fwgen::backend::{self, Backend};
use fwgen::load::compile;
use fwgen::source::Source;

fn model() -> fwgen::model::Model {
    let path = "tests/injection/accepted.toml";
    let text = std::fs::read_to_string(common::root().join(path)).unwrap();
    compile(&Source::new(path, text)).unwrap_or_else(|f| panic!("{}", f.render()))
}

#[test]
fn hostile_free_text_passes_both_tools_and_adds_no_rule() {
    common::require_root();
    common::require_tool("shorewall", "shorewall");
    common::require_tool("nft", "nftables");
    let model = model();
    let dir = common::scratch("injection");
    for backend in [Backend::Shorewall, Backend::Nftables] {
        let files = backend::render(&model, backend).unwrap();
        common::write_tree(
            &dir,
            files.iter().map(|f| (f.path.as_str(), f.content.as_str())),
        );
    }
    let (ok, out) = common::run(
        "nft",
        &["-c", "-f", dir.join("fwgen.nft").to_str().unwrap()],
    );
    assert!(ok, "nft -c rejected the output:\n{out}");
    let (ok, out) = common::run(
        "shorewall",
        &["check", dir.join("shorewall").to_str().unwrap()],
    );
    assert!(
        ok && !out.contains("ERROR") && !out.contains("WARNING"),
        "shorewall check:\n{out}"
    );

    // Every free text stays inside a comment: in the Shorewall files only
    // `#` lines hold it; in nftables only comment "..." strings.
    for name in ["zones", "interfaces", "policy", "rules", "snat"] {
        let text = std::fs::read_to_string(dir.join("shorewall").join(name)).unwrap();
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            assert!(
                !line.contains(';') && !line.contains('{') && !line.contains("?COMMENT"),
                "{name}: free text outside a comment: {line}"
            );
        }
    }
    let nft = std::fs::read_to_string(dir.join("fwgen.nft")).unwrap();
    let rules_with_text: Vec<&str> = nft
        .lines()
        .filter(|l| l.contains("chain x") || l.contains("flush ruleset"))
        .collect();
    assert!(
        rules_with_text
            .iter()
            .all(|l| l.trim_start().starts_with('#') || l.contains("comment \"")),
        "{rules_with_text:?}"
    );
    let rules = std::fs::read_to_string(dir.join("shorewall/rules")).unwrap();
    let lines: Vec<&str> = rules
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('?'))
        .collect();
    assert_eq!(
        lines.len(),
        2,
        "one DNAT and one rule, nothing else:\n{rules}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
