//! The rucaptcha/2captcha URL form: `in.php` to submit, `res.php` to poll, read the balance and
//! report.
//!
//! CapMonster Cloud documents exactly one `in.php` URL (reCAPTCHA v2 with `nocache=1`); every
//! other method, parameter and every `res.php` action here follows the 2captcha API v1 and is
//! **undocumented by CapMonster** (see docs/PROTOCOL-NOTES.md ("The URL form and the compatible services")).
//!
//! The `in.php` parameters are built from the task's documented wire JSON, so any task the
//! crate can serialise is mapped by its `type` and its documented field names
//! (`websiteURL` → `pageurl`, `websiteKey` → `googlekey`/`sitekey`/`publickey`, ...). A task
//! type without a URL-form method, or a field without a URL-form parameter, is refused with a
//! typed [`BuildError`] before anything is sent: nothing is silently dropped.
//!
//! ```
//! use capmonster_proto::{ClientKey, Endpoint, Service, task::RecaptchaV2Task};
//! use capmonster_proto::urlform::{UrlFormOptions, UrlFormSubmit};
//!
//! let service = Service::capmonster_url_form();
//! let key = ClientKey::new("0123456789abcdef0123456789abcdef").unwrap();
//! let submit = UrlFormSubmit::new(RecaptchaV2Task::new("https://example.com/", "SITE_KEY"));
//! let request = submit.build(&service, &key).unwrap();
//! assert_eq!(request.uri(), "https://api.capmonster.cloud/in.php");
//! assert_eq!(
//!     String::from_utf8(request.body().clone()).unwrap(),
//!     "key=0123456789abcdef0123456789abcdef&method=userrecaptcha&googlekey=SITE_KEY\
//!      &pageurl=https%3A%2F%2Fexample.com%2F&json=1"
//! );
//! let reply = http::Response::builder().status(200).body(&b"OK|2122988149"[..]).unwrap();
//! assert_eq!(submit.parse(&service, reply).unwrap(), 2122988149);
//! ```

mod params;
mod reply;
mod request;

use crate::endpoint::{Balance, Endpoint, ReportAccepted, TaskId};
use crate::error::{BuildError, ResponseError, UnparseableResponse};
use crate::key::ClientKey;
use crate::service::Service;
use crate::solution::TaskResult;
use crate::task::{Task, TaskKind};

pub use crate::service::{QueryEncoding, UrlFormOptions, UrlFormTransport};

pub use params::in_php_params;
use params::*;
use reply::*;
pub use reply::{UrlFormAnswer, UrlFormOk, UrlFormReply, parse_url_form_reply};
use request::*;

// ---------------------------------------------------------------------------------------------
// Endpoints
// ---------------------------------------------------------------------------------------------

/// `in.php`: submits a task. Its output is the new task's id.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UrlFormSubmit {
    /// The task.
    pub task: Task,
    /// Transport, encoding and `json=1`; `None` uses the service's
    /// ([`Service::url_form_options`]).
    pub options: Option<UrlFormOptions>,
    /// `soft_id`: the developer id of the software sending the task.
    pub soft_id: Option<u32>,
    /// `pingback`: where the service sends the answer (its domain must be registered first).
    pub pingback: Option<String>,
    /// `nocache=1`, sent last. `None` follows the task's own `nocache`.
    pub nocache: Option<bool>,
}

impl UrlFormSubmit {
    /// An `in.php` submission of `task` with the default options.
    pub fn new(task: impl Into<Task>) -> Self {
        Self {
            task: task.into(),
            options: None,
            soft_id: None,
            pingback: None,
            nocache: None,
        }
    }

    /// Sets the options.
    #[must_use]
    pub fn with_options(mut self, options: UrlFormOptions) -> Self {
        self.options = Some(options);
        self
    }

    /// Sets `soft_id`.
    #[must_use]
    pub fn with_soft_id(mut self, soft_id: u32) -> Self {
        self.soft_id = Some(soft_id);
        self
    }

    /// Sets `pingback`.
    #[must_use]
    pub fn with_pingback(mut self, url: impl Into<String>) -> Self {
        self.pingback = Some(url.into());
        self
    }

    /// Forces `nocache=1` on or off, whatever the task says.
    #[must_use]
    pub fn with_nocache(mut self, nocache: bool) -> Self {
        self.nocache = Some(nocache);
        self
    }

