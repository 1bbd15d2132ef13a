//! `shorewall.conf` and `shorewall6.conf`: Shorewall's own sample, every
//! setting in its order and with its quoting, with fwgen's value where
//! fwgen decides one. The header lists each setting whose value differs
//! from the sample, and no other, so a reviewer reads every departure.

use askama::Template;

use super::{Product, sample};
use crate::model::{
    ClampMss, Disposition, DispositionKey, Forwarding, InterfaceOption, LogLimit, Model, blacklist,
};

/// A setting fwgen decides: its value as written, and why.
struct Decided {
    key: &'static str,
    value: String,
    why: String,
}

/// A setting whose value differs from Shorewall's sample.
pub struct Departure {
    pub key: &'static str,
    pub value: String,
    pub sample: &'static str,
    pub why: String,
}

#[derive(Template)]
#[template(path = "shorewall/shorewall.conf.txt")]
struct ConfFile<'a> {
    header: &'a str,
    /// `shorewall.conf` or `shorewall6.conf`.
    name: &'static str,
    /// The man page of the file.
    manual: &'static str,
    departures: Vec<Departure>,
    settings: Vec<(&'static str, String)>,
}

/// The product's configuration file: its name and content.
pub fn render(
    model: &Model,
    product: Product,
    header: &str,
) -> Result<(&'static str, String), askama::Error> {
    let (name, manual, sample) = if product.ipv6 {
        ("shorewall6.conf", "shorewall6.conf(5)", sample::SHOREWALL6)
    } else {
        ("shorewall.conf", "shorewall.conf(5)", sample::SHOREWALL)
    };
    let mut decided = decided(model, product);
    let mut departures = Vec::new();
    let mut settings = Vec::new();
    for &(key, sample_value) in sample {
        let Some(index) = decided.iter().position(|d| d.key == key) else {
            settings.push((key, sample_value.to_owned()));
            continue;
        };
        let Decided { value, why, .. } = decided.swap_remove(index);
        if value != sample_value {
            departures.push(Departure {
                key,
                value: value.clone(),
                sample: sample_value,
                why,
            });
        }
        settings.push((key, value));
    }
    debug_assert!(decided.is_empty(), "settings not in the sample");
    let file = ConfFile {
        header,
        name,
        manual,
        departures,
        settings,
    };
    Ok((name, file.render()?))
}

/// IPSET_WARNINGS: the compiler warns of a set missing on the host that
/// compiles, which fwgen's init script creates when the firewall starts.
fn ipset_warnings(model: &Model, product: Product) -> Decided {
    if model.ipsets.iter().any(|s| s.ipv6 == product.ipv6) {
        decide(
            "IPSET_WARNINGS",
            "No",
            "the init script creates the model's ipsets when the firewall starts: a set missing where it is compiled is no fault",
        )
    } else {
        decide("IPSET_WARNINGS", "Yes", "Shorewall's default")
    }
}

fn decide(key: &'static str, value: impl Into<String>, why: impl Into<String>) -> Decided {
    Decided {
        key,
        value: value.into(),
        why: why.into(),
    }
}

