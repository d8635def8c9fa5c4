//! The pages before the portal: Login, the two first-sign-in steps,
//! "Passwort vergessen" and the pages behind mailed links. Every form is a
//! plain HTML form first, so it also works before the WASM has loaded.

use super::{
    link_info, own_password_rules, AcceptInvitation, ChangePassword, AcceptPrivacy, LinkKind, Login, Logout, PasswordRules,
    RequestPasswordReset, ResetPassword, SetInitialPassword, SetupStep, SignOutElsewhere, UserResource,
};
use crate::error::AppError;
use crate::legal::{get_legal_text, LegalPageKind};
use crate::routes;
use crate::ui::PageTitle;
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

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

/// The refusal of the last submit, if any: from the action, or — after a
/// plain form post without JavaScript — from the `fehler` code in the address.
fn action_error<T: Send + Sync + 'static>(
    value: impl With<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
) -> impl IntoView {
    section_action_error(value, None)
}

/// [`action_error`] for a page with several forms: a `fehler` code in the
/// address belongs to the form whose section the address names
/// (`bereich=…`; none for the page's main form).
fn section_action_error<T: Send + Sync + 'static>(
    value: impl With<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
    section: Option<&'static str>,
) -> impl IntoView {
    let query = use_query_map();
    move || {
        let message = value.with(|result| match result {
            Some(Err(error)) => Some(error.to_string()),
            Some(Ok(_)) => None,
            None => {
                let query = query.read();
                (query.get("bereich").as_deref() == section)
                    .then(|| query.get("fehler"))
                    .flatten()
                    .map(|code| AppError::from_form_code(&code).to_string())
            }
        });
        message.map(|text| view! { <p class="alert" role="alert">{text}</p> })
    }
}

fn loading() -> impl IntoView {
    view! { <p class="muted">"Wird geladen …"</p> }
}

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
                {action_error(login.value())}
                <div class="field">
                    <label for="username">"Benutzername" <span class="required">"*"</span></label>
                    <input id="username" name="username" type="text" autocomplete="username"
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
        </section>
    }
}

