//! How the solver reads each answer: createTask's and getTaskResult's.

use std::time::{Duration, Instant};

use super::*;

impl Solver {
    pub(super) fn on_create(&mut self, now: Instant, input: Input<'_>) {
        match self.read_create(input) {
            CreateOutcome::Created(task_id) => {
                self.task_id = Some(task_id);
                // Never sent again: free it for the rest of the solve.
                self.create = None;
                self.created_at = Some(now);
                let mut at = after(now, self.first_delay());
                if at >= self.deadline_or(now) {
                    // createTask took so long that the first poll would fall past the deadline:
                    // poll once now, so the task is at least asked after (and named).
                    at = now;
                }
                self.schedule_poll(now, at);
            }
            CreateOutcome::Refused(error, retry_after) => {
                if self.create_attempts >= self.retry.max_attempts {
                    return self.end(Err(error));
                }
                let mut delay = self
                    .retry
                    .delay(self.create_attempts, self.jitter.next_u64());
                if let Some(asked) = retry_after {
                    delay = delay.max(asked);
                }
                let at = after(now, delay);
                if at >= self.deadline_or(now) {
                    return self.end(Err(error));
                }
                self.state = State::CreateDue(at);
            }
            CreateOutcome::Failed(error) => self.end(Err(error)),
            CreateOutcome::Ambiguous(cause) => {
                let elapsed = self.elapsed(now);
                self.end(Err(SolveError::AmbiguousCreate { cause, elapsed }));
            }
        }
    }

    fn read_create(&self, input: Input<'_>) -> CreateOutcome {
        let response = match input {
            Input::Failed(TransportFailure::ConnectFailed) => {
                return CreateOutcome::Refused(
                    SolveError::Transport {
                        phase: Phase::Create,
                        failure: TransportFailure::ConnectFailed,
                        create_attempts: self.create_attempts,
                    },
                    None,
                );
            }
            Input::Failed(other) => {
                return CreateOutcome::Ambiguous(AmbiguousCause::Transport(other));
            }
            Input::Response(r) => r,
        };
        let retry_after = retry_after(&response);
        let Some(create) = &self.create else {
            unreachable!("CreateSent is only entered by a solver with a task");
        };
        match create.parse(&self.service, response) {
            Ok(task_id) => CreateOutcome::Created(task_id),
            Err(ResponseError::Api(error)) => {
                // An error answer means nothing was created; resend only when it says "not now".
                let refused = error::refusal_is_transient(&error);
                let error = SolveError::Api {
                    phase: Phase::Create,
                    task_id: None,
                    error,
                    create_attempts: self.create_attempts,
                };
                if refused {
                    CreateOutcome::Refused(error, retry_after)
                } else {
                    CreateOutcome::Failed(error)
                }
            }
            Err(ResponseError::Unparseable(u)) if u.status == 429 => CreateOutcome::Refused(
                SolveError::Unparseable {
                    phase: Phase::Create,
                    error: u,
                },
                retry_after,
            ),
            Err(ResponseError::Unparseable(u)) if (400..500).contains(&u.status) => {
                CreateOutcome::Failed(SolveError::Unparseable {
                    phase: Phase::Create,
                    error: u,
                })
            }
            Err(ResponseError::Unparseable(u)) => {
                CreateOutcome::Ambiguous(AmbiguousCause::Response(u))
            }
        }
    }

    /// The delay from the createTask answer to the first poll.
    fn first_delay(&self) -> Duration {
        let table = self.row.first_delay_for(self.nocache);
        match self.learnt_first_delay {
            Some(learnt) if learnt > table => {
                // Leave room for one more poll inside the deadline.
                let room = self.row.deadline.saturating_sub(self.interval);
                learnt.min(room).max(table)
            }
            _ => table,
        }
    }

    pub(super) fn on_poll(&mut self, now: Instant, sent_at: Instant, input: Input<'_>) {
        let Some(task_id) = self.task_id else {
            unreachable!("PollSent is only entered with a task id");
        };
        let response = match input {
            // Lost polls are retried on the schedule; they count toward the cap.
            Input::Failed(failure) => {
                // A poll cut by the deadline itself says nothing new about why the task never
                // came back: keep the cause an earlier poll saw (an HTTP 500, say), if any.
                let cut_by_deadline =
                    failure == TransportFailure::TimedOut && now >= self.deadline_or(now);
                if !(cut_by_deadline && self.last_cause.is_some()) {
                    self.last_cause = Some(failure.to_string());
                }
                return self.poll_again(now, None);
            }
            Input::Response(r) => r,
        };
        let asked = retry_after(&response);
        let too_many = response.status() == http::StatusCode::TOO_MANY_REQUESTS;
        let result = GetTaskResult::new(task_id, self.kind).parse(&self.service, response);
        // HTTP 429 slows polling whatever the body says, even "not ready".
        if too_many
            || matches!(&result, Err(ResponseError::Api(e)) if e.code == ErrorCode::TooMuchRequests)
        {
            self.slow_down();
        }
        self.read_result(now, sent_at, task_id, result, asked);
    }

