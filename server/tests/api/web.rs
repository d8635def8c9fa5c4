//! Pages, sign-in and sessions through the real router, in-process.


use app::server::db;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use crate::common::*;

const PASSWORD: &str = "Grün-Tonne-7";

#[tokio::test]
async fn signed_out_the_portal_redirects_to_the_login_page() {
    let app = spawn_app().await;
    for path in ["/", "/dokumente", "/benutzer"] {
        let response = app.get(path, None).await;
        assert_eq!(response.status, StatusCode::FOUND, "{path}");
        assert_eq!(response.location(), Some("/login"), "{path}");
    }
    let login = app.get("/login", None).await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.body.contains("Benutzername") && login.body.contains("Passwort vergessen"));
}

#[tokio::test]
async fn sign_in_opens_the_shell_with_the_users_name_and_options() {
    let app = spawn_app().await;
    customer_with_password(&app, "40001", "Erika", PASSWORD).await;
    let cookie = app.sign_in("erika", PASSWORD).await;

    let home = app.get("/", Some(&cookie)).await;
    assert_eq!(home.status, StatusCode::OK);
    for expected in ["Hauptansicht", "@Erika", "Dokumente", "Weiterleitungen", "Benutzer", "Abmelden", "Impressum"] {
        assert!(home.body.contains(expected), "missing {expected}");
    }
    let user = app.call("auth/current_user", &[], Some(&cookie)).await;
    let user: serde_json::Value = serde_json::from_str(&user.body).unwrap();
    assert_eq!(user["username"], "Erika");
    assert_eq!(user["is_main_user"], true);
}

#[tokio::test]
async fn wrong_unknown_and_inactive_all_get_the_same_answer() {
    let app = spawn_app().await;
    let user_id = customer_with_password(&app, "40002", "frida", PASSWORD).await;
    customer_with_password(&app, "40003", "gustav", PASSWORD).await;
    db::query("UPDATE users SET active = FALSE WHERE username = 'gustav'").execute(&app.state.pool).await.unwrap();

    let attempts = [("frida", "Falsch-Wort-1"), ("niemand", PASSWORD), ("gustav", PASSWORD), ("", "")];
    let mut answers = Vec::new();
    for (username, password) in attempts {
        let response = app.call("auth/login", &[("username", username), ("password", password)], None).await;
        assert!(response.session_cookie().is_none(), "{username}");
        answers.push((response.status, response.body));
    }
    assert_eq!(answers[0].0, StatusCode::UNAUTHORIZED);
    assert!(answers[0].1.contains("InvalidCredentials"), "{}", answers[0].1);
    assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
    let failures: i64 = db::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed' AND actor_user_id = $1")
        .bind(user_id)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(failures, 1);
}

#[tokio::test]
async fn a_plain_form_post_is_answered_with_redirects() {
    let app = spawn_app().await;
    customer_with_password(&app, "40004", "hanna", PASSWORD).await;
    let post = |password: &str| {
        Request::post("/api/auth/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::REFERER, "http://127.0.0.1:3000/login")
            .header(header::ORIGIN, "http://127.0.0.1:3000")
            .body(Body::from(format!("username=hanna&password={}", urlencode(password))))
            .unwrap()
    };
    let refused = app.request(post("Falsch-Wort-1")).await;
    assert_eq!(refused.status, StatusCode::FOUND);
    assert_eq!(refused.location(), Some("/login?fehler=anmeldung"));
    let page = app.get("/login?fehler=anmeldung", None).await;
    assert!(page.body.contains("Benutzername oder Passwort ist falsch."));

    let accepted = app.request(post(PASSWORD)).await;
    assert_eq!(accepted.status, StatusCode::FOUND);
    assert_eq!(accepted.location(), Some("/"));
    assert!(accepted.session_cookie().is_some());
}

#[tokio::test]
async fn sessions_are_stored_hashed_renewed_at_login_and_dead_after_sign_out() {
    let app = spawn_app().await;
    customer_with_password(&app, "40005", "ida", PASSWORD).await;
    let first = app.sign_in("ida", PASSWORD).await;
    let raw = first.split_once('=').unwrap().1.to_owned();
    let stored: Vec<String> = db::query_scalar("SELECT id_hash FROM sessions").fetch_all(&app.state.pool).await.unwrap();
    assert_eq!(stored, vec![app::server::crypto::token_hash(&raw)]);

    // Signing in again with the old cookie replaces it.
    let response = app.call("auth/login", &[("username", "ida"), ("password", PASSWORD)], Some(&first)).await;
    let second = response.session_cookie().unwrap();
    assert_ne!(first, second);
    assert_eq!(app.call("auth/current_user", &[], Some(&first)).await.body, "null");
    assert_eq!(app.count("sessions").await, 1);

    let out = app.call("auth/logout", &[], Some(&second)).await;
    let cleared = out.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(cleared.starts_with("kp_session=;") && cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(app.count("sessions").await, 0);
    assert_eq!(app.call("auth/current_user", &[], Some(&second)).await.body, "null");
    assert_eq!(app.get("/", Some(&second)).await.location(), Some("/login"));
}

#[tokio::test]
async fn sessions_time_out_when_idle_and_after_twelve_hours() {
    let app = spawn_app().await;
    customer_with_password(&app, "40006", "jonas", PASSWORD).await;
    let idle = app.sign_in("jonas", PASSWORD).await;
    app.state.clock.advance(29 * 60);
    assert_ne!(app.call("auth/current_user", &[], Some(&idle)).await.body, "null");
    app.state.clock.advance(31 * 60);
    assert_eq!(app.call("auth/current_user", &[], Some(&idle)).await.body, "null");

    let busy = app.sign_in("jonas", PASSWORD).await;
    for _ in 0..25 {
        app.state.clock.advance(29 * 60);
        let _ = app.call("auth/current_user", &[], Some(&busy)).await;
    }
    assert_eq!(app.call("auth/current_user", &[], Some(&busy)).await.body, "null", "absolute timeout");
}

#[tokio::test]
async fn session_cookie_flags_follow_the_base_url() {
    let app = spawn_app_with(&[("KP_BASE_URL", "https://portal.example.com")]).await;
    customer_with_password(&app, "40007", "karl", PASSWORD).await;
    let response = app.call("auth/login", &[("username", "karl"), ("password", PASSWORD)], None).await;
    let cookie = response.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Host-kp_session="), "{cookie}");
    for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(flag), "{flag} in {cookie}");
    }
    assert!(response.headers.get(header::STRICT_TRANSPORT_SECURITY).is_some());
}

