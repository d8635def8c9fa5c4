//! The operator's texts on the server: the imprint, contact and privacy
//! pages from `content/de/` and `content/en/` (or the operator's files, see
//! `server::config::Branding`), and the published privacy notice versions.
//!
//! The privacy notice's versions are German, in the database (users accept
//! a version). Its English text is the file `KP_PRIVACY_FILE_EN` (by default
//! `content/en/datenschutz.txt`), the translation of `KP_PRIVACY_FILE`: it is
//! shown for the version whose text is that German file's, and any other
//! version shows in German with a note, until the operator gives the pair of
//! the new version.

use crate::i18n::Lang;
use crate::server::db::{self, Pool};
use crate::server::jobs::Jobs;
use crate::server::state::AppState;
use crate::domain::UnixTime;

/// At start: a new database gets the configured privacy notice as version 1.
pub fn register_jobs(jobs: &mut Jobs) {
    jobs.at_start("privacy notice", |state: AppState| async move {
        ensure_privacy_notice(&state.pool, &state.config.branding.privacy_text, state.clock.now()).await
    });
}

/// An operator's text for a page in `lang`: the English one where the
/// operator has one, else the German one — then `true`: shown in German
/// instead (never for a German page).
pub fn text_in<'a>(lang: Lang, german: &'a str, english: Option<&'a str>) -> (&'a str, bool) {
    match (lang, english) {
        (Lang::De, _) => (german, false),
        (Lang::En, Some(english)) => (english, false),
        (Lang::En, None) => (german, true),
    }
}

/// The current privacy notice as a page in one language shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivacyNotice {
    /// The version a user accepts: the German text's.
    pub version: i64,
    pub text: String,
    /// English was asked for, but there is none of this version.
    pub shown_in_german: bool,
}

/// The newest published privacy notice in `lang`: in English the English
/// file's text while the version's German text is the German file's (the
/// two files are one version's pair), else the German text.
pub async fn privacy_notice_in(state: &AppState, lang: Lang) -> Result<Option<PrivacyNotice>, sqlx::Error> {
    let Some((version, german)) = current_privacy_notice(&state.pool).await? else { return Ok(None) };
    let branding = &state.config.branding;
    let english = branding.privacy_text_en.as_deref().filter(|_| german.trim() == branding.privacy_text.trim());
    let (text, shown_in_german) = text_in(lang, &german, english);
    Ok(Some(PrivacyNotice { version, text: text.to_owned(), shown_in_german }))
}

/// The newest published privacy notice: (version, text).
pub async fn current_privacy_notice(pool: &Pool) -> Result<Option<(i64, String)>, sqlx::Error> {
    db::query_as("SELECT version, body FROM privacy_notices ORDER BY version DESC LIMIT 1")
        .fetch_optional(pool)
        .await
}

/// Publishes `body` as the next version and returns its number.
pub async fn publish_privacy_notice(pool: &Pool, body: &str, now: UnixTime) -> Result<i64, sqlx::Error> {
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

async fn record_published(tx: &mut db::Transaction<'_>, version: i64, now: UnixTime) -> Result<(), sqlx::Error> {
    let entry = crate::server::audit::AuditEntry {
        actor: crate::server::audit::Actor::Operator,
        customer_id: None,
        action: "privacy_notice_published",
        detail: crate::server::audit::AuditDetail::PrivacyPublished { version },
        ip: None,
    };
    crate::server::audit::record(tx, entry, now).await
}

/// On first start the configured text becomes version 1. Instances
/// starting together may all try; the first insert wins, the others
/// change nothing.
pub async fn ensure_privacy_notice(pool: &Pool, body: &str, now: UnixTime) -> Result<(), sqlx::Error> {
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
