//! Encode and parse costs of the core, each beside a plain `serde_json` baseline on an
//! equivalent hand-written struct (the closest thing to the format's physical limit).
//!
//! `cargo bench -p capmonster-proto --bench codec`; `tests/bench/report.py` turns
//! criterion's estimates into the ratio table of docs/BENCHMARKS.md.

#![allow(missing_docs, unreachable_pub)] // criterion generates undocumented items; the baseline is bench-local.

use std::hint::black_box;

use capmonster_proto::task::{DataDomeTask, GeeTestTask};
use capmonster_proto::{
    ClientKey, CreateTask, Endpoint, GetTaskResult, Service, http,
    task::{ImageToTextTask, Proxy, ProxyType, RecaptchaV2Task, Task, TaskKind, TurnstileTask},
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

    #[derive(Serialize)]
    pub struct GeeTestV4<'a> {
        #[serde(rename = "type")]
        pub ty: &'a str,
        #[serde(rename = "websiteURL")]
        pub website_url: &'a str,
        pub gt: &'a str,
        pub version: u8,
    }

    #[derive(Serialize)]
    pub struct DataDomeMeta<'a> {
        #[serde(rename = "captchaUrl")]
        pub captcha_url: &'a str,
        #[serde(rename = "datadomeCookie")]
        pub datadome_cookie: &'a str,
    }

    #[derive(Serialize)]
    pub struct DataDome<'a> {
        #[serde(rename = "type")]
        pub ty: &'a str,
        pub class: &'a str,
        #[serde(rename = "websiteURL")]
        pub website_url: &'a str,
        pub metadata: DataDomeMeta<'a>,
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

    #[derive(Deserialize)]
    pub struct GeeTestV4Solution {
        pub captcha_id: String,
        pub lot_number: String,
        pub pass_token: String,
        pub gen_time: String,
        pub captcha_output: String,
    }

    #[derive(Deserialize)]
    pub struct Cookies {
        pub cookies: std::collections::BTreeMap<String, String>,
    }

    #[derive(Deserialize)]
    pub struct Domains {
        pub domains: std::collections::BTreeMap<String, Cookies>,
    }

    /// The JSON form of a res.php answer (`json=1`).
    #[derive(Deserialize)]
    pub struct UrlFormJson {
        pub status: u8,
        pub request: String,
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

const DD_CAPTCHA_URL: &str = "https://geo.captcha-delivery.com/captcha/?initialCid=AHrlqAAAAAMA9&hash=789361B674144528D0B7EE76B35826&cid=6QAEcL8coBYTi9tYLmjCdyKmNNyHz1xwM2tMHHGVd_Rxr6FsWrb7H~a04csMptCPYfQ25&t=fe&referer=https%3A%2F%2Fexample.com";
const DD_COOKIE: &str = "datadome=6BvxqELMoorFNoo7GT1cHqvLnUbQC0LyEnGkZ2vvJqU~~cOPoNQp9i6~0e_TZp9SQb6a5cOYSmn5YZ6EwFMQT4ZJdV1cTPI4lZwYKlCxm3SDMqTFnJRaGlWj3~vJpQJxT";

fn proxy() -> Proxy {
    Proxy::new(ProxyType::Http, "8.8.8.8", 8080).with_auth("login", "pass")
}

fn image_b64() -> String {
    capmonster_proto::inputs::base64_encode(&[7u8; 2048])
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
                .with_proxy(proxy())
                .into(),
        ),
        ("Turnstile", TurnstileTask::new(URL, SITEKEY).into()),
        (
            "GeeTestV4",
            GeeTestTask::v4(URL, "e392e1d7fd421dc63325744d5a2b9c73").into(),
        ),
        (
            "DataDome",
            DataDomeTask::new(URL, DD_CAPTCHA_URL, DD_COOKIE, proxy()).into(),
        ),
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
    g.bench_function("serde_json/GeeTestV4", |b| {
        b.iter(|| {
            let json = serde_json::to_vec(&baseline::Body {
                client_key: black_box(KEY),
                task: baseline::GeeTestV4 {
                    ty: "GeeTestTask",
                    website_url: black_box(URL),
                    gt: "e392e1d7fd421dc63325744d5a2b9c73",
                    version: 4,
                },
            })
            .unwrap();
            black_box(build(json))
        })
    });
    g.bench_function("serde_json/DataDome", |b| {
        b.iter(|| {
            let json = serde_json::to_vec(&baseline::Body {
                client_key: black_box(KEY),
                task: baseline::DataDome {
                    ty: "CustomTask",
                    class: "DataDome",
                    website_url: black_box(URL),
                    metadata: baseline::DataDomeMeta {
                        captcha_url: DD_CAPTCHA_URL,
                        datadome_cookie: DD_COOKIE,
                    },
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
    let ready_gt = r#"{"errorId":0,"status":"ready","solution":{"captcha_id":"e392e1d7fd421dc63325744d5a2b9c73","lot_number":"e6c1a3b3ba2d4fd8b5ab6c7f1e2d3c4b","pass_token":"1c7a1b3e9f4a4d2e8b6c5a4f3e2d1c0b9a8f7e6d5c4b3a291807f6e5d4c3b2a1","gen_time":"1700000000","captcha_output":"m_NSTa0EZ1aSr0ycGVzqkGsEoy6UBbSaWhwZJM2D1wDBxLc5mz8XU5h6GODBmxTaU0jRxx1gr0Je6FmQ6UpqOaXpbFLxrCGcbAe1dT1T3cQxG2Bc5CBmMCKw7WP_w0KeSwkBHB1bqUmbyzvjWaJmVxzdbABU9HafPk-YvAqOXgxfQ1TujKxBBQ4EoTZIMw5FGBtkg5dYeOJMlGLShQtRIGRhvT3Xtc2RJG_-8Oo6kz2x6eZj1i3IfZDxSAwRD-SU5_pyz0VH8Hc-s7xe6PKdCaaNLt8Hyn-LC1yhP9NIo"}}"#;
    let ready_dd = format!(
        r#"{{"errorId":0,"status":"ready","solution":{{"domains":{{"www.example.com":{{"cookies":{{"datadome":"{token}"}}}}}}}}}}"#
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
        ("GeeTestV4/ready", TaskKind::GeeTest, ready_gt),
        ("DataDome/ready", TaskKind::DataDome, ready_dd.as_str()),
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
                    // The same `http::Response` as ours gets, so that both sides do the same
                    // HTTP-side work (as in `encode`, where both build the same request).
                    let response = http::Response::builder()
                        .status(200)
                        .body(black_box(bytes.as_slice()))
                        .unwrap();
                    let r: baseline::Result<$ty> = serde_json::from_slice(response.body()).unwrap();
                    black_box((r.error_id, r.error_code, r.status, r.solution.is_some()))
                })
            });
        };
    }
    baseline!("ImageToText/ready", ready_text, baseline::Text);
    baseline!("RecaptchaV2/ready", ready_v2, baseline::Token);
    baseline!("Turnstile/ready", ready_ts, baseline::TurnstileToken);
    baseline!("GeeTestV4/ready", ready_gt, baseline::GeeTestV4Solution);
    baseline!("DataDome/ready", ready_dd, baseline::Domains);
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

/// res.php answers of the URL-form dialects: text (`OK|...`, `CAPCHA_NOT_READY`) and JSON
/// (`json=1`). The text baseline is a plain UTF-8 check and `split_once('|')`, the JSON one
/// `serde_json` on a two-field struct.
fn urlform(c: &mut Criterion) {
    let token: String = "03AFcWeA".chars().cycle().take(1200).collect();
    let ok_text = format!("OK|{token}");
    let ok_json = format!(r#"{{"status":1,"request":"{token}"}}"#);
    let not_ready = "CAPCHA_NOT_READY";
    let mut g = c.benchmark_group("urlform");
    for (name, body) in [
        ("text/ready", ok_text.as_str()),
        ("text/not-ready", not_ready),
        ("json/ready", ok_json.as_str()),
    ] {
        let bytes = body.as_bytes().to_vec();
        // The URL form is read through the poll endpoint on a URL-form service (the reply
        // parser is private since the URL form became a detail of the wire layer).
        let (service, poll) = (
            Service::capmonster_url_form(),
            GetTaskResult::new(1, TaskKind::Other),
        );
        g.bench_function(format!("ours/{name}"), |b| {
            b.iter(|| {
                let response = http::Response::builder()
                    .status(200)
                    .body(black_box(bytes.as_slice()))
                    .unwrap();
                black_box(poll.parse(&service, response).unwrap())
            })
        });
    }
    for (name, body) in [
        ("text/ready", ok_text.as_str()),
        ("text/not-ready", not_ready),
    ] {
        let bytes = body.as_bytes().to_vec();
        g.bench_function(format!("serde_json/{name}"), |b| {
            b.iter(|| {
                let response = http::Response::builder()
                    .status(200)
                    .body(black_box(bytes.as_slice()))
                    .unwrap();
                let t = std::str::from_utf8(response.body()).unwrap();
                black_box(t.split_once('|').map(|(a, b)| (a == "OK", b.to_owned())))
            })
        });
    }
    let bytes = ok_json.as_bytes().to_vec();
    g.bench_function("serde_json/json/ready", |b| {
        b.iter(|| {
            let response = http::Response::builder()
                .status(200)
                .body(black_box(bytes.as_slice()))
                .unwrap();
            let r: baseline::UrlFormJson = serde_json::from_slice(response.body()).unwrap();
            black_box((r.status, r.request))
        })
    });
    g.finish();
}

criterion_group!(benches, encode, parse, urlform);
criterion_main!(benches);
