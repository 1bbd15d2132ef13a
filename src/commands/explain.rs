//! `fwgen explain`: one connection against the model.

use std::process::ExitCode;

use clap::Args;

use fwgen::error::quoted;
use fwgen::load::load;

use fwgen::model::Verdict;

use crate::{CHANGES, Format, ModelArgs, report, trouble_as};

#[derive(Args)]
pub(crate) struct ExplainArgs {
    #[command(flatten)]
    pub(crate) model: ModelArgs,
    /// Where the connection starts: ZONE, $FW, ZONE:ADDR, ZONE:IFACE[:ADDR]
    /// (the interface, or a device of a wildcard: loc:tun0) or ADDR.
    #[arg(long, value_name = "ZONE[:ADDR]")]
    pub(crate) from: String,
    /// Where it goes: ZONE, $FW, ZONE:ADDR, ZONE:IFACE[:ADDR] or ADDR.
    #[arg(long, value_name = "ZONE[:ADDR]")]
    pub(crate) to: String,
    /// tcp, udp, icmp, icmpv6, all or a number.
    #[arg(long, default_value = "tcp")]
    pub(crate) proto: String,
    #[arg(long)]
    pub(crate) dport: Option<u16>,
    #[arg(long)]
    pub(crate) sport: Option<u16>,
    /// ICMP type, by name or number, or a type with its code
    /// (`fragmentation-needed`, `3/4`), with --proto icmp or icmpv6.
    #[arg(long)]
    pub(crate) icmp_type: Option<String>,
    /// text for people; json: one object (docs/json.md).
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) format: Format,
    /// Exit by verdict, for scripts: 0 accept, 1 drop or reject (2: trouble).
    #[arg(long)]
    pub(crate) exit_code: bool,
    /// Also list every kernel rule the packet meets, with what made it.
    #[arg(long)]
    pub(crate) trace: bool,
    /// The connection's state: a new connection's first packet, a packet
    /// of an established (or related) one, or one conntrack calls invalid
    /// or does not track (untracked).
    #[arg(long, value_enum, default_value = "new")]
    pub(crate) state: StateArg,
    /// The first IPv4 address an interface has when the firewall starts,
    /// for rules written with `&IFACE` (repeat for each interface).
    #[arg(long, value_name = "IFACE=ADDR")]
    pub(crate) iface_address: Vec<String>,
    /// The sender's MAC address, for `[[maclist]]` entries and rules
    /// from `ZONE:~MAC`; without it no entry or rule naming a MAC address
    /// matches.
    #[arg(long, value_name = "MAC")]
    pub(crate) mac: Option<String>,
    /// The user (name or number) whose socket on the firewall sends the
    /// packet, for rules with USER/GROUP (`user`, `group`); without it an
    /// owner test does not hold and its negation does.
    #[arg(long, value_name = "USER")]
    pub(crate) user: Option<String>,
    /// The sending socket's group (name or number), with --user; the
    /// user's primary group when left out.
    #[arg(long, value_name = "GROUP", requires = "user")]
    pub(crate) group: Option<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum StateArg {
    New,
    Established,
    Related,
    Invalid,
    Untracked,
}

impl From<StateArg> for fwgen::ruleset::CtState {
    fn from(state: StateArg) -> Self {
        match state {
            StateArg::New => fwgen::ruleset::CtState::New,
            StateArg::Established => fwgen::ruleset::CtState::Established,
            StateArg::Related => fwgen::ruleset::CtState::Related,
            StateArg::Invalid => fwgen::ruleset::CtState::Invalid,
            StateArg::Untracked => fwgen::ruleset::CtState::Untracked,
        }
    }
}

