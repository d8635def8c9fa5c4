use crate::server::db;
use super::MailStatus;
use super::{MailError, MailTemplate, MailTemplates};
use crate::domain::EmailAddress;
use crate::i18n::Lang;
use crate::server::db::{Pool, Transaction};
use std::sync::Arc;
use tokio::sync::Notify;
use crate::domain::UnixTime;

/// Where mail is queued: the templates and the worker's wake-up signal.
/// Queuing wakes the worker when the caller's transaction commits.
#[derive(Clone)]
pub struct Outbox {
    templates: Arc<MailTemplates>,
    wake: Arc<Notify>,
}

impl Outbox {
    pub fn new(templates: MailTemplates) -> Self {
        Self { templates: Arc::new(templates), wake: Arc::new(Notify::new()) }
    }

    pub fn templates(&self) -> &MailTemplates {
        &self.templates
    }

    /// What the worker waits on between rounds.
    pub fn wake_signal(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// Renders the mail and queues it inside `tx`, so it exists exactly when
    /// the change that caused it does; the worker wakes after the commit.
    /// Returns false when the same mail (kind, recipient and user) was queued
    /// under this key before; a different mail under the key is
    /// [`MailError::KeyTaken`], never silence.
    pub async fn enqueue(&self, tx: &mut Transaction<'_>, mail: OutgoingMail, now: UnixTime) -> Result<bool, MailError> {
        Ok(self.enqueue_with(tx, mail, MailExtras::default(), now).await?.is_some())
    }

    /// Queues a mail that must be new — what a change causes, under a key
    /// from [`unique_key`] — and returns its row id. A key that is there
    /// already is [`MailError::KeyTaken`].
    pub async fn enqueue_new(
        &self,
        tx: &mut Transaction<'_>,
        mail: OutgoingMail,
        extras: MailExtras,
        now: UnixTime,
    ) -> Result<i64, MailError> {
        let key = mail.idempotency_key.clone();
        self.enqueue_with(tx, mail, extras, now).await?.ok_or(MailError::KeyTaken(key))
    }

    /// [`Outbox::enqueue`] for a mail with more than text: an attachment, a
    /// one-click unsubscribe, a later start, the documents it is about.
    /// Returns the new row's id, or `None` when the same mail was queued
    /// under this key before.
    pub async fn enqueue_with(
        &self,
        tx: &mut Transaction<'_>,
        mail: OutgoingMail,
        extras: MailExtras,
        now: UnixTime,
    ) -> Result<Option<i64>, MailError> {
        let id = enqueue(tx, &self.templates, mail, &extras, now).await?;
        if let Some(id) = id {
            for document_id in &extras.documents {
                link_document(tx, *document_id, id).await?;
            }
            tx.wake_after_commit(&self.wake);
        }
        Ok(id)
    }

    /// A mail that has not been tried yet is rendered again with `context`
    /// in `lang` (a batched notice that gains a document) and also counts
    /// for `document_id`. Returns false when it is no longer waiting: a
    /// worker has claimed it, and the caller queues a new one.
    #[allow(clippy::too_many_arguments)]
    pub async fn extend_waiting(
        &self,
        tx: &mut Transaction<'_>,
        id: i64,
        template: MailTemplate,
        lang: Lang,
        context: &minijinja::Value,
        document_id: i64,
        now: UnixTime,
    ) -> Result<bool, MailError> {
        let rendered = self.templates.render(template, lang, context)?;
        let updated = db::query(
            "UPDATE mail_outbox SET subject = $1, body_text = $2, body_html = $3, language = $7 \
             WHERE id = $4 AND status = $6 AND attempts = 0 AND lease_until IS NULL AND next_attempt_at > $5",
        )
        .bind(&rendered.subject)
        .bind(&rendered.text)
        .bind(&rendered.html)
        .bind(id)
        .bind(now)
        .bind(MailStatus::Queued)
        .bind(lang.code())
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if updated == 1 {
            link_document(tx, document_id, id).await?;
        }
        Ok(updated == 1)
    }
}

async fn link_document(tx: &mut Transaction<'_>, document_id: i64, outbox_id: i64) -> Result<(), sqlx::Error> {
    db::query("INSERT INTO document_mails (document_id, outbox_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(document_id)
        .bind(outbox_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whose waiting mails [`withdraw`] takes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Withdrawn {
    /// Every mail to the user (they were deactivated or removed).
    User(i64),
    /// Every mail of the forwarding: its confirmation request and the documents it forwards.
    Forwarding(i64),
}

/// The key of a mail that a change causes in its own transaction: the
/// reason and what it is about, for the operator's eye, and a random part,
/// so that no two mails ever share a key — not even when SQLite gives a
/// deleted row's id to a new one.
pub fn unique_key(reason: &str, about: impl std::fmt::Display) -> String {
    format!("{reason}:{about}:{}", crate::server::crypto::hex(&crate::server::crypto::random_bytes::<8>()))
}

/// Takes back the mails that wait for a reason that is gone — a user
/// deactivated or removed, a forwarding removed or ended — in the
/// caller's transaction. A mail a worker holds right now may still go
/// out; every other one waits no more. Returns how many were taken back.
pub async fn withdraw(tx: &mut Transaction<'_>, whose: Withdrawn, now: UnixTime) -> Result<u64, sqlx::Error> {
    let (column, id) = match whose {
        Withdrawn::User(id) => ("user_id", id),
        Withdrawn::Forwarding(id) => ("forwarding_id", id),
    };
    let withdrawn = db::query(&format!(
        "UPDATE mail_outbox SET status = $3, body_text = '', body_html = '', list_unsubscribe = NULL \
         WHERE {column} = $1 AND status = $4 AND (lease_until IS NULL OR lease_until < $2)"
    ))
    .bind(id)
    .bind(now)
    .bind(MailStatus::Expired)
    .bind(MailStatus::Queued)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(withdrawn)
}

/// What a mail may carry beyond its text.
#[derive(Debug, Clone, Default)]
pub struct MailExtras {
    /// The user the mail is for, when it is one of the portal's users.
    pub user_id: Option<i64>,
    /// The forwarding the mail belongs to (its confirmation request, a forwarded document).
    pub forwarding_id: Option<i64>,
    /// A document's PDF, read from storage when the mail is sent.
    pub attachment: Option<MailAttachment>,
    /// `List-Unsubscribe` (with `List-Unsubscribe-Post: List-Unsubscribe=One-Click`).
    pub list_unsubscribe: Option<String>,
    /// Not sent before this time (a batched notice waits for more documents).
    pub not_before: Option<UnixTime>,
    /// The documents the mail is about, for their delivery log.
    pub documents: Vec<i64>,
}

#[derive(Debug, Clone)]
pub struct MailAttachment {
    pub document_id: i64,
    /// The file name the recipient sees, e.g. `Rechnung_RE-1.pdf`; the
    /// invoice XML is named alike, `Rechnung_RE-1.xml`.
    pub file_name: String,
    pub parts: crate::domain::AttachmentParts,
}

/// A mail to be written to the outbox in the caller's transaction.
pub struct OutgoingMail {
    pub template: MailTemplate,
    /// Unique per reason and recipient, e.g. `invitation:{token id}`; a
    /// second mail with the same key is not queued again.
    pub idempotency_key: String,
    pub recipient: EmailAddress,
    /// The recipient's language, the one the mail is written in: a user's
    /// setting or the operator's default ([`super::language_of_user`]), a
    /// forwarding's stored language. Rendered when queued, a mail keeps it.
    pub lang: Lang,
    pub context: minijinja::Value,
    /// When the mail holds a link that expires, it expires with it.
    pub expires_at: Option<UnixTime>,
}

async fn enqueue(
    tx: &mut Transaction<'_>,
    templates: &MailTemplates,
    mail: OutgoingMail,
    extras: &MailExtras,
    now: UnixTime,
) -> Result<Option<i64>, MailError> {
    let rendered = templates.render(mail.template, mail.lang, &mail.context)?;
    let id: Option<i64> = db::query_scalar(
        "INSERT INTO mail_outbox (idempotency_key, kind, recipient, subject, body_text, body_html, \
         next_attempt_at, expires_at, created_at, user_id, attachment_document_id, attachment_name, list_unsubscribe, forwarding_id, language, \
         attachment_parts) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
    )
    .bind(&mail.idempotency_key)
    .bind(mail.template.name())
    .bind(mail.recipient.as_str())
    .bind(&rendered.subject)
    .bind(&rendered.text)
    .bind(&rendered.html)
    .bind(extras.not_before.unwrap_or(now).max(now))
    .bind(mail.expires_at)
    .bind(now)
    .bind(extras.user_id)
    .bind(extras.attachment.as_ref().map(|a| a.document_id))
    .bind(extras.attachment.as_ref().map(|a| a.file_name.clone()))
    .bind(extras.list_unsubscribe.clone())
    .bind(extras.forwarding_id)
    .bind(mail.lang.code())
    .bind(extras.attachment.as_ref().map(|a| a.parts).unwrap_or_default().key())
    .fetch_optional(&mut **tx)
    .await?;
    if id.is_some() {
        return Ok(id);
    }
    // The key is taken: by this very mail queued before (the same change
    // sent twice), or by another one — which must never pass unnoticed.
    let (kind, recipient, user_id): (String, String, Option<i64>) =
        db::query_as("SELECT kind, recipient, user_id FROM mail_outbox WHERE idempotency_key = $1")
            .bind(&mail.idempotency_key)
            .fetch_one(&mut **tx)
            .await?;
    let same = kind == mail.template.name() && recipient.eq_ignore_ascii_case(mail.recipient.as_str()) && user_id == extras.user_id;
    if same {
        Ok(None)
    } else {
        tracing::error!(key = %mail.idempotency_key, kind, "mail outbox: a key meets a different mail");
        Err(MailError::KeyTaken(mail.idempotency_key))
    }
}

/// One outbox row as the operator sees it (no bodies).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub status: MailStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: UnixTime,
}

#[derive(Debug, Clone, Default)]
pub struct OutboxSummary {
    pub queued: i64,
    pub sent: i64,
    pub dead: i64,
    pub expired: i64,
    pub dead_rows: Vec<OutboxRow>,
}

/// Counts per state and the dead rows, for `kundenportal mail status`.
pub async fn outbox_summary(pool: &Pool) -> Result<OutboxSummary, sqlx::Error> {
    let counts: Vec<(MailStatus, i64)> =
        db::query_as("SELECT status, COUNT(*) FROM mail_outbox GROUP BY status").fetch_all(pool).await?;
    let mut summary = OutboxSummary::default();
    for (status, count) in counts {
        match status {
            MailStatus::Queued => summary.queued = count,
            MailStatus::Sent => summary.sent = count,
            MailStatus::Dead => summary.dead = count,
            MailStatus::Expired => summary.expired = count,
        }
    }
    summary.dead_rows = db::query_as(
        "SELECT id, kind, recipient, status, attempts, last_error, created_at FROM mail_outbox \
         WHERE status = $1 ORDER BY id DESC LIMIT 50",
    )
    .bind(MailStatus::Dead)
    .fetch_all(pool)
    .await?;
    Ok(summary)
}
