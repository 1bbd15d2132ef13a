//! Parse: serde types that mirror `fwgen.toml` exactly. Structure only;
//! every name and value keeps its span so the analyzer can point at it.

use std::fmt;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use toml::Spanned;

use crate::error::{Error, ErrorKind};
use crate::source::Source;

mod events;
mod pieces;

/// The whole model file.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    #[serde(default)]
    pub firewall: RawFirewall,
    #[serde(default)]
    pub shorewall: RawShorewall,
    #[serde(default)]
    pub nftables: RawNftables,
    #[serde(default)]
    pub zones: OrderedMap<Spanned<String>, RawZone>,
    #[serde(default)]
    pub interfaces: OrderedMap<Spanned<String>, RawInterface>,
    #[serde(default)]
    #[schemars(with = "Vec<RawPolicy>")]
    pub policy: Vec<Spanned<RawPolicy>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawRule>")]
    pub rule: RawRules,
    #[serde(default)]
    #[schemars(with = "Vec<RawDnat>")]
    pub dnat: Vec<Spanned<RawDnat>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawRedirect>")]
    pub redirect: Vec<Spanned<RawRedirect>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawNat>")]
    pub nat: Vec<Spanned<RawNat>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawMasquerade>")]
    pub masquerade: Vec<Spanned<RawMasquerade>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawSnat>")]
    pub snat: Vec<Spanned<RawSnat>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawStopped>")]
    pub stopped: Vec<Spanned<RawStopped>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawTunnel>")]
    pub tunnel: Vec<Spanned<RawTunnel>>,
    /// Shorewall's blrules: the columns of a rule.
    #[serde(default)]
    #[schemars(with = "Vec<RawRule>")]
    pub blacklist: Vec<Spanned<RawRule>>,
    /// Named address sets: src/model/ipset.rs.
    #[serde(default)]
    #[schemars(with = "Vec<RawIpset>")]
    pub ipset: Vec<Spanned<RawIpset>>,
    /// MAC verification: Shorewall's maclist file, one entry a line.
    #[serde(default)]
    #[schemars(with = "Vec<RawMaclist>")]
    pub maclist: Vec<Spanned<RawMaclist>>,
    /// Shorewall's conntrack file: packets left untracked.
    #[serde(default)]
    #[schemars(with = "Vec<RawConntrack>")]
    pub conntrack: Vec<Spanned<RawConntrack>>,
}

/// One line of shorewall-conntrack(5): packets that conntrack leaves
/// untracked (`NOTRACK`, `CT:notrack`), in the raw table before
/// connection tracking.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawConntrack {
    /// `"notrack"`.
    #[schemars(with = "String")]
    pub action: Spanned<String>,
    /// The zone the packets come from (`"net"`, `"net:198.51.100.0/24"`,
    /// the firewall's own): Shorewall's FORMAT 2 SOURCE. Left out: any
    /// source, on the hooks of `chain`.
    #[schemars(with = "Option<String>")]
    pub source: Option<Spanned<String>>,
    /// Without a `source`: `"prerouting"` (default), `"output"` or
    /// `"both"`, Shorewall's FORMAT 3 `:P`, `:O` and `:PO`.
    #[schemars(with = "Option<String>")]
    pub chain: Option<Spanned<String>>,
    /// Destination addresses or networks (`!` leaves some out).
    #[schemars(with = "Option<String>")]
    pub dest: Option<Spanned<String>>,
    #[schemars(with = "Option<Scalar>")]
    pub proto: Option<Spanned<Scalar>>,
    #[schemars(with = "Option<PortList>")]
    pub dport: Option<Spanned<PortList>>,
    #[schemars(with = "Option<PortList>")]
    pub sport: Option<Spanned<PortList>>,
    #[schemars(with = "Option<String>")]
    pub comment: Option<Spanned<String>>,
}

