//! Check: models that are valid but probably wrong. Each warning points at
//! the model line it is about and says what to do.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::error::render_diagnostic;
use crate::explain::{Place, Query, explain_in, interface_for};
use crate::model::zone::applies_to;
use crate::model::{
    DecisionOrigin, InterfaceOption, Model, PolicyAction, PolicySide, Protocol, Rule, SnatTarget,
    Verdict, ZoneId, ZoneRef,
};
use crate::ruleset::cover::{CoverIndex, narrowed_to_ports, source_networks};
use crate::ruleset::lower::{
    catch_all_policy, lower_unnamed, plain_untracked_accept, reachable_pairs, renders_in,
    sfiltered, untracked_in_pairs,
};
use crate::ruleset::{Family, Hook, LogTag, Origin, Rule as KernelRule, Ruleset, Statement};
use crate::source::Source;

/// How much a finding matters: warnings fail `check --strict`, notices never.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Warning,
    Notice,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub level: Level,
    /// A stable name for scripts: `lockout`, `shadowed-rule`, ...
    pub code: &'static str,
    pub message: String,
    pub hint: String,
    pub span: Option<Range<usize>>,
}

impl Finding {
    fn warning(code: &'static str, span: Range<usize>, message: String, hint: String) -> Finding {
        Finding {
            level: Level::Warning,
            code,
            message,
            hint,
            span: Some(span),
        }
    }

    pub fn render(&self, source: &Source) -> String {
        let level = match self.level {
            Level::Warning => "warning",
            Level::Notice => "notice",
        };
        render_diagnostic(
            level,
            &self.message,
            self.span.as_ref(),
            Some(source),
            Some(&self.hint),
        )
    }

    /// Every finding rendered as `fwgen check` prints it, each followed
    /// by a blank line, handed to `write` in their order in a few long
    /// strings: made on up to one thread per core (each renders a run of
    /// consecutive findings).
    pub fn render_all(findings: &[Finding], source: &Source, mut write: impl FnMut(&str)) {
        let render_run = |run: &[Finding]| {
            let mut text = String::new();
            for finding in run {
                text.push_str(&finding.render(source));
                text.push('\n');
            }
            text
        };
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        // Below a few hundred findings a thread costs more than it saves.
        let threads = cores.min(findings.len() / 256).max(1);
        let run = findings.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let mut runs = findings.chunks(run);
            let first = runs.next().unwrap_or_default();
            let others: Vec<_> = runs.map(|r| scope.spawn(move || render_run(r))).collect();
            write(&render_run(first));
            for thread in others {
                let text = thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                write(&text);
            }
        });
    }

    /// The finding as `check --format json` prints it, in `file`.
    pub fn json<'a>(&'a self, source: &Source, file: &'a str) -> FindingJson<'a> {
        let location = self.span.as_ref().map(|s| source.location(s.start));
        FindingJson {
            code: self.code,
            column: location.map(|l| l.column),
            file,
            hint: &self.hint,
            level: match self.level {
                Level::Warning => "warning",
                Level::Notice => "notice",
            },
            line: location.map(|l| l.line),
            message: &self.message,
        }
    }
}

/// One finding in `check --format json` (docs/json.md), written straight
/// out: the fields in the order they have always been printed (by name).
#[derive(Debug, serde::Serialize)]
pub struct FindingJson<'a> {
    code: &'static str,
    column: Option<usize>,
    file: &'a str,
    hint: &'a str,
    level: &'static str,
    line: Option<usize>,
    message: &'a str,
}

/// Every finding, in file order.
pub fn check(model: &Model) -> Vec<Finding> {
    check_in(model, &lower_unnamed(model))
}

/// Every finding, in file order, with the model's lowered ruleset
/// ([`lower_unnamed`] is enough: no check reads a rule's comment). The
/// lockout walks, the redundant rules and the accepts to masqueraded
/// addresses are found on a thread of their own beside the shadow test.
pub fn check_in(model: &Model, ruleset: &Ruleset) -> Vec<Finding> {
    let ((locked_out, redundant, masqueraded), shadowed) = std::thread::scope(|scope| {
        // The checks of the model's rules run beside the shadow test too.
        let others = scope.spawn(|| {
            let locked_out = lockout(model, ruleset);
            (
                locked_out,
                redundant_rules(model),
                accepts_to_masqueraded(model),
            )
        });
        let shadowed = shadowed_rules::<CoverIndex>(model, ruleset);
        let others = others
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (others, shadowed)
    });
    let mut findings = Vec::new();
    findings.extend(locked_out);
    findings.extend(shadowed);
    findings.extend(redundant);
    findings.extend(masqueraded);
    findings.extend(zones_without_interfaces(model));
    findings.extend(interfaces_without_zones(model));
    findings.extend(wildcard_sfilters(model));
    findings.extend(useless_options(model));
    findings.extend(family_proc_options(model));
    findings.extend(unreached_policies(model));
    findings.extend(continue_policies(model));
    findings.extend(untracked_beside_invalid(model));
    findings.extend(negated_owners(model));
    findings.extend(firewall_without_dns(model, ruleset));
    findings.extend(log_tags_cut(model, ruleset));
    findings.sort_by_key(|f| f.span.as_ref().map_or(usize::MAX, |s| s.start));
    findings
}

/// Whether the rules the kernel will run accept a new connection (walked
/// through the lowered ruleset, as `fwgen explain` does).
fn accepted(
    model: &Model,
    ruleset: &Ruleset,
    (from, to): (ZoneId, ZoneId),
    proto: Protocol,
    port: u16,
) -> bool {
    accepted_from(model, ruleset, (from, None), to, proto, port)
}

/// [`accepted`] from one address of the source zone, when given: from
/// some host of it, so a host with a MAC address a `[[maclist]]` entry
/// names counts as well as one with none.
fn accepted_from(
    model: &Model,
    ruleset: &Ruleset,
    (from, address): (ZoneId, Option<std::net::IpAddr>),
    to: ZoneId,
    proto: Protocol,
    port: u16,
) -> bool {
    let mut macs: Vec<Option<crate::model::Mac>> = vec![None];
    macs.extend(model.maclist.iter().filter_map(|e| e.mac).map(Some));
    // A rule's senders (`loc:~MAC`): an admin's own workstation.
    macs.extend(
        model
            .rules
            .iter()
            .flat_map(|r| r.source.macs())
            .map(|&m| Some(m)),
    );
    macs.dedup();
    macs.into_iter()
        .any(|mac| accepted_by_mac(model, ruleset, (from, address), to, (proto, port), mac))
}

/// [`accepted_from`] from a sender with this MAC address.
fn accepted_by_mac(
    model: &Model,
    ruleset: &Ruleset,
    (from, address): (ZoneId, Option<std::net::IpAddr>),
    to: ZoneId,
    (proto, port): (Protocol, u16),
    source_mac: Option<crate::model::Mac>,
) -> bool {
    let query = Query {
        from: Place {
            zone: Some(from),
            address,
            interface: None,
            device: None,
        },
        to: Place {
            zone: Some(to),
            address: None,
            interface: None,
            device: None,
        },
        proto: Some(proto),
        dport: Some(port),
        sport: None,
        icmp_type: None,
        icmp_code: None,
        source_mac,
        owner: None,
    };
    explain_in(model, ruleset, &query).is_ok_and(|a| a.verdict == Verdict::Accept)
}

