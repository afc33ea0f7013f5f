//! What the emulator counted: requests, connections, faults, tasks and their timings.

use std::collections::BTreeMap;

use serde::Serialize;

/// A snapshot of the emulator's counters. Also served as JSON at `GET /_emulator/stats`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Stats {
    /// Every HTTP request received (the stats page included).
    pub requests_total: u64,
    /// Requests per endpoint name (`createTask`, `getTaskResult`, `getBalance`,
    /// `reportIncorrectImageCaptcha`, ..., `in.php`, `res.php`, `getUserAgent`, `stats`,
    /// `sitesVerify`, `unknown`).
    pub requests_by_endpoint: BTreeMap<String, u64>,
    /// TCP connections accepted.
    pub connections: u64,
    /// Requests per TCP connection, by connection id (1, 2, ... in accept order); the most
    /// recent 10,000 connections.
    pub requests_per_connection: BTreeMap<u64, u64>,
    /// Connections open now.
    pub connections_open: u64,
    /// Connections closed to make room: accepted over [`Config::max_connections`], or out of file
    /// descriptors.
    ///
    /// [`Config::max_connections`]: crate::Config::max_connections
    pub connections_evicted: u64,
    /// Connections closed at once because every open connection was answering a request.
    pub connections_refused: u64,
    /// Connections closed by the idle or the head timeout.
    pub connections_timed_out: u64,
    /// Requests answered 408 because their body did not arrive within the body timeout.
    pub body_timeouts: u64,
    /// Requests answered 503 because their body did not fit in
    /// [`Config::max_body_bytes_in_flight`].
    ///
    /// [`Config::max_body_bytes_in_flight`]: crate::Config::max_body_bytes_in_flight
    pub body_budget_refusals: u64,
    /// Faults injected, by kind name (`no-slot`, `http503`, `reset`, ...).
    pub faults_by_kind: BTreeMap<String, u64>,
    /// Faults injected, by the request's scope and the kind (`create/no-slot`, `poll/http503`).
    pub faults_by_scope: BTreeMap<String, u64>,
    /// Error answers sent, by error code.
    pub errors_by_code: BTreeMap<String, u64>,
    /// Accounts kept now (configured keys included).
    pub accounts: u64,
    /// Accounts of unconfigured keys evicted to stay within [`Config::max_accounts`].
    ///
    /// [`Config::max_accounts`]: crate::Config::max_accounts
    pub accounts_evicted: u64,
    /// Tasks accepted by createTask or in.php.
    pub tasks_created: u64,
    /// Tasks that became ready with a solution (and were charged).
    pub tasks_solved: u64,
    /// Tasks that ended with an error (`ERROR_CAPTCHA_UNSOLVABLE`).
    pub tasks_failed: u64,
    /// createTask (and in.php) calls refused by validation, the key or the balance.
    pub tasks_refused: u64,
    /// createTask calls answered `ERROR_NO_SLOT_AVAILABLE` because the key had
    /// [`Config::max_live_tasks_per_key`] tasks in progress (also counted in `tasks_refused`).
    ///
    /// [`Config::max_live_tasks_per_key`]: crate::Config::max_live_tasks_per_key
    pub tasks_over_key_limit: u64,
    /// createTask calls answered `ERROR_NO_SLOT_AVAILABLE` because [`Config::max_tasks`] tasks
    /// were in progress (also counted in `tasks_refused`).
    ///
    /// [`Config::max_tasks`]: crate::Config::max_tasks
    pub tasks_over_total_limit: u64,
    /// Finished tasks dropped before their expiry to stay within [`Config::max_tasks`].
    ///
    /// [`Config::max_tasks`]: crate::Config::max_tasks
    pub results_dropped_early: u64,
    /// Tasks kept now (in progress, or finished and not expired).
    pub tasks_kept: u64,
    /// Tasks created with `nocache` asked in any form.
    pub nocache_tasks: u64,
    /// Tasks created with `nocache`, by the form it came in: `key_suffix` (`clientKey` ending
    /// `__nocache`), `task_field` (`"nocache": true` in the task), `in_php` (in.php's
    /// `nocache=1`). A task sent with two forms counts under both.
    pub nocache_by_form: BTreeMap<String, u64>,
    /// Reports of an incorrect answer accepted (the JSON report methods and res.php `reportbad`).
    pub reports_accepted: u64,
    /// Reports of a correct answer accepted: res.php `reportgood`, and Anti-Captcha's
    /// `reportCorrectRecaptcha`.
    pub good_reports_accepted: u64,
    /// Callbacks POSTed to a `callbackUrl` (or an in.php `pingback`) and answered.
    pub callbacks_sent: u64,
    /// Callbacks whose receiver could not be reached or did not answer within 2 s.
    pub callbacks_failed: u64,
    /// Callbacks not sent because the URL was not `http://` on a loopback host.
    pub callbacks_refused: u64,
    /// Token verifications answered (`POST /_emulator/sites/verify`), for every site.
    pub tokens_verified: u64,
    /// Verifications that accepted the token, for every site (unconfigured sites accept every
    /// fresh token).
    pub tokens_accepted: u64,
    /// Per simulated site, by [`Site::label`](crate::Site::label) (`host/key`): the configured
    /// sites only (at most [`MAX_SITES`](crate::MAX_SITES)).
    pub sites: BTreeMap<String, SiteStats>,
    /// Per-task records, by task id (the most recent 100,000 tasks).
    pub tasks: BTreeMap<u64, TaskStats>,
}

