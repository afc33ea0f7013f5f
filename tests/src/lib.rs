//! Shared pieces of the workspace's scenario tests: the fixtures, a [`Front`] that drives either
//! front end through the same calls, a fast policy, and a tracing capture.
//!
//! `fixture(name)` reads a file from `tests/fixtures/`, which holds the documented example
//! requests and responses copied from the reference material.

pub mod hostile;
pub mod raw;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use capmonster_emulator::{Config, EmulatorHandle, SolveTime};
use capmonster_proto::accept::{AcceptError, AcceptPolicy, Accepted, SiteBook, Verdict};
use capmonster_proto::client::ClientBuilder;
use capmonster_proto::solver::{Policy, RetryPolicy, Solved, Timing, TimingTable};
use capmonster_proto::{
    Balance, ClientError, ReportAccepted, Service, TaskId,
    solution::TaskResult,
    task::{Task, TaskKind},
};

/// The folder holding the fixtures.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The text of fixture `name`. Panics with the path if it is missing, since a missing fixture
/// is a broken checkout.
pub fn fixture(name: &str) -> String {
    let path = fixtures_dir().join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

/// Fixture `name` parsed as JSON.
pub fn fixture_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

/// The key every scenario uses. It carries a suffix, so tests see it in both forms.
pub const TEST_KEY: &str = "SCENARIOKEY0123456789abcdef__nocache";
/// The proxy password scenarios use.
pub const PROXY_PASSWORD: &str = "pr0xy-S3cret-pw";

/// The emulator's speed-up in scenarios: 20 emulated seconds take 200 ms.
pub const SPEED: f64 = 100.0;

/// A policy fast enough for tests: first poll after 50 ms, then every 100 ms (the solver's
/// hard floor), a 10 s deadline, and createTask retries 20 ms apart.
pub fn fast_policy() -> Policy {
    let row = Timing::new(
        Duration::from_millis(50),
        Duration::from_millis(100),
        Duration::from_secs(10),
    )
    .with_first_delay_nocache(Duration::from_millis(80));
    let mut table = TimingTable::new();
    for kind in TaskKind::ALL {
        table.set(*kind, row);
    }
    Policy::new()
        .with_table(table)
        .with_min_interval(Duration::from_millis(100))
        .with_create_retry(
            RetryPolicy::new(4).with_delays(Duration::from_millis(20), Duration::from_millis(60)),
        )
}

/// The scenario emulator's configuration: solves every task in 20 emulated seconds (200 ms),
/// and keeps results a day (sped-up time would otherwise expire them in 3 real seconds, shorter
/// than a client slowed down by a 429).
pub fn config() -> Config {
    let mut config = Config::new()
        .speed(SPEED)
        .solve_time(SolveTime::Fixed(Duration::from_secs(20)));
    config.result_ttl = Duration::from_secs(24 * 3600);
    config
}

/// An emulator started from `config` (begin with [`config`]).
pub fn emulator(config: Config) -> EmulatorHandle {
    EmulatorHandle::start_blocking(config).expect("the emulator starts on 127.0.0.1")
}

/// Which front end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// capmonster-blocking.
    Blocking,
    /// capmonster-async, driven by a current-thread tokio runtime.
    Async,
}

/// The calls every scenario makes, on either front end.
pub trait Front {
    /// Which front end this is.
    fn kind(&self) -> Kind;
    /// The client's and its configuration's `Debug`.
    fn debug_text(&self) -> String;
    /// `solve`.
    fn solve(&self, task: Task) -> Result<Solved, ClientError>;
    /// `solve_with`.
    fn solve_with(&self, task: Task, policy: &Policy) -> Result<Solved, ClientError>;
    /// `balance`.
    fn balance(&self) -> Result<Balance, ClientError>;
    /// `user_agent`.
    fn user_agent(&self) -> Result<String, ClientError>;
    /// `create_task`.
    fn create_task(&self, task: Task) -> Result<TaskId, ClientError>;
    /// `task_result`.
    fn task_result(&self, id: TaskId, kind: TaskKind) -> Result<TaskResult, ClientError>;
    /// `wait`.
    fn wait(&self, id: TaskId, kind: TaskKind) -> Result<Solved, ClientError>;
    /// `report`.
    fn report(&self, solved: &Solved) -> Result<ReportAccepted, ClientError>;
    /// `report_task`.
    fn report_task(
        &self,
        id: TaskId,
        kind: TaskKind,
        completed_at: Instant,
    ) -> Result<ReportAccepted, ClientError>;
    /// `solve_accepted_with` under `accept` and `book`, or plain `solve_accepted` (the default
    /// policy and the client's own book) when `book` is `None`. The async front end wraps
    /// `check` in a ready future.
    fn solve_accepted(
        &self,
        task: Task,
        accept: &AcceptPolicy,
        book: Option<&Mutex<SiteBook>>,
        check: &mut dyn FnMut(&Solved) -> Verdict,
    ) -> Result<Box<Accepted>, Box<AcceptError>>;
}

