//! The rucaptcha/2captcha URL form: `in.php` to submit, `res.php` to poll, read the balance and
//! report. An implementation detail of the endpoints: `CreateTask`, `GetTaskResult`,
//! `GetBalance` and the report request speak it on a URL-form service (`Dialect::UrlForm`),
//! with the service's `UrlFormOptions`.
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

mod params;
mod reply;
mod request;
#[cfg(test)]
mod tests;

use crate::endpoint::{Balance, ReportAccepted, TaskId};
use crate::error::{BuildError, ResponseError, UnparseableResponse};
use crate::key::ClientKey;
use crate::service::{Service, UrlFormOptions};
use crate::solution::TaskResult;
use crate::task::{Task, TaskKind};

use params::*;
use reply::*;
use request::*;

/// A submission's request: `in.php` with the task's parameters, then `json=1` (when the
/// service's options ask for it), `soft_id`, `pingback`, and `nocache=1` last.
pub(crate) fn submit_request(
    service: &Service,
    key: &ClientKey,
    task: &Task,
    soft_id: Option<u32>,
    pingback: Option<&str>,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    let options = service.url_form_options();
    task.validate()?;
    let (task_pairs, nocache) = map_task(task)?;
    let mut pairs = vec![key_pair(key)];
    pairs.extend(task_pairs);
    json_pair(options, &mut pairs);
    if let Some(id) = soft_id {
        pairs.push(("soft_id".to_owned(), id.to_string()));
    }
    if let Some(url) = pingback {
        crate::task::check_website_url("pingback", url)?;
        pairs.push(("pingback".to_owned(), url.to_owned()));
    }
    if nocache {
        pairs.push(("nocache".to_owned(), "1".to_owned()));
    }
    url_form_request(service, "in.php", &pairs, options)
}

/// The new task's id from `in.php`'s answer. An answer that names a task means the task exists,
/// whatever the HTTP status says.
pub(crate) fn parse_submit(response: http::Response<&[u8]>) -> Result<TaskId, ResponseError> {
    let status = response.status().as_u16();
    let body = *response.body();
    let named: Result<TaskId, ResponseError> = match parse_url_form_reply_any_status(status, body)?
    {
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
        UrlFormReply::Number(n) if n >= 1.0 && n.fract() == 0.0 && n < 9_007_199_254_740_992.0 => {
            Ok(n as u64)
        }
        _ => {
            Err(UnparseableResponse::new(status, "in.php answered without a task id", body).into())
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

/// A `res.php` request: `action`, the task id when there is one, and `json=1` when the
/// service's options ask for it.
fn res_request(
    service: &Service,
    key: &ClientKey,
    action: &str,
    id: Option<TaskId>,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    let options = service.url_form_options();
    let mut pairs = vec![key_pair(key), ("action".to_owned(), action.to_owned())];
    if let Some(id) = id {
        pairs.push(("id".to_owned(), id.to_string()));
    }
    json_pair(options, &mut pairs);
    url_form_request(service, "res.php", &pairs, options)
}

/// `res.php?action=get` (or `get2`, which adds the price, when the service's options ask for
/// it): one poll of a task.
pub(crate) fn get_request(
    service: &Service,
    key: &ClientKey,
    task_id: TaskId,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    let action = if service.url_form_options().price {
        "get2"
    } else {
        "get"
    };
    res_request(service, key, action, Some(task_id))
}

/// One poll's answer, its solution shaped for `kind`.
pub(crate) fn parse_get(
    options: UrlFormOptions,
    kind: TaskKind,
    response: http::Response<&[u8]>,
) -> Result<TaskResult, ResponseError> {
    let status = response.status().as_u16();
    let body = *response.body();
    let ok = match parse_url_form_reply(status, body) {
        Ok(UrlFormReply::NotReady) => return Ok(TaskResult::Processing),
        Err(ResponseError::Api(e)) if e.class() == crate::ErrorClass::NotReady => {
            return Ok(TaskResult::Processing);
        }
        Ok(UrlFormReply::Ok(mut ok)) => {
            if options.price && ok.price.is_none() {
                split_text_price(&mut ok);
            }
            ok
        }
        Ok(UrlFormReply::Number(n)) => UrlFormOk::text(&n.to_string()),
        Ok(UrlFormReply::ReportRecorded) => {
            return Err(UnparseableResponse::new(
                status,
                "res.php answered a poll with a report confirmation",
                body,
            )
            .into());
        }
        Err(e) => return Err(e),
    };
    Ok(TaskResult::Ready(Box::new(ready_from_answer(kind, &ok))))
}

/// The text form of `get2`, `OK|<answer>|<price>`: the price is after the last `|`.
fn split_text_price(ok: &mut UrlFormOk) {
    if let UrlFormAnswer::Text(t) = &ok.answer {
        if let Some((answer, price)) = t.rsplit_once('|') {
            if let Some(p) = parse_number(price.trim()) {
                ok.price = Some(p);
                ok.answer = UrlFormAnswer::Text(answer.to_owned());
            }
        }
    }
}

/// `res.php?action=getbalance`.
pub(crate) fn balance_request(
    service: &Service,
    key: &ClientKey,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    res_request(service, key, "getbalance", None)
}

/// The balance from `getbalance`'s answer.
pub(crate) fn parse_balance(response: http::Response<&[u8]>) -> Result<Balance, ResponseError> {
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
        None => Err(
            UnparseableResponse::new(status, "getbalance answered without a number", body).into(),
        ),
    }
}

/// `res.php?action=reportgood` when `good`, `reportbad` otherwise.
pub(crate) fn report_request(
    service: &Service,
    key: &ClientKey,
    task_id: TaskId,
    good: bool,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    let action = if good { "reportgood" } else { "reportbad" };
    res_request(service, key, action, Some(task_id))
}

/// A report's answer: `OK_REPORT_RECORDED` or an error.
pub(crate) fn parse_report(
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
