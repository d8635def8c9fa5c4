//! The installation a command works on: the database opened (and migrated),
//! the state built, the document store checked where the command needs it;
//! and what several commands share around it.

use super::exit::{fail, internal, BAD_CONFIG, FAILED};
use app::server::clock::Clock;
use app::server::config::{redact_url, Config};
use app::server::db;
use app::server::state::AppState;
use std::process::ExitCode;

/// Whether a command reads or writes document files.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Store {
    Needed,
    Unused,
}

/// Opens the installation and runs `command` on it; one line and the exit
/// code when it cannot be opened.
pub(super) async fn with_state(config: Config, store: Store, command: impl AsyncFnOnce(&AppState) -> ExitCode) -> ExitCode {
    match open(config, store).await {
        Ok(state) => command(&state).await,
        Err(code) => code,
    }
}

/// Opens the database and builds the state; prints one line on failure.
pub(super) async fn open(config: Config, store: Store) -> Result<AppState, ExitCode> {
    let pool = db::connect_and_migrate(&config.database_url, config.pool_settings()).await.map_err(|error| {
        // The one line below names the setting and the reason; the chain is for debugging.
        tracing::debug!(error = ?error, "database setup failed");
        fail(FAILED, error)
    })?;
    let state = AppState::new(pool, config, Clock::system()).map_err(|error| {
        tracing::error!(error = ?error, "state cannot be built");
        fail(BAD_CONFIG, error)
    })?;
    if store == Store::Needed {
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

/// A command that queued mail tries to hand it over at once; what cannot
/// be sent now stays queued for the running portal's worker.
pub(super) async fn deliver_outbox(state: &AppState) -> ExitCode {
    if let Err(error) = state.outbox_worker().deliver_due().await {
        tracing::warn!(%error, "mail stays queued");
    }
    ExitCode::SUCCESS
}

/// The first password of the user that `customer add` and `user add` create.
#[derive(clap::Args)]
pub(super) struct InitialPassword {
    /// Anfangspasswort; ohne erhält der Benutzer eine Einladung per E-Mail.
    /// Sichtbar in `ps` und der Shell-History: besser --initial-password-stdin.
    #[arg(long, conflicts_with = "initial_password_stdin")]
    initial_password: Option<String>,
    /// Liest das Anfangspasswort aus der ersten Zeile der Standardeingabe.
    #[arg(long)]
    initial_password_stdin: bool,
}

impl InitialPassword {
    /// From the first line of standard input (a password piped in, `printf
    /// '%s' "$PW" | kundenportal customer add … --initial-password-stdin`,
    /// shows neither in `ps` nor in the shell's history), else
    /// `--initial-password`, else none (an invitation).
    pub(super) fn read(self) -> Result<Option<String>, String> {
        if !self.initial_password_stdin {
            return Ok(self.initial_password);
        }
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map_err(|_| "Die Standardeingabe kann nicht gelesen werden".to_owned())?;
        let password = line.trim_end_matches(['\n', '\r']).to_owned();
        if password.is_empty() {
            return Err("--initial-password-stdin: die Standardeingabe enthält kein Passwort".to_owned());
        }
        Ok(Some(password))
    }
}
