//! What `db copy` needs of either database: the columns of a table and
//! their kinds, its rows as [`Value`]s one at a time, and its ids going on
//! where the old database left off.

use super::{query, query_as, query_scalar, Backend, Pool, Transaction, TxConnection, Value};
use std::borrow::Cow;

/// What a column holds, as far as moving rows between databases goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Int,
    Bool,
    Float,
    Text,
    Bytes,
}

impl ColumnKind {
    /// The kind of a declared column type (SQLite's declaration or
    /// PostgreSQL's `data_type`).
    fn of_declared(declared: &str) -> Self {
        let declared = declared.to_ascii_lowercase();
        if declared.contains("bool") {
            Self::Bool
        } else if declared.contains("int") {
            Self::Int
        } else if declared.contains("real") || declared.contains("double") || declared.contains("float") || declared.contains("numeric") {
            Self::Float
        } else if declared.contains("blob") || declared.contains("bytea") {
            Self::Bytes
        } else {
            Self::Text
        }
    }
}

/// Reads one column of a row of either driver as a [`Value`].
macro_rules! read_column {
    ($row:expr, $index:expr, $kind:expr) => {{
        use sqlx::Row as _;
        match $kind {
            ColumnKind::Int => $row.try_get::<Option<i64>, _>($index).map(Value::Int),
            ColumnKind::Bool => $row.try_get::<Option<bool>, _>($index).map(Value::Bool),
            ColumnKind::Float => $row.try_get::<Option<f64>, _>($index).map(Value::Float),
            ColumnKind::Text => $row.try_get::<Option<String>, _>($index).map(|v| Value::Text(v.map(Cow::Owned))),
            ColumnKind::Bytes => $row.try_get::<Option<Vec<u8>>, _>($index).map(Value::Bytes),
        }
    }};
}

impl Pool {
    /// The columns of `table` in their order, with what they hold.
    pub async fn columns(&self, table: &str) -> Result<Vec<(String, ColumnKind)>, sqlx::Error> {
        let sql = match self.backend() {
            Backend::Sqlite => "SELECT name, type FROM pragma_table_info($1) ORDER BY cid",
            Backend::Postgres => {
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position"
            }
        };
        let columns: Vec<(String, String)> = query_as(sql).bind(table).fetch_all(self).await?;
        Ok(columns.into_iter().map(|(name, declared)| (name, ColumnKind::of_declared(&declared))).collect())
    }

    /// The rows `sql` selects, each column read as `kinds` says, one at a
    /// time (a table of a million rows is never held in memory).
    pub fn rows<'a>(
        &'a self,
        sql: &'a str,
        kinds: &'a [ColumnKind],
    ) -> futures_util::stream::BoxStream<'a, Result<Vec<Value<'static>>, sqlx::Error>> {
        use futures_util::StreamExt as _;
        match self {
            Self::Sqlite(pool) => sqlx::query(sql)
                .fetch(pool)
                .map(move |row| {
                    let row = row?;
                    kinds.iter().enumerate().map(|(index, kind)| read_column!(row, index, kind)).collect()
                })
                .boxed(),
            Self::Postgres(pool) => sqlx::query(sql)
                .fetch(pool)
                .map(move |row| {
                    let row = row?;
                    kinds.iter().enumerate().map(|(index, kind)| read_column!(row, index, kind)).collect()
                })
                .boxed(),
        }
    }

    /// The highest id `table` has handed out, even if that row is gone
    /// (documents' ids are never given again).
    pub async fn id_high_water(&self, table: &str) -> Result<i64, sqlx::Error> {
        let sql = match self.backend() {
            Backend::Sqlite => {
                // sqlite_sequence exists: documents' ids are AUTOINCREMENT.
                "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = $1), 0)"
            }
            Backend::Postgres => {
                "SELECT COALESCE((SELECT last_value FROM pg_sequences \
                 WHERE schemaname || '.' || sequencename = pg_get_serial_sequence($1, 'id')), 0)"
            }
        };
        query_scalar(sql).bind(table).fetch_one(self).await
    }
}

/// Makes the next generated id of `table` (if it has one) come after
/// `at_least` and after every id it holds: a copied table goes on where the
/// old database left off.
pub async fn continue_ids_after(tx: &mut Transaction<'_>, table: &str, at_least: i64) -> Result<(), sqlx::Error> {
    match &tx.inner {
        TxConnection::Postgres(_) => {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence($1, 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM \"{table}\"), $2, 1)) \
                 WHERE pg_get_serial_sequence($1, 'id') IS NOT NULL"
            );
            query(&sql).bind(table).bind(at_least).execute(&mut *tx).await?;
        }
        TxConnection::Sqlite(_) => {
            // Only AUTOINCREMENT tables (documents) keep a high-water mark;
            // the others continue after their largest id anyway.
            let autoincrement: Option<i64> =
                query_scalar("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1 AND sql LIKE '%AUTOINCREMENT%'")
                    .bind(table)
                    .fetch_optional(&mut *tx)
                    .await?;
            if autoincrement.is_some() {
                let raised = query("UPDATE sqlite_sequence SET seq = MAX(seq, $2) WHERE name = $1")
                    .bind(table)
                    .bind(at_least)
                    .execute(&mut *tx)
                    .await?;
                if raised.rows_affected() == 0 {
                    query("INSERT INTO sqlite_sequence (name, seq) VALUES ($1, $2)").bind(table).bind(at_least).execute(&mut *tx).await?;
                }
            }
        }
    }
    Ok(())
}

