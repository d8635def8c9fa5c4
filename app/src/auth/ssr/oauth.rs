//! The app's sign-in: OAuth 2.0 authorization code with PKCE for native
//! apps (RFC 6749, RFC 7636, RFC 8252), refresh tokens that are spent when
//! used, and revocation (RFC 7009). An app sign-in is a session like a
//! browser's (`session::insert_app_session`): the user's security stamp,
//! deactivation and "auf allen anderen Geräten abmelden" end it, and it is
//! listed in Profil → Anmeldungen. Codes and tokens are random and stored
//! only as hashes. The HTTP side is [`super::oauth_http`].

use super::clients::AppClient;
use super::session::{insert_app_session, load_session_by_hash, SessionKind, SessionOrigin, SessionUser};
use crate::domain::UnixTime;
use crate::server::audit::{self, Actor, AuditDetail, AuditEntry};
use crate::server::crypto;
use crate::server::db::{self, Transaction};
use crate::server::state::AppState;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::Digest as _;

/// How long an authorization code works (RFC 6749 §4.1.2: at most ten
/// minutes; the app exchanges it at once).
pub const CODE_SECONDS: i64 = 60;
const MAX_STATE_LEN: usize = 512;

/// A checked authorization request: the app, where to send the answer, its
/// PKCE challenge (S256) and its `state`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeRequest {
    pub client: AppClient,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub state: Option<String>,
}

/// Why an authorization request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizeRefusal {
    /// The app or its redirect URI is unknown: the browser gets an error
    /// page and is never sent to that address (RFC 6749 §4.1.2.1).
    NoRedirect(NoRedirectWhy),
    /// Anything else is told to the app at its redirect URI.
    ToApp { redirect_uri: String, state: Option<String>, error: &'static str, description: &'static str },
}

/// Why a request gets our error page: what the page tells the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoRedirectWhy {
    UnknownApp,
    NoApp,
    RedirectNotAllowed,
}

impl NoRedirectWhy {
    pub fn text(self, lang: crate::i18n::Lang) -> String {
        match self {
            Self::UnknownApp => crate::t!(lang, "auth-app-unknown"),
            Self::NoApp => crate::t!(lang, "auth-app-missing"),
            Self::RedirectNotAllowed => crate::t!(lang, "auth-app-redirect-refused"),
        }
    }
}

impl AuthorizeRequest {
    /// Reads `/oauth/authorize`'s query (or the consent form's fields).
    pub fn parse(pairs: &[(String, String)], settings: &crate::server::config::AppSignInSettings) -> Result<Self, AuthorizeRefusal> {
        let once = |name: &str| {
            let mut values = pairs.iter().filter(|(key, _)| key == name).map(|(_, value)| value.as_str());
            match (values.next(), values.next()) {
                (Some(value), None) => Ok(Some(value)),
                (None, _) => Ok(None),
                (Some(_), Some(_)) => Err(()),
            }
        };
        let client = match once("client_id") {
            Ok(Some(id)) => AppClient::find(id).ok_or(AuthorizeRefusal::NoRedirect(NoRedirectWhy::UnknownApp))?,
            _ => return Err(AuthorizeRefusal::NoRedirect(NoRedirectWhy::NoApp)),
        };
        let redirect_uri = match once("redirect_uri") {
            Ok(Some(uri)) if client.allows_redirect_to(uri, settings) => uri.to_owned(),
            _ => return Err(AuthorizeRefusal::NoRedirect(NoRedirectWhy::RedirectNotAllowed)),
        };
        let state = once("state").ok().flatten().filter(|state| state.len() <= MAX_STATE_LEN).map(str::to_owned);
        let refuse = |error, description| AuthorizeRefusal::ToApp { redirect_uri: redirect_uri.clone(), state: state.clone(), error, description };
        let duplicated = ["response_type", "code_challenge", "code_challenge_method", "state", "scope"].iter().any(|name| once(name).is_err());
        if duplicated || once("state").ok().flatten().is_some_and(|state| state.len() > MAX_STATE_LEN) {
            return Err(refuse("invalid_request", "a parameter is repeated or too long"));
        }
        if once("response_type").ok().flatten() != Some("code") {
            return Err(refuse("unsupported_response_type", "response_type must be code"));
        }
        if once("code_challenge_method").ok().flatten() != Some("S256") {
            return Err(refuse("invalid_request", "code_challenge_method must be S256"));
        }
        let code_challenge = match once("code_challenge").ok().flatten() {
            Some(challenge) if is_pkce_value(challenge) => challenge.to_owned(),
            _ => return Err(refuse("invalid_request", "code_challenge is missing or malformed")),
        };
        Ok(Self { client, redirect_uri, code_challenge, state })
    }

