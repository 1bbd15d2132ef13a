//! The generator of src/model/stock_macros.rs, and its check: the table of
//! Shorewall 5.2.8's stock macros is written from the installed
//! /usr/share/shorewall/macro.* (and Shorewall6's own /usr/share/shorewall6
//! versions), and from the stock actions the model carries as macros
//! (/usr/share/shorewall/action.AllowICMPs, whose `?if __IPV4` branch is
//! Shorewall's lines and its `?else` branch Shorewall6's), never by hand. The test renders the table from the installed
//! files and compares it with the file in the tree; `FWGEN_BLESS=1`
//! rewrites the file (read the diff). Missing files fail loudly.

mod common;

use std::fmt::Write as _;
use std::path::Path;

const TABLE: &str = "src/model/stock_macros.rs";
const SHOREWALL: &str = "/usr/share/shorewall";
const SHOREWALL6: &str = "/usr/share/shorewall6";

/// A macro file's lines as the table holds them: comments and blank lines
/// dropped, the `?if ... AUTOHELPERS ...` branch reduced to its helper's
/// name (Shorewall's default AUTOHELPERS=Yes takes the `?else` branch).
struct Body {
    default: Option<String>,
    helper: Option<String>,
    lines: Vec<[String; 6]>,
}

/// The stock actions whose bodies are plain lines the model reads as a
/// macro's: `@1` (the action's parameter) as `PARAM`, `DEFAULTS` as the
/// macro's DEFAULT.
const ACTIONS: &[&str] = &["AllowICMPs"];

/// Which branch of an action's `?if __IPV4` a line is in.
#[derive(Clone, Copy, PartialEq)]
enum Branch {
    Both,
    Ipv4,
    Ipv6,
}

/// A file's lines for one family (`ipv6`): an action's `?if __IPV4`
/// branches are kept for their family only.
fn read_body(path: &Path, ipv6: bool) -> Body {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e} (install shorewall)", path.display()));
    let mut body = Body {
        default: None,
        helper: None,
        lines: Vec::new(),
    };
    let mut in_helper_branch = false;
    let mut branch = Branch::Both;
    for raw in text.lines() {
        let line = raw.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        if line == "?if __IPV4" {
            branch = Branch::Ipv4;
            continue;
        }
        if branch != Branch::Both {
            match line {
                "?else" => branch = Branch::Ipv6,
                "?endif" => branch = Branch::Both,
                _ if (branch == Branch::Ipv6) != ipv6 => {}
                _ if line.starts_with("?COMMENT") => {}
                _ => push_line(path, line, &mut body),
            }
            continue;
        }
        if let Some(condition) = line.strip_prefix("?if") {
            assert!(
                condition.contains("! $AUTOHELPERS") && condition.contains("_HELPER"),
                "{}: `{line}` is a condition the table cannot hold",
                path.display()
            );
            in_helper_branch = true;
            continue;
        }
        if line.starts_with("?else") || line.starts_with("?endif") {
            in_helper_branch = false;
            continue;
        }
        if line.starts_with("?COMMENT") {
            // A comment on the iptables rules of the audited A_* macros:
            // no meaning of its own.
            continue;
        }
        if in_helper_branch {
            let helper = line
                .split("helper=")
                .nth(1)
                .and_then(|rest| rest.split([' ', '}', ',']).next())
                .map(str::to_owned);
            if let Some(helper) = helper {
                body.helper = Some(helper);
            }
            continue;
        }
        push_line(path, line, &mut body);
    }
    body
}

