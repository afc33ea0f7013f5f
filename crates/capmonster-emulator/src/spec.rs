//! The emulator's own table of what createTask accepts, written from the service's documentation
//! (not from the client's typed tasks, so that it checks the client independently).
//!
//! Error codes for a refused task. The docs name a code for some rules and none for the rest;
//! the choices are:
//!
//! | rule broken | code |
//! |---|---|
//! | `task` missing or not an object | `ERROR_TASK_ABSENT` |
//! | `type` (or `class`) missing, unknown, or not a string | `ERROR_TASK_NOT_SUPPORTED` |
//! | `websiteURL` missing, not a string, or not `http://`/`https://` | `ERROR_RECAPTCHA_INVALID_DOMAIN` |
//! | `websiteKey` (or `websitePublicKey`, `gt`) missing or not a string | `ERROR_RECAPTCHA_INVALID_SITEKEY` |
//! | proxy required and absent; or present without a valid `proxyType`, `proxyAddress`, `proxyPort` | `ERROR_PROXY_MISSING` |
//! | image missing, not base64, or under 100 bytes decoded | `ERROR_ZERO_CAPTCHA_FILESIZE` |
//! | image over 50 KB (51,200 bytes) decoded | `ERROR_TOO_BIG_CAPTCHA_FILESIZE` |
//! | any other required field missing, or any known field of the wrong JSON type or value | `ERROR_BAD_PARAMETERS` (2Captcha's code for a bad field; CapMonster documents none), naming the field |
//!
//! `ERROR_TASK_NOT_SUPPORTED` is kept for what its documentation says ("task type unsupported or
//! invalid"): a type or class the service does not know. A known type with a bad field is not an
//! unknown type.
//!
//! Liberal where the clients that work against the service are (each listed in
//! docs/PROTOCOL-NOTES.md):
//! * every boolean flag (`isInvisible`, `nocache`, `case`, `math`, `cookieSolution`,
//!   `fallbackToActualUA`, `isEnterprise`) is read from `true`/`false` or the integers `1`/`0`
//!   (anticaptchaofficial sends `"isInvisible": 0`);
//! * GeeTest's `version` is read from an integer or a string of digits (the Node client sends
//!   `"version": "4"`);
//! * CustomTask `altcha` may leave out `websiteKey`, which its docs say may be empty (the Node
//!   client drops an empty one);
//! * `nocache` as a task field applies to the types the docs list (reCAPTCHA v2 and v3). On any
//!   other type it is accepted and ignored, and the task's record says so
//!   ([`TaskStats::nocache_ignored`](crate::TaskStats::nocache_ignored)).
//!
//! Unknown extra fields are ignored, as the service ignores them.

use capmonster_proto::ErrorCode;
use serde_json::{Map, Value};

use crate::rng::base64_decode;

/// Smallest accepted image, in decoded bytes.
pub const MIN_IMAGE_BYTES: usize = 100;
/// Largest accepted image, in decoded bytes (50 KB).
pub const MAX_IMAGE_BYTES: usize = 50 * 1024;

/// A refused request: the code and a description that names the rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Refusal {
    pub(crate) code: ErrorCode,
    pub(crate) description: String,
}

impl Refusal {
    pub(crate) fn new(code: ErrorCode, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
        }
    }
}

/// A boolean flag as the service reads it: `true`/`false`, or the integers `1`/`0`.
pub(crate) fn flag(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_u64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        _ => None,
    }
}

/// An integer, or a string of 1 to 18 decimal digits read as one.
fn int_or_digits(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s)
            if (1..=18).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) =>
        {
            s.parse().ok()
        }
        _ => None,
    }
}

/// A task's GeeTest `version` (3 when absent), read as [`Ty::IntOrDigits`]; `None` when it is not
/// a number.
pub(crate) fn geetest_version(task: &Map<String, Value>) -> Option<i64> {
    match task.get("version") {
        None | Some(Value::Null) => Some(3),
        Some(v) => int_or_digits(v),
    }
}

