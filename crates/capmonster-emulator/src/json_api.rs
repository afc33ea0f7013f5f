//! The JSON API's wire format: request bodies in, response bodies out.
//!
//! Every API answer is HTTP 200 with a JSON body (the docs: "Response is always in the JSON
//! format"); errors are told by `errorId`/`errorCode`, with `errorId` numbered per dialect.

use bytes::Bytes;
use capmonster_proto::{Dialect, ErrorCode};
use serde_json::{Map, Value, json};

use crate::answer::USER_AGENT;
use crate::engine::{Engine, ReportKind, StatsQuery, TaskState};
use crate::fault::Scope;
use crate::spec::Refusal;

/// An endpoint the emulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    CreateTask,
    GetTaskResult,
    GetBalance,
    ReportImage,
    ReportToken,
    ReportRecaptcha,
    ReportHcaptcha,
    /// Anti-Captcha's `reportCorrectRecaptcha` (served in that dialect only).
    ReportCorrectRecaptcha,
    /// The URL form's submit script.
    InPhp,
    /// The URL form's result, balance and report script.
    ResPhp,
    UserAgent,
    Stats,
    /// `POST /_emulator/sites/verify`: a simulated site checks a token.
    SitesVerify,
    Unknown,
}

impl Endpoint {
    pub(crate) fn from_path(path: &str) -> Self {
        match path.trim_end_matches('/') {
            "/createTask" => Self::CreateTask,
            "/getTaskResult" => Self::GetTaskResult,
            "/getBalance" => Self::GetBalance,
            "/reportIncorrectImageCaptcha" => Self::ReportImage,
            "/reportIncorrectTokenCaptcha" => Self::ReportToken,
            "/reportIncorrectRecaptcha" => Self::ReportRecaptcha,
            "/reportIncorrectHcaptcha" => Self::ReportHcaptcha,
            "/reportCorrectRecaptcha" => Self::ReportCorrectRecaptcha,
            "/in.php" => Self::InPhp,
            "/res.php" => Self::ResPhp,
            "/api/useragent/actual" => Self::UserAgent,
            "/_emulator/stats" => Self::Stats,
            "/_emulator/sites/verify" => Self::SitesVerify,
            _ => Self::Unknown,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::CreateTask => "createTask",
            Self::GetTaskResult => "getTaskResult",
            Self::GetBalance => "getBalance",
            Self::ReportImage => "reportIncorrectImageCaptcha",
            Self::ReportToken => "reportIncorrectTokenCaptcha",
            Self::ReportRecaptcha => "reportIncorrectRecaptcha",
            Self::ReportHcaptcha => "reportIncorrectHcaptcha",
            Self::ReportCorrectRecaptcha => "reportCorrectRecaptcha",
            Self::InPhp => "in.php",
            Self::ResPhp => "res.php",
            Self::UserAgent => "getUserAgent",
            Self::Stats => "stats",
            Self::SitesVerify => "sitesVerify",
            Self::Unknown => "unknown",
        }
    }

    /// Whether this is one of the URL form's scripts (`in.php`, `res.php`).
    pub(crate) fn is_url_form(self) -> bool {
        matches!(self, Self::InPhp | Self::ResPhp)
    }

    /// The fault scope of a JSON API method; `None` for the user-agent, stats and unknown paths,
    /// and for the URL form (whose scope depends on its parameters: see `urlform`).
    pub(crate) fn scope(self) -> Option<Scope> {
        Some(match self {
            Self::CreateTask => Scope::Create,
            Self::GetTaskResult => Scope::Poll,
            Self::GetBalance => Scope::Balance,
            Self::ReportImage
            | Self::ReportToken
            | Self::ReportRecaptcha
            | Self::ReportHcaptcha
            | Self::ReportCorrectRecaptcha => Scope::Report,
            Self::InPhp
            | Self::ResPhp
            | Self::UserAgent
            | Self::Stats
            | Self::SitesVerify
            | Self::Unknown => {
                return None;
            }
        })
    }
}

/// A response, ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    pub(crate) body: Bytes,
}

impl Reply {
    pub(crate) fn json(status: u16, v: &Value) -> Self {
        Self {
            status,
            content_type: "application/json; charset=utf-8",
            body: Bytes::from(v.to_string()),
        }
    }

    pub(crate) fn owned(status: u16, content_type: &'static str, body: String) -> Self {
        Self {
            status,
            content_type,
            body: Bytes::from(body),
        }
    }

    pub(crate) fn text(status: u16, content_type: &'static str, body: &'static str) -> Self {
        Self {
            status,
            content_type,
            body: Bytes::from_static(body.as_bytes()),
        }
    }
}

/// `errorId` for a code in a dialect: 1 for CapMonster; the Anti-Captcha number otherwise (1 when
/// the code has none, since Anti-Captcha only promises "greater than 0").
pub(crate) fn error_id(dialect: Dialect, code: &ErrorCode) -> u32 {
    match dialect {
        Dialect::CapMonster => 1,
        _ => code.anti_captcha_id().unwrap_or(1),
    }
}

pub(crate) fn error_body(dialect: Dialect, code: &ErrorCode, description: &str) -> Value {
    json!({
        "errorId": error_id(dialect, code),
        "errorCode": code.as_str(),
        "errorDescription": description,
    })
}

