//! The frame the features stand on: the signed-in extractor on a plain
//! route, every page route, every plain route's access rule, the outbox's
//! wake-up after commit, and every mail rendered from its real caller.


use app::auth::ssr::expiry;
use app::i18n::Lang;
use app::routes;
use app::server::db;
use app::server::mail::{MailTemplate, OutgoingMail};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use crate::common::*;
use futures_util::FutureExt;
use server::startup::{plain_routes, RouteAccess};

const PASSWORD: &str = "Sicher-Wort-42";
const INITIAL: &str = "Start-Wort-11";

async fn get_json(app: &TestApp, path: &str, cookie: Option<&str>) -> TestResponse {
    let mut request = Request::get(path).header(header::ACCEPT, "application/json");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    app.request(request.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn api_me_answers_the_apps_user_and_refuses_everyone_else() {
    let app = spawn_app().await;
    let user_id = customer_with_password(&app, "70001", "ich", PASSWORD).await;
    let tokens = app.app_sign_in("ich", PASSWORD).await;

    let me = app.api_get(routes::API_ME, &tokens.access).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(me.headers[header::CACHE_CONTROL], "no-store");
    let body: serde_json::Value = serde_json::from_str(&me.body).unwrap();
    assert_eq!(body["username"], "ich");
    assert_eq!(body["customer"]["number"], "70001");
    assert_eq!(body["customer"]["name"], "Kunde 70001");
    assert_eq!(body["rights"]["main_user"], true);

    // A browser's session is no access token; nor is nothing or a made-up one.
    let cookie = app.sign_in("ich", PASSWORD).await;
    for refused in [get_json(&app, routes::API_ME, Some(&cookie)).await, get_json(&app, routes::API_ME, None).await, app.api_get(routes::API_ME, "erfunden").await] {
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert_eq!(refused.headers[header::WWW_AUTHENTICATE], "Bearer error=\"invalid_token\"");
        assert_eq!(refused.body, r#"{"error":"invalid_token","message":"Bitte melden Sie sich an."}"#);
    }

    // A new privacy notice is accepted in the browser first: until then 403.
    app::legal::ssr::publish_privacy_notice(&app.state.pool, "Neue Fassung.", START).await.unwrap();
    let pending = app.api_get(routes::API_ME, &tokens.access).await;
    assert_eq!(pending.status, StatusCode::FORBIDDEN);
    assert!(pending.body.contains("\"setup_pending\""), "{}", pending.body);
    accept_current_privacy_notice(&app, user_id).await;
    assert_eq!(app.api_get(routes::API_ME, &tokens.access).await.status, StatusCode::OK);

    // Under /api/ the answer is JSON whatever the client accepts: a browser gets no page.
    let as_page = app.get(routes::API_ME, None).await;
    assert_eq!((as_page.status, as_page.location()), (StatusCode::UNAUTHORIZED, None));
}

#[tokio::test]
async fn every_page_route_renders_for_whom_it_is_meant() {
    let app = spawn_app().await;
    customer_with_password(&app, "70010", "fertig", PASSWORD).await;
    let ready = app.sign_in("fertig", PASSWORD).await;
    customer_with_initial_password(&app, "70011", "anfang", INITIAL).await;
    let in_setup = app.sign_in("anfang", INITIAL).await;
    customer_in_setup(&app, "70012", "zustimmung", PASSWORD).await;
    let must_accept = app.sign_in("zustimmung", PASSWORD).await;

    for page in routes::SIGNED_IN_PAGES {
        let mut addresses = vec![page.to_string(), format!("{page}?x=1")];
        if page != "/" {
            addresses.push(format!("{page}/"));
        }
        for address in addresses {
            let signed_out = app.get(&address, None).await;
            assert_eq!((signed_out.status, signed_out.location()), (StatusCode::FOUND, Some(routes::LOGIN)), "{address}");
        }
        // A page's address answers as a page whatever the client accepts (curl, a mail program, a script).
        for accept in ["*/*", "application/json", ""] {
            let mut request = Request::get(page.to_string());
            if !accept.is_empty() {
                request = request.header(header::ACCEPT, accept);
            }
            let signed_out = app.request(request.body(Body::empty()).unwrap()).await;
            assert_eq!((signed_out.status, signed_out.location()), (StatusCode::FOUND, Some(routes::LOGIN)), "{page} {accept:?}");
            let pending = get_json(&app, page, Some(&in_setup)).await;
            assert_eq!((pending.status, pending.location()), (StatusCode::FOUND, Some(routes::SET_PASSWORD)), "{page} {accept:?}");
        }
        let pending = app.get(page, Some(&in_setup)).await;
        assert_eq!((pending.status, pending.location()), (StatusCode::FOUND, Some(routes::SET_PASSWORD)), "{page}");
        let shown = app.get(page, Some(&ready)).await;
        assert_eq!(shown.status, StatusCode::OK, "{page}");
        assert!(shown.body.contains("class=\"page-title\""), "{page} renders its title");
        assert_eq!(shown.body.matches("<main").count(), 1, "{page} has one main landmark");
    }
    for page in routes::PUBLIC_PAGES {
        let shown = app.get(page, None).await;
        if [routes::SET_PASSWORD, routes::ACCEPT_PRIVACY].contains(&page) {
            // The first-sign-in steps need a session; the signed-out visitor signs in first.
            assert_eq!((shown.status, shown.location()), (StatusCode::FOUND, Some(routes::LOGIN)), "{page}");
            let cookie = if page == routes::SET_PASSWORD { &in_setup } else { &must_accept };
            let step = app.get(page, Some(cookie)).await;
            assert_eq!(step.status, StatusCode::OK, "{page} during the first sign-in");
            continue;
        }
        if page == routes::SECOND_FACTOR_SETUP {
            // Likewise; shown to a session held there (tests/api/second_step.rs).
            assert_eq!((shown.status, shown.location()), (StatusCode::FOUND, Some(routes::LOGIN)), "{page}");
            continue;
        }
        let expected = if routes::LINK_PAGES.contains(&page) { StatusCode::GONE } else { StatusCode::OK };
        assert_eq!(shown.status, expected, "{page} without a session or token");
        assert_eq!(shown.body.matches("<main").count(), 1, "{page} has one main landmark");
        assert!(shown.body.contains("href=\"#inhalt\""), "{page} has the skip link");
    }
    let missing = app.get("/gibt-es-nicht", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.body.matches("<main").count(), 1);
}

#[tokio::test]
async fn every_plain_route_has_an_access_rule_and_the_server_keeps_it() {
    let app = spawn_app().await;
    customer_with_password(&app, "70020", "regel", PASSWORD).await;
    let ready = app.sign_in("regel", PASSWORD).await;
    let routes_declared: Vec<(&str, RouteAccess)> = plain_routes().into_iter().map(|(p, a, _)| (p, a)).collect();
    assert_eq!(
        routes_declared,
        [
            (routes::API_ME, RouteAccess::AppToken),
            (routes::API_DOCUMENT, RouteAccess::AppToken),
            (routes::API_DOCUMENT_PDF, RouteAccess::AppToken),
            (routes::API_DOCUMENT_XML, RouteAccess::AppToken),
            (routes::API_DOCUMENT_TYPES, RouteAccess::AppToken),
            (routes::OAUTH_AUTHORIZE, RouteAccess::Public),
            (routes::OAUTH_TOKEN, RouteAccess::Public),
            (routes::OAUTH_REVOKE, RouteAccess::Public),
            (routes::OAUTH_METADATA, RouteAccess::Public),
            (routes::OAUTH_METADATA_WITH_PATH, RouteAccess::Public),
            (routes::API_OPENAPI, RouteAccess::Public),
            (routes::API_DOCS, RouteAccess::Public),
            (routes::LOGO, RouteAccess::Public),
            (routes::LANGUAGE_SWITCH, RouteAccess::Public),
            (routes::DOCUMENT_PDF, RouteAccess::SignedIn),
            (routes::DOCUMENT_XML, RouteAccess::SignedIn),
            (routes::DOCUMENTS_EXPORT, RouteAccess::SignedIn),
            (routes::ACTIVITY_EXPORT, RouteAccess::SignedIn),
            (routes::RECOVERY_CODES_FILE, RouteAccess::SignedIn),
            (routes::API_DOCUMENTS, RouteAccess::ApiKeyOrAppToken),
            (routes::FORWARDING_ONE_CLICK, RouteAccess::Token),
            (routes::HEALTHZ, RouteAccess::Public),
            (routes::READYZ, RouteAccess::Public),
            (routes::METRICS, RouteAccess::MetricsToken),
        ]
    );
    for (pattern, access) in routes_declared {
        // A route with an id is asked for one that does not exist: found
        // for nobody, but the refusal of the signed-out caller comes first.
        let path = pattern.replace("{id}", "999999").replace("{*issuer_path}", "kunden").replace("{sprache}", "en");
        let key_is_needed_to_post = || async {
            let post = |cookie: Option<&str>| {
                let mut request = Request::post(&path)
                    .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
                    .header("sec-fetch-site", "same-origin");
                if let Some(cookie) = cookie {
                    request = request.header(header::COOKIE, cookie);
                }
                request.body(Body::from("--x--\r\n")).unwrap()
            };
            assert_eq!(app.request(post(None)).await.status, StatusCode::UNAUTHORIZED, "{path}");
            assert_eq!(app.request(post(Some(&ready))).await.status, StatusCode::UNAUTHORIZED, "{path}: a session is no key");
        };
        match access {
            // The app's sign-in endpoints work only with what the app sends:
            // a bare GET is refused alike with and without a session.
            RouteAccess::Public if path.starts_with("/oauth/") => {
                let expected = if path == routes::OAUTH_AUTHORIZE { StatusCode::BAD_REQUEST } else { StatusCode::METHOD_NOT_ALLOWED };
                assert_eq!(get_json(&app, &path, None).await.status, expected, "{path}");
                assert_eq!(get_json(&app, &path, Some(&ready)).await.status, expected, "{path} signed in");
            }
            RouteAccess::AppToken | RouteAccess::ApiKeyOrAppToken => {
                for cookie in [None, Some(ready.as_str())] {
                    let answer = get_json(&app, &path, cookie).await;
                    assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{path}: a session is no access token");
                    assert_eq!(answer.headers[header::WWW_AUTHENTICATE], "Bearer error=\"invalid_token\"", "{path}");
                    let json: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
                    assert_eq!(json["error"], "invalid_token", "{path}");
                }
                if access == RouteAccess::ApiKeyOrAppToken {
                    key_is_needed_to_post().await;
                }
            }
            // The language switch answers everybody alike: back to the page, in the language chosen.
            RouteAccess::Public if pattern == routes::LANGUAGE_SWITCH => {
                for cookie in [None, Some(ready.as_str())] {
                    assert_eq!(get_json(&app, &path, cookie).await.status, StatusCode::SEE_OTHER, "{path}");
                }
            }
            RouteAccess::Public | RouteAccess::SignedIn => {
                let anonymous = get_json(&app, &path, None).await;
                let signed_in = get_json(&app, &path, Some(&ready)).await;
                // The recovery codes file exists only while this browser holds codes just made.
                let found = (path == pattern && pattern != routes::RECOVERY_CODES_FILE) || pattern == routes::OAUTH_METADATA_WITH_PATH;
                let expected = if found { StatusCode::OK } else { StatusCode::NOT_FOUND };
                assert_eq!(signed_in.status, expected, "{path} signed in");
                // A signed-out caller of a page's address (a PDF, an export) is sent to the login, JSON or
                // not; under /api/ it gets 401 JSON.
                let under_api = path.starts_with("/api/");
                let refused = match access {
                    RouteAccess::Public => expected,
                    _ if under_api => StatusCode::UNAUTHORIZED,
                    _ => StatusCode::FOUND,
                };
                assert_eq!(anonymous.status, refused, "{path}");
                if access == RouteAccess::SignedIn && !under_api {
                    assert_eq!(anonymous.location(), Some(routes::LOGIN), "{path}");
                }
            }
            RouteAccess::ApiKey => key_is_needed_to_post().await,
            RouteAccess::MetricsToken => {
                // This app has no KP_METRICS_TOKEN: the route is off for everybody.
                assert_eq!(get_json(&app, &path, None).await.status, StatusCode::NOT_FOUND, "{path}");
                assert_eq!(get_json(&app, &path, Some(&ready)).await.status, StatusCode::NOT_FOUND, "{path}: a session is no token");
            }
            RouteAccess::Token => {
                // From a mail program: no Sec-Fetch-Site, no Origin, no cookie.
                for address in [path.clone(), format!("{path}?token=erfunden")] {
                    let request = Request::post(&address)
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .body(Body::from("List-Unsubscribe=One-Click"))
                        .unwrap();
                    assert_eq!(app.request(request).await.status, StatusCode::GONE, "{address}: no working token");
                }
            }
        }
    }
}

#[tokio::test]
async fn queuing_a_mail_wakes_the_worker_after_the_commit_and_not_on_rollback() {
    let app = spawn_app().await;
    let wake = app.state.outbox.wake_signal();
    let context = minijinja::context! {
        ..app.state.mail_base_context(),
        ..minijinja::context! { display_name => "Max", username => "max" },
    };
    let outgoing = |key: &str| OutgoingMail {
        template: MailTemplate::PasswordChanged,
        idempotency_key: key.to_owned(),
        recipient: app::domain::EmailAddress::parse("max@kunden.example").unwrap(),
        lang: Lang::De,
        context: context.clone(),
        expires_at: None,
    };

    let mut tx = db::begin(&app.state.pool).await.unwrap();
    let woken = wake.notified();
    futures_util::pin_mut!(woken);
    woken.as_mut().enable();
    assert!(app.state.outbox.enqueue(&mut tx, outgoing("wake:1"), START).await.unwrap());
    assert!(woken.as_mut().now_or_never().is_none(), "not before the row is visible");
    tx.commit().await.unwrap();
    assert!(woken.as_mut().now_or_never().is_some(), "woken by the commit");

    let mut tx = db::begin(&app.state.pool).await.unwrap();
    let woken = wake.notified();
    futures_util::pin_mut!(woken);
    woken.as_mut().enable();
    app.state.outbox.enqueue(&mut tx, outgoing("wake:2"), START).await.unwrap();
    drop(tx);
    assert!(woken.now_or_never().is_none(), "a rolled-back mail wakes nobody");
    assert_eq!(app.count("mail_outbox").await, 1);
}

#[tokio::test]
async fn every_mail_renders_from_the_context_its_caller_builds() {
    every_mail_from_its_caller(spawn_app().await, Lang::De).await;
}

/// The same mails in English: the users (and so the forwarding they set up)
/// chose no language, and the operator's default is English.
#[tokio::test]
async fn every_mail_renders_in_english_from_the_context_its_caller_builds() {
    every_mail_from_its_caller(spawn_app_with(&[("KP_DEFAULT_LANGUAGE", "en")]).await, Lang::En).await;
}

/// A user's mails follow their setting, not the request's language; a
/// forwarding's follow the language of the user who set it up, kept with
/// it, whoever answers it and whatever that user chooses later.
#[tokio::test]
async fn mails_go_out_in_the_recipients_language() {
    let app = spawn_app().await;
    let main = customer_with_password(&app, "70040", "sprachwahl", PASSWORD).await;
    set_language(&app, main, "en").await;
    let cookie = app.sign_in("sprachwahl", PASSWORD).await;
    let form = [("email", "fibu@sprache.example"), ("confirm", "fibu@sprache.example"), ("type_key", "rechnung")];
    assert_eq!(app.call("forwardings/add", &form, Some(&cookie)).await.status, StatusCode::OK);
    let stored: String =
        db::query_scalar("SELECT language FROM forwardings WHERE email = 'fibu@sprache.example'").fetch_one(&app.state.pool).await.unwrap();
    assert_eq!(stored, "en", "kept with the forwarding");
    let (subject, optin): (String, String) =
        db::query_as("SELECT subject, body_text FROM mail_outbox WHERE kind = 'forwarding_optin'").fetch_one(&app.state.pool).await.unwrap();
    assert!(subject.starts_with("Please confirm"), "{subject}");
    assert!(optin.contains("Document types: Invoice"), "the type's English name: {optin}");
    // The main user goes back to German: their notice follows them.
    set_language(&app, main, "de").await;
    let (_, token) = link_in(&optin, routes::FORWARDING_CONFIRM);
    assert_eq!(app.call("forwardings/decline", &[("token", &token)], None).await.status, StatusCode::OK);
    let ended: String =
        db::query_scalar("SELECT body_text FROM mail_outbox WHERE kind = 'forwarding_ended'").fetch_one(&app.state.pool).await.unwrap();
    assert!(ended.contains("hat die Weiterleitung (Rechnung) abgelehnt"), "{ended}");
}

/// The user's choice, as Profil → Sprache stores it.
async fn set_language(app: &TestApp, user_id: i64, code: &str) {
    db::query("UPDATE users SET language = $1 WHERE id = $2").bind(code).bind(user_id).execute(&app.state.pool).await.unwrap();
}

/// Every mail as its real caller queues it, in the language of `app`'s
/// users; snapshots `mail_{kind}` (German) and `mail_en_{kind}` (English).
async fn every_mail_from_its_caller(app: TestApp, lang: Lang) {
    invited_customer(&app, "70030", "eingeladen", "eingeladen@kunden.example").await;
    customer_with_initial_password(&app, "70031", "anfang", INITIAL).await;
    customer_with_password(&app, "70032", "vergesslich", PASSWORD).await;
    app::auth::ssr::links::request_reset(&app.state, "vergesslich", None).await.unwrap();
    customer_with_password(&app, "70033", "wechsler", PASSWORD).await;
    let cookie = app.sign_in("wechsler", PASSWORD).await;
    let changed = app
        .call("auth/change_password", &[("current", PASSWORD), ("password", "Anderes-Wort-7"), ("confirm", "Anderes-Wort-7")], Some(&cookie))
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    expiry::expire_passwords_on(&app.state, expiry::parse_day("01.12.2026").unwrap(), Some("70032")).await.unwrap();
    assert!(expiry::queue_expiry_warnings(&app.state).await.unwrap() >= 1);
    // A new document: a notice, a mail with the PDF, a forwarding (asked, confirmed, ended).
    let forwarder = customer_with_password(&app, "70034", "weiterleiter", PASSWORD).await;
    let cookie = app.sign_in("weiterleiter", PASSWORD).await;
    let form = [("email", "fibu@weiter.example"), ("confirm", "fibu@weiter.example"), ("type_key", "")];
    assert_eq!(app.call("forwardings/add", &form, Some(&cookie)).await.status, StatusCode::OK);
    let optin: String = db::query_scalar("SELECT body_text FROM mail_outbox WHERE kind = 'forwarding_optin'").fetch_one(&app.state.pool).await.unwrap();
    let (_, token) = link_in(&optin, routes::FORWARDING_CONFIRM);
    assert_eq!(app.call("forwardings/confirm", &[("token", &token)], None).await.status, StatusCode::OK);
    app::profile::ssr::set_notify_mode(&app.state, &session_user(&app, forwarder).await, app::profile::NotifyMode::Attachment, None).await.unwrap();
    // A colleague who kept "nur Benachrichtigung" (the password only has to be set).
    TestUser::sub("hinweis").password(PASSWORD).privacy_pending().create(&app, customer_id_of(&app, forwarder).await).await;
    let new = app::documents::ssr::ingest::NewDocument::parse("70034", "RE-1", "rechnung", "2026-11-20", None).unwrap();
    let pdf = b"%PDF-1.4\n%%EOF\n".to_vec();
    app::documents::ssr::ingest::ingest(&app.state, &app::documents::ssr::ingest::Ingester::Operator, new, pdf.into()).await.unwrap();
    let forwarded: String = db::query_scalar("SELECT body_text FROM mail_outbox WHERE kind = 'forwarded_document'").fetch_one(&app.state.pool).await.unwrap();
    // Ending the forwarding takes its queued mails back: seen before that.
    let mut mails = MailSnapshots::default();
    mails.take_new(&app).await;
    let (_, token) = link_in(&forwarded, routes::FORWARDING_END);
    assert_eq!(app.call("forwardings/end", &[("token", &token)], None).await.status, StatusCode::OK);
    // A new e-mail address: the link to it, then the notice to the old one.
    customer_with_password(&app, "70035", "umzug", PASSWORD).await;
    let cookie = app.sign_in("umzug", PASSWORD).await;
    let asked = app.call("profile/request_email_change", &[("email", "neu@umzug.example"), ("password", PASSWORD)], Some(&cookie)).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    let link: String = db::query_scalar("SELECT body_text FROM mail_outbox WHERE kind = 'email_change'").fetch_one(&app.state.pool).await.unwrap();
    let (_, token) = link_in(&link, routes::EMAIL_CONFIRM);
    assert_eq!(app.call("profile/confirm_email_change", &[("token", &token)], None).await.status, StatusCode::OK);
    // The second factor: turned on, a recovery code used to turn it off again.
    let guarded = customer_with_password(&app, "70036", "zweifaktor", PASSWORD).await;
    let cookie = app.sign_in("zweifaktor", PASSWORD).await;
    assert_eq!(app.call("auth/second_factor_begin", &[], Some(&cookie)).await.status, StatusCode::OK);
    let stored: String = db::query_scalar("SELECT totp_secret FROM users WHERE id = $1").bind(guarded).fetch_one(&app.state.pool).await.unwrap();
    let secret = app::auth::ssr::second_factor::TotpSecret::from_base32(&stored).unwrap();
    let code = secret.code_at(app.state.clock.now()).unwrap();
    let confirmed = app.call("auth/second_factor_confirm", &[("code", &code)], Some(&cookie)).await;
    let codes_cookie = confirmed.headers.get_all(axum::http::header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find(|v| v.starts_with("kp_recovery_codes=")).unwrap().to_owned();
    let recovery_code = codes_cookie.split(';').next().unwrap().split('.').nth(1).unwrap().to_owned();
    let off = app.call("auth/second_factor_off", &[("password", PASSWORD), ("code", &recovery_code)], Some(&cookie)).await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);

    let kinds: Vec<String> =
        db::query_scalar("SELECT DISTINCT kind FROM mail_outbox ORDER BY kind").fetch_all(&app.state.pool).await.unwrap();
    let mut expected: Vec<&str> = MailTemplate::ALL.iter().map(|t| t.name()).collect();
    expected.sort_unstable();
    assert_eq!(kinds, expected, "every template was rendered (strictly) by its real caller");
    // Every mail still to go (the forwarding's were taken back when it ended, their text scrubbed).
    let rows: Vec<(String, String, String)> =
        db::query_as("SELECT subject, body_text, body_html FROM mail_outbox WHERE status = 'queued'").fetch_all(&app.state.pool).await.unwrap();
    for (subject, text, html) in rows {
        assert!(!subject.is_empty() && !text.is_empty() && !html.is_empty());
        assert!(!text.contains("{{") && !html.contains("{{"), "{text}");
    }
    // Each mail as its caller renders it, for a reviewer to read in the diff.
    mails.take_new(&app).await;
    let mut seen: Vec<&str> = mails.0.keys().map(String::as_str).collect();
    seen.sort_unstable();
    assert_eq!(seen, expected, "a snapshot of every template");
    // Every one in the recipients' language (each mail closes with its greeting).
    let (closing, other) = match lang {
        Lang::De => ("Mit freundlichen Grüßen", "Kind regards"),
        Lang::En => ("Kind regards", "Mit freundlichen Grüßen"),
    };
    for (kind, mail) in &mails.0 {
        assert!(mail.contains(closing) && !mail.contains(other), "{kind} is not in {lang:?}:\n{mail}");
    }
    let prefix = match lang {
        Lang::De => "mail",
        Lang::En => "mail_en",
    };
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"token=[A-Za-z0-9_-]+", "token=[TOKEN]");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for (kind, mail) in &mails.0 {
            insta::assert_snapshot!(format!("{prefix}_{kind}"), mail);
        }
    });
}

