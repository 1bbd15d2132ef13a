//! Port forwards, masquerade and SNAT.

use super::rules::ports_text;
use super::*;
use crate::model::interface::devices_overlap;
use crate::model::nat::ForwardMacro;
use crate::model::service::{MacroCall, MacroColumns, forward_services};
use crate::model::{
    Exclusion, MarkTest, OneToOne, Origdest, Redirect, SnatTarget, SnatTo, SourcePorts,
};

/// The items of a written `origdest` in the order [`Origdest::networks`]
/// gives their networks: taken in, then left out.
fn origdest_items(raw: &[Spanned<String>]) -> impl Iterator<Item = &Spanned<String>> {
    let taken = raw.iter().filter(|s| !s.get_ref().starts_with('!'));
    taken.chain(raw.iter().filter(|s| s.get_ref().starts_with('!')))
}

/// A protocol a port forward or redirect takes, its ports, its source
/// ports, and the macro call it comes from.
type Forwarded = (
    Protocol,
    Vec<PortRange>,
    Vec<PortRange>,
    Option<ForwardMacro>,
);

/// The keys of a `[[dnat]]` or `[[redirect]]` that say what it takes.
struct ForwardedService<'a> {
    /// `DNAT` or `REDIRECT`: the action a macro's PARAM stands for.
    action: &'static str,
    span: std::ops::Range<usize>,
    service_macro: Option<&'a Spanned<String>>,
    proto: Option<&'a Spanned<Scalar>>,
    dport: Option<&'a Spanned<PortList>>,
    sport: Option<&'a Spanned<PortList>>,
}

impl ForwardedService<'_> {
    fn span_of_macro(&self) -> std::ops::Range<usize> {
        self.service_macro.map_or(self.span.clone(), Spanned::span)
    }
}

/// A source NAT entry's `family` as read (true: IPv6) and where it is
/// written.
type FamilyKey<'a> = Option<(bool, &'a Spanned<String>)>;

/// The keys of a `[[masquerade]]` or `[[snat]]` entry (`to` and
/// `persistent` only in the latter), read alike.
struct SnatFields<'a> {
    interface: &'a Spanned<String>,
    sources: &'a [Spanned<String>],
    except: &'a [Spanned<String>],
    source_interface: Option<&'a Spanned<String>>,
    destinations: &'a [Spanned<String>],
    to: Option<&'a Spanned<String>>,
    persistent: Option<&'a Spanned<bool>>,
    proto: Option<&'a Spanned<Scalar>>,
    dport: Option<&'a Spanned<PortList>>,
    mark: Option<&'a Spanned<String>>,
    ports: Option<&'a Spanned<PortList>>,
    random: Option<&'a Spanned<bool>>,
    before_nat: Option<&'a Spanned<bool>>,
    family: Option<&'a Spanned<String>>,
    comment: Option<&'a Spanned<String>>,
    /// The Shorewall backend writes Shorewall 4's masq file, not snat.
    masq_file: bool,
}

