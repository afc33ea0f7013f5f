//! createTask validation: each documented rule, and the code the emulator answers with.

mod common;

use capmonster_emulator::{Config, Dialect};
use common::*;
use serde_json::{Value, json};

fn refuse(emu_addr: std::net::SocketAddr, task: Value) -> (String, String) {
    let r = post(
        emu_addr,
        "/createTask",
        &json!({ "clientKey": "k", "task": task }),
    )
    .json();
    assert_eq!(r["errorId"], 1, "expected a refusal, got {r}");
    assert_eq!(r["taskId"], 0);
    let desc = r["errorDescription"]
        .as_str()
        .expect("description")
        .to_owned();
    assert!(!desc.is_empty());
    (r["errorCode"].as_str().unwrap().to_owned(), desc)
}

fn accept(emu_addr: std::net::SocketAddr, task: Value) {
    let r = post(
        emu_addr,
        "/createTask",
        &json!({ "clientKey": "k", "task": task }),
    )
    .json();
    assert_eq!(r["errorId"], 0, "expected acceptance, got {r}");
    assert!(r["taskId"].as_u64().unwrap() > 0);
}

fn recaptcha() -> Value {
    json!({ "type": "RecaptchaV2Task", "websiteURL": "https://example.com/p", "websiteKey": "6Lc-key" })
}

fn proxy() -> Value {
    json!({ "proxyType": "http", "proxyAddress": "8.8.8.8", "proxyPort": 8080, "proxyLogin": "l", "proxyPassword": "p" })
}

fn with(mut base: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

fn without(mut base: Value, key: &str) -> Value {
    base.as_object_mut().unwrap().remove(key);
    base
}

#[test]
fn task_absent_and_bad_json() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let r = post(a, "/createTask", &json!({ "clientKey": "k" })).json();
    assert_eq!(r["errorCode"], "ERROR_TASK_ABSENT");
    let r = post(a, "/createTask", &json!({ "clientKey": "k", "task": null })).json();
    assert_eq!(r["errorCode"], "ERROR_TASK_ABSENT");
    let r = post(
        a,
        "/createTask",
        &json!({ "clientKey": "k", "task": "RecaptchaV2Task" }),
    )
    .json();
    assert_eq!(r["errorCode"], "ERROR_TASK_ABSENT");
    let r = post_raw(a, "/createTask", b"{\"clientKey\": \"k\", \"task\": {").json();
    assert_eq!(r["errorCode"], "ERROR_TASK_ABSENT");
    assert_eq!(r["errorId"], 1);
    let r = post_raw(a, "/createTask", b"").json();
    assert_eq!(r["errorCode"], "ERROR_TASK_ABSENT");
}

#[test]
fn unknown_types_and_classes() {
    let emu = fast(fast_config());
    let a = emu.addr();
    assert_eq!(
        refuse(a, json!({ "type": "NoSuchTask" })).0,
        "ERROR_TASK_NOT_SUPPORTED"
    );
    assert_eq!(
        refuse(a, json!({ "websiteURL": "https://a.b" })).0,
        "ERROR_TASK_NOT_SUPPORTED"
    );
    assert_eq!(
        refuse(a, json!({ "type": 5 })).0,
        "ERROR_TASK_NOT_SUPPORTED"
    );
    let (code, desc) = refuse(
        a,
        json!({ "type": "CustomTask", "class": "Nope", "websiteURL": "https://a.b" }),
    );
    assert_eq!(code, "ERROR_TASK_NOT_SUPPORTED");
    assert!(desc.contains("Nope"), "{desc}");
    assert_eq!(
        refuse(
            a,
            json!({ "type": "CustomTask", "websiteURL": "https://a.b" })
        )
        .0,
        "ERROR_TASK_NOT_SUPPORTED"
    );
    assert_eq!(
        refuse(
            a,
            json!({ "type": "ComplexImageTask", "class": "hcaptcha", "imagesBase64": [image(200)] })
        )
        .0,
        "ERROR_TASK_NOT_SUPPORTED"
    );
    // Class names are matched exactly as documented.
    assert_eq!(
        refuse(
            a,
            with(
                json!({ "type": "CustomTask", "class": "datadome", "websiteURL": "https://a.b" }),
                proxy()
            )
        )
        .0,
        "ERROR_TASK_NOT_SUPPORTED"
    );
}