/// One line of shorewall-maclist(5): what becomes of new connections from
/// a host on an interface with the `maclist` option, by its MAC address
/// and (optionally) its IP addresses.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMaclist {
    /// `"ACCEPT"`, `"DROP"` or `"REJECT"`.
    #[schemars(with = "String")]
    pub disposition: Spanned<String>,
    /// A log level: the matching packets are logged first.
    #[schemars(with = "Option<String>")]
    pub log: Option<Spanned<String>>,
    #[schemars(with = "String")]
    pub interface: Spanned<String>,
    /// The host's MAC address (`02:00:00:00:01:00`, or Shorewall's
    /// `~02-00-00-00-01-00`); may be left out when `addresses` are given.
    #[schemars(with = "Option<String>")]
    pub mac: Option<Spanned<String>>,
    /// Source addresses or networks the host must also use.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub addresses: Vec<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFirewall {
    #[schemars(with = "Option<String>")]
    pub zone: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub log_prefix: Option<Spanned<String>>,
    #[schemars(with = "Option<Vec<i64>>")]
    pub management_ports: Option<Vec<Spanned<i64>>>,
    #[schemars(with = "Option<String>")]
    pub log_limit: Option<Spanned<String>>,
    pub drop_broadcasts: Option<bool>,
    #[schemars(with = "Option<RawClampMss>")]
    pub clamp_mss: Option<Spanned<RawClampMss>>,
    /// CLAMPMSS of IPv4 alone (shorewall.conf), in place of `clamp_mss`.
    #[schemars(with = "Option<RawClampMss>")]
    pub clamp_mss_ipv4: Option<Spanned<RawClampMss>>,
    /// CLAMPMSS of IPv6 alone (shorewall6.conf), in place of `clamp_mss`.
    #[schemars(with = "Option<RawClampMss>")]
    pub clamp_mss_ipv6: Option<Spanned<RawClampMss>>,
    #[schemars(with = "Option<IpForwardingSchema>")]
    pub ip_forwarding: Option<Spanned<String>>,
    /// IP_FORWARDING of IPv4 alone (shorewall.conf), in place of `ip_forwarding`.
    #[schemars(with = "Option<IpForwardingSchema>")]
    pub ip_forwarding_ipv4: Option<Spanned<String>>,
    /// IP_FORWARDING of IPv6 alone (shorewall6.conf), in place of `ip_forwarding`.
    #[schemars(with = "Option<IpForwardingSchema>")]
    pub ip_forwarding_ipv6: Option<Spanned<String>>,
    pub route_filter: Option<bool>,
    pub log_martians: Option<bool>,
    pub conntrack_helpers: Option<bool>,
    pub stopped_output_open: Option<bool>,
    /// FASTACCEPT=Yes: established (and accepted related) packets pass
    /// before the blacklist, the interface options and the zone dispatch.
    pub fast_accept: Option<bool>,
    /// BLACKLIST=: `["new", "invalid", "untracked"]`, or `["all"]`.
    #[schemars(with = "Option<Vec<String>>")]
    pub blacklist_states: Option<Spanned<Vec<Spanned<String>>>>,
    /// TCP_FLAGS_LOG_LEVEL: the log level of what tcpflags catches.
    #[schemars(with = "Option<String>")]
    pub tcp_flags_log: Option<Spanned<String>>,
    /// TCP_FLAGS_LOG_LEVEL of IPv4 alone, in place of `tcp_flags_log`.
    #[schemars(with = "Option<String>")]
    pub tcp_flags_log_ipv4: Option<Spanned<String>>,
    /// TCP_FLAGS_LOG_LEVEL of IPv6 alone, in place of `tcp_flags_log`.
    #[schemars(with = "Option<String>")]
    pub tcp_flags_log_ipv6: Option<Spanned<String>>,
    /// SMURF_LOG_LEVEL: the log level of what nosmurfs catches.
    #[schemars(with = "Option<String>")]
    pub smurf_log: Option<Spanned<String>>,
    /// SMURF_LOG_LEVEL of IPv4 alone, in place of `smurf_log`.
    #[schemars(with = "Option<String>")]
    pub smurf_log_ipv4: Option<Spanned<String>>,
    /// SMURF_LOG_LEVEL of IPv6 alone, in place of `smurf_log`.
    #[schemars(with = "Option<String>")]
    pub smurf_log_ipv6: Option<Spanned<String>>,
    /// RPFILTER_LOG_LEVEL: the log level of what rpfilter catches.
    #[schemars(with = "Option<String>")]
    pub rpfilter_log: Option<Spanned<String>>,
    /// RPFILTER_LOG_LEVEL of IPv4 alone, in place of `rpfilter_log`.
    #[schemars(with = "Option<String>")]
    pub rpfilter_log_ipv4: Option<Spanned<String>>,
    /// RPFILTER_LOG_LEVEL of IPv6 alone, in place of `rpfilter_log`.
    #[schemars(with = "Option<String>")]
    pub rpfilter_log_ipv6: Option<Spanned<String>>,
    /// RELATED_LOG_LEVEL: related packets are logged in each zone pair's
    /// chain before their disposition.
    #[schemars(with = "Option<String>")]
    pub related_log: Option<Spanned<String>>,
    /// RELATED_LOG_LEVEL of IPv4 alone, in place of `related_log`.
    #[schemars(with = "Option<String>")]
    pub related_log_ipv4: Option<Spanned<String>>,
    /// RELATED_LOG_LEVEL of IPv6 alone, in place of `related_log`.
    #[schemars(with = "Option<String>")]
    pub related_log_ipv6: Option<Spanned<String>>,
    /// INVALID_LOG_LEVEL: invalid packets are logged likewise.
    #[schemars(with = "Option<String>")]
    pub invalid_log: Option<Spanned<String>>,
    /// INVALID_LOG_LEVEL of IPv4 alone, in place of `invalid_log`.
    #[schemars(with = "Option<String>")]
    pub invalid_log_ipv4: Option<Spanned<String>>,
    /// INVALID_LOG_LEVEL of IPv6 alone, in place of `invalid_log`.
    #[schemars(with = "Option<String>")]
    pub invalid_log_ipv6: Option<Spanned<String>>,
    /// UNTRACKED_LOG_LEVEL: untracked packets are logged likewise.
    #[schemars(with = "Option<String>")]
    pub untracked_log: Option<Spanned<String>>,
    /// UNTRACKED_LOG_LEVEL of IPv4 alone, in place of `untracked_log`.
    #[schemars(with = "Option<String>")]
    pub untracked_log_ipv4: Option<Spanned<String>>,
    /// UNTRACKED_LOG_LEVEL of IPv6 alone, in place of `untracked_log`.
    #[schemars(with = "Option<String>")]
    pub untracked_log_ipv6: Option<Spanned<String>>,
    /// TCP_FLAGS_DISPOSITION: `"DROP"`, `"REJECT"` or `"ACCEPT"`.
    #[schemars(with = "Option<DispositionSchema>")]
    pub tcp_flags_disposition: Option<Spanned<String>>,
    /// TCP_FLAGS_DISPOSITION of IPv4 alone, in place of `tcp_flags_disposition`.
    #[schemars(with = "Option<DispositionSchema>")]
    pub tcp_flags_disposition_ipv4: Option<Spanned<String>>,
    /// TCP_FLAGS_DISPOSITION of IPv6 alone, in place of `tcp_flags_disposition`.
    #[schemars(with = "Option<DispositionSchema>")]
    pub tcp_flags_disposition_ipv6: Option<Spanned<String>>,
    /// RELATED_DISPOSITION: `"ACCEPT"`, `"DROP"`, `"REJECT"` or `"CONTINUE"`.
    #[schemars(with = "Option<DispositionSchema>")]
    pub related_disposition: Option<Spanned<String>>,
    /// RELATED_DISPOSITION of IPv4 alone, in place of `related_disposition`.
    #[schemars(with = "Option<DispositionSchema>")]
    pub related_disposition_ipv4: Option<Spanned<String>>,
    /// RELATED_DISPOSITION of IPv6 alone, in place of `related_disposition`.
    #[schemars(with = "Option<DispositionSchema>")]
    pub related_disposition_ipv6: Option<Spanned<String>>,
    /// INVALID_DISPOSITION: `"DROP"`, `"REJECT"` or `"CONTINUE"`.
    #[schemars(with = "Option<DispositionSchema>")]
    pub invalid_disposition: Option<Spanned<String>>,
    /// INVALID_DISPOSITION of IPv4 alone, in place of `invalid_disposition`.
    #[schemars(with = "Option<DispositionSchema>")]
    pub invalid_disposition_ipv4: Option<Spanned<String>>,
    /// INVALID_DISPOSITION of IPv6 alone, in place of `invalid_disposition`.
    #[schemars(with = "Option<DispositionSchema>")]
    pub invalid_disposition_ipv6: Option<Spanned<String>>,
    /// UNTRACKED_DISPOSITION: `"ACCEPT"`, `"DROP"`, `"REJECT"` or `"CONTINUE"`.
    #[schemars(with = "Option<DispositionSchema>")]
    pub untracked_disposition: Option<Spanned<String>>,
    /// UNTRACKED_DISPOSITION of IPv4 alone, in place of `untracked_disposition`.
    #[schemars(with = "Option<DispositionSchema>")]
    pub untracked_disposition_ipv4: Option<Spanned<String>>,
    /// UNTRACKED_DISPOSITION of IPv6 alone, in place of `untracked_disposition`.
    #[schemars(with = "Option<DispositionSchema>")]
    pub untracked_disposition_ipv6: Option<Spanned<String>>,
    /// MACLIST_DISPOSITION: what becomes of new connections from a host
    /// no `[[maclist]]` entry decides: `"REJECT"` (default), `"DROP"` or
    /// `"ACCEPT"`.
    #[schemars(with = "Option<DispositionSchema>")]
    pub maclist_disposition: Option<Spanned<String>>,
    /// MACLIST_LOG_LEVEL: those connections are logged first.
    #[schemars(with = "Option<String>")]
    pub maclist_log: Option<Spanned<String>>,
}

