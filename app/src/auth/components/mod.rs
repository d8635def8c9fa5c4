//! The pages of signing in, one module per step: [`sign_in`] (Login,
//! "Passwort vergessen"), [`first_sign_in`] (own password, privacy notice),
//! [`links`] (the pages behind mailed links) and [`profile_forms`] (the
//! password and sign-in sections of Profil). This module holds what they
//! share: the password fields with live rules and how a refusal is shown.
//! Every form is a plain HTML form first, so it also works before the WASM
//! has loaded.

mod app_consent;
mod first_sign_in;
mod links;
mod passkeys;
mod profile_forms;
mod second_factor;
mod sign_in;

pub use app_consent::AppConsentPage;
pub use first_sign_in::{AcceptPrivacyPage, SetPasswordPage};
pub use links::{InvitationPage, ResetPasswordPage};
pub use profile_forms::{ChangePasswordForm, RecentSignInGate, SignInsSection, SIGN_INS_SECTION};
pub use passkeys::{PasskeySignInOffer, PasskeysSection};
pub use second_factor::{RecoveryCodesPage, SecondFactorSection, SecondFactorSetupPage, SecondStepPage};
pub use sign_in::{ForgotPasswordPage, LoginPage};

use super::{
    app_consent, link_info, own_password_rules, AcceptInvitation, ChangePassword, AcceptPrivacy, LinkKind, Login, Logout, PasswordRules,
    RequestPasswordReset, ResetPassword, SetInitialPassword, SetupStep, SignOutElsewhere, UserResource,
    sign_ins, ConfirmPassword, EndSignIn, UserView, CONFIRM_SECTION,
};
use crate::error::AppError;
use crate::legal::{get_legal_text, LegalPageKind};
use crate::routes;
use crate::ui::{FormRefusal, PageTitle, Refused};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

/// The refusal of a form whose fields are the new password's two.
fn new_password_refusal(section: Option<&str>) -> FormRefusal {
    FormRefusal::from_address(section, &[super::NEW_PASSWORD, super::NEW_PASSWORD_AGAIN])
}

