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
            // never /var/lib/fwgen: tests/boot.rs tests what a confirm keeps
            .env("FWGEN_BOOT_DIR", self.dir.join("boot"))
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
    let applied = lab.apply("lxc-host", &["--yes", "--confirm-within", "5"]);
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
    std::thread::sleep(Duration::from_secs(6));
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
    let applied = lab.apply("lxc-host", &["--yes", "--confirm-within", "5"]);
    assert!(applied.status.success(), "{}", text(&applied.stderr));
    assert_ne!(
        lab.table().as_deref(),
        Some(before.as_str()),
        "the new table was not loaded"
    );
    assert!(
        eventually(Duration::from_secs(12), || lab.table().as_deref()
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
    let applied = lab.apply("port-forward", &["--yes", "--confirm-within", "5"]);
    assert!(applied.status.success(), "{}", text(&applied.stderr));
    assert!(lab.table().is_some());
    assert!(
        eventually(Duration::from_secs(12), || lab.table().is_none()),
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
        lab.apply("lxc-host", &["--yes", "--confirm-within", "5"])
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
    assert!(
        text(&second.stderr).contains("waiting for confirmation")
            && text(&second.stderr).contains("s ago"),
        "the refusal says what waits and since when: {}",
        text(&second.stderr)
    );
    assert!(eventually(Duration::from_secs(12), || lab
        .table()
        .is_none()));
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
    let applied = apply_shorewall(&lab, &config_dir, "5");
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

#[test]
fn ruleset_that_touches_more_than_fwgens_table_is_refused() {
    let lab = Lab::new("scope");
    let hostile = lab.dir.join("hostile.nft");
    std::fs::write(
        &hostile,
        "table inet fwgen\ndelete table inet fwgen\nflush ruleset\ntable inet fwgen {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n\t}\n}\n",
    )
    .unwrap();
    let applied = lab.apply(
        "lxc-host",
        &[
            "--yes",
            "--no-rollback",
            "--ruleset",
            hostile.to_str().unwrap(),
        ],
    );
    assert_eq!(applied.status.code(), Some(2), "{}", text(&applied.stderr));
    assert!(
        text(&applied.stderr).contains(":3: `flush ruleset`"),
        "the refusal names the line: {}",
        text(&applied.stderr)
    );
    assert!(lab.table().is_none(), "something was loaded");
    lab.assert_foreign_survives();
}

#[test]
fn state_is_private_whatever_the_umask() {
    let lab = Lab::new("umask");
    let model = "examples/lxc-host.toml";
    let output = Command::new("ip")
        .current_dir(common::root())
        .args([
            "netns",
            "exec",
            &lab.netns.name,
            "sh",
            "-c",
            "umask 000; exec \"$0\" \"$@\"",
        ])
        .arg(env!("CARGO_BIN_EXE_fwgen"))
        .args([
            "apply",
            "--backend",
            "nftables",
            "-c",
            model,
            "--yes",
            "--confirm-within",
            "60",
        ])
        .args(["--state-dir", lab.state.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    use std::os::unix::fs::MetadataExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().mode() & 0o777;
    assert_eq!(mode(&lab.state), 0o700);
    for entry in std::fs::read_dir(&lab.state).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            assert_eq!(mode(&path), 0o600, "{} is not private", path.display());
        }
    }
    let rolled = lab.fwgen(&[
        "apply",
        "--rollback-now",
        "--state-dir",
        lab.state.to_str().unwrap(),
    ]);
    assert_eq!(rolled.status.code(), Some(1), "{}", text(&rolled.stderr));
    assert!(lab.table().is_none());
}

#[test]
fn state_dir_that_others_can_write_is_refused() {
    let lab = Lab::new("state-perms");
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir(&lab.state).unwrap();
    std::fs::set_permissions(&lab.state, std::fs::Permissions::from_mode(0o777)).unwrap();
    let applied = lab.apply("lxc-host", &["--yes", "--no-rollback"]);
    assert_eq!(applied.status.code(), Some(2), "{}", text(&applied.stderr));
    assert!(
        lab.table().is_none(),
        "loaded despite an open state directory"
    );
    std::fs::set_permissions(&lab.state, std::fs::Permissions::from_mode(0o700)).unwrap();
    std::os::unix::fs::chown(&lab.state, Some(65534), Some(65534)).unwrap();
    let applied = lab.apply("lxc-host", &["--yes", "--no-rollback"]);
    assert_eq!(applied.status.code(), Some(2), "{}", text(&applied.stderr));
    assert!(lab.table().is_none());
}

#[test]
fn confirm_within_is_bounded() {
    let lab = Lab::new("bounds");
    for within in ["4", "3601", "0"] {
        let applied = lab.apply("lxc-host", &["--yes", "--confirm-within", within]);
        assert_eq!(
            applied.status.code(),
            Some(2),
            "{within}: {}",
            text(&applied.stderr)
        );
    }
    assert!(lab.table().is_none());
}

/// A command that is not apply (`fwgen check`) warns that an apply waits
/// with no rollback timer guarding it.
fn assert_any_command_reports_an_unguarded_apply(lab: &Lab) {
    let check = Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .current_dir(common::root())
        .args(["check", "-c", "examples/lxc-host.toml"])
        .env("FWGEN_STATE_DIR", &lab.state)
        .output()
        .unwrap();
    assert!(
        text(&check.stderr).contains("rollback timer is gone"),
        "{}",
        text(&check.stderr)
    );
}

/// The PIDs of the rollback timers working on one state directory.
fn timers(lab: &Lab) -> Vec<String> {
    common::require_tool("pgrep", "procps");
    let (_, out) = common::run(
        "pgrep",
        &[
            "-f",
            &format!("rollback-timer --state-dir {}", lab.state.display()),
        ],
    );
    out.split_whitespace().map(str::to_owned).collect()
}

#[test]
fn killed_timer_is_reported_loudly_and_rollback_now_restores() {
    let lab = Lab::new("orphan");
    assert!(
        lab.apply("lxc-host", &["--yes", "--confirm-within", "60"])
            .status
            .success()
    );
    let pids = timers(&lab);
    assert_eq!(pids.len(), 1, "one timer: {pids:?}");
    let (ok, out) = common::run("kill", &["-9", &pids[0]]);
    assert!(ok, "{out}");
    std::thread::sleep(Duration::from_millis(300));
    let second = lab.apply("two-interfaces", &["--yes"]);
    assert_eq!(second.status.code(), Some(2));
    let said = text(&second.stderr);
    assert!(
        said.contains("rollback timer is gone")
            && said.contains("--confirm")
            && said.contains("--rollback-now"),
        "{said}"
    );
    // Any command says it, not only apply.
    assert_any_command_reports_an_unguarded_apply(&lab);
    let rolled = lab.fwgen(&[
        "apply",
        "--rollback-now",
        "--state-dir",
        lab.state.to_str().unwrap(),
    ]);
    assert_eq!(rolled.status.code(), Some(1), "{}", text(&rolled.stderr));
    assert!(
        lab.table().is_none(),
        "the first apply's table is still there"
    );
    lab.assert_foreign_survives();
}

#[test]
fn a_stale_or_forged_record_never_makes_fwgen_signal_anything() {
    let lab = Lab::new("forged");
    std::fs::create_dir(&lab.state).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&lab.state, std::fs::Permissions::from_mode(0o700)).unwrap();
    // The old format: `kill -- -1` as root would end every process.
    std::fs::write(lab.state.join("pending-shorewall"), "1\n/tmp\n/tmp\n").unwrap();
    std::fs::write(lab.state.join("pending"), "token 1\n").unwrap();
    let confirmed = lab.fwgen(&[
        "apply",
        "--confirm",
        "--state-dir",
        lab.state.to_str().unwrap(),
    ]);
    assert_eq!(
        confirmed.status.code(),
        Some(2),
        "{}",
        text(&confirmed.stderr)
    );
    assert!(
        text(&confirmed.stderr).contains("damaged"),
        "{}",
        text(&confirmed.stderr)
    );
    let applied = lab.apply("lxc-host", &["--yes"]);
    assert_eq!(applied.status.code(), Some(2), "{}", text(&applied.stderr));
    assert!(lab.table().is_none());
}

#[test]
fn concurrent_applies_restore_the_table_they_found() {
    let lab = Lab::new("concurrent");
    for round in 0..2 {
        let children: Vec<_> = ["lxc-host", "two-interfaces"]
            .iter()
            .map(|example| {
                let model = format!("examples/{example}.toml");
                Command::new("ip")
                    .current_dir(common::root())
                    .args([
                        "netns",
                        "exec",
                        &lab.netns.name,
                        env!("CARGO_BIN_EXE_fwgen"),
                    ])
                    .args(["apply", "--backend", "nftables", "-c", &model, "--yes"])
                    .args([
                        "--confirm-within",
                        "5",
                        "--state-dir",
                        lab.state.to_str().unwrap(),
                    ])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let codes: Vec<Option<i32>> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap().status.code())
            .collect();
        assert_eq!(
            codes.iter().filter(|c| **c == Some(0)).count(),
            1,
            "round {round}: exactly one apply goes ahead: {codes:?}"
        );
        assert!(
            eventually(Duration::from_secs(12), || lab.table().is_none()),
            "round {round}: the table before both applies (none) did not come back"
        );
        assert!(eventually(Duration::from_secs(3), || timers(&lab).is_empty()));
    }
    lab.assert_foreign_survives();
}

#[test]
fn confirm_racing_the_restore_tells_the_truth() {
    let lab = Lab::new("race");
    for offset_ms in [4700u64, 4950, 5050, 5300] {
        assert!(
            lab.apply("lxc-host", &["--yes", "--confirm-within", "5"])
                .status
                .success()
        );
        std::thread::sleep(Duration::from_millis(offset_ms));
        let confirmed = lab.fwgen(&[
            "apply",
            "--confirm",
            "--state-dir",
            lab.state.to_str().unwrap(),
        ]);
        assert!(eventually(Duration::from_secs(3), || timers(&lab).is_empty()));
        std::thread::sleep(Duration::from_millis(300));
        match confirmed.status.code() {
            Some(0) => assert!(
                lab.table().is_some(),
                "{offset_ms} ms: confirmed, but the table was restored"
            ),
            Some(2) => assert!(
                lab.table().is_none() && text(&confirmed.stderr).contains("nothing to confirm"),
                "{offset_ms} ms: {}",
                text(&confirmed.stderr)
            ),
            other => panic!(
                "{offset_ms} ms: exit {other:?}: {}",
                text(&confirmed.stderr)
            ),
        }
        let _ = lab.nft(&["delete", "table", "inet", "fwgen"]);
    }
    lab.assert_foreign_survives();
}

#[test]
fn a_failed_restore_is_logged_never_silent() {
    let lab = Lab::new("restore-fails");
    assert!(
        lab.apply("lxc-host", &["--yes", "--confirm-within", "5"])
            .status
            .success()
    );
    // The saved table becomes something nft refuses (as a full disk or a
    // broken nft would make it).
    std::fs::write(
        lab.state.join("restore.nft"),
        "table inet fwgen {\n\tchain x { nonsense }\n}\n",
    )
    .unwrap();
    assert!(
        eventually(Duration::from_secs(12), || timers(&lab).is_empty()),
        "the timer did not finish"
    );
    let log = std::fs::read_to_string(lab.state.join("rollback.log")).unwrap_or_default();
    assert!(
        log.contains("FAILED"),
        "the failure is not in the log: {log:?}"
    );
    // The unconfirmed rules are still loaded: every command says so.
    assert_any_command_reports_an_unguarded_apply(&lab);
}

/// `&IFACE` (tests/models/iface-address.toml): apply reads each
/// interface's first global IPv4 address in the namespace, as Shorewall's
/// start does, loads the ruleset with it, and writes it into the boot copy;
/// a second address on the interface is not the one.
#[test]
fn apply_reads_the_interface_addresses_the_ruleset_needs() {
    let lab = Lab::new("ifaddr");
    for (name, peer) in [("eth0", "peer0"), ("eth1", "peer1")] {
        let (ok, out) = lab.netns.exec(&[
            "ip", "link", "add", name, "type", "veth", "peer", "name", peer,
        ]);
        assert!(ok, "{out}");
    }
    for (address, dev) in [
        ("198.51.100.5/24", "eth0"),
        ("192.168.1.1/24", "eth1"),
        ("192.168.1.201/32", "eth1"),
    ] {
        let (ok, out) = lab.netns.exec(&["ip", "addr", "add", address, "dev", dev]);
        assert!(ok, "{out}");
    }
    let state = lab.state.to_str().unwrap().to_owned();
    let model = "tests/models/iface-address.toml";
    let args = [
        "apply",
        "--backend",
        "nftables",
        "-c",
        model,
        "--state-dir",
        &state,
        "--yes",
        "--no-rollback",
    ];
    let applied = lab.fwgen(&args);
    assert!(applied.status.success(), "{}", text(&applied.stderr));
    let table = lab.table().expect("no table after apply");
    assert!(
        table.contains("ip daddr 192.168.1.1 udp dport 69 accept"),
        "{table}"
    );
    assert!(table.contains("ip saddr 198.51.100.5 drop"), "{table}");
    assert!(!table.contains("192.168.1.201"), "{table}");
    let boot = std::fs::read_to_string(lab.dir.join("boot/fwgen.nft")).unwrap();
    assert!(
        boot.contains("define fwgen_addr_eth1 = 192.168.1.1\n"),
        "{boot}"
    );
    let diff = lab.fwgen(&["diff", "--backend", "nftables", "--live", "-c", model]);
    assert_eq!(diff.status.code(), Some(0), "{}", text(&diff.stderr));
    lab.assert_foreign_survives();
}

/// An interface without a global IPv4 address: apply refuses, as
/// Shorewall's start fails ("Can't determine the IP address"), and loads
/// nothing.
#[test]
fn apply_refuses_when_an_interface_has_no_address() {
    let lab = Lab::new("ifnone");
    for (name, peer) in [("eth0", "peer0"), ("eth1", "peer1")] {
        let (ok, out) = lab.netns.exec(&[
            "ip", "link", "add", name, "type", "veth", "peer", "name", peer,
        ]);
        assert!(ok, "{out}");
    }
    let (ok, out) = lab
        .netns
        .exec(&["ip", "addr", "add", "192.168.1.1/24", "dev", "eth1"]);
    assert!(ok, "{out}");
    let state = lab.state.to_str().unwrap().to_owned();
    let args = [
        "apply",
        "--backend",
        "nftables",
        "-c",
        "tests/models/iface-address.toml",
        "--state-dir",
        &state,
        "--yes",
    ];
    let applied = lab.fwgen(&args);
    assert_eq!(applied.status.code(), Some(2), "{}", text(&applied.stderr));
    assert!(
        text(&applied.stderr).contains("cannot determine the IPv4 address of eth0"),
        "{}",
        text(&applied.stderr)
    );
    assert!(lab.table().is_none(), "a table was loaded");
    lab.assert_foreign_survives();
    // An optional interface without an address is 0.0.0.0, as Shorewall's
    // find_first_interface_address_if_any answers.
    let optional = std::fs::read_to_string(common::root().join("tests/models/iface-address.toml"))
        .unwrap()
        .replace(
            "[interfaces.eth0]\nzone = \"net\"\n",
            "[interfaces.eth0]\nzone = \"net\"\noptions = [\"optional\"]\n",
        );
    assert!(optional.contains("[\"optional\"]"));
    let model = lab.dir.join("optional.toml");
    std::fs::write(&model, optional).unwrap();
    let mut args = args.to_vec();
    args[4] = model.to_str().unwrap();
    args.push("--no-rollback");
    let applied = lab.fwgen(&args);
    assert!(applied.status.success(), "{}", text(&applied.stderr));
    let table = lab.table().expect("no table after apply");
    assert!(table.contains("ip saddr 0.0.0.0 drop"), "{table}");
}

/// `[[ipset]]` (tests/models/ipsets.toml): members added at run time with
/// `nft add element` are what `ipset add` is to Shorewall. A second apply
/// (of a changed model) keeps them, besides the model's elements, and the
/// stopped ruleset keeps them too, so a reload never silently empties a
/// blacklist.
#[test]
fn apply_keeps_the_members_added_to_ipsets_at_run_time() {
    let lab = Lab::new("ipset");
    let state = lab.state.to_str().unwrap().to_owned();
    let apply = |model: &str, stopped: bool| {
        let mut args = vec![
            "apply",
            "--backend",
            "nftables",
            "-c",
            model,
            "--state-dir",
            &state,
            "--yes",
            "--no-rollback",
        ];
        if stopped {
            args.push("--stopped");
        }
        let applied = lab.fwgen(&args);
        assert!(applied.status.success(), "{}", text(&applied.stderr));
        text(&applied.stderr)
    };
    let model = "tests/models/ipsets.toml";
    apply(model, false);
    let set = |name: &str| {
        let (ok, out) = lab
            .netns
            .exec(&["nft", "list", "set", "inet", "fwgen", name]);
        assert!(ok, "{out}");
        out
    };
    assert!(!set("blacklist").contains("192.0.2.66"));
    for (name, member) in [
        ("blacklist", "{ 192.0.2.66, 10.9.0.0/16 }"),
        ("admins", "{ 192.168.1.77 }"),
    ] {
        let (ok, out) = lab
            .netns
            .exec(&["nft", "add", "element", "inet", "fwgen", name, member]);
        assert!(ok, "{out}");
    }
    // The same model with one element more: the table differs, apply loads.
    let source = std::fs::read_to_string(common::root().join(model)).unwrap();
    let changed = source.replace(
        "elements = [\"198.51.100.0/24\", \"198.51.100.64/26\", \"203.0.113.7\"]",
        "elements = [\"198.51.100.0/24\", \"198.51.100.64/26\", \"203.0.113.7\", \"203.0.113.8\"]",
    );
    assert_ne!(changed, source, "tests/models/ipsets.toml changed");
    let changed_path = lab.dir.join("ipsets-changed.toml");
    std::fs::write(&changed_path, changed).unwrap();
    let said = apply(changed_path.to_str().unwrap(), false);
    assert!(
        said.contains("set blacklist: keeping 2 member(s) added at run time"),
        "{said}"
    );
    let blacklist = set("blacklist");
    assert!(blacklist.contains("192.0.2.66"), "{blacklist}");
    assert!(blacklist.contains("10.9.0.0/16"), "{blacklist}");
    let admins = set("admins");
    assert!(admins.contains("192.168.1.77"), "{admins}");
    assert!(admins.contains("192.168.1.10"), "{admins}");
    assert!(set("vpnlist").contains("203.0.113.8"));
    // Stopped and started again: still there.
    apply(changed_path.to_str().unwrap(), true);
    assert!(set("blacklist").contains("192.0.2.66"));
    apply(changed_path.to_str().unwrap(), false);
    assert!(set("blacklist").contains("192.0.2.66"));
    assert!(set("admins").contains("192.168.1.77"));
    lab.assert_foreign_survives();
}
