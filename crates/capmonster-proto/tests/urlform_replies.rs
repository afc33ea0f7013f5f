//! The URL form's replies read by the endpoints (`CreateTask`, `GetTaskResult`, `GetBalance`
//! and the report request) on a URL-form service: into the same outputs as the JSON dialects.

mod support;

use capmonster_proto::{
    CreateTask, Dialect, Endpoint, ErrorClass, ErrorCode, GetBalance, GetTaskResult, ResponseError,
    Service, UrlFormOptions,
    report::{ReportRequest, ReportVerdict},
    solution::Solution,
    task::{RecaptchaV2Task, TaskKind},
};
use serde_json::json;
use support::response;

const PAGE: &str = "https://lessons.zennolab.com/captchas/recaptcha/v2_simple.php?level=high";
const SITEKEY: &str = "6Lcg7CMUAAAAANphynKgn9YAgA4tQ2KI_iqRyTwd";

fn svc() -> Service {
    Service::capmonster_url_form()
}

/// The URL-form service that polls with `action=get2`.
fn with_price() -> Service {
    svc().with_url_form_options(UrlFormOptions::default().with_price(true))
}

/// A wrong-answer report (`reportbad`) of task 1.
fn reportbad() -> ReportRequest {
    ReportRequest::without_window(
        Dialect::UrlForm,
        ReportVerdict::Incorrect,
        TaskKind::ImageToText,
        1,
    )
    .unwrap()
}