/// "Neues Passwort" and "Neues Passwort bestätigen", with every rule of the
/// policy shown as met or not met while the user types. The server checks
/// the same rules again.
#[component]
pub fn NewPasswordFields(
    rules: PasswordRules,
    /// Empties both fields whenever it changes (e.g. after a successful change).
    #[prop(default = None)]
    clear: Option<Signal<usize>>,
) -> impl IntoView {
    let (password, set_password) = typed_input("password");
    let (confirm, set_confirm) = typed_input("confirm");
    if let Some(clear) = clear {
        Effect::new(move |previous: Option<usize>| {
            let now = clear.get();
            if previous.is_some_and(|previous| previous != now) {
                set_password.set(String::new());
                set_confirm.set(String::new());
            }
            now
        });
    }
    let rules = StoredValue::new(rules);
    let checks = move || rules.with_value(|rules| rules.check(&password.read()));
    let mismatch = move || {
        let confirm = confirm.read();
        !confirm.is_empty() && *confirm != *password.read()
    };
    view! {
        <div class="field">
            <label for="password">"Neues Passwort" <span class="required">"*"</span></label>
            // No maxlength: a browser would cut a longer password silently,
            // and the user would not know which one they set.
            <input id="password" name="password" type="password" autocomplete="new-password" required
                aria-describedby="password-rules" prop:value=password
                on:input=move |ev| set_password.set(event_target_value(&ev))/>
        </div>
        <ul id="password-rules" class="rules" aria-live="polite">
            {move || {
                checks()
                    .into_iter()
                    .map(|check| {
                        let (class, mark, state) = if check.met {
                            ("rule met", "✓", "erfüllt: ")
                        } else {
                            ("rule unmet", "✗", "nicht erfüllt: ")
                        };
                        view! {
                            <li class=class data-met=check.met.to_string()>
                                <span class="rule-mark" aria-hidden="true">{mark}</span>
                                <span class="visually-hidden">{state}</span>
                                {check.label}
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
        <div class="field">
            <label for="confirm">"Neues Passwort bestätigen" <span class="required">"*"</span></label>
            <input id="confirm" name="confirm" type="password" autocomplete="new-password" required
                prop:value=confirm on:input=move |ev| set_confirm.set(event_target_value(&ev))/>
        </div>
        {move || mismatch().then(|| view! { <p class="hint unmet" role="status">"Die beiden Passwörter stimmen nicht überein."</p> })}
    }
}

/// [`NewPasswordFields`] with the rules for the signed-in user's own password.
#[component]
fn OwnNewPasswordFields(#[prop(default = None)] clear: Option<Signal<usize>>) -> impl IntoView {
    let rules = Resource::new(|| (), |_| own_password_rules());
    view! {
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match rules.await {
                    Ok(rules) => view! { <NewPasswordFields rules clear=clear/> }.into_any(),
                    Err(error) => view! { <p class="alert" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Shows `children` only to a session whose next step is `step`; everybody
/// else is sent where they belong.
#[component]
fn SetupStepGate(step: SetupStep, children: ChildrenFn) -> impl IntoView {
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
                        Err(error) => view! { <p class="alert" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// "Abbrechen" on the first-sign-in steps signs out: nothing else is allowed
/// until they are done. A form of its own, which the button refers to by id.
#[component]
fn CancelForm() -> impl IntoView {
    let logout = expect_context::<ServerAction<Logout>>();
    view! { <ActionForm action=logout attr:id="cancel-form" attr:class="hidden-form"><span></span></ActionForm> }
}

/// First sign-in, step 1: "Passwort ändern"; the same page asks
/// for a new password once the old one has expired.
#[component]
pub fn SetPasswordPage() -> impl IntoView {
    let action = expect_context::<ServerAction<SetInitialPassword>>();
    let user = expect_context::<UserResource>().0;
    let expired = move || {
        matches!(user.get(), Some(Ok(Some(user))) if user.pending == Some(SetupStep::PasswordExpired))
    };
    view! {
        <PageTitle title="Passwort ändern"/>
        <SetupStepGate step=SetupStep::ChangePassword>
            <section class="card narrow">
                <p>{move || if expired() {
                    "Ihr Passwort ist abgelaufen. Bitte vergeben Sie ein neues Passwort und bestätigen Sie es."
                } else {
                    "Bitte vergeben Sie ein persönliches Passwort und bestätigen Sie es. Danach gilt nur noch Ihr eigenes Passwort."
                }}</p>
                <CancelForm/>
                <ActionForm action=action>
                    {action_error(action.value())}
                    <OwnNewPasswordFields/>
                    <div class="actions">
                        <button type="submit" class="button secondary" form="cancel-form">"Abbrechen"</button>
                        <button type="submit" class="button primary" disabled=move || action.pending().get()>"Passwort ändern"</button>
                    </div>
                </ActionForm>
            </section>
        </SetupStepGate>
    }
}

/// First sign-in, step 2, and again after every new version of the notice.
#[component]
pub fn AcceptPrivacyPage() -> impl IntoView {
    let action = expect_context::<ServerAction<AcceptPrivacy>>();
    let notice = Resource::new(|| (), |_| get_legal_text(LegalPageKind::Privacy));
    view! {
        <PageTitle title="Datenschutzhinweise akzeptieren"/>
        <SetupStepGate step=SetupStep::AcceptPrivacy>
            <section class="card narrow">
                <p>"Bitte lesen und akzeptieren Sie unsere Datenschutzhinweise."</p>
                <CancelForm/>
                <Suspense fallback=loading>
                    {move || Suspend::new(async move {
                        match notice.await {
                            Ok(text) => view! {
                                <p>
                                    <a class="more" href=routes::PRIVACY target="_blank" rel="noopener">"› Datenschutzhinweise"</a>
                                    {text.version.map(|v| view! { <span class="muted">{format!(" (Version {v})")}</span> })}
                                </p>
                                <details class="notice-text">
                                    <summary>"Hier lesen"</summary>
                                    {text.paragraphs.into_iter().map(|p| view! { <p class="preformatted">{p}</p> }).collect_view()}
                                </details>
                                <ActionForm action=action>
                                    {action_error(action.value())}
                                    <input type="hidden" name="version" value=text.version.unwrap_or_default().to_string()/>
                                    <div class="actions">
                                        <button type="submit" class="button primary" disabled=move || action.pending().get()>
                                            "Datenschutzhinweise akzeptieren"
                                        </button>
                                        <button type="submit" class="button secondary" form="cancel-form">"Abbrechen"</button>
                                    </div>
                                </ActionForm>
                            }
                            .into_any(),
                            Err(error) => view! { <p class="alert" role="alert">{error.to_string()}</p> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </SetupStepGate>
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
    view! {
        <PageTitle title="Passwort vergessen"/>
        <section class="card narrow">
            <Show
                when=sent
                fallback=move || view! {
                    <ActionForm action=action>
                        <p>"Geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse ein. Wir senden Ihnen einen Link, mit dem Sie ein neues Passwort festlegen."</p>
                        {action_error(action.value())}
                        <div class="field">
                            <label for="identifier">"Benutzername oder E-Mail-Adresse" <span class="required">"*"</span></label>
                            <input id="identifier" name="identifier" type="text" autocomplete="username"
                                autocapitalize="none" spellcheck="false" required/>
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

/// What a page behind a mailed link shows when the link does not work.
fn link_refused(error: AppError) -> AnyView {
    // Rendered whole before the headers go out: a used link answers 410,
    // an address over its limit 429.
    #[cfg(feature = "ssr")]
    error.set_page_status();
    view! {
        <p class="alert" role="alert">{error.to_string()}</p>
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
    let form = Callback::new(move |(rules, token): (PasswordRules, String)| {
        view! {
            <ActionForm action=action>
                {action_error(action.value())}
                <input type="hidden" name="token" value=token/>
                <NewPasswordFields rules/>
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
    let form = Callback::new(move |(rules, token): (PasswordRules, String)| {
        view! {
            <ActionForm action=action>
                {action_error(action.value())}
                <input type="hidden" name="token" value=token/>
                <NewPasswordFields rules/>
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

/// Profil → Passwort: the current password, then the new one twice. The
/// user's other sessions end; this browser stays signed in.
#[component]
pub fn ChangePasswordForm() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let query = use_query_map();
    let changed = move || {
        matches!(action.value().read().as_ref(), Some(Ok(())))
            || (action.value().read().is_none() && query.read().get("passwort").is_some())
    };
    // After a change no password stays in the fields.
    let (current, set_current) = typed_input("current");
    let successes = RwSignal::new(0usize);
    Effect::new(move |_| {
        if changed() {
            set_current.set(String::new());
            successes.update(|n| *n += 1);
        }
    });
    view! {
        <ActionForm action=action>
            {move || changed().then(|| view! {
                <p class="notice" role="status">"Ihr Passwort wurde geändert. Auf anderen Geräten sind Sie jetzt abgemeldet."</p>
            })}
            {action_error(action.value())}
            <div class="field">
                <label for="current">"Aktuelles Passwort" <span class="required">"*"</span></label>
                <input id="current" name="current" type="password" autocomplete="current-password" required
                    prop:value=current on:input=move |ev| set_current.set(event_target_value(&ev))/>
            </div>
            <OwnNewPasswordFields clear=Some(successes.into())/>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || action.pending().get()>"Passwort ändern"</button>
            </div>
        </ActionForm>
    }
}

/// The `bereich` of Profil → Anmeldungen in an address: a plain form post
/// comes back to it, and the section opens.
pub const SIGN_INS_SECTION: &str = "anmeldungen";

/// Profil → Anmeldungen: ends the sessions on every other device (a lost
/// phone, a shared computer); this browser stays signed in.
#[component]
pub fn SignOutElsewhereForm() -> impl IntoView {
    let action = ServerAction::<SignOutElsewhere>::new();
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
                let text = match ended {
                    0 => "Sie waren auf keinem anderen Gerät angemeldet.".to_owned(),
                    1 => "Eine Anmeldung auf einem anderen Gerät wurde beendet.".to_owned(),
                    n => format!("{n} Anmeldungen auf anderen Geräten wurden beendet."),
                };
                view! { <p class="notice" role="status">{text}</p> }
            })}
            {section_action_error(action.value(), Some(SIGN_INS_SECTION))}
            <p>"Beendet Ihre Anmeldung auf allen anderen Geräten und Browsern. Hier bleiben Sie angemeldet."</p>
            <div class="actions">
                <button type="submit" class="button secondary" disabled=move || action.pending().get()>
                    "Auf allen anderen Geräten abmelden"
                </button>
            </div>
        </ActionForm>
    }
}
