//! The solver on a virtual clock: resuming, its inputs, repeated polls, adaptive first-poll
//! timing and speed. One scripted service per test, no sleeping.

mod common;

use std::time::{Duration, Instant};

use capmonster_proto::solver::{
    AdaptiveTiming, Jitter, Phase, Policy, RetryPolicy, SolveError, Solver, Timing,
    TransportFailure,
};
use capmonster_proto::{
    BuildError, ClientKey, CreateTask, Service,
    task::{RecaptchaV2Task, Task, TaskKind},
};
use common::*;

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
