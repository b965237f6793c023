//! A small fixed-window rate limiter keyed by string (IP address, email address), and a budget
//! of bytes shared by concurrent work (request bodies in memory).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{AcquireError, OwnedSemaphorePermit, Semaphore};

pub struct RateLimiter {
    limit: u32,
    window_ms: i64,
    hits: Mutex<HashMap<String, (i64, u32)>>,
}

impl RateLimiter {
    pub fn new(limit: u32, window_ms: i64) -> Self {
        RateLimiter {
            limit,
            window_ms,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one hit for `key`. `Err(seconds)` says how long until the next hit is allowed.
    pub fn hit(&self, key: &str, now: i64) -> Result<(), u64> {
        let mut hits = self.hits.lock().unwrap_or_else(|p| p.into_inner());
        if hits.len() > 100_000 {
            hits.retain(|_, (start, _)| now - *start < self.window_ms);
        }
        let entry = hits.entry(key.to_string()).or_insert((now, 0));
        if now - entry.0 >= self.window_ms {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            let wait_ms = entry.0 + self.window_ms - now;
            return Err((wait_ms.max(1000) / 1000) as u64);
        }
        entry.1 += 1;
        Ok(())
    }
}

/// The bytes of request bodies that may be in memory at once, counted in KiB.
pub struct ByteBudget {
    kib: Arc<Semaphore>,
    total_kib: u32,
}

impl ByteBudget {
    pub fn new(bytes: usize) -> Self {
        let total_kib = (bytes / 1024).clamp(1, u32::MAX as usize) as u32;
        ByteBudget {
            kib: Arc::new(Semaphore::new(total_kib as usize)),
            total_kib,
        }
    }

    /// Waits until `kib` KiB are free (at most the whole budget, so any request can proceed
    /// alone) and holds them until the permit is dropped.
    pub async fn reserve_kib(&self, kib: usize) -> Result<OwnedSemaphorePermit, AcquireError> {
        let kib = kib.clamp(1, self.total_kib as usize) as u32;
        self.kib.clone().acquire_many_owned(kib).await
    }

    /// KiB free now (for metrics and tests).
    pub fn available_kib(&self) -> usize {
        self.kib.available_permits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_then_resets_after_the_window() {
        let rl = RateLimiter::new(2, 1000);
        assert!(rl.hit("a", 0).is_ok());
        assert!(rl.hit("a", 10).is_ok());
        assert!(rl.hit("a", 20).is_err());
        assert!(rl.hit("b", 20).is_ok());
        assert!(rl.hit("a", 30).is_err(), "still over the limit");
        assert!(rl.hit("a", 1001).is_ok());
        assert!(rl.hit("a", 1002).is_ok());
        assert!(rl.hit("a", 1003).is_err());
    }
}
