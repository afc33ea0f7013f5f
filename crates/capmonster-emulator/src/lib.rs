#![doc = include_str!("../README.md")]
//!
//! Out of scope: TLS; callbacks to anything but loopback `http://` URLs; in the URL form, the
//! pingback-management actions (`add_pingback` and friends: any loopback `pingback` is called
//! without registration), `debug_dump`, and the 2captcha lockouts (`ERROR: 1001`...).
//!
//! With tokio in your own code, [`Emulator::start`] runs it on your runtime:
//!
//! ```
//! # async fn demo() -> std::io::Result<()> {
//! use capmonster_emulator::{Config, Emulator};
//!
//! let emu = Emulator::start(Config::new().speed(1000.0)).await?;
//! println!("point the client at {}", emu.base_url());
//! emu.shutdown().await;
//! # Ok(()) }
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(demo()).unwrap();
//! ```
//!
//! ## Endpoints
//!
//! `POST /createTask`, `/getTaskResult`, `/getBalance`, `/reportIncorrectImageCaptcha`,
//! `/reportIncorrectTokenCaptcha`, `/reportIncorrectRecaptcha`, `/reportIncorrectHcaptcha`, and in
//! the Anti-Captcha dialect `/reportCorrectRecaptcha`; `GET /api/useragent/actual` (plain text);
//! `GET /_emulator/stats` (the [`Stats`] counters as JSON; `?tasks=1` / `?connections=1` add one
//! page of records, `page` and `per_page` ≤ 1,000); `POST /_emulator/sites/verify` (a simulated
//! site checks a token: see [Simulated sites](#simulated-sites)).
//!
//! ## Rules it follows (and choices where the docs are silent)
//!
//! * Every JSON API answer is HTTP 200 with JSON (unless a fault is injected, or
//!   [`Config::http_error_status`] is on; an unknown path gets 404, a non-POST API call 405, a body
//!   over 1 MiB 413, each with a JSON error). `errorId` is 1 on every error for
//!   [`Dialect::CapMonster`](capmonster_proto::Dialect), or the code's Anti-Captcha number for the
//!   other dialects (1 for codes without one).
//! * Validation and its error codes: see [`spec`] (an unknown type or class is
//!   `ERROR_TASK_NOT_SUPPORTED`, a bad field of a known type `ERROR_BAD_PARAMETERS`; flags are read
//!   from booleans or 0/1, GeeTest's `version` from a number or a string of digits).
//! * Keys: with no keys configured, any non-empty key is accepted (balance
//!   [`Config::default_balance`]). Suffixes after the first `__` are stripped
//!   (`__nocache`, `__<module>`, `__recognizingthreshold_N`; N over 100 is refused).
//!   A balance below the price of one task gives `ERROR_ZERO_BALANCE`.
//! * A task is charged [`Config::price`] when it becomes ready; the ready answer carries `cost`.
//! * Results are kept [`Config::result_ttl`] (5 min; at most 60 s in the Anti-Captcha dialect,
//!   as its docs say) after they become ready, then `ERROR_NO_SUCH_CAPCHA_ID`.
//! * The Anti-Captcha dialect answers in its shape: `cost` as a string, `createTime`/`endTime` as
//!   UNIX times, `solveCount`, and Amazon solutions as `{"token": ...}`.
//! * The 121st getTaskResult for one task (and every later one) gets `ERROR_TOO_MUCH_REQUESTS`
//!   ("REQUEST LIMIT EXCEEDED: too many result requests for one task" in the docs' glossary).
//! * Reports: accepted for a solved task of the caller's key, through the method of its kind (image
//!   method for ImageToText and ComplexImageTask, token methods for the rest; in the Anti-Captcha
//!   dialect `reportIncorrectRecaptcha` and `reportCorrectRecaptcha` for reCAPTCHA tasks only and
//!   `reportIncorrectHcaptcha` for hCaptcha only), while the result is kept (CapMonster) or within
//!   60 s of completion (Anti-Captcha). Otherwise `ERROR_NO_SUCH_CAPCHA_ID`. One report per task
//!   in the Anti-Captcha dialect and the URL form, as their docs say; in the CapMonster dialect
//!   only with [`Config::one_report_per_task`], since CapMonster's docs do not state it.
//! * Faults ([`FaultKind`]): `ERROR_NO_SLOT_AVAILABLE`, HTTP 429 with and without JSON, 500,
//!   503 with JSON, an HTML 502, an empty 200, a reset before or after the request is carried out,
//!   a stall (divided by the speed factor), a dribbled body. Each is scoped ([`Scope`]: create,
//!   poll, balance, report, any) and fires by seeded rate or on the next N requests
//!   ([`Trigger`]); scripts are used before rates. Never on the user-agent or stats pages.
//! * `callbackUrl`: when the task is done, its getTaskResult body is POSTed there (with hyper's
//!   client), if the URL is `http://` on a loopback host with no control character or space
//!   (counted in [`Stats::callbacks_sent`] and friends); the receiver has 2 s (real time) to
//!   answer. [`Config::callback_fault`] drops, doubles or delays them, to test a receiver.
//! * Answers are deterministic (seed, task id, task). ImageToText: the ASCII characters after a
//!   `TEXT:` marker in the decoded image (letters and digits), else [`image_text`] (a hash of the
//!   image); an image containing `UNSOLVABLE` ends in `ERROR_CAPTCHA_UNSOLVABLE`, uncharged.
//!
//! ## The URL form (`in.php` / `res.php`)
//!
//! CapMonster documents one `in.php` URL (reCAPTCHA v2 with `nocache=1`); the rest follows
//! 2captcha's API v1, as the core's URL form (its endpoints on a URL-form service) does, and is undocumented by
//! CapMonster.
//!
//! * Parameters come from the query string and from the body (form-encoded, `multipart/form-data`
//!   with file parts read as base64, or a JSON object), both read for a POST; a name given twice takes the last value, and an empty value counts as
//!   absent. In a query string, an unencoded `pageurl` keeps its own `?` and `&`: a name that is
//!   not an in.php parameter right after `pageurl` is glued back onto it, so the documented URL
//!   (`...&pageurl=https://lessons.zennolab.com/...php?level=high&nocache=1`) reads as written.
//! * Each in.php submission becomes the createTask body the JSON API would get, and goes through
//!   the same checks, accounts, solving, stats and [`Scope::Create`] faults; tasks, polls (one
//!   120-poll cap), reports and balances are shared between both forms. `method`: `base64`/`post`
//!   (`body` or an uploaded `file`, `regsense`, `numeric`, `calc`) → ImageToText; `userrecaptcha` (`googlekey`,
//!   `pageurl`, `invisible`, `data-s`, `cookies`, `userAgent`, `nocache`; `version=v3` with
//!   `action` and `min_score`; `enterprise=1`, with `domain` for v2) → the four reCAPTCHA types;
//!   `hcaptcha`, `turnstile` (`sitekey`, `action`, `data`, `pagedata`), `geetest` (`gt`,
//!   `challenge`, `api_server`), `geetest_v4` (`captcha_id`), `funcaptcha` (`publickey`, `surl`,
//!   `data[key]`), `amazon_waf`, `mt_captcha`, `prosopo`; and the methods 2captcha's Python client
//!   sends for CapMonster kinds: `binance` (`validate_id`), `yidun`, `tencent` (`app_id` as TenDI's
//!   key), `basilisk`, `alibaba` (`scene_id`, `prefix`), `hunt` (`api_get_lib`, `data`), `tspd`
//!   (`tspd_cookie`, `html_page_base64`), `incapsula` (`incapsula_script_url`,
//!   `incapsula_cookies`). A text captcha (`textcaptcha` without an image) and the image click modes
//!   (`recaptcha=1`, `canvas=1`, `coordinatescaptcha=1`) are unsupported (`ERROR_BAD_PARAMETERS`). `proxy=[login:password@]host:port` and
//!   `proxytype` (default HTTP) fill the proxy fields. `json`, `soft_id` and `header_acao` (no CORS header is added) are accepted.
//!   `pingback` works like `callbackUrl` (loopback `http://` only, counted in the same stats) but
//!   POSTs 2captcha's form, `id=<task id>&code=<answer>`.
//! * Answers: `OK|<id>`; `res.php` `action=get` gives `CAPCHA_NOT_READY` (2captcha's spelling)
//!   or `OK|<answer>`: the text, the token (with any `|` it contains), or for GeeTest, Amazon and
//!   other object solutions the solution as JSON. GeeTest answers are JSON unless `json=0` is
//!   sent. `action=get&ids=1,2,3` polls each task once and joins the answers with `|`, in order,
//!   `CAPCHA_NOT_READY` or the error code in place of the others, without `OK|` (my reading of
//!   2captcha's "answers joined by `|`"). `get2` adds the price (`OK|<answer>|0.0006`); `getbalance` answers a bare number;
//!   `reportbad`/`reportgood` answer `OK_REPORT_RECORDED`, once per task whichever is sent.
//!   With `json=1`: `{"status":1,"request":...}` (plus `useragent`, `respKey`, `price` where they
//!   apply) and `{"status":0,"request":"ERROR_...","error_text":"..."}`.
//! * Error codes: the engine's code, renamed where the URL form has its own word:
//!   `ERROR_WRONG_USER_KEY` (key missing, empty or with a malformed `__` suffix),
//!   `ERROR_KEY_DOES_NOT_EXIST`, `ERROR_ZERO_BALANCE`, `ERROR_PAGEURL` (bad `websiteURL`),
//!   `ERROR_GOOGLEKEY` (every missing site key: `googlekey`, `sitekey`, `publickey`, `gt`,
//!   `captcha_id`), `ERROR_PROXY_FORMAT`, `ERROR_ZERO_CAPTCHA_FILESIZE`,
//!   `ERROR_TOO_BIG_CAPTCHA_FILESIZE`, `ERROR_BAD_PARAMETERS` (unknown `method` or `action`, any
//!   other refused field), `ERROR_NO_SLOT_AVAILABLE`, `ERROR_EMPTY_ACTION`,
//!   `ERROR_WRONG_ID_FORMAT` (id missing or not digits), `ERROR_WRONG_CAPTCHA_ID` (unknown,
//!   another key's, or expired), `ERROR_CAPTCHA_UNSOLVABLE`, `ERROR_TOO_MUCH_REQUESTS` (the 121st
//!   poll: CapMonster's rule, so CapMonster's code), `ERROR_DUPLICATE_REPORT`,
//!   `ERROR_REPORT_NOT_RECORDED` (not solved yet, failed, or outside the report window),
//!   `ERROR_UPLOAD` (a multipart body without a boundary, or not split by it).
//!   [`Stats::errors_by_code`] counts them as sent.
//! * Faults take the request's scope from the script and `action`: in.php is `create`; res.php
//!   `get`/`get2` `poll`, `getbalance` `balance`, `reportbad`/`reportgood` `report`. Error faults
//!   answer in the URL form (`ERROR_NO_SLOT_AVAILABLE` as text or JSON, 429 with
//!   `ERROR_TOO_MUCH_REQUESTS`, 503 with `ERROR_NO_SLOT_AVAILABLE`). [`Config::http_error_status`]
//!   applies as on the JSON API. Other HTTP methods get 405, bodies over 1 MiB 413, both with
//!   a URL-form error.
//! * Stats count the scripts as `in.php` and `res.php` in [`Stats::requests_by_endpoint`];
//!   `reportgood` is counted in [`Stats::good_reports_accepted`].
//!
//! ## Simulated sites
//!
//! A site checks the tokens it gets, and may accept only part of them, more of those solved with
//! `nocache`. [`Config::sites`] (or [`Config::site`], [`EmulatorHandle::set_site`], the binary's
//! `--site HOST,KEY,P_PLAIN,P_NOCACHE[,EXTRA_MS]`) defines such [`Site`]s:
//!
//! ```
//! # fn demo() -> std::io::Result<()> {
//! use capmonster_emulator::{Config, EmulatorHandle, Site};
//! use std::time::Duration;
//!
//! // 30% of plain tokens accepted, 90% of nocache ones, which take 5 s longer to solve.
//! let site = Site::new("shop.example", "6LcKEY").accept(0.3, 0.9).nocache_extra(Duration::from_secs(5));
//! let emu = EmulatorHandle::start_blocking(Config::new().speed(1000.0).site(site))?;
//! // ... solve for https://shop.example/..., then POST the token to
//! // {base}/_emulator/sites/verify: {"websiteURL": ..., "websiteKey": "6LcKEY", "token": ...}
//! assert_eq!(emu.stats().sites["shop.example/6LcKEY"].accepted, 0);
//! # Ok(()) }
//! # demo().unwrap();
//! ```
//!
//! * A task belongs to a site by its `websiteURL`'s host ([`site_host`]: lowercase, no port)
//!   and its `websiteKey` (`websitePublicKey`, `gt`); the key `*` takes a whole host. At most
//!   [`MAX_SITES`]. Hosts that are not configured accept every fresh token.
//! * A task has `nocache` when it asked for it in any form (key suffix, task field, in.php
//!   `nocache=1`) on a type that takes it (reCAPTCHA v2 and v3). Such a task of a site with
//!   [`Site::nocache_extra`] is solved that much later.
//! * `POST /_emulator/sites/verify` takes `{"websiteURL": ..., "websiteKey": ..., "token": ...}`
//!   (the site fields optional; when given they must be the task's) or `{"taskId": N}`, and
//!   answers `{"accepted": bool, "reason": ..., "taskId": N, "nocache": bool}`; `reason` is
//!   `accepted`, `rejected`, `already_used` (each token is verified once), `unknown_token`
//!   (never issued: forged, or forgotten after 100,000 newer tasks), `wrong_site` or `not_ready`
//!   (the last three leave the token unused). A malformed body gets HTTP 400, `"reason":
//!   "bad_request"` and an `error`. Token strings: `gRecaptchaResponse`, `token` or
//!   `cf_clearance`; other solutions by `taskId`.
//! * The verdict on a fresh token is a seeded draw per task id (seed and id only), so a test gets
//!   the same verdicts every run.
//! * [`Stats::sites`] counts per site ([`SiteStats`]): tasks with and without `nocache`,
//!   accepted, rejected (and why), and the reports accepted for its tasks;
//!   [`Stats::tokens_verified`] and [`Stats::tokens_accepted`] count every site.
//!
//! ## Limits
//!
//! So that it can be left running and abused, every resource a client can make it hold is
//! bounded; each limit is a [`Config`] field:
//!
//! * Connections: head, body and idle timeouts ([`Config::header_read_timeout`], 10 s, 10 s,
//!   60 s); at most [`Config::max_connections`] (1,024) open, a new one closing the one idle the
//!   longest (also when out of file descriptors); heads of at most 64 KiB, and at most
//!   [`Config::max_body_bytes_in_flight`] (128 MiB) of request bodies being received at once.
//! * Accounts: keys of at most [`Config::max_key_len`] (256) bytes; at most
//!   [`Config::max_accounts`] (10,000) made for unconfigured keys, least recently used evicted.
//! * Tasks: at most [`Config::max_live_tasks_per_key`] (10,000) in progress per key and
//!   [`Config::max_tasks`] (100,000) kept in all, then `ERROR_NO_SLOT_AVAILABLE` (finished
//!   results are dropped early, oldest first, before a task is refused).
//! * Stats: per-task records of the latest 100,000 tasks (with the forms of `nocache` each was
//!   asked in, [`TaskStats::nocache`]), request counts of the latest 10,000 connections; the
//!   stats page serves them a page at a time. Tokens for verification: the latest 100,000
//!   tasks with a site (a hash of each token); simulated sites: at most [`MAX_SITES`].
//! * Binding a non-loopback address prints [`bind_warning`] on stderr.

#![forbid(unsafe_code)]

mod answer;
mod callback;
mod config;
mod engine;
mod example;
mod fault;
mod json_api;
mod rng;
mod server;
mod site;
pub mod spec;
mod stats;
mod urlform;

pub use answer::{USER_AGENT, image_text};
pub use config::{CallbackFault, Config, SolveTime, documented_solve_time};
pub use example::ExampleTarget;
pub use fault::{FaultKind, FaultRule, ParseFaultError, Scope, Trigger};
pub use rng::fnv1a;
pub use server::{Emulator, EmulatorHandle, bind_warning};
pub use site::{MAX_SITES, ParseSiteError, Site, site_host};
pub use stats::{SiteStats, Stats, TaskStats};

pub use capmonster_proto::Dialect;
