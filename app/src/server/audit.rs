//! The audit log: who changed what, when. Written in the same transaction as
//! the change. Never holds a password, token or hash.
//!
//! An entry's detail is kept in words of no language: [`AuditDetail`], as
//! compact JSON in the one `detail` column, worded only when shown (the
//! Aktivitätsprotokoll in the reader's language, the operator's CLI in
//! German). A detail that is only a name, address or identifier is kept as
//! it is; so are rows written before the details were structured.

use crate::server::db;
use super::db::Transaction;
use crate::domain::{NotifyMode, Refusal, UnixTime};
use crate::i18n::Lang;
use crate::t;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy)]
pub enum Actor {
    Operator,
    System,
    User(i64),
}

/// Where the signed-in user was asked for their password (for the audit
/// log, which keeps it as it is and words it when shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PasswordAskedFor {
    Confirmation,
    PasswordChange,
    EmailChange,
    SecondFactorOff,
}

pub struct AuditEntry<'a> {
    pub actor: Actor,
    pub customer_id: Option<i64>,
    pub action: &'a str,
    pub detail: AuditDetail,
    pub ip: Option<String>,
}

pub async fn record(tx: &mut Transaction<'_>, entry: AuditEntry<'_>, now: UnixTime) -> Result<(), sqlx::Error> {
    let (kind, user_id) = match entry.actor {
        Actor::Operator => ("operator", None),
        Actor::System => ("system", None),
        Actor::User(id) => ("user", Some(id)),
    };
    db::query(
        "INSERT INTO audit_log (at, actor_kind, actor_user_id, customer_id, action, detail, ip) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(now)
    .bind(kind)
    .bind(user_id)
    .bind(entry.customer_id)
    .bind(entry.action)
    .bind(entry.detail.stored())
    .bind(entry.ip)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Audit entries outside a larger change (e.g. a failed sign-in).
pub async fn record_alone(pool: &super::db::Pool, entry: AuditEntry<'_>, now: UnixTime) -> Result<(), sqlx::Error> {
    let mut tx = super::db::begin(pool).await?;
    record(&mut tx, entry, now).await?;
    tx.commit().await
}

/// What an audit entry says beyond its action, with its values and no
/// words: worded by [`AuditDetail::text`] in the reader's language. Kept
/// as compact JSON (`{"user":{"username":"anna"}}`) in `audit_log.detail`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditDetail {
    /// Nothing beyond the action (kept as an empty detail).
    None,
    /// Only a name, address, path or identifier — no words: kept and shown as it is.
    Plain(String),
    /// "Benutzer anna".
    User { username: String },
    /// "Benutzer anna (Weiterleitungen verwalten)": a new user and their rights.
    UserCreated { username: String, manage_users: bool, manage_forwardings: bool },
    /// "Benutzer anna: ohne Rechte": a user's new rights.
    UserRights { username: String, manage_users: bool, manage_forwardings: bool },
    /// "Benutzer anna: Name bereits vergeben"; `reason` is the refusal's code ([`Refusal::code`]).
    UserAddRefused { username: String, reason: String },
    /// "Einladung an Benutzer 12: Tageskontingent erschöpft"; `reason` as above.
    InvitationRefused { user_id: i64, reason: String },
    /// "Kunde 10001 mit Hauptbenutzer anna".
    CustomerCreated { number: String, username: String },
    /// "Version 3": the privacy notice a user accepted.
    PrivacyAccepted { version: i64 },
    /// "version 3": the privacy notice the operator published.
    PrivacyPublished { version: i64 },
    /// "Passwort ändern": what a signed-in user was asked for their password for.
    PasswordAskedFor(PasswordAskedFor),
    /// "31.01.2027 (12 Benutzer)": passwords expire on that day.
    PasswordsExpire { at: UnixTime, users: u64 },
    /// "3 Sitzungen": the sessions ended on the other devices.
    SessionsEnded { count: i64 },
    /// "dieses Gerät" or "ein anderes Gerät": whose session was ended.
    SessionEnded { this_device: bool },
    /// "Code erneut vorgelegt": an app's used code came again.
    CodeReused,
    /// "Refresh-Token erneut vorgelegt".
    RefreshTokenReused,
    /// "Bereitstellung von Dokumenten: keine → mit Anhang".
    /// With the e-invoice choice when it changed: "…; E-Rechnung (XML) mitsenden: an".
    NotifyMode {
        before: NotifyMode,
        after: NotifyMode,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        with_xml: Option<bool>,
    },
    /// "Frau Erika Muster" (the username when there is no name).
    Name { salutation: String, first: String, last: String, username: String },
    /// "neue Adresse neu@example.de".
    NewAddress { email: String },
    /// "a@example.de (Rechnung)"; no type: every type.
    Forwarding { email: String, kind: Option<TypeName> },
    /// "a@example.de (alle Typen) durch den Empfänger".
    ForwardingByRecipient { email: String, kind: Option<TypeName> },
    /// "a@example.de: gibt es bereits"; `reason` is the refusal's code.
    ForwardingRefused { email: String, reason: String },
    /// "12 Dokumente als ZIP".
    DocumentsExported { count: u64 },
    /// "Dokument 42".
    Document { id: i64 },
    /// "Rechnung RE-1 (Dokument 42)".
    DocumentPurged { kind: TypeName, number: String, id: i64 },
    /// "Rechnung RE-1", by an API key "Rechnung RE-1 API-Schlüssel Buchhaltung".
    /// What the ingest noted about its e-invoice follows: "(E-Rechnung EN 16931; …)".
    DocumentAdded {
        kind: TypeName,
        number: String,
        api_key: Option<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        notes: Vec<IngestNote>,
    },
}

/// What an ingest notes about a document's e-invoice, in its answer and in
/// the audit log (kept there as data and worded when shown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IngestNote {
    /// "E-Rechnung EN 16931".
    EInvoice { profile: String },
    /// The invoice's date is not the `created` the billing system sent.
    IssueDateDiffers { invoice: String, created: String },
    /// The PDF carries an invoice XML that could not be read: it is kept as
    /// an ordinary PDF.
    EmbeddedUnreadable { reason: String },
}

