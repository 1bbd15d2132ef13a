//! `fwgen explain` through the real binary: answers for every example,
//! JSON for scripts, and errors that name the argument.

mod common;

use std::process::{Command, Output};

fn explain(example: &str, args: &[&str]) -> Output {
    let model = format!("examples/{example}.toml");
    Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .current_dir(common::root())
        .args(["explain", "-c", &model])
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn every_example_gets_an_answer_with_its_reason() {
    for example in common::examples() {
        let output = explain(
            &example,
            &[
                "--from", "$FW", "--to", "net", "--proto", "udp", "--dport", "53",
            ],
        );
        let text = stdout(&output);
        assert!(
            output.status.success(),
            "{example}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(text.starts_with("verdict: "), "{example}: {text}");
        assert!(text.contains("decided by: "), "{example}: {text}");
    }
}

#[test]
fn the_lxc_host_masquerades_containers_and_drops_the_internet() {
    let out = explain(
        "lxc-host",
        &[
            "--from",
            "loc:10.0.0.5",
            "--to",
            "net:192.0.2.1",
            "--dport",
            "443",
        ],
    );
    let text = stdout(&out);
    assert!(text.contains("verdict: ACCEPT"), "{text}");
    assert!(text.contains("path: loc -> net"), "{text}");
    assert!(
        text.contains("masquerade to the address of wlan0 (examples/lxc-host.toml:"),
        "{text}"
    );
    let net = explain(
        "lxc-host",
        &["--from", "net", "--to", "$FW", "--dport", "22"],
    );
    let text = stdout(&net);
    assert!(
        text.contains("verdict: DROP") && text.contains("the policy at examples/lxc-host.toml:"),
        "{text}"
    );
    // The HOWTO's lxcbr0 has no `dhcp` option: its leases pass by the
    // `ACCEPT loc $FW` rule; shorewall4's bridge has the option.
    let dhcp = [
        "--from", "loc", "--to", "$FW", "--proto", "udp", "--dport", "67",
    ];
    let by_rule = stdout(&explain("lxc-host", &dhcp));
    assert!(
        by_rule.contains("verdict: ACCEPT")
            && by_rule.contains("the rule at examples/lxc-host.toml:"),
        "{by_rule}"
    );
    let by_option = stdout(&explain("shorewall4", &dhcp));
    assert!(
        by_option.contains("the `dhcp` option of interface lxcbr0"),
        "{by_option}"
    );
}

#[test]
fn port_forwards_show_the_dnat_and_json_is_one_object() {
    let out = explain(
        "port-forward",
        &[
            "--from", "net", "--to", "$FW", "--dport", "8080", "--format", "json",
        ],
    );
    assert!(out.status.success());
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(value["verdict"], "ACCEPT");
    assert_eq!(value["decided_by"]["kind"], "dnat");
    assert_eq!(value["dest_zone"], "loc");
    assert_eq!(value["nat"][0]["kind"], "dnat");
    assert_eq!(value["nat"][0]["to"], "192.168.1.100");
    assert_eq!(value["nat"][0]["port"], 80);
}

/// The asker's interface belongs to the place it was given for: a port
/// forward asked of `$FW:eth0:ADDRESS` goes on to the forward's zone by
/// that zone's interface (eth1), not by eth0. A discarded filter once
/// kept eth0, and explain said REJECT where both firewalls forward (only
/// the corpus lab saw it).
#[test]
fn a_port_forward_asked_of_the_uplinks_address_leaves_by_the_forwards_interface() {
    let out = explain(
        "port-forward",
        &[
            "--from",
            "net:eth0",
            "--to",
            "$FW:eth0:203.0.113.1",
            "--proto",
            "tcp",
            "--dport",
            "8080",
            "--format",
            "json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(value["verdict"], "ACCEPT", "{value}");
    assert_eq!(value["dest_zone"], "loc", "{value}");
    assert_eq!(value["nat"][0]["to"], "192.168.1.100", "{value}");
}

/// The firewall's connection to itself leaves by `lo` and comes back in
/// by it: the trace meets the output hook's loopback accept, then the
/// input hook's. A port forward from the firewall (tests/models/nat-all:
/// `all` to dmz, tcp 8080) sends it to its target instead: from the
/// firewall's own address it reaches it, from 127.0.0.1 the kernel drops
/// it (the lab sees both kernels do so: model_nat_all).
#[test]
fn the_firewalls_loopback_comes_back_in_by_lo() {
    let ask = |from: &str, dport: &str, format: &str| {
        common::fwgen_stdout(&[
            "explain",
            "-c",
            "tests/models/nat-all.toml",
            "--from",
            from,
            "--to",
            from,
            "--proto",
            "tcp",
            "--dport",
            dport,
            "--format",
            format,
            "--trace",
        ])
    };
    let looped = ask("$FW:127.0.0.1", "22", "text");
    assert!(looped.contains("verdict: ACCEPT"), "{looped}");
    assert!(looped.contains("(loopback)"), "{looped}");
    assert!(looped.contains("+ output: oif \"lo\" accept"), "{looped}");
    assert!(looped.contains("+ input: iif \"lo\" accept"), "{looped}");
    let routed: serde_json::Value =
        serde_json::from_str(&ask("$FW:127.0.0.1", "8080", "json")).expect("one JSON object");
    assert_eq!(routed["verdict"], "DROP", "{routed}");
    assert_eq!(routed["decided_by"]["kind"], "loopback-routed", "{routed}");
    assert_eq!(routed["decided_by"]["line"], 48, "{routed}");
    let own: serde_json::Value =
        serde_json::from_str(&ask("$FW:192.168.1.1", "8080", "json")).expect("one JSON object");
    assert_eq!(own["verdict"], "ACCEPT", "{own}");
    assert_eq!(own["dest_zone"], "dmz", "{own}");
    assert_eq!(own["nat"][0]["to"], "10.0.0.20", "{own}");
}

/// Issue #14: a rate- or connection-limited rule may match or not: explain
/// takes the limit as not reached and says so,
/// in text and JSON; a limited rule the packet does not otherwise match
/// is not mentioned.
#[test]
fn limited_rules_are_said_to_match_or_not() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .current_dir(common::root())
            .args(["explain", "-c", "tests/models/rate-limits.toml"])
            .args(args)
            .output()
            .unwrap()
    };
    let ssh = stdout(&run(&[
        "--from",
        "net:203.0.113.5",
        "--to",
        "$FW",
        "--dport",
        "22",
    ]));
    assert!(ssh.starts_with("verdict: ACCEPT\n"), "{ssh}");
    assert!(
        ssh.contains("limit: the rule at tests/models/rate-limits.toml:41 may match or not (the rate 10/min, burst 3): it matched here")
            && ssh.contains("over its limit it does not match"),
        "{ssh}"
    );
    let https = run(&[
        "--from",
        "loc:192.168.1.9",
        "--to",
        "net:203.0.113.5",
        "--dport",
        "443",
        "--format",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&https.stdout).expect("one JSON object");
    assert_eq!(value["verdict"], "ACCEPT");
    let limits = value["limits"].as_array().expect("limits");
    assert_eq!(limits.len(), 1, "{limits:?}");
    assert!(
        limits[0].as_str().unwrap().contains("more than 20 connections per destination (addresses grouped by /24)): it did not match here"),
        "{limits:?}"
    );
    let telnet = stdout(&run(&["--from", "net", "--to", "$FW", "--dport", "23"]));
    assert!(!telnet.contains("limit:"), "{telnet}");
}

/// Issue #15: `--from ZONE:IFACE[:ADDR]` names the interface, or a device
/// a wildcard stands for, as a rule's SOURCE does: the rules of
/// tests/models/rule-wildcard-device.toml on `tunw0` take its packets, not
/// those of `tun0` or `tun7`, nor the LAN's on eth0.
#[test]
fn a_device_of_a_wildcard_is_asked_for_by_name() {
    let verdict = |from: &str, to: &str, port: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .current_dir(common::root())
            .args(["explain", "-c", "tests/models/rule-wildcard-device.toml"])
            .args(["--from", from, "--to", to, "--dport", port])
            .output()
            .unwrap();
        let out = stdout(&output);
        assert!(output.status.success(), "{from} -> {to}: {out}");
        out.lines().next().unwrap_or_default().to_owned()
    };
    for (from, to, port, expected) in [
        ("loc:tunw0:10.8.0.2", "$FW", "22", "ACCEPT"),
        ("loc:tun0:10.8.0.2", "$FW", "22", "REJECT"),
        ("loc:eth0", "$FW", "22", "REJECT"),
        ("loc:tun7", "$FW", "80", "ACCEPT"),
        ("loc:tunw0", "$FW", "80", "REJECT"),
        ("net", "loc:tunw0:10.8.0.9", "443", "ACCEPT"),
        ("net", "loc:tun3:10.8.0.9", "443", "DROP"),
        ("net", "loc:eth0:192.168.1.9", "443", "DROP"),
    ] {
        assert_eq!(
            verdict(from, to, port),
            format!("verdict: {expected}"),
            "{from} -> {to} port {port}"
        );
    }
    let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .current_dir(common::root())
        .args(["explain", "-c", "tests/models/rule-wildcard-device.toml"])
        .args(["--from", "loc:wg0", "--to", "$FW"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.code() == Some(2)
            && stderr.contains("--from: `wg0` is neither an address nor an interface of the model"),
        "{stderr}"
    );
}

#[test]
fn bad_arguments_are_named() {
    for (args, named) in [
        (vec!["--from", "lan", "--to", "net"], "--from"),
        (vec!["--from", "loc", "--to", "net:300.1.1.1"], "--to"),
        (
            vec!["--from", "loc", "--to", "net", "--proto", "tcpp"],
            "--proto",
        ),
        (
            vec![
                "--from", "loc", "--to", "net", "--proto", "icmp", "--dport", "22",
            ],
            "--dport",
        ),
        (
            vec![
                "--from",
                "loc",
                "--to",
                "net",
                "--proto",
                "icmp",
                "--icmp-type",
                "bogus",
            ],
            "--icmp-type",
        ),
        (vec!["--from", "2001:db8::9", "--to", "loc"], "--from"),
    ] {
        let out = explain("two-interfaces", &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(named),
            "{args:?} does not name {named}: {stderr}"
        );
    }
}

/// Questions no packet can ask: port 0, an IPv4 source with an IPv6
/// destination (or the reverse), ICMP of one family with addresses of the
/// other, a multicast source, an unspecified destination. Each is refused with exit 2, naming the argument, and no answer.
#[test]
fn meaningless_questions_are_refused() {
    for (args, named) in [
        (
            vec!["--from", "loc", "--to", "net", "--dport", "0"],
            "--dport",
        ),
        (
            vec!["--from", "loc", "--to", "net", "--sport", "0"],
            "--sport",
        ),
        (
            vec![
                "--from",
                "loc:192.168.1.5",
                "--to",
                "net:2001:db8::1",
                "--dport",
                "443",
            ],
            "--to",
        ),
        (vec!["--from", "2001:db8:1::5", "--to", "192.0.2.1"], "--to"),
        (
            vec![
                "--from",
                "loc",
                "--to",
                "net:2001:db8::1",
                "--proto",
                "icmp",
            ],
            "--proto",
        ),
        (
            vec![
                "--from",
                "loc:192.168.1.5",
                "--to",
                "net",
                "--proto",
                "icmpv6",
                "--icmp-type",
                "echo-request",
            ],
            "--proto",
        ),
        (vec!["--from", "net:224.0.0.1", "--to", "loc"], "--from"),
        (vec!["--from", "ff02::1", "--to", "$FW"], "--from"),
        (vec!["--from", "loc", "--to", "net:0.0.0.0"], "--to"),
        (vec!["--from", "loc", "--to", "net:::"], "--to"),
    ] {
        let out = explain("ipv6", &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?} answered: {}", stdout(&out));
        assert!(
            stderr.starts_with("error: ") && stderr.contains(named),
            "{args:?} does not name {named}: {stderr}"
        );
    }
}

/// ICMPv6 is IPv6 even when no address says so: the neighbour solicitation
/// the ipv6 example accepts from `net` is accepted by its rule.
#[test]
fn icmpv6_without_addresses_is_an_ipv6_question() {
    let out = explain(
        "ipv6",
        &[
            "--from",
            "net",
            "--to",
            "$FW",
            "--proto",
            "icmpv6",
            "--icmp-type",
            "nd-neighbor-solicit",
        ],
    );
    let text = stdout(&out);
    assert!(
        text.contains("verdict: ACCEPT") && text.contains("the rule at examples/ipv6.toml:57"),
        "{text}"
    );
}

/// An argument as long as the kernel allows is cut in the error that
/// quotes it, as the model's errors cut long values.
#[test]
fn long_arguments_are_cut_in_errors() {
    let long = "x".repeat(100_000);
    let zone = format!("lan{long}");
    let address = format!("loc:10.0.0.{long}");
    let icmp = ["--proto", "icmp", "--icmp-type", long.as_str()];
    for args in [
        vec!["--from", zone.as_str(), "--to", "net"],
        vec!["--from", address.as_str(), "--to", "net"],
        vec!["--from", "loc", "--to", "net", "--proto", long.as_str()],
        [vec!["--from", "loc", "--to", "net"], icmp.to_vec()].concat(),
    ] {
        let out = explain("two-interfaces", &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.len() < 600 && stderr.contains("characters cut"),
            "{} bytes: {}",
            stderr.len(),
            &stderr[..stderr.len().min(600)]
        );
    }
}

#[test]
fn exit_code_follows_the_verdict_only_when_asked() {
    let ssh_in = ["--from", "loc", "--to", "$FW", "--dport", "22"];
    let closed = ["--from", "net", "--to", "$FW", "--dport", "9"];
    for (args, verdict, code) in [(&ssh_in, "ACCEPT", 0), (&closed, "DROP", 1)] {
        let plain = explain("lxc-host", args);
        assert_eq!(plain.status.code(), Some(0), "{}", stdout(&plain));
        let mut asked = args.to_vec();
        asked.push("--exit-code");
        let by_verdict = explain("lxc-host", &asked);
        assert!(stdout(&by_verdict).starts_with(&format!("verdict: {verdict}\n")));
        assert_eq!(
            by_verdict.status.code(),
            Some(code),
            "{}",
            stdout(&by_verdict)
        );
    }
    let reject = explain(
        "two-interfaces",
        &[
            "--from",
            "loc",
            "--to",
            "$FW",
            "--dport",
            "9",
            "--exit-code",
        ],
    );
    assert!(
        stdout(&reject).starts_with("verdict: REJECT\n"),
        "{}",
        stdout(&reject)
    );
    assert_eq!(reject.status.code(), Some(1));
    let trouble = explain(
        "lxc-host",
        &["--from", "nope", "--to", "net", "--exit-code"],
    );
    assert_eq!(trouble.status.code(), Some(2));
}

#[test]
fn json_asked_for_gets_errors_as_json() {
    let bad = explain(
        "lxc-host",
        &["--from", "nope", "--to", "net", "--format", "json"],
    );
    assert_eq!(bad.status.code(), Some(2));
    let value: serde_json::Value = serde_json::from_slice(&bad.stdout).expect("JSON on stdout");
    assert_eq!(value["errors"][0]["code"], "bad-argument", "{value}");
    assert!(
        value["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("--from: ")),
        "{value}"
    );
    let broken = Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .current_dir(common::root())
        .args([
            "explain",
            "-c",
            "tests/errors/unknown-macro.toml",
            "--format",
            "json",
        ])
        .args(["--from", "net", "--to", "loc"])
        .output()
        .unwrap();
    assert_eq!(broken.status.code(), Some(2));
    let value: serde_json::Value = serde_json::from_slice(&broken.stdout).unwrap();
    assert_eq!(value["errors"][0]["code"], "unknown-macro", "{value}");
    assert_eq!(
        value["errors"][0]["file"],
        "tests/errors/unknown-macro.toml"
    );
}

/// Issue #15: the blacklist decides before the rules (tests/models/
/// blacklist.toml): a dropped network's host meets its DROP entry even
/// where a rule accepts, its whitelisted host meets the rule; an
/// established packet passes, since blacklist_states leaves it out.
#[test]
fn the_blacklist_decides_before_the_rules() {
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .current_dir(common::root())
            .args(["explain", "-c", "tests/models/blacklist.toml"])
            .args(args)
            .output()
            .unwrap();
        stdout(&output)
    };
    let dropped = run(&["--from", "net:198.51.100.9", "--to", "$FW", "--dport", "22"]);
    assert!(dropped.contains("verdict: DROP"), "{dropped}");
    assert!(
        dropped.contains("the blacklist entry at tests/models/blacklist.toml:"),
        "{dropped}"
    );
    assert!(dropped.contains("chain blacklist-net-fw"), "{dropped}");
    let whitelisted = run(&["--from", "net:198.51.100.7", "--to", "$FW", "--dport", "80"]);
    assert!(whitelisted.contains("verdict: ACCEPT"), "{whitelisted}");
    assert!(whitelisted.contains("the rule at"), "{whitelisted}");
    let established = run(&[
        "--from",
        "net:198.51.100.9",
        "--to",
        "$FW",
        "--dport",
        "22",
        "--state",
        "established",
    ]);
    assert!(established.contains("verdict: ACCEPT"), "{established}");
}

/// Issue #14: a port forward with ORIGDEST forwards connections sent to
/// that address only (tests/models/nat-origdest.toml); a rate-limited
/// rule that logs decides in its log chain (tests/models/rate-log.toml).
#[test]
fn origdest_and_rate_limited_logging_are_explained() {
    let run = |model: &str, to: &str, dport: &str| {
        stdout(
            &Command::new(env!("CARGO_BIN_EXE_fwgen"))
                .current_dir(common::root())
                .args(["explain", "-c", model, "--from", "net:203.0.113.5"])
                .args(["--to", to, "--dport", dport])
                .output()
                .unwrap(),
        )
    };
    let model = "tests/models/nat-origdest.toml";
    let forwarded = run(model, "$FW:130.252.100.69", "80");
    assert!(
        forwarded.starts_with("verdict: ACCEPT\n")
            && forwarded.contains("nat: DNAT to 192.168.1.3 (tests/models/nat-origdest.toml:37)"),
        "{forwarded}"
    );
    let other = run(model, "$FW:130.252.100.99", "80");
    assert!(
        other.starts_with("verdict: DROP\n") && other.contains("nat: none"),
        "{other}"
    );
    let logged = run("tests/models/rate-log.toml", "$FW", "22");
    assert!(
        logged.starts_with("verdict: ACCEPT\n")
            && logged.contains("decided by: the rule at tests/models/rate-log.toml:45")
            && logged.contains("(chain log-net-fw-0)"),
        "{logged}"
    );
}

fn explain_model(name: &str, args: &[&str]) -> String {
    let model = format!("tests/models/{name}.toml");
    let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
        .current_dir(common::root())
        .args(["explain", "-c", &model])
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.code().is_some(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout(&output)
}

/// Issue #15: the dispositions. A REJECT's answer leaves the firewall as a
/// RELATED packet, which `related_disposition = "REJECT"` stops: the loc
/// host hears nothing (the lab sees the same from Shorewall and nftables).
/// An INVALID packet CONTINUEs to the rules, where the `Invalid` rule drops
/// it from the net.
#[test]
fn dispositions_decide_related_invalid_and_untracked_packets() {
    let rejected = explain_model(
        "dispositions",
        &["--from", "loc", "--to", "$FW", "--dport", "80"],
    );
    assert!(rejected.starts_with("verdict: DROP\n"), "{rejected}");
    assert!(
        rejected.contains("rejects, but the answer leaves the firewall as a RELATED packet"),
        "{rejected}"
    );
    let invalid = explain_model(
        "dispositions",
        &[
            "--from", "net", "--to", "$FW", "--dport", "22", "--state", "invalid",
        ],
    );
    assert!(invalid.starts_with("verdict: DROP\n"), "{invalid}");
    assert!(invalid.contains("decided by: the rule at"), "{invalid}");
    // From loc no Invalid rule applies: the SSH rule accepts it.
    let accepted = explain_model(
        "dispositions",
        &[
            "--from", "loc", "--to", "$FW", "--dport", "22", "--state", "invalid",
        ],
    );
    assert!(accepted.starts_with("verdict: ACCEPT\n"), "{accepted}");
}

/// Issues #15/#14: an untracked packet where an `Invalid` rule applies
/// skips untracked_disposition, as Shorewall 5.2.8 compiles it: from net
/// the SSH rule accepts it; from loc the pair chain drops it.
#[test]
fn untracked_packets_beside_an_invalid_rule() {
    let ask = |from: &str| {
        explain_model(
            "untracked-invalid",
            &[
                "--from",
                from,
                "--to",
                "$FW",
                "--dport",
                "22",
                "--state",
                "untracked",
            ],
        )
    };
    let net = ask("net");
    assert!(net.starts_with("verdict: ACCEPT\n"), "{net}");
    assert!(net.contains("decided by: the rule at"), "{net}");
    let loc = ask("loc");
    assert!(loc.starts_with("verdict: DROP\n"), "{loc}");
}

/// Issue #15: on ens33, an interface of no zone, an address a hosts entry
/// holds is its zone's; one that none holds is no zone's and meets the
/// catch-all, and so does the reply of the firewall's own connection to it.
#[test]
fn an_address_no_hosts_entry_claims_belongs_to_no_zone() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .current_dir(common::root())
            .args(["explain", "-c", "tests/models/shared-uplink.toml"])
            .args(args)
            .output()
            .unwrap()
    };
    let claimed = stdout(&run(&[
        "--from",
        "192.168.40.5",
        "--to",
        "$FW",
        "--proto",
        "udp",
        "--dport",
        "15100",
    ]));
    assert!(
        claimed.contains("verdict: ACCEPT") && claimed.contains("path: net -> fw"),
        "{claimed}"
    );
    let unclaimed = run(&[
        "--from",
        "ens33:203.0.113.9",
        "--to",
        "$FW",
        "--proto",
        "udp",
        "--dport",
        "15100",
    ]);
    let text = stdout(&unclaimed);
    assert!(
        text.contains("verdict: REJECT")
            && text.contains("path: - -> fw")
            && text.contains("no zone pair claims it: the end of INPUT takes the policy at"),
        "{text}"
    );
    let reply = stdout(&run(&[
        "--from",
        "ens33:203.0.113.9",
        "--to",
        "$FW",
        "--proto",
        "udp",
        "--sport",
        "53",
        "--state",
        "established",
    ]));
    assert!(reply.contains("verdict: REJECT"), "{reply}");
    // mon's addresses are mon's as destinations only: from them, ha's.
    let from_mon = stdout(&run(&[
        "--from",
        "10.3.4.130",
        "--to",
        "$FW",
        "--proto",
        "tcp",
        "--dport",
        "22",
    ]));
    assert!(
        from_mon.contains("verdict: ACCEPT") && from_mon.contains("path: ha -> fw"),
        "{from_mon}"
    );
    let to_mon = stdout(&run(&[
        "--from",
        "10.210.0.3",
        "--to",
        "10.3.4.130",
        "--proto",
        "tcp",
        "--dport",
        "443",
    ]));
    assert!(
        to_mon.contains("verdict: ACCEPT") && to_mon.contains("path: wg -> mon"),
        "{to_mon}"
    );
    let out = stdout(&run(&[
        "--from",
        "$FW",
        "--to",
        "ens33:203.0.113.9",
        "--proto",
        "udp",
        "--dport",
        "53",
    ]));
    assert!(
        out.contains("verdict: ACCEPT") && out.contains("the end of OUTPUT takes the policy at"),
        "{out}"
    );
}

/// A port forward of one family leaves packets of the other alone, as the
/// kernel's `dnat ip6 to` does with an IPv4 packet (a review found explain
/// forwarding IPv4 web traffic by an IPv6-only DNAT).
#[test]
fn a_port_forward_of_one_family_leaves_the_other_alone() {
    let dir = common::scratch("explain-dnat-family");
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("fwgen.toml");
    std::fs::write(
        &model,
        r#"[zones.net]
family = "both"
[zones.loc]
family = "both"
[interfaces.eth0]
zone = "net"
[interfaces.eth1]
zone = "loc"
networks = ["192.168.1.0/24", "2001:db8:1::/64"]
[[policy]]
source = "all"
dest = "all"
action = "DROP"
[[rule]]
action = "ACCEPT"
source = "net"
dest = "$FW"
proto = "tcp"
dport = 80
[[dnat]]
source = "net"
dest = "loc"
to = "2001:db8:1::6"
proto = "tcp"
dport = 80
"#,
    )
    .unwrap();
    let ask = |from: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .args(["explain", "-c", model.to_str().unwrap()])
            .args([
                "--from", from, "--to", "$FW", "--dport", "80", "--format", "json",
            ])
            .output()
            .unwrap();
        let value: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("one JSON object");
        (value["verdict"].clone(), value["dest_zone"].clone())
    };
    assert_eq!(ask("net:198.51.100.1"), ("ACCEPT".into(), "fw".into()));
    assert_eq!(ask("net:2001:db8:9::1"), ("ACCEPT".into(), "loc".into()));
}

/// A packet asked about without an address is in `0.0.0.0/0`: a tunnel
/// open to every gateway accepts it (a review found explain answering the
/// policy's DROP without an address and ACCEPT with one).
#[test]
fn a_packet_without_an_address_is_in_every_network() {
    let dir = common::scratch("explain-any-address");
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("fwgen.toml");
    std::fs::write(
        &model,
        "[zones.net]\n[zones.loc]\n[interfaces.eth0]\nzone = \"net\"\n[interfaces.eth1]\nzone = \"loc\"\n[[policy]]\nsource = \"all\"\ndest = \"all\"\naction = \"DROP\"\n[[tunnel]]\ntype = \"generic\"\nzone = \"net\"\nproto = \"udp\"\nport = 5000\ngateways = [\"0.0.0.0/0\"]\n",
    )
    .unwrap();
    for from in ["net", "net:192.0.2.1"] {
        let out = Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .args(["explain", "-c", model.to_str().unwrap()])
            .args([
                "--from", from, "--to", "$FW", "--proto", "udp", "--dport", "5000",
            ])
            .args(["--format", "json"])
            .output()
            .unwrap();
        let value: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("one JSON object");
        assert_eq!(value["verdict"], "ACCEPT", "from {from}: {value}");
    }
}

/// Issue #15: a packet meets its own family's policy list: net to the
/// firewall is IPv4's `net all DROP` and IPv6's `net all REJECT`, each
/// named by its line (tests/models/family-policies.toml).
#[test]
fn the_packets_family_decides_which_policy() {
    let model = "tests/models/family-policies.toml";
    let line_of = |needle: &str| {
        let text = std::fs::read_to_string(common::root().join(model)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let at = lines
            .windows(4)
            .position(|w| w.join("\n").contains(needle))
            .unwrap_or_else(|| panic!("no `{needle}` in {model}"));
        at + 1
    };
    let drop_line = line_of("[[policy]]\nsource = \"net\"\ndest = \"all\"\naction = \"DROP\"");
    let reject_line = line_of("[[policy]]\nsource = \"net\"\ndest = \"all\"\naction = \"REJECT\"");
    for (to, verdict, line) in [
        ("$FW:198.18.0.1", "DROP", drop_line),
        ("$FW:fd00:66::1", "REJECT", reject_line),
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .current_dir(common::root())
            .args([
                "explain", "-c", model, "--from", "net", "--to", to, "--dport", "80",
            ])
            .output()
            .unwrap();
        let text = stdout(&output);
        assert!(
            text.contains(&format!("verdict: {verdict}\n")),
            "{to}: {text}"
        );
        assert!(
            text.contains(&format!("decided by: the policy at {model}:{line}\n")),
            "{to}: {text}"
        );
    }
}

/// `&IFACE` (tests/models/iface-address.toml): explain needs each address
/// and says so; given them, only the first address is the rule's.
#[test]
fn interface_addresses_are_given_or_explain_says_it_cannot_decide() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .current_dir(common::root())
            .args(["explain", "-c", "tests/models/iface-address.toml"])
            .args([
                "--from",
                "loc:192.168.1.5",
                "--proto",
                "udp",
                "--dport",
                "69",
            ])
            .args(args)
            .output()
            .unwrap()
    };
    let unknown = run(&["--to", "$FW:192.168.1.1"]);
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(stderr.contains("--iface-address eth0=ADDR"), "{stderr}");
    let given = [
        "--iface-address",
        "eth0=203.0.113.5",
        "--iface-address",
        "eth1=192.168.1.1",
    ];
    let first = run(&[&["--to", "$FW:192.168.1.1"][..], &given].concat());
    assert!(
        stdout(&first).starts_with("verdict: ACCEPT"),
        "{}",
        stdout(&first)
    );
    let second = run(&[&["--to", "$FW:192.168.1.201"][..], &given].concat());
    assert!(
        stdout(&second).starts_with("verdict: REJECT"),
        "{}",
        stdout(&second)
    );
    let bad = run(&["--to", "$FW", "--iface-address", "eth1=fe80::1"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("is not IFACE=IPV4ADDRESS"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

/// Issue #14: a source NAT entry for one protocol and its ports (snat's
/// PROTO and PORT(S)) translates only those: explain names the entry that
/// matches the packet, the next one down for another port, and none for
/// a port and protocol no entry takes.
#[test]
fn source_nat_by_port_is_named_only_for_its_ports() {
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .current_dir(common::root())
            .args(["explain", "-c", "tests/models/snat-ports.toml"])
            .args(["--from", "dmz:10.1.1.7", "--to", "net:192.0.2.1"])
            .args(args)
            .output()
            .unwrap();
        stdout(&out)
    };
    let model = "tests/models/snat-ports.toml";
    let dns = run(&["--proto", "udp", "--dport", "53"]);
    assert!(
        dns.contains(&format!("SNAT to 203.0.113.5 on eth0 ({model}:53)")),
        "{dns}"
    );
    let web = run(&["--dport", "443"]);
    assert!(
        web.contains(&format!("masquerade to the address of eth0 ({model}:62)")),
        "{web}"
    );
    let ssh = run(&["--dport", "22"]);
    assert!(
        ssh.contains(&format!("SNAT to 203.0.113.6 on eth0 ({model}:76)")),
        "{ssh}"
    );
    let other = run(&["--proto", "udp", "--dport", "123"]);
    assert!(other.starts_with("verdict: ACCEPT\n"), "{other}");
    for said in ["SNAT to", "masquerade to"] {
        assert!(!other.contains(said), "{other}");
    }
}

/// Issue #14: `to = "keep"` (tests/models/snat-keep-ports.toml): explain
/// says the source address is kept and names the source port range, in
/// text and JSON; the subnet's TCP, which no keep entry takes, is
/// masqueraded.
#[test]
fn source_nat_keeping_the_address_names_the_ports() {
    let model = "tests/models/snat-keep-ports.toml";
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .current_dir(common::root())
            .args(["explain", "-c", model, "--to", "net:192.0.2.1"])
            .args(args)
            .output()
            .unwrap();
        stdout(&out)
    };
    let servers = run(&["--from", "dmz:10.1.1.7", "--dport", "443"]);
    let said = format!(
        "nat: SNAT on eth0, the source address kept, source port in 1024-2000 ({model}:52)"
    );
    assert!(servers.contains(&said), "{servers}");
    let udp = [
        "--from",
        "loc:192.168.1.7",
        "--proto",
        "udp",
        "--dport",
        "53",
    ];
    let json = run(&[&udp[..], &["--format", "json"]].concat());
    let said =
        r#"{"interface":"eth0","kind":"snat-ports","line":61,"ports":"5000-5100","random":true}"#;
    assert!(json.contains(said), "{json}");
    let tcp = run(&["--from", "loc:192.168.1.7", "--dport", "443"]);
    assert!(tcp.contains("masquerade to the address of eth0"), "{tcp}");
}

/// Issue #14: rules of the ALL and ESTABLISHED sections see established
/// packets before the pair chain accepts them (tests/models/
/// rule-sections.toml): the blocked host's established packets meet its
/// ALL-section DROP, a port-81 session of 198.18.0.4 its ESTABLISHED DROP
/// (a new connection there is accepted), another host's pass in the pair
/// chain.
#[test]
fn rules_of_the_early_sections_see_established_packets() {
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .current_dir(common::root())
            .args(["explain", "-c", "tests/models/rule-sections.toml"])
            .args(args)
            .output()
            .unwrap();
        stdout(&output)
    };
    let established = ["--state", "established"];
    let blocked = run(&[
        &["--from", "net:198.18.0.2", "--to", "loc:192.168.1.2"][..],
        &established,
    ]
    .concat());
    assert!(blocked.contains("verdict: DROP"), "{blocked}");
    // The line of the blocked host's `[[rule]]`.
    let text =
        std::fs::read_to_string(common::root().join("tests/models/rule-sections.toml")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let host = lines
        .iter()
        .position(|l| l.contains("\"net:198.18.0.2\""))
        .unwrap();
    let table = lines[..host]
        .iter()
        .rposition(|l| *l == "[[rule]]")
        .unwrap()
        + 1;
    assert!(
        blocked.contains(&format!("rule-sections.toml:{table}\n")),
        "{blocked}"
    );
    let session = ["--from", "net:198.18.0.4", "--to", "$FW", "--dport", "81"];
    let hung = run(&[&session[..], &established].concat());
    assert!(hung.contains("verdict: DROP"), "{hung}");
    let new = run(&session);
    assert!(new.contains("verdict: ACCEPT"), "{new}");
    let other = run(&[
        &["--from", "net:198.18.0.9", "--to", "loc:192.168.1.2"][..],
        &established,
    ]
    .concat());
    assert!(other.contains("verdict: ACCEPT"), "{other}");
    assert!(
        other.contains("established packets accepted in the zone pair's chain"),
        "{other}"
    );
}

/// `to = "detect"` (tests/models/snat-detect.toml): explain needs the
/// uplink's address and says so; given it, the office leaves with it, the
/// servers (whose own entry comes first) with theirs.
#[test]
fn snat_detect_needs_the_interface_address() {
    let run = |from: &str, given: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .current_dir(common::root())
            .args(["explain", "-c", "tests/models/snat-detect.toml"])
            .args(["--from", from, "--to", "net:198.51.100.1", "--dport", "80"])
            .args(given)
            .output()
            .unwrap()
    };
    let unknown = run("loc:192.168.1.5", &[]);
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(stderr.contains("`to = \"detect\"`"), "{stderr}");
    assert!(stderr.contains("--iface-address eth0=ADDR"), "{stderr}");
    let given = ["--iface-address", "eth0=198.18.0.1"];
    let office = stdout(&run("loc:192.168.1.5", &given));
    let line = "nat: SNAT to 198.18.0.1, the first address of eth0 (detect), on eth0 (tests/models/snat-detect.toml:62)\n";
    assert!(office.contains(line), "{office}");
    let servers = stdout(&run("dmz:10.1.1.5", &given));
    assert!(
        servers.contains("nat: SNAT to 203.0.113.10 on eth0 (tests/models/snat-detect.toml:54)\n"),
        "{servers}"
    );
}

/// `[[ipset]]` (tests/models/ipsets.toml): explain takes a set to hold
/// its model elements, and says so for every set the packet met.
#[test]
fn ipsets_are_their_model_elements_and_explain_says_so() {
    let run = |from: &str, dport: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .current_dir(common::root())
            .args(["explain", "-c", "tests/models/ipsets.toml"])
            .args([
                "--from", from, "--to", "$FW", "--proto", "tcp", "--dport", dport,
            ])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let member = run("203.0.113.7", "1194");
    assert!(member.starts_with("verdict: ACCEPT"), "{member}");
    assert!(
        member.contains("ipset: set vpnlist was taken to hold its model elements only (3 of them"),
        "{member}"
    );
    let other = run("192.0.2.200", "1194");
    assert!(other.starts_with("verdict: DROP"), "{other}");
    let admin = run("192.168.1.10", "22");
    assert!(admin.starts_with("verdict: ACCEPT"), "{admin}");
    let not_admin = run("192.168.1.50", "22");
    assert!(not_admin.starts_with("verdict: REJECT"), "{not_admin}");
    assert!(not_admin.contains("ipset: set admins"), "{not_admin}");
}

/// Issue #14: a rule with `user` or `group` (tests/models/rule-owner.toml):
/// explain cannot know who sends a packet from the firewall, takes it as
/// sent by none of the rule's owners, and says so for each such rule whose
/// other matches held (text and JSON), never for the others.
#[test]
fn owner_rules_are_said_to_depend_on_the_sender() {
    let run = |dport: &str, format: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .current_dir(common::root())
            .args(["explain", "-c", "tests/models/rule-owner.toml"])
            .args([
                "--from", "$FW", "--to", "net", "--dport", dport, "--format", format,
            ])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let web = run("80", "text");
    assert!(web.starts_with("verdict: REJECT"), "{web}");
    assert!(
        web.contains("owner: the rule at tests/models/rule-owner.toml:39 tests the sending socket's owner (user daemon), which explain cannot know"),
        "{web}"
    );
    assert!(!web.contains("rule-owner.toml:57"), "{web}");
    let other = run("8080", "text");
    assert!(other.starts_with("verdict: ACCEPT"), "{other}");
    assert!(other.contains("(neither user nobody)"), "{other}");
    assert!(other.contains("the rule matched here"), "{other}");
    let json: serde_json::Value = serde_json::from_str(&run("80", "json")).unwrap();
    assert_eq!(json["owners"].as_array().map(Vec::len), Some(1), "{json}");
    let none = run("22", "text");
    assert!(!none.contains("owner:"), "{none}");
}

/// `--user` (and `--group`) name the sender: the owner tests are then
/// decided, as the kernel decides them, and no note is left. On the
/// firewall every machine has `root` (0) and `daemon` (1), each in its
/// own group of that name (/etc/passwd).
#[test]
fn owner_rules_are_decided_for_a_named_sender() {
    let run = |dport: &str, owner: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .current_dir(common::root())
            .args(["explain", "-c", "tests/models/rule-owner.toml"])
            .args(["--from", "$FW", "--to", "net", "--dport", dport])
            .args(owner)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        (
            output.status.success(),
            text + &String::from_utf8_lossy(&output.stderr),
        )
    };
    // `user = "daemon"` on 80: the proxy's user browses, root does not.
    let (ok, daemon) = run("80", &["--user", "daemon"]);
    assert!(ok && daemon.starts_with("verdict: ACCEPT"), "{daemon}");
    assert!(!daemon.contains("owner:"), "{daemon}");
    let (ok, root) = run("80", &["--user", "0", "--group", "root"]);
    assert!(ok && root.starts_with("verdict: REJECT"), "{root}");
    assert!(!root.contains("owner:"), "{root}");
    // `!nobody` on 8080: root passes, nobody meets the policy.
    let (ok, root) = run("8080", &["--user", "root"]);
    assert!(ok && root.starts_with("verdict: ACCEPT"), "{root}");
    let (ok, nobody) = run("8080", &["--user", "nobody"]);
    assert!(ok && nobody.starts_with("verdict: REJECT"), "{nobody}");
    let (ok, unknown) = run("8080", &["--user", "no-such-user"]);
    assert!(!ok, "{unknown}");
    assert!(
        unknown.contains("--user/--group: no user `no-such-user` in /etc/passwd"),
        "{unknown}"
    );
    let (ok, group_alone) = run("8080", &["--group", "root"]);
    assert!(!ok && group_alone.contains("--user"), "{group_alone}");
}

