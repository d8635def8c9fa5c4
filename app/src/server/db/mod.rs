//! The database: SQLite or PostgreSQL, chosen at start by the scheme of
//! `KP_DATABASE_URL`. Every query lives in the `ssr` part of its feature
//! module and is written once, in the SQL both databases share (`$1`
//! parameters, `TRUE`/`FALSE`, `ON CONFLICT`, `RETURNING`, row values).
//!
//! Queries go through [`query`], [`query_as`] and [`query_scalar`] here
//! rather than sqlx's own: they collect the parameters, then hand them to
//! sqlx's native driver of the pool at hand, so each database decodes its
//! own types (a SQLite 0/1 flag and a PostgreSQL BOOLEAN both read as
//! `bool`). The few places where the two dialects differ are functions in
//! this module ([`Pool::locked`], [`Pool::claiming`]; the catalog queries of
//! `db copy` in [`copying`]), not branches in the features. Opening and
//! migrating is [`setup`].

mod copying;
mod setup;
mod times;
mod words;
pub use copying::{continue_ids_after, ColumnKind};
pub use words::Words;
pub use setup::{connect, connect_and_migrate, migrator, DbSetupError, PoolSettings};

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool};
use std::borrow::Cow;
use std::marker::PhantomData;
use std::sync::Arc;
use tokio::sync::Notify;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a `KP_DATABASE_URL` names, by its scheme.
    pub fn of_url(url: &str) -> Option<Self> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Some(Self::Sqlite),
            "postgres" | "postgresql" => Some(Self::Postgres),
            _ => None,
        }
    }
}

/// Every table of the portal, each after the tables it refers to: the
/// order in which `db copy` fills an empty database.
pub const TABLES: &[&str] = &[
    "customers",
    "users",
    "sessions",
    "sign_in_challenges",
    "recovery_codes",
    "passkeys",
    "webauthn_ceremonies",
    "oauth_codes",
    "oauth_tokens",
    "tokens",
    "login_failures",
    "privacy_notices",
    "privacy_acceptances",
    "audit_log",
    "portal_settings",
    "trusted_devices",
    "reset_mail_budget",
    "document_types",
    "documents",
    "einvoices",
    "document_reads",
    "forwardings",
    "forwarding_unsubscribe_tokens",
    // After documents and forwardings: a mail may carry a document's PDF and belong to a forwarding.
    "mail_outbox",
    "api_keys",
    "job_runs",
    "document_mails",
    "daily_allowances",
    "file_leases",
];

/// A pool of connections to either database.
#[derive(Debug, Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Pool {
    pub fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    // Row locks are the one dialect difference in the portal's SQL: SQLite
    // writes one transaction at a time and needs none; PostgreSQL locks.
    // Each function takes a whole SELECT and returns it in this database's
    // dialect, so that no caller splices a clause or asks which database it is.

    /// `select`, whose rows the transaction changes next, with those rows
    /// locked: a concurrent writer waits and then reads the change.
    pub fn locked(&self, select: &str) -> String {
        self.with_clause(select, " FOR UPDATE")
    }

    /// `select` with only the rows of the table aliased `alias` locked —
    /// PostgreSQL refuses to lock the nullable side of an outer join.
    pub fn locked_rows_of(&self, select: &str, alias: &str) -> String {
        self.with_clause(select, &format!(" FOR UPDATE OF {alias}"))
    }

    /// `select` for competing workers: a row another transaction is
    /// claiming is passed over instead of waited for.
    pub fn claiming(&self, select: &str) -> String {
        self.with_clause(select, " FOR UPDATE SKIP LOCKED")
    }

    fn with_clause(&self, select: &str, clause: &str) -> String {
        match self {
            Self::Sqlite(_) => select.to_owned(),
            Self::Postgres(_) => format!("{select}{clause}"),
        }
    }

    /// Connections taken from the pool now: by a statement running, or by an
    /// open transaction (one waiting for a lock included).
    pub fn connections_in_use(&self) -> u32 {
        let (open, idle) = match self {
            Self::Sqlite(pool) => (pool.size(), pool.num_idle()),
            Self::Postgres(pool) => (pool.size(), pool.num_idle()),
        };
        open.saturating_sub(u32::try_from(idle).unwrap_or(u32::MAX))
    }

    pub async fn close(&self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }

    /// The portal's tables as the database lists them (without sqlx's own).
    pub async fn table_names(&self) -> Result<Vec<String>, sqlx::Error> {
        let sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND name <> '_sqlx_migrations' ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() \
                 AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations' ORDER BY table_name"
            }
        };
        query_scalar(sql).fetch_all(self).await
    }

    /// True when the database answers and every migration this binary
    /// knows has been applied (the readiness probe).
    pub async fn is_ready(&self) -> bool {
        let Some(latest) = migrator(self.backend()).iter().map(|migration| migration.version).max() else {
            return true;
        };
        let applied: Result<Option<i64>, sqlx::Error> =
            query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE").fetch_one(self).await;
        matches!(applied, Ok(Some(version)) if version >= latest)
    }
}

