//! The blacklist (`[[blacklist]]`, Shorewall's blrules) as the kernel runs
//! it. Shorewall's Rules.pm puts each zone pair's entries in a chain of
//! their own (`net-fw~`) and jumps to it first in the pair's chain, for
//! the connection states of BLACKLIST=, before the interface options and
//! the established accept (Chains.pm `add_interface_options`). Here each
//! base chain jumps, after loopback and before conntrack, to a dispatch
//! chain (`blacklist-input`) for those states; it sends the packet to its
//! pair's entries (`blacklist-net-fw`), whose WHITELIST returns.

use super::lower::{
    Jump, dispatch_rules, dispatched, forward_jumps, item_rules, local_jumps, pair_families,
};
use super::member::Member;
use super::{Chain, CtState, Hook, MapKey, Match, Origin, Piece, Rule, Side, Statement, Verdict};
use crate::model::zone::applies_to;
use crate::model::{Model, PolicyAction, ZoneId};

/// The chain of a pair's entries: Shorewall's `net-fw~`.
pub fn chain_name(model: &Model, pair: (ZoneId, ZoneId)) -> String {
    format!("blacklist-{}", model.pair_name(pair.0, pair.1))
}

/// Shorewall's name of the pair's blacklist chain, in log prefixes.
fn log_name(model: &Model, pair: (ZoneId, ZoneId)) -> String {
    format!("{}~", model.pair_name(pair.0, pair.1))
}

fn dispatch_name(hook: Hook) -> &'static str {
    match hook {
        Hook::Input => "blacklist-input",
        Hook::Output => "blacklist-output",
        _ => "blacklist-forward",
    }
}

/// The pair's entries as kernel rules, in model order.
fn entries(model: &Model, pair: (ZoneId, ZoneId)) -> Vec<Rule> {
    let chain = log_name(model, pair);
    let families = pair_families(model, pair);
    model
        .blacklist
        .iter()
        .enumerate()
        .filter(|(_, entry)| applies_to(entry.source.zone, entry.dest.zone, pair))
        .flat_map(|(index, entry)| {
            item_rules(model, entry, Origin::Blacklist(index), &chain, families)
        })
        .collect()
}

/// The pairs' entry chains, then one dispatch chain per hook that has any.
pub fn chains(model: &Model, pairs: &[(ZoneId, ZoneId)]) -> Vec<Chain> {
    let mut chains = Vec::new();
    for &pair in pairs {
        let rules = entries(model, pair);
        if !rules.is_empty() {
            chains.push(Chain {
                name: chain_name(model, pair),
                base: None,
                comment: Some(format!(
                    "{}: the blacklist of {}",
                    log_name(model, pair),
                    model.pair_name(pair.0, pair.1)
                )),
                rules,
            });
        }
    }
    for hook in [Hook::Input, Hook::Forward, Hook::Output] {
        let rules = dispatch(model, pairs, hook);
        if !rules.is_empty() {
            chains.push(Chain {
                name: dispatch_name(hook).to_owned(),
                base: None,
                comment: Some("the blacklist: each zone pair to its entries".to_owned()),
                rules,
            });
        }
    }
    chains
}

/// Whether a pair has entries: the same test the chains are made by.
fn listed(model: &Model, pair: (ZoneId, ZoneId)) -> bool {
    !entries(model, pair).is_empty()
}

/// The dispatch of one hook: each pair with entries to its chain. A pair
/// without any returns where its jump is a rule of its own (a zone's
/// hosts, a wildcard), so that no later rule takes its packets; in a map
/// it is simply left out.
fn dispatch(model: &Model, pairs: &[(ZoneId, ZoneId)], hook: Hook) -> Vec<Rule> {
    let jumps = |ipv6: bool| -> Vec<Jump> {
        // `goto`: where the pair's entries end (or a WHITELIST returns),
        // the packet is back in its base chain, past every later pair's
        // dispatch: Shorewall's `net-fw~` is reached from its pair's chain
        // alone, which a nested zone's or a hosts entry's packets enter
        // first and leave for no other pair's (Misc.pm generate_matrix).
        // A pair whose policy is CONTINUE returns to the dispatch, where
        // Shorewall's next pair (its parent's) runs its blacklist after
        // this pair's rules: the analyzer refuses a blacklist there
        // (`blacklist-after-continue`), so that no later pair's entries
        // take its packets either way.
        let target = |pair: (ZoneId, ZoneId), _: &[(Side, Member)]| {
            let continues = (model.matrix.family(pair.0, pair.1, ipv6))
                .is_some_and(|d| d.action == PolicyAction::Continue);
            match (listed(model, pair), continues) {
                (true, false) => Verdict::Goto(chain_name(model, pair)),
                (true, true) => Verdict::Jump(chain_name(model, pair)),
                (false, _) => Verdict::Return,
            }
        };
        let all = match hook {
            Hook::Input => local_jumps(model, pairs, Side::In, ipv6, &target),
            Hook::Output => local_jumps(model, pairs, Side::Out, ipv6, &target),
            // The blacklist comes before the sfilter (option_place).
            _ => forward_jumps(model, pairs, ipv6, true, &target),
        };
        dispatched(all)
    };
    let key = match hook {
        Hook::Input => MapKey::Interface(Side::In),
        Hook::Output => MapKey::Interface(Side::Out),
        _ => MapKey::InterfacePair,
    };
    dispatch_rules(key, jumps(false), jumps(true))
}

/// The jump of a base chain to its blacklist dispatch, for the states of
/// `blacklist_states`; `None` when no pair of the hook has entries.
pub fn jump(model: &Model, pairs: &[(ZoneId, ZoneId)], hook: Hook) -> Option<Rule> {
    if dispatch(model, pairs, hook).is_empty() {
        return None;
    }
    let states = model
        .firewall
        .blacklist_states
        .iter()
        .map(|&s| CtState::from(s))
        .collect();
    Some(Rule::new(
        vec![Match::CtState(states)],
        vec![Statement::Verdict(Verdict::Jump(
            dispatch_name(hook).to_owned(),
        ))],
        Origin::Shorewall(Piece::Blacklist),
    ))
}
