//! Profil → Sprache: the language of the pages after sign-in and of every
//! mail to the user. Saving also sets this browser's choice (the switch's
//! cookie), and the page loads anew in the language chosen.

use crate::error::AppError;
use crate::i18n::Lang;
use crate::ui::FormRefusal;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
#[cfg(feature = "ssr")]
use crate::auth::ssr::require_user;
#[cfg(feature = "ssr")]
use crate::server::serve::{read, serve};

/// The `bereich` of Profil → Sprache in an address.
pub const LANGUAGE_SECTION: &str = "sprache";
/// The form field naming the language (`de`, `en`).
const LANGUAGE_FIELD: &str = "sprache";

/// The signed-in user's language, `None` while they have chosen none.
#[server(endpoint = "profile/language")]
pub async fn language_setting() -> Result<Option<Lang>, AppError> {
    read(require_user(), async |state, user| Ok(crate::server::mail::chosen_language_of_user(&state.pool, user.user_id).await?)).await
}

/// Stores the choice ("Speichern") and makes it this browser's too.
#[server(endpoint = "profile/set_language")]
pub async fn set_language(sprache: String) -> Result<(), AppError> {
    let page = format!("{}?bereich={LANGUAGE_SECTION}", crate::routes::PROFILE);
    let served = serve(require_user(), &page, async |state, user, _ip| {
        let lang = Lang::from_code(&sprache)
            .ok_or_else(|| AppError::from(crate::domain::InputError::new(crate::domain::Refusal::NotAccepted).at(LANGUAGE_FIELD)))?;
        super::ssr::language::store(&state.pool, user.user_id, lang).await?;
        crate::server::language::remember_in_browser(lang, state.config.secure_cookies());
        Ok(())
    })
    .await?;
    Ok(served.then_show(&format!("{page}&gespeichert=1")))
}

#[component]
pub fn LanguageForm() -> impl IntoView {
    let lang = crate::i18n::lang();
    let action = ServerAction::<SetLanguage>::new();
    let query = use_query_map();
    let current = Resource::new(|| (), |_| language_setting());
    let saved = move || query.read().get("bereich").as_deref() == Some(LANGUAGE_SECTION) && query.read().get("gespeichert").is_some();
    let refusal = FormRefusal::from_address(Some(LANGUAGE_SECTION), &[LANGUAGE_FIELD]);
    view! {
        // A page load of its own: the whole document, `<html lang>` included, changes language.
        <ActionForm action=action attr:data-kp-reload="">
            {move || saved().then(|| view! { <p class="notice" role="status">{crate::t!(lang, "profile-language-saved")}</p> })}
            {refusal.general()}
            <Suspense fallback=move || view! { <p class="muted">{crate::t!(lang, "profile-language-loading")}</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        // Not chosen yet: the language this page is in, which saving keeps.
                        Ok(chosen) => { let chosen = chosen.unwrap_or(lang); view! {
                            <fieldset class="choices">
                                <legend>{crate::t!(lang, "profile-language-legend")}</legend>
                                {Lang::ALL.into_iter().map(|option| {
                                    let id = format!("sprache-{}", option.code());
                                    let name = match option {
                                        Lang::De => crate::t!(lang, "language-name-de"),
                                        Lang::En => crate::t!(lang, "language-name-en"),
                                    };
                                    view! {
                                        <div class="choice">
                                            <input type="radio" id=id.clone() name=LANGUAGE_FIELD value=option.code() checked=option == chosen/>
                                            <label for=id lang=option.code()>{name}</label>
                                        </div>
                                    }
                                }).collect_view()}
                            </fieldset>
                            <p class="hint">{crate::t!(lang, "profile-language-hint")}</p>
                        }
                        .into_any() }
                        Err(error) => crate::ui::alert(&error),
                    }
                })}
            </Suspense>
            <div class="actions">
                <button type="submit" class="button primary">{crate::t!(lang, "profile-language-save")}</button>
            </div>
        </ActionForm>
    }
}
