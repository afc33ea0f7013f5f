#![doc = include_str!("../README.md")]
//!
//! ## Examples
//!
//! Every example here runs under `cargo test --doc`. Its hidden lines start a local
//! [capmonster-emulator](https://docs.rs/capmonster-emulator) and point the client at it with a
//! fast polling policy; with your own key, leave those two builder lines out.
//!
//! ### A token with `nocache`, then a report
//!
//! `nocache` asks the service not to answer from its cache of earlier solves (the solver then
//! waits longer before its first poll). When the site refuses the answer, report it: the client
//! checks the service's rules first (once per task, within its window), and refuses a report the
//! service would refuse, without sending it.
//!
//! ```
//! use capmonster_async::{Client, RecaptchaV2Task};
//! # use capmonster_async::{Policy, TaskKind, Timing};
//! # use capmonster_emulator::{Config, EmulatorHandle, SolveTime};
//! # use std::time::Duration;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let ms = Duration::from_millis;
//! # let emulator = EmulatorHandle::start_blocking(
//! #     Config::new().speed(100.0).solve_time(SolveTime::Fixed(Duration::from_secs(10))),
//! # )?;
//! # let row = Timing::new(ms(50), ms(100), Duration::from_secs(10)).with_first_delay_nocache(ms(50));
//! # let policy = Policy::new().with_min_interval(ms(100)).with_timing(TaskKind::RecaptchaV2, row);
//! # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! # runtime.block_on(async {
//! let client = Client::builder()
//!     .api_key("YOUR_KEY")
//! #   .base_url(emulator.base_url()).policy(policy)
//!     .build()?;
//! let task = RecaptchaV2Task::new("https://example.com/login", "6Le-SITE-KEY").with_nocache(true);
//! let solved = client.solve(task).await?;
//! let token = solved.ready.solution.main_value().unwrap_or_default();
//! println!("task {}: {token} after {} polls", solved.task_id, solved.polls);
//! # assert!(!token.is_empty());
//!
//! // ... the site refused the token:
//! client.report(&solved).await?;
//! // A second report of the same task is refused here, and nothing is sent.
//! assert!(client.report(&solved).await.is_err());
//! # Ok::<(), capmonster_async::Error>(())
//! # })?;
//! # Ok(()) }
//! ```
//!
//! ### Many solves at once, and the balance
//!
//! [`Client::solve_all`] runs many solves with bounded concurrency and yields each result as it
//! finishes, with the task's index; it spawns nothing, so dropping the stream cancels the rest.
//!
//! ```
//! use capmonster_async::{Client, ImageToTextTask};
//! use futures_util::StreamExt as _;
//! # use capmonster_async::{Policy, TaskKind, Timing};
//! # use capmonster_emulator::{Config, EmulatorHandle, ExampleTarget, SolveTime};
//! # use std::time::Duration;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let ms = Duration::from_millis;
//! # let emulator = EmulatorHandle::start_blocking(
//! #     Config::new().speed(100.0).solve_time(SolveTime::Fixed(Duration::from_secs(5))),
//! # )?;
//! # let row = Timing::new(ms(50), ms(100), Duration::from_secs(10));
//! # let policy = Policy::new().with_min_interval(ms(100)).with_timing(TaskKind::ImageToText, row);
//! # let images = ["a1b2", "c3d4", "e5f6"].map(ExampleTarget::demo_image);
//! # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! # runtime.block_on(async {
//! let client = Client::builder()
//!     .api_key("YOUR_KEY")
//! #   .base_url(emulator.base_url()).policy(policy)
//!     .build()?;
//! println!("balance: {} USD", client.balance().await?.balance);
//! let tasks = images.iter().map(|image| ImageToTextTask::from_image_bytes(image));
//! let mut results = client.solve_all(tasks, 2);
//! let mut texts = vec![String::new(); images.len()];
//! while let Some((i, result)) = results.next().await {
//!     texts[i] = result?.ready.solution.main_value().unwrap_or_default().to_owned();
//! }
//! # assert_eq!(texts, ["a1b2", "c3d4", "e5f6"]);
//! # Ok::<(), capmonster_async::Error>(())
//! # })?;
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
//! let client = capmonster_async::Client::builder()
//!     .api_key("YOUR_KEY")
//!     .add_root_certificates_pem(root)
//!     .build()?;
//! # drop(client); Ok(()) }
//! ```
//!
//! ## Cancellation
//!
//! This crate spawns no task: every future does its work when polled, and dropping it cancels
//! it at once, with no request sent after the drop (a scenario test checks this against the
//! emulator's request count). reqwest itself keeps its pooled keep-alive connections as tasks on
//! the runtime; they carry no request of a dropped solve. A task that was already created keeps
//! running on the server and may be charged: its id is in the `capmonster.solve` span's
//! `task_id` field, and [`Client::wait`] can pick it up again.

