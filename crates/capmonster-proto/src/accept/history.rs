//! What an acceptance loop did: one [`Attempt`] per task, and its result or error.

use std::fmt;
use std::time::Duration;

use crate::{
    endpoint::TaskId,
    error::ApiError,
    report::ReportRefused,
    solver::{SolveError, Solved, TransportFailure},
    task::TaskKind,
};

use super::Verdict;
use super::site::SiteKey;
use super::stats::ReportCeiling;

/// Why a report of a rejected token was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Withheld {
    /// The service's rules refuse it (the type, the window, once per task).
    Rules(ReportRefused),
    /// The site is at or above the report ceiling: the rejections are most likely the
    /// proxy's, the IP's or a wrong site key's, not the tokens'.
    Ceiling(ReportCeiling),
    /// The request could not be built (the message says why).
    Build(String),
}

impl fmt::Display for Withheld {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rules(refused) => refused.fmt(f),
            Self::Ceiling(c) => write!(
                f,
                "not reported: {} of the last {} tokens for {} were rejected, at or above the \
                 {}% ceiling",
                c.rejected, c.samples, c.site, c.ceiling_percent
            ),
            Self::Build(message) => write!(f, "the report could not be built: {message}"),
        }
    }
}

/// What became of the report of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReportStatus {
    /// No report is due: the token was accepted, or the verdict was unsure (never reported), or
    /// the solve failed.
    NotDue,
    /// Sent, and the service took it.
    Sent {
        /// The method (`reportIncorrectTokenCaptcha`, ...).
        method: &'static str,
        /// The rule's caveat, if any.
        warning: Option<&'static str>,
    },
    /// Sent, and the service refused it (late, already reported, unknown task). Never resent.
    RefusedByService {
        /// The method.
        method: &'static str,
        /// The service's answer.
        error: ApiError,
    },
    /// Sent, with no readable answer: it may have arrived, and is not sent again.
    Unconfirmed {
        /// The method.
        method: &'static str,
        /// What happened instead of an answer.
        cause: String,
    },
    /// The connection failed before the request left: nothing was sent.
    NotDelivered {
        /// The method.
        method: &'static str,
        /// The failure.
        failure: TransportFailure,
    },
    /// Not sent, for this reason.
    Withheld(Withheld),
}

impl ReportStatus {
    /// True when a report request went out (whatever came back).
    pub fn was_sent(&self) -> bool {
        matches!(
            self,
            Self::Sent { .. } | Self::RefusedByService { .. } | Self::Unconfirmed { .. }
        )
    }
}

impl ReportStatus {
    /// A stable lowercase name: `not-due`, `sent`, `refused-by-service`, `unconfirmed`,
    /// `not-delivered`, `withheld`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::NotDue => "not-due",
            Self::Sent { .. } => "sent",
            Self::RefusedByService { .. } => "refused-by-service",
            Self::Unconfirmed { .. } => "unconfirmed",
            Self::NotDelivered { .. } => "not-delivered",
            Self::Withheld(_) => "withheld",
        }
    }

    /// The method, when a request was built.
    pub fn method(&self) -> Option<&'static str> {
        match self {
            Self::Sent { method, .. }
            | Self::RefusedByService { method, .. }
            | Self::Unconfirmed { method, .. }
            | Self::NotDelivered { method, .. } => Some(method),
            Self::NotDue | Self::Withheld(_) => None,
        }
    }
}

impl fmt::Display for ReportStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotDue => f.write_str("no report due"),
            Self::Sent { method, warning } => {
                write!(f, "reported ({method})")?;
                match warning {
                    Some(w) => write!(f, "; note: {w}"),
                    None => Ok(()),
                }
            }
            Self::RefusedByService { method, error } => {
                write!(f, "reported ({method}); the service refused it: {error}")
            }
            Self::Unconfirmed { method, cause } => write!(
                f,
                "reported ({method}) with no readable answer, so it may have arrived: {cause}"
            ),
            Self::NotDelivered { method, failure } => {
                write!(f, "not reported ({method}): {failure} before sending")
            }
            Self::Withheld(w) => w.fmt(f),
        }
    }
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AttemptOutcome {
    /// Solved, and the caller gave this verdict.
    Checked {
        /// The verdict.
        verdict: Verdict,
        /// The report, for a rejection.
        report: ReportStatus,
    },
    /// Not over yet: the solve is running, or its verdict is awaited. Never in a finished
    /// loop's history.
    InProgress,
    /// The solve ended with this error.
    Failed(SolveError),
}

