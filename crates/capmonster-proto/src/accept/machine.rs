//! The acceptance loop as a state machine: it owns the inner solver and passes its actions on.

use std::fmt;
use std::time::{Duration, Instant};

use crate::{
    api::CreateTask,
    desk::ReportDesk,
    endpoint::Endpoint,
    error::ResponseError,
    key::ClientKey,
    report::{PlannedReport, ReportVerdict},
    service::Service,
    solver::{Action, Input, IntoCreateTask, Outgoing, Policy, SolveError, Solved, Solver},
};

use super::history::{
    AcceptError, AcceptFailure, AcceptWarning, Accepted, Attempt, AttemptOutcome, ReportStatus,
    Withheld,
};
use super::site::{SiteKey, takes_nocache, with_nocache};
use super::stats::SiteBook;
use super::{AcceptPolicy, Verdict};

/// What the front end must do next.
#[derive(Debug)]
#[must_use = "an action must be carried out for the loop to progress"]
pub enum AcceptAction {
    /// Send this solve request (createTask or getTaskResult), then call
    /// [`Acceptor::handle_response`].
    Send(Outgoing),
    /// Send this report, then call [`Acceptor::handle_response`].
    Report(ReportOut),
    /// Sleep until this instant, then call [`Acceptor::poll`].
    Wait(Instant),
    /// Submit this solve's answer to the site, then call [`Acceptor::handle_verdict`]. Polling
    /// again before that returns the same solve.
    Check(Box<Solved>),
    /// The loop is over. Further polls return the same outcome.
    Done(Result<Box<Accepted>, Box<AcceptError>>),
}

/// A report request to send. Its `Debug` shows the method and the time left, never the body.
#[non_exhaustive]
pub struct ReportOut {
    /// The HTTP request.
    pub request: http::Request<Vec<u8>>,
    /// The method.
    pub method: &'static str,
    /// Cut the request when this runs out, and hand in a timeout.
    pub time_left: Duration,
}

impl fmt::Debug for ReportOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReportOut")
            .field("method", &self.method)
            .field("uri", self.request.uri())
            .field("time_left", &self.time_left)
            .finish()
    }
}

#[derive(Debug)]
enum Stage {
    /// The next attempt is to start (or the loop to end).
    Next,
    Solving(Box<Solver>),
    AwaitVerdict(Box<Solved>),
    ReportDue(Box<(ReportOut, PlannedReport)>),
    ReportSent {
        planned: PlannedReport,
        until: Instant,
    },
    Finished,
}

/// One acceptance loop: solve, ask for a verdict, report rejections by the rules, try again.
/// See the [module docs](super) for the drive loop.
#[derive(Debug)]
pub struct Acceptor {
    create: CreateTask,
    key: ClientKey,
    service: Service,
    solve_policy: Policy,
    policy: AcceptPolicy,
    site: Option<SiteKey>,
    desk: Option<ReportDesk>,
    seed: u64,
    started: Option<Instant>,
    stage: Stage,
    attempts: Vec<Attempt>,
    warnings: Vec<AcceptWarning>,
    outcome: Option<Result<Box<Accepted>, Box<AcceptError>>>,
}

impl Acceptor {
    /// A loop for `task`. Nothing is sent until the first [`Acceptor::poll`].
    pub fn new(
        task: impl IntoCreateTask,
        key: &ClientKey,
        service: &Service,
        solve_policy: &Policy,
        policy: &AcceptPolicy,
    ) -> Self {
        let create = task.into_create_task();
        let site = SiteKey::of_task(&create.task);
        Self {
            create,
            key: key.clone(),
            service: service.clone(),
            solve_policy: solve_policy.clone(),
            policy: *policy,
            site,
            desk: None,
            seed: 0,
            started: None,
            stage: Stage::Next,
            attempts: Vec::new(),
            warnings: Vec::new(),
            outcome: None,
        }
    }

