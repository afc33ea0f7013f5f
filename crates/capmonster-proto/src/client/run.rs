//! The bookkeeping of a front end's calls and solves, kept here once so that the front ends
//! hold only I/O.
//!
//! A front end's client holds its HTTP agent and a [`Shared`]. For one call it asks
//! [`Shared::build`] for the request, exchanges it, and hands the answer (or an
//! [`ExchangeFailure`]) to [`Shared::read`]. For a solve it drives a [`Run`]:
//!
//! ```text
//! loop {
//!     match run.poll(now) {
//!         Step::Send { request, limit } => run.answer(now, exchange(request, limit)),
//!         Step::Wait(until) => sleep until `until`,
//!         Step::Done(result) => return result,
//!     }
//! }
//! ```
//!
//! A report goes through [`Shared::plan_report`] (the service's rules, once per task), the
//! exchange, and [`Shared::read_report`] (which settles the ledger).

use std::sync::{Arc, Mutex, PoisonError};
use std::task::Waker;
use std::time::{Duration, Instant};

use super::accept_run::AcceptRun;
use super::{ClientConfig, DeliveryRefused, PingbackDesk, TOKEN_BYTES, named_task_id};
use crate::accept::{AcceptPolicy, Acceptor, SiteBook, SitePolicy};
use crate::client_error::{ClientError, TransportError, redact};
use crate::desk::ReportDesk;
use crate::endpoint::{Endpoint, ReportAccepted, TaskId};
use crate::report::{PlannedReport, ReportVerdict};
use crate::solution::TaskResult;
use crate::solver::{
    Action, AdaptiveTiming, Input, NoAnswerEvidence, Phase, Policy, Progress, Solved, Solver,
    TransportFailure,
};
use crate::task::{Task, TaskKind};

/// What a front end's client holds besides its HTTP agent: the configuration, the secrets to
/// scrub from what the server sends, the report desk, the jitter seeds and the learnt timing.
/// `Send + Sync`; share it behind the client's `Arc`.
#[derive(Debug)]
pub struct Shared {
    pub(super) config: ClientConfig,
    pub(super) secrets: Vec<String>,
    desk: Arc<Mutex<ReportDesk>>,
    seeds: Arc<SeedSource>,
    adaptive: Option<Arc<Mutex<AdaptiveTiming>>>,
    book: Arc<Mutex<SiteBook>>,
    pingback: Option<Arc<Mutex<PingbackDesk>>>,
}

impl Shared {
    /// The bookkeeping of a new client. `now` starts the report desk's clock; `seed` (something
    /// random) starts the jitter seeds, so that clients failing together back off apart.
    pub fn new(config: ClientConfig, now: Instant, seed: u64) -> Self {
        let pingback = config.pingback.as_deref().map(|base| {
            let desk = PingbackDesk::new(base, config.service.clone(), config.max_response_bytes);
            Arc::new(Mutex::new(desk))
        });
        Self {
            secrets: config.secrets(),
            config,
            desk: Arc::new(Mutex::new(ReportDesk::new(now))),
            seeds: Arc::new(SeedSource::new(seed)),
            adaptive: None,
            book: Arc::new(Mutex::new(SiteBook::new(SitePolicy::default()))),
            pingback,
        }
    }

    /// The same bookkeeping (one report desk, one seed source) with learnt timing: each solve
    /// starts from `learnt`, and each success feeds it.
    #[must_use]
    pub fn with_adaptive(&self, learnt: Arc<Mutex<AdaptiveTiming>>) -> Self {
        Self {
            config: self.config.clone(),
            secrets: self.secrets.clone(),
            desk: Arc::clone(&self.desk),
            seeds: Arc::clone(&self.seeds),
            adaptive: Some(learnt),
            book: Arc::clone(&self.book),
            pingback: self.pingback.clone(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// A solve of `task` under `policy`, with this client's `softId`.
    pub fn solve(&self, task: Task, policy: &Policy) -> Run<'_> {
        let config = &self.config;
        let create = config.create_task(task);
        self.run(Solver::new(create, &config.key, &config.service, policy))
    }

    /// The client's own per-site statistics, which [`Shared::accept`] uses unless the caller
    /// lends another book. Shared by the client's clones.
    pub fn site_book(&self) -> &Arc<Mutex<SiteBook>> {
        &self.book
    }

    /// An acceptance loop for `task`: solves under `policy` (with this client's `softId`),
    /// tries again under `accept`, and keeps its statistics in `book`.
    pub fn accept<'a>(
        &'a self,
        task: Task,
        policy: &Policy,
        accept: &AcceptPolicy,
        book: &'a Mutex<SiteBook>,
    ) -> AcceptRun<'a> {
        let config = &self.config;
        let create = config.create_task(task);
        let acceptor = Acceptor::new(create, &config.key, &config.service, policy, accept)
            .with_jitter_seed(self.seeds.next_seed());
        AcceptRun {
            shared: self,
            acceptor,
            book,
        }
    }