    /// [`Self::parse`] of a query string (with or without its `?`).
    pub fn from_query(query: &str, settings: &crate::server::config::AppSignInSettings) -> Result<Self, AuthorizeRefusal> {
        Self::parse(&form_pairs(query.trim_start_matches('?').as_bytes()), settings)
    }

    /// The request's parameters, as the consent page's form sends them back.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![
            ("response_type", "code".to_owned()),
            ("client_id", self.client.id.to_owned()),
            ("redirect_uri", self.redirect_uri.clone()),
            ("code_challenge", self.code_challenge.clone()),
            ("code_challenge_method", "S256".to_owned()),
        ];
        fields.extend(self.state.clone().map(|state| ("state", state)));
        fields
    }

    /// The request as a query string, as the way back after the login carries it.
    pub fn query(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new()).extend_pairs(self.fields()).finish()
    }

    /// The consent page for this request.
    pub fn consent_page(&self) -> String {
        format!("{}?{}", crate::routes::APP_CONSENT, self.query())
    }

    /// The app's redirect URI with `answer` (and the `state`) added to its query.
    pub fn answer(&self, answer: &[(&str, &str)]) -> String {
        redirect_with(&self.redirect_uri, self.state.as_deref(), answer)
    }
}

impl AuthorizeRefusal {
    /// Where the app hears of it, if it may.
    pub fn redirect(&self) -> Option<String> {
        match self {
            Self::NoRedirect(_) => None,
            Self::ToApp { redirect_uri, state, error, description } => {
                Some(redirect_with(redirect_uri, state.as_deref(), &[("error", error), ("error_description", description)]))
            }
        }
    }
}

/// The `name=value` pairs of a query string or form body.
pub fn form_pairs(encoded: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(encoded).into_owned().collect()
}

fn redirect_with(redirect_uri: &str, state: Option<&str>, answer: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in answer {
        query.append_pair(name, value);
    }
    if let Some(state) = state {
        query.append_pair("state", state);
    }
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    format!("{redirect_uri}{separator}{}", query.finish())
}

/// A PKCE verifier or challenge: 43 to 128 unreserved characters (RFC 7636 §4.1).
fn is_pkce_value(value: &str) -> bool {
    (43..=128).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// The S256 challenge of `verifier`: BASE64URL(SHA-256(verifier)).
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier.as_bytes()))
}

/// The two kinds of token an app sign-in holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppTokenKind {
    /// Sent with every API request; lives minutes.
    Access,
    /// Traded for a new pair; spent when used.
    Refresh,
}
crate::stored_as_words!(AppTokenKind { Access => "access", Refresh => "refresh" });

/// What the token endpoint refuses, with its RFC 6749 §5.2 code.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("invalid_request: {0}")]
    InvalidRequest(&'static str),
    #[error("invalid_client")]
    InvalidClient,
    #[error("invalid_grant: {0}")]
    InvalidGrant(&'static str),
    #[error("unsupported_grant_type")]
    UnsupportedGrantType,
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

impl OAuthError {
    /// The `error` of the JSON answer (`None`: a failure of ours, 500).
    pub fn code(&self) -> Option<&'static str> {
        Some(match self {
            Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant(_) => "invalid_grant",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::Database(_) => return None,
        })
    }

    /// The `error_description`: English, for the app's developer.
    pub fn description(&self) -> &'static str {
        match self {
            Self::InvalidRequest(why) | Self::InvalidGrant(why) => why,
            Self::InvalidClient => "unknown client_id",
            Self::UnsupportedGrantType => "grant_type must be authorization_code or refresh_token",
            Self::Database(_) => "",
        }
    }
}

/// The answer of a successful token request.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TokenPair {
    /// For `Authorization: Bearer`; opaque.
    pub access_token: String,
    /// `Bearer`.
    #[schema(value_type = String)]
    pub token_type: &'static str,
    /// Seconds the access token works (900).
    pub expires_in: i64,
    /// For the next pair; spent when used. Presented again, it ends the whole sign-in.
    pub refresh_token: String,
}

