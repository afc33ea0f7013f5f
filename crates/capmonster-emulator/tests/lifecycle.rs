//! Solving, expiry, the poll cap, reports, answers and stats, all in sped-up time.

mod common;

use std::time::Duration;

use capmonster_emulator::{Config, Dialect, Emulator, EmulatorHandle, SolveTime, image_text};
use common::*;
use serde_json::{Value, json};

fn poll(conn: &mut Conn, key: &str, id: u64) -> Value {
    conn.post("/getTaskResult", &json!({ "clientKey": key, "taskId": id }))
        .unwrap()
        .json()
}

#[test]
fn processing_then_ready_with_documented_shape() {
    // 20 s solves at 100x: 200 ms real.
    let emu = fast(
        Config::new()
            .speed(100.0)
            .solve_time(SolveTime::Fixed(Duration::from_secs(20))),
    );
    let a = emu.addr();
    let id = create(
        a,
        &json!({ "clientKey": "k", "task": { "type": "ImageToTextTask", "body": image_with_text("abc42") } }),
    );
    let mut c = Conn::open(a);
    let r = poll(&mut c, "k", id);
    assert_eq!(
        r,
        json!({ "errorId": 0, "errorCode": null, "errorDescription": null, "status": "processing" })
    );
    std::thread::sleep(Duration::from_millis(260));
    let r = poll(&mut c, "k", id);
    assert_eq!(r["status"], "ready");
    assert_eq!(r["errorId"], 0);
    assert_eq!(r["solution"], json!({ "text": "abc42" }));
    assert_eq!(r["cost"], 0.0006);
}

#[test]
fn image_answers_are_predictable() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let bytes: Vec<u8> = (0..300u32).map(|i| (i * 13) as u8).collect();
    let id = create(
        a,
        &json!({ "clientKey": "k", "task": { "type": "ImageToTextTask", "body": b64(&bytes) } }),
    );
    assert_eq!(
        wait_ready(a, "k", id)["solution"]["text"],
        image_text(&bytes, false)
    );
    let id = create(
        a,
        &json!({ "clientKey": "k", "task": { "type": "ImageToTextTask", "body": b64(&bytes), "numeric": 1 } }),
    );
    let t = wait_ready(a, "k", id)["solution"]["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(t, image_text(&bytes, true));
    assert!(t.chars().all(|c| c.is_ascii_digit()));
    // UNSOLVABLE marker: ERROR_CAPTCHA_UNSOLVABLE, not charged.
    let mut un = vec![1u8; 150];
    un.extend_from_slice(b"UNSOLVABLE");
    let id = create(
        a,
        &json!({ "clientKey": "k", "task": { "type": "ImageToTextTask", "body": b64(&un) } }),
    );
    let r = wait_ready(a, "k", id);
    assert_eq!(
        (r["errorId"].as_u64(), r["errorCode"].as_str()),
        (Some(1), Some("ERROR_CAPTCHA_UNSOLVABLE"))
    );
    let s = emu.stats();
    assert_eq!((s.tasks_solved, s.tasks_failed), (2, 1));
    assert!(
        (post(a, "/getBalance", &json!({ "clientKey": "k" })).json()["balance"]
            .as_f64()
            .unwrap()
            - (100.0 - 2.0 * 0.0006))
            .abs()
            < 1e-9
    );
}

