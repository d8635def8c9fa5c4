//! The app's sign-in over HTTP: `/oauth/authorize` (the browser's side),
//! `/oauth/token`, `/oauth/revoke`, the server metadata (RFC 8414), and the
//! bearer token extractor of `/api/v1`. The flows are [`super::oauth`].

use super::guard::authenticate;
use super::http::cookie_value;
use super::oauth::{self, form_pairs, AuthorizeRefusal, AuthorizeRequest, OAuthError, TokenPair, TokenRequest};
use super::session::{session_origin_of, SessionUser};
use crate::error::{found, AppError, Caller};
use crate::i18n::Lang;
use crate::routes;
use crate::server::limits::{client_address, LimitedAction};
use crate::server::plain_page::{escape, plain_page};
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::response::{IntoResponse, Response};
use cookie::{Cookie, SameSite};
use http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION, PRAGMA, SET_COOKIE, WWW_AUTHENTICATE};
use http::request::Parts;
use http::{HeaderValue, StatusCode};
use serde_json::json;

/// The cookie that keeps an app's authorization request while its user signs
/// in (and finishes the first sign-in): afterwards the browser goes on to the
/// consent page instead of the start page.
const PENDING_COOKIE: &str = "kp_app_request";
const PENDING_SECONDS: i64 = 15 * 60;

/// `GET /oauth/authorize`: the app sends its user's browser here.
#[utoipa::path(
    get, path = "/oauth/authorize", tag = "App sign-in", operation_id = "authorize",
    summary = "Start of the app's sign-in, in the system browser (RFC 6749 §4.1, RFC 7636, RFC 8252)",
    description = "The browser signs in through the portal's login (and first sign-in), then the user allows or refuses the app. \
                   The answer goes to `redirect_uri` with `code` and `state`, or `error` (`access_denied`, `invalid_request`, \
                   `unsupported_response_type`). An unknown client or redirect URI gets an error page, never a redirect.",
    params(
        ("response_type" = String, Query, description = "`code`"),
        ("client_id" = String, Query, description = "`kundenportal-app`"),
        ("redirect_uri" = String, Query, description = "Loopback `http://127.0.0.1:{port}/…` or `http://[::1]:{port}/…`, or one configured by the operator"),
        ("code_challenge" = String, Query, description = "BASE64URL(SHA-256(code_verifier))"),
        ("code_challenge_method" = String, Query, description = "`S256` (`plain` is refused)"),
        ("state" = Option<String>, Query, description = "Returned unchanged"),
    ),
    responses(
        (status = 302, description = "To the login, the consent page, or back to the app"),
        (status = 400, description = "Unknown client or redirect URI: an error page", content_type = "text/html"),
    )
)]
pub async fn authorize(State(state): State<AppState>, parts: Parts) -> Response {
    let request = match AuthorizeRequest::from_query(parts.uri.query().unwrap_or_default(), &state.config.app) {
        Ok(request) => request,
        Err(refusal) => return refused(&state, &refusal, Lang::of_request(&parts)),
    };
    let session = match authenticate(&parts, &state).await {
        Ok(session) => session,
        Err(error) => return error.respond(Caller::Page),
    };
    match session {
        Some(user) if user.pending.is_none() => found(&request.consent_page()),
        // Through the login (or the first-sign-in step left), then on to the consent page.
        session => {
            let next = session.and_then(|user| user.pending).map_or(routes::LOGIN, |step| step.path());
            with_pending_cookie(found(next), &state, &request.query(), false)
        }
    }
}

