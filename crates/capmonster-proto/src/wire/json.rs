//! The JSON response envelope shared by every method.
//!
//! Every answer is read the same way, whatever its HTTP status: a JSON object with `errorId`
//! (0 is success, anything else an error), `errorCode` and `errorDescription` (either may be
//! absent or null), and the method's own fields. Unknown fields are ignored. A body that is not
//! a JSON object becomes an [`UnparseableResponse`] that keeps the status and a bounded prefix.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::endpoint::TaskId;
use crate::error::{ApiError, BuildError, ErrorCode, ResponseError, UnparseableResponse};
use crate::key::ClientKey;
use crate::service::{Dialect, Service};

/// Every field any JSON method may answer with. One pass reads them all.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct WireBody<'a> {
    #[serde(rename = "errorId", deserialize_with = "lenient_i64")]
    pub(crate) error_id: Option<i64>,
    #[serde(rename = "errorCode", borrow)]
    pub(crate) error_code: Option<Cow<'a, str>>,
    #[serde(rename = "errorDescription", borrow)]
    pub(crate) error_description: Option<Cow<'a, str>>,
    #[serde(rename = "taskId", deserialize_with = "lenient_u64")]
    pub(crate) task_id: Option<u64>,
    #[serde(borrow)]
    pub(crate) status: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub(crate) solution: Option<&'a RawValue>,
    #[serde(deserialize_with = "lenient_f64")]
    pub(crate) balance: Option<f64>,
    #[serde(rename = "captchaCredits", deserialize_with = "lenient_f64")]
    pub(crate) captcha_credits: Option<f64>,
    #[serde(deserialize_with = "lenient_f64")]
    pub(crate) cost: Option<f64>,
    #[serde(borrow)]
    pub(crate) ip: Option<Cow<'a, str>>,
    #[serde(rename = "createTime", deserialize_with = "lenient_u64")]
    pub(crate) create_time: Option<u64>,
    #[serde(rename = "endTime", deserialize_with = "lenient_u64")]
    pub(crate) end_time: Option<u64>,
    #[serde(rename = "solveCount", deserialize_with = "lenient_u64")]
    pub(crate) solve_count: Option<u64>,
    // Anti-Captcha's getQueueStats.
    #[serde(deserialize_with = "lenient_u64")]
    pub(crate) waiting: Option<u64>,
    #[serde(deserialize_with = "lenient_f64")]
    pub(crate) load: Option<f64>,
    #[serde(deserialize_with = "lenient_f64")]
    pub(crate) bid: Option<f64>,
    #[serde(deserialize_with = "lenient_f64")]
    pub(crate) speed: Option<f64>,
    #[serde(deserialize_with = "lenient_u64")]
    pub(crate) total: Option<u64>,
}

/// Reads the body of `response` as the JSON envelope. Returns the API error it carries, if any,
/// or the parsed body on success.
pub(crate) fn decode<'a>(
    status: http::StatusCode,
    body: &'a [u8],
    dialect: Dialect,
) -> Result<WireBody<'a>, ResponseError> {
    let wire = decode_any_status(status, body, dialect)?;
    if !status.is_success() {
        // A JSON body that says "no error" under an error status: trust the status.
        return Err(UnparseableResponse::new(
            status.as_u16(),
            "error status with a body that carries no error",
            body,
        )
        .into());
    }
    Ok(wire)
}

/// [`decode`] without the last check: a body that carries no error is returned whatever the
/// status. createTask reads its answer this way, because an answer that names a task means the
/// task exists, under any status.
pub(crate) fn decode_any_status<'a>(
    status: http::StatusCode,
    body: &'a [u8],
    dialect: Dialect,
) -> Result<WireBody<'a>, ResponseError> {
    let code = status.as_u16();
    let trimmed = body.trim_ascii();
    if trimmed.is_empty() {
        return Err(UnparseableResponse::new(code, "empty body", body).into());
    }
    if trimmed[0] != b'{' {
        return Err(UnparseableResponse::new(code, "not a JSON object", body).into());
    }
    let wire: WireBody<'a> = serde_json::from_slice(body).map_err(|e| {
        UnparseableResponse::new(code, format!("malformed JSON envelope: {e}"), body)
    })?;
    let error_id = wire.error_id.unwrap_or(0);
    let has_code = wire.error_code.as_deref().is_some_and(|c| !c.is_empty());
    if error_id != 0 || (wire.error_id.is_none() && has_code) {
        let error_code = match wire.error_code.as_deref().filter(|c| !c.is_empty()) {
            Some(text) => ErrorCode::parse(text),
            None => match dialect {
                Dialect::AntiCaptcha | Dialect::TwoCaptcha => u32::try_from(error_id)
                    .ok()
                    .and_then(ErrorCode::from_anti_captcha_id)
                    .unwrap_or(ErrorCode::Missing),
                Dialect::CapMonster | Dialect::UrlForm => ErrorCode::Missing,
            },
        };
        let description = wire.error_description.map(Cow::into_owned);
        return Err(ApiError::new(error_code, description, error_id, code).into());
    }
    Ok(wire)
}