#[test]
fn token_answers_have_documented_shapes() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let px = json!({ "proxyType": "http", "proxyAddress": "8.8.8.8", "proxyPort": 8080 });
    let solve = |task: Value| -> Value {
        let mut task = task;
        if task.get("needsProxy").is_some() {
            task.as_object_mut().unwrap().remove("needsProxy");
            for (k, v) in px.as_object().unwrap() {
                task[k] = v.clone();
            }
        }
        let id = create(a, &json!({ "clientKey": "k", "task": task }));
        let r = wait_ready(a, "k", id);
        assert_eq!(r["status"], "ready", "{r}");
        r["solution"].clone()
    };
    let s =
        solve(json!({ "type": "RecaptchaV2Task", "websiteURL": "https://a.b", "websiteKey": "k" }));
    let token = s["gRecaptchaResponse"].as_str().unwrap();
    assert!((500..=2190).contains(&token.len()), "{}", token.len());
    let s =
        solve(json!({ "type": "TurnstileTask", "websiteURL": "https://a.b", "websiteKey": "k" }));
    assert!(s["token"].as_str().unwrap().len() > 100);
    assert!(s["userAgent"].as_str().unwrap().contains("Windows NT 10.0"));
    let s = solve(
        json!({ "type": "TurnstileTask", "websiteURL": "https://a.b", "websiteKey": "k", "cloudflareTaskType": "cf_clearance",
        "htmlPageBase64": "PGh0bWw+", "userAgent": "UA", "needsProxy": true }),
    );
    assert!(s["cf_clearance"].as_str().unwrap().len() > 100);
    let s = solve(
        json!({ "type": "GeeTestTask", "websiteURL": "https://a.b", "gt": "g", "challenge": "ch" }),
    );
    for f in ["challenge", "validate", "seccode"] {
        assert!(s[f].is_string(), "{f}");
    }
    assert!(s["challenge"].as_str().unwrap().starts_with("ch"));
    let s = solve(
        json!({ "type": "GeeTestTask", "websiteURL": "https://a.b", "gt": "cid", "version": 4 }),
    );
    assert_eq!(s["captcha_id"], "cid");
    for f in ["lot_number", "pass_token", "gen_time", "captcha_output"] {
        assert!(s[f].is_string(), "{f}");
    }
    let s = solve(
        json!({ "type": "FunCaptchaTask", "websiteURL": "https://a.b", "websitePublicKey": "PK-1" }),
    );
    assert!(s["token"].as_str().unwrap().contains("|pk=PK-1|"));
    let s = solve(
        json!({ "type": "AmazonTask", "websiteURL": "https://a.b", "websiteKey": "k", "captchaScript": "s", "cookieSolution": true }),
    );
    assert!(s["cookies"]["aws-waf-token"].is_string());
    let s = solve(
        json!({ "type": "AmazonTask", "websiteURL": "https://a.b", "websiteKey": "k", "captchaScript": "s" }),
    );
    assert!(s["captcha_voucher"].is_string() && s["existing_token"].is_string());
    let s = solve(
        json!({ "type": "CustomTask", "class": "DataDome", "websiteURL": "https://www.shop.test/p",
        "metadata": { "captchaUrl": "u", "datadomeCookie": "datadome=x" }, "needsProxy": true }),
    );
    assert!(s["domains"]["www.shop.test"]["cookies"]["datadome"].is_string());
    assert!(s["url"].is_null() && s.as_object().unwrap().contains_key("fingerprint"));
    let s = solve(
        json!({ "type": "CustomTask", "class": "Imperva", "websiteURL": "https://shop.test/x",
        "metadata": { "incapsulaScriptUrl": "u", "incapsulaCookies": "c" }, "needsProxy": true }),
    );
    assert!(
        s["domains"]["https://shop.test"]["cookies"]["___utmvc"]
            .as_str()
            .unwrap()
            .contains("SameSite=Lax")
    );
    let s = solve(
        json!({ "type": "CustomTask", "class": "tspd", "websiteURL": "https://shop.test", "userAgent": "UA",
        "metadata": { "tspdCookie": "c", "htmlPageBase64": "h" }, "needsProxy": true }),
    );
    assert!(s["Domains"]["shop.test"]["Cookies"]["TSPD_101_DID"].is_string());
    let s = solve(
        json!({ "type": "CustomTask", "class": "Castle", "websiteURL": "https://shop.test", "websiteKey": "pk",
        "metadata": { "wUrl": "w", "swUrl": "s", "count": 60 } }),
    );
    assert_eq!(s["data"]["tokens"].as_array().unwrap().len(), 49);
    assert!(s["domains"]["shop.test"]["cookies"]["__cuid"].is_string());
    let s = solve(
        json!({ "type": "CustomTask", "class": "TenDI", "websiteURL": "https://a.b", "websiteKey": "1", "userAgent": "UA-X" }),
    );
    assert!(s["data"]["ticket"].is_string() && s["data"]["randstr"].is_string());
    assert_eq!(s["headers"]["User-Agent"], "UA-X");
    let s = solve(
        json!({ "type": "CustomTask", "class": "Basilisk", "websiteURL": "https://a.b", "websiteKey": "1" }),
    );
    assert!(s["data"]["captcha_response"].is_string());
    let s = solve(
        json!({ "type": "CustomTask", "class": "altcha", "websiteURL": "https://a.b", "websiteKey": "",
        "metadata": { "challenge": "c", "iterations": "10", "salt": "s", "signature": "g" } }),
    );
    assert!(s["data"]["number"].is_u64() && s["data"]["token"].is_string());
    let s = solve(
        json!({ "type": "CustomTask", "class": "HUNT", "websiteURL": "https://a.b", "metadata": { "apiGetLib": "u" }, "needsProxy": true }),
    );
    assert!(s["data"]["token"].is_string());
    let s = solve(
        json!({ "type": "CustomTask", "class": "alibaba", "websiteURL": "https://a.b", "metadata": { "sceneId": "sc1", "prefix": "p" } }),
    );
    let inner: Value = serde_json::from_str(s["data"]["tokens"].as_str().unwrap()).unwrap();
    assert_eq!(inner["sceneId"], "sc1");
    let s = solve(
        json!({ "type": "CustomTask", "class": "Temu", "websiteURL": "https://www.temu.test/bgn", "metadata": { "cookie": "a=b" } }),
    );
    assert!(s["domains"]["www.temu.test"]["cookies"].is_object());
    // ComplexImageTask: sized to the grid and to the images.
    let s = solve(
        json!({ "type": "ComplexImageTask", "class": "recaptcha", "imageUrls": ["https://x/y.png"],
        "metadata": { "Grid": "4x4", "TaskDefinition": "/m/015qff" } }),
    );
    assert_eq!(s["answer"].as_array().unwrap().len(), 16);
    assert!(s["answer"][0].is_boolean());
    let imgs: Vec<String> = (0..9).map(|i| image(150 + i)).collect();
    let s = solve(
        json!({ "type": "ComplexImageTask", "class": "recognition", "imagesBase64": imgs,
        "metadata": { "Task": "betpunch_3x3_rotate" } }),
    );
    let ans = s["answer"].as_array().unwrap();
    assert_eq!(ans.len(), 9);
    assert!(ans.iter().all(|v| (1..=4).contains(&v.as_u64().unwrap())));
    assert_eq!(s["metadata"]["AnswerType"], "NumericArray");
    let s = solve(
        json!({ "type": "ComplexImageTask", "class": "recognition", "imagesBase64": imgs,
        "metadata": { "Task": "bls_3x3", "TaskArgument": "123" } }),
    );
    assert_eq!(s["answer"].as_array().unwrap().len(), 9);
    assert_eq!(s["metadata"]["AnswerType"], "Grid");
    let s = solve(
        json!({ "type": "ComplexImageTask", "class": "recognition", "imagesBase64": [image(200)], "metadata": { "Task": "shein" } }),
    );
    assert!(s["answer"][0]["X"].is_number());
    assert_eq!(s["metadata"]["AnswerType"], "Coordinate");
    let s = solve(
        json!({ "type": "ComplexImageTask", "class": "recognition", "imagesBase64": [image(200)], "metadata": { "Task": "dli" } }),
    );
    assert!(s["answer"].is_string());
}

