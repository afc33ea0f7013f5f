//! Fault injection: every kind, scripts and rates, scopes, and the stats they leave.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use capmonster_emulator::{Config, FaultKind, FaultRule, Scope};
use common::*;
use serde_json::json;

fn balance_req() -> serde_json::Value {
    json!({ "clientKey": "k" })
}

#[test]
fn scripted_no_slot_on_create_only() {
    let emu = fast(fast_config());
    let a = emu.addr();
    emu.script_faults(Scope::Create, FaultKind::NoSlot, 3);
    // Other endpoints are not in scope.
    assert_eq!(post(a, "/getBalance", &balance_req()).json()["errorId"], 0);
    for _ in 0..3 {
        let r = post(a, "/createTask", &image_task_body("k"));
        assert_eq!(r.status, 200);
        let r = r.json();
        assert_eq!(
            (r["errorId"].as_u64(), r["errorCode"].as_str()),
            (Some(1), Some("ERROR_NO_SLOT_AVAILABLE"))
        );
    }
    create(a, &image_task_body("k"));
    let s = emu.stats();
    assert_eq!(s.faults_by_kind["no-slot"], 3);
    assert_eq!(s.tasks_created, 1);
    assert_eq!(s.errors_by_code["ERROR_NO_SLOT_AVAILABLE"], 3);
}

#[test]
fn http_status_faults() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let mut c = Conn::open(a);
    let mut next = |kind: FaultKind| {
        emu.script_faults(Scope::Balance, kind, 1);
        c.post("/getBalance", &balance_req()).unwrap()
    };
    let r = next(FaultKind::Http429Json);
    assert_eq!(r.status, 429);
    assert_eq!(r.json()["errorCode"], "ERROR_TOO_MUCH_REQUESTS");
    let r = next(FaultKind::Http429Empty);
    assert_eq!((r.status, r.body.len()), (429, 0));
    let r = next(FaultKind::Http500);
    assert_eq!(r.status, 500);
    assert!(serde_json::from_slice::<serde_json::Value>(&r.body).is_err());
    let r = next(FaultKind::Http503Json);
    assert_eq!(r.status, 503);
    assert_eq!(r.json()["errorCode"], "ERROR_NO_SLOT_AVAILABLE");
    let r = next(FaultKind::Html502);
    assert_eq!(r.status, 502);
    assert_eq!(r.header("content-type"), Some("text/html"));
    assert!(String::from_utf8_lossy(&r.body).contains("502 Bad Gateway"));
    let r = next(FaultKind::EmptyBody);
    assert_eq!((r.status, r.body.len()), (200, 0));
    assert_eq!(r.header("content-length"), Some("0"));
    // The connection survived all of them.
    assert_eq!(
        c.post("/getBalance", &balance_req()).unwrap().json()["errorId"],
        0
    );
    let s = emu.stats();
    for k in [
        "http429",
        "http429-empty",
        "http500",
        "http503",
        "html502",
        "empty-body",
    ] {
        assert_eq!(s.faults_by_kind[k], 1, "{k}");
    }
    assert_eq!(s.connections, 1);
}

fn expect_reset(a: std::net::SocketAddr, body: &serde_json::Value) {
    let mut s = TcpStream::connect(a).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let body = body.to_string();
    write!(
        s,
        "POST /createTask HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut buf = Vec::new();
    match s.read_to_end(&mut buf) {
        Err(e) => assert_eq!(e.kind(), ErrorKind::ConnectionReset, "{e}"),
        Ok(_) => assert!(
            buf.is_empty(),
            "got a response: {}",
            String::from_utf8_lossy(&buf)
        ),
    }
}

#[test]
fn reset_before_processing_creates_nothing() {
    let emu = fast(fast_config());
    let a = emu.addr();
    emu.script_faults(Scope::Create, FaultKind::Reset, 1);
    expect_reset(a, &image_task_body("k"));
    let s = emu.stats();
    assert_eq!((s.tasks_created, s.faults_by_kind["reset"]), (0, 1));
    create(a, &image_task_body("k"));
}

#[test]
fn reset_after_processing_creates_the_task() {
    let emu = fast(fast_config());
    let a = emu.addr();
    emu.script_faults(Scope::Create, FaultKind::ResetAfterProcessing, 1);
    expect_reset(a, &image_task_body("k"));
    let s = emu.stats();
    assert_eq!((s.tasks_created, s.faults_by_kind["reset-after"]), (1, 1));
}

#[test]
fn stall_respects_the_speed_factor() {
    // 5 s emulated at 50x = 100 ms real.
    let emu = fast(Config::new().speed(50.0));
    let a = emu.addr();
    emu.add_fault(FaultRule::next(
        FaultKind::Stall {
            duration: Duration::from_secs(5),
        },
        Scope::Balance,
        2,
    ));
    let t0 = Instant::now();
    assert_eq!(post(a, "/getBalance", &balance_req()).json()["errorId"], 0);
    let took = t0.elapsed();
    assert!(took >= Duration::from_millis(95), "{took:?}");
    // A client with a shorter timeout gives up.
    let c = Conn::open(a);
    c.set_read_timeout(Duration::from_millis(30));
    let mut c = c;
    let err = c.post("/getBalance", &balance_req()).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err}"
    );
    assert_eq!(emu.stats().faults_by_kind["stall"], 2);
}

