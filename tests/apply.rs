//! `fwgen apply` and `fwgen diff --live` through the real binary, each in a
//! network namespace of its own with a foreign table that must survive.
//! Shorewall keeps its state in /var/lib/shorewall for every namespace, so
//! these tests run one at a time (tests/run passes --test-threads=1).

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

struct Lab {
    netns: common::Netns,
    state: PathBuf,
    dir: PathBuf,
}

const FOREIGN: &str = "table inet foreign {\n\tchain keep {\n\t\ttype filter hook input priority 10; policy accept;\n\t}\n}\n";

impl Lab {
    fn new(name: &str) -> Lab {
        common::require_root();
        common::require_tool("nft", "nftables");
        common::require_tool("unshare", "util-linux");
        let netns = common::Netns::new(&format!("apply-{name}"));
        let dir = common::scratch(&format!("apply-{name}"));
        std::fs::write(dir.join("foreign.nft"), FOREIGN).unwrap();
        let lab = Lab {
            netns,
            state: dir.join("state"),
            dir,
        };
        let (ok, out) = lab.nft(&["-f", lab.dir.join("foreign.nft").to_str().unwrap()]);
        assert!(ok, "{out}");
        lab
    }

    fn fwgen(&self, args: &[&str]) -> Output {
        Command::new("ip")
            .current_dir(common::root())
            .args([
                "netns",
                "exec",
                &self.netns.name,
                env!("CARGO_BIN_EXE_fwgen"),
            ])
            .args(args)
            .output()
            .unwrap()
    }

    fn apply(&self, example: &str, extra: &[&str]) -> Output {
        let model = format!("examples/{example}.toml");
        let state = self.state.to_str().unwrap().to_owned();
        let mut args = vec![
            "apply",
            "--backend",
            "nftables",
            "-c",
            &model,
            "--state-dir",
            &state,
        ];
        args.extend_from_slice(extra);
        self.fwgen(&args)
    }

    fn nft(&self, args: &[&str]) -> (bool, String) {
        let mut all = vec!["nft"];
        all.extend_from_slice(args);
        self.netns.exec(&all)
    }

    fn table(&self) -> Option<String> {
        let (ok, out) = self.nft(&["list", "table", "inet", "fwgen"]);
        ok.then_some(out)
    }

    fn assert_foreign_survives(&self) {
        let (ok, out) = self.nft(&["list", "table", "inet", "foreign"]);
        assert!(
            ok && out.contains("chain keep"),
            "the foreign table is gone:\n{out}"
        );
    }

