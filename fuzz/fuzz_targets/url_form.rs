//! Every URL-form (in.php / res.php) parser, over arbitrary bytes and statuses, in both URL-form
//! dialects and every task kind: none may panic.
#![no_main]

use capmonster_proto::urlform::{
    UrlFormGet, UrlFormGetBalance, UrlFormReport, UrlFormSubmit, parse_url_form_reply,
};
use capmonster_proto::{
    Endpoint, Service, http,
    task::{TaskKind, TurnstileTask},
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let status = 100 + u16::from_le_bytes([data[0], data[1]]) % 500;
    let body = &data[2..];
    let _ = parse_url_form_reply(status, body);
    let resp = || http::Response::builder().status(status).body(body).unwrap();
    for service in [
        Service::capmonster_url_form(),
        Service::two_captcha_url_form(),
    ] {
        let _ = UrlFormSubmit::new(TurnstileTask::new("https://a.b", "k")).parse(&service, resp());
        for kind in TaskKind::ALL {
            for get in [
                UrlFormGet::new(1, *kind),
                UrlFormGet::new(1, *kind).with_price(),
            ] {
                if let Ok(result) = get.parse(&service, resp()) {
                    if let Some(ready) = result.ready() {
                        let _ = ready.solution.main_value();
                        let _ = ready.raw_value();
                    }
                }
            }
        }
        let _ = UrlFormGetBalance::new().parse(&service, resp());
        let _ = UrlFormReport::bad(1).parse(&service, resp());
        let _ = UrlFormReport::good(1).parse(&service, resp());
    }
});
