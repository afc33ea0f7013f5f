//! Every URL-form (in.php / res.php) reply, over arbitrary bytes and statuses, read by every
//! endpoint in both URL-form services (and with `get2`'s price) for every task kind: none may
//! panic.
#![no_main]

use capmonster_proto::report::{ReportRequest, ReportVerdict};
use capmonster_proto::{
    CreateTask, Endpoint, GetBalance, GetTaskResult, Service, UrlFormOptions, http,
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
        Service::capmonster_url_form(),
        Service::two_captcha_url_form(),
        Service::capmonster_url_form()
            .with_url_form_options(UrlFormOptions::default().with_price(true)),
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
        for verdict in [ReportVerdict::Incorrect, ReportVerdict::Correct] {
            let kind = TaskKind::ImageToText;
            if let Ok(report) = ReportRequest::without_window(service.dialect(), verdict, kind, 1) {
                let _ = report.parse(&service, resp());
            }
        }
    }
});
