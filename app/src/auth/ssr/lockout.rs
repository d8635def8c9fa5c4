//! Failed sign-ins per case-folded name — for names that exist and names that
//! do not, so the counter tells nothing. From the fifth failure in a row the
//! name waits before the next try; the wait doubles with every further
//! failure, up to 15 minutes. A successful sign-in or a password reset clears it.
//!
//! A browser the user signed in with before (see [`super::devices`]) has a
//! counter of its own, so that strangers' failures do not lock it out.

use crate::server::db;
use crate::domain::Username;
use crate::server::crypto;
use crate::server::db::Pool;
use crate::domain::UnixTime;

/// Failures allowed before the first wait.
pub const FREE_FAILURES: i64 = 5;
const FIRST_WAIT_SECONDS: i64 = 30;
const LONGEST_WAIT_SECONDS: i64 = 15 * 60;
/// A counter untouched this long starts again from zero.
const FORGET_AFTER_SECONDS: i64 = 24 * 60 * 60;

/// The counter of a name as typed: its case-folded form when it is a valid
/// username; any other input never names a user, and is counted under a
/// hash of exactly what was typed (no folding that could make it meet a
/// real name, nothing of it stored).
pub fn name_key(raw: &str) -> String {
    match Username::parse(raw) {
        Ok(username) => username.key(),
        Err(_) => format!("invalid:{}", crypto::token_hash(raw)),
    }
}

/// The counter of one trusted browser, by the stored hash of its cookie.
pub fn device_key(device_hash: &str) -> String {
    format!("device:{device_hash}")
}

/// How long a name waits after its `failures`-th failure in a row.
pub fn wait_after(failures: i64) -> Option<i64> {
    (failures >= FREE_FAILURES).then(|| {
        let doublings = (failures - FREE_FAILURES).min(16) as u32;
        (FIRST_WAIT_SECONDS << doublings).min(LONGEST_WAIT_SECONDS)
    })
}

/// The SQL for the wait after a given failure count, written out as a CASE
/// so that one portable statement can count a try and start its wait.
fn wait_case(count: &str) -> String {
    let mut case = format!("CASE WHEN {count} < {FREE_FAILURES} THEN NULL");
    let mut failures = FREE_FAILURES;
    while let Some(wait) = wait_after(failures).filter(|wait| *wait < LONGEST_WAIT_SECONDS) {
        case.push_str(&format!(" WHEN {count} = {failures} THEN $2 + {wait}"));
        failures += 1;
    }
    case.push_str(&format!(" ELSE $2 + {LONGEST_WAIT_SECONDS} END"));
    case
}

/// Claims one sign-in try for `key` before the password is checked, and
/// counts it as a failure in advance (a success clears the counter). A try
/// that reaches the limit starts its wait in the same statement, so tries
/// sent in parallel cannot all pass before the first failure is written.
/// Returns the try's number, or `None` while the name must wait.
pub async fn claim_attempt(pool: &Pool, key: &str, now: UnixTime) -> Result<Option<i64>, sqlx::Error> {
    // This name's counter starts again if it was forgotten; the others are
    // swept by the hourly cleanup, not on every try.
    db::query(&format!("{FORGET_STALE} AND identifier_key = $3"))
        .bind(now - FORGET_AFTER_SECONDS)
        .bind(now)
        .bind(key)
        .execute(pool)
        .await?;
    let sql = format!(
        "INSERT INTO login_failures (identifier_key, failures, last_failure_at, locked_until) VALUES ($1, 1, $2, {first}) \
         ON CONFLICT (identifier_key) DO UPDATE SET failures = login_failures.failures + 1, \
         last_failure_at = excluded.last_failure_at, locked_until = {next} \
         WHERE login_failures.locked_until IS NULL OR login_failures.locked_until <= $2 \
         RETURNING failures",
        first = wait_case("1"),
        next = wait_case("login_failures.failures + 1"),
    );
    db::query_scalar(&sql).bind(key).bind(now).fetch_optional(pool).await
}

const FORGET_STALE: &str =
    "DELETE FROM login_failures WHERE last_failure_at < $1 AND (locked_until IS NULL OR locked_until < $2)";

/// Deletes every counter untouched for a day and not waiting (the hourly cleanup).
pub async fn forget_stale(pool: &Pool, now: UnixTime) -> Result<u64, sqlx::Error> {
    Ok(db::query(FORGET_STALE).bind(now - FORGET_AFTER_SECONDS).bind(now).execute(pool).await?.rows_affected())
}

/// Takes back the failure a try was counted as in advance, when it was
/// right but cannot clear the counter (a user with a second factor proving
/// the password alone). A wait it started stays.
pub async fn forgive_one(pool: &Pool, key: &str) -> Result<(), sqlx::Error> {
    db::query("UPDATE login_failures SET failures = failures - 1 WHERE identifier_key = $1 AND failures > 0").bind(key).execute(pool).await?;
    Ok(())
}

/// Forgets the failures of a name (successful sign-in, password reset).
pub async fn clear<'e>(executor: impl Into<db::Executor<'e>>, key: &str) -> Result<(), sqlx::Error> {
    db::query("DELETE FROM login_failures WHERE identifier_key = $1").bind(key).execute(executor).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_starts_at_the_fifth_failure_and_doubles_up_to_a_limit() {
        assert_eq!(wait_after(4), None);
        assert_eq!(wait_after(5), Some(30));
        assert_eq!(wait_after(6), Some(60));
        assert_eq!(wait_after(8), Some(240));
        assert_eq!(wait_after(10), Some(900));
        assert_eq!(wait_after(1_000), Some(900));
    }

    #[test]
    fn the_sql_wait_matches_the_rust_one() {
        let case = wait_case("n");
        assert!(case.starts_with("CASE WHEN n < 5 THEN NULL WHEN n = 5 THEN $2 + 30 WHEN n = 6 THEN $2 + 60"), "{case}");
        assert!(case.ends_with("WHEN n = 9 THEN $2 + 480 ELSE $2 + 900 END"), "{case}");
    }

    #[test]
    fn names_that_differ_only_in_case_share_a_key() {
        assert_eq!(name_key("Max"), name_key(" max "));
        assert_eq!(name_key("max"), "max");
    }

    #[test]
    fn input_that_is_no_username_never_shares_a_real_names_key() {
        // The Kelvin sign folds to "k" under Unicode rules; a 65th character was once cut off.
        for (typed, real) in [("\u{212A}max", "kmax"), (&"a".repeat(65), &"a".repeat(64)), ("Jörg", "jorg")] {
            let key = name_key(typed);
            assert!(key.starts_with("invalid:") && key != name_key(real), "{typed}");
            assert!(!key.contains(typed), "the input itself is not stored");
        }
        assert_ne!(name_key("\u{212A}max"), name_key("\u{212A}MAX"), "nothing is folded");
    }
}
