//! The service's state and rules, with no I/O: accounts, tasks, solving, expiry, reports,
//! faults and counters. The HTTP layer turns requests into calls here; time is passed in.
//!
//! The wire-format code lives in `json_api` (the JSON API) and `urlform` (the in.php/res.php URL
//! form); both call the same typed operations (`create_task`, `task_result`, `balance`, `report`),
//! so a task created through one form is polled, charged, capped and reported through either.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use capmonster_proto::{Dialect, ErrorCode};
use serde_json::{Map, Value};

use crate::answer::{Outcome, solve};
use crate::config::{Config, SolveTime, documented_solve_time, sanitize_speed, scale};
use crate::fault::{FaultKind, FaultRule, Scope, Trigger};
use crate::rng::{Rng, fnv1a};
use crate::site::{MAX_SITES, Site, site_host, site_of, token_of};
use crate::spec::{Accepted, Refusal, validate};
use crate::stats::{SiteStats, Stats, TaskStats};

/// Anti-Captcha's report window: 60 s after completion.
const ANTI_CAPTCHA_REPORT_WINDOW: Duration = Duration::from_secs(60);
/// Anti-Captcha removes a task 60 s after its completion (its errors page, id 16): results are
/// not served after that.
const ANTI_CAPTCHA_RESULT_TTL: Duration = Duration::from_secs(60);
const MAX_TASK_RECORDS: usize = 100_000;
/// The names of the `nocache` forms in [`TaskStats::nocache`] and [`Stats::nocache_by_form`].
const NOCACHE_KEY_SUFFIX: &str = "key_suffix";
const NOCACHE_TASK_FIELD: &str = "task_field";
const NOCACHE_IN_PHP: &str = "in_php";
/// Connections whose request counts are kept (the most recent).
const MAX_CONNECTION_RECORDS: usize = 10_000;

/// Whole seconds of a wall-clock time in milliseconds (0 before the epoch).
fn unix_secs(ms: f64) -> u64 {
    if ms.is_finite() && ms > 0.0 {
        (ms / 1000.0) as u64
    } else {
        0
    }
}

/// Emulated time: real time since a mark, multiplied by the speed factor.
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    start_instant: Instant,
    start_unix_ms: f64,
    mark_real: Instant,
    mark_virtual: Duration,
    speed: f64,
}

impl Clock {
    pub(crate) fn new(speed: f64) -> Self {
        let now = Instant::now();
        let unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Self {
            start_instant: now,
            start_unix_ms: unix.as_secs_f64() * 1000.0,
            mark_real: now,
            mark_virtual: Duration::ZERO,
            speed: sanitize_speed(speed),
        }
    }

    /// Emulated time since start.
    pub(crate) fn now(&self) -> Duration {
        self.at(Instant::now())
    }

    fn at(&self, real: Instant) -> Duration {
        self.mark_virtual.saturating_add(scale(
            real.saturating_duration_since(self.mark_real),
            self.speed,
        ))
    }

    pub(crate) fn speed(&self) -> f64 {
        self.speed
    }

    pub(crate) fn set_speed(&mut self, speed: f64) {
        let now = Instant::now();
        self.mark_virtual = self.at(now);
        self.mark_real = now;
        self.speed = sanitize_speed(speed);
    }

    /// Real time for an emulated duration (stalls).
    pub(crate) fn real(&self, emulated: Duration) -> Duration {
        scale(emulated, 1.0 / self.speed)
    }

    /// Wall-clock milliseconds of an emulated instant (at the current speed).
    fn unix_ms(&self, emulated: Duration) -> f64 {
        let real_since_mark =
            (emulated.as_secs_f64() - self.mark_virtual.as_secs_f64()) / self.speed;
        let mark_since_start = self
            .mark_real
            .duration_since(self.start_instant)
            .as_secs_f64();
        self.start_unix_ms + (mark_since_start + real_since_mark) * 1000.0
    }

    fn wall_ms_now(&self) -> f64 {
        self.start_unix_ms + self.start_instant.elapsed().as_secs_f64() * 1000.0
    }
}

#[derive(Debug)]
struct Account {
    balance: f64,
    /// The account's place in `Engine::lru` (`None` for configured keys, never evicted).
    last_use: Option<u64>,
}

/// Which report methods a task's kind takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// ImageToText and ComplexImageTask.
    Image,
    /// reCAPTCHA v2, v3 and their Enterprise types.
    Recaptcha,
    /// hCaptcha.
    Hcaptcha,
    /// Every other token type.
    OtherToken,
}

impl Family {
    fn of(type_name: &str, is_image: bool) -> Self {
        if is_image {
            Self::Image
        } else if type_name.starts_with("Recaptcha") || type_name.starts_with("NoCaptcha") {
            Self::Recaptcha
        } else if type_name.starts_with("HCaptcha") {
            Self::Hcaptcha
        } else {
            Self::OtherToken
        }
    }
}

#[derive(Debug)]
struct Task {
    key: Arc<str>,
    is_image: bool,
    family: Family,
    created_at: Duration,
    ready_at: Duration,
    outcome: Outcome,
    settled: bool,
    cost: f64,
    polls: u32,
    reported: bool,
    /// The simulated site it was created for (an index in `Engine::sites`).
    site: Option<usize>,
}

/// A token the emulator issued (for a task with a `websiteURL`), as the simulated sites know it.
#[derive(Debug, Clone, Copy)]
struct IssuedToken {
    /// FNV-1a of the token string, when the solution has one (see `site::token_of`).
    token_hash: Option<u64>,
    /// FNV-1a of the task's site host and site key.
    host_hash: u64,
    key_hash: u64,
    /// The configured site (an index in `Engine::sites`).
    site: Option<usize>,
    /// The task applied `nocache`.
    nocache: bool,
    /// Emulated time at which the task becomes ready: the token is unknown before.
    ready_at: Duration,
    /// The task ends with a solution (an unsolvable one issues no token).
    solved: bool,
    /// Submitted for verification already.
    used: bool,
}

