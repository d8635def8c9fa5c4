//! The legal pages: imprint, contact and the privacy notice.

use super::{get_legal_text, LegalPageKind};
use crate::t;
use crate::ui::PageTitle;
use leptos::prelude::*;

#[component]
pub fn LegalPage(kind: LegalPageKind) -> impl IntoView {
    let lang = crate::i18n::lang();
    let text = Resource::new(move || kind, get_legal_text);
    view! {
        <PageTitle title=kind.title(lang)/>
        <section class="card prose">
            <Suspense fallback=move || view! { <p class="muted">{t!(lang, "ui-loading")}</p> }>
                {move || Suspend::new(async move {
                    match text.await {
                        Ok(text) => view! {
                            {text.shown_in_german.then(|| view! { <p class="notice" role="note">{t!(lang, "legal-shown-in-german")}</p> })}
                            {text.version.map(|v| view! { <p class="muted">{t!(lang, "legal-version", version = v)}</p> })}
                            // The operator's German text says so to the browser (and to screen readers).
                            <div lang=text.shown_in_german.then_some("de")>
                                {text.paragraphs.into_iter().map(|p| view! { <p class="preformatted">{p}</p> }).collect_view()}
                            </div>
                        }.into_any(),
                        Err(error) => crate::ui::alert(&error),
                    }
                })}
            </Suspense>
        </section>
    }
}
