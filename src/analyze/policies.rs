//! Policies, and the matrix that gives every zone pair its policy.

use super::zone_lists::{self, ZoneForm};
use super::*;
use crate::model::{DefaultAction, PolicySide};

impl Analyzer<'_> {
    pub(super) fn policy(&mut self, raw: &Spanned<RawPolicy>) -> Option<Policy> {
        let entry = raw.get_ref();
        let source = self.policy_side(&entry.source);
        let dest = self.policy_side(&entry.dest);
        let action = self.policy_action(&entry.action);
        let log = self.log_level(entry.log.as_ref());
        let default_action = self.default_action(entry);
        let rate = self.untabled_rate(
            entry.rate.as_deref(),
            entry.rate_burst.as_deref(),
            entry.rate_per.as_deref(),
        );
        let connlimit = self.policy_connlimit(entry);
        let comment = self.free_text("comment", entry.comment.as_ref());
        let family = match entry.family.as_ref() {
            Some(raw) => self.family(Some(raw)),
            None => Family::Both,
        };
        let ((source, source_plus), (dest, dest_plus), action) = (source?, dest?, action?);
        let default_action = default_action?;
        let (rate, connlimit) = (rate?, connlimit?);
        if (rate.is_some() || connlimit.is_some()) && !self.policy_rate_sides(&source, &dest, entry)
        {
            return None;
        }
        if action == PolicyAction::Continue
            && let Some(raw) = &entry.default_action
        {
            let words: Vec<&str> = raw.get_ref().iter().map(|w| w.get_ref().as_str()).collect();
            let kind = ErrorKind::BadDefaultAction {
                text: words.join(","),
                reason: "a CONTINUE policy has no verdict of its own, and fwgen runs default actions only before one",
            };
            self.error(Some(raw.span()), kind);
            return None;
        }
        let audit = entry.audit.as_ref().is_some_and(|a| *a.get_ref());
        if audit && action == PolicyAction::Continue {
            let what = "a CONTINUE policy".to_owned();
            let span = entry.audit.as_ref().map(|a| a.span());
            self.error(span, ErrorKind::AuditedAction { what });
            return None;
        }
        if let (Some(source), Some(dest)) = (source.plain(), dest.plain())
            && self.firewall_to_firewall(source, dest, raw.span())
        {
            return None;
        }
        // Rules.pm's process_a_policy1 reads `$serverexcluded{zone}` where
        // it means `$serverexcluded{$_}` when both sides are `all`: the
        // exclusion is lost, against the manual.
        if let (PolicySide::All { .. }, PolicySide::All { except }) = (&source, &dest)
            && !except.is_empty()
        {
            let kind = ErrorKind::BadPolicyZones {
                text: entry.dest.get_ref().clone(),
                reason: "Shorewall 5.2.8 ignores the zones left out of DEST when SOURCE is `all` too (Rules.pm reads the wrong key), so its firewall would decide them by this entry: write their own policies above it, or name the zones",
            };
            self.error(Some(entry.dest.span()), kind);
            return None;
        }
        let policy = Policy {
            source,
            dest,
            intrazone: source_plus || dest_plus,
            action,
            log,
            audit,
            default_action,
            rate,
            connlimit,
            family,
            comment,
            line: self.line(&raw.span()),
            span: raw.span(),
        };
        // With `+` the sides may cover the firewall's traffic to itself,
        // which Shorewall then decides by this entry (Rules.pm
        // process_a_policy: its chain fw-fw, `OUTPUT -o lo`); fwgen always
        // accepts that traffic, the same only for a plain ACCEPT.
        let fw = ZoneId::Firewall;
        let plain_accept = policy.action == PolicyAction::Accept
            && policy.log.is_none()
            && !policy.audit
            && policy.default_action.is_none()
            && !policy.limits_new_connections();
        if policy.covers(fw, fw) && !plain_accept {
            self.firewall_itself_covered(if dest_plus {
                &entry.dest
            } else {
                &entry.source
            });
            return None;
        }
        // An entry of both families is judged by its zones alone, as
        // before families were written on policies.
        if let Some(written) = &entry.family
            && !self.policy_fits_family(&policy)
        {
            let span = written.span();
            self.error(
                Some(span),
                ErrorKind::FamilyConflict {
                    what: "this policy",
                },
            );
            return None;
        }
        if let Some(raw) = entry.connlimit_mask.as_deref()
            && policy
                .connlimit
                .is_some_and(|c| c.mask.is_some_and(|m| m > 32))
            && self.policy_families(&policy)[0]
        {
            let reason = "`connlimit_mask` is longer than an IPv4 address: give the policy `family = \"ipv6\"`";
            self.limit_error(
                raw.span(),
                "connlimit_mask",
                raw.get_ref().to_string(),
                reason,
            );
            return None;
        }
        Some(policy)
    }

    /// Whether a rate- or connection-limited entry's sides are one zone,
    /// `$FW` or a plain `all`: Rules.pm keeps one syn-flood chain, one
    /// bucket, per policy chain, and a list or an exclusion makes one
    /// policy chain per zone.
    fn policy_rate_sides(
        &mut self,
        source: &PolicySide,
        dest: &PolicySide,
        entry: &RawPolicy,
    ) -> bool {
        for (side, raw) in [(source, &entry.source), (dest, &entry.dest)] {
            if side.plain().is_none() {
                let kind = ErrorKind::BadPolicyZones {
                    text: raw.get_ref().clone(),
                    reason: "a policy with a `rate` or a `connlimit` names one zone, `$FW` or `all` on each side: Shorewall counts one rate for each of the policy chains a zone list or an exclusion makes, fwgen one for the entry (write one entry per zone)",
                };
                self.error(Some(raw.span()), kind);
                return false;
            }
        }
        true
    }

    /// Whether some family of the entry is carried by a zone each side
    /// names (the firewall carries both).
    fn policy_fits_family(&self, policy: &Policy) -> bool {
        self.policy_families(policy).contains(&true)
    }

    /// The families (IPv4's, IPv6's) whose policy list the entry is in,
    /// that the model's zones hold, and that a zone on each side carries:
    /// where Shorewall or Shorewall6 reads it.
    fn policy_families(&self, policy: &Policy) -> [bool; 2] {
        let side_has = |side: &PolicySide, ipv6: bool| match side {
            PolicySide::All { except } => {
                self.zones.iter().enumerate().any(|(index, zone)| {
                    zone.family.has(ipv6) && !except.contains(&ZoneId::Zone(index))
                }) || !except.contains(&ZoneId::Firewall)
            }
            other => other
                .listed()
                .iter()
                .any(|&zone| self.zone_family(zone).has(ipv6)),
        };
        [false, true].map(|ipv6| {
            policy.family.has(ipv6)
                && self.zones.iter().any(|zone| zone.family.has(ipv6))
                && side_has(&policy.source, ipv6)
                && side_has(&policy.dest, ipv6)
        })
    }

    /// One side of a policy and whether it carries `+`: a zone, `$FW`, a
    /// zone list or `all` with its `+` and exclusions, as shorewall-policy(5)
    /// writes them; `any` and `all-` are rules' forms only.
    fn policy_side(&mut self, raw: &Spanned<String>) -> Option<(PolicySide, bool)> {
        let text = raw.get_ref();
        let wild = |w: &str| {
            text.strip_prefix(w)
                .filter(|rest| zone_lists::is_wildcard_tail(rest))
        };
        let all = wild("all");
        let rules_only = wild("any").is_some()
            || all.is_some_and(|rest| rest.split('!').next().is_some_and(|f| f.contains('-')));
        if rules_only {
            let kind = ErrorKind::BadPolicyZones {
                text: text.clone(),
                reason: "`any` and `all-` are forms of the rules file, not of the policy file",
            };
            self.error(Some(raw.span()), kind);
            return None;
        }
        match self.zone_form(raw, text) {
            ZoneForm::Plain => Some(match self.zone_ref(text, raw.span())? {
                ZoneRef::All => (PolicySide::All { except: Vec::new() }, false),
                ZoneRef::One(zone) => (PolicySide::Zone(zone), false),
            }),
            ZoneForm::List(list) if all.is_some() => {
                let except = self
                    .every_zone()
                    .into_iter()
                    .filter(|z| !list.zones.contains(z))
                    .collect();
                Some((PolicySide::All { except }, list.intrazone))
            }
            ZoneForm::List(list) => Some((PolicySide::List(list.zones), list.intrazone)),
            ZoneForm::Refused => None,
        }
    }

    /// Shorewall refuses a policy whose SOURCE and DEST an earlier one
    /// already decides (Rules.pm, `process_a_policy1`: "duplicates earlier
    /// policy"): a pair of zones named by an entry (one zone each side, or
    /// each pair of a list) that an earlier entry decides, or an entry with
    /// `all` whose Shorewall chain (`all2net`, `loc2all`) an earlier one
    /// made. A later `net -> all` after `all -> all` is accepted (and never
    /// reached).
    ///
    /// Judged in each family's list (Shorewall's and Shorewall6's policy
    /// files are read apart): only entries sharing a family meet.
    pub(super) fn check_duplicate_policies(&mut self, policies: &[Policy]) {
        let mut made: Vec<((String, String), usize, usize)> = Vec::new();
        let families: Vec<[bool; 2]> = policies.iter().map(|p| self.policy_families(p)).collect();
        for (index, policy) in policies.iter().enumerate() {
            // Whether the two entries meet in a list of a family the
            // zones given carry.
            let shares = |other: usize, zones: &[ZoneId]| {
                [false, true].into_iter().any(|v6| {
                    let at = usize::from(v6);
                    families[other][at]
                        && families[index][at]
                        && zones.iter().all(|&z| self.zone_family(z).has(v6))
                })
            };
            let mut kind = None;
            for call in self.policy_calls(policy) {
                match call {
                    Call::Pair(source, dest) => {
                        kind = kind.or_else(|| {
                            policies[..index]
                                .iter()
                                .enumerate()
                                .find(|(at, p)| {
                                    shares(*at, &[source, dest]) && p.covers(source, dest)
                                })
                                .map(|(_, p)| p)
                                .map(|first| ErrorKind::DuplicatePolicy {
                                    first_line: first.line,
                                })
                        });
                    }
                    Call::Wild(key) => {
                        let before = made
                            .iter()
                            .find(|(k, _, other)| *k == key && shares(*other, &[]));
                        if let Some((_, first_line, _)) = before {
                            kind = kind.or(Some(ErrorKind::RepeatedWildcardPolicy {
                                source: key.0.clone(),
                                dest: key.1.clone(),
                                first_line: *first_line,
                            }));
                        } else {
                            made.push((key, policy.line, index));
                        }
                    }
                }
            }
            if let Some(kind) = kind {
                self.error(Some(policy.span.clone()), kind);
            }
        }
    }

    /// What Rules.pm's process_a_policy hands process_a_policy1 for an
    /// entry: each pair of a list's zones with the other side's (a zone's
    /// traffic to itself only with `+`), or the entry's two sides.
    fn policy_calls(&self, policy: &Policy) -> Vec<Call> {
        let items = |side: &PolicySide| -> Vec<Option<ZoneId>> {
            match side {
                PolicySide::All { .. } => vec![None],
                other => other.listed().iter().copied().map(Some).collect(),
            }
        };
        let listed = matches!(policy.source, PolicySide::List(_))
            || matches!(policy.dest, PolicySide::List(_));
        let wild_key = |side: &PolicySide, item: Option<ZoneId>| match (side, item) {
            (_, Some(zone)) => self.zone_ref_text(ZoneRef::One(zone)),
            (PolicySide::All { except }, None) if except.is_empty() && policy.intrazone => {
                "all+".to_owned()
            }
            _ => "all".to_owned(),
        };
        let mut calls = Vec::new();
        for source in items(&policy.source) {
            for dest in items(&policy.dest) {
                match (source, dest) {
                    (Some(s), Some(d)) if s == d && listed && !policy.intrazone => {}
                    (Some(s), Some(d)) => calls.push(Call::Pair(s, d)),
                    _ => calls.push(Call::Wild((
                        wild_key(&policy.source, source),
                        wild_key(&policy.dest, dest),
                    ))),
                }
            }
        }
        calls
    }

    /// A zone reference as Shorewall's policy file writes it.
    fn zone_ref_text(&self, zone: ZoneRef) -> String {
        match zone {
            ZoneRef::All => "all".to_owned(),
            ZoneRef::One(ZoneId::Firewall) => "$FW".to_owned(),
            ZoneRef::One(ZoneId::Zone(index)) => self.zones[index].name.clone(),
        }
    }

    /// `default_action`: each a stock action fwgen knows, none twice.
    /// `Some(None)`: not written.
    fn default_action(&mut self, entry: &RawPolicy) -> Option<Option<Vec<DefaultAction>>> {
        let Some(raw) = &entry.default_action else {
            return Some(None);
        };
        let mut actions = Vec::new();
        let mut good = true;
        for item in raw.get_ref() {
            let reason = match DefaultAction::read(item.get_ref()) {
                Some(action) if actions.contains(&action) => "named twice",
                Some(action) => {
                    actions.push(action);
                    continue;
                }
                None => "fwgen runs Broadcast(DROP) and Multicast(DROP) before a policy",
            };
            let kind = ErrorKind::BadDefaultAction {
                text: item.get_ref().clone(),
                reason,
            };
            self.error(Some(item.span()), kind);
            good = false;
        }
        good.then_some(Some(actions))
    }

    pub(super) fn policy_action(&mut self, raw: &Spanned<String>) -> Option<PolicyAction> {
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

    /// `side`, written with `+`, takes in the firewall's traffic to
    /// itself, for an entry that is not a plain ACCEPT (rules and
    /// policies alike).
    pub(super) fn firewall_itself_covered(&mut self, side: &Spanned<String>) {
        let kind = ErrorKind::FirewallItselfCovered {
            text: side.get_ref().clone(),
        };
        self.error(Some(side.span()), kind);
    }

    pub(super) fn firewall_to_firewall(
        &mut self,
        source: ZoneRef,
        dest: ZoneRef,
        span: Range<usize>,
    ) -> bool {
        let fw = ZoneRef::One(ZoneId::Firewall);
        let both = source == fw && dest == fw;
        if both {
            self.error(Some(span), ErrorKind::FirewallToFirewall);
        }
        both
    }

    /// Each pair's decision in each family it carries (both zones and the
    /// model hold that family), judged in that family's list alone: a
    /// family's list must decide each of its pairs. A pair of no common
    /// family (an IPv4 zone to an IPv6 one) is decided as IPv4, by either
    /// list when IPv4's has no entry for it.
    pub(super) fn matrix(&mut self, policies: &[Policy], raw: &RawModel) -> PolicyMatrix {
        let mut matrix = PolicyMatrix::default();
        if !self.errors.is_empty() {
            return matrix;
        }
        let ids: Vec<ZoneId> = std::iter::once(ZoneId::Firewall)
            .chain((0..self.zones.len()).map(ZoneId::Zone))
            .collect();
        let in_model = [false, true].map(|v6| self.zones.iter().any(|z| z.family.has(v6)));
        let split = policies.iter().any(|p| p.family != Family::Both);
        for &source in &ids {
            for &dest in &ids {
                if source == ZoneId::Firewall && dest == ZoneId::Firewall {
                    continue;
                }
                let carries = [false, true].map(|v6| {
                    in_model[usize::from(v6)]
                        && self.zone_family(source).has(v6)
                        && self.zone_family(dest).has(v6)
                });
                let mut decisions = [false, true].map(|v6| {
                    carries[usize::from(v6)]
                        .then(|| resolve(policies, source, dest, v6))
                        .flatten()
                });
                if carries == [false, false] {
                    decisions[0] = resolve(policies, source, dest, false)
                        .or_else(|| resolve(policies, source, dest, true));
                    if decisions[0].is_none() {
                        self.missing_policy(source, dest, None, raw);
                    }
                } else {
                    let missing = [false, true].into_iter().filter(|&v6| {
                        carries[usize::from(v6)] && decisions[usize::from(v6)].is_none()
                    });
                    // Without entries of one family, both lists are one.
                    for v6 in missing.take(if split { 2 } else { 1 }) {
                        let family = split.then_some(if v6 { "IPv6" } else { "IPv4" });
                        self.missing_policy(source, dest, family, raw);
                    }
                }
                matrix.insert(source, dest, decisions);
            }
        }
        matrix
    }

    pub(super) fn missing_policy(
        &mut self,
        source: ZoneId,
        dest: ZoneId,
        family: Option<&'static str>,
        raw: &RawModel,
    ) {
        let kind = ErrorKind::MissingPolicy {
            source: self.id_name(source),
            dest: self.id_name(dest),
            family,
        };
        let span = raw.policy.last().map(Spanned::span);
        self.error(span, kind);
    }
}

