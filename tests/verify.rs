//! `fwgen verify`, the binary: exit 0 on an example (all candidates agree
//! with the model), 1 against an original Shorewall directory that says
//! something the model does not, 2 without root or without its tools, and
//! no namespace left behind, also after Ctrl-C.
//!
//! Needs root, iproute2, nftables, shorewall, shorewall6, dnsmasq-base,
//! busybox, ethtool, iputils-ping and util-linux's setpriv (tests/run
//! installs them). Run one at a time: `cargo test --test verify --
//! --test-threads=1` (the lab's tests share the kernel).

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A run of the lab takes seconds per candidate; a hang must fail.
const LIMIT: Duration = Duration::from_secs(300);

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `fwgen verify ARGS` in the repository, its output read as it comes
/// (a JSON report outgrows a pipe's buffer), killed after [`LIMIT`].
fn verify(args: &[&str]) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .current_dir(common::root())
        .arg("verify")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    let (done, output) = std::sync::mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    match output.recv_timeout(LIMIT) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            // SAFETY: kill only sends a signal to the child this test started.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            panic!("fwgen verify {args:?} had not finished after {LIMIT:?}; killed it");
        }
    }
}

fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "fwgen verify exited {:?}, not {code}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr)
    );
}

/// The namespaces whose name starts with `prefix`.
fn namespaces(prefix: &str) -> Vec<String> {
    let (ok, out) = common::run("ip", &["netns", "list"]);
    assert!(ok, "ip netns list: {out}");
    out.lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| name.starts_with(prefix))
        .map(str::to_owned)
        .collect()
}

/// The prefix of the namespaces a `fwgen verify` of process `pid` makes
/// (src/verify/topology.rs, named "v" by the command).
fn prefix_of(pid: u32) -> String {
    format!("fwl{}-v-", pid % 10000)
}

/// An example with a port forward and masquerading: nftables and
/// Shorewall agree with the model on every probe; exit 0.
#[test]
fn an_example_agrees() {
    common::require_lab();
    let output = verify(&["-c", "examples/port-forward.toml"]);
    assert_exit(&output, 0);
    let stdout = text(&output.stdout);
    assert!(
        stdout.starts_with(
            "lab matrix for examples/port-forward.toml: probe | explain | nftables | shorewall\n"
        ),
        "{stdout}"
    );
    assert!(stdout.contains(", 0 disagreements\n"), "{stdout}");
    assert!(!stdout.contains("\n!!"), "{stdout}");
    assert!(
        stdout.contains("saw") && stdout.contains("REJECT") && stdout.contains("DROP"),
        "the matrix has accepted, rejected and dropped probes:\n{stdout}"
    );
    assert!(
        text(&output.stderr).is_empty(),
        "no progress when stderr is not a terminal:\n{}",
        text(&output.stderr)
    );
}

/// JSON: one object, every probe with each candidate's outcome and
/// explain's answer.
#[test]
fn json_lists_every_probe() {
    common::require_lab();
    let output = verify(&["-c", "examples/two-interfaces.toml", "--format", "json"]);
    assert_exit(&output, 0);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["disagreements"], 0, "{json:#}");
    assert_eq!(
        json["candidates"],
        serde_json::json!(["nftables", "shorewall"])
    );
    let probes = json["probes"].as_array().unwrap();
    assert!(probes.len() > 20, "{json:#}");
    for probe in probes {
        assert_eq!(probe["agree"], true, "{probe:#}");
        let expected = &probe["expected"];
        assert_eq!(&probe["outcomes"]["nftables"], expected, "{probe:#}");
        assert_eq!(&probe["outcomes"]["shorewall"], expected, "{probe:#}");
        assert!(
            probe["explain"]["decided_by"]["text"].is_string(),
            "{probe:#}"
        );
    }
}