#[tokio::test]
async fn legal_pages_and_branding_need_no_sign_in() {
    let app = spawn_app().await;
    let cases = [("/kontakt", "Kundenservice"), ("/impressum", "Angaben gemäß"), ("/datenschutz", "Version 1")];
    for (path, expected) in cases {
        let page = app.get(path, None).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert!(page.body.contains(expected), "{path}");
        assert!(page.body.contains("Festnetzpreis"), "{path}: hotline note in footer");
    }
    let logo = app.get("/branding/logo", None).await;
    assert_eq!(logo.status, StatusCode::OK);
    assert_eq!(logo.headers[header::CONTENT_TYPE], "image/svg+xml");
}

#[tokio::test]
async fn pages_carry_a_nonce_csp_and_security_headers() {
    let app = spawn_app().await;
    let page = app.get("/login", None).await;
    let csp = page.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_owned();
    assert!(nonce.len() >= 16);
    assert!(page.body.contains(&format!("nonce=\"{nonce}\"")), "scripts carry this response's nonce");
    for directive in ["'strict-dynamic'", "'wasm-unsafe-eval'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"] {
        assert!(csp.contains(directive), "{directive}");
    }
    assert_eq!(page.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(page.headers[header::REFERRER_POLICY], "strict-origin-when-cross-origin");
    assert_eq!(page.headers["cross-origin-opener-policy"], "same-origin");
    assert!(page.headers.get(header::STRICT_TRANSPORT_SECURITY).is_none(), "no HSTS over http");

    let other = app.get("/login", None).await;
    assert_ne!(other.headers[header::CONTENT_SECURITY_POLICY], page.headers[header::CONTENT_SECURITY_POLICY]);
}

#[tokio::test]
async fn a_database_failure_shows_german_text_and_a_correlation_id_only() {
    let app = spawn_app().await;
    customer_with_password(&app, "40008", "lena", PASSWORD).await;
    let cookie = app.sign_in("lena", PASSWORD).await;
    // PostgreSQL drops what refers to it (the app's codes and tokens) only when told.
    crate::common::execute_per_backend(&app.state.pool, &["DROP TABLE sessions"], &["DROP TABLE sessions CASCADE"]).await;

    let response = app.call("auth/current_user", &[], Some(&cookie)).await;
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    let error: app::error::AppError = serde_json::from_str(&response.body).unwrap();
    let app::error::AppError::Internal { correlation_id } = &error else { panic!("{error:?}") };
    assert_eq!(correlation_id.len(), 12);
    let text = error.to_string();
    assert!(text.contains("unerwarteter Fehler") && text.contains(correlation_id.as_str()));
    for leak in ["sessions", "no such table", "SELECT", "sqlite"] {
        assert!(!response.body.to_lowercase().contains(&leak.to_lowercase()), "{leak} leaked: {}", response.body);
    }
}

#[tokio::test]
async fn the_builds_own_files_are_compressed_and_pages_are_not() {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir(site.path().join("pkg")).unwrap();
    let wasm: Vec<u8> = b"\0asm\x01\0\0\0".iter().copied().chain((0..20_000u32).flat_map(|i| (i % 97).to_le_bytes())).collect();
    std::fs::write(site.path().join("pkg/kundenportal.wasm"), &wasm).unwrap();
    let css = "main { color: #123456; }\n".repeat(200);
    std::fs::write(site.path().join("pkg/kundenportal.css"), &css).unwrap();
    let app = spawn_app_with(&[("LEPTOS_SITE_ROOT", &site.path().display().to_string())]).await;

    let fetch = |path: &'static str| {
        let app = &app;
        async move {
            let request = match path.strip_prefix("/api/") {
                Some(endpoint) => server_fn_request(endpoint, None),
                None => Request::get(path),
            };
            let request = request.header(header::ACCEPT_ENCODING, "gzip").body(Body::empty()).unwrap();
            let (_, headers, body) = app.request_bytes(request).await;
            (headers, body)
        }
    };

    let (headers, body) = fetch("/pkg/kundenportal.wasm").await;
    assert_eq!(headers.get(header::CONTENT_TYPE).unwrap(), "application/wasm");
    assert_eq!(headers.get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap()), Some("gzip"));
    assert_eq!(&body[..2], &[0x1f, 0x8b], "a gzip stream");
    assert!(body.len() * 4 < wasm.len(), "{} bytes for {}", body.len(), wasm.len());
    assert_eq!(headers.get(header::VARY).map(|v| v.to_str().unwrap()), Some("accept-encoding"), "caches keep both forms apart");

    let (headers, body) = fetch("/pkg/kundenportal.css").await;
    assert_eq!(headers.get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap()), Some("gzip"));
    assert!(body.len() * 4 < css.len());

    let (headers, body) = fetch("/api/auth/current_user").await;
    assert!(headers.get(header::CONTENT_ENCODING).is_none(), "server-function answers stay uncompressed");
    assert_eq!(String::from_utf8_lossy(&body), "null");

    let (headers, body) = fetch("/kontakt").await;
    assert!(headers.get(header::CONTENT_ENCODING).is_none(), "pages stay uncompressed");
    assert!(String::from_utf8_lossy(&body).contains("<html"));
}

