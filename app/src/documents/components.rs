//! The Dokumente page. Its whole state (search, filters, sort, page) is the
//! address: the filters are a GET form and sorting and paging plain links,
//! so back and forward, reload, bookmarks and a browser without JavaScript
//! all work. With JavaScript the search follows each keystroke.

use super::{document_types, export_too_many_message, list_documents, DocumentPage, DocumentRow, ListQuery, SortColumn, PAGE_SIZES};
use crate::routes;
use crate::ui::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn DocumentsPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(|p| ListQuery::from_params(|name| p.get(name))));
    let page = Resource::new(move || query.get(), list_documents);
    view! {
        <PageTitle title="Dokumente"/>
        <section class="card documents">
            <Filters query/>
            <Suspense fallback=|| view! { <p class="muted loading">"Wird geladen …"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(found) => view! { <Results query=query.get_untracked() found/> }.into_any(),
                        Err(error) => view! { <p class="alert" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// Search, type and period. Sort and page size travel along as hidden
/// fields; a new filter starts again at page 1.
#[component]
fn Filters(query: Memo<ListQuery>) -> impl IntoView {
    let current = move || query.get();
    // On a phone the filters fold behind "Filter" (so the first documents
    // are on the first screen), open while one is set; from 760 px on they
    // are always shown and the toggle is not (the stylesheet).
    let filtered = move || {
        let query = current();
        !(query.search.is_empty() && query.type_key.is_empty() && query.from.is_empty() && query.to.is_empty())
    };
    view! {
        <details class="filters-fold" open=filtered>
        <summary class="button secondary filters-toggle">"Filter"</summary>
        <form method="get" action=routes::DOCUMENTS class="filters" role="search" aria-label="Dokumente filtern">
            <div class="field">
                <label for="suche">"Suche"</label>
                <SearchField value=query.get_untracked().search/>
            </div>
            <div class="field">
                <label for="typ">"Typ"</label>
                <select id="typ" name="typ">
                    <option value="" selected=move || current().type_key.is_empty()>"Alle Typen"</option>
                    <TypeOptions query/>
                </select>
            </div>
            <div class="field">
                <label for="von">"Bereitstellung von"</label>
                <input id="von" name="von" type="date" value=move || current().from/>
            </div>
            <div class="field">
                <label for="bis">"Bereitstellung bis"</label>
                <input id="bis" name="bis" type="date" value=move || current().to/>
            </div>
            <div class="field">
                <label for="anzahl">"Pro Seite"</label>
                <select id="anzahl" name="anzahl">
                    {PAGE_SIZES.into_iter().map(|size| view! {
                        <option value=size.to_string() selected=move || current().per_page == size>{size.to_string()}</option>
                    }).collect_view()}
                </select>
            </div>
            <input type="hidden" name="sortierung" value=move || current().sort.param()/>
            <input type="hidden" name="richtung" value=move || if current().descending { "ab" } else { "auf" }/>
            <div class="actions">
                <button type="submit" class="button primary">"Anzeigen"</button>
                <a class="button secondary" href=routes::DOCUMENTS>"Zurücksetzen"</a>
            </div>
        </form>
        </details>
    }
}

/// Search as you type, an island: a moment after the last key the filter
/// form is sent (a GET: the page comes back with the list and the search in
/// the address, starting again at page 1), and the field keeps the focus.
/// Without JavaScript the "Anzeigen" button sends the same form.
#[island]
fn SearchField(value: String) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    let waiting = std::rc::Rc::new(std::cell::Cell::new(None::<leptos::leptos_dom::helpers::TimeoutHandle>));
    let send_soon = move |_: leptos::ev::Event| {
        if let Some(earlier) = waiting.take() {
            earlier.clear();
        }
        let send = move || {
            if let Some(form) = input.get_untracked().and_then(|input| input.form()) {
                let _ = form.request_submit();
            }
        };
        waiting.set(set_timeout_with_handle(send, std::time::Duration::from_millis(400)).ok());
    };
    // Back from a search: the user goes on typing where they were.
    let searched = !value.is_empty();
    Effect::new(move |_| {
        if let Some(input) = input.get().filter(|_| searched) {
            let _ = input.focus();
            let end = input.value().encode_utf16().count() as u32;
            let _ = input.set_selection_range(end, end);
        }
    });
    view! {
        <input id="suche" name="suche" type="search" placeholder="Dokumentnummer" autocomplete="off"
            value=value node_ref=input on:input=send_soon/>
    }
}

/// The type filter's options.
#[component]
fn TypeOptions(query: Memo<ListQuery>) -> impl IntoView {
    let types = Resource::new(|| (), |_| document_types());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                types.await.unwrap_or_default().into_iter().map(|kind| {
                    let key = kind.key.clone();
                    view! { <option value=kind.key selected=move || query.get().type_key == key>{kind.name}</option> }
                }).collect_view()
            })}
        </Suspense>
    }
}

