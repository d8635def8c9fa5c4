use crate::server::db;
use super::{MailError, MailTemplate, MailTemplates};
use crate::domain::EmailAddress;
use crate::server::db::{Pool, Transaction};
use std::sync::Arc;
use tokio::sync::Notify;

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
    /// Returns false when the key was queued before.
    pub async fn enqueue(&self, tx: &mut Transaction<'_>, mail: OutgoingMail, now: i64) -> Result<bool, MailError> {
        let queued = enqueue(tx, &self.templates, mail, now).await?;
        if queued {
            tx.wake_after_commit(&self.wake);
        }
        Ok(queued)
    }
}

/// A mail to be written to the outbox in the caller's transaction.
pub struct OutgoingMail {
    pub template: MailTemplate,
    /// Unique per reason and recipient, e.g. `invitation:{token id}`; a
    /// second mail with the same key is not queued again.
    pub idempotency_key: String,
    pub recipient: EmailAddress,
    pub context: minijinja::Value,
    /// When the mail holds a link that expires, it expires with it.
    pub expires_at: Option<i64>,
}

async fn enqueue(
    tx: &mut Transaction<'_>,
    templates: &MailTemplates,
    mail: OutgoingMail,
    now: i64,
) -> Result<bool, MailError> {
    let rendered = templates.render(mail.template, &mail.context)?;
    let inserted = db::query(
        "INSERT INTO mail_outbox (idempotency_key, kind, recipient, subject, body_text, body_html, \
         next_attempt_at, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(&mail.idempotency_key)
    .bind(mail.template.name())
    .bind(mail.recipient.as_str())
    .bind(&rendered.subject)
    .bind(&rendered.text)
    .bind(&rendered.html)
    .bind(now)
    .bind(mail.expires_at)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

/// One outbox row as the operator sees it (no bodies).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub recipient: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
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
    let counts: Vec<(String, i64)> =
        db::query_as("SELECT status, COUNT(*) FROM mail_outbox GROUP BY status").fetch_all(pool).await?;
    let mut summary = OutboxSummary::default();
    for (status, count) in counts {
        match status.as_str() {
            "queued" => summary.queued = count,
            "sent" => summary.sent = count,
            "dead" => summary.dead = count,
            "expired" => summary.expired = count,
            _ => {}
        }
    }
    summary.dead_rows = db::query_as(
        "SELECT id, kind, recipient, status, attempts, last_error, created_at FROM mail_outbox \
         WHERE status = 'dead' ORDER BY id DESC LIMIT 50",
    )
    .fetch_all(pool)
    .await?;
    Ok(summary)
}
