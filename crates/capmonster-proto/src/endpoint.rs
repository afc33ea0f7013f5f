//! One typed endpoint per API method.
//!
//! An endpoint builds its `http::Request<Vec<u8>>` for a [`Service`] and a [`ClientKey`], and
//! parses an `http::Response<&[u8]>` into its typed output. A front end needs one generic
//! `send` for all of them:
//!
//! ```
//! use capmonster_proto::{ClientKey, Endpoint, GetBalance, Service};
//! let service = Service::default();
//! let key = ClientKey::new("0123456789abcdef").unwrap();
//! let request = GetBalance.build(&service, &key).unwrap();
//! assert_eq!(request.uri(), "https://api.capmonster.cloud/getBalance");
//! // ... send it, then:
//! let response = http::Response::builder()
//!     .status(200)
//!     .body(&br#"{"errorId":0,"balance":345.678}"#[..])
//!     .unwrap();
//! let balance = GetBalance.parse(&service, response).unwrap();
//! assert_eq!(balance.balance, 345.678);
//! ```

use serde::Serialize;

use crate::envelope::{decode, decode_any_status, task_id_in};
use crate::error::{BuildError, ResponseError, UnparseableResponse};
use crate::key::ClientKey;
use crate::service::{Dialect, Service};
use crate::solution::{Ready, ResultExtras, TaskResult};
use crate::task::{Task, TaskKind, WireTask};
use crate::urlform::{UrlFormGet, UrlFormGetBalance, UrlFormReport, UrlFormSubmit};

/// A task id, as createTask returns it.
pub type TaskId = u64;

/// An API method: how to build its request, and how to read its answer.
pub trait Endpoint {
    /// What a successful answer is parsed into.
    type Output;

    /// The method's name, as in the URL path (`createTask`, ...).
    fn method_name(&self, service: &Service) -> &'static str;

    /// Builds the HTTP request. Local validation runs here: nothing invalid is ever built.
    fn build(
        &self,
        service: &Service,
        key: &ClientKey,
    ) -> Result<http::Request<Vec<u8>>, BuildError>;

    /// Parses the HTTP response, whatever its status.
    fn parse(
        &self,
        service: &Service,
        response: http::Response<&[u8]>,
    ) -> Result<Self::Output, ResponseError>;
}

/// Builds a JSON POST to `<base>/<method>` with the standard headers.
pub(crate) fn json_post(
    service: &Service,
    method: &str,
    body: &impl Serialize,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    // Serialising our own types into a Vec cannot fail: every map key is a string.
    let body = serde_json::to_vec(body).expect("request bodies always serialise");
    Ok(http::Request::builder()
        .method(http::Method::POST)
        .uri(service.method_url(method))
        .header(http::header::CONTENT_TYPE, "application/json")
        .header(http::header::ACCEPT, "application/json")
        .header(http::header::USER_AGENT, service.http_user_agent())
        .body(body)
        .expect("the service URL and headers were validated when the service was made"))
}

/// `createTask`: submits a task. Its output is the new task's id.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CreateTask {
    /// The task.
    pub task: Task,
    /// `callbackUrl`: where the service POSTs the result when it is ready.
    pub callback_url: Option<String>,
    /// `softId`: the developer id of the software sending the task.
    pub soft_id: Option<u32>,
}

impl CreateTask {
    /// A createTask for `task`.
    pub fn new(task: impl Into<Task>) -> Self {
        Self {
            task: task.into(),
            callback_url: None,
            soft_id: None,
        }
    }

    /// Sets `callbackUrl`.
    #[must_use]
    pub fn with_callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }

    /// Sets `softId`.
    #[must_use]
    pub fn with_soft_id(mut self, soft_id: u32) -> Self {
        self.soft_id = Some(soft_id);
        self
    }

    /// The same submission in the URL form: `softId` becomes `soft_id`, `callbackUrl` becomes
    /// `pingback`, with the default [`UrlFormOptions`](crate::urlform::UrlFormOptions).
    pub fn url_form(&self) -> UrlFormSubmit {
        let mut submit = UrlFormSubmit::new(self.task.clone());
        submit.soft_id = self.soft_id;
        submit.pingback = self.callback_url.clone();
        submit
    }
}

