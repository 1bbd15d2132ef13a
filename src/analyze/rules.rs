//! Rules: actions, macros, protocols, ports, ICMP types.

use super::zone_lists::{ZoneForm, ZoneList, zone_pairs};
use super::*;

impl Analyzer<'_> {
    /// The rules of one `[[rule]]`: one, or one per zone pair when a side
    /// is a zone list or an extended wildcard (src/analyze/zone_lists.rs).
    pub(super) fn rules(&mut self, raw: &Spanned<RawRule>) -> Vec<Rule> {
        let errors_before = self.errors.len();
        let entry = raw.get_ref();
        let source = self.rule_side(&entry.source);
        let dest = self.rule_side(&entry.dest);
        let (Some((source, source_list)), Some((dest, dest_list))) = (source, dest) else {
            let _ = self.rule(raw, None, None, errors_before);
            return Vec::new();
        };
        if source_list.is_none() && dest_list.is_none() {
            return self
                .rule(raw, Some(source), Some(dest), errors_before)
                .into_iter()
                .collect();
        }
        let Some(rule) = self.rule(raw, Some(source), Some(dest), errors_before) else {
            return Vec::new();
        };
        let zones = |this: &Self, zone: ZoneRef, list: &Option<ZoneList>| match (list, zone) {
            (Some(list), _) => list.zones.clone(),
            (None, ZoneRef::All) => this.every_zone(),
            (None, ZoneRef::One(id)) => vec![id],
        };
        let wild = source_list.is_some()
            || dest_list.is_some()
            || rule.source.zone == ZoneRef::All
            || rule.dest.zone == ZoneRef::All;
        let intrazone = [&source_list, &dest_list]
            .iter()
            .any(|l| l.as_ref().is_some_and(|l| l.intrazone));
        let pairs = zone_pairs(
            &zones(self, rule.source.zone, &source_list),
            &zones(self, rule.dest.zone, &dest_list),
            wild,
            intrazone,
        );
        let rules: Vec<Rule> = pairs
            .into_iter()
            .map(|(s, d)| {
                let mut one = rule.clone();
                one.source.zone = ZoneRef::One(s);
                one.dest.zone = ZoneRef::One(d);
                one
            })
            .filter(|one| self.rule_fits_family(one))
            .collect();
        if rules.is_empty() {
            self.error(
                Some(raw.span()),
                ErrorKind::FamilyConflict { what: "this rule" },
            );
        }
        rules
    }

    /// A SOURCE or DEST: the endpoint (its zone `all` when it names a
    /// list), and the list.
    fn rule_side(&mut self, raw: &Spanned<String>) -> Option<(Endpoint, Option<ZoneList>)> {
        let text = raw.get_ref();
        let zone_text = text.split(':').next().unwrap_or_default();
        match self.zone_form(raw, zone_text) {
            ZoneForm::Plain => self.endpoint(raw).map(|e| (e, None)),
            ZoneForm::Refused => None,
            ZoneForm::List(list) => {
                let (addresses, excluded) = match text.split_once(':') {
                    Some((_, rest)) => {
                        let parsed = self.address_list(raw, zone_text.len() + 1, rest, None)?;
                        (parsed.addresses, parsed.excluded)
                    }
                    None => (Vec::new(), Vec::new()),
                };
                let endpoint = Endpoint {
                    zone: ZoneRef::All,
                    addresses,
                    excluded,
                };
                Some((endpoint, Some(list)))
            }
        }
    }

    /// One rule; `None` for a side that was refused already. Its family
    /// is checked only when no error came before (`errors_before`).
    fn rule(
        &mut self,
        raw: &Spanned<RawRule>,
        source: Option<Endpoint>,
        dest: Option<Endpoint>,
        errors_before: usize,
    ) -> Option<Rule> {
        let entry = raw.get_ref();
        let verdict = self.verdict(&entry.action);
        let log = self.log_level(entry.log.as_deref());
        let log_tag = self.log_tag(entry);
        let comment = self.free_text("comment", entry.comment.as_deref());
        let family = match entry.family.as_deref() {
            Some(raw) => self.family(Some(raw)),
            None => Family::Both,
        };
        let (service_macro, services) = self.rule_services(entry, verdict)?;
        let (verdict, source, dest) = (verdict?, source?, dest?);
        if self.firewall_to_firewall(source.zone, dest.zone, raw.span()) {
            return None;
        }
        let rule = Rule {
            verdict,
            log,
            log_tag,
            source,
            dest,
            service_macro,
            services,
            comment,
            family,
            line: self.line(&raw.span()),
            span: raw.span(),
        };
        if self.errors.len() == errors_before {
            self.check_rule_family(&rule, raw.span())?;
        }
        Some(rule)
    }

    /// A log tag: 1 to 12 letters, digits, `_` or `-`, with a log level.
    fn log_tag(&mut self, entry: &RawRule) -> Option<String> {
        let raw = entry.log_tag.as_ref()?;
        let tag = raw.get_ref();
        let valid = (1..=MAX_LOG_TAG).contains(&tag.len())
            && tag
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid {
            let kind = ErrorKind::BadLogTag { tag: tag.clone() };
            self.error(Some(raw.span()), kind);
            return None;
        }
        if entry.log.is_none() {
            self.error(Some(raw.span()), ErrorKind::LogTagWithoutLog);
            return None;
        }
        Some(tag.clone())
    }

    pub(super) fn verdict(&mut self, raw: &Spanned<String>) -> Option<Verdict> {
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

    pub(super) fn rule_services(
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
    pub(super) fn invalid_macro(
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

    pub(super) fn explicit_service(&mut self, entry: &RawRule) -> Option<Vec<Service>> {
        let proto = match &entry.proto {
            Some(proto) => Some(self.protocol(proto)?),
            None => None,
        };
        let dports = self.ports_for(entry.dport.as_ref(), proto)?;
        let sports = self.ports_for(entry.sport.as_deref(), proto)?;
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

    pub(super) fn protocol(&mut self, raw: &Spanned<Scalar>) -> Option<Option<Protocol>> {
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

    pub(super) fn ports_for(
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

    pub(super) fn ports(&mut self, raw: &Spanned<PortList>) -> Option<Vec<PortRange>> {
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

    pub(super) fn icmp_type(
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

    pub(super) fn check_rule_family(&mut self, rule: &Rule, span: Range<usize>) -> Option<()> {
        if self.rule_fits_family(rule) {
            return Some(());
        }
        self.error(Some(span), ErrorKind::FamilyConflict { what: "this rule" });
        None
    }

    /// Whether the rule's zones, addresses and services share a family.
    fn rule_fits_family(&self, rule: &Rule) -> bool {
        let zones_allow = |ipv6: bool| {
            [rule.source.zone, rule.dest.zone]
                .iter()
                .all(|zone| match zone {
                    ZoneRef::All => self.zones.iter().any(|z| z.family.has(ipv6)),
                    ZoneRef::One(id) => self.zone_family(*id).has(ipv6),
                })
        };
        [false, true]
            .iter()
            .any(|&ipv6| rule.allows_family(ipv6) && zones_allow(ipv6))
    }
}
