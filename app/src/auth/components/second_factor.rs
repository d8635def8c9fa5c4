//! The second factor's pages: the sign-in's second step, Profil →
//! Zwei-Faktor-Anmeldung, the set-up a customer can require before
//! anything else, and the recovery codes shown once. Plain forms all: the
//! QR code is inline SVG made on the server, nothing needs JavaScript.

use super::first_sign_in::{CancelForm, SetupStepGate};
use super::*;
use crate::t;
use crate::auth::{
    new_recovery_codes, second_factor_status, second_step_waiting, BeginSecondFactor, ConfirmSecondFactor, RecoveryCodesDone,
    RenewRecoveryCodes, SecondFactorState, SecondFactorView, SecondStep, TurnOffSecondFactor, SECOND_FACTOR_SECTION,
};

/// The field every code form uses.
const CODE: &str = "code";

/// A code field: six digits of the app, or (where `recovery` is allowed)
/// a recovery code with letters.
#[component]
fn CodeField(refusal: FormRefusal, id: &'static str, label: String, recovery: bool, #[prop(optional)] autofocus: bool) -> impl IntoView {
    let lang = crate::i18n::lang();
    let hint_id = format!("{id}-hint");
    let hint = if recovery { t!(lang, "sf-code-hint-recovery") } else { t!(lang, "sf-code-hint-app") };
    view! {
        <div class="field">
            <label for=id>{label} <span class="required">"*"</span></label>
            <input id=id name=CODE type="text" autocomplete="one-time-code" autocapitalize="none" spellcheck="false"
                inputmode=if recovery { "text" } else { "numeric" } maxlength="40" required
                aria-invalid=refusal.invalid(CODE) aria-describedby=refusal.described_by(CODE, id, Some(hint_id.as_str()))
                autofocus=autofocus || refusal.about(CODE)/>
            <span class="hint" id=hint_id>{hint}</span>
            {refusal.message(CODE, id)}
        </div>
    }
}

/// After a right password: the code of the authenticator app, or a
/// recovery code. Nothing behind the login opens before.
#[component]
pub fn SecondStepPage() -> impl IntoView {
    let lang = crate::i18n::lang();
    let action = ServerAction::<SecondStep>::new();
    let waiting = Resource::new(|| (), |_| second_step_waiting());
    view! {
        <PageTitle title=t!(lang, "sf-second-step-title")/>
        <section class="card narrow">
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match waiting.await {
                        Ok(true) => {
                            let refusal = FormRefusal::from_address(None, &[CODE]);
                            view! {
                                <ActionForm action=action>
                                    <p>{t!(lang, "sf-second-step-intro")}</p>
                                    {refusal.general()}
                                    <CodeField refusal id="second-step-code" label=t!(lang, "sf-code-label") recovery=true autofocus=true/>
                                    <div class="actions">
                                        <button type="submit" class="button primary" disabled=move || action.pending().get()>{t!(lang, "sf-second-step-submit")}</button>
                                        <a class="button secondary" href=routes::LOGIN>{t!(lang, "sf-second-step-cancel")}</a>
                                    </div>
                                </ActionForm>
                                <p class="muted">{t!(lang, "sf-second-step-lost")}</p>
                            }
                            .into_any()
                        }
                        Ok(false) => view! {
                            {FormRefusal::from_address(None, &[]).general()}
                            <p class="notice" role="status">{t!(lang, "sf-second-step-expired")}</p>
                            <div class="actions"><a class="button primary" href=routes::LOGIN>{t!(lang, "sf-second-step-to-login")}</a></div>
                        }
                        .into_any(),
                        Err(error) => crate::ui::alert(&error),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// A user whose customer requires the second factor sets it up here before
/// anything else.
#[component]
pub fn SecondFactorSetupPage() -> impl IntoView {
    let lang = crate::i18n::lang();
    let status = Resource::new(|| (), |_| second_factor_status());
    let user = expect_context::<UserResource>().0;
    view! {
        <PageTitle title=t!(lang, "sf-setup-title")/>
        <SetupStepGate step=SetupStep::SetUpSecondFactor>
            <section class="card narrow">
                <p>{t!(lang, "sf-setup-required-intro")}</p>
                <CancelForm/>
                <Suspense fallback=loading>
                    {move || Suspend::new(async move {
                        let recent = matches!(user.await, Ok(Some(UserView { recently_authenticated: true, .. })));
                        match status.await {
                            Ok(view) if recent => view! { <SecondFactorSetup view gated=false/> }.into_any(),
                            // Only a fresh sign-in binds an authenticator: an old session might not be the user's.
                            Ok(_) => view! {
                                <p class="notice" role="status">{t!(lang, "sf-setup-sign-in-too-old")}</p>
                            }.into_any(),
                            Err(error) => crate::ui::alert(&error),
                        }
                    })}
                </Suspense>
                <div class="actions">
                    <button type="submit" class="button secondary" form="cancel-form">{t!(lang, "sf-sign-out")}</button>
                </div>
            </section>
        </SetupStepGate>
    }
}

/// Profil → Zwei-Faktor-Anmeldung.
#[component]
pub fn SecondFactorSection() -> impl IntoView {
    let lang = crate::i18n::lang();
    let status = Resource::new(|| (), |_| second_factor_status());
    let query = use_query_map();
    let turned_off = move || query.read().get("ausgeschaltet").is_some();
    view! {
        {move || turned_off().then(|| view! {
            <p class="notice" role="status">{t!(lang, "sf-turned-off-notice")}</p>
        })}
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(view) => view! { <SecondFactorSetup view gated=true/> }.into_any(),
                    Err(error) => crate::ui::alert(&error),
                }
            })}
        </Suspense>
    }
}

