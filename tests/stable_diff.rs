//! One model edit, one small diff (issue #17): for every example, single
//! edits of the model (a rule added at the top, in the middle and at the
//! end; a rule removed; a port changed; a policy's action changed) are
//! rendered before and after with the real binary, and the diff of the
//! backend's files may touch only the lines of the edited item: an added
//! item only adds lines, all of them its own; a removed item only removes
//! its own; a changed item removes and adds its own lines and no other.
//!
//! The edited item carries the comment `TAG` before and after the edit,
//! and each backend says which lines of a file belong to the item that
//! carries it (`Side::item_lines`). Both backends are checked. One
//! exception, in nftables only: removing a rule that decided a whole zone
//! pair brings that pair's policy back into force, and its lines come back
//! with it (`Side::revealed`).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use similar::{ChangeTag, TextDiff};
use toml::{Table, Value};

/// The comment that marks the edited item in the model and in the files.
const TAG: &str = "stable-diff edited item";

/// One backend, as this test sees it.
struct Side {
    backend: &'static str,
    /// The line numbers (from 0) of `text`, a file of the backend, that
    /// belong to the item whose comment is `TAG`.
    item_lines: fn(text: &str) -> BTreeSet<usize>,
    /// When an item is removed: the lines of `new` that the removed item
    /// had hidden and that now come into force (a policy a removed
    /// catch-all rule had made unreachable). The diff must show them: they
    /// are the change of meaning.
    revealed: fn(old: &str, new: &str) -> BTreeSet<usize>,
    /// When a zone with an interface is added: the lines of `new` that are
    /// that zone's own beyond those naming `TAG` (nftables: its zone-pair
    /// chains and its elements of the dispatch maps).
    zone_lines: fn(new: &str, zone: &str, interface: &str) -> BTreeSet<usize>,
}

const SHOREWALL: Side = Side {
    backend: "shorewall",
    item_lines: shorewall_item_lines,
    revealed: |_, _| BTreeSet::new(),
    zone_lines: |_, _, _| BTreeSet::new(),
};

/// The nftables side. Every rule a model item makes carries `comment
/// "TAG"`, and a chain that a policy ends names it in its heading.
const NFTABLES: Side = Side {
    backend: "nftables",
    item_lines: nftables_item_lines,
    revealed: nftables_revealed,
    zone_lines: nftables_zone_lines,
};

/// A new zone's lines in fwgen.nft: the chains of the pairs it is in and
/// of its interface (`fwd-eth9`, headed `eth9: ...` or `eth9 options:
/// ...`), heading to closing brace, and the map elements that name its
/// interface or jump to those chains.
fn nftables_zone_lines(new: &str, zone: &str, interface: &str) -> BTreeSet<usize> {
    let ours = |chain: &str| {
        chain.starts_with(&format!("{zone}-"))
            || chain.ends_with(&format!("-{zone}"))
            || chain == interface
            || chain == format!("{interface} options")
            || ["in", "fwd", "out"]
                .iter()
                .any(|hook| chain == format!("{hook}-{interface}"))
    };
    let text: Vec<&str> = new.lines().collect();
    let mut lines = BTreeSet::new();
    let mut inside = false;
    for (index, line) in text.iter().enumerate() {
        let trimmed = line.trim_start();
        if let Some(heading) = trimmed.strip_prefix("# ") {
            inside = heading.split(':').next().is_some_and(ours);
        } else if let Some(name) = trimmed
            .strip_prefix("chain ")
            .and_then(|c| c.strip_suffix(" {"))
        {
            inside = inside || ours(name);
        }
        let element = trimmed.ends_with(',')
            && (trimmed.contains(&format!("\"{interface}\""))
                || trimmed
                    .rsplit("jump ")
                    .next()
                    .is_some_and(|target| ours(target.trim_end_matches(','))));
        if inside || element {
            lines.insert(index);
        }
        if inside && line.starts_with("\t}") {
            // and the blank line that separates the chain from the next
            if text.get(index + 1).is_some_and(|next| next.is_empty()) {
                lines.insert(index + 1);
            }
            inside = false;
        }
    }
    lines
}

