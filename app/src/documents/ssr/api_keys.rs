//! Keys of the operator's systems for the ingest API. A key is shown once
//! when it is made; only its BLAKE2b hash is stored. A missing, wrong and
//! revoked key get the same answer.

use crate::server::audit::{self, Actor, AuditDetail, AuditEntry};
use crate::server::crypto;
use crate::server::db::{self, is_unique_violation, Pool};
use http::header::AUTHORIZATION;
use http::HeaderMap;
use crate::domain::UnixTime;

/// A key that was checked against the database just now. Only
/// [`authenticate`] makes one.
#[derive(Debug, Clone)]
pub struct ApiKey {
    name: String,
}

impl ApiKey {
    pub fn name(&self) -> &str {
        &self.name
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiKeyError {
    #[error("Der Name muss 1 bis 64 Zeichen aus Buchstaben, Ziffern, - und _ sein.")]
    BadName,
    #[error("Einen API-Schlüssel »{0}« gibt es schon.")]
    Duplicate(String),
    #[error("Einen gültigen API-Schlüssel »{0}« gibt es nicht.")]
    Unknown(String),
    #[error("Datenbankfehler")]
    Database(#[from] sqlx::Error),
}

/// A key's name: 1 to 64 letters, digits, `-` and `_`.
pub fn check_name(name: &str) -> Result<&str, ApiKeyError> {
    let valid = (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    valid.then_some(name).ok_or(ApiKeyError::BadName)
}

/// Makes a key and returns it; it cannot be shown again.
pub async fn create(pool: &Pool, name: &str, now: UnixTime) -> Result<String, ApiKeyError> {
    let name = check_name(name)?;
    let key = format!("kp_{}", crypto::new_token());
    let mut tx = db::begin(pool).await?;
    let inserted = db::query("INSERT INTO api_keys (name, key_hash, created_at) VALUES ($1, $2, $3)")
        .bind(name)
        .bind(crypto::token_hash(&key))
        .bind(now)
        .execute(&mut *tx)
        .await;
    match inserted {
        Ok(_) => {}
        Err(error) if is_unique_violation(&error) => return Err(ApiKeyError::Duplicate(name.to_owned())),
        Err(error) => return Err(error.into()),
    }
    audit::record(&mut tx, AuditEntry { actor: Actor::Operator, customer_id: None, action: "api_key_created", detail: AuditDetail::Plain(name.to_owned()), ip: None }, now)
        .await?;
    tx.commit().await?;
    Ok(key)
}

#[derive(Debug, sqlx::FromRow)]
pub struct ApiKeyInfo {
    pub name: String,
    pub created_at: UnixTime,
    pub last_used_at: Option<UnixTime>,
    pub revoked_at: Option<UnixTime>,
}

pub async fn list(pool: &Pool) -> Result<Vec<ApiKeyInfo>, sqlx::Error> {
    db::query_as("SELECT name, created_at, last_used_at, revoked_at FROM api_keys ORDER BY name").fetch_all(pool).await
}

pub async fn revoke(pool: &Pool, name: &str, now: UnixTime) -> Result<(), ApiKeyError> {
    let mut tx = db::begin(pool).await?;
    let revoked = db::query("UPDATE api_keys SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL")
        .bind(now)
        .bind(name)
        .execute(&mut *tx)
        .await?;
    if revoked.rows_affected() == 0 {
        return Err(ApiKeyError::Unknown(name.to_owned()));
    }
    audit::record(&mut tx, AuditEntry { actor: Actor::Operator, customer_id: None, action: "api_key_revoked", detail: AuditDetail::Plain(name.to_owned()), ip: None }, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The key in `Authorization: Bearer …`, if it is one that works.
pub async fn authenticate(pool: &Pool, headers: &HeaderMap, now: UnixTime) -> Result<Option<ApiKey>, sqlx::Error> {
    let Some(presented) = bearer(headers) else { return Ok(None) };
    let key: Option<(i64, String, Option<UnixTime>)> =
        db::query_as("SELECT id, name, last_used_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
            .bind(crypto::token_hash(presented))
            .fetch_optional(pool)
            .await?;
    let Some((id, name, last_used_at)) = key else { return Ok(None) };
    // To the minute is enough for `apikey list`; a write per upload would
    // make every upload of a busy billing run wait for the write lock.
    if last_used_at.is_none_or(|at| at <= now - 60) {
        db::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2").bind(now).bind(id).execute(pool).await?;
    }
    Ok(Some(ApiKey { name }))
}

/// The token of an `Authorization: Bearer` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() && token.len() <= 128).then(|| token.trim())
}
