//! The document list in the browser. A filter sent, the search typed into,
//! a column header, a pager link or "Zurücksetzen" names an address of the
//! list; the list's server function (`documents/show`) renders the results
//! for it as the page would, and they take the place of the ones shown.
//! `navigation.js` adds the history entry (`kp:shown`), so back, forward and
//! a reload show the same list. A call that fails (the session ended, no
//! answer) becomes a page load of the address: never a dead click.

use super::{RESULTS_ID, SEARCH_ID};
use crate::documents::ListShown;
use crate::ui::in_browser;
use leptos::leptos_dom::helpers::TimeoutHandle;
use leptos::prelude::*;
use leptos::wasm_bindgen::{JsCast, JsValue};
use std::cell::Cell;
use std::time::Duration;
use web_sys::{Element, HtmlElement, HtmlFormElement};

type Section = NodeRef<leptos::html::Section>;

/// What asked for the list, and so where the focus goes once it is shown.
#[derive(Clone, Copy, PartialEq)]
enum Asked {
    /// The search as you type: focus and scroll stay, the history entry is replaced.
    Typing,
    /// "Anzeigen": the focus stays on the button.
    Form,
    /// The n-th column header: its link in the new table gets the focus (a second click turns the order).
    Header(u32),
    /// The pager or "Zurücksetzen": the results' first line (the count) gets the focus and comes into view.
    Link,
}

/// A moment after the last key the search is sent.
const TYPING_PAUSE: Duration = Duration::from_millis(400);

thread_local! {
    // Only the answer to the latest call is shown (typing sends one call after another).
    static LATEST: Cell<u32> = const { Cell::new(0) };
    static WAITING: Cell<Option<TimeoutHandle>> = const { Cell::new(None) };
}

