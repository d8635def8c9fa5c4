//! Security headers. The CSP carries the nonce Leptos put on its hydration
//! scripts for this very response.

use http::header::{HeaderName, HeaderValue, CONTENT_SECURITY_POLICY};
use leptos::config::LeptosOptions;
use leptos::nonce::use_nonce;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// `form_targets`: where a form of this page may send the browser besides
/// the portal (the consent page's answer is a redirect to the app, and
/// browsers hold a form's redirects to `form-action` too).
pub fn content_security_policy(nonce: &str, live_reload_port: Option<u32>, form_targets: Option<&str>) -> String {
    let connect = match live_reload_port {
        Some(port) => format!("connect-src 'self' ws://127.0.0.1:{port} ws://localhost:{port}; "),
        None => String::new(),
    };
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; {connect}object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'; form-action 'self'{targets}",
        targets = form_targets.map(|targets| format!(" {targets}")).unwrap_or_default()
    )
}

/// Called while the page shell renders, inside the request's reactive owner.
pub fn set_content_security_policy(options: &LeptosOptions, form_targets: Option<&str>) {
    let (Some(nonce), Some(response)) = (use_nonce(), use_context::<ResponseOptions>()) else {
        return;
    };
    let live_reload = std::env::var_os("LEPTOS_WATCH").is_some().then_some(options.reload_port);
    if let Ok(value) = HeaderValue::from_str(&content_security_policy(&nonce, live_reload, form_targets)) {
        response.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

/// Headers every response carries; the CSP of non-HTML responses forbids everything.
pub fn static_headers(https: bool) -> Vec<(HeaderName, HeaderValue)> {
    let mut headers = vec![
        (http::header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        (http::header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin")),
        (HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin")),
        (http::header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    ];
    if https {
        headers.push((
            http::header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        ));
    }
    headers
}
