//! Setting one's own password: at the first sign-in (or after it expired),
//! accepting the privacy notice, and a change from the profile. The mailed
//! links live in [`super::links`]. Every new password passes the same
//! policy; every change rotates the security stamp, which ends the user's
//! other sessions.

use super::session::{create_session, SessionUser};
use super::{hashing, lockout, AuthError};
use crate::auth::{PasswordRules, SetupStep, NEW_PASSWORD, NEW_PASSWORD_AGAIN};
use crate::domain::{EmailAddress, InputError, Password, Refusal};
use crate::server::audit::{self, Actor, AuditDetail, AuditEntry};
pub use crate::server::audit::PasswordAskedFor;
use crate::server::crypto::{PasswordHashString, Verification};
use crate::server::db::{self, Transaction};
use crate::server::mail::{addressee_of_user, unique_key, MailExtras, MailTemplate, OutgoingMail};
use crate::server::state::AppState;
use crate::domain::UnixTime;

pub fn rules_for(state: &AppState, username: &str, customer_name: &str) -> PasswordRules {
    PasswordRules {
        policy: state.config.password_policy.clone(),
        username: username.to_owned(),
        customer_name: customer_name.to_owned(),
    }
}

/// The new password if it meets every rule and both fields agree.
pub(super) fn parse_new_password(rules: &PasswordRules, password: &str, confirm: &str) -> Result<Password, AuthError> {
    let password = Password::parse(password, &rules.policy, rules.context()).map_err(|error| error.at(NEW_PASSWORD))?;
    if password.expose() != confirm {
        return Err(InputError::new(Refusal::PasswordsDiffer).at(NEW_PASSWORD_AGAIN).into());
    }
    Ok(password)
}


/// Stores the new hash, clears "must change", and rotates the security stamp
/// so that every session of the user ends and no open link of theirs works.
/// Returns the new stamp, or `None` when the user is not active (any more).
pub(super) async fn replace_password(
    tx: &mut Transaction<'_>,
    user_id: i64,
    hash: &PasswordHashString,
    now: UnixTime,
) -> Result<Option<String>, sqlx::Error> {
    let updated = db::query(
        "UPDATE users SET password_hash = $1, password_normalized = TRUE, must_change_password = FALSE, password_changed_at = $2, \
         password_expires_at = NULL WHERE id = $3 AND active = TRUE",
    )
    .bind(hash.as_database_value())
    .bind(now)
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Ok(None);
    }
    let stamp = super::session::rotate_security_stamp(tx, user_id, now).await?;
    db::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    // A browser trusted with the old password (perhaps a stolen one) is trusted no more.
    db::query("DELETE FROM trusted_devices WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    Ok(Some(stamp))
}

/// [`replace_password`], plus a fresh session for the browser that made the
/// change — the only one that survives it. Returns that session's cookie
/// value, or `None` when the user is not active.
pub(super) async fn replace_password_keeping_this_browser(
    tx: &mut Transaction<'_>,
    user_id: i64,
    hash: &PasswordHashString,
    now: UnixTime,
) -> Result<Option<String>, sqlx::Error> {
    let Some(stamp) = replace_password(tx, user_id, hash, now).await? else { return Ok(None) };
    Ok(Some(create_session(tx, user_id, &stamp, now).await?))
}

async fn stored_hash(state: &AppState, user_id: i64) -> Result<Option<PasswordHashString>, sqlx::Error> {
    let row: Option<(Option<String>, bool)> =
        db::query_as("SELECT password_hash, password_normalized FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&state.pool)
            .await?;
    Ok(row.and_then(|(hash, normalized)| hash.map(|hash| PasswordHashString::from_database(hash, normalized))))
}

pub(super) fn audit_entry<'a>(user: i64, customer: i64, action: &'a str, detail: AuditDetail, ip: Option<String>) -> AuditEntry<'a> {
    AuditEntry { actor: Actor::User(user), customer_id: Some(customer), action, detail, ip }
}

/// Tells the user by mail that their password changed, so a change they did
/// not make does not go unnoticed: in their language, greeting them by name.
pub(super) async fn queue_change_notice(
    state: &AppState,
    tx: &mut Transaction<'_>,
    user_id: i64,
    recipient: &str,
    username: &str,
    now: UnixTime,
) -> Result<(), AuthError> {
    let Ok(recipient) = EmailAddress::parse(recipient) else {
        tracing::warn!(user_id, "no valid address for the password notice");
        return Ok(());
    };
    let Some(addressee) = addressee_of_user(&mut *tx, user_id, state.config.default_language).await? else { return Ok(()) };
    let context = minijinja::context! {
        ..state.mail_base_context(),
        ..minijinja::context! { username => username, display_name => addressee.display_name },
    };
    let mail = OutgoingMail {
        template: MailTemplate::PasswordChanged,
        idempotency_key: unique_key("password_changed", user_id),
        recipient,
        lang: addressee.lang,
        context,
        expires_at: None,
    };
    state.outbox.enqueue_new(tx, mail, MailExtras::default(), now).await?;
    Ok(())
}

