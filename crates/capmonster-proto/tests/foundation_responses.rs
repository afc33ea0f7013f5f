//! The foundation's parse tests: every documented response shape of the six methods.

mod foundation_common;

use capmonster_proto::{
    ApiError, CreateTask, Endpoint, ErrorClass, ErrorCode, GetBalance, GetTaskResult, GetUserAgent,
    ResponseError, Service, http,
    solution::{Solution, TaskResult},
    task::{TaskKind, TurnstileTask},
};
use foundation_common::{fixture, key, report};

fn response(status: u16, body: &str) -> http::Response<&[u8]> {
    http::Response::builder()
        .status(status)
        .body(body.as_bytes())
        .unwrap()
}

fn create_parse(status: u16, body: &str) -> Result<u64, ResponseError> {
    CreateTask::new(TurnstileTask::new("https://a.b", "k"))
        .parse(&Service::default(), response(status, body))
}

#[test]
fn create_task_success_and_error() {
    assert_eq!(
        create_parse(200, &fixture("createTask.success.response.json")).unwrap(),
        7654321
    );
    // Every documented per-type createTask response parses to its id.
    let dir = format!("{}/../../tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.starts_with("createTask.") && name.ends_with(".response.json") {
            let id = create_parse(200, &fixture(&name)).unwrap();
            assert!(id > 0, "{name}");
            seen += 1;
        }
    }
    assert!(seen >= 40, "only {seen} createTask responses found");

    let err = create_parse(
        200,
        &fixture("error.ERROR_KEY_DOES_NOT_EXIST.createTask.response.json"),
    )
    .unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.code, ErrorCode::KeyDoesNotExist);
    assert_eq!(api.class(), ErrorClass::FatalConfig);
    assert_eq!(api.error_id, 1);
    assert!(
        api.description
            .as_deref()
            .unwrap()
            .contains("Account authorization key not found")
    );
}

#[test]
fn error_statuses_carry_their_json_error() {
    for (status, code) in [
        (402, ErrorCode::ZeroBalance),
        (403, ErrorCode::KeyDoesNotExist),
        (429, ErrorCode::TooMuchRequests),
        (500, ErrorCode::NoSlotAvailable),
        (503, ErrorCode::NoSlotAvailable),
    ] {
        let body = format!(
            r#"{{"errorId":1,"errorCode":"{}","errorDescription":"d"}}"#,
            code.as_str()
        );
        let err = create_parse(status, &body).unwrap_err();
        let api = err.api().unwrap_or_else(|| panic!("{status}: {err:?}"));
        assert_eq!(api.code, code);
        assert_eq!(api.http_status, status);
        assert!(err.to_string().contains(&format!("(HTTP {status})")));
    }
}

#[test]
fn non_json_bodies_keep_status_and_prefix() {
    let html = "<html><head><title>502 Bad Gateway</title></head></html>";
    match create_parse(502, html).unwrap_err() {
        ResponseError::Unparseable(u) => {
            assert_eq!(u.status, 502);
            assert_eq!(u.body_prefix, html);
            assert!(u.is_transient_status());
        }
        other => panic!("{other:?}"),
    }
    match create_parse(200, "").unwrap_err() {
        ResponseError::Unparseable(u) => {
            assert_eq!(u.reason, "empty body");
            assert_eq!(u.body_len, 0);
        }
        other => panic!("{other:?}"),
    }
    match create_parse(200, r#"{"errorId":0,"taskId":"#).unwrap_err() {
        ResponseError::Unparseable(u) => assert!(u.reason.starts_with("malformed JSON"), "{u}"),
        other => panic!("{other:?}"),
    }
    match create_parse(503, r#"{"errorId":0}"#).unwrap_err() {
        ResponseError::Unparseable(u) => assert_eq!(u.status, 503),
        other => panic!("{other:?}"),
    }
}

