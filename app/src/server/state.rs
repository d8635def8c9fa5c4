use super::clock::Clock;
use super::config::Config;
use super::crypto::{hash_password, PasswordHashString};
use super::db::Pool;
use super::limits::RateLimits;
use super::mail::{MailTemplates, MailTransport, OutboxWorker};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;
use tokio::sync::{Notify, Semaphore};

/// Everything a request needs, built once at start and handed to the router,
/// the server functions (as context) and the CLI.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
    pub clock: Clock,
    pub mail_templates: Arc<MailTemplates>,
    pub mail_transport: Arc<MailTransport>,
    /// Wakes the outbox worker when a mail was queued.
    pub outbox_wake: Arc<Notify>,
    /// Bounds concurrent Argon2 work to the number of cores.
    pub hashing: Arc<Semaphore>,
    /// Bounds how many password checks may wait for [`AppState::hashing`];
    /// beyond that the answer is 503 with Retry-After instead of a stall.
    pub hashing_queue: Arc<Semaphore>,
    pub rate_limits: Arc<RateLimits>,
    /// Verified against when a user does not exist, so that unknown names
    /// take as long as known ones.
    pub dummy_hash: Arc<PasswordHashString>,
}

/// Password checks that may be admitted per core (running or waiting); one
/// check takes ~50 ms, so a full queue drains in well under a second.
const HASHING_QUEUE_PER_CORE: usize = 8;

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    pub fn new(pool: Pool, config: Config, clock: Clock) -> Result<Self, lettre::transport::smtp::Error> {
        let mail_transport = match &config.smtp_url {
            Some(url) => MailTransport::smtp(url)?,
            None => MailTransport::folder(config.mail_dir()),
        };
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let rate_limits = Arc::new(RateLimits::new(config.limits));
        Ok(Self {
            pool,
            leptos_options: config.leptos.clone(),
            config: Arc::new(config),
            clock,
            mail_templates: Arc::new(MailTemplates::new()),
            mail_transport: Arc::new(mail_transport),
            outbox_wake: Arc::new(Notify::new()),
            hashing: Arc::new(Semaphore::new(cores)),
            hashing_queue: Arc::new(Semaphore::new(cores * HASHING_QUEUE_PER_CORE)),
            rate_limits,
            dummy_hash: Arc::new(hash_password("dummy-password-for-equal-timing-0")),
        })
    }

    /// What the database must hold for this configuration before the first
    /// request: the privacy notice (version 1 on a new database) and when the
    /// maximum password age was turned on. Run at every start.
    pub async fn prepare_database(&self) -> Result<(), sqlx::Error> {
        let now = self.clock.now();
        crate::legal::ssr::ensure_privacy_notice(&self.pool, &self.config.branding.privacy_text, now).await?;
        crate::auth::ssr::expiry::record_max_age_start(&self.pool, self.config.password_max_age_days, now).await
    }

    pub fn outbox_worker(&self) -> OutboxWorker {
        OutboxWorker::new(
            self.pool.clone(),
            self.mail_transport.clone(),
            self.clock.clone(),
            self.config.mail_from.clone(),
            self.config.mail_max_attempts,
            self.outbox_wake.clone(),
        )
    }

    /// The values every mail template may use.
    pub fn mail_base_context(&self) -> minijinja::Value {
        minijinja::context! {
            operator_name => self.config.branding.operator_name.clone(),
            hotline => self.config.branding.hotline.clone(),
            base_url => self.config.base_url.clone(),
        }
    }
}
