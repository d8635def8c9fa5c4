//! Profil (SPEC 5): sections that open and close. The password section is
//! here; name, e-mail address and notifications follow with their issue.

use crate::auth::ChangePasswordForm;
use crate::shell::PageTitle;
use leptos::prelude::*;

#[component]
pub fn ProfilePage() -> impl IntoView {
    view! {
        <PageTitle title="Profil"/>
        <section class="card">
            <h2 class="section-title">"Persönliche Informationen"</h2>
            <details class="profile-section" open>
                <summary>"Passwort"</summary>
                <ChangePasswordForm/>
            </details>
            <p class="muted">"Name, E-Mail-Adresse und E-Mail-Benachrichtigungen lassen sich hier bald ändern."</p>
        </section>
    }
}
