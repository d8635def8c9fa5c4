//! Pieces every page may use, whatever its feature: the title bar and the
//! page's `main` landmark. Knows no feature.

use leptos::prelude::*;
use leptos_meta::Title;

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
    view! { <PublicMain><leptos_router::components::Outlet/></PublicMain> }
}

/// "Zum Inhalt springen": the first thing a keyboard reaches on every page.
#[component]
pub fn SkipLink() -> impl IntoView {
    // `rel="external"`: the router would only scroll to the anchor; the
    // browser itself moves keyboard focus into `main`.
    view! { <a class="skip-link" href=format!("#{MAIN_ID}") rel="external">"Zum Inhalt springen"</a> }
}
