//! Server side of Weiterleitungen: add with a confirmation mail, remove,
//! the answers behind the mailed links (confirm, decline, end), and the
//! delivery log. Every query names the caller's customer; a link's token
//! names its forwarding, and only a hash of it is stored.

use super::{DeliveryEntry, DeliveryLog, ForwardingLinkInfo, ForwardingOverview, ForwardingRow, ForwardingStatus, TypeChoice};
use crate::auth::ssr::SessionUser;
use crate::domain::{EmailAddress, AttachmentParts, ForwardingState, InputError, Refusal};
use crate::i18n::Lang;
use crate::error::AppError;
use crate::routes;
use crate::server::allowance::{self, Allowance};
use crate::server::audit::{self, Actor, AuditDetail, AuditEntry, TypeName};
use crate::server::crypto;
use crate::documents::ssr::types::name_column;
use crate::server::dates::{date_in, day_in, german_time};
use crate::server::db::{self, is_unique_violation, Pool, Transaction};
use crate::server::mail::{
    addressed_as, language_of_user, unique_key, withdraw, DeliveryFailure, MailError, MailExtras, MailStatus, MailTemplate, OutgoingMail, Withdrawn,
};
use crate::server::state::AppState;
use crate::domain::UnixTime;

crate::stored_as_words!(AttachmentParts, all: AttachmentParts::ALL, word: AttachmentParts::key);

/// What can go wrong here; converted to [`AppError`] at the server-function boundary.
#[derive(Debug, thiserror::Error)]
pub enum ForwardingError {
    #[error("input refused: {0}")]
    Input(#[from] InputError),
    #[error("the same address and type exist")]
    Duplicate,
    #[error("the customer has as many forwardings as allowed")]
    LimitReached,
    #[error("today's additions of the user or the customer are used up")]
    AddsUsedUp,
    #[error("no such forwarding or document for this customer")]
    NotFound,
    #[error("the link is unknown, used or expired")]
    LinkInvalid,
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("mail could not be queued")]
    Mail(#[from] MailError),
}

impl From<ForwardingError> for AppError {
    fn from(error: ForwardingError) -> Self {
        match error {
            ForwardingError::Input(input) => input.into(),
            ForwardingError::Duplicate => InputError::new(Refusal::ForwardingExists).at("email").into(),
            ForwardingError::LimitReached => Refusal::ForwardingsFull.into(),
            ForwardingError::AddsUsedUp => Refusal::AddsUsedUp.into(),
            ForwardingError::NotFound => AppError::NotFound,
            ForwardingError::LinkInvalid => AppError::ForwardingLinkInvalid,
            other => AppError::internal(&other),
        }
    }
}

/// "Rechnung", or "alle Typen" for a forwarding of every type, in `lang`.
fn types_label(type_name: Option<&str>, lang: Lang) -> String {
    type_name.map_or_else(|| crate::t!(lang, "forwarding-all-types"), str::to_owned)
}

/// The address twice, the type and what it sends, parsed: what
/// "Speichern" may store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewForwarding {
    pub email: EmailAddress,
    /// `None`: every type.
    pub type_key: Option<String>,
    pub sends: AttachmentParts,
}

