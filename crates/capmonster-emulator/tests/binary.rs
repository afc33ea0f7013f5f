//! The `capmonster-emulator` binary: flags, the base URL on the first line, and stopping.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_capmonster-emulator");

fn start(args: &[&str]) -> (std::process::Child, SocketAddr) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim();
    assert!(url.starts_with("http://127.0.0.1:"), "{url:?}");
    (child, url.trim_start_matches("http://").parse().unwrap())
}

#[test]
fn help_and_bad_flags() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--host",
        "--port",
        "--key",
        "--price",
        "--speed",
        "--solve-ms",
        "--fault",
        "--seed",
        "--dialect",
        "--max-seconds",
        "--site",
        "/_emulator/sites/verify",
        "/createTask",
        "/in.php",
        "/res.php",
    ] {
        assert!(text.contains(flag), "{flag}");
    }
    for bad in [
        &["--nope"][..],
        &["--speed", "0"],
        &["--fault", "boom:1"],
        &["--dialect", "x"],
        &["--port"],
    ] {
        let out = Command::new(BIN).args(bad).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn serves_with_flags_and_stops_after_max_seconds() {
    let t0 = Instant::now();
    let (mut child, a) = start(&[
        "--key",
        "good:0.5",
        "--key",
        "empty:0",
        "--price",
        "0.25",
        "--speed",
        "1000",
        "--solve-ms",
        "5000",
        "--fault",
        "create/no-slot:#1",
        "--seed",
        "9",
        "--dialect",
        "anti-captcha",
        "--max-seconds",
        "2",
    ]);
    assert_eq!(
        post(a, "/getBalance", &json!({ "clientKey": "good" })).json()["balance"],
        0.5
    );
    assert_eq!(
        post(a, "/getBalance", &json!({ "clientKey": "bad" })).json()["errorCode"],
        "ERROR_KEY_DOES_NOT_EXIST"
    );
    let r = post(a, "/createTask", &image_task_body("empty")).json();
    assert_eq!(
        (r["errorId"].as_u64(), r["errorCode"].as_str()),
        (Some(2), Some("ERROR_NO_SLOT_AVAILABLE"))
    );
    assert_eq!(
        post(a, "/createTask", &image_task_body("empty")).json()["errorCode"],
        "ERROR_ZERO_BALANCE"
    );
    let id = create(a, &image_task_body("good"));
    let r = wait_ready(a, "good", id);
    assert_eq!(r["cost"], "0.250000");
    let status = child.wait().unwrap();
    assert!(status.success());
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_millis(1900) && took < Duration::from_secs(10),
        "{took:?}"
    );
    assert!(std::net::TcpStream::connect(a).is_err());
}

#[cfg(unix)]
#[test]
fn stops_on_sigterm_and_sigint() {
    for sig in ["-TERM", "-INT"] {
        let (mut child, a) = start(&["--max-seconds", "30"]);
        assert_eq!(get(a, "/api/useragent/actual").status, 200);
        let ok = Command::new("kill")
            .arg(sig)
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(ok.success());
        let t0 = Instant::now();
        let status = child.wait().unwrap();
        assert!(status.success(), "{sig}: {status:?}");
        assert!(t0.elapsed() < Duration::from_secs(5));
    }
}

#[test]
fn limit_flags_are_applied() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--max-connections",
        "--max-accounts",
        "--max-live-tasks",
        "--max-tasks",
        "--header-timeout-ms",
        "--body-timeout-ms",
        "--idle-timeout-ms",
    ] {
        assert!(help.contains(flag), "{flag}");
    }
    for bad in [
        &["--max-connections", "0"][..],
        &["--max-accounts", "0"],
        &["--idle-timeout-ms", "0"],
        &["--max-tasks", "-1"],
    ] {
        let out = Command::new(BIN).args(bad).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
    let (mut child, a) = start(&[
        "--max-live-tasks",
        "1",
        "--solve-ms",
        "60000",
        "--idle-timeout-ms",
        "200",
        "--max-seconds",
        "10",
    ]);
    create(a, &image_task_body("k"));
    let r = post(a, "/createTask", &image_task_body("k")).json();
    assert_eq!(r["errorCode"], "ERROR_NO_SLOT_AVAILABLE");
    // An idle connection is closed after 200 ms.
    let mut idle = std::net::TcpStream::connect(a).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let t0 = Instant::now();
    let n = std::io::Read::read(&mut idle, &mut [0u8; 16]).unwrap_or(0);
    assert_eq!(n, 0);
    assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
    child.kill().unwrap();
    child.wait().unwrap();
}
