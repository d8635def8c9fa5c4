//! Configuration from the environment. Every setting is read and checked once
//! at start; a bad value stops the start with one line naming the setting.

use crate::domain::{EmailAddress, PasswordPolicy};
use leptos::config::LeptosOptions;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
#[error("Konfigurationsfehler: {name}: {problem}")]
pub struct ConfigError {
    pub name: &'static str,
    pub problem: String,
}

impl ConfigError {
    fn new(name: &'static str, problem: impl Into<String>) -> Self {
        Self { name, problem: problem.into() }
    }
}

/// Operator branding shown on every page and in every mail.
#[derive(Debug, Clone)]
pub struct Branding {
    pub operator_name: String,
    /// An image file of the operator's logo; `None` uses the built-in one.
    pub logo_file: Option<PathBuf>,
    pub hotline: String,
    pub hotline_note: String,
    /// The operator's texts in English, each `None` where the operator has
    /// none: English pages then show the German one (the legal pages with a
    /// note saying so). Without the German setting the built-in English
    /// text goes with the built-in German one.
    pub hotline_note_en: Option<String>,
    pub contact_text: String,
    pub contact_text_en: Option<String>,
    pub imprint_text: String,
    pub imprint_text_en: Option<String>,
    /// The privacy notice published as version 1 when the database has none.
    pub privacy_text: String,
    /// `privacy_text` in English: shown on English pages while the current
    /// version's text is `privacy_text` (see `legal::ssr::privacy_notice_in`).
    pub privacy_text_en: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: SecretUrl,
    /// Connections each instance keeps open (`KP_DATABASE_MAX_CONNECTIONS`).
    pub database_max_connections: u32,
    /// Origin and path prefix for links in mails, without trailing slash.
    pub base_url: String,
    /// `None` writes mails as `.eml` files to [`Config::mail_dir`].
    pub smtp_url: Option<SecretUrl>,
    pub mail_from: lettre::message::Mailbox,
    pub mail_max_attempts: u32,
    /// How long the SMTP server may take to answer any one step of a
    /// conversation (`KP_SMTP_TIMEOUT_SECONDS`).
    pub smtp_timeout: Duration,
    pub branding: Branding,
    pub password_policy: PasswordPolicy,
    pub invitation_ttl: Duration,
    /// How long a "Passwort vergessen" link works (at most an hour).
    pub reset_ttl: Duration,
    pub limits: RequestLimits,
    /// What one user and one customer may add in a day.
    pub daily_limits: DailyLimits,
    /// Reverse proxies (addresses or ranges) whose `X-Forwarded-For` entries
    /// are believed, walking from the right.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The operator's time zone: dates in mails, and the day a password
    /// expires on begins at its midnight.
    pub time_zone: jiff::tz::TimeZone,
    /// The language of a visitor whose browser asks for neither German nor
    /// English, and of mails to users who chose none (`KP_DEFAULT_LANGUAGE`).
    pub default_language: crate::i18n::Lang,
    /// Passwords older than this many days must be changed; `None` (the
    /// default) lets them live for ever.
    pub password_max_age_days: Option<u32>,
    /// How many days before a password expires its user is warned by mail.
    pub password_expiry_warning_days: u32,
    pub documents: DocumentSettings,
    pub notifications: NotificationSettings,
    /// Users per customer, the main user included (`KP_USERS_MAX`).
    pub users_max: u32,
    pub app: AppSignInSettings,
    /// The bearer token `GET /metrics` wants; `None` (the default) turns the route off.
    pub metrics_token: Option<secrecy::SecretString>,
    /// The build's file names (hashed by scripts/build.sh).
    pub assets: BuildAssets,
    pub leptos: LeptosOptions,
}

