//! `GET /dokumente/{id}/pdf` ("Ansehen", inline) and `?download=1`
//! ("Herunterladen", as `{Typ}_{Nummer}.pdf`). The session decides the
//! customer; another customer's document, one past its time and one that
//! never existed get the same 404. Range requests are answered, so the
//! browser's viewer can show the first page of a large PDF at once.

use crate::server::db;
use super::{CustomerScope, FileKind};
use crate::auth::ssr::SignedIn;
use crate::error::{AppError, Caller, Valid};
use crate::i18n::Lang;
use crate::server::audit::{self, Actor, AuditDetail, AuditEntry};
use crate::server::state::AppState;
use crate::server::storage::ContentHash;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use crate::server::limits::client_address;

#[derive(Debug, serde::Deserialize)]
pub struct PdfQuery {
    #[serde(default)]
    download: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(super) struct Visible {
    id: i64,
    pub(super) number: String,
    pub(super) type_name: String,
    sha256: String,
    size_bytes: i64,
    pub(super) file_kind: String,
    pub(super) xml_sha256: Option<String>,
    xml_size_bytes: Option<i64>,
}

/// A document of `scope` that is still listed, or `None` — whatever the
/// reason; its type's name (for the file name) as a page in `lang` shows it,
/// and its e-invoice's XML if it has one (the readable page reads it too).
pub(super) async fn visible_document(state: &AppState, scope: CustomerScope, id: i64, lang: Lang) -> Result<Option<Visible>, sqlx::Error> {
    let sql = format!(
        "SELECT d.id, d.number, {} AS type_name, d.sha256, d.size_bytes, d.file_kind, e.xml_sha256, e.xml_size_bytes FROM documents d \
         JOIN document_types t ON t.key = d.type_key LEFT JOIN einvoices e ON e.document_id = d.id \
         WHERE d.id = $1 AND d.customer_id = $2 AND d.hidden_from > $3",
        super::types::name_column(lang),
    );
    db::query_as(&sql).bind(id).bind(scope.customer_id()).bind(state.clock.now()).fetch_optional(&state.pool).await
}

/// Which of a document's files a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFile {
    /// Its own file: the PDF, or a bare invoice XML.
    Own,
    /// Its invoice XML (an e-invoice's; for a bare XML its own file).
    InvoiceXml,
}

/// Characters no file name may hold on Windows (and `/` nowhere).
const FORBIDDEN_IN_FILE_NAMES: &str = "/\\:*?\"<>|";
/// Room for a `" (12)"` and the extension within any file system's 255 bytes.
const FILE_STEM_MAX_BYTES: usize = 200;

/// `Rechnung_RE-2026-0001.pdf` — the name a document's file gets wherever it
/// leaves the portal (download, mail attachment, ZIP entry) — and an
/// ASCII-only form of it for old clients. The operator's type name and the
/// number may hold anything, so the name is made flat and safe on Windows,
/// macOS and Linux: separators, characters Windows forbids, control
/// characters and spaces become `_`; no leading dot (a hidden file) and no
/// trailing dot (Windows drops it).
pub fn file_name(type_name: &str, number: &str) -> (String, String) {
    file_name_as(type_name, number, "pdf")
}

/// [`file_name`] with another extension: `Rechnung_RE-2026-0001.xml`.
pub fn file_name_as(type_name: &str, number: &str, extension: &str) -> (String, String) {
    let raw = format!("{type_name}_{number}");
    let safe: String =
        raw.chars().map(|c| if c.is_control() || c.is_whitespace() || FORBIDDEN_IN_FILE_NAMES.contains(c) { '_' } else { c }).collect();
    let mut stem = safe.trim_start_matches('.').trim_end_matches('.').to_owned();
    if stem.len() > FILE_STEM_MAX_BYTES {
        let cut = (0..=FILE_STEM_MAX_BYTES).rev().find(|&at| stem.is_char_boundary(at)).unwrap_or(0);
        stem.truncate(cut);
    }
    if stem.is_empty() {
        stem.push_str("Dokument");
    }
    let name = format!("{stem}.{extension}");
    let ascii = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    (name, ascii)
}

