//! The Benutzer rules on the server. Every target is looked up within the
//! caller's customer: another customer's user answers like a missing one.

pub mod accounts;

use super::{UserRow, UserStatus, UsersOverview};
use crate::auth::ssr::session::full_name_in;
use crate::auth::ssr::SessionUser;
use accounts::{Account, FirstAccess, NewUser, UserError};
use crate::domain::{CustomerNumber, EmailAddress, InputError, Refusal, Role, Username};
use crate::error::AppError;
use crate::server::allowance::{self, Allowance};
use crate::server::audit::{self, Actor, AuditDetail, AuditEntry};
use crate::auth::ssr::session::rotate_security_stamp;
use crate::server::mail::{withdraw, Withdrawn};
use crate::i18n::Lang;
use crate::server::dates::date_time_in;
use crate::server::db::{self, Transaction};
use crate::server::state::AppState;
use crate::domain::UnixTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rights {
    pub manage_users: bool,
    pub manage_forwardings: bool,
}


#[derive(sqlx::FromRow)]
struct ListRow {
    id: i64,
    username: String,
    email: String,
    salutation: String,
    first_name: String,
    last_name: String,
    role: Role,
    active: bool,
    can_manage_users: bool,
    can_manage_forwardings: bool,
    has_password: bool,
    second_factor: bool,
    last_sign_in_at: Option<UnixTime>,
    invitation_expires_at: Option<UnixTime>,
}

const LIST_QUERY: &str = "SELECT u.id, u.username, u.email, u.salutation, u.first_name, u.last_name, u.role, u.active, \
        u.can_manage_users, u.can_manage_forwardings, (u.password_hash IS NOT NULL) AS has_password, u.last_sign_in_at, \
        (u.totp_enabled_at IS NOT NULL) AS second_factor, \
        (SELECT MAX(t.expires_at) FROM tokens t WHERE t.user_id = u.id AND t.purpose = $3 AND t.used_at IS NULL) \
          AS invitation_expires_at \
     FROM users u WHERE u.customer_id = $1 \
     ORDER BY CASE WHEN u.role = $2 THEN 0 ELSE 1 END, lower(u.username)";

/// The customer's users: the main user first, then by name.
async fn users_of(state: &AppState, customer_id: i64) -> Result<Vec<ListRow>, sqlx::Error> {
    db::query_as(LIST_QUERY).bind(customer_id).bind(Role::Main).bind(crate::auth::ssr::links::TokenPurpose::Invitation).fetch_all(&state.pool).await
}

fn status_of(row: &ListRow, now: UnixTime) -> UserStatus {
    if !row.active {
        UserStatus::Deactivated
    } else if row.has_password {
        UserStatus::Active
    } else if row.invitation_expires_at.is_some_and(|at| at > now) {
        UserStatus::Invited
    } else {
        UserStatus::InvitationExpired
    }
}

/// The customer's users: the main user first, then by name; times in `lang`'s form.
pub async fn overview(state: &AppState, caller: &SessionUser, lang: Lang) -> Result<UsersOverview, sqlx::Error> {
    let now = state.clock.now();
    let rows = users_of(state, caller.customer_id)
        .await?
        .into_iter()
        .map(|row| UserRow {
            id: row.id,
            full_name: full_name_in(lang, &row.salutation, &row.first_name, &row.last_name, &row.username),
            status: status_of(&row, now),
            last_sign_in: row.last_sign_in_at.map(|at| date_time_in(lang, at, &state.config.time_zone)),
            is_main: row.role == Role::Main,
            is_self: row.id == caller.user_id,
            username: row.username,
            email: row.email,
            active: row.active,
            can_manage_users: row.can_manage_users,
            can_manage_forwardings: row.can_manage_forwardings,
            second_factor: row.second_factor,
        })
        .collect();
    Ok(UsersOverview {
        rows,
        max: state.config.users_max,
        caller_is_main: caller.is_main_user,
        second_factor_required: caller.second_factor_required,
        caller_has_second_factor: caller.second_factor,
    })
}

