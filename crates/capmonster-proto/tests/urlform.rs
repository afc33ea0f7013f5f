//! The in.php/res.php URL form: every request shape, the documented example byte for byte,
//! and every reply form, text and JSON.

mod support;

use capmonster_proto::urlform::{
    QueryEncoding, UrlFormAnswer, UrlFormGet, UrlFormGetBalance, UrlFormOptions, UrlFormReply,
    UrlFormReport, UrlFormSubmit, UrlFormTransport, in_php_params, parse_url_form_reply,
};
use capmonster_proto::{
    BuildError, ClientKey, CreateTask, Dialect, Endpoint, ErrorClass, ErrorCode, GetBalance,
    GetTaskResult, ResponseError, Service,
    solution::{GeeTestV3Solution, Solution, TaskResult},
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
    .unwrap();
    let key = ClientKey::new("API_KEY").unwrap();
    let submit = UrlFormSubmit::new(RecaptchaV2Task::new(PAGE, SITEKEY).with_nocache(true))
        .with_options(UrlFormOptions::as_documented());
    let request = submit.build(&service, &key).unwrap();
    assert_eq!(request.method(), http::Method::GET);
    assert_eq!(request.uri().to_string(), expected.trim_end());
    assert_eq!(request.uri().to_string(), expected);
    assert!(request.body().is_empty());
}

