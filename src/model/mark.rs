//! A test of a packet's mark: Shorewall's MARK column (shorewall-snat(5)),
//! compiled by Chains.pm `do_test` as `-m mark [!] --mark VALUE/MASK`.

use std::fmt;

/// `(mark & mask) == value`, or `!=` when `negated`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkTest {
    pub value: u32,
    pub mask: u32,
    pub negated: bool,
}

impl MarkTest {
    /// The mask of a value written without one: Shorewall's TC_MASK, the
    /// low MASK_BITS (= TC_BITS, 8 unless WIDE_TC_MARKS) bits, as fwgen's
    /// shorewall.conf leaves them.
    pub const DEFAULT_MASK: u32 = 0xff;

    /// The largest value or mask Shorewall takes with the mark layout
    /// fwgen's shorewall.conf leaves (TC_BITS, MASK_BITS, PROVIDER_BITS 8,
    /// PROVIDER_OFFSET and ZONE_BITS 0): Chains.pm `verify_mark` refuses
    /// anything from EXCLUSION_MASK (1 << 8) up.
    pub const MAX: u32 = 0xff;

    /// `[!]VALUE[/MASK]`, each a decimal or `0x` hexadecimal number up to
    /// [`MarkTest::MAX`]; `Err` says why not.
    pub fn parse(text: &str) -> Result<MarkTest, &'static str> {
        let (negated, rest) = match text.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        if rest.ends_with(":C") {
            return Err(
                "a connection mark (`:C`, -m connmark) is not in fwgen's model: nothing in it sets marks",
            );
        }
        let (value, mask) = match rest.split_once('/') {
            Some((value, mask)) => (number(value)?, number(mask)?),
            None => (number(rest)?, MarkTest::DEFAULT_MASK),
        };
        if value > MarkTest::MAX || mask > MarkTest::MAX {
            return Err(
                "Shorewall's marks are 0 to 255 here (the mark layout of fwgen's shorewall.conf; Chains.pm verify_mark refuses more)",
            );
        }
        if value & !mask != 0 {
            return Err("the value has bits outside the mask: no packet's mark could match");
        }
        Ok(MarkTest {
            value,
            mask,
            negated,
        })
    }

    /// Whether a packet with `mark` passes the test.
    pub fn holds(&self, mark: u32) -> bool {
        (mark & self.mask == self.value) != self.negated
    }
}

fn number(text: &str) -> Result<u32, &'static str> {
    let parsed = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) if !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            u32::from_str_radix(hex, 16).ok()
        }
        Some(_) => None,
        None if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => text.parse().ok(),
        None => None,
    };
    parsed.ok_or("expected VALUE or VALUE/MASK, numbers 0 to 255 (decimal or 0x hexadecimal)")
}

/// As Shorewall's MARK column reads it: `[!]0xVALUE/0xMASK`.
impl fmt::Display for MarkTest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let not = if self.negated { "!" } else { "" };
        write!(f, "{not}{:#x}/{:#x}", self.value, self.mask)
    }
}

#[cfg(test)]
mod tests {
    use super::MarkTest;

    #[test]
    fn values_masks_and_negation_read_as_shorewall_writes_them() {
        let read = |t| MarkTest::parse(t).map(|m| m.to_string());
        assert_eq!(read("100"), Ok("0x64/0xff".to_owned()));
        assert_eq!(read("!0x10/0xf0"), Ok("!0x10/0xf0".to_owned()));
        assert_eq!(read("7/0xff"), Ok("0x7/0xff".to_owned()));
        for bad in [
            "",
            "x",
            "0x",
            "300",
            "0x100/0xff00",
            "1/",
            "/1",
            "3/1",
            "4294967296",
            "1:C",
            "-1",
        ] {
            assert!(MarkTest::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_unmarked_packet_passes_only_a_test_of_zero_or_a_negated_one() {
        let test = |t| MarkTest::parse(t).unwrap();
        assert!(!test("100").holds(0));
        assert!(test("100").holds(100));
        assert!(test("100").holds(0x164));
        assert!(test("!100").holds(0));
        assert!(test("0").holds(0));
    }
}