    /// The wait for a task created earlier, under the client's policy.
    pub fn resume(&self, task_id: TaskId, kind: TaskKind) -> Run<'_> {
        let config = &self.config;
        self.run(Solver::resume(
            task_id,
            kind,
            &config.key,
            &config.service,
            &config.policy,
        ))
    }

    fn run(&self, solver: Solver) -> Run<'_> {
        let mut solver = solver.with_jitter_seed(self.seeds.next_seed());
        if let Some(learnt) = &self.adaptive {
            solver = solver.with_adaptive(&learnt.lock().unwrap_or_else(PoisonError::into_inner));
        }
        Run {
            shared: self,
            solver,
            detail: None,
            announced: false,
            token: None,
        }
    }

    /// Hands one POST received under the pingback base to the solve waiting for it: `path` is
    /// the request's path (an absolute URL also does), `body` its body. The solve then ends
    /// without another poll. Anything but the first final result for a solve in flight is
    /// refused, and changes nothing.
    pub fn deliver(&self, path: &str, body: &[u8]) -> Result<(), DeliveryRefused> {
        let desk = self
            .pingback
            .as_ref()
            .ok_or(DeliveryRefused::NotConfigured)?;
        let waker = desk
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .deliver(path, body)
            .map_err(|refused| match refused {
                // The reason may quote the body: keep the client's secrets out of it.
                DeliveryRefused::NotAResult { reason } => {
                    let secrets: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
                    DeliveryRefused::NotAResult {
                        reason: redact(&reason, &secrets),
                    }
                }
                other => other,
            })?;
        waker.wake();
        Ok(())
    }

    /// The request of one call.
    pub fn build<E: Endpoint>(&self, endpoint: &E) -> Result<http::Request<Vec<u8>>, ClientError> {
        Ok(endpoint.build(&self.config.service, &self.config.key)?)
    }

    /// The output of one call from its answer, or the error (scrubbed of the client's secrets).
    /// `phase` is the solve phase the call stands for, if any.
    pub fn read<E: Endpoint>(
        &self,
        endpoint: &E,
        answer: Result<http::Response<Vec<u8>>, ExchangeFailure>,
        phase: Option<Phase>,
    ) -> Result<E::Output, ClientError> {
        match answer {
            Ok(response) => {
                let (parts, body) = response.into_parts();
                let response = http::Response::from_parts(parts, body.as_slice());
                endpoint
                    .parse(&self.config.service, response)
                    .map_err(|e| self.scrub(ClientError::from_response(e, phase)))
            }
            Err(failure) => Err(failure.into_error(phase)),
        }
    }

    /// A single getTaskResult answer, held to the same rule as a solve's last poll: a ready
    /// answer that lacks the type's main value, or that echoes the key or the proxy password (no
    /// real token does), is [`ClientError::NoSolution`], scrubbed, naming the task.
    pub fn check_result(
        &self,
        task_id: TaskId,
        kind: TaskKind,
        result: TaskResult,
    ) -> Result<TaskResult, ClientError> {
        let TaskResult::Ready(ready) = &result else {
            return Ok(result);
        };
        if ready.lacks_main_value(kind) || crate::solver::echoes_a_secret(ready, &self.secrets) {
            let raw = ready.raw_json().to_owned();
            return Err(self.scrub(ClientError::NoSolution { task_id, raw }));
        }
        Ok(result)
    }

    /// Plans the report of task `task_id` of kind `kind`, completed at `completed_at`, as
    /// wrong, under the service's rules, and records it: a report sure to be refused is refused
    /// here. Send the planned request, then hand its answer to [`Shared::read_report`].
    pub fn plan_report(
        &self,
        task_id: TaskId,
        kind: TaskKind,
        completed_at: Instant,
        now: Instant,
    ) -> Result<PlannedReport, ClientError> {
        let verdict = ReportVerdict::Incorrect;
        let service = &self.config.service;
        Ok(self
            .desk()
            .plan(service, kind, task_id, completed_at, verdict, now)?)
    }

    /// The outcome of a planned report from its answer. When the request certainly never
    /// reached the service, the report is forgotten and may be planned again.
    pub fn read_report(
        &self,
        planned: &PlannedReport,
        answer: Result<http::Response<Vec<u8>>, ExchangeFailure>,
    ) -> Result<ReportAccepted, ClientError> {
        let sent = self.read(&planned.request, answer, None);
        let task_id = planned.request.task_id();
        self.desk().settle(&self.config.service, task_id, &sent);
        sent
    }

    /// A request without an answer, classified by the core's one rule
    /// ([`TransportFailure::classify`]) from what the front end knows. `detail` is the HTTP
    /// library's text; the client's secrets are redacted from it here.
    pub fn no_answer(&self, evidence: NoAnswerEvidence, detail: &str) -> ExchangeFailure {
        let secrets: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
        ExchangeFailure::no_answer(evidence, redact(detail, &secrets))
    }

    fn desk(&self) -> std::sync::MutexGuard<'_, ReportDesk> {
        self.desk.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn scrub(&self, error: ClientError) -> ClientError {
        let secrets: Vec<&str> = self.secrets.iter().map(String::as_str).collect();
        error.scrub(&secrets)
    }
}