#[derive(Serialize)]
struct CreateTaskBody<'a> {
    #[serde(rename = "clientKey")]
    client_key: &'a ClientKey,
    task: WireTask<'a>,
    #[serde(rename = "callbackUrl", skip_serializing_if = "Option::is_none")]
    callback_url: Option<&'a str>,
    #[serde(rename = "softId", skip_serializing_if = "Option::is_none")]
    soft_id: Option<u32>,
}

impl Endpoint for CreateTask {
    type Output = TaskId;

    fn method_name(&self, service: &Service) -> &'static str {
        match service.dialect() {
            Dialect::UrlForm => "in.php",
            _ => "createTask",
        }
    }

    fn build(
        &self,
        service: &Service,
        key: &ClientKey,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        if service.dialect() == Dialect::UrlForm {
            return self.url_form().build(service, key);
        }
        self.task.validate()?;
        if let Some(url) = &self.callback_url {
            crate::task::check_website_url("callbackUrl", url)?;
        }
        let body = CreateTaskBody {
            client_key: key,
            task: self.task.wire(service.type_naming()),
            callback_url: self.callback_url.as_deref(),
            soft_id: self.soft_id,
        };
        json_post(service, "createTask", &body)
    }

    fn parse(
        &self,
        service: &Service,
        response: http::Response<&[u8]>,
    ) -> Result<TaskId, ResponseError> {
        if service.dialect() == Dialect::UrlForm {
            return self.url_form().parse(service, response);
        }
        let body = *response.body();
        // An answer that names a task means the task exists, whatever the HTTP status says: it
        // must be polled, never created again.
        let wire = match decode_any_status(response.status(), body, service.dialect()) {
            Ok(wire) => wire,
            // An error answer that still names a task: the task may exist, so it is polled
            // (which names it in any later error) rather than lost or created again.
            Err(ResponseError::Api(e)) => {
                return task_id_in(body).ok_or(ResponseError::Api(e));
            }
            Err(e) => return Err(e),
        };
        match wire.task_id {
            Some(id) if id > 0 => Ok(id),
            _ if !response.status().is_success() => Err(UnparseableResponse::new(
                response.status().as_u16(),
                "error status with a body that carries no error",
                body,
            )
            .into()),
            _ => Err(UnparseableResponse::new(
                response.status().as_u16(),
                "createTask succeeded without a taskId",
                body,
            )
            .into()),
        }
    }
}

#[derive(Serialize)]
struct TaskIdBody<'a> {
    #[serde(rename = "clientKey")]
    client_key: &'a ClientKey,
    #[serde(rename = "taskId")]
    task_id: TaskId,
}

#[derive(Serialize)]
struct KeyBody<'a> {
    #[serde(rename = "clientKey")]
    client_key: &'a ClientKey,
}

/// `getTaskResult`: one poll of a task.
///
/// The task's kind, when given, types the solution; without it the solution is
/// [`Solution::Raw`](crate::Solution::Raw).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetTaskResult {
    /// The task id.
    pub task_id: TaskId,
    /// The task's kind, to type the solution.
    pub kind: TaskKind,
}

impl GetTaskResult {
    /// A poll of `task_id`, whose kind is `kind` ([`TaskKind::Other`] if unknown).
    pub fn new(task_id: TaskId, kind: TaskKind) -> Self {
        Self { task_id, kind }
    }
}

impl Endpoint for GetTaskResult {
    type Output = TaskResult;