impl NewForwarding {
    pub fn parse(email: &str, confirm: &str, type_key: &str, sends: &str) -> Result<Self, InputError> {
        let email = EmailAddress::parse(email).map_err(|error| error.at("email"))?;
        let same = EmailAddress::parse(confirm).is_ok_and(|confirm| confirm.as_str().eq_ignore_ascii_case(email.as_str()));
        if !same {
            return Err(InputError::new(Refusal::EmailsDiffer).at("confirm"));
        }
        let type_key = type_key.trim();
        let type_key = (!type_key.is_empty()).then(|| type_key.to_owned());
        let sends = AttachmentParts::parse(sends)?;
        Ok(Self { email, type_key, sends })
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    email: String,
    type_name: Option<String>,
    status: ForwardingState,
    optin_expires_at: UnixTime,
    sends: AttachmentParts,
}

/// The page's rows and choices, with the type names and labels in `lang`.
pub async fn overview(state: &AppState, user: &SessionUser, lang: Lang) -> Result<ForwardingOverview, ForwardingError> {
    let rows: Vec<Row> = db::query_as(&format!(
        "SELECT f.id, f.email, {} AS type_name, f.status, f.optin_expires_at, f.sends FROM forwardings f \
         LEFT JOIN document_types t ON t.key = f.type_key WHERE f.customer_id = $1 ORDER BY lower(f.email), f.id",
        name_column(lang)
    ))
    .bind(user.customer_id)
    .fetch_all(&state.pool)
    .await?;
    let now = state.clock.now();
    let rows = rows
        .into_iter()
        .map(|row| ForwardingRow {
            id: row.id,
            email: row.email,
            types_label: types_label(row.type_name.as_deref(), lang),
            status: match row.status {
                ForwardingState::Confirmed => ForwardingStatus::Confirmed,
                ForwardingState::Pending if row.optin_expires_at <= now => ForwardingStatus::Expired,
                ForwardingState::Pending => ForwardingStatus::Pending,
            },
            sends: row.sends,
        })
        .collect();
    let types = crate::documents::ssr::types::list_in(&state.pool, lang)
        .await?
        .into_iter()
        .map(|kind| TypeChoice { key: kind.key, name: kind.name })
        .collect();
    Ok(ForwardingOverview { rows, types, max: state.config.notifications.forwardings_max })
}

/// Stores a new forwarding as "wartet auf Bestätigung" and queues the
/// confirmation mail to its address, in one transaction. Each attempt takes
/// one from the day's allowance (every one mails an address someone typed
/// in); a refusal is audited.
pub async fn add(
    state: &AppState,
    user: &SessionUser,
    email: &str,
    confirm: &str,
    type_key: &str,
    sends: &str,
    ip: Option<String>,
) -> Result<(), ForwardingError> {
    let new = NewForwarding::parse(email, confirm, type_key, sends)?;
    let outcome = if allowance::take(state, Allowance::ForwardingAdd, user.user_id, user.customer_id).await? {
        add_pending(state, user, &new, ip.clone()).await
    } else {
        Err(ForwardingError::AddsUsedUp)
    };
    let why = match &outcome {
        Err(ForwardingError::AddsUsedUp) => Refusal::AddsUsedUp,
        Err(ForwardingError::Duplicate) => Refusal::ForwardingExists,
        Err(ForwardingError::LimitReached) => Refusal::ForwardingsFull,
        _ => return outcome,
    };
    let entry = AuditEntry {
        actor: Actor::User(user.user_id),
        customer_id: Some(user.customer_id),
        action: "forwarding_add_refused",
        detail: AuditDetail::ForwardingRefused { email: new.email.as_str().to_owned(), reason: why.code().to_owned() },
        ip,
    };
    audit::record_alone(&state.pool, entry, state.clock.now()).await?;
    outcome
}

async fn add_pending(state: &AppState, user: &SessionUser, new: &NewForwarding, ip: Option<String>) -> Result<(), ForwardingError> {
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    // One add per customer at a time, so two at once cannot pass the limit together.
    let customer: (String, String) =
        db::query_as(&state.pool.locked("SELECT number, name FROM customers WHERE id = $1"))
            .bind(user.customer_id)
            .fetch_one(&mut *tx)
            .await?;
    let kind: Option<TypeName> = match &new.type_key {
        None => None,
        Some(key) => {
            let (name, en): (String, Option<String>) = db::query_as("SELECT name, name_en FROM document_types WHERE key = $1")
                .bind(key)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| InputError::new(Refusal::DocumentTypeUnknown).at("type_key"))?;
            Some(TypeName { name, en })
        }
    };
    // A request nobody confirmed in time gives way to the new one.
    db::query(
        "DELETE FROM forwardings WHERE customer_id = $1 AND lower(email) = lower($2) AND COALESCE(type_key, '') = $3 \
         AND status = $5 AND optin_expires_at <= $4",
    )
    .bind(user.customer_id)
    .bind(new.email.as_str())
    .bind(new.type_key.clone().unwrap_or_default())
    .bind(now)
    .bind(ForwardingState::Pending)
    .execute(&mut *tx)
    .await?;
    let existing: i64 = db::query_scalar(
        "SELECT COUNT(*) FROM forwardings WHERE customer_id = $1 AND (status = $3 OR optin_expires_at > $2)",
    )
    .bind(user.customer_id)
    .bind(now)
    .bind(ForwardingState::Confirmed)
    .fetch_one(&mut *tx)
    .await?;
    if existing >= i64::from(state.config.notifications.forwardings_max) {
        return Err(ForwardingError::LimitReached);
    }
    let token = crypto::new_token();
    let expires_at = now + state.config.notifications.optin_seconds;
    // Its mails speak the language of the user who sets it up, kept with it.
    let lang = language_of_user(&mut tx, user.user_id, state.config.default_language).await?;
    let inserted: Result<i64, sqlx::Error> = db::query_scalar(
        "INSERT INTO forwardings (customer_id, email, type_key, status, optin_token_hash, optin_expires_at, created_by, created_at, language, sends) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(user.customer_id)
    .bind(new.email.as_str())
    .bind(new.type_key.clone())
    .bind(ForwardingState::Pending)
    .bind(crypto::token_hash(&token))
    .bind(expires_at)
    .bind(user.user_id)
    .bind(now)
    .bind(lang.code())
    .bind(new.sends)
    .fetch_one(&mut *tx)
    .await;
    let id = match inserted {
        Ok(id) => id,
        Err(error) if is_unique_violation(&error) => return Err(ForwardingError::Duplicate),
        Err(error) => return Err(error.into()),
    };
    let context = minijinja::context! {
        ..state.mail_base_context(),
        ..minijinja::context! {
            customer_number => customer.0,
            customer_name => customer.1,
            email => new.email.as_str(),
            types_label => types_label(kind.as_ref().map(|kind| kind.in_lang(lang)), lang),
            link => format!("{}{}", state.config.base_url, routes::with_token(routes::FORWARDING_CONFIRM, &token)),
            valid_days => state.config.notifications.optin_seconds / (24 * 3600),
        }
    };
    let mail = OutgoingMail {
        template: MailTemplate::ForwardingOptin,
        idempotency_key: unique_key("forwarding_optin", id),
        recipient: new.email.clone(),
        lang,
        context,
        expires_at: Some(expires_at),
    };
    state.outbox.enqueue_new(&mut tx, mail, MailExtras { forwarding_id: Some(id), ..MailExtras::default() }, now).await?;
    let detail = AuditDetail::Forwarding { email: new.email.as_str().to_owned(), kind };
    let entry = AuditEntry { actor: Actor::User(user.user_id), customer_id: Some(user.customer_id), action: "forwarding_added", detail, ip };
    audit::record(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove(state: &AppState, user: &SessionUser, id: i64, ip: Option<String>) -> Result<(), ForwardingError> {
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let removed: Option<(String, Option<String>, Option<String>)> = db::query_as(&state.pool.locked_rows_of(
        "SELECT f.email, t.name, t.name_en FROM forwardings f LEFT JOIN document_types t ON t.key = f.type_key \
         WHERE f.id = $1 AND f.customer_id = $2",
        "f",
    ))
    .bind(id)
    .bind(user.customer_id)
    .fetch_optional(&mut *tx)
    .await?;
    // Another customer's forwarding answers exactly like a missing one.
    let (email, name, en) = removed.ok_or(ForwardingError::NotFound)?;
    // Nothing it would have sent goes out any more, even if the mail server was down until now.
    withdraw(&mut tx, Withdrawn::Forwarding(id), now).await?;
    db::query("DELETE FROM forwardings WHERE id = $1 AND customer_id = $2")
        .bind(id)
        .bind(user.customer_id)
        .execute(&mut *tx)
        .await?;
    let detail = AuditDetail::Forwarding { email, kind: name.map(|name| TypeName { name, en }) };
    let entry = AuditEntry { actor: Actor::User(user.user_id), customer_id: Some(user.customer_id), action: "forwarding_removed", detail, ip };
    audit::record(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct LinkedForwarding {
    id: i64,
    customer_id: i64,
    email: String,
    type_name: Option<String>,
    /// The type's English name, where the operator set one (its main users' mails in English).
    type_name_en: Option<String>,
    customer_number: String,
    customer_name: String,
    sends: AttachmentParts,
}

const LINKED_COLUMNS: &str = "f.id, f.customer_id, f.email, t.name AS type_name, t.name_en AS type_name_en, c.number AS customer_number, c.name AS customer_name, f.sends \
     FROM forwardings f JOIN customers c ON c.id = f.customer_id LEFT JOIN document_types t ON t.key = f.type_key";

impl LinkedForwarding {
    /// What the page behind the link shows, in `lang` (in English the
    /// type's English name where the operator set one).
    fn info(self, lang: Lang) -> ForwardingLinkInfo {
        let kind = self.kind();
        let type_name = kind.as_ref().map(|kind| kind.in_lang(lang));
        ForwardingLinkInfo {
            customer_name: self.customer_name,
            customer_number: self.customer_number,
            email: self.email,
            types_label: types_label(type_name, lang),
            sends: self.sends,
        }
    }

    fn kind(&self) -> Option<TypeName> {
        self.type_name.clone().map(|name| TypeName { name, en: self.type_name_en.clone() })
    }
}

/// The pending forwarding a confirmation token belongs to, while it works;
/// its row locked in the database `locked_in` when the transaction changes it next.
async fn by_optin_token<'c>(
    executor: impl Into<db::Executor<'c>>,
    token: &str,
    now: UnixTime,
    locked_in: Option<&Pool>,
) -> Result<Option<LinkedForwarding>, sqlx::Error> {
    let select = format!("SELECT {LINKED_COLUMNS} WHERE f.optin_token_hash = $1 AND f.status = $3 AND f.optin_expires_at > $2");
    db::query_as(&locked_in.map_or_else(|| select.clone(), |pool| pool.locked_rows_of(&select, "f")))
    .bind(crypto::token_hash(token.trim()))
    .bind(now)
    .bind(ForwardingState::Pending)
    .fetch_optional(executor)
    .await
}

/// The forwarding a forwarded mail's "beenden" token belongs to.
async fn by_unsubscribe_token<'c>(
    executor: impl Into<db::Executor<'c>>,
    token: &str,
    locked_in: Option<&Pool>,
) -> Result<Option<LinkedForwarding>, sqlx::Error> {
    let select = format!("SELECT {LINKED_COLUMNS} WHERE f.id = (SELECT forwarding_id FROM forwarding_unsubscribe_tokens WHERE token_hash = $1)");
    db::query_as(&locked_in.map_or_else(|| select.clone(), |pool| pool.locked_rows_of(&select, "f")))
    .bind(crypto::token_hash(token.trim()))
    .fetch_optional(executor)
    .await
}

pub async fn confirmation_info(state: &AppState, token: &str, lang: Lang) -> Result<ForwardingLinkInfo, ForwardingError> {
    let found = by_optin_token(&state.pool, token, state.clock.now(), None).await?;
    found.map(|found| found.info(lang)).ok_or(ForwardingError::LinkInvalid)
}

pub async fn end_info(state: &AppState, token: &str, lang: Lang) -> Result<ForwardingLinkInfo, ForwardingError> {
    let found = by_unsubscribe_token(&state.pool, token, None).await?;
    found.map(|found| found.info(lang)).ok_or(ForwardingError::LinkInvalid)
}

/// What the owner of a forwarding's address answers through a mailed link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkAnswer {
    /// Confirmation link: yes.
    Confirm,
    /// Confirmation link: no.
    Decline,
    /// The link in a forwarded mail (or its one-click unsubscribe): stop.
    End,
}

impl LinkAnswer {
    /// The page the link opens.
    pub fn page(self) -> &'static str {
        match self {
            LinkAnswer::Confirm | LinkAnswer::Decline => routes::FORWARDING_CONFIRM,
            LinkAnswer::End => routes::FORWARDING_END,
        }
    }

    /// The page's parameter after a plain form post.
    pub fn done_param(self) -> &'static str {
        match self {
            LinkAnswer::Confirm => super::CONFIRMED_PARAM,
            LinkAnswer::Decline => super::DECLINED_PARAM,
            LinkAnswer::End => super::ENDED_PARAM,
        }
    }

