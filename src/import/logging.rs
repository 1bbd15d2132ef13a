//! shorewall.conf's logging settings that fwgen's model carries: LOGLIMIT
//! (or Shorewall 4's LOGRATE and LOGBURST) becomes `log_limit`, and
//! DROP_DEFAULT and REJECT_DEFAULT become `drop_broadcasts` (or policies'
//! `default_action`).

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
}
