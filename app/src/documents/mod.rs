//! Dokumente: the customer's invoices, credit notes and other PDFs — ingest
//! (CLI and API), storage, the list, view and download, and how long they stay.
//!
//! Every query that reads or changes documents takes a
//! [`ssr::CustomerScope`], which only a signed-in session or a checked
//! ingest caller can make: a document query without a customer cannot be
//! written.

mod components;
mod einvoice_view;
pub use components::{DocumentsPage, EInvoicePage};
pub use einvoice_view::{EInvoiceView, LineView, PartyView, TotalsView};

use crate::error::AppError;
use crate::i18n::Lang;
use crate::t;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use crate::domain::UnixTime;

#[cfg(feature = "ssr")]
pub mod ssr;
/// E-invoices recognised in what the billing system delivers (issue 25: not wired into ingest yet).
#[cfg(feature = "ssr")]
pub mod einvoice;

/// The column the list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SortColumn {
    Number,
    Created,
    Type,
    #[default]
    Provided,
    VisibleUntil,
}

impl SortColumn {
    pub const ALL: [SortColumn; 5] = [SortColumn::Number, SortColumn::Created, SortColumn::Type, SortColumn::Provided, SortColumn::VisibleUntil];

    /// The column's name in the address.
    pub fn param(self) -> &'static str {
        match self {
            SortColumn::Number => "nummer",
            SortColumn::Created => "erstellung",
            SortColumn::Type => "typ",
            SortColumn::Provided => "bereitstellung",
            SortColumn::VisibleUntil => "sichtbar",
        }
    }

    /// The column's header (and each cell's label on a phone).
    pub fn label(self, lang: Lang) -> String {
        match self {
            SortColumn::Number => t!(lang, "documents-column-number"),
            SortColumn::Created => t!(lang, "documents-column-created"),
            SortColumn::Type => t!(lang, "documents-column-type"),
            SortColumn::Provided => t!(lang, "documents-column-provided"),
            SortColumn::VisibleUntil => t!(lang, "documents-column-visible-until"),
        }
    }

    fn from_param(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|column| column.param() == value)
    }
}

/// Where a keyset page starts: after (or before) this row of the order by
/// Bereitstellung. In the address as `SECONDS.ID`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub provided_at: UnixTime,
    pub id: i64,
}

impl Cursor {
    fn parse(value: &str) -> Option<Self> {
        let (provided_at, id) = value.split_once('.')?;
        Some(Self { provided_at: UnixTime::parse(provided_at)?, id: id.parse().ok()? })
    }

    fn param(self) -> String {
        format!("{}.{}", self.provided_at, self.id)
    }
}

pub const PAGE_SIZES: [u32; 3] = [25, 50, 100];

/// Why a selection has no ZIP export: the page says it instead of the
/// button, the export route answers it.
pub fn export_too_many_message(lang: Lang, limit: u32) -> String {
    t!(lang, "documents-export-too-many", limit = limit)
}

/// Everything the list shows, as it stands in the address: search, filters,
/// sort and page. Unknown or broken values fall back to the defaults, so any
/// address shows a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListQuery {
    /// Part of a document number.
    pub search: String,
    /// A type key, or empty for all.
    pub type_key: String,
    /// Bereitstellung from / to, as YYYY-MM-DD (what `<input type=date>` sends), or empty.
    pub from: String,
    pub to: String,
    pub sort: SortColumn,
    pub descending: bool,
    pub per_page: u32,
    /// 1-based; shown as "Seite N von M".
    pub page: u32,
    /// Keyset paging (only for the order by Bereitstellung).
    pub after: Option<Cursor>,
    pub before: Option<Cursor>,
    /// "Nur E-Rechnungen" (`art=e-rechnung`). A call that does not name it
    /// (an older page, a script) lists every document.
    #[serde(default)]
    pub einvoices_only: bool,
}

impl Default for ListQuery {
    fn default() -> Self {
        Self {
            search: String::new(),
            type_key: String::new(),
            from: String::new(),
            to: String::new(),
            sort: SortColumn::Provided,
            descending: true,
            per_page: PAGE_SIZES[0],
            page: 1,
            after: None,
            before: None,
            einvoices_only: false,
        }
    }
}

/// The value of `art` that asks for e-invoices only.
pub const EINVOICES_ONLY: &str = "e-rechnung";

fn is_day(value: &str) -> bool {
    let bytes = value.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() })
}

