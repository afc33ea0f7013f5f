//! Helpers shared by the catalogue's test files: the documentation's examples (tests/fixtures)
//! and the bodies the typed tasks build.

#![allow(dead_code, unreachable_pub, unused_macros)]

use capmonster_proto::inputs::base64_encode;
use capmonster_proto::task::*;
use capmonster_proto::*;
use serde_json::{Value, json};

pub const UA: &str = "userAgentPlaceholder";

pub fn fixture(name: &str) -> String {
    let path = format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The golden createTask body. Bare task files (`.task.json`) are wrapped as documented.
pub fn golden(name: &str) -> Value {
    let value: Value = serde_json::from_str(&fixture(name)).unwrap();
    if name.ends_with(".task.json") {
        json!({ "clientKey": "API_KEY", "task": value })
    } else {
        value
    }
}

pub fn key() -> ClientKey {
    ClientKey::new("API_KEY").unwrap()
}

/// Builds createTask through the endpoint and returns the body as JSON.
pub fn body_of(create: CreateTask) -> Value {
    let request = create.build(&Service::default(), &key()).unwrap();
    assert_eq!(request.uri(), "https://api.capmonster.cloud/createTask");
    serde_json::from_slice(request.body()).unwrap()
}

pub fn body(task: impl Into<Task>) -> Value {
    body_of(CreateTask::new(task))
}

/// The documentation's proxy.
pub fn doc_proxy() -> Proxy {
    Proxy::new(ProxyType::Http, "8.8.8.8", 8080).with_auth("proxyLoginHere", "proxyPasswordHere")
}

/// A valid image: 300 bytes, in base64.
pub fn image(seed: u8) -> String {
    base64_encode(&vec![seed; 300])
}

pub fn golden_str<'a>(g: &'a Value, pointer: &str) -> &'a str {
    g.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{pointer} missing"))
}

/// Renames `websiteUrl` to `websiteURL` in a golden task, asserting the example used the
/// other spelling (we always send `websiteURL`, the parameter tables' spelling).
pub fn respell_website_url(mut g: Value) -> Value {
    let task = g["task"].as_object_mut().unwrap();
    assert!(!task.contains_key("websiteURL"));
    let url = task
        .remove("websiteUrl")
        .expect("the example spells it websiteUrl");
    task.insert("websiteURL".to_owned(), url);
    g
}

/// Replaces placeholder images in `task.imagesBase64` with valid ones, asserting they were
/// placeholders (the documentation writes `base64`, `{background_base64}`, ...).
pub fn replace_images(mut g: Value, images: &[String]) -> Value {
    let array = g["task"]["imagesBase64"].as_array_mut().unwrap();
    assert_eq!(array.len(), images.len());
    for (slot, img) in array.iter_mut().zip(images) {
        assert_ne!(slot.as_str(), Some(img.as_str()));
        *slot = Value::String(img.clone());
    }
    g
}

/// Defines `check` and `check_adjusted` in the calling test file. A macro, so that each snapshot
/// is named after the test binary it is asserted in (`<binary>__<name>.snap`).
macro_rules! snapshot_checks {
    () => {
        /// Compares field for field and records a snapshot of the body (key redacted).
        fn check(name: &str, snapshot: &str, task: impl Into<Task>) {
            let built = body(task);
            assert_eq!(built, golden(name), "{name}");
            insta::assert_json_snapshot!(snapshot, built, { ".clientKey" => "[redacted]" });
        }

        /// Compares with a golden body that the test had to adjust (the differences are asserted by
        /// the caller before).
        fn check_adjusted(adjusted: Value, snapshot: &str, task: impl Into<Task>) {
            let built = body(task);
            assert_eq!(built, adjusted, "{snapshot}");
            insta::assert_json_snapshot!(snapshot, built, { ".clientKey" => "[redacted]" });
        }
    };
}
