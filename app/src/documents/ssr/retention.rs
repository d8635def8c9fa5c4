//! Documents leave: the daily purge deletes the rows whose time is over
//! (each in the audit log) and their files when no other row uses them; the
//! daily sweep deletes files that no row refers to — left behind when an
//! ingest failed after its file was written — once they are an hour old.
//!
//! The store accepts a file that is there already (the same bytes, the same
//! name), so an ingest and a clean-up can meet over one file. A lease in the
//! database keeps them apart: an ingest holds the file's lease before it
//! writes and until it has committed its row; a clean-up deletes a file
//! only while it holds the lease itself and no row refers to the file.

use crate::server::audit::{self, Actor, AuditDetail, AuditEntry, TypeName};
use crate::server::db;
use crate::server::jobs::Jobs;
use crate::server::state::AppState;
use crate::server::storage::{ContentHash, StorageError};
use futures_util::StreamExt;
use std::collections::BTreeSet;

/// A file younger than this may belong to an ingest still under way.
const ORPHAN_MIN_AGE_SECONDS: i64 = 60 * 60;
/// How long an ingest's lease on its file holds: longer than any ingest
/// takes from writing the file to committing its row.
const INGEST_LEASE_SECONDS: i64 = 60 * 60;

#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    #[error("Datenbankfehler")]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The lease an ingest holds on its file from before it writes it until its
/// row is committed.
pub struct IngestLease {
    sha256: String,
    holder: String,
}

/// Takes (or takes over) the lease an ingest holds on its file before
/// writing it, in a transaction of its own. A clean-up deleting the file
/// right now holds the row; this waits for it, and the file is written
/// afresh after.
pub async fn hold_for_ingest(state: &AppState, hash: &ContentHash) -> Result<IngestLease, sqlx::Error> {
    let lease = IngestLease { sha256: hash.as_str().to_owned(), holder: crate::server::crypto::correlation_id() };
    let mut tx = db::begin(&state.pool).await?;
    db::query(
        "INSERT INTO file_leases (sha256, held_for, holder, until) VALUES ($1, 'ingest', $2, $3) \
         ON CONFLICT (sha256) DO UPDATE SET held_for = 'ingest', holder = $2, until = $3",
    )
    .bind(&lease.sha256)
    .bind(&lease.holder)
    .bind(state.clock.now() + INGEST_LEASE_SECONDS)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(lease)
}

impl IngestLease {
    /// Gives the lease back in the transaction that commits the row (which
    /// keeps the file from now on) — unless another ingest of the same
    /// bytes took it over meanwhile and still needs it.
    pub async fn release(self, tx: &mut db::Transaction<'_>) -> Result<(), sqlx::Error> {
        db::query("DELETE FROM file_leases WHERE sha256 = $1 AND holder = $2").bind(&self.sha256).bind(&self.holder).execute(&mut **tx).await?;
        Ok(())
    }
}

/// Whether a document refers to a stored file: as its own file, or as its invoice XML.
const FILE_IN_USE: &str =
    "SELECT EXISTS (SELECT 1 FROM documents WHERE sha256 = $1) OR EXISTS (SELECT 1 FROM einvoices WHERE xml_sha256 = $1)";

/// Deletes the stored file when no row refers to it and no ingest holds its
/// lease. The lease row is taken and the row check made in one transaction
/// that lasts until the file is gone, so an ingest of the same bytes either
/// finished first (and its row keeps the file) or waits and writes it anew.
/// Returns whether the file was deleted.
async fn delete_if_unused(state: &AppState, hash: &ContentHash) -> Result<bool, RetentionError> {
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let taken: Option<String> = db::query_scalar(
        "INSERT INTO file_leases (sha256, held_for, holder, until) VALUES ($1, 'delete', $4, $2) \
         ON CONFLICT (sha256) DO UPDATE SET held_for = 'delete', holder = $4, until = $2 WHERE file_leases.until < $3 \
         RETURNING sha256",
    )
    .bind(hash.as_str())
    .bind(now + 60)
    .bind(now)
    .bind(crate::server::crypto::correlation_id())
    .fetch_optional(&mut *tx)
    .await?;
    if taken.is_none() {
        return Ok(false);
    }
    let used: bool = db::query_scalar(FILE_IN_USE).bind(hash.as_str()).fetch_one(&mut *tx).await?;
    if used {
        return Ok(false);
    }
    state.documents.delete(hash).await?;
    db::query("DELETE FROM file_leases WHERE sha256 = $1").bind(hash.as_str()).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(true)
}

#[derive(sqlx::FromRow)]
struct Purged {
    id: i64,
    customer_id: i64,
    number: String,
    type_key: String,
    sha256: String,
}

/// Every type's names by key, for the entries of documents deleted (their rows are gone).
async fn type_names(tx: &mut db::Transaction<'_>) -> Result<std::collections::HashMap<String, TypeName>, sqlx::Error> {
    let rows: Vec<(String, String, Option<String>)> = db::query_as("SELECT key, name, name_en FROM document_types").fetch_all(&mut **tx).await?;
    Ok(rows.into_iter().map(|(key, name, en)| (key, TypeName { name, en })).collect())
}

