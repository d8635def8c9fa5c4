//! Operator branding and the pages anyone may read: Kontakt,
//! Datenschutzhinweise, Impressum.

use crate::error::AppError;
use crate::ui::PageTitle;
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

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::server::db::{self, Pool};
    use crate::server::jobs::Jobs;
    use crate::server::state::AppState;

    /// At start: a new database gets the configured privacy notice as version 1.
    pub fn register_jobs(jobs: &mut Jobs) {
        jobs.at_start("privacy notice", |state: AppState| async move {
            ensure_privacy_notice(&state.pool, &state.config.branding.privacy_text, state.clock.now()).await
        });
    }

    /// The newest published privacy notice: (version, text).
    pub async fn current_privacy_notice(pool: &Pool) -> Result<Option<(i64, String)>, sqlx::Error> {
        db::query_as("SELECT version, body FROM privacy_notices ORDER BY version DESC LIMIT 1")
            .fetch_optional(pool)
            .await
    }

    /// Publishes `body` as the next version and returns its number.
    pub async fn publish_privacy_notice(pool: &Pool, body: &str, now: i64) -> Result<i64, sqlx::Error> {
        let mut tx = db::begin(pool).await?;
        let (next,): (i64,) = db::query_as("SELECT COALESCE(MAX(version), 0) + 1 FROM privacy_notices")
            .fetch_one(&mut *tx)
            .await?;
        db::query("INSERT INTO privacy_notices (version, body, published_at) VALUES ($1, $2, $3)")
            .bind(next)
            .bind(body)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        record_published(&mut tx, next, now).await?;
        tx.commit().await?;
        Ok(next)
    }

    async fn record_published(tx: &mut db::Transaction<'_>, version: i64, now: i64) -> Result<(), sqlx::Error> {
        let entry = crate::server::audit::AuditEntry {
            actor: crate::server::audit::Actor::Operator,
            customer_id: None,
            action: "privacy_notice_published",
            detail: format!("version {version}"),
            ip: None,
        };
        crate::server::audit::record(tx, entry, now).await
    }

    /// On first start the configured text becomes version 1. Instances
    /// starting together may all try; the first insert wins, the others
    /// change nothing.
    pub async fn ensure_privacy_notice(pool: &Pool, body: &str, now: i64) -> Result<(), sqlx::Error> {
        if current_privacy_notice(pool).await?.is_some() {
            return Ok(());
        }
        let mut tx = db::begin(pool).await?;
        let inserted = db::query(
            "INSERT INTO privacy_notices (version, body, published_at) VALUES (1, $1, $2) ON CONFLICT (version) DO NOTHING",
        )
        .bind(body)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 1 {
            record_published(&mut tx, 1, now).await?;
        }
        tx.commit().await
    }
}

#[component]
pub fn LegalPage(kind: LegalPageKind) -> impl IntoView {
    let text = Resource::new(move || kind, get_legal_text);
    view! {
        <PageTitle title=kind.title()/>
        <section class="card prose">
            <Suspense fallback=|| view! { <p class="muted">"Wird geladen …"</p> }>
                {move || Suspend::new(async move {
                    match text.await {
                        Ok(text) => view! {
                            {text.version.map(|v| view! { <p class="muted">{format!("Version {v}")}</p> })}
                            {text.paragraphs.into_iter().map(|p| view! { <p class="preformatted">{p}</p> }).collect_view()}
                        }.into_any(),
                        Err(error) => view! { <p class="alert" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