/// What the user can do in each state. `gated`: changes ask for a recent
/// sign-in first (Profil); the required set-up right after sign-in does not.
#[component]
fn SecondFactorSetup(view: SecondFactorView, gated: bool) -> impl IntoView {
    let lang = crate::i18n::lang();
    let back = format!("{}?bereich={SECOND_FACTOR_SECTION}", routes::PROFILE);
    let gate = move |children: ChildrenFn| {
        if gated {
            view! { <RecentSignInGate return_to=back.clone()>{children()}</RecentSignInGate> }.into_any()
        } else {
            children().into_any()
        }
    };
    match view.state {
        SecondFactorState::Off => {
            let begin = ServerAction::<BeginSecondFactor>::new();
            view! {
                <p>{t!(lang, "sf-off-intro")}</p>
                {gate(std::sync::Arc::new(move || view! {
                    <ActionForm action=begin>
                        {FormRefusal::from_address(Some(SECOND_FACTOR_SECTION), &[]).general()}
                        <div class="actions">
                            <button type="submit" class="button primary" disabled=move || begin.pending().get()>{t!(lang, "sf-begin-submit")}</button>
                        </div>
                    </ActionForm>
                }.into_any()))}
            }
            .into_any()
        }
        SecondFactorState::Proposed { qr_svg, secret, otpauth_uri } => {
            let confirm = ServerAction::<ConfirmSecondFactor>::new();
            let refusal = FormRefusal::from_address(None, &[CODE]);
            let qr_svg = StoredValue::new(qr_svg);
            let secret = StoredValue::new(secret);
            let otpauth_uri = StoredValue::new(otpauth_uri);
            let refusal = StoredValue::new(refusal);
            gate(std::sync::Arc::new(move || view! {
                <ol class="setup-steps">
                    <li>
                        <p>{t!(lang, "sf-setup-scan")}</p>
                        <div class="qr-code" role="img" aria-label=t!(lang, "sf-setup-qr-label") inner_html=qr_svg.get_value()></div>
                        <p>{t!(lang, "sf-setup-manual")}</p>
                        <p><code class="totp-secret">{secret.get_value()}</code></p>
                        <p><a href=otpauth_uri.get_value() rel="external">{t!(lang, "sf-setup-open-app")}</a></p>
                    </li>
                    <li>
                        <p>{t!(lang, "sf-setup-enter-code")}</p>
                        <ActionForm action=confirm>
                            {refusal.get_value().general()}
                            <CodeField refusal=refusal.get_value() id="setup-code" label=t!(lang, "sf-setup-code-label") recovery=false/>
                            <div class="actions">
                                <button type="submit" class="button primary" disabled=move || confirm.pending().get()>{t!(lang, "sf-setup-activate")}</button>
                            </div>
                        </ActionForm>
                    </li>
                </ol>
            }.into_any()))
        }
        SecondFactorState::On { since, recovery_codes_left } => {
            let renew = ServerAction::<RenewRecoveryCodes>::new();
            let left = t!(lang, "sf-recovery-left", count = recovery_codes_left);
            view! {
                <p><span class="badge">{t!(lang, "sf-on-badge")}</span> {format!(" {}", t!(lang, "sf-on-since", since = since.as_str()))}</p>
                <p>{left}</p>
                {gate(std::sync::Arc::new(move || view! {
                    <ActionForm action=renew>
                        {FormRefusal::from_address(Some(SECOND_FACTOR_SECTION), &[]).general()}
                        <p class="muted">{t!(lang, "sf-renew-hint")}</p>
                        <div class="actions">
                            <button type="submit" class="button secondary" disabled=move || renew.pending().get()>{t!(lang, "sf-renew-submit")}</button>
                        </div>
                    </ActionForm>
                }.into_any()))}
                {if view.required {
                    view! { <p class="muted">{t!(lang, "sf-required-no-off")}</p> }.into_any()
                } else {
                    view! { <TurnOffForm/> }.into_any()
                }}
            }
            .into_any()
        }
    }
}

