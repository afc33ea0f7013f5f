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
mod answers;
mod backoff;
mod delivery;
mod error;
mod timing;
mod types;

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
pub use types::{Action, Input, IntoCreateTask, Outgoing, Policy, Progress, Solved};

pub(crate) use delivery::{is_final, read_delivered};

use crate::api::{CreateTask, GetTaskResult};
use crate::endpoint::{Endpoint, TaskId};
use crate::error::{ApiError, BuildError, ErrorClass, ErrorCode, ResponseError};
use crate::key::ClientKey;
use crate::service::Service;
use crate::solution::{Ready, TaskResult};
use crate::task::{Task, TaskKind};

/// The longest `Retry-After` the solver honours; a longer one is read as this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

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

/// One solve: createTask (or an existing task id), then getTaskResult until ready, an error, the
/// poll cap or the deadline. See the [module docs](self) for the drive loop and the states.
#[derive(Debug, Clone)]
pub struct Solver {
    service: Service,
    key: ClientKey,
    /// The task, until createTask has answered with its id (boxed and then dropped: a solve that
    /// only polls holds none of it).
    create: Option<Box<CreateTask>>,
    /// The task's proxy password, kept after the task is dropped to scrub it from errors.
    task_password: Option<String>,
    kind: TaskKind,
    nocache: bool,
    row: Timing,
    min_interval: Duration,
    max_polls: u32,
    retry: RetryPolicy,
    learnt_first_delay: Option<Duration>,
    jitter: Jitter,
    /// Pingback mode: the result is expected at the callback URL; polls are the fallback.
    pingback: bool,
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
    outcome: Option<Box<Result<Solved, SolveError>>>,
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
        solver.task_password = task_password(&create.task);
        solver.create = Some(Box::new(create));
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
            task_password: None,
            kind,
            nocache: false,
            row,
            min_interval: policy.min_interval.max(HARD_MIN_INTERVAL),
            max_polls: policy.max_polls.clamp(1, MAX_POLLS_PER_TASK),
            retry: policy.create_retry,
            learnt_first_delay: None,
            jitter: Jitter::new(0),
            pingback: false,
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

    /// True when [`Solver::poll`] at `now` would send a request, or may (a solver not started
    /// yet sends at its first poll unless its task is refused).
    pub(crate) fn sends_at(&self, now: Instant) -> bool {
        if self.outcome.is_some() {
            return false;
        }
        match self.state {
            State::NotStarted => true,
            State::CreateDue(at) | State::PollDue(at) => {
                now >= at && self.deadline.is_none_or(|d| now < d)
            }
            State::CreateSent | State::PollSent(_) | State::Finished => false,
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
            return Action::Done(Result::clone(outcome));
        }
        if self.state == State::NotStarted {
            self.start(now);
            if let Some(outcome) = &self.outcome {
                return Action::Done(Result::clone(outcome));
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
        out.extend(self.task_password.iter().cloned());
        out
    }

    fn echoes_a_secret(&self, ready: &Ready) -> bool {
        echoes_a_secret(ready, &self.secrets())
    }

    fn finish(&mut self, outcome: Result<Solved, SolveError>) -> Action {
        let outcome = outcome.map_err(|e| {
            let secrets = self.secrets();
            let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
            e.scrub(&secrets)
        });
        self.state = State::Finished;
        self.outcome = Some(Box::new(outcome.clone()));
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
}

/// `now + d`, or a century on if that overflows (a caller may pass `Duration::MAX`).
fn after(now: Instant, d: Duration) -> Instant {
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 24 * 3600)))
        .unwrap_or(now)
}

/// The task's proxy password, typed or in a raw task's `proxyPassword`.
fn task_password(task: &Task) -> Option<String> {
    if let Some(password) = task.proxy().and_then(|p| p.password.as_ref()) {
        return Some(password.expose_secret().to_owned());
    }
    match task {
        Task::Raw(raw) => raw
            .as_object()
            .get("proxyPassword")
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned),
        _ => None,
    }
}

/// `Retry-After` in whole seconds (the HTTP-date form is ignored), at most a minute.
fn retry_after(response: &http::Response<&[u8]>) -> Option<Duration> {
    let value = response.headers().get(http::header::RETRY_AFTER)?;
    let secs: u64 = value.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

/// True when a ready answer quotes one of `secrets` (no real token does): the answer is then
/// refused rather than handed out. Secrets shorter than 4 bytes are not looked for.
pub(crate) fn echoes_a_secret(ready: &Ready, secrets: &[String]) -> bool {
    let text = format!("{} {:?}", ready.raw_json(), ready.extras);
    secrets
        .iter()
        .filter(|s| s.len() >= 4)
        .any(|s| text.contains(s.as_str()))
}