/// The names of the build's files. scripts/build.sh puts a hash of each
/// file's content into its name and lists the hashes in `hash.txt` in the
/// site root (`js: …`, `wasm: …`, `css: …`); without that file (a build
/// by cargo-leptos) the plain names apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildAssets {
    pub hashed: bool,
    pub hash_file: PathBuf,
    /// The stylesheet's address, e.g. `/pkg/kundenportal.0123456789abcdef.css`.
    pub stylesheet: String,
    /// The navigation script's, e.g. `/pkg/navigation.0123456789abcdef.js`.
    pub navigation_script: String,
}

impl BuildAssets {
    pub fn read(site_root: &Path) -> Self {
        let hash_file = std::path::absolute(site_root.join("hash.txt")).unwrap_or_else(|_| site_root.join("hash.txt"));
        let hashes = std::fs::read_to_string(&hash_file).unwrap_or_default();
        let hash_of = |kind: &str| {
            hashes.lines().find_map(|line| {
                let (name, hash) = line.split_once(':')?;
                let hash = hash.trim();
                (name.trim() == kind && !hash.is_empty() && hash.chars().all(|c| c.is_ascii_alphanumeric())).then(|| hash.to_owned())
            })
        };
        let stylesheet = match hash_of("css") {
            Some(hash) => crate::routes::STYLESHEET.replace(".css", &format!(".{hash}.css")),
            None => crate::routes::STYLESHEET.to_owned(),
        };
        let navigation_script = match hash_of("nav") {
            Some(hash) => format!("/pkg/navigation.{hash}.js"),
            None => crate::routes::NAVIGATION_SCRIPT.to_owned(),
        };
        Self { hashed: hash_of("js").is_some() && hash_of("wasm").is_some(), hash_file, stylesheet, navigation_script }
    }
}

/// The mobile app's sign-in (OAuth 2.0 for native apps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSignInSettings {
    /// Redirect URIs the app may use besides loopback ones: its private-use
    /// scheme (`de.example.portal:/callback`) or claimed `https` addresses
    /// (`KP_APP_REDIRECT_URIS`, comma-separated, compared exactly).
    pub redirect_uris: Vec<String>,
    /// A refresh token unused this long ends the sign-in (`KP_APP_REFRESH_IDLE_DAYS`).
    pub refresh_idle_seconds: i64,
    /// An app sign-in ends this long after it began (`KP_APP_SIGN_IN_MAX_DAYS`).
    pub sign_in_max_seconds: i64,
    /// How long an access token works.
    pub access_seconds: i64,
}

/// New-document mails and Weiterleitungen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotificationSettings {
    /// A PDF above this size is not attached; the mail carries the link
    /// (`KP_MAIL_ATTACHMENT_MAX_MB`).
    pub attachment_max_bytes: u64,
    /// Forwardings per customer (`KP_FORWARDINGS_MAX`).
    pub forwardings_max: u32,
    /// A notice waits this long for more documents of the same batch run
    /// (`KP_NOTIFY_BATCH_SECONDS`).
    pub batch_seconds: i64,
    /// How long a forwarding's confirmation link works.
    pub optin_seconds: i64,
}

/// Where documents are stored and how long customers see them.
#[derive(Debug, Clone)]
pub struct DocumentSettings {
    /// `file:///absolute/path` (object storage comes with the scale-out).
    pub storage_url: String,
    /// The largest PDF the ingest API accepts.
    pub max_bytes: usize,
    /// Calendar months, in the operator's time zone, a document stays listed after it was provided.
    pub visible_months: u32,
    /// The most documents one ZIP export holds.
    pub export_max_documents: u32,
    /// Uploads read at the same time (`KP_INGEST_MAX_CONCURRENT`)…
    pub ingest_max_concurrent: u32,
    /// …and how many more may wait for a turn before the answer is 503
    /// (`KP_INGEST_MAX_WAITING`). A waiting upload has not been read yet.
    pub ingest_max_waiting: u32,
}

/// Additions that mail an address someone typed in ("Benutzer hinzufügen",
/// "Einladung erneut senden", "Weiterleitung hinzufügen") and that say
/// whether a username exists: per acting user and per customer, per
/// calendar day in the operator's time zone. Each kind is counted apart;
/// refused and later removed additions count too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyLimits {
    pub adds_per_user: u32,
    pub adds_per_customer: u32,
}