/// A disposition's words and their audited forms, for the schema (the
/// analyzer reads the string and says which words each key takes).
#[derive(JsonSchema)]
#[schemars(rename_all = "UPPERCASE")]
#[allow(dead_code)]
enum DispositionSchema {
    Accept,
    Drop,
    Reject,
    Continue,
    /// The audited forms: the disposition and an audit record.
    #[schemars(rename = "A_ACCEPT")]
    AuditedAccept,
    #[schemars(rename = "A_DROP")]
    AuditedDrop,
    #[schemars(rename = "A_REJECT")]
    AuditedReject,
}

/// `ip_forwarding`'s words, for the schema (the analyzer reads the string,
/// so a wrong word gets a located error and a hint).
#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
#[allow(dead_code)]
enum IpForwardingSchema {
    On,
    Off,
    Keep,
}

/// `clamp_mss = true|false|<number>`.
#[derive(Debug, Clone, Copy, JsonSchema)]
#[schemars(untagged)]
pub enum RawClampMss {
    Switch(bool),
    Size(i64),
}

impl<'de> Deserialize<'de> for RawClampMss {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ClampVisitor;
        impl Visitor<'_> for ClampVisitor {
            type Value = RawClampMss;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("true, false or an MSS in bytes")
            }
            fn visit_bool<E: serde::de::Error>(self, on: bool) -> Result<RawClampMss, E> {
                Ok(RawClampMss::Switch(on))
            }
            fn visit_i64<E: serde::de::Error>(self, size: i64) -> Result<RawClampMss, E> {
                Ok(RawClampMss::Size(size))
            }
        }
        deserializer.deserialize_any(ClampVisitor)
    }
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawShorewall {
    #[schemars(with = "Option<i64>")]
    pub version: Option<Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawNftables {
    #[schemars(with = "Option<String>")]
    pub table: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawZone {
    #[schemars(with = "Option<String>")]
    pub family: Option<Spanned<String>>,
    /// The zone or zones this one is nested in (shorewall-zones(5)
    /// `child:parent` or `child:p1,p2`): a name or a list of names.
    #[schemars(with = "Option<RawParents>")]
    pub parent: Option<Spanned<RawParents>>,
    /// Addresses on interfaces of other zones that belong to this zone
    /// (shorewall-hosts(5)).
    #[serde(default)]
    pub hosts: Vec<RawHosts>,
    #[schemars(with = "Option<String>")]
    pub description: Option<Spanned<String>>,
    /// shorewall-zones(5) `mss=N` in OPTIONS: TCP SYNs to and from the
    /// zone offer an MSS of at most N.
    #[schemars(with = "Option<std::num::NonZeroU16>")]
    pub mss: Option<Spanned<std::num::NonZeroU16>>,
    /// `mss=N` in IN OPTIONS: SYNs from the zone.
    #[schemars(with = "Option<std::num::NonZeroU16>")]
    pub mss_in: Option<Spanned<std::num::NonZeroU16>>,
    /// `mss=N` in OUT OPTIONS: SYNs to the zone.
    #[schemars(with = "Option<std::num::NonZeroU16>")]
    pub mss_out: Option<Spanned<std::num::NonZeroU16>>,
}

/// `parent = "net"` or `parent = ["net", "dmz"]`.
#[derive(Debug, JsonSchema)]
#[schemars(untagged)]
pub enum RawParents {
    One(String),
    Many(#[schemars(with = "Vec<String>")] Vec<Spanned<String>>),
}

impl<'de> Deserialize<'de> for RawParents {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ParentsVisitor;
        impl<'de> Visitor<'de> for ParentsVisitor {
            type Value = RawParents;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a zone name or a list of zone names")
            }
            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<RawParents, E> {
                Ok(RawParents::One(name.to_owned()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<RawParents, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<Spanned<String>>()? {
                    names.push(name);
                }
                Ok(RawParents::Many(names))
            }
        }
        deserializer.deserialize_any(ParentsVisitor)
    }
}

/// One line of shorewall-hosts(5): networks on an interface.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawHosts {
    #[schemars(with = "String")]
    pub interface: Spanned<String>,
    #[schemars(with = "Vec<String>")]
    pub networks: Vec<Spanned<String>>,
    /// shorewall-hosts(5)'s exclusion: addresses and networks left out
    /// of `networks` (`192.168.1.0/24!192.168.1.5`).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub except: Vec<Spanned<String>>,
    /// shorewall-hosts(5) `destonly`: the networks are the zone's as
    /// destinations only.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub destonly: Option<Spanned<bool>>,
    /// shorewall-hosts(5) `routeback`: traffic from the zone's hosts to
    /// these networks back out of the interface it came in by.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub routeback: Option<Spanned<bool>>,
    /// shorewall-hosts(5) `tcpflags`: TCP from these networks is checked
    /// for illegal flag combinations.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub tcpflags: Option<Spanned<bool>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawInterface {
    /// None: an interface of no zone (Shorewall's `-`), whose hosts are
    /// given zones by zones' `hosts`.
    #[schemars(with = "Option<String>")]
    pub zone: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub options: Vec<Spanned<String>>,
    /// Options for IPv4 only (Shorewall's interfaces file alone).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub options_ipv4: Vec<Spanned<String>>,
    /// Options for IPv6 only (Shorewall6's interfaces file alone).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub options_ipv6: Vec<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub physical: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub networks: Vec<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub description: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    #[schemars(with = "String")]
    pub source: Spanned<String>,
    #[schemars(with = "String")]
    pub dest: Spanned<String>,
    #[schemars(with = "String")]
    pub action: Spanned<String>,
    #[schemars(with = "Option<String>")]
    pub log: Option<Spanned<String>>,
    /// Stock actions run before the verdict: `["Broadcast(DROP)",
    /// "Multicast(DROP)"]`, or `[]` for none.
    #[schemars(with = "Option<Vec<String>>")]
    pub default_action: Option<Spanned<Vec<Spanned<String>>>>,
    /// `true`: an audit record before the verdict (Shorewall's
    /// `DROP:audit`, the AUDIT target; nftables `log level audit`).
    #[schemars(with = "Option<bool>")]
    pub audit: Option<Spanned<bool>>,
    /// The rate of new TCP connections the entry lets through
    /// (`"15/minute"`): Shorewall's RATE column of the policy file.
    #[schemars(with = "Option<String>")]
    pub rate: Option<Box<Spanned<String>>>,
    /// The rate's burst (default 5).
    #[schemars(with = "Option<i64>")]
    pub rate_burst: Option<Box<Spanned<i64>>>,
    /// `"source"` or `"dest"`: one bucket per address (`s:` / `d:`).
    #[schemars(with = "Option<String>")]
    pub rate_per: Option<Box<Spanned<String>>>,
    /// New TCP connections of the entry's zone pairs while an address has
    /// at most this many (this one counted): Shorewall's CONNLIMIT column
    /// of the policy file; over it they are dropped before the rules.
    #[schemars(with = "Option<i64>")]
    pub connlimit: Option<Box<Spanned<i64>>>,
    /// `"source"` (default) or `"dest"` (`d:`): whose connections count.
    #[schemars(with = "Option<String>")]
    pub connlimit_per: Option<Box<Spanned<String>>>,
    /// Addresses grouped by this prefix length (CONNLIMIT `N:MASK`).
    #[schemars(with = "Option<i64>")]
    pub connlimit_mask: Option<Box<Spanned<i64>>>,
    /// `"ipv4"` or `"ipv6"`: the entry is in that family's policy list
    /// only (Shorewall's or Shorewall6's policy file); `"both"` by default.
    #[schemars(with = "Option<String>")]
    pub family: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub comment: Option<Spanned<String>>,
}

/// The fields most rules leave out are boxed: absent, they take 8 bytes
/// instead of 40 (100,000 rules: 16 MB less, docs/performance.md).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    #[schemars(with = "String")]
    pub action: Spanned<String>,
    #[serde(rename = "macro")]
    #[schemars(with = "Option<String>")]
    pub service_macro: Option<Box<Spanned<String>>>,
    #[schemars(with = "String")]
    pub source: Spanned<String>,
    #[schemars(with = "String")]
    pub dest: Spanned<String>,
    #[schemars(with = "Option<Scalar>")]
    pub proto: Option<Spanned<Scalar>>,
    #[schemars(with = "Option<PortList>")]
    pub dport: Option<Spanned<PortList>>,
    #[schemars(with = "Option<PortList>")]
    pub sport: Option<Box<Spanned<PortList>>>,
    #[schemars(with = "Option<Scalar>")]
    pub icmp_type: Option<Box<Spanned<Scalar>>>,
    #[schemars(with = "Option<String>")]
    pub reject_with: Option<Box<Spanned<String>>>,
    #[schemars(with = "Option<String>")]
    pub log: Option<Box<Spanned<String>>>,
    /// Shorewall's log tag (`ACCEPT:info:TRAP`): appended to the prefix.
    #[schemars(with = "Option<String>")]
    pub log_tag: Option<Box<Spanned<String>>>,
    /// `true`: an audit record before the verdict (Shorewall's A_ACCEPT,
    /// A_DROP, A_REJECT; nftables `log level audit`).
    #[schemars(with = "Option<bool>")]
    pub audit: Option<Box<Spanned<bool>>>,
    #[schemars(with = "Option<String>")]
    pub comment: Option<Box<Spanned<String>>>,
    /// `"ipv4"` or `"ipv6"`: the rule applies to that family only.
    #[schemars(with = "Option<String>")]
    pub family: Option<Box<Spanned<String>>>,
    /// A rate limit (`"10/minute"`): Shorewall's RATE column.
    #[schemars(with = "Option<String>")]
    pub rate: Option<Box<Spanned<String>>>,
    /// The rate limit's burst (default 5).
    #[schemars(with = "Option<i64>")]
    pub rate_burst: Option<Box<Spanned<i64>>>,
    /// `"source"` or `"dest"`: one bucket per address (`s:` / `d:`).
    #[schemars(with = "Option<String>")]
    pub rate_per: Option<Box<Spanned<String>>>,
    /// A bucket table shared by the rules naming it (`s:NAME:10/min`).
    #[schemars(with = "Option<String>")]
    pub rate_table: Option<Box<Spanned<String>>>,
    /// At most this many connections per address: Shorewall's CONNLIMIT.
    #[schemars(with = "Option<i64>")]
    pub connlimit: Option<Box<Spanned<i64>>>,
    /// More than this many connections per address (CONNLIMIT `!N`).
    #[schemars(with = "Option<i64>")]
    pub connlimit_above: Option<Box<Spanned<i64>>>,
    /// `"source"` (default) or `"dest"` (`d:`): whose connections count.
    #[schemars(with = "Option<String>")]
    pub connlimit_per: Option<Box<Spanned<String>>>,
    /// Addresses grouped by this prefix length (CONNLIMIT `N:MASK`).
    #[schemars(with = "Option<i64>")]
    pub connlimit_mask: Option<Box<Spanned<i64>>>,
    /// Only connections first sent to one of these addresses or networks
    /// (before any DNAT): Shorewall's ORIGDEST column.
    #[schemars(with = "Option<Vec<String>>")]
    pub origdest: Option<Box<Vec<Spanned<String>>>>,
    /// The conntrack helper that watches the rule's new connections
    /// (`"ftp"`): Shorewall's HELPER column.
    #[schemars(with = "Option<String>")]
    pub helper: Option<Box<Spanned<String>>>,
    /// Only packets the firewall sends from a socket of this user: a name
    /// (`"proxy"`), a uid (`13`) or a range of uids (`"1000-1999"`).
    /// Shorewall's USER/GROUP column; the source must be the firewall.
    #[schemars(with = "Option<Scalar>")]
    pub user: Option<Box<Spanned<Scalar>>>,
    /// Likewise the socket's group: a name, a gid or a range of gids.
    #[schemars(with = "Option<Scalar>")]
    pub group: Option<Box<Spanned<Scalar>>>,
    /// `true`: only packets sent by neither the `user` nor the `group`
    /// (Shorewall's `!user:group`).
    #[schemars(with = "Option<bool>")]
    pub owner_negated: Option<Box<Spanned<bool>>>,
    /// The time of day (`"22:00"`, `"06:30:00"`, UTC) from which the rule
    /// holds: Shorewall's TIME `timestart`.
    #[schemars(with = "Option<String>")]
    pub time_start: Option<Box<Spanned<String>>>,
    /// The time of day (UTC) up to which the rule holds, inclusive; at or
    /// before `time_start` the window wraps past midnight (`timestop`).
    #[schemars(with = "Option<String>")]
    pub time_stop: Option<Box<Spanned<String>>>,
    /// The weekdays the rule holds on (`["Sat", "Sun"]`), in the kernel's
    /// timezone: TIME `weekdays`, with `time_zone = "kernel"`.
    #[schemars(with = "Option<Vec<String>>")]
    pub weekdays: Option<Box<Vec<Spanned<String>>>>,
    /// The date (`"2026-12-24"`, `"2026-12-24T18:00"`, UTC) from which the
    /// rule holds: TIME `datestart`.
    #[schemars(with = "Option<String>")]
    pub date_start: Option<Box<Spanned<String>>>,
    /// The date (UTC) up to which the rule holds, inclusive: `datestop`.
    #[schemars(with = "Option<String>")]
    pub date_stop: Option<Box<Spanned<String>>>,
    /// The clock of the window: `"utc"` (the default) or `"kernel"` (the
    /// kernel's timezone: TIME `kerneltz`, `localtz`).
    #[schemars(with = "Option<String>")]
    pub time_zone: Option<Box<Spanned<String>>>,
    /// The section of Shorewall's rules file (`"all"`, `"established"`,
    /// `"related"`, `"new"`): the connection states the rule sees.
    #[schemars(with = "Option<String>")]
    pub section: Option<Box<Spanned<String>>>,
    /// `true`: only a connection's first TCP segment (SYN set, ACK, RST
    /// and FIN clear): Shorewall's PROTO `tcp:syn`, iptables `--syn`.
    #[schemars(with = "Option<bool>")]
    pub syn: Option<Box<Spanned<bool>>>,
}

/// The `[[rule]]` entries in the file's order, kept in the runs the parser
/// read them in (one per piece of src/config/pieces.rs, one for a file read
/// whole): the analyzer takes them a run at a time and frees each run once
/// its rules are made, so that the raw rules and the model's are never both
/// held whole (docs/performance.md), and appending a piece moves its run
/// instead of copying its rules.
#[derive(Default)]
pub struct RawRules(Vec<Vec<Spanned<RawRule>>>);

impl RawRules {
    pub fn len(&self) -> usize {
        self.0.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Vec::is_empty)
    }

    /// Every entry, in the file's order.
    pub fn iter(&self) -> impl Iterator<Item = &Spanned<RawRule>> {
        self.0.iter().flatten()
    }

    /// An entry after the others, in the last run.
    pub fn push(&mut self, rule: Spanned<RawRule>) {
        match self.0.last_mut() {
            Some(run) => run.push(rule),
            None => self.0.push(vec![rule]),
        }
    }

    /// The runs, in the file's order.
    pub fn into_runs(self) -> Vec<Vec<Spanned<RawRule>>> {
        self.0
    }

    /// `more`'s runs after these, moved.
    fn append(&mut self, more: RawRules) {
        self.0
            .extend(more.0.into_iter().filter(|run| !run.is_empty()));
    }

    fn shrink_to_fit(&mut self) {
        for run in &mut self.0 {
            run.shrink_to_fit();
        }
        self.0.shrink_to_fit();
    }
}