fn refused(engine: &mut Engine, r: &Refusal, with_task_id: bool) -> Reply {
    engine.note_error(&r.code);
    let mut v = error_body(engine.dialect, &r.code, &r.description);
    if with_task_id {
        v["taskId"] = json!(0);
    }
    let status = match (&r.code, engine.http_error_status) {
        (ErrorCode::KeyDoesNotExist, true) => 403,
        (ErrorCode::ZeroBalance, true) => 402,
        (ErrorCode::TooMuchRequests, true) => 429,
        _ => 200,
    };
    Reply::json(status, &v)
}

/// The getTaskResult body for a task's state (also the body of a callback).
pub(crate) fn result_json(dialect: Dialect, state: TaskState) -> Value {
    match state {
        TaskState::Processing => {
            json!({ "errorId": 0, "errorCode": null, "errorDescription": null, "status": "processing" })
        }
        TaskState::Ready {
            solution,
            cost,
            create_time,
            end_time,
            solve_count,
        } => match dialect {
            Dialect::CapMonster => json!({
                "errorId": 0, "errorCode": null, "errorDescription": null,
                "status": "ready", "solution": solution, "cost": cost,
            }),
            // Anti-Captcha's shape: cost as a string, plus UNIX times and solveCount.
            _ => json!({
                "errorId": 0, "status": "ready", "solution": solution,
                "cost": format!("{cost:.6}"), "ip": "127.0.0.1",
                "createTime": create_time, "endTime": end_time,
                "solveCount": solve_count,
            }),
        },
    }
}

/// Answers one API call. `body` is the raw request body.
pub(crate) fn handle(engine: &mut Engine, endpoint: Endpoint, body: &[u8]) -> Reply {
    if endpoint == Endpoint::UserAgent {
        return Reply::text(200, "text/plain; charset=utf-8", USER_AGENT);
    }
    let parsed: Option<Map<String, Value>> = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    };
    let dialect = engine.dialect;
    match endpoint {
        Endpoint::CreateTask => {
            let Some(body) = parsed else {
                let r = Refusal::new(
                    ErrorCode::TaskAbsent,
                    "The request body is not a JSON object",
                );
                return refused(engine, &r, true);
            };
            match engine.create_task(&body) {
                Ok(id) => Reply::json(200, &json!({ "errorId": 0, "taskId": id })),
                Err(r) => refused(engine, &r, true),
            }
        }
        Endpoint::GetTaskResult => {
            let body = parsed.unwrap_or_default();
            match engine.task_result(&body) {
                Ok(state) => Reply::json(200, &result_json(dialect, state)),
                Err(r) => refused(engine, &r, false),
            }
        }
        Endpoint::GetBalance => match engine.balance(&parsed.unwrap_or_default()) {
            Ok(b) => Reply::json(
                200,
                &json!({ "errorId": 0, "balance": (b * 1e6).round() / 1e6 }),
            ),
            Err(r) => refused(engine, &r, false),
        },
        Endpoint::ReportCorrectRecaptcha if dialect != Dialect::AntiCaptcha => {
            no_such_method(engine)
        }
        Endpoint::ReportImage
        | Endpoint::ReportToken
        | Endpoint::ReportRecaptcha
        | Endpoint::ReportHcaptcha
        | Endpoint::ReportCorrectRecaptcha => {
            let kind = match endpoint {
                Endpoint::ReportImage => ReportKind::Image,
                Endpoint::ReportRecaptcha => ReportKind::Recaptcha,
                Endpoint::ReportHcaptcha => ReportKind::Hcaptcha,
                Endpoint::ReportCorrectRecaptcha => ReportKind::GoodRecaptcha,
                _ => ReportKind::Token,
            };
            match engine.report(kind, &parsed.unwrap_or_default()) {
                Ok(()) => Reply::json(200, &json!({ "errorId": 0, "status": "success" })),
                Err(f) => refused(engine, &f.into_json_refusal(), false),
            }
        }
        Endpoint::Stats => Reply::json(200, &engine.stats_page(&StatsQuery::parse(None))),
        Endpoint::SitesVerify => verify(engine, parsed.as_ref()),
        Endpoint::UserAgent | Endpoint::InPhp | Endpoint::ResPhp | Endpoint::Unknown => {
            no_such_method(engine)
        }
    }
}

/// HTTP 404 with `ERROR_NO_SUCH_METHOD`: a path this dialect does not serve.
fn no_such_method(engine: &mut Engine) -> Reply {
    let r = Refusal::new(ErrorCode::NoSuchMethod, "No such method");
    engine.note_error(&r.code);
    Reply::json(404, &error_body(engine.dialect, &r.code, &r.description))
}

/// `POST /_emulator/sites/verify`: `{"accepted": bool, "reason": ..., "taskId": ..., "nocache":
/// ...}` (the last two when the token is known), or HTTP 400 with `reason` `bad_request` and an
/// `error` that names the field.
fn verify(engine: &mut Engine, body: Option<&Map<String, Value>>) -> Reply {
    let result = match body {
        Some(body) => engine.verify(body),
        None => Err("the request body is not a JSON object".to_owned()),
    };
    match result {
        Ok(v) => {
            let mut answer =
                json!({ "accepted": v.verdict.accepted(), "reason": v.verdict.reason() });
            if let Some(id) = v.task_id {
                answer["taskId"] = json!(id);
            }
            if let Some(nocache) = v.nocache {
                answer["nocache"] = json!(nocache);
            }
            Reply::json(200, &answer)
        }
        Err(error) => Reply::json(
            400,
            &json!({
                "accepted": false, "reason": "bad_request",
                "error": format!("{error}; send {{\"websiteURL\": ..., \"websiteKey\": ..., \"token\": ...}} or {{\"taskId\": ...}}"),
            }),
        ),
    }
}
