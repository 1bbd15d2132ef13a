//! Policies: what happens to a connection between two zones when no rule
//! decides it.

use std::collections::BTreeMap;
use std::fmt::{self, Display, Formatter};

use super::zone::{ZoneId, ZoneRef};

/// One `[[policy]]` entry.
#[derive(Debug, Clone)]
pub struct Policy {
    pub source: ZoneRef,
    pub dest: ZoneRef,
    pub action: PolicyAction,
    pub log: Option<LogLevel>,
    pub comment: Option<String>,
    /// Line of the entry in the model file.
    pub line: usize,
    /// Byte range of the entry in the model file.
    pub span: std::ops::Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyAction {
    Accept,
    Drop,
    Reject,
    /// Only meaningful with nested zones; without them, fwgen treats the
    /// pair as Shorewall does: the connection falls through to the end of the
    /// chain and is dropped by the catch-all.
    Continue,
}

impl PolicyAction {
    pub fn keyword(self) -> &'static str {
        match self {
            PolicyAction::Accept => "ACCEPT",
            PolicyAction::Drop => "DROP",
            PolicyAction::Reject => "REJECT",
            PolicyAction::Continue => "CONTINUE",
        }
    }
}

impl Display for PolicyAction {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// A syslog level. `name` is Shorewall's spelling; nftables spells
/// warning `warn` (src/backend/nftables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Emerg,
    Alert,
    Crit,
    Err,
    Warning,
    Notice,
    Info,
    Debug,
}

impl LogLevel {
    /// By syslog number: `ALL[4]` is warning.
    pub const ALL: [LogLevel; 8] = [
        LogLevel::Emerg,
        LogLevel::Alert,
        LogLevel::Crit,
        LogLevel::Err,
        LogLevel::Warning,
        LogLevel::Notice,
        LogLevel::Info,
        LogLevel::Debug,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LogLevel::Emerg => "emerg",
            LogLevel::Alert => "alert",
            LogLevel::Crit => "crit",
            LogLevel::Err => "err",
            LogLevel::Warning => "warning",
            LogLevel::Notice => "notice",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
        }
    }

    /// A level as Shorewall's compiler reads it (Config.pm's
    /// `%validlevels`): a name in any case, `warn`, `error` and `panic` as
    /// aliases, or the syslog number 0-7.
    pub fn parse(text: &str) -> Option<LogLevel> {
        if let [digit @ b'0'..=b'7'] = text.as_bytes() {
            return LogLevel::ALL.get(usize::from(digit - b'0')).copied();
        }
        let text = text.to_ascii_lowercase();
        let text = match text.as_str() {
            "warn" => "warning",
            "error" => "err",
            "panic" => "emerg",
            other => other,
        };
        LogLevel::ALL.into_iter().find(|level| level.name() == text)
    }
}

/// The resolved policy of one ordered zone pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub action: PolicyAction,
    pub log: Option<LogLevel>,
    pub origin: DecisionOrigin,
}

/// Why a pair has its policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionOrigin {
    /// The first matching `[[policy]]` entry (index into `Model::policies`).
    Policy(usize),
    /// Traffic from a zone to itself, accepted unless a policy names the zone
    /// on both sides.
    IntraZone,
}

/// The policy of every ordered pair of zones (the firewall included, its
/// traffic to itself excluded): later passes never meet a missing pair.
#[derive(Debug, Clone, Default)]
pub struct PolicyMatrix {
    pairs: BTreeMap<(ZoneId, ZoneId), Decision>,
}

impl PolicyMatrix {
    pub fn insert(&mut self, source: ZoneId, dest: ZoneId, decision: Decision) {
        self.pairs.insert((source, dest), decision);
    }

    /// The decision for a pair; `None` only for `$FW` to `$FW`.
    pub fn get(&self, source: ZoneId, dest: ZoneId) -> Option<Decision> {
        self.pairs.get(&(source, dest)).copied()
    }
}

/// Shorewall's rule: the first policy naming the pair wins; a zone's traffic
/// to itself is accepted unless a policy names that zone on both sides.
pub fn resolve(policies: &[Policy], source: ZoneId, dest: ZoneId) -> Option<Decision> {
    let explicit = |p: &Policy| p.source == ZoneRef::One(source) && p.dest == ZoneRef::One(dest);
    if source == dest {
        let found = policies.iter().position(explicit);
        return Some(found.map_or(
            Decision {
                action: PolicyAction::Accept,
                log: None,
                origin: DecisionOrigin::IntraZone,
            },
            |index| decision(policies, index),
        ));
    }
    policies
        .iter()
        .position(|p| p.source.matches(source) && p.dest.matches(dest))
        .map(|index| decision(policies, index))
}

fn decision(policies: &[Policy], index: usize) -> Decision {
    Decision {
        action: policies[index].action,
        log: policies[index].log,
        origin: DecisionOrigin::Policy(index),
    }
}

#[cfg(test)]
mod tests {
    use super::LogLevel;

    #[test]
    fn levels_are_read_as_shorewall_reads_them() {
        assert_eq!(LogLevel::parse("4"), Some(LogLevel::Warning));
        assert_eq!(LogLevel::parse("0"), Some(LogLevel::Emerg));
        assert_eq!(LogLevel::parse("7"), Some(LogLevel::Debug));
        assert_eq!(LogLevel::parse("PANIC"), Some(LogLevel::Emerg));
        assert_eq!(LogLevel::parse("Warn"), Some(LogLevel::Warning));
        for refused in ["8", "+4", "04", "", "none", "nflog"] {
            assert_eq!(LogLevel::parse(refused), None, "{refused}");
        }
    }
}