impl ListQuery {
    /// Reads the address's query (`get` returns a parameter's value).
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        let defaults = Self::default();
        let text = |name: &str, max: usize| get(name).map(|v| v.trim().chars().take(max).collect::<String>()).unwrap_or_default();
        let sort = get("sortierung").as_deref().and_then(SortColumn::from_param).unwrap_or(defaults.sort);
        let descending = match get("richtung").as_deref() {
            Some("auf") => false,
            Some("ab") => true,
            _ => sort == SortColumn::Provided,
        };
        let day = |name: &str| Some(text(name, 10)).filter(|v| is_day(v)).unwrap_or_default();
        let type_key = text("typ", 32);
        Self {
            // Control characters cannot be part of a number (and PostgreSQL refuses NUL).
            search: text("suche", 64).chars().filter(|c| !c.is_control()).collect(),
            type_key: if type_key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_') { type_key } else { String::new() },
            from: day("von"),
            to: day("bis"),
            sort,
            descending,
            per_page: get("anzahl").and_then(|v| v.parse().ok()).filter(|n| PAGE_SIZES.contains(n)).unwrap_or(defaults.per_page),
            page: get("seite").and_then(|v| v.parse().ok()).filter(|n| (1..=1_000_000).contains(n)).unwrap_or(1),
            after: get("nach").as_deref().and_then(Cursor::parse),
            before: get("vor").as_deref().and_then(Cursor::parse),
            einvoices_only: get("art").is_some_and(|kind| kind.trim() == EINVOICES_ONLY),
        }
    }

    /// Reads an address of the list (`/dokumente?suche=…`, or its query alone).
    pub fn from_address(address: &str) -> Self {
        let query = address.split_once('?').map_or(address, |(_, query)| query);
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(name, value)| (decode(name), decode(value)))
            .collect();
        Self::from_params(|name| pairs.iter().find(|(candidate, _)| candidate == name).map(|(_, value)| value.clone()))
    }

    /// "ab" (descending) or "auf", as in the address.
    pub fn direction_param(&self) -> &'static str {
        if self.descending { "ab" } else { "auf" }
    }

    /// Keyset paging applies to the order by Bereitstellung.
    pub fn uses_keyset(&self) -> bool {
        self.sort == SortColumn::Provided
    }

    /// The address of this state (defaults left out, so addresses stay short).
    pub fn href(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        let defaults = Self::default();
        for (name, value) in [("suche", &self.search), ("typ", &self.type_key), ("von", &self.from), ("bis", &self.to)] {
            if !value.is_empty() {
                pairs.push((name, value.clone()));
            }
        }
        if self.einvoices_only {
            pairs.push(("art", EINVOICES_ONLY.into()));
        }
        if self.sort != defaults.sort || self.descending != defaults.descending {
            pairs.push(("sortierung", self.sort.param().into()));
            pairs.push(("richtung", self.direction_param().into()));
        }
        if self.per_page != defaults.per_page {
            pairs.push(("anzahl", self.per_page.to_string()));
        }
        if self.page != 1 {
            pairs.push(("seite", self.page.to_string()));
        }
        if let Some(cursor) = self.after {
            pairs.push(("nach", cursor.param()));
        }
        if let Some(cursor) = self.before {
            pairs.push(("vor", cursor.param()));
        }
        let query: Vec<String> = pairs.into_iter().map(|(name, value)| format!("{name}={}", encode(&value))).collect();
        if query.is_empty() {
            crate::routes::DOCUMENTS.to_owned()
        } else {
            format!("{}?{}", crate::routes::DOCUMENTS, query.join("&"))
        }
    }

    /// The same filters, first page, sorted by `column` (a second click turns the order).
    pub fn sorted_by(&self, column: SortColumn) -> Self {
        let descending = if self.sort == column { !self.descending } else { column == SortColumn::Provided };
        Self { sort: column, descending, page: 1, after: None, before: None, ..self.clone() }
    }

    /// The ZIP export of this state's documents (all pages).
    pub fn export_href(&self) -> String {
        let all_pages = Self { per_page: Self::default().per_page, page: 1, after: None, before: None, ..self.clone() };
        all_pages.href().replacen(crate::routes::DOCUMENTS, crate::routes::DOCUMENTS_EXPORT, 1)
    }

    pub fn with_page(&self, page: u32, after: Option<Cursor>, before: Option<Cursor>) -> Self {
        Self { page, after, before, ..self.clone() }
    }
}

