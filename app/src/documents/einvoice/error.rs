//! The one error type of the recogniser.
//!
//! Messages are short English sentences without user data beyond a bounded
//! excerpt: the portal maps the variants to its own translated texts, and a
//! hostile file must not be able to blow up a log line.

use thiserror::Error;

/// Why a file could not be read as an e-invoice.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EInvoiceError {
    /// The input (or an embedded file) is larger than this module reads.
    #[error("file is too large")]
    TooLarge,
    /// The bytes are not well-formed XML or PDF.
    #[error("malformed document: {0}")]
    Malformed(String),
    /// Well-formed, but not a CII or UBL invoice.
    #[error("not an e-invoice")]
    NotAnInvoice,
    /// Recognisably an e-invoice, but in a form this module does not read
    /// (ZUGFeRD 1.0, UTF-16, a DTD, …).
    #[error("unsupported e-invoice: {0}")]
    Unsupported(String),
    /// A safety limit (depth, event count, line count, …) was hit.
    #[error("limit exceeded: {0}")]
    Limit(&'static str),
    /// A required field is missing or a field's value is invalid.
    #[error("invalid field {field}: {problem}")]
    Field {
        field: &'static str,
        problem: String,
    },
}

/// Longest excerpt of input text that is copied into an error message.
const EXCERPT_CHARS: usize = 40;

impl EInvoiceError {
    /// A `Malformed` error whose message is cut to a sane length, since parser
    /// messages may quote input.
    pub(crate) fn malformed(message: impl std::fmt::Display) -> Self {
        EInvoiceError::Malformed(excerpt(&message.to_string(), 200))
    }

    /// A `Field` error that names the field and quotes (a bounded part of) the
    /// offending value.
    pub(crate) fn invalid(field: &'static str, what: &str, value: &str) -> Self {
        EInvoiceError::Field {
            field,
            problem: format!("{what}: {:?}", excerpt(value, EXCERPT_CHARS)),
        }
    }

    pub(crate) fn missing(field: &'static str) -> Self {
        EInvoiceError::Field {
            field,
            problem: "missing".to_owned(),
        }
    }
}

/// The first `max` characters of `text`, with an ellipsis if it was longer.
fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_on_char_boundary() {
        assert_eq!(excerpt("äöü", 2), "äö…");
        assert_eq!(excerpt("abc", 3), "abc");
        assert_eq!(excerpt("", 3), "");
    }

    #[test]
    fn messages_are_short_and_bounded() {
        let long = "x".repeat(10_000);
        let e = EInvoiceError::invalid("number", "too long", &long);
        assert!(e.to_string().len() < 120, "{e}");
        let e = EInvoiceError::malformed(&long);
        assert!(e.to_string().len() < 260);
        assert_eq!(EInvoiceError::TooLarge.to_string(), "file is too large");
        assert_eq!(
            EInvoiceError::missing("number").to_string(),
            "invalid field number: missing"
        );
    }
}
