//! `solve ... --check COMMAND`: the acceptance loop on the command line. Each solved token is
//! handed to COMMAND, whose exit status is the site's verdict; a rejection is reported where
//! the service's rules allow it, and the loop tries again with `nocache` when the site rejects
//! too much.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use capmonster_blocking::{
    AcceptError, AcceptPolicy, Accepted, Client, SiteBook, SitePolicy, Solved, Task, Verdict,
    proto::accept::Attempt,
};
use clap::Args;
use serde_json::{Value, json};

use crate::Failure;
use crate::output::Printer;

/// The environment variable that holds the token (the solution's main value) for COMMAND.
pub(crate) const TOKEN_VAR: &str = "CAPMONSTER_TOKEN";
/// The environment variable that holds the task id for COMMAND.
pub(crate) const TASK_ID_VAR: &str = "CAPMONSTER_TASK_ID";
/// The environment variable that holds the solution's whole JSON object for COMMAND.
pub(crate) const SOLUTION_VAR: &str = "CAPMONSTER_SOLUTION";
/// The environment variable that holds the User-Agent the token was solved with, when the
/// solution names one.
pub(crate) const USER_AGENT_VAR: &str = "CAPMONSTER_USER_AGENT";

/// No attempt's token was accepted.
pub(crate) const EXIT_NOT_ACCEPTED: u8 = 7;

/// The acceptance options of `solve`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Submit each solved token to the site with COMMAND (run by `sh -c`, the token in
    /// $CAPMONSTER_TOKEN): exit 0 means accepted, 1 rejected (reported where the service's
    /// rules allow it, then solved again), anything else unsure (solved again, never reported).
    #[arg(long, value_name = "COMMAND", global = true)]
    pub(crate) check: Option<String>,
    /// With --check: the most tasks to create [default: 5]
    #[arg(long, value_name = "N", global = true, requires = "check",
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub(crate) max_attempts: Option<u32>,
    /// With --check: the longest one COMMAND may run, in seconds; then it is killed and its
    /// verdict is unsure.
    #[arg(
        long,
        value_name = "SECS",
        global = true,
        requires = "check",
        default_value_t = 60.0
    )]
    pub(crate) check_timeout: f64,
    /// With --check: keep the per-site acceptance statistics in FILE (JSON, read at the start
    /// when it exists, written at the end), so that `nocache` is switched on for a site that
    /// rejects too many tokens across runs.
    #[arg(long, value_name = "FILE", global = true, requires = "check")]
    pub(crate) site_stats: Option<PathBuf>,
}

/// The site statistics: read from `path` when it exists, else empty.
fn load_book(path: Option<&Path>) -> Result<SiteBook, Failure> {
    let policy = SitePolicy::default();
    let Some(path) = path else {
        return Ok(SiteBook::new(policy));
    };
    match std::fs::read_to_string(path) {
        Ok(text) => SiteBook::from_json(&text, policy, Instant::now()).map_err(|e| {
            Failure::usage(format!(
                "--site-stats {}: not a statistics file ({e}); move it away to start afresh",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SiteBook::new(policy)),
        Err(e) => Err(Failure::usage(format!(
            "--site-stats {}: cannot read it ({e})",
            path.display()
        ))),
    }
}

/// Writes the statistics to `path` (through a temporary file, so a crash leaves the old one).
fn save_book(path: &Path, book: &SiteBook) {
    let tmp = path.with_extension("tmp");
    let written = std::fs::write(&tmp, book.to_json(Instant::now()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        eprintln!(
            "capmonster: warning: --site-stats {}: cannot write it ({e})",
            path.display()
        );
    }
}

/// Runs the acceptance loop for `task` and prints the accepted token (or the failure with the
/// whole history).
pub(crate) fn solve_checked(
    client: &Client,
    task: Task,
    command: &str,
    args: &CheckArgs,
    printer: &Printer,
) -> Result<(), Failure> {
    let check_timeout = Duration::try_from_secs_f64(args.check_timeout)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| Failure::usage("--check-timeout must be a positive number of seconds"))?;
    let mut policy = AcceptPolicy::default();
    if let Some(n) = args.max_attempts {
        policy = policy.with_max_attempts(n);
    }
    let book = Mutex::new(load_book(args.site_stats.as_deref())?);
    let outcome = client.solve_accepted_with(task, &policy, &book, |solved| {
        verdict_of(command, solved, printer, check_timeout)
    });
    if let Some(path) = &args.site_stats {
        save_book(path, &book.lock().unwrap_or_else(PoisonError::into_inner));
    }
    match outcome {
        Ok(accepted) => {
            eprintln!(
                "capmonster: {}",
                summary(&accepted.attempts, policy.max_attempts)
            );
            warn(&accepted.warnings);
            printer.solved_with(&accepted.solved, history(&accepted))
        }
        Err(error) => Err(failure(*error, policy.max_attempts)),
    }
}

/// The site's verdict on one solve, from COMMAND's exit status.
fn verdict_of(command: &str, solved: &Solved, printer: &Printer, limit: Duration) -> Verdict {
    // An answer that echoes a secret or holds control characters is not handed on: it is not a
    // usable token, and whether the site would take it is unknown (so it is not reported).
    if let Err(f) = printer.check_printable(solved) {
        eprintln!("capmonster: {}; not checked", f.message);
        return Verdict::Unsure;
    }
    let ready = &solved.ready;
    let token = ready.solution.main_value().unwrap_or(ready.raw_json());
    let mut cmd = shell(command);
    cmd.env(TOKEN_VAR, token)
        .env(TASK_ID_VAR, solved.task_id.to_string())
        .env(SOLUTION_VAR, ready.raw_json())
        .stdin(Stdio::null())
        // stdout stays the token's alone: what COMMAND prints goes to stderr.
        .stdout(stderr_handle());
    match ready.solution.user_agent() {
        Some(ua) => cmd.env(USER_AGENT_VAR, ua),
        None => cmd.env_remove(USER_AGENT_VAR),
    };
    let child = match cmd.spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("capmonster: cannot run the --check command ({e}); its verdict is unsure");
            return Verdict::Unsure;
        }
    };
    match wait_bounded(child, limit) {
        Some(0) => Verdict::Accepted,
        Some(1) => Verdict::Rejected,
        Some(code) => {
            eprintln!("capmonster: the --check command exited with {code}: unsure, not reported");
            Verdict::Unsure
        }
        None => {
            eprintln!(
                "capmonster: the --check command was stopped by a signal or ran over \
                 --check-timeout ({} s): unsure, not reported",
                limit.as_secs_f64()
            );
            Verdict::Unsure
        }
    }
}

#[cfg(unix)]
fn shell(command: &str) -> Command {
    use std::os::unix::process::CommandExt as _;
    let mut cmd = Command::new("sh");
    // Its own process group, so that a timeout stops what it started too.
    cmd.arg("-c").arg(command).process_group(0);
    cmd
}

/// Stops the child and everything it started: its process group, through kill(1) (the
/// workspace has no unsafe code for kill(2)); the child itself in any case.
#[cfg(unix)]
fn kill(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
}

#[cfg(not(unix))]
fn kill(child: &mut Child) {
    let _ = child.kill();
}

#[cfg(not(unix))]
fn shell(command: &str) -> Command {
    let mut cmd = Command::new("cmd");
    cmd.arg("/C").arg(command);
    cmd
}

/// Our stderr, for the child's stdout; the child's output is lost if it cannot be duplicated.
fn stderr_handle() -> Stdio {
    let _ = std::io::stderr().flush();
    #[cfg(unix)]
    {
        use std::os::fd::AsFd as _;
        if let Ok(fd) = std::io::stderr().as_fd().try_clone_to_owned() {
            return Stdio::from(fd);
        }
    }
    Stdio::null()
}

/// The child's exit code, or `None` when a signal ended it or it ran over `limit` (then it is
/// killed).
fn wait_bounded(mut child: Child, limit: Duration) -> Option<i32> {
    let until = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.code(),
            Ok(None) if Instant::now() < until => std::thread::sleep(Duration::from_millis(10)),
            _ => {
                kill(&mut child);
                let _ = child.wait();
                return None;
            }
        }
    }
}

