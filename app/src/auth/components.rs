use super::Login;
use crate::error::AppError;
use crate::shell::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Benutzername*, Passwort*, Login and "Passwort vergessen" (seed 003).
/// A plain HTML form first, so it works before the WASM has loaded.
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = expect_context::<ServerAction<Login>>();
    let query = use_query_map();
    let message = move || match login.value().get() {
        Some(Err(error)) => Some(error.to_string()),
        Some(Ok(())) => None,
        None => query
            .read()
            .get("fehler")
            .map(|_| AppError::InvalidCredentials.to_string()),
    };
    view! {
        <PageTitle title="Login"/>
        <section class="card narrow">
            <ActionForm action=login>
                {move || message().map(|text| view! { <p class="alert" role="alert">{text}</p> })}
                <div class="field">
                    <label for="username">"Benutzername" <span class="required">"*"</span></label>
                    <input id="username" name="username" type="text" autocomplete="username"
                        autocapitalize="none" spellcheck="false" required/>
                </div>
                <div class="field">
                    <label for="password">"Passwort" <span class="required">"*"</span></label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required/>
                </div>
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || login.pending().get()>"Login"</button>
                    <a class="button secondary" href="/passwort-vergessen">"Passwort vergessen"</a>
                </div>
            </ActionForm>
        </section>
    }
}
