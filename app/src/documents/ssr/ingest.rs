//! A new document: its metadata parsed, the file (staged on disk) checked
//! to be a PDF or an invoice XML, read for an e-invoice (its number checked
//! against the document's) and stored under its hash, the invoice XML beside it,
//! then its row, in one transaction with the audit entry. The file is
//! written first, under a lease the clean-ups respect: a failure after it
//! leaves a file no row refers to, which the daily sweep removes; never a
//! row without a file.

use super::notify::{self, ProvidedDocument};
use super::einvoices::{self, recognise_upload, unreadable_reason, IngestNote, Recognition, StoredEInvoice};
use super::{CustomerScope, DocumentError, FileKind};
use crate::documents::einvoice::{self, Recognised};
use crate::domain::{CustomerNumber, DocumentNumber, DocumentTypeKey, InputError};
use crate::server::audit::{self, Actor, AuditDetail, AuditEntry, TypeName};
use crate::server::dates::{self, start_of_day};
use crate::server::db;
use crate::server::state::{AppState, EINVOICE_READING_MIB};
use crate::server::storage::{ContentHash, StageError, StagedFile, StorageError, STAGED_TAIL_BYTES};
use bytes::Bytes;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::ToSpan;
use crate::domain::UnixTime;

/// Who delivers documents: the operator at the command line, or one of the
/// operator's systems with a checked API key.
#[derive(Debug, Clone)]
pub enum Ingester {
    Operator,
    ApiKey(super::api_keys::ApiKey),
}

impl Ingester {
    fn audit_actor_and_key(&self) -> (Actor, Option<String>) {
        match self {
            Ingester::Operator => (Actor::Operator, None),
            Ingester::ApiKey(key) => (Actor::System, Some(key.name().to_owned())),
        }
    }
}

/// A document's metadata as it arrives, parsed field by field.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub customer: CustomerNumber,
    pub number: DocumentNumber,
    pub type_key: DocumentTypeKey,
    pub created_on: Date,
    /// `None`: provided now.
    pub provided_on: Option<Date>,
}

fn field(field: &'static str) -> impl Fn(InputError) -> DocumentError {
    move |error| DocumentError::Invalid { field, message: error.to_string() }
}

/// `YYYY-MM-DD` (the CLI also takes `TT.MM.JJJJ`).
pub fn parse_date(raw: &str, name: &'static str) -> Result<Date, DocumentError> {
    dates::parse_day(raw).ok_or_else(|| DocumentError::Invalid {
        field: name,
        message: format!("»{name}« ist kein Datum wie 2026-01-31."),
    })
}

impl NewDocument {
    pub fn parse(customer: &str, number: &str, type_key: &str, created: &str, provided: Option<&str>) -> Result<Self, DocumentError> {
        Ok(Self {
            customer: CustomerNumber::parse(customer).map_err(field("customer"))?,
            number: DocumentNumber::parse(number).map_err(field("number"))?,
            type_key: DocumentTypeKey::parse(type_key).map_err(field("type"))?,
            created_on: parse_date(created, "created")?,
            provided_on: provided.filter(|p| !p.trim().is_empty()).map(|p| parse_date(p, "provided")).transpose()?,
        })
    }
}

/// A file is taken as a PDF when it starts with `%PDF-` and ends with
/// `%%EOF` (within the last kilobyte, where writers put trailing whitespace
/// or an incremental-update marker).
pub fn is_pdf(bytes: &[u8]) -> bool {
    starts_and_ends_like_a_pdf(bytes, &bytes[bytes.len().saturating_sub(STAGED_TAIL_BYTES)..])
}

fn starts_and_ends_like_a_pdf(head: &[u8], tail: &[u8]) -> bool {
    head.starts_with(b"%PDF-") && tail.windows(5).any(|window| window == b"%%EOF")
}

/// The moment a document provided at `provided_at` leaves the list: the
/// day after "provided + `months` calendar months" begins, in `tz`. (Provided
/// on 31 January, 13 months: visible through 28 February of the next year.)
pub fn hidden_from(provided_at: UnixTime, months: u32, tz: &TimeZone) -> UnixTime {
    let provided = crate::server::dates::day_of(provided_at, tz).unwrap_or(Date::MIN);
    let last_day = provided.checked_add((months as i64).months()).unwrap_or(Date::MAX);
    start_of_day(last_day.tomorrow().unwrap_or(Date::MAX), tz)
}

/// What an ingest did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ingested {
    Created(i64),
    /// The same customer, number, type and bytes were there already (a retry).
    AlreadyThere(i64),
}

