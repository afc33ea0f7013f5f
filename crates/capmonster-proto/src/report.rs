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

use crate::api::report::{ReportCorrect, ReportIncorrectImage, ReportIncorrectToken};
use crate::endpoint::{Endpoint, ReportAccepted, TaskId};
use crate::error::{ApiError, BuildError, ErrorCode, ResponseError};
use crate::key::ClientKey;
use crate::service::{Dialect, Service};
use crate::task::TaskKind;

/// What the report says about the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReportVerdict {
    /// The answer was wrong (the token was refused, the text was wrong).
    Incorrect,
    /// The answer was right.
    Correct,
}

/// Which task kinds a rule covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KindSet {
    /// Every kind, including unknown ones.
    Any,
    /// Exactly these kinds.
    Only(&'static [TaskKind]),
}

impl KindSet {
    /// True when `kind` is covered.
    pub fn contains(self, kind: TaskKind) -> bool {
        match self {
            Self::Any => true,
            Self::Only(kinds) => kinds.contains(&kind),
        }
    }
}

/// Which request a rule sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReportMethodKind {
    /// [`ReportIncorrectImage`].
    IncorrectImage,
    /// [`ReportIncorrectToken`].
    IncorrectToken,
    /// [`ReportCorrect`].
    Correct,
}

/// One report rule of one dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportRule {
    /// A stable name for messages and tests (`anti-captcha/reportIncorrectRecaptcha`, ...).
    pub name: &'static str,
    /// The dialect.
    pub dialect: Dialect,
    /// The verdict it carries.
    pub verdict: ReportVerdict,
    /// The method name on the wire (`res.php` actions are written `reportbad`/`reportgood`).
    pub method: &'static str,
    /// Which request it sends.
    pub sends: ReportMethodKind,
    /// The kinds it may be used for.
    pub kinds: KindSet,
    /// How long after the task's completion the report is accepted; `None` when the service
    /// documents no window (then [`ReportRule::advisory_window`] may warn).
    pub window: Option<Duration>,
    /// A window past which the report is still sent, with a warning.
    pub advisory_window: Option<Duration>,
    /// At most one report per task.
    pub once_per_task: bool,
    /// A caveat to pass on with every report through this rule, if any.
    pub note: Option<&'static str>,
}

const RECAPTCHA: &[TaskKind] = &[
    TaskKind::RecaptchaV2,
    TaskKind::RecaptchaV2Enterprise,
    TaskKind::RecaptchaV3,
    TaskKind::RecaptchaV3Enterprise,
];
const CM_IMAGE: &[TaskKind] = &[
    TaskKind::ImageToText,
    TaskKind::ComplexImageRecaptcha,
    TaskKind::ComplexImageRecognition,
];
const CM_TOKEN: &[TaskKind] = &[
    TaskKind::RecaptchaV2,
    TaskKind::RecaptchaV2Enterprise,
    TaskKind::RecaptchaV3,
    TaskKind::RecaptchaV3Enterprise,
    TaskKind::GeeTest,
    TaskKind::Turnstile,
];
const AC_CORRECT: &[TaskKind] = &[
    TaskKind::RecaptchaV2,
    TaskKind::RecaptchaV2Enterprise,
    TaskKind::RecaptchaV3,
    TaskKind::RecaptchaV3Enterprise,
];

/// Anti-Captcha: every report within 60 s of completion, once per task.
const AC_WINDOW: Duration = Duration::from_secs(60);
/// 2Captcha (v1 and v2): 15 minutes, once per task.
const TWO_CAPTCHA_WINDOW: Duration = Duration::from_secs(15 * 60);
/// CapMonster keeps results "usually 5 minutes"; no report window is documented.
const CM_RESULT_LIFETIME: Duration = Duration::from_secs(5 * 60);

const fn rule(
    name: &'static str,
    dialect: Dialect,
    verdict: ReportVerdict,
    method: &'static str,
    sends: ReportMethodKind,
    kinds: KindSet,
    window: Option<Duration>,
) -> ReportRule {
    ReportRule {
        name,
        dialect,
        verdict,
        method,
        sends,
        kinds,
        window,
        advisory_window: None,
        once_per_task: true,
        note: None,
    }
}

const CAPMONSTER_RULES: &[ReportRule] = &[
    ReportRule {
        advisory_window: Some(CM_RESULT_LIFETIME),
        ..rule(
            "capmonster/reportIncorrectImageCaptcha",
            Dialect::CapMonster,
            ReportVerdict::Incorrect,
            "reportIncorrectImageCaptcha",
            ReportMethodKind::IncorrectImage,
            KindSet::Only(CM_IMAGE),
            None,
        )
    },
    ReportRule {
        advisory_window: Some(CM_RESULT_LIFETIME),
        ..rule(
            "capmonster/reportIncorrectTokenCaptcha",
            Dialect::CapMonster,
            ReportVerdict::Incorrect,
            "reportIncorrectTokenCaptcha",
            ReportMethodKind::IncorrectToken,
            KindSet::Only(CM_TOKEN),
            None,
        )
    },
];

