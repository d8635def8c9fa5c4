use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use crate::domain::UnixTime;

/// The time source of the portal. Tests set and advance it to
/// check expiries and timeouts without sleeping.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    fixed: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Self {
        Self { fixed: None }
    }

    /// A clock that stands still at `unix_seconds` until advanced.
    pub fn fixed(at: UnixTime) -> Self {
        Self { fixed: Some(Arc::new(AtomicI64::new(at.seconds()))) }
    }

    pub fn now(&self) -> UnixTime {
        match &self.fixed {
            Some(at) => UnixTime::from_seconds(at.load(Ordering::SeqCst)),
            None => UnixTime::from_seconds(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs() as i64)
                    .unwrap_or_default(),
            ),
        }
    }

    /// Moves a fixed clock forward; a system clock ignores it.
    pub fn advance(&self, seconds: i64) {
        if let Some(at) = &self.fixed {
            at.fetch_add(seconds, Ordering::SeqCst);
        }
    }
}
