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
//! use capmonster_proto::{ClientKey, Endpoint, RecaptchaV2Task, Service};
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

use std::fmt::Write as _;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::endpoint::{Balance, Endpoint, ReportAccepted, TaskId};
use crate::error::{ApiError, BuildError, ErrorCode, ResponseError, UnparseableResponse};
use crate::key::ClientKey;
use crate::service::{Service, TypeNaming};
use crate::solution::{Ready, ResultExtras, TaskResult};
use crate::task::{Task, TaskKind};

/// How a URL-form call travels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UrlFormTransport {
    /// `POST` with an `application/x-www-form-urlencoded` body: the key stays out of the URL
    /// (and out of proxy and server access logs). The default.
    #[default]
    PostForm,
    /// `GET` with every parameter in the query string, as in the documented example.
    Get,
}

/// How values are written into a GET query string.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QueryEncoding {
    /// `application/x-www-form-urlencoded`: every byte outside `A-Za-z0-9*-._` is
    /// percent-encoded, so `pageurl=https%3A%2F%2F...`. The default, and always used for POST bodies.
    #[default]
    Percent,
    /// The documented example's style: only bytes that would change the meaning of the query
    /// (`&`, `#`, `+`, `%`) or are not allowed in a URI (spaces, controls, non-ASCII, `"<>\^`{|}[]`)
    /// are percent-encoded; `:/?=@` and the like stay as they are. The documented `in.php` URL is
    /// reproduced byte for byte in this mode.
    AsDocumented,
}

/// Options shared by every URL-form endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct UrlFormOptions {
    /// POST form (default) or GET.
    pub transport: UrlFormTransport,
    /// How GET query values are encoded.
    pub encoding: QueryEncoding,
    /// Send `json=1` (default `true`): the answer comes back as JSON, which is the only way to
    /// receive extras such as Turnstile's `useragent`, reCAPTCHA cookies and `get2`'s `price`.
    /// Plain text is read either way.
    pub json: bool,
}

impl Default for UrlFormOptions {
    fn default() -> Self {
        Self {
            transport: UrlFormTransport::PostForm,
            encoding: QueryEncoding::Percent,
            json: true,
        }
    }
}

impl UrlFormOptions {
    /// The documented example's options: GET, [`QueryEncoding::AsDocumented`], no `json=1`.
    pub fn as_documented() -> Self {
        Self {
            transport: UrlFormTransport::Get,
            encoding: QueryEncoding::AsDocumented,
            json: false,
        }
    }

    /// Sets the transport.
    #[must_use]
    pub fn with_transport(mut self, transport: UrlFormTransport) -> Self {
        self.transport = transport;
        self
    }

    /// Sets the GET query encoding.
    #[must_use]
    pub fn with_encoding(mut self, encoding: QueryEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// Turns `json=1` on or off.
    #[must_use]
    pub fn with_json(mut self, json: bool) -> Self {
        self.json = json;
        self
    }
}

// ---------------------------------------------------------------------------------------------
// in.php parameters from the task's wire JSON
// ---------------------------------------------------------------------------------------------

/// One `in.php` parameter list: `method` first, then the task's own parameters in a stable order.
type Pairs = Vec<(String, String)>;

/// The `in.php` parameters of `task`: `method` and the task's fields, mapped from its documented
/// wire JSON. `key`, `json`, `soft_id`, `pingback` and `nocache` are not included (the endpoint
/// adds them; a task's `nocache: true` is reported by [`in_php_nocache`]).
pub fn in_php_params(task: &Task) -> Result<Vec<(String, String)>, BuildError> {
    map_task(task).map(|(pairs, _)| pairs)
}

/// Whether the task's wire JSON asks for `nocache` (sent as `nocache=1`, last).
pub fn in_php_nocache(task: &Task) -> bool {
    task.nocache()
}

/// Reads a JSON flag sent as a boolean, `0`/`1`, or `"true"`/`"1"`.
fn flag(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => n.as_f64().map(|f| f != 0.0),
        Value::String(s) => match s.as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// `false`, `""`, `[]` or `{}`: a value that asks for nothing.
fn is_empty_value(v: &Value) -> bool {
    match v {
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        Value::Null => true,
        Value::Number(_) => false,
    }
}

/// A JSON scalar as a parameter value.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_owned()),
        _ => None,
    }
}

