//! The first sign-in: an own password, then the privacy notice.

use super::*;
use crate::t;

/// Shows `children` only to a session whose next step is `step`; everybody
/// else is sent where they belong.
#[component]
pub(super) fn SetupStepGate(step: SetupStep, children: ChildrenFn) -> impl IntoView {
    let user = expect_context::<UserResource>().0;
    view! {
        <Suspense fallback=loading>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match user.await {
                        // By page: a first and an expired password share one.
                        Ok(Some(user)) if user.pending.map(SetupStep::path) == Some(step.path()) => children().into_any(),
                        Ok(Some(user)) => view! { <Redirect path=user.pending.map_or(routes::HOME, SetupStep::path)/> }.into_any(),
                        Ok(None) => view! { <Redirect path=routes::LOGIN/> }.into_any(),
                        Err(error) => crate::ui::alert(&error),
                    }
                })
            }}
        </Suspense>
    }
}

/// "Abbrechen" on the first-sign-in steps signs out: nothing else is allowed
/// until they are done. A form of its own, which the button refers to by id.
#[component]
pub(super) fn CancelForm() -> impl IntoView {
    let logout = expect_context::<ServerAction<Logout>>();
    view! { <ActionForm action=logout attr:id="cancel-form" attr:class="hidden-form"><span></span></ActionForm> }
}

/// First sign-in, step 1: "Passwort ändern"; the same page asks
/// for a new password once the old one has expired.
#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let lang = crate::i18n::lang();
    let action = expect_context::<ServerAction<SetInitialPassword>>();
    let user = expect_context::<UserResource>().0;
    let expired = move || {
        matches!(user.get(), Some(Ok(Some(user))) if user.pending == Some(SetupStep::PasswordExpired))
    };
    let refusal = new_password_refusal(None);
    view! {
        <PageTitle title=t!(lang, "auth-set-password-title")/>
        <SetupStepGate step=SetupStep::ChangePassword>
            <section class="card narrow">
                <p>{move || if expired() {
                    t!(lang, "auth-set-password-expired")
                } else {
                    t!(lang, "auth-set-password-intro")
                }}</p>
                <CancelForm/>
                <ActionForm action=action>
                    {refusal.general()}
                    <OwnNewPasswordFields refusal/>
                    <div class="actions">
                        <button type="submit" class="button secondary" form="cancel-form">{t!(lang, "auth-cancel")}</button>
                        <button type="submit" class="button primary" disabled=move || action.pending().get()>{t!(lang, "auth-set-password-submit")}</button>
                    </div>
                </ActionForm>
            </section>
        </SetupStepGate>
    }
}

/// First sign-in, step 2, and again after every new version of the notice.
#[component]
pub fn AcceptPrivacyPage() -> impl IntoView {
    let lang = crate::i18n::lang();
    let action = expect_context::<ServerAction<AcceptPrivacy>>();
    let notice = Resource::new(|| (), |_| get_legal_text(LegalPageKind::Privacy));
    view! {
        <PageTitle title=t!(lang, "auth-privacy-title")/>
        <SetupStepGate step=SetupStep::AcceptPrivacy>
            <section class="card narrow">
                <p>{t!(lang, "auth-privacy-intro")}</p>
                <CancelForm/>
                <Suspense fallback=loading>
                    {move || Suspend::new(async move {
                        match notice.await {
                            Ok(text) => view! {
                                <p>
                                    <a class="more" href=routes::PRIVACY target="_blank" rel="noopener">{t!(lang, "auth-privacy-link")}</a>
                                    {text.version.map(|v| view! { <span class="muted">{format!(" {}", t!(lang, "auth-privacy-version", version = v))}</span> })}
                                </p>
                                <details class="notice-text">
                                    <summary>{t!(lang, "auth-privacy-read-here")}</summary>
                                    {text.paragraphs.into_iter().map(|p| view! { <p class="preformatted">{p}</p> }).collect_view()}
                                </details>
                                <ActionForm action=action>
                                    {FormRefusal::from_address(None, &[]).general()}
                                    <input type="hidden" name="version" value=text.version.unwrap_or_default().to_string()/>
                                    <div class="actions">
                                        <button type="submit" class="button primary" disabled=move || action.pending().get()>
                                            {t!(lang, "auth-privacy-accept")}
                                        </button>
                                        <button type="submit" class="button secondary" form="cancel-form">{t!(lang, "auth-cancel")}</button>
                                    </div>
                                </ActionForm>
                            }
                            .into_any(),
                            Err(error) => crate::ui::alert(&error),
                        }
                    })}
                </Suspense>
            </section>
        </SetupStepGate>
    }
}

