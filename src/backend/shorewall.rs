//! The Shorewall backend: lowers the model into Shorewall's configuration
//! files (and Shorewall6's, when a zone holds IPv6).
//!
//! Output tree: `shorewall/<file>` and `shorewall6/<file>`, so that
//! `--out /etc` puts them where Debian's packages read them.

mod conf;
mod conntrack;
mod ipsets;
mod maclist;
pub mod sample;
mod stopped;
mod tunnels;

use askama::Template;
use ipnet::IpNet;

use super::table::Columns;
use super::{OutputFile, header, template_failure};
use crate::error::Error;
use crate::model::nat::ForwardMacro;
use crate::model::owner::Owner;
use crate::model::rule::{NatExempt, Section, is_ipv6, written};
use crate::model::service::MacroColumns;
use crate::model::time::TimeWindow;
use crate::model::{
    Dnat, Endpoint, InterfaceOption, LogLevel, Mac, Model, OneToOne, Origdest, Policy,
    PolicyAction, PortRange, Protocol, Redirect, Rule, Service, Snat, SnatTarget, SnatTo, Verdict,
    Zone, ZoneId, ZoneRef,
};

/// One model item in a Shorewall table: its comment and the lines it
/// became (a rule with several services is several lines).
pub struct Item {
    pub comment: Option<String>,
    pub lines: Vec<String>,
}

impl Item {
    fn new(columns: &Columns, comment: Option<String>, rows: &[Vec<String>]) -> Item {
        Item {
            comment,
            lines: rows.iter().map(|cells| columns.line(cells)).collect(),
        }
    }
}

// Where each column of each table starts. The widths fit the usual cells
// (zone names of 5 characters, interface names of 15, an IPv6 network with
// its zone); a longer cell moves the rest of its own line only.
const ZONES: Columns = Columns(&[("ZONE", 0), ("TYPE", 8)]);
/// The zones file when a zone has an option (`mss=N`).
const ZONES_OPTIONS: Columns = Columns(&[
    ("ZONE", 0),
    ("TYPE", 8),
    ("OPTIONS", 16),
    ("IN OPTIONS", 32),
    ("OUT OPTIONS", 48),
]);
const INTERFACES: Columns = Columns(&[("ZONE", 0), ("INTERFACE", 8), ("OPTIONS", 24)]);
const HOSTS: Columns = Columns(&[("ZONE", 0), ("HOSTS", 8)]);
/// The hosts file when an entry has an option (`destonly`, `routeback`).
const HOSTS_OPTIONS: Columns = Columns(&[("ZONE", 0), ("HOSTS", 8), ("OPTIONS", 40)]);
const POLICY: Columns = Columns(&[("SOURCE", 0), ("DEST", 8), ("POLICY", 16), ("LOGLEVEL", 28)]);
const RULES: Columns = Columns(&[
    ("ACTION", 0),
    ("SOURCE", 16),
    ("DEST", 44),
    ("PROTO", 72),
    ("DPORT", 82),
    ("SPORT", 98),
]);
const SNAT: Columns = Columns(&[("ACTION", 0), ("SOURCE", 24), ("DEST", 48)]);
const NAT: Columns = Columns(&[
    ("EXTERNAL", 0),
    ("INTERFACE", 16),
    ("INTERNAL", 32),
    ("ALL", 48),
    ("LOCAL", 56),
]);
const MASQ: Columns = Columns(&[("INTERFACE", 0), ("SOURCE", 16), ("ADDRESS", 40)]);

#[derive(Template)]
#[template(path = "shorewall/zones.txt")]
struct ZonesFile<'a> {
    header: &'a str,
    columns: String,
    items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "shorewall/interfaces.txt")]
struct InterfacesFile<'a> {
    header: &'a str,
    columns: String,
    items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "shorewall/hosts.txt")]
struct HostsFile<'a> {
    header: &'a str,
    columns: String,
    items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "shorewall/policy.txt")]
struct PolicyFile<'a> {
    header: &'a str,
    columns: String,
    items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "shorewall/rules.txt")]
struct RulesFile<'a> {
    header: &'a str,
    columns: String,
    /// The sections before INVALID (`?SECTION ALL`, `ESTABLISHED`,
    /// `RELATED`), each with its rules; sections without rules left out.
    sections: Vec<(&'static str, Vec<Item>)>,
    /// Rules for packets in conntrack state INVALID (the `Invalid` macro).
    invalid: Vec<Item>,
    items: Vec<Item>,
    /// The rule that ends Shorewall's sections when no other does.
    section_end: Option<Item>,
}

#[derive(Template)]
#[template(path = "shorewall/blrules.txt")]
struct BlrulesFile<'a> {
    header: &'a str,
    columns: String,
    items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "shorewall/snat.txt")]
struct SnatFile<'a> {
    header: &'a str,
    columns: String,
    items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "shorewall/nat.txt")]
struct NatFile<'a> {
    header: &'a str,
    columns: String,
    items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "shorewall/masq.txt")]
struct MasqFile<'a> {
    header: &'a str,
    columns: String,
    items: Vec<Item>,
}

/// Which of Shorewall's two products a file set is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Product {
    ipv6: bool,
}

impl Product {
    fn dir(self) -> &'static str {
        if self.ipv6 { "shorewall6" } else { "shorewall" }
    }
}

/// The files of one product, as `render_product` names them.
const FILES: [&str; 14] = [
    "zones",
    "interfaces",
    "hosts",
    "policy",
    "blrules",
    "rules",
    "nat",
    "snat",
    "masq",
    "stoppedrules",
    "tunnels",
    "maclist",
    "conntrack",
    "init",
];

