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

/// How one task type is written as `in.php` parameters: a row of [`IN_PHP`].
struct InPhp {
    /// The task kind the row is for.
    kind: TaskKind,
    /// The row applies only when this wire field has this value (GeeTest's `version`).
    when: Option<(&'static str, &'static str)>,
    /// The `method` parameter.
    method: &'static str,
    /// The documented example's field order (the key field, then pageurl); the other fields
    /// follow in the order of `rules`.
    order: &'static [&'static str],
    /// Where each wire field goes. A field without a rule is refused unless it is empty.
    rules: &'static [(&'static str, Rule)],
    /// Parameters that follow from the type rather than from a field, added last.
    fixed: &'static [(&'static str, &'static str)],
}

const KEY_THEN_URL: &[&str] = &["websiteKey", "websiteURL"];

const RECAPTCHA_RULES: &[(&str, Rule)] = &[
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
];

const fn row(
    kind: TaskKind,
    method: &'static str,
    order: &'static [&'static str],
    rules: &'static [(&'static str, Rule)],
) -> InPhp {
    InPhp {
        kind,
        when: None,
        method,
        order,
        rules,
        fixed: &[],
    }
}

/// Every task type the URL form can send, first match wins. A kind without a row has no
/// URL-form method and is refused before anything is sent.
const IN_PHP: &[InPhp] = &[
    row(
        TaskKind::ImageToText,
        "base64",
        &["body"],
        &[
            ("body", Rule::To("body")),
            ("case", Rule::Flag("regsense")),
            ("numeric", Rule::Flag("numeric")),
            ("math", Rule::Flag("calc")),
        ],
    ),
    row(
        TaskKind::RecaptchaV2,
        "userrecaptcha",
        KEY_THEN_URL,
        RECAPTCHA_RULES,
    ),
    InPhp {
        fixed: &[("enterprise", "1")],
        ..row(
            TaskKind::RecaptchaV2Enterprise,
            "userrecaptcha",
            KEY_THEN_URL,
            RECAPTCHA_RULES,
        )
    },
    InPhp {
        fixed: &[("version", "v3")],
        ..row(
            TaskKind::RecaptchaV3,
            "userrecaptcha",
            KEY_THEN_URL,
            RECAPTCHA_RULES,
        )
    },
    InPhp {
        fixed: &[("version", "v3"), ("enterprise", "1")],
        ..row(
            TaskKind::RecaptchaV3Enterprise,
            "userrecaptcha",
            KEY_THEN_URL,
            RECAPTCHA_RULES,
        )
    },
    row(
        TaskKind::HCaptcha,
        "hcaptcha",
        KEY_THEN_URL,
        &[
            ("websiteKey", Rule::To("sitekey")),
            ("websiteURL", Rule::To("pageurl")),
            ("isInvisible", Rule::FlagIfTrue("invisible")),
            ("data", Rule::To("data")),
            ("userAgent", Rule::To("userAgent")),
            ("cookies", Rule::Cookies),
        ],
    ),
    row(
        TaskKind::Turnstile,
        "turnstile",
        KEY_THEN_URL,
        &[
            ("websiteKey", Rule::To("sitekey")),
            ("websiteURL", Rule::To("pageurl")),
            ("pageAction", Rule::To("action")),
            ("data", Rule::To("data")),
            ("pageData", Rule::To("pagedata")),
            ("userAgent", Rule::To("userAgent")),
        ],
    ),
    InPhp {
        when: Some(("version", "4")),
        fixed: &[("version", "4")],
        ..row(
            TaskKind::GeeTest,
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
    },
    row(
        TaskKind::GeeTest,
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
    ),
    row(
        TaskKind::FunCaptcha,
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
    row(
        TaskKind::Amazon,
        "amazon_waf",
        KEY_THEN_URL,
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
    row(
        TaskKind::MtCaptcha,
        "mt_captcha",
        KEY_THEN_URL,
        &[
            ("websiteKey", Rule::To("sitekey")),
            ("websiteURL", Rule::To("pageurl")),
            ("isInvisible", Rule::FalseOnly),
        ],
    ),
    row(
        TaskKind::Prosopo,
        "prosopo",
        KEY_THEN_URL,
        &[
            ("websiteKey", Rule::To("sitekey")),
            ("websiteURL", Rule::To("pageurl")),
        ],
    ),
];

impl InPhp {
    /// The row for a task of `kind` whose wire JSON is `obj`.
    fn find(kind: TaskKind, obj: &Map<String, Value>) -> Option<&'static Self> {
        IN_PHP.iter().find(|row| {
            row.kind == kind
                && row.when.is_none_or(|(field, value)| {
                    obj.get(field).and_then(scalar).as_deref() == Some(value)
                })
        })
    }

    fn rule_of(&self, field: &str) -> Option<Rule> {
        self.rules
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, r)| *r)
    }

    /// The fields of `obj` in a stable order: the documented order first, then the rules'.
    fn sorted<'a>(&self, obj: &'a Map<String, Value>) -> Vec<&'a String> {
        let rank = |f: &str| {
            let in_rules = || self.rules.iter().position(|(r, _)| *r == f);
            (self.order.iter().position(|o| *o == f))
                .or_else(|| in_rules().map(|p| p + self.order.len()))
                .unwrap_or(usize::MAX)
        };
        let mut fields: Vec<&String> = obj.keys().collect();
        fields.sort_by_key(|f| rank(f));
        fields
    }
}

