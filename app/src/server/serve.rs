//! The one way every server function runs: the state, who is calling
//! (checked before anything else, by a guard of `crate::auth::ssr` or
//! [`anyone`]), the work — a plain `async fn` of the feature's `ssr` module
//! that tests call directly — and the answer: the typed error for the app,
//! and for a form the browser posted itself (no JavaScript) a redirect back
//! with the refusal's code and field, or on to the page that shows what was
//! done. Also the request plumbing it needs (the client's address, the
//! per-address limits, telling a plain form post from the app's call).
//!
//! ```ignore
//! #[server(endpoint = "forwardings/remove")]
//! pub async fn remove_forwarding(id: i64) -> Result<(), AppError> {
//!     let guard = require_permission_to_change(Permission::ManageForwardings);
//!     let refused = format!("{}?bereich={REMOVE_SECTION}", routes::FORWARDINGS);
//!     let served = serve(guard, &refused, async |state, user, ip| Ok(ssr::remove(state, &user, id, ip).await?)).await?;
//!     Ok(served.then_show(&format!("{}?entfernt=1", routes::FORWARDINGS)))
//! }
//! ```

use crate::error::AppError;
use crate::routes;
use crate::server::limits::{client_address, LimitedAction};
use crate::server::state::AppState;
use http::header::ACCEPT;
use http::request::Parts;
use leptos::prelude::{expect_context, use_context};
use std::future::Future;

/// What a served server function did, with the state for what follows
/// (a session cookie, a redirect that depends on the outcome).
#[must_use = "a form posted without JavaScript needs to be told where to go"]
pub struct Served<T> {
    pub state: AppState,
    pub value: T,
}

impl<T> Served<T> {
    /// Where the caller goes on to: a form posted without JavaScript is
    /// redirected to `page`; the app gets the value and `page` in `Location`
    /// (with `serverfnredirect`, status 200) and shows it in place.
    pub fn then_show(self, page: &str) -> T {
        leptos_axum::redirect(page);
        self.value
    }
}

/// Runs `work` for the caller `guard` admits (one of `require_user`,
/// `require_permission(…)`, `require_permission_to_change(…)`,
/// `require_session`, [`anyone`], each optionally [`limited`]). A refusal —
/// by the guard or by the work — is returned typed; a form posted without
/// JavaScript is also sent back to `refused_page` with its code and field.
pub async fn serve<C, T>(
    guard: impl Future<Output = Result<C, AppError>>,
    refused_page: &str,
    work: impl AsyncFnOnce(&AppState, C, Option<String>) -> Result<T, AppError>,
) -> Result<Served<T>, AppError> {
    // Contexts first: while a page renders they are not reliably there after an await.
    let (state, ip) = (expect_context::<AppState>(), client_ip());
    let result = match guard.await {
        Ok(caller) => work(&state, caller, ip).await,
        Err(refused) => Err(refused),
    };
    let value = send_back_on_error(result, refused_page)?;
    Ok(Served { state, value })
}

/// A guard that admits everybody: for the pages behind mailed links and
/// the forms before sign-in (their token or their limit is the check).
pub async fn anyone() -> Result<(), AppError> {
    Ok(())
}

/// `guard`, after counting the request against the client's per-minute
/// allowance for `action` (sign-in-like forms, mailed links).
pub fn limited<C>(
    action: LimitedAction,
    guard: impl Future<Output = Result<C, AppError>>,
) -> impl Future<Output = Result<C, AppError>> {
    let state = expect_context::<AppState>();
    async move {
        limit(&state, action)?;
        guard.await
    }
}

/// [`serve`] for a server function that only reads (the pages call it while
/// they render; no form posts to it): the caller `guard` admits, and the answer.
pub async fn read<C, T>(
    guard: impl Future<Output = Result<C, AppError>>,
    work: impl AsyncFnOnce(&AppState, C) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let state = expect_context::<AppState>();
    work(&state, guard.await?).await
}

/// The current request inside a server function.
pub fn request_parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// The client's address (see [`client_address`]), for the audit log.
pub fn client_ip() -> Option<String> {
    let state = use_context::<AppState>()?;
    client_address(&request_parts()?, &state.config).map(|ip| ip.to_string())
}

/// Counts this request against the client's per-minute allowance for `action`.
pub fn limit(state: &AppState, action: LimitedAction) -> Result<(), AppError> {
    let client = request_parts()
        .and_then(|parts| client_address(&parts, &state.config))
        .unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    state.rate_limits.check(action, client).map_err(|wait| {
        tracing::warn!(?action, %client, "per-address limit reached");
        if action == LimitedAction::Login {
            state.metrics.refused_sign_in("rate_limited");
        }
        AppError::TooManyRequests { retry_after_seconds: wait.as_secs().max(1) }
    })
}

/// True for a form the browser posted itself (no WASM yet): it follows
/// redirects instead of reading a JSON answer.
pub fn is_plain_form_post() -> bool {
    request_parts()
        .and_then(|parts| parts.headers.get(ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html")))
        .unwrap_or(false)
}

/// A form the browser posted itself (no WASM yet) cannot read a JSON error:
/// it is sent back to `page` with the error's code (`fehler=…`), and the
/// page shows the message (next to the field named by `feld=…`, where the
/// error concerns one). `page` must be a path with a safe query.
pub fn send_back_on_error<T>(result: Result<T, AppError>, page: &str) -> Result<T, AppError> {
    if let Err(error) = &result {
        if is_plain_form_post() {
            let mut back = routes::with_error(page, &error.form_code());
            if let Some(field) = error.field().filter(|field| field.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')) {
                back = routes::with_param(&back, routes::FIELD_PARAM, field);
            }
            leptos_axum::redirect(&back);
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                found.push(path);
            }
        }
    }

    /// A server function written by hand would check its caller, or answer a
    /// plain form post, its own way — or forget to.
    #[test]
    fn every_server_function_runs_through_serve_or_read() {
        // Server functions that hand on to one function which does.
        const HANDED_ON: [&str; 4] = ["ssr::login(", "ssr::logout(", "answer_link(", "change("];
        let mut files = Vec::new();
        sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
        let mut checked = 0;
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let name = file.display();
            if !file.ends_with("server/serve.rs") {
                for private in ["is_plain_form_post(", "send_back_on_error("] {
                    assert!(!text.contains(private), "{name} answers a form its own way ({private}): use serve");
                }
            }
            for (at, _) in text.match_indices("#[server(") {
                let function = &text[at..];
                let body = &function[..function.find("\n}\n").expect("a server function ends")];
                let served = ["serve(", " read(", "::read("].iter().any(|call| body.contains(call));
                assert!(served || HANDED_ON.iter().any(|call| body.contains(call)), "{name}: {body}");
                checked += 1;
            }
        }
        assert!(checked >= 43, "found only {checked} server functions");
    }
}
