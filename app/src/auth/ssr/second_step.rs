//! The sign-in's second step (issue 23). After a right password a user with
//! the second factor on is not signed in: this browser gets a cookie for a
//! five-minute challenge instead of a session, and only a right code (or an
//! unused recovery code) turns it into one. Nothing behind the login opens
//! before: the challenge is no session, and no guard finds it.
//!
//! - Bound to the browser: only the cookie's holder can answer it; only its
//!   hash is stored.
//! - Wrong codes count on the counter the password try used (the name's,
//!   or this trusted browser's), which the right password did not clear.
//! - A new security stamp (password reset, deactivation, "überall
//!   abmelden") ends a challenge too: the stamp it was issued under is gone.

use super::credentials::audit_alone;
use super::session::{open_session, NewSignIn};
use super::second_factor::CODE_FIELD;
use super::{lockout, second_factor, AuthError};
use crate::domain::{InputError, Refusal, UnixTime};
use crate::server::audit::{self, Actor, AuditDetail, AuditEntry};
use crate::server::crypto;
use crate::server::db::{self, Pool};
use crate::server::state::AppState;
use cookie::{Cookie, SameSite};

/// How long the second step waits for its code.
pub const CHALLENGE_SECONDS: i64 = 5 * 60;

pub fn cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies() {
        "__Host-kp_second_step"
    } else {
        "kp_second_step"
    }
}