/// The lines of the chains that, in `old`, a rule decided alone (so no
/// policy was reached): in `new` their policy may come back.
fn nftables_revealed(old: &str, new: &str) -> BTreeSet<usize> {
    let decided_by_a_rule: Vec<String> = old
        .lines()
        .filter(|l| l.ends_with("a rule decides every packet; no policy is reached"))
        .filter_map(|l| {
            l.trim_start()
                .strip_prefix("# ")?
                .split(':')
                .next()
                .map(str::to_owned)
        })
        .collect();
    let mut revealed = BTreeSet::new();
    let mut inside = false;
    for (index, line) in new.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(name) = trimmed.strip_prefix("# ").and_then(|h| h.split(':').next()) {
            inside = decided_by_a_rule.iter().any(|c| c == name);
        } else if trimmed == "}" && line.starts_with("\t}") {
            if inside {
                revealed.insert(index);
            }
            inside = false;
        }
        if inside {
            revealed.insert(index);
        }
    }
    revealed
}

/// In Shorewall's files an item is either a `?COMMENT TAG` line, its lines
/// and the `?COMMENT` that ends it (rules, snat, masq), or a `# TAG` line
/// and the one line below it (policy, zones, interfaces).
fn shorewall_item_lines(text: &str) -> BTreeSet<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let mut item = BTreeSet::new();
    for (index, line) in lines.iter().enumerate() {
        if *line == format!("?COMMENT {TAG}") {
            let end = (index + 1..lines.len())
                .find(|&i| lines[i].starts_with("?COMMENT"))
                .unwrap_or_else(|| panic!("?COMMENT {TAG} is never ended"));
            item.extend(index..=end);
        } else if *line == format!("# {TAG}") {
            item.extend([index, index + 1]);
        }
    }
    item
}

/// In fwgen.nft an item's lines are the rules whose comment names it and
/// the comment above a chain that the item's policy ends.
fn nftables_item_lines(text: &str) -> BTreeSet<usize> {
    let marker = format!("comment \"{TAG}\"");
    let heading = format!(": {TAG}");
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            line.contains(&marker)
                || (line.trim_start().starts_with("# ") && line.ends_with(&heading))
        })
        .map(|(index, _)| index)
        .collect()
}

// ----- edits of the model -----

/// What an edit does to the edited item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Added,
    Removed,
    Changed,
}

/// A model before and after one edit.
struct Edit {
    name: &'static str,
    kind: Kind,
    before: Table,
    after: Table,
    /// For a new zone: its name and its interface's.
    zone: Option<(&'static str, &'static str)>,
}

fn parse(example: &str) -> Table {
    let path = common::root().join(format!("examples/{example}.toml"));
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn entries<'a>(model: &'a mut Table, key: &str) -> &'a mut Vec<Value> {
    match model.get_mut(key) {
        Some(Value::Array(entries)) => entries,
        _ => panic!("the model has no [[{key}]]"),
    }
}

/// A rule whose SOURCE is longer than any other (issue #17's defect).
fn new_rule(dport: i64) -> Value {
    let text = format!(
        "action = \"ACCEPT\"\nsource = \"net:198.51.100.0/24,203.0.113.0/24,192.0.2.128/25\"\n\
         dest = \"$FW\"\nproto = \"tcp\"\ndport = [{dport}, \"54400:54410\"]\ncomment = \"{TAG}\"\n"
    );
    Value::Table(toml::from_str(&text).unwrap())
}

fn tagged(entry: &mut Value) {
    let Value::Table(table) = entry else {
        panic!("an entry is a table")
    };
    table.insert("comment".to_owned(), Value::String(TAG.to_owned()));
}

fn add_rule(example: &str, name: &'static str, at: fn(usize) -> usize) -> Edit {
    let before = parse(example);
    let mut after = before.clone();
    let rules = entries(&mut after, "rule");
    let index = at(rules.len());
    rules.insert(index, new_rule(54321));
    Edit {
        name,
        kind: Kind::Added,
        before,
        after,
        zone: None,
    }
}

