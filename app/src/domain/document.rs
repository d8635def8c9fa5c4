use super::InputError;
use crate::i18n::lang;
use crate::t;
use serde::{Deserialize, Serialize};

/// A document's number (Rechnungsnummer, …) as the operator's billing
/// system gives it: unique per customer and type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentNumber(String);

impl DocumentNumber {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let value = raw.trim();
        if value.is_empty() || value.chars().count() > Self::MAX_LEN {
            return Err(InputError::other(t!(lang(), "domain-document-number-length", max = Self::MAX_LEN)));
        }
        // It becomes part of a file name and a CSV cell: no separators, no control characters.
        if !value.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' ')) {
            return Err(InputError::other(t!(lang(), "domain-document-number-characters")));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The stable key of a document type (`rechnung`); its German name can change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentTypeKey(String);

impl DocumentTypeKey {
    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let value = raw.trim();
        let valid = (1..=32).contains(&value.len())
            && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !valid {
            return Err(InputError::other(t!(lang(), "domain-document-type-key")));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A document type's German name as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentTypeName(String);

impl DocumentTypeName {
    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let value = raw.trim();
        if value.is_empty() || value.chars().count() > 60 || value.chars().any(char::is_control) {
            return Err(InputError::other(t!(lang(), "domain-document-type-name")));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keys_and_names_parse_or_say_why_not() {
        #[cfg(feature = "ssr")] // the texts are the server's
        assert_eq!(DocumentNumber::parse(" RE-2026/1 ").map(|n| n.0).unwrap_err().to_string().contains("- _ ."), true);
        assert_eq!(DocumentNumber::parse(" RE-2026-0001 ").unwrap().as_str(), "RE-2026-0001");
        assert!(DocumentNumber::parse("").is_err());
        assert!(DocumentNumber::parse(&"1".repeat(65)).is_err());
        assert!(DocumentNumber::parse("a\"b;c").is_err());
        assert_eq!(DocumentTypeKey::parse("rechnung").unwrap().as_str(), "rechnung");
        assert!(DocumentTypeKey::parse("Rechnung").is_err());
        assert!(DocumentTypeKey::parse("").is_err());
        assert_eq!(DocumentTypeName::parse(" Abschlagsrechnung ").unwrap().as_str(), "Abschlagsrechnung");
        assert!(DocumentTypeName::parse("a\nb").is_err());
    }
}
