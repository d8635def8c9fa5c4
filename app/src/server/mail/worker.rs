use crate::server::db;
use super::MailStatus;
use super::MailTransport;
use crate::server::clock::Clock;
use crate::server::crypto::{hex, random_bytes};
use crate::server::db::Pool;
use crate::server::storage::{ContentHash, DocumentStore};
use lettre::message::header::{ContentTransferEncoding, ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Body, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use crate::domain::{AttachmentParts, UnixTime};

/// How long a claimed row belongs to one worker, in SMTP timeouts: twice
/// the longest a message's conversation may take (four timeouts, see the
/// transport), so a lease never runs out while its holder is still sending.
const LEASE_IN_SMTP_TIMEOUTS: i64 = 8;
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
    created_at: UnixTime,
    attachment_document_id: Option<i64>,
    attachment_name: Option<String>,
    /// `file`, `xml` or `both` ([`crate::domain::AttachmentParts`]).
    attachment_parts: String,
    list_unsubscribe: Option<String>,
    /// The language the mail was rendered in (`de`, `en`).
    language: String,
}

/// Why a row was given up; the delivery log words it in the reader's
/// language (`forwarding::ssr`), never with the receiving server's own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryFailure {
    /// The receiving server refused the mail for good.
    Rejected,
    /// The recipient's address cannot be used.
    Address,
    /// The document to attach is no longer there.
    Document,
    /// Every try failed for a passing reason.
    Attempts,
}

impl DeliveryFailure {
    pub fn code(self) -> &'static str {
        match self {
            DeliveryFailure::Rejected => "rejected",
            DeliveryFailure::Address => "address",
            DeliveryFailure::Document => "document",
            DeliveryFailure::Attempts => "attempts",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [DeliveryFailure::Rejected, DeliveryFailure::Address, DeliveryFailure::Document, DeliveryFailure::Attempts].into_iter().find(|f| f.code() == code)
    }
}

/// A mail that cannot be built now: for good, or until the next try.
enum BuildError {
    Permanent(DeliveryFailure, String),
    Transient(String),
}

/// `List-Unsubscribe` (RFC 2369) as a typed header: the address is built
/// by the portal from its base URL and a token, never from user input.
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.trim_matches(['<', '>']).to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `Content-Language: en` (RFC 3282): the language the mail was written in.
#[derive(Debug, Clone)]
struct ContentLanguage(String);

