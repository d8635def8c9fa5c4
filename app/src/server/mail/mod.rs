//! Mail: templates, the outbox written in the caller's transaction, and the
//! worker that delivers it by SMTP or into a folder of `.eml` files.

mod outbox;
mod recipient;
mod templates;
mod transport;
mod worker;

pub use outbox::{outbox_summary, unique_key, withdraw, MailAttachment, MailExtras, Outbox, OutboxRow, OutboxSummary, OutgoingMail, Withdrawn};
pub use recipient::{addressed_as, addressee_of_user, chosen_language_of_user, language_of_user, language_or, megabytes_in, Addressee};
pub use templates::{MailTemplate, MailTemplates, RenderedMail};
pub use transport::{MailTransport, SendFailure};
pub use worker::{DeliveryFailure, OutboxWorker};

/// Where a mail of the outbox stands: waiting (or being retried), handed
/// over, given up, or taken back before it went out (its link ran out, its
/// user or forwarding is gone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailStatus {
    Queued,
    Sent,
    Dead,
    Expired,
}

crate::stored_as_words!(MailStatus { Queued => "queued", Sent => "sent", Dead => "dead", Expired => "expired" });

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("die E-Mail-Vorlage {0} konnte nicht erstellt werden")]
    Render(&'static str, #[source] minijinja::Error),
    #[error("die E-Mail konnte nicht in den Postausgang gestellt werden")]
    Database(#[from] sqlx::Error),
    /// Another mail holds the key: a key built from something that is not unique.
    #[error("der Schlüssel {0} gehört schon einer anderen E-Mail")]
    KeyTaken(String),
}
