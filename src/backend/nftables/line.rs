//! One nftables rule as matches plus a tail (log, verdict, comment), the
//! lowering of model rules into such lines, and the folding of consecutive
//! lines that differ in one set of values into one rule with an anonymous
//! set.

use ipnet::IpNet;

use super::log_statement;
use crate::model::rule::{is_ipv6, written};
use crate::model::{Dnat, Endpoint, Interface, Model, PortRange, Protocol, Rule, Service, Verdict};

/// `key value` or `key { value, ... }`; a key without values is literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub key: String,
    pub values: Vec<String>,
}

/// A rule of a pair chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub matches: Vec<Match>,
    /// Log, verdict and comment.
    pub tail: String,
}

impl Line {
    pub fn text(&self) -> String {
        let mut parts: Vec<String> = self
            .matches
            .iter()
            .map(|m| {
                if m.values.is_empty() {
                    m.key.clone()
                } else {
                    format!("{} {}", m.key, set_of(m.values.clone()))
                }
            })
            .collect();
        parts.push(self.tail.clone());
        parts.join(" ")
    }

    /// The sizes of the line's anonymous sets.
    pub fn set_sizes(&self) -> impl Iterator<Item = usize> + '_ {
        self.matches
            .iter()
            .map(|m| m.values.len())
            .filter(|&n| n > 1)
    }

    /// The same rule as several, with every set of at most `limit` values
    /// written out value by value (first match wins, so this is equivalent).
    pub fn expand(self, limit: usize) -> Vec<Line> {
        let mut lines = vec![Line {
            matches: Vec::new(),
            tail: self.tail.clone(),
        }];
        for m in self.matches {
            if m.values.len() > 1 && m.values.len() <= limit {
                let mut expanded = Vec::with_capacity(lines.len() * m.values.len());
                for line in &lines {
                    for value in &m.values {
                        let mut line = line.clone();
                        line.matches
                            .push(match_of(m.key.clone(), vec![value.clone()]));
                        expanded.push(line);
                    }
                }
                lines = expanded;
            } else {
                for line in &mut lines {
                    line.matches.push(m.clone());
                }
            }
        }
        lines
    }

    /// The one match in which two lines differ, when everything else is
    /// equal and that match holds values.
    fn differs_in_one_set(&self, other: &Line) -> Option<usize> {
        if self.tail != other.tail || self.matches.len() != other.matches.len() {
            return None;
        }
        let mut differing = None;
        for (index, (a, b)) in self.matches.iter().zip(&other.matches).enumerate() {
            if a.key != b.key {
                return None;
            }
            if a.values != b.values {
                if differing.is_some() || a.values.is_empty() || b.values.is_empty() {
                    return None;
                }
                differing = Some(index);
            }
        }
        differing
    }
}

fn match_of(key: impl Into<String>, values: Vec<String>) -> Match {
    Match {
        key: key.into(),
        values,
    }
}

/// Merge consecutive lines that differ only in one set of values: with the
/// same terminal verdict, one rule on the union says exactly what the two
/// did, and the kernel evaluates one rule instead of many.
pub fn fold(lines: Vec<Line>) -> Vec<Line> {
    let mut folded: Vec<Line> = Vec::with_capacity(lines.len());
    for line in lines {
        if let Some(last) = folded.last_mut()
            && let Some(index) = last.differs_in_one_set(&line)
        {
            let values = &mut last.matches[index].values;
            for value in &line.matches[index].values {
                if !values.contains(value) {
                    values.push(value.clone());
                }
            }
            continue;
        }
        folded.push(line);
    }
    folded
}

pub fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

pub fn set_of(items: Vec<String>) -> String {
    if items.len() == 1 {
        items.into_iter().next().unwrap_or_default()
    } else {
        format!("{{ {} }}", items.join(", "))
    }
}

/// The interface as nftables names it: `eth+` becomes `"eth*"`; `None`
/// for `+`, which stands for every interface (nft has no all-wildcard).
pub fn ifname(interface: &Interface) -> Option<String> {
    match interface.physical.strip_suffix('+') {
        Some("") => None,
        Some(stem) => Some(quoted(&format!("{stem}*"))),
        None => Some(quoted(&interface.physical)),
    }
}

/// `ppp+` or `+`: Shorewall's wildcard.
pub fn is_wildcard(interface: &Interface) -> bool {
    interface.physical.ends_with('+')
}

