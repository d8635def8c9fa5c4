//! Builds the application from its state; `main` and the tests both call it.

use app::auth::ssr::{api as auth_api, guard};
use app::error::{status_of_server_fn_error, AppError};
use app::routes;
use app::server::config::logo_content_type;
use app::server::headers::static_headers;
use app::server::state::AppState;
use app::{shell, App};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, Method, Request, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::middleware::{self, Next};
use axum::routing::{get, MethodRouter};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;

const DEFAULT_LOGO: &[u8] = include_bytes!("../../public/logo.svg");

/// Who may call a plain axum route (neither a page nor a server function).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteAccess {
    Public,
    /// Through the [`guard::SignedIn`] extractor: 401 / 403 for API calls,
    /// 302 to the login page (or the open first-sign-in step) for pages.
    SignedIn,
}

/// Every plain route with its access rule. The router is built from this
/// list, and the access test walks it, so no route exists without a rule.
pub fn plain_routes() -> Vec<(&'static str, RouteAccess, MethodRouter<AppState>)> {
    vec![
        (routes::API_ME, RouteAccess::SignedIn, get(auth_api::me)),
        (routes::LOGO, RouteAccess::Public, get(logo)),
    ]
}

/// The router with every page, server function, asset and header.
pub fn build(state: AppState) -> Router {
    let page_routes = generate_route_list(App);
    let https = state.config.secure_cookies();

    let context_state = state.clone();
    let provide_state = move || provide_context(context_state.clone());

    // Unknown server-function names; the known ones are registered by `leptos_routes`.
    let server_fns = {
        let provide_state = provide_state.clone();
        move |req: Request<Body>| handle_server_fns_with_context(provide_state.clone(), req)
    };

    let mut router = Router::new();
    for (path, _, handler) in plain_routes() {
        router = router.route(path, handler);
    }
    let mut router = router
        .route(&format!("{}/{{*fn_name}}", routes::SERVER_FN_PREFIX), get(server_fns.clone()).post(server_fns))
        .leptos_routes_with_context(&state, page_routes, provide_state.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(provide_state, shell))
        .layer(middleware::map_response(status_of_server_fn_error))
        .layer(middleware::from_fn_with_state(state.clone(), guard::require_signed_in_page))
        .layer(middleware::map_response(keep_link_tokens_private))
        .layer(middleware::from_fn_with_state(state.clone(), reject_cross_site_requests))
        .layer(CompressionLayer::new().compress_when(is_static_asset))
        .with_state(state);

    for (name, value) in static_headers(https) {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    router.layer(SetResponseHeaderLayer::if_not_present(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    ))
}

/// The operator's logo from `KP_LOGO_FILE`, or the built-in one.
async fn logo(State(state): State<AppState>) -> Response {
    let (bytes, content_type) = match &state.config.branding.logo_file {
        Some(path) => match tokio::fs::read(path).await {
            Ok(bytes) => (bytes, logo_content_type(path).unwrap_or("application/octet-stream")),
            Err(error) => {
                tracing::error!(path = %path.display(), %error, "logo file cannot be read");
                return StatusCode::NOT_FOUND.into_response();
            }
        },
        None => (DEFAULT_LOGO.to_vec(), "image/svg+xml"),
    };
    (
        [(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=3600")],
        bytes,
    )
        .into_response()
}

/// CSRF defence for every state-changing request, the login form included:
/// the browser must say the request comes from our own pages — by
/// `Sec-Fetch-Site: same-origin`, or (browsers without it) by an `Origin`
/// equal to the configured one. Neither → 403.
async fn reject_cross_site_requests(State(state): State<AppState>, request: Request<Body>, next: Next) -> Response {
    let method = request.method();
    if method == Method::GET || method == Method::HEAD || method == Method::OPTIONS {
        return next.run(request).await;
    }
    let headers = request.headers();
    let same_origin = match headers.get("sec-fetch-site") {
        Some(site) => site.as_bytes() == b"same-origin",
        None => headers.get(header::ORIGIN).is_some_and(|origin| origin.as_bytes() == state.config.origin().as_bytes()),
    };
    if same_origin {
        return next.run(request).await;
    }
    tracing::warn!(
        path = %request.uri().path(),
        sec_fetch_site = ?headers.get("sec-fetch-site"),
        origin = ?headers.get(header::ORIGIN),
        "cross-site request refused"
    );
    AppError::CrossSite.respond(app::error::Caller::Api)
}

/// Pages that carry a token in their address must not leak it to another
/// site through `Referer`, nor leave it in a shared cache. (A link that no
/// longer works answers 410: the page renders whole before its headers go
/// out, and `link_info` sets the status.)
async fn keep_link_tokens_private(uri: Uri, mut response: Response) -> Response {
    if routes::LINK_PAGES.contains(&uri.path().trim_end_matches('/')) {
        let headers = response.headers_mut();
        headers.insert(header::REFERRER_POLICY, header::HeaderValue::from_static("no-referrer"));
        headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    }
    response
}

/// Only the build's own files are compressed: the WASM shrinks to about a
/// third. Pages are left alone, since compressing a page that holds both the
/// user's data and reflected input opens it to BREACH-style guessing.
fn is_static_asset(
    _status: StatusCode,
    _version: axum::http::Version,
    headers: &axum::http::HeaderMap,
    _extensions: &axum::http::Extensions,
) -> bool {
    const COMPRESSIBLE: [&str; 4] = ["application/wasm", "text/javascript", "application/javascript", "text/css"];
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|media_type| COMPRESSIBLE.contains(&media_type.trim()))
}
