//! `solve_accepted` on both front ends against the emulator's simulated sites, in the CapMonster
//! and Anti-Captcha dialects (issue 17): a site where `nocache` helps, a site that rejects
//! everything (reports stop at the ceiling), and a Turnstile task on Anti-Captcha (rejected,
//! never reported).

use std::sync::Mutex;
use std::time::Duration;

use capmonster_emulator::{EmulatorHandle, SiteStats, SolveTime};
use capmonster_proto::Service;
use capmonster_proto::accept::{
    AcceptFailure, AcceptPolicy, AcceptWarning, ReportStatus, SiteBook, SitePolicy, Verdict,
    Withheld,
};
use capmonster_proto::report::RefusalReason;
use capmonster_proto::task::{RecaptchaV2Task, Task, TurnstileTask};
use capmonster_tests::{Front, Kind, builder, config, emulator, front_from, verify};

/// A key without the scenario key's `__nocache` suffix, so that `nocache` is on only when the
/// loop turns it on.
const PLAIN_KEY: &str = "ACCEPTKEY0123456789abcdef";

const HOST: &str = "shop.example";
const SITE_KEY: &str = "6LcACCEPT";

fn services() -> [Service; 2] {
    [Service::capmonster(), Service::anti_captcha()]
}

/// An emulator with `site`, solving every task in 5 emulated seconds (50 ms).
fn emulator_with(site: capmonster_emulator::Site) -> EmulatorHandle {
    emulator(
        config()
            .solve_time(SolveTime::Fixed(Duration::from_secs(5)))
            .site(site),
    )
}

fn front_for(kind: Kind, emu: &EmulatorHandle, service: &Service) -> Box<dyn Front> {
    let (url, s1, s2) = (emu.base_url(), service.clone(), service.clone());
    let url2 = url.clone();
    front_from(
        kind,
        move |_| builder(&url, s1.clone()).api_key(PLAIN_KEY),
        move |_| builder(&url2, s2.clone()).api_key(PLAIN_KEY),
    )
}

fn site_stats(emu: &EmulatorHandle, site: &str) -> SiteStats {
    emu.stats()
        .sites
        .get(site)
        .cloned()
        .unwrap_or_else(|| panic!("the emulator counts site {site}"))
}

fn recaptcha() -> Task {
    RecaptchaV2Task::new(format!("https://{HOST}/login"), SITE_KEY).into()
}

#[test]
fn nocache_goes_on_after_rejections_and_acceptance_rises() {
    for service in services() {
        for kind in [Kind::Blocking, Kind::Async] {
            let site = capmonster_emulator::Site::new(HOST, SITE_KEY).accept(0.3, 0.95);
            let emu = emulator_with(site);
            let front = front_for(kind, &emu, &service);
            let book = Mutex::new(SiteBook::new(
                SitePolicy::new().with_nocache_threshold(0.5, 4),
            ));
            let accept = AcceptPolicy::new().with_max_attempts(6);
            let base = emu.base_url();
            let (mut accepted, mut plain, mut nocache) = (0, 0, 0);
            for _ in 0..10 {
                let result =
                    front.solve_accepted(recaptcha(), &accept, Some(&book), &mut |solved| {
                        verify(&base, solved)
                    });
                let attempts = match &result {
                    Ok(ok) => {
                        accepted += 1;
                        assert_eq!(
                            ok.attempts.last().unwrap().verdict(),
                            Some(Verdict::Accepted)
                        );
                        assert_eq!(
                            ok.task_ids().last().copied(),
                            Some(ok.solved.task_id),
                            "{kind:?} {service:?}: the accepted solve is the last attempt"
                        );
                        &ok.attempts
                    }
                    Err(e) => &e.attempts,
                };
                for attempt in attempts {
                    assert!(attempt.task_id.is_some(), "every attempt created a task");
                    assert_ne!(attempt.verdict(), Some(Verdict::Unsure), "verify answered");
                    if attempt.nocache {
                        nocache += 1;
                        let why = attempt.nocache_reason.as_deref().unwrap_or_default();
                        assert!(!why.is_empty(), "{kind:?} {service:?}: nocache says why");
                    } else {
                        plain += 1;
                    }
                }
            }
            let stats = site_stats(&emu, &format!("{HOST}/{SITE_KEY}"));
            assert!(
                nocache > 0 && plain >= 4,
                "{kind:?} {service:?}: the loop switched nocache on after rejections \
                 ({plain} plain, {nocache} nocache tasks)"
            );
            assert_eq!(
                stats.tasks_with_nocache, nocache,
                "the emulator saw nocache"
            );
            assert_eq!(stats.tasks_without_nocache, plain);
            let plain_rate = (stats.accepted - stats.accepted_with_nocache) as f64 / plain as f64;
            let nocache_rate = stats.accepted_with_nocache as f64 / nocache as f64;
            assert!(
                nocache_rate > plain_rate,
                "{kind:?} {service:?}: acceptance rises with nocache ({plain_rate:.2} -> {nocache_rate:.2})"
            );
            assert!(
                accepted >= 9,
                "{kind:?} {service:?}: {accepted} of 10 loops accepted"
            );
            let snapshot = book.lock().unwrap().to_json(std::time::Instant::now());
            assert!(
                snapshot.contains(HOST),
                "the book keeps the site: {snapshot}"
            );
        }
    }
}

