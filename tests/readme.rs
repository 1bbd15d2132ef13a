//! Every command README.md shows is run here, or mapped to the test that
//! runs it (issue #18).
//!
//! The grammar this file reads README.md with:
//! - An indented code block is a run of lines indented by 4 spaces after a
//!   blank line, outside ``` fences (blank lines inside it belong to it). In
//!   such a block:
//!   - `$ CMD` is a command; the lines after it, up to the next `$ ` line or
//!     the block's end, are its output as the README shows it;
//!   - `# text` is a comment; `CMD    # text` is CMD (the comment is dropped);
//!   - a line indented further than the block's first line continues the
//!     command above it (a synopsis's wrapped options);
//!   - a line whose first word is in COMMAND_WORDS is a command whose output
//!     the README does not show;
//!   - a block whose first line is none of these is fwgen's output shown
//!     without its command: each `error:` paragraph in it must be in
//!     ERROR_OUTPUT, which names the tests/errors case that prints it.
//! - In a fenced ```yaml block (a CI job), each `- run: CMD` is a command.
//! - A fenced ```toml block that starts with `[firewall]` is a whole model
//!   and must pass `fwgen check --strict`; any other ```toml block is the pull-request
//!   example's edit to the LXC host's model, and the one ```diff block is
//!   what `fwgen diff` prints for it (the Shorewall diff, then nftables').
//! - In prose, an inline code span (it may wrap lines) is a command when its
//!   first word is `fwgen` (with more words: `fwgen.nft` is a file), `cargo`,
//!   `man`, an environment assignment (`FWGEN_BLESS=1 cargo ...`) or a
//!   script of this repository (`tests/run`, `fuzz/run.sh`). Spans naming
//!   `nft`, `shorewall` or `unshare` in prose tell what fwgen or a test runs
//!   (`shorewall try`, `nft -c`), not what to type, and are not read.
//!
//! Each command is then exactly one of:
//! - a synopsis (an argument holds `[`, `]`, `...`, `a|b` or a placeholder
//!   of PLACEHOLDERS) or a reference (`fwgen init`: subcommand words alone):
//!   every option and every `a|b` value it names must be in
//!   `fwgen SUBCOMMAND --help`, and every placeholder (an upper-case word)
//!   must be in PLACEHOLDERS;
//! - in RUN: run by `bash -o pipefail -c` in the scratch directory of its
//!   Scene, with the binary under test first on PATH as `fwgen` and
//!   `cargo run --release --` read as `fwgen`. A host path (HOST_PATHS) is
//!   moved under the scratch directory, and `cargo install` installs there
//!   (CARGO_INSTALL_ROOT) and builds in target/package (the release build
//!   tests/package.rs shares), offline (CARGO_NET_OFFLINE: the test's own
//!   build fetched every crate), so nothing on the host is written and no
//!   registry is waited on. The exit
//!   code must be the table's and, when the README shows output, stdout
//!   then stderr must be that output once the scratch directory is taken
//!   out of it (trailing blanks of each line ignored; a shown line ending in
//!   `...` stands for the lines it elides, see `shows`);
//! - in MAPPED: a command that changes the host (apply, nft, systemctl, apt,
//!   shorewall) or builds and installs the package is never run here; the
//!   table names the file that runs it and the function (`fn NAME(`) or line
//!   that does, which must be there;
//! - in NOT_RUN: a developers' tool no test runs (benchmarks, fuzzing), with
//!   the reason; the file it needs must be there.
//!
//! The tables are looked up first: an entry wins over the synopsis rule
//! (`fuzz/run.sh [SECONDS]`).
//!
//! A command in none of these fails the test with how to add it, and a table
//! entry the README no longer shows fails it too.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// First words that make an indented line a command.
const COMMAND_WORDS: &[&str] = &[
    "$",
    "fwgen",
    "cargo",
    "tests/run",
    "packaging/build-deb.sh",
    "apt",
    "sudo",
    "nft",
    "shorewall",
    "systemctl",
    "mkdir",
    "diff",
];

/// What each placeholder of a synopsis stands for.
const PLACEHOLDERS: &[(&str, &str)] = &[
    (
        "FILE",
        "a file: the model, or a ruleset, or where import writes",
    ),
    (
        "DIR",
        "a directory: rendered files, backups, state, Shorewall's",
    ),
    ("ZONE", "a zone name, or $FW"),
    ("ADDR", "an IPv4 or IPv6 address"),
    ("MAC", "a MAC address (`02:00:00:00:01:00`)"),
    ("USER", "a user of the firewall host, by name or number"),
    ("GROUP", "a group of the firewall host, by name or number"),
    ("P", "a protocol: tcp, udp, icmp, ipv6-icmp"),
    ("N", "a port number"),
    ("T", "an ICMP type"),
    ("B", "a backend: shorewall or nftables"),
    ("SECONDS", "a number of seconds"),
    (
        "IFACE",
        "an interface of the model, by its name or its device",
    ),
];

