//! Document types: a stable key for the billing system and a German name
//! for the list. The defaults come with the schema; the operator adds more
//! with `kundenportal doctype add`.

use super::DocumentError;
use crate::domain::{DocumentTypeKey, DocumentTypeName};
use crate::i18n::Lang;
use crate::server::audit::{self, Actor, AuditDetail, AuditEntry};
use crate::server::db::{self, is_unique_violation, Pool};
use crate::domain::UnixTime;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DocumentType {
    pub key: String,
    pub name: String,
}

pub async fn list(pool: &Pool) -> Result<Vec<DocumentType>, sqlx::Error> {
    db::query_as("SELECT key, name FROM document_types ORDER BY position, name").fetch_all(pool).await
}

/// Every type with its English name, for the operator (`doctype list`).
pub async fn list_with_english(pool: &Pool) -> Result<Vec<(DocumentType, Option<String>)>, sqlx::Error> {
    let rows: Vec<(String, String, Option<String>)> =
        db::query_as("SELECT key, name, name_en FROM document_types ORDER BY position, name").fetch_all(pool).await?;
    Ok(rows.into_iter().map(|(key, name, english)| (DocumentType { key, name }, english)).collect())
}

/// The name a page in `lang` shows for the type of table alias `t`: in
/// English `name_en` where the operator set one, else the German name.
pub fn name_column(lang: Lang) -> &'static str {
    match lang {
        Lang::De => "t.name",
        Lang::En => "COALESCE(t.name_en, t.name)",
    }
}

/// [`list`] with the names a page in `lang` shows ([`name_column`]).
pub async fn list_in(pool: &Pool, lang: Lang) -> Result<Vec<DocumentType>, sqlx::Error> {
    let name = name_column(lang);
    let sql = format!("SELECT t.key, {name} AS name FROM document_types t ORDER BY t.position, {name}");
    db::query_as(&sql).fetch_all(pool).await
}

/// A new type with its German name and, if given, its English one.
pub async fn add(
    pool: &Pool,
    key: &DocumentTypeKey,
    name: &DocumentTypeName,
    name_en: Option<&DocumentTypeName>,
    now: UnixTime,
) -> Result<(), DocumentError> {
    let mut tx = db::begin(pool).await?;
    let inserted = db::query("INSERT INTO document_types (key, name, name_en) VALUES ($1, $2, $3)")
        .bind(key.as_str())
        .bind(name.as_str())
        .bind(name_en.map(DocumentTypeName::as_str))
        .execute(&mut *tx)
        .await;
    match inserted {
        Ok(_) => {}
        Err(error) if is_unique_violation(&error) => {
            return Err(DocumentError::Invalid { field: "key", message: format!("Den Dokumenttyp »{}« gibt es schon.", key.as_str()) })
        }
        Err(error) => return Err(error.into()),
    }
    let detail = AuditDetail::Plain(format!("{} ({})", name.as_str(), key.as_str()));
    audit::record(&mut tx, AuditEntry { actor: Actor::Operator, customer_id: None, action: "document_type_added", detail, ip: None }, now)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the English name of type `key` (`None` shows the German one in English too);
/// false when there is no such type.
pub async fn set_english_name(pool: &Pool, key: &DocumentTypeKey, name_en: Option<&DocumentTypeName>) -> Result<bool, sqlx::Error> {
    let updated = db::query("UPDATE document_types SET name_en = $1 WHERE key = $2")
        .bind(name_en.map(DocumentTypeName::as_str))
        .bind(key.as_str())
        .execute(pool)
        .await?
        .rows_affected();
    Ok(updated == 1)
}
