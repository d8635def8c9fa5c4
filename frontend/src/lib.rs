//! The browser half: hydrates the islands of the server-rendered page
//! (`#[island]` components in `app`); everything else stays server HTML.

// Keeps the `app` crate — and so its islands' exports — in the WASM.
#[allow(unused_imports)]
use app::*;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
