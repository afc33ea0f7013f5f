//! How an emulator is set up: address, accounts, prices, timing, faults, dialect.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use capmonster_proto::Dialect;

use crate::fault::FaultRule;
use crate::site::Site;

/// How long a task takes to solve, in emulated time.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum SolveTime {
    /// A fixed time per kind, taken from the documented typical times (see
    /// [`documented_solve_time`]).
    Documented,
    /// The same fixed time for every task.
    Fixed(Duration),
    /// A log-normal draw around `median` (from the seeded random source): `median * exp(sigma * N(0,1))`.
    LogNormal {
        /// The median time.
        median: Duration,
        /// The spread; 0.5 gives most draws within 0.4x to 2.7x of the median.
        sigma: f64,
    },
}

/// The typical solve time the docs give for a task `type` (and class), used by [`SolveTime::Documented`].
///
/// ImageToText and image classes 1 s (docs: 300 ms to 6 s), reCAPTCHA v2 2 s (docs: "within 100 ms"
/// to seconds), reCAPTCHA v2 Enterprise and hCaptcha 20 s (10-80 s), reCAPTCHA v3 and GeeTest 15 s
/// (10-30 s), Turnstile 10 s (5-20 s), everything else 5 s (not documented).
pub fn documented_solve_time(type_name: &str) -> Duration {
    let secs = match type_name {
        "ImageToTextTask" | "ComplexImageTask" => 1.0,
        "RecaptchaV2Task"
        | "NoCaptchaTask"
        | "NoCaptchaTaskProxyless"
        | "RecaptchaV2TaskProxyless" => 2.0,
        "RecaptchaV2EnterpriseTask"
        | "RecaptchaV2EnterpriseTaskProxyless"
        | "HCaptchaTask"
        | "HCaptchaTaskProxyless" => 20.0,
        "RecaptchaV3TaskProxyless"
        | "RecaptchaV3EnterpriseTask"
        | "RecaptchaV3EnterpriseTaskProxyless"
        | "GeeTestTask"
        | "GeeTestTaskProxyless" => 15.0,
        "TurnstileTask" | "TurnstileTaskProxyless" => 10.0,
        _ => 5.0,
    };
    Duration::from_secs_f64(secs)
}

/// What the emulator does to each `callbackUrl` callback, to test a receiver against lost,
/// duplicated and late deliveries. The in.php `pingback` is not affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CallbackFault {
    /// Sent once, when the task is done (the default).
    #[default]
    None,
    /// Never sent (counted in [`Stats::callbacks_failed`](crate::Stats::callbacks_failed)).
    Drop,
    /// Sent twice, one after the other.
    Twice,
    /// Sent this long (real time) after the task is done.
    Delay(Duration),
}

