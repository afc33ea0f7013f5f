#![doc = include_str!("../README.md")]
//!
//! ## Examples
//!
//! Every example here runs under `cargo test --doc`. Its hidden lines start a local
//! [capmonster-emulator](https://docs.rs/capmonster-emulator) and point the client at it with a
//! fast polling policy; with your own key, leave those two builder lines out.
//!
//! ### An image, then a report
//!
//! ```
//! use capmonster_blocking::{Client, ImageToTextTask};
//! # use capmonster_blocking::{Policy, TaskKind, Timing};
//! # use capmonster_emulator::{Config, EmulatorHandle, ExampleTarget, SolveTime};
//! # use std::time::Duration;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let ms = Duration::from_millis;
//! # let emulator = EmulatorHandle::start_blocking(
//! #     Config::new().speed(100.0).solve_time(SolveTime::Fixed(Duration::from_secs(5))),
//! # )?;
//! # let row = Timing::new(ms(50), ms(100), Duration::from_secs(10));
//! # let policy = Policy::new().with_min_interval(ms(100)).with_timing(TaskKind::ImageToText, row);
//! # let path = std::env::temp_dir().join(format!("capmonster-doc-{}.png", std::process::id()));
//! # std::fs::write(&path, ExampleTarget::demo_image("h3ll0"))?;
//! let client = Client::builder()
//!     .api_key("YOUR_KEY")
//! #   .base_url(emulator.base_url()).policy(policy)
//!     .build()?;
//! println!("balance: {} USD", client.balance()?.balance);
//! let image = std::fs::read(&path)?; // say, "captcha.png"
//! # std::fs::remove_file(&path)?;
//! let solved = client.solve(ImageToTextTask::from_image_bytes(&image).with_case(true))?;
//! let text = solved.ready.solution.main_value().unwrap_or_default();
//! println!("task {}: {text} ({} polls)", solved.task_id, solved.polls);
//! # assert_eq!(text, "h3ll0");
//!
//! // ... the site said the text was wrong:
//! client.report(&solved)?;
//! // A second report of the same task is refused here, and nothing is sent.
//! assert!(client.report(&solved).is_err());
//! # Ok(()) }
//! ```
//!
//! ### A token with `nocache`, created now and collected later
//!
//! `nocache` asks the service not to answer from its cache of earlier solves (the solver then
//! waits longer before its first poll). [`Client::create_task`] sends one createTask and returns
//! the id; [`Client::wait`] polls a task created earlier (here, or by another process) and never
//! creates one.
//!
//! ```
//! use capmonster_blocking::{Client, RecaptchaV2Task, TaskKind};
//! # use capmonster_blocking::{Policy, Timing};
//! # use capmonster_emulator::{Config, EmulatorHandle, SolveTime};
//! # use std::time::Duration;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let ms = Duration::from_millis;
//! # let emulator = EmulatorHandle::start_blocking(
//! #     Config::new().speed(100.0).solve_time(SolveTime::Fixed(Duration::from_secs(10))),
//! # )?;
//! # let row = Timing::new(ms(50), ms(100), Duration::from_secs(10)).with_first_delay_nocache(ms(50));
//! # let policy = Policy::new().with_min_interval(ms(100)).with_timing(TaskKind::RecaptchaV2, row);
//! let client = Client::builder()
//!     .api_key("YOUR_KEY")
//! #   .base_url(emulator.base_url()).policy(policy)
//!     .build()?;
//! let task = RecaptchaV2Task::new("https://example.com/login", "6Le-SITE-KEY").with_nocache(true);
//! let task_id = client.create_task(task)?;
//! // ... later, or in another process that was handed the id:
//! let solved = client.wait(task_id, TaskKind::RecaptchaV2)?;
//! let token = solved.ready.solution.main_value().unwrap_or_default();
//! println!("task {task_id}: {token}");
//! # assert!(!token.is_empty());
//! # Ok(()) }
//! ```
//!
//! ### A corporate root certificate
//!
//! A proxy that intercepts TLS presents certificates signed by its own root. Add that root (PEM,
//! one or more certificates) to the ones the client trusts; verification stays on.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let root = std::fs::read("corporate-root.pem")?;
//! let client = capmonster_blocking::Client::builder()
//!     .api_key("YOUR_KEY")
//!     .add_root_certificates_pem(root)
//!     .build()?;
//! # drop(client); Ok(()) }
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]

mod resolve;

use std::fmt;
use std::io::ErrorKind;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

