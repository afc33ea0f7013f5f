//! End to end: requests built by the core's endpoints on URL-form services, sent to the
//! emulator over raw HTTP, and the emulator's answers parsed by the core. Both the default options (POST form,
//! json=1) and the documented ones (GET, text) are used.

mod common;

use std::time::Duration;

use capmonster_emulator::{FaultKind, Scope};
use capmonster_proto::report::{ReportRequest, ReportVerdict};
use capmonster_proto::{
    ClientKey, CreateTask, Dialect, Endpoint, ErrorCode, GetBalance, GetTaskResult, ResponseError,
    Service, UrlFormOptions, http,
    solution::{Ready, Solution, TaskResult},
    task::{FunCaptchaTask, GeeTestTask, ImageToTextTask, RecaptchaV2Task, TaskKind},
};
use common::*;
use serde_json::json;

/// At 1000x the default 5-minute expiry is 0.3 s real: keep results a day so that a loaded
/// machine cannot expire a task between two steps of a test.
fn keep_results(mut config: capmonster_emulator::Config) -> capmonster_emulator::Config {
    config.result_ttl = Duration::from_secs(24 * 3600);
    config
}

const KEY: &str = "0123456789abcdef0123456789abcdef";

/// Builds `ep`'s request, sends it, and parses the answer with `ep`.
fn call<E: Endpoint>(
    conn: &mut Conn,
    service: &Service,
    ep: &E,
) -> Result<E::Output, ResponseError> {
    let key = ClientKey::new(KEY).unwrap();
    let req = ep
        .build(service, &key)
        .expect("the core builds the request");
    let r = conn.send_built(&req).expect("request");
    let resp = http::Response::builder()
        .status(r.status)
        .body(&r.body[..])
        .unwrap();
    ep.parse(service, resp)
}

/// Polls with `get` until ready (bounded).
fn solve<E: Endpoint<Output = TaskResult>>(conn: &mut Conn, service: &Service, get: &E) -> Ready {
    for _ in 0..200 {
        match call(conn, service, get).expect("a poll answer") {
            TaskResult::Ready(r) => return *r,
            TaskResult::Processing => std::thread::sleep(Duration::from_millis(5)),
            other => panic!("{other:?}"),
        }
    }
    panic!("never ready");
}

/// `service` with other URL-form options.
fn with(service: &Service, options: UrlFormOptions) -> Service {
    service.clone().with_url_form_options(options)
}

/// The report the URL form's rules make for image task `id` (the window is not checked).
fn report(verdict: ReportVerdict, id: u64) -> ReportRequest {
    ReportRequest::without_window(Dialect::UrlForm, verdict, TaskKind::ImageToText, id).unwrap()
}

fn api_error(e: ResponseError) -> ErrorCode {
    match e {
        ResponseError::Api(a) => a.code,
        other => panic!("not an API error: {other:?}"),
    }
}

#[test]
fn image_and_recaptcha_solve_through_the_cores_url_form() {
    let emu = fast(keep_results(fast_config()));
    let service = Service::custom(&emu.base_url(), Dialect::UrlForm).unwrap();
    let mut c = Conn::open(emu.addr());

    // ImageToText through CreateTask/GetTaskResult on a URL-form service (POST, json=1).
    let create = CreateTask::new(ImageToTextTask::new(image_with_text("core7")));
    assert_eq!(create.method_name(&service), "in.php");
    let id = call(&mut c, &service, &create).unwrap();
    // Not ready, in both forms: a task with an hour to go.
    emu.set_solve_time(capmonster_emulator::SolveTime::Fixed(Duration::from_secs(
        3600,
    )));
    let slow = call(&mut c, &service, &create).unwrap();
    emu.set_solve_time(capmonster_emulator::SolveTime::Fixed(Duration::from_secs(
        20,
    )));
    for options in [UrlFormOptions::default(), UrlFormOptions::as_documented()] {
        let get = GetTaskResult::new(slow, TaskKind::ImageToText);
        assert_eq!(
            call(&mut c, &with(&service, options), &get).unwrap(),
            TaskResult::Processing
        );
    }
    let ready = solve(
        &mut c,
        &service,
        &GetTaskResult::new(id, TaskKind::ImageToText),
    );
    match &ready.solution {
        Solution::Text(t) => assert_eq!(t.text, "core7"),
        other => panic!("{other:?}"),
    }

    // reCAPTCHA v2 with the documented options: GET, unencoded values, text answers.
    let documented = UrlFormOptions::as_documented();
    let submit = CreateTask::new(
        RecaptchaV2Task::new(
            "https://lessons.zennolab.com/captchas/recaptcha/v2_simple.php?level=high",
            "6Lcg7CMUAAAAANphynKgn9YAgA4tQ2KI_iqRyTwd",
        )
        .with_nocache(true),
    );
    let rid = call(&mut c, &with(&service, documented), &submit).unwrap();
    assert_eq!(emu.stats().tasks[&rid].kind, "RecaptchaV2Task");
    let get = GetTaskResult::new(rid, TaskKind::RecaptchaV2);
    let ready = solve(&mut c, &with(&service, documented), &get);
    let token = match &ready.solution {
        Solution::Recaptcha(r) => r.g_recaptcha_response.clone(),
        other => panic!("{other:?}"),
    };
    // The same token the JSON API gives.
    let j = post(
        emu.addr(),
        "/getTaskResult",
        &json!({ "clientKey": KEY, "taskId": rid }),
    )
    .json();
    assert_eq!(j["solution"]["gRecaptchaResponse"], token);

    // get2 brings the price, in both forms.
    for options in [UrlFormOptions::default(), documented] {
        let ready = solve(
            &mut c,
            &with(&service, options.with_price(true)),
            &GetTaskResult::new(rid, TaskKind::RecaptchaV2),
        );
        assert_eq!(ready.extras.cost, Some(0.0006));
        assert!(
            matches!(&ready.solution, Solution::Recaptcha(r) if r.g_recaptcha_response == token)
        );
    }

    // Balance: two solves charged, through both balance endpoints and both forms.
    let b = call(&mut c, &service, &GetBalance).unwrap();
    assert!(
        (b.balance - (100.0 - 2.0 * 0.0006)).abs() < 1e-9,
        "{}",
        b.balance
    );
    let b = call(&mut c, &with(&service, documented), &GetBalance).unwrap();
    assert!((b.balance - 99.9988).abs() < 1e-9);

    // Reports: once, then a duplicate the core reads as such.
    call(&mut c, &service, &report(ReportVerdict::Incorrect, id)).unwrap();
    let e = call(&mut c, &service, &report(ReportVerdict::Correct, id)).unwrap_err();
    assert_eq!(api_error(e), ErrorCode::DuplicateReport);
    let e = call(&mut c, &service, &report(ReportVerdict::Incorrect, 987_654)).unwrap_err();
    assert_eq!(api_error(e), ErrorCode::WrongCaptchaId);
}

