//! Rules: exceptions to the policies, evaluated in order.

use std::fmt::{self, Display, Formatter};

use ipnet::IpNet;

use super::limit::{ConnLimit, RateLimit};
use super::owner::Owner;
use super::policy::LogLevel;
use super::reject::RejectWith;
use super::service::{Macro, MacroColumns, Service};
use super::time::TimeWindow;
use super::zone::{Family, ZoneRef};

/// One `[[rule]]` entry.
#[derive(Debug, Clone)]
pub struct Rule {
    pub verdict: Verdict,
    pub log: Option<LogLevel>,
    /// Shorewall's log tag (`ACCEPT:info:TRAP`), only with `log`.
    pub log_tag: Option<String>,
    /// An audit record before the verdict (Shorewall's A_ACCEPT, A_DROP,
    /// A_REJECT): ACCEPT, DROP and REJECT only, without a macro.
    pub audit: bool,
    pub source: Endpoint,
    pub dest: Endpoint,
    /// The macro the rule was written with, if any.
    pub service_macro: Option<Macro>,
    /// REJECT's named answer (`REJECT(icmp-host-prohibited)`).
    pub reject_with: Option<Box<RejectWith>>,
    /// The columns the rule gives its macro (`SSH(ACCEPT) net $FW tcp 2222`).
    pub macro_columns: Option<Box<MacroColumns>>,
    /// What the rule matches; empty means every protocol.
    pub services: Vec<Service>,
    pub comment: Option<String>,
    /// The families the rule applies to (`family = "ipv4"`): a line of
    /// only one of Shorewall's and Shorewall6's rules files.
    pub family: Family,
    /// Shorewall's RATE: the rule matches only packets under it.
    pub rate: Option<Box<RateLimit>>,
    /// Shorewall's CONNLIMIT.
    pub connlimit: Option<ConnLimit>,
    /// Shorewall's ORIGDEST: only connections first sent (before DNAT) to
    /// one of these. Empty: any.
    pub origdest: Origdest,
    /// The conntrack helper (a kind of [`CONNTRACK_HELPERS`]) that watches
    /// the rule's new connections: a helper macro's under
    /// conntrack_helpers = false (AUTOHELPERS=No).
    ///
    /// [`CONNTRACK_HELPERS`]: super::settings::CONNTRACK_HELPERS
    pub helper: Option<&'static str>,
    /// Shorewall's USER/GROUP: only packets the firewall sends from a
    /// socket of this owner (the rule's source is the firewall).
    pub owner: Option<Box<Owner>>,
    /// Shorewall's TIME: the rule holds only within this window.
    pub time: Option<Box<TimeWindow>>,
    /// The section of Shorewall's rules file the rule is in (`?SECTION
    /// ALL`, `ESTABLISHED`, `RELATED`; `NEW` by default): which
    /// connection states it sees, and where in its pair's chain it runs.
    pub section: Section,
    /// Shorewall's PROTO `tcp:syn` (`syn = true`): only TCP segments with
    /// SYN set and ACK, RST and FIN clear, a connection's first.
    pub syn: bool,
    /// Line of the entry in the model file.
    pub line: usize,
    /// Byte range of the entry in the model file.
    pub span: std::ops::Range<usize>,
    /// Set when the rule is one part of a macro call whose lines go both
    /// ways or name addresses (`GRE(ACCEPT)`, `VRRP(ACCEPT)`).
    pub macro_part: Option<Box<MacroShare>>,
    /// Shorewall's ACCEPT+ and NONAT: the connection is exempt from the
    /// later port forwards and redirects (`[[dnat]]`, `[[redirect]]`).
    pub nat_exempt: Option<NatExempt>,
}

/// A rule that exempts its connections from the port forwards and
/// redirects after it in the model (shorewall-rules(5); Nat.pm
/// handle_nonat_rule: `-j ACCEPT` in the source zone's nat dnat chain at
/// the rule's place, `-j RETURN` in nat OUTPUT for the firewall's own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NatExempt {
    /// `action = "ACCEPT+"`: exempt, and accepted as ACCEPT is.
    Accept,
    /// `action = "NONAT"`: exempt only; the rules after it and the policy
    /// decide the connection.
    Only,
}

impl NatExempt {
    /// Shorewall's action (`ACCEPT+`, `NONAT`), the model's spelling too.
    pub fn keyword(self) -> &'static str {
        match self {
            NatExempt::Accept => "ACCEPT+",
            NatExempt::Only => "NONAT",
        }
    }

    /// The exemption an action names (`ACCEPT+`, `NONAT`, any case).
    pub fn parse(action: &str) -> Option<NatExempt> {
        [NatExempt::Accept, NatExempt::Only]
            .into_iter()
            .find(|e| e.keyword().eq_ignore_ascii_case(action))
    }
}

