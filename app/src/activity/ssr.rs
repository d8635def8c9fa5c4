//! Queries behind the Aktivitätsprotokoll, its CSV export and the
//! operator's `kundenportal audit`.

use super::{ActivityEntry, ActivityList, ActivityQuery, UserChoice, PER_PAGE};
use crate::auth::ssr::{Permission, SignedIn};
use crate::domain::{InputError, Refusal};
use crate::error::{AppError, Caller};
use crate::i18n::Lang;
use crate::server::audit::{self, Actor, AuditDetail, AuditEntry};
use crate::server::csv::cell;
use crate::server::dates::{date_time_in, german_date_time, parse_day, start_of_day};
use crate::server::db;
use crate::server::state::AppState;
use crate::domain::UnixTime;
use crate::t;

/// The most lines one CSV export holds.
pub const EXPORT_MAX: i64 = 50_000;

/// What the action keys of the audit log mean, in the reader's words
/// (the log keeps the key; it is translated only when shown).
pub fn action_label(lang: Lang, action: &str) -> String {
    match action {
        "login" => t!(lang, "activity-action-login"),
        "login_failed" => t!(lang, "activity-action-login-failed"),
        "login_locked" => t!(lang, "activity-action-login-locked"),
        "login_refused_locked" => t!(lang, "activity-action-login-refused-locked"),
        "logout" => t!(lang, "activity-action-logout"),
        "signed_out_elsewhere" => t!(lang, "activity-action-signed-out-elsewhere"),
        "session_ended" => t!(lang, "activity-action-session-ended"),
        "app_allowed" => t!(lang, "activity-action-app-allowed"),
        "app_refused" => t!(lang, "activity-action-app-refused"),
        "app_signed_in" => t!(lang, "activity-action-app-signed-in"),
        "app_signed_out" => t!(lang, "activity-action-app-signed-out"),
        "app_sign_in_ended_reuse" => t!(lang, "activity-action-app-sign-in-ended-reuse"),
        "login_password_accepted" => t!(lang, "activity-action-login-password-accepted"),
        "second_factor_failed" => t!(lang, "activity-action-second-factor-failed"),
        "second_factor_refused_locked" => t!(lang, "activity-action-second-factor-refused-locked"),
        "login_with_recovery_code" => t!(lang, "activity-action-login-with-recovery-code"),
        "second_factor_on" => t!(lang, "activity-action-second-factor-on"),
        "login_with_passkey" => t!(lang, "activity-action-login-with-passkey"),
        "passkey_added" => t!(lang, "activity-action-passkey-added"),
        "passkey_removed" => t!(lang, "activity-action-passkey-removed"),
        "second_factor_off" => t!(lang, "activity-action-second-factor-off"),
        "second_factor_reset_by_operator" => t!(lang, "activity-action-second-factor-reset-by-operator"),
        "recovery_codes_renewed" => t!(lang, "activity-action-recovery-codes-renewed"),
        "second_factor_required" => t!(lang, "activity-action-second-factor-required"),
        "second_factor_not_required" => t!(lang, "activity-action-second-factor-not-required"),
        "password_confirmed" => t!(lang, "activity-action-password-confirmed"),
        "current_password_wrong" => t!(lang, "activity-action-current-password-wrong"),
        "current_password_refused_locked" => t!(lang, "activity-action-current-password-refused-locked"),
        "password_changed" => t!(lang, "activity-action-password-changed"),
        "password_reset_requested" => t!(lang, "activity-action-password-reset-requested"),
        "password_reset" => t!(lang, "activity-action-password-reset"),
        "password_set_at_first_sign_in" => t!(lang, "activity-action-password-set-at-first-sign-in"),
        "password_renewed_after_expiry" => t!(lang, "activity-action-password-renewed-after-expiry"),
        "invitation_accepted" => t!(lang, "activity-action-invitation-accepted"),
        "privacy_accepted" => t!(lang, "activity-action-privacy-accepted"),
        "document_viewed" => t!(lang, "activity-action-document-viewed"),
        "document_downloaded" => t!(lang, "activity-action-document-downloaded"),
        "documents_exported" => t!(lang, "activity-action-documents-exported"),
        "document_added" => t!(lang, "activity-action-document-added"),
        "document_purged" => t!(lang, "activity-action-document-purged"),
        "notification_changed" => t!(lang, "activity-action-notification-changed"),
        "name_changed" => t!(lang, "activity-action-name-changed"),
        "email_change_requested" => t!(lang, "activity-action-email-change-requested"),
        "email_changed" => t!(lang, "activity-action-email-changed"),
        "forwarding_added" => t!(lang, "activity-action-forwarding-added"),
        "forwarding_add_refused" => t!(lang, "activity-action-forwarding-add-refused"),
        "forwarding_removed" => t!(lang, "activity-action-forwarding-removed"),
        "forwarding_confirmed" => t!(lang, "activity-action-forwarding-confirmed"),
        "forwarding_declined" => t!(lang, "activity-action-forwarding-declined"),
        "forwarding_unsubscribed" => t!(lang, "activity-action-forwarding-unsubscribed"),
        "user_created" => t!(lang, "activity-action-user-created"),
        "user_add_refused" => t!(lang, "activity-action-user-add-refused"),
        "user_invited_again" => t!(lang, "activity-action-user-invited-again"),
        "user_deactivated" => t!(lang, "activity-action-user-deactivated"),
        "user_activated" => t!(lang, "activity-action-user-activated"),
        "user_rights_changed" => t!(lang, "activity-action-user-rights-changed"),
        "user_removed" => t!(lang, "activity-action-user-removed"),
        "customer_created" => t!(lang, "activity-action-customer-created"),
        "activity_exported" => t!(lang, "activity-action-activity-exported"),
        "passwords_expire_on" => t!(lang, "activity-action-passwords-expire-on"),
        other => other.to_owned(),
    }
}