/// A copy of Shorewall's two-interface sample and the model imported
/// from it.
fn imported_sample(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = common::scratch(name);
    let original = dir.join("shorewall");
    common::copy_tree(
        Path::new("/usr/share/doc/shorewall/examples/two-interfaces"),
        &original,
    );
    let model = dir.join("fwgen.toml");
    // The sample's stoppedrules becomes [[stopped]]; --partial changes
    // nothing here.
    let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .args(["import", "shorewall"])
        .arg(&original)
        .arg("-o")
        .arg(&model)
        .arg("--partial")
        .output()
        .unwrap();
    assert!(output.status.success(), "import: {}", text(&output.stderr));
    (original, model)
}

/// The migration's proof: the directory the model was imported from,
/// compiled by Shorewall as it is, agrees with the model (exit 0).
#[test]
fn against_the_imported_directory_agrees() {
    common::require_lab();
    let (original, model) = imported_sample("verify-against-same");
    let output = verify(&[
        "-c",
        model.to_str().unwrap(),
        "--against",
        original.to_str().unwrap(),
    ]);
    assert_exit(&output, 0);
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("| explain | nftables | shorewall | original\n"),
        "{stdout}"
    );
    assert!(stdout.contains(", 0 disagreements\n"), "{stdout}");
}

/// The real use: the admin's Shorewall directory opens a port the model
/// does not (a line added after the import). verify sees it, names the
/// probes and the model item that decides them, and exits 1.
#[test]
fn against_a_directory_that_differs() {
    common::require_lab();
    let (original, model) = imported_sample("verify-against-other");
    let rules = original.join("rules");
    let mut lines = std::fs::read_to_string(&rules).unwrap();
    lines.push_str("ACCEPT\tnet\t$FW\ttcp\t7777\n");
    std::fs::write(&rules, lines).unwrap();
    let output = verify(&[
        "-c",
        model.to_str().unwrap(),
        "--against",
        original.to_str().unwrap(),
    ]);
    assert_exit(&output, 1);
    let stdout = text(&output.stdout);
    let wrong: Vec<&str> = stdout.lines().filter(|l| l.starts_with("!!")).collect();
    assert!(!wrong.is_empty(), "{stdout}");
    assert!(
        wrong
            .iter()
            .all(|l| l.contains("net#1") && l.contains("-> fw") && l.contains("tcp 7777")),
        "only net -> fw tcp 7777 differs:\n{stdout}"
    );
    let model_name = model.display().to_string();
    assert!(
        stdout.contains("\ndisagreement: net#1 ")
            && stdout.contains("  original: ACCEPT")
            && stdout.contains(&format!(
                "  explain: decided by: the policy at {model_name}:"
            )),
        "each disagreement names the candidates' outcomes and the model's policy:\n{stdout}"
    );
}

/// A `shorewall` directory with a `shorewall6` one beside it: both are
/// compiled, so the original decides the IPv6 probes too.
#[test]
fn against_a_dual_stack_directory() {
    common::require_lab();
    let dir = common::scratch("verify-against-dual");
    common::render_example("ipv6", "shorewall", &dir);
    assert!(
        dir.join("shorewall6").is_dir(),
        "the ipv6 example renders shorewall6"
    );
    let original = dir.join("shorewall");
    let output = verify(&[
        "-c",
        "examples/ipv6.toml",
        "--against",
        original.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_exit(&output, 0);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["notes"], serde_json::json!([]), "{json:#}");
    let probes = json["probes"].as_array().unwrap();
    let ipv6 = probes
        .iter()
        .filter(|p| p["dest"].as_str().unwrap().contains(':'))
        .count();
    assert!(ipv6 > 0, "{json:#}");
    for probe in probes {
        assert!(!probe["outcomes"]["original"].is_null(), "{probe:#}");
    }
}

/// A Shorewall directory of `files` (name, lines) and the model imported
/// from it.
fn imported_dir(name: &str, files: &[(&str, &str)]) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = common::scratch(name);
    let original = dir.join("shorewall");
    std::fs::create_dir_all(&original).unwrap();
    // EXPAND_POLICIES=Yes as in the review's cases: its default, shared
    // policy chains, is a disagreement of its own. ADD_IP_ALIASES=No:
    // the admin's firewall holds a nat file's external addresses itself.
    let conf = "STARTUP_ENABLED=Yes\nIP_FORWARDING=On\nEXPAND_POLICIES=Yes\nADD_IP_ALIASES=No\n";
    for (file, lines) in files.iter().chain(&[("shorewall.conf", conf)]) {
        std::fs::write(original.join(file), lines).unwrap();
    }
    let model = dir.join("fwgen.toml");
    let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .args(["import", "shorewall"])
        .arg(&original)
        .arg("-o")
        .arg(&model)
        .output()
        .unwrap();
    assert!(output.status.success(), "import: {}", text(&output.stderr));
    (original, model)
}

