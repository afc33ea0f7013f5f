//! Fidelity to the service and to the clients people drive it with (issue 14, findings 1 to 7):
//! Anti-Captcha's report kinds and `reportCorrectRecaptcha`, liberal reading of what the official
//! clients send, Anti-Captcha's result shape and expiry, nocache on types the docs do not list, the
//! opt-in one-report rule of the CapMonster dialect, and in.php text captchas.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use capmonster_emulator::{Config, Dialect, SolveTime};
use common::*;
use serde_json::{Value, json};

/// Anti-Captcha at 100x: 2 s solves take 20 ms, its 60 s expiry and report window 600 ms.
fn anti_captcha() -> Config {
    Config::new()
        .speed(100.0)
        .solve_time(SolveTime::Fixed(Duration::from_secs(2)))
        .dialect(Dialect::AntiCaptcha)
}

fn task(a: SocketAddr, task: Value) -> u64 {
    create(a, &json!({ "clientKey": "k", "task": task }))
}

fn solved(a: SocketAddr, task_json: Value) -> u64 {
    let id = task(a, task_json);
    let r = wait_ready(a, "k", id);
    assert_eq!(r["status"], "ready", "{r}");
    id
}

fn report(a: SocketAddr, method: &str, id: u64) -> Value {
    post(
        a,
        &format!("/{method}"),
        &json!({ "clientKey": "k", "taskId": id }),
    )
    .json()
}

fn refused_16(r: &Value) -> bool {
    r["errorId"] == 16 && r["errorCode"] == "ERROR_NO_SUCH_CAPCHA_ID"
}

fn recaptcha_v2() -> Value {
    json!({ "type": "RecaptchaV2TaskProxyless", "websiteURL": "https://a.b", "websiteKey": "k" })
}

fn recaptcha_v3() -> Value {
    json!({ "type": "RecaptchaV3TaskProxyless", "websiteURL": "https://a.b", "websiteKey": "k", "minScore": 0.3 })
}

fn recaptcha_v2_enterprise() -> Value {
    json!({ "type": "RecaptchaV2EnterpriseTaskProxyless", "websiteURL": "https://a.b", "websiteKey": "k" })
}

fn turnstile() -> Value {
    json!({ "type": "TurnstileTaskProxyless", "websiteURL": "https://a.b", "websiteKey": "k" })
}

fn geetest() -> Value {
    json!({ "type": "GeeTestTaskProxyless", "websiteURL": "https://a.b", "gt": "g", "challenge": "c" })
}

fn funcaptcha() -> Value {
    json!({ "type": "FunCaptchaTaskProxyless", "websiteURL": "https://a.b", "websitePublicKey": "p" })
}

fn hcaptcha() -> Value {
    json!({ "type": "HCaptchaTaskProxyless", "websiteURL": "https://a.b", "websiteKey": "k" })
}

/// Finding 1: Anti-Captcha takes reportIncorrectRecaptcha for reCAPTCHA v2/v3/Enterprise only,
/// and refuses every other kind with errorId 16; reportIncorrectHcaptcha likewise for hCaptcha.
#[test]
fn anti_captcha_recaptcha_reports_take_recaptcha_tasks_only() {
    let emu = fast(anti_captcha());
    let a = emu.addr();
    let others = [
        solved(a, turnstile()),
        solved(a, geetest()),
        solved(a, funcaptcha()),
        solved(a, hcaptcha()),
    ];
    let recaptchas = [
        solved(a, recaptcha_v2()),
        solved(a, recaptcha_v3()),
        solved(a, recaptcha_v2_enterprise()),
    ];
    for id in others {
        let r = report(a, "reportIncorrectRecaptcha", id);
        assert!(refused_16(&r), "task {id}: {r}");
    }
    for id in recaptchas {
        assert_eq!(
            report(a, "reportIncorrectRecaptcha", id),
            json!({ "errorId": 0, "status": "success" }),
            "task {id}"
        );
    }
    // reportIncorrectHcaptcha: hCaptcha only.
    let r = report(a, "reportIncorrectHcaptcha", solved(a, recaptcha_v2()));
    assert!(refused_16(&r), "{r}");
    assert_eq!(
        report(a, "reportIncorrectHcaptcha", others[3])["status"],
        "success"
    );
    assert_eq!(emu.stats().reports_accepted, 4);
}

