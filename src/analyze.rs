//! Analyze: the raw parsed file becomes a `Model`. Every name is resolved,
//! every address parsed, the policy matrix completed. Every error of the
//! file is collected before giving up.

use std::net::IpAddr;
use std::ops::Range;

use ipnet::IpNet;
use toml::Spanned;

use crate::config::{
    PortList, RawDnat, RawFirewall, RawInterface, RawModel, RawPolicy, RawRule, RawSnat, RawZone,
    Scalar,
};
use crate::error::{Error, ErrorKind};
use crate::model::policy::resolve;
use crate::model::rule::is_ipv6;
use crate::model::service::Macro;
use crate::model::{
    Dnat, Endpoint, Family, Firewall, IcmpType, Interface, InterfaceOption, LogLevel, Model,
    Policy, PolicyAction, PolicyMatrix, PortRange, Protocol, Rule, Service, Snat, Verdict, Zone,
    ZoneId, ZoneRef,
};
use crate::source::Source;

/// Longest zone name Shorewall accepts with its default LOGFORMAT.
pub const MAX_ZONE_NAME: usize = 5;
/// Longest free text (nftables keeps 128 bytes of a comment).
const MAX_FREE_TEXT: usize = 128;
const RESERVED_ZONE_NAMES: &[&str] = &["all", "any", "none", "SOURCE", "DEST"];