/// Every setting fwgen decides, whether or not the sample already agrees:
/// the compiled firewall must not depend on a sample that may change.
fn decided(model: &Model, product: Product) -> Vec<Decided> {
    let prefix = &model.firewall.log_prefix;
    let drop_default = drop_default(model.firewall.drop_broadcasts, product);
    let broadcasts = if model.firewall.drop_broadcasts {
        "broadcasts and multicasts are dropped before a DROP or REJECT policy and its log (drop_broadcasts)"
    } else {
        "broadcasts and multicasts reach the policy and its log (drop_broadcasts = false)"
    };
    let mut decided = vec![
        decide("STARTUP_ENABLED", "Yes", "the firewall may start"),
        if model.firewall.stopped_output_open {
            decide(
                "ADMINISABSENTMINDED",
                "Yes",
                "while stopped the firewall's own traffic leaves (stopped_output_open)",
            )
        } else {
            decide(
                "ADMINISABSENTMINDED",
                "No",
                "while stopped only loopback, DHCP and [[stopped]] entries from $FW leave the firewall (stopped_output_open = false)",
            )
        },
        decide(
            "LOGFORMAT",
            format!("\"{}\"", crate::analyze::logformat(prefix)),
            format!("log prefixes such as {prefix}:net-fw:DROP:"),
        ),
        log_limit(model.firewall.log_limit),
        rpfilter_log(model, product),
        decide(
            "SFILTER_LOG_LEVEL",
            "info",
            "what would be forwarded back out of the interface it came in on is dropped and logged at info (sfilter)",
        ),
        smurf_log(model, product),
        tcp_flags_log(model, product),
        maclist_log(model),
        maclist_disposition(model),
        decide(
            "MACLIST_TABLE",
            "filter",
            "MAC verification runs in the filter table, from the interfaces' input and forward chains",
        ),
        decide(
            "MACLIST_TTL",
            "",
            "every new connection is verified (no cache of verified hosts)",
        ),
        decide(
            "ACCEPT_DEFAULT",
            "\"none\"",
            "nothing runs before an ACCEPT policy",
        ),
        decide(
            "BLACKLIST_DEFAULT",
            "none",
            "nothing runs before a BLACKLIST policy (fwgen writes none)",
        ),
        decide(
            "BLACKLIST",
            format!(
                "\"{}\"",
                blacklist::states_setting(&model.firewall.blacklist_states)
            ),
            "the connection states the blacklist (blrules) sees (blacklist_states)",
        ),
        if model.firewall.fast_accept {
            decide(
                "FASTACCEPT",
                "Yes",
                "established traffic is accepted before the blacklist and the rules (fast_accept)",
            )
        } else {
            decide(
                "FASTACCEPT",
                "No",
                "established traffic may meet the blacklist (blacklist_states)",
            )
        },
        decide("DROP_DEFAULT", drop_default, broadcasts),
        decide("REJECT_DEFAULT", drop_default, broadcasts),
        if model.firewall.conntrack_helpers {
            decide(
                "AUTOHELPERS",
                "Yes",
                "the conntrack helpers of Shorewall's conntrack file (conntrack_helpers)",
            )
        } else {
            decide("AUTOHELPERS", "No", "no conntrack helpers")
        },
        clamp_mss(model, product),
        ipset_warnings(model, product),
        decide(
            "SAVE_IPSETS",
            "No",
            "the init script creates the model's ipsets and keeps their members across restarts",
        ),
        decide(
            "EXPAND_POLICIES",
            "Yes",
            "each zone pair logs under its own name",
        ),
        ip_forwarding(model, product),
        decide(
            "OPTIMIZE",
            "0",
            "the compiled rules stay what these files say",
        ),
        decide(
            "SMURF_DISPOSITION",
            "DROP",
            "packets the nosmurfs option catches are dropped",
        ),
        config_path(product),
    ];
    decided.extend(DispositionKey::ALL.map(|key| disposition(model, key, product)));
    decided.extend(
        [
            DispositionKey::Related,
            DispositionKey::Invalid,
            DispositionKey::Untracked,
        ]
        .map(|key| state_log(model, key, product)),
    );
    if !product.ipv6 {
        decided.extend([
            log_martians(model.firewall.log_martians),
            route_filter(model.firewall.route_filter),
            disable_ipv6(model),
        ]);
    }
    decided
}

/// A `*_DISPOSITION` setting from the model's key.
fn disposition(model: &Model, key: DispositionKey, product: Product) -> Decided {
    let disposition = model.firewall.dispositions.get(key, product.ipv6);
    let what = match key {
        DispositionKey::TcpFlags => "TCP packets the tcpflags option catches",
        DispositionKey::Related => "packets in conntrack state RELATED",
        DispositionKey::Invalid => "packets in conntrack state INVALID",
        DispositionKey::Untracked => "packets in conntrack state UNTRACKED",
    };
    let fate = match disposition {
        Disposition::Accept => "are accepted",
        Disposition::Drop => "are dropped",
        Disposition::Reject => "are rejected",
        Disposition::Continue => "meet the rules and policies",
    };
    let dispositions = &model.firewall.dispositions;
    let audit = if dispositions.audited(key, product.ipv6) {
        ", each with an audit record first"
    } else {
        ""
    };
    let why = match key {
        _ if !dispositions.decided(key).same() => {
            let key = family_key(key.key(), false, product);
            format!("{what} {fate}{audit} ({key})")
        }
        _ => format!("{what} {fate}{audit}"),
    };
    decide(key.setting(), dispositions.word(key, product.ipv6), why)
}

