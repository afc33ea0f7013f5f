//! Helpers shared by the compat test files.
#![allow(dead_code, unreachable_pub)]

use capmonster_proto::{ClientKey, task::Task};
use serde_json::{Value, json};

/// The key every test uses; snapshots replace it with `[key]`.
pub const KEY: &str = "0123456789abcdef0123456789abcdef";

pub fn key() -> ClientKey {
    ClientKey::new(KEY).unwrap()
}

pub fn fixture_path(name: &str) -> String {
    format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixture_path(name)).unwrap()
}

/// The `task` object of a golden createTask request, as a [`Task`].
pub fn golden_task(name: &str) -> Task {
    let v: Value = serde_json::from_str(&fixture(name)).unwrap();
    Task::from_json_value(v["task"].clone()).unwrap()
}

fn pairs(encoded: &str) -> Value {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(encoded).unwrap();
    Value::Array(pairs.into_iter().map(|(k, v)| json!([k, v])).collect())
}

/// A request as JSON for a snapshot: method, URL without query, headers, and the body or query
/// as ordered `[name, value]` pairs (form) or parsed JSON. `raw` is the exact URL and body
/// with the key text replaced, so encoding and order are visible too.
pub fn describe(req: &http::Request<Vec<u8>>) -> Value {
    let uri = req.uri();
    let url = format!(
        "{}://{}{}",
        uri.scheme_str().unwrap(),
        uri.authority().unwrap(),
        uri.path()
    );
    let headers: serde_json::Map<String, Value> = req
        .headers()
        .iter()
        .filter(|(name, _)| *name != http::header::USER_AGENT)
        .map(|(k, v)| (k.to_string(), json!(v.to_str().unwrap())))
        .collect();
    let body = String::from_utf8(req.body().clone()).unwrap();
    let mut out = json!({
        "method": req.method().as_str(),
        "url": url,
        "headers": headers,
        "raw_url": uri.to_string().replace(KEY, "[key]"),
    });
    if let Some(q) = uri.query() {
        out["query"] = pairs(q);
    }
    if !body.is_empty() {
        out["raw_body"] = json!(body.replace(KEY, "[key]"));
        let is_form = req
            .headers()
            .get(http::header::CONTENT_TYPE)
            .is_some_and(|v| v == "application/x-www-form-urlencoded");
        if is_form {
            out["form"] = pairs(&body);
        } else {
            out["json"] = serde_json::from_str(&body).unwrap();
        }
    }
    out
}

/// Snapshot a request with the key redacted wherever it sits as a value.
#[macro_export]
macro_rules! assert_request_snapshot {
    ($name:expr, $req:expr) => {
        insta::assert_json_snapshot!($name, support::describe(&$req), {
            ".json.clientKey" => "[key]",
            ".form[0][1]" => "[key]",
            ".query[0][1]" => "[key]",
        })
    };
}

/// A response with `status` and `body`.
pub fn response(status: u16, body: &[u8]) -> http::Response<&[u8]> {
    http::Response::builder().status(status).body(body).unwrap()
}
