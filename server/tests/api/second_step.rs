//! The second factor in every way in (issue 23): the sign-in's second step,
//! the lockout it shares with passwords, the reset and invitation paths,
//! re-authentication, turning it off, requiring it for all, the
//! operator's reset and the mails.

use crate::common::*;
use app::auth::ssr::second_factor::{self, TotpSecret};
use app::domain::Refusal;
use app::error::AppError;
use app::routes;
use app::server::db;
use axum::http::{header, StatusCode};

const PASSWORD: &str = "Zweiter-Weg-1";

/// Turns the second factor on for `user` as Profil does, and moves the
/// clock to the next step (the confirming code's step is used up).
async fn second_factor_on(app: &TestApp, user: i64) -> (TotpSecret, Vec<String>) {
    let secret = TotpSecret::generate();
    second_factor::propose(&app.state.pool, user, &secret).await.unwrap();
    let now = app.state.clock.now();
    let codes = second_factor::confirm(&app.state.pool, user, &secret.code_at(now).unwrap(), now).await.unwrap().unwrap();
    app.state.clock.advance(30);
    (secret, codes)
}

fn current_code(app: &TestApp, secret: &TotpSecret) -> String {
    secret.code_at(app.state.clock.now()).unwrap()
}

fn wrong_code(app: &TestApp, secret: &TotpSecret) -> String {
    let now = app.state.clock.now();
    let used: Vec<String> = [now - 30, now, now + 30].iter().map(|at| secret.code_at(*at).unwrap()).collect();
    (0..).map(|n| format!("{:06}", 123_456 + n)).find(|code| !used.contains(code)).unwrap()
}

/// More than an hour later, the session kept alive meanwhile (30 minutes idle end it).
async fn an_hour_later(app: &TestApp, session: &str) {
    for _ in 0..3 {
        app.state.clock.advance(1201);
        assert_ne!(app.call("auth/current_user", &[], Some(session)).await.body, "null", "still signed in");
    }
}

/// `name=value` of the cookie `name` (plain-http names) a response sets.
fn cookie_set(response: &TestResponse, name: &str) -> Option<String> {
    response
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with(&format!("{name}=")))
        .map(|value| value.split(';').next().unwrap().to_owned())
}

/// A right password: no session, the second step's cookie instead.
async fn password_step(app: &TestApp, username: &str) -> String {
    let response = app.call("auth/login", &[("username", username), ("password", PASSWORD)], None).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.location(), Some(routes::SECOND_STEP));
    let session = response.session_cookie();
    assert!(session.as_ref().is_none_or(|cookie| cookie.ends_with('=')), "no session yet: {session:?}");
    cookie_set(&response, "kp_second_step").filter(|cookie| !cookie.ends_with('=')).expect("the second step's cookie")
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    db::query_scalar("SELECT action FROM audit_log ORDER BY id").fetch_all(&app.state.pool).await.unwrap()
}

fn refusal(response: &TestResponse) -> (Refusal, Option<String>) {
    match error_of(response) {
        AppError::Invalid { refusal, field } => (refusal, field),
        other => panic!("not a refusal: {other:?}"),
    }
}