/// Requests per minute and client address, per kind of anonymous request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLimits {
    pub login_per_minute: u32,
    pub reset_per_minute: u32,
    pub token_per_minute: u32,
    /// Requests to the app's token endpoint (`/oauth/token`, `/oauth/revoke`).
    pub app_token_per_minute: u32,
}

/// An origin as a browser serialises it: scheme and host in lower case,
/// the scheme's default port left out (`https://Portal.Example.com:443/x`
/// is `https://portal.example.com`). `None` for an opaque origin ("null")
/// or anything that is no http(s) address.
pub fn normalized_origin(address: &str) -> Option<String> {
    let url = url::Url::parse(address).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    Some(url.origin().ascii_serialization())
}

impl Config {
    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.join("mail")
    }

    /// Where uploads are staged on their way into the document store (on
    /// disk, not in `/tmp`, which is often memory).
    pub fn upload_dir(&self) -> PathBuf {
        self.data_dir.join("uploads")
    }

    /// Cookies get `Secure` and the `__Host-` prefix whenever the portal is
    /// reached over https.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    /// The origin a browser sends in `Origin` for same-site requests, in the
    /// form browsers serialise it (see [`normalized_origin`]).
    pub fn origin(&self) -> String {
        normalized_origin(&self.base_url).unwrap_or_default()
    }

    /// Reads the whole configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn pool_settings(&self) -> super::db::PoolSettings {
        super::db::PoolSettings { max_connections: self.database_max_connections }
    }

    /// Reads the configuration through `lookup`; tests pass a map.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());

        let site_addr: SocketAddr = match get("LEPTOS_SITE_ADDR") {
            Some(raw) => raw.parse().map_err(|_| {
                ConfigError::new("LEPTOS_SITE_ADDR", format!("»{raw}« ist keine Adresse wie 127.0.0.1:3000"))
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
        };

        let data_dir = PathBuf::from(get("KP_DATA_DIR").unwrap_or_else(|| "./data".into()));

        let database_url = match get("KP_DATABASE_URL") {
            Some(url) if super::db::Backend::of_url(&url).is_some() => url,
            Some(url) => {
                return Err(ConfigError::new(
                    "KP_DATABASE_URL",
                    format!("»{}« ist keine sqlite:- oder postgres:-Adresse", redact_url(&url)),
                ))
            }
            None => format!("sqlite://{}?mode=rwc", data_dir.join("kundenportal.db").display()),
        };
        let database_max_connections = parse_number(&get, "KP_DATABASE_MAX_CONNECTIONS", super::db::PoolSettings::DEFAULT_MAX_CONNECTIONS, 1, 500)?;

        let base_url = match get("KP_BASE_URL") {
            Some(raw) => {
                let trimmed = raw.trim_end_matches('/').to_owned();
                let rest = trimmed
                    .strip_prefix("https://")
                    .or_else(|| trimmed.strip_prefix("http://"))
                    .ok_or_else(|| ConfigError::new("KP_BASE_URL", format!("»{raw}« beginnt nicht mit http:// oder https://")))?;
                let host = rest.split('/').next().unwrap_or_default();
                if host.is_empty() || rest.contains(['?', '#', ' ']) || normalized_origin(&trimmed).is_none() {
                    return Err(ConfigError::new("KP_BASE_URL", format!("»{raw}« ist keine gültige Adresse")));
                }
                trimmed
            }
            None => format!("http://{site_addr}"),
        };

        let smtp_url = match get("KP_SMTP_URL") {
            Some(url) => {
                lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(&url).map_err(|_| {
                    ConfigError::new(
                        "KP_SMTP_URL",
                        format!(
                            "»{}« ist keine SMTP-Adresse wie smtp://host:25 oder smtps://benutzer:passwort@host",
                            redact_url(&url)
                        ),
                    )
                })?;
                Some(url)
            }
            None => None,
        };

        let mail_from_raw = get("KP_MAIL_FROM").unwrap_or_else(|| "Kundenportal <kundenportal@localhost.localdomain>".into());
        let mail_from: lettre::message::Mailbox = mail_from_raw
            .parse()
            .map_err(|_| ConfigError::new("KP_MAIL_FROM", format!("»{mail_from_raw}« ist keine Absenderadresse")))?;

        let mail_max_attempts = parse_number(&get, "KP_MAIL_MAX_ATTEMPTS", 8, 1, 100)?;
        let smtp_timeout = Duration::from_secs(u64::from(parse_number(&get, "KP_SMTP_TIMEOUT_SECONDS", 15, 1, 300)?));
        let invitation_hours = parse_number(&get, "KP_INVITATION_TTL_HOURS", 72, 1, 24 * 30)?;
        let reset_minutes = parse_number(&get, "KP_RESET_TTL_MINUTES", 60, 5, 60)?;
        let limits = RequestLimits {
            login_per_minute: parse_number(&get, "KP_LIMIT_LOGIN_PER_MINUTE", 20, 1, 100_000)?,
            reset_per_minute: parse_number(&get, "KP_LIMIT_RESET_PER_MINUTE", 5, 1, 100_000)?,
            token_per_minute: parse_number(&get, "KP_LIMIT_LINK_PER_MINUTE", 10, 1, 100_000)?,
            app_token_per_minute: parse_number(&get, "KP_LIMIT_APP_TOKEN_PER_MINUTE", 30, 1, 100_000)?,
        };
        let daily_limits = DailyLimits {
            adds_per_user: parse_number(&get, "KP_LIMIT_ADDS_PER_USER_AND_DAY", 20, 1, 100_000)?,
            adds_per_customer: parse_number(&get, "KP_LIMIT_ADDS_PER_CUSTOMER_AND_DAY", 50, 1, 100_000)?,
        };
        let trusted_proxies = match get("KP_TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(raw) => raw
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<ipnet::IpNet>().or_else(|_| s.parse::<IpAddr>().map(ipnet::IpNet::from)).map_err(|_| {
                        ConfigError::new("KP_TRUSTED_PROXIES", format!("»{s}« ist weder eine IP-Adresse noch ein Bereich wie 10.0.0.0/8"))
                    })
                })
                .collect::<Result<_, _>>()?,
        };

        let password_policy = {
            let defaults = PasswordPolicy::default();
            let min_len = parse_number(&get, "KP_PASSWORD_MIN_LENGTH", defaults.min_len as u32, 8, 128)? as usize;
            let max_len = parse_number(&get, "KP_PASSWORD_MAX_LENGTH", defaults.max_len as u32, 8, 128)? as usize;
            if max_len < min_len {
                return Err(ConfigError::new("KP_PASSWORD_MAX_LENGTH", "ist kleiner als KP_PASSWORD_MIN_LENGTH"));
            }
            PasswordPolicy {
                min_len,
                max_len,
                require_digit: parse_bool(&get, "KP_PASSWORD_REQUIRE_DIGIT", defaults.require_digit)?,
                require_letter: parse_bool(&get, "KP_PASSWORD_REQUIRE_LETTER", defaults.require_letter)?,
            }
        };

        let time_zone_name = get("KP_TIME_ZONE").unwrap_or_else(|| "Europe/Berlin".into());
        let time_zone = jiff::tz::TimeZone::get(&time_zone_name).map_err(|_| {
            ConfigError::new("KP_TIME_ZONE", format!("»{time_zone_name}« ist keine Zeitzone wie Europe/Berlin"))
        })?;
        let default_language = match get("KP_DEFAULT_LANGUAGE") {
            None => crate::i18n::Lang::De,
            Some(code) => crate::i18n::Lang::from_code(&code)
                .ok_or_else(|| ConfigError::new("KP_DEFAULT_LANGUAGE", format!("»{code}« ist keine der Sprachen de, en")))?,
        };
        let password_max_age_days = match parse_number(&get, "KP_PASSWORD_MAX_AGE_DAYS", 0, 0, 3650)? {
            0 => None,
            days => Some(days),
        };
        let password_expiry_warning_days = parse_number(&get, "KP_PASSWORD_EXPIRY_WARNING_DAYS", 14, 0, 365)?;

        let storage_url = match get("KP_STORAGE_URL") {
            Some(url) if url.starts_with("file:///") => url.trim_end_matches('/').to_owned(),
            Some(url) if url.starts_with("s3://") && url.len() > "s3://".len() && !url.contains(['?', '#', '@']) => {
                url.trim_end_matches('/').to_owned()
            }
            Some(url) => {
                return Err(ConfigError::new(
                    "KP_STORAGE_URL",
                    format!(
                        "»{}« ist weder eine file:///-Adresse mit absolutem Pfad noch s3://BUCKET/PFAD",
                        redact_url(&url)
                    ),
                ))
            }
            None => {
                let dir = std::path::absolute(data_dir.join("documents"))
                    .map_err(|_| ConfigError::new("KP_DATA_DIR", "hat keinen gültigen Pfad"))?;
                format!("file://{}", dir.display())
            }
        };
        let documents = DocumentSettings {
            storage_url,
            max_bytes: parse_number(&get, "KP_DOCUMENT_MAX_MB", 20, 1, 200)? as usize * 1024 * 1024,
            visible_months: parse_number(&get, "KP_DOCUMENT_VISIBLE_MONTHS", 13, 1, 120)?,
            export_max_documents: parse_number(&get, "KP_EXPORT_MAX_DOCUMENTS", 1000, 1, 10_000)?,
            ingest_max_concurrent: parse_number(&get, "KP_INGEST_MAX_CONCURRENT", 8, 1, 256)?,
            ingest_max_waiting: parse_number(&get, "KP_INGEST_MAX_WAITING", 64, 0, 10_000)?,
        };

        let notifications = NotificationSettings {
            attachment_max_bytes: u64::from(parse_number(&get, "KP_MAIL_ATTACHMENT_MAX_MB", 10, 1, 50)?) * 1024 * 1024,
            forwardings_max: parse_number(&get, "KP_FORWARDINGS_MAX", 20, 1, 1000)?,
            batch_seconds: i64::from(parse_number(&get, "KP_NOTIFY_BATCH_SECONDS", 120, 0, 3600)?),
            optin_seconds: 7 * 24 * 3600,
        };

        let users_max = parse_number(&get, "KP_USERS_MAX", 50, 1, 10_000)?;
        let app = {
            let redirect_uris = get("KP_APP_REDIRECT_URIS")
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|uri| !uri.is_empty())
                .map(|uri| match url::Url::parse(uri) {
                    Ok(parsed) if parsed.fragment().is_none() && (parsed.scheme() == "https" || parsed.scheme().contains('.')) => {
                        Ok(uri.to_owned())
                    }
                    _ => Err(ConfigError::new(
                        "KP_APP_REDIRECT_URIS",
                        format!("»{uri}« ist weder eine https-Adresse noch ein eigenes Schema wie de.example.portal:/anmeldung"),
                    )),
                })
                .collect::<Result<Vec<_>, _>>()?;
            let day = 24 * 3600;
            let refresh_idle_days = parse_number(&get, "KP_APP_REFRESH_IDLE_DAYS", 30, 1, 365)?;
            let sign_in_max_days = parse_number(&get, "KP_APP_SIGN_IN_MAX_DAYS", 180, 1, 3650)?;
            if sign_in_max_days < refresh_idle_days {
                return Err(ConfigError::new("KP_APP_SIGN_IN_MAX_DAYS", "ist kleiner als KP_APP_REFRESH_IDLE_DAYS"));
            }
            AppSignInSettings {
                redirect_uris,
                refresh_idle_seconds: i64::from(refresh_idle_days) * day,
                sign_in_max_seconds: i64::from(sign_in_max_days) * day,
                access_seconds: 15 * 60,
            }
        };
        let metrics_token = match get("KP_METRICS_TOKEN") {
            Some(token) if token.len() < 16 || token.chars().any(|c| c.is_whitespace() || c.is_control()) => {
                return Err(ConfigError::new("KP_METRICS_TOKEN", "muss mindestens 16 Zeichen ohne Leerzeichen lang sein"))
            }
            token => token.map(secrecy::SecretString::from),
        };

        let logo_file = match get("KP_LOGO_FILE") {
            Some(path) => {
                let path = PathBuf::from(path);
                if logo_content_type(&path).is_none() {
                    return Err(ConfigError::new("KP_LOGO_FILE", "muss eine .svg-, .png-, .jpg- oder .webp-Datei sein"));
                }
                if !path.is_file() {
                    return Err(ConfigError::new("KP_LOGO_FILE", format!("{} gibt es nicht", path.display())));
                }
                Some(path)
            }
            None => None,
        };

        let branding = Branding {
            operator_name: get("KP_OPERATOR_NAME").unwrap_or_else(|| "Muster Entsorgung GmbH".into()),
            logo_file,
            hotline: get("KP_HOTLINE").unwrap_or_else(|| "0180 000 0 000".into()),
            hotline_note: get("KP_HOTLINE_NOTE").unwrap_or_else(|| {
                "Festnetzpreis 6 ct/Anruf, Mobilfunkpreis max. 42 ct/Min., Mo–Fr 07:00–18:00".into()
            }),
            hotline_note_en: get("KP_HOTLINE_NOTE_EN").or_else(|| {
                get("KP_HOTLINE_NOTE").is_none().then(|| "Landline 6 ct/call, mobile max. 42 ct/min., Mon–Fri 07:00–18:00".into())
            }),
            contact_text: read_text(&get, "KP_CONTACT_FILE", DEFAULT_CONTACT)?,
            contact_text_en: read_english(&get, "KP_CONTACT_FILE_EN", "KP_CONTACT_FILE", DEFAULT_CONTACT_EN)?,
            imprint_text: read_text(&get, "KP_IMPRINT_FILE", DEFAULT_IMPRINT)?,
            imprint_text_en: read_english(&get, "KP_IMPRINT_FILE_EN", "KP_IMPRINT_FILE", DEFAULT_IMPRINT_EN)?,
            privacy_text: read_text(&get, "KP_PRIVACY_FILE", DEFAULT_PRIVACY)?,
            privacy_text_en: read_english(&get, "KP_PRIVACY_FILE_EN", "KP_PRIVACY_FILE", DEFAULT_PRIVACY_EN)?,
        };

        let site_root = get("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into());
        let assets = BuildAssets::read(Path::new(&site_root));
        let leptos = LeptosOptions::builder()
            .output_name(option_env!("LEPTOS_OUTPUT_NAME").unwrap_or("kundenportal"))
            .site_root(site_root.clone())
            .site_pkg_dir(get("LEPTOS_SITE_PKG_DIR").unwrap_or_else(|| "pkg".into()))
            // Leptos reads the hashed names from this file; an absolute path
            // (beside the site, not the binary) wins over its default place.
            .hash_files(assets.hashed)
            .hash_file(std::sync::Arc::from(assets.hash_file.display().to_string()))
            .site_addr(site_addr)
            .reload_port(parse_number(&get, "LEPTOS_RELOAD_PORT", 3001, 1, 65535)?)
            .env(match get("LEPTOS_ENV").as_deref() {
                Some("DEV") | Some("dev") | Some("development") => leptos::config::Env::DEV,
                _ => leptos::config::Env::PROD,
            })
            .build();

        Ok(Self {
            data_dir,
            database_url: SecretUrl::new(database_url),
            database_max_connections,
            base_url,
            smtp_url: smtp_url.map(SecretUrl::new),
            mail_from,
            mail_max_attempts,
            smtp_timeout,
            branding,
            password_policy,
            time_zone,
            default_language,
            password_max_age_days,
            password_expiry_warning_days,
            documents,
            notifications,
            users_max,
            app,
            metrics_token,
            assets,
            invitation_ttl: Duration::from_secs(u64::from(invitation_hours) * 3600),
            reset_ttl: Duration::from_secs(u64::from(reset_minutes) * 60),
            limits,
            daily_limits,
            trusted_proxies,
            leptos,
        })
    }

    /// The address mails are sent from, as a checked [`EmailAddress`].
    pub fn mail_from_address(&self) -> Option<EmailAddress> {
        EmailAddress::parse(&self.mail_from.email.to_string()).ok()
    }
}