/// One task of the loop.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Attempt {
    /// 1 for the first task.
    pub number: u32,
    /// The task id, once createTask answered (`None` when it never did: then no task was
    /// created, or, after an ambiguous createTask, one may exist without a known id).
    pub task_id: Option<TaskId>,
    /// Whether the task was sent with `nocache`.
    pub nocache: bool,
    /// Why `nocache` was on (the site's statistics, or the task or key asked for it).
    pub nocache_reason: Option<String>,
    /// From the loop's start to this attempt's start.
    pub started_after: Duration,
    /// How it ended.
    pub outcome: AttemptOutcome,
}

impl Attempt {
    /// The verdict, when the task was solved and checked.
    pub fn verdict(&self) -> Option<Verdict> {
        match self.outcome {
            AttemptOutcome::Checked { verdict, .. } => Some(verdict),
            _ => None,
        }
    }

    /// The report, when the task was solved and checked.
    pub fn report(&self) -> Option<&ReportStatus> {
        match &self.outcome {
            AttemptOutcome::Checked { report, .. } => Some(report),
            _ => None,
        }
    }
}

impl Attempt {
    /// The attempt as JSON, for a history in a command's `--json` output: `attempt`, `taskId`
    /// (or null), `nocache`, `nocacheReason`, `startedAfterMs`, `verdict` (or null), `report`
    /// (`{status, method, detail}`, or null) and `error` (the solve's, or null).
    pub fn to_json(&self) -> serde_json::Value {
        let (verdict, report, error) = match &self.outcome {
            AttemptOutcome::Checked { verdict, report } => {
                let report = serde_json::json!({
                    "status": report.as_str(),
                    "method": report.method(),
                    "detail": report.to_string(),
                });
                (Some(verdict.as_str()), Some(report), None)
            }
            AttemptOutcome::InProgress => (None, None, None),
            AttemptOutcome::Failed(e) => (None, None, Some(e.to_string())),
        };
        serde_json::json!({
            "attempt": self.number,
            "taskId": self.task_id,
            "nocache": self.nocache,
            "nocacheReason": self.nocache_reason,
            "startedAfterMs": u64::try_from(self.started_after.as_millis()).unwrap_or(u64::MAX),
            "verdict": verdict,
            "report": report,
            "error": error,
        })
    }
}

/// Something the caller should know, beside the result.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AcceptWarning {
    /// Reports for the site were stopped at the ceiling. Mass reports of tokens that were
    /// never the problem get an account's reports ignored: check the proxy, the IP and the
    /// site key.
    ReportsStopped(ReportCeiling),
    /// The site's statistics call for `nocache`, but the task's type does not take it.
    NocacheNotTaken {
        /// The site.
        site: SiteKey,
        /// The task's kind.
        kind: TaskKind,
    },
}

impl fmt::Display for AcceptWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ReportsStopped(c) => write!(
                f,
                "reports for {} stopped: {} of the last {} tokens were rejected (ceiling {}%); \
                 a site that rejects most tokens usually rejects the proxy, the IP or a wrong \
                 site key, and mass reports get an account's reports ignored: check those",
                c.site, c.rejected, c.samples, c.ceiling_percent
            ),
            Self::NocacheNotTaken { site, kind } => write!(
                f,
                "{site} rejects many tokens, but {} does not take nocache (reCAPTCHA v2 and v3 do)",
                kind.display_name()
            ),
        }
    }
}

/// An accepted solve, with the history of the loop.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Accepted {
    /// The solve whose answer the site accepted.
    pub solved: Solved,
    /// Every attempt, in order; the last is the accepted one.
    pub attempts: Vec<Attempt>,
    /// Warnings raised on the way.
    pub warnings: Vec<AcceptWarning>,
}