fn policy_span(model: &Model, source: ZoneId, dest: ZoneId) -> Option<Range<usize>> {
    match model.matrix.get(source, dest)?.origin {
        DecisionOrigin::Policy(index) => Some(model.policies[index].span.clone()),
        DecisionOrigin::IntraZone => None,
    }
}

/// Zones without declared networks: the internet, usually.
fn open_zones(model: &Model) -> Vec<ZoneId> {
    (0..model.zones.len())
        .filter(|&z| model.interfaces_of(z).any(|i| i.networks.is_empty()))
        .map(ZoneId::Zone)
        .collect()
}

/// Nothing accepts the management ports into `$FW` from any zone.
fn lockout(model: &Model, ruleset: &Ruleset) -> Option<Finding> {
    let zones: Vec<ZoneId> = (0..model.zones.len())
        .map(ZoneId::Zone)
        .filter(|&z| {
            let ZoneId::Zone(index) = z else { return false };
            // A zone of hosts only (a nested zone's admins) counts too.
            model.has_members(index)
        })
        .collect();
    let reachable = reaches_firewall(model, ruleset, &zones);
    if reachable || zones.is_empty() {
        return None;
    }
    let open = open_zones(model);
    let likely = zones
        .iter()
        .copied()
        .find(|z| !open.contains(z))
        .unwrap_or(zones[0]);
    let span = policy_span(model, likely, ZoneId::Firewall)?;
    let ports: Vec<String> = model
        .firewall
        .management_ports
        .iter()
        .map(u16::to_string)
        .collect();
    Some(Finding::warning(
        "lockout",
        span,
        format!(
            "no zone can reach the firewall on TCP {}: an admin working over SSH is locked out",
            ports.join(", ")
        ),
        format!(
            "accept it from the zone you administer from: [[rule]] macro = \"SSH\", action = \"ACCEPT\", source = \"{}\", dest = \"$FW\" (or set [firewall] management_ports)",
            model.zone_ref_name(ZoneRef::One(likely))
        ),
    ))
}

/// Whether a management port of the firewall accepts a new connection from
/// one of `zones`: from anywhere in a zone, and from each address a rule
/// to the firewall narrows its source to (an admin's own workstation). One
/// walk per address, through the rules that can match a management port
/// (so that a walk does not meet every element of every lookup); addresses
/// that walk alike are walked once.
fn reaches_firewall(model: &Model, ruleset: &Ruleset, zones: &[ZoneId]) -> bool {
    let ports = &model.firewall.management_ports;
    let narrowed = narrowed_to_ports(ruleset, ports);
    let tested = source_networks(&narrowed);
    zones.iter().any(|&z| {
        let mut sources: Vec<Option<std::net::IpAddr>> = vec![None];
        let mut seen = HashSet::new();
        for rule in &model.rules {
            if rule.source.zone.matches(z) && rule.dest.zone.matches(ZoneId::Firewall) {
                for net in &rule.source.addresses {
                    if seen.insert(walks_alike(model, z, net.addr(), &tested)) {
                        sources.push(Some(net.addr()));
                    }
                }
            }
        }
        sources.iter().any(|&address| {
            ports.iter().any(|&port| {
                let from = (z, address);
                accepted_from(
                    model,
                    &narrowed,
                    from,
                    ZoneId::Firewall,
                    Protocol::Tcp,
                    port,
                )
            })
        })
    })
}

/// What the walk of a packet from `address` in zone `zone` reads of its
/// source address: its family, whether explain refuses it (multicast) or
/// the kernel takes it for a broadcast, the interface it arrives on, and
/// which of the networks the ruleset's source-address matches test
/// (`tested`) hold it. Two addresses with the same answer meet the same
/// rules with the same results, so only one of them is walked.
fn walks_alike(
    model: &Model,
    zone: ZoneId,
    address: std::net::IpAddr,
    tested: &HashSet<ipnet::IpNet>,
) -> (bool, bool, bool, Option<String>, Vec<ipnet::IpNet>) {
    let broadcast = address == std::net::IpAddr::from([255, 255, 255, 255]);
    let interface = interface_for(model, zone, Some(address)).map(|i| i.physical.clone());
    let bits = if address.is_ipv6() { 128 } else { 32 };
    let holding = (0..=bits)
        .filter_map(|prefix| ipnet::IpNet::new(address, prefix).ok())
        .map(|net| net.trunc())
        .filter(|net| tested.contains(net))
        .collect();
    (
        address.is_ipv6(),
        address.is_multicast(),
        broadcast,
        interface,
        holding,
    )
}

/// The zone pairs a rule is written into (`all` leaves out intra-zone).
fn rule_pairs(model: &Model, rule: &Rule) -> Vec<(ZoneId, ZoneId)> {
    let ids = model.zone_ids();
    let mut pairs = Vec::new();
    for &s in &ids {
        for &d in &ids {
            let fw_to_fw = s == ZoneId::Firewall && d == ZoneId::Firewall;
            if !fw_to_fw && applies_to(rule.source.zone, rule.dest.zone, (s, d)) {
                pairs.push((s, d));
            }
        }
    }
    pairs
}

/// The rules (not `Invalid`) with the zone pairs each applies to, and for
/// every pair the indices of its rules in order: computed once, so the
/// checks below stay near-linear on large models.
struct RuleIndex<'a> {
    rules: Vec<&'a Rule>,
    pairs: Vec<Vec<(ZoneId, ZoneId)>>,
    by_pair: HashMap<(ZoneId, ZoneId), Vec<usize>>,
}

impl<'a> RuleIndex<'a> {
    fn new(model: &'a Model) -> RuleIndex<'a> {
        let rules: Vec<&Rule> = model
            .rules
            .iter()
            .filter(|r| !r.is_invalid_macro())
            .collect();
        let pairs: Vec<Vec<(ZoneId, ZoneId)>> =
            rules.iter().map(|r| rule_pairs(model, r)).collect();
        let mut by_pair: HashMap<(ZoneId, ZoneId), Vec<usize>> = HashMap::new();
        for (index, rule_pairs) in pairs.iter().enumerate() {
            for pair in rule_pairs {
                by_pair.entry(*pair).or_default().push(index);
            }
        }
        RuleIndex {
            rules,
            pairs,
            by_pair,
        }
    }
}

/// For each model item that decides in pair chains (a rule, or a port
/// forward's or redirect's accept), per pair chain it is in, the earlier
/// item that hides it there (`None`: it matches something there).
type Hidden = HashMap<Origin, Vec<((ZoneId, ZoneId), Option<Origin>)>>;

/// The earlier rules of a chain, asked for the first one that covers a
/// rule: [`CoverIndex`] compares only the candidates its index finds (the
/// tests compare it with a scan of every earlier rule).
trait EarlierRules<'a>: Default {
    fn insert(&mut self, rule: &'a KernelRule);
    fn first_covering(
        &self,
        rule: &KernelRule,
        keep: impl Fn(&KernelRule) -> bool,
    ) -> Option<&'a KernelRule>;
}

impl<'a> EarlierRules<'a> for CoverIndex<'a> {
    fn insert(&mut self, rule: &'a KernelRule) {
        CoverIndex::insert(self, rule);
    }