/// The first mail of each kind in the outbox, as subject, text and HTML.
#[derive(Default)]
struct MailSnapshots(std::collections::BTreeMap<String, String>);

impl MailSnapshots {
    async fn take_new(&mut self, app: &TestApp) {
        let rows: Vec<(String, String, String, String, String)> = db::query_as(
            "SELECT kind, recipient, subject, body_text, body_html FROM mail_outbox WHERE status <> 'withdrawn' ORDER BY id",
        )
        .fetch_all(&app.state.pool)
        .await
        .unwrap();
        for (kind, recipient, subject, text, html) in rows {
            let shown = format!("To: {recipient}\nSubject: {subject}\n\n--- text ---\n{text}\n\n--- html ---\n{html}\n");
            self.0.entry(kind).or_insert(shown);
        }
    }
}

/// A new e-invoice's mails as their caller queues them: "mit Anhang" with
/// the XML, a forwarding that sends only the XML and one that sends both,
/// and "mit Anhang" of a bare XRechnung (its own file is the XML);
/// snapshots `mail_einvoice_*` (German) and `mail_en_einvoice_*` (English).
#[tokio::test]
async fn einvoice_mails_name_the_xml_they_attach() {
    einvoice_mails(spawn_app().await, Lang::De).await;
}

#[tokio::test]
async fn einvoice_mails_name_the_xml_they_attach_in_english() {
    einvoice_mails(spawn_app_with(&[("KP_DEFAULT_LANGUAGE", "en")]).await, Lang::En).await;
}