/// Issue #15: `mss=1400` on eth0. A loc SYN to net meets eth0's rules and
/// leaves the clamp chain by its `return`, before the firewall-wide
/// `clamp_mss`; to dmz it meets `clamp_mss` alone. (The walk does not know
/// the segment's MSS, so it meets the `return` and not the `set`.)
#[test]
fn an_interface_mss_is_met_before_the_firewall_clamp() {
    let net = explain_model(
        "interface-mss",
        &["--from", "loc", "--to", "net", "--trace"],
    );
    assert!(
        net.contains("+ mangle-forward: meta nfproto ipv4 oifname \"eth0\" return"),
        "{net}"
    );
    assert!(net.contains("from: interface eth0 mss"), "{net}");
    assert!(!net.contains("firewall clamp_mss"), "{net}");
    let dmz = explain_model(
        "interface-mss",
        &["--from", "loc", "--to", "dmz", "--trace"],
    );
    assert!(
        !dmz.contains("+ mangle-forward: meta nfproto ipv4"),
        "{dmz}"
    );
    assert!(
        dmz.contains(
            "- mangle-forward: tcp flags & (syn|rst) == syn tcp option maxseg size >= 1300"
        ),
        "{dmz}"
    );
}

/// Issue #14: a rule with a time window (tests/models/rule-time.toml):
/// explain has no clock, takes the packet as outside every window, and
/// says so for each such rule whose other matches held (text and JSON),
/// never for the others.
#[test]
fn timed_rules_are_said_to_depend_on_the_clock() {
    let run = |from: &str, dport: &str, format: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .current_dir(common::root())
            .args(["explain", "-c", "tests/models/rule-time.toml"])
            .args([
                "--from", from, "--to", "net", "--dport", dport, "--format", format,
            ])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let night = run("loc:192.168.1.50", "443", "text");
    assert!(night.starts_with("verdict: ACCEPT"), "{night}");
    assert!(
        night.contains("time: the rule at tests/models/rule-time.toml:39 holds only 22:00:00 to 06:00:00 UTC, and explain has no clock"),
        "{night}"
    );
    let backups = run("$FW", "84", "text");
    assert!(backups.starts_with("verdict: REJECT"), "{backups}");
    assert!(backups.contains("01:30:00 to 04:30:00 UTC"), "{backups}");
    assert!(!backups.contains("rule-time.toml:57"), "{backups}");
    let json: serde_json::Value = serde_json::from_str(&run("$FW", "82", "json")).unwrap();
    assert_eq!(json["times"].as_array().map(Vec::len), Some(1), "{json}");
    let none = run("$FW", "22", "text");
    assert!(!none.contains("time:"), "{none}");
}