impl fmt::Debug for RawRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'de> Deserialize<'de> for RawRules {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let run = Vec::<Spanned<RawRule>>::deserialize(deserializer)?;
        Ok(RawRules(if run.is_empty() {
            Vec::new()
        } else {
            vec![run]
        }))
    }
}

impl RawRule {
    /// Whether the rule says `audit = true` (the analyzer judges whether
    /// its action may be audited).
    pub fn audited(&self) -> bool {
        self.audit.as_deref().is_some_and(|a| *a.get_ref())
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawDnat {
    #[schemars(with = "String")]
    pub source: Spanned<String>,
    #[schemars(with = "String")]
    pub dest: Spanned<String>,
    #[schemars(with = "String")]
    pub to: Spanned<String>,
    /// A stock macro (`HTTP`, `Web`) whose lines give the protocols and
    /// ports; `proto` and `dport` then replace the macro's own.
    #[serde(rename = "macro")]
    #[schemars(with = "Option<String>")]
    pub service_macro: Option<Spanned<String>>,
    #[schemars(with = "Option<Scalar>")]
    pub proto: Option<Spanned<Scalar>>,
    #[schemars(with = "Option<PortList>")]
    pub dport: Option<Spanned<PortList>>,
    #[schemars(with = "Option<PortList>")]
    pub sport: Option<Spanned<PortList>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub origdest: Vec<Spanned<String>>,
    #[schemars(with = "Option<i64>")]
    pub to_port: Option<Spanned<i64>>,
    /// `false`: Shorewall's DNAT-, the translation without the filter
    /// ACCEPT.
    pub accept: Option<bool>,
    #[schemars(with = "Option<String>")]
    pub log: Option<Spanned<String>>,
    /// Shorewall's log tag (`DNAT:info:web`): appended to the prefix.
    #[schemars(with = "Option<String>")]
    pub log_tag: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub comment: Option<Spanned<String>>,
    /// A rate limit on the translation (`"3/second"`): Shorewall's RATE
    /// column, on the DNAT rule of the nat table.
    #[schemars(with = "Option<String>")]
    pub rate: Option<Box<Spanned<String>>>,
    /// The rate limit's burst (default 5).
    #[schemars(with = "Option<i64>")]
    pub rate_burst: Option<Box<Spanned<i64>>>,
    /// `"source"` or `"dest"`: one bucket per address (`s:` / `d:`).
    #[schemars(with = "Option<String>")]
    pub rate_per: Option<Box<Spanned<String>>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRedirect {
    #[schemars(with = "String")]
    pub source: Spanned<String>,
    /// A stock macro (`HTTP`, `Web`) whose lines give the protocols and
    /// ports; `proto` and `dport` then replace the macro's own.
    #[serde(rename = "macro")]
    #[schemars(with = "Option<String>")]
    pub service_macro: Option<Spanned<String>>,
    #[schemars(with = "Option<Scalar>")]
    pub proto: Option<Spanned<Scalar>>,
    #[schemars(with = "Option<PortList>")]
    pub dport: Option<Spanned<PortList>>,
    #[schemars(with = "Option<PortList>")]
    pub sport: Option<Spanned<PortList>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub origdest: Vec<Spanned<String>>,
    #[schemars(with = "i64")]
    pub to_port: Spanned<i64>,
    /// `false`: Shorewall's REDIRECT-, the translation without the filter
    /// ACCEPT.
    pub accept: Option<bool>,
    #[schemars(with = "Option<String>")]
    pub log: Option<Spanned<String>>,
    /// Shorewall's log tag (`DNAT:info:web`): appended to the prefix.
    #[schemars(with = "Option<String>")]
    pub log_tag: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub comment: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawNat {
    #[schemars(with = "String")]
    pub external: Spanned<String>,
    #[schemars(with = "String")]
    pub interface: Spanned<String>,
    #[schemars(with = "String")]
    pub internal: Spanned<String>,
    pub all_interfaces: Option<bool>,
    pub local: Option<bool>,
    #[schemars(with = "Option<String>")]
    pub comment: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMasquerade {
    #[schemars(with = "String")]
    pub interface: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub sources: Vec<Spanned<String>>,
    /// shorewall-exclusion(5) in SOURCE: addresses and networks left out
    /// of `sources` (of every source when `sources` is empty).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub except: Vec<Spanned<String>>,
    /// Only connections to these networks (Shorewall's DEST column
    /// `INTERFACE:NETWORKS`).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub destinations: Vec<Spanned<String>>,
    /// Shorewall's SOURCE interface: the networks routed out of it.
    #[schemars(with = "Option<String>")]
    pub source_interface: Option<Spanned<String>>,
    /// Only this protocol (Shorewall's PROTO column).
    #[schemars(with = "Option<Scalar>")]
    pub proto: Option<Spanned<Scalar>>,
    /// Only these destination ports (Shorewall's PORT(S)/DPORT column).
    #[schemars(with = "Option<PortList>")]
    pub dport: Option<Spanned<PortList>>,
    #[schemars(with = "Option<String>")]
    pub mark: Option<Spanned<String>>,
    /// The source port, or range, the translation gives (Shorewall's
    /// `SNAT(ADDRESS:PORTS)`, `MASQUERADE(PORTS)`); needs `proto`.
    #[schemars(with = "Option<PortList>")]
    pub ports: Option<Spanned<PortList>>,
    /// A random source port (Shorewall's `:random`).
    #[schemars(with = "Option<bool>")]
    pub random: Option<Spanned<bool>>,
    /// Ahead of the `[[nat]]` one-to-one translations of the interface
    /// (Shorewall's `SNAT+`, `MASQUERADE+`).
    #[schemars(with = "Option<bool>")]
    pub before_nat: Option<Spanned<bool>>,
    /// The one family the entry translates, `ipv4` or `ipv6` (the
    /// Shorewall or the Shorewall6 snat file's line); without it, its
    /// addresses' family, or its interface's IPv4.
    #[schemars(with = "Option<String>")]
    pub family: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub comment: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSnat {
    #[schemars(with = "String")]
    pub interface: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub sources: Vec<Spanned<String>>,
    /// shorewall-exclusion(5) in SOURCE: addresses and networks left out
    /// of `sources` (of every source when `sources` is empty).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub except: Vec<Spanned<String>>,
    /// Only connections to these networks (Shorewall's DEST column
    /// `INTERFACE:NETWORKS`).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub destinations: Vec<Spanned<String>>,
    /// Shorewall's SOURCE interface: the networks routed out of it.
    #[schemars(with = "Option<String>")]
    pub source_interface: Option<Spanned<String>>,
    /// An address, or a range `FIRST-LAST` the kernel picks from;
    /// `detect` (the interface's address), `keep` (the source port alone
    /// changed, to one of `ports`) or `none` (no translation).
    #[schemars(with = "String")]
    pub to: Spanned<String>,
    /// A range's pick ignores the destination (Shorewall's `:persistent`).
    #[schemars(with = "Option<bool>")]
    pub persistent: Option<Spanned<bool>>,
    /// Only this protocol (Shorewall's PROTO column).
    #[schemars(with = "Option<Scalar>")]
    pub proto: Option<Spanned<Scalar>>,
    /// Only these destination ports (Shorewall's PORT(S)/DPORT column).
    #[schemars(with = "Option<PortList>")]
    pub dport: Option<Spanned<PortList>>,
    #[schemars(with = "Option<String>")]
    pub mark: Option<Spanned<String>>,
    /// The source port, or range, the translation gives (Shorewall's
    /// `SNAT(ADDRESS:PORTS)`, `MASQUERADE(PORTS)`); needs `proto`.
    #[schemars(with = "Option<PortList>")]
    pub ports: Option<Spanned<PortList>>,
    /// A random source port (Shorewall's `:random`).
    #[schemars(with = "Option<bool>")]
    pub random: Option<Spanned<bool>>,
    /// Ahead of the `[[nat]]` one-to-one translations of the interface
    /// (Shorewall's `SNAT+`, `MASQUERADE+`).
    #[schemars(with = "Option<bool>")]
    pub before_nat: Option<Spanned<bool>>,
    /// The one family the entry translates, `ipv4` or `ipv6` (the
    /// Shorewall or the Shorewall6 snat file's line); without it, its
    /// addresses' family, or its interface's IPv4.
    #[schemars(with = "Option<String>")]
    pub family: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub comment: Option<Spanned<String>>,
}

/// What passes while the firewall is stopped (Shorewall's stoppedrules):
/// one `[[stopped]]` entry, src/model/stopped.rs.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStopped {
    #[schemars(with = "String")]
    pub source: Spanned<String>,
    #[schemars(with = "String")]
    pub dest: Spanned<String>,
    #[schemars(with = "Option<Scalar>")]
    pub proto: Option<Spanned<Scalar>>,
    #[schemars(with = "Option<PortList>")]
    pub dport: Option<Spanned<PortList>>,
    #[schemars(with = "Option<PortList>")]
    pub sport: Option<Spanned<PortList>>,
    /// `"ipv4"` or `"ipv6"`: the entry is in that family's stoppedrules
    /// only; `"both"` by default.
    #[schemars(with = "Option<String>")]
    pub family: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub comment: Option<Spanned<String>>,
}

/// A named set of addresses (Shorewall's ipset, nftables' named set): one
/// `[[ipset]]` entry, src/model/ipset.rs.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawIpset {
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// `"ipv4"` or `"ipv6"`.
    #[schemars(with = "String")]
    pub family: Spanned<String>,
    /// `"hash:net"` (default) or `"hash:ip"`.
    #[schemars(with = "Option<String>")]
    pub kind: Option<Spanned<String>>,
    /// The members the set is created with; more are added at run time.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub elements: Vec<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub comment: Option<Spanned<String>>,
}

/// A tunnel endpoint on the firewall (Shorewall's tunnels file): one
/// `[[tunnel]]` entry, src/model/tunnel.rs.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawTunnel {
    /// Shorewall's TYPE without its options: `ipsec`, `openvpnserver`, ...
    #[serde(rename = "type")]
    #[schemars(with = "String")]
    pub kind: Spanned<String>,
    #[schemars(with = "String")]
    pub zone: Spanned<String>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub gateways: Vec<Spanned<String>>,
    #[schemars(with = "Option<Scalar>")]
    pub proto: Option<Spanned<Scalar>>,
    #[schemars(with = "Option<i64>")]
    pub port: Option<Spanned<i64>>,
    #[schemars(with = "Option<bool>")]
    pub ah: Option<Spanned<bool>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub gateway_zones: Vec<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub comment: Option<Spanned<String>>,
}

/// A value written either as a string or as a number (`proto = 6`).
#[derive(Debug, Clone)]
pub enum Scalar {
    Number(i64),
    Text(String),
}

/// Ports: `22`, `"8000:8100"` or a list of either.
#[derive(Debug, Clone)]
pub enum PortList {
    One(Scalar),
    Many(Vec<Scalar>),
}

struct ScalarVisitor(&'static str);

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.0)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Number(v))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Scalar, E> {
        i64::try_from(v)
            .map(Scalar::Number)
            .map_err(|_| E::custom("number too large"))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Text(v.to_owned()))
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ScalarVisitor("a name or a number"))
    }
}

