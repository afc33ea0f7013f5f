//! Every case of the hostile-service table (`capmonster_tests::hostile::cases`) against both
//! front ends, each with its own misbehaving server on 127.0.0.1, a key with a `__nocache`
//! suffix and a task whose proxy has a password. Every promise of docs/RELIABILITY.md is
//! checked on every run (`Observed::check`); all broken promises are listed before the test
//! fails. The CLI runs the same table in `crates/capmonster-cli/tests/hostile_cli.rs`.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use capmonster_proto::solver::{Policy, Solved};
use capmonster_proto::{
    ClientError, Service,
    task::{Proxy, ProxyType, RecaptchaV2Task, Task},
};
use capmonster_tests::hostile::{
    ALLOWANCE, Case, Dialect, HostileServer, Observed, PROXY_LOGIN, REQUEST_TIMEOUT, SITE_KEY,
    cases, secrets,
};
use capmonster_tests::{Capture, Kind, PROXY_PASSWORD, builder, fast_policy, front_from};

/// Runs at the same time (most of a run is waiting on a deadline).
const PARALLEL: usize = 16;

fn the_task() -> Task {
    RecaptchaV2Task::new("https://example.com/login", SITE_KEY)
        .with_proxy(
            Proxy::new(ProxyType::Http, "8.8.8.8", 1080).with_auth(PROXY_LOGIN, PROXY_PASSWORD),
        )
        .into()
}

fn service(dialect: Dialect) -> Service {
    match dialect {
        Dialect::Json => Service::capmonster(),
        Dialect::UrlForm => Service::capmonster_url_form(),
    }
}

fn policy(case: &Case) -> Policy {
    if case.real_timing {
        Policy::new().with_deadline(case.deadline)
    } else {
        fast_policy().with_deadline(case.deadline)
    }
}

/// One case on one front end: what it did, and the promises it broke.
fn run(case: &Case, kind: Kind) -> (Observed, Vec<String>) {
    let server = HostileServer::start(case);
    let url = server.base_url();
    let capture = Capture::default();
    let (result, took, debug) = tracing::subscriber::with_default(capture.clone(), || {
        let (u1, u2) = (url.clone(), url.clone());
        let (s1, s2) = (service(case.dialect), service(case.dialect));
        let client = front_from(
            kind,
            move |_| builder(&u1, s1.clone()).request_timeout(REQUEST_TIMEOUT),
            move |_| builder(&u2, s2.clone()).request_timeout(REQUEST_TIMEOUT),
        );
        let start = Instant::now();
        let result = client.solve_with(the_task(), &policy(case));
        (result, start.elapsed(), client.debug_text())
    });
    let observed = observe(kind, &result, took, case.deadline, debug, capture.lines());
    // Let a stray connection (a request cut at the deadline) reach the server before reading.
    std::thread::sleep(Duration::from_millis(50));
    let broken = observed.check(case, &server.seen());
    (observed, broken)
}

fn observe(
    kind: Kind,
    result: &Result<Solved, ClientError>,
    took: Duration,
    deadline: Duration,
    debug: String,
    trace: Vec<String>,
) -> Observed {
    let mut other = trace;
    other.push(debug);
    let who = format!("{kind:?}");
    match result {
        Ok(solved) => {
            other.push(format!("{solved:?}"));
            other.push(format!("{solved:#?}"));
            Observed {
                who,
                token: Some(
                    solved
                        .ready
                        .solution
                        .main_value()
                        .unwrap_or("<no main value>")
                        .to_owned(),
                ),
                task_id: Some(solved.task_id.to_string()),
                ambiguous: false,
                timeout: false,
                refused_locally: false,
                message: String::new(),
                other_output: other,
                took,
                limit: deadline + ALLOWANCE,
                multiline: false,
            }
        }
        Err(e) => {
            other.push(format!("{e:?}"));
            other.push(format!("{e:#?}"));
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                other.push(format!("{s} {s:?}"));
                source = s.source();
            }
            Observed {
                who,
                token: None,
                task_id: e.task_id().map(|id| id.to_string()),
                ambiguous: matches!(e, ClientError::AmbiguousCreate { .. }),
                timeout: matches!(e, ClientError::Timeout { .. }),
                refused_locally: matches!(e, ClientError::Build(_)),
                message: e.to_string(),
                other_output: other,
                took,
                limit: deadline + ALLOWANCE,
                multiline: false,
            }
        }
    }
}

