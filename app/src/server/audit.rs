//! The audit log: who changed what, when. Written in the same transaction as
//! the change. Never holds a password, token or hash.

use crate::server::db;
use super::db::Transaction;
use crate::domain::UnixTime;

#[derive(Debug, Clone, Copy)]
pub enum Actor {
    Operator,
    System,
    User(i64),
}

pub struct AuditEntry<'a> {
    pub actor: Actor,
    pub customer_id: Option<i64>,
    pub action: &'a str,
    pub detail: String,
    pub ip: Option<String>,
}

pub async fn record(tx: &mut Transaction<'_>, entry: AuditEntry<'_>, now: UnixTime) -> Result<(), sqlx::Error> {
    let (kind, user_id) = match entry.actor {
        Actor::Operator => ("operator", None),
        Actor::System => ("system", None),
        Actor::User(id) => ("user", Some(id)),
    };
    db::query(
        "INSERT INTO audit_log (at, actor_kind, actor_user_id, customer_id, action, detail, ip) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now)
    .bind(kind)
    .bind(user_id)
    .bind(entry.customer_id)
    .bind(entry.action)
    .bind(entry.detail)
    .bind(entry.ip)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Audit entries outside a larger change (e.g. a failed sign-in).
pub async fn record_alone(pool: &super::db::Pool, entry: AuditEntry<'_>, now: UnixTime) -> Result<(), sqlx::Error> {
    let mut tx = super::db::begin(pool).await?;
    record(&mut tx, entry, now).await?;
    tx.commit().await
}
