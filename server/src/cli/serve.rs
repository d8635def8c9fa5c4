//! `kundenportal serve` (and no command at all): the portal, until a signal.

use super::exit::{fail, internal, FAILED};
use super::installation::{open, Store};
use app::server::config::Config;
use std::net::SocketAddr;
use std::process::ExitCode;

pub(super) async fn run(config: Config) -> ExitCode {
    let state = match open(config, Store::Needed).await {
        Ok(state) => state,
        Err(code) => return code,
    };
    let addr: SocketAddr = state.leptos_options.site_addr;
    let listener = match crate::startup::bind(addr).await {
        Ok(listener) => listener,
        Err(error) => return fail(FAILED, format!("LEPTOS_SITE_ADDR: {addr} ist nicht frei ({})", error.kind())),
    };
    tokio::spawn(state.outbox_worker().run());
    app::jobs().spawn_repeating(&state);
    let mail_target = match &state.config.smtp_url {
        Some(_) => "SMTP".to_owned(),
        None => state.config.mail_dir().display().to_string(),
    };
    tracing::info!(%addr, base_url = %state.config.base_url, mail = %mail_target, "Kundenportal läuft");
    println!("Kundenportal läuft auf http://{addr} (Mails: {mail_target})");
    let app = crate::startup::build(state.clone());
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await;
    // A "Passwort vergessen" answered just before the signal still gets its mail queued.
    state.background.close();
    state.background.wait().await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => internal(error),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