/// `inline` or `attachment` with both name forms (RFC 6266 / RFC 5987).
pub fn content_disposition(kind: &str, type_name: &str, number: &str, extension: &str) -> HeaderValue {
    let (name, ascii) = file_name_as(type_name, number, extension);
    let encoded: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>().replace('+', "%20");
    HeaderValue::from_str(&format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment; filename=\"dokument.pdf\""))
}

/// One satisfiable range of a `Range` header; several ranges are answered
/// with the whole file (allowed, and no viewer needs more).
enum Wanted {
    Whole,
    Part(std::ops::RangeInclusive<u64>),
    Unsatisfiable,
}

fn wanted(headers: &HeaderMap, size: u64) -> Wanted {
    let Some(raw) = headers.get(header::RANGE).and_then(|value| value.to_str().ok()) else { return Wanted::Whole };
    match http_range_header::parse_range_header(raw).map(|parsed| parsed.validate(size)) {
        Ok(Ok(ranges)) if ranges.len() == 1 => Wanted::Part(ranges[0].clone()),
        Ok(Ok(_)) => Wanted::Whole,
        Ok(Err(_)) => Wanted::Unsatisfiable,
        // A header we cannot parse is ignored, as RFC 9110 allows.
        Err(_) => Wanted::Whole,
    }
}

pub async fn document_pdf(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Valid(Path(id)): Valid<Path<String>>,
    Valid(Query(query)): Valid<Query<PdfQuery>>,
    request: axum::extract::Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let caller = Caller::of(parts.uri.path());
    let download = query.download.is_some_and(|value| value == "1");
    serve_file(&state, &user, &id, DocumentFile::Own, download, &parts, |error| error.respond(caller)).await
}

/// `GET /dokumente/{id}/xml`: an e-invoice's XML, always as a download
/// (`{Typ}_{Nummer}.xml`); a document without one is a 404 like a missing one.
pub async fn document_xml(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Valid(Path(id)): Valid<Path<String>>,
    request: axum::extract::Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let caller = Caller::of(parts.uri.path());
    serve_file(&state, &user, &id, DocumentFile::InvoiceXml, true, &parts, |error| error.respond(caller)).await
}

/// Document `id`'s `file` for `user` (ranges, the read mark and the audit),
/// or `refuse(NotFound)` alike for another customer's, a purged and a
/// missing id, and for the invoice XML of a document without one. The
/// page's routes and the app's API answer through it. An XML always goes
/// as a download: shown inline, a browser would run what it may hold.
pub async fn serve_file(
    state: &AppState,
    user: &crate::auth::ssr::SessionUser,
    id: &str,
    file: DocumentFile,
    download: bool,
    parts: &http::request::Parts,
    refuse: impl Fn(AppError) -> Response,
) -> Response {
    let not_found = || refuse(AppError::NotFound);
    let Ok(id) = id.parse::<i64>() else { return not_found() };
    let scope = CustomerScope::of(user);
    // The file's name is in it.
    let lang = Lang::of_request(parts);
    let document = match visible_document(state, scope, id, lang).await {
        Ok(Some(document)) => document,
        Ok(None) => return not_found(),
        Err(error) => return refuse(AppError::from(error)),
    };
    let kind = FileKind::from_column(&document.file_kind);
    let (sha256, size, kind) = match (file, kind) {
        (DocumentFile::Own, kind) | (DocumentFile::InvoiceXml, kind @ FileKind::Xml) => (document.sha256.as_str(), document.size_bytes, kind),
        (DocumentFile::InvoiceXml, FileKind::Pdf) => match (&document.xml_sha256, document.xml_size_bytes) {
            (Some(sha256), Some(size)) => (sha256.as_str(), size, FileKind::Xml),
            _ => return not_found(),
        },
    };
    let Some(hash) = ContentHash::parse(sha256) else { return not_found() };
    let size = size as u64;
    let download = download || kind == FileKind::Xml;

    let range = wanted(&parts.headers, size);
    let (status, range) = match range {
        Wanted::Whole => (StatusCode::OK, None),
        Wanted::Part(part) => (StatusCode::PARTIAL_CONTENT, Some(part)),
        Wanted::Unsatisfiable => {
            return (StatusCode::RANGE_NOT_SATISFIABLE, [(header::CONTENT_RANGE, format!("bytes */{size}"))]).into_response()
        }
    };
    let stream = match state.documents.read(&hash, range.clone().map(|r| *r.start()..*r.end() + 1)).await {
        Ok(stream) => stream,
        Err(error) => {
            // A row whose file is gone: the same 404 for the user, the cause for the operator.
            tracing::error!(document_id = id, %error, "document file cannot be read");
            return not_found();
        }
    };

    // Opening counts once per view: not for every further range a viewer fetches.
    let first_request = range.as_ref().is_none_or(|r| *r.start() == 0);
    if first_request {
        if let Err(error) = record_opened(state, user, document.id, download, client_address(parts, &state.config).map(|ip| ip.to_string())).await {
            tracing::error!(document_id = id, %error, "document download not recorded");
        }
    }

    let length = range.as_ref().map_or(size, |r| r.end() - r.start() + 1);
    let disposition = if download { "attachment" } else { "inline" };
    let mut response = Response::new(Body::from_stream(stream.map(|chunk| chunk.map_err(std::io::Error::other))));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind.content_type()));
    headers.insert(header::CONTENT_DISPOSITION, content_disposition(disposition, &document.type_name, &document.number, kind.extension()));
    if kind == FileKind::Xml {
        // Should a browser show it after all, it runs nothing and loads nothing.
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'"));
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Some(range) = range {
        if let Ok(value) = HeaderValue::from_str(&format!("bytes {}-{}/{size}", range.start(), range.end())) {
            headers.insert(header::CONTENT_RANGE, value);
        }
    }
    response
}

