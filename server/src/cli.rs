//! The operator's command line. Every command prints one line on bad input
//! and exits non-zero without writing anything.

use crate::cli_documents::{self as documents, ApikeyCommand, DoctypeCommand, DocumentCommand};
use crate::cli_exit::{fail, internal, BAD_CONFIG, FAILED, REFUSED};
use crate::cli_move::{self, DbCommand, StorageCommand};
use app::auth::ssr::expiry;
use app::customers::{self, CustomerError, NewCustomer, DEMO_USERNAME};
use app::server::audit::Actor;
use app::server::clock::Clock;
use app::server::config::{redact_url, Config};
use app::server::db;
use app::server::mail::outbox_summary;
use app::server::state::AppState;
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
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
        command: CustomerCommand,
    },
    /// Benutzer eines Kunden anlegen, auflisten, deaktivieren und aktivieren.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Legt den Demo-Kunden an (wenn es ihn noch nicht gibt) und zeigt seine Anmeldedaten.
    Demo,
    /// Postausgang ansehen.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Passwörter ablaufen lassen.
    Password {
        #[command(subcommand)]
        command: PasswordCommand,
    },
    /// Datenschutzhinweise veröffentlichen.
    Privacy {
        #[command(subcommand)]
        command: PrivacyCommand,
    },
    /// Dokumenttypen verwalten.
    Doctype {
        #[command(subcommand)]
        command: DoctypeCommand,
    },
    /// Dokumente bereitstellen.
    Document {
        #[command(subcommand)]
        command: DocumentCommand,
    },
    /// API-Schlüssel für die Dokument-Schnittstelle verwalten.
    Apikey {
        #[command(subcommand)]
        command: ApikeyCommand,
    },
    /// Das Aktivitätsprotokoll eines Kunden ausgeben (älteste Einträge zuerst, tabulatorgetrennt).
    Audit {
        /// Kundennummer.
        #[arg(long)]
        customer: String,
        /// Nur Einträge ab diesem Tag, z. B. 2026-12-01 oder 01.12.2026.
        #[arg(long)]
        since: Option<String>,
    },
    /// Die Datenbank umziehen.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Den Dokumentspeicher umziehen.
    Storage {
        #[command(subcommand)]
        command: StorageCommand,
    },
}

