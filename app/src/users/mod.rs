//! Benutzer: the customer's main user (and users with the right "Benutzer
//! verwalten") add colleagues, decide what each may do, turn them off when
//! they leave and remove them. Rights are granted only by the main user;
//! nobody changes, deactivates or removes themself.

mod components;
pub use components::UsersPage;

use crate::error::AppError;
use crate::i18n::Lang;
use crate::t;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod ssr;
#[cfg(feature = "ssr")]
use crate::auth::ssr::{require_permission, require_permission_to_change, Permission, SessionUser};
#[cfg(feature = "ssr")]
use crate::server::serve::{read, serve};
#[cfg(feature = "ssr")]
use crate::{routes, server::state::AppState};

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
    /// In German, for the operator's CLI.
    pub fn label(self) -> String {
        self.label_in(Lang::De)
    }

    /// In `lang`, for the Benutzer page.
    pub fn label_in(self, lang: Lang) -> String {
        match self {
            UserStatus::Invited => t!(lang, "users-status-invited"),
            UserStatus::InvitationExpired => t!(lang, "users-status-invitation-expired"),
            UserStatus::Active => t!(lang, "users-status-active"),
            UserStatus::Deactivated => t!(lang, "users-status-deactivated"),
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
    /// The user signs in with a second factor.
    pub second_factor: bool,
    /// The row of the user looking at the list.
    pub is_self: bool,
}

impl UserRow {
    pub fn rights_label(&self, lang: Lang) -> String {
        if self.is_main {
            return t!(lang, "users-rights-main");
        }
        let mut rights = Vec::new();
        if self.can_manage_users {
            rights.push(t!(lang, "users-right-manage-users"));
        }
        if self.can_manage_forwardings {
            rights.push(t!(lang, "users-right-manage-forwardings"));
        }
        if rights.is_empty() {
            t!(lang, "users-rights-documents")
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
    /// Every user of the customer must sign in with a second factor.
    pub second_factor_required: bool,
    /// The main user requires it of all only once they use it themselves.
    pub caller_has_second_factor: bool,
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
    let lang = crate::i18n::lang();
    read(require_permission(Permission::ManageUsers), async |state, user| Ok(ssr::overview(state, &user, lang).await?)).await
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
    change(ADD_SECTION, "hinzugefuegt", async |state, user, ip| {
        let rights = ssr::Rights { manage_users: ticked(&manage_users), manage_forwardings: ticked(&manage_forwardings) };
        ssr::add(state, &user, &username, &email, rights, ip).await
    })
    .await
}

/// "Einladung erneut senden": a new link, the old one stops working.
#[server(endpoint = "users/resend_invitation")]
pub async fn resend_invitation(id: i64) -> Result<(), AppError> {
    change(ROW_SECTION, "eingeladen", async |state, user, ip| {
        ssr::resend_invitation(state, &user, id, ip).await
    })
    .await
}

/// Aktiv ticked or unticked. Unticking ends the user's sessions at once,
/// voids their open links and stops their notification mails.
#[server(endpoint = "users/set_active")]
pub async fn set_user_active(id: i64, active: bool) -> Result<(), AppError> {
    change(ROW_SECTION, if active { "aktiviert" } else { "deaktiviert" }, async |state, user, ip| {
        ssr::set_active(state, &user, id, active, ip).await
    })
    .await
}

/// The rights of a sub-user; only the main user may grant them.
#[server(endpoint = "users/set_rights")]
pub async fn set_user_rights(id: i64, manage_users: Option<String>, manage_forwardings: Option<String>) -> Result<(), AppError> {
    change(ROW_SECTION, "gespeichert", async |state, user, ip| {
        let rights = ssr::Rights { manage_users: ticked(&manage_users), manage_forwardings: ticked(&manage_forwardings) };
        ssr::set_rights(state, &user, id, rights, ip).await
    })
    .await
}

/// "Entfernen" (after its confirmation): the sub-user is deleted; the
/// activity log keeps their name.
#[server(endpoint = "users/remove")]
pub async fn remove_user(id: i64) -> Result<(), AppError> {
    change(ROW_SECTION, "entfernt", async |state, user, ip| {
        ssr::remove(state, &user, id, ip).await
    })
    .await
}

/// The `bereich` of the form that requires the second factor of everybody.
pub const SECOND_FACTOR_SECTION: &str = "zwei-faktor";

/// "Zwei-Faktor-Anmeldung für alle Benutzer verlangen" (main user only):
/// users without it set it up before anything else, at their next page.
#[server(endpoint = "users/require_second_factor")]
pub async fn require_second_factor(required: Option<String>) -> Result<(), AppError> {
    let outcome = if ticked(&required) { "zwei-faktor-verlangt" } else { "zwei-faktor-freigestellt" };
    change(SECOND_FACTOR_SECTION, outcome, async |state, user, ip| {
        Ok(crate::auth::ssr::second_factor_setup::set_required(state, &user, ticked(&required), ip).await?)
    })
    .await
}

/// A change on the Benutzer page by a user with the right to make it.
/// Without JavaScript the form comes back to the list: with its refusal in
/// its section, or with what was done.
#[cfg(feature = "ssr")]
async fn change(
    section: &str,
    outcome: &str,
    work: impl AsyncFnOnce(&AppState, SessionUser, Option<String>) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let refused = format!("{}?bereich={section}", routes::USERS);
    let served = serve(require_permission_to_change(Permission::ManageUsers), &refused, work).await?;
    Ok(served.then_show(&format!("{}?erledigt={outcome}", routes::USERS)))
}
