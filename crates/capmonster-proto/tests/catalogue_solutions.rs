//! Every documented solution (tests/fixtures) parses into its typed variant.

#[macro_use]
mod catalogue_common;

use capmonster_proto::solution::*;
use capmonster_proto::task::*;
use capmonster_proto::*;
use catalogue_common::*;
use serde_json::{Value, json};

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