impl IngestNote {
    /// Whether the ingest's caller should look at it (not only information).
    pub fn is_warning(&self) -> bool {
        !matches!(self, IngestNote::EInvoice { .. })
    }

    /// For the ingest's answer: German, as the API's other texts.
    pub fn german(&self) -> String {
        self.text(Lang::De)
    }

    pub fn text(&self, lang: Lang) -> String {
        match self {
            IngestNote::EInvoice { profile } => t!(lang, "einvoice-note-recognised", profile = profile.as_str()),
            IngestNote::IssueDateDiffers { invoice, created } => {
                let (invoice, created) = (crate::server::dates::day_in(lang, invoice), crate::server::dates::day_in(lang, created));
                t!(lang, "einvoice-note-date-differs", invoice = invoice.as_str(), created = created.as_str())
            }
            IngestNote::EmbeddedUnreadable { reason } => t!(lang, "einvoice-note-unreadable", reason = reason.as_str()),
        }
    }
}


impl AuditDetail {
    /// What `audit_log.detail` keeps: JSON; nothing for [`AuditDetail::None`];
    /// a plain name as it is, unless it could be read as JSON of ours.
    pub fn stored(&self) -> String {
        match self {
            AuditDetail::None => String::new(),
            AuditDetail::Plain(text) if Self::read(text).is_none() => text.clone(),
            // Strings, numbers and booleans only: it cannot fail.
            other => serde_json::to_string(other).unwrap_or_default(),
        }
    }

    fn read(stored: &str) -> Option<AuditDetail> {
        serde_json::from_str(stored).ok()
    }

    /// A stored detail for a reader in `lang`: ours worded, anything else
    /// (a plain name, or a row from before the details were structured) as stored.
    pub fn shown(stored: &str, lang: Lang, time_zone: &TimeZone) -> String {
        Self::read(stored).map_or_else(|| stored.to_owned(), |detail| detail.text(lang, time_zone))
    }

