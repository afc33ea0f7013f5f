//! Properties of the task catalogue, for every type: any field values survive
//! `Task` → JSON → `Task` unchanged (with documented and legacy type names), and `validate()`
//! never panics, whatever the input.

#[macro_use]
mod catalogue_props_common;

use capmonster_proto::solution::*;
use capmonster_proto::task::*;
use catalogue_props_common::*;
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::Value;

fn image_to_text() -> impl Strategy<Value = Task> {
    (
        image(),
        opt_text(),
        proptest::option::of(any::<u8>()),
        opt_bool(),
        opt_bool(),
        opt_bool(),
    )
        .prop_map(|(body, module, threshold, case, numeric, math)| {
            let mut t = ImageToTextTask::new(body);
            t.cap_monster_module = module;
            t.recognizing_threshold = threshold;
            t.case = case;
            t.numeric = numeric;
            t.math = math;
            t.into()
        })
}

fn recaptcha_v2() -> impl Strategy<Value = Task> {
    (
        url(),
        text(),
        opt_text(),
        opt_text(),
        opt_text(),
        opt_bool(),
        opt_bool(),
        opt_proxy(),
    )
        .prop_map(|(u, k, s, ua, c, inv, nc, p)| {
            let mut t = RecaptchaV2Task::new(u, k);
            t.recaptcha_data_s_value = s;
            t.user_agent = ua;
            t.cookies = c;
            t.is_invisible = inv;
            t.nocache = nc;
            t.proxy = p;
            t.into()
        })
}

fn recaptcha_v2_enterprise() -> impl Strategy<Value = Task> {
    (
        url(),
        text(),
        opt_text(),
        proptest::option::of(object()),
        proptest::option::of(prop_oneof![Just("www.google.com".to_owned()), text()]),
        opt_text(),
        opt_text(),
        opt_proxy(),
    )
        .prop_map(|(u, k, a, payload, domain, ua, c, p)| {
            let mut t = RecaptchaV2EnterpriseTask::new(u, k);
            t.page_action = a;
            t.enterprise_payload = payload;
            t.api_domain = domain;
            t.user_agent = ua;
            t.cookies = c;
            t.proxy = p;
            t.into()
        })
}

fn recaptcha_v3() -> impl Strategy<Value = Task> {
    (url(), text(), opt_bool(), score(), opt_text(), opt_bool()).prop_map(|(u, k, e, s, a, nc)| {
        let mut t = RecaptchaV3Task::new(u, k);
        t.is_enterprise = e;
        t.min_score = s;
        t.page_action = a;
        t.nocache = nc;
        t.into()
    })
}

fn recaptcha_v3_enterprise() -> impl Strategy<Value = Task> {
    (url(), text(), score(), opt_text()).prop_map(|(u, k, s, a)| {
        let mut t = RecaptchaV3EnterpriseTask::new(u, k);
        t.min_score = s;
        t.page_action = a;
        t.into()
    })
}

fn grid() -> impl Strategy<Value = Grid> {
    prop_oneof![
        Just(Grid::FourByFour),
        Just(Grid::ThreeByThree),
        Just(Grid::OneByOne)
    ]
}

fn complex_recaptcha() -> impl Strategy<Value = Task> {
    (
        grid(),
        proptest::option::of(proptest::collection::vec(url(), 0..3)),
        proptest::option::of(images()),
        opt_text(),
        opt_text(),
        opt_text(),
        opt_url(),
    )
        .prop_map(|(g, urls, b64, task, def, ua, site)| {
            let mut t = ComplexImageRecaptchaTask::from_urls(g, Vec::<String>::new());
            t.image_urls = urls;
            t.images_base64 = b64;
            t.metadata.task = task;
            t.metadata.task_definition = def;
            t.user_agent = ua;
            t.website_url = site;
            t.into()
        })
}

