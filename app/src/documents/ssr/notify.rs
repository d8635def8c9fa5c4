//! The mails a new document causes, queued in the ingest's own transaction
//! (a document exists exactly when its mails do):
//!
//! - to every active user of the customer who has set a password, as they
//!   chose in Profil: a notice that lists the documents of one batch run
//!   ("nur Benachrichtigung"), or one mail per document with its PDF ("mit
//!   Anhang");
//! - to every confirmed forwarding of the customer whose type matches, with
//!   the PDF and a one-click unsubscribe.
//!
//! A PDF is never copied into the outbox: the worker reads it from storage
//! when it sends the mail.
//!
//! Each mail is in its recipient's language: a user's setting (else the
//! operator's default), a forwarding's stored language. The document's type
//! (also in the attachment's name), its day and sizes are written in it.

use crate::domain::AttachmentParts;
use crate::profile::NotifyMode;
use crate::domain::EmailAddress;
use crate::routes;
use crate::server::crypto;
use crate::i18n::Lang;
use crate::server::dates::day_in;
use crate::server::db::{self, Transaction};
use crate::server::mail::{
    addressed_as, language_or, megabytes_in, unique_key, MailAttachment, MailError, MailExtras, MailTemplate, OutgoingMail,
};
use crate::server::state::AppState;
use crate::domain::UnixTime;

/// At most this many documents in one notice; the next starts a new one.
pub const DOCUMENTS_PER_NOTICE: usize = 100;

/// A document as its mails describe it.
#[derive(Debug, Clone)]
pub struct ProvidedDocument {
    pub id: i64,
    pub customer_id: i64,
    pub number: String,
    pub type_key: String,
    pub type_name: String,
    /// As stored: `2026-01-31`.
    pub created_on: String,
    pub size_bytes: i64,
    pub hidden_from: UnixTime,
    pub file_kind: super::FileKind,
    /// The size of its invoice XML, when it is an e-invoice.
    pub xml_size_bytes: Option<i64>,
}

impl ProvidedDocument {
    /// `Rechnung_RE-2026-001.pdf` (`.xml` for a bare invoice XML): what an
    /// invoice-processing inbox reads, the same name as a download's.
    pub fn file_name(&self) -> String {
        super::pdf::file_name_as(&self.type_name, &self.number, self.file_kind.extension()).0
    }

    /// What a mail that asks for `wanted` attaches of this document: the
    /// invoice XML only where there is one beside a PDF.
    fn parts(&self, wanted: AttachmentParts) -> AttachmentParts {
        if self.xml_size_bytes.is_some() && self.file_kind == super::FileKind::Pdf { wanted } else { AttachmentParts::File }
    }

    /// The bytes the attachments of `parts` come to.
    fn attached_bytes(&self, parts: AttachmentParts) -> i64 {
        let xml = self.xml_size_bytes.unwrap_or(0);
        match parts {
            AttachmentParts::File => self.size_bytes,
            AttachmentParts::Xml => xml,
            AttachmentParts::Both => self.size_bytes + xml,
        }
    }

    /// As a mail in `lang` shows it (the type's name is the one [`in_language`] gave).
    fn context(&self, lang: Lang) -> minijinja::Value {
        minijinja::context! {
            id => self.id,
            type_name => self.type_name.clone(),
            number => self.number.clone(),
            created_on => day_in(lang, &self.created_on),
        }
    }
}

/// The document as mails in `lang` name it: in English its type's English
/// name, where the operator set one — looked up once, when a first
/// recipient reads English, and kept in `english`.
async fn in_language<'a>(
    tx: &mut Transaction<'_>,
    document: &'a ProvidedDocument,
    english: &'a mut Option<ProvidedDocument>,
    lang: Lang,
) -> Result<&'a ProvidedDocument, sqlx::Error> {
    if lang == Lang::De {
        return Ok(document);
    }
    if english.is_none() {
        let sql = format!("SELECT {} FROM document_types t WHERE t.key = $1", super::types::name_column(lang));
        let name: Option<String> = db::query_scalar(&sql).bind(&document.type_key).fetch_optional(&mut **tx).await?;
        *english = Some(ProvidedDocument { type_name: name.unwrap_or_else(|| document.type_name.clone()), ..document.clone() });
    }
    Ok(english.as_ref().unwrap_or(document))
}