/// Whether a flag field of a task is set (see [`flag`]).
pub(crate) fn flag_set(task: &Map<String, Value>, name: &str) -> bool {
    task.get(name).and_then(flag) == Some(true)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Ty {
    Str,
    Int,
    Num,
    /// A boolean, also the integers 0/1.
    Bool,
    /// An integer, also a string of decimal digits.
    IntOrDigits,
    Obj,
    /// Array of strings.
    StrArr,
    /// `enterprisePayload`: the table says string, the example sends an object.
    StrOrObj,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Str => "a string",
            Int => "an integer",
            Num => "a number",
            Bool => "a boolean (or 0/1)",
            IntOrDigits => "an integer (or a string of digits)",
            Obj => "an object",
            StrArr => "an array of strings",
            StrOrObj => "a string or an object",
        }
    }

    fn accepts(self, v: &Value) -> bool {
        match self {
            Str => v.is_string(),
            Int => v.is_i64() || v.is_u64(),
            Num => v.is_number(),
            Bool => flag(v).is_some(),
            IntOrDigits => int_or_digits(v).is_some(),
            Obj => v.is_object(),
            StrArr => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            StrOrObj => v.is_string() || v.is_object(),
        }
    }
}

/// Required or optional.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Need {
    Req,
    Opt,
}

use Need::{Opt, Req};
use Ty::{Bool, Int, IntOrDigits, Num, Obj, Str, StrArr, StrOrObj};

type Fields = &'static [(&'static str, Ty, Need)];