    fn first_covering(
        &self,
        rule: &KernelRule,
        keep: impl Fn(&KernelRule) -> bool,
    ) -> Option<&'a KernelRule> {
        CoverIndex::first_covering(self, rule, keep)
    }
}

/// Rules the kernel can never reach: in the lowered ruleset, an earlier
/// rule of the same chain (another model rule, or a port forward's accept)
/// matches everything they match, or an earlier rule that matches
/// everything ended the chain. A port forward's or redirect's accept is
/// such a rule too (Shorewall warns of it as of any unreachable rule).
/// The chains are tested on every core (each alone), their results put
/// together in pair order.
fn shadowed_rules<'a, E: EarlierRules<'a>>(model: &Model, ruleset: &'a Ruleset) -> Vec<Finding> {
    let pairs = reachable_pairs(model);
    let per_pair = on_every_core(&pairs, |&pair| hidden_in::<E>(model, ruleset, pair));
    let mut hidden: Hidden = HashMap::new();
    for (&pair, in_chain) in pairs.iter().zip(per_pair) {
        for (item, cover) in in_chain {
            hidden.entry(item).or_default().push((pair, cover));
        }
    }
    let mut items: Vec<Origin> = hidden.keys().copied().collect();
    items.sort_unstable_by_key(|&item| decider(model, item).map(|d| d.span.start));
    items
        .into_iter()
        .filter_map(|item| shadow_finding(model, item, &hidden[&item]))
        .collect()
}

/// `f` of every item, on up to one thread per core (each thread takes the
/// next item not yet taken), the results in the items' order.
fn on_every_core<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let take = || {
        let mut done = Vec::new();
        loop {
            let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(item) = items.get(n) else { break done };
            done.push((n, f(item)));
        }
    };
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let threads: Vec<_> = (1..cores.min(items.len()))
            .map(|_| scope.spawn(take))
            .collect();
        let mut results = take();
        for thread in threads {
            let done = thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            results.extend(done);
        }
        results
    });
    results.sort_unstable_by_key(|(n, _)| *n);
    results.into_iter().map(|(_, r)| r).collect()
}

/// A model item that decides packets in pair chains, as the shadow test
/// names it: what it is, its line and where it is in the file.
struct Decider {
    what: &'static str,
    line: usize,
    span: std::ops::Range<usize>,
}

/// The model item behind a rule of a pair chain, if it is one the shadow
/// test weighs: a rule, or the accept of a port forward or redirect.
fn decider(model: &Model, origin: Origin) -> Option<Decider> {
    let (what, line, span) = match origin {
        Origin::Rule(index) => ("rule", model.rules[index].line, &model.rules[index].span),
        Origin::Dnat(index) => (
            "port forward",
            model.dnats[index].line,
            &model.dnats[index].span,
        ),
        Origin::Redirect(index) => {
            let redirect = &model.redirects[index];
            ("redirect", redirect.line, &redirect.span)
        }
        _ => return None,
    };
    let span = span.clone();
    Some(Decider { what, line, span })
}

/// The items of one pair's chain (in order of first appearance), each
/// with the earlier item that hides all its kernel rules there, if one
/// does.
fn hidden_in<'a, E: EarlierRules<'a>>(
    model: &Model,
    ruleset: &'a Ruleset,
    pair: (ZoneId, ZoneId),
) -> Vec<(Origin, Option<Origin>)> {
    let Some(chain) = ruleset.chain(&model.pair_name(pair.0, pair.1)) else {
        return Vec::new();
    };
    let weighed = |origin: Origin| {
        matches!(
            origin,
            Origin::Rule(_) | Origin::Dnat(_) | Origin::Redirect(_)
        )
    };
    let mut order: Vec<Origin> = Vec::new();
    let mut covered: HashMap<Origin, Option<Origin>> = HashMap::new();
    let mut earlier_rules = E::default();
    for rule in chain.rules.iter().flat_map(KernelRule::items) {
        // A rule that only logs decides nothing and hides nothing.
        let decides = rule.verdict().is_some();
        if weighed(rule.origin) && decides {
            let earlier = earlier_rules
                .first_covering(rule, |e| e.origin != rule.origin && weighed(e.origin))
                .map(|e| e.origin);
            match covered.get_mut(&rule.origin) {
                Some(cover) => *cover = cover.and(earlier),
                None => {
                    order.push(rule.origin);
                    covered.insert(rule.origin, earlier);
                }
            }
        }
        if decides {
            earlier_rules.insert(rule);
        }
    }
    if let Some(last) = chain.rules.last()
        && last.decides_every_packet()
        && let Origin::Rule(ending) = last.origin
    {
        // What the lowering left out after the rule that ends the chain.
        let after = model.rules[ending].span.start;
        let rules = model.rules.iter().enumerate().skip(ending + 1);
        let rules = rules
            .filter(|(index, rule)| {
                !rule.in_invalid_section()
                    && applies_to(rule.source.zone, rule.dest.zone, pair)
                    && renders_in(model, *index, pair)
            })
            .map(|(index, _)| Origin::Rule(index));
        let dnats = model.dnats.iter().enumerate();
        let dnats = dnats
            .filter(|(_, dnat)| {
                dnat.accept && dnat.span.start > after && pair.1 == ZoneId::Zone(dnat.dest)
            })
            .filter(|(_, dnat)| dnat.forwards_from(pair.0))
            .map(|(index, _)| Origin::Dnat(index));
        let redirects = model.redirects.iter().enumerate();
        let redirects = redirects
            .filter(|(_, r)| r.accept && r.span.start > after && pair.1 == ZoneId::Firewall)
            .filter(|(_, r)| r.redirects_from(pair.0))
            .map(|(index, _)| Origin::Redirect(index));
        for item in rules.chain(dnats).chain(redirects) {
            covered.entry(item).or_insert_with(|| {
                order.push(item);
                Some(last.origin)
            });
        }
    }
    order.into_iter().map(|i| (i, covered[&i])).collect()
}

