//! The pages behind mailed links: invitation and "Passwort vergessen".

use super::*;

/// What a page behind a mailed link shows when the link does not work.
fn link_refused(error: AppError) -> AnyView {
    // Rendered whole before the headers go out: a used link answers 410,
    // an address over its limit 429 (`refused` sets the status).
    view! {
        {crate::ui::refused(error)}
        <div class="actions">
            <a class="button primary" href=routes::FORGOT_PASSWORD>"Neuen Link anfordern"</a>
            <a class="button secondary" href=routes::LOGIN>"Zur Anmeldung"</a>
        </div>
    }
    .into_any()
}

/// A page behind a mailed link: checks the link first, then shows `intro`,
/// the username and the form `form` renders for the rules and the token.
#[component]
fn LinkPage(
    kind: LinkKind,
    intro: &'static str,
    form: Callback<(PasswordRules, String), AnyView>,
) -> impl IntoView {
    let query = use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    let info = Resource::new(move || token.get(), move |token| link_info(kind, token));
    view! {
        <section class="card narrow">
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match info.await {
                        Ok(rules) => view! {
                            <p>{intro}</p>
                            <p>"Ihr Benutzername: " <strong>{rules.username.clone()}</strong></p>
                            {form.run((rules, token.get_untracked()))}
                        }
                        .into_any(),
                        Err(error) => link_refused(error),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The page an invitation mail links to: the new user sets their password,
/// is signed in, and goes on to the privacy notice.
#[component]
pub fn InvitationPage() -> impl IntoView {
    let action = expect_context::<ServerAction<AcceptInvitation>>();
    let refusal = new_password_refusal(None);
    let form = Callback::new(move |(rules, token): (PasswordRules, String)| {
        view! {
            <ActionForm action=action>
                {refusal.general()}
                <input type="hidden" name="token" value=token/>
                <NewPasswordFields rules refused=refusal.refused()/>
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || action.pending().get()>"Passwort festlegen"</button>
                </div>
            </ActionForm>
        }
        .into_any()
    });
    view! {
        <PageTitle title="Passwort festlegen"/>
        <LinkPage kind=LinkKind::Invitation intro="Willkommen im Kundenportal. Bitte legen Sie Ihr persönliches Passwort fest." form/>
    }
}

/// The page a "Passwort vergessen" mail links to.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let action = ServerAction::<ResetPassword>::new();
    let refusal = new_password_refusal(None);
    let form = Callback::new(move |(rules, token): (PasswordRules, String)| {
        view! {
            <ActionForm action=action>
                {refusal.general()}
                <input type="hidden" name="token" value=token/>
                <NewPasswordFields rules refused=refusal.refused()/>
                <div class="actions">
                    <a class="button secondary" href=routes::LOGIN>"Abbrechen"</a>
                    <button type="submit" class="button primary" disabled=move || action.pending().get()>"Passwort speichern"</button>
                </div>
            </ActionForm>
        }
        .into_any()
    });
    view! {
        <PageTitle title="Neues Passwort"/>
        <LinkPage
            kind=LinkKind::PasswordReset
            intro="Legen Sie ein neues Passwort fest. Danach sind Sie überall abgemeldet und melden sich mit dem neuen Passwort an."
            form
        />
    }
}

