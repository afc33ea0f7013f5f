//! The `capmonster` binary, run as a user runs it, against the emulator: in-process
//! (`--emulator`), started here (`--base-url`), and through `serve`.

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use capmonster_emulator::{Config, EmulatorHandle, SolveTime, USER_AGENT};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_capmonster");
/// The account key of the emulators started here; must never be printed.
const KEY: &str = "cli0test0key0d41d8cd98f00b204e98";
/// A proxy password; must never be printed.
const PROXY_PASSWORD: &str = "pr0xyS3cretPW";
const SITE_KEY: &str = "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-";

/// What one run printed.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not one JSON object ({e}): {self:?}"))
    }

    fn ok(self) -> Self {
        assert_eq!(self.code, 0, "{self:?}");
        self
    }
}

/// Runs the binary with `args` (and `stdin`), and checks that neither the key nor the proxy
/// password appears in anything it printed.
fn run_with(args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("CAPMONSTER_API_KEY")
        .env_remove("CAPMONSTER_EMULATOR_SPEED")
        .envs(env.iter().copied())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("the binary runs");
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("a stdin pipe");
        pipe.write_all(bytes).expect("stdin written");
    }
    let Output {
        status,
        stdout,
        stderr,
    } = child.wait_with_output().expect("the binary ends");
    let run = Run {
        code: status.code().expect("an exit code, not a signal"),
        stdout: String::from_utf8(stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(stderr).expect("UTF-8 stderr"),
    };
    for secret in [KEY, PROXY_PASSWORD] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "a secret was printed by {args:?}: {run:?}"
        );
    }
    run
}

fn run(args: &[&str]) -> Run {
    run_with(args, None, &[])
}

/// An emulator that knows only [`KEY`] (balance 10 USD), twenty times faster than real time.
fn emulator() -> EmulatorHandle {
    emulator_with(Config::new().speed(20.0).key(KEY, 10.0))
}

fn emulator_with(config: Config) -> EmulatorHandle {
    EmulatorHandle::start_blocking(config).expect("the emulator starts")
}

/// The global options that point the binary at `emu` with [`KEY`], polling every 100 ms.
fn at(emu: &EmulatorHandle) -> Vec<String> {
    vec![
        "--base-url".into(),
        emu.base_url(),
        "--api-key".into(),
        KEY.into(),
        "--poll-ms".into(),
        "100".into(),
    ]
}

