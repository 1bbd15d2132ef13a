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

/// The owner of the socket that sent a packet: its user and group ids,
/// with the names the firewall host gives them (`/etc/passwd`,
/// `/etc/group`), as `nft` and Shorewall resolve a rule's names when they
/// load it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketOwner {
    pub uid: u32,
    pub gid: u32,
    pub user: Option<String>,
    pub group: Option<String>,
}

impl SocketOwner {
    /// Whether a rule's user (`group`: false) or group id holds for this
    /// owner: a name by the owner's name, numbers by range.
    pub fn is(&self, id: &OwnerId, group: bool) -> bool {
        let (number, name) = match group {
            false => (self.uid, &self.user),
            true => (self.gid, &self.group),
        };
        match id {
            OwnerId::Name(wanted) => name.as_deref() == Some(wanted.as_str()),
            OwnerId::Ids { low, high } => (*low..=*high).contains(&number),
        }
    }

    /// `user` (a name or number) and `group` (one, or the user's primary
    /// group) read from the files `passwd` and `group` hold
    /// (`/etc/passwd` and `/etc/group`, as getpwnam(3) reads them).
    pub fn resolve(
        user: &str,
        group: Option<&str>,
        passwd: &str,
        groups: &str,
    ) -> Result<SocketOwner, String> {
        let entry = |text: &str, key: &str| -> Option<(String, u32, Option<u32>)> {
            text.lines().find_map(|line| {
                let fields: Vec<&str> = line.split(':').collect();
                let id: u32 = fields.get(2)?.parse().ok()?;
                let primary = fields.get(3).and_then(|g| g.parse().ok());
                (fields[0] == key || key.parse() == Ok(id))
                    .then(|| (fields[0].to_owned(), id, primary))
            })
        };
        let (user_name, uid, primary) = match entry(passwd, user) {
            Some((name, uid, primary)) => (Some(name), uid, primary),
            None => match user.parse() {
                Ok(uid) => (None, uid, None),
                Err(_) => return Err(format!("no user `{user}` in /etc/passwd")),
            },
        };
        let (group_name, gid) = match group {
            Some(group) => match entry(groups, group) {
                Some((name, gid, _)) => (Some(name), gid),
                None => match group.parse() {
                    Ok(gid) => (None, gid),
                    Err(_) => return Err(format!("no group `{group}` in /etc/group")),
                },
            },
            None => {
                let gid = primary.ok_or_else(|| {
                    format!("user `{user}` has no primary group in /etc/passwd: name one")
                })?;
                let name = entry(groups, &gid.to_string()).map(|(name, _, _)| name);
                (name, gid)
            }
        };
        Ok(SocketOwner {
            uid,
            gid,
            user: user_name,
            group: group_name,
        })
    }

    /// The owner of this process, as the lab's probes from the firewall
    /// are sent by it.
    pub fn this_process() -> SocketOwner {
        let (uid, gid) = (rustix::process::geteuid(), rustix::process::getegid());
        let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
        let (uid, gid) = (uid.as_raw(), gid.as_raw());
        SocketOwner::resolve(
            &uid.to_string(),
            Some(&gid.to_string()),
            &read("/etc/passwd"),
            &read("/etc/group"),
        )
        .unwrap_or(SocketOwner {
            uid,
            gid,
            user: None,
            group: None,
        })
    }
}

#[cfg(test)]
mod socket_owner_tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\nproxy:x:13:13:proxy:/bin:/usr/sbin/nologin\nalice:x:1000:100::/home/alice:/bin/sh\n";
    const GROUP: &str = "root:x:0:\nproxy:x:13:\nusers:x:100:alice\n";

    #[test]
    fn names_and_numbers_resolve_to_the_same_owner() {
        let by_name = SocketOwner::resolve("alice", None, PASSWD, GROUP).unwrap();
        let by_number = SocketOwner::resolve("1000", Some("users"), PASSWD, GROUP).unwrap();
        assert_eq!(by_name, by_number);
        assert_eq!((by_name.uid, by_name.gid), (1000, 100));
        assert!(by_name.is(&OwnerId::Name("alice".into()), false));
        assert!(by_name.is(&OwnerId::Name("users".into()), true));
        assert!(!by_name.is(&OwnerId::Name("root".into()), false));
        assert!(by_name.is(
            &OwnerId::Ids {
                low: 1000,
                high: 1999
            },
            false
        ));
        assert!(!by_name.is(&OwnerId::Ids { low: 0, high: 999 }, false));
        let unknown = SocketOwner::resolve("4242", Some("4242"), PASSWD, GROUP).unwrap();
        assert_eq!((unknown.user, unknown.group), (None, None));
        assert!(SocketOwner::resolve("bob", None, PASSWD, GROUP).is_err());
        assert!(SocketOwner::resolve("alice", Some("nogroup"), PASSWD, GROUP).is_err());
    }
}
