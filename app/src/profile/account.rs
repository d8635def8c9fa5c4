//! Profil → Name and Profil → E-Mail, and the page behind the link that
//! makes a new address the user's.

use crate::domain::Salutation;
use crate::error::AppError;
use crate::routes;
use crate::ui::{FormRefusal, PageTitle};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use crate::auth::ssr::{optional_session, require_user, set_session_cookie};
#[cfg(feature = "ssr")]
use crate::server::serve::{anyone, limited, read, serve};
#[cfg(feature = "ssr")]
use crate::server::limits::LimitedAction;

/// The `bereich` of Profil → Name and Profil → E-Mail in an address.
pub const NAME_SECTION: &str = "name";
pub const EMAIL_SECTION: &str = "email";
/// How long the link to a new address works.
pub const EMAIL_LINK_HOURS: i64 = 24;

/// What Profil shows of the signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileDetails {
    pub username: String,
    pub salutation: Salutation,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// A new address whose link has not been opened yet.
    pub pending_email: Option<String>,
}

/// What the page behind an e-mail change's link shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailChangeInfo {
    pub username: String,
    pub new_email: String,
}

#[server(endpoint = "profile/details")]
pub async fn get_profile() -> Result<ProfileDetails, AppError> {
    read(require_user(), async |state, user| Ok(ssr::details(state, user.user_id).await?)).await
}

/// Profil → Name → Speichern.
#[server(endpoint = "profile/set_name")]
pub async fn set_name(salutation: String, first_name: String, last_name: String) -> Result<(), AppError> {
    let page = format!("{}?bereich={NAME_SECTION}", routes::PROFILE);
    let served = serve(require_user(), &page, async |state, user, ip| {
        let name = ssr::NewName::parse(&salutation, &first_name, &last_name)?;
        ssr::set_name(state, &user, name, ip).await
    })
    .await?;
    Ok(served.then_show(&format!("{page}&gespeichert=1")))
}

/// Profil → E-Mail: a new address and the current password. A link goes to
/// the new address; nothing changes until it is opened. The answer is the
/// same whatever the address: the address as it will be stored.
#[server(endpoint = "profile/request_email_change")]
pub async fn request_email_change(email: String, password: String) -> Result<String, AppError> {
    let page = format!("{}?bereich={EMAIL_SECTION}", routes::PROFILE);
    let served = serve(limited(LimitedAction::Login, require_user()), &page, async |state, user, ip| {
        ssr::request_email_change(state, &user, &email, &password, ip).await
    })
    .await?;
    Ok(served.then_show(&format!("{page}&gesendet=1")))
}

/// Whether an e-mail change's link still works (anyone with the link).
#[server(endpoint = "profile/email_change_info")]
pub async fn check_email_link(token: String) -> Result<EmailChangeInfo, AppError> {
    read(limited(LimitedAction::Link, anyone()), async |state, ()| Ok(ssr::email_change_info(state, &token).await?)).await
}

