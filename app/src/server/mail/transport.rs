use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::time::Duration;

/// How long one SMTP conversation may take before it counts as failed.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(15);

/// Where mails go: an SMTP server, or `.eml` files in a folder when none is
/// configured (one machine, nothing else installed).
pub enum MailTransport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Folder(PathBuf),
}

/// Why a mail could not be handed over. `permanent` means retrying will not
/// help (the server refused the recipient or the message).
#[derive(Debug)]
pub struct SendFailure {
    pub permanent: bool,
    /// A short description for the operator; never contains the mail body.
    pub reason: String,
}

impl MailTransport {
    pub fn smtp(url: &str) -> Result<Self, lettre::transport::smtp::Error> {
        Ok(Self::Smtp(AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.timeout(Some(SMTP_TIMEOUT)).build()))
    }

    pub fn folder(dir: PathBuf) -> Self {
        Self::Folder(dir)
    }

    /// Hands one message over. `file_stem` names the `.eml` file, so writing
    /// the same outbox row twice leaves one file.
    pub async fn send(&self, message: &Message, file_stem: &str) -> Result<(), SendFailure> {
        match self {
            MailTransport::Smtp(smtp) => smtp.send(message.clone()).await.map(|_| ()).map_err(|e| SendFailure {
                permanent: e.is_permanent(),
                reason: smtp_reason(&e),
            }),
            MailTransport::Folder(dir) => {
                let write = async {
                    tokio::fs::create_dir_all(dir).await?;
                    let temporary = dir.join(format!(".{file_stem}.eml.tmp"));
                    tokio::fs::write(&temporary, message.formatted()).await?;
                    tokio::fs::rename(&temporary, dir.join(format!("{file_stem}.eml"))).await
                };
                write.await.map_err(|e| SendFailure {
                    permanent: false,
                    reason: format!("Datei konnte nicht geschrieben werden: {}", e.kind()),
                })
            }
        }
    }
}

fn smtp_reason(error: &lettre::transport::smtp::Error) -> String {
    let kind = if error.is_permanent() {
        "abgelehnt (dauerhaft)"
    } else if error.is_transient() {
        "abgelehnt (vorübergehend)"
    } else if error.is_timeout() {
        "Zeitüberschreitung"
    } else {
        "keine Verbindung"
    };
    match error.status() {
        Some(code) => format!("SMTP {kind}, Code {code}"),
        None => format!("SMTP {kind}"),
    }
}
