//! The error that crosses the server-function boundary. Each variant has a
//! message for the user in both languages ([`AppError::message`]); unexpected
//! failures carry only a correlation id that the operator finds in the server
//! log next to the real cause.
//!
//! # The one error convention
//!
//! - **Queries** — a read or write in an `ssr` module with nothing to refuse —
//!   return `Result<T, sqlx::Error>`. Their caller writes `?`: towards a
//!   server function `From<sqlx::Error>` makes it [`AppError::Unavailable`]
//!   (the database does not answer) or [`AppError::Internal`] (logged with
//!   its cause chain).
//! - **Flows** that can refuse — a rule, a limit, something only the
//!   database can tell (a name taken) — return their feature's enum
//!   (`thiserror`: `AuthError`, `ForwardingError`, `UserError`,
//!   `CustomerError`, `DocumentError`, …): one variant for each refusal a
//!   caller must tell apart, `Database(#[from] sqlx::Error)` and the like for
//!   the rest. A flow only a server function calls may refuse with
//!   [`AppError`] itself ([`crate::domain::InputError`] converts, naming the
//!   field).
//! - **Server functions** return `AppError`. A feature enum converts with
//!   `From` (or its caller matches the refusals it words differently):
//!   refusals become [`AppError::Invalid`] (or their own variant), anything
//!   else [`AppError::internal`], which logs the cause and hands the browser
//!   only the correlation id. No database text reaches the browser.
//! - **The CLI** matches a feature enum to its exit code and one German line
//!   (`server/src/cli/exit.rs`); **the HTTP APIs** map it to a status and
//!   `{"error": …}`.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppError {
    NotSignedIn,
    InvalidCredentials,
    Forbidden,
    /// The session must first set its own password and accept the privacy notice.
    SetupPending,
    /// Changing e-mail, password, forwardings or users needs a sign-in or a
    /// password confirmation within the last hour (SECURITY.md 21).
    ReauthRequired,
    CrossSite,
    LinkInvalid,
    /// A forwarding's confirmation or "beenden" link that no longer works.
    ForwardingLinkInvalid,
    /// An e-mail change's confirmation link that no longer works.
    EmailLinkInvalid,
    TooManyRequests { retry_after_seconds: u64 },
    NotFound,
    /// The user's input was refused: why, and the form field it concerns
    /// (the input's `name`), where it is about one.
    Invalid { refusal: Refusal, field: Option<String> },
    Busy,
    BadRequest,
    TooLarge,
    Unreachable,
    /// The database (or another part the portal needs) does not answer; it carries on once it is back.
    Unavailable,
    Internal { correlation_id: String },
}

impl AppError {
    /// What the user is told, in `lang` (`app/i18n/…/kundenportal.ftl`,
    /// `error-…` and `refusal-…`). Only the server words errors: the
    /// browser shows the text the server sent.
    #[cfg(feature = "ssr")]
    pub fn message(&self, lang: crate::i18n::Lang) -> String {
        use crate::t;
        match self {
            AppError::NotSignedIn => t!(lang, "error-not-signed-in"),
            AppError::InvalidCredentials => t!(lang, "error-invalid-credentials"),
            AppError::Forbidden => t!(lang, "error-forbidden"),
            AppError::SetupPending => t!(lang, "error-setup-pending"),
            AppError::ReauthRequired => t!(lang, "error-reauth-required"),
            AppError::CrossSite => t!(lang, "error-cross-site"),
            AppError::LinkInvalid => t!(lang, "error-link-invalid"),
            AppError::ForwardingLinkInvalid => t!(lang, "error-forwarding-link-invalid"),
            AppError::EmailLinkInvalid => t!(lang, "error-email-link-invalid"),
            AppError::TooManyRequests { retry_after_seconds } => t!(lang, "error-too-many-requests", seconds = *retry_after_seconds),
            AppError::NotFound => t!(lang, "error-not-found"),
            AppError::Invalid { refusal, .. } => refusal.message(lang),
            AppError::Busy => t!(lang, "error-busy"),
            AppError::BadRequest => t!(lang, "error-bad-request"),
            AppError::TooLarge => t!(lang, "error-too-large"),
            AppError::Unreachable => t!(lang, "error-unreachable"),
            AppError::Unavailable => t!(lang, "error-unavailable"),
            AppError::Internal { correlation_id } => t!(lang, "error-internal", id = correlation_id.as_str()),
        }
    }
}

