//! One list of scenarios, run against both front ends with the emulator in-process.
//!
//! Each scenario is a function of the front end's [`Kind`]; the macro at the bottom makes one
//! test per scenario and front end. Time is sped up: the emulator solves a task in 200 ms and
//! the client polls every 100 ms.

use std::time::{Duration, Instant};

use capmonster_emulator::{FaultKind, FaultRule, Scope, SolveTime};
use capmonster_proto::report::RefusalReason;
use capmonster_proto::task::{
    AmazonTask, ComplexImageRecaptchaTask, DataDomeTask, FunCaptchaTask, GeeTestTask, Grid,
    HCaptchaTask, RecaptchaV2EnterpriseTask, RecaptchaV3Task,
};
use capmonster_proto::{
    ClientError, ErrorClass, ErrorCode, Service,
    solution::{Solution, TaskResult},
    task::{
        ImageToTextTask, Proxy, ProxyType, RawTask, RecaptchaV2Task, Task, TaskKind, TurnstileTask,
    },
};
use capmonster_tests::{Kind, PROXY_PASSWORD, config, emulator, fast_policy, front, front_on};

const URL: &str = "https://lessons.zennolab.com/captchas/recaptcha/v2_simple.php?level=high";
const SITEKEY: &str = "6Lcg7CMUAAAAANphynKgn9YAgA4tQ2KI_iqRyTwd";

/// An image the emulator reads as `text` (it answers the characters after `TEXT:`).
fn image_saying(text: &str) -> ImageToTextTask {
    let mut bytes = format!("TEXT:{text} ").into_bytes();
    bytes.resize(160, b' ');
    ImageToTextTask::from_image_bytes(&bytes)
}

fn proxy() -> Proxy {
    Proxy::new(ProxyType::Http, "8.8.8.8", 8080).with_auth("proxyuser", PROXY_PASSWORD)
}

fn endpoint_count(emu: &capmonster_emulator::EmulatorHandle, name: &str) -> u64 {
    emu.stats()
        .requests_by_endpoint
        .get(name)
        .copied()
        .unwrap_or(0)
}

// ---------------------------------------------------------------- happy paths

fn happy_image_to_text(kind: Kind) {
    let emu = emulator(config());
    let solved = front(kind, &emu)
        .solve(image_saying("w4lk3r").into())
        .unwrap();
    assert_eq!(solved.ready.solution.main_value(), Some("w4lk3r"));
    assert_eq!(solved.kind, TaskKind::ImageToText);
    assert!(solved.polls >= 1);
    assert_eq!(solved.cost, Some(0.0006));
    assert_eq!(emu.stats().tasks_solved, 1);
}

