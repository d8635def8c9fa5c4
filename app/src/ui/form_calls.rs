//! Forms that call their server function from the browser. Every form of the
//! portal is a plain HTML form that posts to its `#[server]` function under
//! `/api/…` (and works so without JavaScript). Once the WASM runs, this
//! island sends such a form itself by `fetch`, as the typed call does, and
//! gets the function's typed [`AppError`] ([`super::in_browser`]).
//!
//! - a refusal shows in place: at the field it concerns (`aria-invalid`, the
//!   message under it and in its `aria-describedby`, the focus on it), or
//!   above the form; what was typed stays, passwords excepted;
//! - a success goes on to the page the function names (what a plain post is
//!   redirected to), which `navigation.js` puts in place inside this
//!   document (`kp:navigate`), or a page load where it cannot.
//!
//! A form posted before the WASM has loaded goes through `navigation.js` or
//! the browser, and the page shows the refusal just the same
//! ([`super::FormRefusal`]).

use leptos::prelude::*;

/// The island, once per page, next to [`super::HydrationMark`].
#[island]
pub fn FormCalls() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(|_| browser::listen());
}

#[cfg(feature = "hydrate")]
pub(crate) mod browser {
    use crate::error::AppError;
    use crate::ui::in_browser::Failed;
    use crate::ui::{in_browser, message_id, ALERT_CLASS, FIELD_ERROR_CLASS, MESSAGE_ID_SUFFIX};
    use leptos::prelude::*;
    use leptos::wasm_bindgen::{closure::Closure, JsCast, JsValue};
    use web_sys::{Element, Event, EventInit, HtmlElement, HtmlFormElement, HtmlInputElement};
    use std::cell::Cell;

    thread_local! {
        // The listener outlives the island (a page change may drop it): one per document.
        static LISTENING: Cell<bool> = const { Cell::new(false) };
    }

    pub fn listen() {
        if LISTENING.with(|listening| listening.replace(true)) {
            return;
        }
        let on_submit = Closure::<dyn Fn(web_sys::SubmitEvent)>::new(submitted);
        // Capturing: before `navigation.js`, which leaves a form alone that is taken care of.
        let _ = document().add_event_listener_with_callback_and_bool("submit", on_submit.as_ref().unchecked_ref(), true);
        on_submit.forget();
    }

    /// What a submit button may override of its form.
    fn attribute(form: &HtmlFormElement, submitter: Option<&HtmlElement>, name: &str) -> Option<String> {
        submitter.and_then(|button| button.get_attribute(&format!("form{name}"))).or_else(|| form.get_attribute(name))
    }

    fn submitted(event: web_sys::SubmitEvent) {
        if event.default_prevented() {
            return;
        }
        let Some(form) = event.target().and_then(|target| target.dyn_into::<HtmlFormElement>().ok()) else { return };
        let submitter = event.submitter().and_then(|button| button.dyn_into::<HtmlElement>().ok());
        let method = attribute(&form, submitter.as_ref(), "method").unwrap_or_default().to_ascii_lowercase();
        let action = attribute(&form, submitter.as_ref(), "action").unwrap_or_default();
        let multipart = attribute(&form, submitter.as_ref(), "enctype").is_some_and(|kind| kind.eq_ignore_ascii_case("multipart/form-data"));
        // Sign-out and the like stay the browser's own; so does a form sent again after a failure.
        let native = form.has_attribute("data-kp-reload")
            || form.has_attribute("data-kp-native")
            || submitter.as_ref().is_some_and(|button| button.has_attribute("data-kp-reload"))
            || !form.target().is_empty();
        if method != "post" || !action.starts_with("/api/") || multipart || native {
            return;
        }
        event.prevent_default();
        if form.has_attribute("aria-busy") {
            return; // sent already; the answer is on its way
        }
        let Some(body) = url_encoded(&form, submitter.as_ref()) else {
            let _ = form.set_attribute("data-kp-native", "");
            let _ = form.request_submit();
            return;
        };
        leptos::task::spawn_local(call(form, action, body));
    }

    /// The form's fields as the browser would post them, the clicked button's name and value included.
    fn url_encoded(form: &HtmlFormElement, submitter: Option<&HtmlElement>) -> Option<String> {
        let data = web_sys::FormData::new_with_form(form).ok()?;
        if let Some(button) = submitter {
            let name = button.get_attribute("name").unwrap_or_default();
            if !name.is_empty() {
                let value = button.get_attribute("value").unwrap_or_default();
                data.append_with_str(&name, &value).ok()?;
            }
        }
        let params = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
        Some(params.to_string().into())
    }

