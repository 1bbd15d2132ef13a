//! Interfaces, their options and networks.

use super::*;
use crate::model::FamilyOption;
use crate::model::option_verdict::{self, OptionVerdict};

impl Analyzer<'_> {
    pub(super) fn interface(
        &mut self,
        name: &Spanned<String>,
        raw: &RawInterface,
    ) -> Option<Interface> {
        let name_ok = self.interface_name(name);
        let physical_ok = raw.physical.as_ref().is_none_or(|p| self.interface_name(p));
        let zone = raw
            .zone
            .as_ref()
            .map(|zone| self.interface_zone(name, zone));
        let options = self.interface_options(&raw.options);
        let networks = raw
            .networks
            .iter()
            .filter_map(|n| self.network(n.get_ref(), n.span()))
            .collect::<Vec<_>>();
        let description = self.free_text("description", raw.description.as_ref());
        let zone = match zone {
            Some(zone) => Some(zone?),
            None => None,
        };
        if let Some(zone) = zone {
            self.check_networks_family(&networks, &raw.networks, zone);
        }
        let physical = raw.physical.as_ref().unwrap_or(name).get_ref();
        let options = self.wildcard_options(name.get_ref(), physical, options, &raw.options);
        let family_options = self.family_options(&options, raw, name.get_ref(), physical);
        let (options, option_spans) = options.into_iter().unzip();
        (name_ok && physical_ok).then(|| Interface {
            name: name.get_ref().clone(),
            physical: raw.physical.as_ref().unwrap_or(name).get_ref().clone(),
            zone,
            options,
            networks,
            description,
            span: name.span(),
            option_spans,
            family_options,
        })
    }

    /// `options_ipv4` and `options_ipv6`: the options fwgen can give one
    /// family (`per_family`), each once, and not in `options` too. `mss=`
    /// may be in both lists with different sizes.
    fn family_options(
        &mut self,
        both: &[(InterfaceOption, Range<usize>)],
        raw: &RawInterface,
        name: &str,
        physical: &str,
    ) -> Vec<FamilyOption> {
        let mut kept: Vec<FamilyOption> = Vec::new();
        for (ipv6, list) in [(false, &raw.options_ipv4), (true, &raw.options_ipv6)] {
            let options = self.interface_options(list);
            for (option, span) in self.wildcard_options(name, physical, options, list) {
                let text = list
                    .iter()
                    .find(|t| t.span() == span)
                    .map_or_else(|| option.to_string(), |t| t.get_ref().clone());
                let family = if ipv6 { "IPv6" } else { "IPv4" };
                if let Some(reason) = not_per_family(option, ipv6) {
                    let kind = ErrorKind::FamilyInterfaceOption {
                        option: text,
                        family,
                        reason,
                    };
                    self.error(Some(span), kind);
                    continue;
                }
                let first = if both.iter().any(|(o, _)| o.same_kind(option)) {
                    Some("options")
                } else {
                    kept.iter()
                        .any(|o| o.option == option)
                        .then_some("options_ipv4")
                };
                if let Some(first) = first {
                    let kind = ErrorKind::FamilyOptionTwice {
                        option: text,
                        first,
                    };
                    self.error(Some(span), kind);
                    continue;
                }
                kept.push(FamilyOption { option, ipv6, span });
            }
        }
        kept
    }

    /// An interface's family options for a family it does not carry (its
    /// zone's, or those of the zones whose hosts are on it) would not be
    /// written to any file: an error at the option.
    pub(super) fn check_family_options(&mut self) {
        let mut wrong = Vec::new();
        for (index, interface) in self.interfaces.iter().enumerate() {
            let family = crate::model::zone::interface_family(&self.zones, &self.interfaces, index);
            for option in &interface.family_options {
                if !family.has(option.ipv6) {
                    wrong.push((option.clone(), interface.name.clone(), family));
                }
            }
        }
        for (option, interface, family) in wrong {
            let kind = ErrorKind::FamilyOptionOfAbsentFamily {
                option: option.option.to_string(),
                interface,
                ipv6: option.ipv6,
                family: match family {
                    crate::model::Family::Ipv4 => "IPv4",
                    crate::model::Family::Ipv6 => "IPv6",
                    crate::model::Family::Both => "both families",
                },
            };
            self.error(Some(option.span), kind);
        }
    }

    /// A wildcard interface (`eth+`) of a zone declared before the zone of
    /// a named interface it covers (`eth1`): fwgen matches named
    /// interfaces first (nftables' verdict maps), and Shorewall dispatches
    /// by zone in the order of its zones file (`shorewall compile`: `-A
    /// INPUT -i eth+ -j net-fw` before `-i eth1 -j loc-fw`, and likewise
    /// to the zones' DNAT chains), so the named interface's packets would
    /// go to the wildcard's zone there: an error at the named interface.
    /// A zone nested in the wildcard's (declared after its parent) is left
    /// to the nesting's own order, and zones of different families to
    /// their own files (shorewall.conf's and shorewall6.conf's zones).
    /// A named interface that has no zone of the wildcard zone's family
    /// is refused too (`wildcard_claims`).
    pub(super) fn check_wildcard_order(&mut self) {
        let zones = &self.zones;
        let mut wrong = Vec::new();
        for (wildcard, first, named) in self.wildcard_covers() {
            if let Some(second) = named.zone
                && first < second
                && !self.nested_in(second, first)
                && [false, true]
                    .iter()
                    .any(|&v6| zones[first].family.has(v6) && zones[second].family.has(v6))
            {
                wrong.push((
                    named.span.clone(),
                    ErrorKind::WildcardZoneFirst {
                        named: named.name.clone(),
                        zone: zones[second].name.clone(),
                        wildcard: wildcard.name.clone(),
                        wildcard_zone: zones[first].name.clone(),
                    },
                ));
            }
        }
        wrong.extend(self.wildcard_claims());
        wrong.extend(self.wildcard_hosts_over_named());
        for (span, kind) in wrong {
            self.error(Some(span), kind);
        }
    }

    /// Each wildcard interface with a zone, that zone, and each named
    /// interface the wildcard covers.
    fn wildcard_covers(&self) -> Vec<(&Interface, usize, &Interface)> {
        let mut covers = Vec::new();
        for (index, wildcard) in self.interfaces.iter().enumerate() {
            if let Some(zone) = wildcard.zone {
                covers.extend(self.covered_by(index).map(|n| (wildcard, zone, n)));
            }
        }
        covers
    }

    /// The named interfaces the interface `self.interfaces[wildcard]`
    /// covers: none unless it is a wildcard (`ppp+` covers ppp7).
    fn covered_by(&self, wildcard: usize) -> impl Iterator<Item = &Interface> {
        let wildcard = &self.interfaces[wildcard];
        self.interfaces.iter().filter(|n| wildcard.covers_named(n))
    }

    /// A zone's hosts on a wildcard (`vpn ppp+:10.8.0.0/24`) that covers
    /// a named interface (ppp7) of no zone, or of a zone not declared
    /// before the hosts' zone. Shorewall dispatches the named interface's
    /// packets through the wildcard's jumps as well (`-i ppp+` matches
    /// ppp7), in the order of the zones file (Misc.pm generate_matrix:
    /// `-A FORWARD -i ppp+ -j ppp+_fwd` at the first zone with hosts on
    /// ppp+, before `-i ppp7 -j loc_frwd` at loc; each zone's forward
    /// chain sends `-o ppp+ -d 10.8.0.0/24` to vpn before `-o ppp7` to
    /// loc), so those hosts, and the wildcard's own zone behind them,
    /// take ppp7's packets; of an interface of no zone, those its own
    /// hosts leave. fwgen's nftables gives the wildcard's hosts nothing
    /// of ppp7, so such a model is refused at the named interface (a
    /// wildcard of a zone over one of no zone is `wildcard-over-zoneless`
    /// already). The same for a narrower wildcard (ppp1+) of a zone, when
    /// ppp+ has a zone: ppp+'s chain ends with it (`-j net_frwd`); and for
    /// any narrower wildcard under a ppp+ of no zone, whose packets
    /// fwgen's catch-all of ppp+'s unclaimed addresses would take.
    fn wildcard_hosts_over_named(&self) -> Vec<(Range<usize>, ErrorKind)> {
        let mut wrong = Vec::new();
        for (hosts_zone, zone) in self.zones.iter().enumerate() {
            for hosts in &zone.hosts {
                let wildcard = &self.interfaces[hosts.interface];
                let narrower = self
                    .interfaces
                    .iter()
                    .filter(|n| n.physical.ends_with('+') && n.physical != wildcard.physical);
                let covered = narrower.filter(|n| wildcard.covers(n));
                for named in self.covered_by(hosts.interface).chain(covered) {
                    // A narrower wildcard (ppp1+) is dispatched in zone
                    // order beside ppp+'s hosts, as Shorewall does, but for
                    // ppp+'s own zone, which ppp+'s chain holds after them.
                    let reached = match (named.zone, named.physical.ends_with('+')) {
                        (None, false) => wildcard.zone.is_none(),
                        // Under a wildcard of no zone, fwgen's catch-all
                        // of what ppp+'s hosts do not claim takes ppp1+'s
                        // packets too, where Shorewall's `-i ppp1+` chain
                        // has them (review).
                        (None, true) => true,
                        (Some(own), false) => hosts_zone <= own,
                        (Some(own), true) => wildcard.zone.is_none() || hosts_zone <= own,
                    };
                    if reached {
                        let kind = ErrorKind::WildcardHostsOverNamed {
                            named: named.name.clone(),
                            zone: named.zone.map(|z| self.zones[z].name.clone()),
                            wildcard: wildcard.name.clone(),
                            hosts_zone: zone.name.clone(),
                            wildcard_zoned: wildcard.zone.is_some(),
                        };
                        wrong.push((named.span.clone(), kind));
                    }
                }
            }
        }
        wrong
    }

    /// A named interface covered by a wildcard of a zone of a family the
    /// named interface has no zone of: Shorewall of that family sends its
    /// packets to the wildcard's zone, those no hosts entry claims on an
    /// interface of no zone (`-i eth1 -j eth1_in` returns, then `-i eth+
    /// -j net-fw`) and all of them when its zone is of the other family
    /// (that Shorewall's interfaces file does not list it), where fwgen's
    /// nftables claims them for no zone. Refused at the named interface:
    /// giving it the wildcard's zone says Shorewall's meaning in the model.
    fn wildcard_claims(&self) -> Vec<(Range<usize>, ErrorKind)> {
        let mut wrong = Vec::new();
        for (wildcard, first, named) in self.wildcard_covers() {
            let wildcard_zone = &self.zones[first];
            let kind = match named.zone {
                None => ErrorKind::WildcardOverZoneless {
                    named: named.name.clone(),
                    wildcard: wildcard.name.clone(),
                    wildcard_zone: wildcard_zone.name.clone(),
                },
                Some(second) => {
                    let family = self.zones[second].family;
                    let Some(v6) = [false, true]
                        .into_iter()
                        .find(|&v6| wildcard_zone.family.has(v6) && !family.has(v6))
                    else {
                        continue;
                    };
                    ErrorKind::WildcardOverOtherFamily {
                        named: named.name.clone(),
                        zone: self.zones[second].name.clone(),
                        wildcard: wildcard.name.clone(),
                        wildcard_zone: wildcard_zone.name.clone(),
                        family: if v6 { "IPv6" } else { "IPv4" },
                    }
                }
            };
            wrong.push((named.span.clone(), kind));
        }
        wrong
    }

    /// On a wildcard name (`ppp+`) Shorewall refuses `bridge` ("Bridges may
    /// not have wildcard names") and ignores the options it sets in /proc
    /// (Zones.pm, %procinterfaceoptions), and on `+` those it finds
    /// interfaces for by option (dhcp, optional, mss; rpfilter fails):
    /// all are errors here, so the two backends never differ (the
    /// nftables side would apply them).
    fn wildcard_options(
        &mut self,
        name: &str,
        physical: &str,
        options: Vec<(InterfaceOption, Range<usize>)>,
        raw: &[Spanned<String>],
    ) -> Vec<(InterfaceOption, Range<usize>)> {
        if !physical.ends_with('+') {
            return options;
        }
        let mut kept = Vec::new();
        for (option, span) in options {
            let reason = match option {
                InterfaceOption::Bridge => {
                    "Shorewall refuses a bridge with a wildcard name: name the bridge itself"
                }
                InterfaceOption::Mss(_) if name == "+" => {
                    "Shorewall leaves the interface `+` out of its settcpmss chain (Zones.pm, find_interfaces_by_option): clamp every forwarded SYN with `clamp_mss` in [firewall], or name the interfaces"
                }
                // Another name on every device (`all`, `physical=+`):
                // Shorewall clamps every forwarded SYN (`-A settcpmss -p
                // tcp --syn -m tcpmss --mss N: -j TCPMSS --set-mss N`),
                // which is what its CLAMPMSS=N writes (in FORWARD).
                InterfaceOption::Mss(_) if physical == "+" => {
                    "on an interface whose device is `+` Shorewall clamps every forwarded SYN, as its CLAMPMSS does: write `clamp_mss` of that size in [firewall] instead"
                }
                // Zones.pm keys this on the logical name (its `root`):
                // `all` with `physical=+` keeps them, as Shorewall's
                // Universal sample's `dhcp` (`-A INPUT -p udp --dport 67:68`).
                InterfaceOption::Dhcp | InterfaceOption::Optional | InterfaceOption::Rpfilter
                    if name == "+" =>
                {
                    "Shorewall leaves the interface `+` out of what this option does (Zones.pm find_interfaces_by_option: \"The option is ignored when used with interface name '+'\"; rpfilter there fails its compile): name the interfaces that need it"
                }
                InterfaceOption::Routefilter(_)
                | InterfaceOption::Logmartians(_)
                | InterfaceOption::Sourceroute(_)
                | InterfaceOption::Proxyarp(_)
                | InterfaceOption::Forward(_)
                | InterfaceOption::ArpFilter => {
                    "Shorewall ignores the options it sets in /proc on a wildcard name: drop it, name each interface, or (routefilter, logmartians) set `route_filter` / `log_martians` in [firewall]"
                }
                _ => {
                    kept.push((option, span));
                    continue;
                }
            };
            let text = raw
                .iter()
                .find(|t| t.span() == span)
                .map_or_else(|| option.to_string(), |t| t.get_ref().clone());
            let kind = ErrorKind::WildcardOption {
                option: text,
                physical: physical.to_owned(),
                reason,
            };
            self.error(Some(span), kind);
        }
        kept
    }

    pub(super) fn interface_name(&mut self, name: &Spanned<String>) -> bool {
        match crate::model::interface::name_problem(name.get_ref()) {
            None => true,
            Some(reason) => {
                let kind = ErrorKind::InterfaceNameSyntax {
                    name: name.get_ref().clone(),
                    reason,
                };
                self.error(Some(name.span()), kind);
                false
            }
        }
    }

    pub(super) fn interface_zone(
        &mut self,
        interface: &Spanned<String>,
        zone: &Spanned<String>,
    ) -> Option<usize> {
        if zone.get_ref() == "$FW" || *zone.get_ref() == self.firewall_zone {
            let kind = ErrorKind::InterfaceInFirewallZone {
                name: interface.get_ref().clone(),
            };
            self.error(Some(zone.span()), kind);
            return None;
        }
        self.zone_index(zone)
    }

    pub(super) fn interface_options(
        &mut self,
        raw: &[Spanned<String>],
    ) -> Vec<(InterfaceOption, Range<usize>)> {
        let mut options: Vec<(InterfaceOption, &Spanned<String>)> = Vec::new();
        for text in raw {
            let Some(option) = self.interface_option(text) else {
                continue;
            };
            let name_of = |o: &InterfaceOption| o.to_string().split('=').next().map(str::to_owned);
            if let Some((_, first)) = options.iter().find(|(o, _)| name_of(o) == name_of(&option)) {
                let kind = ErrorKind::ConflictingOptions {
                    first: first.get_ref().clone(),
                    second: text.get_ref().clone(),
                    reason: "each option may be given once",
                };
                self.error(Some(text.span()), kind);
                continue;
            }
            if let Some((_, first)) = options.iter().find(|(o, _)| filters_twice(*o, option)) {
                let kind = ErrorKind::ConflictingOptions {
                    first: first.get_ref().clone(),
                    second: text.get_ref().clone(),
                    reason: "Shorewall refuses them together (\"The 'routefilter', 'sfilter' and 'rpfilter' options are mutually exclusive\"): keep one",
                };
                self.error(Some(text.span()), kind);
                continue;
            }
            options.push((option, text));
        }
        options
            .into_iter()
            .map(|(option, text)| (option, text.span()))
            .collect()
    }

    pub(super) fn interface_option(&mut self, text: &Spanned<String>) -> Option<InterfaceOption> {
        let reason = match option_verdict::verdict(text.get_ref()) {
            Some(OptionVerdict::Refused(reason) | OptionVerdict::NoEffect(reason)) => Some(reason),
            Some(OptionVerdict::Key(key)) => Some(key_hint(key)),
            Some(OptionVerdict::Modelled) | None => None,
        };
        if let Some(reason) = reason {
            let kind = ErrorKind::RefusedInterfaceOption {
                option: text.get_ref().clone(),
                reason,
            };
            self.error(Some(text.span()), kind);
            return None;
        }
        let (name, value) = match text.get_ref().split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (text.get_ref().as_str(), None),
        };
        let flag = |option| value.is_none().then_some(option);
        let parsed = match name {
            "dhcp" => flag(InterfaceOption::Dhcp),
            "routeback" => flag(InterfaceOption::Routeback),
            "bridge" => flag(InterfaceOption::Bridge),
            "tcpflags" => flag(InterfaceOption::Tcpflags),
            "nosmurfs" => flag(InterfaceOption::Nosmurfs),
            "rpfilter" => flag(InterfaceOption::Rpfilter),
            "arp_filter" => flag(InterfaceOption::ArpFilter),
            "optional" => flag(InterfaceOption::Optional),
            "maclist" => flag(InterfaceOption::Maclist),
            "routefilter" => {
                return self.option_value(
                    text,
                    value,
                    "0, 1 or 2",
                    2,
                    InterfaceOption::Routefilter,
                );
            }
            "logmartians" => {
                return self.option_value(text, value, "0 or 1", 1, InterfaceOption::Logmartians);
            }
            "sourceroute" => {
                return self.option_value(text, value, "0 or 1", 1, InterfaceOption::Sourceroute);
            }
            "proxyarp" => {
                return self.option_value(text, value, "0 or 1", 1, InterfaceOption::Proxyarp);
            }
            "forward" => {
                return self.option_value(text, value, "0 or 1", 1, InterfaceOption::Forward);
            }
            "mss" => return self.mss_option(text, value),
            _ => {
                let kind = ErrorKind::UnknownInterfaceOption {
                    name: text.get_ref().clone(),
                };
                self.error(Some(text.span()), kind);
                return None;
            }
        };
        if parsed.is_none() {
            let kind = ErrorKind::BadInterfaceOptionValue {
                option: name.to_owned(),
                value: value.unwrap_or_default().to_owned(),
                allowed: "none: the option is a flag",
            };
            self.error(Some(text.span()), kind);
        }
        parsed
    }

    pub(super) fn option_value(
        &mut self,
        text: &Spanned<String>,
        value: Option<&str>,
        allowed: &'static str,
        max: u8,
        make: fn(Option<u8>) -> InterfaceOption,
    ) -> Option<InterfaceOption> {
        let Some(value) = value else {
            return Some(make(None));
        };
        match value.parse::<u8>() {
            Ok(number) if number <= max && value.len() == 1 => Some(make(Some(number))),
            _ => {
                let option = text
                    .get_ref()
                    .split('=')
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                let kind = ErrorKind::BadInterfaceOptionValue {
                    option,
                    value: value.to_owned(),
                    allowed,
                };
                self.error(Some(text.span()), kind);
                None
            }
        }
    }

    /// `mss=N`: N is an MSS of 1 to 65535 bytes (Shorewall takes up to
    /// 100000, which TCPMSS cannot set, and 0, which sets nothing).
    fn mss_option(
        &mut self,
        text: &Spanned<String>,
        value: Option<&str>,
    ) -> Option<InterfaceOption> {
        let size = value
            .and_then(|v| v.parse::<u16>().ok())
            .filter(|size| *size > 0);
        if size.is_none() {
            let kind = ErrorKind::BadInterfaceOptionValue {
                option: "mss".to_owned(),
                value: value.unwrap_or_default().to_owned(),
                allowed: "an MSS of 1 to 65535 bytes (`mss=1400`)",
            };
            self.error(Some(text.span()), kind);
        }
        size.map(InterfaceOption::Mss)
    }

    pub(super) fn check_duplicate_interfaces(&mut self, raw: &RawModel) {
        let entries: Vec<(String, Range<usize>)> = raw
            .interfaces
            .0
            .iter()
            .map(|(name, i)| {
                let physical = i.physical.as_ref().unwrap_or(name);
                (physical.get_ref().clone(), physical.span())
            })
            .collect();
        // Chains are named by the model's name: two must not give one.
        let suffixes: Vec<(String, String, Range<usize>)> = raw
            .interfaces
            .0
            .iter()
            .map(|(name, _)| {
                let suffix = crate::ruleset::lower::interface_chain_suffix(name.get_ref());
                (suffix, name.get_ref().clone(), name.span())
            })
            .collect();
        for (index, (suffix, name, span)) in suffixes.iter().enumerate() {
            let earlier = suffixes[..index]
                .iter()
                .find(|(s, n, _)| s == suffix && n != name);
            if let Some((_, other, first)) = earlier {
                let kind = ErrorKind::InterfaceChainClash {
                    name: name.clone(),
                    other: other.clone(),
                    first: first.clone(),
                };
                self.error(Some(span.clone()), kind);
            }
        }
        for (name, _) in raw.interfaces.0.iter() {
            let device_of = raw.interfaces.0.iter().find(|(other, i)| {
                other.get_ref() != name.get_ref()
                    && i.physical
                        .as_ref()
                        .is_some_and(|p| p.get_ref() == name.get_ref())
            });
            if let Some((other, i)) = device_of {
                let kind = ErrorKind::InterfaceNameIsDevice {
                    name: name.get_ref().clone(),
                    other: other.get_ref().clone(),
                    first: i.physical.as_ref().map_or(other.span(), |p| p.span()),
                };
                self.error(Some(name.span()), kind);
            }
        }
        for (index, (name, span)) in entries.iter().enumerate() {
            if let Some((_, first)) = entries[..index].iter().find(|(n, _)| n == name) {
                let kind = ErrorKind::DuplicateInterface {
                    name: name.clone(),
                    first: first.clone(),
                };
                self.error(Some(span.clone()), kind);
            }
        }
    }

    pub(super) fn check_networks_family(
        &mut self,
        networks: &[IpNet],
        raw: &[Spanned<String>],
        zone: usize,
    ) {
        let family = self.zones[zone].family;
        for (net, raw) in networks.iter().zip(raw) {
            self.check_family(net, raw.span(), ZoneId::Zone(zone), family);
        }
    }

    pub(super) fn check_family(
        &mut self,
        net: &IpNet,
        span: Range<usize>,
        zone: ZoneId,
        family: Family,
    ) {
        if !family.has(is_ipv6(net)) {
            let ZoneId::Zone(index) = zone else { return };
            let address = crate::model::rule::written(net);
            let kind = ErrorKind::WrongFamily {
                address,
                zone: self.zones[index].name.clone(),
                family: family.name(),
            };
            self.error(Some(span), kind);
        }
    }
}

