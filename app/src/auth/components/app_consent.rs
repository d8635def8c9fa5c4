//! "App-Zugriff erlauben": the page the app's sign-in shows a signed-in
//! user. A plain form that posts to `/oauth/authorize` and is answered with
//! a redirect to the app, so it needs no JavaScript and is left to the
//! browser (`data-kp-native`).

use super::app_consent;
use crate::routes;
use crate::ui::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn AppConsentPage() -> impl IntoView {
    let search = use_location().search;
    let consent = Resource::new(move || search.get(), app_consent);
    view! {
        <PageTitle title="App-Zugriff erlauben"/>
        <section class="card narrow">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match consent.await {
                        Ok(consent) => {
                            let hidden = |decision: &'static str| {
                                let fields = consent.fields.clone();
                                view! {
                                    {fields
                                        .into_iter()
                                        .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
                                        .collect_view()}
                                    <input type="hidden" name="decision" value=decision/>
                                }
                            };
                            view! {
                                <p>
                                    "Die App „" <strong>{consent.app_name.clone()}</strong>
                                    "“ möchte in Ihrem Namen auf Ihr Kundenkonto zugreifen: Ihre Dokumente ansehen und herunterladen, "
                                    "Ihr Profil lesen und Ihren Namen und Ihre Benachrichtigung ändern."
                                </p>
                                <p class="muted">
                                    "Sie können diesen Zugriff jederzeit unter Profil → Anmeldungen beenden. "
                                    "Erlauben Sie ihn nur, wenn Sie die Anmeldung gerade selbst in der App begonnen haben."
                                </p>
                                <div class="actions">
                                    <form method="post" action=routes::OAUTH_AUTHORIZE data-kp-native="1">
                                        {hidden("allow")}
                                        <button type="submit" class="button primary">"Erlauben"</button>
                                    </form>
                                    <form method="post" action=routes::OAUTH_AUTHORIZE data-kp-native="1">
                                        {hidden("deny")}
                                        <button type="submit" class="button secondary">"Ablehnen"</button>
                                    </form>
                                </div>
                            }
                            .into_any()
                        }
                        Err(error) => crate::ui::alert(&error),
                    }
                })}
            </Suspense>
        </section>
    }
}
