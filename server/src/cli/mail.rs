//! `kundenportal mail status`: the outbox by state, and the undeliverable mails.

use super::exit::internal;
use super::installation::{with_state, Store};
use app::server::config::Config;
use app::server::mail::outbox_summary;
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(super) enum MailCommand {
    /// Zählt die Mails je Zustand und listet die unzustellbaren.
    Status,
}

pub(super) async fn run(config: Config, MailCommand::Status: MailCommand) -> ExitCode {
    with_state(config, Store::Unused, async |state| match outbox_summary(&state.pool).await {
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
    })
    .await
}