impl JsonSchema for Scalar {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Scalar".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": ["string", "integer"], "description": "a name or a number" })
    }
}

impl JsonSchema for PortList {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PortList".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let one = json_schema!({ "type": ["string", "integer"] });
        json_schema!({
            "description": PORTS_EXPECTED,
            "anyOf": [one, { "type": "array", "items": one }]
        })
    }
}

const PORTS_EXPECTED: &str = "a port number, a range \"LOW:HIGH\" or a list of them";

impl<'de> Deserialize<'de> for PortList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Ports;
        impl<'de> Visitor<'de> for Ports {
            type Value = PortList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(PORTS_EXPECTED)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<PortList, E> {
                ScalarVisitor(PORTS_EXPECTED)
                    .visit_i64(v)
                    .map(PortList::One)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<PortList, E> {
                ScalarVisitor(PORTS_EXPECTED)
                    .visit_u64(v)
                    .map(PortList::One)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<PortList, E> {
                ScalarVisitor(PORTS_EXPECTED)
                    .visit_str(v)
                    .map(PortList::One)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<PortList, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(PortList::Many(items))
            }
        }
        deserializer.deserialize_any(Ports)
    }
}

impl PortList {
    pub fn items(&self) -> Vec<Scalar> {
        match self {
            PortList::One(one) => vec![one.clone()],
            PortList::Many(many) => many.clone(),
        }
    }
}