/// Host paths a RUN command names, moved under its scratch directory.
const HOST_PATHS: &[&str] = &["/etc", "/usr/share/fwgen"];

/// The scratch directory a RUN command runs in, and what is in it first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Scene {
    /// A copy of examples/.
    Examples,
    /// The LXC host's model as ./fwgen.toml, rendered into /etc, then its
    /// `net -> all` policy edited from DROP to REJECT (as the README says).
    PolicyEdited,
    /// Shorewall's two-interface sample as /etc/shorewall (the migration
    /// walkthrough); its commands run in README order.
    Walkthrough,
    /// /usr/share/fwgen exists, as the package makes it.
    Schema,
    /// The CI job's checkout: the LXC host's model as ./fwgen.toml and its
    /// rendered files, committed in rendered/.
    Ci,
    /// The pull-request example: the CI checkout, then the README's edit
    /// appended to ./fwgen.toml.
    PullRequest,
    /// The checkout itself (the command runs at its root and writes only
    /// under target/): cargo installs into the scratch directory.
    Checkout,
    /// A machine of its own with the package installed: a network
    /// namespace, scratch directories mounted on /run and /var/lib (apply's
    /// state and boot files), and a `systemctl` first on PATH that says
    /// fwgen.service is enabled, as the package leaves it, and refuses any
    /// other question. The LXC host's model is ./fwgen.toml.
    Machine,
    /// /etc/fwgen exists, as the package makes it, and holds no model.
    Init,
    /// The LXC host's model as ./fwgen.toml; nft is installed and the test
    /// runs as root (`nft -c` needs both).
    Nft,
}

/// The Machine's `systemctl`: fwgen asks it whether fwgen.service is enabled.
const SYSTEMCTL: &str = "#!/bin/sh\n\
    [ \"$*\" = \"is-enabled fwgen.service\" ] && { echo enabled; exit 0; }\n\
    echo \"systemctl $*: not answered in tests/readme.rs\" >&2; exit 1\n";

/// Commands run here: (command as the README shows it, scene, exit code).
const RUN: &[(&str, Scene, i32)] = &[
    ("cargo install --locked --path .", Scene::Checkout, 0),
    (
        "cargo run --release -- render --backend shorewall -c examples/lxc-host.toml",
        Scene::Examples,
        0,
    ),
    (
        "fwgen explain -c examples/lxc-host.toml --from loc:10.0.0.5 --to net:192.0.2.1 --dport 443",
        Scene::Examples,
        0,
    ),
    (
        "fwgen diff --backend shorewall --out /etc",
        Scene::PolicyEdited,
        1,
    ),
    (
        "fwgen schema > /usr/share/fwgen/fwgen.schema.json",
        Scene::Schema,
        0,
    ),
    (
        "fwgen import shorewall /etc/shorewall -o fwgen.toml --partial",
        Scene::Walkthrough,
        0,
    ),
    ("fwgen check -c fwgen.toml", Scene::Walkthrough, 0),
    (
        "mkdir -p rendered && fwgen diff --backend shorewall -c fwgen.toml --out rendered",
        Scene::Walkthrough,
        1,
    ),
    (
        "fwgen render --backend shorewall -c fwgen.toml --out rendered --yes",
        Scene::Walkthrough,
        0,
    ),
    (
        "diff -r /etc/shorewall rendered/shorewall",
        Scene::Walkthrough,
        1,
    ),
    (
        "fwgen render --backend nftables -c fwgen.toml --out rendered --yes",
        Scene::Walkthrough,
        0,
    ),
    (
        "fwgen explain -c fwgen.toml --from loc:192.168.1.10 --to net:192.0.2.1 --dport 443",
        Scene::Walkthrough,
        0,
    ),
    (
        "fwgen render --backend shorewall -c fwgen.toml --out rendered --check",
        Scene::Ci,
        0,
    ),
    (
        "fwgen render --backend nftables  -c fwgen.toml --out rendered --check",
        Scene::Ci,
        0,
    ),
    (
        "fwgen explain -c fwgen.toml --from net:192.0.2.7 --to '$FW' --dport 22 --trace",
        Scene::PullRequest,
        0,
    ),
    ("fwgen init -c /etc/fwgen/fwgen.toml", Scene::Init, 0),
    (
        "fwgen apply --backend nftables -c fwgen.toml --yes",
        Scene::Machine,
        0,
    ),
    ("fwgen apply --confirm", Scene::Machine, 0),
    (
        "nft add rule inet fwgen input tcp dport 4444 accept",
        Scene::Machine,
        0,
    ),
    ("fwgen diff --backend nftables --live", Scene::Machine, 1),
    (
        "fwgen render --backend nftables | nft -c -f -",
        Scene::Nft,
        0,
    ),
];

