//! The task catalogue against the documentation's own examples (tests/fixtures, copied from the
//! golden set): every typed task but CustomTask builds the documented request body field for
//! field (CustomTask: catalogue_custom.rs). Parsing back, solutions and validation rules are in
//! catalogue_parse.rs, catalogue_solutions.rs and catalogue_rules.rs.

#[macro_use]
mod catalogue_common;

use capmonster_proto::task::*;
use capmonster_proto::*;
use catalogue_common::*;
use serde_json::{Map, Value, json};

snapshot_checks!();

// ---------------------------------------------------------------- requests: reCAPTCHA

#[test]
fn recaptcha_v2_requests() {
    let url = "https://lessons.zennolab.com/captchas/recaptcha/v2_simple.php?level=high";
    let key = "6Lcg7CMUAAAAANphynKgn9YAgA4tQ2KI_iqRyTwd";
    check(
        "createTask.RecaptchaV2Task.proxyless.request.json",
        "recaptcha_v2_proxyless",
        RecaptchaV2Task::new(url, key),
    );
    check(
        "createTask.RecaptchaV2Task.proxy.request.json",
        "recaptcha_v2_proxy",
        RecaptchaV2Task::new(url, key)
            .with_proxy(doc_proxy())
            .with_user_agent(UA),
    );
    check(
        "createTask.RecaptchaV2Task.nocache.request.json",
        "recaptcha_v2_nocache",
        RecaptchaV2Task::new(url, key).with_nocache(true),
    );
    assert_eq!(
        body(RecaptchaV2Task::new(url, key)),
        golden("createTask.RecaptchaV2Task.methods-page.request.json")
    );
    let with_callback = body_of(
        CreateTask::new(RecaptchaV2Task::new(url, key))
            .with_callback_url("https://yourwebsite.com/callback"),
    );
    assert_eq!(
        with_callback,
        golden("createTask.RecaptchaV2Task.callbackUrl.request.json")
    );
}

#[test]
fn recaptcha_v2_enterprise_requests() {
    let url = "https://mydomain.com/page-with-recaptcha-enterprise";
    let key = "6Lcg7CMUAAAAANphynKgn9YAgA4tQ2KI_iqRyTwd";
    check(
        "createTask.RecaptchaV2EnterpriseTask.proxyless.request.json",
        "recaptcha_v2_enterprise_proxyless",
        RecaptchaV2EnterpriseTask::new(url, key).with_payload_s("SOME_ADDITIONAL_TOKEN"),
    );
    let mut payload = Map::new();
    payload.insert("s".into(), json!("SOME_ADDITIONAL_TOKEN"));
    check(
        "createTask.RecaptchaV2EnterpriseTask.proxy.request.json",
        "recaptcha_v2_enterprise_proxy",
        RecaptchaV2EnterpriseTask::new(url, key)
            .with_enterprise_payload(payload)
            .with_proxy(doc_proxy())
            .with_user_agent(UA),
    );
}

#[test]
fn recaptcha_v3_requests() {
    check(
        "createTask.RecaptchaV3TaskProxyless.request.json",
        "recaptcha_v3",
        RecaptchaV3Task::new(
            "https://lessons.zennolab.com/captchas/recaptcha/v3.php?level=beta",
            "6Le0xVgUAAAAAIt20XEB4rVhYOODgTl00d8juDob",
        )
        .with_enterprise(false)
        .with_min_score(0.7)
        .with_page_action("myverify"),
    );
    check(
        "createTask.RecaptchaV3EnterpriseTask.request.json",
        "recaptcha_v3_enterprise",
        RecaptchaV3EnterpriseTask::new(
            "https://example.com",
            "6Le0xVgUAAAAAIt20XEB4rVhYOODgTl00d4TuRTE",
        )
        .with_min_score(0.7),
    );
}

// ---------------------------------------------------------------- requests: images