/// Back to a search (a reload, back and forward): the user goes on typing where they were.
pub fn arrived(section: Section) {
    let Some(host) = section.get() else { return };
    let Some(search) = host.query_selector(&format!("#{SEARCH_ID}")).ok().flatten().and_then(|found| found.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    if !search.value().is_empty() {
        let _ = search.focus();
        let end = search.value().encode_utf16().count() as u32;
        let _ = search.set_selection_range(end, end);
    }
}

pub fn typed(event: web_sys::Event) {
    let Some(search) = event.target().and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
    if search.id() != SEARCH_ID {
        return;
    }
    if let Some(earlier) = WAITING.take() {
        earlier.clear();
    }
    let send = move || {
        if let Some(form) = search.form() {
            // A submit without a submitter: `form_sent` knows it is the typing.
            let _ = form.request_submit();
        }
    };
    WAITING.set(set_timeout_with_handle(send, TYPING_PAUSE).ok());
}

pub fn form_sent(event: web_sys::SubmitEvent, section: Section) {
    if event.default_prevented() {
        return;
    }
    let Some(form) = event.target().and_then(|target| target.dyn_into::<HtmlFormElement>().ok()) else { return };
    let Some(params) = web_sys::FormData::new_with_form(&form).ok().and_then(|data| web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok())
    else {
        return;
    };
    event.prevent_default();
    let asked = if event.submitter().is_none() { Asked::Typing } else { Asked::Form };
    let action = form.get_attribute("action").unwrap_or_default();
    show(format!("{action}?{}", String::from(params.to_string())), asked, section);
}

pub fn link_clicked(event: web_sys::MouseEvent, section: Section) {
    if event.default_prevented() || event.button() != 0 || event.meta_key() || event.ctrl_key() || event.shift_key() || event.alt_key() {
        return;
    }
    let Some(link) = event.target().and_then(|target| target.dyn_into::<Element>().ok()).and_then(|target| target.closest("a[href]").ok().flatten())
    else {
        return;
    };
    let href = link.get_attribute("href").unwrap_or_default();
    let path = href.split_once('?').map_or(href.as_str(), |(path, _)| path);
    if path != crate::routes::DOCUMENTS || link.has_attribute("download") || link.has_attribute("target") {
        return;
    }
    event.prevent_default();
    let column = link.closest("th").ok().flatten().and_then(|cell| cell.dyn_into::<web_sys::HtmlTableCellElement>().ok());
    let asked = column.map_or(Asked::Link, |cell| Asked::Header(cell.cell_index().max(0) as u32));
    show(href, asked, section);
}

/// Calls the list's server function for `address` and shows its answer —
/// unless the user has moved on meanwhile: a newer call, another page or
/// back and forward (the address is no longer the one the call began at).
fn show(address: String, asked: Asked, section: Section) {
    if asked != Asked::Typing {
        // A search still waiting for the typing to pause would undo this.
        if let Some(waiting) = WAITING.take() {
            waiting.clear();
        }
    }
    let call = LATEST.with(|latest| latest.get().wrapping_add(1));
    LATEST.with(|latest| latest.set(call));
    let Some(host) = section.get_untracked() else { return };
    let began_at = in_browser::here();
    let _ = host.set_attribute("aria-busy", "true");
    leptos::task::spawn_local(async move {
        let answer = fetch(&address).await;
        if LATEST.with(Cell::get) != call {
            return; // a newer call is on its way
        }
        let _ = host.remove_attribute("aria-busy");
        if !host.is_connected() || in_browser::here() != began_at {
            return;
        }
        let results = document().get_element_by_id(RESULTS_ID).filter(|results| host.contains(Some(results.as_ref())));
        match (answer, results) {
            (Ok(shown), Some(results)) => {
                results.set_inner_html(&shown.html);
                if asked != Asked::Typing && asked != Asked::Form {
                    set_fields(&host, &shown.fields);
                }
                follow_address(&shown.address, asked == Asked::Typing);
                settle(asked, &results, &shown.summary);
            }
            (Ok(_), None) => {}
            // Signed out meanwhile, or no answer: the page load shows why (or the login).
            (Err(_), _) => {
                let _ = window().location().assign(&address);
            }
        }
    });
}

/// The list for `address`; `Err` when it did not come (the page load then shows why).
async fn fetch(address: &str) -> Result<ListShown, ()> {
    let response = in_browser::post("/api/documents/show", in_browser::encoded("address", address)).await.map_err(|_| ())?;
    let text = in_browser::text(&response).await.map_err(|_| ())?;
    leptos::serde_json::from_str(&text).map_err(|_| ())
}

/// A link the list follows sets the filter form to what it shows
/// ("Zurücksetzen" empties it); a form sent keeps what was typed.
fn set_fields(host: &HtmlElement, fields: &[(String, String)]) {
    let Some(form) = host.query_selector("form").ok().flatten().and_then(|form| form.dyn_into::<HtmlFormElement>().ok()) else { return };
    for (name, value) in fields {
        let Some(field) = form.elements().named_item(name) else { continue };
        // A checkbox keeps its value; whether it is ticked is what the address says.
        match field.dyn_ref::<web_sys::HtmlInputElement>().filter(|input| input.type_() == "checkbox") {
            Some(checkbox) => checkbox.set_checked(checkbox.value() == *value),
            None => {
                let _ = web_sys::js_sys::Reflect::set(&field, &"value".into(), &value.into());
            }
        }
    }
}

/// The address bar follows: `navigation.js` keeps the history (and the
/// scroll position of the entry left); without it, the history itself.
fn follow_address(address: &str, replace: bool) {
    if in_browser::navigation_takes("kp:shown", &[("url", address.into()), ("replace", JsValue::from_bool(replace))]) {
        return;
    }
    let _ = window().history().and_then(|history| {
        if replace {
            history.replace_state_with_url(&JsValue::NULL, "", Some(address))
        } else {
            history.push_state_with_url(&JsValue::NULL, "", Some(address))
        }
    });
}

/// Focus and announcement once the new results are in place.
fn settle(asked: Asked, results: &Element, summary: &str) {
    let find = |selector: &str| results.query_selector(selector).ok().flatten().and_then(|found| found.dyn_into::<HtmlElement>().ok());
    match asked {
        Asked::Typing | Asked::Form => {}
        Asked::Header(column) => {
            if let Some(link) = find(&format!("thead th:nth-child({}) a", column + 1)) {
                let _ = link.focus();
            }
        }
        Asked::Link => {
            if let Some(first) = find(".result-count").or_else(|| find(".empty")) {
                first.scroll_into_view();
                let _ = first.focus();
            }
        }
    }
    if let Some(announcer) = document().get_element_by_id("kp-announcer") {
        // Emptied first, so that the same words are announced again.
        announcer.set_text_content(None);
        let summary = summary.to_owned();
        set_timeout(move || announcer.set_text_content(Some(&summary)), Duration::from_millis(50));
    }
}