/// Issue #14: an audited rule or policy (tests/models/audited.toml) says
/// so; an unaudited one does not.
#[test]
fn audited_verdicts_are_said_to_be_audited() {
    let run = |from: &str, to: &str, dport: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .args(["explain", "-c", "tests/models/audited.toml"])
            .args(["--from", from, "--to", to, "--dport", dport])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let audit = "audit: the verdict is recorded by the kernel's audit subsystem";
    let rule = run("net", "$FW", "22");
    assert!(rule.starts_with("verdict: ACCEPT"), "{rule}");
    assert!(rule.contains(audit), "{rule}");
    let policy = run("net", "loc", "25");
    assert!(policy.starts_with("verdict: DROP"), "{policy}");
    assert!(policy.contains(audit), "{policy}");
    let plain = run("loc", "$FW", "22");
    assert!(plain.starts_with("verdict: ACCEPT"), "{plain}");
    assert!(!plain.contains("audit:"), "{plain}");
}

/// `--mac` gives the sender's MAC address to the `[[maclist]]` entries:
/// loc's listed host passes to the firewall, another MAC (or none) gets
/// maclist_disposition, and an entry with addresses alone needs no MAC.
#[test]
fn the_senders_mac_decides_the_maclist() {
    let ask = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_fwgen"))
            .current_dir(common::root())
            .args(["explain", "-c", "tests/models/maclist.toml"])
            .args(args)
            .output()
            .unwrap();
        format!(
            "{}{}",
            stdout(&output),
            String::from_utf8_lossy(&output.stderr)
        )
    };
    let loc = ["--from", "loc:192.168.1.2", "--to", "$FW", "--dport", "22"];
    let listed = ask(&[&loc[..], &["--mac", "02:00:00:00:01:00"]].concat());
    assert!(listed.contains("verdict: ACCEPT"), "{listed}");
    for other in [
        &[&loc[..], &["--mac", "02:00:00:00:01:01"]].concat(),
        &loc[..],
    ] {
        let text = ask(other);
        assert!(text.contains("verdict: REJECT"), "{text}");
        assert!(text.contains("firewall maclist_disposition"), "{text}");
    }
    let dmz = ["--from", "dmz:10.10.10.2", "--to", "net", "--dport", "22"];
    let text = ask(&dmz);
    assert!(text.contains("verdict: ACCEPT"), "{text}");
    let text = ask(&["--from", "dmz:10.10.10.3", "--to", "net", "--dport", "22"]);
    assert!(text.contains("verdict: REJECT"), "{text}");
    let text = ask(&[&loc[..], &["--mac", "02:00:00:00:01"]].concat());
    assert!(
        text.contains("--mac: `02:00:00:00:01` is not a MAC address"),
        "{text}"
    );
}