#[derive(Debug, Clone, Copy, PartialEq)]
enum ProxyRule {
    /// The type runs on the service's proxies; proxy fields are ignored.
    None,
    Optional,
    Required,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Images {
    None,
    /// `body`, one image.
    Body,
    /// `imagesBase64` (or, for the recaptcha class, `imageUrls`).
    Array {
        urls_allowed: bool,
    },
}

#[derive(Debug)]
struct Spec {
    fields: Fields,
    metadata: Fields,
    proxy: ProxyRule,
    images: Images,
    /// Whether `websiteURL` is required (it is checked for http(s) whenever present).
    url: Need,
}

const USER_COOKIES: Fields = &[("userAgent", Str, Opt), ("cookies", Str, Opt)];

const RECAPTCHA_V2: Spec = Spec {
    fields: &[
        ("websiteKey", Str, Req),
        ("recaptchaDataSValue", Str, Opt),
        ("userAgent", Str, Opt),
        ("cookies", Str, Opt),
        ("isInvisible", Bool, Opt),
        ("nocache", Bool, Opt),
    ],
    metadata: &[],
    proxy: ProxyRule::Optional,
    images: Images::None,
    url: Req,
};
const RECAPTCHA_V2_ENTERPRISE: Spec = Spec {
    fields: &[
        ("websiteKey", Str, Req),
        ("pageAction", Str, Opt),
        ("enterprisePayload", StrOrObj, Opt),
        ("apiDomain", Str, Opt),
        ("userAgent", Str, Opt),
        ("cookies", Str, Opt),
    ],
    metadata: &[],
    proxy: ProxyRule::Optional,
    images: Images::None,
    url: Req,
};
const RECAPTCHA_V3: Spec = Spec {
    fields: &[
        ("websiteKey", Str, Req),
        ("isEnterprise", Bool, Opt),
        ("minScore", Num, Opt),
        ("pageAction", Str, Opt),
        ("nocache", Bool, Opt),
    ],
    metadata: &[],
    proxy: ProxyRule::None,
    images: Images::None,
    url: Req,
};
const RECAPTCHA_V3_ENTERPRISE: Spec = Spec {
    fields: &[
        ("websiteKey", Str, Req),
        ("minScore", Num, Opt),
        ("pageAction", Str, Opt),
    ],
    metadata: &[],
    proxy: ProxyRule::None,
    images: Images::None,
    url: Req,
};
const IMAGE_TO_TEXT: Spec = Spec {
    fields: &[
        ("capMonsterModule", Str, Opt),
        ("CapMonsterModule", Str, Opt),
        ("recognizingThreshold", Int, Opt),
        ("case", Bool, Opt),
        ("numeric", Int, Opt),
        ("math", Bool, Opt),
    ],
    metadata: &[],
    proxy: ProxyRule::None,
    images: Images::Body,
    url: Opt,
};
const COMPLEX_RECAPTCHA: Spec = Spec {
    fields: &[("userAgent", Str, Opt)],
    metadata: &[
        ("Grid", Str, Req),
        ("TaskDefinition", Str, Opt),
        ("Task", Str, Opt),
    ],
    proxy: ProxyRule::None,
    images: Images::Array { urls_allowed: true },
    url: Opt,
};
const COMPLEX_RECOGNITION: Spec = Spec {
    fields: &[],
    metadata: &[
        ("Task", Str, Req),
        ("TaskArgument", Str, Opt),
        ("PayloadType", Str, Opt),
    ],
    proxy: ProxyRule::None,
    images: Images::Array {
        urls_allowed: false,
    },
    url: Opt,
};
const HCAPTCHA: Spec = Spec {
    fields: &[
        ("websiteKey", Str, Req),
        ("isInvisible", Bool, Opt),
        ("data", Str, Opt),
        ("userAgent", Str, Opt),
        ("cookies", Str, Opt),
        ("fallbackToActualUA", Bool, Opt),
    ],
    metadata: &[],
    proxy: ProxyRule::Optional,
    images: Images::None,
    url: Req,
};
const GEETEST: Spec = Spec {
    fields: &[
        ("gt", Str, Req),
        ("challenge", Str, Opt), // required unless version is 4: checked below
        ("version", IntOrDigits, Opt),
        ("geetestApiServerSubdomain", Str, Opt),
        ("geetestGetLib", Str, Opt),
        ("initParameters", Obj, Opt),
        ("userAgent", Str, Opt),
    ],
    metadata: &[],
    proxy: ProxyRule::Optional,
    images: Images::None,
    url: Req,
};
const TURNSTILE: Spec = Spec {
    fields: &[
        ("websiteKey", Str, Req),
        ("cloudflareTaskType", Str, Opt),
        ("pageAction", Str, Opt),
        ("data", Str, Opt),
        ("pageData", Str, Opt),
        ("apiJsUrl", Str, Opt),
        ("userAgent", Str, Opt),
        ("htmlPageBase64", Str, Opt),
    ],
    metadata: &[],
    proxy: ProxyRule::Optional, // required for cf_clearance and wait_room: checked below
    images: Images::None,
    url: Req,
};
const FUNCAPTCHA: Spec = Spec {
    fields: &[
        ("websitePublicKey", Str, Req),
        ("data", Str, Opt),
        ("funcaptchaApiJSSubdomain", Str, Opt),
        ("userAgent", Str, Opt),
        ("cookies", Str, Opt),
    ],
    metadata: &[],
    proxy: ProxyRule::Optional,
    images: Images::None,
    url: Req,
};
const AMAZON: Spec = Spec {
    fields: &[
        ("websiteKey", Str, Req),
        ("captchaScript", Str, Opt),
        ("challengeScript", Str, Opt),
        ("context", Str, Opt),
        ("iv", Str, Opt),
        ("cookieSolution", Bool, Opt),
        ("userAgent", Str, Opt),
    ],
    metadata: &[],
    proxy: ProxyRule::Optional,
    images: Images::None,
    url: Req,
};
const BINANCE: Spec = Spec {
    fields: &[
        ("websiteKey", Str, Req),
        ("validateId", Str, Req),
        ("userAgent", Str, Opt),
    ],
    metadata: &[],
    proxy: ProxyRule::Optional,
    images: Images::None,
    url: Req,
};
const PROSOPO: Spec = Spec {
    fields: &[("websiteKey", Str, Req)],
    metadata: &[],
    proxy: ProxyRule::Optional,
    images: Images::None,
    url: Req,
};
const MTCAPTCHA: Spec = Spec {
    fields: &[
        ("websiteKey", Str, Req),
        ("pageAction", Str, Opt),
        ("isInvisible", Bool, Opt),
        ("userAgent", Str, Opt),
    ],
    metadata: &[],
    proxy: ProxyRule::Optional,
    images: Images::None,
    url: Req,
};
const YIDUN: Spec = Spec {
    fields: &[
        ("websiteKey", Str, Req),
        ("userAgent", Str, Opt),
        ("yidunGetLib", Str, Opt),
        ("yidunApiServerSubdomain", Str, Opt),
        ("challenge", Str, Opt),
        ("hcg", Str, Opt),
        ("hct", Int, Opt),
    ],
    metadata: &[],
    proxy: ProxyRule::Optional,
    images: Images::None,
    url: Req,
};
const DATADOME: Spec = Spec {
    fields: USER_COOKIES,
    metadata: &[
        ("captchaUrl", Str, Req),
        ("datadomeCookie", Str, Req),
        ("datadomeVersion", Str, Opt),
    ],
    proxy: ProxyRule::Required,
    images: Images::None,
    url: Req,
};
const TENDI: Spec = Spec {
    fields: &[("websiteKey", Str, Req), ("userAgent", Str, Opt)],
    metadata: &[("captchaUrl", Str, Opt)],
    proxy: ProxyRule::Optional,
    images: Images::None,
    url: Req,
};
const BASILISK: Spec = Spec {
    fields: &[("websiteKey", Str, Req), ("userAgent", Str, Opt)],
    metadata: &[],
    proxy: ProxyRule::Optional,
    images: Images::None,
    url: Req,
};
const IMPERVA: Spec = Spec {
    fields: &[("userAgent", Str, Opt)],
    // incapsulaCookies is required; the SDK sample's singular `incapsulaCookie` is accepted in its
    // place (checked below).
    metadata: &[
        ("incapsulaScriptUrl", Str, Req),
        ("incapsulaCookies", Str, Opt),
        ("incapsulaCookie", Str, Opt),
        ("reese84UrlEndpoint", Str, Opt),
    ],
    proxy: ProxyRule::Required,
    images: Images::None,
    url: Req,
};
const ALTCHA: Spec = Spec {
    // The docs mark websiteKey required but "may be empty"; the Node client leaves an empty one
    // out, which says the same thing, so it is optional here.
    fields: &[("websiteKey", Str, Opt), ("userAgent", Str, Opt)],
    // `iterations` is numeric but the docs say to send it as a string.
    metadata: &[
        ("challenge", Str, Req),
        ("iterations", Str, Req),
        ("salt", Str, Req),
        ("signature", Str, Req),
    ],
    proxy: ProxyRule::Optional,
    images: Images::None,
    url: Req,
};
const CASTLE: Spec = Spec {
    fields: &[("websiteKey", Str, Req), ("userAgent", Str, Opt)],
    metadata: &[("wUrl", Str, Req), ("swUrl", Str, Req), ("count", Int, Opt)],
    proxy: ProxyRule::Optional,
    images: Images::None,
    url: Req,
};
const HUNT: Spec = Spec {
    fields: &[("userAgent", Str, Opt)],
    metadata: &[("apiGetLib", Str, Req), ("data", Str, Opt)],
    proxy: ProxyRule::Required,
    images: Images::None,
    url: Req,
};
const TSPD: Spec = Spec {
    fields: &[("userAgent", Str, Req)],
    metadata: &[("tspdCookie", Str, Req), ("htmlPageBase64", Str, Req)],
    proxy: ProxyRule::Required,
    images: Images::None,
    url: Req,
};
const ALIBABA: Spec = Spec {
    fields: &[("userAgent", Str, Opt)],
    metadata: &[("sceneId", Str, Req), ("prefix", Str, Req)],
    proxy: ProxyRule::Optional,
    images: Images::None,
    url: Req,
};
const TEMU: Spec = Spec {
    fields: &[("userAgent", Str, Opt)],
    metadata: &[("cookie", Str, Req)],
    proxy: ProxyRule::Optional,
    images: Images::None,
    url: Req,
};

/// Every task `type` the emulator accepts: the documented names and the legacy ones the service
/// once documented (`NoCaptchaTask`, `...Proxyless`). `CustomTask` and `ComplexImageTask` are
/// further split by class.
pub const TYPES: &[&str] = &[
    "RecaptchaV2Task",
    "NoCaptchaTask",
    "NoCaptchaTaskProxyless",
    "RecaptchaV2TaskProxyless",
    "RecaptchaV2EnterpriseTask",
    "RecaptchaV2EnterpriseTaskProxyless",
    "RecaptchaV3TaskProxyless",
    "RecaptchaV3EnterpriseTask",
    "RecaptchaV3EnterpriseTaskProxyless",
    "ImageToTextTask",
    "ComplexImageTask",
    "HCaptchaTask",
    "HCaptchaTaskProxyless",
    "GeeTestTask",
    "GeeTestTaskProxyless",
    "TurnstileTask",
    "TurnstileTaskProxyless",
    "FunCaptchaTask",
    "FunCaptchaTaskProxyless",
    "AmazonTask",
    "AmazonTaskProxyless",
    "BinanceTask",
    "BinanceTaskProxyless",
    "ProsopoTask",
    "ProsopoTaskProxyless",
    "MTCaptchaTask",
    "MTCaptchaTaskProxyless",
    "YidunTask",
    "YidunTaskProxyless",
    "CustomTask",
];

/// `CustomTask` classes, exactly as documented, plus the legacy `Incapsula` (now `Imperva`).
pub const CUSTOM_CLASSES: &[&str] = &[
    "DataDome",
    "TenDI",
    "Basilisk",
    "Imperva",
    "Incapsula",
    "altcha",
    "Castle",
    "HUNT",
    "tspd",
    "alibaba",
    "Temu",
];

/// `ComplexImageTask` classes.
pub const COMPLEX_IMAGE_CLASSES: &[&str] = &["recaptcha", "recognition"];

fn spec_for(type_name: &str, class: Option<&str>) -> Option<&'static Spec> {
    Some(match (type_name, class) {
        (
            "RecaptchaV2Task"
            | "NoCaptchaTask"
            | "NoCaptchaTaskProxyless"
            | "RecaptchaV2TaskProxyless",
            _,
        ) => &RECAPTCHA_V2,
        ("RecaptchaV2EnterpriseTask" | "RecaptchaV2EnterpriseTaskProxyless", _) => {
            &RECAPTCHA_V2_ENTERPRISE
        }
        ("RecaptchaV3TaskProxyless", _) => &RECAPTCHA_V3,
        ("RecaptchaV3EnterpriseTask" | "RecaptchaV3EnterpriseTaskProxyless", _) => {
            &RECAPTCHA_V3_ENTERPRISE
        }
        ("ImageToTextTask", _) => &IMAGE_TO_TEXT,
        ("ComplexImageTask", Some("recaptcha")) => &COMPLEX_RECAPTCHA,
        ("ComplexImageTask", Some("recognition")) => &COMPLEX_RECOGNITION,
        ("HCaptchaTask" | "HCaptchaTaskProxyless", _) => &HCAPTCHA,
        ("GeeTestTask" | "GeeTestTaskProxyless", _) => &GEETEST,
        ("TurnstileTask" | "TurnstileTaskProxyless", _) => &TURNSTILE,
        ("FunCaptchaTask" | "FunCaptchaTaskProxyless", _) => &FUNCAPTCHA,
        ("AmazonTask" | "AmazonTaskProxyless", _) => &AMAZON,
        ("BinanceTask" | "BinanceTaskProxyless", _) => &BINANCE,
        ("ProsopoTask" | "ProsopoTaskProxyless", _) => &PROSOPO,
        ("MTCaptchaTask" | "MTCaptchaTaskProxyless", _) => &MTCAPTCHA,
        ("YidunTask" | "YidunTaskProxyless", _) => &YIDUN,
        ("CustomTask", Some("DataDome")) => &DATADOME,
        ("CustomTask", Some("TenDI")) => &TENDI,
        ("CustomTask", Some("Basilisk")) => &BASILISK,
        ("CustomTask", Some("Imperva" | "Incapsula")) => &IMPERVA,
        ("CustomTask", Some("altcha")) => &ALTCHA,
        ("CustomTask", Some("Castle")) => &CASTLE,
        ("CustomTask", Some("HUNT")) => &HUNT,
        ("CustomTask", Some("tspd")) => &TSPD,
        ("CustomTask", Some("alibaba")) => &ALIBABA,
        ("CustomTask", Some("Temu")) => &TEMU,
        _ => return None,
    })
}

