//! The Aktivitätsprotokoll page: a filter (a plain GET form), the list,
//! paging links and the CSV link — all addresses, so all of it works
//! without JavaScript.

use super::{list_activity, ActivityList, ActivityQuery};
use crate::error::AppError;
use crate::routes;
use crate::ui::{refused, FormRefusal, PageTitle};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;


#[component]
pub fn ActivityPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(|p| ActivityQuery::from_params(|name| p.get(name))));
    let list = Resource::new(move || query.get(), list_activity);
    view! {
        <PageTitle title="Aktivitätsprotokoll"/>
        <section class="card">
            <Suspense fallback=|| view! { <p class="muted">"Wird geladen …"</p> }>
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
    let selected = query.user.clone();
    view! {
        <form method="get" action=routes::ACTIVITY class="filters" role="search" aria-label="Aktivitäten filtern">
            {refusal.general()}
            <div class="field">
                <label for="benutzer">"Benutzer"</label>
                <select id="benutzer" name="benutzer">
                    <option value="" selected=selected.is_empty()>"Alle Benutzer"</option>
                    {users.into_iter().map(|user| {
                        let id = user.id.to_string();
                        view! { <option value=id.clone() selected=id == selected>{user.username}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="von">"Von"</label>
                <input id="von" name="von" type="date" value=query.from.clone()
                    aria-invalid=refusal.invalid("von") aria-describedby=refusal.described_by("von", "von", None) autofocus=refusal.about("von")/>
                {refusal.message("von", "von")}
            </div>
            <div class="field">
                <label for="bis">"Bis"</label>
                <input id="bis" name="bis" type="date" value=query.to.clone()
                    aria-invalid=refusal.invalid("bis") aria-describedby=refusal.described_by("bis", "bis", None) autofocus=refusal.about("bis")/>
                {refusal.message("bis", "bis")}
            </div>
            <div class="actions">
                <button type="submit" class="button primary">"Anzeigen"</button>
                <a class="button secondary" href=routes::ACTIVITY>"Zurücksetzen"</a>
            </div>
        </form>
    }
}

#[component]
fn Activity(query: ActivityQuery, found: ActivityList) -> impl IntoView {
    let summary = match found.total {
        1 => "1 Eintrag".to_owned(),
        n => format!("{n} Einträge"),
    };
    let (page, pages) = (found.page, found.pages);
    let previous = (page > 1).then(|| query.page_href(page - 1));
    let next = (page < pages).then(|| query.page_href(page + 1));
    let csv = query.csv_href();
    view! {
        <Filters query users=found.users/>
        <p class="muted" role="status">
            {summary} " · " <a href=csv download>"Als CSV herunterladen"</a>
        </p>
        {if found.entries.is_empty() {
            view! { <p class="empty">"Für diesen Filter gibt es keine Einträge."</p> }.into_any()
        } else {
            view! {
                <table class="document-table activity-table">
                    <caption class="visually-hidden">"Aktivitäten, neueste zuerst"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Zeit"</th>
                            <th scope="col">"Benutzer"</th>
                            <th scope="col">"Aktion"</th>
                            <th scope="col">"Details"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {found.entries.into_iter().map(|entry| view! {
                            <tr>
                                <td data-label="Zeit">{entry.at}</td>
                                <td data-label="Benutzer">{entry.who}</td>
                                <td data-label="Aktion">{entry.what}</td>
                                <td data-label="Details">{entry.detail}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        {(pages > 1).then(|| view! {
            <nav class="pager" aria-label="Seiten">
                {previous.map(|href| view! { <a href=href rel="prev">"Zurück"</a> })}
                <span>{format!("Seite {page} von {pages}")}</span>
                {next.map(|href| view! { <a href=href rel="next">"Weiter"</a> })}
            </nav>
        })}
    }
}