fn shadow_finding(
    model: &Model,
    item: Origin,
    pairs: &[((ZoneId, ZoneId), Option<Origin>)],
) -> Option<Finding> {
    let hidden = decider(model, item)?;
    let shadowed: Vec<(ZoneId, ZoneId)> = pairs
        .iter()
        .filter(|(_, cover)| cover.is_some())
        .map(|(pair, _)| *pair)
        .collect();
    let by = pairs.iter().find_map(|(_, cover)| *cover)?;
    let earlier = decider(model, by)?;
    let (what, line) = (earlier.what, earlier.line);
    // where it is hidden, when that is not everywhere it applies
    let only_in = (shadowed.len() < pairs.len()).then(|| {
        let names: Vec<String> = shadowed
            .iter()
            .map(|&(s, d)| model.pair_name(s, d))
            .collect();
        names.join(", ")
    });
    let (message, hint) = match item {
        Origin::Rule(index) => {
            let rule = &model.rules[index];
            let repeats = match by {
                Origin::Rule(e) => {
                    let e = &model.rules[e];
                    e.verdict == rule.verdict && e.log == rule.log && e.audit == rule.audit
                }
                _ => rule.verdict == Verdict::Accept && rule.log.is_none() && !rule.audit,
            };
            let how = if repeats { "repeats" } else { "shadows" };
            let message = match only_in {
                None => format!("this rule can never match: the {what} at line {line} {how} it"),
                Some(names) => format!(
                    "this rule never matches in {names}: the {what} at line {line} {how} it there"
                ),
            };
            let hint = format!("remove it, or move it above line {line} if it should win");
            (message, hint)
        }
        // a port forward's or redirect's accept: its translation stays
        _ => {
            let this = match item {
                Origin::Dnat(_) => "this port forward's accept",
                _ => "this redirect's accept",
            };
            let how = match by {
                Origin::Rule(e) if model.rules[e].verdict == Verdict::Drop => {
                    "drops its connections first (they are translated, then dropped)"
                }
                Origin::Rule(e) if model.rules[e].verdict == Verdict::Reject => {
                    "rejects its connections first (they are translated, then rejected)"
                }
                _ => "accepts its connections first (they are still translated)",
            };
            let place = only_in
                .map(|names| format!(" in {names}"))
                .unwrap_or_default();
            let message =
                format!("{this} is never reached{place}: the {what} at line {line} {how}");
            (
                message,
                format!("move it above line {line} if it should decide"),
            )
        }
    };
    Some(Finding::warning(
        "shadowed-rule",
        hidden.span,
        message,
        hint,
    ))
}

/// Log tags the kernel's log prefix cuts: Shorewall (Chains.pm, with
/// LOGTAGONLY=No) cuts a prefix with its tag over 29 characters to 28
/// and a space, and warns "Log Prefix shortened"; fwgen's nftables
/// prefix is cut alike. One finding per item, read from the lowered
/// ruleset's log statements.
fn log_tags_cut(model: &Model, ruleset: &Ruleset) -> Vec<Finding> {
    // Per item, the prefix that keeps least of its tag: a port forward
    // from `all` is logged in each zone's chain and in OUTPUT.
    let mut cuts: Vec<(Origin, &str, &LogTag)> = Vec::new();
    let rules = ruleset.chains.iter().flat_map(|chain| &chain.rules);
    for rule in rules.flat_map(|rule| std::iter::once(rule).chain(&rule.parts)) {
        for statement in &rule.statements {
            let Statement::Log {
                prefix,
                tag: Some(tag),
                ..
            } = statement
            else {
                continue;
            };
            if !tag.is_cut() {
                continue;
            }
            match cuts.iter_mut().find(|(origin, ..)| *origin == rule.origin) {
                Some(cut) if cut.2.kept > tag.kept => *cut = (rule.origin, prefix, tag),
                Some(_) => {}
                None => cuts.push((rule.origin, prefix, tag)),
            }
        }
    }
    cuts.into_iter()
        .filter_map(|(origin, prefix, tag)| log_tag_cut(model, origin, prefix, tag))
        .collect()
}

fn log_tag_cut(model: &Model, origin: Origin, prefix: &str, tag: &LogTag) -> Option<Finding> {
    let item = decider(model, origin)?;
    let text = &tag.text;
    let (fate, hint) = match tag.kept {
        0 => (
            "is left out".to_owned(),
            "no tag fits in this prefix; shorter zone names leave room for one".to_owned(),
        ),
        n => (
            format!("is cut to `{}`", &text[..n]),
            format!(
                "a tag of at most {n} characters fits here (or shorter zone names leave more room)"
            ),
        ),
    };
    Some(Finding::warning(
        "log-tag-cut",
        item.span,
        format!(
            "this {}'s log tag `{text}` {fate}: its log prefix `{prefix}` is cut to 29 characters, as Shorewall cuts it (\"Log Prefix shortened\")",
            item.what
        ),
        hint,
    ))
}

fn policy_verdict(action: PolicyAction) -> Option<Verdict> {
    match action {
        PolicyAction::Accept => Some(Verdict::Accept),
        PolicyAction::Drop => Some(Verdict::Drop),
        PolicyAction::Reject => Some(Verdict::Reject),
        PolicyAction::Continue => None,
    }
}

/// A rule that does what the policy of each of its pairs does anyway, with
/// no later rule it could be holding back.
fn redundant_rules(model: &Model) -> Vec<Finding> {
    let index = RuleIndex::new(model);
    // for every pair, the verdicts of its rules from each position on
    let mut verdicts_after: HashMap<(ZoneId, ZoneId), Vec<[bool; 3]>> = HashMap::new();
    for (pair, positions) in &index.by_pair {
        let mut after = vec![[false; 3]; positions.len() + 1];
        for k in (0..positions.len()).rev() {
            after[k] = after[k + 1];
            // A LOG rule decides nothing: it holds no later verdict back.
            let rule = &index.rules[positions[k]];
            if rule.decides() {
                after[k][rule.verdict as usize] = true;
            }
        }
        verdicts_after.insert(*pair, after);
    }
    // for every pair, where the last port forward into it starts
    let mut last_forward: HashMap<(ZoneId, ZoneId), usize> = HashMap::new();
    for dnat in &model.dnats {
        let dest = ZoneRef::One(ZoneId::Zone(dnat.dest));
        for pair in index.by_pair.keys() {
            if applies_to(dnat.source.zone, dest, *pair) {
                let start = last_forward.entry(*pair).or_default();
                *start = (*start).max(dnat.span.start);
            }
        }
    }
    let mut findings = Vec::new();
    for (position, rule) in index.rules.iter().enumerate() {
        let pairs = &index.pairs[position];
        let same_as_policy = !pairs.is_empty()
            && pairs.iter().all(|&(s, d)| {
                let decisions = model.matrix.decisions(s, d);
                !decisions.is_empty()
                    && decisions.iter().all(|decision| {
                        let audited = match decision.origin {
                            DecisionOrigin::Policy(index) => model.policies[index].audit,
                            DecisionOrigin::IntraZone => false,
                        };
                        policy_verdict(decision.action) == Some(rule.verdict)
                            && decision.log == rule.log
                            && audited == rule.audit
                    })
            });
        let later_differs = pairs.iter().any(|pair| {
            let positions = &index.by_pair[pair];
            let k = positions.partition_point(|&i| i <= position);
            let after = verdicts_after[pair][k];
            (0..3).any(|v| after[v] && v != rule.verdict as usize)
        });
        // A port forward's accept further down the file is a later rule too.
        let later_forward = rule.verdict != Verdict::Accept
            && pairs
                .iter()
                .any(|pair| last_forward.get(pair).is_some_and(|&s| s > rule.span.start));
        let later_differs = later_differs || later_forward;
        if same_as_policy && !later_differs {
            findings.push(Finding::warning(
                "redundant-rule",
                rule.span.clone(),
                format!(
                    "this rule has no effect: the policy already {}s these connections",
                    rule.verdict.keyword()
                ),
                "remove it, or change the policy it repeats".to_owned(),
            ));
        }
    }
    findings
}

