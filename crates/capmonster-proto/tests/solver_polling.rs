//! The solver's polling on a virtual clock: failed polls, nocache, the deadline and the poll
//! cap. One scripted service per test, no sleeping.

mod common;

use std::time::{Duration, Instant};

use capmonster_proto::solver::{
    AmbiguousCause, Phase, Policy, SolveError, Solver, Timing, TimingTable, TransportFailure,
};
use capmonster_proto::{
    ClientKey, CreateTask, Service,
    task::{RecaptchaV2Task, TaskKind, TurnstileTask},
};
use common::*;

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
