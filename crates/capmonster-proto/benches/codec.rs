//! Encode and parse costs of the core, each beside a plain `serde_json` baseline on an
//! equivalent hand-written struct (the closest thing to the format's physical limit).
//!
//! `cargo bench -p capmonster-proto --bench codec`; `tests/bench/codec_ratios.py` turns
//! criterion's estimates into the ratio table of docs/BENCHMARKS.md.

#![allow(missing_docs, unreachable_pub)] // criterion generates undocumented items; the baseline is bench-local.

use std::hint::black_box;

use capmonster_proto::{
    ClientKey, CreateTask, Endpoint, GetTaskResult, ImageToTextTask, Proxy, ProxyType,
    RecaptchaV2Task, Service, Task, TaskKind, TurnstileTask, http,
};
use criterion::{Criterion, criterion_group, criterion_main};
use serde::{Deserialize, Serialize};

#[allow(dead_code)] // The baseline structs are read only by serde.
mod baseline {
    //! The same wire shapes as plain serde structs: no validation, no typing beyond the fields.
    use super::*;

    #[derive(Serialize)]
    pub struct Body<'a, T> {
        #[serde(rename = "clientKey")]
        pub client_key: &'a str,
        pub task: T,
    }

    #[derive(Serialize)]
    pub struct Image<'a> {
        #[serde(rename = "type")]
        pub ty: &'a str,
        pub body: &'a str,
    }

    #[derive(Serialize)]
    pub struct V2Proxy<'a> {
        #[serde(rename = "type")]
        pub ty: &'a str,
        #[serde(rename = "websiteURL")]
        pub website_url: &'a str,
        #[serde(rename = "websiteKey")]
        pub website_key: &'a str,
        #[serde(rename = "proxyType")]
        pub proxy_type: &'a str,
        #[serde(rename = "proxyAddress")]
        pub proxy_address: &'a str,
        #[serde(rename = "proxyPort")]
        pub proxy_port: u16,
        #[serde(rename = "proxyLogin")]
        pub proxy_login: &'a str,
        #[serde(rename = "proxyPassword")]
        pub proxy_password: &'a str,
    }

    #[derive(Serialize)]
    pub struct Turnstile<'a> {
        #[serde(rename = "type")]
        pub ty: &'a str,
        #[serde(rename = "websiteURL")]
        pub website_url: &'a str,
        #[serde(rename = "websiteKey")]
        pub website_key: &'a str,
    }

    #[derive(Deserialize)]
    pub struct Result<S> {
        #[serde(rename = "errorId")]
        pub error_id: i64,
        #[serde(rename = "errorCode")]
        pub error_code: Option<String>,
        pub status: Option<String>,
        pub solution: Option<S>,
    }

    #[derive(Deserialize)]
    pub struct Text {
        pub text: String,
    }

    #[derive(Deserialize)]
    pub struct Token {
        #[serde(rename = "gRecaptchaResponse")]
        pub token: String,
    }

    #[derive(Deserialize)]
    pub struct TurnstileToken {
        pub token: String,
        #[serde(rename = "userAgent")]
        pub user_agent: Option<String>,
    }
}

const KEY: &str = "0123456789abcdef0123456789abcdef";
const URL: &str = "https://lessons.zennolab.com/captchas/recaptcha/v2_simple.php?level=high";
const SITEKEY: &str = "6Lcg7CMUAAAAANphynKgn9YAgA4tQ2KI_iqRyTwd";

fn image_b64() -> String {
    capmonster_proto::task::base64_encode(&[7u8; 2048])
}

