//! Server side of signing in: credentials, lockout, sessions in the database,
//! and the access guards.

pub mod expiry;
pub mod hashing;
pub mod lockout;
pub mod passwords;

use super::{SetupStep, UserView};
use crate::domain::InputError;
use crate::error::{reject, AppError};
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::crypto::{self, PasswordHashString, Verification};
use crate::server::db::{Pool, Transaction};
use crate::server::limits::{client_address, LimitedAction};
use crate::server::mail::MailError;
use crate::server::state::AppState;
use cookie::{Cookie, SameSite};
use http::header::{ACCEPT, COOKIE, SET_COOKIE};
use http::HeaderValue;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

/// A session ends after 30 minutes without a request…
pub const IDLE_TIMEOUT_SECONDS: i64 = 30 * 60;
/// …and 12 hours after sign-in at the latest.
pub const ABSOLUTE_TIMEOUT_SECONDS: i64 = 12 * 60 * 60;
/// `last_seen_at` is written at most this often, not on every request.
const TOUCH_INTERVAL_SECONDS: i64 = 60;

/// What can go wrong in this layer; converted to [`AppError`] at the
/// server-function boundary.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("no valid session")]
    NotSignedIn,
    #[error("the session must finish the first sign-in")]
    SetupPending,
    #[error("not allowed for this session")]
    Forbidden,
    #[error("the link is unknown, used or expired")]
    LinkInvalid,
    #[error("input refused: {0}")]
    Input(#[from] InputError),
    #[error("all password hashing slots are busy")]
    Busy,
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("password hashing task failed")]
    Hashing(#[from] tokio::task::JoinError),
    #[error("mail could not be queued")]
    Mail(#[from] MailError),
}

impl From<AuthError> for AppError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::InvalidCredentials => reject(AppError::InvalidCredentials),
            AuthError::NotSignedIn => reject(AppError::NotSignedIn),
            AuthError::SetupPending => reject(AppError::SetupPending),
            AuthError::Forbidden => reject(AppError::Forbidden),
            AuthError::LinkInvalid => reject(AppError::LinkInvalid),
            AuthError::Input(input) => reject(AppError::Invalid(input.0)),
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
    pub customer_name: String,
    pub username: String,
    pub email: String,
    pub full_name: String,
    pub is_main_user: bool,
    pub can_manage_users: bool,
    pub can_manage_forwardings: bool,
    /// What the session must do before anything else is allowed.
    pub pending: Option<SetupStep>,
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
            pending: self.pending,
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
    customer_name: String,
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
    password_changed_at: i64,
    password_expires_at: Option<i64>,
    max_age_since: Option<i64>,
    current_privacy: Option<i64>,
    accepted_privacy: Option<i64>,
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

/// "Auf allen anderen Geräten abmelden": a new security stamp ends every
/// session of the user; this browser's session continues under a new id,
/// with its sign-in time and timeouts unchanged. Returns its cookie value and
/// how many live sessions elsewhere ended.
pub async fn end_other_sessions(
    state: &AppState,
    user: &SessionUser,
    ip: Option<String>,
) -> Result<(String, u64), AuthError> {
    let now = state.clock.now();
    let mut tx = state.pool.begin().await?;
    // Only a session that is still valid inside this transaction goes on: a
    // password change, reset or deactivation since the request began wins.
    let current: Option<(i64, i64)> = sqlx::query_as(
        "DELETE FROM sessions WHERE id_hash = $1 \
           AND security_stamp = (SELECT security_stamp FROM users WHERE id = $2 AND active = 1) \
         RETURNING created_at, authenticated_at",
    )
    .bind(&user.session_hash)
    .bind(user.user_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((created_at, authenticated_at)) = current else { return Err(AuthError::NotSignedIn) };
    let ended: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.user_id = $1 AND s.security_stamp = u.security_stamp AND s.last_seen_at >= $2 AND s.created_at >= $3",
    )
    .bind(user.user_id)
    .bind(now - IDLE_TIMEOUT_SECONDS)
    .bind(now - ABSOLUTE_TIMEOUT_SECONDS)
    .fetch_one(&mut *tx)
    .await?;
    let stamp = crypto::new_token();
    sqlx::query("UPDATE users SET security_stamp = $1 WHERE id = $2").bind(&stamp).bind(user.user_id).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.user_id).execute(&mut *tx).await?;
    let token = insert_session(&mut tx, user.user_id, &stamp, created_at, authenticated_at, now).await?;
    audit::record(
        &mut tx,
        AuditEntry {
            actor: Actor::User(user.user_id),
            customer_id: Some(user.customer_id),
            action: "signed_out_elsewhere",
            detail: format!("{ended} Sitzungen"),
            ip,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok((token, ended as u64))
}

/// Creates a session for `user_id` inside `tx` and returns the cookie value.
/// Only its hash is stored.
pub async fn create_session(
    tx: &mut Transaction<'_>,
    user_id: i64,
    security_stamp: &str,
    now: i64,
) -> Result<String, sqlx::Error> {
    insert_session(tx, user_id, security_stamp, now, now, now).await
}

/// A session row under a new id; `created_at` and `authenticated_at` may be
/// older than `now` when a session goes on under a new id.
async fn insert_session(
    tx: &mut Transaction<'_>,
    user_id: i64,
    security_stamp: &str,
    created_at: i64,
    authenticated_at: i64,
    now: i64,
) -> Result<String, sqlx::Error> {
    let token = crypto::new_token();
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, security_stamp, created_at, last_seen_at, authenticated_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(crypto::token_hash(&token))
    .bind(user_id)
    .bind(security_stamp)
    .bind(created_at)
    .bind(now)
    .bind(authenticated_at)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// The user of the session `token`, if it is still valid. A session that
/// timed out, whose user was deactivated or whose security stamp is old is
/// deleted on the way.
pub async fn load_session(state: &AppState, token: &str) -> Result<Option<SessionUser>, sqlx::Error> {
    let (pool, now) = (&state.pool, state.clock.now());
    let id_hash = crypto::token_hash(token);
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT s.user_id, s.security_stamp AS session_stamp, s.created_at, s.last_seen_at, s.authenticated_at, \
                u.customer_id, c.name AS customer_name, u.username, u.email, u.salutation, u.first_name, \
                u.last_name, u.role, u.can_manage_users, u.can_manage_forwardings, u.active, \
                u.security_stamp AS user_stamp, u.must_change_password, \
                COALESCE(u.password_changed_at, u.created_at) AS password_changed_at, u.password_expires_at, \
                (SELECT value FROM portal_settings WHERE key = $2) AS max_age_since, \
                (SELECT MAX(version) FROM privacy_notices) AS current_privacy, \
                (SELECT MAX(a.version) FROM privacy_acceptances a WHERE a.user_id = u.id) AS accepted_privacy \
         FROM sessions s JOIN users u ON u.id = s.user_id JOIN customers c ON c.id = u.customer_id \
         WHERE s.id_hash = $1",
    )
    .bind(&id_hash)
    .bind(expiry::MAX_AGE_SINCE)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let config = &state.config;
    let max_age =
        expiry::MaxAge::from_setting(config.password_max_age_days, row.max_age_since, config.password_expiry_warning_days);
    let expired_at = expiry::expires_at(row.password_changed_at, row.password_expires_at, max_age).filter(|&at| now >= at);
    let expired = expired_at.is_some();
    // A session signed in before the password expired ends with it: only a
    // sign-in with the expired password proves who replaces it.
    let signed_in_before_expiry = expired_at.is_some_and(|at| row.authenticated_at < at);
    let valid = row.active
        && row.session_stamp == row.user_stamp
        && now - row.last_seen_at <= IDLE_TIMEOUT_SECONDS
        && now - row.created_at <= ABSOLUTE_TIMEOUT_SECONDS
        && !signed_in_before_expiry;
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
    let pending = if row.must_change_password {
        Some(SetupStep::ChangePassword)
    } else if expired {
        Some(SetupStep::PasswordExpired)
    } else if row.current_privacy.is_some() && row.accepted_privacy < row.current_privacy {
        Some(SetupStep::AcceptPrivacy)
    } else {
        None
    };
    let is_main_user = row.role == "main";
    Ok(Some(SessionUser {
        session_hash: id_hash,
        user_id: row.user_id,
        customer_id: row.customer_id,
        customer_name: row.customer_name,
        full_name: full_name(&row.salutation, &row.first_name, &row.last_name, &row.username),
        username: row.username,
        email: row.email,
        is_main_user,
        can_manage_users: is_main_user || row.can_manage_users,
        can_manage_forwardings: is_main_user || row.can_manage_forwardings,
        pending,
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

async fn audit_alone(
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

/// The client's address (see [`client_address`]), for the audit log.
pub fn client_ip() -> Option<String> {
    let state = use_context::<AppState>()?;
    client_address(&request_parts()?, &state.config).map(|ip| ip.to_string())
}

/// Counts this request against the client's per-minute allowance for `action`.
pub fn limit(state: &AppState, action: LimitedAction) -> Result<(), AppError> {
    let client = request_parts()
        .and_then(|parts| client_address(&parts, &state.config))
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    state.rate_limits.check(action, client).map_err(|wait| {
        tracing::warn!(?action, %client, "per-address limit reached");
        reject(AppError::TooManyRequests { retry_after_seconds: wait.as_secs().max(1) })
    })
}

pub fn set_session_cookie(state: &AppState, value: &str, remove: bool) {
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

/// True for a form the browser posted itself (no WASM yet): it follows
/// redirects instead of reading a JSON answer.
pub fn is_plain_form_post() -> bool {
    request_parts()
        .and_then(|parts| parts.headers.get(ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html")))
        .unwrap_or(false)
}

/// The signed-in session, or `None`, whatever it still has to do. Only for
/// [`super::current_user`], which must answer signed-out visitors too.
pub async fn optional_session() -> Result<Option<SessionUser>, AppError> {
    let state = expect_context::<AppState>();
    let Some(token) = session_cookie_value(&state) else { return Ok(None) };
    Ok(load_session(&state, &token).await?)
}

/// Guard for the first-sign-in steps themselves: a valid session, or 401.
pub async fn require_session() -> Result<SessionUser, AppError> {
    optional_session().await?.ok_or_else(|| {
        tracing::info!("refused: no valid session");
        reject(AppError::NotSignedIn)
    })
}

/// The access guard every other server function starts with: a session that
/// has finished the first sign-in, or 401 / 403. SSR calls server-function
/// bodies directly, so route middleware alone would not protect them.
pub async fn require_user() -> Result<SessionUser, AppError> {
    let user = require_session().await?;
    if let Some(step) = user.pending {
        tracing::info!(user_id = user.user_id, ?step, "refused: the first sign-in is not finished");
        return Err(reject(AppError::SetupPending));
    }
    Ok(user)
}

/// Where a freshly signed-in session goes: its next setup step or the start page.
async fn landing_path(state: &AppState, session_token: &str) -> Result<&'static str, AppError> {
    let session = load_session(state, session_token).await?;
    Ok(session.and_then(|s| s.pending).map_or("/", SetupStep::path))
}

pub async fn redirect_after_setup(state: &AppState, session_token: &str) -> Result<(), AppError> {
    leptos_axum::redirect(landing_path(state, session_token).await?);
    Ok(())
}

/// A form the browser posted itself (no WASM yet) cannot read a JSON error:
/// it is sent back to `page` with the error's code (`fehler=…`), and the
/// page shows the message. `page` must be a path with a safe query.
pub fn send_back_on_error<T>(result: Result<T, AppError>, page: &str) -> Result<T, AppError> {
    if let Err(error) = &result {
        if is_plain_form_post() {
            let separator = if page.contains('?') { '&' } else { '?' };
            leptos_axum::redirect(&format!("{page}{separator}fehler={}", error.form_code()));
        }
    }
    result
}

/// A page address that carries a link's token. Only the characters a real
/// token has are kept, so the address is always a valid header value.
pub fn page_with_token(path: &str, token: &str) -> String {
    let safe: String = token.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).take(128).collect();
    format!("{path}?token={safe}")
}

pub async fn login(username: String, password: String) -> Result<(), AppError> {
    let (state, ip) = (expect_context::<AppState>(), client_ip());
    let result = match limit(&state, LimitedAction::Login) {
        Ok(()) => verify_credentials(&state, &username, &password, ip).await.map_err(AppError::from),
        Err(error) => Err(error),
    };
    let (user_id, stamp) = send_back_on_error(result, "/login")?;
    // A new id at every sign-in: a session id planted before cannot be taken over.
    if let Some(old) = session_cookie_value(&state) {
        delete_session_by_hash(&state.pool, &crypto::token_hash(&old)).await?;
    }
    let mut tx = state.pool.begin().await?;
    let token = create_session(&mut tx, user_id, &stamp, state.clock.now()).await?;
    tx.commit().await?;
    set_session_cookie(&state, &token, false);
    redirect_after_setup(&state, &token).await
}

pub async fn logout() -> Result<(), AppError> {
    let (state, ip) = (expect_context::<AppState>(), client_ip());
    if let Some(token) = session_cookie_value(&state) {
        if let Some(user) = load_session(&state, &token).await? {
            delete_session_by_hash(&state.pool, &user.session_hash).await?;
            audit_alone(&state, Some(user.user_id), Some(user.customer_id), "logout", ip, state.clock.now())
                .await?;
        } else {
            delete_session_by_hash(&state.pool, &crypto::token_hash(&token)).await?;
        }
    }
    set_session_cookie(&state, "", true);
    leptos_axum::redirect("/login");
    Ok(())
}
