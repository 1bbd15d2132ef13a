//! The nftables backend: prints the lowered ruleset (src/ruleset/) as one
//! file that `nft -f` loads atomically, replacing fwgen's own table and
//! nothing else. It decides nothing: templates/nftables/ruleset.txt lays
//! the chains out and print.rs spells each rule.

mod print;

use print::Line;
pub use print::level_name;

use askama::Template;

use super::{OutputFile, header, template_failure};
use crate::error::Error;
use crate::model::{Forwarding, Model};
use crate::nft_defines::variable;
use crate::ruleset::lower::lower;
use crate::ruleset::stopped::lower_stopped;
use crate::ruleset::{ChainType, Hook, Policy, Priority, Ruleset};

/// The file's name in the output directory.
pub const FILE_NAME: &str = "fwgen.nft";
/// The stopped ruleset's file, next to it.
pub use crate::ruleset::stopped::FILE_NAME as STOPPED_FILE_NAME;

#[derive(Template)]
#[template(path = "nftables/ruleset.txt")]
struct RulesetFile<'a> {
    header: &'a str,
    /// The stopped ruleset (fwgen-stopped.nft), not the running one.
    stopped: bool,
    /// What the ruleset expects of the kernel's IP forwarding switch.
    forwarding: String,
    /// The `nft -D` defines loading the file needs (`&eth0`), one per
    /// interface: `fwgen_addr_eth0=<the first IPv4 address of eth0>`.
    defines: Vec<String>,
    table: &'a str,
    sets: Vec<SetView<'a>>,
    /// `ct helper` objects, and what attaches them.
    helpers: Vec<HelperView<'a>>,
    helpers_comment: &'static str,
    chains: Vec<ChainView<'a>>,
}

struct SetView<'a> {
    /// `set` or `map`.
    kind: &'static str,
    name: &'a str,
    /// What the set is for, shown above it.
    comment: String,
    lines: Vec<Line<'a>>,
}

struct HelperView<'a> {
    name: &'a str,
    lines: Vec<String>,
}

struct ChainView<'a> {
    name: &'a str,
    comment: Option<&'a str>,
    /// `type filter hook input priority filter; policy drop;`
    base: Option<String>,
    /// The rules as lines of the file.
    lines: Vec<Line<'a>>,
}

fn base_line(base: &crate::ruleset::Base) -> String {
    let chain_type = match base.chain_type {
        ChainType::Filter => "filter",
        ChainType::Nat => "nat",
    };
    let hook = match base.hook {
        Hook::Prerouting => "prerouting",
        Hook::Input => "input",
        Hook::Forward => "forward",
        Hook::Output => "output",
        Hook::Postrouting => "postrouting",
    };
    let policy = match base.policy {
        Policy::Accept => "accept",
        Policy::Drop => "drop",
    };
    // nft 1.0.6 knows the word `dstnat` in prerouting only; -100 is its
    // value, the place of iptables' nat OUTPUT chain.
    let priority = match (base.hook, base.priority) {
        (Hook::Output, Priority::Dstnat) => "-100",
        (_, priority) => print::priority_word(priority),
    };
    format!("type {chain_type} hook {hook} priority {priority}; policy {policy};")
}

/// The header's line on IP forwarding, which this file does not switch:
/// one for both families, or each family's when they differ.
fn forwarding(model: &Model) -> String {
    let (ipv4, ipv6) = (model.ip_forwarding(false), model.ip_forwarding(true));
    if ipv4 == ipv6 || !model.has_family(true) {
        return match ipv4 {
            Forwarding::On => {
                "on: set net.ipv4.ip_forward=1 (and net.ipv6.conf.all.forwarding=1 for IPv6 zones); loading this file does not"
            }
            Forwarding::Off => {
                "off: the forward chain drops every packet first; net.ipv4.ip_forward=0 says the same to the kernel"
            }
            Forwarding::Keep => "keep: the kernel's switch is left as it is",
        }
        .to_owned();
    }
    let family = |ipv6: bool, forwarding: Forwarding| {
        let (name, key, nfproto) = if ipv6 {
            ("IPv6", "net.ipv6.conf.all.forwarding", "ipv6")
        } else {
            ("IPv4", "net.ipv4.ip_forward", "ipv4")
        };
        match forwarding {
            Forwarding::On => format!("{name} on: set {key}=1; loading this file does not"),
            Forwarding::Off => format!(
                "{name} off: the forward chain drops every {nfproto} packet first; {key}=0 says the same to the kernel"
            ),
            Forwarding::Keep => format!("{name} keep: the kernel's {key} is left as it is"),
        }
    };
    format!("{}; {}", family(false, ipv4), family(true, ipv6))
}