/// The connection of an open transaction.
pub enum TxConnection<'a> {
    Sqlite(sqlx::Transaction<'a, Sqlite>),
    Postgres(sqlx::Transaction<'a, Postgres>),
}

/// A database transaction that can wake a background worker once its rows
/// are visible: the outbox registers its worker here when a mail is queued,
/// so a caller cannot forget to wake it, nor wake it before the commit.
/// Queries run on it like on a pool (`&mut *tx`, or `&mut **tx` through a
/// `&mut Transaction`).
pub struct Transaction<'a> {
    inner: TxConnection<'a>,
    wake_after_commit: Vec<Arc<Notify>>,
}

/// Starts a transaction; the only way to get a [`Transaction`].
pub async fn begin(pool: &Pool) -> Result<Transaction<'static>, sqlx::Error> {
    let inner = match pool {
        Pool::Sqlite(pool) => TxConnection::Sqlite(pool.begin().await?),
        Pool::Postgres(pool) => TxConnection::Postgres(pool.begin().await?),
    };
    Ok(Transaction { inner, wake_after_commit: Vec::new() })
}

/// [`begin`] for a transaction that reads, then writes what it read: on
/// SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), waiting for
/// another writer as long as the busy timeout allows — a transaction that
/// read first could not wait for it, and would fail at its first write.
/// PostgreSQL locks the rows it reads (`Pool::locked`) instead.
pub async fn begin_writing(pool: &Pool) -> Result<Transaction<'static>, sqlx::Error> {
    let inner = match pool {
        Pool::Sqlite(pool) => TxConnection::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
        Pool::Postgres(pool) => TxConnection::Postgres(pool.begin().await?),
    };
    Ok(Transaction { inner, wake_after_commit: Vec::new() })
}

impl Transaction<'_> {
    /// `notify` is woken when this transaction commits (not if it rolls back).
    pub fn wake_after_commit(&mut self, notify: &Arc<Notify>) {
        if !self.wake_after_commit.iter().any(|known| Arc::ptr_eq(known, notify)) {
            self.wake_after_commit.push(notify.clone());
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.inner {
            TxConnection::Sqlite(tx) => tx.commit().await?,
            TxConnection::Postgres(tx) => tx.commit().await?,
        }
        for notify in self.wake_after_commit {
            notify.notify_one();
        }
        Ok(())
    }

    /// Undoes the transaction now (dropping it would too, but only when its
    /// connection is next used).
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self.inner {
            TxConnection::Sqlite(tx) => tx.rollback().await,
            TxConnection::Postgres(tx) => tx.rollback().await,
        }
    }
}

impl<'a> std::ops::Deref for Transaction<'a> {
    type Target = TxConnection<'a>;

    fn deref(&self) -> &TxConnection<'a> {
        &self.inner
    }
}

impl<'a> std::ops::DerefMut for Transaction<'a> {
    fn deref_mut(&mut self) -> &mut TxConnection<'a> {
        &mut self.inner
    }
}

