//! Passkeys (WebAuthn, issue 23): Profil → Passkeys adds one (after a
//! recent sign-in), names it and removes it; "Mit Passkey anmelden" signs
//! in without a password — a passkey counts as both factors, since the
//! authenticator checked the user (user verification required). The
//! relying party is `KP_BASE_URL`'s host; an address without a domain (an
//! IP) has no passkeys. `webauthn-rs` does the cryptography; each ceremony's
//! state waits in the database between its two requests (five minutes,
//! used once), so that any instance behind one address can finish it.

use super::lockout;
use super::session::{open_session, NewSignIn, SessionUser};
use crate::auth::{PasskeyCeremony, PasskeyEntry};
use crate::domain::{InputError, Refusal, UnixTime};
use crate::error::AppError;
use crate::server::audit::{self, Actor, AuditDetail, AuditEntry};
use crate::server::crypto;
use crate::server::db;
use crate::server::state::AppState;
use base64::Engine;
use serde_json::Value;
use webauthn_rs::prelude::*;

pub const CEREMONY_SECONDS: i64 = 5 * 60;
pub const NAME_FIELD: &str = "name";
const NAME_MAX: usize = 60;

/// This installation's relying party, if `KP_BASE_URL` names a domain.
fn relying_party(state: &AppState) -> Option<Webauthn> {
    let origin = Url::parse(&state.config.base_url).ok()?;
    let rp_id = origin.domain()?.to_owned();
    WebauthnBuilder::new(&rp_id, &origin).ok()?.rp_name(&state.config.branding.operator_name).build().ok()
}

/// Whether passkeys work here (the login page offers the button only then).
pub fn available(state: &AppState) -> bool {
    relying_party(state).is_some()
}

fn unavailable() -> AppError {
    AppError::refused(Refusal::PasskeyUnavailable)
}

fn refused(why: impl std::fmt::Display) -> AppError {
    // What the authenticator's answer got wrong, for the operator; the browser learns only that it was refused.
    tracing::info!(reason = %why, "passkey refused");
    AppError::refused(Refusal::PasskeyRefused)
}

fn credential_key(id: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)
}

/// The options as `PublicKeyCredential.parse…OptionsFromJSON` reads them:
/// no `null` members (the browser refuses them where it expects a value),
/// no extension outputs the portal does not use.
fn browser_options(mut options: Value) -> Value {
    fn drop_nulls(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.retain(|_, member| !member.is_null());
                map.values_mut().for_each(drop_nulls);
            }
            Value::Array(items) => items.iter_mut().for_each(drop_nulls),
            _ => {}
        }
    }
    if let Some(map) = options.as_object_mut() {
        map.remove("extensions");
    }
    drop_nulls(&mut options);
    options
}

