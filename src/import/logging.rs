//! shorewall.conf's logging settings that fwgen's model carries: LOGLIMIT
//! (or Shorewall 4's LOGRATE and LOGBURST) becomes `log_limit`, and
//! DROP_DEFAULT and REJECT_DEFAULT become `drop_broadcasts` (or policies'
//! `default_action`).

use crate::model::LogLimit;

/// A log level that logs nothing, as Config.pm's `validate_level` reads it:
/// empty, or `NONE` in any case (`%validlevels`: `NONE => ''`), after one
/// trailing `!` is taken off.
pub fn no_log(level: &str) -> bool {
    let level = level_as_read(level);
    level.is_empty() || level.eq_ignore_ascii_case("none")
}

/// A rule's or policy's log level as Config.pm's validate_level reads it:
/// without a trailing `!`, which only a call of an action or macro gives
/// a meaning (Rules.pm merge_levels: the level of every line of it).
pub fn level_as_read(level: &str) -> &str {
    level.strip_suffix('!').unwrap_or(level)
}

/// A `*_LOG_LEVEL` setting left unset as Config.pm's `default_log_level`
/// reads it (`$config{KEY} || ''`): empty, or `0`, which Perl takes as
/// false; the setting's default applies (info for RPFILTER_LOG_LEVEL, no
/// log for the others), not level 0.
pub fn setting_unset(value: &str) -> bool {
    matches!(value, "" | "0")
}

/// A `*_LOG_LEVEL` setting that logs nothing: unset ([`setting_unset`]) or
/// a level that logs nothing ([`no_log`]). RPFILTER_LOG_LEVEL's unset value
/// is info, which its reader puts in before it asks.
pub fn setting_logs_nothing(value: &str) -> bool {
    setting_unset(value) || no_log(value)
}

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

/// How long Shorewall's Config.pm finds a LOGFORMAT: Perl's sprintf of it
/// with a chain name (`fooxx2barxx`) and a disposition (`ACCEPT`), and a
/// rule number (1) between them when the format has `%d` anywhere. An
/// empty format (or Perl's false `0`) is Shorewall's default,
/// `Shorewall:%s:%s:`. `None`: a conversion other than `%s`, `%d` and
/// `%%`, which fwgen does not measure.
pub fn filled_logformat(format: &str) -> Option<String> {
    if format.is_empty() || format == "0" {
        return filled_logformat("Shorewall:%s:%s:");
    }
    let arguments: &[&str] = if format.contains("%d") {
        &["fooxx2barxx", "1", "ACCEPT"]
    } else {
        &["fooxx2barxx", "ACCEPT"]
    };
    let mut arguments = arguments.iter();
    let mut filled = String::new();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            filled.push(c);
            continue;
        }
        match chars.next()? {
            '%' => filled.push('%'),
            // A missing argument is empty, or 0.
            's' => filled.push_str(arguments.next().copied().unwrap_or_default()),
            'd' => {
                // Perl's number of a string: its leading digits, or 0.
                let argument = arguments.next().copied().unwrap_or_default();
                let digits: String = argument.chars().take_while(char::is_ascii_digit).collect();
                filled.push_str(if digits.is_empty() { "0" } else { &digits });
            }
            _ => return None,
        }
    }
    Some(filled)
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

    #[test]
    fn logformats_are_filled_as_shorewall_fills_them() {
        let filled = |f| filled_logformat(f).map(|f| f.len());
        // Shorewall's default and the two-interfaces sample's.
        assert_eq!(filled("Shorewall:%s:%s:"), Some(29));
        assert_eq!(filled(""), Some(29));
        assert_eq!(filled("%s %s "), Some(19));
        assert_eq!(
            filled_logformat("fw:%s:%d:%s:").as_deref(),
            Some("fw:fooxx2barxx:1:ACCEPT:")
        );
        assert_eq!(filled_logformat("%d %s %s").as_deref(), Some("0 1 ACCEPT"));
        assert_eq!(filled("100%% %s"), Some(16));
        assert_eq!(filled("%-20s%s"), None);
    }
}
