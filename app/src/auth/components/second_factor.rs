//! The second factor's pages: the sign-in's second step, Profil →
//! Zwei-Faktor-Anmeldung, the set-up a customer can require before
//! anything else, and the recovery codes shown once. Plain forms all: the
//! QR code is inline SVG made on the server, nothing needs JavaScript.

use super::first_sign_in::{CancelForm, SetupStepGate};
use super::*;
use crate::auth::{
    new_recovery_codes, second_factor_status, second_step_waiting, BeginSecondFactor, ConfirmSecondFactor, RecoveryCodesDone,
    RenewRecoveryCodes, SecondFactorState, SecondFactorView, SecondStep, TurnOffSecondFactor, SECOND_FACTOR_SECTION,
};

/// The field every code form uses.
const CODE: &str = "code";

/// A code field: six digits of the app, or (where `recovery` is allowed)
/// a recovery code with letters.
#[component]
fn CodeField(refusal: FormRefusal, id: &'static str, label: &'static str, recovery: bool, #[prop(optional)] autofocus: bool) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let hint = if recovery {
        "Sechs Ziffern aus der App, oder einer Ihrer Wiederherstellungscodes (xxxx-xxxx-xxxx-xxxx)."
    } else {
        "Die sechs Ziffern, die Ihre Authenticator-App gerade anzeigt."
    };
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
    let action = ServerAction::<SecondStep>::new();
    let waiting = Resource::new(|| (), |_| second_step_waiting());
    view! {
        <PageTitle title="Anmeldung bestätigen"/>
        <section class="card narrow">
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match waiting.await {
                        Ok(true) => {
                            let refusal = FormRefusal::from_address(None, &[CODE]);
                            view! {
                                <ActionForm action=action>
                                    <p>"Ihr Benutzer ist mit der Zwei-Faktor-Anmeldung geschützt. Bitte geben Sie den Code aus Ihrer Authenticator-App ein."</p>
                                    {refusal.general()}
                                    <CodeField refusal id="second-step-code" label="Code" recovery=true autofocus=true/>
                                    <div class="actions">
                                        <button type="submit" class="button primary" disabled=move || action.pending().get()>"Anmelden"</button>
                                        <a class="button secondary" href=routes::LOGIN>"Abbrechen"</a>
                                    </div>
                                </ActionForm>
                                <p class="muted">"App und Wiederherstellungscodes verloren? Rufen Sie uns an; wir setzen die Zwei-Faktor-Anmeldung nach Prüfung zurück."</p>
                            }
                            .into_any()
                        }
                        Ok(false) => view! {
                            {FormRefusal::from_address(None, &[]).general()}
                            <p class="notice" role="status">"Die Anmeldung ist abgelaufen oder wurde beendet. Bitte melden Sie sich noch einmal an."</p>
                            <div class="actions"><a class="button primary" href=routes::LOGIN>"Zur Anmeldung"</a></div>
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
    let status = Resource::new(|| (), |_| second_factor_status());
    let user = expect_context::<UserResource>().0;
    view! {
        <PageTitle title="Zwei-Faktor-Anmeldung einrichten"/>
        <SetupStepGate step=SetupStep::SetUpSecondFactor>
            <section class="card narrow">
                <p>"Für Ihr Kundenkonto ist die Zwei-Faktor-Anmeldung vorgeschrieben. Bitte richten Sie sie jetzt ein; danach geht es weiter."</p>
                <CancelForm/>
                <Suspense fallback=loading>
                    {move || Suspend::new(async move {
                        let recent = matches!(user.await, Ok(Some(UserView { recently_authenticated: true, .. })));
                        match status.await {
                            Ok(view) if recent => view! { <SecondFactorSetup view gated=false/> }.into_any(),
                            // Only a fresh sign-in binds an authenticator: an old session might not be the user's.
                            Ok(_) => view! {
                                <p class="notice" role="status">"Ihre Anmeldung liegt über eine Stunde zurück. Bitte melden Sie sich ab und wieder an; danach richten Sie die Zwei-Faktor-Anmeldung ein."</p>
                            }.into_any(),
                            Err(error) => crate::ui::alert(&error),
                        }
                    })}
                </Suspense>
                <div class="actions">
                    <button type="submit" class="button secondary" form="cancel-form">"Abmelden"</button>
                </div>
            </section>
        </SetupStepGate>
    }
}

/// Profil → Zwei-Faktor-Anmeldung.
#[component]
pub fn SecondFactorSection() -> impl IntoView {
    let status = Resource::new(|| (), |_| second_factor_status());
    let query = use_query_map();
    let turned_off = move || query.read().get("ausgeschaltet").is_some();
    view! {
        {move || turned_off().then(|| view! {
            <p class="notice" role="status">"Die Zwei-Faktor-Anmeldung ist ausgeschaltet. Für die Anmeldung genügt wieder das Passwort."</p>
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
                <p>"Mit der Zwei-Faktor-Anmeldung fragt das Kundenportal nach dem Passwort auch nach einem Code aus einer Authenticator-App auf Ihrem Telefon (zum Beispiel Google Authenticator, Microsoft Authenticator oder FreeOTP). Wer nur Ihr Passwort kennt, kommt dann nicht hinein."</p>
                {gate(std::sync::Arc::new(move || view! {
                    <ActionForm action=begin>
                        {FormRefusal::from_address(Some(SECOND_FACTOR_SECTION), &[]).general()}
                        <div class="actions">
                            <button type="submit" class="button primary" disabled=move || begin.pending().get()>"Zwei-Faktor-Anmeldung einrichten"</button>
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
                        <p>"Scannen Sie diesen QR-Code mit Ihrer Authenticator-App:"</p>
                        <div class="qr-code" role="img" aria-label="QR-Code zum Einrichten der Authenticator-App" inner_html=qr_svg.get_value()></div>
                        <p>"Oder geben Sie den Schlüssel von Hand ein (Zeitbasiert, 6 Ziffern, 30 Sekunden):"</p>
                        <p><code class="totp-secret">{secret.get_value()}</code></p>
                        <p><a href=otpauth_uri.get_value() rel="external">"Auf diesem Gerät in der Authenticator-App öffnen"</a></p>
                    </li>
                    <li>
                        <p>"Geben Sie den Code ein, den die App jetzt anzeigt:"</p>
                        <ActionForm action=confirm>
                            {refusal.get_value().general()}
                            <CodeField refusal=refusal.get_value() id="setup-code" label="Code aus der App" recovery=false/>
                            <div class="actions">
                                <button type="submit" class="button primary" disabled=move || confirm.pending().get()>"Aktivieren"</button>
                            </div>
                        </ActionForm>
                    </li>
                </ol>
            }.into_any()))
        }
        SecondFactorState::On { since, recovery_codes_left } => {
            let renew = ServerAction::<RenewRecoveryCodes>::new();
            let left = match recovery_codes_left {
                0 => "Sie haben keine Wiederherstellungscodes mehr. Bitte erzeugen Sie neue.".to_owned(),
                1 => "Sie haben noch einen Wiederherstellungscode.".to_owned(),
                n => format!("Sie haben noch {n} Wiederherstellungscodes."),
            };
            view! {
                <p><span class="badge">"eingeschaltet"</span> {format!(" seit {since}. Bei jeder Anmeldung fragt das Portal nach dem Code aus Ihrer Authenticator-App.")}</p>
                <p>{left}</p>
                {gate(std::sync::Arc::new(move || view! {
                    <ActionForm action=renew>
                        {FormRefusal::from_address(Some(SECOND_FACTOR_SECTION), &[]).general()}
                        <p class="muted">"Neue Codes ersetzen alle bisherigen."</p>
                        <div class="actions">
                            <button type="submit" class="button secondary" disabled=move || renew.pending().get()>"Neue Wiederherstellungscodes erzeugen"</button>
                        </div>
                    </ActionForm>
                }.into_any()))}
                {if view.required {
                    view! { <p class="muted">"Für Ihr Kundenkonto ist die Zwei-Faktor-Anmeldung vorgeschrieben; sie lässt sich nicht ausschalten."</p> }.into_any()
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
    let action = ServerAction::<TurnOffSecondFactor>::new();
    let refusal = FormRefusal::from_address(Some(SECOND_FACTOR_SECTION), &["password", CODE]);
    view! {
        <h3 class="section-title">"Ausschalten"</h3>
        <ActionForm action=action>
            {refusal.general()}
            <div class="field">
                <label for="second-factor-off-password">"Passwort" <span class="required">"*"</span></label>
                <input id="second-factor-off-password" name="password" type="password" autocomplete="current-password" required
                    aria-invalid=refusal.invalid("password") aria-describedby=refusal.described_by("password", "second-factor-off-password", None)
                    autofocus=refusal.about("password")/>
                {refusal.message("password", "second-factor-off-password")}
            </div>
            <CodeField refusal=refusal.clone() id="second-factor-off-code" label="Code" recovery=true/>
            <div class="actions">
                <button type="submit" class="button secondary" disabled=move || action.pending().get()>"Zwei-Faktor-Anmeldung ausschalten"</button>
            </div>
        </ActionForm>
    }
}

/// The recovery codes, once: right after the set-up or after new ones were
/// made. They leave this browser with "Gespeichert" (or after ten minutes).
#[component]
pub fn RecoveryCodesPage() -> impl IntoView {
    let done = ServerAction::<RecoveryCodesDone>::new();
    let codes = Resource::new(|| (), |_| new_recovery_codes());
    view! {
        <PageTitle title="Wiederherstellungscodes"/>
        <section class="card">
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match codes.await {
                        Ok(codes) if codes.is_empty() => view! {
                            <p>"Wiederherstellungscodes werden nur einmal angezeigt, direkt nachdem sie erzeugt wurden. Neue Codes erzeugen Sie im Profil."</p>
                            <div class="actions">
                                <a class="button primary" href=format!("{}?bereich={SECOND_FACTOR_SECTION}", routes::PROFILE)>"Zum Profil"</a>
                            </div>
                        }.into_any(),
                        Ok(codes) => view! {
                            <p class="notice" role="status">"Die Zwei-Faktor-Anmeldung ist eingerichtet. Hier sind Ihre Wiederherstellungscodes."</p>
                            <p>"Mit jedem dieser Codes können Sie sich einmal anmelden, wenn Ihre Authenticator-App nicht zur Hand ist. Speichern oder drucken Sie sie jetzt und bewahren Sie sie getrennt von Ihrem Passwort auf: Sie werden nur dieses eine Mal angezeigt."</p>
                            <ol class="recovery-codes">
                                {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
                            </ol>
                            <div class="actions">
                                <a class="button secondary" href=routes::RECOVERY_CODES_FILE download="kundenportal-wiederherstellungscodes.txt">"Als Textdatei herunterladen"</a>
                            </div>
                            <ActionForm action=done>
                                {FormRefusal::from_address(None, &[]).general()}
                                <div class="actions">
                                    <button type="submit" class="button primary" disabled=move || done.pending().get()>"Ich habe die Codes gespeichert"</button>
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
