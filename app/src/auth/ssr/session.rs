//! Sessions in the database: one row per signed-in browser, keyed by a hash
//! of the cookie value, with idle and absolute timeouts and the user's
//! security stamp (a new stamp ends every other session of the user).

use super::{expiry, AuthError};
use crate::auth::{SetupStep, UserView};
use crate::server::audit::{self, Actor, AuditDetail, AuditEntry};
use crate::server::crypto;
use crate::server::db::{self, Pool, Transaction};
use crate::server::state::AppState;
use crate::domain::UnixTime;
use crate::i18n::Lang;

pub const IDLE_TIMEOUT_SECONDS: i64 = 30 * 60;
/// A session is live while both its limits hold (`$2` is now): a browser's
/// are the two timeouts here, an app sign-in's those of its refresh tokens.
const LIVE: &str = "s.last_seen_at + s.idle_seconds >= $2 AND s.created_at + s.max_seconds >= $2";
/// …and 12 hours after sign-in at the latest.
pub const ABSOLUTE_TIMEOUT_SECONDS: i64 = 12 * 60 * 60;
/// `last_seen_at` is written at most this often, not on every request.
const TOUCH_INTERVAL_SECONDS: i64 = 60;
/// Changing e-mail, password, forwardings or users needs a sign-in or a
/// password confirmation this recent (SECURITY.md 21).
pub const REAUTH_WINDOW_SECONDS: i64 = 60 * 60;

/// Where a session was started: shown in Profil → Anmeldungen.
#[derive(Debug, Clone, Default)]
pub struct SessionOrigin {
    pub user_agent: String,
    /// IPv4 /24 or IPv6 /48 only.
    pub coarse_ip: Option<String>,
}

/// The network an address is in, not the address itself: "203.0.113.x",
/// "2001:db8:1::/48".
pub fn coarse_address(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.x")
        }
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => coarse_address(std::net::IpAddr::V4(v4)),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
            }
        },
    }
}

/// "Firefox 128 auf Windows 10" from a User-Agent, or a neutral name.
pub fn describe_user_agent(user_agent: &str, lang: Lang) -> String {
    let Some(result) = woothee::parser::Parser::new().parse(user_agent) else {
        return crate::t!(lang, "auth-session-unknown-browser");
    };
    let known = |value: &str| !value.is_empty() && value != woothee::woothee::VALUE_UNKNOWN;
    let browser = if known(result.name) {
        let major = result.version.split('.').next().unwrap_or_default();
        if known(major) { format!("{} {major}", result.name) } else { result.name.to_owned() }
    } else {
        crate::t!(lang, "auth-session-unknown-browser")
    };
    if known(result.os) {
        crate::t!(lang, "auth-session-browser-on-os", browser = browser.as_str(), os = result.os)
    } else {
        browser
    }
}

/// The user behind a valid session.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub session_hash: String,
    pub user_id: i64,
    pub customer_id: i64,
    pub customer_number: String,
    pub customer_name: String,
    pub username: String,
    pub email: String,
    /// "Frau Erika Muster" (German: the audit log, the passkey's display name).
    pub full_name: String,
    /// The name as stored, for [`SessionUser::view`] to word in the page's language.
    pub name: NameParts,
    pub is_main_user: bool,
    pub can_manage_users: bool,
    pub can_manage_forwardings: bool,
    /// What the session must do before anything else is allowed.
    pub pending: Option<SetupStep>,
    pub authenticated_at: UnixTime,
    /// Signed in or confirmed the password within [`REAUTH_WINDOW_SECONDS`].
    pub recently_authenticated: bool,
    /// The user's second factor is on.
    pub second_factor: bool,
    /// The customer requires the second factor of every user.
    pub second_factor_required: bool,
}