/// Where a query runs: a pool or the connection of a transaction.
pub enum Executor<'c> {
    SqlitePool(&'c SqlitePool),
    PostgresPool(&'c PgPool),
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl<'c> From<&'c Pool> for Executor<'c> {
    fn from(pool: &'c Pool) -> Self {
        match pool {
            Pool::Sqlite(pool) => Self::SqlitePool(pool),
            Pool::Postgres(pool) => Self::PostgresPool(pool),
        }
    }
}

impl<'c, 'a> From<&'c mut TxConnection<'a>> for Executor<'c> {
    fn from(connection: &'c mut TxConnection<'a>) -> Self {
        match connection {
            TxConnection::Sqlite(tx) => Self::Sqlite(&mut **tx),
            TxConnection::Postgres(tx) => Self::Postgres(&mut **tx),
        }
    }
}

impl<'c, 'a> From<&'c mut Transaction<'a>> for Executor<'c> {
    fn from(tx: &'c mut Transaction<'a>) -> Self {
        Self::from(&mut tx.inner)
    }
}

/// One parameter of a query, kept until the query knows its database.
#[derive(Debug, Clone)]
pub enum Value<'q> {
    Int(Option<i64>),
    Bool(Option<bool>),
    Float(Option<f64>),
    Text(Option<Cow<'q, str>>),
    Bytes(Option<Vec<u8>>),
}

/// A Rust value that can be a query parameter on both databases.
pub trait Bind<'q> {
    fn into_value(self) -> Value<'q>;
    /// The NULL of this type (PostgreSQL wants to know the type of a NULL).
    fn null() -> Value<'q>;
}

macro_rules! bind_integer {
    ($($t:ty),*) => {$(
        impl<'q> Bind<'q> for $t {
            fn into_value(self) -> Value<'q> {
                Value::Int(Some(i64::try_from(self).unwrap_or(i64::MAX)))
            }
            fn null() -> Value<'q> {
                Value::Int(None)
            }
        }
        impl<'q> Bind<'q> for &$t {
            fn into_value(self) -> Value<'q> {
                (*self).into_value()
            }
            fn null() -> Value<'q> {
                Value::Int(None)
            }
        }
    )*};
}
bind_integer!(i64, i32, i16, u32, u16, u8, u64, usize);

impl<'q> Bind<'q> for bool {
    fn into_value(self) -> Value<'q> {
        Value::Bool(Some(self))
    }
    fn null() -> Value<'q> {
        Value::Bool(None)
    }
}

impl<'q> Bind<'q> for f64 {
    fn into_value(self) -> Value<'q> {
        Value::Float(Some(self))
    }
    fn null() -> Value<'q> {
        Value::Float(None)
    }
}

impl<'q> Bind<'q> for &'q str {
    fn into_value(self) -> Value<'q> {
        Value::Text(Some(Cow::Borrowed(self)))
    }
    fn null() -> Value<'q> {
        Value::Text(None)
    }
}

impl<'q> Bind<'q> for &'q String {
    fn into_value(self) -> Value<'q> {
        Value::Text(Some(Cow::Borrowed(self.as_str())))
    }
    fn null() -> Value<'q> {
        Value::Text(None)
    }
}

impl<'q> Bind<'q> for String {
    fn into_value(self) -> Value<'q> {
        Value::Text(Some(Cow::Owned(self)))
    }
    fn null() -> Value<'q> {
        Value::Text(None)
    }
}

impl<'q> Bind<'q> for Cow<'q, str> {
    fn into_value(self) -> Value<'q> {
        Value::Text(Some(self))
    }
    fn null() -> Value<'q> {
        Value::Text(None)
    }
}

impl<'q> Bind<'q> for Vec<u8> {
    fn into_value(self) -> Value<'q> {
        Value::Bytes(Some(self))
    }
    fn null() -> Value<'q> {
        Value::Bytes(None)
    }
}

impl<'q> Bind<'q> for Value<'q> {
    fn into_value(self) -> Value<'q> {
        self
    }
    fn null() -> Value<'q> {
        Value::Text(None)
    }
}

impl<'q, T: Bind<'q>> Bind<'q> for Option<T> {
    fn into_value(self) -> Value<'q> {
        self.map_or_else(T::null, Bind::into_value)
    }
    fn null() -> Value<'q> {
        T::null()
    }
}

