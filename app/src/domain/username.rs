use super::{InputError, Refusal};
use serde::{Deserialize, Serialize};

/// A sign-in name as the user or operator chose it. Letters keep their case
/// for display; uniqueness and sign-in compare the case-folded [`Username::key`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    pub const MIN_LEN: usize = 3;
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(InputError::new(Refusal::UsernameMissing));
        }
        let len = value.chars().count();
        if len < Self::MIN_LEN || len > Self::MAX_LEN {
            return Err(InputError::new(Refusal::UsernameLength));
        }
        // ASCII only: the case-folded unique index must fold exactly like we do,
        // on SQLite and PostgreSQL alike, and look-alike letters cannot collide.
        if !value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
        {
            return Err(InputError::new(Refusal::UsernameCharacters));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-folded form used for uniqueness, sign-in and lockout counters.
    pub fn key(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

impl AsRef<str> for Username {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_names_and_trims() {
        assert_eq!(Username::parse("  Max.Muster ").unwrap().as_str(), "Max.Muster");
        assert_eq!(Username::parse("s8u8i1").unwrap().key(), "s8u8i1");
    }

    #[test]
    fn folds_case_for_the_key_only() {
        let name = Username::parse("Max").unwrap();
        assert_eq!(name.as_str(), "Max");
        assert_eq!(name.key(), Username::parse("max").unwrap().key());
    }

    #[test]
    fn refuses_empty_short_long_and_odd_characters() {
        assert!(Username::parse("   ").is_err());
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse(&"a".repeat(65)).is_err());
        assert!(Username::parse("Jürgen").is_err());
        assert!(Username::parse("max muster").is_err());
        assert!(Username::parse("max\r\nBcc: x").is_err());
    }
}
