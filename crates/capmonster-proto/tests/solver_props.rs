//! Properties of the solver over random answers and random latencies, on a virtual clock.
//!
//! The deadline allowance: with a front end that cuts every request at `Outgoing::time_left` (as
//! both front ends do), `Done` comes at an instant no later than the deadline. With a front end
//! that does not cut, `Done` comes no later than the later of the deadline and the instant the
//! last answer was handed in: the allowance is the last answer's latency past the deadline, and
//! nothing more is sent or waited for after it.

mod common;

use std::time::{Duration, Instant};

use capmonster_proto::solver::{
    Phase, Policy, RetryPolicy, SolveError, Solver, Timing, TimingTable, TransportFailure,
};
use capmonster_proto::{
    ClientKey, CreateTask, ErrorClass, ErrorCode, Service,
    task::{ImageToTextTask, RecaptchaV2Task, TaskKind, TurnstileTask},
};
use common::*;
use proptest::prelude::*;

const CODES: &[&str] = &[
    "ERROR_NO_SLOT_AVAILABLE",
    "ERROR_TOO_MUCH_REQUESTS",
    "ERROR_SERVICE_OVERLOAD",
    "CAPTCHA_NOT_READY",
    "ERROR_CAPTCHA_UNSOLVABLE",
    "ERROR_NO_SUCH_CAPCHA_ID",
    "ERROR_KEY_DOES_NOT_EXIST",
    "ERROR_ZERO_BALANCE",
    "ERROR_SOMETHING_NEW",
    "",
];

const STATUSES: &[u16] = &[200, 200, 200, 400, 402, 404, 429, 500, 502, 503];

/// A random answer, kept as data so that the test can judge it afterwards.
#[derive(Debug, Clone)]
enum Answer {
    Created,
    Processing,
    Ready,
    Api(u16, usize),
    Html(u16),
    Empty(u16),
    Garbage(u16, Vec<u8>),
    Fail(TransportFailure),
}

impl Answer {
    fn reply(&self) -> Reply {
        match self {
            Self::Created => created(77),
            Self::Processing => processing(),
            Self::Ready => ready(r#"{"text":"ok","gRecaptchaResponse":"t","token":"t"}"#),
            Self::Api(status, i) if CODES[*i].is_empty() => json(*status, r#"{"errorId":1}"#),
            Self::Api(status, i) => api_error(*status, CODES[*i]),
            Self::Html(status) => html(*status),
            Self::Empty(status) => empty(*status),
            Self::Garbage(status, bytes) => Reply::Http(*status, vec![], bytes.clone()),
            Self::Fail(f) => fail(*f),
        }
    }

    /// Does this answer to createTask prove that nothing was created, and invite a retry?
    fn certain_refusal(&self) -> bool {
        match self {
            Self::Fail(f) => *f == TransportFailure::ConnectFailed,
            Self::Api(status, i) => {
                let code = ErrorCode::parse(CODES[*i]);
                *status == 429
                    || code.class() == ErrorClass::RetryCall
                    || (!code.is_known() && *status == 503)
            }
            Self::Html(status) | Self::Empty(status) | Self::Garbage(status, _) => *status == 429,
            Self::Created | Self::Processing | Self::Ready => false,
        }
    }

    /// Does this answer to getTaskResult ask the client to slow down?
    fn slow_down(&self) -> bool {
        match self {
            Self::Api(status, i) => *status == 429 || CODES[*i] == "ERROR_TOO_MUCH_REQUESTS",
            Self::Html(status) | Self::Empty(status) | Self::Garbage(status, _) => *status == 429,
            _ => false,
        }
    }
}

fn status() -> impl Strategy<Value = u16> {
    proptest::sample::select(STATUSES)
}

fn failure() -> impl Strategy<Value = TransportFailure> {
    prop_oneof![
        Just(TransportFailure::ConnectFailed),
        Just(TransportFailure::TimedOut),
        Just(TransportFailure::ConnectionReset),
    ]
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        6 => Just(Answer::Processing),
        2 => Just(Answer::Ready),
        1 => Just(Answer::Created),
        4 => (status(), 0..CODES.len()).prop_map(|(s, c)| Answer::Api(s, c)),
        1 => status().prop_map(Answer::Html),
        1 => status().prop_map(Answer::Empty),
        1 => (status(), proptest::collection::vec(any::<u8>(), 0..40))
            .prop_map(|(s, b)| Answer::Garbage(s, b)),
        2 => failure().prop_map(Answer::Fail),
    ]
}

/// Answers to createTask: mostly a task id, often a refusal, sometimes a lost answer.
fn create_answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        8 => Just(Answer::Created),
        4 => (status(), 0..CODES.len()).prop_map(|(s, c)| Answer::Api(s, c)),
        1 => status().prop_map(Answer::Html),
        1 => status().prop_map(Answer::Empty),
        1 => (status(), proptest::collection::vec(any::<u8>(), 0..40))
            .prop_map(|(s, b)| Answer::Garbage(s, b)),
        2 => failure().prop_map(Answer::Fail),
        1 => answer(),
    ]
}

