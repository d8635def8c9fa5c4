//! Pieces every page may use, whatever its feature: the title bar and the
//! page's `main` landmark, how a form shows a refusal, and the island that
//! sends forms to their server functions. Knows no feature.

use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

pub(crate) mod form_calls;
pub use form_calls::FormCalls;
mod language_switch;
pub use language_switch::LanguageSwitch;
#[cfg(feature = "hydrate")]
pub(crate) mod in_browser;

/// The id of every page's `main` landmark; the skip link jumps there.
pub const MAIN_ID: &str = "inhalt";

/// The green bar with the page's name (and the document title).
#[component]
pub fn PageTitle(#[prop(into)] title: String) -> impl IntoView {
    let portal = crate::t!(crate::i18n::lang(), "portal-name");
    view! {
        <Title text=format!("{title} – {portal}")/>
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
    let lang = crate::i18n::lang();
    view! { <a class="skip-link" href=format!("#{MAIN_ID}") rel="external">{crate::t!(lang, "ui-skip-link")}</a> }
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

/// The refusal a form came back with, read from its page's address after
/// the post (`?fehler=CODE&feld=NAME`; on a page with several forms only for
/// the one its `bereich=…` names). A refusal about one field is shown next to
/// that field — `aria-invalid`, the message tied to it by
/// `aria-describedby`, focus on it — and one about the whole form above it.
/// (`Copy`, so that a form's children may use it however often they render.)
#[derive(Debug, Clone, Copy)]
pub struct FormRefusal(StoredValue<Refused>);

/// The markup of a refusal, the same whether the server renders it or the
/// form calls ([`FormCalls`]) put it in place: the message under a field has
/// this class and the id `{input id}{MESSAGE_ID_SUFFIX}`; one about the whole
/// form stands above it with this class and `role="alert"`.
pub(crate) const FIELD_ERROR_CLASS: &str = "field-error";
pub(crate) const ALERT_CLASS: &str = "alert";
pub(crate) const MESSAGE_ID_SUFFIX: &str = "-fehler";

/// The id of the message under the input `id`.
pub(crate) fn message_id(id: &str) -> String {
    format!("{id}{MESSAGE_ID_SUFFIX}")
}

/// What [`FormRefusal`] holds; an island that renders fields gets it as a
/// prop. The message is worded on the server, in the request's language.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Refused {
    message: Option<String>,
    field: Option<String>,
}

impl FormRefusal {
    /// The refusal in the address for the form of `section` (`None`: the
    /// page's main form) whose fields are `fields`. A field the form does not
    /// have turns the refusal into one about the whole form.
    pub fn from_address(section: Option<&str>, fields: &[&str]) -> Self {
        let query = use_query_map();
        let query = query.read_untracked();
        let mut refused = Refused::default();
        if query.get("bereich").as_deref() == section {
            if let Some(code) = query.get("fehler") {
                refused.message = Some(error_text(&AppError::from_form_code(&code)));
                refused.field = query.get(crate::routes::FIELD_PARAM).filter(|field| fields.contains(&field.as_str()));
            }
        }
        Self(StoredValue::new(refused))
    }

    /// A refusal the page's own query met (a filter of a GET form), shown
    /// like one a post came back with; the page answers with its status.
    pub fn of(error: &AppError, fields: &[&str]) -> Self {
        #[cfg(feature = "ssr")]
        error.set_page_status();
        let field = error.field().filter(|field| fields.contains(field)).map(str::to_owned);
        Self(StoredValue::new(Refused { message: Some(error_text(error)), field }))
    }

    /// No refusal.
    pub fn none() -> Self {
        Self(StoredValue::new(Refused::default()))
    }

    /// What an island needs to show it.
    pub fn refused(self) -> Refused {
        self.0.get_value()
    }

    pub fn about(self, field: &str) -> bool {
        self.0.with_value(|refused| refused.about(field))
    }

    pub fn general(self) -> Option<AnyView> {
        self.0.with_value(Refused::general)
    }

    pub fn invalid(self, field: &str) -> Option<&'static str> {
        self.0.with_value(|refused| refused.invalid(field))
    }

    pub fn described_by(self, field: &str, id: &str, also: Option<&str>) -> Option<String> {
        self.0.with_value(|refused| refused.described_by(field, id, also))
    }

    pub fn message(self, field: &str, id: &str) -> Option<AnyView> {
        self.0.with_value(|refused| refused.message(field, id))
    }
}

impl Refused {
    /// True if the refusal is about the field named `field`.
    pub fn about(&self, field: &str) -> bool {
        self.message.is_some() && self.field.as_deref() == Some(field)
    }

    /// The message above the form, for a refusal about the form as a whole.
    pub fn general(&self) -> Option<AnyView> {
        let message = self.message.clone().filter(|_| self.field.is_none())?;
        Some(view! { <p class=ALERT_CLASS role="alert">{message}</p> }.into_any())
    }

    /// `aria-invalid` for the input named `field`.
    pub fn invalid(&self, field: &str) -> Option<&'static str> {
        self.about(field).then_some("true")
    }

    /// `aria-describedby` for the input `id` named `field`: its message, after
    /// what describes it anyway (`also`, e.g. the password rules).
    pub fn described_by(&self, field: &str, id: &str, also: Option<&str>) -> Option<String> {
        let message = self.about(field).then(|| message_id(id));
        match (also, message) {
            (Some(also), Some(message)) => Some(format!("{also} {message}")),
            (Some(also), None) => Some(also.to_owned()),
            (None, message) => message,
        }
    }

    /// The message under the input `id` named `field`, if the refusal is about it.
    pub fn message(&self, field: &str, id: &str) -> Option<AnyView> {
        let message = self.message.clone().filter(|_| self.about(field))?;
        Some(view! { <p class=FIELD_ERROR_CLASS id=message_id(id)>{message}</p> }.into_any())
    }
}

/// A refusal shown instead of a page's content; rendered on the server, the
/// page answers with the error's status (403 for a missing right, 404, 410
/// for a used link).
pub fn refused(error: AppError) -> AnyView {
    #[cfg(feature = "ssr")]
    error.set_page_status();
    alert(&error)
}

/// A failed load shown where its content would be (a list, a form's data);
/// unlike [`refused`] the page keeps its status.
pub fn alert(error: &AppError) -> AnyView {
    view! { <p class=ALERT_CLASS role="alert">{error_text(error)}</p> }.into_any()
}

/// What a page tells the user about `error`: its message in the request's
/// language, worded on the server. (The browser has no texts: there it is
/// only the error's code, which no page of ours renders.)
pub fn error_text(error: &AppError) -> String {
    #[cfg(feature = "ssr")]
    {
        error.message(crate::i18n::lang())
    }
    #[cfg(not(feature = "ssr"))]
    {
        error.to_string()
    }
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
