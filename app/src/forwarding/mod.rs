//! Weiterleitungen: addresses outside the portal (an accountant, an
//! invoice-processing inbox) that get every new document of a type with its
//! PDF. A forwarding works only after its address confirmed it (double
//! opt-in) and ends when the address asks (one click in every mail).
//! Also the delivery log: which mails went out for a document.

mod components;
pub use components::{DeliveryLogPage, ForwardingConfirmPage, ForwardingEndPage, ForwardingsPage};

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod ssr;

/// Where a forwarding stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ForwardingStatus {
    /// The confirmation mail went out; nothing is forwarded yet.
    Pending,
    /// Not confirmed within 7 days: it never forwards. Adding it again sends a new link.
    Expired,
    Confirmed,
}

impl ForwardingStatus {
    pub fn label(self) -> &'static str {
        match self {
            ForwardingStatus::Pending => "wartet auf Bestätigung",
            ForwardingStatus::Expired => "Bestätigung abgelaufen",
            ForwardingStatus::Confirmed => "aktiv",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardingRow {
    pub id: i64,
    pub email: String,
    /// "Rechnung", or "alle Typen".
    pub types_label: String,
    pub status: ForwardingStatus,
}

/// A type the form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeChoice {
    pub key: String,
    pub name: String,
}

/// The Weiterleitungen page: the customer's forwardings and the form's choices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardingOverview {
    pub rows: Vec<ForwardingRow>,
    pub types: Vec<TypeChoice>,
    /// `KP_FORWARDINGS_MAX`.
    pub max: u32,
}

/// What the page behind a mailed link shows: who set the forwarding up, for
/// which address and types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardingLinkInfo {
    pub customer_name: String,
    pub customer_number: String,
    pub email: String,
    pub types_label: String,
}

/// One mail in a document's delivery log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryEntry {
    pub recipient: String,
    /// Benachrichtigung, Benachrichtigung mit Anhang, Weiterleitung.
    pub kind: String,
    /// in Warteschlange, wird erneut versucht, versendet, fehlgeschlagen, abgelaufen.
    pub status: String,
    pub failed: bool,
    /// When it was sent, or queued.
    pub at: String,
    /// Why it failed, in German (never the receiving server's words).
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryLog {
    /// "Rechnung RE-1 vom 31.01.2026".
    pub document: String,
    pub entries: Vec<DeliveryEntry>,
}

/// The customer's forwardings (right "Weiterleitungen verwalten").
#[server(endpoint = "forwardings/list")]
pub async fn list_forwardings() -> Result<ForwardingOverview, AppError> {
    let state = expect_context::<crate::server::state::AppState>();
    let user = crate::auth::ssr::require_permission(crate::auth::ssr::Permission::ManageForwardings).await?;
    Ok(ssr::overview(&state, &user).await?)
}

/// "Weiterleitung hinzufügen": the address twice and a type (empty: all
/// types). A confirmation mail goes to the address.
#[server(endpoint = "forwardings/add")]
pub async fn add_forwarding(email: String, confirm: String, type_key: String) -> Result<(), AppError> {
    let (state, ip) = (expect_context::<crate::server::state::AppState>(), crate::auth::ssr::client_ip());
    let result = async {
        let user = crate::auth::ssr::require_permission_to_change(crate::auth::ssr::Permission::ManageForwardings).await?;
        Ok(ssr::add(&state, &user, &email, &confirm, &type_key, ip).await?)
    }
    .await;
    crate::auth::ssr::send_back_on_error(result, crate::routes::FORWARDINGS)?;
    if crate::auth::ssr::is_plain_form_post() {
        leptos_axum::redirect(&format!("{}?hinzugefuegt=1", crate::routes::FORWARDINGS));
    }
    Ok(())
}

