//! Argon2 off the async executor, behind a semaphore sized to the cores and
//! a bounded queue: when the queue is full the answer is 503 at once instead
//! of a request that waits behind hundreds of others.

use super::AuthError;
use crate::server::crypto::{self, PasswordHashString, Verification};
use crate::server::state::AppState;

async fn run<T: Send + 'static>(state: &AppState, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AuthError> {
    let queued = state.hashing_queue.clone().try_acquire_owned().map_err(|_| {
        tracing::warn!("password hashing queue full; answering 503");
        AuthError::Busy
    })?;
    let running = state.hashing.clone().acquire_owned().await.map_err(|_| AuthError::Busy)?;
    Ok(tokio::task::spawn_blocking(move || {
        let _slots = (queued, running);
        work()
    })
    .await?)
}

pub async fn verify(state: &AppState, password: &str, stored: PasswordHashString) -> Result<Verification, AuthError> {
    let password = password.to_owned();
    run(state, move || crypto::verify_password(&password, &stored)).await
}

pub async fn hash(state: &AppState, password: &str) -> Result<PasswordHashString, AuthError> {
    let password = password.to_owned();
    run(state, move || crypto::hash_password(&password)).await
}
