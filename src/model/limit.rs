//! A rule's rate limit (Shorewall's RATE column) and connection limit
//! (its CONNLIMIT column), as Shorewall 5.2.8's Chains.pm compiles them
//! (`do_ratelimit`, `do_connlimit`).

use std::fmt::{self, Display, Formatter};

use super::logging::{LimitPer, RateUnit};

/// A rule's rate limit: the rule matches only packets under it; a packet
/// over it is not matched and goes on to the later rules and the policy
/// (iptables `-m limit` / `-m hashlimit --hashlimit-upto`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimit {
    /// One bucket for the rule, or one per source or destination address.
    pub per: LimitPer,
    /// Packets per `unit`: 1 to [`RateLimit::MAX`].
    pub rate: u32,
    pub unit: RateUnit,
    /// Packets matched in a row before the rate holds them back (iptables'
    /// default 5).
    pub burst: u32,
    /// Shorewall's hashlimit table name (`s:ssh:3/min`): rules naming the
    /// same table share its buckets. Only with `per`.
    pub table: Option<String>,
}

impl RateLimit {
    /// Largest rate and burst, as the log limit's.
    pub const MAX: u32 = super::LogLimit::MAX;

    /// iptables' burst when none is written.
    pub const DEFAULT_BURST: u32 = 5;

    /// Seconds an idle address keeps its bucket: Shorewall's
    /// `--hashlimit-htable-expire` (a minute for `/min`, an hour for
    /// `/hour`, a day for `/day`), and iptables' 10 seconds for `/sec`.
    pub fn expire_seconds(&self) -> u64 {
        match self.unit {
            RateUnit::Second => 10,
            RateUnit::Minute => 60,
            RateUnit::Hour => 3600,
            RateUnit::Day => 86_400,
        }
    }

    /// The rate as people read it: `10/minute, burst 5, per source address`.
    pub fn describe(&self) -> String {
        let per = match self.per {
            LimitPer::All => "",
            LimitPer::Source => ", per source address",
            LimitPer::Destination => ", per destination address",
        };
        format!(
            "{}/{}, burst {}{per}",
            self.rate,
            self.unit.name(),
            self.burst
        )
    }
}

/// Shorewall's RATE column: `[s:|d:][TABLE:]RATE/UNIT:BURST`.
impl Display for RateLimit {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.per {
            LimitPer::All => {}
            LimitPer::Source => f.write_str("s:")?,
            LimitPer::Destination => f.write_str("d:")?,
        }
        if let Some(table) = &self.table {
            write!(f, "{table}:")?;
        }
        write!(f, "{}/{}:{}", self.rate, self.unit.name(), self.burst)
    }
}

/// A limit on the connections an address has open: the rule matches a
/// new connection only while the address (masked to `mask` bits) has at
/// most `count` connections, this one counted; with `above`, only while
/// it has more (iptables `-m connlimit [!] --connlimit-above`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnLimit {
    pub count: u32,
    /// Shorewall's `!N`: the rule matches above the limit.
    pub above: bool,
    /// Whose connections are counted: the source's (default) or the
    /// destination's (`d:`).
    pub per: LimitPer,
    /// The prefix length connections are grouped by; `None`: the whole
    /// address (32 or 128 bits).
    pub mask: Option<u8>,
}

impl ConnLimit {
    pub fn describe(&self) -> String {
        let who = match self.per {
            LimitPer::Destination => "destination",
            _ => "source",
        };
        let how = if self.above { "more than" } else { "at most" };
        let count = self.count;
        match self.mask {
            Some(0) => format!("{how} {count} connections of every {who} together"),
            Some(m) => format!("{how} {count} connections per {who} (addresses grouped by /{m})"),
            None => format!("{how} {count} connections per {who}"),
        }
    }
}

/// Shorewall's CONNLIMIT column: `[d:][!]LIMIT[:MASK]`.
impl Display for ConnLimit {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.per == LimitPer::Destination {
            f.write_str("d:")?;
        }
        if self.above {
            f.write_str("!")?;
        }
        write!(f, "{}", self.count)?;
        if let Some(mask) = self.mask {
            write!(f, ":{mask}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_written_as_shorewall_reads_them() {
        let rate = RateLimit {
            per: LimitPer::Source,
            rate: 10,
            unit: RateUnit::Minute,
            burst: 3,
            table: Some("ssh".into()),
        };
        assert_eq!(rate.to_string(), "s:ssh:10/min:3");
        let plain = RateLimit {
            per: LimitPer::All,
            table: None,
            ..rate
        };
        assert_eq!(plain.to_string(), "10/min:3");
        let conn = ConnLimit {
            count: 2,
            above: true,
            per: LimitPer::Destination,
            mask: Some(24),
        };
        assert_eq!(conn.to_string(), "d:!2:24");
    }
}