impl Front for capmonster_blocking::Client {
    fn kind(&self) -> Kind {
        Kind::Blocking
    }
    fn debug_text(&self) -> String {
        format!("{self:?} {:?} {:#?}", self.config(), self.config())
    }
    fn solve(&self, task: Task) -> Result<Solved, ClientError> {
        capmonster_blocking::Client::solve(self, task)
    }
    fn solve_with(&self, task: Task, policy: &Policy) -> Result<Solved, ClientError> {
        capmonster_blocking::Client::solve_with(self, task, policy)
    }
    fn balance(&self) -> Result<Balance, ClientError> {
        capmonster_blocking::Client::balance(self)
    }
    fn user_agent(&self) -> Result<String, ClientError> {
        capmonster_blocking::Client::user_agent(self)
    }
    fn create_task(&self, task: Task) -> Result<TaskId, ClientError> {
        capmonster_blocking::Client::create_task(self, task)
    }
    fn task_result(&self, id: TaskId, kind: TaskKind) -> Result<TaskResult, ClientError> {
        capmonster_blocking::Client::task_result(self, id, kind)
    }
    fn wait(&self, id: TaskId, kind: TaskKind) -> Result<Solved, ClientError> {
        capmonster_blocking::Client::wait(self, id, kind)
    }
    fn report(&self, solved: &Solved) -> Result<ReportAccepted, ClientError> {
        capmonster_blocking::Client::report(self, solved)
    }
    fn report_task(
        &self,
        id: TaskId,
        kind: TaskKind,
        completed_at: Instant,
    ) -> Result<ReportAccepted, ClientError> {
        capmonster_blocking::Client::report_task(self, id, kind, completed_at)
    }
    fn solve_accepted(
        &self,
        task: Task,
        accept: &AcceptPolicy,
        book: Option<&Mutex<SiteBook>>,
        check: &mut dyn FnMut(&Solved) -> Verdict,
    ) -> Result<Box<Accepted>, Box<AcceptError>> {
        match book {
            Some(book) => self.solve_accepted_with(task, accept, book, check),
            None => capmonster_blocking::Client::solve_accepted(self, task, check),
        }
    }
}

/// The async client with a runtime to drive it from a plain test.
#[derive(Debug)]
pub struct AsyncFront {
    /// The client.
    pub client: capmonster_async::Client,
    /// The runtime.
    pub runtime: tokio::runtime::Runtime,
}

impl Front for AsyncFront {
    fn kind(&self) -> Kind {
        Kind::Async
    }
    fn debug_text(&self) -> String {
        let config = self.client.config();
        format!("{:?} {config:?} {config:#?}", self.client)
    }
    fn solve(&self, task: Task) -> Result<Solved, ClientError> {
        self.runtime.block_on(self.client.solve(task))
    }
    fn solve_with(&self, task: Task, policy: &Policy) -> Result<Solved, ClientError> {
        self.runtime.block_on(self.client.solve_with(task, policy))
    }
    fn balance(&self) -> Result<Balance, ClientError> {
        self.runtime.block_on(self.client.balance())
    }
    fn user_agent(&self) -> Result<String, ClientError> {
        self.runtime.block_on(self.client.user_agent())
    }
    fn create_task(&self, task: Task) -> Result<TaskId, ClientError> {
        self.runtime.block_on(self.client.create_task(task))
    }
    fn task_result(&self, id: TaskId, kind: TaskKind) -> Result<TaskResult, ClientError> {
        self.runtime.block_on(self.client.task_result(id, kind))
    }
    fn wait(&self, id: TaskId, kind: TaskKind) -> Result<Solved, ClientError> {
        self.runtime.block_on(self.client.wait(id, kind))
    }
    fn report(&self, solved: &Solved) -> Result<ReportAccepted, ClientError> {
        self.runtime.block_on(self.client.report(solved))
    }
    fn report_task(
        &self,
        id: TaskId,
        kind: TaskKind,
        completed_at: Instant,
    ) -> Result<ReportAccepted, ClientError> {
        self.runtime
            .block_on(self.client.report_task(id, kind, completed_at))
    }
    fn solve_accepted(
        &self,
        task: Task,
        accept: &AcceptPolicy,
        book: Option<&Mutex<SiteBook>>,
        check: &mut dyn FnMut(&Solved) -> Verdict,
    ) -> Result<Box<Accepted>, Box<AcceptError>> {
        let check = |solved: &Solved| std::future::ready(check(solved));
        let client = &self.client;
        match book {
            Some(book) => self
                .runtime
                .block_on(client.solve_accepted_with(task, accept, book, check)),
            None => self.runtime.block_on(client.solve_accepted(task, check)),
        }
    }
}