/// What a dispatch rule matches for an interface: `iifname "eth0" `, or
/// for a wildcard its pattern without the named interfaces it covers, as
/// named interfaces are matched first (docs/model.md):
/// `iifname "ppp*" iifname != "ppp9" `. For `+`, every named interface is
/// left out.
pub fn dispatch_match(model: &Model, selector: &str, interface: &Interface) -> String {
    let pattern = ifname(interface).map_or(String::new(), |name| format!("{selector} {name} "));
    let Some(stem) = interface.physical.strip_suffix('+') else {
        return pattern;
    };
    let mut covered: Vec<String> = Vec::new();
    for named in model.interfaces.iter().filter(|i| !is_wildcard(i)) {
        let name = quoted(&named.physical);
        if named.physical.starts_with(stem) && !covered.contains(&name) {
            covered.push(name);
        }
    }
    if covered.is_empty() {
        return pattern;
    }
    format!("{pattern}{selector} != {} ", set_of(covered))
}

/// `{ ... }` of interfaces, or `None` when one of them is `+`.
pub fn interface_set<'a>(interfaces: impl Iterator<Item = &'a Interface>) -> Option<String> {
    interfaces
        .map(ifname)
        .collect::<Option<Vec<String>>>()
        .map(set_of)
}

fn port_values(ports: &[PortRange]) -> Vec<String> {
    ports.iter().map(|p| p.written("-")).collect()
}

pub fn ports(ports: &[PortRange]) -> String {
    set_of(port_values(ports))
}

fn address_values(nets: &[&IpNet]) -> Vec<String> {
    nets.iter().map(|n| written(n)).collect()
}

pub fn address_set(nets: &[&IpNet]) -> String {
    set_of(address_values(nets))
}

pub fn comment(text: Option<&String>) -> String {
    text.map_or(String::new(), |t| format!(" comment \"{t}\""))
}

fn verdict_statement(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Accept => "accept",
        Verdict::Drop => "drop",
        Verdict::Reject => "jump rejection",
    }
}

/// The filter rule that lets a port-forwarded connection through.
pub fn dnat_accept(dnat: &Dnat) -> Line {
    let family = if dnat.is_ipv6() { "ip6" } else { "ip" };
    let mut matches = Vec::new();
    let sources: Vec<&IpNet> = dnat
        .source
        .addresses
        .iter()
        .filter(|a| is_ipv6(a) == dnat.is_ipv6())
        .collect();
    if !sources.is_empty() {
        matches.push(match_of(
            format!("{family} saddr"),
            address_values(&sources),
        ));
    }
    matches.push(match_of(
        format!("{family} daddr"),
        vec![dnat.to.to_string()],
    ));
    let target_ports: Vec<PortRange> = match dnat.to_port {
        Some(port) => vec![PortRange::single(port)],
        None => dnat.dports.clone(),
    };
    matches.push(match_of(
        format!("{} dport", dnat.proto),
        port_values(&target_ports),
    ));
    if dnat.to_port.is_some() {
        matches.push(match_of("ct original proto-dst", port_values(&dnat.dports)));
    }
    Line {
        matches,
        tail: format!("accept{}", comment(dnat.comment.as_ref())),
    }
}

/// Address matches of one family for a rule's endpoints, or `None` when
/// the rule cannot match that family.
fn address_matches(rule: &Rule, ipv6: bool) -> Option<Vec<Match>> {
    let family = if ipv6 { "ip6" } else { "ip" };
    let mut matches = Vec::new();
    for (endpoint, direction) in [(&rule.source, "saddr"), (&rule.dest, "daddr")] {
        if endpoint.addresses.is_empty() {
            continue;
        }
        let nets: Vec<&IpNet> = endpoint
            .addresses
            .iter()
            .filter(|a| is_ipv6(a) == ipv6)
            .collect();
        if nets.is_empty() {
            return None;
        }
        matches.push(match_of(
            format!("{family} {direction}"),
            address_values(&nets),
        ));
    }
    Some(matches)
}

fn has_addresses(endpoint: &Endpoint) -> bool {
    !endpoint.addresses.is_empty()
}

fn service_matches(service: &Service) -> Vec<Match> {
    match service.proto {
        Protocol::Tcp | Protocol::Udp => {
            let proto = service.proto.to_string();
            let mut matches = Vec::new();
            if !service.sports.is_empty() {
                matches.push(match_of(
                    format!("{proto} sport"),
                    port_values(&service.sports),
                ));
            }
            if !service.dports.is_empty() {
                matches.push(match_of(
                    format!("{proto} dport"),
                    port_values(&service.dports),
                ));
            }
            if matches.is_empty() {
                matches.push(match_of("meta l4proto", vec![proto]));
            }
            matches
        }
        Protocol::Icmp | Protocol::Icmpv6 => {
            let proto = if service.proto == Protocol::Icmp {
                "icmp"
            } else {
                "icmpv6"
            };
            match service.icmp_type {
                Some(icmp) => vec![match_of(format!("{proto} type"), vec![icmp.to_string()])],
                None if proto == "icmp" => vec![match_of("meta l4proto", vec!["icmp".to_owned()])],
                None => vec![match_of("meta l4proto", vec!["ipv6-icmp".to_owned()])],
            }
        }
        Protocol::Number(number) => vec![match_of("meta l4proto", vec![number.to_string()])],
    }
}