/// The hint for a Shorewall option the model writes as a key.
fn key_hint(key: &str) -> &'static str {
    match key {
        "physical" => "the model writes it as a key: `physical = \"NAME\"`",
        _ => "the model writes it as a key of [interfaces.NAME]",
    }
}

/// `routefilter` (but `=0`) and `rpfilter` on one interface (Zones.pm).
fn filters_twice(a: InterfaceOption, b: InterfaceOption) -> bool {
    let routefilter = |o| matches!(o, InterfaceOption::Routefilter(v) if v != Some(0));
    let rpfilter = |o| o == InterfaceOption::Rpfilter;
    (routefilter(a) && rpfilter(b)) || (rpfilter(a) && routefilter(b))
}

/// Why an option cannot be one family's alone (`options_ipv4`,
/// `options_ipv6`), or `None` where it can: Shorewall and Shorewall6 may
/// differ in it, and fwgen gives its rules (or its line) to one family.
fn not_per_family(option: InterfaceOption, ipv6: bool) -> Option<&'static str> {
    if option == InterfaceOption::Maclist && ipv6 {
        return Some(
            "MAC verification is modelled for IPv4 alone (Shorewall6's maclist chain lets link-local and multicast sources through first): `maclist` goes in `options_ipv4`, or in `options` of an interface of IPv4 zones",
        );
    }
    if option_verdict::per_family(&option.to_string()) {
        return None;
    }
    Some(match option {
        InterfaceOption::Routefilter(_)
        | InterfaceOption::Logmartians(_)
        | InterfaceOption::ArpFilter
        | InterfaceOption::Proxyarp(_) => {
            if ipv6 {
                "an IPv4 setting: Shorewall6 has no such option (Zones.pm); drop it"
            } else {
                "IPv4's already (Shorewall6 has no such option, and the Shorewall backend writes it in Shorewall's line alone): write it in `options`"
            }
        }
        InterfaceOption::Forward(_) => {
            if ipv6 {
                "IPv6's already (Shorewall has no such option, and the Shorewall backend writes it in Shorewall6's line alone): write it in `options`"
            } else {
                "an IPv6 setting: Shorewall has no such option (Zones.pm); drop it"
            }
        }
        InterfaceOption::Bridge => {
            "a bridge is one device for both families in fwgen's model (its stopped rules, its lab): write it in `options`; where one family's line alone says `bridge`, give that family `routeback`, which Shorewall's bridge implies"
        }
        _ => "fwgen gives this option to both families alone: write it in `options`",
    })
}