impl<'q, T> Bind<'q> for &'q Option<T>
where
    &'q T: Bind<'q>,
{
    fn into_value(self) -> Value<'q> {
        self.as_ref().map_or_else(<&'q T>::null, Bind::into_value)
    }
    fn null() -> Value<'q> {
        <&'q T>::null()
    }
}

/// A row type both drivers can decode (`#[derive(sqlx::FromRow)]` gives it).
pub trait Record: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Record for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

/// What a statement changed.
#[derive(Debug, Clone, Copy)]
pub struct Done {
    rows_affected: u64,
}

impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.rows_affected
    }
}

/// A statement and its parameters; see [`query`].
#[must_use = "a query does nothing until it is executed"]
pub struct Query<'q> {
    sql: Cow<'q, str>,
    args: Vec<Value<'q>>,
}

/// A statement whose rows decode into `T`; see [`query_as`].
#[must_use = "a query does nothing until it is fetched"]
pub struct QueryAs<'q, T> {
    query: Query<'q>,
    row: PhantomData<fn() -> T>,
}

/// A statement whose rows are one value each; see [`query_scalar`].
#[must_use = "a query does nothing until it is fetched"]
pub struct QueryScalar<'q, T> {
    query: Query<'q>,
    value: PhantomData<fn() -> T>,
}

pub fn query(sql: &str) -> Query<'_> {
    Query { sql: Cow::Borrowed(sql), args: Vec::new() }
}

pub fn query_as<T: Record>(sql: &str) -> QueryAs<'_, T> {
    QueryAs { query: query(sql), row: PhantomData }
}

pub fn query_scalar<T>(sql: &str) -> QueryScalar<'_, T>
where
    (T,): Record,
{
    QueryScalar { query: query(sql), value: PhantomData }
}

/// Binds the collected parameters onto a sqlx query of one driver.
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for value in $args {
            query = match value {
                Value::Int(v) => query.bind(v),
                Value::Bool(v) => query.bind(v),
                Value::Float(v) => query.bind(v),
                Value::Text(v) => query.bind(v),
                Value::Bytes(v) => query.bind(v),
            };
        }
        query
    }};
}

/// Runs `$method` of a sqlx query built by `$build` on whichever executor it is.
macro_rules! dispatch {
    ($executor:expr, $sql:expr, $args:expr, $build:ident, $method:ident) => {
        match $executor {
            Executor::SqlitePool(pool) => bind_all!(sqlx::$build::<Sqlite, _>($sql), $args).$method(pool).await,
            Executor::Sqlite(connection) => bind_all!(sqlx::$build::<Sqlite, _>($sql), $args).$method(connection).await,
            Executor::PostgresPool(pool) => bind_all!(sqlx::$build::<Postgres, _>($sql), $args).$method(pool).await,
            Executor::Postgres(connection) => {
                bind_all!(sqlx::$build::<Postgres, _>($sql), $args).$method(connection).await
            }
        }
    };
}

impl<'q> Query<'q> {
    pub fn bind(mut self, value: impl Bind<'q>) -> Self {
        self.args.push(value.into_value());
        self
    }

    pub async fn execute<'c>(self, executor: impl Into<Executor<'c>>) -> Result<Done, sqlx::Error> {
        let sql: &str = &self.sql;
        let rows_affected = match executor.into() {
            Executor::SqlitePool(pool) => bind_all!(sqlx::query(sql), self.args).execute(pool).await?.rows_affected(),
            Executor::Sqlite(connection) => bind_all!(sqlx::query(sql), self.args).execute(connection).await?.rows_affected(),
            Executor::PostgresPool(pool) => bind_all!(sqlx::query(sql), self.args).execute(pool).await?.rows_affected(),
            Executor::Postgres(connection) => {
                bind_all!(sqlx::query(sql), self.args).execute(connection).await?.rows_affected()
            }
        };
        Ok(Done { rows_affected })
    }
}

