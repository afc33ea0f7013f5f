//! The in.php/res.php URL form: every request shape the endpoints send on a URL-form service,
//! and the documented example byte for byte. The replies: tests/urlform_replies.rs and the
//! parser's own tests (src/wire/url_form/tests.rs).

mod support;

use capmonster_proto::{
    BuildError, ClientKey, CreateTask, Dialect, Endpoint, GetBalance, GetTaskResult, QueryEncoding,
    Service, UrlFormOptions, UrlFormTransport,
    report::{ReportRequest, ReportVerdict},
    solution::TaskResult,
    task::{ImageToTextTask, Proxy, ProxyType, RecaptchaV2Task, Task, TaskKind, TurnstileTask},
};
use serde_json::json;
use support::{golden_task, key, response};

const PAGE: &str = "https://lessons.zennolab.com/captchas/recaptcha/v2_simple.php?level=high";
const SITEKEY: &str = "6Lcg7CMUAAAAANphynKgn9YAgA4tQ2KI_iqRyTwd";

fn svc() -> Service {
    Service::capmonster_url_form()
}

fn raw(value: serde_json::Value) -> Task {
    Task::from_json_value(value).unwrap()
}

/// A task kept as raw JSON, whatever typed struct its type has.
fn raw_only(value: serde_json::Value) -> Task {
    let serde_json::Value::Object(obj) = value else {
        panic!("not an object")
    };
    Task::from(capmonster_proto::task::RawTask::new(obj).unwrap())
}

fn proxy() -> Proxy {
    Proxy::new(ProxyType::Socks5, "8.8.8.8", 1080).with_auth("user", "pa:ss")
}

fn get() -> UrlFormOptions {
    UrlFormOptions::default().with_transport(UrlFormTransport::Get)
}

/// The URL-form service with `options`.
fn svc_with(options: UrlFormOptions) -> Service {
    svc().with_url_form_options(options)
}

/// The form pairs of a POST request, in order.
fn form(request: &http::Request<Vec<u8>>) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(request.body()).unwrap()
}

/// The `in.php` parameters createTask sends for `task` (POST, no `json=1`), without the key.
fn in_php_params(task: impl Into<Task>) -> Result<Vec<(String, String)>, BuildError> {
    let service = svc_with(UrlFormOptions::default().with_json(false));
    let request = CreateTask::new(task).build(&service, &key())?;
    let mut pairs = form(&request);
    assert_eq!(pairs.remove(0).0, "key");
    Ok(pairs)
}

// ------------------------------------------------------------------------------------------
// The documented example
// ------------------------------------------------------------------------------------------

#[test]
fn documented_in_php_example_is_reproduced_byte_for_byte() {
    let expected = support::fixture("compat.in.php.userrecaptcha.nocache.txt");
    let service = Service::custom(
        capmonster_proto::CAPMONSTER_URL_FORM_DOCUMENTED_BASE_URL,
        Dialect::UrlForm,
    )
    .unwrap()
    .with_url_form_options(UrlFormOptions::as_documented());
    let key = ClientKey::new("API_KEY").unwrap();
    let submit = CreateTask::new(RecaptchaV2Task::new(PAGE, SITEKEY).with_nocache(true));
    let request = submit.build(&service, &key).unwrap();
    assert_eq!(request.method(), http::Method::GET);
    assert_eq!(request.uri().to_string(), expected.trim_end());
    assert_eq!(request.uri().to_string(), expected);
    assert!(request.body().is_empty());
}

