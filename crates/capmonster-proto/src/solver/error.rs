//! What can end a solve without a solution.

use std::fmt;
use std::time::Duration;

use crate::endpoint::TaskId;
use crate::error::{ApiError, BuildError, ErrorClass, UnparseableResponse};

/// Which request of a solve an error came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Phase {
    /// createTask.
    Create,
    /// getTaskResult.
    Poll,
}

impl Phase {
    /// The method's name.
    pub fn method_name(self) -> &'static str {
        match self {
            Self::Create => "createTask",
            Self::Poll => "getTaskResult",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.method_name())
    }
}

/// A request that got no HTTP answer, as the front end saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportFailure {
    /// The connection could not be made (DNS, refused, TLS handshake): the request was certainly
    /// not delivered.
    ConnectFailed,
    /// The request was sent, or may have been, and no answer came in time (including the cut at
    /// the solve's deadline).
    TimedOut,
    /// The connection broke after the request was sent, or may have been.
    ConnectionReset,
    /// The HTTP library failed in a way the front end does not recognise (an answer it could not
    /// read, a protocol error, a TLS alert mid-exchange). The request may have arrived.
    Unknown,
}

/// What a front end knows about a request that got no usable answer: the input of
/// [`TransportFailure::classify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoAnswerEvidence {
    /// Provably before the first byte of the request left: the name did not resolve, the
    /// connection was refused or timed out while connecting, the TLS handshake was refused, or
    /// the library rejected the URL or proxy before connecting.
    BeforeSend,
    /// The request's timer ran out after the connection was made.
    TimedOut,
    /// The connection broke (reset, closed) after it was made.
    Broken,
    /// Anything else, including every error the front end does not recognise.
    Unrecognised,
}

impl TransportFailure {
    /// True when the request certainly never reached the service.
    pub fn certainly_not_sent(self) -> bool {
        self == Self::ConnectFailed
    }

    /// The one rule every front end classifies its HTTP library's errors with: only an error
    /// that provably happened before the first request byte left is "nothing was sent"
    /// ([`TransportFailure::ConnectFailed`], the only failure after which a createTask is
    /// resent). Everything else, above all an error the front end does not recognise, means
    /// the request may have arrived.
    pub fn classify(evidence: NoAnswerEvidence) -> Self {
        match evidence {
            NoAnswerEvidence::BeforeSend => Self::ConnectFailed,
            NoAnswerEvidence::TimedOut => Self::TimedOut,
            NoAnswerEvidence::Broken => Self::ConnectionReset,
            NoAnswerEvidence::Unrecognised => Self::Unknown,
        }
    }
}

impl fmt::Display for TransportFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ConnectFailed => "the connection could not be made",
            Self::TimedOut => "no answer came in time",
            Self::ConnectionReset => "the connection broke before the answer came",
            Self::Unknown => "the exchange failed after the request may have arrived",
        })
    }
}

/// Why the fate of a createTask is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AmbiguousCause {
    /// The request may have arrived, but no answer came.
    Transport(TransportFailure),
    /// An answer came that is not an API answer (a 5xx page, HTML, an empty body, JSON without a
    /// task id).
    Response(UnparseableResponse),
}

impl fmt::Display for AmbiguousCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(t) => t.fmt(f),
            Self::Response(r) => r.fmt(f),
        }
    }
}

/// Why a solve ended without a solution.
///
/// Each message says what happened and what to do next, and names the task id when one was
/// created.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SolveError {
    /// The service answered with an error code that ends the solve: a fatal code, a retry-task
    /// code (the task failed; a new one may succeed, and is charged), or a retry-call code on
    /// createTask after the last attempt.
    Api {
        /// The request that got the answer.
        phase: Phase,
        /// The task, when one was created.
        task_id: Option<TaskId>,
        /// The error.
        error: ApiError,
        /// How many createTask requests were sent.
        create_attempts: u32,
    },
    /// createTask got an answer that is not an API answer, under a 4xx status that says the
    /// request was refused: nothing was created. A 429 ends here only after the last attempt.
    Unparseable {
        /// The request that got the answer.
        phase: Phase,
        /// The answer.
        error: UnparseableResponse,
    },
    /// createTask could not connect, on every attempt. Nothing was created.
    Transport {
        /// The request.
        phase: Phase,
        /// The last failure.
        failure: TransportFailure,
        /// How many createTask requests were tried.
        create_attempts: u32,
    },
    /// createTask was sent and its fate is unknown: the task may exist, may be solved, and may
    /// be charged. It is never resent on its own.
    AmbiguousCreate {
        /// What went wrong.
        cause: AmbiguousCause,
        /// From the start of the solve to this error.
        elapsed: Duration,
    },
    /// The deadline came first.
    Timeout {
        /// The task, when one was created.
        task_id: Option<TaskId>,
        /// How many getTaskResult requests were sent.
        polls: u32,
        /// From the start of the solve to this error.
        elapsed: Duration,
        /// What the last request got when it was not a plain "not ready yet" (an unreadable
        /// answer, an HTTP error, no answer), as text: why the deadline came first.
        last_cause: Option<String>,
    },
    /// The task is ready, but its solution lacks the type's main value (the token, the text):
    /// an empty object, a bare string, a number where a string belongs. The task exists and may
    /// be charged; polling it again will not change the answer.
    NoSolution {
        /// The task.
        task_id: TaskId,
        /// The solution as sent (JSON text, scrubbed of secrets).
        raw: String,
    },
    /// The task was polled as often as the service allows (120 times, or the policy's lower cap)
    /// without a result.
    PollLimit {
        /// The task.
        task_id: TaskId,
        /// How many getTaskResult requests were sent.
        polls: u32,
    },
    /// The createTask request could not be built (a field broke a rule, or the service has no
    /// createTask). Nothing was sent.
    Build(BuildError),
}

