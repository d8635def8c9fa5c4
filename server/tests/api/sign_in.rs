//! Signing in: first sign-in, password rules, lockout, per-address limits,
//! "Passwort vergessen", invitation links, sessions, CSRF and the access
//! guard — through the real router, a real SQLite file, a fixed clock and a
//! real SMTP server.

use app::routes;
use app::server::db;
use app::error::{AppError, Refusal};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use crate::common::*;
use serde_json::Value;

const PASSWORD: &str = "Grün-Tonne-7";
const INITIAL: &str = "Start-Passwort-1";
const NEW_PASSWORD: &str = "Blaue-Tonne-42";

/// Asks for a reset link for `identifier`, the only request so far, and
/// returns the token from the mail that arrives.
async fn mailed_reset_token(app: &TestApp, mailbox: &Mailbox, identifier: &str) -> String {
    request_reset(app, identifier, 0).await;
    deliver(app).await;
    link_in(&mailbox.wait_for(1).await[0], "/passwort-neu").1
}

async fn deliver(app: &TestApp) {
    app.state.outbox_worker().deliver_due().await.unwrap();
}

/// "Passwort vergessen" does its work after answering; waits for that work
/// and checks that `n` reset mails are queued in all.
async fn reset_mails_queued(app: &TestApp, n: i64) {
    app.background_work_done().await;
    let queued: i64 = db::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'password_reset'")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(queued, n, "reset mails queued");
}

/// Asks for a reset link for `identifier` and waits until its mail is queued.
async fn request_reset(app: &TestApp, identifier: &str, mails_before: i64) {
    let response = app.call("auth/request_reset", &[("identifier", identifier)], None).await;
    assert_eq!(response.status, StatusCode::OK);
    reset_mails_queued(app, mails_before + 1).await;
}

// ---- first sign-in ----------------------------------------------------------

