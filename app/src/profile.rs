//! Profil: sections that open and close — name, password, e-mail address,
//! sign-ins, and how new documents are announced.

mod account;
pub use account::{
    check_email_link, confirm_email_change, get_profile, request_email_change, set_name, EmailChangeInfo, EmailConfirmPage,
    ProfileDetails, EMAIL_SECTION, NAME_SECTION,
};
#[cfg(feature = "ssr")]
pub use account::ssr as account_ssr;

use crate::auth::{ChangePasswordForm, SignInsSection, SIGN_INS_SECTION};
use crate::error::AppError;
use crate::ui::{FormRefusal, PageTitle};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use crate::auth::ssr::require_user;
#[cfg(feature = "ssr")]
use crate::server::serve::{read, serve};

/// How a user hears of a new document (Profil → E-Mail-Benachrichtigung →
/// Bereitstellung von Dokumenten).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum NotifyMode {
    /// keine
    None,
    /// nur Benachrichtigung: a mail names the documents and links to the list.
    #[default]
    Notify,
    /// mit Anhang: one mail per document with the PDF.
    Attachment,
}

impl NotifyMode {
    pub const ALL: [NotifyMode; 3] = [NotifyMode::None, NotifyMode::Notify, NotifyMode::Attachment];

    /// As stored (`users.notify_mode`) and as the form sends it.
    pub fn key(self) -> &'static str {
        match self {
            NotifyMode::None => "none",
            NotifyMode::Notify => "notify",
            NotifyMode::Attachment => "attachment",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            NotifyMode::None => "keine",
            NotifyMode::Notify => "nur Benachrichtigung",
            NotifyMode::Attachment => "mit Anhang",
        }
    }

    pub fn hint(self) -> &'static str {
        match self {
            NotifyMode::None => "Sie erhalten keine E-Mail zu neuen Dokumenten.",
            NotifyMode::Notify => "Eine E-Mail nennt die neuen Dokumente und verlinkt die Dokumentenliste.",
            NotifyMode::Attachment => "Eine E-Mail je Dokument mit dem PDF im Anhang.",
        }
    }

    pub fn parse(key: &str) -> Result<Self, crate::domain::InputError> {
        Self::ALL
            .into_iter()
            .find(|mode| mode.key() == key.trim())
            .ok_or_else(|| crate::domain::InputError::new(crate::domain::Refusal::NotifyModeUnknown).at("mode"))
    }
}

/// The `bereich` of Profil → E-Mail-Benachrichtigung in an address.
pub const NOTIFICATION_SECTION: &str = "benachrichtigung";

/// The signed-in user's choice.
#[server(endpoint = "profile/notification")]
pub async fn notification_mode() -> Result<NotifyMode, AppError> {
    read(require_user(), async |state, user| Ok(ssr::notify_mode(state, user.user_id).await?)).await
}