    /// Seeds the inner solves' backoff jitter (each attempt gets its own seed from it).
    #[must_use]
    pub fn with_jitter_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The site the task is for, when it names one.
    pub fn site(&self) -> Option<&SiteKey> {
        self.site.as_ref()
    }

    /// The attempts so far.
    pub fn attempts(&self) -> &[Attempt] {
        &self.attempts
    }

    /// The next action at `now`. Call it first, after every wait, response and verdict.
    pub fn poll(&mut self, now: Instant, book: &mut SiteBook) -> AcceptAction {
        if let Some(outcome) = &self.outcome {
            return AcceptAction::Done(outcome.clone());
        }
        let started = *self.started.get_or_insert(now);
        if self.desk.is_none() {
            self.desk = Some(ReportDesk::new(started));
        }
        // Each pass either returns or moves to a later stage; a failed solve may start the
        // next one at once, so a few passes can be needed.
        loop {
            match std::mem::replace(&mut self.stage, Stage::Finished) {
                Stage::Next => {
                    if let Some(done) = self.start_attempt(now, book) {
                        return done;
                    }
                }
                Stage::Solving(mut solver) => match solver.poll(now) {
                    Action::Send(out) => {
                        self.stage = Stage::Solving(solver);
                        return AcceptAction::Send(out);
                    }
                    Action::Wait(until) => {
                        self.stage = Stage::Solving(solver);
                        return AcceptAction::Wait(until);
                    }
                    Action::Done(result) => {
                        if let Some(done) = self.solve_done(&solver, result) {
                            return done;
                        }
                    }
                },
                Stage::AwaitVerdict(solved) => {
                    self.stage = Stage::AwaitVerdict(solved.clone());
                    return AcceptAction::Check(solved);
                }
                Stage::ReportDue(due) => {
                    let (out, planned) = *due;
                    let until = after(now, out.time_left);
                    self.stage = Stage::ReportSent { planned, until };
                    return AcceptAction::Report(out);
                }
                Stage::ReportSent { planned, until } if now < until => {
                    self.stage = Stage::ReportSent { planned, until };
                    return AcceptAction::Wait(until);
                }
                Stage::ReportSent { planned, .. } => {
                    let cause = "no answer within the report's time limit".to_owned();
                    let method = planned.rule.method;
                    self.settle_report(ReportStatus::Unconfirmed { method, cause });
                }
                Stage::Finished => {
                    unreachable!("a finished loop returns its outcome above")
                }
            }
        }
    }

    /// Starts the next attempt, or ends the loop when the attempts or the time ran out.
    fn start_attempt(&mut self, now: Instant, book: &mut SiteBook) -> Option<AcceptAction> {
        let started = self.started.unwrap_or(now);
        let number = u32::try_from(self.attempts.len()).unwrap_or(u32::MAX);
        if number >= self.policy.max_attempts.max(1) {
            let max_attempts = self.policy.max_attempts.max(1);
            return Some(self.fail(AcceptFailure::AttemptsExhausted { max_attempts }));
        }
        let (create, nocache_reason) = self.next_task(now, book);
        let kind = create.task.kind();
        let nocache = create.task.nocache() || self.key.nocache();
        let mut row = self.solve_policy.table.get(kind);
        if let Some(deadline) = self.solve_policy.deadline {
            row.deadline = deadline;
        }
        let left = after(started, self.policy.deadline).saturating_duration_since(now);
        let needed =
            row.first_delay_for(nocache) + row.interval.max(self.solve_policy.min_interval);
        if left <= needed {
            let deadline = self.policy.deadline;
            return Some(self.fail(AcceptFailure::Deadline { deadline }));
        }
        let solver = Solver::new(create, &self.key, &self.service, &self.solve_policy)
            .with_deadline(row.deadline.min(left))
            .with_jitter_seed(self.seed.wrapping_add(u64::from(number)));
        self.attempts.push(Attempt {
            number: number + 1,
            task_id: None,
            nocache,
            nocache_reason: nocache_reason
                .filter(|_| nocache)
                .or_else(|| nocache.then(|| "the task or the key asks for nocache".to_owned())),
            started_after: now.saturating_duration_since(started),
            outcome: AttemptOutcome::InProgress,
        });
        self.stage = Stage::Solving(Box::new(solver));
        None
    }