/// On the server the message in the request's language
/// ([`crate::i18n::lang`]); in the browser, which carries no texts, only
/// the error's form code (`intern-…` keeps the correlation id).
impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        #[cfg(feature = "ssr")]
        {
            f.write_str(&self.message(crate::i18n::lang()))
        }
        #[cfg(not(feature = "ssr"))]
        {
            match self {
                AppError::Invalid { refusal, .. } => std::fmt::Display::fmt(refusal, f),
                other => f.write_str(&other.form_code()),
            }
        }
    }
}

impl std::error::Error for AppError {}

pub use crate::domain::Refusal;

impl AppError {
    /// The code a plain form post is sent back with (`?fehler=CODE`).
    pub fn form_code(&self) -> String {
        let code = match self {
            AppError::InvalidCredentials => "anmeldung",
            AppError::NotSignedIn => "anmelden",
            AppError::SetupPending => "einrichtung",
            AppError::ReauthRequired => "passwort-bestaetigen",
            AppError::Forbidden | AppError::CrossSite => "berechtigung",
            AppError::LinkInvalid => "link",
            AppError::ForwardingLinkInvalid => "weiterleitung-link",
            AppError::EmailLinkInvalid => "email-link",
            AppError::TooManyRequests { .. } => "zu-viele",
            AppError::Busy => "ausgelastet",
            AppError::Unavailable => "nicht-erreichbar",
            AppError::Internal { correlation_id } => return format!("intern-{correlation_id}"),
            AppError::Invalid { refusal, .. } => refusal.code(),
            AppError::NotFound | AppError::BadRequest | AppError::TooLarge | AppError::Unreachable => "eingabe",
        };
        code.to_owned()
    }

    /// The error behind a `?fehler=` code; unknown codes get a general message.
    pub fn from_form_code(code: &str) -> AppError {
        match code {
            "anmeldung" => AppError::InvalidCredentials,
            "anmelden" => AppError::NotSignedIn,
            "einrichtung" => AppError::SetupPending,
            "passwort-bestaetigen" => AppError::ReauthRequired,
            "berechtigung" => AppError::Forbidden,
            "link" => AppError::LinkInvalid,
            "weiterleitung-link" => AppError::ForwardingLinkInvalid,
            "email-link" => AppError::EmailLinkInvalid,
            "zu-viele" => AppError::TooManyRequests { retry_after_seconds: 60 },
            "ausgelastet" => AppError::Busy,
            "nicht-erreichbar" => AppError::Unavailable,
            other => match other.strip_prefix("intern-") {
                Some(id) if id.len() == 12 && id.bytes().all(|b| b.is_ascii_hexdigit()) => {
                    AppError::Internal { correlation_id: id.to_owned() }
                }
                _ => AppError::refused(Refusal::from_code(other).unwrap_or(Refusal::NotAccepted)),
            },
        }
    }
}

impl AppError {
    /// A refusal about the form as a whole.
    pub fn refused(refusal: Refusal) -> AppError {
        AppError::Invalid { refusal, field: None }
    }

    /// The form field a refusal concerns, if it concerns one.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => field.as_deref(),
            _ => None,
        }
    }
}

impl From<crate::domain::InputError> for AppError {
    fn from(error: crate::domain::InputError) -> Self {
        AppError::Invalid { refusal: error.refusal, field: error.field.map(str::to_owned) }
    }
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        AppError::refused(refusal)
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
            AppError::Unavailable => Some(30),
            _ => None,
        }
    }

    pub fn status_code(&self) -> u16 {
        match self {
            AppError::NotSignedIn | AppError::InvalidCredentials => 401,
            AppError::Forbidden | AppError::SetupPending | AppError::CrossSite | AppError::ReauthRequired => 403,
            AppError::LinkInvalid | AppError::ForwardingLinkInvalid | AppError::EmailLinkInvalid => 410,
            AppError::TooManyRequests { .. } => 429,
            AppError::NotFound => 404,
            AppError::Invalid { .. } => 422,
            AppError::BadRequest => 400,
            AppError::TooLarge => 413,
            AppError::Busy | AppError::Unreachable | AppError::Unavailable => 503,
            AppError::Internal { .. } => 500,
        }
    }
}

