//! What the islands share in the browser: telling the navigation script
//! (`navigation.js`) what they did, and calling a server function — one `POST` by `fetch` with
//! the arguments URL-encoded and `Accept: application/json`, as the typed
//! call sends it, the function's typed [`AppError`] decoded with the server
//! functions' own codec (`FromServerFnError::de`), with its text as the
//! server wrote it in the page's language (the header `kp-message`: the
//! WASM carries no texts of its own). Server_fn's
//! `BrowserClient` (gloo-net) would send the same request for 3.5 KB more
//! WASM (brotli); both the form calls and the document list use this one.

use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::error::FromServerFnError;
use leptos::wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CustomEvent, CustomEventInit};

/// A call that did not succeed: the function's typed error and the text to show for it.
#[derive(Debug, Clone)]
pub(crate) struct Failed {
    pub error: AppError,
    pub message: String,
}

impl From<AppError> for Failed {
    /// An error that came without the server's text: no answer at all.
    /// What to say then is in the page (`<meta name="kp-unreachable">`), in its language.
    fn from(error: AppError) -> Self {
        let message = document()
            .query_selector("meta[name=\"kp-unreachable\"]")
            .ok()
            .flatten()
            .and_then(|meta| meta.get_attribute("content"))
            .unwrap_or_default();
        Failed { error, message }
    }
}

/// The function's answer when it succeeded; its error (or
/// [`AppError::Unreachable`] when no answer came) otherwise.
pub(crate) async fn post(action: &str, body: String) -> Result<web_sys::Response, Failed> {
    let unreachable = |_| Failed::from(AppError::Unreachable);
    let headers = web_sys::Headers::new().map_err(unreachable)?;
    headers.set("Content-Type", "application/x-www-form-urlencoded").map_err(unreachable)?;
    headers.set("Accept", "application/json").map_err(unreachable)?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(&body));
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    let answer = JsFuture::from(window().fetch_with_str_and_init(action, &init)).await.map_err(unreachable)?;
    let response: web_sys::Response = answer.unchecked_into();
    if response.ok() {
        return Ok(response);
    }
    let message = response
        .headers()
        .get("kp-message")
        .ok()
        .flatten()
        .and_then(|encoded| web_sys::js_sys::decode_uri_component(&encoded).ok())
        .and_then(|decoded| decoded.as_string());
    let error = AppError::de(text(&response).await?.into());
    match message {
        Some(message) => Err(Failed { error, message }),
        None => Err(Failed::from(error)),
    }
}

/// The body of an answer, as text.
pub(crate) async fn text(response: &web_sys::Response) -> Result<String, Failed> {
    let unreachable = |_| Failed::from(AppError::Unreachable);
    let text = JsFuture::from(response.text().map_err(unreachable)?).await.map_err(unreachable)?;
    text.as_string().ok_or_else(|| Failed::from(AppError::Unreachable))
}

/// One URL-encoded `name=value` pair.
pub(crate) fn encoded(name: &str, value: &str) -> String {
    let params = web_sys::UrlSearchParams::new().ok();
    params
        .map(|params| {
            params.append(name, value);
            String::from(params.to_string())
        })
        .unwrap_or_default()
}

/// The address shown, path and query.
pub(crate) fn here() -> String {
    let location = window().location();
    location.pathname().unwrap_or_default() + &location.search().unwrap_or_default()
}

/// Sends `navigation.js` the event `name` with `detail`; whether it took
/// it (it cancels what it takes). Where it is missing the island does the
/// work itself.
pub(crate) fn navigation_takes(name: &str, detail: &[(&str, JsValue)]) -> bool {
    let object = web_sys::js_sys::Object::new();
    for (key, value) in detail {
        let _ = web_sys::js_sys::Reflect::set(&object, &JsValue::from_str(key), value);
    }
    let init = CustomEventInit::new();
    init.set_detail(&object);
    init.set_cancelable(true);
    CustomEvent::new_with_event_init_dict(name, &init).map(|event| !window().dispatch_event(&event).unwrap_or(true)).unwrap_or(false)
}