/// One solve driven by a front end: the core's [`Solver`] plus the bookkeeping around it (the
/// transport detail for the final error, learnt timing, scrubbing).
#[derive(Debug)]
pub struct Run<'a> {
    shared: &'a Shared,
    solver: Solver,
    detail: Option<String>,
    announced: bool,
    /// Pingback mode: the token of this solve's callback URL.
    token: Option<[u8; TOKEN_BYTES]>,
}

/// What a front end does next for a [`Run`].
#[derive(Debug)]
#[must_use]
pub enum Step {
    /// Send `request`, cutting the whole exchange at `limit`, then call [`Run::answer`].
    Send {
        /// The request.
        request: http::Request<Vec<u8>>,
        /// The most the exchange may take (the request timeout, cut to the solve's deadline).
        limit: Duration,
    },
    /// Sleep until this instant, then poll again.
    Wait(Instant),
    /// The solve is over.
    Done(Result<Solved, ClientError>),
}

impl Run<'_> {
    /// The task's kind.
    pub fn kind(&self) -> TaskKind {
        self.solver.kind()
    }

    /// Pingback mode, when the client has a pingback base (else nothing happens): the solve's
    /// createTask carries a callback URL made from `token` (16 fresh random bytes from the
    /// operating system, never reused), and `waker` is woken when its result is delivered, so
    /// that a front end waiting on a [`Step::Wait`] polls again at once. Call it before the
    /// first [`Run::poll`]; a resumed solve (no createTask) is left as it is.
    pub fn listen(&mut self, token: [u8; 16], waker: Waker) {
        let Some(desk) = &self.shared.pingback else {
            return;
        };
        if self.token.is_some() {
            return;
        }
        let mut desk = desk.lock().unwrap_or_else(PoisonError::into_inner);
        let url = desk.open(token, self.solver.kind(), waker);
        if self.solver.set_callback_url(url) {
            self.token = Some(token);
        } else {
            desk.close(&token);
        }
    }

    /// What to do next.
    pub fn poll(&mut self, now: Instant) -> Step {
        self.take_delivery(now);
        match self.solver.poll(now) {
            Action::Send(out) => Step::Send {
                limit: self.shared.config.request_limit(Some(out.time_left)),
                request: out.request,
            },
            Action::Wait(until) => Step::Wait(until),
            Action::Done(result) => {
                self.stop_listening();
                if let (Ok(solved), Some(learnt)) = (&result, &self.shared.adaptive) {
                    learnt
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .record_solved(solved);
                }
                Step::Done(result.map_err(|e| {
                    let error = ClientError::from(e).with_transport_detail(self.detail.as_deref());
                    self.shared.scrub(error)
                }))
            }
        }
    }

    /// When the next [`Run::poll`] at `now` would send a request (or may), the longest to wait
    /// for a slot among the client's requests in flight; `None` when it would not. A front end
    /// that takes its slot before it polls holds no request while it waits for one.
    pub fn send_limit(&self, now: Instant) -> Option<Duration> {
        self.solver.sends_at(now).then(|| {
            let left = self
                .solver
                .deadline()
                .map(|d| d.saturating_duration_since(now));
            self.shared.config.request_limit(left)
        })
    }

    /// Hands the answer to the last [`Step::Send`] to the solver. Returns the task's id the
    /// first time it is known (for a log span), and `None` after.
    pub fn answer(
        &mut self,
        now: Instant,
        answer: Result<http::Response<Vec<u8>>, ExchangeFailure>,
    ) -> Option<TaskId> {
        match answer {
            Ok(response) => {
                // The head moves into the borrowed response: nothing is copied.
                let (parts, body) = response.into_parts();
                let response = http::Response::from_parts(parts, body.as_slice());
                self.solver.handle_response(now, response);
            }
            Err(failure) => {
                let (input, text) = failure.into_solver_input();
                self.detail = Some(text);
                self.solver.handle_response(now, input);
            }
        }
        let id = self.solver.task_id().filter(|_| !self.announced);
        self.announced |= id.is_some();
        if let (Some(id), Some(token), Some(desk)) = (id, &self.token, &self.shared.pingback) {
            let mut desk = desk.lock().unwrap_or_else(PoisonError::into_inner);
            desk.set_task_id(token, id);
        }
        id
    }

    /// Hands a delivered result, if one waits, to the solver (once the task id is known).
    fn take_delivery(&mut self, now: Instant) {
        let (Some(token), Some(desk)) = (&self.token, &self.shared.pingback) else {
            return;
        };
        let Some(task_id) = self.solver.task_id() else {
            return;
        };
        let mut desk = desk.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(body) = desk.take(token) else {
            return;
        };
        // A body accepted before the task id was known is checked against it now; one that
        // names another task is dropped, and the real delivery is still taken.
        if named_task_id(&body).is_some_and(|named| named != task_id) {
            desk.reopen(token);
            return;
        }
        drop(desk);
        let _ = self.solver.handle_delivery(now, &body);
    }

    /// Closes this solve's callback URL: later deliveries are refused as late.
    fn stop_listening(&mut self) {
        if let (Some(token), Some(desk)) = (self.token.take(), &self.shared.pingback) {
            desk.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .close(&token);
        }
    }

    /// Where the solve stands, for a progress display.
    pub fn progress(&self, now: Instant) -> Progress {
        self.solver.progress(now)
    }
}

