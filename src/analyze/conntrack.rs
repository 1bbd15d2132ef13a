//! `[[conntrack]]`: the NOTRACK lines of Shorewall's conntrack file,
//! checked as Raw.pm's process_conntrack_rule reads a line.

use super::*;
use crate::config::RawConntrack;
use crate::model::{Conntrack, ConntrackChain, Service};

impl Analyzer<'_> {
    pub(super) fn conntrack(&mut self, raw: &[Spanned<RawConntrack>]) -> Vec<Conntrack> {
        raw.iter().filter_map(|e| self.conntrack_entry(e)).collect()
    }

    fn bad_conntrack(&mut self, span: Range<usize>, key: &'static str, text: &str, reason: &str) {
        let kind = ErrorKind::BadConntrack {
            key,
            text: text.to_owned(),
            reason: reason.to_owned(),
        };
        self.error(Some(span), kind);
    }

    fn conntrack_entry(&mut self, raw: &Spanned<RawConntrack>) -> Option<Conntrack> {
        let errors_before = self.errors.len();
        let entry = raw.get_ref();
        if entry.action.get_ref() != "notrack" {
            self.bad_conntrack(
                entry.action.span(),
                "action",
                entry.action.get_ref(),
                "fwgen carries the conntrack file's NOTRACK and CT:notrack lines alone",
            );
        }
        let source = match &entry.source {
            Some(written) => {
                let endpoint = self.endpoint(written);
                if let Some(endpoint) = &endpoint
                    && endpoint.zone == ZoneRef::All
                {
                    self.bad_conntrack(
                        written.span(),
                        "source",
                        written.get_ref(),
                        "names one zone: Shorewall gives each zone its own raw chain (`net_ctrk`); leave `source` out for every source",
                    );
                }
                Some(endpoint)
            }
            None => None,
        };
        let chain = match (&entry.chain, &entry.source) {
            (Some(written), Some(_)) => {
                self.bad_conntrack(
                    written.span(),
                    "chain",
                    written.get_ref(),
                    "the source zone decides the hook (the firewall's own packets: output; another zone's: prerouting), as in Shorewall's FORMAT 2",
                );
                None
            }
            (Some(written), None) => {
                let parsed = ConntrackChain::parse(written.get_ref());
                if parsed.is_none() {
                    self.bad_conntrack(
                        written.span(),
                        "chain",
                        written.get_ref(),
                        "is `prerouting`, `output` or `both`",
                    );
                }
                parsed
            }
            (None, _) => Some(ConntrackChain::Prerouting),
        };
        let (dest, dest_excluded) = match &entry.dest {
            Some(written) => match self.address_list(written, 0, written.get_ref(), None) {
                Some(list) if list.ipset.is_none() && list.interface_address.is_none() => {
                    (list.addresses, list.excluded)
                }
                Some(_) => {
                    self.bad_conntrack(
                        written.span(),
                        "dest",
                        written.get_ref(),
                        "takes addresses or networks: fwgen writes no set or `&eth0` in the raw table",
                    );
                    (Vec::new(), Vec::new())
                }
                None => (Vec::new(), Vec::new()),
            },
            None => (Vec::new(), Vec::new()),
        };
        let services = self.conntrack_services(entry);
        if self.errors.len() != errors_before {
            return None;
        }
        Some(Conntrack {
            source: source.map(Option::unwrap),
            chain: chain?,
            dest,
            dest_excluded,
            services: services?,
            comment: entry.comment.as_ref().map(|c| c.get_ref().clone()),
            span: raw.span(),
            line: self.line(&raw.span()),
        })
    }

    /// One service per protocol, with the entry's ports; no protocol:
    /// every packet.
    fn conntrack_services(&mut self, entry: &RawConntrack) -> Option<Vec<Service>> {
        let protos = match &entry.proto {
            Some(raw) => self.protocols(raw)?,
            None => Vec::new(),
        };
        if protos.is_empty() {
            if let Some(ports) = entry.dport.as_ref().or(entry.sport.as_ref()) {
                let kind = ErrorKind::PortsNeedProtocol {
                    protocol: "all".to_owned(),
                };
                self.error(Some(ports.span()), kind);
                return None;
            }
            return Some(Vec::new());
        }
        let mut services = Vec::new();
        for proto in protos {
            services.push(Service {
                proto,
                dports: self.ports_for(entry.dport.as_ref(), proto)?,
                sports: self.ports_for(entry.sport.as_ref(), proto)?,
                icmp_type: None,
            });
        }
        Some(services)
    }
}

impl Analyzer<'_> {
    /// Shorewall's RETURN for a nested zone's members in raw PREROUTING
    /// (Misc.pm handle_nested_zone, add_prerouting_jumps): where a parent
    /// has entries of its own (its `_ctrk` chain is referenced) and the
    /// nested zone has no CONTINUE policy, the nested zone's packets leave
    /// raw PREROUTING ahead of the parent's entries and of every later
    /// PREROUTING line (the entries without a source, and the helpers
    /// `conntrack_helpers` attaches). fwgen's raw chains do not leave them
    /// out: refused at the parent's entry.
    pub(super) fn check_conntrack_beside_nested(
        &mut self,
        conntrack: &[Conntrack],
        matrix: &crate::model::PolicyMatrix,
    ) {
        let ids: Vec<ZoneId> = std::iter::once(ZoneId::Firewall)
            .chain((0..self.zones.len()).map(ZoneId::Zone))
            .collect();
        let continues = |zone: usize, ipv6: bool| {
            ids.iter().any(|&dest| {
                (matrix.family(ZoneId::Zone(zone), dest, ipv6))
                    .is_some_and(|d| d.action == PolicyAction::Continue)
            })
        };
        for entry in conntrack {
            let Some(ZoneRef::One(ZoneId::Zone(parent))) = entry.source.as_ref().map(|s| &s.zone)
            else {
                continue;
            };
            // Per family, as Shorewall and Shorewall6 compile apart: the
            // entry's (its destinations'), the parent's and the zone's.
            let of_entry = |ipv6: bool| {
                entry.dest.is_empty()
                    || (entry.dest.iter()).any(|net| matches!(net, IpNet::V6(_)) == ipv6)
            };
            let returned = (0..self.zones.len()).find(|&zone| {
                self.zones[zone].parents.contains(parent)
                    && [false, true].into_iter().any(|ipv6| {
                        of_entry(ipv6)
                            && self.zones[*parent].family.has(ipv6)
                            && self.zones[zone].family.has(ipv6)
                            && !continues(zone, ipv6)
                    })
            });
            if let Some(zone) = returned {
                let (parent, nested) = (&self.zones[*parent].name, &self.zones[zone].name);
                let reason = format!(
                    "zone {nested} is nested in {parent} and has no CONTINUE policy, so Shorewall returns from raw PREROUTING for {nested}'s hosts ahead of {parent}'s entries (Misc.pm add_prerouting_jumps): this entry, the entries without a source and the helpers conntrack_helpers attaches do not apply to them, which fwgen's raw chains do not express (with a CONTINUE policy from {nested}, Shorewall too keeps its hosts in {parent}'s entries)"
                );
                let kind = ErrorKind::BadConntrack {
                    key: "source",
                    text: parent.clone(),
                    reason,
                };
                self.error(Some(entry.span.clone()), kind);
            }
        }
    }
}