fn complex_recognition() -> impl Strategy<Value = Task> {
    (
        text(),
        images(),
        opt_text(),
        proptest::option::of(prop_oneof![Just("Audio".to_owned()), text()]),
    )
        .prop_map(|(task, imgs, arg, payload)| {
            let mut t = ComplexImageRecognitionTask::new(task, imgs);
            t.metadata.task_argument = arg;
            t.metadata.payload_type = payload;
            t.into()
        })
}

fn hcaptcha() -> impl Strategy<Value = Task> {
    (
        url(),
        text(),
        opt_bool(),
        opt_text(),
        opt_text(),
        opt_text(),
        opt_bool(),
        opt_proxy(),
    )
        .prop_map(|(u, k, inv, d, ua, c, fb, p)| {
            let mut t = HCaptchaTask::new(u, k);
            t.is_invisible = inv;
            t.data = d;
            t.user_agent = ua;
            t.cookies = c;
            t.fallback_to_actual_ua = fb;
            t.proxy = p;
            t.into()
        })
}

fn geetest() -> impl Strategy<Value = Task> {
    (
        url(),
        text(),
        opt_text(),
        proptest::option::of(prop_oneof![Just(3u8), Just(4u8), any::<u8>()]),
        proptest::option::of(object()),
        opt_text(),
        opt_text(),
        (opt_text(), opt_proxy()),
    )
        .prop_map(|(u, gt, ch, v, init, sub, lib, (ua, p))| {
            let mut t = GeeTestTask::v4(u, gt);
            t.challenge = ch;
            t.version = v;
            t.init_parameters = init;
            t.geetest_api_server_subdomain = sub;
            t.geetest_get_lib = lib;
            t.user_agent = ua;
            t.proxy = p;
            t.into()
        })
}

fn turnstile() -> impl Strategy<Value = Task> {
    (
        url(),
        text(),
        proptest::option::of(prop_oneof![
            Just(CloudflareTaskType::Token),
            Just(CloudflareTaskType::CfClearance),
            Just(CloudflareTaskType::WaitRoom)
        ]),
        opt_text(),
        opt_text(),
        opt_text(),
        opt_url(),
        (opt_text(), opt_text(), opt_proxy()),
    )
        .prop_map(|(u, k, mode, action, data, page_data, js, (html, ua, p))| {
            let mut t = TurnstileTask::new(u, k);
            t.cloudflare_task_type = mode;
            t.page_action = action;
            t.data = data;
            t.page_data = page_data;
            t.api_js_url = js;
            t.html_page_base64 = html;
            t.user_agent = ua;
            t.proxy = p;
            t.into()
        })
}

fn funcaptcha() -> impl Strategy<Value = Task> {
    (
        url(),
        text(),
        opt_text(),
        opt_text(),
        opt_text(),
        opt_text(),
        opt_proxy(),
    )
        .prop_map(|(u, k, sub, data, ua, c, p)| {
            let mut t = FunCaptchaTask::new(u, k);
            t.funcaptcha_api_js_subdomain = sub;
            t.data = data;
            t.user_agent = ua;
            t.cookies = c;
            t.proxy = p;
            t.into()
        })
}

fn amazon() -> impl Strategy<Value = Task> {
    (
        url(),
        text(),
        opt_url(),
        opt_url(),
        opt_text(),
        opt_text(),
        opt_bool(),
        (opt_text(), opt_proxy()),
    )
        .prop_map(|(u, k, captcha, challenge, ctx, iv, cookie, (ua, p))| {
            let mut t = AmazonTask::captcha(u, k, "");
            t.captcha_script = captcha;
            t.challenge_script = challenge;
            t.context = ctx;
            t.iv = iv;
            t.cookie_solution = cookie;
            t.user_agent = ua;
            t.proxy = p;
            t.into()
        })
}

fn binance() -> impl Strategy<Value = Task> {
    (url(), text(), text(), opt_text(), opt_proxy()).prop_map(|(u, k, v, ua, p)| {
        let mut t = BinanceTask::new(u, k, v);
        t.user_agent = ua;
        t.proxy = p;
        t.into()
    })
}

