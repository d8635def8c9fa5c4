//! The operator's commands that read customers, users and the audit log,
//! and turn users off and on.

use crate::cli_exit::{fail, internal, print_json, REFUSED};
use app::server::dates::{german_date, german_time, iso_instant, parse_day, start_of_day};
use app::server::db;
use app::server::state::AppState;
use app::users::ssr as users;
use std::process::ExitCode;

/// `kundenportal customer list [--json]`: number, name, users (active of all), since.
pub async fn list_customers(state: &AppState, json: bool) -> ExitCode {
    let rows: Result<Vec<(String, String, i64, i64, i64)>, sqlx::Error> = db::query_as(
        "SELECT c.number, c.name, \
                (SELECT COUNT(*) FROM users u WHERE u.customer_id = c.id AND u.active = TRUE), \
                (SELECT COUNT(*) FROM users u WHERE u.customer_id = c.id), c.created_at \
         FROM customers c ORDER BY c.number",
    )
    .fetch_all(&state.pool)
    .await;
    match rows {
        Ok(rows) if json => print_json(
            rows.into_iter()
                .map(|(number, name, active, all, created_at)| {
                    serde_json::json!({ "number": number, "name": name, "active_users": active, "users": all, "created_at": iso_instant(created_at) })
                })
                .collect(),
        ),
        Ok(rows) => {
            println!("Kundennummer\tName\tBenutzer (aktiv/alle)\tangelegt");
            for (number, name, active, all, created_at) in rows {
                println!("{number}\t{name}\t{active}/{all}\t{}", german_date(created_at, &state.config.time_zone));
            }
            ExitCode::SUCCESS
        }
        Err(error) => internal(error),
    }
}

/// `kundenportal user list --customer NR [--json]`.
pub async fn list_users(state: &AppState, customer: &str, json: bool) -> ExitCode {
    match users::list_for_operator(state, customer).await {
        Ok(Some(rows)) if json => print_json(
            rows.into_iter()
                .map(|row| {
                    serde_json::json!({
                        "username": row.username,
                        "email": row.email,
                        "role": row.role,
                        "status": row.status.label(),
                        "last_sign_in_at": row.last_sign_in_at.map(iso_instant),
                        "rights": row.rights,
                    })
                })
                .collect(),
        ),
        Ok(Some(rows)) => {
            println!("Benutzername\tE-Mail\tRolle\tStatus\tletzte Anmeldung\tRechte");
            let zone = &state.config.time_zone;
            for row in rows {
                let last = row.last_sign_in_at.map_or("noch nie".to_owned(), |at| format!("{} {}", german_date(at, zone), german_time(at, zone)));
                println!("{}\t{}\t{}\t{}\t{last}\t{}", row.username, row.email, row.role, row.status.label(), row.rights);
            }
            ExitCode::SUCCESS
        }
        Ok(None) => fail(REFUSED, format!("Den Kunden {customer} gibt es nicht.")),
        Err(error) => internal(error),
    }
}

/// `kundenportal user deactivate|activate USERNAME`: the same effect as the
/// Aktiv checkbox of the Benutzer page (sessions end at once on deactivation).
pub async fn set_active(state: &AppState, username: &str, active: bool) -> ExitCode {
    match users::set_active_by_operator(state, username, active).await {
        Ok(Some(changed)) => {
            let now = if active { "aktiv" } else { "deaktiviert; seine Anmeldungen sind beendet" };
            if changed {
                println!("Benutzer {username} ist jetzt {now}.");
            } else {
                println!("Benutzer {username} war bereits {}.", if active { "aktiv" } else { "deaktiviert" });
            }
            ExitCode::SUCCESS
        }
        Ok(None) => fail(REFUSED, format!("Den Benutzer {username} gibt es nicht.")),
        Err(error) => internal(error),
    }
}

/// `kundenportal audit --customer NR [--since DAY]`: the customer's audit
/// log, oldest first, tab-separated (time, who, action, detail, address).
pub async fn audit(state: &AppState, customer: &str, since: Option<&str>) -> ExitCode {
    let since = match since {
        None => None,
        Some(raw) => match parse_day(raw) {
            Some(day) => Some(start_of_day(day, &state.config.time_zone)),
            None => return fail(REFUSED, format!("»{raw}« ist kein Datum (z. B. 2026-12-01 oder 01.12.2026).")),
        },
    };
    match app::activity::ssr::operator_lines(state, customer, since).await {
        Ok(Some(lines)) => {
            for line in lines {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Ok(None) => fail(REFUSED, format!("Den Kunden {customer} gibt es nicht.")),
        Err(error) => internal(error),
    }
}
