//! The analyzed model: every name resolved, every address parsed, every
//! default filled in. After analysis the model is valid for every backend.

pub mod blacklist;
pub mod conntrack;
pub mod interface;
pub mod ipset;
pub mod limit;
pub mod logging;
pub mod maclist;
pub mod mark;
pub mod nat;
pub mod option_verdict;
pub mod owner;
pub mod policy;
pub mod reject;
pub mod rule;
pub mod service;
pub mod settings;
pub mod stock_macros;
pub mod stopped;
pub mod time;
pub mod tunnel;
pub mod zone;

pub use blacklist::ConnState;
pub use conntrack::{Conntrack, ConntrackChain};
pub use interface::{FamilyOption, Interface, InterfaceOption};
pub use ipset::{Ipset, IpsetKind, IpsetRef};
pub use limit::{ConnLimit, RateLimit};
pub use logging::{LimitPer, LogLimit, RateUnit};
pub use maclist::{Mac, MaclistEntry};
pub use mark::MarkTest;
pub use nat::{Dnat, OneToOne, Redirect, Snat, SnatTarget, SnatTo, SourcePorts};
pub use owner::{Owner, OwnerId, SocketOwner};
pub use policy::{
    Decision, DecisionOrigin, DefaultAction, LogLevel, Policy, PolicyAction, PolicyMatrix,
    PolicySide,
};
pub use rule::{Endpoint, NatExempt, Origdest, Rule, Section, Verdict};
pub use service::{IcmpType, PortRange, Protocol, Service};
pub use settings::{
    CONNTRACK_HELPERS, ClampMss, ConntrackHelper, Disposition, DispositionKey, Dispositions,
    Families, Forwarding, RouteFilter, StateLogs,
};
pub use stopped::{Place, Stopped, StoppedEnd};
pub use tunnel::Tunnel;
pub use zone::{Exclusion, Family, Hosts, Zone, ZoneId, ZoneMss, ZoneRef};

/// A whole firewall, ready to be lowered into any backend.
#[derive(Debug, Clone)]
pub struct Model {
    /// The model file's name, as shown in generated-file headers.
    pub source_name: String,
    pub firewall: Firewall,
    /// Shorewall's major version the Shorewall backend targets (4 or 5).
    pub shorewall_version: u8,
    /// Name of fwgen's own nftables table.
    pub nftables_table: String,
    /// Zones other than the firewall's own, in the model's order.
    pub zones: Vec<Zone>,
    pub interfaces: Vec<Interface>,
    /// `[[ipset]]`: named address sets, in model order.
    pub ipsets: Vec<Ipset>,
    /// Policies in the model's order.
    pub policies: Vec<Policy>,
    /// The policy of every ordered zone pair, resolved.
    pub matrix: PolicyMatrix,
    pub rules: Vec<Rule>,
    /// The rules that exempt connections from the later port forwards and
    /// redirects (ACCEPT+, also in `rules`; NONAT, only here), in model
    /// order.
    pub nat_exemptions: Vec<Rule>,
    /// `[[blacklist]]` entries (Shorewall's blrules), in model order, one
    /// per zone pair as rules are. Their verdict: `Drop`, `Reject`, or
    /// `Accept` for WHITELIST (the packet leaves the blacklist and meets
    /// the rules and the policy).
    pub blacklist: Vec<Rule>,
    pub dnats: Vec<Dnat>,
    pub redirects: Vec<Redirect>,
    /// One-to-one NAT entries, in the model's order.
    pub one_to_one: Vec<OneToOne>,
    pub snats: Vec<Snat>,
    /// What passes while the firewall is stopped, in model order.
    pub stopped: Vec<Stopped>,
    /// Tunnel endpoints on the firewall, in model order.
    pub tunnels: Vec<Tunnel>,
    /// `[[maclist]]` entries (Shorewall's maclist file), in model order.
    pub maclist: Vec<MaclistEntry>,
    /// `[[conntrack]]` entries (Shorewall's conntrack file), in model order.
    pub conntrack: Vec<Conntrack>,
}

