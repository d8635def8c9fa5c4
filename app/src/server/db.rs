//! The connection pool and the schema. Every query lives in the `ssr` part of
//! its feature module; this file only opens the database.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{SqliteConnection, SqlitePool};
use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

pub type Pool = SqlitePool;

/// A database transaction that can wake a background worker once its rows
/// are visible: the outbox registers its worker here when a mail is queued,
/// so a caller cannot forget to wake it, nor wake it before the commit.
/// Queries run on it like on sqlx's own (`&mut *tx`, or `&mut **tx` through
/// a `&mut Transaction`).
pub struct Transaction<'a> {
    inner: sqlx::Transaction<'a, sqlx::Sqlite>,
    wake_after_commit: Vec<Arc<Notify>>,
}

/// Starts a transaction; the only way to get a [`Transaction`].
pub async fn begin(pool: &Pool) -> Result<Transaction<'static>, sqlx::Error> {
    Ok(Transaction { inner: pool.begin().await?, wake_after_commit: Vec::new() })
}

impl Transaction<'_> {
    /// `notify` is woken when this transaction commits (not if it rolls back).
    pub fn wake_after_commit(&mut self, notify: &Arc<Notify>) {
        if !self.wake_after_commit.iter().any(|known| Arc::ptr_eq(known, notify)) {
            self.wake_after_commit.push(notify.clone());
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.inner.commit().await?;
        for notify in self.wake_after_commit {
            notify.notify_one();
        }
        Ok(())
    }
}

impl Deref for Transaction<'_> {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        &self.inner
    }
}

impl DerefMut for Transaction<'_> {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        &mut self.inner
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("die Datenbank {0} kann nicht geöffnet werden")]
    Open(String, #[source] sqlx::Error),
    #[error("das Datenverzeichnis kann nicht angelegt werden")]
    DataDir(#[source] std::io::Error),
    #[error("die Datenbank kann nicht auf den aktuellen Stand gebracht werden")]
    Migrate(#[source] sqlx::migrate::MigrateError),
}

/// Opens (and creates) the database with WAL, foreign keys and a busy
/// timeout, then applies the migrations that are missing.
pub async fn connect_and_migrate(database_url: &str) -> Result<Pool, DbSetupError> {
    let options = SqliteConnectOptions::from_str(database_url)
        .map_err(|e| DbSetupError::Open(redacted(database_url), e))?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    if let Some(parent) = options.get_filename().parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(DbSetupError::DataDir)?;
        }
    }
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .map_err(|e| DbSetupError::Open(redacted(database_url), e))?;
    sqlx::migrate!("../migrations").run(&pool).await.map_err(DbSetupError::Migrate)?;
    Ok(pool)
}

fn redacted(url: &str) -> String {
    url.split('?').next().unwrap_or_default().to_owned()
}

/// True when `error` is a unique-index violation, i.e. the row exists already.
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}
