//! Calendar dates as e-invoices carry them, normalised to ISO "YYYY-MM-DD".

use std::fmt;

/// A validated calendar date in ISO 8601 form ("2024-02-29").
///
/// Kept as its text so it can be stored and compared as-is: for
/// "YYYY-MM-DD" the lexical order is the chronological order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoDate(String);

impl IsoDate {
    /// A date from its parts, if it exists (years 1–9999, Gregorian leap years).
    pub fn from_ymd(year: u16, month: u8, day: u8) -> Option<IsoDate> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        valid.then(|| IsoDate(format!("{year:04}-{month:02}-{day:02}")))
    }

    /// `xs:date` as UBL writes it: "YYYY-MM-DD", optionally followed by a
    /// time zone ("Z", "+01:00"), which is dropped because a due date is a
    /// calendar day wherever it is read.
    pub fn parse_iso(text: &str) -> Option<IsoDate> {
        let bytes = text.as_bytes();
        // ASCII only, so every byte index below is a char boundary.
        if bytes.len() < 10 || !text.is_ascii() || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let zone = &text[10..];
        let zone_ok = zone.is_empty()
            || zone == "Z"
            || (zone.len() == 6
                && matches!(zone.as_bytes()[0], b'+' | b'-')
                && zone.as_bytes()[3] == b':'
                && number(&zone[1..3]).is_some_and(|h| h <= 14)
                && number(&zone[4..6]).is_some_and(|m| m <= 59));
        if !zone_ok {
            return None;
        }
        Self::from_parts(&text[0..4], &text[5..7], &text[8..10])
    }

    /// CII `udt:DateTimeString` with `format="102"`: "YYYYMMDD".
    pub fn parse_cii_102(text: &str) -> Option<IsoDate> {
        if text.len() != 8 || !text.is_ascii() {
            return None;
        }
        Self::from_parts(&text[0..4], &text[4..6], &text[6..8])
    }

    fn from_parts(year: &str, month: &str, day: &str) -> Option<IsoDate> {
        let year = u16::try_from(number(year)?).ok()?;
        let month = u8::try_from(number(month)?).ok()?;
        let day = u8::try_from(number(day)?).ok()?;
        Self::from_ymd(year, month, day)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn year(&self) -> u16 {
        // The constructor wrote these digits, so they parse.
        number(&self.0[0..4]).map_or(0, |n| n as u16)
    }

    pub fn month(&self) -> u8 {
        number(&self.0[5..7]).map_or(0, |n| n as u8)
    }

    pub fn day(&self) -> u8 {
        number(&self.0[8..10]).map_or(0, |n| n as u8)
    }
}

impl fmt::Display for IsoDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// ASCII digits only: `str::parse` would also take a leading '+'.
fn number(text: &str) -> Option<u32> {
    if text.is_empty() || text.len() > 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_syntaxes() {
        let d = IsoDate::parse_cii_102("20240229").unwrap();
        assert_eq!(d.as_str(), "2024-02-29");
        assert_eq!((d.year(), d.month(), d.day()), (2024, 2, 29));
        assert_eq!(IsoDate::parse_iso("2024-02-29"), Some(d.clone()));
        assert_eq!(IsoDate::parse_iso("2024-02-29Z"), Some(d.clone()));
        assert_eq!(IsoDate::parse_iso("2024-02-29+01:00"), Some(d));
    }

    #[test]
    fn validates_calendar() {
        for bad in [
            "20230229",
            "20240230",
            "20240431",
            "20241301",
            "20240001",
            "20240100",
            "00000101",
            "2024021",
            "202402290",
            "2024+229",
            "2024-229",
            "２０２４0101",
        ] {
            assert_eq!(IsoDate::parse_cii_102(bad), None, "{bad}");
        }
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2024-1-01",
            "2024/01/01",
            "20240101",
            "2024-01-01T10:00",
            "2024-01-01+1:00",
            "2024-01-01 ",
            "2024-01-+1",
            "2024-01-01+99:00",
        ] {
            assert_eq!(IsoDate::parse_iso(bad), None, "{bad}");
        }
        // Multi-byte characters where digits belong are no panic.
        assert_eq!(IsoDate::parse_iso("2024-01-0é"), None);
        assert_eq!(IsoDate::parse_iso("2024-01-01+0é:00"), None);
        assert_eq!(IsoDate::parse_cii_102("2024010é"), None);
        assert!(IsoDate::parse_iso("2000-02-29").is_some());
        assert!(IsoDate::parse_iso("2023-12-31").is_some());
        assert!(IsoDate::from_ymd(2024, 4, 30).is_some());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..Default::default()
        })]

        #[test]
        fn arbitrary_text_never_panics(text in "[0-9+:Zé-]{0,16}|\\PC{0,20}") {
            if let Some(date) = IsoDate::parse_iso(&text) {
                proptest::prop_assert_eq!(IsoDate::parse_iso(date.as_str()), Some(date.clone()));
            }
            let _ = IsoDate::parse_cii_102(&text);
        }

        #[test]
        fn valid_dates_round_trip(year in 1u16..=9999, month in 1u8..=12, day in 1u8..=31) {
            if let Some(date) = IsoDate::from_ymd(year, month, day) {
                proptest::prop_assert_eq!((date.year(), date.month(), date.day()), (year, month, day));
                let compact = date.as_str().replace('-', "");
                proptest::prop_assert_eq!(IsoDate::parse_cii_102(&compact), Some(date));
            } else {
                proptest::prop_assert!(day > 28);
            }
        }
    }

    #[test]
    fn orders_chronologically() {
        let a = IsoDate::parse_iso("2023-12-31").unwrap();
        let b = IsoDate::parse_iso("2024-01-01").unwrap();
        assert!(a < b);
    }
}