/// Every path this backend can write (both products, both NAT files).
pub fn known_files() -> Vec<String> {
    let mut files = Vec::new();
    for product in [Product { ipv6: false }, Product { ipv6: true }] {
        files.extend(FILES.iter().map(|name| format!("{}/{name}", product.dir())));
        files.push(format!("{}/{}.conf", product.dir(), product.dir()));
    }
    files
}

pub fn render(model: &Model) -> Result<Vec<OutputFile>, Vec<Error>> {
    if !model.has_family(false) {
        return Err(vec![Error::new(
            None,
            crate::error::ErrorKind::ShorewallNeedsIpv4,
        )]);
    }
    let mut files = Vec::new();
    let products = [Product { ipv6: false }, Product { ipv6: true }];
    for product in products {
        if product.ipv6 && !model.has_family(true) {
            continue;
        }
        files.extend(render_product(model, product).map_err(template_failure)?);
    }
    Ok(files)
}

fn render_product(model: &Model, product: Product) -> Result<Vec<OutputFile>, askama::Error> {
    let header = header(model);
    let header = header.as_str();
    let mut files = vec![
        (
            "zones",
            ZonesFile {
                header,
                columns: zone_columns(model).header(),
                items: zone_items(model, product),
            }
            .render()?,
        ),
        (
            "interfaces",
            InterfacesFile {
                header,
                columns: INTERFACES.header(),
                items: interface_items(model, product),
            }
            .render()?,
        ),
    ];
    let (hosts, columns) = host_items(model, product);
    if !hosts.is_empty() {
        let columns = columns.header();
        let items = hosts;
        files.push((
            "hosts",
            HostsFile {
                header,
                columns,
                items,
            }
            .render()?,
        ));
    }
    files.extend([
        (
            "policy",
            PolicyFile {
                header,
                columns: POLICY.header(),
                items: policy_items(model, product),
            }
            .render()?,
        ),
        (
            "blrules",
            BlrulesFile {
                header,
                columns: RULES.header(),
                items: blacklist_items(model, product),
            }
            .render()?,
        ),
        ("rules", rules_file(model, product, header).render()?),
    ]);
    if !product.ipv6 && !model.one_to_one.is_empty() {
        let items = model
            .one_to_one
            .iter()
            .map(|nat| nat_item(model, nat))
            .collect();
        files.push((
            "nat",
            NatFile {
                header,
                columns: NAT.header(),
                items,
            }
            .render()?,
        ));
    }
    let snats: Vec<&Snat> = model
        .snats
        .iter()
        .filter(|s| s.ipv6 == product.ipv6)
        .collect();
    if model.shorewall_version >= 5 || product.ipv6 {
        files.push((
            "snat",
            SnatFile {
                header,
                columns: SNAT.header(),
                items: snat_items(model, &snats, product),
            }
            .render()?,
        ));
    } else if !snats.is_empty() {
        // Shorewall 5 converts a masq file to snat and warns when it is empty.
        files.push((
            "masq",
            MasqFile {
                header,
                columns: MASQ.header(),
                items: masq_items(model, &snats),
            }
            .render()?,
        ));
    }
    files.push(stopped::render(model, product, header)?);
    files.push(tunnels::render(model, product, header)?);
    files.extend(maclist::render(model, product, header)?);
    files.push(conntrack::render(model, product, header)?);
    files.push(conf::render(model, product, header)?);
    files.extend(ipsets::render(model, product, header)?);
    Ok(files
        .into_iter()
        .map(|(name, content)| OutputFile {
            path: format!("{}/{name}", product.dir()),
            content,
        })
        .collect())
}

/// The zones file's columns: OPTIONS, IN OPTIONS and OUT OPTIONS when a
/// zone has `mss`, `mss_in` or `mss_out`.
fn zone_columns(model: &Model) -> &'static Columns {
    if model.zones.iter().any(|z| z.mss.is_set()) {
        &ZONES_OPTIONS
    } else {
        &ZONES
    }
}

fn zone_items(model: &Model, product: Product) -> Vec<Item> {
    let kind = if product.ipv6 { "ipv6" } else { "ipv4" };
    let columns = zone_columns(model);
    let firewall = vec![model.firewall.zone.clone(), "firewall".to_owned()];
    let firewall = Item::new(columns, None, &[firewall]);
    // Declaration order: Shorewall wants a parent before its nested zones
    // (and sorts them for dispatch itself).
    let mut declared: Vec<&Zone> = model.zones.iter().collect();
    declared.sort_by_key(|z| z.span.start);
    let zones = declared
        .into_iter()
        .filter(|z| z.family.has(product.ipv6))
        .map(|z| {
            let parents: Vec<&str> = z
                .parents
                .iter()
                .map(|&p| model.zones[p].name.as_str())
                .collect();
            let name = if parents.is_empty() {
                z.name.clone()
            } else {
                format!("{}:{}", z.name, parents.join(","))
            };
            let mut cells = vec![name, kind.to_owned()];
            if z.mss.is_set() {
                let cell = |size: Option<u16>| size.map_or("-".to_owned(), |s| format!("mss={s}"));
                cells.extend([cell(z.mss.both), cell(z.mss.entering), cell(z.mss.leaving)]);
                while cells.last().is_some_and(|c| c == "-") {
                    cells.pop();
                }
            }
            Item::new(columns, z.description.clone(), &[cells])
        });
    std::iter::once(firewall).chain(zones).collect()
}

fn zone_in_product(model: &Model, zone: usize, product: Product) -> bool {
    model.zones[zone].family.has(product.ipv6)
}