/// Finding 1, the other side: in the CapMonster dialect reportIncorrectRecaptcha stays an alias of
/// the token method, so any token task takes it.
#[test]
fn capmonster_recaptcha_report_is_a_token_alias() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let t = solved(a, turnstile());
    assert_eq!(
        report(a, "reportIncorrectRecaptcha", t)["status"],
        "success"
    );
    let img = create(a, &image_task_body("k"));
    wait_ready(a, "k", img);
    assert_eq!(
        report(a, "reportIncorrectRecaptcha", img)["errorCode"],
        "ERROR_NO_SUCH_CAPCHA_ID"
    );
}

/// Finding 2: reportCorrectRecaptcha exists in the Anti-Captcha dialect (reCAPTCHA tasks,
/// counted as good reports), and not in CapMonster's, whose docs have no such method.
#[test]
fn anti_captcha_report_correct_recaptcha() {
    let emu = fast(anti_captcha());
    let a = emu.addr();
    let rc = solved(a, recaptcha_v3());
    let tok = solved(a, turnstile());
    let img = create(a, &image_task_body("k"));
    wait_ready(a, "k", img);
    assert_eq!(
        report(a, "reportCorrectRecaptcha", rc),
        json!({ "errorId": 0, "status": "success" })
    );
    // One report per task on Anti-Captcha: a later complaint about the same task is refused.
    assert!(refused_16(&report(a, "reportIncorrectRecaptcha", rc)));
    assert!(refused_16(&report(a, "reportCorrectRecaptcha", tok)));
    assert!(refused_16(&report(a, "reportCorrectRecaptcha", img)));
    let s = emu.stats();
    assert_eq!((s.good_reports_accepted, s.reports_accepted), (1, 0));
    assert_eq!(s.requests_by_endpoint["reportCorrectRecaptcha"], 3);

    let cm = fast(fast_config());
    let a = cm.addr();
    let rc = solved(a, recaptcha_v2());
    let r = post(
        a,
        "/reportCorrectRecaptcha",
        &json!({ "clientKey": "k", "taskId": rc }),
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["errorCode"], "ERROR_NO_SUCH_METHOD");
}

