//! Report rules as data, and a ledger that refuses reports the service would refuse anyway.
//!
//! Each dialect has a table of [`ReportRule`]s: which verdict (the answer was wrong, or right)
//! goes through which method for which task kinds, inside which time window, and how often.
//! [`plan_report`] picks the rule for a task, checks it against a caller-owned [`ReportLedger`]
//! and a clock value the caller passes in, and returns the request to send or a
//! [`ReportRefused`] naming the rule. The core never reads a clock: times are [`Duration`]s
//! since an epoch the caller picks (for example the start of the process), and the same epoch
//! must be used for `completed_at` and `now`.
//!
//! The request is a [`ReportRequest`], the only report request there is: nothing public builds
//! a report that skips the rules. Without a completion time,
//! [`ReportRequest::without_window`] checks the type rules and leaves the window to the caller.
//!
//! ```
//! use std::time::Duration;
//! use capmonster_proto::report::{plan_report, RefusalReason, ReportLedger, ReportVerdict};
//! use capmonster_proto::{Dialect, task::TaskKind};
//!
//! let mut ledger = ReportLedger::new();
//! let done = Duration::from_secs(100);
//! let plan = plan_report(Dialect::AntiCaptcha, ReportVerdict::Incorrect, TaskKind::RecaptchaV2,
//!     7, done, done + Duration::from_secs(30), &mut ledger).unwrap();
//! assert_eq!(plan.rule.method, "reportIncorrectRecaptcha");
//! let again = plan_report(Dialect::AntiCaptcha, ReportVerdict::Incorrect, TaskKind::RecaptchaV2,
//!     7, done, done + Duration::from_secs(31), &mut ledger).unwrap_err();
//! assert_eq!(again.reason, RefusalReason::AlreadyReported);
//! ```

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use crate::api::report::ReportCall;
use crate::endpoint::{Endpoint, ReportAccepted, TaskId};
use crate::error::{ApiError, BuildError, ErrorCode, ResponseError};
use crate::key::ClientKey;
use crate::service::{Dialect, Service};
use crate::task::TaskKind;

mod rules;

pub use rules::{KindSet, ReportMethodKind, ReportRule, ReportVerdict, report_rules};

/// Why a report was refused locally.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RefusalReason {
    /// The service has no report of this verdict at all (CapMonster has no "correct" report).
    VerdictNotOffered,
    /// No rule of this dialect covers the task's kind for this verdict.
    KindNotAllowed,
    /// The task was already reported once, and the rule allows one report per task.
    AlreadyReported,
    /// The rule's window after completion has passed.
    WindowClosed,
    /// `now` is before `completed_at`: the two clock values do not share an epoch.
    ClockBeforeCompletion,
}

impl RefusalReason {
    /// A stable lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerdictNotOffered => "verdict-not-offered",
            Self::KindNotAllowed => "kind-not-allowed",
            Self::AlreadyReported => "already-reported",
            Self::WindowClosed => "window-closed",
            Self::ClockBeforeCompletion => "clock-before-completion",
        }
    }
}

/// A report refused before anything was sent: sending it would be refused by the service
/// (and on some services, count against the account).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportRefused {
    /// Why.
    pub reason: RefusalReason,
    /// The rule that refused it, when one applies (the rule whose window closed, or the rule
    /// under which the task was already reported).
    pub rule: Option<&'static ReportRule>,
    /// The dialect.
    pub dialect: Dialect,
    /// The verdict asked for.
    pub verdict: ReportVerdict,
    /// The task's kind.
    pub kind: TaskKind,
    /// The task id.
    pub task_id: TaskId,
    /// How long after completion the report was asked for.
    pub elapsed: Duration,
}