#[tokio::test]
async fn a_right_password_opens_nothing_before_the_code() {
    let app = spawn_app().await;
    let user = customer_with_password(&app, "93001", "zweistufig", PASSWORD).await;
    let (secret, _) = second_factor_on(&app, user).await;
    let challenge = password_step(&app, "zweistufig").await;

    // The half-signed-in browser is nobody yet: no page, no server function, no app consent.
    let page = app.get(routes::DOCUMENTS, Some(&challenge)).await;
    assert_eq!((page.status, page.location()), (StatusCode::FOUND, Some(routes::LOGIN)));
    assert_eq!(app.call("auth/current_user", &[], Some(&challenge)).await.body, "null");
    let refused = app.call("profile/details", &[], Some(&challenge)).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    assert_eq!(app.call("auth/second_step_waiting", &[], Some(&challenge)).await.body, "true");
    assert_eq!(app.call("auth/second_step_waiting", &[], None).await.body, "false");

    let wrong = app.call("auth/second_step", &[("code", &wrong_code(&app, &secret))], Some(&challenge)).await;
    assert_eq!(refusal(&wrong), (Refusal::CodeWrong, Some("code".to_owned())));
    let empty = app.call("auth/second_step", &[("code", " ")], Some(&challenge)).await;
    assert_eq!(refusal(&empty).0, Refusal::CodeMissing);

    let right = app.call("auth/second_step", &[("code", &current_code(&app, &secret))], Some(&challenge)).await;
    assert_eq!(right.status, StatusCode::OK, "{}", right.body);
    assert_eq!(right.location(), Some(routes::HOME));
    let session = right.session_cookie().expect("signed in");
    assert!(cookie_set(&right, "kp_second_step").unwrap().ends_with('='), "the challenge's cookie goes");
    assert_eq!(app.get(routes::DOCUMENTS, Some(&session)).await.status, StatusCode::OK);

    // The challenge is used up; the same code once more is refused in a new one too.
    let again = app.call("auth/second_step", &[("code", &current_code(&app, &secret))], Some(&challenge)).await;
    assert_eq!(refusal(&again).0, Refusal::SignInExpired);
    let second_browser = password_step(&app, "zweistufig").await;
    let replayed = app.call("auth/second_step", &[("code", &current_code(&app, &secret))], Some(&second_browser)).await;
    assert_eq!(refusal(&replayed).0, Refusal::CodeWrong, "RFC 6238 §5.2: no code twice");

    let actions: Vec<String> = audit_actions(&app).await.into_iter().filter(|a| a.starts_with("login") || a.starts_with("second_factor")).collect();
    assert_eq!(&actions[..3], ["login_password_accepted", "second_factor_failed", "login"]);
}

#[tokio::test]
async fn the_second_step_waits_five_minutes_and_a_new_stamp_ends_it() {
    let app = spawn_app().await;
    let user = customer_with_password(&app, "93002", "geduldig", PASSWORD).await;
    let (secret, _) = second_factor_on(&app, user).await;
    let challenge = password_step(&app, "geduldig").await;
    app.state.clock.advance(5 * 60 + 1);
    let late = app.call("auth/second_step", &[("code", &current_code(&app, &secret))], Some(&challenge)).await;
    assert_eq!(refusal(&late).0, Refusal::SignInExpired);

    // A password reset meanwhile (a new security stamp) ends a waiting second step.
    let challenge = password_step(&app, "geduldig").await;
    db::query("UPDATE users SET security_stamp = 'neu' WHERE id = $1").bind(user).execute(&app.state.pool).await.unwrap();
    let ended = app.call("auth/second_step", &[("code", &current_code(&app, &secret))], Some(&challenge)).await;
    assert_eq!(refusal(&ended).0, Refusal::SignInExpired);
    // A cookie of someone else's challenge, or none, finds nothing.
    let none = app.call("auth/second_step", &[("code", &current_code(&app, &secret))], Some("kp_second_step=erfunden")).await;
    assert_eq!(refusal(&none).0, Refusal::SignInExpired);
}

