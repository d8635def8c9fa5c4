//! `/api/v1/me` for the mobile app: who is signed in (`GET`), and the name
//! and notification choice (`PATCH`) under the same rules and audit as
//! Profil. The caller is the access token's user, never the request body.

use super::{details, notify_mode, set_name, set_notify_mode, NewName};
use crate::auth::ssr::oauth_http::AppUser;
use crate::auth::ssr::session::full_name;
use crate::auth::ssr::SessionUser;
use crate::auth::ssr::oauth_http::{api_json, api_refusal as refusal, ApiError};
use crate::error::AppError;
use crate::profile::NotifyMode;
use crate::server::limits::client_address;
use crate::server::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use http::header::CONTENT_TYPE;
use http::request::Parts;
use serde::Deserialize;

/// The signed-in user as the app sees them.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Me {
    pub username: String,
    pub name: MeName,
    pub email: String,
    pub customer: MeCustomer,
    pub rights: MeRights,
    /// `none`, `notify` (a mail naming new documents) or `attachment` (a mail per document with its PDF).
    pub notification: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MeName {
    /// "Frau Erika Muster", or the user name when no name is set.
    pub display: String,
    /// `frau`, `herr` or `keine`, as Profil offers them.
    pub salutation: String,
    pub first_name: String,
    pub last_name: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MeCustomer {
    pub number: String,
    pub name: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MeRights {
    pub main_user: bool,
    pub manage_users: bool,
    pub manage_forwardings: bool,
}

async fn me(state: &AppState, user: &SessionUser) -> Result<Me, sqlx::Error> {
    let profile = details(state, user.user_id).await?;
    let notification = notify_mode(state, user.user_id).await?;
    let me = Me {
        username: user.username.clone(),
        name: MeName {
            display: full_name(profile.salutation.key(), &profile.first_name, &profile.last_name, &user.username),
            salutation: profile.salutation.key().to_owned(),
            first_name: profile.first_name,
            last_name: profile.last_name,
        },
        email: profile.email,
        customer: MeCustomer { number: user.customer_number.clone(), name: user.customer_name.clone() },
        rights: MeRights {
            main_user: user.is_main_user,
            manage_users: user.can_manage_users,
            manage_forwardings: user.can_manage_forwardings,
        },
        notification: notification.key().to_owned(),
    };
    Ok(me)
}

fn answer(result: Result<Me, sqlx::Error>) -> Response {
    match result {
        Ok(me) => api_json(&me),
        Err(error) => refusal(AppError::from(error)),
    }
}

/// `GET /api/v1/me`.
#[utoipa::path(
    get, path = "/api/v1/me", tag = "Profile", operation_id = "getMe", summary = "Who is signed in: name, customer, rights, notification",
    responses(
        (status = 200, description = "The user", body = Me),
        (status = 401, description = "No working access token", body = ApiError),
        (status = 403, description = "The user must first finish a step in the browser", body = ApiError),
    ),
    security(("app" = []))
)]
pub async fn get_me(State(state): State<AppState>, AppUser(user): AppUser) -> Response {
    answer(me(&state, &user).await)
}

/// What `PATCH /api/v1/me` may change; what is left out stays.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = MeChanges)]
pub struct Changes {
    name: Option<NameChange>,
    /// `none`, `notify` or `attachment`.
    notification: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NameChange {
    /// `frau`, `herr` or `keine`.
    #[serde(default)]
    salutation: String,
    first_name: String,
    last_name: String,
}

/// `PATCH /api/v1/me` (JSON): everything is checked before anything is
/// written; answers with the user as `GET` does.
#[utoipa::path(
    patch, path = "/api/v1/me", tag = "Profile", operation_id = "changeMe",
    summary = "Change the name and the notification, under the rules and audit of the portal's profile page",
    request_body(content = Changes, content_type = "application/json"),
    responses(
        (status = 200, description = "The user after the change", body = Me),
        (status = 400, description = "Not JSON, or a field this call does not change", body = ApiError),
        (status = 401, description = "No working access token", body = ApiError),
        (status = 422, description = "A value is refused; `field` names it and nothing was changed", body = ApiError),
    ),
    security(("app" = []))
)]
pub async fn patch_me(State(state): State<AppState>, AppUser(user): AppUser, parts: Parts, body: Bytes) -> Response {
    let json = parts.headers.get(CONTENT_TYPE).and_then(|value| value.to_str().ok()).is_some_and(|value| value.starts_with("application/json"));
    let Some(changes) = json.then(|| serde_json::from_slice::<Changes>(&body).ok()).flatten() else {
        return refusal(AppError::BadRequest);
    };
    let name = match changes.name.map(|name| NewName::parse(&name.salutation, &name.first_name, &name.last_name)).transpose() {
        Ok(name) => name,
        Err(error) => return refusal(error.into()),
    };
    let notification = match changes.notification.as_deref().map(NotifyMode::parse).transpose() {
        Ok(mode) => mode,
        Err(error) => return refusal(AppError::from(error.at("notification"))),
    };
    let ip = client_address(&parts, &state.config).map(|ip| ip.to_string());
    if let Some(name) = name {
        if let Err(error) = set_name(&state, &user, name, ip.clone()).await {
            return refusal(error);
        }
    }
    if let Some(mode) = notification {
        if let Err(error) = set_notify_mode(&state, &user, mode, ip).await {
            return refusal(error);
        }
    }
    answer(me(&state, &user).await)
}
