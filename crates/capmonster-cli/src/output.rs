//! What the command prints: plain values by default, one JSON object per run with `--json`.

use std::io::Write as _;

use capmonster_blocking::proto::escape_control;
use capmonster_blocking::proto::solution::Ready;
use capmonster_blocking::proto::solver::error_excerpt;
use capmonster_blocking::{Balance, Solved, TaskId, TaskKind, TaskResult};
use serde_json::{Value, json};

use crate::Failure;

/// The exit code of an answer that cannot be printed safely (no usable answer).
const EXIT_UNUSABLE: u8 = 6;

/// A solution (or any text from the server) that holds control characters is refused rather
/// than printed: on a terminal they could clear the screen or forge lines, and a token with
/// them is not a usable token anyway. The error shows it escaped.
fn printable(id: TaskId, ready: &Ready, secrets: &[String]) -> Result<(), Failure> {
    let raw = ready.raw_json();
    if secrets
        .iter()
        .any(|s| s.len() >= 4 && raw.contains(s.as_str()))
    {
        return Err(Failure {
            message: format!(
                "task {id}'s answer echoes the API key or a proxy password and was not printed; \
                 report it to the service"
            ),
            code: EXIT_UNUSABLE,
            error: None,
            extra: None,
        });
    }
    fn clean(v: &Value) -> bool {
        match v {
            Value::String(s) => matches!(escape_control(s), std::borrow::Cow::Borrowed(_)),
            Value::Array(a) => a.iter().all(clean),
            Value::Object(o) => o.iter().all(|(k, v)| {
                matches!(escape_control(k), std::borrow::Cow::Borrowed(_)) && clean(v)
            }),
            _ => true,
        }
    }
    let text = ready.raw_json();
    if clean(&ready.raw_value()) {
        return Ok(());
    }
    Err(Failure {
        message: format!(
            "task {id}'s answer holds control characters and was not printed ({}); \
             report it to the service",
            error_excerpt(text)
        ),
        code: EXIT_UNUSABLE,
        error: None,
        extra: None,
    })
}

/// Prints results on stdout and failures on stderr (and stdout with `--json`).
#[derive(Clone)]
pub(crate) struct Printer {
    json: bool,
    /// The key's forms and proxy passwords: an answer that echoes one is not printed.
    secrets: Vec<String>,
}

impl std::fmt::Debug for Printer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Printer")
            .field("json", &self.json)
            .finish_non_exhaustive()
    }
}

impl Printer {
    /// A printer for plain text, or JSON when `json` is on.
    pub(crate) fn new(json: bool) -> Self {
        Self {
            json,
            secrets: Vec::new(),
        }
    }

    /// Adds the task's proxy password to the secrets.
    pub(crate) fn with_task_secrets(mut self, task: &capmonster_blocking::Task) -> Self {
        if let Some(password) = task.proxy().and_then(|p| p.password.as_ref()) {
            self.secrets.push(password.expose_secret().to_owned());
        }
        self
    }

    /// The printer, refusing to print an answer that echoes one of `secrets`.
    pub(crate) fn with_secrets(mut self, secrets: Vec<String>) -> Self {
        self.secrets = secrets;
        self
    }

    fn print(&self, plain: &str, json: Value) {
        let mut out = std::io::stdout().lock();
        // A closed stdout (say, `| head`) is not worth a panic.
        let _ = if self.json {
            writeln!(out, "{json}")
        } else {
            writeln!(out, "{plain}")
        };
    }

    /// The balance.
    pub(crate) fn balance(&self, b: &Balance) {
        self.print(
            &b.balance.to_string(),
            json!({"ok": true, "balance": b.balance, "captcha_credits": b.captcha_credits}),
        );
    }

    /// The recommended User-Agent: server text, so escaped, and not printed if it echoes a secret.
    pub(crate) fn user_agent(&self, ua: &str) -> Result<(), Failure> {
        if self
            .secrets
            .iter()
            .any(|s| s.len() >= 4 && ua.contains(s.as_str()))
        {
            return Err(Failure {
                message: "the User-Agent answer echoes the API key and was not printed".into(),
                code: EXIT_UNUSABLE,
                error: None,
                extra: None,
            });
        }
        let ua = escape_control(ua);
        self.print(&ua, json!({"ok": true, "user_agent": ua}));
        Ok(())
    }