/// The firewall host itself (`$FW`).
#[derive(Debug, Clone)]
pub struct Firewall {
    /// The name of the firewall's zone (Shorewall's `fw`).
    pub zone: String,
    /// First field of every log prefix (`Shorewall` in `Shorewall:net-fw:DROP:`).
    pub log_prefix: String,
    /// TCP ports an admin reaches the firewall on (`fwgen check` warns when
    /// none is reachable from any zone). Default: 22.
    pub management_ports: Vec<u16>,
    /// Shorewall's LOGLIMIT: how many packets are logged; `None` logs every one.
    pub log_limit: Option<LogLimit>,
    /// Shorewall's Broadcast(DROP),Multicast(DROP) default actions: broadcasts
    /// and multicasts meet a silent DROP before any DROP or REJECT policy.
    pub drop_broadcasts: bool,
    /// CLAMPMSS: the MSS of forwarded TCP SYNs is lowered; `None`: untouched.
    pub clamp_mss: Families<Option<ClampMss>>,
    /// IP_FORWARDING of each family as the model states it;
    /// [`Model::ip_forwarding`] fills in the default.
    pub ip_forwarding: Families<Option<Forwarding>>,
    /// ROUTE_FILTER=Yes: reverse-path filtering on every interface
    /// ([`Model::route_filter`]).
    pub route_filter: bool,
    /// LOG_MARTIANS=Yes: martians are logged on every interface whose
    /// options do not say otherwise ([`Model::logs_martians`]).
    pub log_martians: bool,
    /// AUTOHELPERS=Yes: the conntrack helpers of [`CONNTRACK_HELPERS`]
    /// watch their ports, and the data connections they announce pass as
    /// RELATED.
    pub conntrack_helpers: bool,
    /// ADMINISABSENTMINDED=Yes: while stopped, the firewall's own traffic
    /// leaves freely; `false`: only loopback, DHCP and the `[[stopped]]`
    /// entries from `$FW` leave (src/ruleset/stopped.rs).
    pub stopped_output_open: bool,
    /// FASTACCEPT=Yes: established packets, and related ones where they
    /// are accepted without a log ([`Firewall::fast_states`]), pass at the
    /// head of input, forward and output, before the interface options,
    /// the addresses no zone claims and the zone pairs' chains.
    pub fast_accept: bool,
    /// BLACKLIST=: the connection states the blacklist sees, in
    /// Shorewall's order.
    pub blacklist_states: Vec<ConnState>,
    /// TCP_FLAGS_DISPOSITION, RELATED_DISPOSITION, INVALID_DISPOSITION and
    /// UNTRACKED_DISPOSITION.
    pub dispositions: Dispositions,
    /// TCP_FLAGS_LOG_LEVEL: what tcpflags catches is logged first (and a
    /// REJECT answers with a TCP reset, as Shorewall's `logflags` chain).
    /// Of each family (`tcp_flags_log`, or `tcp_flags_log_ipv4` and
    /// `_ipv6`).
    pub tcp_flags_log: Families<Option<LogLevel>>,
    /// SMURF_LOG_LEVEL of each family: what nosmurfs catches is logged
    /// first.
    pub smurf_log: Families<Option<LogLevel>>,
    /// RPFILTER_LOG_LEVEL of each family: what rpfilter catches is logged
    /// first.
    pub rpfilter_log: Families<Option<LogLevel>>,
    /// RELATED_LOG_LEVEL, INVALID_LOG_LEVEL and UNTRACKED_LOG_LEVEL: the
    /// packets of the state are logged in each zone pair's chain before
    /// their disposition (see [`Firewall::disposition_log`]).
    pub state_logs: StateLogs,
    /// MACLIST_DISPOSITION: new connections from an interface with the
    /// `maclist` option that no `[[maclist]]` entry decides.
    pub maclist_disposition: Disposition,
    /// MACLIST_LOG_LEVEL: those are logged first.
    pub maclist_log: Option<LogLevel>,
}

impl Model {
    /// What runs before a verdict of `action` when its policy names no
    /// default action: DROP_DEFAULT and REJECT_DEFAULT
    /// (`drop_broadcasts`), nothing before ACCEPT (a CONTINUE policy
    /// ends in no verdict of its own but at a catch-all, where they run).
    pub fn firewall_default_actions(&self, action: PolicyAction) -> Vec<DefaultAction> {
        if action != PolicyAction::Accept && self.firewall.drop_broadcasts {
            vec![DefaultAction::Broadcast, DefaultAction::Multicast]
        } else {
            Vec::new()
        }
    }

    /// The default actions a policy runs before its verdict: its own, else
    /// the firewall's for its action.
    pub fn default_actions(&self, policy: &Policy) -> Vec<DefaultAction> {
        match &policy.default_action {
            Some(own) => own.clone(),
            None => self.firewall_default_actions(policy.action),
        }
    }

    /// Every zone id, the firewall first, then the zones in model order.
    pub fn zone_ids(&self) -> Vec<ZoneId> {
        std::iter::once(ZoneId::Firewall)
            .chain((0..self.zones.len()).map(ZoneId::Zone))
            .collect()
    }

    pub fn zone_name(&self, id: ZoneId) -> &str {
        match id {
            ZoneId::Firewall => &self.firewall.zone,
            ZoneId::Zone(index) => &self.zones[index].name,
        }
    }

