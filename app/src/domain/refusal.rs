//! Why a form's input was refused, as a type. The server function returns
//! it (with the field it concerns) inside [`crate::error::AppError`]; a form
//! posted without JavaScript gets it back as a short code in the address
//! (`?fehler=…&feld=…`), and only the codes here turn back into text — a
//! crafted link cannot put words of its own on the page.

#[cfg(feature = "ssr")]
use crate::i18n::Lang;
#[cfg(feature = "ssr")]
use crate::t;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    PasswordsDiffer,
    SameAsBefore,
    CurrentWrong,
    NewEqualsCurrent,
    PrivacyChanged,
    IdentifierMissing,
    PasswordMissing,
    TooManyWrong,
    /// A new password that does not meet the policy, with the rules it
    /// misses (none named: the list under the field shows them).
    PasswordRules(Vec<String>),
    EmailMissing,
    EmailInvalid,
    EmailsDiffer,
    ForwardingExists,
    ForwardingsFull,
    DocumentTypeUnknown,
    NotifyModeUnknown,
    /// What a forwarding sends: none of the three the form offers.
    AttachmentPartsUnknown,
    SalutationUnknown,
    NameTooLong,
    NameInvalid,
    EmailUnchanged,
    UsernameMissing,
    UsernameLength,
    UsernameCharacters,
    UsernameTaken,
    UsersFull,
    NotYourself,
    AlreadySetUp,
    /// Says nothing of the name or address asked for: it is the same whether or not it exists.
    AddsUsedUp,
    InactiveNotInvited,
    DateInvalid,
    /// A second-factor code that is wrong, of a step used before, or not one of the unused recovery codes.
    CodeWrong,
    CodeMissing,
    /// The five minutes between password and code ran out, or the sign-in was ended meanwhile.
    SignInExpired,
    /// The customer requires the second factor: it cannot be turned off.
    SecondFactorRequired,
    /// A main user requires it of everybody only once they use it themselves.
    SecondFactorOwnFirst,
    /// The code was sent for a set-up that is not under way (finished or begun again elsewhere).
    SetupRestart,
    /// Asked of a second factor that is not on (turning off, new recovery codes).
    SecondFactorNotOn,
    /// A set-up begun while the second factor is on already.
    SecondFactorAlreadyOn,
    /// `KP_BASE_URL` names no domain: no passkeys here.
    PasskeyUnavailable,
    /// The authenticator's answer did not prove a passkey of an active user.
    PasskeyRefused,
    /// The passkey ceremony took longer than five minutes, or was answered before.
    PasskeyExpired,
    PasskeyNameInvalid,
    /// This authenticator's passkey is registered already.
    PasskeyKnown,
    /// Input only the ingest API, the CLI and the exports take (customer
    /// data, document numbers, sizes): its text names limits and is never
    /// carried in an address.
    Other(String),
    /// What an unknown code in the address shows.
    NotAccepted,
}

