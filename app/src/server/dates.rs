//! Days and times as the operator's people read and write them: German
//! dates in the operator's time zone, and days given as `2027-01-31` or
//! `31.01.2027`. Password expiry, documents and the CLI share these; the
//! `…_in` functions write a date in the form of the reader's language.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::domain::UnixTime;
use crate::i18n::Lang;

/// A day as people write it: `2027-01-31`, `31.01.2027` or (in English) `31/01/2027`.
pub fn parse_day(raw: &str) -> Option<Date> {
    let raw = raw.trim();
    let parsed = if raw.contains('.') {
        Date::strptime("%d.%m.%Y", raw)
    } else if raw.contains('/') {
        Date::strptime("%d/%m/%Y", raw)
    } else {
        raw.parse::<Date>()
    };
    parsed.ok()
}

/// The first second of `day` in the operator's time zone.
pub fn start_of_day(day: Date, time_zone: &TimeZone) -> UnixTime {
    day.to_zoned(time_zone.clone())
        .map(|zoned| UnixTime::from_seconds(zoned.timestamp().as_second()))
        // Only a date beyond jiff's range (year 9999) fails; it never comes.
        .unwrap_or(UnixTime::from_seconds(i64::MAX))
}

/// `at` as jiff's instant, for calendar arithmetic in a time zone.
pub fn timestamp(at: UnixTime) -> Option<Timestamp> {
    Timestamp::from_second(at.seconds()).ok()
}

/// The calendar day of `at` in `time_zone`.
pub fn day_of(at: UnixTime, time_zone: &TimeZone) -> Option<Date> {
    timestamp(at).map(|instant| instant.to_zoned(time_zone.clone()).date())
}

/// `at` as an RFC 3339 instant in UTC (`2026-11-23T09:00:00Z`), for scripts.
pub fn iso_instant(at: UnixTime) -> String {
    timestamp(at).map_or_else(|| at.to_string(), |instant| instant.to_string())
}

/// `at` as a German date in the operator's time zone.
pub fn german_date(at: UnixTime, time_zone: &TimeZone) -> String {
    german(at, time_zone, "%d.%m.%Y")
}

/// `at` as a time of day (`00:00`) in the operator's time zone.
pub fn german_time(at: UnixTime, time_zone: &TimeZone) -> String {
    german(at, time_zone, "%H:%M")
}

/// `at` as day and time for a list: `31.01.2027, 00:00 Uhr`.
pub fn german_date_time(at: UnixTime, time_zone: &TimeZone) -> String {
    format!("{}, {} Uhr", german_date(at, time_zone), german_time(at, time_zone))
}

/// A calendar day stored as `2026-01-31`, written `31.01.2026` (as stored if it is no day).
pub fn german_day(iso: &str) -> String {
    iso.parse::<Date>().map_or_else(|_| iso.to_owned(), |day| day.strftime("%d.%m.%Y").to_string())
}

/// `at` as a date in `lang`'s form: `31.01.2027` or `31/01/2027` (day first in British English too).
pub fn date_in(lang: Lang, at: UnixTime, time_zone: &TimeZone) -> String {
    match lang {
        Lang::De => german_date(at, time_zone),
        Lang::En => german(at, time_zone, "%d/%m/%Y"),
    }
}

/// `at` as day and time for a list in `lang`'s form: `31.01.2027, 00:00 Uhr` or `31/01/2027, 00:00`.
pub fn date_time_in(lang: Lang, at: UnixTime, time_zone: &TimeZone) -> String {
    match lang {
        Lang::De => german_date_time(at, time_zone),
        Lang::En => format!("{}, {}", date_in(lang, at, time_zone), german_time(at, time_zone)),
    }
}

/// A calendar day stored as `2026-01-31`, in `lang`'s form (as stored if it is no day).
pub fn day_in(lang: Lang, iso: &str) -> String {
    match lang {
        Lang::De => german_day(iso),
        Lang::En => iso.parse::<Date>().map_or_else(|_| iso.to_owned(), |day| day.strftime("%d/%m/%Y").to_string()),
    }
}

fn german(at: UnixTime, time_zone: &TimeZone, format: &str) -> String {
    match timestamp(at) {
        Some(instant) => instant.to_zoned(time_zone.clone()).strftime(format).to_string(),
        None => String::new(),
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
        let midnight = UnixTime::from_seconds(1_801_350_000);
        assert_eq!(start_of_day(day, &berlin), midnight);
        assert_eq!(german_date(midnight, &berlin), "31.01.2027");
        assert_eq!(german_date_time(midnight, &berlin), "31.01.2027, 00:00 Uhr");
        assert_eq!(german_time(midnight, &berlin), "00:00");
        assert_eq!(german_date(midnight, &TimeZone::UTC), "30.01.2027");
        assert_eq!(day_of(midnight, &berlin), Some(day));
        assert_eq!(german_day("2027-01-31"), "31.01.2027");
    }
}
