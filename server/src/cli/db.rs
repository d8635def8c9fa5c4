//! `kundenportal db copy --to URL`: moving an installation to another
//! database — fills an empty one (SQLite or PostgreSQL) with every table of
//! the configured one, a transaction per table, and compares the counts.

use super::exit::{fail, FAILED, REFUSED};
use super::installation::{with_state, Store};
use super::progress::Progress;
use app::server::config::Config;
use app::server::config::redact_url;
use app::server::db::{self, ColumnKind, Pool, PoolSettings, Value};
use app::server::state::AppState;
use clap::Subcommand;
use futures_util::StreamExt;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(super) enum DbCommand {
    /// Kopiert jede Tabelle in eine leere Datenbank (SQLite oder PostgreSQL),
    /// eine Transaktion je Tabelle, und vergleicht danach die Zeilenzahlen.
    /// Das Portal sollte dabei nicht laufen.
    Copy {
        /// Die Zieldatenbank, z. B. postgres://portal@db.example/kundenportal
        #[arg(long)]
        to: String,
    },
}

/// Rows per INSERT: well under both databases' limits on parameters.
const ROWS_PER_INSERT: usize = 200;

/// The tables a target may hold rows in before the copy: what its
/// migrations seed (the copy replaces them with the source's).
const SEEDED_TABLES: &[&str] = &["document_types"];

#[derive(Debug, thiserror::Error)]
enum CopyError {
    #[error("{0}")]
    Refused(String),
    #[error("Tabelle {table}: {source}")]
    Database { table: String, source: sqlx::Error },
}

fn at(table: &str) -> impl FnOnce(sqlx::Error) -> CopyError + '_ {
    move |source| CopyError::Database { table: table.to_owned(), source }
}

pub(super) async fn run(config: Config, DbCommand::Copy { to }: DbCommand) -> ExitCode {
    if db::Backend::of_url(&to).is_none() {
        return fail(REFUSED, format!("--to: »{}« ist keine sqlite:- oder postgres:-Adresse", redact_url(&to)));
    }
    if *to == *config.database_url {
        return fail(REFUSED, "--to: das ist die Datenbank, aus der kopiert wird");
    }
    with_state(config, Store::Unused, async |state| copy(state, &to).await).await
}

async fn copy(state: &AppState, to: &str) -> ExitCode {
    let target = match db::connect_and_migrate(&to, PoolSettings::default()).await {
        Ok(pool) => pool,
        Err(error) => {
            tracing::error!(error = ?error, "copy target cannot be opened");
            return fail(FAILED, format!("--to: die Datenbank {} kann nicht geöffnet werden", redact_url(&to)));
        }
    };
    let result = copy_database(&state.pool, &target).await;
    target.close().await;
    match result {
        Ok(copied) => {
            for (table, rows) in &copied {
                println!("{table}: {rows} Zeilen");
            }
            let total: i64 = copied.iter().map(|(_, rows)| rows).sum();
            println!("{} Tabellen, {total} Zeilen nach {} kopiert; die Zeilenzahlen stimmen überein.", copied.len(), redact_url(&to));
            ExitCode::SUCCESS
        }
        Err(CopyError::Refused(message)) => fail(REFUSED, message),
        Err(error @ CopyError::Database { .. }) => {
            tracing::error!(error = ?error, "database copy failed");
            fail(FAILED, format!("{error}; die Tabellen davor sind kopiert, die Zieldatenbank muss vor einem neuen Versuch geleert werden"))
        }
    }
}

async fn count(pool: &Pool, table: &str) -> Result<i64, CopyError> {
    db::query_scalar(&format!("SELECT COUNT(*) FROM \"{table}\"")).fetch_one(pool).await.map_err(at(table))
}

