//! Opening a database from `KP_DATABASE_URL` and applying its migrations.

use super::{redacted, Backend, Pool};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("KP_DATABASE_URL: »{0}« ist keine sqlite:- oder postgres:-Adresse")]
    Scheme(String),
    #[error("KP_DATABASE_URL: die Datenbank {0} kann nicht geöffnet werden ({cause})", cause = why_not_open(.1))]
    Open(String, #[source] sqlx::Error),
    #[error("KP_DATA_DIR: das Datenverzeichnis kann nicht angelegt werden")]
    DataDir(#[source] std::io::Error),
    #[error("KP_DATABASE_URL: die Datenbank {0} kann nicht auf den aktuellen Stand gebracht werden")]
    Migrate(String, #[source] sqlx::migrate::MigrateError),
}

/// The reason a database did not open, for the operator's one line: what
/// the server said or that it did not answer (never the URL, never a secret).
fn why_not_open(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::PoolTimedOut => format!("keine Verbindung innerhalb von {} Sekunden", CONNECT_TIMEOUT.as_secs()),
        sqlx::Error::Io(io) => format!("Verbindung: {}", io.kind()),
        sqlx::Error::Tls(_) => "TLS-Verbindung fehlgeschlagen".into(),
        sqlx::Error::Database(database) => format!("der Server sagt: {}", database.message()),
        sqlx::Error::Configuration(_) => "die Adresse ist ungültig".into(),
        _ => "siehe Protokoll mit KP_LOG=debug".into(),
    }
}

/// Settings of the pool that do not belong in the URL.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    pub max_connections: u32,
}

impl PoolSettings {
    /// `KP_DATABASE_MAX_CONNECTIONS` when unset.
    pub const DEFAULT_MAX_CONNECTIONS: u32 = 10;
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self { max_connections: Self::DEFAULT_MAX_CONNECTIONS }
    }
}

/// How long a request (or the start) waits for a PostgreSQL connection
/// before it gives up: while the database is down, requests answer 503
/// after this rather than piling up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The migrations of one backend, embedded in the binary. The two folders
/// hold the same schema in each database's own types.
pub fn migrator(backend: Backend) -> sqlx::migrate::Migrator {
    match backend {
        Backend::Sqlite => sqlx::migrate!("../migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("../migrations/postgres"),
    }
}

/// Opens the database `database_url` names and applies the migrations that
/// are missing (several instances starting at once take turns: sqlx holds
/// an advisory lock on PostgreSQL while it migrates).
pub async fn connect_and_migrate(database_url: &str, settings: PoolSettings) -> Result<Pool, DbSetupError> {
    let pool = connect(database_url, settings).await?;
    migrate(&pool, database_url).await?;
    Ok(pool)
}

/// Opens the database without touching its schema.
pub async fn connect(database_url: &str, settings: PoolSettings) -> Result<Pool, DbSetupError> {
    let open_failed = |error| DbSetupError::Open(redacted(database_url), error);
    match Backend::of_url(database_url) {
        Some(Backend::Sqlite) => {
            let options = SqliteConnectOptions::from_str(database_url)
                .map_err(open_failed)?
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
                .max_connections(settings.max_connections)
                .connect_with(options)
                .await
                .map_err(open_failed)?;
            Ok(Pool::Sqlite(pool))
        }
        Some(Backend::Postgres) => {
            let options = PgConnectOptions::from_str(database_url).map_err(open_failed)?.application_name("kundenportal");
            let pool = PgPoolOptions::new()
                .max_connections(settings.max_connections)
                .acquire_timeout(CONNECT_TIMEOUT)
                .connect_with(options)
                .await
                .map_err(open_failed)?;
            Ok(Pool::Postgres(pool))
        }
        None => Err(DbSetupError::Scheme(redacted(database_url))),
    }
}

async fn migrate(pool: &Pool, database_url: &str) -> Result<(), DbSetupError> {
    let migrator = migrator(pool.backend());
    let result = match pool {
        Pool::Sqlite(pool) => migrator.run(pool).await,
        Pool::Postgres(pool) => migrator.run(pool).await,
    };
    result.map_err(|error| DbSetupError::Migrate(redacted(database_url), error))
}

