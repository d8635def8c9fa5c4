//! The Dokumente page. Its whole state (search, filters, sort, page) is the
//! address: the filters are a GET form and sorting and paging plain links,
//! so back and forward, reload, bookmarks and a browser without JavaScript
//! all work. With JavaScript the list is an island: the form, the column
//! headers, the pager and "Zurücksetzen" call `documents/show` from the
//! browser and show the results it renders in place, and the address follows.

use super::{
    document_types, export_too_many_message, list_documents, read_einvoice, DocumentPage, DocumentRow, DocumentTypeOption, EInvoiceSummary,
    EInvoiceView, ListQuery, PartyView, SortColumn, EINVOICES_ONLY, PAGE_SIZES,
};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::routes;
use crate::t;
use crate::ui::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_params_map};

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
    let filtered =
        !(query.search.is_empty() && query.type_key.is_empty() && query.from.is_empty() && query.to.is_empty() && !query.einvoices_only);
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
            <div class="filter-check">
                <input id="art" name="art" type="checkbox" value=EINVOICES_ONLY checked=query.einvoices_only/>
                <label for="art">{t!(lang, "documents-filter-einvoices")}</label>
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
    let download_href = routes::document_pdf(document.id, true);
    let label = format!("{} {}", document.type_name, document.number);
    let bare_xml = document.einvoice.as_ref().is_some_and(|einvoice| einvoice.bare_xml);
    // A bare XML has no PDF to show (its /pdf would download the XML): its
    // readable page is what "Ansehen" opens, in this window.
    let view_link = if bare_xml {
        view! {
            <a href=routes::document_einvoice(document.id) aria-label=t!(lang, "documents-view-page-label", document = label.as_str())>{t!(lang, "documents-view")}</a>
        }
        .into_any()
    } else {
        view! {
            <a href=routes::document_pdf(document.id, false) target="_blank" rel="noopener external" aria-label=t!(lang, "documents-view-label", document = label.as_str())>{t!(lang, "documents-view")}</a>
        }
        .into_any()
    };
    // A PDF with the invoice inside: its XML and its readable page besides.
    let einvoice_links = document.einvoice.as_ref().filter(|einvoice| !einvoice.bare_xml).map(|_| {
        view! {
            <a href=routes::document_xml(document.id) rel="external" download="" aria-label=t!(lang, "documents-xml-label", document = label.as_str())>{t!(lang, "documents-xml")}</a>
            <a href=routes::document_einvoice(document.id) aria-label=t!(lang, "documents-read-label", document = label.as_str())>{t!(lang, "documents-read")}</a>
        }
    });
    view! {
        <tr class:new=document.is_new>
            <td data-label=SortColumn::Number.label(lang)>
                {document.number.clone()}
                {document.is_new.then(|| view! { " " <span class="badge-new">{t!(lang, "documents-badge-new")}</span> })}
                {document.einvoice.as_ref().map(|einvoice| einvoice_facts(einvoice, lang))}
            </td>
            <td data-label=SortColumn::Created.label(lang)>{document.created_on.clone()}</td>
            <td data-label=SortColumn::Type.label(lang)>{document.type_name.clone()}</td>
            <td data-label=SortColumn::Provided.label(lang)>{document.provided_on.clone()}</td>
            <td data-label=SortColumn::VisibleUntil.label(lang)>{document.visible_until.clone()}</td>
            <td class="row-actions">
                {view_link}
                <a href=download_href rel="external" download="" aria-label=t!(lang, "documents-download-label", document = label.as_str())>{t!(lang, "documents-download")}</a>
                {einvoice_links}
                {delivery_log.then(|| view! {
                    <a href=routes::delivery_log(document.id) aria-label=t!(lang, "documents-delivery-label", document = label.as_str())>{t!(lang, "documents-delivery")}</a>
                })}
            </td>
        </tr>
    }
}

