//! `capmonster`: the command-line client of the CapMonster Cloud captcha-solving API.
//!
//! It parses flags, builds typed tasks of `capmonster-proto`, calls the blocking client and
//! prints. `--emulator` runs the local emulator in-process, so every command works without an
//! account; `serve` runs the emulator in the foreground.

mod check;
mod output;
mod serve;
mod tasks;

use std::io::IsTerminal as _;
use std::process::ExitCode;
use std::time::Duration;

use capmonster_blocking::proto::report::ReportRequest;
use capmonster_blocking::proto::solver::TimingTable;
use capmonster_blocking::proto::{ErrorClass, ErrorCode};
use capmonster_blocking::{
    Client, Error as ClientError, Policy, Progress, Service, Solved, TaskKind, Timing,
};
use capmonster_emulator::{Config as EmulatorConfig, Dialect, EmulatorHandle};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::output::Printer;
use crate::tasks::TaskArgs;

const ABOUT: &str =
    "Solve captchas with CapMonster Cloud (or a compatible service) from the command line";

const AFTER_HELP: &str = "\
Examples:
  capmonster --emulator solve recaptcha-v2 --website-url https://example.com --website-key 6Le-SITE-KEY
  export CAPMONSTER_API_KEY=...        # your key; never printed, not even with -v
  capmonster balance
  capmonster solve image-to-text --image captcha.png
  capmonster --json solve turnstile --website-url https://example.com --website-key 0x4AAAAAAA
  capmonster solve --task task.json
  id=$(capmonster create recaptcha-v2 --website-url https://example.com --website-key KEY)
  capmonster wait \"$id\" --kind recaptcha-v2
  capmonster report \"$id\" --kind token --task-kind recaptcha-v2
  capmonster serve --port 8080 --speed 10

Output:
  The solution's main value (the token, the text, or the cookie) on stdout; with --json, the
  whole outcome as one JSON object. Errors: one line on stderr saying what happened and what to
  do next (with --json, also {\"ok\":false,\"error\":{...}} on stdout).

Exit codes:
  0  done
  2  bad usage: a flag, a task that breaks the documented rules, a --timeout shorter than the
     first poll (nothing was sent), or a task type the service does not support
  3  the service refused the configuration: key, balance, IP, account (fix it before retrying)
  4  the task failed: unsolvable, bad input, refused report, poll limit, or a createTask whose
     fate is unknown (it may exist and be charged; it was not resent)
  5  timed out: the solve's deadline (--timeout) or a request's (--request-timeout)
  6  no usable answer: network failure, a non-API answer, the service stayed busy, or a
     solution without its answer or with control characters (not printed)
  7  solve --check: no token was accepted within --max-attempts (every task id is named)";

/// The command line.
#[derive(Debug, Parser)]
#[command(name = "capmonster", version, about = ABOUT, after_help = AFTER_HELP)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options that apply to every subcommand.
#[derive(Debug, Args)]
struct Global {
    /// Your API key. Never printed, not even with --verbose.
    #[arg(
        long,
        env = "CAPMONSTER_API_KEY",
        hide_env_values = true,
        global = true,
        value_name = "KEY"
    )]
    api_key: Option<String>,
    /// The service and its dialect.
    #[arg(long, value_enum, default_value_t = ServiceName::Capmonster, global = true)]
    service: ServiceName,
    /// Send everything to URL instead, in the service's dialect (e.g. a local emulator).
    #[arg(long, value_name = "URL", global = true, conflicts_with = "emulator")]
    base_url: Option<String>,
    /// Start a local emulator in this process and use it (any key works; nothing is charged).
    /// Its tasks last as long as the command.
    #[arg(long, global = true)]
    emulator: bool,
    /// The solve's deadline in seconds [default: per kind, 30 s for images, up to 180 s]
    #[arg(long, value_name = "SECS", global = true)]
    timeout: Option<f64>,
    /// The timeout of each HTTP request, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30.0, global = true)]
    request_timeout: f64,
    /// Print one JSON object on stdout (also for errors).
    #[arg(long, global = true)]
    json: bool,
    /// Log requests and the solve's steps on stderr (the key is never logged).
    #[arg(short, long, global = true)]
    verbose: bool,
    /// Poll every MS milliseconds (first poll after MS too), down to 100 ms. For tests
    /// against a sped-up emulator; the real service asks for 2 s.
    #[arg(long, value_name = "MS", global = true, hide = true)]
    poll_ms: Option<u64>,
}

/// A service profile on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ServiceName {
    /// CapMonster Cloud (api.capmonster.cloud), JSON.
    Capmonster,
    /// Anti-Captcha (api.anti-captcha.com), JSON.
    AntiCaptcha,
    /// 2Captcha (api.2captcha.com), JSON API v2.
    #[value(name = "2captcha")]
    TwoCaptcha,
    /// CapMonster Cloud through the in.php/res.php URL form.
    UrlForm,
    /// 2Captcha through the in.php/res.php URL form.
    #[value(name = "2captcha-url-form")]
    TwoCaptchaUrlForm,
}

