use super::storage::{DocumentStore, StorageError};
use super::clock::Clock;
use super::config::Config;
use super::crypto::{hash_password, PasswordHashString};
use super::db::Pool;
use super::limits::RateLimits;
use super::mail::{MailTemplates, MailTransport, Outbox, OutboxWorker};
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Everything a request needs, built once at start and handed to the router,
/// the server functions (as context) and the CLI.
#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
    pub clock: Clock,
    /// Queues mail in the caller's transaction and wakes the worker after it commits.
    pub outbox: Outbox,
    pub mail_transport: Arc<MailTransport>,
    /// Bounds concurrent Argon2 work to the number of cores.
    pub hashing: Arc<Semaphore>,
    /// Bounds how many password checks may wait for [`AppState::hashing`];
    /// beyond that the answer is 503 with Retry-After instead of a stall.
    pub hashing_queue: Arc<Semaphore>,
    pub rate_limits: Arc<RateLimits>,
    /// Work that goes on after its request was answered (so that the answer
    /// takes the same time whatever the work finds); awaited at shutdown.
    pub background: tokio_util::task::TaskTracker,
    /// Verified against when a user does not exist, so that unknown names
    /// take as long as known ones.
    pub dummy_hash: Arc<PasswordHashString>,
    /// The documents' files (`KP_STORAGE_URL`).
    pub documents: DocumentStore,
    /// Uploads to the ingest API read at once (`KP_INGEST_MAX_CONCURRENT`)…
    pub ingest_slots: Arc<Semaphore>,
    /// …and those plus the ones that may wait for a slot (`KP_INGEST_MAX_WAITING`).
    pub ingest_line: Arc<Semaphore>,
    /// MiB of uploads read for an e-invoice at once ([`EINVOICE_READING_MIB`]).
    pub einvoice_reading: Arc<Semaphore>,
    /// Counters and histograms for `GET /metrics`.
    pub metrics: Arc<super::metrics::Metrics>,
}

/// How many MiB of uploads are read for an e-invoice at once. A PDF is read
/// whole, and lopdf's objects take as much again or more: without a bound,
/// four 20 MB uploads at once held some 250 MB; with it, large ones wait
/// their turn and small ones pass side by side.
pub const EINVOICE_READING_MIB: u32 = 24;

/// What can stop the state from being built: the configuration names
/// something that cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("KP_SMTP_URL: der SMTP-Versand kann nicht eingerichtet werden")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("KP_STORAGE_URL: {0}")]
    Storage(#[from] StorageError),
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
    pub fn new(pool: Pool, config: Config, clock: Clock) -> Result<Self, StateError> {
        let mail_transport = match &config.smtp_url {
            Some(url) => MailTransport::smtp(url, config.smtp_timeout)?,
            None => MailTransport::folder(config.mail_dir()),
        };
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let rate_limits = Arc::new(RateLimits::new(config.limits));
        let documents = DocumentStore::open(&config.documents.storage_url)?;
        let ingest_slots = config.documents.ingest_max_concurrent as usize;
        let ingest_line = ingest_slots + config.documents.ingest_max_waiting as usize;
        Ok(Self {
            pool,
            leptos_options: config.leptos.clone(),
            config: Arc::new(config),
            clock,
            outbox: Outbox::new(MailTemplates::new()),
            mail_transport: Arc::new(mail_transport),
            hashing: Arc::new(Semaphore::new(cores)),
            hashing_queue: Arc::new(Semaphore::new(cores * HASHING_QUEUE_PER_CORE)),
            rate_limits,
            background: tokio_util::task::TaskTracker::new(),
            dummy_hash: Arc::new(hash_password("dummy-password-for-equal-timing-0")),
            documents,
            ingest_slots: Arc::new(Semaphore::new(ingest_slots)),
            ingest_line: Arc::new(Semaphore::new(ingest_line)),
            einvoice_reading: Arc::new(Semaphore::new(EINVOICE_READING_MIB as usize)),
            metrics: Arc::new(super::metrics::Metrics::default()),
        })
    }

    pub fn outbox_worker(&self) -> OutboxWorker {
        OutboxWorker::new(
            self.pool.clone(),
            self.mail_transport.clone(),
            self.documents.clone(),
            self.clock.clone(),
            self.config.mail_from.clone(),
            self.config.mail_max_attempts,
            self.config.smtp_timeout,
            self.outbox.wake_signal(),
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