/// Everything an emulator starts with. Most of it can be changed later through the handle.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Address to bind. Default 127.0.0.1.
    pub host: IpAddr,
    /// Port to bind. Default 0 (the OS picks one; read it back from the handle's `base_url`).
    pub port: u16,
    /// Known keys and their balances. Empty means every key is accepted, each with
    /// [`Config::default_balance`].
    pub keys: BTreeMap<String, f64>,
    /// The balance of a key seen for the first time when `keys` is empty. Default 100.
    pub default_balance: f64,
    /// What one solved task costs, in USD, charged when it becomes ready. Default 0.0006.
    pub price: f64,
    /// Time speed-up: solve times, result expiry, report windows and stalls are divided by it.
    /// Default 1; kept within 0.001 to 1,000,000.
    pub speed: f64,
    /// Solve time for every kind without its own entry in [`Config::solve_time_by_type`].
    pub solve_time: SolveTime,
    /// Solve time per task `type` (for `CustomTask` and `ComplexImageTask`, per `type/class`,
    /// e.g. `CustomTask/DataDome`).
    pub solve_time_by_type: BTreeMap<String, SolveTime>,
    /// Fault rules in force from the start.
    pub faults: Vec<FaultRule>,
    /// Seed of the random source (fault rates, solve-time draws, answers).
    pub seed: u64,
    /// Which errorId numbering and report rules to follow. `CapMonster` (errorId always 1) or
    /// `AntiCaptcha` (errorId = the code's Anti-Captcha number; reports within 60 s of completion).
    pub dialect: Dialect,
    /// How long a ready result is kept (emulated time). Default 5 minutes (CapMonster's "usually
    /// 5 minutes"). In the Anti-Captcha dialect at most 60 s, the expiry its docs state.
    pub result_ttl: Duration,
    /// In the CapMonster dialect, accept one report per task (a second one gets
    /// `ERROR_NO_SUCH_CAPCHA_ID`). CapMonster's docs do not state this rule, so it is off by
    /// default. The Anti-Captcha dialect and the URL form always take one report per task, as their
    /// docs say.
    pub one_report_per_task: bool,
    /// getTaskResult calls allowed per task; the next ones get `ERROR_TOO_MUCH_REQUESTS`. Default 120.
    pub poll_limit: u32,
    /// The first task id handed out. Default 100000001.
    pub first_task_id: u64,
    /// Send account errors with the HTTP statuses users of the official Python client have
    /// reported seeing (403 `ERROR_KEY_DOES_NOT_EXIST`, 402 `ERROR_ZERO_BALANCE`, 429
    /// `ERROR_TOO_MUCH_REQUESTS`), still with the JSON body. Default false: every API answer is
    /// HTTP 200, as the docs describe.
    pub http_error_status: bool,
    /// How long a client has to send a request's head (request line and headers), from its first
    /// byte; then the connection is closed. Real time (the speed factor does not apply).
    /// Default 10 s.
    pub header_read_timeout: Duration,
    /// How long a client has to send a request's body, once its head has arrived; then it gets
    /// HTTP 408 and the connection is closed. Real time. Default 10 s.
    pub body_read_timeout: Duration,
    /// How long a connection may sit with no request in progress (before its first request, or
    /// between keep-alive requests) before it is closed. Real time. Default 60 s.
    pub idle_timeout: Duration,
    /// Connections open at once. A connection accepted over the cap closes the one idle for the
    /// longest (else the one that has waited longest for a request body); if every connection is
    /// busy with a request, the new one is closed at once. Running out of file descriptors
    /// closes the longest idle one too. Default 1,024; at least 1.
    pub max_connections: usize,
    /// Accounts kept when any key is accepted (no [`Config::keys`]): a key seen for the first time
    /// over the cap evicts the account used least recently (its balance is forgotten; its tasks
    /// stay). Configured keys are never evicted and do not count. Default 10,000; at least 1.
    pub max_accounts: usize,
    /// The longest `clientKey` (suffixes included) looked up; a longer one gets
    /// `ERROR_KEY_DOES_NOT_EXIST` without an account being made. Default 256 bytes (a real key
    /// is 32).
    pub max_key_len: usize,
    /// Tasks one key may have in progress (created, not ready yet); the next createTask gets
    /// `ERROR_NO_SLOT_AVAILABLE`. Default 10,000.
    pub max_live_tasks_per_key: usize,
    /// Tasks kept in all (in progress, or ready and not expired). At the cap, a new task drops
    /// the finished task that would expire first (its id then answers like an expired one); if
    /// none is finished, createTask gets `ERROR_NO_SLOT_AVAILABLE`. Default 100,000.
    pub max_tasks: usize,
    /// Request-body bytes all connections may be receiving at once. Each request reserves its
    /// `Content-Length` (1 MiB, the largest body taken, when not given) until it is answered;
    /// one that does not fit gets HTTP 503 with `ERROR_NO_SLOT_AVAILABLE` and the connection is
    /// closed. Default 128 MiB.
    pub max_body_bytes_in_flight: usize,
    /// Simulated sites: tokens submitted to `POST /_emulator/sites/verify` for one of them are
    /// accepted with its probabilities, and its `nocache` solves may take longer. A later site
    /// with the same host and key replaces an earlier one. Any other site accepts every fresh
    /// token. At most [`MAX_SITES`](crate::MAX_SITES): [`Emulator::start`](crate::Emulator::start)
    /// refuses more. Default none.
    pub sites: Vec<Site>,
    /// What happens to `callbackUrl` callbacks. Default [`CallbackFault::None`].
    pub callback_fault: CallbackFault,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            keys: BTreeMap::new(),
            default_balance: 100.0,
            price: 0.0006,
            speed: 1.0,
            solve_time: SolveTime::Documented,
            solve_time_by_type: BTreeMap::new(),
            faults: Vec::new(),
            seed: 1,
            dialect: Dialect::CapMonster,
            result_ttl: Duration::from_secs(300),
            one_report_per_task: false,
            poll_limit: 120,
            first_task_id: 100_000_001,
            http_error_status: false,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
            max_accounts: 10_000,
            max_key_len: 256,
            max_live_tasks_per_key: 10_000,
            max_tasks: 100_000,
            max_body_bytes_in_flight: 128 * 1024 * 1024,
            sites: Vec::new(),
            callback_fault: CallbackFault::None,
        }
    }
}

