//! # capmonster-blocking
//!
//! A blocking client for the [CapMonster Cloud](https://capmonster.cloud) captcha-solving API
//! (and the Anti-Captcha, 2Captcha and in.php/res.php dialects), on [ureq] 3. It is a thin loop
//! around [`capmonster_proto`], which builds every request, reads every answer, and decides when
//! to poll, retry and stop. There is no async runtime anywhere in its dependency tree.
//!
//! ```no_run
//! use capmonster_blocking::{Client, ImageToTextTask};
//!
//! let client = Client::builder().api_key("YOUR_KEY").build()?;
//! println!("balance: {}", client.balance()?.balance);
//! let image = std::fs::read("captcha.png").expect("an image");
//! let solved = client.solve(ImageToTextTask::from_image_bytes(&image))?;
//! println!("text: {}", solved.ready.solution.main_value().unwrap_or_default());
//! # Ok::<(), capmonster_blocking::Error>(())
//! ```
//!
//! A blocking call cannot be cancelled from outside: every solve has a deadline (the policy's,
//! 180 s for token types by default), and the request in flight is cut at it.
//!
//! | feature | default | what it does |
//! |---|---|---|
//! | `rustls` | yes | TLS through rustls (ring) with the webpki roots |
//! | `native-tls` | no | TLS through the platform's library (used when `rustls` is off) |
//!
//! Certificate verification is always on; there is no switch to turn it off.

#![cfg_attr(docsrs, feature(doc_cfg))]

use std::fmt;
use std::io::ErrorKind;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

pub use capmonster_proto as proto;
pub use capmonster_proto::client::{ClientConfig, FromClientConfig};
pub use capmonster_proto::report::ReportVerdict;
pub use capmonster_proto::solver::{AdaptiveTiming, Phase, Policy, Progress, Solved, Timing};
pub use capmonster_proto::task::*;
pub use capmonster_proto::{
    Balance, ClientError as Error, ClientKey, Dialect, Endpoint, ReportAccepted, Service, Solution,
    TaskId, TaskResult, TransportError,
};

use capmonster_proto::client::{
    ExchangeFailure as Failure, ReportDesk, SeedSource, borrow_response, method_of, no_slot_failure,
};
use capmonster_proto::solver::{Action, NoAnswerEvidence as Evidence, Solver};
use capmonster_proto::{GetBalance, GetTaskResult, GetUserAgent, http, redact};

/// The builder of a [`Client`].
pub type ClientBuilder = capmonster_proto::client::ClientBuilder<Client>;

/// A blocking client. Cheap to clone (the clones share one connection pool), `Send + Sync`.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    agent: ureq::Agent,
    slots: Arc<Slots>,
    config: ClientConfig,
    secrets: Vec<String>,
    desk: Mutex<ReportDesk>,
    seeds: SeedSource,
    adaptive: Option<Arc<Mutex<AdaptiveTiming>>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("key", &self.inner.config.key)
            .field("service", &self.inner.config.service)
            .finish_non_exhaustive()
    }
}

impl FromClientConfig for Client {
    fn from_client_config(config: ClientConfig) -> Result<Self, Error> {
        let mut builder = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(config.request_timeout))
            .max_idle_connections(512)
            .max_idle_connections_per_host(512);
        #[cfg(all(feature = "native-tls", not(feature = "rustls")))]
        {
            builder = builder.tls_config(
                ureq::tls::TlsConfig::builder()
                    .provider(ureq::tls::TlsProvider::NativeTls)
                    .build(),
            );
        }
        if let Some(url) = &config.outbound_proxy {
            let proxy = ureq::Proxy::new(url).map_err(|_| {
                capmonster_proto::BuildError::from(capmonster_proto::ValidationError::new(
                    "outboundProxy",
                    "is not a proxy URL ureq understands (http://, https://, socks4://, socks5://)",
                ))
            })?;
            builder = builder.proxy(Some(proxy));
        } else {
            // The environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY) is not read, as in
            // the async client: the key goes only where the builder says.
            builder = builder.proxy(None);
        }
        if let Some(warning) = config.cleartext_warning() {
            tracing::warn!(warning, "the key is sent in clear text");
        }
        let secrets = config.secrets();
        Ok(Self {
            inner: Arc::new(Inner {
                agent: builder.build().into(),
                slots: Arc::new(Slots::new(config.max_in_flight)),
                secrets,
                desk: Mutex::new(ReportDesk::new(Instant::now())),
                seeds: SeedSource::new(random_seed()),
                adaptive: None,
                config,
            }),
        })
    }
}