/// `Content-Type` for a logo file, chosen by its extension.
pub fn logo_content_type(path: &std::path::Path) -> Option<&'static str> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "svg" => Some("image/svg+xml"),
        "png" => Some("image/png"),
        "jpg" | "jpeg" => Some("image/jpeg"),
        "webp" => Some("image/webp"),
        _ => None,
    }
}

fn parse_number(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u32,
    min: u32,
    max: u32,
) -> Result<u32, ConfigError> {
    match get(name) {
        None => Ok(default),
        Some(raw) => match raw.parse::<u32>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ => Err(ConfigError::new(name, format!("»{raw}« ist keine ganze Zahl von {min} bis {max}"))),
        },
    }
}

fn parse_bool(get: &impl Fn(&str) -> Option<String>, name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match get(name).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "ja" | "yes") => Ok(true),
        Some("0" | "false" | "nein" | "no") => Ok(false),
        Some(raw) => Err(ConfigError::new(name, format!("»{raw}« ist weder true noch false"))),
    }
}

fn read_text(get: &impl Fn(&str) -> Option<String>, name: &'static str, default: &str) -> Result<String, ConfigError> {
    match get(name) {
        None => Ok(default.to_owned()),
        Some(path) => std::fs::read_to_string(&path)
            .map_err(|e| ConfigError::new(name, format!("{path} kann nicht gelesen werden ({})", e.kind()))),
    }
}