/// Answers to getTaskResult: mostly "processing", so that long runs reach the cap and the
/// deadline.
fn poll_answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        12 => Just(Answer::Processing),
        1 => Just(Answer::Ready),
        3 => answer(),
    ]
}

fn latency() -> impl Strategy<Value = Duration> {
    prop_oneof![
        6 => (0u64..80).prop_map(Duration::from_millis),
        3 => (0u64..6_000).prop_map(Duration::from_millis),
        1 => (0u64..400_000).prop_map(Duration::from_millis),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    /// 0 image, 1 reCAPTCHA v2, 2 Turnstile, 3 a resumed reCAPTCHA v2.
    task: u8,
    deadline: Duration,
    fast_floor: bool,
    nocache: bool,
    cut: bool,
    seed: u64,
    /// A per-solve row (first delay, interval), or the table's.
    row: Option<(Duration, Duration)>,
    /// createTask attempts allowed.
    attempts: u32,
    /// Polls already spent on a resumed task.
    prior: u32,
    creates: Vec<(Duration, Answer)>,
    polls: Vec<(Duration, Answer)>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        0u8..4,
        (1u64..300).prop_map(Duration::from_secs),
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.8),
        any::<u64>(),
        proptest::option::weighted(
            0.3,
            (0u64..20_000, 0u64..10_000)
                .prop_map(|(f, i)| (Duration::from_millis(f), Duration::from_millis(i))),
        ),
        (1u32..6, prop_oneof![3 => Just(0u32), 1 => 0u32..130]),
        proptest::collection::vec((latency(), create_answer()), 0..6),
        proptest::collection::vec((latency(), poll_answer()), 0..160),
    )
        .prop_map(
            |(
                task,
                deadline,
                fast_floor,
                nocache,
                cut,
                seed,
                row,
                (attempts, prior),
                creates,
                polls,
            )| {
                Case {
                    task,
                    deadline,
                    fast_floor,
                    nocache,
                    cut,
                    seed,
                    row,
                    attempts,
                    prior,
                    creates,
                    polls,
                }
            },
        )
}