#[tokio::test]
async fn wrong_codes_count_on_the_password_lockout_and_a_right_password_does_not_clear_it() {
    let app = spawn_app().await;
    let user = customer_with_password(&app, "93003", "rater", PASSWORD).await;
    let (secret, _) = second_factor_on(&app, user).await;
    // One try is a password and its first code: four tries with wrong codes …
    for _ in 0..4 {
        let challenge = password_step(&app, "rater").await;
        let wrong = app.call("auth/second_step", &[("code", &wrong_code(&app, &secret))], Some(&challenge)).await;
        assert_eq!(refusal(&wrong).0, Refusal::CodeWrong);
    }
    // … and a fifth code in the same second step is the fifth failure: the name waits.
    let challenge = password_step(&app, "rater").await;
    let fifth = app.call("auth/second_step", &[("code", &wrong_code(&app, &secret))], Some(&challenge)).await;
    assert_eq!(refusal(&fifth).0, Refusal::CodeWrong);
    let sixth = app.call("auth/second_step", &[("code", &current_code(&app, &secret))], Some(&challenge)).await;
    assert_eq!(refusal(&sixth), (Refusal::TooManyWrong, Some("code".to_owned())), "even the right code waits");
    let password = app.call("auth/login", &[("username", "rater"), ("password", PASSWORD)], None).await;
    assert_eq!(error_of(&password), AppError::InvalidCredentials, "the password waits too");

    // After the wait: the right password and the right code, and the counter is clear.
    app.state.clock.advance(31);
    let challenge = password_step(&app, "rater").await;
    let right = app.call("auth/second_step", &[("code", &current_code(&app, &secret))], Some(&challenge)).await;
    assert!(right.session_cookie().is_some(), "{}", right.body);
    assert_eq!(app.count("login_failures").await, 0);
    assert!(audit_actions(&app).await.contains(&"second_factor_refused_locked".to_owned()));
}

#[tokio::test]
async fn a_recovery_code_signs_in_once_and_the_user_is_told() {
    let app = spawn_app().await;
    let user = customer_with_password(&app, "93004", "ohne-telefon", PASSWORD).await;
    let (_, codes) = second_factor_on(&app, user).await;
    let challenge = password_step(&app, "ohne-telefon").await;
    let signed_in = app.call("auth/second_step", &[("code", &codes[0].to_uppercase())], Some(&challenge)).await;
    assert!(signed_in.session_cookie().is_some(), "{}", signed_in.body);
    let challenge = password_step(&app, "ohne-telefon").await;
    let again = app.call("auth/second_step", &[("code", &codes[0])], Some(&challenge)).await;
    assert_eq!(refusal(&again).0, Refusal::CodeWrong);
    let mail: String = db::query_scalar("SELECT body_text FROM mail_outbox WHERE kind = 'recovery_code_used'").fetch_one(&app.state.pool).await.unwrap();
    assert!(mail.contains("9 Codes sind noch übrig"), "{mail}");
    assert!(audit_actions(&app).await.contains(&"login_with_recovery_code".to_owned()));
}

#[tokio::test]
async fn a_password_reset_does_not_sign_in_past_the_second_factor() {
    let app = spawn_app().await;
    let user = customer_with_password(&app, "93005", "vergessen", PASSWORD).await;
    let (secret, _) = second_factor_on(&app, user).await;
    app::auth::ssr::links::request_reset(&app.state, "vergessen", None).await.unwrap();
    let mail: String = db::query_scalar("SELECT body_text FROM mail_outbox WHERE kind = 'password_reset'").fetch_one(&app.state.pool).await.unwrap();
    let (_, token) = link_in(&mail, routes::RESET_PASSWORD);
    let new_password = "Neues-Wort-92";
    let reset = app.call("auth/reset_password", &[("token", &token), ("password", new_password), ("confirm", new_password)], None).await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    assert!(reset.session_cookie().is_none());
    let login = app.call("auth/login", &[("username", "vergessen"), ("password", new_password)], None).await;
    assert_eq!(login.location(), Some(routes::SECOND_STEP), "the new password is only the first factor");
    assert!(second_factor::enabled_secret(&app.state.pool, user).await.unwrap() == Some(secret));
}

