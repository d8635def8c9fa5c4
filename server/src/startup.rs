//! Builds the application from its state; `main` and the tests both call it.

use app::auth::ssr::{guard, oauth_http};
use app::documents::ssr::app_api;
use app::profile::ssr::api as profile_api;
use app::documents::ssr::{api as document_api, pdf as document_pdf};
use app::error::{found, status_of_server_fn_error, AppError, Caller, Refused};
use app::routes;
use app::server::config::logo_content_type;
use app::server::audit::{self, Actor, AuditDetail, AuditEntry};
use app::server::headers::static_headers;
use app::server::language::choose_language;
use app::server::limits::client_address;
use app::server::state::AppState;
use app::{shell, App};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, Method, Request, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::middleware::{self, Next};
use axum::routing::{get, post, MethodRouter};
use axum::serve::{ListenerExt, TapIo};
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use tower::Layer as _;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::set_header::SetResponseHeaderLayer;

const DEFAULT_LOGO: &[u8] = include_bytes!("../../public/logo.svg");

/// The largest body a form or server function needs: a few fields of at
/// most a few hundred characters. (A document upload gets its own route
/// with its own limit.)
pub const FORM_BODY_LIMIT: usize = 16 * 1024;
/// A form's body arrives in well under this; a client sending it slower
/// only holds a connection open.
const FORM_BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);
/// A 20 MB PDF over a slow line.
const LARGE_BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

/// Who may call a plain axum route (neither a page nor a server function).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteAccess {
    Public,
    /// Through the [`guard::SignedIn`] extractor: 401 / 403 for API calls,
    /// 302 to the login page (or the open first-sign-in step) for pages.
    SignedIn,
    /// The operator's systems, by `Authorization: Bearer` API key (401
    /// without a working one); no cookie counts, so no CSRF check applies.
    ApiKey,
    /// The mobile app, by `Authorization: Bearer` access token of its
    /// sign-in ([`oauth_http::AppUser`]: 401 without a working one); no
    /// cookie counts, so no CSRF check applies.
    AppToken,
    /// Reading by the app's access token, writing by the operator's API key.
    ApiKeyOrAppToken,
    /// A mailed link's token in the address names what it acts on (410
    /// without a working one); no cookie counts, so no CSRF check applies.
    Token,
    /// The operator's monitoring, by `Authorization: Bearer` with
    /// `KP_METRICS_TOKEN` (401 without it; 404 while none is configured).
    MetricsToken,
}

/// Every plain route with its access rule. The router is built from this
/// list, and the access test walks it, so no route exists without a rule.
pub fn plain_routes() -> Vec<(&'static str, RouteAccess, MethodRouter<AppState>)> {
    vec![
        (routes::API_ME, RouteAccess::AppToken, get(profile_api::get_me).patch(profile_api::patch_me)),
        (routes::API_DOCUMENT, RouteAccess::AppToken, get(app_api::one)),
        (routes::API_DOCUMENT_PDF, RouteAccess::AppToken, get(app_api::pdf)),
        (routes::API_DOCUMENT_XML, RouteAccess::AppToken, get(app_api::xml)),
        (routes::API_DOCUMENT_TYPES, RouteAccess::AppToken, get(app_api::types)),
        (routes::OAUTH_AUTHORIZE, RouteAccess::Public, get(oauth_http::authorize).post(oauth_http::decide)),
        (routes::OAUTH_TOKEN, RouteAccess::Public, post(oauth_http::token)),
        (routes::OAUTH_REVOKE, RouteAccess::Public, post(oauth_http::revoke)),
        (routes::OAUTH_METADATA, RouteAccess::Public, get(oauth_http::metadata)),
        // RFC 8414 §3.1: an issuer with a path (KP_BASE_URL=https://host/kunden) is discovered at
        // /.well-known/oauth-authorization-server/kunden; the proxy in front forwards it here.
        (routes::OAUTH_METADATA_WITH_PATH, RouteAccess::Public, get(oauth_http::metadata)),
        (routes::API_OPENAPI, RouteAccess::Public, get(crate::openapi::openapi_json)),
        (routes::API_DOCS, RouteAccess::Public, get(crate::openapi::docs_page)),
        (routes::LOGO, RouteAccess::Public, get(logo)),
        (routes::LANGUAGE_SWITCH, RouteAccess::Public, get(app::profile::ssr::language::switch_language)),
        (routes::DOCUMENT_PDF, RouteAccess::SignedIn, get(document_pdf::document_pdf)),
        (routes::DOCUMENT_XML, RouteAccess::SignedIn, get(document_pdf::document_xml)),
        (routes::DOCUMENTS_EXPORT, RouteAccess::SignedIn, get(app::documents::ssr::export::export_zip)),
        (routes::ACTIVITY_EXPORT, RouteAccess::SignedIn, get(app::activity::ssr::export_csv)),
        (routes::RECOVERY_CODES_FILE, RouteAccess::SignedIn, get(app::auth::ssr::second_factor_setup::codes_file_download)),
        // GET: the app's list (access token); POST: the billing system's delivery (API key).
        (routes::API_DOCUMENTS, RouteAccess::ApiKeyOrAppToken, get(app_api::list).post(document_api::ingest_document)),
        (routes::FORWARDING_ONE_CLICK, RouteAccess::Token, post(app::forwarding::ssr::one_click_unsubscribe)),
        (routes::HEALTHZ, RouteAccess::Public, get(healthz)),
        (routes::READYZ, RouteAccess::Public, get(readyz)),
        (routes::METRICS, RouteAccess::MetricsToken, get(metrics)),
    ]
}