/// Copies every table of `source` into the empty `target`; returns the rows per table.
async fn copy_database(source: &Pool, target: &Pool) -> Result<Vec<(String, i64)>, CopyError> {
    // A table this list does not know would be left behind: refuse instead.
    for pool in [source, target] {
        let unknown: Vec<String> = pool
            .table_names()
            .await
            .map_err(at("*"))?
            .into_iter()
            .filter(|table| !db::TABLES.contains(&table.as_str()))
            .collect();
        if !unknown.is_empty() {
            return Err(CopyError::Refused(format!("unbekannte Tabellen: {}", unknown.join(", "))));
        }
    }
    for table in db::TABLES.iter().filter(|table| !SEEDED_TABLES.contains(table)) {
        let rows = count(target, table).await?;
        if rows > 0 {
            return Err(CopyError::Refused(format!("--to: die Zieldatenbank ist nicht leer (Tabelle {table}: {rows} Zeilen)")));
        }
    }

    let mut copied = Vec::new();
    let mut progress = Progress::new("Tabellen", Some(db::TABLES.len() as u64));
    for table in db::TABLES {
        let rows = copy_table(source, target, table).await?;
        progress.step(Some(table));
        let (in_source, in_target) = (count(source, table).await?, count(target, table).await?);
        if rows != in_source || in_source != in_target {
            return Err(CopyError::Refused(format!(
                "Tabelle {table}: {in_source} Zeilen in der Quelle, {in_target} im Ziel – lief das Portal während der Kopie?"
            )));
        }
        copied.push((table.to_string(), rows));
    }
    progress.finish();
    Ok(copied)
}

/// One table in one transaction of the target.
async fn copy_table(source: &Pool, target: &Pool, table: &str) -> Result<i64, CopyError> {
    let source_columns = source.columns(table).await.map_err(at(table))?;
    let target_columns = target.columns(table).await.map_err(at(table))?;
    // By name, so a column order that differs between the two schemas does
    // not matter; a flag is a BOOLEAN on one side and 0/1 on the other.
    let mut columns = Vec::new();
    for (name, target_kind) in &target_columns {
        let Some((_, source_kind)) = source_columns.iter().find(|(source_name, _)| source_name == name) else {
            return Err(CopyError::Refused(format!("Tabelle {table}: Spalte {name} fehlt in der Quelle")));
        };
        let kind = if [*source_kind, *target_kind].contains(&ColumnKind::Bool) { ColumnKind::Bool } else { *target_kind };
        columns.push((name.as_str(), kind));
    }
    let names = columns.iter().map(|(name, _)| format!("\"{name}\"")).collect::<Vec<_>>().join(", ");
    let kinds: Vec<ColumnKind> = columns.iter().map(|(_, kind)| *kind).collect();
    let select = format!("SELECT {names} FROM \"{table}\" ORDER BY 1");

    let mut tx = db::begin(target).await.map_err(at(table))?;
    if SEEDED_TABLES.contains(&table) {
        db::query(&format!("DELETE FROM \"{table}\"")).execute(&mut tx).await.map_err(at(table))?;
    }
    let mut rows = source.rows(&select, &kinds);
    let mut batch: Vec<Vec<Value<'static>>> = Vec::with_capacity(ROWS_PER_INSERT);
    let mut copied = 0;
    loop {
        let next = rows.next().await.transpose().map_err(at(table))?;
        let done = next.is_none();
        batch.extend(next);
        if batch.len() == ROWS_PER_INSERT || (done && !batch.is_empty()) {
            copied += batch.len() as i64;
            insert_rows(&mut tx, table, &names, std::mem::take(&mut batch)).await.map_err(at(table))?;
        }
        if done {
            break;
        }
    }
    if columns.iter().any(|(name, _)| *name == "id") {
        let high_water = source.id_high_water(table).await.map_err(at(table))?;
        db::continue_ids_after(&mut tx, table, high_water).await.map_err(at(table))?;
    }
    tx.commit().await.map_err(at(table))?;
    Ok(copied)
}

async fn insert_rows(tx: &mut db::Transaction<'_>, table: &str, names: &str, rows: Vec<Vec<Value<'static>>>) -> Result<(), sqlx::Error> {
    let mut sql = db::QueryBuilder::new(format!("INSERT INTO \"{table}\" ({names}) VALUES "));
    for (index, row) in rows.into_iter().enumerate() {
        sql.push(if index == 0 { "(" } else { ", (" });
        for (column, value) in row.into_iter().enumerate() {
            if column > 0 {
                sql.push(", ");
            }
            sql.push_bind(value);
        }
        sql.push(")");
    }
    sql.build().execute(tx).await?;
    Ok(())
}