#![cfg_attr(docsrs, feature(doc_cfg))]

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::FutureExt as _;
use futures_util::stream::{self, Stream, StreamExt};
use tracing::Instrument as _;

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

#[cfg(feature = "pingback-receiver")]
#[cfg_attr(docsrs, doc(cfg(feature = "pingback-receiver")))]
pub use receiver::serve_pingbacks;

#[cfg(feature = "pingback-receiver")]
mod receiver;

pub use capmonster_proto::accept::{
    AcceptError, AcceptPolicy, Accepted, SiteBook, SitePolicy, Verdict,
};
use capmonster_proto::client::{AcceptStep, ExchangeFailure as Failure, Run, Shared, Step};
use capmonster_proto::solver::NoAnswerEvidence as Evidence;
use capmonster_proto::{GetBalance, GetTaskResult, GetUserAgent, http};

/// The builder of a [`Client`].
pub type ClientBuilder = capmonster_proto::client::ClientBuilder<Client>;

/// An async client. Cheap to clone (the clones share one connection pool), `Send + Sync`.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    slots: Arc<tokio::sync::Semaphore>,
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

fn invalid(field: &str, rule: &str) -> Error {
    capmonster_proto::BuildError::from(capmonster_proto::ValidationError::new(field, rule)).into()
}

impl FromClientConfig for Client {
    fn from_client_config(config: ClientConfig) -> Result<Self, Error> {
        let mut builder = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .retry(reqwest::retry::never())
            .pool_max_idle_per_host(config.max_in_flight);
        #[cfg(feature = "rustls")]
        {
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let mut roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            add_extra_roots(&mut roots, &config.extra_root_certificates)?;
            let tls = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|_| invalid("tls", "the ring provider offers no safe protocol version"))?
                .with_root_certificates(roots)
                .with_no_client_auth();
            builder = builder.tls_backend_preconfigured(tls);
        }
        #[cfg(all(feature = "native-tls", not(feature = "rustls")))]
        for pem in &config.extra_root_certificates {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|_| invalid("rootCertificates", EXTRA_ROOT_RULE))?;
            builder = builder.tls_certs_merge(certs);
        }
        builder =
            match &config.outbound_proxy {
                Some(url) => builder.proxy(reqwest::Proxy::all(url).map_err(|_| {
                    invalid("outboundProxy", "is not a proxy URL reqwest understands")
                })?),
                // The environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY) is not read, as
                // in the blocking client: the key goes only where the builder says.
                None => builder.no_proxy(),
            };
        if let Some(warning) = config.cleartext_warning() {
            tracing::warn!(warning, "secrets are sent in clear text");
        }
        let http = builder
            .build()
            .map_err(|_| invalid("tls", "the HTTP client could not be built"))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                slots: Arc::new(tokio::sync::Semaphore::new(config.max_in_flight)),
                core: Shared::new(config, Instant::now(), random_seed()),
            }),
        })
    }
}

