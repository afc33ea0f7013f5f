//! Every byte format, and the only place besides `service.rs` that tells the dialects apart.
//!
//! - [`json`]: the JSON envelope and request bodies of CapMonster, Anti-Captcha and 2Captcha v2;
//! - [`url_form`]: the rucaptcha/2captcha `in.php`/`res.php` URL form.
//!
//! The endpoints (`api/`) ask this layer which form a service speaks ([`is_url_form`]) and
//! what a method is called there ([`method_name`]). Every match on [`Dialect`] here lists every
//! dialect, with no wildcard arm: a new dialect does not compile until each row says what it
//! does.

pub(crate) mod json;
pub(crate) mod url_form;

use crate::service::{Dialect, Service};

/// A method whose name (or availability) depends on the dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    CreateTask,
    GetTaskResult,
    GetBalance,
    GetQueueStats,
    /// reportIncorrectImageCaptcha and its equivalents.
    ReportImage,
    /// A wrong-token report, with Anti-Captcha's method for the task's family (`None` when it
    /// has none).
    ReportToken {
        anti_captcha: Option<&'static str>,
    },
    ReportCorrect,
}

/// Whether `service` speaks the URL form (otherwise one of the JSON dialects).
pub(crate) fn is_url_form(service: &Service) -> bool {
    match service.dialect() {
        Dialect::CapMonster | Dialect::AntiCaptcha | Dialect::TwoCaptcha => false,
        Dialect::UrlForm => true,
    }
}

/// What `method` is called on `dialect`: the last segment of its URL path. Where the dialect
/// has no such method ([`supports`] is false) this is the nearest name, for messages.
pub(crate) fn method_name(dialect: Dialect, method: Method) -> &'static str {
    use Method as M;
    match dialect {
        Dialect::CapMonster => match method {
            M::CreateTask => "createTask",
            M::GetTaskResult => "getTaskResult",
            M::GetBalance => "getBalance",
            M::GetQueueStats => "getQueueStats",
            M::ReportImage => "reportIncorrectImageCaptcha",
            M::ReportToken { .. } => "reportIncorrectTokenCaptcha",
            M::ReportCorrect => "reportCorrect",
        },
        Dialect::AntiCaptcha => match method {
            M::CreateTask => "createTask",
            M::GetTaskResult => "getTaskResult",
            M::GetBalance => "getBalance",
            M::GetQueueStats => "getQueueStats",
            M::ReportImage => "reportIncorrectImageCaptcha",
            M::ReportToken { anti_captcha, .. } => {
                anti_captcha.unwrap_or("reportIncorrectRecaptcha")
            }
            M::ReportCorrect => "reportCorrectRecaptcha",
        },
        Dialect::TwoCaptcha => match method {
            M::CreateTask => "createTask",
            M::GetTaskResult => "getTaskResult",
            M::GetBalance => "getBalance",
            M::GetQueueStats => "getQueueStats",
            M::ReportImage | M::ReportToken { .. } => "reportIncorrect",
            M::ReportCorrect => "reportCorrect",
        },
        Dialect::UrlForm => match method {
            M::CreateTask => "in.php",
            M::GetQueueStats => "getQueueStats",
            M::GetTaskResult
            | M::GetBalance
            | M::ReportImage
            | M::ReportToken { .. }
            | M::ReportCorrect => "res.php",
        },
    }
}

/// Whether `dialect` has `method`: getQueueStats is Anti-Captcha's alone, CapMonster has no
/// correct-answer report, and Anti-Captcha reports only reCAPTCHA and hCaptcha tokens.
pub(crate) fn supports(dialect: Dialect, method: Method) -> bool {
    match (dialect, method) {
        (Dialect::AntiCaptcha, Method::ReportToken { anti_captcha, .. }) => anti_captcha.is_some(),
        (Dialect::AntiCaptcha, _) => true,
        (Dialect::CapMonster, Method::ReportCorrect)
        | (Dialect::CapMonster | Dialect::TwoCaptcha | Dialect::UrlForm, Method::GetQueueStats) => {
            false
        }
        (Dialect::CapMonster | Dialect::TwoCaptcha | Dialect::UrlForm, _) => true,
    }
}
