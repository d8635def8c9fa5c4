//! "Alle herunterladen (ZIP)": the documents of the list's current filter
//! (all pages) as one ZIP with their files and an `index.csv` (semicolons,
//! UTF-8 with BOM, so that Excel opens it). An e-invoice's XML lies beside
//! its PDF under the PDF's name with `.xml`; a bare invoice XML is the
//! document's own file. Entries are stored, not compressed (PDFs are
//! compressed already), so the archive's size is known before the first
//! byte: the answer has a `Content-Length` and the browser shows real
//! progress. The archive is streamed, never held in memory.

use super::list::{export_rows, ExportRow};
use super::pdf::file_name_as;
use super::{CustomerScope, FileKind};
use crate::auth::ssr::SignedIn;
use crate::documents::einvoice::Amount;
use crate::documents::{export_too_many_message, ListQuery};
use crate::domain::Refusal;
use crate::error::{AppError, Caller, Valid};
use crate::i18n::Lang;
use crate::server::audit::{self, Actor, AuditDetail, AuditEntry};
use crate::server::csv::cell;
use crate::server::dates::{date_in, day_in};
use crate::server::limits::client_address;
use crate::server::state::AppState;
use crate::server::storage::{ContentHash, DocumentStore};
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use futures_util::StreamExt;
use std::collections::HashMap;

/// The ZIP format without its 64-bit extension counts in 32 bits: an
/// export must stay below 4 GiB.
const ZIP_MAX_BYTES: usize = u32::MAX as usize;

impl ExportRow {
    fn kind(&self) -> FileKind {
        FileKind::from_column(&self.file_kind)
    }

    /// The e-invoice's XML as a file of its own beside the document's PDF:
    /// its hash and size. A bare invoice XML has none (it is the document's file).
    fn xml_beside(&self) -> Option<(String, i64)> {
        let einvoice = self.einvoice.stored().filter(|_| self.kind() == FileKind::Pdf)?;
        Some((einvoice.xml_sha256, einvoice.xml_size_bytes))
    }
}

/// A document's entries in the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryNames {
    /// The document's own file: its PDF, or a bare invoice XML.
    pub file: String,
    /// An e-invoice's XML beside its PDF.
    pub xml: Option<String>,
}

impl EntryNames {
    /// The entry that holds the document's invoice XML, if it has one.
    fn invoice_xml<'a>(&'a self, row: &ExportRow) -> Option<&'a str> {
        match row.kind() {
            FileKind::Xml => Some(&self.file),
            FileKind::Pdf => self.xml.as_deref(),
        }
    }
}

/// An amount as a number in `lang`, with its decimal separator and no
/// grouping or currency, so that a spreadsheet in that language reads it
/// as a number: `1234,50`, `1234.50`. A parsed decimal holds nothing a
/// spreadsheet could take for a formula (a leading `-` is a minus here);
/// anything else is written as text, disarmed.
fn decimal_in(lang: Lang, amount: &str) -> String {
    let Ok(parsed) = amount.parse::<Amount>() else { return cell(amount) };
    let canonical = parsed.to_string();
    let (whole, fraction) = canonical.split_once('.').unwrap_or((canonical.as_str(), ""));
    let separator = match lang {
        Lang::De => ',',
        Lang::En => '.',
    };
    // At least the cents, as the invoice's currency counts them.
    format!("{whole}{separator}{fraction:0<2}")
}

/// The index: one line per document, its file names as in the ZIP and an
/// e-invoice's key fields (empty cells for a plain PDF); its header in `lang`.
pub fn index_csv(rows: &[ExportRow], names: &[EntryNames], tz: &jiff::tz::TimeZone, lang: Lang) -> String {
    let mut csv = format!("\u{feff}{}\r\n", crate::t!(lang, "documents-export-index-header"));
    for (row, entry) in rows.iter().zip(names) {
        let mut cells = vec![cell(&row.number), cell(&row.type_name), day_in(lang, &row.created_on), date_in(lang, row.provided_at, tz), cell(&entry.file)];
        match row.einvoice.stored() {
            Some(einvoice) => cells.extend([
                cell(&einvoice.profile_label()),
                day_in(lang, &einvoice.issue_date),
                einvoice.due_date.as_deref().map(|day| day_in(lang, day)).unwrap_or_default(),
                einvoice.amount().map(|amount| decimal_in(lang, amount)).unwrap_or_default(),
                cell(&einvoice.currency),
                cell(entry.invoice_xml(row).unwrap_or_default()),
            ]),
            None => cells.extend(std::iter::repeat_n(String::new(), 6)),
        }
        csv.push_str(&cells.join(";"));
        csv.push_str("\r\n");
    }
    csv
}