/// `response` that keeps the app's request `query` in the browser, or forgets it.
fn with_pending_cookie(mut response: Response, state: &AppState, query: &str, remove: bool) -> Response {
    if let Ok(value) = HeaderValue::from_str(&pending_cookie(state, query, remove).to_string()) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

fn pending_cookie(state: &AppState, query: &str, remove: bool) -> Cookie<'static> {
    let mut cookie = Cookie::build((PENDING_COOKIE, query.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies())
        .max_age(cookie::time::Duration::seconds(PENDING_SECONDS))
        .build();
    if remove {
        cookie.make_removal();
    }
    cookie
}

/// Removes the waiting request of an app (at sign-out) from the current
/// server function's answer.
pub fn forget_pending_request(state: &AppState) {
    super::http::append_cookie(&pending_cookie(state, "", true));
}

/// Where a browser that just finished signing in goes when an app waits for
/// it: the consent page of the app's request, if it still holds.
pub fn pending_consent(parts: &Parts, state: &AppState) -> Option<String> {
    let query = cookie_value(parts, PENDING_COOKIE)?;
    Some(AuthorizeRequest::from_query(&query, &state.config.app).ok()?.consent_page())
}

/// On the consent page: the app's redirect URI as a CSP source, so that
/// the browser follows "Erlauben" and "Ablehnen" to the app (`form-action`
/// holds for a form's redirects). CSP cannot name an IPv6 address: the
/// `[::1]` loopback gets `http:` on this one page, whose only forms are ours.
pub fn consent_form_targets() -> Option<String> {
    let parts = crate::server::serve::request_parts()?;
    if parts.uri.path() != routes::APP_CONSENT {
        return None;
    }
    let state = leptos::prelude::use_context::<AppState>()?;
    let request = AuthorizeRequest::from_query(parts.uri.query()?, &state.config.app).ok()?;
    let target = url::Url::parse(&request.redirect_uri).ok()?;
    let source = match target.host() {
        Some(url::Host::Ipv6(_)) => "http:".to_owned(),
        Some(host) => format!("{}://{host}{}", target.scheme(), target.port().map(|port| format!(":{port}")).unwrap_or_default()),
        None => format!("{}:", target.scheme()),
    };
    // Only characters a CSP source may hold: nothing can end the directive.
    source.chars().all(|c| c.is_ascii_alphanumeric() || ".-+:/".contains(c)).then_some(source)
}

/// A request the browser may not be sent back with: a page of our own.
/// Otherwise the app hears the refusal at its redirect URI.
fn refused(state: &AppState, refusal: &AuthorizeRefusal, lang: Lang) -> Response {
    match (refusal, refusal.redirect()) {
        (_, Some(to_app)) => redirect_to_app(&to_app),
        (AuthorizeRefusal::NoRedirect(why), None) => error_page(state, &why.text(lang), lang),
        (AuthorizeRefusal::ToApp { .. }, None) => error_page(state, &crate::t!(lang, "auth-app-request-invalid"), lang),
    }
}

/// 303 to the app: the browser follows with a GET, whatever it posted.
fn redirect_to_app(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(location) => (StatusCode::SEE_OTHER, [(LOCATION, location), (CACHE_CONTROL, HeaderValue::from_static("no-store"))]).into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}

fn error_page(state: &AppState, why: &str, lang: Lang) -> Response {
    let title = crate::t!(lang, "auth-app-error-title");
    let body = format!(
        "<h1>{heading}</h1><p>{why}</p><p>{retry}</p><p><a href=\"{home}\">{home_link}</a></p>",
        heading = escape(&title),
        why = escape(why),
        retry = escape(&crate::t!(lang, "auth-app-error-retry")),
        home = routes::HOME,
        home_link = escape(&crate::t!(lang, "auth-app-error-home")),
    );
    plain_page(&state.config, lang, StatusCode::BAD_REQUEST, &title, "card narrow", &body, "no-store")
}

/// `POST /oauth/authorize`: the consent page's "Erlauben" or "Ablehnen"
/// (a plain form of a signed-in page; the cross-site check applies).
pub async fn decide(State(state): State<AppState>, super::guard::SignedIn(user): super::guard::SignedIn, parts: Parts, body: Bytes) -> Response {
    let mut pairs = form_pairs(&body);
    let allow = match pairs.iter().position(|(name, _)| name == "decision") {
        Some(index) => pairs.remove(index).1 == "allow",
        None => false,
    };
    let request = match AuthorizeRequest::parse(&pairs, &state.config.app) {
        Ok(request) => request,
        Err(refusal) => return refused(&state, &refusal, Lang::of_request(&parts)),
    };
    let ip = client_address(&parts, &state.config).map(|ip| ip.to_string());
    let answer = if allow { oauth::allow(&state, &user, &request, ip).await } else { oauth::refuse(&state, &user, &request, ip).await };
    match answer {
        Ok(location) => with_pending_cookie(redirect_to_app(&location), &state, "", true),
        Err(error) => AppError::from(error).respond(Caller::Page),
    }
}

/// An answer of the token and revocation endpoints: never cached (RFC 6749 §5.1).
fn token_answer(status: StatusCode, body: serde_json::Value) -> Response {
    (
        status,
        [
            (CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (PRAGMA, HeaderValue::from_static("no-cache")),
        ],
        body.to_string(),
    )
        .into_response()
}

fn oauth_error(error: &OAuthError) -> Response {
    match error.code() {
        Some(code) => {
            let status = if matches!(error, OAuthError::InvalidClient) { StatusCode::UNAUTHORIZED } else { StatusCode::BAD_REQUEST };
            token_answer(status, json!({ "error": code, "error_description": error.description() }))
        }
        None => {
            // Logged with its cause there; 503 when the database does not answer, as everywhere.
            let failure = AppError::internal(error);
            token_answer(failure.status(), json!({ "error": "server_error" }))
        }
    }
}

/// The form fields of a token or revocation request, each at most once
/// (RFC 6749 §3.2), from a form-encoded body.
fn form_fields(parts: &Parts, body: &[u8]) -> Result<Vec<(String, String)>, OAuthError> {
    let form = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(';').next().is_some_and(|kind| kind.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded")));
    if !form {
        return Err(OAuthError::InvalidRequest("the body must be application/x-www-form-urlencoded"));
    }
    let pairs = form_pairs(body);
    let mut names: Vec<&str> = pairs.iter().map(|(name, _)| name.as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|two| two[0] == two[1]) {
        return Err(OAuthError::InvalidRequest("a parameter is repeated"));
    }
    Ok(pairs)
}

/// Counts the request against the address's allowance of the token endpoints.
fn within_limit(state: &AppState, parts: &Parts) -> Result<(), Response> {
    let Some(client) = client_address(parts, &state.config) else { return Ok(()) };
    state.rate_limits.check(LimitedAction::AppToken, client).map_err(|wait| {
        let mut response = token_answer(StatusCode::TOO_MANY_REQUESTS, json!({ "error": "slow_down", "error_description": "too many requests" }));
        response.headers_mut().insert(http::header::RETRY_AFTER, HeaderValue::from(wait.as_secs().max(1)));
        response
    })
}

fn field(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone())
}

/// `POST /oauth/token`.
#[utoipa::path(
    post, path = "/oauth/token", tag = "App sign-in", operation_id = "token",
    summary = "A code (with its PKCE verifier) or a refresh token for a new token pair",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A new pair (`Cache-Control: no-store`)", body = TokenPair),
        (status = 400, description = "RFC 6749 §5.2: `invalid_request`, `invalid_grant`, `unsupported_grant_type`", body = OAuthErrorBody),
        (status = 401, description = "`invalid_client`", body = OAuthErrorBody),
        (status = 429, description = "Too many requests from this address; see `Retry-After`", body = OAuthErrorBody),
    )
)]
pub async fn token(State(state): State<AppState>, parts: Parts, body: Bytes) -> Response {
    if let Err(limited) = within_limit(&state, &parts) {
        return limited;
    }
    let pairs = match form_fields(&parts, &body) {
        Ok(pairs) => pairs,
        Err(error) => return oauth_error(&error),
    };
    let request = TokenRequest {
        grant_type: field(&pairs, "grant_type"),
        client_id: field(&pairs, "client_id"),
        code: field(&pairs, "code"),
        redirect_uri: field(&pairs, "redirect_uri"),
        code_verifier: field(&pairs, "code_verifier"),
        refresh_token: field(&pairs, "refresh_token"),
    };
    let origin = session_origin_of(&parts, &state.config);
    let ip = client_address(&parts, &state.config).map(|ip| ip.to_string());
    match oauth::token(&state, request, origin, ip).await {
        Ok(pair) => token_answer(StatusCode::OK, serde_json::to_value(pair).unwrap_or_default()),
        Err(error) => oauth_error(&error),
    }
}