impl Refusal {
    /// The code a plain form post is sent back with (`?fehler=CODE`).
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::PasswordsDiffer => "gleich",
            Refusal::SameAsBefore => "bisher",
            Refusal::CurrentWrong => "aktuell",
            Refusal::NewEqualsCurrent => "unveraendert",
            Refusal::PrivacyChanged => "fassung",
            Refusal::IdentifierMissing => "angabe",
            Refusal::PasswordMissing => "leer",
            Refusal::TooManyWrong => "sperre",
            Refusal::PasswordRules(_) => "regeln",
            Refusal::EmailMissing => "email-leer",
            Refusal::EmailInvalid => "email",
            Refusal::EmailsDiffer => "email-gleich",
            Refusal::ForwardingExists => "doppelt",
            Refusal::ForwardingsFull => "hoechstzahl",
            Refusal::DocumentTypeUnknown => "typ",
            Refusal::NotifyModeUnknown => "benachrichtigung",
            Refusal::AttachmentPartsUnknown => "versand",
            Refusal::SalutationUnknown => "anrede",
            Refusal::NameTooLong => "name-lang",
            Refusal::NameInvalid => "name",
            Refusal::EmailUnchanged => "email-bisher",
            Refusal::UsernameMissing => "benutzername-leer",
            Refusal::UsernameLength => "benutzername-laenge",
            Refusal::UsernameCharacters => "benutzername-zeichen",
            Refusal::UsernameTaken => "benutzername-vergeben",
            Refusal::UsersFull => "benutzer-hoechstzahl",
            Refusal::NotYourself => "selbst",
            Refusal::AlreadySetUp => "eingerichtet",
            Refusal::AddsUsedUp => "kontingent",
            Refusal::InactiveNotInvited => "deaktiviert",
            Refusal::DateInvalid => "datum",
            Refusal::CodeWrong => "code",
            Refusal::CodeMissing => "code-leer",
            Refusal::SignInExpired => "anmeldung-abgelaufen",
            Refusal::SecondFactorRequired => "zwei-faktor-pflicht",
            Refusal::SecondFactorOwnFirst => "zwei-faktor-selbst",
            Refusal::SetupRestart => "einrichtung-neu",
            Refusal::SecondFactorNotOn => "zwei-faktor-aus",
            Refusal::SecondFactorAlreadyOn => "zwei-faktor-an",
            Refusal::PasskeyUnavailable => "passkey-nicht-verfuegbar",
            Refusal::PasskeyRefused => "passkey",
            Refusal::PasskeyExpired => "passkey-abgelaufen",
            Refusal::PasskeyNameInvalid => "passkey-name",
            Refusal::PasskeyKnown => "passkey-bekannt",
            Refusal::Other(_) | Refusal::NotAccepted => "eingabe",
        }
    }

    /// The refusal a code names; `None` for a code that is none of ours.
    pub fn from_code(code: &str) -> Option<Refusal> {
        Some(match code {
            "gleich" => Refusal::PasswordsDiffer,
            "bisher" => Refusal::SameAsBefore,
            "aktuell" => Refusal::CurrentWrong,
            "unveraendert" => Refusal::NewEqualsCurrent,
            "fassung" => Refusal::PrivacyChanged,
            "angabe" => Refusal::IdentifierMissing,
            "leer" => Refusal::PasswordMissing,
            "sperre" => Refusal::TooManyWrong,
            "regeln" => Refusal::PasswordRules(Vec::new()),
            "email-leer" => Refusal::EmailMissing,
            "email" => Refusal::EmailInvalid,
            "email-gleich" => Refusal::EmailsDiffer,
            "doppelt" => Refusal::ForwardingExists,
            "hoechstzahl" => Refusal::ForwardingsFull,
            "typ" => Refusal::DocumentTypeUnknown,
            "benachrichtigung" => Refusal::NotifyModeUnknown,
            "versand" => Refusal::AttachmentPartsUnknown,
            "anrede" => Refusal::SalutationUnknown,
            "name-lang" => Refusal::NameTooLong,
            "name" => Refusal::NameInvalid,
            "email-bisher" => Refusal::EmailUnchanged,
            "benutzername-leer" => Refusal::UsernameMissing,
            "benutzername-laenge" => Refusal::UsernameLength,
            "benutzername-zeichen" => Refusal::UsernameCharacters,
            "benutzername-vergeben" => Refusal::UsernameTaken,
            "benutzer-hoechstzahl" => Refusal::UsersFull,
            "selbst" => Refusal::NotYourself,
            "eingerichtet" => Refusal::AlreadySetUp,
            "kontingent" => Refusal::AddsUsedUp,
            "deaktiviert" => Refusal::InactiveNotInvited,
            "datum" => Refusal::DateInvalid,
            "code" => Refusal::CodeWrong,
            "code-leer" => Refusal::CodeMissing,
            "anmeldung-abgelaufen" => Refusal::SignInExpired,
            "zwei-faktor-pflicht" => Refusal::SecondFactorRequired,
            "zwei-faktor-selbst" => Refusal::SecondFactorOwnFirst,
            "einrichtung-neu" => Refusal::SetupRestart,
            "zwei-faktor-aus" => Refusal::SecondFactorNotOn,
            "zwei-faktor-an" => Refusal::SecondFactorAlreadyOn,
            "passkey-nicht-verfuegbar" => Refusal::PasskeyUnavailable,
            "passkey" => Refusal::PasskeyRefused,
            "passkey-abgelaufen" => Refusal::PasskeyExpired,
            "passkey-name" => Refusal::PasskeyNameInvalid,
            "passkey-bekannt" => Refusal::PasskeyKnown,
            "eingabe" => Refusal::NotAccepted,
            _ => return None,
        })
    }
}

