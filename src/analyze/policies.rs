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

    /// Shorewall refuses a policy naming a zone pair (no `all`) that an
    /// earlier policy already decides.
    pub(super) fn check_duplicate_policies(&mut self, policies: &[Policy]) {
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
