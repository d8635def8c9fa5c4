//! Server side of documents, one concern per module:
//!
//! - [`ingest`]: checking and storing a new document (CLI and API);
//! - [`types`]: the document types (Rechnung, Gutschrift, …);
//! - [`api_keys`]: the keys of the operator's systems for the ingest API;
//! - [`api`]: `POST /api/v1/documents`;
//! - [`pdf`]: `GET /dokumente/{id}/pdf`, view and download;
//! - [`notify`]: the mails a new document causes (users and forwardings);
//! - [`retention`]: documents leave after N months; files no row uses go.

pub mod api;
pub mod api_keys;
pub mod app_api;
pub mod demo;
pub mod einvoice_page;
pub mod einvoices;
pub mod export;
pub mod ingest;
pub mod list;
pub mod notify;
pub mod pdf;
pub mod retention;
pub mod types;

pub use retention::register_jobs;

use crate::auth::ssr::SessionUser;
use crate::server::storage::StorageError;

/// The one customer a document query may touch. Made only from a signed-in
/// session ([`CustomerScope::of`]) or by [`ingest`] after the caller was
/// checked; the field is private, so no other code can make one up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerScope {
    customer_id: i64,
}

impl CustomerScope {
    /// The customer of the signed-in user: the session decides, never the request.
    pub fn of(user: &SessionUser) -> Self {
        Self { customer_id: user.customer_id }
    }

    pub fn customer_id(&self) -> i64 {
        self.customer_id
    }
}

/// What a document's own file is (`documents.file_kind`): a PDF (perhaps
/// with an invoice XML inside), or a bare invoice XML (an XRechnung).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Xml,
}

impl FileKind {
    /// As stored; anything else is taken for a PDF, the column's default.
    pub fn from_column(value: &str) -> Self {
        if value == "xml" { FileKind::Xml } else { FileKind::Pdf }
    }

    pub fn column(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Xml => "xml",
        }
    }

    pub fn extension(self) -> &'static str {
        self.column()
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Xml => "application/xml",
        }
    }
}

/// What can go wrong with documents; each ingest answer maps one variant.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("Der Kunde {0} ist unbekannt.")]
    UnknownCustomer(String),
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    #[error("Die Datei ist weder ein PDF noch eine E-Rechnung als XML (XRechnung, ZUGFeRD, Factur-X).")]
    NotPdf,
    /// An XML upload that is no readable e-invoice: why, in German.
    #[error("Die Datei ist keine lesbare E-Rechnung: {0}")]
    UnreadableInvoice(String),
    /// The invoice number inside the e-invoice is not the `number` sent with it.
    #[error("Die Rechnungsnummer in der E-Rechnung ({in_invoice}) ist nicht die Nummer des Dokuments ({sent}).")]
    NumberMismatch { in_invoice: String, sent: String },
    #[error("Die Datei ist größer als {max_mb} MB.")]
    TooLarge { max_mb: usize },
    #[error("Ein Dokument mit dieser Nummer und diesem Typ gibt es für diesen Kunden schon mit anderem Inhalt (Dokument {existing_id}).")]
    Conflict { existing_id: i64 },
    #[error("Das Dokument wurde nicht gefunden.")]
    NotFound,
    #[error("Dokumentspeicher")]
    Storage(#[from] StorageError),
    #[error("Datenbankfehler")]
    Database(#[from] sqlx::Error),
    #[error("Postausgang")]
    Mail(#[from] crate::server::mail::MailError),
}
