//! `make bench`: figures, not pass/fail.
//!
//! - How long sign-in and "Passwort vergessen" (whose work runs after the
//!   answer) take for an existing, an unknown, an inactive and a locked
//!   account. They should be about equal, so that the time does not tell
//!   whether an account exists.
//! - What a browser downloads for the app's WASM, JS and CSS.
//!
//! A bench target without the test harness: `cargo bench --bench figures`.

#[path = "../tests/common/mod.rs"]
mod common;

use common::*;
use std::time::{Duration, Instant};

const PASSWORD: &str = "Grün-Tonne-7";
const ROUNDS: usize = 25;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

async fn time_calls(app: &TestApp, endpoint: &str, form: &[(&str, &str)], before_each: Option<&str>) -> Duration {
    let mut samples = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        if let Some(sql) = before_each {
            sqlx::query(sql).execute(&app.state.pool).await.unwrap();
        }
        let started = Instant::now();
        let _ = app.call(endpoint, form, None).await;
        samples.push(started.elapsed());
    }
    median(samples)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(sign_in_and_reset_timings());
    runtime.block_on(bytes_a_browser_downloads_for_the_app());
}

async fn sign_in_and_reset_timings() {
    let app = spawn_app_with(&[
        ("KP_LIMIT_LOGIN_PER_MINUTE", "100000"),
        ("KP_LIMIT_RESET_PER_MINUTE", "100000"),
    ])
    .await;
    customer_with_password(&app, "90001", "vorhanden", PASSWORD).await;
    let inactive = customer_with_password(&app, "90002", "inaktiv", PASSWORD).await;
    sqlx::query("UPDATE users SET active = 0 WHERE id = $1").bind(inactive).execute(&app.state.pool).await.unwrap();
    customer_with_password(&app, "90003", "gesperrt", PASSWORD).await;
    for _ in 0..5 {
        app.call("auth/login", &[("username", "gesperrt"), ("password", "Falsch-Wort-1")], None).await;
    }
    // Warm up the pool and the code paths.
    time_calls(&app, "auth/login", &[("username", "niemand"), ("password", "Falsch-Wort-1")], None).await;

    let clear_failures = Some("DELETE FROM login_failures WHERE identifier_key = 'vorhanden'");
    let rows = [
        ("login, existing, wrong password", time_calls(&app, "auth/login", &[("username", "vorhanden"), ("password", "Falsch-Wort-1")], clear_failures).await),
        ("login, unknown name", time_calls(&app, "auth/login", &[("username", "niemand"), ("password", PASSWORD)], Some("DELETE FROM login_failures")).await),
        ("login, inactive account", time_calls(&app, "auth/login", &[("username", "inaktiv"), ("password", PASSWORD)], Some("DELETE FROM login_failures WHERE identifier_key = 'inaktiv'")).await),
        ("login, locked, right password", time_calls(&app, "auth/login", &[("username", "gesperrt"), ("password", PASSWORD)], None).await),
        ("reset, existing account", time_calls(&app, "auth/request_reset", &[("identifier", "vorhanden")], None).await),
        ("reset, unknown name", time_calls(&app, "auth/request_reset", &[("identifier", "niemand")], None).await),
        ("reset, inactive account", time_calls(&app, "auth/request_reset", &[("identifier", "inaktiv")], None).await),
    ];
    println!("\nmedian of {ROUNDS} calls through the in-process router (dev profile, Argon2 at opt-level 3):");
    for (name, took) in rows {
        println!("  {name:<34} {:>8.1} ms", took.as_secs_f64() * 1000.0);
    }
}

/// What a browser downloads for the app itself: the WASM, JS and CSS of the
/// last build in `target/site` (release after `make run` or
/// `make build-release`, debug after `make test`), raw and as the server
/// sends them compressed.
async fn bytes_a_browser_downloads_for_the_app() {
    let site = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/site");
    if !site.join("pkg/kundenportal.wasm").exists() {
        println!("\nno build in {} — run `make run` (release) or `make build` first", site.display());
        return;
    }
    let app = spawn_app_with(&[("LEPTOS_SITE_ROOT", &site.display().to_string())]).await;
    println!("\nbytes sent for the app's files ({}):", site.display());
    println!("  {:<20} {:>10} {:>10} {:>10}", "file", "raw", "gzip", "br");
    for file in ["kundenportal.wasm", "kundenportal.js", "kundenportal.css"] {
        let mut sizes = Vec::new();
        for encoding in ["identity", "gzip", "br"] {
            let request = axum::http::Request::get(format!("/pkg/{file}"))
                .header(axum::http::header::ACCEPT_ENCODING, encoding)
                .body(axum::body::Body::empty())
                .unwrap();
            sizes.push(app.request_bytes(request).await.2.len());
        }
        println!("  {file:<20} {:>10} {:>10} {:>10}", sizes[0], sizes[1], sizes[2]);
    }
}