pub use capmonster_proto as proto;
pub use capmonster_proto::client::{ClientConfig, DeliveryRefused, FromClientConfig};
pub use capmonster_proto::report::ReportVerdict;
pub use capmonster_proto::solver::{AdaptiveTiming, Phase, Policy, Progress, Solved, Timing};
pub use capmonster_proto::task::*;
pub use capmonster_proto::{
    Balance, ClientError as Error, ClientKey, Dialect, Endpoint, ReportAccepted, Service, TaskId,
    TransportError,
    solution::{Solution, TaskResult},
};

pub use capmonster_proto::accept::{
    AcceptError, AcceptPolicy, Accepted, SiteBook, SitePolicy, Verdict,
};
use capmonster_proto::client::{AcceptStep, ExchangeFailure as Failure, Run, Shared, Step};
use capmonster_proto::solver::NoAnswerEvidence as Evidence;
use capmonster_proto::{GetBalance, GetTaskResult, GetUserAgent, http};

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
    core: Shared,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("key", &self.config().key)
            .field("service", &self.config().service)
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
        #[cfg(any(feature = "rustls", feature = "native-tls"))]
        if !config.extra_root_certificates.is_empty() {
            let tls = ureq::tls::TlsConfig::builder()
                .root_certs(roots_with(&config.extra_root_certificates)?);
            #[cfg(all(feature = "native-tls", not(feature = "rustls")))]
            let tls = tls.provider(ureq::tls::TlsProvider::NativeTls);
            builder = builder.tls_config(tls.build());
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
            tracing::warn!(warning, "secrets are sent in clear text");
        }
        Ok(Self {
            inner: Arc::new(Inner {
                agent: ureq::Agent::with_parts(
                    builder.build(),
                    ureq::unversioned::transport::DefaultConnector::default(),
                    resolve::KeptResolver::default(),
                ),
                slots: Arc::new(Slots::new(config.max_in_flight)),
                core: Shared::new(config, Instant::now(), random_seed()),
            }),
        })
    }
}

/// The webpki roots plus the builder's extra root certificates (PEM). ureq takes a whole root
/// set or none, so the webpki set comes from webpki-root-certs (the same Mozilla list).
#[cfg(any(feature = "rustls", feature = "native-tls"))]
fn roots_with(pems: &[Vec<u8>]) -> Result<ureq::tls::RootCerts, Error> {
    use ureq::tls::{Certificate, PemItem};
    let refused = || {
        Error::from(capmonster_proto::BuildError::from(
            capmonster_proto::ValidationError::new(
                "rootCertificates",
                "must be PEM certificates the TLS library can read (-----BEGIN CERTIFICATE----- blocks)",
            ),
        ))
    };
    let mut certs: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|c| Certificate::from_der(c.as_ref()))
        .collect();
    for pem in pems {
        for item in ureq::tls::parse_pem(pem) {
            let cert = match item.map_err(|_| refused())? {
                PemItem::Certificate(cert) => cert,
                _ => continue,
            };
            // ureq drops a root it cannot parse without a word; refuse it here instead.
            #[cfg(feature = "rustls")]
            rustls::RootCertStore::empty()
                .add(rustls::pki_types::CertificateDer::from(cert.der()))
                .map_err(|_| refused())?;
            certs.push(cert);
        }
    }
    Ok(ureq::tls::RootCerts::new_with_certs(&certs))
}