async fn einvoice_mails(app: TestApp, lang: Lang) {
    use app::profile::{NotificationChoice, NotifyMode};
    let xml: &[u8] = include_bytes!("../../../app/src/documents/einvoice/fixtures/cii_en16931.xml");
    let bare: &[u8] = include_bytes!("../../../app/src/documents/einvoice/fixtures/cii_xrechnung.xml");
    let user = customer_with_password(&app, "70050", "erechnung", PASSWORD).await;
    let session = session_user(&app, user).await;
    let choice = NotificationChoice { mode: NotifyMode::Attachment, with_xml: true };
    app::profile::ssr::set_notification(&app.state, &session, choice, None).await.unwrap();
    for (email, sends) in [("nurxml@weiter.example", "xml"), ("beides@weiter.example", "both")] {
        app::forwarding::ssr::add(&app.state, &session, email, email, "", sends, None).await.unwrap();
        let optin: String = db::query_scalar("SELECT body_text FROM mail_outbox WHERE kind = 'forwarding_optin' AND recipient = $1")
            .bind(email)
            .fetch_one(&app.state.pool)
            .await
            .unwrap();
        let (_, token) = link_in(&optin, routes::FORWARDING_CONFIRM);
        assert_eq!(app.call("forwardings/confirm", &[("token", &token)], None).await.status, StatusCode::OK);
    }
    // Invoice 471102 of the fixture, as a Factur-X PDF.
    let pdf = app::documents::ssr::demo::document_pdf_with("Muster Entsorgung GmbH", "Rechnung 471102", &[], Some(xml));
    let new = app::documents::ssr::ingest::NewDocument::parse("70050", "471102", "rechnung", "2024-11-15", None).unwrap();
    app::documents::ssr::ingest::ingest(&app.state, &app::documents::ssr::ingest::Ingester::Operator, new, pdf.into()).await.unwrap();
    let new = app::documents::ssr::ingest::NewDocument::parse("70050", "XR-2024-17", "rechnung", "2024-01-15", None).unwrap();
    app::documents::ssr::ingest::ingest(&app.state, &app::documents::ssr::ingest::Ingester::Operator, new, bare.to_vec().into()).await.unwrap();

    let rows: Vec<(String, String, String, String)> = db::query_as(
        "SELECT recipient, subject, body_text, body_html FROM mail_outbox WHERE kind IN ('new_document', 'forwarded_document') ORDER BY id",
    )
    .fetch_all(&app.state.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 6, "for each document one mail with its files and two forwardings");
    let mail_to = |address: &str, number: &str| {
        let (recipient, subject, text, html) = rows.iter().find(|row| row.0 == address && row.1.contains(number)).unwrap();
        format!("To: {recipient}\nSubject: {subject}\n\n--- text ---\n{text}\n\n--- html ---\n{html}\n")
    };
    let prefix = match lang {
        Lang::De => "mail_einvoice",
        Lang::En => "mail_en_einvoice",
    };
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"token=[A-Za-z0-9_-]+", "token=[TOKEN]");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for (variant, recipient, number) in [
            ("new_document_with_xml", "erechnung@kunden.example", "471102"),
            ("forwarded_xml_only", "nurxml@weiter.example", "471102"),
            ("forwarded_with_xml", "beides@weiter.example", "471102"),
            ("new_document_bare_xml", "erechnung@kunden.example", "XR-2024-17"),
        ] {
            insta::assert_snapshot!(format!("{prefix}_{variant}"), mail_to(recipient, number));
        }
    });
}

