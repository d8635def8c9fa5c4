//! `kundenportal demo`: the demo customer with its documents, created once.

use super::exit::{fail, internal, REFUSED};
use super::installation::{with_state, Store};
use app::customers::{self, CustomerError, DEMO_USERNAME};
use app::server::config::Config;
use std::process::ExitCode;

pub(super) async fn run(config: Config) -> ExitCode {
    with_state(config, Store::Unused, async |state| match customers::seed_demo(state).await {
        Ok(seed) => {
            let documents = app::documents::ssr::demo::seed_demo_documents(state, customers::DEMO_CUSTOMER_NUMBER, customers::DEMO_CUSTOMER_NAME).await;
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
    })
    .await
}
