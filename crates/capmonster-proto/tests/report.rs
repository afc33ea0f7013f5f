//! Report rules: the clock is a value passed in; nothing sleeps.

mod support;

use std::time::Duration;

use capmonster_proto::report::{
    KindSet, RefusalReason, ReportLedger, ReportMethodKind, ReportRequest, ReportVerdict,
    is_report_rejection, plan_report, report_rules,
};
use capmonster_proto::{Dialect, Endpoint, ErrorCode, Service, task::TaskKind};
use support::{key, response};

const T0: Duration = Duration::from_secs(1_000);

fn secs(s: u64) -> Duration {
    T0 + Duration::from_secs(s)
}

#[test]
fn a_second_report_is_refused() {
    let mut ledger = ReportLedger::new();
    let first = plan_report(
        Dialect::AntiCaptcha,
        ReportVerdict::Incorrect,
        TaskKind::RecaptchaV2,
        42,
        T0,
        secs(10),
        &mut ledger,
    )
    .unwrap();
    assert_eq!(first.rule.name, "anti-captcha/reportIncorrectRecaptcha");
    assert!(ledger.is_reported(Dialect::AntiCaptcha, 42));
    // The same verdict again, and the opposite verdict: both refused, naming the first rule.
    for verdict in [ReportVerdict::Incorrect, ReportVerdict::Correct] {
        let refused = plan_report(
            Dialect::AntiCaptcha,
            verdict,
            TaskKind::RecaptchaV2,
            42,
            T0,
            secs(20),
            &mut ledger,
        )
        .unwrap_err();
        assert_eq!(refused.reason, RefusalReason::AlreadyReported);
        assert_eq!(
            refused.rule.unwrap().name,
            "anti-captcha/reportIncorrectRecaptcha"
        );
        assert!(refused.to_string().contains("once per task"), "{refused}");
    }
    // Another task, or the same id on another service, is unaffected.
    for (dialect, id) in [(Dialect::AntiCaptcha, 43), (Dialect::TwoCaptcha, 42)] {
        assert!(
            plan_report(
                dialect,
                ReportVerdict::Incorrect,
                TaskKind::RecaptchaV2,
                id,
                T0,
                secs(20),
                &mut ledger
            )
            .is_ok()
        );
    }
    assert_eq!(ledger.len(), 3);
    // A report whose request never left can be forgotten and planned again.
    ledger.forget(Dialect::AntiCaptcha, 42);
    assert!(
        plan_report(
            Dialect::AntiCaptcha,
            ReportVerdict::Incorrect,
            TaskKind::RecaptchaV2,
            42,
            T0,
            secs(30),
            &mut ledger
        )
        .is_ok()
    );
    // CapMonster too allows one report per task.
    let mut ledger = ReportLedger::new();
    let plan = |ledger: &mut ReportLedger| {
        plan_report(
            Dialect::CapMonster,
            ReportVerdict::Incorrect,
            TaskKind::ImageToText,
            7,
            T0,
            secs(1),
            ledger,
        )
    };
    assert!(plan(&mut ledger).is_ok());
    assert_eq!(
        plan(&mut ledger).unwrap_err().reason,
        RefusalReason::AlreadyReported
    );
}

#[test]
fn a_late_report_is_refused() {
    let cases = [
        (Dialect::AntiCaptcha, TaskKind::ImageToText, 60),
        (Dialect::AntiCaptcha, TaskKind::HCaptcha, 60),
        (Dialect::TwoCaptcha, TaskKind::Turnstile, 15 * 60),
        (Dialect::UrlForm, TaskKind::ImageToText, 15 * 60),
    ];
    for (dialect, kind, window) in cases {
        let mut ledger = ReportLedger::new();
        let late = plan_report(
            dialect,
            ReportVerdict::Incorrect,
            kind,
            1,
            T0,
            secs(window + 1),
            &mut ledger,
        )
        .unwrap_err();
        assert_eq!(late.reason, RefusalReason::WindowClosed, "{dialect:?}");
        assert_eq!(late.elapsed, Duration::from_secs(window + 1));
        assert_eq!(late.rule.unwrap().window, Some(Duration::from_secs(window)));
        assert!(ledger.is_empty(), "a refused report is not recorded");
        // At the edge of the window it is still accepted.
        assert!(
            plan_report(
                dialect,
                ReportVerdict::Incorrect,
                kind,
                1,
                T0,
                secs(window),
                &mut ledger
            )
            .is_ok()
        );
    }
    // CapMonster documents no window: a late report goes out, with a warning.
    let mut ledger = ReportLedger::new();
    let plan = plan_report(
        Dialect::CapMonster,
        ReportVerdict::Incorrect,
        TaskKind::RecaptchaV2,
        1,
        T0,
        secs(3600),
        &mut ledger,
    )
    .unwrap();
    assert!(plan.warning.unwrap().contains("5 minutes"));
    let plan = plan_report(
        Dialect::CapMonster,
        ReportVerdict::Incorrect,
        TaskKind::RecaptchaV2,
        2,
        T0,
        secs(30),
        &mut ledger,
    )
    .unwrap();
    assert_eq!(plan.warning, None);
    // A clock read from another epoch is caught.
    let refused = plan_report(
        Dialect::AntiCaptcha,
        ReportVerdict::Incorrect,
        TaskKind::RecaptchaV2,
        3,
        secs(10),
        T0,
        &mut ledger,
    )
    .unwrap_err();
    assert_eq!(refused.reason, RefusalReason::ClockBeforeCompletion);
}

