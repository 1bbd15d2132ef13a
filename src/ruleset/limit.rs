//! A rule's rate and connection limits in the lowered ruleset, as
//! Shorewall 5.2.8 compiles its RATE and CONNLIMIT columns (Chains.pm
//! `do_ratelimit`, `do_connlimit`):
//!
//! - a plain rate (`10/min:5`) is iptables' `-m limit`, one bucket for the
//!   iptables rule: nftables' `limit rate 10/minute burst 5 packets`;
//! - `s:` / `d:` is `-m hashlimit --hashlimit-upto` with one bucket per
//!   source or destination address in a table of its own (`shorewallN`) or
//!   the one named (`s:NAME:...`, shared by every rule naming it), an idle
//!   address forgotten after `--hashlimit-htable-expire`: a dynamic set of
//!   that family with that timeout, refreshed by `update` on each packet;
//! - CONNLIMIT `N` is `-m connlimit ! --connlimit-above N` (the rule
//!   matches while the address has at most N connections, this one
//!   counted), `!N` is `--connlimit-above N`: `ct count [over] N` in a
//!   dynamic set keyed by the (masked) address.
//!
//! A packet over a limit is not matched and goes on to the later rules
//! and the policy, in both. Every iptables rule has its own buckets, one
//! per family: so each lowered rule gets its own per family, and is never
//! folded with another (lower.rs, lookup.rs). Shorewall writes one
//! iptables rule per address of a SOURCE or DEST list (`net:a,b` is
//! `-s a` and `-s b`), each with its own plain bucket and connection
//! count, while an `s:`/`d:` table is named once for the line and so
//! shared by them (`--hashlimit-name shorewall0` on each): under a plain
//! rate or a connection limit, a lowered rule becomes one per address
//! (per pair of them, ORIGDEST's, then the source's, then the
//! destination's), and one per 15 ports of a longer port list (multiport's
//! limit, Chains.pm handle_port_list), its `s:`/`d:` set still one. A limited rule's matches
//! keep the order of Shorewall's (`shorewall_order`): a packet spends the
//! bucket before the owner, the time, an ipset or addresses left out turn
//! it away.

use super::{Chain, Direction, Family, Match, Rule, Set};
use crate::model::service::PortRange;
use crate::model::{LimitPer, Model, RateLimit, Rule as ModelRule};

/// Elements a limit set holds at most (hashlimit's default table is
/// smaller; a full set adds no new address, as a full hashlimit table).
const SET_SIZE: u32 = 65_535;

/// The rules of model rule `index` in `chain`, with its limits: one rule
/// per family of `families` (those the rule and the pair allow), each
/// with its own bucket or set. Rules without limits are returned as they are.
pub(super) fn limited(
    rule: &ModelRule,
    index: usize,
    chain: &str,
    families: &[bool],
    rules: Vec<Rule>,
) -> Vec<Rule> {
    if rule.rate.is_none() && rule.connlimit.is_none() {
        return rules;
    }
    let per_rule =
        rule.connlimit.is_some() || rule.rate.as_ref().is_some_and(|r| r.per == LimitPer::All);
    let mut out = Vec::new();
    for (n, lowered) in rules.into_iter().enumerate() {
        let named = lowered.matches.iter().find_map(Match::family);
        let split: Vec<Family> = match named {
            Some(family) => vec![family],
            None => families.iter().map(|&ipv6| Family::of(ipv6)).collect(),
        };
        let addressed = if per_rule {
            per_address(lowered)
                .into_iter()
                .flat_map(per_port_list)
                .collect()
        } else {
            vec![lowered]
        };
        let several = addressed.len() > 1;
        for (m, lowered) in addressed.into_iter().enumerate() {
            for &family in &split {
                let mut one = lowered.clone();
                if named.is_none() && split.len() > 1 {
                    one.matches.insert(0, Match::Family(family));
                }
                let suffix = format!("{index}-{chain}-{n}-{}", Family::name(family));
                if let Some(rate) = rule.rate.as_deref() {
                    let set = (rate.per != LimitPer::All).then(|| {
                        let name = match &rate.table {
                            Some(table) => format!("rate-{table}-{}", Family::name(family)),
                            None => format!("rate-{suffix}"),
                        };
                        (name, family)
                    });
                    one.matches.push(Match::RateLimit {
                        limit: rate.clone(),
                        set,
                    });
                }
                if let Some(limit) = rule.connlimit {
                    let set = if several {
                        format!("conn-{index}-{chain}-{n}-{m}-{}", Family::name(family))
                    } else {
                        format!("conn-{suffix}")
                    };
                    one.matches.push(Match::ConnLimit { limit, set, family });
                }
                shorewall_order(&mut one);
                out.push(one);
            }
        }
    }
    out
}