/// ACCEPT from a zone to addresses that are masqueraded out of that zone's
/// own interface: such private addresses are only reachable through DNAT.
fn accepts_to_masqueraded(model: &Model) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in model
        .rules
        .iter()
        .filter(|r| r.verdict == Verdict::Accept && !r.dest.addresses.is_empty())
    {
        let ZoneRef::One(ZoneId::Zone(source)) = rule.source.zone else {
            continue;
        };
        for snat in &model.snats {
            let interface = &model.interfaces[snat.interface];
            // `keep` leaves the address as it is: nothing is hidden.
            let hidden = interface.zone == Some(source)
                && snat.target != SnatTarget::Keep
                && !snat.sources.is_empty()
                && rule
                    .dest
                    .addresses
                    .iter()
                    .all(|a| snat.sources.iter().any(|s| s.contains(a)));
            if hidden {
                findings.push(Finding::warning(
                    "accept-to-masqueraded",
                    rule.span.clone(),
                    format!(
                        "`{}` cannot reach these addresses directly: they leave through {} masqueraded",
                        model.zones[source].name, interface.physical
                    ),
                    "to publish a service, add a [[dnat]] port forward instead".to_owned(),
                ));
                break;
            }
        }
    }
    findings
}

fn zones_without_interfaces(model: &Model) -> Vec<Finding> {
    (0..model.zones.len())
        .filter(|&z| !model.has_members(z))
        .map(|z| {
            Finding::warning(
                "zone-without-interface",
                model.zones[z].span.clone(),
                format!(
                    "zone `{}` has no interface and no hosts: no traffic can belong to it",
                    model.zones[z].name
                ),
                "add an [interfaces.NAME] with this zone or `hosts` to it, or remove the zone"
                    .to_owned(),
            )
        })
        .collect()
}

/// An interface of no zone that no zone's hosts are on: every packet on
/// it reaches the catch-all (Shorewall's `-` without a hosts line).
fn interfaces_without_zones(model: &Model) -> Vec<Finding> {
    (0..model.interfaces.len())
        .filter(|&i| model.interfaces[i].zone.is_none() && !model.has_hosts_on(i))
        .map(|i| {
            let interface = &model.interfaces[i];
            Finding::warning(
                "interface-without-zone",
                interface.span.clone(),
                format!(
                    "interface `{}` has no zone and no zone's hosts are on it: every packet on it reaches the catch-all",
                    interface.name
                ),
                "give it a `zone`, or give its networks to zones with `hosts`".to_owned(),
            )
        })
        .collect()
}

/// A named interface that a wildcard without routeback covers, where
/// another zone than the wildcard's is (its own zone, or hosts): the
/// wildcard's sfilter (`-o eth+ -g sfilter`, ahead of any conntrack match)
/// drops whatever comes in by the wildcard and would leave by it, replies
/// to that zone's connections included.
fn wildcard_sfilters(model: &Model) -> Vec<Finding> {
    let mut findings = Vec::new();
    for wildcard in &model.interfaces {
        let (Some(stem), Some(zone)) = (wildcard.physical.strip_suffix('+'), wildcard.zone) else {
            continue;
        };
        if !sfiltered(model, wildcard, false) && !sfiltered(model, wildcard, true) {
            continue;
        }
        for (index, named) in model.interfaces.iter().enumerate() {
            if named.physical.ends_with('+') || !named.physical.starts_with(stem) {
                continue;
            }
            let others: Vec<String> = (0..model.zones.len())
                .filter(|&z| z != zone)
                .filter(|&z| {
                    named.zone == Some(z)
                        || model.zones[z].hosts.iter().any(|h| h.interface == index)
                })
                .map(|z| format!("`{}`", model.zones[z].name))
                .collect();
            if others.is_empty() {
                continue;
            }
            let wildcard_zone = &model.zones[zone].name;
            findings.push(Finding::warning(
                "wildcard-sfilter",
                named.span.clone(),
                format!(
                    "interface `{}` is covered by the wildcard `{}` of zone `{wildcard_zone}`, which has no routeback: its sfilter drops whatever comes in by `{}` and would leave by `{}`, replies to the connections of {} (on `{}`) to `{wildcard_zone}` included",
                    named.name,
                    wildcard.name,
                    wildcard.name,
                    named.name,
                    others.join(", "),
                    named.name
                ),
                format!(
                    "add `routeback` to the options of `{}`, or narrow the wildcard so that it does not cover `{}`",
                    wildcard.name, named.name
                ),
            ));
        }
    }
    findings
}

fn useless_options(model: &Model) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (index, interface) in model.interfaces.iter().enumerate() {
        let family = model.interface_family(index);
        let (ipv6_only, ipv4_only) = (!family.has_ipv4(), !family.has_ipv6());
        for (option, span) in interface.options.iter().zip(&interface.option_spans) {
            let reason = match option {
                InterfaceOption::Routeback if interface.has(InterfaceOption::Bridge) => {
                    Some("`bridge` already implies routeback")
                }
                InterfaceOption::Routefilter(_)
                | InterfaceOption::Logmartians(_)
                | InterfaceOption::ArpFilter
                | InterfaceOption::Proxyarp(_)
                    if ipv6_only =>
                {
                    Some("it is an IPv4 setting and the zone is IPv6 only")
                }
                InterfaceOption::Forward(_) if ipv4_only => {
                    Some("it is an IPv6 setting and the zone is IPv4 only")
                }
                InterfaceOption::Logmartians(value)
                    if *value != Some(0) && model.route_filter(interface).is_none() =>
                {
                    Some("without routefilter the nftables backend has nothing to log")
                }
                _ => None,
            };
            if let Some(reason) = reason {
                findings.push(Finding::warning(
                    "useless-option",
                    span.clone(),
                    format!(
                        "option `{option}` does nothing on {}: {reason}",
                        interface.physical
                    ),
                    "remove the option".to_owned(),
                ));
            }
            // Shorewall sets these in /proc when it starts; the nftables
            // ruleset is rules only (docs/model.md): said, not silent.
            let proc_key = match option {
                InterfaceOption::Proxyarp(value) if *value != Some(0) => {
                    Some((Family::Ipv4, "proxy_arp"))
                }
                InterfaceOption::Sourceroute(value) if *value != Some(0) => {
                    Some((Family::Ipv4, "accept_source_route"))
                }
                InterfaceOption::ArpFilter => Some((Family::Ipv4, "arp_filter")),
                // Shorewall6 writes the value, 0 included.
                InterfaceOption::Forward(_) => Some((Family::Ipv6, "forwarding")),
                _ => None,
            };
            if let Some((family, key)) = proc_key
                && reason.is_none()
                && !interface.physical.ends_with('+')
            {
                let product = if family.is_ipv6() {
                    "Shorewall6"
                } else {
                    "Shorewall"
                };
                let (family, physical) = (family.name(), &interface.physical);
                findings.push(Finding::warning(
                    "proc-option-not-set",
                    span.clone(),
                    format!(
                        "option `{option}` on {physical}: {product} sets net.{family}.conf.{physical}.{key} when it starts; fwgen's nftables ruleset sets no kernel setting, so with it the kernel keeps its own value",
                    ),
                    format!(
                        "set net.{family}.conf.{physical}.{key} in /etc/sysctl.d/ when you load the nftables ruleset",
                    ),
                ));
            }
        }
    }
    findings
}

