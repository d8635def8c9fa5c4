//! Server side of signing in: credentials, sessions in the database, and the
//! access guard.

use super::UserView;
use crate::domain::Username;
use crate::error::{reject, AppError};
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::crypto::{self, PasswordHashString, Verification};
use crate::server::db::Pool;
use crate::server::state::AppState;
use cookie::{Cookie, SameSite};
use http::header::{ACCEPT, COOKIE, SET_COOKIE};
use http::HeaderValue;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use std::time::Duration;

/// A session ends after 30 minutes without a request…
pub const IDLE_TIMEOUT_SECONDS: i64 = 30 * 60;
/// …and 12 hours after sign-in at the latest.
pub const ABSOLUTE_TIMEOUT_SECONDS: i64 = 12 * 60 * 60;
/// `last_seen_at` is written at most this often, not on every request.
const TOUCH_INTERVAL_SECONDS: i64 = 60;
/// How long a sign-in waits for a free hashing slot before answering 503.
const HASHING_WAIT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("all password hashing slots are busy")]
    Busy,
    #[error("database error during sign-in")]
    Database(#[from] sqlx::Error),
    #[error("password hashing task failed")]
    Hashing(#[from] tokio::task::JoinError),
}

impl From<AuthError> for AppError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::InvalidCredentials => reject(AppError::InvalidCredentials),
            AuthError::Busy => reject(AppError::Busy),
            other => AppError::internal(&other),
        }
    }
}

/// The user behind a valid session.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub session_hash: String,
    pub user_id: i64,
    pub customer_id: i64,
    pub username: String,
    pub email: String,
    pub full_name: String,
    pub is_main_user: bool,
    pub can_manage_users: bool,
    pub can_manage_forwardings: bool,
    pub must_change_password: bool,
    pub authenticated_at: i64,
}

impl SessionUser {
    pub fn view(&self) -> UserView {
        UserView {
            username: self.username.clone(),
            full_name: self.full_name.clone(),
            is_main_user: self.is_main_user,
            can_manage_users: self.can_manage_users,
            can_manage_forwardings: self.can_manage_forwardings,
        }
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: i64,
    session_stamp: String,
    created_at: i64,
    last_seen_at: i64,
    authenticated_at: i64,
    customer_id: i64,
    username: String,
    email: String,
    salutation: String,
    first_name: String,
    last_name: String,
    role: String,
    can_manage_users: bool,
    can_manage_forwardings: bool,
    active: bool,
    user_stamp: String,
    must_change_password: bool,
}

pub fn cookie_name(state: &AppState) -> &'static str {
    // `__Host-` binds the cookie to this exact origin, but browsers accept it
    // only with `Secure`, so plain-http development uses a plain name.
    if state.config.secure_cookies() {
        "__Host-kp_session"
    } else {
        "kp_session"
    }
}

/// "Frau Erika Muster", or the username when no name is set.
pub fn full_name(salutation: &str, first: &str, last: &str, username: &str) -> String {
    let title = match salutation {
        "herr" => "Herr ",
        "frau" => "Frau ",
        _ => "",
    };
    let name = format!("{first} {last}").trim().to_owned();
    if name.is_empty() {
        username.to_owned()
    } else {
        format!("{title}{name}")
    }
}

/// Creates a session for `user_id` and returns the cookie value. Only its
/// hash is stored.
pub async fn create_session(pool: &Pool, user_id: i64, security_stamp: &str, now: i64) -> Result<String, sqlx::Error> {
    let token = crypto::new_token();
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, security_stamp, created_at, last_seen_at, authenticated_at) \
         VALUES ($1, $2, $3, $4, $4, $4)",
    )
    .bind(crypto::token_hash(&token))
    .bind(user_id)
    .bind(security_stamp)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(token)
}