#[tokio::test]
async fn every_accepted_connection_sends_without_waiting_for_the_clients_ack() {
    use axum::serve::Listener;
    let mut listener = server::startup::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let address = listener.local_addr().unwrap();
    let client = tokio::net::TcpStream::connect(address).await.unwrap();
    let (accepted, peer) = listener.accept().await;
    assert_eq!(peer, client.local_addr().unwrap());
    assert!(accepted.nodelay().unwrap(), "TCP_NODELAY on the server's side of the connection");
    // A listener without it would not: the check can tell the difference.
    let plain = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let _other = tokio::net::TcpStream::connect(plain.local_addr().unwrap()).await.unwrap();
    assert!(!plain.accept().await.unwrap().0.nodelay().unwrap());
}

#[tokio::test]
async fn metrics_are_off_unless_a_token_is_set_and_then_only_for_that_token() {
    let off = spawn_app().await;
    assert_eq!(off.get("/metrics", None).await.status, StatusCode::NOT_FOUND);

    const TOKEN: &str = "metriken-geheim-0123456789";
    let app = spawn_app_with(&[("KP_METRICS_TOKEN", TOKEN)]).await;
    customer_with_password(&app, "40090", "messung", PASSWORD).await;
    app.call("auth/login", &[("username", "messung"), ("password", "Falsch-Wort-1")], None).await;
    let cookie = app.sign_in("messung", PASSWORD).await;
    assert_eq!(app.get("/dokumente", Some(&cookie)).await.status, StatusCode::OK);
    // A waiting mail: the outbox's depth and age.
    app.call("auth/request_reset", &[("identifier", "messung")], None).await;
    app.background_work_done().await;
    app.state.clock.advance(90);

    let scrape = |authorization: Option<&str>| {
        let mut request = Request::get("/metrics");
        if let Some(value) = authorization {
            request = request.header(header::AUTHORIZATION, value);
        }
        app.request(request.body(Body::empty()).unwrap())
    };
    for wrong in [None, Some("Bearer falsch"), Some(TOKEN)] {
        assert_eq!(scrape(wrong).await.status, StatusCode::UNAUTHORIZED, "{wrong:?}");
    }
    let metrics = scrape(Some(&format!("Bearer {TOKEN}"))).await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(metrics.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/openmetrics-text"));
    let text = metrics.body;
    for expected in [
        "kundenportal_http_requests_total{route=\"/dokumente\",method=\"GET\",status=\"200\"} 1",
        "kundenportal_http_requests_total{route=\"/api/auth/login\",method=\"POST\",status=\"401\"} 1",
        "kundenportal_http_request_duration_seconds_bucket{",
        "kundenportal_sign_in_refusals_total{reason=\"invalid_credentials\"} 1",
        "kundenportal_password_checks_total 2",
        "kundenportal_mail_outbox_queued 1",
        "kundenportal_mail_outbox_oldest_queued_seconds 90",
        "kundenportal_db_connections_in_use ",
        "# EOF",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    assert!(!text.contains("messung") && !text.contains(TOKEN), "no names, no secrets");
}
