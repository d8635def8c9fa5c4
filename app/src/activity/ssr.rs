//! Queries behind the Aktivitätsprotokoll, its CSV export and the
//! operator's `kundenportal audit`.

use super::{ActivityEntry, ActivityList, ActivityQuery, UserChoice, PER_PAGE};
use crate::auth::ssr::{Permission, SignedIn};
use crate::domain::{InputError, Refusal};
use crate::error::{AppError, Caller};
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::csv::cell;
use crate::server::dates::{german_date_time, parse_day, start_of_day};
use crate::server::db;
use crate::server::state::AppState;
use crate::domain::UnixTime;

/// The most lines one CSV export holds.
pub const EXPORT_MAX: i64 = 50_000;

/// What the action keys of the audit log mean, in the page's words.
pub fn action_label(action: &str) -> &str {
    match action {
        "login" => "Anmeldung",
        "login_failed" => "Fehlgeschlagene Anmeldung",
        "login_locked" => "Anmeldung gesperrt (zu viele Fehlversuche)",
        "login_refused_locked" => "Anmeldung während der Sperre abgewiesen",
        "logout" => "Abmeldung",
        "signed_out_elsewhere" => "Auf allen anderen Geräten abgemeldet",
        "session_ended" => "Anmeldung beendet",
        "app_allowed" => "App-Zugriff erlaubt",
        "app_refused" => "App-Zugriff abgelehnt",
        "app_signed_in" => "Anmeldung in der App",
        "app_signed_out" => "Abmeldung in der App",
        "app_sign_in_ended_reuse" => "App-Anmeldung beendet (Token erneut vorgelegt)",
        "login_password_accepted" => "Passwort bei der Anmeldung richtig, Code angefordert",
        "second_factor_failed" => "Falscher Code bei der Anmeldung",
        "second_factor_refused_locked" => "Code während der Sperre abgewiesen",
        "login_with_recovery_code" => "Anmeldung mit Wiederherstellungscode",
        "second_factor_on" => "Zwei-Faktor-Anmeldung eingeschaltet",
        "login_with_passkey" => "Anmeldung mit Passkey",
        "passkey_added" => "Passkey hinzugefügt",
        "passkey_removed" => "Passkey entfernt",
        "second_factor_off" => "Zwei-Faktor-Anmeldung ausgeschaltet",
        "second_factor_reset_by_operator" => "Zwei-Faktor-Anmeldung vom Betreiber zurückgesetzt",
        "recovery_codes_renewed" => "Neue Wiederherstellungscodes erzeugt",
        "second_factor_required" => "Zwei-Faktor-Anmeldung für alle Benutzer verlangt",
        "second_factor_not_required" => "Zwei-Faktor-Anmeldung nicht mehr verlangt",
        "password_confirmed" => "Passwort bestätigt",
        "current_password_wrong" => "Falsches Passwort bei einer Änderung",
        "current_password_refused_locked" => "Passwort bei einer Änderung während der Sperre abgewiesen",
        "password_changed" => "Passwort geändert",
        "password_reset_requested" => "Passwort-Link angefordert",
        "password_reset" => "Passwort über Link neu gesetzt",
        "password_set_at_first_sign_in" => "Eigenes Passwort festgelegt",
        "password_renewed_after_expiry" => "Abgelaufenes Passwort erneuert",
        "invitation_accepted" => "Einladung angenommen",
        "privacy_accepted" => "Datenschutzhinweise akzeptiert",
        "document_viewed" => "Dokument angesehen",
        "document_downloaded" => "Dokument heruntergeladen",
        "documents_exported" => "Dokumente exportiert (ZIP)",
        "document_added" => "Dokument bereitgestellt",
        "document_purged" => "Dokument gelöscht (Aufbewahrung abgelaufen)",
        "notification_changed" => "Benachrichtigung geändert",
        "name_changed" => "Name geändert",
        "email_change_requested" => "Änderung der E-Mail-Adresse angefordert",
        "email_changed" => "E-Mail-Adresse geändert",
        "forwarding_added" => "Weiterleitung hinzugefügt",
        "forwarding_add_refused" => "Weiterleitung hinzufügen abgelehnt",
        "forwarding_removed" => "Weiterleitung entfernt",
        "forwarding_confirmed" => "Weiterleitung vom Empfänger bestätigt",
        "forwarding_declined" => "Weiterleitung vom Empfänger abgelehnt",
        "forwarding_unsubscribed" => "Weiterleitung vom Empfänger beendet",
        "user_created" => "Benutzer angelegt",
        "user_add_refused" => "Benutzer hinzufügen abgelehnt",
        "user_invited_again" => "Einladung erneut gesendet",
        "user_deactivated" => "Benutzer deaktiviert",
        "user_activated" => "Benutzer aktiviert",
        "user_rights_changed" => "Rechte geändert",
        "user_removed" => "Benutzer entfernt",
        "customer_created" => "Kundenzugang eingerichtet",
        "activity_exported" => "Aktivitätsprotokoll exportiert",
        "passwords_expire_on" => "Passwortablauf festgelegt",
        other => other,
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

fn who(row: &Row) -> String {
    match (row.actor_kind.as_str(), &row.who) {
        (_, Some(name)) => name.clone(),
        ("operator", None) => "Betreiber".to_owned(),
        _ => "System".to_owned(),
    }
}

pub async fn page(state: &AppState, customer_id: i64, filter: &Filter, page: u32) -> Result<ActivityList, sqlx::Error> {
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
            .map(|row| ActivityEntry { at: german_date_time(row.at, &state.config.time_zone), who: who(row), what: action_label(&row.action).to_owned(), detail: row.detail.clone() })
            .collect(),
        users: users.into_iter().map(|(id, username)| UserChoice { id, username }).collect(),
        total: total as u64,
        page,
        pages,
    })
}

/// The filtered log as CSV (semicolons, UTF-8 with BOM, so that Excel opens
/// it), newest first, at most [`EXPORT_MAX`] lines.
pub async fn csv(state: &AppState, customer_id: i64, filter: &Filter) -> Result<String, sqlx::Error> {
    let found = rows(state, customer_id, filter, EXPORT_MAX, 0).await?;
    let mut out = String::from("\u{feff}Zeit;Benutzer;Aktion;Details;Adresse\r\n");
    for row in &found {
        let line = [
            cell(&german_date_time(row.at, &state.config.time_zone)),
            cell(&who(row)),
            cell(action_label(&row.action)),
            cell(&row.detail),
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
    let body = match csv(&state, user.customer_id, &filter).await {
        Ok(body) => body,
        Err(error) => return AppError::from(error).respond(caller),
    };
    let entry = AuditEntry {
        actor: Actor::User(user.user_id),
        customer_id: Some(user.customer_id),
        action: "activity_exported",
        detail: String::new(),
        ip: None,
    };
    if let Err(error) = audit::record_alone(&state.pool, entry, state.clock.now()).await {
        return AppError::from(error).respond(caller);
    }
    let name = format!("aktivitaet-{}.csv", user.customer_number.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>());
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
                format!(
                    "{}\t{}\t{}\t{}\t{}",
                    german_date_time(row.at, &state.config.time_zone),
                    clean(&who(row)),
                    row.action,
                    clean(&row.detail),
                    row.ip.as_deref().unwrap_or("-")
                )
            })
            .collect(),
    ))
}
