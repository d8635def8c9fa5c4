//! `kundenportal customer add|list`.

use super::exit::{fail, internal, print_json, REFUSED};
use super::installation::{deliver_outbox, with_state, InitialPassword, Store};
use app::customers::{self, CustomerError, NewCustomer};
use app::server::audit::Actor;
use app::users::ssr::accounts::FirstAccess;
use app::server::config::Config;
use app::server::dates::{german_date, iso_instant};
use app::server::db;
use app::server::state::AppState;
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(super) enum CustomerCommand {
    /// Legt einen Kunden mit seinem Hauptbenutzer an.
    Add {
        #[arg(long)]
        number: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        #[command(flatten)]
        password: InitialPassword,
    },
    /// Listet die Kunden mit der Zahl ihrer Benutzer.
    List {
        /// Als JSON (eine Liste von Objekten) statt als Tabelle, für Skripte.
        #[arg(long)]
        json: bool,
    },
}

pub(super) async fn run(config: Config, command: CustomerCommand) -> ExitCode {
    match command {
        CustomerCommand::Add { number, name, username, email, password } => {
            let parsed = password
                .read()
                .and_then(|password| NewCustomer::parse(&number, &name, &username, &email, password.as_deref(), &config.password_policy).map_err(|error| error.to_string()));
            match parsed {
                Ok(new) => with_state(config, Store::Unused, async |state| add(state, new).await).await,
                Err(error) => fail(REFUSED, error),
            }
        }
        CustomerCommand::List { json } => with_state(config, Store::Unused, async |state| list(state, json).await).await,
    }
}

async fn add(state: &AppState, new: NewCustomer) -> ExitCode {
    let number = new.number.as_str().to_owned();
    let invited = matches!(new.access, FirstAccess::Invitation);
    match customers::add_customer(state, new, Actor::Operator).await {
        Ok(_) if invited => {
            println!("Kunde {number} angelegt; die Einladung liegt im Postausgang.");
            deliver_outbox(state).await
        }
        Ok(_) => {
            println!("Kunde {number} angelegt; das Anfangspasswort muss bei der ersten Anmeldung geändert werden.");
            deliver_outbox(state).await
        }
        Err(error @ (CustomerError::DuplicateNumber(_) | CustomerError::DuplicateUsername(_))) => fail(REFUSED, error),
        Err(error) => internal(error),
    }
}

/// Number, name, users (active of all), since.
async fn list(state: &AppState, json: bool) -> ExitCode {
    let rows: Result<Vec<(String, String, i64, i64, app::domain::UnixTime)>, sqlx::Error> = db::query_as(
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