#[test]
fn legacy_names_are_accepted() {
    let emu = fast(fast_config());
    let a = emu.addr();
    for t in [
        "NoCaptchaTask",
        "NoCaptchaTaskProxyless",
        "RecaptchaV2TaskProxyless",
        "RecaptchaV2EnterpriseTaskProxyless",
    ] {
        accept(a, with(recaptcha(), json!({ "type": t })));
    }
    for t in [
        "TurnstileTaskProxyless",
        "HCaptchaTaskProxyless",
        "ProsopoTaskProxyless",
    ] {
        accept(a, with(recaptcha(), json!({ "type": t })));
    }
    accept(
        a,
        json!({ "type": "FunCaptchaTaskProxyless", "websiteURL": "https://a.b", "websitePublicKey": "pk" }),
    );
    accept(
        a,
        json!({ "type": "GeeTestTaskProxyless", "websiteURL": "https://a.b", "gt": "g", "challenge": "c" }),
    );
    // Incapsula is the old name of Imperva.
    accept(
        a,
        with(
            json!({ "type": "CustomTask", "class": "Incapsula", "websiteURL": "https://a.b",
                    "metadata": { "incapsulaScriptUrl": "_Incapsula_Resource?x=1", "incapsulaCookies": "a=b" } }),
            proxy(),
        ),
    );
}

#[test]
fn website_url_rules() {
    let emu = fast(fast_config());
    let a = emu.addr();
    assert_eq!(
        refuse(a, without(recaptcha(), "websiteURL")).0,
        "ERROR_RECAPTCHA_INVALID_DOMAIN"
    );
    for bad in [
        "ftp://example.com",
        "example.com",
        "https://",
        "javascript:alert(1)",
    ] {
        assert_eq!(
            refuse(a, with(recaptcha(), json!({ "websiteURL": bad }))).0,
            "ERROR_RECAPTCHA_INVALID_DOMAIN",
            "{bad}"
        );
    }
    assert_eq!(
        refuse(a, with(recaptcha(), json!({ "websiteURL": 7 }))).0,
        "ERROR_RECAPTCHA_INVALID_DOMAIN"
    );
    accept(
        a,
        with(recaptcha(), json!({ "websiteURL": "http://example.com" })),
    );
    // The docs' own examples spell it websiteUrl.
    accept(
        a,
        with(
            without(recaptcha(), "websiteURL"),
            json!({ "websiteUrl": "https://example.com" }),
        ),
    );
    assert_eq!(
        refuse(
            a,
            with(
                without(recaptcha(), "websiteURL"),
                json!({ "websiteUrl": "ws://example.com" })
            )
        )
        .0,
        "ERROR_RECAPTCHA_INVALID_DOMAIN"
    );
}

