//! How a user hears of a new document: Profil chooses it, the documents'
//! mails follow it, the audit log names a change of it.

use serde::{Deserialize, Serialize};

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

    /// As Profil names it, in `lang`.
    pub fn label(self, lang: crate::i18n::Lang) -> String {
        match self {
            NotifyMode::None => crate::t!(lang, "profile-notify-none"),
            NotifyMode::Notify => crate::t!(lang, "profile-notify-notify"),
            NotifyMode::Attachment => crate::t!(lang, "profile-notify-attachment"),
        }
    }

    pub fn hint(self, lang: crate::i18n::Lang) -> String {
        match self {
            NotifyMode::None => crate::t!(lang, "profile-notify-none-hint"),
            NotifyMode::Notify => crate::t!(lang, "profile-notify-notify-hint"),
            NotifyMode::Attachment => crate::t!(lang, "profile-notify-attachment-hint"),
        }
    }

    pub fn parse(key: &str) -> Result<Self, super::InputError> {
        Self::ALL
            .into_iter()
            .find(|mode| mode.key() == key.trim())
            .ok_or_else(|| super::InputError::new(super::Refusal::NotifyModeUnknown).at("mode"))
    }
}