async fn keep_ceremony(state: &AppState, user_id: Option<i64>, name: Option<&str>, ceremony_state: &impl serde::Serialize) -> Result<String, AppError> {
    let handle = crypto::new_token();
    let now = state.clock.now();
    let stored = serde_json::to_string(ceremony_state).map_err(|error| AppError::internal(&error))?;
    // Ceremonies that ran out go with the hourly cleanup (`auth::ssr::cleanup`), not on every start.
    db::query("INSERT INTO webauthn_ceremonies (id_hash, user_id, name, state, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(crypto::token_hash(&handle))
        .bind(user_id)
        .bind(name)
        .bind(stored)
        .bind(now)
        .execute(&state.pool)
        .await?;
    Ok(handle)
}

/// The ceremony `handle` names, used up: its name and state. `user_id`:
/// whose (adding a passkey) or nobody's (signing in).
async fn take_ceremony<S: serde::de::DeserializeOwned>(state: &AppState, handle: &str, user_id: Option<i64>) -> Result<(Option<String>, S), AppError> {
    let now = state.clock.now();
    let whose = if user_id.is_some() { "user_id = $4" } else { "user_id IS NULL" };
    let sql = format!("DELETE FROM webauthn_ceremonies WHERE id_hash = $1 AND created_at + $2 >= $3 AND {whose} RETURNING name, state");
    let query = db::query_as(&sql).bind(crypto::token_hash(handle)).bind(CEREMONY_SECONDS).bind(now);
    let query = match user_id {
        Some(user_id) => query.bind(user_id),
        None => query,
    };
    let taken: Option<(Option<String>, String)> = query.fetch_optional(&state.pool).await?;
    let Some((name, stored)) = taken else { return Err(AppError::refused(Refusal::PasskeyExpired)) };
    let ceremony_state = serde_json::from_str(&stored).map_err(|error| AppError::internal(&error))?;
    Ok((name, ceremony_state))
}

/// "Mit Passkey anmelden", first request: a challenge for any passkey of
/// this portal the browser holds.
pub async fn begin_sign_in(state: &AppState) -> Result<PasskeyCeremony, AppError> {
    let relying_party = relying_party(state).ok_or_else(unavailable)?;
    let (challenge, ceremony_state) = relying_party.start_discoverable_authentication().map_err(|error| AppError::internal(&error))?;
    let options = serde_json::to_value(&challenge.public_key).map_err(|error| AppError::internal(&error))?;
    let ceremony = keep_ceremony(state, None, None, &ceremony_state).await?;
    Ok(PasskeyCeremony { ceremony, options: browser_options(options).to_string() })
}

/// Second request: the authenticator's answer. A passkey counts as both
/// factors; the sign-in goes on like one with password and code.
pub async fn finish_sign_in(state: &AppState, handle: &str, answer: &str, ip: Option<String>) -> Result<NewSignIn, AppError> {
    let relying_party = relying_party(state).ok_or_else(unavailable)?;
    let (_, ceremony_state): (_, DiscoverableAuthentication) = take_ceremony(state, handle, None).await?;
    let credential: PublicKeyCredential = serde_json::from_str(answer).map_err(refused)?;
    let (webauthn_id, credential_id) = relying_party.identify_discoverable_authentication(&credential).map_err(refused)?;
    let found: Option<(i64, i64, i64, String, String, String)> = db::query_as(
        "SELECT p.id, p.user_id, u.customer_id, u.username, u.security_stamp, p.passkey FROM passkeys p JOIN users u ON u.id = p.user_id \
         WHERE p.credential_id = $1 AND u.webauthn_id = $2 AND u.active = TRUE",
    )
    .bind(credential_key(credential_id))
    .bind(webauthn_id.to_string())
    .fetch_optional(&state.pool)
    .await?;
    let Some((passkey_id, user_id, customer_id, username, stamp, stored)) = found else {
        return Err(refused("no active user has this passkey"));
    };
    let mut passkey: Passkey = serde_json::from_str(&stored).map_err(|error| AppError::internal(&error))?;
    let result = relying_party.finish_discoverable_authentication_v2(&credential, ceremony_state, &passkey).map_err(refused)?;
    passkey.update_credential(&result);
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    db::query("UPDATE passkeys SET passkey = $1, last_used_at = $2 WHERE id = $3")
        .bind(serde_json::to_string(&passkey).map_err(|error| AppError::internal(&error))?)
        .bind(now)
        .bind(passkey_id)
        .execute(&mut *tx)
        .await?;
    lockout::clear(&mut *tx, &lockout::name_key(&username)).await?;
    let signed_in = open_session(&mut tx, state, user_id, &stamp, now).await?;
    let entry = AuditEntry { actor: Actor::User(user_id), customer_id: Some(customer_id), action: "login_with_passkey", detail: AuditDetail::None, ip };
    audit::record(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(signed_in)
}

/// A passkey's name as typed: 1 to 60 characters, no control characters.
pub fn parse_name(typed: &str) -> Result<String, InputError> {
    let name = typed.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        return Err(InputError::new(Refusal::PasskeyNameInvalid).at(NAME_FIELD));
    }
    Ok(name.to_owned())
}

/// The user's handle for authenticators, made with their first passkey.
async fn webauthn_id_of(state: &AppState, user_id: i64) -> Result<Uuid, AppError> {
    db::query("UPDATE users SET webauthn_id = $1 WHERE id = $2 AND webauthn_id IS NULL")
        .bind(Uuid::from_bytes(crypto::random_bytes::<16>()).to_string())
        .bind(user_id)
        .execute(&state.pool)
        .await?;
    let stored: String = db::query_scalar("SELECT webauthn_id FROM users WHERE id = $1").bind(user_id).fetch_one(&state.pool).await?;
    Uuid::parse_str(&stored).map_err(|error| AppError::internal(&error))
}

/// Profil → Passkeys → "Passkey hinzufügen", first request.
pub async fn begin_registration(state: &AppState, user: &SessionUser, name: &str) -> Result<PasskeyCeremony, AppError> {
    let name = parse_name(name)?;
    let relying_party = relying_party(state).ok_or_else(unavailable)?;
    let webauthn_id = webauthn_id_of(state, user.user_id).await?;
    let stored: Vec<String> = db::query_scalar("SELECT passkey FROM passkeys WHERE user_id = $1").bind(user.user_id).fetch_all(&state.pool).await?;
    let known: Vec<CredentialID> =
        stored.iter().filter_map(|json| serde_json::from_str::<Passkey>(json).ok()).map(|passkey| passkey.cred_id().clone()).collect();
    let (challenge, ceremony_state) = relying_party
        .start_passkey_registration(webauthn_id, &user.username, &user.full_name, Some(known))
        .map_err(|error| AppError::internal(&error))?;
    let mut options = serde_json::to_value(&challenge.public_key).map_err(|error| AppError::internal(&error))?;
    // Discoverable, so that "Mit Passkey anmelden" finds it without a username.
    if let Some(selection) = options.get_mut("authenticatorSelection").and_then(Value::as_object_mut) {
        selection.insert("residentKey".into(), "required".into());
        selection.insert("requireResidentKey".into(), true.into());
    }
    let ceremony = keep_ceremony(state, Some(user.user_id), Some(&name), &ceremony_state).await?;
    Ok(PasskeyCeremony { ceremony, options: browser_options(options).to_string() })
}

/// Second request: the new credential is the user's.
pub async fn finish_registration(state: &AppState, user: &SessionUser, handle: &str, answer: &str, ip: Option<String>) -> Result<(), AppError> {
    let relying_party = relying_party(state).ok_or_else(unavailable)?;
    let (name, ceremony_state): (_, PasskeyRegistration) = take_ceremony(state, handle, Some(user.user_id)).await?;
    let credential: RegisterPublicKeyCredential = serde_json::from_str(answer).map_err(refused)?;
    let passkey = relying_party.finish_passkey_registration(&credential, &ceremony_state).map_err(refused)?;
    let name = name.unwrap_or_else(|| "Passkey".to_owned());
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let inserted = db::query(
        "INSERT INTO passkeys (user_id, credential_id, name, passkey, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (credential_id) DO NOTHING",
    )
    .bind(user.user_id)
    .bind(credential_key(passkey.cred_id()))
    .bind(&name)
    .bind(serde_json::to_string(&passkey).map_err(|error| AppError::internal(&error))?)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(AppError::refused(Refusal::PasskeyKnown));
    }
    let entry = AuditEntry { actor: Actor::User(user.user_id), customer_id: Some(user.customer_id), action: "passkey_added", detail: AuditDetail::Plain(name), ip };
    audit::record(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The user's passkeys, newest first.
pub async fn list(state: &AppState, user: &SessionUser) -> Result<Vec<PasskeyEntry>, sqlx::Error> {
    // Contexts first: after an await a rendering page may not have them.
    let lang = crate::i18n::lang();
    let rows: Vec<(i64, String, UnixTime, Option<UnixTime>)> =
        db::query_as("SELECT id, name, created_at, last_used_at FROM passkeys WHERE user_id = $1 ORDER BY created_at DESC, id DESC")
            .bind(user.user_id)
            .fetch_all(&state.pool)
            .await?;
    let when = |at: UnixTime| crate::server::dates::date_time_in(lang, at, &state.config.time_zone);
    Ok(rows
        .into_iter()
        .map(|(id, name, created_at, last_used_at)| PasskeyEntry { id, name, added: when(created_at), last_used: last_used_at.map(when) })
        .collect())
}

/// "Entfernen": only the user's own; `false` when there is no such passkey of theirs.
pub async fn remove(state: &AppState, user: &SessionUser, id: i64, ip: Option<String>) -> Result<bool, sqlx::Error> {
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let name: Option<String> =
        db::query_scalar("DELETE FROM passkeys WHERE id = $1 AND user_id = $2 RETURNING name").bind(id).bind(user.user_id).fetch_optional(&mut *tx).await?;
    let Some(name) = name else { return Ok(false) };
    let entry = AuditEntry { actor: Actor::User(user.user_id), customer_id: Some(user.customer_id), action: "passkey_removed", detail: AuditDetail::Plain(name), ip };
    audit::record(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(true)
}