/// A TOML table whose entries keep the order of the file, so output follows
/// the model's order.
#[derive(Debug)]
pub struct OrderedMap<K, V>(pub Vec<(K, V)>);

impl<K, V> Default for OrderedMap<K, V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<K, V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries<K, V>(PhantomData<(K, V)>);
        impl<'de, K: Deserialize<'de>, V: Deserialize<'de>> Visitor<'de> for Entries<K, V> {
            type Value = OrderedMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(OrderedMap(entries))
            }
        }
        deserializer.deserialize_map(Entries(PhantomData))
    }
}

impl<K, V: JsonSchema> JsonSchema for OrderedMap<K, V> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Map_of_{}", V::schema_name()).into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "object", "additionalProperties": generator.subschema_for::<V>() })
    }
}

impl RawModel {
    /// Append a later part of the same file (src/config/pieces.rs), which
    /// may hold only `[[name]]` tables: how many it held, or `None` when it
    /// holds zones or interfaces. (A part's root holds only its `[[name]]`
    /// tables, so its `firewall`, `shorewall` and `nftables` are always the
    /// defaults; the caller checks the count against the `[[name]]` headers
    /// it cut, so a header that made anything but one table is caught.)
    fn append(&mut self, part: RawModel) -> Option<usize> {
        let RawModel {
            firewall: _,
            shorewall: _,
            nftables: _,
            zones,
            interfaces,
            policy,
            rule,
            dnat,
            redirect,
            nat,
            masquerade,
            snat,
            stopped,
            tunnel,
            blacklist,
            ipset,
            maclist,
            conntrack,
        } = part;
        if !zones.0.is_empty() || !interfaces.0.is_empty() {
            return None;
        }
        let tables = policy.len()
            + rule.len()
            + dnat.len()
            + redirect.len()
            + nat.len()
            + masquerade.len()
            + snat.len()
            + stopped.len()
            + tunnel.len()
            + blacklist.len()
            + ipset.len()
            + maclist.len()
            + conntrack.len();
        join(&mut self.policy, policy);
        self.rule.append(rule);
        join(&mut self.dnat, dnat);
        join(&mut self.redirect, redirect);
        join(&mut self.nat, nat);
        join(&mut self.masquerade, masquerade);
        join(&mut self.snat, snat);
        join(&mut self.stopped, stopped);
        join(&mut self.tunnel, tunnel);
        join(&mut self.blacklist, blacklist);
        join(&mut self.ipset, ipset);
        join(&mut self.maclist, maclist);
        join(&mut self.conntrack, conntrack);
        Some(tables)
    }

