use super::InputError;
use serde::{Deserialize, Serialize};

/// The operator's customer number (Kundennummer), e.g. `10001` or `K-2026-17`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerNumber(String);

impl CustomerNumber {
    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let value = raw.trim();
        if value.is_empty() || value.len() > 32 {
            return Err(InputError::other("Die Kundennummer muss 1 bis 32 Zeichen lang sein."));
        }
        if !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/') {
            return Err(InputError::other(
                "Die Kundennummer darf nur Buchstaben, Ziffern, - und / enthalten.",
            ));
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
            return Err(InputError::other("Der Kundenname muss 1 bis 200 Zeichen lang sein."));
        }
        if value.chars().any(char::is_control) {
            return Err(InputError::other("Der Kundenname enthält unzulässige Zeichen."));
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
