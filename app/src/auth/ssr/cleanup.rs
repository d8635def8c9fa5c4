//! The hourly sweep of what sign-in leaves behind: sessions that timed out
//! or were ended by a new security stamp, mailed links that were used or
//! expired, the day's reset-mail budgets, trusted browsers no longer trusted, and old failure counters.
//! Until now a dead session went only when its cookie came back.

use crate::server::db;
use super::session::{ABSOLUTE_TIMEOUT_SECONDS, IDLE_TIMEOUT_SECONDS};
use crate::server::db::Pool;
use crate::server::jobs::Jobs;
use crate::server::state::AppState;
use crate::domain::UnixTime;


#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub sessions: u64,
    pub tokens: u64,
    pub devices: u64,
    pub failure_counters: u64,
}

pub async fn sweep(pool: &Pool, now: UnixTime) -> Result<Swept, sqlx::Error> {
    let sessions = db::query(
        "DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2 \
         OR security_stamp <> (SELECT security_stamp FROM users WHERE users.id = sessions.user_id)",
    )
    .bind(now - IDLE_TIMEOUT_SECONDS)
    .bind(now - ABSOLUTE_TIMEOUT_SECONDS)
    .execute(pool)
    .await?
    .rows_affected();
    let tokens = db::query("DELETE FROM tokens WHERE used_at IS NOT NULL OR expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected();
    db::query("DELETE FROM reset_mail_budget WHERE window_start <= $1 AND last_mail_at <= $1")
        .bind(now - 24 * 3600)
        .execute(pool)
        .await?;
    let devices = db::query("DELETE FROM trusted_devices WHERE expires_at <= $1").bind(now).execute(pool).await?.rows_affected();
    let failure_counters = super::lockout::forget_stale(pool, now).await?;
    crate::server::allowance::forget_old(pool, now).await?;
    Ok(Swept { sessions, tokens, devices, failure_counters })
}

pub fn register_jobs(jobs: &mut Jobs) {
    jobs.every("cleanup", std::time::Duration::from_secs(60 * 60), |state: AppState| async move {
        let swept = sweep(&state.pool, state.clock.now()).await?;
        if swept != Swept::default() {
            tracing::info!(?swept, "sign-in leftovers deleted");
        }
        Ok::<(), sqlx::Error>(())
    });
}