/// One line on the loop: how many attempts, which tasks, the reports, and nocache.
fn summary(attempts: &[Attempt], max: u32) -> String {
    let ids: Vec<String> = attempts
        .iter()
        .map(|a| {
            a.task_id
                .map_or_else(|| "?".to_owned(), |id| id.to_string())
        })
        .collect();
    let rejected = attempts
        .iter()
        .filter(|a| a.verdict() == Some(Verdict::Rejected))
        .count();
    let reported = attempts
        .iter()
        .filter(|a| a.report().is_some_and(|r| r.was_sent()))
        .count();
    let nocache = attempts.iter().filter(|a| a.nocache).count();
    let head = match attempts.last().and_then(Attempt::verdict) {
        Some(Verdict::Accepted) => format!("accepted on attempt {} of {max}", attempts.len()),
        _ => format!("not accepted after {} of {max} attempts", attempts.len()),
    };
    format!(
        "{head} (tasks {}; {rejected} rejected, {reported} reported; nocache on {nocache} of {})",
        ids.join(", "),
        attempts.len()
    )
}

fn warn(warnings: &[impl std::fmt::Display]) {
    for w in warnings {
        eprintln!("capmonster: warning: {w}");
    }
}

fn attempts_json(attempts: &[Attempt]) -> Value {
    Value::Array(attempts.iter().map(Attempt::to_json).collect())
}

/// The history added to the accepted solve's JSON object.
fn history(accepted: &Accepted) -> Value {
    json!({
        "attempts": attempts_json(&accepted.attempts),
        "task_ids": accepted.task_ids(),
        "warnings": accepted.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}

/// The failure of a loop without an accepted token: exit 7 when the attempts or the deadline
/// ran out, else the solve error's own code. It names every task created.
fn failure(error: AcceptError, max: u32) -> Failure {
    use capmonster_blocking::proto::accept::AcceptFailure;
    // The error's own line (printed last) names the tasks; the summary adds the reports.
    if let AcceptFailure::Solve(_) = error.failure {
        eprintln!("capmonster: {}", summary(&error.attempts, max));
    }
    warn(&error.warnings);
    let extra = json!({
        "attempts": attempts_json(&error.attempts),
        "task_ids": error.task_ids(),
        "warnings": error.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
    });
    let mut failure = match &error.failure {
        AcceptFailure::Solve(e) => Failure::from(capmonster_blocking::Error::from(e.clone())),
        _ => Failure {
            message: String::new(),
            code: EXIT_NOT_ACCEPTED,
            error: None,
            extra: None,
        },
    };
    failure.message = error.to_string();
    failure.extra = Some(extra);
    failure
}