/// `name=value; name2=value2` (the JSON APIs' cookies) to `name:value;name2:value2` (in.php's).
fn cookies_v1(s: &str) -> String {
    s.split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => format!("{}:{}", k.trim(), v.trim()),
            None => p.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// Where one wire field goes.
#[derive(Clone, Copy)]
enum Rule {
    /// Renamed, value as it is.
    To(&'static str),
    /// A boolean written as `1`/`0` under a new name.
    Flag(&'static str),
    /// A boolean that adds `name=1` when true and nothing when false.
    FlagIfTrue(&'static str),
    /// Cookies, rewritten into in.php's `K:V;K:V` form.
    Cookies,
    /// FunCaptcha's `data`: a JSON string whose keys become `data[key]`.
    DataBlob,
    /// reCAPTCHA Enterprise's `enterprisePayload`: only its `s` is expressible (`data-s`).
    EnterprisePayload,
    /// A boolean with no in.php parameter: `false` (the default) is dropped, `true` is refused.
    FalseOnly,
    /// Consumed elsewhere (type, class, proxy fields, nocache).
    Skip,
}

fn map_task(task: &Task) -> Result<(Pairs, bool), BuildError> {
    let wire = serde_json::to_value(task.wire(TypeNaming::Documented)).unwrap_or(Value::Null);
    let Value::Object(obj) = wire else {
        return Err(BuildError::NoUrlFormMethod {
            task_type: String::new(),
        });
    };
    let type_name = obj
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let kind = task.kind();
    let no_method = || BuildError::NoUrlFormMethod {
        task_type: kind_label(kind, &type_name),
    };

    // Pre-set parameters that follow from the type rather than from a field.
    let mut fixed: Vec<(&'static str, &'static str)> = Vec::new();
    // The field order of the documented example: the key field, then pageurl.
    let (method, order, rules): (&str, &[&str], &[(&str, Rule)]) = match kind {
        TaskKind::ImageToText => (
            "base64",
            &["body"],
            &[
                ("body", Rule::To("body")),
                ("case", Rule::Flag("regsense")),
                ("numeric", Rule::Flag("numeric")),
                ("math", Rule::Flag("calc")),
            ],
        ),
        TaskKind::RecaptchaV2
        | TaskKind::RecaptchaV2Enterprise
        | TaskKind::RecaptchaV3
        | TaskKind::RecaptchaV3Enterprise => {
            match kind {
                TaskKind::RecaptchaV2Enterprise => fixed.push(("enterprise", "1")),
                TaskKind::RecaptchaV3 => fixed.push(("version", "v3")),
                TaskKind::RecaptchaV3Enterprise => {
                    fixed.push(("version", "v3"));
                    fixed.push(("enterprise", "1"));
                }
                _ => {}
            }
            (
                "userrecaptcha",
                &["websiteKey", "websiteURL"],
                &[
                    ("websiteKey", Rule::To("googlekey")),
                    ("websiteURL", Rule::To("pageurl")),
                    ("isInvisible", Rule::FlagIfTrue("invisible")),
                    ("recaptchaDataSValue", Rule::To("data-s")),
                    ("enterprisePayload", Rule::EnterprisePayload),
                    ("apiDomain", Rule::To("domain")),
                    ("pageAction", Rule::To("action")),
                    ("minScore", Rule::To("min_score")),
                    ("isEnterprise", Rule::FlagIfTrue("enterprise")),
                    ("userAgent", Rule::To("userAgent")),
                    ("cookies", Rule::Cookies),
                ],
            )
        }
        TaskKind::HCaptcha => (
            "hcaptcha",
            &["websiteKey", "websiteURL"],
            &[
                ("websiteKey", Rule::To("sitekey")),
                ("websiteURL", Rule::To("pageurl")),
                ("isInvisible", Rule::FlagIfTrue("invisible")),
                ("data", Rule::To("data")),
                ("userAgent", Rule::To("userAgent")),
                ("cookies", Rule::Cookies),
            ],
        ),
        TaskKind::Turnstile => (
            "turnstile",
            &["websiteKey", "websiteURL"],
            &[
                ("websiteKey", Rule::To("sitekey")),
                ("websiteURL", Rule::To("pageurl")),
                ("pageAction", Rule::To("action")),
                ("data", Rule::To("data")),
                ("pageData", Rule::To("pagedata")),
                ("userAgent", Rule::To("userAgent")),
            ],
        ),
        TaskKind::GeeTest => {
            let v4 = obj.get("version").and_then(scalar).as_deref() == Some("4");
            if v4 {
                fixed.push(("version", "4"));
                (
                    "geetest_v4",
                    &["gt", "websiteURL"],
                    &[
                        ("gt", Rule::To("captcha_id")),
                        ("websiteURL", Rule::To("pageurl")),
                        ("geetestApiServerSubdomain", Rule::To("api_server")),
                        ("userAgent", Rule::To("userAgent")),
                        ("version", Rule::Skip),
                    ],
                )
            } else {
                (
                    "geetest",
                    &["gt", "challenge", "websiteURL"],
                    &[
                        ("gt", Rule::To("gt")),
                        ("challenge", Rule::To("challenge")),
                        ("websiteURL", Rule::To("pageurl")),
                        ("geetestApiServerSubdomain", Rule::To("api_server")),
                        ("userAgent", Rule::To("userAgent")),
                        ("version", Rule::Skip),
                    ],
                )
            }
        }
        TaskKind::FunCaptcha => (
            "funcaptcha",
            &["websitePublicKey", "websiteURL"],
            &[
                ("websitePublicKey", Rule::To("publickey")),
                ("websiteURL", Rule::To("pageurl")),
                ("funcaptchaApiJSSubdomain", Rule::To("surl")),
                ("data", Rule::DataBlob),
                ("userAgent", Rule::To("userAgent")),
            ],
        ),
        TaskKind::Amazon => (
            "amazon_waf",
            &["websiteKey", "websiteURL"],
            &[
                ("websiteKey", Rule::To("sitekey")),
                ("websiteURL", Rule::To("pageurl")),
                ("iv", Rule::To("iv")),
                ("context", Rule::To("context")),
                ("challengeScript", Rule::To("challenge_script")),
                ("captchaScript", Rule::To("captcha_script")),
                ("userAgent", Rule::To("userAgent")),
                ("cookieSolution", Rule::FalseOnly),
            ],
        ),
        TaskKind::MtCaptcha => (
            "mt_captcha",
            &["websiteKey", "websiteURL"],
            &[
                ("websiteKey", Rule::To("sitekey")),
                ("websiteURL", Rule::To("pageurl")),
                ("isInvisible", Rule::FalseOnly),
            ],
        ),
        TaskKind::Prosopo => (
            "prosopo",
            &["websiteKey", "websiteURL"],
            &[
                ("websiteKey", Rule::To("sitekey")),
                ("websiteURL", Rule::To("pageurl")),
            ],
        ),
        _ => return Err(no_method()),
    };

    let mut pairs: Pairs = vec![("method".to_owned(), method.to_owned())];
    let rule_of = |field: &str| rules.iter().find(|(f, _)| *f == field).map(|(_, r)| *r);
    let mut fields: Vec<&String> = obj.keys().collect();
    // Documented order first, then the rest in the rules' order, so the output is stable.
    let rank = |f: &str| {
        order
            .iter()
            .position(|o| *o == f)
            .or_else(|| {
                rules
                    .iter()
                    .position(|(r, _)| *r == f)
                    .map(|p| p + order.len())
            })
            .unwrap_or(usize::MAX)
    };
    fields.sort_by_key(|f| rank(f));

    let mut nocache = false;
    for field in fields {
        let value = &obj[field.as_str()];
        if value.is_null() {
            continue;
        }
        if PROXY_FIELDS.contains(&field.as_str()) || field == "type" || field == "class" {
            continue;
        }
        if field == "nocache" {
            nocache = flag(value) == Some(true);
            continue;
        }
        let unsupported = || BuildError::NoUrlFormField {
            task_type: kind_label(kind, &type_name),
            field: field.clone(),
        };
        let Some(rule) = rule_of(field) else {
            // A field without a parameter is refused unless it carries nothing: `false`, an
            // empty string, array or object (serialisers may write those for unset options).
            if is_empty_value(value) {
                continue;
            }
            return Err(unsupported());
        };
        match rule {
            Rule::Skip => {}
            Rule::FalseOnly => {
                if flag(value).ok_or_else(unsupported)? {
                    return Err(unsupported());
                }
            }
            Rule::To(name) => {
                let v = scalar(value).ok_or_else(unsupported)?;
                pairs.push((name.to_owned(), v));
            }
            Rule::Flag(name) => {
                let b = flag(value).ok_or_else(unsupported)?;
                pairs.push((name.to_owned(), if b { "1" } else { "0" }.to_owned()));
            }
            Rule::FlagIfTrue(name) => {
                if flag(value).ok_or_else(unsupported)? {
                    pairs.push((name.to_owned(), "1".to_owned()));
                }
            }
            Rule::Cookies => {
                let v = value.as_str().ok_or_else(unsupported)?;
                pairs.push(("cookies".to_owned(), cookies_v1(v)));
            }
            Rule::DataBlob => {
                // A JSON string such as {"blob":"..."}; each key becomes data[key].
                let parsed: Value = match value {
                    Value::String(s) => serde_json::from_str(s).map_err(|_| unsupported())?,
                    Value::Object(_) => value.clone(),
                    _ => return Err(unsupported()),
                };
                let Value::Object(m) = parsed else {
                    return Err(unsupported());
                };
                for (k, v) in &m {
                    let v = scalar(v).ok_or_else(unsupported)?;
                    pairs.push((format!("data[{k}]"), v));
                }
            }
            Rule::EnterprisePayload => match value {
                Value::Object(m) if m.len() == 1 && m.get("s").is_some_and(Value::is_string) => {
                    pairs.push(("data-s".to_owned(), scalar(&m["s"]).unwrap_or_default()));
                }
                Value::Object(m) if m.is_empty() => {}
                _ => return Err(unsupported()),
            },
        }
    }
    for (k, v) in fixed {
        if !pairs.iter().any(|(p, _)| p == k) {
            pairs.push((k.to_owned(), v.to_owned()));
        }
    }
    match proxy_params(&obj) {
        Some(proxy) => pairs.extend(proxy),
        None => {
            // Some proxy fields without an address and a port cannot be written as `proxy=`.
            if let Some(field) = PROXY_FIELDS
                .iter()
                .find(|f| obj.get(**f).is_some_and(|v| !is_empty_value(v)))
            {
                return Err(BuildError::NoUrlFormField {
                    task_type: kind_label(kind, &type_name),
                    field: (*field).to_owned(),
                });
            }
        }
    }
    Ok((pairs, nocache))
}

const PROXY_FIELDS: &[&str] = &[
    "proxyType",
    "proxyAddress",
    "proxyPort",
    "proxyLogin",
    "proxyPassword",
];

/// `proxy=login:pass@host:port` and `proxytype=HTTP|HTTPS|SOCKS4|SOCKS5`, from the five proxy fields.
fn proxy_params(obj: &Map<String, Value>) -> Option<Pairs> {
    let address = obj.get("proxyAddress").and_then(scalar)?;
    let port = obj.get("proxyPort").and_then(scalar)?;
    let kind = obj
        .get("proxyType")
        .and_then(Value::as_str)
        .unwrap_or("http")
        .to_ascii_uppercase();
    let mut proxy = String::new();
    let login = obj.get("proxyLogin").and_then(scalar);
    let password = obj.get("proxyPassword").and_then(scalar);
    if let Some(login) = login.filter(|l| !l.is_empty()) {
        proxy.push_str(&login);
        if let Some(p) = password.filter(|p| !p.is_empty()) {
            proxy.push(':');
            proxy.push_str(&p);
        }
        proxy.push('@');
    }
    if address.contains(':') && !address.starts_with('[') {
        // An IPv6 address: bracket it so the port stays readable.
        let _ = write!(proxy, "[{address}]:{port}");
    } else {
        let _ = write!(proxy, "{address}:{port}");
    }
    Some(vec![
        ("proxy".to_owned(), proxy),
        ("proxytype".to_owned(), kind),
    ])
}

fn kind_label(kind: TaskKind, type_name: &str) -> String {
    if kind == TaskKind::Other || kind.class().is_none() {
        type_name.to_owned()
    } else {
        kind.display_name()
    }
}

// ---------------------------------------------------------------------------------------------
// Encoding and request building
// ---------------------------------------------------------------------------------------------

fn encode_pairs(pairs: &[(String, String)], encoding: QueryEncoding) -> String {
    match encoding {
        QueryEncoding::Percent => serde_urlencoded::to_string(pairs).unwrap_or_default(),
        QueryEncoding::AsDocumented => {
            let mut out = String::new();
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push('&');
                }
                minimal_encode(&mut out, k, true);
                out.push('=');
                minimal_encode(&mut out, v, false);
            }
            out
        }
    }
}

/// Percent-encodes only what would change the query's meaning or is not a legal URI byte.
fn minimal_encode(out: &mut String, s: &str, is_key: bool) {
    for &b in s.as_bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b','
                    | b';'
                    | b':'
                    | b'@'
                    | b'/'
                    | b'?'
            )
            || (b == b'=' && !is_key);
        if keep {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

fn url_form_request(
    service: &Service,
    script: &str,
    pairs: &[(String, String)],
    options: UrlFormOptions,
) -> Result<http::Request<Vec<u8>>, BuildError> {
    let base = service.method_url(script);
    let builder =
        http::Request::builder().header(http::header::USER_AGENT, service.http_user_agent());
    let built = match options.transport {
        UrlFormTransport::PostForm => builder
            .method(http::Method::POST)
            .uri(base)
            .header(
                http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(encode_pairs(pairs, QueryEncoding::Percent).into_bytes()),
        UrlFormTransport::Get => {
            let url = format!("{base}?{}", encode_pairs(pairs, options.encoding));
            builder.method(http::Method::GET).uri(url).body(Vec::new())
        }
    };
    built.map_err(|_| {
        BuildError::Validation(crate::error::ValidationError::new(
            "url",
            "the URL-form request is not a valid URI",
        ))
    })
}

fn key_pair(key: &ClientKey) -> (String, String) {
    ("key".to_owned(), key.expose_secret())
}

fn json_pair(options: UrlFormOptions, pairs: &mut Pairs) {
    if options.json {
        pairs.push(("json".to_owned(), "1".to_owned()));
    }
}

// ---------------------------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------------------------

/// reCAPTCHA-style GeeTest v3 answer: `challenge`, `validate`, `seccode`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct UrlFormGeeTest {
    /// `challenge`.
    pub challenge: String,
    /// `validate`.
    pub validate: String,
    /// `seccode`.
    pub seccode: String,
}

/// GeeTest v4 answer. `captcha_id` is missing on some sites.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[non_exhaustive]
pub struct UrlFormGeeTestV4 {
    /// `captcha_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captcha_id: Option<String>,
    /// `lot_number`.
    pub lot_number: String,
    /// `pass_token`.
    pub pass_token: String,
    /// `gen_time` (sent as a string or a number; kept as text).
    #[serde(deserialize_with = "string_or_number")]
    pub gen_time: String,
    /// `captcha_output`.
    pub captcha_output: String,
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        Value::Number(n) => Ok(n.to_string()),
        _ => Err(serde::de::Error::custom("expected a string or a number")),
    }
}

/// The payload of a successful URL-form answer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum UrlFormAnswer {
    /// Plain text: an id, a token, an image's text, a balance. Kept whole, `|` and all.
    Text(String),
    /// A GeeTest v3 answer (an object, or the `[challenge, validate, seccode]` array seen in the wild).
    GeeTest(UrlFormGeeTest),
    /// A GeeTest v4 answer.
    GeeTestV4(UrlFormGeeTestV4),
    /// Any other JSON answer (Amazon WAF, Tencent, Capy, ...), as sent.
    Json(Value),
}

impl UrlFormAnswer {
    /// The text, for a text answer.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(s) => Some(s),
            _ => None,
        }
    }

    fn classify(value: Value) -> Self {
        match &value {
            Value::String(s) => return Self::from_text(s),
            Value::Number(n) => return Self::Text(n.to_string()),
            Value::Object(m) => {
                if m.contains_key("lot_number") {
                    if let Ok(v4) = serde_json::from_value(value.clone()) {
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
                return Self::GeeTest(UrlFormGeeTest {
                    challenge: s(0),
                    validate: s(1),
                    seccode: s(2),
                });
            }
            _ => {}
        }
        Self::Json(value)
    }

    fn from_text(s: &str) -> Self {
        let t = s.trim_start();
        if t.starts_with('{') || t.starts_with('[') {
            if let Ok(v @ (Value::Object(_) | Value::Array(_))) = serde_json::from_str::<Value>(s) {
                return Self::classify(v);
            }
        }
        Self::Text(s.to_owned())
    }
}

/// A successful URL-form answer, with the extras the JSON form may carry.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UrlFormOk {
    /// The answer (`request`, or what follows `OK|`).
    pub answer: UrlFormAnswer,
    /// `useragent` (Turnstile and others): submit the token with this User-Agent.
    pub user_agent: Option<String>,
    /// `price` (`get2`).
    pub price: Option<f64>,
    /// Every other top-level field of a JSON answer (`cookies`, ...).
    pub extra: Map<String, Value>,
}

