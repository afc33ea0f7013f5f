//! The in.php/res.php URL form over real HTTP, in sped-up time: submissions, answers in text and
//! JSON, errors, reports, balance, faults, stats, and tasks shared with the JSON API.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use capmonster_emulator::{Config, FaultKind, Scope, SolveTime};
use common::*;
use serde_json::{Value, json};

/// At 1000x the default 5-minute expiry is 0.3 s real: keep results a day so that a loaded
/// machine cannot expire a task between two steps of a test.
fn keep_results(mut config: Config) -> Config {
    config.result_ttl = Duration::from_secs(24 * 3600);
    config
}

/// Percent-encodes everything but unreserved bytes (what a form encoder does).
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn res(addr: SocketAddr, query: &str) -> Resp {
    get(addr, &format!("/res.php?{query}"))
}

/// The id after `OK|`.
fn ok_id(r: &Resp) -> u64 {
    let text = r.text();
    text.strip_prefix("OK|")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not OK|<id>: {text:?}"))
}

/// Polls res.php (text form) until the answer is not `CAPCHA_NOT_READY`.
fn wait_text(addr: SocketAddr, key: &str, id: u64) -> String {
    let mut c = Conn::open(addr);
    for _ in 0..200 {
        let r = c
            .send_typed(
                "GET",
                &format!("/res.php?key={key}&action=get&id={id}"),
                None,
                b"",
            )
            .unwrap()
            .text();
        if r != "CAPCHA_NOT_READY" {
            return r;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("task {id} never became ready");
}

fn image_form(key: &str, text: &str) -> String {
    format!(
        "key={key}&method=base64&body={}",
        enc(&image_with_text(text))
    )
}

#[test]
fn the_documented_get_url_is_accepted_byte_for_byte() {
    let emu = fast(keep_results(fast_config()));
    let a = emu.addr();
    let fixture = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/compat.in.php.userrecaptcha.nocache.txt"
    ))
    .unwrap();
    let path = fixture
        .strip_prefix("http://api.capmonster.cloud")
        .expect("the documented host");
    assert!(path.contains(
        "pageurl=https://lessons.zennolab.com/captchas/recaptcha/v2_simple.php?level=high&nocache=1"
    ));
    let r = get(a, path);
    assert_eq!(r.status, 200);
    let id = ok_id(&r);
    // The task is the documented reCAPTCHA v2, under the key as written (API_KEY).
    let s = emu.stats();
    assert_eq!(s.tasks_created, 1);
    assert_eq!(s.tasks[&id].kind, "RecaptchaV2Task");
    let token = wait_text(a, "API_KEY", id);
    let token = token.strip_prefix("OK|").unwrap();
    assert!(
        token.starts_with("03AFcWeA") && token.len() > 500,
        "{token}"
    );
    // An unencoded page URL with its own `&` is still one page URL, not a stray parameter.
    let r = get(
        a,
        "/in.php?key=API_KEY&method=userrecaptcha&googlekey=G&pageurl=https://x.com/p?a=1&b=2&nocache=1",
    );
    ok_id(&r);
}

