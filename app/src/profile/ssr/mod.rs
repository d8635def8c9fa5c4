//! Profil on the server: the details shown, the name, the e-mail change
//! behind its link, and how new documents are announced — plain `async fn`s
//! the server functions (and tests) call.

pub mod api;
pub mod language;

use super::{EMAIL_LINK_HOURS, EmailChangeInfo, NotificationChoice, NotifyMode, ProfileDetails};
use crate::auth::ssr::links::TokenPurpose;
use crate::auth::ssr::SessionUser;
use crate::domain::{EmailAddress, InputError, PersonName, Refusal, Salutation};
use crate::error::AppError;
use crate::server::audit::{self, Actor, AuditDetail, AuditEntry};
use crate::server::crypto;
use crate::server::db;
use crate::server::mail::{addressed_as, addressee_of_user, language_of_user, unique_key, Addressee, MailExtras, MailTemplate, OutgoingMail};
use crate::server::state::AppState;

crate::stored_as_words!(NotifyMode, all: NotifyMode::ALL, word: NotifyMode::key);

pub async fn notify_mode(state: &AppState, user_id: i64) -> Result<NotifyMode, sqlx::Error> {
    db::query_scalar("SELECT notify_mode FROM users WHERE id = $1").bind(user_id).fetch_one(&state.pool).await
}

pub async fn notification(state: &AppState, user_id: i64) -> Result<NotificationChoice, sqlx::Error> {
    let (mode, with_xml): (NotifyMode, bool) =
        db::query_as("SELECT notify_mode, notify_with_xml FROM users WHERE id = $1").bind(user_id).fetch_one(&state.pool).await?;
    Ok(NotificationChoice { mode, with_xml })
}

/// Stores the mode with its audit entry, the XML choice as it was;
/// choosing the same again changes nothing.
pub async fn set_notify_mode(state: &AppState, user: &SessionUser, mode: NotifyMode, ip: Option<String>) -> Result<(), AppError> {
    store_notification(state, user, mode, None, ip).await
}

/// Profil's form: the mode and the XML choice together.
pub async fn set_notification(state: &AppState, user: &SessionUser, choice: NotificationChoice, ip: Option<String>) -> Result<(), AppError> {
    store_notification(state, user, choice.mode, Some(choice.with_xml), ip).await
}

