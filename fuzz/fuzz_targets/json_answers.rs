//! Every JSON endpoint's parser, over arbitrary bytes and statuses: it must never panic.
#![no_main]

use capmonster_proto::report::{ReportRequest, ReportVerdict};
use capmonster_proto::{
    CreateTask, Endpoint, GetBalance, GetTaskResult, GetUserAgent, Service, http,
    task::{TaskKind, TurnstileTask},
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let status = 100 + u16::from_le_bytes([data[0], data[1]]) % 500;
    let body = &data[2..];
    let resp = || http::Response::builder().status(status).body(body).unwrap();
    for service in [
        Service::capmonster(),
        Service::anti_captcha(),
        Service::two_captcha(),
    ] {
        let _ = CreateTask::new(TurnstileTask::new("https://a.b", "k")).parse(&service, resp());
        for kind in TaskKind::ALL {
            if let Ok(result) = GetTaskResult::new(1, *kind).parse(&service, resp()) {
                if let Some(ready) = result.ready() {
                    let _ = ready.solution.main_value();
                    let _ = ready.raw_value();
                }
            }
        }
        let _ = GetBalance.parse(&service, resp());
        let _ = GetUserAgent.parse(&service, resp());
        for kind in [TaskKind::ImageToText, TaskKind::RecaptchaV2] {
            let verdict = ReportVerdict::Incorrect;
            if let Ok(report) = ReportRequest::without_window(service.dialect(), verdict, kind, 1) {
                let _ = report.parse(&service, resp());
            }
        }
    }
});