/// The mark of an e-invoice in its row (its profile for screen readers and
/// on hover), what is to be paid and by when.
fn einvoice_facts(einvoice: &EInvoiceSummary, lang: Lang) -> impl IntoView {
    let profile = t!(lang, "documents-einvoice-profile", profile = einvoice.profile.as_str());
    view! {
        <span class="einvoice-facts">
            <span class="einvoice-fact">
                <span class="badge-einvoice" title=profile.clone()>
                    {t!(lang, "documents-einvoice-badge")}
                    <span class="visually-hidden">{format!(" ({profile})")}</span>
                </span>
                {einvoice.amount.clone().map(|amount| view! { " " {amount} })}
            </span>
            {einvoice.due_on.as_deref().map(|day| view! { " " <span class="einvoice-fact">{t!(lang, "documents-einvoice-due", date = day)}</span> })}
        </span>
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

/// The readable page of an e-invoice (`/dokumente/{id}/e-rechnung`): what
/// the invoice XML says, for people — parties, dates and references, the
/// lines and the totals — with the XML (and the PDF it came in) to take
/// along. Rendered whole on the server; another customer's document, or one
/// without an e-invoice, is not found.
#[component]
pub fn EInvoicePage() -> impl IntoView {
    let lang = crate::i18n::lang();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|id| id.parse::<i64>().ok()));
    let invoice = Resource::new(move || id.get(), |id| async move {
        match id {
            Some(id) => read_einvoice(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Suspense fallback=move || view! { <p class="muted loading">{t!(lang, "documents-loading")}</p> }>
            {move || Suspend::new(async move {
                match invoice.await {
                    Ok(invoice) => view! { <EInvoiceShown invoice/> }.into_any(),
                    Err(error) => view! {
                        <PageTitle title=t!(lang, "einvoice-page-title")/>
                        <section class="card">
                            {crate::ui::refused(error)}
                            <p><a href=routes::DOCUMENTS>{t!(lang, "einvoice-page-back")}</a></p>
                        </section>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EInvoiceShown(invoice: EInvoiceView) -> impl IntoView {
    let lang = crate::i18n::lang();
    let EInvoiceView {
        document_id,
        title,
        profile,
        invoice_number,
        issue_date,
        due_date,
        buyer_reference,
        iban,
        currency: _,
        seller,
        buyer,
        lines,
        lines_not_shown,
        totals,
        has_pdf,
    } = invoice;
    let fact = |label: String, value: Option<String>| value.map(|value| view! { <dt>{label}</dt><dd>{value}</dd> });
    let lines_table = if lines.is_empty() {
        view! { <p class="empty">{t!(lang, "einvoice-page-no-lines")}</p> }.into_any()
    } else {
        let headers = [
            t!(lang, "einvoice-page-position"),
            t!(lang, "einvoice-page-item"),
            t!(lang, "einvoice-page-quantity"),
            t!(lang, "einvoice-page-net-price"),
            t!(lang, "einvoice-page-tax-rate"),
            t!(lang, "einvoice-page-line-total"),
        ];
        let head = headers.iter().map(|label| view! { <th scope="col">{label.clone()}</th> }).collect_view();
        let rows = lines
            .into_iter()
            .map(|line| {
                let cells = [line.position, line.name, line.quantity, line.net_price, line.tax_rate, line.line_total];
                let cells = headers
                    .iter()
                    .zip(cells)
                    .map(|(label, value)| view! { <td data-label=label.clone()>{value}</td> })
                    .collect_view();
                view! { <tr>{cells}</tr> }
            })
            .collect_view();
        view! {
            <table class="document-table einvoice-lines">
                <caption class="section-title">{t!(lang, "einvoice-page-lines")}</caption>
                <thead><tr>{head}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    let more = (lines_not_shown > 0).then(|| view! { <p class="muted">{t!(lang, "einvoice-page-more-lines", count = lines_not_shown)}</p> });
    view! {
        <PageTitle title=title/>
        <section class="card einvoice">
            <p class="einvoice-lead">
                <span class="badge-einvoice">{t!(lang, "documents-einvoice-badge")}</span>
                " "
                {t!(lang, "documents-einvoice-profile", profile = profile.as_str())}
            </p>
            <div class="einvoice-parties">
                <PartyBlock heading=t!(lang, "einvoice-page-seller") party=seller/>
                <PartyBlock heading=t!(lang, "einvoice-page-buyer") party=buyer/>
            </div>
            <h2 class="section-title">{t!(lang, "einvoice-page-details")}</h2>
            <dl class="facts einvoice-details">
                {fact(t!(lang, "einvoice-page-number"), Some(invoice_number))}
                {fact(t!(lang, "einvoice-page-issue-date"), Some(issue_date))}
                {fact(t!(lang, "einvoice-page-due-date"), due_date)}
                {fact(t!(lang, "einvoice-page-buyer-reference"), buyer_reference)}
                {fact(t!(lang, "einvoice-page-iban"), iban)}
            </dl>
            {lines_table}
            {more}
            <h2 class="section-title">{t!(lang, "einvoice-page-totals")}</h2>
            <dl class="facts einvoice-totals">
                {fact(t!(lang, "einvoice-page-net"), totals.net)}
                {fact(t!(lang, "einvoice-page-tax"), totals.tax)}
                {fact(t!(lang, "einvoice-page-gross"), totals.gross)}
                {totals.due.map(|due| view! { <dt class="due">{t!(lang, "einvoice-page-due")}</dt><dd class="due">{due}</dd> })}
            </dl>
            <p class="actions">
                <a class="button secondary" href=routes::document_xml(document_id) rel="external" download="">{t!(lang, "einvoice-page-xml")}</a>
                {has_pdf.then(|| view! {
                    <a class="button secondary" href=routes::document_pdf(document_id, false) target="_blank" rel="noopener external"
                        aria-label=t!(lang, "einvoice-page-pdf-label")>{t!(lang, "einvoice-page-pdf")}</a>
                })}
            </p>
            <p><a href=routes::DOCUMENTS>{t!(lang, "einvoice-page-back")}</a></p>
        </section>
    }
}

/// A seller or buyer: name, address, VAT ID ("not named" when the invoice names nothing).
#[component]
fn PartyBlock(heading: String, party: Option<PartyView>) -> impl IntoView {
    let lang = crate::i18n::lang();
    let body = match party {
        Some(party) => view! {
            <p>
                {party.name.map(|name| view! { <strong class="einvoice-line">{name}</strong> })}
                {party.address.into_iter().map(|line| view! { <span class="einvoice-line">{line}</span> }).collect_view()}
            </p>
            {party.vat_id.map(|vat_id| view! { <p>{t!(lang, "einvoice-page-vat-id", id = vat_id.as_str())}</p> })}
        }
        .into_any(),
        None => view! { <p class="muted">{t!(lang, "einvoice-page-not-named")}</p> }.into_any(),
    };
    view! {
        <section class="einvoice-party">
            <h2 class="section-title">{heading}</h2>
            {body}
        </section>
    }
}