    /// The task of the next attempt, with `nocache` when the site's statistics call for it and
    /// the type takes it, and the reason.
    fn next_task(&mut self, now: Instant, book: &mut SiteBook) -> (CreateTask, Option<String>) {
        let mut create = self.create.clone();
        let Some(site) = &self.site else {
            return (create, None);
        };
        let Some(switch) = book.nocache_advice(site, now) else {
            return (create, None);
        };
        let kind = create.task.kind();
        if takes_nocache(kind) {
            create.task = with_nocache(create.task);
            return (create, Some(switch.reason));
        }
        let warning = AcceptWarning::NocacheNotTaken {
            site: site.clone(),
            kind,
        };
        if !self.warnings.contains(&warning) {
            self.warnings.push(warning);
        }
        (create, None)
    }

    /// Reads the end of a solve. A solve error that another task may fix starts the next
    /// attempt; any other ends the loop.
    fn solve_done(
        &mut self,
        solver: &Solver,
        result: Result<Solved, SolveError>,
    ) -> Option<AcceptAction> {
        let attempt = self.attempts.last_mut().expect("a solve has its attempt");
        attempt.task_id = solver.task_id();
        match result {
            Ok(solved) => {
                attempt.task_id = Some(solved.task_id);
                let solved = Box::new(solved);
                self.stage = Stage::AwaitVerdict(solved.clone());
                Some(AcceptAction::Check(solved))
            }
            Err(error) => {
                attempt.task_id = attempt.task_id.or(error.task_id());
                attempt.outcome = AttemptOutcome::Failed(error.clone());
                if error.is_retryable() {
                    self.stage = Stage::Next;
                    None
                } else {
                    Some(self.fail(AcceptFailure::Solve(error)))
                }
            }
        }
    }

