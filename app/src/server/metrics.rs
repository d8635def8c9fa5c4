//! What the operator's monitoring reads from `GET /metrics` (Prometheus'
//! OpenMetrics text, by the `prometheus-client` crate): requests by route
//! and status, their latency, refused sign-ins, password checks, job runs,
//! and — read from the database when scraped — the outbox's depth and the
//! age of its oldest waiting mail. One registry per [`AppState`], no global
//! recorder: tests read the counters of their own app.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use crate::domain::UnixTime;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The route as registered (`/dokumente/{id}/pdf`), never the address
    /// as sent: the set of values stays small whatever clients send.
    pub route: String,
    pub method: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabels {
    pub reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobLabels {
    pub job: &'static str,
    pub outcome: &'static str,
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub latency: Family<RouteLabels, Histogram>,
    /// Sign-ins refused, by why: wrong name or password, a name that must wait, a busy server, a limit.
    pub sign_in_refusals: Family<ReasonLabels, Counter>,
    /// Argon2 verifications, the dummy ones for unknown, inactive and waiting names included.
    pub password_checks: Counter,
    pub job_runs: Family<JobLabels, Counter>,
    pub outbox_queued: Gauge,
    pub outbox_oldest_seconds: Gauge,
    pub outbox_dead: Gauge,
    pub db_connections_in_use: Gauge,
}

fn latency_histogram() -> Histogram {
    // 1 ms … ~16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("kundenportal");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> Histogram);
        let sign_in_refusals = Family::<ReasonLabels, Counter>::default();
        let password_checks = Counter::default();
        let job_runs = Family::<JobLabels, Counter>::default();
        let (outbox_queued, outbox_oldest_seconds, outbox_dead) = (Gauge::default(), Gauge::default(), Gauge::default());
        let db_connections_in_use = Gauge::default();
        registry.register("http_requests", "HTTP requests answered, by route, method and status", requests.clone());
        registry.register("http_request_duration_seconds", "Time until the answer's headers, by route", latency.clone());
        registry.register("sign_in_refusals", "Sign-ins refused, by reason", sign_in_refusals.clone());
        registry.register("password_checks", "Argon2 password verifications (dummy ones included)", password_checks.clone());
        registry.register("job_runs", "Repeating jobs run by this instance, by job and outcome", job_runs.clone());
        registry.register("mail_outbox_queued", "Mails waiting in the outbox", outbox_queued.clone());
        registry.register("mail_outbox_oldest_queued_seconds", "Age of the oldest mail waiting in the outbox", outbox_oldest_seconds.clone());
        registry.register("mail_outbox_dead", "Mails given up as undeliverable", outbox_dead.clone());
        registry.register(
            "db_connections_in_use",
            "Database connections of this instance taken from its pool (KP_DATABASE_MAX_CONNECTIONS at most)",
            db_connections_in_use.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            sign_in_refusals,
            password_checks,
            job_runs,
            outbox_queued,
            outbox_oldest_seconds,
            outbox_dead,
            db_connections_in_use,
        }
    }
}

impl Metrics {
    pub fn refused_sign_in(&self, reason: &'static str) {
        self.sign_in_refusals.get_or_create(&ReasonLabels { reason }).inc();
    }

    pub fn job_ran(&self, job: &'static str, ok: bool) {
        self.job_runs.get_or_create(&JobLabels { job, outcome: if ok { "ok" } else { "failed" } }).inc();
    }

    /// Reads the outbox's state from the database into the gauges, then
    /// writes everything in the OpenMetrics text format.
    pub async fn render(&self, pool: &super::db::Pool, now: UnixTime) -> Result<String, sqlx::Error> {
        let (queued, oldest, dead): (i64, Option<UnixTime>, i64) = super::db::query_as(
            "SELECT CAST(COALESCE(SUM(CASE WHEN status = $1 THEN 1 ELSE 0 END), 0) AS BIGINT), \
                    MIN(CASE WHEN status = $1 THEN created_at END), \
                    CAST(COALESCE(SUM(CASE WHEN status = $2 THEN 1 ELSE 0 END), 0) AS BIGINT) FROM mail_outbox",
        )
        .bind(super::mail::MailStatus::Queued)
        .bind(super::mail::MailStatus::Dead)
        .fetch_one(pool)
        .await?;
        self.outbox_queued.set(queued);
        self.outbox_oldest_seconds.set(oldest.map_or(0, |at| (now - at).max(0)));
        self.outbox_dead.set(dead);
        // Without the connection this query used: it is back in the pool.
        self.db_connections_in_use.set(i64::from(pool.connections_in_use()));
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry).expect("writing into a String does not fail");
        Ok(text)
    }
}
