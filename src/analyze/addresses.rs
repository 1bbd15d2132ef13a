//! The address part of a SOURCE or DEST: addresses, networks and ranges,
//! and what is excluded from them (shorewall-exclusion(5)):
//! `192.168.1.0/24,10.0.0.1`, `192.168.1.10-192.168.1.20`,
//! `192.168.1.0/24!192.168.1.5,192.168.1.6`, `!192.0.2.0/24`.

use super::*;

/// The written list, parsed: what it takes in, what it leaves out.
#[derive(Default)]
pub(super) struct AddressList {
    pub addresses: Vec<IpNet>,
    pub excluded: Vec<IpNet>,
    /// `&eth0`: the first IPv4 address of that interface when the firewall
    /// starts (`self.interfaces[index]`), written as the whole list.
    pub interface_address: Option<usize>,
    /// `+name` / `!+name`: an `[[ipset]]`, written as the whole list.
    pub ipset: Option<crate::model::IpsetRef>,
    /// `~00-1a-2b-3c-4d-5e,...`: senders' MAC addresses, written as the
    /// whole list of a source.
    pub macs: Vec<crate::model::Mac>,
}

impl Analyzer<'_> {
    /// `list` is the text after `zone:` in `raw`, at byte `offset` of it.
    /// `None` once an item is refused (each refused item is reported).
    pub(super) fn address_list(
        &mut self,
        raw: &Spanned<String>,
        offset: usize,
        list: &str,
        zone: Option<ZoneRef>,
    ) -> Option<AddressList> {
        if self.reading_source && list.contains('~') {
            return self.mac_list(raw, offset, list).map(|macs| AddressList {
                macs,
                ..AddressList::default()
            });
        }
        if let Some(found) = self.ipset_list(raw, offset, list, zone) {
            return found.map(|set| AddressList {
                ipset: Some(set),
                ..AddressList::default()
            });
        }
        if let Some(name) = list.strip_prefix('&').filter(|n| !n.contains([',', '!'])) {
            let span = self.inner_span(raw, offset, list.len());
            let index = self.interface_address(name, span)?;
            return Some(AddressList {
                interface_address: Some(index),
                ..AddressList::default()
            });
        }
        let (taken, left_out) = match list.split_once('!') {
            Some((taken, left_out)) => (taken, Some(left_out)),
            None => (list, None),
        };
        let mut ok = true;
        let addresses = if taken.is_empty() && left_out.is_some() {
            Vec::new()
        } else {
            self.address_items(raw, offset, taken, zone, &mut ok)
        };
        let excluded = match left_out {
            Some(text) => {
                let at = offset + taken.len() + 1;
                let excluded = self.address_items(raw, at, text, zone, &mut ok);
                if ok && !addresses.is_empty() {
                    self.check_exclusions(raw, at, text, &addresses, &excluded, &mut ok);
                }
                excluded
            }
            None => Vec::new(),
        };
        ok.then_some(AddressList {
            addresses,
            excluded,
            ..AddressList::default()
        })
    }

    /// A source's list of MAC addresses, `~00-1a-2b-3c-4d-5e,~...`, as
    /// Shorewall's IPv4 rules file writes them (Chains.pm do_mac; its
    /// colon form is Shorewall6's alone). Taken in only, and alone: a
    /// list mixing them with IP addresses is one iptables rule per
    /// element in Shorewall (a union), which fwgen's endpoint does not
    /// hold. `None` once an item is refused.
    fn mac_list(
        &mut self,
        raw: &Spanned<String>,
        mut offset: usize,
        list: &str,
    ) -> Option<Vec<crate::model::Mac>> {
        if let Some((_, left_out)) = list.split_once('!') {
            let span = self.inner_span(raw, offset, list.len());
            let reason = if left_out.starts_with('~') {
                "leaves MAC addresses out (`!~...`): fwgen takes them in only, as a whole source list"
            } else {
                "leaves IP addresses out of senders' MAC addresses: Shorewall's exclusion chain is not carried beside MAC addresses (fwgen takes them in only, as a whole source list)"
            };
            let kind = ErrorKind::MacSource {
                text: list.to_owned(),
                reason,
            };
            self.error(Some(span), kind);
            return None;
        }
        let mut macs = Vec::new();
        let mut ok = true;
        for item in list.split(',') {
            let span = self.inner_span(raw, offset, item.len());
            offset += item.len() + 1;
            let text = item.trim();
            let reason = if text.is_empty() {
                Some(
                    "has an empty item (a `,` too many): Shorewall refuses it (\"Invalid host list\")",
                )
            } else if !text.starts_with('~') {
                Some(
                    "names an address beside MAC addresses: Shorewall makes one rule of each item of such a list (either matches), which fwgen's source does not hold; write one rule for the addresses and one for the MAC addresses",
                )
            } else if text.contains(':') {
                Some(
                    "is written with colons, which Shorewall's IPv4 rules file reads as an interface; write the MAC address with `-` (`~00-1a-2b-3c-4d-5e`)",
                )
            } else {
                // Chains.pm do_mac: two digits a byte.
                (crate::model::Mac::parse(text).filter(|_| text.len() == 18))
                    .map(|mac| macs.push(mac))
                    .is_none()
                    .then_some("is no MAC address: Shorewall's are six bytes of two hexadecimal digits each, joined by `-`, after `~` (Chains.pm do_mac)")
            };
            if let Some(reason) = reason {
                // An empty item is named by its list.
                let shown = if text.is_empty() { list } else { text };
                let kind = ErrorKind::MacSource {
                    text: shown.to_owned(),
                    reason,
                };
                self.error(Some(span), kind);
                ok = false;
            }
        }
        ok.then_some(macs)
    }

    /// `&NAME` as the whole address list: NAME an interface of the model
    /// or its device, not a wildcard (Chains.pm record_runtime_address
    /// refuses `&ppp+`). A device a wildcard stands for (`&ppp0` of
    /// `ppp+`), which Shorewall takes, is not in the model: refused.
    fn interface_address(&mut self, name: &str, span: Range<usize>) -> Option<usize> {
        // Shorewall knows an interface by its name or its device
        // (Zones.pm known_interface).
        let found = (self.interfaces.iter().position(|i| i.name == name))
            .or_else(|| self.interfaces.iter().position(|i| i.physical == name));
        let reason = match found {
            None => "names no interface of the model (by its name or its device)",
            Some(index) if self.interfaces[index].physical.ends_with('+') => {
                "names a wildcard interface, which has no one address"
            }
            Some(index) => return Some(index),
        };
        let kind = ErrorKind::InterfaceAddress {
            text: format!("&{name}"),
            reason,
        };
        self.error(Some(span), kind);
        None
    }

    /// A comma-separated list of addresses, networks and ranges.
    fn address_items(
        &mut self,
        raw: &Spanned<String>,
        mut offset: usize,
        list: &str,
        zone: Option<ZoneRef>,
        ok: &mut bool,
    ) -> Vec<IpNet> {
        let mut nets = Vec::new();
        for item in list.split(',') {
            let span = self.inner_span(raw, offset, item.len());
            offset += item.len() + 1;
            if item.trim().starts_with('&') {
                let text = item.trim().to_owned();
                let reason = "is taken only as the whole address list of a rule's source or dest: not beside other addresses, nor left out";
                self.error(Some(span), ErrorKind::InterfaceAddress { text, reason });
                *ok = false;
                continue;
            }
            // A MAC address (`~00-1A-2B-3C-4D-5E`) holds `-`s but is no
            // range: `network` names it.
            let parsed = match item.trim().split_once('-') {
                Some((low, high)) if !low.starts_with('~') => {
                    self.range(item.trim(), low, high, span.clone())
                }
                _ => self.network(item.trim(), span.clone()).map(|net| vec![net]),
            };
            let Some(parsed) = parsed else {
                *ok = false;
                continue;
            };
            if let (Some(ZoneRef::One(id)), Some(first)) = (zone, parsed.first()) {
                let family = self.zone_family(id);
                self.check_family(first, span, id, family);
            }
            nets.extend(parsed);
        }
        nets
    }

    /// `LOW-HIGH`, as the networks that cover it exactly.
    pub(super) fn range(
        &mut self,
        text: &str,
        low: &str,
        high: &str,
        span: Range<usize>,
    ) -> Option<Vec<IpNet>> {
        let result = match (low.parse::<IpAddr>(), high.parse::<IpAddr>()) {
            (Ok(low), Ok(high)) => range_networks(low, high),
            _ => Err("both ends are addresses: `192.168.1.10-192.168.1.20`"),
        };
        match result {
            Ok(nets) => Some(nets),
            Err(reason) => {
                let kind = ErrorKind::BadRange {
                    text: text.to_owned(),
                    reason,
                };
                self.error(Some(span), kind);
                None
            }
        }
    }

    /// An exclusion of a family that nothing taken in has would leave out
    /// nothing: a mistake, refused.
    fn check_exclusions(
        &mut self,
        raw: &Spanned<String>,
        offset: usize,
        text: &str,
        addresses: &[IpNet],
        excluded: &[IpNet],
        ok: &mut bool,
    ) {
        let stray = excluded
            .iter()
            .find(|e| !addresses.iter().any(|a| is_ipv6(a) == is_ipv6(e)));
        if let Some(stray) = stray {
            let kind = ErrorKind::ExclusionOfOtherFamily {
                address: crate::model::rule::written(stray),
            };
            let span = self.inner_span(raw, offset, text.len());
            self.error(Some(span), kind);
            *ok = false;
        }
    }
}