const DEB_TEST: &str = "the_deb_holds_the_binary_docs_completions_unit_and_examples";

/// Commands never run here: (command, file that runs it, `fn` name or line).
/// The CI job's `cargo install --git` is the `cargo install --path .` run
/// here, from another source.
const MAPPED: &[(&str, &str, &str)] = &[
    (
        "cargo install --locked --git \"$FWGEN_GIT\" fwgen",
        "tests/readme.rs",
        "run_commands_exit_and_print_what_the_readme_shows",
    ),
    (
        "cargo install --locked cargo-deb",
        "tests/run",
        "cargo install cargo-deb --locked",
    ),
    ("packaging/build-deb.sh", "tests/package.rs", DEB_TEST),
    (
        "apt install ./target/debian/fwgen_*.deb",
        "tests/package.rs",
        "the_debs_files_run_load_and_match_the_sources",
    ),
    ("tests/run", "tests/run", "cargo test --locked"),
    (
        "fwgen apply --rollback-now",
        "tests/apply.rs",
        "killed_timer_is_reported_loudly_and_rollback_now_restores",
    ),
    (
        "fwgen apply --backend nftables -c fwgen.toml",
        "tests/apply.rs",
        "apply_then_confirm_keeps_the_new_table",
    ),
    (
        "shorewall clear",
        "tests/boot.rs",
        "an_apply_with_nothing_to_load_still_turns_forwarding_on_and_keeps_the_table",
    ),
    (
        "systemctl disable shorewall shorewall6",
        "tests/package.rs",
        "the_deb_depends_on_nftables_and_enables_the_unit_without_starting_it",
    ),
    ("man fwgen", "tests/package.rs", MAN_TEST),
    ("man fwgen-apply", "tests/package.rs", MAN_TEST),
    (
        "cargo deb --no-build",
        "packaging/build-deb.sh",
        "cargo deb --no-build",
    ),
    (
        "fwgen diff --backend shorewall",
        "tests/readme.rs",
        "the_pull_request_example_is_what_fwgen_diff_prints",
    ),
    (
        "FWGEN_BLESS=1 cargo test --test golden",
        "tests/common/mod.rs",
        "blessing",
    ),
    (
        "cargo test --test lab -- --test-threads=1",
        "tests/run",
        "-- --test-threads=1",
    ),
    (
        "cargo test --test verify -- --test-threads=1",
        "tests/run",
        "-- --test-threads=1",
    ),
    (
        "fwgen verify -c fwgen.toml --against /etc/shorewall",
        "tests/verify.rs",
        "against_the_imported_directory_agrees",
    ),
];

const MAN_TEST: &str = "every_visible_subcommand_has_a_man_page_that_man_renders";

/// Developers' tools no test runs: (command, file it needs, why not run).
const NOT_RUN: &[(&str, &str, &str)] = &[
    (
        "cargo bench --bench render",
        "benches/render.rs",
        "a benchmark: minutes of release-mode timing; docs/performance.md holds its results",
    ),
    (
        "bench/compare.sh",
        "bench/compare.sh",
        "a benchmark against Shorewall, as root; docs/performance.md holds its results",
    ),
    (
        "fuzz/run.sh [SECONDS]",
        "fuzz/run.sh",
        "fuzzing runs for minutes and needs cargo-fuzz; the README says it is not part of tests/run",
    ),
    (
        "cargo install cargo-fuzz",
        "fuzz/run.sh",
        "installs the fuzzing tool fuzz/run.sh needs, which no test runs",
    ),
];

/// Error output the README shows without its command: (the `error:` line,
/// the tests/errors case whose model, as ./fwgen.toml, prints it).
const ERROR_OUTPUT: &[(&str, &str)] = &[
    ("error: unknown zone `nett`", "did-you-mean-zone"),
    (
        "error: interface `eth0` is declared twice",
        "duplicate-interface",
    ),
];

/// One thing the README shows.
#[derive(Debug)]
enum Shown {
    /// A command, its README line, and its output when the README shows it.
    Command {
        text: String,
        line: usize,
        output: Option<String>,
    },
    /// Output shown without its command, starting at this README line.
    Output { text: String, line: usize },
    /// A whole model in a ```toml block.
    Model { text: String, line: usize },
    /// Any other ```toml block: the pull-request example's edit.
    Edit { text: String },
    /// A ```diff block: what `fwgen diff` prints for the edit.
    Diff { text: String, line: usize },
}

fn is_command(line: &str) -> bool {
    let first = line.split_whitespace().next().unwrap_or("");
    COMMAND_WORDS.contains(&first)
}

