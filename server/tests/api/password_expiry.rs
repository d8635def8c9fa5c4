//! Password expiry: off by default; a maximum age or an operator's date; a
//! warning mail before (through a real SMTP server); after it, signing in
//! leads only to setting a new password.


use app::server::db;
use app::auth::ssr::expiry::{self, ExpiryError};
use app::server::dates;
use app::error::{AppError, Refusal};
use axum::http::StatusCode;
use crate::common::*;
use serde_json::Value;

const DAY: i64 = 24 * 60 * 60;
const PASSWORD: &str = "Alt-Passwort-1";
const NEW_PASSWORD: &str = "Neu-Passwort-2";



async fn warn_and_deliver(app: &TestApp) -> usize {
    let queued = expiry::queue_expiry_warnings(&app.state).await.unwrap();
    app.state.outbox_worker().deliver_due().await.unwrap();
    queued
}

#[tokio::test]
async fn a_password_at_its_maximum_age_is_warned_of_then_must_be_renewed() {
    let (app, mailbox) = smtp_app(&[("KP_PASSWORD_MAX_AGE_DAYS", "90"), ("KP_PASSWORD_EXPIRY_WARNING_DAYS", "14")]).await;
    customer_with_password(&app, "40001", "alterung", PASSWORD).await;

    app.state.clock.advance(75 * DAY);
    assert_eq!(warn_and_deliver(&app).await, 0, "15 days before: no warning yet");
    app.state.clock.advance(DAY + 1);
    assert_eq!(warn_and_deliver(&app).await, 1);
    assert_eq!(warn_and_deliver(&app).await, 0, "one warning per expiry, however often the job runs");
    let mails = mailbox.wait_for(1).await;
    assert_eq!(mails.len(), 1);
    let mail = unfold_quoted_printable(&mails[0]);
    let expiry_date = dates::german_date(START + 90 * DAY, &app.state.config.time_zone);
    let expiry_time = dates::german_time(START + 90 * DAY, &app.state.config.time_zone);
    assert!(mail.contains(&format!("in 14 Tagen ab, am {expiry_date} um {expiry_time} Uhr")), "{mail}");
    assert!(mail.contains("alterung"));
    assert!(mail.contains("https://portal.example.com/profil"));

    // Before the day the password works as before.
    let signed_in_before = app.sign_in("alterung", PASSWORD).await;
    assert_eq!(pending_of(&app, &signed_in_before).await, Value::Null);

    app.state.clock.advance(14 * DAY);
    // A session from before the moment of expiry ends with it: it did not
    // prove the password since, so it may not set a new one.
    let late = app.call("auth/set_initial_password", &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)], Some(&signed_in_before)).await;
    assert_eq!(late.status, StatusCode::UNAUTHORIZED);
    assert_eq!(pending_of(&app, &signed_in_before).await, Value::Null, "signed out");
    let login = app.call("auth/login", &[("username", "alterung"), ("password", PASSWORD)], None).await;
    assert_eq!((login.status, login.location()), (StatusCode::OK, Some("/passwort-festlegen")), "{}", login.body);
    let cookie = login.session_cookie().unwrap();
    assert_eq!(pending_of(&app, &cookie).await, "PasswordExpired");
    let refused = app.call("auth/change_password", &[("current", PASSWORD), ("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)], Some(&cookie)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "nothing else until the password is renewed");
    let page = app.get("/passwort-festlegen", Some(&cookie)).await;
    assert!(page.body.contains("Ihr Passwort ist abgelaufen."), "{}", page.body);
    assert_eq!(app.get("/", Some(&cookie)).await.location(), Some("/passwort-festlegen"));

    let renew = |password: &'static str| {
        let (app, cookie) = (&app, cookie.clone());
        async move { app.call("auth/set_initial_password", &[("password", password), ("confirm", password)], Some(&cookie)).await }
    };
    let same = renew(PASSWORD).await;
    assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(serde_json::from_str::<AppError>(&same.body).unwrap().to_string(), Refusal::SameAsBefore.to_string());
    let renewed = renew(NEW_PASSWORD).await;
    assert_eq!((renewed.status, renewed.location()), (StatusCode::OK, Some("/")), "{}", renewed.body);
    let cookie = renewed.session_cookie().unwrap();
    assert_eq!(pending_of(&app, &cookie).await, Value::Null);
    app.state.outbox_worker().deliver_due().await.unwrap();
    let mails = mailbox.wait_for(2).await;
    assert_eq!(mails.len(), 2);
    assert!(unfold_quoted_printable(&mails[1]).contains("wurde soeben ge"), "the notice of a changed password");
    let audited: i64 = db::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'password_renewed_after_expiry'")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(audited, 1);

    // The new password has its own 90 days.
    app.state.clock.advance(89 * DAY);
    assert_eq!(pending_of(&app, &app.sign_in("alterung", NEW_PASSWORD).await).await, Value::Null);
}

#[tokio::test]
async fn the_operator_expires_the_passwords_of_one_customer_on_a_day() {
    let (app, mailbox) = smtp_app(&[]).await;
    customer_with_password(&app, "40002", "betroffen", PASSWORD).await;
    customer_with_password(&app, "40003", "verschont", PASSWORD).await;

    let unknown = expiry::expire_passwords_on(&app.state, expiry::parse_day("2030-01-01").unwrap(), Some("49999")).await;
    assert!(matches!(unknown, Err(ExpiryError::UnknownCustomer(_))));

    // Three days ahead, in the operator's time zone.
    let zone = &app.state.config.time_zone;
    let day = expiry::parse_day(&dates::german_date(START + 3 * DAY, zone)).unwrap();
    let users = expiry::expire_passwords_on(&app.state, day, Some("40002")).await.unwrap();
    assert_eq!(users, 1);
    assert_eq!(warn_and_deliver(&app).await, 1, "warned right away: the day is within the warning period");
    let mails = mailbox.wait_for(1).await;
    assert!(mails[0].contains("betroffen@kunden.example"));

    let expires_at = dates::start_of_day(day, zone);
    app.state.clock.advance(expires_at - START - 1);
    assert_eq!(pending_of(&app, &app.sign_in("betroffen", PASSWORD).await).await, Value::Null, "a second before");
    app.state.clock.advance(1);
    assert_eq!(pending_of(&app, &app.sign_in("betroffen", PASSWORD).await).await, "PasswordExpired");
    assert_eq!(pending_of(&app, &app.sign_in("verschont", PASSWORD).await).await, Value::Null, "another customer");
    assert_eq!(warn_and_deliver(&app).await, 0);
    assert_eq!(mailbox.len(), 1, "no warning for the customer not affected, none again for the other");
}

#[tokio::test]
async fn a_password_changed_before_the_day_is_not_expired() {
    let app = spawn_app().await;
    customer_with_password(&app, "40004", "vorsorge", PASSWORD).await;
    let zone = &app.state.config.time_zone;
    let day = expiry::parse_day(&dates::german_date(START + 10 * DAY, zone)).unwrap();
    expiry::expire_passwords_on(&app.state, day, None).await.unwrap();

    let cookie = app.sign_in("vorsorge", PASSWORD).await;
    let changed = app
        .call("auth/change_password", &[("current", PASSWORD), ("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)], Some(&cookie))
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    app.state.clock.advance(30 * DAY);
    assert_eq!(pending_of(&app, &app.sign_in("vorsorge", NEW_PASSWORD).await).await, Value::Null);
}

#[tokio::test]
async fn passwords_do_not_expire_by_default() {
    let app = spawn_app().await;
    customer_with_password(&app, "40005", "dauerhaft", PASSWORD).await;
    app.state.clock.advance(10 * 365 * DAY);
    assert_eq!(expiry::queue_expiry_warnings(&app.state).await.unwrap(), 0);
    // Ten years on, only a new privacy notice could stand in the way; there is none.
    assert_eq!(pending_of(&app, &app.sign_in("dauerhaft", PASSWORD).await).await, Value::Null);
}

#[tokio::test]
async fn turning_the_maximum_age_on_gives_old_passwords_the_warning_period_first() {
    let (app, mailbox) = smtp_app(&[("KP_PASSWORD_MAX_AGE_DAYS", "90"), ("KP_PASSWORD_EXPIRY_WARNING_DAYS", "14")]).await;
    customer_with_password(&app, "40006", "uralt", PASSWORD).await;
    // Set a year before the portal started with a maximum age.
    db::query("UPDATE users SET password_changed_at = $1").bind(START - 365 * DAY).execute(&app.state.pool).await.unwrap();

    assert_eq!(pending_of(&app, &app.sign_in("uralt", PASSWORD).await).await, Value::Null, "not expired on the spot");
    assert_eq!(warn_and_deliver(&app).await, 1);
    let mail = unfold_quoted_printable(&mailbox.wait_for(1).await[0]);
    assert!(mail.contains("in 14 Tagen"), "{mail}");

    // Restarting with the same setting keeps the moment it was turned on.
    app.state.clock.advance(14 * DAY - 1);
    app::jobs().run_at_start(&app.state).await.unwrap();
    assert_eq!(pending_of(&app, &app.sign_in("uralt", PASSWORD).await).await, Value::Null);
    app.state.clock.advance(1);
    assert_eq!(pending_of(&app, &app.sign_in("uralt", PASSWORD).await).await, "PasswordExpired");
}
