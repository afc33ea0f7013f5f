//! What both front ends share: the client's configuration and its report bookkeeping.
//!
//! A front end's `ClientBuilder` fills a [`ClientConfig`]; its `Client` holds the config, an
//! HTTP agent and a [`ReportDesk`]. Everything here is plain data and pure functions.

use std::time::{Duration, Instant};

use crate::endpoint::{CreateTask, TaskId};
use crate::error::ValidationError;
use crate::key::ClientKey;
use crate::report::{PlannedReport, ReportLedger, ReportRefused, ReportVerdict, plan_report};
use crate::service::Service;
use crate::solver::{Policy, Solved};
use crate::task::{Task, TaskKind};

/// The per-request timeout unless set: long enough for a slow answer, short enough that a
/// dead connection is noticed well before a solve's deadline.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest answer a client reads unless set (2 MiB). The biggest documented answers (cookie
/// sets, long tokens) are a few kilobytes; anything near this is not an API answer.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 2 * 1024 * 1024;

/// How many requests a client has in flight at once unless set. Each one holds a connection, so
/// this also bounds the open connections (and their memory) when thousands of solves poll at
/// once; 512 requests of ~100 ms each still carry about 5,000 requests a second. On loopback,
/// 512 measured better than 1,024 in memory, CPU and latency alike (docs/BENCHMARKS.md).
pub const DEFAULT_MAX_IN_FLIGHT: usize = 512;

/// A client's configuration, shared by both front ends. Its `Debug` shows neither the key nor
/// the outbound proxy's password.
#[derive(Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The account key.
    pub key: ClientKey,
    /// Where and in which dialect.
    pub service: Service,
    /// The default solve policy (timing table, retries, deadline).
    pub policy: Policy,
    /// The timeout of each HTTP request (a solve's deadline also cuts requests in flight).
    pub request_timeout: Duration,
    /// An outbound HTTP proxy for the client's own traffic (`http://user:pass@host:port`).
    pub outbound_proxy: Option<String>,
    /// `softId` sent with every createTask.
    pub soft_id: Option<u32>,
    /// The largest answer read; a larger one becomes an error.
    pub max_response_bytes: usize,
    /// The most requests in flight at once; more wait for a slot, within their own timeout.
    pub max_in_flight: usize,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("key", &self.key)
            .field("service", &self.service)
            .field("policy", &self.policy)
            .field("request_timeout", &self.request_timeout)
            .field(
                "outbound_proxy",
                &self.outbound_proxy.as_deref().map(redact_proxy_password),
            )
            .field("soft_id", &self.soft_id)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_in_flight", &self.max_in_flight)
            .finish()
    }
}

