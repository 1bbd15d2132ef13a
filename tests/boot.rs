//! Boot: what `fwgen apply` keeps for fwgen.service, and the unit itself.
//! The unit is verified by `systemd-analyze verify`; its ExecStart and
//! ExecStop lines run by hand in a fresh network namespace load and remove
//! the table and set forwarding. Every apply runs in a namespace of its own
//! with a boot directory under target/ (never /var/lib/fwgen).

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const UNIT: &str = "packaging/fwgen.service";
const BOOT_DIR: &str = "/var/lib/fwgen";

struct Lab {
    netns: common::Netns,
    dir: PathBuf,
}

impl Lab {
    fn new(name: &str) -> Lab {
        common::require_root();
        common::require_tool("nft", "nftables");
        common::require_tool("sysctl", "procps");
        let lab = Lab {
            netns: common::Netns::new(&format!("boot-{name}")),
            dir: common::scratch(&format!("boot-{name}")),
        };
        lab.set_forwarding("0");
        lab
    }

    fn boot(&self) -> PathBuf {
        self.dir.join("boot")
    }

    fn fwgen(&self, args: &[&str]) -> Output {
        Command::new("ip")
            .current_dir(common::root())
            .args(["netns", "exec", &self.netns.name])
            .arg(env!("CARGO_BIN_EXE_fwgen"))
            .args(args)
            .args(["--state-dir", self.dir.join("state").to_str().unwrap()])
            .env("FWGEN_BOOT_DIR", self.boot())
            .output()
            .unwrap()
    }

    fn apply(&self, example: &str, extra: &[&str]) -> Output {
        let model = format!("examples/{example}.toml");
        let mut args = vec!["apply", "--backend", "nftables", "-c", &model, "--yes"];
        args.extend_from_slice(extra);
        let output = self.fwgen(&args);
        assert!(output.status.success(), "{}", stderr(&output));
        output
    }

    fn has_table(&self) -> bool {
        self.netns
            .exec(&["nft", "list", "table", "inet", "fwgen"])
            .0
    }

    fn forwarding(&self, key: &str) -> String {
        let (ok, out) = self.netns.exec(&["sysctl", "-n", key]);
        assert!(ok, "{out}");
        out.trim().to_owned()
    }

    fn set_forwarding(&self, value: &str) {
        for key in ["net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding"] {
            let (ok, out) = self
                .netns
                .exec(&["sysctl", "-q", "-w", &format!("{key}={value}")]);
            assert!(ok, "{out}");
        }
    }