impl<'q, T: Record> QueryAs<'q, T> {
    pub fn bind(mut self, value: impl Bind<'q>) -> Self {
        self.query = self.query.bind(value);
        self
    }

    pub async fn fetch_one<'c>(self, executor: impl Into<Executor<'c>>) -> Result<T, sqlx::Error> {
        let sql: &str = &self.query.sql;
        dispatch!(executor.into(), sql, self.query.args, query_as, fetch_one)
    }

    pub async fn fetch_optional<'c>(self, executor: impl Into<Executor<'c>>) -> Result<Option<T>, sqlx::Error> {
        let sql: &str = &self.query.sql;
        dispatch!(executor.into(), sql, self.query.args, query_as, fetch_optional)
    }

    pub async fn fetch_all<'c>(self, executor: impl Into<Executor<'c>>) -> Result<Vec<T>, sqlx::Error> {
        let sql: &str = &self.query.sql;
        dispatch!(executor.into(), sql, self.query.args, query_as, fetch_all)
    }
}

impl<'q, T> QueryScalar<'q, T>
where
    (T,): Record,
{
    pub fn bind(mut self, value: impl Bind<'q>) -> Self {
        self.query = self.query.bind(value);
        self
    }

    fn as_rows(self) -> QueryAs<'q, (T,)> {
        QueryAs { query: self.query, row: PhantomData }
    }

    pub async fn fetch_one<'c>(self, executor: impl Into<Executor<'c>>) -> Result<T, sqlx::Error> {
        Ok(self.as_rows().fetch_one(executor).await?.0)
    }

    pub async fn fetch_optional<'c>(self, executor: impl Into<Executor<'c>>) -> Result<Option<T>, sqlx::Error> {
        Ok(self.as_rows().fetch_optional(executor).await?.map(|(value,)| value))
    }

    pub async fn fetch_all<'c>(self, executor: impl Into<Executor<'c>>) -> Result<Vec<T>, sqlx::Error> {
        Ok(self.as_rows().fetch_all(executor).await?.into_iter().map(|(value,)| value).collect())
    }
}

/// A statement put together at run time (filters, sort orders); parameters
/// are numbered as they are pushed.
pub struct QueryBuilder<'q> {
    sql: String,
    args: Vec<Value<'q>>,
}

impl<'q> QueryBuilder<'q> {
    pub fn new(start: impl Into<String>) -> Self {
        Self { sql: start.into(), args: Vec::new() }
    }

    pub fn push(&mut self, sql: impl std::fmt::Display) -> &mut Self {
        use std::fmt::Write;
        let _ = write!(self.sql, "{sql}");
        self
    }

    pub fn push_bind(&mut self, value: impl Bind<'q>) -> &mut Self {
        self.args.push(value.into_value());
        let number = self.args.len();
        self.push(format_args!("${number}"))
    }

    pub fn build(self) -> Query<'q> {
        Query { sql: Cow::Owned(self.sql), args: self.args }
    }

    pub fn build_query_as<T: Record>(self) -> QueryAs<'q, T> {
        QueryAs { query: self.build(), row: PhantomData }
    }

    pub fn build_query_scalar<T>(self) -> QueryScalar<'q, T>
    where
        (T,): Record,
    {
        QueryScalar { query: self.build(), value: PhantomData }
    }
}

pub use crate::server::redact::redact_url as redacted;

/// True when `error` says the database cannot be reached (down, restarting,
/// out of connections) rather than that a statement went wrong: the answer
/// is then 503, and the portal carries on once the database is back.
pub fn is_unreachable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => true,
        // PostgreSQL: connection exceptions (08…), shutting down or starting up (57P01–57P03), too many connections (53300).
        sqlx::Error::Database(database) => database.code().is_some_and(|code| {
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53300")
        }),
        _ => false,
    }
}

/// True when `error` is a unique-index violation, i.e. the row exists already.
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backend_comes_from_the_scheme() {
        assert_eq!(Backend::of_url("sqlite://x.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::of_url("postgresql://h/db"), Some(Backend::Postgres));
        assert_eq!(Backend::of_url("mysql://h/db"), None);
    }
}
