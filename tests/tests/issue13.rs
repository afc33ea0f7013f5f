//! Regressions of issue 13 ("every promise holds against a hostile service"), on both front
//! ends, against a raw server on 127.0.0.1: an answered createTask with headers too large to
//! read is not resent; an answer that names a task under HTTP 429 is polled, not resent; the key
//! echoed by the server never reaches an error's `Display` or `Debug`.

use std::io::Write as _;
use std::net::TcpStream;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use capmonster_proto::{
    ClientError, Service,
    task::{RecaptchaV2Task, Task},
};
use capmonster_tests::raw::RawServer;
use capmonster_tests::{Kind, TEST_KEY, front_on};

const TOKEN: &str = "03AGdBq25-token";

fn answer(stream: &mut TcpStream, status: &str, extra_headers: &str, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{extra_headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

/// A server that answers createTask with `create` and every poll with a ready token.
fn server(create: impl Fn(&mut TcpStream) + Send + Sync + 'static) -> RawServer {
    RawServer::start(
        16,
        Duration::from_secs(20),
        move |stream, request: &[u8], _stop: &AtomicBool| {
            let head = String::from_utf8_lossy(request);
            if head.starts_with("POST /createTask") {
                create(stream);
            } else {
                let body = format!(
                    r#"{{"errorId":0,"status":"ready","solution":{{"gRecaptchaResponse":"{TOKEN}"}}}}"#
                );
                answer(stream, "200 OK", "", &body);
            }
        },
    )
}

fn creates(server: &RawServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.starts_with(b"POST /createTask"))
        .count()
}

fn task() -> Task {
    RecaptchaV2Task::new("https://example.com/login", "6Le-SITEKEY").into()
}

#[test]
fn an_answered_create_with_oversized_headers_is_not_resent() {
    for kind in [Kind::Blocking, Kind::Async] {
        let server = server(|stream| {
            let big = format!("X-Filler: {}\r\n", "a".repeat(70 * 1024));
            answer(stream, "200 OK", &big, r#"{"errorId":0,"taskId":4242}"#);
        });
        let front = front_on(kind, &server.base_url(), Service::capmonster());
        let result = front.solve(task());
        assert_eq!(creates(&server), 1, "{kind:?}: {result:?}");
        match result {
            // The library read the headers after all: the task was polled.
            Ok(solved) => assert_eq!(solved.task_id, 4242),
            Err(e) => {
                assert!(
                    matches!(e, ClientError::AmbiguousCreate { .. }),
                    "{kind:?}: {e:?}"
                );
                assert!(
                    !e.to_string().contains("could not be made"),
                    "{kind:?}: {e}"
                );
            }
        }
    }
}

#[test]
fn a_create_answer_naming_a_task_under_429_is_polled_not_resent() {
    for kind in [Kind::Blocking, Kind::Async] {
        for status in [
            "429 Too Many Requests",
            "503 Service Unavailable",
            "500 Oops",
        ] {
            let server = server(move |stream| {
                answer(stream, status, "", r#"{"errorId":0,"taskId":4242}"#);
            });
            let front = front_on(kind, &server.base_url(), Service::capmonster());
            let solved = front.solve(task()).expect("the named task is polled");
            assert_eq!(solved.task_id, 4242, "{kind:?} {status}");
            assert_eq!(creates(&server), 1, "{kind:?} {status}");
        }
    }
}

#[test]
fn a_key_echoed_by_the_server_never_reaches_the_error() {
    let base = TEST_KEY.split("__").next().unwrap();
    for kind in [Kind::Blocking, Kind::Async] {
        for body in [
            format!(
                r#"{{"errorId":1,"errorCode":"ERROR_KEY_DOES_NOT_EXIST","errorDescription":"no key {TEST_KEY} or {base}"}}"#
            ),
            format!("<html>you sent clientKey={base}&amp;x=1</html>"),
        ] {
            let server = server(move |stream| answer(stream, "404 Not Found", "", &body));
            let front = front_on(kind, &server.base_url(), Service::capmonster());
            let e = front.solve(task()).expect_err("refused");
            for text in [e.to_string(), format!("{e:?}")] {
                assert!(!text.contains(base), "{kind:?}: {text}");
                assert!(text.contains("[redacted]"), "{kind:?}: {text}");
            }
            let e = front.balance().expect_err("refused");
            for text in [e.to_string(), format!("{e:?}")] {
                assert!(!text.contains(base), "{kind:?}: {text}");
            }
        }
    }
}

#[test]
fn a_single_task_result_that_echoes_the_key_or_lacks_its_token_is_refused() {
    use capmonster_proto::task::TaskKind;
    let base = TEST_KEY.split("__").next().unwrap();
    for kind in [Kind::Blocking, Kind::Async] {
        for solution in [
            format!(r#"{{"gRecaptchaResponse":"tok-{base}"}}"#),
            r#"{"gRecaptchaResponse":12345}"#.to_owned(),
            "{}".to_owned(),
        ] {
            let server = RawServer::start(
                4,
                Duration::from_secs(20),
                move |stream, _request: &[u8], _stop: &AtomicBool| {
                    let body = format!(r#"{{"errorId":0,"status":"ready","solution":{solution}}}"#);
                    answer(stream, "200 OK", "", &body);
                },
            );
            let front = front_on(kind, &server.base_url(), Service::capmonster());
            let e = front
                .task_result(7_300_001, TaskKind::RecaptchaV2)
                .expect_err("no usable token");
            assert!(
                matches!(e, ClientError::NoSolution { .. }),
                "{kind:?}: {e:?}"
            );
            assert_eq!(e.task_id(), Some(7_300_001), "{kind:?}");
            for text in [e.to_string(), format!("{e:?}")] {
                assert!(!text.contains(base), "{kind:?}: {text}");
            }
        }
    }
}

#[test]
fn the_solve_span_records_the_task_id_once() {
    use capmonster_tests::{Capture, config, emulator, front};
    let emu = emulator(config());
    for kind in [Kind::Blocking, Kind::Async] {
        let capture = Capture::default();
        let solved = tracing::subscriber::with_default(capture.clone(), || {
            front(kind, &emu).solve(task()).expect("solved")
        });
        assert!(solved.polls >= 2, "{kind:?}: several polls: {solved:?}");
        let records = capture
            .lines()
            .into_iter()
            .filter(|l| l.starts_with("record") && l.contains("task_id="))
            .count();
        assert_eq!(records, 1, "{kind:?}: {:?}", capture.lines());
    }
}