#[test]
fn a_posted_image_round_trips_in_text_and_json() {
    // 20 s solves at 100x: 200 ms real.
    let emu = fast(
        Config::new()
            .speed(100.0)
            .solve_time(SolveTime::Fixed(Duration::from_secs(20))),
    );
    let a = emu.addr();
    let r = form(a, "/in.php", &image_form("k", "abc42"));
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    let id = ok_id(&r);
    let mut c = Conn::open(a);
    let q = |action: &str, json: bool| {
        format!(
            "key=k&action={action}&id={id}{}",
            if json { "&json=1" } else { "" }
        )
    };
    assert_eq!(
        c.form("/res.php", &q("get", false)).unwrap().text(),
        "CAPCHA_NOT_READY"
    );
    assert_eq!(
        c.form("/res.php", &q("get", true)).unwrap().json(),
        json!({ "status": 0, "request": "CAPCHA_NOT_READY" })
    );
    std::thread::sleep(Duration::from_millis(260));
    assert_eq!(
        c.form("/res.php", &q("get", false)).unwrap().text(),
        "OK|abc42"
    );
    assert_eq!(
        c.form("/res.php", &q("get", true)).unwrap().json(),
        json!({ "status": 1, "request": "abc42" })
    );
    assert_eq!(
        c.form("/res.php", &q("get2", false)).unwrap().text(),
        "OK|abc42|0.0006"
    );
    assert_eq!(
        c.form("/res.php", &q("get2", true)).unwrap().json(),
        json!({ "status": 1, "request": "abc42", "price": "0.0006" })
    );
    // json=1 on the submit, and GET with the id in the query.
    let r = form(a, "/in.php", &format!("{}&json=1", image_form("k", "xyz")));
    let id2: u64 = r.json()["request"].as_str().unwrap().parse().unwrap();
    assert_eq!(id2, id + 1);
    std::thread::sleep(Duration::from_millis(260));
    assert_eq!(
        res(a, &format!("key=k&action=get&id={id2}")).text(),
        "OK|xyz"
    );
    // Every poll counted on the task, as getTaskResult's are.
    assert_eq!(emu.stats().tasks[&id].polls, 6);
}

#[test]
fn answers_keep_their_pipes_and_geetest_is_json() {
    let emu = fast(keep_results(fast_config()));
    let a = emu.addr();
    let id = ok_id(&form(
        a,
        "/in.php",
        "key=k&method=funcaptcha&publickey=EX72CCFB-26EX-40E5-91E6-85EX70BE98ED&pageurl=https%3A%2F%2Fwww.example.com&data%5Bblob%5D=abc&userAgent=UA1",
    ));
    let text = wait_text(a, "k", id);
    let token = text.strip_prefix("OK|").unwrap();
    assert!(
        token.contains("|pk=EX72CCFB-26EX-40E5-91E6-85EX70BE98ED|"),
        "{token}"
    );
    // The same token as the JSON API gives, whole.
    let r = post(
        a,
        "/getTaskResult",
        &json!({ "clientKey": "k", "taskId": id }),
    )
    .json();
    assert_eq!(r["solution"]["token"], token);
    assert_eq!(r["solution"]["userAgent"], "UA1");
    // json=1 carries the user agent as `useragent`.
    let r = res(a, &format!("key=k&action=get&id={id}&json=1")).json();
    assert_eq!(r["request"], token);
    assert_eq!(r["useragent"], "UA1");

    // GeeTest v3: a JSON object in `request`, JSON even without json=1; text only on json=0.
    let id = ok_id(&form(
        a,
        "/in.php",
        "key=k&method=geetest&gt=022397c99c9f646f6477822485f30404&challenge=7f044f48bc951ecfbfc03842b5e1fe59&pageurl=https%3A%2F%2Fwww.geetest.com%2Fen%2Fdemo",
    ));
    wait_text(a, "k", id);
    let r = res(a, &format!("key=k&action=get&id={id}")).json();
    assert_eq!(r["status"], 1);
    let g = &r["request"];
    assert!(
        g["challenge"]
            .as_str()
            .unwrap()
            .starts_with("7f044f48bc951ecfbfc03842b5e1fe59")
    );
    assert!(g["seccode"].as_str().unwrap().ends_with("|jordan"));
    let t = res(a, &format!("key=k&action=get&id={id}&json=0")).text();
    let inner: Value = serde_json::from_str(t.strip_prefix("OK|").unwrap()).unwrap();
    assert_eq!(&inner, g);
    // GeeTest v4 by captcha_id.
    let id = ok_id(&form(
        a,
        "/in.php",
        "key=k&method=geetest_v4&captcha_id=54088bb07d2df3c46b79f80300b0abbe&pageurl=https%3A%2F%2Fgt4.geetest.com%2F",
    ));
    wait_text(a, "k", id);
    let r = res(a, &format!("key=k&action=get&id={id}&json=1")).json();
    assert_eq!(
        r["request"]["captcha_id"],
        "54088bb07d2df3c46b79f80300b0abbe"
    );
    assert_eq!(emu.stats().tasks[&id].kind, "GeeTestTask");
}

