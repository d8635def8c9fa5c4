//! Login and "Passwort vergessen".

use super::*;
use crate::t;

/// Benutzername*, Passwort*, Login and "Passwort vergessen".
#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = crate::i18n::lang();
    let login = expect_context::<ServerAction<Login>>();
    let query = use_query_map();
    let notice = move || {
        query
            .read()
            .get("passwort")
            .map(|_| t!(lang, "auth-login-new-password-saved"))
    };
    view! {
        <PageTitle title=t!(lang, "auth-login-title")/>
        <section class="card narrow">
            <ActionForm action=login>
                {move || notice().map(|text| view! { <p class="notice" role="status">{text}</p> })}
                // Wrong name or password is never said of one field: that would tell which was right.
                {FormRefusal::from_address(None, &[]).general()}
                <div class="field">
                    <label for="username">{t!(lang, "auth-login-username")} <span class="required">"*"</span></label>
                    // "webauthn": the browser may offer passkeys among the suggestions.
                    <input id="username" name="username" type="text" autocomplete="username webauthn"
                        autocapitalize="none" spellcheck="false" required/>
                </div>
                <div class="field">
                    <label for="login-password">{t!(lang, "auth-login-password")} <span class="required">"*"</span></label>
                    <input id="login-password" name="password" type="password" autocomplete="current-password" required/>
                </div>
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || login.pending().get()>{t!(lang, "auth-login-submit")}</button>
                    <a class="button secondary" href=routes::FORGOT_PASSWORD>{t!(lang, "auth-login-forgot-password")}</a>
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
    let lang = crate::i18n::lang();
    let action = ServerAction::<RequestPasswordReset>::new();
    let query = use_query_map();
    let sent = move || {
        matches!(action.value().read().as_ref(), Some(Ok(()))) || query.read().get("gesendet").is_some()
    };
    let refusal = FormRefusal::from_address(None, &["identifier"]);
    view! {
        <PageTitle title=t!(lang, "auth-forgot-title")/>
        <section class="card narrow">
            <Show
                when=sent
                fallback=move || view! {
                    <ActionForm action=action>
                        <p>{t!(lang, "auth-forgot-intro")}</p>
                        {refusal.general()}
                        <div class="field">
                            <label for="identifier">{t!(lang, "auth-forgot-identifier")} <span class="required">"*"</span></label>
                            <input id="identifier" name="identifier" type="text" autocomplete="username"
                                autocapitalize="none" spellcheck="false" required
                                aria-invalid=refusal.invalid("identifier") aria-describedby=refusal.described_by("identifier", "identifier", None)
                                autofocus=refusal.about("identifier")/>
                            {refusal.message("identifier", "identifier")}
                        </div>
                        <div class="actions">
                            <a class="button secondary" href=routes::LOGIN>{t!(lang, "auth-cancel")}</a>
                            <button type="submit" class="button primary" disabled=move || action.pending().get()>{t!(lang, "auth-forgot-submit")}</button>
                        </div>
                    </ActionForm>
                }
            >
                <p class="notice" role="status">{t!(lang, "auth-forgot-sent")}</p>
                <p>{t!(lang, "auth-forgot-no-mail")}</p>
                <div class="actions">
                    <a class="button primary" href=routes::LOGIN>{t!(lang, "auth-to-sign-in")}</a>
                </div>
            </Show>
        </section>
    }
}