impl ServiceName {
    fn service(self) -> Service {
        match self {
            Self::Capmonster => Service::capmonster(),
            Self::AntiCaptcha => Service::anti_captcha(),
            Self::TwoCaptcha => Service::two_captcha(),
            Self::UrlForm => Service::capmonster_url_form(),
            Self::TwoCaptchaUrlForm => Service::two_captcha_url_form(),
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Print the account's balance (USD).
    #[command(after_help = "Example:\n  capmonster balance")]
    Balance,
    /// Print the browser User-Agent the service currently recommends.
    #[command(after_help = "Example:\n  capmonster user-agent")]
    UserAgent,
    /// Create a task and wait for its solution; print it.
    #[command(after_help = "\
Examples:
  capmonster solve recaptcha-v2 --website-url https://example.com --website-key 6Le-SITE-KEY
  capmonster solve image-to-text --image captcha.png --numeric
  cat captcha.png | capmonster solve image-to-text --image -
  capmonster solve --task task.json      # any task type, as the createTask `task` object

A spinner on stderr shows the task id, the polls made and the time spent (on a terminal only).")]
    Solve(SolveArgs),
    /// Create a task and print its id (then use `result` or `wait`).
    #[command(
        after_help = "Example:\n  capmonster create recaptcha-v2 --website-url https://example.com --website-key 6Le-SITE-KEY"
    )]
    Create(TaskArgs),
    /// Ask once for a task's result: print `processing`, or the solution.
    #[command(after_help = "Example:\n  capmonster result 123456789 --kind recaptcha-v2")]
    Result(TaskRef),
    /// Poll a task until it is solved, fails or the deadline comes; print the solution.
    #[command(
        after_help = "Example:\n  capmonster wait 123456789 --kind recaptcha-v2 --timeout 120"
    )]
    Wait(TaskRef),
    /// Report a task's answer as wrong (image or token method).
    #[command(after_help = "\
Example:
  capmonster report 123456789 --kind token --task-kind recaptcha-v2

Report only answers that the site refused: the service watches the share of reports.
The service's rules for the task's type are checked before anything is sent. Its report
window (Anti-Captcha: 60 s after the task completed; 2Captcha and the URL form: 15 minutes)
cannot be: this command does not know when the task completed, so report promptly.")]
    Report(ReportArgs),
    /// Run the emulator in the foreground; print its base URL on the first line.
    #[command(after_help = "\
Example:
  capmonster serve --port 8080 --speed 10 --key demo:5 --fault create/no-slot:0.1
  capmonster --base-url http://127.0.0.1:8080 --api-key demo balance")]
    Serve(serve::ServeArgs),
}

