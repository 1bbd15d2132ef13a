//! The corpus in the lab: each corpus directory that imports is brought up
//! to date by Shorewall's own `shorewall update` (the Shorewall 4 forms the
//! import reads as update does; the settings the original leaves unset stay
//! unset, see `unset_as_the_original`), compiled and started by Shorewall, and
//! probed with real packets beside fwgen's two renderings of the imported
//! model. Every probe must get the same verdict, host and source address
//! from all three, and from `fwgen explain`.
//!
//! Needs root and the lab's tools (tests/lab.rs).

mod common;

use std::path::Path;

use fwgen::load::compile;
use fwgen::source::Source;
use fwgen::verify::contest;
use fwgen::verify::probe::Outcome;
use fwgen::verify::stopped::nftables_stopped;
use fwgen::verify::{self, Contestant};

/// A copy of the corpus directory as `shorewall update` (and, for a
/// `shorewall`/`shorewall6` pair, `shorewall6 update`) leaves it, with
/// STARTUP_ENABLED=Yes (the lab starts the compiled script). Returns the
/// Shorewall directory of the copy.
fn updated_copy(name: &str, dir: &Path) -> std::path::PathBuf {
    let copy = dir.join("updated");
    common::copy_tree(&common::root().join("tests/corpus").join(name), &copy);
    if !copy.join("shorewall").is_dir() {
        update(name, &copy, "shorewall");
        return copy;
    }
    update(name, &copy.join("shorewall"), "shorewall");
    update(name, &copy.join("shorewall6"), "shorewall6");
    copy.join("shorewall")
}

fn update(name: &str, copy: &Path, product: &str) {
    let conf = copy.join(format!("{product}.conf"));
    // A directory without a conf of its own is compiled with the shipped
    // one (CONFIG_PATH reaches /etc/PRODUCT), as the import reads it: the
    // copy starts from that file, not from an empty one (whose unset
    // DROP_DEFAULT, for one, lacks the shipped AllowICMPs in Shorewall6).
    let shipped = format!("/etc/{product}/{product}.conf");
    let shipped = std::fs::read_to_string(&shipped)
        .unwrap_or_else(|e| panic!("{name}: no {product}.conf and none at {shipped}: {e}"));
    let original = std::fs::read_to_string(&conf).ok();
    let text = original.as_deref().unwrap_or(&shipped);
    std::fs::write(&conf, format!("{text}\nSTARTUP_ENABLED=Yes\n")).unwrap();
    count_without_account_target(name, copy);
    let (ok, out) = common::run(product, &["update", copy.to_str().unwrap()]);
    assert!(ok, "{product} update of {name} failed:\n{out}");
    if let Some(original) = original {
        unset_as_the_original(&conf, &original, &shipped);
    }
    for entry in std::fs::read_dir(copy).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "bak") {
            std::fs::remove_file(path).unwrap();
        }
    }
}

/// `shorewall update` fills every setting a conf leaves unset from the
/// shipped file, but Shorewall compiles the original with Config.pm's
/// meaning of unset, and so does the import (its settings table,
/// `fwgen::import::setting`): ROUTE_FILTER unset is Keep there (an
/// interface of no zone keeps its sfilter), Yes in the shipped file;
/// IP_FORWARDING unset is On, Keep in the shipped file. Each setting that
/// decides what passes (carried or taken only at some values), unset in
/// the original and filled from the shipped file, is written empty again,
/// which Shorewall reads as unset. Left as update writes them: settings
/// update derives from a legacy one the original sets (BLACKLIST from
/// BLACKLISTNEWONLY: not the shipped value), and EXPAND_POLICIES, whose
/// unset No the import renders as Yes and says so by name.
fn unset_as_the_original(conf: &Path, original: &str, shipped: &str) {
    use fwgen::import::setting::{SETTINGS, Verdict};
    // The last assignment counts, as the shell that sources the file.
    let set = |text: &str, key: &str| {
        text.lines().rev().find_map(|line| {
            let (k, v) = line.trim().split_once('=')?;
            (k == key).then(|| v.trim().trim_matches('"').to_owned())
        })
    };
    let updated = std::fs::read_to_string(conf).unwrap();
    let unset: Vec<&str> = SETTINGS
        .iter()
        .filter(|s| matches!(s.verdict, Verdict::Modelled | Verdict::Only(..)))
        .map(|s| s.name)
        .filter(|&key| key != "EXPAND_POLICIES" && set(original, key).is_none())
        .filter(|&key| {
            let filled = set(&updated, key);
            filled.as_ref().is_some_and(|v| !v.is_empty()) && filled == set(shipped, key)
        })
        .collect();
    let text: String = updated
        .lines()
        .map(|line| match line.split_once('=') {
            Some((key, _)) if unset.contains(&key.trim()) => format!("{}=\n", key.trim()),
            _ => format!("{line}\n"),
        })
        .collect();
    std::fs::write(conf, text).unwrap();
}

