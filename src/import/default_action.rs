//! The POLICY column's default actions (shorewall-policy(5):
//! `DROP:Broadcast(DROP),Multicast(DROP)`, `ACCEPT:none`) as the model's
//! `default_action`.

use super::logging;
use crate::model::DefaultAction;

/// A policy's default actions read: the model's list, and what the reader
/// should be told (Shorewall 4's `Drop` read as `shorewall update`
/// rewrites it).
#[derive(Debug, PartialEq, Eq)]
pub struct Read {
    pub actions: Vec<String>,
    pub note: Option<String>,
}

/// `text` after `ACTION:` in one family's policy file. Shorewall6's lists
/// must begin with AllowICMPs before DROP and REJECT, as fwgen always runs
/// it there, and never before ACCEPT.
pub fn read(text: &str, action: &str, ipv6: bool) -> Result<Read, String> {
    // `none` runs nothing (Policy.pm): `CONTINUE:none` is plain CONTINUE.
    if text.trim().eq_ignore_ascii_case("none") && action == "CONTINUE" {
        return Ok(Read {
            actions: Vec::new(),
            note: None,
        });
    }
    if action == "CONTINUE" {
        return Err("a CONTINUE policy has no verdict of its own, and fwgen runs default actions only before one".to_owned());
    }
    let updated = logging::updated_default_action(text, ipv6);
    let note = updated.as_ref().map(|updated| format!("{action}:{text} names Shorewall 4's action, which Shorewall 5.2.8 refuses; read as `shorewall update` rewrites it, {action}:{updated} (without the Drop and Reject actions' silent drops of SMB, UPnP and late DNS replies)"));
    let text = updated.as_deref().unwrap_or(text);
    let mut words: Vec<&str> = text.split(',').map(str::trim).collect();
    if ipv6 && action != "ACCEPT" {
        if words.first() != Some(&"AllowICMPs") {
            return Err(format!(
                "`{action}:{text}` leaves out AllowICMPs, and fwgen always lets the ICMPv6 that IPv6 needs pass before a DROP or REJECT policy (as Shorewall6's DROP_DEFAULT does)"
            ));
        }
        words.remove(0);
        if words.is_empty() {
            return Ok(Read {
                actions: Vec::new(),
                note,
            });
        }
    }
    if let [none] = words[..]
        && none.eq_ignore_ascii_case("none")
    {
        return Ok(Read {
            actions: Vec::new(),
            note,
        });
    }
    let mut actions = Vec::new();
    for word in words {
        let Some(read) = DefaultAction::read(word) else {
            return Err(format!(
                "default action `{word}` is not in fwgen's model, whose policies' default actions are Broadcast(DROP) and Multicast(DROP) (or none)"
            ));
        };
        let keyword = read.keyword().to_owned();
        if actions.contains(&keyword) {
            return Err(format!("default action `{word}` is named twice"));
        }
        actions.push(keyword);
    }
    Ok(Read { actions, note })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actions(text: &str, action: &str, ipv6: bool) -> Option<Vec<String>> {
        read(text, action, ipv6).ok().map(|read| read.actions)
    }

    #[test]
    fn stock_broadcast_and_multicast_drops_are_carried() {
        let both = vec!["Broadcast(DROP)".to_owned(), "Multicast(DROP)".to_owned()];
        assert_eq!(
            actions("Broadcast(DROP),Multicast(DROP)", "DROP", false),
            Some(both.clone())
        );
        assert_eq!(
            actions("Broadcast,Multicast", "REJECT", false),
            Some(both.clone())
        );
        assert_eq!(actions("none", "ACCEPT", false), Some(Vec::new()));
        assert_eq!(actions("None", "DROP", false), Some(Vec::new()));
        assert_eq!(actions("AllowICMPs", "DROP", true), Some(Vec::new()));
        assert_eq!(
            actions("AllowICMPs,Multicast(DROP)", "REJECT", true),
            Some(vec!["Multicast(DROP)".to_owned()])
        );
        assert_eq!(actions("none", "ACCEPT", true), Some(Vec::new()));
        assert_eq!(actions("none", "CONTINUE", false), Some(Vec::new()));
        assert_eq!(actions("None", "CONTINUE", true), Some(Vec::new()));
        let drop = read("Drop", "DROP", false).unwrap();
        assert_eq!(drop.actions, both);
        assert!(drop.note.is_some());
    }

    #[test]
    fn what_fwgen_cannot_run_is_refused() {
        for (text, action, ipv6) in [
            ("Broadcast(ACCEPT)", "DROP", false),
            ("Broadcast(DROP):info", "DROP", false),
            ("dropNotSyn", "DROP", false),
            ("Broadcast,Broadcast", "DROP", false),
            ("Broadcast(DROP)", "CONTINUE", false),
            ("none", "DROP", true),
            ("Broadcast(DROP)", "REJECT", true),
            ("AllowICMPs", "ACCEPT", true),
            ("A_Drop", "DROP", false),
        ] {
            assert!(read(text, action, ipv6).is_err(), "{action}:{text}");
        }
    }
}
