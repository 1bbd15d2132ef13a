//! Zones and references to them (`$FW`, `all`, names).

use super::*;

impl Analyzer<'_> {
    pub(super) fn zone_name_valid(&mut self, name: &Spanned<String>) -> bool {
        let text = name.get_ref();
        let kind = if !zone_name_grammar(text) {
            ErrorKind::ZoneNameSyntax { name: text.clone() }
        } else if RESERVED_ZONE_NAMES.contains(&text.as_str())
            || text.starts_with("all2")
            || text.ends_with("2all")
        {
            ErrorKind::ReservedZoneName { name: text.clone() }
        } else if text.len() > max_zone_name(&self.log_prefix) {
            ErrorKind::ZoneNameTooLong {
                name: text.clone(),
                log_prefix: self.log_prefix.clone(),
            }
        } else {
            return true;
        };
        self.error(Some(name.span()), kind);
        false
    }

    /// Zones named one of fwgen's own chains' first words and a hook
    /// (`blacklist`, `forward`): their pair's chain would be that chain
    /// (helper-234: nft merged a pair's ACCEPT into the blacklist's
    /// dispatch); refused at the zone named later, or at the one beside
    /// the firewall zone.
    pub(super) fn check_zone_chains(&mut self, raw: &RawModel) {
        use crate::ruleset::{HOOK_WORDS, OWN_CHAIN_WORDS};
        let firewall = raw.firewall.zone.as_ref();
        let named: Vec<&Spanned<String>> = (raw.zones.0.iter().map(|(name, _)| name))
            .chain(firewall)
            .collect();
        let mut taken = Vec::new();
        for (at, word) in named.iter().enumerate() {
            for (then, hook) in named.iter().enumerate() {
                let (word_text, hook_text) = (word.get_ref().as_str(), hook.get_ref().as_str());
                if OWN_CHAIN_WORDS.contains(&word_text) && HOOK_WORDS.contains(&hook_text) {
                    let later = if at > then { word } else { hook };
                    let chain = format!("{word_text}-{hook_text}");
                    taken.push((later.span(), chain));
                }
            }
        }
        for (span, chain) in taken {
            self.error(Some(span), ErrorKind::ZoneChainTaken { chain });
        }
    }

    pub(super) fn zone(&mut self, name: &Spanned<String>, raw: &RawZone) -> Option<Zone> {
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
            hosts: Vec::new(),
            parents: Vec::new(),
            mss: ZoneMss {
                both: raw.mss.as_ref().map(|m| m.get_ref().get()),
                entering: raw.mss_in.as_ref().map(|m| m.get_ref().get()),
                leaving: raw.mss_out.as_ref().map(|m| m.get_ref().get()),
            },
            span: name.span(),
        })
    }

    /// A zone's `mss`, `mss_in` and `mss_out` need a rule in Shorewall's
    /// NEW section (`new_section`): Chains.pm's set_mss1 makes the pair
    /// chains first, marked referenced, so ensure_rules_chain and
    /// complete_policy_chains leave them without their state rules, which
    /// only finish_section adds, when process_raw_rule reads a rule of a
    /// later section (Rules.pm next_section). With no such rule Shorewall's
    /// pair chains would drop the replies of the connections they accept,
    /// and fwgen's nftables ruleset would not: refused, so both backends
    /// mean the same.
    pub(super) fn check_zone_mss_state_rules(&mut self, raw: &RawModel, new_section: bool) {
        if new_section {
            return;
        }
        for (_, zone) in &raw.zones.0 {
            let spans = [&zone.mss, &zone.mss_in, &zone.mss_out];
            for span in spans.into_iter().flatten().map(Spanned::span) {
                self.error(Some(span), ErrorKind::ZoneMssWithoutRules);
            }
        }
    }

    pub(super) fn family(&mut self, raw: Option<&Spanned<String>>) -> Family {
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
                    grammar: "a family is \"ipv4\", \"ipv6\" or \"both\"",
                };
                self.error(Some(raw.span()), kind);
                Family::Ipv4
            }
        }
    }

    pub(super) fn zone_index(&mut self, name: &Spanned<String>) -> Option<usize> {
        self.find_zone(name.get_ref(), name.span())
    }

    /// `$FW`, the firewall zone's name, `all` (when allowed) or a zone.
    pub(super) fn zone_ref(&mut self, text: &str, span: Range<usize>) -> Option<ZoneRef> {
        match text {
            "$FW" => return Some(ZoneRef::One(ZoneId::Firewall)),
            "all" => return Some(ZoneRef::All),
            _ if text == self.firewall_zone => return Some(ZoneRef::One(ZoneId::Firewall)),
            _ => {}
        }
        self.find_zone(text, span)
            .map(|index| ZoneRef::One(ZoneId::Zone(index)))
    }

    pub(super) fn find_zone(&mut self, name: &str, span: Range<usize>) -> Option<usize> {
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
}