#[test]
fn error_fields_may_be_absent_or_null() {
    let err = create_parse(
        200,
        r#"{"errorId":1,"errorCode":null,"errorDescription":null}"#,
    )
    .unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.code.as_str(), "");
    assert_eq!(api.description, None);
    assert!(
        err.to_string()
            .starts_with("the service answered errorId 1 with no error code")
    );
    let err = create_parse(200, r#"{"errorId":1,"errorCode":"ERROR_BRAND_NEW"}"#).unwrap_err();
    let unknown = &err.api().unwrap().code;
    assert!(matches!(unknown, ErrorCode::Unknown(_)), "{unknown:?}");
    assert_eq!(unknown.as_str(), "ERROR_BRAND_NEW");
    // Anti-Captcha numbers its errors; the code decides, not the number.
    let err = create_parse(
        200,
        r#"{"errorId":16,"errorCode":"ERROR_NO_SUCH_CAPCHA_ID"}"#,
    )
    .unwrap_err();
    assert_eq!(err.api().unwrap().error_id, 16);
    assert_eq!(err.api().unwrap().code, ErrorCode::NoSuchCapchaId);
    // Unknown fields and a string task id are accepted.
    assert_eq!(
        create_parse(200, r#"{"errorId":0,"taskId":"12345","extra":[1,2]}"#).unwrap(),
        12345
    );
    // A large 64-bit id survives.
    assert_eq!(
        create_parse(200, r#"{"errorId":0,"taskId":73000000000}"#).unwrap(),
        73_000_000_000
    );
}

fn poll(kind: TaskKind, status: u16, body: &str) -> Result<TaskResult, ResponseError> {
    GetTaskResult::new(407533072, kind).parse(&Service::default(), response(status, body))
}

#[test]
fn get_task_result_processing_and_ready() {
    assert_eq!(
        poll(
            TaskKind::Other,
            200,
            &fixture("getTaskResult.processing.response.json")
        )
        .unwrap(),
        TaskResult::Processing
    );
    assert_eq!(
        poll(
            TaskKind::Other,
            200,
            r#"{"errorId":1,"errorCode":"CAPTCHA_NOT_READY"}"#
        )
        .unwrap(),
        TaskResult::Processing
    );
    let generic = poll(
        TaskKind::ImageToText,
        200,
        &fixture("getTaskResult.ready.generic.response.json"),
    )
    .unwrap();
    let ready = generic.ready().unwrap();
    match &ready.solution {
        Solution::Text(t) => assert_eq!(t.text, "answer"),
        other => panic!("{other:?}"),
    }
    let img = poll(
        TaskKind::ImageToText,
        200,
        &fixture("getTaskResult.ImageToTextTask.response.json"),
    )
    .unwrap();
    assert_eq!(img.ready().unwrap().solution.main_value(), Some("answer"));
}

#[test]
fn get_task_result_typed_solutions_of_the_first_three_types() {
    let r = poll(
        TaskKind::RecaptchaV2,
        200,
        &fixture("getTaskResult.RecaptchaV2Task.response.json"),
    )
    .unwrap();
    let ready = r.ready().unwrap();
    let Solution::Recaptcha(s) = &ready.solution else {
        panic!("{:?}", ready.solution)
    };
    assert!(
        s.g_recaptcha_response
            .starts_with("3AHJ_VuvYIBNBW5yyv0zRYJ75VkOKvhKj9_xGBJKnQimF72rfoq3Iy")
    );
    assert_eq!(s.user_agent, None);
    assert!(ready.raw_json().contains("gRecaptchaResponse"));

    let r = poll(
        TaskKind::RecaptchaV2,
        200,
        &fixture("getTaskResult.RecaptchaV2Task.userAgent-cookies.response.json"),
    )
    .unwrap();
    let Solution::Recaptcha(s) = &r.ready().unwrap().solution else {
        panic!()
    };
    assert!(s.user_agent.as_deref().unwrap().starts_with("Mozilla/5.0"));
    assert!(!s.cookies.as_ref().unwrap().is_empty());

    let r = poll(
        TaskKind::Turnstile,
        200,
        &fixture("getTaskResult.TurnstileTask.response.json"),
    )
    .unwrap();
    let Solution::Turnstile(s) = &r.ready().unwrap().solution else {
        panic!()
    };
    assert!(
        s.token
            .as_deref()
            .unwrap()
            .starts_with("0.iGX3xsyFCkbGePM3jP4P4khLo6TrLukt8ZzBvwuQOvb")
    );
}

#[test]
fn get_task_result_keeps_cost_and_extras() {
    let body = r#"{"errorId":0,"status":"ready","solution":{"text":"abc"},"cost":"0.000700",
        "ip":"46.98.54.221","createTime":1472205564,"endTime":"1472205570","solveCount":"0"}"#;
    let r = poll(TaskKind::ImageToText, 200, body).unwrap();
    let ready = r.ready().unwrap();
    assert_eq!(ready.cost(), Some(0.0007));
    assert_eq!(ready.extras.ip.as_deref(), Some("46.98.54.221"));
    assert_eq!(ready.extras.create_time, Some(1472205564));
    assert_eq!(ready.extras.end_time, Some(1472205570));
    assert_eq!(ready.extras.solve_count, Some(0));
    let r = poll(
        TaskKind::ComplexImageRecognition,
        200,
        &fixture("getTaskResult.ComplexImageTask.recognition.baidu.response.json"),
    )
    .unwrap();
    assert!(r.ready().unwrap().cost().unwrap() > 0.0);
}

#[test]
fn get_task_result_errors() {
    let err = poll(
        TaskKind::Other,
        200,
        r#"{"errorId":1,"errorCode":"ERROR_NO_SUCH_CAPCHA_ID","errorDescription":"Task not found"}"#,
    )
    .unwrap_err();
    assert_eq!(err.api().unwrap().class(), ErrorClass::FatalTask);
    let err = poll(
        TaskKind::Other,
        429,
        r#"{"errorId":1,"errorCode":"ERROR_TOO_MUCH_REQUESTS"}"#,
    )
    .unwrap_err();
    assert_eq!(err.api().unwrap().class(), ErrorClass::RetryCall);
    let err = poll(TaskKind::Other, 200, r#"{"errorId":0,"status":"ready"}"#).unwrap_err();
    assert!(matches!(err, ResponseError::Unparseable(_)));
    let err = poll(TaskKind::Other, 200, r#"{"errorId":0,"status":"weird"}"#).unwrap_err();
    assert!(err.to_string().contains("unknown task status"), "{err}");
    // A solution of the wrong shape is kept raw, not lost.
    let r = poll(
        TaskKind::ImageToText,
        200,
        r#"{"errorId":0,"status":"ready","solution":{"x":1}}"#,
    )
    .unwrap();
    let ready = r.ready().unwrap();
    assert_eq!(ready.solution, Solution::Raw);
    assert_eq!(ready.raw_value()["x"], 1);
}

#[test]
fn get_balance_shapes() {
    let b = GetBalance
        .parse(
            &Service::default(),
            response(200, &fixture("getBalance.response.json")),
        )
        .unwrap();
    assert_eq!(b.balance, 345.678);
    let b = GetBalance
        .parse(
            &Service::anti_captcha(),
            response(200, r#"{"errorId":0,"balance":"1.5","captchaCredits":20}"#),
        )
        .unwrap();
    assert_eq!((b.balance, b.captcha_credits), (1.5, Some(20.0)));
    let err = GetBalance
        .parse(&Service::default(), response(200, r#"{"errorId":0}"#))
        .unwrap_err();
    assert!(err.to_string().contains("without a balance"));
    let err = GetBalance
        .parse(
            &Service::default(),
            response(402, r#"{"errorId":1,"errorCode":"ERROR_ZERO_BALANCE"}"#),
        )
        .unwrap_err();
    assert_eq!(err.api().unwrap().code, ErrorCode::ZeroBalance);
}

#[test]
fn get_user_agent_shapes() {
    let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36";
    for body in [
        ua.to_owned(),
        format!("{ua}\n"),
        format!("\"{ua}\""),
        format!("{{\"UserAgent\":\"{ua}\"}}"),
    ] {
        assert_eq!(
            GetUserAgent
                .parse(&Service::default(), response(200, &body))
                .unwrap(),
            ua
        );
    }
    assert!(
        GetUserAgent
            .parse(&Service::default(), response(200, ""))
            .is_err()
    );
    assert!(
        GetUserAgent
            .parse(&Service::default(), response(500, ua))
            .is_err()
    );
    assert!(
        GetUserAgent
            .build(&Service::anti_captcha(), &key())
            .unwrap_err()
            .to_string()
            .contains("getUserAgent is not available on Anti-Captcha")
    );
}

#[test]
fn report_shapes() {
    let s = Service::default();
    assert!(
        report(TaskKind::ImageToText, 1)
            .parse(
                &s,
                response(200, &fixture("reportIncorrect.success.response.json"))
            )
            .is_ok()
    );
    assert!(
        report(TaskKind::RecaptchaV2, 1)
            .parse(&s, response(200, r#"{"errorId":0}"#))
            .is_ok()
    );
    let err = report(TaskKind::RecaptchaV2, 1)
        .parse(
            &s,
            response(
                200,
                &fixture("error.ERROR_KEY_DOES_NOT_EXIST.reportIncorrect.response.json"),
            ),
        )
        .unwrap_err();
    let api: &ApiError = err.api().unwrap();
    assert_eq!(api.code, ErrorCode::KeyDoesNotExist);
    assert_eq!(api.description, None);
}

#[test]
fn a_typed_read_never_drops_a_field() {
    use capmonster_proto::task::Task;
    // Every field known: typed, and the documented spellings still read as typed.
    let known = serde_json::json!({
        "type": "RecaptchaV2Task", "websiteUrl": "https://a.example", "websiteKey": "k"
    });
    assert!(matches!(
        Task::from_json_value(known).unwrap(),
        Task::RecaptchaV2(_)
    ));
    // A field the struct does not model: sent exactly as given, not silently lost.
    let extra = serde_json::json!({
        "type": "RecaptchaV2Task", "websiteURL": "https://a.example", "websiteKey": "k",
        "someNewOption": 3
    });
    let task = Task::from_json_value(extra.clone()).unwrap();
    assert!(matches!(task, Task::Raw(_)), "{task:?}");
    assert_eq!(
        task.kind(),
        TaskKind::RecaptchaV2,
        "the kind still types the solution"
    );
    assert_eq!(serde_json::to_value(&task).unwrap(), extra);
    // The same inside metadata.
    let nested = serde_json::json!({
        "type": "CustomTask", "class": "TenDI", "websiteURL": "https://a.example",
        "websiteKey": "189123456", "metadata": {"captchaUrl": "https://x/TCaptcha.js", "newThing": "v"}
    });
    assert!(matches!(
        Task::from_json_value(nested).unwrap(),
        Task::Raw(_)
    ));
}
