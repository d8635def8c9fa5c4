//! The operator's document commands: types, ingest (one file or a
//! manifest) and the API keys of the billing system. Input is parsed and
//! files are read before the database is opened.

use app::documents::ssr::ingest::{ingest, Ingested, Ingester, NewDocument};
use app::documents::ssr::{api_keys, types, DocumentError};
use app::domain::{DocumentTypeKey, DocumentTypeName};
use app::server::state::AppState;
use bytes::Bytes;
use clap::Subcommand;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum DoctypeCommand {
    /// Legt einen Dokumenttyp an, z. B. `doctype add abschlag "Abschlagsrechnung"`.
    Add { key: String, name: String },
    /// Listet die Dokumenttypen (Schlüssel und Name).
    List {
        /// Als JSON (eine Liste von Objekten) statt als Tabelle, für Skripte.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum DocumentCommand {
    /// Stellt ein PDF für einen Kunden bereit und gibt die Nummer des neuen Dokuments aus.
    Add {
        #[arg(long)]
        customer: String,
        #[arg(long)]
        number: String,
        /// Schlüssel des Dokumenttyps (siehe `doctype list`).
        #[arg(long = "type")]
        type_key: String,
        /// Datum des Dokuments, JJJJ-MM-TT.
        #[arg(long)]
        created: String,
        /// Datum der Bereitstellung, JJJJ-MM-TT (ohne: jetzt).
        #[arg(long)]
        provided: Option<String>,
        file: PathBuf,
    },
    /// Stellt viele PDFs bereit: eine CSV-Datei mit customer;number;type;created;file
    /// (Pfade relativ zur CSV-Datei); abgelehnte Zeilen werden mit Grund gemeldet.
    Import { manifest: PathBuf },
}

#[derive(Subcommand)]
pub enum ApikeyCommand {
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

/// One document to ingest, parsed and read.
pub struct Prepared {
    new: NewDocument,
    bytes: Bytes,
}

fn read_pdf(path: &Path) -> Result<Bytes, String> {
    std::fs::read(path).map(Bytes::from).map_err(|error| format!("{} kann nicht gelesen werden ({})", path.display(), error.kind()))
}

/// `document add`: metadata and file, checked before anything is opened.
pub fn prepare_add(
    customer: &str,
    number: &str,
    type_key: &str,
    created: &str,
    provided: Option<&str>,
    file: &Path,
) -> Result<Prepared, String> {
    let new = NewDocument::parse(customer, number, type_key, created, provided).map_err(|error| error.to_string())?;
    Ok(Prepared { new, bytes: read_pdf(file)? })
}

/// A manifest's lines: each parsed and its file read, or why not.
pub fn prepare_import(manifest: &Path) -> Result<Vec<(usize, Result<Prepared, String>)>, String> {
    let text = std::fs::read_to_string(manifest)
        .map_err(|error| format!("{} kann nicht gelesen werden ({})", manifest.display(), error.kind()))?;
    let base = manifest.parent().unwrap_or(Path::new("."));
    let mut lines = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() || (index == 0 && line.to_ascii_lowercase().starts_with("customer;")) {
            continue;
        }
        let fields: Vec<&str> = line.split(';').map(str::trim).collect();
        let prepared = match fields.as_slice() {
            [customer, number, type_key, created, file] => prepare_add(customer, number, type_key, created, None, &base.join(file)),
            _ => Err(format!("{} statt 5 Spalten (customer;number;type;created;file)", fields.len())),
        };
        lines.push((index + 1, prepared));
    }
    Ok(lines)
}

fn said(error: &DocumentError) -> bool {
    !matches!(error, DocumentError::Storage(_) | DocumentError::Database(_) | DocumentError::Mail(_) | DocumentError::NotFound)
}

pub async fn add(state: &AppState, prepared: Prepared) -> ExitCode {
    match ingest(state, &Ingester::Operator, prepared.new, prepared.bytes).await {
        Ok(Ingested::Created(id)) => {
            println!("{id}");
            ExitCode::SUCCESS
        }
        Ok(Ingested::AlreadyThere(id)) => {
            println!("{id}");
            eprintln!("Das Dokument war schon vorhanden (gleicher Inhalt).");
            ExitCode::SUCCESS
        }
        Err(error) if said(&error) => crate::cli_exit::fail(crate::cli_exit::REFUSED, error),
        Err(error) => crate::cli_exit::internal(error),
    }
}

pub async fn import(state: &AppState, lines: Vec<(usize, Result<Prepared, String>)>) -> ExitCode {
    let (mut created, mut present, mut refused) = (0, 0, 0);
    let mut progress = crate::cli_progress::Progress::new("Zeilen", Some(lines.len() as u64));
    for (line, prepared) in lines {
        let outcome = match prepared {
            Ok(prepared) => ingest(state, &Ingester::Operator, prepared.new, prepared.bytes).await.map_err(|error| {
                if !said(&error) {
                    tracing::error!(line, error = ?error, "import line failed");
                }
                error.to_string()
            }),
            Err(why) => Err(why),
        };
        match outcome {
            Ok(Ingested::Created(_)) => created += 1,
            Ok(Ingested::AlreadyThere(_)) => present += 1,
            Err(why) => {
                refused += 1;
                progress.say(&format!("Zeile {line}: {why}"));
            }
        }
        progress.step(None);
    }
    progress.finish();
    println!("{created} importiert, {present} schon vorhanden, {refused} abgelehnt.");
    if refused == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(crate::cli_exit::REFUSED)
    }
}