/// Finding 3: what the official clients send is accepted (`"isInvisible": 0` from
/// anticaptchaofficial, `"version": "4"` from the Node client), and a field that is really wrong
/// is refused with the bad-field code, not the unknown-type one.
#[test]
fn liberal_flags_and_geetest_version() {
    for dialect in [Dialect::CapMonster, Dialect::AntiCaptcha] {
        let emu = fast(anti_captcha().dialect(dialect));
        let a = emu.addr();
        let mut h = hcaptcha();
        h["isInvisible"] = json!(0);
        let id = solved(a, h.clone());
        assert!(
            wait_ready(a, "k", id)["solution"]["gRecaptchaResponse"].is_string(),
            "{dialect:?}"
        );
        h["isInvisible"] = json!(1);
        solved(a, h.clone());
        let mut v2 = recaptcha_v2();
        v2["isInvisible"] = json!(1);
        v2["nocache"] = json!(0);
        solved(a, v2);

        let v4 = json!({ "type": "GeeTestTask", "websiteURL": "https://a.b", "gt": "g", "version": "4",
                         "initParameters": { "riskType": "slide" } });
        let id = solved(a, v4);
        let sol = &wait_ready(a, "k", id)["solution"];
        assert!(
            sol["pass_token"].is_string() && sol["captcha_id"] == "g",
            "a v4 answer: {sol}"
        );

        // Refusals name the field, with ERROR_BAD_PARAMETERS.
        for (bad, field) in [
            (json!({ "isInvisible": 2 }), "isInvisible"),
            (json!({ "isInvisible": "no" }), "isInvisible"),
        ] {
            let mut t = hcaptcha();
            t.as_object_mut()
                .unwrap()
                .extend(bad.as_object().unwrap().clone());
            let r = post(a, "/createTask", &json!({ "clientKey": "k", "task": t })).json();
            assert_eq!(r["errorCode"], "ERROR_BAD_PARAMETERS", "{r}");
            assert!(
                r["errorDescription"].as_str().unwrap().contains(field),
                "{r}"
            );
        }
        for version in [json!("4a"), json!("5"), json!(4.5)] {
            let mut t = geetest();
            t["version"] = version.clone();
            let r = post(a, "/createTask", &json!({ "clientKey": "k", "task": t })).json();
            assert_eq!(r["errorCode"], "ERROR_BAD_PARAMETERS", "{version}: {r}");
        }
        if dialect == Dialect::AntiCaptcha {
            let r = post(a, "/createTask", &json!({ "clientKey": "k", "task": { "type": "GeeTestTask", "websiteURL": "https://a.b", "gt": "g", "version": "v4" } })).json();
            assert_eq!(r["errorId"], 110, "2Captcha's number for the code: {r}");
        }
        // altcha's websiteKey "may be empty" (its docs): the Node client leaves an empty one out.
        solved(
            a,
            json!({ "type": "CustomTask", "class": "altcha", "websiteURL": "https://a.b",
                    "metadata": { "challenge": "c", "iterations": "5000", "salt": "s", "signature": "g" } }),
        );
        // An unknown type keeps ERROR_TASK_NOT_SUPPORTED.
        let r = post(
            a,
            "/createTask",
            &json!({ "clientKey": "k", "task": { "type": "NoSuchTask" } }),
        )
        .json();
        assert_eq!(r["errorCode"], "ERROR_TASK_NOT_SUPPORTED");
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Finding 4: in the Anti-Captcha dialect, Amazon answers carry `token`, results expire 60 s
/// after completion, and `createTime`/`endTime` are UNIX times.
#[test]
fn anti_captcha_result_shape_and_expiry() {
    let amazon = json!({ "type": "AmazonTaskProxyless", "websiteURL": "https://a.b", "websiteKey": "k",
                         "iv": "", "context": "", "captchaScript": "", "challengeScript": "" });
    let emu = fast(anti_captcha());
    let a = emu.addr();
    let before = unix_now();
    let id = task(a, amazon.clone());
    let r = wait_ready(a, "k", id);
    let after = unix_now();
    let token = r["solution"]["token"].as_str().expect("a token");
    assert!(token.len() > 100, "{r}");
    assert!(r["solution"].get("captcha_voucher").is_none(), "{r}");
    let (created, ended) = (
        r["createTime"].as_u64().unwrap(),
        r["endTime"].as_u64().unwrap(),
    );
    assert!(
        before <= created && created <= ended && ended <= after + 1,
        "{before} <= {created} <= {ended} <= {after}"
    );
    // Still served inside the minute, gone after it.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(wait_ready(a, "k", id)["status"], "ready");
    std::thread::sleep(Duration::from_millis(400));
    let r = post(
        a,
        "/getTaskResult",
        &json!({ "clientKey": "k", "taskId": id }),
    )
    .json();
    assert!(refused_16(&r), "{r}");

    // CapMonster keeps its own shape and its 5 minutes.
    let cm = fast(anti_captcha().dialect(Dialect::CapMonster));
    let a = cm.addr();
    let id = task(a, amazon);
    let r = wait_ready(a, "k", id);
    assert!(r["solution"]["captcha_voucher"].is_string(), "{r}");
    assert!(r.get("createTime").is_none());
    std::thread::sleep(Duration::from_millis(700));
    assert_eq!(wait_ready(a, "k", id)["status"], "ready");
}

/// Finding 5: `nocache` as a task field applies to reCAPTCHA v2/v3 (the docs' list); on other
/// types it is accepted, ignored, and the task's record says so.
#[test]
fn nocache_on_unlisted_types_is_ignored_with_a_trace() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let mut ids = Vec::new();
    for (mut t, ignored) in [
        (recaptcha_v2(), false),
        (recaptcha_v3(), false),
        (turnstile(), true),
        (recaptcha_v2_enterprise(), true),
        (hcaptcha(), true),
    ] {
        t["nocache"] = json!(true);
        ids.push((task(a, t), ignored));
    }
    // Off, or given as 1: not an ignored request in the first case, an applied one in the second.
    let mut t = turnstile();
    t["nocache"] = json!(false);
    ids.push((task(a, t), false));
    let mut t = recaptcha_v2();
    t["nocache"] = json!(1);
    ids.push((task(a, t), false));
    let s = emu.stats();
    for (id, ignored) in ids {
        assert_eq!(
            s.tasks[&id].nocache_ignored, ignored,
            "{}",
            s.tasks[&id].kind
        );
    }
}

/// Finding 6: the CapMonster dialect takes any number of reports per task unless
/// `one_report_per_task` is on; Anti-Captcha always takes one.
#[test]
fn one_report_per_task_is_opt_in_for_capmonster() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let id = solved(a, recaptcha_v2());
    for _ in 0..3 {
        assert_eq!(
            report(a, "reportIncorrectTokenCaptcha", id)["status"],
            "success"
        );
    }
    assert_eq!(emu.stats().reports_accepted, 3);

    let strict = fast(fast_config().one_report_per_task(true));
    let a = strict.addr();
    let id = solved(a, recaptcha_v2());
    assert_eq!(
        report(a, "reportIncorrectTokenCaptcha", id)["status"],
        "success"
    );
    let r = report(a, "reportIncorrectRecaptcha", id);
    assert_eq!(
        (r["errorId"].as_u64(), r["errorCode"].as_str()),
        (Some(1), Some("ERROR_NO_SUCH_CAPCHA_ID"))
    );
    assert_eq!(strict.stats().reports_accepted, 1);

    let ac = fast(anti_captcha());
    let a = ac.addr();
    let id = solved(a, recaptcha_v2());
    assert_eq!(
        report(a, "reportIncorrectRecaptcha", id)["status"],
        "success"
    );
    assert!(refused_16(&report(a, "reportIncorrectRecaptcha", id)));
}

