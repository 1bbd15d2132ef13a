//! Rules: actions, macros, protocols, ports, ICMP types.

use super::addresses::AddressList;
use super::zone_lists::{ZoneForm, ZoneList, zone_pairs};
use super::*;
use crate::config::Scalar;
use crate::model::reject::{Answer, RejectWith};
use crate::model::rule::{MacroShare, Origdest, Section, written};
use crate::model::service::{MacroCall, MacroColumns, MacroPart};
use crate::model::settings::CONNTRACK_HELPERS;
use crate::model::time::{self, Clock, TimeWindow};
use crate::model::{NatExempt, Owner, OwnerId, interface};

/// One plain part: a rule's own services.
fn plain(services: Vec<Service>) -> Vec<MacroPart> {
    vec![MacroPart {
        reversed: false,
        source: Vec::new(),
        dest: Vec::new(),
        family: None,
        services,
        origdest: Vec::new(),
    }]
}

/// Every service of a call's parts, each once.
fn part_services(parts: &[MacroPart]) -> Vec<Service> {
    // Sized once: a model's rules each hold their services for as long as
    // the model lives, and a list grown by pushing holds room for four.
    let mut services: Vec<Service> =
        Vec::with_capacity(parts.iter().map(|p| p.services.len()).sum());
    for service in parts.iter().flat_map(|p| &p.services) {
        if !services.contains(service) {
            services.push(service.clone());
        }
    }
    services
}

/// Why a rule of a source with MAC addresses cannot stand, if it cannot:
/// Chains.pm refuses a MAC address in the OUTPUT chain ("A MAC
/// address(...) cannot be used in this context"), where the firewall's
/// own packets are (`$FW`, and `all` but towards `$FW`, as `all` holds
/// it), and as a destination (a macro's line the way back).
fn mac_refused(rule: &Rule) -> Option<&'static str> {
    if !rule.dest.macs().is_empty() {
        return Some(
            "is a sender's MAC address, and the rule's macro has lines the way back, where it would be the destination's: Shorewall refuses a MAC address in DEST; write the macro's lines as rules of their own",
        );
    }
    // `all` (ZoneRef::All) holds the firewall, but to `$FW` it is the
    // zones alone (no rule of the firewall's traffic to itself); lists
    // are expanded.
    let firewall = match rule.source.zone {
        ZoneRef::One(ZoneId::Firewall) => true,
        ZoneRef::All => rule.dest.zone != ZoneRef::One(ZoneId::Firewall),
        ZoneRef::One(ZoneId::Zone(_)) => false,
    };
    (!rule.source.macs().is_empty() && firewall).then_some(
        "matches a sender's MAC address, which the firewall's own packets do not have: Shorewall refuses it from $FW (and from `all` to anything but $FW, as `all` holds $FW: \"cannot be used in this context\"); name the zones (`all-` leaves $FW out)",
    )
}

/// Ports as Shorewall's DPORT column writes them.
pub(super) fn ports_text(ranges: &[PortRange]) -> String {
    let written: Vec<String> = ranges.iter().map(|r| r.written(":")).collect();
    written.join(",")
}

