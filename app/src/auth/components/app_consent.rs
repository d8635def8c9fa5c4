//! "App-Zugriff erlauben": the page the app's sign-in shows a signed-in
//! user. A plain form that posts to `/oauth/authorize` and is answered with
//! a redirect to the app, so it needs no JavaScript and is left to the
//! browser (`data-kp-native`).

use super::app_consent;
use crate::routes;
use crate::t;
use crate::ui::PageTitle;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn AppConsentPage() -> impl IntoView {
    let lang = crate::i18n::lang();
    let search = use_location().search;
    let consent = Resource::new(move || search.get(), app_consent);
    view! {
        <PageTitle title=t!(lang, "auth-consent-title")/>
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
                                    {t!(lang, "auth-consent-app-before")} <strong>{consent.app_name.clone()}</strong>
                                    {t!(lang, "auth-consent-app-after")}
                                </p>
                                <p class="muted">{t!(lang, "auth-consent-hint")}</p>
                                <div class="actions">
                                    <form method="post" action=routes::OAUTH_AUTHORIZE data-kp-native="1">
                                        {hidden("allow")}
                                        <button type="submit" class="button primary">{t!(lang, "auth-consent-allow")}</button>
                                    </form>
                                    <form method="post" action=routes::OAUTH_AUTHORIZE data-kp-native="1">
                                        {hidden("deny")}
                                        <button type="submit" class="button secondary">{t!(lang, "auth-consent-deny")}</button>
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
