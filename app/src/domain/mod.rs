//! Domain types that parse instead of validate. Compiled into both the browser
//! and the server so a form can tell the user the same thing the server will.

mod customer;
mod document;
mod email;
mod notify_mode;
mod password;
mod person;
mod refusal;
mod states;
mod time;
mod username;

pub use customer::{CustomerName, CustomerNumber};
pub use document::{DocumentNumber, DocumentTypeKey, DocumentTypeName};
pub use email::EmailAddress;
pub use notify_mode::NotifyMode;
pub use password::{Password, PasswordContext, PasswordPolicy, PasswordRule, RuleCheck};
pub use person::{PersonName, Salutation};
pub use refusal::Refusal;
pub use states::{AttachmentParts, ForwardingState, Role};
pub use time::UnixTime;
pub use username::Username;

/// Why a piece of user input was refused, and the form field it concerns
/// (the input's `name`), where the refusal is about one. It never contains
/// the refused value itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{refusal}")]
pub struct InputError {
    pub refusal: Refusal,
    pub field: Option<&'static str>,
}

impl InputError {
    pub fn new(refusal: Refusal) -> Self {
        Self { refusal, field: None }
    }

    /// A refusal of input no form sends (the ingest API's, the CLI's): its text names limits.
    pub fn other(text: impl Into<String>) -> Self {
        Self::new(Refusal::Other(text.into()))
    }

    /// The same refusal, about the form field named `field`.
    pub fn at(self, field: &'static str) -> Self {
        Self { field: Some(field), ..self }
    }
}

impl From<Refusal> for InputError {
    fn from(refusal: Refusal) -> Self {
        Self::new(refusal)
    }
}