#[tokio::test]
async fn confirming_the_sign_in_and_turning_it_off_ask_for_a_code() {
    let app = spawn_app().await;
    let user = customer_with_password(&app, "93007", "bestaetiger", PASSWORD).await;
    let (secret, _) = second_factor_on(&app, user).await;
    let challenge = password_step(&app, "bestaetiger").await;
    let session = app.call("auth/second_step", &[("code", &current_code(&app, &secret))], Some(&challenge)).await.session_cookie().unwrap();
    an_hour_later(&app, &session).await;
    let touched = app.call("auth/current_user", &[], Some(&session)).await;
    assert!(touched.body.contains("\"recently_authenticated\":false"), "{}", touched.body);

    let without = app.call("auth/confirm_password", &[("password", PASSWORD), ("return_to", routes::USERS)], Some(&session)).await;
    assert_eq!(refusal(&without), (Refusal::CodeMissing, Some("code".to_owned())));
    let wrong = app.call("auth/confirm_password", &[("password", PASSWORD), ("code", &wrong_code(&app, &secret)), ("return_to", "/")], Some(&session)).await;
    assert_eq!(refusal(&wrong).0, Refusal::CodeWrong);
    let right = app.call("auth/confirm_password", &[("password", PASSWORD), ("code", &current_code(&app, &secret)), ("return_to", "/")], Some(&session)).await;
    assert_eq!(right.status, StatusCode::OK, "{}", right.body);
    let session = right.session_cookie().unwrap();

    // Off: the password and a code (the one just used is spent).
    app.state.clock.advance(30);
    let spent = app.call("auth/second_factor_off", &[("password", PASSWORD), ("code", &secret.code_at(app.state.clock.now() - 30).unwrap())], Some(&session)).await;
    assert_eq!(refusal(&spent).0, Refusal::CodeWrong);
    let bad_password = app.call("auth/second_factor_off", &[("password", "falsch"), ("code", &current_code(&app, &secret))], Some(&session)).await;
    assert_eq!(refusal(&bad_password).0, Refusal::CurrentWrong);
    let off = app.call("auth/second_factor_off", &[("password", PASSWORD), ("code", &current_code(&app, &secret))], Some(&session)).await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    assert_eq!(second_factor::enabled_secret(&app.state.pool, user).await.unwrap(), None);
    assert_eq!(app.count("recovery_codes").await, 0);
    assert!(app.sign_in("bestaetiger", PASSWORD).await.starts_with("kp_session="), "the password alone signs in again");
    let kinds: Vec<String> = db::query_scalar("SELECT kind FROM mail_outbox ORDER BY id").fetch_all(&app.state.pool).await.unwrap();
    assert!(kinds.contains(&"second_factor_off".to_owned()), "{kinds:?}");
}