/// One call of Rules.pm's process_a_policy1 for an entry.
enum Call {
    /// A pair of zones, each named.
    Pair(ZoneId, ZoneId),
    /// A side with `all`: the chain Shorewall makes for it.
    Wild((String, String)),
}

impl Analyzer<'_> {
    /// A CONTINUE policy for a pair with a zone on a named interface that a
    /// wildcard with zones covers (`loc` on ppp7 under `net`'s ppp+), where
    /// Shorewall would go on to the wildcard's entries. Where the pair's
    /// chain returns, Shorewall goes on through the source zone's later
    /// entries (`-o ppp+ -j SRC-net`, when that pair has a chain) and
    /// FORWARD's (`-i ppp+` to net's, whose `-o DEST` entry needs a chain
    /// of `net`-DEST) (Misc.pm generate_matrix: a CONTINUE pair with no
    /// rules has no entry); fwgen's nftables matches ppp7's packets by its
    /// own zones' entries alone and sends them to the catch-all. Refused at
    /// the entry, per family.
    pub(super) fn check_continue_over_wildcard(
        &mut self,
        policies: &[Policy],
        matrix: &crate::model::PolicyMatrix,
        items: (&[Rule], &[Dnat]),
    ) {
        let ids: Vec<ZoneId> = std::iter::once(ZoneId::Firewall)
            .chain((0..self.zones.len()).map(ZoneId::Zone))
            .collect();
        // Whether Shorewall makes a chain of the pair, and so an entry to it.
        let chained = |source: ZoneId, dest: ZoneId, v6: bool| {
            matrix
                .family(source, dest, v6)
                .is_some_and(|d| d.action != PolicyAction::Continue)
                || (items.0.iter())
                    .any(|r| r.source.zone.matches(source) && r.dest.zone.matches(dest))
                || (items.1.iter())
                    .any(|d| d.source.zone.matches(source) && dest == ZoneId::Zone(d.dest))
        };
        let mut refused = vec![false; policies.len()];
        for (source, dest, v6, at) in continue_policies(matrix, &ids) {
            if refused[at] {
                continue;
            }
            // The zone on the covered interface, and the pair of a
            // wildcard zone that would take its packets.
            let sides = [(dest, true), (source, false)];
            let covered = sides.into_iter().find_map(|(side, outgoing)| {
                let ZoneId::Zone(zone) = side else {
                    return None;
                };
                self.covered_members(zone)
                    .into_iter()
                    .find(|&(_, w)| {
                        self.wildcard_zones(w, v6).into_iter().any(|z| {
                            let z = ZoneId::Zone(z);
                            if outgoing {
                                chained(source, z, v6)
                            } else {
                                chained(z, dest, v6)
                            }
                        })
                    })
                    .map(|(named, w)| (zone, named, w))
            });
            let Some((zone, named, wildcard)) = covered else {
                continue;
            };
            refused[at] = true;
            let kind = ErrorKind::ContinueOverWildcard {
                source: self.id_name(source),
                dest: self.id_name(dest),
                zone: self.zones[zone].name.clone(),
                named: self.interfaces[named].name.clone(),
                wildcard: self.interfaces[wildcard].name.clone(),
            };
            self.error(Some(policies[at].span.clone()), kind);
        }
    }

    /// A CONTINUE policy of a pair of a nested zone (its source or dest)
    /// whose parents' pairs have blacklist entries: Shorewall's pair chain
    /// returns to the dispatch, whose next entry is the parent's pair
    /// chain, headed by its blacklist (`net-fw~`), so those entries take
    /// only what this pair's rules leave; fwgen's blacklist comes before
    /// every pair's rules and cannot keep that order. The same for a zone
    /// sharing an interface with the pair's (hosts that overlap without
    /// nesting; found by review, helper-182). Refused at the policy.
    pub(super) fn check_blacklist_after_continue(
        &mut self,
        policies: &[Policy],
        matrix: &crate::model::PolicyMatrix,
        blacklist: &[Rule],
    ) {
        let lineage = |id: ZoneId| -> Vec<ZoneId> {
            let mut all = vec![id];
            let mut at = 0;
            while at < all.len() {
                if let ZoneId::Zone(zone) = all[at] {
                    for &parent in &self.zones[zone].parents {
                        if !all.contains(&ZoneId::Zone(parent)) {
                            all.push(ZoneId::Zone(parent));
                        }
                    }
                }
                at += 1;
            }
            all
        };
        let ids: Vec<ZoneId> = std::iter::once(ZoneId::Firewall)
            .chain((0..self.zones.len()).map(ZoneId::Zone))
            .collect();
        // The interfaces of a zone's members: its own and its hosts'.
        let on = |zone: usize| -> Vec<usize> {
            let own = (self.interfaces.iter().enumerate())
                .filter(|(_, i)| i.zone == Some(zone))
                .map(|(index, _)| index);
            own.chain(self.zones[zone].hosts.iter().map(|h| h.interface))
                .collect()
        };
        // Where a pair's chain returns, the dispatch's next entry may be
        // a parent's, or another zone's on an interface it shares (a
        // hosts entry that overlaps without nesting): each such zone.
        let lineages: Vec<Vec<ZoneId>> = (ids.iter())
            .map(|&id| {
                let mut all = lineage(id);
                if let ZoneId::Zone(zone) = id {
                    let mine = on(zone);
                    let sharing = (0..self.zones.len())
                        .filter(|&other| on(other).iter().any(|i| mine.contains(i)))
                        .map(ZoneId::Zone);
                    for other in sharing {
                        if !all.contains(&other) {
                            all.push(other);
                        }
                    }
                }
                all
            })
            .collect();
        let mut refused = vec![false; policies.len()];
        let place = |id: ZoneId| match id {
            ZoneId::Firewall => 0,
            ZoneId::Zone(index) => index + 1,
        };
        for (source, dest, _, at) in continue_policies(matrix, &ids) {
            if refused[at] {
                continue;
            }
            let later = (lineages[place(source)].iter())
                .flat_map(|&s| lineages[place(dest)].iter().map(move |&d| (s, d)));
            let listed = later.filter(|&pair| pair != (source, dest)).find(|&pair| {
                (blacklist.iter())
                    .any(|e| crate::model::zone::applies_to(e.source.zone, e.dest.zone, pair))
            });
            let Some((s, d)) = listed else {
                continue;
            };
            refused[at] = true;
            let kind = ErrorKind::BlacklistAfterContinue {
                source: self.id_name(source),
                dest: self.id_name(dest),
                parent: format!("{} {}", self.id_name(s), self.id_name(d)),
            };
            self.error(Some(policies[at].span.clone()), kind);
        }
    }

    /// A zone's name as an error gives it: `$FW` for the firewall.
    fn id_name(&self, id: ZoneId) -> String {
        match id {
            ZoneId::Firewall => "$FW".to_owned(),
            ZoneId::Zone(index) => self.zones[index].name.clone(),
        }
    }

    /// The named interfaces of a zone's members (its own or its hosts
    /// entries') that a wildcard covers, each with the wildcard.
    fn covered_members(&self, zone: usize) -> Vec<(usize, usize)> {
        let own = (self.interfaces.iter().enumerate())
            .filter(|(_, i)| i.zone == Some(zone))
            .map(|(at, _)| at);
        let hosts = self.zones[zone].hosts.iter().map(|h| h.interface);
        let mut covered = Vec::new();
        for at in own.chain(hosts) {
            let named = &self.interfaces[at];
            let wildcards = (self.interfaces.iter().enumerate())
                .filter(|(_, w)| w.covers_named(named))
                .map(|(w, _)| (at, w));
            covered.extend(wildcards);
        }
        covered
    }

    /// The zones of a family with members on an interface: its own zone and
    /// those with hosts on it.
    fn wildcard_zones(&self, interface: usize, v6: bool) -> Vec<usize> {
        let hosts = (self.zones.iter().enumerate())
            .filter(|(_, z)| z.hosts.iter().any(|h| h.interface == interface))
            .map(|(at, _)| at);
        (self.interfaces[interface].zone.into_iter())
            .chain(hosts)
            .filter(|&z| self.zones[z].family.has(v6))
            .collect()
    }
}

/// Each pair's CONTINUE decision of either family that a policy made:
/// (source, dest, IPv6, the policy's index).
fn continue_policies(
    matrix: &crate::model::PolicyMatrix,
    ids: &[ZoneId],
) -> Vec<(ZoneId, ZoneId, bool, usize)> {
    let mut found = Vec::new();
    for &source in ids {
        for &dest in ids {
            for v6 in [false, true] {
                let Some(decision) = matrix.family(source, dest, v6) else {
                    continue;
                };
                if let (PolicyAction::Continue, crate::model::DecisionOrigin::Policy(at)) =
                    (decision.action, decision.origin)
                {
                    found.push((source, dest, v6, at));
                }
            }
        }
    }
    found
}