/// The document is no longer new for this user, and the audit log says who
/// opened or downloaded it.
pub(super) async fn record_opened(
    state: &AppState,
    user: &crate::auth::ssr::SessionUser,
    document_id: i64,
    download: bool,
    ip: Option<String>,
) -> Result<(), sqlx::Error> {
    let now = state.clock.now();
    let mut tx = crate::server::db::begin(&state.pool).await?;
    db::query("INSERT INTO document_reads (user_id, document_id, read_at) VALUES ($1, $2, $3) ON CONFLICT (user_id, document_id) DO NOTHING")
        .bind(user.user_id)
        .bind(document_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let action = if download { "document_downloaded" } else { "document_viewed" };
    audit::record(
        &mut tx,
        AuditEntry { actor: Actor::User(user.user_id), customer_id: Some(user.customer_id), action, detail: AuditDetail::Document { id: document_id }, ip },
        now,
    )
    .await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_have_a_utf8_and_an_ascii_form() {
        assert_eq!(file_name("Rechnung", "RE-2026-0001"), ("Rechnung_RE-2026-0001.pdf".into(), "Rechnung_RE-2026-0001.pdf".into()));
        let header = content_disposition("attachment", "Abschläge", "A 1", "pdf");
        assert_eq!(header.to_str().unwrap(), "attachment; filename=\"Abschl_ge_A_1.pdf\"; filename*=UTF-8''Abschl%C3%A4ge_A_1.pdf");
    }

    #[test]
    fn file_names_are_flat_and_safe_whatever_the_type_is_called() {
        assert_eq!(file_name("Storno/Rechnung", "1").0, "Storno_Rechnung_1.pdf");
        assert_eq!(file_name("..\\..\\Windows", "2").0, "_.._Windows_2.pdf");
        assert_eq!(file_name("Was? \"Wer\"*:<>|", "3").0, "Was___Wer_______3.pdf");
        assert_eq!(file_name(".versteckt", "..").0, "versteckt_.pdf");
        assert_eq!(file_name("Zeile\nUmbruch", "4").0, "Zeile_Umbruch_4.pdf");
        let long = file_name(&"ä".repeat(60), &"1".repeat(64)).0;
        assert!(long.len() <= FILE_STEM_MAX_BYTES + 4 && long.ends_with(".pdf"), "{long}");
    }
}
