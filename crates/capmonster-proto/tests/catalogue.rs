//! The task catalogue against the documentation's own examples (tests/fixtures, copied from the
//! golden set): every typed task builds the documented request body field for field, every
//! documented solution parses into its typed variant, every documented request parses back
//! into its typed task, and every local validation rule names its field.

use capmonster_proto::inputs::base64_encode;
use capmonster_proto::solution::*;
use capmonster_proto::task::*;
use capmonster_proto::*;
use serde_json::{Map, Value, json};

const UA: &str = "userAgentPlaceholder";

fn fixture(name: &str) -> String {
    let path = format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The golden createTask body. Bare task files (`.task.json`) are wrapped as documented.
fn golden(name: &str) -> Value {
    let value: Value = serde_json::from_str(&fixture(name)).unwrap();
    if name.ends_with(".task.json") {
        json!({ "clientKey": "API_KEY", "task": value })
    } else {
        value
    }
}

fn key() -> ClientKey {
    ClientKey::new("API_KEY").unwrap()
}

/// Builds createTask through the endpoint and returns the body as JSON.
fn body_of(create: CreateTask) -> Value {
    let request = create.build(&Service::default(), &key()).unwrap();
    assert_eq!(request.uri(), "https://api.capmonster.cloud/createTask");
    serde_json::from_slice(request.body()).unwrap()
}

fn body(task: impl Into<Task>) -> Value {
    body_of(CreateTask::new(task))
}

/// The documentation's proxy.
fn doc_proxy() -> Proxy {
    Proxy::new(ProxyType::Http, "8.8.8.8", 8080).with_auth("proxyLoginHere", "proxyPasswordHere")
}

/// A valid image: 300 bytes, in base64.
fn image(seed: u8) -> String {
    base64_encode(&vec![seed; 300])
}

fn golden_str<'a>(g: &'a Value, pointer: &str) -> &'a str {
    g.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{pointer} missing"))
}

/// Compares field for field and records a snapshot of the body (key redacted).
fn check(name: &str, snapshot: &str, task: impl Into<Task>) {
    let built = body(task);
    assert_eq!(built, golden(name), "{name}");
    insta::assert_json_snapshot!(snapshot, built, { ".clientKey" => "[redacted]" });
}

/// Compares with a golden body that the test had to adjust (the differences are asserted by
/// the caller before).
fn check_adjusted(adjusted: Value, snapshot: &str, task: impl Into<Task>) {
    let built = body(task);
    assert_eq!(built, adjusted, "{snapshot}");
    insta::assert_json_snapshot!(snapshot, built, { ".clientKey" => "[redacted]" });
}

/// Renames `websiteUrl` to `websiteURL` in a golden task, asserting the example used the
/// other spelling (we always send `websiteURL`, the parameter tables' spelling).
fn respell_website_url(mut g: Value) -> Value {
    let task = g["task"].as_object_mut().unwrap();
    assert!(!task.contains_key("websiteURL"));
    let url = task
        .remove("websiteUrl")
        .expect("the example spells it websiteUrl");
    task.insert("websiteURL".to_owned(), url);
    g
}

/// Replaces placeholder images in `task.imagesBase64` with valid ones, asserting they were
/// placeholders (the documentation writes `base64`, `{background_base64}`, ...).
fn replace_images(mut g: Value, images: &[String]) -> Value {
    let array = g["task"]["imagesBase64"].as_array_mut().unwrap();
    assert_eq!(array.len(), images.len());
    for (slot, img) in array.iter_mut().zip(images) {
        assert_ne!(slot.as_str(), Some(img.as_str()));
        *slot = Value::String(img.clone());
    }
    g
}

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

// ---------------------------------------------------------------- requests: CustomTask

#[test]
fn datadome_request() {
    let g = golden("createTask.CustomTask.DataDome.request.json");
    let proxy = Proxy::new(ProxyType::Http, "123.45.67.89", 8080)
        .with_auth("proxyUsername", "proxyPassword");
    let task = DataDomeTask::new(
        "https://example.com",
        golden_str(&g, "/task/metadata/captchaUrl"),
        "datadome=VYUWrgJ9ap4zmXq8Mgbp...64emvUPeON45z",
        proxy,
    )
    .with_datadome_version("new")
    .with_user_agent(UA);
    check(
        "createTask.CustomTask.DataDome.request.json",
        "custom_datadome",
        task,
    );
}

#[test]
fn tendi_and_basilisk_requests() {
    let tendi = || {
        TenDiTask::new("https://example.com", "189123456")
            .with_user_agent(UA)
            .with_captcha_url("https://global.captcha.example.com/TCaptcha-global.js")
    };
    check(
        "createTask.CustomTask.TenDI.proxyless.request.json",
        "custom_tendi_proxyless",
        tendi(),
    );
    check(
        "createTask.CustomTask.TenDI.proxy.request.json",
        "custom_tendi_proxy",
        tendi().with_proxy(doc_proxy()),
    );
    let basilisk = || {
        BasiliskTask::new(
            "https://domain.io/account/register",
            "b7890hre5cf2544b2759c19fb2600897",
        )
        .with_user_agent(UA)
    };
    check(
        "createTask.CustomTask.Basilisk.proxyless.request.json",
        "custom_basilisk_proxyless",
        basilisk(),
    );
    check(
        "createTask.CustomTask.Basilisk.proxy.request.json",
        "custom_basilisk_proxy",
        basilisk().with_proxy(doc_proxy()),
    );
}

#[test]
fn imperva_request() {
    let g = golden("createTask.CustomTask.Imperva.request.json");
    let task = ImpervaTask::new(
        "https://example.com",
        "_Incapsula_Resource?SWJIYLWA=719d34d31c8e3a6e6fffd425f7e032f3",
        golden_str(&g, "/task/metadata/incapsulaCookies"),
        doc_proxy(),
    )
    .with_reese84_url_endpoint("Built-with-the-For-hopence-Hurleysurfecting-the-")
    .with_user_agent(UA);
    check(
        "createTask.CustomTask.Imperva.request.json",
        "custom_imperva",
        task,
    );
}

#[test]
fn altcha_requests() {
    let g = golden("createTask.CustomTask.altcha.proxyless.request.json");
    // iterations is numeric but documented as a string: the example sends "5000".
    assert_eq!(g["task"]["metadata"]["iterations"], json!("5000"));
    let altcha = || {
        AltchaTask::new(
            "https://example.com",
            "3dd28253be6cc0c54d95f7f98c517e68744597cc6e66109619d1ac975c39181c",
            5000,
            golden_str(&g, "/task/metadata/salt"),
            "4b1cf0e0be0f4e5247e50b0f9a449830f1fbca44c32ff94bc080146815f31a18",
        )
        .with_user_agent(UA)
    };
    check(
        "createTask.CustomTask.altcha.proxyless.request.json",
        "custom_altcha_proxyless",
        altcha(),
    );
    check(
        "createTask.CustomTask.altcha.proxy.request.json",
        "custom_altcha_proxy",
        altcha().with_proxy(doc_proxy()),
    );
}

/// The Castle examples spell the key `Class`; we send `class`, as the parameter table does.
fn castle_golden(name: &str) -> Value {
    let mut g = golden(name);
    let task = g["task"].as_object_mut().unwrap();
    assert!(!task.contains_key("class"));
    let class = task.remove("Class").expect("the example spells it Class");
    assert_eq!(class, "Castle");
    task.insert("class".to_owned(), class);
    g
}

