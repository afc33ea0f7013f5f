//! Every parser of the core, under attack: arbitrary bytes, arbitrary JSON and arbitrary
//! URL-form text, with any HTTP status, in every service (the three JSON dialects and the two
//! URL-form services). Nothing may panic.
//!
//! This fills the gaps the other property tests leave: the endpoints parsed in the URL-form
//! services (with and without `get2`'s price), every report the rules make (both verdicts,
//! every kind), the queue endpoint, `ErrorCode::parse`,
//! `Solution::parse` over any text, `ClientKey::parse_with_suffixes` and `Task::from_json_value`
//! over any JSON.

use std::time::Duration;

use capmonster_proto::report::{ReportLedger, ReportRequest, ReportVerdict, plan_report};
use capmonster_proto::{
    ClientKey, CreateTask, Endpoint, ErrorCode, GetBalance, GetQueueStats, GetTaskResult,
    GetUserAgent, Service, UrlFormOptions, http,
    solution::Solution,
    task::{Task, TaskKind, TurnstileTask},
};
use proptest::prelude::*;
use serde_json::Value;

fn services() -> [Service; 6] {
    [
        Service::capmonster(),
        Service::anti_captcha(),
        Service::two_captcha(),
        Service::capmonster_url_form(),
        Service::two_captcha_url_form(),
        Service::capmonster_url_form()
            .with_url_form_options(UrlFormOptions::default().with_price(true)),
    ]
}

fn resp(status: u16, body: &[u8]) -> http::Response<&[u8]> {
    http::Response::builder().status(status).body(body).unwrap()
}

/// Every endpoint's `parse` in every service, and every text-level parser, over one answer.
fn parse_everything(status: u16, body: &[u8]) {
    let text = String::from_utf8_lossy(body);
    let _ = ErrorCode::parse(&text).class();
    let _ = ClientKey::parse_with_suffixes(&text);
    for kind in TaskKind::ALL {
        let s = Solution::parse(*kind, &text);
        let _ = (s.main_value(), s.user_agent());
    }
    for service in services() {
        let r = || resp(status, body);
        let _ = CreateTask::new(TurnstileTask::new("https://a.b", "k")).parse(&service, r());
        for kind in TaskKind::ALL {
            if let Ok(result) = GetTaskResult::new(1, *kind).parse(&service, r()) {
                if let Some(ready) = result.ready() {
                    let _ = (ready.solution.main_value(), ready.raw_value());
                }
            }
            for verdict in [ReportVerdict::Incorrect, ReportVerdict::Correct] {
                if let Ok(report) =
                    ReportRequest::without_window(service.dialect(), verdict, *kind, 1)
                {
                    let _ = report.parse(&service, r());
                }
            }
            let (mut ledger, at) = (ReportLedger::new(), Duration::ZERO);
            let verdict = ReportVerdict::Incorrect;
            let dialect = service.dialect();
            if let Ok(planned) = plan_report(dialect, verdict, *kind, 1, at, at, &mut ledger) {
                let _ = planned.request.parse(&service, r());
            }
        }
        let _ = GetBalance.parse(&service, r());
        let _ = GetUserAgent.parse(&service, r());
        let _ = GetQueueStats::new(2).parse(&service, r());
    }
}

fn arb_status() -> impl Strategy<Value = u16> {
    prop_oneof![Just(200u16), Just(429), Just(502), Just(503), 100u16..600]
}

/// JSON shaped like the service's answers: the keys they use, the values they hold, nested.
fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,16}".prop_map(Value::from),
        prop_oneof![
            Just("ready"),
            Just("processing"),
            Just("ERROR_NO_SLOT_AVAILABLE"),
            Just("CAPCHA_NOT_READY"),
            Just("OK_REPORT_RECORDED"),
            Just("1"),
            Just("-1"),
            Just("1e400")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        let key = prop_oneof![
            Just("errorId"),
            Just("errorCode"),
            Just("errorDescription"),
            Just("taskId"),
            Just("status"),
            Just("solution"),
            Just("balance"),
            Just("request"),
            Just("error_text"),
            Just("price"),
            Just("cost"),
            Just("gRecaptchaResponse"),
            Just("text"),
            Just("token"),
            Just("answer"),
            Just("type"),
            Just("class"),
            Just("websiteURL"),
            Just("websiteKey"),
            Just("userAgent"),
            Just("cookies"),
            Just("metadata")
        ]
        .prop_map(str::to_owned);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key, inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Text shaped like the URL form: `key=value&...` pairs, `OK|...` and `ERROR...` replies.
fn arb_url_form() -> impl Strategy<Value = String> {
    let word = "[A-Za-z0-9_%+.|:-]{0,24}";
    prop_oneof![
        prop::collection::vec((word, word), 0..8).prop_map(|pairs| {
            pairs
                .into_iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&")
        }),
        (
            prop_oneof![
                Just("OK|"),
                Just("OK|OK|"),
                Just("ERROR: "),
                Just("ERROR_"),
                Just("CAPCHA_NOT_READY"),
                Just("OK_"),
                Just("|"),
                Just("")
            ],
            "\\PC{0,64}"
        )
            .prop_map(|(h, t)| format!("{h}{t}")),
        "[0-9.eE+-]{0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes(status in arb_status(), body in prop::collection::vec(any::<u8>(), 0..400)) {
        parse_everything(status, &body);
    }

    #[test]
    fn arbitrary_json(status in arb_status(), value in arb_json()) {
        parse_everything(status, value.to_string().as_bytes());
        if let Ok(task) = Task::from_json_value(value.clone()) {
            let _ = task.validate();
        }
        for kind in TaskKind::ALL {
            let _ = Solution::parse(*kind, &value.to_string()).main_value();
        }
    }

    #[test]
    fn arbitrary_url_form_text(status in arb_status(), text in arb_url_form()) {
        parse_everything(status, text.as_bytes());
    }

    /// A key read with suffixes either fails or writes a key that reads back the same.
    #[test]
    fn keys_round_trip(text in "[A-Za-z0-9_!-]{1,10}(__[a-z0-9_-]{0,24}){0,4}") {
        if let Ok(key) = ClientKey::parse_with_suffixes(&text) {
            let wire = key.expose_secret();
            let again = ClientKey::parse_with_suffixes(&wire)
                .unwrap_or_else(|e| panic!("{text:?} wrote {wire:?}, which does not read: {e}"));
            prop_assert_eq!(again.expose_secret(), wire);
        }
    }
}