fn verify_against(original: &Path, model: &Path) -> Output {
    verify(&[
        "-c",
        model.to_str().unwrap(),
        "--against",
        original.to_str().unwrap(),
    ])
}

/// A port forward whose SPORT holds the ephemeral ports (after
/// shorewall-rules(5)'s SOURCE PORT(S) column): every probe is sent from
/// a fixed source port that explain is told, one outside the range and one
/// inside, so the matrix's own probes to the firewall's port 25 are
/// forwarded from inside and not from outside, in explain as in the three
/// firewalls (an ephemeral port unknown to explain was a false
/// disagreement).
#[test]
fn a_port_forward_by_source_port_agrees() {
    common::require_lab();
    let (original, model) = imported_dir(
        "verify-dnat-sport",
        &[
            ("zones", "fw\tfirewall\nnet\tipv4\ndmz\tipv4\n"),
            ("interfaces", "?FORMAT 2\nnet\teth0\t-\ndmz\teth1\t-\n"),
            ("policy", "net\tall\tDROP\nall\tall\tREJECT\n"),
            (
                "rules",
                "?SECTION NEW\nDNAT\tnet:198.51.100.0/24\tdmz:10.2.0.6\ttcp\t25\t1024:65535\n",
            ),
        ],
    );
    let output = verify_against(&original, &model);
    assert_exit(&output, 0);
    let stdout = text(&output.stdout);
    let to_fw_25 = |sport: &str| {
        stdout
            .lines()
            .find(|l| {
                l.contains("net#1 198.51.100.2 -> fw")
                    && l.contains(&format!("tcp 25 sport {sport} |"))
            })
            .unwrap_or_else(|| panic!("no probe from port {sport}:\n{stdout}"))
            .to_owned()
    };
    assert!(
        to_fw_25("1024").contains("| ACCEPT dmz#1 saw 198.51.100.2 |"),
        "{stdout}"
    );
    assert!(to_fw_25("1").contains("| DROP |"), "{stdout}");
}