/// An operator's text in English: the file `name` names; else, while the
/// German text is the built-in one (`german` unset), the built-in
/// translation; else none (English pages show the German text).
fn read_english(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    german: &str,
    default: &str,
) -> Result<Option<String>, ConfigError> {
    match get(name) {
        Some(_) => read_text(get, name, default).map(Some),
        None => Ok(get(german).is_none().then(|| default.to_owned())),
    }
}

/// Hides a password in a URL before it is shown in an error line.
pub use super::redact::{redact_url, SecretUrl};

const DEFAULT_CONTACT: &str = include_str!("../../../content/de/kontakt.txt");
const DEFAULT_IMPRINT: &str = include_str!("../../../content/de/impressum.txt");
const DEFAULT_PRIVACY: &str = include_str!("../../../content/de/datenschutz.txt");
const DEFAULT_CONTACT_EN: &str = include_str!("../../../content/en/kontakt.txt");
const DEFAULT_IMPRINT_EN: &str = include_str!("../../../content/en/impressum.txt");
const DEFAULT_PRIVACY_EN: &str = include_str!("../../../content/en/datenschutz.txt");

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    /// The operator's table (docs/OPERATIONS.md) names every setting: those
    /// `Config` asks for, and every `KP_` name in this file.
    #[test]
    fn every_setting_is_in_the_operators_table() {
        let asked = std::cell::RefCell::new(std::collections::BTreeSet::new());
        let _ = Config::from_lookup(|name| {
            asked.borrow_mut().insert(name.to_owned());
            None
        });
        let mut names = asked.into_inner();
        let source = include_str!("config.rs");
        for (at, _) in source.match_indices("\"KP_") {
            let name: String = source[at + 1..].chars().take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_').collect();
            if name.len() > "KP_".len() {
                names.insert(name);
            }
        }
        let table: Vec<&str> = include_str!("../../../docs/OPERATIONS.md").lines().filter(|line| line.starts_with("| `")).collect();
        let missing: Vec<&String> = names
            .iter()
            .filter(|name| name.starts_with("KP_") && !table.iter().any(|row| row.contains(&format!("`{name}`"))))
            .collect();
        assert!(names.len() >= 30, "only {} settings found", names.len());
        assert!(missing.is_empty(), "not in the configuration table of docs/OPERATIONS.md: {missing:?}");
    }

    #[test]
    fn defaults_run_on_one_machine() {
        let config = config(&[]).unwrap();
        assert_eq!(config.base_url, "http://127.0.0.1:3000");
        assert!(config.smtp_url.is_none());
        assert!(config.database_url.starts_with("sqlite://"));
        assert_eq!(config.mail_dir(), PathBuf::from("./data/mail"));
        assert!(!config.secure_cookies());
    }

    #[test]
    fn a_bad_value_names_the_setting() {
        for (name, value) in [
            ("KP_BASE_URL", "portal.example.com"),
            ("KP_SMTP_URL", "mail.example.com"),
            ("KP_MAIL_FROM", "kein absender"),
            ("LEPTOS_SITE_ADDR", "localhost"),
            ("KP_DATABASE_URL", "mysql://x"),
            ("KP_MAIL_MAX_ATTEMPTS", "0"),
            ("KP_LOGO_FILE", "/nirgends/logo.svg"),
            ("KP_IMPRINT_FILE", "/nirgends/impressum.txt"),
            ("KP_IMPRINT_FILE_EN", "/nirgends/imprint.txt"),
            ("KP_RESET_TTL_MINUTES", "120"),
            ("KP_TRUSTED_PROXIES", "10.0.0.1, proxy"),
            ("KP_LIMIT_LOGIN_PER_MINUTE", "0"),
            ("KP_TIME_ZONE", "Mitteleuropa"),
            ("KP_DEFAULT_LANGUAGE", "fr"),
            ("KP_PASSWORD_MAX_AGE_DAYS", "-1"),
            ("KP_METRICS_TOKEN", "kurz"),
            ("KP_SMTP_TIMEOUT_SECONDS", "0"),
            ("KP_INGEST_MAX_CONCURRENT", "0"),
            ("KP_LIMIT_ADDS_PER_USER_AND_DAY", "0"),
        ] {
            let error = config(&[(name, value)]).unwrap_err();
            assert_eq!(error.name, name);
            assert!(error.to_string().starts_with(&format!("Konfigurationsfehler: {name}: ")));
        }
    }

    #[test]
    fn smtp_passwords_are_not_echoed() {
        let error = config(&[("KP_SMTP_URL", "smtpx://user:geheim@mail.example.com")]).unwrap_err();
        assert!(!error.to_string().contains("geheim"), "{error}");
    }

    #[test]
    fn origin_strips_the_path() {
        let config = config(&[("KP_BASE_URL", "https://portal.example.com/kunden/")]).unwrap();
        assert_eq!(config.base_url, "https://portal.example.com/kunden");
        assert_eq!(config.origin(), "https://portal.example.com");
        assert!(config.secure_cookies());
    }

    #[test]
    fn origins_compare_as_browsers_send_them() {
        let config = config(&[("KP_BASE_URL", "https://Portal.Example.COM:443/kunden")]).unwrap();
        assert_eq!(config.origin(), "https://portal.example.com");
        assert_eq!(normalized_origin("HTTPS://portal.example.com:443").as_deref(), Some("https://portal.example.com"));
        assert_eq!(normalized_origin("http://127.0.0.1:3000").as_deref(), Some("http://127.0.0.1:3000"));
        assert_eq!(normalized_origin("https://portal.example.com:8443").as_deref(), Some("https://portal.example.com:8443"));
        assert_eq!(normalized_origin("null"), None);
        assert_eq!(normalized_origin("file:///etc/passwd"), None);
    }
}