pub fn analyze(raw: &RawModel, source: &Source) -> Result<Model, Vec<Error>> {
    let mut analyzer = Analyzer {
        source,
        errors: Vec::new(),
        firewall_zone: String::new(),
        zones: Vec::new(),
        rejected_zones: Vec::new(),
        interfaces: Vec::new(),
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
    zones: Vec<Zone>,
    /// Declared zone names that failed their own checks: references to
    /// them are not reported again as unknown.
    rejected_zones: Vec<String>,
    interfaces: Vec<Interface>,
}

impl Analyzer<'_> {
    fn model(&mut self, raw: &RawModel) -> Model {
        let firewall = self.firewall(&raw.firewall);
        self.firewall_zone = firewall.zone.clone();
        self.zones = raw
            .zones
            .0
            .iter()
            .filter_map(|(name, zone)| self.zone(name, zone))
            .collect();
        if raw.zones.0.is_empty() {
            self.error(None, ErrorKind::EmptyModel);
        }
        self.interfaces = raw
            .interfaces
            .0
            .iter()
            .filter_map(|(name, interface)| self.interface(name, interface))
            .collect();
        self.check_duplicate_interfaces(raw);
        let policies: Vec<Policy> = raw.policy.iter().filter_map(|p| self.policy(p)).collect();
        self.check_duplicate_policies(&policies);
        let rules = raw.rule.iter().filter_map(|r| self.rule(r)).collect();
        let dnats = raw.dnat.iter().filter_map(|d| self.dnat(d)).collect();
        let snats = self.snats(raw);
        let matrix = self.matrix(&policies, raw);
        Model {
            source_name: self.source.display_name(),
            firewall,
            shorewall_version: self.shorewall_version(raw),
            nftables_table: self.nftables_table(raw),
            zones: std::mem::take(&mut self.zones),
            interfaces: std::mem::take(&mut self.interfaces),
            policies,
            matrix,
            rules,
            dnats,
            snats,
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

    // ----- firewall and backend settings -----

    fn firewall(&mut self, raw: &RawFirewall) -> Firewall {
        let zone = match &raw.zone {
            Some(name) if self.zone_name_valid(name) => name.get_ref().clone(),
            _ => "fw".to_owned(),
        };
        let log_prefix = match &raw.log_prefix {
            Some(prefix) if log_prefix_valid(prefix.get_ref()) => prefix.get_ref().clone(),
            Some(prefix) => {
                let kind = ErrorKind::BadLogPrefix {
                    prefix: prefix.get_ref().clone(),
                };
                self.error(Some(prefix.span()), kind);
                "Shorewall".to_owned()
            }
            None => "Shorewall".to_owned(),
        };
        let management_ports = self.management_ports(raw.management_ports.as_deref());
        Firewall {
            zone,
            log_prefix,
            management_ports,
        }
    }

    fn management_ports(&mut self, raw: Option<&[Spanned<i64>]>) -> Vec<u16> {
        let Some(raw) = raw else {
            return vec![22];
        };
        let mut ports = Vec::new();
        for port in raw {
            match u16::try_from(*port.get_ref()) {
                Ok(p) if p > 0 => ports.push(p),
                _ => {
                    let kind = ErrorKind::BadPort {
                        text: port.get_ref().to_string(),
                        reason: "ports are 1 to 65535",
                    };
                    self.error(Some(port.span()), kind);
                }
            }
        }
        ports
    }

    fn shorewall_version(&mut self, raw: &RawModel) -> u8 {
        match &raw.shorewall.version {
            None => 5,
            Some(version) if matches!(version.get_ref(), 4 | 5) => *version.get_ref() as u8,
            Some(version) => {
                let kind = ErrorKind::BadShorewallVersion {
                    version: *version.get_ref(),
                };
                self.error(Some(version.span()), kind);
                5
            }
        }
    }

    fn nftables_table(&mut self, raw: &RawModel) -> String {
        match &raw.nftables.table {
            None => "fwgen".to_owned(),
            Some(table) if nft_identifier_valid(table.get_ref()) => table.get_ref().clone(),
            Some(table) => {
                let kind = ErrorKind::BadIdentifier {
                    field: "nftables table name",
                    text: table.get_ref().clone(),
                    grammar: "a table name is a letter followed by up to 31 letters, digits or `_`",
                };
                self.error(Some(table.span()), kind);
                "fwgen".to_owned()
            }
        }
    }

    // ----- zones -----

    fn zone_name_valid(&mut self, name: &Spanned<String>) -> bool {
        let text = name.get_ref();
        let kind = if !zone_name_grammar(text) {
            ErrorKind::ZoneNameSyntax { name: text.clone() }
        } else if RESERVED_ZONE_NAMES.contains(&text.as_str()) {
            ErrorKind::ReservedZoneName { name: text.clone() }
        } else if text.len() > MAX_ZONE_NAME {
            ErrorKind::ZoneNameTooLong {
                name: text.clone(),
                max: MAX_ZONE_NAME,
            }
        } else {
            return true;
        };
        self.error(Some(name.span()), kind);
        false
    }

    fn zone(&mut self, name: &Spanned<String>, raw: &RawZone) -> Option<Zone> {
        let valid = self.zone_name_valid(name);
        if valid && *name.get_ref() == self.firewall_zone {
            let kind = ErrorKind::ZoneIsFirewall {
                name: name.get_ref().clone(),
            };
            self.error(Some(name.span()), kind);
            return None;
        }
        let family = self.family(raw.family.as_ref());
        let description = self.free_text("description", raw.description.as_ref());
        if !valid {
            self.rejected_zones.push(name.get_ref().clone());
        }
        valid.then(|| Zone {
            name: name.get_ref().clone(),
            family,
            description,
            span: name.span(),
        })
    }

    fn family(&mut self, raw: Option<&Spanned<String>>) -> Family {
        let Some(raw) = raw else {
            return Family::Ipv4;
        };
        match raw.get_ref().as_str() {
            "ipv4" => Family::Ipv4,
            "ipv6" => Family::Ipv6,
            "both" => Family::Both,
            other => {
                let kind = ErrorKind::BadIdentifier {
                    field: "family",
                    text: other.to_owned(),
                    grammar: "a zone's family is \"ipv4\", \"ipv6\" or \"both\"",
                };
                self.error(Some(raw.span()), kind);
                Family::Ipv4
            }
        }
    }

    fn zone_index(&mut self, name: &Spanned<String>) -> Option<usize> {
        self.find_zone(name.get_ref(), name.span())
    }

    /// `$FW`, the firewall zone's name, `all` (when allowed) or a zone.
    fn zone_ref(&mut self, text: &str, span: Range<usize>) -> Option<ZoneRef> {
        match text {
            "$FW" => return Some(ZoneRef::One(ZoneId::Firewall)),
            "all" => return Some(ZoneRef::All),
            _ if text == self.firewall_zone => return Some(ZoneRef::One(ZoneId::Firewall)),
            _ => {}
        }
        self.find_zone(text, span)
            .map(|index| ZoneRef::One(ZoneId::Zone(index)))
    }

    fn find_zone(&mut self, name: &str, span: Range<usize>) -> Option<usize> {
        let found = self.zones.iter().position(|z| z.name == name);
        if found.is_none() && !self.rejected_zones.iter().any(|r| r == name) {
            let kind = ErrorKind::UnknownZone {
                name: name.to_owned(),
                known: self.zones.iter().map(|z| z.name.clone()).collect(),
            };
            self.error(Some(span), kind);
        }
        found
    }

    // ----- interfaces -----

    fn interface(&mut self, name: &Spanned<String>, raw: &RawInterface) -> Option<Interface> {
        let name_ok = self.interface_name(name);
        let physical_ok = raw.physical.as_ref().is_none_or(|p| self.interface_name(p));
        let zone = self.interface_zone(name, &raw.zone);
        let options = self.interface_options(&raw.options);
        let networks = raw
            .networks
            .iter()
            .filter_map(|n| self.network(n.get_ref(), n.span()))
            .collect::<Vec<_>>();
        let description = self.free_text("description", raw.description.as_ref());
        let zone = zone?;
        self.check_networks_family(&networks, &raw.networks, zone);
        let (options, option_spans) = options.into_iter().unzip();
        (name_ok && physical_ok).then(|| Interface {
            name: name.get_ref().clone(),
            physical: raw.physical.as_ref().unwrap_or(name).get_ref().clone(),
            zone,
            options,
            networks,
            description,
            span: name.span(),
            option_spans,
        })
    }

    fn interface_name(&mut self, name: &Spanned<String>) -> bool {
        match interface_name_problem(name.get_ref()) {
            None => true,
            Some(reason) => {
                let kind = ErrorKind::InterfaceNameSyntax {
                    name: name.get_ref().clone(),
                    reason,
                };
                self.error(Some(name.span()), kind);
                false
            }
        }
    }

    fn interface_zone(
        &mut self,
        interface: &Spanned<String>,
        zone: &Spanned<String>,
    ) -> Option<usize> {
        if zone.get_ref() == "$FW" || *zone.get_ref() == self.firewall_zone {
            let kind = ErrorKind::InterfaceInFirewallZone {
                name: interface.get_ref().clone(),
            };
            self.error(Some(zone.span()), kind);
            return None;
        }
        self.zone_index(zone)
    }

    fn interface_options(
        &mut self,
        raw: &[Spanned<String>],
    ) -> Vec<(InterfaceOption, Range<usize>)> {
        let mut options: Vec<(InterfaceOption, &Spanned<String>)> = Vec::new();
        for text in raw {
            let Some(option) = self.interface_option(text) else {
                continue;
            };
            let name_of = |o: &InterfaceOption| o.to_string().split('=').next().map(str::to_owned);
            if let Some((_, first)) = options.iter().find(|(o, _)| name_of(o) == name_of(&option)) {
                let kind = ErrorKind::ConflictingOptions {
                    first: first.get_ref().clone(),
                    second: text.get_ref().clone(),
                    reason: "each option may be given once",
                };
                self.error(Some(text.span()), kind);
                continue;
            }
            options.push((option, text));
        }
        options
            .into_iter()
            .map(|(option, text)| (option, text.span()))
            .collect()
    }

    fn interface_option(&mut self, text: &Spanned<String>) -> Option<InterfaceOption> {
        let (name, value) = match text.get_ref().split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (text.get_ref().as_str(), None),
        };
        let flag = |option| value.is_none().then_some(option);
        let parsed = match name {
            "dhcp" => flag(InterfaceOption::Dhcp),
            "routeback" => flag(InterfaceOption::Routeback),
            "bridge" => flag(InterfaceOption::Bridge),
            "tcpflags" => flag(InterfaceOption::Tcpflags),
            "nosmurfs" => flag(InterfaceOption::Nosmurfs),
            "arp_filter" => flag(InterfaceOption::ArpFilter),
            "routefilter" => {
                return self.option_value(
                    text,
                    value,
                    "0, 1 or 2",
                    2,
                    InterfaceOption::Routefilter,
                );
            }
            "logmartians" => {
                return self.option_value(text, value, "0 or 1", 1, InterfaceOption::Logmartians);
            }
            "sourceroute" => {
                return self.option_value(text, value, "0 or 1", 1, InterfaceOption::Sourceroute);
            }
            "proxyarp" => {
                return self.option_value(text, value, "0 or 1", 1, InterfaceOption::Proxyarp);
            }
            _ => {
                let kind = ErrorKind::UnknownInterfaceOption {
                    name: text.get_ref().clone(),
                };
                self.error(Some(text.span()), kind);
                return None;
            }
        };
        if parsed.is_none() {
            let kind = ErrorKind::BadInterfaceOptionValue {
                option: name.to_owned(),
                value: value.unwrap_or_default().to_owned(),
                allowed: "none: the option is a flag",
            };
            self.error(Some(text.span()), kind);
        }
        parsed
    }

    fn option_value(
        &mut self,
        text: &Spanned<String>,
        value: Option<&str>,
        allowed: &'static str,
        max: u8,
        make: fn(Option<u8>) -> InterfaceOption,
    ) -> Option<InterfaceOption> {
        let Some(value) = value else {
            return Some(make(None));
        };
        match value.parse::<u8>() {
            Ok(number) if number <= max && value.len() == 1 => Some(make(Some(number))),
            _ => {
                let option = text
                    .get_ref()
                    .split('=')
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                let kind = ErrorKind::BadInterfaceOptionValue {
                    option,
                    value: value.to_owned(),
                    allowed,
                };
                self.error(Some(text.span()), kind);
                None
            }
        }
    }

    fn check_duplicate_interfaces(&mut self, raw: &RawModel) {
        let entries: Vec<(String, Range<usize>)> = raw
            .interfaces
            .0
            .iter()
            .map(|(name, i)| {
                let physical = i.physical.as_ref().unwrap_or(name);
                (physical.get_ref().clone(), physical.span())
            })
            .collect();
        for (index, (name, span)) in entries.iter().enumerate() {
            if let Some((_, first)) = entries[..index].iter().find(|(n, _)| n == name) {
                let kind = ErrorKind::DuplicateInterface {
                    name: name.clone(),
                    first: first.clone(),
                };
                self.error(Some(span.clone()), kind);
            }
        }
    }

    fn check_networks_family(&mut self, networks: &[IpNet], raw: &[Spanned<String>], zone: usize) {
        let family = self.zones[zone].family;
        for (net, raw) in networks.iter().zip(raw) {
            self.check_family(net, raw.span(), ZoneId::Zone(zone), family);
        }
    }

    fn check_family(&mut self, net: &IpNet, span: Range<usize>, zone: ZoneId, family: Family) {
        if !family.has(is_ipv6(net)) {
            let ZoneId::Zone(index) = zone else { return };
            let address = if net.prefix_len() == net.max_prefix_len() {
                net.addr().to_string()
            } else {
                net.to_string()
            };
            let kind = ErrorKind::WrongFamily {
                address,
                zone: self.zones[index].name.clone(),
                family: family.name(),
            };
            self.error(Some(span), kind);
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

    /// `zone` or `zone:addr,addr` (Shorewall's SOURCE and DEST columns).
    fn endpoint(&mut self, raw: &Spanned<String>) -> Option<Endpoint> {
        let text = raw.get_ref();
        let (zone_text, addresses_text) = match text.split_once(':') {
            Some((zone, addresses)) => (zone, Some(addresses)),
            None => (text.as_str(), None),
        };
        let zone_span = self.inner_span(raw, 0, zone_text.len());
        let zone = self.zone_ref(zone_text, zone_span);
        let mut addresses = Vec::new();
        let mut ok = true;
        if let Some(list) = addresses_text {
            let mut offset = zone_text.len() + 1;
            for item in list.split(',') {
                let span = self.inner_span(raw, offset, item.len());
                offset += item.len() + 1;
                match self.network(item.trim(), span.clone()) {
                    Some(net) => {
                        if let Some(ZoneRef::One(id)) = zone {
                            let family = self.zone_family(id);
                            self.check_family(&net, span, id, family);
                        }
                        addresses.push(net);
                    }
                    None => ok = false,
                }
            }
        }
        let zone = zone?;
        ok.then_some(Endpoint { zone, addresses })
    }

    fn zone_family(&self, id: ZoneId) -> Family {
        match id {
            ZoneId::Firewall => Family::Both,
            ZoneId::Zone(index) => self.zones[index].family,
        }
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
        let level = LogLevel::parse(raw.get_ref());
        if level.is_none() {
            let kind = ErrorKind::UnknownLogLevel {
                level: raw.get_ref().clone(),
            };
            self.error(Some(raw.span()), kind);
        }
        level
    }

    // ----- policies -----

    fn policy(&mut self, raw: &Spanned<RawPolicy>) -> Option<Policy> {
        let entry = raw.get_ref();
        let source = self.zone_ref(entry.source.get_ref(), entry.source.span());
        let dest = self.zone_ref(entry.dest.get_ref(), entry.dest.span());
        let action = self.policy_action(&entry.action);
        let log = self.log_level(entry.log.as_ref());
        let comment = self.free_text("comment", entry.comment.as_ref());
        let (source, dest, action) = (source?, dest?, action?);
        if self.firewall_to_firewall(source, dest, raw.span()) {
            return None;
        }
        Some(Policy {
            source,
            dest,
            action,
            log,
            comment,
            line: self.line(&raw.span()),
            span: raw.span(),
        })
    }

    /// Shorewall refuses a policy naming a zone pair (no `all`) that an
    /// earlier policy already decides.
    fn check_duplicate_policies(&mut self, policies: &[Policy]) {
        for (index, policy) in policies.iter().enumerate() {
            let (ZoneRef::One(source), ZoneRef::One(dest)) = (policy.source, policy.dest) else {
                continue;
            };
            let covers = |p: &&Policy| {
                let wildcard = p.source == ZoneRef::All || p.dest == ZoneRef::All;
                p.source.matches(source) && p.dest.matches(dest) && !(wildcard && source == dest)
            };
            if let Some(first) = policies[..index].iter().find(covers) {
                let kind = ErrorKind::DuplicatePolicy {
                    first_line: first.line,
                };
                self.error(Some(policy.span.clone()), kind);
            }
        }
    }

    fn policy_action(&mut self, raw: &Spanned<String>) -> Option<PolicyAction> {
        let action = match raw.get_ref().to_ascii_uppercase().as_str() {
            "ACCEPT" => PolicyAction::Accept,
            "DROP" => PolicyAction::Drop,
            "REJECT" => PolicyAction::Reject,
            "CONTINUE" => PolicyAction::Continue,
            _ => {
                let kind = ErrorKind::UnknownAction {
                    action: raw.get_ref().clone(),
                    allowed: "ACCEPT, DROP, REJECT, CONTINUE",
                };
                self.error(Some(raw.span()), kind);
                return None;
            }
        };
        Some(action)
    }

    fn firewall_to_firewall(&mut self, source: ZoneRef, dest: ZoneRef, span: Range<usize>) -> bool {
        let fw = ZoneRef::One(ZoneId::Firewall);
        let both = source == fw && dest == fw;
        if both {
            self.error(Some(span), ErrorKind::FirewallToFirewall);
        }
        both
    }

    fn matrix(&mut self, policies: &[Policy], raw: &RawModel) -> PolicyMatrix {
        let mut matrix = PolicyMatrix::default();
        if !self.errors.is_empty() {
            return matrix;
        }
        let ids: Vec<ZoneId> = std::iter::once(ZoneId::Firewall)
            .chain((0..self.zones.len()).map(ZoneId::Zone))
            .collect();
        for &source in &ids {
            for &dest in &ids {
                if source == ZoneId::Firewall && dest == ZoneId::Firewall {
                    continue;
                }
                match resolve(policies, source, dest) {
                    Some(decision) => matrix.insert(source, dest, decision),
                    None => self.missing_policy(source, dest, raw),
                }
            }
        }
        matrix
    }

    fn missing_policy(&mut self, source: ZoneId, dest: ZoneId, raw: &RawModel) {
        let name = |id| match id {
            ZoneId::Firewall => "$FW".to_owned(),
            ZoneId::Zone(index) => self.zones[index].name.clone(),
        };
        let kind = ErrorKind::MissingPolicy {
            source: name(source),
            dest: name(dest),
        };
        let span = raw.policy.last().map(Spanned::span);
        self.error(span, kind);
    }

    // ----- rules -----

    fn rule(&mut self, raw: &Spanned<RawRule>) -> Option<Rule> {
        let errors_before = self.errors.len();
        let entry = raw.get_ref();
        let verdict = self.verdict(&entry.action);
        let source = self.endpoint(&entry.source);
        let dest = self.endpoint(&entry.dest);
        let log = self.log_level(entry.log.as_ref());
        let comment = self.free_text("comment", entry.comment.as_ref());
        let (service_macro, services) = self.rule_services(entry, verdict)?;
        let (verdict, source, dest) = (verdict?, source?, dest?);
        if self.firewall_to_firewall(source.zone, dest.zone, raw.span()) {
            return None;
        }
        let rule = Rule {
            verdict,
            log,
            source,
            dest,
            service_macro,
            services,
            comment,
            line: self.line(&raw.span()),
            span: raw.span(),
        };
        if self.errors.len() == errors_before {
            self.check_rule_family(&rule, raw.span())?;
        }
        Some(rule)
    }

    fn verdict(&mut self, raw: &Spanned<String>) -> Option<Verdict> {
        match raw.get_ref().to_ascii_uppercase().as_str() {
            "ACCEPT" => Some(Verdict::Accept),
            "DROP" => Some(Verdict::Drop),
            "REJECT" => Some(Verdict::Reject),
            _ => {
                let kind = ErrorKind::UnknownAction {
                    action: raw.get_ref().clone(),
                    allowed: "ACCEPT, DROP, REJECT (with `macro` for services, `log` for logging, [[dnat]] for port forwards)",
                };
                self.error(Some(raw.span()), kind);
                None
            }
        }
    }

    fn rule_services(
        &mut self,
        entry: &RawRule,
        verdict: Option<Verdict>,
    ) -> Option<(Option<Macro>, Vec<Service>)> {
        let Some(name) = &entry.service_macro else {
            return self.explicit_service(entry).map(|s| (None, s));
        };
        let Some(found) = Macro::find(name.get_ref()) else {
            let kind = ErrorKind::UnknownMacro {
                name: name.get_ref().clone(),
            };
            self.error(Some(name.span()), kind);
            return None;
        };
        if found.is_invalid() {
            return self.invalid_macro(entry, name, found, verdict);
        }
        if entry.proto.is_some()
            || entry.dport.is_some()
            || entry.sport.is_some()
            || entry.icmp_type.is_some()
        {
            self.error(Some(name.span()), ErrorKind::MacroAndProtocol);
            return None;
        }
        Some((Some(found), found.services()))
    }

    /// `Invalid` matches a conntrack state, so a protocol may narrow it
    /// (the samples' `Invalid(DROP) net all tcp`).
    fn invalid_macro(
        &mut self,
        entry: &RawRule,
        name: &Spanned<String>,
        found: Macro,
        verdict: Option<Verdict>,
    ) -> Option<(Option<Macro>, Vec<Service>)> {
        if let Some(other) = verdict.filter(|v| *v != Verdict::Drop) {
            let kind = ErrorKind::MacroNotForAction {
                name: found.name.to_owned(),
                action: other.keyword().to_owned(),
            };
            self.error(Some(name.span()), kind);
            return None;
        }
        if let Some(log) = &entry.log {
            self.error(Some(log.span()), ErrorKind::InvalidLogged);
            return None;
        }
        let services = self.explicit_service(entry)?;
        Some((Some(found), services))
    }

    fn explicit_service(&mut self, entry: &RawRule) -> Option<Vec<Service>> {
        let proto = match &entry.proto {
            Some(proto) => Some(self.protocol(proto)?),
            None => None,
        };
        let dports = self.ports_for(entry.dport.as_ref(), proto)?;
        let sports = self.ports_for(entry.sport.as_ref(), proto)?;
        let icmp_type = match &entry.icmp_type {
            Some(icmp) => Some(self.icmp_type(icmp, proto)?),
            None => None,
        };
        Some(proto.flatten().map_or_else(Vec::new, |proto| {
            vec![Service {
                proto,
                dports,
                sports,
                icmp_type,
            }]
        }))
    }

    fn protocol(&mut self, raw: &Spanned<Scalar>) -> Option<Option<Protocol>> {
        let text = scalar_text(raw.get_ref());
        if text.eq_ignore_ascii_case("all") {
            return Some(None);
        }
        let parsed = Protocol::parse(&text);
        if parsed.is_none() {
            let kind = ErrorKind::UnknownProtocol { protocol: text };
            self.error(Some(raw.span()), kind);
            return None;
        }
        Some(parsed)
    }

    fn ports_for(
        &mut self,
        raw: Option<&Spanned<PortList>>,
        proto: Option<Option<Protocol>>,
    ) -> Option<Vec<PortRange>> {
        let Some(raw) = raw else {
            return Some(Vec::new());
        };
        let proto = proto.flatten();
        if !proto.is_some_and(Protocol::has_ports) {
            let kind = ErrorKind::PortsNeedProtocol {
                protocol: proto.map_or("all".to_owned(), |p| p.to_string()),
            };
            self.error(Some(raw.span()), kind);
            return None;
        }
        self.ports(raw)
    }

    fn ports(&mut self, raw: &Spanned<PortList>) -> Option<Vec<PortRange>> {
        let mut ports = Vec::new();
        for item in raw.get_ref().items() {
            let text = scalar_text(&item);
            for part in text.split(',') {
                match parse_port_range(part.trim()) {
                    Ok(range) => ports.push(range),
                    Err(reason) => {
                        let kind = ErrorKind::BadPort {
                            text: part.trim().to_owned(),
                            reason,
                        };
                        self.error(Some(raw.span()), kind);
                        return None;
                    }
                }
            }
        }
        if ports.is_empty() {
            let kind = ErrorKind::BadPort {
                text: String::new(),
                reason: "the list is empty",
            };
            self.error(Some(raw.span()), kind);
            return None;
        }
        Some(ports)
    }

    fn icmp_type(
        &mut self,
        raw: &Spanned<Scalar>,
        proto: Option<Option<Protocol>>,
    ) -> Option<IcmpType> {
        let proto = proto.flatten();
        let Some(proto) = proto.filter(|p| p.is_icmp()) else {
            let kind = ErrorKind::IcmpTypeNeedsIcmp {
                protocol: proto.map_or("all".to_owned(), |p| p.to_string()),
            };
            self.error(Some(raw.span()), kind);
            return None;
        };
        let text = scalar_text(raw.get_ref());
        let parsed = IcmpType::parse(&text, proto == Protocol::Icmpv6);
        if parsed.is_none() {
            self.error(Some(raw.span()), ErrorKind::UnknownIcmpType { name: text });
        }
        parsed
    }

    fn check_rule_family(&mut self, rule: &Rule, span: Range<usize>) -> Option<()> {
        let zones_allow = |ipv6: bool| {
            [rule.source.zone, rule.dest.zone]
                .iter()
                .all(|zone| match zone {
                    ZoneRef::All => self.zones.iter().any(|z| z.family.has(ipv6)),
                    ZoneRef::One(id) => self.zone_family(*id).has(ipv6),
                })
        };
        if [false, true]
            .iter()
            .any(|&ipv6| rule.allows_family(ipv6) && zones_allow(ipv6))
        {
            return Some(());
        }
        self.error(Some(span), ErrorKind::FamilyConflict { what: "this rule" });
        None
    }

    // ----- NAT -----

    fn dnat(&mut self, raw: &Spanned<RawDnat>) -> Option<Dnat> {
        let entry = raw.get_ref();
        let source = self.endpoint(&entry.source);
        let dest = self.dnat_dest(&entry.dest);
        let to = self.dnat_target(&entry.to);
        let proto = self.protocol(&entry.proto);
        let dports = match proto {
            Some(Some(p)) if p.has_ports() => self.ports(&entry.dport),
            Some(_) => {
                self.error(Some(entry.proto.span()), ErrorKind::PortForwardWithoutPort);
                None
            }
            None => None,
        };
        let to_port = self.target_port(entry.to_port.as_ref());
        let log = self.log_level(entry.log.as_ref());
        let comment = self.free_text("comment", entry.comment.as_ref());
        let (source, dest, to, proto, dports) = (source?, dest?, to?, proto??, dports?);
        if source.zone == ZoneRef::One(ZoneId::Firewall) {
            self.error(Some(entry.source.span()), ErrorKind::DnatFromFirewall);
            return None;
        }
        self.check_dnat_target(to, dest, &entry.to)?;
        Some(Dnat {
            source,
            dest,
            to,
            proto,
            dports,
            to_port: to_port?,
            log,
            comment,
            line: self.line(&raw.span()),
            span: raw.span(),
        })
    }

    fn dnat_dest(&mut self, raw: &Spanned<String>) -> Option<usize> {
        match self.zone_ref(raw.get_ref(), raw.span())? {
            ZoneRef::One(ZoneId::Zone(index)) => Some(index),
            ZoneRef::One(ZoneId::Firewall) => {
                self.error(Some(raw.span()), ErrorKind::DnatToFirewall);
                None
            }
            ZoneRef::All => {
                let kind = ErrorKind::DnatNeedsZone {
                    zone: raw.get_ref().clone(),
                };
                self.error(Some(raw.span()), kind);
                None
            }
        }
    }

    fn dnat_target(&mut self, raw: &Spanned<String>) -> Option<IpAddr> {
        let net = self.network(raw.get_ref(), raw.span())?;
        if net.prefix_len() != net.max_prefix_len() {
            let kind = ErrorKind::DnatTargetNotHost {
                target: raw.get_ref().clone(),
            };
            self.error(Some(raw.span()), kind);
            return None;
        }
        Some(net.addr())
    }

    fn target_port(&mut self, raw: Option<&Spanned<i64>>) -> Option<Option<u16>> {
        let Some(raw) = raw else {
            return Some(None);
        };
        match u16::try_from(*raw.get_ref()) {
            Ok(port) if port > 0 => Some(Some(port)),
            _ => {
                let kind = ErrorKind::BadPort {
                    text: raw.get_ref().to_string(),
                    reason: "ports are 1 to 65535",
                };
                self.error(Some(raw.span()), kind);
                None
            }
        }
    }

    /// The target must lie in its zone; with no declared networks in that
    /// zone, it must at least not lie in another zone's networks.
    fn check_dnat_target(&mut self, to: IpAddr, dest: usize, raw: &Spanned<String>) -> Option<()> {
        let host = IpNet::from(to);
        let family = self.zones[dest].family;
        self.check_family(&host, raw.span(), ZoneId::Zone(dest), family);
        let in_zone = |zone: usize| {
            self.interfaces
                .iter()
                .filter(|i| i.zone == zone)
                .flat_map(|i| &i.networks)
                .any(|n| n.contains(&to))
        };
        let declares = self
            .interfaces
            .iter()
            .any(|i| i.zone == dest && !i.networks.is_empty());
        let elsewhere = (0..self.zones.len()).any(|z| z != dest && in_zone(z));
        if (declares && !in_zone(dest)) || (!declares && elsewhere) {
            let kind = ErrorKind::DnatTargetOutsideZone {
                target: to.to_string(),
                zone: self.zones[dest].name.clone(),
            };
            self.error(Some(raw.span()), kind);
            return None;
        }
        Some(())
    }

    fn snats(&mut self, raw: &RawModel) -> Vec<Snat> {
        let masquerades = raw.masquerade.iter().map(|m| {
            let m = m.get_ref();
            (
                &m.interface,
                &m.sources,
                None,
                m.comment.as_ref(),
                m.interface.span(),
            )
        });
        let snats = raw.snat.iter().map(|s: &Spanned<RawSnat>| {
            let e = s.get_ref();
            (
                &e.interface,
                &e.sources,
                Some(&e.to),
                e.comment.as_ref(),
                e.interface.span(),
            )
        });
        let entries: Vec<_> = masquerades.chain(snats).collect();
        entries
            .into_iter()
            .filter_map(|(interface, sources, to, comment, span)| {
                self.snat(interface, sources, to, comment, span)
            })
            .collect()
    }

    fn snat(
        &mut self,
        interface: &Spanned<String>,
        sources: &[Spanned<String>],
        to: Option<&Spanned<String>>,
        comment: Option<&Spanned<String>>,
        span: Range<usize>,
    ) -> Option<Snat> {
        let found = self
            .interfaces
            .iter()
            .position(|i| i.name == *interface.get_ref());
        if found.is_none() {
            let kind = ErrorKind::UnknownInterface {
                name: interface.get_ref().clone(),
                known: self.interfaces.iter().map(|i| i.name.clone()).collect(),
            };
            self.error(Some(interface.span()), kind);
        }
        let nets: Vec<IpNet> = sources
            .iter()
            .filter_map(|s| self.network(s.get_ref(), s.span()))
            .collect();
        let to_addr = match to {
            Some(to) => Some(self.dnat_target(to)?),
            None => None,
        };
        let comment = self.free_text("comment", comment);
        let interface = found?;
        let zone = self.interfaces[interface].zone;
        let family = self.zones[zone].family;
        for (net, raw) in nets.iter().zip(sources) {
            self.check_family(net, raw.span(), ZoneId::Zone(zone), family);
        }
        if let (Some(addr), Some(raw)) = (to_addr, to) {
            self.check_family(&IpNet::from(addr), raw.span(), ZoneId::Zone(zone), family);
            if nets.iter().any(|n| is_ipv6(n) != addr.is_ipv6()) {
                self.error(
                    Some(raw.span()),
                    ErrorKind::FamilyConflict { what: "this SNAT" },
                );
            }
        }
        (nets.len() == sources.len()).then(|| Snat {
            interface,
            sources: nets,
            to: to_addr,
            comment,
            line: self.line(&span),
            span: span.clone(),
        })
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

fn nft_identifier_valid(name: &str) -> bool {
    zone_name_grammar(name) && name.len() <= 32
}

/// The kernel's rules (1-15 bytes, no `/`, `:` or whitespace), narrowed to
/// characters that are safe in every generated file.
fn interface_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("it is empty");
    }
    if name.len() > 15 {
        return Some("the kernel allows at most 15 bytes");
    }
    if name == "." || name == ".." {
        return Some("the kernel reserves `.` and `..`");
    }
    if !name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
    {
        return Some("it must start with a letter or digit");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        return Some("only letters, digits, `_`, `.` and `-` are allowed");
    }
    None
}

fn forbidden_in_text(c: char) -> bool {
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
        _ => "expected an address or ADDRESS/PREFIX".to_owned(),
    })?;
    if net.trunc() != net {
        return Err(format!("host bits are set; the network is {}", net.trunc()));
    }
    Ok(net)
}

fn parse_port(text: &str) -> Result<u16, &'static str> {
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_digit()) {
        return Err("ports are numbers");
    }
    match text.parse::<u32>() {
        Ok(port) if (1..=65535).contains(&port) => Ok(port as u16),
        _ => Err("ports are 1 to 65535"),
    }
}

fn parse_port_range(text: &str) -> Result<PortRange, &'static str> {
    let Some((low, high)) = text.split_once(':') else {
        return parse_port(text).map(PortRange::single);
    };
    let (low, high) = (parse_port(low)?, parse_port(high)?);
    if low > high {
        return Err("the range's first port is above its last");
    }
    Ok(PortRange { low, high })
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
    fn interface_names() {
        assert_eq!(interface_name_problem("lxcbr0"), None);
        assert_eq!(interface_name_problem("eth0.100"), None);
        assert!(interface_name_problem("averyveryverylongname").is_some());
        assert!(interface_name_problem("eth0:1").is_some());
        assert!(interface_name_problem("a b").is_some());
        assert!(interface_name_problem("").is_some());
    }

    #[test]
    fn zone_names() {
        assert!(zone_name_grammar("net"));
        assert!(zone_name_grammar("d_1"));
        assert!(!zone_name_grammar("1net"));
        assert!(!zone_name_grammar("ne-t"));
    }
}