/// Percent-encodes a query value (everything but unreserved characters).
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Undoes [`encode`] (and a form's `+` for a space); a broken escape stays as it is.
fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
        match bytes[i] {
            b'+' => decoded.push(b' '),
            b'%' if hex(i + 1).is_some() && hex(i + 2).is_some() => {
                decoded.push((hex(i + 1).unwrap_or(0) * 16 + hex(i + 2).unwrap_or(0)) as u8);
                i += 2;
            }
            other => decoded.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// One row of the list, with dates already in the operator's time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRow {
    pub id: i64,
    pub number: String,
    pub type_name: String,
    /// 31.01.2026
    pub created_on: String,
    pub provided_on: String,
    pub visible_until: String,
    /// Not opened by this user yet.
    pub is_new: bool,
    /// Keyset position (Bereitstellung, id).
    pub cursor: Cursor,
    /// What the row shows of the document's e-invoice, if it is one.
    #[serde(default)]
    pub einvoice: Option<EInvoiceSummary>,
}

/// An e-invoice as its row in the list shows it, written for the reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EInvoiceSummary {
    /// The profile as the standards name it: "EN 16931", "XRECHNUNG".
    pub profile: String,
    /// What is to be paid: "529,87 €", "€529.87".
    pub amount: Option<String>,
    /// The due date: "15.12.2024", "15/12/2024".
    pub due_on: Option<String>,
    /// The document's own file is the invoice XML: there is no PDF to view.
    pub bare_xml: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentTypeOption {
    pub key: String,
    pub name: String,
}

/// One page of the list and what the page needs around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentPage {
    pub rows: Vec<DocumentRow>,
    /// Documents matching the filters, on all pages.
    pub total: i64,
    pub pages: u32,
    pub has_next: bool,
    /// The most documents one ZIP export may hold.
    pub export_limit: u32,
    /// The user may see which mails went out for each document (the
    /// forwarding right).
    pub shows_delivery_log: bool,
}

impl DocumentPage {
    /// "Seite 2 von 5" (a page beyond the last counts as the last).
    pub fn position(&self, query: &ListQuery, lang: Lang) -> String {
        t!(lang, "documents-pager-position", page = query.page.min(self.pages), pages = self.pages)
    }
}

/// The signed-in user's documents for one state of the list.
#[server(endpoint = "documents/list")]
pub async fn list_documents(query: ListQuery) -> Result<DocumentPage, AppError> {
    let lang = crate::i18n::lang();
    crate::server::serve::read(crate::auth::ssr::require_user(), async |state, user| {
        let mut page = ssr::list::list(state, ssr::CustomerScope::of(&user), user.user_id, &query, lang).await?;
        page.shows_delivery_log = user.can_manage_forwardings;
        Ok(page)
    })
    .await
}

/// "1 Dokument", "32 Dokumente".
pub fn count_text(lang: Lang, total: i64) -> String {
    t!(lang, "documents-count", count = total)
}

/// One state of the list as the Dokumente page shows it, for the browser to
/// put in place of the results it shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListShown {
    /// The state's own address (defaults left out): the address bar follows it.
    pub address: String,
    /// The results (count, table, pager) as the page renders them.
    pub html: String,
    /// What a screen reader hears once they are in place: "32 Dokumente, Seite 1 von 2".
    pub summary: String,
    /// The filter form's fields for this state, by name (a link followed sets them).
    pub fields: Vec<(String, String)>,
}

impl ListShown {
    #[cfg(feature = "ssr")]
    fn of(query: ListQuery, found: DocumentPage, lang: Lang) -> Self {
        let summary = match found.total {
            0 => t!(lang, "documents-empty"),
            total => format!("{}, {}", count_text(lang, total), found.position(&query, lang)),
        };
        let fields = [
            ("suche", query.search.clone()),
            ("typ", query.type_key.clone()),
            ("von", query.from.clone()),
            ("bis", query.to.clone()),
            ("art", if query.einvoices_only { EINVOICES_ONLY.to_owned() } else { String::new() }),
            ("anzahl", query.per_page.to_string()),
            ("sortierung", query.sort.param().to_owned()),
            ("richtung", query.direction_param().to_owned()),
        ];
        Self {
            address: query.href(),
            fields: fields.into_iter().map(|(name, value)| (name.to_owned(), value)).collect(),
            summary,
            html: components::results_html(query, found, lang),
        }
    }
}

/// The list at `address` (`/dokumente?suche=…`, read as the page reads its
/// own address), rendered as the page renders it: what the page calls from
/// the browser to show another search, filter, order or page in place.
#[server(endpoint = "documents/show")]
pub async fn show_documents(address: String) -> Result<ListShown, AppError> {
    let lang = crate::i18n::lang();
    crate::server::serve::read(crate::auth::ssr::require_user(), async |state, user| {
        let query = ListQuery::from_address(&address);
        let mut found = ssr::list::list(state, ssr::CustomerScope::of(&user), user.user_id, &query, lang).await?;
        found.shows_delivery_log = user.can_manage_forwardings;
        Ok(ListShown::of(query, found, lang))
    })
    .await
}