/// What was asked for decides how a refusal is answered.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// A page's address (a page, a PDF, an export): not being signed in is
    /// answered with a redirect to the login page, whatever the client
    /// accepts — a link opened by `curl` or a mail program is a page too.
    Page,
    /// `/api/…`: server functions, the ingest API, scripts and the mobile
    /// app get the status and the error as JSON.
    Api,
}

#[cfg(feature = "ssr")]
impl Caller {
    pub fn of(path: &str) -> Caller {
        if path == "/api" || path.starts_with("/api/") {
            Caller::Api
        } else {
            Caller::Page
        }
    }
}

/// The one mapping from a refusal to an HTTP answer. Server functions (see
/// [`status_of_server_fn_error`]), plain handlers and the access guard all
/// answer through it; nothing else sets a status for an error.
#[cfg(feature = "ssr")]
impl AppError {
    pub fn status(&self) -> http::StatusCode {
        http::StatusCode::from_u16(self.status_code()).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn respond(self, caller: Caller) -> axum::response::Response {
        use axum::response::IntoResponse;
        use http::header::{CONTENT_TYPE, RETRY_AFTER};
        if caller == Caller::Page && matches!(self, AppError::NotSignedIn | AppError::SetupPending) {
            // The start page sends an unfinished first sign-in on to its step.
            let to = if self == AppError::NotSignedIn { crate::routes::LOGIN } else { crate::routes::HOME };
            return found(to);
        }
        let mut response = match caller {
            Caller::Api => {
                let body = serde_json::to_string(&self).unwrap_or_default();
                (self.status(), [(CONTENT_TYPE, "application/json")], body).into_response()
            }
            Caller::Page => (self.status(), [(CONTENT_TYPE, "text/plain; charset=utf-8")], self.to_string()).into_response(),
        };
        if let Some(seconds) = self.retry_after() {
            response.headers_mut().insert(RETRY_AFTER, http::HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(Refused(self));
        response
    }

    /// For a page rendered on the server that shows this error instead of
    /// its content: the page answers with the error's status (a used link
    /// 410, a limit 429 with Retry-After).
    pub fn set_page_status(&self) {
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(self.status());
            if let Some(seconds) = self.retry_after() {
                response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
            }
        }
    }
}

/// An axum extractor (`Path`, `Query`) whose refusal is the portal's own —
/// [`AppError::BadRequest`], a text page or JSON by [`Caller`] — never
/// the framework's English text (`?download=1&download=1` is a duplicate
/// field to serde, `%FF` in a path is no UTF-8).
#[cfg(feature = "ssr")]
pub struct Valid<E>(pub E);

#[cfg(feature = "ssr")]
impl<S, T> axum::extract::FromRequestParts<S> for Valid<axum::extract::Query<T>>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state).await.map(Valid).map_err(|rejection| refuse_malformed(parts, &rejection))
    }
}

#[cfg(feature = "ssr")]
impl<S, T> axum::extract::FromRequestParts<S> for Valid<axum::extract::Path<T>>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned + Send,
{
    type Rejection = axum::response::Response;

    async fn from_request_parts(parts: &mut http::request::Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state).await.map(Valid).map_err(|rejection| refuse_malformed(parts, &rejection))
    }
}

#[cfg(feature = "ssr")]
fn refuse_malformed(parts: &http::request::Parts, rejection: &dyn std::fmt::Display) -> axum::response::Response {
    tracing::info!(path = %parts.uri.path(), %rejection, "malformed request refused");
    AppError::BadRequest.respond(Caller::of(parts.uri.path()))
}