/// The form of a revocation request.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct RevokeRequest {
    /// A refresh token (ends the whole sign-in) or an access token (only itself).
    pub token: String,
    /// `refresh_token` or `access_token`; optional.
    pub token_type_hint: Option<String>,
    /// `kundenportal-app`.
    pub client_id: String,
}

/// An RFC 6749 §5.2 error.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct OAuthErrorBody {
    pub error: String,
    /// For the app's developer, in English.
    pub error_description: Option<String>,
}

/// `POST /oauth/revoke` (RFC 7009): 200 whether or not the token was known.
#[utoipa::path(
    post, path = "/oauth/revoke", tag = "App sign-in", operation_id = "revoke",
    summary = "Sign the app out (RFC 7009)",
    request_body(content = RevokeRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Done; also for an unknown token"),
        (status = 400, description = "`invalid_request`", body = OAuthErrorBody),
        (status = 401, description = "`invalid_client`", body = OAuthErrorBody),
    )
)]
pub async fn revoke(State(state): State<AppState>, parts: Parts, body: Bytes) -> Response {
    if let Err(limited) = within_limit(&state, &parts) {
        return limited;
    }
    let pairs = match form_fields(&parts, &body) {
        Ok(pairs) => pairs,
        Err(error) => return oauth_error(&error),
    };
    let Some(client) = field(&pairs, "client_id").as_deref().and_then(super::clients::AppClient::find) else {
        return oauth_error(&OAuthError::InvalidClient);
    };
    let Some(token) = field(&pairs, "token").filter(|token| !token.is_empty()) else {
        return oauth_error(&OAuthError::InvalidRequest("token is required"));
    };
    let ip = client_address(&parts, &state.config).map(|ip| ip.to_string());
    match oauth::revoke(&state, client, &token, ip).await {
        Ok(()) => token_answer(StatusCode::OK, json!({})),
        Err(error) => oauth_error(&OAuthError::Database(error)),
    }
}