#[test]
fn required_fields_and_types() {
    let emu = fast(fast_config());
    let a = emu.addr();
    assert_eq!(
        refuse(a, without(recaptcha(), "websiteKey")).0,
        "ERROR_RECAPTCHA_INVALID_SITEKEY"
    );
    assert_eq!(
        refuse(a, with(recaptcha(), json!({ "websiteKey": 12 }))).0,
        "ERROR_RECAPTCHA_INVALID_SITEKEY"
    );
    let (code, desc) = refuse(a, with(recaptcha(), json!({ "isInvisible": "yes" })));
    assert_eq!(code, "ERROR_BAD_PARAMETERS");
    assert!(desc.contains("isInvisible"), "{desc}");
    assert_eq!(
        refuse(a, with(recaptcha(), json!({ "nocache": "yes" }))).0,
        "ERROR_BAD_PARAMETERS"
    );
    // FunCaptcha's key field
    assert_eq!(
        refuse(
            a,
            json!({ "type": "FunCaptchaTask", "websiteURL": "https://a.b" })
        )
        .0,
        "ERROR_RECAPTCHA_INVALID_SITEKEY"
    );
    // Binance validateId
    let (code, desc) = refuse(
        a,
        json!({ "type": "BinanceTask", "websiteURL": "https://a.b", "websiteKey": "login" }),
    );
    assert_eq!(code, "ERROR_BAD_PARAMETERS");
    assert!(desc.contains("validateId"));
    // reCAPTCHA v2 Enterprise: enterprisePayload may be a string or an object, nothing else.
    let ent = with(recaptcha(), json!({ "type": "RecaptchaV2EnterpriseTask" }));
    accept(
        a,
        with(ent.clone(), json!({ "enterprisePayload": { "s": "x" } })),
    );
    accept(a, with(ent.clone(), json!({ "enterprisePayload": "x" })));
    assert_eq!(
        refuse(a, with(ent, json!({ "enterprisePayload": 3 }))).0,
        "ERROR_BAD_PARAMETERS"
    );
    // reCAPTCHA v3: minScore number, isEnterprise bool or 0/1.
    let v3 = with(recaptcha(), json!({ "type": "RecaptchaV3TaskProxyless" }));
    accept(
        a,
        with(v3.clone(), json!({ "minScore": 0.3, "isEnterprise": 1 })),
    );
    assert_eq!(
        refuse(a, with(v3.clone(), json!({ "minScore": "0.3" }))).0,
        "ERROR_BAD_PARAMETERS"
    );
    assert_eq!(
        refuse(a, with(v3, json!({ "isEnterprise": 2 }))).0,
        "ERROR_BAD_PARAMETERS"
    );
    // GeeTest: challenge required for v3 only; version 3 or 4.
    let gt = json!({ "type": "GeeTestTask", "websiteURL": "https://a.b", "gt": "g" });
    assert_eq!(refuse(a, gt.clone()).0, "ERROR_BAD_PARAMETERS");
    accept(a, with(gt.clone(), json!({ "version": 4 })));
    accept(a, with(gt.clone(), json!({ "challenge": "c" })));
    assert_eq!(
        refuse(
            a,
            with(gt.clone(), json!({ "version": 5, "challenge": "c" }))
        )
        .0,
        "ERROR_BAD_PARAMETERS"
    );
    // A string of digits is read as the number (the Node client sends "4"); anything else is a
    // bad field.
    accept(a, with(gt.clone(), json!({ "version": "4" })));
    assert_eq!(
        refuse(a, with(gt, json!({ "version": "v4" }))).0,
        "ERROR_BAD_PARAMETERS"
    );
    // Amazon: option 1 needs captchaScript; options 2/3 (challengeScript) need context and iv.
    let am = json!({ "type": "AmazonTask", "websiteURL": "https://a.b", "websiteKey": "" });
    assert_eq!(refuse(a, am.clone()).0, "ERROR_BAD_PARAMETERS");
    accept(
        a,
        with(am.clone(), json!({ "captchaScript": "https://x/jsapi.js" })),
    );
    assert_eq!(
        refuse(
            a,
            with(
                am.clone(),
                json!({ "challengeScript": "c", "context": "x" })
            )
        )
        .0,
        "ERROR_BAD_PARAMETERS"
    );
    accept(
        a,
        with(
            am,
            json!({ "challengeScript": "c", "context": "x", "iv": "y" }),
        ),
    );
}