    /// The detail in `lang`'s words; dates in `time_zone` (the operator's).
    pub fn text(&self, lang: Lang, time_zone: &TimeZone) -> String {
        match self {
            AuditDetail::None => String::new(),
            AuditDetail::Plain(text) => text.clone(),
            AuditDetail::User { username } => t!(lang, "audit-user", username = username.as_str()),
            AuditDetail::UserCreated { username, manage_users, manage_forwardings } => {
                let rights = rights(lang, *manage_users, *manage_forwardings);
                t!(lang, "audit-user-created", username = username.as_str(), rights = rights.as_str())
            }
            AuditDetail::UserRights { username, manage_users, manage_forwardings } => {
                let rights = rights(lang, *manage_users, *manage_forwardings);
                t!(lang, "audit-user-rights", username = username.as_str(), rights = rights.as_str())
            }
            AuditDetail::UserAddRefused { username, reason } => {
                let reason = refusal(lang, reason);
                t!(lang, "audit-user-add-refused", username = username.as_str(), reason = reason.as_str())
            }
            AuditDetail::InvitationRefused { user_id, reason } => {
                let reason = refusal(lang, reason);
                t!(lang, "audit-invitation-refused", id = *user_id, reason = reason.as_str())
            }
            AuditDetail::CustomerCreated { number, username } => {
                t!(lang, "audit-customer-created", number = number.as_str(), username = username.as_str())
            }
            AuditDetail::PrivacyAccepted { version } => t!(lang, "audit-privacy-accepted", version = *version),
            AuditDetail::PrivacyPublished { version } => t!(lang, "audit-privacy-published", version = *version),
            AuditDetail::PasswordAskedFor(asked_for) => match asked_for {
                PasswordAskedFor::Confirmation => t!(lang, "audit-password-for-confirmation"),
                PasswordAskedFor::PasswordChange => t!(lang, "audit-password-for-password-change"),
                PasswordAskedFor::EmailChange => t!(lang, "audit-password-for-email-change"),
                PasswordAskedFor::SecondFactorOff => t!(lang, "audit-password-for-second-factor-off"),
            },
            AuditDetail::PasswordsExpire { at, users } => {
                let date = crate::server::dates::date_in(lang, *at, time_zone);
                t!(lang, "audit-passwords-expire", date = date.as_str(), count = *users)
            }
            AuditDetail::SessionsEnded { count } => t!(lang, "audit-sessions-ended", count = *count),
            AuditDetail::SessionEnded { this_device: true } => t!(lang, "audit-session-this-device"),
            AuditDetail::SessionEnded { this_device: false } => t!(lang, "audit-session-other-device"),
            AuditDetail::CodeReused => t!(lang, "audit-code-reused"),
            AuditDetail::RefreshTokenReused => t!(lang, "audit-refresh-token-reused"),
            AuditDetail::NotifyMode { before, after, with_xml } => {
                let (before, after) = (before.label(lang), after.label(lang));
                let xml = with_xml.map(|on| if on { t!(lang, "audit-notify-xml-on") } else { t!(lang, "audit-notify-xml-off") });
                let mode = (before != after).then(|| t!(lang, "audit-notify-mode", before = before.as_str(), after = after.as_str()));
                mode.into_iter().chain(xml).collect::<Vec<_>>().join("; ")
            }
            AuditDetail::Name { salutation, first, last, username } => {
                crate::server::mail::addressed_as(lang, salutation, first, last, username)
            }
            AuditDetail::NewAddress { email } => t!(lang, "audit-new-address", email = email.as_str()),
            AuditDetail::Forwarding { email, kind } => {
                let types = types(lang, kind.as_ref());
                t!(lang, "audit-forwarding", email = email.as_str(), types = types.as_str())
            }
            AuditDetail::ForwardingByRecipient { email, kind } => {
                let types = types(lang, kind.as_ref());
                t!(lang, "audit-forwarding-by-recipient", email = email.as_str(), types = types.as_str())
            }
            AuditDetail::ForwardingRefused { email, reason } => {
                let reason = refusal(lang, reason);
                t!(lang, "audit-forwarding-refused", email = email.as_str(), reason = reason.as_str())
            }
            AuditDetail::DocumentsExported { count } => t!(lang, "audit-documents-exported", count = *count),
            AuditDetail::Document { id } => t!(lang, "audit-document", id = *id),
            AuditDetail::DocumentPurged { kind, number, id } => {
                t!(lang, "audit-document-purged", kind = kind.in_lang(lang), number = number.as_str(), id = *id)
            }
            AuditDetail::DocumentAdded { kind, number, api_key, notes } => {
                let added = match api_key {
                    None => format!("{} {number}", kind.in_lang(lang)),
                    Some(key) => t!(lang, "audit-document-added-by-key", kind = kind.in_lang(lang), number = number.as_str(), key = key.as_str()),
                };
                if notes.is_empty() {
                    added
                } else {
                    let notes: Vec<String> = notes.iter().map(|note| note.text(lang)).collect();
                    format!("{added} ({})", notes.join("; "))
                }
            }
        }
    }
}

/// A sub-user's rights in words (the audit log, the operator's user list):
/// "Benutzer verwalten, Weiterleitungen verwalten", or "ohne Rechte".
pub fn rights(lang: Lang, manage_users: bool, manage_forwardings: bool) -> String {
    let mut rights = Vec::new();
    if manage_users {
        rights.push(t!(lang, "audit-right-manage-users"));
    }
    if manage_forwardings {
        rights.push(t!(lang, "audit-right-manage-forwardings"));
    }
    if rights.is_empty() { t!(lang, "audit-rights-none") } else { rights.join(", ") }
}