#[test]
fn a_site_that_rejects_everything_stops_reports_at_the_ceiling_with_a_warning() {
    for service in services() {
        for kind in [Kind::Blocking, Kind::Async] {
            let site = capmonster_emulator::Site::new(HOST, SITE_KEY).accept(0.0, 0.0);
            let emu = emulator_with(site);
            let front = front_for(kind, &emu, &service);
            let book = Mutex::new(SiteBook::new(
                SitePolicy::new()
                    .with_report_ceiling(0.9, 4)
                    .with_nocache_threshold(0.5, 100),
            ));
            let accept = AcceptPolicy::new().with_max_attempts(3);
            let base = emu.base_url();
            let (mut sent, mut withheld, mut warned) = (0u64, 0, false);
            for _ in 0..3 {
                let error = front
                    .solve_accepted(recaptcha(), &accept, Some(&book), &mut |solved| {
                        verify(&base, solved)
                    })
                    .expect_err("the site accepts nothing");
                assert_eq!(
                    error.failure,
                    AcceptFailure::AttemptsExhausted { max_attempts: 3 }
                );
                assert_eq!(error.task_ids().len(), 3, "the error names every task");
                for attempt in &error.attempts {
                    assert_eq!(attempt.verdict(), Some(Verdict::Rejected));
                    match attempt.report() {
                        Some(ReportStatus::Sent { .. }) => {
                            assert_eq!(withheld, 0, "no report after the ceiling");
                            sent += 1;
                        }
                        Some(ReportStatus::Withheld(Withheld::Ceiling(c))) => {
                            assert!(c.samples >= 4 && c.rejected == c.samples, "{c:?}");
                            withheld += 1;
                        }
                        other => panic!("{kind:?} {service:?}: unexpected report {other:?}"),
                    }
                }
                for warning in &error.warnings {
                    if let AcceptWarning::ReportsStopped(_) = warning {
                        let text = warning.to_string();
                        assert!(text.contains("proxy"), "the warning says why: {text}");
                        warned = true;
                    }
                }
            }
            assert!(
                (1..=4).contains(&sent),
                "{kind:?} {service:?}: reports before the ceiling ({sent})"
            );
            assert_eq!(sent + withheld, 9);
            assert!(
                warned,
                "{kind:?} {service:?}: the stop comes with a warning"
            );
            let stats = site_stats(&emu, &format!("{HOST}/{SITE_KEY}"));
            assert_eq!(
                stats.reported, sent,
                "the service got exactly the reports sent"
            );
            assert_eq!(stats.rejected, 9);
        }
    }
}