impl Client {
    /// A builder: key, service profile or base URL, timeouts, policy, proxy, User-Agent, softId.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// Learns each task type's solve times from this client's solves and times the first poll
    /// from them (see [`AdaptiveTiming`]). The learnt data is shared by the client's clones.
    #[must_use]
    pub fn with_adaptive_polling(self, learnt: Arc<Mutex<AdaptiveTiming>>) -> Self {
        let inner = &self.inner;
        let (agent, slots) = (inner.agent.clone(), inner.slots.clone());
        let core = inner.core.with_adaptive(learnt);
        Self {
            inner: Arc::new(Inner { agent, slots, core }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        self.inner.core.config()
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
        let create = self.config().create_task(task.into());
        tracing::Span::current().record("task_type", create.task.kind().display_name());
        self.call(&create, Some(Phase::Create))
    }

    /// One getTaskResult. `kind` types the solution ([`TaskKind::Other`] keeps it raw).
    #[tracing::instrument(name = "capmonster.task_result", skip_all, fields(task_id))]
    pub fn task_result(&self, task_id: TaskId, kind: TaskKind) -> Result<TaskResult, Error> {
        tracing::Span::current().record("task_id", task_id);
        let result = self.call(&GetTaskResult::new(task_id, kind), Some(Phase::Poll))?;
        self.inner.core.check_result(task_id, kind, result)
    }

    /// Solves a task: createTask, then polls on the policy's schedule until it is ready, fails,
    /// or the deadline comes.
    pub fn solve(&self, task: impl Into<Task>) -> Result<Solved, Error> {
        self.solve_with(task, &self.config().policy)
    }

    /// [`Client::solve`] with another policy for this call.
    pub fn solve_with(&self, task: impl Into<Task>, policy: &Policy) -> Result<Solved, Error> {
        let run = self.inner.core.solve(task.into(), policy);
        self.drive(run, &mut |_| {})
    }

    /// [`Client::solve_with`], calling `observer` after each answer (and each request that got
    /// none) with where the solve stands: for a progress display.
    pub fn solve_observed(
        &self,
        task: impl Into<Task>,
        policy: &Policy,
        observer: &mut dyn FnMut(&Progress),
    ) -> Result<Solved, Error> {
        let run = self.inner.core.solve(task.into(), policy);
        self.drive(run, observer)
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
        let run = self.inner.core.resume(task_id, kind);
        self.drive(run, observer)
    }

    /// Solves `task` until the site accepts a token: `check` submits each solved token to the
    /// site and says what it did. A rejection is reported where the service's rules allow it,
    /// and `nocache` is switched on for a site that rejects too much (see
    /// [`capmonster_proto::accept`]). Runs under the client's policy, the default
    /// [`AcceptPolicy`] and the client's own site statistics ([`Client::site_book`]).
    ///
    /// Returns the accepted solve with the history of every attempt, or the error naming every
    /// task it created.
    pub fn solve_accepted(
        &self,
        task: impl Into<Task>,
        check: impl FnMut(&Solved) -> Verdict,
    ) -> Result<Box<Accepted>, Box<AcceptError>> {
        let book = Arc::clone(self.site_book());
        self.solve_accepted_with(task, &AcceptPolicy::default(), &book, check)
    }

    /// [`Client::solve_accepted`] under another acceptance policy, with the statistics in
    /// `book` (one book may serve many clients and loops, and be saved as JSON).
    pub fn solve_accepted_with(
        &self,
        task: impl Into<Task>,
        accept: &AcceptPolicy,
        book: &Mutex<SiteBook>,
        mut check: impl FnMut(&Solved) -> Verdict,
    ) -> Result<Box<Accepted>, Box<AcceptError>> {
        let policy = &self.config().policy;
        let mut run = self.inner.core.accept(task.into(), policy, accept, book);
        loop {
            match run.poll(Instant::now()) {
                AcceptStep::Send { request, limit } => {
                    let answer = self.exchange(request, limit);
                    run.answer(Instant::now(), answer);
                }
                AcceptStep::Wait(until) => {
                    std::thread::sleep(until.saturating_duration_since(Instant::now()))
                }
                AcceptStep::Check(solved) => {
                    let verdict = check(&solved);
                    run.verdict(Instant::now(), verdict);
                }
                AcceptStep::Done(result) => return result,
            }
        }
    }

    /// The client's own per-site acceptance statistics, used by [`Client::solve_accepted`]
    /// and shared by the client's clones: read them out, or save them with
    /// [`SiteBook::to_json`].
    pub fn site_book(&self) -> &Arc<Mutex<SiteBook>> {
        self.inner.core.site_book()
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
        let core = &self.inner.core;
        let planned = core.plan_report(task_id, kind, completed_at, Instant::now())?;
        if let Some(warning) = planned.warning {
            tracing::warn!(warning, "report sent anyway");
        }
        let request = core.build(&planned.request)?;
        let answer = self.exchange(request, self.config().request_timeout);
        core.read_report(&planned, answer)
    }

    /// Pingback mode (see [`ClientBuilder::pingback`]): hands one POST your web server received
    /// under the pingback base to the solve waiting for it, whose thread then wakes and ends the
    /// solve without another poll. `path` is the request's path, `body` its body (answer the
    /// POST at once, whatever this returns). Anything but the first final result for a solve
    /// in flight is refused, and changes nothing.
    pub fn deliver(&self, path: &str, body: &[u8]) -> Result<(), DeliveryRefused> {
        self.inner.core.deliver(path, body)
    }

    /// Sends any endpoint of the core and parses its answer.
    pub fn send<E: Endpoint>(&self, endpoint: &E) -> Result<E::Output, Error> {
        self.call(endpoint, None)
    }

    fn call<E: Endpoint>(&self, endpoint: &E, phase: Option<Phase>) -> Result<E::Output, Error> {
        let request = self.inner.core.build(endpoint)?;
        let answer = self.exchange(request, self.config().request_timeout);
        self.inner.core.read(endpoint, answer, phase)
    }

    fn drive(
        &self,
        mut run: Run<'_>,
        observer: &mut dyn FnMut(&Progress),
    ) -> Result<Solved, Error> {
        let task_type = run.kind().display_name();
        let span = tracing::info_span!(
            "capmonster.solve",
            task_type,
            task_id = tracing::field::Empty
        );
        let _entered = span.enter();
        let pingback = self.config().pingback.is_some() && listen(&mut run);
        loop {
            match run.poll(Instant::now()) {
                Step::Send { request, limit } => {
                    let answer = self.exchange(request, limit);
                    if let Some(id) = run.answer(Instant::now(), answer) {
                        span.record("task_id", id);
                    }
                    observer(&run.progress(Instant::now()));
                }
                Step::Wait(until) => {
                    let wait = until.saturating_duration_since(Instant::now());
                    if pingback {
                        // A delivery unparks this thread (an unpark before the park is kept).
                        std::thread::park_timeout(wait);
                    } else {
                        std::thread::sleep(wait);
                    }
                }
                Step::Done(result) => return result,
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
        let path = request.uri().path();
        let method = path[path.rfind('/').map_or(0, |i| i + 1)..].to_owned();
        let waiting = Instant::now();
        let Some(_slot) = inner.slots.take(limit) else {
            return Err(Failure::no_slot(waiting.elapsed()));
        };
        let limit = limit.saturating_sub(waiting.elapsed());
        // The agent's own timeout is the configured one; only a shorter cut needs a
        // request-level config (which ureq makes by copying the agent's).
        let request = if limit < self.config().request_timeout {
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
        let cap = self.config().max_response_bytes;
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

    fn failure(&self, error: ureq::Error) -> Failure {
        use ureq::Timeout;
        // Only what provably failed before the first request byte left is `BeforeSend`; the
        // core's rule makes every other error, and any error not named here, "may have arrived".
        let evidence = match &error {
            ureq::Error::BodyExceedsLimit(_) => {
                return Failure::TooLarge(self.config().max_response_bytes);
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
        tracing::debug!(failure = ?evidence, "no answer");
        self.inner.core.no_answer(evidence, &error.to_string())
    }
}

/// Pingback mode for `run`: a fresh token from the operating system, and a waker that unparks
/// this thread. False (the solve polls as usual) when the system's source failed.
fn listen(run: &mut Run<'_>) -> bool {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let mut token = [0u8; 16];
    if let Err(error) = getrandom::getrandom(&mut token) {
        tracing::warn!(%error, "no random token for the callback URL: polling instead");
        return false;
    }
    let waker = std::task::Waker::from(Arc::new(Unpark(std::thread::current())));
    run.listen(token, waker);
    true
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

/// A counting gate over the client's requests in flight. A slot free at once costs one lock;
/// the condition variable is only touched when some thread waits.
#[derive(Debug)]
struct Slots {
    gate: Mutex<Gate>,
    freed: Condvar,
}

#[derive(Debug)]
struct Gate {
    free: usize,
    waiting: usize,
}

/// One slot, given back when dropped.
struct Slot<'a>(&'a Slots);

impl Slots {
    fn new(n: usize) -> Self {
        Self {
            gate: Mutex::new(Gate {
                free: n,
                waiting: 0,
            }),
            freed: Condvar::new(),
        }
    }

    /// Takes a slot, waiting at most `limit` for one.
    fn take(&self, limit: Duration) -> Option<Slot<'_>> {
        let mut gate = self.gate.lock().unwrap_or_else(PoisonError::into_inner);
        if gate.free == 0 {
            gate.waiting += 1;
            gate = self
                .freed
                .wait_timeout_while(gate, limit, |g| g.free == 0)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            gate.waiting -= 1;
            if gate.free == 0 {
                return None;
            }
        }
        gate.free -= 1;
        Some(Slot(self))
    }
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        let mut gate = self.0.gate.lock().unwrap_or_else(PoisonError::into_inner);
        gate.free += 1;
        let wake = gate.waiting > 0;
        drop(gate);
        if wake {
            self.0.freed.notify_one();
        }
    }
}
