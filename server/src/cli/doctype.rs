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
    /// Legt einen Dokumenttyp an, z. B. `doctype add abschlag "Abschlagsrechnung" --englisch "Instalment invoice"`.
    Add {
        key: String,
        name: String,
        /// Der Name auf englischen Seiten und in englischen E-Mails (ohne: der deutsche).
        #[arg(long)]
        englisch: Option<String>,
    },
    /// Setzt den englischen Namen eines Dokumenttyps (leer: wieder der deutsche).
    Englisch { key: String, name: String },
    /// Listet die Dokumenttypen (Schlüssel, Name, englischer Name).
    List {
        /// Als JSON (eine Liste von Objekten) statt als Tabelle, für Skripte.
        #[arg(long)]
        json: bool,
    },
}

pub(super) async fn run(config: Config, command: DoctypeCommand) -> ExitCode {
    match command {
        DoctypeCommand::Add { key, name, englisch } => match DocumentTypeKey::parse(&key).and_then(|key| {
            let english = englisch.as_deref().map(DocumentTypeName::parse).transpose()?;
            Ok((key, DocumentTypeName::parse(&name)?, english))
        }) {
            Ok((key, name, english)) => with_state(config, Store::Unused, async |state| match types::add(&state.pool, &key, &name, english.as_ref(), state.clock.now()).await {
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
        DoctypeCommand::Englisch { key, name } => {
            let parsed = DocumentTypeKey::parse(&key).and_then(|key| {
                let english = Some(name.trim()).filter(|name| !name.is_empty()).map(DocumentTypeName::parse).transpose()?;
                Ok((key, english))
            });
            match parsed {
                Ok((key, english)) => with_state(config, Store::Unused, async |state| match types::set_english_name(&state.pool, &key, english.as_ref()).await {
                    Ok(true) => {
                        println!("Englischer Name von {} gesetzt.", key.as_str());
                        ExitCode::SUCCESS
                    }
                    Ok(false) => fail(REFUSED, format!("Den Dokumenttyp »{}« gibt es nicht (kundenportal doctype list).", key.as_str())),
                    Err(error) => internal(error),
                })
                .await,
                Err(error) => fail(REFUSED, error),
            }
        }
        DoctypeCommand::List { json } => with_state(config, Store::Unused, async |state| match types::list_with_english(&state.pool).await {
            Ok(list) if json => print_json(
                list.into_iter().map(|(kind, english)| serde_json::json!({ "key": kind.key, "name": kind.name, "name_en": english })).collect(),
            ),
            Ok(list) => {
                for (kind, english) in list {
                    println!("{}\t{}\t{}", kind.key, kind.name, english.unwrap_or_default());
                }
                ExitCode::SUCCESS
            }
            Err(error) => internal(error),
        })
        .await,
    }
}
