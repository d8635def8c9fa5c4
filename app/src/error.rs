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