/// One line of a body: DEFAULT (DEFAULTS in an action) or a rule's
/// columns, an action's `@1` read as `PARAM` and its `{comment=...}` left
/// out (a comment on the iptables rules, no meaning of its own).
fn push_line(path: &Path, line: &str, body: &mut Body) {
    let line = match line.split_once("{comment=") {
        Some((before, _)) => before.trim(),
        None => line,
    };
    let columns: Vec<&str> = line
        .split_whitespace()
        .map(|c| if c == "@1" { "PARAM" } else { c })
        .collect();
    if columns[0] == "DEFAULT" || columns[0] == "DEFAULTS" {
        body.default = columns.get(1).map(|d| (*d).to_owned());
        return;
    }
    let column = |i: usize| columns.get(i).copied().unwrap_or("-").to_owned();
    let mut entry = [0, 1, 2, 3, 4, 5].map(column);
    if let Some(at) = columns.iter().position(|c| c.starts_with('{')) {
        // `PARAM SOURCE DEST { origdest=... }` (macro.Rfc1918): the
        // column/value pairs are kept with the column before them,
        // where the model reads `origdest=` and refuses any other pair.
        entry[at - 1] = columns[at - 1..].join(" ");
        entry[at..].iter_mut().for_each(|c| *c = "-".to_owned());
    } else {
        assert!(
            columns.len() <= 6,
            "{}: `{line}` has columns beyond SPORT",
            path.display()
        );
    }
    body.lines.push(entry);
}

fn macro_names(dir: &str) -> Vec<String> {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{dir}: {e} (install shorewall)"));
    let mut names: Vec<String> = entries
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.strip_prefix("macro.")
                .filter(|n| *n != "template")
                .map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

fn lines_text(lines: &[[String; 6]]) -> String {
    let mut out = String::from("&[");
    for [action, source, dest, proto, dport, sport] in lines {
        let _ = write!(
            out,
            "\n        line({action:?}, {source:?}, {dest:?}, {proto:?}, {dport:?}, {sport:?}),"
        );
    }
    out.push_str("\n    ]");
    out
}

fn render() -> String {
    let mut out = String::from(
        "//! Shorewall 5.2.8's stock macros, generated from the installed\n\
         //! /usr/share/shorewall/macro.* and /usr/share/shorewall6/macro.* (and\n\
         //! the stock action.AllowICMPs, read as a macro) by\n\
         //! tests/stock_macros.rs (`FWGEN_BLESS=1 cargo test --test stock_macros`).\n\
         //! Do not edit: the test fails when this file and the installed package\n\
         //! disagree. What the lines mean is decided in src/model/service.rs.\n\n\
         use super::service::{StockMacro, line};\n\n\
         #[rustfmt::skip]\n\
         pub const STOCK_MACROS: &[StockMacro] = &[\n",
    );
    let six = macro_names(SHOREWALL6);
    let mut bodies: Vec<(String, Body, Option<Body>)> = macro_names(SHOREWALL)
        .into_iter()
        .map(|name| {
            let body = read_body(&Path::new(SHOREWALL).join(format!("macro.{name}")), false);
            let ipv6 = six
                .contains(&name)
                .then(|| read_body(&Path::new(SHOREWALL6).join(format!("macro.{name}")), true));
            (name, body, ipv6)
        })
        .collect();
    for name in ACTIONS {
        let path = Path::new(SHOREWALL).join(format!("action.{name}"));
        let (four, six) = (read_body(&path, false), read_body(&path, true));
        bodies.push(((*name).to_owned(), four, Some(six)));
    }
    bodies.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, body, ipv6) in bodies {
        let _ = write!(
            out,
            "    StockMacro {{\n        name: {name:?},\n        default: {:?},\n        helper: {:?},\n        lines: {},\n        ipv6_lines: {},\n    }},\n",
            body.default,
            body.helper,
            lines_text(&body.lines).replace("\n    ", "\n        "),
            ipv6.map_or("None".to_owned(), |b| format!(
                "Some({})",
                lines_text(&b.lines).replace("\n    ", "\n        ")
            )),
        );
    }
    let four = macro_names(SHOREWALL);
    let orphan = six.iter().find(|n| !four.contains(n));
    assert!(
        orphan.is_none(),
        "{SHOREWALL6}/macro.{orphan:?} has no Shorewall (IPv4) macro of its name"
    );
    out.push_str("];\n");
    out
}

