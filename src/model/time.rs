//! Shorewall's TIME rule column (shorewall-rules(5), Chains.pm do_time,
//! iptables' `-m time`): the rule holds only within a window of the clock.
//!
//! xt_time compares the packet's arrival in UTC, or, with `kerneltz`
//! (`localtz`), in the kernel's timezone (`sys_tz`). nftables' `meta hour`
//! and `meta time` read UTC in the kernel (the `nft` process converts a
//! quoted `"22:00"` from its own timezone: fwgen writes the integer, which
//! it does not convert), and `meta day` reads the kernel's timezone
//! (nft_meta_weekday subtracts `sys_tz`). So the model takes hours and
//! dates in UTC and weekdays in the kernel's timezone: the forms both
//! backends mean alike on any machine.

use std::fmt::Write as _;

/// Which clock a window reads: `utc` (xt_time's default), or the kernel's
/// timezone (`kerneltz`, Shorewall's `localtz` too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    Utc,
    Kernel,
}

/// The weekdays, Monday first (xt_time's 1 to 7).
pub const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// nftables' names of the weekdays, Monday first.
pub const NFT_WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The last second xt_time can hold (2038-01-19T03:14:07 UTC).
pub const LAST_SECOND: i64 = i32::MAX as i64;

/// A date and time as written (`2026-01-01`, `2026-01-01T12:30`) and its
/// second since the epoch, UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Date {
    pub text: String,
    pub seconds: i64,
}

/// A rule's window: every part given must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeWindow {
    /// Second of the day (UTC) from which the rule holds, inclusive.
    pub start: Option<u32>,
    /// Second of the day (UTC) up to which the rule holds, inclusive; a
    /// stop at or before the start wraps past midnight.
    pub stop: Option<u32>,
    /// Weekdays (0 Monday to 6 Sunday), sorted; empty: every day.
    pub weekdays: Vec<u8>,
    pub date_start: Option<Date>,
    pub date_stop: Option<Date>,
    pub clock: Clock,
}

/// `hh:mm[:ss]` as a second of the day (libxt_time: 00:00:00 to 23:59:59).
pub fn parse_daytime(text: &str) -> Result<u32, String> {
    let Some(seconds) = clock(text, 2) else {
        return Err("a time of day is `hh:mm` or `hh:mm:ss`".to_owned());
    };
    seconds.ok_or_else(|| "a time of day is 00:00:00 to 23:59:59".to_owned())
}