/// First sign-in, or the first after the password expired: the user sets a
/// new password of their own (which must differ from the one they signed in
/// with). Returns the cookie of a fresh session; the user's other sessions end.
pub async fn set_initial_password(
    state: &AppState,
    session: &SessionUser,
    password: &str,
    confirm: &str,
    ip: Option<String>,
) -> Result<String, AuthError> {
    let action = match session.pending {
        Some(SetupStep::ChangePassword) => "password_set_at_first_sign_in",
        Some(SetupStep::PasswordExpired) => "password_renewed_after_expiry",
        _ => return Err(AuthError::Forbidden),
    };
    let rules = rules_for(state, &session.username, &session.customer_name);
    let password = parse_new_password(&rules, password, confirm)?;
    if let Some(stored) = stored_hash(state, session.user_id).await? {
        if let Verification::Valid { .. } = hashing::verify(state, password.expose(), stored).await? {
            return Err(InputError::new(Refusal::SameAsBefore).at(NEW_PASSWORD).into());
        }
    }
    let hash = hashing::hash(state, password.expose()).await?;
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let token =
        replace_password_keeping_this_browser(&mut tx, session.user_id, &hash, now).await?.ok_or(AuthError::NotSignedIn)?;
    audit::record(
        &mut tx,
        audit_entry(session.user_id, session.customer_id, action, AuditDetail::None, ip),
        now,
    )
    .await?;
    if session.pending == Some(SetupStep::PasswordExpired) {
        queue_change_notice(state, &mut tx, session.user_id, &session.email, &session.username, now).await?;
    }
    tx.commit().await?;
    Ok(token)
}

/// Records that the user accepted privacy notice `version`, which must be the
/// current one: what the page showed is what is accepted.
pub async fn accept_privacy(
    state: &AppState,
    session: &SessionUser,
    version: i64,
    ip: Option<String>,
) -> Result<(), AuthError> {
    if matches!(session.pending, Some(SetupStep::ChangePassword | SetupStep::PasswordExpired)) {
        return Err(AuthError::SetupPending);
    }
    let current = crate::legal::ssr::current_privacy_notice(&state.pool).await?.map(|(v, _)| v);
    if current != Some(version) {
        return Err(InputError::new(Refusal::PrivacyChanged).into());
    }
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let inserted = db::query(
        "INSERT INTO privacy_acceptances (user_id, version, accepted_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, version) DO NOTHING",
    )
    .bind(session.user_id)
    .bind(version)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() > 0 {
        audit::record(
            &mut tx,
            audit_entry(session.user_id, session.customer_id, "privacy_accepted", AuditDetail::PrivacyAccepted { version }, ip),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Checks the signed-in user's current password. Wrong passwords count like
/// failed sign-ins of the account (the same lockout counter): a taken-over
/// session cannot guess the password without limit.
pub async fn verify_current_password(
    state: &AppState,
    user: &SessionUser,
    current: &str,
    asked_for: PasswordAskedFor,
    ip: Option<String>,
) -> Result<(), AuthError> {
    check_current_password(state, user, current, asked_for, ip, AndThen::Done).await
}

/// What follows a right password in the same request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AndThen {
    /// Nothing: the counter is cleared.
    Done,
    /// A second-factor code: only a right code clears the counter, so that
    /// a right password alone buys no code guesses.
    Code,
}

pub(super) async fn check_current_password(
    state: &AppState,
    user: &SessionUser,
    current: &str,
    asked_for: PasswordAskedFor,
    ip: Option<String>,
    and_then: AndThen,
) -> Result<(), AuthError> {
    // The queue place first: a busy server is no wrong try.
    let slot = hashing::reserve(state)?;
    let key = lockout::name_key(&user.username);
    let now = state.clock.now();
    // A wrong password where the user is signed in already may be someone
    // else at their screen: in the log, like a wrong one at the login.
    let refused = |action: &'static str| {
        let entry = audit_entry(user.user_id, user.customer_id, action, AuditDetail::PasswordAskedFor(asked_for), ip.clone());
        audit::record_alone(&state.pool, entry, now)
    };
    if lockout::claim_attempt(&state.pool, &key, now).await?.is_none() {
        refused("current_password_refused_locked").await?;
        return Err(InputError::new(Refusal::TooManyWrong).at(asked_for.field()).into());
    }
    let stored = stored_hash(state, user.user_id).await?.unwrap_or_else(|| (*state.dummy_hash).clone());
    if let Verification::Invalid = slot.verify(current, stored).await? {
        refused("current_password_wrong").await?;
        return Err(InputError::new(Refusal::CurrentWrong).at(asked_for.field()).into());
    }
    match and_then {
        // With a second factor only a right code clears the counter (SECURITY.md 24): a right
        // password alone neither clears it nor counts against it.
        AndThen::Done if user.second_factor => lockout::forgive_one(&state.pool, &key).await?,
        AndThen::Done => lockout::clear(&state.pool, &key).await?,
        AndThen::Code => {}
    }
    Ok(())
}

impl PasswordAskedFor {
    /// The field of the form that asks for it.
    fn field(self) -> &'static str {
        match self {
            PasswordAskedFor::PasswordChange => "current",
            PasswordAskedFor::Confirmation | PasswordAskedFor::EmailChange | PasswordAskedFor::SecondFactorOff => "password",
        }
    }
}

/// Profile: a new password after proving the current one. Returns the cookie
/// of a fresh session for this browser; every other session ends, and the
/// user is told by mail.
pub async fn change_password(
    state: &AppState,
    user: &SessionUser,
    current: &str,
    password: &str,
    confirm: &str,
    ip: Option<String>,
) -> Result<String, AuthError> {
    verify_current_password(state, user, current, PasswordAskedFor::PasswordChange, ip.clone()).await?;
    let rules = rules_for(state, &user.username, &user.customer_name);
    let password = parse_new_password(&rules, password, confirm)?;
    if password.expose() == current {
        return Err(InputError::new(Refusal::NewEqualsCurrent).at(NEW_PASSWORD).into());
    }
    let hash = hashing::hash(state, password.expose()).await?;
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let token =
        replace_password_keeping_this_browser(&mut tx, user.user_id, &hash, now).await?.ok_or(AuthError::NotSignedIn)?;
    queue_change_notice(state, &mut tx, user.user_id, &user.email, &user.username, now).await?;
    audit::record(
        &mut tx,
        audit_entry(user.user_id, user.customer_id, "password_changed", AuditDetail::None, ip),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

