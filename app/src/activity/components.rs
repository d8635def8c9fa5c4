//! The Aktivitätsprotokoll page: a filter (a plain GET form), the list,
//! paging links and the CSV link — all addresses, so all of it works
//! without JavaScript.

use super::{list_activity, ActivityList, ActivityQuery};
use crate::error::AppError;
use crate::routes;
use crate::t;
use crate::ui::{refused, FormRefusal, PageTitle};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;


#[component]
pub fn ActivityPage() -> impl IntoView {
    let lang = crate::i18n::lang();
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(|p| ActivityQuery::from_params(|name| p.get(name))));
    let list = Resource::new(move || query.get(), list_activity);
    view! {
        <PageTitle title=t!(lang, "activity-title")/>
        <section class="card">
            <Suspense fallback=move || view! { <p class="muted">{t!(lang, "activity-loading")}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(found) => view! { <Activity query=query.get_untracked() found/> }.into_any(),
                        Err(error @ (AppError::Forbidden | AppError::NotSignedIn | AppError::SetupPending)) => refused(error),
                        Err(error) => view! {
                            <Filters query=query.get_untracked() users=Vec::new() refusal=FormRefusal::of(&error, &["von", "bis"])/>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// `refusal`: what was wrong with the filter, shown at its field.
#[component]
fn Filters(query: ActivityQuery, users: Vec<super::UserChoice>, #[prop(default = FormRefusal::none())] refusal: FormRefusal) -> impl IntoView {
    let lang = crate::i18n::lang();
    let selected = query.user.clone();
    view! {
        <form method="get" action=routes::ACTIVITY class="filters" role="search" aria-label=t!(lang, "activity-filter-label")>
            {refusal.general()}
            <div class="field">
                <label for="benutzer">{t!(lang, "activity-column-user")}</label>
                <select id="benutzer" name="benutzer">
                    <option value="" selected=selected.is_empty()>{t!(lang, "activity-all-users")}</option>
                    {users.into_iter().map(|user| {
                        let id = user.id.to_string();
                        view! { <option value=id.clone() selected=id == selected>{user.username}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="von">{t!(lang, "activity-from")}</label>
                <input id="von" name="von" type="date" value=query.from.clone()
                    aria-invalid=refusal.invalid("von") aria-describedby=refusal.described_by("von", "von", None) autofocus=refusal.about("von")/>
                {refusal.message("von", "von")}
            </div>
            <div class="field">
                <label for="bis">{t!(lang, "activity-to")}</label>
                <input id="bis" name="bis" type="date" value=query.to.clone()
                    aria-invalid=refusal.invalid("bis") aria-describedby=refusal.described_by("bis", "bis", None) autofocus=refusal.about("bis")/>
                {refusal.message("bis", "bis")}
            </div>
            <div class="actions">
                <button type="submit" class="button primary">{t!(lang, "activity-show")}</button>
                <a class="button secondary" href=routes::ACTIVITY>{t!(lang, "activity-reset")}</a>
            </div>
        </form>
    }
}

#[component]
fn Activity(query: ActivityQuery, found: ActivityList) -> impl IntoView {
    let lang = crate::i18n::lang();
    let summary = t!(lang, "activity-entries", count = found.total);
    let (page, pages) = (found.page, found.pages);
    let previous = (page > 1).then(|| query.page_href(page - 1));
    let next = (page < pages).then(|| query.page_href(page + 1));
    let csv = query.csv_href();
    view! {
        <Filters query users=found.users/>
        <p class="muted" role="status">
            {summary} " · " <a href=csv download>{t!(lang, "activity-download-csv")}</a>
        </p>
        {if found.entries.is_empty() {
            view! { <p class="empty">{t!(lang, "activity-empty")}</p> }.into_any()
        } else {
            view! {
                <table class="document-table activity-table">
                    <caption class="visually-hidden">{t!(lang, "activity-table-caption")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{t!(lang, "activity-column-time")}</th>
                            <th scope="col">{t!(lang, "activity-column-user")}</th>
                            <th scope="col">{t!(lang, "activity-column-action")}</th>
                            <th scope="col">{t!(lang, "activity-column-details")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {found.entries.into_iter().map(|entry| view! {
                            <tr>
                                <td data-label=t!(lang, "activity-column-time")>{entry.at}</td>
                                <td data-label=t!(lang, "activity-column-user")>{entry.who}</td>
                                <td data-label=t!(lang, "activity-column-action")>{entry.what}</td>
                                <td data-label=t!(lang, "activity-column-details")>{entry.detail}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        {(pages > 1).then(|| view! {
            <nav class="pager" aria-label=t!(lang, "activity-pages")>
                {previous.map(|href| view! { <a href=href rel="prev">{t!(lang, "activity-previous")}</a> })}
                <span>{t!(lang, "activity-page-of", page = page, pages = pages)}</span>
                {next.map(|href| view! { <a href=href rel="next">{t!(lang, "activity-next")}</a> })}
            </nav>
        })}
    }
}