/// What one simulated site saw: its tasks, the tokens submitted to it and the reports of its
/// tasks.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SiteStats {
    /// The site's host.
    pub host: String,
    /// The site's key (`*`: every key of the host without a site of its own).
    pub website_key: String,
    /// The configured probability of accepting a fresh token solved without `nocache`.
    pub accept_plain: f64,
    /// The configured probability of accepting a fresh token solved with `nocache`.
    pub accept_nocache: f64,
    /// Tasks created for the site that applied `nocache` (asked in any form, on a type the docs
    /// list it for: reCAPTCHA v2 and v3).
    pub tasks_with_nocache: u64,
    /// Tasks created for the site without `nocache` (or with it on a type that ignores it).
    pub tasks_without_nocache: u64,
    /// Tokens accepted (each fresh token, once).
    pub accepted: u64,
    /// Submissions rejected, whatever the reason: the site's draw, a token submitted again
    /// ([`SiteStats::reused`]), or one the emulator never issued for this site
    /// ([`SiteStats::unknown`]).
    pub rejected: u64,
    /// Of `accepted`, the tokens of `nocache` tasks.
    pub accepted_with_nocache: u64,
    /// Of `rejected`, the fresh tokens of `nocache` tasks rejected by the site's draw.
    pub rejected_with_nocache: u64,
    /// Of `rejected`, tokens submitted a second time (or later).
    pub reused: u64,
    /// Of `rejected`, tokens the emulator never issued, issued for another site, or not ready.
    pub unknown: u64,
    /// Reports of an incorrect answer the emulator accepted for the site's tasks.
    pub reported: u64,
}

/// One task's history, for joining the server's view with a client's timings.
///
/// Times are milliseconds. `*_unix_ms` are wall-clock (UNIX epoch) times; `*_emulated_ms` are
/// emulated time since the emulator started (real time multiplied by the speed factor).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct TaskStats {
    /// `type`, or `type/class`.
    pub kind: String,
    /// getTaskResult (and res.php `get`/`get2`) calls for this task.
    pub polls: u32,
    /// Wall-clock time of createTask.
    pub created_unix_ms: f64,
    /// Emulated time of createTask.
    pub created_emulated_ms: f64,
    /// Emulated time at which the task became ready.
    pub ready_emulated_ms: f64,
    /// Wall-clock time at which the task became ready (computed from the emulated time).
    pub ready_unix_ms: f64,
    /// Wall-clock time at which a ready result (or the task's final error) was first sent.
    pub first_ready_returned_unix_ms: Option<f64>,
    /// Whether it ended solved (true) or failed (false); `None` while not ready.
    pub solved: Option<bool>,
    /// Whether a report of an incorrect answer was accepted for it.
    pub reported: bool,
    /// What it cost, when solved.
    pub cost: Option<f64>,
    /// The task carried `nocache` as a task field on a type the docs do not list it for (they
    /// list reCAPTCHA v2 and v3): accepted, and ignored.
    pub nocache_ignored: bool,
    /// The forms in which `nocache` was asked for it (`key_suffix`, `task_field`, `in_php`);
    /// empty when it was not.
    pub nocache: Vec<&'static str>,
}
