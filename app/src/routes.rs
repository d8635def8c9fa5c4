//! Every path the portal serves or links to, named once. The router, links,
//! redirects, mails and tests use these names; a path written as a string
//! literal elsewhere is a bug waiting for the next rename.

/// The sign-in form.
pub const LOGIN: &str = "/login";
/// "Passwort vergessen": asks for a reset mail.
pub const FORGOT_PASSWORD: &str = "/passwort-vergessen";
/// The page behind a reset mail's link (`?token=`).
pub const RESET_PASSWORD: &str = "/passwort-neu";
/// The page behind an invitation mail's link (`?token=`).
pub const INVITATION: &str = "/einladung";
/// First sign-in (or expired password): set an own password.
pub const SET_PASSWORD: &str = "/passwort-festlegen";
/// First sign-in (or a new version): accept the privacy notice.
pub const ACCEPT_PRIVACY: &str = "/datenschutz-akzeptieren";
/// The sign-in's second step: the code of the authenticator app (or a recovery code).
pub const SECOND_STEP: &str = "/anmeldung-bestaetigen";
/// A user whose customer requires the second factor and who has none sets it up here first.
pub const SECOND_FACTOR_SETUP: &str = "/zwei-faktor-einrichten";
/// The recovery codes, once, right after they were made.
pub const RECOVERY_CODES: &str = "/wiederherstellungscodes";
/// The same codes as a text file to keep.
pub const RECOVERY_CODES_FILE: &str = "/wiederherstellungscodes.txt";
/// The page behind a forwarding's confirmation mail (`?token=`): confirm or decline.
pub const FORWARDING_CONFIRM: &str = "/weiterleitung-bestaetigen";
/// The page behind the "beenden" link of a forwarded mail (`?token=`).
pub const FORWARDING_END: &str = "/weiterleitung-beenden";
/// The page behind an e-mail change's confirmation mail (`?token=`).
pub const EMAIL_CONFIRM: &str = "/email-bestaetigen";
pub const CONTACT: &str = "/kontakt";
pub const PRIVACY: &str = "/datenschutz";
pub const IMPRINT: &str = "/impressum";

/// Hauptansicht, the start page behind sign-in.
pub const HOME: &str = "/";
pub const DOCUMENTS: &str = "/dokumente";
pub const FORWARDINGS: &str = "/weiterleitungen";
pub const USERS: &str = "/benutzer";
pub const PROFILE: &str = "/profil";
/// Aktivitätsprotokoll: who did what, for the main user and user managers.
pub const ACTIVITY: &str = "/aktivitaet";
/// The Aktivitätsprotokoll as CSV (the page's filter in the query string).
pub const ACTIVITY_EXPORT: &str = "/aktivitaet/export.csv";
/// The mails sent for one document (`?dokument=ID`), from the Dokumente list.
pub const DELIVERY_LOG: &str = "/versandprotokoll";

