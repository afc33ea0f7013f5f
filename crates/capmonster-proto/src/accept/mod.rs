//! Accepted tokens, not just solved ones: the acceptance loop over the solver, per-site
//! statistics that switch `nocache` on, and report hygiene.
//!
//! A solved token is only worth something if the site takes it. An [`Acceptor`] runs solves
//! until the caller says a token was accepted, or the attempts or the time run out:
//!
//! 1. It starts a solve of the task, with `nocache` when the site's statistics call for it and
//!    the type takes it (reCAPTCHA v2 and v3), and passes the inner [`Solver`](crate::solver::Solver)'s requests and
//!    waits through ([`AcceptAction::Send`], [`AcceptAction::Wait`]).
//! 2. It hands the solved task to the caller ([`AcceptAction::Check`]), who submits the token
//!    and answers with a [`Verdict`] through [`Acceptor::handle_verdict`].
//! 3. On [`Verdict::Rejected`] it plans a report under the service's rules (task type, window,
//!    once per task) and, when they allow it and the site is below the report ceiling, asks for
//!    it to be sent ([`AcceptAction::Report`]); otherwise it records why it was withheld.
//!    [`Verdict::Unsure`] is never reported.
//! 4. It tries again, up to [`AcceptPolicy::max_attempts`] tasks and within
//!    [`AcceptPolicy::deadline`], and ends with [`AcceptAction::Done`]: the accepted solve with
//!    the history of every attempt, or an [`AcceptError`] with the same history, naming every
//!    task id it created.
//!
//! Like the solver it reads no clock and does no I/O: the caller passes every instant in.
//! The statistics live in a [`SiteBook`], owned by the caller and lent to the calls that
//! read or change it, so one book can serve many loops (behind a mutex) and be saved as JSON.
//!
//! ```no_run
//! # use std::time::{Duration, Instant};
//! # use capmonster_proto::{ClientKey, Service, task::RecaptchaV2Task};
//! # use capmonster_proto::accept::{AcceptAction, AcceptPolicy, Acceptor, SiteBook, SitePolicy, Verdict};
//! # use capmonster_proto::solver::{Policy, TransportFailure};
//! # fn now() -> Instant { unreachable!("the front end's clock") }
//! # fn sleep_until(_: Instant) {}
//! # fn send(_: http::Request<Vec<u8>>, _limit: Duration)
//! #     -> Result<http::Response<Vec<u8>>, TransportFailure> { unreachable!() }
//! # fn submit(_: &str) -> Verdict { Verdict::Accepted }
//! # let key = ClientKey::new("0123456789abcdef").unwrap();
//! let task = RecaptchaV2Task::new("https://shop.example/login", "6LcKEY");
//! let mut book = SiteBook::new(SitePolicy::default());
//! let mut accept = Acceptor::new(task, &key, &Service::default(), &Policy::default(),
//!     &AcceptPolicy::default());
//! let outcome = loop {
//!     match accept.poll(now(), &mut book) {
//!         AcceptAction::Send(out) => match send(out.request, out.time_left) {
//!             Ok(response) => accept.handle_response(now(), &response),
//!             Err(failure) => accept.handle_response(now(), failure),
//!         },
//!         AcceptAction::Report(out) => match send(out.request, out.time_left) {
//!             Ok(response) => accept.handle_response(now(), &response),
//!             Err(failure) => accept.handle_response(now(), failure),
//!         },
//!         AcceptAction::Wait(until) => sleep_until(until),
//!         AcceptAction::Check(solved) => {
//!             let token = solved.ready.solution.main_value().unwrap_or_default();
//!             accept.handle_verdict(now(), submit(&token), &mut book);
//!         }
//!         AcceptAction::Done(outcome) => break outcome,
//!     }
//! };
//! let accepted = outcome?;
//! println!("accepted after {} attempts", accepted.attempts.len());
//! # Ok::<(), Box<capmonster_proto::accept::AcceptError>>(())
//! ```
//!
//! docs/PROTOCOL-NOTES.md ("The acceptance loop") records the design and every default.

mod history;
mod machine;
mod site;
mod stats;

use std::time::Duration;

pub use history::{
    AcceptError, AcceptFailure, AcceptWarning, Accepted, Attempt, AttemptOutcome, ReportStatus,
    Withheld,
};
pub use machine::{AcceptAction, Acceptor, ReportOut};
pub use site::SiteKey;
pub use stats::{NocacheSwitch, ReportCeiling, SiteBook, SitePolicy, SiteSnapshot};

/// What the caller found when it submitted a solved token (or answer) to the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The site took it: the loop ends with this solve.
    Accepted,
    /// The site refused it: the loop reports it where the rules allow, and tries again.
    Rejected,
    /// The caller cannot tell (the site did not answer, the page changed): never reported, not
    /// counted in the statistics; the loop tries again.
    Unsure,
}

impl Verdict {
    /// A stable lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Unsure => "unsure",
        }
    }
}

/// The default number of tasks one loop may create.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;
/// The default time one loop may take, from its first poll to the start of its last solve.
pub const DEFAULT_ACCEPT_DEADLINE: Duration = Duration::from_secs(10 * 60);
/// The default time a report request may take.
pub const DEFAULT_REPORT_TIMEOUT: Duration = Duration::from_secs(15);

/// How one acceptance loop runs: how many tasks, how long, and how long a report may take. The
/// inner solves follow the solver's own [`Policy`](crate::solver::Policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct AcceptPolicy {
    /// The most tasks the loop creates (at least 1). Default 5.
    pub max_attempts: u32,
    /// From the loop's first poll: no solve runs past it (each solve's deadline is cut to the
    /// time left), and no new solve starts when there is no time for its first poll. A verdict
    /// the caller is still working out, and the report of a rejection, may end after it.
    /// Default 10 minutes.
    pub deadline: Duration,
    /// The time limit of a report request. Default 15 s.
    pub report_timeout: Duration,
}

impl Default for AcceptPolicy {
    fn default() -> Self {
        Self {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            deadline: DEFAULT_ACCEPT_DEADLINE,
            report_timeout: DEFAULT_REPORT_TIMEOUT,
        }
    }
}

impl AcceptPolicy {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the most tasks the loop creates (at least 1).
    #[must_use]
    pub fn with_max_attempts(mut self, max: u32) -> Self {
        self.max_attempts = max.max(1);
        self
    }

    /// Sets the loop's overall deadline.
    #[must_use]
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Sets the time limit of a report request (at least 1 s).
    #[must_use]
    pub fn with_report_timeout(mut self, timeout: Duration) -> Self {
        self.report_timeout = timeout.max(Duration::from_secs(1));
        self
    }
}
