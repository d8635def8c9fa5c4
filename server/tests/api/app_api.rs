//! The mobile app's sign-in (OAuth 2.0 with PKCE) and its API under
//! `/api/v1`, against the real router and database.

use crate::common::*;
use app::server::db;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::Value;

const PASSWORD: &str = "App-Wort-4711";
const DAY: i64 = 24 * 3600;

fn json(response: &TestResponse) -> Value {
    serde_json::from_str(&response.body).unwrap_or_else(|_| panic!("not JSON: {} {}", response.status, response.body))
}

fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n").into_bytes()
}

/// `count` documents of `customer`, provided a minute apart (the last newest).
async fn documents(app: &TestApp, customer: &str, count: usize) -> Vec<i64> {
    use app::documents::ssr::ingest::{ingest, Ingester, NewDocument};
    let mut ids = Vec::new();
    for n in 0..count {
        let number = format!("RE-{customer}-{n}");
        let new = NewDocument::parse(customer, &number, "rechnung", "2026-11-02", None).unwrap();
        ids.push(ingest(&app.state, &Ingester::Operator, new, pdf(&number).into()).await.unwrap().id());
        app.state.clock.advance(60);
    }
    ids
}

async fn actions(app: &TestApp) -> Vec<String> {
    db::query_scalar("SELECT action FROM audit_log ORDER BY id").fetch_all(&app.state.pool).await.unwrap()
}