#[test]
fn metadata_fields() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let dd = with(
        json!({ "type": "CustomTask", "class": "DataDome", "websiteURL": "https://a.b",
                "metadata": { "captchaUrl": "https://geo.captcha-delivery.com/captcha/?x", "datadomeCookie": "datadome=1" } }),
        proxy(),
    );
    accept(a, dd.clone());
    let (code, desc) = refuse(
        a,
        with(dd.clone(), json!({ "metadata": { "captchaUrl": "u" } })),
    );
    assert_eq!(code, "ERROR_BAD_PARAMETERS");
    assert!(desc.contains("metadata.datadomeCookie"), "{desc}");
    assert_eq!(
        refuse(a, without(dd.clone(), "metadata")).0,
        "ERROR_BAD_PARAMETERS"
    );
    assert_eq!(
        refuse(a, with(dd, json!({ "metadata": "x" }))).0,
        "ERROR_BAD_PARAMETERS"
    );
    // altcha iterations must be a string, as the docs ask.
    let alt = json!({ "type": "CustomTask", "class": "altcha", "websiteURL": "https://a.b", "websiteKey": "",
        "metadata": { "challenge": "c", "iterations": "5000", "salt": "s", "signature": "g" } });
    accept(a, alt.clone());
    let mut bad = alt.clone();
    bad["metadata"]["iterations"] = json!(5000);
    assert_eq!(refuse(a, bad).0, "ERROR_BAD_PARAMETERS");
    // Castle with `Class` (as the docs' examples spell it) and an integer count.
    let castle = json!({ "type": "CustomTask", "Class": "Castle", "websiteURL": "https://a.b", "websiteKey": "pk_x",
        "metadata": { "wUrl": "w", "swUrl": "s", "count": 3 } });
    accept(a, castle.clone());
    let mut bad = castle;
    bad["metadata"]["count"] = json!("3");
    assert_eq!(refuse(a, bad).0, "ERROR_BAD_PARAMETERS");
    // tspd needs a userAgent.
    let tspd = with(
        json!({ "type": "CustomTask", "class": "tspd", "websiteURL": "https://a.b",
                "metadata": { "tspdCookie": "TS1=2", "htmlPageBase64": "PGh0bWw+" } }),
        proxy(),
    );
    assert_eq!(refuse(a, tspd.clone()).0, "ERROR_BAD_PARAMETERS");
    accept(a, with(tspd, json!({ "userAgent": "Mozilla/5.0" })));
    // ComplexImageTask recaptcha: Grid required and known; Task or TaskDefinition.
    let ci = json!({ "type": "ComplexImageTask", "class": "recaptcha", "imageUrls": ["https://x/y.png"],
        "metadata": { "Grid": "3x3", "Task": "Click on traffic lights" } });
    accept(a, ci.clone());
    assert_eq!(
        refuse(
            a,
            with(ci.clone(), json!({ "metadata": { "Grid": "3x3" } }))
        )
        .0,
        "ERROR_BAD_PARAMETERS"
    );
    assert_eq!(
        refuse(
            a,
            with(
                ci.clone(),
                json!({ "metadata": { "Grid": "5x5", "Task": "t" } })
            )
        )
        .0,
        "ERROR_BAD_PARAMETERS"
    );
    assert_eq!(
        refuse(a, with(ci, json!({ "metadata": { "Task": "t" } }))).0,
        "ERROR_BAD_PARAMETERS"
    );
}

#[test]
fn turnstile_modes() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let plain =
        json!({ "type": "TurnstileTask", "websiteURL": "https://a.b", "websiteKey": "0x4AAA" });
    accept(a, plain.clone());
    let token = with(
        plain.clone(),
        json!({ "cloudflareTaskType": "token", "pageAction": "managed",
        "data": "d", "pageData": "p", "userAgent": "Mozilla/5.0" }),
    );
    accept(a, token.clone());
    let (code, desc) = refuse(a, without(token, "pageData"));
    assert_eq!(code, "ERROR_BAD_PARAMETERS");
    assert!(desc.contains("pageData"));
    for mode in ["cf_clearance", "wait_room"] {
        let t = with(
            plain.clone(),
            json!({ "cloudflareTaskType": mode, "htmlPageBase64": "PGh0bWw+", "userAgent": "Mozilla/5.0" }),
        );
        let (code, desc) = refuse(a, t.clone());
        assert_eq!(code, "ERROR_PROXY_MISSING", "{mode}");
        assert!(desc.contains(mode));
        accept(a, with(t.clone(), proxy()));
        assert_eq!(
            refuse(a, with(without(t, "htmlPageBase64"), proxy())).0,
            "ERROR_BAD_PARAMETERS"
        );
    }
    assert_eq!(
        refuse(a, with(plain, json!({ "cloudflareTaskType": "other" }))).0,
        "ERROR_BAD_PARAMETERS"
    );
}

