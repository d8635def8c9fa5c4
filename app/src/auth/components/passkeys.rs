//! Passkeys in the browser. WebAuthn has no form: its ceremony is
//! JavaScript (`navigator.credentials`). The server renders the two offers
//! hidden — "Mit Passkey anmelden" on the login page (also offered in the
//! username field's autofill where the browser can) and "Passkey
//! hinzufügen" in Profil — and one small island without a view of its own
//! ([`PasskeyCeremonies`], like the form calls) shows them where the
//! browser can, and runs the ceremony on a click. It passes WebAuthn's own
//! JSON through (`PublicKeyCredential.parse…OptionsFromJSON`,
//! `credential.toJSON()`) and writes its messages into the page directly:
//! no view of its own to hydrate keeps the first load small. Without
//! JavaScript, or in a browser without these, the offers stay hidden: the
//! password and code path stays.

use super::*;
use crate::auth::{passkeys, passkeys_available, PasskeysView, RemovePasskey, PASSKEYS_SECTION};
use crate::t;

/// "Mit Passkey anmelden" below the login form, where passkeys work here.
#[component]
pub fn PasskeySignInOffer() -> impl IntoView {
    let available = Resource::new(|| (), |_| passkeys_available());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move { matches!(available.await, Ok(true)).then(|| view! { <PasskeySignIn/> }) })}
        </Suspense>
    }
}

/// The offer on the login page, hidden until [`PasskeyCeremonies`] shows it.
#[component]
fn PasskeySignIn() -> impl IntoView {
    let lang = crate::i18n::lang();
    view! {
        // What the browser says when the device's dialog fails: made here, in the page's language
        // (the WASM carries no texts).
        <form class="passkey-sign-in" data-passkey="sign-in" hidden
            data-cancelled=t!(lang, "passkey-sign-in-cancelled") data-failed=t!(lang, "passkey-sign-in-failed", error = ERROR_MARK)>
            <p class="muted">{t!(lang, "passkey-sign-in-intro")}</p>
            <button type="submit" class="button secondary">{t!(lang, "passkey-sign-in-submit")}</button>
        </form>
        <PasskeyCeremonies/>
    }
}

/// Where a browser's error name goes in an offer's `data-failed` text.
const ERROR_MARK: &str = "{error}";

/// The browser's part of both offers: shows them where WebAuthn and its
/// JSON helpers are there, and runs a ceremony on a click. What it says
/// when a ceremony fails is on the offer's form (`data-cancelled`, …).
#[island]
fn PasskeyCeremonies() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    Effect::new(|_| browser::attach());
}