fn happy_token_families(kind: Kind) {
    let emu = emulator(config());
    let client = front(kind, &emu);
    let cases: Vec<(Task, TaskKind)> = vec![
        (RecaptchaV2Task::new(URL, SITEKEY).into(), TaskKind::RecaptchaV2),
        (RecaptchaV2Task::new(URL, SITEKEY).with_proxy(proxy()).into(), TaskKind::RecaptchaV2),
        (RecaptchaV3Task::new(URL, SITEKEY).into(), TaskKind::RecaptchaV3),
        (TurnstileTask::new("https://tsmanaged.zlsupport.com", "0x4AAAAAAABUYP0XeMJF0xoy").into(), TaskKind::Turnstile),
        (GeeTestTask::v4("https://gt4.geetest.com/", "e392e1d7fd421dc63325744d5a2b9c73").into(), TaskKind::GeeTest),
        (
            GeeTestTask::v3("https://www.geetest.com/en/demo", "022397c99c9f646f6477822485f30404", "7f044f48bc951ecfbfc03842b5e1fe59")
                .into(),
            TaskKind::GeeTest,
        ),
        (HCaptchaTask::new("https://lessons.zennolab.com/captchas/hcaptcha/?level=easy", "472fc7af-86a4-4382-9a49-ca9090474471").into(), TaskKind::HCaptcha),
        (RecaptchaV2EnterpriseTask::new(URL, SITEKEY).into(), TaskKind::RecaptchaV2Enterprise),
        (FunCaptchaTask::new("https://www.example.com", "69A21A01-CC7B-B9C6-0F9A-E7FA06677FFC").into(), TaskKind::FunCaptcha),
        (
            AmazonTask::captcha(
                "https://example.com/index.html",
                "AQIDAHjcYu/GjX+QlghicBgQ/7bFaQZ+m5FKCMDnO+vTbNg96AHDh0IR5vgzHNceHYqZR+GOAAAAfjB8BgkqhkiG9w0BBwagbzBtAgEAMGgGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQMsYNQbVHoLdLpZSvMAgEQgDsPBRXp3Bnw3mswJQcDvh0XQMOQp6vRsy8N1W5vqrcbhrF8dByUuGHMvZQ+r6fB0GfBdAmmFzKCSwNNvQ==",
                "https://41bcdd4fb3cb.610cd090.us-east-1.token.awswaf.com/41bcdd4fb3cb/0d21de737ccb/cd77baa6c832/jsapi.js",
            )
            .into(),
            TaskKind::Amazon,
        ),
        (
            DataDomeTask::new(
                "https://antoinevastel.com/bots/datadome",
                "https://geo.captcha-delivery.com/captcha/?initialCid=AHrlqAAAAAMA9UvsL58YLqIAXNLFPg%3D%3D",
                "datadome=4ZXwCBlyHx9ktZhSnycMF~NXdE7WlFV3fv0oRthFd3pYX8QHw4OvEk4",
                proxy(),
            )
            .into(),
            TaskKind::DataDome,
        ),
        (
            ComplexImageRecaptchaTask::from_urls(Grid::ThreeByThree, ["https://i.postimg.cc/yYjg75Kv/payloadtraffic.jpg"])
                .with_task("Click on traffic lights")
                .into(),
            TaskKind::ComplexImageRecaptcha,
        ),
    ];
    for (task, expected) in cases {
        let solved = client
            .solve(task.clone())
            .unwrap_or_else(|e| panic!("{expected:?}: {e}"));
        assert_eq!(solved.kind, expected);
        let typed = !matches!(solved.ready.solution, Solution::Raw);
        assert!(
            typed,
            "{expected:?} came back raw: {}",
            solved.ready.raw_json()
        );
        let main = solved.ready.solution.main_value();
        assert!(
            main.is_some_and(|v| !v.is_empty()) || expected == TaskKind::ComplexImageRecaptcha,
            "{expected:?}: {main:?}"
        );
        if expected.is_recaptcha() {
            assert!(main.unwrap().len() >= 500, "reCAPTCHA tokens are long");
        }
    }
    assert_eq!(emu.stats().tasks_solved, 12);
}

fn happy_raw_task_of_a_known_type(kind: Kind) {
    let emu = emulator(config());
    let object = serde_json::json!({
        "type": "ProsopoTask",
        "websiteURL": "https://www.example.com",
        "websiteKey": "5EZU3LG31uzq1Mwi8inwqxmfvFDpj7VzwDnZSySXaBtRZDEA"
    });
    let raw = RawTask::new(object.as_object().unwrap().clone()).unwrap();
    let solved = front(kind, &emu).solve(raw.into()).unwrap();
    assert_eq!(solved.kind, TaskKind::Prosopo);
    assert!(matches!(solved.ready.solution, Solution::Token(_)));
}

fn single_calls_balance_user_agent_create_result_wait(kind: Kind) {
    let emu = emulator(config().key(capmonster_tests::TEST_KEY.split("__").next().unwrap(), 12.5));
    let client = front(kind, &emu);
    assert_eq!(client.balance().unwrap().balance, 12.5);
    assert!(client.user_agent().unwrap().starts_with("Mozilla/5.0"));
    let id = client.create_task(image_saying("abc").into()).unwrap();
    assert_eq!(
        client.task_result(id, TaskKind::ImageToText).unwrap(),
        TaskResult::Processing
    );
    let solved = client.wait(id, TaskKind::ImageToText).unwrap();
    assert_eq!((solved.task_id, solved.create_attempts), (id, 0));
    assert_eq!(solved.ready.solution.main_value(), Some("abc"));
    let after = client.balance().unwrap().balance;
    assert!((after - (12.5 - 0.0006)).abs() < 1e-9, "{after}");
}

