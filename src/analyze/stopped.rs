//! `[[stopped]]`: what passes while the firewall is stopped.

use super::*;
use crate::config::RawStopped;
use crate::model::{Place, Stopped, StoppedEnd};

impl Analyzer<'_> {
    /// Ports of a `[[stopped]]`, `[[snat]]` or `[[masquerade]]` entry:
    /// only with a protocol that has them.
    pub(super) fn protocol_ports(
        &mut self,
        raw: Option<&Spanned<PortList>>,
        proto: Option<Protocol>,
    ) -> Option<Vec<PortRange>> {
        match (proto, raw) {
            (Some(proto), raw) => self.ports_for(raw, proto),
            (None, None) => Some(Vec::new()),
            (None, Some(raw)) => {
                let kind = ErrorKind::PortsNeedProtocol {
                    protocol: "all".to_owned(),
                };
                self.error(Some(raw.span()), kind);
                None
            }
        }
    }

    /// `output_open`: `[firewall] stopped_output_open`, under which an
    /// entry from `$FW` would change nothing.
    pub(super) fn stopped(
        &mut self,
        raw: &Spanned<RawStopped>,
        output_open: bool,
    ) -> Option<Stopped> {
        let errors_before = self.errors.len();
        let entry = raw.get_ref();
        let source = self.stopped_end(&entry.source);
        let dest = self.stopped_end(&entry.dest);
        let proto = match &entry.proto {
            Some(proto) => Some(self.protocol(proto)?),
            None => None,
        };
        let dports = self.protocol_ports(entry.dport.as_ref(), proto.flatten());
        let sports = self.protocol_ports(entry.sport.as_ref(), proto.flatten());
        let comment = self.free_text("comment", entry.comment.as_ref());
        let family = match entry.family.as_ref() {
            Some(raw) => self.family(Some(raw)),
            None => Family::Both,
        };
        let (source, dest, dports, sports) = (source?, dest?, dports?, sports?);
        if source.place == Place::Firewall && (dest.place == Place::Firewall || output_open) {
            let kind = if dest.place == Place::Firewall {
                ErrorKind::FirewallToFirewall
            } else {
                ErrorKind::StoppedFromFirewall
            };
            self.error(Some(entry.source.span()), kind);
            return None;
        }
        let services = proto.flatten().map_or_else(Vec::new, |proto| {
            vec![Service {
                proto,
                dports,
                sports,
                icmp_type: None,
            }]
        });
        let stopped = Stopped {
            source,
            dest,
            services,
            family,
            comment,
            line: self.line(&raw.span()),
            span: raw.span(),
        };
        if self.errors.len() == errors_before
            && stopped.families(&self.interfaces, &self.zones) == [false, false]
        {
            let kind = ErrorKind::FamilyConflict {
                what: "this [[stopped]] entry",
            };
            self.error(Some(raw.span()), kind);
            return None;
        }
        let ipv6 = stopped.families(&self.interfaces, &self.zones)[1];
        for (end, raw_end) in [
            (&stopped.source, &entry.source),
            (&stopped.dest, &entry.dest),
        ] {
            if let Place::Interface(index) = end.place
                && ipv6
                && self.interfaces[index].name.ends_with('+')
            {
                let kind = ErrorKind::StoppedWildcardIpv6 {
                    name: self.interfaces[index].name.clone(),
                };
                self.error(Some(raw_end.span()), kind);
                return None;
            }
        }
        Some(stopped)
    }

    /// `any`, `$FW` (or the firewall zone's name), or an interface of the
    /// model, each optionally followed by `:ADDRESS,...`.
    fn stopped_end(&mut self, raw: &Spanned<String>) -> Option<StoppedEnd> {
        let text = raw.get_ref();
        let (name, list) = match text.split_once(':') {
            Some((name, list)) => (name, Some(list)),
            None => (text.as_str(), None),
        };
        let place = match name {
            "any" => Some(Place::Any),
            "$FW" => Some(Place::Firewall),
            _ if name == self.firewall_zone => Some(Place::Firewall),
            // By its name or its device (`physical`), as Zones.pm's
            // known_interface finds it.
            _ => match (self.interfaces.iter().position(|i| i.name == name)).or_else(|| {
                (self.interfaces.iter()).position(|i| i.physical == name && !name.ends_with('+'))
            }) {
                Some(index) => Some(Place::Interface(index)),
                None => {
                    let kind = ErrorKind::UnknownStoppedPlace {
                        name: name.to_owned(),
                        known: self.interfaces.iter().map(|i| i.name.clone()).collect(),
                    };
                    let span = self.inner_span(raw, 0, name.len());
                    self.error(Some(span), kind);
                    None
                }
            },
        };
        let mut addresses = Vec::new();
        let mut ok = true;
        if let Some(list) = list {
            let mut offset = name.len() + 1;
            for item in list.split(',') {
                let span = self.inner_span(raw, offset, item.len());
                offset += item.len() + 1;
                match self.network(item.trim(), span) {
                    Some(net) => addresses.push(net),
                    None => ok = false,
                }
            }
        }
        let place = place?;
        ok.then_some(StoppedEnd { place, addresses })
    }
}
