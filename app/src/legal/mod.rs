//! Operator branding and the pages anyone may read: Kontakt,
//! Datenschutzhinweise, Impressum.

mod components;
pub use components::LegalPage;
#[cfg(feature = "ssr")]
pub mod ssr;

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the header and footer show of the operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteInfo {
    pub operator_name: String,
    pub hotline: String,
    pub hotline_note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LegalPageKind {
    Contact,
    Privacy,
    Imprint,
}

impl LegalPageKind {
    pub fn title(self) -> &'static str {
        match self {
            LegalPageKind::Contact => "Kontakt",
            LegalPageKind::Privacy => "Datenschutzhinweise",
            LegalPageKind::Imprint => "Impressum",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalText {
    pub paragraphs: Vec<String>,
    /// The privacy notice's version, shown so users know what they accepted.
    pub version: Option<i64>,
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
    crate::server::serve::read(crate::server::serve::anyone(), async |state, ()| {
        let branding = &state.config.branding;
        Ok(SiteInfo {
            operator_name: branding.operator_name.clone(),
            hotline: branding.hotline.clone(),
            hotline_note: branding.hotline_note.clone(),
        })
    })
    .await
}

/// Public by design: these pages must be readable without signing in.
#[server(endpoint = "site/legal")]
pub async fn get_legal_text(kind: LegalPageKind) -> Result<LegalText, AppError> {
    crate::server::serve::read(crate::server::serve::anyone(), async |state, ()| {
        let branding = &state.config.branding;
        let (text, version) = match kind {
            LegalPageKind::Contact => (branding.contact_text.clone(), None),
            LegalPageKind::Imprint => (branding.imprint_text.clone(), None),
            LegalPageKind::Privacy => match ssr::current_privacy_notice(&state.pool).await? {
                Some((version, body)) => (body, Some(version)),
                None => (branding.privacy_text.clone(), None),
            },
        };
        Ok(LegalText { paragraphs: paragraphs(&text), version })
    })
    .await
}

/// Splits plain text at blank lines; lines inside a paragraph stay lines.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect()
}
