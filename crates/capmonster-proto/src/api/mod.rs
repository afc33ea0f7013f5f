//! The endpoints: one typed struct per API method, over the wire layer.
//!
//! Each endpoint asks [`crate::wire`] which form its service speaks and what the method is
//! called there; it never tells the dialects apart itself.

use serde::Serialize;

pub(crate) mod report;

use crate::endpoint::{Balance, Endpoint, QueueStats, TaskId};
use crate::error::{BuildError, ResponseError, UnparseableResponse};
use crate::key::ClientKey;
use crate::service::Service;
use crate::solution::{Ready, ResultExtras, TaskResult};
use crate::task::{Task, TaskKind, WireTask};
use crate::wire::json::{KeyBody, TaskIdBody, decode, decode_any_status, json_post, task_id_in};
use crate::wire::{self, Method, url_form};

/// `createTask`: submits a task. Its output is the new task's id.
///
/// On a URL-form service it is `in.php`: `softId` becomes `soft_id` and `callbackUrl` becomes
/// `pingback`.
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
        wire::method_name(service.dialect(), Method::CreateTask)
    }

    fn build(
        &self,
        service: &Service,
        key: &ClientKey,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        if wire::is_url_form(service) {
            let pingback = self.callback_url.as_deref();
            return url_form::submit_request(service, key, &self.task, self.soft_id, pingback);
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
        if wire::is_url_form(service) {
            return url_form::parse_submit(response);
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

/// `getTaskResult`: one poll of a task.
///
/// The task's kind, when given, types the solution; without it the solution is
/// [`Solution::Raw`](crate::solution::Solution::Raw).
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
        wire::method_name(service.dialect(), Method::GetTaskResult)
    }

    fn build(
        &self,
        service: &Service,
        key: &ClientKey,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        if wire::is_url_form(service) {
            return url_form::get_request(service, key, self.task_id);
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
        if wire::is_url_form(service) {
            return url_form::parse_get(service.url_form_options(), self.kind, response);
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

/// `getBalance`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GetBalance;

impl Endpoint for GetBalance {
    type Output = Balance;

    fn method_name(&self, service: &Service) -> &'static str {
        wire::method_name(service.dialect(), Method::GetBalance)
    }

    fn build(
        &self,
        service: &Service,
        key: &ClientKey,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        if wire::is_url_form(service) {
            return url_form::balance_request(service, key);
        }
        json_post(service, "getBalance", &KeyBody { client_key: key })
    }

    fn parse(
        &self,
        service: &Service,
        response: http::Response<&[u8]>,
    ) -> Result<Balance, ResponseError> {
        if wire::is_url_form(service) {
            return url_form::parse_balance(response);
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

#[derive(Serialize)]
struct QueueStatsBody<'a> {
    #[serde(rename = "queueId")]
    queue_id: u32,
    #[serde(rename = "templateName", skip_serializing_if = "Option::is_none")]
    template_name: Option<&'a str>,
}

impl Endpoint for GetQueueStats {
    type Output = QueueStats;

    fn method_name(&self, service: &Service) -> &'static str {
        wire::method_name(service.dialect(), Method::GetQueueStats)
    }

    fn build(
        &self,
        service: &Service,
        _key: &ClientKey,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        if !wire::supports(service.dialect(), Method::GetQueueStats) {
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