/// `sourceroute` in one family's list (`options_ipv4`, `options_ipv6`):
/// that family's Shorewall sets net.ipvN.conf.IF.accept_source_route
/// (Proc.pm setup_source_routing); fwgen's nftables ruleset does not.
fn family_proc_options(model: &Model) -> Vec<Finding> {
    let mut findings = Vec::new();
    for interface in &model.interfaces {
        for option in &interface.family_options {
            let InterfaceOption::Sourceroute(value) = option.option else {
                continue;
            };
            if value == Some(0) || interface.physical.ends_with('+') {
                continue;
            }
            let (family, product) = if option.ipv6 {
                ("ipv6", "Shorewall6")
            } else {
                ("ipv4", "Shorewall")
            };
            let physical = &interface.physical;
            let key = format!("net.{family}.conf.{physical}.accept_source_route");
            findings.push(Finding::warning(
                "proc-option-not-set",
                option.span.clone(),
                format!(
                    "option `{}` on {physical}: {product} sets {key} when it starts; fwgen's nftables ruleset sets no kernel setting, so with it the kernel keeps its own value",
                    option.option
                ),
                format!("set {key} in /etc/sysctl.d/ when you load the nftables ruleset"),
            ));
        }
    }
    findings
}

fn unreached_policies(model: &Model) -> Vec<Finding> {
    let ids = model.zone_ids();
    let used = |index: usize| {
        ids.iter().any(|&s| {
            ids.iter().any(|&d| {
                model
                    .matrix
                    .decisions(s, d)
                    .iter()
                    .any(|m| m.origin == DecisionOrigin::Policy(index))
            })
        })
    };
    (0..model.policies.len())
        .filter(|&index| !used(index))
        .map(|index| {
            Finding::warning(
                "unreached-policy",
                model.policies[index].span.clone(),
                "this policy is never reached: earlier policies decide every zone pair it names"
                    .to_owned(),
                "remove it, or move it above the entry that covers it".to_owned(),
            )
        })
        .collect()
}

/// CONTINUE only means something for a nested zone (its parent's rules
/// and policy follow, as the parent is dispatched after it); elsewhere
/// such pairs fall to the catch-all (Shorewall warns too), which decides
/// them by another policy or Shorewall's default. Where such a pair has
/// no rule, every packet of it does, replies included: Shorewall decides
/// connection states in its pair chains and makes none for the pair.
fn continue_policies(model: &Model) -> Vec<Finding> {
    let nested = |side: &PolicySide| {
        side.listed()
            .iter()
            .any(|z| matches!(z, ZoneId::Zone(z) if !model.zones[*z].parents.is_empty()))
    };
    model
        .policies
        .iter()
        .enumerate()
        .filter(|(_, p)| p.action == PolicyAction::Continue)
        .filter(|(_, p)| !nested(&p.source) && !nested(&p.dest))
        .map(|(index, p)| {
            Finding::warning(
                "continue-without-nesting",
                p.span.clone(),
                format!(
                    "CONTINUE has no nested zone to continue to: connections no rule decides reach {}; where the pair has no rule, so do the replies to connections the other way",
                    catch_all_outcome(model, index)
                ),
                "say what should happen: ACCEPT, DROP or REJECT".to_owned(),
            )
        })
        .collect()
}

/// A negated owner test (`owner_negated`, NEW section: the model refuses
/// it elsewhere): iptables' owner match, every test negated, holds for a
/// packet with no process's socket (xt_owner), nftables' `meta skuid !=`
/// does not (nft_meta), and some such packets are new or untracked: the
/// kernel's IGMP and MLD reports, neighbour discovery, the sockets of
/// kernel services (an NFS mount, a WireGuard tunnel). The two backends
/// part on them.
fn negated_owners(model: &Model) -> Vec<Finding> {
    (model.rules.iter().enumerate())
        .filter(|(_, rule)| rule.owner.as_ref().is_some_and(|o| o.negated))
        .filter_map(|(index, _)| {
            let item = decider(model, Origin::Rule(index))?;
            Some(Finding::warning(
                "negated-owner-kernel",
                item.span,
                "this rule's negated owner test parts the backends on what the kernel sends with no process's socket (IGMP and MLD reports, neighbour discovery, a kernel service's sockets such as an NFS mount's or a WireGuard tunnel's): Shorewall's `! --uid-owner` matches those packets, nftables' `meta skuid !=` does not".to_owned(),
                "name the users the rule is for instead (`user` or `group` without `owner_negated`): every packet a process sends has one".to_owned(),
            ))
        })
        .collect()
}

/// An `Invalid` rule where the zone pair chains decide untracked packets:
/// Shorewall 5.2.8 gives the pairs it applies to no untracked disposition
/// or log (src/ruleset/lower.rs `untracked_rule`), and fwgen follows it so
/// that both backends agree, which is probably not what the model means.
fn untracked_beside_invalid(model: &Model) -> Vec<Finding> {
    use crate::model::Disposition;
    // The family whose pair chains decide untracked packets (IPv4's when
    // both do).
    let ipv6 = match (
        untracked_in_pairs(model, false),
        untracked_in_pairs(model, true),
    ) {
        (false, false) => return Vec::new(),
        (true, _) => false,
        (false, true) => true,
    };
    let disposition = model.firewall.dispositions.untracked.get(ipv6);
    let what = match disposition {
        Disposition::Accept if plain_untracked_accept(model, ipv6) => {
            "are accepted without untracked_log's log".to_owned()
        }
        Disposition::Continue => "are not logged (untracked_log)".to_owned(),
        _ => format!(
            "skip untracked_disposition {}{} and go on to the pair's rules and policy",
            model
                .firewall
                .dispositions
                .word(crate::model::DispositionKey::Untracked, ipv6),
            match model.firewall.state_logs.untracked.get(ipv6) {
                Some(_) => " and its log",
                None => "",
            }
        ),
    };
    model
        .rules
        .iter()
        .filter(|r| r.in_invalid_section())
        .map(|rule| {
            Finding::warning(
                "untracked-beside-invalid",
                rule.span.clone(),
                format!(
                    "untracked packets of the zone pairs this Invalid rule applies to {what}, as Shorewall 5.2.8 compiles a pair chain with rules in its INVALID section"
                ),
                "Shorewall's Rules.pm (finish_chain_section) leaves the UNTRACKED disposition out of such a chain and fwgen's nftables does the same; to have it in every pair, let invalid_disposition decide invalid packets instead of the Invalid rule".to_owned(),
            )
        })
        .collect()
}

