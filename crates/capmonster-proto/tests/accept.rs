//! The acceptance loop (issue 17): nocache by site, report rules, the report ceiling, the
//! statistics' JSON, on a virtual clock against a fake service.

mod accept_support;

use std::time::{Duration, Instant};

use accept_support::{Solve, World};
use capmonster_proto::accept::{
    AcceptFailure, AcceptPolicy, AcceptWarning, Acceptor, AttemptOutcome, ReportStatus, SiteBook,
    SiteKey, SitePolicy, Verdict, Withheld,
};
use capmonster_proto::report::RefusalReason;
use capmonster_proto::solver::{Policy, TransportFailure};
use capmonster_proto::{
    ClientKey, Service,
    task::{ImageToTextTask, RecaptchaV2Task, TurnstileTask},
};

const URL: &str = "https://Shop.Example/login";

fn key() -> ClientKey {
    ClientKey::new("0123456789abcdef").unwrap()
}

fn acceptor(
    task: impl Into<capmonster_proto::task::Task>,
    service: &Service,
    max: u32,
) -> Acceptor {
    Acceptor::new(
        task.into(),
        &key(),
        service,
        &Policy::default(),
        &AcceptPolicy::default().with_max_attempts(max),
    )
}

fn site() -> SiteKey {
    SiteKey::new(URL, "6LcKEY")
}

#[test]
fn nocache_switches_on_at_the_threshold_for_recaptcha() {
    let mut world = World::new(Instant::now());
    let mut book = SiteBook::new(SitePolicy::default());
    let task = RecaptchaV2Task::new(URL, "6LcKEY");
    let error = world
        .run(acceptor(task, &Service::default(), 10), &mut book)
        .unwrap_err();
    assert!(matches!(
        error.failure,
        AcceptFailure::AttemptsExhausted { max_attempts: 10 }
    ));
    let nocache: Vec<bool> = error.attempts.iter().map(|a| a.nocache).collect();
    // Default: 50% rejected over at least 8 tokens solved without nocache.
    assert_eq!(nocache, [vec![false; 8], vec![true; 2]].concat());
    let sent: Vec<bool> = world
        .tasks
        .iter()
        .map(|t| t["nocache"] == serde_json::json!(true))
        .collect();
    assert_eq!(sent, nocache, "the createTask bodies carry the field");
    let reason = error.attempts[8].nocache_reason.as_deref().unwrap();
    assert!(reason.contains("8 of the last 8"), "{reason}");
    let snapshot = book.snapshot(world.now);
    assert_eq!(snapshot.len(), 1);
    assert_eq!(snapshot[0].site, site());
    assert!(snapshot[0].nocache_on);
    assert_eq!(snapshot[0].plain_samples, 8);
    assert_eq!(snapshot[0].nocache_samples, 2);
    assert!(snapshot[0].nocache_reason.is_some());
}

#[test]
fn nocache_stays_off_below_the_threshold_and_after_the_window() {
    let t0 = Instant::now();
    let mut world = World::new(t0);
    let mut book = SiteBook::new(SitePolicy::default());
    // Alternate accept/reject over separate loops: 4 of 8 is exactly the threshold.
    for i in 0..8 {
        world.verdicts.push(if i % 2 == 0 {
            Verdict::Rejected
        } else {
            Verdict::Accepted
        });
    }
    for _ in 0..7 {
        let task = RecaptchaV2Task::new(URL, "6LcKEY");
        let _ = world.run(acceptor(task, &Service::default(), 1), &mut book);
    }
    assert!(book.nocache_advice(&site(), world.now).is_none(), "7 < 8");
    let task = RecaptchaV2Task::new(URL, "6LcKEY");
    let _ = world.run(acceptor(task, &Service::default(), 1), &mut book);
    assert!(book.nocache_advice(&site(), world.now).is_some(), "4/8");
    let later = world.now + Duration::from_secs(3601);
    assert!(
        book.nocache_advice(&site(), later).is_none(),
        "once the plain verdicts age out, the site is tried without nocache again"
    );
}