/// Adds a sub-user with an invitation (the same flow and link lifetime as
/// the operator's). Only the main user grants rights.
pub async fn add(
    state: &AppState,
    caller: &SessionUser,
    username: &str,
    email: &str,
    rights: Rights,
    ip: Option<String>,
) -> Result<(), AppError> {
    if !caller.is_main_user && rights != Rights::default() {
        tracing::info!(user_id = caller.user_id, "refused: only the main user grants rights");
        return Err(AppError::Forbidden);
    }
    let new = NewUser {
        customer: CustomerNumber::parse(&caller.customer_number)?,
        username: Username::parse(username).map_err(|error| error.at("username"))?,
        email: EmailAddress::parse(email).map_err(|error| error.at("email"))?,
        access: FirstAccess::Invitation,
        can_manage_users: rights.manage_users,
        can_manage_forwardings: rights.manage_forwardings,
        language: Some(crate::i18n::lang()),
    };
    let name = new.username.as_str().to_owned();
    // Every attempt counts, so that nobody probes the portal's usernames or
    // mails any address by adding and removing users again and again.
    if !allowance::take(state, Allowance::UserAdd, caller.user_id, caller.customer_id).await? {
        let detail = AuditDetail::UserAddRefused { username: name, reason: Refusal::AddsUsedUp.code().to_owned() };
        return refused(state, caller, detail, Refusal::AddsUsedUp.into(), ip).await;
    }
    match accounts::add_user(state, new, Actor::User(caller.user_id), ip.clone()).await {
        Ok(_) => Ok(()),
        Err(UserError::DuplicateUsername(_)) => {
            let detail = AuditDetail::UserAddRefused { username: name, reason: Refusal::UsernameTaken.code().to_owned() };
            refused(state, caller, detail, InputError::new(Refusal::UsernameTaken).at("username"), ip).await
        }
        Err(UserError::TooManyUsers) => {
            let detail = AuditDetail::UserAddRefused { username: name, reason: Refusal::UsersFull.code().to_owned() };
            refused(state, caller, detail, Refusal::UsersFull.into(), ip).await
        }
        Err(error) => Err(AppError::internal(&error)),
    }
}

/// A refused "Benutzer hinzufügen", in the audit log (a run of them is someone probing names).
async fn refused(state: &AppState, caller: &SessionUser, detail: AuditDetail, why: InputError, ip: Option<String>) -> Result<(), AppError> {
    audit::record_alone(&state.pool, entry(caller, "user_add_refused", detail, ip), state.clock.now()).await?;
    Err(why.into())
}

#[derive(sqlx::FromRow)]
struct Target {
    id: i64,
    customer_id: i64,
    username: String,
    email: String,
    role: Role,
    active: bool,
    has_password: bool,
}

/// The user `id` of the caller's customer, locked for the change, after the
/// rules every change obeys: nobody changes themself here, and only the
/// main user touches the main user (which is themself).
async fn target(state: &AppState, tx: &mut Transaction<'_>, caller: &SessionUser, id: i64) -> Result<Target, AppError> {
    let target: Option<Target> = db::query_as(&state.pool.locked(
        "SELECT id, customer_id, username, email, role, active, (password_hash IS NOT NULL) AS has_password \
         FROM users WHERE id = $1 AND customer_id = $2",
    ))
    .bind(id)
    .bind(caller.customer_id)
    .fetch_optional(&mut **tx)
    .await?;
    let target = target.ok_or(AppError::NotFound)?;
    if target.id == caller.user_id {
        return Err(InputError::new(Refusal::NotYourself).into());
    }
    if target.role == Role::Main {
        tracing::info!(user_id = caller.user_id, "refused: the main user is not changed by others");
        return Err(AppError::Forbidden);
    }
    Ok(target)
}