#[test]
fn percent_encoding_is_the_default_for_get_and_nocache_stays_last() {
    let submit = CreateTask::new(RecaptchaV2Task::new(PAGE, SITEKEY).with_nocache(true));
    let request = submit
        .build(&svc_with(get().with_json(false)), &key())
        .unwrap();
    assert_eq!(
        request.uri().to_string(),
        format!(
            "https://api.capmonster.cloud/in.php?key={}&method=userrecaptcha&googlekey={SITEKEY}\
             &pageurl=https%3A%2F%2Flessons.zennolab.com%2Fcaptchas%2Frecaptcha%2Fv2_simple.php%3Flevel%3Dhigh\
             &nocache=1",
            support::KEY
        )
    );
    // With every extra on, nocache is still last.
    let submit = CreateTask::new(RecaptchaV2Task::new(PAGE, SITEKEY).with_nocache(true))
        .with_soft_id(54)
        .with_callback_url("https://example.com/cb");
    let params = form(&submit.build(&svc(), &key()).unwrap());
    let names: Vec<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "key",
            "method",
            "googlekey",
            "pageurl",
            "json",
            "soft_id",
            "pingback",
            "nocache"
        ]
    );
}

#[test]
fn as_documented_encoding_still_escapes_what_would_change_the_query() {
    let task = RecaptchaV2Task::new("https://a.example/p?x=1&y=2#frag", "k+ey w");
    let service = svc_with(
        get()
            .with_encoding(QueryEncoding::AsDocumented)
            .with_json(false),
    );
    let request = CreateTask::new(task).build(&service, &key()).unwrap();
    let uri = request.uri().to_string();
    assert!(
        uri.ends_with("&googlekey=k%2Bey%20w&pageurl=https://a.example/p?x=1%26y=2%23frag"),
        "{uri}"
    );
    // Decoding gives back the exact values.
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(request.uri().query().unwrap()).unwrap();
    assert_eq!(pairs[2].1, "k+ey w");
    assert_eq!(pairs[3].1, "https://a.example/p?x=1&y=2#frag");
}

// ------------------------------------------------------------------------------------------
// in.php snapshots
// ------------------------------------------------------------------------------------------

fn snapshot_submit(name: &str, submit: CreateTask) {
    snapshot_submit_with(name, submit, UrlFormOptions::default());
}

fn snapshot_submit_with(name: &str, submit: CreateTask, options: UrlFormOptions) {
    let request = submit.build(&svc_with(options), &key()).unwrap();
    assert_request_snapshot!(name, request);
}

#[test]
fn in_php_recaptcha_v2_requests() {
    snapshot_submit(
        "in_php_recaptcha_v2_post",
        CreateTask::new(RecaptchaV2Task::new(PAGE, SITEKEY)),
    );
    snapshot_submit_with(
        "in_php_recaptcha_v2_get",
        CreateTask::new(RecaptchaV2Task::new(PAGE, SITEKEY)),
        get(),
    );
    snapshot_submit(
        "in_php_recaptcha_v2_everything",
        CreateTask::new(
            RecaptchaV2Task::new(PAGE, SITEKEY)
                .with_invisible(true)
                .with_data_s_value("S-VALUE")
                .with_user_agent("Mozilla/5.0 (Windows NT 10.0; Win64; x64)")
                .with_cookies("a=1; b=two")
                .with_nocache(true)
                .with_proxy(proxy()),
        )
        .with_soft_id(54),
    );
    snapshot_submit_with(
        "in_php_recaptcha_v2_documented_get",
        CreateTask::new(RecaptchaV2Task::new(PAGE, SITEKEY).with_nocache(true)),
        UrlFormOptions::as_documented(),
    );
}

#[test]
fn in_php_recaptcha_family_requests() {
    snapshot_submit(
        "in_php_recaptcha_v2_enterprise",
        CreateTask::new(golden_task(
            "createTask.RecaptchaV2EnterpriseTask.proxyless.request.json",
        )),
    );
    snapshot_submit(
        "in_php_recaptcha_v3",
        CreateTask::new(golden_task(
            "createTask.RecaptchaV3TaskProxyless.request.json",
        )),
    );
    snapshot_submit(
        "in_php_recaptcha_v3_enterprise",
        CreateTask::new(golden_task(
            "createTask.RecaptchaV3EnterpriseTask.request.json",
        )),
    );
    let v3 = in_php_params(golden_task(
        "createTask.RecaptchaV3TaskProxyless.request.json",
    ))
    .unwrap();
    assert!(v3.contains(&("version".into(), "v3".into())));
    assert!(v3.contains(&("action".into(), "myverify".into())));
    assert!(v3.contains(&("min_score".into(), "0.7".into())));
    assert!(!v3.iter().any(|(k, _)| k == "enterprise"));
}