#[test]
fn castle_requests() {
    let castle = || {
        CastleTask::new(
            "https://www.example.com/",
            "pk_1Tk5Yzr1WFzxrJCh7WzMZzY1rHpaOtdK",
            "https://s.rsg.sc/auth/js/20251234bgef/build/cw.js",
            "https://s.rsg.sc/auth/js/20251234bgef/build/csw.js",
        )
        .with_count(1)
        .with_user_agent(UA)
    };
    check_adjusted(
        castle_golden("createTask.CustomTask.Castle.proxyless.task.json"),
        "custom_castle_proxyless",
        castle(),
    );
    check_adjusted(
        castle_golden("createTask.CustomTask.Castle.proxy.task.json"),
        "custom_castle_proxy",
        castle().with_proxy(doc_proxy()),
    );
}

#[test]
fn hunt_requests() {
    let lib =
        "https://example.com/hd-api/external/apps/a2157wab1045d68672a63557e0n2a77edbfd15ea/api.js";
    check(
        "createTask.CustomTask.HUNT.xhd.task.json",
        "custom_hunt_xhd",
        HuntTask::new("https://example.com", lib, doc_proxy()).with_user_agent(UA),
    );
    // The captcha-mode example spells `websiteUrl`; we send `websiteURL`.
    let adjusted = respell_website_url(golden("createTask.CustomTask.HUNT.captcha.task.json"));
    check_adjusted(
        adjusted,
        "custom_hunt_captcha",
        HuntTask::new("https://example.com", lib, doc_proxy())
            .with_data("kufyHK/s/jTNU...AfwIW")
            .with_user_agent(UA),
    );
}

#[test]
fn tspd_request() {
    let g = golden("createTask.CustomTask.tspd.task.json");
    let adjusted = respell_website_url(g.clone());
    check_adjusted(
        adjusted,
        "custom_tspd",
        TspdTask::new(
            "https://example.com",
            UA,
            golden_str(&g, "/task/metadata/tspdCookie"),
            "PCFET0NU...k+PC9odG1sPg==",
            doc_proxy(),
        ),
    );
}

#[test]
fn alibaba_and_temu_requests() {
    let alibaba =
        || AlibabaTask::new("https://www.example.com", "1ww7426c4", "dlw3kug").with_user_agent(UA);
    check(
        "createTask.CustomTask.alibaba.proxyless.request.json",
        "custom_alibaba_proxyless",
        alibaba(),
    );
    check(
        "createTask.CustomTask.alibaba.proxy.request.json",
        "custom_alibaba_proxy",
        alibaba().with_proxy(doc_proxy()),
    );
    let g = golden("createTask.CustomTask.Temu.proxyless.request.json");
    let temu = || {
        TemuTask::new(
            golden_str(&g, "/task/websiteURL"),
            golden_str(&g, "/task/metadata/cookie"),
        )
        .with_user_agent(UA)
    };
    check(
        "createTask.CustomTask.Temu.proxyless.request.json",
        "custom_temu_proxyless",
        temu(),
    );
    check(
        "createTask.CustomTask.Temu.proxy.request.json",
        "custom_temu_proxy",
        temu().with_proxy(doc_proxy()),
    );
}

// ---------------------------------------------------------------- requests parse back

#[test]
fn every_golden_request_parses_into_its_typed_task() {
    let dir = format!("{}/../../tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| {
            n.starts_with("createTask.")
                && (n.ends_with(".request.json") || n.ends_with(".task.json"))
        })
        .collect();
    names.sort();
    let mut typed = 0;
    for name in &names {
        let g = golden(name);
        if name == "createTask.ImageToTextTask.recognizingThreshold.request.json" {
            // A documentation fragment without `type`: not a task.
            assert_eq!(
                Task::from_json_value(g["task"].clone())
                    .unwrap_err()
                    .field(),
                "task.type"
            );
            continue;
        }
        let task =
            Task::from_json_value(g["task"].clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!matches!(task, Task::Raw(_)), "{name} parsed as Raw");
        let expected = TaskKind::from_names(
            g["task"]["type"].as_str().unwrap(),
            g["task"]
                .get("class")
                .or_else(|| g["task"].get("Class"))
                .and_then(Value::as_str),
        );
        assert_ne!(expected, TaskKind::Other, "{name}");
        assert_eq!(task.kind(), expected, "{name}");
        let has_proxy = g["task"].get("proxyType").is_some();
        assert_eq!(task.proxy().is_some(), has_proxy, "{name}");
        typed += 1;
    }
    assert_eq!(typed, 68, "every createTask example but the fragment");
}

#[test]
fn parsed_golden_tasks_keep_their_values() {
    let t = Task::from_json_value(
        golden("createTask.CustomTask.Castle.proxy.task.json")["task"].clone(),
    )
    .unwrap();
    let Task::Castle(c) = t else { panic!("{t:?}") };
    assert_eq!(c.metadata.count, Some(1));
    assert_eq!(c.proxy.unwrap().login.as_deref(), Some("proxyLoginHere"));

    let t = Task::from_json_value(golden("createTask.CustomTask.tspd.task.json")["task"].clone())
        .unwrap();
    let Task::Tspd(t) = t else { panic!() };
    assert_eq!(t.website_url, "https://example.com");

    let t = Task::from_json_value(
        golden("createTask.RecaptchaV2EnterpriseTask.proxyless.request.json")["task"].clone(),
    )
    .unwrap();
    let Task::RecaptchaV2Enterprise(t) = t else {
        panic!()
    };
    assert_eq!(
        t.enterprise_payload.unwrap()["s"],
        json!("SOME_ADDITIONAL_TOKEN")
    );

    let t = Task::from_json_value(
        golden("createTask.CustomTask.altcha.proxy.request.json")["task"].clone(),
    )
    .unwrap();
    let Task::Altcha(a) = t else { panic!() };
    assert_eq!(a.metadata.iterations, 5000);

    let t = Task::from_json_value(
        golden("createTask.TurnstileTask.wait_room.request.json")["task"].clone(),
    )
    .unwrap();
    let Task::Turnstile(t) = t else { panic!() };
    assert_eq!(t.cloudflare_task_type, Some(CloudflareTaskType::WaitRoom));
    assert_eq!(t.proxy_rule(), ProxyRule::Required);

    let t = Task::from_json_value(
        golden("createTask.GeeTestTask.v4.proxy.request.json")["task"].clone(),
    )
    .unwrap();
    let Task::GeeTest(g) = t else { panic!() };
    assert!(g.is_v4());
    assert_eq!(g.init_parameters.unwrap()["riskType"], json!("slide"));
}