#[test]
fn proxy_rules() {
    let emu = fast(fast_config());
    let a = emu.addr();
    // Required for DataDome, Imperva, HUNT, tspd (and Turnstile cf_clearance/wait_room, above).
    let required = [
        json!({ "type": "CustomTask", "class": "DataDome", "websiteURL": "https://a.b",
                "metadata": { "captchaUrl": "u", "datadomeCookie": "datadome=1" } }),
        json!({ "type": "CustomTask", "class": "Imperva", "websiteURL": "https://a.b",
                "metadata": { "incapsulaScriptUrl": "u", "incapsulaCookies": "c" } }),
        json!({ "type": "CustomTask", "class": "HUNT", "websiteURL": "https://a.b", "metadata": { "apiGetLib": "u" } }),
        json!({ "type": "CustomTask", "class": "tspd", "websiteURL": "https://a.b", "userAgent": "UA",
                "metadata": { "tspdCookie": "c", "htmlPageBase64": "h" } }),
    ];
    for t in required {
        assert_eq!(refuse(a, t.clone()).0, "ERROR_PROXY_MISSING", "{t}");
        accept(a, with(t.clone(), proxy()));
        // Login and password are optional (IP-authorised proxies).
        accept(
            a,
            with(
                t,
                json!({ "proxyType": "socks5", "proxyAddress": "1.2.3.4", "proxyPort": 1080 }),
            ),
        );
    }
    // A present proxy must be complete and valid, on any type that takes one.
    let bad_proxies = [
        json!({ "proxyType": "ftp", "proxyAddress": "8.8.8.8", "proxyPort": 8080 }),
        json!({ "proxyAddress": "8.8.8.8", "proxyPort": 8080 }),
        json!({ "proxyType": "http", "proxyPort": 8080 }),
        json!({ "proxyType": "http", "proxyAddress": "", "proxyPort": 8080 }),
        json!({ "proxyType": "http", "proxyAddress": "8.8.8.8" }),
        json!({ "proxyType": "http", "proxyAddress": "8.8.8.8", "proxyPort": "8080" }),
        json!({ "proxyType": "http", "proxyAddress": "8.8.8.8", "proxyPort": 70000 }),
        json!({ "proxyLogin": "l", "proxyPassword": "p" }),
    ];
    for p in bad_proxies {
        assert_eq!(
            refuse(a, with(recaptcha(), p.clone())).0,
            "ERROR_PROXY_MISSING",
            "{p}"
        );
    }
    for ty in ["https", "socks4", "socks5"] {
        accept(
            a,
            with(
                recaptcha(),
                json!({ "proxyType": ty, "proxyAddress": "8.8.8.8", "proxyPort": 8080 }),
            ),
        );
    }
    // Types that run on the service's own proxies ignore proxy fields.
    accept(
        a,
        with(
            json!({ "type": "RecaptchaV3TaskProxyless", "websiteURL": "https://a.b", "websiteKey": "k" }),
            json!({ "proxyType": "nonsense" }),
        ),
    );
}

