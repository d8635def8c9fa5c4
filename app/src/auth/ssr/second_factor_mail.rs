//! The mails that tell a user of their second factor: turned on, turned
//! off (by them or reset by the operator), a recovery code used — in the
//! user's language.

use super::AuthError;
use crate::domain::{EmailAddress, UnixTime};
use crate::server::db::{self, Transaction};
use crate::server::mail::{addressed_as, language_or, unique_key, MailExtras, MailTemplate, OutgoingMail};
use crate::server::state::AppState;

/// What a user is told by mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    TurnedOn,
    TurnedOff,
    ResetByOperator,
    RecoveryCodeUsed { left: i64 },
}

/// Queues the mail that tells the user of `notice`, in `tx` with the change.
pub async fn queue_mail(state: &AppState, tx: &mut Transaction<'_>, user_id: i64, notice: Notice, now: UnixTime) -> Result<(), AuthError> {
    let row: Option<(String, String, String, String, String, Option<String>)> =
        db::query_as("SELECT email, username, salutation, first_name, last_name, language FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some((email, username, salutation, first, last, language)) = row else { return Ok(()) };
    let lang = language_or(language.as_deref(), state.config.default_language);
    let Ok(recipient) = EmailAddress::parse(&email) else {
        tracing::warn!(user_id, "no valid address for the second-factor notice");
        return Ok(());
    };
    let (template, left, reason) = match notice {
        Notice::TurnedOn => (MailTemplate::SecondFactorOn, 0, "second_factor_on"),
        Notice::TurnedOff => (MailTemplate::SecondFactorOff, 0, "second_factor_off"),
        Notice::ResetByOperator => (MailTemplate::SecondFactorOff, 0, "second_factor_reset"),
        Notice::RecoveryCodeUsed { left } => (MailTemplate::RecoveryCodeUsed, left, "recovery_code_used"),
    };
    let context = minijinja::context! {
        ..state.mail_base_context(),
        ..minijinja::context! {
            username => username,
            display_name => addressed_as(lang, &salutation, &first, &last, &username),
            by_operator => notice == Notice::ResetByOperator,
            codes_left => left,
        },
    };
    let mail = OutgoingMail {
        template,
        // One per event: each is a change the user must hear of.
        idempotency_key: unique_key(reason, format!("{user_id}-{}-{}", now.seconds(), crate::server::crypto::new_token())),
        recipient,
        lang,
        context,
        expires_at: None,
    };
    state.outbox.enqueue_new(tx, mail, MailExtras::default(), now).await?;
    Ok(())
}

