//! Every documented request (tests/fixtures) parses back into its typed task, and the type
//! naming, proxy and nocache rules follow the documentation's tables.

#[macro_use]
mod catalogue_common;

use capmonster_proto::task::*;
use capmonster_proto::*;
use catalogue_common::*;
use serde_json::{Value, json};

// ---------------------------------------------------------------- requests parse back

#[test]
fn every_golden_request_parses_into_its_typed_task() {
    let dir = format!("{}/../../tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| {
            n.starts_with("createTask.")
                && (n.ends_with(".request.json") || n.ends_with(".task.json"))
        })
        .collect();
    names.sort();
    let mut typed = 0;
    for name in &names {
        let g = golden(name);
        if name == "createTask.ImageToTextTask.recognizingThreshold.request.json" {
            // A documentation fragment without `type`: not a task.
            assert_eq!(
                Task::from_json_value(g["task"].clone())
                    .unwrap_err()
                    .field(),
                "task.type"
            );
            continue;
        }
        let task =
            Task::from_json_value(g["task"].clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!matches!(task, Task::Raw(_)), "{name} parsed as Raw");
        let expected = TaskKind::from_names(
            g["task"]["type"].as_str().unwrap(),
            g["task"]
                .get("class")
                .or_else(|| g["task"].get("Class"))
                .and_then(Value::as_str),
        );
        assert_ne!(expected, TaskKind::Other, "{name}");
        assert_eq!(task.kind(), expected, "{name}");
        let has_proxy = g["task"].get("proxyType").is_some();
        assert_eq!(task.proxy().is_some(), has_proxy, "{name}");
        typed += 1;
    }
    assert_eq!(typed, 68, "every createTask example but the fragment");
}

#[test]
fn parsed_golden_tasks_keep_their_values() {
    let t = Task::from_json_value(
        golden("createTask.CustomTask.Castle.proxy.task.json")["task"].clone(),
    )
    .unwrap();
    let Task::Castle(c) = t else { panic!("{t:?}") };
    assert_eq!(c.metadata.count, Some(1));
    assert_eq!(c.proxy.unwrap().login.as_deref(), Some("proxyLoginHere"));

    let t = Task::from_json_value(golden("createTask.CustomTask.tspd.task.json")["task"].clone())
        .unwrap();
    let Task::Tspd(t) = t else { panic!() };
    assert_eq!(t.website_url, "https://example.com");

    let t = Task::from_json_value(
        golden("createTask.RecaptchaV2EnterpriseTask.proxyless.request.json")["task"].clone(),
    )
    .unwrap();
    let Task::RecaptchaV2Enterprise(t) = t else {
        panic!()
    };
    assert_eq!(
        t.enterprise_payload.unwrap()["s"],
        json!("SOME_ADDITIONAL_TOKEN")
    );

    let t = Task::from_json_value(
        golden("createTask.CustomTask.altcha.proxy.request.json")["task"].clone(),
    )
    .unwrap();
    let Task::Altcha(a) = t else { panic!() };
    assert_eq!(a.metadata.iterations, 5000);

    let t = Task::from_json_value(
        golden("createTask.TurnstileTask.wait_room.request.json")["task"].clone(),
    )
    .unwrap();
    let Task::Turnstile(t) = t else { panic!() };
    assert_eq!(t.cloudflare_task_type, Some(CloudflareTaskType::WaitRoom));
    assert_eq!(t.proxy_rule(), ProxyRule::Required);

    let t = Task::from_json_value(
        golden("createTask.GeeTestTask.v4.proxy.request.json")["task"].clone(),
    )
    .unwrap();
    let Task::GeeTest(g) = t else { panic!() };
    assert!(g.is_v4());
    assert_eq!(g.init_parameters.unwrap()["riskType"], json!("slide"));
}