/// A zone `lab` with the interface `eth9`, both described as `TAG`.
fn add_zone(example: &str) -> Edit {
    let before = parse(example);
    let mut after = before.clone();
    let described = |text: &str| -> Value { Value::Table(toml::from_str(text).unwrap()) };
    for (key, name, entry) in [
        ("zones", "lab", format!("description = \"{TAG}\"")),
        (
            "interfaces",
            "eth9",
            format!("zone = \"lab\"\ndescription = \"{TAG}\""),
        ),
    ] {
        let Some(Value::Table(section)) = after.get_mut(key) else {
            panic!("the model has no [{key}]")
        };
        section.insert(name.to_owned(), described(&entry));
    }
    Edit {
        name: "add a zone with an interface",
        kind: Kind::Added,
        before,
        after,
        zone: Some(("lab", "eth9")),
    }
}

fn remove_rule(example: &str) -> Edit {
    let mut before = parse(example);
    let rules = entries(&mut before, "rule");
    let middle = rules.len() / 2;
    tagged(&mut rules[middle]);
    let mut after = before.clone();
    entries(&mut after, "rule").remove(middle);
    Edit {
        name: "remove a rule",
        kind: Kind::Removed,
        before,
        after,
        zone: None,
    }
}

/// The first rule with a `dport` changes it; a model without one gets the
/// new rule in the middle first, whose port then changes.
fn change_port(example: &str) -> Edit {
    let mut before = parse(example);
    let rules = entries(&mut before, "rule");
    let index = match rules.iter().position(|r| r.get("dport").is_some()) {
        Some(index) => {
            tagged(&mut rules[index]);
            index
        }
        None => {
            let middle = rules.len() / 2;
            rules.insert(middle, new_rule(54321));
            middle
        }
    };
    let mut after = before.clone();
    let Value::Table(rule) = &mut entries(&mut after, "rule")[index] else {
        unreachable!()
    };
    rule.insert("dport".to_owned(), Value::Integer(54999));
    Edit {
        name: "change a port",
        kind: Kind::Changed,
        before,
        after,
        zone: None,
    }
}

fn change_policy(example: &str) -> Edit {
    let mut before = parse(example);
    let policies = entries(&mut before, "policy");
    tagged(&mut policies[0]);
    let mut after = before.clone();
    let Value::Table(policy) = &mut entries(&mut after, "policy")[0] else {
        unreachable!()
    };
    let action = match policy.get("action").and_then(Value::as_str) {
        Some("DROP") => "REJECT",
        _ => "DROP",
    };
    policy.insert("action".to_owned(), Value::String(action.to_owned()));
    Edit {
        name: "change a policy's action",
        kind: Kind::Changed,
        before,
        after,
        zone: None,
    }
}

fn edits(example: &str) -> Vec<Edit> {
    vec![
        add_rule(example, "add a rule at the top", |_| 0),
        add_rule(example, "add a rule in the middle", |len| len / 2),
        add_rule(example, "add a rule at the end", |len| len),
        remove_rule(example),
        change_port(example),
        change_policy(example),
        add_zone(example),
    ]
}

// ----- rendering and the lines a diff touches -----