fn entry(caller: &SessionUser, action: &'static str, detail: AuditDetail, ip: Option<String>) -> AuditEntry<'static> {
    AuditEntry { actor: Actor::User(caller.user_id), customer_id: Some(caller.customer_id), action, detail, ip }
}

pub async fn resend_invitation(state: &AppState, caller: &SessionUser, id: i64, ip: Option<String>) -> Result<(), AppError> {
    // Each new invitation mails the address again: it counts like an addition.
    if !allowance::take(state, Allowance::UserAdd, caller.user_id, caller.customer_id).await? {
        let detail = AuditDetail::InvitationRefused { user_id: id, reason: Refusal::AddsUsedUp.code().to_owned() };
        return refused(state, caller, detail, Refusal::AddsUsedUp.into(), ip).await;
    }
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let target = target(state, &mut tx, caller, id).await?;
    if target.has_password {
        return Err(InputError::new(Refusal::AlreadySetUp).into());
    }
    if !target.active {
        return Err(InputError::new(Refusal::InactiveNotInvited).into());
    }
    let email = EmailAddress::parse(&target.email)?;
    let username = Username::parse(&target.username)?;
    let customer = CustomerNumber::parse(&caller.customer_number)?;
    accounts::queue_invitation(state, &mut tx, target.id, &Account { username: &username, customer: &customer, email: &email }, now)
        .await
        .map_err(|error| AppError::internal(&error))?;
    audit::record(&mut tx, entry(caller, "user_invited_again", AuditDetail::User { username: target.username.clone() }, ip), now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_active(state: &AppState, caller: &SessionUser, id: i64, active: bool, ip: Option<String>) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let target = target(state, &mut tx, caller, id).await?;
    if target.active == active {
        return Ok(());
    }
    let action = change_active(&mut tx, target.id, active, now).await?;
    audit::record(&mut tx, entry(caller, action, AuditDetail::User { username: target.username.clone() }, ip), now).await?;
    tx.commit().await?;
    Ok(())
}

/// Turns a user on or off inside `tx` and returns the audit action. Off: a
/// new security stamp and no session rows (their next request lands on the
/// login page), no open link works, and their queued notification mails are
/// not sent.
pub async fn change_active(tx: &mut Transaction<'_>, user_id: i64, active: bool, now: UnixTime) -> Result<&'static str, sqlx::Error> {
    if active {
        db::query("UPDATE users SET active = TRUE WHERE id = $1").bind(user_id).execute(&mut **tx).await?;
        return Ok("user_activated");
    }
    db::query("UPDATE users SET active = FALSE WHERE id = $1").bind(user_id).execute(&mut **tx).await?;
    rotate_security_stamp(tx, user_id, now).await?;
    stop_everything_of(tx, user_id, now).await?;
    Ok("user_deactivated")
}

/// Ends the user's sessions and takes back their waiting mails.
async fn stop_everything_of(tx: &mut Transaction<'_>, user_id: i64, now: UnixTime) -> Result<(), sqlx::Error> {
    db::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
    withdraw(tx, Withdrawn::User(user_id), now).await?;
    Ok(())
}

pub async fn set_rights(state: &AppState, caller: &SessionUser, id: i64, rights: Rights, ip: Option<String>) -> Result<(), AppError> {
    if !caller.is_main_user {
        tracing::info!(user_id = caller.user_id, "refused: only the main user grants rights");
        return Err(AppError::Forbidden);
    }
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let target = target(state, &mut tx, caller, id).await?;
    db::query("UPDATE users SET can_manage_users = $1, can_manage_forwardings = $2 WHERE id = $3")
        .bind(rights.manage_users)
        .bind(rights.manage_forwardings)
        .bind(target.id)
        .execute(&mut *tx)
        .await?;
    let detail = AuditDetail::UserRights {
        username: target.username.clone(),
        manage_users: rights.manage_users,
        manage_forwardings: rights.manage_forwardings,
    };
    audit::record(&mut tx, entry(caller, "user_rights_changed", detail, ip), now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove(state: &AppState, caller: &SessionUser, id: i64, ip: Option<String>) -> Result<(), AppError> {
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let target = target(state, &mut tx, caller, id).await?;
    stop_everything_of(&mut tx, target.id, now).await?;
    // The log keeps who did what after the row is gone.
    db::query("UPDATE audit_log SET actor_name = $1 WHERE actor_user_id = $2")
        .bind(&target.username)
        .bind(target.id)
        .execute(&mut *tx)
        .await?;
    db::query("DELETE FROM users WHERE id = $1 AND customer_id = $2").bind(target.id).bind(target.customer_id).execute(&mut *tx).await?;
    audit::record(&mut tx, entry(caller, "user_removed", AuditDetail::User { username: target.username.clone() }, ip), now).await?;
    tx.commit().await?;
    Ok(())
}

/// One user of any customer, for the operator's commands.
pub struct OperatorView {
    pub username: String,
    pub email: String,
    pub role: String,
    pub status: UserStatus,
    pub last_sign_in_at: Option<UnixTime>,
    pub rights: String,
    pub second_factor: bool,
}

/// `kundenportal user list --customer NR`; `None` for an unknown customer.
pub async fn list_for_operator(state: &AppState, customer: &str) -> Result<Option<Vec<OperatorView>>, sqlx::Error> {
    let customer_id: Option<i64> =
        db::query_scalar("SELECT id FROM customers WHERE number = $1").bind(customer).fetch_optional(&state.pool).await?;
    let Some(customer_id) = customer_id else { return Ok(None) };
    let now = state.clock.now();
    Ok(Some(
        users_of(state, customer_id)
            .await?
            .into_iter()
            .map(|row| OperatorView {
                status: status_of(&row, now),
                rights: if row.role == Role::Main {
                    "alle".to_owned()
                } else {
                    // The operator's CLI stays German.
                    crate::server::audit::rights(crate::i18n::Lang::De, row.can_manage_users, row.can_manage_forwardings)
                },
                username: row.username,
                email: row.email,
                role: row.role.label().to_owned(),
                last_sign_in_at: row.last_sign_in_at,
                second_factor: row.second_factor,
            })
            .collect(),
    ))
}

/// `kundenportal user activate|deactivate USERNAME`: `Ok(None)` for an
/// unknown name, else whether anything changed.
pub async fn set_active_by_operator(state: &AppState, username: &str, active: bool) -> Result<Option<bool>, sqlx::Error> {
    let Ok(name) = Username::parse(username) else { return Ok(None) };
    let now = state.clock.now();
    let mut tx = db::begin(&state.pool).await?;
    let row: Option<(i64, i64, bool, String)> =
        db::query_as(&state.pool.locked("SELECT id, customer_id, active, username FROM users WHERE lower(username) = $1"))
    .bind(name.key())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((id, customer_id, was_active, username)) = row else { return Ok(None) };
    if was_active == active {
        return Ok(Some(false));
    }
    let action = change_active(&mut tx, id, active, now).await?;
    let entry = AuditEntry { actor: Actor::Operator, customer_id: Some(customer_id), action, detail: AuditDetail::User { username }, ip: None };
    audit::record(&mut tx, entry, now).await?;
    tx.commit().await?;
    Ok(Some(true))
}