/// RELATED_LOG_LEVEL, INVALID_LOG_LEVEL or UNTRACKED_LOG_LEVEL, from the
/// model's `related_log`, `invalid_log` or `untracked_log`.
fn state_log(model: &Model, key: DispositionKey, product: Product) -> Decided {
    let (setting, name, state) = match key {
        DispositionKey::Related => ("RELATED_LOG_LEVEL", "related_log", "RELATED"),
        DispositionKey::Invalid => ("INVALID_LOG_LEVEL", "invalid_log", "INVALID"),
        _ => ("UNTRACKED_LOG_LEVEL", "untracked_log", "UNTRACKED"),
    };
    let firewall = &model.firewall;
    let same = firewall.disposition_log(key, false) == firewall.disposition_log(key, true);
    let name = family_key(name, same, product);
    match firewall.disposition_log(key, product.ipv6) {
        Some(level) => decide(
            setting,
            format!("\"{level}\""),
            format!(
                "packets in conntrack state {state} are logged before their disposition ({name})"
            ),
        ),
        None => decide(
            setting,
            "",
            format!("packets in conntrack state {state} are not logged"),
        ),
    }
}

/// Where Shorewall looks for a file the compiled directory lacks: only in
/// its shipped defaults, never in /etc/shorewall (the sample's CONFDIR
/// entry), so that these files compile to the same firewall wherever they
/// are and a file of /etc/shorewall fwgen did not write is never read in
/// place of one it left out (Config.pm ensure_config_path puts the
/// compiled directory first).
fn config_path(product: Product) -> Decided {
    let path = if product.ipv6 {
        "\"/usr/share/shorewall6:${SHAREDIR}/shorewall\""
    } else {
        "\"${SHAREDIR}/shorewall\""
    };
    decide(
        "CONFIG_PATH",
        path,
        "files these do not hold come from Shorewall's shipped defaults, never from /etc/shorewall",
    )
}

fn log_limit(limit: Option<LogLimit>) -> Decided {
    match limit {
        Some(limit) => decide("LOGLIMIT", format!("\"{limit}\""), "the model's log_limit"),
        None => decide(
            "LOGLIMIT",
            "",
            "every logged packet is logged (log_limit = \"none\")",
        ),
    }
}

fn clamp_mss(model: &Model, product: Product) -> Decided {
    let clamp = model.firewall.clamp_mss;
    let key = family_key("clamp_mss", clamp.same(), product);
    match clamp.get(product.ipv6) {
        None => decide("CLAMPMSS", "No", "no MSS clamping"),
        Some(ClampMss::RouteMtu) => decide(
            "CLAMPMSS",
            "Yes",
            format!("forwarded TCP SYNs offer at most the route's MTU ({key})"),
        ),
        Some(ClampMss::Size(size)) => decide(
            "CLAMPMSS",
            size.to_string(),
            format!("forwarded TCP SYNs offer an MSS of at most {size} ({key})"),
        ),
    }
}

/// The model's key of a setting that may differ by family: `key` when
/// both families have one value, else `key_ipv4` or `key_ipv6`.
fn family_key(key: &str, same: bool, product: Product) -> String {
    match (same, product.ipv6) {
        (true, _) => key.to_owned(),
        (false, false) => format!("{key}_ipv4"),
        (false, true) => format!("{key}_ipv6"),
    }
}

/// SMURF_LOG_LEVEL, from the product's family's `smurf_log`.
fn smurf_log(model: &Model, product: Product) -> Decided {
    let key = family_key("smurf_log", model.firewall.smurf_log.same(), product);
    match model.firewall.smurf_log.get(product.ipv6) {
        Some(level) => decide(
            "SMURF_LOG_LEVEL",
            format!("\"{level}\""),
            format!("nosmurfs drops are logged ({key})"),
        ),
        None => decide("SMURF_LOG_LEVEL", "", "nosmurfs drops are not logged"),
    }
}

/// RPFILTER_LOG_LEVEL, from the product's family's `rpfilter_log`.
fn rpfilter_log(model: &Model, product: Product) -> Decided {
    let key = family_key("rpfilter_log", model.firewall.rpfilter_log.same(), product);
    match model.firewall.rpfilter_log.get(product.ipv6) {
        Some(level) => decide(
            "RPFILTER_LOG_LEVEL",
            format!("\"{level}\""),
            format!("rpfilter drops are logged ({key})"),
        ),
        None if !model
            .interfaces
            .iter()
            .any(|i| i.has_for(InterfaceOption::Rpfilter, product.ipv6)) =>
        {
            decide(
                "RPFILTER_LOG_LEVEL",
                "info",
                "Shorewall's default; fwgen writes no rpfilter option",
            )
        }
        // Config.pm reads an empty level as info.
        None => decide(
            "RPFILTER_LOG_LEVEL",
            "NONE",
            "rpfilter drops are not logged",
        ),
    }
}

