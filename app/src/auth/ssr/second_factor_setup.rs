//! Setting the second factor up, and everything after: Profil →
//! Zwei-Faktor-Anmeldung (set up after the password, confirm with a code,
//! recovery codes shown once, new recovery codes, turn off with password
//! and code), the code asked for beside the password when the sign-in is
//! confirmed, the operator's reset, and the mails that tell the user.

use super::passwords::{audit_entry, PasswordAskedFor};
use super::reauth::verify_password_and_code;
use super::second_factor::{self, TotpSecret, CODE_FIELD};
use super::second_factor_mail::{queue_mail, Notice};
use super::session::SessionUser;
use super::AuthError;
use crate::auth::{SecondFactorState, SecondFactorView};
use crate::domain::{InputError, Refusal, UnixTime};
use crate::i18n::Lang;
use crate::server::audit::{self, Actor, AuditDetail, AuditEntry};
use crate::server::db;
use crate::server::state::AppState;
use crate::t;
use cookie::{Cookie, SameSite};

/// What Profil shows.
pub async fn view(state: &AppState, user: &SessionUser) -> Result<SecondFactorView, sqlx::Error> {
    // Contexts first: after an await a rendering page may not have them.
    let lang = crate::i18n::lang();
    let (secret, enabled_at): (Option<String>, Option<UnixTime>) =
        db::query_as("SELECT totp_secret, totp_enabled_at FROM users WHERE id = $1").bind(user.user_id).fetch_one(&state.pool).await?;
    let state_now = match (secret.as_deref().and_then(TotpSecret::from_base32), enabled_at) {
        (Some(_), Some(since)) => {
            let left: i64 = db::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
                .bind(user.user_id)
                .fetch_one(&state.pool)
                .await?;
            SecondFactorState::On { since: crate::server::dates::date_in(lang, since, &state.config.time_zone), recovery_codes_left: left }
        }
        // A proposed secret only to a session that may go on with it (signed in within the hour).
        (Some(secret), None) if user.recently_authenticated => {
            let issuer = &state.config.branding.operator_name;
            SecondFactorState::Proposed {
                qr_svg: secret.qr_svg(issuer, &user.username).unwrap_or_default(),
                secret: secret.for_typing(),
                otpauth_uri: secret.otpauth_uri(issuer, &user.username).unwrap_or_default(),
            }
        }
        _ => SecondFactorState::Off,
    };
    Ok(SecondFactorView { state: state_now, required: user.second_factor_required })
}

/// "Einrichten": a new secret, not on before a code of it is confirmed.
pub async fn begin(state: &AppState, user: &SessionUser) -> Result<(), AuthError> {
    if user.second_factor {
        return Err(InputError::new(Refusal::SecondFactorAlreadyOn).into());
    }
    second_factor::propose(&state.pool, user.user_id, &TotpSecret::generate()).await?;
    Ok(())
}

/// Recovery codes just made, for the page that shows them once.
pub struct NewRecoveryCodes {
    /// The session they were made in: only its browser, while signed in so, sees them.
    session_hash: String,
    codes: Vec<String>,
}

/// "Aktivieren" with the first code: the second factor is on; returns the
/// recovery codes to show once.
pub async fn confirm(state: &AppState, user: &SessionUser, code: &str, ip: Option<String>) -> Result<NewRecoveryCodes, AuthError> {
    second_factor::require_code(code)?;
    let now = state.clock.now();
    let proposed: Option<String> = db::query_scalar("SELECT totp_secret FROM users WHERE id = $1 AND totp_enabled_at IS NULL")
        .bind(user.user_id)
        .fetch_optional(&state.pool)
        .await?
        .flatten();
    if proposed.is_none() {
        return Err(InputError::new(Refusal::SetupRestart).into());
    }
    let Some(codes) = second_factor::confirm(&state.pool, user.user_id, code, now).await? else {
        return Err(InputError::new(Refusal::CodeWrong).at(CODE_FIELD).into());
    };
    let mut tx = db::begin(&state.pool).await?;
    audit::record(&mut tx, audit_entry(user.user_id, user.customer_id, "second_factor_on", AuditDetail::None, ip), now).await?;
    queue_mail(state, &mut tx, user.user_id, Notice::TurnedOn, now).await?;
    tx.commit().await?;
    Ok(NewRecoveryCodes { session_hash: user.session_hash.clone(), codes })
}