impl Drop for Run<'_> {
    /// A solve dropped before its end (a cancelled future) closes its callback URL too.
    fn drop(&mut self) {
        self.stop_listening();
    }
}

/// How one exchange ended when no usable answer came. A front end maps its HTTP library's error
/// to this, and the core does the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExchangeFailure {
    /// No answer (connect failed, timed out, reset).
    Transport(TransportError),
    /// An answer larger than the cap: cut off and dropped.
    TooLarge(usize),
}

impl ExchangeFailure {
    /// A request without an answer, classified by the core's one rule
    /// ([`TransportFailure::classify`](TransportFailure::classify)) from what the
    /// front end knows. `detail` is the HTTP library's text, already redacted.
    pub fn no_answer(evidence: NoAnswerEvidence, detail: impl Into<String>) -> Self {
        Self::Transport(TransportError::new(
            TransportFailure::classify(evidence),
            detail,
        ))
    }

    /// A request that waited `waited` for a slot among the client's requests in flight and got
    /// none: nothing was sent.
    pub fn no_slot(waited: Duration) -> Self {
        Self::Transport(TransportError::new(
            TransportFailure::ConnectFailed,
            format!(
                "no free request slot within {:.1} s (the client's max_in_flight is reached); nothing was sent",
                waited.as_secs_f64()
            ),
        ))
    }