    /// Give back the room the lists grew into while parts were appended.
    fn shrink_to_fit(&mut self) {
        self.policy.shrink_to_fit();
        self.rule.shrink_to_fit();
        self.conntrack.shrink_to_fit();
        self.dnat.shrink_to_fit();
        self.redirect.shrink_to_fit();
        self.nat.shrink_to_fit();
        self.masquerade.shrink_to_fit();
        self.snat.shrink_to_fit();
        self.stopped.shrink_to_fit();
        self.tunnel.shrink_to_fit();
        self.ipset.shrink_to_fit();
        self.maclist.shrink_to_fit();
    }
}

/// `more` after `into`, taken whole while `into` is empty (a list of
/// 100,000 entries takes tens of MB: each copy counts; the rules are kept
/// in runs instead, [`RawRules`]).
fn join<T>(into: &mut Vec<T>, more: Vec<T>) {
    if into.is_empty() {
        *into = more;
    } else {
        into.extend(more);
    }
}

/// Parse the model's text: in pieces when it is cut cleanly into them (the
/// same model, faster and in less memory), else whole; TOML's own errors
/// keep their span.
pub fn parse(source: &Source) -> Result<RawModel, Error> {
    pieces::parse(&source.text).map_or_else(|| parse_whole(&source.text), Ok)
}

/// Parse the model's text as one TOML document.
pub fn parse_whole(text: &str) -> Result<RawModel, Error> {
    toml::from_str(text).map_err(|error| {
        let message = error.message().trim_end().replace('\n', "; ");
        Error::new(error.span(), ErrorKind::Toml { message })
    })
}