    /// Every parameter in the order it is sent to `service`, the key included. Do not log what
    /// it returns.
    pub fn params(
        &self,
        service: &Service,
        key: &ClientKey,
    ) -> Result<Vec<(String, String)>, BuildError> {
        let options = self.options.unwrap_or_else(|| service.url_form_options());
        self.task.validate()?;
        let (task_pairs, task_nocache) = map_task(&self.task)?;
        let mut pairs = vec![key_pair(key)];
        pairs.extend(task_pairs);
        json_pair(options, &mut pairs);
        if let Some(id) = self.soft_id {
            pairs.push(("soft_id".to_owned(), id.to_string()));
        }
        if let Some(url) = &self.pingback {
            crate::task::check_website_url("pingback", url)?;
            pairs.push(("pingback".to_owned(), url.clone()));
        }
        if self.nocache.unwrap_or(task_nocache) {
            pairs.push(("nocache".to_owned(), "1".to_owned()));
        }
        Ok(pairs)
    }
}

impl Endpoint for UrlFormSubmit {
    type Output = TaskId;

    fn method_name(&self, _: &Service) -> &'static str {
        "in.php"
    }

    fn build(
        &self,
        service: &Service,
        key: &ClientKey,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        let options = self.options.unwrap_or_else(|| service.url_form_options());
        url_form_request(service, "in.php", &self.params(service, key)?, options)
    }

    fn parse(
        &self,
        _service: &Service,
        response: http::Response<&[u8]>,
    ) -> Result<TaskId, ResponseError> {
        let status = response.status().as_u16();
        let body = *response.body();
        // An answer that names a task means the task exists, whatever the HTTP status says.
        let named: Result<TaskId, ResponseError> =
            match parse_url_form_reply_any_status(status, body)? {
                UrlFormReply::Ok(UrlFormOk {
                    answer: UrlFormAnswer::Text(id),
                    ..
                }) => match id.trim().parse::<u64>() {
                    Ok(id) if id > 0 => Ok(id),
                    _ => Err(UnparseableResponse::new(
                        status,
                        "in.php answered OK without a numeric id",
                        body,
                    )
                    .into()),
                },
                // Only where an f64 holds every whole number exactly.
                UrlFormReply::Number(n)
                    if n >= 1.0 && n.fract() == 0.0 && n < 9_007_199_254_740_992.0 =>
                {
                    Ok(n as u64)
                }
                _ => {
                    Err(
                        UnparseableResponse::new(status, "in.php answered without a task id", body)
                            .into(),
                    )
                }
            };
        match named {
            Err(_) if !(200..300).contains(&status) => Err(UnparseableResponse::new(
                status,
                "error status with a body that carries no error",
                body,
            )
            .into()),
            other => other,
        }
    }
}

/// `res.php?action=get` (or `get2`, which adds the price): one poll of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct UrlFormGet {
    /// The task id.
    pub task_id: TaskId,
    /// The task's kind, to shape the solution.
    pub kind: TaskKind,
    /// Use `action=get2`: the answer comes with its price (read into [`ResultExtras::cost`](crate::solution::ResultExtras::cost)).
    pub with_price: bool,
    /// Transport, encoding and `json=1`; `None` uses the service's
    /// ([`Service::url_form_options`]).
    pub options: Option<UrlFormOptions>,
}

impl UrlFormGet {
    /// A poll of `task_id`, whose kind is `kind`.
    pub fn new(task_id: TaskId, kind: TaskKind) -> Self {
        Self {
            task_id,
            kind,
            with_price: false,
            options: None,
        }
    }

    /// Uses `action=get2`.
    #[must_use]
    pub fn with_price(mut self) -> Self {
        self.with_price = true;
        self
    }

    /// Sets the options.
    #[must_use]
    pub fn with_options(mut self, options: UrlFormOptions) -> Self {
        self.options = Some(options);
        self
    }
}

fn res_pairs(key: &ClientKey, action: &str, id: Option<TaskId>, options: UrlFormOptions) -> Pairs {
    let mut pairs = vec![key_pair(key), ("action".to_owned(), action.to_owned())];
    if let Some(id) = id {
        pairs.push(("id".to_owned(), id.to_string()));
    }
    json_pair(options, &mut pairs);
    pairs
}

impl Endpoint for UrlFormGet {
    type Output = TaskResult;