    fn method_name(&self, service: &Service) -> &'static str {
        match service.dialect() {
            Dialect::UrlForm => "res.php",
            _ => "getTaskResult",
        }
    }

    fn build(
        &self,
        service: &Service,
        key: &ClientKey,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        if service.dialect() == Dialect::UrlForm {
            return UrlFormGet::new(self.task_id, self.kind).build(service, key);
        }
        let body = TaskIdBody {
            client_key: key,
            task_id: self.task_id,
        };
        json_post(service, "getTaskResult", &body)
    }

    fn parse(
        &self,
        service: &Service,
        response: http::Response<&[u8]>,
    ) -> Result<TaskResult, ResponseError> {
        if service.dialect() == Dialect::UrlForm {
            return UrlFormGet::new(self.task_id, self.kind).parse(service, response);
        }
        let status = response.status();
        let body = *response.body();
        let wire = match decode(status, body, service.dialect()) {
            Ok(wire) => wire,
            Err(ResponseError::Api(e)) if e.class() == crate::ErrorClass::NotReady => {
                return Ok(TaskResult::Processing);
            }
            Err(e) => return Err(e),
        };
        match (wire.status.as_deref(), wire.solution) {
            (Some("ready"), Some(solution)) | (None, Some(solution)) => {
                let extras = ResultExtras {
                    cost: wire.cost,
                    ip: wire.ip.map(|s| s.into_owned()),
                    create_time: wire.create_time,
                    end_time: wire.end_time,
                    solve_count: wire.solve_count,
                };
                Ok(TaskResult::Ready(Box::new(Ready::new(
                    self.kind,
                    solution.to_owned(),
                    extras,
                ))))
            }
            (Some("processing"), _) | (Some("idle"), None) => Ok(TaskResult::Processing),
            (Some("ready"), None) => Err(UnparseableResponse::new(
                status.as_u16(),
                "status is ready but there is no solution",
                body,
            )
            .into()),
            (other, _) => Err(UnparseableResponse::new(
                status.as_u16(),
                format!("unknown task status {:?}", other.unwrap_or("(none)")),
                body,
            )
            .into()),
        }
    }
}

/// The account balance.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Balance {
    /// `balance`, in the account's currency (USD).
    pub balance: f64,
    /// `captchaCredits` (Anti-Captcha only).
    pub captcha_credits: Option<f64>,
}

/// `getBalance`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GetBalance;

impl Endpoint for GetBalance {
    type Output = Balance;

    fn method_name(&self, service: &Service) -> &'static str {
        match service.dialect() {
            Dialect::UrlForm => "res.php",
            _ => "getBalance",
        }
    }

    fn build(
        &self,
        service: &Service,
        key: &ClientKey,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        if service.dialect() == Dialect::UrlForm {
            return UrlFormGetBalance::new().build(service, key);
        }
        json_post(service, "getBalance", &KeyBody { client_key: key })
    }

    fn parse(
        &self,
        service: &Service,
        response: http::Response<&[u8]>,
    ) -> Result<Balance, ResponseError> {
        if service.dialect() == Dialect::UrlForm {
            return UrlFormGetBalance::new().parse(service, response);
        }
        let body = *response.body();
        let wire = decode(response.status(), body, service.dialect())?;
        let balance = wire.balance.ok_or_else(|| {
            UnparseableResponse::new(
                response.status().as_u16(),
                "getBalance succeeded without a balance",
                body,
            )
        })?;
        Ok(Balance {
            balance,
            captcha_credits: wire.captcha_credits,
        })
    }
}

/// `getUserAgent`: the current Windows browser User-Agent, from its own host.
///
/// The documentation gives only the address. This sends a plain GET without the key (see
/// docs/PROTOCOL-NOTES.md) and reads the answer as text, or as JSON holding a string.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GetUserAgent;

impl Endpoint for GetUserAgent {
    type Output = String;