/// The page's filter, checked: a user of this customer, a period in the
/// operator's time zone (`until` exclusive).
pub struct Filter {
    pub user_id: Option<i64>,
    pub since: Option<UnixTime>,
    pub until: Option<UnixTime>,
}

impl Filter {
    pub fn parse(state: &AppState, query: &ActivityQuery) -> Result<Self, InputError> {
        let zone = &state.config.time_zone;
        let day = |raw: &str, field: &'static str| -> Result<Option<jiff::civil::Date>, InputError> {
            if raw.trim().is_empty() {
                return Ok(None);
            }
            parse_day(raw).map(Some).ok_or_else(|| InputError::new(Refusal::DateInvalid).at(field))
        };
        let since = day(&query.from, "von")?.map(|d| start_of_day(d, zone));
        let until = match day(&query.to, "bis")? {
            Some(d) => Some(start_of_day(d.tomorrow().map_err(|_| InputError::new(Refusal::DateInvalid).at("bis"))?, zone)),
            None => None,
        };
        // A user id that is not this customer's simply finds nothing.
        let user_id = query.user.trim().parse::<i64>().ok();
        Ok(Self { user_id, since, until })
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    at: UnixTime,
    action: String,
    detail: String,
    actor_kind: String,
    who: Option<String>,
    ip: Option<String>,
}

const FROM_WHERE: &str = "FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id \
     WHERE a.customer_id = $1 AND ($2 IS NULL OR a.actor_user_id = $2) AND ($3 IS NULL OR a.at >= $3) AND ($4 IS NULL OR a.at < $4)";

async fn rows(state: &AppState, customer_id: i64, filter: &Filter, limit: i64, offset: i64) -> Result<Vec<Row>, sqlx::Error> {
    db::query_as(&format!(
        "SELECT a.at, a.action, a.detail, a.actor_kind, COALESCE(u.username, a.actor_name) AS who, a.ip {FROM_WHERE} \
         ORDER BY a.at DESC, a.id DESC LIMIT $5 OFFSET $6"
    ))
    .bind(customer_id)
    .bind(filter.user_id)
    .bind(filter.since)
    .bind(filter.until)
    .bind(limit)
    .bind(offset)
    .fetch_all(&state.pool)
    .await
}

fn who(row: &Row, lang: Lang) -> String {
    match (row.actor_kind.as_str(), &row.who) {
        (_, Some(name)) => name.clone(),
        ("operator", None) => t!(lang, "activity-who-operator"),
        _ => t!(lang, "activity-who-system"),
    }
}

/// One page in `lang`: the actions, who did them and the details in the reader's words.
pub async fn page(state: &AppState, customer_id: i64, filter: &Filter, page: u32, lang: Lang) -> Result<ActivityList, sqlx::Error> {
    let total: i64 = db::query_scalar(&format!("SELECT COUNT(*) {FROM_WHERE}"))
        .bind(customer_id)
        .bind(filter.user_id)
        .bind(filter.since)
        .bind(filter.until)
        .fetch_one(&state.pool)
        .await?;
    let pages = (total.max(1) as u64).div_ceil(u64::from(PER_PAGE)) as u32;
    let page = page.clamp(1, pages);
    let found = rows(state, customer_id, filter, i64::from(PER_PAGE), i64::from((page - 1) * PER_PAGE)).await?;
    let users: Vec<(i64, String)> = db::query_as("SELECT id, username FROM users WHERE customer_id = $1 ORDER BY lower(username)")
        .bind(customer_id)
        .fetch_all(&state.pool)
        .await?;
    Ok(ActivityList {
        entries: found
            .iter()
            .map(|row| ActivityEntry {
                at: date_time_in(lang, row.at, &state.config.time_zone),
                who: who(row, lang),
                what: action_label(lang, &row.action),
                detail: AuditDetail::shown(&row.detail, lang, &state.config.time_zone),
            })
            .collect(),
        users: users.into_iter().map(|(id, username)| UserChoice { id, username }).collect(),
        total: total as u64,
        page,
        pages,
    })
}