/// Finding 7: in.php text captchas (`textcaptcha`, no image) are an unsupported method, not an
/// empty image.
#[test]
fn in_php_textcaptcha_is_unsupported() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let r = form(
        a,
        "/in.php",
        "key=k&method=post&textcaptcha=If+tomorrow+is+Saturday%2C+what+day+is+today%3F",
    )
    .text();
    assert_eq!(r, "ERROR_BAD_PARAMETERS");
    let r = form(
        a,
        "/in.php",
        "key=k&method=base64&textcaptcha=What+is+2%2B2&json=1",
    )
    .json();
    assert_eq!(r["status"], 0);
    assert_eq!(r["request"], "ERROR_BAD_PARAMETERS");
    assert!(
        r["error_text"].as_str().unwrap().contains("textcaptcha"),
        "{r}"
    );
    // An image without a body is still an empty image.
    assert_eq!(
        form(a, "/in.php", "key=k&method=post").text(),
        "ERROR_ZERO_CAPTCHA_FILESIZE"
    );
    // 2captcha's click modes on an image answer clicks, which ImageToText cannot: unsupported too.
    let body = image(200)
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    for mode in ["recaptcha=1", "canvas=1", "coordinatescaptcha=1"] {
        assert_eq!(
            form(
                a,
                "/in.php",
                &format!("key=k&method=base64&body={body}&{mode}")
            )
            .text(),
            "ERROR_BAD_PARAMETERS",
            "{mode}"
        );
    }
    // The same image without a mode is an ordinary ImageToText task.
    assert!(
        form(
            a,
            "/in.php",
            &format!("key=k&method=base64&body={body}&canvas=0")
        )
        .text()
        .starts_with("OK|")
    );
    let s = emu.stats();
    assert_eq!((s.tasks_created, s.tasks_refused), (1, 6));
}

