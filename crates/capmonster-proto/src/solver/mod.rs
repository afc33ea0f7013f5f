//! The solve state machine: createTask, polling, deadlines and retries, in virtual time.
//!
//! A [`Solver`] drives one solve. It never reads a clock, sleeps or does I/O: the caller passes
//! the current [`Instant`] in, and the solver answers with one [`Action`] at a time: send this
//! request, wait until then, or done. Tests step the instants by hand, so a 180-second solve
//! runs in microseconds.
//!
//! # The drive loop
//!
//! Both front ends are this loop, with their own `send` and `sleep`:
//!
//! ```no_run
//! # use std::time::{Duration, Instant};
//! # use capmonster_proto::{ClientKey, Service, task::ImageToTextTask};
//! # use capmonster_proto::solver::{Action, Policy, Solver, TransportFailure};
//! # fn now() -> Instant { unreachable!("the front end's clock") }
//! # fn sleep_until(_: Instant) {}
//! # fn send(_: http::Request<Vec<u8>>, _limit: Duration)
//! #     -> Result<http::Response<Vec<u8>>, TransportFailure> { unreachable!() }
//! # let key = ClientKey::new("0123456789abcdef").unwrap();
//! # let task = ImageToTextTask::from_image_bytes(&[0u8; 200]);
//! let mut solver = Solver::new(task, &key, &Service::default(), &Policy::default())
//!     .with_jitter_seed(0x5eed);
//! let result = loop {
//!     match solver.poll(now()) {
//!         Action::Send(out) => match send(out.request, out.time_left) {
//!             Ok(response) => solver.handle_response(now(), &response),
//!             Err(failure) => solver.handle_response(now(), failure),
//!         },
//!         Action::Wait(until) => sleep_until(until),
//!         Action::Done(result) => break result,
//!     }
//! };
//! let solved = result?;
//! println!("{:?}", solved.ready.solution.main_value());
//! # Ok::<(), capmonster_proto::solver::SolveError>(())
//! ```
//!
//! The front end cuts every request at [`Outgoing::time_left`], so nothing in flight outlives the
//! deadline, and reports a request with no answer as a [`TransportFailure`].
//!
//! # States
//!
//! ```text
//!   Solver::new(task)                                   Solver::resume(task_id)
//!        |                                                        |
//!        v                                                        |
//!   CreateDue(at) --now >= at: Send(createTask)--> CreateSent     |
//!        ^                                            |  |  |     |
//!        |  no-slot / too-many / 429 / 503 with code, |  |  |     |
//!        |  connect failed: backoff, attempts left    |  |  |     |
//!        +--------------------------------------------+  |  |     |
//!                                                        |  |     |
//!        taskId: wait first_delay (10 s with nocache)    |  |     |
//!        +-----------------------------------------------+  |     |
//!        v                                                  |     |
//!   PollDue(at) <------------------------------------------------+ (at = start)
//!        |  ^                                               |
//!        |  |  processing / CAPTCHA_NOT_READY, retry-call   |
//!        |  |  (TOO_MUCH_REQUESTS: slower), 5xx, non-JSON,  |
//!        |  |  transport failure: wait the interval         |
//!        |  +----------------------------------+            |
//!        |                                     |            |
//!        +--now >= at: Send(getTaskResult)--> PollSent      |
//!                                              |            |
//!              ready ------------------------> Done(Ok(Solved))
//!              fatal or retry-task code -----> Done(Err(Api))
//!              (from CreateSent) timeout / reset / 5xx / HTML / empty
//!                                     -------> Done(Err(AmbiguousCreate))
//!              retries used up --------------> Done(Err(Api | Transport | Unparseable))
//!              120th poll not ready ---------> Done(Err(PollLimit))
//!              deadline, or next step past it -> Done(Err(Timeout))
//! ```
//!
//! The deadline is armed at the first [`Solver::poll`]. A [`Action::Wait`] never goes past it:
//! when the next step would, the solve ends at once with [`SolveError::Timeout`]. An answer
//! handed in after the deadline is still read (a ready result is returned, not thrown away),
//! and the solve then ends on that call.
//!
//! docs/PROTOCOL-NOTES.md ("The solver") records each timing and retry decision and its reason.

mod adaptive;
mod backoff;
mod error;
mod timing;

use std::fmt;
use std::time::{Duration, Instant};

