//! Login and "Passwort vergessen".

use super::*;

/// Benutzername*, Passwort*, Login and "Passwort vergessen".
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = expect_context::<ServerAction<Login>>();
    let query = use_query_map();
    let notice = move || {
        query
            .read()
            .get("passwort")
            .map(|_| "Ihr neues Passwort ist gespeichert. Bitte melden Sie sich damit an.")
    };
    view! {
        <PageTitle title="Login"/>
        <section class="card narrow">
            <ActionForm action=login>
                {move || notice().map(|text| view! { <p class="notice" role="status">{text}</p> })}
                // Wrong name or password is never said of one field: that would tell which was right.
                {FormRefusal::from_address(None, &[]).general()}
                <div class="field">
                    <label for="username">"Benutzername" <span class="required">"*"</span></label>
                    // "webauthn": the browser may offer passkeys among the suggestions.
                    <input id="username" name="username" type="text" autocomplete="username webauthn"
                        autocapitalize="none" spellcheck="false" required/>
                </div>
                <div class="field">
                    <label for="login-password">"Passwort" <span class="required">"*"</span></label>
                    <input id="login-password" name="password" type="password" autocomplete="current-password" required/>
                </div>
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || login.pending().get()>"Login"</button>
                    <a class="button secondary" href=routes::FORGOT_PASSWORD>"Passwort vergessen"</a>
                </div>
            </ActionForm>
            <PasskeySignInOffer/>
        </section>
    }
}


/// "Passwort vergessen": username or e-mail address; the same neutral answer
/// whether or not an account matches.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let query = use_query_map();
    let sent = move || {
        matches!(action.value().read().as_ref(), Some(Ok(()))) || query.read().get("gesendet").is_some()
    };
    let refusal = FormRefusal::from_address(None, &["identifier"]);
    view! {
        <PageTitle title="Passwort vergessen"/>
        <section class="card narrow">
            <Show
                when=sent
                fallback=move || view! {
                    <ActionForm action=action>
                        <p>"Geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse ein. Wir senden Ihnen einen Link, mit dem Sie ein neues Passwort festlegen."</p>
                        {refusal.general()}
                        <div class="field">
                            <label for="identifier">"Benutzername oder E-Mail-Adresse" <span class="required">"*"</span></label>
                            <input id="identifier" name="identifier" type="text" autocomplete="username"
                                autocapitalize="none" spellcheck="false" required
                                aria-invalid=refusal.invalid("identifier") aria-describedby=refusal.described_by("identifier", "identifier", None)
                                autofocus=refusal.about("identifier")/>
                            {refusal.message("identifier", "identifier")}
                        </div>
                        <div class="actions">
                            <a class="button secondary" href=routes::LOGIN>"Abbrechen"</a>
                            <button type="submit" class="button primary" disabled=move || action.pending().get()>"Link anfordern"</button>
                        </div>
                    </ActionForm>
                }
            >
                <p class="notice" role="status">
                    "Falls zu Ihrer Angabe ein aktiver Benutzer gehört, haben wir soeben eine E-Mail mit einem Link geschickt. "
                    "Der Link ist nur kurze Zeit gültig und kann einmal verwendet werden."
                </p>
                <p>"Keine E-Mail erhalten? Prüfen Sie den Spam-Ordner oder wenden Sie sich an unsere Hotline."</p>
                <div class="actions">
                    <a class="button primary" href=routes::LOGIN>"Zur Anmeldung"</a>
                </div>
            </Show>
        </section>
    }
}