fn interface_items(model: &Model, product: Product) -> Vec<Item> {
    model
        .interfaces
        .iter()
        .enumerate()
        .filter(|(index, i)| match i.zone {
            Some(zone) => zone_in_product(model, zone, product),
            None => model.interface_family(*index).has(product.ipv6),
        })
        .map(|(_, interface)| {
            let mut options: Vec<String> = interface
                .options
                .iter()
                .copied()
                .filter(|o| option_in_product(*o, product))
                .chain(interface.options_of(product.ipv6))
                .map(|o| o.to_string())
                .collect();
            // Shorewall checks TCP flags on every interface that does not
            // say otherwise (Zones.pm); the model's tcpflags is opt-in.
            if !options.iter().any(|o| o == "tcpflags") {
                options.push("tcpflags=0".to_owned());
            }
            if interface.physical != interface.name {
                options.push(format!("physical={}", interface.physical));
            }
            // Never empty: tcpflags or tcpflags=0 is always written.
            let options = options.join(",");
            // `-`: an interface of no zone, its hosts zoned by the hosts file.
            let zone = interface
                .zone
                .map_or_else(|| "-".to_owned(), |zone| model.zones[zone].name.clone());
            let cells = vec![zone, interface.name.clone(), options];
            Item::new(&INTERFACES, interface.description.clone(), &[cells])
        })
        .collect()
}

/// One line per hosts entry of a zone: `vpn  eth0:10.8.0.0/24`, with an
/// OPTIONS column (`destonly`, `routeback`) when an entry has an option.
fn host_items(model: &Model, product: Product) -> (Vec<Item>, &'static Columns) {
    let zones = || model.zones.iter().filter(|z| z.family.has(product.ipv6));
    let options = zones().any(|z| z.hosts.iter().any(|h| !host_options(h).is_empty()));
    let columns = if options { &HOSTS_OPTIONS } else { &HOSTS };
    let mut items = Vec::new();
    for zone in zones() {
        for hosts in &zone.hosts {
            let nets: Vec<String> = match hosts.ipset.map(|set| &model.ipsets[set]) {
                // `eth0:+bo`: the set's members, whatever it holds.
                Some(set) if set.ipv6 == product.ipv6 => vec![format!("+{}", set.name)],
                Some(_) => Vec::new(),
                None => host_networks(hosts, product),
            };
            if nets.is_empty() {
                continue;
            }
            let interface = &model.interfaces[hosts.interface].name;
            let mut cells = vec![zone.name.clone(), format!("{interface}:{}", nets.join(","))];
            if options {
                let written = host_options(hosts);
                cells.push(if written.is_empty() {
                    "-".to_owned()
                } else {
                    written.join(",")
                });
            }
            items.push(Item::new(columns, None, &[cells]));
        }
    }
    (items, columns)
}

/// A hosts entry's networks of the product's family, as written: with an
/// exclusion, the networks then `!` and the addresses left out
/// (`192.168.1.0/24!192.168.1.5`), one item of the list.
fn host_networks(hosts: &crate::model::Hosts, product: Product) -> Vec<String> {
    let cells = |nets: &[ipnet::IpNet]| -> Vec<String> {
        nets.iter()
            .filter(|n| is_ipv6(n) == product.ipv6)
            .map(|n| address_cell(n, product))
            .collect()
    };
    let Some(exclusion) = &hosts.exclusion else {
        return cells(&hosts.networks);
    };
    let mut nets = cells(&exclusion.networks);
    let except = cells(&exclusion.except);
    if let (Some(last), false) = (nets.last_mut(), except.is_empty()) {
        last.push('!');
        last.push_str(&except.join(","));
    }
    nets
}

/// The OPTIONS of a hosts entry's line, in shorewall-hosts(5)'s order.
fn host_options(hosts: &crate::model::Hosts) -> Vec<&'static str> {
    [
        ("destonly", hosts.destonly),
        ("routeback", hosts.routeback),
        ("tcpflags", hosts.tcpflags),
    ]
    .into_iter()
    .filter_map(|(name, set)| set.then_some(name))
    .collect()
}

/// Whether the product's interfaces file knows the option: the IPv4
/// sysctl options are Shorewall's alone, `forward` (an IPv6 sysctl)
/// Shorewall6's alone (Zones.pm's option tables).
fn option_in_product(option: InterfaceOption, product: Product) -> bool {
    match option {
        InterfaceOption::Routefilter(_)
        | InterfaceOption::Logmartians(_)
        | InterfaceOption::ArpFilter
        | InterfaceOption::Proxyarp(_) => !product.ipv6,
        InterfaceOption::Forward(_) => product.ipv6,
        _ => true,
    }
}

fn zone_ref_in_product(model: &Model, zone: ZoneRef, product: Product) -> bool {
    match zone {
        ZoneRef::All | ZoneRef::One(ZoneId::Firewall) => true,
        ZoneRef::One(ZoneId::Zone(index)) => zone_in_product(model, index, product),
    }
}

fn log_suffix(log: Option<LogLevel>) -> String {
    log.map_or(String::new(), |l| format!(":{l}"))
}

/// `:level:tag` after an action (`ACCEPT:info:TRAP`, `DNAT:info:web`).
fn tagged_log_suffix(log: Option<LogLevel>, tag: Option<&String>) -> String {
    log_suffix(log) + &tag.map_or(String::new(), |t| format!(":{t}"))
}

/// The POLICY column: the action, then the policy's own default actions
/// when it names them (`DROP:Broadcast(DROP)`, `ACCEPT:none`); Shorewall6's
/// begin with AllowICMPs before DROP and REJECT, as its DROP_DEFAULT does.
/// An audited policy ends in `:audit` (Rules.pm strips it first).
fn policy_column(policy: &Policy, product: Product) -> String {
    let audit = if policy.audit { ":audit" } else { "" };
    let keyword = policy.action.keyword();
    let Some(own) = &policy.default_action else {
        return format!("{keyword}{audit}");
    };
    let mut words: Vec<&str> = Vec::new();
    if product.ipv6 && policy.action != PolicyAction::Accept {
        words.push("AllowICMPs");
    }
    words.extend(own.iter().map(|a| a.keyword()));
    if words.is_empty() {
        words.push("none");
    }
    format!("{keyword}:{}{audit}", words.join(","))
}

