//! Signing in and out: the server side of the login form and of Abmelden.

use super::credentials::{audit_alone, verify_credentials};
use super::devices;
use super::http::{session_cookie_value, set_session_cookie};
use crate::server::serve::{anyone, limited, serve};
use super::session::{delete_session_by_hash, load_session, open_session, NewSignIn};
use crate::error::AppError;
use crate::routes;
use crate::server::crypto;
use crate::server::db;
use crate::server::limits::LimitedAction;
use crate::server::state::AppState;
use leptos::prelude::*;

/// Where a freshly signed-in session goes: its next setup step, else
/// [`finished_landing`].
pub async fn landing_path(state: &AppState, session_token: &str) -> Result<String, AppError> {
    let session = load_session(state, session_token).await?;
    Ok(match session.and_then(|s| s.pending) {
        Some(step) => step.path().to_owned(),
        None => finished_landing(state),
    })
}

/// Where a session that has just finished signing in goes: the consent page
/// of an app that sent the user to sign in, or the start page.
pub fn finished_landing(state: &AppState) -> String {
    crate::server::serve::request_parts()
        .and_then(|parts| super::oauth_http::pending_consent(&parts, state))
        .unwrap_or_else(|| routes::HOME.to_owned())
}

pub async fn redirect_after_setup(state: &AppState, session_token: &str) -> Result<(), AppError> {
    leptos_axum::redirect(&landing_path(state, session_token).await?);
    Ok(())
}

/// This browser is signed in: its cookies, then on to its next step (or
/// an app's consent, or the start page).
pub async fn go_on_signed_in(state: &AppState, signed_in: &NewSignIn) -> Result<(), AppError> {
    set_session_cookie(state, &signed_in.session, false);
    devices::set_cookie(state, &signed_in.device);
    if let Some(lang) = signed_in.language {
        // The pages follow the user's setting from now on, in this browser too.
        crate::server::language::remember_in_browser(lang, state.config.secure_cookies());
    }
    redirect_after_setup(state, &signed_in.session).await
}

pub async fn login(username: String, password: String) -> Result<(), AppError> {
    let device = devices::cookie_value(&expect_context::<AppState>());
    let served = serve(limited(LimitedAction::Login, anyone()), routes::LOGIN, async |state, (), ip| {
        Ok(verify_credentials(state, &username, &password, device.as_deref(), ip).await?)
    })
    .await?;
    let (state, verified) = (served.state, served.value);
    end_this_browsers_session(&state).await?;
    let now = state.clock.now();
    if verified.second_factor {
        // Not signed in yet: the code first (a cookie for this browser only).
        let challenge = super::second_step::start(&state.pool, &verified, now).await?;
        super::second_step::set_cookie(&state, Some(&challenge));
        set_session_cookie(&state, "", true);
        leptos_axum::redirect(routes::SECOND_STEP);
        return Ok(());
    }
    let mut tx = db::begin(&state.pool).await?;
    let signed_in = open_session(&mut tx, &state, verified.user_id, &verified.security_stamp, now).await?;
    tx.commit().await?;
    go_on_signed_in(&state, &signed_in).await
}

/// Before a new session starts in this browser (a sign-in, an accepted
/// invitation): the one it had ends, so that a session id planted before
/// cannot be taken over and no second user stays signed in beside.
pub async fn end_this_browsers_session(state: &AppState) -> Result<(), AppError> {
    if let Some(old) = session_cookie_value(state) {
        delete_session_by_hash(&state.pool, &crypto::token_hash(&old)).await?;
    }
    Ok(())
}

pub async fn logout() -> Result<(), AppError> {
    // Anyone may sign out: without a valid session there is only the cookie to remove.
    let token = session_cookie_value(&expect_context::<AppState>());
    let served = serve(anyone(), routes::LOGIN, async |state, (), ip| {
        if let Some(token) = token {
            if let Some(user) = load_session(state, &token).await? {
                delete_session_by_hash(&state.pool, &user.session_hash).await?;
                audit_alone(state, Some(user.user_id), Some(user.customer_id), "logout", ip, state.clock.now()).await?;
            } else {
                delete_session_by_hash(&state.pool, &crypto::token_hash(&token)).await?;
            }
        }
        Ok(())
    })
    .await?;
    set_session_cookie(&served.state, "", true);
    super::second_step::set_cookie(&served.state, None);
    super::second_factor_setup::set_codes_cookie(&served.state, None);
    // An app's request waiting for this browser's sign-in is not for whoever signs in next.
    super::oauth_http::forget_pending_request(&served.state);
    Ok(served.then_show(routes::LOGIN))
}
