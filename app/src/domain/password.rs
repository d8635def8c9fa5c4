use super::{InputError, Refusal};
use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// The operator's password rules. Default: 8–16 characters, at least one
/// digit and one letter. Always on top: not the username, not the customer's
/// name, not a commonly used password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    pub min_len: usize,
    pub max_len: usize,
    pub require_digit: bool,
    pub require_letter: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self { min_len: 8, max_len: 16, require_digit: true, require_letter: true }
    }
}

/// One rule of the policy, as the form lists it while the user types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PasswordRule {
    Length,
    Digit,
    Letter,
    NotUsername,
    NotCustomerName,
    NotCommon,
}

impl PasswordRule {
    pub const ALL: [PasswordRule; 6] = [
        PasswordRule::Length,
        PasswordRule::Digit,
        PasswordRule::Letter,
        PasswordRule::NotUsername,
        PasswordRule::NotCustomerName,
        PasswordRule::NotCommon,
    ];

    /// The rule as the list under the field names it, in `lang` (the length
    /// with the policy's bounds). Empty in the browser, which carries no
    /// texts: the form gets the labels from the server.
    pub fn label(self, policy: &PasswordPolicy, lang: Lang) -> String {
        use crate::t;
        match self {
            PasswordRule::Length => t!(lang, "password-rule-length", min = policy.min_len, max = policy.max_len),
            PasswordRule::Digit => t!(lang, "password-rule-digit"),
            PasswordRule::Letter => t!(lang, "password-rule-letter"),
            PasswordRule::NotUsername => t!(lang, "password-rule-not-username"),
            PasswordRule::NotCustomerName => t!(lang, "password-rule-not-customer-name"),
            PasswordRule::NotCommon => t!(lang, "password-rule-not-common"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCheck {
    pub rule: PasswordRule,
    /// On the server the rule's label in the request's language; empty in
    /// the browser (the form shows the labels the server sent).
    pub label: String,
    pub met: bool,
}

/// What a password is checked against besides itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct PasswordContext<'a> {
    pub username: Option<&'a str>,
    pub customer_name: Option<&'a str>,
}

impl PasswordPolicy {
    /// Every rule with whether `candidate` meets it, and on the server its
    /// label in the request's language ([`crate::i18n::lang`]).
    pub fn check(&self, candidate: &str, context: PasswordContext<'_>) -> Vec<RuleCheck> {
        let len = candidate.chars().count();
        let folded = candidate.to_lowercase();
        let equals_folded =
            |other: Option<&str>| other.is_some_and(|o| !o.is_empty() && o.trim().to_lowercase() == folded);
        let mut met = vec![(PasswordRule::Length, len >= self.min_len && len <= self.max_len)];
        if self.require_digit {
            met.push((PasswordRule::Digit, candidate.chars().any(|c| c.is_numeric())));
        }
        if self.require_letter {
            met.push((PasswordRule::Letter, candidate.chars().any(|c| c.is_alphabetic())));
        }
        met.push((PasswordRule::NotUsername, !candidate.is_empty() && !equals_folded(context.username)));
        if context.customer_name.is_some() {
            met.push((PasswordRule::NotCustomerName, !candidate.is_empty() && !equals_folded(context.customer_name)));
        }
        met.push((PasswordRule::NotCommon, !candidate.is_empty() && !is_common_password(&folded)));
        met.into_iter().map(|(rule, met)| RuleCheck { rule, label: self.label_here(rule), met }).collect()
    }

    /// Every rule's label in `lang`, for a form that checks in the browser.
    pub fn rule_labels(&self, lang: Lang) -> Vec<(PasswordRule, String)> {
        PasswordRule::ALL.into_iter().map(|rule| (rule, rule.label(self, lang))).collect()
    }

    #[cfg(feature = "ssr")]
    fn label_here(&self, rule: PasswordRule) -> String {
        rule.label(self, crate::i18n::lang())
    }

    #[cfg(not(feature = "ssr"))]
    fn label_here(&self, _rule: PasswordRule) -> String {
        String::new()
    }
}

/// A password that meets the policy. It is never serialised, never printed:
/// `Debug` shows a placeholder.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn parse(
        candidate: &str,
        policy: &PasswordPolicy,
        context: PasswordContext<'_>,
    ) -> Result<Self, InputError> {
        if candidate.is_empty() {
            return Err(InputError::new(Refusal::PasswordMissing));
        }
        let unmet: Vec<String> = policy
            .check(candidate, context)
            .into_iter()
            .filter(|check| !check.met)
            .map(|check| check.label)
            .collect();
        if unmet.is_empty() {
            Ok(Self(candidate.to_owned()))
        } else {
            Err(InputError::new(Refusal::PasswordRules(unmet)))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// Case-folded comparison against commonly used passwords. The server checks
/// zxcvbn's list of leaked passwords (17,950 of at least 8 characters, German
/// ones among them; `common-passwords.txt`) plus [`SHORT_LIST`]; the browser,
/// which shows the rule while the user types, only the short list, so the
/// download stays small — a password from the long list is refused when the
/// form is sent, with the same message.
fn is_common_password(folded: &str) -> bool {
    #[cfg(feature = "ssr")]
    {
        use std::collections::HashSet;
        use std::sync::LazyLock;
        static LEAKED: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
            include_str!("common-passwords.txt").lines().filter(|line| !line.starts_with('#') && !line.is_empty()).collect()
        });
        if LEAKED.contains(folded) {
            return true;
        }
    }
    SHORT_LIST.contains(&folded)
}

/// Passwords the leaked lists lack or rank low but people here choose (German
/// words, `qwertz`, seasons and years, the portal's name), and the ones that
/// lead every list and would otherwise pass the length, digit and letter rules.
const SHORT_LIST: &[&str] = &[
    "password1", "password12", "password123", "password1234", "passwort1", "passwort123",
    "passwort1234", "12345678a", "123456789a", "1234567890a", "a12345678", "a123456789",
    "abc12345", "abc123456", "abcd1234", "abcd12345", "1q2w3e4r", "1q2w3e4r5t", "1q2w3e4r5t6y",
    "q1w2e3r4", "q1w2e3r4t5", "qwerty12", "qwerty123", "qwerty1234", "qwertz12", "qwertz123",
    "qwertz1234", "asdf1234", "asdfgh12", "zaq12wsx", "1qaz2wsx", "1qazxsw2", "welcome1",
    "welcome123", "willkommen1", "hallo123", "hallo1234", "test1234", "test12345", "admin123",
    "admin1234", "letmein1", "iloveyou1", "monkey123", "dragon123", "sommer2024", "sommer2025",
    "sommer2026", "winter2024", "winter2025", "winter2026", "fussball1", "schalke04", "bvb09",
    "kundenportal1", "kundenportal2026", "passwort2024", "passwort2025", "passwort2026",
    "password2024", "password2025", "password2026", "geheim123", "geheim1234", "master123",
    "secret123", "changeme1", "login123", "starwars1", "baseball1", "football1", "superman1",
    "trustno1", "sunshine1", "princess1", "charlie1", "michael1", "daniel123", "thomas123",
    "andreas1", "stefan123", "marcel123", "computer1", "internet1", "matrix123", "p4ssw0rd",
    "passw0rd", "pa55word", "pa55w0rd", "p@ssw0rd", "p@ssword1", "123qwe123", "qwe123qwe",
    "abc123abc", "a1b2c3d4", "a1b2c3d4e5", "1a2b3c4d", "11111111a", "aaaaaaa1", "aaaaaaaa1",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(candidate: &str) -> Result<Password, InputError> {
        Password::parse(
            candidate,
            &PasswordPolicy::default(),
            PasswordContext { username: Some("Max.Muster"), customer_name: Some("Muster GmbH") },
        )
    }

    #[test]
    fn accepts_a_password_that_meets_every_rule() {
        assert_eq!(parse("Grün-Tonne-7").unwrap().expose(), "Grün-Tonne-7");
    }

    #[cfg(feature = "ssr")] // the texts are the server's
    #[test]
    fn each_rule_is_refused_with_its_german_label() {
        let cases = [
            ("Kurz1", "8 bis 16 Zeichen"),
            ("Viel-zu-lang-fuer-1-Regel", "8 bis 16 Zeichen"),
            ("OhneZahlHier", "mindestens eine Zahl"),
            ("1234-5678", "mindestens ein Buchstabe"),
            ("Password123", "kein häufig verwendetes Passwort"),
        ];
        for (candidate, label) in cases {
            let error = parse(candidate).unwrap_err().to_string();
            assert!(error.contains(label), "{candidate}: {error}");
        }
    }

    #[cfg(feature = "ssr")] // the texts are the server's
    #[test]
    fn refuses_the_username_and_customer_name_in_any_case() {
        let policy = PasswordPolicy::default();
        let context = PasswordContext { username: Some("max4711"), customer_name: Some("Firma 2000") };
        let error = Password::parse("MAX4711", &policy, context).unwrap_err().to_string();
        assert!(error.contains("nicht der Benutzername"), "{error}");
        let error = Password::parse("firma 2000", &policy, context).unwrap_err().to_string();
        assert!(error.contains("nicht der Kundenname"), "{error}");
    }

    #[test]
    fn counts_characters_not_bytes_and_never_truncates() {
        // Eight characters, eleven bytes: long enough.
        assert!(parse("äöüäöü1a").is_ok());
        // Seventeen characters are refused rather than cut to sixteen.
        assert!(parse("Abcdefghijklmno17").is_err());
    }

    #[test]
    fn a_configured_policy_is_honoured() {
        let policy = PasswordPolicy { min_len: 12, max_len: 64, require_digit: false, require_letter: true };
        assert!(Password::parse("nur-buchstaben-lang", &policy, PasswordContext::default()).is_ok());
        assert!(Password::parse("kurz-nur", &policy, PasswordContext::default()).is_err());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn the_server_refuses_at_least_10000_leaked_passwords_in_any_case() {
        let listed = include_str!("common-passwords.txt").lines().filter(|line| !line.starts_with('#')).count();
        assert!(listed >= 10_000, "{listed}");
        for leaked in ["Passwort1", "HALLO1234", "fussball1", "Schalke04", "baseball1", "Sommer2026", "qwertz123", "Favorite4", "AA123456s"] {
            let error = parse(leaked).map(|_| ()).unwrap_err().to_string();
            assert!(error.contains("kein häufig verwendetes Passwort"), "{leaked}: {error}");
        }
        assert!(parse("Grün-Tonne-7").is_ok(), "an uncommon password passes");
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn labels_come_in_either_language() {
        let policy = PasswordPolicy::default();
        assert_eq!(PasswordRule::Length.label(&policy, Lang::De), "8 bis 16 Zeichen");
        assert_eq!(PasswordRule::Length.label(&policy, Lang::En), "8 to 16 characters");
        let labels = policy.rule_labels(Lang::En);
        assert_eq!(labels.len(), PasswordRule::ALL.len());
        assert!(labels.contains(&(PasswordRule::NotCommon, "not a commonly used password".to_owned())));
    }

    #[test]
    fn debug_never_shows_the_password() {
        assert_eq!(format!("{:?}", parse("Grün-Tonne-7").unwrap()), "Password(***)");
    }
}
