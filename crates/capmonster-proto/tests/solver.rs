//! The solver on a virtual clock: one scripted service per test, no sleeping.

mod common;

use std::time::{Duration, Instant};

use capmonster_proto::report::{
    PlannedReport, ReportLedger, ReportMethodKind, ReportVerdict, plan_report,
};
use capmonster_proto::solver::{
    AdaptiveTiming, AmbiguousCause, Jitter, Phase, Policy, RetryPolicy, SolveError, Solved, Solver,
    Timing, TimingTable, TransportFailure,
};
use capmonster_proto::{
    BuildError, ClientKey, CreateTask, Dialect, Endpoint, ErrorClass, ErrorCode, Service,
    solution::Solution,
    task::{ImageToTextTask, RawTask, RecaptchaV2Task, Task, TaskKind, TurnstileTask},
};
use common::*;

const URL: &str = "https://example.com/login";
const SITE_KEY: &str = "6Lcg7CMUAAAAANphynKgn9YAgA4tQ2KI_iqRyTwd";

fn key() -> ClientKey {
    ClientKey::new("0123456789abcdef0123456789abcdef").unwrap()
}

fn image() -> CreateTask {
    CreateTask::new(ImageToTextTask::from_image_bytes(&[7u8; 300]))
}

fn recaptcha() -> CreateTask {
    CreateTask::new(RecaptchaV2Task::new(URL, SITE_KEY))
}

fn solver(task: CreateTask) -> Solver {
    Solver::new(task, &key(), &Service::default(), &Policy::default()).with_jitter_seed(42)
}

/// Answers createTask with task 7 after `latency`, and the n-th poll with `polls(n)`.
fn service(
    latency: Duration,
    mut polls: impl FnMut(usize) -> Reply,
) -> impl FnMut(Phase, usize) -> (Duration, Reply) {
    move |phase, n| match phase {
        Phase::Create => (latency, created(7)),
        _ => (latency, polls(n)),
    }
}

const TEXT: &str = r#"{"text":"answer"}"#;
const TOKEN: &str = r#"{"gRecaptchaResponse":"03AGdBq25SxXT-pmSeBXjzScW"}"#;

// ---------------------------------------------------------------------------------------------
// Happy paths, one per task family.

#[test]
fn image_to_text_is_solved_at_the_first_poll() {
    let t0 = Instant::now();
    let run = drive(solver(image()), t0, service(ms(50), |_| ready(TEXT)));
    let creates = run.creates();
    assert_eq!(creates.len(), 1);
    assert_eq!(creates[0].path, "/createTask");
    assert_eq!(creates[0].at, t0);
    assert_eq!(creates[0].body["task"]["type"], "ImageToTextTask");
    let polls = run.polls();
    assert_eq!(polls.len(), 1);
    assert_eq!(polls[0].path, "/getTaskResult");
    assert_eq!(polls[0].body["taskId"], 7);
    // The first poll comes the image row's first delay (1 s) after the createTask answer.
    assert_eq!(polls[0].at, t0 + ms(50) + secs(1));
    let done_at = run.done_at;
    let s = run.solved();
    assert_eq!(s.task_id, 7);
    assert_eq!(s.kind, TaskKind::ImageToText);
    assert_eq!(s.requests(), 2);
    assert_eq!(
        s.ready.solution,
        Solution::parse(TaskKind::ImageToText, TEXT)
    );
    assert_eq!(s.ready.solution.main_value(), Some("answer"));
    assert_eq!(s.cost, Some(0.0003));
    assert_eq!(s.ready_after, secs(1));
    assert_eq!(s.not_ready_after, None);
    assert_eq!(s.returned_after, secs(1) + ms(50));
    assert_eq!(s.completed_at, done_at);
    assert_eq!(done_at, t0 + ms(1100));
    assert_eq!(
        planned_report(&s).map(|p| p.rule.sends),
        Some(ReportMethodKind::IncorrectImage)
    );
    let request = planned_report(&s)
        .unwrap()
        .request
        .build(&Service::default(), &key())
        .unwrap();
    assert_eq!(request.uri().path(), "/reportIncorrectImageCaptcha");
}

#[test]
fn recaptcha_v2_is_polled_every_three_seconds_until_ready() {
    let t0 = Instant::now();
    let run = drive(
        solver(recaptcha()),
        t0,
        service(ms(100), |n| if n < 3 { processing() } else { ready(TOKEN) }),
    );
    let at: Vec<Duration> = run.polls().iter().map(|p| p.at - t0).collect();
    // Created at 0.1 s; first poll 1 s later; then 3 s after each answer (which takes 0.1 s).
    assert_eq!(at, vec![ms(1100), ms(4200), ms(7300), ms(10400)]);
    let s = run.solved();
    assert_eq!(s.polls, 4);
    assert_eq!(s.requests(), 5);
    assert_eq!(s.ready_after, ms(10300));
    assert_eq!(s.not_ready_after, Some(ms(7200)));
    assert_eq!(s.solve_time_estimate(), ms(8750));
    assert_eq!(
        s.ready.solution.main_value(),
        Some("03AGdBq25SxXT-pmSeBXjzScW")
    );
    match planned_report(&s) {
        Some(p) if p.rule.sends == ReportMethodKind::IncorrectToken => {
            assert_eq!(p.request.task_id(), 7)
        }
        other => panic!("a token report, not {other:?}"),
    }
}

