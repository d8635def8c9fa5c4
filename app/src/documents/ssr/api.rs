//! `POST /api/v1/documents`: the operator's billing system delivers a PDF
//! with its metadata (multipart: `customer`, `number`, `type`, `created`,
//! optional `provided`, `file`) and `Authorization: Bearer KEY`. Answers are
//! JSON with a German message: 201 new, 200 the same document again (a retry
//! is safe), 409 the same number and type with other bytes, 401 without a
//! working key, 404 unknown customer, 422 a bad field (named), 413 too
//! large, 415 not a PDF.

use super::api_keys;
use super::ingest::{ingest, Ingested, Ingester, NewDocument};
use super::DocumentError;
use crate::server::state::AppState;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use serde_json::json;

/// Text fields are short; anything longer is not what the billing system meant.
const FIELD_MAX_BYTES: usize = 1024;

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, Json(body)).into_response()
}

fn refused(error: &DocumentError) -> Response {
    let message = error.to_string();
    match error {
        DocumentError::UnknownCustomer(_) => answer(StatusCode::NOT_FOUND, json!({ "error": message })),
        DocumentError::Invalid { field, .. } => answer(StatusCode::UNPROCESSABLE_ENTITY, json!({ "error": message, "field": field })),
        DocumentError::NotPdf => answer(StatusCode::UNSUPPORTED_MEDIA_TYPE, json!({ "error": message })),
        DocumentError::TooLarge { .. } => answer(StatusCode::PAYLOAD_TOO_LARGE, json!({ "error": message })),
        DocumentError::Conflict { existing_id } => answer(StatusCode::CONFLICT, json!({ "error": message, "id": existing_id })),
        DocumentError::NotFound | DocumentError::Storage(_) | DocumentError::Database(_) | DocumentError::Mail(_) => {
            let id = crate::error::AppError::internal(error);
            answer(StatusCode::INTERNAL_SERVER_ERROR, json!({ "error": id.to_string() }))
        }
    }
}

fn missing(field: &'static str) -> DocumentError {
    DocumentError::Invalid { field, message: format!("Das Feld »{field}« fehlt.") }
}

#[derive(Default)]
struct Fields {
    customer: Option<String>,
    number: Option<String>,
    type_key: Option<String>,
    created: Option<String>,
    provided: Option<String>,
    file: Option<Bytes>,
}

/// Reads the multipart body. A body over the route's limit ends the read
/// with 413 (the limit layer answers a too large `Content-Length` before).
async fn read_fields(mut multipart: Multipart, max_bytes: usize) -> Result<Fields, Response> {
    let too_large = || refused(&DocumentError::TooLarge { max_mb: max_bytes / (1024 * 1024) });
    let unreadable = |status: StatusCode| {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            answer(StatusCode::BAD_REQUEST, json!({ "error": "Die Anfrage ist kein lesbares multipart/form-data." }))
        }
    };
    let mut fields = Fields::default();
    while let Some(field) = multipart.next_field().await.map_err(|error| unreadable(error.status()))? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let bytes = field.bytes().await.map_err(|error| unreadable(error.status()))?;
            if bytes.len() > max_bytes {
                return Err(too_large());
            }
            fields.file = Some(bytes);
            continue;
        }
        let slot = match name.as_str() {
            "customer" => &mut fields.customer,
            "number" => &mut fields.number,
            "type" => &mut fields.type_key,
            "created" => &mut fields.created,
            "provided" => &mut fields.provided,
            _ => continue,
        };
        let value = field.bytes().await.map_err(|error| unreadable(error.status()))?;
        let text = std::str::from_utf8(&value).ok().filter(|_| value.len() <= FIELD_MAX_BYTES);
        let Some(text) = text else {
            let field: &'static str = match name.as_str() {
                "customer" => "customer",
                "number" => "number",
                "type" => "type",
                "created" => "created",
                _ => "provided",
            };
            return Err(refused(&DocumentError::Invalid { field, message: format!("Das Feld »{field}« ist zu lang oder kein UTF-8.") }));
        };
        *slot = Some(text.to_owned());
    }
    Ok(fields)
}

pub async fn ingest_document(State(state): State<AppState>, headers: HeaderMap, multipart: Multipart) -> Response {
    // The key is checked before a byte of the body is read.
    let key = match api_keys::authenticate(&state.pool, &headers, state.clock.now()).await {
        Ok(Some(key)) => key,
        Ok(None) => {
            tracing::info!("document ingest refused: no working API key");
            return answer(StatusCode::UNAUTHORIZED, json!({ "error": "Ein gültiger API-Schlüssel fehlt (Authorization: Bearer …)." }));
        }
        Err(error) => return refused(&DocumentError::Database(error)),
    };
    let fields = match read_fields(multipart, state.config.documents.max_bytes).await {
        Ok(fields) => fields,
        Err(response) => return response,
    };
    let parsed = (|| {
        let new = NewDocument::parse(
            fields.customer.as_deref().ok_or_else(|| missing("customer"))?,
            fields.number.as_deref().ok_or_else(|| missing("number"))?,
            fields.type_key.as_deref().ok_or_else(|| missing("type"))?,
            fields.created.as_deref().ok_or_else(|| missing("created"))?,
            fields.provided.as_deref(),
        )?;
        Ok::<_, DocumentError>((new, fields.file.ok_or_else(|| missing("file"))?))
    })();
    let (new, file) = match parsed {
        Ok(parsed) => parsed,
        Err(error) => return refused(&error),
    };
    match ingest(&state, &Ingester::ApiKey(key), new, file).await {
        Ok(Ingested::Created(id)) => answer(StatusCode::CREATED, json!({ "id": id })),
        Ok(Ingested::AlreadyThere(id)) => answer(StatusCode::OK, json!({ "id": id })),
        Err(error) => refused(&error),
    }
}