    /// A created task's id.
    pub(crate) fn created(&self, id: TaskId, kind: TaskKind) {
        self.print(
            &id.to_string(),
            json!({"ok": true, "task_id": id, "kind": kind.display_name()}),
        );
    }

    /// One getTaskResult's answer. A ready answer of a known kind without its main value, or
    /// with control characters, is an error.
    pub(crate) fn task_result(
        &self,
        id: TaskId,
        kind: TaskKind,
        result: &TaskResult,
    ) -> Result<(), Failure> {
        match result.ready() {
            None => self.print(
                "processing",
                json!({"ok": true, "task_id": id, "status": "processing"}),
            ),
            Some(ready) => {
                if ready.lacks_main_value(kind) {
                    return Err(capmonster_blocking::Error::NoSolution {
                        task_id: id,
                        raw: ready.raw_json().to_owned(),
                    }
                    .into());
                }
                printable(id, ready, &self.secrets)?;
                let value = ready.solution.main_value();
                self.print(
                    value.unwrap_or(ready.raw_json()),
                    json!({
                        "ok": true,
                        "task_id": id,
                        "status": "ready",
                        "value": value,
                        "solution": ready.raw_value(),
                        "cost": ready.cost(),
                    }),
                );
            }
        }
        Ok(())
    }

    /// Refuses a solve whose answer echoes a secret or holds control characters.
    pub(crate) fn check_printable(&self, s: &Solved) -> Result<(), Failure> {
        printable(s.task_id, &s.ready, &self.secrets)
    }

    /// A finished solve.
    pub(crate) fn solved(&self, s: &Solved) -> Result<(), Failure> {
        self.solved_with(s, Value::Null)
    }

    /// A finished solve; with `--json`, `extra`'s fields (an object) are added to the output.
    pub(crate) fn solved_with(&self, s: &Solved, extra: Value) -> Result<(), Failure> {
        let ready = &s.ready;
        printable(s.task_id, ready, &self.secrets)?;
        let value = ready.solution.main_value();
        let mut out = json!({
                "ok": true,
                "task_id": s.task_id,
                "kind": s.kind.display_name(),
                "value": value,
                "user_agent": ready.solution.user_agent(),
                "solution": ready.raw_value(),
                "cost": s.cost,
                "polls": s.polls,
                "create_attempts": s.create_attempts,
                "ready_after_ms": millis(s.ready_after),
                "returned_after_ms": millis(s.returned_after),
        });
        merge(&mut out, extra);
        self.print(value.unwrap_or(ready.raw_json()), out);
        Ok(())
    }

    /// An accepted report.
    pub(crate) fn reported(&self, id: TaskId) {
        self.print(
            &format!("reported task {id}"),
            json!({"ok": true, "task_id": id, "reported": true}),
        );
    }

    /// A failure: one line on stderr; with `--json`, an error object on stdout too.
    pub(crate) fn failure(&self, f: &Failure) {
        eprintln!("capmonster: {}", f.message);
        if self.json {
            self.json_failure(f);
        }
    }

    /// The JSON error object of a failure, on stdout.
    pub(crate) fn json_failure(&self, f: &Failure) {
        let mut error = json!({"message": f.message, "exit_code": f.code});
        if let Some(e) = &f.error {
            error["task_id"] = json!(e.task_id());
            error["retryable"] = json!(e.is_retryable());
            if let Some(api) = e.api() {
                // Server text, escaped as on stderr (JSON leaves C1 and bidi controls raw).
                error["code"] = json!(escape_control(api.code.as_str()));
                error["class"] = json!(api.class().as_str());
                error["description"] = json!(
                    api.description
                        .as_deref()
                        .map(|d| escape_control(d).into_owned())
                );
            }
        }
        let mut object = json!({"ok": false, "error": error});
        if let Some(extra) = &f.extra {
            merge(&mut object, extra.clone());
        }
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{object}");
    }
}

/// Adds `extra`'s fields (when it is an object) to `out` (an object).
fn merge(out: &mut Value, extra: Value) {
    if let (Value::Object(out), Value::Object(extra)) = (out, extra) {
        out.extend(extra);
    }
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
