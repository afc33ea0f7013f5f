//! The report call under the one public report request (`report::ReportRequest`), which only the
//! service's rules make: nothing here is public, so no report can skip them.

use crate::endpoint::{Endpoint, ReportAccepted, TaskId};
use crate::error::{BuildError, ResponseError, UnparseableResponse};
use crate::key::ClientKey;
use crate::service::Service;
use crate::task::TaskKind;
use crate::wire::json::{TaskIdBody, decode, json_post};
use crate::wire::{self, Method, url_form};

/// One report call: the task and the method as the wire layer names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReportCall {
    task_id: TaskId,
    method: Method,
}

impl ReportCall {
    /// A wrong image answer: `reportIncorrectImageCaptcha` on CapMonster and Anti-Captcha,
    /// `reportIncorrect` on 2Captcha, `res.php?action=reportbad` in the URL form.
    pub(crate) fn incorrect_image(task_id: TaskId) -> Self {
        Self {
            task_id,
            method: Method::ReportImage,
        }
    }

    /// A refused token: `reportIncorrectTokenCaptcha` on CapMonster,
    /// `reportIncorrectRecaptcha` / `reportIncorrectHcaptcha` on Anti-Captcha (chosen by the
    /// task's kind), `reportIncorrect` on 2Captcha, `res.php?action=reportbad` in the URL form.
    pub(crate) fn incorrect_token(task_id: TaskId, kind: TaskKind) -> Self {
        let anti_captcha = match kind {
            TaskKind::HCaptcha => Some("reportIncorrectHcaptcha"),
            k if k.is_recaptcha() => Some("reportIncorrectRecaptcha"),
            _ => None,
        };
        Self {
            task_id,
            method: Method::ReportToken { anti_captcha },
        }
    }

    /// A right answer: `reportCorrectRecaptcha` on Anti-Captcha, `reportCorrect` on 2Captcha,
    /// `res.php?action=reportgood` in the URL form. CapMonster has no such method.
    pub(crate) fn correct(task_id: TaskId) -> Self {
        Self {
            task_id,
            method: Method::ReportCorrect,
        }
    }

    /// The task the report is about.
    pub(crate) fn task_id(&self) -> TaskId {
        self.task_id
    }

    fn good(&self) -> bool {
        matches!(self.method, Method::ReportCorrect)
    }

    /// What is refused where the dialect has no such method.
    fn operation(&self) -> &'static str {
        match self.method {
            Method::ReportCorrect => "reporting a correct answer",
            Method::ReportToken { .. } => {
                "a wrong-token report for this task kind (only reCAPTCHA and hCaptcha)"
            }
            _ => "a wrong-image report",
        }
    }
}

impl Endpoint for ReportCall {
    type Output = ReportAccepted;

    fn method_name(&self, service: &Service) -> &'static str {
        wire::method_name(service.dialect(), self.method)
    }

    fn build(
        &self,
        service: &Service,
        key: &ClientKey,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        if !wire::supports(service.dialect(), self.method) {
            return Err(BuildError::Unsupported {
                operation: self.operation(),
                service: service.dialect().name(),
            });
        }
        if wire::is_url_form(service) {
            return url_form::report_request(service, key, self.task_id, self.good());
        }
        let body = TaskIdBody {
            client_key: key,
            task_id: self.task_id,
        };
        json_post(service, self.method_name(service), &body)
    }

    fn parse(
        &self,
        service: &Service,
        response: http::Response<&[u8]>,
    ) -> Result<ReportAccepted, ResponseError> {
        if wire::is_url_form(service) {
            return url_form::parse_report(response);
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
}