/// What an extra root certificate must be, for the error that refuses one.
#[cfg(any(feature = "rustls", feature = "native-tls"))]
const EXTRA_ROOT_RULE: &str =
    "must be PEM certificates the TLS library can read (-----BEGIN CERTIFICATE----- blocks)";

/// Adds the builder's extra root certificates (PEM) to the webpki roots.
#[cfg(feature = "rustls")]
fn add_extra_roots(roots: &mut rustls::RootCertStore, pems: &[Vec<u8>]) -> Result<(), Error> {
    use rustls::pki_types::{CertificateDer, pem::PemObject as _};
    for pem in pems {
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|_| invalid("rootCertificates", EXTRA_ROOT_RULE))?;
            roots
                .add(cert)
                .map_err(|_| invalid("rootCertificates", EXTRA_ROOT_RULE))?;
        }
    }
    Ok(())
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
        let (http, slots) = (inner.http.clone(), inner.slots.clone());
        let core = inner.core.with_adaptive(learnt);
        Self {
            inner: Arc::new(Inner { http, slots, core }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        self.inner.core.config()
    }

    /// The account balance.
    pub async fn balance(&self) -> Result<Balance, Error> {
        let span = tracing::info_span!("capmonster.balance");
        self.send(&GetBalance).instrument(span).await
    }

    /// The current browser User-Agent the service recommends (getUserAgent).
    pub async fn user_agent(&self) -> Result<String, Error> {
        let span = tracing::info_span!("capmonster.user_agent");
        self.send(&GetUserAgent).instrument(span).await
    }

    /// Sends one createTask (no retries: see [`Client::solve`] for the whole solve).
    pub async fn create_task(&self, task: impl Into<Task>) -> Result<TaskId, Error> {
        let create = self.config().create_task(task.into());
        let span = tracing::info_span!(
            "capmonster.create_task",
            task_type = create.task.kind().display_name()
        );
        self.call(&create, Some(Phase::Create))
            .instrument(span)
            .await
    }

    /// One getTaskResult. `kind` types the solution ([`TaskKind::Other`] keeps it raw).
    pub async fn task_result(&self, task_id: TaskId, kind: TaskKind) -> Result<TaskResult, Error> {
        let span = tracing::info_span!("capmonster.task_result", task_id);
        let result = self
            .call(&GetTaskResult::new(task_id, kind), Some(Phase::Poll))
            .instrument(span)
            .await?;
        self.inner.core.check_result(task_id, kind, result)
    }

    /// Solves a task: createTask, then polls on the policy's schedule until it is ready, fails,
    /// or the deadline comes. Dropping the future cancels the solve (see the crate docs).
    pub async fn solve(&self, task: impl Into<Task>) -> Result<Solved, Error> {
        self.solve_with(task, &self.config().policy).await
    }

    /// [`Client::solve`] with another policy for this call.
    pub async fn solve_with(
        &self,
        task: impl Into<Task>,
        policy: &Policy,
    ) -> Result<Solved, Error> {
        let run = self.inner.core.solve(task.into(), policy);
        self.drive(run, |_| {}).await
    }

    /// [`Client::solve_with`], calling `observer` after each answer (and each request that got
    /// none) with where the solve stands: for a progress display.
    pub async fn solve_observed(
        &self,
        task: impl Into<Task>,
        policy: &Policy,
        observer: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<Solved, Error> {
        let run = self.inner.core.solve(task.into(), policy);
        self.drive(run, observer).await
    }

    /// Waits for a task created earlier (by [`Client::create_task`], or elsewhere).
    pub async fn wait(&self, task_id: TaskId, kind: TaskKind) -> Result<Solved, Error> {
        self.wait_observed(task_id, kind, &mut |_| {}).await
    }

    /// [`Client::wait`], calling `observer` as [`Client::solve_observed`] does.
    pub async fn wait_observed(
        &self,
        task_id: TaskId,
        kind: TaskKind,
        observer: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<Solved, Error> {
        let run = self.inner.core.resume(task_id, kind);
        self.drive(run, observer).await
    }

    /// Solves many tasks, at most `concurrency` at a time, and yields each result as it finishes,
    /// with the task's index in `tasks`. Nothing is spawned: the stream drives the solves when
    /// polled, and dropping it cancels those in flight.
    pub fn solve_all<'a, I>(
        &'a self,
        tasks: I,
        concurrency: usize,
    ) -> impl Stream<Item = (usize, Result<Solved, Error>)> + 'a
    where
        I: IntoIterator + 'a,
        I::IntoIter: 'a,
        I::Item: Into<Task>,
    {
        let policy = &self.config().policy;
        stream::iter(tasks.into_iter().enumerate())
            .map(move |(i, task)| {
                // The task goes into the run at once, so that each solve in flight holds it once.
                let run = self.inner.core.solve(task.into(), policy);
                self.drive(run, |_| {}).map(move |result| (i, result))
            })
            .buffer_unordered(concurrency.max(1))
    }

    /// Solves `task` until the site accepts a token: `check` submits each solved token to the
    /// site and resolves to what it did. A rejection is reported where the service's rules
    /// allow it, and `nocache` is switched on for a site that rejects too much (see
    /// [`capmonster_proto::accept`]). Runs under the client's policy, the default
    /// [`AcceptPolicy`] and the client's own site statistics ([`Client::site_book`]).
    ///
    /// Returns the accepted solve with the history of every attempt, or the error naming every
    /// task it created. Dropping the future stops the loop; tasks already created are not lost
    /// to the service, but the history is.
    pub async fn solve_accepted<F, Fut>(
        &self,
        task: impl Into<Task>,
        check: F,
    ) -> Result<Box<Accepted>, Box<AcceptError>>
    where
        F: FnMut(&Solved) -> Fut,
        Fut: Future<Output = Verdict>,
    {
        let book = Arc::clone(self.site_book());
        self.solve_accepted_with(task, &AcceptPolicy::default(), &book, check)
            .await
    }

    /// [`Client::solve_accepted`] under another acceptance policy, with the statistics in
    /// `book` (one book may serve many clients and loops, and be saved as JSON).
    pub async fn solve_accepted_with<F, Fut>(
        &self,
        task: impl Into<Task>,
        accept: &AcceptPolicy,
        book: &Mutex<SiteBook>,
        mut check: F,
    ) -> Result<Box<Accepted>, Box<AcceptError>>
    where
        F: FnMut(&Solved) -> Fut,
        Fut: Future<Output = Verdict>,
    {
        let policy = &self.config().policy;
        let mut run = self.inner.core.accept(task.into(), policy, accept, book);
        loop {
            match run.poll(Instant::now()) {
                AcceptStep::Send { request, limit } => {
                    let answer = self.exchange(request, limit).await;
                    run.answer(Instant::now(), answer);
                }
                AcceptStep::Wait(until) => tokio::time::sleep_until(until.into()).await,
                AcceptStep::Check(solved) => {
                    let verdict = check(&solved).await;
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
    pub async fn report(&self, solved: &Solved) -> Result<ReportAccepted, Error> {
        self.report_task(solved.task_id, solved.kind, solved.completed_at)
            .await
    }

    /// Reports task `task_id` of kind `kind`, completed at `completed_at`, as wrong.
    pub async fn report_task(
        &self,
        task_id: TaskId,
        kind: TaskKind,
        completed_at: Instant,
    ) -> Result<ReportAccepted, Error> {
        let span = tracing::info_span!("capmonster.report", task_id);
        let core = &self.inner.core;
        let planned = core.plan_report(task_id, kind, completed_at, Instant::now())?;
        if let Some(warning) = planned.warning {
            tracing::warn!(parent: &span, warning, "report sent anyway");
        }
        let request = core.build(&planned.request)?;
        let answer = self.exchange(request, self.config().request_timeout);
        core.read_report(&planned, answer.instrument(span).await)
    }

    /// Pingback mode (see [`ClientBuilder::pingback`]): hands one POST your web server received
    /// under the pingback base to the solve waiting for it, which then ends without another
    /// poll. `path` is the request's path, `body` its body (answer the POST at once, whatever
    /// this returns). Anything but the first final result for a solve in flight is refused, and
    /// changes nothing.
    pub fn deliver(&self, path: &str, body: &[u8]) -> Result<(), DeliveryRefused> {
        self.inner.core.deliver(path, body)
    }

    /// Sends any endpoint of the core and parses its answer.
    pub async fn send<E: Endpoint>(&self, endpoint: &E) -> Result<E::Output, Error> {
        self.call(endpoint, None).await
    }

    async fn call<E: Endpoint>(
        &self,
        endpoint: &E,
        phase: Option<Phase>,
    ) -> Result<E::Output, Error> {
        let request = self.inner.core.build(endpoint)?;
        let answer = self.exchange(request, self.config().request_timeout).await;
        self.inner.core.read(endpoint, answer, phase)
    }

    // Not an `async fn`: its future would hold the run twice (as the argument and as the local
    // the body uses), and the run is most of what a solve asleep holds.
    #[allow(
        clippy::manual_async_fn,
        reason = "an async fn would hold the run twice"
    )]
    fn drive<'a>(
        &'a self,
        mut run: Run<'a>,
        mut observer: impl FnMut(&Progress) + Send + 'a,
    ) -> impl Future<Output = Result<Solved, Error>> + Send + 'a {
        async move {
            let task_type = run.kind().display_name();
            let span = tracing::info_span!(
                "capmonster.solve",
                task_type,
                task_id = tracing::field::Empty
            );
            let delivered = self
                .config()
                .pingback
                .as_ref()
                .and_then(|_| listen(&mut run));
            loop {
                // A solve about to send takes its slot first: solves queued for a slot (most of
                // them, when thousands start at once) then hold no request.
                let slot = match run.send_limit(Instant::now()) {
                    Some(limit) => Some(self.take_slot(limit).await),
                    None => None,
                };
                // The step is taken apart before any await, so that a solve asleep or in flight
                // does not hold it too.
                let (request, limit) = match run.poll(Instant::now()) {
                    Step::Send { request, limit } => (request, limit),
                    Step::Wait(until) => {
                        drop(slot);
                        match &delivered {
                            // A delivery wakes the wait; a permit stored before it waits is not
                            // lost.
                            Some(notify) => {
                                let _ =
                                    tokio::time::timeout_at(until.into(), notify.notified()).await;
                            }
                            None => tokio::time::sleep_until(until.into()).await,
                        }
                        continue;
                    }
                    Step::Done(result) => return result,
                };
                let answer = match slot {
                    Some(Ok(slot)) => {
                        let send = Box::pin(self.send_now(request, limit, slot));
                        send.instrument(span.clone()).await
                    }
                    Some(Err(no_slot)) => Err(no_slot),
                    None => self.exchange(request, limit).instrument(span.clone()).await,
                };
                if let Some(id) = run.answer(Instant::now(), answer) {
                    span.record("task_id", id);
                }
                observer(&run.progress(Instant::now()));
            }
        }
    }

    /// Sends one request and reads its answer, whatever its status, up to the size cap. The
    /// whole exchange, body included, is cut at `limit`.
    async fn exchange(
        &self,
        request: http::Request<Vec<u8>>,
        limit: Duration,
    ) -> Result<http::Response<Vec<u8>>, Failure> {
        let waiting = Instant::now();
        let slot = self.take_slot(limit).await?;
        let limit = limit.saturating_sub(waiting.elapsed());
        Box::pin(self.send_now(request, limit, slot)).await
    }

    /// One of the client's `max_in_flight` request slots, waiting at most `limit` for it.
    async fn take_slot(
        &self,
        limit: Duration,
    ) -> Result<tokio::sync::SemaphorePermit<'_>, Failure> {
        let waiting = Instant::now();
        match tokio::time::timeout(limit, self.inner.slots.acquire()).await {
            Ok(Ok(slot)) => Ok(slot),
            _ => Err(Failure::no_slot(waiting.elapsed())),
        }
    }

    /// Sends a request that holds its slot, and reads its answer (boxed by the callers: a solve
    /// spends most of its time asleep or waiting for a slot, and does not hold this meanwhile).
    async fn send_now(
        &self,
        request: http::Request<Vec<u8>>,
        limit: Duration,
        _slot: tokio::sync::SemaphorePermit<'_>,
    ) -> Result<http::Response<Vec<u8>>, Failure> {
        let path = request.uri().path();
        let method = path[path.rfind('/').map_or(0, |i| i + 1)..].to_owned();
        let mut request = reqwest::Request::try_from(request).map_err(|e| self.failure(&e))?;
        *request.timeout_mut() = Some(limit);
        let exchange = async {
            let mut response = self
                .inner
                .http
                .execute(request)
                .await
                .map_err(|e| self.failure(&e))?;
            let cap = self.config().max_response_bytes;
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(|e| self.failure(&e))? {
                if body.len() + chunk.len() > cap {
                    return Err(Failure::TooLarge(cap));
                }
                body.extend_from_slice(&chunk);
            }
            let mut out = http::Response::new(body);
            *out.status_mut() = response.status();
            *out.headers_mut() = std::mem::take(response.headers_mut());
            Ok(out)
        };
        let out = match tokio::time::timeout(limit, exchange).await {
            Ok(result) => result?,
            Err(_) => return Err(Failure::cut_off(limit)),
        };
        tracing::debug!(
            method,
            status = out.status().as_u16(),
            bytes = out.body().len(),
            "answer"
        );
        Ok(out)
    }

    fn failure(&self, error: &reqwest::Error) -> Failure {
        // Only what provably failed before the first request byte left is `BeforeSend` (reqwest's
        // connect phase covers DNS, TCP and TLS; a builder error is raised before connecting).
        // The core's rule makes everything else "may have arrived".
        let evidence = if error.is_connect() || error.is_builder() {
            Evidence::BeforeSend
        } else if error.is_timeout() {
            Evidence::TimedOut
        } else {
            Evidence::Unrecognised
        };
        tracing::debug!(failure = ?evidence, "no answer");
        self.inner.core.no_answer(evidence, &error_chain(error))
    }
}

/// The error and its sources on one line, without the URL.
fn error_chain(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(url.as_str(), "[url]");
    }
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Pingback mode for `run`: a fresh token from the operating system, and a waker that
/// notifies the returned `Notify`. Without a token (the system's source failed), the solve
/// polls as usual.
fn listen(run: &mut Run<'_>) -> Option<Arc<tokio::sync::Notify>> {
    struct Wake(Arc<tokio::sync::Notify>);
    impl std::task::Wake for Wake {
        fn wake(self: Arc<Self>) {
            self.0.notify_one();
        }
    }
    let mut token = [0u8; 16];
    if let Err(error) = getrandom::getrandom(&mut token) {
        tracing::warn!(%error, "no random token for the callback URL: polling instead");
        return None;
    }
    let notify = Arc::new(tokio::sync::Notify::new());
    let waker = std::task::Waker::from(Arc::new(Wake(Arc::clone(&notify))));
    run.listen(token, waker);
    Some(notify)
}

/// A random starting point for the jitter seeds, from the standard library's hasher keys.
fn random_seed() -> u64 {
    use std::hash::BuildHasher as _;
    std::collections::hash_map::RandomState::new().hash_one(Instant::now())
}
