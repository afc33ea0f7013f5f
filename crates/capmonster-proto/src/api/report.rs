//! The report endpoints. Send them through the report rules (`report::plan_report`), which pick
//! the method the service accepts for the task and refuse a report it would refuse.

use crate::endpoint::{Endpoint, ReportAccepted, TaskId, TokenReportMethod};
use crate::error::{BuildError, ResponseError, UnparseableResponse};
use crate::key::ClientKey;
use crate::service::Service;
use crate::task::TaskKind;
use crate::wire::json::{TaskIdBody, decode, json_post};
use crate::wire::url_form::UrlFormReport;
use crate::wire::{self, Method};

/// A wrong image answer: `reportIncorrectImageCaptcha` on CapMonster and Anti-Captcha,
/// `reportIncorrect` on 2Captcha, `res.php?action=reportbad` in the URL form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportIncorrectImage {
    /// The task id.
    pub task_id: TaskId,
}

impl ReportIncorrectImage {
    /// A report for `task_id`.
    pub fn new(task_id: TaskId) -> Self {
        Self { task_id }
    }

    fn wire_method(&self) -> Method {
        Method::ReportImage
    }
}

/// A refused token: `reportIncorrectTokenCaptcha` (or an alias) on CapMonster,
/// `reportIncorrectRecaptcha` / `reportIncorrectHcaptcha` on Anti-Captcha (chosen by the task
/// kind or the method), `reportIncorrect` on 2Captcha, `res.php?action=reportbad` in the URL form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportIncorrectToken {
    /// The task id.
    pub task_id: TaskId,
    /// Which of CapMonster's aliases to call (and, on Anti-Captcha, `Hcaptcha` picks
    /// `reportIncorrectHcaptcha`).
    pub method: TokenReportMethod,
    /// The task's kind, when known. Anti-Captcha has one method per token family, so the kind
    /// picks it; a kind Anti-Captcha cannot report is refused before anything is sent.
    pub kind: Option<TaskKind>,
}

impl ReportIncorrectToken {
    /// A report for `task_id` through reportIncorrectTokenCaptcha.
    pub fn new(task_id: TaskId) -> Self {
        Self {
            task_id,
            method: TokenReportMethod::TokenCaptcha,
            kind: None,
        }
    }

    /// Sends it through another alias.
    #[must_use]
    pub fn with_method(mut self, method: TokenReportMethod) -> Self {
        self.method = method;
        self
    }

    /// Records the task's kind, so the dialect's matching method is used.
    #[must_use]
    pub fn with_kind(mut self, kind: TaskKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// The method as the wire layer names it: the alias, and Anti-Captcha's method for the
    /// task's family (`None` when it has none).
    fn wire_method(&self) -> Method {
        Method::ReportToken {
            alias: self.method,
            anti_captcha: self.anti_captcha_method(),
        }
    }

    fn anti_captcha_method(&self) -> Option<&'static str> {
        match (self.kind, self.method) {
            (Some(TaskKind::HCaptcha), _) | (None, TokenReportMethod::Hcaptcha) => {
                Some("reportIncorrectHcaptcha")
            }
            (Some(k), _) if k.is_recaptcha() => Some("reportIncorrectRecaptcha"),
            (Some(_), _) => None,
            (None, _) => Some("reportIncorrectRecaptcha"),
        }
    }
}

/// A right answer: `reportCorrectRecaptcha` on Anti-Captcha, `reportCorrect` on 2Captcha,
/// `res.php?action=reportgood` in the URL form. CapMonster has no such method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportCorrect {
    /// The task id.
    pub task_id: TaskId,
}

impl ReportCorrect {
    /// A report for `task_id`.
    pub fn new(task_id: TaskId) -> Self {
        Self { task_id }
    }

    fn wire_method(&self) -> Method {
        Method::ReportCorrect
    }
}

fn parse_report(
    service: &Service,
    response: http::Response<&[u8]>,
    good: bool,
    task_id: TaskId,
) -> Result<ReportAccepted, ResponseError> {
    if wire::is_url_form(service) {
        let report = if good {
            UrlFormReport::good(task_id)
        } else {
            UrlFormReport::bad(task_id)
        };
        return report.parse(service, response);
    }
    let body = *response.body();
    let wire = decode(response.status(), body, service.dialect())?;
    match wire.status.as_deref() {
        Some("success") | None => Ok(ReportAccepted),
        Some(other) => Err(UnparseableResponse::new(
            response.status().as_u16(),
            format!("unexpected report status {other:?}"),
            body,
        )
        .into()),
    }
}

fn build_report(
    service: &Service,
    key: &ClientKey,
    name: &'static str,
    good: bool,
    task_id: TaskId,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    if wire::is_url_form(service) {
        let report = if good {
            UrlFormReport::good(task_id)
        } else {
            UrlFormReport::bad(task_id)
        };
        return report.build(service, key);
    }
    let body = TaskIdBody {
        client_key: key,
        task_id,
    };
    json_post(service, name, &body)
}

/// The three report endpoints differ only in their method, their verdict and what is refused
/// where the dialect has no such method.
macro_rules! report_endpoint {
    ($ty:ty, good: $good:literal, unsupported: $operation:literal) => {
        impl Endpoint for $ty {
            type Output = ReportAccepted;

            fn method_name(&self, service: &Service) -> &'static str {
                wire::method_name(service.dialect(), self.wire_method())
            }

            fn build(
                &self,
                service: &Service,
                key: &ClientKey,
            ) -> Result<http::Request<Vec<u8>>, BuildError> {
                if !wire::supports(service.dialect(), self.wire_method()) {
                    return Err(BuildError::Unsupported {
                        operation: $operation,
                        service: service.dialect().name(),
                    });
                }
                build_report(service, key, self.method_name(service), $good, self.task_id)
            }

            fn parse(
                &self,
                service: &Service,
                response: http::Response<&[u8]>,
            ) -> Result<ReportAccepted, ResponseError> {
                parse_report(service, response, $good, self.task_id)
            }
        }
    };
}

report_endpoint!(ReportIncorrectImage, good: false, unsupported: "a wrong-image report");
report_endpoint!(
    ReportIncorrectToken,
    good: false,
    unsupported: "a wrong-token report for this task kind (only reCAPTCHA and hCaptcha)"
);
report_endpoint!(ReportCorrect, good: true, unsupported: "reporting a correct answer");