#[derive(Subcommand)]
enum CustomerCommand {
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
        /// Anfangspasswort; ohne erhält der Benutzer eine Einladung per E-Mail.
        /// Sichtbar in `ps` und der Shell-History: besser --initial-password-stdin.
        #[arg(long, conflicts_with = "initial_password_stdin")]
        initial_password: Option<String>,
        /// Liest das Anfangspasswort aus der ersten Zeile der Standardeingabe.
        #[arg(long)]
        initial_password_stdin: bool,
    },
    /// Listet die Kunden mit der Zahl ihrer Benutzer.
    List {
        /// Als JSON (eine Liste von Objekten) statt als Tabelle, für Skripte.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Legt einen weiteren Benutzer (Unterbenutzer) eines Kunden an.
    Add {
        /// Kundennummer.
        #[arg(long)]
        customer: String,
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        /// Anfangspasswort; ohne erhält der Benutzer eine Einladung per E-Mail.
        #[arg(long, conflicts_with = "initial_password_stdin")]
        initial_password: Option<String>,
        /// Liest das Anfangspasswort aus der ersten Zeile der Standardeingabe.
        #[arg(long)]
        initial_password_stdin: bool,
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
}

#[derive(Subcommand)]
enum MailCommand {
    /// Zählt die Mails je Zustand und listet die unzustellbaren.
    Status,
}

#[derive(Subcommand)]
enum PasswordCommand {
    /// Lässt die Passwörter aller aktiven Benutzer (oder eines Kunden) zu Beginn
    /// des Tages ablaufen; die Benutzer werden vorher per E-Mail gewarnt und
    /// vergeben bei der nächsten Anmeldung danach ein neues Passwort.
    Expire {
        /// Der Tag, z. B. 2027-01-31 oder 31.01.2027 (Zeitzone KP_TIME_ZONE).
        #[arg(long)]
        on: String,
        /// Nur die Benutzer dieses Kunden (Kundennummer).
        #[arg(long)]
        customer: Option<String>,
    },
}

#[derive(Subcommand)]
enum PrivacyCommand {
    /// Veröffentlicht den Text der Datei als neue Version.
    Publish { file: PathBuf },
}


pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    init_tracing(matches!(command, Command::Serve));

    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(BAD_CONFIG);
        }
    };

    // Input is parsed before the database is opened: refused input touches nothing.
    let new_customer = match &command {
        Command::Customer { command: CustomerCommand::Add { number, name, username, email, initial_password, initial_password_stdin } } => {
            let from_stdin = match initial_password_stdin.then(read_password_line).transpose() {
                Ok(password) => password,
                Err(error) => return fail(REFUSED, error),
            };
            let initial_password = from_stdin.as_deref().or(initial_password.as_deref());
            match NewCustomer::parse(number, name, username, email, initial_password, &config.password_policy) {
                Ok(new) => Some(new),
                Err(error) => return fail(REFUSED, error),
            }
        }
        _ => None,
    };
    let new_user = match &command {
        Command::User {
            command: UserCommand::Add { customer, username, email, initial_password, initial_password_stdin, manage_forwardings, manage_users },
        } => {
            let from_stdin = match initial_password_stdin.then(read_password_line).transpose() {
                Ok(password) => password,
                Err(error) => return fail(REFUSED, error),
            };
            let initial_password = from_stdin.as_deref().or(initial_password.as_deref());
            match customers::NewUser::parse(customer, username, email, initial_password, &config.password_policy) {
                Ok(new) => Some(customers::NewUser { can_manage_forwardings: *manage_forwardings, can_manage_users: *manage_users, ..new }),
                Err(error) => return fail(REFUSED, error),
            }
        }
        _ => None,
    };
    let expiry_day = match &command {
        Command::Password { command: PasswordCommand::Expire { on, .. } } => match expiry::parse_day(on) {
            Ok(day) => Some(day),
            Err(error) => return fail(REFUSED, error),
        },
        _ => None,
    };
    let privacy_text = match &command {
        Command::Privacy { command: PrivacyCommand::Publish { file } } => match std::fs::read_to_string(file) {
            Ok(text) if !text.trim().is_empty() => Some(text),
            Ok(_) => return fail(REFUSED, format!("{} ist leer", file.display())),
            Err(error) => return fail(REFUSED, format!("{} kann nicht gelesen werden ({})", file.display(), error.kind())),
        },
        _ => None,
    };

    let document_input = match &command {
        Command::Document { command: DocumentCommand::Add { customer, number, type_key, created, provided, file } } => {
            match documents::prepare_add(customer, number, type_key, created, provided.as_deref(), file) {
                Ok(prepared) => Some(DocumentInput::One(prepared)),
                Err(error) => return fail(REFUSED, error),
            }
        }
        Command::Document { command: DocumentCommand::Import { manifest } } => match documents::prepare_import(manifest) {
            Ok(lines) => Some(DocumentInput::Many(lines)),
            Err(error) => return fail(REFUSED, error),
        },
        _ => None,
    };

    let needs_storage = matches!(command, Command::Serve | Command::Document { .. } | Command::Storage { .. });
    let state = match open(config, needs_storage).await {
        Ok(state) => state,
        Err(code) => return code,
    };

    match command {
        Command::Serve => serve(state).await,
        Command::Customer { command: CustomerCommand::List { json } } => crate::cli_users::list_customers(&state, json).await,
        Command::User { command: UserCommand::List { customer, json } } => crate::cli_users::list_users(&state, &customer, json).await,
        Command::User { command: UserCommand::Deactivate { username } } => crate::cli_users::set_active(&state, &username, false).await,
        Command::User { command: UserCommand::Activate { username } } => crate::cli_users::set_active(&state, &username, true).await,
        Command::Audit { customer, since } => crate::cli_users::audit(&state, &customer, since.as_deref()).await,
        Command::Customer { .. } => {
            let new = new_customer.expect("parsed above");
            let number = new.number.as_str().to_owned();
            let invited = matches!(new.access, customers::FirstAccess::Invitation);
            match customers::add_customer(&state, new, Actor::Operator).await {
                Ok(_) if invited => {
                    println!("Kunde {number} angelegt; die Einladung liegt im Postausgang.");
                    deliver_outbox(&state).await
                }
                Ok(_) => {
                    println!("Kunde {number} angelegt; das Anfangspasswort muss bei der ersten Anmeldung geändert werden.");
                    deliver_outbox(&state).await
                }
                Err(error @ (CustomerError::DuplicateNumber(_) | CustomerError::DuplicateUsername(_))) => {
                    fail(REFUSED, error)
                }
                Err(error) => internal(error),
            }
        }
        Command::User { .. } => {
            let new = new_user.expect("parsed above");
            let username = new.username.as_str().to_owned();
            match customers::add_user(&state, new, Actor::Operator, None).await {
                Ok(_) => {
                    println!("Benutzer {username} angelegt; die E-Mail für den ersten Zugang liegt im Postausgang.");
                    deliver_outbox(&state).await
                }
                Err(
                    error @ (CustomerError::UnknownCustomer(_)
                    | CustomerError::DuplicateUsername(_)
                    | CustomerError::TooManyUsers
                    | CustomerError::WeakPassword(_)),
                ) => fail(REFUSED, error),
                Err(error) => internal(error),
            }
        }
        Command::Demo => match customers::seed_demo(&state).await {
            Ok(seed) => {
                let documents = app::documents::ssr::demo::seed_demo_documents(&state, customers::DEMO_CUSTOMER_NUMBER, customers::DEMO_CUSTOMER_NAME).await;
                match documents {
                    Ok(0) => {}
                    Ok(added) => println!("{added} Demo-Dokumente bereitgestellt."),
                    Err(error) => return internal(error),
                }
                println!(
                    "Demo-Kunde {}: Benutzername »{DEMO_USERNAME}«, Passwort »{}« – {}",
                    if seed.created { "angelegt" } else { "vorhanden" },
                    seed.password,
                    state.config.base_url
                );
                ExitCode::SUCCESS
            }
            Err(error @ CustomerError::Policy(_)) => fail(REFUSED, error),
            Err(error) => internal(error),
        },
        Command::Mail { command: MailCommand::Status } => match outbox_summary(&state.pool).await {
            Ok(summary) => {
                println!(
                    "Postausgang: {} wartend, {} gesendet, {} unzustellbar, {} abgelaufen",
                    summary.queued, summary.sent, summary.dead, summary.expired
                );
                for row in summary.dead_rows {
                    println!(
                        "unzustellbar #{} {} an {} nach {} Versuchen: {}",
                        row.id,
                        row.kind,
                        row.recipient,
                        row.attempts,
                        row.last_error.unwrap_or_default()
                    );
                }
                ExitCode::SUCCESS
            }
            Err(error) => internal(error),
        },
        Command::Password { command: PasswordCommand::Expire { customer, .. } } => {
            let day = expiry_day.expect("parsed above");
            match expiry::expire_passwords_on(&state, day, customer.as_deref()).await {
                Ok(users) => {
                    let zone = state.config.time_zone.iana_name().unwrap_or("UTC");
                    println!(
                        "{users} Benutzer betroffen: ihre Passwörter laufen am {} um 00:00 Uhr ({zone}) ab.",
                        day.strftime("%d.%m.%Y")
                    );
                    if let Err(error) = expiry::queue_expiry_warnings(&state).await {
                        tracing::warn!(error = ?error, "expiry warnings stay for the running portal");
                    }
                    deliver_outbox(&state).await
                }
                Err(error @ expiry::ExpiryError::UnknownCustomer(_)) => fail(REFUSED, error),
                Err(error) => internal(error),
            }
        }
        Command::Doctype { command } => documents::doctype(&state, command).await,
        Command::Apikey { command } => documents::apikey(&state, command).await,
        Command::Db { command } => cli_move::db(&state, command).await,
        Command::Storage { command } => cli_move::storage(&state, command).await,
        Command::Document { .. } => match document_input.expect("read above") {
            DocumentInput::One(prepared) => documents::add(&state, prepared).await,
            DocumentInput::Many(lines) => documents::import(&state, lines).await,
        },
        Command::Privacy { .. } => {
            let text = privacy_text.expect("read above");
            match app::legal::ssr::publish_privacy_notice(&state.pool, &text, state.clock.now()).await {
                Ok(version) => {
                    println!("Datenschutzhinweise Version {version} veröffentlicht.");
                    ExitCode::SUCCESS
                }
                Err(error) => internal(error),
            }
        }
    }
}