/// `CMD    # comment` -> `CMD`; a `#` inside a word (`#:schema`) stays.
fn without_comment(line: &str) -> &str {
    match line.find(" #") {
        Some(at) => line[..at].trim_end(),
        None => line.trim_end(),
    }
}

/// Everything README.md shows, by the grammar at the top of this file.
fn shown(readme: &str) -> Vec<Shown> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut found = Vec::new();
    let mut prose = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(lang) = line.strip_prefix("```") {
            let start = i + 1;
            let mut end = start;
            while end < lines.len() && !lines[end].starts_with("```") {
                end += 1;
            }
            let body = &lines[start..end.min(lines.len())];
            if lang == "yaml" {
                for (k, l) in body.iter().enumerate() {
                    if let Some(cmd) = l.trim_start().strip_prefix("- run: ") {
                        found.push(Shown::Command {
                            text: cmd.trim().to_string(),
                            line: start + k + 1,
                            output: None,
                        });
                    }
                }
            }
            let text = body.join("\n") + "\n";
            match lang {
                "toml" if body.first() == Some(&"[firewall]") => found.push(Shown::Model {
                    text,
                    line: start + 1,
                }),
                "toml" => found.push(Shown::Edit { text }),
                "diff" => found.push(Shown::Diff {
                    text,
                    line: start + 1,
                }),
                _ => {}
            }
            i = end + 1;
            continue;
        }
        let after_blank = i > 0 && lines[i - 1].trim().is_empty();
        if !(after_blank && line.starts_with("    ")) {
            prose.push((i + 1, line));
            i += 1;
            continue;
        }
        // An indented block: up to the first line with less indentation
        // that is not blank; trailing blank lines are not in it.
        let start = i;
        let mut end = i;
        while end < lines.len() && (lines[end].starts_with("    ") || lines[end].trim().is_empty())
        {
            end += 1;
        }
        while end > start && lines[end - 1].trim().is_empty() {
            end -= 1;
        }
        let block: Vec<&str> = lines[start..end]
            .iter()
            .map(|l| l.strip_prefix("    ").unwrap_or(""))
            .collect();
        read_block(&block, start + 1, &mut found);
        i = end;
    }
    inline_commands(&prose, &mut found);
    found
}

/// The inline code spans of the prose that are commands.
fn inline_commands(prose: &[(usize, &str)], found: &mut Vec<Shown>) {
    let mut open: Option<(usize, String)> = None;
    for (number, line) in prose {
        if line.trim().is_empty() {
            open = None; // a span never crosses a paragraph
            continue;
        }
        for (k, piece) in line.split('`').enumerate() {
            if k > 0 {
                open = match open.take() {
                    None => Some((*number, String::new())),
                    Some((at, span)) => {
                        let text = span.split_whitespace().collect::<Vec<_>>().join(" ");
                        if is_inline_command(&text) {
                            found.push(Shown::Command {
                                text,
                                line: at,
                                output: None,
                            });
                        }
                        None
                    }
                };
            }
            if let Some((_, span)) = &mut open {
                span.push_str(piece);
            }
        }
        if let Some((_, span)) = &mut open {
            span.push(' ');
        }
    }
}

/// An executable file of this repository (`tests/run`), not a source file.
fn is_script(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn is_inline_command(span: &str) -> bool {
    let mut words = span.split_whitespace();
    let first = words.next().unwrap_or("");
    let more = words.next().is_some();
    match first {
        "fwgen" => more,
        "cargo" | "man" => true,
        _ if first.contains('=') => more && first.starts_with(|c: char| c.is_ascii_uppercase()),
        _ => first.contains('/') && is_script(&common::root().join(first)),
    }
}

fn read_block(block: &[&str], first_line: usize, found: &mut Vec<Shown>) {
    if !is_command(block[0]) && !block[0].starts_with('#') {
        found.push(Shown::Output {
            text: block.join("\n"),
            line: first_line,
        });
        return;
    }
    let mut k = 0;
    while k < block.len() {
        let line = block[k];
        let number = first_line + k;
        k += 1;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            let mut output = Vec::new();
            while k < block.len() && !block[k].starts_with("$ ") {
                output.push(block[k]);
                k += 1;
            }
            found.push(Shown::Command {
                text: without_comment(cmd).to_string(),
                line: number,
                output: Some(output.join("\n")),
            });
            continue;
        }
        assert!(
            is_command(line),
            "README.md:{number}: `{line}` is in a code block of commands but is no command: \
             start it with one of {COMMAND_WORDS:?} (or add its first word there), or make it \
             a `# comment`"
        );
        let mut text = without_comment(line).to_string();
        while k < block.len() && block[k].starts_with(' ') && !block[k].trim().is_empty() {
            text.push(' ');
            text.push_str(without_comment(block[k].trim()));
            k += 1;
        }
        found.push(Shown::Command {
            text,
            line: number,
            output: None,
        });
    }
}

