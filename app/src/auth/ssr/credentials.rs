//! The password check at sign-in: Argon2id against the stored hash (or a
//! dummy one, so unknown names cost the same), with the lockout counter and
//! an audit entry for every outcome.

use super::{hashing, lockout, AuthError};
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::crypto::{PasswordHashString, Verification};
use crate::server::state::AppState;

#[derive(sqlx::FromRow)]
struct CredentialRow {
    id: i64,
    customer_id: i64,
    password_hash: Option<String>,
    active: bool,
    security_stamp: String,
}

/// Checks username and password. Unknown, inactive, password-less and locked
/// accounts cost one Argon2 verify like everybody else and get the same
/// answer. Failures count per case-folded name, known or not.
pub async fn verify_credentials(
    state: &AppState,
    username: &str,
    password: &str,
    ip: Option<String>,
) -> Result<(i64, String), AuthError> {
    let now = state.clock.now();
    let key = lockout::identifier_key(username);
    // `None`: the name must wait; the password is then not checked at all.
    let attempt = match &key {
        Some(key) => lockout::claim_attempt(&state.pool, key, now).await?,
        None => Some(0),
    };
    let row: Option<CredentialRow> = match (&key, attempt) {
        (Some(key), Some(_)) => {
            sqlx::query_as(
                "SELECT id, customer_id, password_hash, active, security_stamp FROM users WHERE lower(username) = $1",
            )
            .bind(key)
            .fetch_optional(&state.pool)
            .await?
        }
        _ => None,
    };
    let stored = match &row {
        Some(CredentialRow { password_hash: Some(hash), active: true, .. }) => PasswordHashString::from_database(hash.clone()),
        _ => (*state.dummy_hash).clone(),
    };
    let verification = hashing::verify(state, password, stored).await?;
    let user = match (row, verification) {
        (Some(user @ CredentialRow { active: true, password_hash: Some(_), .. }), Verification::Valid { needs_rehash }) => {
            if needs_rehash {
                // Best effort: a busy server must not refuse the right password.
                if let Err(error) = rehash(state, user.id, password).await {
                    tracing::warn!(?error, "password hash not upgraded this time");
                }
            }
            user
        }
        (user, _) => {
            let Some(attempt) = attempt else {
                tracing::info!("sign-in refused: the name must wait");
                audit_alone(state, None, None, "login_refused_locked", ip, now).await?;
                return Err(AuthError::InvalidCredentials);
            };
            let (actor, customer) = (user.as_ref().map(|u| u.id), user.as_ref().map(|u| u.customer_id));
            audit_alone(state, actor, customer, "login_failed", ip.clone(), now).await?;
            if let Some(wait) = lockout::wait_after(attempt).filter(|_| key.is_some()) {
                tracing::warn!(known_user = user.is_some(), wait_seconds = wait, "sign-in name must wait");
                audit_alone(state, actor, customer, "login_locked", ip, now).await?;
            }
            tracing::info!(known_user = user.is_some(), "sign-in refused");
            return Err(AuthError::InvalidCredentials);
        }
    };
    if let Some(key) = &key {
        lockout::clear(&state.pool, key).await?;
    }
    audit_alone(state, Some(user.id), Some(user.customer_id), "login", ip, now).await?;
    Ok((user.id, user.security_stamp))
}

async fn rehash(state: &AppState, user_id: i64, password: &str) -> Result<(), AuthError> {
    let hash = hashing::hash(state, password).await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash.as_database_value())
        .bind(user_id)
        .execute(&state.pool)
        .await?;
    Ok(())
}

pub async fn audit_alone(
    state: &AppState,
    user_id: Option<i64>,
    customer_id: Option<i64>,
    action: &str,
    ip: Option<String>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let actor = user_id.map_or(Actor::System, Actor::User);
    audit::record_alone(&state.pool, AuditEntry { actor, customer_id, action, detail: String::new(), ip }, now).await
}
