//! Service profiles: CapMonster Cloud, Anti-Captcha, 2Captcha v2 and the URL form, each with its
//! createTask, getTaskResult, getBalance and report requests, and the answers only some send.

mod support;

use capmonster_proto::{
    ApiError, BuildError, CreateTask, Dialect, Endpoint, ErrorCode, GetBalance, GetQueueStats,
    GetTaskResult, QueueStats, ResponseError, Service, TypeNaming,
    report::{RefusalReason, ReportRefused, ReportRequest, ReportVerdict},
    solution::{Solution, TaskResult},
    task::{Proxy, ProxyType, RecaptchaV2Task, TaskKind},
};
use support::{key, response};

/// The report `s`'s rules make for task 407533072 of kind `kind` (the window is not checked).
fn report(
    s: &Service,
    verdict: ReportVerdict,
    kind: TaskKind,
) -> Result<ReportRequest, ReportRefused> {
    ReportRequest::without_window(s.dialect(), verdict, kind, 407533072)
}

fn wrong(s: &Service, kind: TaskKind) -> ReportRequest {
    report(s, ReportVerdict::Incorrect, kind).unwrap()
}

fn profiles() -> [(&'static str, Service); 4] {
    [
        ("capmonster", Service::capmonster()),
        ("anti_captcha", Service::anti_captcha()),
        ("two_captcha", Service::two_captcha()),
        ("url_form", Service::capmonster_url_form()),
    ]
}

fn recaptcha() -> RecaptchaV2Task {
    RecaptchaV2Task::new(
        "https://lessons.zennolab.com/captchas/recaptcha/v2_simple.php?level=high",
        "6Lcg7CMUAAAAANphynKgn9YAgA4tQ2KI_iqRyTwd",
    )
}

fn recaptcha_with_proxy() -> RecaptchaV2Task {
    recaptcha().with_proxy(
        Proxy::new(ProxyType::Http, "8.8.8.8", 8080)
            .with_auth("proxyLoginHere", "proxyPasswordHere"),
    )
}

fn api(e: ResponseError) -> ApiError {
    match e {
        ResponseError::Api(e) => e,
        other => panic!("not an API error: {other:?}"),
    }
}

#[test]
fn profile_defaults() {
    let [cm, ac, tc, uf] = profiles().map(|(_, s)| s);
    assert_eq!(cm.dialect(), Dialect::CapMonster);
    assert_eq!(cm.type_naming(), TypeNaming::Documented);
    assert_eq!(ac.dialect(), Dialect::AntiCaptcha);
    assert_eq!(ac.type_naming(), TypeNaming::Legacy);
    assert_eq!(ac.base_url(), "https://api.anti-captcha.com");
    assert_eq!(tc.dialect(), Dialect::TwoCaptcha);
    assert_eq!(tc.type_naming(), TypeNaming::Legacy);
    assert_eq!(tc.base_url(), "https://api.2captcha.com");
    assert_eq!(uf.dialect(), Dialect::UrlForm);
    assert_eq!(uf.base_url(), "https://api.capmonster.cloud");
    assert_eq!(
        Service::two_captcha_url_form().method_url("in.php"),
        "https://2captcha.com/in.php"
    );
    let custom = Service::custom("http://127.0.0.1:9000/ac", Dialect::AntiCaptcha).unwrap();
    assert_eq!(custom.type_naming(), TypeNaming::Legacy);
    assert_eq!(
        custom.method_url("createTask"),
        "http://127.0.0.1:9000/ac/createTask"
    );
}

#[test]
fn every_profile_request_is_snapshotted() {
    let k = key();
    for (name, s) in profiles() {
        for (task_name, task) in [
            ("proxyless", recaptcha()),
            ("proxy", recaptcha_with_proxy()),
        ] {
            let req = CreateTask::new(task).build(&s, &k).unwrap();
            assert_request_snapshot!(format!("{name}__createTask_recaptcha_v2_{task_name}"), req);
        }
        let req = GetTaskResult::new(407533072, TaskKind::RecaptchaV2)
            .build(&s, &k)
            .unwrap();
        assert_request_snapshot!(format!("{name}__getTaskResult"), req);
        let req = GetBalance.build(&s, &k).unwrap();
        assert_request_snapshot!(format!("{name}__getBalance"), req);
        let req = wrong(&s, TaskKind::ImageToText).build(&s, &k).unwrap();
        assert_request_snapshot!(format!("{name}__reportIncorrectImage"), req);
        let req = wrong(&s, TaskKind::RecaptchaV2).build(&s, &k).unwrap();
        assert_request_snapshot!(format!("{name}__reportIncorrectToken_recaptcha"), req);
        match report(&s, ReportVerdict::Correct, TaskKind::RecaptchaV2) {
            Ok(r) => {
                let req = r.build(&s, &k).unwrap();
                assert_request_snapshot!(format!("{name}__reportCorrect"), req)
            }
            Err(e) => {
                assert_eq!(s.dialect(), Dialect::CapMonster);
                assert_eq!(e.reason, RefusalReason::VerdictNotOffered);
            }
        }
    }
    let req = GetQueueStats::new(6)
        .build(&Service::anti_captcha(), &k)
        .unwrap();
    assert_request_snapshot!("anti_captcha__getQueueStats", req);
}

/// The same typed task, with and without a proxy, through every profile: the type name follows
/// the profile, the fields do not change, and the URL form carries the same facts.
#[test]
fn one_task_through_every_profile() {
    let k = key();
    let mut seen = Vec::new();
    for (name, s) in profiles() {
        for (with_proxy, task) in [(false, recaptcha()), (true, recaptcha_with_proxy())] {
            let req = CreateTask::new(task).build(&s, &k).unwrap();
            let body = String::from_utf8(req.body().clone()).unwrap();
            let summary = if s.dialect() == Dialect::UrlForm {
                let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap();
                let get = |n: &str| {
                    pairs
                        .iter()
                        .find(|(k, _)| k == n)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                };
                format!(
                    "{} {} {} {}",
                    get("method"),
                    get("googlekey"),
                    get("pageurl"),
                    get("proxy")
                )
            } else {
                let v: serde_json::Value = serde_json::from_str(&body).unwrap();
                let t = &v["task"];
                format!(
                    "{} {} {} {}",
                    t["type"].as_str().unwrap(),
                    t["websiteKey"].as_str().unwrap(),
                    t["websiteURL"].as_str().unwrap(),
                    t.get("proxyAddress")
                        .map(|a| format!("{}:{}", a.as_str().unwrap(), t["proxyPort"]))
                        .unwrap_or_default()
                )
            };
            seen.push(format!("{name} proxy={with_proxy}: {summary}"));
        }
    }
    insta::assert_snapshot!("one_task_through_every_profile", seen.join("\n"));
    assert!(seen[0].starts_with("capmonster proxy=false: RecaptchaV2Task "));
    assert!(seen[2].starts_with("anti_captcha proxy=false: RecaptchaV2TaskProxyless "));
    assert!(seen[3].starts_with("anti_captcha proxy=true: RecaptchaV2Task "));
    assert!(seen[4].starts_with("two_captcha proxy=false: RecaptchaV2TaskProxyless "));
    assert!(seen[6].starts_with("url_form proxy=false: userrecaptcha "));
    assert!(seen[7].ends_with("proxyLoginHere:proxyPasswordHere@8.8.8.8:8080"));
}

#[test]
fn report_method_names_follow_the_dialect() {
    let [cm, ac, tc, uf] = profiles().map(|(_, s)| s);
    use TaskKind::{HCaptcha, ImageToText, RecaptchaV2, RecaptchaV3Enterprise, Turnstile};
    for (s, kind, name) in [
        (&cm, ImageToText, "reportIncorrectImageCaptcha"),
        (&ac, ImageToText, "reportIncorrectImageCaptcha"),
        (&tc, ImageToText, "reportIncorrect"),
        (&uf, ImageToText, "res.php"),
        (&cm, RecaptchaV2, "reportIncorrectTokenCaptcha"),
        (&cm, Turnstile, "reportIncorrectTokenCaptcha"),
        (&ac, RecaptchaV2, "reportIncorrectRecaptcha"),
        (&ac, HCaptcha, "reportIncorrectHcaptcha"),
        (&ac, RecaptchaV3Enterprise, "reportIncorrectRecaptcha"),
        (&tc, RecaptchaV2, "reportIncorrect"),
        (&uf, RecaptchaV2, "res.php"),
    ] {
        assert_eq!(wrong(s, kind).method_name(s), name, "{kind:?} on {s:?}");
    }
    // Anti-Captcha has no wrong-token report for Turnstile: refused before anything is built.
    let refused = report(&ac, ReportVerdict::Incorrect, Turnstile).unwrap_err();
    assert_eq!(refused.reason, RefusalReason::KindNotAllowed);
    // A report the rules made for one service is not sent to another.
    assert!(matches!(
        wrong(&ac, RecaptchaV2).build(&cm, &key()).unwrap_err(),
        BuildError::Unsupported { .. }
    ));

    let correct = |s: &Service| report(s, ReportVerdict::Correct, RecaptchaV2);
    assert_eq!(
        correct(&ac).unwrap().method_name(&ac),
        "reportCorrectRecaptcha"
    );
    assert_eq!(correct(&tc).unwrap().method_name(&tc), "reportCorrect");
    assert_eq!(
        correct(&cm).unwrap_err().reason,
        RefusalReason::VerdictNotOffered
    );
    assert!(matches!(
        GetQueueStats::new(1).build(&cm, &key()).unwrap_err(),
        BuildError::Unsupported { .. }
    ));
}

#[test]
fn error_id_numbering_per_dialect() {
    let [cm, ac, tc, _] = profiles().map(|(_, s)| s);
    let poll = GetTaskResult::new(1, TaskKind::RecaptchaV2);
    // Anti-Captcha: the number alone names the code when errorCode is absent.
    let e = api(poll
        .parse(&ac, response(200, br#"{"errorId":16}"#))
        .unwrap_err());
    assert_eq!(e.code, ErrorCode::NoSuchCapchaId);
    assert_eq!(e.error_id, 16);
    let e = api(poll
        .parse(&ac, response(200, br#"{"errorId":2,"errorCode":null}"#))
        .unwrap_err());
    assert_eq!(e.code, ErrorCode::NoSlotAvailable);
    // 2Captcha's own numbers.
    let e = api(poll
        .parse(&tc, response(200, br#"{"errorId":110}"#))
        .unwrap_err());
    assert_eq!(e.code, ErrorCode::BadParameters);
    let e = api(poll
        .parse(&tc, response(200, br#"{"errorId":13}"#))
        .unwrap_err());
    assert_eq!(e.code, ErrorCode::BadDuplicates);
    // errorCode wins over the number (Anti-Captcha's page gives BAD_DUPLICATES as 12 or 13).
    let e = api(
        poll.parse(
            &ac,
            response(
                200,
                br#"{"errorId":12,"errorCode":"ERROR_BAD_DUPLICATES","errorDescription":"Error when 100% accuracy feature is enabled"}"#,
            ),
        )
        .unwrap_err(),
    );
    assert_eq!(e.code, ErrorCode::BadDuplicates);
    assert_eq!(e.error_id, 12);
    // CapMonster always sends 1: the number says nothing.
    let e = api(poll
        .parse(&cm, response(200, br#"{"errorId":1}"#))
        .unwrap_err());
    assert_eq!(e.code, ErrorCode::Missing);
    let e = api(poll
        .parse(&cm, response(200, br#"{"errorId":16}"#))
        .unwrap_err());
    assert_eq!(e.code, ErrorCode::Missing);
    // An unknown number on Anti-Captcha is kept as an unknown code.
    let e = api(poll
        .parse(&ac, response(200, br#"{"errorId":999}"#))
        .unwrap_err());
    assert_eq!(e.code, ErrorCode::Missing);
    assert_eq!(e.error_id, 999);
}

#[test]
fn get_task_result_extras_from_anti_captcha_and_two_captcha() {
    let [_, ac, tc, _] = profiles().map(|(_, s)| s);
    let poll = GetTaskResult::new(1, TaskKind::RecaptchaV2);
    let r = poll
        .parse(
            &ac,
            response(
                200,
                br#"{"errorId":0,"status":"ready","solution":{"gRecaptchaResponse":"3AHJ_VuvYIBNBW5yyv0zRYJ75VkOKvhKj9_xGBJKnQimF72rfoq3Iy-DyGHqoTOcNfFOGvSQhh3MCcrqR2GsU6jtk1qXpWRj4s6u2T4VKIYqCr5mKAuJ4-1wLL-Wn-AvqMqcTVhgvQ"},"cost":"0.001500","ip":"46.98.54.221","createTime":1472205564,"endTime":1472205570,"solveCount":"0"}"#,
            ),
        )
        .unwrap();
    let ready = r.ready().unwrap();
    assert!(matches!(ready.solution, Solution::Recaptcha(_)));
    assert_eq!(ready.extras.cost, Some(0.0015));
    assert_eq!(ready.extras.ip.as_deref(), Some("46.98.54.221"));
    assert_eq!(ready.extras.create_time, Some(1472205564));
    assert_eq!(ready.extras.end_time, Some(1472205570));
    assert_eq!(ready.extras.solve_count, Some(0));

    let r = poll
        .parse(
            &tc,
            response(
                200,
                br#"{"errorId":0,"status":"ready","solution":{"gRecaptchaResponse":"03ADUVZw...UWxTAe6ncIa","token":"03ADUVZw...UWxTAe6ncIa"},"cost":"0.00299","ip":"1.2.3.4","createTime":"1692863536","endTime":1692863556,"solveCount":1}"#,
            ),
        )
        .unwrap();
    let ready = r.ready().unwrap();
    assert_eq!(ready.solution.main_value(), Some("03ADUVZw...UWxTAe6ncIa"));
    assert_eq!(ready.extras.cost, Some(0.00299));
    assert_eq!(ready.extras.create_time, Some(1692863536));
    assert_eq!(ready.extras.solve_count, Some(1));
    assert_eq!(
        poll.parse(
            &tc,
            response(200, br#"{"errorId":0,"status":"processing"}"#)
        )
        .unwrap(),
        TaskResult::Processing
    );
    // 2Captcha task ids go past 32 bits.
    assert_eq!(
        CreateTask::new(recaptcha())
            .parse(&tc, response(200, br#"{"errorId":0,"taskId":74455221488}"#))
            .unwrap(),
        74455221488
    );
}

#[test]
fn balance_extras_and_queue_stats() {
    let [cm, ac, _, _] = profiles().map(|(_, s)| s);
    let b = GetBalance
        .parse(
            &ac,
            response(200, br#"{"errorId":0,"balance":3.0,"captchaCredits":25}"#),
        )
        .unwrap();
    assert_eq!(b.balance, 3.0);
    assert_eq!(b.captcha_credits, Some(25.0));
    let b = GetBalance
        .parse(&cm, response(200, br#"{"errorId":0,"balance":345.678}"#))
        .unwrap();
    assert_eq!(b.captcha_credits, None);

    let stats = GetQueueStats::new(6)
        .parse(
            &ac,
            response(
                200,
                br#"{"waiting":242,"load":60.33,"bid":"0.0008600982","speed":10.77,"total":610}"#,
            ),
        )
        .unwrap();
    let QueueStats {
        waiting,
        load,
        bid,
        speed,
        total,
        ..
    } = stats;
    assert_eq!(
        (waiting, load, bid, speed, total),
        (242, 60.33, 0.0008600982, 10.77, 610)
    );
    assert!(matches!(
        GetQueueStats::new(6).parse(&ac, response(200, br#"{"errorId":0}"#)),
        Err(ResponseError::Unparseable(_))
    ));
}

#[test]
fn report_answers_per_dialect() {
    let [cm, ac, tc, uf] = profiles().map(|(_, s)| s);
    let ok = br#"{"errorId":0,"status":"success"}"#;
    for s in [&cm, &ac, &tc] {
        assert!(
            wrong(s, TaskKind::ImageToText)
                .parse(s, response(200, ok))
                .is_ok()
        );
    }
    let correct = |s: &Service| report(s, ReportVerdict::Correct, TaskKind::ImageToText).unwrap();
    assert!(correct(&tc).parse(&tc, response(200, ok)).is_ok());
    assert!(
        correct(&uf)
            .parse(&uf, response(200, b"OK_REPORT_RECORDED"))
            .is_ok()
    );
    let e = api(
        wrong(&ac, TaskKind::RecaptchaV2)
            .parse(
                &ac,
                response(
                    200,
                    br#"{"errorId":16,"errorCode":"ERROR_NO_SUCH_CAPCHA_ID","errorDescription":"Task you are requesting does not exist in your current task list or has been expired. Tasks not found in active tasks"}"#,
                ),
            )
            .unwrap_err(),
    );
    assert_eq!(e.code, ErrorCode::NoSuchCapchaId);
    assert!(capmonster_proto::report::is_report_rejection(&e));
    let e = api(wrong(&uf, TaskKind::ImageToText)
        .parse(&uf, response(200, b"ERROR_REPORT_NOT_RECORDED"))
        .unwrap_err());
    assert!(capmonster_proto::report::is_report_rejection(&e));
}