#[test]
fn every_method_maps_onto_a_task_type() {
    let emu = fast(keep_results(fast_config()));
    let a = emu.addr();
    let p = "pageurl=https%3A%2F%2Fexample.com";
    let cases = [
        (
            "method=userrecaptcha&googlekey=G&invisible=1&data-s=S&cookies=a%3A1%3Bb%3A2&proxy=u%3Ap%408.8.8.8%3A8080&proxytype=SOCKS5",
            "RecaptchaV2Task",
        ),
        (
            "method=userrecaptcha&googlekey=G&version=v3&action=verify&min_score=0.7",
            "RecaptchaV3TaskProxyless",
        ),
        (
            "method=userrecaptcha&googlekey=G&version=v3&enterprise=1&min_score=0.3",
            "RecaptchaV3EnterpriseTask",
        ),
        (
            "method=userrecaptcha&googlekey=G&enterprise=1&data-s=S&domain=recaptcha.net&action=login",
            "RecaptchaV2EnterpriseTask",
        ),
        (
            "method=hcaptcha&sitekey=S&invisible=1&data=RQ&proxy=8.8.8.8%3A8080&proxytype=HTTP",
            "HCaptchaTask",
        ),
        (
            "method=turnstile&sitekey=S&action=managed&data=CD&pagedata=PD",
            "TurnstileTask",
        ),
        (
            "method=amazon_waf&sitekey=S&iv=IV&context=CTX&challenge_script=https%3A%2F%2Fx%2Ft.js",
            "AmazonTask",
        ),
        (
            "method=amazon_waf&sitekey=S&captcha_script=https%3A%2F%2Fx%2Fc.js",
            "AmazonTask",
        ),
        ("method=mt_captcha&sitekey=MTPublic-x", "MTCaptchaTask"),
        ("method=prosopo&sitekey=5EZU", "ProsopoTask"),
    ];
    let mut c = Conn::open(a);
    for (params, kind) in cases {
        let r = c
            .form("/in.php", &format!("key=k&{params}&{p}&json=1&soft_id=54"))
            .unwrap()
            .json();
        assert_eq!(r["status"], 1, "{params}: {r}");
        let id: u64 = r["request"].as_str().unwrap().parse().unwrap();
        assert_eq!(emu.stats().tasks[&id].kind, kind, "{params}");
    }
    // A Turnstile answer carries its user agent with json=1.
    let id = ok_id(&form(
        a,
        "/in.php",
        &format!("key=k&method=turnstile&sitekey=S&{p}&userAgent=UA9"),
    ));
    wait_text(a, "k", id);
    let r = res(a, &format!("key=k&action=get&id={id}&json=1")).json();
    assert_eq!(r["useragent"], "UA9");
    assert!(r["request"].as_str().unwrap().starts_with("0."));
}