#[test]
fn answers_are_deterministic_per_seed() {
    let run = |seed: u64| -> String {
        let emu = fast(fast_config().seed(seed));
        let id = create(
            emu.addr(),
            &json!({ "clientKey": "k", "task": { "type": "RecaptchaV2Task", "websiteURL": "https://a.b", "websiteKey": "x" } }),
        );
        wait_ready(emu.addr(), "k", id)["solution"]["gRecaptchaResponse"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}

#[test]
fn results_expire_after_five_emulated_minutes() {
    // 1000x: ready after 20 ms, expired 300 ms later.
    let emu = fast(fast_config());
    let a = emu.addr();
    let id = create(a, &image_task_body("k"));
    assert_eq!(wait_ready(a, "k", id)["status"], "ready");
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        post(
            a,
            "/getTaskResult",
            &json!({ "clientKey": "k", "taskId": id })
        )
        .json()["status"],
        "ready"
    );
    std::thread::sleep(Duration::from_millis(300));
    let r = post(
        a,
        "/getTaskResult",
        &json!({ "clientKey": "k", "taskId": id }),
    )
    .json();
    assert_eq!(r["errorCode"], "ERROR_NO_SUCH_CAPCHA_ID");
    // Unknown, malformed and missing ids.
    for body in [
        json!({ "clientKey": "k", "taskId": 999 }),
        json!({ "clientKey": "k", "taskId": "x" }),
        json!({ "clientKey": "k" }),
    ] {
        let r = post(a, "/getTaskResult", &body).json();
        assert_eq!(
            (r["errorId"].as_u64(), r["errorCode"].as_str()),
            (Some(1), Some("ERROR_NO_SUCH_CAPCHA_ID")),
            "{body}"
        );
    }
}

#[test]
fn the_121st_poll_is_refused() {
    let emu = fast(
        Config::new()
            .speed(1000.0)
            .solve_time(SolveTime::Fixed(Duration::from_secs(3600))),
    );
    let a = emu.addr();
    let id = create(a, &image_task_body("k"));
    let mut c = Conn::open(a);
    for i in 1..=120 {
        assert_eq!(poll(&mut c, "k", id)["status"], "processing", "poll {i}");
    }
    for _ in 0..3 {
        let r = poll(&mut c, "k", id);
        assert_eq!(
            (r["errorId"].as_u64(), r["errorCode"].as_str()),
            (Some(1), Some("ERROR_TOO_MUCH_REQUESTS"))
        );
    }
    let s = emu.stats();
    assert_eq!(s.tasks[&id].polls, 123);
    // Other tasks are not affected.
    let other = create(a, &image_task_body("k"));
    assert_eq!(poll(&mut c, "k", other)["status"], "processing");
}

fn report(a: std::net::SocketAddr, method: &str, id: u64) -> Value {
    post(
        a,
        &format!("/{method}"),
        &json!({ "clientKey": "k", "taskId": id }),
    )
    .json()
}

#[test]
fn report_rules_capmonster() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let img = create(a, &image_task_body("k"));
    let tok = create(
        a,
        &json!({ "clientKey": "k", "task": { "type": "RecaptchaV2Task", "websiteURL": "https://a.b", "websiteKey": "x" } }),
    );
    // Not solved yet.
    assert_eq!(
        report(a, "reportIncorrectImageCaptcha", img)["errorCode"],
        "ERROR_NO_SUCH_CAPCHA_ID"
    );
    wait_ready(a, "k", img);
    wait_ready(a, "k", tok);
    // Wrong method for the kind.
    assert_eq!(
        report(a, "reportIncorrectTokenCaptcha", img)["errorCode"],
        "ERROR_NO_SUCH_CAPCHA_ID"
    );
    assert_eq!(
        report(a, "reportIncorrectImageCaptcha", tok)["errorCode"],
        "ERROR_NO_SUCH_CAPCHA_ID"
    );
    // Accepted, and accepted again: CapMonster's docs do not limit reports per task, so that
    // rule is opt-in (`one_report_per_task_is_opt_in_for_capmonster`).
    assert_eq!(
        report(a, "reportIncorrectImageCaptcha", img),
        json!({ "errorId": 0, "status": "success" })
    );
    assert_eq!(
        report(a, "reportIncorrectImageCaptcha", img),
        json!({ "errorId": 0, "status": "success" })
    );
    // The aliases are token reports.
    assert_eq!(
        report(a, "reportIncorrectRecaptcha", tok)["status"],
        "success"
    );
    for alias in ["reportIncorrectTokenCaptcha", "reportIncorrectHcaptcha"] {
        let t = create(
            a,
            &json!({ "clientKey": "k", "task": { "type": "TurnstileTask", "websiteURL": "https://a.b", "websiteKey": "x" } }),
        );
        wait_ready(a, "k", t);
        assert_eq!(report(a, alias, t)["status"], "success", "{alias}");
    }
    // CapMonster: accepted while the result is kept (here 120 s after ready), refused once expired.
    let late = create(a, &image_task_body("k"));
    wait_ready(a, "k", late);
    std::thread::sleep(Duration::from_millis(120));
    assert_eq!(
        report(a, "reportIncorrectImageCaptcha", late)["status"],
        "success"
    );
    let expired = create(a, &image_task_body("k"));
    wait_ready(a, "k", expired);
    std::thread::sleep(Duration::from_millis(330));
    assert_eq!(
        report(a, "reportIncorrectImageCaptcha", expired)["errorCode"],
        "ERROR_NO_SUCH_CAPCHA_ID"
    );
    assert_eq!(
        report(a, "reportIncorrectImageCaptcha", 12345)["errorCode"],
        "ERROR_NO_SUCH_CAPCHA_ID"
    );
    let s = emu.stats();
    assert_eq!(s.reports_accepted, 6);
    assert!(s.tasks[&img].reported);
}