#[test]
fn res_php_get_maps_into_the_core_result() {
    let s = svc();
    let poll = |kind, body: &[u8]| {
        GetTaskResult::new(1, kind)
            .parse(&s, response(200, body))
            .unwrap()
    };
    let ready = poll(TaskKind::RecaptchaV2, b"OK|03AGdBq2|with|bars");
    let ready = ready.ready().unwrap();
    assert_eq!(
        ready.raw_value(),
        json!({"gRecaptchaResponse": "03AGdBq2|with|bars"})
    );
    assert!(matches!(ready.solution, Solution::Recaptcha(_)));
    let ready = poll(
        TaskKind::Turnstile,
        br#"{"status":1,"request":"0.tok","useragent":"UA/1"}"#,
    );
    assert_eq!(
        ready.ready().unwrap().raw_value(),
        json!({"token": "0.tok", "userAgent": "UA/1"})
    );
    match &ready.ready().unwrap().solution {
        Solution::Turnstile(t) => assert_eq!(t.user_agent.as_deref(), Some("UA/1")),
        other => panic!("{other:?}"),
    }
    let ready = poll(TaskKind::ImageToText, b"OK|xk7p|2");
    assert_eq!(ready.ready().unwrap().solution.main_value(), Some("xk7p|2"));
    let ready = poll(
        TaskKind::GeeTest,
        br#"{"status":1,"request":["1a2b","3c4d","3c4d|jordan"]}"#,
    );
    assert_eq!(
        ready.ready().unwrap().raw_value(),
        json!({"challenge":"1a2b","validate":"3c4d","seccode":"3c4d|jordan"})
    );
    let ready = poll(
        TaskKind::RecaptchaV2,
        br#"{"status":1,"request":"tok","cookies":"_ga:GA1;NID:abc"}"#,
    );
    assert_eq!(
        ready.ready().unwrap().raw_value(),
        json!({"gRecaptchaResponse":"tok","cookies":{"_ga":"GA1","NID":"abc"}})
    );
    // get2: the price becomes the cost, in both forms.
    let get2 = GetTaskResult::new(1, TaskKind::ImageToText);
    let s2 = with_price();
    let r = get2.parse(&s2, response(200, b"OK|ABCDE|0.00085")).unwrap();
    let r = r.ready().unwrap();
    assert_eq!(r.solution.main_value(), Some("ABCDE"));
    assert_eq!(r.cost(), Some(0.00085));
    let r = get2
        .parse(
            &s2,
            response(200, br#"{"status":1,"request":"A|B","price":"0.001"}"#),
        )
        .unwrap();
    assert_eq!(r.ready().unwrap().solution.main_value(), Some("A|B"));
    assert_eq!(r.ready().unwrap().cost(), Some(0.001));
    // Errors stay typed.
    let e = GetTaskResult::new(1, TaskKind::RecaptchaV2)
        .parse(&s, response(200, b"ERROR_CAPTCHA_UNSOLVABLE"))
        .unwrap_err();
    assert_eq!(e.api().unwrap().class(), ErrorClass::RetryTask);
}

#[test]
fn submit_balance_and_report_parsers() {
    let s = svc();
    let submit = CreateTask::new(RecaptchaV2Task::new(PAGE, SITEKEY));
    assert_eq!(
        submit.parse(&s, response(200, b"OK|74455221488")).unwrap(),
        74455221488
    );
    assert!(matches!(
        submit.parse(&s, response(200, b"OK|abc")),
        Err(ResponseError::Unparseable(_))
    ));
    assert_eq!(
        submit
            .parse(&s, response(200, b"ERROR_ZERO_BALANCE"))
            .unwrap_err()
            .api()
            .unwrap()
            .code,
        ErrorCode::ZeroBalance
    );
    let balance = GetBalance;
    assert_eq!(
        balance
            .parse(&s, response(200, b"17.87942"))
            .unwrap()
            .balance,
        17.87942
    );
    assert_eq!(
        balance
            .parse(&s, response(200, br#"{"status":1,"request":"3.5"}"#))
            .unwrap()
            .balance,
        3.5
    );
    let report = reportbad();
    assert!(
        report
            .parse(&s, response(200, b"OK_REPORT_RECORDED"))
            .is_ok()
    );
    assert_eq!(
        report
            .parse(&s, response(200, b"ERROR_DUPLICATE_REPORT"))
            .unwrap_err()
            .api()
            .unwrap()
            .code,
        ErrorCode::DuplicateReport
    );
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    fn all_parsers(status: u16, body: &[u8]) {
        let s = svc();
        let _ =
            CreateTask::new(RecaptchaV2Task::new(PAGE, SITEKEY)).parse(&s, response(status, body));
        for kind in TaskKind::ALL {
            let _ = GetTaskResult::new(1, *kind).parse(&s, response(status, body));
            let _ = GetTaskResult::new(1, *kind).parse(&with_price(), response(status, body));
        }
        let _ = GetBalance.parse(&s, response(status, body));
        let _ = reportbad().parse(&s, response(status, body));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn on_arbitrary_bytes(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 0..300)) {
            all_parsers(status, &body);
        }

        #[test]
        fn on_arbitrary_text(body in "\\PC{0,200}") {
            all_parsers(200, body.as_bytes());
        }

        #[test]
        fn on_reply_shaped_text(
            head in prop_oneof![
                Just("OK|"), Just("ERROR: "), Just("ERROR_"), Just("CAPCHA_NOT_READY"),
                Just("{\"status\":1,\"request\":"), Just("{\"status\":0,\"request\":"), Just("OK_"), Just("")
            ],
            tail in "[ -~]{0,80}",
        ) {
            all_parsers(200, format!("{head}{tail}").as_bytes());
        }
    }
}

#[test]
fn extra_reply_fields_reach_the_solution() {
    let service = Service::capmonster_url_form();
    let body = r#"{"status":1,"request":"P1_token","respKey":"E0_key","useragent":"UA/1"}"#;
    let result = GetTaskResult::new(5, TaskKind::HCaptcha)
        .parse(&service, response(200, body.as_bytes()))
        .unwrap();
    let ready = result.ready().unwrap();
    let Solution::HCaptcha(h) = &ready.solution else {
        panic!("{:?}", ready.solution)
    };
    assert_eq!(h.g_recaptcha_response, "P1_token");
    assert_eq!(h.resp_key.as_deref(), Some("E0_key"));
    assert_eq!(h.user_agent.as_deref(), Some("UA/1"));
}