/// The lab's kernel has no ACCOUNT target (xtables-addons), so Shorewall
/// refuses an `ACCOUNT(table,network)` accounting line there ("ACCOUNT
/// Rules require ACCOUNT Target"). The copy counts the same packets with
/// COUNT instead: both only count (Accounting.pm: no target, or ACCOUNT,
/// which continues), so Shorewall still compiles and runs the accounting
/// chain, at the head of INPUT, FORWARD and OUTPUT, that the import notes
/// as changing no verdict.
fn count_without_account_target(name: &str, copy: &Path) {
    let path = copy.join("accounting");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    let counted: String = text
        .lines()
        .map(|line| match line.strip_prefix("ACCOUNT(") {
            Some(rest) => {
                let after = rest.split_once(')').map_or("", |(_, after)| after);
                format!("COUNT{after}\n")
            }
            None => format!("{line}\n"),
        })
        .collect();
    if counted != text {
        assert!(counted.contains("COUNT"), "{name}: {counted}");
        std::fs::write(&path, counted).unwrap();
    }
}

fn corpus_lab(name: &str, short: &str) {
    common::require_lab();
    let dir = common::scratch(&format!("corpus-lab-{short}"));
    let mut original = common::root().join("tests/corpus").join(name);
    if original.join("shorewall").is_dir() {
        original.push("shorewall");
    }
    let imported = fwgen::import::shorewall::import(&original, false)
        .unwrap_or_else(|e| panic!("{name} no longer imports: {e:?}"));
    let model = compile(&Source::new(format!("imported-{name}.toml"), imported.toml))
        .unwrap_or_else(|f| panic!("{}", f.render()));
    let updated = updated_copy(name, &dir);
    let ruleset = verify::nftables_ruleset(&model).unwrap_or_else(|e| panic!("{e}"));
    let candidates = [
        ("original".to_owned(), Contestant::original(&updated)),
        ("shorewall".to_owned(), Contestant::Shorewall),
        ("nftables".to_owned(), Contestant::Nftables(ruleset)),
    ];
    let verification = verify::verify(&model, short, &candidates, &dir, Vec::new(), &|_| {})
        .unwrap_or_else(|e| panic!("the lab could not run for {name}: {e}"));
    let table = verification.matrix();
    if std::env::var_os("FWGEN_LAB_MATRIX").is_some() {
        eprintln!("{table}");
    }
    assert!(verification.probes().len() > 10, "too few probes:\n{table}");
    assert_eq!(
        verification.disagreements(),
        0,
        "the import does not behave as the original:\n{table}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A corpus directory's stopped firewall: the updated copy (where
/// `shorewall update` has turned a legacy routestopped into stoppedrules,
/// as the import reads it) compiled, started and stopped by Shorewall,
/// against fwgen's stopped ruleset of the imported model. Every probe
/// must get the same verdict; returns each probe with Shorewall's outcome.
fn corpus_lab_stopped(name: &str, short: &str) -> Vec<(String, Outcome)> {
    common::require_lab();
    let dir = common::scratch(&format!("corpus-lab-stopped-{short}"));
    let original = common::root().join("tests/corpus").join(name);
    let imported = fwgen::import::shorewall::import(&original, false)
        .unwrap_or_else(|e| panic!("{name} no longer imports: {e:?}"));
    let model = compile(&Source::new(format!("imported-{name}.toml"), imported.toml))
        .unwrap_or_else(|f| panic!("{}", f.render()));
    let updated = updated_copy(name, &dir);
    let stopped = match Contestant::original(&updated) {
        Contestant::ShorewallDir { ipv4, ipv6 } => Contestant::ShorewallDirStopped { ipv4, ipv6 },
        other => other,
    };
    let ruleset = nftables_stopped(&model).unwrap_or_else(|e| panic!("{e}"));
    let [shorewall, nftables] = [
        (&stopped, format!("{short}s")),
        (&Contestant::Nftables(ruleset), format!("{short}n")),
    ]
    .map(|(contestant, label)| {
        let scratch = dir.join(&label);
        std::fs::create_dir_all(&scratch).unwrap();
        contest::contest(&model, &label, contestant, &scratch, (false, None), &|_| {})
            .unwrap_or_else(|e| panic!("the lab could not run for {name}: {e}"))
    });
    let seen = common::same_stopped_verdicts(name, &shorewall, &nftables);
    assert!(seen.len() > 10, "{name}: too few probes: {seen:?}");
    let _ = std::fs::remove_dir_all(&dir);
    seen
}

/// Issue 15: a legacy routestopped in the lab (tests/corpus/hornos-grid-root's
/// cannot come: Shorewall refuses its duplicate all-all policy).
/// ajmitchelson-gatekeeper's
/// (`eth0 -`, `wlan1 -`: both LAN-side interfaces of loc stay open while
/// stopped), read as `shorewall update` converts it: the LAN reaches the
/// firewall and is reached from it, its two interfaces reach each other,
/// and nothing from the PPPoE uplink enters.
#[test]
fn ajmitchelson_gatekeeper_routestopped() {
    let seen = corpus_lab_stopped("ajmitchelson-gatekeeper", "sajm");
    let accepted = |from: &str, to: &str| -> Vec<bool> {
        let outcomes: Vec<bool> = seen
            .iter()
            .filter(|(probe, _)| {
                let words: Vec<&str> = probe.split_whitespace().collect();
                words[0].split('#').next() == Some(from) && words[3].split('#').next() == Some(to)
            })
            .map(|(_, outcome)| matches!(outcome, Outcome::Accept { .. }))
            .collect();
        assert!(
            !outcomes.is_empty(),
            "no probe from {from} to {to}: {seen:?}"
        );
        outcomes
    };
    assert!(accepted("loc", "fw").iter().all(|a| *a), "{seen:?}");
    assert!(accepted("loc", "loc").iter().all(|a| *a), "{seen:?}");
    assert!(accepted("net", "fw").iter().all(|a| !*a), "{seen:?}");
    assert!(accepted("net", "loc").iter().all(|a| !*a), "{seen:?}");
}

/// One test per corpus directory that imports, under a short lab name
/// (namespace and link names carry it).
macro_rules! corpus_lab {
    ($($test:ident: $name:literal as $short:literal,)*) => {
        $(
            #[test]
            fn $test() {
                corpus_lab($name, $short);
            }
        )*
        const IN_THE_LAB: &[&str] = &[$($name),*];
    };
}

corpus_lab! {
    ajmitchelson_gatekeeper: "ajmitchelson-gatekeeper" as "cajm",
    alu0100958379_dmz: "alu0100958379-dmz" as "calu",
    azuwis_ec2_vpn: "azuwis-ec2-vpn" as "cazu",
    bigeasy_puppy: "bigeasy-puppy" as "cbig",
    blan_gw: "blan-gw" as "cbla",
    blunix_role: "blunix-role" as "cblu",
    bonk_se_server: "bonk-se-server" as "cbon",
    bsingr_home_box: "bsingr-home-box" as "cbsi",
    casjay_dotfiles_server: "casjay-dotfiles-server" as "ccas",
    cjstrych_cluster_head: "cjstrych-cluster-head" as "ccjs",
    coimbrap_krkn_alpha: "coimbrap-krkn-alpha" as "ccoi",
    comprofix_fw01: "comprofix-fw01" as "ccom",
    danigy_bloonix_pi: "danigy-bloonix-pi" as "cdan",
    deivy_knock_server: "deivy-knock-server" as "cdei",
    demiguise_dotfiles: "demiguise-dotfiles" as "cdem",
    dovanduy_artica_gen: "dovanduy-artica-gen" as "cdov",
    dudacgf_salt_lab: "dudacgf-salt-lab" as "cdud",
    duritong_puppet_blacklist: "duritong-puppet-blacklist" as "cdur",
    evertrue_cookbook: "evertrue-cookbook" as "cevt",
    fkeet_base_laptop: "fkeet-base-laptop" as "cfke",
    francois_homestead: "francois-homestead" as "cfra",
    gcrofils_asimov_remote: "gcrofils-asimov-remote" as "cgcr",
    greg_js_archwiki: "greg-js-archwiki" as "cgre",
    hickey_openvpn_container: "hickey-openvpn-container" as "chic",
    ilario_desktop: "ilario-desktop" as "cila",
    joachimopdenakker_gateway: "joachimopdenakker-gateway" as "cjoa",
    joshland_wgmesh: "joshland-wgmesh" as "cjos",
    juan_reynoso_three: "juan-reynoso-three" as "cjua",
    katch922_gentoo_desktop: "katch922-gentoo-desktop" as "ckat",
    kemitchell_debian_vps: "kemitchell-debian-vps" as "ckem",
    kmmorozov_course_gw: "kmmorozov-course-gw" as "ckmm",
    kpcyrd_jenkins: "kpcyrd-jenkins" as "ckpc",
    lasse_aagren_lxc: "lasse-aagren-lxc" as "clas",
    lojic_cloud_setup: "lojic-cloud-setup" as "cloj",
    leapcode_eip: "leapcode-eip" as "clea",
    matayto_router: "matayto-router" as "cmat",
    memes_laptop: "memes-laptop" as "cmem",
    mguterl_slice: "mguterl-slice" as "cmgu",
    mrlesmithjr_ansible_role: "mrlesmithjr-ansible-role" as "cmrl",
    multiverse_os_router: "multiverse-os-router" as "cmul",
    nipil_merged: "nipil-merged" as "cnip",
    nser77_ha_router: "nser77-ha-router" as "cnse",
    pdellaert_simple: "pdellaert-simple" as "cpde",
    picturae_salt_pipo: "picturae-salt-pipo" as "cpic",
    robotology_camera_share: "robotology-camera-share" as "crob",
    saltstack_formula_pillar: "saltstack-formula-pillar" as "csal",
    sbsbi_stormbringer: "sbsbi-stormbringer" as "csbs",
    seenhub_environments: "seenhub-environments" as "csee",
    sjure_devops_vm: "sjure-devops-vm" as "csju",
    sol1_readme_gw: "sol1-readme-gw" as "csol",
    student_puma_homelab: "student-puma-homelab" as "cstu",
    thetechstech_pbx: "thetechstech-pbx" as "cthe",
    thorinaboenke_ovpn_gw: "thorinaboenke-ovpn-gw" as "ctho",
    warthog9_segmented_home: "warthog9-segmented-home" as "cwar",
    xianhuazhou_mail_host: "xianhuazhou-mail-host" as "cxia",
    yanosz_tunnel_node: "yanosz-tunnel-node" as "cyan",
    yasir2000_openwrt_wiki: "yasir2000-openwrt-wiki" as "cyas",
}

/// Corpus directories that import but that the lab cannot judge, each
/// with the reason; each is still imported, rendered and checked by
/// tests/corpus.rs.
const NOT_IN_THE_LAB: &[(&str, &str)] = &[];

/// Every corpus directory that imports is in the lab, or named above.
#[test]
fn every_corpus_import_is_in_the_lab() {
    for entry in std::fs::read_dir(common::root().join("tests/corpus")).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_dir() {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let shorewall = if path.join("shorewall").is_dir() {
            path.join("shorewall")
        } else {
            path
        };
        let listed = NOT_IN_THE_LAB.iter().any(|(n, _)| *n == name);
        let imports = fwgen::import::shorewall::import(&shorewall, false).is_ok();
        assert!(
            !listed || (imports && !IN_THE_LAB.contains(&name.as_str())),
            "tests/corpus/{name} is listed as not in the lab but does not import or is in it"
        );
        if imports && !listed {
            assert!(
                IN_THE_LAB.contains(&name.as_str()),
                "tests/corpus/{name} imports and is not in the lab"
            );
        }
    }
    for (name, _) in NOT_IN_THE_LAB {
        assert!(
            common::root().join("tests/corpus").join(name).is_dir(),
            "{name} is listed as not in the lab but is no corpus directory"
        );
    }
}
