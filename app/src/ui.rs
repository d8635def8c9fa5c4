//! Pieces every page may use, whatever its feature: the title bar and the
//! page's `main` landmark. Knows no feature.

use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The id of every page's `main` landmark; the skip link jumps there.
pub const MAIN_ID: &str = "inhalt";

/// The green bar with the page's name (and the document title).
#[component]
pub fn PageTitle(title: &'static str) -> impl IntoView {
    view! {
        <Title text=format!("{title} – Kundenportal")/>
        <h1 class="page-title">{title}</h1>
    }
}

/// The `main` landmark of a page without the side navigation.
#[component]
pub fn PublicMain(children: Children) -> impl IntoView {
    view! { <main id=MAIN_ID class="public" tabindex="-1">{children()}</main> }
}

/// The frame of the pages without the side navigation: their `main`.
#[component]
pub fn PublicLayout() -> impl IntoView {
    ignore_action_errors_in_address();
    view! { <PublicMain><leptos_router::components::Outlet/></PublicMain> }
}

/// "Zum Inhalt springen": the first thing a keyboard reaches on every page.
#[component]
pub fn SkipLink() -> impl IntoView {
    // `rel="external"`: the router would only scroll to the anchor; the
    // browser itself moves keyboard focus into `main`.
    view! { <a class="skip-link" href=format!("#{MAIN_ID}") rel="external">"Zum Inhalt springen"</a> }
}

/// Leptos' router hands an error it finds in the address (`__err` with
/// `__path`) to every server action created below it, as the outcome of a
/// form — so a crafted link could put its own text on our pages. The server
/// already sends such addresses on without those keys; this empty entry
/// shadows the router's for the pages below a layout, in the browser too.
/// Our forms come back with `?fehler=CODE`, which names a fixed message.
pub fn ignore_action_errors_in_address() {
    provide_context(leptos::server::ServerActionError::new("", ""));
}

/// The refusal of the last submit, if any: from the action, or — after a
/// plain form post without JavaScript — from the `fehler` code in the address.
pub fn action_error<T: Send + Sync + 'static>(
    value: impl With<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
) -> impl IntoView {
    section_action_error(value, None)
}

/// [`action_error`] for a page with several forms: a `fehler` code in the
/// address belongs to the form whose section the address names
/// (`bereich=…`; none for the page's main form).
pub fn section_action_error<T: Send + Sync + 'static>(
    value: impl With<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
    section: Option<&'static str>,
) -> impl IntoView {
    let query = use_query_map();
    move || {
        let message = value.with(|result| match result {
            Some(Err(error)) => Some(error.to_string()),
            Some(Ok(_)) => None,
            None => {
                let query = query.read();
                (query.get("bereich").as_deref() == section)
                    .then(|| query.get("fehler"))
                    .flatten()
                    .map(|code| AppError::from_form_code(&code).to_string())
            }
        });
        message.map(|text| view! { <p class="alert" role="alert">{text}</p> })
    }
}

/// A refusal shown instead of a page's content; rendered on the server, the
/// page answers with the error's status (403 for a missing right, 404, 410
/// for a used link).
pub fn refused(error: AppError) -> AnyView {
    #[cfg(feature = "ssr")]
    error.set_page_status();
    view! { <p class="alert" role="alert">{error.to_string()}</p> }.into_any()
}

/// An island without content: once the WASM runs, it marks `<html
/// data-hydrated>`, which tells end-to-end tests (and anyone debugging)
/// that the page's islands are interactive.
#[island]
pub fn HydrationMark() -> impl IntoView {
    Effect::new(|_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}