fn policy_items(model: &Model, product: Product) -> Vec<Item> {
    model
        .policies
        .iter()
        .filter(|p| p.family.has(product.ipv6))
        .filter_map(|p| {
            let keep = |zone| zone_ref_in_product(model, ZoneRef::One(zone), product);
            let (source, dest) = model.policy_sides(p, keep)?;
            let mut cells = vec![source, dest, policy_column(p, product)];
            // LOGLEVEL, RATE (Shorewall's `15/min:30`) and CONNLIMIT
            // (`s:2:24`), each `-` when empty before one that is not.
            let columns = [
                p.log.map(|l| l.to_string()),
                p.rate.as_deref().map(ToString::to_string),
                p.connlimit.map(|c| c.to_string()),
            ];
            let written = columns
                .iter()
                .rposition(Option::is_some)
                .map_or(0, |n| n + 1);
            let dash = || "-".to_owned();
            cells.extend(
                columns
                    .into_iter()
                    .take(written)
                    .map(|c| c.unwrap_or_else(dash)),
            );
            Some(Item::new(&POLICY, p.comment.clone(), &[cells]))
        })
        .collect()
}

fn rules_file<'a>(model: &Model, product: Product, header: &'a str) -> RulesFile<'a> {
    // One list in the model's file order: Shorewall applies the rules file
    // top to bottom, port forwards included.
    let dnats = model
        .dnats
        .iter()
        .filter(|d| d.is_ipv6() == product.ipv6)
        .filter_map(|dnat| Some((dnat.span.start, dnat_item(model, dnat, product)?)));
    let rules = model
        .rules
        .iter()
        .filter(|r| r.section == Section::New)
        .filter_map(|rule| Some((rule.span.start, rule_item(model, rule, product, false)?)));
    let redirects = model
        .redirects
        .iter()
        .filter(|r| zone_ref_in_product(model, r.source.zone, product))
        .filter(|r| r.origdest_ipv6().is_none_or(|ipv6| ipv6 == product.ipv6))
        .filter_map(|r| Some((r.span.start, redirect_item(model, r, product)?)));
    // NONAT: ACCEPT+ is among the rules.
    let exemptions = (model.nat_exemptions.iter())
        .filter(|r| r.nat_exempt == Some(NatExempt::Only))
        .filter_map(|rule| Some((rule.span.start, rule_item(model, rule, product, false)?)));
    let mut items: Vec<(usize, Item)> = dnats
        .chain(redirects)
        .chain(rules)
        .chain(exemptions)
        .collect();
    items.sort_by_key(|(at, _)| *at);
    let invalid = model
        .rules
        .iter()
        .filter(|r| r.in_invalid_section())
        .filter_map(|rule| rule_item(model, rule, product, false))
        .collect();
    let items: Vec<Item> = items.into_iter().map(|(_, item)| item).collect();
    let sections: Vec<(&'static str, Vec<Item>)> =
        [Section::All, Section::Established, Section::Related]
            .into_iter()
            .map(|section| {
                let rules = (model.rules.iter())
                    .filter(|r| r.section == section)
                    .filter_map(|rule| rule_item(model, rule, product, false))
                    .collect();
                (section.shorewall(), rules)
            })
            .filter(|(_, rules): &(_, Vec<Item>)| !rules.is_empty())
            .collect();
    let early = !sections.is_empty();
    let section_end = (items.is_empty() && (early || !blacklist_items(model, product).is_empty()))
        .then(|| section_end(model));
    RulesFile {
        header,
        columns: RULES.header(),
        sections,
        invalid,
        items,
        section_end,
    }
}

/// Shorewall ends the rules file's sections (each zone pair's
/// ESTABLISHED,RELATED accept) only when it reads a rule of the NEW
/// section (Rules.pm: process_raw_rule calls next_section); the chains
/// the blrules made before would go without it, and replies would meet the
/// policies. The firewall's traffic to itself, accepted anyway (on `lo`),
/// is that rule when the model has none.
fn section_end(model: &Model) -> Item {
    let fw = model.zone_ref_name(ZoneRef::One(ZoneId::Firewall));
    Item::new(&RULES, None, &[vec!["ACCEPT".to_owned(), fw.clone(), fw]])
}

/// Whether the family's blrules holds an entry: Shorewall's `$blrules`
/// (Rules.pm), which decides where the interfaces' options go
/// (`crate::ruleset::lower::option_place`).
pub fn writes_blacklist(model: &Model, ipv6: bool) -> bool {
    !blacklist_items(model, Product { ipv6 }).is_empty()
}

/// The `[[blacklist]]` entries of the product's family, in model order.
fn blacklist_items(model: &Model, product: Product) -> Vec<Item> {
    model
        .blacklist
        .iter()
        .filter_map(|rule| rule_item(model, rule, product, true))
        .collect()
}

