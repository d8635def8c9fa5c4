//! A signed-in user proving it is them again: "Passwort bestätigen"
//! (SECURITY.md 21) and turning the second factor off ask for the password,
//! and with the second factor on for a code too.

use super::passwords::{check_current_password, AndThen, PasswordAskedFor};
use super::credentials::audit_alone;
use super::second_factor::{self, Verified, CODE_FIELD};
use super::second_factor_mail::{queue_mail, Notice};
use super::session::SessionUser;
use super::{lockout, AuthError};
use crate::domain::{InputError, Refusal};
use crate::server::db;
use crate::server::state::AppState;

/// A code of the signed-in user's second factor, right after their
/// password was checked in the same request (confirming the sign-in,
/// turning the factor off): the password's try on the name's counter,
/// counted in advance, covers the code too, and only a right code clears it.
async fn verify_code_after_password(state: &AppState, user: &SessionUser, code: &str, ip: Option<String>) -> Result<(), AuthError> {
    second_factor::require_code(code)?;
    let now = state.clock.now();
    let key = lockout::name_key(&user.username);
    match second_factor::verify(&state.pool, user.user_id, code, now).await? {
        Verified::Refused => {
            audit_alone(state, Some(user.user_id), Some(user.customer_id), "second_factor_failed", ip, now).await?;
            Err(InputError::new(Refusal::CodeWrong).at(CODE_FIELD).into())
        }
        verified => {
            lockout::clear(&state.pool, &key).await?;
            if let Verified::RecoveryCode { left } = verified {
                let mut tx = db::begin(&state.pool).await?;
                queue_mail(state, &mut tx, user.user_id, Notice::RecoveryCodeUsed { left }, now).await?;
                tx.commit().await?;
            }
            Ok(())
        }
    }
}

/// The password, and with the second factor on a code too: what confirming
/// the sign-in asks for.
pub async fn verify_password_and_code(
    state: &AppState,
    user: &SessionUser,
    password: &str,
    code: &str,
    asked_for: PasswordAskedFor,
    ip: Option<String>,
) -> Result<(), AuthError> {
    let and_then = if user.second_factor { AndThen::Code } else { AndThen::Done };
    check_current_password(state, user, password, asked_for, ip.clone(), and_then).await?;
    if user.second_factor {
        verify_code_after_password(state, user, code, ip).await?;
    }
    Ok(())
}

/// "Passwort bestätigen" (SECURITY.md 21): after the right password (and
/// with the second factor on, a code) the
/// session counts as freshly signed in for another hour, under a new id.
/// Returns the new cookie value.
pub async fn confirm_password(state: &AppState, user: &SessionUser, password: &str, code: &str, ip: Option<String>) -> Result<String, AuthError> {
    verify_password_and_code(state, user, password, code, PasswordAskedFor::Confirmation, ip.clone()).await?;
    super::session::reauthenticate(state, user, ip).await
}

