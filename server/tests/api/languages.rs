//! English beside German: which language a request gets (the switch's
//! cookie, `Accept-Language`, `KP_DEFAULT_LANGUAGE`), `<html lang>` and
//! `Content-Language`, the footer's switch, Profil → Sprache and the
//! sign-in taking the setting over, and a refusal's text in the language
//! of the request.

use crate::common::*;
use app::server::db;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};

async fn page(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> TestResponse {
    let mut builder = Request::get(path).header(header::ACCEPT, "text/html");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    app.request(builder.body(Body::empty()).unwrap()).await
}

fn html_lang(response: &TestResponse) -> &str {
    let start = response.body.find("<html lang=\"").expect("an <html lang>") + "<html lang=\"".len();
    &response.body[start..start + 2]
}

fn language_cookie(response: &TestResponse) -> Option<String> {
    response
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("kp_sprache="))
        .map(str::to_owned)
}

async fn stored_language(app: &TestApp, user_id: i64) -> Option<String> {
    db::query_scalar("SELECT language FROM users WHERE id = $1").bind(user_id).fetch_one(&app.state.pool).await.unwrap()
}

#[tokio::test]
async fn the_page_speaks_the_cookie_else_the_browser_else_the_default() {
    let app = spawn_app().await;

    let plain = page(&app, "/login", &[]).await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(html_lang(&plain), "de");
    assert_eq!(plain.headers[header::CONTENT_LANGUAGE], "de");
    assert!(plain.body.contains("Benutzername"));

    let english = page(&app, "/login", &[("accept-language", "en-GB,en;q=0.9,de;q=0.5")]).await;
    assert_eq!(html_lang(&english), "en");
    assert_eq!(english.headers[header::CONTENT_LANGUAGE], "en");
    assert!(!english.body.contains("Benutzername"), "German label on the English login page");

    let french_first = page(&app, "/login", &[("accept-language", "fr-FR, de;q=0.4, en;q=0.6")]).await;
    assert_eq!(html_lang(&french_first), "en");

    let chosen = page(&app, "/login", &[("accept-language", "en"), ("cookie", "kp_sprache=de")]).await;
    assert_eq!(html_lang(&chosen), "de");
    let nonsense = page(&app, "/login", &[("accept-language", "en"), ("cookie", "kp_sprache=xx")]).await;
    assert_eq!(html_lang(&nonsense), "en");

    let default_english = spawn_app_with(&[("KP_DEFAULT_LANGUAGE", "en")]).await;
    assert_eq!(html_lang(&page(&default_english, "/login", &[]).await), "en");
    assert_eq!(html_lang(&page(&default_english, "/login", &[("accept-language", "de-AT")]).await), "de");
}

#[tokio::test]
async fn the_switch_sets_the_cookie_goes_back_and_stores_a_signed_in_users_choice() {
    let app = spawn_app().await;
    let user_id = customer_with_password(&app, "L-1", "lena", "Sicheres-Wort-1").await;

    let switched = page(&app, "/sprache/en?weiter=%2Fkontakt", &[]).await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    assert_eq!(switched.location(), Some("/kontakt"));
    let cookie = language_cookie(&switched).expect("the choice kept");
    assert!(cookie.starts_with("kp_sprache=en;") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");

    for elsewhere in ["https%3A%2F%2Fevil.example%2F", "%2F%2Fevil.example", "%2F%5Cevil.example", "%2F%09%2Fevil.example"] {
        let refused = page(&app, &format!("/sprache/en?weiter={elsewhere}"), &[]).await;
        assert_eq!(refused.location(), Some("/"), "{elsewhere}");
    }
    assert_eq!(page(&app, "/sprache/fr", &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(stored_language(&app, user_id).await, None, "a switch before sign-in stores nothing");

    let session = app.sign_in("lena", "Sicheres-Wort-1").await;
    // A link on another site switches this browser's pages, not the account's setting.
    let from_elsewhere = page(&app, "/sprache/en?weiter=%2Fdokumente", &[("cookie", &session), ("sec-fetch-site", "cross-site")]).await;
    assert_eq!(from_elsewhere.location(), Some("/dokumente"));
    assert!(language_cookie(&from_elsewhere).is_some());
    assert_eq!(stored_language(&app, user_id).await, None);

    let switched = page(&app, "/sprache/en?weiter=%2Fdokumente", &[("cookie", &session), ("sec-fetch-site", "same-origin")]).await;
    assert_eq!(switched.location(), Some("/dokumente"));
    assert_eq!(stored_language(&app, user_id).await.as_deref(), Some("en"));
}

#[tokio::test]
async fn profil_sprache_stores_the_choice_and_a_sign_in_takes_it_over() {
    let app = spawn_app().await;
    let user_id = customer_with_password(&app, "L-2", "lars", "Sicheres-Wort-2").await;
    let session = app.sign_in("lars", "Sicheres-Wort-2").await;

    let shown = app.call("profile/language", &[], Some(&session)).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.body, "null", "no choice yet");

    let refused = app.call("profile/set_language", &[("sprache", "fr")], Some(&session)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stored_language(&app, user_id).await, None);

    let saved = app.call("profile/set_language", &[("sprache", "en")], Some(&session)).await;
    assert_eq!(saved.status, StatusCode::OK);
    assert!(language_cookie(&saved).is_some_and(|cookie| cookie.starts_with("kp_sprache=en;")));
    assert_eq!(stored_language(&app, user_id).await.as_deref(), Some("en"));
    assert_eq!(app.call("profile/language", &[], Some(&session)).await.body, "\"En\"");

    // Another browser asking for German: signed in, it takes the setting over.
    let login = app
        .request(
            server_fn_request("auth/login", None)
                .header("accept-language", "de-DE")
                .body(Body::from(form_body(&[("username", "lars"), ("password", "Sicheres-Wort-2")])))
                .unwrap(),
        )
        .await;
    assert!(login.session_cookie().is_some());
    assert!(language_cookie(&login).is_some_and(|cookie| cookie.starts_with("kp_sprache=en;")));

    assert_eq!(app.call("profile/set_language", &[("sprache", "en")], None).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_refusal_comes_with_its_text_in_the_language_of_the_request() {
    let app = spawn_app().await;
    customer_with_password(&app, "L-3", "lotte", "Sicheres-Wort-3").await;
    let wrong = [("username", "lotte"), ("password", "Falsch-Wort-3")];
    let message = |response: &TestResponse| {
        let encoded = response.headers.get("kp-message").expect("the refusal's text").to_str().unwrap().to_owned();
        url::form_urlencoded::parse(format!("m={}", encoded.replace('+', "%2B")).as_bytes()).next().unwrap().1.into_owned()
    };

    let german = app.call("auth/login", &wrong, None).await;
    assert_eq!(german.status, StatusCode::UNAUTHORIZED);
    assert_eq!(message(&german), "Benutzername oder Passwort ist falsch.");
    assert_eq!(message(&german), german.refusal_text());

    let english = app
        .request(
            server_fn_request("auth/login", None)
                .header("accept-language", "en-GB")
                .body(Body::from(form_body(&wrong)))
                .unwrap(),
        )
        .await;
    assert_eq!(english.status, StatusCode::UNAUTHORIZED);
    assert_eq!(error_of(&english), app::error::AppError::InvalidCredentials);
    let text = message(&english);
    assert!(!text.is_empty() && text != message(&german), "{text}");
    assert_eq!(text, app::error::AppError::InvalidCredentials.message(app::i18n::Lang::En));
}
