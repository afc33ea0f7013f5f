//! The report desk: one client's report bookkeeping under the service's rules.

use std::time::{Duration, Instant};

use crate::client_error::ClientError;
use crate::endpoint::TaskId;
use crate::report::{PlannedReport, ReportLedger, ReportRefused, ReportVerdict, plan_report};
use crate::service::Service;
use crate::task::TaskKind;

/// Report bookkeeping for one client: which tasks were reported, and the epoch that turns
/// instants into the durations the rules are written in.
#[derive(Debug)]
pub(crate) struct ReportDesk {
    ledger: ReportLedger,
    epoch: Instant,
}

impl ReportDesk {
    /// A desk whose clock starts at `epoch` (any instant before the first solve).
    pub(crate) fn new(epoch: Instant) -> Self {
        Self {
            ledger: ReportLedger::new(),
            epoch,
        }
    }

    /// Plans a report of a task known only by its id and kind (say, from a command line), taking
    /// `completed_at` as its completion time.
    pub(crate) fn plan(
        &mut self,
        service: &Service,
        kind: TaskKind,
        task_id: TaskId,
        completed_at: Instant,
        verdict: ReportVerdict,
        now: Instant,
    ) -> Result<PlannedReport, ReportRefused> {
        let (completed, now) = (self.since(completed_at), self.since(now));
        plan_report(
            service.dialect(),
            verdict,
            kind,
            task_id,
            completed,
            now,
            &mut self.ledger,
        )
    }

    /// `t` as a duration on the rules' clock. The clock starts a year before the epoch, so
    /// instants before the desk was made (a task completed earlier) still order correctly.
    fn since(&self, t: Instant) -> Duration {
        const OFFSET: Duration = Duration::from_secs(365 * 24 * 3600);
        match t.checked_duration_since(self.epoch) {
            Some(after) => OFFSET + after,
            None => OFFSET.saturating_sub(self.epoch.duration_since(t)),
        }
    }

    /// Forgets a planned report whose request never left (so it may be planned again).
    pub(crate) fn forget(&mut self, service: &Service, task_id: TaskId) {
        self.ledger.forget(service.dialect(), task_id);
    }

    /// Settles a planned report once its request is done: when the request certainly never
    /// reached the service (the connection failed), the report is forgotten and may be sent
    /// again; any other outcome keeps it recorded.
    pub(crate) fn settle<T>(
        &mut self,
        service: &Service,
        task_id: TaskId,
        outcome: &Result<T, ClientError>,
    ) {
        if matches!(outcome, Err(e) if e.is_connect()) {
            self.forget(service, task_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::RefusalReason;

    #[test]
    fn desk_refuses_a_second_report() {
        let t0 = Instant::now();
        let mut desk = ReportDesk::new(t0);
        let service = Service::default();
        let first = desk.plan(
            &service,
            TaskKind::ImageToText,
            7,
            t0,
            ReportVerdict::Incorrect,
            t0 + Duration::from_secs(1),
        );
        assert!(first.is_ok());
        let second = desk
            .plan(
                &service,
                TaskKind::ImageToText,
                7,
                t0,
                ReportVerdict::Incorrect,
                t0 + Duration::from_secs(2),
            )
            .unwrap_err();
        assert_eq!(second.reason, RefusalReason::AlreadyReported);
        let late = t0.checked_sub(Duration::from_secs(61)).unwrap_or(t0);
        if late < t0 {
            let refused = desk
                .plan(
                    &Service::anti_captcha(),
                    TaskKind::RecaptchaV2,
                    8,
                    late,
                    ReportVerdict::Incorrect,
                    t0,
                )
                .unwrap_err();
            assert_eq!(
                refused.reason,
                RefusalReason::WindowClosed,
                "completed before the desk"
            );
        }
        let never_sent: Result<(), ClientError> = Err(ClientError::Transport {
            error: crate::TransportError::new(crate::solver::TransportFailure::TimedOut, ""),
            phase: None,
        });
        desk.settle(&service, 7, &never_sent);
        assert!(
            desk.plan(
                &service,
                TaskKind::ImageToText,
                7,
                t0,
                ReportVerdict::Incorrect,
                t0
            )
            .is_err(),
            "a timed-out report may have arrived: it stays recorded"
        );
        let refused: Result<(), ClientError> = Err(ClientError::Transport {
            error: crate::TransportError::new(crate::solver::TransportFailure::ConnectFailed, ""),
            phase: None,
        });
        desk.settle(&service, 7, &refused);
        assert!(
            desk.plan(
                &service,
                TaskKind::ImageToText,
                7,
                t0,
                ReportVerdict::Incorrect,
                t0 + Duration::from_secs(3)
            )
            .is_ok()
        );
    }
}
