//! Shorewall's own compiler judges the Shorewall backend: every example
//! and every model of tests/models/ must pass `shorewall check` (and `shorewall6 check` where it has IPv6)
//! without an ERROR or a WARNING.

mod common;

/// `folder` holds the model `{example}.toml`: examples or tests/models.
fn check(folder: &str, example: &str) {
    common::require_root();
    common::require_tool("shorewall", "shorewall");
    common::require_tool("shorewall6", "shorewall6");
    let dir = common::scratch(&format!("shorewall-check-{example}"));
    common::render_file(&format!("{folder}/{example}.toml"), "shorewall", &dir);
    let mut checked = 0;
    for product in ["shorewall", "shorewall6"] {
        let config = dir.join(product);
        if !config.is_dir() {
            continue;
        }
        let (ok, out) = common::run(product, &["check", config.to_str().unwrap()]);
        assert!(ok, "{product} check failed for {example}:\n{out}");
        let complaints: Vec<&str> = out
            .lines()
            .filter(|l| l.contains("ERROR") || l.contains("WARNING"))
            .collect();
        assert!(
            complaints.is_empty(),
            "{product} check of {example} complained:\n{}",
            complaints.join("\n")
        );
        assert!(
            out.contains("configuration verified"),
            "{product} check of {example} did not verify:\n{out}"
        );
        checked += 1;
    }
    assert!(checked > 0, "{example} rendered no Shorewall configuration");
    let _ = std::fs::remove_dir_all(&dir);
}

macro_rules! shorewall_check {
    ($folder:literal: $($name:ident => $example:literal,)*) => {
        $(
            #[test]
            fn $name() {
                check($folder, $example);
            }
        )*

        #[test]
        fn every_case_is_checked() {
            common::assert_every_case_in($folder, &[$($example),*]);
        }
    };
}

shorewall_check! { "examples":
    lxc_host => "lxc-host",
    two_interfaces => "two-interfaces",
    three_interfaces => "three-interfaces",
    port_forward => "port-forward",
    ipv6 => "ipv6",
    shorewall4 => "shorewall4",
}

mod models {
    use super::*;

    shorewall_check! { "tests/models":
        log_levels => "log-levels",
        routefilter_loose => "routefilter-loose",
        wildcard_and_named => "wildcard-and-named",
    }
}
