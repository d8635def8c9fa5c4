//! The OpenAPI 3.1 document of `/api/v1`, the app's sign-in and the ingest
//! API, generated from the handlers' annotations (utoipa), and a page that
//! reads it for people (`/api/docs`, rendered here: nothing from another
//! site, no script, under a CSP that allows only the portal's stylesheet).

use app::auth::ssr::{oauth, oauth_http};
use app::documents::ssr::{api as ingest_api, app_api, list};
use app::profile::ssr::api as profile_api;
use app::i18n::Lang;
use app::routes;
use app::t;
use app::server::plain_page::{escape, plain_page};
use app::server::state::AppState;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use utoipa::openapi::security::{AuthorizationCode, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityScheme};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kundenportal API",
        description = "The mobile app's API: it signs in through the portal's login (OAuth 2.0 for native apps with PKCE) \
                       and reads the user's documents and profile. Also the operator's ingest API.",
    ),
    paths(
        profile_api::get_me,
        profile_api::patch_me,
        app_api::list,
        app_api::one,
        app_api::pdf,
        app_api::xml,
        app_api::types,
        ingest_api::ingest_document,
        oauth_http::authorize,
        oauth_http::token,
        oauth_http::revoke,
        oauth_http::metadata,
        openapi_json,
    ),
    components(schemas(list::ApiDocument, list::ApiDocumentType, list::ApiEInvoice, oauth::TokenPair, oauth::TokenRequest, oauth_http::ApiError))
)]
struct ApiDoc;

/// The document for this installation: its address, and the app's OAuth
/// flow with this portal's endpoints.
pub fn document(base_url: &str) -> Value {
    let mut openapi = ApiDoc::openapi();
    openapi.info.version = env!("CARGO_PKG_VERSION").to_owned();
    openapi.servers = Some(vec![utoipa::openapi::Server::new(base_url)]);
    let components = openapi.components.get_or_insert_with(Default::default);
    let mut code_flow = AuthorizationCode::new(
        format!("{base_url}{}", routes::OAUTH_AUTHORIZE),
        format!("{base_url}{}", routes::OAUTH_TOKEN),
        Scopes::new(),
    );
    code_flow.refresh_url = Some(format!("{base_url}{}", routes::OAUTH_TOKEN));
    let mut app = OAuth2::new([Flow::AuthorizationCode(code_flow)]);
    app.description = Some(
        "The app's sign-in: authorization code with PKCE (S256), public client `kundenportal-app`; \
         requests carry `Authorization: Bearer ACCESS_TOKEN`."
            .to_owned(),
    );
    components.add_security_scheme("app", SecurityScheme::OAuth2(app));
    components.add_security_scheme(
        "api_key",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("The operator's API key (`kundenportal apikey create`), for the ingest API"))
                .build(),
        ),
    );
    serde_json::to_value(&openapi).unwrap_or_default()
}

/// `GET /api/v1/openapi.json`.
#[utoipa::path(
    get, path = "/api/v1/openapi.json", tag = "Beschreibung", operation_id = "openapi",
    summary = "This document (OpenAPI 3.1); `/api/docs` shows it as a page",
    responses((status = 200, description = "The document", content_type = "application/json"))
)]
pub async fn openapi_json(State(state): State<AppState>) -> Response {
    let body = document(&state.config.base_url).to_string();
    ([(CONTENT_TYPE, "application/json"), (CACHE_CONTROL, "public, max-age=300")], body).into_response()
}

/// A path with a line-break chance after each `/`, so that a long one fits
/// a phone without a word broken inside.
fn breakable_path(path: &str) -> String {
    escape(path).replace('/', "/<wbr>")
}

/// Text from the document with its `code` spans.
fn prose(text: &str) -> String {
    let escaped = escape(text);
    let mut out = String::new();
    for (n, part) in escaped.split('`').enumerate() {
        if n % 2 == 1 {
            out.push_str(&format!("<code>{part}</code>"));
        } else {
            out.push_str(part);
        }
    }
    out
}

const METHODS: [&str; 5] = ["get", "post", "patch", "put", "delete"];