fn entry(user_id: i64, customer_id: Option<i64>, action: &'static str, detail: AuditDetail, ip: Option<String>) -> AuditEntry<'static> {
    AuditEntry { actor: Actor::User(user_id), customer_id, action, detail, ip }
}

async fn customer_of(tx: &mut Transaction<'_>, user_id: i64) -> Result<Option<i64>, sqlx::Error> {
    db::query_scalar("SELECT customer_id FROM users WHERE id = $1").bind(user_id).fetch_optional(&mut **tx).await
}

/// "Erlauben": a code for the app, bound to the request and to the user's
/// security stamp of now. Returns the app's redirect URI with the code.
pub async fn allow(state: &AppState, user: &SessionUser, request: &AuthorizeRequest, ip: Option<String>) -> Result<String, sqlx::Error> {
    let now = state.clock.now();
    let code = crypto::new_token();
    let mut tx = db::begin(&state.pool).await?;
    db::query(
        "INSERT INTO oauth_codes (code_hash, user_id, client_id, redirect_uri, code_challenge, security_stamp, authenticated_at, created_at, expires_at) \
         SELECT $1, id, $2, $3, $4, security_stamp, $8, $5, $6 FROM users WHERE id = $7",
    )
    .bind(crypto::token_hash(&code))
    .bind(request.client.id)
    .bind(&request.redirect_uri)
    .bind(&request.code_challenge)
    .bind(now)
    .bind(now + CODE_SECONDS)
    .bind(user.user_id)
    .bind(user.authenticated_at)
    .execute(&mut *tx)
    .await?;
    audit::record(&mut tx, entry(user.user_id, Some(user.customer_id), "app_allowed", AuditDetail::Plain(request.client.name.to_owned()), ip), now).await?;
    tx.commit().await?;
    Ok(request.answer(&[("code", &code)]))
}

/// "Ablehnen": noted in the activity log; the app hears `access_denied`.
pub async fn refuse(state: &AppState, user: &SessionUser, request: &AuthorizeRequest, ip: Option<String>) -> Result<String, sqlx::Error> {
    let entry = entry(user.user_id, Some(user.customer_id), "app_refused", AuditDetail::Plain(request.client.name.to_owned()), ip);
    audit::record_alone(&state.pool, entry, state.clock.now()).await?;
    Ok(request.answer(&[("error", "access_denied")]))
}

/// What the token endpoint was sent.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    /// `authorization_code` or `refresh_token`.
    pub grant_type: Option<String>,
    /// `kundenportal-app`.
    pub client_id: Option<String>,
    /// `authorization_code`: the code from the redirect.
    pub code: Option<String>,
    /// `authorization_code`: the same redirect URI as in the authorization request.
    pub redirect_uri: Option<String>,
    /// `authorization_code`: the PKCE verifier (43 to 128 characters).
    pub code_verifier: Option<String>,
    /// `refresh_token`: the current refresh token.
    pub refresh_token: Option<String>,
}

/// `POST /oauth/token`.
pub async fn token(state: &AppState, request: TokenRequest, origin: SessionOrigin, ip: Option<String>) -> Result<TokenPair, OAuthError> {
    let client = request.client_id.as_deref().and_then(AppClient::find).ok_or(OAuthError::InvalidClient)?;
    match request.grant_type.as_deref() {
        Some("authorization_code") => exchange_code(state, client, &request, origin, ip).await,
        Some("refresh_token") => refresh(state, client, request.refresh_token.as_deref().unwrap_or_default()).await,
        Some(_) => Err(OAuthError::UnsupportedGrantType),
        None => Err(OAuthError::InvalidRequest("grant_type is missing")),
    }
}

#[derive(sqlx::FromRow)]
struct ClaimedCode {
    user_id: i64,
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    security_stamp: String,
    authenticated_at: UnixTime,
}