fn readme() -> String {
    std::fs::read_to_string(common::root().join("README.md")).unwrap()
}

/// The README's commands, each with its line and the output it shows.
fn commands(shown: &[Shown]) -> Vec<(&str, usize, Option<&str>)> {
    shown
        .iter()
        .filter_map(|s| match s {
            Shown::Command { text, line, output } => {
                Some((text.as_str(), *line, output.as_deref()))
            }
            _ => None,
        })
        .collect()
}

fn is_synopsis(command: &str) -> bool {
    let mut words = command.split_whitespace();
    if words.next() == Some("fwgen")
        && words
            .all(|w| !w.starts_with('-') && w.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
    {
        return true; // a reference: `fwgen init`
    }
    command.split_whitespace().any(|word| {
        PLACEHOLDERS.iter().any(|(p, _)| *p == word)
            || word.contains('[')
            || word.contains(']')
            || word == "..."
            || word.contains('|') && word != "|"
    })
}

fn in_a_table(command: &str) -> bool {
    RUN.iter().any(|(c, _, _)| *c == command)
        || MAPPED.iter().any(|(c, _, _)| *c == command)
        || NOT_RUN.iter().any(|(c, _, _)| *c == command)
}

fn fwgen() -> &'static str {
    env!("CARGO_BIN_EXE_fwgen")
}

#[test]
fn every_command_is_run_mapped_or_a_checked_synopsis() {
    let readme = readme();
    let shown = shown(&readme);
    let mut unknown = Vec::new();
    let mut seen = BTreeSet::new();
    for (text, line, _) in commands(&shown) {
        seen.insert(text);
        let known = in_a_table(text) || is_synopsis(text);
        if !known {
            unknown.push(format!("README.md:{line}: `{text}`"));
        }
    }
    assert!(
        unknown.is_empty(),
        "tests/readme.rs does not know these README commands:\n{}\n\
         add each to RUN (with the Scene it runs in and its exit code) when it can run in a \
         scratch directory, to MAPPED (with the test file and `fn` that runs it) when it \
         changes the host or builds the package, or to NOT_RUN (with the reason) when no \
         test runs it",
        unknown.join("\n")
    );
    for (command, _, _) in RUN.iter() {
        assert!(
            seen.contains(command),
            "RUN names `{command}`, which README.md no longer shows"
        );
    }
    for (command, _, _) in MAPPED.iter() {
        assert!(
            seen.contains(command),
            "MAPPED names `{command}`, which README.md no longer shows"
        );
    }
    for (command, _, _) in NOT_RUN.iter() {
        assert!(
            seen.contains(command),
            "NOT_RUN names `{command}`, which README.md no longer shows"
        );
    }
}

#[test]
fn mapped_commands_name_a_test_that_exists() {
    for (command, file, needle) in MAPPED {
        let text = std::fs::read_to_string(common::root().join(file)).unwrap_or_else(|e| {
            panic!("`{command}` is mapped to {file}, which cannot be read: {e}")
        });
        let found = if file.ends_with(".rs") {
            text.contains(&format!("fn {needle}("))
        } else {
            text.contains(needle)
        };
        assert!(
            found,
            "`{command}` is mapped to {file} `{needle}`, which is not there: map it to the test \
             that runs it now"
        );
    }
}

/// The options, values and placeholders a synopsis names.
fn synopsis_words(command: &str) -> (Vec<String>, Vec<String>, Vec<String>) {
    let (mut options, mut values, mut placeholders) = (Vec::new(), Vec::new(), Vec::new());
    for word in command.split_whitespace().skip(1) {
        for piece in word
            .split(['[', ']'])
            .filter(|p| !p.is_empty() && *p != "...")
        {
            if piece.starts_with('-') {
                options.push(piece.to_string());
            } else if piece.contains('|') {
                values.extend(piece.split('|').map(str::to_string));
            } else {
                for part in piece.split(|c: char| !c.is_ascii_alphanumeric()) {
                    if !part.is_empty() && part.chars().all(|c| c.is_ascii_uppercase()) {
                        placeholders.push(part.to_string());
                    }
                }
            }
        }
    }
    (options, values, placeholders)
}

