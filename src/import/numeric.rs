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

#[cfg(test)]
mod tests {
    use super::numeric_value;

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