#[test]
fn in_php_other_token_requests() {
    snapshot_submit(
        "in_php_hcaptcha",
        CreateTask::new(raw(json!({
            "type": "HCaptchaTask",
            "websiteURL": "https://lessons.zennolab.com/captchas/hcaptcha/?level=easy",
            "websiteKey": "472fc7af-86a4-4382-9a49-ca9090474471",
            "isInvisible": true,
            "data": "RQDATA",
            "proxyType": "http",
            "proxyAddress": "8.8.8.8",
            "proxyPort": 8080,
        }))),
    );
    snapshot_submit(
        "in_php_turnstile",
        CreateTask::new(
            TurnstileTask::new("http://tsmanaged.zlsupport.com", "0x4AAAAAAABUYP0XeMJF0xoy")
                .with_page_action("managed")
                .with_data("CDATA"),
        ),
    );
    snapshot_submit(
        "in_php_geetest_v3",
        CreateTask::new(golden_task(
            "createTask.GeeTestTask.v3.proxyless.request.json",
        )),
    );
    snapshot_submit(
        "in_php_geetest_v4",
        CreateTask::new(raw(json!({
            "type": "GeeTestTask",
            "websiteURL": "https://gt4.geetest.com/",
            "gt": "54088bb07d2df3c46b79f80300b0abbe",
            "version": 4,
        }))),
    );
    snapshot_submit(
        "in_php_funcaptcha",
        CreateTask::new(golden_task(
            "createTask.FunCaptchaTask.proxyless.request.json",
        )),
    );
    snapshot_submit(
        "in_php_amazon_waf",
        CreateTask::new(raw(json!({
            "type": "AmazonTask",
            "websiteURL": "https://example.com",
            "websiteKey": "AQIDA...wZwdADFLWk7XOA==",
            "challengeScript": "https://x.token.awswaf.com/challenge.js",
            "captchaScript": "https://x.captcha.awswaf.com/captcha.js",
            "context": "qoJYgnKsc...aormh/dYYK+Y=",
            "iv": "CgAAXFFFFSAAABVk",
            "cookieSolution": false,
        }))),
    );
    snapshot_submit(
        "in_php_mtcaptcha",
        CreateTask::new(raw(json!({
            "type": "MTCaptchaTask",
            "websiteURL": "https://www.example.com",
            "websiteKey": "MTPublic-abCDEFJAB",
            "isInvisible": false,
        }))),
    );
    snapshot_submit(
        "in_php_prosopo",
        CreateTask::new(golden_task("createTask.ProsopoTask.proxyless.request.json")),
    );
}

#[test]
fn in_php_image_request() {
    let image = ImageToTextTask::from_image_bytes(&[0x89; 120])
        .with_case(true)
        .with_numeric(true)
        .with_math(false);
    snapshot_submit("in_php_image_base64", CreateTask::new(image));
}

#[test]
fn geetest_v4_maps_captcha_id_and_version() {
    let p = in_php_params(raw(json!({
        "type": "GeeTestTask", "websiteURL": "https://gt4.geetest.com/",
        "gt": "54088bb0", "version": 4,
    })))
    .unwrap();
    assert_eq!(p[0], ("method".into(), "geetest_v4".into()));
    assert!(p.contains(&("captcha_id".into(), "54088bb0".into())));
    assert!(p.contains(&("version".into(), "4".into())));
}