#[test]
fn dribbled_body_arrives_whole_but_slowly() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let id = create(
        a,
        &json!({ "clientKey": "k", "task": { "type": "RecaptchaV2Task", "websiteURL": "https://a.b", "websiteKey": "x" } }),
    );
    wait_ready(a, "k", id);
    emu.add_fault(FaultRule::next(
        FaultKind::Dribble {
            chunk: 64,
            interval: Duration::from_millis(5),
        },
        Scope::Poll,
        1,
    ));
    let t0 = Instant::now();
    let r = post(
        a,
        "/getTaskResult",
        &json!({ "clientKey": "k", "taskId": id }),
    );
    let took = t0.elapsed();
    let len = r.body.len();
    assert!(len > 640, "{len}");
    // ceil(len/64) pieces with 5 ms between them.
    let min = Duration::from_millis(5 * (len as u64 / 64 - 1));
    assert!(took >= min, "{took:?} < {min:?}");
    assert_eq!(r.json()["status"], "ready");
}

#[test]
fn rates_are_seeded_and_scoped() {
    let run = |seed: u64| -> (u64, u64) {
        let emu = fast(fast_config().seed(seed).fault(FaultRule::rate(
            FaultKind::Http503Json,
            Scope::Poll,
            0.5,
        )));
        let a = emu.addr();
        let mut c = Conn::open(a);
        let id = c.post("/createTask", &image_task_body("k")).unwrap().json()["taskId"]
            .as_u64()
            .unwrap();
        let mut faults = 0;
        for _ in 0..100 {
            if c.post("/getTaskResult", &json!({ "clientKey": "k", "taskId": id }))
                .unwrap()
                .status
                == 503
            {
                faults += 1;
            }
        }
        for _ in 0..20 {
            assert_eq!(c.post("/getBalance", &balance_req()).unwrap().status, 200);
        }
        assert_eq!(
            emu.stats()
                .faults_by_kind
                .get("http503")
                .copied()
                .unwrap_or(0),
            faults
        );
        (faults, emu.stats().tasks_created)
    };
    let (a, created) = run(3);
    assert_eq!(created, 1);
    assert!((25..=75).contains(&a), "{a}");
    assert_eq!(run(3).0, a);
}

#[test]
fn any_scope_and_clearing() {
    let emu = fast(fast_config().fault(FaultRule::rate(FaultKind::Http500, Scope::Any, 1.0)));
    let a = emu.addr();
    assert_eq!(post(a, "/getBalance", &balance_req()).status, 500);
    assert_eq!(post(a, "/createTask", &image_task_body("k")).status, 500);
    assert_eq!(
        post(
            a,
            "/reportIncorrectImageCaptcha",
            &json!({ "clientKey": "k", "taskId": 1 })
        )
        .status,
        500
    );
    // Not the user agent or the stats page.
    assert_eq!(get(a, "/api/useragent/actual").status, 200);
    assert_eq!(get(a, "/_emulator/stats").status, 200);
    emu.clear_faults();
    assert_eq!(post(a, "/getBalance", &balance_req()).status, 200);
    assert_eq!(emu.stats().faults_by_kind["http500"], 3);
}

#[test]
fn parsed_rules_work_like_built_ones() {
    let rule: FaultRule = "poll/empty-body:#2".parse().unwrap();
    let emu = fast(fast_config().fault(rule));
    let a = emu.addr();
    let id = create(a, &image_task_body("k"));
    for _ in 0..2 {
        let r = post(
            a,
            "/getTaskResult",
            &json!({ "clientKey": "k", "taskId": id }),
        );
        assert_eq!((r.status, r.body.len()), (200, 0));
    }
    assert_eq!(
        post(
            a,
            "/getTaskResult",
            &json!({ "clientKey": "k", "taskId": id })
        )
        .status,
        200
    );
    assert_eq!(
        post(
            a,
            "/getTaskResult",
            &json!({ "clientKey": "k", "taskId": id })
        )
        .json()["errorId"],
        0
    );
}