/// The positive `taskId` a JSON body names, if it names one exactly (whatever else it says).
pub(crate) fn task_id_in(body: &[u8]) -> Option<u64> {
    #[derive(Deserialize)]
    struct Named {
        #[serde(rename = "taskId", default, deserialize_with = "lenient_u64")]
        task_id: Option<u64>,
    }
    serde_json::from_slice::<Named>(body)
        .ok()?
        .task_id
        .filter(|id| *id > 0)
}

fn lenient_i64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match exact_integer(d)? {
        None => Ok(None),
        Some(n) => i64::try_from(n)
            .map(Some)
            .map_err(|_| serde::de::Error::custom(format!("the number {n} does not fit"))),
    }
}

fn lenient_u64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match exact_integer(d)? {
        None => Ok(None),
        Some(n) => u64::try_from(n).map(Some).map_err(|_| {
            serde::de::Error::custom(format!(
                "the number {n} is not a whole number >= 0 that fits"
            ))
        }),
    }
}

/// An integer field, read exactly from its text: a JSON number or a numeric string, with an
/// optional fraction of zeros only (`4242`, `"4242"`, `4242.0`). Anything that does not name a
/// whole number exactly (a fraction, an exponent, more digits than fit) is an error, so the
/// answer is unreadable rather than rounded or clamped.
fn exact_integer<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i128>, D::Error> {
    use serde::de::Error as _;
    let raw: &'de RawValue = Deserialize::deserialize(d)?;
    let text = raw.get().trim();
    let text: Cow<'_, str> = if text.starts_with('"') {
        serde_json::from_str::<Cow<'_, str>>(text).map_err(D::Error::custom)?
    } else {
        Cow::Borrowed(text)
    };
    let t = text.trim();
    if t.is_empty() || t == "null" {
        return Ok(None);
    }
    parse_exact_integer(t)
        .map(Some)
        .ok_or_else(|| D::Error::custom(format!("expected a whole number, found {t:?}")))
}

/// `-?digits(.0*)?`, at most 38 digits, as an integer; `None` for anything else.
pub(crate) fn parse_exact_integer(t: &str) -> Option<i128> {
    let (whole, fraction) = match t.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (t, None),
    };
    if fraction.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b == b'0')) {
        return None;
    }
    let digits = whole.strip_prefix('-').unwrap_or(whole);
    if digits.is_empty() || digits.len() > 38 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    whole.parse::<i128>().ok()
}

fn lenient_f64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(lenient_number(d)?.map(|n| match n {
        Number::I(i) => i as f64,
        Number::U(u) => u as f64,
        Number::F(f) => f,
    }))
}

enum Number {
    I(i64),
    U(u64),
    F(f64),
}

/// A number sent as a JSON number, a numeric string, or null.
fn lenient_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Number>, D::Error> {
    struct V;
    impl<'de> serde::de::Visitor<'de> for V {
        type Value = Option<Number>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a number, a numeric string, or null")
        }
        fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(Number::I(v)))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(Number::U(v)))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(Number::F(v)))
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let v = v.trim();
            if v.is_empty() {
                return Ok(None);
            }
            if let Ok(u) = v.parse::<u64>() {
                return Ok(Some(Number::U(u)));
            }
            if let Ok(i) = v.parse::<i64>() {
                return Ok(Some(Number::I(i)));
            }
            match v.parse::<f64>() {
                Ok(f) if f.is_finite() => Ok(Some(Number::F(f))),
                _ => Err(E::custom(format!(
                    "expected a number, found the string {v:?}"
                ))),
            }
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }
    d.deserialize_any(V)
}

/// Builds a JSON POST to `<base>/<method>` with the standard headers.
pub(crate) fn json_post(
    service: &Service,
    method: &str,
    body: &impl Serialize,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    // Serialising our own types into a Vec cannot fail: every map key is a string.
    let mut body = serde_json::to_vec(body).expect("request bodies always serialise");
    // The Vec grew by doubling: a request waiting for a slot should not hold the slack (up to
    // twice an image task's body).
    if body.capacity() - body.len() > 256 {
        body.shrink_to_fit();
    }
    let mut headers = http::HeaderMap::with_capacity(3);
    let json = http::HeaderValue::from_static("application/json");
    headers.insert(http::header::CONTENT_TYPE, json.clone());
    headers.insert(http::header::ACCEPT, json);
    let agent = http::HeaderValue::from_str(service.http_user_agent())
        .expect("the User-Agent was validated when the service was made");
    headers.insert(http::header::USER_AGENT, agent);
    let mut request = http::Request::new(body);
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = service
        .method_url(method)
        .parse()
        .expect("the service URL was validated when the service was made");
    *request.headers_mut() = headers;
    Ok(request)
}