pub use adaptive::AdaptiveTiming;
pub use backoff::{Jitter, RetryPolicy, backoff_delay};
pub use error::{
    AmbiguousCause, NoAnswerEvidence, Phase, SolveError, TransportFailure, error_excerpt,
};
pub use timing::{
    DOCUMENTED_MIN_INTERVAL, HARD_MIN_INTERVAL, MAX_POLLS_PER_TASK, TableBase, Timing, TimingTable,
};

use crate::api::{CreateTask, GetTaskResult};
use crate::endpoint::{Endpoint, TaskId};
use crate::error::{ApiError, BuildError, ErrorClass, ErrorCode, ResponseError};
use crate::key::ClientKey;
use crate::service::Service;
use crate::solution::{Ready, TaskResult};
use crate::task::{Task, TaskKind};

/// The longest `Retry-After` the solver honours; a longer one is read as this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    NotStarted,
    CreateDue(Instant),
    CreateSent,
    PollDue(Instant),
    PollSent(Instant),
    Finished,
}

/// What a createTask answer means for the solve.
enum CreateOutcome {
    Created(TaskId),
    /// Certainly nothing was created: try again after a backoff, or end with this error.
    Refused(SolveError, Option<Duration>),
    /// Nothing was created, and trying again will not help.
    Failed(SolveError),
    /// The task may exist.
    Ambiguous(AmbiguousCause),
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

/// One solve: createTask (or an existing task id), then getTaskResult until ready, an error, the
/// poll cap or the deadline. See the [module docs](self) for the drive loop and the states.
#[derive(Debug, Clone)]
pub struct Solver {
    service: Service,
    key: ClientKey,
    create: Option<CreateTask>,
    kind: TaskKind,
    nocache: bool,
    row: Timing,
    min_interval: Duration,
    max_polls: u32,
    retry: RetryPolicy,
    learnt_first_delay: Option<Duration>,
    jitter: Jitter,
    // Armed at the first poll.
    interval: Duration,
    started: Option<Instant>,
    deadline: Option<Instant>,
    state: State,
    task_id: Option<TaskId>,
    created_at: Option<Instant>,
    create_attempts: u32,
    polls: u32,
    last_not_ready: Option<Instant>,
    /// What the last poll got, when it was neither ready nor "not ready yet".
    last_cause: Option<String>,
    outcome: Option<Result<Solved, SolveError>>,
}

impl Solver {
    /// A solve of a new task. `nocache` is on when the task asks for it or the key carries the
    /// `__nocache` suffix. Nothing is validated or sent until the first [`Solver::poll`]; a task
    /// that fails validation ends the solve with [`SolveError::Build`].
    pub fn new(
        task: impl IntoCreateTask,
        key: &ClientKey,
        service: &Service,
        policy: &Policy,
    ) -> Self {
        let create = task.into_create_task();
        let kind = create.task.kind();
        let nocache = create.task.nocache() || key.nocache();
        let mut solver = Self::base(kind, key, service, policy);
        solver.nocache = nocache;
        solver.create = Some(create);
        solver
    }

    /// A solve that only polls a task created earlier (the CLI's `wait ID`). The first poll goes
    /// out at once. `kind` types the solution; pass [`TaskKind::Other`] if it is unknown.
    ///
    /// The poll cap counts this solver's polls only: pass the polls already made with
    /// [`Solver::with_prior_polls`].
    pub fn resume(
        task_id: TaskId,
        kind: TaskKind,
        key: &ClientKey,
        service: &Service,
        policy: &Policy,
    ) -> Self {
        let mut solver = Self::base(kind, key, service, policy);
        solver.task_id = Some(task_id);
        solver
    }

    fn base(kind: TaskKind, key: &ClientKey, service: &Service, policy: &Policy) -> Self {
        let mut row = policy.table.get(kind);
        if let Some(deadline) = policy.deadline {
            row.deadline = deadline;
        }
        Self {
            service: service.clone(),
            key: key.clone(),
            create: None,
            kind,
            nocache: false,
            row,
            min_interval: policy.min_interval.max(HARD_MIN_INTERVAL),
            max_polls: policy.max_polls.clamp(1, MAX_POLLS_PER_TASK),
            retry: policy.create_retry,
            learnt_first_delay: None,
            jitter: Jitter::new(0),
            interval: Duration::ZERO,
            started: None,
            deadline: None,
            state: State::NotStarted,
            task_id: None,
            created_at: None,
            create_attempts: 0,
            polls: 0,
            last_not_ready: None,
            last_cause: None,
            outcome: None,
        }
    }

