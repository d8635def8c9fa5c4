//! The Profil page (sections that open and close: name, password, e-mail
//! address, sign-ins, notification) and the page behind an e-mail change's
//! link.

use super::{
    ConfirmEmailChange, ProfileDetails, RequestEmailChange, SetName, SetNotificationMode, NotifyMode, get_profile, notification_mode,
    EMAIL_SECTION, NAME_SECTION, NOTIFICATION_SECTION, EMAIL_LINK_HOURS, check_email_link,
};
use crate::auth::{ChangePasswordForm, PasskeysSection, SecondFactorSection, SignInsSection, PASSKEYS_SECTION, SECOND_FACTOR_SECTION, SIGN_INS_SECTION};
use crate::domain::Salutation;
use crate::routes;
use crate::t;
use crate::ui::{FormRefusal, PageTitle};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let lang = crate::i18n::lang();
    // A plain form post comes back with its section in the address; that
    // section opens so its answer is seen.
    let query = use_query_map();
    let open = move |section: &'static str| move || query.read().get("bereich").as_deref() == Some(section);
    let details = Resource::new(|| (), |_| get_profile());
    view! {
        <PageTitle title=t!(lang, "profile-title")/>
        <section class="card">
            <h2 class="section-title">{t!(lang, "profile-personal")}</h2>
            <Suspense fallback=move || view! { <p class="muted">{t!(lang, "ui-loading")}</p> }>
                {move || Suspend::new(async move {
                    match details.await {
                        Ok(details) => view! {
                            <p class="muted">{t!(lang, "profile-username")} " " <strong>{format!("@{}", details.username)}</strong></p>
                            <details class="profile-section" open=open(NAME_SECTION)>
                                <summary>{t!(lang, "profile-name")}</summary>
                                <NameForm details=details.clone()/>
                            </details>
                            <details class="profile-section" open>
                                <summary>{t!(lang, "profile-password")}</summary>
                                <ChangePasswordForm/>
                            </details>
                            <details class="profile-section" open=open(EMAIL_SECTION)>
                                <summary>{t!(lang, "profile-email")}</summary>
                                <EmailForm details/>
                            </details>
                        }.into_any(),
                        Err(error) => crate::ui::alert(&error),
                    }
                })}
            </Suspense>
            <details class="profile-section" open=open(SECOND_FACTOR_SECTION)>
                <summary>{t!(lang, "profile-second-factor")}</summary>
                <SecondFactorSection/>
            </details>
            <details class="profile-section" open=open(PASSKEYS_SECTION)>
                <summary>{t!(lang, "profile-passkeys")}</summary>
                <PasskeysSection/>
            </details>
            <details class="profile-section" open=open(SIGN_INS_SECTION)>
                <summary>{t!(lang, "profile-sign-ins")}</summary>
                <SignInsSection/>
            </details>
            <details class="profile-section" open=open(NOTIFICATION_SECTION)>
                <summary>{t!(lang, "profile-notification")}</summary>
                <NotificationForm/>
            </details>
            <details class="profile-section" open=open(super::LANGUAGE_SECTION)>
                <summary>{t!(lang, "profile-language-section")}</summary>
                <super::LanguageForm/>
            </details>
        </section>
    }
}

