//! Shorewall's numbers as its compiler reads them.

/// A number as Config.pm's `numeric_value` reads it: decimal, hex
/// (`0x578`, any case), octal after a leading `0` (`01400` is 768), with
/// an optional leading `-`; `None` for anything else (`+1400`, `08`, `1e3`).
/// iptables reads the numbers Shorewall passes on unchanged (`--set-mss`)
/// in the same bases.
pub fn numeric_value(text: &str) -> Option<i64> {
    let lower = text.to_ascii_lowercase();
    let (negative, digits) = match lower.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, lower.as_str()),
    };
    let value = if let Some(hex) = digits.strip_prefix("0x") {
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(octal) = digits.strip_prefix('0') {
        if !octal.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            return None;
        }
        if octal.is_empty() {
            0
        } else {
            i64::from_str_radix(octal, 8).ok()?
        }
    } else {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()?
    };
    Some(if negative { -value } else { value })
}

/// A number Shorewall passes to iptables as written (`--icmp-type 010`,
/// `--limit-burst 010`, `--to-source ADDR:01024`), as iptables reads it:
/// strtoul(3) with base 0, a leading 0 octal and `0x` hexadecimal, the
/// bases of [`numeric_value`]. A value other than the decimal reading is
/// noted as `WHAT `TEXT` is VALUE` (`04`, 4 either way, is not). `None`:
/// not digits or `0x` (a name); `Err`: digits iptables refuses (`08`), so
/// that Shorewall's firewall would not start.
pub fn iptables_number(
    what: &str,
    text: &str,
    notes: &mut Vec<String>,
) -> Option<Result<u64, String>> {
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    if !digits && !text.starts_with("0x") {
        return None;
    }
    let Some(value) = numeric_value(text).and_then(|v| u64::try_from(v).ok()) else {
        return Some(Err(format!(
            "{what} `{text}`: Shorewall passes it to iptables as written, and iptables refuses it (a leading 0 is octal), so Shorewall's firewall does not start; write the number in decimal"
        )));
    };
    if text.parse::<u64>() != Ok(value) {
        notes.push(format!(
            "{what} `{text}` is {value}: Shorewall passes it to iptables as written, and iptables reads a leading 0 as octal and 0x as hexadecimal"
        ));
    }
    Some(Ok(value))
}

#[cfg(test)]
mod tests {
    use super::{iptables_number, numeric_value};

    #[test]
    fn reads_what_iptables_reads() {
        let mut notes = Vec::new();
        assert_eq!(iptables_number("burst", "010", &mut notes), Some(Ok(8)));
        assert_eq!(iptables_number("burst", "0x10", &mut notes), Some(Ok(16)));
        assert_eq!(iptables_number("burst", "10", &mut notes), Some(Ok(10)));
        assert_eq!(iptables_number("burst", "0", &mut notes), Some(Ok(0)));
        assert_eq!(iptables_number("burst", "04", &mut notes), Some(Ok(4)));
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].starts_with("burst `010` is 8: "), "{notes:?}");
        assert!(matches!(
            iptables_number("burst", "08", &mut notes),
            Some(Err(_))
        ));
        assert_eq!(iptables_number("burst", "ssh", &mut notes), None);
        assert_eq!(iptables_number("burst", "-1", &mut notes), None);
        assert_eq!(iptables_number("burst", "", &mut notes), None);
        assert_eq!(notes.len(), 2);
    }

    #[test]
    fn reads_the_bases_config_pm_reads() {
        for (text, value) in [
            ("1400", Some(1400)),
            ("0x578", Some(1400)),
            ("0X578", Some(1400)),
            ("02570", Some(1400)),
            ("0", Some(0)),
            ("-5", Some(-5)),
            ("+1400", None),
            ("08", None),
            ("0x", None),
            ("", None),
            ("14 00", None),
        ] {
            assert_eq!(numeric_value(text), value, "{text}");
        }
    }
}