/// The listening socket for `addr`. Every accepted connection gets
/// `TCP_NODELAY`: a response written in more than one piece (a streamed
/// page, a file) must not wait for the client's delayed ACK — 40 ms per
/// answer on a kept-alive connection otherwise.
pub async fn bind(addr: std::net::SocketAddr) -> std::io::Result<TapIo<tokio::net::TcpListener, fn(&mut tokio::net::TcpStream)>> {
    fn no_delay(stream: &mut tokio::net::TcpStream) {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "TCP_NODELAY could not be set");
        }
    }
    Ok(tokio::net::TcpListener::bind(addr).await?.tap_io(no_delay as fn(&mut tokio::net::TcpStream)))
}

/// Routes whose requests may be larger than a form: their own body limit.
fn large_body_limit(path: &str, state: &AppState) -> Option<usize> {
    // The PDF and the multipart framing around it.
    (path == routes::API_DOCUMENTS).then(|| state.config.documents.max_bytes + 64 * 1024)
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
    let mut large_bodies = Router::new();
    for (path, _, handler) in plain_routes() {
        match large_body_limit(path, &state) {
            Some(limit) => {
                large_bodies = large_bodies.route(
                    path,
                    handler
                        .layer::<_, std::convert::Infallible>(RequestBodyLimitLayer::new(limit))
                        .layer::<_, std::convert::Infallible>(RequestBodyTimeoutLayer::new(LARGE_BODY_TIMEOUT)),
                );
            }
            None => router = router.route(path, handler),
        }
    }
    let pkg = format!("/{}", state.leptos_options.site_pkg_dir);
    let mut router = router
        .nest_service(&pkg, build_files(&state))
        .route(&format!("{}/{{*fn_name}}", routes::SERVER_FN_PREFIX), get(server_fns.clone()).post(server_fns))
        .leptos_routes_with_context(&state, page_routes, provide_state.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(provide_state, shell))
        .layer(middleware::map_response(status_of_server_fn_error))
        .layer(middleware::from_fn_with_state(state.clone(), guard::require_signed_in_page))
        .layer(middleware::map_response(keep_link_tokens_private))
        .layer(middleware::from_fn(drop_error_text_from_address))
        .layer(middleware::from_fn(read_whole_body))
        .layer(RequestBodyLimitLayer::new(FORM_BODY_LIMIT))
        .layer(RequestBodyTimeoutLayer::new(FORM_BODY_TIMEOUT))
        .merge(large_bodies)
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::map_response(too_large_as_ours))
        .layer(middleware::from_fn_with_state(state.clone(), reject_cross_site_requests))
        .layer(middleware::from_fn_with_state(state.clone(), audit_refusals))
        .layer(middleware::from_fn_with_state(state.clone(), choose_language))
        .layer(middleware::map_response(no_store_unless_static))
        .layer(CompressionLayer::new().compress_when(is_static_asset))
        .layer(middleware::from_fn_with_state(state.clone(), count_request))
        .with_state(state);

    for (name, value) in static_headers(https) {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    router.layer(SetResponseHeaderLayer::if_not_present(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    ))
}