#[test]
fn turnstile_never_gets_nocache_and_says_why() {
    let mut world = World::new(Instant::now());
    let mut book = SiteBook::new(SitePolicy::default());
    let task = TurnstileTask::new(URL, "6LcKEY");
    let error = world
        .run(acceptor(task, &Service::default(), 10), &mut book)
        .unwrap_err();
    assert!(error.attempts.iter().all(|a| !a.nocache));
    assert!(world.tasks.iter().all(|t| t.get("nocache").is_none()));
    assert!(
        error
            .warnings
            .iter()
            .any(|w| matches!(w, AcceptWarning::NocacheNotTaken { .. })),
        "{:?}",
        error.warnings
    );
    assert!(book.snapshot(world.now)[0].nocache_on, "the site's advice");
}

#[test]
fn anti_captcha_refuses_a_turnstile_report_with_the_reason() {
    let mut world = World::new(Instant::now());
    let mut book = SiteBook::new(SitePolicy::default());
    let task = TurnstileTask::new(URL, "0x4AAA");
    let error = world
        .run(acceptor(task, &Service::anti_captcha(), 1), &mut book)
        .unwrap_err();
    assert!(world.reports.is_empty());
    let report = error.attempts[0].report().unwrap();
    let ReportStatus::Withheld(Withheld::Rules(refused)) = report else {
        panic!("expected a refusal by the rules, got {report:?}");
    };
    assert_eq!(refused.reason, RefusalReason::KindNotAllowed);
    assert!(
        report_text(report).contains("no Incorrect report method takes this task kind"),
        "{}",
        report_text(report)
    );
    assert_eq!(book.snapshot(world.now)[0].reports_withheld, 1);
}

fn report_text(report: &ReportStatus) -> String {
    match report {
        ReportStatus::Withheld(w) => w.to_string(),
        other => format!("{other:?}"),
    }
}

#[test]
fn anti_captcha_reports_recaptcha_within_60_s_only() {
    let mut world = World::new(Instant::now());
    let mut book = SiteBook::new(SitePolicy::default());
    world.check_times = vec![Duration::from_secs(30), Duration::from_secs(61)];
    let task = RecaptchaV2Task::new(URL, "6LcKEY");
    let error = world
        .run(acceptor(task, &Service::anti_captcha(), 2), &mut book)
        .unwrap_err();
    assert_eq!(world.reports.len(), 1);
    assert_eq!(world.reports[0].method, "reportIncorrectRecaptcha");
    assert_eq!(world.reports[0].task_id, world.created[0]);
    assert!(matches!(
        error.attempts[0].report(),
        Some(ReportStatus::Sent { .. })
    ));
    let Some(ReportStatus::Withheld(Withheld::Rules(late))) = error.attempts[1].report() else {
        panic!("{:?}", error.attempts[1]);
    };
    assert_eq!(late.reason, RefusalReason::WindowClosed);
}

#[test]
fn the_ceiling_stops_reports_with_a_warning() {
    let mut world = World::new(Instant::now());
    let mut book = SiteBook::new(SitePolicy::default());
    let task = RecaptchaV2Task::new(URL, "6LcKEY");
    let policy = AcceptPolicy::default()
        .with_max_attempts(24)
        .with_deadline(Duration::from_secs(3600));
    let accept = Acceptor::new(
        task,
        &key(),
        &Service::default(),
        &Policy::default(),
        &policy,
    );
    let error = world.run(accept, &mut book).unwrap_err();
    assert_eq!(error.attempts.len(), 24);
    // Default: 90% over at least 20 checked tokens; the 20th rejection reaches it.
    assert_eq!(world.reports.len(), 19);
    assert!(
        world
            .reports
            .iter()
            .all(|r| r.method == "reportIncorrectTokenCaptcha")
    );
    for attempt in &error.attempts[19..] {
        assert!(
            matches!(
                attempt.report(),
                Some(ReportStatus::Withheld(Withheld::Ceiling(_)))
            ),
            "{attempt:?}"
        );
    }
    let warning = error
        .warnings
        .iter()
        .find(|w| matches!(w, AcceptWarning::ReportsStopped(_)))
        .expect("a warning");
    let text = warning.to_string();
    assert!(text.contains("20 of the last 20"), "{text}");
    assert!(text.contains("proxy") && text.contains("ignored"), "{text}");
    let snapshot = &book.snapshot(world.now)[0];
    assert!(snapshot.reports_stopped);
    assert_eq!((snapshot.reports_sent, snapshot.reports_withheld), (19, 5));
}