/// The user of the session `token`, if it is still valid. A session that
/// timed out, whose user was deactivated or whose security stamp is old is
/// deleted on the way.
pub async fn load_session(pool: &Pool, token: &str, now: i64) -> Result<Option<SessionUser>, sqlx::Error> {
    let id_hash = crypto::token_hash(token);
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT s.user_id, s.security_stamp AS session_stamp, s.created_at, s.last_seen_at, s.authenticated_at, \
                u.customer_id, u.username, u.email, u.salutation, u.first_name, u.last_name, u.role, \
                u.can_manage_users, u.can_manage_forwardings, u.active, u.security_stamp AS user_stamp, \
                u.must_change_password \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1",
    )
    .bind(&id_hash)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let valid = row.active
        && row.session_stamp == row.user_stamp
        && now - row.last_seen_at <= IDLE_TIMEOUT_SECONDS
        && now - row.created_at <= ABSOLUTE_TIMEOUT_SECONDS;
    if !valid {
        delete_session_by_hash(pool, &id_hash).await?;
        return Ok(None);
    }
    if now - row.last_seen_at >= TOUCH_INTERVAL_SECONDS {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
            .bind(now)
            .bind(&id_hash)
            .execute(pool)
            .await?;
    }
    let is_main_user = row.role == "main";
    Ok(Some(SessionUser {
        session_hash: id_hash,
        user_id: row.user_id,
        customer_id: row.customer_id,
        full_name: full_name(&row.salutation, &row.first_name, &row.last_name, &row.username),
        username: row.username,
        email: row.email,
        is_main_user,
        can_manage_users: is_main_user || row.can_manage_users,
        can_manage_forwardings: is_main_user || row.can_manage_forwardings,
        must_change_password: row.must_change_password,
        authenticated_at: row.authenticated_at,
    }))
}

async fn delete_session_by_hash(pool: &Pool, id_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(pool).await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct CredentialRow {
    id: i64,
    customer_id: i64,
    password_hash: Option<String>,
    active: bool,
    security_stamp: String,
}

/// Checks username and password. Unknown, inactive and password-less users
/// cost one Argon2 verify like everybody else and get the same answer.
pub async fn verify_credentials(
    state: &AppState,
    username: &str,
    password: &str,
    ip: Option<String>,
) -> Result<(i64, String), AuthError> {
    let now = state.clock.now();
    let key = Username::parse(username).map(|u| u.key()).unwrap_or_default();
    let row: Option<CredentialRow> = if key.is_empty() {
        None
    } else {
        sqlx::query_as(
            "SELECT id, customer_id, password_hash, active, security_stamp FROM users WHERE lower(username) = $1",
        )
        .bind(&key)
        .fetch_optional(&state.pool)
        .await?
    };
    let stored = match &row {
        Some(CredentialRow { password_hash: Some(hash), active: true, .. }) => PasswordHashString::from_database(hash.clone()),
        _ => (*state.dummy_hash).clone(),
    };
    let verification = {
        let permit = tokio::time::timeout(HASHING_WAIT, state.hashing.clone().acquire_owned())
            .await
            .map_err(|_| AuthError::Busy)?
            .map_err(|_| AuthError::Busy)?;
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            crypto::verify_password(&password, &stored)
        })
        .await?
    };
    let user = match (row, verification) {
        (Some(user @ CredentialRow { active: true, password_hash: Some(_), .. }), Verification::Valid { needs_rehash }) => {
            if needs_rehash {
                rehash(state, user.id, password).await?;
            }
            user
        }
        (user, _) => {
            audit::record_alone(
                &state.pool,
                AuditEntry {
                    actor: user.as_ref().map_or(Actor::System, |u| Actor::User(u.id)),
                    customer_id: user.as_ref().map(|u| u.customer_id),
                    action: "login_failed",
                    detail: String::new(),
                    ip,
                },
                now,
            )
            .await?;
            tracing::info!(known_user = user.is_some(), "sign-in refused");
            return Err(AuthError::InvalidCredentials);
        }
    };
    audit::record_alone(
        &state.pool,
        AuditEntry { actor: Actor::User(user.id), customer_id: Some(user.customer_id), action: "login", detail: String::new(), ip },
        now,
    )
    .await?;
    Ok((user.id, user.security_stamp))
}