    /// A zone as policies and rules write it: a name, `$FW` or `all`.
    pub fn zone_ref_name(&self, zone: ZoneRef) -> String {
        match zone {
            ZoneRef::All => "all".to_owned(),
            ZoneRef::One(ZoneId::Firewall) => "$FW".to_owned(),
            ZoneRef::One(id) => self.zone_name(id).to_owned(),
        }
    }

    /// A policy's SOURCE and DEST as shorewall-policy(5) writes them
    /// (`loc,dmz+`, `all!vpn`, `$FW`), with only the zones `keep` takes (a
    /// family's own file leaves out the other family's zones). `None` when
    /// a side keeps no zone, or when two lists keep one and the same zone
    /// and no `+`: that entry would name the zone's traffic to itself.
    pub fn policy_sides(
        &self,
        policy: &Policy,
        keep: impl Fn(ZoneId) -> bool,
    ) -> Option<(String, String)> {
        let kept = |zones: &[ZoneId]| -> Vec<ZoneId> {
            zones.iter().copied().filter(|&z| keep(z)).collect()
        };
        let name = |id: ZoneId| self.zone_ref_name(ZoneRef::One(id));
        let wild = |side: &PolicySide| match side {
            PolicySide::All { .. } => true,
            PolicySide::List(zones) => kept(zones).len() > 1,
            PolicySide::Zone(_) => false,
        };
        let plus_source = policy.intrazone && wild(&policy.source);
        let plus_dest = policy.intrazone && !plus_source && wild(&policy.dest);
        let text = |side: &PolicySide, plus: bool| -> Option<String> {
            let plus = if plus { "+" } else { "" };
            match side {
                PolicySide::Zone(id) => keep(*id).then(|| name(*id)),
                PolicySide::List(zones) => match kept(zones).as_slice() {
                    [] => None,
                    [one] => Some(name(*one)),
                    many => {
                        let names: Vec<String> = many.iter().map(|&z| name(z)).collect();
                        Some(format!("{}{plus}", names.join(",")))
                    }
                },
                PolicySide::All { except } => {
                    let except: Vec<String> = kept(except).into_iter().map(name).collect();
                    let except = if except.is_empty() {
                        String::new()
                    } else {
                        format!("!{}", except.join(","))
                    };
                    Some(format!("all{plus}{except}"))
                }
            }
        };
        let source = text(&policy.source, plus_source)?;
        let dest = text(&policy.dest, plus_dest)?;
        let listed = matches!(policy.source, PolicySide::List(_))
            || matches!(policy.dest, PolicySide::List(_));
        let one_pair = !wild(&policy.source) && !wild(&policy.dest);
        if listed && one_pair && source == dest && !policy.intrazone {
            return None;
        }
        Some((source, dest))
    }

    /// A zone pair's chain, in Shorewall and nftables alike: `net-fw`.
    pub fn pair_name(&self, source: ZoneId, dest: ZoneId) -> String {
        format!("{}-{}", self.zone_name(source), self.zone_name(dest))
    }

    /// The families an interface carries: its zone's, or for an interface
    /// of no zone those of the zones whose hosts are on it (IPv4 when
    /// none are).
    pub fn interface_family(&self, interface: usize) -> Family {
        zone::interface_family(&self.zones, &self.interfaces, interface)
    }

    pub fn zone_family(&self, id: ZoneId) -> Family {
        match id {
            ZoneId::Firewall => Family::Both,
            ZoneId::Zone(index) => self.zones[index].family,
        }
    }

    /// The interfaces of a zone, in model order.
    pub fn interfaces_of(&self, zone: usize) -> impl Iterator<Item = &Interface> {
        self.interfaces.iter().filter(move |i| i.zone == Some(zone))
    }

    /// Whether the zone has members: an interface of its own or hosts.
    pub fn has_members(&self, zone: usize) -> bool {
        self.interfaces_of(zone).next().is_some() || !self.zones[zone].hosts.is_empty()
    }

    /// Whether a zone's hosts are on this interface (it carries more than
    /// its own zone).
    pub fn has_hosts_on(&self, interface: usize) -> bool {
        self.zones
            .iter()
            .any(|z| z.hosts.iter().any(|h| h.interface == interface))
    }

    pub fn has_family(&self, ipv6: bool) -> bool {
        self.zones.iter().any(|z| {
            if ipv6 {
                z.family.has_ipv6()
            } else {
                z.family.has_ipv4()
            }
        })
    }

    /// True when the firewall routes packets between interfaces.
    pub fn forwards(&self) -> bool {
        self.interfaces.len() > 1 || self.interfaces.iter().any(Interface::routeback_any)
    }
}