#[test]
fn every_synopsis_names_options_and_values_fwgen_has() {
    let readme = readme();
    let shown = shown(&readme);
    let mut checked = 0;
    for (text, line, _) in commands(&shown) {
        if in_a_table(text) || !is_synopsis(text) {
            continue;
        }
        checked += 1;
        assert!(
            text.starts_with("fwgen "),
            "README.md:{line}: a synopsis of `{text}`, not fwgen's"
        );
        let subcommand: Vec<&str> = text
            .split_whitespace()
            .skip(1)
            .take_while(|w| {
                w.chars().all(|c| c.is_ascii_lowercase() || c == '-') && !w.starts_with('-')
            })
            .collect();
        let output = Command::new(fwgen())
            .args(&subcommand)
            .arg("--help")
            .output()
            .unwrap();
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "fwgen {subcommand:?} --help failed"
        );
        let (options, values, placeholders) = synopsis_words(text);
        for option in options {
            let named = if option.starts_with("--") {
                help.contains(&format!("{option} ")) || help.contains(&format!("{option}\n"))
            } else {
                help.contains(&format!("{option}, "))
            };
            assert!(
                named,
                "README.md:{line}: `{option}` is not an option of `fwgen {}`:\n{help}",
                subcommand.join(" ")
            );
        }
        for value in values {
            assert!(
                subcommand.contains(&value.as_str()) || help.contains(&value),
                "README.md:{line}: `{value}` is not a value `fwgen {}` takes:\n{help}",
                subcommand.join(" ")
            );
        }
        for placeholder in placeholders {
            assert!(
                PLACEHOLDERS.iter().any(|(p, _)| *p == placeholder),
                "README.md:{line}: the placeholder {placeholder} is not in PLACEHOLDERS: add it \
                 with what it stands for"
            );
        }
    }
    assert!(checked >= 8, "only {checked} synopses found in README.md");
}

#[test]
fn commands_not_run_name_files_that_are_there() {
    for (command, file, why) in NOT_RUN {
        assert!(
            common::root().join(file).is_file(),
            "`{command}` ({why}) needs {file}, which is not there"
        );
    }
}

/// A scene's scratch directory, made ready.
fn scene(scene: Scene) -> PathBuf {
    scene_for("run", scene)
}