#[test]
fn image_to_text_requests() {
    let g = golden("createTask.ImageToTextTask.request.json");
    assert_eq!(golden_str(&g, "/task/body"), "BASE64_BODY_HERE!");
    // The documented body is a placeholder, which local validation refuses.
    let err = CreateTask::new(ImageToTextTask::new("BASE64_BODY_HERE!"))
        .build(&Service::default(), &key())
        .unwrap_err();
    assert!(err.to_string().contains("task.body"), "{err}");
    let mut adjusted = g;
    adjusted["task"]["body"] = json!(image(7));
    check_adjusted(adjusted, "image_to_text", ImageToTextTask::new(image(7)));

    // The threshold page shows only a fragment of the task, with softId.
    let fragment = golden("createTask.ImageToTextTask.recognizingThreshold.request.json");
    let built = body_of(
        CreateTask::new(ImageToTextTask::new(image(7)).with_recognizing_threshold(70))
            .with_soft_id(345),
    );
    assert_eq!(built["softId"], fragment["softId"]);
    assert_eq!(built["clientKey"], fragment["clientKey"]);
    assert_eq!(
        built["task"]["recognizingThreshold"],
        fragment["task"]["recognizingThreshold"]
    );
}

#[test]
fn image_to_text_sends_every_option() {
    let built = body(
        ImageToTextTask::new(image(1))
            .with_module("universal")
            .with_recognizing_threshold(70)
            .with_case(true)
            .with_numeric(true)
            .with_math(false),
    );
    assert_eq!(
        built["task"],
        json!({"type": "ImageToTextTask", "body": image(1), "capMonsterModule": "universal",
               "recognizingThreshold": 70, "case": true, "numeric": 1, "math": false})
    );
}

#[test]
fn complex_image_recaptcha_request() {
    let g = golden("createTask.ComplexImageTask.recaptcha.request.json");
    // The example spells the page URL `websiteUrl`; we send `websiteURL`.
    let adjusted = respell_website_url(g.clone());
    let task = ComplexImageRecaptchaTask::from_urls(
        Grid::ThreeByThree,
        ["https://i.postimg.cc/yYjg75Kv/payloadtraffic.jpg"],
    )
    .with_task("Click on traffic lights")
    .with_task_definition("/m/015qff")
    .with_user_agent(UA)
    .with_website_url(golden_str(&g, "/task/websiteUrl"));
    check_adjusted(adjusted, "complex_image_recaptcha", task);
}

