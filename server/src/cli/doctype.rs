//! `kundenportal doctype add|list`.

use super::document::said;
use super::exit::{fail, internal, print_json, REFUSED};
use super::installation::{with_state, Store};
use app::documents::ssr::types;
use app::domain::{DocumentTypeKey, DocumentTypeName};
use app::server::config::Config;
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(super) enum DoctypeCommand {
    /// Legt einen Dokumenttyp an, z. B. `doctype add abschlag "Abschlagsrechnung"`.
    Add { key: String, name: String },
    /// Listet die Dokumenttypen (Schlüssel und Name).
    List {
        /// Als JSON (eine Liste von Objekten) statt als Tabelle, für Skripte.
        #[arg(long)]
        json: bool,
    },
}

pub(super) async fn run(config: Config, command: DoctypeCommand) -> ExitCode {
    match command {
        DoctypeCommand::Add { key, name } => match DocumentTypeKey::parse(&key).and_then(|key| Ok((key, DocumentTypeName::parse(&name)?))) {
            Ok((key, name)) => with_state(config, Store::Unused, async |state| match types::add(&state.pool, &key, &name, state.clock.now()).await {
                Ok(()) => {
                    println!("Dokumenttyp {} ({}) angelegt.", name.as_str(), key.as_str());
                    ExitCode::SUCCESS
                }
                Err(error) if said(&error) => fail(REFUSED, error),
                Err(error) => internal(error),
            })
            .await,
            Err(error) => fail(REFUSED, error),
        },
        DoctypeCommand::List { json } => with_state(config, Store::Unused, async |state| match types::list(&state.pool).await {
            Ok(list) if json => print_json(list.into_iter().map(|kind| serde_json::json!({ "key": kind.key, "name": kind.name })).collect()),
            Ok(list) => {
                for kind in list {
                    println!("{}\t{}", kind.key, kind.name);
                }
                ExitCode::SUCCESS
            }
            Err(error) => internal(error),
        })
        .await,
    }
}