impl Ingested {
    pub fn id(self) -> i64 {
        match self {
            Ingested::Created(id) | Ingested::AlreadyThere(id) => id,
        }
    }
}

/// An ingest's outcome with what it found: the document's e-invoice and
/// what it notes about it (a date that differs, an XML it could not read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestReport {
    pub outcome: Ingested,
    pub einvoice: Option<StoredEInvoice>,
    pub notes: Vec<IngestNote>,
}

impl IngestReport {
    pub fn id(&self) -> i64 {
        self.outcome.id()
    }

    /// The notes the caller should look at, in German.
    pub fn warnings(&self) -> Vec<String> {
        self.notes.iter().filter(|note| note.is_warning()).map(IngestNote::german).collect()
    }
}

/// The document that already has this customer, number and type: the same
/// bytes are a retry, other bytes a conflict.
async fn existing(state: &AppState, scope: CustomerScope, new: &NewDocument, hash: &ContentHash) -> Result<Option<Ingested>, DocumentError> {
    let row: Option<(i64, String)> =
        db::query_as("SELECT id, sha256 FROM documents WHERE customer_id = $1 AND number = $2 AND type_key = $3")
            .bind(scope.customer_id())
            .bind(new.number.as_str())
            .bind(new.type_key.as_str())
            .fetch_optional(&state.pool)
            .await?;
    match row {
        None => Ok(None),
        Some((id, stored)) if stored == hash.as_str() => Ok(Some(Ingested::AlreadyThere(id))),
        Some((existing_id, _)) => Err(DocumentError::Conflict { existing_id }),
    }
}

/// [`ingest_staged`] for a file already in memory (the command line, the demo).
pub async fn ingest(state: &AppState, by: &Ingester, new: NewDocument, bytes: Bytes) -> Result<IngestReport, DocumentError> {
    let max = state.config.documents.max_bytes;
    if bytes.len() > max {
        return Err(DocumentError::TooLarge { max_mb: max / (1024 * 1024) });
    }
    let staged = StagedFile::from_bytes(&state.config.upload_dir(), &bytes).await.map_err(|error| match error {
        StageError::TooLarge => DocumentError::TooLarge { max_mb: max / (1024 * 1024) },
        StageError::Io(error) => DocumentError::Storage(StorageError::Staging(error)),
    })?;
    ingest_staged(state, by, new, staged).await
}

/// The document's file as it was recognised: a PDF, perhaps with an
/// invoice XML inside, or a bare invoice XML.
struct Examined {
    kind: FileKind,
    invoice: Option<Box<Recognised>>,
    notes: Vec<IngestNote>,
}

/// What a staged file is: a PDF, an XML (perhaps an e-invoice), or neither.
fn file_kind(staged: &StagedFile) -> Option<FileKind> {
    if starts_and_ends_like_a_pdf(staged.head(), staged.tail()) {
        Some(FileKind::Pdf)
    } else if einvoice::looks_like_xml(staged.head()) {
        Some(FileKind::Xml)
    } else {
        None
    }
}

/// Reads the staged file for an e-invoice and checks it against what the
/// billing system sent: the invoice number must be the document's (else
/// refused, naming `number`); a date other than `created` is noted. An XML
/// that is no readable invoice is refused; a PDF whose attached XML cannot
/// be read is kept as an ordinary PDF, with a note.
async fn examine(state: &AppState, staged: &StagedFile, kind: FileKind, new: &NewDocument) -> Result<Examined, DocumentError> {
    // Past the recogniser's bound the file is not read into memory at all.
    let readable = match kind {
        FileKind::Pdf => einvoice::MAX_PDF_BYTES,
        FileKind::Xml => einvoice::MAX_XML_BYTES,
    };
    let recognition = if staged.size > readable as u64 {
        Recognition::Unreadable(einvoice::EInvoiceError::TooLarge)
    } else {
        // Held while the file is in memory: a share of the budget as large as the file.
        let mib = u32::try_from(staged.size.div_ceil(1 << 20)).unwrap_or(u32::MAX).clamp(1, EINVOICE_READING_MIB);
        let _reading = state.einvoice_reading.acquire_many(mib).await;
        let bytes = staged.bytes().await.map_err(|error| DocumentError::Storage(StorageError::Staging(error)))?;
        recognise_upload(bytes).await
    };
    let invoice = match (kind, recognition) {
        (_, Recognition::Invoice(found)) => found,
        (FileKind::Pdf, Recognition::Nothing) => return Ok(Examined { kind, invoice: None, notes: Vec::new() }),
        (FileKind::Pdf, Recognition::Unreadable(error)) => {
            let note = IngestNote::EmbeddedUnreadable { reason: unreadable_reason(&error) };
            return Ok(Examined { kind, invoice: None, notes: vec![note] });
        }
        // Well-formed, but no invoice (an HTML page, another XML): not a file the portal takes.
        (FileKind::Xml, Recognition::Nothing | Recognition::Unreadable(einvoice::EInvoiceError::NotAnInvoice)) => {
            return Err(DocumentError::NotPdf)
        }
        (FileKind::Xml, Recognition::Unreadable(error)) => return Err(DocumentError::UnreadableInvoice(unreadable_reason(&error))),
    };
    let in_invoice = invoice.invoice.number.trim();
    if in_invoice != new.number.as_str() {
        return Err(DocumentError::NumberMismatch { in_invoice: in_invoice.chars().take(64).collect(), sent: new.number.as_str().to_owned() });
    }
    let profile = invoice.invoice.profile.as_ref().map_or_else(|| "—".to_owned(), |profile| profile.label().to_owned());
    let mut notes = vec![IngestNote::EInvoice { profile }];
    let created = new.created_on.to_string();
    if invoice.invoice.issue_date.as_str() != created {
        notes.push(IngestNote::IssueDateDiffers { invoice: invoice.invoice.issue_date.as_str().to_owned(), created });
    }
    Ok(Examined { kind, invoice: Some(invoice), notes })
}

