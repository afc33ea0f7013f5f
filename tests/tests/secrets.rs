//! Captures every tracing span and event, and every error's Display and Debug, during a full
//! run of both front ends against the emulator, and checks that neither the key (in any form)
//! nor a proxy password ever appears.

use std::time::Duration;

use capmonster_emulator::{FaultKind, Scope, SolveTime};
use capmonster_proto::{
    ClientError, Service,
    task::{ImageToTextTask, Proxy, ProxyType, RecaptchaV2Task, Task},
};
use capmonster_tests::{
    Capture, Kind, PROXY_PASSWORD, TEST_KEY, config, emulator, fast_policy, front, front_on,
};

fn image(text: &str) -> Task {
    let mut bytes = format!("TEXT:{text} ").into_bytes();
    bytes.resize(160, b' ');
    ImageToTextTask::from_image_bytes(&bytes).into()
}

fn with_proxy() -> Task {
    RecaptchaV2Task::new("https://example.com/login", "6Le-sitekey-0001")
        .with_proxy(Proxy::new(ProxyType::Socks5, "8.8.8.8", 1080).with_auth("bob", PROXY_PASSWORD))
        .into()
}

/// Runs a bit of everything and returns the text of every error seen.
fn run_everything(kind: Kind) -> Vec<String> {
    let mut seen = Vec::new();
    let mut note = |r: Result<String, ClientError>| match r {
        Ok(s) => seen.push(s),
        Err(e) => {
            seen.push(e.to_string());
            seen.push(format!("{e:?}"));
            seen.push(format!("{e:#?}"));
        }
    };
    let emu = emulator(config());
    let client = front(kind, &emu);
    note(client.balance().map(|b| format!("{b:?}")));
    note(client.user_agent());
    let solved = client.solve(with_proxy());
    note(
        solved
            .as_ref()
            .map(|s| format!("{s:?}"))
            .map_err(Clone::clone),
    );
    if let Ok(s) = &solved {
        note(client.report(s).map(|r| format!("{r:?}")));
        note(client.report(s).map(|r| format!("{r:?}")));
    }
    // Faults of every kind, on create and on poll.
    for fault in [
        FaultKind::NoSlot,
        FaultKind::Http503Json,
        FaultKind::ResetAfterProcessing,
        FaultKind::Html502,
    ] {
        emu.script_faults(Scope::Create, fault, 1);
        note(client.solve(image("a")).map(|s| format!("{s:?}")));
    }
    emu.script_faults(Scope::Poll, FaultKind::Reset, 1);
    note(client.solve(with_proxy()).map(|s| format!("{s:?}")));
    // A local validation error, a deadline, a poll cap.
    note(
        client
            .solve(RecaptchaV2Task::new("nope", "k").into())
            .map(|s| format!("{s:?}")),
    );
    emu.set_solve_time(SolveTime::Fixed(Duration::from_secs(1000)));
    note(
        client
            .solve_with(
                image("b"),
                &fast_policy().with_deadline(Duration::from_millis(400)),
            )
            .map(|s| format!("{s:?}")),
    );
    // A refused key, and a server that is not there.
    let strict = emulator(config().key("ANOTHER_KEY_ENTIRELY", 1.0));
    note(
        front(kind, &strict)
            .solve(image("c"))
            .map(|s| format!("{s:?}")),
    );
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    note(
        front_on(kind, &url, Service::capmonster())
            .balance()
            .map(|b| format!("{b:?}")),
    );
    // The clients' own Debug.
    seen.push(format!("{:?}", debug_of(kind, &emu.base_url())));
    seen
}

fn debug_of(kind: Kind, url: &str) -> String {
    match kind {
        Kind::Blocking => format!(
            "{:?}",
            capmonster_tests::builder::<capmonster_blocking::Client>(url, Service::capmonster())
                .build()
                .unwrap()
        ),
        Kind::Async => format!(
            "{:?}",
            capmonster_tests::builder::<capmonster_async::Client>(url, Service::capmonster())
                .build()
                .unwrap()
        ),
    }
}

#[test]
fn no_key_or_proxy_password_in_any_event_or_error() {
    let capture = Capture::default();
    tracing::subscriber::set_global_default(capture.clone()).unwrap();
    let mut texts = Vec::new();
    for kind in [Kind::Blocking, Kind::Async] {
        texts.extend(run_everything(kind));
    }
    let lines = capture.lines();
    assert!(
        lines.iter().any(|l| l.starts_with("span capmonster.solve")),
        "spans were captured"
    );
    assert!(
        lines.iter().any(|l| l.contains("task_id=")),
        "task ids were recorded"
    );
    assert!(
        lines.iter().any(|l| l.contains("failure=")),
        "transport failures were logged"
    );
    assert!(texts.len() > 40, "errors were collected: {}", texts.len());
    let base_key = TEST_KEY.split("__").next().unwrap();
    for needle in [TEST_KEY, base_key, PROXY_PASSWORD] {
        for line in lines.iter().chain(texts.iter()) {
            assert!(!line.contains(needle), "{needle} leaked: {line}");
        }
    }
}