/// A site's verdict on a submitted token (the `reason` of the verify answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// A fresh token, accepted by the site's draw (or by a site that is not simulated).
    Accepted,
    /// A fresh token, rejected by the site's draw.
    Rejected,
    /// Submitted before: a site takes each token once.
    AlreadyUsed,
    /// Never issued by the emulator (or forgotten: the latest 100,000 are kept).
    UnknownToken,
    /// Issued for another host or site key.
    WrongSite,
    /// Issued for a task that is not solved yet.
    NotReady,
}

impl Verdict {
    pub(crate) fn accepted(self) -> bool {
        self == Self::Accepted
    }

    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::AlreadyUsed => "already_used",
            Self::UnknownToken => "unknown_token",
            Self::WrongSite => "wrong_site",
            Self::NotReady => "not_ready",
        }
    }
}

/// The answer to a token verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Verification {
    pub(crate) verdict: Verdict,
    /// The task the token was issued for, when known.
    pub(crate) task_id: Option<u64>,
    /// Whether that task applied `nocache`, when known.
    pub(crate) nocache: Option<bool>,
}

/// What happened to one callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallbackOutcome {
    /// The POST was written and the receiver answered within 2 s.
    Sent,
    /// The receiver could not be reached or did not answer within 2 s.
    Failed,
    /// The URL was not `http://` on a loopback host, so nothing was sent.
    Refused,
}

/// How a callback carries the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallbackForm {
    /// `callbackUrl` (JSON API): the getTaskResult body as JSON.
    Json,
    /// `pingback` (in.php): a form with `id` and `code` (the answer).
    UrlForm,
}

/// A callback registered by a new task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewCallback {
    pub(crate) id: u64,
    pub(crate) url: String,
    /// Emulated time until the task is ready.
    pub(crate) delay: Duration,
    pub(crate) form: CallbackForm,
}

/// Which report method was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReportKind {
    /// The JSON API's image method: image tasks only.
    Image,
    /// The JSON API's token method (`reportIncorrectTokenCaptcha`): token tasks only.
    Token,
    /// `reportIncorrectRecaptcha`: in the Anti-Captcha dialect reCAPTCHA v2/v3/Enterprise tasks
    /// only; elsewhere an alias of [`ReportKind::Token`].
    Recaptcha,
    /// `reportIncorrectHcaptcha`: in the Anti-Captcha dialect hCaptcha tasks only; elsewhere an
    /// alias of [`ReportKind::Token`].
    Hcaptcha,
    /// Anti-Captcha's `reportCorrectRecaptcha`: reCAPTCHA tasks only; counted with the good
    /// reports.
    GoodRecaptcha,
    /// The URL form's `reportbad`: one action for every kind.
    AnyBad,
    /// The URL form's `reportgood`: one action for every kind; counted apart from the bad ones.
    AnyGood,
}

/// Why a report was not accepted.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ReportFailure {
    /// The key was refused.
    Key(Refusal),
    /// No task with this id for this key (never created, another key's, or expired).
    NotFound,
    /// The task is known but cannot be reported: not solved, of the other kind, or outside the
    /// report window.
    NotReportable,
    /// The task was reported already, where one report per task is the rule (see
    /// `Engine::report`).
    Duplicate,
}

impl ReportFailure {
    /// The JSON API's answer: every failure but the key's is `ERROR_NO_SUCH_CAPCHA_ID`.
    pub(crate) fn into_json_refusal(self) -> Refusal {
        match self {
            Self::Key(r) => r,
            _ => Refusal::new(
                ErrorCode::NoSuchCapchaId,
                "Captcha not found, not solved, of another kind, reported already, or outside the report window",
            ),
        }
    }
}

/// A task's state as getTaskResult sees it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TaskState {
    Processing,
    Ready {
        solution: Value,
        cost: f64,
        /// UNIX time (seconds) of createTask.
        create_time: u64,
        /// UNIX time (seconds) at which the task became ready.
        end_time: u64,
        solve_count: u32,
    },
}

/// What the stats page shows beyond the counters (its query string).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StatsQuery {
    /// `tasks=1`: one page of the per-task records, by task id.
    pub(crate) tasks: bool,
    /// `connections=1`: one page of the per-connection request counts, by connection id.
    pub(crate) connections: bool,
    /// `page=N`, from 1.
    pub(crate) page: usize,
    /// `per_page=M`: 100 unless given, at most [`StatsQuery::MAX_PER_PAGE`].
    pub(crate) per_page: usize,
}

impl StatsQuery {
    pub(crate) const MAX_PER_PAGE: usize = 1000;

    /// Reads `tasks`, `connections`, `page` and `per_page`; anything unreadable takes its default.
    pub(crate) fn parse(query: Option<&str>) -> Self {
        let mut q = Self {
            tasks: false,
            connections: false,
            page: 1,
            per_page: 100,
        };
        for (name, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            let on = matches!(&*value, "1" | "true" | "yes");
            let n = value.parse::<usize>().ok();
            match &*name {
                "tasks" => q.tasks = on,
                "connections" => q.connections = on,
                "page" => q.page = n.unwrap_or(1).max(1),
                "per_page" => q.per_page = n.unwrap_or(100).clamp(1, Self::MAX_PER_PAGE),
                _ => {}
            }
        }
        q
    }
}