/// A model rule as the lines of one pair chain: one per family with
/// addresses and per service.
pub fn rule_lines(model: &Model, rule: &Rule, chain: &str, families: [bool; 2]) -> Vec<Line> {
    let families: Vec<bool> = [false, true]
        .into_iter()
        .filter(|&ipv6| families[usize::from(ipv6)] && rule.allows_family(ipv6))
        .collect();
    let address_sets: Vec<Vec<Match>> = if has_addresses(&rule.source) || has_addresses(&rule.dest)
    {
        families
            .iter()
            .filter_map(|&ipv6| address_matches(rule, ipv6))
            .collect()
    } else {
        vec![Vec::new()]
    };
    let services: Vec<Option<&Service>> = if rule.services.is_empty() {
        vec![None]
    } else {
        rule.services
            .iter()
            .filter(|s| s.proto.only_ipv6().is_none_or(|v6| families.contains(&v6)))
            .map(Some)
            .collect()
    };
    let log = rule
        .log
        .map(|level| {
            format!(
                "{} ",
                log_statement(model, chain, rule.verdict.keyword(), level)
            )
        })
        .unwrap_or_default();
    let tail = format!(
        "{log}{}{}",
        verdict_statement(rule.verdict),
        comment(rule.comment.as_ref())
    );
    let mut lines = Vec::new();
    for addresses in &address_sets {
        for service in &services {
            let mut matches = addresses.clone();
            matches.extend(service.map(service_matches).unwrap_or_default());
            lines.push(Line {
                matches,
                tail: tail.clone(),
            });
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(key: &str, values: &[&str], tail: &str) -> Line {
        Line {
            matches: vec![match_of(
                key,
                values.iter().map(|v| (*v).to_owned()).collect(),
            )],
            tail: tail.to_owned(),
        }
    }

    #[test]
    fn consecutive_lines_differing_in_one_set_fold() {
        let folded = fold(vec![
            line("tcp dport", &["80"], "accept"),
            line("tcp dport", &["443"], "accept"),
        ]);
        assert_eq!(folded.len(), 1);
        assert_eq!(folded[0].text(), "tcp dport { 80, 443 } accept");
    }

    #[test]
    fn different_verdicts_keys_or_interleaving_do_not_fold() {
        let a = line("tcp dport", &["80"], "accept");
        assert_eq!(
            fold(vec![a.clone(), line("tcp dport", &["443"], "drop")]).len(),
            2
        );
        assert_eq!(
            fold(vec![a.clone(), line("udp dport", &["443"], "accept")]).len(),
            2
        );
        let between = line("tcp dport", &["8080"], "drop");
        assert_eq!(
            fold(vec![
                a.clone(),
                between,
                line("tcp dport", &["443"], "accept")
            ])
            .len(),
            3
        );
    }

    #[test]
    fn expanding_small_sets_writes_every_combination_in_order() {
        let line = Line {
            matches: vec![
                match_of("ip saddr", vec!["10.0.0.1".into(), "10.0.0.2".into()]),
                match_of("tcp dport", vec!["22".into(), "80".into(), "443".into()]),
            ],
            tail: "accept".into(),
        };
        let texts: Vec<String> = line.clone().expand(2).iter().map(Line::text).collect();
        assert_eq!(
            texts,
            vec![
                "ip saddr 10.0.0.1 tcp dport { 22, 80, 443 } accept",
                "ip saddr 10.0.0.2 tcp dport { 22, 80, 443 } accept"
            ]
        );
        assert_eq!(line.expand(3).len(), 6);
    }

    #[test]
    fn two_differing_sets_do_not_fold() {
        let a = Line {
            matches: vec![
                match_of("ip saddr", vec!["10.0.0.1".into()]),
                match_of("tcp dport", vec!["80".into()]),
            ],
            tail: "accept".into(),
        };
        let b = Line {
            matches: vec![
                match_of("ip saddr", vec!["10.0.0.2".into()]),
                match_of("tcp dport", vec!["443".into()]),
            ],
            tail: "accept".into(),
        };
        assert_eq!(fold(vec![a, b]).len(), 2);
    }
}