/// Profil → E-Mail-Benachrichtigung: keine / nur Benachrichtigung / mit
/// Anhang, and whether "mit Anhang" adds an e-invoice's XML.
#[component]
fn NotificationForm() -> impl IntoView {
    let lang = crate::i18n::lang();
    let action = ServerAction::<SetNotificationMode>::new();
    let query = use_query_map();
    let current = Resource::new(move || action.version().get(), |_| notification_mode());
    let saved = move || {
        matches!(action.value().read().as_ref(), Some(Ok(())))
            || (action.value().read().is_none()
                && query.read().get("bereich").as_deref() == Some(NOTIFICATION_SECTION)
                && query.read().get("gespeichert").is_some())
    };
    view! {
        <ActionForm action=action>
            {move || saved().then(|| view! { <p class="notice" role="status">{t!(lang, "profile-notification-saved")}</p> })}
            // Only a crafted post names no offered choice: said above the choices.
            {FormRefusal::from_address(Some(NOTIFICATION_SECTION), &[]).general()}
            <Suspense fallback=move || view! { <p class="muted">{t!(lang, "ui-loading")}</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(chosen) => view! {
                            <fieldset class="choices">
                                <legend>{t!(lang, "profile-notification-legend")}</legend>
                                {NotifyMode::ALL.into_iter().map(|mode| {
                                    let id = format!("notify-{}", mode.key());
                                    let hint_id = format!("{id}-hint");
                                    view! {
                                        <div class="choice">
                                            <input type="radio" id=id.clone() name="mode" value=mode.key()
                                                checked=mode == chosen.mode aria-describedby=hint_id.clone()/>
                                            <label for=id>{mode.label(lang)}</label>
                                            <span class="hint" id=hint_id>{mode.hint(lang)}</span>
                                        </div>
                                    }
                                }).collect_view()}
                            </fieldset>
                            <div class="choices">
                                <div class="choice">
                                    <input type="checkbox" id="notify-with-xml" name="with_xml" value="on" checked=chosen.with_xml
                                        aria-describedby="notify-with-xml-hint"/>
                                    <label for="notify-with-xml">{t!(lang, "profile-notify-with-xml")}</label>
                                    <span class="hint" id="notify-with-xml-hint">{t!(lang, "profile-notify-with-xml-hint")}</span>
                                </div>
                            </div>
                        }
                        .into_any(),
                        Err(error) => crate::ui::alert(&error),
                    }
                })}
            </Suspense>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || action.pending().get()>{t!(lang, "profile-save")}</button>
            </div>
        </ActionForm>
    }
}

/// Profil → Name: Anrede, Vorname, Nachname. The page that comes back after
/// Speichern shows the new name in the header menu too.
#[component]
fn NameForm(details: ProfileDetails) -> impl IntoView {
    let lang = crate::i18n::lang();
    let action = ServerAction::<SetName>::new();
    let query = use_query_map();
    let saved = move || {
        matches!(action.value().read().as_ref(), Some(Ok(())))
            || (action.value().read().is_none() && query.read().get("bereich").as_deref() == Some(NAME_SECTION) && query.read().get("gespeichert").is_some())
    };
    let refusal = FormRefusal::from_address(Some(NAME_SECTION), &["salutation", "first_name", "last_name"]);
    view! {
        <ActionForm action=action>
            {move || saved().then(|| view! { <p class="notice" role="status">{t!(lang, "profile-name-saved")}</p> })}
            {refusal.general()}
            <div class="field">
                <label for="salutation">{t!(lang, "profile-salutation")}</label>
                <select id="salutation" name="salutation"
                    aria-invalid=refusal.invalid("salutation") aria-describedby=refusal.described_by("salutation", "salutation", None)
                    autofocus=refusal.about("salutation")>
                    {Salutation::ALL.into_iter().map(|s| view! {
                        <option value=s.key() selected=s == details.salutation>{s.label()}</option>
                    }).collect_view()}
                </select>
                {refusal.message("salutation", "salutation")}
            </div>
            <div class="field">
                <label for="first-name">{t!(lang, "profile-first-name")}</label>
                <input id="first-name" name="first_name" type="text" autocomplete="given-name" maxlength="100" value=details.first_name.clone()
                    aria-invalid=refusal.invalid("first_name") aria-describedby=refusal.described_by("first_name", "first-name", None)
                    autofocus=refusal.about("first_name")/>
                {refusal.message("first_name", "first-name")}
            </div>
            <div class="field">
                <label for="last-name">{t!(lang, "profile-last-name")}</label>
                <input id="last-name" name="last_name" type="text" autocomplete="family-name" maxlength="100" value=details.last_name.clone()
                    aria-invalid=refusal.invalid("last_name") aria-describedby=refusal.described_by("last_name", "last-name", None)
                    autofocus=refusal.about("last_name")/>
                {refusal.message("last_name", "last-name")}
            </div>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || action.pending().get()>{t!(lang, "profile-save")}</button>
            </div>
        </ActionForm>
    }
}

