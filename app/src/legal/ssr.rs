//! The operator's texts on the server: the imprint, contact and privacy
//! pages from `content/`, and the published privacy notice versions.

use crate::server::db::{self, Pool};
use crate::server::jobs::Jobs;
use crate::server::state::AppState;
use crate::domain::UnixTime;

/// At start: a new database gets the configured privacy notice as version 1.
pub fn register_jobs(jobs: &mut Jobs) {
    jobs.at_start("privacy notice", |state: AppState| async move {
        ensure_privacy_notice(&state.pool, &state.config.branding.privacy_text, state.clock.now()).await
    });
}

/// The newest published privacy notice: (version, text).
pub async fn current_privacy_notice(pool: &Pool) -> Result<Option<(i64, String)>, sqlx::Error> {
    db::query_as("SELECT version, body FROM privacy_notices ORDER BY version DESC LIMIT 1")
        .fetch_optional(pool)
        .await
}

/// Publishes `body` as the next version and returns its number.
pub async fn publish_privacy_notice(pool: &Pool, body: &str, now: UnixTime) -> Result<i64, sqlx::Error> {
    let mut tx = db::begin(pool).await?;
    let (next,): (i64,) = db::query_as("SELECT COALESCE(MAX(version), 0) + 1 FROM privacy_notices")
        .fetch_one(&mut *tx)
        .await?;
    db::query("INSERT INTO privacy_notices (version, body, published_at) VALUES ($1, $2, $3)")
        .bind(next)
        .bind(body)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    record_published(&mut tx, next, now).await?;
    tx.commit().await?;
    Ok(next)
}

async fn record_published(tx: &mut db::Transaction<'_>, version: i64, now: UnixTime) -> Result<(), sqlx::Error> {
    let entry = crate::server::audit::AuditEntry {
        actor: crate::server::audit::Actor::Operator,
        customer_id: None,
        action: "privacy_notice_published",
        detail: format!("version {version}"),
        ip: None,
    };
    crate::server::audit::record(tx, entry, now).await
}

/// On first start the configured text becomes version 1. Instances
/// starting together may all try; the first insert wins, the others
/// change nothing.
pub async fn ensure_privacy_notice(pool: &Pool, body: &str, now: UnixTime) -> Result<(), sqlx::Error> {
    if current_privacy_notice(pool).await?.is_some() {
        return Ok(());
    }
    let mut tx = db::begin(pool).await?;
    let inserted = db::query(
        "INSERT INTO privacy_notices (version, body, published_at) VALUES (1, $1, $2) ON CONFLICT (version) DO NOTHING",
    )
    .bind(body)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 1 {
        record_published(&mut tx, 1, now).await?;
    }
    tx.commit().await
}