    fn diff_live(&self, example: &str) -> Output {
        self.fwgen(&[
            "diff",
            "--backend",
            "nftables",
            "--live",
            "-c",
            &format!("examples/{example}.toml"),
        ])
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Wait (bounded) until the condition holds.
fn eventually(within: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + within;
    while std::time::Instant::now() < deadline {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    condition()
}

#[test]
fn apply_then_confirm_keeps_the_new_table() {
    let lab = Lab::new("confirm");
    let applied = lab.apply("lxc-host", &["--yes", "--confirm-within", "3"]);
    assert!(applied.status.success(), "{}", text(&applied.stderr));
    assert!(
        text(&applied.stderr).contains("apply --confirm"),
        "{}",
        text(&applied.stderr)
    );
    let confirmed = lab.fwgen(&[
        "apply",
        "--confirm",
        "--state-dir",
        lab.state.to_str().unwrap(),
    ]);
    assert!(confirmed.status.success(), "{}", text(&confirmed.stderr));
    std::thread::sleep(Duration::from_secs(4));
    assert!(lab.table().is_some(), "the confirmed table was rolled back");
    assert_eq!(lab.diff_live("lxc-host").status.code(), Some(0));
    lab.assert_foreign_survives();
    let again = lab.fwgen(&[
        "apply",
        "--confirm",
        "--state-dir",
        lab.state.to_str().unwrap(),
    ]);
    assert_eq!(again.status.code(), Some(2), "nothing is left to confirm");
}

#[test]
fn apply_without_confirmation_restores_the_previous_table_exactly() {
    let lab = Lab::new("restore");
    let first = lab.apply("two-interfaces", &["--yes", "--no-rollback"]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    // set elements must come back too
    for command in [
        vec![
            "add",
            "set",
            "inet",
            "fwgen",
            "blocked",
            "{ type ipv4_addr; flags interval; }",
        ],
        vec![
            "add",
            "element",
            "inet",
            "fwgen",
            "blocked",
            "{ 192.0.2.1, 198.51.100.0/24 }",
        ],
    ] {
        let (ok, out) = lab.nft(&command);
        assert!(ok, "{out}");
    }
    let before = lab.table().expect("a table before");
    let applied = lab.apply("lxc-host", &["--yes", "--confirm-within", "2"]);
    assert!(applied.status.success(), "{}", text(&applied.stderr));
    assert_ne!(
        lab.table().as_deref(),
        Some(before.as_str()),
        "the new table was not loaded"
    );
    assert!(
        eventually(Duration::from_secs(10), || lab.table().as_deref()
            == Some(before.as_str())),
        "not restored:\n{:?}",
        lab.table()
    );
    assert!(before.contains("192.0.2.1") && before.contains("198.51.100.0/24"));
    lab.assert_foreign_survives();
}

#[test]
fn first_apply_rolled_back_leaves_no_table() {
    let lab = Lab::new("first");
    let applied = lab.apply("port-forward", &["--yes", "--confirm-within", "1"]);
    assert!(applied.status.success(), "{}", text(&applied.stderr));
    assert!(lab.table().is_some());
    assert!(
        eventually(Duration::from_secs(8), || lab.table().is_none()),
        "a table is left after the rollback"
    );
    lab.assert_foreign_survives();
}

#[test]
fn broken_ruleset_is_refused_and_the_previous_one_stays() {
    let lab = Lab::new("broken");
    assert!(
        lab.apply("two-interfaces", &["--yes", "--no-rollback"])
            .status
            .success()
    );
    let before = lab.table();
    let broken = lab.dir.join("broken.nft");
    std::fs::write(&broken, "table inet fwgen\ndelete table inet fwgen\ntable inet fwgen {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\ttcp dport 99999 accept\n\t}\n}\n").unwrap();
    let applied = lab.apply(
        "two-interfaces",
        &["--yes", "--ruleset", broken.to_str().unwrap()],
    );
    assert_eq!(applied.status.code(), Some(2), "{}", text(&applied.stderr));
    assert!(
        text(&applied.stderr).contains("nft refuses"),
        "{}",
        text(&applied.stderr)
    );
    assert_eq!(lab.table(), before, "the live table changed");
    lab.assert_foreign_survives();
}

#[test]
fn diff_live_reports_drift_and_none_after_a_fresh_apply() {
    let lab = Lab::new("drift");
    assert_eq!(
        lab.diff_live("lxc-host").status.code(),
        Some(1),
        "a missing table is drift"
    );
    assert!(
        lab.apply("lxc-host", &["--yes", "--no-rollback"])
            .status
            .success()
    );
    let fresh = lab.diff_live("lxc-host");
    assert_eq!(
        fresh.status.code(),
        Some(0),
        "{}{}",
        text(&fresh.stdout),
        text(&fresh.stderr)
    );
    let (ok, out) = lab.nft(&[
        "add", "rule", "inet", "fwgen", "input", "tcp", "dport", "4444", "accept",
    ]);
    assert!(ok, "{out}");
    let drifted = lab.diff_live("lxc-host");
    assert_eq!(drifted.status.code(), Some(1));
    assert!(
        text(&drifted.stdout)
            .lines()
            .any(|l| l.starts_with('-') && l.contains("4444")),
        "{}",
        text(&drifted.stdout)
    );
    lab.assert_foreign_survives();
}

#[test]
fn apply_without_a_terminal_needs_yes_and_one_apply_at_a_time() {
    let lab = Lab::new("noterm");
    let refused = lab.apply("lxc-host", &[]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(lab.table().is_none(), "something was loaded");
    assert!(
        lab.apply("lxc-host", &["--yes", "--confirm-within", "2"])
            .status
            .success()
    );
    let second = lab.apply("two-interfaces", &["--yes"]);
    assert_eq!(
        second.status.code(),
        Some(2),
        "a second apply while one waits: {}",
        text(&second.stderr)
    );
    assert!(eventually(Duration::from_secs(8), || lab.table().is_none()));
    lab.assert_foreign_survives();
}

fn iptables_chains(lab: &Lab) -> String {
    lab.netns.exec(&["iptables-save"]).1
}

/// A lab for `apply --backend shorewall` with a configuration directory.
fn shorewall_lab(name: &str) -> (Lab, PathBuf) {
    let lab = Lab::new(name);
    common::require_tool("shorewall", "shorewall");
    common::require_tool("iptables-save", "iptables");
    let config_dir = lab.dir.join("etc/shorewall");
    std::fs::create_dir_all(&config_dir).unwrap();
    (lab, config_dir)
}

fn apply_shorewall(lab: &Lab, config_dir: &std::path::Path, within: &str) -> Output {
    let state = lab.state.to_str().unwrap();
    let config_dir = config_dir.to_str().unwrap();
    let args = [
        "apply",
        "--backend",
        "shorewall",
        "-c",
        "examples/lxc-host.toml",
        "--config-dir",
        config_dir,
    ];
    let mut all: Vec<&str> = args.to_vec();
    all.extend_from_slice(&["--state-dir", state, "--yes", "--confirm-within", within]);
    lab.fwgen(&all)
}

#[test]
fn shorewall_apply_runs_try_and_confirm_writes_the_files() {
    let (lab, config_dir) = shorewall_lab("shorewall");
    let applied = apply_shorewall(&lab, &config_dir, "20");
    assert!(
        applied.status.success(),
        "{}{}",
        text(&applied.stdout),
        text(&applied.stderr)
    );
    let started = eventually(Duration::from_secs(15), || {
        iptables_chains(&lab).contains(":net-fw")
    });
    assert!(
        started,
        "shorewall try did not start the rules:\n{}",
        iptables_chains(&lab)
    );
    assert!(
        !config_dir.join("rules").exists(),
        "the files were written before confirmation"
    );
    let confirmed = lab.fwgen(&[
        "apply",
        "--confirm",
        "--state-dir",
        lab.state.to_str().unwrap(),
    ]);
    assert!(confirmed.status.success(), "{}", text(&confirmed.stderr));
    assert!(
        std::fs::read_to_string(config_dir.join("rules"))
            .unwrap()
            .contains("Generated by fwgen")
    );
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        iptables_chains(&lab).contains(":net-fw"),
        "the confirmed rules are gone"
    );
}

#[test]
fn shorewall_apply_without_confirmation_is_undone_by_shorewall() {
    let (lab, config_dir) = shorewall_lab("shorewall-undo");
    let applied = apply_shorewall(&lab, &config_dir, "3");
    assert!(
        applied.status.success(),
        "{}{}",
        text(&applied.stdout),
        text(&applied.stderr)
    );
    assert!(
        eventually(Duration::from_secs(15), || iptables_chains(&lab)
            .contains(":net-fw")),
        "shorewall try did not start the rules"
    );
    let undone = eventually(Duration::from_secs(30), || {
        !iptables_chains(&lab).contains(":net-fw")
    });
    assert!(
        undone,
        "Shorewall did not restore its previous state:\n{}",
        iptables_chains(&lab)
    );
    assert!(
        !config_dir.join("rules").exists(),
        "unconfirmed files were written"
    );
}