impl Refusal {
    /// What the user is told, in `lang`. Only the server words refusals:
    /// the browser shows the text the server sent.
    #[cfg(feature = "ssr")]
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Refusal::PasswordsDiffer => t!(lang, "refusal-passwords-differ"),
            Refusal::SameAsBefore => t!(lang, "refusal-same-as-before"),
            Refusal::CurrentWrong => t!(lang, "refusal-current-wrong"),
            Refusal::NewEqualsCurrent => t!(lang, "refusal-new-equals-current"),
            Refusal::PrivacyChanged => t!(lang, "refusal-privacy-changed"),
            Refusal::IdentifierMissing => t!(lang, "refusal-identifier-missing"),
            Refusal::PasswordMissing => t!(lang, "refusal-password-missing"),
            Refusal::TooManyWrong => t!(lang, "refusal-too-many-wrong"),
            Refusal::PasswordRules(unmet) if unmet.is_empty() => t!(lang, "refusal-password-rules"),
            // The labels were made in the language of the request that checked the password.
            Refusal::PasswordRules(unmet) => t!(lang, "refusal-password-rules-unmet", rules = unmet.join(", ")),
            Refusal::EmailMissing => t!(lang, "refusal-email-missing"),
            Refusal::EmailInvalid => t!(lang, "refusal-email-invalid"),
            Refusal::EmailsDiffer => t!(lang, "refusal-emails-differ"),
            Refusal::ForwardingExists => t!(lang, "refusal-forwarding-exists"),
            Refusal::ForwardingsFull => t!(lang, "refusal-forwardings-full"),
            Refusal::DocumentTypeUnknown => t!(lang, "refusal-document-type-unknown"),
            Refusal::NotifyModeUnknown => t!(lang, "refusal-notify-mode-unknown"),
            Refusal::AttachmentPartsUnknown => t!(lang, "refusal-forwarding-sends-unknown"),
            Refusal::SalutationUnknown => t!(lang, "refusal-salutation-unknown"),
            Refusal::NameTooLong => t!(lang, "refusal-name-too-long"),
            Refusal::NameInvalid => t!(lang, "refusal-name-invalid"),
            Refusal::EmailUnchanged => t!(lang, "refusal-email-unchanged"),
            Refusal::UsernameMissing => t!(lang, "refusal-username-missing"),
            Refusal::UsernameLength => t!(lang, "refusal-username-length"),
            Refusal::UsernameCharacters => t!(lang, "refusal-username-characters"),
            Refusal::UsernameTaken => t!(lang, "refusal-username-taken"),
            Refusal::UsersFull => t!(lang, "refusal-users-full"),
            Refusal::NotYourself => t!(lang, "refusal-not-yourself"),
            Refusal::AlreadySetUp => t!(lang, "refusal-already-set-up"),
            Refusal::AddsUsedUp => t!(lang, "refusal-adds-used-up"),
            Refusal::InactiveNotInvited => t!(lang, "refusal-inactive-not-invited"),
            Refusal::DateInvalid => t!(lang, "refusal-date-invalid"),
            Refusal::CodeWrong => t!(lang, "refusal-code-wrong"),
            Refusal::CodeMissing => t!(lang, "refusal-code-missing"),
            Refusal::SignInExpired => t!(lang, "refusal-sign-in-expired"),
            Refusal::SecondFactorRequired => t!(lang, "refusal-second-factor-required"),
            Refusal::SecondFactorOwnFirst => t!(lang, "refusal-second-factor-own-first"),
            Refusal::SetupRestart => t!(lang, "refusal-setup-restart"),
            Refusal::SecondFactorNotOn => t!(lang, "refusal-second-factor-not-on"),
            Refusal::SecondFactorAlreadyOn => t!(lang, "refusal-second-factor-already-on"),
            Refusal::PasskeyUnavailable => t!(lang, "refusal-passkey-unavailable"),
            Refusal::PasskeyRefused => t!(lang, "refusal-passkey-refused"),
            Refusal::PasskeyExpired => t!(lang, "refusal-passkey-expired"),
            Refusal::PasskeyNameInvalid => t!(lang, "refusal-passkey-name-invalid"),
            Refusal::PasskeyKnown => t!(lang, "refusal-passkey-known"),
            // Worded by whoever refused, in the language of their request.
            Refusal::Other(text) => text.clone(),
            Refusal::NotAccepted => t!(lang, "refusal-not-accepted"),
        }
    }
}

