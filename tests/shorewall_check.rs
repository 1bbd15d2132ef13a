//! Shorewall's own compiler judges the Shorewall backend: every example
//! must pass `shorewall check` (and `shorewall6 check` where it has IPv6)
//! without an ERROR or a WARNING.

mod common;

fn check(example: &str) {
    common::require_root();
    common::require_tool("shorewall", "shorewall");
    common::require_tool("shorewall6", "shorewall6");
    let dir = common::scratch(&format!("shorewall-check-{example}"));
    common::render_example(example, "shorewall", &dir);
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
    ($($name:ident => $example:literal,)*) => {
        $(
            #[test]
            fn $name() {
                check($example);
            }
        )*

        #[test]
        fn every_example_is_checked() {
            common::assert_every_example_in(&[$($example),*], "checked by shorewall");
        }
    };
}

shorewall_check! {
    lxc_host => "lxc-host",
    two_interfaces => "two-interfaces",
    three_interfaces => "three-interfaces",
    port_forward => "port-forward",
    ipv6 => "ipv6",
    shorewall4 => "shorewall4",
}