#[test]
fn image_sizes() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let img = |body: Value| json!({ "type": "ImageToTextTask", "body": body });
    assert_eq!(
        refuse(a, json!({ "type": "ImageToTextTask" })).0,
        "ERROR_ZERO_CAPTCHA_FILESIZE"
    );
    assert_eq!(
        refuse(a, img(json!(image(99)))).0,
        "ERROR_ZERO_CAPTCHA_FILESIZE"
    );
    assert_eq!(refuse(a, img(json!(""))).0, "ERROR_ZERO_CAPTCHA_FILESIZE");
    assert_eq!(
        refuse(a, img(json!("BASE64_BODY_HERE!"))).0,
        "ERROR_ZERO_CAPTCHA_FILESIZE"
    );
    assert_eq!(
        refuse(a, img(json!(format!("{}\n{}", image(60), image(60))))).0,
        "ERROR_ZERO_CAPTCHA_FILESIZE"
    );
    accept(a, img(json!(image(100))));
    accept(a, img(json!(image(50 * 1024))));
    let (code, desc) = refuse(a, img(json!(image(50 * 1024 + 1))));
    assert_eq!(code, "ERROR_TOO_BIG_CAPTCHA_FILESIZE");
    assert!(desc.contains("51201"), "{desc}");
    assert_eq!(refuse(a, img(json!(12))).0, "ERROR_BAD_PARAMETERS");
    // Options
    accept(
        a,
        json!({ "type": "ImageToTextTask", "body": image(200), "recognizingThreshold": 70, "numeric": 1,
        "case": true, "math": false, "capMonsterModule": "universal" }),
    );
    assert_eq!(
        refuse(
            a,
            json!({ "type": "ImageToTextTask", "body": image(200), "recognizingThreshold": 101 })
        )
        .0,
        "ERROR_BAD_PARAMETERS"
    );
    assert_eq!(
        refuse(
            a,
            json!({ "type": "ImageToTextTask", "body": image(200), "numeric": 2 })
        )
        .0,
        "ERROR_BAD_PARAMETERS"
    );
    // ComplexImageTask: every image in imagesBase64 is checked.
    let rec = |imgs: Value| {
        json!({ "type": "ComplexImageTask", "class": "recognition", "imagesBase64": imgs,
        "metadata": { "Task": "oocl_rotate_new" } })
    };
    accept(a, rec(json!([image(200), image(300)])));
    assert_eq!(
        refuse(a, rec(json!([image(200), image(20)]))).0,
        "ERROR_ZERO_CAPTCHA_FILESIZE"
    );
    assert_eq!(
        refuse(a, rec(json!([image(200), image(60_000)]))).0,
        "ERROR_TOO_BIG_CAPTCHA_FILESIZE"
    );
    assert_eq!(refuse(a, rec(json!([]))).0, "ERROR_ZERO_CAPTCHA_FILESIZE");
    assert_eq!(refuse(a, json!({ "type": "ComplexImageTask", "class": "recognition", "metadata": { "Task": "shein" } })).0,
        "ERROR_ZERO_CAPTCHA_FILESIZE");
    assert_eq!(refuse(a, rec(json!([5]))).0, "ERROR_BAD_PARAMETERS");
}

#[test]
fn anti_captcha_dialect_numbers_errors() {
    let emu = fast(fast_config().dialect(Dialect::AntiCaptcha));
    let a = emu.addr();
    let r = post(a, "/createTask", &json!({ "clientKey": "k" })).json();
    assert_eq!(r["errorCode"], "ERROR_TASK_ABSENT");
    assert_eq!(r["errorId"], 22);
    let r = post(
        a,
        "/createTask",
        &json!({ "clientKey": "k", "task": { "type": "X" } }),
    )
    .json();
    assert_eq!(r["errorId"], 23);
    let r = post(
        a,
        "/createTask",
        &json!({ "clientKey": "k", "task": { "type": "ImageToTextTask", "body": image(10) } }),
    )
    .json();
    assert_eq!(r["errorId"], 3);
    let r = post(
        a,
        "/getTaskResult",
        &json!({ "clientKey": "k", "taskId": 42 }),
    )
    .json();
    assert_eq!(
        (r["errorId"].as_u64(), r["errorCode"].as_str()),
        (Some(16), Some("ERROR_NO_SUCH_CAPCHA_ID"))
    );
    // A code without an Anti-Captcha number still gets a non-zero errorId.
    let r = post(
        a,
        "/createTask",
        &json!({ "clientKey": "k", "task": { "type": "CustomTask", "class": "HUNT",
        "websiteURL": "https://a.b", "metadata": { "apiGetLib": "u" } } }),
    )
    .json();
    assert_eq!(
        (r["errorId"].as_u64(), r["errorCode"].as_str()),
        (Some(1), Some("ERROR_PROXY_MISSING"))
    );
    drop(emu);
    let emu = fast(Config::new().key("good", 1.0).dialect(Dialect::AntiCaptcha));
    let r = post(emu.addr(), "/getBalance", &json!({ "clientKey": "bad" })).json();
    assert_eq!(r["errorId"], 1);
}