#[test]
fn legacy_names_and_lenient_values_are_read() {
    for (type_name, kind) in [
        ("NoCaptchaTask", TaskKind::RecaptchaV2),
        ("NoCaptchaTaskProxyless", TaskKind::RecaptchaV2),
        ("RecaptchaV2TaskProxyless", TaskKind::RecaptchaV2),
        (
            "RecaptchaV2EnterpriseTaskProxyless",
            TaskKind::RecaptchaV2Enterprise,
        ),
        ("HCaptchaTaskProxyless", TaskKind::HCaptcha),
        ("TurnstileTaskProxyless", TaskKind::Turnstile),
        ("FunCaptchaTaskProxyless", TaskKind::FunCaptcha),
        ("BinanceTaskProxyless", TaskKind::Binance),
        ("ProsopoTaskProxyless", TaskKind::Prosopo),
    ] {
        let mut object = json!({"type": type_name, "websiteURL": "https://a.example"});
        match kind {
            TaskKind::FunCaptcha => object["websitePublicKey"] = json!("k"),
            TaskKind::Binance => {
                object["websiteKey"] = json!("k");
                object["validateId"] = json!("v");
            }
            _ => object["websiteKey"] = json!("k"),
        }
        let t = Task::from_json_value(object).unwrap();
        assert_eq!(t.kind(), kind, "{type_name}");
        assert!(!matches!(t, Task::Raw(_)), "{type_name}: {t:?}");
    }
    let t = Task::from_json_value(json!({
        "type": "AmazonTaskProxyless", "websiteUrl": "https://a.example", "websiteKey": "k",
        "captchaScript": "https://a.example/jsapi.js", "cookieSolution": 1
    }))
    .unwrap();
    let Task::Amazon(a) = t else { panic!() };
    assert_eq!(a.cookie_solution, Some(true));
    assert_eq!(a.website_url, "https://a.example");

    let t = Task::from_json_value(json!({
        "type": "CustomTask", "class": "Incapsula", "websiteURL": "https://a.example",
        "metadata": {"incapsulaScriptUrl": "x", "incapsulaCookies": "y"}
    }))
    .unwrap();
    assert_eq!(t.kind(), TaskKind::Imperva);
    // Sent back with the current class name.
    assert_eq!(serde_json::to_value(&t).unwrap()["class"], "Imperva");

    let t = Task::from_json_value(json!({
        "type": "RecaptchaV3TaskProxyless", "websiteURL": "https://a.example",
        "websiteKey": "k", "isEnterprise": 1, "minScore": 0.3
    }))
    .unwrap();
    let Task::RecaptchaV3(v3) = t else { panic!() };
    assert_eq!(v3.is_enterprise, Some(true));

    let t = Task::from_json_value(json!({
        "type": "RecaptchaV2EnterpriseTask", "websiteURL": "https://a.example",
        "websiteKey": "k", "enterprisePayload": "{\"s\":\"abc\"}"
    }))
    .unwrap();
    let Task::RecaptchaV2Enterprise(e) = t else {
        panic!()
    };
    assert_eq!(e.enterprise_payload.unwrap()["s"], json!("abc"));
}

#[test]
fn unknown_types_and_classes_stay_raw() {
    for v in [
        json!({"type": "SomeFutureTask", "websiteURL": "https://a.example"}),
        json!({"type": "CustomTask", "class": "friendly", "websiteURL": "https://a.example"}),
        json!({"type": "ComplexImageTask", "class": "hcaptcha", "imagesBase64": []}),
    ] {
        let t = Task::from_json_value(v.clone()).unwrap();
        assert!(matches!(t, Task::Raw(_)), "{v}");
        assert_eq!(t.kind(), TaskKind::Other);
        assert_eq!(serde_json::to_value(&t).unwrap(), v);
        assert!(t.validate().is_ok());
    }
}

// ---------------------------------------------------------------- naming, proxy rules

