//! Profil → Passwort and Profil → Anmeldungen.

use super::*;
use crate::t;

/// Profil → Passwort: the current password, then the new one twice. The
/// user's other sessions end; this browser stays signed in.
#[component]
pub fn ChangePasswordForm() -> impl IntoView {
    let lang = crate::i18n::lang();
    let action = ServerAction::<ChangePassword>::new();
    let query = use_query_map();
    let changed = move || {
        matches!(action.value().read().as_ref(), Some(Ok(())))
            || (action.value().read().is_none() && query.read().get("passwort").is_some())
    };
    let refusal = FormRefusal::from_address(None, &["current", crate::auth::NEW_PASSWORD, crate::auth::NEW_PASSWORD_AGAIN]);
    view! {
        <ActionForm action=action>
            {move || changed().then(|| view! {
                <p class="notice" role="status">{t!(lang, "sf-password-changed")}</p>
            })}
            {refusal.general()}
            <div class="field">
                <label for="current">{t!(lang, "sf-current-password-label")} <span class="required">"*"</span></label>
                <input id="current" name="current" type="password" autocomplete="current-password" required
                    aria-invalid=refusal.invalid("current") aria-describedby=refusal.described_by("current", "current", None)
                    autofocus=refusal.about("current")/>
                {refusal.message("current", "current")}
            </div>
            <OwnNewPasswordFields refusal/>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || action.pending().get()>{t!(lang, "sf-change-password-submit")}</button>
            </div>
        </ActionForm>
    }
}

/// The `bereich` of Profil → Anmeldungen in an address: a plain form post
/// comes back to it, and the section opens.
pub const SIGN_INS_SECTION: &str = "anmeldungen";