    fn method_name(&self, _: &Service) -> &'static str {
        "getUserAgent"
    }

    fn build(
        &self,
        service: &Service,
        _key: &ClientKey,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        let url = service.user_agent_url().ok_or(BuildError::Unsupported {
            operation: "getUserAgent",
            service: service.dialect().name(),
        })?;
        Ok(http::Request::builder()
            .method(http::Method::GET)
            .uri(url)
            .header(http::header::USER_AGENT, service.http_user_agent())
            .body(Vec::new())
            .expect("the user-agent URL was validated when the service was made"))
    }

    fn parse(
        &self,
        _service: &Service,
        response: http::Response<&[u8]>,
    ) -> Result<String, ResponseError> {
        let status = response.status();
        let body = *response.body();
        let unreadable = |why: &str| UnparseableResponse::new(status.as_u16(), why, body).into();
        if !status.is_success() {
            return Err(unreadable("getUserAgent answered with an error status"));
        }
        let text = std::str::from_utf8(body)
            .map_err(|_| unreadable("the User-Agent is not UTF-8"))?
            .trim();
        let ua = match text.as_bytes().first() {
            Some(b'"') => serde_json::from_str::<String>(text).ok(),
            Some(b'{') => serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .and_then(|v| {
                    ["UserAgent", "userAgent", "useragent", "user_agent"]
                        .iter()
                        .find_map(|k| v.get(k).and_then(|s| s.as_str()).map(str::to_owned))
                }),
            Some(_) => Some(text.to_owned()),
            None => None,
        };
        match ua {
            Some(ua) if !ua.is_empty() && !ua.contains(['\n', '\r']) => Ok(ua),
            _ => Err(unreadable("no User-Agent in the answer")),
        }
    }
}

/// Which method reports a wrong token on CapMonster, where they behave alike.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenReportMethod {
    /// `reportIncorrectTokenCaptcha` (the default).
    #[default]
    TokenCaptcha,
    /// `reportIncorrectRecaptcha`.
    Recaptcha,
    /// `reportIncorrectHcaptcha` (removed from CapMonster's docs; still Anti-Captcha's name).
    Hcaptcha,
}

impl TokenReportMethod {
    /// The method's URL name.
    pub fn method_name(self) -> &'static str {
        match self {
            Self::TokenCaptcha => "reportIncorrectTokenCaptcha",
            Self::Recaptcha => "reportIncorrectRecaptcha",
            Self::Hcaptcha => "reportIncorrectHcaptcha",
        }
    }
}

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
}

/// A report accepted by the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportAccepted;

fn parse_report(
    service: &Service,
    response: http::Response<&[u8]>,
    good: bool,
    task_id: TaskId,
) -> Result<ReportAccepted, ResponseError> {
    if service.dialect() == Dialect::UrlForm {
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
    if service.dialect() == Dialect::UrlForm {
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

impl Endpoint for ReportIncorrectImage {
    type Output = ReportAccepted;

    fn method_name(&self, service: &Service) -> &'static str {
        match service.dialect() {
            Dialect::TwoCaptcha => "reportIncorrect",
            Dialect::UrlForm => "res.php",
            _ => "reportIncorrectImageCaptcha",
        }
    }

    fn build(
        &self,
        service: &Service,
        key: &ClientKey,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        build_report(service, key, self.method_name(service), false, self.task_id)
    }

    fn parse(
        &self,
        service: &Service,
        response: http::Response<&[u8]>,
    ) -> Result<ReportAccepted, ResponseError> {
        parse_report(service, response, false, self.task_id)
    }
}

impl Endpoint for ReportIncorrectToken {
    type Output = ReportAccepted;

    fn method_name(&self, service: &Service) -> &'static str {
        match service.dialect() {
            Dialect::AntiCaptcha => self
                .anti_captcha_method()
                .unwrap_or("reportIncorrectRecaptcha"),
            Dialect::TwoCaptcha => "reportIncorrect",
            Dialect::UrlForm => "res.php",
            _ => self.method.method_name(),
        }
    }

    fn build(
        &self,
        service: &Service,
        key: &ClientKey,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        if service.dialect() == Dialect::AntiCaptcha && self.anti_captcha_method().is_none() {
            return Err(BuildError::Unsupported {
                operation: "a wrong-token report for this task kind (only reCAPTCHA and hCaptcha)",
                service: service.dialect().name(),
            });
        }
        build_report(service, key, self.method_name(service), false, self.task_id)
    }

    fn parse(
        &self,
        service: &Service,
        response: http::Response<&[u8]>,
    ) -> Result<ReportAccepted, ResponseError> {
        parse_report(service, response, false, self.task_id)
    }
}

impl Endpoint for ReportCorrect {
    type Output = ReportAccepted;

    fn method_name(&self, service: &Service) -> &'static str {
        match service.dialect() {
            Dialect::AntiCaptcha => "reportCorrectRecaptcha",
            Dialect::UrlForm => "res.php",
            _ => "reportCorrect",
        }
    }

    fn build(
        &self,
        service: &Service,
        key: &ClientKey,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        if service.dialect() == Dialect::CapMonster {
            return Err(BuildError::Unsupported {
                operation: "reporting a correct answer",
                service: service.dialect().name(),
            });
        }
        build_report(service, key, self.method_name(service), true, self.task_id)
    }

    fn parse(
        &self,
        service: &Service,
        response: http::Response<&[u8]>,
    ) -> Result<ReportAccepted, ResponseError> {
        parse_report(service, response, true, self.task_id)
    }
}

