//! Fixed messages of the forms. They are named here because a form posted
//! without JavaScript gets its error back as a short code in the address
//! (`?fehler=…`), and only codes from this list are turned back into text —
//! a crafted link cannot put words of its own on the page.

pub const PASSWORDS_DIFFER: &str = "Die beiden Passwörter stimmen nicht überein.";
pub const SAME_AS_BEFORE: &str = "Bitte wählen Sie ein anderes Passwort als das bisherige.";
pub const CURRENT_WRONG: &str = "Das aktuelle Passwort ist nicht korrekt.";
pub const NEW_EQUALS_CURRENT: &str = "Das neue Passwort muss sich vom aktuellen unterscheiden.";
pub const PRIVACY_CHANGED: &str =
    "Die Datenschutzhinweise wurden inzwischen aktualisiert. Bitte laden Sie die Seite neu und lesen Sie die aktuelle Fassung.";
pub const IDENTIFIER_MISSING: &str = "Bitte geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse ein.";
pub const PASSWORD_MISSING: &str = "Bitte geben Sie ein Passwort ein.";
pub const TOO_MANY_WRONG: &str =
    "Zu viele falsche Versuche. Bitte warten Sie einige Minuten und versuchen Sie es dann noch einmal.";
/// How a refused password's message starts; the rules it names vary.
pub const RULES_PREFIX: &str = "Das Passwort erfüllt nicht alle Regeln";
pub const RULES_UNMET: &str = "Das Passwort erfüllt nicht alle Regeln. Die Liste unter dem Feld zeigt, was noch fehlt.";
pub const NOT_ACCEPTED: &str =
    "Die Eingabe wurde nicht angenommen. Bitte prüfen Sie Ihre Angaben und versuchen Sie es noch einmal.";

pub const EMAIL_MISSING: &str = "Bitte geben Sie eine E-Mail-Adresse ein.";
pub const EMAIL_INVALID: &str = "Bitte geben Sie eine gültige E-Mail-Adresse ein.";
pub const EMAILS_DIFFER: &str = "Die beiden E-Mail-Adressen stimmen nicht überein.";
pub const FORWARDING_EXISTS: &str = "Diese Weiterleitung gibt es bereits: dieselbe Adresse mit demselben Dokumententyp.";
pub const FORWARDINGS_FULL: &str =
    "Die Höchstzahl an Weiterleitungen ist erreicht. Bitte entfernen Sie zuerst eine Weiterleitung, die Sie nicht mehr brauchen.";
pub const DOCUMENT_TYPE_UNKNOWN: &str = "Bitte wählen Sie einen Dokumententyp aus der Liste.";
pub const NOTIFY_MODE_UNKNOWN: &str = "Bitte wählen Sie eine der drei Möglichkeiten.";

pub const SALUTATION_UNKNOWN: &str = "Bitte wählen Sie eine Anrede aus der Liste.";
pub const NAME_TOO_LONG: &str = "Vor- und Nachname dürfen höchstens 100 Zeichen lang sein.";
pub const NAME_INVALID: &str = "Der Name darf keine Zeilenumbrüche oder Steuerzeichen enthalten.";
pub const EMAIL_UNCHANGED: &str = "Das ist bereits Ihre E-Mail-Adresse.";
pub const USERNAME_MISSING: &str = "Bitte geben Sie einen Benutzernamen ein.";
pub const USERNAME_LENGTH: &str = "Der Benutzername muss 3 bis 64 Zeichen lang sein.";
pub const USERNAME_CHARACTERS: &str = "Der Benutzername darf nur Buchstaben (ohne Umlaute), Ziffern und . _ - @ enthalten.";
pub const USERNAME_TAKEN: &str = "Dieser Benutzername ist bereits vergeben. Bitte wählen Sie einen anderen.";
pub const USERS_FULL: &str =
    "Die Höchstzahl an Benutzern ist erreicht. Bitte entfernen Sie zuerst einen Benutzer, der keinen Zugang mehr braucht.";
pub const NOT_YOURSELF: &str = "Ihren eigenen Benutzer können Sie hier nicht deaktivieren, entfernen oder in seinen Rechten ändern.";
pub const ALREADY_SET_UP: &str = "Dieser Benutzer hat sein Passwort bereits festgelegt; eine Einladung ist nicht mehr nötig.";

/// Says nothing of the name or address asked for: it is the same whether or not it exists.
pub const ADDS_USED_UP: &str =
    "Für heute sind keine weiteren Hinzufügungen möglich. Bitte versuchen Sie es morgen wieder oder wenden Sie sich an die Hotline.";

pub const INACTIVE_NOT_INVITED: &str = "Dieser Benutzer ist deaktiviert. Bitte aktivieren Sie ihn zuerst.";

pub const DATE_INVALID: &str = "Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ).";

pub(crate) const BY_CODE: &[(&str, &str)] = &[
    ("gleich", PASSWORDS_DIFFER),
    ("bisher", SAME_AS_BEFORE),
    ("aktuell", CURRENT_WRONG),
    ("unveraendert", NEW_EQUALS_CURRENT),
    ("fassung", PRIVACY_CHANGED),
    ("angabe", IDENTIFIER_MISSING),
    ("leer", PASSWORD_MISSING),
    ("sperre", TOO_MANY_WRONG),
    ("regeln", RULES_UNMET),
    ("email-leer", EMAIL_MISSING),
    ("email", EMAIL_INVALID),
    ("email-gleich", EMAILS_DIFFER),
    ("doppelt", FORWARDING_EXISTS),
    ("hoechstzahl", FORWARDINGS_FULL),
    ("typ", DOCUMENT_TYPE_UNKNOWN),
    ("benachrichtigung", NOTIFY_MODE_UNKNOWN),
    ("anrede", SALUTATION_UNKNOWN),
    ("name-lang", NAME_TOO_LONG),
    ("name", NAME_INVALID),
    ("email-bisher", EMAIL_UNCHANGED),
    ("benutzername-leer", USERNAME_MISSING),
    ("benutzername-laenge", USERNAME_LENGTH),
    ("benutzername-zeichen", USERNAME_CHARACTERS),
    ("benutzername-vergeben", USERNAME_TAKEN),
    ("benutzer-hoechstzahl", USERS_FULL),
    ("selbst", NOT_YOURSELF),
    ("eingerichtet", ALREADY_SET_UP),
    ("deaktiviert", INACTIVE_NOT_INVITED),
    ("kontingent", ADDS_USED_UP),
    ("datum", DATE_INVALID),
];