/// The build's files under hashed names (as scripts/build.sh lays them out):
/// pages link those names, and each is sent as the build's own brotli or
/// gzip copy, kept for a year.
#[tokio::test]
async fn hashed_build_files_are_linked_sent_precompressed_and_kept_for_a_year() {
    let site = tempfile::tempdir().unwrap();
    let pkg = site.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(site.path().join("hash.txt"), "js: aaaa1111\nwasm: bbbb2222\ncss: cccc3333\n").unwrap();
    let files = [
        ("kundenportal.aaaa1111.js", &b"export default function init() {}"[..]),
        ("kundenportal.bbbb2222.wasm", &b"\0asm\x01\0\0\0"[..]),
        ("kundenportal.cccc3333.css", &b"body { margin: 0 }"[..]),
    ];
    for (name, bytes) in files {
        std::fs::write(pkg.join(name), bytes).unwrap();
        // Stand-ins for the compressed copies: the server must send these bytes as they are.
        std::fs::write(pkg.join(format!("{name}.br")), format!("br of {name}")).unwrap();
        std::fs::write(pkg.join(format!("{name}.gz")), format!("gz of {name}")).unwrap();
    }
    let app = spawn_app_with(&[("LEPTOS_SITE_ROOT", &site.path().display().to_string())]).await;

    let login = app.get(routes::LOGIN, None).await;
    for linked in ["/pkg/kundenportal.aaaa1111.js", "/pkg/kundenportal.bbbb2222.wasm", "/pkg/kundenportal.cccc3333.css"] {
        assert!(login.body.contains(&format!("href=\"{linked}\"")), "the page links {linked}");
    }
    for (name, bytes) in files {
        for (encoding, expected) in [("br", format!("br of {name}").into_bytes()), ("gzip", format!("gz of {name}").into_bytes()), ("identity", bytes.to_vec())] {
            let request = Request::get(format!("/pkg/{name}")).header(header::ACCEPT_ENCODING, encoding).body(Body::empty()).unwrap();
            let (status, headers, body) = app.request_bytes(request).await;
            assert_eq!(status, StatusCode::OK, "{name} {encoding}");
            assert_eq!(body.to_vec(), expected, "{name} {encoding}: the build's own copy, not compressed again");
            let content_encoding = headers.get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap().to_owned());
            assert_eq!(content_encoding.as_deref(), (encoding != "identity").then_some(encoding), "{name}");
            assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable", "{name}");
            assert_eq!(headers[header::VARY], "accept-encoding", "{name}");
        }
    }
    let unknown = app.get("/pkg/kundenportal.wasm", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND, "only the names of this build");
}