/// What the catch-all does with the pairs the policy decides: for each of
/// INPUT, FORWARD and OUTPUT that they end in, its verdict and the policy
/// it takes ([`catch_all_policy`], as the lowered ruleset ends them).
fn catch_all_outcome(model: &Model, policy: usize) -> String {
    let ids = model.zone_ids();
    // The end of its own family's list (IPv4's for an entry of both).
    let ipv6 = !model.policies[policy].family.has_ipv4();
    let mut hooks = Vec::new();
    for &s in &ids {
        for &d in &ids {
            let decided = model
                .matrix
                .decisions(s, d)
                .iter()
                .any(|m| m.origin == DecisionOrigin::Policy(policy));
            let hook = match (s, d) {
                (_, ZoneId::Firewall) => Hook::Input,
                (ZoneId::Firewall, _) => Hook::Output,
                _ => Hook::Forward,
            };
            if decided && !hooks.contains(&hook) {
                hooks.push(hook);
            }
        }
    }
    hooks.sort_by_key(|hook| {
        [Hook::Input, Hook::Forward, Hook::Output]
            .iter()
            .position(|h| h == hook)
    });
    let ends: Vec<String> = hooks
        .into_iter()
        .map(|hook| {
            let end = catch_all_policy(model, hook, ipv6);
            let verb = match end.action {
                PolicyAction::Accept => "accepts",
                PolicyAction::Reject => "rejects",
                // A CONTINUE catch-all leaves the packet to the base
                // chain, which drops it.
                PolicyAction::Drop | PolicyAction::Continue => "drops",
            };
            let chain = match hook {
                Hook::Input => "INPUT",
                Hook::Output => "OUTPUT",
                _ => "FORWARD",
            };
            let why = match end.policy {
                Some(index) => format!("the policy at line {}", model.policies[index].line),
                None => "no policy of `all` names it: Shorewall's default, logged".to_owned(),
            };
            format!("the end of {chain}, which {verb} them ({why})")
        })
        .collect();
    if ends.is_empty() {
        "the catch-all".to_owned()
    } else {
        ends.join("; ")
    }
}

/// The firewall cannot query DNS in the uplink zone: a notice, since some
/// firewalls are meant to be closed.
fn firewall_without_dns(model: &Model, ruleset: &Ruleset) -> Option<Finding> {
    let uplinks: Vec<ZoneId> = {
        let masqueraded: Vec<ZoneId> = model
            .snats
            .iter()
            .filter_map(|s| model.interfaces[s.interface].zone.map(ZoneId::Zone))
            .collect();
        if masqueraded.is_empty() {
            open_zones(model)
        } else {
            masqueraded
        }
    };
    let uplink = *uplinks.first()?;
    let pair = (ZoneId::Firewall, uplink);
    let dns = accepted(model, ruleset, pair, Protocol::Udp, 53)
        || accepted(model, ruleset, pair, Protocol::Tcp, 53);
    if dns {
        return None;
    }
    Some(Finding {
        level: Level::Notice,
        code: "firewall-without-dns",
        message: format!(
            "the firewall itself cannot reach DNS in `{}` (its uplink): no name lookups, no package updates",
            model.zone_ref_name(ZoneRef::One(uplink))
        ),
        hint: format!(
            "if it should: [[rule]] macro = \"DNS\", action = \"ACCEPT\", source = \"$FW\", dest = \"{}\"",
            model.zone_ref_name(ZoneRef::One(uplink))
        ),
        span: policy_span(model, ZoneId::Firewall, uplink),
    })
}

/// The benches' model generator, for the tests.
#[cfg(test)]
#[path = "../examples/gen_model.rs"]
#[allow(dead_code)]
mod gen_model;

#[cfg(test)]
mod tests {
    use super::gen_model;
    use super::*;
    use crate::load::compile;
    use crate::ruleset::cover::covers;
    use crate::source::Source;