impl Client {
    /// A builder: key, service profile or base URL, timeouts, policy, proxy, User-Agent, softId.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// Learns each task type's solve times from this client's solves and times the first poll
    /// from them (see [`AdaptiveTiming`]). The learnt data is shared by the client's clones.
    #[must_use]
    pub fn with_adaptive_polling(mut self, learnt: Arc<Mutex<AdaptiveTiming>>) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.adaptive = Some(learnt);
            return self;
        }
        let inner = &self.inner;
        Self {
            inner: Arc::new(Inner {
                agent: inner.agent.clone(),
                slots: inner.slots.clone(),
                config: inner.config.clone(),
                secrets: inner.secrets.clone(),
                desk: Mutex::new(ReportDesk::new(Instant::now())),
                seeds: SeedSource::new(random_seed()),
                adaptive: Some(learnt),
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The account balance.
    #[tracing::instrument(name = "capmonster.balance", skip_all)]
    pub fn balance(&self) -> Result<Balance, Error> {
        self.send(&GetBalance)
    }

    /// The current browser User-Agent the service recommends (getUserAgent).
    #[tracing::instrument(name = "capmonster.user_agent", skip_all)]
    pub fn user_agent(&self) -> Result<String, Error> {
        self.send(&GetUserAgent)
    }

    /// Sends one createTask (no retries: see [`Client::solve`] for the whole solve).
    #[tracing::instrument(name = "capmonster.create_task", skip_all, fields(task_type))]
    pub fn create_task(&self, task: impl Into<Task>) -> Result<TaskId, Error> {
        let create = self.inner.config.create_task(task.into());
        tracing::Span::current().record("task_type", create.task.kind().display_name());
        self.call(&create, Some(Phase::Create))
    }

    /// One getTaskResult. `kind` types the solution ([`TaskKind::Other`] keeps it raw).
    #[tracing::instrument(name = "capmonster.task_result", skip_all, fields(task_id))]
    pub fn task_result(&self, task_id: TaskId, kind: TaskKind) -> Result<TaskResult, Error> {
        tracing::Span::current().record("task_id", task_id);
        self.call(&GetTaskResult::new(task_id, kind), Some(Phase::Poll))
    }

    /// Solves a task: createTask, then polls on the policy's schedule until it is ready, fails,
    /// or the deadline comes.
    pub fn solve(&self, task: impl Into<Task>) -> Result<Solved, Error> {
        self.solve_with(task, &self.inner.config.policy)
    }

    /// [`Client::solve`] with another policy for this call.
    pub fn solve_with(&self, task: impl Into<Task>, policy: &Policy) -> Result<Solved, Error> {
        let config = &self.inner.config;
        let solver = Solver::new(
            config.create_task(task.into()),
            &config.key,
            &config.service,
            policy,
        );
        self.drive(solver, &mut |_| {})
    }

    /// [`Client::solve_with`], calling `observer` after each answer (and each request that got
    /// none) with where the solve stands: for a progress display.
    pub fn solve_observed(
        &self,
        task: impl Into<Task>,
        policy: &Policy,
        observer: &mut dyn FnMut(&Progress),
    ) -> Result<Solved, Error> {
        let config = &self.inner.config;
        let solver = Solver::new(
            config.create_task(task.into()),
            &config.key,
            &config.service,
            policy,
        );
        self.drive(solver, observer)
    }

    /// Waits for a task created earlier (by [`Client::create_task`], or elsewhere).
    pub fn wait(&self, task_id: TaskId, kind: TaskKind) -> Result<Solved, Error> {
        self.wait_observed(task_id, kind, &mut |_| {})
    }

    /// [`Client::wait`], calling `observer` as [`Client::solve_observed`] does.
    pub fn wait_observed(
        &self,
        task_id: TaskId,
        kind: TaskKind,
        observer: &mut dyn FnMut(&Progress),
    ) -> Result<Solved, Error> {
        let config = &self.inner.config;
        let solver = Solver::resume(task_id, kind, &config.key, &config.service, &config.policy);
        self.drive(solver, observer)
    }

    /// Reports a solved task's answer as wrong, through the endpoint that fits its type and the
    /// service. The service's rules (window, once per task, which types) are checked first: a
    /// report sure to be refused is refused here, and nothing is sent.
    #[tracing::instrument(name = "capmonster.report", skip_all, fields(task_id = solved.task_id))]
    pub fn report(&self, solved: &Solved) -> Result<ReportAccepted, Error> {
        self.report_task(solved.task_id, solved.kind, solved.completed_at)
    }

    /// Reports task `task_id` of kind `kind`, completed at `completed_at`, as wrong.
    pub fn report_task(
        &self,
        task_id: TaskId,
        kind: TaskKind,
        completed_at: Instant,
    ) -> Result<ReportAccepted, Error> {
        let service = &self.inner.config.service;
        let desk = || {
            self.inner
                .desk
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
        };
        let planned = desk().plan(
            service,
            kind,
            task_id,
            completed_at,
            ReportVerdict::Incorrect,
            Instant::now(),
        )?;
        if let Some(warning) = planned.warning {
            tracing::warn!(warning, "report sent anyway");
        }
        let sent = self.send(&planned.request);
        desk().settle(service, task_id, &sent);
        sent
    }

    /// Sends any endpoint of the core and parses its answer.
    pub fn send<E: Endpoint>(&self, endpoint: &E) -> Result<E::Output, Error> {
        self.call(endpoint, None)
    }

    fn call<E: Endpoint>(&self, endpoint: &E, phase: Option<Phase>) -> Result<E::Output, Error> {
        let config = &self.inner.config;
        let request = endpoint.build(&config.service, &config.key)?;
        match self.exchange(request, config.request_timeout) {
            Ok(response) => endpoint
                .parse(&config.service, borrow_response(&response))
                .map_err(|e| self.scrub(Error::from_response(e, phase))),
            Err(failure) => Err(failure.into_error(phase)),
        }
    }

    fn drive(
        &self,
        mut solver: Solver,
        observer: &mut dyn FnMut(&Progress),
    ) -> Result<Solved, Error> {
        solver = solver.with_jitter_seed(self.inner.seeds.next_seed());
        if let Some(learnt) = &self.inner.adaptive {
            solver = solver.with_adaptive(&learnt.lock().unwrap_or_else(PoisonError::into_inner));
        }
        let span = tracing::info_span!(
            "capmonster.solve",
            task_type = solver.kind().display_name(),
            task_id = tracing::field::Empty
        );
        let _entered = span.enter();
        let mut detail = None;
        let mut recorded = false;
        loop {
            match solver.poll(Instant::now()) {
                Action::Send(out) => {
                    let limit = self.inner.config.request_limit(Some(out.time_left));
                    match self.exchange(out.request, limit) {
                        Ok(response) => solver.handle_response(Instant::now(), &response),
                        Err(failure) => {
                            let (input, text) = failure.into_solver_input();
                            detail = Some(text);
                            solver.handle_response(Instant::now(), input)
                        }
                    }
                    // Recorded once: a subscriber shows every recording of a field.
                    if !recorded && let Some(id) = solver.task_id() {
                        span.record("task_id", id);
                        recorded = true;
                    }
                    observer(&solver.progress(Instant::now()));
                }
                Action::Wait(until) => {
                    std::thread::sleep(until.saturating_duration_since(Instant::now()));
                }
                Action::Done(result) => {
                    if let (Ok(solved), Some(learnt)) = (&result, &self.inner.adaptive) {
                        learnt
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .record_solved(solved);
                    }
                    return result.map_err(|e| {
                        self.scrub(Error::from(e).with_transport_detail(detail.as_deref()))
                    });
                }
            }
        }
    }

    /// Sends one request and reads its answer, whatever its status, up to the size cap.
    fn exchange(
        &self,
        request: http::Request<Vec<u8>>,
        limit: Duration,
    ) -> Result<http::Response<Vec<u8>>, Failure> {
        let inner = &self.inner;
        let method = method_of(&request).to_owned();
        let waiting = Instant::now();
        let Some(_slot) = inner.slots.take(limit) else {
            return Err(no_slot_failure(waiting.elapsed()));
        };
        let limit = limit.saturating_sub(waiting.elapsed());
        // The agent's own timeout is the configured one; only a shorter cut needs a
        // request-level config (which ureq makes by copying the agent's).
        let request = if limit < inner.config.request_timeout {
            inner
                .agent
                .configure_request(request)
                .timeout_global(Some(limit))
                .build()
        } else {
            request
        };
        let response = inner.agent.run(request).map_err(|e| self.failure(e))?;
        let (parts, body) = response.into_parts();
        let cap = inner.config.max_response_bytes;
        let body = body
            .into_with_config()
            .limit(cap as u64)
            .read_to_vec()
            .map_err(|e| self.failure(e))?;
        tracing::debug!(
            method,
            status = parts.status.as_u16(),
            bytes = body.len(),
            "answer"
        );
        Ok(http::Response::from_parts(parts, body))
    }

    /// Scrubs the key and the proxy password from everything in `error` that came from the
    /// server (the core's rule, with this client's secrets).
    fn scrub(&self, error: Error) -> Error {
        let secrets: Vec<&str> = self.inner.secrets.iter().map(String::as_str).collect();
        error.scrub(&secrets)
    }

    fn failure(&self, error: ureq::Error) -> Failure {
        use ureq::Timeout;
        // Only what provably failed before the first request byte left is `BeforeSend`; the
        // core's rule makes every other error, and any error not named here, "may have arrived".
        let evidence = match &error {
            ureq::Error::BodyExceedsLimit(_) => {
                return Failure::TooLarge(self.inner.config.max_response_bytes);
            }
            ureq::Error::Timeout(Timeout::Resolve | Timeout::Connect)
            | ureq::Error::HostNotFound
            | ureq::Error::BadUri(_)
            | ureq::Error::ConnectProxyFailed(_)
            | ureq::Error::InvalidProxyUrl => Evidence::BeforeSend,
            ureq::Error::Timeout(_) => Evidence::TimedOut,
            ureq::Error::Io(io) if is_tls_refusal(io) => Evidence::BeforeSend,
            ureq::Error::Io(io) => match io.kind() {
                ErrorKind::ConnectionRefused | ErrorKind::AddrNotAvailable => Evidence::BeforeSend,
                ErrorKind::TimedOut | ErrorKind::WouldBlock => Evidence::TimedOut,
                ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::BrokenPipe
                | ErrorKind::UnexpectedEof => Evidence::Broken,
                _ => Evidence::Unrecognised,
            },
            _ => Evidence::Unrecognised,
        };
        let secrets: Vec<&str> = self.inner.secrets.iter().map(String::as_str).collect();
        let detail = redact(&error.to_string(), &secrets);
        let failure = Failure::no_answer(evidence, detail);
        tracing::debug!(failure = ?evidence, "no answer");
        failure
    }
}

/// A random starting point for the jitter seeds, from the standard library's hasher keys.
fn random_seed() -> u64 {
    use std::hash::BuildHasher as _;
    std::collections::hash_map::RandomState::new().hash_one(Instant::now())
}

/// A TLS handshake the client refused (bad certificate, no shared protocol): these can only
/// happen during the handshake, before any request byte is written, so nothing was sent. An
/// alert is not among them: one can come after the request was sent.
fn is_tls_refusal(io: &std::io::Error) -> bool {
    #[cfg(feature = "rustls")]
    if let Some(tls) = io.get_ref().and_then(|e| e.downcast_ref::<rustls::Error>()) {
        return matches!(
            tls,
            rustls::Error::InvalidCertificate(_)
                | rustls::Error::NoCertificatesPresented
                | rustls::Error::PeerIncompatible(_)
                | rustls::Error::InappropriateHandshakeMessage { .. }
        );
    }
    let _ = io;
    false
}

/// A counting gate over the client's requests in flight.
#[derive(Debug)]
struct Slots {
    free: Mutex<usize>,
    freed: Condvar,
}

/// One slot, given back when dropped.
struct Slot<'a>(&'a Slots);

impl Slots {
    fn new(n: usize) -> Self {
        Self {
            free: Mutex::new(n),
            freed: Condvar::new(),
        }
    }

    /// Takes a slot, waiting at most `limit` for one.
    fn take(&self, limit: Duration) -> Option<Slot<'_>> {
        let free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        let (mut free, _) = self
            .freed
            .wait_timeout_while(free, limit, |free| *free == 0)
            .unwrap_or_else(PoisonError::into_inner);
        if *free == 0 {
            return None;
        }
        *free -= 1;
        Some(Slot(self))
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.0.freed.notify_one();
    }
}