impl Header for ContentLanguage {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Language")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.trim().to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): the
/// mail program may end the subscription with one POST, no page in between.
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// Delivers the outbox. Rows are claimed with a lease, so several workers
/// (and several instances of the portal) never send the same row at once.
#[derive(Clone)]
pub struct OutboxWorker {
    pool: Pool,
    transport: Arc<MailTransport>,
    documents: DocumentStore,
    clock: Clock,
    from: Mailbox,
    max_attempts: i64,
    lease_seconds: i64,
    wake: Arc<Notify>,
    owner: String,
}

impl OutboxWorker {
    pub fn new(
        pool: Pool,
        transport: Arc<MailTransport>,
        documents: DocumentStore,
        clock: Clock,
        from: Mailbox,
        max_attempts: u32,
        smtp_timeout: Duration,
        wake: Arc<Notify>,
    ) -> Self {
        let owner = hex(&random_bytes::<8>());
        let lease_seconds = LEASE_IN_SMTP_TIMEOUTS * smtp_timeout.as_secs().max(1) as i64;
        Self { pool, transport, documents, clock, from, max_attempts: i64::from(max_attempts), lease_seconds, wake, owner }
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

    /// Expires rows whose link has run out, then delivers every row that is
    /// due once. Returns how many rows were handed over.
    pub async fn deliver_due(&self) -> Result<usize, sqlx::Error> {
        let round_began = self.clock.now();
        db::query(
            "UPDATE mail_outbox SET status = $2, body_text = '', body_html = '', list_unsubscribe = NULL, lease_owner = NULL, lease_until = NULL \
             WHERE status = $3 AND expires_at IS NOT NULL AND expires_at <= $1 AND (lease_until IS NULL OR lease_until < $1)",
        )
        .bind(round_began)
        .bind(MailStatus::Expired)
        .bind(MailStatus::Queued)
        .execute(&self.pool)
        .await?;

        let mut delivered = 0;
        let mut seen = std::collections::HashSet::new();
        while let Some(row) = self.claim_next(round_began).await? {
            if !seen.insert(row.id) {
                break;
            }
            if self.deliver(row).await? {
                delivered += 1;
            }
        }
        Ok(delivered)
    }

    /// Claims the next row that was due when the round began. Its lease
    /// runs from the clock as it is now, not from the start of the round: a
    /// row claimed late in a long round must not be free for another worker
    /// the moment it is taken.
    async fn claim_next(&self, round_began: UnixTime) -> Result<Option<ClaimedRow>, sqlx::Error> {
        let now = self.clock.now();
        // The outer lease condition is checked again on the row itself, so
        // two workers racing for the same id cannot both win; on PostgreSQL
        // the inner select passes over rows another worker is claiming, so
        // the loser takes the next row instead of ending its round.
        let next_due = self.pool.claiming(
            "SELECT id FROM mail_outbox WHERE status = $5 AND next_attempt_at <= $3 \
             AND (lease_until IS NULL OR lease_until < $4) ORDER BY id LIMIT 1",
        );
        let sql = format!(
            "UPDATE mail_outbox SET lease_owner = $1, lease_until = $2 \
             WHERE id = ({next_due}) \
               AND status = $5 AND (lease_until IS NULL OR lease_until < $4) \
             RETURNING id, kind, recipient, subject, body_text, body_html, attempts, created_at, \
             attachment_document_id, attachment_name, attachment_parts, list_unsubscribe, language"
        );
        db::query_as(&sql)
        .bind(&self.owner)
        .bind(now + self.lease_seconds)
        .bind(round_began)
        .bind(now)
        .bind(MailStatus::Queued)
        .fetch_optional(&self.pool)
        .await
    }

    async fn deliver(&self, row: ClaimedRow) -> Result<bool, sqlx::Error> {
        let message = match self.build_message(&row).await {
            Ok(message) => message,
            Err(BuildError::Permanent(failure, reason)) => {
                tracing::error!(outbox_id = row.id, kind = %row.kind, %reason, "mail outbox: message cannot be built");
                self.mark_dead(row.id, row.attempts + 1, &reason, failure).await?;
                return Ok(false);
            }
            Err(BuildError::Transient(reason)) => {
                self.retry_later(&row, &reason).await?;
                return Ok(false);
            }
        };
        let file_stem = format!("{:08}-{}", row.id, row.kind);
        match self.transport.send(&message, &file_stem).await {
            Ok(()) => {
                db::query(
                    "UPDATE mail_outbox SET status = $4, sent_at = $1, attempts = attempts + 1, \
                     body_text = '', body_html = '', list_unsubscribe = NULL, lease_owner = NULL, lease_until = NULL, last_error = NULL \
                     WHERE id = $2 AND lease_owner = $3 AND status = $5",
                )
                .bind(self.clock.now())
                .bind(row.id)
                .bind(&self.owner)
                .bind(MailStatus::Sent)
                .bind(MailStatus::Queued)
                .execute(&self.pool)
                .await?;
                tracing::info!(outbox_id = row.id, kind = %row.kind, "mail outbox: sent");
                Ok(true)
            }
            Err(failure) if failure.permanent => {
                tracing::warn!(outbox_id = row.id, kind = %row.kind, reason = %failure.reason, "mail outbox: refused for good");
                self.mark_dead(row.id, row.attempts + 1, &failure.reason, DeliveryFailure::Rejected).await?;
                Ok(false)
            }
            Err(failure) => {
                self.retry_later(&row, &failure.reason).await?;
                Ok(false)
            }
        }
    }

    /// Tries the row again after a backoff, or gives it up after the last try.
    async fn retry_later(&self, row: &ClaimedRow, reason: &str) -> Result<(), sqlx::Error> {
        let attempts = row.attempts + 1;
        if attempts >= self.max_attempts {
            tracing::warn!(outbox_id = row.id, kind = %row.kind, attempts, %reason, "mail outbox: giving up");
            return self.mark_dead(row.id, attempts, reason, DeliveryFailure::Attempts).await;
        }
        let retry_at = self.clock.now() + backoff_seconds(attempts);
        tracing::info!(outbox_id = row.id, kind = %row.kind, attempts, %reason, %retry_at, "mail outbox: will retry");
        db::query(
            "UPDATE mail_outbox SET attempts = $1, next_attempt_at = $2, last_error = $3, \
             lease_owner = NULL, lease_until = NULL WHERE id = $4 AND lease_owner = $5 AND status = $6",
        )
        .bind(attempts)
        .bind(retry_at)
        .bind(reason)
        .bind(row.id)
        .bind(&self.owner)
        .bind(MailStatus::Queued)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Gives the row up — only while this worker still holds its lease, so
    /// a row another worker took over (and perhaps sent) stays as it left it.
    async fn mark_dead(&self, id: i64, attempts: i64, reason: &str, failure: DeliveryFailure) -> Result<(), sqlx::Error> {
        db::query(
            "UPDATE mail_outbox SET status = $6, attempts = $1, last_error = $2, failure = $3, body_text = '', body_html = '', \
             list_unsubscribe = NULL, lease_owner = NULL, lease_until = NULL WHERE id = $4 AND lease_owner = $5 AND status = $7",
        )
        .bind(attempts)
        .bind(reason)
        .bind(failure.code())
        .bind(id)
        .bind(&self.owner)
        .bind(MailStatus::Dead)
        .bind(MailStatus::Queued)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The files a row attaches, read from storage now (the outbox keeps
    /// only the document's id): its own file named `name` (a PDF, or a bare
    /// invoice XML), its invoice XML named alike with `.xml`, or both.
    async fn attachments(&self, row: &ClaimedRow, name: &str) -> Result<Vec<SinglePart>, BuildError> {
        let missing = || BuildError::Permanent(DeliveryFailure::Document, "Dokument nicht mehr vorhanden".to_owned());
        let document_id = row.attachment_document_id.ok_or_else(missing)?;
        let files: Option<(String, String, Option<String>)> = db::query_as(
            "SELECT d.sha256, d.file_kind, e.xml_sha256 FROM documents d LEFT JOIN einvoices e ON e.document_id = d.id WHERE d.id = $1",
        )
        .bind(document_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| BuildError::Transient(format!("Datenbank: {e}")))?;
        let (file, file_kind, xml) = files.ok_or_else(missing)?;
        let file_type = if file_kind == "xml" { "application/xml" } else { "application/pdf" };
        // A bare invoice XML is its own file: it goes once.
        let xml = xml.filter(|_| file_kind != "xml");
        let (with_file, with_xml) = match (AttachmentParts::parse(&row.attachment_parts).unwrap_or_default(), xml.is_some()) {
            (_, false) | (AttachmentParts::File, true) => (true, false),
            (AttachmentParts::Xml, true) => (false, true),
            (AttachmentParts::Both, true) => (true, true),
        };
        let mut parts = Vec::new();
        if with_file {
            parts.push(self.attachment(&file, name.to_owned(), file_type).await?);
        }
        if let Some(xml) = xml.filter(|_| with_xml) {
            let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
            parts.push(self.attachment(&xml, format!("{stem}.xml"), "application/xml").await?);
        }
        Ok(parts)
    }

    /// One stored file as an attachment.
    async fn attachment(&self, sha256: &str, name: String, media_type: &str) -> Result<SinglePart, BuildError> {
        let missing = || BuildError::Permanent(DeliveryFailure::Document, "Dokument nicht mehr vorhanden".to_owned());
        let hash = ContentHash::parse(sha256).ok_or_else(missing)?;
        let bytes = self.documents.read_all(&hash).await.map_err(|e| BuildError::Transient(format!("Dokumentspeicher: {e}")))?;
        let content_type = ContentType::parse(media_type).map_err(|_| missing())?;
        // Always base64: a PDF that happens to be ASCII would otherwise go
        // as 7bit with its line ends rewritten, and its offsets would break.
        // `Vec::from` takes the buffer over without a copy when nothing else holds it.
        let body = Body::new_with_encoding(Vec::from(bytes), ContentTransferEncoding::Base64)
            .map_err(|_| BuildError::Permanent(DeliveryFailure::Document, "Anhang nicht kodierbar".to_owned()))?;
        Ok(Attachment::new(name).body(body, content_type))
    }

    async fn build_message(&self, row: &ClaimedRow) -> Result<Message, BuildError> {
        let to: Mailbox = row
            .recipient
            .parse()
            .map_err(|_| BuildError::Permanent(DeliveryFailure::Address, "Empfängeradresse ungültig".to_owned()))?;
        let domain = self.from.email.domain().to_owned();
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            // Derived from the row: a resend after a crash is recognisable as the same mail.
            .message_id(Some(format!("<outbox-{}-{}@{}>", row.id, row.created_at, domain)))
            // Only one of ours: the column allows nothing else.
            .header(ContentLanguage(crate::i18n::Lang::parse(&row.language).unwrap_or_default().code().to_owned()));
        if let Some(address) = &row.list_unsubscribe {
            builder = builder.header(ListUnsubscribe(address.clone())).header(ListUnsubscribePost);
        }
        let text = MultiPart::alternative_plain_html(row.body_text.clone(), row.body_html.clone());
        let body = match &row.attachment_name {
            Some(name) => {
                let mut mixed = MultiPart::mixed().multipart(text);
                for part in self.attachments(row, name).await? {
                    mixed = mixed.singlepart(part);
                }
                mixed
            }
            None => text,
        };
        builder.multipart(body).map_err(|e| BuildError::Permanent(DeliveryFailure::Address, format!("Nachricht ungültig: {e}")))
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
