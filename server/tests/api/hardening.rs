//! Sign-in as an attacker tries it: oversized and malformed bodies, text
//! smuggled in through the address, a hashing queue kept full, a name kept
//! locked, reset mails as a flood, look-alike names and passwords typed on
//! another keyboard — through the real router and a real SQLite file.

use app::server::db;
use app::error::{AppError, Refusal};
use axum::body::{Body, Bytes};
use axum::http::{header, Request, StatusCode};
use crate::common::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const PASSWORD: &str = "Grün-Tonne-7";

/// Resident memory of this process (the server runs in it), in KiB.
fn resident_kib() -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|line| line.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// A login POST of `total` bytes that are produced only when the server
/// reads them; `read` counts how many it did.
fn huge_login_post(total: usize, with_length: bool, read: Arc<AtomicUsize>) -> Request<Body> {
    const CHUNK: usize = 64 * 1024;
    let chunk = Bytes::from(vec![b'a'; CHUNK]);
    let mut first = b"username=nobody&password=".to_vec();
    first.resize(CHUNK, b'a');
    let chunks = (0..total / CHUNK).map(move |i| {
        let bytes = if i == 0 { Bytes::from(first.clone()) } else { chunk.clone() };
        read.fetch_add(bytes.len(), Ordering::SeqCst);
        Ok::<_, std::io::Error>(bytes)
    });
    let mut builder = server_fn_request("auth/login", None);
    if with_length {
        builder = builder.header(header::CONTENT_LENGTH, total / CHUNK * CHUNK);
    }
    builder.body(Body::from_stream(futures_util::stream::iter(chunks))).unwrap()
}

// ---- 1. body limits ---------------------------------------------------------

#[tokio::test]
async fn a_50_mb_login_post_is_refused_with_413_without_being_read() {
    let app = spawn_app().await;
    let before = resident_kib();
    for with_length in [true, false] {
        let read = Arc::new(AtomicUsize::new(0));
        let response = app.request(huge_login_post(50 << 20, with_length, read.clone())).await;
        assert_eq!(response.status, StatusCode::PAYLOAD_TOO_LARGE, "with Content-Length: {with_length}");
        let read = read.load(Ordering::SeqCst);
        assert!(read <= 128 * 1024, "read {read} bytes (with Content-Length: {with_length})");
        assert_eq!(error_of(&response), AppError::TooLarge);
        assert!(AppError::TooLarge.to_string().contains("zu groß"));
    }
    let grown = resident_kib() - before;
    assert!(grown < 8 * 1024, "resident memory grew by {grown} KiB");
}

#[tokio::test]
async fn a_password_longer_than_the_policy_is_refused_before_any_hashing() {
    let app = spawn_app().await;
    customer_with_password(&app, "60001", "lang", PASSWORD).await;
    // With every hashing slot taken, anything that reaches Argon2 answers 503.
    let queue = app.state.hashing_queue.clone();
    let _held = queue.clone().acquire_many_owned(queue.available_permits() as u32).await.unwrap();
    let too_long = "x".repeat(app.state.config.password_policy.max_len + 1);
    let response = app.call("auth/login", &[("username", "lang"), ("password", &too_long)], None).await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{}", response.body);
    assert_eq!(error_of(&response), AppError::InvalidCredentials);
}

// ---- 2. text from the URL ---------------------------------------------------

#[tokio::test]
async fn error_text_in_the_address_never_reaches_the_page() {
    use base64::Engine as _;
    let app = spawn_app().await;
    let smuggled = serde_json::to_string(&AppError::refused(Refusal::Other("Rufen Sie sofort 0900-666 an".into()))).unwrap();
    let encoded = base64::engine::general_purpose::URL_SAFE.encode(smuggled);
    let for_login = format!("{}&x=1", urlencode(&encoded));
    // The spellings of `__err` and `__path` a form-urlencoded parser accepts.
    for (err, path) in [("__err", "__path"), ("%5F%5Ferr", "%5F%5Fpath"), ("%5f_err", "_%5fpath"), ("__%65rr", "__p%61th")] {
        for page in ["/login", "/passwort-vergessen", "/passwort-neu"] {
            let address = format!("{page}?{err}={for_login}&{path}=%2Fapi%2Fauth%2Flogin");
            let response = app.get(&address, None).await;
            assert_eq!(response.status, StatusCode::FOUND, "{address}");
            assert_eq!(response.location(), Some(format!("{page}?x=1").as_str()), "{address}");
            assert!(!response.body.contains("0900-666"), "{address}");
            let shown = app.get(response.location().unwrap(), None).await;
            assert!(!shown.body.contains("0900-666"), "{address}");
        }
    }
    // A `?fehler=` code can only bring back one of the fixed messages.
    let crafted = app.get("/login?fehler=Rufen%20Sie%200900-666%20an", None).await;
    assert_eq!(crafted.status, StatusCode::OK);
    assert!(!crafted.body.contains("0900-666"));
}

// ---- 3. server load is no failed try ----------------------------------------

