//! The Dokumente list: search, filters, sort and paging in SQL, for one
//! customer. The order by Bereitstellung (the default) pages by keyset —
//! "after this row" — so the 200th page costs what the first costs; other
//! orders page by offset.

use crate::server::db;
use super::einvoices::{self, JoinedEInvoice};
use super::{CustomerScope, DocumentError, FileKind};
use crate::documents::{Cursor, DocumentPage, DocumentRow, EInvoiceSummary, ListQuery, SortColumn};
use crate::server::dates::{date_in, day_in, start_of_day};
use crate::server::state::AppState;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use crate::domain::UnixTime;
use crate::i18n::Lang;

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    number: String,
    type_name: String,
    created_on: String,
    provided_at: UnixTime,
    hidden_from: UnixTime,
    is_new: bool,
    file_kind: String,
    #[sqlx(flatten)]
    einvoice: JoinedEInvoice,
}

impl Row {
    /// What the row shows of its e-invoice, written for a reader in `lang`.
    fn einvoice(&self, lang: Lang) -> Option<EInvoiceSummary> {
        let einvoice = self.einvoice.stored()?;
        Some(EInvoiceSummary {
            profile: einvoice.profile_label(),
            amount: einvoice.amount().map(|amount| einvoices::money_in(lang, amount, &einvoice.currency)),
            due_on: einvoice.due_date.as_deref().map(|day| day_in(lang, day)),
            bare_xml: FileKind::from_column(&self.file_kind) == FileKind::Xml,
        })
    }
}

/// `LIKE` text that matches `search` literally anywhere in a number.
fn contains_pattern(search: &str) -> String {
    let escaped: String = search.to_lowercase().chars().flat_map(|c| match c {
        '%' | '_' | '\\' => vec!['\\', c],
        c => vec![c],
    }).collect();
    format!("%{escaped}%")
}

/// The filters every query of the list shares: this customer, still
/// listed, and what the user chose.
fn push_filters(sql: &mut db::QueryBuilder<'_>, scope: CustomerScope, query: &ListQuery, now: UnixTime, tz: &TimeZone) {
    sql.push(" WHERE d.customer_id = ").push_bind(scope.customer_id());
    sql.push(" AND d.hidden_from > ").push_bind(now);
    if !query.search.is_empty() {
        sql.push(" AND lower(d.number) LIKE ").push_bind(contains_pattern(&query.search)).push(" ESCAPE '\\'");
    }
    if !query.type_key.is_empty() {
        sql.push(" AND d.type_key = ").push_bind(query.type_key.clone());
    }
    if let Ok(from) = query.from.parse::<Date>() {
        sql.push(" AND d.provided_at >= ").push_bind(start_of_day(from, tz));
    }
    if let Some(next) = query.to.parse::<Date>().ok().and_then(|day| day.tomorrow().ok()) {
        sql.push(" AND d.provided_at < ").push_bind(start_of_day(next, tz));
    }
    if query.einvoices_only {
        sql.push(" AND EXISTS (SELECT 1 FROM einvoices e2 WHERE e2.document_id = d.id)");
    }
}

/// The column to sort by; types by the name the page shows in `lang`.
fn order_column(column: SortColumn, lang: Lang) -> &'static str {
    match column {
        SortColumn::Number => "d.number",
        SortColumn::Created => "d.created_on",
        SortColumn::Type => super::types::name_column(lang),
        SortColumn::Provided => "d.provided_at",
        SortColumn::VisibleUntil => "d.hidden_from",
    }
}