impl fmt::Display for ReportRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "report of task {} ({}) refused locally on {}: ",
            self.task_id,
            self.kind.display_name(),
            self.dialect.name()
        )?;
        match self.reason {
            RefusalReason::VerdictNotOffered => {
                write!(f, "the service has no {:?} report", self.verdict)
            }
            RefusalReason::KindNotAllowed => {
                write!(
                    f,
                    "no {:?} report method takes this task kind",
                    self.verdict
                )
            }
            RefusalReason::AlreadyReported => write!(
                f,
                "already reported (rule {}: once per task)",
                self.rule.map_or("?", |r| r.name)
            ),
            RefusalReason::WindowClosed => write!(
                f,
                "{} s after completion is past the window of rule {} ({} s)",
                self.elapsed.as_secs(),
                self.rule.map_or("?", |r| r.name),
                self.rule.and_then(|r| r.window).map_or(0, |w| w.as_secs())
            ),
            RefusalReason::ClockBeforeCompletion => {
                f.write_str("`now` is before `completed_at`; pass both from the same epoch")
            }
        }
    }
}

impl std::error::Error for ReportRefused {}

/// Reports already made, owned by the caller. Keyed by dialect and task id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportLedger {
    made: HashMap<(Dialect, TaskId), (&'static str, ReportVerdict, Duration)>,
}

impl ReportLedger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether task `task_id` was reported on `dialect`.
    pub fn is_reported(&self, dialect: Dialect, task_id: TaskId) -> bool {
        self.made.contains_key(&(dialect, task_id))
    }

    /// The rule name, verdict and time of the report made for a task, if any.
    pub fn report_of(
        &self,
        dialect: Dialect,
        task_id: TaskId,
    ) -> Option<(&'static str, ReportVerdict, Duration)> {
        self.made.get(&(dialect, task_id)).copied()
    }

    /// Forgets a report, for when its request provably never reached the service (it could not
    /// be built or sent). Do not call it after an answer came back, even an error.
    pub fn forget(&mut self, dialect: Dialect, task_id: TaskId) {
        self.made.remove(&(dialect, task_id));
    }

    /// Drops every entry recorded more than `keep` before `now`, to bound memory. Entries older
    /// than every window can no longer matter.
    pub fn prune(&mut self, now: Duration, keep: Duration) {
        self.made
            .retain(|_, (_, _, at)| now.saturating_sub(*at) <= keep);
    }

    /// How many reports are recorded.
    pub fn len(&self) -> usize {
        self.made.len()
    }

    /// True when nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.made.is_empty()
    }
}

/// The one report request: made only by the service's rules ([`plan_report`], or
/// [`ReportRequest::without_window`]), which pick its method. Send it like any [`Endpoint`]; it
/// builds only for the dialect it was planned for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportRequest {
    call: ReportCall,
    rule: &'static ReportRule,
}

impl ReportRequest {
    /// A report of task `task_id` of kind `kind` under `dialect`'s rule for `verdict`, with the
    /// rule's type and dialect checks only: the window after completion and the once-per-task
    /// rule are **the caller's to keep**. For callers that cannot know when the task completed
    /// (a command given a task id); when you know it, use [`plan_report`], which checks
    /// everything and records the report in a ledger.
    pub fn without_window(
        dialect: Dialect,
        verdict: ReportVerdict,
        kind: TaskKind,
        task_id: TaskId,
    ) -> Result<Self, ReportRefused> {
        let rule = pick_rule(dialect, verdict, kind).map_err(|reason| ReportRefused {
            reason,
            rule: None,
            dialect,
            verdict,
            kind,
            task_id,
            elapsed: Duration::ZERO,
        })?;
        Ok(Self::under(rule, kind, task_id))
    }

    fn under(rule: &'static ReportRule, kind: TaskKind, task_id: TaskId) -> Self {
        let call = match rule.sends {
            ReportMethodKind::IncorrectImage => ReportCall::incorrect_image(task_id),
            ReportMethodKind::IncorrectToken => ReportCall::incorrect_token(task_id, kind),
            ReportMethodKind::Correct => ReportCall::correct(task_id),
        };
        Self { call, rule }
    }

    /// The task the report is about.
    pub fn task_id(&self) -> TaskId {
        self.call.task_id()
    }
}

impl Endpoint for ReportRequest {
    type Output = ReportAccepted;