    /// A request whose whole exchange was cut off at `limit`: it may have arrived.
    pub fn cut_off(limit: Duration) -> Self {
        let detail = format!("cut off after {:.1} s", limit.as_secs_f64());
        Self::Transport(TransportError::new(TransportFailure::TimedOut, detail))
    }

    /// What the solver is told, and the detail kept for the final error (the HTTP library's
    /// text, without the failure's own phrase, which the error repeats).
    pub(crate) fn into_solver_input(self) -> (Input<'static>, String) {
        match self {
            Self::Transport(e) => (Input::Failed(e.failure()), e.detail().to_owned()),
            // An answer cut off at the cap came, but cannot be read: the request arrived.
            Self::TooLarge(limit) => (
                Input::Failed(TransportFailure::Unknown),
                format!("the answer was larger than {limit} bytes and was not read"),
            ),
        }
    }

    /// The error of a single call.
    fn into_error(self, phase: Option<Phase>) -> ClientError {
        match self {
            Self::Transport(error) => ClientError::Transport { error, phase },
            Self::TooLarge(limit) => ClientError::ResponseTooLarge { limit },
        }
    }
}

/// Hands out a different jitter seed for every solve, so that clients (and solves) that fail
/// together back off apart. The front end seeds it once with something random.
#[derive(Debug)]
struct SeedSource(std::sync::atomic::AtomicU64);

impl SeedSource {
    /// A source starting from `initial`.
    fn new(initial: u64) -> Self {
        Self(std::sync::atomic::AtomicU64::new(initial))
    }

    /// The next seed (splitmix64 over a shared counter).
    fn next_seed(&self) -> u64 {
        let mut z = self
            .0
            .fetch_add(0x9E37_79B9_7F4A_7C15, std::sync::atomic::Ordering::Relaxed)
            .wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod seed_tests {
    use super::SeedSource;

    #[test]
    fn seeds_differ_from_call_to_call_and_source_to_source() {
        let a = SeedSource::new(1);
        let b = SeedSource::new(2);
        let xs: Vec<u64> = (0..100).map(|_| a.next_seed()).collect();
        let mut sorted = xs.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 100);
        assert_ne!(a.next_seed(), b.next_seed());
    }
}

#[cfg(test)]
mod send_limit_tests {
    use std::time::{Duration, Instant};

    use super::{Shared, Step};
    use crate::client::ClientConfig;
    use crate::key::ClientKey;
    use crate::task::ImageToTextTask;

    #[test]
    fn a_slot_is_asked_for_only_when_a_request_is_due() {
        let config = ClientConfig::new(ClientKey::new("0123456789abcdef0123456789abcdef").unwrap());
        let timeout = config.request_timeout;
        let policy = config.policy.clone();
        let shared = Shared::new(config, Instant::now(), 7);
        let task = ImageToTextTask::from_image_bytes(&[7; 512]);
        let mut run = shared.solve(task.into(), &policy);
        let t0 = Instant::now();
        // Not started: the first poll sends createTask.
        assert_eq!(run.send_limit(t0), Some(timeout));
        let Step::Send { .. } = run.poll(t0) else {
            panic!("the first poll sends createTask")
        };
        // In flight: nothing to send until the answer comes.
        assert_eq!(run.send_limit(t0), None);
        let created = http::Response::builder()
            .status(200)
            .body(br#"{"errorId":0,"taskId":42}"#.to_vec())
            .unwrap();
        run.answer(t0, Ok(created));
        let Step::Wait(first_poll) = run.poll(t0) else {
            panic!("the first poll waits for its delay")
        };
        assert_eq!(run.send_limit(t0), None, "asleep until the first poll");
        assert_eq!(run.send_limit(first_poll - Duration::from_millis(1)), None);
        // Due: cut to the time left before the deadline, like the request itself.
        let limit = run.send_limit(first_poll).expect("the poll is due");
        assert!(limit <= timeout && limit > Duration::ZERO);
        let Step::Send { limit: sent, .. } = run.poll(first_poll) else {
            panic!("the due poll is sent")
        };
        assert_eq!(sent, limit);
    }
}
