//! Mail: templates, the outbox written in the caller's transaction, and the
//! worker that delivers it by SMTP or into a folder of `.eml` files.

mod outbox;
mod templates;
mod transport;
mod worker;

pub use outbox::{outbox_summary, MailAttachment, MailExtras, Outbox, OutboxRow, OutboxSummary, OutgoingMail};
pub use templates::{MailTemplate, MailTemplates, RenderedMail};
pub use transport::{MailTransport, SendFailure};
pub use worker::{DeliveryFailure, OutboxWorker};

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("die E-Mail-Vorlage {0} konnte nicht erstellt werden")]
    Render(&'static str, #[source] minijinja::Error),
    #[error("die E-Mail konnte nicht in den Postausgang gestellt werden")]
    Database(#[from] sqlx::Error),
}
