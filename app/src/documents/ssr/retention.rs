//! Documents leave: the daily purge deletes the rows whose time is over
//! (each in the audit log) and their files when no other row uses them; the
//! daily sweep deletes files that no row refers to — left behind when an
//! ingest failed after its file was written — once they are an hour old.

use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::db;
use crate::server::jobs::Jobs;
use crate::server::state::AppState;
use crate::server::storage::{ContentHash, StorageError};
use std::collections::HashSet;

/// A file younger than this may belong to an ingest still under way.
const ORPHAN_MIN_AGE_SECONDS: i64 = 60 * 60;

#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    #[error("Datenbankfehler")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

#[derive(sqlx::FromRow)]
struct Expired {
    id: i64,
    customer_id: i64,
    number: String,
    type_key: String,
    sha256: String,
}

async fn file_in_use(state: &AppState, sha256: &str) -> Result<bool, sqlx::Error> {
    let used: Option<i64> = db::query_scalar("SELECT id FROM documents WHERE sha256 = $1 LIMIT 1").bind(sha256).fetch_optional(&state.pool).await?;
    Ok(used.is_some())
}

/// Deletes documents whose time is over; returns how many.
pub async fn purge_expired(state: &AppState) -> Result<usize, RetentionError> {
    let now = state.clock.now();
    let expired: Vec<Expired> =
        db::query_as("SELECT id, customer_id, number, type_key, sha256 FROM documents WHERE hidden_from <= $1 ORDER BY id")
            .bind(now)
            .fetch_all(&state.pool)
            .await?;
    for document in &expired {
        let mut tx = db::begin(&state.pool).await?;
        db::query("DELETE FROM documents WHERE id = $1").bind(document.id).execute(&mut *tx).await?;
        let detail = format!("{} {} (Dokument {})", document.type_key, document.number, document.id);
        let entry = AuditEntry { actor: Actor::System, customer_id: Some(document.customer_id), action: "document_purged", detail, ip: None };
        audit::record(&mut tx, entry, now).await?;
        tx.commit().await?;
    }
    let files: HashSet<&str> = expired.iter().map(|document| document.sha256.as_str()).collect();
    for sha256 in files {
        if let Some(hash) = ContentHash::parse(sha256) {
            if !file_in_use(state, sha256).await? {
                state.documents.delete(&hash).await?;
            }
        }
    }
    if !expired.is_empty() {
        tracing::info!(documents = expired.len(), "documents past their time deleted");
    }
    Ok(expired.len())
}

/// Deletes stored files no row refers to, if older than an hour; returns how many.
pub async fn sweep_orphans(state: &AppState) -> Result<usize, RetentionError> {
    let now = state.clock.now();
    let mut deleted = 0;
    for file in state.documents.list().await? {
        if file.last_modified > now - ORPHAN_MIN_AGE_SECONDS {
            continue;
        }
        if !file_in_use(state, file.hash.as_str()).await? {
            state.documents.delete(&file.hash).await?;
            deleted += 1;
        }
    }
    if deleted > 0 {
        tracing::info!(files = deleted, "stored files without a document deleted");
    }
    Ok(deleted)
}

pub fn register_jobs(jobs: &mut Jobs) {
    let day = std::time::Duration::from_secs(24 * 60 * 60);
    jobs.every("documents past their time", day, |state: AppState| async move { purge_expired(&state).await.map(|_| ()) });
    jobs.every("files without a document", day, |state: AppState| async move { sweep_orphans(&state).await.map(|_| ()) });
}
