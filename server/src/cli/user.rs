//! `kundenportal user add|list|deactivate|activate|reset-2fa`.

use super::exit::{fail, internal, print_json, REFUSED};
use super::installation::{deliver_outbox, with_state, InitialPassword, Store};
use app::users::ssr::accounts::{self, NewUser, UserError};
use app::server::audit::Actor;
use app::server::config::Config;
use app::server::dates::{german_date, german_time, iso_instant};
use app::server::state::AppState;
use app::users::ssr as users;
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(super) enum UserCommand {
    /// Legt einen weiteren Benutzer (Unterbenutzer) eines Kunden an.
    Add {
        /// Kundennummer.
        #[arg(long)]
        customer: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        #[command(flatten)]
        password: InitialPassword,
        /// Recht „Weiterleitungen verwalten“.
        #[arg(long)]
        manage_forwardings: bool,
        /// Recht „Benutzer verwalten“.
        #[arg(long)]
        manage_users: bool,
    },
    /// Listet die Benutzer eines Kunden mit Status, letzter Anmeldung und Rechten.
    List {
        /// Kundennummer.
        #[arg(long)]
        customer: String,
        /// Als JSON (eine Liste von Objekten) statt als Tabelle, für Skripte.
        #[arg(long)]
        json: bool,
    },
    /// Deaktiviert einen Benutzer; seine Anmeldungen enden sofort.
    Deactivate { username: String },
    /// Aktiviert einen deaktivierten Benutzer wieder.
    Activate { username: String },
    /// Setzt die Zwei-Faktor-Anmeldung eines Benutzers zurück (Authenticator-App
    /// und Wiederherstellungscodes verloren). Protokolliert; der Benutzer
    /// erhält eine E-Mail und richtet sie neu ein.
    #[command(name = "reset-2fa")]
    Reset2fa { username: String },
}

pub(super) async fn run(config: Config, command: UserCommand) -> ExitCode {
    match command {
        UserCommand::Add { customer, username, email, password, manage_forwardings, manage_users } => {
            let parsed = password
                .read()
                .and_then(|password| NewUser::parse(&customer, &username, &email, password.as_deref(), &config.password_policy).map_err(|error| error.to_string()));
            match parsed {
                Ok(new) => {
                    let new = NewUser { can_manage_forwardings: manage_forwardings, can_manage_users: manage_users, ..new };
                    with_state(config, Store::Unused, async |state| add(state, new).await).await
                }
                Err(error) => fail(REFUSED, error),
            }
        }
        UserCommand::List { customer, json } => with_state(config, Store::Unused, async |state| list(state, &customer, json).await).await,
        UserCommand::Deactivate { username } => with_state(config, Store::Unused, async |state| set_active(state, &username, false).await).await,
        UserCommand::Activate { username } => with_state(config, Store::Unused, async |state| set_active(state, &username, true).await).await,
        UserCommand::Reset2fa { username } => with_state(config, Store::Unused, async |state| reset_second_factor(state, &username).await).await,
    }
}

async fn add(state: &AppState, new: NewUser) -> ExitCode {
    let username = new.username.as_str().to_owned();
    match accounts::add_user(state, new, Actor::Operator, None).await {
        Ok(_) => {
            println!("Benutzer {username} angelegt; die E-Mail für den ersten Zugang liegt im Postausgang.");
            deliver_outbox(state).await
        }
        Err(
            error @ (UserError::UnknownCustomer(_) | UserError::DuplicateUsername(_) | UserError::TooManyUsers | UserError::WeakPassword(_)),
        ) => fail(REFUSED, error),
        Err(error) => internal(error),
    }
}

async fn list(state: &AppState, customer: &str, json: bool) -> ExitCode {
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
                        "second_factor": row.second_factor,
                    })
                })
                .collect(),
        ),
        Ok(Some(rows)) => {
            println!("Benutzername\tE-Mail\tRolle\tStatus\tletzte Anmeldung\tRechte\tZwei-Faktor");
            let zone = &state.config.time_zone;
            for row in rows {
                let last = row.last_sign_in_at.map_or("noch nie".to_owned(), |at| format!("{} {}", german_date(at, zone), german_time(at, zone)));
                let second_factor = if row.second_factor { "an" } else { "aus" };
                println!("{}\t{}\t{}\t{}\t{last}\t{}\t{second_factor}", row.username, row.email, row.role, row.status.label(), row.rights);
            }
            ExitCode::SUCCESS
        }
        Ok(None) => fail(REFUSED, format!("Den Kunden {customer} gibt es nicht.")),
        Err(error) => internal(error),
    }
}

/// The same effect as the Aktiv checkbox of the Benutzer page (sessions end
/// at once on deactivation).
async fn set_active(state: &AppState, username: &str, active: bool) -> ExitCode {
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

/// `user reset-2fa`: the user's second factor goes; the mail that tells
/// them leaves with the outbox.
async fn reset_second_factor(state: &AppState, username: &str) -> ExitCode {
    match app::auth::ssr::second_factor_setup::reset_by_operator(state, username).await {
        Ok(Some(true)) => {
            println!("Die Zwei-Faktor-Anmeldung von {username} ist zurückgesetzt; der Benutzer wurde per E-Mail informiert.");
            deliver_outbox(state).await
        }
        Ok(Some(false)) => {
            println!("{username} hatte keine Zwei-Faktor-Anmeldung eingerichtet; nichts geändert.");
            ExitCode::SUCCESS
        }
        Ok(None) => fail(REFUSED, format!("Den Benutzer {username} gibt es nicht.")),
        Err(error) => internal(error),
    }
}
