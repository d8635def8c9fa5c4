//! The apps that may sign in through the portal (OAuth 2.0 for native apps,
//! RFC 8252): public clients without a secret, known by their id, and the
//! redirect URIs each may use. A redirect URI that is not allowed is never
//! redirected to: the browser gets an error page instead.

use crate::server::config::AppSignInSettings;

/// A registered app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppClient {
    pub id: &'static str,
    /// How the consent page and Profil → Anmeldungen name it.
    pub name: &'static str,
}

/// The company's mobile app.
pub const MOBILE_APP: AppClient = AppClient { id: "kundenportal-app", name: "Kundenportal-App" };

const CLIENTS: [AppClient; 1] = [MOBILE_APP];

impl AppClient {
    pub fn find(id: &str) -> Option<Self> {
        CLIENTS.into_iter().find(|client| client.id == id)
    }

    /// Whether the app may be sent back to `uri`: a loopback address on
    /// any port (RFC 8252 §7.3: the app listens on a port it chose), or one
    /// of the operator's configured URIs, compared exactly (§7.1 private-use
    /// schemes, §7.2 claimed `https` addresses).
    pub fn allows_redirect_to(self, uri: &str, settings: &AppSignInSettings) -> bool {
        if uri.len() > 2048 {
            return false;
        }
        if settings.redirect_uris.iter().any(|allowed| allowed == uri) {
            return true;
        }
        let Ok(parsed) = url::Url::parse(uri) else { return false };
        let loopback = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => ip == std::net::Ipv4Addr::LOCALHOST,
            Some(url::Host::Ipv6(ip)) => ip == std::net::Ipv6Addr::LOCALHOST,
            // "localhost" may resolve elsewhere (RFC 8252 §8.3): not allowed.
            _ => false,
        };
        parsed.scheme() == "http"
            && loopback
            && parsed.username().is_empty()
            && parsed.password().is_none()
            && parsed.fragment().is_none()
            && !uri.contains('#')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(uris: &[&str]) -> AppSignInSettings {
        AppSignInSettings {
            redirect_uris: uris.iter().map(|uri| uri.to_string()).collect(),
            refresh_idle_seconds: 1,
            sign_in_max_seconds: 1,
            access_seconds: 1,
        }
    }

    #[test]
    fn loopback_on_any_port_and_configured_uris_exactly() {
        let app = AppClient::find("kundenportal-app").unwrap();
        let configured = settings(&["de.example.portal:/anmeldung", "https://app.example.com/zurueck"]);
        for allowed in [
            "http://127.0.0.1:51234/callback",
            "http://127.0.0.1/",
            "http://[::1]:8080/cb?x=1",
            "de.example.portal:/anmeldung",
            "https://app.example.com/zurueck",
        ] {
            assert!(app.allows_redirect_to(allowed, &configured), "{allowed}");
        }
        for refused in [
            "http://localhost:51234/callback",
            "https://127.0.0.1:51234/callback",
            "http://127.0.0.2:51234/callback",
            "http://127.0.0.1.evil.example/cb",
            "http://user@127.0.0.1:5000/cb",
            "http://127.0.0.1:5000/cb#frag",
            "https://evil.example/cb",
            "https://app.example.com/zurueck/mehr",
            "de.example.portal:/anmeldung2",
            "javascript:alert(1)",
            "",
        ] {
            assert!(!app.allows_redirect_to(refused, &configured), "{refused}");
        }
        assert!(AppClient::find("fremde-app").is_none());
    }
}
