//! Tasks: one typed struct per task type (and class), and the [`Task`] enum over all of them.
//!
//! Each struct has a constructor taking its required fields and `with_*` methods for the
//! optional ones. [`Task::validate`] checks the documented rules locally, so a bad field is
//! reported before any money is spent. [`Task::Raw`] carries any JSON task this crate does not
//! know yet.
//!
//! Modes that need your own proxy take it in their constructor, so they cannot be built
//! without one:
//!
//! ```
//! use capmonster_proto::{task::{Proxy, ProxyRule, ProxyType, Task, TaskKind, TurnstileTask, CastleTask}};
//!
//! let proxy = Proxy::new(ProxyType::Http, "8.8.8.8", 8080).with_auth("login", "password");
//! let task = Task::from(TurnstileTask::cf_clearance(
//!     "https://example.com",
//!     "xxxxxxxxxx",
//!     "PCFET0NUWVBFIGh0bWw+",
//!     "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
//!     proxy,
//! ));
//! assert_eq!(task.proxy_rule(), ProxyRule::Required);
//! assert!(task.validate().is_ok());
//!
//! // Local validation names the field and the rule.
//! let castle = CastleTask::new(
//!     "https://www.example.com/",
//!     "pk_1Tk5Yzr1WFzxrJCh7WzMZzY1rHpaOtdK",
//!     "https://s.example/cw.js",
//!     "https://s.example/csw.js",
//! )
//! .with_count(50);
//! let err = Task::from(castle).validate().unwrap_err();
//! assert_eq!(err.field(), "task.metadata.count");
//! assert_eq!(TaskKind::Castle.class(), Some("Castle"));
//! ```

pub(crate) mod common;
pub(crate) mod complex_image;
pub(crate) mod custom;
mod family;
mod geetest;
pub(crate) mod image;
mod kind;
pub(crate) mod naming;
pub(crate) mod recaptcha;
mod token;
mod turnstile;

use serde::Serialize;
use serde::ser::Serializer;
use serde_json::{Map, Value};

pub(crate) use common::check_website_url;
pub use common::{Proxy, ProxyRule, ProxyType};
pub use complex_image::{
    ComplexImageRecaptchaTask, ComplexImageRecognitionTask, Grid, RecaptchaClickMetadata,
    RecognitionMetadata,
};
pub use custom::{
    AlibabaMetadata, AlibabaTask, AltchaMetadata, AltchaTask, BasiliskTask, CastleMetadata,
    CastleTask, DataDomeMetadata, DataDomeTask, HuntMetadata, HuntTask, ImpervaMetadata,
    ImpervaTask, TemuMetadata, TemuTask, TenDiMetadata, TenDiTask, TspdMetadata, TspdTask,
};
pub use geetest::GeeTestTask;
pub use image::ImageToTextTask;
pub use recaptcha::{
    RecaptchaV2EnterpriseTask, RecaptchaV2Task, RecaptchaV3EnterpriseTask, RecaptchaV3Task,
};
pub use token::*;
pub use turnstile::{CloudflareTaskType, TurnstileTask};

use crate::error::ValidationError;
pub(crate) use family::Shape;
pub use kind::{Task, TaskKind};
pub(crate) use naming::TypeNaming;

/// A task given as JSON, for a type this crate does not model. It is sent as it is.
#[derive(Clone, PartialEq)]
pub struct RawTask {
    object: Map<String, Value>,
}