#[test]
fn unsure_is_never_reported_and_accepted_ends_the_loop() {
    let mut world = World::new(Instant::now());
    let mut book = SiteBook::new(SitePolicy::default());
    world.verdicts = vec![Verdict::Unsure, Verdict::Rejected, Verdict::Accepted];
    let task = RecaptchaV2Task::new(URL, "6LcKEY");
    let accepted = world
        .run(acceptor(task, &Service::default(), 5), &mut book)
        .unwrap();
    assert_eq!(accepted.task_ids(), world.created);
    assert_eq!(accepted.solved.task_id, world.created[2]);
    let verdicts: Vec<_> = accepted.attempts.iter().map(|a| a.verdict()).collect();
    assert_eq!(
        verdicts,
        [
            Some(Verdict::Unsure),
            Some(Verdict::Rejected),
            Some(Verdict::Accepted)
        ]
    );
    assert_eq!(world.reports.len(), 1);
    assert_eq!(world.reports[0].task_id, world.created[1]);
    assert_eq!(
        accepted.attempts[0].report(),
        Some(&ReportStatus::NotDue),
        "unsure"
    );
    let snap = &book.snapshot(world.now)[0];
    assert_eq!(
        (snap.accepted_total, snap.rejected_total, snap.unsure_total),
        (1, 1, 1)
    );
    assert_eq!(snap.plain_samples, 2, "unsure is not a sample");
}

#[test]
fn a_report_that_never_left_is_not_delivered_and_an_image_task_has_no_site() {
    let mut world = World::new(Instant::now());
    let mut book = SiteBook::new(SitePolicy::default());
    world.report_failure = Some(TransportFailure::ConnectFailed);
    let task = ImageToTextTask::from_image_bytes(&[0u8; 200]);
    let accept = acceptor(task, &Service::default(), 1);
    assert!(accept.site().is_none());
    let error = world.run(accept, &mut book).unwrap_err();
    assert!(matches!(
        error.attempts[0].report(),
        Some(ReportStatus::NotDelivered {
            method: "reportIncorrectImageCaptcha",
            ..
        })
    ));
    assert!(book.is_empty());
}

#[test]
fn solve_errors_retry_or_end_and_the_error_names_every_task() {
    let mut world = World::new(Instant::now());
    let mut book = SiteBook::new(SitePolicy::default());
    world.solves = vec![Solve::Unsolvable, Solve::Ready, Solve::ZeroBalance];
    world.verdicts = vec![Verdict::Rejected];
    let task = RecaptchaV2Task::new(URL, "6LcKEY");
    let error = world
        .run(acceptor(task, &Service::default(), 5), &mut book)
        .unwrap_err();
    assert!(matches!(error.failure, AcceptFailure::Solve(_)));
    assert_eq!(error.attempts.len(), 3);
    assert!(matches!(
        error.attempts[0].outcome,
        AttemptOutcome::Failed(_)
    ));
    assert_eq!(error.task_ids(), world.created);
    let text = error.to_string();
    for id in &world.created {
        assert!(text.contains(&id.to_string()), "{text}");
    }
}