/// Submits a solved task's answer to the emulator at `base_url` for its simulated site
/// (`POST /_emulator/sites/verify` with `{"taskId": N}`) and returns the site's verdict:
/// `Accepted` or `Rejected` by its answer, `Unsure` when it gave none that can be read.
pub fn verify(base_url: &str, solved: &Solved) -> Verdict {
    use std::io::{Read as _, Write as _};
    let addr = base_url.trim_start_matches("http://");
    let body = serde_json::json!({ "taskId": solved.task_id }).to_string();
    let request = format!(
        "POST /_emulator/sites/verify HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let answer = (|| -> std::io::Result<String> {
        let mut stream = std::net::TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        stream.write_all(request.as_bytes())?;
        let mut text = String::new();
        stream.take(64 * 1024).read_to_string(&mut text)?;
        Ok(text)
    })();
    let Ok(text) = answer else {
        return Verdict::Unsure;
    };
    let json = text
        .split_once("\r\n\r\n")
        .and_then(|(_, body)| serde_json::from_str::<serde_json::Value>(body).ok());
    match json.as_ref().and_then(|j| j["accepted"].as_bool()) {
        Some(true) => Verdict::Accepted,
        Some(false) => Verdict::Rejected,
        None => Verdict::Unsure,
    }
}

/// A current-thread runtime with the time driver, as the async client needs.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .enable_io()
        .build()
        .expect("a tokio runtime")
}

/// A builder with the scenario key and fast policy, pointed at `base_url` in `service`'s dialect.
pub fn builder<C>(base_url: &str, service: Service) -> ClientBuilder<C> {
    ClientBuilder::new()
        .api_key(TEST_KEY)
        .service(service)
        .base_url(base_url)
        .policy(fast_policy())
        .request_timeout(Duration::from_secs(5))
}

/// A front end of `kind` built from `builder`.
pub fn front_from(
    kind: Kind,
    configure: impl Fn(
        ClientBuilder<capmonster_blocking::Client>,
    ) -> ClientBuilder<capmonster_blocking::Client>,
    configure_async: impl Fn(
        ClientBuilder<capmonster_async::Client>,
    ) -> ClientBuilder<capmonster_async::Client>,
) -> Box<dyn Front> {
    match kind {
        Kind::Blocking => Box::new(
            configure(ClientBuilder::new())
                .build()
                .expect("the blocking client builds"),
        ),
        Kind::Async => Box::new(AsyncFront {
            client: configure_async(ClientBuilder::new())
                .build()
                .expect("the async client builds"),
            runtime: runtime(),
        }),
    }
}

/// A front end of `kind` on `emu`, CapMonster dialect, scenario key and fast policy.
pub fn front(kind: Kind, emu: &EmulatorHandle) -> Box<dyn Front> {
    front_on(kind, &emu.base_url(), Service::capmonster())
}

/// A front end of `kind` at `base_url` in `service`'s dialect.
pub fn front_on(kind: Kind, base_url: &str, service: Service) -> Box<dyn Front> {
    let (url, s1, s2) = (base_url.to_owned(), service.clone(), service);
    front_from(
        kind,
        move |_| builder(&url, s1.clone()),
        move |_| builder(base_url, s2.clone()),
    )
}

/// Every string field of every span and event, as `name=value`, collected while installed.
#[derive(Debug, Clone, Default)]
pub struct Capture {
    lines: Arc<Mutex<Vec<String>>>,
    next_id: Arc<AtomicU64>,
}

impl Capture {
    /// Everything captured so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// Everything captured so far, emptying the capture (long runs check and drop as they go).
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lines.lock().unwrap())
    }

    fn push(&self, what: &str, name: &str, fields: &dyn Fn(&mut dyn tracing::field::Visit)) {
        let mut v = Visitor(format!("{what} {name}:"));
        fields(&mut v);
        self.lines.lock().unwrap().push(v.0);
    }
}

struct Visitor(String);

impl tracing::field::Visit for Visitor {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push_str(&format!(" {}={value}", field.name()));
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        self.push("span", span.metadata().name(), &|v| span.record(v));
        tracing::span::Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        self.push("record", "", &|v| values.record(v));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        self.push("event", event.metadata().target(), &|v| event.record(v));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}
