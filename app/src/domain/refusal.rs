//! Why a form's input was refused, as a type. The server function returns
//! it (with the field it concerns) inside [`crate::error::AppError`]; a form
//! posted without JavaScript gets it back as a short code in the address
//! (`?fehler=…&feld=…`), and only the codes here turn back into text — a
//! crafted link cannot put words of its own on the page.

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

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Refusal::PasswordsDiffer => "Die beiden Passwörter stimmen nicht überein.",
            Refusal::SameAsBefore => "Bitte wählen Sie ein anderes Passwort als das bisherige.",
            Refusal::CurrentWrong => "Das aktuelle Passwort ist nicht korrekt.",
            Refusal::NewEqualsCurrent => "Das neue Passwort muss sich vom aktuellen unterscheiden.",
            Refusal::PrivacyChanged => {
                "Die Datenschutzhinweise wurden inzwischen aktualisiert. Bitte laden Sie die Seite neu und lesen Sie die aktuelle Fassung."
            }
            Refusal::IdentifierMissing => "Bitte geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse ein.",
            Refusal::PasswordMissing => "Bitte geben Sie ein Passwort ein.",
            Refusal::TooManyWrong => "Zu viele falsche Versuche. Bitte warten Sie einige Minuten und versuchen Sie es dann noch einmal.",
            Refusal::PasswordRules(unmet) if unmet.is_empty() => {
                "Das Passwort erfüllt nicht alle Regeln. Die Liste unter dem Feld zeigt, was noch fehlt."
            }
            Refusal::PasswordRules(unmet) => return write!(f, "Das Passwort erfüllt nicht alle Regeln: {}.", unmet.join(", ")),
            Refusal::EmailMissing => "Bitte geben Sie eine E-Mail-Adresse ein.",
            Refusal::EmailInvalid => "Bitte geben Sie eine gültige E-Mail-Adresse ein.",
            Refusal::EmailsDiffer => "Die beiden E-Mail-Adressen stimmen nicht überein.",
            Refusal::ForwardingExists => "Diese Weiterleitung gibt es bereits: dieselbe Adresse mit demselben Dokumententyp.",
            Refusal::ForwardingsFull => {
                "Die Höchstzahl an Weiterleitungen ist erreicht. Bitte entfernen Sie zuerst eine Weiterleitung, die Sie nicht mehr brauchen."
            }
            Refusal::DocumentTypeUnknown => "Bitte wählen Sie einen Dokumententyp aus der Liste.",
            Refusal::NotifyModeUnknown => "Bitte wählen Sie eine der drei Möglichkeiten.",
            Refusal::SalutationUnknown => "Bitte wählen Sie eine Anrede aus der Liste.",
            Refusal::NameTooLong => "Vor- und Nachname dürfen höchstens 100 Zeichen lang sein.",
            Refusal::NameInvalid => "Der Name darf keine Zeilenumbrüche oder Steuerzeichen enthalten.",
            Refusal::EmailUnchanged => "Das ist bereits Ihre E-Mail-Adresse.",
            Refusal::UsernameMissing => "Bitte geben Sie einen Benutzernamen ein.",
            Refusal::UsernameLength => "Der Benutzername muss 3 bis 64 Zeichen lang sein.",
            Refusal::UsernameCharacters => "Der Benutzername darf nur Buchstaben (ohne Umlaute), Ziffern und . _ - @ enthalten.",
            Refusal::UsernameTaken => "Dieser Benutzername ist bereits vergeben. Bitte wählen Sie einen anderen.",
            Refusal::UsersFull => {
                "Die Höchstzahl an Benutzern ist erreicht. Bitte entfernen Sie zuerst einen Benutzer, der keinen Zugang mehr braucht."
            }
            Refusal::NotYourself => {
                "Ihren eigenen Benutzer können Sie hier nicht deaktivieren, entfernen oder in seinen Rechten ändern."
            }
            Refusal::AlreadySetUp => "Dieser Benutzer hat sein Passwort bereits festgelegt; eine Einladung ist nicht mehr nötig.",
            Refusal::AddsUsedUp => {
                "Für heute sind keine weiteren Hinzufügungen möglich. Bitte versuchen Sie es morgen wieder oder wenden Sie sich an die Hotline."
            }
            Refusal::InactiveNotInvited => "Dieser Benutzer ist deaktiviert. Bitte aktivieren Sie ihn zuerst.",
            Refusal::DateInvalid => "Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ).",
            Refusal::CodeWrong => {
                "Der Code ist nicht korrekt oder wurde schon verwendet. Bitte geben Sie den Code ein, den Ihre Authenticator-App gerade anzeigt."
            }
            Refusal::CodeMissing => "Bitte geben Sie den Code aus Ihrer Authenticator-App ein.",
            Refusal::SignInExpired => "Die Anmeldung ist abgelaufen. Bitte melden Sie sich noch einmal mit Benutzername und Passwort an.",
            Refusal::SecondFactorRequired => {
                "Die Zwei-Faktor-Anmeldung ist für alle Benutzer Ihres Kundenkontos vorgeschrieben und kann nicht ausgeschaltet werden."
            }
            Refusal::SecondFactorOwnFirst => {
                "Bitte richten Sie die Zwei-Faktor-Anmeldung zuerst für sich selbst ein (Profil), bevor Sie sie für alle Benutzer verlangen."
            }
            Refusal::SetupRestart => "Die Einrichtung ist nicht mehr offen. Bitte beginnen Sie sie noch einmal.",
            Refusal::SecondFactorNotOn => "Die Zwei-Faktor-Anmeldung ist nicht eingeschaltet.",
            Refusal::SecondFactorAlreadyOn => "Die Zwei-Faktor-Anmeldung ist bereits eingeschaltet.",
            Refusal::PasskeyUnavailable => "Passkeys sind in diesem Kundenportal nicht eingerichtet.",
            Refusal::PasskeyRefused => "Der Passkey wurde nicht angenommen. Bitte versuchen Sie es noch einmal oder melden Sie sich mit Benutzername und Passwort an.",
            Refusal::PasskeyExpired => "Die Anfrage ist abgelaufen. Bitte versuchen Sie es noch einmal.",
            Refusal::PasskeyNameInvalid => "Bitte geben Sie dem Passkey einen Namen mit 1 bis 60 Zeichen.",
            Refusal::PasskeyKnown => "Dieser Passkey ist bereits hinzugefügt.",
            Refusal::Other(text) => text,
            Refusal::NotAccepted => {
                "Die Eingabe wurde nicht angenommen. Bitte prüfen Sie Ihre Angaben und versuchen Sie es noch einmal."
            }
        };
        f.write_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::Refusal;

    const EVERY_FIXED: [Refusal; 44] = [
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

    #[test]
    fn a_rule_list_and_a_free_text_travel_as_their_general_form_only() {
        let rules = Refusal::PasswordRules(vec!["mindestens eine Zahl".into()]);
        assert_eq!(rules.to_string(), "Das Passwort erfüllt nicht alle Regeln: mindestens eine Zahl.");
        assert_eq!(Refusal::from_code(rules.code()).unwrap().to_string(), Refusal::PasswordRules(Vec::new()).to_string());
        let other = Refusal::Other("Rufen Sie 0900-666 an".into());
        assert_eq!(Refusal::from_code(other.code()), Some(Refusal::NotAccepted));
        assert_eq!(Refusal::from_code("Rufen Sie 0900-666 an"), None);
    }
}
