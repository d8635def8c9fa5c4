//! `kundenportal password expire --on DAY [--customer NR]`.

use super::exit::{fail, internal, REFUSED};
use super::installation::{deliver_outbox, with_state, Store};
use app::auth::ssr::expiry;
use app::server::config::Config;
use clap::Subcommand;
use std::process::ExitCode;

#[derive(Subcommand)]
pub(super) enum PasswordCommand {
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

pub(super) async fn run(config: Config, PasswordCommand::Expire { on, customer }: PasswordCommand) -> ExitCode {
    let day = match expiry::parse_day(&on) {
        Ok(day) => day,
        Err(error) => return fail(REFUSED, error),
    };
    with_state(config, Store::Unused, async |state| match expiry::expire_passwords_on(state, day, customer.as_deref()).await {
        Ok(users) => {
            let zone = state.config.time_zone.iana_name().unwrap_or("UTC");
            println!("{users} Benutzer betroffen: ihre Passwörter laufen am {} um 00:00 Uhr ({zone}) ab.", day.strftime("%d.%m.%Y"));
            if let Err(error) = expiry::queue_expiry_warnings(state).await {
                tracing::warn!(error = ?error, "expiry warnings stay for the running portal");
            }
            deliver_outbox(state).await
        }
        Err(error @ expiry::ExpiryError::UnknownCustomer(_)) => fail(REFUSED, error),
        Err(error) => internal(error),
    })
    .await
}
