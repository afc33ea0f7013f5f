//! The report rules as data: one table of every dialect's rules.

use std::time::Duration;

use crate::service::Dialect;
use crate::task::TaskKind;

/// What the report says about the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReportVerdict {
    /// The answer was wrong (the token was refused, the text was wrong).
    Incorrect,
    /// The answer was right.
    Correct,
}

/// Which task kinds a rule covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KindSet {
    /// Every kind, including unknown ones.
    Any,
    /// Exactly these kinds.
    Only(&'static [TaskKind]),
}

impl KindSet {
    /// True when `kind` is covered.
    pub fn contains(self, kind: TaskKind) -> bool {
        match self {
            Self::Any => true,
            Self::Only(kinds) => kinds.contains(&kind),
        }
    }
}

/// Which request a rule sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReportMethodKind {
    /// A wrong image answer (`reportIncorrectImageCaptcha`, and 2Captcha's and the URL form's
    /// generic wrong-answer report).
    IncorrectImage,
    /// A refused token (`reportIncorrectTokenCaptcha`, Anti-Captcha's per-family methods).
    IncorrectToken,
    /// A right answer (`reportCorrectRecaptcha`, `reportCorrect`, `reportgood`).
    Correct,
}

/// One report rule of one dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportRule {
    /// A stable name for messages and tests (`anti-captcha/reportIncorrectRecaptcha`, ...).
    pub name: &'static str,
    /// The dialect.
    pub dialect: Dialect,
    /// The verdict it carries.
    pub verdict: ReportVerdict,
    /// The method name on the wire (`res.php` actions are written `reportbad`/`reportgood`).
    pub method: &'static str,
    /// Which request it sends.
    pub sends: ReportMethodKind,
    /// The kinds it may be used for.
    pub kinds: KindSet,
    /// How long after the task's completion the report is accepted; `None` when the service
    /// documents no window (then [`ReportRule::advisory_window`] may warn).
    pub window: Option<Duration>,
    /// A window past which the report is still sent, with a warning.
    pub advisory_window: Option<Duration>,
    /// At most one report per task.
    pub once_per_task: bool,
    /// A caveat to pass on with every report through this rule, if any.
    pub note: Option<&'static str>,
}

const RECAPTCHA: &[TaskKind] = &[
    TaskKind::RecaptchaV2,
    TaskKind::RecaptchaV2Enterprise,
    TaskKind::RecaptchaV3,
    TaskKind::RecaptchaV3Enterprise,
];
const CM_IMAGE: &[TaskKind] = &[
    TaskKind::ImageToText,
    TaskKind::ComplexImageRecaptcha,
    TaskKind::ComplexImageRecognition,
];
const CM_TOKEN: &[TaskKind] = &[
    TaskKind::RecaptchaV2,
    TaskKind::RecaptchaV2Enterprise,
    TaskKind::RecaptchaV3,
    TaskKind::RecaptchaV3Enterprise,
    TaskKind::GeeTest,
    TaskKind::Turnstile,
];
const AC_CORRECT: &[TaskKind] = &[
    TaskKind::RecaptchaV2,
    TaskKind::RecaptchaV2Enterprise,
    TaskKind::RecaptchaV3,
    TaskKind::RecaptchaV3Enterprise,
];

/// Anti-Captcha: every report within 60 s of completion, once per task.
const AC_WINDOW: Duration = Duration::from_secs(60);
/// 2Captcha (v1 and v2): 15 minutes, once per task.
const TWO_CAPTCHA_WINDOW: Duration = Duration::from_secs(15 * 60);
/// CapMonster keeps results "usually 5 minutes"; no report window is documented.
const CM_RESULT_LIFETIME: Duration = Duration::from_secs(5 * 60);

const fn rule(
    name: &'static str,
    dialect: Dialect,
    verdict: ReportVerdict,
    method: &'static str,
    sends: ReportMethodKind,
    kinds: KindSet,
    window: Option<Duration>,
) -> ReportRule {
    ReportRule {
        name,
        dialect,
        verdict,
        method,
        sends,
        kinds,
        window,
        advisory_window: None,
        once_per_task: true,
        note: None,
    }
}