/// On the server the message in the request's language
/// ([`crate::i18n::lang`]); in the browser, which carries no texts, only
/// the refusal's code (a free text as it came).
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        #[cfg(feature = "ssr")]
        {
            f.write_str(&self.message(crate::i18n::lang()))
        }
        #[cfg(not(feature = "ssr"))]
        {
            match self {
                Refusal::Other(text) => f.write_str(text),
                other => f.write_str(other.code()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Refusal;

    const EVERY_FIXED: [Refusal; 45] = [
        Refusal::PasswordsDiffer,
        Refusal::SameAsBefore,
        Refusal::CurrentWrong,
        Refusal::NewEqualsCurrent,
        Refusal::PrivacyChanged,
        Refusal::IdentifierMissing,
        Refusal::PasswordMissing,
        Refusal::TooManyWrong,
        Refusal::PasswordRules(Vec::new()),
        Refusal::EmailMissing,
        Refusal::EmailInvalid,
        Refusal::EmailsDiffer,
        Refusal::ForwardingExists,
        Refusal::ForwardingsFull,
        Refusal::DocumentTypeUnknown,
        Refusal::NotifyModeUnknown,
        Refusal::AttachmentPartsUnknown,
        Refusal::SalutationUnknown,
        Refusal::NameTooLong,
        Refusal::NameInvalid,
        Refusal::EmailUnchanged,
        Refusal::UsernameMissing,
        Refusal::UsernameLength,
        Refusal::UsernameCharacters,
        Refusal::UsernameTaken,
        Refusal::UsersFull,
        Refusal::NotYourself,
        Refusal::AlreadySetUp,
        Refusal::AddsUsedUp,
        Refusal::InactiveNotInvited,
        Refusal::DateInvalid,
        Refusal::CodeWrong,
        Refusal::CodeMissing,
        Refusal::SignInExpired,
        Refusal::SecondFactorRequired,
        Refusal::SecondFactorOwnFirst,
        Refusal::SetupRestart,
        Refusal::SecondFactorNotOn,
        Refusal::SecondFactorAlreadyOn,
        Refusal::PasskeyUnavailable,
        Refusal::PasskeyRefused,
        Refusal::PasskeyExpired,
        Refusal::PasskeyNameInvalid,
        Refusal::PasskeyKnown,
        Refusal::NotAccepted,
    ];

    #[test]
    fn every_fixed_refusal_comes_back_from_its_code_and_no_two_share_one() {
        let mut codes = std::collections::HashSet::new();
        for refusal in EVERY_FIXED {
            assert_eq!(Refusal::from_code(refusal.code()), Some(refusal.clone()), "{refusal:?}");
            assert!(codes.insert(refusal.code()), "{} twice", refusal.code());
        }
    }

    #[cfg(feature = "ssr")] // the texts are the server's
    #[test]
    fn a_rule_list_and_a_free_text_travel_as_their_general_form_only() {
        let rules = Refusal::PasswordRules(vec!["mindestens eine Zahl".into()]);
        assert_eq!(rules.to_string(), "Das Passwort erfüllt nicht alle Regeln: mindestens eine Zahl.");
        assert_eq!(Refusal::from_code(rules.code()).unwrap().to_string(), Refusal::PasswordRules(Vec::new()).to_string());
        let other = Refusal::Other("Rufen Sie 0900-666 an".into());
        assert_eq!(Refusal::from_code(other.code()), Some(Refusal::NotAccepted));
        assert_eq!(Refusal::from_code("Rufen Sie 0900-666 an"), None);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn every_fixed_refusal_has_a_message_in_both_languages() {
        use crate::i18n::Lang;
        for refusal in EVERY_FIXED {
            let (german, english) = (refusal.message(Lang::De), refusal.message(Lang::En));
            assert!(!german.is_empty() && !english.is_empty() && german != english, "{refusal:?}");
        }
        let rules = Refusal::PasswordRules(vec!["at least one digit".into(), "not the username".into()]);
        assert_eq!(rules.message(Lang::En), "The password does not meet all the rules: at least one digit, not the username.");
    }
}