    fn boot_file(&self, name: &str) -> Option<String> {
        std::fs::read_to_string(self.boot().join(name)).ok()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The rendered nftables ruleset of an example.
fn rendered(example: &str) -> String {
    let output = common::fwgen_within(
        &[
            "render",
            "--backend",
            "nftables",
            "-c",
            &format!("examples/{example}.toml"),
        ],
        std::time::Duration::from_secs(20),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The unit's command lines for one setting (`ExecStart`, `ExecStop`),
/// reading from `boot` instead of /var/lib/fwgen.
fn unit_lines(setting: &str, boot: &Path) -> Vec<String> {
    let unit = std::fs::read_to_string(common::root().join(UNIT)).unwrap();
    let lines: Vec<String> = unit
        .lines()
        .filter_map(|line| line.strip_prefix(setting)?.strip_prefix('='))
        .map(|line| line.replace(BOOT_DIR, boot.to_str().unwrap()))
        .collect();
    assert!(!lines.is_empty(), "{UNIT} has no {setting}");
    lines
}

/// Run the unit's lines for one setting inside a namespace, as systemd
/// would: one after the other, stopping at the first failure.
fn run_unit(setting: &str, netns: &common::Netns, boot: &Path) {
    for line in unit_lines(setting, boot) {
        let (ok, out) = netns.exec(&["sh", "-c", &line]);
        assert!(ok, "{setting}={line} failed in {}:\n{out}", netns.name);
    }
}

#[test]
fn systemd_accepts_the_unit() {
    common::require_tool("systemd-analyze", "systemd");
    let (ok, out) = common::run(
        "systemd-analyze",
        &[
            "verify",
            "--man=no",
            common::root().join(UNIT).to_str().unwrap(),
        ],
    );
    assert!(
        ok && out.trim().is_empty(),
        "systemd-analyze verify:\n{out}"
    );
    let unit = std::fs::read_to_string(common::root().join(UNIT)).unwrap();
    for line in [
        "Type=oneshot",
        "RemainAfterExit=yes",
        "DefaultDependencies=no",
        "Before=network-pre.target",
        "Wants=network-pre.target",
        "ConditionPathExists=/var/lib/fwgen/fwgen.nft",
    ] {
        assert!(unit.lines().any(|l| l == line), "{UNIT} lacks {line}");
    }
}

#[test]
fn a_confirmed_apply_is_what_the_unit_loads_in_a_fresh_namespace() {
    let lab = Lab::new("unit");
    let applied = lab.apply("lxc-host", &["--no-rollback"]);
    assert!(
        stderr(&applied).contains("net.ipv4.ip_forward = 1 (it was 0)"),
        "apply does not say it turned forwarding on:\n{}",
        stderr(&applied)
    );
    assert_eq!(lab.forwarding("net.ipv4.ip_forward"), "1");
    assert_eq!(lab.boot_file("fwgen.nft"), Some(rendered("lxc-host")));
    let sysctl = lab.boot_file("sysctl.conf").unwrap();
    assert!(sysctl.contains("\nnet.ipv4.ip_forward = 1\n"), "{sysctl}");
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o7777;
    assert_eq!(mode(&lab.boot()), 0o700);
    for name in ["fwgen.nft", "sysctl.conf", "stop.nft", "fwgen-stopped.nft"] {
        assert_eq!(mode(&lab.boot().join(name)), 0o600, "{name}");
    }

    // A fresh namespace stands for the next boot.
    let fresh = common::Netns::new("boot-fresh");
    let foreign = lab.dir.join("foreign.nft");
    std::fs::write(
        &foreign,
        "table inet foreign {\n\tchain keep {\n\t\ttype filter hook input priority 10; policy accept;\n\t}\n}\n",
    )
    .unwrap();
    let (ok, out) = fresh.exec(&["nft", "-f", foreign.to_str().unwrap()]);
    assert!(ok, "{out}");
    run_unit("ExecStart", &fresh, &lab.boot());
    let (listed, table) = fresh.exec(&["nft", "list", "table", "inet", "fwgen"]);
    assert!(listed, "ExecStart did not load the table:\n{table}");
    let (_, forward) = fresh.exec(&["sysctl", "-n", "net.ipv4.ip_forward"]);
    assert_eq!(forward.trim(), "1", "ExecStart did not turn forwarding on");
    let (_, live) = lab.netns.exec(&["nft", "list", "table", "inet", "fwgen"]);
    assert_eq!(table, live, "the boot table differs from the applied one");
    run_unit("ExecReload", &fresh, &lab.boot());
    // Stopping leaves the stopped firewall, the model's fwgen-stopped.nft.
    run_unit("ExecStop", &fresh, &lab.boot());
    let (listed, table) = fresh.exec(&["nft", "list", "table", "inet", "fwgen"]);
    assert!(listed, "ExecStop removed the table instead of stopping it");
    let stopped = lab.boot_file("fwgen-stopped.nft").unwrap();
    assert!(
        stopped.contains("The STOPPED firewall"),
        "fwgen-stopped.nft is not the stopped ruleset:\n{stopped}"
    );
    let chains = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.trim().strip_prefix("chain "))
            .map(|l| l.trim_end_matches(" {").to_owned())
            .collect()
    };
    assert_eq!(
        chains(&table),
        chains(&stopped),
        "ExecStop loaded:\n{table}"
    );
    // stop.nft (the package's removal) removes it.
    let stop = lab.boot().join("stop.nft");
    let (ok, out) = fresh.exec(&["nft", "-f", stop.to_str().unwrap()]);
    assert!(ok, "{out}");
    assert!(
        !fresh.exec(&["nft", "list", "table", "inet", "fwgen"]).0,
        "stop.nft left the table"
    );
    assert!(
        fresh.exec(&["nft", "list", "table", "inet", "foreign"]).0,
        "ExecStop removed a table that is not fwgen's"
    );
}

#[test]
fn a_pending_apply_keeps_nothing_for_boot_and_its_rollback_restores_forwarding() {
    let lab = Lab::new("pending");
    let pending = lab.apply("lxc-host", &["--confirm-within", "30"]);
    assert!(stderr(&pending).contains("net.ipv4.ip_forward = 1 (it was 0)"));
    assert_eq!(lab.forwarding("net.ipv4.ip_forward"), "1");
    assert_eq!(lab.boot_file("fwgen.nft"), None, "kept before a confirm");

    let rolled = lab.fwgen(&["apply", "--rollback-now"]);
    assert_eq!(rolled.status.code(), Some(1), "{}", stderr(&rolled));
    assert!(!lab.has_table(), "the rollback left the table");
    assert_eq!(
        lab.forwarding("net.ipv4.ip_forward"),
        "0",
        "the rollback left forwarding on"
    );
    assert_eq!(lab.boot_file("fwgen.nft"), None, "kept after a rollback");

    lab.apply("lxc-host", &["--confirm-within", "30"]);
    let confirmed = lab.fwgen(&["apply", "--confirm"]);
    assert!(confirmed.status.success(), "{}", stderr(&confirmed));
    assert!(stderr(&confirmed).contains("saved for boot"));
    assert!(
        stderr(&confirmed).contains("fwgen.service loads /var/lib/fwgen, not"),
        "a boot directory the unit does not read is not said:\n{}",
        stderr(&confirmed)
    );
    assert_eq!(lab.boot_file("fwgen.nft"), Some(rendered("lxc-host")));
}

#[test]
fn a_rollback_keeps_the_previously_confirmed_ruleset_for_boot() {
    let lab = Lab::new("previous");
    lab.apply("lxc-host", &["--no-rollback"]);
    let confirmed = lab.boot_file("fwgen.nft").unwrap();
    lab.apply("ipv6", &["--confirm-within", "5"]);
    assert_eq!(lab.forwarding("net.ipv6.conf.all.forwarding"), "1");
    assert_eq!(lab.boot_file("fwgen.nft").as_ref(), Some(&confirmed));
    // No confirmation: the timer restores the previous table and settings.
    let restored = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(100));
        lab.forwarding("net.ipv6.conf.all.forwarding") == "0"
    });
    assert!(restored, "the timer did not restore IPv6 forwarding");
    assert_eq!(lab.forwarding("net.ipv4.ip_forward"), "1");
    assert_eq!(lab.boot_file("fwgen.nft"), Some(confirmed));
}

