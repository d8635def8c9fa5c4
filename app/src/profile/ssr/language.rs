//! The user's language (Profil → Sprache) and the footer's switch.

use crate::auth::ssr::guard;
use crate::i18n::Lang;
use crate::server::db::{self, Pool};
use crate::server::language::cookie_for;
use crate::server::state::AppState;
use axum::extract::{Path, Request, State};
use axum::response::{IntoResponse, Response};
use http::header::{LOCATION, SET_COOKIE};
use http::{HeaderValue, StatusCode};

pub async fn store(pool: &Pool, user_id: i64, lang: Lang) -> Result<(), sqlx::Error> {
    db::query("UPDATE users SET language = $1 WHERE id = $2").bind(lang.code()).bind(user_id).execute(pool).await?;
    Ok(())
}

/// Where the switch sends the visitor back to: a path of this portal, never
/// another site. `weiter` is resolved as a browser would resolve it (which
/// drops tabs and line breaks and reads `\\` as `/`) against a stand-in
/// origin; only an address that stays on it is taken, as path and query.
fn back_to(query: Option<&str>) -> String {
    const HERE: &str = "http://portal.invalid/";
    let wanted = query
        .into_iter()
        .flat_map(|query| url::form_urlencoded::parse(query.as_bytes()))
        .find(|(name, _)| name == "weiter")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    let here = url::Url::parse(HERE).expect("a valid address");
    match here.join(&wanted) {
        Ok(target) if wanted.starts_with('/') && target.origin() == here.origin() => {
            target.query().map_or_else(|| target.path().to_owned(), |query| format!("{}?{query}", target.path()))
        }
        _ => crate::routes::HOME.to_owned(),
    }
}

/// `GET /sprache/{de|en}?weiter=/pfad`: the footer's switch, a plain link
/// that works without JavaScript. It keeps the choice in a cookie for this
/// browser and, for a signed-in user, as their setting (Profil → Sprache,
/// also the language of their mails), then goes back to the page it came
/// from. The setting is stored only when the click came from the portal
/// itself (`Sec-Fetch-Site: same-origin`, or `none` for an address typed or
/// bookmarked): a link on another site switches this browser's pages, never
/// what the account's mails are written in.
pub async fn switch_language(State(state): State<AppState>, Path(code): Path<String>, request: Request) -> Response {
    let Some(lang) = Lang::from_code(&code) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (parts, _) = request.into_parts();
    let from_here = parts
        .headers
        .get("sec-fetch-site")
        .is_some_and(|site| site.as_bytes() == b"same-origin" || site.as_bytes() == b"none");
    let signed_in = if from_here { guard::authenticate(&parts, &state).await.ok().flatten() } else { None };
    if let Some(user) = signed_in {
        if let Err(error) = store(&state.pool, user.user_id, lang).await {
            tracing::warn!(%error, "language setting not stored");
        }
    }
    let mut response = (StatusCode::SEE_OTHER, [(LOCATION, back_to(parts.uri.query()))]).into_response();
    if let Ok(cookie) = HeaderValue::from_str(&cookie_for(lang, state.config.secure_cookies()).to_string()) {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::back_to;

    #[test]
    fn the_switch_goes_back_only_to_a_page_of_the_portal() {
        assert_eq!(back_to(Some("weiter=%2Fdokumente%3Fseite%3D2")), "/dokumente?seite=2");
        assert_eq!(back_to(Some("weiter=https://evil.example/")), "/");
        assert_eq!(back_to(Some("weiter=//evil.example/")), "/");
        assert_eq!(back_to(Some("weiter=/%5Cevil.example")), "/");
        assert_eq!(back_to(Some("weiter=/%09/evil.example")), "/");
        assert_eq!(back_to(Some("weiter=/%0A/evil.example")), "/");
        assert_eq!(back_to(Some("weiter=dokumente")), "/");
        assert_eq!(back_to(None), "/");
    }
}