/// Profil → Anmeldungen: the user's live sessions, each with "Abmelden",
/// and the form that ends all others at once.
#[component]
pub fn SignInsSection() -> impl IntoView {
    let lang = crate::i18n::lang();
    let end = ServerAction::<EndSignIn>::new();
    let elsewhere = ServerAction::<SignOutElsewhere>::new();
    let query = use_query_map();
    let list = Resource::new(move || (end.version().get(), elsewhere.version().get()), |_| sign_ins());
    let ended_one = move || {
        matches!(end.value().read().as_ref(), Some(Ok(false)))
            || (end.value().read().is_none() && query.read().get("beendet").is_some())
    };
    view! {
        {move || ended_one().then(|| view! { <p class="notice" role="status">{t!(lang, "sf-sign-in-ended")}</p> })}
        // Ending one sign-in and all others come back to this section; its refusal shows here once.
        {FormRefusal::from_address(Some(SIGN_INS_SECTION), &[]).general()}
        <Suspense fallback=move || view! { <p class="muted">{t!(lang, "sf-loading")}</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(entries) => view! {
                        <ul class="sign-ins">
                            {entries.into_iter().map(|entry| {
                                let label = t!(lang, "sf-sign-in-end-label", browser = entry.browser.as_str());
                                view! {
                                    <li class="sign-in">
                                        <p class="sign-in-device">
                                            <strong>{entry.browser.clone()}</strong>
                                            {entry.this_device.then(|| view! { <span class="badge">{t!(lang, "sf-this-device")}</span> })}
                                        </p>
                                        <p class="muted">
                                            {t!(lang, "sf-sign-in-details", place = entry.place.as_str(), since = entry.signed_in.as_str(), active = entry.last_active.as_str())}
                                        </p>
                                        <ActionForm action=end>
                                            <input type="hidden" name="id" value=entry.id.clone()/>
                                            <button type="submit" class="button secondary small" aria-label=label>{t!(lang, "sf-sign-out")}</button>
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => crate::ui::alert(&error),
                }
            })}
        </Suspense>
        <SignOutElsewhereForm action=elsewhere/>
    }
}

/// Ends the sessions on every other device (a lost phone, a shared
/// computer); this browser stays signed in.
#[component]
fn SignOutElsewhereForm(action: ServerAction<SignOutElsewhere>) -> impl IntoView {
    let lang = crate::i18n::lang();
    let query = use_query_map();
    // How many ended: from the action, or after a plain form post from the address.
    let ended = move || match action.value().read().as_ref() {
        Some(Ok(ended)) => Some(*ended),
        Some(Err(_)) => None,
        None => query.read().get("abgemeldet").and_then(|n| n.parse::<u64>().ok()),
    };
    view! {
        <ActionForm action=action>
            {move || ended().map(|ended| {
                let text = t!(lang, "sf-elsewhere-ended", count = ended);
                view! { <p class="notice" role="status">{text}</p> }
            })}
            <p>{t!(lang, "sf-elsewhere-intro")}</p>
            <div class="actions">
                <button type="submit" class="button secondary" disabled=move || action.pending().get()>
                    {t!(lang, "sf-elsewhere-submit")}
                </button>
            </div>
        </ActionForm>
    }
}


/// Stands in for the forms that change forwardings or users while the
/// sign-in is older than an hour (SECURITY.md 21): the password first, then
/// the browser returns to `return_to` and the forms are back. A form sent
/// after the hour ran out while the page was open is refused with
/// [`AppError::ReauthRequired`] and comes back to this page, which then
/// shows the prompt.
#[component]
pub fn RecentSignInGate(
    return_to: String,
    children: ChildrenFn,
    /// Where a page has two gates, the second one's ids begin differently.
    #[prop(optional)]
    id_prefix: Option<&'static str>,
) -> impl IntoView {
    let lang = crate::i18n::lang();
    let prefix = id_prefix.unwrap_or("reauth");
    let (title_id, password_id, code_id) = (format!("{prefix}-title"), format!("{prefix}-password"), format!("{prefix}-code"));
    let ids = StoredValue::new((title_id, password_id, code_id));
    let user = expect_context::<UserResource>().0;
    let confirm = expect_context::<ServerAction<ConfirmPassword>>();
    let children = StoredValue::new(children);
    let return_to = StoredValue::new(return_to);
    let refusal = FormRefusal::from_address(Some(CONFIRM_SECTION), &["password", "code"]);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let user = user.await;
                let recent = matches!(user, Ok(Some(UserView { recently_authenticated: true, .. })));
                let second_factor = matches!(user, Ok(Some(UserView { second_factor: true, .. })));
                let (title_id, password_id, code_id) = ids.get_value();
                let labelled_by = title_id.clone();
                if recent {
                    children.with_value(|children| children()).into_any()
                } else {
                    view! {
                        <div class="confirm-box" role="group" aria-labelledby=labelled_by>
                            <h3 id=title_id class="section-title">{t!(lang, "sf-reauth-title")}</h3>
                            <p>{if second_factor { t!(lang, "sf-reauth-intro-with-code") } else { t!(lang, "sf-reauth-intro") }}</p>
                            <ActionForm action=confirm>
                                {refusal.general()}
                                <input type="hidden" name="return_to" value=return_to.get_value()/>
                                <div class="field">
                                    <label for=password_id.clone()>{t!(lang, "sf-password-label")} <span class="required">"*"</span></label>
                                    <input id=password_id.clone() name="password" type="password" autocomplete="current-password" required
                                        aria-invalid=refusal.invalid("password")
                                        aria-describedby=refusal.described_by("password", &password_id, None)
                                        autofocus=refusal.about("password")/>
                                    {refusal.message("password", &password_id)}
                                </div>
                                {second_factor.then(|| view! {
                                    <div class="field">
                                        <label for=code_id.clone()>{t!(lang, "sf-reauth-code-label")} <span class="required">"*"</span></label>
                                        <input id=code_id.clone() name="code" type="text" autocomplete="one-time-code" autocapitalize="none"
                                            spellcheck="false" maxlength="40" required
                                            aria-invalid=refusal.invalid("code")
                                            aria-describedby=refusal.described_by("code", &code_id, None)
                                            autofocus=refusal.about("code")/>
                                        {refusal.message("code", &code_id)}
                                    </div>
                                })}
                                <div class="actions">
                                    <button type="submit" class="button primary" disabled=move || confirm.pending().get()>{t!(lang, "sf-reauth-submit")}</button>
                                </div>
                            </ActionForm>
                        </div>
                    }
                    .into_any()
                }
            })}
        </Suspense>
    }
}