#[test]
fn a_kind_not_allowed_is_refused() {
    let cases = [
        // Anti-Captcha has no wrong-answer report for Turnstile or FunCaptcha.
        (
            Dialect::AntiCaptcha,
            ReportVerdict::Incorrect,
            TaskKind::Turnstile,
        ),
        (
            Dialect::AntiCaptcha,
            ReportVerdict::Incorrect,
            TaskKind::FunCaptcha,
        ),
        // reportCorrectRecaptcha is reCAPTCHA only.
        (
            Dialect::AntiCaptcha,
            ReportVerdict::Correct,
            TaskKind::HCaptcha,
        ),
        (
            Dialect::AntiCaptcha,
            ReportVerdict::Correct,
            TaskKind::ImageToText,
        ),
        // CapMonster lists reCAPTCHA, GeeTest and Turnstile as reportable tokens.
        (
            Dialect::CapMonster,
            ReportVerdict::Incorrect,
            TaskKind::FunCaptcha,
        ),
        (
            Dialect::CapMonster,
            ReportVerdict::Incorrect,
            TaskKind::Other,
        ),
    ];
    for (dialect, verdict, kind) in cases {
        let mut ledger = ReportLedger::new();
        let refused = plan_report(dialect, verdict, kind, 1, T0, secs(1), &mut ledger).unwrap_err();
        assert_eq!(
            refused.reason,
            RefusalReason::KindNotAllowed,
            "{dialect:?} {verdict:?} {kind:?}"
        );
        assert!(ledger.is_empty());
    }
    // CapMonster has no correct-answer report at all.
    let refused = plan_report(
        Dialect::CapMonster,
        ReportVerdict::Correct,
        TaskKind::RecaptchaV2,
        1,
        T0,
        secs(1),
        &mut ReportLedger::new(),
    )
    .unwrap_err();
    assert_eq!(refused.reason, RefusalReason::VerdictNotOffered);
}

#[test]
fn planned_reports_build_the_right_request() {
    let k = key();
    let cases = [
        (
            Service::capmonster(),
            ReportVerdict::Incorrect,
            TaskKind::ComplexImageRecognition,
            "https://api.capmonster.cloud/reportIncorrectImageCaptcha",
        ),
        (
            Service::capmonster(),
            ReportVerdict::Incorrect,
            TaskKind::GeeTest,
            "https://api.capmonster.cloud/reportIncorrectTokenCaptcha",
        ),
        (
            Service::anti_captcha(),
            ReportVerdict::Incorrect,
            TaskKind::HCaptcha,
            "https://api.anti-captcha.com/reportIncorrectHcaptcha",
        ),
        (
            Service::anti_captcha(),
            ReportVerdict::Incorrect,
            TaskKind::RecaptchaV3,
            "https://api.anti-captcha.com/reportIncorrectRecaptcha",
        ),
        (
            Service::anti_captcha(),
            ReportVerdict::Correct,
            TaskKind::RecaptchaV3,
            "https://api.anti-captcha.com/reportCorrectRecaptcha",
        ),
        (
            Service::two_captcha(),
            ReportVerdict::Incorrect,
            TaskKind::Turnstile,
            "https://api.2captcha.com/reportIncorrect",
        ),
        (
            Service::two_captcha(),
            ReportVerdict::Correct,
            TaskKind::ImageToText,
            "https://api.2captcha.com/reportCorrect",
        ),
        (
            Service::capmonster_url_form(),
            ReportVerdict::Correct,
            TaskKind::RecaptchaV2,
            "https://api.capmonster.cloud/res.php",
        ),
    ];
    for (service, verdict, kind, url) in cases {
        let mut ledger = ReportLedger::new();
        let plan = plan_report(
            service.dialect(),
            verdict,
            kind,
            99,
            T0,
            secs(5),
            &mut ledger,
        )
        .unwrap();
        let req = plan.request.build(&service, &k).unwrap();
        assert_eq!(req.uri(), url, "{kind:?}");
        if service.dialect() == Dialect::UrlForm {
            let body = String::from_utf8(req.body().clone()).unwrap();
            assert!(body.contains("action=reportgood&id=99"), "{body}");
        } else {
            assert_eq!(plan.request.method_name(&service), plan.rule.method);
        }
    }
    // Anti-Captcha's reCAPTCHA-only rules carry their caveat.
    let plan = plan_report(
        Dialect::AntiCaptcha,
        ReportVerdict::Correct,
        TaskKind::RecaptchaV2,
        1,
        T0,
        secs(1),
        &mut ReportLedger::new(),
    )
    .unwrap();
    assert!(plan.warning.unwrap().contains("ignored"));
    assert_eq!(plan.rule.sends, ReportMethodKind::Correct);
}

