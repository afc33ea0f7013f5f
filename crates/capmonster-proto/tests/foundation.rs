//! The foundation's request tests: a snapshot of every request the JSON endpoints build. The
//! parse tests for every documented response shape are in foundation_responses.rs.

mod foundation_common;

use capmonster_proto::{
    ClientKey, CreateTask, Dialect, Endpoint, GetBalance, GetTaskResult, GetUserAgent, Service,
    http,
    task::{ImageToTextTask, Proxy, ProxyType, RecaptchaV2Task, TaskKind, TurnstileTask},
};
use foundation_common::{fixture, key, report};

fn fixture_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

/// Method, URL, sorted headers and pretty JSON body, with the key redacted.
fn render(req: &http::Request<Vec<u8>>) -> String {
    let mut out = format!("{} {}\n", req.method(), req.uri());
    let mut headers: Vec<_> = req
        .headers()
        .iter()
        .map(|(k, v)| format!("{k}: {}", v.to_str().unwrap()))
        .collect();
    headers.sort();
    for h in headers {
        out.push_str(&h);
        out.push('\n');
    }
    if !req.body().is_empty() {
        let mut body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
        if let Some(k) = body.get_mut("clientKey") {
            assert!(k.as_str().unwrap().starts_with("API_KEY"));
            *k = serde_json::Value::String("[redacted]".into());
        }
        out.push('\n');
        out.push_str(&serde_json::to_string_pretty(&body).unwrap());
        out.push('\n');
    }
    out
}

/// A real 1x1 PNG padded to 160 bytes: large enough for the 100-byte floor.
fn png_base64() -> String {
    let mut png = vec![
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52,
    ];
    png.resize(160, 0);
    capmonster_proto::inputs::base64_encode(&png)
}

// ---------------------------------------------------------------- requests

#[test]
fn snapshot_create_task_image_to_text() {
    let task = ImageToTextTask::new(png_base64())
        .with_module("universal")
        .with_recognizing_threshold(70)
        .with_case(true)
        .with_numeric(true)
        .with_math(false);
    let req = CreateTask::new(task)
        .with_soft_id(123)
        .build(&Service::default(), &key())
        .unwrap();
    insta::assert_snapshot!(render(&req));
}

#[test]
fn snapshot_create_task_recaptcha_v2_proxyless_nocache() {
    let task = RecaptchaV2Task::new(
        "https://lessons.zennolab.com/captchas/recaptcha/v2_simple.php?level=high",
        "6Lcg7CMUAAAAANphynKgn9YAgA4tQ2KI_iqRyTwd",
    )
    .with_nocache(true);
    let req = CreateTask::new(task)
        .build(&Service::default(), &key())
        .unwrap();
    insta::assert_snapshot!(render(&req));
}

#[test]
fn snapshot_create_task_recaptcha_v2_proxy_callback() {
    let task = RecaptchaV2Task::new(
        "https://lessons.zennolab.com/captchas/recaptcha/v2_simple.php?level=high",
        "6Lcg7CMUAAAAANphynKgn9YAgA4tQ2KI_iqRyTwd",
    )
    .with_user_agent("Mozilla/5.0 (Windows NT 10.0; Win64; x64)")
    .with_cookies("a=1; b=2")
    .with_invisible(false)
    .with_data_s_value("dsv")
    .with_proxy(
        Proxy::new(ProxyType::Http, "8.8.8.8", 8080)
            .with_auth("proxyLoginHere", "proxyPasswordHere"),
    );
    let req = CreateTask::new(task)
        .with_callback_url("https://example.com/callback")
        .build(&Service::default(), &key())
        .unwrap();
    insta::assert_snapshot!(render(&req));
}

#[test]
fn snapshot_create_task_turnstile() {
    let task = TurnstileTask::new("http://tsmanaged.zlsupport.com", "0x4AAAAAAABUYP0XeMJF0xoy");
    let req = CreateTask::new(task)
        .build(&Service::default(), &key())
        .unwrap();
    insta::assert_snapshot!(render(&req));
}

#[test]
fn snapshot_get_task_result() {
    let req = GetTaskResult::new(407533072, TaskKind::RecaptchaV2)
        .build(&Service::default(), &key())
        .unwrap();
    insta::assert_snapshot!(render(&req));
}

#[test]
fn snapshot_get_balance() {
    let req = GetBalance.build(&Service::default(), &key()).unwrap();
    insta::assert_snapshot!(render(&req));
}

#[test]
fn snapshot_get_user_agent() {
    let req = GetUserAgent.build(&Service::default(), &key()).unwrap();
    assert_eq!(
        req.uri().to_string(),
        fixture("getUserAgent.url.txt").trim(),
        "the documented address"
    );
    assert!(req.body().is_empty(), "the key is not sent to getUserAgent");
    insta::assert_snapshot!(render(&req));
}

#[test]
fn snapshot_report_incorrect_image() {
    let req = report(TaskKind::ImageToText, 407533072)
        .build(&Service::default(), &key())
        .unwrap();
    insta::assert_snapshot!(render(&req));
}

