//! Profil: sections that open and close. Password and sign-ins
//! are here; name, e-mail address and notifications follow with their issue.

use crate::auth::{ChangePasswordForm, SignOutElsewhereForm, SIGN_INS_SECTION};
use crate::ui::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ProfilePage() -> impl IntoView {
    // A plain form post comes back with its section in the address; that
    // section opens so its answer is seen.
    let query = use_query_map();
    let sign_ins_open = move || query.read().get("bereich").as_deref() == Some(SIGN_INS_SECTION);
    view! {
        <PageTitle title="Profil"/>
        <section class="card">
            <h2 class="section-title">"Persönliche Informationen"</h2>
            <details class="profile-section" open>
                <summary>"Passwort"</summary>
                <ChangePasswordForm/>
            </details>
            <details class="profile-section" open=sign_ins_open>
                <summary>"Anmeldungen"</summary>
                <SignOutElsewhereForm/>
            </details>
            <p class="muted">"Name, E-Mail-Adresse und E-Mail-Benachrichtigungen lassen sich hier bald ändern."</p>
        </section>
    }
}