/// One-to-one NAT whose external address lies in the uplink's network
/// (shorewall-nat(5)'s usual case: a public address of the provider's
/// subnet): the lab gives it to the firewall on that link, as the admin's
/// firewall holds it, so the net host's packets to it reach the firewall
/// and the internal host (once they went unanswered by ARP, a dropped
/// probe in all three firewalls). The port forward of every address's
/// port 80 takes the external address's port 80 too: Shorewall's nat file
/// comes after the rules' DNAT in PREROUTING (fwgen once put it first and
/// sent that port to the internal host, where the policy dropped it). The
/// internal side is a hosts zone, and a port forward from `all` into it
/// imports: `all` leaves the target's own zone out, so no forward comes
/// from a zone of hosts (once refused). A reply from a port forward's
/// target is expected from the target's zone (once from the original
/// destination's: a host of no zone, whose reply the catch-all drops).
#[test]
fn one_to_one_nat_on_the_uplinks_network_reaches_the_internal_host() {
    common::require_lab();
    let (original, model) = imported_dir(
        "verify-nat-on-link",
        &[
            ("zones", "fw\tfirewall\nnet\tipv4\ndmz\tipv4\n"),
            ("interfaces", "?FORMAT 2\nnet\teth0\t-\n-\teth1\t-\n"),
            ("hosts", "dmz\teth1:10.0.2.0/24\n"),
            (
                "policy",
                "$FW\tall\tACCEPT\nnet\tall\tDROP\nall\tall\tREJECT\n",
            ),
            ("nat", "198.18.0.50\teth0\t10.0.2.50\tNo\tNo\n"),
            (
                "rules",
                "?SECTION NEW\nACCEPT\tnet\tdmz:10.0.2.50\ttcp\t22\nDNAT\tall\tdmz:10.0.2.5\ttcp\t80\n",
            ),
        ],
    );
    let output = verify_against(&original, &model);
    assert_exit(&output, 0);
    let stdout = text(&output.stdout);
    let probe = |what: &str| {
        stdout
            .lines()
            .find(|l| l.contains(what))
            .unwrap_or_else(|| panic!("no `{what}` probe:\n{stdout}"))
            .to_owned()
    };
    let ssh = probe("net#1 198.18.0.2 -> fw 198.18.0.50 tcp 22 |");
    assert!(ssh.contains("| ACCEPT dmz#1 saw 198.18.0.2 |"), "{ssh}");
    for web in [
        "net#1 198.18.0.2 -> fw 198.18.0.1 tcp 80 |",
        "net#1 198.18.0.2 -> fw 198.18.0.50 tcp 80 |",
        "net#1 198.18.0.2 -> eth1(no zone)#1 198.18.1.2 tcp 80 |",
    ] {
        let web = probe(web);
        assert!(web.contains("| ACCEPT dmz#1 saw 198.18.0.2 |"), "{web}");
    }
}

/// A nested zone on its parent's interface (shorewall-hosts(5),
/// shorewall-nesting(5)): vip's lab host shares loc's side of eth1 and
/// both send by the firewall, as hosts of two networks on one link use
/// their gateway, so the pair crosses the firewall, which decides by
/// `routeback` and the rules. Once vip sat behind loc's host and the pair
/// was never probed.
#[test]
fn zones_on_one_routeback_interface_are_probed_through_the_firewall() {
    common::require_lab();
    let (original, model) = imported_dir(
        "verify-nested",
        &[
            (
                "zones",
                "fw\tfirewall\nnet\tipv4\nloc\tipv4\nvip:loc\tipv4\n",
            ),
            (
                "interfaces",
                "?FORMAT 2\nnet\teth0\t-\nloc\teth1\trouteback\n",
            ),
            ("hosts", "vip\teth1:10.1.9.0/24\n"),
            (
                "policy",
                "loc\tnet\tACCEPT\nnet\tall\tDROP\nall\tall\tREJECT\n",
            ),
            ("rules", "?SECTION NEW\nACCEPT\tloc\tvip\ttcp\t24\n"),
        ],
    );
    let output = verify_against(&original, &model);
    assert_exit(&output, 0);
    let stdout = text(&output.stdout);
    assert!(!stdout.contains("not probed"), "{stdout}");
    let probe = |pair: &str, what: &str| {
        stdout
            .lines()
            .find(|l| l.contains(pair) && l.contains(what))
            .unwrap_or_else(|| panic!("no probe {pair} {what}:\n{stdout}"))
            .to_owned()
    };
    assert!(
        probe("loc#1 198.18.1.2 -> vip#1", "tcp 24 |").contains("| ACCEPT vip#1 saw 198.18.1.2 |"),
        "{stdout}"
    );
    for (pair, what) in [
        ("loc#1 198.18.1.2 -> vip#1", "tcp 22 |"),
        ("vip#1 10.1.9.2 -> loc#1", "tcp 24 |"),
        ("vip#1 10.1.9.2 -> loc#1", "ping |"),
    ] {
        assert!(
            probe(pair, what).contains("| REJECT | REJECT | REJECT"),
            "{stdout}"
        );
    }
}

