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
/// with every name the firewall host gives each (`/etc/passwd`,
/// `/etc/group`; aliases such as `toor` for uid 0 included), as `nft` and
/// Shorewall resolve a rule's names to ids when they load it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SocketOwner {
    pub uid: u32,
    pub gid: u32,
    pub users: Vec<String>,
    pub groups: Vec<String>,
}

/// The entries of a passwd(5) or group(5) file: name, id and (passwd)
/// primary group.
fn entries(text: &str) -> impl Iterator<Item = (&str, u32, Option<u32>)> {
    text.lines().filter_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        let id = fields.get(2)?.parse().ok()?;
        Some((fields[0], id, fields.get(3).and_then(|g| g.parse().ok())))
    })
}

/// `key`'s id in a passwd or group file: by name, else as a number.
fn id_of(text: &str, key: &str) -> Option<(u32, Option<u32>)> {
    let named = entries(text).find(|(name, ..)| *name == key);
    named
        .map(|(_, id, primary)| (id, primary))
        .or_else(|| key.parse().ok().map(|id| (id, None)))
}

/// Every name an id has in a passwd or group file.
fn names_of(text: &str, id: u32) -> Vec<String> {
    let named = entries(text).filter(|(_, each, _)| *each == id);
    named.map(|(name, ..)| name.to_owned()).collect()
}

impl SocketOwner {
    /// Whether a rule's user (`group`: false) or group id holds for this
    /// owner: a name by the owner's names, numbers by range.
    pub fn is(&self, id: &OwnerId, group: bool) -> bool {
        let (number, names) = match group {
            false => (self.uid, &self.users),
            true => (self.gid, &self.groups),
        };
        match id {
            OwnerId::Name(wanted) => names.iter().any(|name| name == wanted),
            OwnerId::Ids { low, high } => (*low..=*high).contains(&number),
        }
    }

    /// `user` (a name or number) and `group` (one, or the user's primary
    /// group) read from the files `passwd` and `group` hold
    /// (`/etc/passwd` and `/etc/group`).
    pub fn resolve(
        user: &str,
        group: Option<&str>,
        passwd: &str,
        groups: &str,
    ) -> Result<SocketOwner, String> {
        let (uid, primary) =
            id_of(passwd, user).ok_or_else(|| format!("no user `{user}` in /etc/passwd"))?;
        let primary = primary.or_else(|| {
            entries(passwd).find_map(|(_, id, primary)| (id == uid).then_some(primary)?)
        });
        let gid = match group {
            Some(group) => {
                let found = id_of(groups, group).map(|(gid, _)| gid);
                found.ok_or_else(|| format!("no group `{group}` in /etc/group"))?
            }
            None => primary.ok_or_else(|| {
                format!("user `{user}` has no primary group in /etc/passwd: name one with --group")
            })?,
        };
        Ok(SocketOwner {
            uid,
            gid,
            users: names_of(passwd, uid),
            groups: names_of(groups, gid),
        })
    }

    /// The owner of this process, as the lab's probes from the firewall
    /// are sent by it.
    pub fn this_process() -> SocketOwner {
        let uid = rustix::process::geteuid().as_raw();
        let gid = rustix::process::getegid().as_raw();
        let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
        SocketOwner {
            uid,
            gid,
            users: names_of(&read("/etc/passwd"), uid),
            groups: names_of(&read("/etc/group"), gid),
        }
    }
}

#[cfg(test)]
mod socket_owner_tests {
    use super::*;

    const PASSWD: &str = "root:x:0:0:root:/root:/bin/bash\ntoor:x:0:0::/root:/bin/sh\nproxy:x:13:13:proxy:/bin:/usr/sbin/nologin\nalice:x:1000:100::/home/alice:/bin/sh\n";
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
        assert!(unknown.users.is_empty() && unknown.groups.is_empty());
        assert!(SocketOwner::resolve("4242", None, PASSWD, GROUP).is_err());
        // An alias of uid 0 is root, as nft resolves either name to 0.
        let toor = SocketOwner::resolve("toor", None, PASSWD, GROUP).unwrap();
        assert!(toor.is(&OwnerId::Name("root".into()), false));
        let zero = SocketOwner::resolve("0", None, PASSWD, GROUP).unwrap();
        assert!(zero.is(&OwnerId::Name("toor".into()), false));
        assert!(SocketOwner::resolve("bob", None, PASSWD, GROUP).is_err());
        assert!(SocketOwner::resolve("alice", Some("nogroup"), PASSWD, GROUP).is_err());
    }
}