    async fn call(form: HtmlFormElement, action: String, body: String) {
        let _ = form.set_attribute("aria-busy", "true");
        let answer = send(&action, body).await;
        let _ = form.remove_attribute("aria-busy");
        match answer {
            Ok(next) => go_on(next.as_deref().unwrap_or(&in_browser::here())),
            Err(Failed { error: AppError::NotSignedIn | AppError::SetupPending, .. }) => {
                // The page itself knows where to go (the login, the first-sign-in step still open).
                let _ = window().location().reload();
            }
            // The page asks for the password first ("Passwort bestätigen").
            Err(Failed { error: AppError::ReauthRequired, .. }) => go_on(&in_browser::here()),
            Err(failed) => show_refusal(&form, &failed),
        }
    }

    /// Calls the server function; `Ok` with the page it names to go on to.
    pub(crate) async fn send(action: &str, body: String) -> Result<Option<String>, Failed> {
        let response = in_browser::post(action, body).await?;
        let header = |name: &str| response.headers().get(name).ok().flatten();
        Ok(header("serverfnredirect").and(header("location")))
    }

    /// The page `url` in place of this one (`navigation.js`), or loaded.
    pub(crate) fn go_on(url: &str) {
        if !in_browser::navigation_takes("kp:navigate", &[("url", url.into()), ("settle", JsValue::TRUE)]) {
            let _ = window().location().assign(url);
        }
    }

    /// The refusal at its field, or above the form; what the last one marked is cleared first.
    pub(crate) fn show_refusal(form: &HtmlFormElement, failed: &Failed) {
        clear_marks(form);
        forget_passwords(form);
        let message = &failed.message;
        let field = failed.error.field().and_then(|name| named_input(form, name)).filter(|input| !input.id().is_empty());
        let Some(input) = field else {
            if let Ok(alert) = document().create_element("p") {
                alert.set_class_name(ALERT_CLASS);
                let _ = alert.set_attribute("role", "alert");
                alert.set_text_content(Some(message));
                let _ = form.prepend_with_node_1(&alert);
            }
            return;
        };
        let message_id = message_id(&input.id());
        if let Ok(shown) = document().create_element("p") {
            shown.set_class_name(FIELD_ERROR_CLASS);
            shown.set_id(&message_id);
            shown.set_text_content(Some(message));
            let _ = input.after_with_node_1(&shown);
        }
        let _ = input.set_attribute("aria-invalid", "true");
        let described = input.get_attribute("aria-describedby").map_or(message_id.clone(), |ids| format!("{ids} {message_id}"));
        let _ = input.set_attribute("aria-describedby", &described);
        if let Some(input) = input.dyn_ref::<HtmlElement>() {
            let _ = input.focus();
        }
    }

    fn named_input(form: &HtmlFormElement, name: &str) -> Option<Element> {
        let found = form.query_selector(&format!("[name=\"{name}\"]")).ok().flatten()?;
        (found.get_attribute("type").as_deref() != Some("hidden")).then_some(found)
    }

    fn clear_marks(form: &HtmlFormElement) {
        for selector in [format!(".{FIELD_ERROR_CLASS}"), format!(".{ALERT_CLASS}[role=\"alert\"]")] {
            if let Ok(shown) = form.query_selector_all(&selector) {
                for index in 0..shown.length() {
                    if let Some(node) = shown.item(index).and_then(|node| node.dyn_into::<Element>().ok()) {
                        node.remove();
                    }
                }
            }
        }
        if let Ok(marked) = form.query_selector_all("[aria-invalid]") {
            for index in 0..marked.length() {
                if let Some(input) = marked.item(index).and_then(|node| node.dyn_into::<Element>().ok()) {
                    let _ = input.remove_attribute("aria-invalid");
                    let _ = input.remove_attribute("autofocus");
                    if let Some(ids) = input.get_attribute("aria-describedby") {
                        let kept: Vec<&str> = ids.split_whitespace().filter(|id| !id.ends_with(MESSAGE_ID_SUFFIX)).collect();
                        let _ = if kept.is_empty() {
                            input.remove_attribute("aria-describedby")
                        } else {
                            input.set_attribute("aria-describedby", &kept.join(" "))
                        };
                    }
                }
            }
        }
    }

    /// A refused form keeps what was typed, but no password: an island that
    /// shows rules for it hears of the change.
    fn forget_passwords(form: &HtmlFormElement) {
        let Ok(fields) = form.query_selector_all("input[type=\"password\"]") else { return };
        for index in 0..fields.length() {
            if let Some(field) = fields.item(index).and_then(|node| node.dyn_into::<HtmlInputElement>().ok()) {
                field.set_value("");
                if let Ok(event) = Event::new_with_event_init_dict("input", &{
                    let init = EventInit::new();
                    init.set_bubbles(true);
                    init
                }) {
                    let _ = field.dispatch_event(&event);
                }
            }
        }
    }
}