/// What validation learned about an accepted task.
#[derive(Debug, Clone)]
pub(crate) struct Accepted {
    /// `type`, or `type/class` for CustomTask and ComplexImageTask (`CustomTask/DataDome`).
    pub(crate) label: String,
    pub(crate) type_name: String,
    pub(crate) class: Option<String>,
    /// Decoded images, in order (empty for token tasks).
    pub(crate) images: Vec<Vec<u8>>,
    pub(crate) is_image: bool,
    /// `nocache` is set as a task field on a type the docs do not list it for: accepted, and
    /// ignored.
    pub(crate) nocache_ignored: bool,
    /// The type takes `nocache` (the docs list it for reCAPTCHA v2 and v3).
    pub(crate) nocache_supported: bool,
    pub(crate) task: Map<String, Value>,
}

fn field<'a>(task: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    task.get(name)
}

/// The `websiteURL` of a task, also under its documented alternative spelling `websiteUrl`.
pub(crate) fn website_url(task: &Map<String, Value>) -> Option<&Value> {
    task.get("websiteURL").or_else(|| task.get("websiteUrl"))
}

/// The class of a task, also under the `Class` spelling of the Castle examples.
pub(crate) fn class_of(task: &Map<String, Value>) -> Option<&Value> {
    task.get("class").or_else(|| task.get("Class"))
}

