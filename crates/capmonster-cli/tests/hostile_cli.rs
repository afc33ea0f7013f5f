//! The hostile-service table (`capmonster_tests::hostile::cases`) against the `capmonster`
//! binary, as a user runs it: `--base-url` at a misbehaving server on 127.0.0.1, the key (with a
//! `__nocache` suffix) in `CAPMONSTER_API_KEY`, and a task proxy with a password. Each case runs
//! twice, plain and with `--json -v`; every promise of docs/RELIABILITY.md is checked on stdout
//! and stderr together (no secret, no raw control character, no forged `capmonster:` line, the
//! task ids named, createTask not resent), plus the exit code and the time against `--timeout`.

use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use capmonster_tests::TEST_KEY;
use capmonster_tests::hostile::{
    Case, Dialect, HostileServer, Observed, REQUEST_TIMEOUT, SITE_KEY, cases, excerpt, proxy_url,
};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_capmonster");
/// Runs at the same time (most of a run is waiting on a deadline).
const PARALLEL: usize = 12;
/// How far past `--timeout` the process may end: its start, the runtime, a loaded machine.
const CLI_ALLOWANCE: Duration = Duration::from_millis(2500);

/// One case, one mode: what the binary did, and the promises it broke.
fn run(case: &Case, json_verbose: bool) -> (Observed, i32, Vec<String>) {
    let server = HostileServer::start(case);
    let mut args: Vec<String> = vec!["--base-url".into(), server.base_url()];
    if case.dialect == Dialect::UrlForm {
        args.extend(["--service".into(), "url-form".into()]);
    }
    args.extend([
        "--timeout".into(),
        format!("{}", case.deadline.as_secs_f64()),
        "--request-timeout".into(),
        format!("{}", REQUEST_TIMEOUT.as_secs_f64()),
    ]);
    if !case.real_timing {
        args.extend(["--poll-ms".into(), "100".into()]);
    }
    if json_verbose {
        args.extend(["--json".into(), "-v".into()]);
    }
    args.extend([
        "solve".into(),
        "recaptcha-v2".into(),
        "--website-url".into(),
        "https://example.com/login".into(),
        "--website-key".into(),
        SITE_KEY.into(),
        "--proxy".into(),
        proxy_url(),
    ]);
    let start = Instant::now();
    let output = Command::new(BIN)
        .args(&args)
        .env("CAPMONSTER_API_KEY", TEST_KEY)
        .env_remove("CAPMONSTER_EMULATOR_SPEED")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("the binary runs");
    let took = start.elapsed();
    let code = output.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let who = if json_verbose { "cli --json -v" } else { "cli" };
    let mut broken = Vec::new();
    let json: Option<Value> = if json_verbose {
        match serde_json::from_str(stdout.trim()) {
            Ok(v) => Some(v),
            Err(e) => {
                broken.push(format!(
                    "{} / {who}: stdout is not one JSON object ({e}): {}",
                    case.name,
                    excerpt(&stdout)
                ));
                None
            }
        }
    } else {
        None
    };
    let token = (code == 0).then(|| match &json {
        Some(v) => v["value"].as_str().unwrap_or("<no value>").to_owned(),
        None => stdout.trim_end_matches('\n').to_owned(),
    });
    let task_id = json.as_ref().and_then(|v| {
        let id = if v["ok"] == Value::Bool(true) {
            &v["task_id"]
        } else {
            &v["error"]["task_id"]
        };
        (!id.is_null()).then(|| id.to_string())
    });
    let observed = Observed {
        who: who.into(),
        token,
        task_id,
        ambiguous: code == 4,
        timeout: code == 5,
        refused_locally: code == 2,
        message: format!("{stderr}{stdout}"),
        other_output: Vec::new(),
        took,
        limit: case.deadline + CLI_ALLOWANCE,
        multiline: true,
    };
    std::thread::sleep(Duration::from_millis(50));
    broken.extend(observed.check(case, &server.seen()));
    if !case.cli_codes.contains(&code) {
        broken.push(format!(
            "{} / {who}: exit code {code}, expected one of {:?}: {}",
            case.name,
            case.cli_codes,
            excerpt(&stderr)
        ));
    }
    if code != 0 && !stderr.lines().any(|l| l.starts_with("capmonster: ")) {
        broken.push(format!(
            "{} / {who}: exit code {code} without a `capmonster:` line on stderr: {}",
            case.name,
            excerpt(&stderr)
        ));
    }
    // Finding 11: a -v line names its task once.
    if let Some(line) = stderr.lines().find(|l| l.matches("task_id=").count() > 1) {
        broken.push(format!(
            "{} / {who}: a log line repeats task_id: {}",
            case.name,
            excerpt(line)
        ));
    }
    (observed, code, broken)
}