/// Zones on one interface without `routeback`: their hosts send by the
/// firewall all the same, and Shorewall's sfilter drops what would leave
/// by the interface it came in on (the policy, REJECT, never decides it),
/// in explain and in the three firewalls alike.
#[test]
fn zones_on_one_interface_without_routeback_are_dropped_by_sfilter() {
    common::require_lab();
    let (original, model) = imported_dir(
        "verify-no-routeback",
        &[
            ("zones", "fw\tfirewall\nnet\tipv4\nvip\tipv4\nloc\tipv4\n"),
            ("interfaces", "?FORMAT 2\nnet\teth0\t-\nloc\teth1\t-\n"),
            ("hosts", "vip\teth1:10.1.9.0/24\n"),
            (
                "policy",
                "loc\tnet\tACCEPT\nnet\tall\tDROP\nall\tall\tREJECT\n",
            ),
            ("rules", "?SECTION NEW\nACCEPT\tnet\tvip\ttcp\t24\n"),
        ],
    );
    let output = verify_against(&original, &model);
    assert_exit(&output, 0);
    let stdout = text(&output.stdout);
    assert!(!stdout.contains("not probed"), "{stdout}");
    for pair in ["loc#1 198.18.1.2 -> vip#1", "vip#1 10.1.9.2 -> loc#1"] {
        let line = stdout
            .lines()
            .find(|l| l.contains(pair) && l.contains("tcp 24 |"))
            .unwrap_or_else(|| panic!("no probe {pair}:\n{stdout}"));
        assert!(line.contains("| DROP | DROP | DROP | DROP"), "{stdout}");
    }
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("net#1 198.18.0.2 -> vip#1 10.1.9.2 tcp 24 | ACCEPT")),
        "vip is probed from where packets cross the firewall:\n{stdout}"
    );
}

/// Zone lists with `+` on one side (shorewall-rules(5): "intra-zone
/// traffic may be included by following the list with a plus sign"):
/// Shorewall 5.2.8's Rules.pm sets one flag from SOURCE, then from DEST,
/// so `loc,dmz+ loc,dmz` leaves loc's traffic to itself out and
/// `loc,dmz loc,dmz+` takes it in. fwgen took it in for both, and the
/// admin's own directory, compiled by Shorewall, showed the difference
/// between loc's two segments.
#[test]
fn a_dest_list_decides_a_zones_traffic_to_itself() {
    common::require_lab();
    let (original, model) = imported_dir(
        "verify-zone-list-plus",
        &[
            ("zones", "fw\tfirewall\nnet\tipv4\nloc\tipv4\ndmz\tipv4\n"),
            (
                "interfaces",
                "?FORMAT 2\nnet\teth0\t-\nloc\teth1\t-\nloc\teth3\t-\ndmz\teth2\t-\n",
            ),
            ("policy", "net\tall\tDROP\nall\tall\tREJECT\n"),
            (
                "rules",
                "?SECTION NEW\nREJECT\tloc,dmz+\tloc,dmz\ttcp\t8082\nREJECT\tloc,dmz\tloc,dmz+\ttcp\t8083\n",
            ),
        ],
    );
    let output = verify_against(&original, &model);
    assert_exit(&output, 0);
    let stdout = text(&output.stdout);
    let probe = |port: &str| {
        stdout
            .lines()
            .find(|l| {
                l.contains("loc#1 ")
                    && l.contains("-> loc#2 ")
                    && l.contains(&format!("tcp {port} |"))
            })
            .unwrap_or_else(|| panic!("no loc#1 -> loc#2 probe on {port}:\n{stdout}"))
            .to_owned()
    };
    assert!(probe("8082").contains("| ACCEPT loc#2 saw"), "{stdout}");
    assert!(
        probe("8083").contains("| REJECT | REJECT | REJECT | REJECT"),
        "{stdout}"
    );
}

