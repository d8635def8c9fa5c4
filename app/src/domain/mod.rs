//! Domain types that parse instead of validate. Compiled into both the browser
//! and the server so a form can tell the user the same thing the server will.

mod customer;
mod document;
mod email;
pub mod messages;
mod password;
mod person;
mod username;

pub use customer::{CustomerName, CustomerNumber};
pub use document::{DocumentNumber, DocumentTypeKey, DocumentTypeName};
pub use email::EmailAddress;
pub use password::{Password, PasswordContext, PasswordPolicy, PasswordRule, RuleCheck};
pub use person::{PersonName, Salutation};
pub use username::Username;

/// Why a piece of user input was refused. The message is German and meant for
/// the user; it never contains the refused value itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[error("{0}")]
pub struct InputError(pub String);

impl InputError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}
