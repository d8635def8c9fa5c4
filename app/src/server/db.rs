//! The connection pool and the schema. Every query lives in the `ssr` part of
//! its feature module; this file only opens the database.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::Duration;

pub type Pool = SqlitePool;
pub type Transaction<'a> = sqlx::Transaction<'a, sqlx::Sqlite>;

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
