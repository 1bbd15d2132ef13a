//! `fwgen import shorewall DIR`: a Shorewall 4.x/5.x configuration
//! directory becomes a fwgen model that means the same. Anything the model
//! cannot express is an error naming the file, line and construct; with
//! `partial`, such lines are skipped and listed instead. Never a guess.

mod accounting;
mod blacklist;
mod conntrack;
mod ipsets;
mod maclist;
mod stopped;
mod tunnels;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::condition::{self, Variables};
use super::conditional;
use super::default_action;
use super::document::{self, Header, Item, Table, Value};
pub use super::file::Unreadable;
use super::file::{self, Directory};
use super::limits;
use super::listing::{self, Verdict};
use super::logging;
use super::macros;
use super::numeric;

#[path = "site_action.rs"]
mod site_action;
#[path = "site_macro.rs"]
mod site_macro;
use super::protocols::{Protocols, SynTest, split_syn};
use super::services::Services;
use super::setting;
use crate::analyze::DEFAULT_LOG_PREFIX;
use crate::model::Verdict as RuleVerdict;
use crate::model::interface::pattern_covers;
use crate::model::option_verdict::{self, OptionVerdict};
use crate::model::reject::RejectWith;
use crate::model::service::{
    Macro, MacroCall, Protocol, StockMacro, forward_services, stock_macro,
};
use crate::model::settings::{CONNTRACK_HELPERS, tcp_flags_unseen};
use crate::model::{ConnState, DispositionKey};

/// Why the importer refuses Shorewall6's `maclist` interface option.
const MACLIST_IPV6: &str = "MAC verification is in fwgen's model for IPv4 alone (Shorewall6 writes its chain otherwise: link-local and multicast sources pass first)";
/// The settings that become `log_limit`, and `drop_broadcasts`.
const LOG_LIMIT_KEYS: [&str; 3] = ["LOGLIMIT", "LOGRATE", "LOGBURST"];
const DEFAULT_ACTION_KEYS: [&str; 3] = ["DROP_DEFAULT", "REJECT_DEFAULT", "ACCEPT_DEFAULT"];

/// A line the model cannot express.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    pub file: String,
    pub line: usize,
    pub text: String,
    pub reason: String,
}

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {}\n    {}",
            listing::escaped(&self.file),
            self.line,
            listing::escaped(&self.reason),
            listing::escaped(&self.text)
        )
    }
}

/// The result: the model's text and what was skipped (only with `partial`).
pub struct Imported {
    pub toml: String,
    pub skipped: Vec<Unsupported>,
    /// What was noted (also at the top of the model): read, with no
    /// effect on what passes, or carried with a remark.
    pub notes: Vec<String>,
}

/// Why nothing was imported.
#[derive(Debug)]
pub enum ImportError {
    /// Files or lines that cannot be read as Shorewall reads them: even
    /// with `partial`, importing the rest would be a guess.
    Unreadable(Vec<Unreadable>),
    /// Lines the model cannot express (only without `partial`).
    Unsupported(Vec<Unsupported>),
    /// With `partial`: what is left after skipping is no model (a zone
    /// pair no policy covers): the skipped lines, then what is missing at
    /// the line the model blames.
    Incomplete(Vec<Unsupported>),
}

/// What a file no converter reads holds.
enum Active {
    /// Nothing with an effect.
    Empty,
    /// The file Shorewall ships, unchanged.
    Shipped,
    /// The lines with an effect, each one item (a script: its first line).
    Lines(Vec<Line>),
}

/// Reads a section directive (`?SECTION NEW`): the section it names.
type SectionHook = fn(&mut Importer, &Line) -> Option<String>;

/// What every rule a Shorewall rule line becomes shares.
#[derive(Clone, Copy)]
struct Written<'a> {
    target: &'a str,
    source: &'a str,
    dest: &'a str,
    log: Option<&'a str>,
    comment: Option<&'a str>,
    /// REJECT's option (`REJECT(icmp-host-prohibited)`).
    reject_with: Option<&'a str>,
    /// A_ACCEPT, A_DROP, A_REJECT: `audit = true`.
    audit: bool,
    /// The RATE and CONNLIMIT columns as the model's keys, and the
    /// section, ORIGDEST, USER, TIME and HELPER keys read with them.
    limits: Option<&'a [limits::Key]>,
}

/// A rule's macro, protocol, DPORT and SPORT, as the model writes them.
type Service<'a> = (
    Option<&'a str>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// One logical line of a Shorewall file, continuation lines joined.
#[derive(Debug, Clone)]
struct Line {
    file: String,
    number: usize,
    text: String,
    /// The `# text` comment right above it, if any.
    comment: Option<String>,
}

/// What an imported entry is, for merging Shorewall's and Shorewall6's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Zone,
    Interface,
    Hosts,
    Policy,
    Rule,
    /// A blrules line (or a converted legacy blacklist line).
    Blacklist,
    Snat,
    Stopped,
    Tunnel,
    /// An `[[ipset]]` a line names or a save file creates.
    Ipset,
    /// A maclist line.
    Maclist,
    /// A conntrack line.
    Conntrack,
}

/// One model entry, with what merging needs to know about it.
#[derive(Debug, Clone)]
struct Entry {
    kind: Kind,
    /// The model's table; its comments are the `file:line` of each origin.
    table: Table,
    /// Refused while validating: left out of the model.
    dropped: bool,
    /// Zone or interface name.
    name: String,
    /// Zones the entry names (not `$FW` or `all`).
    zones: Vec<String>,
    /// `Some(true)` when only IPv6 traffic can match it, `Some(false)` IPv4.
    family: Option<bool>,
    /// The line, for refusals while merging.
    line: Line,
}

impl Entry {
    /// An interface's options.
    fn options(&self) -> Vec<String> {
        let options = match self.table.get("options") {
            Some(Value::Array(options)) => options.as_slice(),
            _ => &[],
        };
        options
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    }
}

struct Importer {
    dir: PathBuf,
    /// Where the files are read from.
    directory: Directory,
    /// What `?IF` conditions may refer to.
    conditions: Variables,
    /// Files and lines that cannot be read as Shorewall reads them.
    unreadable: Vec<Unreadable>,
    /// Reading Shorewall6's directory.
    ipv6: bool,
    /// Prefix of file names in messages (`shorewall6/`).
    label: String,
    entries: Vec<Entry>,
    /// params and shorewall.conf settings, for `$VAR` expansion.
    vars: BTreeMap<String, String>,
    unsupported: Vec<Unsupported>,
    /// What the model left after the refusals lacks (a policy for a zone
    /// pair): without `partial` these are refused lines too; with it the
    /// import fails, since no model can be written.
    incomplete: Vec<Unsupported>,
    /// Zones and interfaces whose declaration was refused: name -> `file:line`.
    skipped_names: BTreeMap<String, String>,
    /// Zones left out because no connection can reach them (their hosts
    /// are all taken by a zone declared before them): name -> `file:line`
    /// of the hosts line; what names them goes too, noted.
    unreachable_zones: BTreeMap<String, String>,
    /// Differences that change no verdict, listed at the top of the model.
    notes: Vec<String>,
    /// The conf file's logging settings by name: value and line.
    logging: BTreeMap<String, (String, Line)>,
    /// What they become: `log_limit` and `drop_broadcasts`.
    carried: (String, bool),
    /// The default actions of shorewall.conf (DROP_DEFAULT, ...) that
    /// `drop_broadcasts` does not express, by policy verdict: each policy
    /// of that verdict without its own gets them as its `default_action`.
    conf_defaults: BTreeMap<&'static str, Vec<String>>,
    /// Every default action list of shorewall.conf by policy verdict, for
    /// a policy's `+` list (Rules.pm: those, then its own).
    conf_default_lists: BTreeMap<&'static str, Vec<String>>,
    /// The conf file's other settings, as [`setting`] judges them.
    settings: Settings,
    /// `[firewall]` and `[shorewall]`, before the entries.
    header: Vec<Table>,
    /// shorewall.conf's LOGFORMAT when it is not `PREFIX:%s:%s:`: fwgen
    /// writes its own, whose prefix [`Importer::fit_log_prefix`] picks.
    replaced_logformat: Option<(usize, String)>,
    firewall: String,
    /// A zone of the zones file is nested (`zone:parent`).
    nested: bool,
    zones: Vec<String>,
    /// Logical interface name -> zone.
    interfaces: Vec<(String, String)>,
    /// Logical interface name -> device (`physical=`, else the name).
    devices: Vec<(String, String)>,
    /// /etc/services, for ports given by name.
    services: Services,
    /// /etc/protocols, for protocols given by name.
    protocols: Protocols,
    /// The directory's `macro.NAME` files, by NAME.
    site_macro_files: Vec<String>,
    /// Site macros read for a rule calling them (`None`: refused).
    site_macros: BTreeMap<String, Option<site_macro::SiteMacro>>,
    /// Site macros named as an action, which Shorewall never reads (noted).
    shadowed_macros: BTreeSet<String>,
    /// The site actions: listed in `actions`, with an `action.NAME`.
    site_action_files: Vec<String>,
    /// The conntrack file's line that ends Shorewall's shipped helper
    /// block, where the file holds it.
    shipped_helpers_end: Option<usize>,
    /// Each called site action's body, `None` once refused.
    site_actions: BTreeMap<String, Option<Vec<site_action::ActionLine>>>,
    /// Each site action's calls from rule lines (`FILE:LINE`), refused or
    /// not: an action its calls name is accounted for by them.
    site_action_calls: BTreeMap<String, Vec<String>>,
    /// Reading blrules: rules become `[[blacklist]]` entries.
    blacklisting: bool,
    /// The rules file's sections, read once ([`Importer::rule_sections`]).
    rule_sections: Option<blacklist::RuleSections>,
    /// The model's `section` of the rule being read: the rules file's
    /// `?SECTION ALL`, `ESTABLISHED` or `RELATED` (`None`: NEW, INVALID).
    rule_section: Option<&'static str>,
    /// The policy file's lines as Rules.pm keeps them for each zone pair:
    /// what OPTIMIZE compares a wildcard rule's action with (level 1) and
    /// which pairs a policy's chain is for (level 2).
    policy_lines: Vec<PolicyLine>,
    /// Policies OPTIMIZE level 2 leaves without a chain where their pair
    /// has no rules (`optimize_unchained`): the entry, the policy line's
    /// index in `policy_lines`, the refusal; judged once the rules are read.
    unchained: Vec<(usize, usize, String)>,
    /// The SOURCE and DEST of each blrules and rules line that makes a
    /// filter rule: the zone pairs that have rules (`judge_unchained`).
    rule_sides: Vec<(String, String)>,
    /// Zones of interfaces and hosts lines with the `blacklist` option, and
    /// those the zones file marks for incoming traffic, in their order: the
    /// zones a legacy blacklist file's `src` lines convert for.
    blacklist_zones: Vec<String>,
    /// The zones the zones file marks `blacklist` for outgoing traffic
    /// (OPTIONS or OUT OPTIONS): those its `dst` lines convert for.
    blacklist_out_zones: Vec<String>,
    /// The first interfaces line with `maclist`: the MACLIST_* settings
    /// decide only then.
    maclisted: Option<Line>,
    /// Files read through an INCLUDE, each with the first `FILE:LINE`
    /// that included it: read, so the directory walk does not refuse them.
    included: BTreeMap<String, String>,
    /// The sets lines name and save files create, until written.
    ipsets: Vec<ipsets::DeclaredSet>,
    /// The directory's ipset(8) save files, read for their sets.
    ipset_files: Vec<String>,
}

fn read_directory(dir: &Path, ipv6: bool, label: &str) -> Importer {
    let mut importer = Importer {
        dir: dir.to_owned(),
        directory: Directory::new(dir, label),
        conditions: Variables {
            params: None,
            settings: BTreeSet::new(),
            ipv6,
        },
        unreadable: Vec::new(),
        ipv6,
        label: label.to_owned(),
        entries: Vec::new(),
        vars: BTreeMap::new(),
        unsupported: Vec::new(),
        skipped_names: BTreeMap::new(),
        unreachable_zones: BTreeMap::new(),
        incomplete: Vec::new(),
        notes: Vec::new(),
        logging: BTreeMap::new(),
        carried: ("none".to_owned(), false),
        conf_defaults: BTreeMap::new(),
        conf_default_lists: BTreeMap::new(),
        settings: Settings::default(),
        header: Vec::new(),
        replaced_logformat: None,
        firewall: "fw".to_owned(),
        zones: Vec::new(),
        nested: false,
        site_macro_files: Vec::new(),
        site_macros: BTreeMap::new(),
        shadowed_macros: BTreeSet::new(),
        site_action_files: Vec::new(),
        shipped_helpers_end: None,
        site_actions: BTreeMap::new(),
        site_action_calls: BTreeMap::new(),
        blacklisting: false,
        rule_sections: None,
        rule_section: None,
        policy_lines: Vec::new(),
        unchained: Vec::new(),
        rule_sides: Vec::new(),
        blacklist_zones: Vec::new(),
        blacklist_out_zones: Vec::new(),
        maclisted: None,
        included: BTreeMap::new(),
        ipsets: Vec::new(),
        ipset_files: Vec::new(),
        interfaces: Vec::new(),
        devices: Vec::new(),
        services: Services::read(),
        protocols: Protocols::read(),
    };
    importer.run();
    importer
}

/// Shorewall6's directory beside a Shorewall directory named `shorewall`
/// (`.` or a relative path named by where it is).
fn sibling_ipv6(dir: &Path) -> Option<PathBuf> {
    let dir = std::path::absolute(dir).ok()?;
    let six = dir.parent()?.join("shorewall6");
    (dir.file_name()? == "shorewall" && six.join("zones").is_file()).then_some(six)
}

/// Why `dir` is Shorewall6's, which the import reads only beside
/// Shorewall's: alone it would be read as an IPv4 configuration.
fn shorewall6_alone(dir: &Path) -> Option<Unreadable> {
    let named = std::path::absolute(dir).ok()?.file_name()? == "shorewall6";
    let conf = dir.join("shorewall6.conf").is_file() && !dir.join("shorewall.conf").is_file();
    (named || conf).then(|| Unreadable {
        file: if conf { "shorewall6.conf" } else { "." }.to_owned(),
        line: None,
        reason: format!(
            "{} is a Shorewall6 directory, which fwgen imports only beside a Shorewall directory, as `shorewall6/` next to `shorewall/` (alone it would be read as IPv4): name that `shorewall` directory; an IPv6-only site has none, and its import is not in fwgen yet",
            dir.display()
        ),
    })
}

pub fn import(dir: &Path, partial: bool) -> Result<Imported, ImportError> {
    if let Some(alone) = shorewall6_alone(dir) {
        return Err(ImportError::Unreadable(vec![alone]));
    }
    let mut importer = read_directory(dir, false, "");
    if let Some(six) = sibling_ipv6(dir) {
        let ipv6 = read_directory(&six, true, "shorewall6/");
        importer.unreadable.extend(ipv6.unreadable.iter().cloned());
        importer.merge(ipv6);
    }
    if !importer.unreadable.is_empty() {
        return Err(ImportError::Unreadable(importer.unreadable));
    }
    importer.fit_log_prefix();
    importer.validate();
    importer.note_emptied_zones();
    // A line whose several entries the model refuses for one reason (a
    // routestopped line's hosts) is named once.
    let mut seen = std::collections::HashSet::new();
    importer
        .unsupported
        .retain(|u| seen.insert((u.file.clone(), u.line, u.reason.clone())));
    let (model, _) = importer.assemble();
    let refused = !importer.unsupported.is_empty() || !importer.incomplete.is_empty();
    if !partial && refused {
        importer.unsupported.append(&mut importer.incomplete);
        return Err(ImportError::Unsupported(importer.unsupported));
    }
    if !importer.incomplete.is_empty() {
        importer.unsupported.append(&mut importer.incomplete);
        return Err(ImportError::Incomplete(importer.unsupported));
    }
    let mut lines = vec![
        format!(
            "Imported by fwgen from the Shorewall configuration in {}.",
            listing::escaped(&dir.display().to_string())
        ),
        "Each entry names the file and line it came from.".to_owned(),
    ];
    lines.extend(importer.notes.iter().map(|note| format!("NOTE {note}")));
    lines.extend(importer.unsupported.iter().map(|skipped| {
        format!(
            "SKIPPED {}:{}: {} -- {}",
            skipped.file, skipped.line, skipped.reason, skipped.text
        )
    }));
    let mut toml = document::comments(&lines);
    toml.push('\n');
    toml.push_str(&model);
    Ok(Imported {
        toml,
        skipped: importer.unsupported,
        // Control characters of a file's values never reach a terminal.
        notes: importer.notes.iter().map(|n| listing::escaped(n)).collect(),
    })
}

/// What an address column that the model refused is in Shorewall's
/// terms, where Shorewall accepts it (an address range, a list, a server
/// with a port range, `:persistent`): `None` for what Shorewall refuses
/// too, whose message the model's stays. (`detect`, the one column that
/// takes it, snat's ADDRESS, is carried; elsewhere, as in ORIGDEST,
/// Shorewall refuses it: "Unknown Host (detect)".)
fn shorewall_address_form(text: &str) -> Option<String> {
    use std::net::IpAddr;
    let address = |s: &str| s.parse::<IpAddr>().is_ok() || s.parse::<ipnet::IpNet>().is_ok();
    let range = |s: &str| {
        s.split_once('-').is_some_and(|(low, high)| {
            match (low.parse::<IpAddr>(), high.parse::<IpAddr>()) {
                (Ok(low), Ok(high)) => low.is_ipv4() == high.is_ipv4() && low <= high,
                _ => false,
            }
        })
    };
    let one = |s: &str| {
        if range(s) {
            Some("an address range")
        } else if address(s) {
            Some("an address")
        } else {
            None
        }
    };
    if let Some(rest) = text.strip_suffix(":persistent") {
        let form = shorewall_address_form(rest).or_else(|| one(rest).map(str::to_owned))?;
        return Some(format!("{form} with `:persistent`"));
    }
    if text.contains(',') {
        return text
            .split(',')
            .all(|s| one(s).is_some())
            .then(|| "an address list".to_owned());
    }
    one(text).filter(|f| *f != "an address").map(str::to_owned)
}

/// A LOG column's `level` or `level:tag` (`ACCEPT:info:TRAP`,
/// `DNAT:info:web`): `log`, then Shorewall's log tag as `log_tag`. A
/// level's `!` is dropped ([`logging::level_as_read`]): a call's `!` over
/// its lines' own levels has been refused or applied to them before.
fn push_log(table: &mut Table, log: Option<&str>) {
    if let Some(log) = log {
        let (level, tag) = match log.split_once(':') {
            Some((level, tag)) => (level, Some(tag)),
            None => (log, None),
        };
        table.push("log", logging::level_as_read(level));
        table.push_some("log_tag", tag);
    }
}

/// `audit = true` for an audited verdict (a rule's A_ACCEPT, A_DROP or
/// A_REJECT, a policy's `:audit`), beside its log level.
fn push_audit(table: &mut Table, audit: bool) {
    if audit {
        table.push("audit", true);
    }
}

/// What a DNAT or REDIRECT line's ACTION column says besides the action:
/// the stock macro it calls (`HTTP(DNAT)`), its log level, and the
/// comment around it.
struct Forward<'a> {
    service_macro: Option<&'static str>,
    /// `false` for DNAT- and REDIRECT-.
    accept: bool,
    log: Option<&'a str>,
    comment: Option<&'a str>,
}

/// The columns of a DNAT or REDIRECT line, read once for both.
struct Forwarded {
    source: String,
    dest: String,
    proto: Option<String>,
    dport: Option<String>,
    sport: Option<String>,
    origdest: Vec<String>,
}

/// ICMP types as iptables reads what Shorewall passes it: Shorewall
/// checks each number in decimal (IPAddrs.pm validate_icmp) and writes it
/// as it stands (`--icmp-type 010`), which iptables reads as
/// [`numeric::iptables_number`] does (`010` is type 8, echo-request,
/// noted; `08` refused). Names and plain numbers stay as they are. For
/// IPv4's ICMP (`ipv4`), type 255 with any code is xt_icmp's wildcard
/// (`icmp_type_code_match`: `test_type == 0xFF` matches every packet;
/// `iptables -L` lists it as `any`), so it is `any`, noted; ICMPv6 has
/// no wildcard.
fn iptables_icmp_types(types: &str, ipv4: bool) -> Result<(String, Vec<String>), String> {
    // shorewall-rules(5): `!8` leaves types out, which Shorewall compiles
    // (`! --icmp-type 8`).
    if types.starts_with('!') {
        return Err(format!(
            "ICMP `{types}`: types left out with `!`, which Shorewall compiles (`! --icmp-type`) and fwgen's model does not carry: list the types the rule is for"
        ));
    }
    let mut notes = Vec::new();
    let mut number = |text: &str| -> Result<String, String> {
        // Digits only (validate_icmp), below 256 in decimal (at 256 and
        // above Shorewall refuses it, and so does the model).
        if !text.bytes().all(|b| b.is_ascii_digit())
            || !text.parse::<u16>().is_ok_and(|decimal| decimal < 256)
        {
            return Ok(text.to_owned());
        }
        match numeric::iptables_number("ICMP", text, &mut notes) {
            Some(read) => read.map(|value| value.to_string()),
            None => Ok(text.to_owned()),
        }
    };
    let mut read = types
        .split(',')
        .map(|item| match item.split_once('/') {
            Some((kind, code)) => Ok(format!("{}/{}", number(kind)?, number(code)?)),
            None => number(item),
        })
        .collect::<Result<Vec<_>, _>>()?;
    for (item, written) in read.iter_mut().zip(types.split(',')) {
        if ipv4 && item.split('/').next() == Some("255") {
            notes.push(format!(
                "ICMP `{written}` is every ICMP packet: iptables reads type 255 as its wildcard (xt_icmp matches any type and code; `iptables -L` lists it as `any`), so it is carried as `any`"
            ));
            *item = "any".to_owned();
        }
    }
    // `any` (IPAddrs.pm's %icmp_types, iptables' `--icmp-type any`) is
    // every type: the protocol alone, no `icmp_type`. In a list Rules.pm
    // makes a rule of each item, every type's beside the others'.
    if read.len() > 1 && read.iter().any(|t| t == "any") {
        return Err(format!(
            "ICMP `{types}`: `any` (or IPv4's 255, iptables' wildcard) in a list, which Shorewall compiles as a rule of each type beside one of every type; write `any` alone"
        ));
    }
    Ok((read.join(","), notes))
}

/// One policy line as Rules.pm keeps it for its zone pairs.
#[derive(Debug, Clone)]
struct PolicyLine {
    /// SOURCE and DEST as written.
    source: String,
    dest: String,
    /// ACCEPT, DROP, REJECT or CONTINUE (an audited one too: Rules.pm keeps
    /// the audit apart).
    action: String,
    /// The log level as validate_level gives it (`info` is `6`; `none` is
    /// no level); a level with options stays as written.
    level: Option<String>,
}

/// A log level as Config.pm's validate_level gives it: a syslog level
/// (`%validlevels`, [`LogLevel::parse`]) is its number, `none` no level;
/// anything else as written, upper case.
fn validated_level(level: &str) -> Option<String> {
    let level = logging::level_as_read(level);
    if logging::no_log(level) {
        return None;
    }
    Some(
        match crate::model::LogLevel::parse(level).and_then(crate::model::LogLevel::number) {
            Some(number) => number.to_string(),
            None => level.to_ascii_uppercase(),
        },
    )
}

/// The embedded code a logical line begins, as Config.pm read_a_line
/// finds it (`s/^\s*\??(BEGIN\s+)PERL\s*;?//i`, then `\??PERL` in any
/// case and as a prefix: `PERL1` and `perlz` are code too (helper-236);
/// SHELL likewise, but bare only in capitals with a blank after it,
/// `^\s*SHELL\s+`): the kind, and whether it begins a block up to END.
fn embedded_code(text: &str) -> Option<(&'static str, bool)> {
    let text = text.trim_start();
    let (question, bare) = match text.strip_prefix('?') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let upper = bare.to_ascii_uppercase();
    let begun = (upper.strip_prefix("BEGIN"))
        .filter(|rest| rest.starts_with(char::is_whitespace))
        .map(str::trim_start);
    let bare_shell = |rest: &str| rest.starts_with(char::is_whitespace);
    match begun {
        Some(rest) if rest.starts_with("PERL") => Some(("PERL", true)),
        Some(rest) if rest.starts_with("SHELL") => Some(("SHELL", true)),
        _ if upper.starts_with("PERL") => Some(("PERL", false)),
        _ if question && upper.starts_with("SHELL") => Some(("SHELL", false)),
        _ if bare.strip_prefix("SHELL").is_some_and(bare_shell) => Some(("SHELL", false)),
        _ => None,
    }
}

/// Whether a rule's SOURCE or DEST names several zones, what Rules.pm
/// calls a wildcard: `all`, `any` (with their flags and exclusions) or a
/// list.
fn several_zones(side: &str) -> bool {
    let zones = side.split(':').next().unwrap_or(side);
    wildcard_side(zones).is_some() || zones.contains(',')
}

/// A SOURCE's or DEST's zones that are a wildcard as Rules.pm's
/// build_zone_list reads them (`any` as `all`): `all[-+]*[!zone,...]`;
/// its flags (`+`, `-`) and its exclusions.
fn wildcard_side(zones: &str) -> Option<(&str, &str)> {
    let rest = zones
        .strip_prefix("all")
        .or_else(|| zones.strip_prefix("any"))?;
    let (flags, excluded) = rest.split_once('!').unwrap_or((rest, ""));
    flags
        .chars()
        .all(|c| c == '+' || c == '-')
        .then_some((flags, excluded))
}

/// The targets Chains.pm's `%builtin_target` knows, and those of them it
/// allows in the filter table, where `IPTABLES(TARGET)` puts them.
const IPTABLES_TARGETS: [&str; 53] = [
    "ACCEPT",
    "ACCOUNT",
    "AUDIT",
    "CHAOS",
    "CHECKSUM",
    "CLASSIFY",
    "CLUSTERIP",
    "CONNMARK",
    "CONNSECMARK",
    "COUNT",
    "CT",
    "DELUDE",
    "DHCPMAC",
    "DNAT",
    "DNETMAP",
    "DROP",
    "DSCP",
    "ECHO",
    "ECN",
    "HL",
    "IDLETIMER",
    "IPMARK",
    "LOG",
    "LOGMARK",
    "MARK",
    "MASQUERADE",
    "MIRROR",
    "NETMAP",
    "NFLOG",
    "NFQUEUE",
    "NOTRACK",
    "QUEUE",
    "RATEEST",
    "RAWDNAT",
    "RAWSNAT",
    "REDIRECT",
    "REJECT",
    "RETURN",
    "SAME",
    "SECMARK",
    "SET",
    "SNAT",
    "STEAL",
    "SYSRQ",
    "TARPIT",
    "TCPMSS",
    "TCPOPTSTRIP",
    "TEE",
    "TOS",
    "TPROXY",
    "TRACE",
    "TTL",
    "ULOG",
];
const IPTABLES_FILTER_TARGETS: [&str; 19] = [
    "ACCEPT", "AUDIT", "CHAOS", "COUNT", "DELUDE", "DROP", "ECHO", "LOG", "MARK", "MIRROR",
    "NFQUEUE", "QUEUE", "REJECT", "STEAL", "SYSRQ", "TARPIT", "TCPMSS", "TEE", "ULOG",
];

/// `IPTABLES(TARGET)` (`IP6TABLES(TARGET)` in Shorewall6): Rules.pm
/// writes `-j TARGET` as it stands. `-j ACCEPT` and `-j DROP` are what
/// ACCEPT and DROP compile to (`Ok`); another target is not in the model;
/// the other family's name, a target Shorewall does not know and one it
/// keeps out of the filter table (`TRACE`) Shorewall refuses, and so does
/// fwgen in its words. `Ok(None)`: `IPTABLES()`, no target at all, which
/// Rules.pm writes as a rule without `-j` (it counts packets and decides
/// nothing). `None`: no such call.
fn iptables_target(action: &str, ipv6: bool) -> Option<Result<Option<&'static str>, String>> {
    let (name, target) = action.strip_suffix(')')?.split_once('(')?;
    let own = if ipv6 { "IP6TABLES" } else { "IPTABLES" };
    if !matches!(name, "IPTABLES" | "IP6TABLES") {
        return None;
    }
    // Rules.pm takes the target's name up to a space (options follow).
    let verb = target.split(' ').next().unwrap_or(target);
    Some(match target {
        _ if name != own => Err(format!(
            "`{action}` in {}: Shorewall refuses it (\"Unknown ACTION ({action})\"); write {own}(...)",
            if ipv6 { "Shorewall6" } else { "Shorewall" }
        )),
        "" => Ok(None),
        "ACCEPT" => Ok(Some("ACCEPT")),
        "DROP" => Ok(Some("DROP")),
        _ if !IPTABLES_TARGETS.contains(&verb) => Err(format!(
            "`{action}`: Shorewall refuses it (\"Unknown target ({verb})\")"
        )),
        _ if !IPTABLES_FILTER_TARGETS.contains(&verb) => Err(format!(
            "`{action}`: Shorewall refuses it (\"The {verb} TARGET is not allowed in the filter table\")"
        )),
        _ => Err(format!(
            "`{action}` writes the iptables target `-j {target}` as it stands, which is not in fwgen's model ({own}(ACCEPT) and {own}(DROP) are carried as ACCEPT and DROP)"
        )),
    })
}

/// The protocol a port column is read for, as Chains.pm's port-taking
/// protocols: tcp, udp, sctp, dccp and udplite, by a name Shorewall knows
/// (any case /etc/protocols spells; the spelling is checked before) or by
/// number (read as resolve_proto reads it). `None` for another protocol.
fn port_protocol(proto: &str) -> Option<&'static str> {
    let number = match proto.to_ascii_lowercase().as_str() {
        "tcp" => 6,
        "udp" => 17,
        "sctp" => 132,
        "dccp" => 33,
        "udplite" => 136,
        other if other.bytes().all(|b| b.is_ascii_digit()) || other.starts_with("0x") => {
            numeric::numeric_value(other)?
        }
        _ => return None,
    };
    match number {
        6 => Some("tcp"),
        17 => Some("udp"),
        132 => Some("sctp"),
        33 => Some("dccp"),
        136 => Some("udplite"),
        _ => None,
    }
}

/// Whether a rule's protocol (as the model writes it) is ICMP or ICMPv6,
/// whose DPORT column is an ICMP type: by name or by number.
fn icmp_protocol(proto: &str) -> bool {
    matches!(
        proto.to_ascii_lowercase().as_str(),
        "icmp" | "icmpv6" | "icmp6" | "ipv6-icmp" | "1" | "58"
    )
}

/// The family a rule's addresses or protocol bind it to.
fn rule_family(sides: &[&str], proto: Option<&str>) -> Option<bool> {
    let addressed = sides.iter().find_map(|side| {
        let (_, addresses) = side.split_once(':')?;
        let addresses = after_interface(addresses)?;
        // A sender's MAC address (`~00-1a-...`, Shorewall6's
        // `~00:1a:...` too) matches packets of either family.
        if addresses.trim_start_matches('!').starts_with('~') {
            return None;
        }
        Some(addresses.contains(':'))
    });
    let by_proto = match proto {
        Some("icmp") => Some(false),
        Some("icmpv6" | "ipv6-icmp") => Some(true),
        _ => None,
    };
    addressed.or(by_proto)
}

/// Shorewall6's MAC addresses written with `:` (`~00:1a:2b:3c:4d:5e`,
/// which Shorewall6 takes beside `-`: Chains.pm do_mac turns `-` into
/// `:`) in the model's form, `~00-1a-2b-3c-4d-5e`; the rest as written.
fn mac_dashes(addresses: &str) -> String {
    let items: Vec<String> = addresses
        .split(',')
        .map(|item| match item.find('~') {
            Some(at) => format!("{}{}", &item[..at], item[at..].replace(':', "-")),
            None => item.to_owned(),
        })
        .collect();
    items.join(",")
}

/// A CONFIG_PATH entry as Config.pm reads it: `//` folded, without the
/// `/` it ends each entry with.
fn config_path_entry(entry: &str) -> String {
    let mut entry = entry.to_owned();
    while entry.contains("//") {
        entry = entry.replace("//", "/");
    }
    entry.trim_end_matches('/').to_owned()
}

/// The addresses of `zone:eth0:ADDRESSES` (`None` for `zone:eth0`
/// alone), or all of the text when no interface name leads it. A name
/// starts with a letter and holds a letter that is no hex digit, which no
/// IPv6 address's first group does.
fn after_interface(text: &str) -> Option<&str> {
    let is_name = |t: &str| {
        t.starts_with(|c: char| c.is_ascii_alphabetic())
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '+'))
            && t.chars().any(|c| !c.is_ascii_hexdigit())
    };
    match text.split_once(':') {
        Some((name, rest)) if is_name(name) => Some(rest),
        _ if is_name(text) => None,
        _ => Some(text),
    }
}

/// What one source NAT entry of an snat or masq line matches beyond its
/// addresses: a protocol, its destination ports, a mark.
struct NatMatch {
    proto: Option<String>,
    dport: Option<String>,
    mark: Option<String>,
}

fn snat_family(sources: &[String], to: Option<&str>) -> Option<bool> {
    // A set (`+bo`) tells no family by its name.
    to.filter(|t| !matches!(*t, "none" | "detect"))
        .map(|t| t.contains(':'))
        .or_else(|| (sources.iter().find(|s| !s.starts_with(['+', '!']))).map(|s| s.contains(':')))
}

/// An snat line's DEST (a masq line's INTERFACE) as the interface and
/// the destination networks after its `:`, as Rules.pm `process_snat1`
/// splits it (IPv4: networks hold a `.`; IPv6: all after the first `:`),
/// and the IPv4 alias it names (`eth0:0`), which Rules.pm takes off the
/// interface (`s/:.*//`: `-o eth0`; only ADD_SNAT_ALIASES=Yes, which the
/// import refuses, adds the address as that alias); `Err` for
/// `eth0::NETS` or an exclusion or ipset, and for the firewall (`$FW`),
/// which Rules.pm process_snat1 makes the nat table's INPUT chain.
fn snat_dest<'d>(
    dest: &'d str,
    ipv6: bool,
    firewall: &str,
) -> Result<(&'d str, Vec<String>, Option<&'d str>), String> {
    let interface = dest.split(':').next().unwrap_or(dest);
    if interface == "$FW" || interface == firewall {
        return Err(format!(
            "DEST `{interface}`: Shorewall puts the entry in the nat table's INPUT chain (Rules.pm process_snat1), source NAT of the firewall's own input, which fwgen's model does not have"
        ));
    }
    let Some((interface, rest)) = dest.split_once(':') else {
        return Ok((dest, Vec::new(), None));
    };
    if !ipv6 && !rest.contains(['.', ':', ',']) && !rest.starts_with(['!', '+', '%']) {
        return Ok((interface, Vec::new(), Some(rest).filter(|r| !r.is_empty())));
    }
    if !ipv6 && !rest.contains('.') && !rest.starts_with(['!', '+', '%']) {
        return Err(format!(
            "DEST `{dest}`: `INTERFACE::NETWORKS`, or a list of interfaces, is not in fwgen's source NAT model"
        ));
    }
    let mut nets = Vec::new();
    for item in rest.split(',') {
        match item.parse::<ipnet::IpNet>() {
            Ok(_) => nets.push(item.to_owned()),
            Err(_) => match item.parse::<std::net::IpAddr>() {
                Ok(_) => nets.push(item.to_owned()),
                Err(_) => {
                    return Err(format!(
                        "DEST `{dest}`: `{item}` is no address or network (an exclusion, ipset or range after the interface is not in fwgen's source NAT model)"
                    ));
                }
            },
        }
    }
    Ok((interface, nets, None))
}

/// A source NAT translation as the model's `[[snat]]`/`[[masquerade]]`
/// keys write it.
#[derive(Debug, Default, PartialEq)]
struct SnatAddress<'a> {
    /// `to`; `None` for a masquerade.
    to: Option<&'a str>,
    persistent: bool,
    /// `ports`, as the model writes a range (`1024:65535`).
    ports: Option<String>,
    random: bool,
    /// `&IFACE`: the interface whose address `to = "detect"` stands for,
    /// the entry's own alone.
    address_of: Option<&'a str>,
    /// What the reading says at the line (a port read as octal).
    notes: Vec<String>,
}

/// A masq line's ADDRESS (or the address of an snat line's `SNAT(...)`,
/// or a snat line's `MASQUERADE(...)` written as the masq file would:
/// `random`, `:PORTS[:random]`): the address, its source ports (Rules.pm
/// `process_snat1`, Nat.pm `process_one_masq1`: `ADDRESS:PORTS`,
/// `[IPV6]:PORTS`), `:random` and `:persistent`; `Err` with the reason
/// for a form the model lacks, or Shorewall refuses.
fn snat_address(text: &str) -> Result<SnatAddress<'_>, String> {
    if text == "random" {
        return Ok(SnatAddress {
            random: true,
            ..SnatAddress::default()
        });
    }
    let (mut address, mut persistent, mut random) = (text, false, false);
    loop {
        if let Some(rest) = address.strip_suffix(":persistent") {
            (address, persistent) = (rest, true);
        } else if let Some(rest) = address.strip_suffix(":random") {
            (address, random) = (rest, true);
        } else {
            break;
        }
    }
    if address.contains(',') {
        return Err(format!(
            "SNAT `{text}` lists several addresses: Shorewall 5.2 refuses it (\"Only one SNAT address may be specified\", Rules.pm); give a range `FIRST-LAST`"
        ));
    }
    let refuse = |reason: &str| Err(format!("SNAT `{text}`: {reason}"));
    let mut notes = Vec::new();
    if let Some(ports) = address.strip_prefix(':') {
        if persistent {
            return refuse(
                "':persistent' is not allowed in a MASQUERADE rule (Shorewall refuses it)",
            );
        }
        return Ok(SnatAddress {
            ports: Some(snat_ports(ports, &mut notes)?),
            random,
            notes,
            ..SnatAddress::default()
        });
    }
    if address == "detect" && persistent {
        return refuse("`detect` is one address, which `:persistent` (for a range) cannot change");
    }
    // `&eth0` out of eth0 compiles as `detect` does (Nat.pm, Rules.pm:
    // `--to-source $SW_ETH0_ADDRESS`); `source_nat` checks the interface.
    if let Some(interface) = address.strip_prefix('&')
        && !interface.is_empty()
        && !interface.contains([':', '&', '%'])
    {
        if persistent {
            return refuse(
                "`&IFACE` is one address, which `:persistent` (for a range) cannot change",
            );
        }
        return Ok(SnatAddress {
            to: Some("detect"),
            random,
            address_of: Some(interface),
            ..SnatAddress::default()
        });
    }
    if address.starts_with(['&', '%']) {
        return refuse("an interface's address is not in fwgen's source NAT model");
    }
    let (to, ports) = if let Some(bracketed) = address.strip_prefix('[') {
        // [ADDR]:PORTS or [FIRST]-[LAST]:PORTS (shorewall6).
        let (addresses, ports) = match bracketed.rsplit_once("]:") {
            Some((addresses, ports)) if !ports.contains([']', ':']) => (addresses, Some(ports)),
            _ => (bracketed.strip_suffix(']').unwrap_or(bracketed), None),
        };
        let Some(range) = (ports.is_some()).then_some(addresses) else {
            return refuse(
                "a bracketed IPv6 address without ports is not in fwgen's source NAT model; write it bare",
            );
        };
        if range.contains("]-[") {
            return refuse(
                "an IPv6 range with source ports is not in fwgen's importer; write the model's `to` and `ports`",
            );
        }
        (range, ports)
    } else if address.contains('.') {
        match address.split_once(':') {
            Some((to, ports)) => (to, Some(ports)),
            None => (address, None),
        }
    } else {
        (address, None)
    };
    Ok(SnatAddress {
        to: Some(to),
        persistent,
        ports: ports.map(|p| snat_ports(p, &mut notes)).transpose()?,
        random,
        address_of: None,
        notes,
    })
}

/// SNAT's source ports (`LOW-HIGH` or one) as the model writes them
/// (`LOW:HIGH`): Chains.pm validate_portpair1 checks each with
/// numeric_value and Shorewall writes them as they stand
/// (`--to-source ADDR:01024-02000`), which iptables reads in the same
/// bases ([`numeric::iptables_number`]: `01024` is 532, `0x400` 1024, each
/// noted); `08` is refused as Shorewall refuses it.
fn snat_ports(ports: &str, notes: &mut Vec<String>) -> Result<String, String> {
    let mut read = |port: &str| -> Result<String, String> {
        match numeric::iptables_number("SNAT port", port, notes) {
            None => Ok(port.to_owned()),
            Some(Ok(value)) => Ok(value.to_string()),
            Some(Err(_)) => Err(format!(
                "SNAT port `{port}`: Shorewall refuses it (\"Invalid/Unknown port/service ({port})\"): a leading 0 is octal"
            )),
        }
    };
    Ok(match ports.split_once('-') {
        Some((low, high)) => format!("{}:{}", read(low)?, read(high)?),
        None => read(ports)?,
    })
}

/// A masq line's ADDRESS, or the address an snat line's action gives,
/// parsed ([`snat_address`]); no address: a masquerade.
fn parsed_address(to: Option<&str>) -> Result<SnatAddress<'_>, String> {
    to.map(snat_address)
        .transpose()
        .map(Option::unwrap_or_default)
}

/// A masq ADDRESS whose flags Nat.pm process_one_masq1 does not take off:
/// it strips one `:persistent` at the end, then one `:random`, and reads
/// what is left as the address and ports, so `ADDR:persistent:random`
/// leaves `persistent` as a port, which Shorewall refuses.
fn masq_flags_refused(address: &str) -> Option<String> {
    if address == "random" {
        return None;
    }
    let left = address.strip_suffix(":persistent").unwrap_or(address);
    let left = left.strip_suffix(":random").unwrap_or(left);
    let flag = ["persistent", "random"]
        .into_iter()
        .find(|flag| left.ends_with(&format!(":{flag}")))?;
    Some(format!(
        "masq ADDRESS `{address}`: Nat.pm takes off `:persistent` at the end and then `:random`, and reads the `{flag}` left as a port, which Shorewall refuses (\"Invalid/Unknown all port/service ({flag})\"); write `:random:persistent`"
    ))
}

/// `none`, which the model's `to` reads as no translation (CONTINUE),
/// where Shorewall wants an address.
fn names_none(address: &str) -> bool {
    address.split(':').next() == Some("none")
}

/// Why an snat ACTION other than MASQUERADE, SNAT(...) and CONTINUE is
/// refused, in Shorewall's terms (Rules.pm `process_snat1`).
fn snat_action_refusal(action: &str) -> String {
    let base = action.split(['(', ':']).next().unwrap_or(action);
    let reason = if base == "NONAT" {
        "Shorewall 5.2.8 refuses it in the snat file too (\"Invalid ACTION (NONAT)\"): write CONTINUE"
    } else if base.ends_with('+') {
        "`+` puts the entry in Shorewall's IFACE_snat chain, whose RETURN (CONTINUE+) skips only the other `+` entries: the nat file's one-to-one translations and the other entries still apply, which fwgen's `to = \"none\"` (ending source NAT for the packet) cannot say"
    } else if names_none(action.trim_start_matches("SNAT(").trim_end_matches(')')) {
        "`none` is no address"
    } else if action.contains(':') {
        "a logged source NAT entry is not in fwgen's model"
    } else {
        "not in fwgen's model (an action, a macro or LOG in the snat file)"
    };
    format!("snat action `{action}`: {reason}")
}

/// "ipv4", "ipv6" or "both" for every zone of either configuration.
fn zone_families(v4: &[Entry], v6: &[Entry]) -> BTreeMap<String, &'static str> {
    let names = |entries: &[Entry]| -> Vec<String> {
        entries
            .iter()
            .filter(|e| e.kind == Kind::Zone)
            .map(|e| e.name.clone())
            .collect()
    };
    let (four, six) = (names(v4), names(v6));
    let mut families = BTreeMap::new();
    for zone in four.iter().chain(&six) {
        let family = match (four.contains(zone), six.contains(zone)) {
            (true, true) => "both",
            (false, true) => "ipv6",
            _ => "ipv4",
        };
        families.insert(zone.clone(), family);
    }
    families
}

/// A masquerade or SNAT entry without sources or address in a pair: the
/// model gives it its interface's IPv4 alone where that carries both
/// families (Snat::ipv6), where Shorewall applies it in each family whose
/// file holds it (Rules.pm process_snat1, in Shorewall and Shorewall6
/// alike). The entries that say what the files say: IPv4's as it is,
/// IPv6's with `family = "ipv6"` (Shorewall6's `SNAT(detect)` is refused
/// at its line: the model's `detect` is IPv4's). `None` for an entry the
/// model already reads in the right family.
fn unbound_snat(
    entry: &Entry,
    side: Option<bool>,
    families: &BTreeMap<String, &'static str>,
) -> Option<Vec<Entry>> {
    let translation = matches!(&entry.table.header, Header::ArrayOfTables(path) if path.len() == 1 && (path[0] == "masquerade" || path[0] == "snat"));
    // An interface of no zone (`-`, its hosts' zones on it) is IPv4's in
    // the model as well, unless they are IPv6's alone, which a line of
    // IPv4's file cannot be.
    let only_six =
        !entry.zones.is_empty() && (entry.zones.iter()).all(|z| families.get(z) == Some(&"ipv6"));
    if !translation || entry.family.is_some() || entry.table.get("sources").is_some() || only_six {
        return None;
    }
    let (four, six) = (side != Some(true), side != Some(false));
    let mut entries = Vec::new();
    if four {
        entries.push(entry.clone());
    }
    if six {
        let mut one = entry.clone();
        let at = (one.table.items.iter())
            .position(|item| matches!(item, Item::Pair(key, _) if key == "interface"))
            .map_or(0, |at| at + 1);
        one.table
            .items
            .insert(at, Item::Pair("family".to_owned(), Value::from("ipv6")));
        one.family = Some(true);
        entries.push(one);
    }
    Some(entries)
}

/// Zones or interfaces, by name: IPv4's order, then what only IPv6 has.
/// An interface both declare must be declared alike, for the model's
/// interface is one for both families: options only one family gives are
/// left out (refused at Shorewall6's line, so `--partial` lists them), any
/// other difference is refused and Shorewall's declaration kept.
fn merge_named(
    v4: &[Entry],
    v6: &[Entry],
    kind: Kind,
    families: &BTreeMap<String, &'static str>,
    refusals: &mut Vec<(Line, String)>,
) -> Vec<Entry> {
    let mut merged: Vec<Entry> = v4.iter().filter(|e| e.kind == kind).cloned().collect();
    for entry in v6.iter().filter(|e| e.kind == kind) {
        match merged.iter_mut().find(|m| m.name == entry.name) {
            Some(known) => {
                let origins = entry.table.comments.iter().cloned();
                known.table.comments.extend(origins);
                if kind == Kind::Interface {
                    reconcile_interface(known, entry, refusals);
                }
                if kind == Kind::Zone && declared(&known.table) != declared(&entry.table) {
                    refusals.push((
                        entry.line.clone(),
                        format!(
                            "zone `{}` is declared differently in Shorewall's zones ({}:{}), its parent zones or options: fwgen's model has one declaration for both families",
                            entry.name, known.line.file, known.line.number
                        ),
                    ));
                }
            }
            None => merged.push(entry.clone()),
        }
    }
    if kind == Kind::Zone {
        // Misc.pm generate_matrix dispatches each family's zones in its
        // own zones file's order; fwgen's model has one order.
        let in_both = |of: &[Entry], other: &[Entry]| -> Vec<Entry> {
            (of.iter())
                .filter(|e| {
                    e.kind == kind && other.iter().any(|o| o.kind == kind && o.name == e.name)
                })
                .cloned()
                .collect()
        };
        let (four, six) = (in_both(v4, v6), in_both(v6, v4));
        // The order decides only where zones overlap: hosts entries, a
        // nested zone, a wildcard interface that may cover another's.
        let overlapping = v4.iter().chain(v6).any(|e| {
            e.kind == Kind::Hosts
                || e.kind == Kind::Zone && e.table.get("parent").is_some()
                || e.kind == Kind::Interface && e.name.ends_with('+')
        });
        let first_apart = four.iter().zip(&six).find(|(a, b)| a.name != b.name);
        if let Some((four, six)) = first_apart.filter(|_| overlapping) {
            refusals.push((
                six.line.clone(),
                format!(
                    "Shorewall6 declares zone `{}` where Shorewall declares `{}` ({}:{}): each dispatches its zones in its own file's order (Misc.pm generate_matrix), fwgen's model in one; declare the zones both files share in one order",
                    six.name, four.name, four.line.file, four.line.number
                ),
            ));
        }
    }
    if kind == Kind::Interface {
        // The model's interface is one of its zone's families, all of
        // them: one a single family's file declares, of a zone of both,
        // the other family's Shorewall never dispatches.
        for entry in &merged {
            let (here, there) = if v4.iter().any(|e| e.kind == kind && e.name == entry.name) {
                ("Shorewall's", "Shorewall6")
            } else {
                ("Shorewall6's", "Shorewall")
            };
            let alone = !(v4.iter().any(|e| e.kind == kind && e.name == entry.name)
                && v6.iter().any(|e| e.kind == kind && e.name == entry.name));
            let zone = match entry.table.get("zone") {
                Some(Value::String(zone)) => zone.as_str(),
                _ => continue,
            };
            if alone && families.get(zone) == Some(&"both") {
                refusals.push((
                    entry.line.clone(),
                    format!(
                        "interface `{}` is declared in {here} interfaces file alone, and its zone `{zone}` is of both families: {there} does not know it, so the other family's packets on it meet no zone there, where fwgen's model would give both families' to `{zone}`; declare it in both files, or give it a zone of one family",
                        entry.name
                    ),
                ));
            }
        }
    }
    if kind == Kind::Zone {
        for zone in &mut merged {
            let family = families.get(&zone.name).copied().unwrap_or("ipv4");
            if family != "ipv4" {
                let item = Item::Pair("family".to_owned(), family.into());
                zone.table.items.insert(0, item);
            }
        }
    }
    merged
}

/// What a zone's declaration says but its comments and description.
fn declared(table: &Table) -> Vec<Item> {
    let said = |item: &&Item| match item {
        Item::Pair(key, _) => key != "description",
        Item::Comment(_) => false,
    };
    table.items.iter().filter(said).cloned().collect()
}

/// Shorewall's declaration of an interface (`known`) against Shorewall6's.
fn reconcile_interface(known: &mut Entry, six: &Entry, refusals: &mut Vec<(Line, String)>) {
    let shape = |table: &Table| -> Vec<Item> {
        let other = |item: &&Item| match item {
            Item::Pair(key, _) => key != "options" && key != "description",
            Item::Comment(_) => true,
        };
        table.items.iter().filter(other).cloned().collect()
    };
    if shape(&known.table) != shape(&six.table) {
        refusals.push((
            six.line.clone(),
            format!(
                "interface `{}` is declared differently in Shorewall's interfaces ({}:{}): fwgen's model has one declaration for both families",
                six.name, known.line.file, known.line.number
            ),
        ));
        return;
    }
    let only = |a: &[String], b: &[String]| -> Vec<String> {
        a.iter().filter(|o| !b.contains(o)).cloned().collect()
    };
    // Options Shorewall6 does not have (Zones.pm's IPv6 option table) are
    // IPv4's alone in the model too: Shorewall's declaration keeps them.
    let ipv4_only = |o: &String| {
        let base = o.split('=').next().unwrap_or_default();
        [
            "arp_filter",
            "arp_ignore",
            "logmartians",
            "proxyarp",
            "routefilter",
        ]
        .contains(&base)
    };
    // Options Shorewall does not have (`forward`, an IPv6 sysctl) are
    // IPv6's alone in the model too: Shorewall6's declaration adds them,
    // and the Shorewall backend writes them in Shorewall6's line alone.
    let four_written = known.options();
    let ipv6_only: Vec<String> = only(&six.options(), &four_written)
        .into_iter()
        .filter(|o| option_verdict::ipv6_alone(o))
        .collect();
    if !ipv6_only.is_empty() {
        let options = [four_written.clone(), ipv6_only].concat();
        match known.table.get_mut("options") {
            Some(value) => *value = Value::strings(&options),
            None => known.table.push("options", Value::strings(&options)),
        }
    }
    let (four_options, six_options) = (known.options(), six.options());
    let only_four: Vec<String> = only(&four_options, &six_options)
        .into_iter()
        .filter(|o| !ipv4_only(o))
        .collect();
    let only_six = only(&six_options, &four_options);
    if only_four.is_empty() && only_six.is_empty() {
        return;
    }
    // What the model can give one family alone (`options_ipv4`,
    // `options_ipv6`): each family keeps its own.
    let per_family = |o: &String| option_verdict::per_family(o);
    if only_four.iter().chain(&only_six).all(per_family) {
        let kept: Vec<String> = only(&four_options, &only_four);
        if kept.is_empty() {
            known.table.remove("options");
        } else if let Some(options) = known.table.get_mut("options") {
            *options = Value::strings(&kept);
        }
        for (key, options) in [("options_ipv4", &only_four), ("options_ipv6", &only_six)] {
            if !options.is_empty() {
                known.table.push(key, Value::strings(options));
            }
        }
        return;
    }
    let shown = |o: &[String]| {
        if o.is_empty() {
            "-".to_owned()
        } else {
            o.join(",")
        }
    };
    refusals.push((
        six.line.clone(),
        format!(
            "interface `{}` has options {} for IPv4 ({}:{}) and {} for IPv6: fwgen's model gives one family alone only {} (`options_ipv4`, `options_ipv6`), and any other option of one would apply to the other (`bridge` is one device for both); without --partial this is refused, with it the options only one family gives ({}) are left out",
            six.name,
            shown(&four_written),
            known.line.file,
            known.line.number,
            shown(&six_options),
            option_verdict::PER_FAMILY.join(", "),
            shown(&[only_four.clone(), only_six].concat()),
        ),
    ));
    let kept: Vec<String> = only(&four_options, &only_four);
    if kept.is_empty() {
        known.table.remove("options");
    } else if let Some(options) = known.table.get_mut("options") {
        *options = Value::strings(&kept);
    }
}

/// An entry's table without its `comment` key: what it means.
fn meaning(entry: &Entry) -> (&Header, impl Iterator<Item = &Item>) {
    let items = entry.table.items.iter();
    let meant = items.filter(|item| !matches!(item, Item::Pair(key, _) if key == "comment"));
    (&entry.table.header, meant)
}

fn same_meaning(a: &Entry, b: &Entry) -> bool {
    let ((a_header, a_items), (b_header, b_items)) = (meaning(a), meaning(b));
    a_header == b_header && a_items.eq(b_items)
}

/// Whether two entries are written alike, but for their origins.
fn same_text(a: &Entry, b: &Entry) -> bool {
    a.table.header == b.table.header && a.table.items == b.table.items
}

/// Two ordered lists as one: entries that mean the same once, each list's
/// order kept. The side is `None` for entries of both, else whether only
/// IPv6 has it. Entries alike but for their comment keep Shorewall's
/// comment, and a note says so.
fn merge_in_order(
    four: &[&Entry],
    six: &[&Entry],
    notes: &mut Vec<String>,
) -> Vec<(Entry, Option<bool>)> {
    let (mut i, mut j) = (0, 0);
    let mut merged = Vec::new();
    while i < four.len() || j < six.len() {
        match (four.get(i), six.get(j)) {
            (Some(a), Some(b)) if same_meaning(a, b) => {
                if !same_text(a, b) {
                    notes.push(format!(
                        "{}:{} and {}:{} differ only in their comment; the model keeps Shorewall's",
                        a.line.file, a.line.number, b.line.file, b.line.number
                    ));
                }
                let mut both = (*a).clone();
                both.table.comments.extend(b.table.comments.iter().cloned());
                merged.push((both, None));
                i += 1;
                j += 1;
            }
            (Some(a), Some(b)) => {
                let a_later_in_six = six[j..].iter().any(|e| same_meaning(e, a));
                let b_later_in_four = four[i..].iter().any(|e| same_meaning(e, b));
                if b_later_in_four || !a_later_in_six {
                    merged.push(((*a).clone(), Some(false)));
                    i += 1;
                } else {
                    merged.push(((*b).clone(), Some(true)));
                    j += 1;
                }
            }
            (Some(a), None) => {
                merged.push(((*a).clone(), Some(false)));
                i += 1;
            }
            (None, Some(b)) => {
                merged.push(((*b).clone(), Some(true)));
                j += 1;
            }
            (None, None) => break,
        }
    }
    merged
}

/// Whether an entry found in one family's configuration only can match
/// nothing of the other family in fwgen's model.
fn bound_to(entry: &Entry, ipv6: bool, families: &BTreeMap<String, &'static str>) -> bool {
    let own = if ipv6 { "ipv6" } else { "ipv4" };
    entry.family == Some(ipv6) || entry.zones.iter().any(|z| families.get(z) == Some(&own))
}

/// An interface's OPTIONS as Config.pm split_list1 splits them: at each
/// comma outside parentheses, so `sfilter=(10.0.0.0/8,192.168.1.0/24)` is
/// one option (helper-254: fwgen read `192.168.1.0/24)` as another).
fn option_list(options: &str) -> Vec<String> {
    let mut list = vec![String::new()];
    let mut open = false;
    for c in options.chars() {
        match c {
            ',' if !open => list.push(String::new()),
            _ => {
                open = match c {
                    '(' => true,
                    ')' => false,
                    _ => open,
                };
                list.last_mut().unwrap().push(c);
            }
        }
    }
    list
}

/// The zones an entry's sides name as written (`loc:10.0.0.1` names
/// `loc`), declared or not, each with its key: a rule's, blacklist rule's
/// or policy's `source` and `dest`, a hosts entry's `zone`. Other kinds
/// name none here (a stopped entry's sides are interfaces; review-257).
fn side_zones(entry: &Entry) -> Vec<(&'static str, String)> {
    let mut zones = Vec::new();
    let (Header::Table(path) | Header::ArrayOfTables(path)) = &entry.table.header;
    match entry.kind {
        Kind::Hosts => {
            if let [_, zone, _] = path.as_slice() {
                zones.push(("zone", zone.clone()));
            }
            return zones;
        }
        Kind::Rule | Kind::Blacklist | Kind::Policy => {}
        _ => return zones,
    }
    for key in ["source", "dest"] {
        let sides = match entry.table.get(key) {
            Some(Value::String(side)) => vec![side.as_str()],
            Some(Value::Array(sides)) => sides.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        for side in sides {
            let words = side.split(':').next().unwrap_or_default();
            zones.extend(words.split(',').map(|zone| (key, zone.to_owned())));
        }
    }
    zones
}

/// Why `entry` of one product (Shorewall6's when `ipv6`) is refused when
/// it names a zone only the other product declares: its own product
/// refuses it (helper-254: such a line merged silently into the other
/// family's alike line). `None` when it names none.
fn undeclared_zone(
    entry: &Entry,
    ipv6: bool,
    families: &BTreeMap<String, &'static str>,
) -> Option<String> {
    let (product, other, only) = match ipv6 {
        true => ("Shorewall6", "shorewall/zones", "ipv4"),
        false => ("Shorewall", "shorewall6/zones", "ipv6"),
    };
    let (key, zone) = side_zones(entry)
        .into_iter()
        .find(|(_, zone)| families.get(zone) == Some(&only))?;
    let shorewall = match (entry.kind, key) {
        (Kind::Policy, _) => format!("Undefined zone ({zone})"),
        (Kind::Hosts, _) => format!("Unknown ZONE ({zone})"),
        (_, "source") => format!("Unknown source zone ({zone})"),
        (_, "dest") => format!("Unknown destination zone ({zone})"),
        _ => format!("Unknown zone ({zone})"),
    };
    Some(format!(
        "it names the zone `{zone}`, which only {other} declares: {product} refuses the line (\"{shorewall}\"); declare the zone in both files, or leave the line out of this one"
    ))
}

/// A Shorewall6 hosts column in the forms Zones.pm process_host takes,
/// as `INTERFACE:LIST` for the rest of the reading: `IF:<LIST>` and
/// `IF[LIST]` are `IF:LIST`; `IF:[...]`, `IF:![...]`, `IF:[...]/N`,
/// `IF:+set`, `IF:!+set` and `IF:dynamic` are kept. Any other form
/// (`eth1:2001:db8::/64`, addresses without brackets) Shorewall6 refuses
/// (helper-254: fwgen carried it).
fn shorewall6_hosts(hosts: &str) -> Result<String, String> {
    // `[\w.@%-]+\+?`
    let name_end = hosts
        .find(|c: char| !(c.is_ascii_alphanumeric() || "_.@%-".contains(c)))
        .unwrap_or(hosts.len());
    let name_end = match hosts[name_end..].starts_with('+') {
        true => name_end + 1,
        false => name_end,
    };
    let (interface, rest) = hosts.split_at(name_end);
    let bracketed = |list: &str| {
        let list = list.strip_prefix('!').unwrap_or(list);
        let list = match list.rsplit_once("]/") {
            Some((list, bits)) if !bits.is_empty() && bits.bytes().all(|b| b.is_ascii_digit()) => {
                format!("{list}]")
            }
            _ => list.to_owned(),
        };
        list.len() > 2 && list.starts_with('[') && list.ends_with(']')
    };
    let read = match rest {
        _ if interface.trim_end_matches('+').is_empty() => None,
        _ if rest.starts_with(":<") && rest.ends_with('>') && rest.len() > 2 => {
            Some(format!("{interface}:{}", &rest[2..rest.len() - 1]))
        }
        _ if rest.starts_with('[') && rest.ends_with(']') => {
            Some(format!("{interface}:{}", &rest[1..rest.len() - 1]))
        }
        _ => rest.strip_prefix(':').and_then(|list| {
            let ipset = list.strip_prefix('!').unwrap_or(list).starts_with('+');
            (bracketed(list) || ipset || list == "dynamic").then(|| hosts.to_owned())
        }),
    };
    read.ok_or_else(|| {
        format!(
            "hosts `{hosts}`: Shorewall6 refuses it (\"Invalid HOST(S) column contents: {hosts}\"; Zones.pm process_host takes IPv6 hosts as `INTERFACE:[ADDRESS,...]`, `INTERFACE:<ADDRESS,...>`, `INTERFACE[ADDRESS,...]`, `INTERFACE:+SET` or `INTERFACE:dynamic`): write `{interface}:[...]` around the addresses"
        )
    })
}

/// `NAME=value` without surrounding quotes or a ` #` comment.
/// A compiler directive Config.pm's read_a_line handles itself, before
/// it expands variables (`?SECTION` is not one: Rules.pm reads it).
/// The FORMAT and the ?COMMENT in force at a line (Config.pm's
/// `$file_format` and `$comment`, which an INCLUDEd file inherits and
/// gives back when it ends), as the directive lines that set them.
#[derive(Clone, PartialEq)]
struct InForce {
    format: String,
    comment: String,
}

impl InForce {
    /// What a file starts with: FORMAT 2 in macros and actions (Rules.pm
    /// opens them so), FORMAT 1 elsewhere (Config.pm open_file), no comment.
    fn opening(name: &str) -> InForce {
        let format = if name.starts_with("macro.") || name.starts_with("action.") {
            2
        } else {
            1
        };
        InForce {
            format: format!("?FORMAT {format}"),
            comment: "?COMMENT".to_owned(),
        }
    }

    /// After `text`: a valid `?FORMAT N` (or Shorewall 4's bare `FORMAT N`)
    /// or a `?COMMENT` changes what is in force; any other line does not.
    fn read(&mut self, text: &str) {
        let text = text.trim();
        if text.starts_with("?COMMENT") {
            self.comment = text.to_owned();
            return;
        }
        let mut words = text.split_whitespace();
        if let (Some("?FORMAT" | "FORMAT"), Some(format), None) =
            (words.next(), words.next(), words.next())
            && format.parse::<u32>().is_ok()
        {
            self.format = format!("?FORMAT {format}");
        }
    }

    /// The directive lines that bring `self` back after an included file
    /// that ended with `ended` in force.
    fn restoring(&self, ended: &InForce) -> Vec<String> {
        let mut lines = Vec::new();
        if self.format != ended.format {
            lines.push(self.format.clone());
        }
        if self.comment != ended.comment {
            lines.push(self.comment.clone());
        }
        lines
    }
}

/// The `$NAME` and `${NAME}` left in a text after [`Importer::expand`],
/// each once, in order (`$FW` is the firewall zone's, not a variable).
fn variables_left(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        let after = &rest[at + 1..];
        let braced = after.strip_prefix('{');
        let inner = braced.unwrap_or(after);
        let end = inner
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(inner.len());
        let name = &inner[..end];
        if condition::is_name(name) && name != "FW" && !names.contains(&name) {
            names.push(name);
        }
        rest = &inner[end..];
    }
    names
}

fn is_directive(text: &str) -> bool {
    let Some(rest) = text.trim_start().strip_prefix('?') else {
        return false;
    };
    let rest = rest.to_ascii_uppercase();
    [
        "IF", "ELSE", "ELSIF", "ENDIF", "SET", "RESET", "FORMAT", "COMMENT", "ERROR", "WARNING",
        "INFO", "REQUIRE",
    ]
    .iter()
    .any(|word| rest.starts_with(word))
}

fn assignment(line: &str) -> Option<(String, String)> {
    let line = line.trim();
    if line.starts_with('#') || line.is_empty() {
        return None;
    }
    let (key, value) = line.split_once('=')?;
    // Config.pm keeps a blank after `=` (`FASTACCEPT= Yes` is " Yes",
    // which it refuses); its reader has cut the blanks at the end.
    let value = value.split(" #").next().unwrap_or("").trim_end();
    // Config.pm process_shorewall_conf: `$val =~ /"([^"]*)"$/ ? $1 :
    // $val`, the last double-quoted part where the value ends in one
    // (`Off""` is empty, `No"Yes"` is Yes), else the value as written,
    // single quotes and all (`'Yes'` is no Yes).
    let value = (value.strip_suffix('"'))
        .and_then(|v| v.rfind('"').map(|at| &v[at + 1..]))
        .unwrap_or(value);
    // `KEY = value` keeps its space: Config.pm reads `NAME=` alone, and
    // the shell runs `KEY` as a command.
    Some((key.trim_start().to_owned(), value.to_owned()))
}

/// Why an ipset form in an address column is refused: a list of sets
/// (`+[a,b]`: a packet in any of them) or a set's flags in brackets
/// (`+NAME[dst]`, `+NAME[src,dst]`: which of the packet's addresses the
/// set matches, or its counters). fwgen's `+NAME` is the whole address
/// list and matches the packet's own side: the source in SOURCE and in a
/// zone's hosts, the destination in DEST.
fn ipset_form_problem(text: &str) -> Option<String> {
    if text.contains("+[") {
        return Some(format!(
            "`{text}`: a list of ipsets (`+[a,b]`: a packet in any of them) is not in fwgen's model, which takes one `+NAME` as the whole address list"
        ));
    }
    let flagged = (text.split([':', ',']))
        .any(|item| item.trim_start_matches('!').starts_with('+') && item.contains('['));
    flagged.then(|| format!(
        "`{text}`: an ipset's flags in brackets (`+NAME[dst]`, `+NAME[src,dst]`: which of the packet's addresses the set matches, or its counters) are not in fwgen's model, whose `+NAME` matches the packet's own side (its source in SOURCE and in a zone's hosts, its destination in DEST); write `+NAME` where that is what the flags say"
    ))
}

/// Why an unquoted shorewall.conf value holding a shell operator is
/// refused: Shorewall's command (lib.cli-std, std_get_config) runs the
/// file as shell code before its compiler (Config.pm) reads the text as
/// written, so `Broadcast(DROP)` stops the shell ("Syntax error"), and
/// `filter>FILE` writes FILE while the compiler reads the whole text.
fn conf_shell_operator(file: &str, raw: &str) -> Option<String> {
    if raw.starts_with(['"', '\'']) {
        return None;
    }
    // No comment is left to leave out: the line was cut at its first `#`
    // as Config.pm cuts it (file.rs), the shell's comment (after a blank)
    // with it.
    let value = raw.trim();
    let operator = value.chars().find(|c| "|&;()<>`".contains(*c))?;
    Some(format!(
        "`{operator}` in an unquoted value: Shorewall's command runs {file} as shell code first (lib.cli-std), where `{operator}` is the shell's (a syntax error, a second command or a redirection), while its compiler reads the text as written (Config.pm); quote the value"
    ))
}

/// A params line as the shell Shorewall runs it reads it, where it is a
/// plain assignment: `NAME=value`, the value bare, `"quoted"` or
/// `'quoted'`, then nothing or a `#` comment. Else why it is shell code.
fn params_assignment(line: &str) -> Result<(String, String), &'static str> {
    let (key, rest) = line.split_once('=').ok_or("not NAME=value")?;
    if !condition::is_name(key) {
        return Err("a word or space before NAME= (`export`, `readonly`, `NAME =`)");
    }
    let quote = rest.chars().next().filter(|c| matches!(c, '"' | '\''));
    let (value, after) = match quote {
        Some(quote) => {
            let body = &rest[1..];
            let end = body
                .find(quote)
                .ok_or("a quote that does not close on its line")?;
            let after = &body[end + 1..];
            if after.starts_with(|c: char| !c.is_whitespace() && c != ';') {
                return Err("text joined to the quoted value");
            }
            (&body[..end], after)
        }
        None => {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            (&rest[..end], &rest[end..])
        }
    };
    // One `;` ending the command (`V=2.2.2.2;`, `V="a b" ;`) ends the
    // assignment as the line's end does; a second is the shell's syntax
    // error.
    let (value, after) = match value.strip_suffix(';').filter(|_| quote.is_none()) {
        Some(value) => (value, after),
        None => (value, after.trim_start().strip_prefix(';').unwrap_or(after)),
    };
    let after = after.trim_start();
    if !after.is_empty() && !after.starts_with('#') {
        return Err("more after the value than a comment: a second word or command");
    }
    // The shell keeps `$A` in single quotes, and Shorewall expands it
    // where a rule uses the variable, with A's value then (its last one):
    // not what reading params line by line gives.
    if quote == Some('\'') && value.contains('$') {
        return Err(
            "a `$` in single quotes, which Shorewall expands where a rule uses it, with the variable's last value",
        );
    }
    let operators: &[char] = match quote {
        Some('\'') => &[],
        Some(_) => &['`', '\\'],
        None => &['`', '\\', ';', '&', '|', '<', '>', '(', ')', '"', '\''],
    };
    if (quote != Some('\'') && value.contains("$(")) || value.contains(operators) {
        return Err("a command substitution, escape or shell operator in the value");
    }
    // `${NAME}` is the variable; `${NAME:-default}` and the like are the
    // shell's parameter expansions, which fwgen does not run.
    let expansion = value.split("${").skip(1).any(|inner| {
        let name = inner.split('}').next().unwrap_or_default();
        !condition::is_name(name)
    });
    if quote != Some('\'') && expansion {
        return Err("a shell parameter expansion (`${NAME:-default}` and the like)");
    }
    Ok((key.to_owned(), value.to_owned()))
}

/// shorewall.conf's settings other than logging, as the importer reads them.
#[derive(Debug, Default)]
struct Settings {
    /// The modelled ones: value and line.
    modelled: BTreeMap<String, (String, Line)>,
    /// What they become.
    carried: Carried,
    /// Names of settings that change no verdict.
    noted: Vec<String>,
    /// Names of settings Shorewall 5 removed.
    eliminated: Vec<String>,
    /// Notes on values fwgen carries with a difference (Keep, DISABLE_IPV6).
    remarks: Vec<String>,
    /// Settings whose line Config.pm skips with a warning (an unknown
    /// name, or one Shorewall 5 removed: [`setting::ignored_warning`]),
    /// each with its line and the warning: the name is no variable a rule
    /// can use either.
    ignored: BTreeMap<String, (Line, String)>,
    /// COMPLETE=Yes's line, until the interfaces are read.
    complete: Option<Line>,
    /// TCP_FLAGS_DISPOSITION other than DROP beside an INVALID_DISPOSITION
    /// other than CONTINUE (`judge_tcp_flags`).
    tcp_flags_unseen: Option<(Line, String)>,
    /// An RPFILTER_DISPOSITION the model does not mean (line, value, the
    /// refusal), until the interfaces are read (`judge_rpfilter`).
    rpfilter_unseen: Option<(Line, String, String)>,
    /// MANGLE_ENABLED=No's line, until the interfaces are read
    /// (`judge_mangle`).
    mangle_disabled: Option<Line>,
    /// IGNOREUNKNOWNVARIABLES's value and line, for the lines naming a
    /// variable nothing sets (`unknown_variables`).
    ignore_unknown: Option<(String, Line)>,
    /// BLACKLIST_DISPOSITION and BLACKLIST_LOG_LEVEL as written (`KEY=value`)
    /// and their lines: they decide only the legacy blacklist file's
    /// entries and the BLACKLIST action, noted when neither reads them.
    blacklist_target: Vec<(String, Line)>,
    /// Whether the blacklist file or a BLACKLIST action read them.
    blacklist_target_read: std::cell::Cell<bool>,
    /// The directory's own conntrack file (as shown) when it leaves out
    /// the helper lines Shorewall ships in it, under AUTOHELPERS=Yes:
    /// Shorewall then attaches no helper at all ([`Importer::helpers_unlisted`]).
    helpers_unlisted: Option<String>,
}

/// The `[firewall]` keys carried from shorewall.conf, as the model writes them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Carried {
    clamp_mss: Value,
    ip_forwarding: &'static str,
    route_filter: bool,
    log_martians: bool,
    conntrack_helpers: bool,
    /// ADMINISABSENTMINDED.
    stopped_output_open: bool,
    /// FASTACCEPT.
    fast_accept: bool,
    /// BLACKLIST, as `blacklist_states`.
    blacklist_states: Vec<String>,
    /// The `*_DISPOSITION` words, in [`DispositionKey::ALL`]'s order.
    dispositions: [&'static str; 4],
    /// The `*_LOG_LEVEL` settings of [`LOG_LEVEL_KEYS`], as the model writes them.
    log_levels: [Option<String>; 6],
}

impl Carried {
    /// The states FASTACCEPT=Yes accepts before every rule in this
    /// family, as the model decides them ([`ConnState::fast`]).
    fn fast_states(&self) -> Vec<ConnState> {
        if !self.fast_accept {
            return Vec::new();
        }
        let related = DispositionKey::Related;
        let word = DispositionKey::ALL
            .into_iter()
            .zip(self.dispositions)
            .find_map(|(key, word)| (key == related).then_some(word));
        let logged = LOG_LEVEL_KEYS
            .iter()
            .zip(&self.log_levels)
            .any(|((key, _), level)| *key == "RELATED_LOG_LEVEL" && level.is_some());
        let read = word.and_then(|word| related.read(word));
        let read = read.unwrap_or((related.shorewall_default(), false));
        ConnState::fast(read, logged)
    }
}

/// The log settings of `tcp_flags_log`, `smurf_log`, the states' and
/// `rpfilter_log`.
const LOG_LEVEL_KEYS: [(&str, &str); 6] = [
    ("TCP_FLAGS_LOG_LEVEL", "tcp_flags_log"),
    ("SMURF_LOG_LEVEL", "smurf_log"),
    ("RELATED_LOG_LEVEL", "related_log"),
    ("INVALID_LOG_LEVEL", "invalid_log"),
    ("UNTRACKED_LOG_LEVEL", "untracked_log"),
    ("RPFILTER_LOG_LEVEL", "rpfilter_log"),
];

/// A `*_LOG_LEVEL` setting as Config.pm reads it (`default_log_level`):
/// unset (empty or `0`) or `none` logs nothing; a `:TAG` is refused.
fn log_level_setting(key: &str, value: &str) -> Result<Option<String>, String> {
    let value = value.trim_matches('"');
    if logging::setting_logs_nothing(value) {
        return Ok(None);
    }
    if value.contains(':') {
        return Err(format!(
            "{key}={value}: a log tag on {key} is not in fwgen's model: write the level alone"
        ));
    }
    crate::model::LogLevel::read(value)
        .map(|level| Some(level.to_string()))
        .map_err(|problem| format!("{key}={value}: {problem}"))
}

const DISABLE_IPV6_WITHOUT_SIX: &str = "DISABLE_IPV6=No leaves IPv6 to Shorewall6, and there is no shorewall6 directory beside this one: fwgen's model has no IPv6 zone, so both its backends drop new IPv6 connections";
const DISABLE_IPV6_WITH_SIX: &str = "DISABLE_IPV6=Yes drops all IPv6, but the shorewall6 directory beside this one becomes the model's IPv6 zones";

/// A setting's name, once however often the file assigns it.
fn push_once(names: &mut Vec<String>, name: &str) {
    if !names.iter().any(|n| n == name) {
        names.push(name.to_owned());
    }
}

/// A Yes/No setting (lower case, default filled in).
fn yes_no(key: &str, value: &str) -> Result<bool, String> {
    match value {
        "yes" => Ok(true),
        "no" => Ok(false),
        other => Err(format!("{key}={other}: Shorewall takes Yes or No")),
    }
}

/// A `*_DISPOSITION` setting as Config.pm reads it (its upper-case
/// words; `written` as the file has it, `value` after the default), as
/// the model writes it: Shorewall's word, `A_DROP` audited.
fn disposition(key: DispositionKey, written: &str, value: &str) -> Result<&'static str, String> {
    let setting = key.setting();
    let word = value.to_ascii_uppercase();
    if written != written.to_ascii_uppercase() {
        return Err(format!(
            "{setting}={written}: Shorewall takes the upper-case words {}",
            key.words()
        ));
    }
    if let Some(why) = key.audited_reject_refusal().filter(|_| word == "A_REJECT") {
        return Err(format!(
            "{setting}={written}: {why}; fwgen writes only what Shorewall compiles: write A_DROP or REJECT"
        ));
    }
    key.read(&word)
        .map(|(disposition, audited)| disposition.setting_word(audited))
        .ok_or_else(|| format!("{setting}={written}: Shorewall takes {}", key.words()))
}

/// CLAMPMSS as `clamp_mss` writes it: Yes, No or an MSS.
fn clamp_mss(value: &str) -> Result<Value, String> {
    match value {
        "yes" => Ok(true.into()),
        "no" => Ok(false.into()),
        // Misc.pm setup_mss passes the number on as written, and iptables
        // reads a leading 0 as octal (`01400` is 768).
        other if other.len() > 1 && other.starts_with('0') => Err(format!(
            "CLAMPMSS={other}: Shorewall passes it to iptables as written, which reads a leading 0 as octal{}: write the MSS in decimal",
            numeric::numeric_value(other).map_or_else(String::new, |n| format!(" ({n})"))
        )),
        other => match other.parse::<u16>() {
            Ok(mss @ 1..) => Ok(mss.into()),
            _ => Err(format!(
                "CLAMPMSS={other}: Shorewall takes Yes, No or an MSS"
            )),
        },
    }
}

/// ROUTE_FILTER (Yes, No, Keep, or the rp_filter value 0), and the note
/// Keep needs. `1` sets rp_filter as Yes does, but Misc.pm leaves out the
/// sfilter rules for `on` (Yes) alone (`$config{ROUTE_FILTER} eq 'on'`),
/// where the model's `route_filter = true` leaves them out too
/// (helper-258: fwgen read it as Yes and accepted what sfilter drops).
fn route_filter(value: &str) -> Result<(bool, Option<&'static str>), String> {
    match value {
        "1" => Err(
            "ROUTE_FILTER=1: Shorewall sets rp_filter to 1 as with Yes, but keeps its sfilter rules (traffic sent back out of the interface it came in on is dropped; Misc.pm leaves them out for Yes alone), which fwgen's route_filter = true leaves out: write Yes (no sfilter) or `routefilter` on each interface (sfilter kept)".to_owned(),
        ),
        "0" => Ok((false, None)),
        other => match trivalue(other) {
            Some("on") => Ok((true, None)),
            Some("off") => Ok((false, None)),
            Some(_) => Ok((
                false,
                Some(
                    "ROUTE_FILTER=Keep: fwgen's Shorewall files write ROUTE_FILTER=No, its nftables ruleset leaves the kernel's rp_filter as it is; routefilter interfaces filter as before",
                ),
            )),
            None => Err(format!(
                "ROUTE_FILTER={other}: fwgen takes Yes, No or Keep here; write routefilter=2 on each interface for loose filtering"
            )),
        },
    }
}

/// LOG_MARTIANS (Yes, No or Keep), and the note Keep needs.
fn log_martians(value: &str) -> Result<(bool, Option<&'static str>), String> {
    match trivalue(value) {
        Some("on") => Ok((true, None)),
        Some("off") => Ok((false, None)),
        Some(_) => Ok((
            false,
            Some(
                "LOG_MARTIANS=Keep: becomes log_martians = false (logging changes, verdicts do not)",
            ),
        )),
        None => Err(format!(
            "LOG_MARTIANS={value}: Shorewall takes Yes, No or Keep"
        )),
    }
}

/// A policy DEST that Rules.pm process_a_policy1 takes for `all` though
/// it is more: its DEST pattern `^all(\+)?(?:!(.+))?` (unlike SOURCE's)
/// has no end anchor, so `alldmz` or `all-` is every zone.
fn all_unanchored(dest: &str) -> bool {
    let lower = dest.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("all") else {
        return false;
    };
    let rest = rest.strip_prefix('+').unwrap_or(rest);
    !rest.is_empty() && !rest.starts_with('!')
}

/// A policy's SOURCE or DEST wildcard as Rules.pm process_a_policy1 reads
/// it, lowercased whole (`"\L$client" =~ /^all(\+)?(?:!(.+))?$/`, the
/// zones excluded taken from the lowercased text): `ALL` is `all`,
/// `All+!LOC` is `all+!loc`; `None` where that is what is written. Not
/// beside a comma: process_a_policy's own test for an exclusion
/// (`/^all(\+)?!/`) is case-sensitive, so `ALL!net,loc` is a list to it,
/// every zone but net and then loc, where `all!net,loc` excludes both.
fn policy_wildcard(zone: &str) -> Option<String> {
    // `$FW` is the firewall zone's name once Shorewall has expanded it.
    let lower = zone.to_ascii_lowercase().replace("$fw", "$FW");
    let rest = lower.strip_prefix("all")?;
    let rest = rest.strip_prefix('+').unwrap_or(rest);
    let wild = rest.is_empty() || rest.starts_with('!');
    (wild && lower != zone && !zone.contains(',')).then_some(lower)
}

/// Why a call of stock macro `name` is refused when the directory's
/// macro.`inner` replaces a macro it calls.
fn overridden_refusal(name: &str, inner: Overridden) -> String {
    let kind = if inner.action { "action" } else { "macro" };
    format!(
        "`{name}` {}; write the lines of `{name}` in the rules file, or give the site's {kind} another name",
        inner.explain(name)
    )
}

/// A macro a stock macro calls, at any depth, which the directory
/// replaces: by a site macro of its name, or by a site action of its name
/// (the actions file), which Shorewall runs in its place.
#[derive(Debug, Clone, Copy)]
pub(super) struct Overridden {
    pub(super) name: &'static str,
    /// The site's action of the name, not its macro.
    pub(super) action: bool,
}

impl Overridden {
    /// Why `caller`, a stock macro, does not mean in fwgen what Shorewall
    /// runs for it: the sentence after the caller's name.
    pub(super) fn explain(self, caller: &str) -> String {
        let name = self.name;
        format!(
            "calls macro {name}, and {}: fwgen's `{caller}` expands Shorewall's own {name}",
            self.replacement()
        )
    }

    /// What Shorewall runs for the nested call, and why.
    fn replacement(self) -> String {
        let name = self.name;
        if self.action {
            format!(
                "the site's action {name} (its actions file) runs in its place (Rules.pm's process_macro looks a macro line's target up among the actions before the macros)"
            )
        } else {
            format!(
                "the site's macro.{name} replaces Shorewall's (Rules.pm's find_macro looks a nested macro up in the directory first)"
            )
        }
    }
}

/// Shorewall's refusal of a `:syn` test after another protocol than tcp
/// (Chains.pm do_proto).
fn syn_not_tcp(item: &str) -> String {
    format!("PROTO `{item}`: Shorewall refuses it (\":syn\" is only allowed with tcp)")
}

/// Why a PROTO column with a `:syn` or `:!syn` test cannot be carried to
/// `entries`, which have no test of TCP flags; `None` when it has none.
fn syn_refused(proto: &str, entries: &str) -> Option<String> {
    let (item, protocol, test) = proto.split(',').find_map(|item| {
        let (protocol, test) = split_syn(item);
        Some((item, protocol, test?))
    })?;
    if port_protocol(protocol) != Some("tcp") {
        return Some(syn_not_tcp(item));
    }
    let what = match test {
        SynTest::First => "a connection's first segment, iptables `--syn`",
        SynTest::NotFirst => "every segment but a connection's first, iptables `! --syn`",
    };
    Some(format!(
        "PROTO `{proto}` tests TCP flags ({what}): fwgen's {entries} have no such test (`syn = true` is a `[[rule]]`'s)"
    ))
}

/// A PROTO column as the model writes it, each name of a list on its own:
/// IPv6's ICMP by any of its names is `icmpv6`, and so is Shorewall6's
/// `icmp` (IPAddrs.pm resolve_proto takes `icmp`, exactly, as ipv6-icmp
/// there); the model's `icmp` is IPv4's. Shorewall6's `ICMP` and `1`
/// [`Protocols::resolve_in`] refuses before.
fn model_proto(proto: &str, ipv6: bool) -> Result<String, String> {
    if let Some(taken_out) = proto.strip_prefix('!') {
        return Err(format!(
            "PROTO `{proto}` matches every protocol but {taken_out} (iptables `! -p`): fwgen's protocols are taken in, not left out; write the protocols the line is for"
        ));
    }
    let one = |name: &str| {
        // A rule's `tcp:syn` alone is `syn = true` (write_rule); what is
        // left here is refused.
        if let (protocol, Some(test)) = split_syn(name) {
            if port_protocol(protocol) != Some("tcp") {
                return Err(syn_not_tcp(name));
            }
            return Err(match test {
                SynTest::NotFirst => format!(
                    "PROTO `{name}` matches only the TCP packets that are not a connection's first SYN (iptables `! --syn`): fwgen's rules test the other way alone (`syn = true`, Shorewall's `tcp:syn`)"
                ),
                SynTest::First if proto.contains(',') => format!(
                    "PROTO `{name}` in a protocol list: fwgen's `syn = true` goes with tcp alone; write a line of its own with PROTO `{name}`"
                ),
                SynTest::First => format!(
                    "PROTO `{name}` tests TCP flags (a connection's first segment, iptables `--syn`), which fwgen takes on a `[[rule]]` alone (`syn = true`)"
                ),
            });
        }
        match name {
            "icmp" if ipv6 => Ok("icmpv6".to_owned()),
            _ if matches!(
                name.to_ascii_lowercase().as_str(),
                "ipv6-icmp" | "icmp6" | "icmpv6"
            ) =>
            {
                Ok("icmpv6".to_owned())
            }
            _ => Ok(name.to_owned()),
        }
    };
    let names: Result<Vec<String>, String> = proto.split(',').map(one).collect();
    Ok(names?.join(","))
}

/// Whether a LOG column's `level[:tag]` logs: not where its level is
/// empty or `none` ([`logging::no_log`]).
fn level_logs(log: &str) -> bool {
    !logging::no_log(log.split(':').next().unwrap_or_default())
}

/// `MACRO(ACTION:LEVEL)` (`Ping(ACCEPT:info)`): Shorewall substitutes
/// `ACTION:LEVEL` for the macro's PARAM (Rules.pm process_macro), so the
/// lines that take PARAM log at LEVEL. Where every line of the stock
/// macro takes it, or LEVEL logs nothing (`Web(ACCEPT:)`,
/// `Web(ACCEPT:none)`), that is `MACRO(ACTION):LEVEL`, the call and its
/// level; otherwise refused, as fwgen's level is the whole call's.
/// `None`: no level inside the parentheses.
fn macro_param_level(action: &str) -> Option<Result<(String, String), String>> {
    let (name, inner) = action.strip_suffix(')')?.split_once('(')?;
    let (param, level) = inner.split_once(':')?;
    let every_line_takes_param = stock_macro(name).is_some_and(StockMacro::every_line_takes_param);
    Some(match every_line_takes_param || !level_logs(level) {
        true => Ok((format!("{name}({param})"), level.to_owned())),
        false => Err(format!(
            "`{action}` logs only the lines of {name} that take its action (Shorewall substitutes `{inner}` for PARAM), and fwgen's log level is the whole call's: write `{name}({param}):{level}` to log every line"
        )),
    })
}

/// Why a DNAT's or REDIRECT's DEST ending in `:random` cannot be carried
/// to fwgen's `entry`: Nat.pm takes it off first, as `--random` (a random
/// mapping of the port), which fwgen's entries do not have.
fn random_refused(dest: &str, entry: &str) -> Option<String> {
    dest.ends_with(":random").then(|| {
        format!("`{dest}`: `:random` (Nat.pm's `--random`, a random mapping of the port) is not in fwgen's {entry}")
    })
}

/// BLACKLIST as `blacklist_states` writes it; unset, Config.pm's default
/// with the raw table: NEW,ESTABLISHED,INVALID,UNTRACKED, or without
/// ESTABLISHED when FASTACCEPT=Yes.
fn blacklist_states(value: &str, fast_accept: bool) -> Result<Vec<String>, String> {
    let states: Vec<String> = match value {
        "" if fast_accept => vec!["new".into(), "invalid".into(), "untracked".into()],
        "" => ["new", "established", "invalid", "untracked"]
            .map(String::from)
            .to_vec(),
        "all" => vec!["all".into()],
        list => {
            // Config.pm's refusals (`setting::config_pm_refusal`) have
            // left only known states, each once.
            let states: Vec<String> = list.split(',').map(str::to_owned).collect();
            if fast_accept && states.iter().any(|s| s == "established") {
                return Err(
                    "BLACKLIST names ESTABLISHED with FASTACCEPT=Yes, which Shorewall refuses"
                        .into(),
                );
            }
            states
        }
    };
    Ok(states)
}

/// BLACKLISTNEWONLY as Config.pm reads it while BLACKLIST is unset
/// (removed in Shorewall 5, which still reads it; `shorewall update`
/// writes the BLACKLIST it becomes): Yes leaves ESTABLISHED out. The
/// states as Shorewall writes them with the raw table, and as
/// [`blacklist_states`] reads them.
fn blacklist_new_only(
    written: &str,
    fast_accept: bool,
) -> Result<(&'static str, Vec<String>), String> {
    let states = match yes_no("BLACKLISTNEWONLY", &written.to_ascii_lowercase())? {
        true => "NEW,INVALID,UNTRACKED",
        false => "NEW,ESTABLISHED,INVALID,UNTRACKED",
    };
    let read = blacklist_states(&states.to_ascii_lowercase(), fast_accept)
        .map_err(|reason| format!("BLACKLISTNEWONLY={written}: {reason}"))?;
    Ok((states, read))
}

/// Whether the kernel has a bridge of this name here (sysfs's
/// `/sys/class/net/NAME/bridge`); only for a plain interface name.
fn is_host_bridge(device: &str) -> bool {
    let plain = !device.ends_with('+') && crate::model::interface::name_problem(device).is_none();
    plain
        && Path::new("/sys/class/net")
            .join(device)
            .join("bridge")
            .is_dir()
}

/// Whether an interface's options give `name`, unless as `name=0`
/// (`routefilter=2` is on, `routeback=0` off).
fn option_given<S: AsRef<str>>(options: &[S], name: &str) -> bool {
    (options.iter()).any(|o| match o.as_ref().split_once('=') {
        Some((option, value)) => option == name && value != "0",
        None => o.as_ref() == name,
    })
}

/// Why an address list of Shorewall6's files is refused where Shorewall6
/// refuses it and removing the brackets would carry something else:
/// - what follows a bracketed address (`[ADDR]` or `<ADDR>`): IPAddrs.pm
///   validate_6net takes `[ADDR]` and `[ADDR]/PREFIX` alone ("Invalid
///   Network Address" for anything else), a range `[A]-[B]`, and the
///   list's `,` and `!` go on past it, but not a port
///   (`[2001:db8::5]:80`) nor digits (`[2001:db8::]1`), which removing the
///   brackets would glue to the address;
/// - an unbracketed address after an interface (`eth0:2001:db8::1`),
///   which Rules.pm cannot tell from the interface's name;
/// - a range in brackets inside a list (`[A-B],[N]`: "Invalid IPv6
///   Address"; `[A]-[B],[N]` reaches ip6tables with its brackets, which
///   it refuses);
/// - a range whose ends are one address ("Invalid IPv6 Range").
///
/// An ipset's `+set[src,packets>10]` is not an address: left alone.
fn bracket_problem(text: &str) -> Option<String> {
    let addresses = match text.split_once(':') {
        Some((zone, addresses)) if !zone.contains(['[', '<']) => addresses,
        _ => text,
    };
    let items =
        || (addresses.split(',')).filter(|item| !item.trim_start_matches('!').starts_with('+'));
    let unbracketed = |item: &str| item.replace(['[', ']', '<', '>'], "");
    // A range whose ends are one address.
    let one_address = |item: &str| {
        (item.split_once('-')).is_some_and(|(low, high)| {
            (low.parse::<std::net::Ipv6Addr>()).is_ok_and(|low| high.parse() == Ok(low))
        })
    };
    let one_problem = |range: String| {
        format!(
            "`{text}`: Shorewall6 refuses the range `{range}`, whose ends are one address (\"Invalid IPv6 Range\"); write the address alone"
        )
    };
    let listed = after_interface(addresses).unwrap_or_default();
    let interfaced = listed.len() < addresses.len();
    // Chains.pm isolate_source_interface (`^(.+?):\[(.+)\]\s*$`): after
    // an interface one pair of brackets holds the whole list, read as
    // written inside (`eth1:[2001:db8::/48!2001:db8::7,2001:db8::8]`;
    // helper-250: refused, with a fix Shorewall6 refuses).
    let inner = (listed.strip_prefix('[').and_then(|l| l.strip_suffix(']')))
        .filter(|inner| interfaced && !inner.contains(['[', ']', '<', '>']));
    if let Some(inner) = inner {
        let range = (inner.split([',', '!'])).find(|item| one_address(item));
        return range.map(|range| one_problem(range.to_owned()));
    }
    // Nor does it take `IFACE:![A]` ("Unknown Host (IFACE:)") or
    // `IFACE:[N]![A]` (split_network: "Missing ']'"), which fwgen carried.
    if interfaced
        && listed.contains('!')
        && !(listed.trim_start_matches('!')).starts_with(['+', '&', '%', '~'])
    {
        return Some(format!(
            "`{text}`: after an interface's name Shorewall6 takes an exclusion only inside one pair of brackets, and refuses this (\"Unknown Host\" or \"Missing ']'\"; Chains.pm isolate_source_interface, split_network); write `IFACE:[NETWORKS!ADDRESSES]`, unbracketed inside"
        ));
    }
    let after = items().find_map(|item| {
        let (at, _) = (item.char_indices()).find(|&(at, c)| {
            matches!(c, ']' | '>')
                && !matches!(item[at + 1..].chars().next(), None | Some('/' | '!' | '-'))
        })?;
        Some(&item[at + 1..])
    });
    if let Some(after) = after {
        return Some(format!(
            "`{text}`: `{after}` follows the bracketed address, which Shorewall6 refuses (\"Invalid Network Address\", IPAddrs.pm validate_6net takes `[ADDRESS]` or `[ADDRESS]/PREFIX`); a port goes in the DPORT or SPORT column"
        ));
    }
    if interfaced {
        let bare = (listed.split([',', '!']))
            .find(|item| item.contains(':') && !item.starts_with(['[', '<', '+']));
        if let Some(bare) = bare {
            return Some(format!(
                "`{text}`: Shorewall6 takes an address after an interface's name only in brackets, and refuses `{bare}` (\"Invalid IPv6 address\"); write `[{bare}]`"
            ));
        }
    }
    // Shorewall6 passes a left-out range on with its brackets (Chains.pm
    // match_source_net: `! --src-range [A]-[B]`), which ip6tables
    // refuses: its firewall does not start (helper-250).
    if let Some(range) = items().find(|item| item.starts_with('!') && item.contains("]-[")) {
        return Some(format!(
            "`{text}`: Shorewall6 passes the left-out range `{range}` on to ip6tables with its brackets (`! --src-range {}`), which ip6tables refuses, so the firewall does not start; write `!{}`",
            &range[1..],
            unbracketed(&range[1..])
        ));
    }
    if addresses.contains(',')
        && let Some(range) = items().find(|item| item.contains('-') && item.contains(['[', '<']))
    {
        return Some(format!(
            "`{text}`: Shorewall6 refuses a range in brackets inside a list (`[A-B]`: \"Invalid IPv6 Address\"; `[A]-[B]` reaches ip6tables with its brackets, which it refuses); write `{}`",
            unbracketed(range)
        ));
    }
    let one = items()
        .map(|item| unbracketed(item.trim_start_matches('!')))
        .find(|item| one_address(item));
    one.map(one_problem)
}

/// Whether an IPv4 file's address column has a bracket (`[`, `]`, `<`,
/// `>`) outside an ipset's flags (`+NAME[src,dst]`, whose commas do not
/// part items).
fn ipv4_bracket(text: &str) -> bool {
    let mut chars = text.chars().peekable();
    let mut item_start = true;
    while let Some(c) = chars.next() {
        match c {
            '+' if item_start => {
                while chars
                    .next_if(|c| !matches!(c, '[' | ',' | ':' | '!'))
                    .is_some()
                {}
                if chars.next_if_eq(&'[').is_some() {
                    while chars.next_if(|&c| c != ']').is_some() {}
                    chars.next();
                }
                item_start = false;
            }
            '[' | ']' | '<' | '>' => return true,
            _ => item_start = matches!(c, ',' | ':' | '!'),
        }
    }
    false
}

/// What Config.pm puts for `$NAME` where it rewrites the setting before
/// the other files read it (expand_variables takes `$config{NAME}`), and
/// `value` as written is not that: `None` where the text is what it
/// puts, or means the same.
/// - numeric_option (TC_BITS, MASK_BITS, PROVIDER_OFFSET, PROVIDER_BITS,
///   ZONE_BITS): the number, so empty (the default), a leading 0
///   (octal) or `0x` differ.
/// - default_log_level (the `*_LOG_LEVEL` settings but LOG_LEVEL, and
///   LOGALLNEW): validate_level's result without the tag, so `info:tag`
///   is `6` and `NFLOG(1)` `NFLOG --nflog-group 1` (helper-245: fwgen
///   logged the tag, and carried NFLOG where Shorewall's columns shift).
///   A syslog level alone (`info`, `6`, `info!`), `NFLOG` and `none` mean
///   the same; empty is `info` for SFILTER_LOG_LEVEL and
///   RPFILTER_LOG_LEVEL.
fn rewritten_value(name: &str, value: &str) -> Option<&'static str> {
    const NUMERIC: [&str; 5] = [
        "TC_BITS",
        "MASK_BITS",
        "PROVIDER_OFFSET",
        "PROVIDER_BITS",
        "ZONE_BITS",
    ];
    const LOG_LEVELS: [&str; 11] = [
        "BLACKLIST_LOG_LEVEL",
        "MACLIST_LOG_LEVEL",
        "TCP_FLAGS_LOG_LEVEL",
        "RFC1918_LOG_LEVEL",
        "RELATED_LOG_LEVEL",
        "INVALID_LOG_LEVEL",
        "UNTRACKED_LOG_LEVEL",
        "SMURF_LOG_LEVEL",
        "LOGALLNEW",
        "SFILTER_LOG_LEVEL",
        "RPFILTER_LOG_LEVEL",
    ];
    if NUMERIC.contains(&name) {
        let decimal = !value.is_empty()
            && value.bytes().all(|b| b.is_ascii_digit())
            && (value == "0" || !value.starts_with('0'));
        return (!decimal).then_some(
            "which Shorewall reads as a number before the other files (Config.pm numeric_option: empty is its default, a leading 0 octal, 0x hexadecimal) and puts that number in its place, not the text; write the number in the line",
        );
    }
    let level = logging::level_as_read(value);
    // Empty is the default: '' but for SFILTER's and RPFILTER's `info`
    // (`6`; review-253). NFLOG without its group, and `none` (''), come
    // out as they mean.
    let defaulted = matches!(name, "SFILTER_LOG_LEVEL" | "RPFILTER_LOG_LEVEL");
    let plain = (value.is_empty() && !defaulted)
        || (!level.is_empty() && logging::no_log(level))
        || level.eq_ignore_ascii_case("nflog")
        || crate::model::LogLevel::parse(level).is_some();
    (LOG_LEVELS.contains(&name) && !plain).then_some(
        "which Shorewall reads as a log level before the other files (Config.pm default_log_level: validate_level's result without the tag, `info:tag` as `6`, `NFLOG(1)` as `NFLOG --nflog-group 1`) and puts that in its place, not the text; write the level in the line",
    )
}

fn trivalue(value: &str) -> Option<&'static str> {
    match value {
        "yes" | "on" => Some("on"),
        "no" | "off" => Some("off"),
        "keep" | "" => Some("keep"),
        _ => None,
    }
}

/// Whether a masq or snat SOURCE is an interface's name, not an address.
fn names_interface(source: &str) -> bool {
    !source.is_empty()
        && source
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+'))
        && source.parse::<std::net::IpAddr>().is_err()
        && source
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
}

/// The rules file's sections in Shorewall's order (Rules.pm `%sections`).
const SECTIONS: [&str; 6] = [
    "ALL",
    "ESTABLISHED",
    "RELATED",
    "INVALID",
    "UNTRACKED",
    "NEW",
];

/// Why a `?SECTION NAME` line is refused at its place, given the sections
/// the lines above it named and those the rules above it were in (NEW
/// above any `?SECTION`). Rules.pm `process_section` refuses a section it
/// has marked: a `?SECTION` marks every section before its own (NEW
/// itself too), and the first rule of a section marks those from
/// ESTABLISHED up to before it (`next_section`, `finish_section`), never
/// ALL. Shorewall takes a `?SECTION ALL` below rules of a later section,
/// but adds its rules after theirs in each zone pair's chain, where
/// fwgen's model puts the ALL section first. A name not among SECTIONS
/// as written (upper case) Rules.pm refuses ("Invalid SECTION").
fn section_refusal(name: &str, named: &[String], ruled: &[String]) -> Option<String> {
    let rank = |s: &str| SECTIONS.iter().position(|known| *known == s);
    let Some(at) = rank(name) else {
        return Some(format!(
            "`?SECTION {name}`: Shorewall refuses it (\"Invalid SECTION ({name})\"): a section is one of {}, in upper case",
            SECTIONS.join(", ")
        ));
    };
    let marked = named
        .iter()
        .filter_map(|s| rank(s))
        .any(|before| before > at || (before == at && name == "NEW"))
        || (at > 0 && ruled.iter().filter_map(|s| rank(s)).any(|r| r > at));
    if marked {
        return Some(format!(
            "`?SECTION {name}` out of order: Shorewall refuses it (\"Duplicate or out of order SECTION {name}\"): the sections come in the order {}, each before its rules, and rules above the first `?SECTION` are in NEW",
            SECTIONS.join(", ")
        ));
    }
    let later = ruled.iter().find(|s| rank(s).is_some_and(|r| r > at))?;
    Some(format!(
        "`?SECTION ALL` below rules of the {later} section: Shorewall takes it but adds the ALL section's rules after those in each zone pair's chain, where fwgen's model puts the ALL section first; move the ALL section above them"
    ))
}

/// A hosts line's entry: the zone, its interface, its networks and the
/// addresses left out of them.
struct HostsEntry<'a> {
    zone: &'a str,
    interface: &'a str,
    networks: &'a [String],
    except: &'a [String],
}

/// The model refuses an exclusion that leaves nothing out or everything:
/// Shorewall compiles the first as the networks, the second as no host.
/// No networks: every address of the left-out addresses' family.
fn exclusion_holds(networks: &[String], except: &[String]) -> Result<(), String> {
    let parse = |l: &[String]| -> Option<Vec<ipnet::IpNet>> {
        l.iter()
            .map(|n| crate::analyze::parse_network(n).ok())
            .collect()
    };
    let (Some(mut networks), Some(except)) = (parse(networks), parse(except)) else {
        return Ok(());
    };
    if networks.is_empty() {
        let all = match except.first() {
            Some(ipnet::IpNet::V6(_)) => "::/0",
            _ => "0.0.0.0/0",
        };
        networks.push(all.parse().expect("a network"));
    }
    if let Some(stray) = except
        .iter()
        .find(|e| !networks.iter().any(|n| n.contains(*e) || e.contains(n)))
    {
        return Err(format!(
            "`{stray}` is outside the networks before the `!`: it leaves nothing out (remove it)"
        ));
    }
    if crate::analyze::subtract(&networks, &except).is_empty() {
        return Err("the exclusion leaves out every address of the list: the entry would hold no host (remove the line)".to_owned());
    }
    Ok(())
}

/// A Shorewall6 SOURCE or DEST whose addresses after the zone begin with
/// `[` and end with `]` (`<`, `>` alike) with brackets between, not a
/// list of them (`net:[2001:db8::/32]![2001:db8:1::/48]`): Chains.pm
/// isolate_source_interface (and its DEST twin) takes the outer pair off
/// and split_network refuses the rest ("Missing ']'").
fn unbracketed_six(side: &str) -> bool {
    let Some((_, addresses)) = side.split_once(':') else {
        return false;
    };
    let addresses = addresses.replace('<', "[").replace('>', "]");
    let Some(inner) = (addresses.strip_prefix('[')).and_then(|a| a.strip_suffix(']')) else {
        return false;
    };
    !addresses.contains(",[") && inner.replace("]-[", "-").contains(['[', ']'])
}

/// Shorewall6's `[2001:db8::1]` and `<2001:db8::1>` as the address alone.
fn bracketed_address(item: &str) -> &str {
    item.strip_prefix('[')
        .and_then(|i| i.strip_suffix(']'))
        .or_else(|| item.strip_prefix('<').and_then(|i| i.strip_suffix('>')))
        .unwrap_or(item)
}

/// The addresses and networks after a `!` (shorewall-exclusion(5)),
/// IPv6 ones without their brackets; the first that is neither, with why.
fn excluded_addresses(left_out: &str) -> Result<Vec<String>, (String, String)> {
    left_out
        .split(',')
        .map(|item| {
            let bare = bracketed_address(item);
            match crate::analyze::parse_network(bare) {
                Ok(_) => Ok(bare.to_owned()),
                Err(why) => Err((item.to_owned(), why.to_string())),
            }
        })
        .collect()
}

/// shorewall-exclusion(5) in a masq or snat SOURCE: `NETS!ADDRS` (or
/// `!ADDRS`, every source but them) split into the sources and the
/// addresses left out; `!+NAME` is the model's to refuse.
fn source_exclusion(source: &str) -> Result<(String, Vec<String>), String> {
    let Some((taken, left_out)) = source.split_once('!') else {
        return Ok((source.to_owned(), Vec::new()));
    };
    // `!+NAME` alone is an ipset match the source reader takes.
    if left_out.starts_with('+') && taken.is_empty() {
        return Ok((source.to_owned(), Vec::new()));
    }
    if left_out.starts_with('+') {
        return Err(format!(
            "SOURCE `{source}`: an ipset after the `!` is not in fwgen's source NAT model (it leaves out addresses and networks)"
        ));
    }
    if left_out.contains('!') || taken.ends_with(',') {
        return Err(format!(
            "SOURCE `{source}`: one `!`, after the sources (shorewall-exclusion(5))"
        ));
    }
    let except = excluded_addresses(left_out).map_err(|(item, why)| {
        format!(
            "SOURCE `{source}`: `{item}` is no address or network ({why}); fwgen's source NAT leaves addresses and networks out (no range or ipset after the `!`)"
        )
    })?;
    let taken = if taken.is_empty() { "-" } else { taken };
    Ok((taken.to_owned(), except))
}

/// A masq or snat SOURCE item as the model writes it, with a note when it
/// is spelled differently; an interface name in a list is refused.
fn masq_source(source: &str) -> Result<(String, Option<String>), String> {
    if let Ok(network) = source.parse::<ipnet::IpNet>() {
        let trunc = network.trunc();
        if trunc != network {
            let note = format!(
                "SOURCE `{source}` has host bits set; iptables matches the network `{trunc}`, and so does fwgen"
            );
            return Ok((trunc.to_string(), Some(note)));
        }
        return Ok((source.to_owned(), None));
    }
    if names_interface(source) {
        return Err(format!(
            "SOURCE `{source}` is an interface in a list: Shorewall takes an interface as SOURCE only alone (shorewall-snat(5)); write the networks in place of `{source}`"
        ));
    }
    Ok((source.to_owned(), None))
}

/// The names Shorewall's shorewallrc sets (Debian's
/// /usr/share/shorewall/shorewallrc), which Config.pm adds to the
/// variables every file may use (`add_variables %shorewallrc1`).
const SHOREWALLRC: [&str; 21] = [
    "BUILD",
    "HOST",
    "PREFIX",
    "SHAREDIR",
    "LIBEXECDIR",
    "PERLLIBDIR",
    "CONFDIR",
    "SBINDIR",
    "MANDIR",
    "INITDIR",
    "INITFILE",
    "INITSOURCE",
    "ANNOTATED",
    "SYSCONFFILE",
    "SERVICEFILE",
    "SYSCONFDIR",
    "SERVICEDIR",
    "SPARSE",
    "VARLIB",
    "VARDIR",
    "STOPSERVICEFILE",
];

/// Why Shorewall refuses to let params set `name` (Config.pm: a setting's
/// name, `SW_*`, `SHOREWALL_*` and the directories it sets itself).
fn reserved_param(name: &str) -> Option<String> {
    let allowed = ["SHOREWALL_INIT_SCRIPT", "SW_LOGGERTAG", "SW_CONFDIR"];
    let reserved = setting::find(name).is_some()
        || name.starts_with("SW_")
        || name.starts_with("SHOREWALL_")
        || ["COMMAND", "CONFDIR", "SHAREDIR", "VARDIR"].contains(&name);
    (reserved && !allowed.contains(&name)).then(|| {
        format!("Shorewall refuses it: \"The variable name {name} is reserved and may not be set in the params file\" (a shorewall.conf setting is set in shorewall.conf)")
    })
}

/// Whether a line fills any column from `first` on (`-` is empty).
/// The column names each file's `column=value` pairs may use, with their
/// positions, as Shorewall 5.2's Perl modules give them to split_line.
const RULE_COLUMNS: &[(&str, usize)] = &[
    ("action", 0),
    ("source", 1),
    ("dest", 2),
    ("proto", 3),
    ("dport", 4),
    ("sport", 5),
    ("origdest", 6),
    ("rate", 7),
    ("user", 8),
    ("mark", 9),
    ("connlimit", 10),
    ("time", 11),
    ("headers", 12),
    ("switch", 13),
    ("helper", 14),
];
const ZONE_COLUMNS: &[(&str, usize)] = &[
    ("zone", 0),
    ("type", 1),
    ("options", 2),
    ("in_options", 3),
    ("out_options", 4),
];
const INTERFACE_COLUMNS_1: &[(&str, usize)] = &[
    ("zone", 0),
    ("interface", 1),
    ("broadcast", 2),
    ("options", 3),
];
const INTERFACE_COLUMNS_2: &[(&str, usize)] = &[("zone", 0), ("interface", 1), ("options", 2)];
/// Why a zone of a type other than `ip`, `ipv4`/`ipv6`, `firewall` and
/// `bport` (refused with [`BPORT_REASON`]) is refused, with what to
/// write instead (shorewall-zones(5), TYPE).
fn zone_type_reason(kind: &str, ipv6: bool) -> String {
    let why = match kind {
        "ipsec" | "ipsec4" | "ipsec6" => {
            "its hosts are told apart by their IPsec policy (iptables' policy match), which fwgen's model has no form for; if the decrypted traffic arrives by an interface of its own (a vti or xfrm interface), declare the zone as `ip` on that interface"
        }
        "vserver" => {
            "Linux-vserver guests are a subzone of the firewall, which fwgen's model has no form for"
        }
        "loopback" => {
            "fwgen accepts all loopback traffic (Shorewall's behaviour without a loopback zone); $FW -> $FW policies and rules are not modelled"
        }
        "local" => {
            "a zone reachable only from the firewall and vserver zones is not modelled; declare it `ip` and give it policies that refuse every other zone"
        }
        "ipv4" if ipv6 => "Shorewall6 takes `ip`, `ipv6` and `ipsec6` zones, not `ipv4`",
        "ipv6" if !ipv6 => "Shorewall takes `ip`, `ipv4` and `ipsec4` zones, not `ipv6`",
        _ => "shorewall-zones(5) names no such type",
    };
    format!("zone type `{kind}` is not in fwgen's model: {why}")
}

/// Why `forward` in Shorewall's (IPv4) interfaces file is refused.
const FORWARD_IPV4: &str = "Shorewall6's option alone (the IPv6 sysctl net.ipv6.conf.IF.forwarding): Shorewall refuses it in its IPv4 interfaces file (\"Invalid Interface option (forward)\"); give it in shorewall6/interfaces";

/// Why a bport zone (a bridge port's zone, `zone:bridgezone bport`) is
/// refused: measured on the lab's kernel, see docs/model.md.
const BPORT_REASON: &str = "bport zones (bridge ports) are not in fwgen's model: Shorewall tells the ports apart with iptables' physdev match on bridged packets, and nftables has none for an inet table: there, br_netfilter shows a bridged packet with the bridge as iifname and oifname, and `meta ibrname`/`obrname` (bridge-family only) are refused by the kernel (\"Operation not supported\")";

const HOSTS_COLUMNS: &[(&str, usize)] = &[("zone", 0), ("hosts", 1), ("options", 2)];
const POLICY_COLUMNS: &[(&str, usize)] = &[
    ("source", 0),
    ("dest", 1),
    ("policy", 2),
    ("loglevel", 3),
    ("limit", 4),
    ("rate", 4),
    ("connlimit", 5),
];
const NAT_COLUMNS: &[(&str, usize)] = &[
    ("external", 0),
    ("interface", 1),
    ("internal", 2),
    ("allints", 3),
    ("local", 4),
];

const SNAT_COLUMNS: &[(&str, usize)] = &[
    ("action", 0),
    ("source", 1),
    ("dest", 2),
    ("proto", 3),
    ("port", 4),
    ("dport", 4),
    ("ipsec", 5),
    ("mark", 6),
    ("user", 7),
    ("switch", 8),
    ("origdest", 9),
    ("probability", 10),
];
/// The snat file under `?FORMAT 2`: a SPORT column after DPORT (Rules.pm).
const SNAT2_COLUMNS: &[(&str, usize)] = &[
    ("action", 0),
    ("source", 1),
    ("dest", 2),
    ("proto", 3),
    ("port", 4),
    ("dport", 4),
    ("sport", 5),
    ("ipsec", 6),
    ("mark", 7),
    ("user", 8),
    ("switch", 9),
    ("origdest", 10),
    ("probability", 11),
];
/// shorewall.conf's settings of the packet mark layout, each with the
/// values that leave Shorewall's default (8 bits of marks, cleared in
/// FORWARD), the layout fwgen's `mark` is written for.
const MARK_LAYOUT: &[(&str, &[&str])] = &[
    ("TC_BITS", &["", "8"]),
    ("MASK_BITS", &["", "8"]),
    ("PROVIDER_BITS", &["", "8"]),
    ("PROVIDER_OFFSET", &["", "0"]),
    ("ZONE_BITS", &["", "0"]),
    ("WIDE_TC_MARKS", &["", "No", "no"]),
    ("TC_EXPERT", &["", "No", "no"]),
    ("FORWARD_CLEAR_MARK", &["", "Yes", "yes"]),
];
const MASQ_COLUMNS: &[(&str, usize)] = &[
    ("interface", 0),
    ("source", 1),
    ("address", 2),
    ("proto", 3),
    ("port", 4),
    ("ipsec", 5),
    ("mark", 6),
    ("user", 7),
    ("switch", 8),
    ("origdest", 9),
    ("probability", 10),
];

/// The interface options Shorewall sets in /proc, which it ignores on a
/// wildcard name (Zones.pm, %procinterfaceoptions).
const PROC_OPTIONS: &[&str] = &[
    "accept_ra",
    "arp_filter",
    "arp_ignore",
    "forward",
    "logmartians",
    "proxyarp",
    "proxyndp",
    "routefilter",
    "sourceroute",
];

/// The /proc key of an interface option Shorewall sets when it starts
/// and fwgen's nftables ruleset leaves to the kernel, as `fwgen check`'s
/// proc-option-not-set reads the model: `proxyarp` and `sourceroute`
/// unless `=0`, `arp_filter`, and Shorewall6's `forward` (it writes 0 too).
fn proc_setting(option: &str) -> Option<&'static str> {
    let (name, value) = option.split_once('=').unwrap_or((option, ""));
    match (name, value) {
        ("proxyarp" | "sourceroute", "0") => None,
        ("proxyarp", _) => Some("proxy_arp"),
        ("sourceroute", _) => Some("accept_source_route"),
        ("arp_filter", _) => Some("arp_filter"),
        ("forward", _) => Some("forwarding"),
        _ => None,
    }
}

/// Pairs in a trailing `{...}`: Config.pm's `/^(\s*|.*[^&@%])\{(.*)\}$/`,
/// the last `{` that is not part of `&{`, `@{` or `%{`.
fn braced_pairs(text: &str) -> Option<(&str, &str)> {
    let inner = text.strip_suffix('}')?;
    inner
        .char_indices()
        .rev()
        .filter(|(_, c)| *c == '{')
        .map(|(at, _)| at)
        .find(|&at| {
            let before = &inner[..at];
            before.trim().is_empty() || !before.ends_with(['&', '@', '%'])
        })
        .map(|at| (&inner[..at], &inner[at + 1..]))
}

/// A list of pairs as split_list4 (Config.pm) splits it: at whitespace,
/// with one comma before it (`proto=tcp, dport=22`); a comma alone does not
/// split (`dport=22,80` is one value).
fn split_pairs(pairs: &str) -> Vec<&str> {
    let tokens: Vec<&str> = pairs.split_whitespace().collect();
    let last = tokens.len().saturating_sub(1);
    tokens
        .iter()
        .enumerate()
        .map(|(at, token)| match token.strip_suffix(',') {
            Some(pair) if at < last => pair,
            _ => token,
        })
        .collect()
}

/// `column=value`, `column=>value` or `column:value` (Config.pm: `/^(\w+)(?:=>?|:)(.+)$/`).
fn column_pair(pair: &str) -> Option<(&str, &str)> {
    let end = pair
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|&end| end > 0)?;
    let rest = &pair[end..];
    let value = rest
        .strip_prefix("=>")
        .or_else(|| rest.strip_prefix('='))
        .or_else(|| rest.strip_prefix(':'))
        .filter(|value| !value.is_empty())?;
    Some((&pair[..end], value))
}

/// The rule columns after SPORT that fwgen's model has no place for, each
/// with what Shorewall does with it (shorewall-rules(5)), in column order.
const UNMODELLED_RULE_COLUMNS: &[(&str, &str)] = &[
    ("ORIGDEST", "the destination before DNAT"),
    ("RATE", "a rate limit"),
    ("USER", "the owner of the firewall's own connection"),
    ("MARK", "a packet mark"),
    ("CONNLIMIT", "a limit on concurrent connections"),
    ("TIME", "a time of day or date"),
    ("HEADERS", "IPv6 extension headers"),
    ("SWITCH", "a switch under /proc/net/nf_condition"),
    ("HELPER", "a conntrack helper"),
];

/// The rule columns after SPORT the model carries: ORIGDEST for every
/// action, RATE and CONNLIMIT (src/import/limits.rs) for ACCEPT, DROP,
/// REJECT and LOG (refused by `limits` for the others), HELPER for ACCEPT
/// under AUTOHELPERS=No (`helper`).
const CARRIED_COLUMNS: [&str; 6] = ["ORIGDEST", "RATE", "USER", "CONNLIMIT", "TIME", "HELPER"];

/// The TIME column (`timestart=22:00&timestop=06:00`, Chains.pm do_time)
/// as the model's `time_start`, `time_stop`, `weekdays`, `date_start`,
/// `date_stop` and `time_zone`; the forms the model cannot mean alike in
/// both backends refused with the reason (src/model/time.rs).
fn time_column(text: &str) -> Result<Vec<(&'static str, document::Value)>, String> {
    let mut pairs: Vec<(&'static str, document::Value)> = Vec::new();
    let (mut kernel, mut clock_of_day, mut weekdays) = (false, false, false);
    let mut utc = false;
    // Chains.pm do_time splits at `&` as Perl does, dropping trailing
    // empty elements (`timestart=08:00&` is one), and refuses another.
    for element in text.trim_end_matches('&').split('&') {
        if element.is_empty() {
            return Err(format!(
                "TIME `{text}` has an empty element: Shorewall refuses it (\"Invalid time element list ({text})\")"
            ));
        }
        let (name, value) = element.split_once('=').unwrap_or((element, ""));
        let key = match name {
            "timestart" => "time_start",
            "timestop" => "time_stop",
            "datestart" => "date_start",
            "datestop" => "date_stop",
            "weekdays" => "weekdays",
            "utc" if value.is_empty() => {
                utc = true;
                continue;
            }
            "localtz" | "kerneltz" if value.is_empty() => {
                kernel = true;
                continue;
            }
            "monthdays" => {
                return Err(format!(
                    "TIME `{text}`: `monthdays` has no nftables equivalent (nft's meta keys hold the hour, weekday and time, not the day of the month)"
                ));
            }
            "contiguous" if value.is_empty() => {
                return Err(format!(
                    "TIME `{text}`: `contiguous` (a window past midnight belonging to the weekday it starts on) has no nftables equivalent"
                ));
            }
            _ => {
                return Err(format!(
                    "TIME `{text}`: `{element}` is not a time element (Shorewall: \"Invalid time element\")"
                ));
            }
        };
        if key == "weekdays" {
            let days: Vec<String> = value
                .split(',')
                .map(|day| match day.parse::<usize>() {
                    Ok(n @ 1..=7) => crate::model::time::WEEKDAYS[n - 1].to_owned(),
                    _ => day.to_owned(),
                })
                .collect();
            weekdays = true;
            pairs.push((key, document::Value::strings(&days)));
        } else {
            clock_of_day = true;
            pairs.push((key, value.into()));
        }
    }
    // Chains.pm do_time passes both on; iptables' time match refuses
    // them together (`--utc` "cannot be used together with" `--kerneltz`,
    // `--localtz` its old name), so Shorewall's firewall does not load.
    if utc && kernel {
        return Err(format!(
            "TIME `{text}` names `utc` and the kernel's timezone: iptables refuses `--utc` with `--kerneltz`, so Shorewall's compiled firewall does not start; keep one"
        ));
    }
    if weekdays && !kernel {
        return Err(format!(
            "TIME `{text}`: `weekdays` in UTC: nftables' `meta day` reads the weekday in the kernel's timezone, which is UTC only where the kernel's offset is 0 (add `kerneltz` if that is meant)"
        ));
    }
    if kernel && clock_of_day {
        return Err(format!(
            "TIME `{text}`: a time of day or date in the kernel's timezone: nftables' `meta hour` and `meta time` read UTC, and the kernel's offset is not known when the ruleset is written (give them in UTC)"
        ));
    }
    if pairs.is_empty() {
        return Err(format!("TIME `{text}` gives no window"));
    }
    if kernel {
        pairs.push(("time_zone", "kernel".into()));
    }
    Ok(pairs)
}

/// The USER/GROUP column (`[!][user][:group]`, Chains.pm do_user) as the
/// model's `user`, `group` and `owner_negated`: an id as a number, a
/// range or a name as text.
fn owner_column(text: &str) -> Result<Vec<(&'static str, document::Value)>, String> {
    let (negated, rest) = match text.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (user, group) = rest.split_once(':').unwrap_or((rest, ""));
    let mut pairs = Vec::new();
    for (key, id) in [("user", user), ("group", group)] {
        if id.is_empty() {
            continue;
        }
        if id.starts_with('+') {
            return Err(format!(
                "USER `{text}`: `+program` (the sending program) is not in Shorewall 5.2, whose owner match has no program name"
            ));
        }
        // Chains.pm do_user passes a number (or range) on as written, and
        // iptables' owner match reads a leading 0 as octal (`010` is 8).
        if id
            .split('-')
            .any(|n| n.len() > 1 && n.starts_with('0') && n.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(format!(
                "USER `{text}`: Shorewall passes `{id}` to iptables as written, which reads a leading 0 as octal: write the id in decimal"
            ));
        }
        let value = match id.parse::<u32>() {
            Ok(number) => number.into(),
            Err(_) => id.into(),
        };
        pairs.push((key, value));
    }
    if pairs.is_empty() {
        return Err(format!("USER `{text}` names no user and no group"));
    }
    if negated {
        pairs.push(("owner_negated", true.into()));
    }
    Ok(pairs)
}

/// Why a rules line is refused for its columns after SPORT: each column
/// used (but those `carried`), by name (a line longer than Shorewall's 15
/// columns is refused by `split`).
fn unmodelled_rule_columns(columns: &[String], carried: &[&str]) -> Option<String> {
    let used: Vec<String> = UNMODELLED_RULE_COLUMNS
        .iter()
        .zip(columns.iter().skip(6))
        .filter(|((name, _), value)| *value != "-" && !carried.contains(name))
        .map(|((name, meaning), value)| format!("{name} `{value}` ({meaning})"))
        .collect();
    let (columns, are) = if used.len() > 1 {
        ("columns", "are")
    } else {
        ("column", "is")
    };
    (!used.is_empty()).then(|| {
        format!(
            "the rule {columns} {} {are} not in fwgen's model",
            used.join(", ")
        )
    })
}

/// A zones line's OPTIONS, IN OPTIONS and OUT OPTIONS as the model
/// carries them: the `mss` keys, and the notes of options without effect.
#[derive(Default)]
struct ZoneOptions {
    mss: Vec<(&'static str, u16)>,
    notes: Vec<String>,
    /// `blacklist` for incoming (OPTIONS, IN OPTIONS) and outgoing
    /// (OPTIONS, OUT OPTIONS) traffic: the marks `shorewall update`
    /// converts a legacy blacklist file's `src` and `dst` lines by.
    blacklist: [bool; 2],
}

/// The zone options (Zones.pm, parse_zone_option_list) of a zones line
/// (`columns` from ZONE on): `mss=N` carried as `mss`, `mss_in`, `mss_out`;
/// `blacklist`, `nomark` and `dynamic_shared` noted where they change
/// nothing; the rest refused, with the reason. `zone_bits` is
/// shorewall.conf's ZONE_BITS as written, if set.
fn zone_options(
    columns: &[String],
    firewall: bool,
    zone_bits: Option<&str>,
) -> Result<ZoneOptions, String> {
    const IPSEC: &[&str] = &[
        "strict",
        "next",
        "reqid",
        "spi",
        "proto",
        "mode",
        "tunnel-src",
        "tunnel-dst",
    ];
    let mut options = ZoneOptions::default();
    let cells = ["OPTIONS", "IN OPTIONS", "OUT OPTIONS"];
    let keys = ["mss", "mss_in", "mss_out"];
    for (n, list) in columns.iter().skip(2).take(3).enumerate() {
        if list == "-" {
            continue;
        }
        let column = cells[n];
        for option in list.split(',') {
            // Zones.pm reads `NAME!=VALUE` first, then `NAME=VALUE`.
            let (word, inverted, value) = match option.split_once("!=") {
                Some((word, value)) => (word, true, Some(value)),
                None => match option.split_once('=') {
                    Some((word, value)) => (word, false, Some(value)),
                    None => (option, false, None),
                },
            };
            let here = format!("{column} `{option}`");
            match (word, value) {
                ("blacklist" | "nomark" | "dynamic_shared" | "strict" | "next", Some(_)) => {
                    return Err(format!(
                        "{here}: Shorewall: \"Option \"{word}\" does not take a value\""
                    ));
                }
                ("mss", Some(_)) if firewall => {
                    return Err(format!(
                        "{here}: Shorewall clamps the SYNs of every pair chain from and to the firewall (Chains.pm, setup_zone_mss); fwgen's firewall zone has no `mss` key: set `mss` on the other zones"
                    ));
                }
                ("mss", Some(value)) => {
                    let size = zone_mss(value).map_err(|reason| format!("{here}: {reason}"))?;
                    if options.mss.iter().any(|(key, _)| *key == keys[n]) {
                        return Err(format!(
                            "{here}: `mss` twice in {column}; Shorewall keeps the last, say one"
                        ));
                    }
                    if inverted {
                        options.notes.push(format!(
                            "{here}: read as `mss={value}`, as Shorewall reads it (Zones.pm, parse_zone_option_list, keeps the `!` of the ipsec options only)"
                        ));
                    }
                    options.mss.push((keys[n], size));
                }
                ("mss", None) => {
                    return Err(format!("{here}: Shorewall: \"Missing value for option \"mss\"\""));
                }
                ("blacklist", None) if !firewall => {
                    // Zones.pm: OPTIONS marks both directions.
                    options.blacklist[0] |= n != 2;
                    options.blacklist[1] |= n != 1;
                    options.notes.push(format!(
                        "{here}: Shorewall 5.2 compiles nothing of it (\"The 'blacklist' option is no longer supported\"); `shorewall update` converts a legacy blacklist file's lines for the zone by it (Misc.pm convert_blacklist), and so does the import"
                    ));
                }
                ("nomark", None) if !firewall && n == 0 => {
                    options.notes.push(format!("{here}: {}", nomark_note(zone_bits)));
                }
                ("dynamic_shared", None) if n == 0 => options.notes.push(format!(
                    "{here}: no effect (it names the ipset of a dynamic zone's hosts, and fwgen imports no dynamic hosts)"
                )),
                ("blacklist" | "nomark", None) if firewall => {
                    return Err(format!(
                        "{here}: Shorewall: \"Option '{word}' not permitted with this zone type\""
                    ));
                }
                ("nomark" | "dynamic_shared", None) => {
                    return Err(format!(
                        "{here}: Shorewall: \"Option '{word}' is only permitted in the OPTIONS columns\""
                    ));
                }
                (word, _) if IPSEC.contains(&word) => {
                    return Err(format!(
                        "{here}: Shorewall: \"The \"{word}\" option may only be specified for ipsec zones\""
                    ));
                }
                _ => {
                    return Err(format!(
                        "{here}: not a zone option of Shorewall 5.2 (shorewall-zones(5): mss=, blacklist, nomark, dynamic_shared, and on ipsec zones strict, next, reqid=, spi=, proto=, mode=, tunnel-src=, tunnel-dst=)"
                    ));
                }
            }
        }
    }
    Ok(options)
}

/// A zone's `mss=` value: Zones.pm takes NUMERIC (`0x[\da-fA-F]+|\d+`)
/// and passes it to iptables as written, which reads it in the bases of
/// [`numeric::numeric_value`] (`0x578` and `02570` are 1400).
fn zone_mss(value: &str) -> Result<u16, String> {
    let hex = value
        .strip_prefix("0x")
        .is_some_and(|hex| !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()));
    let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    if !hex && !digits {
        return Err(format!(
            "Shorewall: \"Invalid value ({value}) for option \"mss\"\""
        ));
    }
    let Some(number) = numeric::numeric_value(value) else {
        return Err(format!(
            "iptables reads a leading 0 as octal and refuses `{value}` when Shorewall starts (`--set-mss {value}`)"
        ));
    };
    mss_size(number).ok_or_else(|| {
        "an MSS is 1 to 65535 bytes (TCPMSS sets no other; Shorewall reads `mss=0` as `mss=1`)"
            .to_owned()
    })
}

/// A numeric interface option's value (Zones.pm's NUMERIC_IF_OPTION:
/// `mss`, `routefilter`) as the model writes it: read with Config.pm's
/// `numeric_value`, at most Zones.pm's `%maxoptionvalue`, then in the
/// range the option sets.
fn interface_number(option: &str, value: &str) -> Result<String, String> {
    // Zones.pm's %maxoptionvalue.
    let max = match option {
        "mss" => 100_000,
        "wait" => 300,
        _ => 2,
    };
    let number = numeric::numeric_value(value)
        .filter(|number| *number <= max)
        .ok_or_else(|| format!("Shorewall: \"Invalid value ({value}) for option {option}\""))?;
    match option {
        "mss" => mss_size(number)
            .map(|size| format!("mss={size}"))
            .ok_or_else(|| "an MSS is 1 to 65535 bytes (TCPMSS sets no other)".to_owned()),
        "wait" => Ok(format!("{option}={value}")),
        _ if number >= 0 => Ok(format!("{option}={number}")),
        _ => Err(format!("the kernel's rp_filter is 0, 1 or 2, not {number}")),
    }
}

/// Whether Zones.pm process_interface accepts an interface option as
/// written, so that a later value of it only replaces it: a binary option
/// bare or `=0`/`=1`, a numeric one within its range, a simple option of
/// the model without a value. Any other form is judged as written.
fn replaceable_option(option: &str) -> bool {
    const BINARY: &[&str] = &[
        "arp_filter",
        "forward",
        "logmartians",
        "proxyarp",
        "routeback",
        "sourceroute",
        "tcpflags",
    ];
    match option.split_once('=') {
        Some((name, "0" | "1")) if BINARY.contains(&name) => true,
        Some((name @ ("mss" | "routefilter" | "wait"), value)) => {
            interface_number(name, value).is_ok()
        }
        Some(_) => false,
        None => matches!(
            option_verdict::verdict(option),
            Some(OptionVerdict::Modelled | OptionVerdict::NoEffect(_))
        ),
    }
}

/// An MSS TCPMSS can set: 1 to 65535 bytes.
fn mss_size(number: i64) -> Option<u16> {
    u16::try_from(number).ok().filter(|size| *size > 0)
}

/// What a zone's `nomark` does under shorewall.conf's ZONE_BITS (unset:
/// Config.pm's 0).
fn nomark_note(zone_bits: Option<&str>) -> String {
    let marked = |bits: &str| {
        format!(
            "no effect in fwgen (with ZONE_BITS={bits} in shorewall.conf Shorewall marks the packets each zone forwards, in the zone's forward chain (Misc.pm), and `nomark` withholds this zone's mark; fwgen's model sets no zone marks and matches none: a MARK column is refused under that mark layout)"
        )
    };
    let unmarked = |setting: &str| {
        format!(
            "no effect (it withholds the zone's mark, and with {setting} Zones.pm gives no zone a mark)"
        )
    };
    match zone_bits {
        None => unmarked("ZONE_BITS unset in shorewall.conf (Config.pm's 0)"),
        Some(bits) => match numeric::numeric_value(bits) {
            // numeric_option: below 0 is 0, above 32 refused.
            Some(..=0) => unmarked(&format!("ZONE_BITS={bits} in shorewall.conf")),
            Some(1..=32) => marked(bits),
            _ => format!(
                "no effect here, where shorewall.conf's ZONE_BITS={bits} is refused by Shorewall (\"Invalid value ({bits}) for 'ZONE_BITS'\")"
            ),
        },
    }
}

fn used_after(columns: &[String], first: usize) -> bool {
    columns.iter().skip(first).any(|c| c != "-")
}

/// A line with more columns than its file has, `-` too: Shorewall
/// refuses it (Config.pm split_line2 counts the columns before `;` or
/// `{`, grouped as split_columns groups them, a `( ... )` with spaces one
/// column, before it drops trailing `-`: "Invalid ... entry (too many
/// columns)"), and the extra columns would otherwise be dropped without a
/// word. The file's count is its last column's position plus one: an
/// alias (`rate`/`limit`, `gateway`/`gateways`) is no column of its own,
/// as each file Shorewall 5.2.8 reads here passes that count or has no
/// alias.
fn too_many_columns(columns: &str, names: &[(&str, usize)]) -> Option<String> {
    let count = shorewall_columns(columns);
    let max = names.iter().map(|(_, at)| at + 1).max().unwrap_or(0);
    (count > max).then(|| {
        let written: Vec<String> = (0..max)
            .filter_map(|at| names.iter().find(|(_, i)| *i == at))
            .map(|(name, _)| name.to_ascii_uppercase())
            .collect();
        format!(
            "{count} columns where the file has {max} ({}): Shorewall refuses the line (\"too many columns\")",
            written.join(" ")
        )
    })
}

/// What Config.pm's split_line2 refuses in a line before it reads a
/// column, in its order: in the columns (before a `;` or `{`) a double
/// quote, a back quote or a backslash (but on an `IPTABLES(...)` line);
/// parentheses split_columns cannot pair (a `)` before its `(`, or a `(`
/// never closed); anywhere in the line a single quote (but on a macro's
/// DEFAULT or an action's DEFAULTS line, which it reads as a command).
fn unsplittable(line: &str, columns: &str) -> Option<String> {
    let refused = |what: &str, shorewall: &str| {
        Some(format!(
            "{what}: Shorewall refuses the line (\"{shorewall}\")"
        ))
    };
    let first = columns.split_whitespace().next().unwrap_or_default();
    let iptables = first.starts_with("IPTABLES(") || first.starts_with("IP6TABLES(");
    let quote = columns.chars().find_map(|c| match c {
        '"' => Some("a double quote"),
        '`' => Some("a back quote"),
        '\\' => Some("a backslash"),
        _ => None,
    });
    if let Some(what) = quote.filter(|_| !iptables) {
        return refused(
            &format!("{what} in a column"),
            "Shorewall Configuration file entries may not contain double quotes, single back quotes or backslashes",
        );
    }
    let mut open = 0isize;
    for word in columns.split_whitespace() {
        open += word.matches('(').count() as isize;
        let closed = word.matches(')').count() as isize;
        if closed > 0 {
            open -= closed;
            if open < 0 {
                return refused(
                    &format!("`{word}` closes a `(` never opened"),
                    &format!("Mismatched parentheses ({word})"),
                );
            }
        }
    }
    if open != 0 {
        return refused(
            "a `(` never closed",
            &format!("Mismatched parentheses ({})", columns.trim()),
        );
    }
    if line.contains('\'') && !matches!(first, "DEFAULT" | "DEFAULTS") {
        return refused(
            "a single quote",
            "Shorewall Configuration file entries may not contain single quotes",
        );
    }
    None
}

/// How many columns Config.pm's split_columns makes of `text`: words
/// split at white space, but from a word with `(` to the word that closes
/// it one column.
fn shorewall_columns(text: &str) -> usize {
    let mut open = 0usize;
    let mut count = 0;
    for word in text.split_whitespace() {
        if open == 0 {
            count += 1;
        }
        let opened = word.matches('(').count();
        let closed = word.matches(')').count();
        open = (open + opened).saturating_sub(closed);
    }
    count
}

/// The words of the column headers Shorewall 5.2.8's files ship with
/// (configfiles/*: `#ACTION SOURCE DEST PROTO DPORT ...`) and Shorewall 4's
/// second header lines (`#  PORT(S) PORT(S) DEST LIMIT GROUP`).
const COLUMN_WORDS: &[&str] = &[
    "ACTION",
    "ADDRESS",
    "ADDRESSES",
    "ALLINTS",
    "BAND",
    "BROADCAST",
    "BURST",
    "CEIL",
    "CHAIN",
    "CLASS",
    "COMMENT",
    "CONNBYTES",
    "CONNLIMIT",
    "COPY",
    "DEST",
    "DEST(S)",
    "DEVICE",
    "DISPOSITION",
    "DPORT",
    "DSCP",
    "DUPLICATE",
    "EXTERNAL",
    "GATEWAY",
    "GATEWAY(S)",
    "GATEWAYS",
    "GATEWAY_ZONE",
    "GATEWAY_ZONES",
    "GROUP",
    "HAVEROUTE",
    "HEADERS",
    "HELPER",
    "HOST(S)",
    "HOSTS",
    "INTERFACE",
    "INTERFACES",
    "INTERNAL",
    "IN_BANDWIDTH",
    "IN_BANDWITH",
    "IN_OPTIONS",
    "IPSEC",
    "LENGTH",
    "LEVEL",
    "LIMIT",
    "LOCAL",
    "LOG",
    "LOGLEVEL",
    "MAC",
    "MARK",
    "MASK",
    "NAME",
    "NET1",
    "NET2",
    "NET3",
    "NUMBER",
    "OPCODE",
    "OPTIONS",
    "ORIGDEST",
    "ORIGINAL",
    "OUT_BANDWIDTH",
    "OUT_OPTIONS",
    "PERSISTENT",
    "POLICY",
    "PORT",
    "PORT(S)",
    "PORTS",
    "PRIO",
    "PRIORITY",
    "PROBABILITY",
    "PROTO",
    "PROTOCOL",
    "PROVIDER",
    "RATE",
    "REDIRECT",
    "SECMARK",
    "SOURCE",
    "SOURCE(S)",
    "SPORT",
    "SWITCH",
    "TEST",
    "TIME",
    "TOS",
    "TYPE",
    "USER",
    "USER/",
    "USER/GROUP",
    "ZONE",
    "ZONES",
    "LIMIT:BURST",
];

/// Whether a comment line is a column header (`#ACTION SOURCE DEST`, or
/// its second line `#   PORT(S)  PORT(S)`; in any case, `# source dest`):
/// every word a column's name.
/// Shorewall reads it as nothing; it is no comment of the entry below.
fn column_header(text: &str) -> bool {
    let mut words = text.split_whitespace().peekable();
    words.peek().is_some()
        && words.all(|word| COLUMN_WORDS.contains(&word.to_ascii_uppercase().as_str()))
}

impl Importer {
    /// Fold Shorewall6's entries into Shorewall's: zones and interfaces by
    /// name (a zone in both holds both families), the ordered lists by
    /// merging them in order. An entry in one file only must be bound to
    /// that family by its zones, addresses or protocol; otherwise the model
    /// would apply it to the other family too, and that is refused.
    fn merge(&mut self, six: Importer) {
        self.check_ipv6_logging(&six);
        self.unsupported.extend(six.unsupported);
        for (name, at) in six.skipped_names {
            self.skipped_names.entry(name).or_insert(at);
        }
        let (v4, v6) = (std::mem::take(&mut self.entries), six.entries);
        let families = zone_families(&v4, &v6);
        let mut refusals = Vec::new();
        let mut merged = merge_named(&v4, &v6, Kind::Zone, &families, &mut refusals);
        merged.extend(merge_named(
            &v4,
            &v6,
            Kind::Interface,
            &families,
            &mut refusals,
        ));
        // Hosts name networks of their own family (Shorewall6's are IPv6
        // addresses): each file's lines are the zone's members in that
        // family, in their order.
        // One name is one ipset(8) set, of one family.
        merged.extend(v4.iter().filter(|e| e.kind == Kind::Ipset).cloned());
        for set in v6.iter().filter(|e| e.kind == Kind::Ipset) {
            if v4
                .iter()
                .any(|e| e.kind == Kind::Ipset && e.name == set.name)
            {
                let reason = format!(
                    "ipset `{}` is named in the IPv4 configuration too: one ipset(8) set holds addresses of one family",
                    set.name
                );
                let noted = format!("{}: ipset `{}` ", Self::origin(&set.line), set.name);
                self.notes.retain(|note| !note.starts_with(&noted));
                refusals.push((set.line.clone(), reason));
            } else {
                merged.push(set.clone());
            }
        }
        for (entries, ipv6) in [(&v4, false), (&v6, true)] {
            for hosts in entries.iter().filter(|e| e.kind == Kind::Hosts) {
                match undeclared_zone(hosts, ipv6, &families) {
                    Some(reason) => refusals.push((hosts.line.clone(), reason)),
                    None => merged.push(hosts.clone()),
                }
            }
        }
        for (line, reason) in refusals.drain(..) {
            self.refuse(&line, reason);
        }
        for kind in [
            Kind::Policy,
            Kind::Rule,
            Kind::Blacklist,
            Kind::Snat,
            Kind::Stopped,
            Kind::Tunnel,
            Kind::Maclist,
            Kind::Conntrack,
        ] {
            // A line naming a zone its own product does not declare: that
            // product refuses it (helper-254: the line merged silently
            // into the other family's alike line).
            let mut declared = |ipv6: bool| {
                let entries = if ipv6 { &v6 } else { &v4 };
                let mut kept = Vec::new();
                for entry in entries.iter().filter(|e| e.kind == kind) {
                    match undeclared_zone(entry, ipv6, &families) {
                        Some(reason) => refusals.push((entry.line.clone(), reason)),
                        None => kept.push(entry),
                    }
                }
                kept
            };
            let four = declared(false);
            let six = declared(true);
            for (mut entry, side) in merge_in_order(&four, &six, &mut self.notes) {
                if kind == Kind::Snat
                    && let Some(entries) = unbound_snat(&entry, side, &families)
                {
                    merged.extend(entries);
                    continue;
                }
                if let Some(ipv6) = side
                    && !bound_to(&entry, ipv6, &families)
                    && (kind == Kind::Rule
                        && entry.table.header == Header::ArrayOfTables(vec!["rule".to_owned()])
                        || kind == Kind::Blacklist
                        || kind == Kind::Policy
                        || kind == Kind::Stopped)
                {
                    // A rule, policy or stopped entry of one family's file
                    // only: the model says so (at its place in that
                    // family's list).
                    let family = if ipv6 { "ipv6" } else { "ipv4" };
                    entry.table.push("family", family);
                } else if let Some(ipv6) = side
                    && !bound_to(&entry, ipv6, &families)
                {
                    let family = if ipv6 { "IPv6" } else { "IPv4" };
                    let other = if ipv6 { "IPv4" } else { "IPv6" };
                    let reason = format!(
                        "only in the {family} configuration: fwgen's model would apply it to {other} too"
                    );
                    self.refuse(&entry.line, reason);
                    continue;
                }
                merged.push(entry);
            }
        }
        for (line, reason) in refusals {
            self.refuse(&line, reason);
        }
        for zone in &v6
            .iter()
            .filter(|e| e.kind == Kind::Zone)
            .map(|e| e.name.clone())
            .collect::<Vec<_>>()
        {
            if !self.zones.contains(zone) {
                self.zones.push(zone.clone());
            }
        }
        self.entries = merged;
    }

    fn run(&mut self) {
        self.read_params();
        self.read_conf();
        self.zones();
        self.interfaces();
        self.judge_complete();
        self.judge_tcp_flags();
        self.judge_rpfilter();
        self.judge_mangle();
        // Before every line that may name a set: a save file's `create`
        // gives the set its kind, family and members.
        self.read_ipset_saves();
        self.hosts();
        self.note_empty_zones();
        self.note_unshared_parents();
        self.policies();
        self.blrules();
        self.blacklist_file();
        self.rules();
        self.judge_unchained();
        self.judge_optimized_limits();
        if !self.site_action_files.is_empty() {
            self.actions_file();
        }
        self.one_to_one();
        self.snat();
        self.stopped();
        self.tunnels();
        if !self.ipv6 {
            self.maclist_file();
        }
        self.conntrack_file();
        self.accounting();
        self.note_unread_blacklist_target();
        self.write_ipsets();
        self.walk();
    }

    /// BLACKLIST_DISPOSITION and BLACKLIST_LOG_LEVEL decide the legacy
    /// blacklist file's entries and the BLACKLIST action alone (blrules
    /// name their own): noted by name where neither reads them.
    fn note_unread_blacklist_target(&mut self) {
        if self.settings.blacklist_target_read.get() {
            return;
        }
        for (setting, line) in std::mem::take(&mut self.settings.blacklist_target) {
            self.notes.push(format!(
                "{}: {setting} is not carried: it decides the blacklist file's entries and the BLACKLIST action, and there are none, so it decides nothing",
                Self::origin(&line)
            ));
        }
    }

    /// The model's text: the settings, then the entries; and where each
    /// entry and each of its items landed in it.
    fn assemble(&self) -> (String, Vec<document::Placed>) {
        let tables = self.entries.iter().map(|entry| &entry.table);
        let (text, mut placed) = document::render(self.header.iter().chain(tables));
        placed.drain(..self.header.len());
        (text, placed)
    }

    /// Load the model as every other command does. What the model refuses
    /// is refused at the Shorewall line its entry came from, never at the
    /// TOML that is not written; the entry is dropped (for an interface
    /// option, the option alone) and loading repeats, so what is left
    /// loads, and an entry naming something dropped goes too, saying so.
    fn validate(&mut self) {
        for _ in 0..=self.entries.len() {
            let (text, placed) = self.assemble();
            let source = crate::source::Source::new("imported.toml", text);
            let Err(failure) = crate::load::compile(&source) else {
                return;
            };
            let mut touched = BTreeSet::new();
            let mut refused_sets = BTreeSet::new();
            let mut emptied: Vec<(String, Line)> = Vec::new();
            let mut unreached: Vec<(String, Line)> = Vec::new();
            let mut missing: Vec<(Line, String, String)> = Vec::new();
            self.incomplete.clear();
            for error in &failure.errors {
                let Some(span) = &error.span else { continue };
                let Some(index) = placed.iter().position(|p| p.whole.contains(&span.start)) else {
                    continue;
                };
                let line = self.entries[index].line.clone();
                let reason = self.reason(error, &source, &placed);
                // The policy named is the last one, not the cause: dropping
                // it would only leave more pairs uncovered.
                if let crate::error::ErrorKind::MissingPolicy {
                    source,
                    dest,
                    family,
                } = &*error.kind
                {
                    let family = family.map(|f| format!(" ({f})")).unwrap_or_default();
                    let pair = format!("`{source}` to `{dest}`{family}");
                    missing.push((line, pair, reason));
                    continue;
                }
                if !touched.insert(index) {
                    continue;
                }
                let at = (line.file.clone(), line.number);
                if self.entries[index].kind == Kind::Ipset {
                    // Refused, so not declared: its note goes, and the
                    // line's own reference to it is this refusal.
                    let set = &self.entries[index].name;
                    let noted = format!("{}: ipset `{set}` ", Self::origin(&line));
                    self.notes.retain(|note| !note.starts_with(&noted));
                    refused_sets.insert(at);
                } else if refused_sets.contains(&at) {
                    continue;
                }
                if let Some(note) = self.unreachable(index, &error.kind) {
                    // No effect in Shorewall either: noted, and the entry
                    // goes whole (a hosts line's zone may go with it).
                    self.notes.push(format!("{}: {note}", Self::origin(&line)));
                    let entry = &mut self.entries[index];
                    entry.dropped = true;
                    if entry.kind == Kind::Hosts {
                        unreached.push((entry.name.clone(), line.clone()));
                    }
                    continue;
                }
                self.refuse(&line, reason);
                let item = placed[index]
                    .items
                    .iter()
                    .position(|item| item.contains(&span.start));
                let token = source.slice(span).to_owned();
                if !item.is_some_and(|item| self.drop_option(index, item, &token)) {
                    let entry = &self.entries[index];
                    if entry.kind == Kind::Hosts {
                        emptied.push((entry.name.clone(), line.clone()));
                    }
                    if matches!(entry.kind, Kind::Zone | Kind::Interface) {
                        let name = entry.name.clone();
                        let at = format!("{}:{}", line.file, line.number);
                        self.skipped_names.entry(name).or_insert(at);
                    }
                    // A line may have become several entries (a macro's
                    // lines): it goes whole, never in part.
                    // A set it named stays for the other lines naming it.
                    for (other, entry) in self.entries.iter_mut().enumerate() {
                        if entry.line.file == line.file
                            && entry.line.number == line.number
                            && (other == index || entry.kind != Kind::Ipset)
                        {
                            entry.dropped = true;
                        }
                    }
                }
            }
            self.missing_policies(missing);
            if touched.is_empty() {
                return;
            }
            self.entries.retain(|entry| !entry.dropped);
            // A zone whose only members were refused hosts goes too.
            for (zone, line) in emptied {
                self.drop_empty_zone(&zone, &line);
            }
            for (zone, line) in unreached {
                self.drop_unreachable_zone(&zone, &line);
            }
        }
    }

    /// Whether a connection from the interface back out of it never
    /// reaches a later zone's hosts on it. With `routeback` (or `bridge`,
    /// which implies it) the interface's own zone takes that traffic first
    /// in Shorewall's dispatch. Without it Misc.pm's sfilter drops it first
    /// (`-o IF -g sfilter` heads the interface's forward chain), unless the
    /// interface is route-filtered (`routefilter`, ROUTE_FILTER=Yes) or
    /// `rpfilter`: then Misc.pm generate_matrix sends it to the later zone
    /// (`-o IF -d HOSTS`), and the hosts have an effect.
    fn never_back_to_hosts(&self, interface: &str) -> bool {
        let Some(options) = self.entries.iter().find_map(|entry| {
            let named = matches!(&entry.table.header, document::Header::Table(path) if path.last().map(String::as_str) == Some(interface));
            (entry.kind == Kind::Interface && !entry.dropped && named).then(|| {
                match entry.table.get("options") {
                    Some(Value::Array(options)) => (options.iter())
                        .filter_map(|o| match o {
                            Value::String(o) => Some(o.as_str()),
                            _ => None,
                        })
                        .collect::<Vec<&str>>(),
                    _ => Vec::new(),
                }
            })
        }) else {
            return false;
        };
        let given = |name: &str| option_given(&options, name);
        let routeback = given("routeback") || given("bridge");
        let filtered =
            given("routefilter") || given("rpfilter") || self.settings.carried.route_filter;
        routeback || !filtered
    }

    /// Whether the entry the model refused with `kind` has no effect in
    /// Shorewall either, and why: hosts that a zone declared before theirs
    /// takes whole (Shorewall dispatches zones in the zones file's order,
    /// and that zone's chains end in its policy), or a policy or filter
    /// rule naming a zone left out for that reason. Only where no CONTINUE
    /// or NONE policy and no CONTINUE rule can let a connection go on past
    /// the earlier zone, and not for hosts with `routeback` (Zones.pm lifts
    /// their interface's sfilter all the same) or `tcpflags` (Misc.pm checks
    /// their sources in the interface's chains, ahead of the dispatch);
    /// `None` leaves the refusal.
    fn unreachable(&self, index: usize, kind: &crate::error::ErrorKind) -> Option<String> {
        use crate::error::ErrorKind;
        let entry = &self.entries[index];
        match kind {
            ErrorKind::HostsAfterOwner {
                zone,
                interface,
                owner,
            } if entry.kind == Kind::Hosts
                && ["routeback", "tcpflags"]
                    .iter()
                    .all(|key| entry.table.get(key).is_none())
                && self.never_back_to_hosts(interface)
                && !self.continues_past_zones() =>
            {
                Some(format!(
                    "hosts of zone `{zone}` on `{interface}` have no effect: zone `{owner}`, declared before it, takes every connection of theirs first (Shorewall dispatches zones in the zones file's order, and no CONTINUE or NONE policy or CONTINUE rule lets one go on past `{owner}`); left out"
                ))
            }
            ErrorKind::UnknownZone { name, .. } => {
                let at = self.unreachable_zones.get(name.as_str())?;
                let filter = match entry.kind {
                    Kind::Policy => true,
                    Kind::Rule | Kind::Blacklist => matches!(
                        &entry.table.header,
                        document::Header::ArrayOfTables(path)
                            if path.len() == 1 && ["rule", "blacklist"].contains(&path[0].as_str())
                    ),
                    _ => false,
                };
                // A zone list (`lan,media`) names other zones the line
                // still means something for: refused as before.
                let listed = (entry.line.text.split_whitespace()).any(|column| {
                    let zones = column.split(':').next().unwrap_or(column);
                    zones.contains(',') && zones.split(',').any(|z| z == name)
                });
                (filter && !listed).then(|| {
                    format!(
                        "has no effect: it names zone `{name}`, which no connection reaches ({at}); left out"
                    )
                })
            }
            _ => None,
        }
    }

    /// Whether a CONTINUE or NONE policy, or a CONTINUE rule, could let a
    /// connection go on past the zone that takes it first.
    fn continues_past_zones(&self) -> bool {
        self.entries.iter().any(|entry| {
            let column = match entry.kind {
                Kind::Policy => 2,
                Kind::Rule => 0,
                _ => return false,
            };
            let word = entry.line.text.split_whitespace().nth(column).unwrap_or("");
            let verdict = word.split([':', '(']).next().unwrap_or(word);
            verdict.eq_ignore_ascii_case("CONTINUE")
                || (column == 2 && verdict.eq_ignore_ascii_case("NONE"))
        })
    }

    /// A zone whose every hosts line no connection reaches goes too, noted
    /// (it has no interface of its own); what names it is then noted or
    /// refused by [`Importer::unreachable`].
    fn drop_unreachable_zone(&mut self, zone: &str, hosts: &Line) {
        let Some(entry) = self.take_memberless_zone(zone) else {
            return;
        };
        let at = Self::origin(hosts);
        self.notes.push(format!(
            "{}: zone `{zone}` has no effect: no connection reaches its hosts ({at}); left out, and what names it with it",
            Self::origin(&entry.line)
        ));
        self.unreachable_zones.insert(zone.to_owned(), at);
    }

    /// Zone pairs no policy covers (the line the model blames, the pair,
    /// the model's reason), for `incomplete`. Where policy lines of that
    /// file were skipped, the gap follows from skipping them, not from the
    /// line blamed: said once, at the first skipped line, naming them all
    /// and every pair left uncovered.
    fn missing_policies(&mut self, missing: Vec<(Line, String, String)>) {
        let mut consequences: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (line, pair, reason) in missing {
            let skipped = self.unsupported.iter().any(|u| u.file == line.file);
            if skipped {
                consequences
                    .entry(line.file.clone())
                    .or_default()
                    .push(pair);
            } else {
                self.incomplete.push(Unsupported {
                    file: line.file.clone(),
                    line: line.number,
                    text: line.text.clone(),
                    reason,
                });
            }
        }
        for (file, pairs) in consequences {
            let skipped: Vec<&Unsupported> =
                self.unsupported.iter().filter(|u| u.file == file).collect();
            let at: Vec<String> = (skipped.iter())
                .map(|u| format!("{}:{}", u.file, u.line))
                .collect();
            let first = skipped[0];
            let reason = format!(
                "follows from skipping {}: no policy is left for connections from {} (every zone pair needs one, so --partial cannot skip {} either)",
                at.join(", "),
                pairs.join(", "),
                if at.len() == 1 { "it" } else { "them" },
            );
            self.incomplete.push(Unsupported {
                file: first.file.clone(),
                line: first.line,
                text: first.text.clone(),
                reason,
            });
        }
    }

    /// An error of the model in Shorewall's terms: a name the model does
    /// not know because its declaration was skipped says so.
    fn reason(
        &self,
        error: &crate::error::Error,
        source: &crate::source::Source,
        placed: &[document::Placed],
    ) -> String {
        use crate::error::ErrorKind;
        // A line of the model named in the message (the earlier policy)
        // is the Shorewall line its entry came from.
        if let ErrorKind::DuplicatePolicy { first_line }
        | ErrorKind::RepeatedWildcardPolicy { first_line, .. } = &*error.kind
            && let Some(span) = source.line_span(*first_line)
            && let Some(index) = placed.iter().position(|p| p.whole.contains(&span.start))
        {
            let earlier = &self.entries[index].line;
            let at = format!("{}:{}", earlier.file, earlier.number);
            let text = match &*error.kind {
                ErrorKind::RepeatedWildcardPolicy { source, dest, .. } => format!(
                    "the policy at {at} already names `{source}` -> `{dest}`, and Shorewall refuses a second one (\"duplicates earlier policy\")"
                ),
                _ => format!(
                    "the policy at {at} already decides this source and dest, and Shorewall refuses a later one for the same pair"
                ),
            };
            return text;
        }
        // A second zone or interface of one name is a second TOML table of
        // that key: said as Shorewall says it (Zones.pm).
        if let ErrorKind::TomlSyntax { message } = &*error.kind
            && message.contains("duplicate key")
            && let Some(span) = &error.span
            && let Some(index) = placed.iter().position(|p| p.whole.contains(&span.start))
        {
            let entry = &self.entries[index];
            let first = (self.entries.iter())
                .find(|e| e.kind == entry.kind && e.name == entry.name)
                .map(|e| Self::origin(&e.line))
                .unwrap_or_default();
            let said = match entry.kind {
                Kind::Zone => Some(("zone", format!("Duplicate zone name ({})", entry.name))),
                Kind::Interface => {
                    Some(("interface", format!("Duplicate Interface ({})", entry.name)))
                }
                _ => None,
            };
            if let Some((what, shorewall)) = said {
                return format!(
                    "{what} `{}` is declared again (first at {first}); Shorewall refuses it too (\"{shorewall}\")",
                    entry.name
                );
            }
        }
        let skipped = match &*error.kind {
            ErrorKind::UnknownZone { name, .. } => Some(("zone", name)),
            ErrorKind::UnknownInterface { name, .. } => Some(("interface", name)),
            _ => None,
        };
        if let Some(("zone", name)) = skipped
            && let Some(at) = self.unreachable_zones.get(name)
        {
            return format!(
                "its zone `{name}` was left out, as no connection reaches it ({at}); this entry does more than filter (a port forward still translates in the nat table, which the zones' dispatch does not stop; a zone list still names other zones): fwgen's model cannot hold it without the zone (hint: declare `{name}` before the zone that takes its hosts, in the zones file, as Shorewall would need to reach it)"
            );
        }
        if let Some((what, name)) = skipped
            && let Some(at) = self.skipped_names.get(name)
        {
            return format!("its {what} `{name}` was skipped ({at}), and this entry with it");
        }
        // The model's hint names a model key (`networks` of an interface)
        // a Shorewall directory has no line for: say what to write there.
        if let ErrorKind::OneToOneUnplaced { .. } = &*error.kind {
            return format!(
                "{}: Shorewall's nat file names no zone for it, and fwgen places it in the zone whose hosts lines hold it, or in the only zone beside the external interface's (hint: in the Shorewall directory, define that zone by hosts lines holding the address, shorewall-hosts(5), with `-` as the interface's zone in interfaces; or import with --partial and add this `[[nat]]` with the interface's `networks` in the model)",
                error.kind
            );
        }
        if let ErrorKind::BadNetwork { text, .. } = &*error.kind
            && let Some(form) = shorewall_address_form(text)
        {
            return format!(
                "`{text}` is {form}, which Shorewall accepts here; fwgen's model has no such form here"
            );
        }
        match error.hint() {
            Some(hint) => format!("{} ({hint})", error.kind),
            None => error.kind.to_string(),
        }
    }

    /// Remove the interface option written as `token` from the item
    /// `item` of the entry `index`, when that is the interface's options;
    /// whether it was.
    fn drop_option(&mut self, index: usize, item: usize, token: &str) -> bool {
        let entry = &mut self.entries[index];
        if entry.kind != Kind::Interface || entry.dropped {
            return false;
        }
        let Some(Item::Pair(key, Value::Array(options))) = entry.table.items.get_mut(item) else {
            return false;
        };
        let Ok(toml::Value::String(bad)) = token.parse::<toml::Value>() else {
            return false;
        };
        if key != "options" {
            return false;
        }
        options.retain(|option| option.as_str() != Some(bad.as_str()));
        if options.is_empty() {
            entry.table.items.remove(item);
        }
        true
    }

    /// Every entry of the directory that no converter read gets its
    /// verdict (see [`listing`]): noted, or refused at its first active line.
    fn walk(&mut self) {
        let entries = match self.directory.entries() {
            Ok(entries) => entries,
            Err(unreadable) => return self.unreadable.push(unreadable),
        };
        let linked = self.directory.link_targets(&entries);
        let mut empty = Vec::new();
        let mut ignored: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        let ipv6 = self.ipv6;
        let modelled = |name: &str| listing::verdict(name, ipv6) == Verdict::Modelled;
        for (name, is_dir) in entries {
            let shown = listing::shown_line(&self.directory.shown(&name));
            // A file Shorewall also reads by its own name (`ecn`, `started`)
            // has that meaning too, where a link or an INCLUDE reads it as
            // a modelled file: its verdict below stands.
            let own = listing::verdict(&name, ipv6).refusal().is_some();
            if let Some(link) = linked
                .get(&name)
                .filter(|link| modelled(link) && !modelled(&name) && !own)
            {
                self.notes
                    .push(format!("{shown}: read as {link}, a symbolic link to it"));
                continue;
            }
            if self.ipset_files.contains(&name) {
                continue;
            }
            if is_dir {
                self.notes.push(format!(
                    "{shown}/: a directory; Shorewall reads files only, so it has no effect"
                ));
                continue;
            }
            if let Some(at) = self.included.get(&name)
                && !own
            {
                self.notes
                    .push(format!("{shown}: read where {at} includes it"));
                continue;
            }
            let verdict = listing::verdict(&name, self.ipv6);
            // The `actions` file and the site actions' bodies: read where
            // rules call them (src/import/site_action.rs).
            let site_action = name
                .strip_prefix("action.")
                .is_some_and(|a| self.site_action_files.iter().any(|f| f == a));
            if site_action || (name == "actions" && !self.site_action_files.is_empty()) {
                continue;
            }
            if let Some(site) = name.strip_prefix("macro.") {
                // A macro is read only where a rule calls it: one no rule
                // calls changes nothing Shorewall compiles.
                if !self.site_macros.contains_key(site) && !self.shadowed_macros.contains(site) {
                    self.notes.push(format!(
                        "{shown}: a site macro no rule calls; it has no effect on the firewall"
                    ));
                }
                continue;
            }
            if let Some(why) = verdict.never_read() {
                ignored.entry(why).or_default().push(shown);
                continue;
            }
            let Some(refusal) = verdict.refusal() else {
                continue;
            };
            // A script, and the two files that change Shorewall's
            // compiler itself, are refused as one item at their first line.
            let whole = verdict == Verdict::Script
                || matches!(name.as_str(), "capabilities" | "actions.std");
            // Found first along CONFIG_PATH, these take the place of
            // Shorewall's own even when they hold nothing. An empty
            // action.NAME matters where NAME is called: of the stock
            // actions, a call of those the model carries (Broadcast,
            // Multicast, Invalid and their wrappers; AllowICMPs, read as a
            // stock macro); a call of any other is refused at its line, and
            // the file then changes nothing imported.
            let carried = |action: &str| {
                dest_type_call(action).is_some()
                    || (stock_macro(action).is_some()
                        && site_action::STOCK_ACTIONS.contains(&action))
            };
            let replaces_stock = matches!(name.as_str(), "capabilities" | "actions.std")
                || name.strip_prefix("action.").is_some_and(carried);
            match self.active_items(&name, whole) {
                Some(Active::Empty) if replaces_stock => {
                    let line = Line {
                        file: shown.clone(),
                        number: 1,
                        text: String::new(),
                        comment: None,
                    };
                    let reason = format!(
                        "{refusal}; it has no active line, yet Shorewall's compiler finds it first along CONFIG_PATH and uses it in place of its own: an empty action.NAME makes every call of the stock action (a rule's, a policy's default action) do nothing, an empty actions.std leaves no stock action, an empty capabilities file marks every capability absent"
                    );
                    self.refuse(&line, reason);
                }
                Some(Active::Empty) => empty.push(shown),
                Some(Active::Shipped) => self.notes.push(format!(
                    "{shown}: Shorewall's shipped default, the same as no {name} file"
                )),
                Some(Active::Lines(lines)) => {
                    for line in &lines {
                        self.refuse(line, refusal.clone());
                    }
                }
                None => {}
            }
        }
        for (why, names) in ignored {
            self.notes
                .push(format!("skipped {}: {why}", names.join(", ")));
        }
        if !empty.is_empty() {
            self.notes.push(format!(
                "no active lines (nothing to import): {}",
                empty.join(", ")
            ));
        }
    }

    /// The lines of `name` with an effect. A script's lines are shell
    /// code, and the script is one item (its first line); a table file's
    /// are read as Shorewall reads them, `?IF` applied, each line an item.
    /// When a condition cannot be evaluated, every line counts: the file
    /// is refused either way. `None` when the file cannot be read
    /// (recorded).
    fn active_items(&mut self, name: &str, script: bool) -> Option<Active> {
        let shown = listing::shown_line(&self.directory.shown(name));
        let lines = match self.directory.lines(name) {
            Ok(lines) => lines,
            Err(unreadable) => {
                self.unreadable.push(unreadable);
                return None;
            }
        };
        let text = |line: &file::Physical| String::from_utf8_lossy(&line.content).into_owned();
        let all: Vec<String> = lines.iter().map(text).collect();
        if listing::is_shipped(name, &all) {
            return Some(Active::Shipped);
        }
        let line_at = |line: &file::Physical| Line {
            file: shown.clone(),
            number: line.number,
            text: listing::shown_line(text(line).trim()),
            comment: None,
        };
        let from = listing::first_change(name, &all);
        let active = if script || from.is_some() {
            lines[from.unwrap_or(0)..].to_vec()
        } else {
            conditional::active(&shown, lines.clone(), &self.conditions).unwrap_or(lines)
        };
        // Each line with an effect is an item refused on its own, so that
        // `--partial` lists every one; a continued line (`\`) is one item.
        // A script is one item, its first line.
        let mut found = Vec::new();
        let mut continued = false;
        for line in &active {
            let content = text(line);
            let item = !continued
                && !content.trim().is_empty()
                && (script || !listing::is_neutral(&content));
            continued = content.trim_end().ends_with('\\');
            if item {
                found.push(line_at(line));
                if script {
                    break;
                }
            }
        }
        Some(match found.is_empty() {
            true => Active::Empty,
            false => Active::Lines(found),
        })
    }

    /// Refuse the line declaring the zone or interface `name`: entries
    /// naming it are dropped later, saying why.
    fn skip_named(&mut self, line: &Line, name: &str, reason: impl Into<String>) {
        self.skipped_names
            .entry(name.to_owned())
            .or_insert_with(|| format!("{}:{}", line.file, line.number));
        self.refuse(line, reason);
    }

    /// A `?COMMENT` as the model's `comment`: a character the model's free
    /// text never holds (`"`, `\\`, `` ` ``, `$`, control characters;
    /// they would reach the nft and Shorewall files) is left out, a tab
    /// becomes a space, and text beyond nftables' 128 bytes is cut; what
    /// changed is noted at the line.
    fn comment(&mut self, line: &Line, text: &str) -> Option<String> {
        use crate::analyze::{MAX_FREE_TEXT, forbidden_in_text};
        let mut left_out = BTreeSet::new();
        let mut kept = String::new();
        for c in text.trim().chars() {
            if c == '\t' {
                kept.push(' ');
            } else if forbidden_in_text(c) {
                left_out.insert(match c.is_control() {
                    true => c.escape_debug().to_string(),
                    false => c.to_string(),
                });
            } else {
                kept.push(c);
            }
        }
        let mut changes = Vec::new();
        if !left_out.is_empty() {
            let list: Vec<String> = left_out.iter().map(|c| format!("`{c}`")).collect();
            changes.push(format!("without {}", list.join(", ")));
        }
        if kept.len() > MAX_FREE_TEXT {
            let mut end = MAX_FREE_TEXT;
            while !kept.is_char_boundary(end) {
                end -= 1;
            }
            kept.truncate(end);
            changes.push(format!("cut to nftables' {MAX_FREE_TEXT} bytes"));
        }
        let kept = kept.trim().to_owned();
        if !changes.is_empty() {
            // A file read twice says it once.
            let note = format!(
                "{}: the comment is carried {} (a comment of fwgen's model never holds `\"`, `\\`, `` ` ``, `$` or control characters: it is written into the nft and Shorewall files); no verdict changes",
                Self::origin(line),
                changes.join(" and ")
            );
            if !self.notes.contains(&note) {
                self.notes.push(note);
            }
        }
        Some(kept).filter(|k| !k.is_empty())
    }

    /// How many lines and files are refused so far (refused lines and
    /// unreadable ones): a reader compares it before and after to learn
    /// whether anything it read was.
    fn refusals(&self) -> usize {
        self.unsupported.len() + self.unreadable.len()
    }

    fn refuse(&mut self, line: &Line, reason: impl Into<String>) {
        self.unsupported.push(Unsupported {
            file: line.file.clone(),
            line: line.number,
            text: line.text.clone(),
            reason: reason.into(),
        });
    }

    /// A table of the model becomes an entry, its origin the line.
    fn add(
        &mut self,
        kind: Kind,
        name: &str,
        zones: Vec<String>,
        family: Option<bool>,
        line: &Line,
        mut table: Table,
    ) {
        table.comments.push(Self::origin(line));
        self.entries.push(Entry {
            kind,
            table,
            dropped: false,
            name: name.to_owned(),
            zones,
            family,
            line: line.clone(),
        });
    }

    /// The declared zones among entry sides (`zone` or `zone:addresses`).
    fn named_zones(&self, sides: &[&str]) -> Vec<String> {
        sides
            .iter()
            .map(|side| side.split(':').next().unwrap_or_default().to_owned())
            .filter(|zone| self.zones.contains(zone))
            .collect()
    }

    fn interface_zone(&self, interface: &str) -> Vec<String> {
        self.interfaces
            .iter()
            .filter(|(name, zone)| name == interface && zone != "-")
            .map(|(_, zone)| zone.clone())
            .collect()
    }

    /// The `file:line` comment above an entry or setting.
    fn origin(line: &Line) -> String {
        format!("{}:{}", line.file, line.number)
    }

    /// The file's physical lines that Shorewall's compiler reads (`?IF`
    /// applied, INCLUDEs followed), as text, each with the name of the
    /// file it is in; a file or line that cannot be read is recorded.
    fn active_lines(&mut self, name: &str) -> Vec<(String, file::Physical, String)> {
        let in_force = InForce::opening(name);
        self.active_lines_within(name, &mut Vec::new(), &in_force)
    }

    /// [`Self::active_lines`] of a file read within the INCLUDEs of
    /// `within` (outermost first), with the FORMAT and ?COMMENT the
    /// including file has in force where it includes it.
    fn active_lines_within(
        &mut self,
        name: &str,
        within: &mut Vec<String>,
        inherited: &InForce,
    ) -> Vec<(String, file::Physical, String)> {
        let shown = self.directory.shown(name);
        let mut omitted = Vec::new();
        let mut shipped_helpers = None;
        let read = self
            .directory
            .lines(name)
            .map(|lines| {
                if name != "conntrack" {
                    return lines;
                }
                let before: Vec<usize> = lines.iter().map(|line| line.number).collect();
                let kept = listing::without_shipped_helpers(lines);
                let left: BTreeSet<usize> = kept.iter().map(|line| line.number).collect();
                shipped_helpers = before.into_iter().filter(|n| !left.contains(n)).max();
                kept
            })
            .and_then(|lines| {
                let all: Vec<usize> = lines
                    .iter()
                    .filter(|line| {
                        let content = String::from_utf8_lossy(&line.content);
                        let content = content.trim();
                        !content.is_empty() && !content.starts_with('?')
                    })
                    .map(|line| line.number)
                    .collect();
                let active = conditional::active(&shown, lines, &self.conditions)?;
                let kept: BTreeSet<usize> = active.iter().map(|line| line.number).collect();
                omitted = all.into_iter().filter(|n| !kept.contains(n)).collect();
                Ok(active)
            })
            .and_then(|lines| {
                lines
                    .into_iter()
                    .map(|line| line.text(&shown).map(|text| (line, text)))
                    .collect()
            });
        if shipped_helpers.is_some() {
            self.shipped_helpers_end = shipped_helpers;
            self.notes.push(format!(
                "{shown}: Shorewall's shipped helper lines, which `conntrack_helpers` (AUTOHELPERS) carries"
            ));
        }
        if !omitted.is_empty() {
            let numbers: Vec<String> = omitted.iter().map(ToString::to_string).collect();
            self.notes.push(format!(
                "{shown}: line(s) {} lie in ?IF branches Shorewall's compiler does not take: not compiled, not imported",
                numbers.join(", ")
            ));
        }
        let read = read.unwrap_or_else(|unreadable| {
            self.unreadable.push(unreadable);
            Vec::new()
        });
        // `INCLUDE FILE` (Config.pm `read_a_line`): FILE's lines are read
        // in its place, and where FILE ends the FORMAT and ?COMMENT in force
        // before it are again (Config.pm push_include and pop_include): a
        // directive line saying so comes before this file's next line.
        let mut active = Vec::new();
        let mut in_force = inherited.clone();
        let mut restore: Vec<(String, file::Physical, String)> = Vec::new();
        for (physical, text) in read {
            active.append(&mut restore);
            let word = text.split_whitespace().next().unwrap_or_default();
            // Config.pm: `^\s*\??INCLUDE\s`, in capitals (helper-236:
            // `include` is Shorewall's unknown action).
            if word != "INCLUDE" && word != "?INCLUDE" {
                in_force.read(&text);
                active.push((shown.clone(), physical, text));
                continue;
            }
            let line = Line {
                file: shown.clone(),
                number: physical.number,
                text: text.trim().to_owned(),
                comment: None,
            };
            // Config.pm reads shorewall.conf without DO_INCLUDE.
            if matches!(name, "shorewall.conf" | "shorewall6.conf") {
                self.refuse(
                    &line,
                    format!("{name} takes no INCLUDE (Shorewall: \"Unrecognized {name} entry\")"),
                );
                continue;
            }
            if let Some(target) = self.include_target(&line, within) {
                let at = format!("{shown}:{}", physical.number);
                self.included.entry(target.clone()).or_insert(at);
                within.push(name.to_owned());
                let included = self.active_lines_within(&target, within, &in_force);
                within.pop();
                let mut ended = in_force.clone();
                for (_, _, text) in &included {
                    ended.read(text);
                }
                active.extend(included);
                restore = in_force
                    .restoring(&ended)
                    .into_iter()
                    .map(|directive| {
                        let at = file::Physical {
                            number: physical.number,
                            content: directive.clone().into_bytes(),
                            comment: None,
                            spaced_backslash: false,
                            comment_continues: false,
                        };
                        (shown.clone(), at, directive)
                    })
                    .collect();
            }
        }
        active
    }

    /// The file an `INCLUDE FILE` line reads, as Config.pm finds it: one
    /// name after the keyword (`$VAR` expanded), looked up in the
    /// directory (CONFIG_PATH's first entry). Refused at the line: another
    /// form ("Invalid INCLUDE command"), a path (fwgen reads only the
    /// directory it imports), a file that is not there ("INCLUDE file ...
    /// not found"), and a file including itself (Shorewall stops at 20
    /// levels: "INCLUDEs nested too deeply").
    fn include_target(&mut self, line: &Line, within: &[String]) -> Option<String> {
        let expanded = self.expand(&line.text);
        let words: Vec<&str> = expanded.split_whitespace().collect();
        let [_, target] = words.as_slice() else {
            self.refuse(
                line,
                "an INCLUDE names one file (Shorewall: \"Invalid INCLUDE command\")",
            );
            return None;
        };
        let target = (*target).to_owned();
        let reason = if target.contains('/') {
            Some(format!(
                "INCLUDE {target}: a path; fwgen imports only the files of the directory it is given, so copy the file into it and include it by name"
            ))
        } else if target == "." || target == ".." {
            Some(format!(
                "INCLUDE {target}: a directory (Shorewall: \"Directory not allowed in INCLUDE\")"
            ))
        } else if within.len() >= 19
            || within.contains(&target)
            || self.directory.shown(&target) == line.file
        {
            Some(format!(
                "INCLUDE {target}: the file includes itself (Shorewall: \"INCLUDEs nested too deeply\")"
            ))
        } else {
            match self.directory.bytes(&target) {
                Ok(Some(_)) => None,
                Ok(None) => Some(format!(
                    "INCLUDE {target}: no such file in the directory (Shorewall: \"INCLUDE file {target} not found\")"
                )),
                Err(unreadable) => {
                    self.unreadable.push(unreadable);
                    return None;
                }
            }
        };
        match reason {
            Some(reason) => {
                self.refuse(line, reason);
                None
            }
            None => Some(target),
        }
    }

    /// The entry lines of a file whose only directive is `?COMMENT`
    /// (stoppedrules, tunnels, blrules): each line takes the comment in
    /// force unless it has its own; any other directive is refused at its
    /// line.
    fn commented_lines(&mut self, name: &str) -> Vec<Line> {
        let mut lines = Vec::new();
        self.each_commented_line(name, None, |_, _, line| lines.push(line));
        lines
    }

    /// [`Self::commented_lines`], each given to `each` in the file's
    /// order with its section, read by the `section` hook (the rules
    /// file's `?SECTION`): a line the hook reads sets the section of the
    /// lines after it (`NEW` before any).
    fn each_commented_line(
        &mut self,
        name: &str,
        section: Option<SectionHook>,
        mut each: impl FnMut(&mut Self, &str, Line),
    ) {
        let mut current = "NEW".to_owned();
        // The sections `?SECTION` lines named, and those rules were in.
        let (mut named_above, mut ruled_above) = (Vec::new(), Vec::new());
        let mut comment: Option<String> = None;
        for mut line in self.lines(name) {
            if let Some(named) = section.and_then(|read| read(self, &line)) {
                if let Some(reason) = section_refusal(&named, &named_above, &ruled_above) {
                    self.refuse(&line, reason);
                }
                named_above.push(named.clone());
                current = named;
                continue;
            }
            if let Some(text) = line.text.strip_prefix("?COMMENT") {
                comment = self.comment(&line, text);
                continue;
            }
            let word = (line.text.split_whitespace().next().unwrap_or_default())
                .trim_start_matches('?')
                .trim_end_matches('!')
                .to_ascii_uppercase();
            let message = line.text.split_whitespace().nth(1).is_some();
            if line.text.starts_with('?') && message && matches!(word.as_str(), "WARNING" | "INFO")
            {
                // Config.pm prints the message as it compiles: the firewall
                // is the same.
                self.notes.push(format!(
                    "{}:{}: `{}` prints a message as Shorewall compiles; it has no effect on the firewall",
                    line.file,
                    line.number,
                    line.text.trim()
                ));
                continue;
            }
            if line.text.starts_with('?') {
                let reason = if section.is_some() {
                    "compiler directives other than ?SECTION and ?COMMENT are not in fwgen's model"
                } else {
                    "compiler directives other than ?COMMENT are not in fwgen's model"
                };
                self.refuse(&line, reason);
                continue;
            }
            line.comment = line.comment.or_else(|| comment.clone());
            ruled_above.push(current.clone());
            each(self, &current, line);
        }
    }

    /// The file's logical lines: comments and blanks dropped, `\` joined.
    fn lines(&mut self, name: &str) -> Vec<Line> {
        let mut lines = Vec::new();
        let mut embedded = false;
        let mut pending: Option<Line> = None;
        let mut comment: Option<String> = None;
        let mut last_file: Option<String> = None;
        let held = |line: &Line| {
            format!(
                "{}:{}: the line continued with `\\` at the end of its file is dropped, as Shorewall drops it (Config.pm read_a_line: a continuation ends with its file)",
                line.file, line.number
            )
        };
        for (file, physical, text) in self.active_lines(name) {
            let number = physical.number;
            let above = physical
                .comment
                .as_deref()
                .and_then(|c| c.strip_prefix(' '));
            if let Some(left) = last_file.replace(file.clone()).filter(|left| *left != file)
                && let Some(line) = pending.take()
            {
                // Back in the including file: the INCLUDEd one ended with
                // the continuation held, which Shorewall drops. Into an
                // INCLUDEd one: Shorewall reads `INCLUDE` as the held
                // line's text.
                let back = (self.included.iter()).any(|(target, at)| {
                    self.directory.shown(target) == left && at.starts_with(&format!("{file}:"))
                });
                match back {
                    true => self.notes.push(held(&line)),
                    false => self.refuse(&line, "a line continued with `\\` into an INCLUDE: Shorewall joins the INCLUDE line to it as text and does not include the file"),
                }
            }
            if pending.is_none() && text.trim().is_empty() {
                comment = above.filter(|text| !column_header(text)).map(str::to_owned);
                continue;
            }
            // Config.pm's read_a_line handles a directive on its own
            // physical line, before it joins continued lines: a directive
            // is never continued (its `\` is text), and one between
            // continued lines is handled there, the continuation going on
            // past it.
            if is_directive(&text) {
                let directive = Line {
                    file,
                    number,
                    text: text.trim().to_owned(),
                    comment: if pending.is_none() {
                        comment.take()
                    } else {
                        None
                    },
                };
                lines.extend(self.logical_line(name, directive, &mut embedded));
                continue;
            }
            let spaced = physical.spaced_backslash;
            let content = text.trim_end();
            let (content, continued) = match content.strip_suffix('\\') {
                Some(rest) => (rest, true),
                None => (content, physical.comment_continues),
            };
            let line = pending.get_or_insert_with(|| Line {
                file,
                number,
                text: String::new(),
                comment: comment.take(),
            });
            // Shorewall drops the `\` and the line break, and the next
            // line's leading whitespace only where the text so far ends in
            // `,` or `:` (Config.pm read_a_line, CONFIG_CONTINUATION):
            // `ACCEPT net $FW \` then `  tcp 22` keeps its space.
            let joined = !line.text.is_empty() && !line.text.ends_with([',', ':']);
            line.text.push_str(if joined {
                content
            } else {
                content.trim_start()
            });
            if spaced && !embedded {
                let done = pending.take().unwrap_or_else(|| unreachable!());
                self.refuse(&done, "a `\\` with whitespace after it (a space, a tab, or the carriage return of a Windows line end) continues nothing for Shorewall (Config.pm read_a_line), which then refuses the backslash (\"may not contain ... backslashes\"); end the line with the `\\`");
            } else if !continued {
                let done = pending.take().unwrap_or_else(|| unreachable!());
                lines.extend(self.logical_line(name, done, &mut embedded));
            }
        }
        if let Some(line) = pending {
            self.notes.push(held(&line));
        }
        lines
    }

    /// A logical line of `lines`, judged: embedded code refused (and the
    /// block up to its END skipped), variables expanded but in directives,
    /// unknown variables refused, its comment above read.
    fn logical_line(&mut self, name: &str, mut done: Line, embedded: &mut bool) -> Option<Line> {
        // Embedded code (Config.pm's read_a_line takes it out before
        // it expands variables): refused at its first line, the
        // block up to its END not read.
        // Its keywords in any case, with or without a `?` and a
        // `;` (`?begin perl;`, `END;`: Config.pm
        // `^\s*\??(BEGIN\s+)PERL\s*;?`, `\??END(\s+PERL)?\s*(?:;\s*)?`).
        let words: Vec<String> = (done.text.split_whitespace().take(2))
            .map(|w| w.trim_start_matches('?').trim_end_matches(';'))
            .map(str::to_ascii_uppercase)
            .collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        if *embedded {
            *embedded = !matches!(words.as_slice(), ["END"] | ["END", "SHELL" | "PERL"]);
            return None;
        }
        if let Some((kind, block)) = embedded_code(&done.text) {
            *embedded = block;
            let reason = format!(
                "embedded {kind} code ({}): Shorewall runs it while it compiles or starts the firewall, and fwgen runs no code",
                if *embedded {
                    "the block up to its END"
                } else {
                    "one line"
                }
            );
            self.refuse(&done, reason);
            return None;
        }
        // Config.pm's read_a_line handles its directives before it
        // expands variables: their `$` stays.
        let directive = is_directive(&done.text);
        if !directive {
            done.text = self.expand(done.text.trim());
        }
        // An action's or macro's body has its parameters ($1...)
        // and is judged by its own reader.
        let body = name.starts_with("action.") || name.starts_with("macro.");
        let unknown = self.unknown_variables(&done.text);
        if let Some(reason) = unknown.filter(|_| !body && !directive) {
            self.refuse(&done, reason);
            return None;
        }
        let above = done.comment.take();
        done.comment = above.and_then(|text| self.comment(&done, &text));
        Some(done)
    }

    /// Why a line whose `$NAME` is still there after [`Self::expand`] is
    /// refused: params (plain, or refused) and shorewall.conf do not set
    /// it. Shorewall takes it from the environment it runs in (getparams
    /// exports it), else from the setting of that name, else, under
    /// IGNOREUNKNOWNVARIABLES=Yes (its default), it expands to nothing,
    /// and under No refuses the line (Config.pm, expand_variables).
    fn unknown_variables(&self, text: &str) -> Option<String> {
        let names = variables_left(text);
        let first = names.first()?;
        let shown = names
            .iter()
            .map(|name| format!("`${name}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let rewritten = names.iter().find_map(|name| {
            let value = self.vars.get(*name)?;
            Some((name, value, rewritten_value(name, value)?))
        });
        if let Some((name, value, how)) = rewritten {
            return Some(format!(
                "{shown}: `${name}` is `{name}={value}` in shorewall.conf, {how}"
            ));
        }
        // A name set now but left in the text came from a params value
        // read before it was set: the shell that runs params (Config.pm
        // get_params, before shorewall.conf) put there what the
        // environment gave, not the later value.
        if let Some(later) = names.iter().find(|name| self.vars.contains_key(**name)) {
            return Some(format!(
                "{shown}: a value in params or shorewall.conf uses `${later}` before {later} is set (further down, or in shorewall.conf, which Shorewall reads after params): what it gives there is the environment's, usually nothing, not the value set later; set {later} above the line that uses it"
            ));
        }
        if let Some((name, (line, warning))) = names
            .iter()
            .find_map(|name| self.settings.ignored.get_key_value(*name))
        {
            return Some(format!(
                "{shown}: `${name}` is set only at {}, a line Shorewall skips (\"{warning}\"): the variable is not set there; Shorewall takes it from the environment it runs in, if that sets it; set it in params",
                Self::origin(line)
            ));
        }
        let current = |name: &&&str| {
            setting::find(name).is_some_and(|s| {
                !matches!(
                    s.verdict,
                    setting::Verdict::Renamed(_) | setting::Verdict::Eliminated
                )
            })
        };
        if let Some(setting) = names.iter().find(current) {
            return Some(format!(
                "{shown}: `${setting}` is a shorewall.conf setting this directory leaves unset, and Shorewall puts the value it gives {setting} (its default) in its place; write {setting} in shorewall.conf or the value in the line"
            ));
        }
        let conf = format!(
            "{}{}.conf",
            self.label,
            if self.ipv6 { "shorewall6" } else { "shorewall" }
        );
        let setting = match &self.settings.ignore_unknown {
            Some((value, line)) => {
                format!("IGNOREUNKNOWNVARIABLES={value} ({})", Self::origin(line))
            }
            None => "IGNOREUNKNOWNVARIABLES unset (Yes)".to_owned(),
        };
        let effect = match &self.settings.ignore_unknown {
            Some((value, _)) if matches!(value.to_ascii_lowercase().as_str(), "no" | "off") => {
                format!(
                    "with {setting} Shorewall refuses the line (\"Undefined shell variable (${first})\"); under Yes it would expand to nothing"
                )
            }
            _ => format!(
                "with {setting} Shorewall puts nothing in its place; under No it refuses the line (\"Undefined shell variable (${first})\")"
            ),
        };
        // Config.pm 7128 copies Shorewall 4's names into a lexical
        // `%variables` of get_configuration, not the one files read
        // (helper-245).
        if let Some((name, new)) = names
            .iter()
            .find_map(|name| Some((name, setting::new_name(name)?)))
        {
            return Some(format!(
                "{shown}: `${name}` is Shorewall 4's name of {new}, which Shorewall 5.2.8 sets as no variable (Config.pm copies it into get_configuration's own `%variables`): Shorewall takes it from the environment it runs in, where that sets it; otherwise {effect}; write `${new}` or the value"
            ));
        }
        Some(format!(
            "{shown} is set neither in params nor in {conf}: Shorewall takes it from the environment it runs in, where that sets it; otherwise {effect}; set it in params"
        ))
    }

    /// `$VAR` and `${VAR}` from params and shorewall.conf.
    fn expand(&self, text: &str) -> String {
        self.substitute(text, false)
    }

    /// `$VAR` and `${VAR}` replaced by their values; one that has none is
    /// kept as written, or with `unset_settings` dropped where it names a
    /// shorewall.conf setting (`expand_conf`).
    fn substitute(&self, text: &str, unset_settings: bool) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find('$') {
            out.push_str(&rest[..at]);
            let after = &rest[at + 1..];
            let (name, tail) = if let Some(inner) = after.strip_prefix('{') {
                let end = inner.find('}').unwrap_or(inner.len());
                (&inner[..end], &inner[(end + 1).min(inner.len())..])
            } else {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], &after[end..])
            };
            match self.vars.get(name) {
                Some(value) if name != "FW" && rewritten_value(name, value).is_none() => {
                    out.push_str(value)
                }
                None if unset_settings && setting::find(name).is_some() => {}
                _ => {
                    out.push('$');
                    out.push_str(&rest[at + 1..rest.len() - tail.len()]);
                }
            }
            rest = tail;
        }
        out.push_str(rest);
        out
    }

    /// The `NAME=value` lines of a shorewall.conf, read as Shorewall reads
    /// its other files (`#` starts a comment, `?IF` applies).
    /// A line that is not `NAME=value` is refused, as Shorewall refuses it
    /// ("Unrecognized shorewall.conf entry").
    fn assignments(&mut self, name: &str) -> Vec<(String, String, usize)> {
        if let Some(shipped) = self.shipped_conf(name) {
            return shipped;
        }
        let settings = self.setting_names(name);
        self.conditions.settings.extend(settings);
        let mut assignments: Vec<(String, String, usize)> = Vec::new();
        // Each setting's last line, where Config.pm reads its value.
        let mut last: Vec<(String, Line)> = Vec::new();
        let mut ignoring = None;
        for (file, physical, text) in self.active_lines(name) {
            match assignment(&text) {
                Some((key, value)) if condition::is_name(&key) => {
                    let line = Line {
                        file,
                        number: physical.number,
                        text: text.trim().to_owned(),
                        comment: None,
                    };
                    let raw = text.split_once('=').map_or("", |(_, raw)| raw);
                    if let Some(reason) = conf_shell_operator(name, raw) {
                        self.refuse(&line, reason);
                        continue;
                    }
                    if let Some(reason) = self.conf_unknown_variable(&key, raw, ignoring.as_ref()) {
                        self.refuse(&line, reason);
                        continue;
                    }
                    if key == "IGNOREUNKNOWNVARIABLES" && !matches!(value.as_str(), "" | "0") {
                        ignoring = Some(line.clone());
                    }
                    // Config.pm sets the new name's setting: a later line
                    // of either name wins.
                    let key = match setting::new_name(&key) {
                        Some(new) => {
                            self.notes.push(format!(
                                "{}: {key} is Shorewall 4's name of {new}: read as {new}, as Config.pm reads it (the later line of either name wins)",
                                Self::origin(&line)
                            ));
                            new.to_owned()
                        }
                        None => key,
                    };
                    last.retain(|(named, _)| *named != key);
                    last.push((key.clone(), line));
                    assignments.push((key, value, physical.number));
                }
                None if text.trim().is_empty() => {}
                _ => {
                    let line = Line {
                        file,
                        number: physical.number,
                        text: text.trim().to_owned(),
                        comment: None,
                    };
                    self.refuse(
                        &line,
                        format!("Shorewall refuses this {name} entry: not NAME=value"),
                    );
                }
            }
        }
        let value_of = |assignments: &[(String, String, usize)], key: &str| {
            let value = assignments.iter().rev().find(|(named, ..)| named == key);
            value.map_or(String::new(), |(_, value, _)| value.clone())
        };
        let setting = |key: &str| value_of(&assignments, key);
        let refused: Vec<(String, Line, String)> = last
            .into_iter()
            .filter_map(|(key, line)| {
                let reason = setting::config_pm_refusal(&key, &setting(&key), &setting)?;
                Some((key, line, reason))
            })
            .collect();
        for (key, line, reason) in refused {
            self.refuse(&line, reason);
            assignments.retain(|(named, ..)| *named != key);
        }
        assignments
    }

    /// A directory without its own shorewall.conf (shorewall6.conf) has
    /// the one Shorewall's package installs in /etc/shorewall (Shorewall
    /// compiles no directory without one): Shorewall 5.2.8's shipped file,
    /// whose settings fwgen holds (`sample`, checked against the installed
    /// package by tests/shorewall_conf.rs), each at its line there.
    /// `None` when the directory has its own.
    fn shipped_conf(&mut self, name: &str) -> Option<Vec<(String, String, usize)>> {
        use crate::backend::shorewall::sample;
        let (shipped, lines) = match name {
            "shorewall.conf" => (sample::SHOREWALL, sample::SHOREWALL_LINES),
            "shorewall6.conf" => (sample::SHOREWALL6, sample::SHOREWALL6_LINES),
            _ => return None,
        };
        if !matches!(self.directory.bytes(name), Ok(None)) {
            return None;
        }
        self.notes.push(format!(
            "{}{name}: the directory has none; read as the {name} Shorewall 5.2.8 ships (/usr/share/shorewall{}/configfiles/{name}, what the package installs and `shorewall update` writes); a line of it named below is that file's",
            self.label,
            if name == "shorewall6.conf" { "6" } else { "" }
        ));
        let settings = shipped
            .iter()
            .zip(lines)
            .filter_map(|((key, value), line)| {
                let (key, value) = assignment(&format!("{key}={value}"))?;
                Some((key, value, *line))
            })
            .collect();
        Some(settings)
    }

    /// The names a shorewall.conf assigns, `?IF` or not: settings, whose
    /// values conditions cannot use; not those whose line Config.pm skips
    /// ([`setting::ignored_warning`]), which set nothing.
    fn setting_names(&self, name: &str) -> BTreeSet<String> {
        let bytes = self
            .directory
            .bytes(name)
            .ok()
            .flatten()
            .unwrap_or_default();
        String::from_utf8_lossy(&bytes)
            .lines()
            .filter_map(|l| assignment(l).map(|(key, _)| key))
            .filter(|key| condition::is_name(key) && setting::ignored_warning(key).is_none())
            .collect()
    }

    /// params is a shell script: a `#` inside a value is not a comment, and
    /// a comment may hold any byte, but names and values must be ASCII.
    fn read_params(&mut self) {
        self.read_params_file("params", &mut Vec::new());
    }

    /// One params file, `INCLUDE FILE` read in its place (Shorewall's
    /// shell library defines INCLUDE as sourcing the file it finds); a
    /// line that is neither `NAME=value` nor INCLUDE is shell code, which
    /// fwgen does not run: refused at its line.
    fn read_params_file(&mut self, name: &str, within: &mut Vec<String>) {
        let bytes = match self.directory.bytes(name) {
            Ok(bytes) => bytes.unwrap_or_default(),
            Err(unreadable) => return self.unreadable.push(unreadable),
        };
        let shown = self.directory.shown(name);
        if within.is_empty() {
            // `?IF $NAME` needs every params line plain: an INCLUDE is not.
            self.conditions.params = condition::plain_params(&bytes);
        }
        for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
            let text = String::from_utf8_lossy(raw);
            let text = text.trim();
            if text.starts_with('#') || text.is_empty() {
                continue;
            }
            let line = Line {
                file: shown.clone(),
                number: index + 1,
                text: text.to_owned(),
                comment: None,
            };
            // A file saved with Windows line ends: the shell that runs
            // params (Config.pm get_params) keeps the carriage return in
            // the value, where it later splits a column as whitespace
            // (`$LOW:$HIGH` of `5000\r` and `5100\r` is DPORT 5000 and
            // SPORT :5100).
            // A carriage return after a `#` is the comment's.
            if raw.ends_with(b"\r") && !raw.contains(&b'#') {
                self.refuse(&line, "the line ends in a carriage return (a file saved with Windows line ends): Shorewall's shell keeps it in the value, and a rule that uses the value splits its column there (`$LOW:$HIGH` becomes a port and a source port); convert the file (dos2unix params)");
                continue;
            }
            let word = text.split_whitespace().next().unwrap_or_default();
            if word == "INCLUDE" {
                if let Some(target) = self.include_target(&line, within) {
                    let at = format!("{shown}:{}", index + 1);
                    self.included.entry(target.clone()).or_insert(at);
                    within.push(name.to_owned());
                    self.read_params_file(&target, within);
                    within.pop();
                }
                continue;
            }
            let (key, value) = match params_assignment(text) {
                Ok(read) => read,
                Err(why) => {
                    self.refuse(
                        &line,
                        format!("a params line that is not a plain NAME=value is shell code, which fwgen does not run: {why}"),
                    );
                    continue;
                }
            };
            if !key.is_ascii() || !value.is_ascii() {
                self.unreadable
                    .push(file::non_ascii(&shown, index + 1, raw.trim_ascii()));
                continue;
            }
            if let Some(reason) = reserved_param(&key) {
                self.refuse(&line, reason);
                continue;
            }
            // The shell that runs params (Config.pm get_params) has no FW:
            // `$FW` there is nothing, not the firewall zone it is in rules.
            let names_fw = value.match_indices('$').any(|(at, _)| {
                let after = &value[at + 1..];
                after.starts_with("{FW}")
                    || after.strip_prefix("FW").is_some_and(|rest| {
                        !rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                    })
            });
            if names_fw {
                self.refuse(
                    &line,
                    "`$FW` in params: the shell that runs params does not set FW, so Shorewall puts nothing there (in the other files `$FW` is the firewall zone); write `$FW` in the line that uses it",
                );
                continue;
            }
            let value = self.expand(&value);
            self.vars.insert(key, value);
        }
    }

    /// A LOGFORMAT fwgen does not write becomes fwgen's `PREFIX:%s:%s:`.
    /// Its prefix is `Shorewall`, or, when a zone's name is longer than
    /// that leaves room for, the longest start of `Shorewall` that does
    /// (Shorewall's limit depends on the LOGFORMAT's length:
    /// `analyze::max_zone_name`), as long as Shorewall accepts the name with
    /// the LOGFORMAT imported. Otherwise the zone stays too long, and the
    /// model refuses it at its line.
    fn fit_log_prefix(&mut self) {
        use crate::analyze::{max_zone_name, shorewall_max_zone_name};
        let Some((number, format)) = self.replaced_logformat.take() else {
            return;
        };
        let names = self
            .entries
            .iter()
            .filter(|e| e.kind == Kind::Zone && !e.dropped);
        let longest = names
            .map(|e| e.name.as_str())
            .chain([self.firewall.as_str()])
            .max_by_key(|name| name.len())
            .unwrap_or_default()
            .to_owned();
        let shorewall =
            logging::filled_logformat(&format).map(|f| shorewall_max_zone_name(f.len()));
        let prefix = (1..=DEFAULT_LOG_PREFIX.len())
            .rev()
            .map(|length| &DEFAULT_LOG_PREFIX[..length])
            .find(|prefix| max_zone_name(prefix) >= longest.len())
            .filter(|_| shorewall.is_none_or(|limit| longest.len() <= limit))
            .unwrap_or(DEFAULT_LOG_PREFIX);
        // Log tags sit in the prefix, which Shorewall and fwgen cut at 29
        // characters: with another LOGFORMAT, at another place.
        let tagged = (self.entries.iter()).any(|e| !e.dropped && e.table.get("log_tag").is_some());
        let mut why = String::new();
        if prefix != DEFAULT_LOG_PREFIX {
            why = format!(
                ", whose prefix `{prefix}` leaves room for the {} characters of zone `{longest}` (`{DEFAULT_LOG_PREFIX}` leaves {})",
                longest.len(),
                max_zone_name(DEFAULT_LOG_PREFIX)
            );
        }
        if tagged {
            why.push_str(", where a rule's log tag is cut when the prefix passes 29 characters, at another length than under the LOGFORMAT written (`fwgen check` names each tag it cuts: log-tag-cut)");
        }
        let noted = Self::logformat_note(number, &format, DEFAULT_LOG_PREFIX, "");
        if let Some(note) = self.notes.iter_mut().find(|note| **note == noted) {
            *note = Self::logformat_note(number, &format, prefix, &why);
        }
        if prefix == DEFAULT_LOG_PREFIX {
            return;
        }
        let firewall = self.header.first_mut();
        if let Some(firewall) = firewall {
            let at = firewall
                .items
                .iter()
                .position(|item| matches!(item, Item::Pair(key, _) if key == "zone"))
                .map_or(0, |at| at + 1);
            firewall
                .items
                .insert(at, Item::Pair("log_prefix".to_owned(), prefix.into()));
        }
    }

    fn logformat_note(number: usize, format: &str, prefix: &str, why: &str) -> String {
        let written = crate::analyze::logformat(prefix);
        format!(
            "shorewall.conf:{number}: LOGFORMAT=\"{format}\" becomes fwgen's \"{written}\"{why} (log prefixes change, verdicts do not)"
        )
    }

    /// Settings that change what the firewall does must be ones fwgen
    /// renders the same way; the rest are noted (see [`setting`]).
    fn read_conf(&mut self) {
        if self.ipv6 {
            return self.read_conf6();
        }
        let mut log_prefix = None;
        for (key, value, number) in self.assignments("shorewall.conf") {
            let value = self.expand_conf(&value);
            let line = Line {
                file: "shorewall.conf".to_owned(),
                number,
                text: format!("{key}={value}"),
                comment: None,
            };
            match (key.as_str(), value.as_str()) {
                ("LOGFORMAT", format)
                    if logging::filled_logformat(format).is_some_and(|f| f.len() > 29) =>
                {
                    self.refuse(&line, "Shorewall refuses it: \"LOGFORMAT string is longer than 29 characters\" (filled with a chain name and a disposition)");
                }
                ("LOGFORMAT", format) => match format.strip_suffix(":%s:%s:") {
                    Some(prefix) if !prefix.is_empty() && !prefix.contains('%') => {
                        log_prefix = Some(prefix.to_owned())
                    }
                    _ => {
                        let note = Self::logformat_note(number, format, DEFAULT_LOG_PREFIX, "");
                        self.notes.push(note);
                        self.replaced_logformat = Some((number, format.to_owned()));
                    }
                },
                (key, value)
                    if LOG_LIMIT_KEYS.contains(&key) || DEFAULT_ACTION_KEYS.contains(&key) =>
                {
                    self.note_superseded(key, value, &line);
                    let setting = (value.to_owned(), line.clone());
                    self.logging.insert(key.to_owned(), setting);
                }
                _ => {
                    self.note_superseded(&key, &value, &line);
                    self.judge_setting(&key, &value, &line);
                }
            }
            if !self.settings.ignored.contains_key(&key) {
                self.vars.insert(key, value);
            }
        }
        self.default_log_level();
        let mut firewall = Table::at(&["firewall"]);
        firewall.push("zone", self.firewall.as_str());
        firewall.push_some("log_prefix", log_prefix);
        // Each carried setting names its lines; an unset one is Shorewall's default.
        self.carry_logging();
        let logging = &self.logging;
        let origins = |keys: &[&str], table: &mut Table| {
            for (_, line) in keys.iter().filter_map(|key| logging.get(*key)) {
                table.comment(&Self::origin(line));
            }
        };
        let (log_limit, drop_broadcasts) = &self.carried;
        origins(&LOG_LIMIT_KEYS, &mut firewall);
        firewall.push("log_limit", log_limit);
        // ACCEPT_DEFAULT never makes `drop_broadcasts`.
        origins(&DEFAULT_ACTION_KEYS[..2], &mut firewall);
        firewall.push("drop_broadcasts", *drop_broadcasts);
        self.carry_settings();
        self.write_settings(&mut firewall);
        self.note_settings("shorewall.conf");
        let version: u16 = if self.dir.join("masq").exists() && !self.dir.join("snat").exists() {
            4
        } else {
            5
        };
        let mut shorewall = Table::at(&["shorewall"]);
        shorewall.push("version", version);
        self.header = vec![firewall, shorewall];
    }

    /// One setting's verdict (see [`setting::SETTINGS`]): a value fwgen's
    /// firewall does not mean is refused; an unknown setting is noted and
    /// ignored, as Config.pm ignores it.
    /// A superseded setting ([`setting::SUPERSEDED`]), noted at its line.
    fn note_superseded(&mut self, key: &str, value: &str, line: &Line) {
        if let Some((_, update)) = setting::SUPERSEDED.iter().find(|(name, _)| *name == key) {
            self.notes.push(format!(
                "{}: {key}={value} is Shorewall 4's: Shorewall 5.2.8's compiler refuses it (\"The {key} configuration option has been superceded - please run 'shorewall update'\"), and fwgen reads the directory as `shorewall update` rewrites it, into {update}",
                Self::origin(line)
            ));
        }
    }

    fn judge_setting(&mut self, key: &str, value: &str, line: &Line) {
        // Noted as superseded (`note_superseded`), not as removed.
        let eliminated = matches!(
            setting::find(key).map(|s| s.verdict),
            Some(setting::Verdict::Eliminated)
        );
        if eliminated && setting::SUPERSEDED.iter().any(|(name, _)| *name == key) {
            return;
        }
        // Config.pm: All, None, or a number from 0 to 31 (OPTIMIZE_ALL).
        if key == "OPTIMIZE"
            && !value.is_empty()
            && !value.eq_ignore_ascii_case("all")
            && !value.eq_ignore_ascii_case("none")
            && !numeric::numeric_value(value).is_some_and(|level| (0..=31).contains(&level))
        {
            return self.refuse(
                line,
                format!("OPTIMIZE={value}: Shorewall refuses it (\"Invalid OPTIMIZE value ({value})\"): All, None or 0 to 31"),
            );
        }
        if let Some(warning) = setting::ignored_warning(key) {
            self.settings
                .ignored
                .insert(key.to_owned(), (line.clone(), warning));
        }
        let Some(known) = setting::find(key) else {
            self.notes.push(format!(
                "{}: {key} is not a setting Shorewall 5.2 knows: Shorewall ignores the line with a warning (\"Unknown configuration option ({key}) ignored\"), and so does fwgen: no effect, not carried",
                Self::origin(line)
            ));
            return;
        };
        match known.verdict {
            setting::Verdict::Modelled => {
                let setting = (value.to_owned(), line.clone());
                self.settings.modelled.insert(key.to_owned(), setting);
            }
            setting::Verdict::Noted => push_once(&mut self.settings.noted, key),
            setting::Verdict::Eliminated => push_once(&mut self.settings.eliminated, key),
            // `assignments` reads the line as the new name's.
            setting::Verdict::Renamed(new) => self.judge_setting(new, value, line),
            setting::Verdict::Judged => self.judge_conf_setting(key, value, line),
            // RPFILTER_DISPOSITION decides only where an interface has
            // the `rpfilter` option: judged once the interfaces are read.
            setting::Verdict::Only(..) if key == "RPFILTER_DISPOSITION" => {
                if let Some(reason) = known.refusal(value) {
                    let unseen = (line.clone(), value.to_owned(), reason);
                    self.settings.rpfilter_unseen = Some(unseen);
                }
            }
            setting::Verdict::Only(..) => {
                if let Some(reason) = known.refusal(value) {
                    self.refuse(line, reason);
                }
            }
        }
    }

    /// A setting the table leaves to the importer ([`setting::Verdict::Judged`]):
    /// refused where it changes what passes, noted with its effect where
    /// its value is not Shorewall's default, else noted by name.
    fn judge_conf_setting(&mut self, key: &str, value: &str, line: &Line) {
        let lower = value.to_ascii_lowercase();
        let at = Self::origin(line);
        let note = match (key, lower.as_str()) {
            ("CONFIG_PATH", _) => {
                if let Some(reason) = self.config_path_refusal(value) {
                    return self.refuse(line, reason);
                }
                None
            }
            ("IGNOREUNKNOWNVARIABLES", _) => {
                self.settings.ignore_unknown = Some((value.to_owned(), line.clone()));
                None
            }
            ("MANGLE_ENABLED", "no") => {
                self.settings.mangle_disabled = Some(line.clone());
                return;
            }
            // Config.pm's default_yes_no takes Yes, No or nothing; the
            // command refuses a STARTUP_ENABLED other than Yes or No.
            (
                "MANGLE_ENABLED" | "STARTUP_ENABLED" | "REQUIRE_INTERFACE" | "LOGTAGONLY"
                | "USE_NFLOG_SIZE",
                other,
            ) if !matches!(other, "" | "yes" | "no") =>
            {
                let reason = format!("{key}={value}: Shorewall refuses it (\"Invalid value for {key}\"): Yes or No");
                return self.refuse(line, reason);
            }
            ("SFILTER_LOG_LEVEL", "" | "info") => None,
            ("SFILTER_LOG_LEVEL", _) => Some(format!(
                "SFILTER_LOG_LEVEL={value} is not carried: fwgen logs the drops of its sfilter (what is sent back out of the interface it came in on) at info, where Shorewall logs them {}; log lines change, verdicts do not",
                if lower == "none" { "not at all".to_owned() } else { format!("at {value}") }
            )),
            // Config.pm: ULOG (IPv4 alone), netlink or LOG, as written;
            // Proc.pm writes the module's name into
            // /proc/sys/net/netfilter/nf_log/2 (10 for IPv6) as it starts.
            ("LOG_BACKEND", "") => None,
            ("LOG_BACKEND", _) if !(value == "netlink" || value == "LOG" || value == "ULOG" && !self.ipv6) => {
                let reason = format!("LOG_BACKEND={value}: Shorewall refuses it (\"Invalid LOG Backend\"): {}", if self.ipv6 { "netlink or LOG" } else { "ULOG, netlink or LOG" });
                return self.refuse(line, reason);
            }
            ("LOG_BACKEND", _) => Some(format!(
                "LOG_BACKEND={value} is not carried: Shorewall sets the kernel's {} log backend (/proc/sys/net/netfilter/nf_log/{}) to {} as it starts, fwgen leaves the backend as it is, so its log lines go where the kernel sends them; log lines change, verdicts do not",
                if self.ipv6 { "IPv6" } else { "IPv4" },
                if self.ipv6 { 10 } else { 2 },
                match value {
                    "netlink" => "nfnetlink_log (ulogd reads the lines, not the kernel log)",
                    "ULOG" => "ipt_ULOG",
                    _ if self.ipv6 => "the kernel log (ip6t_LOG)",
                    _ => "the kernel log (ipt_LOG)",
                }
            )),
            ("LOG_ZONE", "" | "both") => None,
            ("LOG_ZONE", "src" | "dst") => Some(format!(
                "LOG_ZONE={value} is not carried: Shorewall's log prefixes name the {} zone alone (`Shorewall:{}:DROP:`), fwgen's both zones (`Shorewall:net-fw:DROP:`, LOG_ZONE=Both); log lines change, verdicts do not",
                if lower == "src" { "source" } else { "destination" },
                if lower == "src" { "net" } else { "fw" },
            )),
            ("LOG_ZONE", _) => {
                let reason = format!("LOG_ZONE={value}: Shorewall refuses it (\"Invalid LOG_ZONE setting\"): Src, Dst or Both");
                return self.refuse(line, reason);
            }
            // Config.pm: `/^[2-]$/`, checked whether or not it acts.
            ("ZONE2ZONE", "" | "-") => None,
            ("ZONE2ZONE", "2") => Some(
                "ZONE2ZONE=2 is not carried: Shorewall names its zone-pair chains `net2fw`, and so its log prefixes (`net2fw` where fwgen's name `net-fw`, ZONE2ZONE=-); log lines change, verdicts do not".to_owned(),
            ),
            ("ZONE2ZONE", _) => {
                let reason = format!("ZONE2ZONE={value}: Shorewall refuses it (\"Invalid ZONE2ZONE value ( {value} )\") and compiles nothing");
                return self.refuse(line, reason);
            }
            ("LOGTAGONLY", "yes") => Some(
                "LOGTAGONLY=Yes is not carried: Shorewall logs a rule that has a log tag under the tag alone (the tag in place of the chain's name, `CHAIN,DISPOSITION` naming both), fwgen logs the chain and disposition with the tag after them (LOGTAGONLY=No); log lines change, verdicts do not".to_owned(),
            ),
            ("USE_NFLOG_SIZE", "yes") => Some(
                "USE_NFLOG_SIZE=Yes is not carried: Shorewall reads an NFLOG level's second number as --nflog-size, how much of each packet goes to the log daemon, fwgen as --nflog-range, which the kernel never read, so fwgen's NFLOG sends whole packets; what the log daemon gets changes, verdicts do not".to_owned(),
            ),
            ("LOGALLNEW", "" | "none") => None,
            ("LOGALLNEW", _) => Some(format!(
                "LOGALLNEW={value} is not carried: fwgen does not log every new connection, which Shorewall logs at {value} by a first rule in each builtin chain (a debugging aid, shorewall.conf(5)); log lines change, verdicts do not"
            )),
            ("DYNAMIC_BLACKLIST", "no") => None,
            ("DYNAMIC_BLACKLIST", other) if !(matches!(other, "" | "yes") || other.starts_with("ipset")) => {
                let reason = format!("DYNAMIC_BLACKLIST={value}: Shorewall refuses it (\"Invalid value for DYNAMIC_BLACKLIST\"): Yes, No or an ipset form");
                return self.refuse(line, reason);
            }
            ("DYNAMIC_BLACKLIST", _) => Some(format!(
                "DYNAMIC_BLACKLIST={} is not carried: fwgen's firewall has no dynamic blacklist, so what `shorewall drop`, `reject` and `blacklist` add at run time has no place in it (Shorewall's own entries do not survive the switch); the files' verdicts do not change",
                if value.is_empty() { "(empty: Shorewall's default Yes)" } else { value }
            )),
            ("REQUIRE_INTERFACE", "yes") => Some(
                "REQUIRE_INTERFACE=Yes is not carried: where interfaces are optional (or a provider's), Shorewall refuses to start, reload or restore while none of them is up (\"No network interface available\"); fwgen's firewall loads whichever interfaces are up".to_owned(),
            ),
            ("STARTUP_ENABLED", "no") => Some(
                "STARTUP_ENABLED=No is not carried: Shorewall refuses to start at all (\"Startup is disabled\"); fwgen's firewall starts when it is loaded".to_owned(),
            ),
            _ => None,
        };
        match note {
            Some(note) => self.notes.push(format!("{at}: {note}")),
            None => push_once(&mut self.settings.noted, key),
        }
    }

    /// Why CONFIG_PATH is refused: a directory it lists other than this
    /// configuration directory (`${CONFDIR}/shorewall`, `/etc/shorewall`,
    /// or for Shorewall6 the shorewall6 ones, or this directory's own path)
    /// and Shorewall's share directories. Config.pm's find_file looks every
    /// file, macro and action up along it, after the directory compiled,
    /// so a site file there changes the firewall, and fwgen reads only the
    /// directory it imports. A leading `:` (Shorewall drops the first entry
    /// when it compiles as another user) and empty entries are no
    /// directories.
    fn config_path_refusal(&self, value: &str) -> Option<String> {
        let product = if self.ipv6 { "shorewall6" } else { "shorewall" };
        let own = std::fs::canonicalize(&self.dir).ok();
        // Which share directory an entry is (Config.pm ends each entry
        // with one `/` and folds `//`): Shorewall6's holds its own
        // macro.Ping, macro.Trcrt, macro.mDNS and macro.mDNSbi (ICMPv6,
        // ff02::fb), which find_file takes from the first directory that
        // has them (helper-251).
        let share_of = |entry: &str| {
            let entry = config_path_entry(entry);
            ["${SHAREDIR}", "$SHAREDIR", "/usr/share"]
                .iter()
                .find_map(|dir| match entry.strip_prefix(dir)? {
                    "/shorewall" => Some("shorewall"),
                    "/shorewall6" => Some("shorewall6"),
                    _ => None,
                })
        };
        // `Some(true)` for a share directory, `Some(false)` for this
        // configuration directory.
        let is_own = |entry: &str| {
            let share = share_of(entry).is_some();
            let entry = config_path_entry(entry);
            let confdir = ["${CONFDIR}", "$CONFDIR", "/etc"]
                .iter()
                .any(|dir| entry.strip_prefix(dir) == Some(&format!("/{product}")));
            let here = own.is_some() && std::fs::canonicalize(&entry).ok() == own;
            (confdir || share || here).then_some(share)
        };
        // `shorewall start` puts nothing before CONFIG_PATH: a share
        // directory ahead of the configuration directory makes the shipped
        // macros, actions and files win over the site's, which fwgen reads.
        let entries: Vec<&str> = value
            .split(':')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        let recommended = match self.ipv6 {
            true => "${CONFDIR}/shorewall6:${SHAREDIR}/shorewall6:${SHAREDIR}/shorewall",
            false => "${CONFDIR}/shorewall:${SHAREDIR}/shorewall",
        };
        let shares: Vec<&str> = entries.iter().filter_map(|e| share_of(e)).collect();
        let first_own = entries.iter().position(|e| is_own(e) == Some(false));
        let first_share = entries.iter().position(|e| is_own(e) == Some(true));
        if let (Some(share), Some(own)) = (first_share, first_own)
            && share < own
        {
            return Some(format!(
                "CONFIG_PATH lists Shorewall's share directory `{}` before the configuration directory `{}`: Shorewall then takes its shipped macros, actions and files over the site's (Config.pm, find_file), and fwgen reads the site's; list the configuration directory first (`CONFIG_PATH=\"{recommended}\"`)",
                entries[share], entries[own]
            ));
        }
        let extra: Vec<&str> = value
            .split(':')
            .map(str::trim)
            .filter(|entry| !entry.is_empty() && is_own(entry).is_none())
            .collect();
        if !extra.is_empty() {
            return Some(format!(
                "CONFIG_PATH lists {}: Shorewall looks every file, macro and action up along CONFIG_PATH (Config.pm, find_file), so one kept there changes the firewall, and fwgen reads only the directory it imports; copy what the site keeps there into this directory and list only it and Shorewall's share directory (`CONFIG_PATH=\"{recommended}\"`)",
                extra
                    .iter()
                    .map(|entry| format!("`{entry}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        // No entry: Config.pm reads SHAREDIR/configpath, the product's own
        // path.
        if !entries.is_empty() && !shares.contains(&"shorewall") {
            return Some(format!(
                "CONFIG_PATH does not list Shorewall's share directory, where {} finds its stock actions and macros (actions.std, action.Broadcast, macro.SSH...): it refuses the configuration (\"Unknown Action\", \"Missing Action File\"); write `CONFIG_PATH=\"{recommended}\"`",
                if self.ipv6 { "Shorewall6" } else { "Shorewall" }
            ));
        }
        if !self.ipv6 && shares.contains(&"shorewall6") {
            return Some(format!(
                "CONFIG_PATH lists Shorewall6's share directory: Shorewall then takes its IPv6 macro.Ping, macro.Trcrt, macro.mDNS and macro.mDNSbi over its own (Config.pm, find_file) and refuses a rule calling one (\"IPv6_ICMP not permitted in an IPv4 configuration\"), where fwgen reads IPv4's; write `CONFIG_PATH=\"{recommended}\"`"
            ));
        }
        if self.ipv6 && !entries.is_empty() && shares.first() != Some(&"shorewall6") {
            return Some(format!(
                "CONFIG_PATH does not list Shorewall6's share directory before Shorewall's: Shorewall6 then takes Shorewall's IPv4 macro.Ping, macro.Trcrt, macro.mDNS and macro.mDNSbi (Config.pm, find_file; `Ping` becomes ICMPv6 type 8, which no echo request is), where fwgen reads Shorewall6's own; write `CONFIG_PATH=\"{recommended}\"`"
            ));
        }
        None
    }

    /// MANGLE_ENABLED=No: Shorewall writes no mangle table (Chains.pm,
    /// valid_tables), so the `rpfilter` option (its mangle rpfilter chain)
    /// and CLAMPMSS (mangle FORWARD, unless an interface's `mss=` moves it
    /// into the filter table's settcpmss chain) do nothing there, while
    /// fwgen's firewall applies them: refused at the setting, naming each
    /// such line. Shorewall itself refuses it beside FORWARD_CLEAR_MARK=Yes
    /// (its default) and, in IPv4, TC_ENABLED other than No (default
    /// Internal) and ACCOUNTING_TABLE=mangle. Otherwise it changes nothing
    /// fwgen models: noted.
    fn judge_mangle(&mut self) {
        let Some(line) = self.settings.mangle_disabled.take() else {
            return;
        };
        let setting = |key: &str| {
            self.vars
                .get(key)
                .map_or("", |v| v.as_str())
                .to_ascii_lowercase()
        };
        let mut refusals = Vec::new();
        let clear_mark = setting("FORWARD_CLEAR_MARK");
        if !matches!(clear_mark.as_str(), "no" | "off") {
            refusals.push(format!("Shorewall refuses it beside FORWARD_CLEAR_MARK={} (\"FORWARD_CLEAR_MARK=Yes is not available when MANGLE_ENABLED=No\"): set FORWARD_CLEAR_MARK=No", if clear_mark.is_empty() { "Yes, its default" } else { &clear_mark }));
        }
        let tc = setting("TC_ENABLED");
        let tc = if tc.is_empty() && !self.ipv6 {
            "internal".to_owned()
        } else {
            tc
        };
        if !tc.is_empty() && tc != "no" {
            refusals.push(format!("Shorewall refuses it beside TC_ENABLED={tc} (\"TC_ENABLED=... is not allowed with MANGLE_ENABLED=No\"; Internal is the IPv4 default): set TC_ENABLED=No"));
        }
        if setting("ACCOUNTING_TABLE") == "mangle" {
            refusals.push("Shorewall refuses it beside ACCOUNTING_TABLE=mangle (\"ACCOUNTING_TABLE=mangle not allowed with MANGLE_ENABLED=No\"): set ACCOUNTING_TABLE=filter".to_owned());
        }
        let mut unapplied = Vec::new();
        let mut mss = false;
        for entry in self.entries.iter().filter(|e| e.kind == Kind::Interface) {
            let options: Vec<&str> = ["options", "options_ipv4", "options_ipv6"]
                .iter()
                .filter_map(|key| match entry.table.get(key) {
                    Some(Value::Array(options)) => Some(options.iter().filter_map(Value::as_str)),
                    _ => None,
                })
                .flatten()
                .collect();
            mss |= options.iter().any(|o| o.starts_with("mss="));
            if options.contains(&"rpfilter") {
                unapplied.push(format!(
                    "the `rpfilter` option of {}",
                    Self::origin(&entry.line)
                ));
            }
        }
        let clamp = self.settings.modelled.get("CLAMPMSS");
        // With an interface's `mss=`, CLAMPMSS is in the filter table.
        let clamp = clamp.filter(|(v, _)| !mss && !v.is_empty() && !v.eq_ignore_ascii_case("no"));
        if let Some((value, clamp)) = clamp {
            unapplied.push(format!("CLAMPMSS={value} ({})", Self::origin(clamp)));
        }
        if !unapplied.is_empty() {
            let (verb, them) = match unapplied.len() {
                1 => ("does", "it"),
                _ => ("do", "them"),
            };
            refusals.push(format!(
                "Shorewall then writes no mangle table, so {} {verb} nothing there, while fwgen's firewall applies {them}: leave {them} out, or set MANGLE_ENABLED=Yes",
                unapplied.join(" and ")
            ));
        }
        if refusals.is_empty() {
            self.notes.push(format!(
                "{}: MANGLE_ENABLED=No: Shorewall writes no mangle table; nothing fwgen's firewall does is in it here (no interface has `rpfilter`, and CLAMPMSS is No or in the filter table beside an interface's `mss=`)",
                Self::origin(&line)
            ));
        } else {
            self.refuse(&line, format!("MANGLE_ENABLED=No: {}", refusals.join("; ")));
        }
    }

    /// The `[firewall]` keys from CLAMPMSS, IP_FORWARDING, AUTOHELPERS and,
    /// for IPv4, ROUTE_FILTER and LOG_MARTIANS; the checks of COMPLETE and
    /// DISABLE_IPV6. Each is read as Shorewall reads it (unset: Config.pm's
    /// default); a value Shorewall refuses is refused at its line.
    fn carry_settings(&mut self) {
        let modelled = std::mem::take(&mut self.settings.modelled);
        let value = |key: &str| {
            let written = modelled.get(key).map_or("", |(value, _)| value.as_str());
            setting::find(key).map_or_else(String::new, |s| s.effective(written))
        };
        let mut carry = |key: &str, read: Result<bool, String>| {
            read.unwrap_or_else(|reason| {
                if let Some((_, line)) = modelled.get(key) {
                    self.refuse(line, reason);
                }
                false
            })
        };
        let conntrack_helpers = carry("AUTOHELPERS", yes_no("AUTOHELPERS", &value("AUTOHELPERS")));
        let stopped_output_open = carry(
            "ADMINISABSENTMINDED",
            yes_no("ADMINISABSENTMINDED", &value("ADMINISABSENTMINDED")),
        );
        let fast_accept = carry("FASTACCEPT", yes_no("FASTACCEPT", &value("FASTACCEPT")));
        if carry("COMPLETE", yes_no("COMPLETE", &value("COMPLETE"))) {
            self.settings.complete = modelled.get("COMPLETE").map(|(_, line)| line.clone());
        }
        let clamp_mss = clamp_mss(&value("CLAMPMSS"));
        let ip_forwarding = trivalue(&value("IP_FORWARDING"));
        let mut blacklist = blacklist_states(&value("BLACKLIST"), fast_accept);
        if let Some((written, line)) = modelled.get("BLACKLISTNEWONLY") {
            let origin = Self::origin(line);
            if written.is_empty() || !value("BLACKLIST").is_empty() {
                self.notes.push(format!(
                    "{origin}: BLACKLISTNEWONLY={written} is not carried: `shorewall update` reads it only when it is set and BLACKLIST is not, so it decides nothing"
                ));
            } else {
                match blacklist_new_only(written, fast_accept) {
                    Ok((states, read)) => {
                        blacklist = Ok(read);
                        self.notes.push(format!(
                            "{origin}: BLACKLISTNEWONLY={written} is carried as `blacklist_states`, as `shorewall update` writes BLACKLIST=\"{states}\" in its place (without UNTRACKED where the kernel has no raw table)"
                        ));
                    }
                    Err(reason) => self.refuse(line, reason),
                }
            }
        }
        for key in ["BLACKLIST_DISPOSITION", "BLACKLIST_LOG_LEVEL"] {
            if let Some((written, line)) = modelled.get(key).filter(|(v, _)| !v.is_empty()) {
                let setting = (format!("{key}={written}"), line.clone());
                self.settings.blacklist_target.push(setting);
            }
        }
        let conntrack_helpers = conntrack_helpers && !self.helpers_unlisted();
        let mut carried = Carried {
            clamp_mss: clamp_mss.clone().unwrap_or(Value::Boolean(false)),
            ip_forwarding: ip_forwarding.unwrap_or("keep"),
            conntrack_helpers,
            stopped_output_open,
            fast_accept,
            blacklist_states: blacklist
                .clone()
                .unwrap_or_else(|_| ["new", "invalid", "untracked"].map(String::from).to_vec()),
            ..Carried::default()
        };
        let mut refused = Vec::new();
        for (n, key) in DispositionKey::ALL.into_iter().enumerate() {
            let written = modelled.get(key.setting()).map_or("", |(v, _)| v.as_str());
            let read = disposition(key, written, &value(key.setting()));
            let fallback = key.shorewall_default().word();
            carried.dispositions[n] = *read.as_ref().unwrap_or(&fallback);
            refused.push((key.setting(), read.err()));
        }
        refused.extend([
            ("CLAMPMSS", clamp_mss.err()),
            ("BLACKLIST", blacklist.err()),
            (
                "IP_FORWARDING",
                ip_forwarding
                    .is_none()
                    .then(|| "IP_FORWARDING is On, Off or Keep".to_owned()),
            ),
        ]);
        if !self.ipv6 {
            let route_filter = route_filter(&value("ROUTE_FILTER"));
            let log_martians = log_martians(&value("LOG_MARTIANS"));
            let disable_ipv6 = yes_no("DISABLE_IPV6", &value("DISABLE_IPV6"));
            for (key, read) in [
                ("ROUTE_FILTER", &route_filter),
                ("LOG_MARTIANS", &log_martians),
            ] {
                match read {
                    Ok((_, Some(note))) => self.settings.remarks.push((*note).to_owned()),
                    Ok(_) => {}
                    Err(reason) => refused.push((key, Some(reason.clone()))),
                }
            }
            carried.route_filter = route_filter.is_ok_and(|(on, _)| on);
            carried.log_martians = log_martians.is_ok_and(|(on, _)| on);
            match disable_ipv6.map(|yes| (yes, sibling_ipv6(&self.dir).is_some())) {
                Ok((false, false)) => self
                    .settings
                    .remarks
                    .push(DISABLE_IPV6_WITHOUT_SIX.to_owned()),
                Ok((true, true)) => {
                    refused.push(("DISABLE_IPV6", Some(DISABLE_IPV6_WITH_SIX.to_owned())))
                }
                Ok(_) => {}
                Err(reason) => refused.push(("DISABLE_IPV6", Some(reason))),
            }
        }
        for (n, (key, _)) in LOG_LEVEL_KEYS.into_iter().enumerate() {
            let written = modelled.get(key).map_or("", |(v, _)| v.as_str());
            // Config.pm: an unset RPFILTER_LOG_LEVEL is info.
            let written = match written.trim_matches('"') {
                unset if logging::setting_unset(unset) && key == "RPFILTER_LOG_LEVEL" => "info",
                _ => written,
            };
            match log_level_setting(key, written) {
                Ok(level) => carried.log_levels[n] = level,
                Err(reason) => refused.push((key, Some(reason))),
            }
        }
        let [tcp_flags, _, invalid, _] = carried.dispositions;
        // With INVALID_LOG_LEVEL the model decides invalid packets in the
        // pair chains, after tcpflags, as Shorewall does.
        let invalid_logged = carried.log_levels[3].is_some();
        // The words were judged above; one refused is not judged again.
        let unseen = DispositionKey::TcpFlags
            .read(tcp_flags)
            .zip(DispositionKey::Invalid.read(invalid))
            .is_some_and(|(t, i)| tcp_flags_unseen(t, i, invalid_logged));
        if unseen
            && let Some((_, line)) = modelled
                .get("TCP_FLAGS_DISPOSITION")
                .filter(|_| tcp_flags != "DROP")
                .or_else(|| modelled.get("INVALID_DISPOSITION"))
        {
            let reason = format!(
                "TCP_FLAGS_DISPOSITION={tcp_flags} beside INVALID_DISPOSITION={invalid}: the packets tcpflags catches are INVALID to conntrack, and fwgen decides INVALID packets before the interface options, where Shorewall runs tcpflags first"
            );
            self.settings.tcp_flags_unseen = Some((line.clone(), reason));
        }
        for (key, reason) in refused {
            if let (Some(reason), Some((_, line))) = (reason, modelled.get(key)) {
                self.refuse(line, reason);
            }
        }
        self.settings.carried = carried;
        self.settings.modelled = modelled;
    }

    /// COMPLETE=Yes leaves out the catch-all of packets outside every
    /// zone; with an interface `+` every packet is in a zone, and fwgen's
    /// catch-all is never reached either. Without one it is refused.
    fn judge_complete(&mut self) {
        let Some(line) = self.settings.complete.take() else {
            return;
        };
        let everything = self.entries.iter().any(|entry| {
            entry.kind == Kind::Interface
                && (entry.name == "+" || entry.table.get("physical") == Some(&"+".into()))
        });
        if !everything {
            let reason = "COMPLETE=Yes leaves packets outside every zone to the built-in chains' policies, and fwgen catches them: it needs an interface `+`";
            self.refuse(&line, reason);
        }
    }

    /// A TCP_FLAGS_DISPOSITION fwgen would not reach is refused when an
    /// interface has the `tcpflags` option (the analyzer's `TcpFlagsUnseen`).
    fn judge_tcp_flags(&mut self) {
        let Some((line, reason)) = self.settings.tcp_flags_unseen.take() else {
            return;
        };
        let flagged = self.entries.iter().any(|entry| {
            entry.kind == Kind::Interface && entry.options().iter().any(|o| o == "tcpflags")
        });
        if flagged {
            self.refuse(&line, reason);
        }
    }

    /// RPFILTER_DISPOSITION and RPFILTER_LOG_LEVEL (info unless set) mean
    /// something only where an interface of this directory's family has
    /// the `rpfilter` option (Shorewall and Shorewall6 each compile their
    /// own rplog chain). With one, a disposition the model does not mean
    /// is refused; without one, the disposition decides nothing and the
    /// log level logs nothing: both are noted by name, the log level's key
    /// and origin line leave the model, and this family carries no level,
    /// so a family that logs keeps its own (`check_ipv6_logging`).
    fn judge_rpfilter(&mut self) {
        let rpfiltered = self.entries.iter().any(|entry| {
            entry.kind == Kind::Interface
                && ["options", "options_ipv4", "options_ipv6"]
                    .iter()
                    .any(|key| {
                        matches!(entry.table.get(key), Some(Value::Array(options))
                        if options.iter().any(|o| o.as_str() == Some("rpfilter")))
                    })
        });
        // With Shorewall6's directory beside, each family is judged alone.
        let dual = self.ipv6 || sibling_ipv6(&self.dir).is_some();
        let (scope, none) = if dual {
            let family = if self.ipv6 { "IPv6" } else { "IPv4" };
            let interfaces = format!("{}interfaces", self.label);
            (
                format!(" for {family}"),
                format!("no interface has the `rpfilter` option in {interfaces}"),
            )
        } else {
            let none = "no interface has the `rpfilter` option";
            (String::new(), none.to_owned())
        };
        if let Some((line, value, reason)) = self.settings.rpfilter_unseen.take() {
            if rpfiltered {
                self.refuse(&line, reason);
            } else {
                self.notes.push(format!(
                    "{}: RPFILTER_DISPOSITION={value} is not carried{scope}: {none}, so it decides nothing",
                    Self::origin(&line)
                ));
            }
        }
        if rpfiltered {
            return;
        }
        let rpfilter_log = LOG_LEVEL_KEYS
            .iter()
            .position(|(key, _)| *key == "RPFILTER_LOG_LEVEL");
        if let Some(n) = rpfilter_log {
            self.settings.carried.log_levels[n] = None;
        }
        let Some(firewall) = self.header.first_mut() else {
            // Shorewall6's settings are written by the merge: its line,
            // where shorewall6.conf writes one, is named here.
            if let Some((_, line)) = self.settings.modelled.get("RPFILTER_LOG_LEVEL") {
                self.notes.push(format!(
                    "{}: RPFILTER_LOG_LEVEL (`rpfilter_log`) is not carried{scope}: {none}, so it logs nothing",
                    Self::origin(line)
                ));
            }
            return;
        };
        let keys = ["rpfilter_log", "rpfilter_log_ipv4", "rpfilter_log_ipv6"];
        let items = std::mem::take(&mut firewall.items);
        let mut notes = Vec::new();
        for item in items {
            if let Item::Pair(key, _) = &item
                && keys.contains(&key.as_str())
            {
                let at = match firewall.items.last() {
                    Some(Item::Comment(origin)) => format!("{origin}: "),
                    _ => String::new(),
                };
                if !at.is_empty() {
                    firewall.items.pop();
                }
                notes.push(format!(
                    "{at}RPFILTER_LOG_LEVEL (`{key}`) is not carried{scope}: {none}, so it logs nothing"
                ));
                continue;
            }
            firewall.items.push(item);
        }
        self.notes.extend(notes);
    }

    /// The carried settings, each after the lines it came from.
    fn write_settings(&self, firewall: &mut Table) {
        let modelled = &self.settings.modelled;
        let mut push = |setting: &str, key: &str, value: Value| {
            if let Some((_, line)) = modelled.get(setting) {
                firewall.comment(&Self::origin(line));
            }
            firewall.push(key, value);
        };
        let carried = &self.settings.carried;
        push("CLAMPMSS", "clamp_mss", carried.clamp_mss.clone());
        push(
            "IP_FORWARDING",
            "ip_forwarding",
            carried.ip_forwarding.into(),
        );
        push("ROUTE_FILTER", "route_filter", carried.route_filter.into());
        push("LOG_MARTIANS", "log_martians", carried.log_martians.into());
        let helpers = carried.conntrack_helpers.into();
        push("AUTOHELPERS", "conntrack_helpers", helpers);
        let open = carried.stopped_output_open.into();
        push("ADMINISABSENTMINDED", "stopped_output_open", open);
        push("FASTACCEPT", "fast_accept", carried.fast_accept.into());
        let states = Value::strings(&carried.blacklist_states);
        push("BLACKLIST", "blacklist_states", states);
        for ((key, model_key), level) in LOG_LEVEL_KEYS.iter().zip(&carried.log_levels) {
            if let Some(level) = level {
                push(key, model_key, level.into());
            }
        }
        for (key, word) in DispositionKey::ALL.into_iter().zip(carried.dispositions) {
            push(key.setting(), key.key(), word.into());
        }
    }

    /// The settings that change no verdict, by name, at the top of the model.
    fn note_settings(&mut self, file: &str) {
        let settings = std::mem::take(&mut self.settings);
        let file = format!("{}{file}", self.label);
        if !settings.noted.is_empty() {
            self.notes.push(format!(
                "{file}: these settings change no verdict and are not carried: {}",
                settings.noted.join(", ")
            ));
        }
        if !settings.eliminated.is_empty() {
            self.notes.push(format!(
                "{file}: removed in Shorewall 5 (`shorewall update` drops them): {}",
                settings.eliminated.join(", ")
            ));
        }
        for remark in &settings.remarks {
            self.notes.push(format!("{file}: {remark}"));
        }
        self.settings = Settings {
            noted: Vec::new(),
            eliminated: Vec::new(),
            remarks: Vec::new(),
            ..settings
        };
    }

    /// Under AUTOHELPERS=Yes Shorewall attaches the conntrack helpers by
    /// the lines its shipped conntrack file holds (`?if $AUTOHELPERS &&
    /// __CT_TARGET` ... `CT:helper:ftp:PO - - tcp 21`); a conntrack file
    /// of the directory's own is read in its place (CONFIG_PATH), and
    /// without those lines no helper is attached, the stock macros'
    /// AUTOHELPERS=Yes lines attaching none either (checked with `shorewall
    /// compile`: no `CT --helper` rule). So no helper watches any
    /// connection, which the model says with `conntrack_helpers = false`
    /// (noted) as long as no rule calls a macro that would then attach one
    /// (refused at the call). `true` for such a file.
    fn helpers_unlisted(&mut self) -> bool {
        let Ok(Some(_)) = self.directory.bytes("conntrack") else {
            return false;
        };
        let Ok(lines) = self.directory.lines("conntrack") else {
            return false;
        };
        let count = lines.len();
        if listing::without_shipped_helpers(lines).len() != count {
            return false;
        }
        let shown = self.directory.shown("conntrack");
        self.notes.push(format!(
            "{shown}: this conntrack file, which Shorewall reads in place of the one it ships, leaves out the shipped helper lines (`?if $AUTOHELPERS && __CT_TARGET` ...), so under AUTOHELPERS=Yes Shorewall attaches no conntrack helper: carried as `conntrack_helpers = false`"
        ));
        self.settings.helpers_unlisted = Some(shown);
        true
    }

    /// `log_limit` and `drop_broadcasts` from the logging settings read.
    fn carry_logging(&mut self) {
        let settings = std::mem::take(&mut self.logging);
        self.carried = (self.log_limit(&settings), self.drop_broadcasts(&settings));
        self.logging = settings;
    }

    /// LOGLIMIT, else Shorewall 4's LOGRATE and LOGBURST; unset: no limit,
    /// Shorewall's default.
    fn log_limit(&mut self, settings: &BTreeMap<String, (String, Line)>) -> String {
        let value = |key: &str| settings.get(key).map_or("", |(value, _)| value.as_str());
        let line = |key: &str| {
            let setting = settings.get(key).filter(|(value, _)| !value.is_empty());
            setting.map(|(_, line)| line)
        };
        let (value, line) = match (line("LOGLIMIT"), line("LOGRATE").or(line("LOGBURST"))) {
            (Some(line), _) => (value("LOGLIMIT").to_owned(), line),
            (None, Some(line)) => (logging::log_rate(value("LOGRATE"), value("LOGBURST")), line),
            (None, None) => return "none".to_owned(),
        };
        logging::log_limit(&value).unwrap_or_else(|reason| {
            self.refuse(line, reason);
            "none".to_owned()
        })
    }

    /// A policy's default actions (`DROP:Broadcast(DROP)`); with a `+`
    /// first, shorewall.conf's list for the verdict and then these, as
    /// Rules.pm process_policy_actions reads it (`@pactions =
    /// @{$policy_actions{$policy}} if $pactions =~ s/^\+//`; helper-248:
    /// refused as no action of fwgen's model).
    fn policy_defaults(&self, text: &str, policy: &str) -> Result<default_action::Read, String> {
        let Some(own) = text.strip_prefix('+') else {
            return default_action::read(text, policy, self.ipv6);
        };
        // Shorewall6's conf list began with AllowICMPs, which its reader
        // took off.
        let own = match self.ipv6 && policy != "ACCEPT" {
            true => format!("AllowICMPs,{own}"),
            false => own.to_owned(),
        };
        let mut read = default_action::read(&own, policy, self.ipv6)?;
        let mut actions = (self.conf_default_lists.get(policy).cloned()).unwrap_or_default();
        for action in read.actions {
            if actions.contains(&action) {
                return Err(format!(
                    "default action `{action}` is named twice: in {policy}_DEFAULT, which the `+` adds, and after it"
                ));
            }
            actions.push(action);
        }
        read.actions = actions;
        Ok(read)
    }

    /// DROP_DEFAULT, REJECT_DEFAULT and ACCEPT_DEFAULT (unset: none,
    /// Shorewall's default). Both of the first two
    /// Broadcast(DROP),Multicast(DROP): `drop_broadcasts`; else each list
    /// goes to the policies of its verdict that name none of their own, as
    /// Rules.pm's process_policies gives `$policy_actions{VERDICT}` to them.
    fn drop_broadcasts(&mut self, settings: &BTreeMap<String, (String, Line)>) -> bool {
        let mut lists: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
        for (key, verdict) in [
            ("DROP_DEFAULT", "DROP"),
            ("REJECT_DEFAULT", "REJECT"),
            ("ACCEPT_DEFAULT", "ACCEPT"),
        ] {
            let Some((value, line)) = settings.get(key) else {
                continue;
            };
            let updated = logging::updated_default_action(value, self.ipv6);
            if let Some(updated) = &updated {
                self.notes.push(format!(
                    "{}:{}: {key}={value} is Shorewall 4's; read as `shorewall update` rewrites it, {key}=\"{updated}\" (Shorewall 5.2 no longer has the Drop and Reject actions, nor their silent drops of SMB, UPnP and late DNS replies)",
                    line.file, line.number
                ));
            }
            let value = updated.as_deref().unwrap_or(value);
            let value = if value.is_empty() { "none" } else { value };
            match default_action::read(value, verdict, self.ipv6) {
                Ok(mut read) => {
                    // Each drops what it matches: their order changes nothing.
                    read.actions.sort();
                    lists.insert(verdict, read.actions);
                }
                Err(reason) => self.refuse(line, reason),
            }
        }
        self.conf_default_lists = lists.clone();
        let both = ["Broadcast(DROP)", "Multicast(DROP)"];
        let drops = ["DROP", "REJECT"]
            .iter()
            .all(|verdict| lists.get(verdict).is_some_and(|list| *list == both));
        if drops {
            lists.remove("DROP");
            lists.remove("REJECT");
        }
        lists.retain(|_, list| !list.is_empty());
        for (verdict, list) in &lists {
            let key = format!("{verdict}_DEFAULT");
            if let Some((value, line)) = settings.get(&key) {
                self.notes.push(format!(
                    "{}:{}: {key}=\"{value}\" becomes `default_action = {list:?}` on each {verdict} policy that names no default action of its own",
                    line.file, line.number
                ));
            }
        }
        self.conf_defaults = lists;
        drops
    }

    /// A shorewall.conf value with its variables expanded as Config.pm
    /// expands them while it reads the file: a setting not assigned yet
    /// is empty (`exists $config{NAME}`: every setting is), so
    /// `TCP_FLAGS_LOG_LEVEL=$LOG_LEVEL` above or without a LOG_LEVEL line
    /// is no level.
    fn expand_conf(&self, text: &str) -> String {
        self.substitute(text, true)
    }

    /// Why Config.pm refuses a shorewall.conf (shorewall6.conf) line:
    /// its value (`raw`, as written) names a `$NAME` that neither params,
    /// a setting (`exists $config{NAME}`, set or not) nor shorewallrc
    /// gives, and expand_variables says "Undefined shell variable", unless
    /// the IGNOREUNKNOWNVARIABLES line read before it (`ignoring`) holds
    /// any text but `0` (the setting is still its text there, so `No`
    /// counts); then it puts nothing there. Either way the environment
    /// Shorewall runs in may set it. Config.pm skips the lines of settings
    /// it does not know before it expands them, and leaves a value in
    /// single quotes as written.
    fn conf_unknown_variable(
        &self,
        key: &str,
        raw: &str,
        ignoring: Option<&Line>,
    ) -> Option<String> {
        let raw = raw.split(" #").next().unwrap_or_default().trim();
        // A setting the import notes by name (LOGFILE, RCP_COMMAND) is not
        // carried, whatever its value expands to.
        let noted = setting::find(key).is_some_and(|s| s.verdict == setting::Verdict::Noted);
        if noted
            || setting::ignored_warning(key).is_some()
            || (raw.len() > 1 && raw.starts_with('\'') && raw.ends_with('\''))
        {
            return None;
        }
        // Config.pm get_params sets SW_CONFDIR and SW_LOGGERTAG itself.
        let name = *variables_left(raw).iter().find(|name| {
            !self.vars.contains_key(**name)
                && setting::ignored_warning(name).is_some()
                && !SHOREWALLRC.contains(name)
                && !matches!(**name, "SW_CONFDIR" | "SW_LOGGERTAG")
        })?;
        let effect = match ignoring {
            Some(line) => format!(
                "as {} sets IGNOREUNKNOWNVARIABLES above it (Config.pm reads it as text there, so even `No` counts), Shorewall puts nothing in its place",
                Self::origin(line)
            ),
            None => format!(
                "otherwise Shorewall refuses the line (\"Undefined shell variable (${name})\")"
            ),
        };
        Some(format!(
            "`${name}` is set neither in params nor by a setting: Shorewall takes it from the environment it runs in, where that sets it; {effect}; set it in params or write the value"
        ))
    }

    /// Config.pm reads an unset or empty LOG_LEVEL as info, and `$LOG_LEVEL`
    /// in the other files expands to what it read (Config.pm,
    /// expand_variables takes `$config{LOG_LEVEL}`): the samples' `net all
    /// DROP $LOG_LEVEL` logs at info even with `LOG_LEVEL=""`.
    fn default_log_level(&mut self) {
        let empty = self
            .vars
            .get("LOG_LEVEL")
            .is_none_or(|v| v.trim().is_empty());
        if empty {
            self.vars.insert("LOG_LEVEL".to_owned(), "info".to_owned());
        }
    }

    /// Shorewall6's settings are judged as Shorewall's; the model's
    /// settings are one for both families, so the ones it carries must
    /// come out the same as Shorewall's (`check_ipv6_logging`).
    fn read_conf6(&mut self) {
        for (key, value, number) in self.assignments("shorewall6.conf") {
            let value = self.expand_conf(&value);
            let line = Line {
                file: format!("{}shorewall6.conf", self.label),
                number,
                text: format!("{key}={value}"),
                comment: None,
            };
            match key.as_str() {
                k if LOG_LIMIT_KEYS.contains(&k) || DEFAULT_ACTION_KEYS.contains(&k) => {
                    self.note_superseded(&key, &value, &line);
                    self.logging.insert(key.clone(), (value.clone(), line));
                }
                // IPv4-only: Shorewall6 takes Off or Keep and refuses On.
                "ROUTE_FILTER" | "LOG_MARTIANS"
                    if trivalue(&value.to_ascii_lowercase()) == Some("on") =>
                {
                    self.refuse(
                        &line,
                        format!("Shorewall6 refuses {key}=On: it is an IPv4 setting"),
                    );
                }
                "LOGFORMAT" | "ROUTE_FILTER" | "LOG_MARTIANS" => {
                    push_once(&mut self.settings.noted, &key);
                }
                _ => {
                    self.note_superseded(&key, &value, &line);
                    self.judge_setting(&key, &value, &line);
                }
            }
            if !self.settings.ignored.contains_key(&key) {
                self.vars.insert(key, value);
            }
        }
        self.default_log_level();
        self.carry_logging();
        self.carry_settings();
        self.note_settings("shorewall6.conf");
    }

    /// The model sets logging and helpers for both families: Shorewall6's
    /// settings must carry into the same values; MSS clamping, forwarding,
    /// the log levels and dispositions split into a key per family.
    fn check_ipv6_logging(&mut self, six: &Importer) {
        let (four, six_carried) = (self.carried.clone(), &six.carried);
        if four.0 != six_carried.0 {
            self.refuse_difference(six, &LOG_LIMIT_KEYS, "log_limit");
        }
        if four.1 != six_carried.1 || self.conf_defaults != six.conf_defaults {
            self.refuse_difference(six, &DEFAULT_ACTION_KEYS, "drop_broadcasts");
        }
        let (four, six_carried) = (self.settings.carried.clone(), &six.settings.carried);
        if four.clamp_mss != six_carried.clamp_mss {
            let value = Some(six_carried.clamp_mss.clone());
            self.split_family(six, "CLAMPMSS", "clamp_mss", value);
        }
        if four.ip_forwarding != six_carried.ip_forwarding {
            let value = Some(six_carried.ip_forwarding.into());
            self.split_family(six, "IP_FORWARDING", "ip_forwarding", value);
        }
        if four.conntrack_helpers != six_carried.conntrack_helpers {
            self.refuse_setting_difference(six, "AUTOHELPERS", "conntrack_helpers");
        }
        if four.fast_accept != six_carried.fast_accept {
            self.refuse_setting_difference(six, "FASTACCEPT", "fast_accept");
        }
        if four.blacklist_states != six_carried.blacklist_states {
            self.refuse_setting_difference(six, "BLACKLIST", "blacklist_states");
        }
        if four.stopped_output_open != six_carried.stopped_output_open {
            let key = "ADMINISABSENTMINDED";
            self.refuse_setting_difference(six, key, "stopped_output_open");
        }
        for (n, (key, model_key)) in LOG_LEVEL_KEYS.into_iter().enumerate() {
            if four.log_levels[n] == six_carried.log_levels[n] {
                continue;
            }
            // Each family keeps its own (`smurf_log_ipv4`, `smurf_log_ipv6`, ...).
            let value = six_carried.log_levels[n].as_deref().map(Value::from);
            self.split_family(six, key, model_key, value);
        }
        for (n, key) in DispositionKey::ALL.into_iter().enumerate() {
            if four.dispositions[n] == six_carried.dispositions[n] {
                continue;
            }
            let value = Some(Value::from(six_carried.dispositions[n]));
            self.split_family(six, key.setting(), key.key(), value);
        }
        for note in &six.notes {
            if !self.notes.contains(note) {
                self.notes.push(note.clone());
            }
        }
    }

    /// A setting Shorewall and Shorewall6 give different values, which the
    /// model keeps per family: `model_key_ipv4` from shorewall.conf,
    /// `model_key_ipv6` (`None`: unset, nothing logged) from
    /// shorewall6.conf, after its line.
    fn split_family(&mut self, six: &Importer, key: &str, model_key: &str, value: Option<Value>) {
        let note = match six.settings.modelled.get(key) {
            Some((_, line)) => Self::origin(line),
            None => format!("{}shorewall6.conf: {key} unset", six.label),
        };
        let note = match value {
            Some(_) => note,
            None => format!("{note}: no `{model_key}_ipv6`, IPv6 logs nothing"),
        };
        let firewall = self
            .header
            .iter_mut()
            .find(|table| table.header == Header::Table(vec!["firewall".to_owned()]));
        if let Some(firewall) = firewall {
            firewall.split_family(model_key, value, &[note]);
        }
    }

    fn refuse_setting_difference(&mut self, six: &Importer, key: &str, setting: &str) {
        let line = six
            .settings
            .modelled
            .get(key)
            .or_else(|| self.settings.modelled.get(key));
        let line = line.map(|(_, line)| line.clone()).unwrap_or_else(|| Line {
            file: format!("{}shorewall6.conf", six.label),
            number: 0,
            text: format!("{key} is not set"),
            comment: None,
        });
        let reason = format!(
            "Shorewall's and Shorewall6's {key} differ, and fwgen's `{setting}` is one for both"
        );
        self.refuse(&line, reason);
    }

    /// Refused at Shorewall6's line, or Shorewall's when Shorewall6 leaves
    /// the setting unset.
    fn refuse_difference(&mut self, six: &Importer, keys: &[&str], setting: &str) {
        let find = |settings: &BTreeMap<String, (String, Line)>| {
            keys.iter()
                .find_map(|key| settings.get(*key))
                .map(|(_, line)| line.clone())
        };
        if let Some(line) = find(&six.logging).or_else(|| find(&self.logging)) {
            let reason = format!(
                "Shorewall's and Shorewall6's settings differ here, and fwgen's `{setting}` is one for both"
            );
            self.refuse(&line, reason);
        }
    }

    fn zones(&mut self) {
        let zone_bits = self
            .conf_setting("ZONE_BITS")
            .filter(|bits| !bits.is_empty());
        // Zones.pm process_zone: one firewall zone, and no other zone of
        // its name (two zones of one name are otherwise two tables of one
        // key, refused as the model is read).
        let mut named: BTreeSet<String> = BTreeSet::new();
        let mut firewall_named: Option<String> = None;
        for line in self.lines("zones") {
            let Some(columns) = self.split(&line, ZONE_COLUMNS) else {
                continue;
            };
            let Some(name) = columns.first() else {
                self.refuse(&line, "a zone needs a name");
                continue;
            };
            let bare = name.split_once(':').map_or(name.as_str(), |(bare, _)| bare);
            let is_firewall = columns.get(1).is_some_and(|kind| kind == "firewall");
            let again = !named.insert(bare.to_owned())
                && (is_firewall || firewall_named.as_deref() == Some(bare));
            if again {
                self.refuse(&line, format!("`{bare}` is declared above: Shorewall refuses the line (\"Duplicate zone name ({bare})\")"));
                continue;
            }
            if is_firewall {
                if firewall_named.is_some() {
                    self.refuse(&line, format!("a second firewall zone: Shorewall refuses the line (\"Only one firewall zone may be defined ({bare})\")"));
                    continue;
                }
                firewall_named = Some(bare.to_owned());
            }
            // An empty TYPE is `-` (Config.pm split_line pads the columns
            // a line leaves out), which Zones.pm reads as `ip`.
            let dash = "-".to_owned();
            let kind = columns.get(1).unwrap_or(&dash);
            let (name, parents) = match name.split_once(':') {
                Some((name, parents)) => (name, Some(parents)),
                None => (name.as_str(), None),
            };
            // As Zones.pm reads TYPE: `-` is `ip`, and `ip`, `ipv4`,
            // `ipsec` and `bport` (with a family's digit) in any case.
            let lower = kind.to_ascii_lowercase();
            let kind = match lower.as_str() {
                "-" => "ip".to_owned(),
                k if ["ip", "ipv4", "ipv6"].contains(&k)
                    || k.starts_with("ipsec")
                    || k.starts_with("bport") =>
                {
                    lower.clone()
                }
                _ => kind.clone(),
            };
            // An ipsec zone is refused for its type, options and all.
            let options = match kind.starts_with("ipsec") {
                true => Ok(ZoneOptions::default()),
                false => zone_options(&columns, kind == "firewall", zone_bits.as_deref()),
            };
            let options = match options {
                Ok(options) => options,
                Err(reason) => {
                    self.skip_named(&line, name, reason);
                    continue;
                }
            };
            if kind.starts_with("bport") {
                self.skip_named(&line, name, BPORT_REASON);
                continue;
            }
            let parents = match parents.map(|p| self.zone_parents(p)) {
                Some(Err(reason)) => {
                    self.skip_named(&line, name, reason);
                    continue;
                }
                Some(Ok(parents)) => parents,
                None => Vec::new(),
            };
            match kind.as_str() {
                "firewall" if !parents.is_empty() => {
                    self.skip_named(&line, name, "the firewall zone may not be nested (Shorewall: \"Firewall zone may not be nested\")");
                }
                "firewall" => {
                    self.zone_notes(&line, name, &options);
                    self.firewall = name.to_owned();
                }
                "ipv4" | "ip" if !self.ipv6 => self.zone(&line, name, parents, options),
                "ipv6" | "ip" if self.ipv6 => self.zone(&line, name, parents, options),
                other => self.skip_named(&line, name, zone_type_reason(other, self.ipv6)),
            }
        }
        // The firewall zone's name is known only now: fix the header.
        let zone = (self.header.first_mut()).and_then(|firewall| firewall.get_mut("zone"));
        if let Some(zone) = zone {
            *zone = self.firewall.as_str().into();
        }
    }

    /// The PARENTS part of `zone:PARENT[,PARENT...]`: imported zones.
    fn zone_parents(&self, parents: &str) -> Result<Vec<String>, String> {
        let mut names: Vec<String> = Vec::new();
        for parent in parents.split(',') {
            if parent.is_empty() {
                return Err(format!(
                    "an empty name in the parent list `{parents}` (Shorewall: \"Invalid Parent List\")"
                ));
            }
            if let Some(at) = self.skipped_names.get(parent) {
                return Err(format!(
                    "its parent zone `{parent}` was skipped ({at}), and the nested zone with it"
                ));
            }
            if !self.zones.iter().any(|z| z == parent) {
                return Err(format!(
                    "the parent zone `{parent}` is not declared before it (Shorewall: \"Unknown parent zone\")"
                ));
            }
            if names.iter().any(|n| n == parent) {
                return Err(format!(
                    "the parent zone `{parent}` is named twice in `{parents}`"
                ));
            }
            names.push(parent.to_owned());
        }
        Ok(names)
    }

    /// The notes of a zone's options that have no effect, at its line.
    fn zone_notes(&mut self, line: &Line, name: &str, options: &ZoneOptions) {
        for note in &options.notes {
            let note = format!("{}: zone `{name}` {note}", Self::origin(line));
            self.notes.push(note);
        }
    }

    fn zone(&mut self, line: &Line, name: &str, parents: Vec<String>, options: ZoneOptions) {
        self.zone_notes(line, name, &options);
        if options.blacklist[0] {
            self.blacklists_from(name);
        }
        if options.blacklist[1] && !self.blacklist_out_zones.iter().any(|z| z == name) {
            self.blacklist_out_zones.push(name.to_owned());
        }
        let mut table = Table::at(&["zones", name]);
        match parents.as_slice() {
            [] => {}
            [parent] => table.push("parent", parent),
            several => table.push("parent", Value::strings(several)),
        }
        if !parents.is_empty() {
            self.nested = true;
        }
        table.push_some("description", line.comment.as_ref());
        for (key, size) in options.mss {
            table.push(key, size);
        }
        self.add(Kind::Zone, name, parents, None, line, table);
        self.zones.push(name.to_owned());
    }

    fn interfaces(&mut self) {
        let mut format = 1;
        // Interfaces whose line does not name tcpflags: Shorewall checks TCP
        // flags on them all the same, and the import says so once.
        let mut tcpflags_implied = Vec::new();
        for line in self.lines("interfaces") {
            if let Some(f) = self.format_line(&line) {
                format = f;
                continue;
            }
            let names = if format == 2 {
                INTERFACE_COLUMNS_2
            } else {
                INTERFACE_COLUMNS_1
            };
            let Some(columns) = self.split(&line, names) else {
                continue;
            };
            let options_column = if format == 2 { 2 } else { 3 };
            let (Some(zone), Some(name)) = (columns.first(), columns.get(1)) else {
                self.refuse(&line, "an interface needs a zone and a name");
                continue;
            };
            // The BROADCAST column (Zones.pm process_interface): dotted
            // quads or refused; then, where the kernel has Address Type
            // Match (Shorewall warns so), dropped: Shorewall 5.2.8 uses the
            // addresses only without it, and fwgen's backends, as Shorewall
            // with it, match broadcasts by address type.
            if let Some(broadcast) = columns
                .get(2)
                .filter(|b| format == 1 && *b != "-" && *b != "detect")
            {
                let quad = |a: &str| {
                    let parts: Vec<&str> = a.split('.').collect();
                    parts.len() == 4
                        && (parts.iter())
                            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
                };
                if let Some(bad) = broadcast.split(',').find(|a| !quad(a)) {
                    let reason = format!(
                        "`{bad}` is not a BROADCAST address (Shorewall refuses it: Invalid BROADCAST address)"
                    );
                    self.skip_named(&line, name, reason);
                    continue;
                }
                self.notes.push(format!(
                    "{}:{}: BROADCAST `{broadcast}` of interface {name} has no effect: Shorewall 5.2.8 ignores it where the kernel has Address Type Match (\"Shorewall no longer uses broadcast addresses in rule generation\"), and fwgen's backends match broadcasts by address type as it does",
                    line.file, line.number
                ));
            }
            if zone == "-"
                && name == "lo"
                && columns.get(options_column).is_some_and(|o| o == "ignore")
            {
                // fwgen always accepts loopback, as Shorewall does when told to ignore lo.
                self.notes.push(format!(
                    "{}:{}: `- lo ignore` needs no entry: fwgen always accepts loopback",
                    line.file, line.number
                ));
                continue;
            }
            if let Some(at) = self.skipped_names.get(zone.as_str()) {
                let reason =
                    format!("its zone `{zone}` was skipped ({at}), and the interface with it");
                self.skip_named(&line, name, reason);
                continue;
            }
            if zone != "-" && !self.zones.contains(zone) {
                let reason = format!(
                    "zone `{zone}` is not a zone of the zones file (Shorewall: \"Unknown zone\")"
                );
                self.skip_named(&line, name, reason);
                continue;
            }
            let mut options = Vec::new();
            let mut physical = None;
            let written: Vec<String> = columns
                .get(options_column)
                .filter(|o| *o != "-")
                .map_or(Vec::new(), |o| option_list(o));
            let gives = |flag: &str| written.iter().any(|o| o.split('=').next() == Some(flag));
            let bridge = gives("bridge");
            let tcpflags_written = gives("tcpflags");
            let routeback_given = gives("routeback");
            for (at, option) in written.iter().enumerate() {
                if self.ipv6 && option_verdict::ipv4_alone(option) {
                    let name = option.split('=').next().unwrap_or_default();
                    self.refuse(&line, format!("interface option `{option}`: Shorewall6 refuses it (\"Invalid Interface option ({name})\"): an IPv4 option"));
                    continue;
                }
                // Zones.pm process_interface keeps an option's last value
                // (`$options{$option} = $value`): a form it accepts that
                // the line gives again later decides nothing.
                let name_of = |o: &str| o.split('=').next().unwrap_or(o).to_owned();
                let later = (written[at + 1..].iter()).rfind(|o| name_of(o) == name_of(option));
                if let Some(later) = later.filter(|_| replaceable_option(option)) {
                    self.notes.push(format!(
                        "{}:{}: interface option `{option}` has no effect: the later `{later}` on the line replaces it (Zones.pm keeps an option's last value)",
                        line.file, line.number
                    ));
                    continue;
                }
                if let Some(value) = option.strip_prefix("physical=") {
                    // Zones.pm: a wildcard's physical name is a wildcard.
                    if name.ends_with('+') && !value.ends_with('+') {
                        self.refuse(&line, format!("interface option `{option}`: Shorewall refuses it (\"The type of 'physical' name ({value}) doesn't match the type of interface name ({name})\")"));
                        continue;
                    }
                    physical = Some(value.to_owned());
                    continue;
                }
                // Zones.pm: `bridge` implies routeback only where the line
                // does not give it; fwgen's `bridge` always implies it.
                if bridge && option == "routeback=0" {
                    self.refuse(&line, format!("interface option `{option}` beside `bridge`: Shorewall turns the bridge's routeback off (Zones.pm implies it only where the line does not give it), and fwgen's `bridge` always implies it: drop `{option}` to let traffic leave the bridge it came in on, or `bridge` to keep it from doing so"));
                    continue;
                }
                // Shorewall's binary options that the model holds as flags.
                let option = match option.split_once('=') {
                    Some((flag @ ("routeback" | "arp_filter" | "tcpflags"), "1")) => {
                        flag.to_owned()
                    }
                    Some((name @ ("mss" | "routefilter" | "wait"), value)) => {
                        match interface_number(name, value) {
                            Ok(option) => option,
                            Err(reason) => {
                                self.refuse(
                                    &line,
                                    format!("interface option `{option}`: {reason}"),
                                );
                                continue;
                            }
                        }
                    }
                    _ => option.clone(),
                };
                match option_verdict::verdict(&option) {
                    Some(OptionVerdict::Modelled) if option == "maclist" && self.ipv6 => {
                        self.refuse(&line, format!("interface option `maclist`: {MACLIST_IPV6}"));
                    }
                    Some(OptionVerdict::Modelled) if option == "maclist" => {
                        self.maclisted.get_or_insert_with(|| line.clone());
                        options.push(option.clone());
                    }
                    Some(OptionVerdict::Modelled) if !self.ipv6 && option_verdict::ipv6_alone(&option) => {
                        self.refuse(&line, format!("interface option `{option}`: {FORWARD_IPV4}"));
                    }
                    Some(OptionVerdict::Modelled) => options.push(option.clone()),
                    Some(OptionVerdict::NoEffect(why)) => {
                        // An interface of no zone marks none (Zones.pm:
                        // "ignored on multi-zone interfaces").
                        if option == "blacklist" && zone != "-" {
                            self.blacklists_from(zone);
                        }
                        self.notes.push(format!(
                            "{}:{}: interface option `{option}` has no effect: {why}",
                            line.file, line.number
                        ));
                    }
                    Some(OptionVerdict::Refused(why)) => {
                        self.refuse(&line, format!("interface option `{option}`: {why}"));
                    }
                    // `physical=` is read above.
                    Some(OptionVerdict::Key(_)) | None => self.refuse(
                        &line,
                        format!("interface option `{option}` is not an option of Shorewall 5.2 (shorewall-interfaces(5))"),
                    ),
                }
            }
            // Zones.pm gives every managed interface tcpflags unless its
            // line says `tcpflags=0`; the model's tcpflags is opt-in.
            if !tcpflags_written {
                options.push("tcpflags".to_owned());
                tcpflags_implied.push(name.clone());
            }
            let device = physical.as_deref().unwrap_or(name);
            // Zones.pm: `lo` makes the interface a loopback one, and "Only
            // a loopback zone may be assigned to 'lo'" (a zone type fwgen
            // refuses: it accepts all loopback traffic).
            if device == "lo" && zone != "-" {
                let reason = format!(
                    "zone `{zone}` on the loopback device `lo`: Shorewall refuses it (\"Only a loopback zone may be assigned to 'lo'\"), and fwgen accepts all loopback traffic"
                );
                self.skip_named(&line, name, reason);
                continue;
            }
            self.devices.push((name.clone(), device.to_owned()));
            // Zones.pm: routeback = is_a_bridge(DEVICE) where the line gives
            // no routeback: Shorewall, compiled where bridge-utils' brctl
            // lists the device as a bridge, lets its traffic go back out.
            // fwgen reads the files alone, so it says so of a device that
            // is a bridge here, where the firewall is likely compiled.
            if !routeback_given && !bridge && is_host_bridge(device) {
                self.notes.push(format!(
                    "{}:{}: {device} is a bridge on this host, and the line gives no routeback: Shorewall compiled here with bridge-utils installed turns routeback on for it (Zones.pm is_a_bridge), fwgen does not; write `routeback` or `routeback=0` in the line to say which",
                    line.file, line.number
                ));
            }
            // shorewall-interfaces(5): routefilter on a wildcard "is
            // ignored", and the model has none there. Zones.pm sets no /proc
            // for it, but keeps the option, which keeps the interface out of
            // sfilter (Misc.pm add_common_rules), so what comes in by one of
            // its devices and leaves by another goes on to the zones' rules
            // and policies in Shorewall's compile, where the model's sfilter
            // drops it: refused, unless nothing has an sfilter there anyway
            // (routeback, bridge, ROUTE_FILTER=Yes, the physical name `+`).
            let routefilter = option_given(&options, "routefilter");
            let routeback = bridge || option_given(&options, "routeback");
            let wildcard = device.ends_with('+') && device != "+";
            if wildcard && routefilter && options.iter().any(|o| o == "rpfilter") {
                self.refuse(
                    &line,
                    "interface options `routefilter` and `rpfilter`: Shorewall refuses them together (\"The 'routefilter', 'sfilter' and 'rpfilter' options are mutually exclusive\")",
                );
            } else if wildcard && routefilter && !routeback && !self.settings.carried.route_filter {
                self.refuse(
                    &line,
                    format!("interface option `routefilter` on the wildcard `{device}`: Shorewall's compiler sets nothing in /proc for it (\"ignored when used with a wildcard physical name\", as shorewall-interfaces(5) says), yet keeps {device} out of sfilter (Misc.pm add_common_rules), so what comes in by a {device} device and leaves by another goes on to the zones' rules and policies there, where fwgen's sfilter drops it (logged `sfilter`); drop `routefilter` (Shorewall's sfilter then drops that traffic as fwgen's does)"),
                );
            }
            if device.ends_with('+') {
                // Zones.pm: "The '$option' option is ignored when used with a
                // wildcard physical name" for the options set in /proc.
                let proc = |base: &str| PROC_OPTIONS.contains(&base);
                let why = format!(
                    "on the wildcard `{device}` (it sets them in /proc per named interface)"
                );
                options = self.drop_ignored_options(&line, options, proc, &why);
            }
            if name == "+" {
                // Zones.pm find_interfaces_by_option leaves the interface
                // named `+` out (its `root` is empty): "The '$option' option
                // is ignored when used with interface name '+'". Not `all`
                // with `physical=+` (Shorewall's Universal sample), whose
                // dhcp Shorewall compiles. (rpfilter on `+` fails Shorewall's
                // compile, and the model refuses it.)
                let unfound = |base: &str| matches!(base, "dhcp" | "optional" | "mss");
                let why = "on the interface `+` (\"ignored when used with interface name '+'\")";
                options = self.drop_ignored_options(&line, options, unfound, why);
            }
            // What Shorewall writes in /proc and fwgen's nftables ruleset
            // does not (`fwgen check`: proc-option-not-set), named here.
            if !device.ends_with('+') {
                for option in &options {
                    if let Some(key) = proc_setting(option) {
                        let family = if self.ipv6 { "ipv6" } else { "ipv4" };
                        let product = if self.ipv6 { "Shorewall6" } else { "Shorewall" };
                        let setting = format!("net.{family}.conf.{device}.{key}");
                        self.notes.push(format!(
                            "{}:{}: interface option `{option}` on {device} is carried, but it is a kernel setting: {product} sets {setting} when it starts, fwgen's Shorewall files keep the option, and fwgen's nftables ruleset sets no kernel setting (`fwgen check`: proc-option-not-set): with nftables, set {setting} in /etc/sysctl.d/",
                            line.file, line.number
                        ));
                    }
                }
            }
            if device.ends_with('+') && options.iter().any(|o| o == "bridge") {
                self.refuse(&line, format!("option `bridge` on the wildcard `{device}`: Shorewall refuses it (\"Bridges may not have wildcard names\")"));
                options.retain(|o| o != "bridge");
            }
            // `-`: an interface of no zone; hosts lines zone its addresses.
            let zones = if zone == "-" {
                Vec::new()
            } else {
                vec![zone.clone()]
            };
            let mut table = Table::at(&["interfaces", name]);
            if zone != "-" {
                table.push("zone", zone);
            }
            if !options.is_empty() {
                table.push("options", Value::strings(&options));
            }
            table.push_some("physical", physical.filter(|p| p != name));
            table.push_some("description", line.comment.as_ref());
            self.add(Kind::Interface, name, zones, None, &line, table);
            self.interfaces.push((name.clone(), zone.clone()));
        }
        if !tcpflags_implied.is_empty() {
            self.notes.push(format!(
                "{}interfaces: `tcpflags` added to {}: Shorewall 5.2 checks TCP flags on every interface whose line does not say `tcpflags=0` (Zones.pm)",
                self.label,
                tcpflags_implied.join(", ")
            ));
        }
    }

    /// An interface's options less those Shorewall ignores there (by the
    /// option's name before any `=`), noted by name with `why`.
    fn drop_ignored_options(
        &mut self,
        line: &Line,
        options: Vec<String>,
        ignored: impl Fn(&str) -> bool,
        why: &str,
    ) -> Vec<String> {
        let (dropped, kept): (Vec<String>, Vec<String>) = options
            .into_iter()
            .partition(|o| ignored(o.split('=').next().unwrap_or_default()));
        if !dropped.is_empty() {
            self.notes.push(format!(
                "{}:{}: Shorewall ignores {} {why}, and so does the import",
                line.file,
                line.number,
                dropped.join(", ")
            ));
        }
        kept
    }

    /// shorewall-hosts(5): `ZONE INTERFACE:NETWORK[,NETWORK...] [OPTIONS]`
    /// becomes the zone's `[[zones.ZONE.hosts]]`; `eth0:+bo` names an
    /// ipset, as a rule's `+NAME` is carried to the model, whose
    /// `[[ipset]]` it must name. An exclusion (`eth1:NETS!ADDRS`) is the
    /// entry's `except`. Options, `!+NAME`, ranges, an ipset beside an
    /// exclusion and dynamic zones are refused.
    fn hosts(&mut self) {
        for line in self.lines("hosts") {
            let Some(columns) = self.split(&line, HOSTS_COLUMNS) else {
                continue;
            };
            let (Some(zone), Some(hosts)) = (columns.first(), columns.get(1)) else {
                self.refuse(&line, "a hosts line needs a zone and hosts");
                continue;
            };
            if let Some(at) = self.skipped_names.get(zone.as_str()) {
                let reason = format!("its zone `{zone}` was skipped ({at}), and its hosts with it");
                self.refuse(&line, reason);
                continue;
            }
            let options = columns.get(2).filter(|o| *o != "-");
            let keys = match options {
                Some(options) => self.host_options(&line, options),
                None => Some(Vec::new()),
            };
            let Some(keys) = keys else {
                self.drop_empty_zone(zone, &line);
                continue;
            };
            if options.is_some_and(|o| o.split(',').any(|o| o == "blacklist")) {
                self.blacklists_from(zone);
            }
            let hosts = match self.ipv6 {
                true => match shorewall6_hosts(hosts) {
                    Ok(hosts) => hosts,
                    Err(reason) => {
                        self.refuse(&line, reason);
                        self.drop_empty_zone(zone, &line);
                        continue;
                    }
                },
                false => hosts.clone(),
            };
            let (hosts, except) = match self.host_exclusion(&hosts) {
                Ok(split) => split,
                Err(reason) => {
                    self.refuse(&line, reason);
                    self.drop_empty_zone(zone, &line);
                    continue;
                }
            };
            match self.host_networks(&hosts) {
                Ok((_, networks))
                    if !except.is_empty() && networks.iter().any(|n| n.starts_with('+')) =>
                {
                    let reason = format!(
                        "hosts `{hosts}`: an ipset with an exclusion is not in fwgen's model: a zone's hosts are the set's members, whatever it holds"
                    );
                    self.refuse(&line, reason);
                    self.drop_empty_zone(zone, &line);
                }
                Ok((interface, networks)) if !except.is_empty() => {
                    if let Err(reason) = exclusion_holds(&networks, &except) {
                        self.refuse(&line, format!("hosts `{hosts}`: {reason}"));
                        self.drop_empty_zone(zone, &line);
                        continue;
                    }
                    let entry = HostsEntry {
                        zone,
                        interface: &interface,
                        networks: &networks,
                        except: &except,
                    };
                    self.hosts_entry(&line, entry, &keys);
                }
                Ok((interface, networks)) => {
                    // `eth0:10.0.0.0/8,+bo,+pri`: a hosts entry per set
                    // (the model's entry names one set alone), the
                    // networks in one more.
                    let (sets, networks): (Vec<String>, Vec<String>) =
                        networks.into_iter().partition(|n| n.starts_with('+'));
                    if !networks.is_empty() {
                        let entry = HostsEntry {
                            zone,
                            interface: &interface,
                            networks: &networks,
                            except: &[],
                        };
                        self.hosts_entry(&line, entry, &keys);
                    }
                    for set in sets {
                        self.declare_ipset(&set[1..], &line);
                        let entry = HostsEntry {
                            zone,
                            interface: &interface,
                            networks: &[set],
                            except: &[],
                        };
                        self.hosts_entry(&line, entry, &keys);
                    }
                }
                Err(reason) => {
                    self.refuse(&line, reason);
                    self.drop_empty_zone(zone, &line);
                }
            }
        }
    }

    /// Zones.pm marks a zone with the `blacklist` option of an interface
    /// or hosts line alike; `shorewall update` converts a legacy blacklist
    /// file's `src` lines for each zone so marked.
    fn blacklists_from(&mut self, zone: &str) {
        if !self.blacklist_zones.iter().any(|z| z == zone) {
            self.blacklist_zones.push(zone.to_owned());
        }
    }

    /// Each option of a hosts line gets its verdict: a key of the hosts
    /// entry (`destonly`), noted when it has no effect, else refused at the
    /// line. The keys to set, or `None` when the line may not be carried.
    fn host_options(&mut self, line: &Line, options: &str) -> Option<Vec<&'static str>> {
        let mut carried = true;
        let mut keys = Vec::new();
        for option in options.split(',') {
            match option_verdict::host_verdict(option, self.ipv6) {
                Some(OptionVerdict::Key(key)) if keys.contains(&key) => {}
                Some(OptionVerdict::Key(key)) => keys.push(key),
                Some(OptionVerdict::NoEffect(why)) => self.notes.push(format!(
                    "{}:{}: hosts option `{option}` has no effect: {why}",
                    line.file, line.number
                )),
                Some(OptionVerdict::Refused(why)) => {
                    self.refuse(line, format!("hosts option `{option}`: {why}"));
                    carried = false;
                }
                Some(OptionVerdict::Modelled) | None => {
                    let product = if self.ipv6 { "Shorewall6" } else { "Shorewall" };
                    self.refuse(
                        line,
                        format!("hosts option `{option}`: {product} refuses it (\"Invalid option ({option})\"): not an option of its hosts lines (shorewall-hosts(5), Zones.pm %validhostoptions)"),
                    );
                    carried = false;
                }
            }
        }
        carried.then_some(keys)
    }

    /// `eth0:10.8.0.0/24,10.8.1.1` (Shorewall6: `eth0:[2001:db8::/64]`).
    fn host_networks(&self, hosts: &str) -> Result<(String, Vec<String>), String> {
        let Some((interface, list)) = hosts.split_once(':') else {
            return Err(format!(
                "hosts `{hosts}` name no networks (INTERFACE:NETWORK,...)"
            ));
        };
        // Zones.pm process_host: `^([\w.@%-]+\+?):`, so `+` alone (every
        // interface) takes no hosts.
        let name_chars = interface.strip_suffix('+').unwrap_or(interface);
        if name_chars.is_empty()
            || !(name_chars.chars()).all(|c| c.is_ascii_alphanumeric() || "_.@%-".contains(c))
        {
            return Err(format!(
                "hosts `{hosts}`: Shorewall refuses it (\"Invalid HOST(S) column contents\"; Zones.pm process_host takes an interface's name, `[\\w.@%-]+` with an optional `+`, before the colon)"
            ));
        }
        // Zones.pm process_host refuses a list that begins with an ipset
        // unless it is that set alone ("Invalid ipset name").
        if list.trim_start_matches('!').starts_with('+') {
            let name = list.trim_start_matches('!')[1..].to_owned();
            let alone = name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !alone && !name.contains(['[', ']']) {
                return Err(format!(
                    "hosts `{hosts}`: Shorewall refuses a list that begins with an ipset (\"Invalid ipset name ({list})\"; Zones.pm process_host takes `+NAME` alone there): write the networks first, or a hosts line for each set"
                ));
            }
        }
        // By its logical name, or its device (`physical=`), as Zones.pm
        // knows both (it keys %interfaces by each).
        let interface = if self.interfaces.iter().any(|(name, _)| name == interface) {
            interface
        } else if let Some((name, _)) = self.devices.iter().find(|(_, device)| device == interface)
        {
            name.as_str()
        } else {
            return Err(format!(
                "the hosts' interface `{interface}` is not an imported interface"
            ));
        };
        // Zones.pm process_host: "Only a loopback zone may be associated
        // with the loopback interface" (Shorewall compiles it in IPv4's
        // first branch all the same, sending the firewall's loopback
        // traffic to the zone; fwgen accepts all loopback traffic).
        let device = (self.devices.iter())
            .find(|(name, _)| name == interface)
            .map_or(interface, |(_, device)| device.as_str());
        if device == "lo" {
            return Err(format!(
                "hosts `{hosts}` on the loopback device `lo`: Shorewall sends the firewall's own traffic to those addresses through the zone's chains (lo_in, lo_out; Shorewall6 refuses it: \"Only a loopback zone may be associated with the loopback interface\"), and fwgen accepts all loopback traffic"
            ));
        }
        if !self.ipv6
            && let Some(reason) = self.bracket_problem(hosts)
        {
            return Err(format!("hosts {reason}"));
        }
        if let Some(reason) = ipset_form_problem(list) {
            return Err(format!("hosts {reason}"));
        }
        let mut networks = Vec::new();
        for item in list.split(',') {
            // Shorewall6's `[ADDRESS]/N` is `ADDRESS/N` (Zones.pm
            // process_host takes it; review-257).
            let prefixed = (item.strip_prefix('[').and_then(|i| i.split_once("]/")))
                .filter(|(_, bits)| {
                    self.ipv6 && !bits.is_empty() && bits.bytes().all(|b| b.is_ascii_digit())
                })
                .map(|(address, bits)| format!("{address}/{bits}"));
            let item = prefixed.as_deref().unwrap_or(item);
            let item = item
                .strip_prefix('[')
                .and_then(|i| i.strip_suffix(']'))
                .or_else(|| item.strip_prefix('<').and_then(|i| i.strip_suffix('>')))
                .unwrap_or(item);
            // `+bo`: an ipset, resolved by the model's analyzer (which
            // refuses a set of another family; flags are refused above).
            let set = item.starts_with('+') && !item.contains('!');
            let refused = item.is_empty()
                || (item.starts_with(['+', '!', '&', '%', '^']) && !set)
                || item == "dynamic"
                || item.contains('!')
                || (!set && item.contains('-') && !item.contains(':'));
            if refused {
                return Err(format!(
                    "hosts `{item}`: dynamic zones, ranges and `!+NAME` are not in fwgen's model"
                ));
            }
            networks.push(item.to_owned());
        }
        Ok((interface.to_owned(), networks))
    }

    /// shorewall-exclusion(5) in a hosts list: `eth1:NETS!ADDRS` becomes
    /// `eth1:NETS` and the addresses left out; `eth1:!ADDRS` leaves them
    /// out of every address (Zones.pm writes ALLIP before the `!`).
    fn host_exclusion(&self, hosts: &str) -> Result<(String, Vec<String>), String> {
        let Some((taken, left_out)) = hosts.split_once('!') else {
            return Ok((hosts.to_owned(), Vec::new()));
        };
        if left_out.contains('!') || taken.ends_with(',') {
            return Err(format!(
                "hosts `{hosts}`: Shorewall refuses it (\"Only one exclusion allowed in a host list\", \"Invalid hosts list\")"
            ));
        }
        let taken = match taken.ends_with(':') {
            true if self.ipv6 => format!("{taken}::/0"),
            true => format!("{taken}0.0.0.0/0"),
            false => taken.to_owned(),
        };
        let except = excluded_addresses(left_out).map_err(|(item, why)| {
            format!(
                "hosts `{hosts}`: `{item}` is no address or network ({why}); fwgen's hosts leave out addresses and networks alone (no range, ipset or dynamic zone after the `!`)"
            )
        })?;
        Ok((taken, except))
    }

    fn hosts_entry(&mut self, line: &Line, entry: HostsEntry, keys: &[&str]) {
        let HostsEntry {
            zone,
            interface,
            networks,
            except,
        } = entry;
        self.hosts_take_interface(line, zone, interface, networks);
        let mut table = Table::array(&["zones", zone, "hosts"]);
        table.push("interface", interface);
        table.push("networks", Value::strings(networks));
        if !except.is_empty() {
            table.push("except", Value::strings(except));
        }
        for flag in keys {
            table.push(flag, true);
        }
        if let Some(comment) = &line.comment {
            table.comment(comment);
        }
        self.add(Kind::Hosts, zone, vec![zone.to_owned()], None, line, table);
    }

    /// A hosts entry of every address on an interface of no zone gives the
    /// interface its zone (Zones.pm add_group_to_zone), and Shorewall then
    /// applies none of the interface's own `maclist`, `nosmurfs` and
    /// `tcpflags` (find_hosts_by_option takes an interface's option only
    /// while it has no zone): those the interface has, written or given by
    /// Shorewall's default (`tcpflags`), are left out and named, as having
    /// no effect. The model refuses them there (`hosts-take-interface`).
    fn hosts_take_interface(
        &mut self,
        line: &Line,
        zone: &str,
        interface: &str,
        networks: &[String],
    ) {
        let zoneless = (self.interfaces.iter()).any(|(name, z)| name == interface && z == "-");
        let whole = networks.iter().find(|n| {
            n.parse::<ipnet::IpNet>()
                .is_ok_and(|net| net.prefix_len() == 0)
        });
        let (true, Some(whole)) = (zoneless, whole) else {
            return;
        };
        let Some(entry) = (self.entries.iter_mut())
            .find(|e| e.kind == Kind::Interface && e.name == interface && !e.dropped)
        else {
            return;
        };
        let Some(Value::Array(options)) = entry.table.get_mut("options") else {
            return;
        };
        let lost = ["maclist", "nosmurfs", "tcpflags"];
        let left_out: Vec<String> = (options.iter())
            .filter_map(Value::as_str)
            .filter(|o| lost.contains(o))
            .map(|o| format!("`{o}`"))
            .collect();
        options.retain(|o| !o.as_str().is_some_and(|o| lost.contains(&o)));
        if options.is_empty() {
            entry.table.remove("options");
        }
        if left_out.is_empty() {
            return;
        }
        // As written: Shorewall6's hosts bracket an address (`eth1:[::/0]`).
        let whole = match whole.contains(':') {
            true => format!("[{whole}]"),
            false => whole.clone(),
        };
        let note = format!(
            "{} of interface {interface} left out, having no effect: this entry `{zone} {interface}:{whole}` gives {interface} zone {zone}, and Shorewall applies an interface's maclist, nosmurfs and tcpflags only while it has no zone (Zones.pm find_hosts_by_option)",
            left_out.join(", ")
        );
        self.note_at(line, [note]);
    }

    /// Notes at a line of a Shorewall file, each prefixed `FILE:LINE: `.
    fn note_at(&mut self, line: &Line, notes: impl IntoIterator<Item = String>) {
        for note in notes {
            self.notes
                .push(format!("{}:{}: {note}", line.file, line.number));
        }
    }

    /// A zone no interface names matches no packet, in Shorewall (which
    /// warns "EMPTY ZONE") as in fwgen: kept, and said.
    fn note_empty_zones(&mut self) {
        let hosts: Vec<String> = (self.entries.iter())
            .filter(|e| e.kind == Kind::Hosts)
            .map(|e| e.name.clone())
            .collect();
        for entry in self.entries.iter().filter(|e| e.kind == Kind::Zone) {
            if !self.interfaces.iter().any(|(_, zone)| *zone == entry.name)
                && !hosts.contains(&entry.name)
            {
                self.notes.push(format!(
                    "{}:{}: zone `{}` has no interface: it matches no packet (Shorewall warns: \"{} is an EMPTY ZONE\")",
                    entry.line.file, entry.line.number, entry.name, entry.name
                ));
            }
        }
    }

    /// A nested zone none of whose interfaces (its own or its hosts') is one
    /// of a parent's, or related to one as Zones.pm's `interface_match` has
    /// it: a parent's wildcard relates to a child's name (or wildcard)
    /// starting with its root; only when the parent's is no wildcard does a
    /// child's wildcard relate to a parent's name starting with its root (so
    /// a parent's `eth1+` and a child's `eth+` are unrelated). Shorewall
    /// compiles it with a warning that fwgen's Shorewall files repeat.
    /// Kept, and said in its words.
    fn note_unshared_parents(&mut self) {
        let interfaces = |zone: &str| -> Vec<String> {
            let hosts = (self.entries.iter())
                .filter(|e| e.kind == Kind::Hosts && e.name == zone)
                .filter_map(|e| e.table.get("interface").and_then(|i| i.as_str()));
            (self.interfaces.iter())
                .filter(|(_, z)| z == zone)
                .map(|(interface, _)| interface.as_str())
                .chain(hosts)
                .map(str::to_owned)
                .collect()
        };
        let related = |parent: &str, child: &str| {
            parent == child
                || match (parent.strip_suffix('+'), child.strip_suffix('+')) {
                    (Some(root), _) => child.starts_with(root),
                    (None, Some(root)) => parent.starts_with(root),
                    (None, None) => false,
                }
        };
        let mut notes = Vec::new();
        for zone in self.entries.iter().filter(|e| e.kind == Kind::Zone) {
            let own = interfaces(&zone.name);
            for parent in &zone.zones {
                let theirs = interfaces(parent);
                if !theirs.iter().any(|p| own.iter().any(|c| related(p, c))) {
                    notes.push(format!(
                        "{}:{}: zone `{}` is nested in `{parent}` and shares no interface with it: the nesting is kept (Shorewall warns: \"Zone {} is defined as a sub-zone of {parent}, yet the two zones have no interface in common\")",
                        zone.line.file, zone.line.number, zone.name, zone.name
                    ));
                }
            }
        }
        self.notes.extend(notes);
    }

    /// A zone whose interfaces all went while the model was loaded (their
    /// entries refused there) matches no packet either: said, as
    /// [`Self::note_empty_zones`] says it of one that never had any.
    fn note_emptied_zones(&mut self) {
        let kept = |entry: &Entry, zone: &str| match entry.kind {
            Kind::Hosts => entry.name == zone,
            Kind::Interface => entry.table.get("zone").and_then(|z| z.as_str()) == Some(zone),
            _ => false,
        };
        let mut notes = Vec::new();
        for zone in self.entries.iter().filter(|e| e.kind == Kind::Zone) {
            let had = self.interfaces.iter().any(|(_, z)| *z == zone.name)
                || (self.entries.iter()).any(|e| e.kind == Kind::Hosts && e.name == zone.name);
            if had && !self.entries.iter().any(|e| kept(e, &zone.name)) {
                notes.push(format!(
                    "{}:{}: zone `{}` has no interface: it matches no packet, each of its interfaces skipped above (Shorewall warns: \"{} is an EMPTY ZONE\")",
                    zone.line.file, zone.line.number, zone.name, zone.name
                ));
            }
        }
        self.notes.extend(notes);
    }

    /// The zone's entry, taken out of the model, when it has neither an
    /// interface nor hosts left (and was not skipped already).
    fn take_memberless_zone(&mut self, zone: &str) -> Option<Entry> {
        let has_hosts = (self.entries.iter()).any(|e| e.kind == Kind::Hosts && e.name == zone);
        if self.interfaces.iter().any(|(_, z)| z == zone)
            || has_hosts
            || self.skipped_names.contains_key(zone)
        {
            return None;
        }
        let index = (self.entries.iter()).position(|e| e.kind == Kind::Zone && e.name == zone)?;
        Some(self.entries.remove(index))
    }

    /// A zone whose only members were on a skipped hosts line has none:
    /// it goes too (Shorewall would warn of an empty zone), and what names
    /// it goes with it, each saying so.
    fn drop_empty_zone(&mut self, zone: &str, hosts: &Line) {
        let Some(entry) = self.take_memberless_zone(zone) else {
            return;
        };
        let at = format!("{}:{}", hosts.file, hosts.number);
        self.refuse(
            &entry.line,
            format!(
                "zone `{zone}` has no interface, and no members once its hosts ({at}) are skipped"
            ),
        );
        self.skipped_names.insert(zone.to_owned(), at);
    }

    fn zone_name(&self, text: &str) -> String {
        if text == self.firewall {
            "$FW".to_owned()
        } else {
            text.to_owned()
        }
    }

    fn policies(&mut self) {
        let syn_limited = self.rule_sections().new_header;
        let mut wildcard = None;
        // Each wildcard pair as first written, and where.
        let mut spelled: BTreeMap<(String, String), ([String; 2], String)> = BTreeMap::new();
        for line in self.lines("policy") {
            let Some(columns) = self.split(&line, POLICY_COLUMNS) else {
                continue;
            };
            let (Some(source), Some(dest), Some(policy)) =
                (columns.first(), columns.get(1), columns.get(2))
            else {
                self.refuse(&line, "a policy needs SOURCE, DEST and POLICY");
                continue;
            };
            if let Some(item) = dest.split(',').find(|item| all_unanchored(item)) {
                self.refuse(&line, format!("DEST `{item}` begins with `all`, and Shorewall reads it as `all` (Rules.pm's pattern for a DEST wildcard, `^all(\\+)?(?:!(.+))?`, has no end anchor): the policy would decide every zone's traffic from its SOURCE; rename the zone, or write `all`"));
                continue;
            }
            let mut wildcards = Vec::new();
            let [source, dest] = [source, dest].map(|side| match policy_wildcard(side) {
                Some(all) => {
                    wildcards.push(format!("`{side}` is `{all}`: Shorewall reads a policy's zone wildcard lowercased, the zones it leaves out too (Rules.pm process_a_policy1)"));
                    all
                }
                None => side.clone(),
            });
            let (source, dest) = (&source, &dest);
            if !wildcards.is_empty() || [source, dest].iter().any(|side| side.starts_with("all")) {
                // Rules.pm names a policy's chain by the zones as written
                // (`ALL2net`) and finds a duplicate by that name: a second
                // spelling of one wildcard pair is compiled, and the first
                // has set every pair it covers (set_policy_chain).
                let written = [&columns[0], &columns[1]].map(|c| c.to_owned());
                let pair = (source.clone(), dest.clone());
                match spelled.get(&pair) {
                    Some((first, at)) if *first != written => {
                        self.notes.push(format!(
                            "{}:{}: the policy `{} {} {policy}` has no effect: the policy at {at} (`{} {}`) already decides every pair it names, and Shorewall, naming their chains as written, compiles both; left out",
                            line.file, line.number, written[0], written[1], first[0], first[1]
                        ));
                        continue;
                    }
                    Some(_) => {}
                    None => {
                        spelled.insert(pair, (written, format!("{}:{}", line.file, line.number)));
                    }
                }
            }
            self.note_at(&line, wildcards);
            let mut limit_notes = Vec::new();
            let connlimit = match columns.get(5).filter(|c| *c != "-" && !c.is_empty()) {
                None => Vec::new(),
                Some(text) if text.trim_start_matches("d:").starts_with('!') => {
                    self.refuse(&line, format!("CONNLIMIT `{text}` on a policy: Shorewall refuses `!` there (\"Invalid CONNLIMIT\")"));
                    continue;
                }
                Some(text) if [source, dest].iter().any(|side| side.contains([',', '!'])) => {
                    self.refuse(&line, format!("CONNLIMIT `{text}` on a zone list or an exclusion: Shorewall counts the connections apart for each policy chain it makes of them, fwgen for each entry (write one entry per zone)"));
                    continue;
                }
                Some(text) => match super::limits::connlimit_keys(text, &mut limit_notes) {
                    Ok(keys) => keys,
                    Err(reason) => {
                        self.refuse(&line, reason);
                        continue;
                    }
                },
            };
            let rate = match columns.get(4).filter(|r| *r != "-" && !r.is_empty()) {
                None => Vec::new(),
                Some(text) => match super::limits::rate_keys(text, &mut limit_notes) {
                    Ok(keys) if keys.iter().any(|(key, _)| *key == "rate_table") => {
                        self.refuse(&line, format!("RATE `{text}` names a hashlimit table: fwgen's policies keep their own buckets"));
                        continue;
                    }
                    Ok(_) if [source, dest].iter().any(|side| side.contains([',', '!'])) => {
                        self.refuse(&line, format!("RATE `{text}` on a zone list or an exclusion: Shorewall counts one rate for each policy chain it makes of them, fwgen one for each entry (write one entry per zone)"));
                        continue;
                    }
                    Ok(keys) => keys,
                    Err(reason) => {
                        self.refuse(&line, reason);
                        continue;
                    }
                },
            };
            self.note_at(&line, limit_notes);
            let (rate, connlimit) = match (rate, connlimit) {
                (rate, connlimit) if syn_limited || (rate.is_empty() && connlimit.is_empty()) => {
                    (rate, connlimit)
                }
                _ => {
                    let given = [("RATE", 4), ("CONNLIMIT", 5)]
                        .iter()
                        .filter_map(|&(name, at)| {
                            let text = columns.get(at).filter(|c| *c != "-" && !c.is_empty())?;
                            Some(format!("{name} `{text}`"))
                        })
                        .collect::<Vec<_>>();
                    let (has, is) = match given.len() {
                        1 => ("has", "is"),
                        _ => ("have", "are"),
                    };
                    self.notes.push(format!(
                        "{}:{}: {} {has} no effect and {is} not carried: Shorewall gives a policy's limits their jump (`-p tcp --syn`) only when the rules file has a `?SECTION NEW` line (Rules.pm finish_chain_section, under `$sections{{NEW}}`, which process_section alone sets), and {}rules has none; to limit new connections, write `?SECTION NEW` above the rules file's NEW rules and import again",
                        line.file,
                        line.number,
                        given.join(" and "),
                        self.label
                    ));
                    (Vec::new(), Vec::new())
                }
            };
            // `DROP:audit` (Rules.pm strips `:audit` first): `audit = true`.
            let (policy, audit) = match policy.strip_suffix(":audit") {
                Some(plain) => (plain, true),
                None => (policy.as_str(), false),
            };
            let (policy, defaults) = match policy.split_once(':') {
                Some((policy, defaults)) => (policy, Some(defaults)),
                None => (policy, None),
            };
            if !matches!(policy, "ACCEPT" | "DROP" | "REJECT" | "CONTINUE") {
                self.refuse(&line, format!("policy `{policy}` is not in fwgen's model"));
                continue;
            }
            if audit && policy == "CONTINUE" {
                self.refuse(
                    &line,
                    "a CONTINUE policy may not be audited (Rules.pm: ACCEPT, DROP and REJECT only)",
                );
                continue;
            }
            let defaults = match defaults.map(|d| self.policy_defaults(d, policy)) {
                Some(Ok(read)) => {
                    self.note_at(&line, read.note);
                    Some(read.actions)
                }
                Some(Err(reason)) => {
                    self.refuse(&line, reason);
                    continue;
                }
                None => self.conf_defaults.get(policy).cloned(),
            };
            // `CONTINUE:none`: plain CONTINUE, which has no default actions.
            let defaults = defaults.filter(|_| policy != "CONTINUE");
            let level = (columns.get(3))
                .filter(|l| *l != "-" && !logging::no_log(l))
                .map(|l| logging::level_as_read(l));
            self.policy_lines.push(PolicyLine {
                source: source.clone(),
                dest: dest.clone(),
                action: policy.to_owned(),
                level: level.and_then(validated_level),
            });
            let firewall = |zone: &str| self.zone_name(zone) == "$FW";
            if audit && firewall(source) && firewall(dest) {
                self.refuse(&line, "an audited policy of the firewall's traffic to itself: fwgen accepts that traffic by its loopback rule, unaudited");
                continue;
            }
            if firewall(source)
                && firewall(dest)
                && policy == "ACCEPT"
                && level.is_none()
                && defaults.as_ref().is_none_or(Vec::is_empty)
            {
                // Shorewall compiles it into a fw-fw chain that accepts
                // every packet `OUTPUT -o lo` sends it: what fwgen's
                // loopback accept does without it. Logged or with default
                // actions it is more, and the model refuses it.
                self.notes.push(format!(
                    "{}:{}: the policy `{source} {dest} ACCEPT` accepts the firewall's traffic to itself, which fwgen accepts anyway (loopback): no entry is written for it",
                    line.file, line.number
                ));
                continue;
            }
            let bare = level.is_none()
                && defaults.as_ref().is_none_or(Vec::is_empty)
                && rate.is_empty()
                && connlimit.is_empty();
            let unchained = bare.then(|| self.optimize_unchained(policy)).flatten();
            let mut table = Table::array(&["policy"]);
            table.push("source", self.zone_name(source));
            table.push("dest", self.zone_name(dest));
            table.push("action", policy);
            if let Some(defaults) = defaults {
                let list = defaults.into_iter().map(Value::String).collect();
                table.push("default_action", Value::Array(list));
            }
            table.push_some("log", level);
            push_audit(&mut table, audit);
            for (key, value) in rate.into_iter().chain(connlimit) {
                table.push(key, value);
            }
            table.push_some("comment", line.comment.as_ref());
            let zones = self.named_zones(&[source.as_str(), dest.as_str()]);
            self.add(Kind::Policy, "", zones, None, &line, table);
            if let Some(reason) = unchained {
                let policy = self.policy_lines.len() - 1;
                self.unchained
                    .push((self.entries.len() - 1, policy, reason));
            }
            if source.starts_with("all") || dest.starts_with("all") {
                wildcard.get_or_insert(line);
            }
        }
        self.judge_expand_policies(wildcard);
    }

    /// EXPAND_POLICIES=No (Config.pm's default, unset or empty): Shorewall
    /// 5.2.8 compiles a policy naming `all` into one shared chain that
    /// zone pairs without rules jump to, without the ESTABLISHED,RELATED
    /// accept and with every interface's option rules, where
    /// shorewall.conf(5) says only chain names differ. Written No: refused
    /// at the first such policy. Unset in the directory's own
    /// shorewall.conf (a Shorewall 4 file, as `shorewall update` reads it,
    /// writing Yes): said there. fwgen renders the manual's meaning.
    fn judge_expand_policies(&mut self, wildcard: Option<Line>) {
        let Some(line) = wildcard else {
            return;
        };
        let conf = self.conf_name();
        let what = "Shorewall 5.2.8 then compiles this policy into one shared chain that zone pairs without rules jump to, without the ESTABLISHED,RELATED accept and with every interface's option rules, unlike shorewall.conf(5) (only chain names differ); fwgen renders the manual's meaning, what EXPAND_POLICIES=Yes compiles";
        match self.conf_setting("EXPAND_POLICIES").as_deref() {
            Some("" | "no") => self.refuse(
                &line,
                format!("EXPAND_POLICIES=No in {}{conf}: {what}. Set EXPAND_POLICIES=Yes (Shorewall's samples and `shorewall update` write it), check the firewall still does what you want, and import again", self.label),
            ),
            None if self.has_own_conf() => self.notes.push(format!(
                "{}:{}: EXPAND_POLICIES is not set in {}{conf}, which Shorewall 5.2.8 reads as No: {what} (`shorewall update` writes Yes): set it, or compare with `fwgen verify --against`",
                line.file, line.number, self.label
            )),
            // Yes is what fwgen renders; unset beside no shorewall.conf of
            // the directory's own is the shipped file's Yes.
            Some("yes") | None => {}
            Some(other) => self.refuse(
                &line,
                format!("EXPAND_POLICIES={other} in {}{conf} is not Yes or No (Shorewall refuses it)", self.label),
            ),
        }
    }

    /// A setting of the directory's shorewall.conf (or shorewall6.conf), in
    /// lower case, its quotes read as Config.pm reads them ([`assignment`]);
    /// `None` when the file does not set it.
    fn conf_setting(&self, key: &str) -> Option<String> {
        let value = self.vars.get(key)?;
        Some(value.trim().to_ascii_lowercase())
    }

    /// Whether the directory has its own shorewall.conf (shorewall6.conf):
    /// without one, Shorewall reads the shipped file along CONFIG_PATH.
    fn has_own_conf(&self) -> bool {
        matches!(self.directory.bytes(self.conf_name()), Ok(Some(_)))
    }

    /// [`bracket_problem`] in Shorewall6's files, where brackets hold an
    /// address; in IPv4's they hold an ipset's flags alone, and Shorewall
    /// refuses any other ([`ipv4_bracket`]).
    fn bracket_problem(&self, text: &str) -> Option<String> {
        match self.ipv6 {
            true => bracket_problem(text),
            false => ipv4_bracket(text).then(|| format!(
                "`{text}`: Shorewall refuses a bracketed address in its IPv4 files (\"Unknown Host\", or \"Invalid IP address\" before a /PREFIX): brackets hold an IPv6 address in Shorewall6's files, and an ipset's flags after `+NAME`; write the address without them"
            )),
        }
    }

    /// `zone`, `zone:addr,...`, `$FW`, `all`, with Shorewall6's brackets
    /// removed; refused where something follows a bracketed address that
    /// Shorewall6 refuses ([`bracket_problem`]), as removing the brackets
    /// would glue it to the address (`[2001:db8::5]:80` is not
    /// `2001:db8::5:80`), and where an ipset has flags (`+NAME[dst]`),
    /// which removing the brackets would glue to its name.
    fn endpoint(&self, text: &str) -> Result<String, String> {
        if let Some(reason) = ipset_form_problem(text) {
            return Err(reason);
        }
        if let Some(reason) = self.bracket_problem(text) {
            return Err(reason);
        }
        let text = text.replace(['[', ']', '<', '>'], "");
        Ok(match text.split_once(':') {
            Some((zone, addresses)) => {
                let addresses = match self.ipv6 {
                    true => mac_dashes(addresses),
                    false => addresses.to_owned(),
                };
                format!("{}:{addresses}", self.zone_name(zone))
            }
            None => self.zone_name(&text),
        })
    }

    /// `?FORMAT N`, or Shorewall 4's bare `FORMAT N`, which `shorewall
    /// update` rewrites as `?FORMAT N`.
    fn format_line(&mut self, line: &Line) -> Option<u32> {
        let (directive, rest) = line.text.split_once(char::is_whitespace)?;
        let format = rest.trim().parse().ok()?;
        match directive {
            "?FORMAT" => Some(format),
            "FORMAT" => {
                self.notes.push(format!("{}:{}: Shorewall 4's bare `FORMAT {format}` is read as `?FORMAT {format}`, as `shorewall update` rewrites it", line.file, line.number));
                Some(format)
            }
            _ => None,
        }
    }

    /// `?SECTION NAME`, or Shorewall 4's bare `SECTION NAME`, which
    /// `shorewall update` rewrites as `?SECTION NAME`.
    fn section_line(&mut self, line: &Line) -> Option<String> {
        let (directive, name) = line.text.split_once(char::is_whitespace)?;
        let name = name.trim().to_owned();
        match directive {
            "?SECTION" => Some(name),
            "SECTION" if SECTIONS.contains(&name.as_str()) => {
                self.notes.push(format!("{}:{}: Shorewall 4's bare `SECTION {name}` is read as `?SECTION {name}`, as `shorewall update` rewrites it", line.file, line.number));
                Some(name)
            }
            _ => None,
        }
    }

    fn rules(&mut self) {
        self.site_action_files = self.site_action_names();
        // Rules.pm looks a rule's target up among the actions (`%targets`:
        // actions.std's and the actions file's) before it looks for a
        // macro (find_macro): a site macro of an action's name is never
        // read.
        let (shadowed, macros): (Vec<String>, Vec<String>) =
            self.site_macro_names().into_iter().partition(|name| {
                site_action::STOCK_ACTIONS.contains(&name.as_str())
                    || self.site_action_files.contains(name)
            });
        self.site_macro_files = macros;
        for name in shadowed {
            let action = if self.site_action_files.contains(&name) {
                format!("the site's action `{name}` (its actions file)")
            } else {
                format!("Shorewall's stock action `{name}` (actions.std)")
            };
            self.notes.push(format!(
                "{}macro.{name}: no effect: a rule calling `{name}` calls {action}, as Rules.pm looks a target up among the actions before it looks for a macro",
                self.label
            ));
            self.shadowed_macros.insert(name);
        }
        // The last rule in ALL, ESTABLISHED or RELATED: Shorewall never
        // finishes that section, so no zone pair's chain gets the
        // ESTABLISHED,RELATED accept (or RELATED's disposition) after it.
        let unended = (self.rule_sections().last)
            .filter(|s| matches!(s.as_str(), "ALL" | "ESTABLISHED" | "RELATED"));
        // The last rule in INVALID: no chain gets the INVALID and
        // UNTRACKED handling, which matters where it does something
        // (helper-233: INVALID_DISPOSITION=DROP dropped nothing).
        let last_invalid = self.rule_sections().last.as_deref() == Some("INVALID");
        let carried = &self.settings.carried;
        let handled = |n: usize, log: usize| {
            carried.dispositions[n] != "CONTINUE" || carried.log_levels[log].is_some()
        };
        let invalid_unended = last_invalid && (handled(2, 3) || handled(3, 4));
        let settings = [("INVALID", 2, 3), ("UNTRACKED", 3, 4)]
            .map(|(state, n, log)| {
                let level = carried.log_levels[log].as_deref().unwrap_or("none");
                format!(
                    "{state}_DISPOSITION={} with {state}_LOG_LEVEL={level}",
                    carried.dispositions[n]
                )
            })
            .join(", ");
        let section = Some(Self::section_line as SectionHook);
        self.each_commented_line("rules", section, |this, section, line| {
            if invalid_unended && section == "INVALID" {
                let reason = format!(
                    "no rule of the NEW section follows this INVALID-section rule, and Shorewall finishes a section only when it reads a rule of the next one (Rules.pm, process_raw_rule): the chains of the zone pairs its rules (and those of earlier sections) are in then lack their INVALID and UNTRACKED handling ({settings}), which fwgen's model gives them; add a rule in the NEW section below it (one that changes nothing, such as an ACCEPT a policy already makes) and import again"
                );
                return this.refuse(&line, reason);
            }
            if let Some(last) = &unended
                && matches!(section, "ALL" | "ESTABLISHED" | "RELATED")
            {
                let reason = format!(
                    "no rule of a later section follows this {section}-section rule (the last rule is in the {last} section), and Shorewall finishes a section only when it reads a rule of the next one (Rules.pm, process_raw_rule): the zone pairs' chains then lack their ESTABLISHED,RELATED accept (or RELATED's disposition), so the replies of accepted connections meet the policies, against shorewall-rules(5) and fwgen's model; add a rule in the NEW section below it (one that changes nothing, such as an ACCEPT a policy already makes) and import again"
                );
                return this.refuse(&line, reason);
            }
            let Some(mut columns) = this.split(&line, RULE_COLUMNS) else {
                return;
            };
            this.any_read_as_all(&line, &mut columns);
            let invalid_section = section == "INVALID";
            let early = match section {
                "ALL" => Some("all"),
                "ESTABLISHED" => Some("established"),
                "RELATED" => Some("related"),
                "NEW" | "INVALID" => None,
                _ => {
                    let reason = format!("rules in the {section} section are not in fwgen's model");
                    return this.refuse(&line, reason);
                }
            };
            // DNAT-, REDIRECT- and NONAT make nat rules alone: no chain.
            let nat_only = columns.first().is_some_and(|action| {
                let name = action.split([':', '(']).next().unwrap_or_default();
                matches!(name, "DNAT-" | "REDIRECT-" | "NONAT")
            });
            if let (false, Some(source), Some(dest)) = (nat_only, columns.get(1), columns.get(2)) {
                this.rule_sides.push((source.clone(), dest.clone()));
            }
            if section == "NEW"
                && let Some(reason) = this.optimize_skips(&columns)
            {
                return this.refuse(&line, reason);
            }
            let fast = this.settings.carried.fast_states();
            if fast.iter().any(|state| state.keyword() == section) {
                let reason = format!(
                    "a rule in the {section} section with FASTACCEPT=Yes: Shorewall refuses it (\"Entries in the {section} SECTION of the rules file not permitted with FASTACCEPT=Yes\"): those packets are accepted before every rule"
                );
                return this.refuse(&line, reason);
            }
            // Rules.pm finish_chain_section, at the end of the section,
            // writes the later states' handling into the section's own
            // chain (`^net-fw`, `+net-fw`), which only the section's
            // packets enter: for the rule's pairs those settings never
            // apply.
            let (later, prefix): (&[&str], &str) = match section {
                "ESTABLISHED" => (&["RELATED", "INVALID", "UNTRACKED"], "^"),
                "RELATED" => (&["INVALID", "UNTRACKED"], "+"),
                "INVALID" => (&["UNTRACKED"], "_"),
                _ => (&[], ""),
            };
            if let Some((key, set)) = this.state_handled(later) {
                let reason = format!(
                    "a rule in the {section} section beside {key}={set} in {}{}: Shorewall 5.2.8 writes the zone pair's handling of the later states into the {section} section's own chain (Rules.pm finish_chain_section: `{prefix}` before the pair's name), which only {section} packets enter, so for the pairs of this rule {key} never applies (their packets of the later states go on as under the defaults, unlogged: related ones accepted, invalid and untracked ones on to the NEW rules), where fwgen applies it; Shorewall's firewall is the one with {key} at its default for these pairs: set it so if that is what the firewall should do, or take the rule out, and import again",
                    this.label,
                    this.conf_name(),
                );
                return this.refuse(&line, reason);
            }
            this.rule_section = early;
            this.rule(&line, &columns, invalid_section, line.comment.as_deref());
            this.rule_section = None;
        });
    }

    /// OPTIMIZE as the directory's shorewall.conf writes it, and its level
    /// as Config.pm reads it (`All` is 31, `None` 0); `None` when unset
    /// (Config.pm's 0, or the shipped file's All: neither changes a verdict
    /// beside the other settings' defaults) or not a number.
    fn optimize(&self) -> Option<(String, u32)> {
        let written = self.vars.get("OPTIMIZE")?;
        let value = written.trim().to_owned();
        // Config.pm turns All and None into numbers; any other value it
        // only checks with numeric_value and then tests with `&`, which
        // reads the leading decimal digits (`0x13` is 0, `010` is 10).
        let level = if value.eq_ignore_ascii_case("all") {
            31
        } else if value.eq_ignore_ascii_case("none") {
            0
        } else {
            numeric::numeric_value(&value)?;
            let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().unwrap_or(0)
        };
        Some((value, level))
    }

    /// OPTIMIZE level 16 (Chains.pm combine_dports, from
    /// optimize_level16) makes one multiport rule of a chain's neighbouring
    /// rules that differ in their destination port alone (and drops a
    /// neighbour of the same port), and level 8 (optimize_level8) one chain
    /// of zone pairs' chains that are alike: a plain rate (`-m limit`) or a
    /// connection limit on them is then one bucket, one count, for all
    /// (`ACCEPT net $FW tcp 80 - - 3/min:4` beside the same for 443, or
    /// `Web(ACCEPT)` with it, spend one bucket), where fwgen keeps one per
    /// rule and per zone pair. Whether Shorewall merges them is decided on
    /// its compiled chains, so the import refuses wherever it can happen: a
    /// limited rule with the same limit as an earlier one (of its zone pair
    /// for level 16, of another for level 8), and a limited rule whose
    /// macro has two ports of one protocol. A limit no other rule shares is
    /// carried.
    fn judge_optimized_limits(&mut self) {
        let Some((written, level)) = self.optimize() else {
            return;
        };
        if level & (8 | 16) == 0 {
            return;
        }
        // The plain rate and connection limit, as the rule writes them;
        // none for a rule without them (an `s:`/`d:` rate is a hashlimit
        // table of the line's own, never merged).
        let limit = |table: &Table| -> Option<Vec<Item>> {
            let plain = table.get("rate").is_some() && table.get("rate_per").is_none();
            let counted = ["connlimit", "connlimit_above"]
                .iter()
                .any(|key| table.get(key).is_some());
            (plain || counted).then(|| {
                (table.items.iter())
                    .filter(|item| matches!(item, Item::Pair(key, _) if key.starts_with("connlimit") || (plain && key.starts_with("rate"))))
                    .cloned()
                    .collect()
            })
        };
        // The zone pairs, the chains, a rule's iptables rules are in (a
        // list or `all` names several: helper-229, `net,loc $FW` beside
        // `net $FW` shares net-fw).
        let pairs = |table: &Table| {
            let side = |key: &str| match table.get(key) {
                Some(Value::String(side)) => side.clone(),
                _ => String::new(),
            };
            self.policy_pairs(&side("source"), &side("dest"))
        };
        // What each of a rule's iptables rules matches of protocol and
        // destination port: `None` for every protocol, or no port.
        type Signature = Vec<(Option<Protocol>, Option<String>)>;
        let signature = |table: &Table| -> Signature {
            if let Some(Value::String(name)) = table.get("macro") {
                let parts = Macro::find(name).and_then(|m| m.expand(&MacroCall::default()).ok());
                return (parts.unwrap_or_default().iter())
                    .flat_map(|part| &part.services)
                    .map(|service| {
                        let ports =
                            (!service.dports.is_empty()).then(|| format!("{:?}", service.dports));
                        (Some(service.proto), ports)
                    })
                    .collect();
            }
            // An ICMP type is what tells ICMP rules apart.
            let dport = match (table.get("dport"), table.get("icmp_type")) {
                (Some(Value::String(dport)), _) => Some(dport.clone()),
                (_, Some(Value::String(icmp))) => Some(format!("icmp {icmp}")),
                _ => None,
            };
            match table.get("proto") {
                Some(Value::String(protos)) => (protos.split(','))
                    .map(|p| (Protocol::parse(p), dport.clone()))
                    .collect(),
                _ => vec![(None, dport)],
            }
        };
        // Level 16: rules of one protocol with ports each (combine_dports),
        // or alike (delete_duplicates); level 8: rules alike, in chains
        // alike.
        let merge_in_chain = |a: &Signature, b: &Signature| {
            (a.iter()).any(|x| {
                (b.iter()).any(|y| {
                    x.0 == y.0
                        && (x == y
                            || x.0.is_some_and(Protocol::has_ports)
                                && x.1.is_some()
                                && y.1.is_some())
                })
            })
        };
        let alike = |a: &Signature, b: &Signature| a.iter().any(|x| b.contains(x));
        let mut refusals: Vec<(Line, String)> = Vec::new();
        // Each limited rule: its limit, zone pair, signature and line.
        type Seen = (Vec<Item>, Vec<(String, String)>, Signature, Line);
        let mut seen: Vec<Seen> = Vec::new();
        for entry in (self.entries.iter()).filter(|e| e.kind == Kind::Rule && !e.dropped) {
            let Some(own) = limit(&entry.table) else {
                continue;
            };
            let mine = signature(&entry.table);
            let ports_of_one_protocol = entry.table.get("macro").is_some()
                && (mine.iter().enumerate()).any(|(n, a)| {
                    mine[..n].iter().any(|b| {
                        a.0 == b.0
                            && a.0.is_some_and(Protocol::has_ports)
                            && a.1.is_some()
                            && b.1.is_some()
                    })
                });
            let here = pairs(&entry.table);
            let one_chain = |at: &[(String, String)]| here.iter().any(|p| at.contains(p));
            let two_chains =
                |at: &[(String, String)]| here.iter().any(|p| at.iter().any(|q| p != q));
            let shared = (seen.iter()).find(|(limit, at, theirs, _)| {
                *limit == own
                    && ((level & 16 != 0 && one_chain(at) && merge_in_chain(&mine, theirs))
                        || (level & 8 != 0 && two_chains(at) && alike(&mine, theirs)))
            });
            let reason = if level & 16 != 0 && ports_of_one_protocol {
                Some("its macro's ports of one protocol are rules that differ in port alone, which OPTIMIZE level 16 (Chains.pm combine_dports) makes one multiport rule with one bucket".to_owned())
            } else {
                shared.map(|(_, at, theirs, line)| {
                    let how = if level & 16 != 0 && one_chain(at) && merge_in_chain(&mine, theirs) {
                        "level 16 (Chains.pm combine_dports, delete_duplicates) makes neighbouring rules of a chain of one protocol that differ in port alone, or not at all, one rule"
                    } else {
                        "level 8 (optimize_level8) makes zone pairs' chains that are alike one chain"
                    };
                    format!(
                        "the rule at {}:{} has the same limit, and OPTIMIZE {how}, with one bucket for both",
                        line.file, line.number
                    )
                })
            };
            seen.push((own, here, mine, entry.line.clone()));
            if let Some(reason) = reason {
                let what = format!(
                    "a rate (RATE without `s:`/`d:`) or CONNLIMIT under OPTIMIZE={written}: {reason}, where fwgen keeps one for each rule; set OPTIMIZE without 8 and 16 (7), or give the rules limits apart"
                );
                refusals.push((entry.line.clone(), what));
            }
        }
        for (line, reason) in refusals {
            self.refuse(&line, reason);
        }
    }

    /// Why a policy means something else under OPTIMIZE level 2: for a
    /// zone pair with no rules whose policy has no log level, default
    /// action, RATE or CONNLIMIT, and is ACCEPT (or any with FASTACCEPT),
    /// Rules.pm makes no chain (`complete_policy_chains`: the pair jumps to
    /// the policy's target), so its packets skip the RELATED, INVALID and
    /// UNTRACKED handling the chain would begin with (`shorewall compile`
    /// of the two-interfaces sample with INVALID_DISPOSITION=DROP: loc-net
    /// is gone and invalid packets from loc to net are accepted). fwgen's
    /// model handles those states for every pair, so the import is refused
    /// where that handling is not what the jump does: a disposition other
    /// than RELATED's ACCEPT or INVALID's and UNTRACKED's CONTINUE, or a
    /// log level for them, unless a rule names the pair (`judge_unchained`).
    fn optimize_unchained(&self, policy: &str) -> Option<String> {
        let (value, level) = self.optimize()?;
        if level & 2 == 0 {
            return None;
        }
        let fast = self.conf_setting("FASTACCEPT").is_some_and(|v| v == "yes");
        if policy == "CONTINUE" || !(policy == "ACCEPT" || fast) {
            return None;
        }
        let (key, set) = self.state_handled(&["RELATED", "INVALID", "UNTRACKED"])?;
        let conf = self.conf_name();
        Some(format!(
            "OPTIMIZE={value} in {}{conf} includes level 2: Shorewall makes no chain for a zone pair of this unlogged {policy} policy that has no rules (Rules.pm, complete_policy_chains), so its packets go straight to {policy} without the {key}={set} handling of their conntrack state, which fwgen applies. Set OPTIMIZE to a level without 2 (0, or 29 for the rest of All), check the firewall still does what you want, and import again",
            self.label
        ))
    }

    /// The first of these conntrack states' settings (`RELATED` for
    /// RELATED_DISPOSITION and RELATED_LOG_LEVEL) that the directory sets
    /// to more than Shorewall's default, which lets the state's packets
    /// through a pair's chain (RELATED's ACCEPT, INVALID's and
    /// UNTRACKED's CONTINUE, no log), as written.
    fn state_handled(&self, states: &[&str]) -> Option<(String, String)> {
        let defaults = [
            ("RELATED", "accept"),
            ("INVALID", "continue"),
            ("UNTRACKED", "continue"),
        ];
        let settings = (defaults.iter())
            .filter(|(state, _)| states.contains(state))
            .flat_map(|(state, default)| {
                [
                    (format!("{state}_DISPOSITION"), *default),
                    (format!("{state}_LOG_LEVEL"), ""),
                ]
            });
        settings.into_iter().find_map(|(key, default)| {
            let set = self
                .conf_setting(&key)
                .filter(|v| !v.is_empty() && v != default && v != "none")?;
            // As written (conf_setting reads it in lower case).
            let written = (self.vars.get(&key)).map(|v| v.trim().to_owned());
            Some((key, written.unwrap_or(set)))
        })
    }

    fn conf_name(&self) -> &'static str {
        if self.ipv6 {
            "shorewall6.conf"
        } else {
            "shorewall.conf"
        }
    }

    /// Refuses each policy `optimize_unchained` found where a zone pair
    /// it decides has no blrules or rules line: Shorewall makes the chain
    /// of a pair with rules (EXPAND_POLICIES: each pair of a wildcard
    /// policy its own), with the states' handling.
    fn judge_unchained(&mut self) {
        for (index, policy, reason) in std::mem::take(&mut self.unchained) {
            let line = &self.policy_lines[policy];
            let pairs = self.policy_pairs(&line.source, &line.dest);
            let bare = pairs.iter().any(|(from, to)| {
                self.pair_policy(from, to) == Some(policy)
                    && !self.rule_sides.iter().any(|(source, dest)| {
                        let (sources, dests) = self.rule_pairs(source, dest);
                        sources.contains(from)
                            && dests.contains(to)
                            && (from != to || self.intrazone_rule(source, dest))
                    })
            });
            if bare {
                self.entries[index].dropped = true;
                let line = self.entries[index].line.clone();
                self.refuse(&line, reason);
            }
        }
    }

    /// The zones a SOURCE or DEST names, as Rules.pm's build_zone_list
    /// reads them: `all` and `any` (`any` also takes nested zones, which
    /// `all` does too here: fwgen's importer lists every zone) with `-`
    /// (not the firewall) and `!zone,...`; a list `a,b[+]`; one zone.
    fn side_zones(&self, side: &str) -> Vec<String> {
        let zones = side.split(':').next().unwrap_or(side);
        if let Some((flags, excluded)) = wildcard_side(zones) {
            let excluded: Vec<String> = excluded.split(',').map(|z| self.zone_name(z)).collect();
            return std::iter::once("$FW".to_owned())
                .filter(|_| !flags.contains('-'))
                .chain(self.zones.iter().cloned())
                .filter(|zone| !excluded.contains(zone))
                .collect();
        }
        zones
            .trim_end_matches('+')
            .split(',')
            .map(|zone| self.zone_name(zone))
            .collect()
    }

    /// A rule's zones on each side.
    fn rule_pairs(&self, source: &str, dest: &str) -> (Vec<String>, Vec<String>) {
        (self.side_zones(source), self.side_zones(dest))
    }

    /// Whether a rule takes the pairs of a zone with itself: not a
    /// wildcard (`all`, `any`, a list) unless one side ends in `+`
    /// (Rules.pm process_raw_rule: `! $wild || $intrazone`).
    fn intrazone_rule(&self, source: &str, dest: &str) -> bool {
        let zones = |side: &str| side.split(':').next().unwrap_or(side).to_owned();
        let wild = |side: &str| several_zones(side);
        let (source, dest) = (zones(source), zones(dest));
        let plus = |side: &str| {
            wildcard_side(side).is_some_and(|(flags, _)| flags.contains('+'))
                || side.contains(',') && side.ends_with('+')
        };
        !(wild(&source) || wild(&dest)) || plus(&source) || plus(&dest)
    }

    /// The zone pairs a policy line names (a wildcard: every pair but a
    /// zone's with itself, which needs `+`).
    fn policy_pairs(&self, source: &str, dest: &str) -> Vec<(String, String)> {
        let intrazone = self.intrazone_rule(source, dest);
        let dests = self.side_zones(dest);
        self.side_zones(source)
            .into_iter()
            .flat_map(|from| dests.iter().map(move |to| (from.clone(), to.clone())))
            .filter(|(from, to)| from != to || intrazone)
            .collect()
    }

    /// The policy line that decides a zone pair: the one naming the pair
    /// itself, else the first wildcard taking it in (Rules.pm's
    /// set_policy_chain leaves a pair's policy once set).
    fn pair_policy(&self, from: &str, to: &str) -> Option<usize> {
        let named = |line: &PolicyLine| {
            self.zone_name(&line.source) == from && self.zone_name(&line.dest) == to
        };
        self.policy_lines.iter().position(named).or_else(|| {
            self.policy_lines.iter().position(|line| {
                self.policy_pairs(&line.source, &line.dest)
                    .iter()
                    .any(|(f, t)| f == from && t == to)
            })
        })
    }

    /// Why a NEW-section rule means something else under the directory's
    /// OPTIMIZE: with level 1 and not 4 (OPTIMIZE & 5 == 1), Rules.pm's
    /// process_rule leaves a rule whose SOURCE or DEST is a wildcard (`all`,
    /// `any` or a zone list) out of each zone pair whose policy is its
    /// target, unless the target ends in `!`: `goto EXIT if $basictarget eq
    /// $policy`, or for a logged policy `$target eq "$policy:$loglevel"`,
    /// the level as validate_level gives it (`info` is 6) beside the
    /// rule's as written. The packets it would have taken then meet the
    /// pair's later rules, which fwgen (every rule kept) does not let them
    /// reach. A built-in target and a macro's PARAM (its body is read with
    /// the wildcard) are compared; an action's body runs in its own chain,
    /// where nothing is left out, and its name is never a policy.
    fn optimize_skips(&self, columns: &[String]) -> Option<String> {
        let (value, level) = self.optimize()?;
        if level & 5 != 1 {
            return None;
        }
        let (action, source, dest) = (columns.first()?, columns.get(1)?, columns.get(2)?);
        if !several_zones(source) && !several_zones(dest) {
            return None;
        }
        let (head, written_level) = match action.split_once(':') {
            Some((head, level)) if !level.is_empty() => (head, Some(level)),
            Some((head, _)) => (head, None),
            None => (action.as_str(), None),
        };
        let (name, param) = match head.split_once('(') {
            Some((name, rest)) => (name, rest.trim_end_matches(')').split(',').next()),
            None => (head, None),
        };
        let macro_call = (stock_macro(name)
            .is_some_and(|m| !site_action::STOCK_ACTIONS.contains(&m.name))
            && !self.site_action_files.iter().any(|a| a == name))
            || self.site_macro_files.iter().any(|m| m == name);
        let target = if macro_call {
            // PARAM; a macro called without one is compared as every target.
            param.filter(|p| !p.is_empty() && *p != "-")
        } else if matches!(
            name,
            "ACCEPT" | "DROP" | "REJECT" | "CONTINUE" | "A_ACCEPT" | "A_DROP" | "A_REJECT"
        ) {
            Some(name)
        } else {
            return None;
        };
        if target.is_some_and(|t| t.ends_with('!')) {
            return None;
        }
        let (sources, dests) = self.rule_pairs(source, dest);
        let intrazone = self.intrazone_rule(source, dest);
        let skipped = sources.iter().find_map(|from| {
            dests.iter().find_map(|to| {
                if from == to && !intrazone {
                    return None;
                }
                let policy = &self.policy_lines[self.pair_policy(from, to)?];
                let same = target.is_none_or(|t| t == policy.action);
                let logged = match &policy.level {
                    None => true,
                    Some(level) => written_level == Some(level.as_str()),
                };
                (same && logged).then(|| (from.clone(), to.clone(), policy.action.clone()))
            })
        });
        let (from, to, policy) = skipped?;
        let conf = if self.ipv6 {
            "shorewall6.conf"
        } else {
            "shorewall.conf"
        };
        let keep = if macro_call {
            String::new()
        } else {
            format!(", or write `{name}!` to keep the rule under level 1")
        };
        Some(format!(
            "OPTIMIZE={value} in {}{conf} is level 1 without level 4: Shorewall then leaves this wildcard rule out of each zone pair whose policy is its action, such as {from} to {to} ({policy}; Rules.pm, process_rule), so the packets it takes meet that pair's later rules instead, and fwgen keeps the rule. Set OPTIMIZE=0 or All (what the samples write: level 4 keeps the rule){keep}, check the firewall still does what you want, and import again",
            self.label
        ))
    }

    /// A line's columns as Shorewall's split_line2 (Config.pm) reads them:
    /// by position, then the `column=value` pairs after a single `;` or in
    /// a trailing `{...}` put in their columns (`names`: each pair's column
    /// name and position, as the Perl module that reads the file gives
    /// them). A `proto=tcp` outside them is a plain value, as in Shorewall.
    /// `None` once refused: a line Shorewall would not read as fwgen does.
    /// A rule's SOURCE and DEST as Rules.pm build_zone_list reads them: a
    /// leading `any` is `all` (`s/^any/all/`) before the zones are read,
    /// so a zone `anyz` is the zone `allz` there (helper-237: Shorewall
    /// put `ACCEPT net anyz` in net-allz), noted; `any` itself, with its
    /// flags, exclusions or addresses, stays the wildcard.
    fn any_read_as_all(&mut self, line: &Line, columns: &mut [String]) {
        for side in columns.iter_mut().skip(1).take(2) {
            let Some(rest) = side.strip_prefix("any") else {
                continue;
            };
            if rest.is_empty() || rest.starts_with(['+', '-', '!', ':']) {
                continue;
            }
            let read = format!("all{rest}");
            self.notes.push(format!(
                "{}:{}: `{side}` is read as `{read}`, as Rules.pm build_zone_list rewrites a leading `any` as `all` (`s/^any/all/`) before it reads a rule's zones; the policy file reads the name as written",
                line.file, line.number
            ));
            *side = read;
        }
    }

    fn split(&mut self, line: &Line, names: &[(&str, usize)]) -> Option<Vec<String>> {
        let text = line.text.as_str();
        if text.contains(";;") {
            self.refuse(
                line,
                "raw iptables matches after `;;` are not in fwgen's model",
            );
            return None;
        }
        let (columns, pairs) = match text.split_once(';') {
            Some((_, pairs)) if pairs.contains(';') => {
                self.refuse(
                    line,
                    "only one `;` is allowed on a line (Shorewall refuses more)",
                );
                return None;
            }
            Some((columns, pairs)) => (columns, Some(pairs)),
            None => match braced_pairs(text) {
                Some((columns, pairs)) => (columns, Some(pairs)),
                None => (text, None),
            },
        };
        if let Some(reason) =
            unsplittable(text, columns).or_else(|| too_many_columns(columns, names))
        {
            self.refuse(line, reason);
            return None;
        }
        let mut out: Vec<String> = columns.split_whitespace().map(str::to_owned).collect();
        if pairs.is_some_and(|pairs| pairs.contains('"')) {
            self.refuse(
                line,
                "quoted values in column=value pairs are not read by fwgen's import",
            );
            return None;
        }
        for pair in pairs.map_or_else(Vec::new, split_pairs) {
            let Some((column, value)) = column_pair(pair) else {
                self.refuse(line, format!("`{pair}` is not a column=value pair"));
                return None;
            };
            let column = column.to_ascii_lowercase();
            let Some(&(_, at)) = names.iter().find(|(name, _)| *name == column) else {
                let reason = if column == "comment" {
                    "a `comment=` pair: write the comment as `?COMMENT` or `#` so fwgen carries it"
                        .to_owned()
                } else {
                    format!("`{column}` is not a column of {}", line.file)
                };
                self.refuse(line, reason);
                return None;
            };
            if out.len() <= at {
                out.resize(at + 1, "-".to_owned());
            }
            out[at] = value.to_owned();
        }
        Some(out)
    }

    fn rule(
        &mut self,
        line: &Line,
        columns: &[String],
        invalid_section: bool,
        comment: Option<&str>,
    ) {
        let get = |i: usize| columns.get(i).filter(|c| *c != "-").cloned();
        // ORIGDEST is a port forward's or redirect's `origdest` (read in
        // `dnat` and `redirect`), a rule's `origdest` (read with the limits).
        let carried: &[&str] = &CARRIED_COLUMNS;
        if let Some(reason) = unmodelled_rule_columns(columns, carried) {
            self.refuse(line, reason);
            return;
        }
        // NONAT's DEST may be `-`: every destination (`nonat_dest`).
        let nonat = get(0).is_some_and(|a| a.split(':').next() == Some("NONAT"));
        let dest = get(2).or_else(|| nonat.then(|| "-".to_owned()));
        let (Some(action), Some(source), Some(dest)) = (get(0), get(1), dest) else {
            self.refuse(line, "a rule needs ACTION, SOURCE and DEST");
            return;
        };
        // Rules.pm process_raw_rule1: `/^none(:.*)?$/i` on either side.
        let none = |side: &str| {
            let zone = side.split_once(':').map_or(side, |(zone, _)| zone);
            zone.eq_ignore_ascii_case("none")
        };
        if none(&source) || none(&dest) {
            self.notes.push(format!(
                "{}:{}: `none` in SOURCE or DEST: Shorewall ignores the rule, and so does fwgen",
                line.file, line.number
            ));
            return;
        }
        if self.ipv6 && [&source, &dest].iter().any(|side| side.contains(":&")) {
            return self.refuse(
                line,
                "`&IFACE` in Shorewall6 is the interface's first global IPv6 address; fwgen's `&IFACE` is the first IPv4 address only",
            );
        }
        if self.ipv6
            && let Some(side) = [&source, &dest].into_iter().find(|s| unbracketed_six(s))
        {
            return self.refuse(
                line,
                format!("`{side}`: Shorewall6 refuses it (\"Missing ']'\"): Chains.pm isolate_source_interface takes the brackets around the whole `[...]![...]` off and reads what is left as one address; write the networks after the `!` without brackets (`[2001:db8::/32]!2001:db8:1::/48`)"),
            );
        }
        let (source, dest) = (self.any_zone(line, &source), self.any_zone(line, &dest));
        // Rules.pm's ADD and DEL (`ADD(+SET:FLAGS)`): a set's flags after
        // the `:`, no macro's log level.
        let set_action = [
            (
                "ADD(",
                "`-j SET --add-set`, adding the packet's addresses to an ipset",
            ),
            (
                "DEL(",
                "`-j SET --del-set`, taking the packet's addresses out of an ipset",
            ),
        ];
        if let Some((_, what)) = set_action.iter().find(|(v, _)| action.starts_with(*v)) {
            return self.refuse(line, format!("`{action}` ({what}) is not in fwgen's model"));
        }
        // Chains.pm split_action: the level after the parentheses, at the
        // first `:` outside them.
        let mut depth = 0usize;
        let outer = action.char_indices().find_map(|(at, c)| {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                ':' if depth == 0 => return Some(at),
                _ => {}
            }
            None
        });
        if let Some(at) = outer
            && macro_param_level(&action[..at]).is_some()
        {
            return self.refuse(
                line,
                format!("`{action}`: a log level both inside the parentheses and after them, which Shorewall reads as the inner level with the outer as its log tag; not in fwgen's import: give the level once"),
            );
        }
        let (action, log) = match macro_param_level(&action) {
            // The stock macro's lines decide; the site's own may not all
            // take PARAM.
            Some(Ok((call, level)))
                if level_logs(&level)
                    && self
                        .site_macro_names()
                        .iter()
                        .any(|n| call.starts_with(&format!("{n}("))) =>
            {
                return self.refuse(
                    line,
                    format!("`{action}` calls the site's own macro of that name, whose lines that do not take PARAM Shorewall does not log: write `{call}:LEVEL` (every line logged) or give the level in the macro's lines"),
                );
            }
            Some(Ok((call, level))) => (call, Some(level)),
            Some(Err(reason)) => return self.refuse(line, reason),
            None => match outer {
                Some(at) => (action[..at].to_owned(), Some(action[at + 1..].to_owned())),
                None => (action, None),
            },
        };
        // Perl's split drops trailing empty fields: `ACCEPT::` is ACCEPT,
        // `ACCEPT:info:` ACCEPT at info. `ACCEPT::tag`: Rules.pm refuses it
        // ("Invalid parameter"); `ACCEPT:` is no log.
        let log = log.map(|l| l.trim_end_matches(':').to_owned());
        if log.as_deref().is_some_and(|l| l.starts_with(':')) {
            return self.refuse(
                line,
                format!("a log tag (`{}`) without a log level: Shorewall refuses it (\"Invalid parameter\"): give the level (`info{0}`)", log.as_deref().unwrap_or_default()),
            );
        }
        // A site action's `none!` is kept: no line of the action logs, its
        // own levels included (Rules.pm merge_levels).
        let log = log.filter(|l| {
            level_logs(l)
                || (l.split(':').next() == Some("none!")
                    && self.site_action_files.contains(&action))
        });
        // `ACCEPT!`, `DROP!`, `REJECT!`: the action, which OPTIMIZE level 1
        // may not leave out (`optimize_skips`); fwgen leaves no rule out.
        // The audited ones alike (`A_DROP!`; `A_REJECT!` is the stock
        // action file that calls A_REJECT).
        let action = match action.as_str() {
            "ACCEPT!" | "DROP!" | "REJECT!" | "A_ACCEPT!" | "A_DROP!" | "A_REJECT!" => {
                action.trim_end_matches('!').to_owned()
            }
            _ => action,
        };
        let action = match iptables_target(&action, self.ipv6) {
            None => action,
            // Shorewall logs no rule of no target: "Unknown rule target ()".
            Some(Ok(None)) if log.is_some() => {
                return self.refuse(line, format!("`{action}` with a log level: Shorewall refuses it (\"Unknown rule target ()\")"));
            }
            // A rule without `-j` counts the packets it matches and decides
            // none, but spends a named RATE table's tokens (`s:lim:1/sec`),
            // which the table's other rules share.
            Some(Ok(None)) => {
                return self.refuse(line, format!("`{action}` names no target: Shorewall compiles a rule without `-j`, which counts the packets it matches, decides nothing and spends the tokens of a RATE it names; fwgen's model has no counting rules: leave the line out"));
            }
            Some(Ok(Some(plain))) => {
                self.note_at(line, [format!("`{action}` writes `-j {plain}` as {plain} does, and is carried as {plain} (Shorewall's log prefix names it `{action}`, fwgen's `{plain}`)")]);
                plain.to_owned()
            }
            Some(Err(reason)) => return self.refuse(line, reason),
        };
        // `NFLOG(group,range,threshold)[:tag]` as an action is LOG at that
        // level (Rules.pm process_rule: an NFLOG action becomes the log
        // level, and the action LOG).
        let (action, log) = if nflog_action(&action) && !self.site_action_files.contains(&action) {
            let level = match log {
                Some(tag) => format!("{action}:{tag}"),
                None => action,
            };
            ("LOG".to_owned(), Some(level))
        } else {
            (action, log)
        };
        // A stock action the model reads as a macro, called without a
        // parameter, takes its DEFAULTS (action.AllowICMPs: ACCEPT), unless
        // the site's own action of that name replaces it.
        let action = match stock_macro(&action)
            .filter(|m| site_action::STOCK_ACTIONS.contains(&m.name))
            .and_then(|m| m.default)
        {
            Some(default) if !self.site_action_files.contains(&action) => {
                format!("{action}({default})")
            }
            _ => action,
        };
        // Shorewall's stock actions of the destination's address type, as
        // the model's Broadcast and Multicast macros, and of the INVALID
        // state, as its Invalid macro.
        let action = match dest_type_call(&action) {
            Some(_) if self.site_action_files.contains(&action) => action,
            Some(Ok(call)) => call,
            Some(Err(reason)) => return self.refuse(line, reason),
            None => action,
        };
        if log.is_some() && dest_type_call(&action).is_some() && !action.starts_with("Invalid") {
            return self.refuse(
                line,
                format!("`{action}` with a log level: fwgen writes Shorewall's Broadcast and Multicast actions unlogged"),
            );
        }
        let (target, service_macro) =
            if let Some((name, inner)) = action.strip_suffix(')').and_then(|a| a.split_once('(')) {
                (inner.to_owned(), Some(name.to_owned()))
            } else if let Some((name, inner)) = action.split_once('/') {
                (inner.to_owned(), Some(name.to_owned()))
            } else {
                (action.clone(), None)
            };
        // A site macro called without a parameter takes its DEFAULT
        // (Rules.pm `process_macro`), or Shorewall refuses the call.
        let (target, service_macro) = match service_macro {
            None if self.site_macro_files.contains(&action)
                && !self.site_action_files.contains(&action) =>
            {
                match self.site_macro_default(&action) {
                    Ok(default) => (default, Some(action.clone())),
                    Err(reason) => return self.refuse(line, reason),
                }
            }
            // `MACRO()`: an empty parameter is none supplied (Rules.pm
            // process_macro, `supplied $param`), so the call is a bare
            // one (helper-255: fwgen refused it).
            Some(name)
                if target.is_empty()
                    && self.site_macro_files.contains(&name)
                    && !self.site_action_files.contains(&name) =>
            {
                match self.site_macro_default(&name) {
                    Ok(default) => (default, Some(name)),
                    Err(reason) => return self.refuse(line, reason),
                }
            }
            other => (target, other),
        };
        let called = (service_macro.as_ref())
            .filter(|name| self.site_action_files.contains(name))
            .unwrap_or(&action);
        if self.site_action_files.contains(called) {
            let at = format!("{}:{}", line.file, line.number);
            (self.site_action_calls.entry(called.clone()).or_default()).push(at);
        }
        if self.site_action_files.contains(&action) {
            if let Some(section) = self.rule_section {
                return self.refuse(
                    line,
                    format!(
                        "the site action `{action}` in the {} section is not in fwgen's import",
                        section.to_uppercase()
                    ),
                );
            }
            if invalid_section {
                return self.refuse(
                    line,
                    format!(
                        "the site action `{action}` in the INVALID section is not in fwgen's import"
                    ),
                );
            }
            self.site_action_rule(line, columns, &action, log.as_deref(), comment);
            return;
        }
        if let Some(name) = service_macro
            .as_deref()
            .filter(|name| self.site_action_files.iter().any(|a| a == name))
        {
            return self.refuse(line, format!("the site action `{name}` called with parameters (`{action}`): not in fwgen's import"));
        }
        // `REJECT(option)` names REJECT's answer; it is no macro.
        let (target, service_macro, reject_with) = match service_macro.as_deref() {
            Some("REJECT") if RejectWith::parse(&target).is_some() => {
                ("REJECT".to_owned(), None, Some(target))
            }
            _ => (target, service_macro, None),
        };
        if let Some(side) = columns.iter().skip(1).take(2).find(|c| c.contains(":(")) {
            return self.refuse(
                line,
                format!("`{side}`: a zone list whose zones take interface-qualified address lists in parentheses (shorewall-rules(5): `loc:(eth1:1.2.3.4,2.3.4.5),dmz:(eth2:5.6.7.8)`) is not in fwgen's import: write one rule per zone (`loc:eth1:1.2.3.4,2.3.4.5`)"),
            );
        }
        // Zone lists and wildcard forms (`loc,dmz`, `all!net`, `all+`)
        // are the model's own: carried as written.
        if invalid_section && service_macro.as_deref() != Some("Invalid") {
            self.refuse(
                line,
                "only Invalid(DROP) rules are in fwgen's model in the INVALID section",
            );
            return;
        }
        // An Invalid rule of the NEW section matches at its place, after
        // the rules above it and the tunnels' openings, beside the pair's
        // UNTRACKED handling (Shorewall 5.2.8 leaves that out only of a
        // chain with rules in its INVALID section): the model's `section =
        // "new"`.
        let new_section_invalid = !invalid_section
            && !self.blacklisting
            && self.rule_section.is_none()
            && service_macro.as_deref() == Some("Invalid");
        let target = match target.as_str() {
            "WHITELIST" | "CONTINUE" | "ACCEPT" if self.blacklisting => "WHITELIST".to_owned(),
            _ => target,
        };
        let (target, log) = if self.blacklisting {
            match self.blacklist_action(line, &action, target, log, service_macro.is_some()) {
                Ok(read) => read,
                Err(reason) => return self.refuse(line, reason),
            }
        } else {
            (target, log)
        };
        // A_ACCEPT, A_DROP and A_REJECT: the verdict with `audit = true`
        // (Rules.pm's ensure_audit_chain: `-j AUDIT`, then the verdict),
        // plain or a macro's (`SSH(A_ACCEPT)`: its PARAM lines audited).
        let (target, audit) = match target.strip_prefix("A_") {
            Some(plain @ ("ACCEPT" | "DROP" | "REJECT")) if reject_with.is_none() => {
                (plain.to_owned(), true)
            }
            _ => (target, false),
        };
        if matches!(target.as_str(), "ACCEPT+" | "NONAT") && !self.blacklisting {
            let written = (service_macro.as_deref(), log.as_deref(), self.rule_section);
            if let Err(reason) = nat_exempt_refusal(&target, written, columns) {
                return self.refuse(line, reason);
            }
        }
        let dest = match target.as_str() {
            "NONAT" => nonat_dest(dest),
            _ => dest,
        };
        if let Some(section) = self.rule_section
            && let Err(reason) =
                early_section_rule(section, &target, service_macro.as_deref(), log.is_some())
        {
            return self.refuse(line, reason);
        }
        let mut limits = match self.limits(line, columns, &target, audit) {
            Ok(limits) => limits,
            Err(()) => return,
        };
        if let Some(section) = self.rule_section.or(new_section_invalid.then_some("new")) {
            limits
                .get_or_insert_with(Vec::new)
                .push(("section", section.into()));
        }
        if !matches!(target.as_str(), "DNAT" | "REDIRECT" | "DNAT-" | "REDIRECT-")
            && let Some(text) = get(6)
        {
            let Some(origdest) = self.origdest_list(line, Some(text)) else {
                return;
            };
            let origdest = ("origdest", document::Value::strings(&origdest));
            limits.get_or_insert_with(Vec::new).push(origdest);
        }
        if let Some(owner) = get(8) {
            let from_firewall = source
                .split_once(':')
                .map_or(source.as_str(), |(zone, _)| zone);
            if self.zone_name(from_firewall) != "$FW" {
                return self.refuse(
                    line,
                    format!("USER `{owner}` with SOURCE `{source}`: Shorewall refuses it (\"USER/GROUP may only be specified when the SOURCE zone is $FW\")"),
                );
            }
            if matches!(target.as_str(), "DNAT" | "REDIRECT" | "DNAT-" | "REDIRECT-") {
                return self.refuse(
                    line,
                    format!("USER `{owner}` on a {target}: fwgen's port forwards and redirects have no owner"),
                );
            }
            match owner_column(&owner) {
                Ok(pairs) => limits.get_or_insert_with(Vec::new).extend(pairs),
                Err(reason) => return self.refuse(line, reason),
            }
        }
        if let Some(time) = get(11) {
            if matches!(target.as_str(), "DNAT" | "REDIRECT" | "DNAT-" | "REDIRECT-") {
                return self.refuse(
                    line,
                    format!("TIME `{time}` on a {target}: fwgen's port forwards and redirects have no time window"),
                );
            }
            match time_column(&time) {
                Ok(pairs) => limits.get_or_insert_with(Vec::new).extend(pairs),
                Err(reason) => return self.refuse(line, reason),
            }
        }
        if let Some(helper) = get(14) {
            if let Some(section) = self.rule_section {
                let reason = match section {
                    "related" => format!(
                        "HELPER `{helper}` in the RELATED section: Shorewall matches the connections that helper related (`-m helper --helper {helper}`), which fwgen's rules do not match"
                    ),
                    _ => format!(
                        "HELPER `{helper}` in the {} section: fwgen carries a rule's helper in the NEW section alone, where Shorewall attaches it to the connection (Rules.pm)",
                        section.to_uppercase()
                    ),
                };
                return self.refuse(line, reason);
            }
            if audit && target == "ACCEPT" {
                self.notes.push(format!(
                    "{}:{}: HELPER `{helper}` on A_ACCEPT has no effect: Shorewall attaches a helper for the plain ACCEPT alone (Rules.pm sets HELPER in ACCEPT's `%functions` entry, which the audited action A_ACCEPT never reaches); the rule is imported without it",
                    line.file, line.number
                ));
            } else {
                match self.helper_column(&helper, &target) {
                    Ok(kind) => limits
                        .get_or_insert_with(Vec::new)
                        .push(("helper", kind.into())),
                    Err(reason) => return self.refuse(line, reason),
                }
            }
        }
        if matches!(target.as_str(), "DNAT" | "REDIRECT" | "DNAT-" | "REDIRECT-") {
            // DNAT- and REDIRECT- (shorewall-rules(5)): the translation
            // without the filter ACCEPT.
            let accept = !target.ends_with('-');
            let target = target.trim_end_matches('-').to_owned();
            let forward = Forward {
                service_macro: None,
                accept,
                log: log.as_deref(),
                comment,
            };
            let service_macro = match service_macro.as_deref() {
                Some(name) => match self.forward_macro(name, &target) {
                    Ok(name) => Some(name),
                    Err(reason) => return self.refuse(line, reason),
                },
                None => None,
            };
            let forward = Forward {
                service_macro,
                ..forward
            };
            if target == "DNAT" {
                self.dnat(line, columns, &forward);
            } else {
                self.redirect(line, columns, &forward);
            }
            return;
        }
        // LOG (Rules.pm: a LOGRULE, the packet goes on) is the model's
        // `action = "LOG"`; its level is required there as in Shorewall.
        if !matches!(
            target.as_str(),
            "ACCEPT" | "DROP" | "REJECT" | "LOG" | "WHITELIST" | "ACCEPT+" | "NONAT"
        ) {
            let reason = if self.site_macro_files.contains(&action) {
                // Shorewall reads the macro with PARAM as its DEFAULT (or
                // none); fwgen's import reads site macros called with a
                // verdict only.
                format!(
                    "`{action}` is the site's macro.{action} called without a parameter (`{action}(ACCEPT)`): a parameterless call of a site macro is not in fwgen's import"
                )
            } else {
                verdict_refusal(&action, &target)
            };
            self.refuse(line, reason);
            return;
        }
        let written = Written {
            target: &target,
            source: &source,
            dest: &dest,
            log: log.as_deref(),
            comment,
            reject_with: reject_with.as_deref(),
            audit,
            limits: limits.as_deref(),
        };
        if let Some(name) = service_macro
            .as_deref()
            .filter(|name| self.site_macro_files.iter().any(|site| site == name))
        {
            match self.site_macro(name) {
                Some(lines) => {
                    let own = [get(3), get(4), get(5)];
                    self.site_macro_rule(line, &written, name, own, lines);
                }
                None => self.refuse(
                    line,
                    format!("`{name}` is the site's macro.{name}, refused at its line"),
                ),
            }
            return;
        }
        let stock = service_macro.as_deref().and_then(stock_macro);
        if let (Some(name), Some(inner)) = (
            service_macro.as_deref(),
            stock.and_then(|stock| self.overridden_within(stock)),
        ) {
            // Read, as Shorewall reads it: not a macro or action no rule
            // calls.
            if inner.action {
                let at = format!("{}:{}", line.file, line.number);
                let calls = self.site_action_calls.entry(inner.name.to_owned());
                calls.or_default().push(at);
            } else {
                self.site_macro(inner.name);
            }
            return self.refuse(line, overridden_refusal(name, inner));
        }
        match (service_macro.as_deref(), stock) {
            // action.Broadcast and action.Multicast give the address type
            // as inline matches, which Rules.pm process_rule writes after
            // the rule's RATE and CONNLIMIT: every packet the rule meets
            // spends the limit, and Broadcast's two rules (BROADCAST,
            // ANYCAST) have a bucket each; fwgen's limit counts the
            // broadcasts alone, in one bucket.
            (Some(name @ ("Broadcast" | "Multicast")), None)
                if get(7).is_some() || get(10).is_some() =>
            {
                self.refuse(line, format!("`{name}` with RATE or CONNLIMIT: Shorewall tests the limit before the address type (its action's inline matches come last, Rules.pm process_rule), so every packet the rule meets spends it, and Broadcast's BROADCAST and ANYCAST rules have a limit each; fwgen limits the {} packets alone, in one: leave the limit out, or write the rule in the model", if name == "Broadcast" { "broadcast" } else { "multicast" }));
            }
            (Some("Broadcast" | "Multicast" | "Invalid"), None) => {
                let service = (service_macro.as_deref(), get(3), get(4), get(5));
                self.plain_rule(line, &written, service);
            }
            (Some(name), None) if site_action::STOCK_ACTIONS.contains(&name) => {
                self.refuse(line, site_action::stock_action_refusal(name));
            }
            (Some(name), None) => {
                // Shorewall finds a macro by its exact name: `ssh(ACCEPT)`
                // is an unknown action to it (and DHCP is fwgen's own).
                self.refuse(line, format!("`{name}` is no action or macro Shorewall 5.2 knows (Shorewall names macros by their exact file name, macro.NAME), and Shorewall refuses the line"));
            }
            (Some(name), Some(stock))
                if stock.helper.is_some() && self.settings.helpers_unlisted.is_some() =>
            {
                let file = self.settings.helpers_unlisted.clone().unwrap_or_default();
                self.refuse(line, format!(
                    "`{name}`: under AUTOHELPERS=Yes Shorewall's macro.{name} attaches no conntrack helper, and {file} leaves out the shipped helper lines, so none watches these connections; fwgen's `conntrack_helpers = false`, which says that, has the macro attach its helper to the rule: add the shipped helper lines back to {file}, or write the rule without the macro"
                ));
            }
            (Some(name), Some(stock)) => {
                let call = MacroCall {
                    action: RuleVerdict::parse(&target).map(RuleVerdict::keyword),
                    helpers_attached: !self.settings.carried.conntrack_helpers,
                    audited: audit,
                    ..MacroCall::default()
                };
                match macros::refusal(stock, &call) {
                    None => {
                        let service = (Some(name), get(3), get(4), get(5));
                        self.plain_rule(line, &written, service);
                    }
                    Some(reason) => self.refuse(line, format!("`{name}`: {reason}")),
                }
            }
            _ => {
                let service = (service_macro.as_deref(), get(3), get(4), get(5));
                self.plain_rule(line, &written, service);
            }
        }
    }

    /// The RATE and CONNLIMIT columns as the model's keys; `Err` once the
    /// line is refused: either on REDIRECT (a redirect has no limits in
    /// the model) or on another target the model limits nowhere, a DNAT's
    /// CONNLIMIT (a port forward has a `rate`, no `connlimit`), a RATE on
    /// DROP and REJECT, logged or not (Shorewall refuses them; `audit`:
    /// A_DROP and A_REJECT, which it takes), or a value fwgen cannot express. A
    /// DNAT's RATE passes here: `dnat` reads it as the port forward's
    /// `rate`. A RATE or CONNLIMIT on a rule that logs (`ACCEPT:info`; a
    /// CONNLIMIT on `DROP:info`) or on LOG is the model's limit beside
    /// `log`.
    fn limits(
        &mut self,
        line: &Line,
        columns: &[String],
        target: &str,
        audit: bool,
    ) -> Result<Option<Vec<limits::Key>>, ()> {
        let get = |i: usize| columns.get(i).filter(|c| *c != "-").cloned();
        let (rate, connlimit) = (get(7), get(10));
        if rate.is_none() && connlimit.is_none() {
            return Ok(None);
        }
        let refuse = |this: &mut Self, reason: String| {
            this.refuse(line, reason);
            Err(())
        };
        // A DNAT's RATE is its port forward's `rate` (read in `dnat`).
        let limited = matches!(target, "ACCEPT" | "DROP" | "REJECT" | "LOG")
            || (matches!(target, "DNAT" | "DNAT-") && connlimit.is_none());
        if !limited {
            let used: Vec<String> = [("RATE", &rate), ("CONNLIMIT", &connlimit)]
                .iter()
                .filter_map(|(name, value)| Some(format!("{name} `{}`", value.as_ref()?)))
                .collect();
            return refuse(
                self,
                format!(
                    "{} on a {target} rule: not in fwgen's model (it limits ACCEPT rules, DROP and REJECT rules by CONNLIMIT, and the rate of LOG and DNAT)",
                    used.join(" and ")
                ),
            );
        }
        if rate.is_some() && RuleVerdict::parse(target).is_some_and(|v| !v.takes_rate(audit)) {
            return refuse(
                self,
                format!(
                    "RATE on a {target} rule: Shorewall refuses it (\"Rate Limiting not available with {target}\")"
                ),
            );
        }
        let mut keys = Vec::new();
        let mut notes = Vec::new();
        type Read = fn(&str, &mut Vec<String>) -> Result<Vec<limits::Key>, String>;
        for (value, read) in [
            (&rate, limits::rate_keys as Read),
            (&connlimit, limits::connlimit_keys),
        ] {
            if let Some(value) = value {
                match read(value, &mut notes) {
                    Ok(read) => keys.extend(read),
                    Err(reason) => return refuse(self, reason),
                }
            }
        }
        self.note_at(line, notes);
        Ok(Some(keys))
    }

    /// A rule with the macro the model names (if any), its protocol by
    /// name or number, and its ports.
    /// A rule's HELPER column as the model's `helper`: a helper Shorewall
    /// knows by that name (Config.pm `%helpers`), on an ACCEPT, under
    /// AUTOHELPERS=No; the analyzer checks the protocol.
    fn helper_column(&self, helper: &str, target: &str) -> Result<&'static str, String> {
        let Some(known) = CONNTRACK_HELPERS.iter().find(|h| h.kind == helper) else {
            return Err(format!(
                "HELPER `{helper}`: not a helper fwgen's model has (amanda, ftp, irc, netbios-ns, pptp, Q.931, RAS, sane, sip, snmp, tftp)"
            ));
        };
        if self.settings.carried.conntrack_helpers {
            return Err(format!(
                "HELPER `{helper}` under AUTOHELPERS=Yes: fwgen's helper per rule is for AUTOHELPERS=No (conntrack_helpers = false), where the conntrack file's helpers watch no port"
            ));
        }
        if target != "ACCEPT" {
            return Err(format!(
                "HELPER `{helper}` on {target}: Shorewall attaches a helper for ACCEPT only and ignores it here; fwgen's model refuses it"
            ));
        }
        Ok(known.kind)
    }

    fn plain_rule(&mut self, line: &Line, written: &Written, service: Service) {
        let (service_macro, proto, dport, sport) = service;
        let proto = match proto
            .map(|p| self.protocols.resolve_in(&p, self.ipv6))
            .transpose()
        {
            Ok(proto) => proto.map(|(proto, note)| {
                self.note_at(line, note);
                proto
            }),
            Err(reason) => return self.refuse(line, reason),
        };
        if let Some((dport, sport)) = self.ports(line, proto.as_deref(), dport, sport) {
            self.write_rule(line, written, (service_macro, proto, dport, sport));
        }
    }

    /// `any` (with or without addresses) is `all` when no zone is nested
    /// (shorewall-rules(5)); with nested zones it stays `any`, which the
    /// model reads as Shorewall does (the top-level zones).
    fn any_zone(&mut self, line: &Line, side: &str) -> String {
        if self.nested {
            return side.to_owned();
        }
        let Some(rest) = side
            .strip_prefix("any")
            .filter(|r| r.is_empty() || r.starts_with(':'))
        else {
            return side.to_owned();
        };
        self.notes.push(format!(
            "{}:{}: `any` is `all`: Shorewall makes them differ only for nested zones, and there are none",
            line.file, line.number
        ));
        format!("all{rest}")
    }

    /// DPORT and SPORT in the model's spelling: service names resolved
    /// for the protocol, open ranges closed; `None` when refused.
    fn ports(
        &mut self,
        line: &Line,
        proto: Option<&str>,
        dport: Option<String>,
        sport: Option<String>,
    ) -> Option<(Option<String>, Option<String>)> {
        // A list's protocols each take the ports (Rules.pm makes a rule of
        // each); a service name must be the same port in each.
        // `tcp:syn` takes tcp's ports.
        let Some(protos) = proto.and_then(|list| {
            list.split(',')
                .map(|item| port_protocol(split_syn(item).0))
                .collect::<Option<Vec<&'static str>>>()
        }) else {
            return Some((dport, sport));
        };
        let mut notes = Vec::new();
        let mut resolve = |ports: Option<String>| -> Result<Option<String>, String> {
            let Some(ports) = ports else {
                return Ok(None);
            };
            let mut read = None;
            for proto in &protos {
                let (spelled, names) = self.services.resolve(&ports, proto)?;
                if spelled.split(',').any(|port| port == "0") {
                    return Err(format!(
                        "`{ports}` holds port 0, which Shorewall compiles as it stands (`--dport 0`, `--sport 0`): fwgen's model has no port 0 of its own (a range may start at it, `:HIGH`)"
                    ));
                }
                match &read {
                    None => {
                        notes.extend(names);
                        read = Some(spelled);
                    }
                    Some(first) if *first != spelled => {
                        return Err(format!(
                            "`{ports}` names other ports for {} than for {proto} ({first} and {spelled}): write one line per protocol",
                            protos[0]
                        ));
                    }
                    Some(_) => {}
                }
            }
            Ok(read)
        };
        let read = (resolve(dport), resolve(sport));
        self.note_at(line, notes);
        match read {
            (Ok(dport), Ok(sport)) => Some((dport, sport)),
            (Err(reason), _) | (_, Err(reason)) => {
                self.refuse(line, reason);
                None
            }
        }
    }

    /// One `[[rule]]`: the macro it names (if any), protocol and ports.
    fn write_rule(
        &mut self,
        line: &Line,
        written: &Written,
        (service_macro, proto, dport, sport): Service,
    ) {
        let (source, dest) = (written.source, written.dest);
        if self.firewall_to_itself(line, written, service_macro) {
            return;
        }
        // PROTO `tcp:syn` (`6:syn`) is tcp with `syn = true`.
        let syn_only = proto.as_deref().and_then(|p| match split_syn(p) {
            (name, Some(SynTest::First)) if port_protocol(name) == Some("tcp") => {
                Some(name.to_owned())
            }
            _ => None,
        });
        let syn = syn_only.is_some();
        let proto = syn_only.or(proto);
        let proto = match proto.map(|p| model_proto(&p, self.ipv6)).transpose() {
            Ok(proto) => proto,
            Err(reason) => return self.refuse(line, reason),
        };
        let (kind, header) = if self.blacklisting {
            (Kind::Blacklist, "blacklist")
        } else {
            (Kind::Rule, "rule")
        };
        let zones = self.named_zones(&[source, dest]);
        let family = rule_family(&[source, dest], proto.as_deref());
        self.declare_side_ipsets(&[source, dest], line);
        let mut rule = Table::array(&[header]);
        rule.push("action", written.target);
        rule.push_some("macro", service_macro);
        rule.push_some("reject_with", written.reject_with);
        let (source, dest) = match (self.endpoint(source), self.endpoint(dest)) {
            (Ok(source), Ok(dest)) => (source, dest),
            (Err(reason), _) | (_, Err(reason)) => return self.refuse(line, reason),
        };
        rule.push("source", source);
        rule.push("dest", dest);
        let icmp = proto.as_deref().is_some_and(icmp_protocol);
        let ipv4_icmp = !self.ipv6 && matches!(proto.as_deref(), Some("icmp" | "1"));
        rule.push_some("proto", proto);
        // Without PROTO the ports are a macro's own ones replaced (or an
        // error the model reports).
        let port_key = if icmp { "icmp_type" } else { "dport" };
        let dport = match (dport.as_deref().filter(|_| icmp))
            .map(|types| iptables_icmp_types(types, ipv4_icmp))
        {
            None => dport,
            Some(Ok((types, notes))) => {
                self.note_at(line, notes);
                (types != "any").then_some(types)
            }
            Some(Err(reason)) => return self.refuse(line, reason),
        };
        rule.push_some(port_key, dport);
        rule.push_some("sport", sport);
        if syn {
            rule.push("syn", true);
        }
        push_log(&mut rule, written.log);
        push_audit(&mut rule, written.audit);
        for (key, value) in written.limits.unwrap_or_default() {
            rule.push(key, value.clone());
        }
        rule.push_some("comment", written.comment);
        self.add(kind, "", zones, family, line, rule);
    }

    /// A rule of the firewall's traffic to itself (`$FW $FW`, or the
    /// firewall zone's name), which Shorewall puts in its fw-fw chain
    /// (`OUTPUT -o lo -j fw-fw`). A plain ACCEPT there changes nothing:
    /// the fw-fw policy an import keeps is ACCEPT (any other is refused),
    /// and Shorewall's optimizer drops the chain for `OUTPUT -o lo -j
    /// ACCEPT` (checked with `shorewall compile`); fwgen accepts that
    /// traffic by its loopback rule. Noted, and `true`. A logged, audited
    /// or helper-attaching ACCEPT does more; another action filters that
    /// traffic: each is refused, as fwgen's loopback has no rules.
    fn firewall_to_itself(
        &mut self,
        line: &Line,
        written: &Written,
        service_macro: Option<&str>,
    ) -> bool {
        let firewall = |side: &str| {
            let zone = side.split_once(':').map_or(side, |(zone, _)| zone);
            self.zone_name(zone) == "$FW"
        };
        if !firewall(written.source) || !firewall(written.dest) {
            return false;
        }
        // A stock macro whose every line takes the call's ACCEPT, and
        // which attaches no helper.
        let accepts_only = service_macro.is_none_or(|name| {
            stock_macro(name).is_some_and(|m| m.helper.is_none() && m.every_line_takes_param())
        });
        let more = written.log.is_some_and(level_logs)
            || written.audit
            || written
                .limits
                .unwrap_or_default()
                .iter()
                .any(|(key, _)| *key == "helper");
        let call = match service_macro {
            Some(name) => format!("{name}({})", written.target),
            None => written.target.to_owned(),
        };
        let what = format!("`{call} {} {}`", written.source, written.dest);
        // blrules' ACCEPT (read as WHITELIST) sends the traffic on to the
        // rules, and Shorewall compiles nothing for it: `OUTPUT -o lo -j
        // ACCEPT` as without it.
        let whitelisted = self.blacklisting && written.target == "WHITELIST";
        if whitelisted && accepts_only && !more {
            self.notes.push(format!(
                "{}:{}: {what} leaves the firewall's traffic to itself to the rules, which accept it (fw-fw), and so does fwgen (loopback): no entry is written for it",
                line.file, line.number
            ));
        } else if written.target == "ACCEPT" && accepts_only && !more {
            self.notes.push(format!(
                "{}:{}: {what} accepts the firewall's traffic to itself, which the fw-fw policy accepts anyway, and so does fwgen (loopback): no entry is written for it",
                line.file, line.number
            ));
        } else if written.target == "ACCEPT" && accepts_only {
            self.refuse(line, format!(
                "{what} with a log level, an audit or a helper does more than accept the firewall's traffic to itself (Shorewall's fw-fw chain, `OUTPUT -o lo`): fwgen accepts that traffic by its loopback rule alone"
            ));
        } else {
            self.refuse(line, format!(
                "{what} filters the firewall's traffic to itself (Shorewall's fw-fw chain, `OUTPUT -o lo`); fwgen accepts all of that traffic (loopback) and has no rules for it"
            ));
        }
        true
    }

    /// The ORIGDEST column's addresses and networks (IPv6 ones without
    /// their brackets; none for `-`); `None` once the line is refused for
    /// one.
    fn origdest_list(&mut self, line: &Line, column: Option<String>) -> Option<Vec<String>> {
        let Some(text) = column else {
            return Some(Vec::new());
        };
        if let Some(reason) = self.bracket_problem(&text) {
            self.refuse(line, format!("ORIGDEST {reason}"));
            return None;
        }
        // shorewall-exclusion(5): `ADDR,...!ADDR,...` or `!ADDR,...`; the
        // model marks each left-out address with its own `!`.
        let list = |part: &str| -> Vec<String> {
            part.split(',').map(|a| a.replace(['[', ']'], "")).collect()
        };
        let origdest: Vec<String> = match text.split_once('!') {
            None => list(&text),
            Some((taken, left_out)) => (taken.is_empty().then(Vec::new))
                .unwrap_or_else(|| list(taken))
                .into_iter()
                .chain(list(left_out).into_iter().map(|a| format!("!{a}")))
                .collect(),
        };
        let address = |a: &String| a.strip_prefix('!').unwrap_or(a).to_owned();
        if let Some(bad) = origdest.iter().find(|a| {
            let a = address(a);
            a.starts_with('&') || a.contains('!') || a.contains('-') || a.is_empty()
        }) {
            let what = if address(bad).starts_with('&') {
                "an interface's address when the firewall starts, which fwgen takes only in a rule's SOURCE and DEST"
            } else if address(bad).contains('!') || address(bad).is_empty() {
                "not an exclusion shorewall-exclusion(5) allows (one `!`, an address after it)"
            } else {
                "an address range: shorewall-rules(5) allows none in ORIGDEST"
            };
            self.refuse(line, format!("ORIGDEST `{bad}` is {what}"));
            return None;
        }
        Some(origdest)
    }

    /// The columns DNAT and REDIRECT read alike: SOURCE, DEST, PROTO and
    /// DPORT (each required: `needs` says so), SPORT and ORIGDEST; `None`
    /// once a refusal is recorded.
    fn forwarded_columns(
        &mut self,
        line: &Line,
        columns: &[String],
        needs: &str,
        with_macro: bool,
    ) -> Option<Forwarded> {
        let get = |i: usize| columns.get(i).filter(|c| *c != "-").cloned();
        let (source, dest, proto, dport) = (get(1), get(2), get(3), get(4));
        let (Some(source), Some(dest)) = (source, dest) else {
            self.refuse(line, needs);
            return None;
        };
        // A macro gives the protocols and ports the call leaves out; the
        // call's DPORT or SPORT then replace the macro's on each line, whose
        // PROTO Rules.pm's process_macro keeps (`HTTP(DNAT) net
        // loc:ADDR - - 1024:65535`).
        if !with_macro && (proto.is_none() || dport.is_none()) {
            self.refuse(line, needs);
            return None;
        }
        // PROTO as resolve_proto reads it (`06` is 6), as a rule's.
        let proto = match proto
            .map(|p| self.protocols.resolve_in(&p, self.ipv6))
            .transpose()
        {
            Ok(proto) => proto.map(|(proto, note)| {
                self.note_at(line, note);
                proto
            }),
            Err(reason) => {
                self.refuse(line, reason);
                return None;
            }
        };
        // `tcp:syn` (do_proto's `--syn`, on the nat rule and the accept).
        if let Some(reason) =
            (proto.as_deref()).and_then(|p| syn_refused(p, "`[[dnat]]` and `[[redirect]]` entries"))
        {
            self.refuse(line, reason);
            return None;
        }
        let listed = |c: &Option<String>| c.as_ref().is_some_and(|c| c.contains(','));
        if get(5).is_some()
            && (listed(&dport) || listed(&get(5)))
            && self.optimize().is_some_and(|(_, level)| level & 4 != 0)
        {
            self.note_at(line, ["SPORT beside a port list (`-m multiport` twice in the nat rule): where this is the only DNAT or REDIRECT from its zone, Shorewall's OPTIMIZE level 4 (Chains.pm optimize_level4, copying the one-rule ZONE_dnat chain into PREROUTING) loses the nat rule's --sports, so Shorewall translates connections from every source port and its accept rule then takes those SPORT allows; fwgen's translation keeps SPORT, as shorewall-rules(5) says".to_owned()]);
        }
        let (dport, sport) = self.ports(line, proto.as_deref(), dport, get(5))?;
        let origdest = self.origdest_list(line, get(6))?;
        Some(Forwarded {
            source,
            dest,
            proto,
            dport,
            sport,
            origdest,
        })
    }

    /// The first macro that `stock` calls, at any depth, which the
    /// directory replaces, where the model's stock macro expands
    /// Shorewall's own: a site action of its name (Rules.pm's
    /// process_macro takes `$targets{$action}`, the actions file's among
    /// them, before find_macro: `Web` runs the site's action HTTP), or a
    /// site macro (find_macro looks every macro up along CONFIG_PATH, the
    /// directory first, a nested call as well: the site's macro.HTTP).
    pub(super) fn overridden_within(&self, stock: &StockMacro) -> Option<Overridden> {
        let mut pending = vec![stock];
        // The stock macros nest a few deep and never in a circle; the
        // bound only keeps a mistaken table from looping.
        for _ in 0..256 {
            let current = pending.pop()?;
            let lines = current
                .lines
                .iter()
                .chain(current.ipv6_lines.unwrap_or_default());
            for line in lines {
                let name = line.action.strip_suffix("(PARAM)").unwrap_or(line.action);
                if self.site_action_files.iter().any(|site| site == name) {
                    return Some(Overridden { name, action: true });
                }
                if self.site_macro_files.iter().any(|site| site == name) {
                    return Some(Overridden {
                        name,
                        action: false,
                    });
                }
                pending.extend(stock_macro(name).filter(|inner| inner.name != current.name));
            }
        }
        None
    }

    /// The stock macro a DNAT or REDIRECT line calls (`HTTP(DNAT)`), as
    /// the model carries it: Rules.pm expands each of its lines with the
    /// action for PARAM. A site macro, a line the way back or of another
    /// action, and a line without a port are refused with the reason.
    fn forward_macro(&self, name: &str, action: &str) -> Result<&'static str, String> {
        if self.site_macro_files.iter().any(|site| site == name) {
            return Err(format!(
                "`{name}({action})` calls the site's macro.{name}: a site macro with {action} is not in fwgen's import"
            ));
        }
        let Some(stock) = stock_macro(name) else {
            return Err(format!(
                "`{name}` is no macro Shorewall 5.2 knows (Shorewall names macros by their exact file name, macro.NAME), and Shorewall refuses the line"
            ));
        };
        if let Some(inner) = self.overridden_within(stock) {
            return Err(overridden_refusal(name, inner));
        }
        // Without AUTOHELPERS' shipped lines no helper is attached, as
        // fwgen's port forwards attach none.
        if let Some(helper) = stock.helper.filter(|_| {
            !self.settings.carried.conntrack_helpers && self.settings.helpers_unlisted.is_none()
        }) {
            return Err(format!(
                "`{name}({action})` under AUTOHELPERS=No: Shorewall's macro.{name} attaches the `{helper}` conntrack helper, which fwgen's port forwards and redirects do not carry"
            ));
        }
        let found = Macro {
            name: stock.name,
            stock: Some(stock),
        };
        let call = MacroCall {
            action: Some(if action == "DNAT" { "DNAT" } else { "REDIRECT" }),
            ..MacroCall::default()
        };
        let parts = found
            .expand(&call)
            .map_err(|reason| format!("`{name}`: {reason}"))?;
        forward_services(stock.name, &parts)
            .map_err(|reason| format!("`{name}({action})`: {reason}"))?;
        Ok(stock.name)
    }

    /// `DNAT SOURCE ZONE:ADDR[:PORT] PROTO DPORT [SPORT]`.
    fn dnat(&mut self, line: &Line, columns: &[String], forward: &Forward) {
        let needs = "a DNAT rule needs SOURCE, DEST, PROTO and DPORT (or a macro that gives them)";
        let Some(Forwarded {
            source,
            dest,
            proto,
            dport,
            sport,
            origdest,
        }) = self.forwarded_columns(line, columns, needs, forward.service_macro.is_some())
        else {
            return;
        };
        let Some((zone, target)) = dest.split_once(':') else {
            self.refuse(line, "a DNAT target needs ZONE:ADDRESS (fwgen's port forward names the target's zone, also for DNAT-, where Shorewall ignores it)");
            return;
        };
        let (address, port) = match self.dnat_server(target) {
            Ok(server) => server,
            Err(reason) => return self.refuse(line, reason),
        };
        if address.is_empty() {
            let reason = match port {
                _ if target.is_empty() => format!(
                    "Shorewall refuses it (\"Missing DEST Qualifier ({dest})\"): write `{zone}:ADDRESS`"
                ),
                None => "Shorewall refuses it (\"A server and/or port must be specified in the DEST column in DNAT rules\"): write `ZONE:ADDRESS`".to_owned(),
                Some(port) => format!(
                    "`{dest}` changes only the port (Shorewall writes `--to-destination :{port}`, each connection keeping the address it was sent to); fwgen's port forward names its server: write `{zone}:ADDRESS:{port}`, or REDIRECT for a port on the firewall"
                ),
            };
            return self.refuse(line, reason);
        }
        let to_port = match port
            .map(|p| self.server_port(line, p, proto.as_deref()))
            .transpose()
        {
            Ok(to_port) => to_port.map(|p| Value::Integer(i64::from(p))),
            Err(()) => return,
        };
        let endpoint = match self.endpoint(&source) {
            Ok(endpoint) => endpoint,
            Err(reason) => return self.refuse(line, reason),
        };
        let mut table = Table::array(&["dnat"]);
        table.push_some("macro", forward.service_macro);
        table.push("source", endpoint);
        table.push("dest", zone);
        table.push("to", address);
        table.push_some("proto", proto);
        table.push_some("dport", dport);
        table.push_some("sport", sport);
        if !origdest.is_empty() {
            table.push("origdest", Value::strings(&origdest));
        }
        table.push_some("to_port", to_port);
        if !forward.accept {
            table.push("accept", false);
        }
        push_log(&mut table, forward.log);
        table.push_some("comment", forward.comment);
        let rate = columns.get(7).filter(|c| *c != "-");
        let mut notes = Vec::new();
        match rate
            .map(|text| limits::rate_keys(text, &mut notes))
            .transpose()
        {
            Ok(keys) => {
                self.note_at(line, notes);
                for (key, value) in keys.into_iter().flatten() {
                    if key == "rate_table" {
                        let reason = "a RATE table on a DNAT rule: fwgen's port forward has a rate of its own (no `rate_table`)";
                        return self.refuse(line, reason);
                    }
                    table.push(key, value);
                }
            }
            Err(reason) => return self.refuse(line, reason),
        }
        let family = Some(address.contains(':'));
        let zone = zone.to_owned();
        self.add_per_source(line, &source, Some(&zone), family, table);
    }

    /// A port forward or redirect from each zone of its SOURCE, as
    /// Rules.pm's process_raw_rule1 makes a rule of each zone that
    /// build_zone_list gives: a zone list (`net,loc`; `net,loc+` keeps the
    /// destination's zone) or a wildcard other than plain `all`, the
    /// model's own (`all-`, `all+`, `all!loc`, `any`: the firewall first,
    /// then the zones in the zones file's order). A wildcard or list
    /// leaves out the destination's zone (`$FW` for a redirect) unless
    /// `+` keeps it, and addresses after the zones go with each.
    fn add_per_source(
        &mut self,
        line: &Line,
        source: &str,
        dest_zone: Option<&str>,
        family: Option<bool>,
        table: Table,
    ) {
        let dest = dest_zone.unwrap_or(&self.firewall).to_owned();
        let sources = match self.forward_sources(source, &dest) {
            Ok(None) => vec![source.to_owned()],
            Ok(Some(sources)) => {
                let named: Vec<String> = sources
                    .iter()
                    .map(|s| self.zone_name(s.split(':').next().unwrap_or_default()))
                    .collect();
                let note = match named.as_slice() {
                    [] => format!(
                        "makes no rule: each zone of SOURCE `{source}` is the destination's, which a zone list or wildcard leaves out without `+` (Shorewall warns \"Entry generated no iptables rules\")"
                    ),
                    _ => format!(
                        "SOURCE `{source}` is a {} from each of {}, as Rules.pm makes a rule of each zone it stands for",
                        match dest_zone {
                            Some(_) => "port forward",
                            None => "redirect",
                        },
                        named.join(", ")
                    ),
                };
                self.notes
                    .push(format!("{}:{}: {note}", line.file, line.number));
                sources
            }
            Err(reason) => return self.refuse(line, reason),
        };
        for source in sources {
            let mut one = table.clone();
            if let Some(value) = one.get_mut("source") {
                match self.endpoint(&source) {
                    Ok(endpoint) => *value = Value::String(endpoint),
                    Err(reason) => return self.refuse(line, reason),
                }
            }
            let sides: Vec<&str> = std::iter::once(source.as_str()).chain(dest_zone).collect();
            let zones = self.named_zones(&sides);
            self.add_per_protocol(zones, family, line, one);
        }
    }

    /// The sources [`Self::add_per_source`] makes a rule of each, `None`
    /// for a SOURCE the model reads as written.
    fn forward_sources(&self, source: &str, dest: &str) -> Result<Option<Vec<String>>, String> {
        let (zones, rest) = match source.split_once(':') {
            Some((zones, rest)) => (zones, Some(rest)),
            None => (source, None),
        };
        let (candidates, keep_dest) = if let Some((flags, excluded)) = wildcard_side(zones) {
            if zones == "all" {
                return Ok(None);
            }
            if !matches!(flags, "" | "+" | "-" | "+-" | "-+") {
                return Err(format!(
                    "SOURCE `{source}`: Shorewall refuses it (\"Invalid SOURCE ({zones})\")"
                ));
            }
            if zones.starts_with("any") && self.nested {
                return Err(format!(
                    "SOURCE `{source}`: `any` in a port forward or redirect with nested zones (Shorewall's top-level zones alone) is not in fwgen's import: write the zones as a list"
                ));
            }
            let firewall = self.firewall.as_str();
            let mut left_out: Vec<&str> = Vec::new();
            if !excluded.is_empty() || zones.ends_with('!') {
                for name in excluded.split(',') {
                    let name = if name == "$FW" { firewall } else { name };
                    let known = name == firewall || self.zones.iter().any(|z| z == name);
                    if !known {
                        return Err(format!(
                            "SOURCE `{source}` leaves out `{name}`, which is no zone (Shorewall: \"Unknown zone ({name})\")"
                        ));
                    }
                    left_out.push(name);
                }
            }
            if flags.contains('-') {
                left_out.push(firewall);
            }
            let all = std::iter::once(firewall)
                .chain(self.zones.iter().map(String::as_str))
                .filter(|zone| !left_out.contains(zone))
                .map(str::to_owned)
                .collect::<Vec<_>>();
            (all, flags.contains('+'))
        } else if zones.contains(',') {
            let (list, keep_dest) = match zones.strip_suffix('+') {
                Some(list) => (list, true),
                None => (zones, false),
            };
            let items: Vec<String> = (list.split(','))
                .map(|zone| if zone == "$FW" { &self.firewall } else { zone })
                .map(str::to_owned)
                .collect();
            if let Some(bad) = items
                .iter()
                .find(|z| z.is_empty() || wildcard_side(z).is_some())
            {
                let refusal = match bad.is_empty() {
                    true => "Invalid zone list".to_owned(),
                    false => format!("Unknown source zone ({bad})"),
                };
                return Err(format!(
                    "SOURCE `{source}`: Shorewall refuses a zone list holding an empty name or a wildcard (\"{refusal}\")"
                ));
            }
            (items, keep_dest)
        } else {
            return Ok(None);
        };
        Ok(Some(
            candidates
                .into_iter()
                .filter(|zone| keep_dest || zone != dest)
                .map(|zone| match rest {
                    Some(rest) => format!("{zone}:{rest}"),
                    None => zone,
                })
                .collect(),
        ))
    }

    /// A port forward or redirect for each protocol of its PROTO list, as
    /// Rules.pm makes a DNAT (REDIRECT) rule of each (`tcp,udp`): the
    /// model's entry takes one protocol.
    fn add_per_protocol(
        &mut self,
        zones: Vec<String>,
        family: Option<bool>,
        line: &Line,
        table: Table,
    ) {
        let protos: Vec<String> = match table.get("proto") {
            Some(Value::String(list)) if list.contains(',') => {
                list.split(',').map(str::to_owned).collect()
            }
            _ => return self.add(Kind::Rule, "", zones, family, line, table),
        };
        for proto in protos {
            let mut one = table.clone();
            if let Some(value) = one.get_mut("proto") {
                *value = Value::String(proto);
            }
            self.add(Kind::Rule, "", zones.clone(), family, line, one);
        }
    }

    /// `REDIRECT SOURCE [$FW:]PORT PROTO DPORT [SPORT]`.
    fn redirect(&mut self, line: &Line, columns: &[String], forward: &Forward) {
        let needs = "a REDIRECT rule needs SOURCE, DEST (the local port), PROTO and DPORT (or a macro that gives them)";
        let Some(Forwarded {
            source,
            dest,
            proto,
            dport,
            sport,
            origdest,
        }) = self.forwarded_columns(line, columns, needs, forward.service_macro.is_some())
        else {
            return;
        };
        if let Some(reason) = random_refused(&dest, "redirect") {
            self.refuse(line, reason);
            return;
        }
        // shorewall-rules(5): a REDIRECT's DEST is `[$FW:]:PORT` or PORT;
        // in `$FW:PORT` Rules.pm reads PORT as a server address.
        let port = match dest.split_once(':') {
            None => dest.as_str(),
            Some((zone, rest)) if zone == "$FW" || zone == self.firewall => {
                match rest.strip_prefix(':') {
                    Some(port) => port,
                    None => {
                        self.refuse(
                            line,
                            format!("a REDIRECT's DEST is `$FW::PORT` or PORT: Shorewall refuses `{dest}` (\"A server IP address ({rest}) may not be specified in a REDIRECT rule\")"),
                        );
                        return;
                    }
                }
            }
            Some(_) => {
                self.refuse(
                    line,
                    "a REDIRECT's DEST is a port on the firewall: [$FW:]:PORT",
                );
                return;
            }
        };
        let Ok(to_port) = self.server_port(line, port, proto.as_deref()) else {
            return;
        };
        let Ok(to_port) = u16::try_from(to_port) else {
            self.refuse(
                line,
                format!("a REDIRECT's DEST `{dest}` is not one port number"),
            );
            return;
        };
        // An ORIGDEST address binds the redirect to its family.
        let family = rule_family(&[source.as_str()], proto.as_deref())
            .or_else(|| origdest.first().map(|a| a.contains(':')));
        let endpoint = match self.endpoint(&source) {
            Ok(endpoint) => endpoint,
            Err(reason) => return self.refuse(line, reason),
        };
        let mut table = Table::array(&["redirect"]);
        table.push_some("macro", forward.service_macro);
        table.push("source", endpoint);
        table.push_some("proto", proto);
        table.push_some("dport", dport);
        table.push_some("sport", sport);
        if !origdest.is_empty() {
            table.push("origdest", Value::strings(&origdest));
        }
        table.push("to_port", to_port);
        if !forward.accept {
            table.push("accept", false);
        }
        push_log(&mut table, forward.log);
        table.push_some("comment", forward.comment);
        self.add_per_source(line, &source, None, family, table);
    }

    fn snat(&mut self) {
        let mut comment: Option<String> = None;
        let mut format = 1;
        let snat_lines = self.lines("snat");
        let masq_lines = self.lines("masq");
        // Rules.pm setup_snat: while masq has an entry, Nat.pm's
        // convert_masq compiles masq alone, appends its entries converted
        // to snat and renames masq to masq.bak; snat's own entries are not
        // read until the next compile, and then come first.
        let masq_entry = masq_lines.iter().find(|l| !is_directive(&l.text));
        let masq_shadows = masq_entry.map(|l| format!("{}:{}", l.file, l.number));
        for mut line in snat_lines {
            if let Some(read) = self.format_line(&line) {
                format = read;
                continue;
            }
            if let Some(text) = line.text.strip_prefix("?COMMENT") {
                comment = self.comment(&line, text);
                continue;
            }
            if let Some(masq) = &masq_shadows
                && !is_directive(&line.text)
            {
                self.refuse(
                    &line,
                    format!(
                        "Shorewall does not read this snat line while the masq file has entries ({masq}): it compiles masq alone, appends masq's entries converted to the end of snat and renames masq to masq.bak (Nat.pm convert_masq), so this line takes effect only from the next compile, ahead of them; merge the two as that conversion does (masq's entries at the end of snat, masq removed) or empty one of them"
                    ),
                );
                continue;
            }
            line.comment = line.comment.or_else(|| comment.clone());
            let names = if format == 2 {
                SNAT2_COLUMNS
            } else {
                SNAT_COLUMNS
            };
            let Some(columns) = self.split(&line, names) else {
                continue;
            };
            let (Some(action), Some(sources), Some(interface)) =
                (columns.first(), columns.get(1), columns.get(2))
            else {
                self.refuse(&line, "an snat entry needs ACTION, SOURCE and DEST");
                continue;
            };
            let Ok(matches) = self.nat_matches(&line, &columns, names) else {
                continue;
            };
            // `SNAT+(...)`, `MASQUERADE+`: ahead of the nat file's
            // one-to-one NAT (the IFACE_snat chain); CONTINUE+ stays refused.
            let (action, before_nat) = match action
                .strip_prefix("MASQUERADE+")
                .or_else(|| action.strip_prefix("SNAT+"))
            {
                Some(rest) if rest.is_empty() || rest.starts_with('(') => {
                    (action.replacen('+', "", 1), true)
                }
                _ => (action.clone(), false),
            };
            // SNAT(:PORTS) keeps the address: iptables' `--to-source :PORTS`.
            let keep = action
                .strip_prefix("SNAT(")
                .is_some_and(|a| a.starts_with(':'));
            let to = match action.as_str() {
                "MASQUERADE" => None,
                // MASQUERADE(PORTS[:random]) or MASQUERADE(random), as
                // the masq file's ADDRESS writes it (`:PORTS`, `random`).
                other if other.starts_with("MASQUERADE(") && other.ends_with(')') => {
                    let args = &other["MASQUERADE(".len()..other.len() - 1];
                    Some(match args {
                        "random" => args.to_owned(),
                        _ => format!(":{args}"),
                    })
                }
                // No translation, and none by the later lines: `to = "none"`.
                "CONTINUE" => Some("none".to_owned()),
                other => match other
                    .strip_prefix("SNAT(")
                    .and_then(|a| a.strip_suffix(')'))
                {
                    Some(address) if keep || !names_none(address) => Some(address.to_owned()),
                    _ => {
                        self.refuse(&line, snat_action_refusal(other));
                        continue;
                    }
                },
            };
            let address = match (keep, to.as_deref()) {
                (true, Some(ports)) => self.snat_keep(ports),
                (_, to) => parsed_address(to),
            };
            let mut address = match address {
                Ok(address) => address,
                Err(reason) => {
                    self.refuse(&line, reason);
                    continue;
                }
            };
            self.note_at(&line, std::mem::take(&mut address.notes));
            for matched in &matches {
                self.source_nat(&line, interface, sources, &address, matched, before_nat);
            }
        }
        let mut comment: Option<String> = None;
        for mut line in masq_lines {
            if let Some(text) = line.text.strip_prefix("?COMMENT") {
                comment = self.comment(&line, text);
                continue;
            }
            line.comment = line.comment.or_else(|| comment.clone());
            let Some(columns) = self.split(&line, MASQ_COLUMNS) else {
                continue;
            };
            let Some(interface) = columns.first().filter(|i| *i != "-") else {
                self.refuse(&line, "a masq entry needs an INTERFACE");
                continue;
            };
            // `+INTERFACE` (Nat.pm): ahead of the nat file's one-to-one NAT.
            let (interface, before_nat) = match interface.strip_prefix('+') {
                Some(interface) => (interface, true),
                None => (interface.as_str(), false),
            };
            // An empty SOURCE is every source, as Shorewall pads it with `-`.
            let sources = columns.get(1).map_or("-", String::as_str);
            let Ok(matches) = self.nat_matches(&line, &columns, MASQ_COLUMNS) else {
                continue;
            };
            let to = columns.get(2).filter(|a| *a != "-").cloned();
            // NONAT: no translation (Nat.pm `-j RETURN`), the snat file's CONTINUE.
            let to = match to.as_deref() {
                Some("NONAT") => Some("none".to_owned()),
                _ => to,
            };
            if columns.get(2).is_some_and(|a| names_none(a)) {
                self.refuse(&line, "masq ADDRESS `none` is no address");
                continue;
            }
            if let Some(reason) = to.as_deref().and_then(masq_flags_refused) {
                self.refuse(&line, reason);
                continue;
            }
            let mut address = match parsed_address(to.as_deref()) {
                Ok(address) => address,
                Err(reason) => {
                    self.refuse(&line, reason);
                    continue;
                }
            };
            self.note_at(&line, std::mem::take(&mut address.notes));
            for matched in &matches {
                self.source_nat(&line, interface, sources, &address, matched, before_nat);
            }
        }
    }

    /// What an snat or masq line matches beyond its addresses: one
    /// [`NatMatch`] per protocol of its PROTO column (Rules.pm
    /// `process_snat` makes one rule of each), with its PORT(S)/DPORT and
    /// MARK columns; `Err` once the line is refused: for another column
    /// after the third (SPORT, IPSEC, USER, SWITCH, ORIGDEST, PROBABILITY),
    /// named, or a protocol, port or mark the model refuses.
    fn nat_matches(
        &mut self,
        line: &Line,
        columns: &[String],
        names: &[(&str, usize)],
    ) -> Result<Vec<NatMatch>, ()> {
        let at = |name: &str| names.iter().find(|(n, _)| *n == name).map(|(_, i)| *i);
        let (proto_at, port_at) = (at("proto").unwrap_or(3), at("port").unwrap_or(4));
        let mark_at = at("mark").unwrap_or(port_at + 2);
        let unmodelled = (port_at + 1..columns.len())
            .filter(|&i| i != mark_at)
            .find(|&i| columns[i] != "-");
        if let Some(i) = unmodelled {
            let name = names
                .iter()
                .find(|(_, at)| *at == i)
                .map_or("?", |(n, _)| n);
            self.refuse(
                line,
                format!(
                    "{} column {} (`{}`) is not in fwgen's model",
                    line.file,
                    name.to_ascii_uppercase(),
                    columns[i]
                ),
            );
            return Err(());
        }
        let get = |i: usize| columns.get(i).filter(|c| *c != "-").cloned();
        let mark = self.nat_mark(line, get(mark_at))?;
        let (protos, port) = (get(proto_at), get(port_at));
        let Some(protos) = protos else {
            if let Some(port) = port {
                let reason = format!(
                    "PORT(S) `{port}` without a PROTO: Shorewall refuses ports without a protocol"
                );
                self.refuse(line, reason);
                return Err(());
            }
            let proto = None;
            return Ok(vec![NatMatch {
                proto,
                dport: None,
                mark,
            }]);
        };
        if let Some(reason) = syn_refused(&protos, "`[[snat]]` and `[[masquerade]]` entries") {
            self.refuse(line, reason);
            return Err(());
        }
        let mut matches = Vec::new();
        for proto in protos.split(',') {
            let proto = match self.protocols.resolve_in(proto, self.ipv6) {
                Ok((spelled, note)) => {
                    self.note_at(line, note);
                    spelled
                }
                Err(reason) => {
                    self.refuse(line, format!("PROTO: {reason}"));
                    return Err(());
                }
            };
            let dport = self.nat_port(line, &proto, port.clone())?;
            let proto = match model_proto(&proto, self.ipv6) {
                Ok(proto) => proto,
                Err(reason) => {
                    self.refuse(line, format!("PROTO: {reason}"));
                    return Err(());
                }
            };
            let mark = mark.clone();
            matches.push(NatMatch {
                proto: Some(proto),
                dport,
                mark,
            });
        }
        Ok(matches)
    }

    /// The PORT(S)/DPORT column of an snat or masq line for one of its
    /// protocols, names resolved as Shorewall resolves them.
    fn nat_port(
        &mut self,
        line: &Line,
        proto: &str,
        port: Option<String>,
    ) -> Result<Option<String>, ()> {
        let refused = if proto.starts_with(['!', '+']) {
            Some(format!(
                "PROTO `{proto}`: a negated protocol or an ipset of ports is not in fwgen's source NAT model"
            ))
        } else if port.as_deref().is_some_and(|p| p.starts_with(['!', '+'])) {
            Some(format!(
                "PORT(S) `{}`: a negated port list or an ipset is not in fwgen's source NAT model",
                port.as_deref().unwrap_or_default()
            ))
        } else if port.is_some() && !matches!(port_protocol(proto), Some("tcp" | "udp")) {
            Some(format!(
                "PORT(S) with PROTO `{proto}`: fwgen's source NAT entries take ports of tcp and udp only"
            ))
        } else {
            None
        };
        if let Some(reason) = refused {
            self.refuse(line, reason);
            return Err(());
        }
        let proto = proto.to_ascii_lowercase();
        let (dport, _) = self.ports(line, Some(&proto), port, None).ok_or(())?;
        Ok(dport)
    }

    /// A DNAT's server and server port as Nat.pm's handle_nat_rule
    /// isolates them: Shorewall's port follows the last colon
    /// (`10.0.0.5:8080`); Shorewall6's follows a bracketed address
    /// (`[2001:db8::5]:8080`), and an unbracketed `2001:db8::5:80` is an
    /// address alone. Shorewall's validate_address refuses a bracketed
    /// IPv4 server.
    fn dnat_server<'a>(&self, target: &'a str) -> Result<(&'a str, Option<&'a str>), String> {
        // A lone `:` is no server and no port.
        if target == ":" {
            return Ok(("", None));
        }
        if let Some(reason) = random_refused(target, "port forward") {
            return Err(reason);
        }
        if self.ipv6 {
            // `[FIRST]-[LAST]`, which Nat.pm joins into a range.
            if target.contains("]-[") {
                return Err(format!(
                    "`{target}` is an address range, which Shorewall accepts here; fwgen's model has no such form here"
                ));
            }
            let Some(inner) = target.strip_prefix('[') else {
                return Ok((target, None));
            };
            return Ok(match inner.rsplit_once("]:") {
                Some((server, port)) if !port.is_empty() => (server, Some(port)),
                _ => (inner.strip_suffix(']').unwrap_or(target), None),
            });
        }
        let (server, port) = match target.rsplit_once(':') {
            Some((server, port)) if !port.is_empty() => (server, Some(port)),
            _ => (target, None),
        };
        if server.starts_with('[') {
            return Err(format!(
                "`{target}`: Shorewall refuses a bracketed IPv4 server (\"Unknown Host ({server})\"); write `ADDRESS:PORT`"
            ));
        }
        Ok((server, port))
    }

    /// A DNAT or REDIRECT server port as Nat.pm reads it (validate_port,
    /// with the rule's PROTO): a number as Config.pm's numeric_value reads
    /// it (a leading 0 octal, noted) or a service name, noted with its
    /// port; `Err` once refused, a range of server ports among them.
    fn server_port(&mut self, line: &Line, port: &str, proto: Option<&str>) -> Result<u32, ()> {
        let range = port.split_once('-').is_some_and(|(low, high)| {
            [low, high]
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        });
        if range {
            self.refuse(line, format!("`{port}` is a range of server ports, onto which Shorewall spreads the connections (DNAT's `--to-destination ADDRESS:LOW-HIGH`, REDIRECT's `--to-port LOW-HIGH`): fwgen's `to_port` is one port"));
            return Err(());
        }
        // A list's protocols each take the port (a rule of each): a
        // service name must be the same port in each.
        let protos: Vec<&str> = match proto {
            Some(list) => (list.split(','))
                .map(|p| port_protocol(p).unwrap_or_default())
                .collect(),
            None => vec![""],
        };
        let mut read = None;
        for proto in &protos {
            let number = self.server_port_of(line, port, proto)?;
            match read {
                Some(first) if first != number => {
                    self.refuse(line, format!("server port `{port}` is {first} for {} and {number} for {proto}: write one line per protocol", protos[0]));
                    return Err(());
                }
                _ => read = Some(number),
            }
        }
        read.ok_or(())
    }

    /// [`Importer::server_port`] for one protocol (`""` for none).
    fn server_port_of(&mut self, line: &Line, port: &str, proto: &str) -> Result<u32, ()> {
        let resolved = (!port.contains(',') && !port.contains(':'))
            .then(|| self.services.resolve(port, proto))
            .map(|resolved| resolved.map(|(number, names)| (number.parse::<u32>(), names)));
        match resolved {
            Some(Ok((Ok(0), _))) => {
                self.refuse(line, format!("server port `{port}` is port 0: Shorewall refuses it (\"Invalid/Unknown {proto} port/service ({port})\")"));
                Err(())
            }
            Some(Ok((Ok(number), names))) => {
                self.note_at(line, names);
                Ok(number)
            }
            Some(Err(reason)) => {
                self.refuse(line, reason);
                Err(())
            }
            Some(Ok((Err(_), _))) | None => {
                self.refuse(line, format!("`{port}` is not one port: Shorewall refuses it (\"Invalid/Unknown {proto} port/service ({port})\")"));
                Err(())
            }
        }
    }

    /// The MARK column of an snat or masq line as the model's `mark`;
    /// `Err` once the line is refused: a mark the model refuses, or a mark
    /// layout of shorewall.conf other than the default fwgen writes.
    fn nat_mark(&mut self, line: &Line, mark: Option<String>) -> Result<Option<String>, ()> {
        let Some(written) = mark else {
            return Ok(None);
        };
        // Chains.pm verify_mark reads VALUE and MASK with numeric_value
        // and writes them as they stand (`--mark 010/0xff`), which
        // iptables reads in the same bases: `010` is 8.
        let (bang, test) = match written.strip_prefix('!') {
            Some(test) => ("!", test),
            None => ("", written.as_str()),
        };
        let mut numbers = Vec::new();
        for number in test.split('/') {
            if !number.bytes().all(|b| b.is_ascii_digit()) {
                numbers.push(number.to_owned());
                continue;
            }
            let Some(value) = numeric::numeric_value(number) else {
                self.refuse(line, format!("MARK `{written}`: Shorewall refuses it (\"Invalid Mark or Mask value ({number})\"): a leading 0 is octal"));
                return Err(());
            };
            if value.to_string() != number {
                self.note_at(line, [format!("MARK `{number}` is {value}: Shorewall reads a number with a leading 0 as octal (Config.pm numeric_value), as iptables does")]);
            }
            numbers.push(value.to_string());
        }
        let mark = format!("{bang}{}", numbers.join("/"));
        if let Err(reason) = crate::model::MarkTest::parse(&mark) {
            self.refuse(line, format!("MARK `{mark}`: {reason}"));
            return Err(());
        }
        let vars = &self.vars;
        let layout: Vec<String> = MARK_LAYOUT
            .iter()
            .filter_map(|(key, default)| {
                let value = vars.get(*key)?;
                (!default.contains(&value.as_str())).then(|| format!("{key}={value}"))
            })
            .collect();
        if !layout.is_empty() {
            self.refuse(line, format!("MARK `{mark}` with {} in shorewall.conf: fwgen's `mark` is Shorewall's default mark layout (8 bits, cleared in FORWARD)", layout.join(", ")));
            return Err(());
        }
        Ok(Some(mark))
    }

    /// The nat file (shorewall-nat(5)): `EXTERNAL INTERFACE[:ALIAS]
    /// INTERNAL [ALL [LOCAL]]`, each a `[[nat]]`.
    fn one_to_one(&mut self) {
        let mut comment: Option<String> = None;
        // ADD_IP_ALIASES: Config.pm's IPv4 default (unset or empty) is Yes;
        // without a shorewall.conf of its own the directory has the
        // shipped one's No.
        let aliases_added = !self.ipv6
            && match self.conf_setting("ADD_IP_ALIASES") {
                Some(value) => value.is_empty() || value == "yes",
                None => self.has_own_conf(),
            };
        for mut line in self.lines("nat") {
            if let Some(text) = line.text.strip_prefix("?COMMENT") {
                comment = self.comment(&line, text);
                continue;
            }
            line.comment = line.comment.or_else(|| comment.clone());
            let Some(columns) = self.split(&line, NAT_COLUMNS) else {
                continue;
            };
            let get = |i: usize| columns.get(i).filter(|c| *c != "-").cloned();
            let (Some(external), Some(interfaces), Some(internal)) = (get(0), get(1), get(2))
            else {
                self.refuse(&line, "a nat entry needs EXTERNAL, INTERFACE and INTERNAL");
                continue;
            };
            // `eth0:`, an empty alias, adds no address (Nat.pm do_one_nat,
            // shorewall-nat(5)).
            if aliases_added && !interfaces.ends_with(':') {
                self.refuse(
                    &line,
                    "ADD_IP_ALIASES is Yes in shorewall.conf (Config.pm's default when unset): Shorewall adds this entry's EXTERNAL address to its interface when it starts, and fwgen adds no address; configure the address on the interface (/etc/network/interfaces) and set ADD_IP_ALIASES=No, or write the interface with an empty alias (`eth0:`), which adds none",
                );
                continue;
            }
            let switch = |i: usize| match get(i).map(|v| v.to_ascii_lowercase()).as_deref() {
                None | Some("no") => Ok(false),
                Some("yes") => Ok(true),
                Some(other) => Err(format!(
                    "`{other}` in a nat entry's ALL or LOCAL is not Yes or No"
                )),
            };
            let (all, local) = match (switch(3), switch(4)) {
                (Ok(all), Ok(local)) => (all, local),
                (Err(reason), _) | (_, Err(reason)) => {
                    self.refuse(&line, reason);
                    continue;
                }
            };
            let interfaces = match interfaces.split_once(':') {
                Some((names, "")) => {
                    self.notes.push(format!(
                        "{}:{}: `{names}:`, an empty alias: Shorewall adds no address for the entry, and fwgen adds none",
                        line.file, line.number
                    ));
                    names.to_owned()
                }
                Some((names, alias)) => {
                    self.notes.push(format!(
                        "{}:{}: alias `{alias}` of {names}: fwgen adds no address to an interface (ADD_IP_ALIASES), so the alias has no effect",
                        line.file, line.number
                    ));
                    names.to_owned()
                }
                None => interfaces,
            };
            if interfaces.contains('+') {
                self.refuse(
                    &line,
                    "a nat entry on a wildcard interface is not in fwgen's model",
                );
                continue;
            }
            // A list: one entry per interface, as Nat.pm setup_nat makes.
            let names: Vec<&str> = interfaces.split(',').collect();
            if names.iter().any(|name| name.is_empty()) {
                self.refuse(&line, format!("INTERFACE `{interfaces}` is not a list of interfaces (Shorewall refuses it: Invalid Interface List)"));
                continue;
            }
            // ALL INTERFACES: each interface's rules are the same ones, in
            // the chains of every interface (nat_in, nat_out).
            let names = if names.len() > 1 && all {
                self.notes.push(format!(
                    "{}:{}: INTERFACE `{interfaces}` with ALL INTERFACES: Shorewall writes the same translation for each interface, into the chains every interface passes: one entry on {}",
                    line.file, line.number, names[0]
                ));
                vec![names[0]]
            } else {
                names
            };
            for interface in names {
                let zones = self.interface_zone(interface);
                let mut table = Table::array(&["nat"]);
                table.push("external", external.as_str());
                table.push("interface", interface);
                table.push("internal", internal.as_str());
                table.push_some("all_interfaces", all.then_some(true));
                table.push_some("local", local.then_some(true));
                table.push_some("comment", line.comment.as_ref());
                self.add(Kind::Snat, "", zones, Some(false), &line, table);
            }
        }
    }

    /// An snat line's `SNAT(:PORTS[:random])`: the address kept, only the
    /// source port changed (Rules.pm process_snat1: `--to-source :PORTS`),
    /// the model's `to = "keep"` with `ports`. shorewall6 reads `:PORTS`
    /// as an address and refuses it; `:persistent` picks in an address
    /// range, and there is none.
    fn snat_keep<'a>(&self, text: &'a str) -> Result<SnatAddress<'a>, String> {
        let refuse = |reason: &str| Err(format!("SNAT `{text}`: {reason}"));
        if self.ipv6 {
            return refuse("shorewall6 reads ports alone as an address, and refuses them");
        }
        if text.split(':').any(|flag| flag == "persistent") {
            return refuse(
                "`:persistent` (a pick in an address range) beside ports alone: the address is kept, so there is no range; fwgen's `to = \"keep\"` refuses `persistent`",
            );
        }
        let ports = snat_address(text)?;
        Ok(SnatAddress {
            to: Some("keep"),
            ..ports
        })
    }

    fn source_nat(
        &mut self,
        line: &Line,
        interface: &str,
        sources: &str,
        address: &SnatAddress<'_>,
        matched: &NatMatch,
        before_nat: bool,
    ) {
        let (interface, destinations) = match snat_dest(interface, self.ipv6, &self.firewall) {
            Ok((interface, destinations, alias)) => {
                if let Some(alias) = alias {
                    self.notes.push(format!(
                        "{}:{}: `{interface}:{alias}` is `{interface}`: Shorewall takes the alias off the interface (`-o {interface}`); it would add the address as that alias only with ADD_SNAT_ALIASES=Yes",
                        line.file, line.number
                    ));
                }
                (interface, destinations)
            }
            Err(reason) => {
                self.refuse(line, reason);
                return;
            }
        };
        if interface.contains('+') {
            self.refuse(
                line,
                "an snat interface with addresses or a wildcard is not in fwgen's model",
            );
            return;
        }
        // Rules.pm process_snat1: "Unknown interface" unless this
        // product's interfaces file names it (by name or device); in a
        // pair the other family's interface is unknown here (helper-241:
        // an IPv4 line on an interface of shorewall6/interfaces alone
        // became IPv6 masquerading).
        // known_interface takes a device of a wildcard (`wlan0` of `wl+`).
        let names = |name: &str| name == interface || pattern_covers(name, interface);
        let known = (self.interfaces.iter()).any(|(name, _)| names(name))
            || (self.devices.iter()).any(|(_, device)| names(device));
        // A skipped interface takes the entry with it, said later.
        let skipped = self.skipped_names.contains_key(interface);
        if !known && !skipped && !interface.contains(',') {
            self.refuse(
                line,
                format!("interface `{interface}` is not in {}interfaces: Shorewall refuses it (\"Unknown interface ({interface})\")", self.label),
            );
            return;
        }
        let (sources, except) = match source_exclusion(sources) {
            Ok(split) => split,
            Err(reason) => {
                self.refuse(line, reason);
                return;
            }
        };
        let sources = sources.as_str();
        // An interface alone: the networks routed out of it.
        let source_interface = names_interface(sources).then_some(sources);
        if source_interface.is_some() && !except.is_empty() {
            let reason = format!(
                "SOURCE `{sources}` with an exclusion: fwgen's `source_interface` leaves nothing out; write the interface's networks in its place"
            );
            self.refuse(line, reason);
            return;
        }
        if let Some(source) = source_interface {
            if !self.interfaces.iter().any(|(name, _)| name == source) {
                self.refuse(
                    line,
                    format!("SOURCE `{source}` is no interface of the interfaces file: Shorewall reads the routes out of an interface it knows"),
                );
                return;
            }
            if source.ends_with('+') {
                self.refuse(
                    line,
                    format!("SOURCE `{source}` is a wildcard interface, which has no routes of its own: write the networks in place of `{source}`"),
                );
                return;
            }
            self.notes.push(format!(
                "{}:{}: SOURCE `{source}` is the networks routed out of {source}: `source_interface`. Shorewall lists those routes once, when it starts (and will not start without one); fwgen's nftables ruleset looks the route of each new connection's source up as it arrives, in nat prerouting, the one hook where the kernel allows that lookup: the firewall's own connections from an address in those networks (a service bound to its address on {source}) are not translated by it, where Shorewall's are",
                line.file, line.number
            ));
        }
        // Every address of the family anywhere in the list is every source:
        // Nat.pm makes a rule of each item, and that one takes them all.
        let every = |s: &str| matches!(s, "0.0.0.0/0" | "::/0");
        let everyone = sources.split(',').any(every);
        if everyone && sources.split(',').any(|s| !every(s) && s != "-") {
            self.notes.push(format!(
                "{}:{}: SOURCE `{sources}` holds every address (Shorewall makes a rule of each item, and that one takes every source): carried as every source",
                line.file, line.number
            ));
        }
        let mut networks = Vec::new();
        for source in sources
            .split(',')
            .filter(|_| source_interface.is_none() && !everyone)
            .filter(|s| *s != "-")
        {
            match masq_source(source) {
                Ok((network, None)) => networks.push(network),
                Ok((network, Some(note))) => {
                    self.note_at(line, Some(note));
                    networks.push(network);
                }
                Err(reason) => {
                    self.refuse(line, reason);
                    return;
                }
            }
        }
        let sources = networks;
        if !except.is_empty() {
            if let Some(set) = sources.iter().find(|s| s.starts_with('+')) {
                let reason = format!(
                    "SOURCE `{set}` with an exclusion: fwgen's source NAT leaves addresses out of networks, not of an ipset"
                );
                self.refuse(line, reason);
                return;
            }
            if let Err(reason) = exclusion_holds(&sources, &except) {
                self.refuse(line, format!("SOURCE: {reason}"));
                return;
            }
        }
        let to = address.to;
        if before_nat && to == Some("none") {
            self.refuse(line, "masq `+INTERFACE` with NONAT (CONTINUE+) skips only the other `+` entries: the nat file's one-to-one translations and the other entries still apply, which fwgen's `to = \"none\"` (ending source NAT for the packet) cannot say");
            return;
        }
        if self.ipv6 && to == Some("detect") {
            let reason = "shorewall6's SNAT(detect) is the interface's IPv6 address: fwgen's `detect` is IPv4's (nft_defines)";
            self.refuse(line, reason);
            return;
        }
        if let Some(other) = address.address_of {
            let device = self.devices.iter().find(|(name, _)| name == interface);
            if other != interface && device.is_none_or(|(_, device)| device != other) {
                let reason = format!(
                    "SNAT to `&{other}`, the address of another interface than the entry's {interface}: fwgen's `to = \"detect\"` is the address of the entry's own interface"
                );
                self.refuse(line, reason);
                return;
            }
            self.notes.push(format!(
                "{}:{}: `&{other}` is {other}'s first IPv4 address when Shorewall starts, as SNAT(detect) on {other} is (Shorewall compiles both alike): `to = \"detect\"`",
                line.file, line.number
            ));
        }
        for set in sources.iter().filter_map(|s| s.strip_prefix('+')) {
            self.declare_ipset(set, line);
        }
        let header = if to.is_some() { "snat" } else { "masquerade" };
        let mut zones = self.interface_zone(interface);
        zones.extend(source_interface.map_or_else(Vec::new, |s| self.interface_zone(s)));
        let family = snat_family(&sources, to);
        let mut table = Table::array(&[header]);
        table.push("interface", interface);
        if !sources.is_empty() {
            table.push("sources", Value::strings(&sources));
        }
        if !except.is_empty() {
            table.push("except", Value::strings(&except));
        }
        table.push_some("source_interface", source_interface);
        if !destinations.is_empty() {
            table.push("destinations", Value::strings(&destinations));
        }
        table.push_some("to", to);
        table.push_some("persistent", address.persistent.then_some(true));
        table.push_some("proto", matched.proto.as_deref());
        table.push_some("dport", matched.dport.as_deref());
        table.push_some("mark", matched.mark.as_deref());
        table.push_some("ports", address.ports.as_deref());
        table.push_some("random", address.random.then_some(true));
        table.push_some("before_nat", before_nat.then_some(true));
        table.push_some("comment", line.comment.as_ref());
        self.add(Kind::Snat, "", zones, family, line, table);
    }
}

/// Why a rule of the rules file's ALL, ESTABLISHED or RELATED section
/// (`section`, the model's word) cannot be carried, if it cannot: Shorewall
/// refuses DNAT, REDIRECT and NONAT there (Rules.pm: "rules are not allowed
/// in the ... SECTION"), the `Invalid` macro is the INVALID section's, and a
/// logged rule of ESTABLISHED or RELATED logs with the name of Shorewall's
/// state chain (`Shorewall:^net-fw:DROP:`), which fwgen does not write.
/// Why fwgen's import refuses an ACCEPT+ or NONAT line: what the model's
/// exemption does not carry (src/analyze/rules.rs `nat_exempt_fits`),
/// or a section Shorewall refuses it in.
fn nat_exempt_refusal(
    target: &str,
    (service_macro, log, section): (Option<&str>, Option<&str>, Option<&str>),
    columns: &[String],
) -> Result<(), String> {
    if let Some(section) = section {
        let section = section.to_uppercase();
        return Err(format!(
            "{target} in the {section} section: Shorewall refuses it (\"{target} rules are not allowed in the {section} SECTION\")"
        ));
    }
    if let Some(name) = service_macro {
        return Err(format!(
            "`{name}({target})`: fwgen's {target} takes no macro; write one {target} line per protocol and port"
        ));
    }
    if let Some(level) = log {
        return Err(format!(
            "{target}:{level}: fwgen's {target} does not log (Shorewall logs it in the nat table and, for ACCEPT+, the filter)"
        ));
    }
    const NAMES: [&str; 9] = [
        "ORIGDEST",
        "RATE",
        "USER",
        "MARK",
        "CONNLIMIT",
        "TIME",
        "HEADERS",
        "SWITCH",
        "HELPER",
    ];
    let used = (columns.iter().enumerate().skip(6))
        .find(|(_, c)| *c != "-")
        .map(|(i, c)| (NAMES.get(i - 6).copied().unwrap_or("a column"), c));
    match used {
        Some((name, value)) => Err(format!(
            "{name} `{value}` on {target}: fwgen's {target} matches the source, destination, protocol and ports alone"
        )),
        None => Ok(()),
    }
}

/// NONAT's DEST as the model's `dest`: Rules.pm ignores its zone (with a
/// warning) and reads `-` as every destination and a bare address as the
/// destination address; the model writes them as `all` and `all:ADDRESS`.
fn nonat_dest(dest: String) -> String {
    match dest.as_str() {
        "-" => "all".to_owned(),
        _ if dest.starts_with('[') || dest.starts_with('!') => format!("all:{dest}"),
        _ if !dest.contains(':') && dest.contains('.') => format!("all:{dest}"),
        _ => dest,
    }
}

fn early_section_rule(
    section: &str,
    target: &str,
    service_macro: Option<&str>,
    logged: bool,
) -> Result<(), String> {
    let upper = section.to_uppercase();
    let base = target.trim_end_matches(['+', '-', '!']);
    if matches!(base, "DNAT" | "REDIRECT" | "NONAT") {
        return Err(format!(
            "{target} in the {upper} section: Shorewall refuses NAT rules outside the NEW section"
        ));
    }
    if service_macro == Some("Invalid") {
        return Err(format!(
            "Invalid in the {upper} section: fwgen's Invalid rules are in the INVALID section"
        ));
    }
    if logged && section != "all" {
        return Err(format!(
            "a logged rule in the {upper} section: Shorewall logs it with the name of its state chain (`Shorewall:{}net-fw:`), which fwgen does not write",
            if section == "established" { "^" } else { "+" }
        ));
    }
    Ok(())
}

/// `NFLOG` or `NFLOG(...)`: Shorewall's NFLOG action.
fn nflog_action(action: &str) -> bool {
    action == "NFLOG" || action.starts_with("NFLOG(") && action.ends_with(')')
}

/// Why a rule's ACTION that is no verdict of the model is refused: the
/// audited verdicts, CONTINUE, NONAT and ACCEPT+ by what they do in
/// Shorewall (shorewall-rules(5)), the rest as unknown to the model.
fn verdict_refusal(action: &str, target: &str) -> String {
    let target = target.trim_end_matches('!');
    let called = action.split('(').next().unwrap_or(action);
    match target {
        "CONTINUE" | "CONTINUE+" => format!(
            "action `{action}` stops the zone pair's rules for the connection and passes it to the rules of a zone defined later or of a parent zone (shorewall-rules(5)), without one to the end of INPUT, FORWARD or OUTPUT and its policy (Rules.pm: `-j RETURN` from the pair's chain); fwgen's rules have no such verdict"
        ),
        _ if site_action::STOCK_ACTIONS.contains(&called) => {
            site_action::stock_action_refusal(called)
        }
        _ => format!("action `{action}` is not in fwgen's model"),
    }
}

/// A call of Shorewall's stock actions Broadcast, Multicast and Invalid,
/// or of those that call them (action.dropBcast, dropBcasts:
/// `Broadcast(DROP)`; allowBcast: `Broadcast(ACCEPT)`; dropMcast,
/// allowMcast, dropInvalid, allowInvalid likewise), as the model's macro
/// call `Broadcast(ACTION)`; `Err` with the reason for an audited or
/// unknown parameter; `None` for every other action.
fn dest_type_call(action: &str) -> Option<Result<String, String>> {
    let (name, param) = match action.strip_suffix(')').and_then(|a| a.split_once('(')) {
        Some((name, param)) => (name, Some(param)),
        None => (action, None),
    };
    let (called, fixed) = match name {
        "Broadcast" | "Multicast" => (name, None),
        "dropBcast" | "dropBcasts" => ("Broadcast", Some("DROP")),
        "allowBcast" => ("Broadcast", Some("ACCEPT")),
        "dropMcast" => ("Multicast", Some("DROP")),
        "allowMcast" => ("Multicast", Some("ACCEPT")),
        "Invalid" => (name, None),
        "dropInvalid" => ("Invalid", Some("DROP")),
        "allowInvalid" => ("Invalid", Some("ACCEPT")),
        _ => return None,
    };
    let verdict = match (fixed, param) {
        (Some(verdict), None) => verdict,
        (Some(_), Some("audit")) | (None, Some("A_DROP" | "A_REJECT" | "A_ACCEPT")) => {
            return Some(Err(format!(
                "`{action}` is the audited form of {called}: fwgen's model audits rules (plain or a macro's) and policies, not Shorewall's actions"
            )));
        }
        (None, Some(param)) if param.ends_with(",audit") => {
            return Some(Err(format!(
                "`{action}` is the audited form of {called}: fwgen's model audits rules (plain or a macro's) and policies, not Shorewall's actions"
            )));
        }
        (None, None | Some("")) => "DROP",
        (None, Some(verdict @ ("ACCEPT" | "DROP" | "REJECT"))) => verdict,
        _ => {
            return Some(Err(format!(
                "`{action}`: {called} takes ACCEPT, DROP or REJECT in fwgen's model"
            )));
        }
    };
    Some(Ok(format!("{called}({verdict})")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Config.pm split_columns: a `( ... )` with spaces inside is one
    /// column, and so counts once against the file's columns.
    #[test]
    fn shorewall_columns_group_parentheses_as_split_columns_does() {
        assert_eq!(shorewall_columns("ACCEPT loc $FW tcp 22"), 5);
        assert_eq!(shorewall_columns("SSH(ACCEPT, info) loc $FW"), 3);
        assert_eq!(shorewall_columns("A((b, c), d) - x"), 3);
        let names = &[("action", 0), ("source", 1), ("dest", 2)];
        assert!(too_many_columns("SSH(ACCEPT, info) loc $FW", names).is_none());
        assert!(too_many_columns("SSH(ACCEPT, info) loc $FW -", names).is_some());
    }

    /// Issue #15: hosts `IFACE:+NAME` and a masq SOURCE `+NAME,+NAME`
    /// are carried as the model writes them (`networks = ["+bo"]`, a
    /// hosts entry per line; `sources = ["+bo", "+pri"]`) and their sets
    /// declared as `[[ipset]]`s: the model compiles and its zones are the
    /// sets' members.
    #[test]
    fn ipset_hosts_and_masq_sources_are_carried() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path();
        let files = [
            ("zones", "fw firewall\nbo ipv4\npub ipv4\n"),
            ("interfaces", "?FORMAT 2\npub eth0 routefilter\n"),
            ("hosts", "bo eth0:+bo\nbo eth0:+pri\n"),
            ("policy", "bo all ACCEPT\nall all REJECT\n"),
            ("masq", "eth0 +bo,+pri - tcp 80,443\n"),
            ("shorewall.conf", "STARTUP_ENABLED=Yes\n"),
        ];
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        let importer = read_directory(dir, false, "");
        assert!(
            importer.unsupported.is_empty(),
            "{:?}",
            importer.unsupported
        );
        let (text, _) = importer.assemble();
        assert!(text.contains(r#"networks = ["+bo"]"#), "{text}");
        assert!(text.contains(r#"networks = ["+pri"]"#), "{text}");
        assert!(text.contains(r#"sources = ["+bo", "+pri"]"#), "{text}");
        // The import declares the sets it names (their members are not in
        // the directory: empty), once each.
        assert_eq!(text.matches("[[ipset]]").count(), 2, "{text}");
        assert!(text.contains("name = \"bo\""), "{text}");
        assert!(text.contains("name = \"pri\""), "{text}");
        let source = crate::source::Source::new("imported.toml", text);
        let model = crate::load::compile(&source).unwrap_or_else(|f| panic!("{f:?}"));
        let bo = model.zones.iter().find(|z| z.name == "bo").unwrap();
        let sets: Vec<Option<usize>> = bo.hosts.iter().map(|h| h.ipset).collect();
        assert_eq!(sets, [Some(0), Some(1)]);
        assert_eq!(model.snats[0].source_sets, [0, 1]);
    }

    /// A column header (Shorewall 4's second line among them) is no
    /// comment; a comment naming a column among other words is one.
    #[test]
    fn column_headers_are_no_comments() {
        assert!(column_header("PORT(S)         PORT(S)"));
        assert!(column_header("ACTION SOURCE DEST PROTO DEST SOURCE"));
        assert!(column_header(
            "                  PORT    PORT(S)  DEST   LIMIT  GROUP"
        ));
        assert!(!column_header(""));
        assert!(!column_header("SSH from the office"));
        assert!(!column_header("DNS"));
        assert!(!column_header("allow PORT 22"));
    }

    /// Address columns Shorewall accepts and the model lacks are named for
    /// what they are; what Shorewall refuses too is not.
    #[test]
    fn shorewall_address_forms() {
        let form = |text: &str| shorewall_address_form(text);
        assert_eq!(
            form("10.0.0.1-10.0.0.3").as_deref(),
            Some("an address range")
        );
        assert_eq!(
            form("10.0.0.1,10.0.0.0/24").as_deref(),
            Some("an address list")
        );
        assert_eq!(
            form("10.0.0.1-10.0.0.3:persistent").as_deref(),
            Some("an address range with `:persistent`")
        );
        assert_eq!(form("detect"), None);
        for refused in [
            "10.0.0.3-10.0.0.1",
            "10.0.0.1-2001:db8::1",
            "10.0.0.1,detect",
            "10.0.0.1,bogus",
            "host.example",
            "10.0.0.1:80",
            "10.0.0.1:80-x",
            "10.0.0.300",
        ] {
            assert_eq!(form(refused), None, "{refused}");
        }
    }

    fn rule(file: &str, number: usize, dport: &str, comment: Option<&str>) -> Entry {
        let line = Line {
            file: file.to_owned(),
            number,
            text: String::new(),
            comment: None,
        };
        let mut table = Table::array(&["rule"]);
        table.comments.push(Importer::origin(&line));
        table.push("action", "ACCEPT");
        table.push("dport", dport);
        table.push_some("comment", comment);
        Entry {
            kind: Kind::Rule,
            table,
            dropped: false,
            name: String::new(),
            zones: Vec::new(),
            family: None,
            line,
        }
    }

    #[test]
    fn entries_merge_by_their_items_but_the_comment() {
        let four = [
            rule("rules", 1, "22", Some("ssh")),
            rule("rules", 2, "80", None),
        ];
        let six = [
            rule("shorewall6/rules", 1, "22", Some("SSH")),
            rule("shorewall6/rules", 2, "443", None),
        ];
        let mut notes = Vec::new();
        let (four, six): (Vec<&Entry>, Vec<&Entry>) = (four.iter().collect(), six.iter().collect());
        let merged = merge_in_order(&four, &six, &mut notes);
        let shown: Vec<(Vec<String>, Option<bool>)> = merged
            .iter()
            .map(|(entry, side)| (entry.table.comments.clone(), *side))
            .collect();
        assert_eq!(
            shown,
            [
                (vec!["rules:1".into(), "shorewall6/rules:1".into()], None),
                (vec!["rules:2".into()], Some(false)),
                (vec!["shorewall6/rules:2".into()], Some(true)),
            ]
        );
        assert_eq!(merged[0].0.table.get("comment"), Some(&"ssh".into()));
        assert_eq!(
            notes,
            [
                "rules:1 and shorewall6/rules:1 differ only in their comment; the model keeps Shorewall's"
            ]
        );
    }
}