/// What the rules of one macro call split into parts (the call's lines
/// the way back, or narrowed to the macro's own addresses) share: the
/// call as written, which Shorewall's backend writes once, on the first
/// part, and Shorewall expands itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacroShare {
    /// Whether this part is the call's first rule.
    pub first: bool,
    /// The call's source, dest and origdest as written.
    pub source: Endpoint,
    pub dest: Endpoint,
    pub origdest: Origdest,
    /// Whether some part applies to IPv4 and to IPv6.
    pub ipv4: bool,
    pub ipv6: bool,
}

/// A section of Shorewall's rules file (shorewall-rules(5) "SECTIONS"),
/// in the order Shorewall runs them in each zone pair's chain (Rules.pm
/// finish_section): ALL rules see every packet of the pair, before its
/// established packets are accepted; ESTABLISHED rules see established
/// packets only, RELATED rules related ones, before their disposition;
/// INVALID rules (the `Invalid` macro's, which fwgen takes alone there)
/// see the packets conntrack calls invalid that their disposition lets
/// through; NEW rules the rest.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    All,
    Established,
    Related,
    Invalid,
    #[default]
    New,
}

impl Section {
    /// The sections whose rules fwgen writes at the head of a pair chain,
    /// before the invalid state: ALL, ESTABLISHED and RELATED.
    pub fn before_invalid(self) -> bool {
        self < Section::Invalid
    }

    /// The model's spelling (`section = "all"`).
    pub fn word(self) -> &'static str {
        match self {
            Section::All => "all",
            Section::Established => "established",
            Section::Related => "related",
            Section::Invalid => "invalid",
            Section::New => "new",
        }
    }

    /// Shorewall's name (`?SECTION ALL`).
    pub fn shorewall(self) -> &'static str {
        match self {
            Section::All => "ALL",
            Section::Established => "ESTABLISHED",
            Section::Related => "RELATED",
            Section::Invalid => "INVALID",
            Section::New => "NEW",
        }
    }
}

/// A zone, optionally narrowed to addresses or networks
/// (Shorewall's `net:192.0.2.0/24`), less excluded ones
/// (shorewall-exclusion(5): `net:!192.0.2.0/24`,
/// `loc:192.168.1.0/24!192.168.1.5`). A written range
/// (`192.168.1.10-192.168.1.20`) is held as the networks that cover it
/// exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub zone: ZoneRef,
    /// `zone:eth0` (shorewall-rules(5)): only the zone's traffic that
    /// comes in (SOURCE) or goes out (DEST) by this interface
    /// (`model.interfaces[index]`).
    pub interface: Option<usize>,
    /// The device and the senders, which few endpoints name (boxed, so
    /// that a rule stays small); `None`: neither.
    pub narrowed: Option<Box<Narrowed>>,
    /// What the endpoint takes in; empty: the whole zone.
    pub addresses: Vec<IpNet>,
    /// What it leaves out of that.
    pub excluded: Vec<IpNet>,
    /// `zone:&eth0` / `$FW:&eth0` (shorewall-rules(5)): the first IPv4
    /// address interface `model.interfaces[index]` has when the firewall
    /// starts (Shorewall's get_interface_address), as the endpoint's only
    /// address. IPv4 only.
    pub interface_address: Option<usize>,
    /// `zone:+name` / `zone:!+name` (shorewall-rules(5)): the members of
    /// an `[[ipset]]`, or every address but them, as the endpoint's only
    /// addresses. Of the set's family.
    pub ipset: Option<super::IpsetRef>,
}

/// What narrows an endpoint beyond its zone, interface and addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Narrowed {
    /// `zone:ppp5` where `ppp5` is a device the wildcard `interface`
    /// (`ppp+`) covers, by its logical name: only that device's traffic
    /// (Zones.pm known_interface; Rules.pm matches `-i ppp5`). `None`:
    /// every device of the interface.
    pub device: Option<Box<str>>,
    /// `zone:~00-1a-2b-3c-4d-5e,~...` (shorewall-rules(5), SOURCE only):
    /// only packets whose sender (the Ethernet source) is one of these
    /// (Chains.pm do_mac, `-m mac --mac-source`). Never beside the
    /// endpoint's `addresses`, `excluded`, `interface_address` or
    /// `ipset`; empty: any sender.
    pub macs: Vec<super::Mac>,
}