/// The build's files (`site_root/pkg`): the brotli or gzip copy the build
/// made, when the browser takes it, so nothing is compressed per request.
/// Names with a content hash may be kept for a year; without hashes (a
/// cargo-leptos build) the browser asks again each time.
fn build_files(
    state: &AppState,
) -> tower_http::set_header::SetResponseHeader<
    tower_http::set_header::SetResponseHeader<tower_http::services::ServeDir, header::HeaderValue>,
    header::HeaderValue,
> {
    let dir = std::path::Path::new(state.leptos_options.site_root.as_ref()).join(state.leptos_options.site_pkg_dir.as_ref());
    let cache = if state.config.assets.hashed { "public, max-age=31536000, immutable" } else { "no-cache" };
    let files = tower_http::services::ServeDir::new(dir).precompressed_br().precompressed_gzip();
    let vary = SetResponseHeaderLayer::overriding(header::VARY, header::HeaderValue::from_static("accept-encoding"));
    vary.layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, header::HeaderValue::from_static(cache)).layer(files))
}

async fn healthz() -> Response {
    ([(header::CACHE_CONTROL, "no-store")], "ok\n").into_response()
}

/// 200 when this instance can serve: the database answers with every
/// migration applied and the document store answers, each within 5 s.
/// Otherwise 503 naming the part (details only in the log).
async fn readyz(State(state): State<AppState>) -> Response {
    let limit = std::time::Duration::from_secs(5);
    let (database, storage) =
        tokio::join!(tokio::time::timeout(limit, state.pool.is_ready()), tokio::time::timeout(limit, state.documents.check()));
    let database = matches!(database, Ok(true));
    let storage = match storage {
        Ok(Ok(())) => true,
        Ok(Err(error)) => {
            tracing::warn!(error = ?error, "readiness: document store does not answer");
            false
        }
        Err(_) => false,
    };
    let (status, body) = match (database, storage) {
        (true, true) => (StatusCode::OK, "ready\n"),
        (false, _) => (StatusCode::SERVICE_UNAVAILABLE, "database not ready\n"),
        (true, false) => (StatusCode::SERVICE_UNAVAILABLE, "storage not ready\n"),
    };
    (status, [(header::CACHE_CONTROL, "no-store")], body).into_response()
}

/// `GET /metrics` for the operator's monitoring (Prometheus): off (404) unless
/// `KP_METRICS_TOKEN` is set, then only with that token as a bearer token.
async fn metrics(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    use secrecy::ExposeSecret;
    let Some(expected) = &state.config.metrics_token else { return AppError::NotFound.respond(Caller::Api) };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !app::server::crypto::secrets_equal(presented, expected.expose_secret()) {
        tracing::info!("metrics refused: no working token");
        return AppError::NotSignedIn.respond(Caller::Api);
    }
    match state.metrics.render(&state.pool, state.clock.now()).await {
        Ok(text) => ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text).into_response(),
        Err(error) => AppError::from(error).respond(Caller::Api),
    }
}

/// Counts every answer by its route (as registered, never the address as
/// sent), method and status, and how long it took until its headers.
async fn count_request(State(state): State<AppState>, request: Request<Body>, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "other".to_owned(), |path| path.as_str().to_owned());
    let method = request.method().as_str().to_owned();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let metrics = &state.metrics;
    metrics.latency.get_or_create(&app::server::metrics::RouteLabels { route: route.clone() }).observe(started.elapsed().as_secs_f64());
    metrics.requests.get_or_create(&app::server::metrics::RequestLabels { route, method, status: response.status().as_u16() }).inc();
    response
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
    // The ingest API authenticates only by a key in a header that a page of
    // another site cannot send (that would need CORS, which the portal never
    // grants) and ignores cookies: a forged request has nothing to ride on.
    // The same holds for the one-click unsubscribe: its token is in the
    // address, and the mail program that posts it has no page nor cookie.
    // The app's API and token endpoints likewise take only what the app
    // sends in a header or body (an access token, a code with its verifier,
    // a refresh token), never a cookie.
    let path = request.uri().path();
    let cookieless = [routes::API_DOCUMENTS, routes::FORWARDING_ONE_CLICK, routes::API_ME, routes::OAUTH_TOKEN, routes::OAUTH_REVOKE];
    if cookieless.contains(&path) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let same_origin = match headers.get("sec-fetch-site") {
        Some(site) => site.as_bytes() == b"same-origin",
        None => headers
            .get(header::ORIGIN)
            .and_then(|origin| origin.to_str().ok())
            .and_then(app::server::config::normalized_origin)
            .is_some_and(|origin| origin == state.config.origin()),
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

/// The body of a form or server function, read whole before the handler
/// runs: a body without `Content-Length` that passes [`FORM_BODY_LIMIT`]
/// is cut there and answered 413 (the limit layer answers one with a too
/// large `Content-Length` before reading anything).
async fn read_whole_body(request: Request<Body>, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(error) => {
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
            let mut too_large = false;
            while let Some(cause) = source {
                too_large |= cause.is::<http_body_util::LengthLimitError>();
                source = cause.source();
            }
            if too_large {
                tracing::warn!(path = %parts.uri.path(), "request body over the limit");
                AppError::TooLarge.respond(Caller::Api)
            } else {
                tracing::info!(path = %parts.uri.path(), %error, "request body could not be read");
                AppError::BadRequest.respond(Caller::Api)
            }
        }
    }
}

