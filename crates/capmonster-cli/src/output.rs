//! What the command prints: plain values by default, one JSON object per run with `--json`.

use std::io::Write as _;

use capmonster_blocking::{Balance, Solved, TaskId, TaskKind, TaskResult};
use serde_json::{Value, json};

use crate::Failure;

/// Prints results on stdout and failures on stderr (and stdout with `--json`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Printer {
    json: bool,
}

impl Printer {
    /// A printer for plain text, or JSON when `json` is on.
    pub(crate) fn new(json: bool) -> Self {
        Self { json }
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

    /// The recommended User-Agent.
    pub(crate) fn user_agent(&self, ua: &str) {
        self.print(ua, json!({"ok": true, "user_agent": ua}));
    }

    /// A created task's id.
    pub(crate) fn created(&self, id: TaskId, kind: TaskKind) {
        self.print(
            &id.to_string(),
            json!({"ok": true, "task_id": id, "kind": kind.display_name()}),
        );
    }

    /// One getTaskResult's answer.
    pub(crate) fn task_result(&self, id: TaskId, result: &TaskResult) {
        match result.ready() {
            None => self.print(
                "processing",
                json!({"ok": true, "task_id": id, "status": "processing"}),
            ),
            Some(ready) => {
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
    }

    /// A finished solve.
    pub(crate) fn solved(&self, s: &Solved) {
        let ready = &s.ready;
        let value = ready.solution.main_value();
        self.print(
            value.unwrap_or(ready.raw_json()),
            json!({
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
            }),
        );
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
                error["code"] = json!(api.code.as_str());
                error["class"] = json!(api.class().as_str());
                error["description"] = json!(api.description);
            }
        }
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", json!({"ok": false, "error": error}));
    }
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
