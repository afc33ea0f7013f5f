//! Adaptive first-poll timing, learnt from the solves a client has completed.
//!
//! The default table polls a reCAPTCHA v3 task (documented at 10-30 s) from the first second,
//! so most of its early polls are wasted. [`AdaptiveTiming`] keeps a bounded window of recent
//! solve times per task kind, and moves the first poll to a low quantile of them (the 10th
//! percentile by default): only the fastest tenth of tasks are ready before it, and those wait
//! at most the gap to it, while every poll it skips was one that would have found the task
//! still processing. After the first poll the table's interval applies as before.
//!
//! It is a plain value with `&mut self` methods. A front end that shares it between solves wraps
//! it in its own `Mutex`:
//!
//! ```
//! use std::time::Duration;
//! use capmonster_proto::task::TaskKind;
//! use capmonster_proto::solver::AdaptiveTiming;
//!
//! let mut learnt = AdaptiveTiming::new().with_min_samples(3);
//! assert_eq!(learnt.first_delay(TaskKind::RecaptchaV3), None);
//! for s in [12, 15, 20] {
//!     learnt.record(TaskKind::RecaptchaV3, Duration::from_secs(s));
//! }
//! assert_eq!(learnt.first_delay(TaskKind::RecaptchaV3), Some(Duration::from_secs(12)));
//! ```

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use crate::task::TaskKind;

/// Solve times learnt per task kind, and the first-poll delay they suggest.
#[derive(Debug, Clone, PartialEq)]
pub struct AdaptiveTiming {
    window: usize,
    min_samples: usize,
    quantile: f64,
    samples: BTreeMap<TaskKind, VecDeque<Duration>>,
}

impl Default for AdaptiveTiming {
    fn default() -> Self {
        Self::new()
    }
}

impl AdaptiveTiming {
    /// An empty record: a window of the last 64 solves per kind, used once it holds 8, at the
    /// 10th percentile.
    pub fn new() -> Self {
        Self {
            window: 64,
            min_samples: 8,
            quantile: 0.1,
            samples: BTreeMap::new(),
        }
    }

    /// Keeps the last `window` solve times per kind (at least 1).
    #[must_use]
    pub fn with_window(mut self, window: usize) -> Self {
        self.window = window.max(1);
        self.min_samples = self.min_samples.min(self.window);
        self
    }

    /// Suggests nothing for a kind until it has `n` solve times (at least 1, at most the window).
    #[must_use]
    pub fn with_min_samples(mut self, n: usize) -> Self {
        self.min_samples = n.clamp(1, self.window);
        self
    }

    /// Times the first poll at quantile `q` of the recorded solve times (clamped to 0..=1). Lower
    /// is safer for latency; higher saves more polls and delays the fastest tasks.
    #[must_use]
    pub fn with_quantile(mut self, q: f64) -> Self {
        self.quantile = if q.is_nan() { 0.1 } else { q.clamp(0.0, 1.0) };
        self
    }

    /// Records how long a task of `kind` took to solve. Use
    /// [`Solved::solve_time_estimate`](crate::solver::Solved::solve_time_estimate), or
    /// [`AdaptiveTiming::record_solved`].
    pub fn record(&mut self, kind: TaskKind, solve_time: Duration) {
        let window = self.samples.entry(kind).or_default();
        if window.len() == self.window {
            window.pop_front();
        }
        window.push_back(solve_time);
    }

    /// Records a completed solve.
    pub fn record_solved(&mut self, solved: &crate::solver::Solved) {
        self.record(solved.kind, solved.solve_time_estimate());
    }

    /// How many solve times are held for `kind`.
    pub fn samples(&self, kind: TaskKind) -> usize {
        self.samples.get(&kind).map_or(0, VecDeque::len)
    }

    /// The suggested first-poll delay for `kind`, once enough solves are recorded.
    pub fn first_delay(&self, kind: TaskKind) -> Option<Duration> {
        let window = self.samples.get(&kind)?;
        if window.len() < self.min_samples {
            return None;
        }
        let mut sorted: Vec<Duration> = window.iter().copied().collect();
        sorted.sort_unstable();
        // The lower nearest-rank quantile: never above the value asked for.
        let rank = (self.quantile * (sorted.len() - 1) as f64).floor() as usize;
        sorted.get(rank).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_bounded_and_the_quantile_is_low() {
        let mut a = AdaptiveTiming::new().with_window(10).with_min_samples(5);
        for s in 1..=100u64 {
            a.record(TaskKind::Turnstile, Duration::from_secs(s));
        }
        assert_eq!(a.samples(TaskKind::Turnstile), 10);
        // The window holds 91..=100; the 10th percentile of ten values is the lowest.
        assert_eq!(
            a.first_delay(TaskKind::Turnstile),
            Some(Duration::from_secs(91))
        );
        assert_eq!(a.first_delay(TaskKind::GeeTest), None);
        let a = a.with_quantile(1.0);
        assert_eq!(
            a.first_delay(TaskKind::Turnstile),
            Some(Duration::from_secs(100))
        );
    }
}
