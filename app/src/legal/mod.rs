//! Operator branding and the pages anyone may read: Kontakt,
//! Datenschutzhinweise, Impressum. The operator's texts come in the
//! request's language where the operator has them (`content/de/`,
//! `content/en/` or their own files), else in German with a note.

mod components;
pub use components::LegalPage;
#[cfg(feature = "ssr")]
pub mod ssr;

use crate::error::AppError;
use crate::i18n::Lang;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the header and footer show of the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    pub operator_name: String,
    pub hotline: String,
    /// In the request's language where the operator has it, else in German.
    pub hotline_note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LegalPageKind {
    Contact,
    Privacy,
    Imprint,
}

impl LegalPageKind {
    pub fn title(self, lang: Lang) -> String {
        match self {
            LegalPageKind::Contact => crate::t!(lang, "legal-contact"),
            LegalPageKind::Privacy => crate::t!(lang, "legal-privacy"),
            LegalPageKind::Imprint => crate::t!(lang, "legal-imprint"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalText {
    pub paragraphs: Vec<String>,
    /// The privacy notice's version, shown so users know what they accepted.
    pub version: Option<i64>,
    /// The page was asked for in English, but the operator has no English
    /// text for it: the German one is shown, with a note saying so.
    pub shown_in_german: bool,
}

/// The operator's name and hotline, for the header and footer of every page.
#[derive(Clone, Copy)]
pub struct SiteResource(pub Resource<Result<SiteInfo, AppError>>);

impl SiteResource {
    pub fn provide() {
        provide_context(SiteResource(Resource::new(|| (), |_| get_site_info())));
    }
}

/// Public by design: branding is shown on the login page.
#[server(endpoint = "site/info")]
pub async fn get_site_info() -> Result<SiteInfo, AppError> {
    let lang = crate::i18n::lang();
    crate::server::serve::read(crate::server::serve::anyone(), async |state, ()| {
        let branding = &state.config.branding;
        let (hotline_note, _) = ssr::text_in(lang, &branding.hotline_note, branding.hotline_note_en.as_deref());
        Ok(SiteInfo {
            operator_name: branding.operator_name.clone(),
            hotline: branding.hotline.clone(),
            hotline_note: hotline_note.to_owned(),
        })
    })
    .await
}

/// Public by design: these pages must be readable without signing in.
/// In the request's language where the operator has the text in it.
#[server(endpoint = "site/legal")]
pub async fn get_legal_text(kind: LegalPageKind) -> Result<LegalText, AppError> {
    let lang = crate::i18n::lang();
    crate::server::serve::read(crate::server::serve::anyone(), async |state, ()| {
        let branding = &state.config.branding;
        let own = |german: &str, english: Option<&str>| {
            let (text, shown_in_german) = ssr::text_in(lang, german, english);
            (text.to_owned(), None, shown_in_german)
        };
        let (text, version, shown_in_german) = match kind {
            LegalPageKind::Contact => own(&branding.contact_text, branding.contact_text_en.as_deref()),
            LegalPageKind::Imprint => own(&branding.imprint_text, branding.imprint_text_en.as_deref()),
            LegalPageKind::Privacy => match ssr::privacy_notice_in(state, lang).await? {
                Some(notice) => (notice.text, Some(notice.version), notice.shown_in_german),
                None => own(&branding.privacy_text, branding.privacy_text_en.as_deref()),
            },
        };
        Ok(LegalText { paragraphs: paragraphs(&text), version, shown_in_german })
    })
    .await
}

/// Splits plain text at blank lines; lines inside a paragraph stay lines.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect()
}