#[test]
fn turnstile_first_poll_is_at_two_and_a_half_seconds() {
    let t0 = Instant::now();
    let task = CreateTask::new(TurnstileTask::new(URL, "0x4AAAAAAABUYP0XeMJF0xoy"));
    let run = drive(
        solver(task),
        t0,
        service(Duration::ZERO, |n| {
            if n == 0 {
                processing()
            } else {
                ready(r#"{"token":"0.Ov1 turnstile"}"#)
            }
        }),
    );
    let at: Vec<Duration> = run.polls().iter().map(|p| p.at - t0).collect();
    assert_eq!(at, vec![ms(2500), ms(4500)]);
    let s = run.solved();
    assert_eq!(s.kind, TaskKind::Turnstile);
    assert_eq!(s.ready.solution.main_value(), Some("0.Ov1 turnstile"));
    assert_eq!(
        planned_report(&s).map(|p| p.rule.sends),
        Some(ReportMethodKind::IncorrectToken)
    );
}

/// The report CapMonster's rules plan for a solved task (`None` when they refuse it): the
/// method follows the task's family.
fn planned_report(s: &Solved) -> Option<PlannedReport> {
    let mut ledger = ReportLedger::new();
    let (kind, id, at) = (s.kind, s.task_id, Duration::ZERO);
    plan_report(
        Dialect::CapMonster,
        ReportVerdict::Incorrect,
        kind,
        id,
        at,
        at,
        &mut ledger,
    )
    .ok()
}

fn raw(value: serde_json::Value) -> CreateTask {
    let serde_json::Value::Object(map) = value else {
        unreachable!()
    };
    CreateTask::new(Task::Raw(RawTask::new(map).unwrap()))
}

#[test]
fn a_raw_task_of_unknown_type_keeps_its_raw_solution() {
    let t0 = Instant::now();
    let task = raw(serde_json::json!({"type": "BrandNewTask", "websiteURL": URL}));
    let run = drive(
        solver(task),
        t0,
        service(ms(10), |_| ready(r#"{"answer":[1,2,3]}"#)),
    );
    assert_eq!(run.creates()[0].body["task"]["type"], "BrandNewTask");
    // Unknown kinds use the "Other" row: first poll after 1 s.
    assert_eq!(run.polls()[0].at, t0 + ms(1010));
    let s = run.solved();
    assert_eq!(s.kind, TaskKind::Other);
    assert_eq!(s.ready.solution, Solution::Raw);
    assert_eq!(s.ready.raw_json(), r#"{"answer":[1,2,3]}"#);
    // Whether it is an image or a token task is unknown, so no report is offered.
    assert_eq!(planned_report(&s), None);
}

#[test]
fn a_raw_task_with_a_known_type_gets_that_kinds_timing() {
    let t0 = Instant::now();
    let task = raw(serde_json::json!({
        "type": "GeeTestTask", "websiteURL": URL, "gt": "81388ea1fc187e0c335c0a8907ff2625"
    }));
    let v3 = r#"{"challenge":"c","validate":"v","seccode":"v|jordan"}"#;
    let run = drive(
        solver(task),
        t0,
        service(Duration::ZERO, move |_| ready(v3)),
    );
    // The GeeTest row waits 5 s (half its documented 10 s minimum) before the first poll.
    assert_eq!(run.polls()[0].at, t0 + secs(5));
    assert_eq!(run.solved().kind, TaskKind::GeeTest);
}

// ---------------------------------------------------------------------------------------------
// Not ready, and the error classes.

#[test]
fn not_ready_many_times_in_both_spellings() {
    let t0 = Instant::now();
    let n = 12;
    let run = drive(
        solver(recaptcha()),
        t0,
        service(ms(20), move |i| match i {
            i if i == n => ready(TOKEN),
            i if i % 2 == 0 => processing(),
            _ => not_ready_code(),
        }),
    );
    let polls = run.polls();
    assert_eq!(polls.len(), n + 1);
    for pair in polls.windows(2) {
        assert_eq!(pair[1].at - pair[0].at, secs(3) + ms(20));
    }
    assert_eq!(run.solved().polls as usize, n + 1);
}

#[test]
fn each_error_class_at_poll_time() {
    // (code, class, does the solve go on?)
    let cases = [
        ("CAPTCHA_NOT_READY", ErrorClass::NotReady, true),
        ("ERROR_SERVICE_OVERLOAD", ErrorClass::RetryCall, true),
        ("ERROR_NO_SLOT_AVAILABLE", ErrorClass::RetryCall, true),
        ("ERROR_CAPTCHA_UNSOLVABLE", ErrorClass::RetryTask, false),
        ("ERROR_NO_SUCH_CAPCHA_ID", ErrorClass::FatalTask, false),
        ("ERROR_SOMETHING_NEW", ErrorClass::FatalTask, false),
        ("ERROR_KEY_DOES_NOT_EXIST", ErrorClass::FatalConfig, false),
        ("ERROR_IP_BANNED", ErrorClass::FatalConfig, false),
    ];
    for (code, class, goes_on) in cases {
        assert_eq!(ErrorCode::parse(code).class(), class, "{code}");
        let t0 = Instant::now();
        let run = drive(
            solver(recaptcha()),
            t0,
            service(ms(5), move |n| {
                if n == 0 {
                    api_error(200, code)
                } else {
                    ready(TOKEN)
                }
            }),
        );
        if goes_on {
            assert_eq!(run.polls().len(), 2, "{code}");
            assert_eq!(run.solved().task_id, 7, "{code}");
        } else {
            assert_eq!(run.polls().len(), 1, "{code}: stops at once");
            let e = run.error();
            assert_eq!(e.task_id(), Some(7), "{code}");
            assert_eq!(e.api().unwrap().code.as_str(), code);
            assert!(
                matches!(
                    e,
                    SolveError::Api {
                        phase: Phase::Poll,
                        ..
                    }
                ),
                "{code}"
            );
            assert_eq!(e.is_retryable(), class == ErrorClass::RetryTask, "{code}");
            let text = e.to_string();
            assert!(text.starts_with("task 7 failed: "), "{text}");
            assert!(text.contains(code), "{text}");
            if class == ErrorClass::RetryTask {
                assert!(text.contains("not created automatically"), "{text}");
            }
        }
    }
}

#[test]
fn fatal_config_at_create_is_not_retried() {
    let t0 = Instant::now();
    let run = drive(solver(image()), t0, |_, _| {
        (ms(30), api_error(200, "ERROR_ZERO_BALANCE"))
    });
    assert_eq!(run.sent.len(), 1);
    let e = run.error();
    assert!(matches!(
        e,
        SolveError::Api {
            phase: Phase::Create,
            task_id: None,
            create_attempts: 1,
            ..
        }
    ));
    assert!(!e.is_retryable());
    assert_eq!(e.task_id(), None);
    let text = e.to_string();
    assert!(text.starts_with("createTask failed, no task was created: ERROR_ZERO_BALANCE"));
    assert!(text.contains("top up"), "{text}");
    // A fatal code is not retried even under 503.
    let run = drive(solver(image()), t0, |_, _| {
        (ms(30), api_error(503, "ERROR_KEY_DOES_NOT_EXIST"))
    });
    assert_eq!(run.sent.len(), 1);
}

#[test]
fn a_task_that_fails_validation_is_never_sent() {
    let t0 = Instant::now();
    let task = CreateTask::new(RecaptchaV2Task::new("ftp://example.com", SITE_KEY));
    let run = drive(solver(task), t0, |_, _| unreachable!("nothing is sent"));
    assert!(run.sent.is_empty());
    let e = run.error();
    assert!(matches!(e, SolveError::Build(_)), "{e:?}");
    assert!(
        e.to_string().starts_with("the task was not sent: invalid "),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// createTask retries.

/// Answers createTask with `first` `times` times, then creates task 7; polls are ready at once.
fn flaky_create(first: Reply, times: usize) -> impl FnMut(Phase, usize) -> (Duration, Reply) {
    move |phase, n| match phase {
        Phase::Create if n < times => (ms(40), first.clone()),
        Phase::Create => (ms(40), created(7)),
        _ => (ms(40), ready(TEXT)),
    }
}

fn assert_backoff(run: &Run) {
    let creates = run.creates();
    for (i, pair) in creates.windows(2).enumerate() {
        // After attempt i+1 (answered 40 ms after sending): half to all of 2 s * 2^i.
        let nominal = secs(2) * 2u32.pow(i as u32);
        let gap = pair[1].at - pair[0].at - ms(40);
        assert!(
            gap >= nominal / 2 && gap <= nominal,
            "retry {i}: {gap:?} for {nominal:?}"
        );
    }
}

#[test]
fn each_certain_refusal_is_retried_then_succeeds() {
    let cases = [
        ("no slot", api_error(200, "ERROR_NO_SLOT_AVAILABLE")),
        ("too many, 200", api_error(200, "ERROR_TOO_MUCH_REQUESTS")),
        ("429 with a body", api_error(429, "ERROR_TOO_MUCH_REQUESTS")),
        (
            "429 with an unknown code",
            api_error(429, "ERROR_SLOW_DOWN"),
        ),
        ("429 without a body", empty(429)),
        ("429 with HTML", html(429)),
        (
            "503 with an error body",
            api_error(503, "ERROR_MAINTENANCE"),
        ),
        ("connect failed", fail(TransportFailure::ConnectFailed)),
    ];
    for (name, reply) in cases {
        let t0 = Instant::now();
        let run = drive(solver(image()), t0, flaky_create(reply, 3));
        assert_eq!(run.creates().len(), 4, "{name}");
        assert_backoff(&run);
        let s = run.solved();
        assert_eq!(
            (s.create_attempts, s.polls, s.requests()),
            (4, 1, 5),
            "{name}"
        );
    }
}

#[test]
fn each_certain_refusal_is_given_up_after_the_last_attempt() {
    let cases = [
        ("no slot", api_error(200, "ERROR_NO_SLOT_AVAILABLE")),
        ("429 with a body", api_error(429, "ERROR_TOO_MUCH_REQUESTS")),
        ("429 without a body", empty(429)),
        (
            "503 with an error body",
            api_error(503, "ERROR_MAINTENANCE"),
        ),
        ("connect failed", fail(TransportFailure::ConnectFailed)),
    ];
    for (name, reply) in cases {
        let t0 = Instant::now();
        let run = drive(solver(image()), t0, flaky_create(reply, usize::MAX));
        assert_eq!(run.creates().len(), 4, "{name}");
        assert!(run.polls().is_empty());
        assert_backoff(&run);
        let e = run.error();
        assert!(e.is_retryable(), "{name}: {e}");
        assert_eq!(e.task_id(), None);
        match &e {
            SolveError::Api {
                create_attempts, ..
            } => {
                assert_eq!(*create_attempts, 4, "{name}");
                assert!(
                    e.to_string()
                        .starts_with("createTask failed after 4 attempts")
                );
            }
            SolveError::Transport {
                create_attempts,
                failure,
                ..
            } => {
                assert_eq!(
                    (*create_attempts, *failure),
                    (4, TransportFailure::ConnectFailed)
                );
                assert!(e.to_string().contains("nothing was created"), "{e}");
            }
            SolveError::Unparseable { error, .. } => assert_eq!(error.status, 429, "{name}"),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn retries_honour_the_policy_and_retry_after() {
    let t0 = Instant::now();
    let policy = Policy::default().with_create_retry(RetryPolicy::new(2));
    let s = Solver::new(image(), &key(), &Service::default(), &policy);
    let run = drive(
        s,
        t0,
        flaky_create(api_error(200, "ERROR_NO_SLOT_AVAILABLE"), 9),
    );
    assert_eq!(run.creates().len(), 2);

    let slow_down = Reply::Http(
        429,
        vec![("retry-after", "7".into())],
        br#"{"errorId":1,"errorCode":"ERROR_TOO_MUCH_REQUESTS"}"#.to_vec(),
    );
    let run = drive(solver(image()), t0, flaky_create(slow_down, 1));
    let creates = run.creates();
    assert_eq!(creates[1].at - creates[0].at, ms(40) + secs(7));
}

#[test]
fn backoff_jitter_follows_the_seed() {
    let t0 = Instant::now();
    let gaps = |seed| {
        let s = Solver::new(image(), &key(), &Service::default(), &Policy::default())
            .with_jitter_seed(seed);
        let run = drive(
            s,
            t0,
            flaky_create(api_error(200, "ERROR_NO_SLOT_AVAILABLE"), 3),
        );
        run.creates()
            .windows(2)
            .map(|p| p[1].at - p[0].at)
            .collect::<Vec<_>>()
    };
    assert_eq!(gaps(1), gaps(1));
    assert_ne!(gaps(1), gaps(2));
    // The first gap is the answer's 40 ms plus the jittered 1-2 s the seed picks.
    let mut rng = Jitter::new(1);
    let first = capmonster_proto::solver::backoff_delay(1, secs(2), secs(20), rng.next_u64());
    assert_eq!(gaps(1)[0], ms(40) + first);
}

// ---------------------------------------------------------------------------------------------
// A createTask whose fate is unknown is never resent.

#[test]
fn an_ambiguous_create_stops_the_solve() {
    let cases = [
        ("timed out after sending", fail(TransportFailure::TimedOut)),
        ("reset", fail(TransportFailure::ConnectionReset)),
        ("502 HTML", html(502)),
        ("500 empty", empty(500)),
        ("503 empty", empty(503)),
        ("200 HTML", html(200)),
        ("200 empty", empty(200)),
        ("200 JSON without a task id", json(200, r#"{"errorId":0}"#)),
    ];
    for (name, reply) in cases {
        let t0 = Instant::now();
        let run = drive(solver(recaptcha()), t0, flaky_create(reply, usize::MAX));
        assert_eq!(run.sent.len(), 1, "{name}: sent once, never again");
        assert_eq!(run.done_at, t0 + ms(40), "{name}: stops at once");
        let e = run.error();
        assert!(!e.is_retryable(), "{name}");
        let SolveError::AmbiguousCreate { cause, elapsed } = &e else {
            panic!("{name}: {e:?}");
        };
        assert_eq!(*elapsed, ms(40));
        match cause {
            AmbiguousCause::Transport(f) => assert!(!f.certainly_not_sent()),
            AmbiguousCause::Response(u) => assert!(u.status == 200 || u.status >= 500),
            other => panic!("{other:?}"),
        }
        let text = e.to_string();
        assert!(text.contains("may exist and may be charged"), "{text}");
        assert!(text.contains("not resent"), "{text}");
    }
}

#[test]
fn a_4xx_page_at_create_means_nothing_was_created() {
    let t0 = Instant::now();
    let run = drive(solver(image()), t0, flaky_create(html(404), usize::MAX));
    assert_eq!(run.sent.len(), 1);
    let e = run.error();
    assert!(
        matches!(&e, SolveError::Unparseable { phase: Phase::Create, error } if error.status == 404)
    );
    assert!(!e.is_retryable());
}

// ---------------------------------------------------------------------------------------------
// Polls that get no usable answer are retried on the schedule.

#[test]
fn poll_failures_are_retried_on_the_schedule() {
    let faults = [
        html(500),
        empty(503),
        html(502),
        json(200, "upstream error"),
        fail(TransportFailure::ConnectionReset),
        fail(TransportFailure::TimedOut),
        fail(TransportFailure::ConnectFailed),
    ];
    let n = faults.len();
    let t0 = Instant::now();
    let run = drive(
        solver(recaptcha()),
        t0,
        service(ms(10), move |i| {
            faults.get(i).cloned().unwrap_or_else(|| ready(TOKEN))
        }),
    );
    let polls = run.polls();
    assert_eq!(polls.len(), n + 1);
    for pair in polls.windows(2) {
        assert_eq!(pair[1].at - pair[0].at, secs(3) + ms(10));
    }
    let s = run.solved();
    assert_eq!(s.polls as usize, n + 1, "failed polls count toward the cap");
}

#[test]
fn too_many_requests_slows_polling_to_at_least_two_seconds() {
    // The official image row polls every 200 ms, allowed here by lowering the floor.
    let policy = Policy::default()
        .with_table(TimingTable::official())
        .with_min_interval(ms(200));
    let t0 = Instant::now();
    let s = Solver::new(image(), &key(), &Service::default(), &policy);
    let run = drive(
        s,
        t0,
        service(Duration::ZERO, |n| match n {
            0 | 1 => processing(),
            2 => api_error(200, "ERROR_TOO_MUCH_REQUESTS"),
            3 | 4 => processing(),
            _ => ready(TEXT),
        }),
    );
    let at: Vec<Duration> = run.polls().iter().map(|p| p.at - t0).collect();
    assert_eq!(
        at,
        vec![ms(350), ms(550), ms(750), ms(2750), ms(4750), ms(6750)]
    );

    // HTTP 429 without a code slows polling too; with the 2 s floor it goes half as long again.
    let run = drive(
        solver(image()),
        t0,
        service(Duration::ZERO, |n| match n {
            0 => empty(429),
            1 => processing(),
            _ => ready(TEXT),
        }),
    );
    let at: Vec<Duration> = run.polls().iter().map(|p| p.at - t0).collect();
    assert_eq!(at, vec![secs(1), secs(4), secs(7)]);
}

#[test]
fn http_429_slows_polling_even_when_the_body_says_not_ready() {
    // Found by the property test: 429 with CAPTCHA_NOT_READY parses as "processing".
    let policy = Policy::default()
        .with_table(TimingTable::official())
        .with_min_interval(ms(100));
    let t0 = Instant::now();
    let s = Solver::new(
        CreateTask::new(TurnstileTask::new(URL, "0x4AAAAAAABUYP0XeMJF0xoy")),
        &key(),
        &Service::default(),
        &policy,
    );
    let run = drive(
        s,
        t0,
        service(Duration::ZERO, |n| match n {
            0 => api_error(429, "CAPTCHA_NOT_READY"),
            _ => ready(r#"{"token":"t"}"#),
        }),
    );
    let at: Vec<Duration> = run.polls().iter().map(|p| p.at - t0).collect();
    // The official Turnstile row polls every second; after the 429, every 2 s.
    assert_eq!(at, vec![secs(1), secs(3)]);
}

// ---------------------------------------------------------------------------------------------
// nocache.

#[test]
fn nocache_delays_the_first_poll_either_way() {
    let t0 = Instant::now();
    let first_poll = |task: CreateTask, key: &ClientKey| {
        let s = Solver::new(task, key, &Service::default(), &Policy::default());
        assert!(s.nocache());
        let run = drive(s, t0, service(Duration::ZERO, |_| ready(TOKEN)));
        run.polls()[0].at - t0
    };
    let property = CreateTask::new(RecaptchaV2Task::new(URL, SITE_KEY).with_nocache(true));
    assert_eq!(first_poll(property, &key()), secs(10));
    assert_eq!(first_poll(recaptcha(), &key().with_nocache(true)), secs(10));
    let parsed = ClientKey::parse_with_suffixes("0123456789abcdef__nocache").unwrap();
    assert_eq!(first_poll(recaptcha(), &parsed), secs(10));
    // Without it: 1 s. For an image task nocache changes nothing.
    let run = drive(
        solver(recaptcha()),
        t0,
        service(Duration::ZERO, |_| ready(TOKEN)),
    );
    assert_eq!(run.polls()[0].at - t0, secs(1));
    assert_eq!(first_poll(image(), &key().with_nocache(true)), secs(1));
}

// ---------------------------------------------------------------------------------------------
// The deadline, the poll cap, and the time left on requests.

#[test]
fn the_deadline_ends_a_solve_that_is_never_ready() {
    let t0 = Instant::now();
    let run = drive(solver(recaptcha()), t0, service(ms(100), |_| processing()));
    assert_eq!(run.deadline, t0 + secs(180));
    assert!(run.done_at <= run.deadline);
    assert!(run.waits.iter().all(|w| *w < run.deadline));
    let polls = run.polls().len() as u32;
    // Created at 0.1 s, polls at 1.1 s and every 3.1 s: the last at 177.8 s.
    assert_eq!(polls, 58);
    let last = run.polls().last().unwrap().at;
    assert_eq!(last, t0 + ms(177_800));
    // No further poll fits, so the solve ends when the last answer comes in.
    assert_eq!(run.done_at, last + ms(100));
    let e = run.error();
    assert_eq!(
        e,
        SolveError::Timeout {
            task_id: Some(7),
            polls,
            elapsed: ms(177_900),
            last_cause: None,
        }
    );
    assert!(e.is_retryable());
    let text = e.to_string();
    assert!(
        text.starts_with("task 7 was not ready by the deadline"),
        "{text}"
    );
    assert!(text.contains("wait 7"), "{text}");
}

#[test]
fn every_request_carries_the_time_left_and_is_cut_at_the_deadline() {
    let t0 = Instant::now();
    let s = solver(recaptcha()).with_deadline(secs(20));
    // The third poll hangs: the front end cuts it when the time left runs out.
    let run = drive(s, t0, |phase, n| match (phase, n) {
        (Phase::Create, _) => (ms(500), created(7)),
        (_, 2) => (secs(3600), processing()),
        _ => (ms(500), processing()),
    });
    let lefts: Vec<Duration> = run.sent.iter().map(|s| s.time_left).collect();
    // Sent at 0, 1.5, 5.0 and 8.5 s.
    assert_eq!(lefts, vec![secs(20), ms(18_500), secs(15), ms(11_500)]);
    assert_eq!(run.done_at, t0 + secs(20));
    assert_eq!(
        run.error(),
        SolveError::Timeout {
            task_id: Some(7),
            polls: 3,
            elapsed: secs(20),
            last_cause: Some("no answer came in time".into()),
        }
    );

    // A createTask cut at the deadline is ambiguous: the task may exist.
    let s = solver(recaptcha()).with_deadline(secs(5));
    let run = drive(s, t0, |_, _| (secs(60), created(7)));
    assert_eq!(run.done_at, t0 + secs(5));
    assert!(matches!(
        run.error(),
        SolveError::AmbiguousCreate {
            cause: AmbiguousCause::Transport(TransportFailure::TimedOut),
            ..
        }
    ));
}

#[test]
fn a_late_ready_answer_is_still_returned() {
    // A front end that does not cut requests: the answer comes 10 s after the deadline.
    let t0 = Instant::now();
    let s = solver(recaptcha()).with_deadline(secs(5));
    let run = drive_with(s, t0, false, |phase, _| match phase {
        Phase::Create => (Duration::ZERO, created(7)),
        _ => (secs(14), ready(TOKEN)),
    });
    assert_eq!(run.done_at, t0 + secs(15));
    assert_eq!(run.solved().task_id, 7);
}

#[test]
fn the_poll_cap_is_120() {
    let t0 = Instant::now();
    let policy = Policy::default()
        .with_min_interval(ms(100))
        .with_timing(
            TaskKind::RecaptchaV2,
            Timing::new(ms(100), ms(100), secs(3600)),
        )
        .with_max_polls(500);
    assert_eq!(policy.max_polls, 120);
    let s = Solver::new(recaptcha(), &key(), &Service::default(), &policy);
    let run = drive(s, t0, service(ms(1), |_| processing()));
    assert_eq!(run.polls().len(), 120);
    let e = run.error();
    assert_eq!(
        e,
        SolveError::PollLimit {
            task_id: 7,
            polls: 120
        }
    );
    assert!(!e.is_retryable());
    assert!(e.to_string().contains("task 7 was polled 120 times"), "{e}");

    // A lower cap, and polls made before a resume, count.
    let s = Solver::resume(
        9,
        TaskKind::RecaptchaV2,
        &key(),
        &Service::default(),
        &policy.clone().with_max_polls(10),
    )
    .with_prior_polls(4);
    let run = drive(s, t0, service(ms(1), |_| processing()));
    assert_eq!(run.polls().len(), 6);
    assert_eq!(
        run.error(),
        SolveError::PollLimit {
            task_id: 9,
            polls: 10
        }
    );
    // A resumed task whose polls are all spent is not polled again.
    let s = Solver::resume(
        9,
        TaskKind::RecaptchaV2,
        &key(),
        &Service::default(),
        &policy,
    )
    .with_prior_polls(120);
    let run = drive(s, t0, |_, _| unreachable!("nothing is sent"));
    assert_eq!(
        run.error(),
        SolveError::PollLimit {
            task_id: 9,
            polls: 120
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Resume, inputs, and repeated polls.

#[test]
fn resume_polls_an_existing_task_at_once() {
    let t0 = Instant::now();
    let s = Solver::resume(
        4242,
        TaskKind::RecaptchaV2,
        &key(),
        &Service::default(),
        &Policy::default(),
    );
    assert_eq!(s.task_id(), Some(4242));
    let run = drive(
        s,
        t0,
        service(ms(10), |n| if n == 0 { processing() } else { ready(TOKEN) }),
    );
    assert!(run.creates().is_empty());
    let polls = run.polls();
    assert_eq!(polls[0].at, t0);
    assert_eq!(polls[0].body["taskId"], 4242);
    assert_eq!(polls[1].at, t0 + ms(3010));
    let s = run.solved();
    assert_eq!((s.task_id, s.create_attempts, s.polls), (4242, 0, 2));
    assert_eq!(s.ready_after, ms(3010));
}

#[test]
fn a_solver_takes_a_typed_task_a_task_or_a_create_task() {
    let t0 = Instant::now();
    let typed = Solver::new(
        RecaptchaV2Task::new(URL, SITE_KEY),
        &key(),
        &Service::default(),
        &Policy::default(),
    );
    let task = Solver::new(
        Task::from(RecaptchaV2Task::new(URL, SITE_KEY)),
        &key(),
        &Service::default(),
        &Policy::default(),
    );
    let create = Solver::new(
        recaptcha().with_soft_id(55),
        &key(),
        &Service::default(),
        &Policy::default(),
    );
    for (s, soft_id) in [(typed, None), (task, None), (create, Some(55))] {
        assert_eq!(s.kind(), TaskKind::RecaptchaV2);
        let run = drive(s, t0, service(Duration::ZERO, |_| ready(TOKEN)));
        let body = &run.creates()[0].body;
        assert_eq!(body["task"]["websiteKey"], SITE_KEY);
        assert_eq!(body["softId"].as_u64(), soft_id);
        assert_eq!(run.solved().task_id, 7);
    }
}

#[test]
fn done_is_repeated_and_stray_input_is_ignored() {
    let t0 = Instant::now();
    let mut s = solver(image());
    let capmonster_proto::solver::Action::Send(out) = s.poll(t0) else {
        panic!("createTask first")
    };
    assert_eq!(out.phase, Phase::Create);
    let shown = format!("{out:?}");
    // The body (which holds the key) is not shown, as text or as bytes.
    assert!(!shown.contains("0123456789abcdef"), "{shown}");
    assert!(!shown.contains("123, 34"), "{shown}");
    assert!(shown.contains("body_len"), "{shown}");
    assert!(shown.contains("/createTask"), "{shown}");
    let response = http::Response::builder()
        .status(200)
        .body(&br#"{"errorId":1,"errorCode":"ERROR_ZERO_BALANCE"}"#[..])
        .unwrap();
    s.handle_response(t0, response);
    let first = s.poll(t0);
    s.handle_response(t0, TransportFailure::TimedOut);
    let again = s.poll(t0 + secs(1));
    match (first, again) {
        (
            capmonster_proto::solver::Action::Done(Err(a)),
            capmonster_proto::solver::Action::Done(Err(b)),
        ) => {
            assert_eq!(a, b)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn polling_before_the_answer_waits_for_the_deadline_then_times_out() {
    let t0 = Instant::now();
    let mut s = solver(image());
    assert!(matches!(
        s.poll(t0),
        capmonster_proto::solver::Action::Send(_)
    ));
    let deadline = t0 + secs(30);
    assert!(
        matches!(s.poll(t0 + secs(1)), capmonster_proto::solver::Action::Wait(d) if d == deadline)
    );
    assert!(matches!(
        s.poll(deadline),
        capmonster_proto::solver::Action::Done(Err(SolveError::AmbiguousCreate { .. }))
    ));
}

#[test]
fn absurd_settings_do_not_panic() {
    let t0 = Instant::now();
    let row = Timing::new(Duration::MAX, Duration::MAX, Duration::MAX);
    let policy = Policy::default()
        .with_timing(TaskKind::ImageToText, row)
        .with_create_retry(RetryPolicy::new(3).with_delays(Duration::MAX, Duration::MAX));
    // A retry that would wait forever ends the solve with the refusal instead.
    let retry_policy = policy.clone().with_timing(
        TaskKind::ImageToText,
        Timing::new(secs(1), Duration::MAX, Duration::MAX),
    );
    let s = Solver::new(image(), &key(), &Service::default(), &retry_policy);
    let run = drive(
        s,
        t0,
        flaky_create(api_error(200, "ERROR_NO_SLOT_AVAILABLE"), 9),
    );
    assert_eq!(run.creates().len(), 1);
    assert!(run.error().is_retryable());
    // A first poll that would come after the deadline: refused before anything is sent.
    let s = Solver::new(image(), &key(), &Service::default(), &policy).with_deadline(secs(60));
    let run = drive(s, t0, |_, _| unreachable!("nothing is sent"));
    assert_eq!(run.done_at, t0);
    let e = run.error();
    assert!(
        matches!(&e, SolveError::Build(BuildError::Validation(v)) if v.field() == "deadline"),
        "{e:?}"
    );
    // So is a deadline of zero.
    let run = drive(solver(image()).with_deadline(Duration::ZERO), t0, |_, _| {
        unreachable!("nothing is sent")
    });
    assert!(matches!(run.error(), SolveError::Build(_)));
}

#[test]
fn a_deadline_shorter_than_the_first_poll_is_refused_before_sending() {
    let t0 = Instant::now();
    // reCAPTCHA v3's first poll; and any kind's with nocache (10 s).
    let first = Timing::default_for(TaskKind::RecaptchaV3).first_delay_for(false);
    let s = solver(v3_task()).with_deadline(first);
    let run = drive(s, t0, |_, _| unreachable!("nothing is sent"));
    let e = run.error();
    let text = e.to_string();
    assert!(
        text.contains("--timeout") && text.contains("deadline"),
        "{text}"
    );
    let nocache = ClientKey::new("0123456789abcdef")
        .unwrap()
        .with_nocache(true);
    let s = Solver::new(
        recaptcha(),
        &nocache,
        &Service::default(),
        &Policy::default(),
    )
    .with_deadline(secs(10));
    let run = drive(s, t0, |_, _| unreachable!("nothing is sent"));
    let text = run.error().to_string();
    assert!(text.contains("with nocache"), "{text}");
    // Just above the first delay: the task is created and polled at least once, even when
    // createTask is slow enough to push the first poll past the deadline.
    let s = solver(recaptcha()).with_deadline(secs(3));
    let run = drive(s, t0, |phase, _| match phase {
        Phase::Create => (ms(2500), created(7)),
        _ => (ms(100), processing()),
    });
    assert_eq!(run.polls().len(), 1);
    assert_eq!(run.creates().len(), 1);
    assert_eq!(run.error().task_id(), Some(7));
}

#[test]
fn a_ready_answer_without_the_main_value_is_an_error_naming_the_task() {
    for body in [
        r#"{}"#,
        r#""tok""#,
        r#"{"gRecaptchaResponse":12345}"#,
        r#"{"gRecaptchaResponse":""}"#,
    ] {
        let run = drive(
            solver(recaptcha()),
            Instant::now(),
            service(Duration::ZERO, move |_| ready(body)),
        );
        assert_eq!(run.polls().len(), 1, "{body}: not polled again");
        let e = run.error();
        assert!(
            matches!(&e, SolveError::NoSolution { task_id: 7, raw } if raw == body),
            "{body}: {e:?}"
        );
        assert!(!e.is_retryable());
    }
}

#[test]
fn a_timeout_keeps_the_last_cause() {
    let t0 = Instant::now();
    let s = solver(recaptcha()).with_deadline(secs(12));
    let run = drive(s, t0, service(ms(10), |_| html(500)));
    let e = run.error();
    let text = e.to_string();
    assert!(
        text.contains("the last poll got: unreadable answer (HTTP 500)"),
        "{text}"
    );
    assert!(!text.contains("overloaded"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// Adaptive first-poll timing.

fn v3_task() -> CreateTask {
    raw(serde_json::json!({
        "type": "RecaptchaV3TaskProxyless", "websiteURL": URL, "websiteKey": SITE_KEY,
        "minScore": 0.3
    }))
}

/// Solves `n` reCAPTCHA v3 tasks whose solve times follow a fixed pseudo-random spread over
/// 12-30 s, and returns (mean polls per solve, mean ms from ready to the poll that saw it).
fn v3_fleet(n: usize, mut adaptive: Option<&mut AdaptiveTiming>) -> (f64, f64) {
    let t0 = Instant::now();
    let mut rng = Jitter::new(2024);
    let (mut polls, mut latency) = (0u64, Duration::ZERO);
    for _ in 0..n {
        let solve_time = ms(12_000 + rng.next_u64() % 18_000);
        let mut s = solver(v3_task());
        if let Some(a) = adaptive.as_deref() {
            s = s.with_adaptive(a);
        }
        let created_at = t0 + ms(20);
        let run = drive_at(s, t0, true, |sent, _| match sent.phase {
            Phase::Create => (ms(20), created(1)),
            _ if sent.at >= created_at + solve_time => (ms(20), ready(TOKEN)),
            _ => (ms(20), processing()),
        });
        let s = run.solved();
        polls += u64::from(s.polls);
        latency += s.ready_after - solve_time;
        if let Some(a) = adaptive.as_deref_mut() {
            a.record_solved(&s);
        }
    }
    (
        polls as f64 / n as f64,
        latency.as_secs_f64() * 1000.0 / n as f64,
    )
}

#[test]
fn adaptive_timing_cuts_polls_without_adding_latency() {
    let (fixed_polls, fixed_latency) = v3_fleet(300, None);
    let mut learnt = AdaptiveTiming::new();
    let (adaptive_polls, adaptive_latency) = v3_fleet(300, Some(&mut learnt));
    assert_eq!(learnt.samples(TaskKind::RecaptchaV3), 64);
    let first = learnt.first_delay(TaskKind::RecaptchaV3).unwrap();
    assert!(first > secs(11) && first < secs(16), "{first:?}");
    assert!(
        adaptive_polls < fixed_polls * 0.75,
        "{adaptive_polls} polls per solve against {fixed_polls}"
    );
    assert!(
        adaptive_latency < fixed_latency + 300.0,
        "{adaptive_latency} ms against {fixed_latency} ms"
    );
    eprintln!(
        "v3 fleet: fixed {fixed_polls:.2} polls, {fixed_latency:.0} ms; adaptive {adaptive_polls:.2} polls, {adaptive_latency:.0} ms"
    );
}

#[test]
fn adaptive_timing_stays_inside_the_deadline() {
    let mut learnt = AdaptiveTiming::new().with_min_samples(1);
    learnt.record(TaskKind::RecaptchaV2, secs(500));
    let t0 = Instant::now();
    let s = solver(recaptcha()).with_adaptive(&learnt);
    let run = drive(s, t0, service(Duration::ZERO, |_| ready(TOKEN)));
    // Kept one 3 s interval inside the 180 s deadline.
    assert_eq!(run.polls()[0].at, t0 + secs(177));
}

// ---------------------------------------------------------------------------------------------
// Speed.

#[test]
fn a_whole_180_second_solve_takes_no_real_time() {
    let started = Instant::now();
    for _ in 0..20 {
        let run = drive(
            solver(recaptcha()),
            started,
            service(ms(100), |_| processing()),
        );
        assert_eq!(run.error().task_id(), Some(7));
    }
    let real = started.elapsed();
    assert!(real < ms(500), "20 solves of 180 s took {real:?}");
}

#[test]
fn a_create_answer_that_names_a_task_is_never_resent_whatever_the_status() {
    for status in [200, 429, 500, 503] {
        let t0 = Instant::now();
        let run = drive(solver(recaptcha()), t0, |phase, _| match phase {
            Phase::Create => (ms(10), json(status, r#"{"errorId":0,"taskId":4242}"#)),
            _ => (ms(10), ready(TOKEN)),
        });
        assert_eq!(run.creates().len(), 1, "HTTP {status}");
        assert_eq!(run.solved().task_id, 4242, "HTTP {status}");
    }
    // A 429 that names no task (JSON error, HTML, empty) was not processed: resent.
    for reply in [api_error(429, "ERROR_SOMETHING_NEW"), html(429), empty(429)] {
        let run = drive(solver(image()), Instant::now(), flaky_create(reply, 1));
        assert_eq!(run.creates().len(), 2);
        assert_eq!(run.solved().task_id, 7);
    }
}

#[test]
fn an_unrecognised_transport_failure_after_create_is_ambiguous() {
    use capmonster_proto::solver::NoAnswerEvidence;
    let unknown = TransportFailure::classify(NoAnswerEvidence::Unrecognised);
    assert!(!unknown.certainly_not_sent());
    assert_eq!(
        TransportFailure::classify(NoAnswerEvidence::BeforeSend),
        TransportFailure::ConnectFailed
    );
    let run = drive(solver(recaptcha()), Instant::now(), |_, _| {
        (ms(10), fail(unknown))
    });
    assert_eq!(run.creates().len(), 1);
    let e = run.error();
    assert!(
        matches!(e, SolveError::AmbiguousCreate { cause: AmbiguousCause::Transport(f), .. } if f == unknown),
        "{e:?}"
    );
}

#[test]
fn an_error_answer_that_still_names_a_task_is_polled() {
    let run = drive(
        solver(recaptcha()),
        Instant::now(),
        |phase, _| match phase {
            Phase::Create => (
                ms(10),
                json(
                    503,
                    r#"{"errorId":1,"errorCode":"ERROR_NO_SLOT_AVAILABLE","taskId":4242}"#,
                ),
            ),
            _ => (ms(10), ready(TOKEN)),
        },
    );
    assert_eq!(run.creates().len(), 1);
    assert_eq!(run.solved().task_id, 4242);
}

#[test]
fn a_solution_that_echoes_the_key_is_not_handed_out() {
    let echo = r#"{"gRecaptchaResponse":"tok-0123456789abcdef0123456789abcdef"}"#;
    let run = drive(
        solver(recaptcha()),
        Instant::now(),
        service(ms(10), move |_| ready(echo)),
    );
    let e = run.error();
    assert!(
        matches!(&e, SolveError::NoSolution { task_id: 7, .. }),
        "{e:?}"
    );
    let text = format!("{e} {e:?}");
    assert!(!text.contains("0123456789abcdef0123456789abcdef"), "{text}");
}