#[test]
fn percent_encoding_is_the_default_for_get_and_nocache_stays_last() {
    let submit = UrlFormSubmit::new(RecaptchaV2Task::new(PAGE, SITEKEY).with_nocache(true))
        .with_options(get().with_json(false));
    let request = submit.build(&svc(), &key()).unwrap();
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
    let submit = UrlFormSubmit::new(RecaptchaV2Task::new(PAGE, SITEKEY))
        .with_soft_id(54)
        .with_pingback("https://example.com/cb")
        .with_nocache(true);
    let params = submit.params(&svc(), &key()).unwrap();
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
    let submit = UrlFormSubmit::new(task).with_options(
        get()
            .with_encoding(QueryEncoding::AsDocumented)
            .with_json(false),
    );
    let request = submit.build(&svc(), &key()).unwrap();
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

fn snapshot_submit(name: &str, submit: UrlFormSubmit) {
    let request = submit.build(&svc(), &key()).unwrap();
    assert_request_snapshot!(name, request);
}

#[test]
fn in_php_recaptcha_v2_requests() {
    snapshot_submit(
        "in_php_recaptcha_v2_post",
        UrlFormSubmit::new(RecaptchaV2Task::new(PAGE, SITEKEY)),
    );
    snapshot_submit(
        "in_php_recaptcha_v2_get",
        UrlFormSubmit::new(RecaptchaV2Task::new(PAGE, SITEKEY)).with_options(get()),
    );
    snapshot_submit(
        "in_php_recaptcha_v2_everything",
        UrlFormSubmit::new(
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
    snapshot_submit(
        "in_php_recaptcha_v2_documented_get",
        UrlFormSubmit::new(RecaptchaV2Task::new(PAGE, SITEKEY).with_nocache(true))
            .with_options(UrlFormOptions::as_documented()),
    );
}

#[test]
fn in_php_recaptcha_family_requests() {
    snapshot_submit(
        "in_php_recaptcha_v2_enterprise",
        UrlFormSubmit::new(golden_task(
            "createTask.RecaptchaV2EnterpriseTask.proxyless.request.json",
        )),
    );
    snapshot_submit(
        "in_php_recaptcha_v3",
        UrlFormSubmit::new(golden_task(
            "createTask.RecaptchaV3TaskProxyless.request.json",
        )),
    );
    snapshot_submit(
        "in_php_recaptcha_v3_enterprise",
        UrlFormSubmit::new(golden_task(
            "createTask.RecaptchaV3EnterpriseTask.request.json",
        )),
    );
    let v3 = in_php_params(&golden_task(
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
        UrlFormSubmit::new(raw(json!({
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
        UrlFormSubmit::new(
            TurnstileTask::new("http://tsmanaged.zlsupport.com", "0x4AAAAAAABUYP0XeMJF0xoy")
                .with_page_action("managed")
                .with_data("CDATA"),
        ),
    );
    snapshot_submit(
        "in_php_geetest_v3",
        UrlFormSubmit::new(golden_task(
            "createTask.GeeTestTask.v3.proxyless.request.json",
        )),
    );
    snapshot_submit(
        "in_php_geetest_v4",
        UrlFormSubmit::new(raw(json!({
            "type": "GeeTestTask",
            "websiteURL": "https://gt4.geetest.com/",
            "gt": "54088bb07d2df3c46b79f80300b0abbe",
            "version": 4,
        }))),
    );
    snapshot_submit(
        "in_php_funcaptcha",
        UrlFormSubmit::new(golden_task(
            "createTask.FunCaptchaTask.proxyless.request.json",
        )),
    );
    snapshot_submit(
        "in_php_amazon_waf",
        UrlFormSubmit::new(raw(json!({
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
        UrlFormSubmit::new(raw(json!({
            "type": "MTCaptchaTask",
            "websiteURL": "https://www.example.com",
            "websiteKey": "MTPublic-abCDEFJAB",
            "isInvisible": false,
        }))),
    );
    snapshot_submit(
        "in_php_prosopo",
        UrlFormSubmit::new(golden_task("createTask.ProsopoTask.proxyless.request.json")),
    );
}

#[test]
fn in_php_image_request() {
    let image = ImageToTextTask::from_image_bytes(&[0x89; 120])
        .with_case(true)
        .with_numeric(true)
        .with_math(false);
    snapshot_submit("in_php_image_base64", UrlFormSubmit::new(image));
}

#[test]
fn geetest_v4_maps_captcha_id_and_version() {
    let p = in_php_params(&raw(json!({
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
    let p = in_php_params(&raw(json!({
        "type": "FunCaptchaTask", "websiteURL": "https://www.example.com",
        "websitePublicKey": "PK", "data": "{\"blob\":\"B|1\"}",
        "proxyType": "https", "proxyAddress": "1.2.3.4", "proxyPort": 3128,
        "proxyLogin": "u", "proxyPassword": "p",
    })))
    .unwrap();
    assert!(p.contains(&("data[blob]".into(), "B|1".into())));
    assert!(p.contains(&("proxy".into(), "u:p@1.2.3.4:3128".into())));
    assert!(p.contains(&("proxytype".into(), "HTTPS".into())));
    let p = in_php_params(&Task::from(
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
        UrlFormSubmit::new(datadome)
            .build(&svc(), &key())
            .unwrap_err(),
        BuildError::NoUrlFormMethod {
            task_type: "CustomTask/DataDome".into()
        }
    );
    let complex = golden_task("createTask.ComplexImageTask.recaptcha.request.json");
    assert!(matches!(
        in_php_params(&complex),
        Err(BuildError::NoUrlFormMethod { .. })
    ));
    let unknown = raw(json!({"type": "SomeNewTask", "websiteURL": "https://x.example"}));
    assert_eq!(
        in_php_params(&unknown).unwrap_err(),
        BuildError::NoUrlFormMethod {
            task_type: "SomeNewTask".into()
        }
    );
    // A field without an in.php parameter is refused, not dropped.
    let hcaptcha = golden_task("createTask.HCaptchaTask.proxy.request.json");
    assert_eq!(
        in_php_params(&hcaptcha).unwrap_err(),
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
        in_php_params(&quiet).unwrap(),
        [
            ("method".to_owned(), "hcaptcha".to_owned()),
            ("sitekey".to_owned(), "k".to_owned()),
            ("pageurl".to_owned(), "https://x.example".to_owned()),
            ("cookies".to_owned(), String::new()),
        ]
    );
    let image =
        raw(json!({"type": "ImageToTextTask", "body": "aGVsbG8=", "recognizingThreshold": 70}));
    assert!(matches!(
        in_php_params(&image),
        Err(BuildError::NoUrlFormField { field, .. }) if field == "recognizingThreshold"
    ));
    // A proxy without a port cannot be written as proxy=host:port.
    let half_proxy = raw_only(json!({
        "type": "TurnstileTask", "websiteURL": "https://x.example", "websiteKey": "k",
        "proxyType": "http", "proxyAddress": "1.2.3.4",
    }));
    assert!(matches!(
        in_php_params(&half_proxy),
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
        in_php_params(&challenge),
        Err(BuildError::NoUrlFormField { field, .. }) if field == "cloudflareTaskType"
    ));
    let amazon_cookie = golden_task("createTask.AmazonTask.option2.proxyless.request.json");
    assert!(matches!(
        in_php_params(&amazon_cookie),
        Err(BuildError::NoUrlFormField { field, .. }) if field == "cookieSolution"
    ));
}

// ------------------------------------------------------------------------------------------
// res.php snapshots
// ------------------------------------------------------------------------------------------

#[test]
fn res_php_requests() {
    let s = svc();
    let k = key();
    let id = 2122988149;
    assert_request_snapshot!(
        "res_php_get_post",
        UrlFormGet::new(id, TaskKind::RecaptchaV2)
            .build(&s, &k)
            .unwrap()
    );
    assert_request_snapshot!(
        "res_php_get_get",
        UrlFormGet::new(id, TaskKind::RecaptchaV2)
            .with_options(get())
            .build(&s, &k)
            .unwrap()
    );
    assert_request_snapshot!(
        "res_php_get2",
        UrlFormGet::new(id, TaskKind::ImageToText)
            .with_price()
            .build(&s, &k)
            .unwrap()
    );
    assert_request_snapshot!(
        "res_php_getbalance",
        UrlFormGetBalance::new().build(&s, &k).unwrap()
    );
    assert_request_snapshot!(
        "res_php_getbalance_get_text",
        UrlFormGetBalance::new()
            .with_options(get().with_json(false))
            .build(&s, &k)
            .unwrap()
    );
    assert_request_snapshot!(
        "res_php_reportbad",
        UrlFormReport::bad(id).build(&s, &k).unwrap()
    );
    assert_request_snapshot!(
        "res_php_reportgood",
        UrlFormReport::good(id).build(&s, &k).unwrap()
    );
}

#[test]
fn service_level_options_reach_the_delegating_endpoints() {
    let s = svc().with_url_form_options(get().with_json(false));
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
    // An endpoint's own options win over the service's.
    let req = UrlFormGet::new(5, TaskKind::ImageToText)
        .with_options(UrlFormOptions::default())
        .build(&s, &k)
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

// ------------------------------------------------------------------------------------------
// Reply parsing
// ------------------------------------------------------------------------------------------

fn ok_text(body: &str) -> String {
    match parse_url_form_reply(200, body.as_bytes()).unwrap() {
        UrlFormReply::Ok(ok) => ok.answer.as_text().unwrap().to_owned(),
        other => panic!("{body:?} gave {other:?}"),
    }
}

fn api_error(body: &str) -> capmonster_proto::ApiError {
    match parse_url_form_reply(200, body.as_bytes()) {
        Err(ResponseError::Api(e)) => e,
        other => panic!("{body:?} gave {other:?}"),
    }
}

#[test]
fn text_replies() {
    assert_eq!(ok_text("OK|2122988149"), "2122988149");
    assert_eq!(ok_text("OK|2122988149\r\n"), "2122988149");
    // Answers that contain `|` are split once.
    assert_eq!(ok_text("OK|40|200|-120"), "40|200|-120");
    assert_eq!(
        ok_text("OK|337187b9f5.50|r=ap-southeast-1|pk=ABC"),
        "337187b9f5.50|r=ap-southeast-1|pk=ABC"
    );
    assert_eq!(ok_text("OK|click:3/8/9"), "click:3/8/9");
    assert_eq!(ok_text("OK|"), "");
    for not_ready in [
        "CAPCHA_NOT_READY",
        "CAPTCHA_NOT_READY",
        " CAPCHA_NOT_READY\n",
    ] {
        assert_eq!(
            parse_url_form_reply(200, not_ready.as_bytes()).unwrap(),
            UrlFormReply::NotReady
        );
    }
    assert_eq!(
        parse_url_form_reply(200, b"OK_REPORT_RECORDED").unwrap(),
        UrlFormReply::ReportRecorded
    );
    assert_eq!(
        parse_url_form_reply(200, b"17.87942").unwrap(),
        UrlFormReply::Number(17.87942)
    );
    assert_eq!(
        parse_url_form_reply(200, b"555").unwrap(),
        UrlFormReply::Number(555.0)
    );
}

#[test]
fn text_errors() {
    let e = api_error("ERROR_WRONG_USER_KEY");
    assert_eq!(e.code, ErrorCode::WrongUserKey);
    assert_eq!(e.class(), ErrorClass::FatalConfig);
    assert_eq!(api_error("ERROR_ZERO_BALANCE").code, ErrorCode::ZeroBalance);
    assert_eq!(
        api_error("ERROR_NO_SLOT_AVAILABLE").class(),
        ErrorClass::RetryCall
    );
    assert_eq!(
        api_error("ERROR_CAPTCHA_UNSOLVABLE").code,
        ErrorCode::CaptchaUnsolvable
    );
    assert_eq!(
        api_error("ERROR_WRONG_CAPTCHA_ID").code,
        ErrorCode::WrongCaptchaId
    );
    assert_eq!(
        api_error("ERROR_REPORT_NOT_RECORDED").code,
        ErrorCode::ReportNotRecorded
    );
    assert_eq!(
        api_error("ERROR_DUPLICATE_REPORT").code,
        ErrorCode::DuplicateReport
    );
    assert_eq!(
        api_error("ERR_PROXY_CONNECTION_FAILED").code,
        ErrorCode::ProxyConnectionFailed
    );
    // Codes without the prefix.
    assert_eq!(api_error("IP_BANNED").code, ErrorCode::IpBanned);
    assert_eq!(api_error("MAX_USER_TURN").code, ErrorCode::MaxUserTurn);
    assert_eq!(
        api_error("TOO_MANY_BAD_IMAGES").code,
        ErrorCode::TooManyBadImages
    );
    assert_eq!(
        api_error("WRONG_CAPTCHA_ID").code,
        ErrorCode::WrongCaptchaId
    );
    // Unknown ERROR_ codes are kept verbatim.
    let unknown = api_error("ERROR_SOMETHING_NEW").code;
    assert!(matches!(unknown, ErrorCode::Unknown(_)), "{unknown:?}");
    assert_eq!(unknown.as_str(), "ERROR_SOMETHING_NEW");
    // Lockouts keep their number.
    let e = api_error("ERROR: 1001");
    assert_eq!(e.code, ErrorCode::Lockout1001);
    assert_eq!(e.error_id, 1001);
    assert_eq!(e.code.as_str(), "ERROR: 1001");
    assert_eq!(e.code.lockout(), Some(std::time::Duration::from_secs(600)));
    assert_eq!(api_error("ERROR: 1005").code, ErrorCode::Lockout1005);
    assert_eq!(api_error("ERROR:1003").code, ErrorCode::Lockout1003);
    let e = api_error("ERROR: 1009");
    assert_eq!(e.error_id, 1009);
    assert!(matches!(e.code, ErrorCode::Unknown(_)), "{:?}", e.code);
    assert_eq!(e.code.as_str(), "ERROR: 1009");
    // An error with a status that is not 200 is still the error.
    match parse_url_form_reply(503, b"ERROR_NO_SLOT_AVAILABLE") {
        Err(ResponseError::Api(e)) => assert_eq!(e.http_status, 503),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unreadable_replies() {
    for (status, body) in [
        (200, &b""[..]),
        (200, b"   "),
        (502, b"<html><body>502 Bad Gateway</body></html>"),
        (200, b"<html>"),
        (200, b"\xff\xfe\x00"),
        (200, b"{\"status\":1"),
        (200, b"[1,2]"),
        (200, b"{}"),
        (200, b"No_matching_images"),
        (500, b"OK|123"),
    ] {
        assert!(
            matches!(
                parse_url_form_reply(status, body),
                Err(ResponseError::Unparseable(_))
            ),
            "{:?}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn json_replies() {
    assert_eq!(
        ok_text(r#"{"status":1,"request":"2122988149"}"#),
        "2122988149"
    );
    assert_eq!(
        ok_text(r#"{"status":"1","request":"40|200|-120"}"#),
        "40|200|-120"
    );
    assert_eq!(
        parse_url_form_reply(200, br#"{"status":0,"request":"CAPCHA_NOT_READY"}"#).unwrap(),
        UrlFormReply::NotReady
    );
    assert_eq!(
        parse_url_form_reply(200, br#"{"status":1,"request":"OK_REPORT_RECORDED"}"#).unwrap(),
        UrlFormReply::ReportRecorded
    );
    let e = api_error(
        r#"{"status":0,"request":"ERROR_WRONG_USER_KEY","error_text":"You've provided key parameter value in incorrect format"}"#,
    );
    assert_eq!(e.code, ErrorCode::WrongUserKey);
    assert_eq!(
        e.description.as_deref(),
        Some("You've provided key parameter value in incorrect format")
    );
    assert_eq!(
        api_error(r#"{"status":0,"request":"ERROR: 1004"}"#).error_id,
        1004
    );
    assert_eq!(
        api_error(r#"{"status":0,"request":null,"error_text":"x"}"#).code,
        ErrorCode::Missing
    );
    // Turnstile: token + useragent.
    match parse_url_form_reply(
        200,
        br#"{"status":1,"request":"0.zrSnRHO7h0HwSjSCU8oyzbjEtD8p","useragent":"Mozilla/5.0"}"#,
    )
    .unwrap()
    {
        UrlFormReply::Ok(ok) => {
            assert_eq!(
                ok.answer,
                UrlFormAnswer::Text("0.zrSnRHO7h0HwSjSCU8oyzbjEtD8p".into())
            );
            assert_eq!(ok.user_agent.as_deref(), Some("Mozilla/5.0"));
        }
        other => panic!("{other:?}"),
    }
    // get2 with price.
    match parse_url_form_reply(200, br#"{"status":1,"request":"ABCDE","price":"0.00085"}"#).unwrap()
    {
        UrlFormReply::Ok(ok) => assert_eq!(ok.price, Some(0.00085)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn json_answers_come_out_typed() {
    let geetest = UrlFormAnswer::GeeTest(GeeTestV3Solution {
        challenge: "1a2b".into(),
        validate: "3c4d".into(),
        seccode: "3c4d|jordan".into(),
    });
    let answer = |body: &[u8]| match parse_url_form_reply(200, body).unwrap() {
        UrlFormReply::Ok(ok) => ok.answer,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        answer(br#"{"status":1,"request":{"challenge":"1a2b","validate":"3c4d","seccode":"3c4d|jordan"}}"#),
        geetest
    );
    // The array form seen in the wild, and the object under status 0.
    assert_eq!(
        answer(br#"{"status":1,"request":["1a2b","3c4d","3c4d|jordan"]}"#),
        geetest
    );
    assert_eq!(
        answer(br#"{"status":0,"request":{"challenge":"1a2b","validate":"3c4d","seccode":"3c4d|jordan"}}"#),
        geetest
    );
    // Printed bare after OK|.
    assert_eq!(
        answer(br#"OK|{"challenge":"1a2b","validate":"3c4d","seccode":"3c4d|jordan"}"#),
        geetest
    );
    match answer(
        br#"{"status":1,"request":{"captcha_id":"e392","lot_number":"7b6b","pass_token":"bad5","gen_time":1683794919,"captcha_output":"fFEW"}}"#,
    ) {
        UrlFormAnswer::GeeTestV4(v4) => {
            assert_eq!(v4.captcha_id.as_deref(), Some("e392"));
            assert_eq!(v4.gen_time, "1683794919");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        answer(br#"{"status":1,"request":{"captcha_voucher":"v","existing_token":"t"}}"#),
        UrlFormAnswer::Json(json!({"captcha_voucher":"v","existing_token":"t"}))
    );
}

#[test]
fn res_php_get_maps_into_the_core_result() {
    let s = svc();
    let poll = |kind, body: &[u8]| {
        UrlFormGet::new(1, kind)
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
    let get2 = UrlFormGet::new(1, TaskKind::ImageToText).with_price();
    let r = get2.parse(&s, response(200, b"OK|ABCDE|0.00085")).unwrap();
    let r = r.ready().unwrap();
    assert_eq!(r.solution.main_value(), Some("ABCDE"));
    assert_eq!(r.cost(), Some(0.00085));
    let r = get2
        .parse(
            &s,
            response(200, br#"{"status":1,"request":"A|B","price":"0.001"}"#),
        )
        .unwrap();
    assert_eq!(r.ready().unwrap().solution.main_value(), Some("A|B"));
    assert_eq!(r.ready().unwrap().cost(), Some(0.001));
    // Errors stay typed.
    let e = UrlFormGet::new(1, TaskKind::RecaptchaV2)
        .parse(&s, response(200, b"ERROR_CAPTCHA_UNSOLVABLE"))
        .unwrap_err();
    assert_eq!(e.api().unwrap().class(), ErrorClass::RetryTask);
}

#[test]
fn submit_balance_and_report_parsers() {
    let s = svc();
    let submit = UrlFormSubmit::new(RecaptchaV2Task::new(PAGE, SITEKEY));
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
    let balance = UrlFormGetBalance::new();
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
    let report = UrlFormReport::bad(1);
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
        let _ = parse_url_form_reply(status, body);
        let _ = UrlFormSubmit::new(RecaptchaV2Task::new(PAGE, SITEKEY))
            .parse(&s, response(status, body));
        for kind in TaskKind::ALL {
            let _ = UrlFormGet::new(1, *kind).parse(&s, response(status, body));
            let _ = UrlFormGet::new(1, *kind)
                .with_price()
                .parse(&s, response(status, body));
        }
        let _ = UrlFormGetBalance::new().parse(&s, response(status, body));
        let _ = UrlFormReport::good(1).parse(&s, response(status, body));
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
    let result = UrlFormGet::new(5, TaskKind::HCaptcha)
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
