//! Every local validation rule of the task catalogue names its field, one test per rule.

#[macro_use]
mod catalogue_common;

use capmonster_proto::inputs::base64_encode;
use capmonster_proto::task::*;
use capmonster_proto::*;
use catalogue_common::*;
use serde_json::{Map, Value, json};

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