#[test]
fn server_refusals_stay_typed_api_errors() {
    let service = Service::anti_captcha();
    let plan = plan_report(
        Dialect::AntiCaptcha,
        ReportVerdict::Incorrect,
        TaskKind::ImageToText,
        5,
        T0,
        secs(1),
        &mut ReportLedger::new(),
    )
    .unwrap();
    let e = plan
        .request
        .parse(
            &service,
            response(
                200,
                br#"{"errorId":16,"errorCode":"ERROR_NO_SUCH_CAPCHA_ID"}"#,
            ),
        )
        .unwrap_err();
    let e = e.api().unwrap();
    assert_eq!(e.code, ErrorCode::NoSuchCapchaId);
    assert!(is_report_rejection(e));
    assert!(
        plan.request
            .parse(
                &service,
                response(200, br#"{"errorId":0,"status":"success"}"#)
            )
            .is_ok()
    );
}

#[test]
fn rules_are_data() {
    for dialect in [
        Dialect::CapMonster,
        Dialect::AntiCaptcha,
        Dialect::TwoCaptcha,
        Dialect::UrlForm,
    ] {
        let rules = report_rules(dialect);
        assert!(!rules.is_empty());
        for r in rules {
            assert_eq!(r.dialect, dialect);
            assert!(r.once_per_task);
        }
    }
    let ac = report_rules(Dialect::AntiCaptcha);
    assert!(ac.iter().all(|r| r.window == Some(Duration::from_secs(60))));
    assert_eq!(report_rules(Dialect::TwoCaptcha)[0].kinds, KindSet::Any);
    assert!(
        report_rules(Dialect::CapMonster)
            .iter()
            .all(|r| r.window.is_none() && r.advisory_window == Some(Duration::from_secs(300)))
    );
    // The ledger can be pruned with the same clock values.
    let mut ledger = ReportLedger::new();
    for id in 0..3 {
        plan_report(
            Dialect::TwoCaptcha,
            ReportVerdict::Incorrect,
            TaskKind::ImageToText,
            id,
            T0,
            secs(id * 100),
            &mut ledger,
        )
        .unwrap();
    }
    ledger.prune(secs(250), Duration::from_secs(100));
    assert_eq!(ledger.len(), 1);
    assert!(ledger.is_reported(Dialect::TwoCaptcha, 2));
}

/// Without a completion time the rules still check the dialect, the verdict and the kind; the
/// window and the once-per-task rule are left to the caller, and nothing is recorded.
#[test]
fn a_report_without_a_window_still_follows_the_type_rules() {
    let make = |dialect, verdict, kind| ReportRequest::without_window(dialect, verdict, kind, 5);
    let (wrong, right) = (ReportVerdict::Incorrect, ReportVerdict::Correct);
    let refused = make(Dialect::CapMonster, right, TaskKind::ImageToText).unwrap_err();
    assert_eq!(refused.reason, RefusalReason::VerdictNotOffered);
    let refused = make(Dialect::AntiCaptcha, wrong, TaskKind::Turnstile).unwrap_err();
    assert_eq!(refused.reason, RefusalReason::KindNotAllowed);
    assert_eq!(refused.task_id, 5);
    let report = make(Dialect::AntiCaptcha, wrong, TaskKind::HCaptcha).unwrap();
    assert_eq!(report.task_id(), 5);
    let request = report.build(&Service::anti_captcha(), &key()).unwrap();
    assert_eq!(request.uri().path(), "/reportIncorrectHcaptcha");
    // Planned for Anti-Captcha, it is not sent to CapMonster, whose rules were not checked.
    assert!(report.build(&Service::capmonster(), &key()).is_err());
    // Asked again, it is made again: nothing is recorded, which is why the window and "once"
    // are the caller's.
    assert_eq!(
        make(Dialect::AntiCaptcha, wrong, TaskKind::HCaptcha),
        Ok(report)
    );
}