/// An address of no zone on a wildcard of no zone (ppp+) meets the
/// wildcard's sfilter before FORWARD's end, coming in by ppp+ and leaving
/// by ppp+ (ppp0 included), and so does what ppp0 (covered by ppp+)
/// forwards to it: Shorewall's `-A ppp+_fwd -o ppp+ -g sfilter`, where
/// fwgen named the catch-all (the lab sees the ppp0 case; the other is a
/// DROP on the wire either way, the catch-all's answer stopped in OUTPUT).
#[test]
fn a_wildcards_sfilter_drops_what_no_hosts_entry_claims() {
    let model = "manual-hosts-wildcard-sfilter";
    let sfilter = "decided by: Shorewall's sfilter on interface ppp+";
    for (from, to) in [
        ("ppp+:203.0.113.9", "net:198.51.100.7"),
        ("net:198.51.100.7", "ppp+:203.0.113.9"),
    ] {
        let text = explain_model(model, &["--from", from, "--to", to, "--dport", "443"]);
        assert!(
            text.contains("verdict: DROP") && text.contains(sfilter),
            "{from} -> {to}: {text}"
        );
    }
    // To loc's eth1, ppp+'s sfilter has no say: the catch-all rejects.
    let text = explain_model(
        model,
        &[
            "--from",
            "ppp+:203.0.113.9",
            "--to",
            "loc:192.168.1.5",
            "--dport",
            "443",
        ],
    );
    assert!(
        text.contains("no zone pair claims it") && !text.contains(sfilter),
        "{text}"
    );
}