#[test]
fn every_hostile_case_on_both_front_ends() {
    let mut work: Vec<(Case, Kind)> = Vec::new();
    for case in cases() {
        for kind in [Kind::Blocking, Kind::Async] {
            work.push((case.clone(), kind));
        }
    }
    let total = work.len();
    let queue = Mutex::new(work);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..PARALLEL {
            s.spawn(|| {
                loop {
                    let Some((case, kind)) = queue.lock().unwrap().pop() else {
                        return;
                    };
                    let (observed, broken) = run(&case, kind);
                    results.lock().unwrap().push((case.name, observed, broken));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| (a.0, &a.1.who).cmp(&(b.0, &b.1.who)));
    assert_eq!(results.len(), total);
    let mut all_broken = Vec::new();
    for (name, o, broken) in &results {
        println!(
            "{name:<34} {:<8} {:>6} ms  {}  {}",
            o.who,
            o.took.as_millis(),
            if broken.is_empty() { "ok  " } else { "FAIL" },
            o.token
                .as_deref()
                .map(|t| format!("solved: {t:?}"))
                .unwrap_or_else(|| o.message.escape_debug().to_string()),
        );
        all_broken.extend(broken.iter().cloned());
    }
    report(all_broken);
}

/// Finding 6: a proxy password in the outbound proxy URL is not in the client's or its
/// configuration's Debug.
#[test]
fn outbound_proxy_password_is_not_in_any_debug() {
    let proxy = format!("http://{PROXY_LOGIN}:{PROXY_PASSWORD}@127.0.0.1:9");
    for kind in [Kind::Blocking, Kind::Async] {
        let (p1, p2) = (proxy.clone(), proxy.clone());
        let client = front_from(
            kind,
            move |_| builder("http://127.0.0.1:9", Service::capmonster()).outbound_proxy(&p1),
            move |_| builder("http://127.0.0.1:9", Service::capmonster()).outbound_proxy(&p2),
        );
        let text = client.debug_text();
        for secret in secrets() {
            assert!(
                !text.contains(secret),
                "{kind:?}: a secret is in the Debug of the client or its config: {text}"
            );
        }
    }
}

/// Set in the child process of [`proxy_environment_policy_is_one_for_both_front_ends`].
const CHILD: &str = "CAPMONSTER_HOSTILE_PROXY_CHILD";

/// Finding 10: the two front ends read the proxy environment (`HTTP_PROXY`, `HTTPS_PROXY`,
/// `ALL_PROXY`) alike, and as documented: neither reads it. The environment is
/// set for a child process (this test binary again, once per front end), so no other test sees
/// it. A proxied request shows at the proxy as anything at all (a CONNECT, or the request in
/// absolute form); a direct one at the API server.
#[test]
fn proxy_environment_policy_is_one_for_both_front_ends() {
    if let Ok(which) = std::env::var(CHILD) {
        let url = std::env::var("HOSTILE_API_URL").expect("the API URL");
        let kind = if which == "Blocking" {
            Kind::Blocking
        } else {
            Kind::Async
        };
        let client = capmonster_tests::front_on(kind, &url, Service::capmonster());
        let _ = client.create_task(RecaptchaV2Task::new("https://example.com/", SITE_KEY).into());
        return;
    }
    let case = capmonster_tests::hostile::case(
        "proxy_env",
        vec![capmonster_tests::hostile::task("730100")],
        vec![],
        capmonster_tests::hostile::Expect::Either,
        &[],
    );
    let went = |kind: Kind| {
        let (api, proxy) = (HostileServer::start(&case), HostileServer::start(&case));
        let mut child =
            std::process::Command::new(std::env::current_exe().expect("this test binary"));
        child
            .args([
                "--exact",
                "proxy_environment_policy_is_one_for_both_front_ends",
                "--test-threads=1",
            ])
            .env(CHILD, format!("{kind:?}"))
            .env("HOSTILE_API_URL", api.base_url());
        for name in ["NO_PROXY", "no_proxy"] {
            child.env_remove(name);
        }
        for name in [
            "HTTP_PROXY",
            "http_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
            "all_proxy",
        ] {
            child.env(name, proxy.base_url());
        }
        let out = child.output().expect("the child test runs");
        assert!(out.status.success(), "the child failed: {out:?}");
        std::thread::sleep(Duration::from_millis(50));
        let direct = !api.seen().is_empty();
        let proxied = !proxy.seen().is_empty();
        assert!(
            direct != proxied,
            "{kind:?}: createTask went directly: {direct}, through the proxy: {proxied}"
        );
        if proxied {
            "through the proxy"
        } else {
            "directly"
        }
    };
    let (blocking, async_) = (went(Kind::Blocking), went(Kind::Async));
    println!("with HTTP_PROXY set, blocking went {blocking}, async went {async_}");
    assert_eq!(
        blocking, async_,
        "the front ends read the proxy environment differently"
    );
    // The documented policy (docs/RELIABILITY.md, promise 11): the environment is not read.
    assert_eq!(blocking, "directly", "the proxy environment was read");
}

/// The hostile answers of `balance_cases` to `balance` on both front ends: an error, with no
/// secret, no raw control character, and nothing changed silently.
#[test]
fn hostile_balance_answers_on_both_front_ends() {
    let mut all_broken = Vec::new();
    for case in capmonster_tests::hostile::balance_cases() {
        for kind in [Kind::Blocking, Kind::Async] {
            let server = HostileServer::start(&case);
            let url = server.base_url();
            let capture = Capture::default();
            let (result, took, debug) = tracing::subscriber::with_default(capture.clone(), || {
                let client = capmonster_tests::front_on(kind, &url, Service::capmonster());
                let start = Instant::now();
                let result = client.balance();
                (result, start.elapsed(), client.debug_text())
            });
            let mut other = capture.lines();
            other.push(debug);
            let observed = match &result {
                Ok(b) => Observed {
                    who: format!("{kind:?}"),
                    token: Some(format!("{b:?}")),
                    task_id: None,
                    ambiguous: false,
                    timeout: false,
                    refused_locally: false,
                    message: String::new(),
                    other_output: other,
                    took,
                    limit: REQUEST_TIMEOUT + ALLOWANCE,
                    multiline: false,
                },
                Err(e) => {
                    other.push(format!("{e:?} {e:#?}"));
                    Observed {
                        who: format!("{kind:?}"),
                        token: None,
                        task_id: None,
                        ambiguous: false,
                        timeout: false,
                        refused_locally: false,
                        message: e.to_string(),
                        other_output: other,
                        took,
                        limit: REQUEST_TIMEOUT + ALLOWANCE,
                        multiline: false,
                    }
                }
            };
            all_broken.extend(observed.check(&case, &server.seen()));
        }
    }
    assert!(
        all_broken.is_empty(),
        "{} broken promises:\n{}",
        all_broken.len(),
        all_broken.join("\n")
    );
}

/// Fails on every broken promise, listing them all.
fn report(broken: Vec<String>) {
    assert!(
        broken.is_empty(),
        "{} broken promises:\n{}",
        broken.len(),
        broken.join("\n")
    );
}