/// The code for a first token pair. The code is claimed in one statement, so
/// it works once even when sent twice at the same moment; sent again later,
/// it ends the sign-in it was exchanged for (RFC 6749 §4.1.2).
async fn exchange_code(
    state: &AppState,
    client: AppClient,
    request: &TokenRequest,
    origin: SessionOrigin,
    ip: Option<String>,
) -> Result<TokenPair, OAuthError> {
    let (Some(code), Some(redirect_uri), Some(verifier)) = (&request.code, &request.redirect_uri, &request.code_verifier) else {
        return Err(OAuthError::InvalidRequest("code, redirect_uri and code_verifier are required"));
    };
    if !is_pkce_value(verifier) {
        return Err(OAuthError::InvalidRequest("code_verifier must be 43 to 128 unreserved characters"));
    }
    let now = state.clock.now();
    let code_hash = crypto::token_hash(code);
    let mut tx = db::begin(&state.pool).await?;
    let claimed: Option<ClaimedCode> = db::query_as(
        "UPDATE oauth_codes SET used_at = $2 WHERE code_hash = $1 AND used_at IS NULL AND expires_at > $2 \
         RETURNING user_id, client_id, redirect_uri, code_challenge, security_stamp, authenticated_at",
    )
    .bind(&code_hash)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(claimed) = claimed else {
        let reused: Option<(i64, Option<String>)> =
            db::query_as("SELECT user_id, session_hash FROM oauth_codes WHERE code_hash = $1 AND used_at IS NOT NULL")
                .bind(&code_hash)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some((user_id, session_hash)) = reused {
            end_sign_in(&mut tx, user_id, session_hash.as_deref(), AuditDetail::CodeReused, ip, now).await?;
            tx.commit().await?;
            tracing::warn!(user_id, "app sign-in: a used code was presented again; what it gave ended");
        }
        return Err(OAuthError::InvalidGrant("the code is unknown, expired or used"));
    };
    // The code is spent whatever follows: a wrong verifier does not get a second try.
    let same_client = claimed.client_id == client.id && &claimed.redirect_uri == redirect_uri;
    let verified = crypto::secrets_equal(&s256_challenge(verifier), &claimed.code_challenge);
    let stamp_now: Option<String> = db::query_scalar("SELECT security_stamp FROM users WHERE id = $1 AND active = TRUE")
        .bind(claimed.user_id)
        .fetch_optional(&mut *tx)
        .await?;
    let credentials_unchanged = stamp_now.as_deref() == Some(claimed.security_stamp.as_str());
    if !(same_client && verified && credentials_unchanged) {
        tracing::info!(user_id = claimed.user_id, same_client, verified, credentials_unchanged, "app sign-in: code refused");
        tx.commit().await?;
        return Err(OAuthError::InvalidGrant("the code does not match this client, redirect_uri or code_verifier"));
    }
    let settings = &state.config.app;
    let session_hash =
        insert_app_session(&mut tx, claimed.user_id, &claimed.security_stamp, claimed.authenticated_at, client, &origin, settings, now).await?;
    db::query("UPDATE oauth_codes SET session_hash = $1 WHERE code_hash = $2").bind(&session_hash).bind(&code_hash).execute(&mut *tx).await?;
    let pair = issue_pair(&mut tx, &session_hash, now, now + settings.sign_in_max_seconds, state).await?;
    let customer_id = customer_of(&mut tx, claimed.user_id).await?;
    audit::record(&mut tx, entry(claimed.user_id, customer_id, "app_signed_in", AuditDetail::Plain(client.name.to_owned()), ip), now).await?;
    tx.commit().await?;
    Ok(pair)
}