impl SessionUser {
    /// The user as the page sees them, their name in `lang` (the session may
    /// have been loaded before that was known: by the page guard).
    pub fn view(&self, lang: Lang) -> UserView {
        UserView {
            username: self.username.clone(),
            full_name: full_name_in(lang, &self.name.salutation, &self.name.first, &self.name.last, &self.username),
            is_main_user: self.is_main_user,
            can_manage_users: self.can_manage_users,
            can_manage_forwardings: self.can_manage_forwardings,
            pending: self.pending,
            recently_authenticated: self.recently_authenticated,
            second_factor: self.second_factor,
        }
    }
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: i64,
    session_stamp: String,
    created_at: UnixTime,
    last_seen_at: UnixTime,
    authenticated_at: UnixTime,
    customer_id: i64,
    customer_number: String,
    customer_name: String,
    username: String,
    email: String,
    salutation: String,
    first_name: String,
    last_name: String,
    role: crate::domain::Role,
    can_manage_users: bool,
    can_manage_forwardings: bool,
    active: bool,
    user_stamp: String,
    must_change_password: bool,
    password_changed_at: UnixTime,
    password_expires_at: Option<UnixTime>,
    max_age_since: Option<UnixTime>,
    idle_seconds: i64,
    max_seconds: i64,
    current_privacy: Option<i64>,
    accepted_privacy: Option<i64>,
    second_factor: bool,
    second_factor_required: bool,
}

/// Salutation (as stored: `herr`, `frau`, `keine`), first and last name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameParts {
    pub salutation: String,
    pub first: String,
    pub last: String,
}

/// "Frau Erika Muster", or the username when no name is set.
pub fn full_name(salutation: &str, first: &str, last: &str, username: &str) -> String {
    full_name_in(Lang::De, salutation, first, last, username)
}