/// A proxy URL with the password of its userinfo replaced (`http://bob:[redacted]@host:3128`).
pub fn redact_proxy_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let masked = if userinfo.contains(':') {
                format!("{user}:[redacted]")
            } else {
                user.to_owned()
            };
            format!("{scheme}://{masked}@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

impl ClientConfig {
    /// A configuration for `key` against CapMonster Cloud, with the defaults.
    pub fn new(key: ClientKey) -> Self {
        Self {
            key,
            service: Service::default(),
            policy: Policy::default(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            outbound_proxy: None,
            soft_id: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
        }
    }

    /// Checks the settings that a front end cannot check by itself.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.request_timeout.is_zero() {
            return Err(ValidationError::new(
                "requestTimeout",
                "must be more than zero",
            ));
        }
        if self.max_in_flight == 0 {
            return Err(ValidationError::new("maxInFlight", "must be at least 1"));
        }
        if self.max_response_bytes < 1024 {
            return Err(ValidationError::new(
                "maxResponseBytes",
                "must be at least 1024 bytes",
            ));
        }
        if let Some(proxy) = &self.outbound_proxy {
            let scheme_ok = ["http://", "https://", "socks5://", "socks4://"]
                .iter()
                .any(|s| proxy.starts_with(s));
            if !scheme_ok || proxy.parse::<http::Uri>().is_err() {
                return Err(ValidationError::new(
                    "outboundProxy",
                    "must be a URL such as http://host:port or socks5://user:pass@host:port",
                ));
            }
        }
        Ok(())
    }

    /// A warning when the key would travel in clear text: the base URL is plain `http://` and
    /// its host is not loopback (`localhost`, `127.0.0.0/8`, `::1`). Both front ends log it
    /// (tracing, `warn`) when the client is built, and the CLI prints it on stderr.
    pub fn cleartext_warning(&self) -> Option<String> {
        let uri: http::Uri = self.service.base_url().parse().ok()?;
        if uri.scheme_str() != Some("http") {
            return None;
        }
        let host = uri.host()?.trim_start_matches('[').trim_end_matches(']');
        let loopback = host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        (!loopback).then(|| {
            format!(
                "the base URL {} is plain http on a host that is not loopback: the key travels \
                 in clear text; use https",
                self.service.base_url()
            )
        })
    }

    /// The createTask for `task`, with this client's `softId`.
    pub fn create_task(&self, task: Task) -> CreateTask {
        let create = CreateTask::new(task);
        match self.soft_id {
            Some(id) => create.with_soft_id(id),
            None => create,
        }
    }

    /// The timeout for one request: the configured one, cut to what is left of a solve.
    pub fn request_limit(&self, time_left: Option<Duration>) -> Duration {
        match time_left {
            Some(left) => self.request_timeout.min(left),
            None => self.request_timeout,
        }
    }

    /// The strings a front end must scrub from any text it passes on: the key, with and without
    /// its suffixes, and the outbound proxy's URL (which may hold a password).
    pub fn secrets(&self) -> Vec<String> {
        // The key's own forms come first; the proxy's URL, user and password after.
        let mut out = vec![
            self.key.expose_secret(),
            self.key.expose_base_secret().to_owned(),
        ];
        if let Some(p) = &self.outbound_proxy {
            out.push(p.clone());
            if let Some(userinfo) = p.split("://").nth(1).and_then(|r| r.rsplit_once('@')) {
                out.push(userinfo.0.to_owned());
                if let Some((_, pass)) = userinfo.0.split_once(':') {
                    out.push(pass.to_owned());
                    if let Some(decoded) = percent_decoded(pass) {
                        out.push(decoded);
                    }
                }
            }
        }
        out
    }
}