#[tokio::test]
async fn profil_sets_it_up_with_a_code_and_shows_the_recovery_codes_once() {
    let app = spawn_app().await;
    let user = customer_with_password(&app, "93008", "einrichter", PASSWORD).await;
    let session = app.sign_in("einrichter", PASSWORD).await;
    assert_eq!(app.call("auth/second_factor_begin", &[], Some(&session)).await.status, StatusCode::OK);
    let status = app.call("auth/second_factor", &[], Some(&session)).await;
    assert!(status.body.contains("Proposed") && status.body.contains("<svg"), "{}", &status.body[..200.min(status.body.len())]);
    let stored: String = db::query_scalar("SELECT totp_secret FROM users WHERE id = $1").bind(user).fetch_one(&app.state.pool).await.unwrap();
    let secret = TotpSecret::from_base32(&stored).unwrap();
    assert!(status.body.contains(&secret.for_typing()), "the secret for typing");

    let wrong = app.call("auth/second_factor_confirm", &[("code", &wrong_code(&app, &secret))], Some(&session)).await;
    assert_eq!(refusal(&wrong), (Refusal::CodeWrong, Some("code".to_owned())));
    let confirmed = app.call("auth/second_factor_confirm", &[("code", &current_code(&app, &secret))], Some(&session)).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(confirmed.location(), Some(routes::RECOVERY_CODES));
    let codes_cookie = cookie_set(&confirmed, "kp_recovery_codes").unwrap();
    let both = format!("{session}; {codes_cookie}");
    let shown = app.call("auth/recovery_codes", &[], Some(&both)).await;
    let codes: Vec<String> = serde_json::from_str(&shown.body).unwrap();
    assert_eq!(codes.len(), 10);
    let file = app.get(routes::RECOVERY_CODES_FILE, Some(&both)).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(codes.iter().all(|code| file.body.contains(code.as_str())));
    assert_eq!(file.headers[header::CACHE_CONTROL], "no-store");
    // Without the cookie (another browser, or after "gespeichert"): nothing.
    assert_eq!(app.call("auth/recovery_codes", &[], Some(&session)).await.body, "[]");
    assert_eq!(app.get(routes::RECOVERY_CODES_FILE, Some(&session)).await.status, StatusCode::NOT_FOUND);
    let done = app.call("auth/recovery_codes_done", &[], Some(&both)).await;
    assert!(cookie_set(&done, "kp_recovery_codes").unwrap().ends_with('='));
    // Only the hashes are stored; the mail says it was turned on.
    let hashes: Vec<String> = db::query_scalar("SELECT code_hash FROM recovery_codes WHERE user_id = $1").bind(user).fetch_all(&app.state.pool).await.unwrap();
    assert!(codes.iter().all(|code| !hashes.contains(code)));
    let mail: String = db::query_scalar("SELECT body_text FROM mail_outbox WHERE kind = 'second_factor_on'").fetch_one(&app.state.pool).await.unwrap();
    assert!(mail.contains("einrichter"));
    // The secret of a set-up begun goes only to a session signed in within the hour.
    let hidden = customer_with_password(&app, "93013", "versteckt", PASSWORD).await;
    let session = app.sign_in("versteckt", PASSWORD).await;
    assert_eq!(app.call("auth/second_factor_begin", &[], Some(&session)).await.status, StatusCode::OK);
    let stored: String = db::query_scalar("SELECT totp_secret FROM users WHERE id = $1").bind(hidden).fetch_one(&app.state.pool).await.unwrap();
    an_hour_later(&app, &session).await;
    let status = app.call("auth/second_factor", &[], Some(&session)).await;
    assert!(!status.body.contains(&stored) && !status.body.contains("otpauth"), "{}", status.body);
    // Setting up needs a recent sign-in.
    let other = customer_with_password(&app, "93009", "spaet", PASSWORD).await;
    let late = app.sign_in("spaet", PASSWORD).await;
    an_hour_later(&app, &late).await;
    assert_eq!(error_of(&app.call("auth/second_factor_begin", &[], Some(&late)).await), AppError::ReauthRequired);
    assert!(second_factor::enabled_secret(&app.state.pool, other).await.unwrap().is_none());
}

