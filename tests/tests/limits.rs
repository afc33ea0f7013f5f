//! Answers too large to read: a 1 GiB body and a body that never ends, from a raw server on
//! 127.0.0.1. For both front ends, one call (`balance`) and a whole solve each end in a typed
//! error within the request timeout (or the solve's deadline), and the process's memory stays
//! bounded (the cap is `ClientConfig::max_response_bytes`, 2 MiB by default). A solve whose
//! every poll gets 1 GiB keeps polling on schedule and ends at its deadline, naming the task.

use std::time::{Duration, Instant};

use capmonster_proto::solver::Solved;
use capmonster_proto::{ClientError, Service, task::ImageToTextTask};
use std::io::Write as _;

use capmonster_tests::raw::{RawServer, endless_body, huge_body};
use capmonster_tests::{Front, Kind, builder, fast_policy, front_from};

const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);
const DEADLINE: Duration = Duration::from_secs(3);
/// Slack for thread wake-ups on a loaded machine.
const ALLOWANCE: Duration = Duration::from_millis(1000);
const MEMORY_SLACK_KB: u64 = 64 * 1024;

/// `VmRSS` and `VmHWM` (peak) of this process, in kB, from /proc/self/status.
fn memory_kb() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} in /proc/self/status"))
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn client(kind: Kind, url: &str) -> Box<dyn Front> {
    let (u1, u2) = (url.to_owned(), url.to_owned());
    front_from(
        kind,
        move |_| builder(&u1, Service::capmonster()).request_timeout(REQUEST_TIMEOUT),
        move |_| builder(&u2, Service::capmonster()).request_timeout(REQUEST_TIMEOUT),
    )
}

fn image() -> ImageToTextTask {
    ImageToTextTask::from_image_bytes(&[b'x'; 160])
}

fn check_error(what: &str, took: Duration, limit: Duration, result: Result<String, ClientError>) {
    let error = result.expect_err(what);
    assert!(
        took <= limit + ALLOWANCE,
        "{what}: took {took:?}, limit {limit:?}: {error}"
    );
    assert!(
        matches!(
            error,
            ClientError::ResponseTooLarge { .. }
                | ClientError::Transport { .. }
                | ClientError::AmbiguousCreate { .. }
                | ClientError::Timeout { .. }
        ),
        "{what}: {error:?}"
    );
    println!("{what}: {took:?}: {error}");
}

fn solved_text(r: Result<Solved, ClientError>) -> Result<String, ClientError> {
    r.map(|s| format!("{s:?}"))
}

/// One test runs everything in turn, so that nothing else in this binary moves the RSS.
#[test]
fn oversized_and_endless_bodies_end_in_typed_errors_with_bounded_memory() {
    let (rss_before, hwm_before) = memory_kb();
    for kind in [Kind::Blocking, Kind::Async] {
        // (a) 1 GiB announced and streamed: the cap stops the read at 2 MiB.
        let server = RawServer::start(4, Duration::from_secs(30), huge_body);
        let front = client(kind, &server.base_url());
        let start = Instant::now();
        let result = front.balance().map(|b| format!("{b:?}"));
        let took = start.elapsed();
        assert!(
            matches!(
                result,
                Err(ClientError::ResponseTooLarge { limit: 2_097_152 })
            ),
            "{kind:?}: {result:?}"
        );
        check_error(
            &format!("{kind:?} balance, 1 GiB"),
            took,
            REQUEST_TIMEOUT,
            result,
        );
        let policy = fast_policy().with_deadline(DEADLINE);
        let start = Instant::now();
        let result = solved_text(front.solve_with(image().into(), &policy));
        check_error(
            &format!("{kind:?} solve, 1 GiB"),
            start.elapsed(),
            DEADLINE,
            result,
        );
        drop(server);

        // (b) headers, then a body that never ends: the request timeout cuts it.
        let server = RawServer::start(4, Duration::from_secs(30), endless_body);
        let front = client(kind, &server.base_url());
        let start = Instant::now();
        let result = front.balance().map(|b| format!("{b:?}"));
        let took = start.elapsed();
        assert!(
            matches!(&result, Err(e) if e.is_timeout()),
            "{kind:?}: {result:?}"
        );
        check_error(
            &format!("{kind:?} balance, endless"),
            took,
            REQUEST_TIMEOUT,
            result,
        );
        let start = Instant::now();
        let result = solved_text(front.solve_with(image().into(), &policy));
        check_error(
            &format!("{kind:?} solve, endless"),
            start.elapsed(),
            DEADLINE,
            result,
        );
        drop(server);

        // (c) createTask answered, then every poll answered with 1 GiB: each poll is cut at the
        // cap and retried on the poll schedule, until the deadline names the task.
        let server = RawServer::start(200, Duration::from_secs(30), |stream, request, stop| {
            if request.starts_with(b"POST /createTask") {
                let body = r#"{"errorId":0,"taskId":7}"#;
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            } else {
                huge_body(stream, request, stop);
            }
        });
        let front = client(kind, &server.base_url());
        let start = Instant::now();
        let result = front.solve_with(image().into(), &policy);
        let took = start.elapsed();
        assert!(
            matches!(&result, Err(ClientError::Timeout { task_id: Some(7), polls, .. }) if *polls >= 2),
            "{kind:?}: {result:?}"
        );
        check_error(
            &format!("{kind:?} solve, 1 GiB polls"),
            took,
            DEADLINE,
            solved_text(result),
        );
        drop(server);
    }
    let (rss_after, hwm_after) = memory_kb();
    println!("rss {rss_before} -> {rss_after} kB, peak {hwm_before} -> {hwm_after} kB");
    assert!(
        rss_after <= rss_before + MEMORY_SLACK_KB,
        "RSS grew from {rss_before} kB to {rss_after} kB"
    );
    assert!(
        hwm_after <= hwm_before.max(rss_before + MEMORY_SLACK_KB),
        "peak RSS reached {hwm_after} kB from {rss_before} kB"
    );
}
