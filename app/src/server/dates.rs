//! Days and times as the operator's people read and write them: German
//! dates in the operator's time zone, and days given as `2027-01-31` or
//! `31.01.2027`. Password expiry, documents and the CLI share these.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// A day as operators write it: `2027-01-31` or `31.01.2027`.
pub fn parse_day(raw: &str) -> Option<Date> {
    let raw = raw.trim();
    let parsed = if raw.contains('.') { Date::strptime("%d.%m.%Y", raw) } else { raw.parse::<Date>() };
    parsed.ok()
}

/// The first second of `day` in the operator's time zone.
pub fn start_of_day(day: Date, time_zone: &TimeZone) -> i64 {
    day.to_zoned(time_zone.clone())
        .map(|zoned| zoned.timestamp().as_second())
        // Only a date beyond jiff's range (year 9999) fails; it never comes.
        .unwrap_or(i64::MAX)
}

/// `unix_seconds` as an RFC 3339 instant in UTC (`2026-11-23T09:00:00Z`), for scripts.
pub fn iso_instant(unix_seconds: i64) -> String {
    jiff::Timestamp::from_second(unix_seconds).map_or_else(|_| unix_seconds.to_string(), |at| at.to_string())
}

/// `unix_seconds` as a German date in the operator's time zone.
pub fn german_date(unix_seconds: i64, time_zone: &TimeZone) -> String {
    german(unix_seconds, time_zone, "%d.%m.%Y")
}

/// `unix_seconds` as a time of day (`00:00`) in the operator's time zone.
pub fn german_time(unix_seconds: i64, time_zone: &TimeZone) -> String {
    german(unix_seconds, time_zone, "%H:%M")
}

/// `unix_seconds` as day and time for a list: `31.01.2027, 00:00 Uhr`.
pub fn german_date_time(unix_seconds: i64, time_zone: &TimeZone) -> String {
    format!("{}, {} Uhr", german_date(unix_seconds, time_zone), german_time(unix_seconds, time_zone))
}

/// A calendar day stored as `2026-01-31`, written `31.01.2026` (as stored if it is no day).
pub fn german_day(iso: &str) -> String {
    iso.parse::<Date>().map_or_else(|_| iso.to_owned(), |day| day.strftime("%d.%m.%Y").to_string())
}

fn german(unix_seconds: i64, time_zone: &TimeZone, format: &str) -> String {
    match Timestamp::from_second(unix_seconds) {
        Ok(at) => at.to_zoned(time_zone.clone()).strftime(format).to_string(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_read_in_both_spellings_and_start_at_local_midnight() {
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        let day = parse_day("2027-01-31").unwrap();
        assert_eq!(parse_day("31.01.2027").unwrap(), day);
        assert!(parse_day("31.02.2027").is_none());
        assert!(parse_day("morgen").is_none());
        // 2027-01-31 00:00 in Berlin (UTC+1) is 2027-01-30 23:00 UTC.
        assert_eq!(start_of_day(day, &berlin), 1_801_350_000);
        assert_eq!(german_date(1_801_350_000, &berlin), "31.01.2027");
        assert_eq!(german_date_time(1_801_350_000, &berlin), "31.01.2027, 00:00 Uhr");
        assert_eq!(german_time(1_801_350_000, &berlin), "00:00");
        assert_eq!(german_date(1_801_350_000, &TimeZone::UTC), "30.01.2027");
        assert_eq!(german_day("2027-01-31"), "31.01.2027");
    }
}
