//! The `in.php` parameters of a task, mapped from its documented wire JSON.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::error::BuildError;
use crate::task::TypeNaming;
use crate::task::{Task, TaskKind};

// ---------------------------------------------------------------------------------------------
// in.php parameters from the task's wire JSON
// ---------------------------------------------------------------------------------------------

/// One `in.php` parameter list: `method` first, then the task's own parameters in a stable order.
pub(super) type Pairs = Vec<(String, String)>;

/// The `in.php` parameters of `task`: `method` and the task's fields, mapped from its documented
/// wire JSON. `key`, `json`, `soft_id`, `pingback` and `nocache` are not included (the endpoint
/// adds them; a task's `nocache: true` is [`Task::nocache`]).
pub fn in_php_params(task: &Task) -> Result<Vec<(String, String)>, BuildError> {
    map_task(task).map(|(pairs, _)| pairs)
}

/// Reads a JSON flag sent as a boolean, `0`/`1`, or `"true"`/`"1"`.
pub(super) fn flag(v: &Value) -> Option<bool> {
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
pub(super) fn is_empty_value(v: &Value) -> bool {
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
pub(super) fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_owned()),
        _ => None,
    }
}

/// `name=value; name2=value2` (the JSON APIs' cookies) to `name:value;name2:value2` (in.php's).
pub(super) fn cookies_v1(s: &str) -> String {
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
pub(super) enum Rule {
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

pub(super) fn map_task(task: &Task) -> Result<(Pairs, bool), BuildError> {
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

pub(super) const PROXY_FIELDS: &[&str] = &[
    "proxyType",
    "proxyAddress",
    "proxyPort",
    "proxyLogin",
    "proxyPassword",
];

/// `proxy=login:pass@host:port` and `proxytype=HTTP|HTTPS|SOCKS4|SOCKS5`, from the five proxy fields.
pub(super) fn proxy_params(obj: &Map<String, Value>) -> Option<Pairs> {
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

pub(super) fn kind_label(kind: TaskKind, type_name: &str) -> String {
    if kind == TaskKind::Other || kind.class().is_none() {
        type_name.to_owned()
    } else {
        kind.display_name()
    }
}