#[test]
fn stock_macro_table_agrees_with_the_installed_shorewall() {
    common::require_tool("shorewall", "shorewall");
    let rendered = render();
    let path = common::root().join(TABLE);
    if common::blessing() {
        std::fs::write(&path, &rendered).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == rendered,
        "{TABLE} differs from the installed macros (run with FWGEN_BLESS=1 to accept, after reading the diff):\n{}",
        common::unified_diff(&current, &rendered, TABLE)
    );
}

/// The stock macros the model refuses, each for what it cannot express
/// (docs/model.md lists them): audited actions, a fixed action.
const REFUSED: &[&str] = &["A_AllowICMPs", "A_DropDNSrep", "A_DropUPnP", "Razor"];

/// A part as `[back ][SOURCE-ADDRESSES > DEST-ADDRESSES ][ipvN ]SERVICE`.
fn part_text(part: &fwgen::model::service::MacroPart) -> Vec<String> {
    let nets = |nets: &[ipnet::IpNet]| {
        let written: Vec<String> = nets.iter().map(ToString::to_string).collect();
        written.join(",")
    };
    let mut head = String::new();
    if part.reversed {
        head.push_str("back ");
    }
    if part.names_addresses() {
        head.push_str(&format!("{} > {} ", nets(&part.source), nets(&part.dest)));
    }
    match part.family {
        Some(true) => head.push_str("ipv6 "),
        Some(false) => head.push_str("ipv4 "),
        None => {}
    }
    if !part.origdest.is_empty() {
        head.push_str(&format!("origdest {} ", nets(&part.origdest)));
    }
    if part.services.is_empty() {
        return vec![format!("{head}any")];
    }
    part.services
        .iter()
        .map(|s| {
            let ports: Vec<String> = s.dports.iter().map(|p| p.written(":")).collect();
            let sports: Vec<String> = s.sports.iter().map(|p| p.written(":")).collect();
            let icmp = s.icmp_type.map(|t| t.numeric()).unwrap_or_default();
            format!(
                "{head}{} {}{icmp} {}",
                s.proto,
                ports.join(","),
                sports.join(",")
            )
        })
        .collect()
}