/// A scene's scratch directory for one test (tests run in parallel).
fn scene_for(test: &str, scene: Scene) -> PathBuf {
    let dir = common::scratch(&format!("readme-{test}-{scene:?}"));
    let bin = dir.join(".bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(fwgen(), bin.join("fwgen")).unwrap();
    scene_in(dir, scene)
}

fn scene_in(dir: PathBuf, scene: Scene) -> PathBuf {
    let lxc = std::fs::read_to_string(common::root().join("examples/lxc-host.toml")).unwrap();
    match scene {
        Scene::Examples => {
            common::copy_tree(&common::root().join("examples"), &dir.join("examples"));
        }
        Scene::PolicyEdited => {
            std::fs::write(dir.join("fwgen.toml"), &lxc).unwrap();
            let etc = dir.join("etc");
            std::fs::create_dir_all(&etc).unwrap();
            run_in(
                &dir,
                &dir,
                None,
                "fwgen render --backend shorewall -c fwgen.toml --out etc --yes",
                0,
            );
            let policy = "source = \"net\"\ndest = \"all\"\naction = \"DROP\"";
            assert!(
                lxc.contains(policy),
                "the LXC host's model has no `net -> all` DROP policy"
            );
            let edited = lxc.replace(
                policy,
                "source = \"net\"\ndest = \"all\"\naction = \"REJECT\"",
            );
            std::fs::write(dir.join("fwgen.toml"), edited).unwrap();
        }
        Scene::Walkthrough => {
            common::require_tool("shorewall", "shorewall");
            common::copy_tree(
                Path::new("/usr/share/doc/shorewall/examples/two-interfaces"),
                &dir.join("etc/shorewall"),
            );
        }
        Scene::Schema => std::fs::create_dir_all(dir.join("usr/share/fwgen")).unwrap(),
        Scene::Checkout => {}
        Scene::Machine => {
            common::require_root();
            common::require_tool("nft", "nftables");
            common::require_tool("unshare", "util-linux");
            std::fs::write(dir.join("fwgen.toml"), &lxc).unwrap();
            std::fs::create_dir_all(dir.join("run")).unwrap();
            std::fs::create_dir_all(dir.join("var/lib")).unwrap();
            let systemctl = dir.join(".bin/systemctl");
            std::fs::write(&systemctl, SYSTEMCTL).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&systemctl, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Scene::Init => std::fs::create_dir_all(dir.join("etc/fwgen")).unwrap(),
        Scene::Nft => {
            common::require_tool("nft", "nftables");
            common::require_root();
            std::fs::write(dir.join("fwgen.toml"), &lxc).unwrap();
        }
        Scene::PullRequest => {
            let dir = scene_in(dir, Scene::Ci);
            let readme = readme();
            let edits: Vec<String> = shown(&readme)
                .into_iter()
                .filter_map(|s| match s {
                    Shown::Edit { text } => Some(text),
                    _ => None,
                })
                .collect();
            assert_eq!(
                edits.len(),
                1,
                "README.md shows one edit of the model, in ```toml"
            );
            let model = format!("{lxc}\n{}", edits[0]);
            std::fs::write(dir.join("fwgen.toml"), model).unwrap();
            return dir;
        }
        Scene::Ci => {
            std::fs::write(dir.join("fwgen.toml"), &lxc).unwrap();
            std::fs::create_dir_all(dir.join("rendered")).unwrap();
            for backend in ["shorewall", "nftables"] {
                run_in(
                    &dir,
                    &dir,
                    None,
                    &format!("fwgen render --backend {backend} -c fwgen.toml --out rendered --yes"),
                    0,
                );
            }
        }
    }
    dir
}

/// Runs a README command in `dir` as the grammar says; returns its output
/// (stdout then stderr) with `dir` taken out.
fn run_in(dir: &Path, cwd: &Path, netns: Option<&str>, command: &str, exit: i32) -> String {
    let mut line = command.replacen("cargo run --release -- ", "fwgen ", 1);
    for path in HOST_PATHS {
        line = line.replace(&format!(" {path}"), &format!(" {}{path}", dir.display()));
    }
    let path = format!(
        "{}:{}",
        dir.join(".bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // One stream, as a terminal shows stdout and stderr.
    let script = format!("exec 2>&1; {line}");
    let mut shell = match netns {
        None => Command::new("bash"),
        Some(name) => {
            let mut c = Command::new("ip");
            c.args(["netns", "exec", name, "unshare", "--mount", "bash"]);
            c
        }
    };
    let script = match netns {
        None => script,
        Some(_) => format!(
            "mount --bind {d}/run /run && mount --bind {d}/var/lib /var/lib && {script}",
            d = dir.display()
        ),
    };
    let output = shell
        .args(["-o", "pipefail", "-c", &script])
        .current_dir(cwd)
        .env("PATH", path)
        .env("CARGO_INSTALL_ROOT", dir.join("install"))
        .env("CARGO_TARGET_DIR", common::root().join("target/package"))
        // The test's own build fetched every crate the lock names; cargo
        // install must not wait on a registry the test machine (or the
        // namespace the command runs in) cannot reach.
        .env("CARGO_NET_OFFLINE", "true")
        .env_remove("FWGEN_CONFIG")
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    let text = text.replace(&dir.display().to_string(), "");
    assert_eq!(
        output.status.code(),
        Some(exit),
        "`{command}` (run as `{line}` in {}) did not exit {exit}:\n{text}",
        dir.display()
    );
    assert!(!text.contains("panicked"), "`{command}` panicked:\n{text}");
    text
}

fn lines_trimmed(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    lines.join("\n").trim_end_matches('\n').to_string()
}

/// Whether `actual` is what `shown` shows: line for line, but a shown line
/// ending in `...` stands for one or more lines, the first starting with
/// what comes before the `...` (`@@ ...`: a diff's hunks; `...`: any lines).
fn shows(shown: &[&str], actual: &[&str]) -> bool {
    let Some((first, rest)) = shown.split_first() else {
        return actual.is_empty();
    };
    match first.strip_suffix("...") {
        Some(prefix) => {
            !actual.is_empty()
                && actual[0].starts_with(prefix)
                && (1..=actual.len()).any(|n| shows(rest, &actual[n..]))
        }
        None => actual.first() == Some(first) && shows(rest, &actual[1..]),
    }
}

fn assert_output(line: usize, command: &str, shown: &str, actual: &str) {
    let (shown, actual) = (lines_trimmed(shown), lines_trimmed(actual));
    let (shown_lines, actual_lines): (Vec<&str>, Vec<&str>) =
        (shown.lines().collect(), actual.lines().collect());
    assert!(
        shows(&shown_lines, &actual_lines),
        "README.md:{line}: `{command}` prints something else than the README shows:\n{}",
        common::unified_diff(&shown, &actual, "README.md")
    );
}

#[test]
fn run_commands_exit_and_print_what_the_readme_shows() {
    let readme = readme();
    let shown = shown(&readme);
    let commands = commands(&shown);
    let mut scenes: Vec<Scene> = RUN.iter().map(|(_, s, _)| *s).collect();
    scenes.sort();
    scenes.dedup();
    let mut ran = BTreeSet::new();
    for name in scenes {
        let dir = scene(name);
        let netns = (name == Scene::Machine).then(|| common::Netns::new("readme"));
        // In README order: the walkthrough's steps build on each other. A
        // command also shown in a `$` session (`fwgen apply --confirm`) runs
        // there only, not where a listing names it.
        for (text, line, output) in &commands {
            let Some((_, _, exit)) = RUN.iter().find(|(c, s, _)| c == text && *s == name) else {
                continue;
            };
            let in_a_session = commands.iter().any(|(c, _, o)| c == text && o.is_some());
            if in_a_session && output.is_none() {
                continue;
            }
            let cwd = if name == Scene::Checkout {
                common::root()
            } else {
                dir.clone()
            };
            let actual = run_in(
                &dir,
                &cwd,
                netns.as_ref().map(|n| n.name.as_str()),
                text,
                *exit,
            );
            eprintln!("README.md:{line}: ran `{text}`");
            ran.insert(*text);
            if let Some(output) = output {
                assert_output(*line, text, output, &actual);
            }
        }
        if name == Scene::Checkout {
            let installed = dir.join("install/bin/fwgen");
            let (ok, version) = common::run(installed.to_str().unwrap(), &["--version"]);
            assert!(
                ok && version.trim() == format!("fwgen {}", env!("CARGO_PKG_VERSION")),
                "cargo install did not install fwgen:\n{version}"
            );
        }
        if name == Scene::Schema {
            let schema =
                std::fs::read_to_string(dir.join("usr/share/fwgen/fwgen.schema.json")).unwrap();
            let value: serde_json::Value = serde_json::from_str(&schema).unwrap();
            assert!(value.get("properties").is_some(), "{schema}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    let all: BTreeSet<&str> = RUN.iter().map(|(c, _, _)| *c).collect();
    assert_eq!(ran, all, "RUN entries the README does not show");
}

#[test]
fn error_output_is_what_fwgen_prints_for_its_case() {
    let readme = readme();
    let shown = shown(&readme);
    let mut checked = 0;
    for item in &shown {
        let Shown::Output { text, line } = item else {
            continue;
        };
        let mut paragraphs: Vec<(usize, String)> = Vec::new();
        for (k, l) in text.lines().enumerate() {
            if l.starts_with("error:") {
                paragraphs.push((line + k, String::new()));
            }
            let Some((_, paragraph)) = paragraphs.last_mut() else {
                panic!(
                    "README.md:{line}: a code block that is neither commands nor fwgen's \
                     `error:` output: start its lines with one of {COMMAND_WORDS:?}"
                );
            };
            paragraph.push_str(l);
            paragraph.push('\n');
        }
        for (line, paragraph) in paragraphs {
            let first = paragraph.lines().next().unwrap();
            let Some((_, case)) = ERROR_OUTPUT.iter().find(|(e, _)| *e == first) else {
                panic!(
                    "README.md:{line}: `{first}` is not in ERROR_OUTPUT: add it with the \
                     tests/errors case that prints it"
                );
            };
            let dir = common::scratch(&format!("readme-error-{case}"));
            std::fs::copy(
                common::root().join(format!("tests/errors/{case}.toml")),
                dir.join("fwgen.toml"),
            )
            .unwrap();
            let output = Command::new(fwgen())
                .args(["check", "-c", "fwgen.toml"])
                .current_dir(&dir)
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(2), "{case} did not fail");
            let stderr = String::from_utf8_lossy(&output.stderr);
            let printed = stderr
                .split("\n\n")
                .find(|p| p.starts_with(first))
                .unwrap_or_else(|| panic!("{case} does not print `{first}`:\n{stderr}"));
            assert_output(line, &format!("fwgen check ({case})"), &paragraph, printed);
            checked += 1;
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    assert_eq!(
        checked,
        ERROR_OUTPUT.len(),
        "an ERROR_OUTPUT entry the README no longer shows"
    );
}

#[test]
fn the_pull_request_example_is_what_fwgen_diff_prints() {
    let readme = readme();
    let diffs: Vec<(String, usize)> = shown(&readme)
        .into_iter()
        .filter_map(|s| match s {
            Shown::Diff { text, line } => Some((text, line)),
            _ => None,
        })
        .collect();
    assert_eq!(diffs.len(), 1, "README.md shows one ```diff block");
    let (shown_diff, line) = &diffs[0];
    let dir = scene_for("diff", Scene::PullRequest);
    let mut printed = String::new();
    for backend in ["shorewall", "nftables"] {
        printed.push_str(&run_in(
            &dir,
            &dir,
            None,
            &format!("fwgen diff --backend {backend} -c fwgen.toml --out rendered"),
            1,
        ));
    }
    assert_output(*line, "fwgen diff", shown_diff, &printed);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_models_shown_pass_check() {
    let readme = readme();
    let shown = shown(&readme);
    let mut checked = 0;
    for item in &shown {
        let Shown::Model { text, line } = item else {
            continue;
        };
        let dir = common::scratch("readme-model");
        std::fs::write(dir.join("fwgen.toml"), text).unwrap();
        check_strict(&dir, *line);
        checked += 1;
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(checked >= 1, "README.md shows no whole model");
}

fn check_strict(dir: &Path, line: usize) {
    let output = Command::new(fwgen())
        .args(["check", "--strict", "-c", "fwgen.toml"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "README.md:{line}: the model shown fails `fwgen check --strict`:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