/// The networks of `nets` without the addresses of `except`: each network
/// an exclusion lies inside is halved until no half holds part of one;
/// each half is tested against the exclusions of its parent alone, so the
/// work grows with exclusions times prefix length. Networks of `nets` that
/// overlap give each address once (the result is then in address order).
pub fn subtract(nets: &[IpNet], except: &[IpNet]) -> Vec<IpNet> {
    let mut remaining = Vec::new();
    let mut todo: Vec<(IpNet, Vec<IpNet>)> = nets
        .iter()
        .rev()
        .map(|net| (*net, except.to_vec()))
        .collect();
    while let Some((net, except)) = todo.pop() {
        if except.iter().any(|e| e.contains(&net)) {
            continue;
        }
        let inside: Vec<IpNet> = except.into_iter().filter(|e| net.contains(e)).collect();
        if inside.is_empty() {
            remaining.push(net);
            continue;
        }
        let halves = net
            .subnets(net.prefix_len() + 1)
            .expect("a network holding an exclusion has halves");
        let halves: Vec<IpNet> = halves.collect();
        todo.extend(halves.into_iter().rev().map(|half| (half, inside.clone())));
    }
    let overlap = nets
        .iter()
        .enumerate()
        .any(|(i, a)| nets[i + 1..].iter().any(|b| a.contains(b) || b.contains(a)));
    if overlap {
        remaining = IpNet::aggregate(&remaining);
    }
    remaining
}

