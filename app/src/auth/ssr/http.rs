//! HTTP plumbing of signing in: the session cookie, the client's address,
//! per-address limits, and how a form posted without JavaScript is answered.
//! Works inside a server function (request parts and response options come
//! from Leptos' context) and, through [`session_token`], in plain handlers.

use crate::error::AppError;
use crate::routes;
use crate::server::limits::{client_address, LimitedAction};
use crate::server::state::AppState;
use cookie::{Cookie, SameSite};
use http::header::{ACCEPT, COOKIE, SET_COOKIE};
use http::request::Parts;
use http::HeaderValue;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

pub fn cookie_name(state: &AppState) -> &'static str {
    // `__Host-` binds the cookie to this exact origin, but browsers accept it
    // only with `Secure`, so plain-http development uses a plain name.
    if state.config.secure_cookies() {
        "__Host-kp_session"
    } else {
        "kp_session"
    }
}

/// The session cookie's value in a request's headers.
pub fn session_token(parts: &Parts, state: &AppState) -> Option<String> {
    cookie_value(parts, cookie_name(state))
}

/// The value of the cookie `name` in a request's headers.
pub fn cookie_value(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}

/// The current request inside a server function.
pub fn request_parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// The session cookie of the current server-function request.
pub fn session_cookie_value(state: &AppState) -> Option<String> {
    session_token(&request_parts()?, state)
}

/// The device cookie (see [`super::devices`]) of the current server-function request.
pub fn device_cookie_value(state: &AppState) -> Option<String> {
    cookie_value(&request_parts()?, super::devices::cookie_name(state))
}

/// The client's address (see [`client_address`]), for the audit log.
pub fn client_ip() -> Option<String> {
    let state = use_context::<AppState>()?;
    client_address(&request_parts()?, &state.config).map(|ip| ip.to_string())
}

/// Where the current request comes from, for a new session's entry in
/// Profil → Anmeldungen: the browser's User-Agent (cut to a sane length) and
/// only a coarse address.
pub fn session_origin() -> super::session::SessionOrigin {
    let Some(parts) = request_parts() else { return Default::default() };
    let user_agent = parts
        .headers
        .get(http::header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(|value| value.chars().take(400).collect())
        .unwrap_or_default();
    let coarse_ip = use_context::<AppState>()
        .and_then(|state| client_address(&parts, &state.config))
        .map(super::session::coarse_address);
    super::session::SessionOrigin { user_agent, coarse_ip }
}

/// Counts this request against the client's per-minute allowance for `action`.
pub fn limit(state: &AppState, action: LimitedAction) -> Result<(), AppError> {
    let client = request_parts()
        .and_then(|parts| client_address(&parts, &state.config))
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    state.rate_limits.check(action, client).map_err(|wait| {
        tracing::warn!(?action, %client, "per-address limit reached");
        if action == LimitedAction::Login {
            state.metrics.refused_sign_in("rate_limited");
        }
        AppError::TooManyRequests { retry_after_seconds: wait.as_secs().max(1) }
    })
}

pub fn set_session_cookie(state: &AppState, value: &str, remove: bool) {
    let mut cookie = Cookie::build((cookie_name(state), value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies())
        .build();
    if remove {
        cookie.make_removal();
    }
    append_cookie(&cookie);
}

/// Adds `Set-Cookie` for `cookie` to the current server-function response.
pub fn append_cookie(cookie: &Cookie<'_>) {
    if let (Some(response), Ok(header)) = (use_context::<ResponseOptions>(), HeaderValue::from_str(&cookie.to_string())) {
        response.append_header(SET_COOKIE, header);
    }
}

/// True for a form the browser posted itself (no WASM yet): it follows
/// redirects instead of reading a JSON answer.
pub fn is_plain_form_post() -> bool {
    request_parts()
        .and_then(|parts| parts.headers.get(ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html")))
        .unwrap_or(false)
}

/// A form the browser posted itself (no WASM yet) cannot read a JSON error:
/// it is sent back to `page` with the error's code (`fehler=…`), and the
/// page shows the message (next to the field named by `feld=…`, where the
/// error concerns one). `page` must be a path with a safe query.
pub fn send_back_on_error<T>(result: Result<T, AppError>, page: &str) -> Result<T, AppError> {
    if let Err(error) = &result {
        if is_plain_form_post() {
            let mut back = routes::with_error(page, &error.form_code());
            if let Some(field) = error.field().filter(|field| field.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')) {
                back = routes::with_param(&back, routes::FIELD_PARAM, field);
            }
            leptos_axum::redirect(&back);
        }
    }
    result
}
