//! Passkeys (issue 23): the ceremony's state in the database (any instance
//! finishes what another began), used once, five minutes; only a domain is
//! a relying party; a user's passkeys are theirs alone. The ceremony with a
//! real authenticator runs in Playwright (Chromium's virtual authenticator).

use crate::common::*;
use app::domain::Refusal;
use app::error::AppError;
use app::server::db;
use axum::http::StatusCode;

const PASSWORD: &str = "Passkey-Wort-1";
const DOMAIN: &[(&str, &str)] = &[("KP_BASE_URL", "http://localhost:3000")];

fn refusal(response: &TestResponse) -> Refusal {
    match error_of(response) {
        AppError::Invalid { refusal, .. } => refusal,
        other => panic!("not a refusal: {other:?}"),
    }
}

#[tokio::test]
async fn an_address_without_a_domain_has_no_passkeys() {
    let app = spawn_app().await;
    assert_eq!(app.call("auth/passkeys_available", &[], None).await.body, "false");
    assert_eq!(refusal(&app.call("auth/passkey_sign_in_start", &[], None).await), Refusal::PasskeyUnavailable);
    customer_with_password(&app, "94001", "ohne-domain", PASSWORD).await;
    let session = app.sign_in("ohne-domain", PASSWORD).await;
    assert!(app.call("auth/passkeys", &[], Some(&session)).await.body.contains("\"available\":false"));
    let login = app.get(app::routes::LOGIN, None).await;
    assert!(!login.body.contains("Mit Passkey anmelden"), "no button where it cannot work");
}

#[tokio::test]
async fn a_ceremony_waits_in_the_database_is_used_once_and_runs_out() {
    let app = spawn_app_with(DOMAIN).await;
    assert_eq!(app.call("auth/passkeys_available", &[], None).await.body, "true");
    assert!(app.get(app::routes::LOGIN, None).await.body.contains("Mit Passkey anmelden"));
    customer_with_password(&app, "94002", "schluessel", PASSWORD).await;
    let session = app.sign_in("schluessel", PASSWORD).await;

    let unnamed = app.call("auth/passkey_add_start", &[("name", " ")], Some(&session)).await;
    assert_eq!(error_of(&unnamed), AppError::Invalid { refusal: Refusal::PasskeyNameInvalid, field: Some("name".into()) });
    let started = app.call("auth/passkey_add_start", &[("name", "Laptop")], Some(&session)).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let ceremony: serde_json::Value = serde_json::from_str(&started.body).unwrap();
    let options: serde_json::Value = serde_json::from_str(ceremony["options"].as_str().unwrap()).unwrap();
    assert_eq!(options["rp"]["id"], "localhost");
    assert_eq!(options["user"]["name"], "schluessel");
    assert_eq!(options["authenticatorSelection"]["residentKey"], "required", "discoverable: found without a username");
    assert_eq!(options["authenticatorSelection"]["userVerification"], "required", "the device checks the user: both factors");
    assert!(options["challenge"].as_str().unwrap().len() >= 43);
    let handle = ceremony["ceremony"].as_str().unwrap().to_owned();
    let stored: Vec<String> = db::query_scalar("SELECT id_hash FROM webauthn_ceremonies").fetch_all(&app.state.pool).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&handle), "only the handle's hash is stored");

    // A forged answer is refused and uses the ceremony up; a second answer finds none.
    let forged = app.call("auth/passkey_add", &[("ceremony", &handle), ("credential", "{\"id\":\"x\"}")], Some(&session)).await;
    assert_eq!(refusal(&forged), Refusal::PasskeyRefused);
    let again = app.call("auth/passkey_add", &[("ceremony", &handle), ("credential", "{}")], Some(&session)).await;
    assert_eq!(refusal(&again), Refusal::PasskeyExpired);
    // Another user cannot finish a user's ceremony.
    customer_with_password(&app, "94003", "fremd", PASSWORD).await;
    let stranger = app.sign_in("fremd", PASSWORD).await;
    let started: serde_json::Value = serde_json::from_str(&app.call("auth/passkey_add_start", &[("name", "Telefon")], Some(&session)).await.body).unwrap();
    let theirs = app.call("auth/passkey_add", &[("ceremony", started["ceremony"].as_str().unwrap()), ("credential", "{}")], Some(&stranger)).await;
    assert_eq!(refusal(&theirs), Refusal::PasskeyExpired);

    // Signing in: a challenge for any passkey; five minutes, then it is gone.
    let sign_in: serde_json::Value = serde_json::from_str(&app.call("auth/passkey_sign_in_start", &[], None).await.body).unwrap();
    let request: serde_json::Value = serde_json::from_str(sign_in["options"].as_str().unwrap()).unwrap();
    assert_eq!((request["rpId"].as_str(), request["userVerification"].as_str()), (Some("localhost"), Some("required")));
    app.state.clock.advance(5 * 60 + 1);
    let late = app.call("auth/passkey_sign_in", &[("ceremony", sign_in["ceremony"].as_str().unwrap()), ("credential", "{}")], None).await;
    assert_eq!(refusal(&late), Refusal::PasskeyExpired);
    assert!(late.session_cookie().is_none());
    let swept = app::auth::ssr::cleanup::sweep(&app.state.pool, app.state.clock.now()).await;
    assert!(swept.is_ok());
    assert_eq!(app.count("webauthn_ceremonies").await, 0, "the hourly cleanup takes what ran out");
}