#[test]
fn pipes_geetest_errors_and_faults_parse_in_the_core() {
    let emu = fast(keep_results(fast_config().key(KEY, 10.0)));
    let service = Service::custom(&emu.base_url(), Dialect::UrlForm).unwrap();
    let mut c = Conn::open(emu.addr());
    let text = UrlFormOptions::default().with_json(false);

    // A FunCaptcha token with `|` in it, in the text form.
    let id = call(
        &mut c,
        &with(&service, text),
        &CreateTask::new(FunCaptchaTask::new(
            "https://www.example.com",
            "EX72CCFB-26EX-40E5-91E6-85EX70BE98ED",
        )),
    )
    .unwrap();
    let ready = solve(
        &mut c,
        &with(&service, text),
        &GetTaskResult::new(id, TaskKind::FunCaptcha),
    );
    match &ready.solution {
        Solution::Token(t) => {
            assert!(
                t.token
                    .contains("|pk=EX72CCFB-26EX-40E5-91E6-85EX70BE98ED|")
            );
            let j = post(
                emu.addr(),
                "/getTaskResult",
                &json!({ "clientKey": KEY, "taskId": id }),
            )
            .json();
            assert_eq!(j["solution"]["token"], t.token.as_str());
        }
        other => panic!("{other:?}"),
    }

    // GeeTest v3 and v4: JSON objects, typed by the core.
    let id = call(
        &mut c,
        &service,
        &CreateTask::new(GeeTestTask::v3(
            "https://www.geetest.com/en/demo",
            "022397c99c9f646f6477822485f30404",
            "7f044f48bc951ecfbfc03842b5e1fe59",
        )),
    )
    .unwrap();
    match solve(&mut c, &service, &GetTaskResult::new(id, TaskKind::GeeTest)).solution {
        Solution::GeeTestV3(g) => {
            assert!(g.challenge.starts_with("7f044f48bc951ecfbfc03842b5e1fe59"));
            assert!(g.seccode.ends_with("|jordan"));
        }
        other => panic!("{other:?}"),
    }
    let id = call(
        &mut c,
        &service,
        &CreateTask::new(GeeTestTask::v4(
            "https://gt4.geetest.com/",
            "54088bb07d2df3c46b79f80300b0abbe",
        )),
    )
    .unwrap();
    match solve(&mut c, &service, &GetTaskResult::new(id, TaskKind::GeeTest)).solution {
        Solution::GeeTestV4(g) => assert_eq!(
            g.captcha_id.as_deref(),
            Some("54088bb07d2df3c46b79f80300b0abbe")
        ),
        other => panic!("{other:?}"),
    }

    // Errors and faults arrive as the core's typed API errors, in both forms.
    let other_key = ClientKey::new("ffffffffffffffffffffffffffffffff").unwrap();
    for options in [UrlFormOptions::default(), text] {
        let service = with(&service, options);
        let req = GetBalance.build(&service, &other_key).unwrap();
        let r = c.send_built(&req).unwrap();
        let resp = http::Response::builder()
            .status(r.status)
            .body(&r.body[..])
            .unwrap();
        let e = GetBalance.parse(&service, resp).unwrap_err();
        assert_eq!(api_error(e), ErrorCode::KeyDoesNotExist);

        emu.script_faults(Scope::Create, FaultKind::NoSlot, 1);
        let e = call(
            &mut c,
            &service,
            &CreateTask::new(ImageToTextTask::new(image(200))),
        )
        .unwrap_err();
        assert_eq!(api_error(e), ErrorCode::NoSlotAvailable);
    }
    // The poll cap, through the core: the 121st poll is an API error, not "processing".
    let id = call(
        &mut c,
        &service,
        &CreateTask::new(ImageToTextTask::new(image(200))),
    )
    .unwrap();
    let get = GetTaskResult::new(id, TaskKind::ImageToText);
    for _ in 0..120 {
        call(&mut c, &service, &get).unwrap();
    }
    let e = call(&mut c, &service, &get).unwrap_err();
    assert_eq!(api_error(e), ErrorCode::TooMuchRequests);
}