#[test]
fn funcaptcha_blob_and_proxy_format() {
    let p = in_php_params(raw(json!({
        "type": "FunCaptchaTask", "websiteURL": "https://www.example.com",
        "websitePublicKey": "PK", "data": "{\"blob\":\"B|1\"}",
        "proxyType": "https", "proxyAddress": "1.2.3.4", "proxyPort": 3128,
        "proxyLogin": "u", "proxyPassword": "p",
    })))
    .unwrap();
    assert!(p.contains(&("data[blob]".into(), "B|1".into())));
    assert!(p.contains(&("proxy".into(), "u:p@1.2.3.4:3128".into())));
    assert!(p.contains(&("proxytype".into(), "HTTPS".into())));
    let p = in_php_params(Task::from(
        RecaptchaV2Task::new(PAGE, SITEKEY)
            .with_proxy(Proxy::new(ProxyType::Http, "10.0.0.1", 80))
            .with_invisible(false),
    ))
    .unwrap();
    assert!(p.contains(&("proxy".into(), "10.0.0.1:80".into())));
    assert!(p.contains(&("proxytype".into(), "HTTP".into())));
    assert!(!p.iter().any(|(k, _)| k == "invisible"));
}

#[test]
fn tasks_the_url_form_cannot_carry_are_typed_errors() {
    let datadome = golden_task("createTask.CustomTask.DataDome.request.json");
    assert_eq!(
        CreateTask::new(datadome).build(&svc(), &key()).unwrap_err(),
        BuildError::NoUrlFormMethod {
            task_type: "CustomTask/DataDome".into()
        }
    );
    let complex = golden_task("createTask.ComplexImageTask.recaptcha.request.json");
    assert!(matches!(
        in_php_params(complex),
        Err(BuildError::NoUrlFormMethod { .. })
    ));
    let unknown = raw(json!({"type": "SomeNewTask", "websiteURL": "https://x.example"}));
    assert_eq!(
        in_php_params(unknown).unwrap_err(),
        BuildError::NoUrlFormMethod {
            task_type: "SomeNewTask".into()
        }
    );
    // A field without an in.php parameter is refused, not dropped.
    let hcaptcha = golden_task("createTask.HCaptchaTask.proxy.request.json");
    assert_eq!(
        in_php_params(hcaptcha).unwrap_err(),
        BuildError::NoUrlFormField {
            task_type: "HCaptchaTask".into(),
            field: "fallbackToActualUA".into()
        }
    );
    // A field that asks for nothing (false, empty) is dropped; the same field set is refused.
    let quiet = raw(json!({
        "type": "HCaptchaTask", "websiteURL": "https://x.example", "websiteKey": "k",
        "fallbackToActualUA": false, "cookies": "",
    }));
    assert_eq!(
        in_php_params(quiet).unwrap(),
        [
            ("method".to_owned(), "hcaptcha".to_owned()),
            ("sitekey".to_owned(), "k".to_owned()),
            ("pageurl".to_owned(), "https://x.example".to_owned()),
            ("cookies".to_owned(), String::new()),
        ]
    );
    // (An image the service would take: 120 bytes.)
    let body = capmonster_proto::inputs::base64_encode(&[0x89; 120]);
    let image = raw(json!({"type": "ImageToTextTask", "body": body, "recognizingThreshold": 70}));
    let refused = in_php_params(image);
    assert!(
        matches!(
            &refused,
            Err(BuildError::NoUrlFormField { field, .. }) if field == "recognizingThreshold"
        ),
        "{refused:?}"
    );
    // A proxy without a port cannot be written as proxy=host:port.
    let half_proxy = raw_only(json!({
        "type": "TurnstileTask", "websiteURL": "https://x.example", "websiteKey": "k",
        "proxyType": "http", "proxyAddress": "1.2.3.4",
    }));
    assert!(matches!(
        in_php_params(half_proxy),
        Err(BuildError::NoUrlFormField { field, .. }) if field == "proxyType"
    ));
    // Kept raw, so the check does not depend on which fields the typed struct knows today.
    let v: serde_json::Value = serde_json::from_str(&support::fixture(
        "createTask.TurnstileTask.challenge-token.proxyless.request.json",
    ))
    .unwrap();
    let challenge = raw_only(v["task"].clone());
    assert_eq!(challenge.kind(), TaskKind::Turnstile);
    assert!(matches!(
        in_php_params(challenge),
        Err(BuildError::NoUrlFormField { field, .. }) if field == "cloudflareTaskType"
    ));
    let amazon_cookie = golden_task("createTask.AmazonTask.option2.proxyless.request.json");
    assert!(matches!(
        in_php_params(amazon_cookie),
        Err(BuildError::NoUrlFormField { field, .. }) if field == "cookieSolution"
    ));
}