#[test]
fn key_balance_and_parameter_errors() {
    let emu = fast(keep_results(
        fast_config().key("rich", 10.0).key("poor", 0.0),
    ));
    let a = emu.addr();
    let submit = |form_body: &str| form(a, "/in.php", form_body).text();
    let recaptcha = "method=userrecaptcha&googlekey=G&pageurl=https%3A%2F%2Fa.b";
    assert_eq!(
        submit(&format!("key=nobody&{recaptcha}")),
        "ERROR_KEY_DOES_NOT_EXIST"
    );
    assert_eq!(submit(recaptcha), "ERROR_WRONG_USER_KEY");
    assert_eq!(
        submit(&format!("key=rich__&{recaptcha}")),
        "ERROR_WRONG_USER_KEY"
    );
    assert_eq!(
        submit(&format!("key=poor&{recaptcha}")),
        "ERROR_ZERO_BALANCE"
    );
    let r = form(a, "/in.php", &format!("key=poor&{recaptcha}&json=1")).json();
    assert_eq!(
        (r["status"].clone(), r["request"].clone()),
        (json!(0), json!("ERROR_ZERO_BALANCE"))
    );
    assert!(r["error_text"].as_str().unwrap().contains("balance"));
    // Key first, then the task: a bad task under a bad key is a key error.
    assert_eq!(
        submit("key=nobody&method=nonsense"),
        "ERROR_KEY_DOES_NOT_EXIST"
    );
    let cases = [
        ("method=userrecaptcha&googlekey=G", "ERROR_PAGEURL"),
        (
            "method=userrecaptcha&googlekey=G&pageurl=ftp%3A%2F%2Fa.b",
            "ERROR_PAGEURL",
        ),
        (
            "method=userrecaptcha&pageurl=https%3A%2F%2Fa.b",
            "ERROR_GOOGLEKEY",
        ),
        (
            "method=userrecaptcha&googlekey=&pageurl=https%3A%2F%2Fa.b",
            "ERROR_GOOGLEKEY",
        ),
        (
            "method=hcaptcha&pageurl=https%3A%2F%2Fa.b",
            "ERROR_GOOGLEKEY",
        ),
        (
            "method=userrecaptcha&googlekey=G&pageurl=https%3A%2F%2Fa.b&version=v9",
            "ERROR_BAD_PARAMETERS",
        ),
        (
            "method=userrecaptcha&googlekey=G&pageurl=https%3A%2F%2Fa.b&proxy=nohost",
            "ERROR_PROXY_FORMAT",
        ),
        (
            "method=userrecaptcha&googlekey=G&pageurl=https%3A%2F%2Fa.b&proxy=1.2.3.4%3A80&proxytype=FTP",
            "ERROR_PROXY_FORMAT",
        ),
        (
            "method=geetest&gt=G&pageurl=https%3A%2F%2Fa.b",
            "ERROR_BAD_PARAMETERS",
        ),
        ("method=nonsense", "ERROR_BAD_PARAMETERS"),
        ("", "ERROR_BAD_PARAMETERS"),
        ("method=base64", "ERROR_ZERO_CAPTCHA_FILESIZE"),
    ];
    for (params, code) in cases {
        assert_eq!(submit(&format!("key=rich&{params}")), code, "{params}");
    }
    assert_eq!(
        submit(&format!("key=rich&method=base64&body={}", enc(&image(50)))),
        "ERROR_ZERO_CAPTCHA_FILESIZE"
    );
    assert_eq!(
        submit(&format!(
            "key=rich&method=post&body={}",
            enc(&image(60 * 1024))
        )),
        "ERROR_TOO_BIG_CAPTCHA_FILESIZE"
    );
    // res.php errors.
    assert_eq!(res(a, "key=rich").text(), "ERROR_EMPTY_ACTION");
    assert_eq!(
        res(a, "key=rich&action=frobnicate").text(),
        "ERROR_BAD_PARAMETERS"
    );
    assert_eq!(
        res(a, "key=rich&action=get&id=abc").text(),
        "ERROR_WRONG_ID_FORMAT"
    );
    assert_eq!(
        res(a, "key=rich&action=get").text(),
        "ERROR_WRONG_ID_FORMAT"
    );
    assert_eq!(
        res(a, "key=rich&action=get&id=999").text(),
        "ERROR_WRONG_CAPTCHA_ID"
    );
    assert_eq!(
        res(a, "key=nobody&action=get&id=999").text(),
        "ERROR_KEY_DOES_NOT_EXIST"
    );
    // Balance, bare and as JSON; a solve is charged.
    assert_eq!(res(a, "key=rich&action=getbalance").text(), "10");
    assert_eq!(
        res(a, "key=rich&action=getbalance&json=1").json(),
        json!({ "status": 1, "request": "10" })
    );
    assert_eq!(res(a, "key=poor&action=getbalance").text(), "0");
    assert_eq!(
        res(a, "key=nobody&action=getbalance").text(),
        "ERROR_KEY_DOES_NOT_EXIST"
    );
    let id = ok_id(&form(a, "/in.php", &image_form("rich", "q")));
    assert_eq!(wait_text(a, "rich", id), "OK|q");
    assert_eq!(res(a, "key=rich&action=getbalance").text(), "9.9994");
    let s = emu.stats();
    assert_eq!(s.tasks_created, 1);
    assert_eq!(s.tasks_refused, 20);
    assert_eq!(s.errors_by_code["ERROR_BAD_PARAMETERS"], 5);
    assert_eq!(s.errors_by_code["ERROR_WRONG_CAPTCHA_ID"], 1);
}