    fn method_name(&self, service: &Service) -> &'static str {
        self.call.method_name(service)
    }

    /// Refused ([`BuildError::Unsupported`]) on a service of another dialect than the one the
    /// rules were checked for.
    fn build(
        &self,
        service: &Service,
        key: &ClientKey,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        if service.dialect() != self.rule.dialect {
            return Err(BuildError::Unsupported {
                operation: "a report planned under another service's rules",
                service: service.dialect().name(),
            });
        }
        self.call.build(service, key)
    }

    fn parse(
        &self,
        service: &Service,
        response: http::Response<&[u8]>,
    ) -> Result<ReportAccepted, ResponseError> {
        self.call.parse(service, response)
    }
}

/// The first rule of `dialect` for `verdict` that covers `kind`, or why there is none.
fn pick_rule(
    dialect: Dialect,
    verdict: ReportVerdict,
    kind: TaskKind,
) -> Result<&'static ReportRule, RefusalReason> {
    let rules = report_rules(dialect);
    if !rules.iter().any(|r| r.verdict == verdict) {
        return Err(RefusalReason::VerdictNotOffered);
    }
    rules
        .iter()
        .find(|r| r.verdict == verdict && r.kinds.contains(kind))
        .ok_or(RefusalReason::KindNotAllowed)
}

/// A report that may be sent: the request, the rule it follows, and a warning to pass on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlannedReport {
    /// The request to send (it implements [`Endpoint`]).
    pub request: ReportRequest,
    /// The rule.
    pub rule: &'static ReportRule,
    /// A warning: the rule's note, or that the report comes past an advisory window.
    pub warning: Option<&'static str>,
}

/// Decides whether a report may be sent and builds its request; records it in `ledger` when it
/// may. `completed_at` and `now` are durations since one epoch of the caller's choosing.
///
/// For 2Captcha and the URL form the documented 15 minutes run from submission; pass the
/// submission time as `completed_at` for the strict reading.
pub fn plan_report(
    dialect: Dialect,
    verdict: ReportVerdict,
    kind: TaskKind,
    task_id: TaskId,
    completed_at: Duration,
    now: Duration,
    ledger: &mut ReportLedger,
) -> Result<PlannedReport, ReportRefused> {
    let elapsed = now.saturating_sub(completed_at);
    let refuse = |reason, rule| ReportRefused {
        reason,
        rule,
        dialect,
        verdict,
        kind,
        task_id,
        elapsed,
    };
    let rule = pick_rule(dialect, verdict, kind).map_err(|reason| refuse(reason, None))?;
    if let Some((earlier, _, _)) = ledger.report_of(dialect, task_id) {
        let earlier_rule = report_rules(dialect)
            .iter()
            .find(|r| r.name == earlier)
            .unwrap_or(rule);
        if earlier_rule.once_per_task || rule.once_per_task {
            return Err(refuse(RefusalReason::AlreadyReported, Some(earlier_rule)));
        }
    }
    if now < completed_at {
        return Err(refuse(RefusalReason::ClockBeforeCompletion, Some(rule)));
    }
    if rule.window.is_some_and(|w| elapsed > w) {
        return Err(refuse(RefusalReason::WindowClosed, Some(rule)));
    }
    let warning = if rule.advisory_window.is_some_and(|w| elapsed > w) {
        Some(
            "the service keeps results about 5 minutes and documents no report window: this report may not find the task",
        )
    } else {
        rule.note
    };
    let request = ReportRequest::under(rule, kind, task_id);
    ledger
        .made
        .insert((dialect, task_id), (rule.name, verdict, now));
    Ok(PlannedReport {
        request,
        rule,
        warning,
    })
}

/// True for the server answers that mean "this report is not accepted, do not resend it":
/// `ERROR_NO_SUCH_CAPCHA_ID` (late, wrong method, or already reported on Anti-Captcha),
/// `ERROR_REPORT_NOT_RECORDED`, `ERROR_DUPLICATE_REPORT`, `WRONG_CAPTCHA_ID`.
pub fn is_report_rejection(error: &ApiError) -> bool {
    matches!(
        error.code,
        ErrorCode::NoSuchCapchaId
            | ErrorCode::ReportNotRecorded
            | ErrorCode::DuplicateReport
            | ErrorCode::WrongCaptchaId
    )
}
