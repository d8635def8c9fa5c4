//! Server side of signing in, one concern per module:
//!
//! - [`session`]: sessions in the database, timeouts, the security stamp;
//! - [`credentials`]: the password check at sign-in;
//! - [`guard`]: who is calling (the [`guard::SignedIn`] extractor, the
//!   server-function guards) and what they may do;
//! - [`flows`]: sign-in and sign-out;
//! - [`http`]: the session and device cookies;
//! - [`lockout`], [`devices`], [`hashing`], [`expiry`], [`passwords`]: the
//!   counter of failed tries, the browsers exempt from strangers' tries,
//!   Argon2 off the executor, password expiry, and every way to set a password;
//! - the second factor: [`second_factor`] (the TOTP rules and recovery
//!   codes), [`second_step`] (the sign-in's code), [`second_factor_setup`]
//!   (Profil, required for all, the operator's reset), [`reauth`] (password
//!   and code where a signed-in user proves it is them), [`second_factor_mail`],
//!   [`passkeys`] (WebAuthn: both factors in one);
//! - the app's sign-in: [`clients`], [`oauth`], [`oauth_http`].

pub mod cleanup;
pub mod clients;
pub mod credentials;
pub mod devices;
pub mod expiry;
pub mod flows;
pub mod guard;
pub mod hashing;
pub mod http;
pub mod links;
pub mod lockout;
pub mod oauth;
pub mod oauth_http;
pub mod passkeys;
pub mod passwords;
pub mod reauth;
pub mod second_factor;
pub mod second_factor_mail;
pub mod second_factor_setup;
pub mod second_step;
pub mod session;

pub use flows::{end_this_browsers_session, login, logout, redirect_after_setup};
pub use guard::{optional_session, require_permission, require_permission_to_change, require_session, require_user, Permission, SignedIn};
pub use http::set_session_cookie;
pub use crate::server::serve::client_ip;
pub use session::{end_other_sessions, SessionUser};

use crate::domain::InputError;
use crate::error::AppError;
use crate::server::mail::MailError;

/// What can go wrong in this layer; converted to [`AppError`] at the
/// server-function boundary.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("no valid session")]
    NotSignedIn,
    #[error("the session must finish the first sign-in")]
    SetupPending,
    #[error("not allowed for this session")]
    Forbidden,
    #[error("the link is unknown, used or expired")]
    LinkInvalid,
    #[error("input refused: {0}")]
    Input(#[from] InputError),
    #[error("all password hashing slots are busy")]
    Busy,
    #[error("database error")]
    Database(#[from] sqlx::Error),
    #[error("password hashing task failed")]
    Hashing(#[from] tokio::task::JoinError),
    #[error("mail could not be queued")]
    Mail(#[from] MailError),
}

impl From<AuthError> for AppError {
    fn from(error: AuthError) -> Self {
        match error {
            AuthError::InvalidCredentials => AppError::InvalidCredentials,
            AuthError::NotSignedIn => AppError::NotSignedIn,
            AuthError::SetupPending => AppError::SetupPending,
            AuthError::Forbidden => AppError::Forbidden,
            AuthError::LinkInvalid => AppError::LinkInvalid,
            AuthError::Input(input) => input.into(),
            AuthError::Busy => AppError::Busy,
            other => AppError::internal(&other),
        }
    }
}