/// `hh[:mm[:ss]]` with at least `fields` fields of one or two digits:
/// `None` for another form, `Some(None)` for no such time of day, else
/// the second of the day.
fn clock(text: &str, fields: usize) -> Option<Option<u32>> {
    let parts: Vec<&str> = text.split(':').collect();
    let ok = (fields..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    if !ok {
        return None;
    }
    let n: Vec<u32> = parts.iter().map(|p| p.parse().unwrap_or(99)).collect();
    let (h, m, s) = (
        n[0],
        n.get(1).copied().unwrap_or(0),
        n.get(2).copied().unwrap_or(0),
    );
    Some((h <= 23 && m <= 59 && s <= 59).then_some(h * 3600 + m * 60 + s))
}

/// A weekday as Shorewall takes it (`Mon` ... `Sun`, or 1 to 7), 0 for
/// Monday.
pub fn parse_weekday(text: &str) -> Result<u8, String> {
    if let Some(day) = WEEKDAYS.iter().position(|d| *d == text) {
        return Ok(day as u8);
    }
    match text.parse::<u8>() {
        Ok(n @ 1..=7) => Ok(n - 1),
        _ => Err("a weekday is Mon, Tue, Wed, Thu, Fri, Sat or Sun (or 1 to 7)".to_owned()),
    }
}

/// Days from 1970-01-01 to the given civil date (Howard Hinnant's
/// days_from_civil).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY[-MM[-DD[Thh[:mm[:ss]]]]]` (Chains.pm do_time, libxt_time), UTC.
pub fn parse_date(text: &str) -> Result<Date, String> {
    let form = "a date is `YYYY[-MM[-DD[Thh[:mm[:ss]]]]]` (ISO 8601, UTC)";
    let (date, time) = text.split_once('T').unwrap_or((text, ""));
    let parts: Vec<&str> = date.split('-').collect();
    let widths = [4, 2, 2];
    let date_ok = parts.len() <= 3
        && parts
            .iter()
            .zip(widths)
            .all(|(p, w)| p.len() == w && p.bytes().all(|b| b.is_ascii_digit()));
    if !date_ok || (text.contains('T') && parts.len() != 3) {
        return Err(form.to_owned());
    }
    let n = |i: usize, default: i64| parts.get(i).map_or(default, |p| p.parse().unwrap_or(0));
    let (y, m, d) = (n(0, 1970), n(1, 1), n(2, 1));
    let month_days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let max_day = if m == 2 && leap {
        29
    } else {
        *month_days.get((m - 1).max(0) as usize).unwrap_or(&0)
    };
    if !(1..=12).contains(&m) || d < 1 || d > max_day {
        return Err(format!("{form}: no such day"));
    }
    let mut seconds = days_from_civil(y, m, d) * 86_400;
    if text.contains('T') {
        match clock(time, 1) {
            None => return Err(form.to_owned()),
            Some(None) => return Err(format!("{form}: no such time of day")),
            Some(Some(daytime)) => seconds += i64::from(daytime),
        }
    }
    if !(0..=LAST_SECOND).contains(&seconds) {
        return Err(
            "iptables' time match holds 1970-01-01T00:00:00 to 2038-01-19T03:14:07 (UTC)"
                .to_owned(),
        );
    }
    Ok(Date {
        text: text.to_owned(),
        seconds,
    })
}

fn daytime(seconds: u32) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

impl TimeWindow {
    /// The seconds of the day (UTC) the window holds, as inclusive ranges:
    /// none when it gives no time of day. xt_time: a stop at or before the
    /// start wraps past midnight (a stop equal to the start: all day).
    pub fn day_ranges(&self) -> Option<Vec<(u32, u32)>> {
        if self.start.is_none() && self.stop.is_none() {
            return None;
        }
        let (start, stop) = (self.start.unwrap_or(0), self.stop.unwrap_or(86_399));
        Some(if start < stop {
            vec![(start, stop)]
        } else if start == stop {
            vec![(0, 86_399)]
        } else {
            vec![(0, stop), (start, 86_399)]
        })
    }

    /// Shorewall's TIME column: `timestart=22:00:00&timestop=06:00:00`.
    pub fn shorewall(&self) -> String {
        let mut parts = Vec::new();
        if let Some(start) = self.start {
            parts.push(format!("timestart={}", daytime(start)));
        }
        if let Some(stop) = self.stop {
            parts.push(format!("timestop={}", daytime(stop)));
        }
        if !self.weekdays.is_empty() {
            parts.push(format!("weekdays={}", self.weekday_names()));
        }
        if let Some(date) = &self.date_start {
            parts.push(format!("datestart={}", date.text));
        }
        if let Some(date) = &self.date_stop {
            parts.push(format!("datestop={}", date.text));
        }
        if self.clock == Clock::Kernel {
            parts.push("kerneltz".to_owned());
        }
        parts.join("&")
    }

    /// The weekdays as Shorewall names them: `Sat,Sun`.
    fn weekday_names(&self) -> String {
        let days: Vec<&str> = self
            .weekdays
            .iter()
            .map(|&d| WEEKDAYS[usize::from(d)])
            .collect();
        days.join(",")
    }

    /// As people read it: `22:00:00 to 06:00:00 UTC, on Sat,Sun`.
    pub fn describe(&self) -> String {
        let mut text = String::new();
        if self.start.is_some() || self.stop.is_some() {
            let _ = write!(
                text,
                "{} to {} UTC",
                daytime(self.start.unwrap_or(0)),
                daytime(self.stop.unwrap_or(86_399))
            );
        }
        if !self.weekdays.is_empty() {
            if !text.is_empty() {
                text.push_str(", ");
            }
            let _ = write!(text, "on {} (kernel timezone)", self.weekday_names());
        }
        if self.date_start.is_some() || self.date_stop.is_some() {
            if !text.is_empty() {
                text.push_str(", ");
            }
            let from = self.date_start.as_ref().map_or("1970-01-01", |d| &d.text);
            let to = self
                .date_stop
                .as_ref()
                .map_or("2038-01-19T03:14:07", |d| &d.text);
            let _ = write!(text, "from {from} to {to} UTC");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_seconds_since_the_epoch_utc() {
        assert_eq!(parse_date("1970").unwrap().seconds, 0);
        assert_eq!(parse_date("2020-01-01").unwrap().seconds, 1_577_836_800);
        assert_eq!(
            parse_date("2020-02-01T10:00").unwrap().seconds,
            1_580_551_200
        );
        assert_eq!(
            parse_date("2038-01-19T03:14:07").unwrap().seconds,
            LAST_SECOND
        );
        assert!(parse_date("2038-01-19T03:14:08").is_err());
        assert!(parse_date("2021-02-29").is_err());
        assert!(parse_date("2020-1-01").is_err());
        assert!(parse_date("2020-01-01T").is_err());
    }

    #[test]
    fn a_window_past_midnight_is_two_ranges() {
        let window = TimeWindow {
            start: Some(parse_daytime("22:00").unwrap()),
            stop: Some(parse_daytime("6:00").unwrap()),
            weekdays: Vec::new(),
            date_start: None,
            date_stop: None,
            clock: Clock::Utc,
        };
        assert_eq!(
            window.day_ranges(),
            Some(vec![(0, 21_600), (79_200, 86_399)])
        );
        assert!(parse_daytime("24:00").is_err());
        assert!(parse_daytime("12").is_err());
    }
}