/// Profil → Passkeys: the user's passkeys, "Entfernen", and "Passkey hinzufügen".
#[component]
pub fn PasskeysSection() -> impl IntoView {
    let lang = crate::i18n::lang();
    let remove = ServerAction::<RemovePasskey>::new();
    let list = Resource::new(move || remove.version().get(), |_| passkeys());
    let query = use_query_map();
    let notice = move || {
        let query = query.read();
        if query.get("bereich").as_deref() != Some(PASSKEYS_SECTION) {
            return None;
        }
        if query.get("hinzugefuegt").is_some() {
            Some(t!(lang, "passkey-added-notice"))
        } else if query.get("entfernt").is_some() {
            Some(t!(lang, "passkey-removed-notice"))
        } else {
            None
        }
    };
    let back = format!("{}?bereich={PASSKEYS_SECTION}", routes::PROFILE);
    view! {
        {move || notice().map(|text| view! { <p class="notice" role="status">{text}</p> })}
        {FormRefusal::from_address(Some(PASSKEYS_SECTION), &[]).general()}
        <Suspense fallback=loading>
            {move || {
                let back = back.clone();
                Suspend::new(async move {
                    match list.await {
                        Ok(PasskeysView { available: false, .. }) => view! {
                            <p class="muted">{t!(lang, "passkey-unavailable")}</p>
                        }.into_any(),
                        Ok(PasskeysView { entries, .. }) => view! {
                            <p>{t!(lang, "passkey-intro")}</p>
                            {entries.is_empty().then(|| view! { <p class="muted">{t!(lang, "passkey-none")}</p> })}
                            <ul class="sign-ins passkeys">
                                {entries.into_iter().map(|entry| {
                                    let label = t!(lang, "passkey-remove-label", name = entry.name.as_str());
                                    let used = match entry.last_used.as_deref() {
                                        Some(at) => t!(lang, "passkey-last-used", at = at),
                                        None => t!(lang, "passkey-never-used"),
                                    };
                                    view! {
                                        <li class="sign-in">
                                            <p><strong>{entry.name.clone()}</strong></p>
                                            <p class="muted">{t!(lang, "passkey-added-used", added = entry.added.as_str(), used = used.as_str())}</p>
                                            <ActionForm action=remove>
                                                <input type="hidden" name="id" value=entry.id.to_string()/>
                                                <button type="submit" class="button secondary small" aria-label=label>{t!(lang, "passkey-remove")}</button>
                                            </ActionForm>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <RecentSignInGate return_to=back id_prefix="passkey-reauth">
                                <AddPasskey/>
                            </RecentSignInGate>
                        }.into_any(),
                        Err(error) => crate::ui::alert(&error),
                    }
                })
            }}
        </Suspense>
    }
}

/// "Passkey hinzufügen": a name, then the device's own dialog; hidden until
/// [`PasskeyCeremonies`] shows it.
#[component]
fn AddPasskey() -> impl IntoView {
    let lang = crate::i18n::lang();
    view! {
        <noscript><p class="muted">{t!(lang, "passkey-add-needs-js")}</p></noscript>
        <form class="add-passkey" data-passkey="add" hidden
            data-cancelled=t!(lang, "passkey-add-cancelled") data-already-here=t!(lang, "passkey-already-here")
            data-failed=t!(lang, "passkey-add-failed", error = ERROR_MARK)>
            <div class="field">
                <label for="passkey-name">{t!(lang, "passkey-name-label")} <span class="required">"*"</span></label>
                <input id="passkey-name" name="name" type="text" maxlength="60" autocomplete="off" required aria-describedby="passkey-name-hint"/>
                <span class="hint" id="passkey-name-hint">{t!(lang, "passkey-name-hint")}</span>
            </div>
            <div class="actions">
                <button type="submit" class="button primary">{t!(lang, "passkey-add-submit")}</button>
            </div>
        </form>
        <PasskeyCeremonies/>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::ERROR_MARK;
    use crate::error::{AppError, Refusal};
    use crate::routes;
    use crate::ui::form_calls::browser::{go_on, send, show_refusal};
    use crate::ui::in_browser::{self, Failed};
    use leptos::prelude::*;
    use leptos::wasm_bindgen::{closure::Closure, JsCast, JsValue};
    use std::cell::{Cell, RefCell};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::js_sys::{Array, Function, Object, Promise, Reflect, JSON};
    use web_sys::{HtmlElement, HtmlFormElement};

    thread_local! {
        // One listener per document (a page change inside it keeps the document).
        static LISTENING: Cell<bool> = const { Cell::new(false) };
        // The autofill offer waiting in the username field, stopped before a ceremony of the button.
        static AUTOFILL: RefCell<Option<JsValue>> = const { RefCell::new(None) };
    }

    fn member(target: &JsValue, name: &str) -> Option<JsValue> {
        Reflect::get(target, &JsValue::from_str(name)).ok().filter(|value| !value.is_undefined() && !value.is_null())
    }

    fn global(name: &str) -> Option<JsValue> {
        member(&window().into(), name)
    }

    /// Shows this page's offers where WebAuthn and its JSON helpers
    /// (Chromium 129, Firefox 119, Safari 18.4) are there, and listens for them.
    pub fn attach() {
        let supported = global("PublicKeyCredential")
            .is_some_and(|class| member(&class, "parseRequestOptionsFromJSON").is_some() && member(&class, "parseCreationOptionsFromJSON").is_some());
        let Ok(offers) = document().query_selector_all("form[data-passkey]") else { return };
        if !supported || offers.length() == 0 {
            return;
        }
        for index in 0..offers.length() {
            if let Some(offer) = offers.item(index).and_then(|node| node.dyn_into::<HtmlElement>().ok()) {
                offer.set_hidden(false);
            }
        }
        offer_in_autofill();
        if LISTENING.with(|listening| listening.replace(true)) {
            return;
        }
        // Capturing, like the form calls (which leave these forms alone: they post nowhere).
        let on_submit = Closure::<dyn Fn(web_sys::SubmitEvent)>::new(submitted);
        let _ = document().add_event_listener_with_callback_and_bool("submit", on_submit.as_ref().unchecked_ref(), true);
        on_submit.forget();
    }

    fn submitted(event: web_sys::SubmitEvent) {
        let Some(form) = event.target().and_then(|target| target.dyn_into::<HtmlFormElement>().ok()) else { return };
        let Some(kind) = form.get_attribute("data-passkey") else { return };
        event.prevent_default();
        if form.has_attribute("aria-busy") {
            return;
        }
        let _ = form.set_attribute("aria-busy", "true");
        leptos::task::spawn_local(async move {
            let create = kind == "add";
            let outcome = ceremony_with_server(create, &form, None).await;
            let _ = form.remove_attribute("aria-busy");
            match outcome {
                Ok(next) => go_on(&next),
                Err(error) => show_refusal(&form, &error),
            }
        });
    }

    fn call(target: &JsValue, method: &str, argument: Option<&JsValue>) -> Result<JsValue, JsValue> {
        let function: Function = member(target, method).ok_or_else(|| JsValue::from_str(method))?.dyn_into()?;
        match argument {
            Some(argument) => function.call1(target, argument),
            None => function.call0(target),
        }
    }

    /// A ceremony from start to finish: the server's options (for `name`
    /// when adding), `navigator.credentials.create()` or `.get()` (with the
    /// autofill's `signal`, if it is that), the answer back to the server.
    /// `Ok` with the page the server sends the browser on to.
    async fn ceremony_with_server(create: bool, form: &HtmlFormElement, signal: Option<&JsValue>) -> Result<String, Failed> {
        if !create && signal.is_none() {
            if let Some(controller) = AUTOFILL.with(|waiting| waiting.take()) {
                let _ = call(&controller, "abort", None);
            }
        }
        let (start, finish) = if create { ("passkey_add_start", "passkey_add") } else { ("passkey_sign_in_start", "passkey_sign_in") };
        let name = web_sys::FormData::new_with_form(form).ok().and_then(|data| data.get("name").as_string()).unwrap_or_default();
        let response = in_browser::post(&endpoint(start), in_browser::encoded("name", &name)).await?;
        let challenge = JSON::parse(&in_browser::text(&response).await?).unwrap_or(JsValue::NULL);
        let text_of = |name: &str| member(&challenge, name).and_then(|value| value.as_string()).unwrap_or_default();
        let credential = ceremony(create, &text_of("options"), signal).await.map_err(|error| {
            // The offer's own texts, in the page's language.
            let said = |name: &str| form.get_attribute(name).unwrap_or_default();
            let message = match error.as_str() {
                "NotAllowedError" | "AbortError" => said("data-cancelled"),
                "InvalidStateError" => said("data-already-here"),
                other => said("data-failed").replace(ERROR_MARK, other),
            };
            // Said by the browser, not the server: no field, the text above the form.
            Failed { error: AppError::refused(Refusal::Other(String::new())), message }
        })?;
        let body = format!("{}&{}", in_browser::encoded("ceremony", &text_of("ceremony")), in_browser::encoded("credential", &credential));
        Ok(send(&endpoint(finish), body).await?.unwrap_or_else(|| routes::HOME.to_owned()))
    }

    fn endpoint(name: &str) -> String {
        format!("{}/auth/{name}", routes::SERVER_FN_PREFIX)
    }

    /// `navigator.credentials.create()` (`create`) or `.get()` with the
    /// server's options; the credential as WebAuthn's JSON. `Err` with the
    /// browser's error name (`NotAllowedError` when the user cancelled).
    async fn ceremony(create: bool, options: &str, autofill: Option<&JsValue>) -> Result<String, String> {
        let failed = |error: JsValue| member(&error, "name").and_then(|name| name.as_string()).unwrap_or_else(|| "Error".to_owned());
        let class = global("PublicKeyCredential").ok_or("NotSupportedError")?;
        let parser = if create { "parseCreationOptionsFromJSON" } else { "parseRequestOptionsFromJSON" };
        let public_key = call(&class, parser, Some(&JSON::parse(options).map_err(failed)?)).map_err(failed)?;
        let request = Object::new();
        let _ = Reflect::set(&request, &"publicKey".into(), &public_key);
        if let Some(signal) = autofill {
            let _ = Reflect::set(&request, &"mediation".into(), &"conditional".into());
            let _ = Reflect::set(&request, &"signal".into(), signal);
        }
        let credentials = global("navigator").and_then(|navigator| member(&navigator, "credentials")).ok_or("NotSupportedError")?;
        let promise: Promise = call(&credentials, if create { "create" } else { "get" }, Some(&request)).map_err(failed)?.dyn_into().map_err(failed)?;
        let credential = JsFuture::from(promise).await.map_err(failed)?;
        let json = call(&credential, "toJSON", None).map_err(failed)?;
        JSON::stringify(&json).map(String::from).map_err(failed)
    }

    /// Where the browser offers passkeys among the username field's
    /// suggestions, a sign-in waits there, asked for once the field is used
    /// (not on every view of the login page).
    fn offer_in_autofill() {
        let (Some(field), Some(form)) = (document().get_element_by_id("username"), document().query_selector("form[data-passkey=sign-in]").ok().flatten()) else {
            return;
        };
        let Ok(form) = form.dyn_into::<HtmlFormElement>() else { return };
        let on_focus = Closure::once_into_js(move || {
            leptos::task::spawn_local(async move {
                let Some(class) = global("PublicKeyCredential") else { return };
                let Some(available) = call(&class, "isConditionalMediationAvailable", None).ok().and_then(|promise| promise.dyn_into::<Promise>().ok()) else {
                    return;
                };
                if JsFuture::from(available).await.ok().and_then(|answer| answer.as_bool()) != Some(true) {
                    return;
                }
                let Some(class) = global("AbortController").map(|class| class.unchecked_into::<Function>()) else { return };
                let Ok(controller) = Reflect::construct(&class, &Array::new()) else { return };
                let signal = member(&controller, "signal");
                AUTOFILL.with(|waiting| waiting.replace(Some(controller)));
                // Stopped for the button, or dismissed: nothing to say.
                if let Ok(next) = ceremony_with_server(false, &form, signal.as_ref()).await {
                    go_on(&next);
                }
            });
        });
        let options = web_sys::AddEventListenerOptions::new();
        options.set_once(true);
        let _ = field.add_event_listener_with_callback_and_add_event_listener_options("focus", on_focus.unchecked_ref(), &options);
    }
}