/// How many mails a document caused, by kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct QueuedMails {
    pub notices: usize,
    pub attachments: usize,
    pub forwardings: usize,
}

#[derive(sqlx::FromRow)]
struct Recipient {
    id: i64,
    email: String,
    username: String,
    salutation: String,
    first_name: String,
    last_name: String,
    notify_mode: NotifyMode,
    /// "mit Anhang" adds the invoice XML.
    notify_with_xml: bool,
    /// Their setting; `None`: the operator's default.
    language: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Forwarding {
    id: i64,
    email: String,
    /// Its mails' language: the one of the user who set it up.
    language: String,
    sends: AttachmentParts,
}

pub async fn queue_mails(
    state: &AppState,
    tx: &mut Transaction<'_>,
    document: &ProvidedDocument,
    now: UnixTime,
) -> Result<QueuedMails, MailError> {
    let mut queued = QueuedMails::default();
    // Delivered already past its time in the list: nobody could open it.
    if document.hidden_from <= now {
        return Ok(queued);
    }
    let recipients: Vec<Recipient> = db::query_as(
        "SELECT id, email, username, salutation, first_name, last_name, notify_mode, notify_with_xml, language FROM users \
         WHERE customer_id = $1 AND active = TRUE AND password_hash IS NOT NULL AND notify_mode <> $2 ORDER BY id",
    )
    .bind(document.customer_id)
    .bind(NotifyMode::None)
    .fetch_all(&mut **tx)
    .await?;
    let mut english = None;
    for recipient in recipients {
        let Ok(address) = EmailAddress::parse(&recipient.email) else {
            tracing::warn!(user_id = recipient.id, "no valid address for a new-document mail");
            continue;
        };
        let lang = language_or(recipient.language.as_deref(), state.config.default_language);
        let named = in_language(tx, document, &mut english, lang).await?;
        if recipient.notify_mode == NotifyMode::Attachment {
            queue_attachment_mail(state, tx, named, &recipient, address, lang, now).await?;
            queued.attachments += 1;
        } else {
            queue_notice(state, tx, named, &recipient, address, lang, now).await?;
            queued.notices += 1;
        }
    }

    let forwardings: Vec<Forwarding> = db::query_as(
        "SELECT id, email, language, sends FROM forwardings WHERE customer_id = $1 AND status = $3 \
         AND (type_key IS NULL OR type_key = $2) ORDER BY id",
    )
    .bind(document.customer_id)
    .bind(&document.type_key)
    .bind(crate::domain::ForwardingState::Confirmed)
    .fetch_all(&mut **tx)
    .await?;
    // An address with "alle Typen" and this type besides gets the document once.
    let mut addressed = std::collections::HashSet::new();
    for forwarding in forwardings {
        let Ok(address) = EmailAddress::parse(&forwarding.email) else { continue };
        if !addressed.insert(address.as_str().to_lowercase()) {
            continue;
        }
        let lang = language_or(Some(&forwarding.language), state.config.default_language);
        let named = in_language(tx, document, &mut english, lang).await?;
        queue_forwarded(state, tx, named, &forwarding, address, lang, now).await?;
        queued.forwardings += 1;
    }
    Ok(queued)
}

fn display_name(recipient: &Recipient, lang: Lang) -> String {
    let name = addressed_as(lang, &recipient.salutation, &recipient.first_name, &recipient.last_name, "");
    name.trim().to_owned()
}

fn documents_link(state: &AppState) -> String {
    format!("{}{}", state.config.base_url, routes::DOCUMENTS)
}

/// Whether the document's files (`parts` of them) go with a mail (at most
/// `KP_MAIL_ATTACHMENT_MAX_MB` together), and what the mail in `lang` says
/// about it: the document, its file name, its size and the limit.
fn attachment_size(state: &AppState, document: &ProvidedDocument, parts: AttachmentParts, lang: Lang) -> (bool, minijinja::Value) {
    let limit = state.config.notifications.attachment_max_bytes;
    let size = u64::try_from(document.attached_bytes(parts)).unwrap_or(u64::MAX);
    let attached = size <= limit;
    let context = minijinja::context! {
        document => document.context(lang),
        attached,
        size_mb => megabytes_in(lang, size),
        limit_mb => megabytes_in(lang, limit),
        file_name => document.file_name(),
        // The invoice XML goes too (or alone): its name, for the text to say so.
        xml_file_name => (parts != AttachmentParts::File).then(|| super::pdf::file_name_as(&document.type_name, &document.number, "xml").0),
        file_attached => parts != AttachmentParts::Xml,
    };
    (attached, context)
}

/// "nur Benachrichtigung": the notice still waiting for this user's batch
/// gains the document; without one, a new notice waits
/// `KP_NOTIFY_BATCH_SECONDS` for the rest of the batch.
async fn queue_notice(
    state: &AppState,
    tx: &mut Transaction<'_>,
    document: &ProvidedDocument,
    recipient: &Recipient,
    address: EmailAddress,
    lang: Lang,
    now: UnixTime,
) -> Result<(), MailError> {
    let kind = MailTemplate::NewDocuments.name();
    let waiting: Option<i64> = db::query_scalar(&state.pool.locked(
        "SELECT id FROM mail_outbox WHERE user_id = $1 AND kind = $2 AND status = $4 AND attempts = 0 \
         AND lease_until IS NULL AND next_attempt_at > $3 ORDER BY id DESC LIMIT 1",
    ))
    .bind(recipient.id)
    .bind(kind)
    .bind(now)
    .bind(crate::server::mail::MailStatus::Queued)
    .fetch_optional(&mut **tx)
    .await?;
    if let Some(outbox_id) = waiting {
        let listed_sql = format!(
            "SELECT d.id, d.number, d.type_key, {}, d.created_on FROM document_mails m \
             JOIN documents d ON d.id = m.document_id JOIN document_types t ON t.key = d.type_key \
             WHERE m.outbox_id = $1 ORDER BY d.id",
            super::types::name_column(lang),
        );
        let mut listed: Vec<ProvidedDocument> = db::query_as::<(i64, String, String, String, String)>(&listed_sql)
            .bind(outbox_id)
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .map(|(id, number, type_key, type_name, created_on)| ProvidedDocument {
                id,
                number,
                type_key,
                type_name,
                created_on,
                ..document.clone()
            })
            .collect();
        if listed.len() < DOCUMENTS_PER_NOTICE {
            listed.push(document.clone());
            let context = notice_context(state, recipient, &listed, lang);
            let template = MailTemplate::NewDocuments;
            if state.outbox.extend_waiting(tx, outbox_id, template, lang, &context, document.id, now).await? {
                return Ok(());
            }
        }
    }
    let context = notice_context(state, recipient, std::slice::from_ref(document), lang);
    let mail = OutgoingMail {
        template: MailTemplate::NewDocuments,
        idempotency_key: unique_key("newdocs", format_args!("{}:{}", document.id, recipient.id)),
        recipient: address,
        lang,
        context,
        expires_at: None,
    };
    let extras = MailExtras {
        user_id: Some(recipient.id),
        not_before: Some(now + state.config.notifications.batch_seconds),
        documents: vec![document.id],
        ..MailExtras::default()
    };
    state.outbox.enqueue_new(tx, mail, extras, now).await?;
    Ok(())
}

fn notice_context(state: &AppState, recipient: &Recipient, documents: &[ProvidedDocument], lang: Lang) -> minijinja::Value {
    minijinja::context! {
        ..state.mail_base_context(),
        ..minijinja::context! {
            display_name => display_name(recipient, lang),
            username => recipient.username.clone(),
            documents => documents.iter().map(|document| document.context(lang)).collect::<Vec<_>>(),
            count => documents.len(),
            link => documents_link(state),
        }
    }
}

/// "mit Anhang": one mail per document with its PDF — or, above the size
/// limit, with the link and why.
async fn queue_attachment_mail(
    state: &AppState,
    tx: &mut Transaction<'_>,
    document: &ProvidedDocument,
    recipient: &Recipient,
    address: EmailAddress,
    lang: Lang,
    now: UnixTime,
) -> Result<(), MailError> {
    let wanted = if recipient.notify_with_xml { AttachmentParts::Both } else { AttachmentParts::File };
    let parts = document.parts(wanted);
    let (attached, size) = attachment_size(state, document, parts, lang);
    let context = minijinja::context! {
        ..state.mail_base_context(),
        ..size,
        ..minijinja::context! {
            display_name => display_name(recipient, lang),
            username => recipient.username.clone(),
            link => documents_link(state),
        }
    };
    let mail = OutgoingMail {
        template: MailTemplate::NewDocumentAttached,
        idempotency_key: unique_key("newdoc", format_args!("{}:{}", document.id, recipient.id)),
        recipient: address,
        lang,
        context,
        expires_at: None,
    };
    let extras = MailExtras {
        user_id: Some(recipient.id),
        attachment: attached.then(|| MailAttachment { document_id: document.id, file_name: document.file_name(), parts }),
        documents: vec![document.id],
        ..MailExtras::default()
    };
    state.outbox.enqueue_new(tx, mail, extras, now).await?;
    Ok(())
}

/// A forwarded document: subject "{Typ} {Nummer}", the PDF attached, and
/// an unsubscribe link of its own (one-click and in the text).
async fn queue_forwarded(
    state: &AppState,
    tx: &mut Transaction<'_>,
    document: &ProvidedDocument,
    forwarding: &Forwarding,
    address: EmailAddress,
    lang: Lang,
    now: UnixTime,
) -> Result<(), MailError> {
    let token = crypto::new_token();
    db::query("INSERT INTO forwarding_unsubscribe_tokens (token_hash, forwarding_id, created_at) VALUES ($1, $2, $3)")
        .bind(crypto::token_hash(&token))
        .bind(forwarding.id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    let customer: (String, String) = db::query_as("SELECT number, name FROM customers WHERE id = $1")
        .bind(document.customer_id)
        .fetch_one(&mut **tx)
        .await?;
    let parts = document.parts(forwarding.sends);
    let (attached, size) = attachment_size(state, document, parts, lang);
    let base = &state.config.base_url;
    let context = minijinja::context! {
        ..state.mail_base_context(),
        ..size,
        ..minijinja::context! {
            customer_number => customer.0,
            customer_name => customer.1,
            unsubscribe_link => format!("{base}{}", routes::with_token(routes::FORWARDING_END, &token)),
        }
    };
    let mail = OutgoingMail {
        template: MailTemplate::ForwardedDocument,
        idempotency_key: unique_key("forward", format_args!("{}:{}", document.id, forwarding.id)),
        recipient: address,
        lang,
        context,
        expires_at: None,
    };
    let extras = MailExtras {
        attachment: attached.then(|| MailAttachment { document_id: document.id, file_name: document.file_name(), parts }),
        list_unsubscribe: Some(format!("{base}{}", routes::with_token(routes::FORWARDING_ONE_CLICK, &token))),
        forwarding_id: Some(forwarding.id),
        documents: vec![document.id],
        ..MailExtras::default()
    };
    state.outbox.enqueue_new(tx, mail, extras, now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_attachment_is_named_type_and_number_without_path_characters() {
        let document = ProvidedDocument {
            id: 1,
            customer_id: 1,
            number: "RE/2026 001".into(),
            type_key: "rechnung".into(),
            type_name: "Rechnung".into(),
            created_on: "2026-01-31".into(),
            size_bytes: 1,
            hidden_from: UnixTime::from_seconds(0),
            file_kind: crate::documents::ssr::FileKind::Pdf,
            xml_size_bytes: None,
        };
        assert_eq!(document.file_name(), "Rechnung_RE_2026_001.pdf");
        assert_eq!(megabytes_in(Lang::De, 10 * 1024 * 1024), "10,0");
    }
}