/// Every other stock macro is accepted and matches services; a few are
/// checked against their files by hand.
#[test]
fn every_stock_macro_is_accepted_or_refused_with_a_reason() {
    use fwgen::model::service::{Macro, MacroCall, STOCK_MACROS};
    let mut refused = Vec::new();
    for stock in STOCK_MACROS {
        let found = Macro::find(stock.name).unwrap_or_else(|| panic!("{} not found", stock.name));
        assert_eq!(found.name, stock.name);
        match found.expand(&MacroCall::default()) {
            // No service: every protocol, narrowed by addresses.
            Ok(parts) => assert!(
                parts.iter().all(|p| !p.services.is_empty()
                    || p.names_addresses()
                    || !p.origdest.is_empty())
                    && !parts.is_empty(),
                "{}: no services",
                stock.name
            ),
            Err(reason) => {
                assert!(reason.contains("macro."), "{}: {reason}", stock.name);
                refused.push(stock.name);
            }
        }
    }
    assert_eq!(refused, REFUSED);
    let expand = |name: &str| {
        let parts = Macro::find(name)
            .unwrap()
            .expand(&MacroCall::default())
            .unwrap();
        parts.iter().flat_map(part_text).collect::<Vec<_>>()
    };
    assert_eq!(expand("FTP"), ["tcp 21 "]);
    assert_eq!(expand("Ping"), ["icmp 8 ", "icmpv6 128 "]);
    assert_eq!(
        expand("SMB"),
        [
            "udp 135,445 ",
            "udp 137:139 ",
            "udp 1024:65535 137",
            "tcp 135,139,445 "
        ]
    );
    assert_eq!(expand("Mail"), ["tcp 25 ", "tcp 465 ", "tcp 587 "]);
    assert_eq!(expand("ONCRPC"), ["tcp 111 ", "udp 111 "]);
    // Lines the way back (`DEST SOURCE`), also through a nested macro.
    assert_eq!(expand("GRE"), ["47  ", "back 47  "]);
    assert_eq!(expand("NTPbi"), ["udp 123 ", "back udp 123 "]);
    assert_eq!(expand("IPPserver"), ["tcp 631 ", "back udp 631 "]);
    // Every protocol, from private sources or first sent to private
    // addresses (`DEST { origdest=... }`).
    assert_eq!(
        expand("Rfc1918"),
        [
            "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16 >  any",
            "origdest 10.0.0.0/8,172.16.0.0/12,192.168.0.0/16 any"
        ]
    );
    // Addresses of the macro's own, narrowing the call's side.
    assert_eq!(expand("VRRP"), [" > 224.0.0.18/32 112  "]);
    assert_eq!(
        expand("mDNS"),
        [
            " > 224.0.0.251/32 ipv4 udp 5353 ",
            " > 224.0.0.251/32 ipv4 2  ",
            "ipv4 udp 1024:65535 5353",
            "back  > 224.0.0.251/32 ipv4 udp 5353 ",
            "back  > 224.0.0.251/32 ipv4 2  ",
            " > ff02::fb/128 ipv6 udp 5353 ",
            " > ff02::fb/128 ipv6 2  ",
            "ipv6 udp 32768:65535 5353",
            "back  > ff02::fb/128 ipv6 udp 5353 ",
            "back  > ff02::fb/128 ipv6 2  ",
        ]
    );
    // A stock action read as a macro: an ICMP code (fragmentation-needed
    // is 3/4), ip6tables' names, link-local sources.
    assert_eq!(
        expand("AllowICMPs"),
        [
            "icmp 3/4 ",
            "icmp 11 ",
            "icmpv6 1 ",
            "icmpv6 2 ",
            "icmpv6 3 ",
            "icmpv6 4 ",
            "icmpv6 133 ",
            "icmpv6 134 ",
            "icmpv6 135 ",
            "icmpv6 136 ",
            "icmpv6 137 ",
            "icmpv6 141 ",
            "icmpv6 142 ",
            "icmpv6 148 ",
            "icmpv6 149 ",
            "fe80::/10 >  icmpv6 130 ",
            "fe80::/10 >  icmpv6 131 ",
            "fe80::/10 >  icmpv6 132 ",
            "fe80::/10 >  icmpv6 143 ",
            "fe80::/10 >  icmpv6 151 ",
            "fe80::/10 >  icmpv6 152 ",
            "fe80::/10 >  icmpv6 153 ",
        ]
    );
    // AUTOHELPERS=No: a helper macro of one line attaches its helper to
    // an accepting rule; one whose helper is on one line of several is
    // refused when it accepts, and matches its lines otherwise.
    let attached = |name: &str, action: &'static str| {
        let call = MacroCall {
            action: Some(action),
            helpers_attached: true,
            ..MacroCall::default()
        };
        let found = Macro::find(name).unwrap();
        (
            found.expand(&call).map(|_| ()),
            found.attached_helper(&call),
        )
    };
    assert_eq!(attached("FTP", "ACCEPT"), (Ok(()), Some("ftp")));
    assert_eq!(attached("SNMP", "ACCEPT"), (Ok(()), Some("snmp")));
    assert_eq!(attached("FTP", "DROP"), (Ok(()), None));
    assert_eq!(attached("SMB", "REJECT"), (Ok(()), None));
    for name in ["SMB", "PPtP", "SMBBI", "IPMI"] {
        let (expanded, _) = attached(name, "ACCEPT");
        let reason = expanded.expect_err(name);
        assert!(
            reason.contains("to one of its lines only"),
            "{name}: {reason}"
        );
        // The audited A_ACCEPT attaches no helper (Rules.pm), so its lines
        // are the macro's other branch's.
        let audited = MacroCall {
            action: Some("ACCEPT"),
            helpers_attached: true,
            audited: true,
            ..MacroCall::default()
        };
        let found = Macro::find(name).unwrap();
        assert!(found.expand(&audited).is_ok(), "{name}");
        assert_eq!(found.attached_helper(&audited), None, "{name}");
    }
}