/// Anti-Captcha's `getQueueStats`: the load of one worker queue. Not available elsewhere.
///
/// The documented example sends no `clientKey`, so none is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetQueueStats {
    /// `queueId` (1 ImageToText English, 2 Russian, 5/6 reCAPTCHA v2 with/without proxy, ...).
    pub queue_id: u32,
    /// `templateName` (AntiGate queue only).
    pub template_name: Option<String>,
}

impl GetQueueStats {
    /// The stats of queue `queue_id`.
    pub fn new(queue_id: u32) -> Self {
        Self {
            queue_id,
            template_name: None,
        }
    }

    /// Sets `templateName`.
    #[must_use]
    pub fn with_template_name(mut self, name: impl Into<String>) -> Self {
        self.template_name = Some(name.into());
        self
    }
}

/// getQueueStats' answer. Anti-Captcha caches it for 10 seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct QueueStats {
    /// `waiting`: idle workers.
    pub waiting: u64,
    /// `load`: queue load, in percent.
    pub load: f64,
    /// `bid`: the current bid, in USD.
    pub bid: f64,
    /// `speed`: average solving time, in seconds.
    pub speed: f64,
    /// `total`: workers online.
    pub total: u64,
}

#[derive(Serialize)]
struct QueueStatsBody<'a> {
    #[serde(rename = "queueId")]
    queue_id: u32,
    #[serde(rename = "templateName", skip_serializing_if = "Option::is_none")]
    template_name: Option<&'a str>,
}

impl Endpoint for GetQueueStats {
    type Output = QueueStats;

    fn method_name(&self, _: &Service) -> &'static str {
        "getQueueStats"
    }

    fn build(
        &self,
        service: &Service,
        _key: &ClientKey,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        if service.dialect() != Dialect::AntiCaptcha {
            return Err(BuildError::Unsupported {
                operation: "getQueueStats",
                service: service.dialect().name(),
            });
        }
        let body = QueueStatsBody {
            queue_id: self.queue_id,
            template_name: self.template_name.as_deref(),
        };
        json_post(service, "getQueueStats", &body)
    }

    fn parse(
        &self,
        service: &Service,
        response: http::Response<&[u8]>,
    ) -> Result<QueueStats, ResponseError> {
        let body = *response.body();
        let wire = decode(response.status(), body, service.dialect())?;
        match (wire.waiting, wire.load, wire.bid, wire.speed, wire.total) {
            (Some(waiting), Some(load), Some(bid), Some(speed), Some(total)) => Ok(QueueStats {
                waiting,
                load,
                bid,
                speed,
                total,
            }),
            _ => Err(UnparseableResponse::new(
                response.status().as_u16(),
                "getQueueStats answered without waiting, load, bid, speed and total",
                body,
            )
            .into()),
        }
    }
}
