//! The rules file's RATE and CONNLIMIT columns as the model's keys, read
//! as Shorewall 5.2.8's Chains.pm reads them (`do_ratelimit`,
//! `do_connlimit`). Each function gives the keys of a `[[rule]]`, or why
//! the value is refused.

use super::document::Value;
use super::numeric::iptables_number;

/// A key of a `[[rule]]` and its value.
pub type Key = (&'static str, Value);

/// RATE: `[s|d:][NAME:]RATE[/UNIT][:BURST]` (no unit: per second; no
/// burst: iptables' 5). Refused: two rates, a VLSM (`s/24:`), a hash
/// table size (`NAME(N,M):`), a table named without `s:` or `d:`.
pub fn rate_keys(text: &str, notes: &mut Vec<String>) -> Result<Vec<Key>, String> {
    // A comma between two rates; one inside `NAME(SIZE,MAX)` is the hash
    // table's size (refused below).
    let mut depth = 0;
    let two_rates = text.chars().any(|c| {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        c == ',' && depth == 0
    });
    if two_rates {
        return Err(format!(
            "RATE `{text}` gives two rates (per source and per destination): fwgen's model has one per rule"
        ));
    }
    let (per, rest) = match text.split_once(':') {
        Some(("s", rest)) => (Some("source"), rest),
        Some(("d", rest)) => (Some("dest"), rest),
        Some((p, _)) if p.starts_with("s/") || p.starts_with("d/") => {
            return Err(format!(
                "RATE `{text}` groups addresses by a prefix (VLSM): not in fwgen's model"
            ));
        }
        _ => (None, text),
    };
    // Then `NAME:`, `:` or nothing, and `RATE[/UNIT][:BURST]`.
    let (table, rest) = match rest.split_once(':') {
        Some((name, after)) if !name.starts_with(|c: char| c.is_ascii_digit()) => {
            (Some(name), after)
        }
        _ => (None, rest),
    };
    let bad =
        || format!("RATE `{text}` is not `[s:|d:][NAME:]RATE/UNIT[:BURST]` (Shorewall refuses it)");
    let table = match table {
        Some("") | None => None,
        Some(name) if name.contains('(') => {
            return Err(format!(
                "RATE `{text}` sizes the hash table: not in fwgen's model"
            ));
        }
        Some(name)
            if name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            Some(name)
        }
        Some(_) => return Err(bad()),
    };
    if table.is_some() && per.is_none() {
        return Err(format!(
            "RATE `{text}` names a table without `s:` or `d:` (one bucket for every rule naming it): not in fwgen's model"
        ));
    }
    let (rate, burst) = match rest.split_once(':') {
        Some((rate, burst)) => (rate, Some(burst)),
        None => (rest, None),
    };
    let (count, unit) = rate.split_once('/').unwrap_or((rate, "sec"));
    let number = |n: &str| -> Option<u64> {
        (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .then(|| n.parse().ok())
            .flatten()
            .filter(|&n| n > 0)
    };
    let Some(count) = number(count) else {
        return Err(bad());
    };
    if !matches!(unit, "sec" | "min" | "hour" | "day") {
        return Err(bad());
    }
    let mut keys = vec![("rate", format!("{count}/{unit}").into())];
    if let Some(burst) = burst {
        let burst = match iptables_count("RATE's burst", burst, notes)? {
            Some(0) => {
                return Err(format!(
                    "RATE `{text}`: a burst of 0, which Shorewall passes to iptables as written; fwgen's burst is 1 or more (iptables-nft lists the rule as if no burst were given, and the legacy kernel match refuses it): write the burst you mean"
                ));
            }
            Some(burst) => burst,
            None => return Err(bad()),
        };
        keys.push(("rate_burst", integer(burst)));
    }
    if let Some(per) = per {
        keys.push(("rate_per", per.into()));
    }
    if let Some(table) = table {
        keys.push(("rate_table", table.into()));
    }
    Ok(keys)
}

/// CONNLIMIT: `[d:][!]LIMIT[:MASK]`; `LIMIT` is at most that many
/// connections (`! --connlimit-above`), `!LIMIT` more than that many.
pub fn connlimit_keys(text: &str, notes: &mut Vec<String>) -> Result<Vec<Key>, String> {
    let (per, rest) = match text.strip_prefix("d:") {
        Some(rest) => (Some("dest"), rest),
        None => (None, text),
    };
    let (key, rest) = match rest.strip_prefix('!') {
        Some(rest) => ("connlimit_above", rest),
        None => ("connlimit", rest),
    };
    let (limit, mask) = match rest.split_once(':') {
        Some((limit, mask)) => (limit, Some(mask)),
        None => (rest, None),
    };
    let mut number = |n: &str| -> Result<Option<u64>, String> {
        if n.len() > 9 {
            return Ok(None);
        }
        iptables_count("CONNLIMIT", n, notes)
    };
    let bad = || format!("CONNLIMIT `{text}` is not `[d:][!]LIMIT[:MASK]` (Shorewall refuses it)");
    let Some(limit) = number(limit)? else {
        return Err(bad());
    };
    let mut keys = vec![(key, integer(limit))];
    if let Some(per) = per {
        keys.push(("connlimit_per", per.into()));
    }
    if let Some(mask) = mask {
        let Some(mask) = number(mask)? else {
            return Err(bad());
        };
        keys.push(("connlimit_mask", integer(mask)));
    }
    Ok(keys)
}

/// A count Shorewall checks as digits and passes to iptables as written
/// (`--limit-burst`, `--connlimit-above`, `--connlimit-mask`), as iptables
/// reads it ([`iptables_number`]: `010` is 8, noted; `08` refused).
/// `None`: not digits.
fn iptables_count(what: &str, text: &str, notes: &mut Vec<String>) -> Result<Option<u64>, String> {
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    iptables_number(what, text, notes).transpose()
}

/// A number the model's integer holds: TOML's integers are 64-bit, and
/// a larger one is written as the largest, which the model refuses as it
/// would refuse the number.
fn integer(number: u64) -> Value {
    Value::Integer(i64::try_from(number).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys as the model's text.
    fn text(keys: Vec<Key>) -> String {
        let mut table = super::super::document::Table::array(&["rule"]);
        for (key, value) in keys {
            table.push(key, value);
        }
        let (text, _) = super::super::document::render([&table]);
        text.strip_prefix("[[rule]]\n")
            .unwrap()
            .trim_end()
            .to_owned()
            + "\n"
    }

    #[test]
    fn rates_become_the_models_keys() {
        let rate = |text: &str| self::text(rate_keys(text, &mut Vec::new()).unwrap());
        assert_eq!(rate("1/sec"), "rate = \"1/sec\"\n");
        assert_eq!(rate("30"), "rate = \"30/sec\"\n");
        assert_eq!(
            rate("d:5/sec:50"),
            "rate = \"5/sec\"\nrate_burst = 50\nrate_per = \"dest\"\n"
        );
        assert_eq!(
            rate("s:ssh:3/min"),
            "rate = \"3/min\"\nrate_per = \"source\"\nrate_table = \"ssh\"\n"
        );
        assert_eq!(
            rate("s::3/min:4"),
            "rate = \"3/min\"\nrate_burst = 4\nrate_per = \"source\"\n"
        );
        for refused in [
            "s:1/sec,d:2/sec",
            "s/24:1/sec",
            "ssh:3/min",
            "s:t(10,20):3/min",
            "0/sec",
            "1/minute",
            "1/sec:0",
            "s:9x:1/sec",
            "",
        ] {
            assert!(rate_keys(refused, &mut Vec::new()).is_err(), "{refused}");
        }
        // shorewall-rules(5)'s table size: one rate, refused for the size.
        let sized = rate_keys("s:netfw(1024,65536):10/sec", &mut Vec::new()).unwrap_err();
        assert!(sized.contains("sizes the hash table"), "{sized}");
        let two = rate_keys("client:10/sec:20,:60/sec:100", &mut Vec::new()).unwrap_err();
        assert!(two.contains("gives two rates"), "{two}");
    }

    #[test]
    fn connection_limits_become_the_models_keys() {
        assert_eq!(
            text(connlimit_keys("2", &mut Vec::new()).unwrap()),
            "connlimit = 2\n"
        );
        assert_eq!(
            text(connlimit_keys("d:!20:24", &mut Vec::new()).unwrap()),
            "connlimit_above = 20\nconnlimit_per = \"dest\"\nconnlimit_mask = 24\n"
        );
        // Passed to iptables as written: a leading 0 is octal there.
        let mut notes = Vec::new();
        assert_eq!(
            text(connlimit_keys("010:024", &mut notes).unwrap()),
            "connlimit = 8\nconnlimit_mask = 20\n"
        );
        assert_eq!(notes.len(), 2, "{notes:?}");
        let mut notes = Vec::new();
        let rate = text(rate_keys("010/sec:010", &mut notes).unwrap());
        assert_eq!(rate, "rate = \"10/sec\"\nrate_burst = 8\n");
        assert_eq!(
            notes,
            [
                "RATE's burst `010` is 8: Shorewall passes it to iptables as written, and iptables reads a leading 0 as octal and 0x as hexadecimal"
            ]
        );
        assert!(connlimit_keys("08", &mut Vec::new()).is_err());
        assert!(rate_keys("1/sec:09", &mut Vec::new()).is_err());
        for refused in ["s:2", "!", "2:", "x", "!d:2"] {
            assert!(
                connlimit_keys(refused, &mut Vec::new()).is_err(),
                "{refused}"
            );
        }
    }
}
