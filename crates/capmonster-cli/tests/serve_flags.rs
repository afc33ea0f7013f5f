//! `capmonster serve` passes the emulator binary's rule flags on: `--one-report-per-task`.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_capmonster");

/// Starts `capmonster serve` with `extra` flags; returns the child and its base address.
fn serve(extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(BIN)
        .args(["serve", "--speed", "1000", "--solve-ms", "20000"])
        .args(["--max-seconds", "60"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve runs");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("a first line");
    let addr = line
        .trim()
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("not a base URL: {line:?}"))
        .to_owned();
    (child, addr)
}

/// One JSON POST on its own connection.
fn post(addr: &str, path: &str, body: &Value) -> Value {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let body = body.to_string();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("an answer");
    let (_, json) = answer.split_once("\r\n\r\n").expect("a head and a body");
    serde_json::from_str(json).unwrap_or_else(|e| panic!("not JSON ({e}): {answer}"))
}

/// Solves a reCAPTCHA task, then reports it twice; returns the two error codes (null = success).
fn report_twice(addr: &str) -> (Value, Value) {
    let created = post(
        addr,
        "/createTask",
        &json!({ "clientKey": "k", "task": { "type": "RecaptchaV2TaskProxyless",
            "websiteURL": "https://example.com/", "websiteKey": "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-" } }),
    );
    let id = created["taskId"].as_u64().expect("a task id");
    let poll = json!({ "clientKey": "k", "taskId": id });
    for _ in 0..200 {
        if post(addr, "/getTaskResult", &poll)["status"] == "ready" {
            let first = post(addr, "/reportIncorrectTokenCaptcha", &poll);
            let second = post(addr, "/reportIncorrectTokenCaptcha", &poll);
            return (first["errorCode"].clone(), second["errorCode"].clone());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("task {id} never became ready");
}

#[test]
fn serve_takes_one_report_per_task() {
    let (mut child, addr) = serve(&["--one-report-per-task"]);
    let (first, second) = report_twice(&addr);
    child.kill().expect("serve stops");
    child.wait().expect("serve ends");
    assert_eq!(first, Value::Null);
    assert_eq!(second, "ERROR_NO_SUCH_CAPCHA_ID");

    // Without the flag, CapMonster's dialect takes the second report too.
    let (mut child, addr) = serve(&[]);
    let (first, second) = report_twice(&addr);
    child.kill().expect("serve stops");
    child.wait().expect("serve ends");
    assert_eq!((first, second), (Value::Null, Value::Null));
}