/// The filtered log as CSV (semicolons, UTF-8 with BOM, so that Excel opens
/// it), newest first, at most [`EXPORT_MAX`] lines; headers, actions, who
/// and the details in `lang`.
pub async fn csv(state: &AppState, customer_id: i64, filter: &Filter, lang: Lang) -> Result<String, sqlx::Error> {
    let found = rows(state, customer_id, filter, EXPORT_MAX, 0).await?;
    let header = [
        t!(lang, "activity-column-time"),
        t!(lang, "activity-column-user"),
        t!(lang, "activity-column-action"),
        t!(lang, "activity-column-details"),
        t!(lang, "activity-column-address"),
    ]
    .map(|name| cell(&name))
    .join(";");
    let mut out = format!("\u{feff}{header}\r\n");
    for row in &found {
        let line = [
            cell(&date_time_in(lang, row.at, &state.config.time_zone)),
            cell(&who(row, lang)),
            cell(&action_label(lang, &row.action)),
            cell(&AuditDetail::shown(&row.detail, lang, &state.config.time_zone)),
            cell(row.ip.as_deref().unwrap_or_default()),
        ]
        .join(";");
        out.push_str(&line);
        out.push_str("\r\n");
    }
    Ok(out)
}

/// `GET /aktivitaet/export.csv?benutzer=&von=&bis=`: the page's filter as a
/// file. The export itself is in the log.
pub async fn export_csv(
    SignedIn(user): SignedIn,
    axum::extract::State(state): axum::extract::State<AppState>,
    uri: http::Uri,
    lang: Lang,
    crate::error::Valid(axum::extract::Query(params)): crate::error::Valid<axum::extract::Query<std::collections::HashMap<String, String>>>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let caller = Caller::of(uri.path());
    if let Err(error) = user.require(Permission::ManageUsers) {
        return error.respond(caller);
    }
    let query = ActivityQuery::from_params(|name| params.get(name).cloned());
    let filter = match Filter::parse(&state, &query) {
        Ok(filter) => filter,
        Err(error) => return AppError::from(error).respond(caller),
    };
    let body = match csv(&state, user.customer_id, &filter, lang).await {
        Ok(body) => body,
        Err(error) => return AppError::from(error).respond(caller),
    };
    let entry = AuditEntry {
        actor: Actor::User(user.user_id),
        customer_id: Some(user.customer_id),
        action: "activity_exported",
        detail: AuditDetail::None,
        ip: None,
    };
    if let Err(error) = audit::record_alone(&state.pool, entry, state.clock.now()).await {
        return AppError::from(error).respond(caller);
    }
    let number: String = user.customer_number.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let name = crate::t!(lang, "activity-export-file", number = number.as_str());
    (
        [
            (http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// `kundenportal audit --customer NR [--since DAY]`: one tab-separated line
/// per entry, oldest first. `None` for an unknown customer.
pub async fn operator_lines(state: &AppState, customer: &str, since: Option<UnixTime>) -> Result<Option<Vec<String>>, sqlx::Error> {
    let customer_id: Option<i64> =
        db::query_scalar("SELECT id FROM customers WHERE number = $1").bind(customer).fetch_optional(&state.pool).await?;
    let Some(customer_id) = customer_id else { return Ok(None) };
    let filter = Filter { user_id: None, since, until: None };
    let mut found = rows(state, customer_id, &filter, i64::MAX, 0).await?;
    found.reverse();
    Ok(Some(
        found
            .iter()
            .map(|row| {
                let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
                // The operator's CLI stays German.
                format!(
                    "{}\t{}\t{}\t{}\t{}",
                    german_date_time(row.at, &state.config.time_zone),
                    clean(&who(row, Lang::De)),
                    row.action,
                    clean(&AuditDetail::shown(&row.detail, Lang::De, &state.config.time_zone)),
                    row.ip.as_deref().unwrap_or("-")
                )
            })
            .collect(),
    ))
}
