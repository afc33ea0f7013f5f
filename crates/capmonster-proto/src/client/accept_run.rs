//! One acceptance loop driven by a front end: [`AcceptRun`] over the core's
//! [`Acceptor`](crate::accept::Acceptor), made by [`Shared::accept`].

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::run::{ExchangeFailure, Shared};
use crate::accept::{AcceptAction, AcceptError, Accepted, Acceptor, SiteBook, Verdict};
use crate::solver::Solved;

/// One acceptance loop driven by a front end: the core's [`Acceptor`] with the site book it
/// lends (locked only inside each call, never across I/O).
///
/// ```text
/// loop {
///     match run.poll(now) {
///         AcceptStep::Send { request, limit } => run.answer(now, exchange(request, limit)),
///         AcceptStep::Wait(until) => sleep until `until`,
///         AcceptStep::Check(solved) => run.verdict(now, check(&solved)),
///         AcceptStep::Done(result) => return result,
///     }
/// }
/// ```
#[derive(Debug)]
pub struct AcceptRun<'a> {
    pub(super) shared: &'a Shared,
    pub(super) acceptor: Acceptor,
    pub(super) book: &'a Mutex<SiteBook>,
}

/// What a front end does next for an [`AcceptRun`].
#[derive(Debug)]
#[must_use]
// `Send` is the common step and is moved straight into the exchange: boxing it would only add
// an allocation per request.
#[allow(clippy::large_enum_variant)]
pub enum AcceptStep {
    /// Send `request` (a solve's call or a report), cutting the exchange at `limit`, then call
    /// [`AcceptRun::answer`].
    Send {
        /// The request.
        request: http::Request<Vec<u8>>,
        /// The most the exchange may take.
        limit: Duration,
    },
    /// Sleep until this instant, then poll again.
    Wait(Instant),
    /// Submit this solve's token to the site, then call [`AcceptRun::verdict`].
    Check(Box<Solved>),
    /// The loop is over: the accepted solve with its history, or the error naming every task.
    Done(Result<Box<Accepted>, Box<AcceptError>>),
}

impl AcceptRun<'_> {
    /// What to do next.
    pub fn poll(&mut self, now: Instant) -> AcceptStep {
        let action = self.acceptor.poll(
            now,
            &mut self.book.lock().unwrap_or_else(PoisonError::into_inner),
        );
        match action {
            AcceptAction::Send(out) => AcceptStep::Send {
                limit: self.shared.config.request_limit(Some(out.time_left)),
                request: out.request,
            },
            AcceptAction::Report(out) => AcceptStep::Send {
                limit: out.time_left,
                request: out.request,
            },
            AcceptAction::Wait(until) => AcceptStep::Wait(until),
            AcceptAction::Check(solved) => AcceptStep::Check(solved),
            AcceptAction::Done(result) => {
                let secrets: Vec<&str> = self.shared.secrets.iter().map(String::as_str).collect();
                AcceptStep::Done(
                    result
                        .map(|ok| Box::new(ok.scrubbed(&secrets)))
                        .map_err(|e| Box::new(e.scrubbed(&secrets))),
                )
            }
        }
    }

    /// Hands the answer to the last [`AcceptStep::Send`] to the loop.
    pub fn answer(
        &mut self,
        now: Instant,
        answer: Result<http::Response<Vec<u8>>, ExchangeFailure>,
    ) {
        match answer {
            Ok(response) => self.acceptor.handle_response(now, &response),
            Err(failure) => self
                .acceptor
                .handle_response(now, failure.into_solver_input().0),
        }
    }

    /// Hands the site's verdict on the last [`AcceptStep::Check`] to the loop.
    pub fn verdict(&mut self, now: Instant, verdict: Verdict) {
        let mut book = self.book.lock().unwrap_or_else(PoisonError::into_inner);
        self.acceptor.handle_verdict(now, verdict, &mut book);
    }
}
