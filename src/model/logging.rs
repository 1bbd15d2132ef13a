//! How much is logged: Shorewall's LOGLIMIT.

use std::fmt::{self, Display, Formatter};

/// A rate limit on logging, as LOGLIMIT writes it (`s:1/sec:10`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogLimit {
    /// `s:` one limit per source address; `d:` per destination; neither: one for all.
    pub per: LimitPer,
    /// Packets logged per `unit`: 1 to [`LogLimit::MAX`].
    pub rate: u32,
    pub unit: RateUnit,
    /// Packets logged in a row before the rate holds them back: 1 to
    /// [`LogLimit::MAX`].
    pub burst: u32,
}

/// Whose packets share one limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitPer {
    /// One limit for every logged packet.
    All,
    /// One limit per source address (`s:`).
    Source,
    /// One limit per destination address (`d:`).
    Destination,
}

/// The time a rate counts packets in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateUnit {
    Second,
    Minute,
    Hour,
    Day,
}

/// Why a LOGLIMIT value is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLimitProblem {
    /// Not `[{s|d}:]rate[/unit[:burst]]`.
    Syntax,
    /// `s:NAME:rate...`: a hashlimit table of the user's naming.
    NamedTable,
    /// A unit other than sec, second, min, minute, hour or day.
    Unit,
    /// A rate or burst of 0, or above [`LogLimit::MAX`].
    OutOfRange,
}

/// The end of an error message: what is wrong with the value.
impl Display for LogLimitProblem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            LogLimitProblem::Syntax => write!(f, "expected `[s:|d:]RATE[/UNIT[:BURST]]`"),
            LogLimitProblem::NamedTable => write!(f, "fwgen does not name the hashlimit table"),
            LogLimitProblem::Unit => write!(f, "the unit is sec, min, hour or day"),
            LogLimitProblem::OutOfRange => {
                write!(f, "rate and burst are 1 to {}", LogLimit::MAX)
            }
        }
    }
}

impl LogLimit {
    /// Shorewall's sample configuration: `s:1/sec:10`.
    pub const SAMPLE: LogLimit = LogLimit {
        per: LimitPer::Source,
        rate: 1,
        unit: RateUnit::Second,
        burst: 10,
    };

    /// Largest rate and burst: iptables' limit match takes at most
    /// 10000/sec and a burst of 10000.
    pub const MAX: u32 = 10_000;

    /// iptables' burst when LOGLIMIT names none.
    const DEFAULT_BURST: u32 = 5;

    /// A LOGLIMIT value as Shorewall 5.2.8's compiler reads it (Config.pm):
    /// `[{s|d}:]rate[/{sec|second|min|minute|hour|day}[:burst]]`; without a
    /// unit the rate is per second, without a burst the burst is 5.
    pub fn parse(text: &str) -> Result<LogLimit, LogLimitProblem> {
        let (per, rest) = match text.split_at_checked(2) {
            Some(("s:", rest)) => (LimitPer::Source, rest),
            Some(("d:", rest)) => (LimitPer::Destination, rest),
            _ => (LimitPer::All, text),
        };
        // Later Shorewalls read `s:NAME:1/sec`: a hashlimit table of one's own.
        let named = rest.split_once(':').is_some_and(|(name, _)| {
            name.starts_with(|c: char| !c.is_ascii_digit()) && !name.contains('/')
        });
        if per != LimitPer::All && named {
            return Err(LogLimitProblem::NamedTable);
        }
        let (rate, burst) = match rest.split_once(':') {
            Some((rate, burst)) if rate.contains('/') => (rate, number(burst)?),
            Some(_) => return Err(LogLimitProblem::Syntax),
            None => (rest, Self::DEFAULT_BURST),
        };
        let (rate, unit) = match rate.split_once('/') {
            Some((rate, unit)) => (rate, RateUnit::parse(unit)?),
            None => (rate, RateUnit::Second),
        };
        Ok(LogLimit {
            per,
            rate: number(rate)?,
            unit,
            burst,
        })
    }
}

/// A rate or a burst: digits, 1 to [`LogLimit::MAX`].
fn number(text: &str) -> Result<u32, LogLimitProblem> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(LogLimitProblem::Syntax);
    }
    let value = text.trim_start_matches('0');
    match value.parse::<u32>() {
        Ok(n) if (1..=LogLimit::MAX).contains(&n) => Ok(n),
        _ => Err(LogLimitProblem::OutOfRange),
    }
}

impl RateUnit {
    /// LOGLIMIT's spelling: `sec`, `min`, `hour`, `day`.
    pub fn name(self) -> &'static str {
        match self {
            RateUnit::Second => "sec",
            RateUnit::Minute => "min",
            RateUnit::Hour => "hour",
            RateUnit::Day => "day",
        }
    }

    pub(crate) fn parse(text: &str) -> Result<RateUnit, LogLimitProblem> {
        match text {
            "sec" | "second" => Ok(RateUnit::Second),
            "min" | "minute" => Ok(RateUnit::Minute),
            "hour" => Ok(RateUnit::Hour),
            "day" => Ok(RateUnit::Day),
            _ => Err(LogLimitProblem::Unit),
        }
    }
}

/// LOGLIMIT's spelling, every part written out: `s:1/sec:10`.
impl Display for LogLimit {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let per = match self.per {
            LimitPer::All => "",
            LimitPer::Source => "s:",
            LimitPer::Destination => "d:",
        };
        let (rate, unit, burst) = (self.rate, self.unit.name(), self.burst);
        write!(f, "{per}{rate}/{unit}:{burst}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str) -> Result<String, LogLimitProblem> {
        LogLimit::parse(text).map(|limit| limit.to_string())
    }

    #[test]
    fn limits_are_read_as_shorewall_reads_them() {
        assert_eq!(LogLimit::parse("s:1/sec:10"), Ok(LogLimit::SAMPLE));
        assert_eq!(shown("d:2/minute:3").as_deref(), Ok("d:2/min:3"));
        assert_eq!(shown("5/hour:1").as_deref(), Ok("5/hour:1"));
        assert_eq!(shown("5/day").as_deref(), Ok("5/day:5"));
        assert_eq!(shown("s:7").as_deref(), Ok("s:7/sec:5"));
        assert_eq!(shown("30").as_deref(), Ok("30/sec:5"));
        assert_eq!(shown("s:1/second").as_deref(), Ok("s:1/sec:5"));
        assert_eq!(shown("010/sec:010").as_deref(), Ok("10/sec:10"));
    }

    #[test]
    fn what_fwgen_cannot_express_is_refused() {
        use LogLimitProblem::*;
        for (text, problem) in [
            ("s:lograte:1/sec:10", NamedTable),
            ("s:lograte:1/sec", NamedTable),
            ("s::1/sec:10", Syntax),
            ("1/week", Unit),
            ("1/SEC", Unit),
            ("0/sec", OutOfRange),
            ("1/sec:0", OutOfRange),
            ("10001/sec", OutOfRange),
            ("1/sec:99999999999", OutOfRange),
            ("x:1/sec", Syntax),
            ("S:1/sec", Syntax),
            ("1:10", Syntax),
            ("", Syntax),
            ("none", Syntax),
            (" 1/sec", Syntax),
            ("+1/sec", Syntax),
            ("s:1/sec:10:2", Syntax),
        ] {
            assert_eq!(LogLimit::parse(text), Err(problem), "{text}");
        }
    }
}