/// "Entfernen" (after its confirmation): nothing more goes to the address.
#[server(endpoint = "forwardings/remove")]
pub async fn remove_forwarding(id: i64) -> Result<(), AppError> {
    let (state, ip) = (expect_context::<crate::server::state::AppState>(), crate::auth::ssr::client_ip());
    let result = async {
        let user = crate::auth::ssr::require_permission_to_change(crate::auth::ssr::Permission::ManageForwardings).await?;
        Ok(ssr::remove(&state, &user, id, ip).await?)
    }
    .await;
    crate::auth::ssr::send_back_on_error(result, &format!("{}?bereich={REMOVE_SECTION}", crate::routes::FORWARDINGS))?;
    if crate::auth::ssr::is_plain_form_post() {
        leptos_axum::redirect(&format!("{}?entfernt=1", crate::routes::FORWARDINGS));
    }
    Ok(())
}

/// Which mails went out for one of the customer's documents (right
/// "Weiterleitungen verwalten").
#[server(endpoint = "forwardings/delivery_log")]
pub async fn get_delivery_log(document_id: i64) -> Result<DeliveryLog, AppError> {
    let state = expect_context::<crate::server::state::AppState>();
    let user = crate::auth::ssr::require_permission(crate::auth::ssr::Permission::ManageForwardings).await?;
    Ok(ssr::delivery_log(&state, &user, document_id).await?)
}

/// What a confirmation link is for, while it works (anyone with the link).
#[server(endpoint = "forwardings/confirmation_info")]
pub async fn confirmation_info(token: String) -> Result<ForwardingLinkInfo, AppError> {
    let state = expect_context::<crate::server::state::AppState>();
    crate::auth::ssr::limit(&state, crate::server::limits::LimitedAction::Link)?;
    Ok(ssr::confirmation_info(&state, &token).await?)
}

/// The address's owner says yes: from now on new documents go to it.
#[server(endpoint = "forwardings/confirm")]
pub async fn confirm_forwarding(token: String) -> Result<(), AppError> {
    answer_link(token, ssr::LinkAnswer::Confirm).await
}

/// The address's owner says no: the forwarding is deleted, the customer told.
#[server(endpoint = "forwardings/decline")]
pub async fn decline_forwarding(token: String) -> Result<(), AppError> {
    answer_link(token, ssr::LinkAnswer::Decline).await
}

/// What a forwarded mail's "beenden" link ends (anyone with the link).
#[server(endpoint = "forwardings/end_info")]
pub async fn end_info(token: String) -> Result<ForwardingLinkInfo, AppError> {
    let state = expect_context::<crate::server::state::AppState>();
    crate::auth::ssr::limit(&state, crate::server::limits::LimitedAction::Link)?;
    Ok(ssr::end_info(&state, &token).await?)
}

/// The recipient ends the forwarding from the link in a forwarded mail.
#[server(endpoint = "forwardings/end")]
pub async fn end_forwarding(token: String) -> Result<(), AppError> {
    answer_link(token, ssr::LinkAnswer::End).await
}

#[cfg(feature = "ssr")]
async fn answer_link(token: String, answer: ssr::LinkAnswer) -> Result<(), AppError> {
    let (state, ip) = (expect_context::<crate::server::state::AppState>(), crate::auth::ssr::client_ip());
    let result = async {
        crate::auth::ssr::limit(&state, crate::server::limits::LimitedAction::Link)?;
        Ok(ssr::answer_link(&state, &token, answer, ip).await?)
    }
    .await;
    let page = answer.page();
    crate::auth::ssr::send_back_on_error(result, &crate::routes::with_token(page, &token))?;
    if crate::auth::ssr::is_plain_form_post() {
        leptos_axum::redirect(&format!("{page}?{}=1", answer.done_param()));
    }
    Ok(())
}

/// The `bereich` a refused removal comes back with (the add form shows the rest).
pub const REMOVE_SECTION: &str = "entfernen";

/// The answer parameter a page behind a link shows after a plain form post.
pub const CONFIRMED_PARAM: &str = "bestaetigt";
pub const DECLINED_PARAM: &str = "abgelehnt";
pub const ENDED_PARAM: &str = "beendet";