impl std::fmt::Debug for RawTask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The object may hold proxy passwords or cookies: show only its names.
        f.debug_struct("RawTask")
            .field("type", &self.type_name())
            .field("class", &self.class())
            .field("fields", &self.object.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl RawTask {
    /// Wraps a JSON object. It must have a non-empty string `type`.
    pub fn new(object: Map<String, Value>) -> Result<Self, ValidationError> {
        match object.get("type") {
            Some(Value::String(s)) if !s.is_empty() => Ok(Self { object }),
            _ => Err(ValidationError::new(
                "task.type",
                "a raw task needs a non-empty string `type`",
            )),
        }
    }

    /// The `type` string.
    pub fn type_name(&self) -> &str {
        self.object
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// The `class` string, if any (`Class` is accepted too).
    pub fn class(&self) -> Option<&str> {
        self.object
            .get("class")
            .or_else(|| self.object.get("Class"))
            .and_then(Value::as_str)
    }

    /// The JSON object.
    pub fn as_object(&self) -> &Map<String, Value> {
        &self.object
    }
}

impl Task {
    /// The `type` string written for `naming`. [`TypeNaming::Legacy`] writes the old
    /// `...Proxyless` name for a task without a proxy, when its kind had one.
    pub fn type_name(&self, naming: TypeNaming) -> &str {
        let kind = self.kind();
        match (self, naming) {
            (Self::Raw(r), _) => r.type_name(),
            (_, TypeNaming::Legacy) if self.proxy().is_none() => kind
                .legacy_proxyless_name()
                .unwrap_or_else(|| kind.type_name()),
            _ => kind.type_name(),
        }
    }

    /// Whether the task asks for `nocache` (the task property; the key suffix is separate).
    pub fn nocache(&self) -> bool {
        match self {
            Self::RecaptchaV2(t) => t.nocache == Some(true),
            Self::RecaptchaV3(t) => t.nocache == Some(true),
            Self::Raw(r) => r.object.get("nocache").and_then(Value::as_bool) == Some(true),
            _ => false,
        }
    }

    /// Whether this task takes your own proxy. Like [`TaskKind::proxy_rule`], except that a
    /// Turnstile task reports the rule of its mode.
    pub fn proxy_rule(&self) -> ProxyRule {
        match self {
            Self::Turnstile(t) => t.proxy_rule(),
            _ => self.kind().proxy_rule(),
        }
    }

    /// Reads a task from JSON. Documented and legacy type names are understood (so are
    /// `websiteUrl` for `websiteURL` and `Class` for `class`); a type this crate does not know
    /// becomes [`Task::Raw`].
    ///
    /// A typed task keeps only the fields its type documents: to send an object exactly as it
    /// is, wrap it with [`RawTask::new`] instead. Proxy fields that do not make a whole proxy
    /// (a missing port, an unknown `proxyType`) are an error rather than silently dropped.
    pub fn from_json_value(value: Value) -> Result<Self, ValidationError> {
        let Value::Object(object) = value else {
            return Err(ValidationError::new("task", "must be a JSON object"));
        };
        let raw = RawTask::new(object)?;
        let kind = TaskKind::from_names(raw.type_name(), raw.class());
        let Some(parsed) = Self::typed_from(kind, Value::Object(raw.object.clone())) else {
            return Ok(Self::Raw(raw));
        };
        let task = parsed
            .map_err(|e| ValidationError::new("task", format!("does not match its type: {e}")))?;
        let has_proxy_fields = PROXY_FIELDS.iter().any(|f| raw.object.contains_key(*f));
        if has_proxy_fields && task.proxy().is_none() {
            if kind.proxy_rule() == ProxyRule::None {
                let field = PROXY_FIELDS
                    .iter()
                    .find(|f| raw.object.contains_key(**f))
                    .unwrap_or(&"proxyType");
                return Err(ValidationError::new(
                    format!("task.{field}"),
                    "this task type takes no proxy fields",
                ));
            }
            let (field, rule) = first_bad_proxy_field(&raw.object);
            return Err(ValidationError::new(format!("task.{field}"), rule));
        }
        // A field the typed struct does not model would be lost: keep the object as it is.
        let written = serde_json::to_value(&task).unwrap_or(Value::Null);
        if !dropped_fields(&raw.object, &written).is_empty() {
            return Ok(Self::Raw(raw));
        }
        Ok(task)
    }

    /// The task as it goes on the wire, with the type names of `naming`.
    pub fn wire(&self, naming: TypeNaming) -> WireTask<'_> {
        WireTask { task: self, naming }
    }
}

/// A task ready to serialise with a chosen type naming. See [`Task::wire`].
#[derive(Debug, Clone, Copy)]
pub struct WireTask<'a> {
    task: &'a Task,
    naming: TypeNaming,
}

/// The fields of `input` (and of its `metadata` object) that `written` does not carry, compared
/// without regard to case so that documented spellings (`websiteUrl`, `Class`) match.
fn dropped_fields(input: &Map<String, Value>, written: &Value) -> Vec<String> {
    fn missing(input: &Map<String, Value>, written: &Value, prefix: &str, out: &mut Vec<String>) {
        let Value::Object(written) = written else {
            out.extend(input.keys().map(|k| format!("{prefix}{k}")));
            return;
        };
        for (key, value) in input {
            let found = written.iter().find(|(k, _)| k.eq_ignore_ascii_case(key));
            match found {
                None if value.is_null() => {}
                None => out.push(format!("{prefix}{key}")),
                Some((_, inner)) if key.eq_ignore_ascii_case("metadata") => {
                    if let Value::Object(nested) = value {
                        missing(nested, inner, "metadata.", out);
                    }
                }
                Some(_) => {}
            }
        }
    }
    let mut out = Vec::new();
    missing(input, written, "", &mut out);
    out
}

/// The proxy field names, flattened into a task.
/// The first proxy field of a task object that keeps the fields from making a whole proxy, and
/// its rule: the type, then the address, then the port.
fn first_bad_proxy_field(object: &Map<String, Value>) -> (&'static str, &'static str) {
    let text = |name: &str| object.get(name).and_then(Value::as_str).map(str::trim);
    let type_ok = text("proxyType").is_some_and(|t| {
        ["http", "https", "socks4", "socks5"]
            .iter()
            .any(|k| t.eq_ignore_ascii_case(k))
    });
    if !type_ok {
        return ("proxyType", "must be one of http, https, socks4, socks5");
    }
    if text("proxyAddress").is_none_or(str::is_empty) {
        return (
            "proxyAddress",
            "is required with proxyType: an IP address or host name",
        );
    }
    let port = match object.get("proxyPort") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    if !port.is_some_and(|p| (1..=65_535).contains(&p)) {
        return ("proxyPort", "must be a whole number from 1 to 65535");
    }
    (
        "proxyType",
        "the proxy fields do not make a whole proxy (proxyType http/https/socks4/socks5, proxyAddress and proxyPort are needed)",
    )
}

const PROXY_FIELDS: &[&str] = &[
    "proxyType",
    "proxyAddress",
    "proxyPort",
    "proxyLogin",
    "proxyPassword",
];

/// Writes `type`, then `class`, then the struct's own fields, into one JSON object.
#[derive(Serialize)]
struct Tagged<'a, T> {
    #[serde(rename = "type")]
    type_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    class: Option<&'a str>,
    #[serde(flatten)]
    body: &'a T,
}

impl Serialize for Task {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.wire(TypeNaming::Documented).serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Task {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        Self::from_json_value(value).map_err(serde::de::Error::custom)
    }
}

impl From<RawTask> for Task {
    fn from(t: RawTask) -> Self {
        Self::Raw(t)
    }
}