#[test]
fn a_turnstile_task_on_anti_captcha_is_rejected_and_not_reported_with_the_reason() {
    for kind in [Kind::Blocking, Kind::Async] {
        let site = capmonster_emulator::Site::new("turnstile.example", "0x4AAAA").accept(0.0, 0.0);
        let emu = emulator_with(site);
        let front = front_for(kind, &emu, &Service::anti_captcha());
        let task: Task = TurnstileTask::new("https://turnstile.example/", "0x4AAAA").into();
        let base = emu.base_url();
        let accept = AcceptPolicy::new().with_max_attempts(2);
        let book = Mutex::new(SiteBook::new(SitePolicy::default()));
        let error = front
            .solve_accepted(task.clone(), &accept, Some(&book), &mut |solved| {
                verify(&base, solved)
            })
            .expect_err("the site accepts nothing");
        assert_eq!(error.task_ids().len(), 2);
        for attempt in &error.attempts {
            assert_eq!(attempt.verdict(), Some(Verdict::Rejected));
            assert!(!attempt.nocache, "Turnstile does not take nocache");
            match attempt.report() {
                Some(ReportStatus::Withheld(why @ Withheld::Rules(refused))) => {
                    assert_eq!(refused.reason, RefusalReason::KindNotAllowed, "{kind:?}");
                    let text = why.to_string();
                    assert!(
                        text.contains("no Incorrect report method takes this task kind"),
                        "{kind:?}: the reason is given: {text}"
                    );
                }
                other => panic!("{kind:?}: expected a report withheld by the rules, got {other:?}"),
            }
        }
        let stats = site_stats(&emu, "turnstile.example/0x4AAAA");
        assert_eq!(stats.reported, 0, "{kind:?}: nothing was reported");
        assert_eq!(emu.stats().reports_accepted, 0);
    }
}

#[test]
fn the_plain_call_uses_the_clients_own_book() {
    for kind in [Kind::Blocking, Kind::Async] {
        let site = capmonster_emulator::Site::new(HOST, SITE_KEY).accept(1.0, 1.0);
        let emu = emulator_with(site);
        let front = front_for(kind, &emu, &Service::capmonster());
        let base = emu.base_url();
        let mut checks = 0;
        let accepted = front
            .solve_accepted(recaptcha(), &AcceptPolicy::default(), None, &mut |solved| {
                checks += 1;
                verify(&base, solved)
            })
            .expect("the site accepts every token");
        assert_eq!(checks, 1);
        assert_eq!(accepted.attempts.len(), 1);
        assert_eq!(accepted.task_ids(), vec![accepted.solved.task_id]);
        assert_eq!(site_stats(&emu, &format!("{HOST}/{SITE_KEY}")).accepted, 1);
    }
}

#[test]
fn the_readme_shows_the_compiled_acceptance_loop() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let read = |p: &str| std::fs::read_to_string(root.join(p)).expect(p);
    let example = read("crates/capmonster-blocking/examples/readme_accept.rs");
    let start = example
        .find("// readme-start\n")
        .expect("a readme-start marker")
        + 16;
    let end = example.find("// readme-end").expect("a readme-end marker");
    let code = &example[start..end];
    assert!(code.contains(".solve_accepted("), "{code}");
    assert!(
        read("README.md").contains(&format!("```rust\n{code}```")),
        "README.md does not show examples/readme_accept.rs as it is:\n{code}"
    );
}

#[test]
fn the_async_loop_is_send_so_it_can_be_spawned() {
    fn assert_send<T: Send>(_: &T) {}
    let runtime = capmonster_tests::runtime();
    let _guard = runtime.enter();
    let client: capmonster_async::Client = builder("http://127.0.0.1:9", Service::capmonster())
        .build()
        .expect("the async client builds");
    let future = client.solve_accepted(recaptcha(), |_| async { Verdict::Unsure });
    assert_send(&future);
}
