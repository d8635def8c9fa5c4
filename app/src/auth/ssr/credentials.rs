//! The password check at sign-in: Argon2id against the stored hash (or a
//! dummy one, so unknown names cost the same), with the lockout counter and
//! an audit entry for every outcome.

use crate::server::db;
use super::{devices, hashing, lockout, AuthError};
use crate::domain::Username;
use crate::server::audit::{self, Actor, AuditDetail, AuditEntry};
use crate::server::crypto::{self, PasswordHashString, Verification};
use crate::server::state::AppState;
use crate::domain::UnixTime;

#[derive(sqlx::FromRow)]
struct CredentialRow {
    id: i64,
    customer_id: i64,
    password_hash: Option<String>,
    password_normalized: bool,
    active: bool,
    security_stamp: String,
    second_factor: bool,
}

/// A successful check.
pub struct Verified {
    pub user_id: i64,
    pub customer_id: i64,
    pub security_stamp: String,
    /// The counter this try was claimed on. With a second factor it is not
    /// cleared yet: wrong codes go on counting on it, and only a right code
    /// clears it (a right password alone must not buy more code guesses).
    pub lockout_key: String,
    /// The user has the second factor on: the sign-in is not done yet.
    pub second_factor: bool,
}

/// Checks username and password. Unknown, inactive, password-less and locked
/// accounts cost one Argon2 verify like everybody else and get the same
/// answer. In this order, so that nothing counts that was not checked:
///
/// 1. a password longer than the policy allows cannot be right: refused
///    before any hashing;
/// 2. a place in the hashing queue, or 503 — a busy server is no failed try;
/// 3. one try claimed on the counter: the browser's own when it is a trusted
///    browser of this user ([`devices`]), else the name's;
/// 4. the password check.
pub async fn verify_credentials(
    state: &AppState,
    username: &str,
    password: &str,
    device_token: Option<&str>,
    ip: Option<String>,
) -> Result<Verified, AuthError> {
    let now = state.clock.now();
    // Counted in NFC: "ä" typed as "a" plus a combining mark is one character.
    if crypto::normalized_len(password) > state.config.password_policy.max_len {
        tracing::info!("sign-in refused: the password is longer than the policy allows");
        state.metrics.refused_sign_in("invalid_credentials");
        audit_alone(state, None, None, "login_failed", ip, now).await?;
        return Err(AuthError::InvalidCredentials);
    }
    let slot = hashing::reserve(state)?;

    // Only a valid username can name a user; anything else is counted apart.
    let row: Option<CredentialRow> = match Username::parse(username) {
        Ok(name) => {
            db::query_as(
                "SELECT id, customer_id, password_hash, password_normalized, active, security_stamp, \
                        totp_enabled_at IS NOT NULL AS second_factor \
                 FROM users WHERE lower(username) = $1",
            )
            .bind(name.key())
            .fetch_optional(&state.pool)
            .await?
        }
        Err(_) => None,
    };
    let trusted = match (&row, device_token) {
        (Some(user), Some(token)) => devices::trusted_key(&state.pool, token, user.id, now).await?,
        _ => None,
    };
    let mut attempt = None;
    let mut key = String::new();
    if let Some(device) = trusted {
        attempt = lockout::claim_attempt(&state.pool, &device, now).await?;
        key = device;
    }
    if attempt.is_none() {
        // No trusted browser, or one that must wait after failing itself.
        key = lockout::name_key(username);
        attempt = lockout::claim_attempt(&state.pool, &key, now).await?;
    }

    let stored = match (&row, attempt) {
        (Some(CredentialRow { password_hash: Some(hash), active: true, password_normalized, .. }), Some(_)) => {
            PasswordHashString::from_database(hash.clone(), *password_normalized)
        }
        _ => (*state.dummy_hash).clone(),
    };
    let verification = slot.verify(password, stored).await?;
    let user = match (row, attempt, verification) {
        (Some(user @ CredentialRow { active: true, password_hash: Some(_), .. }), Some(_), Verification::Valid { needs_rehash }) => {
            if needs_rehash {
                // Best effort: a busy server must not refuse the right password.
                let old = user.password_hash.clone().unwrap_or_default();
                if let Err(error) = rehash(state, user.id, password, &old).await {
                    tracing::warn!(?error, "password hash not upgraded this time");
                }
            }
            user
        }
        (user, attempt, _) => {
            let Some(attempt) = attempt else {
                tracing::info!("sign-in refused: the name must wait");
                state.metrics.refused_sign_in("must_wait");
                audit_alone(state, None, None, "login_refused_locked", ip, now).await?;
                return Err(AuthError::InvalidCredentials);
            };
            let (actor, customer) = (user.as_ref().map(|u| u.id), user.as_ref().map(|u| u.customer_id));
            audit_alone(state, actor, customer, "login_failed", ip.clone(), now).await?;
            if let Some(wait) = lockout::wait_after(attempt) {
                tracing::warn!(known_user = user.is_some(), wait_seconds = wait, "sign-in name must wait");
                audit_alone(state, actor, customer, "login_locked", ip, now).await?;
            }
            tracing::info!(known_user = user.is_some(), "sign-in refused");
            state.metrics.refused_sign_in("invalid_credentials");
            return Err(AuthError::InvalidCredentials);
        }
    };
    if user.second_factor {
        audit_alone(state, Some(user.id), Some(user.customer_id), "login_password_accepted", ip, now).await?;
    } else {
        lockout::clear(&state.pool, &key).await?;
        audit_alone(state, Some(user.id), Some(user.customer_id), "login", ip, now).await?;
    }
    Ok(Verified {
        user_id: user.id,
        customer_id: user.customer_id,
        security_stamp: user.security_stamp,
        lockout_key: key,
        second_factor: user.second_factor,
    })
}

/// Replaces the hash the password was just checked against — only if it is
/// still that one: a password changed meanwhile is not written back.
async fn rehash(state: &AppState, user_id: i64, password: &str, old_hash: &str) -> Result<(), AuthError> {
    let hash = hashing::hash(state, password).await?;
    db::query("UPDATE users SET password_hash = $1, password_normalized = TRUE WHERE id = $2 AND password_hash = $3")
        .bind(hash.as_database_value())
        .bind(user_id)
        .bind(old_hash)
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
    now: UnixTime,
) -> Result<(), sqlx::Error> {
    let actor = user_id.map_or(Actor::System, Actor::User);
    audit::record_alone(&state.pool, AuditEntry { actor, customer_id, action, detail: AuditDetail::None, ip }, now).await
}