#[test]
fn the_deadline_stops_new_attempts() {
    let mut world = World::new(Instant::now());
    let mut book = SiteBook::new(SitePolicy::default());
    world.check_times = vec![Duration::from_secs(50); 10];
    let task = RecaptchaV2Task::new(URL, "6LcKEY");
    let policy = AcceptPolicy::default().with_deadline(Duration::from_secs(120));
    let accept = Acceptor::new(
        task,
        &key(),
        &Service::default(),
        &Policy::default(),
        &policy,
    );
    let error = world.run(accept, &mut book).unwrap_err();
    assert!(matches!(error.failure, AcceptFailure::Deadline { .. }));
    assert_eq!(error.attempts.len(), 3, "{error}");
}

#[test]
fn the_statistics_save_and_restore_as_json() {
    let t0 = Instant::now();
    let mut world = World::new(t0);
    let mut book = SiteBook::new(SitePolicy::default());
    let task = RecaptchaV2Task::new(URL, "6LcKEY");
    let _ = world.run(acceptor(task, &Service::default(), 10), &mut book);
    let other = TurnstileTask::new("https://other.example", "0x4");
    world.verdicts = vec![Verdict::Accepted; 20];
    let _ = world.run(acceptor(other, &Service::default(), 1), &mut book);
    let text = book.to_json(world.now);
    let restored = SiteBook::from_json(&text, SitePolicy::default(), world.now).unwrap();
    assert_eq!(restored.snapshot(world.now), book.snapshot(world.now));
    assert_eq!(
        restored.to_json(world.now),
        text,
        "a second save is the same"
    );
    // Two hours on, the window has moved on; the totals stay.
    let later = world.now + Duration::from_secs(7200);
    assert!(restored.snapshot(later).iter().all(|s| !s.nocache_on));
    assert_eq!(restored.snapshot(later)[1].rejected_total, 10);
    // Restored after a downtime, the ages count from the restore: the downtime is not counted.
    let after_downtime = SiteBook::from_json(&text, SitePolicy::default(), later).unwrap();
    assert_eq!(after_downtime.snapshot(later), book.snapshot(world.now));
    // Bounded by the policy it is restored under.
    let small = SitePolicy::default()
        .with_max_sites(1)
        .with_window(3, Duration::from_secs(3600));
    let cut = SiteBook::from_json(&text, small, world.now).unwrap();
    assert_eq!(cut.len(), 1);
    assert!(cut.snapshot(world.now)[0].plain_samples <= 3);
    let error = SiteBook::from_json("{\"version\":1}", SitePolicy::default(), t0).unwrap_err();
    assert!(error.contains("site statistics"), "{error}");
    assert!(SiteBook::from_json("[]", SitePolicy::default(), t0).is_err());
}

#[test]
fn the_book_keeps_at_most_max_sites_least_recently_used_out() {
    let t0 = Instant::now();
    let mut book = SiteBook::new(SitePolicy::default().with_max_sites(2));
    let (a, b, c) = (
        SiteKey::new("a.example", "k"),
        SiteKey::new("b.example", "k"),
        SiteKey::new("c.example", "k"),
    );
    book.record(&a, t0, false, Verdict::Rejected);
    book.record(&b, t0, false, Verdict::Rejected);
    book.record(&a, t0, false, Verdict::Accepted);
    book.record(&c, t0, false, Verdict::Rejected);
    let sites: Vec<SiteKey> = book.snapshot(t0).into_iter().map(|s| s.site).collect();
    assert_eq!(sites, vec![a, c], "b was the least recently used");
}

