//! `kundenportal audit --customer NR [--since DAY]`: the customer's audit
//! log, oldest first, tab-separated (time, who, action, detail, address).

use super::exit::{fail, internal, REFUSED};
use super::installation::{with_state, Store};
use app::server::config::Config;
use app::server::dates::{parse_day, start_of_day};
use std::process::ExitCode;

#[derive(clap::Args)]
pub(super) struct AuditArgs {
    /// Kundennummer.
    #[arg(long)]
    customer: String,
    /// Nur Einträge ab diesem Tag, z. B. 2026-12-01 oder 01.12.2026.
    #[arg(long)]
    since: Option<String>,
}

pub(super) async fn run(config: Config, AuditArgs { customer, since }: AuditArgs) -> ExitCode {
    let since = match since.as_deref().map(|raw| parse_day(raw).ok_or(raw)).transpose() {
        Ok(day) => day.map(|day| start_of_day(day, &config.time_zone)),
        Err(raw) => return fail(REFUSED, format!("»{raw}« ist kein Datum (z. B. 2026-12-01 oder 01.12.2026).")),
    };
    with_state(config, Store::Unused, async |state| match app::activity::ssr::operator_lines(state, &customer, since).await {
        Ok(Some(lines)) => {
            for line in lines {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Ok(None) => fail(REFUSED, format!("Den Kunden {customer} gibt es nicht.")),
        Err(error) => internal(error),
    })
    .await
}
