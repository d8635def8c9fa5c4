//! The Dokumente page. Its whole state (search, filters, sort, page) is the
//! address: the filters are a GET form and sorting and paging plain links,
//! so back and forward, reload, bookmarks and a browser without JavaScript
//! all work. With JavaScript the list is an island: the form, the column
//! headers, the pager and "Zurücksetzen" call `documents/show` from the
//! browser and show the results it renders in place, and the address follows.

use super::{document_types, export_too_many_message, list_documents, DocumentPage, DocumentRow, DocumentTypeOption, ListQuery, SortColumn, PAGE_SIZES};
use crate::i18n::Lang;
use crate::routes;
use crate::t;
use crate::ui::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[cfg(feature = "hydrate")]
mod browser;

#[component]
pub fn DocumentsPage() -> impl IntoView {
    let lang = crate::i18n::lang();
    // Read as `documents/show` reads the address the browser sends.
    let search = use_location().search;
    let query = Memo::new(move |_| search.with(|search| ListQuery::from_address(search)));
    let page = Resource::new(move || query.get(), list_documents);
    let types = Resource::new(|| (), |_| document_types());
    view! {
        <PageTitle title=t!(lang, "documents-title")/>
        <Suspense fallback=move || view! { <p class="muted loading">{t!(lang, "documents-loading")}</p> }>
            {move || Suspend::new(async move {
                let types = types.await.unwrap_or_default();
                let query = query.get_untracked();
                let results = match page.await {
                    Ok(found) => view! { <Results query=query.clone() found/> }.into_any(),
                    Err(error) => crate::ui::alert(&error),
                };
                view! {
                    <DocumentList>
                        <Filters query types/>
                        <div class="results" id=RESULTS_ID>{results}</div>
                    </DocumentList>
                }
            })}
        </Suspense>
    }
}

/// Where the results (count, table, pager) stand, which the list's server
/// function renders anew.
const RESULTS_ID: &str = "dokumente-ergebnis";
const SEARCH_ID: &str = "suche";

/// The results of one state of the list as HTML, rendered by the page's own
/// components, for [`super::show_documents`], in `lang`.
#[cfg(feature = "ssr")]
pub(super) fn results_html(query: ListQuery, found: DocumentPage, lang: Lang) -> String {
    Owner::new().with(|| {
        provide_context(lang);
        view! { <Results query found/> }.to_html()
    })
}

/// The filters and the list, an island around server HTML. Without
/// JavaScript the form and the links load pages. In the browser a filter
/// sent, a key typed in the search, a column header, a pager link or
/// "Zurücksetzen" calls the list's server function with the address it
/// asks for, and the results it renders take their place ([`browser`]);
/// a call that fails becomes a page load of that address.
#[island]
fn DocumentList(children: Children) -> impl IntoView {
    let section = NodeRef::<leptos::html::Section>::new();
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        browser::form_sent(event, section);
        #[cfg(not(feature = "hydrate"))]
        let _ = event;
    };
    let on_click = move |event: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        browser::link_clicked(event, section);
        #[cfg(not(feature = "hydrate"))]
        let _ = event;
    };
    let on_input = move |event: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        browser::typed(event);
        #[cfg(not(feature = "hydrate"))]
        let _ = event;
    };
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| browser::arrived(section));
    view! {
        <section class="card documents" node_ref=section on:submit=on_submit on:click=on_click on:input=on_input>
            {children()}
        </section>
    }
}