/// The signal behind a controlled input that keeps what the user typed
/// before the WASM took over the page (a slow phone, a long password).
/// Hydration sets a controlled input's value from its signal and would wipe
/// it, so the text is read from the page first and put back once hydrated;
/// the live rules then show it too.
fn typed_input(id: &'static str) -> (ReadSignal<String>, WriteSignal<String>) {
    let (value, set_value) = signal(String::new());
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        // Only while the server's page is taken over: on a later client-side
        // navigation the element with this id would belong to the old page.
        let hydrating = Owner::current_shared_context().is_some_and(|context| context.during_hydration());
        let typed = hydrating
            .then(document)
            .and_then(|document| document.get_element_by_id(id))
            .and_then(|element| element.dyn_into::<leptos::web_sys::HtmlInputElement>().ok())
            .map(|input| input.value())
            .filter(|typed| !typed.is_empty());
        if let Some(typed) = typed {
            Effect::new(move |_| set_value.set(typed.clone()));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
    (value, set_value)
}

fn loading() -> impl IntoView {
    let lang = crate::i18n::lang();
    view! { <p class="muted">{crate::t!(lang, "auth-loading")}</p> }
}

/// "Neues Passwort" and "Neues Passwort bestätigen", with every rule of the
/// policy shown as met or not met while the user types: the island
/// [`NewPasswordInputs`] with its texts, worded here on the server in the
/// request's language. The server checks the same rules again.
/// `refused`: the refusal the form came back with, shown at the field it is about.
#[component]
pub fn NewPasswordFields(rules: PasswordRules, refused: Refused) -> impl IntoView {
    use crate::t;
    let lang = crate::i18n::lang();
    let mut texts = vec![
        t!(lang, "password-new-label"),
        t!(lang, "password-confirm-label"),
        format!("{} ", t!(lang, "password-rule-met")),
        format!("{} ", t!(lang, "password-rule-unmet")),
        t!(lang, "refusal-passwords-differ"),
    ];
    texts.extend(rules.policy.rule_labels(lang).into_iter().map(|(_, label)| label));
    view! { <NewPasswordInputs rules refused texts/> }
}

/// The island of [`NewPasswordFields`]. Its texts come along as one prop
/// (one list: each further field of an island's props costs WASM), so that
/// the WASM carries none: the two labels, "erfüllt: " and "nicht erfüllt: "
/// (for screen readers before a rule), the mismatch, then every rule's
/// label in the order of [`PasswordRule::ALL`](crate::domain::PasswordRule::ALL).
#[island]
pub fn NewPasswordInputs(rules: PasswordRules, refused: Refused, texts: Vec<String>) -> impl IntoView {
    const FIRST_RULE: usize = 5;
    let text = |at: usize| texts.get(at).cloned().unwrap_or_default();
    let (password_label, confirm_label, met, unmet, mismatch) = (text(0), text(1), text(2), text(3), text(4));
    let rule_labels: Vec<String> = texts.iter().skip(FIRST_RULE).cloned().collect();
    use super::{NEW_PASSWORD, NEW_PASSWORD_AGAIN};
    let (password, set_password) = typed_input("password");
    let (confirm, set_confirm) = typed_input("confirm");
    let rules = StoredValue::new(rules);
    let checks = move || rules.with_value(|rules| rules.check(&password.read()));
    let mismatched = move || {
        let confirm = confirm.read();
        !confirm.is_empty() && *confirm != *password.read()
    };
    let said = StoredValue::new((met, unmet, rule_labels));
    view! {
        <div class="field">
            <label for="password">{password_label} <span class="required">"*"</span></label>
            // No maxlength: a browser would cut a longer password silently,
            // and the user would not know which one they set.
            <input id="password" name=NEW_PASSWORD type="password" autocomplete="new-password" required
                aria-invalid=refused.invalid(NEW_PASSWORD) aria-describedby=refused.described_by(NEW_PASSWORD, "password", Some("password-rules"))
                autofocus=refused.about(NEW_PASSWORD) prop:value=password
                on:input=move |ev| set_password.set(event_target_value(&ev))/>
            {refused.message(NEW_PASSWORD, "password")}
        </div>
        <ul id="password-rules" class="rules" aria-live="polite">
            {move || {
                checks()
                    .into_iter()
                    .map(|check| {
                        let (class, mark, state, label) = said.with_value(|(met, unmet, labels)| {
                            let position = crate::domain::PasswordRule::ALL.iter().position(|rule| *rule == check.rule);
                            let label = position.and_then(|at| labels.get(at)).cloned().unwrap_or_default();
                            if check.met {
                                ("rule met", "✓", met.clone(), label)
                            } else {
                                ("rule unmet", "✗", unmet.clone(), label)
                            }
                        });
                        view! {
                            <li class=class data-met=check.met.to_string()>
                                <span class="rule-mark" aria-hidden="true">{mark}</span>
                                <span class="visually-hidden">{state}</span>
                                {label}
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
        <div class="field">
            <label for="confirm">{confirm_label} <span class="required">"*"</span></label>
            <input id="confirm" name=NEW_PASSWORD_AGAIN type="password" autocomplete="new-password" required
                aria-invalid=refused.invalid(NEW_PASSWORD_AGAIN) aria-describedby=refused.described_by(NEW_PASSWORD_AGAIN, "confirm", None)
                autofocus=refused.about(NEW_PASSWORD_AGAIN)
                prop:value=confirm on:input=move |ev| set_confirm.set(event_target_value(&ev))/>
            {refused.message(NEW_PASSWORD_AGAIN, "confirm")}
        </div>
        {move || mismatched().then(|| view! { <p class="hint unmet" role="status">{mismatch.clone()}</p> })}
    }
}

/// [`NewPasswordFields`] with the rules for the signed-in user's own password.
#[component]
fn OwnNewPasswordFields(refusal: FormRefusal) -> impl IntoView {
    let rules = Resource::new(|| (), |_| own_password_rules());
    view! {
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match rules.await {
                    Ok(rules) => view! { <NewPasswordFields rules refused=refusal.refused()/> }.into_any(),
                    Err(error) => crate::ui::alert(&error),
                }
            })}
        </Suspense>
    }
}