/// `GET /api/docs`: the document as a page.
pub async fn docs_page(State(state): State<AppState>, lang: Lang) -> Response {
    let document = document(&state.config.base_url);
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    let mut tags: Vec<String> = Vec::new();
    let mut operations: Vec<(String, String, String, &Value)> = Vec::new();
    if let Some(paths) = document["paths"].as_object() {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(operation) = item.get(method) {
                    let tag = operation["tags"][0].as_str().unwrap_or("API").to_owned();
                    if !tags.contains(&tag) {
                        tags.push(tag.clone());
                    }
                    operations.push((tag, method.to_uppercase(), path.clone(), operation));
                }
            }
        }
    }
    let mut body = String::new();
    body.push_str(&format!(
        "<h1>{}</h1><p>{}</p><p>{}</p>",
        escape(&t!(lang, "api-docs-heading")),
        prose(&text(&document["info"]["description"])),
        // Our own text, with its markup: `code` and the link to the document.
        t!(lang, "api-docs-introduction", openapi = routes::API_OPENAPI, version = escape(&text(&document["openapi"]))),
    ));
    body.push_str(&format!("<nav aria-label=\"{}\"><ul>", escape(&t!(lang, "api-docs-areas"))));
    for (n, tag) in tags.iter().enumerate() {
        body.push_str(&format!("<li><a href=\"#bereich-{n}\">{}</a></li>", escape(tag)));
    }
    body.push_str("</ul></nav>");
    for (n, tag) in tags.iter().enumerate() {
        body.push_str(&format!("<section aria-labelledby=\"bereich-{n}\"><h2 id=\"bereich-{n}\">{}</h2>", escape(tag)));
        for (_, method, path, operation) in operations.iter().filter(|(of, ..)| of == tag) {
            body.push_str(&format!(
                "<article class=\"api-operation\"><h3><span class=\"api-method\">{method}</span> <code>{}</code></h3><p>{}</p>",
                breakable_path(path),
                prose(&text(&operation["summary"])),
            ));
            if let Some(description) = operation["description"].as_str() {
                body.push_str(&format!("<p>{}</p>", prose(description)));
            }
            let security: Vec<String> = operation["security"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|requirement| requirement.as_object()?.keys().next().cloned())
                .collect();
            let who = if security.iter().any(|scheme| scheme == "app") {
                t!(lang, "api-docs-auth-app")
            } else if security.iter().any(|scheme| scheme == "api_key") {
                t!(lang, "api-docs-auth-api-key")
            } else {
                t!(lang, "api-docs-auth-none")
            };
            body.push_str(&format!("<p><strong>{}</strong> {who}</p>", escape(&t!(lang, "api-docs-auth"))));
            if let Some(parameters) = operation["parameters"].as_array().filter(|list| !list.is_empty()) {
                body.push_str(&format!("<h4>{}</h4><dl class=\"api-list\">", escape(&t!(lang, "api-docs-parameters"))));
                for parameter in parameters {
                    let required =
                        if parameter["required"].as_bool() == Some(true) { t!(lang, "api-docs-required") } else { t!(lang, "api-docs-optional") };
                    body.push_str(&format!(
                        "<dt><code>{}</code> <span class=\"muted\">({}, {required})</span></dt><dd>{}</dd>",
                        escape(&text(&parameter["name"])),
                        escape(&text(&parameter["in"])),
                        prose(&text(&parameter["description"])),
                    ));
                }
                body.push_str("</dl>");
            }
            if let Some(request) = operation["requestBody"]["content"].as_object() {
                let kinds: Vec<String> = request.keys().map(|kind| format!("<code>{}</code>", escape(kind))).collect();
                body.push_str(&format!("<p><strong>{}</strong> {}</p>", escape(&t!(lang, "api-docs-request-body")), kinds.join(", ")));
            }
            if let Some(responses) = operation["responses"].as_object() {
                body.push_str(&format!("<h4>{}</h4><dl class=\"api-list\">", escape(&t!(lang, "api-docs-responses"))));
                for (status, response) in responses {
                    body.push_str(&format!("<dt><code>{}</code></dt><dd>{}</dd>", escape(status), prose(&text(&response["description"]))));
                }
                body.push_str("</dl>");
            }
            body.push_str("</article>");
        }
        body.push_str("</section>");
    }
    plain_page(&state.config, lang, StatusCode::OK, &t!(lang, "api-docs-title"), "card api-docs", &body, "public, max-age=300")
}