    /// Feeds back what came of the last [`AcceptAction::Send`] or [`AcceptAction::Report`]: a
    /// response (any status) or a transport failure. Input with nothing in flight is ignored.
    pub fn handle_response<'a>(&mut self, now: Instant, input: impl Into<Input<'a>>) {
        match &mut self.stage {
            Stage::Solving(solver) => solver.handle_response(now, input),
            Stage::ReportSent { planned, .. } => {
                let planned = *planned;
                let status = self.read_report(&planned, input.into());
                self.settle_report(status);
            }
            _ => {}
        }
    }

    /// Feeds back the caller's verdict on the solve of the last [`AcceptAction::Check`]. Call
    /// [`Acceptor::poll`] next. A verdict with no check pending is ignored.
    pub fn handle_verdict(&mut self, now: Instant, verdict: Verdict, book: &mut SiteBook) {
        let Stage::AwaitVerdict(solved) = std::mem::replace(&mut self.stage, Stage::Next) else {
            return;
        };
        // A key's `__nocache` on a type that does not take it changes nothing: a plain sample.
        let nocache = self.attempts.last().is_some_and(|a| a.nocache) && takes_nocache(solved.kind);
        if let Some(site) = &self.site {
            book.record(site, now, nocache, verdict);
        }
        let report = match verdict {
            Verdict::Accepted | Verdict::Unsure => ReportStatus::NotDue,
            Verdict::Rejected => self.plan(now, &solved, book),
        };
        if let Some(attempt) = self.attempts.last_mut() {
            attempt.outcome = AttemptOutcome::Checked { verdict, report };
        }
        if verdict == Verdict::Accepted {
            let accepted = Accepted {
                solved: *solved,
                attempts: self.attempts.clone(),
                warnings: self.warnings.clone(),
            };
            self.outcome = Some(Ok(Box::new(accepted)));
            self.stage = Stage::Finished;
        }
    }

    /// Plans the report of a rejected solve: withheld above the site's ceiling or when the
    /// rules refuse it; otherwise due (the stage says so) and marked unconfirmed until its
    /// answer comes back.
    fn plan(&mut self, now: Instant, solved: &Solved, book: &mut SiteBook) -> ReportStatus {
        let ceiling = self.site.as_ref().and_then(|s| book.report_ceiling(s, now));
        let planned = match ceiling {
            Some(ceiling) => {
                let warning = AcceptWarning::ReportsStopped(ceiling.clone());
                if !self
                    .warnings
                    .iter()
                    .any(|w| matches!(w, AcceptWarning::ReportsStopped(_)))
                {
                    self.warnings.push(warning);
                }
                Err(Withheld::Ceiling(ceiling))
            }
            None => {
                let desk = self.desk.get_or_insert_with(|| ReportDesk::new(now));
                let (kind, id, at) = (solved.kind, solved.task_id, solved.completed_at);
                desk.plan(&self.service, kind, id, at, ReportVerdict::Incorrect, now)
                    .map_err(Withheld::Rules)
            }
        };
        let built =
            planned.and_then(
                |planned| match planned.request.build(&self.service, &self.key) {
                    Ok(request) => Ok((request, planned)),
                    Err(e) => {
                        if let Some(desk) = &mut self.desk {
                            desk.forget(&self.service, solved.task_id);
                        }
                        Err(Withheld::Build(e.to_string()))
                    }
                },
            );
        if let Some(site) = &self.site {
            book.note_report(site, now, built.is_ok());
        }
        match built {
            Ok((request, planned)) => {
                let method = planned.rule.method;
                let time_left = self.policy.report_timeout;
                let out = ReportOut {
                    request,
                    method,
                    time_left,
                };
                self.stage = Stage::ReportDue(Box::new((out, planned)));
                let cause = "sent; no answer yet".to_owned();
                ReportStatus::Unconfirmed { method, cause }
            }
            Err(withheld) => ReportStatus::Withheld(withheld),
        }
    }

    /// What the answer to a report means.
    fn read_report(&mut self, planned: &PlannedReport, input: Input<'_>) -> ReportStatus {
        let method = planned.rule.method;
        let task_id = self.attempts.last().and_then(|a| a.task_id);
        match input {
            Input::Failed(failure) if failure.certainly_not_sent() => {
                if let (Some(desk), Some(id)) = (&mut self.desk, task_id) {
                    desk.forget(&self.service, id);
                }
                ReportStatus::NotDelivered { method, failure }
            }
            Input::Failed(failure) => ReportStatus::Unconfirmed {
                method,
                cause: failure.to_string(),
            },
            Input::Response(response) => match planned.request.parse(&self.service, response) {
                Ok(_) => ReportStatus::Sent {
                    method,
                    warning: planned.warning,
                },
                Err(ResponseError::Api(error)) => ReportStatus::RefusedByService { method, error },
                Err(ResponseError::Unparseable(u)) => ReportStatus::Unconfirmed {
                    method,
                    cause: u.to_string(),
                },
            },
        }
    }

    /// Records the report's final status and moves on to the next attempt.
    fn settle_report(&mut self, status: ReportStatus) {
        if let Some(Attempt {
            outcome: AttemptOutcome::Checked { report, .. },
            ..
        }) = self.attempts.last_mut()
        {
            *report = status;
        }
        self.stage = Stage::Next;
    }

    /// Ends the loop with an error naming every attempt.
    fn fail(&mut self, failure: AcceptFailure) -> AcceptAction {
        let error = AcceptError {
            failure,
            attempts: self.attempts.clone(),
            warnings: self.warnings.clone(),
        };
        let outcome = Err(Box::new(error));
        self.outcome = Some(outcome.clone());
        self.stage = Stage::Finished;
        AcceptAction::Done(outcome)
    }
}

/// `now + d`, or a century on if that overflows.
fn after(now: Instant, d: Duration) -> Instant {
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 24 * 3600)))
        .unwrap_or(now)
}
