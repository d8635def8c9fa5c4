//! Document types: a stable key for the billing system and a German name
//! for the list. The defaults come with the schema; the operator adds more
//! with `kundenportal doctype add`.

use super::DocumentError;
use crate::domain::{DocumentTypeKey, DocumentTypeName};
use crate::server::audit::{self, Actor, AuditEntry};
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

pub async fn add(pool: &Pool, key: &DocumentTypeKey, name: &DocumentTypeName, now: UnixTime) -> Result<(), DocumentError> {
    let mut tx = db::begin(pool).await?;
    let inserted = db::query("INSERT INTO document_types (key, name) VALUES ($1, $2)")
        .bind(key.as_str())
        .bind(name.as_str())
        .execute(&mut *tx)
        .await;
    match inserted {
        Ok(_) => {}
        Err(error) if is_unique_violation(&error) => {
            return Err(DocumentError::Invalid { field: "key", message: format!("Den Dokumenttyp »{}« gibt es schon.", key.as_str()) })
        }
        Err(error) => return Err(error.into()),
    }
    let detail = format!("{} ({})", name.as_str(), key.as_str());
    audit::record(&mut tx, AuditEntry { actor: Actor::Operator, customer_id: None, action: "document_type_added", detail, ip: None }, now)
        .await?;
    tx.commit().await?;
    Ok(())
}