/// shorewall-rules(5) Example 3: a port forward's rate is said to decide
/// whether the connection is translated (a connection over it meets the
/// filter as sent).
#[test]
fn a_port_forwards_rate_is_said_to_match_or_not() {
    let text = explain_model(
        "manual-rules-dnat-rate",
        &["--from", "net:203.0.113.5", "--to", "$FW", "--dport", "80"],
    );
    assert!(
        text.contains("verdict: ACCEPT")
            && text.contains("limit: the port forward at tests/models/manual-rules-dnat-rate.toml:39 may match or not (the rate 3/sec, burst 10)")
            && text.contains("over its limit the connection is not translated"),
        "{text}"
    );
}

/// Issue #14: ACCEPT+ and NONAT say the connection is exempt from the
/// port forward below them, by their line; another host is forwarded.
/// The same for the firewall's own connections (nat output).
#[test]
fn a_nat_exemption_is_said_to_exempt_from_the_later_port_forward() {
    let ask = |from: &str, port: &str| {
        explain_model(
            "nat-exempt",
            &["--from", from, "--to", "$FW", "--dport", port],
        )
    };
    let exempt = "nat: none: exempt from the later port forwards and redirects by the rule at tests/models/nat-exempt.toml";
    let monitor = ask("net:198.51.100.7", "80");
    assert!(
        monitor.contains("verdict: ACCEPT")
            && monitor.contains("path: net -> fw")
            && monitor.contains(&format!("{exempt}:42")),
        "{monitor}"
    );
    let admin = ask("net:203.0.113.2", "22");
    assert!(
        admin.contains("decided by: the rule at tests/models/nat-exempt.toml:82")
            && admin.contains(&format!("{exempt}:50")),
        "{admin}"
    );
    let other = ask("net:198.51.100.8", "80");
    assert!(
        other.contains("nat: DNAT to 192.168.1.20") && !other.contains("nat: none"),
        "{other}"
    );
    // The firewall's own connections, in nat output.
    let own = |to: &str| {
        explain_model(
            "nat-exempt",
            &["--from", "$FW", "--to", to, "--dport", "8080"],
        )
    };
    let checked = own("net:198.51.100.7");
    assert!(
        checked.contains("verdict: ACCEPT") && checked.contains(&format!("{exempt}:66")),
        "{checked}"
    );
    let forwarded = own("net:198.51.100.8");
    assert!(
        forwarded.contains("nat: DNAT to 192.168.1.20 (tests/models/nat-exempt.toml:74)"),
        "{forwarded}"
    );
}

