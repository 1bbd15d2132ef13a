//! Shorewall's USER/GROUP rule column (shorewall-rules(5)
//! `[!][user][:group]`): the owner of the socket that sent a packet the
//! firewall itself sends.

use std::fmt::{self, Display, Formatter};

/// A user or group as a rule names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnerId {
    /// A name, resolved to its number by whoever loads the firewall on the
    /// firewall host (Shorewall when it compiles, `nft` when it loads).
    Name(String),
    /// The numeric ids `low` to `high` (one id: both the same).
    Ids { low: u32, high: u32 },
}

impl Display for OwnerId {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            OwnerId::Name(name) => f.write_str(name),
            OwnerId::Ids { low, high } if low == high => write!(f, "{low}"),
            OwnerId::Ids { low, high } => write!(f, "{low}-{high}"),
        }
    }
}

/// The owner a rule's packets are sent by: a user, a group, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub user: Option<OwnerId>,
    pub group: Option<OwnerId>,
    /// `!user:group`: sent by neither the user nor the group (each test
    /// negated, as iptables' `! --uid-owner U ! --gid-owner G`).
    pub negated: bool,
}

impl Owner {
    /// Shorewall's USER/GROUP column: `proxy`, `!proxy`, `:adm`,
    /// `1000-1999:adm`.
    pub fn shorewall(&self) -> String {
        let mut text = String::new();
        if self.negated {
            text.push('!');
        }
        if let Some(user) = &self.user {
            text.push_str(&user.to_string());
        }
        if let Some(group) = &self.group {
            text.push(':');
            text.push_str(&group.to_string());
        }
        text
    }

    /// As people read it: `user proxy`, `not user 13 nor group adm`.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = [("user", &self.user), ("group", &self.group)]
            .into_iter()
            .filter_map(|(what, id)| Some(format!("{what} {}", id.as_ref()?)))
            .collect();
        match self.negated {
            true => format!("neither {}", parts.join(" nor ")),
            false => parts.join(" and "),
        }
    }
}