/// Search, type and period. Sort and page size travel along as hidden
/// fields; a new filter starts again at page 1. What was typed is the
/// user's: only a link the list follows sets the fields ([`browser`]).
#[component]
fn Filters(query: ListQuery, types: Vec<DocumentTypeOption>) -> impl IntoView {
    let lang = crate::i18n::lang();
    // On a phone the filters fold behind "Filter" (so the first documents
    // are on the first screen), open while one is set; from 760 px on they
    // are always shown and the toggle is not (the stylesheet).
    let filtered = !(query.search.is_empty() && query.type_key.is_empty() && query.from.is_empty() && query.to.is_empty());
    view! {
        <details class="filters-fold" open=filtered>
        <summary class="button secondary filters-toggle">{t!(lang, "documents-filter-toggle")}</summary>
        <form method="get" action=routes::DOCUMENTS class="filters" role="search" aria-label=t!(lang, "documents-filter-label")>
            <div class="field">
                <label for="suche">{t!(lang, "documents-filter-search")}</label>
                <input id=SEARCH_ID name="suche" type="search" placeholder=t!(lang, "documents-filter-search-placeholder") autocomplete="off" value=query.search.clone()/>
            </div>
            <div class="field">
                <label for="typ">{t!(lang, "documents-filter-type")}</label>
                <select id="typ" name="typ">
                    <option value="" selected=query.type_key.is_empty()>{t!(lang, "documents-filter-all-types")}</option>
                    {types.into_iter().map(|kind| {
                        let selected = kind.key == query.type_key;
                        view! { <option value=kind.key selected=selected>{kind.name}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="von">{t!(lang, "documents-filter-from")}</label>
                <input id="von" name="von" type="date" value=query.from.clone()/>
            </div>
            <div class="field">
                <label for="bis">{t!(lang, "documents-filter-to")}</label>
                <input id="bis" name="bis" type="date" value=query.to.clone()/>
            </div>
            <div class="field">
                <label for="anzahl">{t!(lang, "documents-filter-per-page")}</label>
                <select id="anzahl" name="anzahl">
                    {PAGE_SIZES.into_iter().map(|size| view! {
                        <option value=size.to_string() selected=query.per_page == size>{size.to_string()}</option>
                    }).collect_view()}
                </select>
            </div>
            <input type="hidden" name="sortierung" value=query.sort.param()/>
            <input type="hidden" name="richtung" value=query.direction_param()/>
            <div class="actions">
                <button type="submit" class="button primary">{t!(lang, "documents-filter-show")}</button>
                <a class="button secondary" href=routes::DOCUMENTS>{t!(lang, "documents-filter-reset")}</a>
            </div>
        </form>
        </details>
    }
}

#[component]
fn Results(query: ListQuery, found: DocumentPage) -> impl IntoView {
    let lang = crate::i18n::lang();
    if found.rows.is_empty() {
        return view! { <p class="empty" tabindex="-1">{t!(lang, "documents-empty")}</p> }.into_any();
    }
    let summary = super::count_text(lang, found.total);
    let headers = SortColumn::ALL.into_iter().map(|column| {
        let sorted = query.sort == column;
        let aria = sorted.then_some(if query.descending { "descending" } else { "ascending" });
        let mark = if !sorted { "" } else if query.descending { " ▼" } else { " ▲" };
        view! {
            <th scope="col" aria-sort=aria>
                <a href=query.sorted_by(column).href()>{column.label(lang)}<span aria-hidden="true">{mark}</span></a>
            </th>
        }
    }).collect_view();
    let delivery_log = found.shows_delivery_log;
    let rows = found.rows.iter().map(|document| row(document, delivery_log, lang)).collect_view();
    let export = if found.total > i64::from(found.export_limit) {
        view! { <p class="notice">{export_too_many_message(lang, found.export_limit)}</p> }.into_any()
    } else {
        view! { <a class="button secondary" href=query.export_href() rel="external" download="">{t!(lang, "documents-download-all")}</a> }.into_any()
    };
    view! {
        <div class="result-bar">
            <p class="result-count" role="status" tabindex="-1">{summary}</p>
            {export}
        </div>
        <table class="document-table">
            <caption class="visually-hidden">{t!(lang, "documents-table-caption")}</caption>
            <thead><tr>{headers}<th scope="col"><span class="visually-hidden">{t!(lang, "documents-table-actions")}</span></th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
        <Pager query found/>
    }
    .into_any()
}

fn row(document: &DocumentRow, delivery_log: bool, lang: Lang) -> impl IntoView {
    let view_href = routes::document_pdf(document.id, false);
    let download_href = routes::document_pdf(document.id, true);
    let label = format!("{} {}", document.type_name, document.number);
    view! {
        <tr class:new=document.is_new>
            <td data-label=SortColumn::Number.label(lang)>
                {document.number.clone()}
                {document.is_new.then(|| view! { " " <span class="badge-new">{t!(lang, "documents-badge-new")}</span> })}
            </td>
            <td data-label=SortColumn::Created.label(lang)>{document.created_on.clone()}</td>
            <td data-label=SortColumn::Type.label(lang)>{document.type_name.clone()}</td>
            <td data-label=SortColumn::Provided.label(lang)>{document.provided_on.clone()}</td>
            <td data-label=SortColumn::VisibleUntil.label(lang)>{document.visible_until.clone()}</td>
            <td class="row-actions">
                <a href=view_href target="_blank" rel="noopener external" aria-label=t!(lang, "documents-view-label", document = label.as_str())>{t!(lang, "documents-view")}</a>
                <a href=download_href rel="external" download="" aria-label=t!(lang, "documents-download-label", document = label.as_str())>{t!(lang, "documents-download")}</a>
                {delivery_log.then(|| view! {
                    <a href=routes::delivery_log(document.id) aria-label=t!(lang, "documents-delivery-label", document = label.as_str())>{t!(lang, "documents-delivery")}</a>
                })}
            </td>
        </tr>
    }
}

#[component]
fn Pager(query: ListQuery, found: DocumentPage) -> impl IntoView {
    let lang = crate::i18n::lang();
    let keyset = query.uses_keyset();
    let first = found.rows.first().map(|row| row.cursor);
    let last = found.rows.last().map(|row| row.cursor);
    let previous = (query.page > 1).then(|| {
        let before = if keyset { first } else { None };
        query.with_page(query.page - 1, None, before).href()
    });
    let next = found.has_next.then(|| {
        let after = if keyset { last } else { None };
        query.with_page(query.page + 1, after, None).href()
    });
    view! {
        <nav class="pager" aria-label=t!(lang, "documents-pager-label")>
            {previous.map(|href| view! { <a class="button secondary" href=href rel="prev">{t!(lang, "documents-pager-previous")}</a> })}
            <span>{found.position(&query, lang)}</span>
            {next.map(|href| view! { <a class="button secondary" href=href rel="next">{t!(lang, "documents-pager-next")}</a> })}
        </nav>
    }
}
