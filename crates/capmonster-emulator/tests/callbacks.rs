//! callbackUrl: the result is POSTed to a loopback receiver when the task is done.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};

/// Accepts one request on `listener` and answers 200; returns (request line, headers, body).
fn receive(listener: &TcpListener) -> (String, Vec<String>, Value) {
    listener.set_nonblocking(false).unwrap();
    let (s, _) = listener.accept().unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    let mut headers = Vec::new();
    let mut len = 0;
    loop {
        let mut h = String::new();
        r.read_line(&mut h).unwrap();
        let h = h.trim_end().to_owned();
        if h.is_empty() {
            break;
        }
        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap();
        }
        headers.push(h);
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).unwrap();
    r.get_mut()
        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        .unwrap();
    (
        line.trim_end().to_owned(),
        headers,
        serde_json::from_slice(&body).unwrap(),
    )
}

#[test]
fn result_is_posted_to_a_loopback_callback() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let t0 = Instant::now();
    let id = create(
        a,
        &json!({ "clientKey": "k", "callbackUrl": format!("http://127.0.0.1:{port}/hook?x=1"),
                 "task": { "type": "ImageToTextTask", "body": image_with_text("cb7") } }),
    );
    let (line, headers, body) = receive(&listener);
    assert!(
        t0.elapsed() >= Duration::from_millis(19),
        "{:?}",
        t0.elapsed()
    );
    assert_eq!(line, "POST /hook?x=1 HTTP/1.1");
    assert!(
        headers
            .iter()
            .any(|h| h.eq_ignore_ascii_case("content-type: application/json"))
    );
    // The same JSON as getTaskResult.
    assert_eq!(body["status"], "ready");
    assert_eq!(body["solution"]["text"], "cb7");
    let polled = post(
        a,
        "/getTaskResult",
        &json!({ "clientKey": "k", "taskId": id }),
    )
    .json();
    assert_eq!(body, polled);
    // Retry loop: stats are updated right after the receiver answers.
    let mut s = emu.stats();
    for _ in 0..100 {
        if s.callbacks_sent == 1 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
        s = emu.stats();
    }
    assert_eq!(s.callbacks_sent, 1);
    // The callback is not a poll.
    assert_eq!(s.tasks[&id].polls, 1);
}

#[test]
fn failed_tasks_post_their_error() {
    let emu = fast(fast_config());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut img = vec![9u8; 150];
    img.extend_from_slice(b"UNSOLVABLE");
    create(
        emu.addr(),
        &json!({ "clientKey": "k", "callbackUrl": format!("http://localhost:{port}/"),
                 "task": { "type": "ImageToTextTask", "body": b64(&img) } }),
    );
    let (_, _, body) = receive(&listener);
    assert_eq!(
        (body["errorId"].as_u64(), body["errorCode"].as_str()),
        (Some(1), Some("ERROR_CAPTCHA_UNSOLVABLE"))
    );
}

#[test]
fn off_machine_and_unreachable_callbacks_are_counted() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    for url in [
        "https://example.com/hook".to_owned(),
        format!("http://127.0.0.1:{closed}/"),
    ] {
        create(
            a,
            &json!({ "clientKey": "k", "callbackUrl": url, "task": { "type": "ImageToTextTask", "body": image(200) } }),
        );
    }
    let r = post(a, "/createTask", &json!({ "clientKey": "k", "callbackUrl": 5, "task": { "type": "ImageToTextTask", "body": image(200) } })).json();
    assert_eq!(r["errorCode"], "ERROR_BAD_PARAMETERS");
    let mut s = emu.stats();
    for _ in 0..200 {
        if s.callbacks_refused + s.callbacks_failed == 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
        s = emu.stats();
    }
    assert_eq!(
        (s.callbacks_refused, s.callbacks_failed, s.callbacks_sent),
        (1, 1, 0)
    );
}

#[test]
fn callback_urls_with_cr_lf_or_another_scheme_are_refused_and_never_called() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    for url in [
        format!("http://127.0.0.1:{port}/hook\r\nX-Injected: 1"),
        format!("http://127.0.0.1:{port}/hook\nX-Injected: 1"),
        format!("http://127.0.0.1:{port}/a b"),
        format!("ftp://127.0.0.1:{port}/"),
        format!("file://127.0.0.1:{port}/etc/passwd"),
    ] {
        create(
            a,
            &json!({ "clientKey": "k", "callbackUrl": url, "task": { "type": "ImageToTextTask", "body": image(200) } }),
        );
    }
    let mut s = emu.stats();
    for _ in 0..200 {
        if s.callbacks_refused == 5 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
        s = emu.stats();
    }
    assert_eq!((s.callbacks_refused, s.callbacks_sent), (5, 0));
    listener.set_nonblocking(true).unwrap();
    assert_eq!(
        listener.accept().map(|_| ()).unwrap_err().kind(),
        std::io::ErrorKind::WouldBlock,
        "a refused callback connected anyway"
    );
    // A good URL on the same receiver: one well-formed HTTP/1.1 request.
    create(
        a,
        &json!({ "clientKey": "k", "callbackUrl": format!("http://127.0.0.1:{port}/ok?a=%20b"),
                 "task": { "type": "ImageToTextTask", "body": image(200) } }),
    );
    let (line, headers, body) = receive(&listener);
    assert_eq!(line, "POST /ok?a=%20b HTTP/1.1");
    let has = |want: &str| headers.iter().any(|h| h.eq_ignore_ascii_case(want));
    assert!(has(&format!("host: 127.0.0.1:{port}")), "{headers:?}");
    assert!(has("user-agent: capmonster-emulator"), "{headers:?}");
    assert_eq!(body["status"], "ready");
}
