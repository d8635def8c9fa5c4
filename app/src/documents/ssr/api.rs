//! `POST /api/v1/documents`: the operator's billing system delivers a PDF
//! (a ZUGFeRD / Factur-X one too) or a bare invoice XML (XRechnung) with its
//! metadata (multipart: `customer`, `number`, `type`, `created`, optional
//! `provided`, `file`) and `Authorization: Bearer KEY`. Answers are JSON
//! with a German message: 201 new, 200 the same document again (a retry is
//! safe), both with the e-invoice's key fields and warnings; 409 the same
//! number and type with other bytes, 401 without a working key, 404
//! unknown customer, 422 a bad field (named: `number` when the e-invoice's
//! number differs, `file` for an XML that is no readable e-invoice), 413
//! too large, 415 neither a PDF nor XML.

use super::api_keys;
use super::list::ApiEInvoice;
use super::ingest::{ingest_staged, IngestReport, Ingested, Ingester, NewDocument};
use super::DocumentError;
use crate::server::state::AppState;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use crate::server::storage::{StageError, StagedFile, Stager, StorageError};
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
        DocumentError::UnreadableInvoice(_) => answer(StatusCode::UNPROCESSABLE_ENTITY, json!({ "error": message, "field": "file" })),
        DocumentError::NumberMismatch { .. } => answer(StatusCode::UNPROCESSABLE_ENTITY, json!({ "error": message, "field": "number" })),
        DocumentError::TooLarge { .. } => answer(StatusCode::PAYLOAD_TOO_LARGE, json!({ "error": message })),
        DocumentError::Conflict { existing_id } => answer(StatusCode::CONFLICT, json!({ "error": message, "id": existing_id })),
        DocumentError::Storage(storage) if storage.is_full_or_read_only() => {
            tracing::error!(error = ?storage, "document refused: the store takes no files (full or read-only)");
            let mut response = answer(
                StatusCode::SERVICE_UNAVAILABLE,
                json!({ "error": "Der Dokumentspeicher nimmt gerade keine Dateien an (voll oder schreibgeschützt). Es wurde nichts gespeichert; bitte senden Sie das Dokument später noch einmal." }),
            );
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("60"));
            response
        }
        DocumentError::NotFound | DocumentError::Storage(_) | DocumentError::Database(_) | DocumentError::Mail(_) => {
            // An unexpected failure (500 with a correlation id), or a database that does not answer (503).
            let error = crate::error::AppError::internal(error);
            let mut response = answer(error.status(), json!({ "error": error.to_string() }));
            if let Some(seconds) = error.retry_after() {
                response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(seconds));
            }
            response
        }
    }
}

/// A body that is no `multipart/form-data` (or has no boundary), in German.
fn not_multipart() -> Response {
    answer(StatusCode::BAD_REQUEST, json!({ "error": "Die Anfrage ist kein lesbares multipart/form-data." }))
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
    file: Option<StagedFile>,
}

/// Reads the multipart body piece by piece: the file goes to a staged file
/// on disk as it arrives, text fields are cut off past their limit. A body
/// over the route's limit ends the read with 413 (the limit layer answers a
/// too large `Content-Length` before).
async fn read_fields(mut multipart: Multipart, upload_dir: &std::path::Path, max_bytes: usize) -> Result<Fields, Response> {
    let too_large = || refused(&DocumentError::TooLarge { max_mb: max_bytes / (1024 * 1024) });
    let unreadable = |error: axum::extract::multipart::MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            not_multipart()
        }
    };
    let mut fields = Fields::default();
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let staging = |error: std::io::Error| refused(&DocumentError::Storage(StorageError::Staging(error)));
            let mut stager = Stager::new(upload_dir, max_bytes as u64);
            while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                match stager.write(&chunk).await {
                    Ok(()) => {}
                    Err(StageError::TooLarge) => return Err(too_large()),
                    Err(StageError::Io(error)) => return Err(staging(error)),
                }
            }
            fields.file = Some(stager.finish().await.map_err(staging)?);
            continue;
        }
        let (field_name, slot): (&'static str, _) = match name.as_str() {
            "customer" => ("customer", &mut fields.customer),
            "number" => ("number", &mut fields.number),
            "type" => ("type", &mut fields.type_key),
            "created" => ("created", &mut fields.created),
            "provided" => ("provided", &mut fields.provided),
            _ => continue,
        };
        let mut value = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            value.extend_from_slice(&chunk);
            if value.len() > FIELD_MAX_BYTES {
                break;
            }
        }
        let text = std::str::from_utf8(&value).ok().filter(|_| value.len() <= FIELD_MAX_BYTES);
        let Some(text) = text else {
            let message = format!("Das Feld »{field_name}« ist zu lang oder kein UTF-8.");
            return Err(refused(&DocumentError::Invalid { field: field_name, message }));
        };
        *slot = Some(text.to_owned());
    }
    Ok(fields)
}

/// Too many uploads at once: this one is not read, and the sender tries again later.
fn busy() -> Response {
    let mut response = answer(
        StatusCode::SERVICE_UNAVAILABLE,
        json!({ "error": "Es werden gerade zu viele Dokumente auf einmal angenommen. Bitte senden Sie dieses Dokument etwas später noch einmal." }),
    );
    let headers = response.headers_mut();
    headers.insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("5"));
    // Its body stays unread: the connection ends with this answer, and the client knows.
    headers.insert(axum::http::header::CONNECTION, axum::http::HeaderValue::from_static("close"));
    response
}

