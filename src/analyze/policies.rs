//! Policies, and the matrix that gives every zone pair its policy.

use super::*;

impl Analyzer<'_> {
    pub(super) fn policy(&mut self, raw: &Spanned<RawPolicy>) -> Option<Policy> {
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

    /// Shorewall refuses a policy whose SOURCE and DEST an earlier one
    /// already decides (Rules.pm, `process_a_policy1`: "duplicates earlier
    /// policy"): the same SOURCE and DEST written again, `all` included, or
    /// a pair of two different zones that an earlier `all` covers. A later
    /// `net -> all` after `all -> all` is accepted (and never reached).
    pub(super) fn check_duplicate_policies(&mut self, policies: &[Policy]) {
        for (index, policy) in policies.iter().enumerate() {
            let earlier = &policies[..index];
            let same = |p: &&Policy| p.source == policy.source && p.dest == policy.dest;
            let kind = match (policy.source, policy.dest) {
                (ZoneRef::One(source), ZoneRef::One(dest)) => earlier
                    .iter()
                    .find(|p| covers_pair(p, source, dest))
                    .map(|first| ErrorKind::DuplicatePolicy {
                        first_line: first.line,
                    }),
                _ => earlier
                    .iter()
                    .find(same)
                    .map(|first| ErrorKind::RepeatedWildcardPolicy {
                        source: self.zone_ref_text(policy.source),
                        dest: self.zone_ref_text(policy.dest),
                        first_line: first.line,
                    }),
            };
            if let Some(kind) = kind {
                self.error(Some(policy.span.clone()), kind);
            }
        }
    }

    /// A zone reference as Shorewall's policy file writes it.
    fn zone_ref_text(&self, zone: ZoneRef) -> String {
        match zone {
            ZoneRef::All => "all".to_owned(),
            ZoneRef::One(ZoneId::Firewall) => "$FW".to_owned(),
            ZoneRef::One(ZoneId::Zone(index)) => self.zones[index].name.clone(),
        }
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

    pub(super) fn matrix(&mut self, policies: &[Policy], raw: &RawModel) -> PolicyMatrix {
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

    pub(super) fn missing_policy(&mut self, source: ZoneId, dest: ZoneId, raw: &RawModel) {
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
}

/// Whether an earlier policy decides the pair of two zones: it names the
/// pair, or covers it with `all` (which leaves out a zone's traffic to
/// itself).
fn covers_pair(earlier: &Policy, source: ZoneId, dest: ZoneId) -> bool {
    let wildcard = earlier.source == ZoneRef::All || earlier.dest == ZoneRef::All;
    earlier.source.matches(source) && earlier.dest.matches(dest) && !(wildcard && source == dest)
}