impl Narrowed {
    /// The box an endpoint holds: `None` when neither is named.
    pub fn of(device: Option<Box<str>>, macs: Vec<super::Mac>) -> Option<Box<Narrowed>> {
        (device.is_some() || !macs.is_empty()).then(|| Box::new(Narrowed { device, macs }))
    }
}

impl Endpoint {
    /// `zone:ppp5`'s device, of the wildcard interface.
    pub fn device(&self) -> Option<&str> {
        self.narrowed.as_ref()?.device.as_deref()
    }

    /// `zone:~MAC,...`'s senders; empty: any.
    pub fn macs(&self) -> &[super::Mac] {
        self.narrowed.as_ref().map_or(&[], |n| &n.macs)
    }

    /// The interface as Shorewall's SOURCE or DEST writes it after the
    /// zone: the device a wildcard covers, or the interface's name.
    pub fn interface_name<'a>(&'a self, interfaces: &'a [super::Interface]) -> Option<&'a str> {
        let index = self.interface?;
        Some(self.device().unwrap_or(&interfaces[index].name))
    }

    /// Whether the endpoint's addresses allow the family (`true` = IPv6):
    /// written addresses, taken in or left out, narrow it to their
    /// families (`net:!192.0.2.0/24` is IPv4 traffic, as in Shorewall's
    /// IPv4 rules file).
    pub fn allows_family(&self, ipv6: bool) -> bool {
        if self.interface_address.is_some() {
            return !ipv6;
        }
        if let Some(set) = self.ipset {
            return set.ipv6 == ipv6;
        }
        if !self.addresses.is_empty() {
            return self.addresses.iter().any(|a| is_ipv6(a) == ipv6);
        }
        self.excluded.is_empty() || self.excluded.iter().any(|a| is_ipv6(a) == ipv6)
    }

    /// Whether addresses are written, taken in or left out.
    pub fn has_addresses(&self) -> bool {
        !self.addresses.is_empty()
            || !self.excluded.is_empty()
            || self.interface_address.is_some()
            || self.ipset.is_some()
    }
}

/// Shorewall's ORIGDEST column: the address a connection was first sent
/// to, before any DNAT (conntrack's original destination), taken in or
/// left out as shorewall-exclusion(5) writes it (`192.0.2.0/24!192.0.2.1`,
/// `!192.0.2.1`). Empty: any address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origdest {
    /// Taken in; empty: every address but the excluded ones.
    pub addresses: Vec<IpNet>,
    /// Left out.
    pub excluded: Vec<IpNet>,
}

impl Origdest {
    pub fn is_empty(&self) -> bool {
        self.addresses.is_empty() && self.excluded.is_empty()
    }

    /// Every network it names, taken in, then left out.
    pub fn networks(&self) -> impl Iterator<Item = &IpNet> {
        self.addresses.iter().chain(&self.excluded)
    }

    /// The family of the first network it names (`Some(true)`: IPv6).
    pub fn ipv6(&self) -> Option<bool> {
        self.networks().next().map(is_ipv6)
    }

    /// Whether it can match a connection of the family: when empty, or
    /// naming a network of that family.
    pub fn allows_family(&self, ipv6: bool) -> bool {
        self.is_empty() || self.networks().any(|n| is_ipv6(n) == ipv6)
    }

    /// Its networks of one family; `None` when it names some, none of them
    /// of that family (then it matches nothing of that family).
    pub fn of_family(&self, ipv6: bool) -> Option<Origdest> {
        let pick = |nets: &[IpNet]| -> Vec<IpNet> {
            nets.iter()
                .filter(|n| is_ipv6(n) == ipv6)
                .copied()
                .collect()
        };
        let one = Origdest {
            addresses: pick(&self.addresses),
            excluded: pick(&self.excluded),
        };
        (self.is_empty() || !one.is_empty()).then_some(one)
    }
}

pub fn is_ipv6(net: &IpNet) -> bool {
    matches!(net, IpNet::V6(_))
}

/// An address as people write it (`10.0.0.1`), a network with its prefix.
pub fn written(net: &IpNet) -> String {
    if net.prefix_len() == net.max_prefix_len() {
        net.addr().to_string()
    } else {
        net.to_string()
    }
}

/// What a rule does with a matching connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Accept,
    Drop,
    Reject,
    /// Shorewall's LOG action (`LOG:notice net $FW tcp`): the packet is
    /// logged and goes on to the next rule; no verdict.
    Log,
}