/// One page of the list, its type names as a page in `lang` shows them.
pub async fn list(state: &AppState, scope: CustomerScope, user_id: i64, query: &ListQuery, lang: Lang) -> Result<DocumentPage, DocumentError> {
    let now = state.clock.now();
    let tz = &state.config.time_zone;
    let per_page = i64::from(query.per_page);

    let mut count = db::QueryBuilder::new("SELECT COUNT(*) FROM documents d");
    push_filters(&mut count, scope, query, now, tz);
    let total: i64 = count.build_query_scalar().fetch_one(&state.pool).await?;
    let pages = u32::try_from((total + per_page - 1) / per_page).unwrap_or(u32::MAX).max(1);

    let mut sql = select_rows(user_id, lang);
    push_filters(&mut sql, scope, query, now, tz);

    // Keyset: rows after (or before) the cursor in the list's order. Going
    // back reads the rows before the cursor in reverse, then turns them.
    let keyset = query.uses_keyset() && (query.after.is_some() || query.before.is_some() || query.page == 1);
    let backwards = keyset && query.after.is_none() && query.before.is_some();
    let descending = query.descending != backwards;
    let (direction, comparison) = if descending { ("DESC", "<") } else { ("ASC", ">") };
    if keyset {
        if let Some(Cursor { provided_at, id }) = query.after.or(query.before) {
            // A row-value comparison (SQLite and PostgreSQL alike): the index
            // (customer_id, provided_at, id) is entered right at the cursor.
            sql.push(format!(" AND (d.provided_at, d.id) {comparison} (")).push_bind(provided_at);
            sql.push(", ").push_bind(id).push(")");
        }
    }
    sql.push(format!(" ORDER BY {} {direction}, d.id {direction} LIMIT ", order_column(query.sort, lang))).push_bind(per_page + 1);
    if !keyset {
        sql.push(" OFFSET ").push_bind(i64::from(query.page - 1) * per_page);
    }
    let mut rows: Vec<Row> = sql.build_query_as().fetch_all(&state.pool).await?;
    let more_in_reading_order = rows.len() as i64 > per_page;
    rows.truncate(per_page as usize);
    if backwards {
        rows.reverse();
    }
    // Reading backwards, "more" are the rows before; the rows after this page exist (we came from there).
    let has_next = if backwards { true } else { more_in_reading_order };

    let rows = rows
        .into_iter()
        .map(|row| DocumentRow {
            einvoice: row.einvoice(lang),
            id: row.id,
            number: row.number,
            type_name: row.type_name,
            created_on: day_in(lang, &row.created_on),
            provided_on: date_in(lang, row.provided_at, tz),
            visible_until: date_in(lang, row.hidden_from - 1, tz),
            is_new: row.is_new,
            cursor: Cursor { provided_at: row.provided_at, id: row.id },
        })
        .collect();
    Ok(DocumentPage { rows, total, pages, has_next, export_limit: state.config.documents.export_max_documents, shows_delivery_log: false })
}

pub async fn new_count(state: &AppState, scope: CustomerScope, user_id: i64) -> Result<i64, DocumentError> {
    Ok(db::query_scalar(
        "SELECT COUNT(*) FROM documents d WHERE d.customer_id = $1 AND d.hidden_from > $2 \
         AND NOT EXISTS (SELECT 1 FROM document_reads r WHERE r.document_id = d.id AND r.user_id = $3)",
    )
    .bind(scope.customer_id())
    .bind(state.clock.now())
    .bind(user_id)
    .fetch_one(&state.pool)
    .await?)
}

impl From<DocumentError> for crate::error::AppError {
    fn from(error: DocumentError) -> Self {
        match error {
            DocumentError::NotFound => crate::error::AppError::NotFound,
            DocumentError::Invalid { message, field } => crate::error::AppError::Invalid {
                refusal: crate::domain::Refusal::Other(message),
                field: Some(field.to_owned()),
            },
            other => crate::error::AppError::internal(&other),
        }
    }
}

/// A document in an export: what the ZIP and its index need; an
/// e-invoice's key fields and XML too (all `None` for a plain PDF).
#[derive(Debug, sqlx::FromRow)]
pub struct ExportRow {
    pub number: String,
    pub type_name: String,
    pub created_on: String,
    pub provided_at: UnixTime,
    pub sha256: String,
    pub size_bytes: i64,
    /// `pdf`, or `xml` for a bare invoice XML (see [`super::FileKind`]).
    pub file_kind: String,
    #[sqlx(flatten)]
    pub einvoice: JoinedEInvoice,
}