fn endpoint_cell(model: &Model, endpoint: &Endpoint, product: Product) -> Option<String> {
    let mut zone = model.zone_ref_name(endpoint.zone);
    if let Some(name) = endpoint.interface_name(&model.interfaces) {
        zone = format!("{zone}:{name}");
    }
    if !endpoint.macs().is_empty() {
        let macs: Vec<String> = endpoint.macs().iter().map(Mac::tilde).collect();
        return Some(format!("{zone}:{}", macs.join(",")));
    }
    if !endpoint.has_addresses() {
        return Some(zone);
    }
    if !endpoint.allows_family(product.ipv6) {
        return None;
    }
    if let Some(index) = endpoint.interface_address {
        // Shorewall reads the address when its firewall starts.
        return Some(format!("{zone}:&{}", model.interfaces[index].name));
    }
    if let Some(set) = endpoint.ipset {
        let not = if set.negated { "!" } else { "" };
        return Some(format!("{zone}:{not}+{}", model.ipsets[set.index].name));
    }
    let cells = |nets: &[IpNet]| -> String {
        let cells: Vec<String> = nets
            .iter()
            .filter(|a| is_ipv6(a) == product.ipv6)
            .map(|a| address_cell(a, product))
            .collect();
        cells.join(",")
    };
    // shorewall-exclusion(5): `zone:taken!left,out`, or `zone:!left,out`.
    // Shorewall6 takes them in one pair of brackets, unbracketed inside
    // (`loc:eth1:[2001:db8::/64!2001:db8::5]`): Chains.pm
    // isolate_source_interface takes an address list after an interface
    // only in brackets, and split_network refuses `[N]![A]` ("Missing
    // ']'"; helper-249).
    if product.ipv6 && endpoint.excluded.iter().any(is_ipv6) {
        let plain = |nets: &[IpNet]| -> String {
            let written: Vec<String> = (nets.iter()).filter(|a| is_ipv6(a)).map(written).collect();
            written.join(",")
        };
        let (taken, left_out) = (plain(&endpoint.addresses), plain(&endpoint.excluded));
        return Some(format!("{zone}:[{taken}!{left_out}]"));
    }
    let (taken, left_out) = (cells(&endpoint.addresses), cells(&endpoint.excluded));
    Some(if left_out.is_empty() {
        format!("{zone}:{taken}")
    } else {
        format!("{zone}:{taken}!{left_out}")
    })
}

fn address_cell(net: &IpNet, product: Product) -> String {
    let text = written(net);
    if product.ipv6 {
        format!("[{text}]")
    } else {
        text
    }
}

/// An ORIGDEST cell of the product's family, as shorewall-exclusion(5)
/// writes it (`ADDR,...`, `ADDR,...!ADDR,...`, `!ADDR,...`); `None` when
/// it names nothing of that family.
fn origdest_cell(origdest: &Origdest, product: Product) -> Option<String> {
    let one = origdest.of_family(product.ipv6)?;
    if one.is_empty() {
        return None;
    }
    let list = |nets: &[IpNet]| -> String {
        let cells: Vec<String> = nets.iter().map(|n| address_cell(n, product)).collect();
        cells.join(",")
    };
    let mut cell = list(&one.addresses);
    if !one.excluded.is_empty() {
        cell = format!("{cell}!{}", list(&one.excluded));
    }
    Some(cell)
}

fn ports_cell(ports: &[PortRange]) -> String {
    if ports.is_empty() {
        return "-".to_owned();
    }
    ports
        .iter()
        .map(|p| p.written(":"))
        .collect::<Vec<_>>()
        .join(",")
}

/// A rule's lines in one product: one per service, or none when the rule
/// does not concern the product's family. In the blacklist (`blacklist`)
/// an ACCEPT is written WHITELIST, its name there (a macro's stays ACCEPT,
/// which blrules reads the same).
fn rule_item(model: &Model, rule: &Rule, product: Product, blacklist: bool) -> Option<Item> {
    // A macro call split into parts is written once, as called: Shorewall
    // expands it itself.
    let (source, dest, origdest, family_ok) = match rule.macro_part.as_deref() {
        Some(share) if !share.first => return None,
        Some(share) => (
            &share.source,
            &share.dest,
            &share.origdest,
            share.has(product.ipv6),
        ),
        None => (
            &rule.source,
            &rule.dest,
            &rule.origdest,
            rule.allows_family(product.ipv6),
        ),
    };
    let zones_ok = zone_ref_in_product(model, source.zone, product)
        && zone_ref_in_product(model, dest.zone, product);
    if !zones_ok || !family_ok {
        return None;
    }
    let mut source = endpoint_cell(model, source, product)?;
    let mut dest = endpoint_cell(model, dest, product)?;
    // NONAT's DEST is addresses alone: Rules.pm warns that it ignores a
    // zone. It still leaves that zone out of a SOURCE `all` (no zone's
    // traffic to itself), so the zone goes to SOURCE as `all!ZONE`
    // (`all-` for the firewall), which means the same without the warning.
    if rule.nat_exempt == Some(NatExempt::Only) {
        if let (ZoneRef::All, ZoneRef::One(zone)) = (rule.source.zone, rule.dest.zone)
            && let Some(addresses) = source.strip_prefix("all").map(str::to_owned)
        {
            source = match zone {
                ZoneId::Firewall => format!("all-{addresses}"),
                ZoneId::Zone(_) => format!("all!{}{addresses}", model.zone_name(zone)),
            };
        }
        dest = dest
            .split_once(':')
            .map_or("-", |(_, addresses)| addresses)
            .to_owned();
    }
    let log = tagged_log_suffix(rule.log, rule.log_tag.as_ref());
    let item = |rows: &[Vec<String>]| Item::new(&RULES, rule.comment.clone(), rows);
    // Audited: A_ACCEPT, A_DROP, A_REJECT, plain or a macro's (`SSH(A_ACCEPT)`).
    let verdict = match rule.nat_exempt {
        Some(exempt) => exempt.keyword(),
        None => rule.verdict.action_word(rule.audit),
    };
    let action = match rule.service_macro.filter(|m| m.in_shorewall()) {
        Some(found) if found.stock.is_some() => {
            let action = format!("{}({verdict}){log}", found.name);
            let mut cells = vec![action, source, dest];
            cells.extend(macro_cells(rule.macro_columns.as_deref(), product));
            limit_cells(rule, origdest, product, &mut cells);
            helper_cell(rule, &mut cells);
            return Some(item(&[cells]));
        }
        Some(found) => format!("{}({verdict}){log}", found.name),
        None => match rule.reject_with.as_deref() {
            Some(named) => format!("REJECT({}){log}", named.option),
            None if blacklist && rule.verdict == Verdict::Accept => format!("WHITELIST{log}"),
            None => format!("{verdict}{log}"),
        },
    };
    if rule.services.is_empty() {
        let mut cells = vec![action, source, dest];
        limit_cells(rule, origdest, product, &mut cells);
        helper_cell(rule, &mut cells);
        return Some(item(&[cells]));
    }
    let rows: Vec<Vec<String>> = rule
        .services
        .iter()
        .filter(|s| s.proto.only_ipv6().is_none_or(|v6| v6 == product.ipv6))
        .map(|service| {
            let mut cells = vec![action.clone(), source.clone(), dest.clone()];
            cells.extend(service_cells(service, product));
            // `syn = true`: PROTO `tcp:syn` (the analyzer allows it on tcp
            // alone).
            if rule.syn {
                cells[3].push_str(":syn");
            }
            limit_cells(rule, origdest, product, &mut cells);
            helper_cell(rule, &mut cells);
            cells
        })
        .collect();
    (!rows.is_empty()).then(|| item(&rows))
}

