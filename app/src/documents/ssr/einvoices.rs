//! E-invoices in the portal. At ingest the recogniser
//! ([`crate::documents::einvoice`]) reads the upload in a blocking task,
//! bounded in time, its panics caught; what it finds is checked against
//! the billing system's data and kept: the key fields in `einvoices`, the
//! invoice XML content-addressed in the document store (for a bare XML, the
//! document's own file). The list, the readable page, the downloads, the
//! mails, the export and the app's API read it back from here.

use crate::documents::einvoice::{self, EInvoice, EInvoiceError, Profile, Recognised};
use crate::i18n::Lang;
use crate::server::db::{self, Transaction};
use crate::server::storage::ContentHash;
use bytes::Bytes;
pub use crate::server::audit::IngestNote;
use std::time::Duration;

/// The longest a recognition may take; the recogniser's own limits keep it
/// far below this, so hitting it means something unforeseen.
const RECOGNITION_TIME: Duration = Duration::from_secs(20);

/// What an upload turned out to hold.
#[derive(Debug)]
pub enum Recognition {
    /// No e-invoice: an ordinary PDF, or a file that is neither PDF nor XML.
    Nothing,
    Invoice(Box<Recognised>),
    /// It looked like one (an invoice XML attached to the PDF, or an XML
    /// file) but could not be read.
    Unreadable(EInvoiceError),
}

/// Runs the recogniser on `bytes` away from the async threads, at most
/// [`RECOGNITION_TIME`]; a panic (none is known) counts as unreadable. The
/// recogniser bounds the size itself; the caller should not read a larger
/// file into memory in the first place.
pub async fn recognise_upload(bytes: Bytes) -> Recognition {
    let task = tokio::task::spawn_blocking(move || einvoice::recognise(&bytes));
    match tokio::time::timeout(RECOGNITION_TIME, task).await {
        Ok(Ok(Ok(Some(found)))) => Recognition::Invoice(Box::new(found)),
        Ok(Ok(Ok(None))) => Recognition::Nothing,
        Ok(Ok(Err(error))) => Recognition::Unreadable(error),
        Ok(Err(panicked)) => {
            tracing::error!(error = %panicked, "e-invoice recognition failed unexpectedly");
            Recognition::Unreadable(EInvoiceError::Malformed("the reader stopped".to_owned()))
        }
        Err(_) => {
            tracing::error!("e-invoice recognition took too long and was given up");
            Recognition::Unreadable(EInvoiceError::Limit("time"))
        }
    }
}

/// Why an e-invoice could not be read, in German for the ingest's caller
/// (the billing system or the operator).
pub fn unreadable_reason(error: &EInvoiceError) -> String {
    match error {
        EInvoiceError::TooLarge => "Die Datei ist zu groß, um darin eine E-Rechnung zu lesen.".to_owned(),
        EInvoiceError::Malformed(why) => format!("Die Datei ist beschädigt ({why})."),
        EInvoiceError::NotAnInvoice => "Das XML ist keine Rechnung nach CII oder UBL (XRechnung, ZUGFeRD, Factur-X).".to_owned(),
        EInvoiceError::Unsupported(what) => format!("Diese Form der E-Rechnung wird nicht gelesen ({what})."),
        EInvoiceError::Limit(what) => format!("Die Datei überschreitet eine Grenze beim Lesen ({what})."),
        EInvoiceError::Field { field, problem } => format!("Das Feld {field} der E-Rechnung ist ungültig ({problem})."),
    }
}

/// A profile's name as the standards write it, from its stored key (an
/// unknown profile: the ID the document named).
pub fn profile_label(key: Option<&str>, id: Option<&str>) -> String {
    let known = [Profile::Minimum, Profile::BasicWl, Profile::Basic, Profile::En16931, Profile::Extended, Profile::XRechnung];
    match key.and_then(|key| known.iter().find(|profile| profile.key() == key)) {
        Some(profile) => profile.label().to_owned(),
        None => id.unwrap_or("—").to_owned(),
    }
}

/// Cut to the column's bound: the recogniser bounds text already; this
/// keeps a row insertable whatever it lets through.
fn bounded(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

/// A document's e-invoice as stored: the key fields and where its XML is.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredEInvoice {
    pub document_id: i64,
    pub syntax: String,
    pub profile: Option<String>,
    pub profile_id: Option<String>,
    pub invoice_number: String,
    pub type_code: Option<String>,
    /// `2026-01-31`.
    pub issue_date: String,
    pub due_date: Option<String>,
    pub currency: String,
    /// Exact decimals as written: `1190.00`.
    pub grand_total: Option<String>,
    pub due_payable: Option<String>,
    pub seller_name: Option<String>,
    pub xml_sha256: String,
    pub xml_size_bytes: i64,
}

impl StoredEInvoice {
    pub fn profile_label(&self) -> String {
        profile_label(self.profile.as_deref(), self.profile_id.as_deref())
    }

    /// What is to be paid: the amount due, else the total.
    pub fn amount(&self) -> Option<&str> {
        self.due_payable.as_deref().or(self.grand_total.as_deref())
    }
}

/// A left-joined `einvoices` row ([`COLUMNS`]) in a document query: every
/// column NULL for a document without an e-invoice.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct JoinedEInvoice {
    document_id: Option<i64>,
    syntax: Option<String>,
    profile: Option<String>,
    profile_id: Option<String>,
    invoice_number: Option<String>,
    type_code: Option<String>,
    issue_date: Option<String>,
    due_date: Option<String>,
    currency: Option<String>,
    grand_total: Option<String>,
    due_payable: Option<String>,
    seller_name: Option<String>,
    xml_sha256: Option<String>,
    xml_size_bytes: Option<i64>,
}