// ---------------------------------------------------------------- error classes

fn fatal_config_unknown_key_is_not_retried(kind: Kind) {
    let emu = emulator(config().key("SOMEONE_ELSES_KEY", 10.0));
    let err = front(kind, &emu)
        .solve(image_saying("x").into())
        .unwrap_err();
    assert_eq!(err.api().unwrap().code, ErrorCode::KeyDoesNotExist);
    assert_eq!(err.class(), Some(ErrorClass::FatalConfig));
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("check the API key"), "{err}");
    assert_eq!(endpoint_count(&emu, "createTask"), 1);
}

fn fatal_config_zero_balance(kind: Kind) {
    let base = capmonster_tests::TEST_KEY.split("__").next().unwrap();
    let emu = emulator(config().key(base, 0.0));
    let err = front(kind, &emu)
        .solve(image_saying("x").into())
        .unwrap_err();
    assert_eq!(err.api().unwrap().code, ErrorCode::ZeroBalance);
    assert_eq!(endpoint_count(&emu, "createTask"), 1);
}

fn retry_task_unsolvable_names_the_task(kind: Kind) {
    let emu = emulator(config());
    let err = front(kind, &emu)
        .solve(image_saying("UNSOLVABLE").into())
        .unwrap_err();
    assert_eq!(err.api().unwrap().code, ErrorCode::CaptchaUnsolvable);
    assert_eq!(err.class(), Some(ErrorClass::RetryTask));
    let id = err.task_id().expect("the task id is named");
    assert!(err.to_string().contains(&id.to_string()), "{err}");
    assert_eq!(
        endpoint_count(&emu, "createTask"),
        1,
        "a new task costs money: not created"
    );
}

fn fatal_task_from_the_service(kind: Kind) {
    let emu = emulator(config());
    // A raw task skips local checks, so the service's own validation answers.
    let object =
        serde_json::json!({"type": "RecaptchaV2Task", "websiteURL": "ftp://x", "websiteKey": "k"});
    let raw = RawTask::new(object.as_object().unwrap().clone()).unwrap();
    let err = front(kind, &emu).solve(raw.into()).unwrap_err();
    assert_eq!(err.api().unwrap().code, ErrorCode::RecaptchaInvalidDomain);
    assert_eq!(err.class(), Some(ErrorClass::FatalTask));
}

fn local_validation_sends_nothing(kind: Kind) {
    let emu = emulator(config());
    let err = front(kind, &emu)
        .solve(RecaptchaV2Task::new("lessons.zennolab.com", SITEKEY).into())
        .unwrap_err();
    assert!(matches!(err, ClientError::Build(_)), "{err:?}");
    assert!(err.to_string().contains("task.websiteURL"), "{err}");
    assert_eq!(emu.stats().requests_total, 0);
}

// ---------------------------------------------------------------- retries

fn create_retried_on_no_slot_503_and_429(kind: Kind) {
    let emu = emulator(config());
    let client = front(kind, &emu);
    for fault in [
        FaultKind::NoSlot,
        FaultKind::Http503Json,
        FaultKind::Http429Json,
    ] {
        emu.script_faults(Scope::Create, fault, 2);
        let solved = client
            .solve(image_saying("ok").into())
            .unwrap_or_else(|e| panic!("{fault:?}: {e}"));
        assert_eq!(solved.create_attempts, 3, "{fault:?}");
    }
    assert_eq!(emu.stats().tasks_created, 3, "one task per solve");
}

fn create_retries_run_out(kind: Kind) {
    let emu = emulator(config());
    emu.script_faults(Scope::Create, FaultKind::NoSlot, 10);
    let err = front(kind, &emu)
        .solve(image_saying("x").into())
        .unwrap_err();
    assert_eq!(err.api().unwrap().code, ErrorCode::NoSlotAvailable);
    assert_eq!(
        endpoint_count(&emu, "createTask"),
        4,
        "the policy allows 4 attempts"
    );
    assert_eq!(emu.stats().tasks_created, 0);
}

fn connect_failure_is_retried_then_reported(kind: Kind) {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let started = Instant::now();
    let err = front_on(kind, &url, Service::capmonster())
        .solve(image_saying("x").into())
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    assert!(err.is_retryable());
    assert!(started.elapsed() < Duration::from_secs(5));
}

