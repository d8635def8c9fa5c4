//! The pages behind mailed links: invitation and "Passwort vergessen".

use super::*;
use crate::t;

/// What a page behind a mailed link shows when the link does not work.
fn link_refused(error: AppError) -> AnyView {
    let lang = crate::i18n::lang();
    // Rendered whole before the headers go out: a used link answers 410,
    // an address over its limit 429 (`refused` sets the status).
    view! {
        {crate::ui::refused(error)}
        <div class="actions">
            <a class="button primary" href=routes::FORGOT_PASSWORD>{t!(lang, "auth-link-request-new")}</a>
            <a class="button secondary" href=routes::LOGIN>{t!(lang, "auth-to-sign-in")}</a>
        </div>
    }
    .into_any()
}

/// A page behind a mailed link: checks the link first, then shows `intro`,
/// the username and the form `form` renders for the rules and the token.
#[component]
fn LinkPage(
    kind: LinkKind,
    intro: String,
    form: Callback<(PasswordRules, String), AnyView>,
) -> impl IntoView {
    let lang = crate::i18n::lang();
    let query = use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    let info = Resource::new(move || token.get(), move |token| link_info(kind, token));
    view! {
        <section class="card narrow">
            <Suspense fallback=loading>
                {move || {
                    let intro = intro.clone();
                    Suspend::new(async move {
                        match info.await {
                            Ok(rules) => view! {
                                <p>{intro}</p>
                                <p>{t!(lang, "auth-link-username")} " " <strong>{rules.username.clone()}</strong></p>
                                {form.run((rules, token.get_untracked()))}
                            }
                            .into_any(),
                            Err(error) => link_refused(error),
                        }
                    })
                }}
            </Suspense>
        </section>
    }
}

/// The page an invitation mail links to: the new user sets their password,
/// is signed in, and goes on to the privacy notice.
#[component]
pub fn InvitationPage() -> impl IntoView {
    let lang = crate::i18n::lang();
    let action = expect_context::<ServerAction<AcceptInvitation>>();
    let refusal = new_password_refusal(None);
    let form = Callback::new(move |(rules, token): (PasswordRules, String)| {
        view! {
            <ActionForm action=action>
                {refusal.general()}
                <input type="hidden" name="token" value=token/>
                <NewPasswordFields rules refused=refusal.refused()/>
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || action.pending().get()>{t!(lang, "auth-invitation-submit")}</button>
                </div>
            </ActionForm>
        }
        .into_any()
    });
    view! {
        <PageTitle title=t!(lang, "auth-invitation-title")/>
        <LinkPage kind=LinkKind::Invitation intro=t!(lang, "auth-invitation-intro") form/>
    }
}

/// The page a "Passwort vergessen" mail links to.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let lang = crate::i18n::lang();
    let action = ServerAction::<ResetPassword>::new();
    let refusal = new_password_refusal(None);
    let form = Callback::new(move |(rules, token): (PasswordRules, String)| {
        view! {
            <ActionForm action=action>
                {refusal.general()}
                <input type="hidden" name="token" value=token/>
                <NewPasswordFields rules refused=refusal.refused()/>
                <div class="actions">
                    <a class="button secondary" href=routes::LOGIN>{t!(lang, "auth-cancel")}</a>
                    <button type="submit" class="button primary" disabled=move || action.pending().get()>{t!(lang, "auth-reset-submit")}</button>
                </div>
            </ActionForm>
        }
        .into_any()
    });
    view! {
        <PageTitle title=t!(lang, "auth-reset-title")/>
        <LinkPage
            kind=LinkKind::PasswordReset
            intro=t!(lang, "auth-reset-intro")
            form
        />
    }
}

