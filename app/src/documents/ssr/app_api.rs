//! The mobile app's document API (`/api/v1`, an access token of the app's
//! sign-in): the same documents, visibility and isolation as the Dokumente
//! page, as JSON. Every refusal is `{"error": code, "message": German text}`;
//! another customer's, a purged and a missing document get the same 404.

use super::list::{api_document, api_documents, ApiDocument, ApiDocumentType};
use super::pdf::{serve_file, DocumentFile};
use super::CustomerScope;
use crate::auth::ssr::oauth_http::{api_error, api_json, api_refusal as refusal, ApiError, AppUser};
use crate::documents::{Cursor, ListQuery};
use crate::error::AppError;
use crate::server::state::AppState;
use axum::extract::State;
use axum::response::Response;
use http::request::Parts;
use http::StatusCode;

pub const DEFAULT_LIMIT: u32 = 25;
pub const MAX_LIMIT: u32 = 100;

/// A page of the app's list.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct DocumentList {
    /// Newest first.
    pub items: Vec<ApiDocument>,
    /// For `cursor` to get the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

fn not_found() -> Response {
    refusal(AppError::NotFound)
}

fn invalid(field: &str, message: &str) -> Response {
    api_error(StatusCode::BAD_REQUEST, "invalid_request", message, Some(field.to_owned()))
}

/// The list's parameters, each at most once: `limit`, `cursor`, `q`,
/// `type`, `from`, `to` (days as `2026-01-31`).
fn list_parameters(parts: &Parts) -> Result<(ListQuery, u32), Response> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes()).into_owned().collect();
    let mut query = ListQuery::default();
    let mut limit = DEFAULT_LIMIT;
    let mut seen = Vec::new();
    for (name, value) in pairs {
        if seen.contains(&name) {
            return Err(invalid(&name, "Dieser Parameter ist mehrfach angegeben."));
        }
        match name.as_str() {
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|limit| (1..=MAX_LIMIT).contains(limit))
                    .ok_or_else(|| invalid("limit", "limit muss eine Zahl von 1 bis 100 sein."))?;
            }
            "cursor" => query.after = Some(Cursor::parse(&value).ok_or_else(|| invalid("cursor", "Dieser cursor ist ungültig."))?),
            "q" => query.search = value.trim().chars().take(100).collect(),
            "type" => query.type_key = value.trim().chars().take(64).collect(),
            "from" | "to" => {
                if value.parse::<jiff::civil::Date>().is_err() {
                    return Err(invalid(&name, "Bitte geben Sie den Tag als JJJJ-MM-TT an."));
                }
                if name == "from" {
                    query.from = value;
                } else {
                    query.to = value;
                }
            }
            _ => {}
        }
        seen.push(name);
    }
    Ok((query, limit))
}

/// `GET /api/v1/documents`: `{"items": […], "next_cursor": …}`.
#[utoipa::path(
    get, path = "/api/v1/documents", tag = "Documents", operation_id = "listDocuments",
    summary = "The signed-in customer's documents, newest first",
    description = "The documents the portal's document list shows this user (the same visibility and customer), paged by `cursor`.",
    params(
        ("limit" = Option<u32>, Query, description = "1 to 100, default 25"),
        ("cursor" = Option<String>, Query, description = "`next_cursor` of the previous page"),
        ("q" = Option<String>, Query, description = "Part of a document number"),
        ("type" = Option<String>, Query, description = "A document type's key"),
        ("from" = Option<String>, Query, description = "Provided on or after this day (`2026-01-31`)"),
        ("to" = Option<String>, Query, description = "Provided on or before this day"),
    ),
    responses(
        (status = 200, description = "One page", body = DocumentList),
        (status = 400, description = "A parameter is invalid or repeated", body = ApiError),
        (status = 401, description = "No working access token", body = ApiError),
        (status = 403, description = "The user must first finish a step in the browser", body = ApiError),
    ),
    security(("app" = []))
)]
pub async fn list(State(state): State<AppState>, AppUser(user): AppUser, parts: Parts) -> Response {
    let (query, limit) = match list_parameters(&parts) {
        Ok(parameters) => parameters,
        Err(refused) => return refused,
    };
    match api_documents(&state, CustomerScope::of(&user), user.user_id, &query, limit).await {
        Ok((items, next)) => api_json(&DocumentList { items, next_cursor: next.map(Cursor::param) }),
        Err(error) => refusal(AppError::from(error)),
    }
}

