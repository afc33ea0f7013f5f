//! # capmonster-emulator
//!
//! A local service that speaks CapMonster Cloud's JSON API, for tests, examples, benchmarks and
//! users' own CI. It checks every createTask against its own table of the documented rules (so it
//! is an independent check of a client), solves tasks after a configurable (and speedable) time
//! with deterministic answers of the documented shapes, keeps accounts and balances, expires
//! results, enforces the 120-polls cap and the report rules, and injects faults on demand.
//!
//! Out of scope: TLS, the in.php/res.php URL form (planned: the engine's typed operations are
//! separate from the JSON wire code, so a URL-form module can sit beside `json_api`), callbacks to
//! anything but loopback `http://` URLs.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use capmonster_emulator::{Config, Emulator, FaultKind, Scope, SolveTime};
//! use std::time::Duration;
//!
//! let emu = Emulator::start(
//!     Config::new().speed(1000.0).solve_time(SolveTime::Fixed(Duration::from_secs(20))),
//! )
//! .await?;
//! emu.script_faults(Scope::Create, FaultKind::NoSlot, 3); // the next 3 createTask fail
//! println!("point the client at {}", emu.base_url());
//! let stats = emu.stats();
//! assert_eq!(stats.tasks_created, 0);
//! emu.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Without tokio in your own code: [`EmulatorHandle::start_blocking`].
//!
//! ## Endpoints
//!
//! `POST /createTask`, `/getTaskResult`, `/getBalance`, `/reportIncorrectImageCaptcha`,
//! `/reportIncorrectTokenCaptcha`, `/reportIncorrectRecaptcha`, `/reportIncorrectHcaptcha`;
//! `GET /api/useragent/actual` (plain text); `GET /_emulator/stats` ([`Stats`] as JSON).
//!
//! ## Rules it follows (and choices where the docs are silent)
//!
//! * Every API answer is HTTP 200 with JSON (unless a fault is injected, or
//!   [`Config::http_error_status`] is on; an unknown path gets 404, a non-POST API call 405, a body
//!   over 1 MiB 413, each with a JSON error). `errorId` is 1 on every error for
//!   [`Dialect::CapMonster`](capmonster_proto::Dialect), or the code's Anti-Captcha number for the
//!   other dialects (1 for codes without one).
//! * Validation and its error codes: see [`spec`].
//! * Keys: with no keys configured, any non-empty key is accepted (balance
//!   [`Config::default_balance`]). Suffixes after the first `__` are stripped
//!   (`__nocache`, `__<module>`, `__recognizingthreshold_N`; N over 100 is refused).
//!   A balance below the price of one task gives `ERROR_ZERO_BALANCE`.
//! * A task is charged [`Config::price`] when it becomes ready; the ready answer carries `cost`.
//! * Results are kept [`Config::result_ttl`] (5 min) after they become ready, then
//!   `ERROR_NO_SUCH_CAPCHA_ID`.
//! * The 121st getTaskResult for one task (and every later one) gets `ERROR_TOO_MUCH_REQUESTS`
//!   ("REQUEST LIMIT EXCEEDED: too many result requests for one task" in the docs' glossary).
//! * Reports: accepted once per task, for a solved task of the caller's key, through the method of
//!   its kind (image method for ImageToText and ComplexImageTask, token methods for the rest), while
//!   the result is kept (CapMonster) or within 60 s of completion (Anti-Captcha). Otherwise
//!   `ERROR_NO_SUCH_CAPCHA_ID`.
//! * Faults ([`FaultKind`]): `ERROR_NO_SLOT_AVAILABLE`, HTTP 429 with and without JSON, 500,
//!   503 with JSON, an HTML 502, an empty 200, a reset before or after the request is carried out,
//!   a stall (divided by the speed factor), a dribbled body. Each is scoped ([`Scope`]: create,
//!   poll, balance, report, any) and fires by seeded rate or on the next N requests
//!   ([`Trigger`]); scripts are used before rates. Never on the user-agent or stats pages.
//! * `callbackUrl`: when the task is done, its getTaskResult body is POSTed there, if the URL is
//!   `http://` on a loopback host (counted in [`Stats::callbacks_sent`] and friends); the receiver
//!   has 2 s (real time) to answer.
//! * Answers are deterministic (seed, task id, task). ImageToText: the ASCII characters after a
//!   `TEXT:` marker in the decoded image (letters and digits), else [`image_text`] (a hash of the
//!   image); an image containing `UNSOLVABLE` ends in `ERROR_CAPTCHA_UNSOLVABLE`, uncharged.

#![forbid(unsafe_code)]

mod answer;
mod callback;
mod config;
mod engine;
mod fault;
mod json_api;
mod rng;
mod server;
pub mod spec;
mod stats;
mod urlform;

pub use answer::{USER_AGENT, image_text};
pub use config::{Config, SolveTime, documented_solve_time};
pub use fault::{FaultKind, FaultRule, ParseFaultError, Scope, Trigger};
pub use rng::fnv1a;
pub use server::{Emulator, EmulatorHandle};
pub use stats::{Stats, TaskStats};

pub use capmonster_proto::Dialect;
