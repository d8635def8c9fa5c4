//! The legal pages: imprint, contact and the privacy notice.

use super::{get_legal_text, LegalPageKind};
use crate::ui::PageTitle;
use leptos::prelude::*;

#[component]
pub fn LegalPage(kind: LegalPageKind) -> impl IntoView {
    let text = Resource::new(move || kind, get_legal_text);
    view! {
        <PageTitle title=kind.title()/>
        <section class="card prose">
            <Suspense fallback=|| view! { <p class="muted">"Wird geladen …"</p> }>
                {move || Suspend::new(async move {
                    match text.await {
                        Ok(text) => view! {
                            {text.version.map(|v| view! { <p class="muted">{format!("Version {v}")}</p> })}
                            {text.paragraphs.into_iter().map(|p| view! { <p class="preformatted">{p}</p> }).collect_view()}
                        }.into_any(),
                        Err(error) => crate::ui::alert(&error),
                    }
                })}
            </Suspense>
        </section>
    }
}
