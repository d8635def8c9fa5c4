//! The error that crosses the server-function boundary. Each variant carries a
//! German message for the user; unexpected failures carry only a correlation id
//! that the operator finds in the server log next to the real cause.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum AppError {
    #[error("Bitte melden Sie sich an.")]
    NotSignedIn,
    #[error("Benutzername oder Passwort ist falsch.")]
    InvalidCredentials,
    #[error("Dafür fehlt Ihnen die Berechtigung.")]
    Forbidden,
    /// The session must first set its own password and accept the privacy notice.
    #[error("Bitte legen Sie zuerst Ihr eigenes Passwort fest und akzeptieren Sie die Datenschutzhinweise.")]
    SetupPending,
    #[error("Die Anfrage wurde abgelehnt, weil sie nicht von dieser Seite kam. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.")]
    CrossSite,
    #[error("Dieser Link ist ungültig, abgelaufen oder wurde bereits verwendet. Über „Passwort vergessen“ können Sie einen neuen anfordern.")]
    LinkInvalid,
    #[error("Zu viele Versuche von Ihrer Verbindung. Bitte warten Sie {retry_after_seconds} Sekunden und versuchen Sie es dann noch einmal.")]
    TooManyRequests { retry_after_seconds: u64 },
    #[error("Die Seite oder der Eintrag wurde nicht gefunden.")]
    NotFound,
    /// The user's input was refused; the message says why, in German.
    #[error("{0}")]
    Invalid(String),
    #[error("Der Server ist gerade ausgelastet. Bitte versuchen Sie es in einigen Sekunden noch einmal.")]
    Busy,
    #[error("Die Anfrage konnte nicht verarbeitet werden. Bitte laden Sie die Seite neu.")]
    BadRequest,
    #[error("Der Server ist nicht erreichbar. Bitte prüfen Sie Ihre Verbindung.")]
    Unreachable,
    #[error("Es ist ein unerwarteter Fehler aufgetreten. Bitte versuchen Sie es später noch einmal. Fehlernummer: {correlation_id}")]
    Internal { correlation_id: String },
}

/// Fixed messages of the sign-in forms. They are named here because a form
/// posted without JavaScript gets its error back as a short code in the
/// address (`?fehler=…`), and only codes from this list are turned back into
/// text — a crafted link cannot put words of its own on the page.
pub mod messages {
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
    ];
}

impl AppError {
    /// The code a plain form post is sent back with (`?fehler=CODE`).
    pub fn form_code(&self) -> String {
        let code = match self {
            AppError::InvalidCredentials => "anmeldung",
            AppError::NotSignedIn => "anmelden",
            AppError::SetupPending => "einrichtung",
            AppError::Forbidden | AppError::CrossSite => "berechtigung",
            AppError::LinkInvalid => "link",
            AppError::TooManyRequests { .. } => "zu-viele",
            AppError::Busy => "ausgelastet",
            AppError::Internal { correlation_id } => return format!("intern-{correlation_id}"),
            AppError::Invalid(message) if message.starts_with(messages::RULES_PREFIX) => "regeln",
            AppError::Invalid(message) => messages::BY_CODE
                .iter()
                .find(|(_, text)| text == message)
                .map_or("eingabe", |(code, _)| code),
            AppError::NotFound | AppError::BadRequest | AppError::Unreachable => "eingabe",
        };
        code.to_owned()
    }

    /// The error behind a `?fehler=` code; unknown codes get a general message.
    pub fn from_form_code(code: &str) -> AppError {
        match code {
            "anmeldung" => AppError::InvalidCredentials,
            "anmelden" => AppError::NotSignedIn,
            "einrichtung" => AppError::SetupPending,
            "berechtigung" => AppError::Forbidden,
            "link" => AppError::LinkInvalid,
            "zu-viele" => AppError::TooManyRequests { retry_after_seconds: 60 },
            "ausgelastet" => AppError::Busy,
            other => match other.strip_prefix("intern-") {
                Some(id) if id.len() == 12 && id.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    AppError::Internal { correlation_id: id.to_owned() }
                }
                _ => AppError::Invalid(
                    messages::BY_CODE
                        .iter()
                        .find(|(known, _)| *known == other)
                        .map_or(messages::NOT_ACCEPTED, |(_, text)| text)
                        .to_owned(),
                ),
            },
        }
    }
}

impl From<crate::domain::InputError> for AppError {
    fn from(error: crate::domain::InputError) -> Self {
        AppError::Invalid(error.0)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        // The framework's own errors (bad arguments, failed requests) hold
        // library text; keep it out of the page.
        #[cfg(feature = "ssr")]
        tracing::warn!(error = %value, "server function request failed");
        match value {
            ServerFnErrorErr::Request(_) => AppError::Unreachable,
            _ => AppError::BadRequest,
        }
    }
}

impl AppError {
    /// The HTTP status a server function answers with for this error.
    /// Seconds a client should wait before trying again, for 429 and 503.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::TooManyRequests { retry_after_seconds } => Some(*retry_after_seconds),
            AppError::Busy => Some(2),
            _ => None,
        }
    }

    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotSignedIn | AppError::InvalidCredentials => 401,
            AppError::Forbidden | AppError::SetupPending | AppError::CrossSite => 403,
            AppError::LinkInvalid => 410,
            AppError::TooManyRequests { .. } => 429,
            AppError::NotFound => 404,
            AppError::Invalid(_) => 422,
            AppError::BadRequest => 400,
            AppError::Busy | AppError::Unreachable => 503,
            AppError::Internal { .. } => 500,
        }
    }
}

/// Sets the HTTP status of the current server-function response to the one
/// that belongs to `error`, and hands the error back.
#[cfg(feature = "ssr")]
pub fn reject(error: AppError) -> AppError {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(error.status_code()) {
            response.set_status(status);
        }
        if let Some(seconds) = error.retry_after() {
            response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
    }
    error
}

#[cfg(feature = "ssr")]
impl AppError {
    /// An unexpected failure: its whole cause chain goes to the server log
    /// under a fresh correlation id; the user gets only that id.
    pub fn internal(error: &(dyn std::error::Error + 'static)) -> Self {
        let correlation_id = crate::server::crypto::correlation_id();
        let mut chain = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            chain.push_str(": ");
            chain.push_str(&cause.to_string());
            source = cause.source();
        }
        tracing::error!(%correlation_id, error = %chain, "unexpected error");
        reject(AppError::Internal { correlation_id })
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        AppError::internal(&error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_codes_bring_back_the_same_message_and_nothing_else() {
        for error in [
            AppError::InvalidCredentials,
            AppError::LinkInvalid,
            AppError::Busy,
            AppError::Invalid(messages::PASSWORDS_DIFFER.into()),
            AppError::Invalid(messages::TOO_MANY_WRONG.into()),
            AppError::Internal { correlation_id: "0123456789ab".into() },
        ] {
            assert_eq!(AppError::from_form_code(&error.form_code()), error);
        }
        let rules = AppError::Invalid(format!("{}: mindestens eine Zahl.", messages::RULES_PREFIX));
        assert_eq!(AppError::from_form_code(&rules.form_code()).to_string(), messages::RULES_UNMET);
        for crafted in ["Rufen Sie 0900 an", "intern-<script>", "intern-0123"] {
            assert_eq!(AppError::from_form_code(crafted).to_string(), messages::NOT_ACCEPTED, "{crafted}");
        }
    }
}
