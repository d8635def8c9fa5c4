//! `kundenportal privacy publish FILE`: a new version of the privacy notice.

use super::exit::{fail, internal, REFUSED};
use super::installation::{with_state, Store};
use app::server::config::Config;
use clap::Subcommand;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(super) enum PrivacyCommand {
    /// Veröffentlicht den Text der Datei als neue Version.
    Publish { file: PathBuf },
}

pub(super) async fn run(config: Config, PrivacyCommand::Publish { file }: PrivacyCommand) -> ExitCode {
    let text = match std::fs::read_to_string(&file) {
        Ok(text) if !text.trim().is_empty() => text,
        Ok(_) => return fail(REFUSED, format!("{} ist leer", file.display())),
        Err(error) => return fail(REFUSED, format!("{} kann nicht gelesen werden ({})", file.display(), error.kind())),
    };
    with_state(config, Store::Unused, async |state| match app::legal::ssr::publish_privacy_notice(&state.pool, &text, state.clock.now()).await {
        Ok(version) => {
            println!("Datenschutzhinweise Version {version} veröffentlicht.");
            ExitCode::SUCCESS
        }
        Err(error) => internal(error),
    })
    .await
}