fn poll_faults_are_retried_on_schedule(kind: Kind) {
    let emu = emulator(config());
    let client = front(kind, &emu);
    for fault in [
        FaultKind::Http500,
        FaultKind::Html502,
        FaultKind::EmptyBody,
        FaultKind::Reset,
        FaultKind::Http429Empty,
        FaultKind::Http503Json,
    ] {
        emu.script_faults(Scope::Poll, fault, 2);
        let solved = client
            .solve(image_saying("fine").into())
            .unwrap_or_else(|e| panic!("{fault:?}: {e}"));
        assert_eq!(
            solved.ready.solution.main_value(),
            Some("fine"),
            "{fault:?}"
        );
        assert!(solved.polls >= 3, "{fault:?}: the two faulty polls count");
    }
}

// ---------------------------------------------------------------- ambiguous createTask

fn ambiguous_create_is_never_resent(kind: Kind) {
    for fault in [
        FaultKind::ResetAfterProcessing,
        FaultKind::Html502,
        FaultKind::EmptyBody,
    ] {
        let emu = emulator(config());
        emu.script_faults(Scope::Create, fault, 1);
        let err = front(kind, &emu)
            .solve(image_saying("x").into())
            .unwrap_err();
        assert!(
            matches!(err, ClientError::AmbiguousCreate { .. }),
            "{fault:?}: {err:?}"
        );
        assert!(err.to_string().contains("may be charged"), "{err}");
        assert!(!err.is_retryable());
        assert_eq!(
            endpoint_count(&emu, "createTask"),
            1,
            "{fault:?}: never resent"
        );
    }
}

// ---------------------------------------------------------------- deadlines and caps