fn recognition(section: &str, snapshot: &str, task_name: &str, n: usize) {
    let file = format!("createTask.ComplexImageTask.recognition.{section}.request.json");
    let images: Vec<String> = (0..n).map(|i| image(i as u8)).collect();
    let g = golden(&file);
    assert_eq!(golden_str(&g, "/task/metadata/Task"), task_name);
    // The documented images are placeholders: local validation refuses them as they are.
    let placeholders: Vec<String> = g["task"]["imagesBase64"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let mut as_documented = ComplexImageRecognitionTask::new(task_name, placeholders);
    if let Some(arg) = g
        .pointer("/task/metadata/TaskArgument")
        .and_then(Value::as_str)
    {
        as_documented = as_documented.with_task_argument(arg);
    }
    if let Some(p) = g
        .pointer("/task/metadata/PayloadType")
        .and_then(Value::as_str)
    {
        as_documented = as_documented.with_payload_type(p);
    }
    assert_eq!(
        Task::from(as_documented.clone())
            .validate()
            .unwrap_err()
            .field(),
        "task.imagesBase64"
    );
    let mut typed = as_documented;
    typed.images_base64 = images.clone();
    check_adjusted(replace_images(g, &images), snapshot, typed);
}

#[test]
fn complex_image_recognition_requests() {
    recognition(
        "oocl_rotate_new",
        "recognition_oocl_rotate_new",
        "oocl_rotate_new",
        2,
    );
    recognition(
        "oocl_rotate_double_new",
        "recognition_oocl_rotate_double_new",
        "oocl_rotate_double_new",
        3,
    );
    recognition(
        "betpunch_3x3_rotate",
        "recognition_betpunch_3x3_rotate",
        "betpunch_3x3_rotate",
        9,
    );
    recognition("bls", "recognition_bls", "bls_3x3", 9);
    recognition("shein", "recognition_shein", "shein", 1);
    recognition("baidu", "recognition_baidu", "baidu", 1);
    recognition("bills_audio", "recognition_bills_audio", "bills_audio", 1);
    recognition("dli_ensemble", "recognition_dli", "dli", 1);
}

#[test]
fn recognition_builders_set_metadata() {
    let t = ComplexImageRecognitionTask::new("bls_3x3", [image(1)]).with_task_argument("123");
    assert_eq!(
        body(t)["task"]["metadata"],
        json!({"Task": "bls_3x3", "TaskArgument": "123"})
    );
    let t = ComplexImageRecognitionTask::new("bills_audio", [image(1)]).with_payload_type("Audio");
    assert_eq!(
        body(t)["task"]["metadata"],
        json!({"Task": "bills_audio", "PayloadType": "Audio"})
    );
}

// ---------------------------------------------------------------- requests: tokens

#[test]
fn hcaptcha_requests() {
    let url = "https://lessons.zennolab.com/captchas/hcaptcha/?level=easy";
    let key = "472fc7af-86a4-4382-9a49-ca9090474471";
    check(
        "createTask.HCaptchaTask.proxyless.request.json",
        "hcaptcha_proxyless",
        HCaptchaTask::new(url, key)
            .with_user_agent(UA)
            .with_fallback_to_actual_ua(true),
    );
    check(
        "createTask.HCaptchaTask.proxy.request.json",
        "hcaptcha_proxy",
        HCaptchaTask::new(url, key)
            .with_user_agent(UA)
            .with_fallback_to_actual_ua(true)
            .with_proxy(doc_proxy()),
    );
}

/// The GeeTest examples use another placeholder key; everything else is compared as it is.
fn geetest_golden(name: &str) -> Value {
    let mut g = golden(name);
    assert_eq!(g["clientKey"], "YOUR_CAPMONSTER_CLOUD_API_KEY");
    g["clientKey"] = json!("API_KEY");
    g
}

#[test]
fn geetest_requests() {
    let v3 = || {
        GeeTestTask::v3(
            "https://www.geetest.com/en/demo",
            "022397c99c9f646f6477822485f30404",
            "7f044f48bc951ecfbfc03842b5e1fe59",
        )
        .with_api_server_subdomain("api-na.geetest.com")
    };
    check_adjusted(
        geetest_golden("createTask.GeeTestTask.v3.proxyless.request.json"),
        "geetest_v3_proxyless",
        v3(),
    );
    check_adjusted(
        geetest_golden("createTask.GeeTestTask.v3.proxy.request.json"),
        "geetest_v3_proxy",
        v3().with_proxy(doc_proxy()).with_user_agent(UA),
    );
    let mut init = Map::new();
    init.insert("riskType".into(), json!("slide"));
    let v4 = || {
        GeeTestTask::v4(
            "https://gt4.geetest.com/",
            "54088bb07d2df3c46b79f80300b0abbe",
        )
        .with_init_parameters(init.clone())
    };
    check_adjusted(
        geetest_golden("createTask.GeeTestTask.v4.proxyless.request.json"),
        "geetest_v4_proxyless",
        v4(),
    );
    check_adjusted(
        geetest_golden("createTask.GeeTestTask.v4.proxy.request.json"),
        "geetest_v4_proxy",
        v4().with_proxy(doc_proxy()).with_user_agent(UA),
    );
}

#[test]
fn geetest_site_specific_example_uses_the_legacy_name() {
    let g = golden("createTask.GeeTestTaskProxyless.galxe.task.json");
    assert_eq!(g["task"]["type"], "GeeTestTaskProxyless");
    let task = GeeTestTask::v3(
        "https://app.gal**.com/accountSetting/social",
        "244bcb8b9846215df5af4c624a750db4",
        "SendVerifyCode",
    );
    // Documented naming sends `GeeTestTask`; legacy naming reproduces the example exactly.
    let mut adjusted = g.clone();
    adjusted["task"]["type"] = json!("GeeTestTask");
    check_adjusted(adjusted, "geetest_site_specific", task.clone());
    let legacy = Service::default().with_type_naming(TypeNaming::Legacy);
    let request = CreateTask::new(task).build(&legacy, &key()).unwrap();
    let built: Value = serde_json::from_slice(request.body()).unwrap();
    assert_eq!(built, g);
}

#[test]
fn turnstile_requests() {
    check(
        "createTask.TurnstileTask.proxyless.request.json",
        "turnstile_proxyless",
        TurnstileTask::new("http://tsmanaged.zlsupport.com", "0x4AAAAAAABUYP0XeMJF0xoy"),
    );
    check(
        "createTask.TurnstileTask.proxy.request.json",
        "turnstile_proxy",
        TurnstileTask::new("http://tsmanaged.zlsupport.com", "0x4AAAAAAABUYP0XeMJF0xoy")
            .with_proxy(doc_proxy()),
    );
    let token = || {
        TurnstileTask::challenge_token(
            "https://example.com",
            "0x4AAAAAAADnPIDROrmt1Wwj",
            "managed",
            "874291f4retD1366",
            "HUHDWUHuhuwfiweh32..uh2uhuhyugYUG=",
            UA,
        )
    };
    check(
        "createTask.TurnstileTask.challenge-token.proxyless.request.json",
        "turnstile_challenge_token_proxyless",
        token(),
    );
    check(
        "createTask.TurnstileTask.challenge-token.proxy.request.json",
        "turnstile_challenge_token_proxy",
        token().with_proxy(doc_proxy()),
    );
    check(
        "createTask.TurnstileTask.challenge-cf_clearance.request.json",
        "turnstile_cf_clearance",
        TurnstileTask::cf_clearance(
            "https://example.com",
            "xxxxxxxxxx",
            "PCFET0NUWVBFIGh0...vYm9keT48L2h0bWw+",
            UA,
            doc_proxy(),
        ),
    );
    check(
        "createTask.TurnstileTask.wait_room.request.json",
        "turnstile_wait_room",
        TurnstileTask::wait_room(
            "https://example.com",
            "xxxxxxxxxx",
            "PCFET0NUWVBFIGh0...vYm9keT48L2h0bWw+",
            UA,
            doc_proxy(),
        ),
    );
}

#[test]
fn funcaptcha_requests() {
    let g = golden("createTask.FunCaptchaTask.proxyless.request.json");
    let task = || {
        FunCaptchaTask::new(
            "https://www.example.com",
            "EX72CCFB-26EX-40E5-91E6-85EX70BE98ED",
        )
        .with_api_js_subdomain("example-api.arkoselabs.com")
        .with_data(golden_str(&g, "/task/data"))
        .with_user_agent(UA)
    };
    check(
        "createTask.FunCaptchaTask.proxyless.request.json",
        "funcaptcha_proxyless",
        task(),
    );
    check(
        "createTask.FunCaptchaTask.proxy.request.json",
        "funcaptcha_proxy",
        task().with_proxy(doc_proxy()),
    );
    // with_blob writes the same JSON text as the example.
    let blob: Value = serde_json::from_str(golden_str(&g, "/task/data")).unwrap();
    let from_blob = FunCaptchaTask::new("https://www.example.com", "k")
        .with_blob(blob["blob"].as_str().unwrap());
    assert_eq!(
        from_blob.data.as_deref(),
        Some(golden_str(&g, "/task/data"))
    );
}

#[test]
fn amazon_requests() {
    let option1 = || {
        AmazonTask::captcha(
            "https://example.com/index.html",
            "h15hX7brbaRTR...Za1_1",
            "https://234324vgvc23.yejk.captcha-sdk.awswaf.com/234324vgvc23/jsapi.js",
        )
        .with_user_agent(UA)
        .with_cookie_solution(true)
    };
    check(
        "createTask.AmazonTask.option1.proxyless.request.json",
        "amazon_option1_proxyless",
        option1(),
    );
    check(
        "createTask.AmazonTask.option1.proxy.request.json",
        "amazon_option1_proxy",
        option1().with_proxy(doc_proxy()),
    );
    let challenge = "https://41bcdd4fb3cb.610cd090.us-east-1.token.awswaf.com/41bcdd4fb3cb/0d21de737ccb/cd77baa6c832/challenge.js";
    let option2 = || {
        AmazonTask::challenge(
            "https://example.com",
            "AQIDA...wZwdADFLWk7XOA==",
            challenge,
            "qoJYgnKsc...aormh/dYYK+Y=",
            "CgAAXFFFFSAAABVk",
        )
        .with_captcha_script("https://41bcdd4fb3cb.610cd090.us-east-1.captcha.awswaf.com/41bcdd4fb3cb/0d21de737ccb/cd77baa6c832/captcha.js")
        .with_cookie_solution(true)
    };
    check(
        "createTask.AmazonTask.option2.proxyless.request.json",
        "amazon_option2_proxyless",
        option2(),
    );
    check(
        "createTask.AmazonTask.option2.proxy.request.json",
        "amazon_option2_proxy",
        option2().with_proxy(doc_proxy()),
    );
    check(
        "createTask.AmazonTask.option3.proxyless.request.json",
        "amazon_option3_proxyless",
        AmazonTask::challenge_only("https://example.com", challenge),
    );
    check(
        "createTask.AmazonTask.option3.proxy.request.json",
        "amazon_option3_proxy",
        AmazonTask::challenge_only("https://example.com", challenge).with_proxy(doc_proxy()),
    );
}

#[test]
fn binance_prosopo_mtcaptcha_requests() {
    let binance = || {
        BinanceTask::new(
            "https://example.com",
            "login",
            "cb0bfefa598b4c3887661fde54ecd57b",
        )
        .with_user_agent(UA)
    };
    check(
        "createTask.BinanceTask.proxyless.request.json",
        "binance_proxyless",
        binance(),
    );
    check(
        "createTask.BinanceTask.proxy.request.json",
        "binance_proxy",
        binance().with_proxy(doc_proxy()),
    );
    let prosopo = || {
        ProsopoTask::new(
            "https://www.example.com",
            "5EZU3LG31uzq1Mwi8inwqxmfvFDpj7VzwDnZwj4Q3syyxBwV",
        )
    };
    check(
        "createTask.ProsopoTask.proxyless.request.json",
        "prosopo_proxyless",
        prosopo(),
    );
    check(
        "createTask.ProsopoTask.proxy.request.json",
        "prosopo_proxy",
        prosopo().with_proxy(doc_proxy()),
    );
    let mt = || {
        MtCaptchaTask::new("https://www.example.com", "MTPublic-abCDEFJAB")
            .with_invisible(false)
            .with_page_action("login")
    };
    check(
        "createTask.MTCaptchaTask.proxyless.request.json",
        "mtcaptcha_proxyless",
        mt(),
    );
    check(
        "createTask.MTCaptchaTask.proxy.request.json",
        "mtcaptcha_proxy",
        mt().with_proxy(doc_proxy()),
    );
}

#[test]
fn yidun_requests() {
    let plain = || {
        YidunTask::new(
            "https://www.example.com",
            "6cw0f0485d5d46auacf9b735d20218a5",
        )
        .with_user_agent(UA)
    };
    check(
        "createTask.YidunTask.proxyless.request.json",
        "yidun_proxyless",
        plain(),
    );
    check(
        "createTask.YidunTask.proxy.request.json",
        "yidun_proxy",
        plain().with_proxy(doc_proxy()),
    );
    let enterprise = |ua: &str| {
        YidunTask::new(
            "https://id7.cloud.example.com/IframeLogin.html",
            "0f123r2a6am56431yg17n8rz6grz0ym6",
        )
        .with_user_agent(ua)
        .with_get_lib("https://example.com/captcha/b/v3//static/load.min.js")
        .with_api_server_subdomain("csc-captcha-example.com")
        .with_enterprise(
            "abc55382321547556267884cc3ba57c3d8a7c14f541fd9c6a7f1ce3173d3b9a1",
            "9a217825f3dcfac3d34e551e93819d610dec931e5e2a2236edf0e1f3f320c191",
            1751469954806,
        )
    };
    check(
        "createTask.YidunTask.enterprise.ru.task.json",
        "yidun_enterprise",
        enterprise(UA),
    );
    let g = golden("createTask.YidunTask.enterprise.task.json");
    let ua = golden_str(&g, "/task/userAgent").to_owned();
    assert!(ua.starts_with("Mozilla/5.0"));
    assert_eq!(body(enterprise(&ua)), g);
}