fn encode(c: &mut Criterion) {
    let service = Service::default();
    let key = ClientKey::new(KEY).unwrap();
    let body = image_b64();
    let cases: Vec<(&str, Task)> = vec![
        ("ImageToText", ImageToTextTask::new(body.clone()).into()),
        (
            "RecaptchaV2+proxy",
            RecaptchaV2Task::new(URL, SITEKEY)
                .with_proxy(Proxy::new(ProxyType::Http, "8.8.8.8", 8080).with_auth("login", "pass"))
                .into(),
        ),
        ("Turnstile", TurnstileTask::new(URL, SITEKEY).into()),
    ];
    let mut g = c.benchmark_group("encode");
    for (name, task) in cases {
        let create = CreateTask::new(task);
        g.bench_function(format!("ours/{name}"), |b| {
            b.iter(|| black_box(create.build(black_box(&service), black_box(&key)).unwrap()))
        });
    }
    // Baselines: the same JSON from plain structs, into a request of the same shape.
    let build = |json: Vec<u8>| {
        http::Request::builder()
            .method(http::Method::POST)
            .uri("https://api.capmonster.cloud/createTask")
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .header("user-agent", "capmonster-rs/0.1.0")
            .body(json)
            .unwrap()
    };
    g.bench_function("serde_json/ImageToText", |b| {
        b.iter(|| {
            let json = serde_json::to_vec(&baseline::Body {
                client_key: black_box(KEY),
                task: baseline::Image {
                    ty: "ImageToTextTask",
                    body: black_box(&body),
                },
            })
            .unwrap();
            black_box(build(json))
        })
    });
    g.bench_function("serde_json/RecaptchaV2+proxy", |b| {
        b.iter(|| {
            let json = serde_json::to_vec(&baseline::Body {
                client_key: black_box(KEY),
                task: baseline::V2Proxy {
                    ty: "RecaptchaV2Task",
                    website_url: black_box(URL),
                    website_key: SITEKEY,
                    proxy_type: "http",
                    proxy_address: "8.8.8.8",
                    proxy_port: 8080,
                    proxy_login: "login",
                    proxy_password: "pass",
                },
            })
            .unwrap();
            black_box(build(json))
        })
    });
    g.bench_function("serde_json/Turnstile", |b| {
        b.iter(|| {
            let json = serde_json::to_vec(&baseline::Body {
                client_key: black_box(KEY),
                task: baseline::Turnstile {
                    ty: "TurnstileTask",
                    website_url: black_box(URL),
                    website_key: SITEKEY,
                },
            })
            .unwrap();
            black_box(build(json))
        })
    });
    g.finish();
}

fn parse(c: &mut Criterion) {
    let service = Service::default();
    let token: String = "03AFcWeA".chars().cycle().take(1200).collect();
    let ready_text = r#"{"errorId":0,"errorCode":null,"errorDescription":null,"status":"ready","solution":{"text":"answer"}}"#.to_owned();
    let ready_v2 = format!(
        r#"{{"errorId":0,"errorCode":null,"errorDescription":null,"status":"ready","solution":{{"gRecaptchaResponse":"{token}"}}}}"#
    );
    let ready_ts = format!(
        r#"{{"errorId":0,"status":"ready","solution":{{"token":"{token}","userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)"}}}}"#
    );
    let processing =
        r#"{"errorId":0,"errorCode":null,"errorDescription":null,"status":"processing"}"#;
    let resp = |s: &str| {
        let bytes = s.as_bytes().to_vec();
        move || {
            http::Response::builder()
                .status(200)
                .body(bytes.clone())
                .unwrap()
        }
    };
    let mut g = c.benchmark_group("parse");
    for (name, kind, body) in [
        (
            "ImageToText/ready",
            TaskKind::ImageToText,
            ready_text.as_str(),
        ),
        (
            "RecaptchaV2/ready",
            TaskKind::RecaptchaV2,
            ready_v2.as_str(),
        ),
        ("Turnstile/ready", TaskKind::Turnstile, ready_ts.as_str()),
        ("any/processing", TaskKind::RecaptchaV2, processing),
    ] {
        let make = resp(body);
        let endpoint = GetTaskResult::new(1, kind);
        let response = make();
        g.bench_function(format!("ours/{name}"), |b| {
            b.iter(|| {
                let r = http::Response::builder()
                    .status(response.status())
                    .body(black_box(response.body().as_slice()))
                    .unwrap();
                black_box(endpoint.parse(&service, r).unwrap())
            })
        });
    }
    macro_rules! baseline {
        ($name:literal, $body:expr, $ty:ty) => {
            let bytes = $body.as_bytes().to_vec();
            g.bench_function(concat!("serde_json/", $name), |b| {
                b.iter(|| {
                    let r: baseline::Result<$ty> =
                        serde_json::from_slice(black_box(bytes.as_slice())).unwrap();
                    black_box((r.error_id, r.error_code, r.status, r.solution.is_some()))
                })
            });
        };
    }
    baseline!("ImageToText/ready", ready_text, baseline::Text);
    baseline!("RecaptchaV2/ready", ready_v2, baseline::Token);
    baseline!("Turnstile/ready", ready_ts, baseline::TurnstileToken);
    baseline!("any/processing", processing, baseline::Token);
    let _ = (
        baseline::Text {
            text: String::new(),
        }
        .text,
        baseline::Token {
            token: String::new(),
        }
        .token,
    );
    g.finish();
}

criterion_group!(benches, encode, parse);
criterion_main!(benches);