/// A blacklisted host while BLACKLIST is unset (every state: Config.pm's
/// default): the firewall's own connection to it is accepted, and its
/// reply, an established packet, is blacklisted, so nothing comes back,
/// in the three firewalls alike; the model's expectation once took every
/// reply between zones to pass and reported three disagreements.
#[test]
fn a_blacklisted_reply_is_expected_to_be_dropped() {
    common::require_lab();
    let (original, model) = imported_dir(
        "verify-blacklist-reply",
        &[
            ("zones", "fw\tfirewall\nnet\tipv4\nloc\tipv4\n"),
            ("interfaces", "?FORMAT 2\nnet\teth0\t-\nloc\teth1\t-\n"),
            (
                "policy",
                "$FW\tall\tACCEPT\nnet\tall\tDROP\nall\tall\tREJECT\n",
            ),
            ("blrules", "DROP\tnet:198.18.0.2\tall\n"),
            ("rules", "?SECTION NEW\nACCEPT\tloc\tnet\ttcp\t80\n"),
        ],
    );
    let output = verify_against(&original, &model);
    assert_exit(&output, 0);
    let stdout = text(&output.stdout);
    let line = stdout
        .lines()
        .find(|l| l.contains("fw 198.18.0.1 -> net#1 198.18.0.2 tcp 80 |"))
        .unwrap_or_else(|| panic!("no fw -> net probe:\n{stdout}"));
    assert!(line.contains("| DROP | DROP | DROP | DROP"), "{stdout}");
}

/// A nested zone whose hosts hold the start of the lab's test range on
/// its parent's interface (`adm:loc` on `eth1:198.18.1.0/25`, the
/// interface without networks): loc's host takes an address outside
/// adm's, where it once took adm's own and every probe of adm dropped.
#[test]
fn a_nested_zone_over_the_test_range_keeps_its_own_address() {
    common::require_lab();
    let (original, model) = imported_dir(
        "verify-nested-range",
        &[
            (
                "zones",
                "fw\tfirewall\nnet\tipv4\nloc\tipv4\nadm:loc\tipv4\n",
            ),
            ("interfaces", "?FORMAT 2\nnet\teth0\t-\nloc\teth1\t-\n"),
            ("hosts", "adm\teth1:198.18.1.0/25\n"),
            (
                "policy",
                "adm\tall\tACCEPT\nnet\tall\tDROP\nall\tall\tREJECT\n",
            ),
            ("rules", "?SECTION NEW\nACCEPT\tnet\tadm\ttcp\t22\n"),
        ],
    );
    let output = verify_against(&original, &model);
    assert_exit(&output, 0);
    let stdout = text(&output.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("net#1 198.18.0.2 -> adm#1 198.18.1.2 tcp 22 | ACCEPT adm#1 saw")),
        "{stdout}"
    );
    assert!(stdout.contains("-> loc#1 198.18.1.128 "), "{stdout}");
}

/// A zone given by hosts over the test range of an interface of no zone
/// (`- eth1 -`, `loc eth1:198.18.1.0/24`): the link's own host is loc's
/// and holds the range's first address, so the hosts entry's own lab host
/// takes the next one; both once had 198.18.1.2 and every probe from the
/// second dropped.
#[test]
fn a_hosts_zone_over_the_link_hosts_address_takes_the_next() {
    common::require_lab();
    let (original, model) = imported_dir(
        "verify-hosts-range",
        &[
            ("zones", "fw\tfirewall\nnet\tipv4\nloc\tipv4\n"),
            ("interfaces", "?FORMAT 2\nnet\teth0\t-\n-\teth1\t-\n"),
            ("hosts", "loc\teth1:198.18.1.0/24\n"),
            (
                "policy",
                "loc\tnet\tACCEPT\nnet\tall\tDROP\nall\tall\tREJECT\n",
            ),
            ("rules", "?SECTION NEW\nACCEPT\tnet\tloc\ttcp\t22\n"),
        ],
    );
    let output = verify_against(&original, &model);
    assert_exit(&output, 0);
    let stdout = text(&output.stdout);
    assert!(stdout.contains("loc#1 198.18.1.2 "), "{stdout}");
    assert!(stdout.contains("loc#2 198.18.1.3 "), "{stdout}");
}