/// `solve`'s arguments: the task, and the acceptance check.
#[derive(Debug, Args)]
struct SolveArgs {
    #[command(flatten)]
    task: TaskArgs,
    #[command(flatten)]
    check: check::CheckArgs,
}

/// A task created earlier.
#[derive(Debug, Args)]
struct TaskRef {
    /// The task id.
    #[arg(value_parser = clap::value_parser!(u64).range(1..))]
    id: u64,
    /// The task's kind, to type the solution [default: untyped]
    #[arg(long, value_enum)]
    kind: Option<KindName>,
}

/// `report`'s arguments.
#[derive(Debug, Args)]
struct ReportArgs {
    /// The task id.
    #[arg(value_parser = clap::value_parser!(u64).range(1..))]
    id: u64,
    /// Which report method: `image` for image tasks, `token` for token tasks.
    #[arg(long, value_enum)]
    kind: ReportKind,
    /// The task's type, so that the service's report rules are checked here before anything
    /// is sent. Required with `--kind token` on a service that takes token reports for some
    /// types only (Anti-Captcha: reCAPTCHA only).
    #[arg(long, value_enum, value_name = "KIND")]
    task_kind: Option<KindName>,
}

/// The report methods.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum ReportKind {
    /// reportIncorrectImageCaptcha.
    Image,
    /// reportIncorrectTokenCaptcha.
    Token,
}

/// A task kind named on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum KindName {
    /// ImageToTextTask.
    ImageToText,
    /// RecaptchaV2Task.
    RecaptchaV2,
    /// RecaptchaV2EnterpriseTask.
    RecaptchaV2Enterprise,
    /// RecaptchaV3TaskProxyless.
    RecaptchaV3,
    /// TurnstileTask.
    Turnstile,
    /// GeeTestTask.
    Geetest,
    /// HCaptchaTask.
    Hcaptcha,
    /// FunCaptchaTask.
    Funcaptcha,
    /// AmazonTask.
    Amazon,
    /// CustomTask DataDome.
    DataDome,
    /// Anything else: the solution stays raw JSON.
    Other,
}

impl From<KindName> for TaskKind {
    fn from(k: KindName) -> Self {
        match k {
            KindName::ImageToText => TaskKind::ImageToText,
            KindName::RecaptchaV2 => TaskKind::RecaptchaV2,
            KindName::RecaptchaV2Enterprise => TaskKind::RecaptchaV2Enterprise,
            KindName::RecaptchaV3 => TaskKind::RecaptchaV3,
            KindName::Turnstile => TaskKind::Turnstile,
            KindName::Geetest => TaskKind::GeeTest,
            KindName::Hcaptcha => TaskKind::HCaptcha,
            KindName::Funcaptcha => TaskKind::FunCaptcha,
            KindName::Amazon => TaskKind::Amazon,
            KindName::DataDome => TaskKind::DataDome,
            KindName::Other => TaskKind::Other,
        }
    }
}

/// Why the command failed: the message for stderr and the exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    /// One line saying what happened and what to do.
    pub(crate) message: String,
    /// The exit code.
    pub(crate) code: u8,
    /// The client error behind it, if any.
    pub(crate) error: Option<Box<ClientError>>,
    /// More fields for the `--json` error object (an object), if any.
    pub(crate) extra: Option<serde_json::Value>,
}

impl Failure {
    /// A usage error (exit code 2): nothing was sent.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: EXIT_USAGE,
            error: None,
            extra: None,
        }
    }
}

impl From<ClientError> for Failure {
    fn from(error: ClientError) -> Self {
        Self {
            message: error.to_string(),
            code: exit_code(&error),
            error: Some(Box::new(error)),
            extra: None,
        }
    }
}

/// Bad usage: a flag, or local validation.
const EXIT_USAGE: u8 = 2;
/// The service refused the configuration.
const EXIT_CONFIG: u8 = 3;
/// The task failed.
const EXIT_TASK: u8 = 4;
/// A deadline passed.
const EXIT_TIMEOUT: u8 = 5;
/// No usable answer.
const EXIT_TRANSPORT: u8 = 6;

