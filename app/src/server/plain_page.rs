//! A page the portal writes without Leptos, for the few answers that are no
//! route of the app (the app sign-in's error page, `/api/docs`): the
//! portal's stylesheet, the request's language, one `main`, and a CSP that allows the
//! stylesheet and nothing else (no script on such a page).

use super::config::Config;
use axum::response::{IntoResponse, Response};
use crate::i18n::Lang;
use http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, VARY};
use http::StatusCode;

/// Text for HTML: element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A whole page: `title` (text, escaped here) before the operator's name,
/// `body` (HTML, escaped by the caller) in `<main class="{main_class}">`.
pub fn plain_page(config: &Config, lang: Lang, status: StatusCode, title: &str, main_class: &str, body: &str, cache_control: &'static str) -> Response {
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} – {operator}</title><link rel=\"stylesheet\" href=\"{stylesheet}\"></head>\
         <body><main id=\"main\" class=\"{main_class}\">{body}</main></body></html>\n",
        lang = lang.code(),
        title = escape(title),
        operator = escape(&config.branding.operator_name),
        stylesheet = escape(&config.assets.stylesheet),
    );
    (
        status,
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'"),
            (CACHE_CONTROL, cache_control),
            // A cache keeps one copy per language.
            (VARY, "Accept-Language, Cookie"),
        ],
        page,
    )
        .into_response()
}
