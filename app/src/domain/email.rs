use super::{InputError, Refusal};
use serde::{Deserialize, Serialize};

/// An e-mail address: one mailbox, `local@domain`, domain lower-cased.
/// The server additionally parses it with lettre before a mail is built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, InputError> {
        let invalid = || InputError::new(Refusal::EmailInvalid);
        let value = raw.trim();
        if value.is_empty() {
            return Err(InputError::new(Refusal::EmailMissing));
        }
        if value.len() > Self::MAX_LEN {
            return Err(invalid());
        }
        let (local, domain) = value.rsplit_once('@').ok_or_else(invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| {
                c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c)
            });
        let domain_ok = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !local_ok || !domain_ok {
            return Err(invalid());
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_cases_the_domain_but_not_the_local_part() {
        let address = EmailAddress::parse(" Max.Mustermann@Mail.DE ").unwrap();
        assert_eq!(address.as_str(), "Max.Mustermann@mail.de");
    }

    #[test]
    fn refuses_what_is_not_one_mailbox() {
        for bad in [
            "",
            "max",
            "max@",
            "@mail.de",
            "max@localhost",
            "max@@mail.de",
            "max mustermann@mail.de",
            "max@mail.de\r\nBcc: evil@example.com",
            "Max <max@mail.de>",
            ".max@mail.de",
            "max@-mail.de",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "accepted {bad:?}");
        }
    }
}