/// The exit code of a client error, from its class.
fn exit_code(error: &ClientError) -> u8 {
    if error.is_timeout() {
        return EXIT_TIMEOUT;
    }
    match error {
        // The service does not know the task's type: the command line was wrong.
        ClientError::Api { error, .. }
            if matches!(
                error.code,
                ErrorCode::TaskNotSupported | ErrorCode::TaskAbsent
            ) =>
        {
            EXIT_USAGE
        }
        ClientError::Api { error, .. } => match error.class() {
            ErrorClass::FatalConfig => EXIT_CONFIG,
            ErrorClass::FatalTask | ErrorClass::RetryTask => EXIT_TASK,
            // Retries used up on a busy service, or a stray not-ready.
            _ => EXIT_TRANSPORT,
        },
        ClientError::Build(_) => EXIT_USAGE,
        ClientError::AmbiguousCreate { .. }
        | ClientError::PollLimit { .. }
        | ClientError::ReportRefused(_) => EXIT_TASK,
        _ => EXIT_TRANSPORT,
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to stdout with 0; usage errors to stderr with 2, and with
            // --json also as an error object on stdout.
            if e.use_stderr() && std::env::args_os().any(|a| a == "--json") {
                let text = e.to_string();
                let first = text.lines().next().unwrap_or_default();
                Printer::new(true).json_failure(&Failure::usage(
                    first.trim_start_matches("error: ").to_owned(),
                ));
            }
            e.exit();
        }
    };
    let printer = Printer::new(cli.global.json);
    match run(cli, &printer) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            printer.failure(&failure);
            ExitCode::from(failure.code)
        }
    }
}

fn run(cli: Cli, printer: &Printer) -> Result<(), Failure> {
    let g = cli.global;
    if g.verbose {
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .with_max_level(tracing_subscriber::filter::LevelFilter::DEBUG)
            .init();
    }
    if let Command::Serve(args) = cli.command {
        return serve::run(args);
    }
    let (client, _emulator) = connect(&g)?;
    let printer = &printer.clone().with_secrets(client.config().secrets());
    match cli.command {
        Command::Balance => printer.balance(&client.balance()?),
        Command::UserAgent => printer.user_agent(&client.user_agent()?)?,
        Command::Solve(args) => {
            let task = args.task.task()?;
            let printer = &printer.clone().with_task_secrets(&task);
            if let Some(command) = &args.check.check {
                return check::solve_checked(&client, task, command, &args.check, printer);
            }
            let policy = client.config().policy.clone();
            let solved = with_spinner(|observe| client.solve_observed(task, &policy, observe))?;
            printer.solved(&solved)?;
        }
        Command::Create(args) => {
            let task = args.task()?;
            let kind = task.kind();
            let id = client.create_task(task)?;
            printer.created(id, kind);
        }
        Command::Result(r) => {
            let kind = r.kind.map_or(TaskKind::Other, TaskKind::from);
            printer.task_result(r.id, kind, &client.task_result(r.id, kind)?)?;
        }
        Command::Wait(r) => {
            let kind = r.kind.map_or(TaskKind::Other, TaskKind::from);
            let solved = with_spinner(|observe| client.wait_observed(r.id, kind, observe))?;
            printer.solved(&solved)?;
        }
        Command::Report(r) => {
            let request = report_request(&r, client.config().service.dialect())?;
            client.send(&request)?;
            printer.reported(r.id);
        }
        Command::Serve(_) => unreachable!("handled above"),
    }
    Ok(())
}