impl Verdict {
    pub fn keyword(self) -> &'static str {
        match self {
            Verdict::Accept => "ACCEPT",
            Verdict::Drop => "DROP",
            Verdict::Reject => "REJECT",
            Verdict::Log => "LOG",
        }
    }

    /// The action Shorewall writes for the verdict, audited or not
    /// (`A_ACCEPT`: its rules file and its log prefixes alike).
    pub fn action_word(self, audited: bool) -> &'static str {
        match (self, audited) {
            (Verdict::Accept, true) => "A_ACCEPT",
            (Verdict::Drop, true) => "A_DROP",
            (Verdict::Reject, true) => "A_REJECT",
            (verdict, _) => verdict.keyword(),
        }
    }

    /// Whether Shorewall takes a RATE on a rule of this verdict: Chains.pm's
    /// `%norate` refuses it for the plain DROP and REJECT alone ("Rate
    /// Limiting not available with DROP"); A_DROP and A_REJECT are actions,
    /// called under the rule's `-m limit` as A_ACCEPT is.
    pub fn takes_rate(self, audited: bool) -> bool {
        !matches!(self.action_word(audited), "DROP" | "REJECT")
    }
}

impl Verdict {
    /// A Shorewall action that is a verdict (`ACCEPT`, `DROP`, `REJECT`),
    /// or `LOG`.
    pub fn parse(text: &str) -> Option<Verdict> {
        [
            Verdict::Accept,
            Verdict::Drop,
            Verdict::Reject,
            Verdict::Log,
        ]
        .into_iter()
        .find(|v| v.keyword() == text)
    }
}

impl Display for Verdict {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

impl MacroShare {
    /// Whether some part of the call applies to the family.
    pub fn has(&self, ipv6: bool) -> bool {
        if ipv6 { self.ipv6 } else { self.ipv4 }
    }
}

impl Rule {
    /// Whether this rule can apply to traffic of the family.
    pub fn allows_family(&self, ipv6: bool) -> bool {
        let services_allow = self.services.is_empty()
            || self
                .services
                .iter()
                .any(|s| s.proto.only_ipv6().is_none_or(|only| only == ipv6));
        let answer_allows = self
            .reject_with
            .as_deref()
            .is_none_or(|r| r.only_ipv6().is_none_or(|only| only == ipv6));
        let origdest_allows = self.origdest.allows_family(ipv6);
        services_allow
            && answer_allows
            && origdest_allows
            && self.family.has(ipv6)
            && self.source.allows_family(ipv6)
            && self.dest.allows_family(ipv6)
    }

    /// Whether the rule decides its packets: every rule but LOG.
    pub fn decides(&self) -> bool {
        self.verdict != Verdict::Log
    }

    /// Whether the rule is the `Invalid` macro's: it matches packets in
    /// conntrack state INVALID, in whichever section it is.
    pub fn is_invalid_macro(&self) -> bool {
        self.service_macro.is_some_and(Macro::is_invalid)
    }

    /// Whether the rule is in Shorewall's INVALID section (an `Invalid`
    /// rule without `section = "new"`), which runs before the NEW section
    /// in each zone pair's chain.
    pub fn in_invalid_section(&self) -> bool {
        self.section == Section::Invalid
    }

    /// The destination address type the rule matches (`Broadcast(DROP)`).
    pub fn dest_type(&self) -> Option<super::service::DestType> {
        self.service_macro.and_then(Macro::dest_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A model holds one `Rule` per rule for as long as it lives, and a
    /// raw rule per entry while it is analysed: at 100,000 rules each 100
    /// bytes of either is 10 MB of issue 19's 100 MB. The fields most
    /// rules leave out are boxed (`time`, `owner`, `reject_with`,
    /// `macro_columns`, `rate`, `macro_part`; a raw rule's optional
    /// columns); a field that makes either larger than this is boxed too,
    /// or the bound is raised knowingly (488 -> 520: each endpoint's
    /// `device`, 2026-12-03, boxed with the senders' MAC addresses on
    /// 2026-12-04: 504; the raw rule's 440 -> 448: the boxed `syn`,
    /// 2026-12-04).
    #[test]
    fn rules_stay_small() {
        let sizes = [
            ("Rule", std::mem::size_of::<Rule>(), 504),
            (
                "RawRule",
                std::mem::size_of::<crate::config::RawRule>(),
                448,
            ),
        ];
        for (name, size, bound) in sizes {
            assert!(size <= bound, "{name} is {size} bytes, more than {bound}");
        }
    }
}