/// Opens the database and builds the state; prints one line on failure.
async fn open(config: Config, needs_storage: bool) -> Result<AppState, ExitCode> {
    let pool = db::connect_and_migrate(&config.database_url, config.pool_settings()).await.map_err(|error| {
        // The one line below names the setting and the reason; the chain is for debugging.
        tracing::debug!(error = ?error, "database setup failed");
        fail(FAILED, error)
    })?;
    let state = AppState::new(pool, config, Clock::system()).map_err(|error| {
        tracing::error!(error = ?error, "state cannot be built");
        fail(BAD_CONFIG, error)
    })?;
    if needs_storage {
        if let Err(error) = state.documents.check().await {
            tracing::debug!(error = ?error, "document store does not answer");
            return Err(fail(
                FAILED,
                format!("KP_STORAGE_URL: der Dokumentspeicher {} antwortet nicht", redact_url(&state.config.documents.storage_url)),
            ));
        }
    }
    app::jobs().run_at_start(&state).await.map_err(internal)?;
    Ok(state)
}

/// A CLI command that queued mail tries to hand it over at once; what cannot
/// be sent now stays queued for the running portal's worker.
async fn deliver_outbox(state: &AppState) -> ExitCode {
    if let Err(error) = state.outbox_worker().deliver_due().await {
        tracing::warn!(%error, "mail stays queued");
    }
    ExitCode::SUCCESS
}