    /// Replaces this solve's timing row. The policy's interval floor still applies.
    #[must_use]
    pub fn with_timing(mut self, timing: Timing) -> Self {
        self.row = timing;
        self
    }

    /// Sets this solve's deadline.
    #[must_use]
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.row.deadline = deadline;
        self
    }

    /// Seeds the backoff jitter. Front ends pass a random seed so that clients failing together
    /// do not retry together; tests pass a fixed one.
    #[must_use]
    pub fn with_jitter_seed(mut self, seed: u64) -> Self {
        self.jitter = Jitter::new(seed);
        self
    }

    /// Times the first poll from learnt solve times, when `learnt` has enough of them for this
    /// kind: the later of the table's first delay and the learnt one, kept one interval inside
    /// the deadline.
    #[must_use]
    pub fn with_adaptive(mut self, learnt: &AdaptiveTiming) -> Self {
        self.learnt_first_delay = learnt.first_delay(self.kind);
        self
    }

    /// Counts `polls` already made for a resumed task against the poll cap.
    #[must_use]
    pub fn with_prior_polls(mut self, polls: u32) -> Self {
        self.polls = polls;
        self
    }

    /// The task's kind.
    pub fn kind(&self) -> TaskKind {
        self.kind
    }

    /// The task id, once createTask has answered (or from the start for a resumed solve).
    pub fn task_id(&self) -> Option<TaskId> {
        self.task_id
    }

    /// getTaskResult requests sent so far.
    pub fn polls(&self) -> u32 {
        self.polls
    }

    /// createTask requests sent so far.
    pub fn create_attempts(&self) -> u32 {
        self.create_attempts
    }

    /// Where the solve stands at `now`, for a progress display.
    pub fn progress(&self, now: Instant) -> Progress {
        Progress {
            task_id: self.task_id,
            polls: self.polls,
            elapsed: self
                .started
                .map_or(Duration::ZERO, |s| now.saturating_duration_since(s)),
        }
    }

    /// The deadline, once armed by the first [`Solver::poll`].
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The current poll interval (after the floor and any slowing down); zero before the first
    /// [`Solver::poll`].
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Whether `nocache` is on for this solve.
    pub fn nocache(&self) -> bool {
        self.nocache
    }

    /// The next action at `now`. Call it first, after every [`Action::Wait`], and after every
    /// [`Solver::handle_response`]. The first call arms the deadline.
    ///
    /// Called while a request is in flight, it returns [`Action::Wait`] until the deadline, and
    /// then ends the solve as if the request had timed out.
    pub fn poll(&mut self, now: Instant) -> Action {
        if let Some(outcome) = &self.outcome {
            return Action::Done(outcome.clone());
        }
        if self.state == State::NotStarted {
            self.start(now);
            if let Some(outcome) = &self.outcome {
                return Action::Done(outcome.clone());
            }
        }
        let deadline = self.deadline_or(now);
        if now >= deadline {
            let error = match self.state {
                State::CreateSent => SolveError::AmbiguousCreate {
                    cause: AmbiguousCause::Transport(TransportFailure::TimedOut),
                    elapsed: self.elapsed(now),
                },
                _ => self.timeout(now),
            };
            return self.finish(Err(error));
        }
        match self.state {
            State::CreateSent | State::PollSent(_) => Action::Wait(deadline),
            State::CreateDue(at) | State::PollDue(at) if now < at => Action::Wait(at),
            State::CreateDue(_) => self.send_create(now, deadline),
            State::PollDue(_) => match self.task_id {
                // A resumed task may come with its polls already spent.
                Some(task_id) if self.polls >= self.max_polls => {
                    let polls = self.polls;
                    self.finish(Err(SolveError::PollLimit { task_id, polls }))
                }
                _ => self.send_poll(now, deadline),
            },
            State::NotStarted | State::Finished => {
                // start() leaves a due state and finish() sets the outcome returned above.
                unreachable!("the solver is started and not finished here")
            }
        }
    }

