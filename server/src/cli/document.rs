//! `kundenportal document add|import`: one PDF, or many from a manifest.
//! Metadata is parsed and every file read before the database is opened.

use super::exit::{fail, internal, REFUSED};
use super::installation::{with_state, Store};
use super::progress::Progress;
use app::documents::ssr::ingest::{ingest, Ingested, Ingester, NewDocument};
use app::documents::ssr::DocumentError;
use app::server::config::Config;
use app::server::state::AppState;
use bytes::Bytes;
use clap::Subcommand;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand)]
pub(super) enum DocumentCommand {
    /// Stellt ein PDF (auch ZUGFeRD / Factur-X) oder eine XRechnung (XML) für einen Kunden bereit
    /// und gibt die Nummer des neuen Dokuments aus.
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

pub(super) async fn run(config: Config, command: DocumentCommand) -> ExitCode {
    match command {
        DocumentCommand::Add { customer, number, type_key, created, provided, file } => {
            match prepare_add(&customer, &number, &type_key, &created, provided.as_deref(), &file) {
                Ok(prepared) => with_state(config, Store::Needed, async |state| add(state, prepared).await).await,
                Err(error) => fail(REFUSED, error),
            }
        }
        DocumentCommand::Import { manifest } => match prepare_import(&manifest) {
            Ok(lines) => with_state(config, Store::Needed, async |state| import(state, lines).await).await,
            Err(error) => fail(REFUSED, error),
        },
    }
}

/// One document to ingest, parsed and read.
struct Prepared {
    new: NewDocument,
    bytes: Bytes,
}

fn read_pdf(path: &Path) -> Result<Bytes, String> {
    std::fs::read(path).map(Bytes::from).map_err(|error| format!("{} kann nicht gelesen werden ({})", path.display(), error.kind()))
}

/// `document add`: metadata and file, checked before anything is opened.
fn prepare_add(
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
fn prepare_import(manifest: &Path) -> Result<Vec<(usize, Result<Prepared, String>)>, String> {
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

/// Whether an ingest error is the input's (said to the operator) rather than the installation's.
pub(super) fn said(error: &DocumentError) -> bool {
    !matches!(error, DocumentError::Storage(_) | DocumentError::Database(_) | DocumentError::Mail(_) | DocumentError::NotFound)
}

async fn add(state: &AppState, prepared: Prepared) -> ExitCode {
    match ingest(state, &Ingester::Operator, prepared.new, prepared.bytes).await {
        Ok(report) => {
            println!("{}", report.id());
            if matches!(report.outcome, Ingested::AlreadyThere(_)) {
                eprintln!("Das Dokument war schon vorhanden (gleicher Inhalt).");
            }
            if let Some(einvoice) = &report.einvoice {
                eprintln!("E-Rechnung {} erkannt.", einvoice.profile_label());
            }
            for warning in report.warnings() {
                eprintln!("Warnung: {warning}");
            }
            ExitCode::SUCCESS
        }
        Err(error) if said(&error) => fail(REFUSED, error),
        Err(error) => internal(error),
    }
}

async fn import(state: &AppState, lines: Vec<(usize, Result<Prepared, String>)>) -> ExitCode {
    let (mut created, mut present, mut refused) = (0, 0, 0);
    let mut progress = Progress::new("Zeilen", Some(lines.len() as u64));
    for (line, prepared) in lines {
        let outcome = match prepared {
            Ok(prepared) => ingest(state, &Ingester::Operator, prepared.new, prepared.bytes).await.map(|report| {
                for warning in report.warnings() {
                    progress.say(&format!("Zeile {line}: Warnung: {warning}"));
                }
                report.outcome
            }).map_err(|error| {
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
        ExitCode::from(REFUSED)
    }
}