#[test]
fn report_rules_anti_captcha_window() {
    // 100x: solves take 20 ms, the 60 s window is 600 ms.
    let emu = fast(
        Config::new()
            .speed(100.0)
            .solve_time(SolveTime::Fixed(Duration::from_secs(2)))
            .dialect(Dialect::AntiCaptcha),
    );
    let a = emu.addr();
    let inside = create(a, &image_task_body("k"));
    let outside = create(a, &image_task_body("k"));
    let r = wait_ready(a, "k", inside);
    // Anti-Captcha's ready shape.
    assert_eq!(r["cost"], "0.000600");
    assert!(r["solveCount"].is_u64() && r["endTime"].is_u64());
    wait_ready(a, "k", outside);
    assert_eq!(
        report(a, "reportIncorrectImageCaptcha", inside),
        json!({ "errorId": 0, "status": "success" })
    );
    std::thread::sleep(Duration::from_millis(700));
    let r = report(a, "reportIncorrectImageCaptcha", outside);
    assert_eq!(
        (r["errorId"].as_u64(), r["errorCode"].as_str()),
        (Some(16), Some("ERROR_NO_SUCH_CAPCHA_ID"))
    );
    // Anti-Captcha removes the task 60 s after completion: the result is gone too.
    let r = post(
        a,
        "/getTaskResult",
        &json!({ "clientKey": "k", "taskId": outside }),
    )
    .json();
    assert_eq!(
        (r["errorId"].as_u64(), r["errorCode"].as_str()),
        (Some(16), Some("ERROR_NO_SUCH_CAPCHA_ID")),
        "{r}"
    );
}

