//! The one error type the front ends return.
//!
//! Both front ends re-export [`ClientError`] as their `Error`, so the mapping from the core's
//! errors (API answers, unreadable bodies, build and solve failures, refused reports) and the
//! retry classification live here, once. A front end adds only the transport detail it saw.

use std::fmt;
use std::time::Duration;

use crate::endpoint::TaskId;
use crate::error::{ApiError, BuildError, ErrorClass, ResponseError, UnparseableResponse};
use crate::report::ReportRefused;
use crate::solver::{AmbiguousCause, Phase, SolveError, TransportFailure};

mod scrub;

pub use scrub::redact;

/// A request that got no HTTP answer. Opaque: ask [`TransportError::is_timeout`] and
/// [`TransportError::is_connect`]. Its text never holds the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportError {
    failure: TransportFailure,
    detail: String,
}

impl TransportError {
    /// A failure of kind `failure`, with the HTTP library's description (already redacted).
    pub fn new(failure: TransportFailure, detail: impl Into<String>) -> Self {
        Self {
            failure,
            detail: detail.into(),
        }
    }

    /// The kind of failure, as the solver classifies it.
    pub fn failure(&self) -> TransportFailure {
        self.failure
    }

    /// True when no answer came in time (the per-request timeout, or the solve's deadline).
    pub fn is_timeout(&self) -> bool {
        self.failure == TransportFailure::TimedOut
    }

    /// True when the connection could not be made (nothing was delivered).
    pub fn is_connect(&self) -> bool {
        self.failure == TransportFailure::ConnectFailed
    }