#[tokio::test]
async fn the_app_signs_in_with_pkce_and_reads_only_its_customers_documents() {
    let app = spawn_app().await;
    customer_with_password(&app, "91001", "app-anna", PASSWORD).await;
    customer_with_password(&app, "91002", "app-bert", PASSWORD).await;
    let own = documents(&app, "91001", 5).await;
    let foreign = documents(&app, "91002", 1).await;

    let cookie = app.sign_in("app-anna", PASSWORD).await;
    let code = app.app_code(&cookie).await;
    let answer = app.exchange_code(&code).await;
    assert_eq!(answer.headers[header::CACHE_CONTROL], "no-store");
    let body = json(&answer);
    assert_eq!((body["token_type"].as_str(), body["expires_in"].as_i64()), (Some("Bearer"), Some(15 * 60)));
    let tokens = tokens_of(&answer);
    for table in ["oauth_tokens", "oauth_codes"] {
        let stored: Vec<String> = db::query_scalar(&format!("SELECT {} FROM {table}", if table == "oauth_codes" { "code_hash" } else { "token_hash" }))
            .fetch_all(&app.state.pool)
            .await
            .unwrap();
        assert!(!stored.iter().any(|hash| hash == &tokens.access || hash == &tokens.refresh || hash == &code), "only hashes in {table}");
    }

    // Paging with the cursor sees every own document once, newest first.
    let mut seen = Vec::new();
    let mut address = "/api/v1/documents?limit=2".to_owned();
    loop {
        let page = app.api_get(&address, &tokens.access).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let page = json(&page);
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].as_i64().unwrap());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => address = format!("/api/v1/documents?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    let mut newest_first = own.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);

    let one = json(&app.api_get(&format!("/api/v1/documents/{}", own[0]), &tokens.access).await);
    assert_eq!(one["number"], "RE-91001-0");
    assert_eq!(one["type"], serde_json::json!({ "key": "rechnung", "name": "Rechnung" }));
    assert_eq!((one["created"].as_str(), one["new"].as_bool()), (Some("2026-11-02"), Some(true)));
    assert!(one["provided"].as_str().unwrap().ends_with('Z') && one["visible_until"].as_str().unwrap() > one["provided"].as_str().unwrap());

    let (status, headers, bytes) = app
        .request_bytes(Request::get(format!("/api/v1/documents/{}/pdf", own[0])).header(header::AUTHORIZATION, format!("Bearer {}", tokens.access)).body(Body::empty()).unwrap())
        .await;
    assert_eq!((status, headers[header::CONTENT_TYPE].to_str().unwrap()), (StatusCode::OK, "application/pdf"));
    assert_eq!(bytes.as_ref(), pdf("RE-91001-0").as_slice());
    let ranged = app
        .request(
            Request::get(format!("/api/v1/documents/{}/pdf", own[0]))
                .header(header::AUTHORIZATION, format!("Bearer {}", tokens.access))
                .header(header::RANGE, "bytes=0-3")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!((ranged.status, ranged.body.as_str()), (StatusCode::PARTIAL_CONTENT, "%PDF"));
    let read = json(&app.api_get(&format!("/api/v1/documents/{}", own[0]), &tokens.access).await);
    assert_eq!(read["new"], false, "opened in the app, read on every device");
    assert!(actions(&app).await.contains(&"document_viewed".to_owned()));

    // Another customer's document, a missing one and a nonsense id: the same answer.
    let missing = app.api_get("/api/v1/documents/999999", &tokens.access).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    for path in [format!("/api/v1/documents/{}", foreign[0]), format!("/api/v1/documents/{}/pdf", foreign[0]), "/api/v1/documents/abc".to_owned(), "/api/v1/documents/999999/pdf".to_owned()] {
        let refused = app.api_get(&path, &tokens.access).await;
        assert_eq!((refused.status, refused.body.as_str()), (missing.status, missing.body.as_str()), "{path}");
    }
    assert_eq!(json(&missing)["error"], "not_found");

    let types = json(&app.api_get("/api/v1/document-types", &tokens.access).await);
    assert!(types.as_array().unwrap().iter().any(|kind| kind["key"] == "rechnung" && kind["name"] == "Rechnung"));
    let filtered = json(&app.api_get("/api/v1/documents?q=91001-3&type=rechnung", &tokens.access).await);
    assert_eq!(filtered["items"].as_array().unwrap().len(), 1);
    for nonsense in ["limit=0", "limit=101", "cursor=x", "from=gestern", "limit=1&limit=2"] {
        let refused = app.api_get(&format!("/api/v1/documents?{nonsense}"), &tokens.access).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{nonsense}");
        assert!(json(&refused)["message"].as_str().unwrap().len() > 10, "{nonsense}: a German message");
    }

    let me = json(&app.api_get("/api/v1/me", &tokens.access).await);
    assert_eq!((me["username"].as_str(), me["customer"]["number"].as_str()), (Some("app-anna"), Some("91001")));
    assert_eq!((me["rights"]["main_user"].as_bool(), me["notification"].as_str()), (Some(true), Some("notify")));
    let audit = actions(&app).await;
    assert!(audit.contains(&"app_allowed".to_owned()) && audit.contains(&"app_signed_in".to_owned()), "{audit:?}");
}

#[tokio::test]
async fn a_code_works_once_for_its_client_address_and_verifier_within_a_minute() {
    let app = spawn_app().await;
    customer_with_password(&app, "91003", "app-code", PASSWORD).await;
    let cookie = app.sign_in("app-code", PASSWORD).await;

    // Used twice: refused, and what it gave is taken back (RFC 6749 §4.1.2).
    let code = app.app_code(&cookie).await;
    let tokens = tokens_of(&app.exchange_code(&code).await);
    assert_eq!(app.api_get("/api/v1/me", &tokens.access).await.status, StatusCode::OK);
    let again = app.exchange_code(&code).await;
    assert_eq!((again.status, json(&again)["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    assert_eq!(app.api_get("/api/v1/me", &tokens.access).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(json(&app.refresh_tokens(&tokens.refresh).await)["error"], "invalid_grant");

    let wrong = |code: String, field: &'static str, value: &'static str| {
        let app = &app;
        async move {
            let mut form = vec![
                ("grant_type", "authorization_code"),
                ("client_id", CLIENT_ID),
                ("code", code.as_str()),
                ("redirect_uri", REDIRECT_URI),
                ("code_verifier", VERIFIER),
            ];
            form.iter_mut().filter(|(name, _)| *name == field).for_each(|pair| pair.1 = value);
            app.token_request(&form).await
        }
    };
    let other_verifier = "A".repeat(43);
    let other_verifier: &'static str = Box::leak(other_verifier.into_boxed_str());
    for (field, value, error) in [
        ("code_verifier", other_verifier, "invalid_grant"),
        ("redirect_uri", "http://127.0.0.1:49153/callback", "invalid_grant"),
        ("code_verifier", "zu-kurz", "invalid_request"),
        ("client_id", "fremde-app", "invalid_client"),
        ("grant_type", "password", "unsupported_grant_type"),
    ] {
        let code = app.app_code(&cookie).await;
        let refused = wrong(code.clone(), field, value).await;
        assert_eq!(json(&refused)["error"], error, "{field}={value}");
        assert!(refused.status.is_client_error());
        if error == "invalid_grant" {
            assert_eq!(json(&app.exchange_code(&code).await)["error"], "invalid_grant", "{field}: the code is spent");
        }
    }
    let late = app.app_code(&cookie).await;
    app.state.clock.advance(61);
    assert_eq!(json(&app.exchange_code(&late).await)["error"], "invalid_grant", "a minute at most");
    let twice = app.token_request(&[("grant_type", "refresh_token"), ("grant_type", "refresh_token")]).await;
    assert_eq!(json(&twice)["error"], "invalid_request");
    let not_a_form = app
        .request(Request::post("/oauth/token").header(header::CONTENT_TYPE, "application/json").body(Body::from("{}")).unwrap())
        .await;
    assert_eq!(json(&not_a_form)["error"], "invalid_request");
    // A password change between "Erlauben" and the exchange: the code no longer signs in.
    let before_change = app.app_code(&cookie).await;
    let changed = app.call("auth/change_password", &[("current", PASSWORD), ("password", "Neu-Wort-0815"), ("confirm", "Neu-Wort-0815")], Some(&cookie)).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(json(&app.exchange_code(&before_change).await)["error"], "invalid_grant");
}

#[tokio::test]
async fn the_authorize_endpoint_sends_no_one_to_an_address_it_does_not_know() {
    let app = spawn_app_with(&[("KP_APP_REDIRECT_URIS", "de.example.portal:/anmeldung")]).await;
    customer_with_password(&app, "91004", "app-weg", PASSWORD).await;
    let cookie = app.sign_in("app-weg", PASSWORD).await;
    let base = authorize_address("s");
    for foreign in ["https://evil.example/cb", "http://localhost:5000/cb", "de.example.portal:/anders"] {
        let address = base.replace(&urlencode(REDIRECT_URI), &urlencode(foreign));
        let answer = app.get(&address, Some(&cookie)).await;
        assert_eq!((answer.status, answer.location()), (StatusCode::BAD_REQUEST, None), "{foreign}");
        assert!(answer.body.contains("App-Anmeldung nicht möglich") && answer.body.contains("lang=\"de\""), "{foreign}");
    }
    let unknown_app = app.get(&base.replace("kundenportal-app", "fremde-app"), Some(&cookie)).await;
    assert_eq!((unknown_app.status, unknown_app.location()), (StatusCode::BAD_REQUEST, None));

    // The configured private-use scheme is allowed.
    let own_scheme = app.get(&base.replace(&urlencode(REDIRECT_URI), &urlencode("de.example.portal:/anmeldung")), Some(&cookie)).await;
    assert!(own_scheme.location().unwrap().starts_with("/app-freigabe?"));
    // A known address with a bad request: the app hears why.
    for (change, error) in [("code_challenge_method=S256", "code_challenge_method=plain"), ("response_type=code", "response_type=token")] {
        let answer = app.get(&base.replace(change, error), Some(&cookie)).await;
        let location = answer.location().unwrap();
        assert!(location.starts_with(REDIRECT_URI) && location.contains("error=") && location.contains("state=s"), "{location}");
    }
    // "Ablehnen": the app hears access_denied.
    let consent = app.get(&base, Some(&cookie)).await.location().unwrap().to_owned();
    let page = app.get(&consent, Some(&cookie)).await;
    assert!(page.body.contains("Kundenportal-App") && page.body.contains("Erlauben") && page.body.contains("Ablehnen"), "{}", page.body);
    // The browser follows the form's redirect to the app only if the page's CSP names it.
    let csp = page.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.ends_with("form-action 'self' http://127.0.0.1:49152"), "{csp}");
    assert!(app.get("/profil", Some(&cookie)).await.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().ends_with("form-action 'self'"));
    let denied = app.decide_app(&consent, false, &cookie).await;
    let location = denied.location().unwrap();
    assert_eq!(param(location, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(location, "state").as_deref(), Some("s"));
    assert!(actions(&app).await.contains(&"app_refused".to_owned()));
    // The decision comes only from the portal's own page.
    let mut forged = app.decide_app(&consent, true, &cookie).await;
    assert_eq!(forged.status, StatusCode::SEE_OTHER);
    let cross_site = Request::post("/oauth/authorize")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .header(header::COOKIE, &cookie)
        .body(Body::from(consent.split_once('?').unwrap().1.to_owned() + "&decision=allow"))
        .unwrap();
    forged = app.request(cross_site).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_signed_out_browser_signs_in_does_the_first_steps_and_comes_back_to_the_app() {
    let app = spawn_app().await;
    customer_with_initial_password(&app, "91005", "app-neu", "Erst-Wort-1234").await;
    let start = app.get(&authorize_address("weiter"), None).await;
    assert_eq!(start.location(), Some("/login"));
    let pending = start
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|value| value.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|cookie| cookie.starts_with("kp_app_request="))
        .expect("the request is kept while the user signs in");
    let login = app.call("auth/login", &[("username", "app-neu"), ("password", "Erst-Wort-1234")], Some(&pending)).await;
    let session = login.session_cookie().unwrap();
    assert_eq!(login.location(), Some("/passwort-festlegen"));
    let both = format!("{session}; {pending}");
    let set = app.call("auth/set_initial_password", &[("password", "Eigen-Wort-5678"), ("confirm", "Eigen-Wort-5678")], Some(&both)).await;
    let session = set.session_cookie().unwrap_or(session);
    let both = format!("{session}; {pending}");
    let step = set.location().unwrap().to_owned();
    let consent = if step == "/datenschutz-akzeptieren" {
        let version: i64 = db::query_scalar("SELECT MAX(version) FROM privacy_notices").fetch_one(&app.state.pool).await.unwrap();
        let accepted = app.call("auth/accept_privacy", &[("version", &version.to_string())], Some(&both)).await;
        accepted.location().unwrap().to_owned()
    } else {
        step
    };
    assert!(consent.starts_with("/app-freigabe?") && consent.contains("state=weiter"), "{consent}");
    let allowed = app.decide_app(&consent, true, &both).await;
    assert!(allowed.headers.get_all(header::SET_COOKIE).iter().any(|value| value.to_str().unwrap().starts_with("kp_app_request=;")));
    let code = param(allowed.location().unwrap(), "code").unwrap();
    let tokens = tokens_of(&app.exchange_code(&code).await);
    assert_eq!(json(&app.api_get("/api/v1/me", &tokens.access).await)["username"], "app-neu");
}

#[tokio::test]
async fn refresh_tokens_are_spent_when_used_and_a_spent_one_ends_the_whole_sign_in() {
    let app = spawn_app().await;
    customer_with_password(&app, "91006", "app-neu2", PASSWORD).await;
    let first = app.app_sign_in("app-neu2", PASSWORD).await;
    let second = tokens_of(&app.refresh_tokens(&first.refresh).await);
    assert_ne!(first.access, second.access);
    assert_eq!(app.api_get("/api/v1/me", &second.access).await.status, StatusCode::OK);

    // The spent token again (a thief, or the app replaying it): everything of this sign-in ends.
    let replayed = app.refresh_tokens(&first.refresh).await;
    assert_eq!(json(&replayed)["error"], "invalid_grant");
    for access in [&first.access, &second.access] {
        let refused = app.api_get("/api/v1/me", access).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert_eq!(refused.headers[header::WWW_AUTHENTICATE], "Bearer error=\"invalid_token\"");
    }
    assert_eq!(json(&app.refresh_tokens(&second.refresh).await)["error"], "invalid_grant");
    assert!(actions(&app).await.contains(&"app_sign_in_ended_reuse".to_owned()));
}

#[tokio::test]
async fn access_tokens_live_fifteen_minutes_and_sign_ins_thirty_idle_days_and_half_a_year_at_most() {
    let app = spawn_app().await;
    customer_with_password(&app, "91007", "app-zeit", PASSWORD).await;
    let tokens = app.app_sign_in("app-zeit", PASSWORD).await;
    app.state.clock.advance(15 * 60 - 1);
    assert_eq!(app.api_get("/api/v1/me", &tokens.access).await.status, StatusCode::OK);
    app.state.clock.advance(2);
    assert_eq!(app.api_get("/api/v1/me", &tokens.access).await.status, StatusCode::UNAUTHORIZED);

    // Used every 29 days it lives on, but not past 180 days: the refresh on
    // day 174 is the last; on day 203 it has been idle only 29 days.
    let mut current = tokens;
    for _ in (29..=174).step_by(29) {
        app.state.clock.advance(29 * DAY);
        current = tokens_of(&app.refresh_tokens(&current.refresh).await);
    }
    app.state.clock.advance(29 * DAY);
    assert_eq!(json(&app.refresh_tokens(&current.refresh).await)["error"], "invalid_grant", "180 days at most");

    let idle = app.app_sign_in("app-zeit", PASSWORD).await;
    app.state.clock.advance(30 * DAY + 1);
    assert_eq!(json(&app.refresh_tokens(&idle.refresh).await)["error"], "invalid_grant", "30 days unused");
}

#[tokio::test]
async fn app_sign_ins_are_listed_in_profil_and_end_with_the_browsers() {
    let app = spawn_app().await;
    customer_with_password(&app, "91008", "app-liste", PASSWORD).await;
    let tokens = app.app_sign_in("app-liste", PASSWORD).await;
    let browser = app.sign_in("app-liste", PASSWORD).await;
    let listed = json(&app.call("auth/sign_ins", &[], Some(&browser)).await);
    let entries = listed.as_array().unwrap();
    let app_entry = entries.iter().find(|entry| entry["browser"] == "Kundenportal-App").expect("the app is listed");
    assert_eq!(app_entry["this_device"], false);

    // "Abmelden" for the app's entry ends it.
    let ended = app.call("auth/end_sign_in", &[("id", app_entry["id"].as_str().unwrap())], Some(&browser)).await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
    assert_eq!(app.api_get("/api/v1/me", &tokens.access).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(json(&app.refresh_tokens(&tokens.refresh).await)["error"], "invalid_grant");

    // "Auf allen anderen Geräten abmelden" and a password change end it too; so does deactivation.
    for end in ["sign_out_elsewhere", "change_password", "deactivate"] {
        let tokens = app.app_sign_in("app-liste", PASSWORD).await;
        let browser = app.sign_in("app-liste", PASSWORD).await;
        match end {
            "sign_out_elsewhere" => assert_eq!(app.call("auth/sign_out_elsewhere", &[], Some(&browser)).await.status, StatusCode::OK),
            "change_password" => {
                let form = [("current", PASSWORD), ("password", "Zwischen-Wort-1"), ("confirm", "Zwischen-Wort-1")];
                assert_eq!(app.call("auth/change_password", &form, Some(&browser)).await.status, StatusCode::OK);
                let cookie = app.sign_in("app-liste", "Zwischen-Wort-1").await;
                let back = [("current", "Zwischen-Wort-1"), ("password", PASSWORD), ("confirm", PASSWORD)];
                assert_eq!(app.call("auth/change_password", &back, Some(&cookie)).await.status, StatusCode::OK);
            }
            _ => {
                db::query("UPDATE users SET active = FALSE WHERE username = 'app-liste'").execute(&app.state.pool).await.unwrap();
            }
        }
        assert_eq!(app.api_get("/api/v1/me", &tokens.access).await.status, StatusCode::UNAUTHORIZED, "{end}");
        assert_eq!(json(&app.refresh_tokens(&tokens.refresh).await)["error"], "invalid_grant", "{end}");
    }
}

#[tokio::test]
async fn revoking_a_refresh_token_ends_the_sign_in_and_the_metadata_names_every_endpoint() {
    let app = spawn_app().await;
    customer_with_password(&app, "91009", "app-ende", PASSWORD).await;
    let tokens = app.app_sign_in("app-ende", PASSWORD).await;
    let revoke = |token: String, client: &'static str| {
        let app = &app;
        async move {
            let request = Request::post("/oauth/revoke")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form_body(&[("token", &token), ("client_id", client), ("token_type_hint", "refresh_token")])))
                .unwrap();
            app.request(request).await
        }
    };
    assert_eq!(revoke("unbekannt".into(), CLIENT_ID).await.status, StatusCode::OK, "no hint whether a token exists");
    assert_eq!(revoke(tokens.refresh.clone(), "fremde-app").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.api_get("/api/v1/me", &tokens.access).await.status, StatusCode::OK);
    assert_eq!(revoke(tokens.refresh.clone(), CLIENT_ID).await.status, StatusCode::OK);
    assert_eq!(app.api_get("/api/v1/me", &tokens.access).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(json(&app.refresh_tokens(&tokens.refresh).await)["error"], "invalid_grant");
    assert!(actions(&app).await.contains(&"app_signed_out".to_owned()));

    let metadata = json(&app.get("/.well-known/oauth-authorization-server", None).await);
    let issuer = app.state.config.base_url.clone();
    assert_eq!(metadata["issuer"], issuer);
    for (field, path) in [("authorization_endpoint", "/oauth/authorize"), ("token_endpoint", "/oauth/token"), ("revocation_endpoint", "/oauth/revoke")] {
        assert_eq!(metadata[field], format!("{issuer}{path}"));
    }
    assert_eq!(metadata["code_challenge_methods_supported"], serde_json::json!(["S256"]));
    assert_eq!(metadata["grant_types_supported"], serde_json::json!(["authorization_code", "refresh_token"]));
}

#[tokio::test]
async fn the_app_changes_name_and_notification_under_profils_rules() {
    let app = spawn_app().await;
    customer_with_password(&app, "91010", "app-profil", PASSWORD).await;
    let tokens = app.app_sign_in("app-profil", PASSWORD).await;
    let patch = |body: &'static str| {
        let (app, access) = (&app, tokens.access.clone());
        async move {
            let request = Request::patch("/api/v1/me")
                .header(header::AUTHORIZATION, format!("Bearer {access}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap();
            app.request(request).await
        }
    };
    let changed = patch(r#"{"name": {"salutation": "frau", "first_name": "Erika", "last_name": "Muster"}, "notification": "attachment"}"#).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let me = json(&changed);
    assert_eq!((me["name"]["display"].as_str(), me["notification"].as_str()), (Some("Frau Erika Muster"), Some("attachment")));
    let audit = actions(&app).await;
    assert!(audit.contains(&"name_changed".to_owned()) && audit.contains(&"notification_changed".to_owned()));

    // Nothing is written when a part is refused; the message is German and names the field.
    let refused = patch(r#"{"name": {"salutation": "herr", "first_name": "Max", "last_name": "Neu"}, "notification": "immer"}"#).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(json(&refused)["field"], "notification");
    assert_eq!(json(&app.api_get("/api/v1/me", &tokens.access).await)["name"]["first_name"], "Erika");
    for nonsense in [r#"{"username": "anders"}"#, "kein json"] {
        assert_eq!(patch(nonsense).await.status, StatusCode::BAD_REQUEST, "{nonsense}");
    }
}

#[tokio::test]
async fn the_token_endpoint_counts_requests_per_address() {
    let app = spawn_app_with(&[("KP_LIMIT_APP_TOKEN_PER_MINUTE", "2")]).await;
    for _ in 0..2 {
        assert_eq!(app.refresh_tokens("erfunden").await.status, StatusCode::BAD_REQUEST);
    }
    let limited = app.refresh_tokens("erfunden").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers.contains_key(header::RETRY_AFTER));
}

#[tokio::test]
async fn the_openapi_document_names_every_route_and_method_the_router_serves_under_api_v1() {
    let app = spawn_app().await;
    let answer = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(answer.status, StatusCode::OK);
    let document = json(&answer);
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1."), "{}", document["openapi"]);
    assert_eq!(document["servers"][0]["url"], app.state.config.base_url.as_str());
    let app_scheme = &document["components"]["securitySchemes"]["app"];
    assert_eq!(app_scheme["type"], "oauth2");
    let flow = &app_scheme["flows"]["authorizationCode"];
    assert_eq!(flow["authorizationUrl"], format!("{}/oauth/authorize", app.state.config.base_url));
    assert_eq!(flow["tokenUrl"], format!("{}/oauth/token", app.state.config.base_url));
    assert_eq!(document["components"]["securitySchemes"]["api_key"]["scheme"], "bearer");

    // Every method the router answers on every /api/v1 route (not with 405) is described.
    let routes: Vec<&str> = server::startup::plain_routes().into_iter().map(|(path, _, _)| path).filter(|path| path.starts_with("/api/v1/")).collect();
    assert!(routes.len() >= 6, "{routes:?}");
    for path in routes.iter().copied().chain(["/oauth/authorize", "/oauth/token", "/oauth/revoke", "/.well-known/oauth-authorization-server"]) {
        let described = &document["paths"][path];
        assert!(described.is_object(), "{path} is not in the document");
        for method in ["GET", "POST", "PATCH", "PUT", "DELETE"] {
            // Past the cross-site check, which would refuse an unknown method before the router could.
            let request =
                Request::builder().method(method).uri(path.replace("{id}", "1")).header("sec-fetch-site", "same-origin").body(Body::empty()).unwrap();
            let served = app.request(request).await.status != StatusCode::METHOD_NOT_ALLOWED;
            let in_document = described[method.to_lowercase()].is_object();
            if path == "/oauth/authorize" && method == "POST" {
                continue; // the consent page's own form, not for apps
            }
            assert_eq!(served, in_document, "{method} {path}: served {served}, in the document {in_document}");
            if in_document {
                let operation = &described[method.to_lowercase()];
                assert!(operation["summary"].as_str().is_some_and(|summary| !summary.is_empty()), "{method} {path}");
                assert!(operation["responses"].as_object().is_some_and(|responses| !responses.is_empty()), "{method} {path}");
            }
        }
    }

    // The page for people: from the portal itself, no script, every route on it.
    let page = app.get("/api/docs", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    let csp = page.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none'; style-src 'self'") && !csp.contains("script-src"), "{csp}");
    assert!(!page.body.contains("<script") && !page.body.contains("src=") && !page.body.contains("href=\"http"), "nothing from elsewhere");
    for path in document["paths"].as_object().unwrap().keys() {
        assert!(page.body.contains(&path.replace('/', "/<wbr>")), "{path} on the page");
    }
}

/// The link of the newest queued mail of `kind` to `page`.
async fn mailed_token(app: &TestApp, kind: &str, page: &str) -> String {
    let body: String = db::query_scalar("SELECT body_text FROM mail_outbox WHERE kind = $1 ORDER BY id DESC LIMIT 1")
        .bind(kind)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    link_in(&body, page).1
}

#[tokio::test]
async fn a_password_reset_an_email_change_and_removing_the_user_end_the_apps_sign_ins() {
    let app = spawn_app().await;
    let chefin = customer_with_password(&app, "91011", "app-chefin", PASSWORD).await;

    // "Passwort vergessen" and its link.
    let tokens = app.app_sign_in("app-chefin", PASSWORD).await;
    app.call("auth/request_reset", &[("identifier", "app-chefin")], None).await;
    app.background_work_done().await;
    let reset = mailed_token(&app, "password_reset", "/passwort-neu").await;
    let done = app.call("auth/reset_password", &[("token", &reset), ("password", "Nach-Reset-123"), ("confirm", "Nach-Reset-123")], None).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(app.api_get("/api/v1/me", &tokens.access).await.status, StatusCode::UNAUTHORIZED, "password reset");
    assert_eq!(json(&app.refresh_tokens(&tokens.refresh).await)["error"], "invalid_grant");

    // A confirmed e-mail change.
    let tokens = app.app_sign_in("app-chefin", "Nach-Reset-123").await;
    let browser = app.sign_in("app-chefin", "Nach-Reset-123").await;
    let asked = app.call("profile/request_email_change", &[("email", "neu@chefin.example"), ("password", "Nach-Reset-123")], Some(&browser)).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    let confirm = mailed_token(&app, "email_change", "/email-bestaetigen").await;
    assert_eq!(app.call("profile/confirm_email_change", &[("token", &confirm)], None).await.status, StatusCode::OK);
    assert_eq!(app.api_get("/api/v1/me", &tokens.access).await.status, StatusCode::UNAUTHORIZED, "e-mail change");

    // A sub-user removed by the main user.
    let sub = sub_user_with_password(&app, customer_id_of(&app, chefin).await, "app-helfer", PASSWORD, false, false).await;
    let helper = app.app_sign_in("app-helfer", PASSWORD).await;
    assert_eq!(app.api_get("/api/v1/me", &helper.access).await.status, StatusCode::OK);
    let main = app.sign_in("app-chefin", "Nach-Reset-123").await;
    let removed = app.call("users/remove", &[("id", &sub.to_string())], Some(&main)).await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);
    assert_eq!(app.api_get("/api/v1/me", &helper.access).await.status, StatusCode::UNAUTHORIZED, "removed");
    let left: i64 = db::query_scalar("SELECT COUNT(*) FROM oauth_tokens t JOIN sessions s ON s.id_hash = t.session_hash WHERE s.user_id = $1")
        .bind(sub)
        .fetch_one(&app.state.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_or_refresh_token_sent_twice_at_once_works_once() {
    let app = std::sync::Arc::new(spawn_app().await);
    customer_with_password(&app, "91012", "app-doppelt", PASSWORD).await;
    let cookie = app.sign_in("app-doppelt", PASSWORD).await;
    let code = app.app_code(&cookie).await;
    let (first, second) = tokio::join!(app.exchange_code(&code), app.exchange_code(&code));
    let worked = [&first, &second].iter().filter(|answer| answer.status == StatusCode::OK).count();
    assert_eq!(worked, 1, "{} / {}", first.body, second.body);

    let tokens = tokens_of(if first.status == StatusCode::OK { &first } else { &second });
    let (first, second) = tokio::join!(app.refresh_tokens(&tokens.refresh), app.refresh_tokens(&tokens.refresh));
    let worked: Vec<&TestResponse> = [&first, &second].into_iter().filter(|answer| answer.status == StatusCode::OK).collect();
    assert!(worked.len() <= 1, "a refresh token is spent once: {} / {}", first.body, second.body);
    // Whichever came second counts as a stolen token: the whole sign-in ends, the new pair too.
    for answer in worked {
        assert_eq!(app.api_get("/api/v1/me", &tokens_of(answer).access).await.status, StatusCode::UNAUTHORIZED);
    }
}
