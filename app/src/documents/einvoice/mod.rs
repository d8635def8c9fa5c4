//! Recognises German e-invoices: XRechnung and ZUGFeRD / Factur-X, as plain
//! XML (UN/CEFACT CII or OASIS UBL) or as XML embedded in a PDF/A-3.
//!
//! Recognition, not validation: the fields a document portal needs are read
//! exactly (amounts as decimals, dates checked against the calendar), but
//! the document is not checked against the EN 16931 business rules.
//!
//! Everything here reads untrusted uploads, so every input path is bounded
//! (see the `MAX_*` constants) and no input can make it panic. lopdf reads
//! the PDF (pure Rust, without its default features: no rayon, no chrono),
//! quick-xml (already in the tree) the XML, with namespaces.

mod amount;
mod date;
mod error;
mod model;
mod pdf;
mod profile;
mod xml;

#[cfg(test)]
mod fixtures;

pub use amount::{Amount, AmountError, MAX_AMOUNT_DIGITS};
pub use date::IsoDate;
pub use error::EInvoiceError;
pub use model::{EInvoice, Line, Party, Syntax, Totals};
pub use pdf::{embedded_invoice_xml, is_pdf, Embedded, MAX_PDF_BYTES};
pub use profile::Profile;
pub use xml::{parse_xml, MAX_DEPTH, MAX_EVENTS, MAX_LINES, MAX_TEXT_BYTES, MAX_XML_BYTES};

/// Where the invoice XML was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Container {
    /// Attached to a PDF under this (base) file name.
    Pdf { file_name: String },
    /// The uploaded file was the XML itself.
    Xml,
}

/// A recognised e-invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recognised {
    /// The invoice XML as found (for archiving the authoritative form).
    pub xml: Vec<u8>,
    pub invoice: EInvoice,
    pub container: Container,
}

/// Recognises an e-invoice in an uploaded file.
///
/// - A PDF (`%PDF-` within the first 1024 bytes): its attached invoice XML
///   is read; a PDF without one is `Ok(None)` (an ordinary PDF).
/// - Anything starting with `<` after an optional UTF-8 byte order mark and
///   whitespace: read as invoice XML. UTF-16 is an error, not `None`, since
///   it is an XML file that cannot be read.
/// - Anything else: `Ok(None)`.
///
/// An error means the file looked like an e-invoice (or a PDF) but could not
/// be read as one.
pub fn recognise(bytes: &[u8]) -> Result<Option<Recognised>, EInvoiceError> {
    if is_pdf(bytes) {
        let Some(embedded) = embedded_invoice_xml(bytes)? else {
            return Ok(None);
        };
        let invoice = parse_xml(&embedded.xml)?;
        return Ok(Some(Recognised {
            xml: embedded.xml,
            invoice,
            container: Container::Pdf {
                file_name: embedded.file_name,
            },
        }));
    }
    if looks_like_xml(bytes) {
        let invoice = parse_xml(bytes)?;
        return Ok(Some(Recognised {
            xml: bytes.to_vec(),
            invoice,
            container: Container::Xml,
        }));
    }
    Ok(None)
}

/// Whether `bytes` start like an XML document (after a byte order mark and blanks).
pub fn looks_like_xml(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\xFE\xFF") || bytes.starts_with(b"\xFF\xFE") {
        return true;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .is_some_and(|&b| b == b'<')
}

#[cfg(test)]
mod tests;
