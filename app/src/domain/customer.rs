use super::InputError;
use crate::i18n::lang;
use crate::t;
use serde::{Deserialize, Serialize};

/// The operator's customer number (Kundennummer), e.g. `10001` or `K-2026-17`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerNumber(String);

impl CustomerNumber {
    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let value = raw.trim();
        if value.is_empty() || value.len() > 32 {
            return Err(InputError::other(t!(lang(), "domain-customer-number-length")));
        }
        if !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/') {
            return Err(InputError::other(t!(lang(), "domain-customer-number-characters")));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The customer's name as it appears on documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerName(String);

impl CustomerName {
    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let value = raw.trim();
        if value.is_empty() || value.chars().count() > 200 {
            return Err(InputError::other(t!(lang(), "domain-customer-name-length")));
        }
        if value.chars().any(char::is_control) {
            return Err(InputError::other(t!(lang(), "domain-customer-name-characters")));
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
    fn customer_numbers() {
        assert_eq!(CustomerNumber::parse(" 10001 ").unwrap().as_str(), "10001");
        assert!(CustomerNumber::parse("K-2026/17").is_ok());
        assert!(CustomerNumber::parse("").is_err());
        assert!(CustomerNumber::parse("10 001").is_err());
        assert!(CustomerNumber::parse(&"1".repeat(33)).is_err());
    }

    #[test]
    fn customer_names() {
        assert_eq!(CustomerName::parse(" Muster GmbH ").unwrap().as_str(), "Muster GmbH");
        assert!(CustomerName::parse(" ").is_err());
        assert!(CustomerName::parse("Muster\nGmbH").is_err());
    }
}
