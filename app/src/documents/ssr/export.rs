//! "Alle herunterladen (ZIP)": the documents of the list's current filter
//! (all pages) as one ZIP with the PDFs and an `index.csv` (semicolons,
//! UTF-8 with BOM, so that Excel opens it). Entries are stored, not
//! compressed (PDFs are compressed already), so the archive's size is known
//! before the first byte: the answer has a `Content-Length` and the browser
//! shows real progress. The archive is streamed, never held in memory.

use super::list::{export_rows, ExportRow};
use super::pdf::file_name;
use super::CustomerScope;
use crate::auth::ssr::SignedIn;
use crate::documents::{export_too_many_message, ListQuery};
use crate::domain::Refusal;
use crate::error::{AppError, Caller, Valid};
use crate::i18n::Lang;
use crate::server::audit::{self, Actor, AuditDetail, AuditEntry};
use crate::server::csv::cell;
use crate::server::dates::{date_in, day_in};
use crate::server::limits::client_address;
use crate::server::state::AppState;
use crate::server::storage::ContentHash;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use futures_util::StreamExt;
use std::collections::HashMap;

/// The ZIP format without its 64-bit extension counts in 32 bits: an
/// export must stay below 4 GiB.
const ZIP_MAX_BYTES: usize = u32::MAX as usize;

/// The index: one line per document, the file name as in the ZIP; its
/// header in `lang`.
pub fn index_csv(rows: &[ExportRow], names: &[String], tz: &jiff::tz::TimeZone, lang: Lang) -> String {
    let mut csv = format!("\u{feff}{}\r\n", crate::t!(lang, "documents-export-index-header"));
    for (row, name) in rows.iter().zip(names) {
        let line = [cell(&row.number), cell(&row.type_name), day_in(lang, &row.created_on), date_in(lang, row.provided_at, tz), cell(name)]
            .join(";");
        csv.push_str(&line);
        csv.push_str("\r\n");
    }
    csv
}

/// The archive's entry names: each document's file name, made unique within
/// the archive where case does not count (Windows and macOS would otherwise
/// put one file over another): `Rechnung_RE_1.pdf`, `Rechnung_RE_1 (2).pdf`.
pub fn entry_names(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut taken = std::collections::HashSet::from(["index.csv".to_owned()]);
    names
        .into_iter()
        .map(|name| {
            let (stem, extension) = name.rsplit_once('.').unwrap_or((name.as_str(), ""));
            let unique = (1..)
                .map(|n| if n == 1 { name.clone() } else { format!("{stem} ({n}).{extension}") })
                .find(|candidate| taken.insert(candidate.to_lowercase()))
                .expect("some number is free");
            unique
        })
        .collect()
}

pub async fn export_zip(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Valid(Query(params)): Valid<Query<HashMap<String, String>>>,
    request: axum::extract::Request,
) -> Response {
    let (parts, _) = request.into_parts();
    let caller = Caller::of(parts.uri.path());
    let lang = Lang::of_request(&parts);
    let query = ListQuery::from_params(|name| params.get(name).cloned());
    let limit = state.config.documents.export_max_documents;
    let scope = CustomerScope::of(&user);
    let rows = match export_rows(&state, scope, &query, limit, lang).await {
        Ok(rows) => rows,
        Err(error) => return AppError::from(error).respond(caller),
    };
    if rows.len() > limit as usize {
        return AppError::refused(Refusal::Other(export_too_many_message(lang, limit))).respond(caller);
    }
    let names = entry_names(rows.iter().map(|row| file_name(&row.type_name, &row.number).0));
    let index = index_csv(&rows, &names, &state.config.time_zone, lang);
    let mut entries: Vec<(&str, usize)> = vec![("index.csv", index.len())];
    entries.extend(names.iter().map(String::as_str).zip(rows.iter().map(|row| row.size_bytes as usize)));
    let size = zipit::archive_size(entries);
    if size >= ZIP_MAX_BYTES {
        return AppError::refused(Refusal::Other(crate::t!(lang, "documents-export-too-large"))).respond(caller);
    }

    let entry = AuditEntry {
        actor: Actor::User(user.user_id),
        customer_id: Some(user.customer_id),
        action: "documents_exported",
        detail: AuditDetail::DocumentsExported { count: rows.len() as u64 },
        ip: client_address(&parts, &state.config).map(|ip| ip.to_string()),
    };
    if let Err(error) = audit::record_alone(&state.pool, entry, state.clock.now()).await {
        return AppError::from(error).respond(caller);
    }

    // The archive is written into one end of a pipe while the answer reads the other.
    let (writer, reader) = tokio::io::duplex(256 * 1024);
    let store = state.documents.clone();
    tokio::spawn(async move {
        let mut archive = zipit::Archive::new(writer);
        let result: Result<(), std::io::Error> = async {
            archive.append("index.csv".to_owned(), zipit::FileDateTime::Zero, &mut index.as_bytes()).await?;
            for (row, name) in rows.iter().zip(names) {
                let hash = ContentHash::parse(&row.sha256).ok_or_else(|| std::io::Error::other("bad hash"))?;
                let stream = store.read(&hash, None).await.map_err(std::io::Error::other)?;
                let mut file = tokio_util::io::StreamReader::new(stream.map(|chunk| chunk.map_err(std::io::Error::other)));
                archive.append(name, zipit::FileDateTime::Zero, &mut file).await?;
            }
            archive.finalize().await?;
            Ok(())
        }
        .await;
        if let Err(error) = result {
            // The browser sees a cut download (fewer bytes than announced), never a broken file silently.
            tracing::error!(%error, "ZIP export broken off");
        }
    });

    let mut response = Response::new(Body::from_stream(tokio_util::io::ReaderStream::new(reader)));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    let stamp = crate::server::dates::timestamp(state.clock.now())
        .map(|t| t.to_zoned(state.config.time_zone.clone()).strftime("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let file_name = crate::t!(lang, "documents-export-file-name", date = stamp.as_str());
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names_are_unique_where_case_does_not_count() {
        let names = entry_names(["Rechnung_RE_1.pdf", "Rechnung_re_1.pdf", "Rechnung_RE_1.pdf", "Rechnung_RE_1 (2).pdf"].map(String::from));
        assert_eq!(names, ["Rechnung_RE_1.pdf", "Rechnung_re_1 (2).pdf", "Rechnung_RE_1 (3).pdf", "Rechnung_RE_1 (2) (2).pdf"]);
    }

    #[test]
    fn csv_cells_are_quoted_and_formulas_disarmed() {
        assert_eq!(cell("-5"), "'-5");
        assert_eq!(cell("RE-1"), "RE-1");
        assert_eq!(cell("Rechnung"), "Rechnung");
        assert_eq!(cell("A;B"), "\"A;B\"");
        assert_eq!(cell("=SUMME(A1)"), "'=SUMME(A1)");
        assert_eq!(cell("Sag \"hallo\""), "\"Sag \"\"hallo\"\"\"");
    }
}