    fn audit_action(self) -> &'static str {
        match self {
            LinkAnswer::Confirm => "forwarding_confirmed",
            LinkAnswer::Decline => "forwarding_declined",
            LinkAnswer::End => "forwarding_unsubscribed",
        }
    }
}

/// Carries out the answer. Each token works once: the confirmation token is
/// cleared (or its forwarding deleted) in the same statement that checks
/// it, and ending a forwarding deletes it with every token it had.
pub async fn answer_link(state: &AppState, token: &str, answer: LinkAnswer, ip: Option<String>) -> Result<(), ForwardingError> {
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let found = match answer {
        LinkAnswer::Confirm | LinkAnswer::Decline => by_optin_token(&mut *tx, token, now, Some(&state.pool)).await?,
        LinkAnswer::End => by_unsubscribe_token(&mut *tx, token, Some(&state.pool)).await?,
    };
    let forwarding = found.ok_or(ForwardingError::LinkInvalid)?;
    if answer != LinkAnswer::Confirm {
        // Before the row goes (its mails' link to it goes with it): nothing it would send goes out any more.
        withdraw(&mut tx, Withdrawn::Forwarding(forwarding.id), now).await?;
    }
    let changed = match answer {
        LinkAnswer::Confirm => db::query(
            "UPDATE forwardings SET status = $3, confirmed_at = $1, optin_token_hash = NULL \
             WHERE id = $2 AND status = $4 AND optin_token_hash IS NOT NULL",
        )
        .bind(now)
        .bind(forwarding.id)
        .bind(ForwardingState::Confirmed)
        .bind(ForwardingState::Pending)
        .execute(&mut *tx)
        .await?
        .rows_affected(),
        LinkAnswer::Decline => db::query("DELETE FROM forwardings WHERE id = $1 AND status = $2")
            .bind(forwarding.id)
            .bind(ForwardingState::Pending)
            .execute(&mut *tx)
            .await?
            .rows_affected(),
        LinkAnswer::End => {
            db::query("DELETE FROM forwardings WHERE id = $1").bind(forwarding.id).execute(&mut *tx).await?.rows_affected()
        }
    };
    if changed != 1 {
        return Err(ForwardingError::LinkInvalid);
    }
    if answer != LinkAnswer::Confirm {
        tell_main_users(state, &mut tx, &forwarding, answer == LinkAnswer::Decline, now).await?;
    }
    let entry = AuditEntry {
        actor: Actor::System,
        customer_id: Some(forwarding.customer_id),
        action: answer.audit_action(),
        detail: AuditDetail::ForwardingByRecipient { email: forwarding.email.clone(), kind: forwarding.kind() },
        ip,
    };
    audit::record(&mut tx, entry, now).await?;
    tx.commit().await?;
    tracing::info!(forwarding_id = forwarding.id, ?answer, "forwarding answered by its recipient");
    Ok(())
}

