use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::time::Duration;

/// Where mails go: an SMTP server, or `.eml` files in a folder when none is
/// configured (one machine, nothing else installed).
pub enum MailTransport {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// The most one message's whole conversation may take.
        conversation: Duration,
    },
    Folder(PathBuf),
}

/// One message's conversation (connect, greeting, EHLO, MAIL, RCPT, DATA,
/// the message, the answer) may take this many SMTP timeouts in all. lettre
/// bounds only the connect by itself: a server that accepts and then never
/// answers would hold the worker for ever.
const CONVERSATION_IN_TIMEOUTS: u32 = 4;

/// Why a mail could not be handed over. `permanent` means retrying will not
/// help (the server refused the recipient or the message).
#[derive(Debug)]
pub struct SendFailure {
    pub permanent: bool,
    /// A short description for the operator; never contains the mail body.
    pub reason: String,
}

impl MailTransport {
    /// `timeout` (`KP_SMTP_TIMEOUT_SECONDS`) bounds the connect, and four of
    /// it one message's whole conversation.
    pub fn smtp(url: &str, timeout: Duration) -> Result<Self, lettre::transport::smtp::Error> {
        Ok(Self::Smtp {
            transport: AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.timeout(Some(timeout)).build(),
            conversation: timeout * CONVERSATION_IN_TIMEOUTS,
        })
    }

    pub fn folder(dir: PathBuf) -> Self {
        Self::Folder(dir)
    }

    /// Hands one message over. `file_stem` names the `.eml` file, so writing
    /// the same outbox row twice leaves one file.
    pub async fn send(&self, message: &Message, file_stem: &str) -> Result<(), SendFailure> {
        match self {
            MailTransport::Smtp { transport, conversation } => {
                // Formatted once and sent as it is: a message with an attachment is not copied again.
                let raw = message.formatted();
                match tokio::time::timeout(*conversation, transport.send_raw(message.envelope(), &raw)).await {
                    Ok(sent) => sent.map(|_| ()).map_err(|e| SendFailure { permanent: e.is_permanent(), reason: smtp_reason(&e) }),
                    Err(_) => Err(SendFailure { permanent: false, reason: "SMTP Zeitüberschreitung (keine Antwort)".to_owned() }),
                }
            }
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
