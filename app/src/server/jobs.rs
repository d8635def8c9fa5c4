//! Work outside requests: steps that run once at start, before the first
//! request, and jobs that repeat while the portal serves. Features register
//! their own (`register_jobs` in their `ssr` part); the crate root collects
//! them ([`crate::jobs`]), so this layer knows no feature.

use super::db::{self, Pool};
use super::state::AppState;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use crate::domain::UnixTime;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type JobFuture = Pin<Box<dyn Future<Output = Result<(), BoxError>> + Send>>;
type JobFn = Arc<dyn Fn(AppState) -> JobFuture + Send + Sync>;

/// A start-up step that failed; the portal does not start without it.
#[derive(Debug, thiserror::Error)]
#[error("Startschritt »{name}« fehlgeschlagen")]
pub struct StartupError {
    pub name: &'static str,
    #[source]
    pub source: BoxError,
}

#[derive(Default, Clone)]
pub struct Jobs {
    at_start: Vec<(&'static str, JobFn)>,
    repeating: Vec<(&'static str, Duration, JobFn)>,
}

fn boxed<F, Fut, E>(job: F) -> JobFn
where
    F: Fn(AppState) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: std::error::Error + Send + Sync + 'static,
{
    Arc::new(move |state| {
        let future = job(state);
        Box::pin(async move { future.await.map_err(|error| Box::new(error) as BoxError) })
    })
}

impl Jobs {
    /// `job` runs at every start (server and CLI alike), in the order registered.
    pub fn at_start<F, Fut, E>(&mut self, name: &'static str, job: F)
    where
        F: Fn(AppState) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: std::error::Error + Send + Sync + 'static,
    {
        self.at_start.push((name, boxed(job)));
    }

    /// `job` runs every `period` while the server runs, the first time at once.
    pub fn every<F, Fut, E>(&mut self, name: &'static str, period: Duration, job: F)
    where
        F: Fn(AppState) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
        E: std::error::Error + Send + Sync + 'static,
    {
        self.repeating.push((name, period, boxed(job)));
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.at_start.iter().map(|(name, _)| *name).chain(self.repeating.iter().map(|(name, ..)| *name)).collect()
    }

    pub async fn run_at_start(&self, state: &AppState) -> Result<(), StartupError> {
        for (name, job) in &self.at_start {
            job(state.clone()).await.map_err(|source| StartupError { name, source })?;
        }
        Ok(())
    }

    /// Runs the job `name` once now, as its timer would (tests, operators).
    pub async fn run_now(&self, name: &str, state: &AppState) -> Result<(), StartupError> {
        let all = self.at_start.iter().map(|(n, job)| (*n, job)).chain(self.repeating.iter().map(|(n, _, job)| (*n, job)));
        for (job_name, job) in all {
            if job_name == name {
                return job(state.clone()).await.map_err(|source| StartupError { name: job_name, source });
            }
        }
        Err(StartupError { name: "unknown", source: format!("no job named {name}").into() })
    }

    /// Starts every repeating job on the runtime. Several instances of the
    /// portal share the work through the database: a job runs once per
    /// period (the UTC hour or day it falls in) on whichever instance claims
    /// that period first ([`claim_period`]); the others skip it. A failed
    /// round is logged and given back, so the next tick (on any instance)
    /// tries again.
    pub fn spawn_repeating(&self, state: &AppState) {
        let owner = super::crypto::hex(&super::crypto::random_bytes::<8>());
        for (name, period, job) in self.repeating.clone() {
            let state = state.clone();
            let owner = owner.clone();
            tokio::spawn(async move {
                let mut interval = tokio::time::interval(tick_for(period));
                interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    interval.tick().await;
                    if let Err(error) = run_once_per_period(&state, name, period, &job, &owner).await {
                        tracing::error!(job = name, error = %error, "job failed; it runs again next time");
                    }
                }
            });
        }
    }
}

/// How often an instance looks whether a job's period is still unclaimed.
fn tick_for(period: Duration) -> Duration {
    (period / 12).clamp(Duration::from_secs(60), Duration::from_secs(15 * 60))
}

/// How long a claim holds before another instance may take the period over
/// (the claiming instance died). Jobs are written to be safe if this happens
/// while a very long round still runs.
const LEASE_SECONDS: i64 = 60 * 60;

async fn run_once_per_period(state: &AppState, name: &'static str, period: Duration, job: &JobFn, owner: &str) -> Result<(), BoxError> {
    let now = state.clock.now();
    let slot = now.seconds() / i64::try_from(period.as_secs()).unwrap_or(i64::MAX).max(1);
    if !claim_period(&state.pool, name, slot, owner, now).await? {
        return Ok(());
    }
    let outcome = job(state.clone()).await;
    state.metrics.job_ran(name, outcome.is_ok());
    match outcome {
        Ok(()) => {
            finish_period(&state.pool, name, slot, owner, state.clock.now()).await?;
            Ok(())
        }
        Err(error) => {
            release_period(&state.pool, name, slot, owner).await?;
            Err(error)
        }
    }
}

/// Claims `slot` of the job `name` for `owner`; false when another instance
/// has it (running or done). Portable: one upsert decides on both databases.
pub async fn claim_period(pool: &Pool, name: &str, slot: i64, owner: &str, now: UnixTime) -> Result<bool, sqlx::Error> {
    let claimed = db::query(
        "INSERT INTO job_runs (job, slot, owner, started_at, lease_until) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (job, slot) DO UPDATE SET owner = excluded.owner, started_at = excluded.started_at, \
             lease_until = excluded.lease_until \
         WHERE job_runs.finished_at IS NULL AND job_runs.lease_until < $4",
    )
    .bind(name)
    .bind(slot)
    .bind(owner)
    .bind(now)
    .bind(now + LEASE_SECONDS)
    .execute(pool)
    .await?;
    Ok(claimed.rows_affected() == 1)
}

async fn finish_period(pool: &Pool, name: &str, slot: i64, owner: &str, now: UnixTime) -> Result<(), sqlx::Error> {
    db::query("UPDATE job_runs SET finished_at = $1 WHERE job = $2 AND slot = $3 AND owner = $4")
        .bind(now)
        .bind(name)
        .bind(slot)
        .bind(owner)
        .execute(pool)
        .await?;
    // The last few periods are enough to see who ran what.
    db::query("DELETE FROM job_runs WHERE job = $1 AND slot < $2").bind(name).bind(slot - 60).execute(pool).await?;
    Ok(())
}

async fn release_period(pool: &Pool, name: &str, slot: i64, owner: &str) -> Result<(), sqlx::Error> {
    db::query("UPDATE job_runs SET lease_until = 0 WHERE job = $1 AND slot = $2 AND owner = $3 AND finished_at IS NULL")
        .bind(name)
        .bind(slot)
        .bind(owner)
        .execute(pool)
        .await?;
    Ok(())
}