pub async fn doctype(state: &AppState, command: DoctypeCommand) -> ExitCode {
    match command {
        DoctypeCommand::Add { key, name } => {
            let parsed = DocumentTypeKey::parse(&key).and_then(|key| Ok((key, DocumentTypeName::parse(&name)?)));
            let (key, name) = match parsed {
                Ok(parsed) => parsed,
                Err(error) => return crate::cli_exit::fail(crate::cli_exit::REFUSED, error),
            };
            match types::add(&state.pool, &key, &name, state.clock.now()).await {
                Ok(()) => {
                    println!("Dokumenttyp {} ({}) angelegt.", name.as_str(), key.as_str());
                    ExitCode::SUCCESS
                }
                Err(error) if said(&error) => crate::cli_exit::fail(crate::cli_exit::REFUSED, error),
                Err(error) => crate::cli_exit::internal(error),
            }
        }
        DoctypeCommand::List { json } => match types::list(&state.pool).await {
            Ok(list) if json => crate::cli_exit::print_json(
                list.into_iter().map(|kind| serde_json::json!({ "key": kind.key, "name": kind.name })).collect(),
            ),
            Ok(list) => {
                for kind in list {
                    println!("{}\t{}", kind.key, kind.name);
                }
                ExitCode::SUCCESS
            }
            Err(error) => crate::cli_exit::internal(error),
        },
    }
}

pub async fn apikey(state: &AppState, command: ApikeyCommand) -> ExitCode {
    let now = state.clock.now();
    let refused = |error: api_keys::ApiKeyError| match error {
        api_keys::ApiKeyError::Database(error) => crate::cli_exit::internal(error),
        other => crate::cli_exit::fail(crate::cli_exit::REFUSED, other),
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
            Ok(keys) if json => crate::cli_exit::print_json(
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
                let day = |at: i64| app::server::dates::german_date(at, &state.config.time_zone);
                for key in keys {
                    let used = key.last_used_at.map_or("nie benutzt".into(), |at| format!("zuletzt {}", day(at)));
                    let state = key.revoked_at.map_or("aktiv".into(), |at| format!("gesperrt seit {}", day(at)));
                    println!("{}\tangelegt {}\t{used}\t{state}", key.name, day(key.created_at));
                }
                ExitCode::SUCCESS
            }
            Err(error) => crate::cli_exit::internal(error),
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
