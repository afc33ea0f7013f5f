//! What goes in and out of a solve: the policy, the actions, the inputs and the result.

use std::time::{Duration, Instant};

use super::*;

/// How a client solves: the timing table, the interval floor, the poll cap and createTask
/// retries. One value per client; each solve can still override its own row.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Policy {
    /// One timing row per task kind.
    pub table: TimingTable,
    /// No interval is shorter than this, whatever the table says. Defaults to the documented
    /// 2 s; lower it (to at least [`HARD_MIN_INTERVAL`]) only on purpose.
    pub min_interval: Duration,
    /// Replaces every row's deadline when set.
    pub deadline: Option<Duration>,
    /// The most getTaskResult calls per task; never above [`MAX_POLLS_PER_TASK`].
    pub max_polls: u32,
    /// How createTask is retried when nothing was created.
    pub create_retry: RetryPolicy,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            table: TimingTable::default(),
            min_interval: DOCUMENTED_MIN_INTERVAL,
            deadline: None,
            max_polls: MAX_POLLS_PER_TASK,
            create_retry: RetryPolicy::default(),
        }
    }
}

impl Policy {
    /// The default policy.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the timing table.
    #[must_use]
    pub fn with_table(mut self, table: TimingTable) -> Self {
        self.table = table;
        self
    }

    /// Replaces the row of one kind.
    #[must_use]
    pub fn with_timing(mut self, kind: TaskKind, timing: Timing) -> Self {
        self.table.set(kind, timing);
        self
    }

    /// Sets the interval floor (never below [`HARD_MIN_INTERVAL`]).
    #[must_use]
    pub fn with_min_interval(mut self, floor: Duration) -> Self {
        self.min_interval = floor.max(HARD_MIN_INTERVAL);
        self
    }

    /// Sets one deadline for every kind.
    #[must_use]
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Sets the poll cap (at most [`MAX_POLLS_PER_TASK`], at least 1).
    #[must_use]
    pub fn with_max_polls(mut self, max: u32) -> Self {
        self.max_polls = max.clamp(1, MAX_POLLS_PER_TASK);
        self
    }

    /// Sets the createTask retry policy.
    #[must_use]
    pub fn with_create_retry(mut self, retry: RetryPolicy) -> Self {
        self.create_retry = retry;
        self
    }
}

/// What the front end must do next.
#[derive(Debug)]
///
/// Deliberately exhaustive: a front end must handle every action, and a new one would change
/// the drive loop anyway.
#[must_use = "an action must be carried out for the solve to progress"]
pub enum Action {
    /// Send this request, then call [`Solver::handle_response`] with what came back.
    Send(Outgoing),
    /// Sleep until this instant, then call [`Solver::poll`] again. Never past the deadline.
    Wait(Instant),
    /// The solve is over. Further calls to [`Solver::poll`] return the same outcome.
    Done(Result<Solved, SolveError>),
}

/// A request to send.
///
/// Its `Debug` shows the method, address, phase and time left, never the body, which holds the
/// key.
#[non_exhaustive]
pub struct Outgoing {
    /// The HTTP request.
    pub request: http::Request<Vec<u8>>,
    /// Which method it is.
    pub phase: Phase,
    /// Time left until the solve's deadline: cut the request in flight when it runs out, and
    /// report [`TransportFailure::TimedOut`].
    pub time_left: Duration,
}

impl fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outgoing")
            .field("method", self.request.method())
            .field("uri", self.request.uri())
            .field("body_len", &self.request.body().len())
            .field("phase", &self.phase)
            .field("time_left", &self.time_left)
            .finish()
    }
}

/// What came back for a request: an HTTP answer (any status), or none.
#[derive(Debug)]
#[non_exhaustive]
pub enum Input<'a> {
    /// An HTTP response, whatever its status.
    Response(http::Response<&'a [u8]>),
    /// No response.
    Failed(TransportFailure),
}

impl<'a> From<http::Response<&'a [u8]>> for Input<'a> {
    fn from(r: http::Response<&'a [u8]>) -> Self {
        Self::Response(r)
    }
}

impl<'a> From<&'a http::Response<Vec<u8>>> for Input<'a> {
    /// Borrows an owned response; the status, version and headers are copied.
    fn from(r: &'a http::Response<Vec<u8>>) -> Self {
        let mut out = http::Response::new(r.body().as_slice());
        *out.status_mut() = r.status();
        *out.version_mut() = r.version();
        *out.headers_mut() = r.headers().clone();
        Self::Response(out)
    }
}

impl From<TransportFailure> for Input<'_> {
    fn from(f: TransportFailure) -> Self {
        Self::Failed(f)
    }
}

/// A solved task, with what the report rules and the statistics need.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Solved {
    /// The solution, its raw JSON and the extras.
    pub ready: Ready,
    /// The task id.
    pub task_id: TaskId,
    /// The task's kind.
    pub kind: TaskKind,
    /// createTask requests sent (0 for a resumed solve).
    pub create_attempts: u32,
    /// getTaskResult requests sent.
    pub polls: u32,
    /// From the createTask answer to the sending of the poll that found the task ready (an upper
    /// bound of the solve time). For a resumed solve, from the start of the solve.
    pub ready_after: Duration,
    /// From the createTask answer to the last poll that found the task still processing, if any
    /// (a lower bound of the solve time).
    pub not_ready_after: Option<Duration>,
    /// From the createTask answer to the instant the result came back.
    pub returned_after: Duration,
    /// `cost`, when the service sent it.
    pub cost: Option<f64>,
    /// When the result came back: the start of any report window.
    pub completed_at: Instant,
}

impl Solved {
    /// Every request the solve sent: createTask attempts plus polls.
    pub fn requests(&self) -> u32 {
        self.create_attempts + self.polls
    }

    /// The middle of the interval in which the task became ready: what
    /// [`AdaptiveTiming`] learns from.
    pub fn solve_time_estimate(&self) -> Duration {
        let low = self.not_ready_after.unwrap_or(Duration::ZERO);
        low + self.ready_after.saturating_sub(low) / 2
    }
}

impl From<Task> for CreateTask {
    fn from(task: Task) -> Self {
        CreateTask::new(task)
    }
}

/// What a [`Solver`] can be made from: a [`CreateTask`] (with its callback URL and soft id), or
/// any task ([`Task`] or one of the typed task structs).
pub trait IntoCreateTask {
    /// The createTask to send.
    fn into_create_task(self) -> CreateTask;
}

impl IntoCreateTask for CreateTask {
    fn into_create_task(self) -> CreateTask {
        self
    }
}

impl<T: Into<Task>> IntoCreateTask for T {
    fn into_create_task(self) -> CreateTask {
        CreateTask::new(self)
    }
}

/// Where a solve stands, for a progress display: see [`Solver::progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// The task id, once createTask has answered (from the start for a resumed solve).
    pub task_id: Option<TaskId>,
    /// getTaskResult requests sent so far.
    pub polls: u32,
    /// Time since the solve started (its first [`Solver::poll`]).
    pub elapsed: Duration,
}