impl Analyzer<'_> {
    /// The rules of one `[[rule]]`: one, or one per zone pair when a side
    /// is a zone list or an extended wildcard (src/analyze/zone_lists.rs).
    pub(super) fn rules(&mut self, raw: &Spanned<RawRule>) -> Vec<Rule> {
        let rules = self.rules_of_entry(raw);
        let ipv6 = |zone: ZoneRef| match zone {
            ZoneRef::All => self.zones.iter().any(|z| z.family.has_ipv6()),
            ZoneRef::One(id) => self.zone_family(id).has_ipv6(),
        };
        let refused = |r: &Rule| match r.nat_exempt {
            // Nat.pm handle_nonat_rule refuses a DEST with a `:`, and
            // Shorewall6 writes an empty DEST as `::/0`: "Invalid DEST
            // (::/0) in NONAT rule", for ACCEPT+ alike.
            Some(_) if r.allows_family(true) && ipv6(r.source.zone) && ipv6(r.dest.zone) => Some(
                "is IPv4's alone: Shorewall6 refuses every NONAT and ACCEPT+ (Nat.pm: \"Invalid DEST (::/0)\"), so it cannot mean IPv6 traffic; give the rule `family = \"ipv4\"` or IPv4 addresses",
            ),
            // Nat.pm handle_nonat_rule: "Invalid DEST (loc:eth1) in
            // NONAT rule": nat prerouting knows no output interface.
            Some(_) if r.dest.interface.is_some() => Some(
                "names no `dest` interface: the nat rule comes before routing, and Shorewall refuses it (\"Invalid DEST\"); write the zone and addresses",
            ),
            // NONAT's DEST is addresses alone, where Rules.pm reads a set
            // or `&eth0` as a zone.
            Some(NatExempt::Only)
                if r.dest.ipset.is_some() || r.dest.interface_address.is_some() =>
            {
                Some(
                    "takes addresses or networks in `dest`: Shorewall reads NONAT's DEST without a zone, where a set (`+name`) or `&eth0` is not an address",
                )
            }
            _ => None,
        };
        if let Some(rule) = rules.iter().find(|r| refused(r).is_some()) {
            let reason = refused(rule).unwrap_or_default();
            let entry = raw.get_ref();
            // Where the reason lies: the action (IPv6), or the
            // destination.
            let at = if reason.starts_with("is IPv4's") {
                entry.action.span()
            } else {
                entry.dest.span()
            };
            let kind = ErrorKind::NatExemption {
                action: rule.nat_exempt.map_or("", NatExempt::keyword),
                reason,
            };
            self.error(Some(at), kind);
            return Vec::new();
        }
        if let Some(reason) = rules.iter().find_map(mac_refused) {
            let entry = raw.get_ref();
            let kind = ErrorKind::MacSource {
                text: entry.source.get_ref().clone(),
                reason,
            };
            self.error(Some(entry.source.span()), kind);
            return Vec::new();
        }
        let from_elsewhere = rules
            .iter()
            .any(|r| r.owner.is_some() && r.source.zone != ZoneRef::One(ZoneId::Firewall));
        if !from_elsewhere {
            return rules;
        }
        // Rules.pm: "USER/GROUP may only be specified when the SOURCE zone
        // is $FW" (a macro's line the way back, or a zone list, included).
        let entry = raw.get_ref();
        let (key, span, text) = owner_key(entry);
        let kind = ErrorKind::BadOwner {
            key,
            text,
            reason: "only the firewall's own packets have a socket owner: Shorewall refuses USER/GROUP unless the SOURCE is $FW".to_owned(),
        };
        self.error(Some(span), kind);
        Vec::new()
    }

    fn rules_of_entry(&mut self, raw: &Spanned<RawRule>) -> Vec<Rule> {
        let errors_before = self.errors.len();
        let entry = raw.get_ref();
        self.reading_source = true;
        let source = self.rule_side(&entry.source);
        self.reading_source = false;
        let dest = self.rule_side(&entry.dest);
        let (Some((source, source_list)), Some((dest, dest_list))) = (source, dest) else {
            let _ = self.rule(raw, None, None, errors_before);
            return Vec::new();
        };
        let Some((rule, parts)) = self.rule(raw, Some(source), Some(dest), errors_before) else {
            return Vec::new();
        };
        if source_list.is_none() && dest_list.is_none() {
            let rules = self.macro_part_rules(rule, &parts, raw);
            if rules.is_empty() && self.errors.len() == errors_before {
                let kind = ErrorKind::FamilyConflict { what: "this rule" };
                self.error(Some(raw.span()), kind);
            }
            return rules;
        }
        let zones = |this: &Self, zone: ZoneRef, list: &Option<ZoneList>| match (list, zone) {
            (Some(list), _) => list.zones.clone(),
            (None, ZoneRef::All) => this.every_zone(),
            (None, ZoneRef::One(id)) => vec![id],
        };
        let wild = source_list.is_some()
            || dest_list.is_some()
            || rule.source.zone == ZoneRef::All
            || rule.dest.zone == ZoneRef::All;
        // Rules.pm's build_zone_list sets one flag, SOURCE first: `all+`
        // sets it, a written list sets it to its own `+` (so a DEST list
        // without `+` clears SOURCE's), anything else leaves it.
        let intrazone =
            [&source_list, &dest_list]
                .into_iter()
                .flatten()
                .fold(false, |flag, list| match list.written {
                    true => list.intrazone,
                    false => flag || list.intrazone,
                });
        let (sources, dests) = (
            zones(self, rule.source.zone, &source_list),
            zones(self, rule.dest.zone, &dest_list),
        );
        // With `+` the sides cover the firewall's traffic to itself, which
        // Shorewall then filters on `lo` (Rules.pm makes the chain fw2fw
        // for the rule); fwgen has no such pair and always accepts it, the
        // same only for a plain ACCEPT.
        let fw = ZoneId::Firewall;
        if intrazone
            && sources.contains(&fw)
            && dests.contains(&fw)
            && (rule.verdict != Verdict::Accept || rule.log.is_some() || rule.audit)
        {
            let side = if dest_list.as_ref().is_none_or(|l| !l.intrazone) {
                &entry.source
            } else {
                &entry.dest
            };
            self.firewall_itself_covered(side);
            return Vec::new();
        }
        let pairs = zone_pairs(&sources, &dests, wild, intrazone);
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
        let rules: Vec<Rule> = rules
            .into_iter()
            .flat_map(|one| self.macro_part_rules(one, &parts, raw))
            .collect();
        if rules.is_empty() && self.errors.len() == errors_before {
            self.error(
                Some(raw.span()),
                ErrorKind::FamilyConflict { what: "this rule" },
            );
        }
        rules
    }

    /// The rules exempting connections from the later port forwards and
    /// redirects, taken out of `rules` when they only exempt (NONAT).
    /// fwgen writes an exemption as the end of nftables' nat prerouting
    /// chain, where Shorewall jumps on to the one-to-one NAT of the
    /// zone's interfaces (Nat.pm handle_nonat_rule): with `[[nat]]`
    /// entries refused. `actions`: the span of each exempting entry and of
    /// its action.
    pub(super) fn nat_exemptions(
        &mut self,
        actions: &[(Range<usize>, Range<usize>)],
        rules: &mut Vec<Rule>,
        one_to_one: bool,
    ) -> Vec<Rule> {
        let exemptions: Vec<Rule> = rules
            .iter()
            .filter(|r| r.nat_exempt.is_some())
            .cloned()
            .collect();
        rules.retain(|r| r.nat_exempt != Some(NatExempt::Only));
        let from_zone = |r: &&Rule| r.source.zone != ZoneRef::One(ZoneId::Firewall);
        if one_to_one && let Some(rule) = exemptions.iter().find(from_zone) {
            let action = actions
                .iter()
                .find(|(entry, _)| *entry == rule.span)
                .map(|(_, action)| action.clone());
            let kind = ErrorKind::NatExemption {
                action: rule.nat_exempt.map_or("", NatExempt::keyword),
                reason: "from a zone is refused beside one-to-one NAT (`[[nat]]`): Shorewall still applies the one-to-one NAT of the zone's interfaces to what it exempts, and fwgen's nat chain would not",
            };
            self.error(action.or(Some(rule.span.clone())), kind);
        }
        exemptions
    }

    /// A SOURCE or DEST: the endpoint (its zone `all` when it names a
    /// list), and the list.
    fn rule_side(&mut self, raw: &Spanned<String>) -> Option<(Endpoint, Option<ZoneList>)> {
        let text = raw.get_ref();
        let zone_text = text.split(':').next().unwrap_or_default();
        match self.zone_form(raw, zone_text) {
            ZoneForm::Plain => match self.interface_endpoint(raw) {
                Some(endpoint) => endpoint.map(|e| (e, None)),
                None => self.endpoint(raw).map(|e| (e, None)),
            },
            ZoneForm::Refused => None,
            ZoneForm::List(list) => {
                let parsed = match text.split_once(':') {
                    Some((_, rest)) => self.address_list(raw, zone_text.len() + 1, rest, None)?,
                    None => AddressList::default(),
                };
                let endpoint = Endpoint {
                    zone: ZoneRef::All,
                    interface: None,
                    narrowed: Narrowed::of(None, parsed.macs),
                    addresses: parsed.addresses,
                    excluded: parsed.excluded,
                    interface_address: parsed.interface_address,
                    ipset: parsed.ipset,
                };
                Some((endpoint, Some(list)))
            }
        }
    }

    /// `zone:eth0` and `zone:eth0:ADDRESSES` (shorewall-rules(5)): the zone
    /// as it comes in or goes out by one of its interfaces, as Shorewall
    /// reads a known interface name after the zone (Rules.pm). `None` when
    /// no interface of the model follows the zone; `Some(None)` once
    /// refused.
    fn interface_endpoint(&mut self, raw: &Spanned<String>) -> Option<Option<Endpoint>> {
        let text = raw.get_ref();
        let (zone_text, rest) = text.split_once(':')?;
        let (name, addresses) = match rest.split_once(':') {
            Some((name, addresses)) => (name, Some(addresses)),
            None => (rest, None),
        };
        let name_span = self.inner_span(raw, zone_text.len() + 1, name.len());
        // A device a wildcard stands for (`ppp5` of `ppp+`) begins with a
        // letter: `net:10.0.0.1` is a zone and an address, even under `+`.
        let (index, device) = match interface::named(&self.interfaces, name)? {
            (_, Some(_)) if !name.starts_with(|c: char| c.is_ascii_alphabetic()) => return None,
            (index, None) => (index, None),
            (index, Some(device)) => {
                // Written into both backends' files as a kernel name (and
                // mapped onto a `physical` wildcard's root), so checked as
                // one; two dots make Shorewall read a host name
                // (Chains.pm isolate_source_interface: `.+\..+\.`).
                let physical = self.interfaces[index].device_physical(name);
                let two_dots = "Shorewall reads a name with two dots as a host name, not a device (Chains.pm isolate_source_interface)";
                let problem = (crate::model::interface::name_problem(name))
                    .or_else(|| crate::model::interface::name_problem(&physical))
                    .or_else(|| (name.matches('.').count() > 1).then_some(two_dots));
                if let Some(reason) = problem {
                    let kind = ErrorKind::InterfaceNameSyntax {
                        name: name.to_owned(),
                        reason,
                    };
                    self.error(Some(name_span), kind);
                    return Some(None);
                }
                (index, Some(device.into()))
            }
        };
        let zone_span = self.inner_span(raw, 0, zone_text.len());
        let zone = self.zone_ref(zone_text, zone_span);
        let refuse = |this: &mut Self, reason: &'static str| {
            let kind = ErrorKind::RuleInterface {
                interface: name.to_owned(),
                reason,
            };
            this.error(Some(name_span.clone()), kind);
            Some(None)
        };
        let Some(zone) = zone else {
            return Some(None);
        };
        let ZoneRef::One(ZoneId::Zone(zone_index)) = zone else {
            return refuse(
                self,
                "follows `$FW` or `all`: only a zone comes in or goes out by an interface",
            );
        };
        let carries = self.interfaces[index].zone == Some(zone_index)
            || self.zones[zone_index]
                .hosts
                .iter()
                .any(|h| h.interface == index);
        if !carries {
            return refuse(
                self,
                "is not an interface of the zone, nor one its hosts are on: the rule could never match",
            );
        }
        let list = match addresses {
            Some(list) => {
                let at = zone_text.len() + name.len() + 2;
                match self.address_list(raw, at, list, Some(zone)) {
                    Some(list) => Some(list),
                    None => return Some(None),
                }
            }
            None => None,
        };
        let list = list.unwrap_or_default();
        Some(Some(Endpoint {
            zone,
            interface: Some(index),
            narrowed: Narrowed::of(device, list.macs),
            addresses: list.addresses,
            excluded: list.excluded,
            interface_address: list.interface_address,
            ipset: list.ipset,
        }))
    }

    /// One rule; `None` for a side that was refused already. Its family
    /// is checked only when no error came before (`errors_before`).
    fn rule(
        &mut self,
        raw: &Spanned<RawRule>,
        source: Option<Endpoint>,
        dest: Option<Endpoint>,
        errors_before: usize,
    ) -> Option<(Rule, Vec<MacroPart>)> {
        let entry = raw.get_ref();
        let nat_exempt = NatExempt::parse(entry.action.get_ref()).filter(|_| !self.blacklisting);
        let verdict = match nat_exempt {
            Some(exempt) if !self.nat_exempt_fits(entry, exempt) => None,
            Some(_) => Some(Verdict::Accept),
            None => self.verdict(&entry.action),
        };
        let log = self.log_level(entry.log.as_deref());
        let log_tag = self.log_tag(entry.log_tag.as_deref(), entry.log.is_some());
        let comment = self.free_text("comment", entry.comment.as_deref());
        let family = match entry.family.as_deref() {
            Some(raw) => self.family(Some(raw)),
            None => Family::Both,
        };
        let reject_with = self.reject_with(entry, verdict);
        if verdict == Some(Verdict::Log) && !self.log_rule_fits(raw) {
            return None;
        }
        let rate = self.rate_limit(entry, verdict);
        let connlimit = self.connlimit(entry);
        let origdest = match entry.origdest.as_deref() {
            Some(raw) => self.origdest(raw),
            None => Some(Origdest::default()),
        };
        let (service_macro, macro_columns, parts) = self.rule_services(entry, verdict)?;
        let helper = match entry.helper.as_deref() {
            Some(raw) => self.helper(raw, verdict, entry.audited(), &parts),
            None => Some(service_macro.and_then(|m| {
                let call = MacroCall {
                    action: verdict.map(Verdict::keyword),
                    columns: macro_columns.clone(),
                    helpers_attached: self.helpers_attached,
                    audited: entry.audited(),
                };
                m.attached_helper(&call)
            })),
        };
        let owner = self.owner(entry);
        let time = self.time_window(entry);
        let services = part_services(&parts);
        let syn = self.syn(
            entry,
            service_macro.is_some(),
            nat_exempt.is_some(),
            &services,
        );
        let section = self.section(entry, service_macro, helper.flatten());
        let (verdict, source, dest, reject_with) = (verdict?, source?, dest?, reject_with?);
        // Shorewall's actions carried as macros: an audited call logs in
        // the action's own chain (Shorewall6's `Shorewall:AllowICMPs:A_ACCEP`)
        // or is another action (`dropInvalid(audit)`).
        let action_macro = service_macro
            .filter(|m| m.is_invalid() || m.dest_type().is_some() || m.name == "AllowICMPs");
        let audit = self.audit(entry, verdict, action_macro, reject_with.is_some())?;
        let section = section?;
        let (rate, connlimit, origdest, helper) = (rate?, connlimit?, origdest?, helper?);
        if !self.check_limited_ranges(entry, rate.as_deref(), connlimit) {
            return None;
        }
        let owner = owner?;
        if owner.as_ref().is_some_and(|o| o.negated) && section != Section::New {
            // xt_owner holds, when each of its tests is negated, for a
            // packet the kernel sends with no process's socket (an echo
            // reply, an ICMP error, a reset), where nftables' `meta skuid`
            // and `skgid` do not hold (nft_meta): the replies and errors
            // these sections see would take the two backends apart.
            let (_, span, text) = owner_key(entry);
            let span = entry.owner_negated.as_deref().map_or(span, Spanned::span);
            let kind = ErrorKind::BadOwner {
                key: "owner_negated",
                text: entry.owner_negated.as_deref().map_or(text, |n| n.get_ref().to_string()),
                reason: "outside the NEW section: iptables' negated owner match holds for the packets the kernel sends with no process's socket (echo replies, ICMP errors, resets), nftables' `meta skuid !=` does not, so Shorewall and nftables would part on them; not in fwgen's model yet".to_owned(),
            };
            self.error(Some(span), kind);
            return None;
        }
        let time = time?;
        let syn = syn?;
        if self.firewall_to_firewall(source.zone, dest.zone, raw.span()) {
            return None;
        }
        let rule = Rule {
            verdict,
            log,
            log_tag,
            audit,
            source,
            dest,
            service_macro,
            reject_with: reject_with.map(Box::new),
            macro_columns: (!macro_columns.is_empty()).then(|| Box::new(macro_columns)),
            services,
            comment,
            family,
            rate,
            connlimit,
            origdest,
            line: self.line(&raw.span()),
            span: raw.span(),
            macro_part: None,
            nat_exempt,
            helper,
            owner: owner.map(Box::new),
            time: time.map(Box::new),
            section,
            syn,
        };
        if self.errors.len() == errors_before {
            self.check_rule_family(&rule, raw.span())?;
        }
        let errors_before = self.errors.len();
        self.check_limits(&rule, entry);
        (self.errors.len() == errors_before).then_some((rule, parts))
    }

    /// A rule calling a macro whose lines go both ways or name addresses
    /// (src/model/service.rs `MacroPart`): one rule per part, of the
    /// call's zone pair or, for the way back, the reverse pair, narrowed
    /// to the part's own addresses, as Rules.pm `process_macro` swaps
    /// and merges the call's SOURCE and DEST. Parts of a family the zones
    /// do not have are left out.
    fn macro_part_rules(
        &mut self,
        rule: Rule,
        parts: &[MacroPart],
        raw: &Spanned<RawRule>,
    ) -> Vec<Rule> {
        if parts.iter().all(MacroPart::is_plain) {
            return vec![rule];
        }
        let share = MacroShare {
            first: false,
            source: rule.source.clone(),
            dest: rule.dest.clone(),
            origdest: rule.origdest.clone(),
            ipv4: false,
            ipv6: false,
        };
        let mut rules = Vec::new();
        for part in parts {
            // A line of one family the call's addresses leave out is not
            // there: Shorewall's IPv4 rules file expands macro.AllowICMPs'
            // `?if __IPV4` lines alone, whatever its IPv6 lines name.
            let rule_has = |ipv6: bool| {
                rule.family.has(ipv6)
                    && rule.source.allows_family(ipv6)
                    && rule.dest.allows_family(ipv6)
            };
            if ![false, true]
                .into_iter()
                .any(|ipv6| rule_has(ipv6) && part.allows_family(ipv6))
            {
                continue;
            }
            let (mut source, mut dest) = match part.reversed {
                false => (rule.source.clone(), rule.dest.clone()),
                true => (rule.dest.clone(), rule.source.clone()),
            };
            let name = rule.service_macro.map_or("", |m| m.name);
            // A stock action (AllowICMPs) is a chain of its own in
            // Shorewall: the call's addresses and its lines' both hold.
            let action = (rule.service_macro)
                .and_then(|m| m.stock)
                .is_some_and(|stock| stock.default.is_some());
            let narrowed = [(&mut source, &part.source), (&mut dest, &part.dest)]
                .into_iter()
                .map(|(endpoint, own)| self.narrow_to_macro(endpoint, own, (name, action), raw))
                .collect::<Vec<_>>();
            if narrowed.contains(&Narrowing::Refused) {
                return Vec::new();
            }
            if narrowed.contains(&Narrowing::Nothing) {
                continue;
            }
            if !self.narrow_origdest(&rule, part, name, raw) {
                return Vec::new();
            }
            let origdest = match part.origdest.is_empty() {
                true => rule.origdest.clone(),
                false => Origdest {
                    addresses: part.origdest.clone(),
                    excluded: Vec::new(),
                },
            };
            let one = Rule {
                source,
                dest,
                origdest,
                services: part.services.clone(),
                family: match part.family {
                    Some(false) if rule.family.has_ipv4() => Family::Ipv4,
                    Some(true) if rule.family.has_ipv6() => Family::Ipv6,
                    Some(_) => continue,
                    None => rule.family,
                },
                macro_part: Some(Box::new(share.clone())),
                ..rule.clone()
            };
            if self.rule_fits_family(&one) {
                rules.push(one);
            }
        }
        let (ipv4, ipv6) = (
            rules.iter().any(|r| r.allows_family(false)),
            rules.iter().any(|r| r.allows_family(true)),
        );
        for (index, one) in rules.iter_mut().enumerate() {
            if let Some(part) = one.macro_part.as_mut() {
                part.first = index == 0;
                part.ipv4 = ipv4;
                part.ipv6 = ipv6;
            }
        }
        rules
    }

    /// Narrows an endpoint to a macro line's own addresses. Shorewall
    /// appends them to the call's column (`$FW` + `224.0.0.18` is
    /// `$FW:224.0.0.18`); a column with addresses or an interface of its
    /// own would become `net:192.0.2.1:224.0.0.18`, which is not a
    /// narrowing: refused.
    fn narrow_to_macro(
        &mut self,
        endpoint: &mut Endpoint,
        addresses: &[IpNet],
        (name, action): (&str, bool),
        raw: &Spanned<RawRule>,
    ) -> Narrowing {
        if addresses.is_empty() {
            return Narrowing::Narrowed;
        }
        // An action's line beside the call's own addresses: the networks
        // both hold, none where they share no address (the line can
        // match nothing of the call's: `AllowICMPs net:2001:db8::/32`
        // meets none of its lines from fe80::/10).
        let plain = endpoint.macs().is_empty()
            && endpoint.interface.is_none()
            && endpoint.interface_address.is_none()
            && endpoint.ipset.is_none();
        if action && plain && !endpoint.addresses.is_empty() {
            let both: Vec<IpNet> = (endpoint.addresses.iter())
                .flat_map(|a| addresses.iter().map(move |b| (a, b)))
                .filter_map(|(a, b)| match (a.contains(b), b.contains(a)) {
                    (true, _) => Some(*b),
                    (_, true) => Some(*a),
                    _ => None,
                })
                .collect();
            if both.is_empty() {
                return Narrowing::Nothing;
            }
            endpoint.addresses = both;
            return Narrowing::Narrowed;
        }
        let written: Vec<String> = addresses.iter().map(written).collect();
        let (list, first) = (written.join(","), &written[0]);
        let reason = if !endpoint.macs().is_empty() {
            Some(format!(
                "a line of macro.{name} names its own address ({list}) on the side where this rule names senders' MAC addresses: Shorewall writes both (`zone:~MAC:{first}`), and refuses the MAC address where the line goes the way back (DEST); fwgen does not carry it"
            ))
        } else if endpoint.has_addresses() || endpoint.interface.is_some() {
            Some(format!(
                "a line of macro.{name} names its own address ({list}) on a side where this rule gives an address or interface, and Shorewall appends the macro's address to the rule's (`zone:ADDRESS:{first}`) rather than narrowing it"
            ))
        } else {
            None
        };
        if let Some(reason) = reason {
            let kind = ErrorKind::MacroNotExpressible {
                name: name.to_owned(),
                reason,
            };
            let span = raw.get_ref().service_macro.as_ref().map(|m| m.span());
            self.error(span.or(Some(raw.span())), kind);
            return Narrowing::Refused;
        }
        endpoint.addresses = addresses.to_vec();
        Narrowing::Narrowed
    }

    /// A macro line's `origdest=` (macro.Rfc1918) on a rule with an
    /// `origdest` of its own: Shorewall would match both, which the model
    /// cannot say; refused.
    fn narrow_origdest(
        &mut self,
        rule: &Rule,
        part: &MacroPart,
        name: &str,
        raw: &Spanned<RawRule>,
    ) -> bool {
        if part.origdest.is_empty() || rule.origdest.is_empty() {
            return true;
        }
        let kind = ErrorKind::MacroNotExpressible {
            name: name.to_owned(),
            reason: format!(
                "a line of macro.{name} has an `origdest=` of its own, and this rule gives `origdest` too"
            ),
        };
        let span = raw
            .get_ref()
            .origdest
            .as_deref()
            .and_then(|o| o.first())
            .map(|o| o.span());
        self.error(span.or(Some(raw.span())), kind);
        false
    }

    /// ACCEPT+ and NONAT (Shorewall's NONAT rules) with only what fwgen
    /// carries to the nat rule: addresses, protocol and ports; in the NEW
    /// section, the only one Shorewall takes them in (Rules.pm: "ACCEPT+
    /// rules are not allowed in the ALL SECTION").
    fn nat_exempt_fits(&mut self, entry: &RawRule, exempt: NatExempt) -> bool {
        let section = entry.section.as_deref().filter(|s| s.get_ref() != "new");
        let refused: [(Option<std::ops::Range<usize>>, &'static str); 10] = [
            (
                section.map(Spanned::span),
                "is Shorewall's in the NEW section only (Rules.pm refuses it elsewhere): leave `section` out",
            ),
            (
                entry.service_macro.as_deref().map(Spanned::span),
                "takes no macro in fwgen: write its `proto` and `dport`",
            ),
            (
                entry.log.as_deref().map(Spanned::span),
                "takes no `log` in fwgen (Shorewall logs it in the nat table and the filter alike)",
            ),
            (
                entry.audit.as_deref().map(Spanned::span),
                "takes no `audit` in fwgen (Shorewall's A_ACCEPT+)",
            ),
            (
                entry.rate.as_deref().map(Spanned::span),
                "takes no `rate` in fwgen (Shorewall limits the nat rule and the filter rule alike)",
            ),
            (
                (entry
                    .connlimit
                    .as_deref()
                    .or(entry.connlimit_above.as_deref()))
                .map(Spanned::span),
                "takes no connection limit in fwgen (Shorewall matches it in the nat table too)",
            ),
            (
                entry
                    .origdest
                    .as_deref()
                    .and_then(|o| o.first())
                    .map(Spanned::span),
                "takes no `origdest` in fwgen: write the address in `dest` (`net:203.0.113.7`), as the nat rule matches it before any translation",
            ),
            (
                entry.helper.as_deref().map(Spanned::span),
                "takes no `helper`",
            ),
            (
                (entry.user.is_some() || entry.group.is_some() || entry.owner_negated.is_some())
                    .then(|| owner_key(entry).1),
                "takes no `user` or `group` in fwgen (Shorewall matches the owner in nat OUTPUT too)",
            ),
            (
                time_key(entry),
                "takes no time window in fwgen (Shorewall matches it in the nat table too)",
            ),
        ];
        let mut fits = true;
        for (at, reason) in refused {
            if let Some(at) = at {
                let kind = ErrorKind::NatExemption {
                    action: exempt.keyword(),
                    reason,
                };
                self.error(Some(at), kind);
                fits = false;
            }
        }
        fits
    }

    /// A LOG rule logs at its `log` level and takes no macro (Shorewall's
    /// `macro(LOG)` would log every line of the macro; fwgen has no model
    /// of it).
    fn log_rule_fits(&mut self, raw: &Spanned<RawRule>) -> bool {
        let entry = raw.get_ref();
        if let Some(name) = &entry.service_macro {
            let reason = "takes no macro: write its protocol and ports";
            self.error(Some(name.span()), ErrorKind::LogRule { reason });
            return false;
        }
        if entry.log.is_none() {
            let reason = "needs `log`, the level it logs at";
            self.error(Some(entry.action.span()), ErrorKind::LogRule { reason });
            return false;
        }
        true
    }

    /// `audit = true`: Shorewall's A_ACCEPT, A_DROP and A_REJECT, a plain
    /// verdict or a macro's (`SSH(A_ACCEPT)`: the macro's lines audited,
    /// see [`MacroCall::audited`]), without a named REJECT answer
    /// (Shorewall's `A_REJECT(tcp-reset)` is one, action.A_REJECT's
    /// `REJECT(@1)` after the audit record; fwgen's model does not carry
    /// it), outside the blacklist (blrules' A_DROP is
    /// not in the model), and not on the macros that stand for
    /// Shorewall's actions (Invalid, Broadcast, Multicast, AllowICMPs:
    /// their audited forms are other actions, `dropInvalid(audit)`, or log
    /// in the action's chain).
    fn audit(
        &mut self,
        entry: &RawRule,
        verdict: Verdict,
        action_macro: Option<Macro>,
        named_reject: bool,
    ) -> Option<bool> {
        let Some(raw) = entry.audit.as_deref() else {
            return Some(false);
        };
        let what = match verdict {
            _ if !*raw.get_ref() => return Some(false),
            _ if self.blacklisting => "a [[blacklist]] entry",
            Verdict::Log => "a LOG rule",
            _ if let Some(found) = action_macro => &format!("the {} macro", found.name),
            _ if named_reject => "a named REJECT answer (`reject_with`)",
            _ => return Some(true),
        };
        let what = what.to_owned();
        self.error(Some(raw.span()), ErrorKind::AuditedAction { what });
        None
    }

    /// A log tag: 1 to 12 letters, digits, `_` or `-`, with a log level
    /// (`logged`): a rule's, a port forward's or a redirect's.
    pub(super) fn log_tag(
        &mut self,
        raw: Option<&Spanned<String>>,
        logged: bool,
    ) -> Option<String> {
        let raw = raw?;
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
        if !logged {
            self.error(Some(raw.span()), ErrorKind::LogTagWithoutLog);
            return None;
        }
        Some(tag.clone())
    }

    pub(super) fn verdict(&mut self, raw: &Spanned<String>) -> Option<Verdict> {
        if self.blacklisting {
            return self.blacklist_verdict(raw);
        }
        match raw.get_ref().to_ascii_uppercase().as_str() {
            "ACCEPT" => Some(Verdict::Accept),
            "DROP" => Some(Verdict::Drop),
            "REJECT" => Some(Verdict::Reject),
            "LOG" => Some(Verdict::Log),
            _ => {
                let kind = ErrorKind::UnknownAction {
                    action: raw.get_ref().clone(),
                    allowed: "ACCEPT, DROP, REJECT, LOG, ACCEPT+, NONAT (with `macro` for services, `log` for logging, [[dnat]] for port forwards)",
                };
                self.error(Some(raw.span()), kind);
                None
            }
        }
    }

    /// A `[[blacklist]]` action: DROP, REJECT, WHITELIST (and ACCEPT,
    /// which blrules reads as WHITELIST), held as `Accept`, or LOG.
    fn blacklist_verdict(&mut self, raw: &Spanned<String>) -> Option<Verdict> {
        match raw.get_ref().to_ascii_uppercase().as_str() {
            "WHITELIST" | "ACCEPT" => Some(Verdict::Accept),
            "DROP" => Some(Verdict::Drop),
            "REJECT" => Some(Verdict::Reject),
            "LOG" => Some(Verdict::Log),
            _ => {
                let kind = ErrorKind::UnknownAction {
                    action: raw.get_ref().clone(),
                    allowed: "DROP, REJECT, WHITELIST (ACCEPT is WHITELIST in a blacklist: the packet leaves the blacklist and meets the rules), LOG (logs and goes on to the next entry); Shorewall's BLACKLIST is its BLACKLIST_DISPOSITION: write DROP or REJECT, with `log` for BLACKLIST_LOG_LEVEL",
                };
                self.error(Some(raw.span()), kind);
                None
            }
        }
    }

    /// The `[[blacklist]]` entries: rules in every other respect, one per
    /// zone pair. The `Invalid` macro is refused: the blacklist sees the
    /// connection states of `blacklist_states`, not a state of its own.
    pub(super) fn blacklist(&mut self, raw: &[Spanned<RawRule>]) -> Vec<Rule> {
        self.blacklisting = true;
        let mut entries = Vec::new();
        for entry in raw {
            let rules = self.rules(entry);
            if rules.iter().any(Rule::is_invalid_macro) {
                self.error(Some(entry.span()), ErrorKind::InvalidInBlacklist);
                continue;
            }
            entries.extend(rules);
        }
        self.blacklisting = false;
        entries
    }

    pub(super) fn rule_services(
        &mut self,
        entry: &RawRule,
        verdict: Option<Verdict>,
    ) -> Option<(Option<Macro>, MacroColumns, Vec<MacroPart>)> {
        let Some(name) = &entry.service_macro else {
            let services = self.explicit_services(entry)?;
            return Some((None, MacroColumns::default(), plain(services)));
        };
        let Some(found) = Macro::find(name.get_ref()) else {
            let kind = ErrorKind::UnknownMacro {
                name: name.get_ref().clone(),
            };
            self.error(Some(name.span()), kind);
            return None;
        };
        if found.is_invalid() {
            let (found, columns, services) = self.invalid_macro(entry, name, found, verdict)?;
            return Some((found, columns, plain(services)));
        }
        if found.dest_type().is_some() {
            let services = self.dest_type_macro(entry, found)?;
            return Some((Some(found), MacroColumns::default(), plain(services)));
        }
        let columns = self.macro_columns(entry)?;
        let call = MacroCall {
            action: verdict.map(Verdict::keyword),
            columns: columns.clone(),
            helpers_attached: self.helpers_attached,
            audited: entry.audited(),
        };
        match found.expand(&call) {
            Ok(services) => Some((Some(found), columns, services)),
            Err(reason) => {
                let kind = ErrorKind::MacroNotExpressible {
                    name: found.name.to_owned(),
                    reason,
                };
                self.error(Some(name.span()), kind);
                None
            }
        }
    }

    /// A rule's `helper` (Shorewall's HELPER column): one of the helpers
    /// Shorewall knows (Config.pm `%helpers`), on an ACCEPT rule (Rules.pm
    /// attaches it in the NEW section only) whose services are all of the
    /// helper's protocol (Chains.pm `validate_helper`), with
    /// conntrack_helpers = false. `None` once refused.
    /// The rule's `section` (Shorewall's `?SECTION`): NEW unless given,
    /// INVALID for the `Invalid` macro's rules. Refused where Shorewall
    /// does something else than the section says: the `Invalid` macro
    /// outside the INVALID and NEW sections (its rules match INVALID
    /// packets only) and other rules in INVALID (not in fwgen's model), a
    /// helper is attached in the NEW section only (Rules.pm), and a rule
    /// logged in the ESTABLISHED or RELATED section logs with the name of
    /// Shorewall's state chain (`^net-fw`, `+net-fw`), which fwgen does
    /// not carry.
    fn section(
        &mut self,
        entry: &RawRule,
        service_macro: Option<Macro>,
        helper: Option<&'static str>,
    ) -> Option<Section> {
        let invalid_macro = service_macro.is_some_and(Macro::is_invalid);
        let Some(raw) = entry.section.as_deref() else {
            return Some(match invalid_macro {
                true => Section::Invalid,
                false => Section::New,
            });
        };
        let text = raw.get_ref();
        let refuse = |this: &mut Self, reason: &'static str| {
            let kind = ErrorKind::RuleSection {
                section: text.clone(),
                reason,
            };
            this.error(Some(raw.span()), kind);
            None
        };
        let section = match text.as_str() {
            "all" => Section::All,
            "established" => Section::Established,
            "related" => Section::Related,
            "invalid" => Section::Invalid,
            "new" => Section::New,
            _ => return refuse(self, "is no section of Shorewall's rules file"),
        };
        if section == Section::New {
            return Some(section);
        }
        match (section, invalid_macro) {
            (Section::Invalid, true) => return Some(section),
            (Section::Invalid, false) => {
                return refuse(
                    self,
                    "holds only the Invalid macro's rules in fwgen's model (another rule here would see invalid packets alone)",
                );
            }
            (_, true) => {
                return refuse(
                    self,
                    "takes no Invalid rule in fwgen's model (leave `section` out for Shorewall's INVALID section, or \"new\" for the rule's place among the NEW rules)",
                );
            }
            _ => {}
        }
        if helper.is_some() {
            return refuse(
                self,
                "Shorewall attaches a rule's conntrack helper in the NEW section only (Rules.pm), so a helper here would watch nothing",
            );
        }
        // With AUTOHELPERS=No a helper macro's `{ helper=ftp }` is a match
        // outside the NEW section, whatever the action (an audited one
        // too, which attaches none in NEW): Rules.pm's do_helper.
        let macro_helper = service_macro.and_then(|m| m.stock?.helper);
        if self.helpers_attached && macro_helper.is_some() {
            return refuse(
                self,
                "with conntrack_helpers = false Shorewall matches only the connections its helper macro's helper watches here (`-m helper`, Rules.pm's do_helper), which fwgen does not write",
            );
        }
        if section != Section::All && entry.log.is_some() {
            return refuse(
                self,
                "a rule of this section logs with the name of Shorewall's state chain (`^net-fw`, `+net-fw`), which fwgen does not write; log in the ALL section",
            );
        }
        Some(section)
    }

    /// `syn = true`: Shorewall's PROTO `tcp:syn` (Chains.pm do_proto
    /// allows `:syn` with tcp alone, written on the rule). `None` once
    /// refused.
    fn syn(
        &mut self,
        entry: &RawRule,
        macro_call: bool,
        nat_exempt: bool,
        services: &[Service],
    ) -> Option<bool> {
        let Some(raw) = entry.syn.as_deref() else {
            return Some(false);
        };
        let reason = if !*raw.get_ref() {
            return Some(false);
        } else if macro_call {
            "not on a macro's services: Shorewall's `:syn` goes with a PROTO of tcp written on the rule"
        } else if nat_exempt {
            "not on ACCEPT+ or NONAT: fwgen's exemption from the port forwards has no test of TCP flags"
        } else if services.is_empty() || services.iter().any(|s| s.proto != Protocol::Tcp) {
            "the rule's protocol is not tcp alone (`proto = \"tcp\"`): it is a test of TCP flags"
        } else {
            return Some(true);
        };
        let kind = ErrorKind::BadSyn {
            reason: reason.to_owned(),
        };
        self.error(Some(raw.span()), kind);
        None
    }

    /// `user`, `group` and `owner_negated`: Shorewall's USER/GROUP
    /// (Chains.pm do_user). `Some(None)` for none; `None` once refused.
    fn owner(&mut self, entry: &RawRule) -> Option<Option<Owner>> {
        let user = entry.user.as_deref().map(|raw| self.owner_id("user", raw));
        let group = entry
            .group
            .as_deref()
            .map(|raw| self.owner_id("group", raw));
        let negated = entry.owner_negated.as_deref();
        if user.is_none() && group.is_none() {
            if let Some(raw) = negated {
                let kind = ErrorKind::BadOwner {
                    key: "owner_negated",
                    text: raw.get_ref().to_string(),
                    reason: "negates a `user` or `group`, and the rule gives neither".to_owned(),
                };
                self.error(Some(raw.span()), kind);
                return None;
            }
            return Some(None);
        }
        if matches!(user, Some(None)) || matches!(group, Some(None)) {
            return None;
        }
        let (user, group) = (user.flatten(), group.flatten());
        Some(Some(Owner {
            user,
            group,
            negated: negated.is_some_and(|n| *n.get_ref()),
        }))
    }

    /// `time_start`, `time_stop`, `weekdays`, `date_start`, `date_stop`
    /// and `time_zone`: Shorewall's TIME (Chains.pm do_time). `Some(None)`
    /// for none; `None` once refused.
    fn time_window(&mut self, entry: &RawRule) -> Option<Option<TimeWindow>> {
        let errors_before = self.errors.len();
        let quoted = |text: &str| format!("\"{}\"", text.escape_default());
        let refuse = |this: &mut Self, key: &'static str, span, text: String, reason: String| {
            let kind = ErrorKind::BadTime { key, text, reason };
            this.error(Some(span), kind);
        };
        let clock = match entry.time_zone.as_deref() {
            None => Clock::Utc,
            Some(raw) => match raw.get_ref().as_str() {
                "utc" => Clock::Utc,
                "kernel" => Clock::Kernel,
                other => {
                    let reason = "the clock is \"utc\" (xt_time's default) or \"kernel\" (the kernel's timezone, Shorewall's kerneltz and localtz)".to_owned();
                    refuse(self, "time_zone", raw.span(), quoted(other), reason);
                    return None;
                }
            },
        };
        let kernel_daytime = "a time of day in the kernel's timezone: nftables' `meta hour` reads UTC in the kernel, and the kernel's offset is not known when the ruleset is written; give the time in UTC (drop `time_zone`)";
        let kernel_date = "a date in the kernel's timezone: nftables' `meta time` reads UTC, and the kernel's offset is not known when the ruleset is written; give the date in UTC (drop `time_zone`)";
        let daytime = |this: &mut Self, key, raw| {
            this.utc_time(key, raw, (clock, kernel_daytime), time::parse_daytime)
        };
        let start = daytime(self, "time_start", entry.time_start.as_deref());
        let stop = daytime(self, "time_stop", entry.time_stop.as_deref());
        let date = |this: &mut Self, key, raw| {
            this.utc_time(key, raw, (clock, kernel_date), time::parse_date)
        };
        let date_start = date(self, "date_start", entry.date_start.as_deref());
        let date_stop = date(self, "date_stop", entry.date_stop.as_deref());
        let mut weekdays = Vec::new();
        for raw in entry.weekdays.as_deref().into_iter().flatten() {
            match time::parse_weekday(raw.get_ref()) {
                Ok(_) if clock == Clock::Utc => {
                    let reason = "a weekday in UTC: nftables' `meta day` reads the weekday in the kernel's timezone (nft_meta_weekday), which is UTC only where the kernel's offset is 0; write `time_zone = \"kernel\"` (Shorewall's kerneltz) to mean that".to_owned();
                    refuse(self, "weekdays", raw.span(), quoted(raw.get_ref()), reason);
                    break;
                }
                Ok(day) if !weekdays.contains(&day) => weekdays.push(day),
                Ok(_) => {}
                Err(reason) => refuse(self, "weekdays", raw.span(), quoted(raw.get_ref()), reason),
            }
        }
        weekdays.sort_unstable();
        if self.errors.len() != errors_before {
            return None;
        }
        if let (Some(from), Some(to)) = (&date_start, &date_stop)
            && to.seconds < from.seconds
        {
            let raw = entry.date_stop.as_deref()?;
            let reason = format!(
                "before `date_start = \"{}\"`: the rule would never hold",
                from.text
            );
            refuse(self, "date_stop", raw.span(), quoted(raw.get_ref()), reason);
            return None;
        }
        let given = start.is_some()
            || stop.is_some()
            || !weekdays.is_empty()
            || date_start.is_some()
            || date_stop.is_some();
        if !given {
            if let Some(raw) = entry.time_zone.as_deref() {
                let reason = "the clock of a window, and the rule gives none (`time_start`, `time_stop`, `weekdays`, `date_start`, `date_stop`)".to_owned();
                refuse(self, "time_zone", raw.span(), quoted(raw.get_ref()), reason);
                return None;
            }
            if let Some(raw) = entry.weekdays.as_deref() {
                let span = raw
                    .first()
                    .map(Spanned::span)
                    .unwrap_or_else(|| entry.source.span());
                refuse(
                    self,
                    "weekdays",
                    span,
                    "[]".to_owned(),
                    "names no weekday".to_owned(),
                );
                return None;
            }
            return Some(None);
        }
        Some(Some(TimeWindow {
            start,
            stop,
            weekdays,
            date_start,
            date_stop,
            clock,
        }))
    }

    /// A time of day or a date of a TIME window, read by `parse`: only in
    /// UTC (with `clock` the kernel's, `kernel` says why not).
    fn utc_time<T>(
        &mut self,
        key: &'static str,
        raw: Option<&Spanned<String>>,
        (clock, kernel): (Clock, &str),
        parse: fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let raw = raw?;
        let reason = match parse(raw.get_ref()) {
            Ok(value) if clock == Clock::Utc => return Some(value),
            Ok(_) => kernel.to_owned(),
            Err(reason) => reason,
        };
        let text = format!("\"{}\"", raw.get_ref().escape_default());
        self.error(Some(raw.span()), ErrorKind::BadTime { key, text, reason });
        None
    }

    /// A user or group: a name, an id, or ids `LOW-HIGH` (Chains.pm
    /// do_user: `^(\d+)(-(\d+))?$`, else a name resolved on the host).
    fn owner_id(&mut self, key: &'static str, raw: &Spanned<Scalar>) -> Option<OwnerId> {
        let refuse = |this: &mut Self, text: String, reason: &str| {
            let kind = ErrorKind::BadOwner {
                key,
                text,
                reason: reason.to_owned(),
            };
            this.error(Some(raw.span()), kind);
            None
        };
        let text = match raw.get_ref() {
            Scalar::Number(n) => match u32::try_from(*n) {
                Ok(id) => return Some(OwnerId::Ids { low: id, high: id }),
                Err(_) => return refuse(self, n.to_string(), "an id is 0 to 4294967295"),
            },
            Scalar::Text(text) => text,
        };
        let shown = format!("\"{}\"", text.escape_default());
        if let Some((low, high)) = text.split_once('-')
            && let (Ok(low), Ok(high)) = (low.parse::<u32>(), high.parse::<u32>())
        {
            if high < low {
                return refuse(
                    self,
                    shown,
                    "the range's last id is below its first (Shorewall: \"Invalid User Range\")",
                );
            }
            return Some(OwnerId::Ids { low, high });
        }
        if let Ok(id) = text.parse::<u32>() {
            return Some(OwnerId::Ids { low: id, high: id });
        }
        if text
            .split('-')
            .all(|part| part.bytes().all(|b| b.is_ascii_digit()))
        {
            return refuse(
                self,
                shown,
                "ids are numbers 0 to 4294967295, one or a range `LOW-HIGH`",
            );
        }
        if text.starts_with('+') {
            return refuse(
                self,
                shown,
                "`+program` (the sending program's name) is not in Shorewall 5.2, whose owner match has no command name (the kernel dropped --cmd-owner)",
            );
        }
        let name_ok = !text.is_empty()
            && text.len() <= 32
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
            && !text.starts_with('-');
        if !name_ok {
            return refuse(
                self,
                shown,
                "a user or group name is 1 to 32 letters, digits, `_`, `-` or `.`, not starting with `-`",
            );
        }
        Some(OwnerId::Name(text.clone()))
    }

    fn helper(
        &mut self,
        raw: &Spanned<String>,
        verdict: Option<Verdict>,
        entry_audited: bool,
        parts: &[MacroPart],
    ) -> Option<Option<&'static str>> {
        let text = raw.get_ref();
        let refuse = |this: &mut Self, reason: String| {
            let kind = ErrorKind::BadHelper {
                text: text.clone(),
                reason,
            };
            this.error(Some(raw.span()), kind);
            None
        };
        let Some(helper) = CONNTRACK_HELPERS.iter().find(|h| h.kind == text) else {
            return refuse(self, "Shorewall knows no such helper".to_owned());
        };
        if !self.helpers_attached {
            return refuse(
                self,
                "with conntrack_helpers = true the conntrack file's helpers already watch every standard port, and a helper per rule is for conntrack_helpers = false (AUTOHELPERS=No)".to_owned(),
            );
        }
        if verdict.is_some_and(|v| v != Verdict::Accept) {
            return refuse(
                self,
                "only an ACCEPT rule attaches a helper (Shorewall ignores HELPER on other actions)"
                    .to_owned(),
            );
        }
        if entry_audited {
            return refuse(
                self,
                "an audited ACCEPT attaches no helper (Shorewall ignores HELPER on A_ACCEPT: Rules.pm sets it for ACCEPT alone)"
                    .to_owned(),
            );
        }
        let proto = if helper.tcp {
            Protocol::Tcp
        } else {
            Protocol::Udp
        };
        let services: Vec<&Service> = parts.iter().flat_map(|p| &p.services).collect();
        if services.is_empty() || services.iter().any(|s| s.proto != proto) {
            return refuse(
                self,
                format!(
                    "the {text} helper watches {proto} connections only: the rule needs `proto = \"{proto}\"` (or a macro of {proto} only)"
                ),
            );
        }
        Some(Some(helper.kind))
    }

    /// REJECT's named answer: for REJECT, without a macro, TCP reset for
    /// TCP only. `Some(None)` when there is none.
    fn reject_with(
        &mut self,
        entry: &RawRule,
        verdict: Option<Verdict>,
    ) -> Option<Option<RejectWith>> {
        let Some(raw) = &entry.reject_with else {
            return Some(None);
        };
        let text = raw.get_ref();
        let refuse = |this: &mut Self, reason: &'static str| {
            let kind = ErrorKind::BadRejectWith {
                text: text.clone(),
                reason,
            };
            this.error(Some(raw.span()), kind);
            None
        };
        let Some(parsed) = RejectWith::parse(text) else {
            return refuse(self, "not one of Shorewall's REJECT options");
        };
        if verdict.is_some_and(|v| v != Verdict::Reject) {
            return refuse(self, "only a REJECT rule names its answer");
        }
        if entry.service_macro.is_some() {
            return refuse(
                self,
                "a macro's rule cannot name REJECT's answer; write its services with `proto` and `dport`",
            );
        }
        let tcp_only = entry
            .proto
            .as_ref()
            .is_some_and(|p| scalar_text(p.get_ref()).eq_ignore_ascii_case("tcp"));
        if parsed.answer == Answer::TcpReset && !tcp_only {
            return refuse(self, "tcp-reset answers TCP only: give `proto = \"tcp\"`");
        }
        Some(Some(parsed))
    }

    /// The columns a rule gives its macro, each replacing the macro's own
    /// on every line (one protocol; names resolved for it).
    fn macro_columns(&mut self, entry: &RawRule) -> Option<MacroColumns> {
        let proto = match &entry.proto {
            Some(raw) => match self.protocols(raw)?.as_slice() {
                [one] => Some(*one),
                _ => {
                    self.error(Some(raw.span()), ErrorKind::MacroAndProtocol);
                    return None;
                }
            },
            None => None,
        };
        let ports = |this: &mut Self, raw: Option<&Spanned<PortList>>| -> Option<Option<String>> {
            let Some(raw) = raw else {
                return Some(None);
            };
            let ranges = match proto {
                Some(proto) => this.named_ports(raw, proto)?,
                None => this.ports(raw)?,
            };
            Some(Some(ports_text(&ranges)))
        };
        // ICMP types take DPORT's column: both would lose one.
        if let (Some(_), Some(raw)) = (&entry.icmp_type, &entry.dport) {
            let kind = ErrorKind::PortsNeedProtocol {
                protocol: proto.map_or_else(|| "icmp".to_owned(), |p| p.to_string()),
            };
            self.error(Some(raw.span()), kind);
            return None;
        }
        let dport = ports(self, entry.dport.as_ref())?;
        let sport = ports(self, entry.sport.as_deref())?;
        let icmp = match (&entry.icmp_type, proto) {
            (Some(raw), Some(proto)) => Some(self.icmp_types(raw, Some(proto))?),
            (Some(raw), None) => Some(self.icmp_types(raw, None)?),
            (None, _) => None,
        };
        let icmp = icmp.map(|types| {
            types
                .iter()
                .map(|t| t.number.to_string())
                .collect::<Vec<_>>()
                .join(",")
        });
        Some(MacroColumns {
            proto: proto.map(|p| p.to_string()),
            dport: icmp.or(dport),
            sport,
        })
    }

    /// `Invalid` matches a conntrack state, so a protocol may narrow it
    /// (the samples' `Invalid(DROP) net all tcp`).
    pub(super) fn invalid_macro(
        &mut self,
        entry: &RawRule,
        name: &Spanned<String>,
        found: Macro,
        verdict: Option<Verdict>,
    ) -> Option<(Option<Macro>, MacroColumns, Vec<Service>)> {
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
        let services = self.explicit_services(entry)?;
        Some((Some(found), MacroColumns::default(), services))
    }

    /// Shorewall's stock action Broadcast or Multicast called with ACCEPT,
    /// DROP or REJECT, on the rule's own protocol and ports (the action's
    /// lines leave those columns to the call); unlogged.
    fn dest_type_macro(&mut self, entry: &RawRule, found: Macro) -> Option<Vec<Service>> {
        // A LOG rule takes no macro at all (`log_rule_fits`).
        if let Some(log) = &entry.log {
            let kind = ErrorKind::DestTypeLogged {
                name: found.name.to_owned(),
            };
            self.error(Some(log.span()), kind);
            return None;
        }
        self.explicit_services(entry)
    }

    /// A rule's own protocols (`tcp`, `"tcp,udp"`), each with the rule's
    /// ports or ICMP types; no protocol: every protocol.
    pub(super) fn explicit_services(&mut self, entry: &RawRule) -> Option<Vec<Service>> {
        let protos = match &entry.proto {
            Some(raw) => self.protocols(raw)?,
            None => Vec::new(),
        };
        if protos.is_empty() {
            if let Some(raw) = entry.dport.as_ref().or(entry.sport.as_deref()) {
                let kind = ErrorKind::PortsNeedProtocol {
                    protocol: "all".to_owned(),
                };
                self.error(Some(raw.span()), kind);
                return None;
            }
            if let Some(raw) = &entry.icmp_type {
                self.icmp_types(raw, None)?;
            }
            return Some(Vec::new());
        }
        let mut services = Vec::new();
        for proto in protos {
            services.extend(self.protocol_services(entry, proto)?);
        }
        Some(services)
    }

    fn protocol_services(&mut self, entry: &RawRule, proto: Protocol) -> Option<Vec<Service>> {
        let dports = self.ports_for(entry.dport.as_ref(), proto)?;
        let sports = self.ports_for(entry.sport.as_deref(), proto)?;
        let service = |icmp_type| Service {
            proto,
            dports: dports.clone(),
            sports: sports.clone(),
            icmp_type,
        };
        match &entry.icmp_type {
            Some(raw) => {
                let types = self.icmp_types(raw, Some(proto))?;
                Some(types.into_iter().map(|t| service(Some(t))).collect())
            }
            None => Some(vec![service(None)]),
        }
    }

    /// A protocol, or a comma-separated list of them; `all` (alone) is the
    /// empty list.
    pub(super) fn protocols(&mut self, raw: &Spanned<Scalar>) -> Option<Vec<Protocol>> {
        let text = scalar_text(raw.get_ref());
        if text.eq_ignore_ascii_case("all") {
            return Some(Vec::new());
        }
        let mut protos = Vec::new();
        for part in text.split(',').map(str::trim) {
            match Protocol::parse(part) {
                Some(proto) if !protos.contains(&proto) => protos.push(proto),
                Some(_) => {}
                None => {
                    let kind = ErrorKind::UnknownProtocol {
                        protocol: part.to_owned(),
                    };
                    self.error(Some(raw.span()), kind);
                    return None;
                }
            }
        }
        Some(protos)
    }

    pub(super) fn ports_for(
        &mut self,
        raw: Option<&Spanned<PortList>>,
        proto: Protocol,
    ) -> Option<Vec<PortRange>> {
        let Some(raw) = raw else {
            return Some(Vec::new());
        };
        if !proto.has_ports() {
            let kind = ErrorKind::PortsNeedProtocol {
                protocol: proto.to_string(),
            };
            self.error(Some(raw.span()), kind);
            return None;
        }
        self.named_ports(raw, proto)
    }

    /// Ports, ranges (open ones too) and service names of /etc/services
    /// for the protocol, as Shorewall's getservbyname(3) reads them.
    pub(super) fn named_ports(
        &mut self,
        raw: &Spanned<PortList>,
        proto: Protocol,
    ) -> Option<Vec<PortRange>> {
        self.port_list(raw, Some(proto))
    }

    /// Ports and ranges by number.
    pub(super) fn ports(&mut self, raw: &Spanned<PortList>) -> Option<Vec<PortRange>> {
        self.port_list(raw, None)
    }

    /// One protocol (`all`: `None`).
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

    fn port_list(
        &mut self,
        raw: &Spanned<PortList>,
        proto: Option<Protocol>,
    ) -> Option<Vec<PortRange>> {
        let mut ports = Vec::new();
        for item in raw.get_ref().items() {
            let text = scalar_text(&item);
            for part in text.split(',').map(str::trim) {
                let parsed = match self.named_range(part, proto) {
                    Some(resolved) => resolved.map_err(|kind| (kind, part)),
                    None => parse_port_range(part).map_err(|reason| {
                        let kind = ErrorKind::BadPort {
                            text: part.to_owned(),
                            reason,
                        };
                        (kind, part)
                    }),
                };
                match parsed {
                    Ok(range) => ports.push(range),
                    Err((kind, _)) => {
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

    /// A port written with service names (`ssh`, `ftp-data:ftp`); `None`
    /// when it has no name in it.
    fn named_range(
        &mut self,
        part: &str,
        proto: Option<Protocol>,
    ) -> Option<Result<PortRange, ErrorKind>> {
        let is_name = |text: &str| text.chars().any(|c| c.is_ascii_alphabetic());
        let (low, high) = part.split_once(':').unwrap_or((part, part));
        if !is_name(low) && !is_name(high) {
            return None;
        }
        let protocol = proto.map_or_else(|| "the macro's".to_owned(), |p| format!("a {p}"));
        let services = self
            .services
            .get_or_insert_with(crate::import::services::Services::read);
        let one = |text: &str, open: u16| -> Result<u16, ErrorKind> {
            if text.is_empty() {
                return Ok(open);
            }
            if !is_name(text) {
                return PortRange::parse(text).map(|r| r.low).map_err(|reason| {
                    ErrorKind::BadPort {
                        text: text.to_owned(),
                        reason,
                    }
                });
            }
            proto
                .and_then(|p| services.port(text, &p.to_string()))
                .ok_or_else(|| ErrorKind::UnknownService {
                    name: text.to_owned(),
                    protocol: protocol.clone(),
                })
        };
        let resolved = (|| {
            let low = one(low, 1)?;
            let high = one(high, 65535)?;
            if low > high {
                return Err(ErrorKind::BadPort {
                    text: part.to_owned(),
                    reason: "the range's first port is above its last",
                });
            }
            Ok(PortRange { low, high })
        })();
        Some(resolved)
    }

    /// ICMP types, names or numbers, comma-separated.
    pub(super) fn icmp_types(
        &mut self,
        raw: &Spanned<Scalar>,
        proto: Option<Protocol>,
    ) -> Option<Vec<IcmpType>> {
        let Some(proto) = proto.filter(|p| p.is_icmp()) else {
            let kind = ErrorKind::IcmpTypeNeedsIcmp {
                protocol: proto.map_or("all".to_owned(), |p| p.to_string()),
            };
            self.error(Some(raw.span()), kind);
            return None;
        };
        let text = scalar_text(raw.get_ref());
        let mut types = Vec::new();
        for part in text.split(',').map(str::trim) {
            match IcmpType::parse(part, proto == Protocol::Icmpv6) {
                Some(parsed) if parsed.number == 255 && proto != Protocol::Icmpv6 => {
                    let kind = ErrorKind::IcmpTypeWildcard {
                        name: part.to_owned(),
                    };
                    self.error(Some(raw.span()), kind);
                    return None;
                }
                Some(parsed) => types.push(parsed),
                None => {
                    let kind = ErrorKind::UnknownIcmpType {
                        name: part.to_owned(),
                    };
                    self.error(Some(raw.span()), kind);
                    return None;
                }
            }
        }
        Some(types)
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

/// The key of a rule's owner to point at: `user`, else `group`, else
/// `owner_negated`, with its span and value.
/// The first time-window key a rule gives, if any.
fn time_key(entry: &RawRule) -> Option<std::ops::Range<usize>> {
    let keys = [
        entry.time_start.as_deref(),
        entry.time_stop.as_deref(),
        entry.date_start.as_deref(),
        entry.date_stop.as_deref(),
        entry.time_zone.as_deref(),
    ];
    let weekdays = entry.weekdays.as_deref().and_then(|w| w.first());
    keys.into_iter()
        .flatten()
        .chain(weekdays)
        .next()
        .map(Spanned::span)
}

fn owner_key(entry: &RawRule) -> (&'static str, std::ops::Range<usize>, String) {
    let scalar = |raw: &Spanned<Scalar>| match raw.get_ref() {
        Scalar::Number(n) => n.to_string(),
        Scalar::Text(text) => format!("\"{}\"", text.escape_default()),
    };
    if let Some(raw) = entry.user.as_deref() {
        return ("user", raw.span(), scalar(raw));
    }
    if let Some(raw) = entry.group.as_deref() {
        return ("group", raw.span(), scalar(raw));
    }
    let raw = entry.owner_negated.as_deref();
    let span = raw.map(Spanned::span).unwrap_or_default();
    let text = raw.map(|r| r.get_ref().to_string()).unwrap_or_default();
    ("owner_negated", span, text)
}

/// What a macro line's own addresses make of a call's endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Narrowing {
    Narrowed,
    /// The line matches nothing the call's addresses hold: no rule.
    Nothing,
    /// Refused, with the error reported.
    Refused,
}
