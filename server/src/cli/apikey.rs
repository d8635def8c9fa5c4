//! `kundenportal apikey create|list|revoke`: the billing system's keys for
//! the ingest API (`POST /api/v1/documents`), shown once, stored as hashes.

use super::exit::{fail, internal, print_json, REFUSED};
use super::installation::{with_state, Store};
use app::documents::ssr::api_keys;
use app::server::config::Config;
use app::server::state::AppState;
use clap::Subcommand;
use std::process::ExitCode;
use app::domain::UnixTime;

#[derive(Subcommand)]
pub(super) enum ApikeyCommand {
    /// Erzeugt einen API-Schlüssel für POST /api/v1/documents; er wird nur dieses eine Mal angezeigt.
    Create {
        #[arg(long)]
        name: String,
    },
    /// Listet die API-Schlüssel (ohne die Schlüssel selbst).
    List {
        /// Als JSON (eine Liste von Objekten) statt als Tabelle, für Skripte.
        #[arg(long)]
        json: bool,
    },
    /// Sperrt einen API-Schlüssel.
    Revoke { name: String },
}

pub(super) async fn run(config: Config, command: ApikeyCommand) -> ExitCode {
    if let ApikeyCommand::Create { name } | ApikeyCommand::Revoke { name } = &command {
        if let Err(error) = api_keys::check_name(name) {
            return fail(REFUSED, error);
        }
    }
    with_state(config, Store::Unused, async |state| act(state, command).await).await
}

async fn act(state: &AppState, command: ApikeyCommand) -> ExitCode {
    let now = state.clock.now();
    let refused = |error: api_keys::ApiKeyError| match error {
        api_keys::ApiKeyError::Database(error) => internal(error),
        other => fail(REFUSED, other),
    };
    match command {
        ApikeyCommand::Create { name } => match api_keys::create(&state.pool, &name, now).await {
            Ok(key) => {
                println!("{key}");
                eprintln!("API-Schlüssel »{name}« erzeugt. Er wird nur jetzt angezeigt: bitte sicher ablegen.");
                ExitCode::SUCCESS
            }
            Err(error) => refused(error),
        },
        ApikeyCommand::List { json } => match api_keys::list(&state.pool).await {
            Ok(keys) if json => print_json(
                keys.into_iter()
                    .map(|key| {
                        serde_json::json!({
                            "name": key.name,
                            "created_at": app::server::dates::iso_instant(key.created_at),
                            "last_used_at": key.last_used_at.map(app::server::dates::iso_instant),
                            "revoked_at": key.revoked_at.map(app::server::dates::iso_instant),
                        })
                    })
                    .collect(),
            ),
            Ok(keys) => {
                let day = |at: UnixTime| app::server::dates::german_date(at, &state.config.time_zone);
                for key in keys {
                    let used = key.last_used_at.map_or("nie benutzt".into(), |at| format!("zuletzt {}", day(at)));
                    let state = key.revoked_at.map_or("aktiv".into(), |at| format!("gesperrt seit {}", day(at)));
                    println!("{}\tangelegt {}\t{used}\t{state}", key.name, day(key.created_at));
                }
                ExitCode::SUCCESS
            }
            Err(error) => internal(error),
        },
        ApikeyCommand::Revoke { name } => match api_keys::revoke(&state.pool, &name, now).await {
            Ok(()) => {
                println!("API-Schlüssel »{name}« gesperrt.");
                ExitCode::SUCCESS
            }
            Err(error) => refused(error),
        },
    }
}