/// Profil → E-Mail: the current address, a pending one, and the form.
#[component]
fn EmailForm(details: ProfileDetails) -> impl IntoView {
    let lang = crate::i18n::lang();
    let action = ServerAction::<RequestEmailChange>::new();
    let query = use_query_map();
    let sent = move || {
        matches!(action.value().read().as_ref(), Some(Ok(_)))
            || (action.value().read().is_none() && query.read().get("gesendet").is_some())
    };
    let stored_pending = details.pending_email.clone();
    let pending = move || match action.value().read().as_ref() {
        Some(Ok(address)) => Some(address.clone()),
        _ => stored_pending.clone(),
    };
    let refusal = FormRefusal::from_address(Some(EMAIL_SECTION), &["email", "password"]);
    view! {
        <p>{t!(lang, "profile-current-email")} " " <strong>{details.email.clone()}</strong></p>
        {move || pending().map(|pending| view! {
            <p class="muted">{t!(lang, "profile-email-pending", email = pending.as_str())}</p>
        })}
        <ActionForm action=action>
            {move || sent().then(|| view! {
                <p class="notice" role="status">{t!(lang, "profile-email-sent", hours = EMAIL_LINK_HOURS)}</p>
            })}
            {refusal.general()}
            <div class="field">
                <label for="new-email">{t!(lang, "profile-new-email")} <span class="required">"*"</span></label>
                <input id="new-email" name="email" type="email" autocomplete="email" required maxlength="254"
                    aria-invalid=refusal.invalid("email") aria-describedby=refusal.described_by("email", "new-email", None)
                    autofocus=refusal.about("email")/>
                {refusal.message("email", "new-email")}
            </div>
            <div class="field">
                <label for="email-password">{t!(lang, "profile-email-password")} <span class="required">"*"</span></label>
                <input id="email-password" name="password" type="password" autocomplete="current-password" required
                    aria-invalid=refusal.invalid("password") aria-describedby=refusal.described_by("password", "email-password", None)
                    autofocus=refusal.about("password")/>
                {refusal.message("password", "email-password")}
            </div>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || action.pending().get()>{t!(lang, "profile-change-email")}</button>
            </div>
        </ActionForm>
    }
}

/// The page behind the link mailed to a new address: opening it changes
/// nothing (mail scanners open links too); the button does.
#[component]
pub fn EmailConfirmPage() -> impl IntoView {
    let lang = crate::i18n::lang();
    let confirm = ServerAction::<ConfirmEmailChange>::new();
    let query = use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    let done = move || matches!(confirm.value().read().as_ref(), Some(Ok(()))) || query.read().get("bestaetigt").is_some();
    let info = Resource::new(move || token.get(), check_email_link);
    view! {
        <PageTitle title=t!(lang, "profile-email-confirm-title")/>
        <section class="card narrow">
            {move || if done() {
                view! {
                    <p class="notice" role="status">{t!(lang, "profile-email-confirmed")}</p>
                    <p><a class="button primary" href=routes::HOME>{t!(lang, "profile-to-portal")}</a></p>
                }.into_any()
            } else {
                view! {
                    <Suspense fallback=move || view! { <p class="muted">{t!(lang, "ui-loading")}</p> }>
                        {move || Suspend::new(async move {
                            match info.await {
                                Ok(info) => view! {
                                    <p>{t!(lang, "profile-email-confirm-user")} " " <strong>{info.username}</strong> " " {t!(lang, "profile-email-confirm-new")}</p>
                                    <p><strong>{info.new_email}</strong></p>
                                    <ActionForm action=confirm>
                                        {FormRefusal::from_address(None, &[]).general()}
                                        <input type="hidden" name="token" value=token.get_untracked()/>
                                        <div class="actions">
                                            <button type="submit" class="button primary" disabled=move || confirm.pending().get()>
                                                {t!(lang, "profile-email-confirm-title")}
                                            </button>
                                        </div>
                                    </ActionForm>
                                }.into_any(),
                                Err(error) => {
                                    view! {
                                        {crate::ui::refused(error)}
                                        <p><a class="button secondary" href=routes::LOGIN>{t!(lang, "profile-to-login")}</a></p>
                                    }.into_any()
                                }
                            }
                        })}
                    </Suspense>
                }.into_any()
            }}
        </section>
    }
}