/// The fewest networks whose union is exactly `low..=high`.
pub fn range_networks(low: IpAddr, high: IpAddr) -> Result<Vec<IpNet>, &'static str> {
    let nets: Vec<IpNet> = match (low, high) {
        (IpAddr::V4(low), IpAddr::V4(high)) if low <= high => ipnet::Ipv4Subnets::new(low, high, 0)
            .map(IpNet::V4)
            .collect(),
        (IpAddr::V6(low), IpAddr::V6(high)) if low <= high => ipnet::Ipv6Subnets::new(low, high, 0)
            .map(IpNet::V6)
            .collect(),
        (IpAddr::V4(_), IpAddr::V4(_)) | (IpAddr::V6(_), IpAddr::V6(_)) => {
            return Err("the first address is above the last");
        }
        _ => return Err("both ends are of one family"),
    };
    Ok(nets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(low: &str, high: &str) -> Vec<String> {
        range_networks(low.parse().unwrap(), high.parse().unwrap())
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn ranges_become_the_networks_that_cover_them() {
        assert_eq!(
            nets("192.168.1.10", "192.168.1.20"),
            [
                "192.168.1.10/31",
                "192.168.1.12/30",
                "192.168.1.16/30",
                "192.168.1.20/32"
            ]
        );
        assert_eq!(nets("10.0.0.0", "10.0.0.255"), ["10.0.0.0/24"]);
        assert_eq!(nets("10.0.0.7", "10.0.0.7"), ["10.0.0.7/32"]);
        assert_eq!(
            nets("2001:db8::1", "2001:db8::2"),
            ["2001:db8::1/128", "2001:db8::2/128"]
        );
        assert!(range_networks("10.0.0.9".parse().unwrap(), "10.0.0.1".parse().unwrap()).is_err());
        assert!(range_networks("10.0.0.1".parse().unwrap(), "::1".parse().unwrap()).is_err());
    }

    #[test]
    fn an_exclusion_leaves_the_fewest_networks_that_hold_the_rest() {
        let parse = |l: &[&str]| -> Vec<IpNet> { l.iter().map(|n| n.parse().unwrap()).collect() };
        let left = subtract(
            &parse(&["192.168.1.0/29", "10.0.0.0/8"]),
            &parse(&["192.168.1.5/32", "10.0.0.0/8", "172.16.0.0/12"]),
        );
        let left: Vec<String> = left.iter().map(ToString::to_string).collect();
        assert_eq!(left, ["192.168.1.0/30", "192.168.1.4/32", "192.168.1.6/31"]);
        // Overlapping networks give each address once.
        let left = subtract(
            &parse(&["192.168.1.0/24", "192.168.1.0/25"]),
            &parse(&["192.168.1.0/30", "192.168.1.4/31", "192.168.1.5/32"]),
        );
        let left: Vec<String> = left.iter().map(ToString::to_string).collect();
        assert_eq!(
            left,
            [
                "192.168.1.6/31",
                "192.168.1.8/29",
                "192.168.1.16/28",
                "192.168.1.32/27",
                "192.168.1.64/26",
                "192.168.1.128/25"
            ]
        );
        // Many exclusions in a large network: each half meets only its own.
        let many: Vec<IpNet> = (0..200u32)
            .map(|i| {
                IpNet::from(std::net::IpAddr::from(std::net::Ipv6Addr::from(
                    0x2001_0db8_u128 << 96 | u128::from(i) << 64,
                )))
            })
            .collect();
        let left = subtract(&parse(&["::/0"]), &many);
        assert!(left.iter().all(|n| many.iter().all(|e| !n.contains(e))));
    }
}