/// The backend's files for `model`, rendered by the real binary.
fn render(side: &Side, model: &Table, dir: &Path) -> BTreeMap<String, String> {
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(dir.join("model.toml"), toml::to_string(model).unwrap()).unwrap();
    // The same relative path before and after: the files' headers name it.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .current_dir(dir)
        .args([
            "render",
            "--backend",
            side.backend,
            "--yes",
            "-c",
            "model.toml",
        ])
        .args(["--out", "out"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "render ({}) failed: {}",
        side.backend,
        String::from_utf8_lossy(&output.stderr)
    );
    common::read_tree(&out)
}

/// The lines a diff touches in one file: the numbers of the lines removed
/// from the old text and of those inserted into the new one.
#[derive(Debug, Default)]
struct Touched {
    removed: BTreeSet<usize>,
    inserted: BTreeSet<usize>,
}

fn touched(old: &str, new: &str) -> Touched {
    let mut touched = Touched::default();
    for change in TextDiff::from_lines(old, new).iter_all_changes() {
        match change.tag() {
            ChangeTag::Delete => touched.removed.extend(change.old_index()),
            ChangeTag::Insert => touched.inserted.extend(change.new_index()),
            ChangeTag::Equal => {}
        }
    }
    touched
}

/// Every line the edit touches belongs to the edited item, and the edit
/// touches something.
fn assert_local(side: &Side, example: &str, edit: &Edit) {
    let dir = common::scratch(&format!("stable-diff-{}-{example}", side.backend));
    let before = render(side, &edit.before, &dir.join("before"));
    let after = render(side, &edit.after, &dir.join("after"));
    let what = format!("{example}, {} ({})", edit.name, side.backend);
    let files: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let mut touched_any = false;
    for file in files {
        let old = before.get(file).map_or("", String::as_str);
        let new = after.get(file).map_or("", String::as_str);
        let touched = touched(old, new);
        touched_any |= !touched.removed.is_empty() || !touched.inserted.is_empty();
        let diff = common::unified_diff(old, new, file);
        if edit.kind == Kind::Added {
            assert!(
                touched.removed.is_empty(),
                "{what}: {file} lost lines:\n{diff}"
            );
        }
        let revealed = if edit.kind == Kind::Removed {
            (side.revealed)(old, new)
        } else {
            BTreeSet::new()
        };
        if edit.kind == Kind::Removed {
            assert!(
                touched.inserted.is_subset(&revealed),
                "{what}: {file} gained lines:\n{diff}"
            );
        }
        // The heading that said the removed rule decided the pair goes too.
        let old_item: BTreeSet<usize> = (side.item_lines)(old)
            .into_iter()
            .chain(old.lines().enumerate().filter_map(|(i, l)| {
                (edit.kind == Kind::Removed && l.ends_with("no policy is reached")).then_some(i)
            }))
            .collect();
        let zone = edit
            .zone
            .map(|(zone, interface)| (side.zone_lines)(new, zone, interface))
            .unwrap_or_default();
        let new_item: BTreeSet<usize> = (side.item_lines)(new)
            .into_iter()
            .chain(revealed.iter().copied())
            .chain(zone)
            .collect();
        assert!(
            touched.removed.is_subset(&old_item) && touched.inserted.is_subset(&new_item),
            "{what}: {file} changed lines of other items:\n{diff}"
        );
    }
    assert!(touched_any, "{what}: the edit changed no file");
    let _ = std::fs::remove_dir_all(&dir);
}

fn check(side: &Side, example: &str) {
    for edit in edits(example) {
        assert_local(side, example, &edit);
    }
}

macro_rules! stable_diff {
    ($($name:ident => $example:literal,)*) => {
        mod shorewall {
            use super::*;
            $(
                #[test]
                fn $name() {
                    check(&SHOREWALL, $example);
                }
            )*
        }

        mod nftables {
            use super::*;
            $(
                #[test]
                fn $name() {
                    check(&NFTABLES, $example);
                }
            )*
        }

        #[test]
        fn every_example_has_a_test() {
            common::assert_every_example_in(&[$($example),*], "tested by tests/stable_diff.rs");
        }
    };
}

stable_diff! {
    lxc_host => "lxc-host",
    two_interfaces => "two-interfaces",
    three_interfaces => "three-interfaces",
    port_forward => "port-forward",
    ipv6 => "ipv6",
    shorewall4 => "shorewall4",
}

/// The helper can fail: an edit of one rule that rewrites another line
/// (as the old column widths did) is caught.
#[test]
fn a_diff_beyond_the_item_is_caught() {
    let old = "?SECTION NEW\nACCEPT  loc  $FW\n";
    let new = format!(
        "?SECTION NEW\nACCEPT   loc   $FW\n?COMMENT {TAG}\nACCEPT   net:192.0.2.0/24,198.51.100.0/24 $FW\n?COMMENT\n"
    );
    let touched = touched(old, &new);
    let item = shorewall_item_lines(&new);
    assert_eq!(item, BTreeSet::from([2, 3, 4]));
    assert!(!touched.removed.is_empty() && !touched.inserted.is_subset(&item));
}