/// The rule's matches in the order Shorewall's iptables rule has them
/// (Rules.pm, Chains.pm expand_rule): what the rule is of (interfaces,
/// addresses, ORIGDEST, protocol and ports), then the RATE limit, USER/
/// GROUP, CONNLIMIT, TIME and an ipset (`-m set`), each tested only for
/// what passed the one before, so a packet that the owner, the time or
/// the set turns away has spent the bucket already. Last, Shorewall's
/// exclusion chain (Chains.pm handle_exclusion): a rule whose SOURCE or
/// DEST leaves out more than one address, or leaves out from addresses it
/// takes in, or whose ORIGDEST leaves any out, jumps with all of that to
/// a chain that returns for each left-out address, so their packets spend
/// the bucket and count towards the limit too; one address left out of a
/// whole zone is `! -s ADDR` in the rule itself, ahead of the limits
/// (expand_rule1's trivial exclusion).
fn shorewall_order(rule: &mut Rule) {
    let taken = |d: Direction, ms: &[Match]| {
        ms.iter().any(
            |m| matches!(m, Match::Address { negated: false, direction, .. } if *direction == d),
        )
    };
    let rank = |m: &Match, ms: &[Match]| match m {
        Match::RateLimit { .. } => 1,
        Match::Owner { .. } => 2,
        Match::ConnLimit { .. } => 3,
        Match::Time(_) => 4,
        Match::Set { .. } => 5,
        Match::Address {
            negated: true,
            direction,
            nets,
            ..
        } if nets.len() > 1 || taken(*direction, ms) => 6,
        Match::OriginalAddress { negated: true, .. } => 6,
        _ => 0,
    };
    let mut ranked: Vec<(u8, Match)> = rule
        .matches
        .iter()
        .map(|m| (rank(m, &rule.matches), m.clone()))
        .collect();
    ranked.sort_by_key(|(rank, _)| *rank);
    rule.matches = ranked.into_iter().map(|(_, m)| m).collect();
}

/// `rule` as Shorewall's iptables rules for it: one per address of each
/// address list it takes in (a left-out list, `! -s`, stays one match),
/// as expand_rule loops: ORIGDEST's addresses outermost, then SOURCE's,
/// then DEST's, each in the order written.
fn per_address(rule: Rule) -> Vec<Rule> {
    let mut rules = vec![rule];
    let listed = |m: &Match, origdest: bool| match m {
        Match::OriginalAddress {
            negated: false,
            nets,
            ..
        } => origdest && nets.len() > 1,
        Match::Address {
            negated: false,
            nets,
            ..
        } => !origdest && nets.len() > 1,
        Match::EtherSource(macs) => !origdest && macs.len() > 1,
        _ => false,
    };
    let next = |r: &Rule| {
        (r.matches.iter().position(|m| listed(m, true)))
            .or_else(|| r.matches.iter().position(|m| listed(m, false)))
    };
    while let Some(at) = next(&rules[0]) {
        rules = rules
            .into_iter()
            .flat_map(|r| {
                // One rule per item, MAC addresses too: Shorewall's one
                // iptables rule per item of `loc:~A,~B`.
                r.matches[at].split().into_iter().map(move |m| {
                    let mut one = r.clone();
                    one.matches[at] = m;
                    one
                })
            })
            .collect();
    }
    rules
}

/// `rule` as Shorewall's iptables rules for its port lists: multiport
/// takes 15 ports, a range counting two, so Chains.pm handle_port_list
/// writes one rule per 15 of a longer list, never parting a range (the
/// destination ports', then in each the source ports'), each with its own
/// plain bucket and connection count.
fn per_port_list(rule: Rule) -> Vec<Rule> {
    let mut rules = vec![rule];
    for direction in [Direction::Destination, Direction::Source] {
        rules = (rules.into_iter())
            .flat_map(|rule| {
                let at = rule
                    .matches
                    .iter()
                    .position(|m| matches!(m, Match::Port { direction: d, .. } if *d == direction));
                let Some(Match::Port { ports, .. }) = at.map(|at| &rule.matches[at]) else {
                    return vec![rule];
                };
                let chunks = port_chunks(ports);
                if chunks.len() < 2 {
                    return vec![rule];
                }
                let at = at.expect("found");
                (chunks.into_iter())
                    .map(|chunk| {
                        let mut one = rule.clone();
                        if let Match::Port { ports, .. } = &mut one.matches[at] {
                            *ports = chunk;
                        }
                        one
                    })
                    .collect()
            })
            .collect();
    }
    rules
}

/// A port list as handle_port_list parts it: up to 15 elements each (a
/// port one, a range two), a range that would be the 15th element's
/// start moved to the next part whole.
fn port_chunks(ports: &[PortRange]) -> Vec<Vec<PortRange>> {
    let count = |p: &PortRange| if p.low == p.high { 1 } else { 2 };
    let mut chunks: Vec<Vec<PortRange>> = Vec::new();
    let mut counted = 0;
    for port in ports {
        if chunks.is_empty() || counted + count(port) > 15 {
            chunks.push(Vec::new());
            counted = 0;
        }
        chunks.last_mut().expect("pushed").push(*port);
        counted += count(port);
    }
    chunks
}

