//! Reading `in.php`/`res.php` replies, in text or JSON.

use serde_json::{Map, Value};

use crate::error::{ApiError, ErrorCode, ResponseError, UnparseableResponse};
use crate::solution::{GeeTestV3Solution, GeeTestV4Solution, Ready, ResultExtras};
use crate::task::TaskKind;

use super::params::flag;

// ---------------------------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------------------------

/// The payload of a successful URL-form answer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub(super) enum UrlFormAnswer {
    /// Plain text: an id, a token, an image's text, a balance. Kept whole, `|` and all.
    Text(String),
    /// A GeeTest v3 answer (an object, or the `[challenge, validate, seccode]` array seen in the wild).
    GeeTest(GeeTestV3Solution),
    /// A GeeTest v4 answer.
    GeeTestV4(GeeTestV4Solution),
    /// Any other JSON answer (Amazon WAF, Tencent, Capy, ...), as sent.
    Json(Value),
}

impl UrlFormAnswer {
    /// The text, for a text answer.
    #[cfg(test)]
    pub(super) fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(s) => Some(s),
            _ => None,
        }
    }

    fn classify(value: Value) -> Self {
        // A string answer (the token) is moved, not copied.
        let value = match value {
            Value::String(s) => return Self::from_text(s),
            other => other,
        };
        match &value {
            Value::Number(n) => return Self::Text(n.to_string()),
            Value::Object(m) => {
                if m.contains_key("lot_number") {
                    // `gen_time` comes as a string or any number; it is kept as its text.
                    let mut v4 = m.clone();
                    if let Some(Value::Number(n)) = v4.get("gen_time") {
                        let text = n.to_string();
                        v4.insert("gen_time".to_owned(), Value::String(text));
                    }
                    if let Ok(v4) = serde_json::from_value(Value::Object(v4)) {
                        return Self::GeeTestV4(v4);
                    }
                } else if m.contains_key("validate") {
                    if let Ok(v3) = serde_json::from_value(value.clone()) {
                        return Self::GeeTest(v3);
                    }
                }
            }
            Value::Array(a) if a.len() == 3 && a.iter().all(Value::is_string) => {
                let s = |i: usize| a[i].as_str().unwrap_or_default().to_owned();
                return Self::GeeTest(GeeTestV3Solution {
                    challenge: s(0),
                    validate: s(1),
                    seccode: s(2),
                });
            }
            _ => {}
        }
        Self::Json(value)
    }

    fn from_text(s: String) -> Self {
        let t = s.trim_start();
        if t.starts_with('{') || t.starts_with('[') {
            if let Ok(v @ (Value::Object(_) | Value::Array(_))) = serde_json::from_str::<Value>(&s)
            {
                return Self::classify(v);
            }
        }
        Self::Text(s)
    }
}

/// A successful URL-form answer, with the extras the JSON form may carry.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub(super) struct UrlFormOk {
    /// The answer (`request`, or what follows `OK|`).
    pub(super) answer: UrlFormAnswer,
    /// `useragent` (Turnstile and others): submit the token with this User-Agent.
    pub(super) user_agent: Option<String>,
    /// `price` (`get2`).
    pub(super) price: Option<f64>,
    /// Every other top-level field of a JSON answer (`cookies`, ...).
    pub(super) extra: Map<String, Value>,
}

impl UrlFormOk {
    pub(super) fn text(s: &str) -> Self {
        Self {
            answer: UrlFormAnswer::from_text(s.to_owned()),
            user_agent: None,
            price: None,
            extra: Map::new(),
        }
    }
}

/// What an `in.php`/`res.php` reply says, before an endpoint gives it a meaning. Errors are
/// returned as [`ResponseError::Api`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub(super) enum UrlFormReply {
    /// `OK|...`, or `{"status":1,"request":...}`.
    Ok(UrlFormOk),
    /// `CAPCHA_NOT_READY` (or `CAPTCHA_NOT_READY`).
    NotReady,
    /// `OK_REPORT_RECORDED`.
    ReportRecorded,
    /// A bare number (the text form of `getbalance`).
    Number(f64),
}

pub(super) fn is_not_ready(s: &str) -> bool {
    s == "CAPCHA_NOT_READY" || s == "CAPTCHA_NOT_READY"
}