impl Config {
    /// The defaults: 127.0.0.1, port 0, any key, real time, documented solve times, no faults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Accepts only configured keys; adds `key` with `balance` USD.
    pub fn key(mut self, key: impl Into<String>, balance: f64) -> Self {
        self.keys.insert(key.into(), balance);
        self
    }

    /// Sets the price of one solved task.
    pub fn price(mut self, usd: f64) -> Self {
        self.price = usd;
        self
    }

    /// Sets the time speed-up factor (kept within 0.001 to 1,000,000).
    pub fn speed(mut self, factor: f64) -> Self {
        self.speed = sanitize_speed(factor);
        self
    }

    /// Sets the solve time of every kind.
    pub fn solve_time(mut self, t: SolveTime) -> Self {
        self.solve_time = t;
        self
    }

    /// Sets the solve time of one task type (`ImageToTextTask`, `CustomTask/DataDome`, ...).
    pub fn solve_time_for(mut self, type_name: impl Into<String>, t: SolveTime) -> Self {
        self.solve_time_by_type.insert(type_name.into(), t);
        self
    }

    /// Adds a fault rule.
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.faults.push(rule);
        self
    }

    /// Sets the random seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the dialect.
    pub fn dialect(mut self, dialect: Dialect) -> Self {
        self.dialect = dialect;
        self
    }

    /// Sends account errors with HTTP 402/403/429 (see [`Config::http_error_status`]).
    pub fn http_error_status(mut self, on: bool) -> Self {
        self.http_error_status = on;
        self
    }

    /// Accepts one report per task in the CapMonster dialect too (see
    /// [`Config::one_report_per_task`]).
    pub fn one_report_per_task(mut self, on: bool) -> Self {
        self.one_report_per_task = on;
        self
    }

    /// Sets the port (0 = any free port).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Sets the head, body and idle timeouts (see [`Config::header_read_timeout`]).
    pub fn timeouts(mut self, header: Duration, body: Duration, idle: Duration) -> Self {
        self.header_read_timeout = header;
        self.body_read_timeout = body;
        self.idle_timeout = idle;
        self
    }

    /// Sets the cap on open connections (see [`Config::max_connections`]).
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n;
        self
    }

    /// Sets the cap on accounts made for unconfigured keys (see [`Config::max_accounts`]).
    pub fn max_accounts(mut self, n: usize) -> Self {
        self.max_accounts = n;
        self
    }

    /// Sets the cap on tasks in progress per key (see [`Config::max_live_tasks_per_key`]).
    pub fn max_live_tasks_per_key(mut self, n: usize) -> Self {
        self.max_live_tasks_per_key = n;
        self
    }

    /// Sets the request-body budget (see [`Config::max_body_bytes_in_flight`]).
    pub fn max_body_bytes_in_flight(mut self, bytes: usize) -> Self {
        self.max_body_bytes_in_flight = bytes;
        self
    }

    /// Sets the cap on tasks kept in all (see [`Config::max_tasks`]).
    pub fn max_tasks(mut self, n: usize) -> Self {
        self.max_tasks = n;
        self
    }

    /// Sets what happens to callbacks (see [`Config::callback_fault`]).
    pub fn callback_fault(mut self, fault: CallbackFault) -> Self {
        self.callback_fault = fault;
        self
    }

    /// Adds a simulated site (see [`Config::sites`]).
    pub fn site(mut self, site: Site) -> Self {
        self.sites.push(site);
        self
    }
}

pub(crate) fn sanitize_speed(factor: f64) -> f64 {
    if factor.is_finite() {
        factor.clamp(0.001, 1e6)
    } else {
        1.0
    }
}

/// `d * factor`, saturating instead of panicking on overflow.
pub(crate) fn scale(d: Duration, factor: f64) -> Duration {
    Duration::try_from_secs_f64(d.as_secs_f64() * factor).unwrap_or(if factor > 0.0 {
        Duration::MAX
    } else {
        Duration::ZERO
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaling_saturates() {
        assert_eq!(scale(Duration::from_secs(2), 0.5), Duration::from_secs(1));
        assert_eq!(scale(Duration::MAX, 1000.0), Duration::MAX);
        assert_eq!(scale(Duration::from_secs(1), 0.0), Duration::ZERO);
        assert_eq!(sanitize_speed(1e30), 1e6);
        assert_eq!(sanitize_speed(0.0), 0.001);
        assert_eq!(sanitize_speed(f64::NAN), 1.0);
    }
}