/// The limit layer's own 413 carries English text of its own; every refusal
/// here answers with the portal's typed error (in the request's language:
/// `server::language`) and the same JSON.
async fn too_large_as_ours(response: Response) -> Response {
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE && response.extensions().get::<Refused>().is_none() {
        return AppError::TooLarge.respond(Caller::Api);
    }
    response
}

/// Leptos shows an error it finds in the address (`__err`, with `__path`)
/// as the outcome of a form, so a crafted link could put any text on our
/// pages. Our forms come back with `?fehler=CODE` instead, which can only
/// name a fixed message; an address with those keys, however it spells
/// them, is sent on without them.
async fn drop_error_text_from_address(request: Request<Body>, next: Next) -> Response {
    let is_read = request.method() == Method::GET || request.method() == Method::HEAD;
    let Some(query) = request.uri().query().filter(|_| is_read) else { return next.run(request).await };
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let smuggled = |key: &str| key == "__err" || key == "__path";
    if !pairs.iter().any(|(key, _)| smuggled(key)) {
        return next.run(request).await;
    }
    let kept = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().filter(|(key, _)| !smuggled(key)))
        .finish();
    // One leading slash: "//host" would send the browser to another site.
    let path = format!("/{}", request.uri().path().trim_start_matches(['/', '\\']));
    tracing::info!(%path, "address with error text sent on without it");
    found(&if kept.is_empty() { path } else { format!("{path}?{kept}") })
}

/// Every refusal of a request (CSRF, not signed in, missing right, an
/// unfinished first sign-in, a limit, a body too large) goes into the audit
/// log with the address it was for. Wrong passwords are logged by the
/// sign-in itself.
async fn audit_refusals(State(state): State<AppState>, request: Request<Body>, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let client = client_address(&parts, &state.config);
    let (method, uri) = (parts.method.clone(), parts.uri.clone());
    let response = next.run(Request::from_parts(parts, body)).await;
    let Some(Refused(error)) = response.extensions().get::<Refused>() else { return response };
    // The path as far as it says which page or function it was; a long one is cut.
    let detail: String = format!("{method} {}", uri.path()).chars().take(200).collect();
    let action = match error {
        AppError::NotSignedIn => "request_refused_not_signed_in",
        AppError::Forbidden => "request_refused_forbidden",
        AppError::SetupPending => "request_refused_setup_pending",
        AppError::CrossSite => "request_refused_cross_site",
        AppError::TooManyRequests { .. } => "request_refused_rate_limited",
        AppError::TooLarge => "request_refused_too_large",
        _ => return response,
    };
    let unspecified = std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);
    if state.rate_limits.check(app::server::limits::LimitedAction::RefusalAudit, client.unwrap_or(unspecified)).is_err() {
        tracing::warn!(action, %detail, "refusal not audited: this address's refusals this minute are enough");
        return response;
    }
    let entry = AuditEntry { actor: Actor::System, customer_id: None, action, detail: AuditDetail::Plain(detail), ip: client.map(|ip| ip.to_string()) };
    if let Err(error) = audit::record_alone(&state.pool, entry, state.clock.now()).await {
        tracing::error!(%error, action, "refusal not written to the audit log");
    }
    response
}

/// Pages and API answers hold one user's data: no browser or proxy cache
/// may keep them. The build's files and the logo say how long they keep.
async fn no_store_unless_static(mut response: Response) -> Response {
    let is_static = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            ["application/wasm", "text/javascript", "application/javascript", "text/css", "image/", "font/"]
                .iter()
                .any(|prefix| value.starts_with(prefix))
        });
    if !is_static {
        response.headers_mut().entry(header::CACHE_CONTROL).or_insert(header::HeaderValue::from_static("no-store"));
    }
    response
}
