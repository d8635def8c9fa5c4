//! Setting passwords: the first sign-in, the privacy notice, a change from
//! the profile, "Passwort vergessen" and invitation links. Every new password
//! passes the same policy; every change rotates the security stamp, which
//! ends the user's other sessions.

use super::session::{create_session, full_name, SessionUser};
use super::{hashing, lockout, AuthError};
use crate::auth::{LinkKind, PasswordRules, SetupStep};
use crate::customers::issue_token;
use crate::domain::{EmailAddress, InputError, Password, Username};
use crate::error::messages;
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::crypto::{self, PasswordHashString, Verification};
use crate::server::db::{self, Transaction};
use crate::server::mail::{MailTemplate, OutgoingMail};
use crate::server::state::AppState;

pub fn rules_for(state: &AppState, username: &str, customer_name: &str) -> PasswordRules {
    PasswordRules {
        policy: state.config.password_policy.clone(),
        username: username.to_owned(),
        customer_name: customer_name.to_owned(),
    }
}

/// The new password if it meets every rule and both fields agree.
fn parse_new_password(rules: &PasswordRules, password: &str, confirm: &str) -> Result<Password, AuthError> {
    let password = Password::parse(password, &rules.policy, rules.context())?;
    if password.expose() != confirm {
        return Err(InputError::new(messages::PASSWORDS_DIFFER).into());
    }
    Ok(password)
}

fn link_purpose(kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::Invitation => "invitation",
        LinkKind::PasswordReset => "password_reset",
    }
}

/// Stores the new hash, clears "must change", and rotates the security stamp
/// so that every session of the user ends. Returns the new stamp, or `None`
/// when the user is not active (any more).
async fn replace_password(
    tx: &mut Transaction<'_>,
    user_id: i64,
    hash: &PasswordHashString,
    now: i64,
) -> Result<Option<String>, sqlx::Error> {
    let stamp = crypto::new_token();
    let updated = sqlx::query(
        "UPDATE users SET password_hash = $1, must_change_password = 0, password_changed_at = $2, \
         password_expires_at = NULL, security_stamp = $3 WHERE id = $4 AND active = 1",
    )
    .bind(hash.as_database_value())
    .bind(now)
    .bind(&stamp)
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Ok(None);
    }
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    Ok(Some(stamp))
}

/// [`replace_password`], plus a fresh session for the browser that made the
/// change — the only one that survives it. Returns that session's cookie
/// value, or `None` when the user is not active.
async fn replace_password_keeping_this_browser(
    tx: &mut Transaction<'_>,
    user_id: i64,
    hash: &PasswordHashString,
    now: i64,
) -> Result<Option<String>, sqlx::Error> {
    let Some(stamp) = replace_password(tx, user_id, hash, now).await? else { return Ok(None) };
    Ok(Some(create_session(tx, user_id, &stamp, now).await?))
}

async fn stored_hash(state: &AppState, user_id: i64) -> Result<Option<PasswordHashString>, sqlx::Error> {
    let hash: Option<Option<String>> = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&state.pool)
        .await?;
    Ok(hash.flatten().map(PasswordHashString::from_database))
}

fn audit_entry<'a>(user: i64, customer: i64, action: &'a str, detail: String, ip: Option<String>) -> AuditEntry<'a> {
    AuditEntry { actor: Actor::User(user), customer_id: Some(customer), action, detail, ip }
}

