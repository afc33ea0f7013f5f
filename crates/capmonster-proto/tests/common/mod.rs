//! A virtual clock and a scripted service for the solver tests. Nothing here sleeps.

#![allow(dead_code, unreachable_pub)]

use std::time::{Duration, Instant};

use capmonster_proto::solver::{
    Action, Phase, Policy, SolveError, Solved, Solver, TransportFailure,
};
use capmonster_proto::{
    ClientKey, CreateTask, Service,
    task::{ImageToTextTask, RawTask, RecaptchaV2Task, Task},
};

/// What the fake service (or the network) does with one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// An HTTP answer: status, headers, body.
    Http(u16, Vec<(&'static str, String)>, Vec<u8>),
    /// No answer.
    Fail(TransportFailure),
}

pub fn json(status: u16, body: &str) -> Reply {
    Reply::Http(
        status,
        vec![("content-type", "application/json".into())],
        body.into(),
    )
}

pub fn created(id: u64) -> Reply {
    json(200, &format!(r#"{{"errorId":0,"taskId":{id}}}"#))
}

pub fn processing() -> Reply {
    json(200, r#"{"errorId":0,"status":"processing"}"#)
}

pub fn not_ready_code() -> Reply {
    json(
        200,
        r#"{"errorId":1,"errorCode":"CAPTCHA_NOT_READY","errorDescription":"not ready"}"#,
    )
}

pub fn ready(solution: &str) -> Reply {
    json(
        200,
        &format!(r#"{{"errorId":0,"status":"ready","solution":{solution},"cost":0.0003}}"#),
    )
}

pub fn api_error(status: u16, code: &str) -> Reply {
    json(
        status,
        &format!(r#"{{"errorId":1,"errorCode":"{code}","errorDescription":"scripted"}}"#),
    )
}

pub fn html(status: u16) -> Reply {
    Reply::Http(
        status,
        vec![("content-type", "text/html".into())],
        b"<html><body>bad gateway</body></html>".to_vec(),
    )
}

pub fn empty(status: u16) -> Reply {
    Reply::Http(status, vec![], Vec::new())
}

pub fn fail(f: TransportFailure) -> Reply {
    Reply::Fail(f)
}

/// One request the solver sent, as the fake service saw it.
#[derive(Debug, Clone)]
pub struct Sent {
    /// When it was sent.
    pub at: Instant,
    pub phase: Phase,
    pub time_left: Duration,
    pub path: String,
    pub body: serde_json::Value,
    /// The solver's poll interval just before sending.
    pub interval: Duration,
}

/// A finished solve.
#[derive(Debug)]
pub struct Run {
    pub result: Result<Solved, SolveError>,
    pub sent: Vec<Sent>,
    /// The virtual instant `Done` came back.
    pub done_at: Instant,
    /// Every instant a `Wait` asked for.
    pub waits: Vec<Instant>,
    /// When the last answer was handed in.
    pub last_answer_at: Option<Instant>,
    pub deadline: Instant,
}

impl Run {
    pub fn creates(&self) -> Vec<&Sent> {
        self.sent
            .iter()
            .filter(|s| s.phase == Phase::Create)
            .collect()
    }

    pub fn polls(&self) -> Vec<&Sent> {
        self.sent
            .iter()
            .filter(|s| s.phase == Phase::Poll)
            .collect()
    }

    pub fn solved(self) -> Solved {
        match self.result {
            Ok(s) => s,
            Err(e) => panic!("expected a solution, got: {e}"),
        }
    }

    pub fn error(self) -> SolveError {
        match self.result {
            Ok(s) => panic!("expected an error, got a solution of task {}", s.task_id),
            Err(e) => e,
        }
    }
}

/// Drives `solver` from `t0` on a virtual clock. `script(phase, n)` answers the n-th request of
/// that phase (from 0) with a latency and a reply. When `cut` is true the fake front end obeys
/// `time_left`, as the real ones do: a reply slower than that becomes `TimedOut` at the deadline.
pub fn drive_with(
    solver: Solver,
    t0: Instant,
    cut: bool,
    mut script: impl FnMut(Phase, usize) -> (Duration, Reply),
) -> Run {
    drive_at(solver, t0, cut, move |sent, n| script(sent.phase, n))
}

/// [`drive_with`], with the script seeing the whole request (and when it was sent).
pub fn drive_at(
    mut solver: Solver,
    t0: Instant,
    cut: bool,
    mut script: impl FnMut(&Sent, usize) -> (Duration, Reply),
) -> Run {
    let mut now = t0;
    let mut sent = Vec::new();
    let mut waits = Vec::new();
    let mut last_answer_at = None;
    let (mut creates, mut polls) = (0, 0);
    for _ in 0..100_000 {
        let interval = solver.interval();
        match solver.poll(now) {
            Action::Send(out) => {
                let deadline = solver.deadline().expect("armed by the first poll");
                assert_eq!(
                    out.time_left,
                    deadline - now,
                    "time left is to the deadline"
                );
                let path = out.request.uri().path().to_owned();
                let body: serde_json::Value =
                    serde_json::from_slice(out.request.body()).expect("requests are JSON");
                let n = match out.phase {
                    Phase::Create => {
                        creates += 1;
                        creates - 1
                    }
                    _ => {
                        polls += 1;
                        polls - 1
                    }
                };
                sent.push(Sent {
                    at: now,
                    phase: out.phase,
                    time_left: out.time_left,
                    path,
                    body,
                    interval,
                });
                let (latency, reply) = script(sent.last().expect("just pushed"), n);
                let reply = if cut && latency > out.time_left {
                    now += out.time_left;
                    Reply::Fail(TransportFailure::TimedOut)
                } else {
                    now += latency;
                    reply
                };
                last_answer_at = Some(now);
                match reply {
                    Reply::Fail(f) => solver.handle_response(now, f),
                    Reply::Http(status, headers, body) => {
                        let mut b = http::Response::builder().status(status);
                        for (k, v) in headers {
                            b = b.header(k, v);
                        }
                        let response = b.body(body).expect("a valid scripted response");
                        solver.handle_response(now, &response);
                    }
                }
            }
            Action::Wait(until) => {
                assert!(until > now, "a wait goes forward: {until:?} vs {now:?}");
                waits.push(until);
                now = until;
            }
            Action::Done(result) => {
                let deadline = solver.deadline().expect("armed by the first poll");
                return Run {
                    result,
                    sent,
                    done_at: now,
                    waits,
                    last_answer_at,
                    deadline,
                };
            }
        }
    }
    panic!("the solver did not finish in 100000 steps");
}

/// [`drive_with`] with a front end that cuts requests at the deadline.
pub fn drive(
    solver: Solver,
    t0: Instant,
    script: impl FnMut(Phase, usize) -> (Duration, Reply),
) -> Run {
    drive_with(solver, t0, true, script)
}

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

pub fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

// ---------------------------------------------------------------------------------------------
// Tasks and a service the solver test files share.

pub const URL: &str = "https://example.com/login";
pub const SITE_KEY: &str = "6Lcg7CMUAAAAANphynKgn9YAgA4tQ2KI_iqRyTwd";

pub fn key() -> ClientKey {
    ClientKey::new("0123456789abcdef0123456789abcdef").unwrap()
}

pub fn image() -> CreateTask {
    CreateTask::new(ImageToTextTask::from_image_bytes(&[7u8; 300]))
}

pub fn recaptcha() -> CreateTask {
    CreateTask::new(RecaptchaV2Task::new(URL, SITE_KEY))
}

pub fn solver(task: CreateTask) -> Solver {
    Solver::new(task, &key(), &Service::default(), &Policy::default()).with_jitter_seed(42)
}

/// Answers createTask with task 7 after `latency`, and the n-th poll with `polls(n)`.
pub fn service(
    latency: Duration,
    mut polls: impl FnMut(usize) -> Reply,
) -> impl FnMut(Phase, usize) -> (Duration, Reply) {
    move |phase, n| match phase {
        Phase::Create => (latency, created(7)),
        _ => (latency, polls(n)),
    }
}

pub const TEXT: &str = r#"{"text":"answer"}"#;
pub const TOKEN: &str = r#"{"gRecaptchaResponse":"03AGdBq25SxXT-pmSeBXjzScW"}"#;

pub fn raw(value: serde_json::Value) -> CreateTask {
    let serde_json::Value::Object(map) = value else {
        unreachable!()
    };
    CreateTask::new(Task::Raw(RawTask::new(map).unwrap()))
}

/// Answers createTask with `first` `times` times, then creates task 7; polls are ready at once.
pub fn flaky_create(first: Reply, times: usize) -> impl FnMut(Phase, usize) -> (Duration, Reply) {
    move |phase, n| match phase {
        Phase::Create if n < times => (ms(40), first.clone()),
        Phase::Create => (ms(40), created(7)),
        _ => (ms(40), ready(TEXT)),
    }
}
