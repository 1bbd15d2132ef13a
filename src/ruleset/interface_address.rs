//! `&eth0` in the lowered ruleset: a match on an address known only when
//! the ruleset is loaded. The nftables file leaves it to a define; explain
//! needs it given, and resolves it here before walking a packet. The same
//! for `SNAT(detect)`'s `snat ip to $fwgen_addr_eth0`.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;

use super::{Family, Match, Rule, Ruleset, SnatTo, Statement};

impl Ruleset {
    /// The interfaces whose load-time address some rule matches.
    pub fn interface_addresses(&self) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        for rule in self.chains.iter().flat_map(|c| &c.rules) {
            for m in rule
                .matches
                .iter()
                .chain(rule.parts.iter().flat_map(|p| &p.matches))
            {
                if let Match::InterfaceAddress { interface, .. } = m {
                    found.insert(interface.clone());
                }
            }
            for s in &rule.statements {
                if let Statement::SnatInterfaceAddress { interface, .. } = s {
                    found.insert(interface.clone());
                }
            }
        }
        found
    }

    /// The ruleset as loaded with these addresses: each interface-address
    /// match becomes the address it stands for. An error names the first
    /// interface whose address is not given.
    pub fn with_interface_addresses(
        &self,
        addresses: &BTreeMap<String, Ipv4Addr>,
    ) -> Result<Ruleset, String> {
        if let Some(missing) = self
            .interface_addresses()
            .into_iter()
            .find(|i| !addresses.contains_key(i))
        {
            return Err(missing);
        }
        let mut resolved = self.clone();
        for rule in resolved.chains.iter_mut().flat_map(|c| &mut c.rules) {
            resolve(rule, addresses);
        }
        Ok(resolved)
    }
}

fn resolve(rule: &mut Rule, addresses: &BTreeMap<String, Ipv4Addr>) {
    for m in &mut rule.matches {
        if let Match::InterfaceAddress {
            direction,
            interface,
        } = m
            && let Some(&addr) = addresses.get(interface.as_str())
        {
            *m = Match::Address {
                family: Family::Ipv4,
                direction: *direction,
                negated: false,
                nets: vec![IpNet::from(IpAddr::V4(addr))],
            };
        }
    }
    for s in &mut rule.statements {
        if let Statement::SnatInterfaceAddress { interface, ports } = s
            && let Some(&addr) = addresses.get(interface.as_str())
        {
            *s = Statement::Snat {
                family: Family::Ipv4,
                to: SnatTo::one(IpAddr::V4(addr)),
                ports: *ports,
            };
        }
    }
    for part in &mut rule.parts {
        resolve(part, addresses);
    }
}
