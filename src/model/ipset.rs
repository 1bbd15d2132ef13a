//! Named address sets (`[[ipset]]`): Shorewall's ipsets (`+name` in an
//! address column, ipset(8) holding the members), nftables' named sets in
//! fwgen's table (`set name { type ipv4_addr; flags interval; ... }`).
//!
//! A set's members are the model's `elements` when the firewall is loaded,
//! plus whatever is added at run time (`ipset add`, `nft add element`):
//! the kernel holds those, and `fwgen apply` keeps them across a reload.

use ipnet::IpNet;

/// One `[[ipset]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ipset {
    /// The set's name: ipset(8)'s and the nftables set's alike.
    pub name: String,
    /// `true`: IPv6 addresses (`family inet6`, `ipv6_addr`).
    pub ipv6: bool,
    pub kind: IpsetKind,
    /// The members the firewall creates the set with.
    pub elements: Vec<IpNet>,
}

/// The ipset(8) types fwgen models: sets of addresses only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpsetKind {
    /// `hash:net`: networks and addresses.
    HashNet,
    /// `hash:ip`: addresses only.
    HashIp,
}

impl IpsetKind {
    pub fn name(self) -> &'static str {
        match self {
            IpsetKind::HashNet => "hash:net",
            IpsetKind::HashIp => "hash:ip",
        }
    }
}

impl Ipset {
    /// ipset(8)'s family word.
    pub fn family_word(&self) -> &'static str {
        if self.ipv6 { "inet6" } else { "inet" }
    }
}

/// An address column naming a set: `+name`, or `!+name` (every address
/// but the set's members).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpsetRef {
    /// `model.ipsets[index]`.
    pub index: usize,
    pub negated: bool,
    /// The set's family (`true`: IPv6).
    pub ipv6: bool,
}