/// `GET /api/v1/documents/{id}`.
#[utoipa::path(
    get, path = "/api/v1/documents/{id}", tag = "Documents", operation_id = "getDocument", summary = "One document",
    params(("id" = i64, Path, description = "The document's id")),
    responses(
        (status = 200, description = "The document", body = ApiDocument),
        (status = 401, description = "No working access token", body = ApiError),
        (status = 404, description = "No such document for this customer (another customer's, a purged and a missing one alike)", body = ApiError),
    ),
    security(("app" = []))
)]
pub async fn one(State(state): State<AppState>, AppUser(user): AppUser, axum::extract::Path(id): axum::extract::Path<String>) -> Response {
    let Ok(id) = id.parse::<i64>() else { return not_found() };
    match api_document(&state, CustomerScope::of(&user), user.user_id, id).await {
        Ok(Some(document)) => api_json(&document),
        Ok(None) => not_found(),
        Err(error) => refusal(AppError::from(error)),
    }
}

/// `GET /api/v1/documents/{id}/pdf` (`?download=1` names it an attachment):
/// ranges, the read mark and the audit as on the page.
#[utoipa::path(
    get, path = "/api/v1/documents/{id}/pdf", tag = "Documents", operation_id = "getDocumentPdf",
    summary = "The document's PDF (byte ranges supported); opening it marks it read",
    params(
        ("id" = i64, Path, description = "The document's id"),
        ("download" = Option<String>, Query, description = "`1`: `Content-Disposition: attachment`"),
        ("Range" = Option<String>, Header, description = "One byte range, `bytes=0-1023`"),
    ),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf", body = Vec<u8>),
        (status = 206, description = "The range asked for", content_type = "application/pdf", body = Vec<u8>),
        (status = 401, description = "No working access token", body = ApiError),
        (status = 404, description = "No such document for this customer", body = ApiError),
        (status = 416, description = "The range lies outside the file"),
    ),
    security(("app" = []))
)]
pub async fn pdf(
    State(state): State<AppState>,
    AppUser(user): AppUser,
    axum::extract::Path(id): axum::extract::Path<String>,
    parts: Parts,
) -> Response {
    let download = url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes()).any(|(name, value)| name == "download" && value == "1");
    serve_file(&state, &user, &id, DocumentFile::Own, download, &parts, refusal).await
}

/// `GET /api/v1/documents/{id}/xml`: an e-invoice's XML, as on the page.
#[utoipa::path(
    get, path = "/api/v1/documents/{id}/xml", tag = "Documents", operation_id = "getDocumentInvoiceXml",
    summary = "An e-invoice's XML (CII or UBL), as embedded in its PDF or delivered alone; opening it marks the document read",
    params(
        ("id" = i64, Path, description = "The document's id"),
        ("Range" = Option<String>, Header, description = "One byte range, `bytes=0-1023`"),
    ),
    responses(
        (status = 200, description = "The XML", content_type = "application/xml", body = Vec<u8>),
        (status = 206, description = "The range asked for", content_type = "application/xml", body = Vec<u8>),
        (status = 401, description = "No working access token", body = ApiError),
        (status = 404, description = "No such document for this customer, or it is no e-invoice", body = ApiError),
        (status = 416, description = "The range lies outside the file"),
    ),
    security(("app" = []))
)]
pub async fn xml(
    State(state): State<AppState>,
    AppUser(user): AppUser,
    axum::extract::Path(id): axum::extract::Path<String>,
    parts: Parts,
) -> Response {
    serve_file(&state, &user, &id, DocumentFile::InvoiceXml, true, &parts, refusal).await
}

/// `GET /api/v1/document-types`: `[{"key", "name"}]`.
#[utoipa::path(
    get, path = "/api/v1/document-types", tag = "Documents", operation_id = "listDocumentTypes", summary = "Every document type",
    responses(
        (status = 200, description = "In the order of the document list's filter", body = Vec<ApiDocumentType>),
        (status = 401, description = "No working access token", body = ApiError),
    ),
    security(("app" = []))
)]
pub async fn types(State(state): State<AppState>, AppUser(_): AppUser) -> Response {
    match super::types::list(&state.pool).await {
        Ok(types) => api_json(&types.into_iter().map(|kind| ApiDocumentType { key: kind.key, name: kind.name }).collect::<Vec<_>>()),
        Err(error) => refusal(AppError::from(error)),
    }
}