impl Analyzer<'_> {
    /// What a port forward and a redirect match: the source (no `!`: the
    /// translation would reach the left-out addresses), and each protocol
    /// with its ports and source ports (one, or one per protocol of a
    /// macro's lines, with the call).
    fn forwarded(
        &mut self,
        raw_source: &Spanned<String>,
        service: ForwardedService<'_>,
    ) -> Option<(Endpoint, Vec<Forwarded>)> {
        let source = self.endpoint(raw_source);
        let forwarded = match service.service_macro {
            Some(name) => self.forwarded_macro(name, &service),
            None => self.forwarded_service(&service),
        };
        let (source, forwarded) = (source?, forwarded?);
        if !source.excluded.is_empty() {
            self.error(Some(raw_source.span()), ErrorKind::DnatExclusion);
            return None;
        }
        if let Some(index) = source.interface_address {
            let kind = ErrorKind::InterfaceAddress {
                text: format!("&{}", self.interfaces[index].name),
                reason: "is taken only in a `[[rule]]`'s source or dest, not in a port forward's or a redirect's source",
            };
            self.error(Some(raw_source.span()), kind);
            return None;
        }
        if source.ipset.is_some() {
            let kind = ErrorKind::IpsetReference {
                text: raw_source.get_ref().clone(),
                reason: "an ipset is taken in a `[[rule]]`'s or `[[blacklist]]` entry's source or dest, not yet in a port forward's or a redirect's source".to_owned(),
            };
            self.error(Some(raw_source.span()), kind);
            return None;
        }
        Some((source, forwarded))
    }

    /// `proto` with `dport` (both required without a macro) and `sport`.
    fn forwarded_service(&mut self, service: &ForwardedService<'_>) -> Option<Vec<Forwarded>> {
        let (Some(raw_proto), Some(raw_dport)) = (service.proto, service.dport) else {
            self.error(
                Some(service.span.clone()),
                ErrorKind::PortForwardWithoutPort,
            );
            return None;
        };
        let proto = self.protocol(raw_proto);
        let dports = match proto {
            Some(Some(p)) if p.has_ports() => self.ports(raw_dport),
            Some(_) => {
                self.error(Some(raw_proto.span()), ErrorKind::PortForwardWithoutPort);
                None
            }
            None => None,
        };
        let sports = match service.sport {
            Some(raw) => self.ports(raw),
            None => Some(Vec::new()),
        };
        Some(vec![(proto??, dports?, sports?, None)])
    }

    /// A stock macro's lines, expanded as Rules.pm `process_macro` does
    /// with DNAT or REDIRECT for PARAM: one entry per protocol of a line,
    /// with that line's ports (the call's `proto`, `dport` and `sport`
    /// replacing the macro's). Lines the way back or with addresses of
    /// their own, lines of another action, and lines without a port are
    /// refused.
    fn forwarded_macro(
        &mut self,
        name: &Spanned<String>,
        service: &ForwardedService<'_>,
    ) -> Option<Vec<Forwarded>> {
        let Some(found) = Macro::find(name.get_ref()) else {
            let kind = ErrorKind::UnknownMacro {
                name: name.get_ref().clone(),
            };
            self.error(Some(name.span()), kind);
            return None;
        };
        let columns = self.forwarded_columns(service)?;
        let call = MacroCall {
            action: Some(service.action),
            columns: columns.clone(),
            ..MacroCall::default()
        };
        let expanded = match (found.stock, found.expand(&call)) {
            (None, _) => Err("it is fwgen's own, which Shorewall does not know".to_owned()),
            (Some(stock), _) if stock.helper.is_some() && self.helpers_attached => Err(format!(
                "with conntrack_helpers = false Shorewall's macro.{} attaches the `{}` conntrack helper, which fwgen's port forwards and redirects do not carry",
                found.name,
                stock.helper.unwrap_or_default()
            )),
            (Some(_), expanded) => expanded.and_then(|parts| forward_services(found.name, &parts)),
        };
        match expanded {
            Ok(services) => {
                let forwarded = services.into_iter().enumerate().map(|(at, s)| {
                    let call = ForwardMacro {
                        name: found.name,
                        first: at == 0,
                        columns: columns.clone(),
                    };
                    (s.proto, s.dports, s.sports, Some(call))
                });
                Some(forwarded.collect())
            }
            Err(reason) => {
                let name = found.name.to_owned();
                let kind = ErrorKind::MacroNotExpressible { name, reason };
                self.error(Some(service.span_of_macro()), kind);
                None
            }
        }
    }

    /// The PROTO, DPORT and SPORT columns a forward gives its macro.
    fn forwarded_columns(&mut self, service: &ForwardedService<'_>) -> Option<MacroColumns> {
        let proto = match service.proto {
            Some(raw) => match self.protocol(raw)? {
                Some(proto) => Some(proto.to_string()),
                None => {
                    self.error(Some(raw.span()), ErrorKind::PortForwardWithoutPort);
                    return None;
                }
            },
            None => None,
        };
        let mut ports = |raw: Option<&Spanned<PortList>>| -> Option<Option<String>> {
            match raw {
                Some(raw) => Some(Some(ports_text(&self.ports(raw)?))),
                None => Some(None),
            }
        };
        let dport = ports(service.dport)?;
        let sport = ports(service.sport)?;
        Some(MacroColumns {
            proto,
            dport,
            sport,
        })
    }

    /// A `[[dnat]]`: one port forward, or one per protocol of its macro's
    /// lines.
    pub(super) fn dnat(&mut self, raw: &Spanned<RawDnat>) -> Vec<Dnat> {
        self.dnat_entry(raw).unwrap_or_default()
    }

    fn dnat_entry(&mut self, raw: &Spanned<RawDnat>) -> Option<Vec<Dnat>> {
        let entry = raw.get_ref();
        let service = ForwardedService {
            action: "DNAT",
            span: raw.span(),
            service_macro: entry.service_macro.as_ref(),
            proto: entry.proto.as_ref(),
            dport: entry.dport.as_ref(),
            sport: entry.sport.as_ref(),
        };
        let matched = self.forwarded(&entry.source, service);
        let dest = self.dnat_dest(&entry.dest);
        let to = self.dnat_target(&entry.to);
        let to_port = self.target_port(entry.to_port.as_ref());
        let log = self.log_level(entry.log.as_ref());
        let log_tag = self.log_tag(entry.log_tag.as_ref(), entry.log.is_some());
        let comment = self.free_text("comment", entry.comment.as_ref());
        let origdest = self.origdest(&entry.origdest);
        let rate = self.untabled_rate(
            entry.rate.as_deref(),
            entry.rate_burst.as_deref(),
            entry.rate_per.as_deref(),
        );
        let ((source, forwarded), dest, to) = (matched?, dest?, to?);
        let rate = rate?;
        if !self.check_dnat_rate(entry, source.zone) {
            return None;
        }
        self.check_dnat_target(to, dest, &entry.to)?;
        let origdest = origdest?;
        // Sources of the other family only: Shorewall writes no line for
        // it, and nftables would forward from the whole zone.
        if !source.addresses.is_empty()
            && source.addresses.iter().all(|a| is_ipv6(a) != to.is_ipv6())
        {
            let kind = ErrorKind::FamilyConflict {
                what: "this port forward's source",
            };
            self.error(Some(entry.source.span()), kind);
            return None;
        }
        if let Some((_, raw)) = origdest
            .networks()
            .zip(origdest_items(&entry.origdest))
            .find(|(net, _)| is_ipv6(net) != to.is_ipv6())
        {
            let kind = ErrorKind::FamilyConflict {
                what: "this port forward's origdest",
            };
            self.error(Some(raw.span()), kind);
            return None;
        }
        let to_port = to_port?;
        let line = self.line(&raw.span());
        let dnats = forwarded
            .into_iter()
            .map(|(proto, dports, sports, macro_call)| Dnat {
                source: source.clone(),
                dest,
                to,
                proto,
                dports,
                sports,
                origdest: origdest.clone(),
                to_port,
                macro_call,
                accept: entry.accept.unwrap_or(true),
                log,
                log_tag: log_tag.clone(),
                comment: comment.clone(),
                rate: rate.clone(),
                line,
                span: raw.span(),
            });
        Some(dnats.collect())
    }

    /// An `origdest`: addresses or networks, taken in, or left out after
    /// `!` (shorewall-exclusion(5)); every one read (each error reported),
    /// `None` once one is refused. A left-out network of a family nothing
    /// taken in has would leave out nothing: refused, as in a source.
    pub(super) fn origdest(&mut self, raw: &[Spanned<String>]) -> Option<Origdest> {
        let mut origdest = Origdest::default();
        let mut ok = true;
        let mut excluded_at = Vec::new();
        for item in raw {
            let (text, list, offset) = match item.get_ref().strip_prefix('!') {
                Some(rest) => (rest, &mut origdest.excluded, 1),
                None => (item.get_ref().as_str(), &mut origdest.addresses, 0),
            };
            let span = match offset {
                0 => item.span(),
                _ => self.inner_span(item, offset, text.len()),
            };
            match self.network(text, span) {
                Some(net) => list.push(net),
                None => ok = false,
            }
            if offset == 1 {
                excluded_at.push(item);
            }
        }
        if ok && !origdest.addresses.is_empty() {
            let stray = (origdest.excluded.iter().zip(excluded_at))
                .find(|(e, _)| !origdest.addresses.iter().any(|a| is_ipv6(a) == is_ipv6(e)));
            if let Some((stray, item)) = stray {
                let kind = ErrorKind::ExclusionOfOtherFamily {
                    address: crate::model::rule::written(stray),
                };
                self.error(Some(item.span()), kind);
                ok = false;
            }
        }
        ok.then_some(origdest)
    }

    /// A `[[redirect]]`: one redirect, or one per protocol of its macro's
    /// lines.
    pub(super) fn redirect(&mut self, raw: &Spanned<RawRedirect>) -> Vec<Redirect> {
        self.redirect_entry(raw).unwrap_or_default()
    }

    fn redirect_entry(&mut self, raw: &Spanned<RawRedirect>) -> Option<Vec<Redirect>> {
        let entry = raw.get_ref();
        let service = ForwardedService {
            action: "REDIRECT",
            span: raw.span(),
            service_macro: entry.service_macro.as_ref(),
            proto: entry.proto.as_ref(),
            dport: entry.dport.as_ref(),
            sport: entry.sport.as_ref(),
        };
        let matched = self.forwarded(&entry.source, service);
        let to_port = self.port_number(&entry.to_port);
        let log = self.log_level(entry.log.as_ref());
        let log_tag = self.log_tag(entry.log_tag.as_ref(), entry.log.is_some());
        let comment = self.free_text("comment", entry.comment.as_ref());
        let origdest = self.origdest(&entry.origdest);
        let ((source, forwarded), origdest) = (matched?, origdest?);
        if let Some(first) = origdest.ipv6()
            && let Some((_, raw)) = origdest
                .networks()
                .zip(origdest_items(&entry.origdest))
                .find(|(net, _)| is_ipv6(net) != first)
        {
            let kind = ErrorKind::FamilyConflict {
                what: "this redirect's origdest",
            };
            self.error(Some(raw.span()), kind);
            return None;
        }
        if let Some(first) = source.addresses.first().or(origdest.networks().next())
            && source
                .addresses
                .iter()
                .chain(origdest.networks())
                .any(|a| is_ipv6(a) != is_ipv6(first))
        {
            let kind = ErrorKind::FamilyConflict {
                what: "this redirect",
            };
            self.error(Some(entry.source.span()), kind);
            return None;
        }
        // An origdest of a family the source zone lacks: no line in
        // Shorewall, a redirect no packet meets in nftables.
        if let (ZoneRef::One(zone @ ZoneId::Zone(_)), Some((net, raw))) = (
            source.zone,
            origdest
                .networks()
                .zip(origdest_items(&entry.origdest))
                .next(),
        ) {
            let errors_before = self.errors.len();
            let family = self.zone_family(zone);
            self.check_family(net, raw.span(), zone, family);
            if self.errors.len() != errors_before {
                return None;
            }
        }
        let to_port = to_port?;
        let line = self.line(&raw.span());
        let redirects = forwarded
            .into_iter()
            .map(|(proto, dports, sports, macro_call)| Redirect {
                source: source.clone(),
                proto,
                dports,
                sports,
                origdest: origdest.clone(),
                to_port,
                macro_call,
                accept: entry.accept.unwrap_or(true),
                log,
                log_tag: log_tag.clone(),
                comment: comment.clone(),
                line,
                span: raw.span(),
            });
        Some(redirects.collect())
    }

    pub(super) fn one_to_one(&mut self, raw: &Spanned<RawNat>) -> Option<OneToOne> {
        let entry = raw.get_ref();
        let external = self.dnat_target(&entry.external);
        let internal = self.dnat_target(&entry.internal);
        let interface = self.interface_named(&entry.interface);
        let comment = self.free_text("comment", entry.comment.as_ref());
        let (external, internal, interface) = (external?, internal?, interface?);
        if external.is_ipv6() || internal.is_ipv6() {
            self.error(Some(raw.span()), ErrorKind::OneToOneIpv6);
            return None;
        }
        let zone = self.internal_zone(internal, self.interfaces[interface].zone);
        let Some(zone) = zone else {
            let kind = ErrorKind::OneToOneUnplaced {
                internal: internal.to_string(),
            };
            self.error(Some(entry.internal.span()), kind);
            return None;
        };
        Some(OneToOne {
            external,
            interface,
            internal,
            zone,
            all_interfaces: entry.all_interfaces.unwrap_or(false),
            local: entry.local.unwrap_or(false),
            comment,
            line: self.line(&raw.span()),
            span: raw.span(),
        })
    }

    /// The zone of a one-to-one NAT's internal address: the first in
    /// dispatch order (nested zones before their parents, a hosts zone
    /// before its interface's zone) whose networks, of its interfaces or
    /// of its hosts entries (shorewall-hosts(5)), hold it; else the only
    /// zone but the external interface's that declares no networks (the
    /// connection is routed there).
    fn internal_zone(&self, internal: IpAddr, external_zone: Option<usize>) -> Option<usize> {
        let networks = |zone: usize| self.declared_networks(zone);
        if let Some(zone) =
            (0..self.zones.len()).find(|&zone| networks(zone).any(|n| n.contains(&internal)))
        {
            return Some(zone);
        }
        let open: Vec<usize> = (0..self.zones.len())
            .filter(|&zone| Some(zone) != external_zone && networks(zone).next().is_none())
            .filter(|&zone| self.interfaces.iter().any(|i| i.zone == Some(zone)))
            .collect();
        match open.as_slice() {
            [zone] => Some(*zone),
            _ => None,
        }
    }

    /// The index of the interface `raw` names, by its name or its device
    /// (`physical`), as Nat.pm's known_interface finds it; or a located
    /// error. A device a wildcard stands for is not one.
    fn interface_named(&mut self, raw: &Spanned<String>) -> Option<usize> {
        let name = raw.get_ref();
        let found = (self.interfaces.iter().position(|i| i.name == *name)).or_else(|| {
            (self.interfaces.iter()).position(|i| i.physical == *name && !name.ends_with('+'))
        });
        if found.is_none() {
            let kind = ErrorKind::UnknownInterface {
                name: raw.get_ref().clone(),
                known: self.interfaces.iter().map(|i| i.name.clone()).collect(),
            };
            self.error(Some(raw.span()), kind);
        }
        found
    }

    pub(super) fn dnat_dest(&mut self, raw: &Spanned<String>) -> Option<usize> {
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

    pub(super) fn dnat_target(&mut self, raw: &Spanned<String>) -> Option<IpAddr> {
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

    pub(super) fn target_port(&mut self, raw: Option<&Spanned<i64>>) -> Option<Option<u16>> {
        match raw {
            None => Some(None),
            Some(raw) => self.port_number(raw).map(Some),
        }
    }

    /// The networks a zone declares: its interfaces' and its hosts
    /// entries' (shorewall-hosts(5)).
    fn declared_networks(&self, zone: usize) -> impl Iterator<Item = &IpNet> {
        let own = self
            .interfaces
            .iter()
            .filter(move |i| i.zone == Some(zone))
            .flat_map(|i| &i.networks);
        own.chain(self.zones[zone].hosts.iter().flat_map(|h| &h.networks))
    }

    /// The target must lie in its zone: the first zone in dispatch order
    /// (nested zones before their parents) whose declared networks hold
    /// it, when one does, else any zone when `dest` declares none.
    /// Shorewall and nftables put the accept in the `source`-`dest` chain
    /// while the kernel routes the translated packet to the zone that
    /// holds `to`: a target elsewhere would meet that other pair's rules
    /// and policy.
    pub(super) fn check_dnat_target(
        &mut self,
        to: IpAddr,
        dest: usize,
        raw: &Spanned<String>,
    ) -> Option<()> {
        let host = IpNet::from(to);
        let family = self.zones[dest].family;
        self.check_family(&host, raw.span(), ZoneId::Zone(dest), family);
        let holder = (0..self.zones.len())
            .find(|&zone| self.declared_networks(zone).any(|n| n.contains(&to)));
        let declares = self.declared_networks(dest).next().is_some();
        let kind = match holder {
            Some(zone) if zone != dest => ErrorKind::DnatTargetInOtherZone {
                target: to.to_string(),
                zone: self.zones[dest].name.clone(),
                holder: self.zones[zone].name.clone(),
            },
            None if declares => ErrorKind::DnatTargetOutsideZone {
                target: to.to_string(),
                zone: self.zones[dest].name.clone(),
            },
            _ => return Some(()),
        };
        self.error(Some(raw.span()), kind);
        None
    }

    /// The source NAT entries, `masquerade` and `snat` in one ordered list;
    /// Shorewall 4's masq file (`version = 4`) cannot say every entry.
    pub(super) fn snats(&mut self, raw: &RawModel, shorewall_version: u8) -> Vec<Snat> {
        let masq_file = shorewall_version == 4;
        let masquerades = raw.masquerade.iter().map(|m| {
            let m = m.get_ref();
            SnatFields {
                interface: &m.interface,
                sources: &m.sources,
                except: &m.except,
                source_interface: m.source_interface.as_ref(),
                destinations: &m.destinations,
                to: None,
                persistent: None,
                proto: m.proto.as_ref(),
                dport: m.dport.as_ref(),
                mark: m.mark.as_ref(),
                ports: m.ports.as_ref(),
                random: m.random.as_ref(),
                before_nat: m.before_nat.as_ref(),
                family: m.family.as_ref(),
                comment: m.comment.as_ref(),
                masq_file,
            }
        });
        let snats = raw.snat.iter().map(|s: &Spanned<RawSnat>| {
            let e = s.get_ref();
            SnatFields {
                interface: &e.interface,
                sources: &e.sources,
                except: &e.except,
                source_interface: e.source_interface.as_ref(),
                destinations: &e.destinations,
                to: Some(&e.to),
                persistent: e.persistent.as_ref(),
                proto: e.proto.as_ref(),
                dport: e.dport.as_ref(),
                mark: e.mark.as_ref(),
                ports: e.ports.as_ref(),
                random: e.random.as_ref(),
                before_nat: e.before_nat.as_ref(),
                family: e.family.as_ref(),
                comment: e.comment.as_ref(),
                masq_file,
            }
        });
        // One list in the model's file order: shorewall-snat(5) is first
        // match, top to bottom.
        let mut entries: Vec<_> = masquerades.chain(snats).collect();
        entries.sort_by_key(|entry| entry.interface.span().start);
        let snats: Vec<_> = entries
            .into_iter()
            .filter_map(|entry| Some((self.snat_entry(&entry)?, entry.interface.span())))
            .collect();
        self.check_snat_order(&snats);
        snats.into_iter().map(|(snat, _)| snat).collect()
    }

    /// Shorewall adds the jumps to the interfaces' chains (a one-to-one
    /// NAT's `IFACE_in` among them) after every zone's port forwards, but
    /// ahead of the first zone it meets on an interface of physical name
    /// `+` (Misc.pm generate_matrix), which has no device to match: its
    /// zone's and the later zones' port forwards then come after the
    /// one-to-one translations, where fwgen puts them all before.
    /// Refused where a port forward or redirect exists (which zone's it
    /// is, is not weighed); `all_interfaces` (`nat_in`) comes last alike.
    pub(super) fn check_one_to_one_before_forwards(
        &mut self,
        one_to_one: &[OneToOne],
        forwards: bool,
    ) {
        if !forwards {
            return;
        }
        let Some(wildcard) = self.interfaces.iter().find(|i| i.physical == "+") else {
            return;
        };
        let wildcard = wildcard.name.clone();
        for nat in one_to_one.iter().filter(|nat| !nat.all_interfaces) {
            let kind = ErrorKind::NatBeforeForwards {
                interface: self.interfaces[nat.interface].name.clone(),
                wildcard: wildcard.clone(),
            };
            self.error(Some(nat.span.clone()), kind);
        }
    }

    /// The devices a source NAT entry leaves by, as a name or a wildcard
    /// pattern: its `device`, else its interface's.
    fn snat_devices(&self, snat: &Snat) -> String {
        let interface = &self.interfaces[snat.interface];
        match &snat.device {
            Some(device) => interface.device_physical(device),
            None => interface.physical.clone(),
        }
    }

    /// Shorewall jumps, interface by interface in the interfaces' order,
    /// to the interface's one-to-one chain and then to its SNAT chain
    /// (Misc.pm add_interface_jumps), where nftables puts every one-to-one
    /// translation first: a `[[nat]]` on an interface listed after one
    /// whose devices overlap its own and which has source NAT entries
    /// (not `before_nat`, whose chains come before every one-to-one) would
    /// come after those in Shorewall alone.
    pub(super) fn check_one_to_one_order(&mut self, one_to_one: &[OneToOne], snats: &[Snat]) {
        for nat in one_to_one.iter().filter(|nat| !nat.all_interfaces) {
            let own = &self.interfaces[nat.interface];
            let earlier = snats.iter().find(|snat| {
                !snat.before_nat
                    && snat.interface < nat.interface
                    && devices_overlap(&own.physical, &self.snat_devices(snat))
            });
            if let Some(snat) = earlier {
                let kind = ErrorKind::NatOrder {
                    interface: own.name.clone(),
                    earlier: self.interfaces[snat.interface].name.clone(),
                };
                self.error(Some(nat.span.clone()), kind);
            }
        }
    }

    /// Shorewall puts each interface's entries in a chain of its own and
    /// jumps to the chains in the interfaces' order (Misc.pm
    /// add_interface_jumps; `before_nat` entries' chains first, alike):
    /// where two interfaces share devices (`eth+`, `eth0`), an entry below
    /// one on an interface listed after its own would be tried first by
    /// Shorewall, and second by nftables, which follows the entries.
    fn check_snat_order(&mut self, snats: &[(Snat, Range<usize>)]) {
        for (at, (snat, span)) in snats.iter().enumerate() {
            let own = &self.interfaces[snat.interface];
            let earlier = snats[..at].iter().find(|(above, _)| {
                above.before_nat == snat.before_nat
                    && above.interface > snat.interface
                    && devices_overlap(&self.snat_devices(snat), &self.snat_devices(above))
            });
            if let Some((above, _)) = earlier {
                let kind = ErrorKind::SnatOrder {
                    interface: own.name.clone(),
                    earlier: self.interfaces[above.interface].name.clone(),
                };
                self.error(Some(span.clone()), kind);
            }
        }
    }

    fn snat_entry(&mut self, entry: &SnatFields) -> Option<Snat> {
        let source_interface = match entry.source_interface {
            Some(raw) => Some(self.source_interface(raw, entry.sources)?),
            None => None,
        };
        let mark = self.mark(entry.mark);
        let proto = match entry.proto {
            Some(raw) => Some(self.protocol(raw)?),
            None => None,
        };
        let proto = proto.flatten();
        let dports = self.protocol_ports(entry.dport, proto);
        let family = match entry.family {
            Some(raw) => Some((self.snat_family(raw)?, raw)),
            None => None,
        };
        let (snat, family_fixed) = self.snat(entry, source_interface, family)?;
        let snat = self.snat_except(snat, family_fixed, entry.except)?;
        let destinations = self.snat_destinations(&snat, entry.destinations)?;
        let persistent = entry.persistent.is_some_and(|p| *p.get_ref());
        if let Some(raw) = entry
            .persistent
            .filter(|_| persistent && snat.target == SnatTarget::Exempt)
        {
            let reason = "translates to no address, which `persistent` (for a range) cannot change";
            self.error(Some(raw.span()), ErrorKind::SnatNone { reason });
            return None;
        }
        let ports = self.source_ports(entry, &snat, proto)?;
        if snat.target == SnatTarget::Keep {
            self.check_keep(entry, &snat)?;
        }
        let before_nat = entry.before_nat.filter(|b| *b.get_ref());
        if let Some(raw) = before_nat.filter(|_| snat.target == SnatTarget::Exempt) {
            let reason = "ahead of the one-to-one NAT (Shorewall's CONTINUE+) only skips the other `before_nat` entries: Shorewall's RETURN leaves its IFACE_snat chain, and the `[[nat]]` translations and the other entries still apply; fwgen's `none` ends source NAT for the packet";
            self.error(Some(raw.span()), ErrorKind::SnatNone { reason });
            return None;
        }
        if let Some(raw) = entry
            .persistent
            .filter(|_| persistent && snat.target == SnatTarget::Detect)
        {
            let reason = "is one address, which `persistent` (for a range) cannot change";
            self.error(Some(raw.span()), ErrorKind::SnatDetect { reason });
            return None;
        }
        let target = match snat.target {
            SnatTarget::To(to) => SnatTarget::To(SnatTo { persistent, ..to }),
            other => other,
        };
        let (mark, dports) = (mark?, dports?);
        // ICMP of the other family than the entry's: no packet matches.
        if let (Some(raw), Some(ipv6)) = (entry.proto, proto.and_then(|p| p.only_ipv6()))
            && ipv6 != snat.ipv6
        {
            let what = "this source NAT entry's protocol";
            self.error(Some(raw.span()), ErrorKind::FamilyConflict { what });
            return None;
        }
        Some(Snat {
            mark,
            proto,
            dports,
            destinations,
            target,
            ports,
            before_nat: before_nat.is_some(),
            ..snat
        })
    }

    /// A source NAT entry's `ports` and `random`: one port or one range,
    /// with a protocol that has ports (Shorewall's validate_portpair1;
    /// nftables maps ports only after an l4proto match); neither on an
    /// exemption, and no ports on `detect` (Shorewall reads
    /// `detect:PORTS` as ports alone, and refuses them).
    fn source_ports(
        &mut self,
        entry: &SnatFields,
        snat: &Snat,
        proto: Option<Protocol>,
    ) -> Option<SourcePorts> {
        let random = entry.random.filter(|r| *r.get_ref());
        if let Some(raw) = random.filter(|_| snat.target == SnatTarget::Exempt) {
            let reason =
                "translates nothing, so `random` (a random source port) has no port to pick";
            self.error(Some(raw.span()), ErrorKind::SnatNone { reason });
            return None;
        }
        let Some(raw) = entry.ports else {
            return Some(SourcePorts {
                range: None,
                random: random.is_some(),
            });
        };
        if snat.target == SnatTarget::Exempt {
            let reason = "translates nothing, so `ports` (the source ports it gives) cannot stand";
            self.error(Some(raw.span()), ErrorKind::SnatNone { reason });
            return None;
        }
        if snat.target == SnatTarget::Detect {
            let reason = "takes no source ports in Shorewall (`SNAT(detect:PORTS)` is refused): write the address, or use a `[[masquerade]]` with `ports`";
            self.error(Some(raw.span()), ErrorKind::SnatDetect { reason });
            return None;
        }
        let ranges = self.protocol_ports(Some(raw), proto)?;
        match ranges[..] {
            [range] => Some(SourcePorts {
                range: Some(range),
                random: random.is_some(),
            }),
            _ => {
                let kind = ErrorKind::BadPort {
                    text: ports_text(&ranges),
                    reason: "source NAT gives one port or one range of ports",
                };
                self.error(Some(raw.span()), kind);
                None
            }
        }
    }

    /// `to = "keep"`: Shorewall's `SNAT(:PORTS)`, which only its IPv4
    /// snat file says (Rules.pm process_snat1; shorewall6 reads `:PORTS`
    /// as an address, and the masq file's ADDRESS `:PORTS` masquerades),
    /// and which changes nothing without `ports`. `None` once refused.
    fn check_keep(&mut self, entry: &SnatFields, snat: &Snat) -> Option<()> {
        let to = entry.to?;
        if let Some(raw) = entry.persistent.filter(|p| *p.get_ref()) {
            let reason = "has no address range, so `persistent` (the pick of one address of a range) cannot stand";
            self.error(Some(raw.span()), ErrorKind::SnatKeep { reason });
            return None;
        }
        let reason = if entry.ports.is_none() {
            "needs `ports`: without them it changes nothing (Shorewall refuses `SNAT()`: \"SNAT rules must spacify a new source address and/or new source ports\")"
        } else if snat.ipv6 {
            "is an IPv4 entry's: shorewall6 reads `SNAT(:PORTS)` as an address, and refuses it"
        } else if entry.masq_file {
            "cannot be written in Shorewall 4's masq file (`version = 4`): its ADDRESS `:PORTS` masquerades (Nat.pm: `-j MASQUERADE --to-ports`)"
        } else {
            return Some(());
        };
        self.error(Some(to.span()), ErrorKind::SnatKeep { reason });
        None
    }

    /// A source NAT entry's `destinations`: networks of the entry's
    /// family; `None` once one is refused.
    fn snat_destinations(&mut self, snat: &Snat, raw: &[Spanned<String>]) -> Option<Vec<IpNet>> {
        let ipv6 = snat.ipv6;
        let mut nets = Vec::new();
        for item in raw {
            let net = self.network(item.get_ref(), item.span());
            match net {
                Some(net) if is_ipv6(&net) == ipv6 => nets.push(net),
                Some(_) => {
                    let what = "this source NAT entry's destinations";
                    self.error(Some(item.span()), ErrorKind::FamilyConflict { what });
                }
                None => {}
            }
        }
        (nets.len() == raw.len()).then_some(nets)
    }

    /// A source NAT entry's `family`: `"ipv4"` (false) or `"ipv6"`
    /// (true), one alone.
    fn snat_family(&mut self, raw: &Spanned<String>) -> Option<bool> {
        match raw.get_ref().as_str() {
            "ipv4" => Some(false),
            "ipv6" => Some(true),
            other => {
                let kind = ErrorKind::BadIdentifier {
                    field: "family",
                    text: other.to_owned(),
                    grammar: "a source NAT entry translates one family: \"ipv4\" or \"ipv6\" (write one entry per family)",
                };
                self.error(Some(raw.span()), kind);
                None
            }
        }
    }

    /// Shorewall's SOURCE interface (shorewall-snat(5)): the networks
    /// routed out of a named interface of the model.
    fn source_interface(
        &mut self,
        raw: &Spanned<String>,
        sources: &[Spanned<String>],
    ) -> Option<usize> {
        let name = raw.get_ref();
        let Some(index) = self.interfaces.iter().position(|i| i.name == *name) else {
            let kind = ErrorKind::UnknownInterface {
                name: name.clone(),
                known: self.interfaces.iter().map(|i| i.name.clone()).collect(),
            };
            self.error(Some(raw.span()), kind);
            return None;
        };
        let problem = if !sources.is_empty() {
            Some((
                "given beside `sources`",
                "give the sources either as networks (`sources`) or as the networks routed out of an interface (`source_interface`), not both",
            ))
        } else if self.interfaces[index].physical.ends_with('+') {
            Some((
                "a wildcard interface has no routes of its own",
                "name an interface with a fixed name: Shorewall reads the routes out of it (`ip route show dev NAME`) when it starts",
            ))
        } else {
            None
        };
        if let Some((reason, hint)) = problem {
            let kind = ErrorKind::BadSourceInterface {
                text: name.clone(),
                reason,
                hint,
            };
            self.error(Some(raw.span()), kind);
            return None;
        }
        Some(index)
    }

    /// The entry's interface, sources and target, and its family: with
    /// whether the entry's keys decide it (`family`, an address), where
    /// `except` may still give it otherwise.
    fn snat(
        &mut self,
        entry: &SnatFields,
        source_interface: Option<usize>,
        family: FamilyKey<'_>,
    ) -> Option<(Snat, bool)> {
        let (interface, sources, to) = (entry.interface, entry.sources, entry.to);
        let span = interface.span();
        // By its name, its device, or a device a wildcard stands for, as
        // Nat.pm's known_interface finds it; [`crate::model::Snat::physical`]
        // maps a wildcard's device onto the wildcard's physical name.
        let mut found = crate::model::interface::named(&self.interfaces, interface.get_ref())
            .map(|(index, device)| (index, device.map(str::to_owned)));
        if matches!(found, Some((_, Some(_)))) && !self.interface_name(interface) {
            found = None;
        } else if found.is_none() {
            let kind = ErrorKind::UnknownInterface {
                name: interface.get_ref().clone(),
                known: self.interfaces.iter().map(|i| i.name.clone()).collect(),
            };
            self.error(Some(interface.span()), kind);
        }
        let (set_items, sources): (Vec<&Spanned<String>>, Vec<&Spanned<String>>) = sources
            .iter()
            .partition(|s| s.get_ref().trim_start().starts_with(['+', '!']));
        let source_sets = self.snat_source_sets(&set_items, &sources, source_interface)?;
        let sources: Vec<Spanned<String>> = sources.into_iter().cloned().collect();
        let sources = &sources[..];
        let nets: Vec<IpNet> = sources
            .iter()
            .filter_map(|s| self.network(s.get_ref(), s.span()))
            .collect();
        let detect = to.filter(|t| t.get_ref() == "detect");
        let exempt = to.filter(|t| t.get_ref() == "none");
        let keep = to.filter(|t| t.get_ref() == "keep");
        let to_addr = match to {
            Some(to) if detect.is_none() && exempt.is_none() && keep.is_none() => {
                Some(self.snat_to(to)?)
            }
            _ => None,
        };

        let comment = self.free_text("comment", entry.comment);
        let (interface, device) = found?;
        // An interface of no zone: the family of the first zone whose
        // hosts are on it, which the error names.
        let zone = self.snat_zone(interface);
        if let Some(zone) = zone {
            let family = self.zones[zone].family;
            for (net, raw) in nets.iter().zip(sources) {
                self.check_family(net, raw.span(), ZoneId::Zone(zone), family);
            }
            if let (Some(addr), Some(raw)) = (to_addr, to) {
                self.check_family(
                    &IpNet::from(addr.first),
                    raw.span(),
                    ZoneId::Zone(zone),
                    family,
                );
            }
        }
        if let (Some(addr), Some(raw)) = (to_addr, to)
            && nets.iter().any(|n| is_ipv6(n) != addr.is_ipv6())
        {
            self.error(
                Some(raw.span()),
                ErrorKind::FamilyConflict { what: "this SNAT" },
            );
        }
        if let Some(&set) = source_sets.first() {
            let ipv6 = self.ipsets[set].ipv6;
            let family = zone.map(|z| self.zones[z].family);
            let conflict = match to_addr {
                Some(addr) => addr.is_ipv6() != ipv6,
                None => family.is_some_and(|f| !f.has(ipv6)),
            };
            if conflict {
                let raw = set_items[0];
                let kind = ErrorKind::IpsetReference {
                    text: raw.get_ref().clone(),
                    reason: format!(
                        "the set is {} and the entry's address or interface is not",
                        if ipv6 { "IPv6" } else { "IPv4" }
                    ),
                };
                self.error(Some(raw.span()), kind);
                return None;
            }
        }
        // Without `to`, one entry is one family's: Shorewall's snat line
        // is one product's, and nftables one family's set.
        if to_addr.is_none()
            && let Some(first) = nets.first()
            && let Some((_, raw)) = nets
                .iter()
                .zip(sources)
                .find(|(n, _)| is_ipv6(n) != is_ipv6(first))
        {
            self.error(
                Some(raw.span()),
                ErrorKind::FamilyConflict {
                    what: "this source NAT entry",
                },
            );
        }
        if let Some(raw) = detect {
            self.check_detect(raw, interface, device.as_deref(), &nets)?;
        }
        if nets.len() != sources.len() {
            return None;
        }
        // The family the addresses give: `detect`'s IPv4, `to`'s, the
        // sources' or the sets'.
        let given = if let Some(raw) = detect {
            Some((false, raw))
        } else if let (Some(addr), Some(raw)) = (to_addr, to) {
            Some((addr.is_ipv6(), raw))
        } else if let Some(net) = nets.first() {
            Some((is_ipv6(net), &sources[0]))
        } else {
            (source_sets.first()).map(|&set| (self.ipsets[set].ipv6, set_items[0]))
        };
        let interface_family =
            crate::model::zone::interface_family(&self.zones, &self.interfaces, interface);
        let ipv6 = match (family, given) {
            (Some((ipv6, _)), Some((theirs, raw))) if theirs != ipv6 => {
                if detect.is_some() {
                    let reason = "is the interface's IPv4 address in fwgen's model: an IPv6 entry cannot take it; write the IPv6 address";
                    self.error(Some(raw.span()), ErrorKind::SnatDetect { reason });
                } else {
                    let what = if ipv6 {
                        "this IPv6 source NAT entry"
                    } else {
                        "this IPv4 source NAT entry"
                    };
                    self.error(Some(raw.span()), ErrorKind::FamilyConflict { what });
                }
                return None;
            }
            (Some((ipv6, raw)), _) => {
                if !interface_family.has(ipv6) {
                    let what = "this source NAT entry on its interface";
                    self.error(Some(raw.span()), ErrorKind::FamilyConflict { what });
                    return None;
                }
                ipv6
            }
            (None, Some((ipv6, _))) => ipv6,
            (None, None) => !interface_family.has_ipv4(),
        };
        let fixed = family.is_some() || given.is_some();
        let snat = Snat {
            interface,
            device,
            sources: nets,
            exclusion: None,
            source_sets,
            source_interface,
            destinations: Vec::new(),
            target: match (to_addr, to) {
                (Some(to), _) => SnatTarget::To(to),
                _ if detect.is_some() => SnatTarget::Detect,
                _ if exempt.is_some() => SnatTarget::Exempt,
                _ if keep.is_some() => SnatTarget::Keep,
                // a `[[masquerade]]`: no `to`
                (None, _) => SnatTarget::Masquerade,
            },
            proto: None,
            dports: Vec::new(),
            mark: None,
            ports: SourcePorts::default(),
            before_nat: false,
            ipv6,
            comment,
            line: self.line(&span),
            span: span.clone(),
        };
        Some((snat, fixed))
    }

    /// The zone an SNAT's interface is of, or for an interface of no zone
    /// the first zone whose hosts are on it: the family its addresses
    /// must have.
    fn snat_zone(&self, interface: usize) -> Option<usize> {
        self.interfaces[interface].zone.or_else(|| {
            self.zones
                .iter()
                .position(|z| z.hosts.iter().any(|h| h.interface == interface))
        })
    }

    /// `except` (shorewall-exclusion(5) in SOURCE): the sources but the
    /// addresses left out, of the sources' family (every source of the
    /// left-out addresses' family when no `sources` are given), each
    /// inside a source, not all of them; not beside sets or a
    /// `source_interface`.
    fn snat_except(
        &mut self,
        mut snat: Snat,
        family_fixed: bool,
        except: &[Spanned<String>],
    ) -> Option<Snat> {
        let Some(first) = except.first() else {
            return Some(snat);
        };
        if !snat.source_sets.is_empty() || snat.source_interface.is_some() {
            return self.snat_except_error(
                first,
                "beside ipsets or a `source_interface`: leave out addresses of `sources` networks",
            );
        }
        let mut left_out = Vec::new();
        for item in except {
            left_out.push(self.network(item.get_ref(), item.span())?);
        }
        let ipv6 = is_ipv6(&left_out[0]);
        if let Some(item) = left_out
            .iter()
            .zip(except)
            .find(|(n, _)| is_ipv6(n) != ipv6)
        {
            return self.snat_except_error(
                item.1,
                "is of another family than the first: one entry translates one family",
            );
        }
        if let SnatTarget::To(to) = snat.target
            && to.is_ipv6() != ipv6
        {
            return self.snat_except_error(first, "is of another family than the entry's `to`");
        }
        if snat.target == SnatTarget::Detect && ipv6 {
            return self.snat_except_error(
                first,
                "is IPv6, and `detect` translates IPv4 alone (the interface's IPv4 address)",
            );
        }
        if family_fixed && snat.sources.is_empty() && ipv6 != snat.ipv6 {
            return self.snat_except_error(first, "is of another family than the entry's `family`");
        }
        // Without `sources`, `to` or `family`, the addresses left out give
        // the entry its family.
        snat.ipv6 = ipv6;
        // Without `sources` the entry's family is its zone's, as a
        // source's would be.
        if let Some(zone) = self.snat_zone(snat.interface) {
            let family = self.zones[zone].family;
            for (net, item) in left_out.iter().zip(except) {
                self.check_family(net, item.span(), ZoneId::Zone(zone), family);
            }
        }
        let all: IpNet = if ipv6 { "::/0" } else { "0.0.0.0/0" }
            .parse()
            .expect("a network");
        let taken = match snat.sources.is_empty() {
            true => vec![all],
            false => snat.sources.clone(),
        };
        for (net, item) in left_out.iter().zip(except) {
            if !taken.iter().any(|t| t.contains(net) || net.contains(t)) {
                return self.snat_except_error(item, "lies outside the entry's sources (or is of another family): it leaves nothing out");
            }
        }
        let remaining = addresses::subtract(&taken, &left_out);
        if remaining.is_empty() {
            let last = except.last().expect("except is not empty");
            return self.snat_except_error(
                last,
                "leaves out every source: the entry would translate nothing",
            );
        }
        snat.exclusion = Some(Exclusion {
            networks: snat.sources.clone(),
            except: left_out,
        });
        snat.sources = remaining;
        Some(snat)
    }

    fn snat_except_error(&mut self, item: &Spanned<String>, reason: &'static str) -> Option<Snat> {
        let kind = ErrorKind::SnatExcept {
            text: item.get_ref().clone(),
            reason,
        };
        self.error(Some(item.span()), kind);
        None
    }

    /// `sources = ["+bo", "+pri"]`: the members of any of these sets
    /// (Shorewall's SOURCE `+bo,+pri`), alone: not beside networks or a
    /// `source_interface`, all of one family, no `!+NAME`, no flags.
    /// `None` once refused.
    fn snat_source_sets(
        &mut self,
        sets: &[&Spanned<String>],
        networks: &[&Spanned<String>],
        source_interface: Option<usize>,
    ) -> Option<Vec<usize>> {
        let mut found: Vec<usize> = Vec::new();
        let mut ok = true;
        for raw in sets {
            let text = raw.get_ref().trim();
            let reason = if text.starts_with('!') {
                Some(
                    "a source NAT entry translates a set's members, not every address but them (`!+NAME`): put an exemption (`to = \"none\"`) for the set above the entry",
                )
            } else if !networks.is_empty() {
                Some(
                    "a set is a source NAT entry's only kind of source: not beside networks (one entry for the sets, one for the networks)",
                )
            } else if source_interface.is_some() {
                Some("a set is not given beside `source_interface`")
            } else {
                None
            };
            if let Some(reason) = reason {
                let kind = ErrorKind::IpsetReference {
                    text: text.to_owned(),
                    reason: reason.to_owned(),
                };
                self.error(Some(raw.span()), kind);
                ok = false;
                continue;
            }
            let Some(Some(set)) = self.ipset_list(raw, 0, raw.get_ref(), None) else {
                ok = false;
                continue;
            };
            if let Some(&first) = found.first()
                && self.ipsets[first].ipv6 != set.ipv6
            {
                let kind = ErrorKind::IpsetReference {
                    text: text.to_owned(),
                    reason: "the entry's sets are of two families: one entry per family".to_owned(),
                };
                self.error(Some(raw.span()), kind);
                ok = false;
                continue;
            }
            if !found.contains(&set.index) {
                found.push(set.index);
            }
        }
        ok.then_some(found)
    }

    /// `to = "detect"`: an IPv4 entry (nft_defines reads IPv4 addresses,
    /// as Shorewall's `SNAT(detect)` is written in its IPv4 snat file) on
    /// an interface with one device name, whose address can be read.
    fn check_detect(
        &mut self,
        raw: &Spanned<String>,
        interface: usize,
        device: Option<&str>,
        sources: &[IpNet],
    ) -> Option<()> {
        let reason = if device.is_none() && self.interfaces[interface].physical.ends_with('+') {
            Some("names a wildcard interface, which has no one address")
        } else if self.interfaces[interface].has_for(crate::model::InterfaceOption::Optional, false)
        {
            Some(
                "is on an `optional` interface: Shorewall leaves the entry out while the interface has no address, and fwgen's ruleset has no such entry",
            )
        } else if sources.iter().any(is_ipv6)
            || !crate::model::zone::interface_family(&self.zones, &self.interfaces, interface)
                .has_ipv4()
        {
            Some("is an IPv4 address: this entry is IPv6's")
        } else {
            None
        };
        match reason {
            Some(reason) => {
                self.error(Some(raw.span()), ErrorKind::SnatDetect { reason });
                None
            }
            None => Some(()),
        }
    }

    /// A `[[snat]]`'s `to`: an address, or a range `FIRST-LAST` of one
    /// family, first not above last.
    fn snat_to(&mut self, raw: &Spanned<String>) -> Option<SnatTo> {
        if raw.get_ref().contains(',') {
            let text = raw.get_ref().clone();
            self.error(Some(raw.span()), ErrorKind::SnatAddressList { text });
            return None;
        }
        let Some((low, high)) = raw.get_ref().split_once('-') else {
            return self.dnat_target(raw).map(SnatTo::one);
        };
        self.range(raw.get_ref(), low, high, raw.span())?;
        let (first, last) = (low.parse().ok()?, high.parse().ok()?);
        Some(SnatTo {
            first,
            last,
            persistent: false,
        })
    }

    /// A source NAT entry's `mark`; `Some(None)` without one, `None` once
    /// refused.
    fn mark(&mut self, raw: Option<&Spanned<String>>) -> Option<Option<MarkTest>> {
        let Some(raw) = raw else {
            return Some(None);
        };
        match MarkTest::parse(raw.get_ref()) {
            Ok(mark) => Some(Some(mark)),
            Err(reason) => {
                let text = raw.get_ref().clone();
                self.error(Some(raw.span()), ErrorKind::BadMark { text, reason });
                None
            }
        }
    }
}
