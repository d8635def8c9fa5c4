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