#[test]
fn optional_http_statuses_apply_to_the_url_form() {
    let emu = fast(keep_results(
        fast_config().key("poor", 0.0).http_error_status(true),
    ));
    let a = emu.addr();
    let r = form(
        a,
        "/in.php",
        "key=poor&method=userrecaptcha&googlekey=G&pageurl=https%3A%2F%2Fa.b",
    );
    assert_eq!((r.status, r.text()), (402, "ERROR_ZERO_BALANCE".to_owned()));
    let r = res(a, "key=nobody&action=getbalance");
    assert_eq!(
        (r.status, r.text()),
        (403, "ERROR_KEY_DOES_NOT_EXIST".to_owned())
    );
}

#[test]
fn reports_are_taken_once_per_task() {
    let emu = fast(keep_results(fast_config()));
    let a = emu.addr();
    // Not solved yet (an hour to go): not recorded.
    emu.set_solve_time(SolveTime::Fixed(Duration::from_secs(3600)));
    let slow = ok_id(&form(a, "/in.php", &image_form("k", "r0")));
    assert_eq!(
        res(a, &format!("key=k&action=reportbad&id={slow}")).text(),
        "ERROR_REPORT_NOT_RECORDED"
    );
    emu.set_solve_time(SolveTime::Fixed(Duration::from_secs(20)));
    let id = ok_id(&form(a, "/in.php", &image_form("k", "r1")));
    wait_text(a, "k", id);
    assert_eq!(
        res(a, &format!("key=k&action=reportbad&id={id}")).text(),
        "OK_REPORT_RECORDED"
    );
    assert_eq!(
        res(a, &format!("key=k&action=reportbad&id={id}")).text(),
        "ERROR_DUPLICATE_REPORT"
    );
    assert_eq!(
        res(a, &format!("key=k&action=reportgood&id={id}&json=1")).json(),
        json!({ "status": 0, "request": "ERROR_DUPLICATE_REPORT", "error_text": "this task has been reported already" })
    );
    // The JSON API shares the task, but in the CapMonster dialect it limits reports per task only
    // when asked to (the rule is not in CapMonster's docs).
    let r = post(
        a,
        "/reportIncorrectImageCaptcha",
        &json!({ "clientKey": "k", "taskId": id }),
    )
    .json();
    assert_eq!(r["status"], "success", "{r}");
    assert_eq!(
        res(a, "key=k&action=reportbad&id=424242").text(),
        "ERROR_WRONG_CAPTCHA_ID"
    );
    assert_eq!(
        res(a, "key=other&action=reportbad&id=1").text(),
        "ERROR_WRONG_CAPTCHA_ID"
    );
    // A token task reported good, through the JSON body form of res.php.
    let id = ok_id(&form(
        a,
        "/in.php",
        "key=k&method=userrecaptcha&googlekey=G&pageurl=https%3A%2F%2Fa.b",
    ));
    wait_text(a, "k", id);
    let r = post(
        a,
        "/res.php",
        &json!({ "key": "k", "action": "reportgood", "id": id, "json": 1 }),
    )
    .json();
    assert_eq!(r, json!({ "status": 1, "request": "OK_REPORT_RECORDED" }));
    let s = emu.stats();
    // The reportbad above, and the JSON API's report after it.
    assert_eq!((s.reports_accepted, s.good_reports_accepted), (2, 1));
    assert!(s.tasks.values().filter(|t| t.reported).count() == 1);
    assert_eq!(s.errors_by_code["ERROR_DUPLICATE_REPORT"], 2);
}