/// Builds the API error for a URL-form error token (`ERROR_...`, `IP_BANNED`, `ERROR: 1001`).
pub(super) fn url_form_error(token: &str, description: Option<String>, status: u16) -> ApiError {
    let token = token.trim();
    if let Some(rest) = token.strip_prefix("ERROR:") {
        let digits: String = rest
            .trim()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(n) = digits.parse::<i64>() {
            let after = rest.trim()[digits.len()..].trim();
            let description =
                description.or_else(|| Some(after.to_owned()).filter(|d| !d.is_empty()));
            return ApiError::new(
                ErrorCode::parse(&format!("ERROR: {n}")),
                description,
                n,
                status,
            );
        }
    }
    let (code, rest) = match token.split_once(char::is_whitespace) {
        Some((c, r)) => (c, r.trim()),
        None => (token, ""),
    };
    let description = description.or_else(|| Some(rest.to_owned()).filter(|d| !d.is_empty()));
    ApiError::new(ErrorCode::parse(code), description, 1, status)
}

/// True for text that is an error token: `ERROR...`, `ERR_...`, or a known bare code.
pub(super) fn looks_like_error(t: &str) -> bool {
    let first = t.split(char::is_whitespace).next().unwrap_or("");
    if first.starts_with("ERROR") || first.starts_with("ERR_") {
        return true;
    }
    let shaped = !first.is_empty()
        && first
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && first.as_bytes()[0].is_ascii_uppercase();
    shaped && ErrorCode::parse(first).is_known()
}

pub(super) fn parse_number(t: &str) -> Option<f64> {
    if t.is_empty()
        || !t
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return None;
    }
    t.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Reads an `in.php`/`res.php` reply, text or JSON, whatever was asked for. Never panics.
///
/// * `OK|<answer>`: the answer is everything after the first `|` (answers may contain `|`).
/// * `CAPCHA_NOT_READY` / `CAPTCHA_NOT_READY`: [`UrlFormReply::NotReady`].
/// * `OK_REPORT_RECORDED`: [`UrlFormReply::ReportRecorded`].
/// * a bare number: [`UrlFormReply::Number`].
/// * `ERROR_...`, bare codes (`IP_BANNED`, `MAX_USER_TURN`, `WRONG_CAPTCHA_ID`, ...), and
///   `ERROR: 1001`-style lockouts (the number is kept as the error id): [`ResponseError::Api`].
/// * `{"status":0|1,"request":...}` with optional `error_text`, `useragent`, `price`:
///   the same, with `request` as a string, an object or an array.
/// * anything else (HTML, empty, binary): [`ResponseError::Unparseable`].
pub(super) fn parse_url_form_reply(
    http_status: u16,
    body: &[u8],
) -> Result<UrlFormReply, ResponseError> {
    let reply = parse_url_form_reply_any_status(http_status, body)?;
    if !(200..300).contains(&http_status) {
        return Err(UnparseableResponse::new(
            http_status,
            "error status with a body that carries no error",
            body,
        )
        .into());
    }
    Ok(reply)
}

/// [`parse_url_form_reply`] without the status check: in.php's answer to a new task is read
/// this way, since an answer that names a task means the task exists, under any status.
pub(super) fn parse_url_form_reply_any_status(
    http_status: u16,
    body: &[u8],
) -> Result<UrlFormReply, ResponseError> {
    let unreadable =
        |why: &str| -> ResponseError { UnparseableResponse::new(http_status, why, body).into() };
    let text = std::str::from_utf8(body).map_err(|_| unreadable("not UTF-8 text"))?;
    let t = text.trim();
    if t.is_empty() {
        return Err(unreadable("empty body"));
    }
    let reply = if t.starts_with('{') {
        parse_json_reply(http_status, body, t)?
    } else if t == "OK_REPORT_RECORDED" {
        UrlFormReply::ReportRecorded
    } else if let Some(rest) = t.strip_prefix("OK|") {
        UrlFormReply::Ok(UrlFormOk::text(rest))
    } else if t == "OK" {
        UrlFormReply::Ok(UrlFormOk::text(""))
    } else if is_not_ready(t) {
        UrlFormReply::NotReady
    } else if let Some(n) = parse_number(t) {
        UrlFormReply::Number(n)
    } else if looks_like_error(t) {
        return Err(url_form_error(t, None, http_status).into());
    } else {
        return Err(unreadable("neither an answer nor an error code"));
    };
    Ok(reply)
}