impl JoinedEInvoice {
    /// The document's e-invoice, if the join found one.
    pub fn stored(&self) -> Option<StoredEInvoice> {
        Some(StoredEInvoice {
            document_id: self.document_id?,
            syntax: self.syntax.clone()?,
            profile: self.profile.clone(),
            profile_id: self.profile_id.clone(),
            invoice_number: self.invoice_number.clone()?,
            type_code: self.type_code.clone(),
            issue_date: self.issue_date.clone()?,
            due_date: self.due_date.clone(),
            currency: self.currency.clone()?,
            grand_total: self.grand_total.clone(),
            due_payable: self.due_payable.clone(),
            seller_name: self.seller_name.clone(),
            xml_sha256: self.xml_sha256.clone()?,
            xml_size_bytes: self.xml_size_bytes?,
        })
    }
}

/// The columns of [`StoredEInvoice`], for queries that join them.
pub const COLUMNS: &str = "e.document_id, e.syntax, e.profile, e.profile_id, e.invoice_number, e.type_code, e.issue_date, e.due_date, \
     e.currency, e.grand_total, e.due_payable, e.seller_name, e.xml_sha256, e.xml_size_bytes";

/// Keeps a recognised invoice's key fields for `document_id`, in the ingest's transaction.
pub async fn insert(tx: &mut Transaction<'_>, document_id: i64, invoice: &EInvoice, xml_hash: &ContentHash, xml_size: usize) -> Result<(), sqlx::Error> {
    let (profile, profile_id) = match &invoice.profile {
        Some(Profile::Unknown(id)) => (Some("unknown"), Some(bounded(id, 300))),
        Some(known) => (Some(known.key()), None),
        None => (None, None),
    };
    let seller = invoice.seller.as_ref().and_then(|party| party.name.as_deref()).map(|name| bounded(name, 300));
    db::query(
        "INSERT INTO einvoices (document_id, syntax, profile, profile_id, invoice_number, type_code, issue_date, due_date, currency, \
         grand_total, due_payable, seller_name, xml_sha256, xml_size_bytes) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(document_id)
    .bind(invoice.syntax.key())
    .bind(profile)
    .bind(profile_id)
    .bind(bounded(&invoice.number, 200))
    .bind(invoice.type_code.as_deref().map(|code| bounded(code, 10)))
    .bind(invoice.issue_date.as_str())
    .bind(invoice.due_date.as_ref().map(|day| day.as_str().to_owned()))
    .bind(bounded(&invoice.currency, 10))
    .bind(invoice.totals.grand_total.as_ref().map(ToString::to_string))
    .bind(invoice.totals.due_payable.as_ref().map(ToString::to_string))
    .bind(seller)
    .bind(xml_hash.as_str())
    .bind(xml_size as i64)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The e-invoice of document `document_id`, if it has one. The caller has
/// checked that the document is the user's.
pub async fn of_document<'c>(executor: impl Into<db::Executor<'c>>, document_id: i64) -> Result<Option<StoredEInvoice>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM einvoices e WHERE e.document_id = $1");
    db::query_as(&sql).bind(document_id).fetch_optional(executor).await
}

/// An amount as a reader in `lang` writes money: `1.234,50 €`, `€1,234.50`;
/// another currency by its code (`1.234,50 CHF`, `CHF 1,234.50`). An amount
/// that is not a decimal is shown as written.
pub fn money_in(lang: Lang, amount: &str, currency: &str) -> String {
    let Ok(parsed) = amount.parse::<einvoice::Amount>() else { return format!("{amount} {currency}") };
    let canonical = parsed.to_string();
    let (sign, digits) = canonical.strip_prefix('-').map_or(("", canonical.as_str()), |rest| ("-", rest));
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    // At least the cents: "12" is "12,00".
    let fraction = format!("{fraction:0<2}");
    let (group, decimal) = match lang {
        Lang::De => ('.', ','),
        Lang::En => (',', '.'),
    };
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(group);
        }
        grouped.push(digit);
    }
    let number = format!("{sign}{grouped}{decimal}{fraction}");
    match (lang, currency) {
        (Lang::De, "EUR") => format!("{number}\u{a0}€"),
        (Lang::En, "EUR") => format!("{sign}€{grouped}{decimal}{fraction}"),
        (Lang::De, code) => format!("{number}\u{a0}{code}"),
        (Lang::En, code) => format!("{code}\u{a0}{number}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_as_the_reader_writes_it() {
        assert_eq!(money_in(Lang::De, "1234.5", "EUR"), "1.234,50\u{a0}€");
        assert_eq!(money_in(Lang::En, "1234.5", "EUR"), "€1,234.50");
        assert_eq!(money_in(Lang::De, "-0.05", "EUR"), "-0,05\u{a0}€");
        assert_eq!(money_in(Lang::En, "-1234567.125", "CHF"), "CHF\u{a0}-1,234,567.125");
        assert_eq!(money_in(Lang::De, "12", "EUR"), "12,00\u{a0}€");
        assert_eq!(money_in(Lang::De, "viel", "EUR"), "viel EUR");
    }

    #[test]
    fn profiles_are_named_as_the_standards_write_them() {
        assert_eq!(profile_label(Some("en16931"), None), "EN 16931");
        assert_eq!(profile_label(Some("xrechnung"), None), "XRECHNUNG");
        assert_eq!(profile_label(Some("unknown"), Some("urn:example")), "urn:example");
        assert_eq!(profile_label(None, None), "—");
    }
}
