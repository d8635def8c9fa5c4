//! Profil: sections that open and close — name, password, e-mail address,
//! sign-ins, and how new documents are announced — and the page behind the
//! link that makes a new address the user's. The shared types and the
//! server functions are here, the queries and flows in [`ssr`], the pages
//! in `components.rs`; the password and sign-in sections are the auth
//! feature's.

mod components;
pub use components::{EmailConfirmPage, ProfilePage};
mod language;
pub use language::{LanguageForm, LANGUAGE_SECTION};
#[cfg(feature = "ssr")]
pub mod ssr;

use crate::domain::Salutation;
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use crate::auth::ssr::{optional_session, require_user, set_session_cookie};
#[cfg(feature = "ssr")]
use crate::routes;
#[cfg(feature = "ssr")]
use crate::server::limits::LimitedAction;
#[cfg(feature = "ssr")]
use crate::server::serve::{anyone, limited, read, serve};

pub use crate::domain::NotifyMode;

/// The `bereich` of Profil → E-Mail-Benachrichtigung in an address.
pub const NOTIFICATION_SECTION: &str = "benachrichtigung";

/// Profil → E-Mail-Benachrichtigung as stored: how new documents are
/// announced, and whether "mit Anhang" adds an e-invoice's XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NotificationChoice {
    pub mode: NotifyMode,
    /// "E-Rechnung (XML) mitsenden"; kept whatever the mode, it counts with "mit Anhang" only.
    pub with_xml: bool,
}

/// The signed-in user's choice.
#[server(endpoint = "profile/notification")]
pub async fn notification_mode() -> Result<NotificationChoice, AppError> {
    read(require_user(), async |state, user| Ok(ssr::notification(state, user.user_id).await?)).await
}

/// Stores the signed-in user's choice ("Speichern"): the mode, and the
/// checkbox "E-Rechnung (XML) mitsenden" (left out: not ticked).
#[server(endpoint = "profile/set_notification")]
pub async fn set_notification_mode(mode: String, with_xml: Option<String>) -> Result<(), AppError> {
    let page = format!("{}?bereich={NOTIFICATION_SECTION}", crate::routes::PROFILE);
    let served = serve(require_user(), &page, async |state, user, ip| {
        let mode = NotifyMode::parse(&mode)?;
        // A ticked checkbox sends its value; an unticked one sends nothing.
        let with_xml = with_xml.as_deref().is_some_and(|value| !value.is_empty() && value != "false");
        ssr::set_notification(state, &user, NotificationChoice { mode, with_xml }, ip).await
    })
    .await?;
    Ok(served.then_show(&format!("{page}&gespeichert=1")))
}

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
