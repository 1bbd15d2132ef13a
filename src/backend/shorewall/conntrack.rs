//! `conntrack`: the model's `[[conntrack]]` entries, then Shorewall's
//! shipped conntrack file, made from the model's table of helpers
//! (src/model/settings.rs), so that the compiled firewall never depends on
//! the conntrack file of /etc/shorewall.

use askama::Template;
use ipnet::IpNet;

use super::{Item, Product, address_cell, endpoint_cell, ports_cell};
use crate::backend::table::Columns;
use crate::model::rule::is_ipv6;
use crate::model::{CONNTRACK_HELPERS, Conntrack, Model};

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

/// The model's entries: the FORMAT 2 columns (a SOURCE zone) and FORMAT
/// 3's (a chain designator after the ACTION, any source).
const SITE: Columns = Columns(&[
    ("ACTION", 0),
    ("SOURCE", 24),
    ("DEST", 40),
    ("PROTO", 64),
    ("DPORT", 72),
    ("SPORT", 80),
]);

#[derive(Template)]
#[template(path = "shorewall/conntrack.txt")]
struct ConntrackFile<'a> {
    header: &'a str,
    columns: String,
    /// Entries without a source zone (FORMAT 3).
    anywhere: Vec<Item>,
    /// Entries with a source zone (FORMAT 2).
    zoned: Vec<Item>,
    groups: Vec<Group>,
}

/// An entry's lines in one product: one per service; none when the entry
/// concerns the other family only.
fn item(model: &Model, entry: &Conntrack, product: Product) -> Option<Item> {
    let ipv6 = product.ipv6;
    let of_family = |nets: &[IpNet]| -> Vec<String> {
        nets.iter()
            .filter(|a| is_ipv6(a) == ipv6)
            .map(|a| address_cell(a, product))
            .collect()
    };
    let (taken, left_out) = (of_family(&entry.dest), of_family(&entry.dest_excluded));
    if taken.is_empty() && !entry.dest.is_empty()
        || entry.dest.is_empty() && left_out.is_empty() && !entry.dest_excluded.is_empty()
    {
        return None;
    }
    let dest = match (taken.is_empty(), left_out.is_empty()) {
        (true, true) => "-".to_owned(),
        (false, true) => taken.join(","),
        (true, false) => format!("!{}", left_out.join(",")),
        (false, false) => format!("{}!{}", taken.join(","), left_out.join(",")),
    };
    let (action, source) = match &entry.source {
        Some(source) => ("NOTRACK".to_owned(), endpoint_cell(model, source, product)?),
        None => (
            format!("NOTRACK:{}", entry.chain.designator()),
            "-".to_owned(),
        ),
    };
    let mut rows = Vec::new();
    if entry.services.is_empty() {
        rows.push(vec![action.clone(), source.clone(), dest.clone()]);
    }
    for service in &entry.services {
        if service.proto.only_ipv6().is_some_and(|only| only != ipv6) {
            continue;
        }
        let mut cells = vec![
            action.clone(),
            source.clone(),
            dest.clone(),
            service.proto.to_string(),
        ];
        if !service.dports.is_empty() || !service.sports.is_empty() {
            cells.push(ports_cell(&service.dports));
        }
        if !service.sports.is_empty() {
            cells.push(ports_cell(&service.sports));
        }
        rows.push(cells);
    }
    if rows.is_empty() {
        return None;
    }
    Some(Item::new(&SITE, entry.comment.clone(), &rows))
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

pub(super) fn render(
    model: &Model,
    product: Product,
    header: &str,
) -> Result<(&'static str, String), askama::Error> {
    let mut anywhere = Vec::new();
    let mut zoned = Vec::new();
    for entry in &model.conntrack {
        let Some(item) = item(model, entry, product) else {
            continue;
        };
        match entry.source {
            Some(_) => zoned.push(item),
            None => anywhere.push(item),
        }
    }
    let mut groups: Vec<Group> = Vec::new();
    for helper in CONNTRACK_HELPERS {
        let proto = helper.protocol();
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
    let file = ConntrackFile {
        header,
        columns: SITE.header(),
        anywhere,
        zoned,
        groups,
    };
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
        let model = crate::load::compile(&crate::source::Source::new(
            "empty.toml",
            "[zones.net]\n[interfaces.eth0]\nzone = \"net\"\n[[policy]]\nsource = \"all\"\ndest = \"all\"\naction = \"DROP\"\n",
        ))
        .unwrap();
        let product = super::Product { ipv6: false };
        let (_, ours) = super::render(&model, product, "# header").unwrap();
        assert_eq!(active(&ours), active(&shipped), "{ours}");
    }
}
