//! A virtual clock and a fake service for the acceptance loop's tests. Nothing here sleeps.

#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use capmonster_proto::accept::{AcceptAction, AcceptError, Accepted, Acceptor, SiteBook, Verdict};
use capmonster_proto::solver::{Solved, TransportFailure};

/// What the fake service does with the polls of one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Solve {
    /// Ready at the first poll.
    Ready,
    /// `ERROR_CAPTCHA_UNSOLVABLE` (a new task may succeed).
    Unsolvable,
    /// `ERROR_ZERO_BALANCE` (ends the loop).
    ZeroBalance,
}

/// One report the fake service received.
#[derive(Debug, Clone)]
pub struct ReportSeen {
    /// The method (the last path segment).
    pub method: String,
    pub task_id: u64,
    pub at: Instant,
}

/// The world the loop runs in: the clock, the service's tasks, and what it saw.
pub struct World {
    pub now: Instant,
    pub next_id: u64,
    /// Every task id the service handed out, in order.
    pub created: Vec<u64>,
    pub reports: Vec<ReportSeen>,
    /// The task of every createTask, in order.
    pub tasks: Vec<serde_json::Value>,
    /// Every check asked: the task id, when it was solved, and the verdict given.
    pub checks: Vec<(u64, Instant, Verdict)>,
    /// How the n-th task's polls go (from 0); missing ones are `Ready`.
    pub solves: Vec<Solve>,
    /// The verdict on the n-th check (from 0); missing ones are `Rejected`.
    pub verdicts: Vec<Verdict>,
    /// How long the caller takes over the n-th check; missing ones take 1 s.
    pub check_times: Vec<Duration>,
    /// How long each request takes.
    pub latency: Duration,
    /// The answer to every report: `None` is a success body.
    pub report_failure: Option<TransportFailure>,
    /// A simulated site instead of `verdicts`: the chance a token is accepted without and with
    /// `nocache`, and the state of its random source.
    pub site: Option<(f64, f64, u64)>,
    by_task: HashMap<u64, usize>,
}

impl World {
    pub fn new(t0: Instant) -> Self {
        Self {
            now: t0,
            next_id: 1000,
            created: Vec::new(),
            reports: Vec::new(),
            tasks: Vec::new(),
            checks: Vec::new(),
            solves: Vec::new(),
            verdicts: Vec::new(),
            check_times: Vec::new(),
            latency: Duration::from_millis(100),
            report_failure: None,
            site: None,
            by_task: HashMap::new(),
        }
    }

    fn json(status: u16, body: String) -> http::Response<Vec<u8>> {
        http::Response::builder()
            .status(status)
            .header("content-type", "application/json")
            .body(body.into_bytes())
            .expect("a valid response")
    }

    fn answer(&mut self, request: &http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
        let method = request.uri().path().rsplit('/').next().unwrap_or_default();
        let body: serde_json::Value =
            serde_json::from_slice(request.body()).expect("requests are JSON");
        let task_id = body["taskId"].as_u64().unwrap_or(0);
        match method {
            "createTask" => {
                self.next_id += 1;
                let id = self.next_id;
                self.by_task.insert(id, self.created.len());
                self.created.push(id);
                self.tasks.push(body["task"].clone());
                Self::json(200, format!(r#"{{"errorId":0,"taskId":{id}}}"#))
            }
            "getTaskResult" => {
                let n = self.by_task.get(&task_id).copied().unwrap_or(usize::MAX);
                match self.solves.get(n).copied().unwrap_or(Solve::Ready) {
                    Solve::Ready => Self::json(
                        200,
                        format!(
                            r#"{{"errorId":0,"status":"ready","solution":{{"gRecaptchaResponse":"tok-{task_id}","token":"tok-{task_id}","text":"t{task_id}"}}}}"#
                        ),
                    ),
                    Solve::Unsolvable => Self::json(
                        200,
                        r#"{"errorId":1,"errorCode":"ERROR_CAPTCHA_UNSOLVABLE","errorDescription":"x"}"#.into(),
                    ),
                    Solve::ZeroBalance => Self::json(
                        200,
                        r#"{"errorId":10,"errorCode":"ERROR_ZERO_BALANCE","errorDescription":"x"}"#.into(),
                    ),
                }
            }
            report => {
                self.reports.push(ReportSeen {
                    method: report.to_owned(),
                    task_id,
                    at: self.now,
                });
                Self::json(200, r#"{"errorId":0,"status":"success"}"#.into())
            }
        }
    }

    /// What the fake service answers to `request` (and records).
    pub fn answer_for_test(&mut self, request: &http::Request<Vec<u8>>) -> http::Response<Vec<u8>> {
        self.answer(request)
    }

    fn check(&mut self, solved: &Solved) -> Verdict {
        let n = self.checks.len();
        let verdict = match &mut self.site {
            Some((plain, nocache, state)) => {
                let index = self.by_task.get(&solved.task_id).copied().unwrap_or(0);
                let with = self.tasks[index]["nocache"] == serde_json::json!(true);
                // xorshift64: a fixed sequence, so the test is the same every run.
                *state ^= *state << 13;
                *state ^= *state >> 7;
                *state ^= *state << 17;
                let draw = (*state >> 11) as f64 / (1u64 << 53) as f64;
                if draw < if with { *nocache } else { *plain } {
                    Verdict::Accepted
                } else {
                    Verdict::Rejected
                }
            }
            None => self.verdicts.get(n).copied().unwrap_or(Verdict::Rejected),
        };
        self.checks
            .push((solved.task_id, solved.completed_at, verdict));
        self.now += self
            .check_times
            .get(n)
            .copied()
            .unwrap_or(Duration::from_secs(1));
        verdict
    }

    /// Runs `acceptor` to the end, with `book`.
    pub fn run(
        &mut self,
        mut acceptor: Acceptor,
        book: &mut SiteBook,
    ) -> Result<Box<Accepted>, Box<AcceptError>> {
        for _ in 0..100_000 {
            match acceptor.poll(self.now, book) {
                AcceptAction::Send(out) => {
                    self.now += self.latency.min(out.time_left);
                    let response = self.answer(&out.request);
                    acceptor.handle_response(self.now, &response);
                }
                AcceptAction::Report(out) => {
                    if let Some(failure) = self.report_failure {
                        self.now += self.latency;
                        acceptor.handle_response(self.now, failure);
                        continue;
                    }
                    let response = self.answer(&out.request);
                    self.now += self.latency.min(out.time_left);
                    acceptor.handle_response(self.now, &response);
                }
                AcceptAction::Wait(until) => {
                    assert!(until >= self.now, "a wait never goes back in time");
                    self.now = until;
                }
                AcceptAction::Check(solved) => {
                    let verdict = self.check(&solved);
                    acceptor.handle_verdict(self.now, verdict, book);
                }
                AcceptAction::Done(outcome) => return outcome,
            }
        }
        panic!("the loop did not end in 100,000 steps");
    }
}
