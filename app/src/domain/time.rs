//! A point in time as the portal keeps it: whole seconds since 1970-01-01
//! UTC, the INTEGER (BIGINT) of every `…_at` and `…_until` column. A type
//! of its own so that a time is never mistaken for a count, an id or a
//! length of time, and crosses the database boundary as itself
//! (`server::db::times`). Lengths of time stay seconds as `i64`.

use serde::{Deserialize, Serialize};
use std::ops::{Add, AddAssign, Sub};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnixTime(i64);

impl UnixTime {
    /// Before every time: a bound that lets all times through.
    pub const MIN: Self = Self(i64::MIN);
    /// After every time.
    pub const MAX: Self = Self(i64::MAX);

    pub const fn from_seconds(seconds_since_1970: i64) -> Self {
        Self(seconds_since_1970)
    }

    pub const fn seconds(self) -> i64 {
        self.0
    }

    /// The time of an address or a form field written as its seconds.
    pub fn parse(raw: &str) -> Option<Self> {
        raw.trim().parse().ok().map(Self)
    }
}

impl std::fmt::Display for UnixTime {
    /// The seconds, as in an address (`?nach=1796000000.12`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// `time + seconds`: later by that many seconds.
impl Add<i64> for UnixTime {
    type Output = Self;
    fn add(self, seconds: i64) -> Self {
        Self(self.0.saturating_add(seconds))
    }
}

impl AddAssign<i64> for UnixTime {
    fn add_assign(&mut self, seconds: i64) {
        *self = *self + seconds;
    }
}

/// `time - seconds`: earlier by that many seconds.
impl Sub<i64> for UnixTime {
    type Output = Self;
    fn sub(self, seconds: i64) -> Self {
        Self(self.0.saturating_sub(seconds))
    }
}

/// `later - earlier`: the seconds between two times.
impl Sub for UnixTime {
    type Output = i64;
    fn sub(self, earlier: Self) -> i64 {
        self.0.saturating_sub(earlier.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_add_seconds_and_subtract_to_seconds() {
        let noon = UnixTime::from_seconds(1_800_000_000);
        assert_eq!((noon + 90).seconds(), 1_800_000_090);
        assert_eq!(noon + 90 - noon, 90);
        assert!(noon - 1 < noon);
        assert_eq!(UnixTime::parse(" 1800000000 "), Some(noon));
        assert_eq!(UnixTime::parse("gestern"), None);
        assert_eq!(UnixTime::from_seconds(i64::MAX) + 1, UnixTime::from_seconds(i64::MAX));
    }
}