/// "Ausschalten": the password and a code, so that an open screen alone
/// cannot turn it off.
#[component]
fn TurnOffForm() -> impl IntoView {
    let lang = crate::i18n::lang();
    let action = ServerAction::<TurnOffSecondFactor>::new();
    let refusal = FormRefusal::from_address(Some(SECOND_FACTOR_SECTION), &["password", CODE]);
    view! {
        <h3 class="section-title">{t!(lang, "sf-off-title")}</h3>
        <ActionForm action=action>
            {refusal.general()}
            <div class="field">
                <label for="second-factor-off-password">{t!(lang, "sf-password-label")} <span class="required">"*"</span></label>
                <input id="second-factor-off-password" name="password" type="password" autocomplete="current-password" required
                    aria-invalid=refusal.invalid("password") aria-describedby=refusal.described_by("password", "second-factor-off-password", None)
                    autofocus=refusal.about("password")/>
                {refusal.message("password", "second-factor-off-password")}
            </div>
            <CodeField refusal=refusal.clone() id="second-factor-off-code" label=t!(lang, "sf-code-label") recovery=true/>
            <div class="actions">
                <button type="submit" class="button secondary" disabled=move || action.pending().get()>{t!(lang, "sf-off-submit")}</button>
            </div>
        </ActionForm>
    }
}

/// The recovery codes, once: right after the set-up or after new ones were
/// made. They leave this browser with "Gespeichert" (or after ten minutes).
#[component]
pub fn RecoveryCodesPage() -> impl IntoView {
    let lang = crate::i18n::lang();
    let done = ServerAction::<RecoveryCodesDone>::new();
    let codes = Resource::new(|| (), |_| new_recovery_codes());
    view! {
        <PageTitle title=t!(lang, "sf-recovery-title")/>
        <section class="card">
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match codes.await {
                        Ok(codes) if codes.is_empty() => view! {
                            <p>{t!(lang, "sf-recovery-none")}</p>
                            <div class="actions">
                                <a class="button primary" href=format!("{}?bereich={SECOND_FACTOR_SECTION}", routes::PROFILE)>{t!(lang, "sf-recovery-to-profile")}</a>
                            </div>
                        }.into_any(),
                        Ok(codes) => view! {
                            <p class="notice" role="status">{t!(lang, "sf-recovery-ready")}</p>
                            <p>{t!(lang, "sf-recovery-explain")}</p>
                            <ol class="recovery-codes">
                                {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
                            </ol>
                            <div class="actions">
                                <a class="button secondary" href=routes::RECOVERY_CODES_FILE download=t!(lang, "sf-recovery-file-name")>{t!(lang, "sf-recovery-download")}</a>
                            </div>
                            <ActionForm action=done>
                                {FormRefusal::from_address(None, &[]).general()}
                                <div class="actions">
                                    <button type="submit" class="button primary" disabled=move || done.pending().get()>{t!(lang, "sf-recovery-done")}</button>
                                </div>
                            </ActionForm>
                        }.into_any(),
                        Err(error) => crate::ui::alert(&error),
                    }
                })}
            </Suspense>
        </section>
    }
}