#[tokio::test]
async fn required_for_all_users_sets_it_up_before_anything_else() {
    let app = spawn_app().await;
    let main = customer_with_password(&app, "93010", "chefin", PASSWORD).await;
    let customer_id = customer_id_of(&app, main).await;
    TestUser::sub("kollege").password(PASSWORD).create(&app, customer_id).await;
    let session = app.sign_in("chefin", PASSWORD).await;
    let refused = app.call("users/require_second_factor", &[("required", "on")], Some(&session)).await;
    assert_eq!(refusal(&refused).0, Refusal::SecondFactorOwnFirst);
    let colleague = app.sign_in("kollege", PASSWORD).await;
    assert_eq!(error_of(&app.call("users/require_second_factor", &[("required", "on")], Some(&colleague)).await), AppError::Forbidden);

    let (secret, _) = second_factor_on(&app, main).await;
    let required = app.call("users/require_second_factor", &[("required", "on")], Some(&session)).await;
    assert_eq!(required.status, StatusCode::OK, "{}", required.body);
    let list = app.call("users/list", &[], Some(&session)).await;
    assert!(list.body.contains("\"second_factor_required\":true"), "{}", list.body);

    // The colleague's next page is the set-up; nothing else opens.
    let page = app.get(routes::DOCUMENTS, Some(&colleague)).await;
    assert_eq!((page.status, page.location()), (StatusCode::FOUND, Some(routes::SECOND_FACTOR_SETUP)));
    let setup = app.get(routes::SECOND_FACTOR_SETUP, Some(&colleague)).await;
    assert_eq!(setup.status, StatusCode::OK);
    assert!(setup.body.contains("Zwei-Faktor-Anmeldung einrichten"), "the set-up page");
    assert_eq!(error_of(&app.call("profile/details", &[], Some(&colleague)).await), AppError::SetupPending);
    // An hour-old session (perhaps not the user's) binds no authenticator: the set-up wants a fresh sign-in.
    an_hour_later(&app, &colleague).await;
    assert_eq!(error_of(&app.call("auth/second_factor_begin", &[], Some(&colleague)).await), AppError::ReauthRequired);
    let colleague = app.sign_in("kollege", PASSWORD).await;
    assert_eq!(app.call("auth/second_factor_begin", &[], Some(&colleague)).await.status, StatusCode::OK, "a fresh sign-in sets it up");
    let kollege: i64 = db::query_scalar("SELECT id FROM users WHERE username = 'kollege'").fetch_one(&app.state.pool).await.unwrap();
    let stored: String = db::query_scalar("SELECT totp_secret FROM users WHERE id = $1").bind(kollege).fetch_one(&app.state.pool).await.unwrap();
    let theirs = TotpSecret::from_base32(&stored).unwrap();
    let confirmed = app.call("auth/second_factor_confirm", &[("code", &current_code(&app, &theirs))], Some(&colleague)).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert_eq!(app.get(routes::DOCUMENTS, Some(&colleague)).await.status, StatusCode::OK);

    // Required: it cannot be turned off.
    app.state.clock.advance(30);
    let fresh = password_step(&app, "chefin").await;
    let session = app.call("auth/second_step", &[("code", &current_code(&app, &secret))], Some(&fresh)).await.session_cookie().unwrap();
    app.state.clock.advance(30);
    let off = app.call("auth/second_factor_off", &[("password", PASSWORD), ("code", &current_code(&app, &secret))], Some(&session)).await;
    assert_eq!(refusal(&off).0, Refusal::SecondFactorRequired);
}

#[tokio::test]
async fn the_operators_reset_removes_it_is_audited_and_mailed() {
    let app = spawn_app().await;
    let user = customer_with_password(&app, "93011", "verloren", PASSWORD).await;
    second_factor_on(&app, user).await;
    let challenge = password_step(&app, "verloren").await;
    let reset = app::auth::ssr::second_factor_setup::reset_by_operator(&app.state, "Verloren").await.unwrap();
    assert_eq!(reset, Some(true));
    assert_eq!(app::auth::ssr::second_factor_setup::reset_by_operator(&app.state, "verloren").await.unwrap(), Some(false));
    assert_eq!(app::auth::ssr::second_factor_setup::reset_by_operator(&app.state, "niemand").await.unwrap(), None);
    assert_eq!(app.call("auth/second_step_waiting", &[], Some(&challenge)).await.body, "false", "a waiting second step ends");
    assert!(app.sign_in("verloren", PASSWORD).await.starts_with("kp_session="));
    let (actor, action): (String, String) =
        db::query_as("SELECT actor_kind, action FROM audit_log WHERE action = 'second_factor_reset_by_operator'").fetch_one(&app.state.pool).await.unwrap();
    assert_eq!((actor.as_str(), action.as_str()), ("operator", "second_factor_reset_by_operator"));
    let mail: String = db::query_scalar("SELECT body_text FROM mail_outbox WHERE kind = 'second_factor_off'").fetch_one(&app.state.pool).await.unwrap();
    assert!(mail.contains("zurückgesetzt"), "{mail}");
    insta::assert_snapshot!("mail_second_factor_reset_by_operator", mail);

    // In the language the user chose (Profil → Sprache), not the operator's default.
    db::query("UPDATE users SET language = 'en' WHERE id = $1").bind(user).execute(&app.state.pool).await.unwrap();
    second_factor_on(&app, user).await;
    assert_eq!(app::auth::ssr::second_factor_setup::reset_by_operator(&app.state, "verloren").await.unwrap(), Some(true));
    let mail: String = db::query_scalar("SELECT body_text FROM mail_outbox WHERE kind = 'second_factor_off' ORDER BY id DESC LIMIT 1")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert!(mail.contains("has reset two-factor sign-in"), "{mail}");
    insta::assert_snapshot!("mail_second_factor_reset_by_operator_en", mail);
}