pub(super) fn parse_json_reply(
    http_status: u16,
    body: &[u8],
    t: &str,
) -> Result<UrlFormReply, ResponseError> {
    let unreadable =
        |why: String| -> ResponseError { UnparseableResponse::new(http_status, why, body).into() };
    let reply: JsonReply = match serde_json::from_str(t) {
        Ok(reply) => reply,
        // Only a body that is no JSON object at all fails as a type; the caller sends objects.
        Err(e) if e.is_data() => return Err(unreadable("not a JSON object".to_owned())),
        Err(e) => return Err(unreadable(format!("malformed JSON reply: {e}"))),
    };
    let JsonReply {
        status,
        request,
        error_text,
        useragent,
        user_agent,
        price,
        extra: mut obj,
    } = reply;
    let status = status.as_ref().and_then(flag);
    let error_text = error_text
        .and_then(|v| v.as_str().map(str::to_owned))
        .filter(|s| !s.is_empty());
    // `useragent` wins; a `userAgent` beside it stays among the extras.
    let user_agent = match (useragent, user_agent) {
        (Some(first), other) => {
            if let Some(other) = other {
                obj.insert("userAgent".to_owned(), other);
            }
            Some(first)
        }
        (None, other) => other,
    }
    .and_then(|v| v.as_str().map(str::to_owned));
    let price = price.and_then(|v| match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => parse_number(s.trim()),
        _ => None,
    });
    let ok = |answer: UrlFormAnswer, extra: Map<String, Value>| {
        UrlFormReply::Ok(UrlFormOk {
            answer,
            user_agent: user_agent.clone(),
            price,
            extra,
        })
    };
    match (status, request) {
        (_, Some(Value::String(s))) if is_not_ready(s.trim()) => Ok(UrlFormReply::NotReady),
        (Some(true), Some(Value::String(s))) if s.trim() == "OK_REPORT_RECORDED" => {
            Ok(UrlFormReply::ReportRecorded)
        }
        (Some(true), Some(request)) => Ok(ok(UrlFormAnswer::classify(request), obj)),
        (Some(false), Some(Value::String(s))) => {
            Err(url_form_error(&s, error_text, http_status).into())
        }
        // An object or array under status 0 is an answer, not an error: GeeTest answers from
        // compatible services have come this way.
        (Some(false), Some(request @ (Value::Object(_) | Value::Array(_)))) => {
            Ok(ok(UrlFormAnswer::classify(request), obj))
        }
        (Some(false), _) => {
            Err(ApiError::new(ErrorCode::Missing, error_text, 1, http_status).into())
        }
        (None, _) | (Some(true), None) => Err(unreadable(
            "a JSON reply without status and request".to_owned(),
        )),
    }
}

/// A JSON reply read in one pass: the fields the reply is made of, and every other top-level
/// field as it came (without first reading the whole object into a map).
struct JsonReply {
    status: Option<Value>,
    request: Option<Value>,
    error_text: Option<Value>,
    useragent: Option<Value>,
    user_agent: Option<Value>,
    price: Option<Value>,
    extra: Map<String, Value>,
}

impl<'de> serde::Deserialize<'de> for JsonReply {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> serde::de::Visitor<'de> for Fields {
            type Value = JsonReply;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<JsonReply, A::Error> {
                let mut r = JsonReply {
                    status: None,
                    request: None,
                    error_text: None,
                    useragent: None,
                    user_agent: None,
                    price: None,
                    extra: Map::new(),
                };
                // A repeated key keeps its last value, as a map would.
                while let Some(key) = m.next_key::<String>()? {
                    let slot = match key.as_str() {
                        "status" => &mut r.status,
                        "request" => &mut r.request,
                        "error_text" => &mut r.error_text,
                        "useragent" => &mut r.useragent,
                        "userAgent" => &mut r.user_agent,
                        "price" => &mut r.price,
                        _ => {
                            let value = m.next_value()?;
                            r.extra.insert(key, value);
                            continue;
                        }
                    };
                    *slot = Some(m.next_value()?);
                }
                Ok(r)
            }
        }
        d.deserialize_map(Fields)
    }
}