/// Every document the list shows for `query` (all pages), in its order, up
/// to `limit + 1` rows: one more than allowed tells the caller it is too many.
/// Type names as a page in `lang` shows them.
pub async fn export_rows(state: &AppState, scope: CustomerScope, query: &ListQuery, limit: u32, lang: Lang) -> Result<Vec<ExportRow>, DocumentError> {
    let tz = &state.config.time_zone;
    let mut sql = db::QueryBuilder::new(format!(
        "SELECT d.number, {} AS type_name, d.created_on, d.provided_at, d.sha256, d.size_bytes, d.file_kind, {} \
         FROM documents d JOIN document_types t ON t.key = d.type_key LEFT JOIN einvoices e ON e.document_id = d.id",
        super::types::name_column(lang),
        einvoices::COLUMNS,
    ));
    push_filters(&mut sql, scope, query, state.clock.now(), tz);
    let direction = if query.descending { "DESC" } else { "ASC" };
    sql.push(format!(" ORDER BY {} {direction}, d.id {direction} LIMIT ", order_column(query.sort, lang))).push_bind(i64::from(limit) + 1);
    Ok(sql.build_query_as().fetch_all(&state.pool).await?)
}

/// One document as the app's API gives it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[schema(as = Document)]
pub struct ApiDocument {
    pub id: i64,
    pub number: String,
    #[serde(rename = "type")]
    pub kind: ApiDocumentType,
    /// The document's own date, `2026-01-31`.
    pub created: String,
    /// When it was provided, RFC 3339 in UTC.
    pub provided: String,
    /// The moment it leaves the list, RFC 3339 in UTC.
    pub visible_until: String,
    /// Not opened by this user yet.
    pub new: bool,
    /// The document's own file: `pdf`, or `xml` for an invoice delivered as bare XML (XRechnung).
    #[schema(example = "pdf")]
    pub file_type: String,
    /// The e-invoice's key fields, for a ZUGFeRD / Factur-X PDF or an XRechnung; `null` for a plain PDF.
    pub einvoice: Option<ApiEInvoice>,
}

/// An e-invoice's key fields as read from its XML; amounts as exact
/// decimal strings. The ingest API answers with the same shape.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[schema(as = EInvoice)]
pub struct ApiEInvoice {
    /// The profile as the standards name it: `MINIMUM`, `BASIC WL`, `BASIC`, `EN 16931`,
    /// `EXTENDED`, `XRECHNUNG`; another one by the ID the document gives.
    #[schema(example = "EN 16931")]
    pub profile: String,
    /// The XML's syntax: `cii`, `ubl_invoice` or `ubl_credit_note`.
    #[schema(example = "cii")]
    pub syntax: String,
    /// As the XML writes it: the document's `number`, which the ingest checks.
    #[schema(example = "RE-2026-0001")]
    pub invoice_number: String,
    /// UNTDID 1001: `380` invoice, `381` credit note, …
    #[schema(example = "380")]
    pub type_code: Option<String>,
    /// `2026-01-31`.
    pub issue_date: String,
    /// `2026-02-14`; `null` where the invoice names none.
    pub due_date: Option<String>,
    /// ISO 4217, `EUR`.
    pub currency: String,
    /// The total with VAT, `1190.00`.
    #[schema(example = "1190.00")]
    pub grand_total: Option<String>,
    /// What is to be paid, `1190.00`.
    #[schema(example = "1190.00")]
    pub due_payable: Option<String>,
    /// The seller's name.
    pub seller: Option<String>,
    /// Where the XML is: `/api/v1/documents/{id}/xml`.
    #[schema(example = "/api/v1/documents/42/xml")]
    pub xml: String,
}

impl ApiEInvoice {
    pub fn of(einvoice: &super::einvoices::StoredEInvoice) -> Self {
        ApiEInvoice {
            profile: einvoice.profile_label(),
            syntax: einvoice.syntax.clone(),
            invoice_number: einvoice.invoice_number.clone(),
            type_code: einvoice.type_code.clone(),
            issue_date: einvoice.issue_date.clone(),
            due_date: einvoice.due_date.clone(),
            currency: einvoice.currency.clone(),
            grand_total: einvoice.grand_total.clone(),
            due_payable: einvoice.due_payable.clone(),
            seller: einvoice.seller_name.clone(),
            xml: crate::routes::API_DOCUMENT_XML.replace("{id}", &einvoice.document_id.to_string()),
        }
    }
}

