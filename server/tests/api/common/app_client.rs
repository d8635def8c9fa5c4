//! The mobile app, as the tests play it: PKCE, the browser's part of the
//! sign-in (through the real router, with the user's session cookie), the
//! token endpoint and bearer requests.

use super::{form_body, urlencode, TestApp, TestResponse};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};

pub const CLIENT_ID: &str = "kundenportal-app";
pub const REDIRECT_URI: &str = "http://127.0.0.1:49152/callback";
/// A PKCE pair (the challenge is BASE64URL(SHA-256(verifier)), worked out apart from the portal).
pub const VERIFIER: &str = "dBjftJeZ4CVP-mJ0q3Fk8c2b0bz1wPJVcdeHBsi_Xq4";
pub const CHALLENGE: &str = "dgN_VRKVwf4ejzyBOY6iP05o7Z4bLbfzPYOeqaoWKdQ";

/// The tokens of one app sign-in.
#[derive(Debug, Clone)]
pub struct AppTokens {
    pub access: String,
    pub refresh: String,
}

/// `/oauth/authorize?…` for the test's redirect URI and challenge.
pub fn authorize_address(state: &str) -> String {
    format!(
        "/oauth/authorize?response_type=code&client_id={CLIENT_ID}&redirect_uri={}&code_challenge={CHALLENGE}&code_challenge_method=S256&state={state}",
        urlencode(REDIRECT_URI)
    )
}

/// The query parameter `name` of an address.
pub fn param(address: &str, name: &str) -> Option<String> {
    let query = address.split_once('?')?.1;
    url::form_urlencoded::parse(query.as_bytes()).find(|(key, _)| key == name).map(|(_, value)| value.into_owned())
}

impl TestApp {
    /// The consent page's "Erlauben" (or "Ablehnen") as the browser posts it.
    pub async fn decide_app(&self, consent_address: &str, allow: bool, cookie: &str) -> TestResponse {
        let query = consent_address.split_once('?').map_or("", |(_, query)| query);
        let mut fields: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        fields.push(("decision".into(), if allow { "allow" } else { "deny" }.into()));
        let form: Vec<(&str, &str)> = fields.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
        let request = Request::post("/oauth/authorize")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "same-origin")
            .header(header::COOKIE, cookie)
            .body(Body::from(form_body(&form)))
            .unwrap();
        self.request(request).await
    }

    /// A signed-in browser allows the app: the code from the redirect.
    pub async fn app_code(&self, cookie: &str) -> String {
        let start = self.get(&authorize_address("s1"), Some(cookie)).await;
        let consent = start.location().unwrap_or_else(|| panic!("{} {}", start.status, start.body)).to_owned();
        assert!(consent.starts_with("/app-freigabe?"), "{consent}");
        let allowed = self.decide_app(&consent, true, cookie).await;
        assert_eq!(allowed.status, StatusCode::SEE_OTHER, "{}", allowed.body);
        let back = allowed.location().unwrap().to_owned();
        assert!(back.starts_with(REDIRECT_URI), "{back}");
        assert_eq!(param(&back, "state").as_deref(), Some("s1"));
        param(&back, "code").expect("a code")
    }

    /// `POST /oauth/token` with `form`.
    pub async fn token_request(&self, form: &[(&str, &str)]) -> TestResponse {
        let request = Request::post("/oauth/token")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::USER_AGENT, "KundenportalApp/1.0 (iOS)")
            .body(Body::from(form_body(form)))
            .unwrap();
        self.request(request).await
    }

    pub async fn exchange_code(&self, code: &str) -> TestResponse {
        self.token_request(&[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT_ID),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", VERIFIER),
        ])
        .await
    }

    pub async fn refresh_tokens(&self, refresh: &str) -> TestResponse {
        self.token_request(&[("grant_type", "refresh_token"), ("client_id", CLIENT_ID), ("refresh_token", refresh)]).await
    }

    /// Signs in the browser, allows the app and exchanges the code.
    pub async fn app_sign_in(&self, username: &str, password: &str) -> AppTokens {
        let cookie = self.sign_in(username, password).await;
        let code = self.app_code(&cookie).await;
        tokens_of(&self.exchange_code(&code).await)
    }

    /// A bearer `GET`.
    pub async fn api_get(&self, path: &str, access: &str) -> TestResponse {
        let request = Request::get(path).header(header::AUTHORIZATION, format!("Bearer {access}")).body(Body::empty()).unwrap();
        self.request(request).await
    }
}

pub fn tokens_of(answer: &TestResponse) -> AppTokens {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let json: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    AppTokens { access: json["access_token"].as_str().unwrap().to_owned(), refresh: json["refresh_token"].as_str().unwrap().to_owned() }
}