    fn method_name(&self, _: &Service) -> &'static str {
        "res.php"
    }

    fn build(
        &self,
        service: &Service,
        key: &ClientKey,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        let action = if self.with_price { "get2" } else { "get" };
        let options = self.options.unwrap_or_else(|| service.url_form_options());
        let pairs = res_pairs(key, action, Some(self.task_id), options);
        url_form_request(service, "res.php", &pairs, options)
    }

    fn parse(
        &self,
        _service: &Service,
        response: http::Response<&[u8]>,
    ) -> Result<TaskResult, ResponseError> {
        let status = response.status().as_u16();
        let body = *response.body();
        match parse_url_form_reply(status, body) {
            Ok(UrlFormReply::NotReady) => Ok(TaskResult::Processing),
            Err(ResponseError::Api(e)) if e.class() == crate::ErrorClass::NotReady => {
                Ok(TaskResult::Processing)
            }
            Ok(UrlFormReply::Ok(mut ok)) => {
                if self.with_price && ok.price.is_none() {
                    // Text form of get2: OK|<answer>|<price>; the price is after the last `|`.
                    if let UrlFormAnswer::Text(t) = &ok.answer {
                        if let Some((answer, price)) = t.rsplit_once('|') {
                            if let Some(p) = parse_number(price.trim()) {
                                ok.price = Some(p);
                                ok.answer = UrlFormAnswer::Text(answer.to_owned());
                            }
                        }
                    }
                }
                Ok(TaskResult::Ready(Box::new(ready_from_answer(
                    self.kind, &ok,
                ))))
            }
            Ok(UrlFormReply::Number(n)) => {
                let ok = UrlFormOk::text(&n.to_string());
                Ok(TaskResult::Ready(Box::new(ready_from_answer(
                    self.kind, &ok,
                ))))
            }
            Ok(UrlFormReply::ReportRecorded) => Err(UnparseableResponse::new(
                status,
                "res.php answered a poll with a report confirmation",
                body,
            )
            .into()),
            Err(e) => Err(e),
        }
    }
}

/// `res.php?action=getbalance`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UrlFormGetBalance {
    /// Transport, encoding and `json=1`; `None` uses the service's
    /// ([`Service::url_form_options`]).
    pub options: Option<UrlFormOptions>,
}

impl UrlFormGetBalance {
    /// A balance query with the default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the options.
    #[must_use]
    pub fn with_options(mut self, options: UrlFormOptions) -> Self {
        self.options = Some(options);
        self
    }
}

impl Endpoint for UrlFormGetBalance {
    type Output = Balance;

    fn method_name(&self, _: &Service) -> &'static str {
        "res.php"
    }

    fn build(
        &self,
        service: &Service,
        key: &ClientKey,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        let options = self.options.unwrap_or_else(|| service.url_form_options());
        let pairs = res_pairs(key, "getbalance", None, options);
        url_form_request(service, "res.php", &pairs, options)
    }

    fn parse(
        &self,
        _service: &Service,
        response: http::Response<&[u8]>,
    ) -> Result<Balance, ResponseError> {
        let status = response.status().as_u16();
        let body = *response.body();
        let balance = match parse_url_form_reply(status, body)? {
            UrlFormReply::Number(n) => Some(n),
            UrlFormReply::Ok(UrlFormOk {
                answer: UrlFormAnswer::Text(t),
                ..
            }) => parse_number(t.trim()),
            _ => None,
        };
        match balance {
            Some(balance) => Ok(Balance {
                balance,
                captcha_credits: None,
            }),
            None => {
                Err(
                    UnparseableResponse::new(status, "getbalance answered without a number", body)
                        .into(),
                )
            }
        }
    }
}

/// `res.php?action=reportbad` or `reportgood`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct UrlFormReport {
    /// The task id.
    pub task_id: TaskId,
    /// `reportgood` when true, `reportbad` when false.
    pub good: bool,
    /// Transport, encoding and `json=1`; `None` uses the service's
    /// ([`Service::url_form_options`]).
    pub options: Option<UrlFormOptions>,
}

impl UrlFormReport {
    /// `reportbad` for `task_id`: the answer was wrong.
    pub fn bad(task_id: TaskId) -> Self {
        Self {
            task_id,
            good: false,
            options: None,
        }
    }

    /// `reportgood` for `task_id`: the answer was right.
    pub fn good(task_id: TaskId) -> Self {
        Self {
            task_id,
            good: true,
            options: None,
        }
    }

    /// Sets the options.
    #[must_use]
    pub fn with_options(mut self, options: UrlFormOptions) -> Self {
        self.options = Some(options);
        self
    }
}

impl Endpoint for UrlFormReport {
    type Output = ReportAccepted;

    fn method_name(&self, _: &Service) -> &'static str {
        "res.php"
    }

    fn build(
        &self,
        service: &Service,
        key: &ClientKey,
    ) -> Result<http::Request<Vec<u8>>, BuildError> {
        let action = if self.good { "reportgood" } else { "reportbad" };
        let options = self.options.unwrap_or_else(|| service.url_form_options());
        let pairs = res_pairs(key, action, Some(self.task_id), options);
        url_form_request(service, "res.php", &pairs, options)
    }

    fn parse(
        &self,
        _service: &Service,
        response: http::Response<&[u8]>,
    ) -> Result<ReportAccepted, ResponseError> {
        let status = response.status().as_u16();
        let body = *response.body();
        match parse_url_form_reply(status, body)? {
            UrlFormReply::ReportRecorded => Ok(ReportAccepted),
            _ => Err(UnparseableResponse::new(
                status,
                "a report was answered without OK_REPORT_RECORDED",
                body,
            )
            .into()),
        }
    }
}