    /// Feeds back what came of the last [`Action::Send`]: a response (any status) or a
    /// [`TransportFailure`]. Call [`Solver::poll`] next. Input with no request in flight is
    /// ignored.
    pub fn handle_response<'a>(&mut self, now: Instant, input: impl Into<Input<'a>>) {
        match self.state {
            State::CreateSent => self.on_create(now, input.into()),
            State::PollSent(sent_at) => self.on_poll(now, sent_at, input.into()),
            State::NotStarted | State::CreateDue(_) | State::PollDue(_) | State::Finished => {}
        }
    }

    fn start(&mut self, now: Instant) {
        self.started = Some(now);
        self.deadline = Some(after(now, self.row.deadline));
        self.interval = self.row.interval.max(self.min_interval);
        if self.create.is_some() {
            let first = self.row.first_delay_for(self.nocache);
            if self.row.deadline <= first {
                // A task that could not be polled once before the deadline would be paid for
                // and abandoned: refuse it before anything is sent.
                let rule = format!(
                    "is {:.1} s, but the first poll of {} comes {:.1} s after createTask{}: \
                     raise the deadline (`--timeout` on the command line) above {:.1} s",
                    self.row.deadline.as_secs_f64(),
                    self.kind.display_name(),
                    first.as_secs_f64(),
                    if self.nocache { " (with nocache)" } else { "" },
                    first.as_secs_f64(),
                );
                let error = crate::error::ValidationError::new("deadline", rule);
                let _ = self.finish(Err(SolveError::Build(BuildError::from(error))));
                return;
            }
            self.state = State::CreateDue(now);
        } else {
            self.created_at = Some(now);
            self.state = State::PollDue(now);
        }
    }

    fn deadline_or(&self, now: Instant) -> Instant {
        self.deadline.unwrap_or(now)
    }

    fn elapsed(&self, now: Instant) -> Duration {
        self.started
            .map_or(Duration::ZERO, |s| now.saturating_duration_since(s))
    }

    fn timeout(&self, now: Instant) -> SolveError {
        SolveError::Timeout {
            task_id: self.task_id,
            polls: self.polls,
            elapsed: self.elapsed(now),
            last_cause: self.last_cause.clone(),
        }
    }

    /// The secrets this solve knows: the key, with and without its suffixes, and the task's
    /// proxy password. Every error it returns is scrubbed of them.
    fn secrets(&self) -> Vec<String> {
        let mut out = vec![
            self.key.expose_secret(),
            self.key.expose_base_secret().to_owned(),
        ];
        if let Some(create) = &self.create {
            if let Some(password) = create.task.proxy().and_then(|p| p.password.as_ref()) {
                out.push(password.expose_secret().to_owned());
            }
            if let Task::Raw(raw) = &create.task
                && let Some(password) = raw
                    .as_object()
                    .get("proxyPassword")
                    .and_then(serde_json::Value::as_str)
            {
                out.push(password.to_owned());
            }
        }
        out
    }

    fn echoes_a_secret(&self, ready: &Ready) -> bool {
        let text = format!("{} {:?}", ready.raw_json(), ready.extras);
        self.secrets()
            .iter()
            .filter(|s| s.len() >= 4)
            .any(|s| text.contains(s.as_str()))
    }

    fn finish(&mut self, outcome: Result<Solved, SolveError>) -> Action {
        let outcome = outcome.map_err(|e| {
            let secrets = self.secrets();
            let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
            e.scrub(&secrets)
        });
        self.state = State::Finished;
        self.outcome = Some(outcome.clone());
        Action::Done(outcome)
    }

    /// Ends the solve from `handle_response`; `poll` returns the outcome.
    fn end(&mut self, outcome: Result<Solved, SolveError>) {
        let _ = self.finish(outcome);
    }

    fn send_create(&mut self, now: Instant, deadline: Instant) -> Action {
        let Some(create) = &self.create else {
            unreachable!("CreateDue is only entered by a solver with a task");
        };
        match create.build(&self.service, &self.key) {
            Ok(request) => {
                self.create_attempts += 1;
                self.state = State::CreateSent;
                Action::Send(Outgoing {
                    request,
                    phase: Phase::Create,
                    time_left: deadline - now,
                })
            }
            Err(e) => self.finish(Err(SolveError::Build(e))),
        }
    }

    fn send_poll(&mut self, now: Instant, deadline: Instant) -> Action {
        let Some(task_id) = self.task_id else {
            unreachable!("PollDue is only entered with a task id");
        };
        match GetTaskResult::new(task_id, self.kind).build(&self.service, &self.key) {
            Ok(request) => {
                self.polls += 1;
                self.state = State::PollSent(now);
                Action::Send(Outgoing {
                    request,
                    phase: Phase::Poll,
                    time_left: deadline - now,
                })
            }
            Err(e) => self.finish(Err(SolveError::Build(e))),
        }
    }

    fn on_create(&mut self, now: Instant, input: Input<'_>) {
        match self.read_create(input) {
            CreateOutcome::Created(task_id) => {
                self.task_id = Some(task_id);
                self.created_at = Some(now);
                let mut at = after(now, self.first_delay());
                if at >= self.deadline_or(now) {
                    // createTask took so long that the first poll would fall past the deadline:
                    // poll once now, so the task is at least asked after (and named).
                    at = now;
                }
                self.schedule_poll(now, at);
            }
            CreateOutcome::Refused(error, retry_after) => {
                if self.create_attempts >= self.retry.max_attempts {
                    return self.end(Err(error));
                }
                let mut delay = self
                    .retry
                    .delay(self.create_attempts, self.jitter.next_u64());
                if let Some(asked) = retry_after {
                    delay = delay.max(asked);
                }
                let at = after(now, delay);
                if at >= self.deadline_or(now) {
                    return self.end(Err(error));
                }
                self.state = State::CreateDue(at);
            }
            CreateOutcome::Failed(error) => self.end(Err(error)),
            CreateOutcome::Ambiguous(cause) => {
                let elapsed = self.elapsed(now);
                self.end(Err(SolveError::AmbiguousCreate { cause, elapsed }));
            }
        }
    }

    fn read_create(&self, input: Input<'_>) -> CreateOutcome {
        let response = match input {
            Input::Failed(TransportFailure::ConnectFailed) => {
                return CreateOutcome::Refused(
                    SolveError::Transport {
                        phase: Phase::Create,
                        failure: TransportFailure::ConnectFailed,
                        create_attempts: self.create_attempts,
                    },
                    None,
                );
            }
            Input::Failed(other) => {
                return CreateOutcome::Ambiguous(AmbiguousCause::Transport(other));
            }
            Input::Response(r) => r,
        };
        let retry_after = retry_after(&response);
        let Some(create) = &self.create else {
            unreachable!("CreateSent is only entered by a solver with a task");
        };
        match create.parse(&self.service, response) {
            Ok(task_id) => CreateOutcome::Created(task_id),
            Err(ResponseError::Api(error)) => {
                // An error answer means nothing was created; resend only when it says "not now".
                let refused = error::refusal_is_transient(&error);
                let error = SolveError::Api {
                    phase: Phase::Create,
                    task_id: None,
                    error,
                    create_attempts: self.create_attempts,
                };
                if refused {
                    CreateOutcome::Refused(error, retry_after)
                } else {
                    CreateOutcome::Failed(error)
                }
            }
            Err(ResponseError::Unparseable(u)) if u.status == 429 => CreateOutcome::Refused(
                SolveError::Unparseable {
                    phase: Phase::Create,
                    error: u,
                },
                retry_after,
            ),
            Err(ResponseError::Unparseable(u)) if (400..500).contains(&u.status) => {
                CreateOutcome::Failed(SolveError::Unparseable {
                    phase: Phase::Create,
                    error: u,
                })
            }
            Err(ResponseError::Unparseable(u)) => {
                CreateOutcome::Ambiguous(AmbiguousCause::Response(u))
            }
        }
    }

    /// The delay from the createTask answer to the first poll.
    fn first_delay(&self) -> Duration {
        let table = self.row.first_delay_for(self.nocache);
        match self.learnt_first_delay {
            Some(learnt) if learnt > table => {
                // Leave room for one more poll inside the deadline.
                let room = self.row.deadline.saturating_sub(self.interval);
                learnt.min(room).max(table)
            }
            _ => table,
        }
    }

    fn on_poll(&mut self, now: Instant, sent_at: Instant, input: Input<'_>) {
        let Some(task_id) = self.task_id else {
            unreachable!("PollSent is only entered with a task id");
        };
        let response = match input {
            // Lost polls are retried on the schedule; they count toward the cap.
            Input::Failed(failure) => {
                // A poll cut by the deadline itself says nothing new about why the task never
                // came back: keep the cause an earlier poll saw (an HTTP 500, say), if any.
                let cut_by_deadline =
                    failure == TransportFailure::TimedOut && now >= self.deadline_or(now);
                if !(cut_by_deadline && self.last_cause.is_some()) {
                    self.last_cause = Some(failure.to_string());
                }
                return self.poll_again(now, None);
            }
            Input::Response(r) => r,
        };
        let asked = retry_after(&response);
        let too_many = response.status() == http::StatusCode::TOO_MANY_REQUESTS;
        let result = GetTaskResult::new(task_id, self.kind).parse(&self.service, response);
        // HTTP 429 slows polling whatever the body says, even "not ready".
        if too_many
            || matches!(&result, Err(ResponseError::Api(e)) if e.code == ErrorCode::TooMuchRequests)
        {
            self.slow_down();
        }
        match result {
            Ok(TaskResult::Processing) => {
                self.last_not_ready = Some(sent_at);
                self.last_cause = None;
                self.poll_again(now, None);
            }
            // A solution that lacks its answer, or that echoes the key or a proxy password (no
            // real token does), is not handed out: it ends the solve, scrubbed, naming the task.
            Ok(TaskResult::Ready(ready))
                if ready.lacks_main_value(self.kind) || self.echoes_a_secret(&ready) =>
            {
                let raw = ready.raw_json().to_owned();
                self.end(Err(SolveError::NoSolution { task_id, raw }));
            }
            Ok(TaskResult::Ready(ready)) => {
                let solved = self.solved(now, sent_at, task_id, *ready);
                self.end(Ok(solved));
            }
            Err(ResponseError::Api(error)) => match error.class() {
                ErrorClass::NotReady => {
                    self.last_not_ready = Some(sent_at);
                    self.last_cause = None;
                    self.poll_again(now, None);
                }
                ErrorClass::RetryCall => {
                    self.last_cause = Some(error.to_string());
                    self.poll_again(now, asked);
                }
                ErrorClass::RetryTask | ErrorClass::FatalTask | ErrorClass::FatalConfig => {
                    self.end(Err(self.poll_error(task_id, error)));
                }
            },
            Err(ResponseError::Unparseable(u)) => {
                self.last_cause = Some(u.to_string());
                self.poll_again(now, asked);
            }
        }
    }

    fn poll_error(&self, task_id: TaskId, error: ApiError) -> SolveError {
        SolveError::Api {
            phase: Phase::Poll,
            task_id: Some(task_id),
            error,
            create_attempts: self.create_attempts,
        }
    }

    /// ERROR_TOO_MUCH_REQUESTS or HTTP 429 while polling: at least the documented 2 s, and half
    /// as long again each time, up to 10 s (or the table's interval if longer).
    fn slow_down(&mut self) {
        let ceiling = Duration::from_secs(10).max(self.row.interval);
        self.interval = (self.interval.saturating_add(self.interval / 2))
            .max(DOCUMENTED_MIN_INTERVAL)
            .min(ceiling);
    }

    fn poll_again(&mut self, now: Instant, asked: Option<Duration>) {
        let wait = asked.map_or(self.interval, |a| a.max(self.interval));
        self.schedule_poll(now, after(now, wait));
    }

    fn schedule_poll(&mut self, now: Instant, at: Instant) {
        let Some(task_id) = self.task_id else {
            unreachable!("polls are only scheduled with a task id");
        };
        if self.polls >= self.max_polls {
            let polls = self.polls;
            self.end(Err(SolveError::PollLimit { task_id, polls }));
        } else if at >= self.deadline_or(now) {
            let error = self.timeout(now);
            self.end(Err(error));
        } else {
            self.state = State::PollDue(at);
        }
    }

    fn solved(&self, now: Instant, sent_at: Instant, task_id: TaskId, ready: Ready) -> Solved {
        let created = self.created_at.unwrap_or(sent_at);
        Solved {
            cost: ready.cost(),
            ready,
            task_id,
            kind: self.kind,
            create_attempts: self.create_attempts,
            polls: self.polls,
            ready_after: sent_at.saturating_duration_since(created),
            not_ready_after: self
                .last_not_ready
                .map(|t| t.saturating_duration_since(created)),
            returned_after: now.saturating_duration_since(created),
            completed_at: now,
        }
    }
}

/// `now + d`, or a century on if that overflows (a caller may pass `Duration::MAX`).
fn after(now: Instant, d: Duration) -> Instant {
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 24 * 3600)))
        .unwrap_or(now)
}

/// `Retry-After` in whole seconds (the HTTP-date form is ignored), at most a minute.
fn retry_after(response: &http::Response<&[u8]>) -> Option<Duration> {
    let value = response.headers().get(http::header::RETRY_AFTER)?;
    let secs: u64 = value.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}