/// Deletes documents whose time is over and writes one audit entry for each
/// row this run deleted — in one statement and one transaction, so that two
/// instances purging at once neither miss a row nor audit one twice. Then
/// their files go, unless another row uses them. Returns how many rows.
pub async fn purge_expired(state: &AppState) -> Result<usize, RetentionError> {
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    // Their e-invoices first, for the files of their XMLs (checked after). A
    // write as the transaction's first statement: a read first would leave
    // two purges at once on SQLite unable to write.
    let invoice_files: Vec<String> = db::query_scalar(
        "DELETE FROM einvoices WHERE document_id IN (SELECT id FROM documents WHERE hidden_from <= $1) RETURNING xml_sha256",
    )
    .bind(now)
    .fetch_all(&mut *tx)
    .await?;
    let purged: Vec<Purged> =
        db::query_as("DELETE FROM documents WHERE hidden_from <= $1 RETURNING id, customer_id, number, type_key, sha256")
            .bind(now)
            .fetch_all(&mut *tx)
            .await?;
    let names = if purged.is_empty() { Default::default() } else { type_names(&mut tx).await? };
    for document in &purged {
        let kind = names.get(&document.type_key).cloned().unwrap_or_else(|| TypeName { name: document.type_key.clone(), en: None });
        let detail = AuditDetail::DocumentPurged { kind, number: document.number.clone(), id: document.id };
        let entry = AuditEntry { actor: Actor::System, customer_id: Some(document.customer_id), action: "document_purged", detail, ip: None };
        audit::record(&mut tx, entry, now).await?;
    }
    tx.commit().await?;
    let files: BTreeSet<&str> = purged.iter().map(|document| document.sha256.as_str()).chain(invoice_files.iter().map(String::as_str)).collect();
    for hash in files.into_iter().filter_map(ContentHash::parse) {
        delete_if_unused(state, &hash).await?;
    }
    if !purged.is_empty() {
        tracing::info!(documents = purged.len(), "documents past their time deleted");
    }
    Ok(purged.len())
}

/// Deletes stored files no row refers to, once they are an hour old, walking
/// the store's listing as it comes (never the whole list in memory). Stale
/// leases go too. Returns how many files were deleted.
pub async fn sweep_orphans(state: &AppState) -> Result<usize, RetentionError> {
    let now = state.clock.now();
    db::query("DELETE FROM file_leases WHERE until < $1").bind(now - INGEST_LEASE_SECONDS).execute(&state.pool).await?;
    let mut deleted = 0;
    let mut files = state.documents.files();
    while let Some(file) = files.next().await {
        let file = file?;
        if file.last_modified > now - ORPHAN_MIN_AGE_SECONDS {
            continue;
        }
        // Most files are in use: one read decides, and only an orphan takes a lease.
        let used: bool = db::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM documents WHERE sha256 = $1) OR EXISTS (SELECT 1 FROM einvoices WHERE xml_sha256 = $1) \
             OR EXISTS (SELECT 1 FROM file_leases WHERE sha256 = $1 AND until >= $2)",
        )
        .bind(file.hash.as_str())
        .bind(now)
        .fetch_one(&state.pool)
        .await?;
        if !used && delete_if_unused(state, &file.hash).await? {
            deleted += 1;
        }
    }
    if deleted > 0 {
        tracing::info!(files = deleted, "stored files without a document deleted");
    }
    Ok(deleted)
}

/// Deletes uploads staged on this machine that no request finishes any
/// more (the process was killed while it read them): at every start, and
/// only those an hour old, since another instance may share the data folder.
pub async fn forget_abandoned_uploads(state: &AppState) -> Result<usize, std::io::Error> {
    let dir = state.config.upload_dir();
    let Ok(mut entries) = tokio::fs::read_dir(&dir).await else { return Ok(0) };
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(ORPHAN_MIN_AGE_SECONDS as u64);
    let mut deleted = 0;
    while let Some(entry) = entries.next_entry().await? {
        let abandoned = entry.metadata().await.ok().and_then(|meta| meta.modified().ok()).is_some_and(|modified| modified < old);
        if abandoned && entry.file_name().to_string_lossy().starts_with("upload-") && tokio::fs::remove_file(entry.path()).await.is_ok() {
            deleted += 1;
        }
    }
    Ok(deleted)
}

pub fn register_jobs(jobs: &mut Jobs) {
    jobs.at_start("abandoned uploads", |state: AppState| async move { forget_abandoned_uploads(&state).await.map(|_| ()) });
    let day = std::time::Duration::from_secs(24 * 60 * 60);
    jobs.every("documents past their time", day, |state: AppState| async move { purge_expired(&state).await.map(|_| ()) });
    jobs.every("files without a document", day, |state: AppState| async move { sweep_orphans(&state).await.map(|_| ()) });
}