/// A document type: the key the billing system uses and its German name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[schema(as = DocumentType)]
pub struct ApiDocumentType {
    pub key: String,
    pub name: String,
}

#[derive(sqlx::FromRow)]
struct ApiRow {
    id: i64,
    number: String,
    type_key: String,
    type_name: String,
    created_on: String,
    provided_at: UnixTime,
    hidden_from: UnixTime,
    is_new: bool,
    file_kind: String,
    #[sqlx(flatten)]
    einvoice: JoinedEInvoice,
}

/// The columns of a listed document (its type's name as a page in `lang`
/// shows it), whether `user_id` has not opened it yet, and its e-invoice's
/// key fields ([`einvoices::COLUMNS`], NULL without one). The e-invoice is
/// joined by its key, one row at most: the order and the keyset stay the documents'.
fn select_rows(user_id: i64, lang: Lang) -> db::QueryBuilder<'static> {
    let mut sql = db::QueryBuilder::new(format!(
        "SELECT d.id, d.number, d.type_key, {} AS type_name, d.created_on, d.provided_at, d.hidden_from, d.file_kind, {}, \
         CASE WHEN EXISTS (SELECT 1 FROM document_reads r WHERE r.document_id = d.id AND r.user_id = ",
        super::types::name_column(lang),
        einvoices::COLUMNS,
    ));
    sql.push_bind(user_id);
    sql.push(
        ") THEN FALSE ELSE TRUE END AS is_new FROM documents d JOIN document_types t ON t.key = d.type_key \
         LEFT JOIN einvoices e ON e.document_id = d.id",
    );
    sql
}

impl From<ApiRow> for ApiDocument {
    fn from(row: ApiRow) -> Self {
        ApiDocument {
            id: row.id,
            number: row.number,
            kind: ApiDocumentType { key: row.type_key, name: row.type_name },
            created: row.created_on,
            provided: crate::server::dates::iso_instant(row.provided_at),
            visible_until: crate::server::dates::iso_instant(row.hidden_from),
            new: row.is_new,
            file_type: super::FileKind::from_column(&row.file_kind).column().to_owned(),
            einvoice: row.einvoice.stored().as_ref().map(ApiEInvoice::of),
        }
    }
}

/// The app's list: the Dokumente page's documents, filters and isolation,
/// newest first, `limit` at a time after `query.after`; with the cursor of
/// the next page when there is one.
pub async fn api_documents(
    state: &AppState,
    scope: CustomerScope,
    user_id: i64,
    query: &ListQuery,
    limit: u32,
) -> Result<(Vec<ApiDocument>, Option<Cursor>), DocumentError> {
    // The API's type names are the German ones (its `name`).
    let mut sql = select_rows(user_id, Lang::De);
    push_filters(&mut sql, scope, query, state.clock.now(), &state.config.time_zone);
    if let Some(Cursor { provided_at, id }) = query.after {
        sql.push(" AND (d.provided_at, d.id) < (").push_bind(provided_at).push(", ").push_bind(id).push(")");
    }
    sql.push(" ORDER BY d.provided_at DESC, d.id DESC LIMIT ").push_bind(i64::from(limit) + 1);
    let mut rows: Vec<ApiRow> = sql.build_query_as().fetch_all(&state.pool).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = more.then(|| rows.last().map(|row| Cursor { provided_at: row.provided_at, id: row.id })).flatten();
    Ok((rows.into_iter().map(ApiDocument::from).collect(), next))
}

/// One document of the app's list, if this customer sees it.
pub async fn api_document(state: &AppState, scope: CustomerScope, user_id: i64, id: i64) -> Result<Option<ApiDocument>, DocumentError> {
    // The API's type names are the German ones (its `name`).
    let mut sql = select_rows(user_id, Lang::De);
    push_filters(&mut sql, scope, &ListQuery::default(), state.clock.now(), &state.config.time_zone);
    sql.push(" AND d.id = ").push_bind(id);
    let row: Option<ApiRow> = sql.build_query_as().fetch_optional(&state.pool).await?;
    Ok(row.map(ApiDocument::from))
}