#[tokio::test]
async fn roles_states_and_choices_cross_the_database_as_their_enums_and_an_unknown_word_is_refused() {
    use app::domain::{ForwardingState, Role};
    use app::server::mail::MailStatus;
    let app = spawn_app().await;
    let pool = &app.state.pool;
    for role in [Role::Main, Role::Sub] {
        let back: Role = db::query_scalar("SELECT CAST($1 AS TEXT)").bind(role).fetch_one(pool).await.unwrap();
        assert_eq!(back, role);
    }
    for state in [ForwardingState::Pending, ForwardingState::Confirmed] {
        let back: ForwardingState = db::query_scalar("SELECT CAST($1 AS TEXT)").bind(state).fetch_one(pool).await.unwrap();
        assert_eq!(back, state);
    }
    for status in [MailStatus::Queued, MailStatus::Sent, MailStatus::Dead, MailStatus::Expired] {
        let back: MailStatus = db::query_scalar("SELECT CAST($1 AS TEXT)").bind(status).fetch_one(pool).await.unwrap();
        assert_eq!(back, status);
    }
    for mode in app::profile::NotifyMode::ALL {
        let back: app::profile::NotifyMode = db::query_scalar("SELECT CAST($1 AS TEXT)").bind(mode).fetch_one(pool).await.unwrap();
        assert_eq!(back, mode);
    }
    // The words are the schema's: a new main user reads back as one.
    let main = customer_with_password(&app, "70090", "haupt", PASSWORD).await;
    let role: Role = db::query_scalar("SELECT role FROM users WHERE id = $1").bind(main).fetch_one(pool).await.unwrap();
    assert_eq!(role, Role::Main);
    let unknown: Result<Role, sqlx::Error> = db::query_scalar("SELECT CAST('admin' AS TEXT)").fetch_one(pool).await;
    assert!(unknown.is_err(), "a word the code does not know fails the decoding");
}
