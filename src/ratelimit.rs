//! A rate limiter keyed by string (IP address, email address) over `governor`'s GCRA: up to
//! `limit` hits at once, then one more each `window / limit` (after a full quiet window, the
//! whole allowance is back); and a budget of bytes shared by concurrent work (request bodies in
//! memory).

use governor::clock::Clock;
use governor::nanos::Nanos;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{AcquireError, OwnedSemaphorePermit, Semaphore};

/// Keys the limiter forgets once they are idle, past this many.
const MAX_KEYS: usize = 100_000;

/// The time of the hit being checked: the caller's clock (the app's, which tests control), not
/// the machine's.
#[derive(Clone, Default)]
struct CallerClock(Arc<AtomicU64>);

impl Clock for CallerClock {
    type Instant = Nanos;
    fn now(&self) -> Nanos {
        Nanos::from(self.0.load(Ordering::Relaxed))
    }
}

type Keyed = governor::RateLimiter<
    String,
    governor::state::keyed::DefaultKeyedStateStore<String>,
    CallerClock,
    governor::middleware::NoOpMiddleware<Nanos>,
>;

pub struct RateLimiter {
    limiter: Keyed,
    clock: CallerClock,
    /// One hit is checked at a time, at its own time.
    turn: Mutex<()>,
}

impl RateLimiter {
    pub fn new(limit: u32, window_ms: i64) -> Self {
        let limit = NonZeroU32::new(limit).unwrap_or(NonZeroU32::MIN);
        let per_hit = Duration::from_millis((window_ms.max(1) as u64).div_ceil(limit.get() as u64));
        let quota = governor::Quota::with_period(per_hit)
            .unwrap_or_else(|| governor::Quota::per_second(limit))
            .allow_burst(limit);
        let clock = CallerClock::default();
        RateLimiter {
            limiter: governor::RateLimiter::new(quota, Default::default(), clock.clone()),
            clock,
            turn: Mutex::new(()),
        }
    }

    /// Counts one hit for `key` at `now` (ms). `Err(seconds)` says how long until the next hit
    /// is allowed.
    pub fn hit(&self, key: &str, now: i64) -> Result<(), u64> {
        let _turn = self.turn.lock().unwrap_or_else(|p| p.into_inner());
        let at = Nanos::from(Duration::from_millis(now.max(0) as u64));
        self.clock.0.store(u64::from(at), Ordering::Relaxed);
        if self.limiter.len() > MAX_KEYS {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&key.to_string())
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(self.clock.now());
                wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
            })
            .map(|_| ())
            .map_err(|secs| secs.max(1))
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

    #[test]
    fn says_when_the_next_hit_is_allowed() {
        // Three an hour: after three at once, one more every 20 minutes.
        let rl = RateLimiter::new(3, 3_600_000);
        for _ in 0..3 {
            assert!(rl.hit("ip", 0).is_ok());
        }
        assert_eq!(rl.hit("ip", 0), Err(1200));
        assert_eq!(rl.hit("ip", 600_000), Err(600));
        assert!(rl.hit("ip", 1_200_000).is_ok());
        assert_eq!(rl.hit("ip", 1_200_001), Err(1200));
    }
}
