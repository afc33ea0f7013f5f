//! The timing table: when to poll each task kind, and for how long.
//!
//! Every row says four things: how long to wait after createTask before the first poll, the same
//! when `nocache` is on, the interval between polls, and the deadline of the whole solve. The
//! defaults start from the official clients' shared table and are adjusted where the service's
//! own documentation disagrees with it; docs/PROTOCOL-NOTES.md ("The solver") gives the reasons row by
//! row.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::task::TaskKind;

/// The documented poll interval floor: "no more often than once every 2 s" per task.
pub const DOCUMENTED_MIN_INTERVAL: Duration = Duration::from_secs(2);

/// The lowest interval a [`Policy`](crate::solver::Policy) accepts, even when the caller lowers
/// the floor on purpose. Below it the 120-poll cap would be spent in seconds.
pub const HARD_MIN_INTERVAL: Duration = Duration::from_millis(100);

/// The most getTaskResult calls the service allows for one task. More can ban the account.
pub const MAX_POLLS_PER_TASK: u32 = 120;

/// When to poll one task kind, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Timing {
    /// From the createTask answer to the first poll.
    pub first_delay: Duration,
    /// The same when `nocache` is on (the task property or the key's `__nocache` suffix): the
    /// service then solves from scratch, so the first poll comes later.
    pub first_delay_nocache: Duration,
    /// From one poll's answer to the next poll. The policy's floor still applies.
    pub interval: Duration,
    /// From the start of the solve (the first call to `poll`) to its end, whatever happens.
    pub deadline: Duration,
}

impl Timing {
    /// A row. `first_delay_nocache` starts equal to `first_delay`.
    pub const fn new(first_delay: Duration, interval: Duration, deadline: Duration) -> Self {
        Self {
            first_delay,
            first_delay_nocache: first_delay,
            interval,
            deadline,
        }
    }

    /// Sets the first delay used when `nocache` is on.
    #[must_use]
    pub const fn with_first_delay_nocache(mut self, delay: Duration) -> Self {
        self.first_delay_nocache = delay;
        self
    }

    /// Sets the first delay.
    #[must_use]
    pub const fn with_first_delay(mut self, delay: Duration) -> Self {
        self.first_delay = delay;
        self
    }

    /// Sets the interval.
    #[must_use]
    pub const fn with_interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Sets the deadline.
    #[must_use]
    pub const fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// The first delay for a solve with or without `nocache`.
    pub fn first_delay_for(&self, nocache: bool) -> Duration {
        if nocache {
            self.first_delay_nocache
        } else {
            self.first_delay
        }
    }

    /// This crate's default row for `kind`. See docs/PROTOCOL-NOTES.md ("The solver") for the reasons.
    pub fn default_for(kind: TaskKind) -> Self {
        Self::from_row(kind.info().timing)
    }

    /// The row the official CapMonster clients use (the .NET table, which the Python, JS and Go
    /// clients share), for side-by-side benchmarks. Its image rows poll every 200 ms, below the
    /// documented 2 s floor: they take effect only with a policy whose floor is lowered.
    pub fn official_for(kind: TaskKind) -> Self {
        Self::from_row(kind.info().official)
    }

    /// A row of the kind table: first poll, first poll with nocache, interval, deadline.
    fn from_row([first, nocache, interval, deadline]: [Duration; 4]) -> Self {
        Self::new(first, interval, deadline).with_first_delay_nocache(nocache)
    }
}

/// Which rows a table starts from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TableBase {
    /// This crate's defaults ([`Timing::default_for`]).
    #[default]
    Default,
    /// The official clients' table ([`Timing::official_for`]).
    Official,
}

/// One [`Timing`] row per [`TaskKind`]: a base table plus the caller's overrides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimingTable {
    base: TableBase,
    overrides: BTreeMap<TaskKind, Timing>,
}

impl TimingTable {
    /// This crate's default table.
    pub fn new() -> Self {
        Self::default()
    }

    /// The official clients' table. Pair it with a policy whose floor is lowered
    /// ([`Policy::with_min_interval`](crate::solver::Policy::with_min_interval)) to reproduce
    /// their 200 ms image polling.
    pub fn official() -> Self {
        Self {
            base: TableBase::Official,
            overrides: BTreeMap::new(),
        }
    }

    /// Replaces the row of `kind`.
    #[must_use]
    pub fn with(mut self, kind: TaskKind, timing: Timing) -> Self {
        self.overrides.insert(kind, timing);
        self
    }

    /// Replaces the row of `kind`, in place.
    pub fn set(&mut self, kind: TaskKind, timing: Timing) -> &mut Self {
        self.overrides.insert(kind, timing);
        self
    }

    /// The row of `kind`.
    pub fn get(&self, kind: TaskKind) -> Timing {
        self.overrides
            .get(&kind)
            .copied()
            .unwrap_or_else(|| match self.base {
                TableBase::Default => Timing::default_for(kind),
                TableBase::Official => Timing::official_for(kind),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    const fn secs(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn every_default_row_is_within_the_documented_limits() {
        for &kind in TaskKind::ALL {
            let t = Timing::default_for(kind);
            assert!(t.interval >= DOCUMENTED_MIN_INTERVAL, "{kind:?}");
            assert!(t.first_delay < t.deadline, "{kind:?}");
            assert!(t.first_delay_nocache >= t.first_delay, "{kind:?}");
            // The deadline never allows more polls than the cap.
            let most = 1 + (t.deadline - t.first_delay).as_millis() / t.interval.as_millis();
            assert!(most <= u128::from(MAX_POLLS_PER_TASK), "{kind:?}");
        }
        assert_eq!(
            Timing::default_for(TaskKind::RecaptchaV2).first_delay_nocache,
            secs(10)
        );
        assert_eq!(
            Timing::default_for(TaskKind::ImageToText).first_delay_nocache,
            secs(1)
        );
    }

    #[test]
    fn overrides_replace_one_row() {
        let row = Timing::new(ms(10), ms(500), secs(5));
        let table = TimingTable::new().with(TaskKind::Turnstile, row);
        assert_eq!(table.get(TaskKind::Turnstile), row);
        assert_eq!(
            table.get(TaskKind::GeeTest),
            Timing::default_for(TaskKind::GeeTest)
        );
        assert_eq!(
            TimingTable::official().get(TaskKind::ImageToText).interval,
            ms(200)
        );
    }
}