#[test]
fn a_report_with_no_answer_is_unconfirmed_at_its_time_limit_and_the_loop_moves_on() {
    use capmonster_proto::accept::AcceptAction;
    let t0 = Instant::now();
    let mut book = SiteBook::new(SitePolicy::default());
    let policy = AcceptPolicy::default()
        .with_max_attempts(1)
        .with_report_timeout(Duration::from_secs(15));
    let task = RecaptchaV2Task::new(URL, "6LcKEY");
    let mut accept = Acceptor::new(
        task,
        &key(),
        &Service::default(),
        &Policy::default(),
        &policy,
    );
    let mut world = World::new(t0);
    let mut now = t0;
    let until = loop {
        match accept.poll(now, &mut book) {
            AcceptAction::Send(out) => {
                now += Duration::from_millis(100);
                let response = world.answer_for_test(&out.request);
                accept.handle_response(now, &response);
            }
            AcceptAction::Wait(t) => now = t,
            AcceptAction::Check(_) => accept.handle_verdict(now, Verdict::Rejected, &mut book),
            AcceptAction::Report(out) => {
                assert_eq!(out.time_left, Duration::from_secs(15));
                assert!(format!("{out:?}").contains("reportIncorrectTokenCaptcha"));
                assert!(
                    !format!("{out:?}").contains("0123456789abcdef"),
                    "no key in Debug"
                );
                break now + out.time_left;
            }
            AcceptAction::Done(outcome) => panic!("ended early: {outcome:?}"),
        }
    };
    assert!(matches!(accept.poll(now, &mut book), AcceptAction::Wait(t) if t == until));
    let AcceptAction::Done(Err(error)) = accept.poll(until, &mut book) else {
        panic!("the loop ends after the report's time limit");
    };
    assert!(matches!(
        error.attempts[0].report(),
        Some(ReportStatus::Unconfirmed {
            method: "reportIncorrectTokenCaptcha",
            ..
        })
    ));
    assert!(
        error
            .to_string()
            .contains("no accepted answer after 1 task:"),
        "{error}"
    );
}

#[test]
fn the_loop_and_the_book_can_move_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Acceptor>();
    send_sync::<SiteBook>();
    send_sync::<capmonster_proto::accept::AcceptError>();
}

#[test]
fn the_history_reads_out_as_json_and_text() {
    let mut world = World::new(Instant::now());
    let mut book = SiteBook::new(SitePolicy::default());
    world.verdicts = vec![Verdict::Rejected, Verdict::Accepted];
    let task = TurnstileTask::new(URL, "0x4AAA");
    let accepted = world
        .run(acceptor(task, &Service::anti_captcha(), 3), &mut book)
        .unwrap();
    let history: Vec<serde_json::Value> = accepted.attempts.iter().map(|a| a.to_json()).collect();
    assert_eq!(history[0]["taskId"], serde_json::json!(world.created[0]));
    assert_eq!(history[0]["verdict"], "rejected");
    assert_eq!(history[0]["nocache"], false);
    assert_eq!(history[0]["report"]["status"], "withheld");
    assert!(
        history[0]["report"]["detail"]
            .as_str()
            .unwrap()
            .contains("refused locally on Anti-Captcha"),
        "{}",
        history[0]
    );
    assert_eq!(history[1]["verdict"], "accepted");
    assert_eq!(history[1]["report"]["status"], "not-due");
    assert!(history[1]["error"].is_null());
}

/// Accepted tokens per created task over `loops` loops on a site that accepts 30% of plain
/// tokens and 90% of nocache ones.
fn tokens_per_task(loops: usize, always_nocache: bool) -> f64 {
    let mut world = World::new(Instant::now());
    world.site = Some((0.3, 0.9, 0x9e37_79b9_7f4a_7c15));
    let mut book = SiteBook::new(SitePolicy::default());
    let mut accepted = 0;
    for _ in 0..loops {
        let task = RecaptchaV2Task::new(URL, "6LcKEY").with_nocache(always_nocache);
        if world
            .run(acceptor(task, &Service::default(), 5), &mut book)
            .is_ok()
        {
            accepted += 1;
        }
    }
    f64::from(accepted) / world.created.len() as f64
}

#[test]
fn on_a_site_where_nocache_helps_the_loop_comes_close_to_always_nocache() {
    let always = tokens_per_task(300, true);
    let looped = tokens_per_task(300, false);
    assert!(always > 0.8, "{always}");
    assert!(
        looped >= 0.95 * always,
        "loop {looped} vs always-nocache {always}"
    );
}