/// `with_xml: None` keeps it. A change of either is audited.
async fn store_notification(
    state: &AppState,
    user: &SessionUser,
    mode: NotifyMode,
    with_xml: Option<bool>,
    ip: Option<String>,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let (before, xml_before): (NotifyMode, bool) =
        db::query_as(&state.pool.locked("SELECT notify_mode, notify_with_xml FROM users WHERE id = $1"))
            .bind(user.user_id)
            .fetch_one(&mut *tx)
            .await?;
    let with_xml = with_xml.unwrap_or(xml_before);
    if (before, xml_before) == (mode, with_xml) {
        return Ok(());
    }
    db::query("UPDATE users SET notify_mode = $1, notify_with_xml = $2 WHERE id = $3")
        .bind(mode)
        .bind(with_xml)
        .bind(user.user_id)
        .execute(&mut *tx)
        .await?;
    let entry = AuditEntry {
        actor: Actor::User(user.user_id),
        customer_id: Some(user.customer_id),
        action: "notification_changed",
        detail: AuditDetail::NotifyMode { before, after: mode, with_xml: (xml_before != with_xml).then_some(with_xml) },
        ip,
    };
    audit::record(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn details(state: &AppState, user_id: i64) -> Result<ProfileDetails, sqlx::Error> {
    let (username, salutation, first_name, last_name, email): (String, String, String, String, String) =
        db::query_as("SELECT username, salutation, first_name, last_name, email FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_one(&state.pool)
            .await?;
    let pending_email: Option<String> = db::query_scalar(
        "SELECT payload FROM tokens WHERE user_id = $1 AND purpose = $3 AND used_at IS NULL AND expires_at > $2 \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(user_id)
    .bind(state.clock.now())
    .bind(TokenPurpose::EmailChange)
    .fetch_optional(&state.pool)
    .await?
    .flatten();
    Ok(ProfileDetails {
        username,
        salutation: Salutation::parse(&salutation).unwrap_or_default(),
        first_name,
        last_name,
        email,
        pending_email,
    })
}

/// Anrede, Vorname and Nachname as the form sent them, parsed.
pub struct NewName {
    pub salutation: Salutation,
    pub first: PersonName,
    pub last: PersonName,
}

impl NewName {
    pub fn parse(salutation: &str, first: &str, last: &str) -> Result<Self, InputError> {
        Ok(Self {
            salutation: Salutation::parse(salutation).map_err(|error| error.at("salutation"))?,
            first: PersonName::parse(first).map_err(|error| error.at("first_name"))?,
            last: PersonName::parse(last).map_err(|error| error.at("last_name"))?,
        })
    }
}

pub async fn set_name(state: &AppState, user: &SessionUser, name: NewName, ip: Option<String>) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let updated = db::query("UPDATE users SET salutation = $1, first_name = $2, last_name = $3 WHERE id = $4 AND active = TRUE")
        .bind(name.salutation.key())
        .bind(name.first.as_str())
        .bind(name.last.as_str())
        .bind(user.user_id)
        .execute(&mut *tx)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(AppError::NotSignedIn);
    }
    let detail = AuditDetail::Name {
        salutation: name.salutation.key().to_owned(),
        first: name.first.as_str().to_owned(),
        last: name.last.as_str().to_owned(),
        username: user.username.clone(),
    };
    let entry = AuditEntry { actor: Actor::User(user.user_id), customer_id: Some(user.customer_id), action: "name_changed", detail, ip };
    audit::record(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Checks the password (the login's lockout counter), then mails a
/// 24-hour link to the new address; an earlier link stops working.
/// Whether another user has this address is neither checked nor told:
/// users of one customer may share one.
pub async fn request_email_change(
    state: &AppState,
    user: &SessionUser,
    email: &str,
    password: &str,
    ip: Option<String>,
) -> Result<String, AppError> {
    let new_email = EmailAddress::parse(email).map_err(|error| error.at("email"))?;
    if new_email.as_str().eq_ignore_ascii_case(&user.email) {
        return Err(InputError::new(Refusal::EmailUnchanged).at("email").into());
    }
    use crate::auth::ssr::passwords::{verify_current_password, PasswordAskedFor};
    verify_current_password(state, user, password, PasswordAskedFor::EmailChange, ip.clone()).await?;
    let now = state.clock.now();
    let expires_at = now + EMAIL_LINK_HOURS * 3600;
    let mut tx = db::begin(&state.pool).await?;
    let (token_id, token) = crate::auth::ssr::links::issue_token(&mut tx, user.user_id, TokenPurpose::EmailChange, now, expires_at).await?;
    db::query("UPDATE tokens SET payload = $1 WHERE id = $2").bind(new_email.as_str()).bind(token_id).execute(&mut *tx).await?;
    let link = crate::routes::with_token(&format!("{}{}", state.config.base_url, crate::routes::EMAIL_CONFIRM), &token);
    let default_language = state.config.default_language;
    let addressee = addressee_of_user(&mut tx, user.user_id, default_language)
        .await?
        .unwrap_or_else(|| Addressee { lang: default_language, display_name: user.full_name.clone() });
    let context = minijinja::context! {
        ..state.mail_base_context(),
        ..minijinja::context! {
            username => user.username.clone(),
            display_name => addressee.display_name,
            link => link,
            valid_hours => EMAIL_LINK_HOURS,
        },
    };
    let mail = OutgoingMail {
        template: MailTemplate::EmailChange,
        idempotency_key: unique_key("email_change", token_id),
        recipient: new_email.clone(),
        lang: addressee.lang,
        context,
        expires_at: Some(expires_at),
    };
    state.outbox.enqueue_new(&mut tx, mail, MailExtras::default(), now).await.map_err(|error| AppError::internal(&error))?;
    let entry = AuditEntry {
        actor: Actor::User(user.user_id),
        customer_id: Some(user.customer_id),
        action: "email_change_requested",
        detail: AuditDetail::NewAddress { email: new_email.as_str().to_owned() },
        ip,
    };
    audit::record(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(new_email.as_str().to_owned())
}

#[derive(sqlx::FromRow)]
struct EmailLink {
    token_id: i64,
    user_id: i64,
    customer_id: i64,
    new_email: Option<String>,
    old_email: String,
    username: String,
    salutation: String,
    first_name: String,
    last_name: String,
}

const LINK_QUERY: &str = "SELECT t.id AS token_id, t.user_id, u.customer_id, t.payload AS new_email, u.email AS old_email, \
        u.username, u.salutation, u.first_name, u.last_name \
     FROM tokens t JOIN users u ON u.id = t.user_id \
     WHERE t.token_hash = $1 AND t.purpose = $3 AND t.used_at IS NULL AND t.expires_at > $2 AND u.active = TRUE \
       AND t.security_stamp = u.security_stamp";

pub async fn email_change_info(state: &AppState, token: &str) -> Result<EmailChangeInfo, AppError> {
    let link: Option<EmailLink> = db::query_as(LINK_QUERY)
        .bind(crypto::token_hash(token))
        .bind(state.clock.now())
        .bind(TokenPurpose::EmailChange)
        .fetch_optional(&state.pool)
        .await?;
    let link = link.ok_or(AppError::EmailLinkInvalid)?;
    Ok(EmailChangeInfo { username: link.username, new_email: link.new_email.unwrap_or_default() })
}

/// Uses the link once: the address changes, the security stamp rotates
/// (every session of the user ends) and the old address gets a notice.
/// When `this_browser` is a session of the same user it goes on under a
/// new id, whose cookie value is returned.
pub async fn confirm_email_change(
    state: &AppState,
    token: &str,
    this_browser: Option<&SessionUser>,
    ip: Option<String>,
) -> Result<Option<String>, AppError> {
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let link: Option<EmailLink> = db::query_as(&state.pool.locked(LINK_QUERY))
        .bind(crypto::token_hash(token))
        .bind(now)
        .bind(TokenPurpose::EmailChange)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(link) = link else { return Err(AppError::EmailLinkInvalid) };
    let new_email = link.new_email.as_deref().and_then(|raw| EmailAddress::parse(raw).ok()).ok_or(AppError::EmailLinkInvalid)?;
    // Of two uses at once, one wins.
    let used = db::query("UPDATE tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL").bind(now).bind(link.token_id).execute(&mut *tx).await?;
    if used.rows_affected() == 0 {
        return Err(AppError::EmailLinkInvalid);
    }
    // This browser, when it is signed in as the same user, stays signed in
    // (with its own sign-in time: a mailed link is no password).
    let kept = match this_browser {
        Some(session) if session.user_id == link.user_id && session.pending.is_none() => {
            crate::auth::ssr::session::keep_this_session(&mut tx, session).await?
        }
        _ => None,
    };
    db::query("UPDATE users SET email = $1 WHERE id = $2").bind(new_email.as_str()).bind(link.user_id).execute(&mut *tx).await?;
    let stamp = crate::auth::ssr::session::rotate_security_stamp(&mut tx, link.user_id, now).await?;
    db::query("DELETE FROM sessions WHERE user_id = $1").bind(link.user_id).execute(&mut *tx).await?;
    let session = match kept {
        Some(kept) => Some(crate::auth::ssr::session::resume_session(&mut tx, link.user_id, &stamp, kept, now).await?),
        None => None,
    };
    let lang = language_of_user(&mut tx, link.user_id, state.config.default_language).await?;
    let display_name = addressed_as(lang, &link.salutation, &link.first_name, &link.last_name, &link.username);
    if let Ok(old) = EmailAddress::parse(&link.old_email) {
        let context = minijinja::context! {
            ..state.mail_base_context(),
            ..minijinja::context! { username => link.username.clone(), display_name => display_name, email => new_email.as_str() },
        };
        let mail = OutgoingMail {
            template: MailTemplate::EmailChanged,
            idempotency_key: unique_key("email_changed", link.token_id),
            recipient: old,
            lang,
            context,
            expires_at: None,
        };
        state.outbox.enqueue_new(&mut tx, mail, MailExtras::default(), now).await.map_err(|error| AppError::internal(&error))?;
    }
    let entry = AuditEntry {
        actor: Actor::User(link.user_id),
        customer_id: Some(link.customer_id),
        action: "email_changed",
        detail: AuditDetail::Plain(format!("{} → {}", link.old_email, new_email.as_str())),
        ip,
    };
    audit::record(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(session)
}
