//! Exponential backoff with jitter for createTask retries, as pure functions.
//!
//! The jitter comes from a small xorshift generator that the solver owns and the caller seeds, so
//! a test replays the same delays and two front ends seeded differently do not retry in step.

use std::time::Duration;

/// How createTask is retried when the service says, for certain, that nothing was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// The most createTask requests one solve sends, the first included. 1 turns retries off.
    pub max_attempts: u32,
    /// The delay before the first retry, before jitter.
    pub base_delay: Duration,
    /// The longest delay between two attempts, before jitter.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Four attempts; 2 s, 4 s, then 8 s between them (each jittered down to as little as half).
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// A policy of `max_attempts` attempts with the default delays.
    pub fn new(max_attempts: u32) -> Self {
        Self {
            max_attempts: max_attempts.max(1),
            ..Self::default()
        }
    }

    /// Sets the base and the largest delay.
    #[must_use]
    pub fn with_delays(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = max.max(base);
        self
    }

    /// The delay after failed attempt number `attempt` (1 for the first request), with `random`
    /// as the jitter source. See [`backoff_delay`].
    pub fn delay(&self, attempt: u32, random: u64) -> Duration {
        backoff_delay(attempt, self.base_delay, self.max_delay, random)
    }
}

/// "Equal jitter" exponential backoff: the nominal delay `base * 2^(attempt-1)`, capped at `max`,
/// of which the first half is always waited and the second half is scaled by `random`.
///
/// Keeping half of the delay fixed means a retry never comes back at once, and the random half
/// spreads many clients that failed together.
pub fn backoff_delay(attempt: u32, base: Duration, max: Duration, random: u64) -> Duration {
    let shift = attempt.saturating_sub(1).min(20);
    let nominal = base.saturating_mul(1 << shift).min(max);
    let half = nominal / 2;
    let spread = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
    let extra = if spread == 0 {
        0
    } else {
        random % spread.saturating_add(1)
    };
    half + Duration::from_nanos(extra)
}

/// A xorshift64* generator: tiny, fast, and good enough for jitter. Not for anything secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jitter {
    state: u64,
}

impl Jitter {
    /// A generator seeded with `seed` (0 is replaced by a fixed non-zero constant).
    pub fn new(seed: u64) -> Self {
        Self {
            state: if seed == 0 {
                0x9E37_79B9_7F4A_7C15
            } else {
                seed
            },
        }
    }

    /// The next value.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_stay_within_bounds_and_cap() {
        let base = Duration::from_secs(2);
        let max = Duration::from_secs(20);
        let mut rng = Jitter::new(7);
        for attempt in 1..=10 {
            let nominal = (base * 2u32.pow((attempt - 1).min(10))).min(max);
            for _ in 0..50 {
                let d = backoff_delay(attempt, base, max, rng.next_u64());
                assert!(d >= nominal / 2 && d <= nominal, "{attempt}: {d:?}");
            }
        }
        assert_eq!(backoff_delay(1, base, max, 0), Duration::from_secs(1));
        assert_eq!(backoff_delay(3, base, max, 0), Duration::from_secs(4));
        assert_eq!(backoff_delay(40, base, max, 0), Duration::from_secs(10));
        assert_eq!(backoff_delay(1, Duration::ZERO, max, 99), Duration::ZERO);
        // Absurd settings do not overflow.
        let huge = backoff_delay(64, Duration::MAX, Duration::MAX, u64::MAX);
        assert!(huge >= Duration::MAX / 2);
    }

    #[test]
    fn jitter_is_deterministic_per_seed() {
        let a: Vec<u64> = (0..4)
            .scan(Jitter::new(1), |r, _| Some(r.next_u64()))
            .collect();
        let b: Vec<u64> = (0..4)
            .scan(Jitter::new(1), |r, _| Some(r.next_u64()))
            .collect();
        let c: Vec<u64> = (0..4)
            .scan(Jitter::new(2), |r, _| Some(r.next_u64()))
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(Jitter::new(0).next_u64(), 0);
    }
}