/// What a retry answers: the document's e-invoice as it was stored.
async fn already_there(state: &AppState, id: i64) -> Result<IngestReport, DocumentError> {
    let einvoice = einvoices::of_document(&state.pool, id).await?;
    Ok(IngestReport { outcome: Ingested::AlreadyThere(id), einvoice, notes: Vec::new() })
}

pub async fn ingest_staged(state: &AppState, by: &Ingester, new: NewDocument, staged: StagedFile) -> Result<IngestReport, DocumentError> {
    let max = state.config.documents.max_bytes;
    if staged.size > max as u64 {
        return Err(DocumentError::TooLarge { max_mb: max / (1024 * 1024) });
    }
    let kind = file_kind(&staged).ok_or(DocumentError::NotPdf)?;
    let customer_id: Option<i64> = db::query_scalar("SELECT id FROM customers WHERE number = $1")
        .bind(new.customer.as_str())
        .fetch_optional(&state.pool)
        .await?;
    // The ingest caller was checked (operator or API key): it may deliver to any customer.
    let scope = CustomerScope { customer_id: customer_id.ok_or_else(|| DocumentError::UnknownCustomer(new.customer.as_str().to_owned()))? };
    let type_names: Option<(String, Option<String>)> = db::query_as("SELECT name, name_en FROM document_types WHERE key = $1")
        .bind(new.type_key.as_str())
        .fetch_optional(&state.pool)
        .await?;
    let Some((type_name, type_name_en)) = type_names else {
        return Err(DocumentError::Invalid {
            field: "type",
            message: format!("Den Dokumenttyp »{}« gibt es nicht (kundenportal doctype list).", new.type_key.as_str()),
        });
    };
    let hash = staged.hash.clone();
    if let Some(done) = existing(state, scope, &new, &hash).await? {
        return already_there(state, done.id()).await;
    }
    let Examined { kind, invoice, notes } = examine(state, &staged, kind, &new).await?;

    let size = staged.size as i64;
    let lease = super::retention::hold_for_ingest(state, &hash).await?;
    state.documents.put_file(&staged).await?;
    // The invoice XML beside the PDF, under its own hash (a bare XML is the file itself).
    let xml = match &invoice {
        Some(found) if kind == FileKind::Pdf => {
            let xml_hash = ContentHash::of(&found.xml);
            let xml_lease = super::retention::hold_for_ingest(state, &xml_hash).await?;
            state.documents.put(&xml_hash, Bytes::from(found.xml.clone())).await?;
            Some((xml_hash, found.xml.len(), Some(xml_lease)))
        }
        Some(found) => Some((hash.clone(), found.xml.len(), None)),
        None => None,
    };

    let now = state.clock.now();
    let tz = &state.config.time_zone;
    let provided_at = match new.provided_on {
        Some(day) => start_of_day(day, tz),
        None => now,
    };
    let hidden = hidden_from(provided_at, state.config.documents.visible_months, tz);
    let mut tx = db::begin(&state.pool).await?;
    // Of two identical requests at once, one inserts; the other finds its row below.
    let id: Option<i64> = db::query_scalar(
        "INSERT INTO documents (customer_id, number, type_key, created_on, provided_at, hidden_from, sha256, size_bytes, ingested_at, file_kind) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (customer_id, number, type_key) DO NOTHING RETURNING id",
    )
    .bind(scope.customer_id())
    .bind(new.number.as_str())
    .bind(new.type_key.as_str())
    .bind(new.created_on.to_string())
    .bind(provided_at)
    .bind(hidden)
    .bind(hash.as_str())
    .bind(size)
    .bind(now)
    .bind(kind.column())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = id else {
        drop(tx);
        let done = existing(state, scope, &new, &hash).await?.ok_or(DocumentError::NotFound)?;
        return already_there(state, done.id()).await;
    };
    lease.release(&mut tx).await?;
    if let (Some(found), Some((xml_hash, xml_size, xml_lease))) = (&invoice, xml) {
        einvoices::insert(&mut tx, id, &found.invoice, &xml_hash, xml_size).await?;
        if let Some(xml_lease) = xml_lease {
            xml_lease.release(&mut tx).await?;
        }
    }
    let (actor, api_key) = by.audit_actor_and_key();
    let kind_name = TypeName { name: type_name.clone(), en: type_name_en };
    let detail = AuditDetail::DocumentAdded { kind: kind_name, number: new.number.as_str().to_owned(), api_key, notes: notes.clone() };
    audit::record(&mut tx, AuditEntry { actor, customer_id: Some(scope.customer_id()), action: "document_added", detail, ip: None }, now)
        .await?;
    let provided = ProvidedDocument {
        id,
        customer_id: scope.customer_id(),
        number: new.number.as_str().to_owned(),
        type_key: new.type_key.as_str().to_owned(),
        type_name,
        created_on: new.created_on.to_string(),
        size_bytes: size,
        hidden_from: hidden,
        file_kind: kind,
        xml_size_bytes: invoice.as_ref().map(|found| found.xml.len() as i64),
    };
    let mails = notify::queue_mails(state, &mut tx, &provided, now).await?;
    let einvoice = einvoices::of_document(&mut tx, id).await?;
    tx.commit().await?;
    tracing::info!(document_id = id, customer_id = scope.customer_id(), einvoice = einvoice.is_some(), ?mails, "document added");
    Ok(IngestReport { outcome: Ingested::Created(id), einvoice, notes })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn berlin() -> TimeZone {
        TimeZone::get("Europe/Berlin").unwrap()
    }

    fn at(day: &str, time: &str) -> UnixTime {
        UnixTime::from_seconds(format!("{day}T{time}[Europe/Berlin]").parse::<jiff::Zoned>().unwrap().timestamp().as_second())
    }

    #[test]
    fn a_document_stays_13_calendar_months_in_the_operators_time_zone() {
        // Provided 31 January: visible through 28 February of the next year.
        assert_eq!(hidden_from(at("2025-01-31", "10:00"), 13, &berlin()), at("2026-03-01", "00:00"));
        // Just after midnight the Berlin date counts (in UTC it is still the 14th).
        assert_eq!(hidden_from(at("2025-03-15", "00:30"), 13, &berlin()), at("2026-04-16", "00:00"));
        assert_eq!(hidden_from(at("2024-02-29", "08:00"), 12, &berlin()), at("2025-03-01", "00:00"));
    }

    #[test]
    fn a_pdf_starts_with_its_header_and_ends_with_its_marker() {
        assert!(is_pdf(b"%PDF-1.7\n...\n%%EOF\n"));
        assert!(!is_pdf(b"%PDF-1.7 but cut off"));
        assert!(!is_pdf(b"<html>%%EOF"));
        assert!(!is_pdf(b""));
    }

    #[test]
    fn metadata_is_refused_naming_the_field() {
        let refused = |result: Result<NewDocument, DocumentError>| match result {
            Err(DocumentError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(refused(NewDocument::parse("", "RE-1", "rechnung", "2026-01-31", None)), "customer");
        assert_eq!(refused(NewDocument::parse("10001", "", "rechnung", "2026-01-31", None)), "number");
        assert_eq!(refused(NewDocument::parse("10001", "RE-1", "Rechnung!", "2026-01-31", None)), "type");
        assert_eq!(refused(NewDocument::parse("10001", "RE-1", "rechnung", "2026-02-30", None)), "created");
        assert_eq!(refused(NewDocument::parse("10001", "RE-1", "rechnung", "2026-01-31", Some("gestern"))), "provided");
        let ok = NewDocument::parse("10001", "RE-1", "rechnung", "31.01.2026", Some("")).unwrap();
        assert_eq!((ok.created_on.to_string(), ok.provided_on), ("2026-01-31".to_owned(), None));
    }
}