/// A new access and refresh token for the session; the refresh token works
/// until the session's idle limit, and never past `ends_at`.
async fn issue_pair(
    tx: &mut Transaction<'_>,
    session_hash: &str,
    now: UnixTime,
    ends_at: UnixTime,
    state: &AppState,
) -> Result<TokenPair, sqlx::Error> {
    let settings = &state.config.app;
    let (access_token, refresh_token) = (crypto::new_token(), crypto::new_token());
    let access_until = (now + settings.access_seconds).min(ends_at);
    let refresh_until = (now + settings.refresh_idle_seconds).min(ends_at);
    for (token, kind, until) in [(&access_token, AppTokenKind::Access, access_until), (&refresh_token, AppTokenKind::Refresh, refresh_until)] {
        db::query("INSERT INTO oauth_tokens (token_hash, session_hash, kind, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(crypto::token_hash(token))
            .bind(session_hash)
            .bind(kind)
            .bind(now)
            .bind(until)
            .execute(&mut **tx)
            .await?;
    }
    Ok(TokenPair { access_token, token_type: "Bearer", expires_in: access_until - now, refresh_token })
}

/// A refresh token for a new pair; it is spent. A spent one sent again ends
/// the whole sign-in: either the app or whoever stole the token has the
/// newer one, and neither can tell which (RFC 6749 §10.4).
async fn refresh(state: &AppState, client: AppClient, refresh_token: &str) -> Result<TokenPair, OAuthError> {
    if refresh_token.is_empty() {
        return Err(OAuthError::InvalidRequest("refresh_token is required"));
    }
    let now = state.clock.now();
    let token_hash = crypto::token_hash(refresh_token);
    let mut tx = db::begin(&state.pool).await?;
    let spent: Option<String> = db::query_scalar(
        "UPDATE oauth_tokens SET spent_at = $2 WHERE token_hash = $1 AND kind = $3 AND spent_at IS NULL AND expires_at > $2 \
         RETURNING session_hash",
    )
    .bind(&token_hash)
    .bind(now)
    .bind(AppTokenKind::Refresh)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(session_hash) = spent else {
        let reused: Option<(String, i64)> = db::query_as(
            "SELECT t.session_hash, s.user_id FROM oauth_tokens t JOIN sessions s ON s.id_hash = t.session_hash \
             WHERE t.token_hash = $1 AND t.kind = $2 AND t.spent_at IS NOT NULL",
        )
        .bind(&token_hash)
        .bind(AppTokenKind::Refresh)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((session_hash, user_id)) = reused {
            end_sign_in(&mut tx, user_id, Some(&session_hash), AuditDetail::RefreshTokenReused, None, now).await?;
            tx.commit().await?;
            tracing::warn!(user_id, "app sign-in: a spent refresh token was presented again; its sign-in ended");
        }
        return Err(OAuthError::InvalidGrant("the refresh token is unknown, expired or spent"));
    };
    // In the same transaction, before anything is issued: the user still
    // active, the security stamp unchanged, the sign-in within its limits.
    // (Checked after the commit, a failure to read would leave the token
    // spent, and the app's retry would look like a stolen token.)
    let session: Option<(Option<String>, UnixTime, i64, bool)> = db::query_as(
        "SELECT s.app_client, s.created_at, s.max_seconds, \
                u.active AND s.security_stamp = u.security_stamp AND s.last_seen_at + s.idle_seconds >= $2 \
                AND s.created_at + s.max_seconds >= $2 AS live \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1",
    )
    .bind(&session_hash)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((Some(app_client), created_at, max_seconds, true)) = session else {
        db::query("DELETE FROM sessions WHERE id_hash = $1").bind(&session_hash).execute(&mut *tx).await?;
        tx.commit().await?;
        return Err(OAuthError::InvalidGrant("the sign-in has ended"));
    };
    if app_client != client.id {
        return Err(OAuthError::InvalidGrant("the refresh token belongs to another client"));
    }
    let pair = issue_pair(&mut tx, &session_hash, now, created_at + max_seconds, state).await?;
    db::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2").bind(now).bind(&session_hash).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(pair)
}

/// Ends an app sign-in and every token of it, and notes why.
async fn end_sign_in(
    tx: &mut Transaction<'_>,
    user_id: i64,
    session_hash: Option<&str>,
    why: AuditDetail,
    ip: Option<String>,
    now: UnixTime,
) -> Result<(), sqlx::Error> {
    let Some(session_hash) = session_hash else { return Ok(()) };
    let ended = db::query("DELETE FROM sessions WHERE id_hash = $1").bind(session_hash).execute(&mut **tx).await?.rows_affected();
    if ended == 0 {
        return Ok(());
    }
    let customer_id = customer_of(tx, user_id).await?;
    audit::record(tx, entry(user_id, customer_id, "app_sign_in_ended_reuse", why, ip), now).await
}

/// `POST /oauth/revoke` (RFC 7009): a refresh token ends its whole sign-in,
/// an access token only itself. An unknown token, or another app's, is no
/// error: the answer must not tell whether a token exists.
pub async fn revoke(state: &AppState, client: AppClient, token: &str, ip: Option<String>) -> Result<(), sqlx::Error> {
    let now = state.clock.now();
    let token_hash = crypto::token_hash(token);
    let mut tx = db::begin(&state.pool).await?;
    let found: Option<(AppTokenKind, String, i64)> = db::query_as(
        "SELECT t.kind, t.session_hash, s.user_id FROM oauth_tokens t JOIN sessions s ON s.id_hash = t.session_hash \
         WHERE t.token_hash = $1 AND s.app_client = $2",
    )
    .bind(&token_hash)
    .bind(client.id)
    .fetch_optional(&mut *tx)
    .await?;
    match found {
        Some((AppTokenKind::Refresh, session_hash, user_id)) => {
            db::query("DELETE FROM sessions WHERE id_hash = $1").bind(&session_hash).execute(&mut *tx).await?;
            let customer_id = customer_of(&mut tx, user_id).await?;
            audit::record(&mut tx, entry(user_id, customer_id, "app_signed_out", AuditDetail::Plain(client.name.to_owned()), ip), now).await?;
        }
        Some(_) => {
            db::query("DELETE FROM oauth_tokens WHERE token_hash = $1").bind(&token_hash).execute(&mut *tx).await?;
        }
        None => {}
    }
    tx.commit().await
}

/// The user behind an access token, if it works: the token unexpired, its
/// sign-in live under the same rules as a browser's session.
pub async fn bearer_user(state: &AppState, access_token: &str) -> Result<Option<SessionUser>, sqlx::Error> {
    let session_hash: Option<String> =
        db::query_scalar("SELECT session_hash FROM oauth_tokens WHERE token_hash = $1 AND kind = $2 AND expires_at > $3")
            .bind(crypto::token_hash(access_token))
            .bind(AppTokenKind::Access)
            .bind(state.clock.now())
            .fetch_optional(&state.pool)
            .await?;
    match session_hash {
        Some(session_hash) => load_session_by_hash(state, session_hash, SessionKind::App).await,
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> crate::server::config::AppSignInSettings {
        crate::server::config::AppSignInSettings {
            redirect_uris: vec![],
            refresh_idle_seconds: 30,
            sign_in_max_seconds: 180,
            access_seconds: 15,
        }
    }

    fn pairs(query: &str) -> Vec<(String, String)> {
        form_pairs(query.as_bytes())
    }

    const CHALLENGE: &str = "dgN_VRKVwf4ejzyBOY6iP05o7Z4bLbfzPYOeqaoWKdQ";

    #[test]
    fn a_verifier_gives_its_s256_challenge() {
        // Python: base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
        assert_eq!(s256_challenge("dBjftJeZ4CVP-mJ0q3Fk8c2b0bz1wPJVcdeHBsi_Xq4"), CHALLENGE);
    }

    #[test]
    fn a_request_is_read_and_written_back_alike() {
        let query = format!(
            "response_type=code&client_id=kundenportal-app&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcb&code_challenge={CHALLENGE}&code_challenge_method=S256&state=a%20b"
        );
        let request = AuthorizeRequest::parse(&pairs(&query), &settings()).unwrap();
        assert_eq!(request.state.as_deref(), Some("a b"));
        assert_eq!(AuthorizeRequest::parse(&pairs(&request.query()), &settings()).unwrap(), request);
        assert_eq!(request.answer(&[("code", "xyz")]), "http://127.0.0.1:5000/cb?code=xyz&state=a+b");
    }

    #[test]
    fn unknown_apps_and_addresses_get_no_redirect_the_rest_is_told_to_the_app() {
        let base = |extra: &str| {
            format!("client_id=kundenportal-app&redirect_uri=http://127.0.0.1:5000/cb&response_type=code&code_challenge={CHALLENGE}{extra}")
        };
        let refusal = |query: String| AuthorizeRequest::parse(&pairs(&query), &settings()).unwrap_err();
        assert!(matches!(refusal(base("&code_challenge_method=S256").replace("kundenportal-app", "andere")), AuthorizeRefusal::NoRedirect(_)));
        assert!(matches!(
            refusal(base("&code_challenge_method=S256").replace("127.0.0.1:5000", "evil.example")),
            AuthorizeRefusal::NoRedirect(_)
        ));
        assert!(matches!(
            refusal(base("&code_challenge_method=S256&redirect_uri=http://127.0.0.1:6000/cb")),
            AuthorizeRefusal::NoRedirect(_)
        ));
        for (extra, error) in [
            ("&code_challenge_method=plain", "invalid_request"),
            ("", "invalid_request"),
            ("&code_challenge_method=S256&response_type=token", "invalid_request"),
            ("&code_challenge_method=S256&state=1&state=2", "invalid_request"),
        ] {
            match refusal(base(extra)) {
                AuthorizeRefusal::ToApp { error: told, .. } => assert_eq!(told, error, "{extra}"),
                other => panic!("{extra}: {other:?}"),
            }
        }
        let wrong_type = base("&code_challenge_method=S256").replace("response_type=code", "response_type=token");
        let refused = refusal(wrong_type);
        assert!(refused.redirect().unwrap().starts_with("http://127.0.0.1:5000/cb?error=unsupported_response_type&"));
        let short = base("&code_challenge_method=S256").replace(CHALLENGE, "kurz");
        assert!(matches!(refusal(short), AuthorizeRefusal::ToApp { error: "invalid_request", .. }));
    }
}