async fn rehash(state: &AppState, user_id: i64, password: &str) -> Result<(), AuthError> {
    let password = password.to_owned();
    let permit = state.hashing.clone().acquire_owned().await.map_err(|_| AuthError::Busy)?;
    let hash = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        crypto::hash_password(&password)
    })
    .await?;
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash.as_database_value())
        .bind(user_id)
        .execute(&state.pool)
        .await?;
    Ok(())
}

// ---- request plumbing -------------------------------------------------------

fn request_parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

fn session_cookie_value(state: &AppState) -> Option<String> {
    let parts = request_parts()?;
    let name = cookie_name(state);
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}

/// The peer address of the request, for the audit log.
pub fn client_ip() -> Option<String> {
    request_parts()?
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip().to_string())
}

fn set_session_cookie(state: &AppState, value: &str, remove: bool) {
    let mut cookie = Cookie::build((cookie_name(state), value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies())
        .build();
    if remove {
        cookie.make_removal();
    }
    if let (Some(response), Ok(header)) =
        (use_context::<ResponseOptions>(), HeaderValue::from_str(&cookie.to_string()))
    {
        response.append_header(SET_COOKIE, header);
    }
}

fn is_plain_form_post() -> bool {
    request_parts()
        .and_then(|parts| parts.headers.get(ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html")))
        .unwrap_or(false)
}

/// The signed-in user, or `None`. For the one server function that may be
/// called without a session.
pub async fn optional_user() -> Result<Option<SessionUser>, AppError> {
    let state = expect_context::<AppState>();
    let Some(token) = session_cookie_value(&state) else { return Ok(None) };
    Ok(load_session(&state.pool, &token, state.clock.now()).await?)
}

/// The access guard: the signed-in user, or 401. Every server function that
/// touches data starts here (SSR calls their bodies directly, so route
/// middleware alone would not protect them).
pub async fn require_user() -> Result<SessionUser, AppError> {
    optional_user().await?.ok_or_else(|| reject(AppError::NotSignedIn))
}

pub async fn login(username: String, password: String) -> Result<(), AppError> {
    let state = expect_context::<AppState>();
    let result = verify_credentials(&state, &username, &password, client_ip()).await;
    let (user_id, stamp) = match result {
        Ok(found) => found,
        Err(error) => {
            let error = AppError::from(error);
            if is_plain_form_post() {
                // Without JavaScript the browser follows this (302, set last)
                // and the login page shows the message.
                leptos_axum::redirect("/login?fehler=anmeldung");
            }
            return Err(error);
        }
    };
    // A new id at every sign-in: a session id planted before cannot be taken over.
    if let Some(old) = session_cookie_value(&state) {
        delete_session_by_hash(&state.pool, &crypto::token_hash(&old)).await?;
    }
    let token = create_session(&state.pool, user_id, &stamp, state.clock.now()).await?;
    set_session_cookie(&state, &token, false);
    leptos_axum::redirect("/");
    Ok(())
}

pub async fn logout() -> Result<(), AppError> {
    let state = expect_context::<AppState>();
    if let Some(token) = session_cookie_value(&state) {
        if let Some(user) = load_session(&state.pool, &token, state.clock.now()).await? {
            delete_session_by_hash(&state.pool, &user.session_hash).await?;
            audit::record_alone(
                &state.pool,
                AuditEntry {
                    actor: Actor::User(user.user_id),
                    customer_id: Some(user.customer_id),
                    action: "logout",
                    detail: String::new(),
                    ip: client_ip(),
                },
                state.clock.now(),
            )
            .await?;
        } else {
            delete_session_by_hash(&state.pool, &crypto::token_hash(&token)).await?;
        }
    }
    set_session_cookie(&state, "", true);
    leptos_axum::redirect("/login");
    Ok(())
}
