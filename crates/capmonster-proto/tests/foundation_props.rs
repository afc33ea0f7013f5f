//! Property tests of the foundation: parsers never panic, tasks round-trip through JSON, and
//! no type holding the key shows it.

use capmonster_proto::{
    ClientKey, CreateTask, Endpoint, GetBalance, GetTaskResult, GetUserAgent, Service, http,
    report::{ReportRequest, ReportVerdict},
    task::{ImageToTextTask, Proxy, ProxyType, RecaptchaV2Task, Task, TaskKind, TurnstileTask},
};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig::with_cases(256)
}

fn resp(status: u16, body: &[u8]) -> http::Response<&[u8]> {
    http::Response::builder().status(status).body(body).unwrap()
}

/// Runs every parser of the crate over one response.
fn parse_all(status: u16, body: &[u8]) {
    for service in [
        Service::capmonster(),
        Service::anti_captcha(),
        Service::two_captcha(),
    ] {
        let task = CreateTask::new(TurnstileTask::new("https://a.b", "k"));
        let _ = task.parse(&service, resp(status, body));
        for kind in TaskKind::ALL {
            let _ = GetTaskResult::new(1, *kind).parse(&service, resp(status, body));
        }
        let _ = GetBalance.parse(&service, resp(status, body));
        let _ = GetUserAgent.parse(&service, resp(status, body));
        for kind in [TaskKind::ImageToText, TaskKind::RecaptchaV2] {
            let verdict = ReportVerdict::Incorrect;
            let report =
                ReportRequest::without_window(service.dialect(), verdict, kind, 1).unwrap();
            let _ = report.parse(&service, resp(status, body));
        }
    }
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        ".{0,12}".prop_map(serde_json::Value::from),
        prop_oneof![
            Just("ready"),
            Just("processing"),
            Just("ERROR_ZERO_BALANCE"),
            Just("CAPTCHA_NOT_READY"),
            Just("success")
        ]
        .prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        let keys = prop_oneof![
            Just("errorId".to_owned()),
            Just("errorCode".to_owned()),
            Just("errorDescription".to_owned()),
            Just("taskId".to_owned()),
            Just("status".to_owned()),
            Just("solution".to_owned()),
            Just("balance".to_owned()),
            Just("cost".to_owned()),
            Just("text".to_owned()),
            Just("gRecaptchaResponse".to_owned()),
            Just("token".to_owned()),
            Just("cookies".to_owned()),
            "[a-zA-Z]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(keys, inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn arb_status() -> impl Strategy<Value = u16> {
    prop_oneof![
        Just(200u16),
        Just(402),
        Just(403),
        Just(429),
        Just(500),
        Just(503),
        100u16..600
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic(status in arb_status(), body in prop::collection::vec(any::<u8>(), 0..512)) {
        parse_all(status, &body);
    }

    #[test]
    fn arbitrary_json_never_panics(status in arb_status(), value in arb_json()) {
        let body = serde_json::to_vec(&value).unwrap();
        parse_all(status, &body);
        // Also arbitrary JSON as a task: never panics, and known tasks validate without panicking.
        if let Ok(task) = Task::from_json_value(value) {
            let _ = task.validate();
        }
    }

    #[test]
    fn envelope_error_codes_survive(code in "[A-Z_]{1,30}", id in 1i64..100, status in arb_status()) {
        let body = serde_json::json!({"errorId": id, "errorCode": code}).to_string();
        let err = GetBalance.parse(&Service::default(), resp(status, body.as_bytes())).unwrap_err();
        let api = err.api().expect("an errorId other than 0 is an API error");
        prop_assert_eq!(api.code.as_str(), code.as_str());
        prop_assert_eq!(api.error_id, id);
    }
}

fn arb_opt_string() -> impl Strategy<Value = Option<String>> {
    prop::option::of(".{0,24}")
}

fn arb_proxy() -> impl Strategy<Value = Option<Proxy>> {
    prop::option::of(
        (
            prop_oneof![
                Just(ProxyType::Http),
                Just(ProxyType::Https),
                Just(ProxyType::Socks4),
                Just(ProxyType::Socks5)
            ],
            "[0-9.]{1,15}",
            any::<u16>(),
            prop::option::of(("[a-z]{1,8}", ".{0,12}")),
        )
            .prop_map(|(t, addr, port, auth)| {
                let p = Proxy::new(t, addr, port);
                match auth {
                    Some((l, pw)) => p.with_auth(l, pw),
                    None => p,
                }
            }),
    )
}

fn arb_task() -> impl Strategy<Value = Task> {
    let image = (
        "[A-Za-z0-9+/]{0,64}",
        arb_opt_string(),
        prop::option::of(any::<u8>()),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
    )
        .prop_map(|(body, module, th, case, numeric, math)| {
            let mut t = ImageToTextTask::new(body);
            t.cap_monster_module = module;
            t.recognizing_threshold = th;
            t.case = case;
            t.numeric = numeric;
            t.math = math;
            Task::from(t)
        });
    let v2 = (
        ".{0,24}",
        ".{0,24}",
        arb_opt_string(),
        arb_opt_string(),
        arb_opt_string(),
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
        arb_proxy(),
    )
        .prop_map(|(url, key, ds, ua, cookies, inv, nocache, proxy)| {
            let mut t = RecaptchaV2Task::new(url, key);
            t.recaptcha_data_s_value = ds;
            t.user_agent = ua;
            t.cookies = cookies;
            t.is_invisible = inv;
            t.nocache = nocache;
            t.proxy = proxy;
            Task::from(t)
        });
    let turnstile = (
        ".{0,24}",
        ".{0,24}",
        arb_opt_string(),
        arb_opt_string(),
        arb_opt_string(),
        arb_proxy(),
    )
        .prop_map(|(url, key, action, data, ua, proxy)| {
            let mut t = TurnstileTask::new(url, key);
            t.page_action = action;
            t.data = data;
            t.user_agent = ua;
            t.proxy = proxy;
            Task::from(t)
        });
    prop_oneof![image, v2, turnstile]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn tasks_round_trip_through_json(task in arb_task()) {
        let json = serde_json::to_value(&task).unwrap();
        let back = Task::from_json_value(json.clone()).unwrap();
        prop_assert_eq!(&back, &task);
        prop_assert_eq!(json["type"].as_str().unwrap(), task.kind().type_name());
        let _ = task.validate();
    }

    #[test]
    fn no_debug_shows_the_key(
        base in "[A-Za-z0-9]{8,40}",
        module in prop::option::of("[a-z]{3,10}"),
        threshold in prop::option::of(0u8..=100),
        nocache in any::<bool>(),
    ) {
        let mut key = ClientKey::new(base.clone()).unwrap().with_nocache(nocache);
        if let Some(m) = &module {
            key = key.with_module(m.clone()).unwrap();
        }
        if let Some(t) = threshold {
            key = key.with_recognizing_threshold(t).unwrap();
        }
        let wire = key.expose_secret();
        let shown = format!("{key:?} {key:#?}");
        prop_assert!(!shown.contains(&base));
        prop_assert!(!shown.contains(&wire));
        prop_assert!(shown.contains("[redacted]"));
    }
}

#[test]
fn debug_of_every_key_holder_is_redacted() {
    let secret = "S3CRETKEY0123456789";
    let key = ClientKey::new(secret)
        .unwrap()
        .with_module("solvemedia")
        .unwrap()
        .with_recognizing_threshold(70)
        .unwrap()
        .with_nocache(true);
    let proxy_password = "pr0xyPassw0rd";
    let task = RecaptchaV2Task::new("https://example.com", "sitekey").with_proxy(
        Proxy::new(ProxyType::Socks5, "8.8.8.8", 1080).with_auth("login", proxy_password),
    );
    let create = CreateTask::new(task.clone());
    let shown = format!(
        "{key:?}|{key:#?}|{task:?}|{create:#?}|{:?}",
        Task::from(task.clone())
    );
    for needle in [secret, proxy_password, &key.expose_secret()] {
        assert!(!shown.contains(needle), "{needle} leaked in {shown}");
    }
    // The request itself does carry them, in the body only.
    let req = create.build(&Service::default(), &key).unwrap();
    let body = String::from_utf8(req.body().clone()).unwrap();
    assert!(body.contains(&format!(
        "{secret}__solvemedia__recognizingthreshold_70__nocache"
    )));
    assert!(body.contains(proxy_password));
    assert!(!req.uri().to_string().contains(secret));
    for (_, v) in req.headers() {
        assert!(!v.to_str().unwrap().contains(secret));
    }
}