#[test]
fn faults_take_the_url_form() {
    let emu = fast(keep_results(fast_config()));
    let a = emu.addr();
    emu.script_faults(Scope::Create, FaultKind::NoSlot, 2);
    // Balance is not in the create scope.
    assert_eq!(res(a, "key=k&action=getbalance").text(), "100");
    assert_eq!(
        form(a, "/in.php", &image_form("k", "f")).text(),
        "ERROR_NO_SLOT_AVAILABLE"
    );
    let r = form(a, "/in.php", &format!("{}&json=1", image_form("k", "f"))).json();
    assert_eq!(r["request"], "ERROR_NO_SLOT_AVAILABLE");
    assert_eq!(r["status"], 0);
    let id = ok_id(&form(a, "/in.php", &image_form("k", "f")));
    // A poll fault fires on res.php get, not on getbalance or reports.
    emu.script_faults(Scope::Poll, FaultKind::Http503Json, 1);
    assert_eq!(res(a, "key=k&action=getbalance").text(), "100");
    let r = res(a, &format!("key=k&action=get&id={id}&json=1"));
    assert_eq!(r.status, 503);
    assert_eq!(r.json()["request"], "ERROR_NO_SLOT_AVAILABLE");
    emu.script_faults(Scope::Balance, FaultKind::Http429Json, 1);
    let r = res(a, "key=k&action=getbalance");
    assert_eq!(
        (r.status, r.text()),
        (429, "ERROR_TOO_MUCH_REQUESTS".to_owned())
    );
    emu.script_faults(Scope::Report, FaultKind::Html502, 1);
    let r = res(a, &format!("key=k&action=reportbad&id={id}"));
    assert_eq!(r.status, 502);
    assert_eq!(wait_text(a, "k", id), "OK|f");
    let s = emu.stats();
    assert_eq!(s.faults_by_kind["no-slot"], 2);
    assert_eq!(s.faults_by_kind["http503"], 1);
    assert_eq!(s.faults_by_kind["http429"], 1);
    assert_eq!(s.faults_by_kind["html502"], 1);
    assert_eq!(s.tasks_created, 1);
}

#[test]
fn tasks_are_shared_with_the_json_api_and_so_is_the_poll_cap() {
    let emu = fast(keep_results(fast_config()));
    let a = emu.addr();
    // JSON in, URL form out.
    let id = create(
        a,
        &json!({ "clientKey": "k", "task": { "type": "ImageToTextTask", "body": image_with_text("viajson") } }),
    );
    assert_eq!(wait_text(a, "k", id), "OK|viajson");
    // URL form in, JSON out.
    let id = ok_id(&form(a, "/in.php", &image_form("k", "viaform")));
    assert_eq!(
        wait_ready(a, "k", id)["solution"],
        json!({ "text": "viaform" })
    );
    // Another key sees neither.
    assert_eq!(
        res(a, &format!("key=other&action=get&id={id}")).text(),
        "ERROR_WRONG_CAPTCHA_ID"
    );
    // wait_ready and wait_text polled already; fill up to 120 with both forms, alternating.
    let used = emu.stats().tasks[&id].polls;
    let mut c = Conn::open(a);
    for i in used..120 {
        if i % 2 == 0 {
            let r = c
                .send_typed(
                    "GET",
                    &format!("/res.php?key=k&action=get&id={id}"),
                    None,
                    b"",
                )
                .unwrap();
            assert_eq!(r.text(), "OK|viaform", "poll {}", i + 1);
        } else {
            let r = c
                .post("/getTaskResult", &json!({ "clientKey": "k", "taskId": id }))
                .unwrap()
                .json();
            assert_eq!(r["status"], "ready", "poll {}", i + 1);
        }
    }
    assert_eq!(
        res(a, &format!("key=k&action=get&id={id}")).text(),
        "ERROR_TOO_MUCH_REQUESTS"
    );
    let r = post(
        a,
        "/getTaskResult",
        &json!({ "clientKey": "k", "taskId": id }),
    )
    .json();
    assert_eq!(r["errorCode"], "ERROR_TOO_MUCH_REQUESTS");
    let s = emu.stats();
    assert_eq!(s.tasks[&id].polls, 122);
    assert!(s.requests_by_endpoint["in.php"] >= 1);
    assert!(s.requests_by_endpoint["res.php"] >= 62);
    assert!(s.requests_by_endpoint["getTaskResult"] >= 60);
}