/// The service's state.
#[derive(Debug)]
pub(crate) struct Engine {
    pub(crate) clock: Clock,
    rng: Rng,
    seed: u64,
    open_accounts: bool,
    default_balance: f64,
    accounts: HashMap<Arc<str>, Account>,
    /// Accounts made for unconfigured keys, least recently used first, by use tick.
    lru: BTreeMap<u64, Arc<str>>,
    use_tick: u64,
    max_accounts: usize,
    max_key_len: usize,
    price: f64,
    solve_time: SolveTime,
    solve_time_by_type: BTreeMap<String, SolveTime>,
    rate_faults: Vec<FaultRule>,
    scripted_faults: Vec<(FaultKind, Scope, u32)>,
    pub(crate) dialect: Dialect,
    pub(crate) http_error_status: bool,
    pub(crate) callback_fault: crate::config::CallbackFault,
    result_ttl: Duration,
    one_report_per_task: bool,
    poll_limit: u32,
    next_id: u64,
    tasks: HashMap<u64, Task>,
    /// (emulated time, task id, is-expiry) events, earliest first.
    events: BinaryHeap<Reverse<(Duration, u64, bool)>>,
    /// Finished tasks by expiry time, earliest first (pushed in the order they finish, with one
    /// TTL, so it stays sorted): the expiry sweep, and the tasks dropped first at `max_tasks`.
    expiries: VecDeque<(Duration, u64)>,
    /// Tasks in progress per key (keys with none are absent).
    live_by_key: HashMap<Arc<str>, usize>,
    max_live_per_key: usize,
    max_tasks: usize,
    stats: Stats,
    next_connection: u64,
    /// Callbacks of tasks created since the server last took them: (task id, URL, emulated delay).
    new_callbacks: Vec<NewCallback>,
    /// Simulated sites, and what each saw (same order).
    sites: Vec<Site>,
    site_stats: Vec<SiteStats>,
    /// Tokens issued, by task id, and the order they were issued in (the latest
    /// `MAX_TASK_RECORDS` are kept).
    issued: HashMap<u64, IssuedToken>,
    issued_order: VecDeque<u64>,
    /// Task ids by the FNV-1a hash of their token string.
    token_index: HashMap<u64, u64>,
}

impl Engine {
    pub(crate) fn new(cfg: &Config) -> Self {
        let mut e = Self {
            clock: Clock::new(cfg.speed),
            rng: Rng::new(cfg.seed),
            seed: cfg.seed,
            open_accounts: cfg.keys.is_empty(),
            default_balance: cfg.default_balance,
            accounts: cfg
                .keys
                .iter()
                .map(|(k, b)| {
                    let account = Account {
                        balance: *b,
                        last_use: None,
                    };
                    (Arc::from(k.as_str()), account)
                })
                .collect(),
            lru: BTreeMap::new(),
            use_tick: 0,
            max_accounts: cfg.max_accounts.max(1),
            max_key_len: cfg.max_key_len,
            price: cfg.price,
            solve_time: cfg.solve_time,
            solve_time_by_type: cfg.solve_time_by_type.clone(),
            rate_faults: Vec::new(),
            scripted_faults: Vec::new(),
            dialect: cfg.dialect,
            http_error_status: cfg.http_error_status,
            callback_fault: cfg.callback_fault,
            result_ttl: match cfg.dialect {
                Dialect::AntiCaptcha => cfg.result_ttl.min(ANTI_CAPTCHA_RESULT_TTL),
                _ => cfg.result_ttl,
            },
            one_report_per_task: cfg.one_report_per_task,
            poll_limit: cfg.poll_limit,
            next_id: cfg.first_task_id,
            tasks: HashMap::new(),
            events: BinaryHeap::new(),
            expiries: VecDeque::new(),
            live_by_key: HashMap::new(),
            max_live_per_key: cfg.max_live_tasks_per_key,
            max_tasks: cfg.max_tasks,
            stats: Stats::default(),
            next_connection: 0,
            new_callbacks: Vec::new(),
            sites: Vec::new(),
            site_stats: Vec::new(),
            issued: HashMap::new(),
            issued_order: VecDeque::new(),
            token_index: HashMap::new(),
        };
        for rule in &cfg.faults {
            e.add_fault(*rule);
        }
        for site in &cfg.sites {
            e.set_site(site.clone());
        }
        e
    }

    /// Adds a simulated site, or replaces the one with the same host and key (its counts are
    /// kept). `false` when [`MAX_SITES`] sites are simulated already.
    pub(crate) fn set_site(&mut self, site: Site) -> bool {
        let stats = SiteStats {
            host: site.host.clone(),
            website_key: site.website_key.clone(),
            accept_plain: site.accept_plain,
            accept_nocache: site.accept_nocache,
            ..SiteStats::default()
        };
        if let Some(i) = self
            .sites
            .iter()
            .position(|s| s.host == site.host && s.website_key == site.website_key)
        {
            self.site_stats[i].accept_plain = site.accept_plain;
            self.site_stats[i].accept_nocache = site.accept_nocache;
            self.sites[i] = site;
            return true;
        }
        if self.sites.len() >= MAX_SITES {
            return false;
        }
        self.sites.push(site);
        self.site_stats.push(stats);
        true
    }

    /// The simulated site of a host and site key: the exact one, else the host's `*` site.
    fn find_site(&self, host: &str, key: &str) -> Option<usize> {
        let at = |k: &str| {
            self.sites
                .iter()
                .position(|s| s.host == host && s.website_key == k)
        };
        at(key).or_else(|| at("*"))
    }

    // ----- configuration at run time -----

    pub(crate) fn add_fault(&mut self, rule: FaultRule) {
        match rule.trigger {
            Trigger::Rate(r) if r > 0.0 => self.rate_faults.push(rule),
            Trigger::Rate(_) => {}
            Trigger::Next(n) if n > 0 => self.scripted_faults.push((rule.kind, rule.scope, n)),
            Trigger::Next(_) => {}
        }
    }

    pub(crate) fn clear_faults(&mut self) {
        self.rate_faults.clear();
        self.scripted_faults.clear();
    }

    pub(crate) fn set_solve_time(&mut self, t: SolveTime) {
        self.solve_time = t;
        self.solve_time_by_type.clear();
    }

    pub(crate) fn set_solve_time_for(&mut self, type_name: String, t: SolveTime) {
        self.solve_time_by_type.insert(type_name, t);
    }

    pub(crate) fn set_price(&mut self, price: f64) {
        self.price = price;
    }

    pub(crate) fn set_balance(&mut self, key: &str, balance: f64) {
        let account = self.accounts.entry(Arc::from(key)).or_insert(Account {
            balance: 0.0,
            last_use: None,
        });
        account.balance = balance;
        // A key set by hand is configured from now on: never evicted.
        if let Some(tick) = account.last_use.take() {
            self.lru.remove(&tick);
        }
        if !key.is_empty() {
            self.open_accounts = false;
        }
    }