fn args<'a>(base: &'a [String], rest: &[&'a str]) -> Vec<&'a str> {
    base.iter()
        .map(String::as_str)
        .chain(rest.iter().copied())
        .collect()
}

/// An image the emulator reads as `text`.
fn image(text: &str) -> Vec<u8> {
    let mut bytes = format!("TEXT:{text} ").into_bytes();
    bytes.resize(160, b' ');
    bytes
}

fn temp_file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("capmonster-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("a temp file");
    path
}

#[test]
fn balance_and_user_agent() {
    let r = run(&["--emulator", "balance"]).ok();
    assert_eq!(r.stdout, "100\n");
    assert!(
        r.stderr
            .contains("using a local emulator at http://127.0.0.1:"),
        "{r:?}"
    );
    assert_eq!(r.stderr.lines().count(), 1, "{r:?}");

    // A task of an --emulator run lives as long as that run.
    let r = run(&[
        "--emulator",
        "create",
        "turnstile",
        "--website-url",
        "https://example.com",
        "--website-key",
        "0x4AAAAAAABUYP0XeMJF0xoy",
    ])
    .ok();
    assert_eq!(r.stdout, "100000001\n");
    let r = run(&["--emulator", "--json", "result", "100000001"]);
    assert_eq!(r.code, 4, "{r:?}");
    assert_eq!(r.json()["error"]["code"], "ERROR_NO_SUCH_CAPCHA_ID");

    let r = run(&["--emulator", "user-agent"]).ok();
    assert_eq!(r.stdout.trim_end(), USER_AGENT);

    let emu = emulator();
    let base = at(&emu);
    let r = run(&args(&base, &["--json", "balance"])).ok();
    let v = r.json();
    assert_eq!(v["ok"], true);
    assert_eq!(v["balance"], 10.0);
    assert_eq!(v["captcha_credits"], Value::Null);

    let r = run(&args(&base, &["--json", "user-agent"])).ok();
    assert_eq!(r.json()["user_agent"], USER_AGENT);

    // The key may come from the environment too.
    let r = run_with(
        &["--base-url", &emu.base_url(), "balance"],
        None,
        &[("CAPMONSTER_API_KEY", KEY)],
    )
    .ok();
    assert_eq!(r.stdout, "10\n");
}

#[test]
fn the_main_job_prints_a_token() {
    let r = run(&[
        "--emulator",
        "solve",
        "recaptcha-v2",
        "--website-url",
        "https://example.com",
        "--website-key",
        SITE_KEY,
    ])
    .ok();
    let token = r.stdout.trim_end();
    assert!(token.len() > 100, "{r:?}");
    assert_eq!(r.stdout.lines().count(), 1);
    // No spinner when stderr is not a terminal: only the emulator's line.
    assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
}

#[test]
fn solve_json_is_the_whole_outcome() {
    let r = run(&[
        "--emulator",
        "--json",
        "solve",
        "recaptcha-v2",
        "--website-url",
        "https://example.com",
        "--website-key",
        SITE_KEY,
        "--invisible",
    ])
    .ok();
    let v = r.json();
    assert_eq!(v["ok"], true);
    assert_eq!(v["task_id"], 100_000_001_u64);
    assert_eq!(v["kind"], "RecaptchaV2Task");
    let token = v["value"].as_str().expect("a token");
    assert_eq!(v["solution"]["gRecaptchaResponse"], token);
    assert_eq!(v["cost"], 0.0006);
    assert!(v["polls"].as_u64().expect("polls") >= 1, "{v}");
    assert_eq!(v["create_attempts"], 1);
    let ready = v["ready_after_ms"].as_u64().expect("ready_after_ms");
    let returned = v["returned_after_ms"].as_u64().expect("returned_after_ms");
    assert!(ready <= returned && returned < 10_000, "{v}");
}

#[test]
fn images_from_a_file_and_from_stdin() {
    let path = temp_file("captcha.png", &image("abc123"));
    let path = path.to_str().expect("a UTF-8 path");
    let r = run(&["--emulator", "solve", "image-to-text", "--image", path]).ok();
    assert_eq!(r.stdout, "abc123\n");

    let r = run_with(
        &[
            "--emulator",
            "--json",
            "solve",
            "image-to-text",
            "--image",
            "-",
            "--numeric",
            "--threshold",
            "70",
        ],
        Some(&image("x7y8z9")),
        &[],
    )
    .ok();
    let v = r.json();
    assert_eq!(v["value"], "x7y8z9");
    assert_eq!(v["solution"]["text"], "x7y8z9");
    assert_eq!(v["kind"], "ImageToTextTask");
}

#[test]
fn token_kinds_with_their_flags() {
    let emu = emulator();
    let base = at(&emu);
    let proxy = format!("http://user:{PROXY_PASSWORD}@203.0.113.5:8080");
    let cases: Vec<(Vec<&str>, &str, &str)> = vec![
        (
            vec![
                "recaptcha-v2-enterprise",
                "--website-url",
                "https://example.com",
                "--website-key",
                SITE_KEY,
                "--enterprise-payload",
                r#"{"s":"abc"}"#,
                "--page-action",
                "login",
            ],
            "RecaptchaV2EnterpriseTask",
            "gRecaptchaResponse",
        ),
        (
            vec![
                "recaptcha-v3",
                "--website-url",
                "https://example.com",
                "--website-key",
                SITE_KEY,
                "--min-score",
                "0.7",
                "--page-action",
                "verify",
            ],
            "RecaptchaV3TaskProxyless",
            "gRecaptchaResponse",
        ),
        (
            vec![
                "turnstile",
                "--website-url",
                "https://example.com",
                "--website-key",
                "0x4AAAAAAABUYP0XeMJF0xoy",
            ],
            "TurnstileTask",
            "token",
        ),
        (
            vec![
                "geetest",
                "--website-url",
                "https://example.com",
                "--gt",
                "022397c99c9f646f6477822485f30404",
                "--challenge",
                "7f044f48bc951ecfbfc03842b5e1fe59",
            ],
            "GeeTestTask",
            "validate",
        ),
        (
            vec![
                "geetest",
                "--website-url",
                "https://example.com",
                "--v4",
                "--captcha-id",
                "e392e1d7fd421dc63325744d5a2b9c73",
            ],
            "GeeTestTask",
            "captcha_output",
        ),
        (
            vec![
                "hcaptcha",
                "--website-url",
                "https://example.com",
                "--website-key",
                "10000000-ffff-ffff-ffff-000000000001",
                "--proxy",
                &proxy,
            ],
            "HCaptchaTask",
            "gRecaptchaResponse",
        ),
        (
            vec![
                "funcaptcha",
                "--website-url",
                "https://example.com",
                "--website-public-key",
                "69A21A01-CC7B-B9C6-0F9A-E7FA06677FFC",
            ],
            "FunCaptchaTask",
            "token",
        ),
        (
            vec![
                "amazon",
                "--website-url",
                "https://example.com",
                "--website-key",
                "AQIDAHjcYu/GjX+QlghicBgQ/7bFaQZ+m5FKCMDnO+vTp9Ypng",
                "--captcha-script",
                "https://example.execute-api.us-east-1.amazonaws.com/jsapi.js",
            ],
            "AmazonTask",
            "",
        ),
        (
            vec![
                "amazon",
                "--website-url",
                "https://example.com",
                "--challenge-script",
                "https://example.token.awswaf.com/challenge.js",
            ],
            "AmazonTask",
            "",
        ),
        (
            vec![
                "data-dome",
                "--website-url",
                "https://example.com",
                "--captcha-url",
                "https://geo.captcha-delivery.com/captcha/?initialCid=x",
                "--datadome-cookie",
                "datadome=abc",
                "--proxy-type",
                "http",
                "--proxy-address",
                "203.0.113.5",
                "--proxy-port",
                "8080",
                "--proxy-login",
                "user",
                "--proxy-password",
                PROXY_PASSWORD,
            ],
            "CustomTask",
            "",
        ),
    ];
    for (flags, kind, field) in cases {
        let mut all = args(&base, &["--json", "solve"]);
        all.extend(flags.iter().copied());
        let r = run(&all);
        assert_eq!(r.code, 0, "{flags:?}: {r:?}");
        let v = r.json();
        assert!(
            v["kind"].as_str().expect("a kind").starts_with(kind),
            "{flags:?}: {v}"
        );
        assert!(v["solution"].is_object(), "{v}");
        if !field.is_empty() {
            assert!(
                v["solution"][field].as_str().is_some_and(|s| !s.is_empty()),
                "{flags:?}: {v}"
            );
        }
        // The plain output of the same value is what `value` holds.
        assert!(v["value"].is_string() || v["value"].is_null(), "{v}");
    }
}

#[test]
fn any_task_from_json() {
    let emu = emulator();
    let base = at(&emu);
    let task = r#"{"type":"TurnstileTask","websiteURL":"https://example.com","websiteKey":"0x4AAAAAAABUYP0XeMJF0xoy"}"#;
    let path = temp_file("task.json", task.as_bytes());
    let path = path.to_str().expect("a UTF-8 path");
    let r = run(&args(&base, &["--json", "solve", "--task", path])).ok();
    let v = r.json();
    assert_eq!(v["kind"], "TurnstileTask");
    assert_eq!(v["solution"]["token"], v["value"]);

    // A kind without flags of its own, from stdin.
    let mt = br#"{"type":"MTCaptchaTask","websiteURL":"https://example.com","websiteKey":"MTPublic-abcdef"}"#;
    let r = run_with(&args(&base, &["solve", "--task", "-"]), Some(mt), &[]).ok();
    assert!(!r.stdout.trim().is_empty(), "{r:?}");

    // Not JSON, or a task that breaks a rule: bad usage, nothing sent.
    let r = run_with(&args(&base, &["solve", "--task", "-"]), Some(b"nope"), &[]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("not JSON"), "{r:?}");
    // Neither a kind nor --task.
    let r = run(&args(&base, &["solve"]));
    assert_eq!(r.code, 2, "{r:?}");
}

#[test]
fn create_result_wait_report() {
    // The second report below is refused by the service: CapMonster's docs do not state that
    // rule, so the emulator applies it only when asked.
    let emu = emulator_with(
        Config::new()
            .speed(20.0)
            .key(KEY, 10.0)
            .solve_time(SolveTime::Fixed(Duration::from_secs(20)))
            .one_report_per_task(true),
    );
    let base = at(&emu);
    let r = run(&args(
        &base,
        &[
            "create",
            "recaptcha-v2",
            "--website-url",
            "https://example.com",
            "--website-key",
            SITE_KEY,
        ],
    ))
    .ok();
    let id = r.stdout.trim().to_owned();
    assert!(id.parse::<u64>().is_ok(), "{r:?}");

    let r = run(&args(&base, &["result", &id, "--kind", "recaptcha-v2"])).ok();
    assert_eq!(r.stdout, "processing\n");
    let r = run(&args(&base, &["--json", "result", &id])).ok();
    assert_eq!(r.json()["status"], "processing");

    let r = run(&args(
        &base,
        &["--json", "wait", &id, "--kind", "recaptcha-v2"],
    ))
    .ok();
    let v = r.json();
    assert_eq!(v["task_id"].to_string(), id);
    let token = v["value"].as_str().expect("a token").to_owned();

    let r = run(&args(&base, &["result", &id, "--kind", "recaptcha-v2"])).ok();
    assert_eq!(r.stdout.trim_end(), token);
    let r = run(&args(&base, &["--json", "result", &id])).ok();
    let v = r.json();
    assert_eq!(v["status"], "ready");
    assert_eq!(v["solution"]["gRecaptchaResponse"], token);

    // Report it once: accepted. Twice: the service refuses (a new process has no local
    // record of the first report), and that is fatal to the task.
    // Without the task's type, the service's rules cannot be checked: refused, nothing sent.
    let r = run(&args(&base, &["--json", "report", &id, "--kind", "token"]));
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("--task-kind"), "{r:?}");
    let r = run(&args(&base, &["report", "0", "--kind", "image"]));
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(emu.stats().reports_accepted, 0);
    let report = [
        "--json",
        "report",
        &id,
        "--kind",
        "token",
        "--task-kind",
        "recaptcha-v2",
    ];
    let r = run(&args(&base, &report)).ok();
    let v = r.json();
    assert_eq!(v["reported"], true);
    assert_eq!(v["task_id"].to_string(), id);
    let r = run(&args(&base, &report));
    assert_eq!(r.code, 4, "{r:?}");
    assert_eq!(r.json()["error"]["code"], "ERROR_NO_SUCH_CAPCHA_ID");
    assert_eq!(emu.stats().reports_accepted, 1);

    // An image task reported through the image method.
    let r = run_with(
        &args(&base, &["--json", "solve", "image-to-text", "--image", "-"]),
        Some(&image("q1w2e3")),
        &[],
    )
    .ok();
    let id = r.json()["task_id"].to_string();
    let r = run(&args(&base, &["report", &id, "--kind", "image"])).ok();
    assert_eq!(r.stdout, format!("reported task {id}\n"));
}

