//! Daily allowances for the additions that mail an address someone typed
//! in and that tell whether a username exists: "Benutzer hinzufügen" (and
//! "Einladung erneut senden"), "Weiterleitung hinzufügen". Each counts per
//! acting user and per customer and calendar day in the operator's time
//! zone (`KP_LIMIT_ADDS_PER_USER_AND_DAY`, `…_PER_CUSTOMER_AND_DAY`), in the
//! database, so every instance counts alike. An attempt counts whatever
//! becomes of it — refused, or added and removed again.

use super::db;
use super::state::AppState;
use crate::domain::UnixTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowance {
    UserAdd,
    ForwardingAdd,
}

impl Allowance {
    fn action(self) -> &'static str {
        match self {
            Allowance::UserAdd => "user_add",
            Allowance::ForwardingAdd => "forwarding_add",
        }
    }
}

/// Takes one attempt from today's allowance of the acting user and of their
/// customer — from both or from neither — in a transaction of its own, so
/// that it counts even when the addition that follows fails. `false`: one of
/// the two is used up for today.
pub async fn take(state: &AppState, allowance: Allowance, user_id: i64, customer_id: i64) -> Result<bool, sqlx::Error> {
    let now = state.clock.now();
    let tz = &state.config.time_zone;
    let today = super::dates::day_of(now, tz).unwrap_or_default();
    let day = super::dates::start_of_day(today, tz);
    let limits = state.config.daily_limits;
    let mut tx = db::begin(&state.pool).await?;
    for (counted_by, subject_id, limit) in [("user", user_id, limits.adds_per_user), ("customer", customer_id, limits.adds_per_customer)] {
        let used: Option<i64> = db::query_scalar(
            "INSERT INTO daily_allowances (action, counted_by, subject_id, day, used) VALUES ($1, $2, $3, $4, 1) \
             ON CONFLICT (action, counted_by, subject_id, day) DO UPDATE SET used = daily_allowances.used + 1 \
             WHERE daily_allowances.used < $5 RETURNING used",
        )
        .bind(allowance.action())
        .bind(counted_by)
        .bind(subject_id)
        .bind(day)
        .bind(i64::from(limit))
        .fetch_optional(&mut *tx)
        .await?;
        if used.is_none() {
            return Ok(false);
        }
    }
    tx.commit().await?;
    Ok(true)
}

/// Days before yesterday are of no use any more.
pub async fn forget_old(pool: &db::Pool, now: UnixTime) -> Result<u64, sqlx::Error> {
    Ok(db::query("DELETE FROM daily_allowances WHERE day < $1").bind(now - 2 * 24 * 3600).execute(pool).await?.rows_affected())
}
