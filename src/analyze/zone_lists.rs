//! The zone part of a rule's SOURCE or DEST beyond one zone, as
//! shorewall-rules(5) and Shorewall's Rules.pm (`build_zone_list`,
//! `process_raw_rule1`) read it:
//!
//! - `loc,dmz`: each zone listed; `loc,dmz+` also between a zone and itself.
//!   In a rule the DEST list decides that (Rules.pm sets one flag from
//!   SOURCE, then from DEST): `loc,dmz+ loc,dmz` leaves a zone's traffic
//!   to itself out, `loc,dmz loc,dmz+` takes it in.
//! - `all+`: every zone and the firewall, also between a zone and itself.
//! - `all-`: every zone but the firewall (Shorewall's deprecated spelling
//!   of `all!$FW`); `all+-` both.
//! - `all!net,dmz`: every zone and the firewall but those named.
//! - `any` and its forms: as `all`, but without nested zones (those with
//!   a `parent`): Rules.pm's `all_parent_zones`.
//!
//! A rule with such a side applies to every pair of a source zone and a
//! destination zone, in that order (source outer), leaving out a zone's
//! traffic to itself unless a side asks for it with `+`, as Shorewall does
//! with a wildcard or a list. The firewall's traffic to itself is never a
//! pair: fwgen always accepts it. Shorewall makes a chain fw2fw for a rule
//! whose `+` sides both cover the firewall and filters loopback by it, so
//! such a rule other than a plain ACCEPT is refused (src/analyze/rules.rs).
//! Plain `all` keeps its own meaning in the model (`ZoneRef::All`).

use super::*;

/// How one side names its zones.
pub(super) enum ZoneForm {
    /// One zone, `$FW`, or plain `all`/`any`: for [`Analyzer::zone_ref`].
    Plain,
    List(ZoneList),
    /// Refused, and reported.
    Refused,
}

/// One side's zones, written as a list or an extended wildcard.
pub(super) struct ZoneList {
    pub zones: Vec<ZoneId>,
    /// `+`: a zone's traffic to itself is included.
    pub intrazone: bool,
    /// A written list (`loc,dmz`), not an `all` form: in a rule, Rules.pm's
    /// build_zone_list sets the one intra-zone flag to whether the list
    /// ends in `+`, so a DEST list without it clears SOURCE's (`all` forms
    /// only ever set it).
    pub written: bool,
}