pub(crate) fn explain(args: &ExplainArgs) -> ExitCode {
    let (_, model) = match load(&args.model.config) {
        Ok(loaded) => loaded,
        Err(failure) => return report(&failure, args.format),
    };
    let query = match explain_query(&model, args) {
        Ok(query) => query,
        Err(message) => return trouble_as(args.format, "bad-argument", &message),
    };
    let ruleset = match with_interface_addresses(&model, args) {
        Ok(ruleset) => ruleset,
        Err(message) => return trouble_as(args.format, "bad-argument", &message),
    };
    let answer = match fwgen::explain::explain_as(&model, &ruleset, &query, args.state.into()) {
        Ok(answer) => answer,
        Err(error) => return trouble_as(args.format, "bad-argument", &error.to_string()),
    };
    match args.format {
        Format::Json => {
            let mut json = answer.json(&model);
            if args.trace {
                json["trace"] = answer.trace_json(&model);
            }
            outln!("{json}");
        }
        Format::Text => {
            out!("{}", answer.text(&model));
            if args.trace {
                out!("{}", answer.trace_text(&model));
            }
        }
    }
    match answer.verdict {
        Verdict::Drop | Verdict::Reject if args.exit_code => ExitCode::from(CHANGES),
        _ => ExitCode::SUCCESS,
    }
}

/// The lowered ruleset with each `&IFACE` resolved to the address
/// `--iface-address IFACE=ADDR` gives (IFACE: the model's name or the
/// device's); without it explain cannot decide, and says why.
fn with_interface_addresses(
    model: &fwgen::model::Model,
    args: &ExplainArgs,
) -> Result<fwgen::ruleset::Ruleset, String> {
    let mut addresses = std::collections::BTreeMap::new();
    for given in &args.iface_address {
        let (name, addr) = given
            .split_once('=')
            .and_then(|(n, a)| Some((n, a.parse::<std::net::Ipv4Addr>().ok()?)))
            .ok_or_else(|| {
                format!(
                    "--iface-address: `{}` is not IFACE=IPV4ADDRESS (eth0=192.0.2.1)",
                    quoted(given)
                )
            })?;
        let device = model
            .interfaces
            .iter()
            .find(|i| i.name == name)
            .map_or(name, |i| i.physical.as_str());
        addresses.insert(device.to_owned(), addr);
    }
    fwgen::ruleset::lower::lower(model)
        .with_interface_addresses(&addresses)
        .map_err(|missing| {
            format!(
                "a rule matches (`&{missing}`), or a source NAT entry translates to (`to = \"detect\"`), the first IPv4 address {missing} has when the firewall starts, which the model does not know: give it with --iface-address {missing}=ADDR"
            )
        })
}

pub(crate) fn explain_query(
    model: &fwgen::model::Model,
    args: &ExplainArgs,
) -> Result<fwgen::explain::Query, String> {
    use fwgen::explain::{Query, parse_place, parse_protocol};
    use fwgen::model::{IcmpType, Protocol};
    let proto = parse_protocol(&args.proto)?;
    let has_ports = proto.is_some_and(Protocol::has_ports);
    if (args.dport.is_some() || args.sport.is_some()) && !has_ports {
        return Err(format!(
            "--dport/--sport: ports need --proto tcp or udp, not {}",
            args.proto
        ));
    }
    let icmp = match &args.icmp_type {
        None => None,
        Some(text) => {
            let ipv6 = match proto {
                Some(Protocol::Icmp) => false,
                Some(Protocol::Icmpv6) => true,
                _ => return Err("--icmp-type: needs --proto icmp or icmpv6".to_owned()),
            };
            let parsed = IcmpType::parse(text, ipv6)
                .ok_or_else(|| format!("--icmp-type: unknown ICMP type `{}`", quoted(text)))?;
            Some(parsed)
        }
    };
    Ok(Query {
        from: parse_place(model, &args.from, "--from")?,
        to: parse_place(model, &args.to, "--to")?,
        proto,
        dport: args.dport,
        sport: args.sport,
        icmp_type: icmp.map(|t| t.number),
        icmp_code: icmp.and_then(|t| t.code),
        source_mac: match &args.mac {
            None => None,
            Some(text) => Some(
                fwgen::model::Mac::parse(text)
                    .ok_or_else(|| format!("--mac: `{}` is not a MAC address", quoted(text)))?,
            ),
        },
        owner: match &args.user {
            None => None,
            Some(user) => {
                let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
                let (passwd, groups) = (read("/etc/passwd"), read("/etc/group"));
                let owner = fwgen::model::SocketOwner::resolve(
                    user,
                    args.group.as_deref(),
                    &passwd,
                    &groups,
                );
                Some(owner.map_err(|e| format!("--user/--group: {}", quoted(&e)))?)
            }
        },
    })
}