/// TCP_FLAGS_LOG_LEVEL, from the product's family's `tcp_flags_log`.
fn tcp_flags_log(model: &Model, product: Product) -> Decided {
    let logs = model.firewall.tcp_flags_log;
    let key = family_key("tcp_flags_log", logs.same(), product);
    match logs.get(product.ipv6) {
        Some(level) => decide(
            "TCP_FLAGS_LOG_LEVEL",
            format!("\"{level}\""),
            format!("what tcpflags catches is logged ({key})"),
        ),
        None => decide("TCP_FLAGS_LOG_LEVEL", "", "tcpflags drops are not logged"),
    }
}

/// MACLIST_LOG_LEVEL, from the model's `maclist_log`.
fn maclist_log(model: &Model) -> Decided {
    match model.firewall.maclist_log {
        Some(level) => decide(
            "MACLIST_LOG_LEVEL",
            format!("\"{level}\""),
            "what MAC verification refuses is logged (maclist_log)",
        ),
        None => decide(
            "MACLIST_LOG_LEVEL",
            "",
            "what MAC verification refuses is not logged",
        ),
    }
}

/// MACLIST_DISPOSITION, from the model's `maclist_disposition`.
fn maclist_disposition(model: &Model) -> Decided {
    let disposition = model.firewall.maclist_disposition;
    let fate = match disposition {
        Disposition::Accept => "are accepted",
        Disposition::Drop => "are dropped",
        Disposition::Reject | Disposition::Continue => "are rejected",
    };
    decide(
        "MACLIST_DISPOSITION",
        disposition.word(),
        format!(
            "new connections from hosts no [[maclist]] entry decides {fate} (maclist_disposition)"
        ),
    )
}

fn ip_forwarding(model: &Model, product: Product) -> Decided {
    let forwarding = model.ip_forwarding(product.ipv6);
    let key = family_key(
        "ip_forwarding",
        model.firewall.ip_forwarding.same(),
        product,
    );
    let why = match forwarding {
        Forwarding::On => format!(
            "forwarding is turned on ({key}; unset: on when the model forwards between interfaces)"
        ),
        Forwarding::Off => format!("forwarding is turned off: nothing is forwarded ({key})"),
        Forwarding::Keep => format!(
            "the kernel's forwarding is left as it is ({key}; unset: when the model does not forward)"
        ),
    };
    decide("IP_FORWARDING", forwarding.to_string(), why)
}

fn log_martians(on: bool) -> Decided {
    if on {
        decide(
            "LOG_MARTIANS",
            "Yes",
            "martians are logged on every interface whose options do not say logmartians=0 (log_martians)",
        )
    } else {
        decide(
            "LOG_MARTIANS",
            "No",
            "martians are logged on the interfaces whose options say logmartians",
        )
    }
}

fn route_filter(on: bool) -> Decided {
    if on {
        decide(
            "ROUTE_FILTER",
            "Yes",
            "reverse-path filtering on every interface (route_filter)",
        )
    } else {
        decide(
            "ROUTE_FILTER",
            "No",
            "reverse-path filtering on the interfaces whose options say routefilter",
        )
    }
}

fn disable_ipv6(model: &Model) -> Decided {
    if model.has_family(true) {
        decide("DISABLE_IPV6", "No", "the model has IPv6 zones")
    } else {
        decide(
            "DISABLE_IPV6",
            "Yes",
            "no IPv6 zone: ip6tables drops everything but loopback",
        )
    }
}

/// DROP_DEFAULT and REJECT_DEFAULT: what runs before a DROP or REJECT
/// policy. Shorewall6 always lets the ICMPv6 that IPv6 needs pass first
/// (AllowICMPs: neighbour discovery goes to multicast addresses).
fn drop_default(drop_broadcasts: bool, product: Product) -> &'static str {
    match (drop_broadcasts, product.ipv6) {
        (true, false) => "\"Broadcast(DROP),Multicast(DROP)\"",
        (false, false) => "none",
        (true, true) => "\"AllowICMPs,Broadcast(DROP),Multicast(DROP)\"",
        (false, true) => "AllowICMPs",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every setting fwgen decides is one of the sample's, in both products.
    #[test]
    fn every_decided_setting_is_in_the_sample() {
        let model = crate::load::compile(&crate::source::Source::new(
            "ipv6.toml",
            include_str!("../../../examples/ipv6.toml"),
        ))
        .unwrap();
        for (ipv6, sample) in [(false, sample::SHOREWALL), (true, sample::SHOREWALL6)] {
            for decided in decided(&model, Product { ipv6 }) {
                assert!(
                    sample.iter().any(|(key, _)| *key == decided.key),
                    "{} is not in the sample",
                    decided.key
                );
            }
        }
    }
}