/// The `in.php` parameters of `task` and whether it asks for `nocache`: the [`IN_PHP`] row of
/// its kind applied to its documented wire JSON.
pub(super) fn map_task(task: &Task) -> Result<(Pairs, bool), BuildError> {
    let wire = serde_json::to_value(task.wire(TypeNaming::Documented)).unwrap_or(Value::Null);
    let Value::Object(obj) = wire else {
        return Err(BuildError::NoUrlFormMethod {
            task_type: String::new(),
        });
    };
    let type_name = obj.get("type").and_then(Value::as_str).unwrap_or("");
    let label = || kind_label(task.kind(), type_name);
    let row = InPhp::find(task.kind(), &obj)
        .ok_or_else(|| BuildError::NoUrlFormMethod { task_type: label() })?;
    let mut pairs: Pairs = vec![("method".to_owned(), row.method.to_owned())];
    let mut nocache = false;
    for field in row.sorted(&obj) {
        let value = &obj[field.as_str()];
        if value.is_null() || PROXY_FIELDS.contains(&field.as_str()) {
            continue;
        }
        match field.as_str() {
            "type" | "class" => continue,
            "nocache" => {
                nocache = flag(value) == Some(true);
                continue;
            }
            _ => {}
        }
        let unsupported = || BuildError::NoUrlFormField {
            task_type: label(),
            field: field.clone(),
        };
        match row.rule_of(field) {
            Some(rule) => apply(rule, value, &mut pairs).ok_or_else(unsupported)?,
            // A field without a parameter is refused unless it carries nothing: `false`, an
            // empty string, array or object (serialisers may write those for unset options).
            None if is_empty_value(value) => {}
            None => return Err(unsupported()),
        }
    }
    for (k, v) in row.fixed {
        if !pairs.iter().any(|(p, _)| p == k) {
            pairs.push(((*k).to_owned(), (*v).to_owned()));
        }
    }
    pairs.extend(
        proxy_pairs(&obj).map_err(|field| BuildError::NoUrlFormField {
            task_type: label(),
            field: field.to_owned(),
        })?,
    );
    Ok((pairs, nocache))
}

/// Writes `value` under `rule`; `None` when the value cannot be written so.
fn apply(rule: Rule, value: &Value, pairs: &mut Pairs) -> Option<()> {
    let mut push = |k: &str, v: String| pairs.push((k.to_owned(), v));
    match rule {
        Rule::Skip => {}
        Rule::FalseOnly => {
            if flag(value)? {
                return None;
            }
        }
        Rule::To(name) => push(name, scalar(value)?),
        Rule::Flag(name) => push(name, if flag(value)? { "1" } else { "0" }.to_owned()),
        Rule::FlagIfTrue(name) => {
            if flag(value)? {
                push(name, "1".to_owned());
            }
        }
        Rule::Cookies => push("cookies", cookies_v1(value.as_str()?)),
        Rule::DataBlob => {
            // A JSON string such as {"blob":"..."}; each key becomes data[key].
            let parsed: Value = match value {
                Value::String(s) => serde_json::from_str(s).ok()?,
                Value::Object(_) => value.clone(),
                _ => return None,
            };
            let Value::Object(m) = parsed else {
                return None;
            };
            for (k, v) in &m {
                push(&format!("data[{k}]"), scalar(v)?);
            }
        }
        Rule::EnterprisePayload => match value {
            Value::Object(m) if m.len() == 1 && m.get("s").is_some_and(Value::is_string) => {
                push("data-s", scalar(&m["s"]).unwrap_or_default());
            }
            Value::Object(m) if m.is_empty() => {}
            _ => return None,
        },
    }
    Some(())
}

/// The `proxy`/`proxytype` parameters, or none; `Err(field)` when some proxy fields are set
/// without an address and a port, which `proxy=` cannot carry.
fn proxy_pairs(obj: &Map<String, Value>) -> Result<Pairs, &'static str> {
    if let Some(proxy) = proxy_params(obj) {
        return Ok(proxy);
    }
    match PROXY_FIELDS
        .iter()
        .find(|f| obj.get(**f).is_some_and(|v| !is_empty_value(v)))
    {
        Some(field) => Err(field),
        None => Ok(Vec::new()),
    }
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
