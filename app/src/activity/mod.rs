//! Aktivitätsprotokoll: who of the customer did what, when — sign-ins,
//! failed sign-ins, downloads and exports, changes to profile, users and
//! forwardings. For the main user and users with "Benutzer verwalten";
//! the operator reads any customer's with `kundenportal audit`.

mod components;
pub use components::ActivityPage;

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod ssr;

/// Entries per page.
pub const PER_PAGE: u32 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    /// "05.12.2026, 09:14 Uhr".
    pub at: String,
    pub who: String,
    /// "Anmeldung", "Dokument heruntergeladen", …
    pub what: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserChoice {
    pub id: i64,
    pub username: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityList {
    pub entries: Vec<ActivityEntry>,
    pub users: Vec<UserChoice>,
    pub total: u64,
    pub page: u32,
    pub pages: u32,
}

/// The page's filter as the address carries it (`benutzer`, `von`, `bis`, `seite`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ActivityQuery {
    /// A user id, or empty for everybody.
    pub user: String,
    /// `YYYY-MM-DD`, or empty.
    pub from: String,
    pub to: String,
    pub page: u32,
}

impl ActivityQuery {
    pub fn from_params(get: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            user: get("benutzer").unwrap_or_default(),
            from: get("von").unwrap_or_default(),
            to: get("bis").unwrap_or_default(),
            page: get("seite").and_then(|p| p.parse().ok()).filter(|&p| p >= 1).unwrap_or(1),
        }
    }

    /// The filter's query string (without the page), for paging and the CSV.
    pub fn filter_string(&self) -> String {
        let encode = |value: &str| -> String {
            value.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect()
        };
        format!("benutzer={}&von={}&bis={}", encode(&self.user), encode(&self.from), encode(&self.to))
    }

    pub fn page_href(&self, page: u32) -> String {
        format!("{}?{}&seite={page}", crate::routes::ACTIVITY, self.filter_string())
    }

    pub fn csv_href(&self) -> String {
        format!("{}?{}", crate::routes::ACTIVITY_EXPORT, self.filter_string())
    }
}

/// One page of the customer's activity (right "Benutzer verwalten").
#[server(endpoint = "activity/list")]
pub async fn list_activity(query: ActivityQuery) -> Result<ActivityList, AppError> {
    let lang = crate::i18n::lang();
    let guard = crate::auth::ssr::require_permission(crate::auth::ssr::Permission::ManageUsers);
    crate::server::serve::read(guard, async |state, user| {
        let filter = ssr::Filter::parse(state, &query)?;
        Ok(ssr::page(state, user.customer_id, &filter, query.page, lang).await?)
    })
    .await
}