impl Analyzer<'_> {
    /// The zone part `text` of `raw`.
    pub(super) fn zone_form(&mut self, raw: &Spanned<String>, text: &str) -> ZoneForm {
        let wildcard = ["all", "any"].iter().find_map(|w| {
            let rest = text.strip_prefix(w)?;
            is_wildcard_tail(rest).then(|| (*w == "any", rest.to_owned()))
        });
        if let Some((any, rest)) = wildcard {
            if rest.is_empty() && text == "all" {
                return ZoneForm::Plain;
            }
            let (flags, excluded) = match rest.split_once('!') {
                Some((flags, excluded)) => (flags, Some(excluded)),
                None => (rest.as_str(), None),
            };
            if !matches!(flags, "" | "+" | "-" | "+-" | "-+") {
                return self.bad_zone_list(raw, text);
            }
            let mut left_out = Vec::new();
            if let Some(excluded) = excluded {
                let at = text.len() - excluded.len();
                match self.listed_zones(raw, at, excluded) {
                    Some(zones) => left_out = zones,
                    None => return ZoneForm::Refused,
                }
            }
            if flags.contains('-') {
                left_out.push(ZoneId::Firewall);
            }
            // `any`: the top-level zones only (shorewall-rules(5)).
            let nested =
                |z: &ZoneId| matches!(z, ZoneId::Zone(i) if !self.zones[*i].parents.is_empty());
            let zones = self
                .every_zone()
                .into_iter()
                .filter(|z| !(left_out.contains(z) || (any && nested(z))))
                .collect();
            return ZoneForm::List(ZoneList {
                zones,
                intrazone: flags.contains('+'),
                written: false,
            });
        }
        if !text.contains(',') {
            return ZoneForm::Plain;
        }
        let (list, intrazone) = match text.strip_suffix('+') {
            Some(list) => (list, true),
            None => (text, false),
        };
        match self.listed_zones(raw, 0, list) {
            Some(zones) => ZoneForm::List(ZoneList {
                zones,
                intrazone,
                written: true,
            }),
            None => ZoneForm::Refused,
        }
    }

    /// The firewall, then every declared zone, in the model's order.
    pub(super) fn every_zone(&self) -> Vec<ZoneId> {
        std::iter::once(ZoneId::Firewall)
            .chain((0..self.zones.len()).map(ZoneId::Zone))
            .collect()
    }

    /// `a,b,c` at byte `offset` of `raw`: each a zone or `$FW`.
    fn listed_zones(
        &mut self,
        raw: &Spanned<String>,
        mut offset: usize,
        list: &str,
    ) -> Option<Vec<ZoneId>> {
        let mut zones = Vec::new();
        let mut ok = true;
        for item in list.split(',') {
            let span = self.inner_span(raw, offset, item.len());
            offset += item.len() + 1;
            let wildcard = ["all", "any"]
                .iter()
                .any(|w| item.strip_prefix(w).is_some_and(is_wildcard_tail));
            if item.is_empty() || wildcard {
                let kind = ErrorKind::BadZoneList {
                    text: list.to_owned(),
                };
                self.error(Some(span), kind);
                ok = false;
                continue;
            }
            match self.zone_ref(item, span) {
                Some(ZoneRef::One(id)) => zones.push(id),
                _ => ok = false,
            }
        }
        ok.then_some(zones)
    }

    fn bad_zone_list(&mut self, raw: &Spanned<String>, text: &str) -> ZoneForm {
        let span = self.inner_span(raw, 0, text.len());
        let kind = ErrorKind::BadZoneList {
            text: text.to_owned(),
        };
        self.error(Some(span), kind);
        ZoneForm::Refused
    }
}

/// What may follow `all` or `any` (Rules.pm: `^(all[-+]*)(![^:]+)?`);
/// anything else makes a zone's name (`allnet`).
pub(super) fn is_wildcard_tail(rest: &str) -> bool {
    rest.is_empty() || rest.starts_with(['+', '-', '!'])
}

/// The zone pairs of a rule whose sides are `sources` and `dests`
/// (`wild`: a side is a list or a wildcard), in Shorewall's order.
pub(super) fn zone_pairs(
    sources: &[ZoneId],
    dests: &[ZoneId],
    wild: bool,
    intrazone: bool,
) -> Vec<(ZoneId, ZoneId)> {
    let mut pairs = Vec::new();
    for &source in sources {
        for &dest in dests {
            let itself = source == dest;
            if itself && source == ZoneId::Firewall {
                continue;
            }
            if !wild || intrazone || !itself {
                pairs.push((source, dest));
            }
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    const FW: ZoneId = ZoneId::Firewall;
    const NET: ZoneId = ZoneId::Zone(0);
    const LOC: ZoneId = ZoneId::Zone(1);

    #[test]
    fn pairs_leave_out_a_zone_to_itself_unless_asked() {
        let all = [FW, NET, LOC];
        assert_eq!(
            zone_pairs(&[NET, LOC], &[NET, LOC], true, false),
            [(NET, LOC), (LOC, NET)]
        );
        assert_eq!(
            zone_pairs(&[NET, LOC], &[NET, LOC], true, true),
            [(NET, NET), (NET, LOC), (LOC, NET), (LOC, LOC)]
        );
        // never the firewall to itself, even with `+`
        assert_eq!(zone_pairs(&all, &[FW], true, true), [(NET, FW), (LOC, FW)]);
        // one zone on both sides, written so: its traffic to itself
        assert_eq!(zone_pairs(&[LOC], &[LOC], false, false), [(LOC, LOC)]);
    }

    #[test]
    fn only_flags_and_exclusions_follow_a_wildcard() {
        for tail in ["", "+", "-", "+-", "!net", "+!net,loc"] {
            assert!(is_wildcard_tail(tail), "{tail}");
        }
        for tail in ["net", "_x", "2"] {
            assert!(!is_wildcard_tail(tail), "{tail}");
        }
    }
}