/// Marks a response as a refusal, for the audit log: the error it answers.
#[cfg(feature = "ssr")]
#[derive(Debug, Clone)]
pub struct Refused(pub AppError);

/// 302 to `path`: what a browser (and the README) expects of a page that
/// is not there for this visitor. (axum's `Redirect::to` answers 303.)
#[cfg(feature = "ssr")]
pub fn found(path: &str) -> axum::response::Response {
    use axum::response::IntoResponse;
    match http::HeaderValue::from_str(path) {
        Ok(location) => (http::StatusCode::FOUND, [(http::header::LOCATION, location)]).into_response(),
        Err(_) => http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A server function that returned an error answers 500 with the encoded
/// error (Leptos' default); this gives it the error's own status and
/// Retry-After. Redirects of plain form posts are left alone.
#[cfg(feature = "ssr")]
pub async fn status_of_server_fn_error(response: axum::response::Response) -> axum::response::Response {
    if response.status() != http::StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // An encoded error is a few hundred bytes.
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = error.status();
        if let Some(seconds) = error.retry_after() {
            parts.headers.insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
        parts.extensions.insert(Refused(error));
    }
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}

#[cfg(feature = "ssr")]
impl AppError {
    /// An unexpected failure: its whole cause chain goes to the server log
    /// under a fresh correlation id; the user gets only that id. A database
    /// that cannot be reached is no fault of the request: that is
    /// [`AppError::Unavailable`] (503), whichever layer it came through.
    pub fn internal(error: &(dyn std::error::Error + 'static)) -> Self {
        let correlation_id = crate::server::crypto::correlation_id();
        let mut chain = error.to_string();
        let mut unreachable = false;
        let mut cause = Some(error);
        while let Some(current) = cause {
            unreachable |= current.downcast_ref::<sqlx::Error>().is_some_and(crate::server::db::is_unreachable);
            if let Some(next) = current.source() {
                chain.push_str(": ");
                chain.push_str(&next.to_string());
            }
            cause = current.source();
        }
        if unreachable {
            tracing::warn!(%correlation_id, error = %chain, "database unreachable; answering 503");
            return AppError::Unavailable;
        }
        tracing::error!(%correlation_id, error = %chain, "unexpected error");
        AppError::Internal { correlation_id }
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
            AppError::refused(Refusal::PasswordsDiffer),
            AppError::refused(Refusal::TooManyWrong),
            AppError::Internal { correlation_id: "0123456789ab".into() },
        ] {
            assert_eq!(AppError::from_form_code(&error.form_code()), error);
        }
        let rules = AppError::refused(Refusal::PasswordRules(vec!["mindestens eine Zahl".into()]));
        assert_eq!(AppError::from_form_code(&rules.form_code()), AppError::refused(Refusal::PasswordRules(Vec::new())));
        for crafted in ["Rufen Sie 0900 an", "intern-<script>", "intern-0123"] {
            assert_eq!(AppError::from_form_code(crafted), AppError::refused(Refusal::NotAccepted), "{crafted}");
        }
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn messages_come_in_either_language_and_german_outside_a_request() {
        use crate::i18n::Lang;
        let wait = AppError::TooManyRequests { retry_after_seconds: 30 };
        assert_eq!(
            wait.to_string(),
            "Zu viele Versuche von Ihrer Verbindung. Bitte warten Sie 30 Sekunden und versuchen Sie es dann noch einmal."
        );
        assert_eq!(wait.message(Lang::En), "Too many attempts from your connection. Please wait 30 seconds and then try again.");
        let internal = AppError::Internal { correlation_id: "0123456789ab".into() };
        assert!(internal.message(Lang::De).ends_with("Fehlernummer: 0123456789ab"), "{}", internal.message(Lang::De));
        assert!(internal.message(Lang::En).ends_with("0123456789ab"), "{}", internal.message(Lang::En));
        assert_eq!(AppError::refused(Refusal::PasswordsDiffer).message(Lang::En), "The two passwords do not match.");
        assert_eq!(AppError::refused(Refusal::Other("Frei".into())).message(Lang::En), "Frei");
    }
}
