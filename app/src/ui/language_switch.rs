//! The footer's language switch: a plain link to the other language, which
//! works without JavaScript and brings the visitor back to this page.

use crate::i18n::Lang;
use crate::routes;
use leptos::prelude::*;

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let lang = crate::i18n::lang();
    let other = if lang == Lang::De { Lang::En } else { Lang::De };
    let name = match other {
        Lang::De => crate::t!(lang, "language-name-de"),
        Lang::En => crate::t!(lang, "language-name-en"),
    };
    let href = format!("{}?weiter={}", routes::LANGUAGE_SWITCH.replace("{sprache}", other.code()), this_page());
    view! {
        <p class="language-switch">
            <span class="visually-hidden">{crate::t!(lang, "language-switch-label")} ": "</span>
            // The language's own name, spoken in its language.
            <a href=href lang=other.code() hreflang=other.code() data-kp-reload="">{name}</a>
        </p>
    }
}

/// The page being shown, URL-encoded for `?weiter=`: its path and query,
/// without a refusal's `fehler` and `feld` (the page in the other language
/// starts afresh; and a crafted code is not carried on).
fn this_page() -> String {
    #[cfg(feature = "ssr")]
    let here = use_context::<http::request::Parts>()
        .map(|parts| {
            let kept: Vec<(String, String)> = url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
                .into_owned()
                .filter(|(name, _)| name != "fehler" && name != "feld")
                .collect();
            let query = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(kept).finish();
            if query.is_empty() { parts.uri.path().to_owned() } else { format!("{}?{query}", parts.uri.path()) }
        })
        .unwrap_or_else(|| routes::HOME.to_owned());
    #[cfg(not(feature = "ssr"))]
    let here = routes::HOME.to_owned();
    #[cfg(feature = "ssr")]
    return url::form_urlencoded::byte_serialize(here.as_bytes()).collect();
    #[cfg(not(feature = "ssr"))]
    here
}