const ANTI_CAPTCHA_RULES: &[ReportRule] = &[
    ReportRule {
        note: Some("Anti-Captcha accepts image complaints for English captchas only"),
        ..rule(
            "anti-captcha/reportIncorrectImageCaptcha",
            Dialect::AntiCaptcha,
            ReportVerdict::Incorrect,
            "reportIncorrectImageCaptcha",
            ReportMethodKind::IncorrectImage,
            KindSet::Only(&[TaskKind::ImageToText]),
            Some(AC_WINDOW),
        )
    },
    ReportRule {
        note: Some("counted only when the account sends 100 or more reCAPTCHA tasks a day"),
        ..rule(
            "anti-captcha/reportIncorrectRecaptcha",
            Dialect::AntiCaptcha,
            ReportVerdict::Incorrect,
            "reportIncorrectRecaptcha",
            ReportMethodKind::IncorrectToken,
            KindSet::Only(RECAPTCHA),
            Some(AC_WINDOW),
        )
    },
    rule(
        "anti-captcha/reportIncorrectHcaptcha",
        Dialect::AntiCaptcha,
        ReportVerdict::Incorrect,
        "reportIncorrectHcaptcha",
        ReportMethodKind::IncorrectToken,
        KindSet::Only(&[TaskKind::HCaptcha]),
        Some(AC_WINDOW),
    ),
    ReportRule {
        note: Some(
            "used for reCAPTCHA v3 and v2 Enterprise; accepted but ignored for plain reCAPTCHA v2",
        ),
        ..rule(
            "anti-captcha/reportCorrectRecaptcha",
            Dialect::AntiCaptcha,
            ReportVerdict::Correct,
            "reportCorrectRecaptcha",
            ReportMethodKind::Correct,
            KindSet::Only(AC_CORRECT),
            Some(AC_WINDOW),
        )
    },
];

const TWO_CAPTCHA_RULES: &[ReportRule] = &[
    rule(
        "2captcha/reportIncorrect",
        Dialect::TwoCaptcha,
        ReportVerdict::Incorrect,
        "reportIncorrect",
        ReportMethodKind::IncorrectImage,
        KindSet::Any,
        Some(TWO_CAPTCHA_WINDOW),
    ),
    rule(
        "2captcha/reportCorrect",
        Dialect::TwoCaptcha,
        ReportVerdict::Correct,
        "reportCorrect",
        ReportMethodKind::Correct,
        KindSet::Any,
        Some(TWO_CAPTCHA_WINDOW),
    ),
];

const URL_FORM_RULES: &[ReportRule] = &[
    rule(
        "url-form/reportbad",
        Dialect::UrlForm,
        ReportVerdict::Incorrect,
        "reportbad",
        ReportMethodKind::IncorrectImage,
        KindSet::Any,
        Some(TWO_CAPTCHA_WINDOW),
    ),
    rule(
        "url-form/reportgood",
        Dialect::UrlForm,
        ReportVerdict::Correct,
        "reportgood",
        ReportMethodKind::Correct,
        KindSet::Any,
        Some(TWO_CAPTCHA_WINDOW),
    ),
];

/// The report rules of `dialect`, in the order they are tried.
pub fn report_rules(dialect: Dialect) -> &'static [ReportRule] {
    match dialect {
        Dialect::CapMonster => CAPMONSTER_RULES,
        Dialect::AntiCaptcha => ANTI_CAPTCHA_RULES,
        Dialect::TwoCaptcha => TWO_CAPTCHA_RULES,
        Dialect::UrlForm => URL_FORM_RULES,
    }
}

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

/// The request for a permitted report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReportRequest {
    /// A wrong image answer (and 2Captcha's/in.php's generic wrong-answer report).
    IncorrectImage(ReportIncorrectImage),
    /// A refused token.
    IncorrectToken(ReportIncorrectToken),
    /// A right answer.
    Correct(ReportCorrect),
}

impl ReportRequest {
    /// The task the report is about.
    pub fn task_id(&self) -> TaskId {
        match self {
            Self::IncorrectImage(r) => r.task_id,
            Self::IncorrectToken(r) => r.task_id,
            Self::Correct(r) => r.task_id,
        }
    }
}

impl Endpoint for ReportRequest {
    type Output = ReportAccepted;

    fn method_name(&self, service: &Service) -> &'static str {
        match self {
            Self::IncorrectImage(r) => r.method_name(service),
            Self::IncorrectToken(r) => r.method_name(service),
            Self::Correct(r) => r.method_name(service),
        }
    }

    fn build(
        &self,
        service: &Service,
        key: &ClientKey,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        match self {
            Self::IncorrectImage(r) => r.build(service, key),
            Self::IncorrectToken(r) => r.build(service, key),
            Self::Correct(r) => r.build(service, key),
        }
    }

    fn parse(
        &self,
        service: &Service,
        response: http::Response<&[u8]>,
    ) -> Result<ReportAccepted, ResponseError> {
        match self {
            Self::IncorrectImage(r) => r.parse(service, response),
            Self::IncorrectToken(r) => r.parse(service, response),
            Self::Correct(r) => r.parse(service, response),
        }
    }
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
    let rules = report_rules(dialect);
    if !rules.iter().any(|r| r.verdict == verdict) {
        return Err(refuse(RefusalReason::VerdictNotOffered, None));
    }
    let Some(rule) = rules
        .iter()
        .find(|r| r.verdict == verdict && r.kinds.contains(kind))
    else {
        return Err(refuse(RefusalReason::KindNotAllowed, None));
    };
    if let Some((earlier, _, _)) = ledger.report_of(dialect, task_id) {
        let earlier_rule = rules.iter().find(|r| r.name == earlier).unwrap_or(rule);
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
    let request = match rule.sends {
        ReportMethodKind::IncorrectImage => {
            ReportRequest::IncorrectImage(ReportIncorrectImage::new(task_id))
        }
        ReportMethodKind::IncorrectToken => {
            ReportRequest::IncorrectToken(ReportIncorrectToken::new(task_id).with_kind(kind))
        }
        ReportMethodKind::Correct => ReportRequest::Correct(ReportCorrect::new(task_id)),
    };
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
