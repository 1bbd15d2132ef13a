//! The blacklist: Shorewall's blrules (shorewall-blrules(5)), entries
//! evaluated before every rule of the zone pairs they name, for the
//! connection states of BLACKLIST= (`[firewall] blacklist_states`).

use std::fmt::{self, Display, Formatter};

/// A connection tracking state, as Shorewall's BLACKLIST= names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ConnState {
    New,
    Established,
    Related,
    Invalid,
    Untracked,
}

impl ConnState {
    /// Every state, in Shorewall's order (Config.pm writes BLACKLIST so).
    pub const ALL: [ConnState; 5] = [
        ConnState::New,
        ConnState::Established,
        ConnState::Related,
        ConnState::Invalid,
        ConnState::Untracked,
    ];

    /// The states the model's default names: Shorewall's sample
    /// shorewall.conf, `BLACKLIST="NEW,INVALID,UNTRACKED"`.
    pub const DEFAULT: [ConnState; 3] = [ConnState::New, ConnState::Invalid, ConnState::Untracked];

    /// The states FASTACCEPT=Yes accepts before every rule, as Misc.pm's
    /// `$faststate`: ESTABLISHED, and RELATED where RELATED_DISPOSITION
    /// is a plain ACCEPT (`related`: the disposition and whether it is
    /// audited) and RELATED_LOG_LEVEL logs nothing (`related_logged`).
    pub fn fast(related: (super::Disposition, bool), related_logged: bool) -> Vec<ConnState> {
        let mut states = vec![ConnState::Established];
        if related == (super::Disposition::Accept, false) && !related_logged {
            states.push(ConnState::Related);
        }
        states
    }

    pub fn keyword(self) -> &'static str {
        match self {
            ConnState::New => "NEW",
            ConnState::Established => "ESTABLISHED",
            ConnState::Related => "RELATED",
            ConnState::Invalid => "INVALID",
            ConnState::Untracked => "UNTRACKED",
        }
    }

    /// A state by its name, in any case.
    pub fn parse(text: &str) -> Option<ConnState> {
        Self::ALL
            .into_iter()
            .find(|s| s.keyword().eq_ignore_ascii_case(text))
    }
}

impl Display for ConnState {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

/// BLACKLIST= as Shorewall's shorewall.conf writes it: `ALL`, or the
/// states in Shorewall's order, comma-separated.
pub fn states_setting(states: &[ConnState]) -> String {
    if states.len() == ConnState::ALL.len() {
        return "ALL".to_owned();
    }
    let names: Vec<&str> = states.iter().map(|s| s.keyword()).collect();
    names.join(",")
}