    // ----- counters -----

    pub(crate) fn note_connection(&mut self) -> u64 {
        self.next_connection += 1;
        self.stats.connections += 1;
        self.next_connection
    }

    pub(crate) fn note_connection_evicted(&mut self) {
        self.stats.connections_evicted += 1;
    }

    pub(crate) fn note_connection_refused(&mut self) {
        self.stats.connections_refused += 1;
    }

    pub(crate) fn note_connection_timed_out(&mut self) {
        self.stats.connections_timed_out += 1;
    }

    pub(crate) fn note_body_timeout(&mut self) {
        self.stats.body_timeouts += 1;
    }

    pub(crate) fn note_body_budget_refusal(&mut self) {
        self.stats.body_budget_refusals += 1;
    }

    pub(crate) fn note_request(&mut self, connection: u64, endpoint: &str) {
        self.stats.requests_total += 1;
        let per_connection = &mut self.stats.requests_per_connection;
        if per_connection.len() >= MAX_CONNECTION_RECORDS
            && !per_connection.contains_key(&connection)
        {
            per_connection.pop_first();
        }
        *per_connection.entry(connection).or_default() += 1;
        if let Some(n) = self.stats.requests_by_endpoint.get_mut(endpoint) {
            *n += 1;
        } else {
            self.stats
                .requests_by_endpoint
                .insert(endpoint.to_owned(), 1);
        }
    }

    pub(crate) fn note_error(&mut self, code: &ErrorCode) {
        self.note_error_code(code.as_str());
    }

    /// Counts an error answer by the code as sent (the URL form spells some codes its own way).
    pub(crate) fn note_error_code(&mut self, code: &str) {
        if let Some(n) = self.stats.errors_by_code.get_mut(code) {
            *n += 1;
        } else {
            self.stats.errors_by_code.insert(code.to_owned(), 1);
        }
    }

    pub(crate) fn stats(&mut self) -> Stats {
        let now = self.clock.now();
        self.settle(now);
        self.stats.accounts = self.accounts.len() as u64;
        self.stats.tasks_kept = self.tasks.len() as u64;
        self.stats.sites = self
            .sites
            .iter()
            .zip(&self.site_stats)
            .map(|(site, stats)| (site.label(), stats.clone()))
            .collect();
        self.stats.clone()
    }

    /// The stats page (`GET /_emulator/stats`) in bounded time and size: every counter and
    /// small map, the sizes of the per-task and per-connection records, and one page of those
    /// records when asked. `connections_open` is the server's to fill in.
    pub(crate) fn stats_page(&mut self, q: &StatsQuery) -> Value {
        let now = self.clock.now();
        self.settle(now);
        self.stats.accounts = self.accounts.len() as u64;
        self.stats.tasks_kept = self.tasks.len() as u64;
        self.stats.sites = self
            .sites
            .iter()
            .zip(&self.site_stats)
            .map(|(site, stats)| (site.label(), stats.clone()))
            .collect();
        // Clone the counters without the two large maps.
        let tasks = std::mem::take(&mut self.stats.tasks);
        let per_connection = std::mem::take(&mut self.stats.requests_per_connection);
        let summary = self.stats.clone();
        self.stats.tasks = tasks;
        self.stats.requests_per_connection = per_connection;
        let mut page = match serde_json::to_value(summary) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        page.remove("tasks");
        page.remove("requests_per_connection");
        page.insert("task_records".into(), self.stats.tasks.len().into());
        page.insert(
            "connection_records".into(),
            self.stats.requests_per_connection.len().into(),
        );
        let skip = q.page.saturating_sub(1).saturating_mul(q.per_page);
        let paging = |total: usize| {
            serde_json::json!({
                "page": q.page, "per_page": q.per_page, "total": total,
                "pages": total.div_ceil(q.per_page.max(1)),
            })
        };
        if q.tasks {
            let records: Map<String, Value> = self
                .stats
                .tasks
                .iter()
                .skip(skip)
                .take(q.per_page)
                .map(|(id, t)| {
                    (
                        id.to_string(),
                        serde_json::to_value(t).unwrap_or(Value::Null),
                    )
                })
                .collect();
            page.insert("tasks".into(), Value::Object(records));
            page.insert("tasks_page".into(), paging(self.stats.tasks.len()));
        }
        if q.connections {
            let records: Map<String, Value> = self
                .stats
                .requests_per_connection
                .iter()
                .skip(skip)
                .take(q.per_page)
                .map(|(id, n)| (id.to_string(), (*n).into()))
                .collect();
            page.insert("requests_per_connection".into(), Value::Object(records));
            page.insert(
                "connections_page".into(),
                paging(self.stats.requests_per_connection.len()),
            );
        }
        Value::Object(page)
    }

    /// Picks the fault for a request in `scope`, if any: scripted faults first, then rates.
    pub(crate) fn pick_fault(&mut self, scope: Scope) -> Option<FaultKind> {
        let mut picked = None;
        if let Some(i) = self
            .scripted_faults
            .iter()
            .position(|(_, s, _)| s.covers(scope))
        {
            let (kind, _, left) = &mut self.scripted_faults[i];
            picked = Some(*kind);
            *left -= 1;
            if *left == 0 {
                self.scripted_faults.remove(i);
            }
        }
        if picked.is_none() {
            for i in 0..self.rate_faults.len() {
                let rule = self.rate_faults[i];
                if !rule.scope.covers(scope) {
                    continue;
                }
                let Trigger::Rate(rate) = rule.trigger else {
                    continue;
                };
                if self.rng.next_f64() < rate {
                    picked = Some(rule.kind);
                    break;
                }
            }
        }
        if let Some(kind) = picked {
            *self
                .stats
                .faults_by_kind
                .entry(kind.name().to_owned())
                .or_default() += 1;
            let key = format!("{}/{}", scope.name(), kind.name());
            *self.stats.faults_by_scope.entry(key).or_default() += 1;
        }
        picked
    }

    // ----- time -----