fn build(case: &Case) -> Solver {
    let key = ClientKey::new("0123456789abcdef")
        .unwrap()
        .with_nocache(case.nocache);
    let service = Service::default();
    let policy = if case.fast_floor {
        Policy::default()
            .with_table(TimingTable::official())
            .with_min_interval(Duration::from_millis(100))
    } else {
        Policy::default()
    }
    .with_deadline(case.deadline)
    .with_create_retry(RetryPolicy::new(case.attempts));
    let row = |s: Solver| match case.row {
        Some((first, interval)) => s.with_timing(Timing::new(first, interval, case.deadline)),
        None => s,
    };
    let task = match case.task {
        0 => CreateTask::new(ImageToTextTask::from_image_bytes(&[1u8; 300])),
        1 => CreateTask::new(RecaptchaV2Task::new("https://example.com/", "sitekey")),
        2 => CreateTask::new(TurnstileTask::new("https://example.com/", "0x4AAAA")),
        _ => {
            return row(
                Solver::resume(77, TaskKind::RecaptchaV2, &key, &service, &policy)
                    .with_prior_polls(case.prior)
                    .with_jitter_seed(case.seed),
            );
        }
    };
    row(Solver::new(task, &key, &service, &policy).with_jitter_seed(case.seed))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn the_solver_keeps_every_rule(case in case()) {
        let t0 = Instant::now();
        let floor = if case.fast_floor { Duration::from_millis(100) } else { Duration::from_secs(2) };
        // What each request was answered with, after the front end's cut.
        let mut given: Vec<(Phase, Answer)> = Vec::new();
        let run = drive_at(build(&case), t0, case.cut, |sent, n| {
            let (latency, answer) = match sent.phase {
                Phase::Create => case.creates.get(n).cloned().unwrap_or((Duration::ZERO, Answer::Created)),
                _ => case.polls.get(n).cloned().unwrap_or((Duration::ZERO, Answer::Processing)),
            };
            let seen = if case.cut && latency > sent.time_left {
                Answer::Fail(TransportFailure::TimedOut)
            } else {
                answer.clone()
            };
            given.push((sent.phase, seen));
            (latency, answer.reply())
        });

        // It ends by the deadline, plus the last answer's lateness if the front end did not cut.
        prop_assert_eq!(run.deadline, t0 + case.deadline);
        if case.cut {
            prop_assert!(run.done_at <= run.deadline);
        } else {
            let bound = run.deadline.max(run.last_answer_at.unwrap_or(t0));
            prop_assert!(run.done_at <= bound);
        }
        // No wait goes past the deadline.
        prop_assert!(run.waits.iter().all(|w| *w < run.deadline));
        // Requests carry the time left and are sent before the deadline.
        for s in &run.sent {
            prop_assert!(s.at < run.deadline);
            prop_assert_eq!(s.time_left, run.deadline - s.at);
        }

        // Polls: never more than 120, never closer than the interval (which only grows), and
        // at least 2 s apart after the service asked to slow down.
        let polls = run.polls();
        let prior = if case.task == 3 { case.prior as usize } else { 0 };
        prop_assert!(prior + polls.len() <= 120.max(prior));
        let poll_answers: Vec<&Answer> =
            given.iter().filter(|(p, _)| *p == Phase::Poll).map(|(_, a)| a).collect();
        for (i, pair) in polls.windows(2).enumerate() {
            let gap = pair[1].at - pair[0].at;
            prop_assert!(pair[1].interval >= floor);
            prop_assert!(pair[1].interval >= pair[0].interval);
            prop_assert!(gap >= pair[1].interval, "gap {:?} < {:?}", gap, pair[1].interval);
            if poll_answers[i].slow_down() {
                prop_assert!(gap >= Duration::from_secs(2));
            }
        }

        // createTask: at most four attempts, and never resent unless the answer proved that
        // nothing was created.
        let creates: Vec<&Answer> =
            given.iter().filter(|(p, _)| *p == Phase::Create).map(|(_, a)| a).collect();
        prop_assert!(creates.len() <= case.attempts as usize);
        for answer in creates.iter().take(creates.len().saturating_sub(1)) {
            prop_assert!(answer.certain_refusal(), "resent after {:?}", answer);
        }
        if let Some(last) = creates.last() {
            let ambiguous = matches!(
                last,
                Answer::Fail(TransportFailure::TimedOut | TransportFailure::ConnectionReset)
            ) || matches!(last, Answer::Html(s) | Answer::Empty(s) | Answer::Garbage(s, _)
                if *s == 200 || *s >= 500);
            if ambiguous {
                prop_assert!(
                    matches!(run.result, Err(SolveError::AmbiguousCreate { .. })),
                    "{:?} after {:?}", run.result, last
                );
            }
        }

        // The outcome matches the last answer.
        match &run.result {
            Ok(solved) => {
                prop_assert!(matches!(poll_answers.last(), Some(Answer::Ready)));
                prop_assert_eq!(solved.task_id, 77);
                prop_assert_eq!(solved.polls as usize, prior + polls.len());
                prop_assert_eq!(solved.requests() as usize, prior + run.sent.len());
            }
            Err(e) => {
                prop_assert!(!e.to_string().is_empty());
                if !polls.is_empty() {
                    prop_assert_eq!(e.task_id(), Some(77));
                }
            }
        }
    }
}