/// A rule's ORIGDEST, RATE, USER/GROUP, CONNLIMIT and TIME cells after
/// its SPORT (MARK left `-`), up to the last it has. ORIGDEST holds the
/// product's family.
fn limit_cells(rule: &Rule, origdest: &Origdest, product: Product, cells: &mut Vec<String>) {
    let dash = || "-".to_owned();
    let mut tail = vec![
        origdest_cell(origdest, product).unwrap_or_else(dash),
        rule.rate.as_ref().map_or_else(dash, ToString::to_string),
        rule.owner.as_deref().map_or_else(dash, Owner::shorewall),
        dash(),
        rule.connlimit.map_or_else(dash, |c| c.to_string()),
        rule.time
            .as_deref()
            .map_or_else(dash, TimeWindow::shorewall),
    ];
    while tail.last().is_some_and(|cell| cell == "-") {
        tail.pop();
    }
    if tail.is_empty() && origdest.is_empty() {
        return;
    }
    cells.resize(6, dash());
    if tail.is_empty() {
        tail.push(dash());
    }
    cells.extend(tail);
}

/// A rule's HELPER column, as the column/value pair macro files write it
/// (`{ helper=ftp }`, Config.pm split_line2), when the macro it calls
/// does not attach that helper itself (AUTOHELPERS=No does for a helper
/// macro). The helper is one of a fixed list of names.
fn helper_cell(rule: &Rule, cells: &mut Vec<String>) {
    let Some(helper) = rule.helper else {
        return;
    };
    if rule
        .service_macro
        .and_then(|m| m.stock)
        .and_then(|s| s.helper)
        == Some(helper)
    {
        return;
    }
    cells.push(format!("{{ helper={helper} }}"));
}

/// The PROTO, DPORT and SPORT a rule gives its macro (`-`: the macro's own).
fn macro_cells(columns: Option<&MacroColumns>, product: Product) -> Vec<String> {
    let Some(columns) = columns else {
        return Vec::new();
    };
    let proto = columns.proto.as_deref().map(|p| match p {
        "icmpv6" if product.ipv6 => "ipv6-icmp",
        other => other,
    });
    let mut cells: Vec<String> = [proto, columns.dport.as_deref(), columns.sport.as_deref()]
        .iter()
        .map(|c| c.unwrap_or("-").to_owned())
        .collect();
    while cells.last().is_some_and(|c| c == "-") {
        cells.pop();
    }
    cells
}

fn service_cells(service: &Service, product: Product) -> Vec<String> {
    let proto = match service.proto {
        Protocol::Icmpv6 if product.ipv6 => "ipv6-icmp".to_owned(),
        other => other.to_string(),
    };
    let mut cells = vec![proto];
    if let Some(icmp) = service.icmp_type {
        // ip6tables names ICMPv6 types differently from nftables: use numbers.
        let written = match service.proto {
            Protocol::Icmpv6 => icmp.numeric(),
            _ => icmp.to_string(),
        };
        cells.push(written);
    } else if !service.dports.is_empty() || !service.sports.is_empty() {
        cells.push(ports_cell(&service.dports));
        if !service.sports.is_empty() {
            cells.push(ports_cell(&service.sports));
        }
    }
    cells
}

/// The cells a forward written with a macro gives after its DEST
/// (`HTTP(DNAT) net loc:192.168.1.3`: none; PROTO, DPORT and SPORT as the
/// call gave them), then ORIGDEST.
fn forward_macro_cells(call: &ForwardMacro, origdest: Option<String>) -> Vec<String> {
    let columns = &call.columns;
    let mut cells: Vec<String> = [&columns.proto, &columns.dport, &columns.sport]
        .iter()
        .map(|c| (*c).clone().unwrap_or_else(|| "-".to_owned()))
        .chain(origdest)
        .collect();
    while cells.last().is_some_and(|c| c == "-") {
        cells.pop();
    }
    cells
}

/// A forward's action: `DNAT`, or the macro called with it
/// (`Web(DNAT)`), with its log level.
fn forward_action(
    action: &str,
    call: Option<&ForwardMacro>,
    log: Option<LogLevel>,
    tag: Option<&String>,
) -> String {
    let log = tagged_log_suffix(log, tag);
    match call {
        Some(call) => format!("{}({action}){log}", call.name),
        None => format!("{action}{log}"),
    }
}

