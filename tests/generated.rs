//! Generated models: proptest builds valid models of random shape and size
//! (zones, interfaces, policies, rules, NAT). Both backends must render
//! each deterministically; a bounded number of them must pass Shorewall's
//! compiler and `nft -c`. Random and mutated text must never panic.

mod common;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use fwgen::backend::{self, Backend};
use fwgen::load::compile;
use fwgen::source::Source;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    V4,
    V6,
    Both,
}

impl Family {
    fn name(self) -> &'static str {
        match self {
            Family::V4 => "ipv4",
            Family::V6 => "ipv6",
            Family::Both => "both",
        }
    }
    fn v4(self) -> bool {
        self != Family::V6
    }
    fn v6(self) -> bool {
        self != Family::V4
    }
}

#[derive(Debug, Clone)]
struct Zone {
    family: Family,
    interfaces: Vec<Vec<&'static str>>,
    declares_networks: bool,
}

#[derive(Debug, Clone)]
struct Shape {
    zones: Vec<Zone>,
    policies: Vec<(usize, usize, &'static str, bool)>,
    rules: Vec<(usize, usize, usize, &'static str, bool, bool)>,
    dnats: Vec<(usize, usize, u16, u16)>,
    masquerade: bool,
    version: u8,
}

const OPTIONS: &[&str] = &[
    "dhcp",
    "tcpflags",
    "nosmurfs",
    "routefilter",
    "logmartians",
    "sourceroute=0",
    "routeback",
    "bridge",
    "arp_filter",
];
const ACTIONS: &[&str] = &["ACCEPT", "DROP", "REJECT"];
const POLICY_ACTIONS: &[&str] = &["ACCEPT", "DROP", "REJECT", "CONTINUE"];
const SERVICES: &[&str] = &[
    "",
    "macro = \"SSH\"",
    "macro = \"DNS\"",
    "macro = \"Web\"",
    "macro = \"DHCP\"",
    "proto = \"tcp\"\ndport = [22, \"8000:8100\"]",
    "proto = \"udp\"\nsport = 53\ndport = \"1024:65535\"",
    "proto = \"tcp\"",
    "proto = 47",
];

fn family() -> impl Strategy<Value = Family> {
    prop_oneof![Just(Family::V4), Just(Family::V6), Just(Family::Both)]
}

fn zone() -> impl Strategy<Value = Zone> {
    let options = proptest::sample::subsequence(OPTIONS, 0..4);
    (
        family(),
        proptest::collection::vec(options, 1..3),
        any::<bool>(),
    )
        .prop_map(|(family, interfaces, declares_networks)| Zone {
            family,
            interfaces,
            declares_networks,
        })
}

fn shape() -> impl Strategy<Value = Shape> {
    proptest::collection::vec(zone(), 1..5).prop_flat_map(|zones| {
        let n = zones.len() + 2; // zones, $FW, all
        let policy = (
            0..n,
            0..n,
            proptest::sample::select(POLICY_ACTIONS),
            any::<bool>(),
        );
        let rule = (
            0..n,
            0..n,
            0..SERVICES.len(),
            proptest::sample::select(ACTIONS),
            any::<bool>(),
            any::<bool>(),
        );
        let dnat = (0..zones.len(), 0..zones.len(), 1u16..65535, 1u16..65535);
        (
            Just(zones),
            proptest::collection::vec(policy, 0..6),
            proptest::collection::vec(rule, 0..25),
            proptest::collection::vec(dnat, 0..3),
            any::<bool>(),
            prop_oneof![Just(4u8), Just(5u8)],
        )
            .prop_map(|(mut zones, policies, rules, dnats, masquerade, version)| {
                // Shorewall needs an IPv4 zone (an IPv6-only model is an error
                // of the Shorewall backend, tested in tests/errors).
                if !zones.iter().any(|z| z.family.v4()) {
                    zones[0].family = Family::Both;
                }
                Shape {
                    zones,
                    policies,
                    rules,
                    dnats,
                    masquerade,
                    version,
                }
            })
    })
}

fn zone_ref(shape: &Shape, index: usize) -> String {
    match index {
        i if i < shape.zones.len() => format!("z{i}"),
        i if i == shape.zones.len() => "$FW".to_owned(),
        _ => "all".to_owned(),
    }
}

/// The families a side can carry: a zone's, or every family for $FW/all.
fn side_family(shape: &Shape, index: usize) -> (bool, bool) {
    match shape.zones.get(index) {
        Some(zone) => (zone.family.v4(), zone.family.v6()),
        None => (
            shape.zones.iter().any(|z| z.family.v4()),
            shape.zones.iter().any(|z| z.family.v6()),
        ),
    }
}

fn network(zone: usize, interface: usize, v6: bool) -> String {
    if v6 {
        format!("fd00:{zone}:{interface}::/64")
    } else {
        format!("10.{zone}.{interface}.0/24")
    }
}

/// The model's text: valid by construction.
fn model(shape: &Shape) -> String {
    let mut text = format!("[shorewall]\nversion = {}\n\n", shape.version);
    for (z, zone) in shape.zones.iter().enumerate() {
        text.push_str(&format!(
            "[zones.z{z}]\nfamily = \"{}\"\ndescription = \"zone number {z}\"\n\n",
            zone.family.name()
        ));
    }
    for (z, zone) in shape.zones.iter().enumerate() {
        for (i, options) in zone.interfaces.iter().enumerate() {
            let quoted = |options: &[&str]| -> String {
                let quoted: Vec<String> = options.iter().map(|o| format!("\"{o}\"")).collect();
                quoted.join(", ")
            };
            // On a zone of both families, the options that may be one
            // family's go to options_ipv4 or options_ipv6 on two
            // interfaces in three.
            let one_family = match (zone.family, (z + i) % 3) {
                (Family::Both, 1) => Some("options_ipv4"),
                (Family::Both, 2) => Some("options_ipv6"),
                _ => None,
            };
            let (own, both): (Vec<&str>, Vec<&str>) = options.iter().partition(|o| {
                one_family.is_some() && ["dhcp", "tcpflags", "nosmurfs"].contains(o)
            });
            text.push_str(&format!(
                "[interfaces.e{z}x{i}]\nzone = \"z{z}\"\noptions = [{}]\n",
                quoted(&both)
            ));
            if let Some(key) = one_family {
                text.push_str(&format!("{key} = [{}]\n", quoted(&own)));
            }
            if zone.declares_networks {
                let mut nets = Vec::new();
                if zone.family.v4() {
                    nets.push(format!("\"{}\"", network(z, i, false)));
                }
                if zone.family.v6() {
                    nets.push(format!("\"{}\"", network(z, i, true)));
                }
                text.push_str(&format!("networks = [{}]\n", nets.join(", ")));
            }
            text.push('\n');
        }
    }
    let fw = shape.zones.len();
    let mut declared: Vec<(usize, usize)> = Vec::new();
    for &(s, d, action, log) in &shape.policies {
        if s == fw + 1 && d == fw + 1 {
            continue; // the catch-all comes last
        }
        // Shorewall refuses a policy for a pair an earlier one decides.
        let all = fw + 1;
        let covered = declared.iter().any(|&(ps, pd)| {
            let wildcard = ps == all || pd == all;
            (ps == s || ps == all) && (pd == d || pd == all) && !(wildcard && s == d && s != all)
        });
        let explicit = s != all && d != all;
        if (s == fw && d == fw) || declared.contains(&(s, d)) || (explicit && covered) {
            continue;
        }
        declared.push((s, d));
        text.push_str(&format!(
            "[[policy]]\nsource = \"{}\"\ndest = \"{}\"\naction = \"{action}\"\n",
            zone_ref(shape, s),
            zone_ref(shape, d)
        ));
        if log {
            text.push_str("log = \"info\"\n");
        }
        text.push('\n');
    }
    text.push_str(
        "[[policy]]\nsource = \"all\"\ndest = \"all\"\naction = \"REJECT\"\nlog = \"info\"\n\n",
    );
    for &(s, d, service, action, log, narrow) in &shape.rules {
        if s == fw && d == fw {
            continue;
        }
        let (s4, s6) = side_family(shape, s);
        let (d4, d6) = side_family(shape, d);
        let (v4, v6) = (s4 && d4, s6 && d6);
        if !v4 && !v6 {
            continue; // no family in common: the analyzer rightly refuses it
        }
        let mut source = zone_ref(shape, s);
        if narrow && s < fw && v4 {
            source.push_str(&format!(":10.{s}.0.7,10.{s}.1.0/24"));
        }
        let v4_possible = v4;
        text.push_str(&format!(
            "[[rule]]\naction = \"{action}\"\nsource = \"{source}\"\ndest = \"{}\"\n",
            zone_ref(shape, d)
        ));
        let chosen = SERVICES[service];
        if !chosen.is_empty() {
            text.push_str(chosen);
            text.push('\n');
        } else if v4_possible && action != "ACCEPT" {
            text.push_str("proto = \"icmp\"\nicmp_type = \"echo-request\"\n");
        }
        if log {
            text.push_str("log = \"notice\"\ncomment = \"generated; a # and ; are fine here\"\n");
        }
        text.push('\n');
    }
    for &(s, d, port, to_port) in &shape.dnats {
        let dest = &shape.zones[d];
        if !dest.family.v4() || !dest.declares_networks || !shape.zones[s].family.v4() {
            continue;
        }
        text.push_str(&format!(
            "[[dnat]]\nsource = \"z{s}\"\ndest = \"z{d}\"\nto = \"10.{d}.0.9\"\nproto = \"tcp\"\ndport = {port}\nto_port = {to_port}\n\n"
        ));
    }
    let masqueraded = shape.zones.iter().position(|z| z.family.v4());
    if let Some(z) = masqueraded.filter(|_| shape.masquerade) {
        text.push_str(&format!(
            "[[masquerade]]\ninterface = \"e{z}x0\"\nsources = [\"10.0.0.0/8\"]\n\n"
        ));
    }
    text
}

fn render_all(text: &str) -> Result<Vec<(Backend, Vec<backend::OutputFile>)>, String> {
    let model = compile(&Source::new("generated.toml", text)).map_err(|f| f.render())?;
    let mut out = Vec::new();
    for backend in [Backend::Shorewall, Backend::Nftables] {
        let first = backend::render(&model, backend).map_err(|e| format!("{e:?}"))?;
        let again = backend::render(&model, backend).map_err(|e| format!("{e:?}"))?;
        assert_eq!(first, again, "rendering is not deterministic");
        out.push((backend, first));
    }
    Ok(out)
}

proptest! {
    #![proptest_config(Config { cases: 300, failure_persistence: None, ..Config::default() })]

    #[test]
    fn generated_models_are_valid_and_render_deterministically(shape in shape()) {
        let text = model(&shape);
        let rendered = render_all(&text);
        prop_assert!(rendered.is_ok(), "a generated model failed:\n{}\n{}", text, rendered.err().unwrap_or_default());
    }

    #[test]
    fn any_text_gets_an_answer_not_a_panic(text in "\\PC{0,400}") {
        let _ = render_all(&text);
    }

    #[test]
    fn mutated_examples_get_an_answer_not_a_panic(example in 0usize..6, cut in 0usize..4000, insert in "[\\[\\]\"=\\n#a-z0-9:./$]{0,12}") {
        let names = ["lxc-host", "two-interfaces", "three-interfaces", "port-forward", "ipv6", "shorewall4"];
        let text = std::fs::read_to_string(common::root().join(format!("examples/{}.toml", names[example]))).unwrap();
        let mut at = cut.min(text.len());
        while !text.is_char_boundary(at) { at -= 1; }
        let mutated = format!("{}{insert}{}", &text[..at], &text[at..]);
        let _ = render_all(&mutated);
    }
}

/// A bounded number of generated models go through the real tools.
#[test]
fn generated_models_pass_shorewall_and_nft() {
    common::require_root();
    common::require_tool("shorewall", "shorewall");
    common::require_tool("shorewall6", "shorewall6");
    common::require_tool("nft", "nftables");
    let mut runner = TestRunner::new(Config {
        // FWGEN_GENERATED_CASES=N runs more (the suite runs 6).
        cases: std::env::var("FWGEN_GENERATED_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(6),
        failure_persistence: None,
        ..Config::default()
    });
    let dir = common::scratch("generated-tools");
    let result = runner.run(&shape(), |shape| {
        let text = model(&shape);
        let rendered =
            render_all(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let case = dir.join(format!(
            "case-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let all = rendered.iter().flat_map(|(_, files)| files);
        common::write_tree(&case, all.map(|f| (f.path.as_str(), f.content.as_str())));
        let check = common::nft_args(&["-c"], case.join("fwgen.nft").to_str().unwrap());
        let check: Vec<&str> = check.iter().map(String::as_str).collect();
        let (ok, out) = common::run("nft", &check);
        prop_assert!(ok, "nft -c rejected a generated model:\n{out}\n{text}");
        for product in ["shorewall", "shorewall6"] {
            let config = case.join(product);
            if !config.is_dir() {
                continue;
            }
            let (ok, out) = common::run(product, &["check", config.to_str().unwrap()]);
            // Shorewall's warnings about CONTINUE without nesting, about
            // unreachable rules and about shortened log prefixes are `fwgen
            // check` warnings too: each must have been reported there.
            let findings = fwgen::check::check(
                &compile(&Source::new("generated.toml", text.as_str())).unwrap(),
            );
            let reported = |code: &str| findings.iter().any(|f| f.code == code);
            let complaints: Vec<&str> = out
                .lines()
                .filter(|l| l.contains("ERROR") || l.contains("WARNING"))
                .filter(|l| {
                    !(l.contains("CONTINUE policy between two un-nested zones")
                        && reported("continue-without-nesting"))
                })
                .filter(|l| !(l.contains("unreachable rules") && reported("shadowed-rule")))
                .filter(|l| !(l.contains("Log Prefix shortened") && reported("log-tag-cut")))
                .collect();
            prop_assert!(
                ok && complaints.is_empty(),
                "{product} check complained about a generated model:\n{out}\n{text}"
            );
        }
        Ok(())
    });
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(failure) = result {
        panic!("{failure}");
    }
}