impl SolveError {
    /// The task's id, when one was created.
    pub fn task_id(&self) -> Option<TaskId> {
        match self {
            Self::Api { task_id, .. } | Self::Timeout { task_id, .. } => *task_id,
            Self::PollLimit { task_id, .. } | Self::NoSolution { task_id, .. } => Some(*task_id),
            Self::Unparseable { .. }
            | Self::Transport { .. }
            | Self::AmbiguousCreate { .. }
            | Self::Build(_) => None,
        }
    }

    /// True when the cause is transient, so that solving again later, unchanged, may succeed.
    ///
    /// Solving again creates a new task, which is charged when it is solved. After a
    /// [`SolveError::Timeout`] with a task id, waiting longer on that task
    /// ([`Solver::resume`](crate::solver::Solver::resume)) may be cheaper. An
    /// [`SolveError::AmbiguousCreate`] is not retryable: find out first whether the task exists.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api { error, .. } => {
                error.class() == ErrorClass::RetryTask || refusal_is_transient(error)
            }
            Self::Transport { .. } | Self::Timeout { .. } => true,
            Self::Unparseable { error, .. } => error.is_transient_status(),
            Self::AmbiguousCreate { .. }
            | Self::PollLimit { .. }
            | Self::NoSolution { .. }
            | Self::Build(_) => false,
        }
    }

    /// The API error, if that is what ended the solve.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl fmt::Display for SolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Api {
                phase,
                task_id,
                error,
                create_attempts,
            } => fmt_api(f, *phase, *task_id, error, *create_attempts),
            Self::Unparseable { phase, error } => {
                write!(f, "{phase} was refused and nothing was created: {error}")
            }
            Self::Transport {
                phase,
                failure,
                create_attempts,
            } => write!(
                f,
                "{phase} could not reach the service in {create_attempts} attempt(s) ({failure}); nothing was created: check the network and the base URL, then retry"
            ),
            Self::AmbiguousCreate { cause, elapsed } => write!(
                f,
                "createTask was sent but its answer was lost ({cause}) after {:.1} s: a task may exist and may be charged; it was not resent. Check the balance or the dashboard before creating another",
                elapsed.as_secs_f64()
            ),
            Self::Timeout {
                task_id: Some(id),
                polls,
                elapsed,
                last_cause,
            } => fmt_late(f, *id, *polls, *elapsed, last_cause.as_deref()),
            Self::NoSolution { task_id, raw } => write!(
                f,
                "task {task_id} is ready but its solution lacks the answer ({}): it may be charged; report it to the service, and create a new task if you still need one",
                error_excerpt(raw)
            ),
            Self::Timeout {
                task_id: None,
                elapsed,
                ..
            } => write!(
                f,
                "the deadline ({:.1} s) came before any task was created: raise the deadline or check the network",
                elapsed.as_secs_f64()
            ),
            Self::PollLimit { task_id, polls } => write!(
                f,
                "task {task_id} was polled {polls} times without a result, the most the service allows: stop polling it (more can ban the account) and create a new task if you still need one"
            ),
            Self::Build(e) => write!(f, "the task was not sent: {e}"),
        }
    }
}

/// A refusal of createTask or of a poll.
fn fmt_api(
    f: &mut fmt::Formatter<'_>,
    phase: Phase,
    task_id: Option<TaskId>,
    error: &ApiError,
    create_attempts: u32,
) -> fmt::Result {
    match phase {
        Phase::Create => {
            write!(f, "createTask failed")?;
            if create_attempts > 1 {
                write!(f, " after {create_attempts} attempts")?;
            }
            write!(f, ", no task was created: {error}")
        }
        Phase::Poll => {
            write!(f, "task {} failed: {error}", show_id(task_id))?;
            if error.class() == ErrorClass::RetryTask {
                f.write_str(
                    " (a new task may succeed; it is not created automatically because it is charged)",
                )?;
            }
            Ok(())
        }
    }
}

/// A task that was not ready by the deadline.
fn fmt_late(
    f: &mut fmt::Formatter<'_>,
    id: TaskId,
    polls: u32,
    elapsed: Duration,
    last_cause: Option<&str>,
) -> fmt::Result {
    write!(
        f,
        "task {id} was not ready by the deadline ({:.1} s, {polls} polls",
        elapsed.as_secs_f64()
    )?;
    if let Some(cause) = last_cause {
        write!(
            f,
            "; the last poll got: {}",
            crate::error::escape_control(cause)
        )?;
    }
    write!(
        f,
        "): it may still be solved and charged; wait for it with `wait {id}` or raise the deadline"
    )
}

/// An error answer that says "not now": a retry-call code, or an unknown code sent with HTTP
/// 429 or 503. A known code of another class is never read as transient, whatever the status.
pub(crate) fn refusal_is_transient(error: &ApiError) -> bool {
    match error.class() {
        ErrorClass::RetryCall => true,
        _ => !error.code.is_known() && matches!(error.http_status, 429 | 503),
    }
}

/// The first 200 characters of a raw solution, control characters escaped, for a message.
pub fn error_excerpt(raw: &str) -> String {
    let cut: String = raw.chars().take(200).collect();
    let more = if cut.len() < raw.len() { "..." } else { "" };
    format!("solution {}{more}", crate::error::escape_control(&cut))
}

fn show_id(id: Option<TaskId>) -> String {
    id.map_or_else(|| "(no id)".to_owned(), |id| id.to_string())
}

/// The message already includes the underlying API, parse or build error, so `source` is empty
/// and error reporters do not print it twice.
impl std::error::Error for SolveError {}

impl From<BuildError> for SolveError {
    fn from(e: BuildError) -> Self {
        Self::Build(e)
    }
}
