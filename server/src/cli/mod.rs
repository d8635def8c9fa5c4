//! The operator's command line, in the shape of crates.io's admin tool: one
//! module per command group, each with its own subcommands and its own
//! `run`, which parses and reads its input before it opens the installation
//! (refused input touches nothing), and this thin dispatcher. Every command
//! prints one line on bad input and exits non-zero without writing anything
//! ([`exit`]).

mod apikey;
mod audit;
mod customer;
mod db;
mod demo;
mod doctype;
mod document;
mod exit;
mod installation;
mod mail;
mod password;
mod privacy;
mod progress;
mod serve;
mod storage;
mod user;

use app::server::config::Config;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "kundenportal", version, about = "Kundenportal – Kundenselbstbedienung")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Startet das Portal (Standard, wenn kein Befehl angegeben ist).
    Serve,
    /// Kunden verwalten.
    Customer {
        #[command(subcommand)]
        command: customer::CustomerCommand,
    },
    /// Benutzer eines Kunden anlegen, auflisten, deaktivieren und aktivieren.
    User {
        #[command(subcommand)]
        command: user::UserCommand,
    },
    /// Legt den Demo-Kunden an (wenn es ihn noch nicht gibt) und zeigt seine Anmeldedaten.
    Demo,
    /// Postausgang ansehen.
    Mail {
        #[command(subcommand)]
        command: mail::MailCommand,
    },
    /// Passwörter ablaufen lassen.
    Password {
        #[command(subcommand)]
        command: password::PasswordCommand,
    },
    /// Datenschutzhinweise veröffentlichen.
    Privacy {
        #[command(subcommand)]
        command: privacy::PrivacyCommand,
    },
    /// Dokumenttypen verwalten.
    Doctype {
        #[command(subcommand)]
        command: doctype::DoctypeCommand,
    },
    /// Dokumente bereitstellen.
    Document {
        #[command(subcommand)]
        command: document::DocumentCommand,
    },
    /// API-Schlüssel für die Dokument-Schnittstelle verwalten.
    Apikey {
        #[command(subcommand)]
        command: apikey::ApikeyCommand,
    },
    /// Das Aktivitätsprotokoll eines Kunden ausgeben (älteste Einträge zuerst, tabulatorgetrennt).
    Audit(audit::AuditArgs),
    /// Die Datenbank umziehen.
    Db {
        #[command(subcommand)]
        command: db::DbCommand,
    },
    /// Den Dokumentspeicher umziehen.
    Storage {
        #[command(subcommand)]
        command: storage::StorageCommand,
    },
}

pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    init_tracing(matches!(command, Command::Serve));
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(exit::BAD_CONFIG);
        }
    };
    match command {
        Command::Serve => serve::run(config).await,
        Command::Customer { command } => customer::run(config, command).await,
        Command::User { command } => user::run(config, command).await,
        Command::Demo => demo::run(config).await,
        Command::Mail { command } => mail::run(config, command).await,
        Command::Password { command } => password::run(config, command).await,
        Command::Privacy { command } => privacy::run(config, command).await,
        Command::Doctype { command } => doctype::run(config, command).await,
        Command::Document { command } => document::run(config, command).await,
        Command::Apikey { command } => apikey::run(config, command).await,
        Command::Audit(args) => audit::run(config, args).await,
        Command::Db { command } => db::run(config, command).await,
        Command::Storage { command } => storage::run(config, command).await,
    }
}

fn init_tracing(serving: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if serving { "info,sqlx=warn" } else { "warn" };
    let filter = EnvFilter::try_from_env("KP_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
