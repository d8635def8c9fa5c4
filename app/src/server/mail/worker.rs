use crate::server::db;
use super::MailTransport;
use crate::server::clock::Clock;
use crate::server::crypto::{hex, random_bytes};
use crate::server::db::Pool;
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How long a claimed row belongs to one worker; longer than an SMTP timeout.
const LEASE_SECONDS: i64 = 120;
const IDLE_POLL: Duration = Duration::from_secs(5);

#[derive(sqlx::FromRow)]
struct ClaimedRow {
    id: i64,
    kind: String,
    recipient: String,
    subject: String,
    body_text: String,
    body_html: String,
    attempts: i64,
    created_at: i64,
}

/// Delivers the outbox. Rows are claimed with a lease, so several workers
/// (and several instances of the portal) never send the same row at once.
#[derive(Clone)]
pub struct OutboxWorker {
    pool: Pool,
    transport: Arc<MailTransport>,
    clock: Clock,
    from: Mailbox,
    max_attempts: i64,
    wake: Arc<Notify>,
    owner: String,
}

impl OutboxWorker {
    pub fn new(
        pool: Pool,
        transport: Arc<MailTransport>,
        clock: Clock,
        from: Mailbox,
        max_attempts: u32,
        wake: Arc<Notify>,
    ) -> Self {
        let owner = hex(&random_bytes::<8>());
        Self { pool, transport, clock, from, max_attempts: i64::from(max_attempts), wake, owner }
    }

    /// Runs until the process ends: delivers what is due, then sleeps until
    /// woken by a new row or the next poll.
    pub async fn run(self) {
        loop {
            if let Err(error) = self.deliver_due().await {
                tracing::error!(error = %error, "mail outbox: delivery round failed");
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(IDLE_POLL) => {}
            }
        }
    }

    /// Expires rows whose link has run out, then delivers every due row once.
    /// Returns how many rows were handed over.
    pub async fn deliver_due(&self) -> Result<usize, sqlx::Error> {
        let now = self.clock.now();
        db::query(
            "UPDATE mail_outbox SET status = 'expired', body_text = '', body_html = '', lease_owner = NULL, lease_until = NULL \
             WHERE status = 'queued' AND expires_at IS NOT NULL AND expires_at <= $1",
        )
        .bind(now)
        .execute(&self.pool)
        .await?;

        let mut delivered = 0;
        let mut seen = std::collections::HashSet::new();
        while let Some(row) = self.claim_next(now).await? {
            if !seen.insert(row.id) {
                break;
            }
            if self.deliver(row).await? {
                delivered += 1;
            }
        }
        Ok(delivered)
    }

    async fn claim_next(&self, now: i64) -> Result<Option<ClaimedRow>, sqlx::Error> {
        // The outer lease condition is checked again on the row itself, so
        // two workers racing for the same id cannot both win; on PostgreSQL
        // the inner select passes over rows another worker is claiming, so
        // the loser takes the next row instead of ending its round.
        let sql = format!(
            "UPDATE mail_outbox SET lease_owner = $1, lease_until = $2 \
             WHERE id = (SELECT id FROM mail_outbox WHERE status = 'queued' AND next_attempt_at <= $3 \
                         AND (lease_until IS NULL OR lease_until < $3) ORDER BY id LIMIT 1{}) \
               AND status = 'queued' AND (lease_until IS NULL OR lease_until < $3) \
             RETURNING id, kind, recipient, subject, body_text, body_html, attempts, created_at",
            self.pool.skip_locked()
        );
        db::query_as(&sql)
        .bind(&self.owner)
        .bind(now + LEASE_SECONDS)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
    }

    async fn deliver(&self, row: ClaimedRow) -> Result<bool, sqlx::Error> {
        let message = match self.build_message(&row) {
            Ok(message) => message,
            Err(reason) => {
                tracing::error!(outbox_id = row.id, kind = %row.kind, %reason, "mail outbox: message cannot be built");
                self.mark_dead(row.id, row.attempts + 1, &reason).await?;
                return Ok(false);
            }
        };
        let file_stem = format!("{:08}-{}", row.id, row.kind);
        match self.transport.send(&message, &file_stem).await {
            Ok(()) => {
                db::query(
                    "UPDATE mail_outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1, \
                     body_text = '', body_html = '', lease_owner = NULL, lease_until = NULL, last_error = NULL \
                     WHERE id = $2 AND lease_owner = $3",
                )
                .bind(self.clock.now())
                .bind(row.id)
                .bind(&self.owner)
                .execute(&self.pool)
                .await?;
                tracing::info!(outbox_id = row.id, kind = %row.kind, "mail outbox: sent");
                Ok(true)
            }
            Err(failure) => {
                let attempts = row.attempts + 1;
                if failure.permanent || attempts >= self.max_attempts {
                    tracing::warn!(outbox_id = row.id, kind = %row.kind, attempts, reason = %failure.reason, "mail outbox: giving up");
                    self.mark_dead(row.id, attempts, &failure.reason).await?;
                } else {
                    let retry_at = self.clock.now() + backoff_seconds(attempts);
                    tracing::info!(outbox_id = row.id, kind = %row.kind, attempts, reason = %failure.reason, retry_at, "mail outbox: will retry");
                    db::query(
                        "UPDATE mail_outbox SET attempts = $1, next_attempt_at = $2, last_error = $3, \
                         lease_owner = NULL, lease_until = NULL WHERE id = $4 AND lease_owner = $5",
                    )
                    .bind(attempts)
                    .bind(retry_at)
                    .bind(&failure.reason)
                    .bind(row.id)
                    .bind(&self.owner)
                    .execute(&self.pool)
                    .await?;
                }
                Ok(false)
            }
        }
    }

    async fn mark_dead(&self, id: i64, attempts: i64, reason: &str) -> Result<(), sqlx::Error> {
        db::query(
            "UPDATE mail_outbox SET status = 'dead', attempts = $1, last_error = $2, body_text = '', body_html = '', \
             lease_owner = NULL, lease_until = NULL WHERE id = $3",
        )
        .bind(attempts)
        .bind(reason)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    fn build_message(&self, row: &ClaimedRow) -> Result<Message, String> {
        let to: Mailbox = row.recipient.parse().map_err(|_| "Empfängeradresse ungültig".to_owned())?;
        let domain = self.from.email.domain().to_owned();
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            // Derived from the row: a resend after a crash is recognisable as the same mail.
            .message_id(Some(format!("<outbox-{}-{}@{}>", row.id, row.created_at, domain)))
            .multipart(MultiPart::alternative_plain_html(row.body_text.clone(), row.body_html.clone()))
            .map_err(|e| format!("Nachricht ungültig: {e}"))
    }
}

/// 30 s, 1 min, 2 min, … capped at one hour, each ±20 % so that many rows
/// failing together do not retry together.
fn backoff_seconds(attempts: i64) -> i64 {
    let base = 30i64.saturating_mul(1i64 << (attempts - 1).clamp(0, 20)).min(3600);
    let jitter_range = base / 5;
    let random = i64::from(u16::from_le_bytes(random_bytes::<2>()));
    base - jitter_range + (random % (2 * jitter_range + 1))
}

#[cfg(test)]
mod tests {
    use super::backoff_seconds;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        for _ in 0..100 {
            let first = backoff_seconds(1);
            assert!((24..=36).contains(&first), "{first}");
            let later = backoff_seconds(4);
            assert!((192..=288).contains(&later), "{later}");
            let capped = backoff_seconds(30);
            assert!((2880..=4320).contains(&capped), "{capped}");
        }
    }
}
