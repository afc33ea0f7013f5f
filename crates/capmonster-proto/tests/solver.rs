//! The solver on a virtual clock: one scripted service per test, no sleeping.

mod common;

use std::time::{Duration, Instant};

use capmonster_proto::report::{
    PlannedReport, ReportLedger, ReportMethodKind, ReportVerdict, plan_report,
};
use capmonster_proto::solver::{
    AmbiguousCause, Jitter, Phase, Policy, RetryPolicy, SolveError, Solved, Solver,
    TransportFailure,
};
use capmonster_proto::{
    CreateTask, Dialect, Endpoint, ErrorClass, ErrorCode, Service,
    solution::Solution,
    task::{RecaptchaV2Task, TaskKind, TurnstileTask},
};
use common::*;

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