#[test]
fn serve_prints_its_url_first() {
    let mut child = Command::new(BIN)
        .args(["serve", "--speed", "20", "--key", &format!("{KEY}:7.5")])
        .args(["--max-seconds", "60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("a first line");
    let url = line.trim().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let r = run(&["--base-url", &url, "--api-key", KEY, "balance"]).ok();
    assert_eq!(r.stdout, "7.5\n");
    let r = run(&[
        "--base-url",
        &url,
        "--api-key",
        KEY,
        "--poll-ms",
        "100",
        "solve",
        "image-to-text",
        "--image",
        temp_file("served.png", &image("served1"))
            .to_str()
            .expect("UTF-8"),
    ])
    .ok();
    assert_eq!(r.stdout, "served1\n");
    child.kill().expect("serve stops");
    child.wait().expect("serve ends");

    // Its fault flags reach the emulator: the first createTask finds no slot, and the
    // client's retry (in the core's policy) gets the task through.
    let mut child = Command::new(BIN)
        .args(["serve", "--speed", "50", "--fault", "create/no-slot:#1"])
        .args(["--dialect", "anti-captcha", "--max-seconds", "60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("a first line");
    let r = run_with(
        &[
            "--base-url",
            line.trim(),
            "--service",
            "anti-captcha",
            "--api-key",
            KEY,
            "--poll-ms",
            "100",
            "--json",
            "solve",
            "image-to-text",
            "--image",
            "-",
        ],
        Some(&image("retried")),
        &[],
    )
    .ok();
    let v = r.json();
    assert_eq!(v["value"], "retried");
    assert_eq!(v["create_attempts"], 2);
    child.kill().expect("serve stops");
    child.wait().expect("serve ends");

    // A bad option is bad usage.
    let r = run(&["serve", "--fault", "nonsense"]);
    assert_eq!(r.code, 2, "{r:?}");
}

#[test]
fn exit_code_2_for_bad_usage() {
    let r = run(&["--emulator", "solve", "recaptcha-v2", "--bogus"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stdout.is_empty());
    let r = run(&["--json", "solve", "recaptcha-v2", "--bogus"]);
    assert_eq!(r.code, 2, "{r:?}");
    let v = r.json();
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["exit_code"], 2);
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("--bogus")),
        "{v}"
    );

    // A key with a space in it is refused without being repeated.
    let spaced = format!("{KEY} x");
    let r = run(&["--emulator", "--api-key", &spaced, "balance"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("clientKey"), "{r:?}");

    let r = run(&[
        "--emulator",
        "--json",
        "solve",
        "recaptcha-v2",
        "--website-url",
        "not a url",
        "--website-key",
        SITE_KEY,
    ]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("websiteURL"), "{r:?}");
    assert!(r.stderr.contains("nothing was sent"), "{r:?}");
    let v = r.json();
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["exit_code"], 2);

    let r = run(&["balance"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("CAPMONSTER_API_KEY"), "{r:?}");

    let r = run(&["--emulator", "--timeout", "0", "balance"]);
    assert_eq!(r.code, 2, "{r:?}");
}

#[test]
fn exit_code_3_for_an_unknown_key() {
    let emu = emulator();
    let r = run(&[
        "--base-url",
        &emu.base_url(),
        "--api-key",
        "someone0elses0key",
        "--json",
        "balance",
    ]);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("ERROR_KEY_DOES_NOT_EXIST"), "{r:?}");
    assert!(!r.stderr.contains("someone0elses0key"), "{r:?}");
    let v = r.json();
    assert_eq!(v["error"]["code"], "ERROR_KEY_DOES_NOT_EXIST");
    assert_eq!(v["error"]["class"], "fatal-config");
    assert_eq!(v["error"]["exit_code"], 3);
}

#[test]
fn exit_code_4_for_an_unsolvable_image() {
    let r = run_with(
        &[
            "--emulator",
            "--json",
            "solve",
            "image-to-text",
            "--image",
            "-",
        ],
        Some(&image("UNSOLVABLE")),
        &[],
    );
    assert_eq!(r.code, 4, "{r:?}");
    assert!(r.stderr.contains("ERROR_CAPTCHA_UNSOLVABLE"), "{r:?}");
    assert_eq!(r.stderr.lines().count(), 2, "{r:?}");
    let v = r.json();
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["code"], "ERROR_CAPTCHA_UNSOLVABLE");
    assert_eq!(v["error"]["exit_code"], 4);
    assert_eq!(v["error"]["task_id"], 100_000_001_u64);
}

#[test]
fn exit_code_5_for_a_timeout() {
    let emu = emulator_with(
        Config::new()
            .key(KEY, 10.0)
            .solve_time(SolveTime::Fixed(Duration::from_secs(600))),
    );
    let base = at(&emu);
    let started = std::time::Instant::now();
    let r = run(&args(
        &base,
        &[
            "--timeout",
            "1",
            "solve",
            "recaptcha-v2",
            "--website-url",
            "https://example.com",
            "--website-key",
            SITE_KEY,
        ],
    ));
    assert_eq!(r.code, 5, "{r:?}");
    assert!(r.stderr.contains("was not ready within"), "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(5));

    // A request's own timeout is a timeout too: the emulator stalls getBalance for 30 s.
    let stalled = emulator_with(
        Config::new()
            .key(KEY, 10.0)
            .fault("balance/stall=30:#1".parse().expect("a fault rule")),
    );
    let started = std::time::Instant::now();
    let r = run(&[
        "--base-url",
        &stalled.base_url(),
        "--api-key",
        KEY,
        "--request-timeout",
        "1",
        "balance",
    ]);
    assert_eq!(r.code, 5, "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn exit_code_6_when_nothing_answers() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
        listener.local_addr().expect("an address").port()
    };
    let url = format!("http://127.0.0.1:{port}");
    let r = run(&["--base-url", &url, "--api-key", KEY, "--json", "balance"]);
    assert_eq!(r.code, 6, "{r:?}");
    assert!(r.stderr.contains("check the network"), "{r:?}");
    assert_eq!(r.json()["error"]["exit_code"], 6);
}

#[test]
fn verbose_logs_without_the_secrets() {
    let emu = emulator();
    let base = at(&emu);
    let proxy = format!("socks5://user:{PROXY_PASSWORD}@203.0.113.5:1080");
    let r = run(&args(
        &base,
        &[
            "-v",
            "solve",
            "hcaptcha",
            "--website-url",
            "https://example.com",
            "--website-key",
            "10000000-ffff-ffff-ffff-000000000001",
            "--proxy",
            &proxy,
        ],
    ))
    .ok();
    assert!(r.stderr.contains("DEBUG"), "{r:?}");
    assert!(r.stderr.contains("capmonster.solve"), "{r:?}");
    // Errors say nothing of the proxy URL either.
    let r = run(&args(
        &base,
        &[
            "-v",
            "solve",
            "hcaptcha",
            "--website-url",
            "https://example.com",
            "--website-key",
            "k",
            "--proxy",
            &format!("ftp://user:{PROXY_PASSWORD}@h:1"),
        ],
    ));
    assert_eq!(r.code, 2, "{r:?}");
    // The key given in the environment is not echoed by --help either.
    let r = run_with(&["--help"], None, &[("CAPMONSTER_API_KEY", KEY)]).ok();
    assert!(r.stdout.contains("CAPMONSTER_API_KEY"), "{r:?}");
}

#[test]
fn help_is_complete() {
    let r = run(&["--help"]).ok();
    for needle in [
        "Exit codes:",
        "--emulator",
        "--json",
        "--timeout",
        "--request-timeout",
        "--service",
        "2captcha",
        "serve",
        "6  no usable answer",
    ] {
        assert!(r.stdout.contains(needle), "{needle}: {}", r.stdout);
    }
    assert!(!r.stdout.contains("--poll-ms"), "hidden knob shown");
    for sub in [
        "balance",
        "user-agent",
        "solve",
        "create",
        "result",
        "wait",
        "report",
        "serve",
    ] {
        let r = run(&[sub, "--help"]).ok();
        assert!(r.stdout.contains("Example"), "{sub}: {}", r.stdout);
    }
    for kind in [
        "image-to-text",
        "recaptcha-v2",
        "recaptcha-v2-enterprise",
        "recaptcha-v3",
        "turnstile",
        "geetest",
        "hcaptcha",
        "funcaptcha",
        "amazon",
        "data-dome",
    ] {
        let r = run(&["solve", kind, "--help"]).ok();
        assert!(r.stdout.contains("Example"), "{kind}: {}", r.stdout);
    }
}

#[test]
fn the_url_form_against_the_in_process_emulator() {
    let path = temp_file("urlform.png", &image("uf42"));
    let path = path.to_str().expect("a UTF-8 path");
    let r = run(&[
        "--emulator",
        "--service",
        "url-form",
        "solve",
        "image-to-text",
        "--image",
        path,
    ])
    .ok();
    assert_eq!(r.stdout, "uf42\n");
    let r = run(&[
        "--emulator",
        "--service",
        "url-form",
        "--json",
        "solve",
        "recaptcha-v2",
        "--website-url",
        "https://example.com",
        "--website-key",
        "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-",
    ])
    .ok();
    assert!(r.json()["value"].as_str().unwrap().len() > 500, "{r:?}");
    let r = run(&["--emulator", "--service", "2captcha", "balance"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("not 2captcha's JSON API"), "{r:?}");
}

/// A loopback server for `answers` connections (then it stops): createTask gets `create`, any
/// other request `poll`, as HTTP 200 JSON.
fn hostile(
    create: &'static str,
    poll: String,
    answers: usize,
) -> (String, std::thread::JoinHandle<()>) {
    use std::io::Read as _;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().unwrap());
    let thread = std::thread::spawn(move || {
        for _ in 0..answers {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            stream.set_read_timeout(Some(Duration::from_secs(5))).ok();
            let mut buf = vec![0u8; 65536];
            let n = stream.read(&mut buf).unwrap_or(0);
            let body = if buf[..n].starts_with(b"POST /createTask") {
                create
            } else {
                &poll
            };
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, thread)
}

#[test]
fn hostile_answers_never_reach_the_terminal_raw() {
    let solve = |url: &str, json: bool| {
        let mut a = vec!["--base-url", url, "--api-key", KEY, "--poll-ms", "100"];
        if json {
            a.push("--json");
        }
        a.extend([
            "solve",
            "recaptcha-v2",
            "--website-url",
            "https://example.com",
            "--website-key",
            SITE_KEY,
        ]);
        run(&a)
    };
    let created = r#"{"errorId":0,"taskId":4242}"#;
    // A token with terminal escapes: refused, shown escaped, exit 6.
    for json in [false, true] {
        let ready = r#"{"errorId":0,"status":"ready","solution":{"gRecaptchaResponse":"\u001b[2J\u0007tok\r\ncapmonster: forged"}}"#;
        let (url, server) = hostile(created, ready.to_owned(), 2);
        let r = solve(&url, json);
        server.join().unwrap();
        assert_eq!(r.code, 6, "{r:?}");
        assert!(r.stderr.contains("4242"), "{r:?}");
        for out in [&r.stdout, &r.stderr] {
            assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{r:?}");
        }
        assert_eq!(r.stderr.lines().count(), 1, "{r:?}");
    }
    // A ready answer without a token: an error naming the task, exit 6.
    for solution in ["{}", r#""bare""#, r#"{"gRecaptchaResponse":12345}"#] {
        let ready = format!(r#"{{"errorId":0,"status":"ready","solution":{solution}}}"#);
        let (url, server) = hostile(created, ready, 2);
        let r = solve(&url, false);
        server.join().unwrap();
        assert_eq!(r.code, 6, "{solution}: {r:?}");
        assert!(
            r.stderr.contains("task 4242") && r.stdout.is_empty(),
            "{r:?}"
        );
    }
    // An error description that echoes the key with escapes: scrubbed and escaped
    // (run_with checks that the key is printed nowhere).
    let refused: &'static str = Box::leak(
        format!(
            r#"{{"errorId":1,"errorCode":"ERROR_KEY_DOES_NOT_EXIST","errorDescription":"key {KEY} \u001b]0;pwned\u0007 unknown"}}"#
        )
        .into_boxed_str(),
    );
    let (url, server) = hostile(refused, String::new(), 1);
    let r = solve(&url, true);
    server.join().unwrap();
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        !r.stderr.contains('\u{1b}') && !r.stdout.contains('\u{1b}'),
        "{r:?}"
    );
    assert!(r.stderr.contains("[redacted]"), "{r:?}");
}

#[test]
fn an_unknown_task_type_is_a_usage_error_and_plain_http_is_warned_about() {
    let emu = emulator();
    let base = at(&emu);
    let dir = std::env::temp_dir().join(format!("capmonster-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("task.json");
    std::fs::write(
        &file,
        r#"{"type":"NoSuchTaskAnywhere","websiteURL":"https://example.com"}"#,
    )
    .unwrap();
    let r = run(&args(&base, &["solve", "--task", file.to_str().unwrap()]));
    assert_eq!(r.code, 2, "{r:?}");
    let _ = std::fs::remove_dir_all(&dir);
    // 192.0.2.1 (TEST-NET-1) is not loopback: the key would travel in clear text.
    let r = run(&[
        "--base-url",
        "http://192.0.2.1:9",
        "--api-key",
        KEY,
        "--request-timeout",
        "0.3",
        "balance",
    ]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("clear text"), "{r:?}");
    assert!(!emu.base_url().is_empty());
}

/// `solve ... --check COMMAND`: the args of a reCAPTCHA v2 solve at `base` checked by `check`.
fn checked<'a>(base: &'a [String], check: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut all = args(
        base,
        &[
            "--json",
            "solve",
            "recaptcha-v2",
            "--website-url",
            "https://shop.example/login",
            "--website-key",
            SITE_KEY,
            "--check",
            check,
        ],
    );
    all.extend_from_slice(rest);
    all
}

fn attempts(v: &Value) -> &Vec<Value> {
    v["attempts"].as_array().expect("an attempts history")
}

#[test]
fn check_accepts_on_exit_0_with_the_token_in_the_environment_and_stdout_kept_clean() {
    let emu = emulator();
    let base = at(&emu);
    // The command sees the token and the task id; what it prints goes to stderr.
    let check = r#"echo "checking $CAPMONSTER_TASK_ID"; test "${#CAPMONSTER_TOKEN}" -gt 100"#;
    let r = run(&checked(&base, check, &[])).ok();
    let v = r.json();
    let history = attempts(&v);
    assert_eq!(history.len(), 1, "{r:?}");
    assert_eq!(history[0]["verdict"], "accepted");
    assert_eq!(history[0]["report"]["status"], "not-due");
    assert_eq!(v["task_ids"], serde_json::json!([v["task_id"]]));
    assert!(
        r.stderr.contains(&format!("checking {}", v["task_id"])),
        "{r:?}"
    );
    assert!(r.stderr.contains("accepted on attempt 1 of 5"), "{r:?}");
    assert_eq!(emu.stats().reports_accepted, 0);

    // Plain output: the token alone on stdout.
    let plain: Vec<&str> = checked(&base, "echo noise; exit 0", &[])
        .into_iter()
        .filter(|a| *a != "--json")
        .collect();
    let r = run(&plain).ok();
    assert_eq!(r.stdout.lines().count(), 1, "{r:?}");
    assert!(
        !r.stdout.contains("noise") && r.stderr.contains("noise"),
        "{r:?}"
    );
}

#[test]
fn check_rejections_are_reported_and_retried_up_to_max_attempts_then_exit_7() {
    let emu = emulator();
    let base = at(&emu);
    let r = run(&checked(&base, "exit 1", &["--max-attempts", "3"]));
    assert_eq!(r.code, 7, "{r:?}");
    let v = r.json();
    assert_eq!(v["ok"], false);
    let history = attempts(&v);
    assert_eq!(history.len(), 3, "{r:?}");
    for a in history {
        assert_eq!(a["verdict"], "rejected");
        assert_eq!(a["report"]["status"], "sent");
        assert_eq!(a["report"]["method"], "reportIncorrectTokenCaptcha");
    }
    // Every task created is named, in the JSON and on stderr.
    let ids = v["task_ids"].as_array().expect("task ids");
    assert_eq!(ids.len(), 3);
    for id in ids {
        assert!(r.stderr.contains(&id.to_string()), "{r:?}");
    }
    assert_eq!(emu.stats().reports_accepted, 3);
    assert_eq!(emu.stats().tasks_created, 3);
}

#[test]
fn check_unsure_is_never_reported_and_a_hung_command_is_cut() {
    let emu = emulator();
    let base = at(&emu);
    let r = run(&checked(&base, "exit 3", &["--max-attempts", "2"]));
    assert_eq!(r.code, 7, "{r:?}");
    let v = r.json();
    assert!(
        attempts(&v)
            .iter()
            .all(|a| a["verdict"] == "unsure" && a["report"]["status"] == "not-due")
    );
    assert!(
        r.stderr.contains("exited with 3: unsure, not reported"),
        "{r:?}"
    );

    let started = std::time::Instant::now();
    let r = run(&checked(
        &base,
        "sleep 30",
        &["--max-attempts", "1", "--check-timeout", "0.3"],
    ));
    assert_eq!(r.code, 7, "{r:?}");
    assert!(started.elapsed() < Duration::from_secs(20), "{r:?}");
    assert_eq!(attempts(&r.json())[0]["verdict"], "unsure");
    assert_eq!(emu.stats().reports_accepted, 0);

    // --max-attempts without --check is a usage error.
    let r = run(&args(
        &base,
        &[
            "solve",
            "recaptcha-v2",
            "--website-url",
            "https://a.example",
            "--website-key",
            SITE_KEY,
            "--max-attempts",
            "2",
        ],
    ));
    assert_eq!(r.code, 2, "{r:?}");
    assert_eq!(emu.stats().tasks_created, 3);
}

#[test]
fn check_site_stats_carry_nocache_across_runs() {
    let emu = emulator();
    let base = at(&emu);
    let stats = temp_file("site-stats.json", b"");
    std::fs::remove_file(&stats).expect("no stats yet");
    let file = stats.to_str().expect("a UTF-8 path");
    // Eight rejections of eight: the site's statistics call for nocache from then on.
    let r = run(&checked(
        &base,
        "exit 1",
        &["--max-attempts", "8", "--site-stats", file],
    ));
    assert_eq!(r.code, 7, "{r:?}");
    assert!(
        attempts(&r.json()).iter().all(|a| a["nocache"] == false),
        "{r:?}"
    );
    let saved = std::fs::read_to_string(&stats).expect("the stats were written");
    assert!(saved.contains("shop.example"), "{saved}");

    // A new process reads them: its first task already goes with nocache, and says why.
    let r = run(&checked(&base, "exit 0", &["--site-stats", file])).ok();
    let v = r.json();
    let first = &attempts(&v)[0];
    assert_eq!(first["nocache"], true, "{r:?}");
    assert!(
        first["nocacheReason"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{r:?}"
    );
    assert_eq!(emu.stats().nocache_tasks, 1);

    // A file that is not statistics is refused before anything is sent.
    let bad = temp_file("not-stats.json", b"{not json");
    let created = emu.stats().tasks_created;
    let r = run(&checked(
        &base,
        "exit 0",
        &["--site-stats", bad.to_str().expect("UTF-8")],
    ));
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("--site-stats"), "{r:?}");
    assert_eq!(emu.stats().tasks_created, created);
}

#[test]
fn check_on_anti_captcha_withholds_a_turnstile_report_with_the_reason() {
    let emu = emulator_with(
        Config::new()
            .speed(20.0)
            .key(KEY, 10.0)
            .dialect(capmonster_emulator::Dialect::AntiCaptcha),
    );
    let mut base = at(&emu);
    base.extend(["--service".to_owned(), "anti-captcha".to_owned()]);
    let r = run(&args(
        &base,
        &[
            "--json",
            "solve",
            "turnstile",
            "--website-url",
            "https://shop.example",
            "--website-key",
            "0x4AAAAAAABUYP0XeMJF0xoy",
            "--check",
            "exit 1",
            "--max-attempts",
            "2",
        ],
    ));
    assert_eq!(r.code, 7, "{r:?}");
    let v = r.json();
    for a in attempts(&v) {
        assert_eq!(a["verdict"], "rejected");
        assert_eq!(a["report"]["status"], "withheld", "{r:?}");
        assert!(
            a["report"]["detail"]
                .as_str()
                .is_some_and(|d| d.contains("Turnstile") || d.contains("reCAPTCHA")),
            "{r:?}"
        );
    }
    assert_eq!(emu.stats().reports_accepted, 0);
}
