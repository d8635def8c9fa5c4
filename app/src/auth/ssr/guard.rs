//! Who is calling, and what they may touch. One check serves plain axum
//! handlers (the [`SignedIn`] extractor) and server functions
//! ([`require_user`]); SSR calls server-function bodies directly, so route
//! middleware alone would not protect them.

use super::http::session_token;
use crate::server::serve::request_parts;
use super::session::{load_session, SessionUser};
use crate::auth::SetupStep;
use crate::error::{found, AppError, Caller};
use crate::routes;
use crate::server::state::AppState;
use axum::extract::FromRequestParts;
use axum::response::Response;
use http::request::Parts;
use leptos::prelude::*;

/// What a user may do beyond reading their customer's documents and their
/// own profile. Main users have every right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    ManageUsers,
    ManageForwardings,
}

impl SessionUser {
    /// `Ok` when the user has `permission`, else [`AppError::Forbidden`].
    pub fn require(&self, permission: Permission) -> Result<(), AppError> {
        let allowed = match permission {
            Permission::ManageUsers => self.can_manage_users,
            Permission::ManageForwardings => self.can_manage_forwardings,
        };
        if allowed {
            Ok(())
        } else {
            tracing::info!(user_id = self.user_id, ?permission, "refused: missing right");
            Err(AppError::Forbidden)
        }
    }

    /// `Ok` when the user signed in or confirmed the password within the
    /// last hour, else [`AppError::ReauthRequired`]: the page asks for the
    /// password, then the user carries on.
    pub fn require_recent_sign_in(&self) -> Result<(), AppError> {
        if self.recently_authenticated {
            Ok(())
        } else {
            tracing::info!(user_id = self.user_id, "refused: the sign-in is older than an hour");
            Err(AppError::ReauthRequired)
        }
    }
}

/// A page request's session, looked up once by the page guard: the server
/// functions the page calls while it renders find it in the request instead
/// of reading the database again.
#[derive(Clone)]
struct Authenticated(Option<SessionUser>);

/// The valid session behind a request's cookie, whatever it still has to do.
pub async fn authenticate(parts: &Parts, state: &AppState) -> Result<Option<SessionUser>, AppError> {
    if let Some(Authenticated(known)) = parts.extensions.get::<Authenticated>() {
        return Ok(known.clone());
    }
    let Some(token) = session_token(parts, state) else { return Ok(None) };
    Ok(load_session(state, &token).await?)
}

/// The rule every guarded caller passes: a session that has finished the
/// first sign-in. Refusals: not signed in, or a setup step still open.
fn finished(session: Option<SessionUser>) -> Result<SessionUser, Refusal> {
    match session {
        None => Err(Refusal::NotSignedIn),
        Some(user) => match user.pending {
            Some(step) => {
                tracing::info!(user_id = user.user_id, ?step, "refused: the first sign-in is not finished");
                Err(Refusal::SetupPending(step))
            }
            None => Ok(user),
        },
    }
}

enum Refusal {
    NotSignedIn,
    SetupPending(SetupStep),
    Failed(AppError),
}

impl Refusal {
    fn error(self) -> AppError {
        match self {
            Refusal::NotSignedIn => AppError::NotSignedIn,
            Refusal::SetupPending(_) => AppError::SetupPending,
            Refusal::Failed(error) => error,
        }
    }

    /// A page is sent where the visitor can go on (the login form, or the
    /// first-sign-in step still open); an API call gets the status and JSON.
    fn respond(self, caller: Caller) -> Response {
        match (caller, self) {
            (Caller::Page, Refusal::SetupPending(step)) => found(step.path()),
            (caller, refusal) => refusal.error().respond(caller),
        }
    }
}

/// The signed-in user of a plain axum handler: their customer and rights
/// come from the session on the server, never from the request.
///
/// Refusals: a page gets 302 to the login page (or to the first-sign-in step
/// still open), an API call 401 / 403 as JSON.
pub struct SignedIn(pub SessionUser);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let caller = Caller::of(parts.uri.path());
        let session = authenticate(parts, state).await.map_err(|error| Refusal::Failed(error).respond(caller))?;
        parts.extensions.insert(Authenticated(session.clone()));
        match finished(session) {
            Ok(user) => Ok(SignedIn(user)),
            Err(refusal) => {
                if matches!(refusal, Refusal::NotSignedIn) {
                    tracing::info!(path = %parts.uri.path(), "refused: no valid session");
                }
                Err(refusal.respond(caller))
            }
        }
    }
}

/// The same rule as a route layer for pages behind sign-in: the visitor is
/// redirected before anything renders, so without JavaScript too the
/// browser follows a real 302.
pub async fn require_signed_in_page(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    // The router also serves "/dokumente/" as "/dokumente".
    let path = parts.uri.path();
    let path = if path.len() > 1 { path.trim_end_matches('/') } else { path };
    let is_page = routes::is_signed_in_page(path);
    if is_page {
        if let Err(refused) = SignedIn::from_request_parts(&mut parts, &state).await {
            return refused;
        }
    }
    next.run(axum::extract::Request::from_parts(parts, body)).await
}

/// The signed-in session of the current server function, or `None`,
/// whatever it still has to do. Only for [`crate::auth::current_user`],
/// which must answer signed-out visitors too.
pub async fn optional_session() -> Result<Option<SessionUser>, AppError> {
    let state = expect_context::<AppState>();
    let Some(parts) = request_parts() else { return Ok(None) };
    authenticate(&parts, &state).await
}

/// Guard for the first-sign-in steps themselves: a valid session, or 401.
pub async fn require_session() -> Result<SessionUser, AppError> {
    session_required(optional_session().await?)
}

/// [`require_session`]'s rule for a session the caller looked up already.
pub fn session_required(session: Option<SessionUser>) -> Result<SessionUser, AppError> {
    session.ok_or_else(|| {
        tracing::info!("refused: no valid session");
        AppError::NotSignedIn
    })
}

/// The access guard every other server function starts with: a session that
/// has finished the first sign-in ([`SignedIn`]'s rule), or 401 / 403.
pub async fn require_user() -> Result<SessionUser, AppError> {
    finished(optional_session().await?).map_err(Refusal::error)
}

/// [`require_user`] plus a right.
pub async fn require_permission(permission: Permission) -> Result<SessionUser, AppError> {
    let user = require_user().await?;
    user.require(permission)?;
    Ok(user)
}

/// [`require_permission`] for a change: the sign-in must also be recent.
pub async fn require_permission_to_change(permission: Permission) -> Result<SessionUser, AppError> {
    let user = require_permission(permission).await?;
    user.require_recent_sign_in()?;
    Ok(user)
}