    /// Applies every event due at `now`: tasks becoming ready (and charged), results expiring.
    fn settle(&mut self, now: Duration) {
        while let Some(Reverse((at, id, expiry))) = self.events.peek().copied() {
            if at > now {
                break;
            }
            self.events.pop();
            if expiry {
                self.tasks.remove(&id);
                continue;
            }
            let Some(task) = self.tasks.get_mut(&id) else {
                continue;
            };
            task.settled = true;
            if let Some(n) = self.live_by_key.get_mut(&task.key) {
                *n -= 1;
                if *n == 0 {
                    self.live_by_key.remove(&task.key);
                }
            }
            let solved = matches!(task.outcome, Outcome::Solved(_));
            if solved {
                task.cost = self.price;
                if let Some(acc) = self.accounts.get_mut(&task.key) {
                    acc.balance -= self.price;
                }
                self.stats.tasks_solved += 1;
            } else {
                self.stats.tasks_failed += 1;
            }
            if let Some(rec) = self.stats.tasks.get_mut(&id) {
                rec.solved = Some(solved);
                rec.cost = solved.then_some(self.price);
            }
            self.expiries
                .push_back((at.saturating_add(self.result_ttl), id));
        }
        while let Some(&(at, id)) = self.expiries.front() {
            if at > now {
                break;
            }
            self.expiries.pop_front();
            self.tasks.remove(&id);
        }
    }

    /// Makes room for one more task: under `max_live_tasks_per_key` for `key`, and under
    /// `max_tasks` in all by dropping the finished task that would expire first.
    fn make_room(&mut self, key: &str) -> Result<(), Refusal> {
        let no_slot = |what: &str| {
            Refusal::new(
                ErrorCode::NoSlotAvailable,
                format!("No idle workers are available at the moment ({what})"),
            )
        };
        if self.live_by_key.get(key).copied().unwrap_or(0) >= self.max_live_per_key {
            self.stats.tasks_over_key_limit += 1;
            return Err(no_slot("too many tasks in progress for this key"));
        }
        while self.tasks.len() >= self.max_tasks.max(1) {
            let Some((_, id)) = self.expiries.pop_front() else {
                self.stats.tasks_over_total_limit += 1;
                return Err(no_slot("too many tasks in progress"));
            };
            if self.tasks.remove(&id).is_some() {
                self.stats.results_dropped_early += 1;
            }
        }
        Ok(())
    }

    fn draw_solve_time(&mut self, accepted: &Accepted) -> Duration {
        let t = self
            .solve_time_by_type
            .get(&accepted.label)
            .or_else(|| self.solve_time_by_type.get(&accepted.type_name))
            .copied()
            .unwrap_or(self.solve_time);
        match t {
            SolveTime::Documented => documented_solve_time(&accepted.type_name),
            SolveTime::Fixed(d) => d,
            SolveTime::LogNormal { median, sigma } => {
                let f = (sigma * self.rng.normal()).exp();
                scale(median, f.clamp(0.01, 100.0))
            }
        }
    }

    // ----- accounts -----

    /// Strips the documented key suffixes (`__nocache`, `__<module>`, `__recognizingthreshold_N`)
    /// and checks the key. The key is everything before the first `__`.
    ///
    /// A `clientKey` longer than `max_key_len` is refused before anything is stored. With open
    /// accounts, a new key over `max_accounts` evicts the account used least recently.
    fn account(&mut self, client_key: Option<&Value>) -> Result<Arc<str>, Refusal> {
        let bad = || {
            Refusal::new(
                ErrorCode::KeyDoesNotExist,
                "Account authorization key not found in the system or has incorrect format",
            )
        };
        let raw = client_key
            .and_then(Value::as_str)
            .filter(|k| k.len() <= self.max_key_len)
            .ok_or_else(bad)?;
        let mut parts = raw.split("__");
        let key = parts.next().unwrap_or_default();
        for suffix in parts {
            if let Some(n) = suffix.strip_prefix("recognizingthreshold_") {
                if !n.parse::<u8>().is_ok_and(|n| n <= 100) {
                    return Err(bad());
                }
            } else if suffix.is_empty() {
                return Err(bad());
            }
            // Anything else is `nocache` or a module name: accepted as is.
        }
        if key.is_empty() {
            return Err(bad());
        }
        self.use_tick += 1;
        let tick = self.use_tick;
        if let Some(key) = self.accounts.get_key_value(key).map(|(k, _)| k.clone()) {
            if let Some(last) = self
                .accounts
                .get_mut(&key)
                .and_then(|a| a.last_use.as_mut())
            {
                self.lru.remove(last);
                *last = tick;
                self.lru.insert(tick, key.clone());
            }
            return Ok(key);
        }
        if !self.open_accounts {
            return Err(bad());
        }
        if self.lru.len() >= self.max_accounts {
            if let Some((_, old)) = self.lru.pop_first() {
                self.accounts.remove(&old);
                self.stats.accounts_evicted += 1;
            }
        }
        let key: Arc<str> = Arc::from(key);
        self.accounts.insert(
            key.clone(),
            Account {
                balance: self.default_balance,
                last_use: Some(tick),
            },
        );
        self.lru.insert(tick, key.clone());
        Ok(key)
    }

    // ----- the API's operations -----

    /// createTask: checks the key, the balance and the task; returns the new task id.
    pub(crate) fn create_task(&mut self, body: &Map<String, Value>) -> Result<u64, Refusal> {
        self.create_task_or_refuse(body, None, None, false)
    }

    /// createTask for a wire form that may already know the task is bad (`early`, e.g. an
    /// unknown in.php `method`): the key and the balance are still checked first, in the same
    /// order as createTask, and the refusal is counted the same way. `pingback` is in.php's
    /// callback URL; `in_php_nocache` says in.php was sent `nocache=1`.
    pub(crate) fn create_task_or_refuse(
        &mut self,
        body: &Map<String, Value>,
        early: Option<Refusal>,
        pingback: Option<&str>,
        in_php_nocache: bool,
    ) -> Result<u64, Refusal> {
        let forms = Self::nocache_forms(body, in_php_nocache);
        let result = self.create_task_inner(body, early, pingback, !forms.is_empty());
        match result {
            Ok(id) => self.note_nocache(id, forms),
            Err(_) => self.stats.tasks_refused += 1,
        }
        result
    }