/// The stylesheet and icon the build puts under the site root.
pub const STYLESHEET: &str = "/pkg/kundenportal.css";
pub const FAVICON: &str = "/favicon.svg";
/// Moving between the signed-in pages inside one document (`public/navigation.js`;
/// scripts/build.sh puts a hashed copy into `/pkg`).
pub const NAVIGATION_SCRIPT: &str = "/navigation.js";
/// The operator's logo (configurable, so not a file under the site root).
pub const LOGO: &str = "/branding/logo";
/// The footer's language switch: `/sprache/en?weiter=/dokumente`.
pub const LANGUAGE_SWITCH: &str = "/sprache/{sprache}";
/// Server functions live under this prefix: `/api/{endpoint}`.
pub const SERVER_FN_PREFIX: &str = "/api";
/// The mobile app's API (`Authorization: Bearer`, an access token of the
/// app's sign-in): who is signed in (`GET`), name and notification (`PATCH`).
pub const API_ME: &str = "/api/v1/me";
/// `GET`: the app's document list; `POST`: the operator's billing system
/// delivers documents here (API key, multipart).
pub const API_DOCUMENTS: &str = "/api/v1/documents";
/// One document for the app (router pattern).
pub const API_DOCUMENT: &str = "/api/v1/documents/{id}";
/// One document's PDF for the app (router pattern).
pub const API_DOCUMENT_PDF: &str = "/api/v1/documents/{id}/pdf";
/// An e-invoice's XML for the app.
pub const API_DOCUMENT_XML: &str = "/api/v1/documents/{id}/xml";
pub const API_DOCUMENT_TYPES: &str = "/api/v1/document-types";
/// The OpenAPI 3.1 description of `/api/v1`, the OAuth endpoints included.
pub const API_OPENAPI: &str = "/api/v1/openapi.json";
/// The same, as a page to read.
pub const API_DOCS: &str = "/api/docs";
/// The app's sign-in (OAuth 2.0 for native apps, RFC 8252): the browser
/// comes here from the app, and the consent page posts its decision here.
pub const OAUTH_AUTHORIZE: &str = "/oauth/authorize";
pub const OAUTH_TOKEN: &str = "/oauth/token";
pub const OAUTH_REVOKE: &str = "/oauth/revoke";
/// RFC 8414 server metadata: a standard OAuth library configures itself from it.
pub const OAUTH_METADATA: &str = "/.well-known/oauth-authorization-server";
/// The same for an issuer with a path (router pattern).
pub const OAUTH_METADATA_WITH_PATH: &str = "/.well-known/oauth-authorization-server/{*issuer_path}";
/// The consent page: "Die App … möchte auf Ihr Kundenkonto zugreifen".
pub const APP_CONSENT: &str = "/app-freigabe";
/// The list's documents as one ZIP (the list's query string selects them).
pub const DOCUMENTS_EXPORT: &str = "/dokumente/export.zip";
/// For the load balancer: the process answers.
pub const HEALTHZ: &str = "/healthz";
/// For the load balancer: the database and the document store answer and
/// the schema is the one this binary expects.
pub const READYZ: &str = "/readyz";
/// For the operator's monitoring (Prometheus text), with `KP_METRICS_TOKEN`.
pub const METRICS: &str = "/metrics";
/// RFC 8058 one-click unsubscribe (`POST`, `?token=`): a mail program ends
/// a forwarding without a page in between.
pub const FORWARDING_ONE_CLICK: &str = "/weiterleitung/abbestellen";
/// One document's PDF (router pattern); links use [`document_pdf`].
pub const DOCUMENT_PDF: &str = "/dokumente/{id}/pdf";

/// The PDF of document `id`, to view (`download: false`) or save.
pub fn document_pdf(id: i64, download: bool) -> String {
    let path = DOCUMENT_PDF.replace("{id}", &id.to_string());
    if download {
        format!("{path}?download=1")
    } else {
        path
    }
}

/// One e-invoice's XML, always a download (router pattern); links use [`document_xml`].
pub const DOCUMENT_XML: &str = "/dokumente/{id}/xml";

/// The invoice XML of document `id`.
pub fn document_xml(id: i64) -> String {
    DOCUMENT_XML.replace("{id}", &id.to_string())
}

/// The last segment of an e-invoice's readable page, `/dokumente/{id}/e-rechnung`
/// (a Leptos page: the router puts it after [`DOCUMENTS`] and the id).
pub const EINVOICE_SEGMENT: &str = "e-rechnung";

/// The readable page of an e-invoice.
pub fn document_einvoice(id: i64) -> String {
    format!("{DOCUMENTS}/{id}/{EINVOICE_SEGMENT}")
}

/// A page behind sign-in: one of [`SIGNED_IN_PAGES`], or a page of one
/// document (`/dokumente/{id}/e-rechnung`, whatever the id).
pub fn is_signed_in_page(path: &str) -> bool {
    let of_one_document = path
        .strip_prefix(DOCUMENTS)
        .and_then(|rest| rest.strip_prefix('/'))
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(id, page)| !id.is_empty() && !id.contains('/') && page == EINVOICE_SEGMENT);
    SIGNED_IN_PAGES.contains(&path) || of_one_document
}

/// The delivery log of document `id`.
pub fn delivery_log(id: i64) -> String {
    format!("{DELIVERY_LOG}?dokument={id}")
}

/// Pages anyone may open.
pub const PUBLIC_PAGES: [&str; 14] = [
    LOGIN,
    SECOND_STEP,
    SECOND_FACTOR_SETUP,
    FORGOT_PASSWORD,
    RESET_PASSWORD,
    INVITATION,
    SET_PASSWORD,
    ACCEPT_PRIVACY,
    FORWARDING_CONFIRM,
    FORWARDING_END,
    EMAIL_CONFIRM,
    CONTACT,
    PRIVACY,
    IMPRINT,
];