/// The report the service's rules make for the task: for the kind given with `--task-kind`
/// (which must be of the `--kind` family), or, for `--kind token` alone, for any token kind
/// when the rules take token reports for every one of them. Otherwise the rules cannot be
/// checked here, and the command refuses (exit 2) rather than send a report the service may
/// refuse. The window after completion is not checked (the command does not know when the task
/// completed), and each run is a new process, so "once per task" is the service's to enforce.
fn report_request(r: &ReportArgs, dialect: Dialect) -> Result<ReportRequest, Failure> {
    let verdict = capmonster_blocking::ReportVerdict::Incorrect;
    let planned = |kind| ReportRequest::without_window(dialect, verdict, kind, r.id);
    if let Some(k) = r.task_kind {
        let kind = TaskKind::from(k);
        let image = matches!(r.kind, ReportKind::Image);
        if kind == TaskKind::Other || kind.is_image() != image {
            return Err(Failure::usage(format!(
                "--task-kind {} is not a task of the --kind {} family",
                kind.display_name(),
                if image { "image" } else { "token" }
            )));
        }
        return Ok(planned(kind).map_err(ClientError::from)?);
    }
    match r.kind {
        ReportKind::Image => Ok(planned(TaskKind::ImageToText).map_err(ClientError::from)?),
        ReportKind::Token => {
            let refused = TaskKind::ALL
                .iter()
                .filter(|k| !k.is_image() && **k != TaskKind::Other)
                .find(|k| planned(**k).is_err());
            match refused {
                None => Ok(planned(TaskKind::RecaptchaV2).map_err(ClientError::from)?),
                Some(k) => Err(Failure::usage(format!(
                    "this service does not take token reports for every task type (not for {}, \
                     for one): give the task's type with --task-kind (e.g. --task-kind recaptcha-v2); \
                     nothing was sent",
                    k.display_name()
                ))),
            }
        }
    }
}

/// The speed-up of the `--emulator` service: a 2 s reCAPTCHA takes 0.1 s, a 20 s hCaptcha 1 s.
const EMULATOR_SPEED: f64 = 20.0;

/// The client the global options describe, and the emulator it talks to (kept alive while
/// the command runs).
fn connect(g: &Global) -> Result<(Client, Option<EmulatorHandle>), Failure> {
    let mut builder = Client::builder().service(g.service.service());
    let mut poll_ms = g.poll_ms;
    let mut emulator = None;
    if g.emulator {
        let dialect = match g.service {
            ServiceName::Capmonster => Dialect::CapMonster,
            ServiceName::AntiCaptcha => Dialect::AntiCaptcha,
            // The emulator serves in.php/res.php beside the JSON API.
            ServiceName::UrlForm | ServiceName::TwoCaptchaUrlForm => Dialect::CapMonster,
            ServiceName::TwoCaptcha => {
                return Err(Failure::usage(
                    "--emulator speaks the capmonster, anti-captcha and URL-form dialects, not 2captcha's JSON API",
                ));
            }
        };
        let speed = std::env::var("CAPMONSTER_EMULATOR_SPEED")
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .unwrap_or(EMULATOR_SPEED);
        let handle =
            EmulatorHandle::start_blocking(EmulatorConfig::new().speed(speed).dialect(dialect))
                .map_err(|e| Failure {
                    message: format!("cannot start the emulator: {e}"),
                    code: EXIT_TRANSPORT,
                    error: None,
                    extra: None,
                })?;
        eprintln!(
            "capmonster: using a local emulator at {} (any key works; nothing is charged)",
            handle.base_url()
        );
        builder = builder.base_url(handle.base_url());
        poll_ms.get_or_insert(200);
        emulator = Some(handle);
    } else if let Some(url) = &g.base_url {
        builder = builder.base_url(url.clone());
    }
    let key = match (&g.api_key, g.emulator) {
        (Some(k), _) => k.clone(),
        (None, true) => "demo".to_owned(),
        (None, false) => {
            return Err(Failure::usage(
                "no API key: pass --api-key KEY or set CAPMONSTER_API_KEY (or try --emulator)",
            ));
        }
    };
    builder = builder.api_key(&key);
    let seconds = |s: f64, flag: &str| {
        Duration::try_from_secs_f64(s)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| Failure::usage(format!("{flag} must be a positive number of seconds")))
    };
    builder = builder.request_timeout(seconds(g.request_timeout, "--request-timeout")?);
    let mut policy = Policy::new();
    if let Some(ms) = poll_ms {
        let step = Duration::from_millis(ms);
        let mut table = TimingTable::new();
        for kind in TaskKind::ALL {
            let row: Timing = Timing::default_for(*kind)
                .with_first_delay(step)
                .with_first_delay_nocache(step * 2)
                .with_interval(step);
            table.set(*kind, row);
        }
        policy = policy.with_table(table).with_min_interval(step);
    }
    if let Some(t) = g.timeout {
        policy = policy.with_deadline(seconds(t, "--timeout")?);
    }
    let client = builder.policy(policy).build()?;
    if let Some(warning) = client.config().cleartext_warning() {
        eprintln!("capmonster: warning: {warning}");
    }
    Ok((client, emulator))
}