/// "Neue Wiederherstellungscodes": the old ones stop working.
pub async fn renew_recovery_codes(state: &AppState, user: &SessionUser, ip: Option<String>) -> Result<NewRecoveryCodes, AuthError> {
    if !user.second_factor {
        return Err(InputError::new(Refusal::SecondFactorNotOn).into());
    }
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let codes = second_factor::replace_recovery_codes(&mut tx, user.user_id, now).await?;
    audit::record(&mut tx, audit_entry(user.user_id, user.customer_id, "recovery_codes_renewed", AuditDetail::None, ip), now).await?;
    tx.commit().await?;
    Ok(NewRecoveryCodes { session_hash: user.session_hash.clone(), codes })
}

/// "Ausschalten": the password and a code. Not while the customer requires it.
pub async fn turn_off(state: &AppState, user: &SessionUser, password: &str, code: &str, ip: Option<String>) -> Result<(), AuthError> {
    if !user.second_factor {
        return Err(InputError::new(Refusal::SecondFactorNotOn).into());
    }
    if user.second_factor_required {
        return Err(InputError::new(Refusal::SecondFactorRequired).into());
    }
    verify_password_and_code(state, user, password, code, PasswordAskedFor::SecondFactorOff, ip.clone()).await?;
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    second_factor::turn_off_in(&mut tx, user.user_id).await?;
    audit::record(&mut tx, audit_entry(user.user_id, user.customer_id, "second_factor_off", AuditDetail::None, ip), now).await?;
    queue_mail(state, &mut tx, user.user_id, Notice::TurnedOff, now).await?;
    tx.commit().await?;
    Ok(())
}

/// `kundenportal user reset-2fa`: the user lost their authenticator and
/// their recovery codes. The second factor goes (set up anew at the next
/// sign-in where the customer requires it); the user is told by mail.
/// `None` when there is no such user, else whether it was on.
pub async fn reset_by_operator(state: &AppState, username: &str) -> Result<Option<bool>, AuthError> {
    let Ok(name) = crate::domain::Username::parse(username) else { return Ok(None) };
    let now = state.clock.now();
    let mut tx = db::begin_writing(&state.pool).await?;
    let row: Option<(i64, i64, bool, bool)> = db::query_as(&state.pool.locked(
        "SELECT id, customer_id, totp_secret IS NOT NULL AS has_secret, totp_enabled_at IS NOT NULL AS was_on FROM users WHERE lower(username) = $1",
    ))
    .bind(name.key())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((user_id, customer_id, had, was_on)) = row else { return Ok(None) };
    if !had {
        return Ok(Some(false));
    }
    second_factor::turn_off_in(&mut tx, user_id).await?;
    if was_on {
        let entry = AuditEntry {
            actor: Actor::Operator,
            customer_id: Some(customer_id),
            action: "second_factor_reset_by_operator",
            detail: AuditDetail::Plain(username.to_owned()),
            ip: None,
        };
        audit::record(&mut tx, entry, now).await?;
        queue_mail(state, &mut tx, user_id, Notice::ResetByOperator, now).await?;
    }
    tx.commit().await?;
    Ok(Some(was_on))
}

/// New recovery codes travel to the page that shows them once in a cookie
/// of this browser (ten minutes, HttpOnly, SameSite=Strict, bound to the
/// session that made them): the form that made them may have been posted
/// without JavaScript, and the server keeps nothing but their hashes.
fn codes_cookie_name(state: &AppState) -> &'static str {
    if state.config.secure_cookies() {
        "__Host-kp_recovery_codes"
    } else {
        "kp_recovery_codes"
    }
}