fn deadline_names_the_task(kind: Kind) {
    let emu = emulator(config().solve_time(SolveTime::Fixed(Duration::from_secs(1000))));
    let policy = fast_policy().with_deadline(Duration::from_millis(700));
    let started = Instant::now();
    let err = front(kind, &emu)
        .solve_with(image_saying("x").into(), &policy)
        .unwrap_err();
    let elapsed = started.elapsed();
    let ClientError::Timeout { task_id, polls, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(task_id.is_some() && *polls >= 3, "{err:?}");
    assert!(err.to_string().contains(&task_id.unwrap().to_string()));
    assert!(elapsed < Duration::from_millis(700 + 300), "{elapsed:?}");
}

fn stalled_request_is_cut_at_the_deadline(kind: Kind) {
    let emu = emulator(config());
    emu.add_fault(FaultRule::next(
        FaultKind::Stall {
            duration: Duration::from_secs(1000),
        },
        Scope::Poll,
        1,
    ));
    let policy = fast_policy().with_deadline(Duration::from_millis(800));
    let started = Instant::now();
    let err = front(kind, &emu)
        .solve_with(image_saying("x").into(), &policy)
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(err.is_timeout(), "{err:?}");
    assert!(err.task_id().is_some(), "{err:?}");
    assert!(
        elapsed < Duration::from_millis(800 + 300),
        "cut at the deadline, not after: {elapsed:?}"
    );
}

fn poll_cap_stops_polling(kind: Kind) {
    let emu = emulator(config().solve_time(SolveTime::Fixed(Duration::from_secs(1000))));
    let policy = fast_policy().with_max_polls(4);
    let err = front(kind, &emu)
        .solve_with(image_saying("x").into(), &policy)
        .unwrap_err();
    assert!(
        matches!(err, ClientError::PollLimit { polls: 4, .. }),
        "{err:?}"
    );
    assert_eq!(endpoint_count(&emu, "getTaskResult"), 4);
}

fn one_connection_for_a_whole_solve(kind: Kind) {
    let emu = emulator(config());
    let solved = front(kind, &emu)
        .solve(image_saying("k33p").into())
        .unwrap();
    let stats = emu.stats();
    assert_eq!(stats.connections, 1, "{stats:?}");
    assert_eq!(
        stats.requests_per_connection.get(&1).copied(),
        Some(u64::from(1 + solved.polls))
    );
}

// ---------------------------------------------------------------- reports

fn report_once_then_refused_locally(kind: Kind) {
    let emu = emulator(config());
    let client = front(kind, &emu);
    let solved = client.solve(image_saying("r1").into()).unwrap();
    client.report(&solved).unwrap();
    let err = client.report(&solved).unwrap_err();
    let ClientError::ReportRefused(refused) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(refused.reason, RefusalReason::AlreadyReported);
    assert_eq!(emu.stats().reports_accepted, 1);
    assert_eq!(
        endpoint_count(&emu, "reportIncorrectImageCaptcha"),
        1,
        "the second was not sent"
    );
    // A token task goes to the token endpoint.
    let solved = client
        .solve(RecaptchaV2Task::new(URL, SITEKEY).into())
        .unwrap();
    client.report(&solved).unwrap();
    assert_eq!(endpoint_count(&emu, "reportIncorrectTokenCaptcha"), 1);
}

fn anti_captcha_report_rules(kind: Kind) {
    let emu = emulator(config().dialect(capmonster_emulator::Dialect::AntiCaptcha));
    let client = front_on(kind, &emu.base_url(), Service::anti_captcha());
    // Turnstile cannot be reported on Anti-Captcha.
    let solved = client
        .solve(TurnstileTask::new("https://a.example", "0x4AAAAAAA").into())
        .unwrap();
    let err = client.report(&solved).unwrap_err();
    assert!(
        matches!(&err, ClientError::ReportRefused(r) if r.reason == RefusalReason::KindNotAllowed),
        "{err:?}"
    );
    // A reCAPTCHA reported 61 s after completion is late.
    let solved = client
        .solve(RecaptchaV2Task::new(URL, SITEKEY).into())
        .unwrap();
    let late = Instant::now().checked_sub(Duration::from_secs(61)).unwrap();
    let err = client
        .report_task(solved.task_id, solved.kind, late)
        .unwrap_err();
    assert!(
        matches!(&err, ClientError::ReportRefused(r) if r.reason == RefusalReason::WindowClosed),
        "{err:?}"
    );
    // In time, it goes through reportIncorrectRecaptcha.
    client.report(&solved).unwrap();
    assert_eq!(endpoint_count(&emu, "reportIncorrectRecaptcha"), 1);
    assert_eq!(emu.stats().reports_accepted, 1);
}

// ---------------------------------------------------------------- cancellation (async only)

#[test]
fn async_solve_dropped_sends_nothing_more() {
    let emu = emulator(config().solve_time(SolveTime::Fixed(Duration::from_secs(1000))));
    let client = capmonster_tests::builder::<capmonster_async::Client>(
        &emu.base_url(),
        Service::capmonster(),
    )
    .build()
    .unwrap();
    let rt = capmonster_tests::runtime();
    let outcome = rt.block_on(async {
        tokio::time::timeout(Duration::from_millis(380), client.solve(image_saying("x"))).await
    });
    assert!(outcome.is_err(), "the solve was still running when dropped");
    let before = emu.stats().requests_total;
    assert!(before >= 3, "create and some polls were sent: {before}");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        emu.stats().requests_total,
        before,
        "nothing is sent after the drop"
    );
}

#[test]
fn async_solve_all_returns_results_as_they_finish() {
    use futures_util::StreamExt as _;
    let emu = emulator(config());
    let client = capmonster_tests::builder::<capmonster_async::Client>(
        &emu.base_url(),
        Service::capmonster(),
    )
    .build()
    .unwrap();
    let rt = capmonster_tests::runtime();
    let tasks: Vec<Task> = (0..12)
        .map(|i| image_saying(&format!("n{i}")).into())
        .collect();
    let results: Vec<_> = rt.block_on(client.solve_all(tasks, 4).collect());
    assert_eq!(results.len(), 12);
    for (i, result) in results {
        assert_eq!(
            result.unwrap().ready.solution.main_value(),
            Some(format!("n{i}").as_str())
        );
    }
    assert!(
        emu.stats().connections <= 4,
        "at most 4 at once share the pool"
    );
}

