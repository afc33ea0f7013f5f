//! Properties of the acceptance loop in virtual time, over random services, task kinds,
//! verdicts, check times, solve failures, report failures and site policies: no report outside
//! the service's rules, none for a token that was not rejected, never more tasks than the
//! policy allows, and every task id created in the result or the error.

mod accept_support;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use accept_support::{Solve, World};
use capmonster_proto::accept::{
    AcceptPolicy, Acceptor, AttemptOutcome, SiteBook, SitePolicy, Verdict,
};
use capmonster_proto::report::{ReportVerdict, report_rules};
use capmonster_proto::solver::{Policy, TransportFailure};
use capmonster_proto::{
    ClientKey, Service,
    task::{
        HCaptchaTask, ImageToTextTask, RecaptchaV2Task, RecaptchaV3Task, Task, TaskKind,
        TurnstileTask,
    },
};
use proptest::prelude::*;

fn service(i: usize) -> Service {
    match i {
        0 => Service::capmonster(),
        1 => Service::anti_captcha(),
        _ => Service::two_captcha(),
    }
}

fn task(i: usize, site: usize) -> Task {
    let url = format!("https://site{site}.example/page");
    match i {
        0 => RecaptchaV2Task::new(url, "6LcKEY").into(),
        1 => RecaptchaV3Task::new(url, "6LcKEY").into(),
        2 => TurnstileTask::new(url, "0x4AAA").into(),
        3 => HCaptchaTask::new(url, "hkey").into(),
        _ => ImageToTextTask::from_image_bytes(&[7u8; 200]).into(),
    }
}

fn verdict(i: u8) -> Verdict {
    match i % 3 {
        0 => Verdict::Accepted,
        1 => Verdict::Rejected,
        _ => Verdict::Unsure,
    }
}

fn solve(i: u8) -> Solve {
    match i % 8 {
        0 => Solve::Unsolvable,
        1 if i > 200 => Solve::ZeroBalance,
        _ => Solve::Ready,
    }
}

#[derive(Debug, Clone)]
struct Case {
    service: usize,
    kinds: Vec<(usize, usize)>,
    verdicts: Vec<u8>,
    check_secs: Vec<u64>,
    solves: Vec<u8>,
    max_attempts: u32,
    deadline_secs: u64,
    report_failure: u8,
    nocache_min: usize,
    ceiling: f64,
    ceiling_min: usize,
}

fn case() -> impl Strategy<Value = Case> {
    (
        0usize..3,
        prop::collection::vec((0usize..5, 0usize..3), 1..5),
        prop::collection::vec(any::<u8>(), 0..40),
        prop::collection::vec(0u64..130, 0..40),
        prop::collection::vec(any::<u8>(), 0..40),
        1u32..8,
        30u64..1500,
        0u8..6,
        (1usize..6, 0.2f64..1.0, 1usize..8),
    )
        .prop_map(
            |(service, kinds, verdicts, check_secs, solves, max, deadline, rf, (nm, c, cm))| Case {
                service,
                kinds,
                verdicts,
                check_secs,
                solves,
                max_attempts: max,
                deadline_secs: deadline,
                report_failure: rf,
                nocache_min: nm,
                ceiling: c,
                ceiling_min: cm,
            },
        )
}

fn world(case: &Case, t0: Instant) -> World {
    let mut world = World::new(t0);
    world.verdicts = case.verdicts.iter().map(|v| verdict(*v)).collect();
    world.check_times = case
        .check_secs
        .iter()
        .map(|s| Duration::from_secs(*s))
        .collect();
    world.solves = case.solves.iter().map(|s| solve(*s)).collect();
    world.report_failure = match case.report_failure {
        0 => Some(TransportFailure::ConnectFailed),
        1 => Some(TransportFailure::TimedOut),
        _ => None,
    };
    world
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn the_loop_keeps_the_rules_the_limits_and_every_task_id(case in case()) {
        let t0 = Instant::now();
        let key = ClientKey::new("0123456789abcdef").unwrap();
        let service = service(case.service);
        let dialect = service.dialect();
        let site_policy = SitePolicy::default()
            .with_nocache_threshold(0.5, case.nocache_min)
            .with_report_ceiling(case.ceiling, case.ceiling_min);
        let mut book = SiteBook::new(site_policy);
        let mut world = world(&case, t0);
        let policy = AcceptPolicy::default()
            .with_max_attempts(case.max_attempts)
            .with_deadline(Duration::from_secs(case.deadline_secs));
        let mut kinds = std::collections::HashMap::new();
        for (kind, site) in &case.kinds {
            let task = task(*kind, *site);
            let kind = task.kind();
            let created_before = world.created.len();
            let accept = Acceptor::new(task, &key, &service, &Policy::default(), &policy);
            let outcome = world.run(accept, &mut book);
            let created: Vec<u64> = world.created[created_before..].to_vec();
            for id in &created {
                kinds.insert(*id, kind);
            }
            // Never more tasks than the policy allows.
            prop_assert!(created.len() <= case.max_attempts as usize);
            let (ids, attempts) = match &outcome {
                Ok(a) => (a.task_ids(), a.attempts.len()),
                Err(e) => (e.task_ids(), e.attempts.len()),
            };
            prop_assert!(attempts <= case.max_attempts as usize);
            let history = match &outcome {
                Ok(a) => &a.attempts,
                Err(e) => &e.attempts,
            };
            prop_assert!(history.iter().all(|a| !matches!(a.outcome, AttemptOutcome::InProgress)));
            // Every task id created is in the result or the error.
            prop_assert_eq!(ids, created);
            if let Err(e) = &outcome {
                let text = e.to_string();
                for id in e.task_ids() {
                    prop_assert!(text.contains(&id.to_string()), "{}", text);
                }
            }
        }
        // No report outside the rules, none for a token that was not rejected, one per task.
        let mut reported = HashSet::new();
        for report in &world.reports {
            prop_assert!(reported.insert(report.task_id), "reported twice: {:?}", report);
            let kind: TaskKind = kinds[&report.task_id];
            let (_, completed_at, verdict) = world
                .checks
                .iter()
                .find(|(id, _, _)| *id == report.task_id)
                .copied()
                .expect("a reported task was checked");
            prop_assert_eq!(verdict, Verdict::Rejected);
            let rule = report_rules(dialect)
                .iter()
                .find(|r| r.verdict == ReportVerdict::Incorrect && r.kinds.contains(kind));
            let rule = rule.expect("a rule covers the reported kind");
            prop_assert_eq!(rule.method, report.method.as_str());
            let elapsed = report.at.saturating_duration_since(completed_at);
            prop_assert!(rule.window.is_none_or(|w| elapsed <= w), "{:?} late: {:?}", report, elapsed);
        }
        // nocache only where the type takes it (the tasks here never ask for it themselves).
        for (id, task) in world.created.iter().zip(&world.tasks) {
            if task["nocache"] == serde_json::json!(true) {
                prop_assert!(matches!(kinds[id], TaskKind::RecaptchaV2 | TaskKind::RecaptchaV3));
            }
        }
        // A rejection that went unreported says why.
        let withheld: u64 = book.snapshot(world.now).iter().map(|s| s.reports_withheld).sum();
        let sites_reported: u64 = book.snapshot(world.now).iter().map(|s| s.reports_sent).sum();
        prop_assert!(sites_reported as usize <= world.checks.len());
        prop_assert!(withheld as usize <= world.checks.len());
    }
}
