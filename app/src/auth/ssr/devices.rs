//! Device cookies (OWASP's scheme against lockout abuse): a browser that
//! signed in successfully gets a random token in a long-lived cookie. When it
//! comes back with the same user's name, its tries are counted on a counter
//! of its own instead of the name's, so someone who keeps the name locked
//! from elsewhere does not lock this browser out. A browser with no or a
//! foreign token stays under the name's lockout; a trusted browser that fails
//! five times itself loses the privilege until its own wait is over.
//! Only a hash of the token is stored; a new one replaces it at every sign-in.

use crate::server::db;
use super::lockout;
use crate::server::crypto;
use crate::server::db::{Pool, Transaction};
use crate::server::state::AppState;
use cookie::{Cookie, SameSite};
use crate::domain::UnixTime;

/// How long a browser stays trusted after its last successful sign-in.
pub const TRUST_DAYS: i64 = 180;
/// Trusted browsers kept per user; the oldest go first.
const KEPT_PER_USER: i64 = 20;

/// The device cookie of the current server-function request.
pub fn cookie_value(state: &AppState) -> Option<String> {
    super::http::cookie_value(&crate::server::serve::request_parts()?, cookie_name(state))
}

pub fn cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies() {
        "__Host-kp_device"
    } else {
        "kp_device"
    }
}

/// The lockout key of the browser behind `token`, when it is a trusted
/// browser of `user_id` (not another user's, not expired).
pub async fn trusted_key(pool: &Pool, token: &str, user_id: i64, now: UnixTime) -> Result<Option<String>, sqlx::Error> {
    let hash = crypto::token_hash(token);
    let trusted: Option<i64> =
        db::query_scalar("SELECT user_id FROM trusted_devices WHERE token_hash = $1 AND user_id = $2 AND expires_at > $3")
            .bind(&hash)
            .bind(user_id)
            .bind(now)
            .fetch_optional(pool)
            .await?;
    Ok(trusted.map(|_| lockout::device_key(&hash)))
}

/// After a successful sign-in: the browser's old token (if it was this
/// user's) is replaced by a new one, returned for the cookie.
pub async fn renew(tx: &mut Transaction<'_>, old_token: Option<&str>, user_id: i64, now: UnixTime) -> Result<String, sqlx::Error> {
    if let Some(old) = old_token {
        let old_hash = crypto::token_hash(old);
        let deleted = db::query("DELETE FROM trusted_devices WHERE token_hash = $1 AND user_id = $2")
            .bind(&old_hash)
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
        if deleted.rows_affected() > 0 {
            lockout::clear(&mut **tx, &lockout::device_key(&old_hash)).await?;
        }
    }
    let token = crypto::new_token();
    db::query("INSERT INTO trusted_devices (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(crypto::token_hash(&token))
        .bind(user_id)
        .bind(now)
        .bind(now + TRUST_DAYS * 24 * 3600)
        .execute(&mut **tx)
        .await?;
    db::query(
        "DELETE FROM trusted_devices WHERE user_id = $1 AND token_hash NOT IN \
         (SELECT token_hash FROM trusted_devices WHERE user_id = $1 ORDER BY created_at DESC, token_hash LIMIT $2)",
    )
    .bind(user_id)
    .bind(KEPT_PER_USER)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// Sets the device cookie on the current server-function response.
pub fn set_cookie(state: &AppState, token: &str) {
    let cookie = Cookie::build((cookie_name(state), token.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.secure_cookies())
        .max_age(time::Duration::days(TRUST_DAYS))
        .build();
    super::http::append_cookie(&cookie);
}