#[test]
fn legacy_naming_sends_proxyless_names_only_without_a_proxy() {
    let legacy = Service::default().with_type_naming(TypeNaming::Legacy);
    let send = |t: Task| -> Value {
        let r = CreateTask::new(t).build(&legacy, &key()).unwrap();
        serde_json::from_slice::<Value>(r.body()).unwrap()["task"]["type"].clone()
    };
    let cases: Vec<(Task, &str, &str)> = vec![
        (
            RecaptchaV2Task::new("https://a.example", "k").into(),
            "RecaptchaV2TaskProxyless",
            "RecaptchaV2Task",
        ),
        (
            RecaptchaV2EnterpriseTask::new("https://a.example", "k").into(),
            "RecaptchaV2EnterpriseTaskProxyless",
            "RecaptchaV2EnterpriseTask",
        ),
        (
            HCaptchaTask::new("https://a.example", "k").into(),
            "HCaptchaTaskProxyless",
            "HCaptchaTask",
        ),
        (
            TurnstileTask::new("https://a.example", "k").into(),
            "TurnstileTaskProxyless",
            "TurnstileTask",
        ),
        (
            FunCaptchaTask::new("https://a.example", "k").into(),
            "FunCaptchaTaskProxyless",
            "FunCaptchaTask",
        ),
        (
            AmazonTask::captcha("https://a.example", "k", "https://a.example/jsapi.js").into(),
            "AmazonTaskProxyless",
            "AmazonTask",
        ),
        (
            BinanceTask::new("https://a.example", "k", "v").into(),
            "BinanceTaskProxyless",
            "BinanceTask",
        ),
        (
            ProsopoTask::new("https://a.example", "k").into(),
            "ProsopoTaskProxyless",
            "ProsopoTask",
        ),
        (
            GeeTestTask::v4("https://a.example", "k").into(),
            "GeeTestTaskProxyless",
            "GeeTestTask",
        ),
    ];
    for (task, legacy_name, documented) in cases {
        assert_eq!(send(task.clone()), legacy_name);
        assert_eq!(task.type_name(TypeNaming::Documented), documented);
        assert_eq!(body(task)["task"]["type"], documented);
    }
    // With a proxy the legacy name is the plain one.
    assert_eq!(
        send(
            RecaptchaV2Task::new("https://a.example", "k")
                .with_proxy(doc_proxy())
                .into()
        ),
        "RecaptchaV2Task"
    );
    // Types without a legacy name keep theirs.
    assert_eq!(
        send(MtCaptchaTask::new("https://a.example", "k").into()),
        "MTCaptchaTask"
    );
    assert_eq!(
        send(RecaptchaV3Task::new("https://a.example", "k").into()),
        "RecaptchaV3TaskProxyless"
    );
    assert_eq!(
        send(RecaptchaV3EnterpriseTask::new("https://a.example", "k").into()),
        "RecaptchaV3EnterpriseTask"
    );
}

#[test]
fn proxy_rules_follow_the_summary_table() {
    use ProxyRule::*;
    let expected = [
        (TaskKind::ImageToText, None),
        (TaskKind::RecaptchaV2, Optional),
        (TaskKind::RecaptchaV2Enterprise, Optional),
        (TaskKind::RecaptchaV3, None),
        (TaskKind::RecaptchaV3Enterprise, None),
        (TaskKind::ComplexImageRecaptcha, None),
        (TaskKind::ComplexImageRecognition, None),
        (TaskKind::HCaptcha, Optional),
        (TaskKind::GeeTest, Optional),
        (TaskKind::Turnstile, Optional),
        (TaskKind::FunCaptcha, Optional),
        (TaskKind::Amazon, Optional),
        (TaskKind::Binance, Optional),
        (TaskKind::Prosopo, Optional),
        (TaskKind::MtCaptcha, Optional),
        (TaskKind::Yidun, Optional),
        (TaskKind::DataDome, Required),
        (TaskKind::TenDi, Optional),
        (TaskKind::Basilisk, Optional),
        (TaskKind::Imperva, Required),
        (TaskKind::Altcha, Optional),
        (TaskKind::Castle, Optional),
        (TaskKind::Hunt, Required),
        (TaskKind::Tspd, Required),
        (TaskKind::Alibaba, Optional),
        (TaskKind::Temu, Optional),
        (TaskKind::Other, Optional),
    ];
    assert_eq!(expected.len(), TaskKind::ALL.len());
    for (kind, rule) in expected {
        assert_eq!(kind.proxy_rule(), rule, "{kind:?}");
    }
    let cf = Task::from(TurnstileTask::cf_clearance(
        "https://a.example",
        "k",
        "PGh0bWw+",
        UA,
        doc_proxy(),
    ));
    assert_eq!(cf.proxy_rule(), Required);
    assert_eq!(
        Task::from(TurnstileTask::new("https://a.example", "k")).proxy_rule(),
        Optional
    );
}

#[test]
fn nocache_is_reported_for_the_types_that_take_it() {
    assert!(
        Task::from(RecaptchaV2Task::new("https://a.example", "k").with_nocache(true)).nocache()
    );
    assert!(
        Task::from(RecaptchaV3Task::new("https://a.example", "k").with_nocache(true)).nocache()
    );
    assert!(!Task::from(RecaptchaV3Task::new("https://a.example", "k")).nocache());
    assert_eq!(
        body(RecaptchaV3Task::new("https://a.example", "k").with_nocache(true))["task"]["nocache"],
        true
    );
}