fn dnat_item(model: &Model, dnat: &Dnat, product: Product) -> Option<Item> {
    // A macro call is written once, as called: Shorewall expands it.
    if dnat.macro_call.as_ref().is_some_and(|call| !call.first) {
        return None;
    }
    let source = endpoint_cell(model, &dnat.source, product)?;
    let zone = &model.zones[dnat.dest].name;
    let target = address_cell(&IpNet::from(dnat.to), product);
    let mut dest = match dnat.to_port {
        Some(port) => format!("{target}:{port}"),
        None => target,
    };
    // DNAT- takes no zone: Rules.pm warns that it ignores one.
    if dnat.accept {
        dest = format!("{zone}:{dest}");
    }
    let keyword = if dnat.accept { "DNAT" } else { "DNAT-" };
    let action = forward_action(
        keyword,
        dnat.macro_call.as_ref(),
        dnat.log,
        dnat.log_tag.as_ref(),
    );
    if let Some(call) = &dnat.macro_call {
        let mut cells = vec![action, source, dest];
        cells.extend(forward_macro_cells(
            call,
            origdest_cell(&dnat.origdest, product),
        ));
        return Some(Item::new(&RULES, dnat.comment.clone(), &[cells]));
    }
    let mut cells = vec![
        action,
        source,
        dest,
        dnat.proto.to_string(),
        ports_cell(&dnat.dports),
    ];
    if !dnat.sports.is_empty() || !dnat.origdest.is_empty() {
        cells.push(if dnat.sports.is_empty() {
            "-".to_owned()
        } else {
            ports_cell(&dnat.sports)
        });
    }
    cells.extend(origdest_cell(&dnat.origdest, product));
    if let Some(rate) = &dnat.rate {
        // RATE, after SPORT and ORIGDEST.
        cells.resize(7, "-".to_owned());
        cells.push(rate.to_string());
    }
    Some(Item::new(&RULES, dnat.comment.clone(), &[cells]))
}

/// `REDIRECT SOURCE PORT PROTO DPORT [SPORT [ORIGDEST]]`
/// (shorewall-rules(5)).
fn redirect_item(model: &Model, redirect: &Redirect, product: Product) -> Option<Item> {
    let call = redirect.macro_call.as_ref();
    if call.is_some_and(|call| !call.first) {
        return None;
    }
    let keyword = if redirect.accept {
        "REDIRECT"
    } else {
        "REDIRECT-"
    };
    let action = forward_action(keyword, call, redirect.log, redirect.log_tag.as_ref());
    let source = endpoint_cell(model, &redirect.source, product)?;
    if let Some(call) = call {
        let mut cells = vec![action, source, redirect.to_port.to_string()];
        cells.extend(forward_macro_cells(
            call,
            origdest_cell(&redirect.origdest, product),
        ));
        return Some(Item::new(&RULES, redirect.comment.clone(), &[cells]));
    }
    let mut cells = vec![
        action,
        source,
        redirect.to_port.to_string(),
        redirect.proto.to_string(),
        ports_cell(&redirect.dports),
    ];
    if !redirect.sports.is_empty() || !redirect.origdest.is_empty() {
        cells.push(if redirect.sports.is_empty() {
            "-".to_owned()
        } else {
            ports_cell(&redirect.sports)
        });
    }
    cells.extend(origdest_cell(&redirect.origdest, product));
    Some(Item::new(&RULES, redirect.comment.clone(), &[cells]))
}

/// `EXTERNAL INTERFACE INTERNAL ALL LOCAL` (shorewall-nat(5)).
fn nat_item(model: &Model, nat: &OneToOne) -> Item {
    let yes_no = |on: bool| if on { "Yes" } else { "No" }.to_owned();
    let cells = vec![
        nat.external.to_string(),
        model.interfaces[nat.interface].name.clone(),
        nat.internal.to_string(),
        yes_no(nat.all_interfaces),
        yes_no(nat.local),
    ];
    Item::new(&NAT, nat.comment.clone(), &[cells])
}

/// The interface, with `:NETWORKS` when the entry translates only
/// connections to them (shorewall-snat(5)'s DEST, the masq INTERFACE).
fn dest_cell(model: &Model, snat: &Snat) -> String {
    let interface = snat.interface_name(&model.interfaces).to_owned();
    if snat.destinations.is_empty() {
        return interface;
    }
    let nets: Vec<String> = snat.destinations.iter().map(ToString::to_string).collect();
    format!("{interface}:{}", nets.join(","))
}

fn sources_cell(model: &Model, snat: &Snat, product: Product) -> String {
    if let Some(interface) = snat.source_interface {
        // Shorewall masquerades the networks routed out of it.
        return model.interfaces[interface].name.clone();
    }
    if !snat.source_sets.is_empty() {
        let sets: Vec<String> = (snat.source_sets.iter())
            .map(|&set| format!("+{}", model.ipsets[set].name))
            .collect();
        return sets.join(",");
    }
    let join = |nets: &[ipnet::IpNet]| {
        nets.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(",")
    };
    let all = if product.ipv6 { "::/0" } else { "0.0.0.0/0" };
    // `10.0.0.0/8!10.1.0.0/16`: the sources as written, then those left out.
    if let Some(exclusion) = &snat.exclusion {
        let taken = match exclusion.networks.is_empty() {
            true => all.to_owned(),
            false => join(&exclusion.networks),
        };
        let except: Vec<String> = exclusion.except.iter().map(written).collect();
        return format!("{taken}!{}", except.join(","));
    }
    if snat.sources.is_empty() {
        return all.to_owned();
    }
    join(&snat.sources)
}