/// [`full_name`] in `lang`: "Ms Erika Muster" — as a mail greets them.
pub fn full_name_in(lang: Lang, salutation: &str, first: &str, last: &str, username: &str) -> String {
    crate::server::mail::addressed_as(lang, salutation, first, last, username)
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
    let mut tx = db::begin(&state.pool).await?;
    // Only a session that is still valid inside this transaction goes on: a
    // password change, reset or deactivation since the request began wins.
    let Some(current) = take_current_session(&mut tx, user).await? else { return Err(AuthError::NotSignedIn) };
    let ended: i64 = db::query_scalar(&format!(
        "SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.user_id = $1 AND s.security_stamp = u.security_stamp AND {LIVE}"
    ))
    .bind(user.user_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let stamp = rotate_security_stamp(&mut tx, user.user_id, now).await?;
    db::query("DELETE FROM sessions WHERE user_id = $1").bind(user.user_id).execute(&mut *tx).await?;
    let token = insert_session(&mut tx, user.user_id, &stamp, &current, now).await?;
    audit::record(
        &mut tx,
        AuditEntry {
            actor: Actor::User(user.user_id),
            customer_id: Some(user.customer_id),
            action: "signed_out_elsewhere",
            detail: AuditDetail::SessionsEnded { count: ended },
            ip,
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok((token, ended as u64))
}

/// What a session that goes on under a new id keeps of the old one.
struct Continued {
    created_at: UnixTime,
    authenticated_at: UnixTime,
    origin: SessionOrigin,
}

/// Deletes this browser's session row if it is still valid inside `tx` (a
/// password change, reset or deactivation since the request began wins) and
/// returns what its successor keeps.
async fn take_current_session(tx: &mut Transaction<'_>, user: &SessionUser) -> Result<Option<Continued>, sqlx::Error> {
    let current: Option<(UnixTime, UnixTime, String, Option<String>)> = db::query_as(
        "DELETE FROM sessions WHERE id_hash = $1 \
           AND security_stamp = (SELECT security_stamp FROM users WHERE id = $2 AND active = TRUE) \
         RETURNING created_at, authenticated_at, user_agent, coarse_ip",
    )
    .bind(&user.session_hash)
    .bind(user.user_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(current.map(|(created_at, authenticated_at, user_agent, coarse_ip)| Continued {
        created_at,
        authenticated_at,
        origin: SessionOrigin { user_agent, coarse_ip },
    }))
}

/// This browser's session, taken out before a change that rotates the
/// user's security stamp, to go on afterwards under a new id
/// ([`resume_session`]) with its sign-in times and origin unchanged.
pub struct KeptSession(Continued);

pub async fn keep_this_session(tx: &mut Transaction<'_>, user: &SessionUser) -> Result<Option<KeptSession>, sqlx::Error> {
    Ok(take_current_session(tx, user).await?.map(KeptSession))
}

pub async fn resume_session(
    tx: &mut Transaction<'_>,
    user_id: i64,
    security_stamp: &str,
    kept: KeptSession,
    now: UnixTime,
) -> Result<String, sqlx::Error> {
    insert_session(tx, user_id, security_stamp, &kept.0, now).await
}

/// After the password was confirmed: this browser's session goes on under a
/// new id (SECURITY.md 20) with `authenticated_at` now. Returns its cookie value.
pub async fn reauthenticate(state: &AppState, user: &SessionUser, ip: Option<String>) -> Result<String, AuthError> {
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let Some(current) = take_current_session(&mut tx, user).await? else { return Err(AuthError::NotSignedIn) };
    let stamp: String = db::query_scalar("SELECT security_stamp FROM users WHERE id = $1").bind(user.user_id).fetch_one(&mut *tx).await?;
    let token = insert_session(&mut tx, user.user_id, &stamp, &Continued { authenticated_at: now, ..current }, now).await?;
    audit::record(
        &mut tx,
        AuditEntry { actor: Actor::User(user.user_id), customer_id: Some(user.customer_id), action: "password_confirmed", detail: AuditDetail::None, ip },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// An app sign-in (OAuth) as a session of `user_id` under `security_stamp`,
/// with the limits of its refresh tokens; returns the session's stored key
/// (no one is given a key to it: its tokens name it). It was signed in when
/// the browser that allowed the app was (`authenticated_at`).
pub async fn insert_app_session(
    tx: &mut Transaction<'_>,
    user_id: i64,
    security_stamp: &str,
    authenticated_at: UnixTime,
    app: super::clients::AppClient,
    origin: &SessionOrigin,
    settings: &crate::server::config::AppSignInSettings,
    now: UnixTime,
) -> Result<String, sqlx::Error> {
    let id_hash = crypto::token_hash(&crypto::new_token());
    db::query(
        "INSERT INTO sessions (id_hash, user_id, security_stamp, created_at, last_seen_at, authenticated_at, user_agent, coarse_ip, handle, \
                               app_client, idle_seconds, max_seconds) \
         VALUES ($1, $2, $3, $4, $4, $11, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&id_hash)
    .bind(user_id)
    .bind(security_stamp)
    .bind(now)
    .bind(&origin.user_agent)
    .bind(&origin.coarse_ip)
    .bind(crypto::new_token())
    .bind(app.id)
    .bind(settings.refresh_idle_seconds)
    .bind(settings.sign_in_max_seconds)
    .bind(authenticated_at)
    .execute(&mut **tx)
    .await?;
    db::query("UPDATE users SET last_sign_in_at = $1 WHERE id = $2").bind(now).bind(user_id).execute(&mut **tx).await?;
    Ok(id_hash)
}

/// A sign-in that is done (password without a second factor, the second
/// step, a passkey): the session's and the browser's device cookie values.
pub struct NewSignIn {
    pub session: String,
    pub device: String,
    /// The user's language setting, which this browser takes over.
    pub language: Option<crate::i18n::Lang>,
}

/// The session of a finished sign-in, and this browser trusted for the
/// user (its device cookie renewed), inside `tx`.
pub async fn open_session(tx: &mut Transaction<'_>, state: &AppState, user_id: i64, stamp: &str, now: UnixTime) -> Result<NewSignIn, sqlx::Error> {
    let session = create_session(tx, user_id, stamp, now).await?;
    let device = super::devices::renew(tx, super::devices::cookie_value(state).as_deref(), user_id, now).await?;
    let language = crate::server::mail::chosen_language_of_user(&mut **tx, user_id).await?;
    Ok(NewSignIn { session, device, language })
}

/// Creates a session for `user_id` inside `tx` and returns the cookie value.
/// Only its hash is stored; the browser and coarse address come from the
/// current request.
pub async fn create_session(
    tx: &mut Transaction<'_>,
    user_id: i64,
    security_stamp: &str,
    now: UnixTime,
) -> Result<String, sqlx::Error> {
    let fresh = Continued { created_at: now, authenticated_at: now, origin: session_origin() };
    db::query("UPDATE users SET last_sign_in_at = $1 WHERE id = $2").bind(now).bind(user_id).execute(&mut **tx).await?;
    insert_session(tx, user_id, security_stamp, &fresh, now).await
}

/// A session row under a new id; `created_at` and `authenticated_at` may be
/// older than `now` when a session goes on under a new id.
async fn insert_session(
    tx: &mut Transaction<'_>,
    user_id: i64,
    security_stamp: &str,
    session: &Continued,
    now: UnixTime,
) -> Result<String, sqlx::Error> {
    let token = crypto::new_token();
    db::query(
        "INSERT INTO sessions (id_hash, user_id, security_stamp, created_at, last_seen_at, authenticated_at, user_agent, coarse_ip, handle, \
                               idle_seconds, max_seconds) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(crypto::token_hash(&token))
    .bind(user_id)
    .bind(security_stamp)
    .bind(session.created_at)
    .bind(now)
    .bind(session.authenticated_at)
    .bind(&session.origin.user_agent)
    .bind(&session.origin.coarse_ip)
    .bind(crypto::new_token())
    .bind(IDLE_TIMEOUT_SECONDS)
    .bind(ABSOLUTE_TIMEOUT_SECONDS)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// The user's live sessions, newest activity first (Profil → Anmeldungen).
pub async fn list_sessions(state: &AppState, user: &SessionUser) -> Result<Vec<crate::auth::SignInEntry>, sqlx::Error> {
    // Contexts first: after an await a rendering page may not have them.
    let lang = crate::i18n::lang();
    let now = state.clock.now();
    let rows: Vec<(String, String, UnixTime, UnixTime, String, Option<String>, Option<String>)> = db::query_as(&format!(
        "SELECT s.id_hash, COALESCE(s.handle, ''), s.created_at, s.last_seen_at, s.user_agent, s.coarse_ip, s.app_client \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.user_id = $1 AND s.security_stamp = u.security_stamp AND {LIVE} \
         ORDER BY s.last_seen_at DESC, s.created_at DESC"
    ))
    .bind(user.user_id)
    .bind(now)
    .fetch_all(&state.pool)
    .await?;
    let when = |at: UnixTime| crate::server::dates::date_time_in(lang, at, &state.config.time_zone);
    Ok(rows
        .into_iter()
        .map(|(id_hash, handle, created_at, last_seen_at, user_agent, coarse_ip, app_client)| crate::auth::SignInEntry {
            this_device: id_hash == user.session_hash,
            id: handle,
            browser: match app_client.as_deref().and_then(super::clients::AppClient::find) {
                Some(app) => app.name.to_owned(),
                None => describe_user_agent(&user_agent, lang),
            },
            place: coarse_ip.unwrap_or_else(|| crate::t!(lang, "auth-session-place-unknown")),
            signed_in: when(created_at),
            last_active: when(last_seen_at),
        })
        .collect())
}

/// "Abmelden" for one of the user's sessions. `None` when there is no such
/// session of this user (another user's, or already gone); else whether it
/// was the calling browser's own.
pub async fn end_session(state: &AppState, user: &SessionUser, id: &str, ip: Option<String>) -> Result<Option<bool>, AuthError> {
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let ended: Option<String> = db::query_scalar("DELETE FROM sessions WHERE user_id = $1 AND handle = $2 RETURNING id_hash")
        .bind(user.user_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(hash) = ended else { return Ok(None) };
    let this_device = hash == user.session_hash;
    let detail = AuditDetail::SessionEnded { this_device };
    audit::record(
        &mut tx,
        AuditEntry { actor: Actor::User(user.user_id), customer_id: Some(user.customer_id), action: "session_ended", detail, ip },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(this_device))
}

/// The user of the session `token`, if it is still valid. A session that
/// timed out, whose user was deactivated or whose security stamp is old is
/// deleted on the way.
pub async fn load_session(state: &AppState, token: &str) -> Result<Option<SessionUser>, sqlx::Error> {
    load_session_by_hash(state, crypto::token_hash(token), SessionKind::Browser).await
}

/// Which sessions a way in may find: a cookie only a browser's, an access
/// token only an app sign-in's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    Browser,
    App,
}

/// [`load_session`] by the stored hash: an app sign-in's session is found
/// through its access token, and nobody holds its own key.
pub async fn load_session_by_hash(state: &AppState, id_hash: String, kind: SessionKind) -> Result<Option<SessionUser>, sqlx::Error> {
    let (pool, now) = (&state.pool, state.clock.now());
    let row: Option<SessionRow> = db::query_as(
        "SELECT s.user_id, s.security_stamp AS session_stamp, s.created_at, s.last_seen_at, s.authenticated_at, \
                u.customer_id, c.number AS customer_number, c.name AS customer_name, u.username, u.email, u.salutation, u.first_name, \
                u.last_name, u.role, u.can_manage_users, u.can_manage_forwardings, u.active, \
                u.security_stamp AS user_stamp, u.must_change_password, s.idle_seconds, s.max_seconds, \
                u.totp_enabled_at IS NOT NULL AS second_factor, c.require_second_factor AS second_factor_required, \
                COALESCE(u.password_changed_at, u.created_at) AS password_changed_at, u.password_expires_at, \
                (SELECT value FROM portal_settings WHERE key = $2) AS max_age_since, \
                (SELECT MAX(version) FROM privacy_notices) AS current_privacy, \
                (SELECT MAX(a.version) FROM privacy_acceptances a WHERE a.user_id = u.id) AS accepted_privacy \
         FROM sessions s JOIN users u ON u.id = s.user_id JOIN customers c ON c.id = u.customer_id \
         WHERE s.id_hash = $1 AND (s.app_client IS NULL) = $3",
    )
    .bind(&id_hash)
    .bind(expiry::MAX_AGE_SINCE)
    .bind(kind == SessionKind::Browser)
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
        && now - row.last_seen_at <= row.idle_seconds
        && now - row.created_at <= row.max_seconds
        && !signed_in_before_expiry;
    if !valid {
        delete_session_by_hash(pool, &id_hash).await?;
        return Ok(None);
    }
    if now - row.last_seen_at >= TOUCH_INTERVAL_SECONDS {
        db::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
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
    } else if row.second_factor_required && !row.second_factor {
        // An app's sign-in too: until the user has set it up in a browser, its API answers setup_pending.
        Some(SetupStep::SetUpSecondFactor)
    } else {
        None
    };
    let is_main_user = row.role == crate::domain::Role::Main;
    Ok(Some(SessionUser {
        session_hash: id_hash,
        user_id: row.user_id,
        customer_id: row.customer_id,
        customer_number: row.customer_number,
        customer_name: row.customer_name,
        full_name: full_name(&row.salutation, &row.first_name, &row.last_name, &row.username),
        name: NameParts { salutation: row.salutation.clone(), first: row.first_name.clone(), last: row.last_name.clone() },
        username: row.username,
        email: row.email,
        is_main_user,
        can_manage_users: is_main_user || row.can_manage_users,
        can_manage_forwardings: is_main_user || row.can_manage_forwardings,
        pending,
        authenticated_at: row.authenticated_at,
        recently_authenticated: now - row.authenticated_at < REAUTH_WINDOW_SECONDS,
        second_factor: row.second_factor,
        second_factor_required: row.second_factor_required,
    }))
}

pub async fn delete_session_by_hash(pool: &Pool, id_hash: &str) -> Result<(), sqlx::Error> {
    db::query("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash).execute(pool).await?;
    Ok(())
}

/// Gives the user a new security stamp inside `tx` and returns it: every
/// session under the old stamp is dead from now on, and every open link of
/// the user — "Passwort vergessen", invitation, e-mail change — stops
/// working (a link is only good under the stamp it was issued with). Every
/// change of credentials goes through here: password set, changed or
/// reset, e-mail address confirmed, deactivation, "auf allen anderen
/// Geräten abmelden".
pub async fn rotate_security_stamp(tx: &mut Transaction<'_>, user_id: i64, now: UnixTime) -> Result<String, sqlx::Error> {
    let stamp = crypto::new_token();
    db::query("UPDATE users SET security_stamp = $1 WHERE id = $2").bind(&stamp).bind(user_id).execute(&mut **tx).await?;
    db::query("UPDATE tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL").bind(now).bind(user_id).execute(&mut **tx).await?;
    Ok(stamp)
}

/// Where the current request comes from, for a new session's entry in
/// Profil → Anmeldungen: the browser's User-Agent (cut to a sane length) and
/// only a coarse address.
pub fn session_origin() -> SessionOrigin {
    let (Some(parts), Some(state)) = (crate::server::serve::request_parts(), leptos::prelude::use_context::<AppState>()) else {
        return Default::default();
    };
    session_origin_of(&parts, &state.config)
}

/// [`session_origin`] of a plain handler's request (the app's token request).
pub fn session_origin_of(parts: &http::request::Parts, config: &crate::server::config::Config) -> SessionOrigin {
    let user_agent = parts
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.chars().take(400).collect())
        .unwrap_or_default();
    let coarse_ip = crate::server::limits::client_address(parts, config).map(coarse_address);
    SessionOrigin { user_agent, coarse_ip }
}