/// A rule naming one address of a hosts zone (shorewall-hosts(5): two
/// zones narrowed to networks on a routeback interface): the lab gives the
/// zone's host that address behind the router it sits behind, and both the
/// router and the firewall route it there. The firewall's REJECT answers
/// once reached the link instead (the router sent the address back out by
/// the link's network), and every probe from it read as DROP in both
/// firewalls against REJECT in the model; an address outside the link's
/// networks made the firewall's route fail to install ("Nexthop has
/// invalid gateway"), and verify could not run.
#[test]
fn a_rule_address_of_a_hosts_zone_is_routed_to_its_host() {
    common::require_lab();
    let (original, model) = imported_dir(
        "verify-hosts-address",
        &[
            (
                "zones",
                "fw\tfirewall\nweb\tipv4\ndb\tipv4\nnet\tipv4\nloc\tipv4\n",
            ),
            (
                "interfaces",
                "?FORMAT 2\nnet\teth0\t-\nloc\teth1\trouteback\n",
            ),
            (
                "hosts",
                "web\teth1:10.60.1.0/28,172.30.9.0/28\ndb\teth1:10.60.2.0/28\n",
            ),
            ("policy", "net\tall\tDROP\nall\tall\tREJECT\n"),
            (
                "rules",
                "?SECTION NEW\nACCEPT\tweb:10.60.1.5\tnet\ttcp\t443\nACCEPT\tweb:172.30.9.7\tnet\ttcp\t80\n",
            ),
        ],
    );
    let output = verify_against(&original, &model);
    assert_exit(&output, 0);
    let stdout = text(&output.stdout);
    let probe = |from: &str, what: &str| {
        stdout
            .lines()
            .find(|l| l.contains(&format!("web#1 {from} -> net#1")) && l.contains(what))
            .unwrap_or_else(|| panic!("no probe {from} {what}:\n{stdout}"))
            .to_owned()
    };
    assert!(
        probe("10.60.1.5", "tcp 443 |").contains("| ACCEPT"),
        "{stdout}"
    );
    assert!(
        probe("10.60.1.5", "tcp 80 |").contains("| REJECT | REJECT | REJECT"),
        "{stdout}"
    );
    assert!(
        probe("172.30.9.7", "tcp 80 |").contains("| ACCEPT"),
        "{stdout}"
    );
    assert!(
        probe("172.30.9.7", "tcp 443 |").contains("| REJECT | REJECT | REJECT"),
        "{stdout}"
    );
}

/// Without root: exit 2, saying so, before touching anything.
#[test]
fn without_root_it_cannot_run() {
    common::require_root();
    common::require_tool("setpriv", "util-linux");
    let output = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_fwgen"))
        .args(["verify", "-c"])
        .arg(common::root().join("examples/two-interfaces.toml"))
        .output()
        .unwrap();
    assert_exit(&output, 2);
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with("error: fwgen verify needs root"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "{}", text(&output.stdout));
}

/// Without its tools: exit 2, naming each missing tool and its package,
/// in text and in JSON.
#[test]
fn without_tools_it_cannot_run() {
    common::require_root();
    let empty = common::scratch("verify-no-tools");
    let run = |format: &str| {
        Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .current_dir(common::root())
            .env("PATH", &empty)
            .args([
                "verify",
                "-c",
                "examples/two-interfaces.toml",
                "--format",
                format,
            ])
            .output()
            .unwrap()
    };
    let output = run("text");
    assert_exit(&output, 2);
    let stderr = text(&output.stderr);
    for (tool, package) in [
        ("ip", "iproute2"),
        ("nft", "nftables"),
        ("ping", "iputils-ping"),
    ] {
        assert!(
            stderr.contains(&format!("`{tool}` (apt-get install -y {package})")),
            "{stderr}"
        );
    }
    let output = run("json");
    assert_exit(&output, 2);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["errors"][0]["code"], "verify-cannot-run", "{json:#}");
}