/// The model's ipsets, the log limit's sets, then every lookup the chains
/// make, in order.
fn sets(ruleset: &Ruleset) -> Vec<SetView<'_>> {
    let mut sets: Vec<SetView> = ruleset
        .ipsets
        .iter()
        .map(|set| SetView {
            kind: "set",
            name: &set.name,
            comment: format!(
                "ipset {} ({}): created with these elements; `fwgen apply` keeps the members added since (`nft add element inet {} {} {{ ... }}`)",
                set.name,
                set.kind.name(),
                ruleset.table,
                set.name
            ),
            lines: print::ipset_lines(set).into_iter().map(Line::Text).collect(),
        })
        .collect();
    sets.extend(ruleset.sets.iter().map(|set| SetView {
        kind: "set",
        name: &set.name,
        comment: set.comment.clone(),
        lines: print::set_lines(set).into_iter().map(Line::Text).collect(),
    }));
    let lookups = ruleset
        .chains
        .iter()
        .flat_map(|chain| chain.rules.iter().map(move |rule| (chain, rule)));
    for (chain, rule) in lookups {
        if let Some(lookup) = rule.lookup() {
            sets.push(SetView {
                kind: if lookup.verdict.is_some() {
                    "set"
                } else {
                    "map"
                },
                name: &lookup.name,
                comment: format!(
                    "rules of chain {} in one lookup; each element names its rule",
                    chain.name
                ),
                lines: print::lookup_lines(lookup),
            });
        }
    }
    sets
}

pub fn render(model: &Model) -> Result<Vec<OutputFile>, Vec<Error>> {
    files(&Heading::of(model), &lower(model), &lower_stopped(model))
}

/// [`render`] of a model that nothing reads afterwards: it is let go once
/// both rulesets are lowered, before they are printed (at 100,000 rules
/// the model is a quarter of the peak heap, docs/performance.md).
pub fn render_owned(model: Model) -> Result<Vec<OutputFile>, Vec<Error>> {
    let running = lower(&model);
    let stopped = lower_stopped(&model);
    let heading = Heading::of(&model);
    drop(model);
    files(&heading, &running, &stopped)
}

/// What the files say of the model beside the rulesets: the header and
/// the lines above the sets and the helpers.
struct Heading {
    header: String,
    forwarding: String,
    helpers_comment: &'static str,
}

impl Heading {
    fn of(model: &Model) -> Heading {
        Heading {
            header: header(model),
            forwarding: forwarding(model),
            helpers_comment: match model.firewall.conntrack_helpers {
                true => "the conntrack helpers the helpers chains attach (conntrack_helpers)",
                false => {
                    "the conntrack helpers rules attach (a helper macro's, with conntrack_helpers = false)"
                }
            },
        }
    }
}

fn files(
    heading: &Heading,
    running: &Ruleset,
    stopped: &Ruleset,
) -> Result<Vec<OutputFile>, Vec<Error>> {
    let running = print_ruleset(heading, running, false)?;
    let stopped = print_ruleset(heading, stopped, true)?;
    Ok(vec![
        OutputFile {
            path: FILE_NAME.to_owned(),
            content: running,
        },
        OutputFile {
            path: STOPPED_FILE_NAME.to_owned(),
            content: stopped,
        },
    ])
}

/// One ruleset as a file `nft -f` loads: the running one, or the stopped
/// one (src/ruleset/stopped.rs), which says so at its top.
fn print_ruleset(
    heading: &Heading,
    ruleset: &Ruleset,
    stopped: bool,
) -> Result<String, Vec<Error>> {
    let file = RulesetFile {
        header: &heading.header,
        stopped,
        forwarding: heading.forwarding.clone(),
        defines: ruleset
            .interface_addresses()
            .iter()
            .map(|i| format!("-D {}=<the first IPv4 address of {i}>", variable(i)))
            .collect(),
        table: &ruleset.table,
        sets: sets(ruleset),
        helpers_comment: heading.helpers_comment,
        helpers: ruleset
            .helpers
            .iter()
            .map(|helper| HelperView {
                name: &helper.name,
                lines: print::helper_lines(helper),
            })
            .collect(),
        chains: ruleset
            .chains
            .iter()
            .map(|chain| ChainView {
                name: &chain.name,
                comment: chain.comment.as_deref(),
                base: chain.base.as_ref().map(base_line),
                lines: print::rule_lines(&chain.rules),
            })
            .collect(),
    };
    file.render().map_err(template_failure)
}
