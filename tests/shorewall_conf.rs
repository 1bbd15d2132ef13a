//! shorewall.conf and shorewall6.conf are Shorewall's installed samples
//! with fwgen's values: the same settings in the same order, and the
//! header lists every setting whose value differs from the sample, with the
//! sample's value, and nothing else.

mod common;

use fwgen::backend::{self, Backend};
use fwgen::load::compile;
use fwgen::source::Source;

/// Where Debian's packages install the samples.
const SAMPLES: [(&str, &str); 2] = [
    (
        "shorewall/shorewall.conf",
        "/usr/share/shorewall/configfiles/shorewall.conf",
    ),
    (
        "shorewall6/shorewall6.conf",
        "/usr/share/shorewall6/configfiles/shorewall6.conf",
    ),
];

/// The `KEY=VALUE` lines of a configuration file, in order.
fn settings(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (key, value) = l
                .split_once('=')
                .unwrap_or_else(|| panic!("not KEY=VALUE: {l}"));
            (key.to_owned(), value.to_owned())
        })
        .collect()
}

/// The header's departures: `#   KEY=VALUE (sample: SAMPLE)` lines.
fn departures(text: &str) -> Vec<(String, String, String)> {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("#   "))
        .filter(|l| !l.starts_with(' '))
        .map(|l| {
            let (setting, sample) = l
                .strip_suffix(')')
                .and_then(|l| l.split_once(" (sample: "))
                .unwrap_or_else(|| panic!("not a departure: {l}"));
            let (key, value) = setting.split_once('=').unwrap();
            (key.to_owned(), value.to_owned(), sample.to_owned())
        })
        .collect()
}

fn assert_conf_follows_the_sample(what: &str, path: &str, rendered: &str, sample_path: &str) {
    let sample = std::fs::read_to_string(sample_path)
        .unwrap_or_else(|e| panic!("{sample_path}: {e} (install shorewall and shorewall6)"));
    let sample = settings(&sample);
    let ours = settings(rendered);
    let keys = |s: &[(String, String)]| s.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    assert_eq!(
        keys(&ours),
        keys(&sample),
        "{what}: {path} must hold the settings of {sample_path} in its order"
    );
    let differing: Vec<(String, String, String)> = ours
        .iter()
        .zip(&sample)
        .filter(|((_, ours), (_, sample))| ours != sample)
        .map(|((key, ours), (_, sample))| (key.clone(), ours.clone(), sample.clone()))
        .collect();
    assert_eq!(
        departures(rendered),
        differing,
        "{what}: the header of {path} must list exactly the settings that differ from {sample_path}"
    );
}

fn check(what: &str, model_path: &str, text: &str) {
    let model =
        compile(&Source::new(model_path, text)).unwrap_or_else(|f| panic!("{}", f.render()));
    let files = backend::render(&model, Backend::Shorewall).unwrap();
    let mut checked = 0;
    for (path, sample) in SAMPLES {
        if let Some(file) = files.iter().find(|f| f.path == path) {
            assert_conf_follows_the_sample(what, path, &file.content, sample);
            checked += 1;
        }
    }
    assert!(checked > 0, "{what} rendered no shorewall.conf");
}

fn read(path: &str) -> String {
    std::fs::read_to_string(common::root().join(path)).unwrap()
}

#[test]
fn every_example_and_model_follows_the_installed_samples() {
    for example in common::examples() {
        let path = format!("examples/{example}.toml");
        check(&example, &path, &read(&path));
    }
    for model in common::models() {
        let path = format!("tests/models/{model}.toml");
        check(&model, &path, &read(&path));
    }
}

/// `[firewall]` settings that change shorewall.conf: each value, the
/// sample's included, keeps the header true.
#[test]
fn firewall_settings_keep_the_header_true() {
    let base = read("examples/ipv6.toml");
    assert!(!base.contains("[firewall]"), "the example sets [firewall]");
    for settings in [
        "log_limit = \"none\"",
        "log_limit = \"s:1/sec:10\"",
        "log_limit = \"5/min:3\"",
        "drop_broadcasts = false",
        "drop_broadcasts = true",
        "log_prefix = \"fw\"",
    ] {
        let text = format!("[firewall]\n{settings}\n\n{base}");
        check(settings, "ipv6-variant.toml", &text);
    }
}

/// The settings fwgen holds of the shipped samples (read by an import of
/// a directory without its own file) are the installed ones, each at its
/// line.
#[test]
fn the_shipped_settings_fwgen_holds_are_the_installed_ones_at_their_lines() {
    use fwgen::backend::shorewall::sample;
    let held = [
        (sample::SHOREWALL, sample::SHOREWALL_LINES, SAMPLES[0].1),
        (sample::SHOREWALL6, sample::SHOREWALL6_LINES, SAMPLES[1].1),
    ];
    for (settings, lines, path) in held {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("{path}: {e} (install shorewall and shorewall6)"));
        let installed: Vec<(usize, String)> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty())
            .map(|(n, l)| (n + 1, l.to_owned()))
            .collect();
        let ours: Vec<(usize, String)> = lines
            .iter()
            .zip(settings)
            .map(|(n, (key, value))| (*n, format!("{key}={value}")))
            .collect();
        assert_eq!(settings.len(), lines.len(), "{path}");
        assert_eq!(ours, installed, "{path}");
    }
}
