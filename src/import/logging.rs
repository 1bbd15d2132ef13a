//! shorewall.conf's logging settings that fwgen's model carries: LOGLIMIT
//! (or Shorewall 4's LOGRATE and LOGBURST) becomes `log_limit`, and
//! DROP_DEFAULT and REJECT_DEFAULT become `drop_broadcasts`.

use crate::model::LogLimit;

/// `log_limit` as the model writes it, from LOGLIMIT's value (or, when
/// LOGLIMIT is not set, Shorewall 4's LOGRATE and LOGBURST, which Shorewall
/// 5 turns into `LOGRATE:LOGBURST`). Empty: no limit.
pub fn log_limit(value: &str) -> Result<String, String> {
    if value.is_empty() {
        return Ok("none".to_owned());
    }
    LogLimit::parse(value)
        .map(|limit| limit.to_string())
        .map_err(|problem| format!("a log limit fwgen cannot express: {problem}"))
}

/// LOGLIMIT from Shorewall 4's LOGRATE and LOGBURST, as Shorewall 5's
/// `update` writes it.
pub fn log_rate(rate: &str, burst: &str) -> String {
    if burst.is_empty() {
        rate.to_owned()
    } else {
        format!("{rate}:{burst}")
    }
}

/// `drop_broadcasts` from DROP_DEFAULT or REJECT_DEFAULT: `none` (any case,
/// Shorewall's default) or Broadcast(DROP),Multicast(DROP) in either order.
/// Other actions would decide more than broadcasts; fwgen has no place for them.
pub fn drop_broadcasts(value: &str) -> Option<bool> {
    if value.is_empty() || value.eq_ignore_ascii_case("none") {
        return Some(false);
    }
    let mut actions: Vec<&str> = value
        .split(',')
        .map(|action| action.trim())
        .map(|action| action.strip_suffix("(DROP)").unwrap_or(action))
        .collect();
    actions.sort_unstable();
    (actions == ["Broadcast", "Multicast"]).then_some(true)
}

/// Shorewall 4's `Drop` and `Reject` default actions as `shorewall update`
/// rewrites them (Config.pm, update_config_file): the first of the two
/// words becomes `Broadcast(DROP),Multicast(DROP)`, after `AllowICMPs,` in
/// Shorewall6. `None` when the value names neither (the audited `A_Drop`
/// and `Drop(audit)` forms are left to the refusal: fwgen has no audit).
pub fn updated_default_action(value: &str, ipv6: bool) -> Option<String> {
    let replacement = if ipv6 {
        "AllowICMPs,Broadcast(DROP),Multicast(DROP)"
    } else {
        "Broadcast(DROP),Multicast(DROP)"
    };
    let mut actions: Vec<&str> = value.split(',').map(str::trim).collect();
    let first = actions
        .iter()
        .position(|action| matches!(*action, "Drop" | "Reject"))?;
    actions[first] = replacement;
    Some(actions.join(","))
}

/// The same in Shorewall6, where fwgen always lets the ICMPv6 that IPv6
/// needs pass first: `AllowICMPs`, then as in Shorewall.
pub fn drop_broadcasts_after_icmp(value: &str) -> Option<bool> {
    match value.strip_prefix("AllowICMPs")? {
        "" => Some(false),
        rest => drop_broadcasts(rest.strip_prefix(',')?).filter(|drop| *drop),
    }
}

pub const DEFAULT_ACTIONS_REFUSED_IPV6: &str = "fwgen runs AllowICMPs, then Broadcast(DROP),Multicast(DROP) (`drop_broadcasts`) or nothing, before a DROP or REJECT policy";

pub const DEFAULT_ACTIONS_REFUSED: &str = "fwgen runs Broadcast(DROP),Multicast(DROP) (`drop_broadcasts`) or nothing before a DROP or REJECT policy";

pub const DEFAULT_ACTIONS_DIFFER: &str = "DROP_DEFAULT and REJECT_DEFAULT differ, and fwgen's `drop_broadcasts` runs before DROP and REJECT policies alike";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_carried_in_the_models_spelling() {
        assert_eq!(log_limit("s:1/sec:10").as_deref(), Ok("s:1/sec:10"));
        assert_eq!(log_limit("10/minute").as_deref(), Ok("10/min:5"));
        assert_eq!(log_limit("").as_deref(), Ok("none"));
        assert!(log_limit("s:lograte:1/sec:10").is_err());
        assert_eq!(log_rate("10/minute", "5"), "10/minute:5");
        assert_eq!(log_rate("10/minute", ""), "10/minute");
        assert!(log_limit(&log_rate("", "5")).is_err());
    }

    #[test]
    fn only_broadcast_and_multicast_drops_are_carried() {
        for (value, carried) in [
            ("none", Some(false)),
            ("None", Some(false)),
            ("", Some(false)),
            ("Broadcast(DROP),Multicast(DROP)", Some(true)),
            ("Multicast,Broadcast", Some(true)),
            ("Broadcast(DROP)", None),
            ("Broadcast(DROP),Multicast(DROP),dropNotSyn", None),
            ("Broadcast(A_DROP),Multicast(A_DROP)", None),
            ("Broadcast(DROP):info,Multicast(DROP)", None),
            ("Drop", None),
            ("A_Drop", None),
            ("AllowICMPs", None),
        ] {
            assert_eq!(drop_broadcasts(value), carried, "{value}");
        }
        for (value, carried) in [
            ("AllowICMPs", Some(false)),
            ("AllowICMPs,Broadcast(DROP),Multicast(DROP)", Some(true)),
            ("AllowICMPs,none", None),
            ("Broadcast(DROP),Multicast(DROP)", None),
            ("none", None),
            ("AllowICMPsX", None),
        ] {
            assert_eq!(drop_broadcasts_after_icmp(value), carried, "{value}");
        }
    }
}