// ------------------------------------------------------------------------------------------
// res.php snapshots
// ------------------------------------------------------------------------------------------

#[test]
fn res_php_requests() {
    let k = key();
    let id = 2122988149;
    let poll = |kind, options| {
        GetTaskResult::new(id, kind)
            .build(&svc_with(options), &k)
            .unwrap()
    };
    let report = |verdict| {
        ReportRequest::without_window(Dialect::UrlForm, verdict, TaskKind::RecaptchaV2, id)
            .unwrap()
            .build(&svc(), &k)
            .unwrap()
    };
    let default = UrlFormOptions::default();
    assert_request_snapshot!("res_php_get_post", poll(TaskKind::RecaptchaV2, default));
    assert_request_snapshot!("res_php_get_get", poll(TaskKind::RecaptchaV2, get()));
    assert_request_snapshot!(
        "res_php_get2",
        poll(TaskKind::ImageToText, default.with_price(true))
    );
    assert_request_snapshot!("res_php_getbalance", GetBalance.build(&svc(), &k).unwrap());
    assert_request_snapshot!(
        "res_php_getbalance_get_text",
        GetBalance
            .build(&svc_with(get().with_json(false)), &k)
            .unwrap()
    );
    assert_request_snapshot!("res_php_reportbad", report(ReportVerdict::Incorrect));
    assert_request_snapshot!("res_php_reportgood", report(ReportVerdict::Correct));
}

#[test]
fn service_level_options_reach_the_endpoints() {
    let s = svc_with(get().with_json(false));
    let k = key();
    let req = GetTaskResult::new(5, TaskKind::ImageToText)
        .build(&s, &k)
        .unwrap();
    assert_eq!(req.method(), http::Method::GET);
    assert_eq!(
        req.uri().to_string(),
        format!(
            "https://api.capmonster.cloud/res.php?key={}&action=get&id=5",
            support::KEY
        )
    );
    let req = GetTaskResult::new(5, TaskKind::ImageToText)
        .build(&svc(), &k)
        .unwrap();
    assert_eq!(req.method(), http::Method::POST);
    assert_eq!(
        String::from_utf8(req.body().clone()).unwrap(),
        format!("key={}&action=get&id=5&json=1", support::KEY)
    );
}

#[test]
fn json_endpoints_drive_the_url_form_too() {
    let s = svc();
    let k = key();
    let create = CreateTask::new(RecaptchaV2Task::new(PAGE, SITEKEY)).with_soft_id(54);
    assert_eq!(create.method_name(&s), "in.php");
    let request = create.build(&s, &k).unwrap();
    assert_eq!(request.uri(), "https://api.capmonster.cloud/in.php");
    assert_eq!(
        create
            .parse(&s, response(200, br#"{"status":1,"request":"2122988149"}"#))
            .unwrap(),
        2122988149
    );
    let poll = GetTaskResult::new(2122988149, TaskKind::RecaptchaV2);
    assert_eq!(
        poll.parse(&s, response(200, b"CAPCHA_NOT_READY")).unwrap(),
        TaskResult::Processing
    );
    let ready = poll.parse(&s, response(200, b"OK|03AGdBq2")).unwrap();
    assert_eq!(
        ready.ready().unwrap().solution.main_value(),
        Some("03AGdBq2")
    );
    assert_eq!(
        GetBalance
            .parse(&s, response(200, b"17.87942"))
            .unwrap()
            .balance,
        17.87942
    );
}