#[component]
fn Results(query: ListQuery, found: DocumentPage) -> impl IntoView {
    if found.rows.is_empty() {
        return view! { <p class="empty">"Keine Dokumente gefunden."</p> }.into_any();
    }
    let summary = match found.total {
        1 => "1 Dokument".to_owned(),
        n => format!("{n} Dokumente"),
    };
    let headers = SortColumn::ALL.into_iter().map(|column| {
        let sorted = query.sort == column;
        let aria = sorted.then_some(if query.descending { "descending" } else { "ascending" });
        let mark = if !sorted { "" } else if query.descending { " ▼" } else { " ▲" };
        view! {
            <th scope="col" aria-sort=aria>
                <a href=query.sorted_by(column).href()>{column.label()}<span aria-hidden="true">{mark}</span></a>
            </th>
        }
    }).collect_view();
    let delivery_log = found.shows_delivery_log;
    let rows = found.rows.iter().map(|document| row(document, delivery_log)).collect_view();
    let export = if found.total > i64::from(found.export_limit) {
        view! { <p class="notice">{export_too_many_message(found.export_limit)}</p> }.into_any()
    } else {
        view! { <a class="button secondary" href=query.export_href() rel="external" download="">"Alle herunterladen (ZIP)"</a> }.into_any()
    };
    view! {
        <div class="result-bar">
            <p class="result-count" role="status">{summary}</p>
            {export}
        </div>
        <table class="document-table">
            <caption class="visually-hidden">"Ihre Dokumente"</caption>
            <thead><tr>{headers}<th scope="col"><span class="visually-hidden">"Aktionen"</span></th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
        <Pager query found/>
    }
    .into_any()
}

fn row(document: &DocumentRow, delivery_log: bool) -> impl IntoView {
    let view_href = routes::document_pdf(document.id, false);
    let download_href = routes::document_pdf(document.id, true);
    let label = format!("{} {}", document.type_name, document.number);
    view! {
        <tr class:new=document.is_new>
            <td data-label="Nummer">
                {document.number.clone()}
                {document.is_new.then(|| view! { " " <span class="badge-new">"neu"</span> })}
            </td>
            <td data-label="Erstellung">{document.created_on.clone()}</td>
            <td data-label="Typ">{document.type_name.clone()}</td>
            <td data-label="Bereitstellung">{document.provided_on.clone()}</td>
            <td data-label="sichtbar bis">{document.visible_until.clone()}</td>
            <td class="row-actions">
                <a href=view_href target="_blank" rel="noopener external" aria-label=format!("{label} ansehen (neues Fenster)")>"Ansehen"</a>
                <a href=download_href rel="external" download="" aria-label=format!("{label} herunterladen")>"Herunterladen"</a>
                {delivery_log.then(|| view! {
                    <a href=routes::delivery_log(document.id) aria-label=format!("Versand von {label}")>"Versand"</a>
                })}
            </td>
        </tr>
    }
}

#[component]
fn Pager(query: ListQuery, found: DocumentPage) -> impl IntoView {
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
        <nav class="pager" aria-label="Seiten">
            {previous.map(|href| view! { <a class="button secondary" href=href rel="prev">"Zurück"</a> })}
            <span>{format!("Seite {} von {}", query.page.min(found.pages), found.pages)}</span>
            {next.map(|href| view! { <a class="button secondary" href=href rel="next">"Weiter"</a> })}
        </nav>
    }
}