#[tokio::test]
async fn the_apps_sign_in_in_the_browser_asks_for_the_code_before_the_consent() {
    let app = spawn_app().await;
    let user = customer_with_password(&app, "93012", "app-zwei", PASSWORD).await;
    let (secret, _) = second_factor_on(&app, user).await;
    let start = app.get(&authorize_address("zweifach"), None).await;
    assert_eq!(start.location(), Some(routes::LOGIN));
    let pending = cookie_set(&start, "kp_app_request").expect("the app's request waits for the sign-in");
    let login = app.call("auth/login", &[("username", "app-zwei"), ("password", PASSWORD)], Some(&pending)).await;
    assert_eq!(login.location(), Some(routes::SECOND_STEP), "the password alone does not reach the consent");
    let challenge = cookie_set(&login, "kp_second_step").unwrap();
    // With the challenge only, the app's request is still a signed-out one.
    let early = app.get(&authorize_address("zweifach"), Some(&format!("{challenge}; {pending}"))).await;
    assert_eq!(early.location(), Some(routes::LOGIN));
    let both = format!("{challenge}; {pending}");
    let right = app.call("auth/second_step", &[("code", &current_code(&app, &secret))], Some(&both)).await;
    let consent = right.location().unwrap().to_owned();
    assert!(consent.starts_with("/app-freigabe?") && consent.contains("state=zweifach"), "{consent}");
    let session = right.session_cookie().unwrap();
    let allowed = app.decide_app(&consent, true, &format!("{session}; {pending}")).await;
    assert!(param(allowed.location().unwrap(), "code").is_some(), "{:?}", allowed.location());
}

#[tokio::test]
async fn a_right_password_alone_never_clears_the_counter_of_a_user_with_a_second_factor() {
    let app = spawn_app().await;
    let user = customer_with_password(&app, "93014", "zaehler", PASSWORD).await;
    let (secret, _) = second_factor_on(&app, user).await;
    let challenge = password_step(&app, "zaehler").await;
    let session = app.call("auth/second_step", &[("code", &current_code(&app, &secret))], Some(&challenge)).await.session_cookie().unwrap();
    let failures = || async { db::query_scalar::<i64>("SELECT COALESCE(MAX(failures), 0) FROM login_failures").fetch_one(&app.state.pool).await.unwrap() };
    for _ in 0..3 {
        let challenge = password_step(&app, "zaehler").await;
        app.call("auth/second_step", &[("code", &wrong_code(&app, &secret))], Some(&challenge)).await;
    }
    assert_eq!(failures().await, 3);
    // Asking for an e-mail change with the right password, or setting one through a reset link, clears nothing.
    let asked = app.call("profile/request_email_change", &[("email", "neu@zaehler.example"), ("password", PASSWORD)], Some(&session)).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert_eq!(failures().await, 3, "the right password is not counted either");
    app::auth::ssr::links::request_reset(&app.state, "zaehler", None).await.unwrap();
    let mail: String = db::query_scalar("SELECT body_text FROM mail_outbox WHERE kind = 'password_reset'").fetch_one(&app.state.pool).await.unwrap();
    let (_, token) = link_in(&mail, routes::RESET_PASSWORD);
    let reset = app.call("auth/reset_password", &[("token", &token), ("password", PASSWORD), ("confirm", PASSWORD)], None).await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    assert_eq!(failures().await, 3);
    // Two more wrong codes: the fifth failure, and the name waits.
    for _ in 0..2 {
        let challenge = password_step(&app, "zaehler").await;
        app.call("auth/second_step", &[("code", &wrong_code(&app, &secret))], Some(&challenge)).await;
    }
    let login = app.call("auth/login", &[("username", "zaehler"), ("password", PASSWORD)], None).await;
    assert_eq!(error_of(&login), AppError::InvalidCredentials);
}
