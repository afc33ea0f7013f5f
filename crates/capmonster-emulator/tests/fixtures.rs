//! Every documented createTask example is accepted once its image placeholders are real base64
//! images; examples that break a documented rule are refused with the documented code.

mod common;

use std::path::PathBuf;

use common::*;
use serde_json::{Value, json};

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// Swaps every image (ImageToText `body`, ComplexImageTask `imagesBase64`) for a valid image.
/// The docs' examples carry placeholders (`BASE64_BODY_HERE!`, `{background_base64}`, `base64`)
/// or truncated strings (`UklGRnjuAwBXQVZFZm10...`).
fn real_images(task: &mut Value) {
    if task.get("body").is_some_and(Value::is_string) {
        task["body"] = json!(image(300));
    }
    if let Some(list) = task.get_mut("imagesBase64").and_then(Value::as_array_mut) {
        for (i, item) in list.iter_mut().enumerate() {
            *item = json!(image(200 + i));
        }
    }
}

fn requests() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(fixtures_dir()).expect("fixtures dir") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("createTask.") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        if name.ends_with(".request.json") {
            out.push((name, v));
        } else if name.ends_with(".task.json") {
            out.push((name, json!({ "clientKey": "API_KEY", "task": v })));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Examples that break a documented rule, and the code they get.
const REFUSED: &[(&str, &str)] = &[
    // The threshold page shows only `{"recognizingThreshold": 70, ...}`: no type, no body.
    (
        "createTask.ImageToTextTask.recognizingThreshold.request.json",
        "ERROR_TASK_NOT_SUPPORTED",
    ),
];

#[test]
fn every_documented_example_is_accepted() {
    let emu = fast(fast_config());
    let reqs = requests();
    assert!(
        reqs.len() >= 60,
        "only {} example requests found",
        reqs.len()
    );
    let mut accepted = 0;
    for (name, mut req) in reqs {
        if let Some(task) = req.get_mut("task") {
            real_images(task);
        }
        let r = post(emu.addr(), "/createTask", &req).json();
        match REFUSED.iter().find(|(n, _)| *n == name) {
            Some((_, code)) => {
                assert_eq!(r["errorId"], 1, "{name}: {r}");
                assert_eq!(r["errorCode"], *code, "{name}: {r}");
            }
            None => {
                assert_eq!(r["errorId"], 0, "{name} was refused: {r}");
                accepted += 1;
                let id = r["taskId"].as_u64().unwrap();
                let key = req["clientKey"].as_str().unwrap();
                let res = wait_ready(emu.addr(), key, id);
                assert_eq!(res["status"], "ready", "{name}: {res}");
                assert!(
                    res["solution"].as_object().is_some_and(|s| !s.is_empty()),
                    "{name}: {res}"
                );
            }
        }
    }
    let stats = emu.stats();
    assert_eq!(stats.tasks_created, accepted);
    assert_eq!(stats.tasks_solved, accepted);
}

#[test]
fn documented_examples_with_their_placeholders_are_refused() {
    let emu = fast(fast_config());
    for (name, req) in requests() {
        let has_images =
            req["task"].get("body").is_some() || req["task"].get("imagesBase64").is_some();
        if !has_images || REFUSED.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let r = post(emu.addr(), "/createTask", &req).json();
        assert_eq!(r["errorCode"], "ERROR_ZERO_CAPTCHA_FILESIZE", "{name}: {r}");
    }
}

#[test]
fn documented_examples_break_when_a_rule_is_broken() {
    let emu = fast(fast_config());
    for (name, mut req) in requests() {
        if REFUSED.iter().any(|(n, _)| *n == name) {
            continue;
        }
        let task = req["task"].as_object_mut().unwrap();
        // Without their proxy, the types that need one are refused with ERROR_PROXY_MISSING.
        let needs_proxy = matches!(
            task.get("class")
                .or(task.get("Class"))
                .and_then(Value::as_str),
            Some("DataDome" | "Imperva" | "HUNT" | "tspd")
        ) || matches!(
            task.get("cloudflareTaskType").and_then(Value::as_str),
            Some("cf_clearance" | "wait_room")
        );
        if needs_proxy {
            let mut t = task.clone();
            t.remove("proxyType");
            t.remove("proxyAddress");
            t.remove("proxyPort");
            t.remove("proxyLogin");
            t.remove("proxyPassword");
            let r = post(
                emu.addr(),
                "/createTask",
                &json!({ "clientKey": "k", "task": t }),
            )
            .json();
            assert_eq!(r["errorCode"], "ERROR_PROXY_MISSING", "{name}: {r}");
        }
        // With a non-http(s) websiteURL, every type that has one is refused.
        let url_key = if task.contains_key("websiteURL") {
            "websiteURL"
        } else {
            "websiteUrl"
        };
        if task.contains_key(url_key) {
            let mut t = task.clone();
            t.insert(url_key.into(), json!("file:///etc/passwd"));
            let mut tv = Value::Object(t);
            real_images(&mut tv);
            let r = post(
                emu.addr(),
                "/createTask",
                &json!({ "clientKey": "k", "task": tv }),
            )
            .json();
            assert_eq!(
                r["errorCode"], "ERROR_RECAPTCHA_INVALID_DOMAIN",
                "{name}: {r}"
            );
        }
        // An unknown type is refused.
        task.insert("type".into(), json!("UnknownTask"));
        let r = post(emu.addr(), "/createTask", &req).json();
        assert_eq!(r["errorCode"], "ERROR_TASK_NOT_SUPPORTED", "{name}: {r}");
    }
}
