//! Pingback mode: the service POSTs the result to createTask's `callbackUrl`, and the solve
//! polls only on a slow fallback schedule, so that a lost callback costs latency, never the task.
//!
//! The fallback schedule (docs/PROTOCOL-NOTES.md, "Pingback mode"): the first poll comes
//! [`FALLBACK_FIRST_POLL`] after the createTask answer (or the row's own first delay, if
//! later), then one every [`FALLBACK_INTERVAL`] (or the current interval, if longer). A poll that
//! would fall past the last point where the normal schedule could still poll once before the
//! deadline is pulled back to that point, so a lost callback is always asked after.

use std::time::{Duration, Instant};

use super::*;

/// The first fallback poll of a pingback solve, after the createTask answer.
pub(crate) const FALLBACK_FIRST_POLL: Duration = Duration::from_secs(20);

/// The fallback polls after the first one.
pub(crate) const FALLBACK_INTERVAL: Duration = Duration::from_secs(15);

impl Solver {
    /// Pingback mode: createTask carries `callback_url` (where the service POSTs the result),
    /// and the solve polls only on the slow fallback schedule, expecting the result through
    /// [`Solver::handle_delivery`]. A resumed solve (no createTask) is left as it is.
    #[must_use]
    pub fn with_callback_url(mut self, callback_url: impl Into<String>) -> Self {
        let _ = self.set_callback_url(callback_url.into());
        self
    }

    /// Sets the callback URL before anything is sent; false (nothing changed) once started or
    /// for a resumed solve.
    pub(crate) fn set_callback_url(&mut self, callback_url: String) -> bool {
        match &mut self.create {
            Some(create) if self.state == State::NotStarted => {
                create.callback_url = Some(callback_url);
                self.pingback = true;
                true
            }
            _ => false,
        }
    }

    /// Hands in a result delivered to the callback URL: `body` is what the service POSTed, a
    /// getTaskResult answer. A final answer (ready, or an error that ends the task) ends the
    /// solve as the same answer to a poll would, without sending anything; call
    /// [`Solver::poll`] next. Returns false, and changes nothing, when the solve cannot use it:
    /// no task id yet, already finished, or an answer that is not final or not readable.
    ///
    /// Checking where the body came from (the callback URL's secret) is the caller's job.
    pub fn handle_delivery(&mut self, now: Instant, body: &[u8]) -> bool {
        let (State::PollDue(_) | State::PollSent(_)) = self.state else {
            return false;
        };
        let Some(task_id) = self.task_id else {
            return false;
        };
        let result = read_delivered(&self.service, task_id, self.kind, body);
        if !is_final(&result) {
            return false;
        }
        self.read_result(now, now, task_id, result, None);
        true
    }

    /// In pingback mode, `at` (the normal schedule's next poll) moved to the fallback schedule.
    pub(super) fn fallback_poll_at(&self, now: Instant, at: Instant) -> Instant {
        if !self.pingback {
            return at;
        }
        let floor = if self.polls == 0 {
            FALLBACK_FIRST_POLL
        } else {
            FALLBACK_INTERVAL
        };
        let wanted = at.max(after(now, floor));
        let latest = self
            .deadline_or(now)
            .checked_sub(self.interval)
            .unwrap_or(now);
        if wanted <= latest {
            wanted
        } else {
            at.max(latest)
        }
    }
}

/// Reads a delivered body as the getTaskResult answer of `task_id` (any status is taken as 200:
/// the body is all the service sends).
pub(crate) fn read_delivered(
    service: &Service,
    task_id: TaskId,
    kind: TaskKind,
    body: &[u8],
) -> Result<TaskResult, ResponseError> {
    GetTaskResult::new(task_id, kind).parse(service, http::Response::new(body))
}

/// Whether an answer ends the task: ready, or an error that is not "not ready" or "call again".
pub(crate) fn is_final(result: &Result<TaskResult, ResponseError>) -> bool {
    match result {
        Ok(TaskResult::Ready(_)) => true,
        Ok(TaskResult::Processing) | Err(ResponseError::Unparseable(_)) => false,
        Err(ResponseError::Api(e)) => {
            !matches!(e.class(), ErrorClass::NotReady | ErrorClass::RetryCall)
        }
    }
}
