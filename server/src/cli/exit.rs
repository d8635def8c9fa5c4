//! How every command of the operator CLI ends: its exit code, a German
//! line on stderr when it did not succeed, a list as JSON for scripts.
//! Shared by the command modules, which therefore need not import `cli`
//! (the dispatcher) back.

use std::process::ExitCode;

/// Exit codes: 1 refused input, 2 bad configuration, 3 unexpected failure.
pub(super) const REFUSED: u8 = 1;
pub(super) const BAD_CONFIG: u8 = 2;
pub(super) const FAILED: u8 = 3;

pub(super) fn fail(code: u8, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("Fehler: {message}");
    ExitCode::from(code)
}

/// An error nobody could have prevented by other input: logged with a
/// correlation id, which the operator gets to quote.
pub(super) fn internal(error: impl std::error::Error + 'static) -> ExitCode {
    let correlation_id = app::server::crypto::correlation_id();
    tracing::error!(%correlation_id, error = ?error, "command failed");
    fail(FAILED, format!("unerwarteter Fehler ({error}), Fehlernummer {correlation_id}"))
}

/// Prints `rows` as one JSON array (`--json`): for scripts, which need not parse tables.
pub(super) fn print_json(rows: Vec<serde_json::Value>) -> ExitCode {
    match serde_json::to_string_pretty(&rows) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(error) => internal(error),
    }
}