/// vpn's hosts on ppp+ are not ppp7's (loc declared before vpn, the one
/// order the analyzer allows: wildcard-hosts-over-named): from and to
/// vpn's network by ppp7 is loc's, as Shorewall's `-i ppp7 -j loc-fw`
/// (before `-i ppp+ -j ppp+_in`) and net_frwd's `-o ppp7 -j net-loc`
/// (before `-o ppp+ -d 10.8.0.0/24 -j net-vpn`) have it.
#[test]
fn a_wildcards_hosts_are_not_a_named_interfaces_it_covers() {
    let model = "wildcard-hosts-named";
    let from = explain_model(
        model,
        &["--from", "loc:10.8.0.3", "--to", "$FW", "--dport", "22"],
    );
    assert!(
        from.contains("verdict: ACCEPT") && from.contains("path: loc -> fw"),
        "{from}"
    );
    let to = explain_model(
        model,
        &[
            "--from",
            "net:198.18.0.2",
            "--to",
            "loc:10.8.0.3",
            "--dport",
            "22",
        ],
    );
    assert!(
        to.contains("verdict: DROP") && to.contains("path: net -> loc"),
        "{to}"
    );
}

/// Issue #14: port forwards in Shorewall's nat dispatch order. A vpn
/// host (hosts on net's eth0) meets vpn's forward of port 80 before net's,
/// written first; a nested zone without a CONTINUE policy meets none of
/// its parent's, and the trace names its RETURN.
#[test]
fn port_forwards_follow_the_zones_nat_dispatch() {
    let vpn = explain_model(
        "dnat-hosts-order",
        &["--from", "vpn:10.8.0.2", "--to", "$FW", "--dport", "80"],
    );
    assert!(
        vpn.contains("nat: DNAT to 192.168.1.6 (tests/models/dnat-hosts-order.toml:49)")
            && vpn.contains("verdict: ACCEPT"),
        "{vpn}"
    );
    let nested = explain_model(
        "dnat-nested-return",
        &[
            "--from",
            "vpn:10.8.0.2",
            "--to",
            "$FW",
            "--dport",
            "80",
            "--trace",
        ],
    );
    assert!(
        nested.contains("nat: none")
            && nested.contains("+ nat-prerouting: iifname \"eth0\" ip saddr 10.8.0.0/24 accept")
            && nested.contains("from: a nested zone's RETURN in nat PREROUTING"),
        "{nested}"
    );
}

