//! The hourly sweep of what sign-in leaves behind: sessions that timed out
//! or were ended by a new security stamp, mailed links that were used or
//! expired, the day's reset-mail budgets, trusted browsers no longer trusted, and old failure counters.
//! Until now a dead session went only when its cookie came back.

use crate::server::db;
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
        "DELETE FROM sessions WHERE last_seen_at + idle_seconds < $1 OR created_at + max_seconds < $1 \
         OR security_stamp <> (SELECT security_stamp FROM users WHERE users.id = sessions.user_id)",
    )
    .bind(now)
    .execute(pool)
    .await?
    .rows_affected();
    // A spent refresh token is kept until it would have expired: presented
    // again before that, it ends its sign-in (RFC 6749 §10.4).
    db::query("DELETE FROM oauth_tokens WHERE expires_at <= $1").bind(now).execute(pool).await?;
    // A used code is kept a while after its minute: sent again, it still ends what it gave.
    db::query("DELETE FROM oauth_codes WHERE expires_at <= $1").bind(now - 10 * 60).execute(pool).await?;
    let tokens = db::query("DELETE FROM tokens WHERE used_at IS NOT NULL OR expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected();
    db::query("DELETE FROM reset_mail_budget WHERE window_start <= $1 AND last_mail_at <= $1")
        .bind(now - 24 * 3600)
        .execute(pool)
        .await?;
    super::second_step::forget_expired(pool, now).await?;
    db::query("DELETE FROM webauthn_ceremonies WHERE created_at + $1 < $2").bind(super::passkeys::CEREMONY_SECONDS).bind(now).execute(pool).await?;
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