/// CapMonster's aliases of reportIncorrectTokenCaptcha (reportIncorrectRecaptcha, and the
/// undocumented reportIncorrectHcaptcha) are no longer sent: the rules send the one documented
/// method. Its request is still the first of the three held in the snapshot from that time.
#[test]
fn snapshot_report_incorrect_token_and_aliases() {
    let stored =
        include_str!("snapshots/foundation__snapshot_report_incorrect_token_and_aliases.snap");
    let sections: Vec<&str> = stored.split("---\n").collect();
    // The header's two separators, then the three requests.
    assert_eq!(sections.len(), 6, "{stored}");
    let req = report(TaskKind::RecaptchaV2, 407533072)
        .build(&Service::default(), &key())
        .unwrap();
    assert_eq!(render(&req), sections[2]);
}

#[test]
fn requests_match_documented_bodies() {
    let service = Service::default();
    let body = |req: http::Request<Vec<u8>>| -> serde_json::Value {
        serde_json::from_slice(req.body()).unwrap()
    };
    assert_eq!(
        body(GetBalance.build(&service, &key()).unwrap()),
        fixture_json("getBalance.request.json")
    );
    assert_eq!(
        body(
            GetTaskResult::new(7654321, TaskKind::Other)
                .build(&service, &key())
                .unwrap()
        ),
        fixture_json("getTaskResult.request.json")
    );
    assert_eq!(
        body(
            report(TaskKind::ImageToText, 7654321)
                .build(&service, &key())
                .unwrap()
        ),
        fixture_json("reportIncorrect.request.json")
    );
    let v2 = RecaptchaV2Task::new(
        "https://lessons.zennolab.com/captchas/recaptcha/v2_simple.php?level=high",
        "6Lcg7CMUAAAAANphynKgn9YAgA4tQ2KI_iqRyTwd",
    );
    assert_eq!(
        body(CreateTask::new(v2.clone()).build(&service, &key()).unwrap()),
        fixture_json("createTask.RecaptchaV2Task.proxyless.request.json")
    );
    assert_eq!(
        body(
            CreateTask::new(v2.clone().with_nocache(true))
                .build(&service, &key())
                .unwrap()
        ),
        fixture_json("createTask.RecaptchaV2Task.nocache.request.json")
    );
    let with_proxy = v2.with_user_agent("userAgentPlaceholder").with_proxy(
        Proxy::new(ProxyType::Http, "8.8.8.8", 8080)
            .with_auth("proxyLoginHere", "proxyPasswordHere"),
    );
    assert_eq!(
        body(CreateTask::new(with_proxy).build(&service, &key()).unwrap()),
        fixture_json("createTask.RecaptchaV2Task.proxy.request.json")
    );
}

#[test]
fn requests_go_to_a_custom_base_with_prefix() {
    let service = Service::custom("http://127.0.0.1:9/prefix/", Dialect::CapMonster).unwrap();
    let req = GetBalance.build(&service, &key()).unwrap();
    assert_eq!(req.uri(), "http://127.0.0.1:9/prefix/getBalance");
    assert_eq!(req.method(), http::Method::POST);
    assert_eq!(req.headers()["content-type"], "application/json");
    assert!(
        req.headers()["user-agent"]
            .to_str()
            .unwrap()
            .starts_with("capmonster-rs/")
    );
}

#[test]
fn key_suffixes_reach_the_wire_in_order() {
    let key = ClientKey::new("API_KEY")
        .unwrap()
        .with_module("solvemedia")
        .unwrap()
        .with_recognizing_threshold(70)
        .unwrap();
    let req = GetBalance.build(&Service::default(), &key).unwrap();
    let body: serde_json::Value = serde_json::from_slice(req.body()).unwrap();
    assert_eq!(
        body["clientKey"],
        fixture("clientKey.module-and-recognizingthreshold.txt")
    );
    for (name, k) in [
        (
            "clientKey.nocache.txt",
            ClientKey::new("API_KEY").unwrap().with_nocache(true),
        ),
        (
            "clientKey.recognizingthreshold.txt",
            ClientKey::new("API_KEY")
                .unwrap()
                .with_recognizing_threshold(70)
                .unwrap(),
        ),
    ] {
        assert_eq!(k.expose_secret(), fixture(name));
    }
    // The module example in the docs uses a real-looking key.
    let doc = fixture("clientKey.module.txt");
    assert_eq!(
        ClientKey::parse_with_suffixes(&doc)
            .unwrap()
            .expose_secret(),
        doc
    );
}

#[test]
fn invalid_tasks_are_refused_before_building() {
    let err = CreateTask::new(RecaptchaV2Task::new("lessons.zennolab.com", "k"))
        .build(&Service::default(), &key())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid task.websiteURL: must be a full http:// or https:// URL"
    );
    let err = CreateTask::new(ImageToTextTask::new("AAAA"))
        .build(&Service::default(), &key())
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid task.body: the image is 3 bytes"),
        "{err}"
    );
    let err = CreateTask::new(TurnstileTask::new("https://a.b", " "))
        .build(&Service::default(), &key())
        .unwrap_err();
    assert!(err.to_string().contains("task.websiteKey"), "{err}");
}