#[derive(Serialize)]
pub(crate) struct TaskIdBody<'a> {
    #[serde(rename = "clientKey")]
    pub(crate) client_key: &'a ClientKey,
    #[serde(rename = "taskId")]
    pub(crate) task_id: TaskId,
}

#[derive(Serialize)]
pub(crate) struct KeyBody<'a> {
    #[serde(rename = "clientKey")]
    pub(crate) client_key: &'a ClientKey,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_that_do_not_fit_exactly_are_unreadable() {
        for body in [
            r#"{"errorId":0,"taskId":18446744073709551616}"#,
            r#"{"errorId":0,"taskId":1e30}"#,
            r#"{"errorId":0,"taskId":-5}"#,
            r#"{"errorId":0,"taskId":42.5}"#,
            r#"{"errorId":0,"taskId":"1e3"}"#,
            r#"{"errorId":0.5}"#,
            r#"{"errorId":"0.5","taskId":7}"#,
            r#"{"errorId":0,"solveCount":1.5}"#,
        ] {
            match decode(http::StatusCode::OK, body.as_bytes(), Dialect::CapMonster) {
                Err(ResponseError::Unparseable(u)) => {
                    assert!(
                        u.reason.starts_with("malformed JSON envelope"),
                        "{body}: {u}"
                    );
                }
                other => panic!("{body}: {other:?}"),
            }
        }
        for (body, id) in [
            // Read from its text, never through an f64 (which would make it ...992 or ...994).
            (
                r#"{"errorId":0,"taskId":9007199254740993}"#,
                9007199254740993,
            ),
            (
                r#"{"errorId":0,"taskId":9007199254740993.0}"#,
                9007199254740993,
            ),
            (r#"{"errorId":0,"taskId":"18446744073709551615"}"#, u64::MAX),
            (r#"{"errorId":0,"taskId":4242.0}"#, 4242),
            (r#"{"errorId":"0","taskId":" 4242 "}"#, 4242),
        ] {
            let wire = decode(http::StatusCode::OK, body.as_bytes(), Dialect::CapMonster).unwrap();
            assert_eq!(wire.task_id, Some(id), "{body}");
        }
        let wire = decode(
            http::StatusCode::OK,
            br#"{"errorId":0,"taskId":null,"balance":0.5}"#,
            Dialect::CapMonster,
        )
        .unwrap();
        assert_eq!((wire.task_id, wire.balance), (None, Some(0.5)));
    }

    fn code(dialect: Dialect, body: &str) -> (ErrorCode, i64) {
        match decode(http::StatusCode::OK, body.as_bytes(), dialect) {
            Err(ResponseError::Api(e)) => (e.code, e.error_id),
            other => panic!("{body}: {other:?}"),
        }
    }

    #[test]
    fn error_id_alone_names_the_code_only_where_ids_are_per_code() {
        assert_eq!(
            code(Dialect::AntiCaptcha, r#"{"errorId":16}"#),
            (ErrorCode::NoSuchCapchaId, 16)
        );
        assert_eq!(
            code(Dialect::AntiCaptcha, r#"{"errorId":"10","errorCode":""}"#),
            (ErrorCode::ZeroBalance, 10)
        );
        assert_eq!(
            code(Dialect::TwoCaptcha, r#"{"errorId":130,"errorCode":null}"#),
            (ErrorCode::BadProxy, 130)
        );
        assert_eq!(
            code(Dialect::CapMonster, r#"{"errorId":16}"#),
            (ErrorCode::Missing, 16)
        );
        // The code wins over the number.
        assert_eq!(
            code(
                Dialect::AntiCaptcha,
                r#"{"errorId":1,"errorCode":"ERROR_ZERO_BALANCE"}"#
            ),
            (ErrorCode::ZeroBalance, 1)
        );
    }

    #[test]
    fn extras_and_queue_stats_read_numbers_or_strings() {
        let body = br#"{"errorId":0,"cost":"0.000700","solveCount":"0","createTime":"1472205564","waiting":"242","load":60.33,"bid":"0.0008600982","speed":10.77,"total":610}"#;
        let wire = decode(http::StatusCode::OK, body, Dialect::AntiCaptcha).unwrap();
        assert_eq!(wire.cost, Some(0.0007));
        assert_eq!(wire.solve_count, Some(0));
        assert_eq!(wire.create_time, Some(1472205564));
        assert_eq!(wire.waiting, Some(242));
        assert_eq!(wire.load, Some(60.33));
        assert_eq!(wire.bid, Some(0.0008600982));
        assert_eq!(wire.total, Some(610));
    }
}