impl UrlFormOk {
    fn text(s: &str) -> Self {
        Self {
            answer: UrlFormAnswer::from_text(s),
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
pub enum UrlFormReply {
    /// `OK|...`, or `{"status":1,"request":...}`.
    Ok(UrlFormOk),
    /// `CAPCHA_NOT_READY` (or `CAPTCHA_NOT_READY`).
    NotReady,
    /// `OK_REPORT_RECORDED`.
    ReportRecorded,
    /// A bare number (the text form of `getbalance`).
    Number(f64),
}

fn is_not_ready(s: &str) -> bool {
    s == "CAPCHA_NOT_READY" || s == "CAPTCHA_NOT_READY"
}

/// Builds the API error for a URL-form error token (`ERROR_...`, `IP_BANNED`, `ERROR: 1001`).
fn url_form_error(token: &str, description: Option<String>, status: u16) -> ApiError {
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
fn looks_like_error(t: &str) -> bool {
    let first = t.split(char::is_whitespace).next().unwrap_or("");
    if first.starts_with("ERROR") || first.starts_with("ERR_") {
        return true;
    }
    let shaped = !first.is_empty()
        && first
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && first.as_bytes()[0].is_ascii_uppercase();
    shaped && !matches!(ErrorCode::parse(first), ErrorCode::Other(_))
}

fn parse_number(t: &str) -> Option<f64> {
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
pub fn parse_url_form_reply(http_status: u16, body: &[u8]) -> Result<UrlFormReply, ResponseError> {
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
fn parse_url_form_reply_any_status(
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

fn parse_json_reply(http_status: u16, body: &[u8], t: &str) -> Result<UrlFormReply, ResponseError> {
    let unreadable =
        |why: String| -> ResponseError { UnparseableResponse::new(http_status, why, body).into() };
    let value: Value =
        serde_json::from_str(t).map_err(|e| unreadable(format!("malformed JSON reply: {e}")))?;
    let Value::Object(mut obj) = value else {
        return Err(unreadable("not a JSON object".to_owned()));
    };
    let status = obj.remove("status").as_ref().and_then(flag);
    let request = obj.remove("request");
    let error_text = obj
        .remove("error_text")
        .and_then(|v| v.as_str().map(str::to_owned))
        .filter(|s| !s.is_empty());
    let user_agent = obj
        .remove("useragent")
        .or_else(|| obj.remove("userAgent"))
        .and_then(|v| v.as_str().map(str::to_owned));
    let price = obj.remove("price").and_then(|v| match v {
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
            Err(ApiError::new(ErrorCode::Other(String::new()), error_text, 1, http_status).into())
        }
        (None, _) | (Some(true), None) => Err(unreadable(
            "a JSON reply without status and request".to_owned(),
        )),
    }
}

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
    /// Use `action=get2`: the answer comes with its price (read into [`ResultExtras::cost`]).
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

/// The solution JSON a JSON API would have sent for `kind`, built from a URL-form answer, so
/// both forms end in the same [`Ready`]. See docs/PROTOCOL-NOTES.md ("The URL form and the compatible services") for the shapes.
pub fn solution_json(kind: TaskKind, ok: &UrlFormOk) -> Value {
    let mut out = Map::new();
    match &ok.answer {
        UrlFormAnswer::Text(text) => {
            let field = if kind.is_image() || kind == TaskKind::Other {
                "text"
            } else if kind.is_recaptcha() || kind == TaskKind::HCaptcha {
                "gRecaptchaResponse"
            } else {
                "token"
            };
            out.insert(field.to_owned(), Value::String(text.clone()));
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

fn ready_from_answer(kind: TaskKind, ok: &UrlFormOk) -> Ready {
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