macro_rules! both_front_ends {
    ($($name:ident),* $(,)?) => {
        mod blocking {
            $( #[test] fn $name() { super::$name(capmonster_tests::Kind::Blocking) } )*
        }
        mod r#async {
            $( #[test] fn $name() { super::$name(capmonster_tests::Kind::Async) } )*
        }
    };
}

both_front_ends!(
    happy_image_to_text,
    happy_token_families,
    happy_raw_task_of_a_known_type,
    single_calls_balance_user_agent_create_result_wait,
    fatal_config_unknown_key_is_not_retried,
    fatal_config_zero_balance,
    retry_task_unsolvable_names_the_task,
    fatal_task_from_the_service,
    local_validation_sends_nothing,
    create_retried_on_no_slot_503_and_429,
    create_retries_run_out,
    connect_failure_is_retried_then_reported,
    poll_faults_are_retried_on_schedule,
    ambiguous_create_is_never_resent,
    deadline_names_the_task,
    stalled_request_is_cut_at_the_deadline,
    poll_cap_stops_polling,
    one_connection_for_a_whole_solve,
    report_once_then_refused_locally,
    anti_captcha_report_rules,
);

// ---------------------------------------------------------------- requests in flight

fn tiny_image(i: usize) -> ImageToTextTask {
    image_saying(&format!("m{i}"))
}

#[test]
fn blocking_requests_in_flight_are_capped() {
    let emu = emulator(config());
    let client = capmonster_tests::builder::<capmonster_blocking::Client>(
        &emu.base_url(),
        Service::capmonster(),
    )
    .max_in_flight(1)
    .build()
    .unwrap();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..6)
            .map(|i| {
                let client = client.clone();
                scope.spawn(move || client.solve(tiny_image(i)).map(|s| (i, s)))
            })
            .collect();
        for h in handles {
            let (i, solved) = h.join().unwrap().unwrap();
            assert_eq!(
                solved.ready.solution.main_value(),
                Some(format!("m{i}").as_str())
            );
        }
    });
    assert_eq!(
        emu.stats().connections,
        1,
        "one request at a time needs one connection"
    );
}

#[test]
fn async_requests_in_flight_are_capped() {
    use futures_util::StreamExt as _;
    let emu = emulator(config());
    let client = capmonster_tests::builder::<capmonster_async::Client>(
        &emu.base_url(),
        Service::capmonster(),
    )
    .max_in_flight(1)
    .build()
    .unwrap();
    let rt = capmonster_tests::runtime();
    let tasks: Vec<Task> = (0..6).map(|i| tiny_image(i).into()).collect();
    let results: Vec<_> = rt.block_on(client.solve_all(tasks, 6).collect());
    for (i, result) in results {
        assert_eq!(
            result.unwrap().ready.solution.main_value(),
            Some(format!("m{i}").as_str())
        );
    }
    assert_eq!(
        emu.stats().connections,
        1,
        "one request at a time needs one connection"
    );
}

#[test]
fn a_request_that_never_gets_a_slot_sends_nothing() {
    // One slot, held by a poll that stalls until its 600 ms timeout; a second solve with a 300 ms
    // deadline never gets the slot, so its createTask is never sent.
    let emu = emulator(config());
    emu.add_fault(FaultRule::next(
        FaultKind::Stall {
            duration: Duration::from_secs(300),
        },
        Scope::Poll,
        1,
    ));
    let client = capmonster_tests::builder::<capmonster_blocking::Client>(
        &emu.base_url(),
        Service::capmonster(),
    )
    .max_in_flight(1)
    .request_timeout(Duration::from_millis(600))
    .build()
    .unwrap();
    std::thread::scope(|scope| {
        let holder = {
            let client = client.clone();
            scope.spawn(move || client.solve(tiny_image(0)))
        };
        std::thread::sleep(Duration::from_millis(120));
        assert_eq!(endpoint_count(&emu, "createTask"), 1, "the holder's task");
        let short = fast_policy().with_deadline(Duration::from_millis(300));
        let err = client.solve_with(tiny_image(1), &short).unwrap_err();
        assert!(err.task_id().is_none(), "{err:?}");
        assert!(err.is_timeout() || err.is_connect(), "{err:?}");
        assert_eq!(
            endpoint_count(&emu, "createTask"),
            1,
            "the second createTask was never sent"
        );
        assert!(
            holder.join().unwrap().is_ok(),
            "the holder recovers after its stalled poll"
        );
    });
}