/// The solution JSON a JSON API would have sent for `kind`, built from a URL-form answer, so
/// both forms end in the same [`Ready`]. See docs/PROTOCOL-NOTES.md ("The URL form and the compatible services") for the shapes.
pub(super) fn solution_json(kind: TaskKind, ok: &UrlFormOk) -> Value {
    let mut out = Map::new();
    match &ok.answer {
        UrlFormAnswer::Text(text) => {
            out.insert(text_field(kind).to_owned(), Value::String(text.clone()));
        }
        UrlFormAnswer::GeeTest(g) => {
            if let Ok(Value::Object(m)) = serde_json::to_value(g) {
                out = m;
            }
        }
        UrlFormAnswer::GeeTestV4(g) => {
            if let Ok(Value::Object(m)) = serde_json::to_value(g) {
                out = m;
            }
        }
        UrlFormAnswer::Json(Value::Object(m)) => out = m.clone(),
        UrlFormAnswer::Json(other) => {
            out.insert("answer".to_owned(), other.clone());
        }
    }
    if let Some(ua) = &ok.user_agent {
        out.entry("userAgent")
            .or_insert_with(|| Value::String(ua.clone()));
    }
    if let Some(cookies) = ok.extra.get("cookies") {
        let cookies = match cookies {
            Value::String(s) => Value::Object(
                s.split(';')
                    .filter_map(|p| {
                        let p = p.trim();
                        let (k, v) = p.split_once(':').or_else(|| p.split_once('='))?;
                        Some((k.trim().to_owned(), Value::String(v.trim().to_owned())))
                    })
                    .collect(),
            ),
            other => other.clone(),
        };
        out.entry("cookies").or_insert(cookies);
    }
    // Any other field beside the answer (hCaptcha's `respKey`, ...) belongs to the solution too.
    for (name, value) in &ok.extra {
        if name != "cookies" {
            out.entry(name.clone()).or_insert_with(|| value.clone());
        }
    }
    Value::Object(out)
}

/// The solution field a JSON API answer holds a text answer in, for `kind`.
fn text_field(kind: TaskKind) -> &'static str {
    if kind.is_image() || kind == TaskKind::Other {
        "text"
    } else if kind.is_recaptcha() || kind == TaskKind::HCaptcha {
        "gRecaptchaResponse"
    } else {
        "token"
    }
}

/// The raw solution of a lone text answer (no User-Agent, no other field), written directly:
/// the same bytes as [`solution_json`] serialised, without the map in between.
fn lone_text_raw(kind: TaskKind, ok: &UrlFormOk) -> Option<Box<serde_json::value::RawValue>> {
    let UrlFormAnswer::Text(text) = &ok.answer else {
        return None;
    };
    if ok.user_agent.is_some() || !ok.extra.is_empty() {
        return None;
    }
    let field = text_field(kind);
    let mut raw = String::with_capacity(text.len() + field.len() + 8);
    raw.push_str("{\"");
    raw.push_str(field);
    raw.push_str("\":");
    // serde_json escapes byte by byte; a token seldom needs any escape (only `"`, `\\` and
    // control characters do), and one pass that finds none lets it be copied whole.
    if needs_escape(text.as_bytes()) {
        raw.push_str(&serde_json::to_string(text).ok()?);
    } else {
        raw.push('"');
        raw.push_str(text);
        raw.push('"');
    }
    raw.push('}');
    serde_json::value::RawValue::from_string(raw).ok()
}

/// True when JSON needs an escape for some byte of `bytes` (`"`, `\\` or a control character).
/// Checked a 32-byte block at a time, without an early exit, so the compiler can vectorise it.
pub(super) fn needs_escape(bytes: &[u8]) -> bool {
    let flag = |b: u8| (b < 0x20) | (b == b'"') | (b == b'\\');
    let mut blocks = bytes.chunks_exact(32);
    let found = blocks
        .by_ref()
        .any(|block| block.iter().fold(false, |acc, &b| acc | flag(b)));
    found || blocks.remainder().iter().any(|&b| flag(b))
}

pub(super) fn ready_from_answer(kind: TaskKind, ok: &UrlFormOk) -> Ready {
    if let Some(raw) = lone_text_raw(kind, ok) {
        return Ready::new(
            kind,
            raw,
            ResultExtras {
                cost: ok.price,
                ..ResultExtras::default()
            },
        );
    }
    let json = solution_json(kind, ok);
    let raw = serde_json::value::to_raw_value(&json).unwrap_or_else(|_| {
        serde_json::value::RawValue::from_string("{}".to_owned())
            .expect("an empty object is valid JSON")
    });
    Ready::new(
        kind,
        raw,
        ResultExtras {
            cost: ok.price,
            ..ResultExtras::default()
        },
    )
}
