//! `kundenportal storage copy --to URL`: moving the document files to
//! another store, each copy checked against its SHA-256.

use super::exit::{fail, FAILED, REFUSED};
use super::installation::{with_state, Store};
use super::progress::Progress;
use app::server::config::{redact_url, Config};
use app::server::state::AppState;
use app::server::storage::{ContentHash, DocumentStore};
use clap::Subcommand;
use futures_util::StreamExt;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(super) enum StorageCommand {
    /// Kopiert jede Dokumentdatei in einen anderen Speicher (file:///… oder
    /// s3://BUCKET/PFAD) und prüft jede Kopie an ihrer SHA-256.
    Copy {
        #[arg(long)]
        to: String,
    },
}

pub(super) async fn run(config: Config, StorageCommand::Copy { to }: StorageCommand) -> ExitCode {
    if to.trim_end_matches('/') == config.documents.storage_url {
        return fail(REFUSED, "--to: das ist der Speicher, aus dem kopiert wird");
    }
    let target = match DocumentStore::open(&to) {
        Ok(store) => store,
        Err(error) => return fail(REFUSED, format!("--to: {error}")),
    };
    if let Err(error) = target.check().await {
        tracing::error!(error = ?error, "copy target store does not answer");
        return fail(FAILED, format!("--to: der Speicher {} antwortet nicht", redact_url(&to)));
    }
    with_state(config, Store::Needed, async |state| copy(state, &to, &target).await).await
}

async fn copy(state: &AppState, to: &str, target: &DocumentStore) -> ExitCode {
    let (mut copied, mut damaged) = (0u64, Vec::new());
    let mut files = state.documents.files();
    let mut progress = Progress::new("Dateien", None);
    while let Some(file) = files.next().await {
        progress.step(None);
        let result = async {
            let hash = file?.hash;
            let bytes = state.documents.read_all(&hash).await?;
            if ContentHash::of(&bytes) != hash {
                return Ok(Some(hash));
            }
            target.put(&hash, bytes).await?;
            let copy = target.read_all(&hash).await?;
            Ok::<_, app::server::storage::StorageError>((ContentHash::of(&copy) != hash).then_some(hash))
        }
        .await;
        match result {
            Ok(None) => copied += 1,
            Ok(Some(hash)) => damaged.push(hash.as_str().to_owned()),
            Err(error) => {
                tracing::error!(error = ?error, "storage copy failed");
                return fail(FAILED, format!("Kopie abgebrochen nach {copied} Dateien: {error}"));
            }
        }
    }
    progress.finish();
    if damaged.is_empty() {
        println!("{copied} Dateien nach {} kopiert; jede Kopie hat ihre SHA-256.", redact_url(&to));
        ExitCode::SUCCESS
    } else {
        fail(FAILED, format!("{copied} Dateien kopiert; {} stimmen nicht mit ihrer SHA-256 überein: {}", damaged.len(), damaged.join(", ")))
    }
}
