//! Profil → Passwort and Profil → Anmeldungen.

use super::*;

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