/// Sets (or with `value` `None` removes) this browser's challenge cookie.
pub fn set_cookie(state: &AppState, value: Option<&str>) {
    let mut cookie = Cookie::build((cookie_name(state), value.unwrap_or_default().to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies())
        .max_age(cookie::time::Duration::seconds(CHALLENGE_SECONDS))
        .build();
    if value.is_none() {
        cookie.make_removal();
    }
    super::http::append_cookie(&cookie);
}

fn cookie_of_this_request(state: &AppState) -> Option<String> {
    let parts = crate::server::serve::request_parts()?;
    super::http::cookie_value(&parts, cookie_name(state)).filter(|value| !value.is_empty())
}

/// Starts the second step for a user whose password was right; returns the
/// cookie value. An earlier challenge of this user in this browser is
/// replaced when the cookie is; others time out.
pub async fn start(pool: &Pool, verified: &super::credentials::Verified, now: UnixTime) -> Result<String, sqlx::Error> {
    let token = crypto::new_token();
    db::query("DELETE FROM sign_in_challenges WHERE user_id = $1 AND created_at + $2 < $3")
        .bind(verified.user_id)
        .bind(CHALLENGE_SECONDS)
        .bind(now)
        .execute(pool)
        .await?;
    db::query("INSERT INTO sign_in_challenges (id_hash, user_id, security_stamp, lockout_key, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(crypto::token_hash(&token))
        .bind(verified.user_id)
        .bind(&verified.security_stamp)
        .bind(&verified.lockout_key)
        .bind(now)
        .execute(pool)
        .await?;
    Ok(token)
}

/// A challenge still open: not timed out, its user active and under the
/// stamp it was issued with.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Challenge {
    pub user_id: i64,
    pub customer_id: i64,
    pub security_stamp: String,
    pub lockout_key: String,
}

const OPEN: &str = "SELECT c.user_id, u.customer_id, c.security_stamp, c.lockout_key \
     FROM sign_in_challenges c JOIN users u ON u.id = c.user_id \
     WHERE c.id_hash = $1 AND c.created_at + $2 >= $3 AND u.active = TRUE AND u.security_stamp = c.security_stamp \
       AND u.totp_enabled_at IS NOT NULL";

pub async fn open_challenge(pool: &Pool, token: &str, now: UnixTime) -> Result<Option<Challenge>, sqlx::Error> {
    db::query_as(OPEN).bind(crypto::token_hash(token)).bind(CHALLENGE_SECONDS).bind(now).fetch_optional(pool).await
}

/// Whether this browser has a second step waiting (the page shows the form,
/// or says the sign-in ran out).
pub async fn waiting_here(state: &AppState) -> Result<bool, sqlx::Error> {
    let Some(token) = cookie_of_this_request(state) else { return Ok(false) };
    Ok(open_challenge(&state.pool, &token, state.clock.now()).await?.is_some())
}

/// Answers this browser's challenge with `code`.
pub async fn answer(state: &AppState, code: &str, ip: Option<String>) -> Result<NewSignIn, AuthError> {
    let now = state.clock.now();
    let expired = || AuthError::Input(InputError::new(Refusal::SignInExpired));
    let token = cookie_of_this_request(state).ok_or_else(expired)?;
    let challenge = open_challenge(&state.pool, &token, now).await?.ok_or_else(expired)?;
    second_factor::require_code(code)?;
    let (user, customer) = (Some(challenge.user_id), Some(challenge.customer_id));
    // The password's try, claimed and counted in advance, covers the first
    // code: one try is a password and its code. Every further code is a try
    // of its own, refused while the counter makes the name wait.
    let tries: i64 = db::query_scalar("UPDATE sign_in_challenges SET code_tries = code_tries + 1 WHERE id_hash = $1 RETURNING code_tries")
        .bind(crypto::token_hash(&token))
        .fetch_optional(&state.pool)
        .await?
        .ok_or_else(expired)?;
    let attempt = if tries == 1 {
        None
    } else {
        let Some(attempt) = lockout::claim_attempt(&state.pool, &challenge.lockout_key, now).await? else {
            tracing::info!("second step refused: the name must wait");
            state.metrics.refused_sign_in("must_wait");
            audit_alone(state, user, customer, "second_factor_refused_locked", ip, now).await?;
            return Err(InputError::new(Refusal::TooManyWrong).at(CODE_FIELD).into());
        };
        Some(attempt)
    };
    // The challenge is claimed first, and the code checked in the same
    // transaction: of two requests with one cookie, the second finds no
    // challenge and uses up no code. A wrong code rolls the claim back.
    let mut tx = db::begin(&state.pool).await?;
    let taken = db::query("DELETE FROM sign_in_challenges WHERE id_hash = $1 AND created_at + $2 >= $3")
        .bind(crypto::token_hash(&token))
        .bind(CHALLENGE_SECONDS)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    if taken.rows_affected() == 0 {
        return Err(expired());
    }
    let verified = second_factor::verify_in(&mut tx, challenge.user_id, code, now).await?;
    if verified == second_factor::Verified::Refused {
        tx.rollback().await?;
        tracing::info!("second step refused: wrong code");
        state.metrics.refused_sign_in("second_factor");
        audit_alone(state, user, customer, "second_factor_failed", ip.clone(), now).await?;
        if let Some(wait) = attempt.and_then(lockout::wait_after) {
            tracing::warn!(wait_seconds = wait, "sign-in name must wait");
            audit_alone(state, user, customer, "login_locked", ip, now).await?;
        }
        return Err(InputError::new(Refusal::CodeWrong).at(CODE_FIELD).into());
    }
    lockout::clear(&mut *tx, &challenge.lockout_key).await?;
    let signed_in = open_session(&mut tx, state, challenge.user_id, &challenge.security_stamp, now).await?;
    let action = match verified {
        second_factor::Verified::RecoveryCode { left } => {
            super::second_factor_mail::queue_mail(state, &mut tx, challenge.user_id, super::second_factor_mail::Notice::RecoveryCodeUsed { left }, now)
                .await?;
            "login_with_recovery_code"
        }
        _ => "login",
    };
    let entry = AuditEntry { actor: Actor::User(challenge.user_id), customer_id: Some(challenge.customer_id), action, detail: AuditDetail::None, ip };
    audit::record(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(signed_in)
}

/// Deletes challenges that ran out (the hourly cleanup).
pub async fn forget_expired(pool: &Pool, now: UnixTime) -> Result<u64, sqlx::Error> {
    Ok(db::query("DELETE FROM sign_in_challenges WHERE created_at + $1 < $2")
        .bind(CHALLENGE_SECONDS)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected())
}
