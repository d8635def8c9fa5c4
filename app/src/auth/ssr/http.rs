//! HTTP plumbing of signing in: the session and device cookies and where a
//! session comes from. Works inside a server function (request parts and
//! response options come from Leptos' context) and, through
//! [`session_token`], in plain handlers.

use crate::server::serve::request_parts;
use crate::server::state::AppState;
use cookie::{Cookie, SameSite};
use http::header::{COOKIE, SET_COOKIE};
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

/// The session cookie of the current server-function request.
pub fn session_cookie_value(state: &AppState) -> Option<String> {
    session_token(&request_parts()?, state)
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