async fn serve(state: AppState) -> ExitCode {
    let addr: SocketAddr = state.leptos_options.site_addr;
    let listener = match crate::startup::bind(addr).await {
        Ok(listener) => listener,
        Err(error) => return fail(FAILED, format!("LEPTOS_SITE_ADDR: {addr} ist nicht frei ({})", error.kind())),
    };
    tokio::spawn(state.outbox_worker().run());
    app::jobs().spawn_repeating(&state);
    let mail_target = match &state.config.smtp_url {
        Some(_) => "SMTP".to_owned(),
        None => state.config.mail_dir().display().to_string(),
    };
    tracing::info!(%addr, base_url = %state.config.base_url, mail = %mail_target, "Kundenportal läuft");
    println!("Kundenportal läuft auf http://{addr} (Mails: {mail_target})");
    let app = crate::startup::build(state.clone());
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await;
    // A "Passwort vergessen" answered just before the signal still gets its mail queued.
    state.background.close();
    state.background.wait().await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => internal(error),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

fn init_tracing(serving: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if serving { "info,sqlx=warn" } else { "warn" };
    let filter = EnvFilter::try_from_env("KP_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

/// The first line of standard input, without its line break: a password
/// piped in (`printf '%s' "$PW" | kundenportal customer add … --initial-password-stdin`)
/// shows neither in `ps` nor in the shell's history.
fn read_password_line() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|_| "Die Standardeingabe kann nicht gelesen werden".to_owned())?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        return Err("--initial-password-stdin: die Standardeingabe enthält kein Passwort".to_owned());
    }
    Ok(password)
}

enum DocumentInput {
    One(documents::Prepared),
    Many(Vec<(usize, Result<documents::Prepared, String>)>),
}