/// The in.php methods 2captcha's Python client sends for kinds CapMonster has as task types
/// (binance, yidun, tencent, basilisk, alibaba, hunt, tspd, incapsula) become those tasks.
#[test]
fn in_php_methods_of_capmonster_kinds() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let page = "pageurl=https%3A%2F%2Fa.b%2Fp";
    let proxy = "proxy=user%3Apass%40203.0.113.7%3A8080&proxytype=HTTPS";
    let cases = [
        (
            "BinanceTask",
            format!("method=binance&sitekey=login&validate_id=v1&{page}"),
        ),
        ("YidunTask", format!("method=yidun&sitekey=s&{page}")),
        (
            "CustomTask/TenDI",
            format!("method=tencent&app_id=189123456&{page}"),
        ),
        (
            "CustomTask/Basilisk",
            format!("method=basilisk&sitekey=s&{page}"),
        ),
        (
            "CustomTask/alibaba",
            format!("method=alibaba&scene_id=1ww4&prefix=14cs&{page}"),
        ),
        (
            "CustomTask/HUNT",
            format!("method=hunt&api_get_lib=https%3A%2F%2Fa.b%2Fapi.js&{page}&{proxy}"),
        ),
        (
            "CustomTask/tspd",
            format!(
                "method=tspd&tspd_cookie=TS1%3D0&html_page_base64=PGh0bWw%2B&userAgent=UA&{page}&{proxy}"
            ),
        ),
        (
            "CustomTask/Imperva",
            format!(
                "method=incapsula&incapsula_script_url=_Incapsula_Resource&incapsula_cookies=incap_ses%3D1&{page}&{proxy}"
            ),
        ),
    ];
    for (kind, params) in &cases {
        let r = form(a, "/in.php", &format!("key=k&{params}")).text();
        let id: u64 = r
            .strip_prefix("OK|")
            .unwrap_or_else(|| panic!("{kind}: {r}"))
            .parse()
            .unwrap();
        assert_eq!(emu.stats().tasks[&id].kind, *kind);
        let v = wait_ready(a, "k", id);
        assert_eq!(v["status"], "ready", "{kind}: {v}");
    }
    // A required parameter left out is refused, in the URL form's words.
    assert_eq!(
        form(a, "/in.php", &format!("key=k&method=tspd&{page}&{proxy}")).text(),
        "ERROR_BAD_PARAMETERS"
    );
    assert_eq!(
        form(a, "/in.php", &format!("key=k&method=binance&{page}")).text(),
        "ERROR_GOOGLEKEY"
    );
}

/// Finding 6, from the command line: `--one-report-per-task` turns the rule on.
#[test]
fn binary_flag_turns_on_one_report_per_task() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let bin = env!("CARGO_BIN_EXE_capmonster-emulator");
    let help = Command::new(bin).arg("--help").output().unwrap();
    assert!(
        String::from_utf8(help.stdout)
            .unwrap()
            .contains("--one-report-per-task")
    );
    for (flag, second) in [(true, "ERROR_NO_SUCH_CAPCHA_ID"), (false, "success")] {
        let mut args = vec![
            "--speed",
            "1000",
            "--solve-ms",
            "2000",
            "--max-seconds",
            "5",
        ];
        if flag {
            args.push("--one-report-per-task");
        }
        let mut child = Command::new(bin)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let a: SocketAddr = line.trim().trim_start_matches("http://").parse().unwrap();
        let id = create(a, &image_task_body("k"));
        wait_ready(a, "k", id);
        assert_eq!(
            report(a, "reportIncorrectImageCaptcha", id)["status"],
            "success"
        );
        let r = report(a, "reportIncorrectImageCaptcha", id);
        let got = r["errorCode"].as_str().or(r["status"].as_str()).unwrap();
        assert_eq!(got, second, "flag {flag}: {r}");
        child.kill().unwrap();
        child.wait().unwrap();
    }
}