    /// The HTTP library's description (redacted), without the failure's own phrase.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.failure)?;
        if !self.detail.is_empty() {
            write!(f, " ({})", crate::error::escape_control(&self.detail))?;
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {}

/// Everything a client call can fail with. Each message says what happened and what to do next.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The service answered with an error code.
    #[error("{}{error}", context(*.phase, *.task_id))]
    Api {
        /// The code, its class and the service's description.
        error: ApiError,
        /// Which call got it, when known.
        phase: Option<Phase>,
        /// The task, when one exists.
        task_id: Option<TaskId>,
    },
    /// No HTTP answer came.
    #[error("{}{error}; check the network and the base URL, then retry", context(*.phase, None))]
    Transport {
        /// What happened.
        error: TransportError,
        /// Which call it was, when known.
        phase: Option<Phase>,
    },
    /// An answer came that is not an API answer (an HTML page, an empty body, ...).
    #[error("{}{error}", context(*.phase, None))]
    Unparseable {
        /// The status and the start of the body.
        error: UnparseableResponse,
        /// Which call got it, when known.
        phase: Option<Phase>,
    },
    /// An answer was larger than the client reads; it was cut off and dropped.
    #[error("the answer was larger than {limit} bytes and was not read; check the base URL")]
    ResponseTooLarge {
        /// The cap in bytes.
        limit: usize,
    },
    /// createTask was sent and its fate is unknown: the task may exist and may be charged. It was
    /// not resent.
    #[error(
        "createTask got no usable answer ({cause}{}); a task may have been created and may be \
         charged. It was not resent: check the account's recent tasks before creating another",
        if detail.is_empty() { String::new() } else { format!(": {}", crate::error::escape_control(detail)) }
    )]
    AmbiguousCreate {
        /// What went wrong.
        cause: AmbiguousCause,
        /// What the front end saw, when it knows more than the cause says (already redacted).
        detail: String,
    },
    /// The solve's deadline came first.
    #[error("{}", timeout_text(*.task_id, *.polls, *.elapsed, last_cause.as_deref()))]
    Timeout {
        /// The task, when one was created.
        task_id: Option<TaskId>,
        /// getTaskResult calls made.
        polls: u32,
        /// Time from the start of the solve.
        elapsed: Duration,
        /// What the last poll got when it was not "not ready yet" (an unreadable answer, an
        /// HTTP error, no answer): why the deadline came first. Scrubbed of secrets.
        last_cause: Option<String>,
    },
    /// The task is ready but its solution lacks the type's main value (the token, the text).
    #[error("{}", no_solution_text(*.task_id, raw))]
    NoSolution {
        /// The task (it exists and may be charged).
        task_id: TaskId,
        /// The solution as sent (JSON text, scrubbed of secrets).
        raw: String,
    },
    /// The task was polled as often as the service allows without a result.
    #[error(
        "task {task_id} was polled {polls} times without a result, the most the service allows; \
         create a new task (polling on risks a temporary ban)"
    )]
    PollLimit {
        /// The task.
        task_id: TaskId,
        /// getTaskResult calls made.
        polls: u32,
    },
    /// Local validation or a missing operation: nothing was sent.
    #[error("{0}; nothing was sent")]
    Build(#[from] BuildError),
    /// The report was refused locally under the service's rules: nothing was sent.
    #[error(transparent)]
    ReportRefused(#[from] ReportRefused),
}

fn context(phase: Option<Phase>, task_id: Option<TaskId>) -> String {
    match (phase, task_id) {
        (Some(p), Some(id)) => format!("{p} for task {id}: "),
        (Some(p), None) => format!("{p}: "),
        (None, Some(id)) => format!("task {id}: "),
        (None, None) => String::new(),
    }
}

fn no_solution_text(task_id: TaskId, raw: &str) -> String {
    format!(
        "task {task_id} is ready but its solution lacks the answer ({}); it may be charged: \
         report it to the service, and create a new task if you still need one",
        crate::solver::error_excerpt(raw)
    )
}

fn timeout_text(
    task_id: Option<TaskId>,
    polls: u32,
    elapsed: Duration,
    last_cause: Option<&str>,
) -> String {
    let cause = last_cause.map_or_else(String::new, |c| {
        format!("; the last poll got: {}", crate::error::escape_control(c))
    });
    match task_id {
        Some(id) => format!(
            "task {id} was not ready within {:.1} s ({polls} polls{cause}); it may still finish: \
             poll it again with its id, or raise the deadline",
            elapsed.as_secs_f64()
        ),
        None => format!(
            "no task was created within {:.1} s; raise the deadline or check the service",
            elapsed.as_secs_f64()
        ),
    }
}

impl ClientError {
    /// The API error, if the service answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The class of the service's error code, if the service answered with one.
    pub fn class(&self) -> Option<ErrorClass> {
        self.api().map(ApiError::class)
    }

    /// The task this error is about, when a task was created.
    pub fn task_id(&self) -> Option<TaskId> {
        match self {
            Self::Api { task_id, .. } | Self::Timeout { task_id, .. } => *task_id,
            Self::PollLimit { task_id, .. } | Self::NoSolution { task_id, .. } => Some(*task_id),
            Self::ReportRefused(r) => Some(r.task_id),
            _ => None,
        }
    }

    /// True when the same call may succeed if tried again later, without changing anything and
    /// without risking a second charge.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api { error, .. } => matches!(
                error.class(),
                ErrorClass::RetryCall | ErrorClass::NotReady | ErrorClass::RetryTask
            ),
            Self::Transport { .. } | Self::Timeout { .. } => true,
            Self::Unparseable { error, .. } => error.is_transient_status(),
            Self::ResponseTooLarge { .. }
            | Self::AmbiguousCreate { .. }
            | Self::PollLimit { .. }
            | Self::NoSolution { .. }
            | Self::Build(_)
            | Self::ReportRefused(_) => false,
        }
    }

    /// True when the request got no answer in time.
    pub fn is_timeout(&self) -> bool {
        match self {
            Self::Transport { error, .. } => error.is_timeout(),
            Self::Timeout { .. } => true,
            _ => false,
        }
    }

    /// True when the connection could not be made.
    pub fn is_connect(&self) -> bool {
        matches!(self, Self::Transport { error, .. } if error.is_connect())
    }

    /// The error for a single call (`phase`) whose answer could not be used.
    pub fn from_response(error: ResponseError, phase: Option<Phase>) -> Self {
        match error {
            ResponseError::Api(error) => Self::Api {
                error,
                phase,
                task_id: None,
            },
            ResponseError::Unparseable(error) => Self::Unparseable { error, phase },
        }
    }

    /// Attaches the transport detail the front end saw to an error that came from the solver.
    #[must_use]
    pub fn with_transport_detail(mut self, detail: Option<&str>) -> Self {
        match (&mut self, detail) {
            (Self::Transport { error, .. }, Some(detail)) => error.detail = detail.to_owned(),
            (
                Self::AmbiguousCreate {
                    cause: AmbiguousCause::Transport(_),
                    detail: slot,
                },
                Some(detail),
            ) => *slot = detail.to_owned(),
            _ => {}
        }
        self
    }
}