impl Accepted {
    /// Every task id the loop created.
    pub fn task_ids(&self) -> Vec<TaskId> {
        task_ids(&self.attempts)
    }
}

/// Why the loop ended without an accepted answer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AcceptFailure {
    /// The policy's limit of tasks was reached.
    AttemptsExhausted {
        /// The limit.
        max_attempts: u32,
    },
    /// The overall deadline left no time for another solve.
    Deadline {
        /// The deadline.
        deadline: Duration,
    },
    /// A solve ended with an error that another task would not fix (a bad key, no money, an
    /// invalid task, a createTask whose fate is unknown).
    Solve(SolveError),
}

/// The loop ended without an accepted answer. It names every task id it created.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AcceptError {
    /// Why.
    pub failure: AcceptFailure,
    /// Every attempt, in order.
    pub attempts: Vec<Attempt>,
    /// Warnings raised on the way.
    pub warnings: Vec<AcceptWarning>,
}

impl AcceptError {
    /// Every task id the loop created.
    pub fn task_ids(&self) -> Vec<TaskId> {
        task_ids(&self.attempts)
    }
}

fn task_ids(attempts: &[Attempt]) -> Vec<TaskId> {
    attempts.iter().filter_map(|a| a.task_id).collect()
}

impl fmt::Display for AcceptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.failure {
            AcceptFailure::AttemptsExhausted { max_attempts } => write!(
                f,
                "no accepted answer after {max_attempts} {}: raise the attempt limit, or \
                 check the proxy and the site key",
                if *max_attempts == 1 { "task" } else { "tasks" }
            )?,
            AcceptFailure::Deadline { deadline } => write!(
                f,
                "no accepted answer within {:.0} s: raise the deadline",
                deadline.as_secs_f64()
            )?,
            AcceptFailure::Solve(e) => write!(f, "the solve failed: {e}")?,
        }
        let ids = self.task_ids();
        let rejected = self
            .attempts
            .iter()
            .filter(|a| a.verdict() == Some(Verdict::Rejected))
            .count();
        write!(
            f,
            " ({} {}, {rejected} rejected; tasks created: ",
            self.attempts.len(),
            if self.attempts.len() == 1 {
                "attempt"
            } else {
                "attempts"
            }
        )?;
        if ids.is_empty() {
            f.write_str("none")?;
        }
        for (i, id) in ids.iter().enumerate() {
            write!(f, "{}{id}", if i == 0 { "" } else { ", " })?;
        }
        f.write_str(")")?;
        if matches!(
            &self.failure,
            AcceptFailure::Solve(SolveError::AmbiguousCreate { .. })
        ) {
            f.write_str("; the last createTask may have created a task whose id never came back")?;
        }
        Ok(())
    }
}

impl std::error::Error for AcceptError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.failure {
            AcceptFailure::Solve(e) => Some(e),
            _ => None,
        }
    }
}

impl Attempt {
    /// Scrubs `secrets` from every server text the attempt keeps (its solve error, or the
    /// service's answer to its report).
    fn scrub(&mut self, secrets: &[&str]) {
        match &mut self.outcome {
            AttemptOutcome::Failed(e) => *e = e.clone().scrub(secrets),
            AttemptOutcome::Checked { report, .. } => match report {
                ReportStatus::RefusedByService { error, .. } => error.scrub(secrets),
                ReportStatus::Unconfirmed { cause, .. } => {
                    *cause = crate::client_error::redact(cause, secrets);
                }
                _ => {}
            },
            AttemptOutcome::InProgress => {}
        }
    }
}

impl Accepted {
    /// The result with `secrets` scrubbed from every server text in its history.
    pub(crate) fn scrubbed(mut self, secrets: &[&str]) -> Self {
        self.attempts.iter_mut().for_each(|a| a.scrub(secrets));
        self
    }
}

impl AcceptError {
    /// The error with `secrets` scrubbed from every server text in it and its history.
    pub(crate) fn scrubbed(mut self, secrets: &[&str]) -> Self {
        self.attempts.iter_mut().for_each(|a| a.scrub(secrets));
        if let AcceptFailure::Solve(e) = &mut self.failure {
            *e = e.clone().scrub(secrets);
        }
        self
    }
}