    /// The shadow test as first written: each rule compared with every
    /// earlier rule of its chain in turn.
    #[derive(Default)]
    struct Scan<'a>(Vec<&'a KernelRule>);

    impl<'a> EarlierRules<'a> for Scan<'a> {
        fn insert(&mut self, rule: &'a KernelRule) {
            self.0.push(rule);
        }

        fn first_covering(
            &self,
            rule: &KernelRule,
            keep: impl Fn(&KernelRule) -> bool,
        ) -> Option<&'a KernelRule> {
            self.0
                .iter()
                .copied()
                .find(|&earlier| keep(earlier) && covers(earlier, rule))
        }
    }

    /// A model of `count` random rules between three zones, from nested
    /// networks and hosts, on ports, lists and ranges that overlap, with
    /// every verdict, some logged, and port forwards among them.
    fn overlapping_model(count: usize, seed: u64) -> String {
        let sources = [
            "loc",
            "loc:10.1.0.0/16",
            "loc:10.1.2.0/24",
            "loc:10.1.2.3",
            "loc:10.1.2.3,10.1.9.9",
            "net",
            "net:192.0.2.0/24",
            "net:192.0.2.7",
            "all",
        ];
        let dests = ["net", "$FW", "dmz", "dmz:10.3.0.5", "loc:10.1.2.0/24"];
        let services = [
            "proto = \"tcp\"\ndport = 22",
            "proto = \"tcp\"\ndport = 80",
            "proto = \"tcp\"\ndport = \"1:1024\"",
            "proto = \"udp\"\ndport = \"8000:8010\"",
            "proto = \"tcp\"\ndport = \"8005\"",
            "proto = \"tcp\"\ndport = \"22,80,443\"",
            "proto = \"tcp\"\ndport = \"22,80,443,8080,8443\"",
            "proto = \"udp\"\ndport = \"60000:65535\"",
            "proto = \"tcp\"",
            "proto = \"icmp\"",
            "macro = \"SSH\"",
            "macro = \"DNS\"",
            "macro = \"Web\"",
            "",
        ];
        let actions = ["ACCEPT", "DROP", "REJECT"];
        let mut next = crate::ruleset::test_random(seed);
        let mut text = String::from(
            "[zones.net]\n[zones.loc]\n[zones.dmz]\n\
             [interfaces.eth0]\nzone = \"net\"\n\
             [interfaces.eth1]\nzone = \"loc\"\nnetworks = [\"10.1.0.0/16\"]\n\
             [interfaces.eth2]\nzone = \"dmz\"\nnetworks = [\"10.3.0.0/16\"]\n\
             [[policy]]\nsource = \"loc\"\ndest = \"net\"\naction = \"ACCEPT\"\n\
             [[policy]]\nsource = \"all\"\ndest = \"all\"\naction = \"REJECT\"\n",
        );
        for _ in 0..count {
            if next(25) == 0 {
                text.push_str(&format!(
                    "[[dnat]]\nsource = \"net\"\ndest = \"dmz\"\nto = \"10.3.0.5\"\n\
                     proto = \"tcp\"\ndport = {}\n",
                    [22, 80, 8005][next(3)]
                ));
                continue;
            }
            let source = sources[next(sources.len())];
            let mut dest = dests[next(dests.len())];
            if source.split(':').next() == dest.split(':').next() {
                dest = "net";
            }
            if source.starts_with("net") && dest == "net" {
                dest = "$FW";
            }
            text.push_str(&format!(
                "[[rule]]\naction = \"{}\"\nsource = \"{source}\"\ndest = \"{dest}\"\n{}\n",
                actions[next(actions.len())],
                services[next(services.len())]
            ));
            if next(8) == 0 {
                text.push_str("log = \"info\"\n");
            }
        }
        text
    }

    /// The shadow findings of a model, found through the index and by
    /// scanning every earlier rule; their number.
    fn shadowed_both_ways(name: &str, text: &str) -> usize {
        let model = compile(&Source::new(name, text.to_owned())).unwrap();
        let ruleset = lower_unnamed(&model);
        let indexed = shadowed_rules::<CoverIndex>(&model, &ruleset);
        let scanned = shadowed_rules::<Scan>(&model, &ruleset);
        assert_eq!(indexed, scanned, "{name}");
        indexed.len()
    }

    #[test]
    fn the_indexed_shadow_test_finds_what_scanning_every_earlier_rule_finds() {
        let mut found = 0;
        for seed in 1..=12 {
            let name = format!("overlapping {seed}");
            found += shadowed_both_ways(&name, &overlapping_model(400, seed));
        }
        // Models of the benches' generator: macros, logs, port forwards.
        for seed in 1..=3 {
            let mixed = gen_model::generate(4, 800, seed);
            found += shadowed_both_ways(&format!("mixed {seed}"), &mixed);
            let address_port = gen_model::generate_address_port(4, 800, seed);
            found += shadowed_both_ways(&format!("address-port {seed}"), &address_port);
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for models in ["tests/check", "tests/models", "examples"] {
            for entry in std::fs::read_dir(dir.join(models)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "toml") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    found += shadowed_both_ways(&path.display().to_string(), &text);
                }
            }
        }
        // The comparison means something only if rules were found hidden.
        assert!(found > 500, "{found} shadowed rules");
    }

    /// [`reaches_firewall`] as first written: every address, walked
    /// through the whole ruleset.
    fn reaches_walking_every_address(model: &Model, ruleset: &Ruleset, zones: &[ZoneId]) -> bool {
        zones.iter().any(|&z| {
            let mut sources = vec![None];
            for rule in &model.rules {
                if rule.source.zone.matches(z) && rule.dest.zone.matches(ZoneId::Firewall) {
                    sources.extend(rule.source.addresses.iter().map(|net| Some(net.addr())));
                }
            }
            sources.iter().any(|&address| {
                model.firewall.management_ports.iter().any(|&port| {
                    let from = (z, address);
                    accepted_from(model, ruleset, from, ZoneId::Firewall, Protocol::Tcp, port)
                })
            })
        })
    }

    fn reaches_both_ways(name: &str, text: &str) -> bool {
        let model = compile(&Source::new(name, text.to_owned())).unwrap();
        let ruleset = crate::ruleset::lower::lower(&model);
        let zones: Vec<ZoneId> = (0..model.zones.len()).map(ZoneId::Zone).collect();
        let walked = reaches_walking_every_address(&model, &ruleset, &zones);
        assert_eq!(reaches_firewall(&model, &ruleset, &zones), walked, "{name}");
        walked
    }

    fn continue_messages(text: &str) -> Vec<String> {
        let model = compile(&Source::new("continue.toml", text.to_owned())).unwrap();
        continue_policies(&model)
            .into_iter()
            .map(|f| f.message)
            .collect()
    }

    #[test]
    fn continue_without_nesting_says_what_the_catch_all_does() {
        let zones = "[zones.net]\n[zones.loc]\n[interfaces.eth0]\nzone = \"net\"\n\
                     [interfaces.eth1]\nzone = \"loc\"\n";
        let policy = |source: &str, dest: &str, action: &str| {
            format!("[[policy]]\nsource = \"{source}\"\ndest = \"{dest}\"\naction = \"{action}\"\n")
        };
        let accepting = format!(
            "{zones}{}{}",
            policy("loc", "net", "CONTINUE"),
            policy("all", "all", "ACCEPT")
        );
        assert_eq!(
            continue_messages(&accepting),
            [
                "CONTINUE has no nested zone to continue to: connections no rule decides reach \
              the end of FORWARD, which accepts them (the policy at line 11)\
              ; where the pair has no rule, so do the replies to connections the other way"
            ]
        );
        // Without a policy of `all`: INPUT drops, OUTPUT and FORWARD reject.
        let defaults = format!(
            "{zones}{}{}{}{}",
            policy("loc", "all", "CONTINUE"),
            policy("net", "all", "DROP"),
            policy("$FW", "net", "ACCEPT"),
            policy("$FW", "loc", "ACCEPT"),
        );
        assert_eq!(
            continue_messages(&defaults),
            [
                "CONTINUE has no nested zone to continue to: connections no rule decides reach \
              the end of INPUT, which drops them (no policy of `all` names it: Shorewall's \
              default, logged); the end of FORWARD, which rejects them (no policy of `all` \
              names it: Shorewall's default, logged)\
              ; where the pair has no rule, so do the replies to connections the other way"
            ]
        );
        // `all $FW` ends INPUT, before `all all`.
        let own = format!(
            "{zones}{}{}{}",
            policy("loc", "$FW", "CONTINUE"),
            policy("all", "$FW", "DROP"),
            policy("all", "all", "REJECT"),
        );
        assert_eq!(
            continue_messages(&own),
            [
                "CONTINUE has no nested zone to continue to: connections no rule decides reach \
              the end of INPUT, which drops them (the policy at line 11)\
              ; where the pair has no rule, so do the replies to connections the other way"
            ]
        );
    }

    /// A zone `loc` on two interfaces, and rules to the firewall from hosts
    /// of the first: 40 to ports of their own (a lookup), the `extra` rules
    /// in the middle of them.
    fn hosts_model(extra: &str) -> String {
        let mut text = String::from(
            "[zones.net]\n[zones.loc]\n[interfaces.eth0]\nzone = \"net\"\n\
             [interfaces.eth1]\nzone = \"loc\"\nnetworks = [\"192.168.1.0/24\"]\n\
             [interfaces.eth2]\nzone = \"loc\"\nnetworks = [\"192.168.2.0/24\"]\n\
             [[policy]]\nsource = \"all\"\ndest = \"all\"\naction = \"REJECT\"\n",
        );
        for host in 1..=40 {
            if host == 20 {
                text.push_str(extra);
            }
            text.push_str(&format!(
                "[[rule]]\naction = \"ACCEPT\"\nsource = \"loc:192.168.1.{host}\"\n\
                 dest = \"$FW\"\nproto = \"tcp\"\ndport = {}\n",
                1000 + host
            ));
        }
        text
    }

    fn ssh(action: &str, source: &str) -> String {
        format!(
            "[[rule]]\naction = \"{action}\"\nsource = \"{source}\"\ndest = \"$FW\"\n\
             proto = \"tcp\"\ndport = 22\n"
        )
    }

    #[test]
    fn narrowed_walks_find_the_firewall_reachable_exactly_when_walking_every_address_does() {
        let cases = [
            ("nothing to port 22", String::new(), false),
            ("one host", ssh("ACCEPT", "loc:192.168.1.5"), true),
            (
                "one host, after a drop of its network",
                ssh("DROP", "loc:192.168.1.0/28") + &ssh("ACCEPT", "loc:192.168.1.5"),
                false,
            ),
            (
                "a host of the network dropped, another not",
                ssh("DROP", "loc:192.168.1.0/28")
                    + &ssh("ACCEPT", "loc:192.168.1.5")
                    + &ssh("ACCEPT", "loc:192.168.1.200"),
                true,
            ),
            (
                "a host behind the second interface",
                ssh("ACCEPT", "loc:192.168.2.9"),
                true,
            ),
            ("from the internet", ssh("ACCEPT", "net"), true),
        ];
        for (name, extra, reachable) in cases {
            assert_eq!(
                reaches_both_ways(name, &hosts_model(&extra)),
                reachable,
                "{name}"
            );
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for models in ["tests/check", "tests/models", "examples"] {
            for entry in std::fs::read_dir(dir.join(models)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "toml") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    reaches_both_ways(&path.display().to_string(), &text);
                }
            }
        }
    }
}
