//! Analyze: the raw parsed file becomes a `Model`. Every name is resolved,
//! every address parsed, the policy matrix completed. Every error of the
//! file is collected before giving up.
//!
//! One file per part of the model (firewall, zones, interfaces, policies,
//! rules, nat); this one holds the walk, addresses, free text and the
//! grammars every part shares.

use std::net::IpAddr;
use std::ops::Range;

use ipnet::IpNet;
use toml::Spanned;

use crate::config::{
    PortList, RawDnat, RawFirewall, RawInterface, RawModel, RawNat, RawPolicy, RawRedirect,
    RawRule, RawSnat, RawZone, Scalar,
};
use crate::error::{Error, ErrorKind};
use crate::model::policy::{LogLevelProblem, resolve};
use crate::model::rule::{Narrowed, is_ipv6};
use crate::model::service::Macro;
use crate::model::{
    Dnat, Endpoint, Family, Firewall, IcmpType, Interface, InterfaceOption, LogLevel, LogLimit,
    Model, Policy, PolicyAction, PolicyMatrix, PortRange, Protocol, Rule, Service, Snat, Verdict,
    Zone, ZoneId, ZoneMss, ZoneRef,
};
use crate::source::Source;

mod addresses;
pub use addresses::subtract;
mod conntrack;
mod firewall;
mod hosts;
mod interfaces;
mod ipsets;
mod limits;
mod maclist;
mod nat;
mod nesting;
mod policies;
mod rules;
mod stopped;
mod tunnels;
mod zone_lists;
mod zones;

/// `[firewall] log_prefix` when the model names none (Shorewall's own).
pub const DEFAULT_LOG_PREFIX: &str = "Shorewall";
/// The longest filled LOGFORMAT Shorewall allows (Config.pm: "LOGFORMAT
/// string is longer than 29 characters").
const MAX_FILLED_LOGFORMAT: usize = 29;
/// Longest free text (nftables keeps 128 bytes of a comment).
pub const MAX_FREE_TEXT: usize = 128;
/// Longest log tag: Shorewall cuts a prefix to 29 characters anyway.
const MAX_LOG_TAG: usize = 12;
/// Shorewall's own words, and the prefixes of fwgen's interface chains
/// (`in-eth0` would also be the chain of the zone pair `in` -> `eth0`).
const RESERVED_ZONE_NAMES: &[&str] = &["all", "any", "none", "SOURCE", "DEST", "in", "fwd", "out"];

/// The raw model is taken, not borrowed: its rules are freed a run at a
/// time as they are analysed ([`crate::config::RawRules`]).
pub fn analyze(raw: RawModel, source: &Source) -> Result<Model, Vec<Error>> {
    let mut analyzer = Analyzer {
        source,
        errors: Vec::new(),
        firewall_zone: String::new(),
        log_prefix: DEFAULT_LOG_PREFIX.to_owned(),
        zones: Vec::new(),
        rejected_zones: Vec::new(),
        interfaces: Vec::new(),
        services: None,
        helpers_attached: false,
        blacklisting: false,
        reading_source: false,
        ipsets: Vec::new(),
    };
    let model = analyzer.model(raw);
    if analyzer.errors.is_empty() {
        Ok(model)
    } else {
        Err(analyzer.errors)
    }
}

struct Analyzer<'a> {
    source: &'a Source,
    errors: Vec<Error>,
    firewall_zone: String,
    /// `[firewall] log_prefix`, read first: it sets the zone names' limit.
    log_prefix: String,
    zones: Vec<Zone>,
    /// Declared zone names that failed their own checks: references to
    /// them are not reported again as unknown.
    rejected_zones: Vec<String>,
    interfaces: Vec<Interface>,
    /// /etc/services, read at the first named port (rules.rs).
    services: Option<crate::import::services::Services>,
    /// conntrack_helpers = false: Shorewall's helper macros attach theirs.
    helpers_attached: bool,
    /// Reading `[[blacklist]]` entries: their actions differ (rules.rs).
    blacklisting: bool,
    /// Reading a rule's or blacklist entry's `source`, where MAC
    /// addresses (`~00-1a-...`) are taken (src/analyze/addresses.rs).
    reading_source: bool,
    /// The `[[ipset]]` entries, read before anything names them.
    ipsets: Vec<crate::model::Ipset>,
}