#[test]
fn the_cores_solver_drives_the_url_form_to_a_result() {
    use capmonster_proto::solver::{Action, Policy, Solver};
    use std::time::Instant;

    // Real waits (the solver's own timing): 50x keeps results for 6 s real, solves take 0.4 s.
    let emu = fast(capmonster_emulator::Config::new().speed(50.0).solve_time(
        capmonster_emulator::SolveTime::Fixed(Duration::from_secs(20)),
    ));
    let service = Service::custom(&emu.base_url(), Dialect::UrlForm).unwrap();
    let key = ClientKey::new(KEY).unwrap();
    let mut c = Conn::open(emu.addr());
    let task = ImageToTextTask::new(image_with_text("solver9"));
    let mut solver = Solver::new(task, &key, &service, &Policy::default()).with_jitter_seed(3);
    let started = Instant::now();
    let solved = loop {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the solve took too long"
        );
        match solver.poll(Instant::now()) {
            Action::Send(out) => {
                let r = c.send_built(&out.request).expect("request");
                let resp = http::Response::builder()
                    .status(r.status)
                    .body(r.body)
                    .unwrap();
                solver.handle_response(Instant::now(), &resp);
            }
            Action::Wait(until) => {
                std::thread::sleep(until.saturating_duration_since(Instant::now()));
            }
            Action::Done(result) => break result.expect("solved"),
        }
    };
    match &solved.ready.solution {
        Solution::Text(t) => assert_eq!(t.text, "solver9"),
        other => panic!("{other:?}"),
    }
    let s = emu.stats();
    assert_eq!(s.requests_by_endpoint["in.php"], 1);
    assert_eq!(
        u64::from(s.tasks[&solved.task_id].polls),
        s.requests_by_endpoint["res.php"]
    );
}

#[test]
fn every_method_the_core_sends_comes_back_as_the_json_apis_solution() {
    use capmonster_proto::task::{
        AmazonTask, HCaptchaTask, MtCaptchaTask, ProsopoTask, RecaptchaV2EnterpriseTask,
        RecaptchaV3EnterpriseTask, RecaptchaV3Task, Task, TurnstileTask,
    };
    let emu = fast(keep_results(fast_config()));
    let service = Service::custom(&emu.base_url(), Dialect::UrlForm).unwrap();
    let mut c = Conn::open(emu.addr());
    let url = "https://example.com/page?x=1&y=2";
    let tasks: Vec<Task> = vec![
        RecaptchaV2Task::new(url, "G").with_user_agent("UA2").into(),
        RecaptchaV2EnterpriseTask::new(url, "G")
            .with_page_action("login")
            .into(),
        RecaptchaV3Task::new(url, "G")
            .with_min_score(0.7)
            .with_page_action("verify")
            .into(),
        RecaptchaV3EnterpriseTask::new(url, "G")
            .with_min_score(0.3)
            .into(),
        HCaptchaTask::new(url, "S").into(),
        TurnstileTask::new(url, "S").with_user_agent("UA3").into(),
        AmazonTask::captcha(url, "AK", "https://x.captcha.awswaf.com/jsapi.js").into(),
        MtCaptchaTask::new(url, "MTPublic-x").into(),
        ProsopoTask::new(url, "5EZU").into(),
    ];
    for task in tasks {
        let kind = task.kind();
        let id = call(&mut c, &service, &CreateTask::new(task)).unwrap();
        let ready = solve(&mut c, &service, &GetTaskResult::new(id, kind));
        let j = post(
            emu.addr(),
            "/getTaskResult",
            &json!({ "clientKey": KEY, "taskId": id }),
        )
        .json();
        let expected = j["solution"].clone();
        if kind == TaskKind::HCaptcha {
            // The URL form carries `respKey` beside the token; it must reach the solution.
            assert!(expected["respKey"].as_str().unwrap().starts_with("E0_"));
        }
        assert_eq!(ready.raw_value(), expected, "{kind:?}");
    }
}