#[test]
fn every_hostile_case_against_the_binary() {
    let mut work: Vec<(Case, bool)> = Vec::new();
    for case in cases().into_iter().filter(|c| !c.cli_codes.is_empty()) {
        work.push((case.clone(), false));
        work.push((case, true));
    }
    let total = work.len();
    let queue = Mutex::new(work);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..PARALLEL {
            s.spawn(|| {
                loop {
                    let Some((case, json)) = queue.lock().unwrap().pop() else {
                        return;
                    };
                    let (observed, code, broken) = run(&case, json);
                    results
                        .lock()
                        .unwrap()
                        .push((case.name, observed, code, broken));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| (a.0, &a.1.who).cmp(&(b.0, &b.1.who)));
    assert_eq!(results.len(), total);
    let mut all_broken = Vec::new();
    for (name, o, code, broken) in &results {
        println!(
            "{name:<34} {:<14} exit {code} {:>6} ms  {}  {}",
            o.who,
            o.took.as_millis(),
            if broken.is_empty() { "ok  " } else { "FAIL" },
            excerpt(o.message.lines().last().unwrap_or("")),
        );
        all_broken.extend(broken.iter().cloned());
    }
    report(all_broken);
}

/// Runs the binary with `args` against a server that answers every createTask with a task, and
/// returns the exit code, stderr, and how many requests the server saw.
fn run_local(args: &[&str]) -> (i32, String, usize) {
    let case = capmonster_tests::hostile::case(
        "local",
        vec![capmonster_tests::hostile::task("730200")],
        vec![capmonster_tests::hostile::ready()],
        capmonster_tests::hostile::Expect::Either,
        &[],
    );
    let server = HostileServer::start(&case);
    let out = Command::new(BIN)
        .args(["--base-url", &server.base_url(), "--timeout", "3"])
        .args(args)
        .env("CAPMONSTER_API_KEY", TEST_KEY)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs");
    std::thread::sleep(Duration::from_millis(50));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    for secret in capmonster_tests::hostile::secrets() {
        assert!(
            !stderr.contains(secret) && !stdout.contains(secret),
            "{args:?} printed a secret: {stderr}{stdout}"
        );
    }
    (out.status.code().unwrap_or(-1), stderr, server.seen().len())
}

/// Writes `json` to a file of its own and returns its path.
fn task_file(name: &str, json: &Value) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "capmonster-hostile-{}-{name}.json",
        std::process::id()
    ));
    std::fs::write(&path, json.to_string()).expect("the task file is written");
    path
}

/// Finding 11: a task read from JSON names the proxy field that is wrong, and an unknown task
/// type is a usage error (exit 2); nothing is sent in either case.
#[test]
fn task_json_errors_name_the_field_and_send_nothing() {
    let base = || {
        serde_json::json!({
            "type": "RecaptchaV2Task",
            "websiteURL": "https://example.com/login",
            "websiteKey": SITE_KEY,
            "proxyType": "http",
            "proxyAddress": "8.8.8.8",
            "proxyPort": 1080,
            "proxyLogin": "bob",
            "proxyPassword": capmonster_tests::PROXY_PASSWORD,
        })
    };
    let mut port = base();
    port["proxyPort"] = serde_json::json!(70000);
    let mut address = base();
    address.as_object_mut().unwrap().remove("proxyAddress");
    let mut unknown = base();
    unknown["type"] = serde_json::json!("NoSuchTaskTypeTask");
    for (name, json, field) in [
        ("port", port, Some("task.proxyPort")),
        ("address", address, Some("task.proxyAddress")),
        ("unknown", unknown, None),
    ] {
        let path = task_file(name, &json);
        let (code, stderr, requests) = run_local(&["solve", "--task", path.to_str().unwrap()]);
        let _ = std::fs::remove_file(&path);
        assert_eq!(code, 2, "{name}: exit code {code}: {stderr}");
        assert_eq!(requests, 0, "{name}: requests were sent: {stderr}");
        if let Some(field) = field {
            assert!(
                stderr.contains(field),
                "{name}: should name {field}: {stderr}"
            );
        }
    }
}

/// Finding 11: `report 0` is refused before anything is sent (no service hands out task 0).
#[test]
fn report_of_task_zero_is_refused_locally() {
    for kind in ["token", "image"] {
        let (code, stderr, requests) = run_local(&["report", "0", "--kind", kind]);
        assert_eq!(code, 2, "--kind {kind}: exit code {code}: {stderr}");
        assert_eq!(requests, 0, "--kind {kind}: a report was sent: {stderr}");
    }
}

/// Fails on every broken promise, listing them all.
fn report(broken: Vec<String>) {
    assert!(
        broken.is_empty(),
        "{} broken promises:\n{}",
        broken.len(),
        broken.join("\n")
    );
}