#[test]
fn legacy_names_and_lenient_values_are_read() {
    for (type_name, kind) in [
        ("NoCaptchaTask", TaskKind::RecaptchaV2),
        ("NoCaptchaTaskProxyless", TaskKind::RecaptchaV2),
        ("RecaptchaV2TaskProxyless", TaskKind::RecaptchaV2),
        (
            "RecaptchaV2EnterpriseTaskProxyless",
            TaskKind::RecaptchaV2Enterprise,
        ),
        ("HCaptchaTaskProxyless", TaskKind::HCaptcha),
        ("TurnstileTaskProxyless", TaskKind::Turnstile),
        ("FunCaptchaTaskProxyless", TaskKind::FunCaptcha),
        ("BinanceTaskProxyless", TaskKind::Binance),
        ("ProsopoTaskProxyless", TaskKind::Prosopo),
    ] {
        let mut object = json!({"type": type_name, "websiteURL": "https://a.example"});
        match kind {
            TaskKind::FunCaptcha => object["websitePublicKey"] = json!("k"),
            TaskKind::Binance => {
                object["websiteKey"] = json!("k");
                object["validateId"] = json!("v");
            }
            _ => object["websiteKey"] = json!("k"),
        }
        let t = Task::from_json_value(object).unwrap();
        assert_eq!(t.kind(), kind, "{type_name}");
        assert!(!matches!(t, Task::Raw(_)), "{type_name}: {t:?}");
    }
    let t = Task::from_json_value(json!({
        "type": "AmazonTaskProxyless", "websiteUrl": "https://a.example", "websiteKey": "k",
        "captchaScript": "https://a.example/jsapi.js", "cookieSolution": 1
    }))
    .unwrap();
    let Task::Amazon(a) = t else { panic!() };
    assert_eq!(a.cookie_solution, Some(true));
    assert_eq!(a.website_url, "https://a.example");

    let t = Task::from_json_value(json!({
        "type": "CustomTask", "class": "Incapsula", "websiteURL": "https://a.example",
        "metadata": {"incapsulaScriptUrl": "x", "incapsulaCookies": "y"}
    }))
    .unwrap();
    assert_eq!(t.kind(), TaskKind::Imperva);
    // Sent back with the current class name.
    assert_eq!(serde_json::to_value(&t).unwrap()["class"], "Imperva");

    let t = Task::from_json_value(json!({
        "type": "RecaptchaV3TaskProxyless", "websiteURL": "https://a.example",
        "websiteKey": "k", "isEnterprise": 1, "minScore": 0.3
    }))
    .unwrap();
    let Task::RecaptchaV3(v3) = t else { panic!() };
    assert_eq!(v3.is_enterprise, Some(true));

    let t = Task::from_json_value(json!({
        "type": "RecaptchaV2EnterpriseTask", "websiteURL": "https://a.example",
        "websiteKey": "k", "enterprisePayload": "{\"s\":\"abc\"}"
    }))
    .unwrap();
    let Task::RecaptchaV2Enterprise(e) = t else {
        panic!()
    };
    assert_eq!(e.enterprise_payload.unwrap()["s"], json!("abc"));
}

#[test]
fn unknown_types_and_classes_stay_raw() {
    for v in [
        json!({"type": "SomeFutureTask", "websiteURL": "https://a.example"}),
        json!({"type": "CustomTask", "class": "friendly", "websiteURL": "https://a.example"}),
        json!({"type": "ComplexImageTask", "class": "hcaptcha", "imagesBase64": []}),
    ] {
        let t = Task::from_json_value(v.clone()).unwrap();
        assert!(matches!(t, Task::Raw(_)), "{v}");
        assert_eq!(t.kind(), TaskKind::Other);
        assert_eq!(serde_json::to_value(&t).unwrap(), v);
        assert!(t.validate().is_ok());
    }
}

// ---------------------------------------------------------------- naming, proxy rules

#[test]
fn legacy_naming_sends_proxyless_names_only_without_a_proxy() {
    let legacy = Service::default().with_type_naming(TypeNaming::Legacy);
    let send = |t: Task| -> Value {
        let r = CreateTask::new(t).build(&legacy, &key()).unwrap();
        serde_json::from_slice::<Value>(r.body()).unwrap()["task"]["type"].clone()
    };
    let cases: Vec<(Task, &str, &str)> = vec![
        (
            RecaptchaV2Task::new("https://a.example", "k").into(),
            "RecaptchaV2TaskProxyless",
            "RecaptchaV2Task",
        ),
        (
            RecaptchaV2EnterpriseTask::new("https://a.example", "k").into(),
            "RecaptchaV2EnterpriseTaskProxyless",
            "RecaptchaV2EnterpriseTask",
        ),
        (
            HCaptchaTask::new("https://a.example", "k").into(),
            "HCaptchaTaskProxyless",
            "HCaptchaTask",
        ),
        (
            TurnstileTask::new("https://a.example", "k").into(),
            "TurnstileTaskProxyless",
            "TurnstileTask",
        ),
        (
            FunCaptchaTask::new("https://a.example", "k").into(),
            "FunCaptchaTaskProxyless",
            "FunCaptchaTask",
        ),
        (
            AmazonTask::captcha("https://a.example", "k", "https://a.example/jsapi.js").into(),
            "AmazonTaskProxyless",
            "AmazonTask",
        ),
        (
            BinanceTask::new("https://a.example", "k", "v").into(),
            "BinanceTaskProxyless",
            "BinanceTask",
        ),
        (
            ProsopoTask::new("https://a.example", "k").into(),
            "ProsopoTaskProxyless",
            "ProsopoTask",
        ),
        (
            GeeTestTask::v4("https://a.example", "k").into(),
            "GeeTestTaskProxyless",
            "GeeTestTask",
        ),
    ];
    for (task, legacy_name, documented) in cases {
        assert_eq!(send(task.clone()), legacy_name);
        assert_eq!(task.type_name(TypeNaming::Documented), documented);
        assert_eq!(body(task)["task"]["type"], documented);
    }
    // With a proxy the legacy name is the plain one.
    assert_eq!(
        send(
            RecaptchaV2Task::new("https://a.example", "k")
                .with_proxy(doc_proxy())
                .into()
        ),
        "RecaptchaV2Task"
    );
    // Types without a legacy name keep theirs.
    assert_eq!(
        send(MtCaptchaTask::new("https://a.example", "k").into()),
        "MTCaptchaTask"
    );
    assert_eq!(
        send(RecaptchaV3Task::new("https://a.example", "k").into()),
        "RecaptchaV3TaskProxyless"
    );
    assert_eq!(
        send(RecaptchaV3EnterpriseTask::new("https://a.example", "k").into()),
        "RecaptchaV3EnterpriseTask"
    );
}

#[test]
fn proxy_rules_follow_the_summary_table() {
    use ProxyRule::*;
    let expected = [
        (TaskKind::ImageToText, None),
        (TaskKind::RecaptchaV2, Optional),
        (TaskKind::RecaptchaV2Enterprise, Optional),
        (TaskKind::RecaptchaV3, None),
        (TaskKind::RecaptchaV3Enterprise, None),
        (TaskKind::ComplexImageRecaptcha, None),
        (TaskKind::ComplexImageRecognition, None),
        (TaskKind::HCaptcha, Optional),
        (TaskKind::GeeTest, Optional),
        (TaskKind::Turnstile, Optional),
        (TaskKind::FunCaptcha, Optional),
        (TaskKind::Amazon, Optional),
        (TaskKind::Binance, Optional),
        (TaskKind::Prosopo, Optional),
        (TaskKind::MtCaptcha, Optional),
        (TaskKind::Yidun, Optional),
        (TaskKind::DataDome, Required),
        (TaskKind::TenDi, Optional),
        (TaskKind::Basilisk, Optional),
        (TaskKind::Imperva, Required),
        (TaskKind::Altcha, Optional),
        (TaskKind::Castle, Optional),
        (TaskKind::Hunt, Required),
        (TaskKind::Tspd, Required),
        (TaskKind::Alibaba, Optional),
        (TaskKind::Temu, Optional),
        (TaskKind::Other, Optional),
    ];
    assert_eq!(expected.len(), TaskKind::ALL.len());
    for (kind, rule) in expected {
        assert_eq!(kind.proxy_rule(), rule, "{kind:?}");
    }
    let cf = Task::from(TurnstileTask::cf_clearance(
        "https://a.example",
        "k",
        "PGh0bWw+",
        UA,
        doc_proxy(),
    ));
    assert_eq!(cf.proxy_rule(), Required);
    assert_eq!(
        Task::from(TurnstileTask::new("https://a.example", "k")).proxy_rule(),
        Optional
    );
}