#[tokio::test]
async fn answers_503_under_load_do_not_count_towards_the_lockout() {
    let app = spawn_app_with(&[("KP_LIMIT_LOGIN_PER_MINUTE", "1000")]).await;
    customer_with_password(&app, "60002", "last", PASSWORD).await;
    let queue = app.state.hashing_queue.clone();
    let held = queue.clone().acquire_many_owned(queue.available_permits() as u32).await.unwrap();
    for _ in 0..10 {
        let busy = app.call("auth/login", &[("username", "last"), ("password", "Falsch-123")], None).await;
        assert_eq!(busy.status, StatusCode::SERVICE_UNAVAILABLE);
    }
    assert_eq!(app.count("login_failures").await, 0, "no try was counted");
    drop(held);
    assert_eq!(app.call("auth/login", &[("username", "last"), ("password", PASSWORD)], None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn two_hundred_parallel_sign_ins_under_load_lock_only_who_failed_five_checks() {
    let app = Arc::new(spawn_app_with(&[("KP_LIMIT_LOGIN_PER_MINUTE", "100000")]).await);
    let users: Vec<String> = (0..20).map(|i| format!("para{i:02}")).collect();
    for (i, user) in users.iter().enumerate() {
        customer_with_password(&app, &format!("{}", 61000 + i), user, PASSWORD).await;
    }
    // Even users only ever type a wrong password; odd users mix right and wrong.
    let mut calls = Vec::new();
    for round in 0..10 {
        for (i, user) in users.iter().enumerate() {
            let password = if i % 2 == 1 && round % 3 == 0 { PASSWORD } else { "Falsch-123" };
            let (app, user) = (app.clone(), user.clone());
            calls.push(tokio::spawn(async move {
                let response = app.call("auth/login", &[("username", &user), ("password", password)], None).await;
                (user, password == PASSWORD, response.status)
            }));
        }
    }
    let mut checked_wrong: std::collections::HashMap<String, i64> = Default::default();
    let mut busy = 0;
    for call in calls {
        let (user, _, status) = call.await.unwrap();
        match status {
            StatusCode::UNAUTHORIZED => *checked_wrong.entry(user).or_default() += 1,
            StatusCode::SERVICE_UNAVAILABLE => busy += 1,
            StatusCode::OK => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert!(busy > 0, "the hashing queue was full at times");
    for (i, user) in users.iter().enumerate().filter(|(i, _)| i % 2 == 0) {
        let counted: Option<i64> = db::query_scalar("SELECT failures FROM login_failures WHERE identifier_key = $1")
            .bind(user)
            .fetch_optional(&app.state.pool)
            .await
            .unwrap();
        let refused = checked_wrong.get(user).copied().unwrap_or(0);
        assert!(counted.unwrap_or(0) <= refused, "{user} (#{i}): {counted:?} counted, {refused} refused after a check");
        let right = app.call("auth/login", &[("username", user), ("password", PASSWORD)], None).await.status;
        if refused < 5 {
            assert_eq!(right, StatusCode::OK, "{user} failed only {refused} checks");
        }
    }
}

// ---- 4. device cookies ------------------------------------------------------

fn device_cookie(response: &TestResponse) -> Option<String> {
    response
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("kp_device=") || v.starts_with("__Host-kp_device="))
        .map(|v| v.split(';').next().unwrap().to_owned())
}

async fn login_with(app: &TestApp, peer: &str, username: &str, password: &str, cookie: Option<&str>) -> TestResponse {
    let mut request =
        server_fn_request("auth/login", cookie).body(Body::from(form_body(&[("username", username), ("password", password)]))).unwrap();
    request.extensions_mut().insert(axum::extract::ConnectInfo(peer.parse::<std::net::SocketAddr>().unwrap()));
    app.request(request).await
}

#[tokio::test]
async fn a_browser_that_signed_in_before_is_not_locked_out_by_someone_elses_tries() {
    let app = spawn_app().await;
    customer_with_password(&app, "60003", "treu", PASSWORD).await;
    let first = login_with(&app, "192.0.2.20:1000", "treu", PASSWORD, None).await;
    assert_eq!(first.status, StatusCode::OK);
    let device = device_cookie(&first).expect("a device cookie after a successful sign-in");
    let set = first.headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect::<Vec<_>>();
    let device_header = set.iter().find(|v| v.starts_with(device.split('=').next().unwrap())).unwrap();
    assert!(device_header.contains("HttpOnly") && device_header.contains("Max-Age="), "{device_header}");

    // Someone else keeps the name locked from rotating addresses.
    for i in 0..12 {
        let attacker = login_with(&app, &format!("198.51.100.{i}:2000"), "treu", &format!("Rate-{i}-x"), None).await;
        assert_eq!(attacker.status, StatusCode::UNAUTHORIZED);
    }
    let stranger = login_with(&app, "198.51.100.99:2000", "treu", PASSWORD, None).await;
    assert_eq!(stranger.status, StatusCode::UNAUTHORIZED, "an unknown browser waits, even with the right password");

    let known = login_with(&app, "192.0.2.20:1000", "treu", PASSWORD, Some(&device)).await;
    assert_eq!(known.status, StatusCode::OK, "{}", known.body);
    let renewed = device_cookie(&known).expect("the device cookie is renewed");
    assert_ne!(renewed, device);

    // The device cookie is the user's, not a key for another name.
    customer_with_password(&app, "60004", "fremd", PASSWORD).await;
    for i in 0..12 {
        login_with(&app, &format!("198.51.100.{i}:2000"), "fremd", &format!("Rate-{i}-x"), None).await;
    }
    let other = login_with(&app, "192.0.2.20:1000", "fremd", PASSWORD, Some(&renewed)).await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED);

    // A trusted browser that fails five times itself is trusted no more.
    for i in 0..5 {
        let own = login_with(&app, "192.0.2.20:1000", "treu", &format!("Vertippt-{i}"), Some(&renewed)).await;
        assert_eq!(own.status, StatusCode::UNAUTHORIZED);
    }
    let after = login_with(&app, "192.0.2.20:1000", "treu", PASSWORD, Some(&renewed)).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "its own failures lock it like any browser");
}

// ---- 6. malformed input -----------------------------------------------------

#[tokio::test]
async fn malformed_server_function_bodies_get_400_with_a_german_message() {
    let app = spawn_app().await;
    let bodies: [(&str, &[u8]); 4] = [
        ("auth/login", b"username=\xff\xfe&password=x"),
        ("auth/login", b"password=ohne-namen"),
        ("auth/login", b"username=a&password=b&password=c"),
        ("auth/link_info", b"kind=Unbekannt&token=x"),
    ];
    for (endpoint, body) in bodies {
        let response = app.request(server_fn_request(endpoint, None).body(Body::from(body.to_vec())).unwrap()).await;
        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{:?}: {}", String::from_utf8_lossy(body), response.body);
        assert_eq!(error_of(&response), AppError::BadRequest);
        assert!(error_of(&response).to_string().contains("Anfrage"));
    }
}

// ---- 7. names -----------------------------------------------------------------

#[tokio::test]
async fn a_name_that_is_no_valid_username_never_finds_a_user() {
    let app = spawn_app().await;
    customer_with_password(&app, "60005", "kmax", PASSWORD).await;
    let long = "a".repeat(64);
    customer_with_password(&app, "60006", &long, PASSWORD).await;
    // The Kelvin sign lower-cases to "k"; a 65th character was cut off.
    for name in ["\u{212A}max", &format!("{long}b"), "KMAX\u{0}", "kmax\u{200B}"] {
        let response = app.call("auth/login", &[("username", name), ("password", PASSWORD)], None).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{name:?}");
        assert!(response.session_cookie().is_none());
    }
    let keys: Vec<String> = db::query_scalar("SELECT identifier_key FROM login_failures").fetch_all(&app.state.pool).await.unwrap();
    assert_eq!(keys.len(), 4, "each counted under its own key: {keys:?}");
    assert!(keys.iter().all(|key| key != "kmax" && key != &long), "{keys:?}");
    assert_eq!(app.call("auth/login", &[("username", "KMax"), ("password", PASSWORD)], None).await.status, StatusCode::OK);
}

// ---- 8. Unicode normalisation of passwords ----------------------------------

#[tokio::test]
async fn a_password_typed_in_nfd_matches_the_one_set_in_nfc() {
    use unicode_normalization::UnicodeNormalization as _;
    let app = spawn_app().await;
    // 15 characters in NFC, 17 in NFD: the length rule (16) counts the NFC form.
    let nfc: String = "Bär-Öl-Tonne-78".nfc().collect();
    let nfd: String = nfc.nfd().collect();
    assert_eq!((nfc.chars().count(), nfd.chars().count()), (15, 17));
    customer_with_password(&app, "60007", "baer", &nfc).await;
    assert_eq!(app.call("auth/login", &[("username", "baer"), ("password", &nfd)], None).await.status, StatusCode::OK);
    assert_eq!(app.call("auth/login", &[("username", "baer"), ("password", &nfc)], None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_hash_made_before_normalisation_is_replaced_at_the_next_sign_in() {
    use unicode_normalization::UnicodeNormalization as _;
    let app = spawn_app().await;
    let nfd: String = "Bär-Öl-Tonne-7".nfd().collect();
    let nfc: String = nfd.nfc().collect();
    let user = customer_with_password(&app, "60008", "mac", &nfc).await;
    // What an older version stored for a password typed on a Mac: the NFD bytes, hashed as they came.
    let legacy = {
        use argon2::password_hash::{PasswordHasher as _, SaltString};
        let salt = SaltString::encode_b64(b"sechzehn-bytes!!").unwrap();
        let argon2 = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, app::server::crypto::current_params());
        argon2.hash_password(nfd.as_bytes(), &salt).unwrap().to_string()
    };
    db::query("UPDATE users SET password_hash = $1, password_normalized = FALSE WHERE id = $2")
        .bind(&legacy)
        .bind(user)
        .execute(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(app.call("auth/login", &[("username", "mac"), ("password", &nfd)], None).await.status, StatusCode::OK);
    let (hash, normalized): (String, bool) =
        db::query_as("SELECT password_hash, password_normalized FROM users WHERE id = $1").bind(user).fetch_one(&app.state.pool).await.unwrap();
    assert!(normalized);
    assert_ne!(hash, legacy, "rehashed");
    // Now the same password from a Windows keyboard works too.
    assert_eq!(app.call("auth/login", &[("username", "mac"), ("password", &nfc)], None).await.status, StatusCode::OK);
}

// ---- 5. reset mails ---------------------------------------------------------

async fn reset_mails(app: &TestApp) -> i64 {
    app.background_work_done().await;
    db::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE kind = 'password_reset'").fetch_one(&app.state.pool).await.unwrap()
}

#[tokio::test]
async fn passwort_vergessen_mails_an_account_at_most_once_in_5_minutes_and_5_times_a_day() {
    let app = spawn_app_with(&[("KP_LIMIT_RESET_PER_MINUTE", "1000")]).await;
    customer_with_password(&app, "60010", "flut", PASSWORD).await;
    let ask = |identifier: &'static str| {
        let app = &app;
        async move {
            let response = app.call("auth/request_reset", &[("identifier", identifier)], None).await;
            (response.status, response.body)
        }
    };
    let first = ask("flut").await;
    for identifier in ["flut", "FLUT", "flut@kunden.example"] {
        assert_eq!(ask(identifier).await, first, "the answer does not tell that nothing was sent");
    }
    assert_eq!(reset_mails(&app).await, 1, "three requests in a row, one mail");

    let mut sent = 1;
    for _ in 0..8 {
        app.state.clock.advance(5 * 60 + 1);
        ask("flut").await;
        sent += 1;
        assert_eq!(reset_mails(&app).await, sent.min(5));
    }
    assert_eq!(reset_mails(&app).await, 5, "at most five a day");
    app.state.clock.advance(24 * 3600);
    ask("flut").await;
    assert_eq!(reset_mails(&app).await, 6, "the next day again");
}

// ---- 10. left-overs -----------------------------------------------------------

#[tokio::test]
async fn an_hourly_job_deletes_timed_out_sessions_and_used_or_expired_tokens() {
    let app = spawn_app().await;
    customer_with_password(&app, "60011", "alt", PASSWORD).await;
    let live = app.sign_in("alt", PASSWORD).await;
    let _stale = app.sign_in("alt", PASSWORD).await;
    invited_customer(&app, "60012", "neu", "neu@kunden.example").await;
    assert_eq!(app.count("tokens").await, 1);
    assert!(app::jobs().names().contains(&"cleanup"), "{:?}", app::jobs().names());

    // Both sessions idle for 20 minutes; one is used again, the other not.
    app.state.clock.advance(20 * 60);
    assert_eq!(app.get("/dokumente", Some(&live)).await.status, StatusCode::OK);
    app.state.clock.advance(15 * 60);
    app::jobs().run_now("cleanup", &app.state).await.unwrap();
    assert_eq!(app.count("sessions").await, 1, "the idle one is gone, the used one stays");

    // The invitation runs 72 hours.
    app.state.clock.advance(71 * 3600);
    app::jobs().run_now("cleanup", &app.state).await.unwrap();
    assert_eq!(app.count("tokens").await, 1, "a link that still works stays");
    app.state.clock.advance(3600);
    app::jobs().run_now("cleanup", &app.state).await.unwrap();
    assert_eq!(app.count("tokens").await, 0);
    assert_eq!(app.count("sessions").await, 0);
}

#[tokio::test]
async fn accepting_an_invitation_ends_the_browsers_previous_session() {
    let app = spawn_app().await;
    customer_with_password(&app, "60013", "vorher", PASSWORD).await;
    let previous = app.sign_in("vorher", PASSWORD).await;
    invited_customer(&app, "60014", "danach", "danach@kunden.example").await;
    let body: String = db::query_scalar("SELECT body_text FROM mail_outbox WHERE kind = 'invitation'").fetch_one(&app.state.pool).await.unwrap();
    let (_, token) = link_in(&body, "/einladung");
    let new = "Neu-Tonne-42";
    let accepted =
        app.call("auth/accept_invitation", &[("token", &token), ("password", new), ("confirm", new)], Some(&previous)).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(app.count("sessions").await, 1, "only the new user's session");
    let user = app.call("auth/current_user", &[], Some(&previous)).await;
    assert_eq!((user.status, user.body.as_str()), (StatusCode::OK, "null"), "the previous user's session ended");
}

#[tokio::test]
async fn signed_in_pages_and_api_answers_are_not_stored_by_any_cache() {
    let app = spawn_app().await;
    customer_with_password(&app, "60015", "cache", PASSWORD).await;
    let cookie = app.sign_in("cache", PASSWORD).await;
    let tokens = app.app_sign_in("cache", PASSWORD).await;
    let me = app.api_get("/api/v1/me", &tokens.access).await;
    let user = app.call("auth/current_user", &[], Some(&cookie)).await;
    for (what, response) in [("page", app.get("/profil", Some(&cookie)).await), ("/api/v1/me", me), ("server function", user)] {
        assert_eq!(response.status, StatusCode::OK, "{what}");
        assert_eq!(response.headers.get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap()), Some("no-store"), "{what}");
    }
}

#[tokio::test]
async fn the_origin_check_compares_normalised_origins() {
    let app = spawn_app_with(&[("KP_BASE_URL", "https://Portal.Example.COM:443/kunden")]).await;
    let post = |origin: &str| {
        Request::post("/api/auth/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .header(header::ORIGIN, origin)
            .body(Body::from("username=wer&password=Falsch-123"))
            .unwrap()
    };
    for same in ["https://portal.example.com", "https://PORTAL.example.com:443"] {
        assert_eq!(app.request(post(same)).await.status, StatusCode::UNAUTHORIZED, "{same}");
    }
    for other in ["http://portal.example.com", "https://portal.example.com:8443", "https://portal.example.com.evil.example", "null"] {
        assert_eq!(app.request(post(other)).await.status, StatusCode::FORBIDDEN, "{other}");
    }
}

// ---- 11. what the tests did not check yet -------------------------------------

#[tokio::test]
async fn a_hash_with_weaker_parameters_is_replaced_at_sign_in() {
    let app = spawn_app().await;
    let user = customer_with_password(&app, "60016", "schwach", PASSWORD).await;
    let weak = {
        use argon2::password_hash::{PasswordHasher as _, SaltString};
        let salt = SaltString::encode_b64(b"sechzehn-bytes!!").unwrap();
        let params = argon2::Params::new(8_192, 1, 1, None).unwrap();
        argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password(PASSWORD.as_bytes(), &salt)
            .unwrap()
            .to_string()
    };
    db::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(&weak).bind(user).execute(&app.state.pool).await.unwrap();
    app.sign_in("schwach", PASSWORD).await;
    let stored: String = db::query_scalar("SELECT password_hash FROM users WHERE id = $1").bind(user).fetch_one(&app.state.pool).await.unwrap();
    assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
    app.sign_in("schwach", PASSWORD).await;
}

#[tokio::test]
async fn frames_are_refused_on_pages_and_api_answers() {
    let app = spawn_app().await;
    for response in [app.get("/login", None).await, app.call("auth/current_user", &[], None).await] {
        assert_eq!(response.headers[header::X_FRAME_OPTIONS], "DENY");
        let csp = response.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    }
}

#[tokio::test]
async fn refusals_are_written_to_the_audit_log() {
    let app = spawn_app_with(&[("KP_LIMIT_LOGIN_PER_MINUTE", "2")]).await;
    customer_with_password(&app, "60017", "pruef", PASSWORD).await;
    let cross_site = Request::post("/api/auth/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from("username=pruef&password=x"))
        .unwrap();
    assert_eq!(app.request(cross_site).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.call("auth/change_password", &[("current", "x"), ("password", "y"), ("confirm", "y")], None).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/v1/me", None).await.status, StatusCode::UNAUTHORIZED, "JSON under /api/, also for a browser");
    assert_eq!(app.get("/dokumente/1/pdf", None).await.status, StatusCode::FOUND, "a page's address: to the login");
    let me = app.request(Request::get("/api/v1/me").body(Body::empty()).unwrap()).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    customer_in_setup(&app, "60022", "halb", PASSWORD).await;
    let in_setup = app.sign_in("halb", PASSWORD).await;
    assert_eq!(app.call("auth/sign_out_elsewhere", &[], Some(&in_setup)).await.status, StatusCode::FORBIDDEN);
    for _ in 0..3 {
        app.call("auth/login", &[("username", "pruef"), ("password", "Falsch-123")], None).await;
    }
    let rows: Vec<(String, String)> = db::query_as("SELECT action, detail FROM audit_log WHERE action LIKE '%refused%' ORDER BY id")
        .fetch_all(&app.state.pool)
        .await
        .unwrap();
    let actions: Vec<&str> = rows.iter().map(|(action, _)| action.as_str()).collect();
    assert!(actions.contains(&"request_refused_cross_site"), "{rows:?}");
    assert!(actions.contains(&"request_refused_not_signed_in"), "{rows:?}");
    assert!(actions.contains(&"request_refused_rate_limited"), "{rows:?}");
    assert!(actions.contains(&"request_refused_setup_pending"), "{rows:?}");
    assert!(rows.iter().any(|(_, detail)| detail.contains("/api/auth/change_password")), "{rows:?}");
    assert!(rows.iter().any(|(_, detail)| detail.contains("/api/v1/me")), "{rows:?}");
}

/// Makes every transaction that writes an audit row fail at its commit (a
/// deferred foreign key that cannot be met), after everything in it ran.
async fn fail_commits_that_write_audit_rows(app: &TestApp) {
    crate::common::execute_per_backend(
        &app.state.pool,
        &[
            "CREATE TABLE commit_blocker (missing INTEGER REFERENCES customers (id) DEFERRABLE INITIALLY DEFERRED)",
            "CREATE TRIGGER block_audit_commits AFTER INSERT ON audit_log BEGIN INSERT INTO commit_blocker VALUES (-1); END",
        ],
        &[
            "CREATE TABLE commit_blocker (missing BIGINT REFERENCES customers (id) DEFERRABLE INITIALLY DEFERRED)",
            "CREATE FUNCTION block_audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO commit_blocker VALUES (-1); RETURN NEW; END $$",
            "CREATE TRIGGER block_audit_commits AFTER INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION block_audit()",
        ],
    )
    .await;
}

#[tokio::test]
async fn every_mail_is_queued_in_its_callers_transaction() {
    let app = spawn_app_with(&[("KP_LIMIT_RESET_PER_MINUTE", "100")]).await;
    customer_with_password(&app, "60018", "txn", PASSWORD).await;
    let cookie = app.sign_in("txn", PASSWORD).await;
    fail_commits_that_write_audit_rows(&app).await;

    app.call("auth/request_reset", &[("identifier", "txn")], None).await;
    app.background_work_done().await;
    let changed = app.call("auth/change_password", &[("current", PASSWORD), ("password", "Neu-Tonne-42"), ("confirm", "Neu-Tonne-42")], Some(&cookie)).await;
    assert_eq!(changed.status, StatusCode::INTERNAL_SERVER_ERROR);
    let new = app::customers::NewCustomer::parse("60019", "Kunde", "eingeladen", "e@kunden.example", None, &app.state.config.password_policy).unwrap();
    assert!(app::customers::add_customer(&app.state, new, app::server::audit::Actor::Operator).await.is_err());

    assert_eq!(app.count("mail_outbox").await, 0, "no mail outlived its failed transaction");
    assert_eq!(app.count("tokens").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_racing_for_one_mail_send_it_once() {
    let (app, mailbox) = smtp_app(&[("KP_LIMIT_RESET_PER_MINUTE", "100")]).await;
    for round in 0..10 {
        let number = format!("{}", 60100 + round);
        invited_customer(&app, &number, &format!("race{round}"), &format!("race{round}@kunden.example")).await;
        let (first, second) = (app.state.outbox_worker(), app.state.outbox_worker());
        let (a, b) = tokio::join!(tokio::spawn(async move { first.deliver_due().await }), tokio::spawn(async move { second.deliver_due().await }));
        assert_eq!(a.unwrap().unwrap() + b.unwrap().unwrap(), 1, "round {round}: one delivery in all");
        assert_eq!(mailbox.wait_for(round + 1).await.len(), round + 1);
    }
    // Both workers have returned, and a worker returns only after the SMTP
    // server accepted what it sent: nothing more can arrive. The outbox is drained.
    let queued: i64 = db::query_scalar("SELECT COUNT(*) FROM mail_outbox WHERE status = 'queued'").fetch_one(&app.state.pool).await.unwrap();
    assert_eq!((mailbox.len(), queued), (10, 0), "no mail twice, none left");
}

/// Everything a log line or an audit row must never hold, gathered while a
/// sign-in suite runs with every log level on.
#[tokio::test]
async fn no_log_line_and_no_audit_row_holds_a_password_a_token_or_a_hash() {
    #[derive(Clone, Default)]
    struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let captured = Captured::default();
    let writer = captured.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt().with_max_level(tracing::Level::TRACE).with_ansi(false).with_writer(move || writer.clone()).finish(),
    )
    .unwrap();

    let (app, mailbox) = smtp_app(&[("KP_LIMIT_RESET_PER_MINUTE", "100")]).await;
    let mut secrets: Vec<String> = vec![PASSWORD.into(), "Falsch-Geheim-1".into(), "Neu-Tonne-42".into(), "Link-Tonne-43".into()];
    customer_with_password(&app, "60020", "geheim", PASSWORD).await;
    invited_customer(&app, "60021", "gast", "gast@kunden.example").await;
    app.call("auth/login", &[("username", "geheim"), ("password", "Falsch-Geheim-1")], None).await;
    app.call("auth/login", &[("username", "niemand"), ("password", "Falsch-Geheim-1")], None).await;
    let login = app.call("auth/login", &[("username", "geheim"), ("password", PASSWORD)], None).await;
    let cookie = login.session_cookie().unwrap();
    secrets.push(cookie.split('=').nth(1).unwrap().to_owned());
    secrets.push(device_cookie(&login).unwrap().split('=').nth(1).unwrap().to_owned());
    app.call("auth/change_password", &[("current", PASSWORD), ("password", "Neu-Tonne-42"), ("confirm", "Neu-Tonne-42")], Some(&cookie)).await;
    app.call("auth/request_reset", &[("identifier", "geheim")], None).await;
    app.background_work_done().await;
    app.state.outbox_worker().deliver_due().await.unwrap();
    let mails = mailbox.wait_for(3).await;
    for (mail, page) in mails.iter().flat_map(|mail| [(mail, "/einladung"), (mail, "/passwort-neu")]) {
        if mail.contains(page) {
            secrets.push(link_in(mail, page).1);
        }
    }
    assert_eq!(secrets.len(), 8, "both links were mailed");
    let (invitation, reset) = (secrets[6].clone(), secrets[7].clone());
    for (endpoint, token) in [("auth/accept_invitation", &invitation), ("auth/reset_password", &reset)] {
        let response = app.call(endpoint, &[("token", token), ("password", "Link-Tonne-43"), ("confirm", "Link-Tonne-43")], None).await;
        assert_eq!(response.status, StatusCode::OK, "{endpoint}: {}", response.body);
    }

    // API keys (a working one and a wrong one), an e-mail change's link, a
    // forwarding's confirmation and "beenden" links.
    let key = app::documents::ssr::api_keys::create(&app.state.pool, "faktura", app.state.clock.now()).await.unwrap();
    secrets.extend([key.clone(), "kp_falsch_und_geheim_0123456789".to_owned()]);
    let cookie = app.sign_in("geheim", "Link-Tonne-43").await;
    secrets.push(cookie.split('=').nth(1).unwrap().to_owned());
    let asked = app.call("profile/request_email_change", &[("email", "neu@geheim.example"), ("password", "Link-Tonne-43")], Some(&cookie)).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    let added = app.call("forwardings/add", &[("email", "fibu@geheim.example"), ("confirm", "fibu@geheim.example"), ("type_key", "")], Some(&cookie)).await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    app.state.outbox_worker().deliver_due().await.unwrap();
    let mails = mailbox.wait_for(6).await;
    let token_of = |page: &str| {
        let mail = mails.iter().rev().find(|mail| unfold_quoted_printable(mail).contains(&format!("{page}?token="))).unwrap();
        link_in(mail, page).1
    };
    let (email_token, optin_token) = (token_of("/email-bestaetigen"), token_of("/weiterleitung-bestaetigen"));
    assert_eq!(app.call("forwardings/confirm", &[("token", &optin_token)], None).await.status, StatusCode::OK);
    for presented in [key.as_str(), "kp_falsch_und_geheim_0123456789"] {
        let body = "--x\r\nContent-Disposition: form-data; name=\"customer\"\r\n\r\n60020\r\n--x\r\nContent-Disposition: form-data; name=\"number\"\r\n\r\nRE-1\r\n\
                    --x\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nrechnung\r\n--x\r\nContent-Disposition: form-data; name=\"created\"\r\n\r\n2026-11-20\r\n\
                    --x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\n%%EOF\n\r\n--x--\r\n";
        let request = axum::http::Request::post("/api/v1/documents")
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
            .header(header::AUTHORIZATION, format!("Bearer {presented}"))
            .body(Body::from(body))
            .unwrap();
        app.request(request).await;
    }
    app.state.clock.advance(600);
    app.state.outbox_worker().deliver_due().await.unwrap();
    let mails = mailbox.wait_for(8).await;
    let forwarded = mails.iter().find(|mail| unfold_quoted_printable(mail).contains("/weiterleitung-beenden?token=")).expect("the document was forwarded");
    let end_token = link_in(forwarded, "/weiterleitung-beenden").1;
    assert_eq!(app.get(&format!("/email-bestaetigen?token={email_token}"), None).await.status, StatusCode::OK);
    assert_eq!(app.call("profile/confirm_email_change", &[("token", &email_token)], None).await.status, StatusCode::OK);
    assert_eq!(app.call("forwardings/end", &[("token", &end_token)], None).await.status, StatusCode::OK);
    secrets.extend([email_token, optin_token, end_token]);
    // What the database keeps of each secret is its hash: none of those may show either.
    let hashed: Vec<String> = secrets.iter().map(|secret| app::server::crypto::token_hash(secret)).collect();
    secrets.extend(hashed);
    for column in ["SELECT password_hash FROM users", "SELECT id_hash FROM sessions", "SELECT token_hash FROM tokens", "SELECT key_hash FROM api_keys"] {
        let hashes: Vec<Option<String>> = db::query_scalar(column).fetch_all(&app.state.pool).await.unwrap();
        secrets.extend(hashes.into_iter().flatten());
    }

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("sign-in refused") && logs.len() > 1000, "the logs were captured");
    let audit: Vec<String> = db::query_scalar(
        "SELECT action || ' ' || detail || ' ' || COALESCE(ip, '') FROM audit_log",
    )
    .fetch_all(&app.state.pool)
    .await
    .unwrap();
    assert!(audit.len() >= 6, "{audit:?}");
    for secret in &secrets {
        // Hashes are checked by their first 16 characters too (a log might cut them).
        let prefix = &secret[..secret.len().min(16)];
        assert!(!logs.contains(prefix), "a secret in the log");
        assert!(audit.iter().all(|row| !row.contains(prefix)), "a secret in the audit log");
    }
}

#[tokio::test]
async fn a_reset_after_the_cleanup_deleted_the_last_link_is_still_mailed() {
    let app = spawn_app_with(&[("KP_LIMIT_RESET_PER_MINUTE", "1000")]).await;
    customer_with_password(&app, "60030", "wieder", PASSWORD).await;
    app.call("auth/request_reset", &[("identifier", "wieder")], None).await;
    assert_eq!(reset_mails(&app).await, 1);
    // The link expires and the cleanup deletes it: SQLite would give its id again.
    app.state.clock.advance(2 * 3600);
    app::jobs().run_now("cleanup", &app.state).await.unwrap();
    assert_eq!(app.count("tokens").await, 0);
    app.call("auth/request_reset", &[("identifier", "wieder")], None).await;
    assert_eq!(reset_mails(&app).await, 2, "the second request was mailed too");
}

#[tokio::test]
async fn a_stranger_cannot_use_up_the_owners_reset_mails() {
    let app = spawn_app_with(&[("KP_LIMIT_RESET_PER_MINUTE", "1000")]).await;
    customer_with_password(&app, "60031", "opfer", PASSWORD).await;
    for _ in 0..8 {
        app.call_from("198.51.100.7:1000", "auth/request_reset", &[("identifier", "opfer")]).await;
        app.background_work_done().await;
        app.state.clock.advance(5 * 60 + 1);
    }
    assert_eq!(reset_mails(&app).await, 5, "the stranger's address got its five");
    let owner = app.call_from("192.0.2.50:1000", "auth/request_reset", &[("identifier", "opfer")]).await;
    assert_eq!(owner.status, StatusCode::OK);
    assert_eq!(reset_mails(&app).await, 6, "the owner's own request is mailed");
}

#[tokio::test]
async fn a_flood_of_refusals_writes_a_bounded_number_of_audit_rows() {
    let app = spawn_app().await;
    for _ in 0..100 {
        let request = Request::post("/api/auth/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "cross-site")
            .body(Body::from("username=a&password=b"))
            .unwrap();
        assert_eq!(app.request(request).await.status, StatusCode::FORBIDDEN);
    }
    let rows: i64 = db::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'request_refused_cross_site'")
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(rows, 30, "one address's refusals fill at most 30 rows a minute");
}

#[tokio::test]
async fn a_new_password_ends_the_trust_in_every_browser() {
    let app = spawn_app().await;
    customer_with_password(&app, "60032", "vertraut", PASSWORD).await;
    let first = login_with(&app, "192.0.2.20:1000", "vertraut", PASSWORD, None).await;
    assert!(device_cookie(&first).is_some());
    assert_eq!(app.count("trusted_devices").await, 1);
    let cookie = first.session_cookie().unwrap();
    let changed = app.call("auth/change_password", &[("current", PASSWORD), ("password", "Neu-Tonne-42"), ("confirm", "Neu-Tonne-42")], Some(&cookie)).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(app.count("trusted_devices").await, 0);
}

#[tokio::test]
async fn a_wrong_current_password_and_a_wrong_api_key_are_audited() {
    let app = spawn_app_with(&[("KP_LIMIT_LOGIN_PER_MINUTE", "1000")]).await;
    customer_with_password(&app, "60030", "pruefung", PASSWORD).await;
    let cookie = app.sign_in("pruefung", PASSWORD).await;
    let wrong = "Falsch-Wort-9";
    let refused = [
        app.call("auth/confirm_password", &[("password", wrong), ("return_to", "/profil")], Some(&cookie)).await,
        app.call("profile/request_email_change", &[("email", "neu@pruefung.example"), ("password", wrong)], Some(&cookie)).await,
        app.call("auth/change_password", &[("current", wrong), ("password", "Neu-Tonne-42"), ("confirm", "Neu-Tonne-42")], Some(&cookie)).await,
    ];
    assert!(refused.iter().all(|answer| answer.status == StatusCode::UNPROCESSABLE_ENTITY), "{:?}", refused.iter().map(|a| a.status).collect::<Vec<_>>());
    let details = audit_details(&app, "current_password_wrong").await;
    assert_eq!(details, ["Passwort bestätigen", "E-Mail-Adresse ändern", "Passwort ändern"]);

    let request = Request::post("/api/v1/documents")
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
        .header(header::AUTHORIZATION, "Bearer kp_geraten")
        .body(Body::from("--x--\r\n"))
        .unwrap();
    assert_eq!(app.request(request).await.status, StatusCode::UNAUTHORIZED);
    let refusals: Vec<(String, Option<String>)> =
        db::query_as("SELECT detail, ip FROM audit_log WHERE action = 'request_refused_not_signed_in'").fetch_all(&app.state.pool).await.unwrap();
    assert_eq!(refusals, [("POST /api/v1/documents".to_owned(), Some("192.0.2.10".to_owned()))]);
}

#[tokio::test]
async fn unknown_inactive_and_waiting_names_cost_a_password_check_like_a_wrong_password() {
    let app = spawn_app_with(&[("KP_LIMIT_LOGIN_PER_MINUTE", "1000")]).await;
    customer_with_password(&app, "60040", "echt", PASSWORD).await;
    let inactive = customer_with_password(&app, "60041", "ruhend", PASSWORD).await;
    db::query("UPDATE users SET active = FALSE WHERE id = $1").bind(inactive).execute(&app.state.pool).await.unwrap();
    customer_with_password(&app, "60042", "wartend", PASSWORD).await;
    for _ in 0..5 {
        app.call("auth/login", &[("username", "wartend"), ("password", "Falsch-Wort-1")], None).await;
    }
    let checks = || app.state.metrics.password_checks.get();
    for (username, password, who) in [
        ("echt", "Falsch-Wort-1", "a known name with a wrong password"),
        ("niemand", "Falsch-Wort-1", "an unknown name"),
        ("ruhend", PASSWORD, "an inactive user with the right password"),
        ("wartend", PASSWORD, "a name that must wait, with the right password"),
        ("kein gültiger Name!", "Falsch-Wort-1", "input that is no username"),
    ] {
        let before = checks();
        let answer = app.call("auth/login", &[("username", username), ("password", password)], None).await;
        assert_eq!((answer.status, error_of(&answer)), (StatusCode::UNAUTHORIZED, AppError::InvalidCredentials), "{who}");
        assert_eq!(checks() - before, 1, "{who}: one Argon2 verification, as for a wrong password");
    }
}

#[tokio::test]
async fn the_database_refuses_rows_that_break_its_rules() {
    let app = spawn_app().await;
    let user = customer_with_password(&app, "60050", "regeln", PASSWORD).await;
    let customer: i64 = db::query_scalar("SELECT customer_id FROM users WHERE id = $1").bind(user).fetch_one(&app.state.pool).await.unwrap();
    let token = |hash: &str, purpose: &str, created: i64, expires: i64| {
        format!("INSERT INTO tokens (user_id, purpose, token_hash, created_at, expires_at) VALUES ({user}, '{purpose}', '{hash}', {created}, {expires})")
    };
    db::query(&token("h1", "password_reset", 1, 2)).execute(&app.state.pool).await.unwrap();
    let sha = "a".repeat(64);
    let must_fail = [
        ("a token hash twice", token("h1", "invitation", 1, 2)),
        ("a token of no known purpose", token("h2", "alles", 1, 2)),
        ("a token that expires before it is made", token("h3", "invitation", 5, 5)),
        ("a token of no user", "INSERT INTO tokens (user_id, purpose, token_hash, created_at, expires_at) VALUES (999999, 'invitation', 'h4', 1, 2)".to_owned()),
        ("a username twice whatever its case", format!("INSERT INTO users (customer_id, username, email, role, security_stamp, created_at) VALUES ({customer}, 'REGELN', 'x@y.example', 'sub', 's', 1)")),
        ("a role that does not exist", format!("INSERT INTO users (customer_id, username, email, role, security_stamp, created_at) VALUES ({customer}, 'zweiter', 'x@y.example', 'admin', 's', 1)")),
        ("a session of no user", "INSERT INTO sessions (id_hash, user_id, security_stamp, created_at, last_seen_at, authenticated_at) VALUES ('s1', 999999, 's', 1, 1, 1)".to_owned()),
        ("an outbox state that does not exist", "INSERT INTO mail_outbox (idempotency_key, kind, recipient, subject, body_text, body_html, status, next_attempt_at, created_at) VALUES ('k1', 'x', 'a@b.example', 's', 't', 'h', 'verschickt', 1, 1)".to_owned()),
        ("an outbox key twice", "INSERT INTO mail_outbox (idempotency_key, kind, recipient, subject, body_text, body_html, next_attempt_at, created_at) VALUES ('k2', 'x', 'a@b.example', 's', 't', 'h', 1, 1), ('k2', 'x', 'a@b.example', 's', 't', 'h', 1, 1)".to_owned()),
        ("a document of no customer", format!("INSERT INTO documents (customer_id, number, type_key, created_on, provided_at, hidden_from, sha256, size_bytes, ingested_at) VALUES (999999, '1', 'rechnung', '2026-01-01', 1, 2, '{sha}', 1, 1)")),
        ("a document of no known type", format!("INSERT INTO documents (customer_id, number, type_key, created_on, provided_at, hidden_from, sha256, size_bytes, ingested_at) VALUES ({customer}, '1', 'unbekannt', '2026-01-01', 1, 2, '{sha}', 1, 1)")),
        ("a forwarding confirmed without a time", format!("INSERT INTO forwardings (customer_id, email, status, optin_expires_at, created_at) VALUES ({customer}, 'a@b.example', 'confirmed', 1, 1)")),
        ("a daily allowance of nothing used", "INSERT INTO daily_allowances (action, counted_by, subject_id, day, used) VALUES ('user_add', 'user', 1, 1, 0)".to_owned()),
        ("a file lease of no hash", "INSERT INTO file_leases (sha256, held_for, holder, until) VALUES ('kurz', 'ingest', 'x', 1)".to_owned()),
    ];
    for (what, statement) in must_fail {
        assert!(db::query(&statement).execute(&app.state.pool).await.is_err(), "{what} was accepted: {statement}");
    }
}