#[test]
fn methods_other_than_get_and_post_and_big_bodies() {
    let emu = fast(keep_results(fast_config()));
    let a = emu.addr();
    let r = Conn::open(a)
        .send_typed("PUT", "/in.php?key=k&json=1", None, b"")
        .unwrap();
    assert_eq!(r.status, 405);
    assert_eq!(r.json()["request"], "ERROR_BAD_PARAMETERS");
    // A body announced over 1 MiB is refused before it is read (only the head is sent, so the
    // test does not race the server's close while writing).
    let mut s = std::net::TcpStream::connect(a).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    std::io::Write::write_all(
        &mut s,
        b"POST /in.php HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 2000000\r\n\r\n",
    )
    .unwrap();
    let mut got = Vec::new();
    let _ = std::io::Read::read_to_end(&mut s, &mut got);
    let got = String::from_utf8_lossy(&got);
    assert!(got.starts_with("HTTP/1.1 413"), "{got}");
    assert!(
        got.ends_with("\r\n\r\nERROR_TOO_BIG_CAPTCHA_FILESIZE"),
        "{got}"
    );
    // Query parameters and body parameters of one POST are read together.
    let r = Conn::open(a)
        .form(
            "/in.php?key=k&method=base64",
            &format!("body={}", enc(&image_with_text("mix"))),
        )
        .unwrap();
    let id = ok_id(&r);
    assert_eq!(wait_text(a, "k", id), "OK|mix");
    // A base64 body whose `+` was not encoded in a query string still decodes.
    let mut bytes = vec![0xfbu8; 150];
    bytes.extend_from_slice(b"TEXT:plus.");
    let b = b64(&bytes);
    assert!(b.contains('+'));
    let id = ok_id(&get(a, &format!("/in.php?key=k&method=base64&body={b}")));
    assert_eq!(wait_text(a, "k", id), "OK|plus");
}

#[test]
fn bulk_get_joins_the_answers_in_order() {
    let emu = fast(keep_results(fast_config()));
    let a = emu.addr();
    let one = ok_id(&form(a, "/in.php", &image_form("k", "one")));
    let three = ok_id(&form(a, "/in.php", &image_form("k", "three")));
    assert_eq!(wait_text(a, "k", three), "OK|three");
    emu.set_solve_time(SolveTime::Fixed(Duration::from_secs(3600)));
    let slow = ok_id(&form(a, "/in.php", &image_form("k", "slow")));
    let q = format!("key=k&action=get&ids={one},{slow},{three},999,x");
    assert_eq!(
        res(a, &q).text(),
        "one|CAPCHA_NOT_READY|three|ERROR_WRONG_CAPTCHA_ID|ERROR_WRONG_ID_FORMAT"
    );
    assert_eq!(
        res(a, &format!("{q}&json=1")).json(),
        json!({ "status": 1, "request": "one|CAPCHA_NOT_READY|three|ERROR_WRONG_CAPTCHA_ID|ERROR_WRONG_ID_FORMAT" })
    );
    assert_eq!(
        res(a, &format!("key=&action=get&ids={one}")).text(),
        "ERROR_WRONG_USER_KEY"
    );
    let s = emu.stats();
    assert_eq!(s.tasks[&one].polls, 2);
    assert_eq!(s.tasks[&slow].polls, 2);
}

/// Accepts one request on `listener`, answers 200, returns (request line, headers, body).
fn receive_form(listener: &std::net::TcpListener) -> (String, Vec<String>, String) {
    use std::io::{BufRead, BufReader, Read, Write};
    let (s, _) = listener.accept().unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    let mut headers = Vec::new();
    let mut len = 0;
    loop {
        let mut h = String::new();
        r.read_line(&mut h).unwrap();
        let h = h.trim_end().to_owned();
        if h.is_empty() {
            break;
        }
        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap();
        }
        headers.push(h);
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).unwrap();
    r.get_mut()
        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        .unwrap();
    (
        line.trim_end().to_owned(),
        headers,
        String::from_utf8(body).unwrap(),
    )
}

