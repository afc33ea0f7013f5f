//! The solver drives the in.php/res.php URL form with the same loop as the JSON API.

use std::time::{Duration, Instant};

use capmonster_proto::solver::{Action, Phase, Policy, Solver};
use capmonster_proto::{ClientKey, Service, http, solution::Solution, task::ImageToTextTask};

fn reply(body: &str) -> http::Response<Vec<u8>> {
    http::Response::builder()
        .status(200)
        .body(body.as_bytes().to_vec())
        .unwrap()
}

#[test]
fn a_url_form_solve_goes_in_php_then_res_php_until_ready() {
    let key = ClientKey::new("URLFORMKEY123").unwrap();
    let service = Service::capmonster_url_form();
    let task = ImageToTextTask::from_image_bytes(&[42u8; 300]);
    let mut solver = Solver::new(task, &key, &service, &Policy::default()).with_jitter_seed(7);
    let t0 = Instant::now();
    let mut now = t0;
    let mut sent = Vec::new();
    let answers = [
        r#"{"status":1,"request":"73000000001"}"#,
        r#"{"status":0,"request":"CAPCHA_NOT_READY"}"#,
        r#"{"status":1,"request":"w0rd|with|pipes"}"#,
    ];
    let mut next = answers.iter();
    let solved = loop {
        match solver.poll(now) {
            Action::Send(out) => {
                let uri = out.request.uri().to_string();
                let body = String::from_utf8(out.request.body().clone()).unwrap();
                assert_eq!(
                    out.request.method(),
                    http::Method::POST,
                    "the key stays out of the URL"
                );
                assert!(!uri.contains("URLFORMKEY123"), "{uri}");
                assert!(body.contains("key=URLFORMKEY123"), "{body}");
                sent.push((out.phase, uri));
                now += Duration::from_millis(40);
                solver.handle_response(now, &reply(next.next().expect("no more answers")));
            }
            Action::Wait(until) => {
                assert!(until > now);
                now = until;
            }
            Action::Done(result) => break result.expect("solved"),
        }
    };
    assert_eq!(solved.task_id, 73_000_000_001);
    assert_eq!(solved.polls, 2);
    assert_eq!(
        solved.ready.solution,
        Solution::Text(serde_json::from_str(r#"{"text":"w0rd|with|pipes"}"#).unwrap())
    );
    let phases: Vec<_> = sent
        .iter()
        .map(|(p, u)| (*p, u.rsplit('/').next().unwrap().to_owned()))
        .collect();
    assert_eq!(
        phases,
        [
            (Phase::Create, "in.php".to_owned()),
            (Phase::Poll, "res.php".to_owned()),
            (Phase::Poll, "res.php".to_owned())
        ]
    );
    assert!(now - t0 < Duration::from_secs(10));
}
