//! Shorewall's conntrack file (shorewall-conntrack(5)): packets that
//! connection tracking leaves alone (`NOTRACK`, `CT:notrack`). Raw.pm
//! writes them in the raw table, before conntrack: such a packet is in
//! conntrack state UNTRACKED, is translated by no NAT, and meets the rules
//! as Shorewall's UNTRACKED_DISPOSITION (`untracked_disposition`) says.

use std::ops::Range;

use ipnet::IpNet;

use super::{Endpoint, Service};

/// The hooks an entry without a source zone is on: Shorewall's FORMAT 3
/// chain designator (`:P`, `:O`, `:PO`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConntrackChain {
    /// Packets that arrive (raw PREROUTING), the default.
    Prerouting,
    /// The firewall's own packets (raw OUTPUT).
    Output,
    /// Both.
    Both,
}

impl ConntrackChain {
    pub fn parse(text: &str) -> Option<ConntrackChain> {
        match text {
            "prerouting" => Some(ConntrackChain::Prerouting),
            "output" => Some(ConntrackChain::Output),
            "both" => Some(ConntrackChain::Both),
            _ => None,
        }
    }

    /// Shorewall's designator: `P`, `O` or `PO`.
    pub fn designator(self) -> &'static str {
        match self {
            ConntrackChain::Prerouting => "P",
            ConntrackChain::Output => "O",
            ConntrackChain::Both => "PO",
        }
    }

    pub fn keyword(self) -> &'static str {
        match self {
            ConntrackChain::Prerouting => "prerouting",
            ConntrackChain::Output => "output",
            ConntrackChain::Both => "both",
        }
    }
}

/// One `[[conntrack]]` entry: a `NOTRACK` line of the conntrack file.
#[derive(Debug, Clone)]
pub struct Conntrack {
    /// The zone (and its addresses) the packets come from: the firewall's
    /// own packets in raw OUTPUT, another zone's in raw PREROUTING by its
    /// interfaces and hosts (Shorewall's `net_ctrk` chain). `None`: any
    /// source, on `chain`.
    pub source: Option<Endpoint>,
    pub chain: ConntrackChain,
    /// Destination addresses taken in (empty: any) and left out.
    pub dest: Vec<IpNet>,
    pub dest_excluded: Vec<IpNet>,
    /// One per protocol; empty: every packet.
    pub services: Vec<Service>,
    pub comment: Option<String>,
    pub span: Range<usize>,
    /// The entry's line in the model file.
    pub line: usize,
}