impl From<SolveError> for ClientError {
    fn from(e: SolveError) -> Self {
        match e {
            SolveError::Api {
                phase,
                task_id,
                error,
                ..
            } => Self::Api {
                error,
                phase: Some(phase),
                task_id,
            },
            SolveError::Unparseable { phase, error } => Self::Unparseable {
                error,
                phase: Some(phase),
            },
            SolveError::Transport { phase, failure, .. } => Self::Transport {
                error: TransportError::new(failure, ""),
                phase: Some(phase),
            },
            SolveError::AmbiguousCreate { cause, .. } => Self::AmbiguousCreate {
                cause,
                detail: String::new(),
            },
            SolveError::Timeout {
                task_id,
                polls,
                elapsed,
                last_cause,
            } => Self::Timeout {
                task_id,
                polls,
                elapsed,
                last_cause,
            },
            SolveError::NoSolution { task_id, raw } => Self::NoSolution { task_id, raw },
            SolveError::PollLimit { task_id, polls } => Self::PollLimit { task_id, polls },
            SolveError::Build(b) => Self::Build(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn messages_say_what_to_do() {
        let e = ClientError::from(SolveError::Timeout {
            task_id: Some(42),
            polls: 7,
            elapsed: Duration::from_secs(180),
            last_cause: None,
        });
        assert_eq!(
            e.to_string(),
            "task 42 was not ready within 180.0 s (7 polls); it may still finish: poll it again with its id, or raise the deadline"
        );
        assert_eq!(e.task_id(), Some(42));
        assert!(e.is_timeout() && e.is_retryable());

        let e = ClientError::Api {
            error: ApiError::new(ErrorCode::ZeroBalance, None, 1, 200),
            phase: Some(Phase::Create),
            task_id: None,
        };
        assert!(
            e.to_string()
                .starts_with("createTask: ERROR_ZERO_BALANCE; top up"),
            "{e}"
        );
        assert!(!e.is_retryable());
        assert_eq!(e.class(), Some(ErrorClass::FatalConfig));

        let e = ClientError::Transport {
            error: TransportError::new(TransportFailure::ConnectFailed, "connection refused"),
            phase: Some(Phase::Poll),
        };
        assert!(e.is_connect() && e.is_retryable() && !e.is_timeout());
        assert!(e.to_string().contains("connection refused"), "{e}");
    }

    #[test]
    fn an_ambiguous_create_says_what_the_front_end_saw() {
        let e = ClientError::from(SolveError::AmbiguousCreate {
            cause: AmbiguousCause::Transport(TransportFailure::ConnectionReset),
            elapsed: Duration::from_millis(5),
        });
        assert!(e.to_string().contains("the connection broke"), "{e}");
        let e = e.with_transport_detail(Some(
            "the answer was larger than 2048 bytes and was not read",
        ));
        assert!(
            e.to_string().starts_with(
                "createTask got no usable answer (the connection broke before the answer came: \
                 the answer was larger than 2048 bytes"
            ),
            "{e}"
        );
        assert!(e.to_string().contains("may be charged"));
    }

    #[test]
    fn server_text_is_shown_with_control_characters_escaped() {
        let e = ClientError::Api {
            error: ApiError::new(
                ErrorCode::parse("ERROR_\u{1b}[2J"),
                Some("bad\u{7}\r\ncapmonster: forged\u{9b}".into()),
                1,
                200,
            ),
            phase: Some(Phase::Poll),
            task_id: Some(3),
        };
        let text = e.to_string();
        assert!(!text.chars().any(char::is_control), "{text:?}");
        assert!(
            text.contains("\\u{1b}[2J") && text.contains("\\u{d}\\u{a}"),
            "{text}"
        );
        let t = ClientError::Transport {
            error: TransportError::new(TransportFailure::Unknown, "header\u{1b}]0;x\u{7}"),
            phase: None,
        };
        assert!(!t.to_string().chars().any(char::is_control), "{t}");
        let u = UnparseableResponse::new(200, "not a JSON object", b"\x1b[31mred\r\n");
        assert!(!u.to_string().chars().any(char::is_control), "{u}");
        let n = ClientError::NoSolution {
            task_id: 9,
            raw: "\"\u{1b}[2J\"".into(),
        };
        assert!(!n.to_string().chars().any(char::is_control), "{n}");
        assert_eq!(n.task_id(), Some(9));
    }

    #[test]
    fn messages_do_not_repeat_themselves() {
        let u = UnparseableResponse::new(200, "empty body", b"");
        assert_eq!(u.to_string().matches("empty body").count(), 1, "{u}");
        let html =
            UnparseableResponse::new(501, "not a JSON object", b"<html>Unsupported method</html>");
        assert!(!html.to_string().contains("overloaded"), "{html}");
        assert!(html.to_string().contains("check the base URL"), "{html}");
        let failure = crate::client::ExchangeFailure::no_answer(
            crate::solver::NoAnswerEvidence::BeforeSend,
            "connection refused",
        );
        let (_, detail) = failure.into_solver_input();
        let e = ClientError::from(SolveError::Transport {
            phase: Phase::Create,
            failure: TransportFailure::ConnectFailed,
            create_attempts: 4,
        })
        .with_transport_detail(Some(&detail));
        let text = e.to_string();
        assert_eq!(text.matches("could not be made").count(), 1, "{text}");
    }
}