/// An unknown type or class: `ERROR_TASK_NOT_SUPPORTED`.
fn not_supported(msg: String) -> Refusal {
    Refusal::new(ErrorCode::TaskNotSupported, msg)
}

/// A known type with a field missing, of the wrong JSON type, or of a refused value:
/// `ERROR_BAD_PARAMETERS`.
fn bad_field(msg: String) -> Refusal {
    Refusal::new(ErrorCode::BadParameters, msg)
}

fn check_fields(obj: &Map<String, Value>, fields: Fields, prefix: &str) -> Result<(), Refusal> {
    for &(name, ty, need) in fields {
        match obj.get(name) {
            None | Some(Value::Null) if need == Req => {
                let code = if matches!(name, "websiteKey" | "websitePublicKey" | "gt") {
                    ErrorCode::RecaptchaInvalidSitekey
                } else {
                    ErrorCode::BadParameters
                };
                return Err(Refusal::new(
                    code,
                    format!("required field {prefix}{name} is missing"),
                ));
            }
            // An explicit null for an optional field reads as absent.
            None | Some(Value::Null) => {}
            Some(v) if !ty.accepts(v) => {
                let code = if matches!(name, "websiteKey" | "websitePublicKey" | "gt") {
                    ErrorCode::RecaptchaInvalidSitekey
                } else {
                    ErrorCode::BadParameters
                };
                return Err(Refusal::new(
                    code,
                    format!("field {prefix}{name} must be {}", ty.name()),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn check_url(task: &Map<String, Value>, need: Need) -> Result<(), Refusal> {
    let invalid = |msg: &str| Refusal::new(ErrorCode::RecaptchaInvalidDomain, msg.to_owned());
    match website_url(task) {
        None | Some(Value::Null) if need == Req => {
            Err(invalid("required field websiteURL is missing"))
        }
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(s)) => {
            let lower = s.to_ascii_lowercase();
            let rest = lower
                .strip_prefix("https://")
                .or_else(|| lower.strip_prefix("http://"));
            match rest {
                Some(host) if !host.is_empty() && !host.starts_with('/') => Ok(()),
                _ => Err(invalid(
                    "websiteURL must be an http:// or https:// URL with a host",
                )),
            }
        }
        Some(_) => Err(invalid("websiteURL must be a string")),
    }
}

fn has_proxy(task: &Map<String, Value>) -> bool {
    [
        "proxyType",
        "proxyAddress",
        "proxyPort",
        "proxyLogin",
        "proxyPassword",
    ]
    .iter()
    .any(|k| task.get(*k).is_some_and(|v| !v.is_null()))
}

fn check_proxy(task: &Map<String, Value>, required: bool, why: &str) -> Result<(), Refusal> {
    let missing = |msg: String| Refusal::new(ErrorCode::ProxyMissing, msg);
    if !has_proxy(task) {
        return if required {
            Err(missing(format!(
                "{why} needs a proxy: proxyType, proxyAddress and proxyPort"
            )))
        } else {
            Ok(())
        };
    }
    match task.get("proxyType").and_then(Value::as_str) {
        Some("http" | "https" | "socks4" | "socks5") => {}
        Some(other) => {
            return Err(missing(format!(
                "proxyType `{other}` is not http, https, socks4 or socks5"
            )));
        }
        None => return Err(missing("proxyType is missing or not a string".into())),
    }
    match task.get("proxyAddress").and_then(Value::as_str) {
        Some(a) if !a.trim().is_empty() => {}
        _ => return Err(missing("proxyAddress is missing or empty".into())),
    }
    match task.get("proxyPort").and_then(Value::as_u64) {
        Some(p) if (1..=65535).contains(&p) => {}
        _ => {
            return Err(missing(
                "proxyPort must be an integer from 1 to 65535".into(),
            ));
        }
    }
    for k in ["proxyLogin", "proxyPassword"] {
        if task.get(k).is_some_and(|v| !v.is_string() && !v.is_null()) {
            return Err(missing(format!("{k} must be a string")));
        }
    }
    Ok(())
}

fn decode_image(text: &str, what: &str) -> Result<Vec<u8>, Refusal> {
    let bytes = base64_decode(text).ok_or_else(|| {
        Refusal::new(
            ErrorCode::ZeroCaptchaFilesize,
            format!("{what} is not base64 (without line breaks)"),
        )
    })?;
    if bytes.len() < MIN_IMAGE_BYTES {
        return Err(Refusal::new(
            ErrorCode::ZeroCaptchaFilesize,
            format!(
                "{what} is {} bytes; the minimum is {MIN_IMAGE_BYTES}",
                bytes.len()
            ),
        ));
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(Refusal::new(
            ErrorCode::TooBigCaptchaFilesize,
            format!(
                "{what} is {} bytes; the maximum is {MAX_IMAGE_BYTES} (50 KB)",
                bytes.len()
            ),
        ));
    }
    Ok(bytes)
}

/// Checks one task object against the table. `task` is the value of the request's `task` field.
pub(crate) fn validate(task: Option<&Value>) -> Result<Accepted, Refusal> {
    let task = match task {
        Some(Value::Object(t)) => t,
        Some(Value::Null) | None => {
            return Err(Refusal::new(
                ErrorCode::TaskAbsent,
                "the request has no task object",
            ));
        }
        Some(_) => {
            return Err(Refusal::new(
                ErrorCode::TaskAbsent,
                "task must be a JSON object",
            ));
        }
    };
    let type_name = match field(task, "type") {
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(not_supported("task.type must be a string".into())),
        None => return Err(not_supported("task.type is missing".into())),
    };
    if !TYPES.contains(&type_name) {
        return Err(not_supported(format!(
            "task type `{type_name}` is not supported"
        )));
    }
    let class = match class_of(task) {
        Some(Value::String(s)) => Some(s.as_str()),
        Some(Value::Null) | None => None,
        Some(_) => return Err(not_supported("task.class must be a string".into())),
    };
    let classed = matches!(type_name, "CustomTask" | "ComplexImageTask");
    if classed && class.is_none() {
        return Err(not_supported(format!("{type_name} needs a class")));
    }
    let spec = spec_for(type_name, class).ok_or_else(|| {
        not_supported(format!(
            "class `{}` of {type_name} is not supported",
            class.unwrap_or_default()
        ))
    })?;
    let class = if classed { class } else { None };

    check_url(task, spec.url)?;
    check_fields(task, spec.fields, "")?;
    let metadata = match task.get("metadata") {
        Some(Value::Object(m)) => Some(m),
        None | Some(Value::Null) => None,
        Some(_) => return Err(bad_field("field metadata must be an object".into())),
    };
    if !spec.metadata.is_empty() {
        let empty = Map::new();
        check_fields(metadata.unwrap_or(&empty), spec.metadata, "metadata.")?;
    }

    // Mode-dependent rules.
    let mut proxy_required = spec.proxy == ProxyRule::Required;
    let mut why = format!(
        "{type_name}{}",
        class.map(|c| format!(" class {c}")).unwrap_or_default()
    );
    match (type_name, class) {
        ("GeeTestTask" | "GeeTestTaskProxyless", _) => {
            // The field's type was checked above: a number, or a string of digits.
            let version = geetest_version(task).unwrap_or(3);
            if version != 3 && version != 4 {
                return Err(bad_field(format!(
                    "GeeTest version {version} is not 3 or 4"
                )));
            }
            if version == 3 && !task.get("challenge").is_some_and(Value::is_string) {
                return Err(bad_field(
                    "required field challenge (GeeTest v3) is missing".into(),
                ));
            }
        }
        ("TurnstileTask" | "TurnstileTaskProxyless", _) => {
            let mode = task.get("cloudflareTaskType").and_then(Value::as_str);
            let need: &[&str] = match mode {
                None => &[],
                Some("token") => &["pageAction", "data", "pageData", "userAgent"],
                Some(m @ ("cf_clearance" | "wait_room")) => {
                    proxy_required = true;
                    why = format!("TurnstileTask with cloudflareTaskType {m}");
                    &["userAgent", "htmlPageBase64"]
                }
                Some(other) => {
                    return Err(bad_field(format!(
                        "cloudflareTaskType `{other}` is not token, cf_clearance or wait_room"
                    )));
                }
            };
            for f in need {
                if !task.get(*f).is_some_and(Value::is_string) {
                    return Err(bad_field(format!(
                        "required field {f} (cloudflareTaskType {}) is missing",
                        mode.unwrap_or_default()
                    )));
                }
            }
        }
        ("AmazonTask" | "AmazonTaskProxyless", _) => {
            let need: &[&str] = if task.get("challengeScript").is_some_and(Value::is_string) {
                &["context", "iv"]
            } else {
                &["captchaScript"]
            };
            for f in need {
                if !task.get(*f).is_some_and(Value::is_string) {
                    return Err(bad_field(format!(
                        "required field {f} of AmazonTask is missing"
                    )));
                }
            }
        }
        ("ComplexImageTask", Some("recaptcha")) => {
            let m = metadata.expect("Grid is required, so metadata exists");
            if !m.contains_key("Task") && !m.contains_key("TaskDefinition") {
                return Err(bad_field(
                    "metadata.Task or metadata.TaskDefinition is required".into(),
                ));
            }
            match m.get("Grid").and_then(Value::as_str) {
                Some("4x4" | "3x3" | "1x1") => {}
                _ => {
                    return Err(bad_field("metadata.Grid must be 4x4, 3x3 or 1x1".into()));
                }
            }
        }
        ("CustomTask", Some("Imperva" | "Incapsula")) => {
            let m = metadata.expect("incapsulaScriptUrl is required, so metadata exists");
            if !m.contains_key("incapsulaCookies") && !m.contains_key("incapsulaCookie") {
                return Err(bad_field(
                    "required field metadata.incapsulaCookies is missing".into(),
                ));
            }
        }
        ("ImageToTextTask", _) => {
            if let Some(t) = task.get("recognizingThreshold").and_then(Value::as_i64) {
                if !(0..=100).contains(&t) {
                    return Err(bad_field(
                        "recognizingThreshold must be from 0 to 100".into(),
                    ));
                }
            }
            if let Some(n) = task.get("numeric").and_then(Value::as_i64) {
                if n != 0 && n != 1 {
                    return Err(bad_field("numeric must be 0 or 1".into()));
                }
            }
        }
        _ => {}
    }

    if spec.proxy != ProxyRule::None {
        check_proxy(task, proxy_required, &why)?;
    }

    let mut images = Vec::new();
    match spec.images {
        Images::None => {}
        Images::Body => match task.get("body") {
            Some(Value::String(b)) => images.push(decode_image(b, "body")?),
            Some(Value::Null) | None => {
                return Err(Refusal::new(
                    ErrorCode::ZeroCaptchaFilesize,
                    "required field body is missing",
                ));
            }
            Some(_) => return Err(bad_field("field body must be a string".into())),
        },
        Images::Array { urls_allowed } => {
            let b64 = task.get("imagesBase64").filter(|v| !v.is_null());
            let urls = task.get("imageUrls").filter(|v| !v.is_null());
            match (b64, urls) {
                (Some(Value::Array(items)), _) if !items.is_empty() => {
                    for (i, item) in items.iter().enumerate() {
                        let text = item.as_str().ok_or_else(|| {
                            bad_field(format!("imagesBase64[{i}] must be a string"))
                        })?;
                        images.push(decode_image(text, &format!("imagesBase64[{i}]"))?);
                    }
                }
                (Some(Value::Array(_)), _) => {
                    return Err(Refusal::new(
                        ErrorCode::ZeroCaptchaFilesize,
                        "imagesBase64 is empty",
                    ));
                }
                (Some(_), _) => {
                    return Err(bad_field(
                        "field imagesBase64 must be an array of strings".into(),
                    ));
                }
                (None, Some(u)) if urls_allowed => {
                    if !StrArr.accepts(u) || u.as_array().is_some_and(Vec::is_empty) {
                        return Err(bad_field(
                            "field imageUrls must be a non-empty array of strings".into(),
                        ));
                    }
                }
                (None, _) => {
                    let what = if urls_allowed {
                        "imagesBase64 or imageUrls"
                    } else {
                        "imagesBase64"
                    };
                    return Err(Refusal::new(
                        ErrorCode::ZeroCaptchaFilesize,
                        format!("required field {what} is missing"),
                    ));
                }
            }
        }
    }

    let label = match class {
        Some(c) => format!("{type_name}/{c}"),
        None => type_name.to_owned(),
    };
    // The docs list nocache for reCAPTCHA v2 and v3 only. Elsewhere the field is not refused
    // (the service ignores fields a type does not take), but the task records that it was ignored.
    let nocache_set = flag_set(task, "nocache");
    let nocache_listed = spec.fields.iter().any(|(name, _, _)| *name == "nocache");
    Ok(Accepted {
        label,
        type_name: type_name.to_owned(),
        class: class.map(str::to_owned),
        is_image: matches!(type_name, "ImageToTextTask" | "ComplexImageTask"),
        images,
        nocache_ignored: nocache_set && !nocache_listed,
        nocache_supported: nocache_listed,
        task: task.clone(),
    })
}