    /// The forms of `nocache` a createTask body asks for: the key suffix `__nocache`, the task
    /// field `nocache` (true, 1, "true" or "1"), or in.php's `nocache=1` (which in.php passes on
    /// as the task field: counted as in.php only).
    fn nocache_forms(body: &Map<String, Value>, in_php: bool) -> Vec<&'static str> {
        let mut forms = Vec::new();
        let key_suffix = body
            .get("clientKey")
            .and_then(Value::as_str)
            .is_some_and(|k| k.split("__").skip(1).any(|s| s == "nocache"));
        if key_suffix {
            forms.push(NOCACHE_KEY_SUFFIX);
        }
        let field = body
            .get("task")
            .and_then(|t| t.get("nocache"))
            .is_some_and(|v| match v {
                Value::Bool(b) => *b,
                Value::Number(n) => n.as_u64() == Some(1),
                Value::String(s) => s == "true" || s == "1",
                _ => false,
            });
        if in_php {
            forms.push(NOCACHE_IN_PHP);
        } else if field {
            forms.push(NOCACHE_TASK_FIELD);
        }
        forms
    }

    /// Records in the task's stats which forms of `nocache` it was created with, and counts
    /// them.
    fn note_nocache(&mut self, id: u64, forms: Vec<&'static str>) {
        if forms.is_empty() {
            return;
        }
        self.stats.nocache_tasks += 1;
        for form in &forms {
            *self
                .stats
                .nocache_by_form
                .entry((*form).to_owned())
                .or_default() += 1;
        }
        if let Some(rec) = self.stats.tasks.get_mut(&id) {
            rec.nocache = forms;
        }
    }

    fn create_task_inner(
        &mut self,
        body: &Map<String, Value>,
        early: Option<Refusal>,
        pingback: Option<&str>,
        nocache_asked: bool,
    ) -> Result<u64, Refusal> {
        let now = self.clock.now();
        self.settle(now);
        let key = self.account(body.get("clientKey"))?;
        let balance = self.accounts.get(&key).map_or(0.0, |a| a.balance);
        if balance <= 0.0 || balance < self.price {
            return Err(Refusal::new(
                ErrorCode::ZeroBalance,
                "Account has zero or negative balance",
            ));
        }
        if body
            .get("callbackUrl")
            .is_some_and(|v| !v.is_string() && !v.is_null())
        {
            return Err(Refusal::new(
                ErrorCode::BadParameters,
                "callbackUrl must be a string",
            ));
        }
        if let Some(r) = early {
            return Err(r);
        }
        let accepted = validate(body.get("task"))?;
        self.make_room(&key)?;
        let id = self.next_id;
        self.next_id += 1;
        // nocache takes effect on the types the docs list it for; a simulated site may make it
        // slower.
        let nocache = nocache_asked && accepted.nocache_supported;
        let site = if accepted.is_image {
            None
        } else {
            site_of(&accepted.task)
        };
        let site_index = site.as_ref().and_then(|(h, k)| self.find_site(h, k));
        let mut solve_time = self.draw_solve_time(&accepted);
        if let (true, Some(i)) = (nocache, site_index) {
            solve_time = solve_time.saturating_add(self.sites[i].nocache_extra);
        }
        let outcome = solve(&accepted, id, self.seed, self.dialect);
        let ready_at = now.saturating_add(solve_time);
        if let Some((host, key)) = &site {
            let token_hash = match &outcome {
                Outcome::Solved(solution) => token_of(solution).map(|t| fnv1a(t.as_bytes())),
                Outcome::Unsolvable => None,
            };
            self.issue(
                id,
                IssuedToken {
                    token_hash,
                    host_hash: fnv1a(host.as_bytes()),
                    key_hash: fnv1a(key.as_bytes()),
                    site: site_index,
                    nocache,
                    ready_at,
                    solved: matches!(outcome, Outcome::Solved(_)),
                    used: false,
                },
            );
        }
        if let Some(i) = site_index {
            let st = &mut self.site_stats[i];
            if nocache {
                st.tasks_with_nocache += 1;
            } else {
                st.tasks_without_nocache += 1;
            }
        }
        self.tasks.insert(
            id,
            Task {
                key: key.clone(),
                is_image: accepted.is_image,
                family: Family::of(&accepted.type_name, accepted.is_image),
                created_at: now,
                ready_at,
                outcome,
                settled: false,
                cost: 0.0,
                polls: 0,
                reported: false,
                site: site_index,
            },
        );
        self.events.push(Reverse((ready_at, id, false)));
        *self.live_by_key.entry(key).or_default() += 1;
        let callback = match (body.get("callbackUrl").and_then(Value::as_str), pingback) {
            (_, Some(url)) => Some((url, CallbackForm::UrlForm)),
            (Some(url), None) => Some((url, CallbackForm::Json)),
            (None, None) => None,
        };
        if let Some((url, form)) = callback {
            self.new_callbacks.push(NewCallback {
                id,
                url: url.to_owned(),
                delay: solve_time,
                form,
            });
        }
        self.stats.tasks_created += 1;
        if self.stats.tasks.len() >= MAX_TASK_RECORDS {
            self.stats.tasks.pop_first();
        }
        self.stats.tasks.insert(
            id,
            TaskStats {
                kind: accepted.label,
                created_unix_ms: self.clock.wall_ms_now(),
                created_emulated_ms: now.as_secs_f64() * 1000.0,
                ready_emulated_ms: ready_at.as_secs_f64() * 1000.0,
                ready_unix_ms: self.clock.unix_ms(ready_at),
                nocache_ignored: accepted.nocache_ignored,
                ..TaskStats::default()
            },
        );
        Ok(id)
    }

    fn no_such_id() -> Refusal {
        Refusal::new(
            ErrorCode::NoSuchCapchaId,
            "Captcha with this ID was not found or has expired (results are kept about 5 minutes)",
        )
    }

    fn task_id(body: &Map<String, Value>) -> Result<u64, Refusal> {
        body.get("taskId")
            .and_then(Value::as_u64)
            .ok_or_else(Self::no_such_id)
    }

    /// getTaskResult.
    pub(crate) fn task_result(&mut self, body: &Map<String, Value>) -> Result<TaskState, Refusal> {
        let now = self.clock.now();
        self.settle(now);
        let key = self.account(body.get("clientKey"))?;
        let id = Self::task_id(body)?;
        let poll_limit = self.poll_limit;
        let task = self
            .tasks
            .get_mut(&id)
            .filter(|t| t.key == key)
            .ok_or_else(Self::no_such_id)?;
        task.polls += 1;
        let polls = task.polls;
        if let Some(rec) = self.stats.tasks.get_mut(&id) {
            rec.polls = polls;
        }
        if polls > poll_limit {
            return Err(Refusal::new(
                ErrorCode::TooMuchRequests,
                format!("More than {poll_limit} getTaskResult requests for this task"),
            ));
        }
        if !task.settled {
            return Ok(TaskState::Processing);
        }
        let wall = self.clock.wall_ms_now();
        if let Some(rec) = self.stats.tasks.get_mut(&id) {
            rec.first_ready_returned_unix_ms.get_or_insert(wall);
        }
        match &task.outcome {
            Outcome::Solved(solution) => Ok(TaskState::Ready {
                solution: solution.clone(),
                cost: task.cost,
                create_time: unix_secs(self.clock.unix_ms(task.created_at)),
                end_time: unix_secs(self.clock.unix_ms(task.ready_at)),
                solve_count: 1,
            }),
            Outcome::Unsolvable => Err(Self::unsolvable()),
        }
    }

    /// Callbacks registered since the last call.
    pub(crate) fn take_callbacks(&mut self) -> Vec<NewCallback> {
        std::mem::take(&mut self.new_callbacks)
    }

    /// The task's result as a callback carries it: like getTaskResult, but neither counted as a
    /// poll nor as the first ready answer.
    pub(crate) fn peek_result(&mut self, id: u64) -> Result<TaskState, Refusal> {
        let now = self.clock.now();
        self.settle(now);
        let task = self.tasks.get(&id).ok_or_else(Self::no_such_id)?;
        if !task.settled {
            return Ok(TaskState::Processing);
        }
        match &task.outcome {
            Outcome::Solved(solution) => Ok(TaskState::Ready {
                solution: solution.clone(),
                cost: task.cost,
                create_time: unix_secs(self.clock.unix_ms(task.created_at)),
                end_time: unix_secs(self.clock.unix_ms(task.ready_at)),
                solve_count: 1,
            }),
            Outcome::Unsolvable => Err(Self::unsolvable()),
        }
    }

    fn unsolvable() -> Refusal {
        Refusal::new(
            ErrorCode::CaptchaUnsolvable,
            "Captcha could not be solved (the image carries the UNSOLVABLE marker)",
        )
    }

    pub(crate) fn note_callback(&mut self, outcome: CallbackOutcome) {
        match outcome {
            CallbackOutcome::Sent => self.stats.callbacks_sent += 1,
            CallbackOutcome::Failed => self.stats.callbacks_failed += 1,
            CallbackOutcome::Refused => self.stats.callbacks_refused += 1,
        }
    }

    /// getBalance.
    pub(crate) fn balance(&mut self, body: &Map<String, Value>) -> Result<f64, Refusal> {
        let now = self.clock.now();
        self.settle(now);
        let key = self.account(body.get("clientKey"))?;
        Ok(self.accounts.get(&key).map_or(0.0, |a| a.balance))
    }

    /// reportIncorrect*, reportCorrectRecaptcha and res.php reportbad/reportgood: a known, solved
    /// task of this key, of the method's kind, inside the dialect's window.
    ///
    /// One report per task is enforced where it is documented (Anti-Captcha's report pages, and
    /// 2captcha's `ERROR_DUPLICATE_REPORT` for the URL form), and in the CapMonster dialect only
    /// when [`Config::one_report_per_task`] is on: CapMonster's docs do not state it.
    pub(crate) fn report(
        &mut self,
        kind: ReportKind,
        body: &Map<String, Value>,
    ) -> Result<(), ReportFailure> {
        let now = self.clock.now();
        self.settle(now);
        let key = self
            .account(body.get("clientKey"))
            .map_err(ReportFailure::Key)?;
        let id = Self::task_id(body).map_err(|_| ReportFailure::NotFound)?;
        let window_ok = |t: &Task, dialect: Dialect| match dialect {
            Dialect::AntiCaptcha | Dialect::TwoCaptcha => {
                now <= t.ready_at.saturating_add(ANTI_CAPTCHA_REPORT_WINDOW)
            }
            // CapMonster (and the URL form): while the result is kept.
            _ => true,
        };
        let dialect = self.dialect;
        let task = self
            .tasks
            .get_mut(&id)
            .filter(|t| t.key == key)
            .ok_or(ReportFailure::NotFound)?;
        let anti_captcha = dialect == Dialect::AntiCaptcha;
        let kind_ok = match kind {
            ReportKind::Image => task.is_image,
            ReportKind::Token => !task.is_image,
            // Anti-Captcha takes these for their own kinds only; CapMonster's docs make
            // reportIncorrectRecaptcha (and once reportIncorrectHcaptcha) an alias of the token
            // method.
            ReportKind::Recaptcha if anti_captcha => task.family == Family::Recaptcha,
            ReportKind::Hcaptcha if anti_captcha => task.family == Family::Hcaptcha,
            ReportKind::Recaptcha | ReportKind::Hcaptcha => !task.is_image,
            ReportKind::GoodRecaptcha => task.family == Family::Recaptcha,
            ReportKind::AnyBad | ReportKind::AnyGood => true,
        };
        let one_report = self.one_report_per_task
            || dialect != Dialect::CapMonster
            || matches!(kind, ReportKind::AnyBad | ReportKind::AnyGood);
        if task.reported && one_report {
            return Err(ReportFailure::Duplicate);
        }
        let ok = task.settled
            && matches!(task.outcome, Outcome::Solved(_))
            && kind_ok
            && window_ok(task, dialect);
        if !ok {
            return Err(ReportFailure::NotReportable);
        }
        task.reported = true;
        if matches!(kind, ReportKind::AnyGood | ReportKind::GoodRecaptcha) {
            self.stats.good_reports_accepted += 1;
        } else {
            self.stats.reports_accepted += 1;
            if let Some(i) = task.site {
                self.site_stats[i].reported += 1;
            }
            if let Some(rec) = self.stats.tasks.get_mut(&id) {
                rec.reported = true;
            }
        }
        Ok(())
    }

    // ----- simulated sites -----

    /// Keeps a task's token for verification, forgetting the oldest over `MAX_TASK_RECORDS`.
    fn issue(&mut self, id: u64, token: IssuedToken) {
        if self.issued_order.len() >= MAX_TASK_RECORDS {
            if let Some(old) = self.issued_order.pop_front() {
                if let Some(gone) = self.issued.remove(&old) {
                    if let Some(h) = gone.token_hash {
                        if self.token_index.get(&h) == Some(&old) {
                            self.token_index.remove(&h);
                        }
                    }
                }
            }
        }
        if let Some(h) = token.token_hash {
            self.token_index.insert(h, id);
        }
        self.issued.insert(id, token);
        self.issued_order.push_back(id);
    }

    /// `POST /_emulator/sites/verify`: a site checks a token, once. The body names the token
    /// (`token`, its string) or its task (`taskId`), or both (then they must agree), and may
    /// name the site that checks it (`websiteURL`, `websiteKey`: each, when given, must be the
    /// task's). `Err` names a malformed body.
    pub(crate) fn verify(&mut self, body: &Map<String, Value>) -> Result<Verification, String> {
        let now = self.clock.now();
        self.settle(now);
        let token = match body.get("token") {
            None | Some(Value::Null) => None,
            Some(Value::String(t)) => Some(t.as_str()),
            Some(_) => return Err("token must be a string".into()),
        };
        let task_id = match body.get("taskId") {
            None | Some(Value::Null) => None,
            Some(v) => Some(
                v.as_u64()
                    .ok_or_else(|| "taskId must be a whole number".to_owned())?,
            ),
        };
        if token.is_none() && task_id.is_none() {
            return Err(
                "give the token (`token`, a string) or its task (`taskId`), or both".into(),
            );
        }
        let text = |name: &str| match body.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(format!("{name} must be a string")),
        };
        let claimed_host = text("websiteURL")?.map(site_host);
        let claimed_key = text("websiteKey")?;
        // The site that received the submission, for counting a token it never issued.
        let claimed_site = match (&claimed_host, claimed_key) {
            (Some(h), Some(k)) => self.find_site(h, k),
            _ => None,
        };
        let token_hash = token.map(|t| fnv1a(t.as_bytes()));
        let id = task_id.or_else(|| token_hash.and_then(|h| self.token_index.get(&h).copied()));
        let record = id.and_then(|id| self.issued.get(&id).copied());
        let Some((id, record)) = id.zip(record) else {
            return Ok(self.count_unknown(claimed_site, Verdict::UnknownToken, None));
        };
        if token_hash.is_some() && token_hash != record.token_hash {
            return Ok(self.count_unknown(claimed_site, Verdict::UnknownToken, None));
        }
        let site_matches = claimed_host
            .as_ref()
            .is_none_or(|h| fnv1a(h.as_bytes()) == record.host_hash)
            && claimed_key.is_none_or(|k| fnv1a(k.as_bytes()) == record.key_hash);
        if !site_matches {
            return Ok(self.count_unknown(claimed_site, Verdict::WrongSite, Some(id)));
        }
        if !record.solved {
            return Ok(self.count_unknown(claimed_site, Verdict::UnknownToken, None));
        }
        if now < record.ready_at {
            return Ok(self.count_unknown(record.site, Verdict::NotReady, Some(id)));
        }
        let verdict = if record.used {
            Verdict::AlreadyUsed
        } else {
            let p = record.site.map_or(1.0, |i| {
                let site = &self.sites[i];
                if record.nocache {
                    site.accept_nocache
                } else {
                    site.accept_plain
                }
            });
            // A draw of its own per task id: the same verdicts every run, whatever the order
            // the tokens are checked in.
            let draw = Rng::new(self.seed ^ id.wrapping_mul(0xD6E8_FEB8_6659_FD93) ^ 0x5349_5445)
                .next_f64();
            if draw < p {
                Verdict::Accepted
            } else {
                Verdict::Rejected
            }
        };
        if let Some(r) = self.issued.get_mut(&id) {
            r.used = true;
        }
        self.stats.tokens_verified += 1;
        if verdict.accepted() {
            self.stats.tokens_accepted += 1;
        }
        if let Some(i) = record.site {
            let st = &mut self.site_stats[i];
            match verdict {
                Verdict::Accepted => {
                    st.accepted += 1;
                    if record.nocache {
                        st.accepted_with_nocache += 1;
                    }
                }
                Verdict::Rejected => {
                    st.rejected += 1;
                    if record.nocache {
                        st.rejected_with_nocache += 1;
                    }
                }
                _ => {
                    st.rejected += 1;
                    st.reused += 1;
                }
            }
        }
        Ok(Verification {
            verdict,
            task_id: Some(id),
            nocache: Some(record.nocache),
        })
    }

    /// Counts a rejection of a token the site cannot take (unknown, another site's, not ready).
    fn count_unknown(
        &mut self,
        site: Option<usize>,
        verdict: Verdict,
        task_id: Option<u64>,
    ) -> Verification {
        self.stats.tokens_verified += 1;
        if let Some(i) = site {
            self.site_stats[i].rejected += 1;
            self.site_stats[i].unknown += 1;
        }
        Verification {
            verdict,
            task_id,
            nocache: None,
        }
    }
}