/// `text` percent-decoded, when it has escapes and decodes to UTF-8.
fn percent_decoded(text: &str) -> Option<String> {
    if !text.contains('%') {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Report bookkeeping for one client: which tasks were reported, and the epoch that turns
/// instants into the durations the rules are written in.
#[derive(Debug)]
pub struct ReportDesk {
    ledger: ReportLedger,
    epoch: Instant,
}

impl ReportDesk {
    /// A desk whose clock starts at `epoch` (any instant before the first solve).
    pub fn new(epoch: Instant) -> Self {
        Self {
            ledger: ReportLedger::new(),
            epoch,
        }
    }

    /// Plans a report of a solved task under the service's rules, and records it.
    pub fn plan_solved(
        &mut self,
        service: &Service,
        solved: &Solved,
        verdict: ReportVerdict,
        now: Instant,
    ) -> Result<PlannedReport, ReportRefused> {
        self.plan(
            service,
            solved.kind,
            solved.task_id,
            solved.completed_at,
            verdict,
            now,
        )
    }

    /// Plans a report of a task known only by its id and kind (say, from a command line), taking
    /// `completed_at` as its completion time.
    pub fn plan(
        &mut self,
        service: &Service,
        kind: TaskKind,
        task_id: TaskId,
        completed_at: Instant,
        verdict: ReportVerdict,
        now: Instant,
    ) -> Result<PlannedReport, ReportRefused> {
        let (completed, now) = (self.since(completed_at), self.since(now));
        plan_report(
            service.dialect(),
            verdict,
            kind,
            task_id,
            completed,
            now,
            &mut self.ledger,
        )
    }

    /// `t` as a duration on the rules' clock. The clock starts a year before the epoch, so
    /// instants before the desk was made (a task completed earlier) still order correctly.
    fn since(&self, t: Instant) -> Duration {
        const OFFSET: Duration = Duration::from_secs(365 * 24 * 3600);
        match t.checked_duration_since(self.epoch) {
            Some(after) => OFFSET + after,
            None => OFFSET.saturating_sub(self.epoch.duration_since(t)),
        }
    }

    /// Forgets a planned report whose request never left (so it may be planned again).
    pub fn forget(&mut self, service: &Service, task_id: TaskId) {
        self.ledger.forget(service.dialect(), task_id);
    }

    /// Settles a planned report once its request is done: when the request certainly never
    /// reached the service (the connection failed), the report is forgotten and may be sent
    /// again; any other outcome keeps it recorded.
    pub fn settle<T>(
        &mut self,
        service: &Service,
        task_id: TaskId,
        outcome: &Result<T, crate::ClientError>,
    ) {
        if matches!(outcome, Err(e) if e.is_connect()) {
            self.forget(service, task_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::RefusalReason;

    fn config() -> ClientConfig {
        ClientConfig::new(ClientKey::new("SECRETKEY1").unwrap().with_nocache(true))
    }

    #[test]
    fn debug_of_the_config_hides_the_proxy_password() {
        let mut c = config();
        c.outbound_proxy = Some("http://bob:s3cretpw@10.0.0.1:3128".into());
        let text = format!("{c:?}");
        assert!(!text.contains("s3cretpw"), "{text}");
        assert!(!text.contains("SECRETKEY1"), "{text}");
        assert!(
            text.contains("http://bob:[redacted]@10.0.0.1:3128"),
            "{text}"
        );
        assert_eq!(
            redact_proxy_password("socks5://a%40b:p%40ss@h:1/x"),
            "socks5://a%40b:[redacted]@h:1/x"
        );
        assert_eq!(redact_proxy_password("http://h:1"), "http://h:1");
        c.outbound_proxy = Some("http://bob:p%40ss@10.0.0.1:3128".into());
        assert!(c.secrets().iter().any(|s| s == "p@ss"));
    }

    #[test]
    fn plain_http_off_loopback_is_warned_about() {
        let mut c = config();
        assert_eq!(c.cleartext_warning(), None, "https by default");
        for (url, warned) in [
            ("http://127.0.0.1:8080", false),
            ("http://localhost:1", false),
            ("http://[::1]:1", false),
            ("http://api.example.com", true),
            ("http://10.0.0.1:80", true),
            ("https://api.example.com", false),
        ] {
            c.service = Service::custom(url, crate::service::Dialect::CapMonster).unwrap();
            assert_eq!(c.cleartext_warning().is_some(), warned, "{url}");
        }
    }

    #[test]
    fn request_limit_is_cut_to_the_deadline() {
        let c = config();
        assert_eq!(c.request_limit(None), DEFAULT_REQUEST_TIMEOUT);
        assert_eq!(
            c.request_limit(Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
    }

    #[test]
    fn secrets_cover_key_and_proxy_password() {
        let mut c = config();
        c.outbound_proxy = Some("http://bob:s3cretpw@10.0.0.1:3128".into());
        c.validate().unwrap();
        let s = c.secrets();
        for needle in ["SECRETKEY1__nocache", "SECRETKEY1", "s3cretpw"] {
            assert!(s.iter().any(|x| x == needle), "{needle} missing from {s:?}");
        }
        c.outbound_proxy = Some("10.0.0.1:3128".into());
        assert_eq!(c.validate().unwrap_err().field(), "outboundProxy");
        c.outbound_proxy = None;
        c.request_timeout = Duration::ZERO;
        assert_eq!(c.validate().unwrap_err().field(), "requestTimeout");
    }

    #[test]
    fn desk_refuses_a_second_report() {
        let t0 = Instant::now();
        let mut desk = ReportDesk::new(t0);
        let service = Service::default();
        let first = desk.plan(
            &service,
            TaskKind::ImageToText,
            7,
            t0,
            ReportVerdict::Incorrect,
            t0 + Duration::from_secs(1),
        );
        assert!(first.is_ok());
        let second = desk
            .plan(
                &service,
                TaskKind::ImageToText,
                7,
                t0,
                ReportVerdict::Incorrect,
                t0 + Duration::from_secs(2),
            )
            .unwrap_err();
        assert_eq!(second.reason, RefusalReason::AlreadyReported);
        let late = t0.checked_sub(Duration::from_secs(61)).unwrap_or(t0);
        if late < t0 {
            let refused = desk
                .plan(
                    &Service::anti_captcha(),
                    TaskKind::RecaptchaV2,
                    8,
                    late,
                    ReportVerdict::Incorrect,
                    t0,
                )
                .unwrap_err();
            assert_eq!(
                refused.reason,
                RefusalReason::WindowClosed,
                "completed before the desk"
            );
        }
        let never_sent: Result<(), crate::ClientError> = Err(crate::ClientError::Transport {
            error: crate::TransportError::new(crate::solver::TransportFailure::TimedOut, ""),
            phase: None,
        });
        desk.settle(&service, 7, &never_sent);
        assert!(
            desk.plan(
                &service,
                TaskKind::ImageToText,
                7,
                t0,
                ReportVerdict::Incorrect,
                t0
            )
            .is_err(),
            "a timed-out report may have arrived: it stays recorded"
        );
        let refused: Result<(), crate::ClientError> = Err(crate::ClientError::Transport {
            error: crate::TransportError::new(crate::solver::TransportFailure::ConnectFailed, ""),
            phase: None,
        });
        desk.settle(&service, 7, &refused);
        assert!(
            desk.plan(
                &service,
                TaskKind::ImageToText,
                7,
                t0,
                ReportVerdict::Incorrect,
                t0 + Duration::from_secs(3)
            )
            .is_ok()
        );
    }
}

/// Turns a finished [`ClientConfig`] into a front end's client. Each front end implements it
/// for its `Client`, and gets [`ClientBuilder`] for free.
pub trait FromClientConfig: Sized {
    /// Builds the client (its HTTP agent, connection pool and TLS).
    fn from_client_config(config: ClientConfig) -> Result<Self, crate::ClientError>;
}

/// The consuming builder of a front end's `Client`. Settings that can be wrong are checked at
/// [`ClientBuilder::build`], which names the field and the rule.
pub struct ClientBuilder<C> {
    key: Option<Result<ClientKey, ValidationError>>,
    service: Service,
    base_url: Option<String>,
    http_user_agent: Option<String>,
    policy: Policy,
    request_timeout: Duration,
    outbound_proxy: Option<String>,
    soft_id: Option<u32>,
    max_response_bytes: usize,
    max_in_flight: usize,
    client: std::marker::PhantomData<fn() -> C>,
}

impl<C> std::fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("key", &self.key.as_ref().map(|k| k.as_ref().ok()))
            .field("service", &self.service)
            .field("base_url", &self.base_url)
            .field("request_timeout", &self.request_timeout)
            .field(
                "outbound_proxy",
                &self.outbound_proxy.as_ref().map(|_| "[set]"),
            )
            .field("soft_id", &self.soft_id)
            .finish_non_exhaustive()
    }
}

impl<C> Default for ClientBuilder<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C> ClientBuilder<C> {
    /// A builder with the defaults: CapMonster Cloud, the default policy, a 30-second request
    /// timeout, no outbound proxy.
    pub fn new() -> Self {
        Self {
            key: None,
            service: Service::default(),
            base_url: None,
            http_user_agent: None,
            policy: Policy::default(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            outbound_proxy: None,
            soft_id: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            client: std::marker::PhantomData,
        }
    }

    /// The account key. A key written with suffixes (`KEY__nocache`) is read into its options.
    #[must_use]
    pub fn api_key(mut self, key: &str) -> Self {
        self.key = Some(ClientKey::parse_with_suffixes(key));
        self
    }

    /// The account key, already typed.
    #[must_use]
    pub fn client_key(mut self, key: ClientKey) -> Self {
        self.key = Some(Ok(key));
        self
    }

    /// The service profile ([`Service::capmonster`], [`Service::anti_captcha`], ...).
    #[must_use]
    pub fn service(mut self, service: Service) -> Self {
        self.service = service;
        self
    }

    /// Sends everything to `url` instead, in the chosen profile's dialect (for example a local
    /// emulator at `http://127.0.0.1:PORT`).
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The default solve policy.
    #[must_use]
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// The timeout of each HTTP request.
    #[must_use]
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// An outbound proxy for the client's own traffic (`http://user:pass@host:port`).
    #[must_use]
    pub fn outbound_proxy(mut self, url: impl Into<String>) -> Self {
        self.outbound_proxy = Some(url.into());
        self
    }

    /// The HTTP `User-Agent` header of the client's own requests.
    #[must_use]
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.http_user_agent = Some(ua.into());
        self
    }

    /// `softId` sent with every createTask.
    #[must_use]
    pub fn soft_id(mut self, soft_id: u32) -> Self {
        self.soft_id = Some(soft_id);
        self
    }

    /// The largest answer read (default 2 MiB).
    #[must_use]
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// The most requests in flight at once (default 512); the rest wait for a slot.
    #[must_use]
    pub fn max_in_flight(mut self, requests: usize) -> Self {
        self.max_in_flight = requests;
        self
    }

    /// The configuration, checked.
    pub fn into_config(self) -> Result<ClientConfig, ValidationError> {
        let key = self.key.ok_or_else(|| {
            ValidationError::new(
                "apiKey",
                "is required: pass it to the builder (or set CAPMONSTER_API_KEY for the command)",
            )
        })??;
        let mut service = match &self.base_url {
            Some(url) => {
                let derived = Service::custom(url, self.service.dialect())?
                    .with_type_naming(self.service.type_naming());
                derived.with_url_form_options(self.service.url_form_options())
            }
            None => self.service,
        };
        if let Some(ua) = self.http_user_agent {
            service = service.with_http_user_agent(ua)?;
        }
        let config = ClientConfig {
            key,
            service,
            policy: self.policy,
            request_timeout: self.request_timeout,
            outbound_proxy: self.outbound_proxy,
            soft_id: self.soft_id,
            max_response_bytes: self.max_response_bytes,
            max_in_flight: self.max_in_flight,
        };
        config.validate()?;
        Ok(config)
    }
}

impl<C: FromClientConfig> ClientBuilder<C> {
    /// Builds the client.
    pub fn build(self) -> Result<C, crate::ClientError> {
        let config = self.into_config().map_err(crate::BuildError::from)?;
        C::from_client_config(config)
    }
}

/// How one exchange ended when no usable answer came. A front end maps its HTTP library's error
/// to this, and the core does the rest.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExchangeFailure {
    /// No answer (connect failed, timed out, reset).
    Transport(crate::TransportError),
    /// An answer larger than the cap: cut off and dropped.
    TooLarge(usize),
}

impl ExchangeFailure {
    /// A request without an answer, classified by the core's one rule
    /// ([`TransportFailure::classify`](crate::solver::TransportFailure::classify)) from what the
    /// front end knows. `detail` is the HTTP library's text, already redacted.
    pub fn no_answer(evidence: crate::solver::NoAnswerEvidence, detail: impl Into<String>) -> Self {
        Self::Transport(crate::TransportError::new(
            crate::solver::TransportFailure::classify(evidence),
            detail,
        ))
    }

    /// What the solver is told, and the detail kept for the final error (the HTTP library's
    /// text, without the failure's own phrase, which the error repeats).
    pub fn into_solver_input(self) -> (crate::solver::Input<'static>, String) {
        match self {
            Self::Transport(e) => (
                crate::solver::Input::Failed(e.failure()),
                e.detail().to_owned(),
            ),
            // An answer cut off at the cap came, but cannot be read: the request arrived.
            Self::TooLarge(limit) => (
                crate::solver::Input::Failed(crate::solver::TransportFailure::Unknown),
                format!("the answer was larger than {limit} bytes and was not read"),
            ),
        }
    }

    /// The error of a single call.
    pub fn into_error(self, phase: Option<crate::solver::Phase>) -> crate::ClientError {
        match self {
            Self::Transport(error) => crate::ClientError::Transport { error, phase },
            Self::TooLarge(limit) => crate::ClientError::ResponseTooLarge { limit },
        }
    }
}

/// The failure of a request that waited `waited` for a slot among the client's requests in
/// flight and got none: nothing was sent.
pub fn no_slot_failure(waited: Duration) -> ExchangeFailure {
    ExchangeFailure::Transport(crate::TransportError::new(
        crate::solver::TransportFailure::ConnectFailed,
        format!(
            "no free request slot within {:.1} s (the client's max_in_flight is reached); nothing was sent",
            waited.as_secs_f64()
        ),
    ))
}

/// Borrows an owned response as the `http::Response<&[u8]>` the endpoints parse.
pub fn borrow_response(response: &http::Response<Vec<u8>>) -> http::Response<&[u8]> {
    let mut out = http::Response::new(response.body().as_slice());
    *out.status_mut() = response.status();
    *out.headers_mut() = response.headers().clone();
    out
}

/// The method name of a request (the last path segment), for log events.
pub fn method_of(request: &http::Request<Vec<u8>>) -> &str {
    request.uri().path().rsplit('/').next().unwrap_or_default()
}

/// Hands out a different jitter seed for every solve, so that clients (and solves) that fail
/// together back off apart. The front end seeds it once with something random.
#[derive(Debug)]
pub struct SeedSource(std::sync::atomic::AtomicU64);

impl SeedSource {
    /// A source starting from `initial`.
    pub fn new(initial: u64) -> Self {
        Self(std::sync::atomic::AtomicU64::new(initial))
    }

    /// The next seed (splitmix64 over a shared counter).
    pub fn next_seed(&self) -> u64 {
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