#[tokio::test]
async fn adding_one_needs_a_recent_sign_in_and_each_user_sees_and_removes_only_their_own() {
    let app = spawn_app_with(DOMAIN).await;
    let owner = customer_with_password(&app, "94004", "eigner", PASSWORD).await;
    customer_with_password(&app, "94005", "anderer", PASSWORD).await;
    let session = app.sign_in("eigner", PASSWORD).await;
    let other = app.sign_in("anderer", PASSWORD).await;
    let now = app.state.clock.now();
    let id: i64 = db::query_scalar(
        "INSERT INTO passkeys (user_id, credential_id, name, passkey, created_at) VALUES ($1, 'abc', 'Laptop', '{}', $2) RETURNING id",
    )
    .bind(owner)
    .bind(now)
    .fetch_one(&app.state.pool)
    .await
    .unwrap();
    let listed = app.call("auth/passkeys", &[], Some(&session)).await;
    assert!(listed.body.contains("Laptop") && listed.body.contains("\"last_used\":null"), "{}", listed.body);
    assert!(!app.call("auth/passkeys", &[], Some(&other)).await.body.contains("Laptop"));
    let foreign = app.call("auth/passkey_remove", &[("id", &id.to_string())], Some(&other)).await;
    assert_eq!(error_of(&foreign), AppError::NotFound, "another's passkey is missing for them");
    assert_eq!(app.count("passkeys").await, 1);

    // More than an hour after the sign-in (kept alive): the password first.
    for _ in 0..3 {
        app.state.clock.advance(1201);
        app.call("auth/current_user", &[], Some(&session)).await;
    }
    assert_eq!(error_of(&app.call("auth/passkey_add_start", &[("name", "Telefon")], Some(&session)).await), AppError::ReauthRequired);
    assert_eq!(error_of(&app.call("auth/passkey_remove", &[("id", &id.to_string())], Some(&session)).await), AppError::ReauthRequired);
    let confirmed = app.call("auth/confirm_password", &[("password", PASSWORD), ("return_to", "/profil")], Some(&session)).await;
    let session = confirmed.session_cookie().unwrap();
    let removed = app.call("auth/passkey_remove", &[("id", &id.to_string())], Some(&session)).await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    assert_eq!(app.count("passkeys").await, 0);
    let audited: Vec<String> = db::query_scalar("SELECT detail FROM audit_log WHERE action = 'passkey_removed'").fetch_all(&app.state.pool).await.unwrap();
    assert_eq!(audited, ["Laptop"]);
}

#[tokio::test]
async fn a_ceremony_begun_on_one_instance_is_finished_on_another() {
    let dir = DataDir::new().await;
    let domain: Vec<(&str, String)> = DOMAIN.iter().map(|(name, value)| (*name, value.to_string())).collect();
    let first = state_beside(&dir, &domain, app::server::clock::Clock::system()).await;
    let second = state_beside(&dir, &domain, app::server::clock::Clock::system()).await;
    let begun = app::auth::ssr::passkeys::begin_sign_in(&first).await.unwrap();
    // The other instance finds the ceremony: it refuses the forged answer as an answer, not as unknown …
    let answered = app::auth::ssr::passkeys::finish_sign_in(&second, &begun.ceremony, "{}", None).await;
    assert_eq!(answered.err(), Some(AppError::refused(Refusal::PasskeyRefused)));
    // … and it is used up for both.
    let again = app::auth::ssr::passkeys::finish_sign_in(&first, &begun.ceremony, "{}", None).await;
    assert_eq!(again.err(), Some(AppError::refused(Refusal::PasskeyExpired)));
}