#[test]
fn nocache_is_reported_for_the_types_that_take_it() {
    assert!(
        Task::from(RecaptchaV2Task::new("https://a.example", "k").with_nocache(true)).nocache()
    );
    assert!(
        Task::from(RecaptchaV3Task::new("https://a.example", "k").with_nocache(true)).nocache()
    );
    assert!(!Task::from(RecaptchaV3Task::new("https://a.example", "k")).nocache());
    assert_eq!(
        body(RecaptchaV3Task::new("https://a.example", "k").with_nocache(true))["task"]["nocache"],
        true
    );
}

// ---------------------------------------------------------------- solutions

fn ready(kind: TaskKind, name: &str) -> Ready {
    let text = fixture(name);
    let response = http::Response::builder()
        .status(200)
        .body(text.as_bytes())
        .unwrap();
    match GetTaskResult::new(407533072, kind)
        .parse(&Service::default(), response)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
    {
        TaskResult::Ready(r) => *r,
        TaskResult::Processing => panic!("{name}: processing"),
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn recaptcha_and_text_solutions() {
    for (kind, name) in [
        (
            TaskKind::RecaptchaV2,
            "getTaskResult.RecaptchaV2Task.response.json",
        ),
        (
            TaskKind::RecaptchaV2Enterprise,
            "getTaskResult.RecaptchaV2EnterpriseTask.response.json",
        ),
        (
            TaskKind::RecaptchaV3,
            "getTaskResult.RecaptchaV3TaskProxyless.response.json",
        ),
        (
            TaskKind::RecaptchaV3Enterprise,
            "getTaskResult.RecaptchaV3EnterpriseTask.response.json",
        ),
    ] {
        let r = ready(kind, name);
        let Solution::Recaptcha(s) = &r.solution else {
            panic!("{name}: {:?}", r.solution)
        };
        assert_eq!(
            s.g_recaptcha_response,
            "3AHJ_VuvYIBNBW5yyv0zRYJ75VkOKvhKj9_xGBJKnQimF72rfoq3Iy-DyGHMwLAo6a3"
        );
        assert_eq!(
            r.solution.main_value(),
            Some(s.g_recaptcha_response.as_str())
        );
    }
    for (kind, name) in [
        (
            TaskKind::RecaptchaV2,
            "getTaskResult.RecaptchaV2Task.userAgent-cookies.response.json",
        ),
        (
            TaskKind::RecaptchaV3,
            "getTaskResult.RecaptchaV3TaskProxyless.userAgent-cookies.response.json",
        ),
    ] {
        let r = ready(kind, name);
        let Solution::Recaptcha(s) = &r.solution else {
            panic!()
        };
        assert_eq!(s.g_recaptcha_response, "0cAFcWeA5Y3...hF8UWA");
        assert_eq!(s.cookies.as_ref().unwrap()["nocookies"], "true");
        assert!(r.solution.user_agent().unwrap().contains("Chrome/139"));
    }
    let r = ready(
        TaskKind::RecaptchaV3Enterprise,
        "getTaskResult.RecaptchaV3EnterpriseTask.userAgent.response.json",
    );
    assert!(r.solution.user_agent().unwrap().contains("Macintosh"));
    let r = ready(
        TaskKind::ImageToText,
        "getTaskResult.ImageToTextTask.response.json",
    );
    assert_eq!(
        r.solution,
        Solution::Text(serde_json::from_value(json!({"text": "answer"})).unwrap())
    );
    assert_eq!(r.solution.main_value(), Some("answer"));
}

#[test]
fn hcaptcha_solution() {
    let r = ready(
        TaskKind::HCaptcha,
        "getTaskResult.HCaptchaTask.response.json",
    );
    let Solution::HCaptcha(s) = &r.solution else {
        panic!("{:?}", r.solution)
    };
    assert!(s.g_recaptcha_response.starts_with("P1_eyJ0eXAiOiJKV1Qi"));
    assert!(s.resp_key.as_deref().unwrap().starts_with("E0_eyJ0eXAi"));
    assert_eq!(s.user_agent.as_deref(), Some(UA));
    assert_eq!(
        r.solution.main_value(),
        Some(s.g_recaptcha_response.as_str())
    );
}

#[test]
fn complex_image_solutions() {
    let r = ready(
        TaskKind::ComplexImageRecaptcha,
        "getTaskResult.ComplexImageTask.recaptcha.response.json",
    );
    let Solution::ComplexImage(s) = &r.solution else {
        panic!()
    };
    assert_eq!(
        s.answer.as_booleans().unwrap(),
        &[false, false, false, false, true, false, false, false, false]
    );
    assert_eq!(s.answer_type(), None);

    let numbers = |section: &str| {
        let r = ready(
            TaskKind::ComplexImageRecognition,
            &format!("getTaskResult.ComplexImageTask.recognition.{section}.response.json"),
        );
        let Solution::ComplexImage(s) = r.solution else {
            panic!("{section}")
        };
        (
            s.answer.as_numbers().unwrap().to_vec(),
            s.answer_type().cloned(),
            r.extras.cost,
        )
    };
    assert_eq!(
        numbers("oocl_rotate_new"),
        (vec![130.90909], Some(AnswerType::NumericArray), None)
    );
    assert_eq!(numbers("oocl_rotate_double_new").0, vec![130.90909]);
    assert_eq!(
        numbers("betpunch_3x3_rotate").0,
        vec![4.0, 4.0, 4.0, 4.0, 4.0, 3.0, 1.0, 2.0, 2.0]
    );
    assert_eq!(
        numbers("baidu"),
        (vec![297.0], Some(AnswerType::NumericArray), Some(0.0005))
    );
    // bills_audio: digits in an array, although AnswerType says Text.
    assert_eq!(
        numbers("bills_audio"),
        (
            vec![6.0, 8.0, 4.0, 1.0, 2.0, 3.0],
            Some(AnswerType::Text),
            Some(0.0008)
        )
    );

    let r = ready(
        TaskKind::ComplexImageRecognition,
        "getTaskResult.ComplexImageTask.recognition.bls.response.json",
    );
    let Solution::ComplexImage(s) = &r.solution else {
        panic!()
    };
    assert_eq!(
        s.answer.as_booleans().unwrap(),
        &[true, true, false, false, true, false, false, true, true]
    );
    assert_eq!(s.answer_type(), Some(&AnswerType::Grid));

    let r = ready(
        TaskKind::ComplexImageRecognition,
        "getTaskResult.ComplexImageTask.recognition.shein.response.json",
    );
    let Solution::ComplexImage(s) = &r.solution else {
        panic!()
    };
    let points = s.answer.as_points().unwrap();
    assert_eq!(points.len(), 3);
    assert_eq!(points[0], Point::new(68.99999964, 201.954889));
    // serde_json (without float_roundtrip) may read long decimals one ulp off.
    assert!((points[1].x - 127.99999783999999).abs() < 1e-9);
    assert_eq!(s.answer_type(), Some(&AnswerType::Coordinate));
    assert_eq!(r.cost(), Some(0.0003));

    let r = ready(
        TaskKind::ComplexImageRecognition,
        "getTaskResult.ComplexImageTask.recognition.shein.ru.response.json",
    );
    let Solution::ComplexImage(s) = &r.solution else {
        panic!()
    };
    assert_eq!(
        s.answer.as_points().unwrap()[0],
        Point::new(69.0, 201.954889)
    );

    let r = ready(
        TaskKind::ComplexImageRecognition,
        "getTaskResult.ComplexImageTask.recognition.dli_ensemble.response.json",
    );
    let Solution::ComplexImage(s) = &r.solution else {
        panic!()
    };
    assert_eq!(s.answer, ComplexImageAnswer::Text("1".into()));
    assert_eq!(r.solution.main_value(), Some("1"));
}

#[test]
fn geetest_solutions() {
    let r = ready(
        TaskKind::GeeTest,
        "getTaskResult.GeeTestTask.v3.response.json",
    );
    let Solution::GeeTestV3(s) = &r.solution else {
        panic!("{:?}", r.solution)
    };
    assert_eq!(s.challenge, "0f759dd1ea6c4wc76cedc2991039ca4f23");
    assert_eq!(s.validate, "6275e26419211d1f526e674d97110e15");
    assert_eq!(s.seccode, "510cd9735583edcb158601067195a5eb|jordan");

    let r = ready(
        TaskKind::GeeTest,
        "getTaskResult.GeeTestTask.v4.response.json",
    );
    let Solution::GeeTestV4(s) = &r.solution else {
        panic!("{:?}", r.solution)
    };
    assert_eq!(
        s.captcha_id.as_deref(),
        Some("f5c2ad5a8a3cf37192d8b9c039950f79")
    );
    assert_eq!(s.lot_number, "bcb2c6ce2f8e4e9da74f2c1fa63bd713");
    assert_eq!(s.gen_time, "1683794919");
    assert!(s.captcha_output.starts_with("XwmTZEJCJEnRIJBlvtEAZ662T"));
    assert_eq!(s.encrypted_data, None);
    assert_eq!(r.solution.main_value(), Some(s.pass_token.as_str()));

    let r = ready(
        TaskKind::GeeTest,
        "getTaskResult.GeeTestTaskProxyless.galxe.response.json",
    );
    let Solution::GeeTestV4(s) = &r.solution else {
        panic!("{:?}", r.solution)
    };
    assert_eq!(s.captcha_id, None);
    assert_eq!(s.encrypted_data.as_deref(), Some(""));
    assert_eq!(s.gen_time, "1753158042");
    assert_eq!(
        s.pass_token,
        "ce024389a0926e0d1081792c83e0c46f882084e45e95afa0e148fd03aed3ae10"
    );
}

#[test]
fn turnstile_solutions() {
    for name in [
        "getTaskResult.TurnstileTask.response.json",
        "getTaskResult.TurnstileTask.challenge-token.response.json",
    ] {
        let r = ready(TaskKind::Turnstile, name);
        let Solution::Turnstile(s) = &r.solution else {
            panic!()
        };
        assert_eq!(
            s.token.as_deref(),
            Some("0.iGX3xsyFCkbGePM3jP4P4khLo6TrLukt8ZzBvwuQOvbC...f61f3082")
        );
        assert_eq!(r.solution.user_agent(), Some(UA));
    }
    for name in [
        "getTaskResult.TurnstileTask.challenge-cf_clearance.response.json",
        "getTaskResult.TurnstileTask.wait_room.response.json",
    ] {
        let r = ready(TaskKind::Turnstile, name);
        let Solution::Turnstile(s) = &r.solution else {
            panic!()
        };
        assert!(
            s.cf_clearance
                .as_deref()
                .unwrap()
                .starts_with("1tarGvbY2_ZhQdYxpSBloao")
        );
        assert_eq!(r.solution.main_value(), s.cf_clearance.as_deref());
    }
}

#[test]
fn token_solutions() {
    let r = ready(
        TaskKind::FunCaptcha,
        "getTaskResult.FunCaptchaTask.response.json",
    );
    let Solution::Token(s) = &r.solution else {
        panic!()
    };
    assert!(
        s.token
            .starts_with("337187b9f57678923.5060184402|r=us-west-2")
    );
    assert_eq!(s.user_agent.as_deref(), Some(UA));

    let r = ready(TaskKind::Binance, "getTaskResult.BinanceTask.response.json");
    let Solution::Token(s) = &r.solution else {
        panic!()
    };
    assert!(s.token.starts_with("captcha#09ba4905"));
    assert_eq!(s.user_agent.as_deref(), Some(UA));

    let r = ready(TaskKind::Prosopo, "getTaskResult.ProsopoTask.response.json");
    let Solution::Token(s) = &r.solution else {
        panic!()
    };
    assert!(s.token.starts_with("0x00016c68747470733a2f2f"));
    assert_eq!(s.user_agent, None);

    let r = ready(
        TaskKind::MtCaptcha,
        "getTaskResult.MTCaptchaTask.response.json",
    );
    assert_eq!(
        r.solution.main_value(),
        Some("v1(155506dc,c8c2e356,MTPublic-abCDEFJAB,70f03532a53...5FSDA**)")
    );
    assert!(matches!(r.solution, Solution::Token(_)));

    let r = ready(TaskKind::Yidun, "getTaskResult.YidunTask.response.json");
    assert_eq!(
        r.solution.main_value(),
        Some("CN31_9AwsPmaYcJameP_09rA0vkVMQsPij...RXTlFJFc3")
    );
    assert!(matches!(r.solution, Solution::Token(_)));
}

#[test]
fn amazon_solutions_in_both_shapes() {
    let r = ready(TaskKind::Amazon, "getTaskResult.AmazonTask.response.json");
    let Solution::Amazon(s) = &r.solution else {
        panic!()
    };
    let token = s.aws_waf_token().unwrap();
    assert!(token.starts_with("10115f5b-ebd8-45c7-851e-cfd4f6a82e3e:EAoAua1QezAhAAAA:"));
    assert_eq!(s.user_agent.as_deref(), Some(UA));
    assert_eq!(r.solution.main_value(), Some(token));

    // cookieSolution = false: no documented example; the named fields at the top level.
    let s = Solution::parse(
        TaskKind::Amazon,
        r#"{"captcha_voucher":"voucher","existing_token":"tok"}"#,
    );
    let Solution::Amazon(a) = &s else {
        panic!("{s:?}")
    };
    assert_eq!(a.captcha_voucher.as_deref(), Some("voucher"));
    assert_eq!(s.main_value(), Some("tok"));
    assert_eq!(Solution::parse(TaskKind::Amazon, "{}"), Solution::Raw);
}

fn custom(kind: TaskKind, class: &str) -> (Solution, CustomTaskSolution) {
    let r = ready(
        kind,
        &format!("getTaskResult.CustomTask.{class}.response.json"),
    );
    let Solution::Custom(s) = &r.solution else {
        panic!("{class}: {:?}", r.solution)
    };
    (r.solution.clone(), s.clone())
}

#[test]
fn custom_task_solutions() {
    let (sol, s) = custom(TaskKind::DataDome, "DataDome");
    let dd = "P1w0VnjFcTFslfps0J4FaPpY_QPbPBW4MeYxj4LW~pztIfJiSSuBPr8oQTUHzdrfgv137FbOBd3kCUOOgny7LhIkhm5e1qdtzYM4s2e46U_qfERK4KiCy22MOSIDsDyh";
    assert_eq!(s.cookie("datadome"), Some(dd));
    assert_eq!(
        s.domains.as_ref().unwrap()["www.example.com"].local_storage,
        None
    );
    assert_eq!(
        (s.url.clone(), s.headers.clone(), s.data.clone()),
        (None, None, None)
    );
    assert_eq!(sol.main_value(), Some(dd));

    let (sol, s) = custom(TaskKind::TenDi, "TenDI");
    assert_eq!(s.data_str("randstr"), Some("@EcL"));
    assert_eq!(sol.main_value(), Some("tr03lHUhdnuW3neJZu.....7LrIbs*"));
    assert_eq!(sol.user_agent(), Some(UA));

    let (sol, s) = custom(TaskKind::Basilisk, "Basilisk");
    assert_eq!(sol.main_value(), Some("5620301f30daf284b829fba66fa9b3d0"));
    assert_eq!(s.headers.as_ref().unwrap()["User-Agent"], UA);

    let (sol, s) = custom(TaskKind::Imperva, "Imperva");
    // Imperva keys domains by URL, and cookie values carry their attributes.
    let utmvc = s.domains.as_ref().unwrap()["https://example.com"]
        .cookies
        .as_ref()
        .unwrap()["___utmvc"]
        .clone();
    assert!(utmvc.ends_with("; Max-Age=31536000; Domain=.site.com; Path=/; Secure; SameSite=Lax"));
    assert_eq!(sol.main_value(), Some(utmvc.as_str()));
    assert!(
        s.cookie_header()
            .starts_with("___utmvc=NMB+nRa4inxXNeXuhPl9w4opzdo")
    );
    assert!(!s.cookie_header().contains("Max-Age"));

    let (sol, s) = custom(TaskKind::Altcha, "altcha");
    assert_eq!(s.data.as_ref().unwrap()["number"], json!(44619));
    assert_eq!(sol.main_value(), Some("eyJhbGdvcml...Ljc2MDEzM30=="));
    let (sol, _) = custom(TaskKind::Altcha, "altcha.ru");
    assert_eq!(sol.main_value(), Some("eyJhbGdvcml...Ljc2MDEzM30="));

    let (sol, s) = custom(TaskKind::Castle, "Castle");
    assert_eq!(s.tokens(), vec!["Q05Ap...H7nYn", "cn9xW...aFl_4", "..."]);
    assert_eq!(s.cookie("__cuid"), Some("6883480a9ab7442d9f97da7307d6ea9c"));
    assert_eq!(sol.main_value(), Some("Q05Ap...H7nYn"));

    let (sol, _) = custom(TaskKind::Hunt, "HUNT");
    assert_eq!(sol.main_value(), Some("6IyDCCpDdSK...YGs1Wug/z/kLNSpjewI="));

    let (sol, s) = custom(TaskKind::Tspd, "tspd");
    // TSPD prints Domains/Cookies capitalised.
    assert_eq!(
        s.domains.as_ref().unwrap()["example.com"]
            .cookies
            .as_ref()
            .unwrap()
            .len(),
        6
    );
    assert_eq!(s.cookie("TS386a400d075"), Some("0402b...1000"));
    assert_eq!(sol.main_value(), Some("08267...1d53f"));

    let (sol, s) = custom(TaskKind::Alibaba, "alibaba");
    let tokens: Value = serde_json::from_str(s.data_str("tokens").unwrap()).unwrap();
    assert_eq!(tokens["certifyId"], "kBjCxX2W2c");
    assert_eq!(sol.main_value(), s.data_str("tokens"));

    let (sol, s) = custom(TaskKind::Temu, "Temu");
    assert_eq!(s.cookie("region"), Some("211"));
    assert_eq!(s.cookie("currency"), Some("USD"));
    // Many cookies and no single main one.
    assert_eq!(sol.main_value(), None);
    assert!(s.cookie_header().contains("region=211"));
}

#[test]
fn mismatched_or_unknown_solutions_fall_back_to_raw() {
    assert_eq!(
        Solution::parse(TaskKind::FunCaptcha, r#"{"text":"x"}"#),
        Solution::Raw
    );
    assert_eq!(
        Solution::parse(TaskKind::GeeTest, r#"{"challenge":"x"}"#),
        Solution::Raw
    );
    assert_eq!(
        Solution::parse(TaskKind::DataDome, r#"{"url":null}"#),
        Solution::Raw
    );
    assert_eq!(
        Solution::parse(TaskKind::Turnstile, r#"{"userAgent":"x"}"#),
        Solution::Raw
    );
    assert_eq!(
        Solution::parse(TaskKind::Other, r#"{"token":"x"}"#),
        Solution::Raw
    );
    assert_eq!(
        Solution::parse(TaskKind::ComplexImageRecognition, r#"{"answer":{"a":1}}"#),
        Solution::Raw
    );
    let r = ready(TaskKind::Other, "getTaskResult.YidunTask.response.json");
    assert_eq!(r.solution, Solution::Raw);
    assert!(r.raw_json().contains("CN31_9AwsPmaYcJameP_09rA0vkVMQsPij"));
}

// ---------------------------------------------------------------- validation, one per rule

fn field_of(task: impl Into<Task>) -> String {
    let task = task.into();
    let err = task.validate().expect_err("should be refused");
    // Endpoint::build refuses it too, with the same error.
    let build = CreateTask::new(task)
        .build(&Service::default(), &key())
        .unwrap_err();
    assert!(build.to_string().contains(err.field()), "{build}");
    assert!(!err.rule().is_empty());
    err.field().to_owned()
}

fn auth_less_proxy() -> Proxy {
    Proxy::new(ProxyType::Http, "8.8.8.8", 8080)
}

#[test]
fn rule_website_url_is_http_or_https() {
    assert_eq!(
        field_of(RecaptchaV2EnterpriseTask::new("ftp://x.y", "k")),
        "task.websiteURL"
    );
    assert_eq!(
        field_of(RecaptchaV3Task::new("example.com", "k")),
        "task.websiteURL"
    );
    assert_eq!(field_of(YidunTask::new("", "k")), "task.websiteURL");
    assert_eq!(
        field_of(TemuTask::new("javascript:alert(1)", "c")),
        "task.websiteURL"
    );
    assert_eq!(
        field_of(AltchaTask::new("https://", "c", 1, "s", "sig")),
        "task.websiteURL"
    );
}

#[test]
fn rule_required_strings_are_not_empty() {
    assert_eq!(
        field_of(RecaptchaV3EnterpriseTask::new("https://a.example", " ")),
        "task.websiteKey"
    );
    assert_eq!(
        field_of(FunCaptchaTask::new("https://a.example", "")),
        "task.websitePublicKey"
    );
    assert_eq!(
        field_of(BinanceTask::new("https://a.example", "login", "")),
        "task.validateId"
    );
    assert_eq!(
        field_of(ProsopoTask::new("https://a.example", "")),
        "task.websiteKey"
    );
    assert_eq!(
        field_of(BasiliskTask::new("https://a.example", "")),
        "task.websiteKey"
    );
    assert_eq!(
        field_of(TemuTask::new("https://a.example", "")),
        "task.metadata.cookie"
    );
    assert_eq!(
        field_of(AlibabaTask::new("https://a.example", "", "p")),
        "task.metadata.sceneId"
    );
    assert_eq!(
        field_of(AltchaTask::new("https://a.example", "c", 10, "", "sig")),
        "task.metadata.salt"
    );
    assert_eq!(
        field_of(RecaptchaV3Task::new("https://a.example", "k").with_page_action("")),
        "task.pageAction"
    );
}

#[test]
fn rule_min_score_is_between_0_1_and_0_9() {
    for bad in [0.0, 0.09, 0.91, 1.0, f64::NAN, -0.5] {
        assert_eq!(
            field_of(RecaptchaV3Task::new("https://a.example", "k").with_min_score(bad)),
            "task.minScore"
        );
        assert_eq!(
            field_of(RecaptchaV3EnterpriseTask::new("https://a.example", "k").with_min_score(bad)),
            "task.minScore"
        );
    }
    for good in [0.1, 0.5, 0.9] {
        assert!(
            Task::from(RecaptchaV3Task::new("https://a.example", "k").with_min_score(good))
                .validate()
                .is_ok()
        );
    }
}

#[test]
fn rule_api_domain_is_a_documented_host() {
    assert_eq!(
        field_of(
            RecaptchaV2EnterpriseTask::new("https://a.example", "k").with_api_domain("google.com")
        ),
        "task.apiDomain"
    );
    assert!(
        Task::from(
            RecaptchaV2EnterpriseTask::new("https://a.example", "k")
                .with_api_domain("www.recaptcha.net")
        )
        .validate()
        .is_ok()
    );
}

#[test]
fn rule_click_images_come_from_exactly_one_source() {
    let mut both =
        ComplexImageRecaptchaTask::from_urls(Grid::FourByFour, ["https://a.example/i.png"])
            .with_task("Click on buses");
    both.images_base64 = Some(vec![image(1)]);
    assert_eq!(field_of(both), "task.imageUrls");
    let mut none =
        ComplexImageRecaptchaTask::from_urls(Grid::FourByFour, ["https://a.example/i.png"])
            .with_task("Click on buses");
    none.image_urls = None;
    assert_eq!(field_of(none), "task.imageUrls");
    assert_eq!(
        field_of(
            ComplexImageRecaptchaTask::from_urls(Grid::OneByOne, Vec::<String>::new())
                .with_task("t")
        ),
        "task.imageUrls"
    );
    assert_eq!(
        field_of(
            ComplexImageRecaptchaTask::from_urls(Grid::OneByOne, ["not a url"]).with_task("t")
        ),
        "task.imageUrls"
    );
}

#[test]
fn rule_click_needs_task_or_definition() {
    let t = ComplexImageRecaptchaTask::from_base64(Grid::ThreeByThree, [image(2)]);
    assert_eq!(field_of(t.clone()), "task.metadata.Task");
    assert!(
        Task::from(t.clone().with_task_definition("/m/015qff"))
            .validate()
            .is_ok()
    );
    assert!(
        Task::from(t.with_task("Click on traffic lights"))
            .validate()
            .is_ok()
    );
}

#[test]
fn rule_images_are_100_bytes_to_50_kb() {
    let small = base64_encode(&[1u8; 99]);
    let big = base64_encode(&vec![1u8; 50 * 1024 + 1]);
    assert_eq!(
        field_of(
            ComplexImageRecaptchaTask::from_base64(Grid::ThreeByThree, [small.clone()])
                .with_task("t")
        ),
        "task.imagesBase64"
    );
    assert_eq!(
        field_of(ComplexImageRecognitionTask::new("shein", [big.clone()])),
        "task.imagesBase64"
    );
    assert_eq!(
        field_of(ComplexImageRecognitionTask::new(
            "shein",
            Vec::<String>::new()
        )),
        "task.imagesBase64"
    );
    assert_eq!(field_of(ImageToTextTask::new(small)), "task.body");
    // Audio is only checked to be base64: the documented WAV is larger than 50 KB.
    assert!(
        Task::from(
            ComplexImageRecognitionTask::new("bills_audio", [big]).with_payload_type("Audio")
        )
        .validate()
        .is_ok()
    );
    assert_eq!(
        field_of(
            ComplexImageRecognitionTask::new("bills_audio", ["not base64!"])
                .with_payload_type("Audio")
        ),
        "task.imagesBase64"
    );
    assert_eq!(
        field_of(ComplexImageRecognitionTask::new(" ", [image(1)])),
        "task.metadata.Task"
    );
}

#[test]
fn rule_geetest_versions() {
    let mut no_challenge = GeeTestTask::v3("https://a.example", "gt", "c");
    no_challenge.challenge = None;
    assert_eq!(field_of(no_challenge), "task.challenge");
    let mut v5 = GeeTestTask::v4("https://a.example", "gt");
    v5.version = Some(5);
    assert_eq!(field_of(v5), "task.version");
    assert_eq!(
        field_of(GeeTestTask::v3("https://a.example", "gt", "c").with_init_parameters(Map::new())),
        "task.initParameters"
    );
    assert_eq!(
        field_of(GeeTestTask::v4("https://a.example", "")),
        "task.gt"
    );
    assert_eq!(
        field_of(
            GeeTestTask::v4("https://a.example", "gt").with_api_server_subdomain("api.geetest.com")
        ),
        "task.geetestApiServerSubdomain"
    );
    assert_eq!(
        field_of(
            GeeTestTask::v4("https://a.example", "gt")
                .with_api_server_subdomain("https://api-na.geetest.com")
        ),
        "task.geetestApiServerSubdomain"
    );
    // No IP-authorised proxies for GeeTest: login and password are required.
    assert_eq!(
        field_of(GeeTestTask::v4("https://a.example", "gt").with_proxy(auth_less_proxy())),
        "task.proxyLogin"
    );
}

#[test]
fn rule_turnstile_modes() {
    let mut token =
        TurnstileTask::challenge_token("https://a.example", "k", "managed", "d", "pd", UA);
    token.page_data = None;
    assert_eq!(field_of(token), "task.pageData");
    let mut token =
        TurnstileTask::challenge_token("https://a.example", "k", "managed", "d", "pd", UA);
    token.user_agent = None;
    assert_eq!(field_of(token), "task.userAgent");
    assert_eq!(
        field_of(
            TurnstileTask::challenge_token("https://a.example", "k", "managed", "d", "pd", UA)
                .with_api_js_url("api.js")
        ),
        "task.apiJsUrl"
    );
    let mut plain = TurnstileTask::new("https://a.example", "k");
    plain.html_page_base64 = Some("PGh0bWw+".into());
    assert_eq!(field_of(plain), "task.htmlPageBase64");
    let mut cf = TurnstileTask::cf_clearance("https://a.example", "k", "", UA, doc_proxy());
    assert_eq!(field_of(cf.clone()), "task.htmlPageBase64");
    cf.html_page_base64 = Some("PGh0bWw+".into());
    assert!(Task::from(cf.clone()).validate().is_ok());
    cf.user_agent = None;
    assert_eq!(field_of(cf), "task.userAgent");
}

#[test]
fn rule_required_proxies_are_present_with_credentials() {
    let mut cf = TurnstileTask::cf_clearance("https://a.example", "k", "PGh0bWw+", UA, doc_proxy());
    cf.proxy = None;
    assert_eq!(field_of(cf), "task.proxyType");
    let wait =
        TurnstileTask::wait_room("https://a.example", "k", "PGh0bWw+", UA, auth_less_proxy());
    assert_eq!(field_of(wait), "task.proxyLogin");
    let mut dd = DataDomeTask::new(
        "https://a.example",
        "https://geo.captcha-delivery.com/captcha/",
        "datadome=x",
        doc_proxy(),
    );
    dd.proxy = None;
    assert_eq!(field_of(dd), "task.proxyType");
    let mut no_password = doc_proxy();
    no_password.password = None;
    assert_eq!(
        field_of(ImpervaTask::new(
            "https://a.example",
            "_Incapsula_Resource?x=1",
            "incap_ses=1",
            no_password
        )),
        "task.proxyPassword"
    );
    let mut hunt = HuntTask::new("https://a.example", "https://a.example/api.js", doc_proxy());
    hunt.proxy = None;
    assert_eq!(field_of(hunt), "task.proxyType");
    assert_eq!(
        field_of(TspdTask::new(
            "https://a.example",
            UA,
            "TS1=a",
            "PGh0bWw+",
            auth_less_proxy()
        )),
        "task.proxyLogin"
    );
    // Optional proxies are checked when given.
    let bad = Proxy::new(ProxyType::Http, "http://8.8.8.8", 8080);
    assert_eq!(
        field_of(BasiliskTask::new("https://a.example", "k").with_proxy(bad)),
        "task.proxyAddress"
    );
}

#[test]
fn rule_bare_hosts_have_no_scheme() {
    assert_eq!(
        field_of(
            FunCaptchaTask::new("https://a.example", "pk")
                .with_api_js_subdomain("https://x.arkoselabs.com")
        ),
        "task.funcaptchaApiJSSubdomain"
    );
    assert_eq!(
        field_of(
            YidunTask::new("https://a.example", "k").with_api_server_subdomain("c.dun.163.com")
        ),
        "task.yidunApiServerSubdomain"
    );
    assert_eq!(
        field_of(YidunTask::new("https://a.example", "k").with_get_lib("load.min.js")),
        "task.yidunGetLib"
    );
    let proxy = Proxy::new(ProxyType::Http, "proxy.example.com", 8080);
    assert_eq!(
        field_of(HCaptchaTask::new("https://a.example", "k").with_proxy(proxy)),
        "task.proxyAddress"
    );
}

#[test]
fn rule_funcaptcha_data_is_json() {
    assert_eq!(
        field_of(FunCaptchaTask::new("https://a.example", "pk").with_data("blob=abc")),
        "task.data"
    );
}

#[test]
fn rule_amazon_parameter_sets() {
    let mut no_script = AmazonTask::captcha("https://a.example", "k", "https://a.example/jsapi.js");
    no_script.captcha_script = None;
    assert_eq!(field_of(no_script), "task.captchaScript");
    assert_eq!(
        field_of(AmazonTask::captcha(
            "https://a.example",
            "",
            "https://a.example/jsapi.js"
        )),
        "task.websiteKey"
    );
    let mut no_iv = AmazonTask::challenge(
        "https://a.example",
        "k",
        "https://a.example/challenge.js",
        "ctx",
        "iv",
    );
    no_iv.iv = None;
    assert_eq!(field_of(no_iv), "task.iv");
    assert_eq!(
        field_of(AmazonTask::challenge_only(
            "https://a.example",
            "challenge.js"
        )),
        "task.challengeScript"
    );
}

#[test]
fn rule_yidun_enterprise_fields_go_together() {
    let mut t = YidunTask::new("https://a.example", "k").with_enterprise("c", "h", 1);
    t.hct = None;
    assert_eq!(field_of(t), "task.hct");
    let mut t = YidunTask::new("https://a.example", "k").with_enterprise("c", "h", 1);
    t.challenge = None;
    assert_eq!(field_of(t), "task.challenge");
}

#[test]
fn rule_custom_metadata() {
    let castle = || {
        CastleTask::new(
            "https://a.example",
            "pk_1",
            "https://a.example/cw.js",
            "https://a.example/csw.js",
        )
    };
    assert_eq!(field_of(castle().with_count(0)), "task.metadata.count");
    assert_eq!(field_of(castle().with_count(50)), "task.metadata.count");
    assert!(Task::from(castle().with_count(49)).validate().is_ok());
    let mut bad_w = castle();
    bad_w.metadata.w_url = "cw.js".into();
    assert_eq!(field_of(bad_w), "task.metadata.wUrl");
    assert_eq!(
        field_of(AltchaTask::new("https://a.example", "c", 0, "s", "sig")),
        "task.metadata.iterations"
    );
    assert_eq!(
        field_of(DataDomeTask::new(
            "https://a.example",
            "/captcha/",
            "datadome=x",
            doc_proxy()
        )),
        "task.metadata.captchaUrl"
    );
    assert_eq!(
        field_of(ImpervaTask::new(
            "https://a.example",
            "",
            "incap_ses=1",
            doc_proxy()
        )),
        "task.metadata.incapsulaScriptUrl"
    );
    assert_eq!(
        field_of(HuntTask::new("https://a.example", "api.js", doc_proxy())),
        "task.metadata.apiGetLib"
    );
    assert_eq!(
        field_of(TspdTask::new(
            "https://a.example",
            "",
            "TS1=a",
            "PGh0bWw+",
            doc_proxy()
        )),
        "task.userAgent"
    );
    assert_eq!(
        field_of(AlibabaTask::new(
            "https://a.example",
            "s",
            "dlw3kug.captcha-open"
        )),
        "task.metadata.prefix"
    );
    assert_eq!(
        field_of(TenDiTask::new("https://a.example", "1").with_captcha_url("TCaptcha.js")),
        "task.metadata.captchaUrl"
    );
}

#[test]
fn incomplete_proxy_fields_are_not_dropped_silently() {
    let e = Task::from_json_value(json!({
        "type": "RecaptchaV2Task", "websiteURL": "https://a.example", "websiteKey": "k",
        "proxyType": "http", "proxyAddress": "8.8.8.8"
    }))
    .unwrap_err();
    // The field at fault is named: here the missing port.
    assert_eq!(e.field(), "task.proxyPort");
    let e = Task::from_json_value(json!({
        "type": "TurnstileTask", "websiteURL": "https://a.example", "websiteKey": "k",
        "proxyType": "ftp", "proxyAddress": "8.8.8.8", "proxyPort": 1
    }))
    .unwrap_err();
    assert_eq!(e.field(), "task.proxyType");
    let e = Task::from_json_value(json!({
        "type": "RecaptchaV3TaskProxyless", "websiteURL": "https://a.example", "websiteKey": "k",
        "proxyType": "http", "proxyAddress": "8.8.8.8", "proxyPort": 1
    }))
    .unwrap_err();
    assert_eq!(e.rule(), "this task type takes no proxy fields");
    // A raw task is sent exactly as given.
    let raw = RawTask::new(
        json!({"type": "RecaptchaV3TaskProxyless", "proxyType": "http"})
            .as_object()
            .unwrap()
            .clone(),
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(Task::from(raw)).unwrap()["proxyType"],
        "http"
    );
}

#[test]
fn every_documented_solution_parses_into_a_typed_variant() {
    let kind_of = |name: &str| -> TaskKind {
        let parts: Vec<&str> = name.split('.').collect();
        match parts[1] {
            "ComplexImageTask" if parts[2] == "recaptcha" => TaskKind::ComplexImageRecaptcha,
            "ComplexImageTask" => TaskKind::ComplexImageRecognition,
            "CustomTask" => TaskKind::from_names("CustomTask", Some(parts[2])),
            "ready" => TaskKind::ImageToText,
            other => TaskKind::from_names(other, None),
        }
    };
    let dir = format!("{}/../../tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("getTaskResult.") && n.ends_with(".response.json"))
        .filter(|n| n != "getTaskResult.processing.response.json")
        .collect();
    names.sort();
    for name in &names {
        let kind = kind_of(name);
        assert_ne!(kind, TaskKind::Other, "{name}");
        let r = ready(kind, name);
        assert_ne!(r.solution, Solution::Raw, "{name}");
        let expect_main = !matches!(
            kind,
            TaskKind::Temu | TaskKind::ComplexImageRecaptcha | TaskKind::ComplexImageRecognition
        );
        if expect_main {
            assert!(
                r.solution.main_value().is_some_and(|v| !v.is_empty()),
                "{name}"
            );
        }
    }
    assert_eq!(names.len(), 44);
}

#[test]
fn bad_proxy_fields_in_a_json_task_name_the_field_at_fault() {
    let base = || {
        serde_json::json!({
            "type": "RecaptchaV2Task",
            "websiteURL": "https://example.com",
            "websiteKey": "6Le-SITEKEY",
            "proxyType": "http",
            "proxyAddress": "203.0.113.5",
            "proxyPort": 8080
        })
    };
    let field = |edit: &dyn Fn(&mut Value)| {
        let mut v = base();
        edit(&mut v);
        Task::from_json_value(v)
            .map(|_| String::from("ok"))
            .unwrap_or_else(|e| e.field().to_owned())
    };
    assert_eq!(field(&|_| {}), "ok");
    assert_eq!(field(&|v| v["proxyPort"] = 70_000.into()), "task.proxyPort");
    assert_eq!(
        field(&|v| {
            v.as_object_mut().unwrap().remove("proxyAddress");
        }),
        "task.proxyAddress"
    );
    assert_eq!(field(&|v| v["proxyType"] = "ftp".into()), "task.proxyType");
}