/// Issue #15: the firewall's own redirected connection (tests/models/
/// nat-redirect: `REDIRECT $FW 3130 tcp 8081`, and 8082 to 3131). nat
/// output sends it to 127.0.0.1 over `lo`, but the filter's output hook
/// still sees the interface it was routed to: fw-net decides by the new
/// port, its rule for 3130 accepts, its policy rejects 3131; then the
/// input hook takes it from `lo` (the lab sees both kernels do so:
/// model_nat_redirect).
#[test]
fn the_firewalls_redirected_connection_meets_its_routed_chain() {
    let ask = |dport: &str| {
        let args = [
            "--from",
            "$FW",
            "--to",
            "net:198.51.100.1",
            "--dport",
            dport,
            "--trace",
        ];
        explain_model("nat-redirect", &args)
    };
    let accepted = ask("8081");
    assert!(accepted.starts_with("verdict: ACCEPT\n"), "{accepted}");
    assert!(
        accepted.contains("path: fw -> net (chain fw-net)"),
        "{accepted}"
    );
    assert!(
        accepted.contains("nat: REDIRECT to port 3130 on the firewall"),
        "{accepted}"
    );
    assert!(
        accepted.contains("+ fw-net: tcp dport 3130 accept"),
        "{accepted}"
    );
    assert!(
        accepted.contains("+ input: iif \"lo\" accept"),
        "{accepted}"
    );
    let rejected = ask("8082");
    assert!(rejected.starts_with("verdict: REJECT\n"), "{rejected}");
    assert!(rejected.contains("decided by: the policy at"), "{rejected}");
    assert!(!rejected.contains("input:"), "{rejected}");
}