/// A port forward's nat rules (each with its rank) under its rate (`name`
/// tells its sets apart): each rule its own bucket, or set of them per
/// address, as Shorewall's one DNAT rule in the zone's `net_dnat` has.
/// Over an ORIGDEST list Shorewall writes one DNAT rule per address: a
/// plain rate (`-m limit`) is a bucket per rule, so the rule is split per
/// address; a per-source or per-destination rate is a hashlimit table
/// whose name (Chains.pm do_ratelimit's `shorewallN`) the line's rules
/// share, so the one rule over the list keeps its one set.
pub(super) fn rated(
    rate: Option<&RateLimit>,
    name: &str,
    family: Family,
    rules: Vec<(usize, Rule)>,
) -> Vec<(usize, Rule)> {
    let Some(rate) = rate else {
        return rules;
    };
    let shared = rate.per != LimitPer::All;
    (rules.into_iter())
        .flat_map(|(rank, rule)| {
            let split = if shared {
                vec![rule]
            } else {
                per_address(rule)
                    .into_iter()
                    .flat_map(per_port_list)
                    .collect()
            };
            split.into_iter().map(move |r| (rank, r))
        })
        .enumerate()
        .map(|(n, (rank, mut rule))| {
            let set = (rate.per != LimitPer::All)
                .then(|| (format!("rate-{name}-{n}-{}", Family::name(family)), family));
            rule.matches.push(Match::RateLimit {
                limit: rate.clone(),
                set,
            });
            (rank, rule)
        })
        .collect()
}

/// The sets the chains' limits fill, in the order the rules name them,
/// each once (a named rate table is shared).
pub(super) fn limit_sets(model: &Model, chains: &[Chain]) -> Vec<Set> {
    let mut sets: Vec<Set> = Vec::new();
    for rule in chains.iter().flat_map(|c| &c.rules) {
        // Named only for a rule with a limit: most rules have none.
        if !rule.matches.iter().any(Match::is_limit) {
            continue;
        }
        let item = super::lower::describe_item(model, rule.origin).unwrap_or_default();
        for m in &rule.matches {
            let set = match m {
                Match::RateLimit {
                    limit,
                    set: Some((name, family)),
                } => Set {
                    name: name.clone(),
                    family: *family,
                    timeout: Some(limit.expire_seconds()),
                    size: SET_SIZE,
                    comment: match &limit.table {
                        Some(table) => format!(
                            "rate table {table}: {}, shared by the rules naming it",
                            limit.describe()
                        ),
                        // A policy's item names its rate already.
                        None if matches!(rule.origin, super::Origin::PolicyRate(_)) => {
                            format!("the rate limit of {item}")
                        }
                        None => format!("the rate limit of {item}: {}", limit.describe()),
                    },
                },
                Match::ConnLimit { limit, set, family } => Set {
                    name: set.clone(),
                    family: *family,
                    timeout: None,
                    size: SET_SIZE,
                    comment: format!("the connection limit of {item}: {}", limit.describe()),
                },
                _ => continue,
            };
            if !sets.iter().any(|s| s.name == set.name) {
                sets.push(set);
            }
        }
    }
    sets
}

#[cfg(test)]
mod tests {
    use super::{PortRange, port_chunks};

    fn ports(text: &str) -> Vec<PortRange> {
        (text.split(','))
            .map(|p| match p.split_once(':') {
                Some((low, high)) => PortRange {
                    low: low.parse().unwrap(),
                    high: high.parse().unwrap(),
                },
                None => PortRange::single(p.parse().unwrap()),
            })
            .collect()
    }

    fn written(chunks: &[Vec<PortRange>]) -> Vec<String> {
        (chunks.iter())
            .map(|chunk| {
                let items: Vec<String> = (chunk.iter())
                    .map(|p| match p.low == p.high {
                        true => p.low.to_string(),
                        false => format!("{}:{}", p.low, p.high),
                    })
                    .collect();
                items.join(",")
            })
            .collect()
    }

    /// Chains.pm handle_port_list's parts, as `shorewall compile` writes
    /// them: 15 elements each, a range two, never parted.
    #[test]
    fn a_port_list_is_parted_as_handle_port_list_parts_it() {
        let seventeen = ports("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17");
        assert_eq!(
            written(&port_chunks(&seventeen)),
            ["1,2,3,4,5,6,7,8,9,10,11,12,13,14,15", "16,17"]
        );
        // The 15th element would begin a range: the range goes on whole.
        let ranges = ports("1,2,3,4,5,6,7,8,9,10,11,12,13,14,20:30,40");
        assert_eq!(
            written(&port_chunks(&ranges)),
            ["1,2,3,4,5,6,7,8,9,10,11,12,13,14", "20:30,40"]
        );
        let eight = ports("1:2,3:4,5:6,7:8,9:10,11:12,13:14,15:16");
        assert_eq!(
            written(&port_chunks(&eight)),
            ["1:2,3:4,5:6,7:8,9:10,11:12,13:14", "15:16"]
        );
        assert_eq!(port_chunks(&ports("80,443")).len(), 1);
    }
}