/// Pages behind sign-in: a signed-out visitor gets 302 to [`LOGIN`], a
/// session that has not finished its first sign-in 302 to the step left.
pub const SIGNED_IN_PAGES: [&str; 9] = [HOME, DOCUMENTS, FORWARDINGS, USERS, PROFILE, DELIVERY_LOG, ACTIVITY, APP_CONSENT, RECOVERY_CODES];

/// Pages whose address carries a mailed link's token: they must not leak it
/// through `Referer` nor leave it in a shared cache.
pub const LINK_PAGES: [&str; 5] = [INVITATION, RESET_PASSWORD, FORWARDING_CONFIRM, FORWARDING_END, EMAIL_CONFIRM];

/// The router's segment for a page path (`"/login"` → `"login"`).
pub fn segment(path: &'static str) -> &'static str {
    path.trim_start_matches('/')
}

/// The query parameter that names the field a refused form's error
/// concerns (`?fehler=CODE&feld=NAME`).
pub const FIELD_PARAM: &str = "feld";

/// `path` with a `?fehler=CODE` (or `&fehler=`) added: where a form posted
/// without JavaScript is sent back with its error.
pub fn with_error(path: &str, code: &str) -> String {
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("{path}{separator}fehler={code}")
}

/// `path` with `key=value` added to its query.
pub fn with_param(path: &str, key: &str, value: &str) -> String {
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("{path}{separator}{key}={value}")
}

/// `candidate` if it is an address on this site (`/…`, not `//host`, no
/// backslash or line break): where a form may send the browser back to.
pub fn local_path(candidate: &str) -> Option<&str> {
    let safe = candidate.starts_with('/')
        && !candidate.starts_with("//")
        && candidate.len() <= 512
        && candidate.chars().all(|c| c.is_ascii_graphic() && c != '\\');
    safe.then_some(candidate)
}

/// A page address that carries a link's token. Only the characters a real
/// token has are kept, so the address is always a valid header value.
pub fn with_token(path: &str, token: &str) -> String {
    let safe: String = token.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).take(128).collect();
    format!("{path}?token={safe}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_is_listed_once() {
        let mut all: Vec<&str> = PUBLIC_PAGES.iter().chain(SIGNED_IN_PAGES.iter()).copied().collect();
        let count = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), count);
        assert!(LINK_PAGES.iter().all(|page| PUBLIC_PAGES.contains(page)));
    }

    #[test]
    fn a_documents_readable_page_is_behind_sign_in_whatever_its_id() {
        for page in [HOME, DOCUMENTS, "/dokumente/42/e-rechnung", "/dokumente/x/e-rechnung"] {
            assert!(is_signed_in_page(page), "{page}");
        }
        for other in [LOGIN, "/dokumente/42/pdf", "/dokumente//e-rechnung", "/dokumente/1/2/e-rechnung", "/dokumente/e-rechnung", "/dokumentex/1/e-rechnung"] {
            assert!(!is_signed_in_page(other), "{other}");
        }
    }

    #[test]
    fn tokens_and_errors_stay_within_the_address() {
        assert_eq!(with_token(RESET_PASSWORD, "ab-C_1\r\n<x>"), "/passwort-neu?token=ab-C_1x");
        assert_eq!(with_error(LOGIN, "anmeldung"), "/login?fehler=anmeldung");
        assert_eq!(with_error("/profil?bereich=anmeldungen", "x"), "/profil?bereich=anmeldungen&fehler=x");
        assert_eq!(segment(DOCUMENTS), "dokumente");
        assert_eq!(document_pdf(42, true), "/dokumente/42/pdf?download=1");
        assert_eq!(document_einvoice(42), "/dokumente/42/e-rechnung");
        assert_eq!(local_path("/benutzer?bearbeiten=3"), Some("/benutzer?bearbeiten=3"));
        for foreign in ["//evil.example", "https://evil.example", "/\\evil", "/a\r\nb", "benutzer"] {
            assert_eq!(local_path(foreign), None, "{foreign}");
        }
    }
}