impl Analyzer<'_> {
    fn model(&mut self, mut raw: RawModel) -> Model {
        let raw_rules = std::mem::take(&mut raw.rule);
        let raw = &raw;
        let firewall = self.firewall(&raw.firewall);
        self.firewall_zone = firewall.zone.clone();
        self.helpers_attached = !firewall.conntrack_helpers;
        self.zones = raw
            .zones
            .0
            .iter()
            .filter_map(|(name, zone)| self.zone(name, zone))
            .collect();
        if raw.zones.0.is_empty() {
            self.error(None, ErrorKind::EmptyModel);
        }
        self.check_zone_chains(raw);
        self.nest_zones(raw);
        self.check_family_settings(&raw.firewall);
        self.interfaces = raw
            .interfaces
            .0
            .iter()
            .filter_map(|(name, interface)| self.interface(name, interface))
            .collect();
        self.check_duplicate_interfaces(raw);
        self.ipsets(&raw.ipset);
        self.zone_hosts(raw);
        self.check_family_options();
        self.check_wildcard_order();
        let maclist = self.maclist(&raw.maclist);
        let policies: Vec<Policy> = raw.policy.iter().filter_map(|p| self.policy(p)).collect();
        self.check_duplicate_policies(&policies);
        // What the later checks read of an entry, by the entry's span: its
        // `rate_table` (check_rate_tables) and, for an entry making a NAT
        // exemption, its action (nat_exemptions). Each run of raw rules is
        // freed once read, before the next is, and the rules' list grows by
        // each run's room, one rule per entry (most entries are one rule): a
        // list reserved whole at the start would sit beside all the raw
        // rules, and one grown by doubling would hold up to twice the room
        // (docs/performance.md).
        let mut rules: Vec<Rule> = Vec::new();
        let mut rate_tables: Vec<(Range<usize>, Range<usize>)> = Vec::new();
        let mut exemption_actions: Vec<(Range<usize>, Range<usize>)> = Vec::new();
        for run in raw_rules.into_runs() {
            rules.reserve_exact(run.len());
            for (i, entry) in run.iter().enumerate() {
                let entry_rules = self.rules(entry);
                if rules.capacity() - rules.len() < entry_rules.len() {
                    rules.reserve_exact(entry_rules.len() + run.len() - i - 1);
                }
                let made = rules.len();
                rules.extend(entry_rules);
                if let Some(table) = &entry.get_ref().rate_table {
                    rate_tables.push((entry.span(), table.span()));
                }
                if rules[made..].iter().any(|r| r.nat_exempt.is_some()) {
                    exemption_actions.push((entry.span(), entry.get_ref().action.span()));
                }
            }
        }
        self.check_rate_tables(&rate_tables, &rules);
        self.check_invalid_rejected(&firewall, &rules);
        self.check_fast_accept(&firewall, raw, &rules);
        self.check_tcp_flags_reached(&firewall, raw);
        let blacklist = self.blacklist(&raw.blacklist);
        let dnats: Vec<Dnat> = raw.dnat.iter().flat_map(|d| self.dnat(d)).collect();
        let redirects: Vec<crate::model::Redirect> =
            raw.redirect.iter().flat_map(|r| self.redirect(r)).collect();
        let new_section = rules.iter().any(|r| !r.section.before_invalid())
            || !dnats.is_empty()
            || !redirects.is_empty();
        self.check_zone_mss_state_rules(raw, new_section);
        let one_to_one: Vec<_> = raw.nat.iter().filter_map(|n| self.one_to_one(n)).collect();
        let nat_exemptions =
            self.nat_exemptions(&exemption_actions, &mut rules, !one_to_one.is_empty());
        let shorewall_version = self.shorewall_version(raw);
        let snats = self.snats(raw, shorewall_version);
        self.check_one_to_one_order(&one_to_one, &snats);
        self.check_one_to_one_before_forwards(
            &one_to_one,
            !dnats.is_empty() || !redirects.is_empty(),
        );
        let stopped = raw
            .stopped
            .iter()
            .filter_map(|s| self.stopped(s, firewall.stopped_output_open))
            .collect();
        let tunnels = raw.tunnel.iter().filter_map(|t| self.tunnel(t)).collect();
        let conntrack = self.conntrack(&raw.conntrack);
        let matrix = self.matrix(&policies, raw);
        self.check_continue_over_wildcard(&policies, &matrix, (&rules, &dnats));
        self.check_blacklist_after_continue(&policies, &matrix, &blacklist);
        self.check_conntrack_beside_nested(&conntrack, &matrix);
        Model {
            source_name: self.source.display_name(),
            firewall,
            shorewall_version,
            nftables_table: self.nftables_table(raw),
            zones: std::mem::take(&mut self.zones),
            interfaces: std::mem::take(&mut self.interfaces),
            ipsets: std::mem::take(&mut self.ipsets),
            policies,
            matrix,
            rules,
            nat_exemptions,
            blacklist,
            dnats,
            redirects,
            one_to_one,
            snats,
            stopped,
            tunnels,
            maclist,
            conntrack,
        }
    }

    fn error(&mut self, span: Option<Range<usize>>, kind: ErrorKind) {
        self.errors.push(Error::new(span, kind));
    }

    fn line(&self, span: &Range<usize>) -> usize {
        self.source.location(span.start).line
    }

    /// The span of `len` bytes at `offset` inside a string value, when the
    /// value is written without escapes; the whole value otherwise.
    fn inner_span(&self, value: &Spanned<String>, offset: usize, len: usize) -> Range<usize> {
        let span = value.span();
        let written = self.source.slice(&span);
        let plain = written.len() == value.get_ref().len() + 2
            && written.get(1..written.len() - 1) == Some(value.get_ref().as_str());
        if plain {
            span.start + 1 + offset..span.start + 1 + offset + len
        } else {
            span
        }
    }

    // ----- addresses -----

    fn network(&mut self, text: &str, span: Range<usize>) -> Option<IpNet> {
        match parse_network(text) {
            Ok(net) => Some(net),
            Err(reason) => {
                let kind = ErrorKind::BadNetwork {
                    text: text.to_owned(),
                    reason,
                };
                self.error(Some(span), kind);
                None
            }
        }
    }

    /// `zone` or `zone:addr,addr` (Shorewall's SOURCE and DEST columns),
    /// with ranges and exclusions (src/analyze/addresses.rs).
    fn endpoint(&mut self, raw: &Spanned<String>) -> Option<Endpoint> {
        let text = raw.get_ref();
        let (zone_text, addresses_text) = match text.split_once(':') {
            Some((zone, addresses)) => (zone, Some(addresses)),
            None => (text.as_str(), None),
        };
        let zone_span = self.inner_span(raw, 0, zone_text.len());
        let zone = self.zone_ref(zone_text, zone_span);
        let list = match addresses_text {
            Some(list) => Some(self.address_list(raw, zone_text.len() + 1, list, zone)?),
            None => None,
        };
        let list = list.unwrap_or_default();
        Some(Endpoint {
            zone: zone?,
            interface: None,
            narrowed: Narrowed::of(None, list.macs),
            addresses: list.addresses,
            excluded: list.excluded,
            interface_address: list.interface_address,
            ipset: list.ipset,
        })
    }

    fn zone_family(&self, id: ZoneId) -> Family {
        match id {
            ZoneId::Firewall => Family::Both,
            ZoneId::Zone(index) => self.zones[index].family,
        }
    }

    /// A port written as a TOML number: 1 to 65535.
    fn port_number(&mut self, raw: &Spanned<i64>) -> Option<u16> {
        let port = u16::try_from(*raw.get_ref()).ok().filter(|&p| p > 0);
        if port.is_none() {
            let kind = ErrorKind::BadPort {
                text: raw.get_ref().to_string(),
                reason: "ports are 1 to 65535",
            };
            self.error(Some(raw.span()), kind);
        }
        port
    }

    // ----- free text, log levels, actions -----

    fn free_text(&mut self, field: &'static str, raw: Option<&Spanned<String>>) -> Option<String> {
        let raw = raw?;
        let text = raw.get_ref();
        if let Some((offset, character)) = text.char_indices().find(|(_, c)| forbidden_in_text(*c))
        {
            let span = self.inner_span(raw, offset, character.len_utf8());
            self.error(
                Some(span),
                ErrorKind::FreeTextCharacter { field, character },
            );
            return None;
        }
        if text.len() > MAX_FREE_TEXT {
            let kind = ErrorKind::FreeTextTooLong {
                field,
                max: MAX_FREE_TEXT,
            };
            self.error(Some(raw.span()), kind);
            return None;
        }
        Some(text.trim().to_owned()).filter(|t| !t.is_empty())
    }

    fn log_level(&mut self, raw: Option<&Spanned<String>>) -> Option<LogLevel> {
        let raw = raw?;
        let level = raw.get_ref().clone();
        match LogLevel::read(&level) {
            Ok(read) => Some(read),
            Err(LogLevelProblem::Unknown) => {
                self.error(Some(raw.span()), ErrorKind::UnknownLogLevel { level });
                None
            }
            Err(reason) => {
                let kind = ErrorKind::RefusedLogLevel { level, reason };
                self.error(Some(raw.span()), kind);
                None
            }
        }
    }
}