#[derive(sqlx::FromRow)]
struct MainUser {
    id: i64,
    email: String,
    username: String,
    salutation: String,
    first_name: String,
    last_name: String,
}

/// The customer's main users learn, each in their language, that a recipient ended (or declined) a forwarding.
async fn tell_main_users(
    state: &AppState,
    tx: &mut Transaction<'_>,
    forwarding: &LinkedForwarding,
    declined: bool,
    now: UnixTime,
) -> Result<(), ForwardingError> {
    let main_users: Vec<MainUser> = db::query_as(
        "SELECT id, email, username, salutation, first_name, last_name FROM users \
         WHERE customer_id = $1 AND role = $2 AND active = TRUE ORDER BY id",
    )
    .bind(forwarding.customer_id)
    .bind(crate::domain::Role::Main)
    .fetch_all(&mut **tx)
    .await?;
    for user in main_users {
        let Ok(address) = EmailAddress::parse(&user.email) else { continue };
        let lang = language_of_user(&mut **tx, user.id, state.config.default_language).await?;
        let display_name = addressed_as(lang, &user.salutation, &user.first_name, &user.last_name, &user.username);
        let context = minijinja::context! {
            ..state.mail_base_context(),
            ..minijinja::context! {
                display_name,
                email => forwarding.email.clone(),
                types_label => types_label(forwarding.kind().as_ref().map(|kind| kind.in_lang(lang)), lang),
                declined,
                link => format!("{}{}", state.config.base_url, routes::FORWARDINGS),
            }
        };
        let mail = OutgoingMail {
            template: MailTemplate::ForwardingEnded,
            idempotency_key: unique_key("forwarding_ended", forwarding.id),
            recipient: address,
            lang,
            context,
            expires_at: None,
        };
        state.outbox.enqueue_new(tx, mail, MailExtras { user_id: Some(user.id), ..MailExtras::default() }, now).await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct LoggedMail {
    recipient: String,
    kind: String,
    status: MailStatus,
    attempts: i64,
    failure: Option<String>,
    created_at: UnixTime,
    sent_at: Option<UnixTime>,
}

fn kind_label(kind: &str, lang: Lang) -> String {
    match kind {
        "new_documents" => crate::t!(lang, "forwarding-kind-notification"),
        "new_document" => crate::t!(lang, "forwarding-kind-attachment"),
        "forwarded_document" => crate::t!(lang, "forwarding-kind-forwarding"),
        _ => crate::t!(lang, "forwarding-kind-other"),
    }
}

/// For the customer: why a mail failed, never the receiving server's own words.
fn failure_label(failure: DeliveryFailure, lang: Lang) -> String {
    match failure {
        DeliveryFailure::Rejected => crate::t!(lang, "forwarding-failure-rejected"),
        DeliveryFailure::Address => crate::t!(lang, "forwarding-failure-address"),
        DeliveryFailure::Document => crate::t!(lang, "forwarding-failure-document"),
        DeliveryFailure::Attempts => crate::t!(lang, "forwarding-failure-attempts"),
    }
}

/// The mails that went out for one of the caller's customer's documents
/// that is still listed, in `lang`; any other id answers like a missing one.
pub async fn delivery_log(state: &AppState, user: &SessionUser, document_id: i64, lang: Lang) -> Result<DeliveryLog, ForwardingError> {
    let now = state.clock.now();
    let document: Option<(String, String, String)> = db::query_as(&format!(
        "SELECT {} AS name, d.number, d.created_on FROM documents d JOIN document_types t ON t.key = d.type_key \
         WHERE d.id = $1 AND d.customer_id = $2 AND d.hidden_from > $3",
        name_column(lang)
    ))
    .bind(document_id)
    .bind(user.customer_id)
    .bind(now)
    .fetch_optional(&state.pool)
    .await?;
    let (type_name, number, created_on) = document.ok_or(ForwardingError::NotFound)?;
    let mails: Vec<LoggedMail> = db::query_as(
        "SELECT o.recipient, o.kind, o.status, o.attempts, o.failure, o.created_at, o.sent_at \
         FROM document_mails m JOIN mail_outbox o ON o.id = m.outbox_id WHERE m.document_id = $1 ORDER BY o.id",
    )
    .bind(document_id)
    .fetch_all(&state.pool)
    .await?;
    let tz = &state.config.time_zone;
    let entries = mails
        .into_iter()
        .map(|mail| {
            let status = match (mail.status, mail.attempts) {
                (MailStatus::Sent, _) => crate::t!(lang, "forwarding-mail-sent"),
                (MailStatus::Dead, _) => crate::t!(lang, "forwarding-mail-failed"),
                (MailStatus::Expired, _) => crate::t!(lang, "forwarding-mail-expired"),
                (MailStatus::Queued, 0) => crate::t!(lang, "forwarding-mail-queued"),
                (MailStatus::Queued, _) => crate::t!(lang, "forwarding-mail-retrying"),
            };
            let at = mail.sent_at.unwrap_or(mail.created_at);
            let failed = mail.status == MailStatus::Dead;
            let reason = failed.then(|| {
                failure_label(mail.failure.as_deref().and_then(DeliveryFailure::from_code).unwrap_or(DeliveryFailure::Attempts), lang)
            });
            DeliveryEntry {
                recipient: mail.recipient,
                kind: kind_label(&mail.kind, lang),
                status,
                failed,
                at: format!("{} {}", date_in(lang, at, tz), german_time(at, tz)),
                reason,
            }
        })
        .collect();
    let day = day_in(lang, &created_on);
    let document = crate::t!(lang, "forwarding-log-document", kind = type_name.as_str(), number = number.as_str(), date = day.as_str());
    Ok(DeliveryLog { document, entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_must_be_given_twice_alike() {
        let parsed = NewForwarding::parse(" Buchhaltung@Firma.Example ", "buchhaltung@firma.example", "rechnung", "xml").unwrap();
        assert_eq!(parsed.email.as_str(), "Buchhaltung@firma.example");
        assert_eq!(parsed.type_key.as_deref(), Some("rechnung"));
        assert_eq!(parsed.sends, AttachmentParts::Xml);
        assert_eq!(NewForwarding::parse("a@b.example", "a@b.example", "", "file").unwrap().type_key, None);
        let differ = NewForwarding::parse("a@b.example", "a@c.example", "", "file").unwrap_err();
        assert_eq!(differ, InputError::new(Refusal::EmailsDiffer).at("confirm"));
        assert_eq!(NewForwarding::parse("kein-at", "kein-at", "", "file").unwrap_err(), InputError::new(Refusal::EmailInvalid).at("email"));
        let unknown = NewForwarding::parse("a@b.example", "a@b.example", "", "fax").unwrap_err();
        assert_eq!(unknown, InputError::new(Refusal::AttachmentPartsUnknown).at("sends"));
    }
}

/// `POST /weiterleitung/abbestellen?token=…`: the one-click unsubscribe of
/// RFC 8058, sent by the recipient's mail program with the body
/// `List-Unsubscribe=One-Click`. No cookie and no page: the token alone
/// names the forwarding, so no cross-site check applies.
pub async fn one_click_unsubscribe(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (parts, _) = request.into_parts();
    let client = crate::server::limits::client_address(&parts, &state.config);
    let unspecified = std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);
    if let Err(wait) = state.rate_limits.check(crate::server::limits::LimitedAction::Link, client.unwrap_or(unspecified)) {
        let seconds = wait.as_secs().max(1);
        return AppError::TooManyRequests { retry_after_seconds: seconds }.respond(crate::error::Caller::Api);
    }
    let token = parts
        .uri
        .query()
        .and_then(|query| url::form_urlencoded::parse(query.as_bytes()).find(|(key, _)| key == "token"))
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    let lang = Lang::of_request(&parts);
    match answer_link(&state, &token, LinkAnswer::End, client.map(|ip| ip.to_string())).await {
        Ok(()) => (
            http::StatusCode::OK,
            [(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!("{}\n", crate::t!(lang, "forwarding-one-click-ended")),
        )
            .into_response(),
        Err(error) => AppError::from(error).respond(crate::error::Caller::Api),
    }
}
