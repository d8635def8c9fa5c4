//! Argon2 off the async executor, behind a semaphore sized to the cores and
//! a bounded queue: when the queue is full the answer is 503 at once instead
//! of a request that waits behind hundreds of others.

use super::AuthError;
use crate::server::crypto::{self, PasswordHashString, Verification};
use crate::server::state::AppState;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use std::sync::Arc;

/// A place in the hashing queue, taken before anything else about a
/// password is decided: a request the server is too busy for is answered
/// 503 before it could count as a failed try.
pub struct HashingSlot {
    queued: OwnedSemaphorePermit,
    running: Arc<Semaphore>,
    metrics: Arc<crate::server::metrics::Metrics>,
}

/// Takes a place in the queue, or [`AuthError::Busy`] when it is full.
pub fn reserve(state: &AppState) -> Result<HashingSlot, AuthError> {
    let queued = state.hashing_queue.clone().try_acquire_owned().map_err(|_| {
        tracing::warn!("password hashing queue full; answering 503");
        state.metrics.refused_sign_in("busy");
        AuthError::Busy
    })?;
    Ok(HashingSlot { queued, running: state.hashing.clone(), metrics: state.metrics.clone() })
}

impl HashingSlot {
    async fn run<T: Send + 'static>(self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AuthError> {
        let running = self.running.acquire_owned().await.map_err(|_| AuthError::Busy)?;
        let queued = self.queued;
        Ok(tokio::task::spawn_blocking(move || {
            let _slots = (queued, running);
            work()
        })
        .await?)
    }

    pub async fn verify(self, password: &str, stored: PasswordHashString) -> Result<Verification, AuthError> {
        let password = password.to_owned();
        self.metrics.password_checks.inc();
        self.run(move || crypto::verify_password(&password, &stored)).await
    }

    pub async fn hash(self, password: &str) -> Result<PasswordHashString, AuthError> {
        let password = password.to_owned();
        self.run(move || crypto::hash_password(&password)).await
    }
}

pub async fn verify(state: &AppState, password: &str, stored: PasswordHashString) -> Result<Verification, AuthError> {
    reserve(state)?.verify(password, stored).await
}

pub async fn hash(state: &AppState, password: &str) -> Result<PasswordHashString, AuthError> {
    reserve(state)?.hash(password).await
}