fn snat_items(model: &Model, snats: &[&Snat], product: Product) -> Vec<Item> {
    snats
        .iter()
        .map(|snat| {
            let flags = nat_flags(snat, snat.target.address().is_some_and(|to| to.persistent));
            // `SNAT+(...)`, `MASQUERADE+`: ahead of the one-to-one NAT.
            let plus = if snat.before_nat { "+" } else { "" };
            let action = match snat.target {
                SnatTarget::Exempt => "CONTINUE".to_owned(),
                SnatTarget::Detect => format!("SNAT{plus}(detect{flags})"),
                SnatTarget::To(to) => format!("SNAT{plus}({})", shorewall_to(to, snat)),
                // SNAT(:PORTS[:random]): Rules.pm's `--to-source :PORTS`.
                SnatTarget::Keep => {
                    let range = snat.ports.range_text().unwrap_or_default();
                    format!("SNAT{plus}(:{range}{flags})")
                }
                // MASQUERADE(PORTS[:random]) or MASQUERADE(random).
                SnatTarget::Masquerade => match (snat.ports.range_text(), snat.ports.random) {
                    (Some(range), _) => format!("MASQUERADE{plus}({range}{flags})"),
                    (None, true) => format!("MASQUERADE{plus}(random)"),
                    (None, false) => format!("MASQUERADE{plus}"),
                },
            };
            let interface = dest_cell(model, snat);
            let mut cells = vec![action, sources_cell(model, snat, product), interface];
            cells.extend(column_cells(snat, 4));
            Item::new(&SNAT, snat.comment.clone(), &[cells])
        })
        .collect()
}

/// An SNAT address or range as snat's SNAT() and masq's ADDRESS take it,
/// with its source ports (an IPv6 address in brackets then, Rules.pm's
/// process_snat1), `:random` and `:persistent` (shorewall-snat(5); the
/// masq file strips `:persistent` first, then `:random`, from the end).
fn shorewall_to(to: SnatTo, snat: &Snat) -> String {
    let address = match (snat.ports.range_text(), to.is_ipv6()) {
        (None, _) => to.to_string(),
        (Some(range), false) => format!("{to}:{range}"),
        (Some(range), true) if to.is_range() => format!("[{}]-[{}]:{range}", to.first, to.last),
        (Some(range), true) => format!("[{}]:{range}", to.first),
    };
    format!("{address}{}", nat_flags(snat, to.persistent))
}

/// `:random` and `:persistent`, in the order the masq file reads them.
fn nat_flags(snat: &Snat, persistent: bool) -> String {
    let random = if snat.ports.random { ":random" } else { "" };
    let persistent = if persistent { ":persistent" } else { "" };
    format!("{random}{persistent}")
}

fn masq_items(model: &Model, snats: &[&Snat]) -> Vec<Item> {
    let product = Product { ipv6: false };
    snats
        .iter()
        .map(|snat| {
            // The masq file's `+INTERFACE` (Nat.pm): ahead of the one-to-one NAT.
            let plus = if snat.before_nat { "+" } else { "" };
            let interface = format!("{plus}{}", dest_cell(model, snat));
            let mut cells = vec![interface, sources_cell(model, snat, product)];
            let more = column_cells(snat, 3);
            match snat.target {
                // The masq file's CONTINUE (Nat.pm: `-j RETURN`).
                SnatTarget::Exempt => cells.push("NONAT".to_owned()),
                SnatTarget::Detect => cells.push(format!("detect{}", nat_flags(snat, false))),
                SnatTarget::To(to) => cells.push(shorewall_to(to, snat)),
                SnatTarget::Keep => {
                    unreachable!("the analyzer refuses `keep` with Shorewall 4's masq file")
                }
                // The masq file's masquerade with ports: `:PORTS[:random]`.
                SnatTarget::Masquerade => match snat.ports.range_text() {
                    Some(range) => cells.push(format!(":{range}{}", nat_flags(snat, false))),
                    None if snat.ports.random => cells.push("random".to_owned()),
                    None if !more.is_empty() => cells.push("-".to_owned()),
                    None => {}
                },
            }
            cells.extend(more);
            Item::new(&MASQ, snat.comment.clone(), &[cells])
        })
        .collect()
}

/// The columns after DEST (snat) or ADDRESS (masq) up to the last one
/// the entry fills: PROTO, PORT(S)/DPORT, then `before_mark - 2` empty
/// ones (snat's ?FORMAT 2: SPORT and IPSEC; masq: IPSEC) and MARK.
fn column_cells(snat: &Snat, before_mark: usize) -> Vec<String> {
    let mut cells = vec![
        snat.proto.map_or_else(|| "-".to_owned(), |p| p.to_string()),
        ports_cell(&snat.dports),
    ];
    cells.extend(vec!["-".to_owned(); before_mark - 2]);
    cells.push(snat.mark.map_or_else(|| "-".to_owned(), |m| m.to_string()));
    while cells.last().is_some_and(|c| c == "-") {
        cells.pop();
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::compile;
    use crate::source::Source;

    /// `known_files` lists every path the renderer writes, so stale files
    /// are found by `render --out`.
    #[test]
    fn every_rendered_path_is_known() {
        let known = known_files();
        for text in [
            include_str!("../../examples/ipv6.toml"),
            include_str!("../../examples/shorewall4.toml"),
        ] {
            let model = compile(&Source::new("example.toml", text)).unwrap();
            for file in render(&model).unwrap() {
                assert!(
                    known.contains(&file.path),
                    "{} is not in known_files()",
                    file.path
                );
            }
        }
    }
}