/// The document types, for the type filter.
#[server(endpoint = "documents/types")]
pub async fn document_types() -> Result<Vec<DocumentTypeOption>, AppError> {
    let lang = crate::i18n::lang();
    crate::server::serve::read(crate::auth::ssr::require_user(), async |state, _| {
        let types = ssr::types::list_in(&state.pool, lang).await?;
        Ok(types.into_iter().map(|kind| DocumentTypeOption { key: kind.key, name: kind.name }).collect())
    })
    .await
}

/// How many of the user's documents they have not opened yet (the start page's tile).
#[server(endpoint = "documents/new_count")]
pub async fn new_document_count() -> Result<i64, AppError> {
    crate::server::serve::read(crate::auth::ssr::require_user(), async |state, user| {
        Ok(ssr::list::new_count(state, ssr::CustomerScope::of(&user), user.user_id).await?)
    })
    .await
}

/// One of the user's e-invoices for its readable page, written for the
/// reader. Another customer's document, one no longer listed and one
/// without an e-invoice are alike not found. Reading it counts as opening
/// the document.
#[server(endpoint = "documents/einvoice")]
pub async fn read_einvoice(id: i64) -> Result<EInvoiceView, AppError> {
    let (lang, ip) = (crate::i18n::lang(), crate::server::serve::client_ip());
    crate::server::serve::read(crate::auth::ssr::require_user(), async |state, user| {
        Ok(ssr::einvoice_page::einvoice_view(state, &user, ssr::CustomerScope::of(&user), id, lang, ip).await?)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> ListQuery {
        let pairs: Vec<(String, String)> = query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        ListQuery::from_params(|name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn the_address_round_trips_and_nonsense_falls_back_to_defaults() {
        let query = parse("suche=RE&typ=rechnung&von=2026-01-01&bis=2026-02-01&sortierung=nummer&richtung=auf&anzahl=50&seite=3");
        assert_eq!((query.sort, query.descending, query.per_page, query.page), (SortColumn::Number, false, 50, 3));
        assert_eq!(parse(query.href().split_once('?').unwrap().1), query);
        let nonsense = parse("anzahl=7&seite=-1&sortierung=x&von=gestern&typ=%27&nach=1.2");
        assert_eq!(nonsense, ListQuery { after: Some(Cursor { provided_at: UnixTime::from_seconds(1), id: 2 }), ..ListQuery::default() });
        assert_eq!(ListQuery::default().href(), "/dokumente");
        assert_eq!(ListQuery::from_address(&query.href()), query);
    }

    #[test]
    fn an_address_is_read_as_the_browser_encodes_it() {
        let query = ListQuery::from_address("/dokumente?suche=RE%2D1+2%C3%9F&typ=rechnung&suche=zweites");
        assert_eq!((query.search.as_str(), query.type_key.as_str()), ("RE-1 2ß", "rechnung"), "the first value counts");
        assert_eq!(ListQuery::from_address("/dokumente?suche=%E2%28%FF%2"), ListQuery { search: "�(�%2".into(), ..ListQuery::default() });
        assert_eq!(ListQuery::from_address("suche=ohne-Pfad").search, "ohne-Pfad");
        assert_eq!(ListQuery::from_address("/dokumente"), ListQuery::default());
    }

    #[test]
    fn the_einvoice_filter_round_trips_and_only_its_own_value_sets_it() {
        let query = parse("suche=RE&art=e-rechnung&seite=2");
        assert!(query.einvoices_only);
        assert_eq!(query.href(), "/dokumente?suche=RE&art=e-rechnung&seite=2");
        assert_eq!(ListQuery::from_address(&query.href()), query);
        assert_eq!(query.export_href(), "/dokumente/export.zip?suche=RE&art=e-rechnung");
        assert!(query.sorted_by(SortColumn::Number).einvoices_only, "sorting keeps the filter");
        assert!(query.with_page(3, None, None).einvoices_only, "paging keeps the filter");
        // What an unticked checkbox sends (nothing) and what nobody should send.
        for other in ["", "art=", "art=pdf", "art=E-Rechnung"] {
            assert!(!parse(other).einvoices_only, "{other}");
        }
        assert_eq!(parse("art=").href(), "/dokumente");
        // A call that does not know the field lists every document.
        let older: ListQuery = leptos::serde_json::from_str(
            r#"{"search":"","type_key":"","from":"","to":"","sort":"Provided","descending":true,"per_page":25,"page":1,"after":null,"before":null}"#,
        )
        .unwrap();
        assert_eq!(older, ListQuery::default());
    }

    #[test]
    fn a_second_click_on_a_column_turns_its_order() {
        let by_number = ListQuery::default().sorted_by(SortColumn::Number);
        assert!(!by_number.descending);
        assert!(by_number.sorted_by(SortColumn::Number).descending);
        assert!(!ListQuery::default().sorted_by(SortColumn::Provided).descending);
    }
}
