//! Work outside requests: steps that run once at start, before the first
//! request, and jobs that repeat while the portal serves. Features register
//! their own (`register_jobs` in their `ssr` part); the crate root collects
//! them ([`crate::jobs`]), so this layer knows no feature.

use super::state::AppState;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

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

    /// Starts every repeating job on the runtime; a failed round is logged
    /// and the next one comes as planned.
    pub fn spawn_repeating(&self, state: &AppState) {
        for (name, period, job) in self.repeating.clone() {
            let state = state.clone();
            tokio::spawn(async move {
                let mut interval = tokio::time::interval(period);
                interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    interval.tick().await;
                    if let Err(error) = job(state.clone()).await {
                        tracing::error!(job = name, error = %error, "job failed; it runs again next time");
                    }
                }
            });
        }
    }
}