/// Tells the user by mail that their password changed, so a change they did
/// not make does not go unnoticed.
async fn queue_change_notice(
    state: &AppState,
    tx: &mut Transaction<'_>,
    user_id: i64,
    recipient: &str,
    username: &str,
    display_name: &str,
    now: i64,
) -> Result<(), AuthError> {
    let Ok(recipient) = EmailAddress::parse(recipient) else {
        tracing::warn!(user_id, "no valid address for the password notice");
        return Ok(());
    };
    let context = minijinja::context! {
        ..state.mail_base_context(),
        ..minijinja::context! { username => username, display_name => display_name },
    };
    state.outbox.enqueue(
        tx,
        OutgoingMail {
            template: MailTemplate::PasswordChanged,
            idempotency_key: format!("password_changed:{user_id}:{now}:{}", crypto::correlation_id()),
            recipient,
            context,
            expires_at: None,
        },
        now,
    )
    .await?;
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
            return Err(InputError::new(messages::SAME_AS_BEFORE).into());
        }
    }
    let hash = hashing::hash(state, password.expose()).await?;
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let token =
        replace_password_keeping_this_browser(&mut tx, session.user_id, &hash, now).await?.ok_or(AuthError::NotSignedIn)?;
    audit::record(
        &mut tx,
        audit_entry(session.user_id, session.customer_id, action, String::new(), ip),
        now,
    )
    .await?;
    if session.pending == Some(SetupStep::PasswordExpired) {
        let (email, username, name) = (&session.email, &session.username, &session.full_name);
        queue_change_notice(state, &mut tx, session.user_id, email, username, name, now).await?;
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
        return Err(InputError::new(messages::PRIVACY_CHANGED).into());
    }
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let inserted = sqlx::query(
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
            audit_entry(session.user_id, session.customer_id, "privacy_accepted", format!("Version {version}"), ip),
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
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
    // Wrong current passwords count like failed sign-ins of the account: a
    // taken-over session cannot guess the password without limit.
    let key = lockout::identifier_key(&user.username).unwrap_or_default();
    if lockout::claim_attempt(&state.pool, &key, state.clock.now()).await?.is_none() {
        return Err(InputError::new(messages::TOO_MANY_WRONG).into());
    }
    let stored = stored_hash(state, user.user_id).await?.unwrap_or_else(|| (*state.dummy_hash).clone());
    if let Verification::Invalid = hashing::verify(state, current, stored).await? {
        return Err(InputError::new(messages::CURRENT_WRONG).into());
    }
    lockout::clear(&state.pool, &key).await?;
    let rules = rules_for(state, &user.username, &user.customer_name);
    let password = parse_new_password(&rules, password, confirm)?;
    if password.expose() == current {
        return Err(InputError::new(messages::NEW_EQUALS_CURRENT).into());
    }
    let hash = hashing::hash(state, password.expose()).await?;
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let token =
        replace_password_keeping_this_browser(&mut tx, user.user_id, &hash, now).await?.ok_or(AuthError::NotSignedIn)?;
    queue_change_notice(state, &mut tx, user.user_id, &user.email, &user.username, &user.full_name, now).await?;
    audit::record(
        &mut tx,
        audit_entry(user.user_id, user.customer_id, "password_changed", String::new(), ip),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// The username or address a reset was asked for; only emptiness is refused,
/// so that the answer says nothing about what exists.
pub fn reset_identifier(raw: &str) -> Result<&str, AuthError> {
    let identifier = raw.trim();
    if identifier.is_empty() {
        return Err(InputError::new(messages::IDENTIFIER_MISSING).into());
    }
    Ok(identifier)
}

/// Runs [`request_reset`] after the answer has gone out: the answer then
/// takes the same time whether or not an account matched.
pub fn request_reset_in_background(state: &AppState, identifier: &str, ip: Option<String>) -> Result<(), AuthError> {
    let identifier = reset_identifier(identifier)?.to_owned();
    let task_state = state.clone();
    state.background.spawn(async move {
        let state = task_state;
        if let Err(error) = request_reset(&state, &identifier, ip).await {
            tracing::error!(?error, "a password reset request could not be processed");
        }
    });
    Ok(())
}

#[derive(sqlx::FromRow)]
struct ResetCandidate {
    id: i64,
    customer_id: i64,
    username: String,
    email: String,
    salutation: String,
    first_name: String,
    last_name: String,
}

/// "Passwort vergessen" for a username or an e-mail address. Every active
/// account that matches gets a fresh 1-hour link (older ones stop working);
/// accounts sharing an address get one mail listing each username with its
/// own link. Unknown and inactive accounts get nothing — and the caller
/// cannot tell the difference: the answer is the same.
pub async fn request_reset(state: &AppState, identifier: &str, ip: Option<String>) -> Result<(), AuthError> {
    let identifier = reset_identifier(identifier)?;
    let username_key = Username::parse(identifier).map(|u| u.key()).unwrap_or_default();
    let email_key = identifier.to_lowercase();
    let candidates: Vec<ResetCandidate> = sqlx::query_as(
        "SELECT id, customer_id, username, email, salutation, first_name, last_name FROM users \
         WHERE active = 1 AND (lower(username) = $1 OR lower(email) = $2) ORDER BY lower(email), id",
    )
    .bind(&username_key)
    .bind(&email_key)
    .fetch_all(&state.pool)
    .await?;

    let now = state.clock.now();
    let ttl = state.config.reset_ttl.as_secs() as i64;
    let mut tx = db::begin(&state.pool).await?;
    let mut queued = false;
    for group in candidates.chunk_by(|a, b| a.email.eq_ignore_ascii_case(&b.email)) {
        let Ok(recipient) = EmailAddress::parse(&group[0].email) else {
            tracing::warn!(user_id = group[0].id, "no valid address for the reset link");
            continue;
        };
        let mut accounts = Vec::new();
        let mut first_token_id = None;
        for user in group {
            let (token_id, token) = issue_token(&mut tx, user.id, "password_reset", now, now + ttl).await?;
            first_token_id.get_or_insert(token_id);
            accounts.push(minijinja::context! {
                username => user.username.clone(),
                link => format!("{}/passwort-neu?token={token}", state.config.base_url),
            });
            audit::record(
                &mut tx,
                audit_entry(user.id, user.customer_id, "password_reset_requested", String::new(), ip.clone()),
                now,
            )
            .await?;
        }
        let display_name = match group {
            [only] => full_name(&only.salutation, &only.first_name, &only.last_name, &only.username),
            _ => String::new(),
        };
        let context = minijinja::context! {
            ..state.mail_base_context(),
            ..minijinja::context! {
                accounts => accounts,
                display_name => display_name,
                valid_minutes => ttl / 60,
            },
        };
        state.outbox.enqueue(
        &mut tx,
            OutgoingMail {
                template: MailTemplate::PasswordReset,
                idempotency_key: format!("reset:{}", first_token_id.unwrap_or_default()),
                recipient,
                context,
                expires_at: Some(now + ttl),
            },
            now,
        )
        .await?;
        queued = true;
    }
    tx.commit().await?;
    if queued {
    }
    tracing::info!(accounts = candidates.len(), "password reset requested");
    Ok(())
}

#[derive(sqlx::FromRow)]
struct LinkOwner {
    token_id: i64,
    user_id: i64,
    customer_id: i64,
    customer_name: String,
    username: String,
    email: String,
    salutation: String,
    first_name: String,
    last_name: String,
}

/// The owner of a link that still works: unused, unexpired, active user.
async fn find_link(state: &AppState, kind: LinkKind, token: &str) -> Result<LinkOwner, AuthError> {
    // A real token is 43 characters; anything else need not reach the database.
    if token.is_empty() || token.len() > 128 {
        return Err(AuthError::LinkInvalid);
    }
    let owner: Option<LinkOwner> = sqlx::query_as(
        "SELECT t.id AS token_id, t.user_id, u.customer_id, c.name AS customer_name, u.username, u.email, \
                u.salutation, u.first_name, u.last_name \
         FROM tokens t JOIN users u ON u.id = t.user_id JOIN customers c ON c.id = u.customer_id \
         WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > $3 AND u.active = 1",
    )
    .bind(crypto::token_hash(token))
    .bind(link_purpose(kind))
    .bind(state.clock.now())
    .fetch_optional(&state.pool)
    .await?;
    owner.ok_or(AuthError::LinkInvalid)
}

/// Whether a link works, and the rules for the password it sets.
pub async fn link_info(state: &AppState, kind: LinkKind, token: &str) -> Result<PasswordRules, AuthError> {
    let owner = find_link(state, kind, token).await?;
    Ok(rules_for(state, &owner.username, &owner.customer_name))
}

/// Sets a password through a mailed link. The link is consumed atomically:
/// of two concurrent uses exactly one wins. Every session of the user ends,
/// their other password links stop working and their sign-in wait is lifted.
/// An invitation signs the user in (the cookie value is returned); a reset
/// tells the user by mail instead.
pub async fn use_link(
    state: &AppState,
    kind: LinkKind,
    token: &str,
    password: &str,
    confirm: &str,
    ip: Option<String>,
) -> Result<Option<String>, AuthError> {
    let owner = find_link(state, kind, token).await?;
    let rules = rules_for(state, &owner.username, &owner.customer_name);
    let password = parse_new_password(&rules, password, confirm)?;
    let hash = hashing::hash(state, password.expose()).await?;

    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let consumed: Option<i64> = sqlx::query_scalar(
        "UPDATE tokens SET used_at = $1 WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 \
         RETURNING user_id",
    )
    .bind(now)
    .bind(crypto::token_hash(token))
    .bind(link_purpose(kind))
    .fetch_optional(&mut *tx)
    .await?;
    if consumed != Some(owner.user_id) {
        return Err(AuthError::LinkInvalid);
    }
    sqlx::query(
        "UPDATE tokens SET used_at = $1 WHERE user_id = $2 AND purpose IN ('invitation', 'password_reset') \
         AND used_at IS NULL",
    )
    .bind(now)
    .bind(owner.user_id)
    .execute(&mut *tx)
    .await?;
    lockout::clear(&mut *tx, &lockout::identifier_key(&owner.username).unwrap_or_default()).await?;

    let session = match kind {
        LinkKind::PasswordReset => {
            replace_password(&mut tx, owner.user_id, &hash, now).await?.ok_or(AuthError::LinkInvalid)?;
            let display_name = full_name(&owner.salutation, &owner.first_name, &owner.last_name, &owner.username);
            queue_change_notice(state, &mut tx, owner.user_id, &owner.email, &owner.username, &display_name, now)
                .await?;
            audit::record(&mut tx, audit_entry(owner.user_id, owner.customer_id, "password_reset", String::new(), ip), now)
                .await?;
            None
        }
        LinkKind::Invitation => {
            let session = replace_password_keeping_this_browser(&mut tx, owner.user_id, &hash, now)
                .await?
                .ok_or(AuthError::LinkInvalid)?;
            audit::record(
                &mut tx,
                audit_entry(owner.user_id, owner.customer_id, "invitation_accepted", String::new(), ip),
                now,
            )
            .await?;
            Some(session)
        }
    };
    tx.commit().await?;
    tracing::info!(token_id = owner.token_id, ?kind, "password set through a link");
    if session.is_none() {
    }
    Ok(session)
}
