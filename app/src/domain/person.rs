use super::{InputError, Refusal};
use serde::{Deserialize, Serialize};

/// Anrede: keine / Herr / Frau.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Salutation {
    #[default]
    None,
    Mr,
    Ms,
}

impl Salutation {
    pub const ALL: [Salutation; 3] = [Salutation::None, Salutation::Mr, Salutation::Ms];

    /// As stored (`users.salutation`) and as the form sends it.
    pub fn key(self) -> &'static str {
        match self {
            Salutation::None => "keine",
            Salutation::Mr => "herr",
            Salutation::Ms => "frau",
        }
    }

    /// As the profile's list names it, in the request's language ([`crate::i18n::lang`]).
    pub fn label(self) -> String {
        self.label_in(crate::i18n::lang())
    }

    /// As the profile's list names it, in `lang` (empty in the browser, which carries no texts).
    pub fn label_in(self, lang: crate::i18n::Lang) -> String {
        match self {
            Salutation::None => crate::t!(lang, "domain-salutation-none"),
            Salutation::Mr => crate::t!(lang, "domain-salutation-mr"),
            Salutation::Ms => crate::t!(lang, "domain-salutation-ms"),
        }
    }

    pub fn parse(key: &str) -> Result<Self, InputError> {
        Self::ALL
            .into_iter()
            .find(|s| s.key() == key.trim())
            .ok_or_else(|| InputError::new(Refusal::SalutationUnknown))
    }
}

/// A first or last name: may be empty, at most [`PersonName::MAX_LEN`]
/// characters, no control characters (it reaches mail greetings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_LEN: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let value = raw.trim();
        if value.chars().count() > Self::MAX_LEN {
            return Err(InputError::new(Refusal::NameTooLong));
        }
        if value.chars().any(char::is_control) {
            return Err(InputError::new(Refusal::NameInvalid));
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
    fn names_are_trimmed_limited_and_single_line() {
        assert_eq!(PersonName::parse("  Erika ").unwrap().as_str(), "Erika");
        assert_eq!(PersonName::parse("").unwrap().as_str(), "");
        assert!(PersonName::parse(&"a".repeat(101)).is_err());
        assert!(PersonName::parse("Erika\nBcc: x").is_err());
        assert_eq!(Salutation::parse("frau").unwrap(), Salutation::Ms);
        assert!(Salutation::parse("dr").is_err());
    }
}