/// Namespaces are deleted after a run, and after Ctrl-C in the middle of
/// one (exit 2, saying it was interrupted).
#[test]
fn no_namespace_is_left_behind() {
    common::require_lab();
    let done = Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .current_dir(common::root())
        .args(["verify", "-c", "examples/two-interfaces.toml"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = done.id();
    let output = done.wait_with_output().unwrap();
    assert_exit(&output, 0);
    assert_eq!(namespaces(&prefix_of(pid)), Vec::<String>::new());

    let mut child = Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .current_dir(common::root())
        .args(["verify", "-c", "examples/lxc-host.toml"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let prefix = prefix_of(child.id());
    let started = Instant::now();
    while namespaces(&prefix).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "fwgen verify made no namespace in a minute"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "fwgen verify ended before making a namespace"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: kill only sends a signal to the child this test started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("fwgen verify did not stop within two minutes of Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    assert_exit(&output, 2);
    assert!(
        text(&output.stderr).contains("interrupted"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(namespaces(&prefix), Vec::<String>::new());
}

/// Chains in the host's mangle table named as Shorewall's compiler names
/// its probes (`fooX<pid>`), for every PID the kernel may hand out next
/// (all of them where pid_max allows, as here: 32768), so that whichever
/// PID a compile gets has its chain; removed when dropped. They are what
/// a compile killed midway leaves.
struct PlantedProbeChains(Vec<String>);

impl PlantedProbeChains {
    fn for_the_next_pids() -> PlantedProbeChains {
        let read = |path: &str| -> u32 {
            let text = std::fs::read_to_string(path).unwrap();
            text.trim().parse().unwrap()
        };
        let (last, max) = (
            read("/proc/sys/kernel/ns_last_pid"),
            read("/proc/sys/kernel/pid_max"),
        );
        // PIDs wrap to 300 past pid_max (kernel/pid.c, RESERVED_PIDS).
        let count = (max - 300).min(40_000);
        let names: Vec<String> = (1..=count)
            .map(|i| 300 + (last + i - 300) % (max - 300))
            .map(|pid| format!("fooX{pid}"))
            .collect();
        let planted = PlantedProbeChains(names);
        planted.restore(|name| format!(":{name} - [0:0]\n"));
        planted
    }

    /// `iptables-restore --noflush` of one mangle table with a line per chain.
    fn restore(&self, line: impl Fn(&str) -> String) {
        let mut text = String::from("*mangle\n");
        for name in &self.0 {
            text.push_str(&line(name));
        }
        text.push_str("COMMIT\n");
        let mut child = Command::new("iptables-restore")
            .arg("--noflush")
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("iptables-restore (package iptables) must be installed");
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "iptables-restore: {output:?}");
    }
}

impl Drop for PlantedProbeChains {
    fn drop(&mut self) {
        self.restore(|name| format!("-X {name}\n"));
    }
}

/// Shorewall's compiler probes netfilter with chains named after its PID
/// and stops at "Cannot Create Mangle chain fooX<pid>" where one is left
/// from a compile killed midway (CI failed so). The lab compiles in its
/// own namespace, so what the host's tables hold never stops a run; the
/// tests' own compiles (`common::run`) run in one of their own too.
#[test]
fn leftover_probe_chains_in_the_hosts_tables_do_not_stop_a_compile() {
    common::require_lab();
    common::require_tool("iptables-restore", "iptables");
    let out = common::scratch("verify-leftover-probes");
    common::render_example("two-interfaces", "shorewall", &out);
    let planted = PlantedProbeChains::for_the_next_pids();
    let (compiled, said) = common::shorewall_compiles(&out.join("shorewall"));
    let output = verify(&["-c", "examples/two-interfaces.toml"]);
    drop(planted);
    assert!(compiled, "{said}");
    assert_exit(&output, 0);
}
