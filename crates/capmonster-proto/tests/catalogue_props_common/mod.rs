//! Field strategies and the round-trip check shared by the catalogue's property files.

#![allow(dead_code, unreachable_pub, unused_macros)]

use capmonster_proto::inputs::base64_encode;
use capmonster_proto::task::*;
use capmonster_proto::*;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Value};

/// Any short text, including blanks, controls and non-ASCII.
pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![".{0,16}", "\\PC{0,12}", Just(String::new())]
}

pub fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

/// Mostly plausible URLs, sometimes anything.
pub fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "(https?|HTTP|ftp)://[a-z0-9.-]{0,12}(/[^ ]{0,8})?",
        1 => text(),
    ]
}

pub fn opt_url() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(url())
}

/// Mostly well-formed base64 images of every size around the limits, sometimes anything.
pub fn image() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop_oneof![0usize..120, 51_150usize..51_250]
            .prop_map(|n| base64_encode(&vec![7u8; n])),
        1 => text(),
    ]
}

pub fn images() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(image(), 0..3)
}

pub fn opt_bool() -> impl Strategy<Value = Option<bool>> {
    proptest::option::of(any::<bool>())
}

pub fn proxy() -> impl Strategy<Value = Proxy> {
    (
        prop_oneof![
            Just(ProxyType::Http),
            Just(ProxyType::Https),
            Just(ProxyType::Socks4),
            Just(ProxyType::Socks5)
        ],
        prop_oneof!["[0-9]{1,3}(\\.[0-9]{1,3}){3}", text()],
        any::<u16>(),
        opt_text(),
        opt_text(),
    )
        .prop_map(|(kind, address, port, login, password)| {
            let mut p = Proxy::new(kind, address, port);
            p.login = login;
            p.password = password.map(SecretString::new);
            p
        })
}

pub fn opt_proxy() -> impl Strategy<Value = Option<Proxy>> {
    proptest::option::of(proxy())
}

pub fn object() -> impl Strategy<Value = Map<String, Value>> {
    proptest::collection::btree_map(
        text(),
        prop_oneof![
            text().prop_map(Value::String),
            any::<i32>().prop_map(Value::from),
            any::<bool>().prop_map(Value::Bool),
        ],
        0..3,
    )
    .prop_map(|m| m.into_iter().collect())
}

/// minScore values that JSON carries exactly (three decimals), inside and outside 0.1..=0.9.
pub fn score() -> impl Strategy<Value = Option<f64>> {
    proptest::option::of((-100i32..=1100).prop_map(|n| f64::from(n) / 1000.0))
}

/// JSON → Task → JSON with both namings; the typed variant must come back equal.
pub fn check_round_trip(task: &Task, kind: TaskKind) -> Result<(), TestCaseError> {
    prop_assert_eq!(task.kind(), kind);
    for naming in [TypeNaming::Documented, TypeNaming::Legacy] {
        let json = serde_json::to_value(task.wire(naming)).unwrap();
        let text = serde_json::to_string(&json).unwrap();
        let reparsed: Value = serde_json::from_str(&text).unwrap();
        let back = Task::from_json_value(reparsed).map_err(|e| {
            TestCaseError::fail(format!("{kind:?} did not parse back: {e}\n{json}"))
        })?;
        prop_assert!(!matches!(back, Task::Raw(_)));
        prop_assert_eq!(&back, task);
    }
    // validate() decides without panicking, and build() agrees with it.
    let verdict = task.validate();
    let key = ClientKey::new("API_KEY").unwrap();
    let built = CreateTask::new(task.clone()).build(&Service::default(), &key);
    prop_assert_eq!(verdict.is_ok(), built.is_ok());
    if let Err(e) = verdict {
        prop_assert!(e.field().starts_with("task"));
        prop_assert!(!e.rule().is_empty());
    }
    Ok(())
}

macro_rules! round_trips {
    ($($name:ident: $strategy:ident => $kind:ident;)*) => {
        proptest! {
            #![proptest_config(Config::with_cases(256))]
            $(
                #[test]
                fn $name(task in $strategy()) {
                    check_round_trip(&task, TaskKind::$kind)?;
                }
            )*
        }
    };
}