/// The owner of the new address confirms: the address changes, the old one
/// is told, every other session of the user ends.
#[server(endpoint = "profile/confirm_email_change")]
pub async fn confirm_email_change(token: String) -> Result<(), AppError> {
    // The browser's own session of this user (if any) goes on.
    let guard = limited(LimitedAction::Link, optional_session());
    let served = serve(guard, &routes::with_token(routes::EMAIL_CONFIRM, &token), async |state, session, ip| {
        ssr::confirm_email_change(state, &token, session.as_ref(), ip).await
    })
    .await?;
    if let Some(session) = &served.value {
        set_session_cookie(&served.state, session, false);
    }
    served.then_show(&format!("{}?bestaetigt=1", routes::EMAIL_CONFIRM));
    Ok(())
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{EmailChangeInfo, ProfileDetails, EMAIL_LINK_HOURS};
    use crate::auth::ssr::session::full_name;
    use crate::auth::ssr::SessionUser;
    use crate::domain::{EmailAddress, InputError, PersonName, Refusal, Salutation};
    use crate::error::AppError;
    use crate::server::audit::{self, Actor, AuditEntry};
    use crate::server::crypto;
    use crate::server::db;
    use crate::server::mail::{unique_key, MailExtras, MailTemplate, OutgoingMail};
    use crate::server::state::AppState;

    pub async fn details(state: &AppState, user_id: i64) -> Result<ProfileDetails, sqlx::Error> {
        let (username, salutation, first_name, last_name, email): (String, String, String, String, String) =
            db::query_as("SELECT username, salutation, first_name, last_name, email FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_one(&state.pool)
                .await?;
        let pending_email: Option<String> = db::query_scalar(
            "SELECT payload FROM tokens WHERE user_id = $1 AND purpose = 'email_change' AND used_at IS NULL AND expires_at > $2 \
             ORDER BY id DESC LIMIT 1",
        )
        .bind(user_id)
        .bind(state.clock.now())
        .fetch_optional(&state.pool)
        .await?
        .flatten();
        Ok(ProfileDetails {
            username,
            salutation: Salutation::parse(&salutation).unwrap_or_default(),
            first_name,
            last_name,
            email,
            pending_email,
        })
    }

    /// Anrede, Vorname and Nachname as the form sent them, parsed.
    pub struct NewName {
        pub salutation: Salutation,
        pub first: PersonName,
        pub last: PersonName,
    }

    impl NewName {
        pub fn parse(salutation: &str, first: &str, last: &str) -> Result<Self, InputError> {
            Ok(Self {
                salutation: Salutation::parse(salutation).map_err(|error| error.at("salutation"))?,
                first: PersonName::parse(first).map_err(|error| error.at("first_name"))?,
                last: PersonName::parse(last).map_err(|error| error.at("last_name"))?,
            })
        }
    }

    pub async fn set_name(state: &AppState, user: &SessionUser, name: NewName, ip: Option<String>) -> Result<(), AppError> {
        let now = state.clock.now();
        let mut tx = db::begin(&state.pool).await?;
        let updated = db::query("UPDATE users SET salutation = $1, first_name = $2, last_name = $3 WHERE id = $4 AND active = TRUE")
            .bind(name.salutation.key())
            .bind(name.first.as_str())
            .bind(name.last.as_str())
            .bind(user.user_id)
            .execute(&mut *tx)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(AppError::NotSignedIn);
        }
        let detail = full_name(name.salutation.key(), name.first.as_str(), name.last.as_str(), &user.username);
        let entry = AuditEntry { actor: Actor::User(user.user_id), customer_id: Some(user.customer_id), action: "name_changed", detail, ip };
        audit::record(&mut tx, entry, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks the password (the login's lockout counter), then mails a
    /// 24-hour link to the new address; an earlier link stops working.
    /// Whether another user has this address is neither checked nor told:
    /// users of one customer may share one.
    pub async fn request_email_change(
        state: &AppState,
        user: &SessionUser,
        email: &str,
        password: &str,
        ip: Option<String>,
    ) -> Result<String, AppError> {
        let new_email = EmailAddress::parse(email).map_err(|error| error.at("email"))?;
        if new_email.as_str().eq_ignore_ascii_case(&user.email) {
            return Err(InputError::new(Refusal::EmailUnchanged).at("email").into());
        }
        use crate::auth::ssr::passwords::{verify_current_password, PasswordAskedFor};
        verify_current_password(state, user, password, PasswordAskedFor::EmailChange, ip.clone()).await?;
        let now = state.clock.now();
        let expires_at = now + EMAIL_LINK_HOURS * 3600;
        let mut tx = db::begin(&state.pool).await?;
        let (token_id, token) = crate::customers::issue_token(&mut tx, user.user_id, "email_change", now, expires_at).await?;
        db::query("UPDATE tokens SET payload = $1 WHERE id = $2").bind(new_email.as_str()).bind(token_id).execute(&mut *tx).await?;
        let link = crate::routes::with_token(&format!("{}{}", state.config.base_url, crate::routes::EMAIL_CONFIRM), &token);
        let context = minijinja::context! {
            ..state.mail_base_context(),
            ..minijinja::context! {
                username => user.username.clone(),
                display_name => user.full_name.clone(),
                link => link,
                valid_hours => EMAIL_LINK_HOURS,
            },
        };
        let mail = OutgoingMail {
            template: MailTemplate::EmailChange,
            idempotency_key: unique_key("email_change", token_id),
            recipient: new_email.clone(),
            context,
            expires_at: Some(expires_at),
        };
        state.outbox.enqueue_new(&mut tx, mail, MailExtras::default(), now).await.map_err(|error| AppError::internal(&error))?;
        let entry = AuditEntry {
            actor: Actor::User(user.user_id),
            customer_id: Some(user.customer_id),
            action: "email_change_requested",
            detail: format!("neue Adresse {}", new_email.as_str()),
            ip,
        };
        audit::record(&mut tx, entry, now).await?;
        tx.commit().await?;
        Ok(new_email.as_str().to_owned())
    }

    #[derive(sqlx::FromRow)]
    struct EmailLink {
        token_id: i64,
        user_id: i64,
        customer_id: i64,
        new_email: Option<String>,
        old_email: String,
        username: String,
        salutation: String,
        first_name: String,
        last_name: String,
    }

    const LINK_QUERY: &str = "SELECT t.id AS token_id, t.user_id, u.customer_id, t.payload AS new_email, u.email AS old_email, \
            u.username, u.salutation, u.first_name, u.last_name \
         FROM tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.purpose = 'email_change' AND t.used_at IS NULL AND t.expires_at > $2 AND u.active = TRUE \
           AND t.security_stamp = u.security_stamp";

    pub async fn email_change_info(state: &AppState, token: &str) -> Result<EmailChangeInfo, AppError> {
        let link: Option<EmailLink> = db::query_as(LINK_QUERY)
            .bind(crypto::token_hash(token))
            .bind(state.clock.now())
            .fetch_optional(&state.pool)
            .await?;
        let link = link.ok_or(AppError::EmailLinkInvalid)?;
        Ok(EmailChangeInfo { username: link.username, new_email: link.new_email.unwrap_or_default() })
    }

    /// Uses the link once: the address changes, the security stamp rotates
    /// (every session of the user ends) and the old address gets a notice.
    /// When `this_browser` is a session of the same user it goes on under a
    /// new id, whose cookie value is returned.
    pub async fn confirm_email_change(
        state: &AppState,
        token: &str,
        this_browser: Option<&SessionUser>,
        ip: Option<String>,
    ) -> Result<Option<String>, AppError> {
        let now = state.clock.now();
        let mut tx = db::begin(&state.pool).await?;
        let link: Option<EmailLink> = db::query_as(&format!("{LINK_QUERY}{}", state.pool.for_update()))
            .bind(crypto::token_hash(token))
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(link) = link else { return Err(AppError::EmailLinkInvalid) };
        let new_email = link.new_email.as_deref().and_then(|raw| EmailAddress::parse(raw).ok()).ok_or(AppError::EmailLinkInvalid)?;
        // Of two uses at once, one wins.
        let used = db::query("UPDATE tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL").bind(now).bind(link.token_id).execute(&mut *tx).await?;
        if used.rows_affected() == 0 {
            return Err(AppError::EmailLinkInvalid);
        }
        // This browser, when it is signed in as the same user, stays signed in
        // (with its own sign-in time: a mailed link is no password).
        let kept = match this_browser {
            Some(session) if session.user_id == link.user_id && session.pending.is_none() => {
                crate::auth::ssr::session::keep_this_session(&mut tx, session).await?
            }
            _ => None,
        };
        db::query("UPDATE users SET email = $1 WHERE id = $2").bind(new_email.as_str()).bind(link.user_id).execute(&mut *tx).await?;
        let stamp = crate::auth::ssr::session::rotate_security_stamp(&mut tx, link.user_id, now).await?;
        db::query("DELETE FROM sessions WHERE user_id = $1").bind(link.user_id).execute(&mut *tx).await?;
        let session = match kept {
            Some(kept) => Some(crate::auth::ssr::session::resume_session(&mut tx, link.user_id, &stamp, kept, now).await?),
            None => None,
        };
        let display_name = full_name(&link.salutation, &link.first_name, &link.last_name, &link.username);
        if let Ok(old) = EmailAddress::parse(&link.old_email) {
            let context = minijinja::context! {
                ..state.mail_base_context(),
                ..minijinja::context! { username => link.username.clone(), display_name => display_name, email => new_email.as_str() },
            };
            let mail = OutgoingMail {
                template: MailTemplate::EmailChanged,
                idempotency_key: unique_key("email_changed", link.token_id),
                recipient: old,
                context,
                expires_at: None,
            };
            state.outbox.enqueue_new(&mut tx, mail, MailExtras::default(), now).await.map_err(|error| AppError::internal(&error))?;
        }
        let entry = AuditEntry {
            actor: Actor::User(link.user_id),
            customer_id: Some(link.customer_id),
            action: "email_changed",
            detail: format!("{} → {}", link.old_email, new_email.as_str()),
            ip,
        };
        audit::record(&mut tx, entry, now).await?;
        tx.commit().await?;
        Ok(session)
    }
}

/// Profil → Name: Anrede, Vorname, Nachname. The page that comes back after
/// Speichern shows the new name in the header menu too.
#[component]
pub fn NameForm(details: ProfileDetails) -> impl IntoView {
    let action = ServerAction::<SetName>::new();
    let query = use_query_map();
    let saved = move || {
        matches!(action.value().read().as_ref(), Some(Ok(())))
            || (action.value().read().is_none() && query.read().get("bereich").as_deref() == Some(NAME_SECTION) && query.read().get("gespeichert").is_some())
    };
    let refusal = FormRefusal::from_address(Some(NAME_SECTION), &["salutation", "first_name", "last_name"]);
    view! {
        <ActionForm action=action>
            {move || saved().then(|| view! { <p class="notice" role="status">"Ihr Name ist gespeichert."</p> })}
            {refusal.general()}
            <div class="field">
                <label for="salutation">"Anrede"</label>
                <select id="salutation" name="salutation"
                    aria-invalid=refusal.invalid("salutation") aria-describedby=refusal.described_by("salutation", "salutation", None)
                    autofocus=refusal.about("salutation")>
                    {Salutation::ALL.into_iter().map(|s| view! {
                        <option value=s.key() selected=s == details.salutation>{s.label()}</option>
                    }).collect_view()}
                </select>
                {refusal.message("salutation", "salutation")}
            </div>
            <div class="field">
                <label for="first-name">"Vorname"</label>
                <input id="first-name" name="first_name" type="text" autocomplete="given-name" maxlength="100" value=details.first_name.clone()
                    aria-invalid=refusal.invalid("first_name") aria-describedby=refusal.described_by("first_name", "first-name", None)
                    autofocus=refusal.about("first_name")/>
                {refusal.message("first_name", "first-name")}
            </div>
            <div class="field">
                <label for="last-name">"Nachname"</label>
                <input id="last-name" name="last_name" type="text" autocomplete="family-name" maxlength="100" value=details.last_name.clone()
                    aria-invalid=refusal.invalid("last_name") aria-describedby=refusal.described_by("last_name", "last-name", None)
                    autofocus=refusal.about("last_name")/>
                {refusal.message("last_name", "last-name")}
            </div>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || action.pending().get()>"Speichern"</button>
            </div>
        </ActionForm>
    }
}

/// Profil → E-Mail: the current address, a pending one, and the form.
#[component]
pub fn EmailForm(details: ProfileDetails) -> impl IntoView {
    let action = ServerAction::<RequestEmailChange>::new();
    let query = use_query_map();
    let sent = move || {
        matches!(action.value().read().as_ref(), Some(Ok(_)))
            || (action.value().read().is_none() && query.read().get("gesendet").is_some())
    };
    let stored_pending = details.pending_email.clone();
    let pending = move || match action.value().read().as_ref() {
        Some(Ok(address)) => Some(address.clone()),
        _ => stored_pending.clone(),
    };
    let refusal = FormRefusal::from_address(Some(EMAIL_SECTION), &["email", "password"]);
    view! {
        <p>"Aktuelle Adresse: " <strong>{details.email.clone()}</strong></p>
        {move || pending().map(|pending| view! {
            <p class="muted">{format!("Bestätigung ausstehend für {pending}: Die neue Adresse gilt, sobald der Link in der E-Mail an sie geöffnet wurde.")}</p>
        })}
        <ActionForm action=action>
            {move || sent().then(|| view! {
                <p class="notice" role="status">
                    {format!("Wir haben einen Bestätigungslink an die neue Adresse gesendet. Er ist {EMAIL_LINK_HOURS} Stunden gültig; bis dahin bleibt Ihre bisherige Adresse.")}
                </p>
            })}
            {refusal.general()}
            <div class="field">
                <label for="new-email">"Neue E-Mail-Adresse" <span class="required">"*"</span></label>
                <input id="new-email" name="email" type="email" autocomplete="email" required maxlength="254"
                    aria-invalid=refusal.invalid("email") aria-describedby=refusal.described_by("email", "new-email", None)
                    autofocus=refusal.about("email")/>
                {refusal.message("email", "new-email")}
            </div>
            <div class="field">
                <label for="email-password">"Passwort zur Bestätigung" <span class="required">"*"</span></label>
                <input id="email-password" name="password" type="password" autocomplete="current-password" required
                    aria-invalid=refusal.invalid("password") aria-describedby=refusal.described_by("password", "email-password", None)
                    autofocus=refusal.about("password")/>
                {refusal.message("password", "email-password")}
            </div>
            <div class="actions">
                <button type="submit" class="button primary" disabled=move || action.pending().get()>"E-Mail-Adresse ändern"</button>
            </div>
        </ActionForm>
    }
}

/// The page behind the link mailed to a new address: opening it changes
/// nothing (mail scanners open links too); the button does.
#[component]
pub fn EmailConfirmPage() -> impl IntoView {
    let confirm = ServerAction::<ConfirmEmailChange>::new();
    let query = use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    let done = move || matches!(confirm.value().read().as_ref(), Some(Ok(()))) || query.read().get("bestaetigt").is_some();
    let info = Resource::new(move || token.get(), check_email_link);
    view! {
        <PageTitle title="E-Mail-Adresse bestätigen"/>
        <section class="card narrow">
            {move || if done() {
                view! {
                    <p class="notice" role="status">
                        "Ihre neue E-Mail-Adresse ist bestätigt. Auf anderen Geräten wurden Sie abgemeldet; an die bisherige Adresse ging ein Hinweis."
                    </p>
                    <p><a class="button primary" href=routes::HOME>"Zum Kundenportal"</a></p>
                }.into_any()
            } else {
                view! {
                    <Suspense fallback=|| view! { <p class="muted">"Wird geladen …"</p> }>
                        {move || Suspend::new(async move {
                            match info.await {
                                Ok(info) => view! {
                                    <p>"Benutzer " <strong>{info.username}</strong> " – neue E-Mail-Adresse:"</p>
                                    <p><strong>{info.new_email}</strong></p>
                                    <ActionForm action=confirm>
                                        {FormRefusal::from_address(None, &[]).general()}
                                        <input type="hidden" name="token" value=token.get_untracked()/>
                                        <div class="actions">
                                            <button type="submit" class="button primary" disabled=move || confirm.pending().get()>
                                                "E-Mail-Adresse bestätigen"
                                            </button>
                                        </div>
                                    </ActionForm>
                                }.into_any(),
                                Err(error) => {
                                    #[cfg(feature = "ssr")]
                                    error.set_page_status();
                                    view! {
                                        <p class="alert" role="alert">{error.to_string()}</p>
                                        <p><a class="button secondary" href=routes::LOGIN>"Zur Anmeldung"</a></p>
                                    }.into_any()
                                }
                            }
                        })}
                    </Suspense>
                }.into_any()
            }}
        </section>
    }
}