/// Why an addition was refused, in a few words; a refusal without its own
/// short words as the user was told, an unknown code as stored.
fn refusal(lang: Lang, code: &str) -> String {
    match Refusal::from_code(code) {
        Some(Refusal::AddsUsedUp) => t!(lang, "audit-reason-adds-used-up"),
        Some(Refusal::UsernameTaken) => t!(lang, "audit-reason-username-taken"),
        Some(Refusal::UsersFull | Refusal::ForwardingsFull) => t!(lang, "audit-reason-limit-reached"),
        Some(Refusal::ForwardingExists) => t!(lang, "audit-reason-forwarding-exists"),
        Some(other) => other.message(lang),
        None => code.to_owned(),
    }
}

/// A forwarding's types: the type's name as the operator gave it, or every type.
fn types(lang: Lang, kind: Option<&TypeName>) -> String {
    kind.map_or_else(|| t!(lang, "audit-forwarding-all-types"), |kind| kind.in_lang(lang).to_owned())
}

/// A document type as an entry names it: the operator's German name and,
/// where set, the English one — kept with the entry, as it was then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeName {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl TypeName {
    /// In English the English name where there is one, else the German one.
    pub fn in_lang(&self, lang: Lang) -> &str {
        match (lang, &self.en) {
            (Lang::En, Some(english)) => english,
            _ => &self.name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(detail: &AuditDetail) -> (String, String) {
        let stored = detail.stored();
        (AuditDetail::shown(&stored, Lang::De, &TimeZone::UTC), AuditDetail::shown(&stored, Lang::En, &TimeZone::UTC))
    }

    #[test]
    fn details_are_stored_without_words_and_shown_in_the_readers_language() {
        let created = AuditDetail::UserCreated { username: "Kollegin".into(), manage_users: false, manage_forwardings: true };
        assert!(created.stored().starts_with('{') && !created.stored().contains("verwalten"), "{}", created.stored());
        assert_eq!(both(&created), ("Benutzer Kollegin (Weiterleitungen verwalten)".into(), "User Kollegin (Manage forwarding)".into()));
        assert_eq!(both(&AuditDetail::SessionsEnded { count: 3 }), ("3 Sitzungen".into(), "3 sessions".into()));
        assert_eq!(both(&AuditDetail::SessionsEnded { count: 1 }), ("1 Sitzung".into(), "1 session".into()));
        assert_eq!(both(&AuditDetail::SessionEnded { this_device: false }), ("ein anderes Gerät".into(), "another device".into()));
        let expire = AuditDetail::PasswordsExpire { at: UnixTime::from_seconds(1_801_353_600), users: 12 };
        assert_eq!(both(&expire), ("31.01.2027 (12 Benutzer)".into(), "31/01/2027 (12 users)".into()));
        let refused = AuditDetail::UserAddRefused { username: "anna".into(), reason: Refusal::AddsUsedUp.code().into() };
        assert_eq!(both(&refused).0, "Benutzer anna: Tageskontingent erschöpft");
        let forwarding = AuditDetail::ForwardingByRecipient { email: "a@example.de".into(), kind: None };
        assert_eq!(both(&forwarding).0, "a@example.de (alle Typen) durch den Empfänger");
        let asked = AuditDetail::PasswordAskedFor(PasswordAskedFor::EmailChange);
        assert_eq!(both(&asked), ("E-Mail-Adresse ändern".into(), "Change email address".into()));
    }

    #[test]
    fn plain_and_earlier_details_are_shown_as_stored() {
        assert_eq!(AuditDetail::shown("Benutzer anna (ohne Rechte)", Lang::En, &TimeZone::UTC), "Benutzer anna (ohne Rechte)");
        assert_eq!(AuditDetail::shown("", Lang::En, &TimeZone::UTC), "");
        assert_eq!(AuditDetail::None.stored(), "");
        assert_eq!(AuditDetail::Plain("Laptop".into()).stored(), "Laptop");
        // A name that looks like one of ours is kept as JSON, so that it comes back as the name.
        let tricky = AuditDetail::CodeReused.stored();
        let plain = AuditDetail::Plain(tricky.clone());
        assert_ne!(plain.stored(), tricky);
        assert_eq!(AuditDetail::shown(&plain.stored(), Lang::De, &TimeZone::UTC), tricky);
    }
}