#[test]
fn user_agent_and_unknown_paths() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let r = get(a, "/api/useragent/actual");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    let ua = String::from_utf8(r.body).unwrap();
    assert!(
        ua.starts_with("Mozilla/5.0 (Windows NT 10.0; Win64; x64)") && ua.contains("Chrome/"),
        "{ua}"
    );
    let r = post(a, "/nope", &json!({}));
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["errorCode"], "ERROR_NO_SUCH_METHOD");
    let r = get(a, "/createTask");
    assert_eq!(r.status, 405);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
}

#[test]
fn stats_count_endpoints_connections_and_task_times() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let mut c = Conn::open(a);
    let id = c.post("/createTask", &image_task_body("k")).unwrap().json()["taskId"]
        .as_u64()
        .unwrap();
    loop {
        if c.post("/getTaskResult", &json!({ "clientKey": "k", "taskId": id }))
            .unwrap()
            .json()["status"]
            == "ready"
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    c.post("/getBalance", &json!({ "clientKey": "k" })).unwrap();
    let mut c2 = Conn::open(a);
    c2.post("/getBalance", &json!({ "clientKey": "k" }))
        .unwrap();
    let s = emu.stats();
    assert_eq!(s.connections, 2);
    let per_conn: Vec<u64> = s.requests_per_connection.values().copied().collect();
    let polls = u64::from(s.tasks[&id].polls);
    assert_eq!(per_conn, vec![1 + polls + 1, 1]);
    assert_eq!(s.requests_by_endpoint["createTask"], 1);
    assert_eq!(s.requests_by_endpoint["getTaskResult"], polls);
    assert_eq!(s.requests_by_endpoint["getBalance"], 2);
    let t = &s.tasks[&id];
    assert_eq!(t.kind, "ImageToTextTask");
    assert_eq!(t.solved, Some(true));
    assert!((t.ready_emulated_ms - t.created_emulated_ms - 20_000.0).abs() < 1.0);
    let first = t.first_ready_returned_unix_ms.unwrap();
    assert!(
        first >= t.ready_unix_ms - 5.0,
        "{first} vs {}",
        t.ready_unix_ms
    );
    assert!(t.ready_unix_ms >= t.created_unix_ms);
    // The same, as JSON.
    let page = c2
        .send("GET", "/_emulator/stats?tasks=1", b"")
        .unwrap()
        .json();
    assert_eq!(page["tasks_created"], 1);
    assert_eq!(page["tasks"][id.to_string()]["kind"], "ImageToTextTask");
    assert_eq!(page["connections"], 2);
}