/// Runs a solve with a spinner on stderr (when it is a terminal) showing the task id, the
/// polls made and the time spent.
fn with_spinner(
    solve: impl FnOnce(&mut dyn FnMut(&Progress)) -> Result<Solved, ClientError>,
) -> Result<Solved, ClientError> {
    if !std::io::stderr().is_terminal() {
        return solve(&mut |_| {});
    }
    let bar = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}") {
        bar.set_style(style);
    }
    bar.set_message("creating the task");
    bar.enable_steady_tick(Duration::from_millis(100));
    let result = solve(&mut |p: &Progress| {
        let id = p
            .task_id
            .map_or_else(|| "-".to_owned(), |id| id.to_string());
        bar.set_message(format!("task {id}, {} polls", p.polls));
    });
    bar.finish_and_clear();
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use capmonster_blocking::proto::ApiError;
    use capmonster_blocking::proto::solver::{AmbiguousCause, TransportFailure};
    use capmonster_blocking::{Phase, TransportError};

    fn api(code: ErrorCode) -> ClientError {
        ClientError::Api {
            error: ApiError::new(code, None, 1, 200),
            phase: Some(Phase::Create),
            task_id: None,
        }
    }

    #[test]
    fn exit_codes_follow_the_class() {
        assert_eq!(exit_code(&api(ErrorCode::KeyDoesNotExist)), 3);
        assert_eq!(exit_code(&api(ErrorCode::ZeroBalance)), 3);
        assert_eq!(exit_code(&api(ErrorCode::CaptchaUnsolvable)), 4);
        // An unknown task type: the command line was wrong.
        assert_eq!(exit_code(&api(ErrorCode::TaskNotSupported)), 2);
        // Retries used up on a busy service: nothing wrong with the task or the key.
        assert_eq!(exit_code(&api(ErrorCode::NoSlotAvailable)), 6);
        let ambiguous = ClientError::AmbiguousCreate {
            cause: AmbiguousCause::Transport(TransportFailure::ConnectionReset),
            detail: String::new(),
        };
        assert_eq!(exit_code(&ambiguous), 4);
        let limit = ClientError::PollLimit {
            task_id: 7,
            polls: 120,
        };
        assert_eq!(exit_code(&limit), 4);
        let timeout = ClientError::Timeout {
            task_id: Some(7),
            polls: 3,
            elapsed: Duration::from_secs(180),
            last_cause: None,
        };
        assert_eq!(exit_code(&timeout), 5);
        let slow = ClientError::Transport {
            error: TransportError::new(TransportFailure::TimedOut, ""),
            phase: Some(Phase::Poll),
        };
        assert_eq!(exit_code(&slow), 5);
        let refused = ClientError::Transport {
            error: TransportError::new(TransportFailure::ConnectFailed, ""),
            phase: None,
        };
        assert_eq!(exit_code(&refused), 6);
    }

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory as _;
        Cli::command().debug_assert();
    }
}