#[test]
fn pingback_posts_id_and_code_as_a_form() {
    let emu = fast(keep_results(fast_config()));
    let a = emu.addr();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hook = enc(&format!("http://127.0.0.1:{port}/pb?x=1"));
    let id = ok_id(&form(
        a,
        "/in.php",
        &format!("{}&pingback={hook}", image_form("k", "pb5")),
    ));
    let (line, headers, body) = receive_form(&listener);
    assert_eq!(line, "POST /pb?x=1 HTTP/1.1");
    assert!(
        headers
            .iter()
            .any(|h| h.eq_ignore_ascii_case("content-type: application/x-www-form-urlencoded"))
    );
    assert_eq!(body, format!("id={id}&code=pb5"));
    // A token with `|` and `=` in it arrives encoded, and decodes to what res.php gives.
    let id = ok_id(&form(
        a,
        "/in.php",
        &format!("key=k&method=funcaptcha&publickey=PK&pageurl=https%3A%2F%2Fa.b&pingback={hook}"),
    ));
    let (_, _, body) = receive_form(&listener);
    let code = body
        .strip_prefix(&format!("id={id}&code="))
        .expect("id first");
    assert!(code.contains("%7C") && !code.contains('|'), "{code}");
    let polled = wait_text(a, "k", id);
    // The token is ASCII: decode %XX by hand.
    let mut parsed = String::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            parsed.push(u8::from_str_radix(&code[i + 1..i + 3], 16).unwrap() as char);
            i += 3;
        } else {
            parsed.push(bytes[i] as char);
            i += 1;
        }
    }
    assert_eq!(format!("OK|{parsed}"), polled);
    let mut s = emu.stats();
    for _ in 0..100 {
        if s.callbacks_sent == 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
        s = emu.stats();
    }
    assert_eq!(s.callbacks_sent, 2);
}

#[test]
fn multipart_uploads_read_like_base64() {
    let emu = fast(keep_results(fast_config()));
    let a = emu.addr();
    let mut image = vec![0x89u8, b'P', b'N', b'G', b'\r', b'\n', 0, 0];
    image.extend_from_slice(&[7u8; 120]);
    image.extend_from_slice(b"TEXT:mp1.\r\n--not-the-boundary\r\n");
    let mut body = Vec::new();
    for (name, value) in [("key", "k"), ("method", "post"), ("json", "1")] {
        body.extend_from_slice(
            format!("--XyZ\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.png\"\r\nContent-Type: image/png\r\n\r\n",
    );
    body.extend_from_slice(&image);
    body.extend_from_slice(b"\r\n--XyZ--\r\n");
    let r = Conn::open(a)
        .send_typed(
            "POST",
            "/in.php",
            Some("multipart/form-data; boundary=\"XyZ\""),
            &body,
        )
        .unwrap()
        .json();
    assert_eq!(r["status"], 1, "{r}");
    let id: u64 = r["request"].as_str().unwrap().parse().unwrap();
    assert_eq!(wait_text(a, "k", id), "OK|mp1");
    // No boundary: the upload cannot be read.
    let r = Conn::open(a)
        .send_typed(
            "POST",
            "/in.php?key=k&method=post",
            Some("multipart/form-data"),
            b"x",
        )
        .unwrap();
    assert_eq!(r.text(), "ERROR_UPLOAD");
}

#[test]
fn unsolvable_images_fail_in_every_url_form_answer() {
    let emu = fast(keep_results(fast_config()));
    let a = emu.addr();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut bytes = vec![1u8; 150];
    bytes.extend_from_slice(b"UNSOLVABLE");
    let id = ok_id(&form(
        a,
        "/in.php",
        &format!(
            "key=k&method=base64&body={}&pingback={}",
            enc(&b64(&bytes)),
            enc(&format!("http://127.0.0.1:{port}/"))
        ),
    ));
    let (_, _, body) = receive_form(&listener);
    assert_eq!(body, format!("id={id}&code=ERROR_CAPTCHA_UNSOLVABLE"));
    assert_eq!(wait_text(a, "k", id), "ERROR_CAPTCHA_UNSOLVABLE");
    assert_eq!(
        res(a, &format!("key=k&action=get&id={id}&json=1")).json()["request"],
        "ERROR_CAPTCHA_UNSOLVABLE"
    );
    assert_eq!(
        res(a, &format!("key=k&action=reportbad&id={id}")).text(),
        "ERROR_REPORT_NOT_RECORDED"
    );
    // Not charged.
    assert_eq!(res(a, "key=k&action=getbalance").text(), "100");
    assert_eq!(emu.stats().tasks_failed, 1);
}