/// Stores the signed-in user's choice ("Speichern").
#[server(endpoint = "profile/set_notification")]
pub async fn set_notification_mode(mode: String) -> Result<(), AppError> {
    let page = format!("{}?bereich={NOTIFICATION_SECTION}", crate::routes::PROFILE);
    let served = serve(require_user(), &page, async |state, user, ip| {
        let mode = NotifyMode::parse(&mode)?;
        ssr::set_notify_mode(state, &user, mode, ip).await
    })
    .await?;
    Ok(served.then_show(&format!("{page}&gespeichert=1")))
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::NotifyMode;
    use crate::auth::ssr::SessionUser;
    use crate::error::AppError;
    use crate::server::audit::{self, Actor, AuditEntry};
    use crate::server::db;
    use crate::server::state::AppState;

    pub async fn notify_mode(state: &AppState, user_id: i64) -> Result<NotifyMode, sqlx::Error> {
        let key: String = db::query_scalar("SELECT notify_mode FROM users WHERE id = $1").bind(user_id).fetch_one(&state.pool).await?;
        Ok(NotifyMode::parse(&key).unwrap_or_default())
    }

    /// Stores the choice with its audit entry; choosing the same again changes nothing.
    pub async fn set_notify_mode(state: &AppState, user: &SessionUser, mode: NotifyMode, ip: Option<String>) -> Result<(), AppError> {
        let now = state.clock.now();
        let mut tx = db::begin(&state.pool).await?;
        let before: String = db::query_scalar(&format!("SELECT notify_mode FROM users WHERE id = $1{}", state.pool.for_update()))
            .bind(user.user_id)
            .fetch_one(&mut *tx)
            .await?;
        if before == mode.key() {
            return Ok(());
        }
        db::query("UPDATE users SET notify_mode = $1 WHERE id = $2").bind(mode.key()).bind(user.user_id).execute(&mut *tx).await?;
        let before = NotifyMode::parse(&before).unwrap_or_default();
        let entry = AuditEntry {
            actor: Actor::User(user.user_id),
            customer_id: Some(user.customer_id),
            action: "notification_changed",
            detail: format!("Bereitstellung von Dokumenten: {} → {}", before.label(), mode.label()),
            ip,
        };
        audit::record(&mut tx, entry, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[component]
pub fn ProfilePage() -> impl IntoView {
    // A plain form post comes back with its section in the address; that
    // section opens so its answer is seen.
    let query = use_query_map();
    let open = move |section: &'static str| move || query.read().get("bereich").as_deref() == Some(section);
    let details = Resource::new(|| (), |_| get_profile());
    view! {
        <PageTitle title="Profil"/>
        <section class="card">
            <h2 class="section-title">"Persönliche Informationen"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Wird geladen …"</p> }>
                {move || Suspend::new(async move {
                    match details.await {
                        Ok(details) => view! {
                            <p class="muted">"Benutzername: " <strong>{format!("@{}", details.username)}</strong></p>
                            <details class="profile-section" open=open(NAME_SECTION)>
                                <summary>"Name"</summary>
                                <account::NameForm details=details.clone()/>
                            </details>
                            <details class="profile-section" open>
                                <summary>"Passwort"</summary>
                                <ChangePasswordForm/>
                            </details>
                            <details class="profile-section" open=open(EMAIL_SECTION)>
                                <summary>"E-Mail"</summary>
                                <account::EmailForm details/>
                            </details>
                        }.into_any(),
                        Err(error) => view! { <p class="alert" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <details class="profile-section" open=open(SIGN_INS_SECTION)>
                <summary>"Anmeldungen"</summary>
                <SignInsSection/>
            </details>
            <details class="profile-section" open=open(NOTIFICATION_SECTION)>
                <summary>"E-Mail-Benachrichtigung"</summary>
                <NotificationForm/>
            </details>
        </section>
    }
}

/// Profil → E-Mail-Benachrichtigung: keine / nur Benachrichtigung / mit Anhang.
#[component]
fn NotificationForm() -> impl IntoView {
    let action = ServerAction::<SetNotificationMode>::new();
    let query = use_query_map();
    let current = Resource::new(move || action.version().get(), |_| notification_mode());
    let saved = move || {
        matches!(action.value().read().as_ref(), Some(Ok(())))
            || (action.value().read().is_none() && query.read().get("gespeichert").is_some())
    };
    view! {
        <ActionForm action=action>
            {move || saved().then(|| view! { <p class="notice" role="status">"Ihre Auswahl ist gespeichert."</p> })}
            // Only a crafted post names no offered choice: said above the choices.
            {FormRefusal::from_address(Some(NOTIFICATION_SECTION), &[]).general()}
            <Suspense fallback=|| view! { <p class="muted">"Wird geladen …"</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(chosen) => view! {
                            <fieldset class="choices">
                                <legend>"Bereitstellung von Dokumenten"</legend>
                                {NotifyMode::ALL.into_iter().map(|mode| {
                                    let id = format!("notify-{}", mode.key());
                                    let hint_id = format!("{id}-hint");
                                    view! {
                                        <div class="choice">
                                            <input type="radio" id=id.clone() name="mode" value=mode.key()
                                                checked=mode == chosen aria-describedby=hint_id.clone()/>
                                            <label for=id>{mode.label()}</label>
                                            <span class="hint" id=hint_id>{mode.hint()}</span>
                                        </div>
                                    }
                                }).collect_view()}
                            </fieldset>
                        }
                        .into_any(),
                        Err(error) => view! { <p class="alert" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || action.pending().get()>"Speichern"</button>
            </div>
        </ActionForm>
    }
}
