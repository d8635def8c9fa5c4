//! Benutzer: the customer's main user (and users with the right "Benutzer
//! verwalten") add colleagues, decide what each may do, turn them off when
//! they leave and remove them. Rights are granted only by the main user;
//! nobody changes, deactivates or removes themself.

mod components;
pub use components::UsersPage;

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod ssr;

/// Where a user stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UserStatus {
    /// The invitation link is out and still works.
    Invited,
    /// The invitation link ran out before a password was set.
    InvitationExpired,
    Active,
    Deactivated,
}

impl UserStatus {
    pub fn label(self) -> &'static str {
        match self {
            UserStatus::Invited => "eingeladen",
            UserStatus::InvitationExpired => "Einladung abgelaufen",
            UserStatus::Active => "aktiv",
            UserStatus::Deactivated => "deaktiviert",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub email: String,
    pub is_main: bool,
    pub active: bool,
    pub status: UserStatus,
    /// "05.12.2026, 09:14 Uhr", or `None` before the first sign-in.
    pub last_sign_in: Option<String>,
    pub can_manage_users: bool,
    pub can_manage_forwardings: bool,
    /// The row of the user looking at the list.
    pub is_self: bool,
}

impl UserRow {
    pub fn rights_label(&self) -> String {
        if self.is_main {
            return "Hauptbenutzer (alle Rechte)".to_owned();
        }
        let mut rights = Vec::new();
        if self.can_manage_users {
            rights.push("Benutzer verwalten");
        }
        if self.can_manage_forwardings {
            rights.push("Weiterleitungen verwalten");
        }
        if rights.is_empty() {
            "Dokumente".to_owned()
        } else {
            rights.join(", ")
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersOverview {
    pub rows: Vec<UserRow>,
    /// `KP_USERS_MAX`.
    pub max: u32,
    /// Only the main user grants rights.
    pub caller_is_main: bool,
}

#[cfg(feature = "ssr")]
/// A checkbox of a form: sent ("on") when ticked, absent when not.
fn ticked(value: &Option<String>) -> bool {
    value.as_deref().is_some_and(|v| !v.is_empty() && v != "false")
}

/// The `bereich` a refused form comes back with.
pub const ADD_SECTION: &str = "hinzufuegen";
pub const ROW_SECTION: &str = "benutzer";

#[server(endpoint = "users/list")]
pub async fn list_users() -> Result<UsersOverview, AppError> {
    let state = expect_context::<crate::server::state::AppState>();
    let user = crate::auth::ssr::require_permission(crate::auth::ssr::Permission::ManageUsers).await?;
    Ok(ssr::overview(&state, &user).await?)
}

/// "Benutzer hinzufügen": a username, an address and (main user only) rights.
/// The new user gets an invitation mail.
#[server(endpoint = "users/add")]
pub async fn add_user(
    username: String,
    email: String,
    manage_users: Option<String>,
    manage_forwardings: Option<String>,
) -> Result<(), AppError> {
    let (state, ip) = (expect_context::<crate::server::state::AppState>(), crate::auth::ssr::client_ip());
    let result = async {
        let user = crate::auth::ssr::require_permission_to_change(crate::auth::ssr::Permission::ManageUsers).await?;
        let rights = ssr::Rights { manage_users: ticked(&manage_users), manage_forwardings: ticked(&manage_forwardings) };
        ssr::add(&state, &user, &username, &email, rights, ip).await
    }
    .await;
    done(result, ADD_SECTION, "hinzugefuegt")
}

/// "Einladung erneut senden": a new link, the old one stops working.
#[server(endpoint = "users/resend_invitation")]
pub async fn resend_invitation(id: i64) -> Result<(), AppError> {
    let (state, ip) = (expect_context::<crate::server::state::AppState>(), crate::auth::ssr::client_ip());
    let result = async {
        let user = crate::auth::ssr::require_permission_to_change(crate::auth::ssr::Permission::ManageUsers).await?;
        ssr::resend_invitation(&state, &user, id, ip).await
    }
    .await;
    done(result, ROW_SECTION, "eingeladen")
}

/// Aktiv ticked or unticked. Unticking ends the user's sessions at once,
/// voids their open links and stops their notification mails.
#[server(endpoint = "users/set_active")]
pub async fn set_user_active(id: i64, active: bool) -> Result<(), AppError> {
    let (state, ip) = (expect_context::<crate::server::state::AppState>(), crate::auth::ssr::client_ip());
    let result = async {
        let user = crate::auth::ssr::require_permission_to_change(crate::auth::ssr::Permission::ManageUsers).await?;
        ssr::set_active(&state, &user, id, active, ip).await
    }
    .await;
    done(result, ROW_SECTION, if active { "aktiviert" } else { "deaktiviert" })
}

/// The rights of a sub-user; only the main user may grant them.
#[server(endpoint = "users/set_rights")]
pub async fn set_user_rights(id: i64, manage_users: Option<String>, manage_forwardings: Option<String>) -> Result<(), AppError> {
    let (state, ip) = (expect_context::<crate::server::state::AppState>(), crate::auth::ssr::client_ip());
    let result = async {
        let user = crate::auth::ssr::require_permission_to_change(crate::auth::ssr::Permission::ManageUsers).await?;
        let rights = ssr::Rights { manage_users: ticked(&manage_users), manage_forwardings: ticked(&manage_forwardings) };
        ssr::set_rights(&state, &user, id, rights, ip).await
    }
    .await;
    done(result, ROW_SECTION, "gespeichert")
}

/// "Entfernen" (after its confirmation): the sub-user is deleted; the
/// activity log keeps their name.
#[server(endpoint = "users/remove")]
pub async fn remove_user(id: i64) -> Result<(), AppError> {
    let (state, ip) = (expect_context::<crate::server::state::AppState>(), crate::auth::ssr::client_ip());
    let result = async {
        let user = crate::auth::ssr::require_permission_to_change(crate::auth::ssr::Permission::ManageUsers).await?;
        ssr::remove(&state, &user, id, ip).await
    }
    .await;
    done(result, ROW_SECTION, "entfernt")
}

/// Without JavaScript a form comes back to the list: with its error in its
/// section, or with what was done.
#[cfg(feature = "ssr")]
fn done(result: Result<(), AppError>, section: &str, outcome: &str) -> Result<(), AppError> {
    let page = format!("{}?bereich={section}", crate::routes::USERS);
    crate::auth::ssr::send_back_on_error(result, &page)?;
    if crate::auth::ssr::is_plain_form_post() {
        leptos_axum::redirect(&format!("{}?erledigt={outcome}", crate::routes::USERS));
    }
    Ok(())
}