#[test]
fn async_start_and_shutdown_on_the_callers_runtime() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let emu = Emulator::start(fast_config()).await.unwrap();
        assert!(emu.base_url().starts_with("http://127.0.0.1:"));
        let addr = emu.addr();
        let id = tokio::task::spawn_blocking(move || {
            let id = create(addr, &image_task_body("k"));
            wait_ready(addr, "k", id);
            id
        })
        .await
        .unwrap();
        assert_eq!(emu.stats().tasks[&id].solved, Some(true));
        emu.shutdown().await;
        assert!(
            std::net::TcpStream::connect(addr).is_err(),
            "still listening after shutdown"
        );
    });
}

#[test]
fn drop_stops_the_server() {
    let emu: EmulatorHandle = fast(fast_config());
    let addr = emu.addr();
    assert!(addr.ip().is_loopback());
    drop(emu);
    assert!(std::net::TcpStream::connect(addr).is_err());
    let emu = fast(fast_config());
    let addr = emu.addr();
    emu.stop();
    assert!(std::net::TcpStream::connect(addr).is_err());
}

#[test]
fn speed_and_solve_time_change_at_run_time() {
    let emu = fast(Config::new().speed(1.0));
    let a = emu.addr();
    emu.set_speed(1000.0);
    assert_eq!(emu.speed(), 1000.0);
    emu.set_solve_time_for(
        "RecaptchaV2Task",
        SolveTime::Fixed(Duration::from_secs(3600)),
    );
    emu.set_solve_time_for(
        "ImageToTextTask",
        SolveTime::LogNormal {
            median: Duration::from_secs(5),
            sigma: 0.3,
        },
    );
    let slow = create(
        a,
        &json!({ "clientKey": "k", "task": { "type": "RecaptchaV2Task", "websiteURL": "https://a.b", "websiteKey": "x" } }),
    );
    let quick = create(a, &image_task_body("k"));
    assert_eq!(wait_ready(a, "k", quick)["status"], "ready");
    let mut c = Conn::open(a);
    assert_eq!(poll(&mut c, "k", slow)["status"], "processing");
    let s = emu.stats();
    let q = &s.tasks[&quick];
    let took = q.ready_emulated_ms - q.created_emulated_ms;
    assert!((500.0..50_000.0).contains(&took), "{took}");
    assert!(emu.emulated_now() > Duration::ZERO);
}