#[test]
fn an_apply_with_nothing_to_load_still_turns_forwarding_on_and_keeps_the_table() {
    let lab = Lab::new("in-sync");
    lab.apply("lxc-host", &["--no-rollback"]);
    // As after `shorewall clear`: the table is there, forwarding is off.
    lab.set_forwarding("0");
    std::fs::remove_file(lab.boot().join("fwgen.nft")).unwrap();
    let again = lab.apply("lxc-host", &[]);
    assert!(
        stderr(&again).contains("nothing to load")
            && stderr(&again).contains("net.ipv4.ip_forward = 1 (it was 0)"),
        "{}",
        stderr(&again)
    );
    assert_eq!(lab.forwarding("net.ipv4.ip_forward"), "1");
    assert_eq!(lab.boot_file("fwgen.nft"), Some(rendered("lxc-host")));
}

#[test]
fn the_boot_files_replace_a_link_and_never_write_through_it() {
    let lab = Lab::new("link");
    std::fs::create_dir(lab.boot()).unwrap();
    std::fs::set_permissions(lab.boot(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let victim = lab.dir.join("victim");
    std::fs::write(&victim, "untouched\n").unwrap();
    std::os::unix::fs::symlink(&victim, lab.boot().join("fwgen.nft")).unwrap();
    lab.apply("lxc-host", &["--no-rollback"]);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched\n");
    let meta = std::fs::symlink_metadata(lab.boot().join("fwgen.nft")).unwrap();
    assert!(meta.file_type().is_file(), "fwgen.nft is still a link");
}

const ONE_INTERFACE: &str = r#"# One interface: the firewall routes nothing.
[firewall]
zone = "fw"

[zones.net]

[interfaces.eth0]
zone = "net"

[[policy]]
source = "fw"
dest = "net"
action = "ACCEPT"

[[policy]]
source = "net"
dest = "all"
action = "DROP"
"#;

#[test]
fn a_model_that_does_not_forward_keeps_the_kernels_forwarding() {
    let lab = Lab::new("no-forward");
    let model = lab.dir.join("one.toml");
    std::fs::write(&model, ONE_INTERFACE).unwrap();
    let model = model.to_str().unwrap();
    let args = ["apply", "--backend", "nftables", "-c", model, "--yes"];
    let applied = lab.fwgen(&[&args[..], &["--no-rollback"]].concat());
    assert!(applied.status.success(), "{}", stderr(&applied));
    assert!(
        !stderr(&applied).contains("ip_forward"),
        "{}",
        stderr(&applied)
    );
    assert_eq!(lab.forwarding("net.ipv4.ip_forward"), "0");
    let sysctl = lab.boot_file("sysctl.conf").unwrap();
    assert!(
        sysctl.lines().all(|line| line.starts_with('#')),
        "a model that does not forward sets nothing:\n{sysctl}"
    );
    // Boot keeps the kernel's value too, whatever it is.
    let fresh = common::Netns::new("boot-keep");
    let (ok, out) = fresh.exec(&["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"]);
    assert!(ok, "{out}");
    run_unit("ExecStart", &fresh, &lab.boot());
    assert!(fresh.exec(&["nft", "list", "table", "inet", "fwgen"]).0);
    let (_, forward) = fresh.exec(&["sysctl", "-n", "net.ipv4.ip_forward"]);
    assert_eq!(forward.trim(), "1");
}

/// The stopped ruleset of an example, as `render --stopped` prints it.
fn rendered_stopped(example: &str) -> String {
    let output = common::fwgen_within(
        &[
            "render",
            "--backend",
            "nftables",
            "--stopped",
            "-c",
            &format!("examples/{example}.toml"),
        ],
        std::time::Duration::from_secs(20),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `fwgen apply --stopped` loads the stopped ruleset (as `shorewall stop`
/// loads Shorewall's stopped state); boot still starts the running one,
/// and the unit's stop has the same stopped ruleset to load.
#[test]
fn apply_stopped_loads_the_stopped_ruleset_and_boot_keeps_the_running_one() {
    let lab = Lab::new("stopped");
    let applied = lab.apply("two-interfaces", &["--stopped", "--no-rollback"]);
    assert!(applied.status.success(), "{}", stderr(&applied));
    let (ok, live) = lab.netns.exec(&["nft", "list", "table", "inet", "fwgen"]);
    assert!(ok, "{live}");
    let stopped = rendered_stopped("two-interfaces");
    assert!(stopped.contains("The STOPPED firewall"), "{stopped}");
    assert!(
        live.contains("policy accept") && live.contains("iifname \"eth1\" accept"),
        "the live table is not the stopped ruleset:\n{live}"
    );
    assert!(
        !live.contains("masquerade"),
        "the stopped state has no NAT:\n{live}"
    );
    assert_eq!(lab.boot_file("fwgen.nft"), Some(rendered("two-interfaces")));
    assert_eq!(lab.boot_file("fwgen-stopped.nft"), Some(stopped));
    // Applying the model again starts the firewall.
    let started = lab.apply("two-interfaces", &["--no-rollback"]);
    assert!(started.status.success(), "{}", stderr(&started));
    let (_, live) = lab.netns.exec(&["nft", "list", "table", "inet", "fwgen"]);
    assert!(live.contains("masquerade"), "{live}");
}