/// A request body that hands its pieces over one at a time. multer (behind
/// axum's `Multipart`) takes in whatever the body has ready before it gives
/// out a piece of a field, so a client faster than the disk would put the
/// whole upload into memory; a pause after each piece stops it there.
struct OnePieceAtATime<S> {
    pieces: S,
    just_gave_one: bool,
}

impl<S: futures_util::Stream + Unpin> futures_util::Stream for OnePieceAtATime<S> {
    type Item = S::Item;

    fn poll_next(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<S::Item>> {
        if std::mem::take(&mut self.just_gave_one) {
            cx.waker().wake_by_ref();
            return std::task::Poll::Pending;
        }
        let piece = std::task::ready!(std::pin::Pin::new(&mut self.pieces).poll_next(cx));
        self.just_gave_one = piece.is_some();
        std::task::Poll::Ready(piece)
    }
}

/// The multipart fields of a delivery.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct IngestForm {
    /// The customer number.
    customer: String,
    /// The document's number in the billing system.
    number: String,
    /// A document type's key (`rechnung`, …).
    #[schema(rename = "type")]
    kind: String,
    /// The document's own date, `2026-01-31` or `31.01.2026`.
    created: String,
    /// When it is provided to the customer (RFC 3339); default now.
    provided: Option<String>,
    /// The PDF (ZUGFeRD / Factur-X recognised) or an invoice XML (XRechnung, CII or UBL).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// A delivery's answer.
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct IngestAnswer {
    /// The document's id.
    id: i64,
    /// An e-invoice's key fields as read (`null` for an ordinary PDF), as the app's API gives them.
    einvoice: Option<ApiEInvoice>,
    /// What the billing system should look at, in German: an invoice date other than
    /// `created`, an embedded invoice XML that could not be read (the PDF is provided as it is).
    warnings: Vec<String>,
}

#[utoipa::path(
    post, path = "/api/v1/documents", tag = "Delivery", operation_id = "deliverDocument",
    summary = "The billing system delivers a document (operator API key)",
    description = "A retry with the same customer, number, type and bytes is safe (200 with the same id).",
    request_body(content = IngestForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Provided", body = IngestAnswer),
        (status = 200, description = "The same document was there already", body = IngestAnswer),
        (status = 401, description = "No working API key"),
        (status = 404, description = "Unknown customer"),
        (status = 409, description = "The same number and type with other bytes"),
        (status = 413, description = "Too large"),
        (status = 415, description = "Neither a PDF nor XML"),
        (status = 422, description = "A field is refused; `field` names it (`number`: the e-invoice names another number; `file`: no readable e-invoice)"),
        (status = 503, description = "Busy or the store takes no files; see `Retry-After`"),
    ),
    security(("api_key" = []))
)]
pub async fn ingest_document(State(state): State<AppState>, request: axum::extract::Request) -> Response {
    use axum::extract::FromRequest;
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    // The key is checked before a byte of the body is read.
    let key = match api_keys::authenticate(&state.pool, headers, state.clock.now()).await {
        Ok(Some(key)) => key,
        Ok(None) => {
            tracing::info!("document ingest refused: no working API key");
            let mut response = answer(StatusCode::UNAUTHORIZED, json!({ "error": "Ein gültiger API-Schlüssel fehlt (Authorization: Bearer …)." }));
            // Into the audit log with the caller's address, like every refused request.
            response.extensions_mut().insert(crate::error::Refused(crate::error::AppError::NotSignedIn));
            return response;
        }
        Err(error) => return refused(&DocumentError::Database(error)),
    };
    let paced = axum::body::Body::from_stream(OnePieceAtATime { pieces: body.into_data_stream(), just_gave_one: false });
    let Ok(multipart) = Multipart::from_request(axum::extract::Request::from_parts(parts, paced), &state).await else {
        return not_multipart();
    };
    // At most so many uploads are read at once, and so many more wait for a
    // turn without a byte of theirs read; past that the answer is 503.
    let Ok(_in_line) = state.ingest_line.clone().try_acquire_owned() else {
        tracing::warn!("document ingest refused: too many uploads at once");
        return busy();
    };
    let Ok(_reading) = state.ingest_slots.acquire().await else { return busy() };
    let fields = match read_fields(multipart, &state.config.upload_dir(), state.config.documents.max_bytes).await {
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
    match ingest_staged(&state, &Ingester::ApiKey(key), new, file).await {
        Ok(report) => {
            let status = if matches!(report.outcome, Ingested::Created(_)) { StatusCode::CREATED } else { StatusCode::OK };
            answer(status, ingest_answer(&report))
        }
        Err(error) => refused(&error),
    }
}

/// `{"id": 42}`, for an e-invoice with its key fields as read, and the
/// warnings (`[]` when there are none).
fn ingest_answer(report: &IngestReport) -> serde_json::Value {
    json!({
        "id": report.id(),
        "einvoice": report.einvoice.as_ref().map(ApiEInvoice::of),
        "warnings": report.warnings(),
    })
}
