//! Address translation: port forwards in prerouting, masquerade and SNAT
//! in postrouting.

use ipnet::IpNet;

use super::line::{address_set, comment, ifname, interface_set, ports};
use super::log_statement;
use crate::model::rule::is_ipv6;
use crate::model::{Dnat, Interface, Model, Snat, ZoneId, ZoneRef};

pub fn dnat_rule(model: &Model, dnat: &Dnat) -> String {
    let ipv6 = dnat.is_ipv6();
    let family = if ipv6 { "ip6" } else { "ip" };
    let interfaces: Vec<&Interface> = model
        .interfaces
        .iter()
        .filter(|i| {
            dnat.source.zone.matches(ZoneId::Zone(i.zone)) && model.zones[i.zone].family.has(ipv6)
        })
        .collect();
    let mut parts: Vec<String> = interface_set(interfaces.into_iter())
        .map(|set| format!("iifname {set}"))
        .into_iter()
        .collect();
    let sources: Vec<&IpNet> = dnat
        .source
        .addresses
        .iter()
        .filter(|a| is_ipv6(a) == ipv6)
        .collect();
    if !sources.is_empty() {
        parts.push(format!("{family} saddr {}", address_set(&sources)));
    }
    parts.push(format!("{} dport {}", dnat.proto, ports(&dnat.dports)));
    if let Some(level) = dnat.log {
        let zone = match dnat.source.zone {
            ZoneRef::One(id) => model.zone_name(id).to_owned(),
            ZoneRef::All => "all".to_owned(),
        };
        parts.push(log_statement(model, &format!("{zone}_dnat"), "DNAT", level));
    }
    let target = match (dnat.to_port, ipv6) {
        (Some(port), false) => format!("{}:{port}", dnat.to),
        (Some(port), true) => format!("[{}]:{port}", dnat.to),
        (None, _) => dnat.to.to_string(),
    };
    parts.push(format!("dnat {family} to {target}"));
    format!("{}{}", parts.join(" "), comment(dnat.comment.as_ref()))
}
pub fn snat_rule(model: &Model, snat: &Snat) -> String {
    let interface = &model.interfaces[snat.interface];
    let mut parts: Vec<String> = ifname(interface)
        .map(|name| format!("oifname {name}"))
        .into_iter()
        .collect();
    let ipv6 = model.snat_is_ipv6(snat);
    let family = if ipv6 { "ip6" } else { "ip" };
    if snat.sources.is_empty() {
        parts.push(format!(
            "meta nfproto {}",
            if ipv6 { "ipv6" } else { "ipv4" }
        ));
    } else {
        let nets: Vec<&IpNet> = snat.sources.iter().collect();
        parts.push(format!("{family} saddr {}", address_set(&nets)));
    }
    parts.push(match snat.to {
        Some(to) => format!("snat {family} to {to}"),
        None => "masquerade".to_owned(),
    });
    format!("{}{}", parts.join(" "), comment(snat.comment.as_ref()))
}