#[tokio::test]
async fn first_sign_in_sets_an_own_password_then_accepts_the_privacy_notice_and_nothing_else_works_before() {
    let app = spawn_app().await;
    let user_id = customer_with_initial_password(&app, "50001", "anna", INITIAL).await;

    let login = app.call("auth/login", &[("username", "anna"), ("password", INITIAL)], None).await;
    assert_eq!(login.location(), Some("/passwort-festlegen"));
    let cookie = login.session_cookie().unwrap();
    assert_eq!(pending_of(&app, &cookie).await, "ChangePassword");

    // Every page and every other server function refuses until both steps are done.
    for path in ["/", "/dokumente", "/profil", "/datenschutz-akzeptieren"] {
        let page = app.get(path, Some(&cookie)).await;
        assert_eq!((page.status, page.location()), (StatusCode::FOUND, Some("/passwort-festlegen")), "{path}");
    }
    let change = app
        .call("auth/change_password", &[("current", INITIAL), ("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)], Some(&cookie))
        .await;
    assert_eq!(change.status, StatusCode::FORBIDDEN);
    assert_eq!(error_of(&change), AppError::SetupPending);
    let privacy = app.call("auth/accept_privacy", &[("version", "1")], Some(&cookie)).await;
    assert_eq!((privacy.status, error_of(&privacy)), (StatusCode::FORBIDDEN, AppError::SetupPending));
    assert_eq!(app.get("/passwort-festlegen", Some(&cookie)).await.status, StatusCode::OK);

    // The operator's password cannot simply be kept, and both fields must agree.
    let same = app.call("auth/set_initial_password", &[("password", INITIAL), ("confirm", INITIAL)], Some(&cookie)).await;
    assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_of(&same).to_string().contains("anderes Passwort"), "{}", same.body);
    let mismatch =
        app.call("auth/set_initial_password", &[("password", NEW_PASSWORD), ("confirm", "Blaue-Tonne-43")], Some(&cookie)).await;
    assert_eq!(error_of(&mismatch), AppError::Invalid { refusal: Refusal::PasswordsDiffer, field: Some("confirm".into()) });

    let set = app.call("auth/set_initial_password", &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)], Some(&cookie)).await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    assert_eq!(set.location(), Some("/datenschutz-akzeptieren"));
    let renewed = set.session_cookie().expect("a fresh session");
    assert_ne!(renewed, cookie);
    assert_eq!(app.call("auth/current_user", &[], Some(&cookie)).await.body, "null", "the old session ended");
    assert_eq!(pending_of(&app, &renewed).await, "AcceptPrivacy");
    let page = app.get("/", Some(&renewed)).await;
    assert_eq!(page.location(), Some("/datenschutz-akzeptieren"));
    let change = app
        .call("auth/change_password", &[("current", NEW_PASSWORD), ("password", PASSWORD), ("confirm", PASSWORD)], Some(&renewed))
        .await;
    assert_eq!(error_of(&change), AppError::SetupPending);

    // What the page showed is what gets accepted.
    let stale = app.call("auth/accept_privacy", &[("version", "7")], Some(&renewed)).await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    let accepted = app.call("auth/accept_privacy", &[("version", "1")], Some(&renewed)).await;
    assert_eq!((accepted.status, accepted.location()), (StatusCode::OK, Some("/")));
    assert_eq!(pending_of(&app, &renewed).await, Value::Null);
    let home = app.get("/", Some(&renewed)).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Hauptansicht"));
    assert_eq!(app.get("/passwort-festlegen", Some(&renewed)).await.location(), Some("/"));

    let stored: (i64, app::domain::UnixTime) =
        db::query_as("SELECT version, accepted_at FROM privacy_acceptances WHERE user_id = $1").bind(user_id).fetch_one(&app.state.pool).await.unwrap();
    assert_eq!(stored, (1, START));
    let must_change: bool = db::query_scalar("SELECT must_change_password FROM users WHERE id = $1").bind(user_id).fetch_one(&app.state.pool).await.unwrap();
    assert!(!must_change);
    assert_eq!(app.call("auth/login", &[("username", "anna"), ("password", INITIAL)], None).await.status, StatusCode::UNAUTHORIZED);

    // A new version of the notice is asked for again, at once.
    app::legal::ssr::publish_privacy_notice(&app.state.pool, "Neue Fassung.", START).await.unwrap();
    assert_eq!(pending_of(&app, &renewed).await, "AcceptPrivacy");
    assert_eq!(app.get("/dokumente", Some(&renewed)).await.location(), Some("/datenschutz-akzeptieren"));
    let again = app.call("auth/accept_privacy", &[("version", "2")], Some(&renewed)).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(app.get("/", Some(&renewed)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn abbrechen_on_a_first_sign_in_step_signs_out() {
    let app = spawn_app().await;
    customer_with_initial_password(&app, "50002", "bernd", INITIAL).await;
    let cookie = app.sign_in("bernd", INITIAL).await;
    let out = app.call("auth/logout", &[], Some(&cookie)).await;
    assert_eq!(out.location(), Some("/login"));
    assert_eq!(app.call("auth/current_user", &[], Some(&cookie)).await.body, "null");
}

#[tokio::test]
async fn every_password_rule_is_refused_on_the_server_with_its_german_message() {
    let app = spawn_app().await;
    customer_with_initial_password(&app, "50003", "berta2026x", INITIAL).await;
    let cookie = app.sign_in("berta2026x", INITIAL).await;
    let cases = [
        ("Kurz1", "8 bis 16 Zeichen"),
        ("Viel-zu-lang-fuer-1-Regel", "8 bis 16 Zeichen"),
        ("OhneZahlHier", "mindestens eine Zahl"),
        ("1234-5678", "mindestens ein Buchstabe"),
        ("Berta2026X", "nicht der Benutzername"),
        ("kunde 50003", "nicht der Kundenname"),
        ("Passwort123", "kein häufig verwendetes Passwort"),
    ];
    for (candidate, label) in cases {
        let response =
            app.call("auth/set_initial_password", &[("password", candidate), ("confirm", candidate)], Some(&cookie)).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{candidate}");
        let message = error_of(&response).to_string();
        assert!(message.starts_with("Das Passwort erfüllt nicht alle Regeln") && message.contains(label), "{candidate}: {message}");
        assert!(!message.contains(candidate), "the refused password is not echoed");
    }
    let rules: Value = serde_json::from_str(&app.call("auth/password_rules", &[], Some(&cookie)).await.body).unwrap();
    assert_eq!(rules["policy"]["min_len"], 8);
    assert_eq!(rules["username"], "berta2026x");
    assert_eq!(pending_of(&app, &cookie).await, "ChangePassword", "nothing was changed");
}

// ---- lockout and limits -----------------------------------------------------

#[tokio::test]
async fn ten_wrong_passwords_lock_the_name_until_the_wait_has_passed_whatever_its_case() {
    let app = spawn_app_with(&[("KP_LIMIT_LOGIN_PER_MINUTE", "1000")]).await;
    customer_with_password(&app, "50010", "Max", PASSWORD).await;
    let attempt = |username: &'static str, password: &'static str| {
        let app = &app;
        async move { app.call("auth/login", &[("username", username), ("password", password)], None).await }
    };
    let wrong = attempt("Max", "Falsch-Wort-1").await;
    for name in ["Max", "max", "Max", "MAX"] {
        attempt(name, "Falsch-Wort-1").await;
    }
    for _ in 0..5 {
        let refused = attempt("max", "Falsch-Wort-1").await;
        assert_eq!((refused.status, &refused.body), (wrong.status, &wrong.body));
    }
    // The right password gets exactly the answer a wrong one gets.
    let locked = attempt("mAx", PASSWORD).await;
    assert_eq!((locked.status, &locked.body), (StatusCode::UNAUTHORIZED, &wrong.body));
    assert!(locked.session_cookie().is_none());
    app.state.clock.advance(29);
    assert_eq!(attempt("Max", PASSWORD).await.status, StatusCode::UNAUTHORIZED, "still waiting");
    app.state.clock.advance(2);
    let accepted = attempt("Max", PASSWORD).await;
    assert_eq!(accepted.status, StatusCode::OK);
    assert_eq!(app.count("login_failures").await, 0, "success clears the counter");

    // The wait grows: five failures wait 30 s, the next failure after that 60 s.
    for _ in 0..5 {
        attempt("max", "Falsch-Wort-1").await;
    }
    app.state.clock.advance(31);
    attempt("max", "Falsch-Wort-1").await;
    app.state.clock.advance(59);
    assert_eq!(attempt("max", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    app.state.clock.advance(2);
    assert_eq!(attempt("max", PASSWORD).await.status, StatusCode::OK);

    let locked_audit: i64 = db::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'login_locked'")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(locked_audit, 3, "each failure that starts a wait is audited");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tries_sent_in_parallel_get_no_more_password_checks_than_tries_in_a_row() {
    let app = spawn_app_with(&[("KP_LIMIT_LOGIN_PER_MINUTE", "1000")]).await;
    customer_with_password(&app, "50012", "otto", PASSWORD).await;
    for _ in 0..4 {
        app.call("auth/login", &[("username", "otto"), ("password", "Falsch-Wort-1")], None).await;
    }
    let burst = (0..8).map(|_| app.call("auth/login", &[("username", "otto"), ("password", "Falsch-Wort-2")], None));
    let answers = futures_util::future::join_all(burst).await;
    assert!(answers.iter().all(|a| a.status == StatusCode::UNAUTHORIZED));
    let count = |action: &'static str| {
        let pool = app.state.pool.clone();
        async move {
            db::query_scalar::<i64>("SELECT COUNT(*) FROM audit_log WHERE action = $1").bind(action).fetch_one(&pool).await.unwrap()
        }
    };
    assert_eq!(count("login_failed").await, 5, "only the fifth try of the burst was checked");
    assert_eq!(count("login_refused_locked").await, 7);
}

#[tokio::test]
async fn wrong_current_passwords_in_the_profile_count_towards_the_lockout() {
    let app = spawn_app_with(&[("KP_LIMIT_LOGIN_PER_MINUTE", "1000")]).await;
    customer_with_password(&app, "50013", "rita", PASSWORD).await;
    let cookie = app.sign_in("rita", PASSWORD).await;
    let change = |current: &'static str| {
        let (app, cookie) = (&app, cookie.clone());
        async move {
            app.call("auth/change_password", &[("current", current), ("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)], Some(&cookie))
                .await
        }
    };
    for _ in 0..5 {
        assert_eq!(error_of(&change("Falsch-Wort-1").await), AppError::Invalid { refusal: Refusal::CurrentWrong, field: Some("current".into()) });
    }
    let waiting = change(PASSWORD).await;
    assert_eq!(error_of(&waiting), AppError::Invalid { refusal: Refusal::TooManyWrong, field: Some("current".into()) });
    app.state.clock.advance(31);
    assert_eq!(change(PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn unknown_names_are_counted_like_known_ones() {
    let app = spawn_app().await;
    for _ in 0..5 {
        app.call("auth/login", &[("username", "Niemand"), ("password", "Falsch-Wort-1")], None).await;
    }
    let (key, locked): (String, Option<app::domain::UnixTime>) =
        db::query_as("SELECT identifier_key, locked_until FROM login_failures").fetch_one(&app.state.pool).await.unwrap();
    assert_eq!(key, "niemand");
    assert_eq!(locked, Some(START + 30));
}

#[tokio::test]
async fn each_address_has_a_limit_on_sign_in_reset_and_links() {
    let app = spawn_app_with(&[
        ("KP_LIMIT_LOGIN_PER_MINUTE", "3"),
        ("KP_LIMIT_RESET_PER_MINUTE", "2"),
        ("KP_LIMIT_LINK_PER_MINUTE", "2"),
        ("KP_TRUSTED_PROXIES", "10.0.0.2"),
    ])
    .await;
    let login = [("username", "wer"), ("password", "Falsch-Wort-1")];
    for _ in 0..3 {
        assert_eq!(app.call_from("198.51.100.1:1000", "auth/login", &login).await.status, StatusCode::UNAUTHORIZED);
    }
    let limited = app.call_from("198.51.100.1:1001", "auth/login", &login).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = limited.headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert!(error_of(&limited).to_string().starts_with("Zu viele Versuche"));
    assert_eq!(app.call_from("198.51.100.2:1000", "auth/login", &login).await.status, StatusCode::UNAUTHORIZED, "another address");

    for _ in 0..2 {
        assert_eq!(app.call_from("198.51.100.3:1", "auth/request_reset", &[("identifier", "wer")]).await.status, StatusCode::OK);
    }
    assert_eq!(app.call_from("198.51.100.3:1", "auth/request_reset", &[("identifier", "wer")]).await.status, StatusCode::TOO_MANY_REQUESTS);

    let link = [("kind", "Invitation"), ("token", "x")];
    for _ in 0..2 {
        assert_eq!(app.call_from("198.51.100.4:1", "auth/link_info", &link).await.status, StatusCode::GONE);
    }
    assert_eq!(app.call_from("198.51.100.4:1", "auth/link_info", &link).await.status, StatusCode::TOO_MANY_REQUESTS);
    // Opening a link's page checks the link too, so it counts the same.
    for _ in 0..2 {
        assert_eq!(app.get("/passwort-neu?token=geraten", None).await.status, StatusCode::GONE);
    }
    let page = app.get("/passwort-neu?token=geraten", None).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.headers.contains_key(header::RETRY_AFTER));
    assert!(page.body.contains("Zu viele Versuche"), "{}", page.body);

    // Behind the trusted proxy the rightmost X-Forwarded-For entry is the client;
    // what the client itself put further left changes nothing.
    let via_proxy = |forwarded: &'static str| {
        let mut request = server_fn_request("auth/login", None)
            .header("x-forwarded-for", forwarded)
            .body(Body::from(form_body(&login)))
            .unwrap();
        request.extensions_mut().insert(axum::extract::ConnectInfo("10.0.0.2:443".parse::<std::net::SocketAddr>().unwrap()));
        request
    };
    for spoof in ["1.1.1.1, 203.0.113.5", "2.2.2.2, 203.0.113.5", "3.3.3.3, 203.0.113.5"] {
        assert_eq!(app.request(via_proxy(spoof)).await.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.request(via_proxy("4.4.4.4, 203.0.113.5")).await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.request(via_proxy("203.0.113.6")).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_full_hashing_queue_answers_503_with_retry_after_instead_of_stalling() {
    let app = spawn_app().await;
    customer_with_password(&app, "50011", "paula", PASSWORD).await;
    let queue = app.state.hashing_queue.clone();
    let held = queue.clone().acquire_many_owned(queue.available_permits() as u32).await.unwrap();
    let busy = app.call("auth/login", &[("username", "paula"), ("password", PASSWORD)], None).await;
    assert_eq!(busy.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(busy.headers[header::RETRY_AFTER], "2");
    assert_eq!(error_of(&busy), AppError::Busy);
    drop(held);
    assert_eq!(app.call("auth/login", &[("username", "paula"), ("password", PASSWORD)], None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn without_javascript_a_refused_form_comes_back_with_its_message() {
    let app = spawn_app().await;
    customer_with_initial_password(&app, "50014", "sven", INITIAL).await;
    let cookie = app.sign_in("sven", INITIAL).await;
    let plain_post = |endpoint: &str, form: &[(&str, &str)]| plain_form_post(endpoint, form, &cookie);
    let weak = app.request(plain_post("auth/set_initial_password", &[("password", "kurz"), ("confirm", "kurz")])).await;
    assert_eq!((weak.status, weak.location()), (StatusCode::FOUND, Some("/passwort-festlegen?fehler=regeln&feld=password")));
    let page = app.get("/passwort-festlegen?fehler=regeln&feld=password", Some(&cookie)).await;
    refused_at_field(&page.body, "password", &Refusal::PasswordRules(Vec::new()).to_string(), &["confirm"]);
    assert!(tag_with_id(&page.body, "password").contains("aria-describedby=\"password-rules password-fehler\""), "the rules stay tied to it");

    let differ = app
        .request(plain_post("auth/set_initial_password", &[("password", NEW_PASSWORD), ("confirm", "Blaue-Tonne-43")]))
        .await;
    assert_eq!(differ.location(), Some("/passwort-festlegen?fehler=gleich&feld=confirm"));
    let page = app.get("/passwort-festlegen?fehler=gleich&feld=confirm", Some(&cookie)).await;
    refused_at_field(&page.body, "confirm", &Refusal::PasswordsDiffer.to_string(), &["password"]);

    let link = app
        .request(plain_post("auth/reset_password", &[("token", "abc\r\nSet-Cookie: x"), ("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)]))
        .await;
    assert_eq!(link.location(), Some("/passwort-neu?token=abcSet-Cookiex&fehler=link"));

    let crafted = app.get("/passwort-vergessen?fehler=Bitte%20rufen%20Sie%200900%20an", None).await;
    assert!(!crafted.body.contains("0900") && crafted.body.contains(&Refusal::NotAccepted.to_string()));
}

// ---- Passwort vergessen -----------------------------------------------------

/// Status, body and every header except the date: what a caller can compare.
fn observable(response: &TestResponse) -> (StatusCode, String, Vec<(String, String)>) {
    let mut headers: Vec<(String, String)> = response
        .headers
        .iter()
        .filter(|(name, _)| *name != header::DATE && *name != header::CONTENT_SECURITY_POLICY)
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or_default().to_owned()))
        .collect();
    headers.sort();
    (response.status, response.body.clone(), headers)
}

#[tokio::test]
async fn reset_answers_the_same_for_existing_unknown_and_inactive_users_and_mails_only_the_existing_one() {
    let (app, mailbox) = smtp_app(&[("KP_LIMIT_RESET_PER_MINUTE", "100")]).await;
    customer_with_password(&app, "50020", "carla", PASSWORD).await;
    let inactive = customer_with_password(&app, "50021", "dora", PASSWORD).await;
    db::query("UPDATE users SET active = FALSE WHERE id = $1").bind(inactive).execute(&app.state.pool).await.unwrap();

    let mut answers = Vec::new();
    for identifier in ["carla", "niemand", "dora", "dora@kunden.example", "niemand@kunden.example"] {
        let response = app.call("auth/request_reset", &[("identifier", identifier)], None).await;
        assert_eq!(response.status, StatusCode::OK, "{identifier}");
        answers.push(observable(&response));
    }
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:#?}");
    assert!(answers[0].2.iter().all(|(name, _)| name != "set-cookie"));

    reset_mails_queued(&app, 1).await;
    deliver(&app).await;
    // Delivery returns once the SMTP server has accepted the message.
    let messages = mailbox.all();
    assert_eq!(mailbox.len(), 1, "only carla gets a mail");
    let mail = unfold_quoted_printable(&messages[0]);
    assert!(mail.contains("To: carla@kunden.example"), "{mail}");
    let (link, _) = link_in(&mail, "/passwort-neu");
    assert!(link.starts_with("https://portal.example.com/passwort-neu?token="), "{link}");
    let tokens: Vec<i64> = db::query_scalar("SELECT user_id FROM tokens WHERE purpose = 'password_reset'").fetch_all(&app.state.pool).await.unwrap();
    assert_eq!(tokens.len(), 1);
    assert!(!tokens.contains(&inactive));
}

#[tokio::test]
async fn a_reset_link_works_once_ends_every_session_unlocks_and_tells_the_user() {
    let (app, mailbox) = smtp_app(&[("KP_LIMIT_LOGIN_PER_MINUTE", "1000")]).await;
    customer_with_password(&app, "50022", "emil", PASSWORD).await;
    let other_browser = app.sign_in("emil", PASSWORD).await;

    // A second request (after the 5-minute cooldown) voids the first link.
    request_reset(&app, "emil@kunden.example", 0).await;
    app.state.clock.advance(5 * 60 + 1);
    request_reset(&app, "EMIL", 1).await;
    for _ in 0..5 {
        app.call("auth/login", &[("username", "Emil"), ("password", "Falsch-Wort-1")], None).await;
    }
    assert_eq!(app.call("auth/login", &[("username", "emil"), ("password", PASSWORD)], None).await.status, StatusCode::UNAUTHORIZED);
    deliver(&app).await;
    let messages = mailbox.wait_for(2).await;
    let (_, first) = link_in(&messages[0], "/passwort-neu");
    let (_, second) = link_in(&messages[1], "/passwort-neu");
    let use_link = |token: String, password: &'static str| {
        let app = &app;
        async move {
            app.call("auth/reset_password", &[("token", &token), ("password", password), ("confirm", password)], None).await
        }
    };
    let voided = use_link(first, NEW_PASSWORD).await;
    assert_eq!((voided.status, error_of(&voided)), (StatusCode::GONE, AppError::LinkInvalid));

    let page = app.get(&format!("/passwort-neu?token={second}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers[header::REFERRER_POLICY], "no-referrer");
    assert_eq!(page.headers[header::CACHE_CONTROL], "no-store");
    assert!(page.body.contains("emil"), "the page names the user");

    let weak = use_link(second.clone(), "kurz").await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY, "a refused password leaves the link usable");
    let done = use_link(second.clone(), NEW_PASSWORD).await;
    assert_eq!((done.status, done.location()), (StatusCode::OK, Some("/login?passwort=neu")), "{}", done.body);
    assert_eq!(use_link(second, "Noch-ein-Neues-5").await.status, StatusCode::GONE, "used once");

    assert_eq!(app.call("auth/current_user", &[], Some(&other_browser)).await.body, "null", "sessions ended");
    assert_eq!(app.count("sessions").await, 0);
    assert_eq!(app.call("auth/login", &[("username", "emil"), ("password", PASSWORD)], None).await.status, StatusCode::UNAUTHORIZED);
    let signed_in = app.call("auth/login", &[("username", "emil"), ("password", NEW_PASSWORD)], None).await;
    assert_eq!(signed_in.status, StatusCode::OK, "the reset lifted the lock");

    deliver(&app).await;
    let messages = mailbox.wait_for(3).await;
    let notice = unfold_quoted_printable(&messages[2]);
    assert!(notice.contains("das Passwort Ihres Benutzers emil") && notice.contains("To: emil@kunden.example"), "{notice}");
    assert!(!notice.contains(NEW_PASSWORD));
}

#[tokio::test]
async fn a_reset_link_fails_after_an_hour() {
    let (app, mailbox) = smtp_app(&[]).await;
    customer_with_password(&app, "50023", "frieda", PASSWORD).await;
    let token = mailed_reset_token(&app, &mailbox, "frieda").await;
    app.state.clock.advance(59 * 60);
    let info = app.call("auth/link_info", &[("kind", "PasswordReset"), ("token", &token)], None).await;
    assert_eq!(info.status, StatusCode::OK);
    app.state.clock.advance(60 + 1);
    let info = app.call("auth/link_info", &[("kind", "PasswordReset"), ("token", &token)], None).await;
    assert_eq!(info.status, StatusCode::GONE);
    let late = app
        .call("auth/reset_password", &[("token", &token), ("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)], None)
        .await;
    assert_eq!(late.status, StatusCode::GONE);
    assert!(error_of(&late).to_string().contains("abgelaufen"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_two_concurrent_uses_of_one_link_exactly_one_wins() {
    let (app, mailbox) = smtp_app(&[]).await;
    customer_with_password(&app, "50024", "gerd", PASSWORD).await;
    let token = mailed_reset_token(&app, &mailbox, "gerd").await;
    let first = [("token", token.as_str()), ("password", "Erstes-Wort-1"), ("confirm", "Erstes-Wort-1")];
    let second = [("token", token.as_str()), ("password", "Zweites-Wort-2"), ("confirm", "Zweites-Wort-2")];
    let (a, b) = tokio::join!(app.call("auth/reset_password", &first, None), app.call("auth/reset_password", &second, None));
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::GONE], "{} / {}", a.body, b.body);
    let winner = if a.status == StatusCode::OK { "Erstes-Wort-1" } else { "Zweites-Wort-2" };
    let loser = if a.status == StatusCode::OK { "Zweites-Wort-2" } else { "Erstes-Wort-1" };
    assert_eq!(app.call("auth/login", &[("username", "gerd"), ("password", winner)], None).await.status, StatusCode::OK);
    assert_eq!(app.call("auth/login", &[("username", "gerd"), ("password", loser)], None).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn users_sharing_an_address_get_one_mail_with_a_link_each() {
    let (app, mailbox) = smtp_app(&[]).await;
    for (number, username) in [("50025", "hof1"), ("50026", "hof2")] {
        let id = customer_with_password(&app, number, username, PASSWORD).await;
        db::query("UPDATE users SET email = 'buero@hof.example' WHERE id = $1").bind(id).execute(&app.state.pool).await.unwrap();
    }
    request_reset(&app, "Buero@Hof.example", 0).await;
    deliver(&app).await;
    let mail = unfold_quoted_printable(&mailbox.wait_for(1).await[0]);
    assert!(mail.contains("hof1") && mail.contains("hof2"), "{mail}");
    let links: std::collections::HashSet<&str> =
        mail.split("token=").skip(1).map(|rest| &rest[..43]).collect();
    assert_eq!(links.len(), 2, "one link per user");
}

// ---- invitation -------------------------------------------------------------

#[tokio::test]
async fn an_invitation_link_sets_the_password_once_signs_in_and_asks_for_the_privacy_notice() {
    let (app, mailbox) = smtp_app(&[]).await;
    invited_customer(&app, "50030", "hanna", "hanna@kunden.example").await;
    deliver(&app).await;
    let (link, token) = link_in(&mailbox.wait_for(1).await[0], "/einladung");
    assert!(link.starts_with("https://portal.example.com/einladung?token="));

    let page = app.get(&format!("/einladung?token={token}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.headers[header::REFERRER_POLICY], "no-referrer");
    assert!(page.body.contains("hanna") && page.body.contains("Neues Passwort bestätigen"));
    assert!(page.body.contains("mindestens eine Zahl"), "the rules are listed");

    let accept = |password: &'static str| {
        let (app, token) = (&app, token.clone());
        async move {
            app.call("auth/accept_invitation", &[("token", &token), ("password", password), ("confirm", password)], None).await
        }
    };
    assert_eq!(accept("hanna").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A refused password does not use the link up: its page still works.
    let page = app.get(&format!("/einladung?token={token}"), None).await;
    assert_eq!(page.status, StatusCode::OK, "a working link's page");
    let accepted = accept(NEW_PASSWORD).await;
    assert_eq!((accepted.status, accepted.location()), (StatusCode::OK, Some("/datenschutz-akzeptieren")), "{}", accepted.body);
    let cookie = accepted.session_cookie().expect("signed in");
    assert_eq!(pending_of(&app, &cookie).await, "AcceptPrivacy");
    assert_eq!(accept("Noch-ein-Neues-5").await.status, StatusCode::GONE, "the link works once");
    let used = app.get(&format!("/einladung?token={token}"), None).await;
    assert_eq!(used.status, StatusCode::GONE);
    assert!(used.body.contains("ungültig") && used.body.contains("Neuen Link anfordern"));
}

#[tokio::test]
async fn an_invitation_link_expires_after_the_configured_time() {
    let app = spawn_app_with(&[("KP_INVITATION_TTL_HOURS", "72")]).await;
    invited_customer(&app, "50031", "ines", "ines@kunden.example").await;
    let body: String = db::query_scalar("SELECT body_text FROM mail_outbox WHERE kind = 'invitation'").fetch_one(&app.state.pool).await.unwrap();
    let (_, token) = link_in(&body, "/einladung");
    app.state.clock.advance(72 * 3600 + 1);
    let late = app
        .call("auth/accept_invitation", &[("token", &token), ("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)], None)
        .await;
    assert_eq!(late.status, StatusCode::GONE);
    assert_eq!(app.get(&format!("/einladung?token={token}"), None).await.status, StatusCode::GONE);
    assert_eq!(app.count("sessions").await, 0);
}

// ---- sessions and CSRF ------------------------------------------------------

#[tokio::test]
async fn a_password_change_ends_the_users_other_sessions() {
    let app = spawn_app().await;
    customer_with_password(&app, "50040", "jana", PASSWORD).await;
    let laptop = app.sign_in("jana", PASSWORD).await;
    let phone = app.sign_in("jana", PASSWORD).await;

    let wrong = app
        .call("auth/change_password", &[("current", "Falsch-Wort-1"), ("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)], Some(&laptop))
        .await;
    assert_eq!(error_of(&wrong), AppError::Invalid { refusal: Refusal::CurrentWrong, field: Some("current".into()) });
    let changed = app
        .call("auth/change_password", &[("current", PASSWORD), ("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)], Some(&laptop))
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let renewed = changed.session_cookie().unwrap();

    let refused = app
        .call("auth/change_password", &[("current", NEW_PASSWORD), ("password", PASSWORD), ("confirm", PASSWORD)], Some(&phone))
        .await;
    assert_eq!((refused.status, error_of(&refused)), (StatusCode::UNAUTHORIZED, AppError::NotSignedIn));
    assert_eq!(app.get("/", Some(&phone)).await.location(), Some("/login"));
    assert_eq!(app.call("auth/current_user", &[], Some(&laptop)).await.body, "null", "the old id is gone too");
    assert_eq!(app.get("/", Some(&renewed)).await.status, StatusCode::OK);
    let notices: i64 = db::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'password_changed'").fetch_one(&app.state.pool).await.unwrap();
    assert_eq!(notices, 1);
}

#[tokio::test]
async fn cross_site_posts_are_refused() {
    let app = spawn_app().await;
    customer_with_password(&app, "50041", "kurt", PASSWORD).await;
    let form = form_body(&[("username", "kurt"), ("password", PASSWORD)]);
    let post = |headers: &[(&str, &str)]| {
        let mut builder = Request::post("/api/auth/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(Body::from(form.clone())).unwrap()
    };
    let refused_cases: [&[(&str, &str)]; 5] = [
        &[("sec-fetch-site", "cross-site")],
        &[("sec-fetch-site", "same-site")],
        &[("sec-fetch-site", "cross-site"), ("origin", "http://127.0.0.1:3000")],
        &[("origin", "https://evil.example")],
        &[],
    ];
    for headers in refused_cases {
        let response = app.request(post(headers)).await;
        assert_eq!(response.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(error_of(&response), AppError::CrossSite);
        assert!(response.session_cookie().is_none());
    }
    assert_eq!(app.count("sessions").await, 0);
    for headers in [&[("sec-fetch-site", "same-origin")][..], &[("origin", "http://127.0.0.1:3000")][..]] {
        assert_eq!(app.request(post(headers)).await.status, StatusCode::OK, "{headers:?}");
    }
}

// ---- the access guard: every server function and page × every kind of caller ----

#[derive(Debug, Clone, Copy, PartialEq)]
enum Access {
    /// Answers without a session by design (a mailed link's token, if any, is the access).
    Public,
    /// Needs a session, also one that must still finish the first sign-in.
    Session,
    /// Needs a session that has finished the first sign-in.
    User,
    /// …and the right "Benutzer verwalten" (the main user has every right).
    ManageUsers,
    /// …and the right "Weiterleitungen verwalten".
    ManageForwardings,
    /// Granting rights: the main user only.
    MainUserOnly,
}

/// Every server function, its guard and arguments that parse (and change
/// nothing that matters: ids that do not exist, input that is refused). A
/// server function missing here fails the test below: decide its guard first.
const SERVER_FUNCTIONS: &[(&str, Access, &[(&str, &str)])] = &[
    ("/api/auth/current_user", Access::Public, &[]),
    ("/api/auth/login", Access::Public, &[("username", "wer"), ("password", "Falsch-Wort-1")]),
    ("/api/auth/logout", Access::Public, &[]),
    ("/api/auth/request_reset", Access::Public, &[("identifier", "wer")]),
    ("/api/auth/link_info", Access::Public, &[("kind", "Invitation"), ("token", "x")]),
    ("/api/auth/reset_password", Access::Public, &[("token", "x"), ("password", "Neu-Passwort-9"), ("confirm", "Neu-Passwort-9")]),
    ("/api/auth/accept_invitation", Access::Public, &[("token", "x"), ("password", "Neu-Passwort-9"), ("confirm", "Neu-Passwort-9")]),
    ("/api/site/info", Access::Public, &[]),
    ("/api/site/legal", Access::Public, &[("kind", "Contact")]),
    ("/api/auth/password_rules", Access::Session, &[]),
    ("/api/auth/set_initial_password", Access::Session, &[("password", "kurz"), ("confirm", "kurz")]),
    ("/api/auth/accept_privacy", Access::Session, &[("version", "1")]),
    ("/api/auth/change_password", Access::User, &[("current", "x"), ("password", "Neu-Passwort-9"), ("confirm", "Neu-Passwort-9")]),
    ("/api/auth/sign_out_elsewhere", Access::User, &[]),
    ("/api/auth/sign_ins", Access::User, &[]),
    ("/api/auth/end_sign_in", Access::User, &[("id", "0000000000000000")]),
    ("/api/auth/app_consent", Access::User, &[("query", "")]),
    ("/api/auth/confirm_password", Access::User, &[("password", "Falsch-Wort-1"), ("return_to", "/")]),
    ("/api/auth/second_step", Access::Public, &[("code", "123456")]),
    ("/api/auth/passkeys_available", Access::Public, &[]),
    ("/api/auth/passkey_sign_in_start", Access::Public, &[]),
    ("/api/auth/passkey_sign_in", Access::Public, &[("ceremony", "x"), ("credential", "{}")]),
    ("/api/auth/passkeys", Access::User, &[]),
    ("/api/auth/passkey_add_start", Access::User, &[("name", "Laptop")]),
    ("/api/auth/passkey_add", Access::User, &[("ceremony", "x"), ("credential", "{}")]),
    ("/api/auth/passkey_remove", Access::User, &[("id", "999999")]),
    ("/api/auth/second_step_waiting", Access::Public, &[]),
    ("/api/auth/second_factor", Access::User, &[]),
    ("/api/auth/second_factor_begin", Access::User, &[]),
    ("/api/auth/second_factor_confirm", Access::User, &[("code", "")]),
    ("/api/auth/recovery_codes", Access::User, &[]),
    ("/api/auth/recovery_codes_renew", Access::User, &[]),
    ("/api/auth/recovery_codes_done", Access::User, &[]),
    ("/api/auth/second_factor_off", Access::User, &[("password", "Falsch-Wort-1"), ("code", "123456")]),
    ("/api/documents/list", Access::User, &[("query[search]", ""), ("query[type_key]", ""), ("query[from]", ""), ("query[to]", ""), ("query[sort]", "Provided"), ("query[descending]", "true"), ("query[per_page]", "25"), ("query[page]", "1")]),
    ("/api/documents/types", Access::User, &[]),
    ("/api/documents/show", Access::User, &[("address", "/dokumente")]),
    ("/api/documents/new_count", Access::User, &[]),
    ("/api/documents/einvoice", Access::User, &[("id", "999999")]),
    ("/api/profile/notification", Access::User, &[]),
    ("/api/profile/set_notification", Access::User, &[("mode", "unbekannt")]),
    ("/api/profile/language", Access::User, &[]),
    ("/api/profile/set_language", Access::User, &[("sprache", "fr")]),
    ("/api/profile/details", Access::User, &[]),
    ("/api/profile/set_name", Access::User, &[("salutation", "dr"), ("first_name", ""), ("last_name", "")]),
    ("/api/profile/request_email_change", Access::User, &[("email", "kein-at"), ("password", "x")]),
    ("/api/profile/email_change_info", Access::Public, &[("token", "x")]),
    ("/api/profile/confirm_email_change", Access::Public, &[("token", "x")]),
    ("/api/forwardings/list", Access::ManageForwardings, &[]),
    ("/api/forwardings/add", Access::ManageForwardings, &[("email", "a@b.example"), ("confirm", "x@b.example"), ("type_key", "")]),
    ("/api/forwardings/remove", Access::ManageForwardings, &[("id", "999999")]),
    ("/api/forwardings/delivery_log", Access::ManageForwardings, &[("document_id", "999999")]),
    ("/api/forwardings/confirmation_info", Access::Public, &[("token", "x")]),
    ("/api/forwardings/confirm", Access::Public, &[("token", "x")]),
    ("/api/forwardings/decline", Access::Public, &[("token", "x")]),
    ("/api/forwardings/end_info", Access::Public, &[("token", "x")]),
    ("/api/forwardings/end", Access::Public, &[("token", "x")]),
    ("/api/users/list", Access::ManageUsers, &[]),
    ("/api/users/add", Access::ManageUsers, &[("username", "x"), ("email", "x@b.example")]),
    ("/api/users/resend_invitation", Access::ManageUsers, &[("id", "999999")]),
    ("/api/users/set_active", Access::ManageUsers, &[("id", "999999"), ("active", "false")]),
    ("/api/users/set_rights", Access::MainUserOnly, &[("id", "999999")]),
    ("/api/users/require_second_factor", Access::MainUserOnly, &[]),
    ("/api/users/remove", Access::ManageUsers, &[("id", "999999")]),
    ("/api/activity/list", Access::ManageUsers, &[("query[user]", ""), ("query[from]", ""), ("query[to]", ""), ("query[page]", "1")]),
];

/// Who calls, in the rights matrix.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Caller {
    MainUser,
    ManagesUsers,
    ManagesForwardings,
    NoRights,
    OtherCustomer,
    SignedOut,
    FirstSignInOpen,
    PasswordExpired,
    Deactivated,
}

/// What the guard answers `caller` for `access`: `None` when it lets the call through.
fn expected_refusal(access: Access, caller: Caller) -> Option<AppError> {
    use Caller::*;
    match (access, caller) {
        (Access::Public, _) => None,
        (_, SignedOut | Deactivated) => Some(AppError::NotSignedIn),
        (Access::Session, _) => None,
        (_, FirstSignInOpen | PasswordExpired) => Some(AppError::SetupPending),
        (Access::User, _) => None,
        (_, MainUser | OtherCustomer) => None,
        (Access::ManageUsers, ManagesUsers) | (Access::ManageForwardings, ManagesForwardings) => None,
        (Access::ManageUsers | Access::ManageForwardings | Access::MainUserOnly, _) => Some(AppError::Forbidden),
    }
}

#[tokio::test]
async fn every_server_function_and_page_answers_each_kind_of_caller_as_its_rights_say() {
    // Dozens of password checks from one address: the per-address limit is not under test here.
    let app = spawn_app_with(&[("KP_LIMIT_LOGIN_PER_MINUTE", "100000")]).await;
    let registered: std::collections::BTreeSet<String> =
        leptos::server_fn::axum::server_fn_paths().map(|(path, _)| path.to_owned()).collect();
    let declared: std::collections::BTreeSet<String> = SERVER_FUNCTIONS.iter().map(|(path, _, _)| path.to_string()).collect();
    assert_eq!(registered, declared, "a server function without a row in the rights matrix (or a stale row)");

    let main = customer_with_password(&app, "50050", "matrixchef", PASSWORD).await;
    let customer: i64 = db::query_scalar("SELECT customer_id FROM users WHERE id = $1").bind(main).fetch_one(&app.state.pool).await.unwrap();
    sub_user_with_password(&app, customer, "matrixbenutzer", PASSWORD, true, false).await;
    sub_user_with_password(&app, customer, "matrixweiter", PASSWORD, false, true).await;
    sub_user_with_password(&app, customer, "matrixohne", PASSWORD, false, false).await;
    let leaving = sub_user_with_password(&app, customer, "matrixweg", PASSWORD, true, true).await;
    customer_with_password(&app, "50051", "matrixfremd", PASSWORD).await;
    customer_with_initial_password(&app, "50052", "lara", INITIAL).await;
    customer_with_password(&app, "50053", "ablauf", PASSWORD).await;
    db::query("UPDATE users SET password_expires_at = $1 WHERE username = 'ablauf'").bind(START).execute(&app.state.pool).await.unwrap();

    let mut callers: Vec<(Caller, Option<String>)> = vec![
        (Caller::MainUser, Some(app.sign_in("matrixchef", PASSWORD).await)),
        (Caller::ManagesUsers, Some(app.sign_in("matrixbenutzer", PASSWORD).await)),
        (Caller::ManagesForwardings, Some(app.sign_in("matrixweiter", PASSWORD).await)),
        (Caller::NoRights, Some(app.sign_in("matrixohne", PASSWORD).await)),
        (Caller::OtherCustomer, Some(app.sign_in("matrixfremd", PASSWORD).await)),
        (Caller::SignedOut, None),
        (Caller::FirstSignInOpen, Some(app.sign_in("lara", INITIAL).await)),
        (Caller::PasswordExpired, Some(app.sign_in("ablauf", PASSWORD).await)),
    ];
    // Signed in, then deactivated by the main user: the session is dead at its next request.
    let deactivated = app.sign_in("matrixweg", PASSWORD).await;
    let main_cookie = callers[0].1.clone().unwrap();
    let off = app.call("users/set_active", &[("id", &leaving.to_string()), ("active", "false")], Some(&main_cookie)).await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);
    callers.push((Caller::Deactivated, Some(deactivated)));

    for (path, access, args) in SERVER_FUNCTIONS {
        let endpoint = path.trim_start_matches("/api/");
        for (caller, cookie) in callers.iter_mut() {
            if *path == "/api/auth/logout" && cookie.is_some() {
                continue; // it would end the caller's session for the rest of the table
            }
            let answer = app.call(endpoint, args, cookie.as_deref()).await;
            // Some calls go on under a new session id (signing out elsewhere).
            if let Some(renewed) = answer.session_cookie().filter(|c| !c.ends_with('=')) {
                *cookie = Some(renewed);
            }
            let caller = &*caller;
            let error = serde_json::from_str::<AppError>(&answer.body).ok();
            match expected_refusal(*access, *caller) {
                Some(refusal) => {
                    assert_eq!((answer.status.as_u16(), error), (refusal.status_code(), Some(refusal)), "{path} for {caller:?}");
                }
                // A first-sign-in step may refuse the other step itself (SetupPending): that is its rule, not the guard's.
                None if *access == Access::Session => assert_ne!(error, Some(AppError::NotSignedIn), "{path} for {caller:?}"),
                None => assert!(
                    !matches!(error, Some(AppError::NotSignedIn | AppError::SetupPending | AppError::Forbidden | AppError::ReauthRequired)),
                    "{path} for {caller:?} must pass the guard: {} {}",
                    answer.status,
                    answer.body
                ),
            }
        }
    }

    // The pages and plain routes behind sign-in, for the same callers.
    let pages: &[(&str, Access)] = &[
        (routes::HOME, Access::User),
        (routes::DOCUMENTS, Access::User),
        (routes::PROFILE, Access::User),
        (routes::APP_CONSENT, Access::User),
        (routes::RECOVERY_CODES, Access::User),
        (routes::RECOVERY_CODES_FILE, Access::User),
        (routes::DELIVERY_LOG, Access::ManageForwardings),
        (routes::FORWARDINGS, Access::ManageForwardings),
        (routes::USERS, Access::ManageUsers),
        (routes::ACTIVITY, Access::ManageUsers),
        (routes::ACTIVITY_EXPORT, Access::ManageUsers),
        (routes::DOCUMENTS_EXPORT, Access::User),
    ];
    let listed: std::collections::BTreeSet<&str> = pages.iter().map(|(page, _)| *page).collect();
    assert!(routes::SIGNED_IN_PAGES.iter().all(|page| listed.contains(page)), "a signed-in page without a row");
    for (page, access) in pages {
        let address = if *page == routes::DELIVERY_LOG { format!("{page}?dokument=999999") } else { page.to_string() };
        for (caller, cookie) in &callers {
            let answer = app.get(&address, cookie.as_deref()).await;
            let expected = match expected_refusal(*access, *caller) {
                Some(AppError::NotSignedIn) => (StatusCode::FOUND, Some(routes::LOGIN)),
                Some(AppError::SetupPending) => {
                    let step = if *caller == Caller::FirstSignInOpen || *caller == Caller::PasswordExpired { routes::SET_PASSWORD } else { routes::ACCEPT_PRIVACY };
                    (StatusCode::FOUND, Some(step))
                }
                Some(refusal) => (refusal.status(), None),
                // Another customer's document is missing for everybody; so are codes this browser does not hold.
                None if *page == routes::DELIVERY_LOG || *page == routes::RECOVERY_CODES_FILE => (StatusCode::NOT_FOUND, None),
                None => (StatusCode::OK, None),
            };
            assert_eq!((answer.status, answer.location()), expected, "{address} for {caller:?}");
        }
    }
}

#[tokio::test]
async fn signing_out_elsewhere_ends_every_other_session_and_keeps_this_one() {
    let app = spawn_app().await;
    customer_with_password(&app, "50060", "vielgeraet", PASSWORD).await;
    let _idle_too_long = app.sign_in("vielgeraet", PASSWORD).await;
    app.state.clock.advance(31 * 60);
    let signed_in_at = app.state.clock.now();
    let phone = app.sign_in("vielgeraet", PASSWORD).await;
    let office = app.sign_in("vielgeraet", PASSWORD).await;
    let here = app.sign_in("vielgeraet", PASSWORD).await;
    app.state.clock.advance(10 * 60);

    let answer = app.call("auth/sign_out_elsewhere", &[], Some(&here)).await;
    assert_eq!((answer.status, answer.body.as_str()), (StatusCode::OK, "2"), "only live sessions count");
    let renewed = answer.session_cookie().expect("a fresh session id for this browser");
    assert_ne!(renewed, here);
    let times: (app::domain::UnixTime, app::domain::UnixTime) = db::query_as("SELECT created_at, authenticated_at FROM sessions").fetch_one(&app.state.pool).await.unwrap();
    assert_eq!(times, (signed_in_at, signed_in_at), "its timeouts still count from the sign-in");
    for (name, cookie) in [("phone", &phone), ("office", &office), ("the old id of this one", &here)] {
        let refused = app.call("auth/change_password", &[("current", "x"), ("password", "y"), ("confirm", "y")], Some(cookie)).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{name}");
    }
    assert_eq!(pending_of(&app, &renewed).await, Value::Null, "this browser stays signed in");
    assert_eq!(app.count("sessions").await, 1);

    let again = app.call("auth/sign_out_elsewhere", &[], Some(&renewed)).await;
    assert_eq!(again.body, "0");
    let renewed = again.session_cookie().unwrap();

    // Without JavaScript the browser posts the form itself and is sent back
    // to Profil with the section open and its answer shown.
    let other = app.sign_in("vielgeraet", PASSWORD).await;
    let answer = app.request(plain_form_post("auth/sign_out_elsewhere", &[], &renewed)).await;
    assert_eq!(answer.status, StatusCode::FOUND);
    assert_eq!(answer.location(), Some("/profil?bereich=anmeldungen&abgemeldet=1"));
    let cookie = answer.session_cookie().unwrap();
    let page = app.get("/profil?bereich=anmeldungen&abgemeldet=1", Some(&cookie)).await;
    assert!(page.body.contains("Eine Anmeldung auf einem anderen Gerät wurde beendet."), "{}", page.body);
    let open_sections = |body: &str| body.matches(r#"<details open class="profile-section">"#).count();
    assert_eq!(open_sections(&page.body), 2, "Passwort and Anmeldungen are open");
    assert_eq!(open_sections(&app.get("/profil", Some(&cookie)).await.body), 1, "without the answer only Passwort is");
    assert_eq!(app.call("auth/current_user", &[], Some(&other)).await.body, "null");
}
