//! The language of each request, and the footer's switch.
//!
//! [`choose_language`] runs around every route: it settles the request's
//! [`Lang`] once (the switch's cookie, else `Accept-Language`, else
//! `KP_DEFAULT_LANGUAGE`), leaves it in the request for pages, server
//! functions and handlers ([`crate::i18n::lang`]), names it in
//! `Content-Language`, and puts a refusal's text in that language on its
//! way out: a server function's refusal as the header [`MESSAGE_HEADER`]
//! (the browser shows it in place and so needs no texts of its own), a
//! plain page's refusal as its body. The switch itself is
//! `crate::profile::ssr::language::switch_language`.

use crate::error::Refused;
use crate::i18n::{Lang, COOKIE};
use crate::server::state::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::header::{CONTENT_LANGUAGE, CONTENT_TYPE};
use http::HeaderValue;

/// A refused server function's text, percent-encoded UTF-8.
pub const MESSAGE_HEADER: &str = "kp-message";

/// How long the switch's choice is kept: a year, as a setting is.
const COOKIE_MAX_AGE_SECONDS: i64 = 365 * 24 * 60 * 60;

pub async fn choose_language(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let lang = Lang::for_request(request.headers(), state.config.default_language);
    request.extensions_mut().insert(lang);
    // A refusal under /api/ (a server function's, or one the server gave before it ran:
    // cross-site, too large, malformed) is read by the form calls.
    let called = crate::error::Caller::of(request.uri().path()) == crate::error::Caller::Api;
    let mut response = next.run(request).await;
    response.headers_mut().entry(CONTENT_LANGUAGE).or_insert(HeaderValue::from_static(lang.code()));
    let Some(Refused(error)) = response.extensions().get::<Refused>().cloned() else { return response };
    let message = error.message(lang);
    if called || response.headers().contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER) {
        if let Ok(value) = HeaderValue::from_str(&percent_encoded(&message)) {
            response.headers_mut().insert(MESSAGE_HEADER, value);
        }
        return response;
    }
    let plain_text = response.headers().get(CONTENT_TYPE).is_some_and(|value| value.as_bytes().starts_with(b"text/plain"));
    if plain_text {
        let (parts, _) = response.into_parts();
        return Response::from_parts(parts, axum::body::Body::from(message));
    }
    response
}

/// Every byte but unreserved ASCII as `%XX`, which `decodeURIComponent` reads back.
fn percent_encoded(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len() * 2);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            encoded.push(byte as char);
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// The switch's cookie for `lang`. Readable by no script and sent on
/// top-level navigation from elsewhere too (`Lax`): it only picks a language.
pub fn cookie_for(lang: Lang, secure: bool) -> cookie::Cookie<'static> {
    cookie::Cookie::build((COOKIE, lang.code()))
        .path("/")
        .max_age(cookie::time::Duration::seconds(COOKIE_MAX_AGE_SECONDS))
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure)
        .build()
}

/// This browser keeps `lang`: the cookie on the current server function's answer.
pub fn remember_in_browser(lang: Lang, secure: bool) {
    let response = leptos::prelude::use_context::<leptos_axum::ResponseOptions>();
    if let (Some(response), Ok(header)) = (response, HeaderValue::from_str(&cookie_for(lang, secure).to_string())) {
        response.append_header(http::header::SET_COOKIE, header);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_travels_percent_encoded() {
        assert_eq!(percent_encoded("Bitte prüfen: a+b"), "Bitte%20pr%C3%BCfen%3A%20a%2Bb");
    }
}