    /// What a getTaskResult answer (polled for at `sent_at`, or delivered) means for the solve;
    /// `asked` is the answer's `Retry-After`.
    pub(super) fn read_result(
        &mut self,
        now: Instant,
        sent_at: Instant,
        task_id: TaskId,
        result: Result<TaskResult, ResponseError>,
        asked: Option<Duration>,
    ) {
        match result {
            Ok(TaskResult::Processing) => {
                self.last_not_ready = Some(sent_at);
                self.last_cause = None;
                self.poll_again(now, None);
            }
            // A solution that lacks its answer, or that echoes the key or a proxy password (no
            // real token does), is not handed out: it ends the solve, scrubbed, naming the task.
            Ok(TaskResult::Ready(ready))
                if ready.lacks_main_value(self.kind) || self.echoes_a_secret(&ready) =>
            {
                let raw = ready.raw_json().to_owned();
                self.end(Err(SolveError::NoSolution { task_id, raw }));
            }
            Ok(TaskResult::Ready(ready)) => {
                let solved = self.solved(now, sent_at, task_id, *ready);
                self.end(Ok(solved));
            }
            Err(ResponseError::Api(error)) => match error.class() {
                ErrorClass::NotReady => {
                    self.last_not_ready = Some(sent_at);
                    self.last_cause = None;
                    self.poll_again(now, None);
                }
                ErrorClass::RetryCall => {
                    self.last_cause = Some(error.to_string());
                    self.poll_again(now, asked);
                }
                ErrorClass::RetryTask | ErrorClass::FatalTask | ErrorClass::FatalConfig => {
                    self.end(Err(self.poll_error(task_id, error)));
                }
            },
            Err(ResponseError::Unparseable(u)) => {
                self.last_cause = Some(u.to_string());
                self.poll_again(now, asked);
            }
        }
    }

    fn poll_error(&self, task_id: TaskId, error: ApiError) -> SolveError {
        SolveError::Api {
            phase: Phase::Poll,
            task_id: Some(task_id),
            error,
            create_attempts: self.create_attempts,
        }
    }

    /// ERROR_TOO_MUCH_REQUESTS or HTTP 429 while polling: at least the documented 2 s, and half
    /// as long again each time, up to 10 s (or the table's interval if longer).
    fn slow_down(&mut self) {
        let ceiling = Duration::from_secs(10).max(self.row.interval);
        self.interval = (self.interval.saturating_add(self.interval / 2))
            .max(DOCUMENTED_MIN_INTERVAL)
            .min(ceiling);
    }

    fn poll_again(&mut self, now: Instant, asked: Option<Duration>) {
        let wait = asked.map_or(self.interval, |a| a.max(self.interval));
        self.schedule_poll(now, after(now, wait));
    }

    fn schedule_poll(&mut self, now: Instant, at: Instant) {
        let at = self.fallback_poll_at(now, at);
        let Some(task_id) = self.task_id else {
            unreachable!("polls are only scheduled with a task id");
        };
        if self.polls >= self.max_polls {
            let polls = self.polls;
            self.end(Err(SolveError::PollLimit { task_id, polls }));
        } else if at >= self.deadline_or(now) {
            let error = self.timeout(now);
            self.end(Err(error));
        } else {
            self.state = State::PollDue(at);
        }
    }

    fn solved(&self, now: Instant, sent_at: Instant, task_id: TaskId, ready: Ready) -> Solved {
        let created = self.created_at.unwrap_or(sent_at);
        Solved {
            cost: ready.cost(),
            ready,
            task_id,
            kind: self.kind,
            create_attempts: self.create_attempts,
            polls: self.polls,
            ready_after: sent_at.saturating_duration_since(created),
            not_ready_after: self
                .last_not_ready
                .map(|t| t.saturating_duration_since(created)),
            returned_after: now.saturating_duration_since(created),
            completed_at: now,
        }
    }
}
