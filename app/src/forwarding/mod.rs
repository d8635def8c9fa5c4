//! Weiterleitungen: addresses outside the portal (an accountant, an
//! invoice-processing inbox) that get every new document of a type with its
//! PDF, its e-invoice's XML, or both. A forwarding works only after its
//! address confirmed it (double opt-in) and ends when the address asks (one
//! click in every mail). Also the delivery log: which mails went out for a
//! document.

mod components;
pub use components::{DeliveryLogPage, ForwardingConfirmPage, ForwardingEndPage, ForwardingsPage};

use crate::domain::AttachmentParts;
use crate::error::AppError;
use crate::i18n::Lang;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod ssr;
#[cfg(feature = "ssr")]
use crate::auth::ssr::{require_permission, require_permission_to_change, Permission};
#[cfg(feature = "ssr")]
use crate::server::serve::{anyone, limited, read, serve};
#[cfg(feature = "ssr")]
use crate::{routes, server::limits::LimitedAction};

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
    pub fn label(self, lang: Lang) -> String {
        match self {
            ForwardingStatus::Pending => crate::t!(lang, "forwarding-status-pending"),
            ForwardingStatus::Expired => crate::t!(lang, "forwarding-status-expired"),
            ForwardingStatus::Confirmed => crate::t!(lang, "forwarding-status-confirmed"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForwardingRow {
    pub id: i64,
    pub email: String,
    /// "Rechnung", or "alle Typen" (in the request's language).
    pub types_label: String,
    pub status: ForwardingStatus,
    pub sends: AttachmentParts,
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
    pub sends: AttachmentParts,
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
    /// Why it failed, in the request's language (never the receiving server's words).
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
    let lang = crate::i18n::lang();
    read(require_permission(Permission::ManageForwardings), async |state, user| Ok(ssr::overview(state, &user, lang).await?)).await
}

/// "Weiterleitung hinzufügen": the address twice, a type (empty: all
/// types) and what it sends (`file`, `xml` or `both`; left out: the PDF).
/// A confirmation mail goes to the address.
#[server(endpoint = "forwardings/add")]
pub async fn add_forwarding(email: String, confirm: String, type_key: String, sends: Option<String>) -> Result<(), AppError> {
    let guard = require_permission_to_change(Permission::ManageForwardings);
    let sends = sends.unwrap_or_else(|| AttachmentParts::default().key().to_owned());
    // Posted without JavaScript, a refused form comes back with its choice in the address
    // (the addresses typed are not carried there, as in every form of ours).
    let refused = match AttachmentParts::parse(&sends) {
        Ok(chosen) if chosen != AttachmentParts::default() => format!("{}?{SENDS_PARAM}={}", routes::FORWARDINGS, chosen.key()),
        _ => routes::FORWARDINGS.to_owned(),
    };
    let served = serve(guard, &refused, async |state, user, ip| {
        Ok(ssr::add(state, &user, &email, &confirm, &type_key, &sends, ip).await?)
    })
    .await?;
    Ok(served.then_show(&format!("{}?hinzugefuegt=1", routes::FORWARDINGS)))
}

/// "Entfernen" (after its confirmation): nothing more goes to the address.
#[server(endpoint = "forwardings/remove")]
pub async fn remove_forwarding(id: i64) -> Result<(), AppError> {
    let guard = require_permission_to_change(Permission::ManageForwardings);
    let refused = format!("{}?bereich={REMOVE_SECTION}", routes::FORWARDINGS);
    let served = serve(guard, &refused, async |state, user, ip| Ok(ssr::remove(state, &user, id, ip).await?)).await?;
    Ok(served.then_show(&format!("{}?entfernt=1", routes::FORWARDINGS)))
}

/// Which mails went out for one of the customer's documents (right
/// "Weiterleitungen verwalten").
#[server(endpoint = "forwardings/delivery_log")]
pub async fn get_delivery_log(document_id: i64) -> Result<DeliveryLog, AppError> {
    let lang = crate::i18n::lang();
    read(require_permission(Permission::ManageForwardings), async |state, user| {
        Ok(ssr::delivery_log(state, &user, document_id, lang).await?)
    })
    .await
}

/// What a confirmation link is for, while it works (anyone with the link).
#[server(endpoint = "forwardings/confirmation_info")]
pub async fn confirmation_info(token: String) -> Result<ForwardingLinkInfo, AppError> {
    let lang = crate::i18n::lang();
    read(limited(LimitedAction::Link, anyone()), async |state, ()| Ok(ssr::confirmation_info(state, &token, lang).await?)).await
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
    let lang = crate::i18n::lang();
    read(limited(LimitedAction::Link, anyone()), async |state, ()| Ok(ssr::end_info(state, &token, lang).await?)).await
}

/// The recipient ends the forwarding from the link in a forwarded mail.
#[server(endpoint = "forwardings/end")]
pub async fn end_forwarding(token: String) -> Result<(), AppError> {
    answer_link(token, ssr::LinkAnswer::End).await
}

#[cfg(feature = "ssr")]
async fn answer_link(token: String, answer: ssr::LinkAnswer) -> Result<(), AppError> {
    let page = answer.page();
    let served = serve(limited(LimitedAction::Link, anyone()), &routes::with_token(page, &token), async |state, (), ip| {
        Ok(ssr::answer_link(state, &token, answer, ip).await?)
    })
    .await?;
    Ok(served.then_show(&format!("{page}?{}=1", answer.done_param())))
}

/// The `bereich` a refused removal comes back with (the add form shows the rest).
pub const REMOVE_SECTION: &str = "entfernen";

/// What a refused add form had chosen to send, in the address it comes back to.
pub const SENDS_PARAM: &str = "versand";

/// The answer parameter a page behind a link shows after a plain form post.
pub const CONFIRMED_PARAM: &str = "bestaetigt";
pub const DECLINED_PARAM: &str = "abgelehnt";
pub const ENDED_PARAM: &str = "beendet";