/// Which session codes belong to, as the cookie names it (a part of the session's stored hash).
fn session_mark(session_hash: &str) -> &str {
    &session_hash[..16.min(session_hash.len())]
}

/// Keeps the new codes in this browser and goes on to the page that shows them.
pub fn show_once(served: crate::server::serve::Served<NewRecoveryCodes>) {
    set_codes_cookie(&served.state, Some((&served.value.session_hash, &served.value.codes)));
    served.then_show(crate::routes::RECOVERY_CODES);
}

/// Sets the cookie with `(session hash, codes)`, or removes it.
pub fn set_codes_cookie(state: &AppState, codes: Option<(&str, &[String])>) {
    let value = codes.map(|(session_hash, codes)| format!("{}.{}", session_mark(session_hash), codes.join("."))).unwrap_or_default();
    let mut cookie = Cookie::build((codes_cookie_name(state), value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.secure_cookies())
        .max_age(cookie::time::Duration::minutes(10))
        .build();
    if codes.is_none() {
        cookie.make_removal();
    }
    super::http::append_cookie(&cookie);
}

/// The codes in a request's cookie, if the session `session_hash` made them.
pub fn codes_in(parts: &http::request::Parts, state: &AppState, session_hash: &str) -> Option<Vec<String>> {
    let value = super::http::cookie_value(parts, codes_cookie_name(state))?;
    let mut parts = value.split('.');
    if parts.next()? != session_mark(session_hash) {
        return None;
    }
    let codes: Vec<String> = parts.map(str::to_owned).collect();
    let well_formed = |code: &String| code.len() == 19 && code.chars().all(|c| c == '-' || c.is_ascii_alphanumeric());
    (codes.len() == second_factor::RECOVERY_CODES && codes.iter().all(well_formed)).then_some(codes)
}

/// The codes as the text file to keep, in `lang`.
pub fn codes_file(lang: Lang, operator: &str, username: &str, codes: &[String]) -> String {
    let mut text = format!(
        "{}\r\n{}\r\n\r\n{}\r\n{}\r\n\r\n",
        t!(lang, "sf-recovery-file-heading", operator = operator),
        t!(lang, "sf-recovery-file-user", username = username),
        t!(lang, "sf-recovery-file-once"),
        t!(lang, "sf-recovery-file-keep"),
    );
    for code in codes {
        text.push_str(code);
        text.push_str("\r\n");
    }
    text
}

/// The main user requires the second factor of every user of the customer,
/// or no longer. Only once they use it themselves.
pub async fn set_required(state: &AppState, user: &SessionUser, required: bool, ip: Option<String>) -> Result<(), AuthError> {
    if !user.is_main_user {
        return Err(AuthError::Forbidden);
    }
    if required && !user.second_factor {
        return Err(InputError::new(Refusal::SecondFactorOwnFirst).into());
    }
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let changed = db::query("UPDATE customers SET require_second_factor = $1 WHERE id = $2 AND require_second_factor <> $1")
        .bind(required)
        .bind(user.customer_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if changed > 0 {
        let action = if required { "second_factor_required" } else { "second_factor_not_required" };
        audit::record(&mut tx, audit_entry(user.user_id, user.customer_id, action, AuditDetail::None, ip), now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// `GET /wiederherstellungscodes.txt`: the codes just made, as a file to
/// keep; 404 once they have left this browser.
pub async fn codes_file_download(
    super::SignedIn(user): super::SignedIn,
    axum::extract::State(state): axum::extract::State<AppState>,
    request: http::request::Parts,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let Some(codes) = codes_in(&request, &state, &user.session_hash) else {
        return crate::error::AppError::NotFound.respond(crate::error::Caller::Page);
    };
    let lang = Lang::of_request(&request);
    let body = codes_file(lang, &state.config.branding.operator_name, &user.username, &codes);
    (
        [
            (http::header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
            (http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", t!(lang, "sf-recovery-file-name"))),
            (http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}