/// `GET /.well-known/oauth-authorization-server` (RFC 8414): what a
/// standard OAuth library needs to configure itself.
#[utoipa::path(
    get, path = "/.well-known/oauth-authorization-server", tag = "App sign-in", operation_id = "metadata",
    summary = "Authorization server metadata (RFC 8414)",
    responses((status = 200, description = "Issuer, endpoints, grants and PKCE methods", content_type = "application/json"))
)]
pub async fn metadata(State(state): State<AppState>) -> Response {
    let issuer = state.config.base_url.clone();
    let body = json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}{}", routes::OAUTH_AUTHORIZE),
        "token_endpoint": format!("{issuer}{}", routes::OAUTH_TOKEN),
        "revocation_endpoint": format!("{issuer}{}", routes::OAUTH_REVOKE),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "revocation_endpoint_auth_methods_supported": ["none"],
        "service_documentation": format!("{issuer}{}", routes::API_DOCS),
    });
    ([(CONTENT_TYPE, "application/json"), (CACHE_CONTROL, "public, max-age=3600")], body.to_string()).into_response()
}

/// The user of an `/api/v1` request, by its `Authorization: Bearer` access
/// token. No cookie counts, so no cross-site check is needed. Refusals: 401
/// with `WWW-Authenticate` (RFC 6750 §3.1) for no, an unknown, an expired or
/// a revoked token or an ended sign-in (an expired password ends it too);
/// 403 while the user must first accept a new privacy notice in the browser.
pub struct AppUser(pub SessionUser);

impl FromRequestParts<AppState> for AppUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let presented = parts
            .headers
            .get(http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            // The scheme's name is case-insensitive (RFC 9110 §11.1).
            .and_then(|value| value.split_once(' ').filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer")).map(|(_, token)| token))
            .map(str::trim)
            .filter(|token| !token.is_empty());
        let user = match presented {
            Some(token) => oauth::bearer_user(state, token).await.map_err(|error| AppError::from(error).respond(Caller::Api))?,
            None => None,
        };
        match user {
            Some(user) if user.pending.is_none() => Ok(AppUser(user)),
            Some(_) => Err(api_refusal(AppError::SetupPending)),
            None => Err(api_refusal(AppError::NotSignedIn)),
        }
    }
}

/// An `AppError` as `/api/v1`'s JSON: `{"error": code, "message": German text}`
/// (and the field a refused input concerns), marked for the refusal audit.
/// Not signed in (no, an unknown, an expired or a revoked access token, an
/// ended sign-in, or a user deactivated while the request ran) is 401 with
/// `WWW-Authenticate` (RFC 6750 §3.1).
pub fn api_refusal(error: AppError) -> Response {
    let code = match &error {
        AppError::NotSignedIn => "invalid_token",
        AppError::SetupPending => "setup_pending",
        AppError::NotFound => "not_found",
        AppError::Invalid { .. } | AppError::BadRequest => "invalid_request",
        AppError::Forbidden => "forbidden",
        AppError::Unavailable => "unavailable",
        AppError::TooManyRequests { .. } => "too_many_requests",
        _ => "server_error",
    };
    let field = match &error {
        AppError::Invalid { field, .. } => field.clone(),
        _ => None,
    };
    let mut response = api_error(error.status(), code, &error.to_string(), field);
    if error == AppError::NotSignedIn {
        response.headers_mut().insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer error=\"invalid_token\""));
    }
    if let Some(seconds) = error.retry_after() {
        response.headers_mut().insert(http::header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response.extensions_mut().insert(crate::error::Refused(error));
    response
}

/// What `/api/v1` answers when it refuses.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ApiError {
    /// `invalid_token`, `setup_pending`, `not_found`, `invalid_request`, `forbidden`, `too_many_requests`, `unavailable`, `server_error`
    pub error: String,
    /// For the user, in German.
    pub message: String,
    /// The parameter or field a refused input concerns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An `/api/v1` refusal: `{"error": code, "message": German text}`.
pub fn api_error(status: StatusCode, code: &str, message: &str, field: Option<String>) -> Response {
    let body = ApiError { error: code.to_owned(), message: message.to_owned(), field };
    (status, api_json(&body)).into_response()
}

/// An `/api/v1` answer: JSON that no cache keeps.
pub fn api_json(body: &impl serde::Serialize) -> Response {
    ([(CONTENT_TYPE, "application/json"), (CACHE_CONTROL, "no-store")], serde_json::to_string(body).unwrap_or_default()).into_response()
}
