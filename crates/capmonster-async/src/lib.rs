//! # capmonster-async
//!
//! An async client for the [CapMonster Cloud](https://capmonster.cloud) captcha-solving API (and
//! the Anti-Captcha, 2Captcha and in.php/res.php dialects), on [reqwest] and tokio. It is a thin
//! loop around [`capmonster_proto`], which builds every request, reads every answer, and decides
//! when to poll, retry and stop.
//!
//! ```no_run
//! use capmonster_async::{Client, RecaptchaV2Task};
//!
//! # async fn run() -> Result<(), capmonster_async::Error> {
//! let client = Client::builder().api_key("YOUR_KEY").build()?;
//! let solved = client
//!     .solve(RecaptchaV2Task::new("https://example.com/login", "6Le-SITEKEY"))
//!     .await?;
//! println!("token: {}", solved.ready.solution.main_value().unwrap_or_default());
//! # Ok(()) }
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
//!
//! The client needs a tokio runtime with the time driver (`enable_time`), for sleeping between
//! polls and for cutting requests at the deadline.
//!
//! | feature | default | what it does |
//! |---|---|---|
//! | `rustls` | yes | TLS through rustls (ring) with the webpki roots |
//! | `native-tls` | no | TLS through the platform's library (used when `rustls` is off) |
//!
//! Certificate verification is always on; there is no switch to turn it off.

#![cfg_attr(docsrs, feature(doc_cfg))]

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_util::stream::{self, Stream, StreamExt};
use tracing::Instrument as _;

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
use capmonster_proto::solver::{Action, NoAnswerEvidence as Evidence, Solver, TransportFailure};
use capmonster_proto::{GetBalance, GetTaskResult, GetUserAgent, http, redact};

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
            let roots = rustls::RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            let tls = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map_err(|_| invalid("tls", "the ring provider offers no safe protocol version"))?
                .with_root_certificates(roots)
                .with_no_client_auth();
            builder = builder.tls_backend_preconfigured(tls);
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
            tracing::warn!(warning, "the key is sent in clear text");
        }
        let http = builder
            .build()
            .map_err(|_| invalid("tls", "the HTTP client could not be built"))?;
        let secrets = config.secrets();
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                slots: Arc::new(tokio::sync::Semaphore::new(config.max_in_flight)),
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
    pub fn with_adaptive_polling(self, learnt: Arc<Mutex<AdaptiveTiming>>) -> Self {
        let inner = &self.inner;
        Self {
            inner: Arc::new(Inner {
                http: inner.http.clone(),
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
        let create = self.inner.config.create_task(task.into());
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
        self.call(&GetTaskResult::new(task_id, kind), Some(Phase::Poll))
            .instrument(span)
            .await
    }

    /// Solves a task: createTask, then polls on the policy's schedule until it is ready, fails,
    /// or the deadline comes. Dropping the future cancels the solve (see the crate docs).
    pub async fn solve(&self, task: impl Into<Task>) -> Result<Solved, Error> {
        self.solve_with(task, &self.inner.config.policy).await
    }

    /// [`Client::solve`] with another policy for this call.
    pub async fn solve_with(
        &self,
        task: impl Into<Task>,
        policy: &Policy,
    ) -> Result<Solved, Error> {
        let config = &self.inner.config;
        let solver = Solver::new(
            config.create_task(task.into()),
            &config.key,
            &config.service,
            policy,
        );
        self.drive(solver, &mut |_| {}).await
    }

    /// [`Client::solve_with`], calling `observer` after each answer (and each request that got
    /// none) with where the solve stands: for a progress display.
    pub async fn solve_observed(
        &self,
        task: impl Into<Task>,
        policy: &Policy,
        observer: &mut (dyn FnMut(&Progress) + Send),
    ) -> Result<Solved, Error> {
        let config = &self.inner.config;
        let solver = Solver::new(
            config.create_task(task.into()),
            &config.key,
            &config.service,
            policy,
        );
        self.drive(solver, observer).await
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
        let config = &self.inner.config;
        let solver = Solver::resume(task_id, kind, &config.key, &config.service, &config.policy);
        self.drive(solver, observer).await
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
        stream::iter(tasks.into_iter().enumerate())
            .map(move |(i, task)| async move { (i, self.solve(task).await) })
            .buffer_unordered(concurrency.max(1))
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
            tracing::warn!(parent: &span, warning, "report sent anyway");
        }
        let sent = self.send(&planned.request).instrument(span).await;
        desk().settle(service, task_id, &sent);
        sent
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
        let config = &self.inner.config;
        let request = endpoint.build(&config.service, &config.key)?;
        match self.exchange(request, config.request_timeout).await {
            Ok(response) => endpoint
                .parse(&config.service, borrow_response(&response))
                .map_err(|e| self.scrub(Error::from_response(e, phase))),
            Err(failure) => Err(failure.into_error(phase)),
        }
    }

    async fn drive(
        &self,
        mut solver: Solver,
        observer: &mut (dyn FnMut(&Progress) + Send),
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
        let mut detail = None;
        let mut recorded = false;
        loop {
            match solver.poll(Instant::now()) {
                Action::Send(out) => {
                    let limit = self.inner.config.request_limit(Some(out.time_left));
                    let result = self
                        .exchange(out.request, limit)
                        .instrument(span.clone())
                        .await;
                    match result {
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
                Action::Wait(until) => tokio::time::sleep_until(until.into()).await,
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

    /// Sends one request and reads its answer, whatever its status, up to the size cap. The
    /// whole exchange, body included, is cut at `limit`.
    async fn exchange(
        &self,
        request: http::Request<Vec<u8>>,
        limit: Duration,
    ) -> Result<http::Response<Vec<u8>>, Failure> {
        let method = method_of(&request).to_owned();
        let mut request = reqwest::Request::try_from(request).map_err(|e| self.failure(&e))?;
        let waiting = Instant::now();
        let Ok(Ok(_slot)) = tokio::time::timeout(limit, self.inner.slots.acquire()).await else {
            return Err(no_slot_failure(waiting.elapsed()));
        };
        let limit = limit.saturating_sub(waiting.elapsed());
        *request.timeout_mut() = Some(limit);
        let exchange = async {
            let mut response = self
                .inner
                .http
                .execute(request)
                .await
                .map_err(|e| self.failure(&e))?;
            let cap = self.inner.config.max_response_bytes;
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
            Err(_) => {
                let detail = format!("cut off after {:.1} s", limit.as_secs_f64());
                return Err(Failure::Transport(TransportError::new(
                    TransportFailure::TimedOut,
                    detail,
                )));
            }
        };
        tracing::debug!(
            method,
            status = out.status().as_u16(),
            bytes = out.body().len(),
            "answer"
        );
        Ok(out)
    }

    /// Scrubs the key and the proxy password from everything in `error` that came from the
    /// server (the core's rule, with this client's secrets).
    fn scrub(&self, error: Error) -> Error {
        let secrets: Vec<&str> = self.inner.secrets.iter().map(String::as_str).collect();
        error.scrub(&secrets)
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
        let secrets: Vec<&str> = self.inner.secrets.iter().map(String::as_str).collect();
        let text = error_chain(error);
        tracing::debug!(failure = ?evidence, "no answer");
        Failure::no_answer(evidence, redact(&text, &secrets))
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

/// A random starting point for the jitter seeds, from the standard library's hasher keys.
fn random_seed() -> u64 {
    use std::hash::BuildHasher as _;
    std::collections::hash_map::RandomState::new().hash_one(Instant::now())
}
