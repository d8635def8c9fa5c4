//! Text that may carry a secret, made fit for a message or a log.

/// A URL fit for a message or a log: the user and host stay, the password
/// and the parameters (which may carry keys) do not.
pub fn redact_url(url: &str) -> String {
    let without_query = url.split('?').next().unwrap_or_default();
    match (without_query.find("://"), without_query.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let user = without_query[scheme_end + 3..at].split(':').next().unwrap_or_default();
            format!("{}{user}@{}", &without_query[..scheme_end + 3], &without_query[at + 1..])
        }
        _ => without_query.to_owned(),
    }
}

/// A URL that may carry a password (`KP_DATABASE_URL`, `KP_SMTP_URL`): used
/// as the `&str` it is, but printed with `{:?}` (a derived `Debug` of the
/// configuration, say) only as [`redact_url`] shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(String);

impl SecretUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(url.into())
    }
}

impl std::ops::Deref for SecretUrl {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretUrl({:?})", redact_url(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_a_url_is_never_shown() {
        assert_eq!(redact_url("postgres://portal:s3cret@db.example:5432/kp?sslmode=require"), "postgres://portal@db.example:5432/kp");
        assert_eq!(redact_url("postgres://portal:p@ss@word@db/kp"), "postgres://portal@db/kp");
        assert_eq!(redact_url("sqlite:///var/lib/kp/kp.db?mode=rwc"), "sqlite:///var/lib/kp/kp.db");
        let secret = SecretUrl::new("smtp://mailer:geheim@mail.example:587");
        assert_eq!(&*secret, "smtp://mailer:geheim@mail.example:587");
        assert!(!format!("{secret:?}").contains("geheim"));
    }
}