/// The archive's entry names: each document's file names (one stem, an
/// extension each), made unique within the archive where case does not
/// count (Windows and macOS would otherwise put one file over another):
/// `Rechnung_RE_1.pdf`, `Rechnung_RE_1 (2).pdf`. A document's files keep
/// their common stem, so an XML stays recognisable beside its PDF:
/// `Rechnung_RE_1 (2).pdf` and `Rechnung_RE_1 (2).xml`.
pub fn entry_names(documents: impl IntoIterator<Item = Vec<String>>) -> Vec<Vec<String>> {
    let mut taken = std::collections::HashSet::from(["index.csv".to_owned()]);
    documents
        .into_iter()
        .map(|names| {
            let numbered = |n: u32| -> Vec<String> {
                names
                    .iter()
                    .map(|name| {
                        let (stem, extension) = name.rsplit_once('.').unwrap_or((name.as_str(), ""));
                        if n == 1 { name.clone() } else { format!("{stem} ({n}).{extension}") }
                    })
                    .collect()
            };
            let unique = (1..)
                .map(numbered)
                .find(|candidates| {
                    let folded: std::collections::HashSet<String> = candidates.iter().map(|name| name.to_lowercase()).collect();
                    folded.len() == candidates.len() && folded.is_disjoint(&taken)
                })
                .expect("some number is free");
            taken.extend(unique.iter().map(|name| name.to_lowercase()));
            unique
        })
        .collect()
}

/// Each document's entry names: its own file as `{Typ}_{Nummer}.pdf` (a
/// bare invoice XML: `.xml`) and an e-invoice's XML beside its PDF.
fn document_entries(rows: &[ExportRow]) -> Vec<EntryNames> {
    let wanted = rows.iter().map(|row| {
        let own = file_name_as(&row.type_name, &row.number, row.kind().extension()).0;
        let mut names = vec![own];
        if row.xml_beside().is_some() {
            names.push(file_name_as(&row.type_name, &row.number, FileKind::Xml.extension()).0);
        }
        names
    });
    entry_names(wanted)
        .into_iter()
        .map(|mut names| {
            let xml = (names.len() > 1).then(|| names.pop()).flatten();
            EntryNames { file: names.swap_remove(0), xml }
        })
        .collect()
}

/// Appends the stored file `hash` under `name`, streamed from the store.
async fn append_stored<W>(archive: &mut zipit::Archive<W>, store: &DocumentStore, hash: &str, name: String) -> Result<(), std::io::Error>
where
    W: tokio::io::AsyncWrite + Unpin,
{
    let hash = ContentHash::parse(hash).ok_or_else(|| std::io::Error::other("bad hash"))?;
    let stream = store.read(&hash, None).await.map_err(std::io::Error::other)?;
    let mut file = tokio_util::io::StreamReader::new(stream.map(|chunk| chunk.map_err(std::io::Error::other)));
    archive.append(name, zipit::FileDateTime::Zero, &mut file).await?;
    Ok(())
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
    let names = document_entries(&rows);
    let index = index_csv(&rows, &names, &state.config.time_zone, lang);
    let mut entries: Vec<(&str, usize)> = vec![("index.csv", index.len())];
    for (row, entry) in rows.iter().zip(&names) {
        entries.push((&entry.file, row.size_bytes as usize));
        if let (Some(xml), Some((_, size))) = (&entry.xml, row.xml_beside()) {
            entries.push((xml, size as usize));
        }
    }
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
            for (row, entry) in rows.iter().zip(names) {
                append_stored(&mut archive, &store, &row.sha256, entry.file).await?;
                if let (Some(xml), Some((hash, _))) = (entry.xml, row.xml_beside()) {
                    append_stored(&mut archive, &store, &hash, xml).await?;
                }
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
        let names = entry_names(["Rechnung_RE_1.pdf", "Rechnung_re_1.pdf", "Rechnung_RE_1.pdf", "Rechnung_RE_1 (2).pdf"].map(|name| vec![name.to_owned()]));
        assert_eq!(names.concat(), ["Rechnung_RE_1.pdf", "Rechnung_re_1 (2).pdf", "Rechnung_RE_1 (3).pdf", "Rechnung_RE_1 (2) (2).pdf"]);
    }

    #[test]
    fn a_documents_files_keep_one_stem_and_index_csv_stays_free() {
        let documents = [vec!["Rechnung_RE_1.xml"], vec!["Rechnung_re_1.pdf", "Rechnung_re_1.xml"], vec!["index.csv"], vec!["Rechnung_RE_1 (2).pdf"]];
        let names = entry_names(documents.map(|names| names.into_iter().map(String::from).collect()));
        assert_eq!(
            names,
            [vec!["Rechnung_RE_1.xml"], vec!["Rechnung_re_1 (2).pdf", "Rechnung_re_1 (2).xml"], vec!["index (2).csv"], vec!["Rechnung_RE_1 (2) (2).pdf"]]
        );
    }

    #[test]
    fn amounts_are_numbers_as_the_readers_spreadsheet_reads_them() {
        assert_eq!(decimal_in(Lang::De, "1234.5"), "1234,50");
        assert_eq!(decimal_in(Lang::En, "1234.5"), "1234.50");
        assert_eq!(decimal_in(Lang::De, "-0.125"), "-0,125");
        assert_eq!(decimal_in(Lang::En, "12"), "12.00");
        assert_eq!(decimal_in(Lang::De, "=1+1"), "'=1+1");
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
