//! Signing in and out, the session, and the access guard every server
//! function starts with.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod ssr;

mod components;
pub use components::LoginPage;

/// The signed-in user as the page sees them. Customer, role and rights come
/// from the session on the server, never from the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub username: String,
    pub full_name: String,
    pub is_main_user: bool,
    pub can_manage_users: bool,
    pub can_manage_forwardings: bool,
}

/// Who is signed in, or `None`. The only server function that answers
/// without a session: the shell needs it to decide between login and portal.
#[server(endpoint = "auth/current_user")]
pub async fn current_user() -> Result<Option<UserView>, AppError> {
    Ok(ssr::optional_user().await?.map(|user| user.view()))
}

/// Signs in with username and password. Works as a plain form post before
/// the WASM has loaded: success and failure then answer with a redirect.
#[server(endpoint = "auth/login")]
pub async fn login(username: String, password: String) -> Result<(), AppError> {
    ssr::login(username, password).await
}

/// Ends the session and deletes it on the server.
#[server(endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    ssr::logout().await
}