/// Every dialect's rules, one dialect after another, each dialect's in the order they are
/// tried. A rule names its own dialect, so nothing here (or in [`report_rules`]) matches on
/// [`Dialect`]: a dialect without rows has no report at all, and every report on it is refused.
const RULES: &[ReportRule] = &[
    ReportRule {
        advisory_window: Some(CM_RESULT_LIFETIME),
        ..rule(
            "capmonster/reportIncorrectImageCaptcha",
            Dialect::CapMonster,
            ReportVerdict::Incorrect,
            "reportIncorrectImageCaptcha",
            ReportMethodKind::IncorrectImage,
            KindSet::Only(CM_IMAGE),
            None,
        )
    },
    ReportRule {
        advisory_window: Some(CM_RESULT_LIFETIME),
        ..rule(
            "capmonster/reportIncorrectTokenCaptcha",
            Dialect::CapMonster,
            ReportVerdict::Incorrect,
            "reportIncorrectTokenCaptcha",
            ReportMethodKind::IncorrectToken,
            KindSet::Only(CM_TOKEN),
            None,
        )
    },
    ReportRule {
        note: Some("Anti-Captcha accepts image complaints for English captchas only"),
        ..rule(
            "anti-captcha/reportIncorrectImageCaptcha",
            Dialect::AntiCaptcha,
            ReportVerdict::Incorrect,
            "reportIncorrectImageCaptcha",
            ReportMethodKind::IncorrectImage,
            KindSet::Only(&[TaskKind::ImageToText]),
            Some(AC_WINDOW),
        )
    },
    ReportRule {
        note: Some("counted only when the account sends 100 or more reCAPTCHA tasks a day"),
        ..rule(
            "anti-captcha/reportIncorrectRecaptcha",
            Dialect::AntiCaptcha,
            ReportVerdict::Incorrect,
            "reportIncorrectRecaptcha",
            ReportMethodKind::IncorrectToken,
            KindSet::Only(RECAPTCHA),
            Some(AC_WINDOW),
        )
    },
    rule(
        "anti-captcha/reportIncorrectHcaptcha",
        Dialect::AntiCaptcha,
        ReportVerdict::Incorrect,
        "reportIncorrectHcaptcha",
        ReportMethodKind::IncorrectToken,
        KindSet::Only(&[TaskKind::HCaptcha]),
        Some(AC_WINDOW),
    ),
    ReportRule {
        note: Some(
            "used for reCAPTCHA v3 and v2 Enterprise; accepted but ignored for plain reCAPTCHA v2",
        ),
        ..rule(
            "anti-captcha/reportCorrectRecaptcha",
            Dialect::AntiCaptcha,
            ReportVerdict::Correct,
            "reportCorrectRecaptcha",
            ReportMethodKind::Correct,
            KindSet::Only(AC_CORRECT),
            Some(AC_WINDOW),
        )
    },
    rule(
        "2captcha/reportIncorrect",
        Dialect::TwoCaptcha,
        ReportVerdict::Incorrect,
        "reportIncorrect",
        ReportMethodKind::IncorrectImage,
        KindSet::Any,
        Some(TWO_CAPTCHA_WINDOW),
    ),
    rule(
        "2captcha/reportCorrect",
        Dialect::TwoCaptcha,
        ReportVerdict::Correct,
        "reportCorrect",
        ReportMethodKind::Correct,
        KindSet::Any,
        Some(TWO_CAPTCHA_WINDOW),
    ),
    rule(
        "url-form/reportbad",
        Dialect::UrlForm,
        ReportVerdict::Incorrect,
        "reportbad",
        ReportMethodKind::IncorrectImage,
        KindSet::Any,
        Some(TWO_CAPTCHA_WINDOW),
    ),
    rule(
        "url-form/reportgood",
        Dialect::UrlForm,
        ReportVerdict::Correct,
        "reportgood",
        ReportMethodKind::Correct,
        KindSet::Any,
        Some(TWO_CAPTCHA_WINDOW),
    ),
];

/// The report rules of `dialect`, in the order they are tried (empty for a dialect without
/// any).
pub fn report_rules(dialect: Dialect) -> &'static [ReportRule] {
    let Some(start) = RULES.iter().position(|r| r.dialect == dialect) else {
        return &[];
    };
    let len = RULES[start..]
        .iter()
        .take_while(|r| r.dialect == dialect)
        .count();
    &RULES[start..start + len]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_dialect_has_its_rules_in_one_run() {
        let dialects = [
            Dialect::CapMonster,
            Dialect::AntiCaptcha,
            Dialect::TwoCaptcha,
            Dialect::UrlForm,
        ];
        let mut total = 0;
        for d in dialects {
            let rules = report_rules(d);
            assert!(!rules.is_empty(), "{d:?} has no report rule");
            assert!(rules.iter().all(|r| r.dialect == d));
            total += rules.len();
        }
        assert_eq!(total, RULES.len(), "a dialect's rows are split in two runs");
    }
}
