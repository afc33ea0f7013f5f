//! Pingback mode in the core, in virtual time: the callback URL, the checks on each delivery,
//! the wake-up, and the fallback schedule.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Wake, Waker};
use std::time::{Duration, Instant};

use capmonster_proto::client::{ClientBuilder, DeliveryRefused, Run, Shared, Step};
use capmonster_proto::solver::{Policy, Timing};
use capmonster_proto::task::{ImageToTextTask, TaskKind};

const BASE: &str = "https://hooks.example.com/capmonster/cb";
const TOKEN: [u8; 16] = [0xa5; 16];
const PATH: &str = "/capmonster/cb/a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5";
const READY: &[u8] = br#"{"errorId":0,"status":"ready","solution":{"text":"abcd"}}"#;

#[derive(Default)]
struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn shared(pingback: bool) -> Shared {
    let mut builder = ClientBuilder::<()>::new()
        .api_key("0123456789abcdef0123456789abcdef")
        .base_url("http://127.0.0.1:9");
    if pingback {
        builder = builder.pingback(BASE);
    }
    Shared::new(builder.into_config().unwrap(), Instant::now(), 1)
}

fn json(body: &str) -> http::Response<Vec<u8>> {
    http::Response::new(body.as_bytes().to_vec())
}

/// Starts a pingback solve of an image and answers its createTask with task 42. Returns the
/// run, the wake counter and the createTask body.
fn created(shared: &Shared, t0: Instant) -> (Run<'_>, Arc<Count>, String) {
    let task = ImageToTextTask::from_image_bytes(&[0u8; 200]);
    let mut run = shared.solve(task.into(), &Policy::default());
    let count = Arc::new(Count::default());
    run.listen(TOKEN, Waker::from(Arc::clone(&count)));
    let Step::Send { request, .. } = run.poll(t0) else {
        panic!("createTask first");
    };
    let body = String::from_utf8(request.into_body()).unwrap();
    assert_eq!(
        run.answer(t0, Ok(json(r#"{"errorId":0,"taskId":42}"#))),
        Some(42)
    );
    (run, count, body)
}

#[test]
fn create_task_carries_an_unguessable_callback_url() {
    let shared = shared(true);
    let (_run, _, body) = created(&shared, Instant::now());
    let sent: serde_json::Value = serde_json::from_str(&body).unwrap();
    let url = format!("{BASE}/{}", "a5".repeat(16));
    assert_eq!(sent["callbackUrl"], url.as_str());
    // Without a pingback base, `listen` does nothing.
    let plain = self::shared(false);
    let mut run = plain.solve(
        ImageToTextTask::from_image_bytes(&[0u8; 200]).into(),
        &Policy::default(),
    );
    run.listen(TOKEN, Waker::noop().clone());
    let Step::Send { request, .. } = run.poll(Instant::now()) else {
        panic!()
    };
    assert!(
        !String::from_utf8(request.into_body())
            .unwrap()
            .contains("callbackUrl")
    );
    assert_eq!(
        plain.deliver(PATH, READY),
        Err(DeliveryRefused::NotConfigured)
    );
}

#[test]
fn a_delivery_ends_the_solve_without_a_poll_and_wakes_it() {
    let shared = shared(true);
    let t0 = Instant::now();
    let (mut run, count, _) = created(&shared, t0);
    assert_eq!(run.poll(t0).into_same(), Some(t0 + Duration::from_secs(20)));
    shared.deliver(PATH, READY).unwrap();
    assert_eq!(count.0.load(Ordering::SeqCst), 1);
    let at = t0 + Duration::from_millis(1500);
    let Step::Done(Ok(solved)) = run.poll(at) else {
        panic!("the delivery ends the solve");
    };
    assert_eq!(
        (solved.polls, solved.create_attempts, solved.task_id),
        (0, 1, 42)
    );
    assert_eq!(solved.ready.solution.main_value(), Some("abcd"));
    assert_eq!(solved.returned_after, Duration::from_millis(1500));
    // Late: the solve is over.
    assert_eq!(shared.deliver(PATH, READY), Err(DeliveryRefused::Finished));
}

#[test]
fn forged_duplicated_and_malformed_deliveries_are_refused_and_change_nothing() {
    let shared = shared(true);
    let t0 = Instant::now();
    let (mut run, count, _) = created(&shared, t0);
    let other = br#"{"errorId":0,"status":"ready","solution":{"text":"FORGED"},"taskId":43}"#;
    let refusals: [(&str, &[u8], DeliveryRefused); 8] = [
        (
            "/elsewhere/a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5",
            READY,
            DeliveryRefused::NotOurs,
        ),
        (
            "/capmonster/cb/b5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5",
            READY,
            DeliveryRefused::UnknownToken,
        ),
        (
            "/capmonster/cb/A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5",
            READY,
            DeliveryRefused::UnknownToken,
        ),
        ("/capmonster/cb/a5a5", READY, DeliveryRefused::UnknownToken),
        (
            PATH,
            other,
            DeliveryRefused::OtherTask {
                named: 43,
                expected: 42,
            },
        ),
        (
            PATH,
            &[b' '; 3 * 1024 * 1024],
            DeliveryRefused::TooLarge {
                limit: 2 * 1024 * 1024,
            },
        ),
        (
            PATH,
            br#"{"errorId":0,"status":"processing"}"#,
            not_a_result(),
        ),
        (PATH, b"<html>502</html>", not_a_result()),
    ];
    for (path, body, want) in refusals {
        let got = shared.deliver(path, body).unwrap_err();
        assert_eq!(
            std::mem::discriminant(&got),
            std::mem::discriminant(&want),
            "{path}: {got}"
        );
        if !matches!(want, DeliveryRefused::NotAResult { .. }) {
            assert_eq!(got, want);
        }
    }
    assert_eq!(
        count.0.load(Ordering::SeqCst),
        0,
        "no refusal wakes the solve"
    );
    assert!(
        matches!(run.poll(t0), Step::Wait(_)),
        "no refusal ends the solve"
    );
    // The real one, with its query string and as an absolute URL: the first is taken.
    let named = br#"{"errorId":0,"status":"ready","solution":{"text":"abcd"},"taskId":42}"#;
    shared.deliver(&format!("{PATH}?x=1"), named).unwrap();
    let full = format!("https://hooks.example.com{PATH}");
    assert_eq!(
        shared.deliver(&full, READY),
        Err(DeliveryRefused::Duplicate)
    );
    let Step::Done(Ok(solved)) = run.poll(t0) else {
        panic!()
    };
    assert_eq!(solved.ready.solution.main_value(), Some("abcd"));
}

fn not_a_result() -> DeliveryRefused {
    DeliveryRefused::NotAResult {
        reason: String::new(),
    }
}

#[test]
fn a_fatal_error_delivered_ends_the_solve_with_it() {
    let shared = shared(true);
    let t0 = Instant::now();
    let (mut run, _, _) = created(&shared, t0);
    let body = br#"{"errorId":1,"errorCode":"ERROR_CAPTCHA_UNSOLVABLE","errorDescription":"no"}"#;
    shared.deliver(PATH, body).unwrap();
    let Step::Done(Err(error)) = run.poll(t0) else {
        panic!()
    };
    assert!(
        error.to_string().contains("ERROR_CAPTCHA_UNSOLVABLE"),
        "{error}"
    );
}

#[test]
fn a_lost_delivery_is_found_by_the_fallback_polls() {
    let shared = shared(true);
    let t0 = Instant::now();
    let (mut run, _, _) = created(&shared, t0);
    let secs = |s: u64| t0 + Duration::from_secs(s);
    // The image row's deadline is 30 s and its interval 2 s: polls at 20 s and 28 s.
    assert_eq!(run.poll(t0).into_same(), Some(secs(20)));
    let Step::Send { .. } = run.poll(secs(20)) else {
        panic!("fallback poll at 20 s")
    };
    let _ = run.answer(secs(20), Ok(json(r#"{"errorId":0,"status":"processing"}"#)));
    assert_eq!(run.poll(secs(20)).into_same(), Some(secs(28)));
    let Step::Send { .. } = run.poll(secs(28)) else {
        panic!("last poll before the deadline")
    };
    let _ = run.answer(secs(28), Ok(json(std::str::from_utf8(READY).unwrap())));
    let Step::Done(Ok(solved)) = run.poll(secs(28)) else {
        panic!()
    };
    assert_eq!(solved.polls, 2);
    assert_eq!(shared.deliver(PATH, READY), Err(DeliveryRefused::Finished));
}

#[test]
fn a_short_deadline_pulls_the_fallback_poll_in() {
    let shared = shared(true);
    let t0 = Instant::now();
    let task = ImageToTextTask::from_image_bytes(&[0u8; 200]);
    let ms = Duration::from_millis;
    let row = Timing::new(ms(50), ms(100), ms(3000));
    let policy = Policy::new()
        .with_min_interval(ms(100))
        .with_timing(TaskKind::ImageToText, row);
    let mut run = shared.solve(task.into(), &policy);
    run.listen(TOKEN, Waker::noop().clone());
    let Step::Send { .. } = run.poll(t0) else {
        panic!()
    };
    let _ = run.answer(t0, Ok(json(r#"{"errorId":0,"taskId":7}"#)));
    assert_eq!(run.poll(t0).into_same(), Some(t0 + ms(2900)));
}

#[test]
fn a_dropped_solve_closes_its_callback_url() {
    let shared = shared(true);
    let (run, _, _) = created(&shared, Instant::now());
    drop(run);
    assert_eq!(shared.deliver(PATH, READY), Err(DeliveryRefused::Finished));
}

#[test]
fn pingback_bases_are_checked() {
    for bad in [
        "ftp://h/cb",
        "https://h/cb?x=1",
        "https://h/cb#f",
        "https://u@h/cb",
        "https://h/c b",
        "/cb",
    ] {
        let config = ClientBuilder::<()>::new()
            .api_key("0123456789abcdef")
            .pingback(bad)
            .into_config();
        assert!(config.is_err(), "{bad}");
    }
    let url_form = ClientBuilder::<()>::new()
        .api_key("0123456789abcdef")
        .service(capmonster_proto::Service::two_captcha_url_form())
        .pingback(BASE)
        .into_config();
    assert!(url_form.is_err());
}

/// `Step` has no `PartialEq` (it holds requests); compare the waits through this.
trait SameStep {
    fn into_same(self) -> Option<Instant>;
}

impl SameStep for Step {
    fn into_same(self) -> Option<Instant> {
        match self {
            Step::Wait(at) => Some(at),
            _ => None,
        }
    }
}

#[test]
fn an_early_delivery_naming_another_task_is_dropped_and_the_real_one_still_taken() {
    let shared = shared(true);
    let t0 = Instant::now();
    let task = ImageToTextTask::from_image_bytes(&[0u8; 200]);
    let mut run = shared.solve(task.into(), &Policy::default());
    run.listen(TOKEN, Waker::noop().clone());
    let Step::Send { .. } = run.poll(t0) else {
        panic!("createTask first");
    };
    // Before createTask's answer the task id is unknown: a body naming a task is kept...
    let other = br#"{"errorId":0,"status":"ready","solution":{"text":"FORGED"},"taskId":43}"#;
    shared.deliver(PATH, other).unwrap();
    let _ = run.answer(t0, Ok(json(r#"{"errorId":0,"taskId":42}"#)));
    // ... and dropped once the id is known: the solve goes on waiting.
    assert!(matches!(run.poll(t0), Step::Wait(_)));
    shared.deliver(PATH, READY).unwrap();
    let Step::Done(Ok(solved)) = run.poll(t0) else {
        panic!("the real delivery ends the solve");
    };
    assert_eq!(solved.ready.solution.main_value(), Some("abcd"));
}

#[test]
fn a_refused_delivery_never_quotes_the_key() {
    let shared = shared(true);
    let t0 = Instant::now();
    let (_run, _count, _) = created(&shared, t0);
    // A body that cannot be read, echoing the key: the reason may quote the body, never the key.
    let body = b"<html>bad gateway for 0123456789abcdef0123456789abcdef</html>";
    let Err(DeliveryRefused::NotAResult { reason }) = shared.deliver(PATH, body) else {
        panic!("a body that is no result is refused");
    };
    assert!(
        !reason.contains("0123456789abcdef0123456789abcdef"),
        "{reason}"
    );
    assert!(!reason.is_empty());
}