fn scalar_text(scalar: &Scalar) -> String {
    match scalar {
        Scalar::Number(n) => n.to_string(),
        Scalar::Text(t) => t.clone(),
    }
}

/// Shorewall's zone grammar: a letter, then letters, digits or `_`.
fn zone_name_grammar(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn log_prefix_valid(prefix: &str) -> bool {
    (1..=9).contains(&prefix.len())
        && prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The LOGFORMAT fwgen writes into shorewall.conf (backend conf.rs) for a
/// `[firewall] log_prefix`.
pub fn logformat(log_prefix: &str) -> String {
    format!("{log_prefix}:%s:%s:")
}

/// The longest zone name Shorewall 5.2.8 accepts with a LOGFORMAT: its
/// Config.pm fills the format with `fooxx2barxx` and `ACCEPT` (a chain
/// name of two 5-character zones and a disposition) and allows
/// `int(5 + (29 - length) / 2)` characters; Zones.pm refuses a longer name
/// ("Zone name (...) too long"), the firewall's own included. `filled` is
/// the filled format's length, at most 29 (Shorewall refuses a longer one).
pub fn shorewall_max_zone_name(filled: usize) -> usize {
    5 + MAX_FILLED_LOGFORMAT.saturating_sub(filled) / 2
}

/// The longest zone name with the LOGFORMAT fwgen writes for `log_prefix`:
/// 5 with `Shorewall`, 9 with a 1-character prefix. The nftables backend
/// has no such limit (its chains may have 255 bytes), but a model means
/// the same for both backends.
pub fn max_zone_name(log_prefix: &str) -> usize {
    shorewall_max_zone_name(filled_logformat(log_prefix).len())
}

/// fwgen's LOGFORMAT as Shorewall's Config.pm fills it to measure it.
pub fn filled_logformat(log_prefix: &str) -> String {
    logformat(log_prefix)
        .replacen("%s", "fooxx2barxx", 1)
        .replacen("%s", "ACCEPT", 1)
}

fn nft_identifier_valid(name: &str) -> bool {
    zone_name_grammar(name) && name.len() <= 32
}

pub fn forbidden_in_text(c: char) -> bool {
    c.is_control() || matches!(c, '"' | '\\' | '`' | '$')
}

/// An address or a network; host bits must be zero in a network.
pub fn parse_network(text: &str) -> Result<IpNet, String> {
    if let Ok(addr) = text.parse::<IpAddr>() {
        return Ok(IpNet::from(addr));
    }
    let net: IpNet = text.parse().map_err(|_| match text.split_once('/') {
        Some((addr, _)) if addr.parse::<IpAddr>().is_ok() => {
            let max = if addr.contains(':') { 128 } else { 32 };
            format!("the prefix length is a number from 0 to {max}")
        }
        _ => not_an_address(text),
    })?;
    if net.trunc() != net {
        return Err(format!("host bits are set; the network is {}", net.trunc()));
    }
    Ok(net)
}

/// Why `text` is no address: Shorewall's other forms in an address column
/// are named, so an import says what it met rather than "not an address".
fn not_an_address(text: &str) -> String {
    let text = text.trim_start_matches('!');
    if text.starts_with('+') {
        "it names an ipset, which fwgen takes only as the whole address list of a rule's or a blacklist entry's source or dest (`ZONE:+NAME`, an `[[ipset]]`); list the addresses here instead".to_owned()
    } else if text.starts_with('~') {
        "it is a MAC address (`~` in Shorewall), which fwgen takes only as the whole address list of a rule's or a blacklist entry's `source` from a zone (`loc:~00-1a-2b-3c-4d-5e`)".to_owned()
    } else if text.starts_with('^') {
        "it is a country code (`^` in Shorewall, xt_geoip), which nftables has no match for"
            .to_owned()
    } else {
        "expected an address or ADDRESS/PREFIX".to_owned()
    }
}

fn parse_port_range(text: &str) -> Result<PortRange, &'static str> {
    PortRange::parse(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_reject_host_bits() {
        assert!(parse_network("10.0.0.0/24").is_ok());
        assert!(parse_network("10.0.0.1").is_ok());
        assert!(parse_network("10.0.0.1/24").is_err());
        assert!(parse_network("10.0.0.0/33").is_err());
        assert!(parse_network("+blocked").unwrap_err().contains("ipset"));
        assert!(parse_network("!+blocked").unwrap_err().contains("ipset"));
        assert!(
            parse_network("~00-11-22-33-44-55")
                .unwrap_err()
                .contains("MAC")
        );
        assert!(parse_network("^CN").unwrap_err().contains("country"));
        assert!(parse_network("2001:db8::/32").is_ok());
    }

    #[test]
    fn port_ranges() {
        assert_eq!(parse_port_range("22"), Ok(PortRange::single(22)));
        assert_eq!(
            parse_port_range("8000:8100"),
            Ok(PortRange {
                low: 8000,
                high: 8100
            })
        );
        assert!(parse_port_range("0").is_err());
        assert!(parse_port_range("65536").is_err());
        assert!(parse_port_range("20:10").is_err());
        assert!(parse_port_range("ssh").is_err());
        assert!(parse_port_range("+22").is_err());
    }

    #[test]
    fn zone_names() {
        assert!(zone_name_grammar("net"));
        assert!(zone_name_grammar("d_1"));
        assert!(!zone_name_grammar("1net"));
        assert!(!zone_name_grammar("ne-t"));
    }
}
