//! `conntrack`: Shorewall's shipped conntrack file, made from the model's
//! table of helpers (src/model/settings.rs), so that the compiled firewall
//! never depends on the conntrack file of /etc/shorewall.

use askama::Template;

use crate::backend::table::Columns;
use crate::model::CONNTRACK_HELPERS;

const CONNTRACK: Columns = Columns(&[
    ("ACTION", 0),
    ("SOURCE", 24),
    ("DEST", 32),
    ("PROTO", 40),
    ("DPORT", 48),
]);

/// The helpers under one `?if __NAME_HELPER` capability.
struct Group {
    capability: &'static str,
    lines: Vec<String>,
}

#[derive(Template)]
#[template(path = "shorewall/conntrack.txt")]
struct ConntrackFile<'a> {
    header: &'a str,
    groups: Vec<Group>,
}

/// The capability Shorewall's conntrack file tests for a helper
/// (`__H323_HELPER` for both of H.323's).
fn capability(kind: &str) -> &'static str {
    match kind {
        "amanda" => "AMANDA",
        "ftp" => "FTP",
        "RAS" | "Q.931" => "H323",
        "irc" => "IRC",
        "netbios-ns" => "NETBIOS_NS",
        "pptp" => "PPTP",
        "sane" => "SANE",
        "sip" => "SIP",
        "snmp" => "SNMP",
        _ => "TFTP",
    }
}

pub(super) fn render(header: &str) -> Result<(&'static str, String), askama::Error> {
    let mut groups: Vec<Group> = Vec::new();
    for helper in CONNTRACK_HELPERS {
        let proto = if helper.tcp { "tcp" } else { "udp" };
        let cells = [
            format!("CT:helper:{}:PO", helper.kind),
            "-".to_owned(),
            "-".to_owned(),
            proto.to_owned(),
            helper.port.to_string(),
        ];
        let line = CONNTRACK.line(&cells);
        let capability = capability(helper.kind);
        match groups.last_mut() {
            Some(group) if group.capability == capability => group.lines.push(line),
            _ => groups.push(Group {
                capability,
                lines: vec![line],
            }),
        }
    }
    let file = ConntrackFile { header, groups };
    Ok(("conntrack", file.render()?))
}

#[cfg(test)]
mod tests {
    /// The file is Shorewall's shipped conntrack file, line for line
    /// (white space aside), so the compiled firewall is the one
    /// AUTOHELPERS gives with Shorewall's defaults.
    #[test]
    fn the_file_is_shorewalls_shipped_conntrack() {
        let shipped = "/usr/share/shorewall/configfiles/conntrack";
        let shipped = std::fs::read_to_string(shipped)
            .unwrap_or_else(|e| panic!("{shipped}: {e} (install shorewall: tests/run does)"));
        let active = |text: &str| -> Vec<String> {
            text.lines()
                .map(|l| l.split('#').next().unwrap_or_default())
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|l| !l.is_empty())
                .collect()
        };
        let (_, ours) = super::render("# header").unwrap();
        assert_eq!(active(&ours), active(&shipped), "{ours}");
    }
}