fn prosopo() -> impl Strategy<Value = Task> {
    (url(), text(), opt_proxy()).prop_map(|(u, k, p)| {
        let mut t = ProsopoTask::new(u, k);
        t.proxy = p;
        t.into()
    })
}

fn mtcaptcha() -> impl Strategy<Value = Task> {
    (
        url(),
        text(),
        opt_text(),
        opt_bool(),
        opt_text(),
        opt_proxy(),
    )
        .prop_map(|(u, k, a, inv, ua, p)| {
            let mut t = MtCaptchaTask::new(u, k);
            t.page_action = a;
            t.is_invisible = inv;
            t.user_agent = ua;
            t.proxy = p;
            t.into()
        })
}

fn yidun() -> impl Strategy<Value = Task> {
    (
        url(),
        text(),
        opt_text(),
        opt_url(),
        opt_text(),
        opt_text(),
        opt_text(),
        (proptest::option::of(any::<u64>()), opt_proxy()),
    )
        .prop_map(|(u, k, ua, lib, sub, ch, hcg, (hct, p))| {
            let mut t = YidunTask::new(u, k);
            t.user_agent = ua;
            t.yidun_get_lib = lib;
            t.yidun_api_server_subdomain = sub;
            t.challenge = ch;
            t.hcg = hcg;
            t.hct = hct;
            t.proxy = p;
            t.into()
        })
}

round_trips! {
    image_to_text_round_trips: image_to_text => ImageToText;
    recaptcha_v2_round_trips: recaptcha_v2 => RecaptchaV2;
    recaptcha_v2_enterprise_round_trips: recaptcha_v2_enterprise => RecaptchaV2Enterprise;
    recaptcha_v3_round_trips: recaptcha_v3 => RecaptchaV3;
    recaptcha_v3_enterprise_round_trips: recaptcha_v3_enterprise => RecaptchaV3Enterprise;
    complex_recaptcha_round_trips: complex_recaptcha => ComplexImageRecaptcha;
    complex_recognition_round_trips: complex_recognition => ComplexImageRecognition;
    hcaptcha_round_trips: hcaptcha => HCaptcha;
    geetest_round_trips: geetest => GeeTest;
    turnstile_round_trips: turnstile => Turnstile;
    funcaptcha_round_trips: funcaptcha => FunCaptcha;
    amazon_round_trips: amazon => Amazon;
    binance_round_trips: binance => Binance;
    prosopo_round_trips: prosopo => Prosopo;
    mtcaptcha_round_trips: mtcaptcha => MtCaptcha;
    yidun_round_trips: yidun => Yidun;
}

proptest! {
    #![proptest_config(Config::with_cases(256))]

    /// Arbitrary JSON objects under every known type name: parsing either gives a task whose
    /// validate() answers, or an error naming `task`; nothing panics.
    #[test]
    fn arbitrary_objects_never_panic(
        kind in proptest::sample::select(TaskKind::ALL.to_vec()),
        fields in object(),
        metadata in proptest::option::of(object()),
    ) {
        let mut obj = fields;
        obj.insert("type".into(), Value::String(kind.type_name().to_owned()));
        if let Some(class) = kind.class() {
            obj.insert("class".into(), Value::String(class.to_owned()));
        }
        if let Some(m) = metadata {
            obj.insert("metadata".into(), Value::Object(m));
        }
        match Task::from_json_value(Value::Object(obj)) {
            Ok(task) => {
                let _ = task.validate();
            }
            Err(e) => prop_assert!(e.field().starts_with("task")),
        }
    }

    /// Solution parsing never panics and falls back to Raw on shapes it does not know.
    #[test]
    fn solution_parse_never_panics(
        kind in proptest::sample::select(TaskKind::ALL.to_vec()),
        fields in object(),
    ) {
        let raw = serde_json::to_string(&fields).unwrap();
        let s = Solution::parse(kind, &raw);
        let _ = s.main_value();
        let _ = s.user_agent();
    }
}
