//! The rucaptcha/2captcha URL form: `in.php` submits a task, `res.php` polls it, reads the balance
//! and takes reports. Parameters come from the query string, the body (form-encoded, multipart,
//! or a JSON object), or both (a POST may put some in each, as some clients do).
//!
//! Every submission is turned into the createTask body the JSON API would have received and goes
//! through the same engine operation, so validation, accounts, charges, solving, the poll cap,
//! reports and stats are shared with the JSON API: a task created here is visible there, and the
//! other way round. Only the wire differs: answers are `OK|...` text, or `{"status":..,"request":..}`
//! with `json=1`, and error codes are spelled as the URL form spells them (see [`url_code`]).

use capmonster_proto::ErrorCode;
use serde_json::{Map, Value, json};

use crate::engine::{Engine, ReportFailure, ReportKind, TaskState};
use crate::fault::Scope;
use crate::json_api::{Endpoint, Reply};
use crate::spec::Refusal;

const TEXT: &str = "text/plain; charset=utf-8";

/// Parameter names of in.php and res.php (2captcha API v1). In a query string, a name outside this
/// list that follows `pageurl` is taken to be part of an unencoded page URL
/// (`pageurl=https://x/?a=1&b=2`).
const KNOWN: &[&str] = &[
    "key",
    "method",
    "action",
    "id",
    "ids",
    "json",
    "soft_id",
    "pingback",
    "nocache",
    "header_acao",
    "debug_dump",
    "body",
    "file",
    "phrase",
    "regsense",
    "numeric",
    "calc",
    "min_len",
    "max_len",
    "language",
    "lang",
    "textinstructions",
    "imginstructions",
    "textcaptcha",
    "is_russian",
    "recaptcha",
    "canvas",
    "coordinatescaptcha",
    "validate_id",
    "app_id",
    "scene_id",
    "prefix",
    "api_get_lib",
    "tspd_cookie",
    "html_page_base64",
    "incapsula_script_url",
    "incapsula_cookies",
    "reese84_url_endpoint",
    "googlekey",
    "sitekey",
    "publickey",
    "pageurl",
    "proxy",
    "proxytype",
    "userAgent",
    "useragent",
    "invisible",
    "data-s",
    "domain",
    "min_score",
    "version",
    "enterprise",
    "cookies",
    "json_cookies",
    "data",
    "pagedata",
    "gt",
    "challenge",
    "api_server",
    "offline",
    "new_captcha",
    "captcha_id",
    "surl",
    "iv",
    "context",
    "challenge_script",
    "captcha_script",
];

fn is_known(name: &str) -> bool {
    KNOWN.contains(&name) || name.starts_with("data[")
}

/// `application/x-www-form-urlencoded` decoding that never fails: `+` is a space, `%XX` a byte,
/// a `%` not followed by two hex digits stays as it is, and bytes that are not UTF-8 become U+FFFD.
fn percent_decode(s: &str) -> String {
    let plus_as_space = s.replace('+', " ");
    percent_encoding::percent_decode_str(&plus_as_space)
        .decode_utf8_lossy()
        .into_owned()
}

/// Splits a query string `a=1&b=2` into decoded pairs; unknown names right after `pageurl` are
/// glued back onto it. (A body has no such leniency: it goes to `form_urlencoded::parse`.)
fn parse_query_pairs(raw: &str, out: &mut Vec<(String, String)>) {
    let mut in_pageurl = false;
    for seg in raw.split('&') {
        if seg.is_empty() {
            continue;
        }
        let (name, value) = seg.split_once('=').unwrap_or((seg, ""));
        let name = percent_decode(name);
        if in_pageurl && !is_known(&name) {
            if let Some(last) = out.last_mut() {
                last.1.push('&');
                last.1.push_str(&percent_decode(seg));
            }
            continue;
        }
        in_pageurl = name == "pageurl";
        out.push((name, percent_decode(value)));
    }
}

/// One in.php or res.php request, its parameters decoded.
#[derive(Debug, Clone)]
pub(crate) struct FormRequest {
    script: Endpoint,
    params: Vec<(String, String)>,
    /// A multipart body without a boundary, or not split by it.
    bad_upload: bool,
}

impl FormRequest {
    /// Reads the parameters of a request to `script` (`in.php` or `res.php`): the query string,
    /// then the body (form-encoded, or a JSON object). A name given twice takes the last value.
    pub(crate) fn parse(
        script: Endpoint,
        query: Option<&str>,
        body: &[u8],
        content_type: Option<&str>,
    ) -> Self {
        let mut params = Vec::new();
        if let Some(q) = query {
            parse_query_pairs(q, &mut params);
        }
        let ct = content_type.unwrap_or("");
        let mut bad_upload = false;
        if ct.to_ascii_lowercase().starts_with("multipart/form-data") {
            bad_upload = !boundary(ct).is_some_and(|b| parse_multipart(body, &b, &mut params));
        } else if !body.is_empty() {
            // A JSON object body (newer 2captcha examples) is read as such; anything else as a
            // form, whatever the Content-Type says.
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(m)) => {
                    for (k, v) in m {
                        let v = match v {
                            Value::String(s) => s,
                            Value::Bool(b) => if b { "1" } else { "0" }.to_owned(),
                            Value::Null => continue,
                            other => other.to_string(),
                        };
                        params.push((k, v));
                    }
                }
                _ => params.extend(
                    form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())),
                ),
            }
        }
        Self {
            script,
            params,
            bad_upload,
        }
    }

    /// The last value of `name`, if present and not empty.
    fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// `json=1` (or `true`): `Some(true)`; `json=0`: `Some(false)`; absent: `None`.
    fn json_param(&self) -> Option<bool> {
        self.get("json").map(|v| flag(v).unwrap_or(false))
    }

    /// Whether the answer is JSON (errors and everything but GeeTest answers: only with `json=1`).
    pub(crate) fn wants_json(&self) -> bool {
        self.json_param().unwrap_or(false)
    }

    /// The fault scope: in.php is [`Scope::Create`]; res.php's depends on `action` (none for an
    /// unknown action).
    pub(crate) fn scope(&self) -> Option<Scope> {
        if self.script == Endpoint::InPhp {
            return Some(Scope::Create);
        }
        match self.get("action")? {
            "get" | "get2" => Some(Scope::Poll),
            "getbalance" => Some(Scope::Balance),
            "reportbad" | "reportgood" => Some(Scope::Report),
            _ => None,
        }
    }
}

/// The `boundary` of a `multipart/form-data` Content-Type, unquoted.
fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty())
    })
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Reads a `multipart/form-data` body: text parts as parameters, file parts (a `filename`) as
/// base64, so `method=post` with a `file` reads like `method=base64` with a `body`. False when the
/// body is not split by the boundary.
fn parse_multipart(body: &[u8], boundary: &str, out: &mut Vec<(String, String)>) -> bool {
    let delim = format!("--{boundary}").into_bytes();
    let Some(mut at) = find(body, &delim, 0) else {
        return false;
    };
    loop {
        let start = at + delim.len();
        if body[start..].starts_with(b"--") {
            return true; // the closing delimiter
        }
        let Some(next) = find(body, &delim, start) else {
            return false;
        };
        let part = &body[start..next];
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let part = part.strip_suffix(b"\r\n").unwrap_or(part);
        let Some(split) = find(part, b"\r\n\r\n", 0) else {
            return false;
        };
        let head = String::from_utf8_lossy(&part[..split]);
        let data = &part[split + 4..];
        let attr = |name: &str| {
            let key = format!("{name}=\"");
            let lower = head.to_ascii_lowercase();
            let i = lower.find(&key)? + key.len();
            let len = head[i..].find('"')?;
            Some(head[i..i + len].to_owned())
        };
        if let Some(name) = attr(" name").or_else(|| attr(";name")) {
            let value = if attr("filename").is_some() {
                capmonster_proto::inputs::base64_encode(data)
            } else {
                String::from_utf8_lossy(data).into_owned()
            };
            out.push((name, value));
        }
        at = next;
    }
}

fn flag(v: &str) -> Option<bool> {
    match v.trim() {
        "1" | "true" | "True" | "TRUE" => Some(true),
        "0" | "false" | "False" | "FALSE" | "" => Some(false),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------------------------

/// An error reply, not counted: `ERROR_...` as text, or `{"status":0,"request":..,"error_text":..}`.
pub(crate) fn error_reply(json: bool, code: &str, text: &str, status: u16) -> Reply {
    if json {
        Reply::json(
            status,
            &json!({ "status": 0, "request": code, "error_text": text }),
        )
    } else {
        Reply::owned(status, TEXT, code.to_owned())
    }
}

/// A counted error reply; with [`crate::Config::http_error_status`], key, balance and poll-cap
/// errors get 403, 402 and 429 as on the JSON API.
fn refuse(engine: &mut Engine, json: bool, code: &str, text: &str) -> Reply {
    engine.note_error_code(code);
    let status = match code {
        "ERROR_KEY_DOES_NOT_EXIST" | "ERROR_WRONG_USER_KEY" if engine.http_error_status => 403,
        "ERROR_ZERO_BALANCE" if engine.http_error_status => 402,
        "ERROR_TOO_MUCH_REQUESTS" if engine.http_error_status => 429,
        _ => 200,
    };
    error_reply(json, code, text, status)
}

/// `OK|<request>` or `{"status":1,"request":<request>, ...extra}`.
fn ok_reply(json: bool, request: Value, extra: Map<String, Value>) -> Reply {
    if json {
        let mut m = Map::new();
        m.insert("status".into(), json!(1));
        m.insert("request".into(), request);
        m.extend(extra);
        Reply::json(200, &Value::Object(m))
    } else {
        Reply::owned(200, TEXT, format!("OK|{}", as_text(&request)))
    }
}

/// A reply with no `OK|` in the text form: `CAPCHA_NOT_READY`, `OK_REPORT_RECORDED`, a balance.
fn bare_reply(json: bool, status: u8, request: String) -> Reply {
    if json {
        Reply::json(200, &json!({ "status": status, "request": request }))
    } else {
        Reply::owned(200, TEXT, request)
    }
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Money as the URL form prints it: at most six decimals, no trailing zeros (`0.0006`, `99.9988`).
fn money(x: f64) -> String {
    let r = (x * 1e6).round() / 1e6;
    format!("{r}")
}

/// Whether a key cannot be a key at all (empty, or a malformed `__` suffix): the URL form calls
/// that `ERROR_WRONG_USER_KEY`, and an unknown well-formed key `ERROR_KEY_DOES_NOT_EXIST`.
fn key_malformed(key: Option<&str>) -> bool {
    let Some(key) = key else { return true };
    let mut parts = key.split("__");
    if parts.next().is_none_or(str::is_empty) {
        return true;
    }
    parts.any(|s| {
        s.is_empty()
            || s.strip_prefix("recognizingthreshold_")
                .is_some_and(|n| !n.parse::<u8>().is_ok_and(|n| n <= 100))
    })
}

/// The URL form's code for an engine refusal. The choices (2captcha API v1 vocabulary where it
/// has a word for the rule, CapMonster's code otherwise):
///
/// | engine (JSON API) | URL form |
/// |---|---|
/// | `ERROR_KEY_DOES_NOT_EXIST` | the same; `ERROR_WRONG_USER_KEY` when the key is empty or its suffix malformed |
/// | `ERROR_RECAPTCHA_INVALID_DOMAIN` | `ERROR_PAGEURL` |
/// | `ERROR_RECAPTCHA_INVALID_SITEKEY` | `ERROR_GOOGLEKEY` (for every site-key parameter: `googlekey`, `sitekey`, `publickey`, `gt`, `captcha_id`) |
/// | `ERROR_PROXY_MISSING` | `ERROR_PROXY_FORMAT` |
/// | `ERROR_TASK_ABSENT`, `ERROR_TASK_NOT_SUPPORTED` | `ERROR_BAD_PARAMETERS` |
/// | `ERROR_NO_SUCH_CAPCHA_ID` | `ERROR_WRONG_CAPTCHA_ID` |
/// | anything else | the same code |
pub(crate) fn url_code(code: &ErrorCode, key_malformed: bool) -> String {
    match code {
        ErrorCode::KeyDoesNotExist if key_malformed => "ERROR_WRONG_USER_KEY".to_owned(),
        ErrorCode::RecaptchaInvalidDomain => "ERROR_PAGEURL".to_owned(),
        ErrorCode::RecaptchaInvalidSitekey => "ERROR_GOOGLEKEY".to_owned(),
        ErrorCode::ProxyMissing => "ERROR_PROXY_FORMAT".to_owned(),
        ErrorCode::TaskAbsent | ErrorCode::TaskNotSupported => "ERROR_BAD_PARAMETERS".to_owned(),
        ErrorCode::NoSuchCapchaId | ErrorCode::WrongCaptchaId => {
            "ERROR_WRONG_CAPTCHA_ID".to_owned()
        }
        other => other.as_str().to_owned(),
    }
}

fn refusal(engine: &mut Engine, req: &FormRequest, json: bool, r: &Refusal) -> Reply {
    let code = url_code(&r.code, key_malformed(req.get("key")));
    refuse(engine, json, &code, &r.description)
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

/// Answers one in.php or res.php request.
pub(crate) fn handle(engine: &mut Engine, req: &FormRequest) -> Reply {
    if req.script == Endpoint::InPhp {
        return submit(engine, req);
    }
    let json = req.wants_json();
    match req.get("action") {
        Some("get") if req.get("id").is_none() && req.get("ids").is_some() => get_bulk(engine, req),
        Some("get") => get(engine, req, false),
        Some("get2") => get(engine, req, true),
        Some("getbalance") => balance(engine, req),
        Some("reportbad") => report(engine, req, ReportKind::AnyBad),
        Some("reportgood") => report(engine, req, ReportKind::AnyGood),
        None => refuse(engine, json, "ERROR_EMPTY_ACTION", "action is missing"),
        Some(other) => {
            let text = format!("action `{other}` is not supported by the emulator");
            refuse(engine, json, "ERROR_BAD_PARAMETERS", &text)
        }
    }
}

fn key_body(req: &FormRequest) -> Map<String, Value> {
    let mut body = Map::new();
    if let Some(k) = req.get("key") {
        body.insert("clientKey".into(), Value::String(k.to_owned()));
    }
    body
}

fn submit(engine: &mut Engine, req: &FormRequest) -> Reply {
    let json = req.wants_json();
    if req.bad_upload {
        return refuse(
            engine,
            json,
            "ERROR_UPLOAD",
            "the multipart body has no boundary or is not split by it",
        );
    }
    let mut body = key_body(req);
    let (task, early) = match task_from_params(req) {
        Ok(t) => (Value::Object(t), None),
        Err(r) => (Value::Null, Some(r)),
    };
    body.insert("task".into(), task);
    let nocache = req.get("nocache").and_then(flag) == Some(true);
    match engine.create_task_or_refuse(&body, early, req.get("pingback"), nocache) {
        Ok(id) => ok_reply(json, Value::String(id.to_string()), Map::new()),
        Err(r) => refusal(engine, req, json, &r),
    }
}

fn bad(text: impl Into<String>) -> Refusal {
    Refusal::new(ErrorCode::BadParameters, text)
}

/// The createTask `task` object for an in.php submission.
fn task_from_params(req: &FormRequest) -> Result<Map<String, Value>, Refusal> {
    let mut t = Map::new();
    let copy = |t: &mut Map<String, Value>, param: &str, field: &str| {
        if let Some(v) = req.get(param) {
            t.insert(field.to_owned(), Value::String(v.to_owned()));
        }
    };
    let set_flag = |t: &mut Map<String, Value>, param: &str, field: &str| -> Result<(), Refusal> {
        if let Some(v) = req.get(param) {
            let b = flag(v).ok_or_else(|| bad(format!("{param} must be 0 or 1")))?;
            t.insert(field.to_owned(), Value::Bool(b));
        }
        Ok(())
    };
    let ty = |t: &mut Map<String, Value>, name: &str| {
        t.insert("type".into(), Value::String(name.to_owned()));
    };
    let custom = |t: &mut Map<String, Value>, class: &str| {
        t.insert("type".into(), Value::String("CustomTask".to_owned()));
        t.insert("class".into(), Value::String(class.to_owned()));
    };
    let metadata = |t: &mut Map<String, Value>, pairs: &[(&str, &str)]| {
        let m: Map<String, Value> = pairs
            .iter()
            .filter_map(|(param, field)| {
                req.get(param)
                    .map(|v| ((*field).to_owned(), Value::String(v.to_owned())))
            })
            .collect();
        t.insert("metadata".into(), Value::Object(m));
    };
    let nocache = req.get("nocache").and_then(flag) == Some(true);
    let method = req.get("method").unwrap_or("");
    match method {
        // A text captcha (a question without an image) has no CapMonster task type; 2captcha's
        // clients send it as `method=post` with `textcaptcha`. It is an unsupported method, not
        // an empty image.
        "base64" | "post"
            if req.get("textcaptcha").is_some()
                && req.get("body").is_none()
                && req.get("file").is_none() =>
        {
            return Err(bad(
                "text captchas (textcaptcha) are not supported: CapMonster has no task type for them",
            ));
        }
        // 2captcha's click modes on an image (grid, canvas, coordinates) answer clicks, not text:
        // CapMonster's ImageToText has no such mode, so they are unsupported rather than answered
        // with text of the wrong shape.
        "base64" | "post"
            if ["recaptcha", "canvas", "coordinatescaptcha"]
                .iter()
                .any(|p| req.get(p).and_then(flag) == Some(true)) =>
        {
            return Err(bad(
                "image click modes (recaptcha=1 grid, canvas=1, coordinatescaptcha=1) are not supported: CapMonster's ImageToText answers text only",
            ));
        }
        "base64" | "post" => {
            ty(&mut t, "ImageToTextTask");
            // `file` is a multipart upload, already base64 (see `parse_multipart`).
            if let Some(b) = req.get("body").or_else(|| req.get("file")) {
                // An unencoded `+` in a query string reads as a space: put it back.
                t.insert("body".into(), Value::String(b.replace(' ', "+")));
            }
            set_flag(&mut t, "regsense", "case")?;
            set_flag(&mut t, "calc", "math")?;
            if let Some(n) = req.get("numeric") {
                let n: i64 = n
                    .trim()
                    .parse()
                    .map_err(|_| bad("numeric must be a number"))?;
                t.insert("numeric".into(), json!(n));
            }
        }
        "userrecaptcha" => {
            let v3 = match req.get("version") {
                None | Some("v2") => false,
                Some("v3") => true,
                Some(other) => return Err(bad(format!("version `{other}` is not v2 or v3"))),
            };
            let enterprise = match req.get("enterprise") {
                Some(v) => flag(v).ok_or_else(|| bad("enterprise must be 0 or 1"))?,
                None => false,
            };
            ty(
                &mut t,
                match (v3, enterprise) {
                    (true, true) => "RecaptchaV3EnterpriseTask",
                    (true, false) => "RecaptchaV3TaskProxyless",
                    (false, true) => "RecaptchaV2EnterpriseTask",
                    (false, false) => "RecaptchaV2Task",
                },
            );
            copy(&mut t, "googlekey", "websiteKey");
            copy(&mut t, "pageurl", "websiteURL");
            if v3 {
                copy(&mut t, "action", "pageAction");
                if let Some(s) = req.get("min_score") {
                    let s: f64 = s
                        .trim()
                        .parse()
                        .map_err(|_| bad("min_score must be a number"))?;
                    t.insert("minScore".into(), json!(s));
                }
            } else if enterprise {
                if let Some(s) = req.get("data-s") {
                    t.insert("enterprisePayload".into(), json!({ "s": s }));
                }
                copy(&mut t, "domain", "apiDomain");
                copy(&mut t, "action", "pageAction");
            } else {
                set_flag(&mut t, "invisible", "isInvisible")?;
                copy(&mut t, "data-s", "recaptchaDataSValue");
            }
            if !v3 {
                copy(&mut t, "userAgent", "userAgent");
                cookies(req, &mut t);
            }
            if nocache && !enterprise {
                t.insert("nocache".into(), Value::Bool(true));
            }
        }
        "hcaptcha" => {
            ty(&mut t, "HCaptchaTask");
            copy(&mut t, "sitekey", "websiteKey");
            copy(&mut t, "pageurl", "websiteURL");
            set_flag(&mut t, "invisible", "isInvisible")?;
            copy(&mut t, "data", "data");
            copy(&mut t, "userAgent", "userAgent");
            cookies(req, &mut t);
        }
        "turnstile" => {
            ty(&mut t, "TurnstileTask");
            copy(&mut t, "sitekey", "websiteKey");
            copy(&mut t, "pageurl", "websiteURL");
            copy(&mut t, "action", "pageAction");
            copy(&mut t, "data", "data");
            copy(&mut t, "pagedata", "pageData");
            copy(&mut t, "userAgent", "userAgent");
        }
        "geetest" | "geetest_v4" => {
            ty(&mut t, "GeeTestTask");
            let v4 = method == "geetest_v4" || req.get("version") == Some("4");
            if v4 {
                t.insert("version".into(), json!(4));
                copy(&mut t, "gt", "gt");
                copy(&mut t, "captcha_id", "gt");
            } else {
                copy(&mut t, "gt", "gt");
                copy(&mut t, "challenge", "challenge");
            }
            copy(&mut t, "pageurl", "websiteURL");
            copy(&mut t, "api_server", "geetestApiServerSubdomain");
            copy(&mut t, "userAgent", "userAgent");
        }
        "funcaptcha" => {
            ty(&mut t, "FunCaptchaTask");
            copy(&mut t, "publickey", "websitePublicKey");
            copy(&mut t, "pageurl", "websiteURL");
            copy(&mut t, "surl", "funcaptchaApiJSSubdomain");
            copy(&mut t, "userAgent", "userAgent");
            let data: Map<String, Value> = req
                .params
                .iter()
                .filter_map(|(k, v)| {
                    let inner = k.strip_prefix("data[")?.strip_suffix(']')?;
                    Some((inner.to_owned(), Value::String(v.clone())))
                })
                .collect();
            if !data.is_empty() {
                t.insert(
                    "data".into(),
                    Value::String(Value::Object(data).to_string()),
                );
            }
        }
        "amazon_waf" => {
            ty(&mut t, "AmazonTask");
            copy(&mut t, "sitekey", "websiteKey");
            copy(&mut t, "pageurl", "websiteURL");
            copy(&mut t, "iv", "iv");
            copy(&mut t, "context", "context");
            copy(&mut t, "challenge_script", "challengeScript");
            copy(&mut t, "captcha_script", "captchaScript");
            copy(&mut t, "userAgent", "userAgent");
        }
        "mt_captcha" => {
            ty(&mut t, "MTCaptchaTask");
            copy(&mut t, "sitekey", "websiteKey");
            copy(&mut t, "pageurl", "websiteURL");
        }
        "prosopo" => {
            ty(&mut t, "ProsopoTask");
            copy(&mut t, "sitekey", "websiteKey");
            copy(&mut t, "pageurl", "websiteURL");
        }
        // Methods 2captcha's Python client sends for kinds CapMonster has as task types: the
        // parameters map one to one onto the documented fields.
        "binance" => {
            ty(&mut t, "BinanceTask");
            copy(&mut t, "sitekey", "websiteKey");
            copy(&mut t, "pageurl", "websiteURL");
            copy(&mut t, "validate_id", "validateId");
            copy(&mut t, "userAgent", "userAgent");
        }
        "yidun" => {
            ty(&mut t, "YidunTask");
            copy(&mut t, "sitekey", "websiteKey");
            copy(&mut t, "pageurl", "websiteURL");
            copy(&mut t, "userAgent", "userAgent");
        }
        "tencent" => {
            custom(&mut t, "TenDI");
            copy(&mut t, "app_id", "websiteKey");
            copy(&mut t, "pageurl", "websiteURL");
            copy(&mut t, "userAgent", "userAgent");
        }
        "basilisk" => {
            custom(&mut t, "Basilisk");
            copy(&mut t, "sitekey", "websiteKey");
            copy(&mut t, "pageurl", "websiteURL");
            copy(&mut t, "userAgent", "userAgent");
        }
        "alibaba" => {
            custom(&mut t, "alibaba");
            copy(&mut t, "pageurl", "websiteURL");
            copy(&mut t, "userAgent", "userAgent");
            metadata(&mut t, &[("scene_id", "sceneId"), ("prefix", "prefix")]);
        }
        "hunt" => {
            custom(&mut t, "HUNT");
            copy(&mut t, "pageurl", "websiteURL");
            copy(&mut t, "userAgent", "userAgent");
            metadata(&mut t, &[("api_get_lib", "apiGetLib"), ("data", "data")]);
        }
        "tspd" => {
            custom(&mut t, "tspd");
            copy(&mut t, "pageurl", "websiteURL");
            copy(&mut t, "userAgent", "userAgent");
            metadata(
                &mut t,
                &[
                    ("tspd_cookie", "tspdCookie"),
                    ("html_page_base64", "htmlPageBase64"),
                ],
            );
        }
        "incapsula" | "imperva" => {
            custom(&mut t, "Imperva");
            copy(&mut t, "pageurl", "websiteURL");
            copy(&mut t, "userAgent", "userAgent");
            metadata(
                &mut t,
                &[
                    ("incapsula_script_url", "incapsulaScriptUrl"),
                    ("incapsula_cookies", "incapsulaCookies"),
                    ("reese84_url_endpoint", "reese84UrlEndpoint"),
                ],
            );
        }
        "" => return Err(bad("method is missing")),
        other => {
            return Err(bad(format!(
                "method `{other}` is not supported by the emulator"
            )));
        }
    }
    if let Some(p) = req.get("proxy") {
        proxy(p, req.get("proxytype"), &mut t)?;
    }
    Ok(t)
}

/// in.php's `cookies` (`name:value;name2:value2`) into the JSON APIs' `name=value; name2=value2`.
fn cookies(req: &FormRequest, t: &mut Map<String, Value>) {
    if let Some(c) = req.get("cookies") {
        let joined = c
            .split(';')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once(':') {
                Some((k, v)) => format!("{}={}", k.trim(), v.trim()),
                None => p.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("; ");
        t.insert("cookies".into(), Value::String(joined));
    }
}

/// `proxy=[login[:password]@]host:port` (IPv6 hosts in brackets) and `proxytype` (default HTTP)
/// into the five proxy fields.
fn proxy(p: &str, kind: Option<&str>, t: &mut Map<String, Value>) -> Result<(), Refusal> {
    let malformed = || {
        Refusal::new(
            ErrorCode::ProxyFormat,
            "proxy must be login:password@host:port or host:port",
        )
    };
    let (creds, hostport) = match p.rsplit_once('@') {
        Some((c, h)) => (Some(c), h),
        None => (None, p),
    };
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or_else(malformed)?;
        (h, after.strip_prefix(':').ok_or_else(malformed)?)
    } else {
        hostport.rsplit_once(':').ok_or_else(malformed)?
    };
    let port: u16 = port.trim().parse().map_err(|_| malformed())?;
    if host.trim().is_empty() || port == 0 {
        return Err(malformed());
    }
    t.insert(
        "proxyType".into(),
        Value::String(kind.unwrap_or("HTTP").to_ascii_lowercase()),
    );
    t.insert("proxyAddress".into(), Value::String(host.to_owned()));
    t.insert("proxyPort".into(), json!(port));
    if let Some(c) = creds {
        let (login, password) = c.split_once(':').unwrap_or((c, ""));
        t.insert("proxyLogin".into(), Value::String(login.to_owned()));
        if !password.is_empty() {
            t.insert("proxyPassword".into(), Value::String(password.to_owned()));
        }
    }
    Ok(())
}

/// The task id of a res.php call: `Ok(None)` when `id` is absent, `Err` when it is not digits.
fn task_id(req: &FormRequest) -> Result<Option<u64>, ()> {
    match req.get("id") {
        None => Ok(None),
        Some(s) => {
            let s = s.trim();
            if s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().map(Some).map_err(|_| ())
            } else {
                Err(())
            }
        }
    }
}

fn id_body(req: &FormRequest) -> (Map<String, Value>, bool) {
    let mut body = key_body(req);
    let id = task_id(req);
    if let Ok(Some(id)) = id {
        body.insert("taskId".into(), json!(id));
    }
    (body, !matches!(id, Ok(Some(_))))
}

const WRONG_ID_FORMAT: &str = "ERROR_WRONG_ID_FORMAT";
const WRONG_ID_TEXT: &str = "id must be the task id: digits only";

/// The answer in a solution: the text or token as a string (with `userAgent` as `useragent` and
/// hCaptcha's `respKey` as extras), or the whole solution object (GeeTest, Amazon, custom tasks).
fn answer_of(solution: &Value) -> (Value, Map<String, Value>) {
    let mut extra = Map::new();
    if let Some(obj) = solution.as_object() {
        for field in ["text", "gRecaptchaResponse", "token"] {
            if let Some(Value::String(s)) = obj.get(field) {
                if let Some(ua) = obj.get("userAgent") {
                    extra.insert("useragent".into(), ua.clone());
                }
                if let Some(rk) = obj.get("respKey") {
                    extra.insert("respKey".into(), rk.clone());
                }
                return (Value::String(s.clone()), extra);
            }
        }
    }
    (solution.clone(), extra)
}

fn get(engine: &mut Engine, req: &FormRequest, with_price: bool) -> Reply {
    let (body, malformed_id) = id_body(req);
    let json = req.wants_json();
    match engine.task_result(&body) {
        Ok(TaskState::Processing) => bare_reply(json, 0, "CAPCHA_NOT_READY".to_owned()),
        Ok(TaskState::Ready { solution, cost, .. }) => {
            let (answer, mut extra) = answer_of(&solution);
            // GeeTest answers are JSON unless json=0 is asked for (2captcha: json defaults to 1).
            let geetest =
                solution.get("validate").is_some() || solution.get("lot_number").is_some();
            let json = req.json_param().unwrap_or(geetest);
            if !with_price {
                return ok_reply(json, answer, extra);
            }
            if json {
                extra.insert("price".into(), Value::String(money(cost)));
                ok_reply(true, answer, extra)
            } else {
                let text = format!("{}|{}", as_text(&answer), money(cost));
                ok_reply(false, Value::String(text), Map::new())
            }
        }
        Err(r) if malformed_id && r.code == ErrorCode::NoSuchCapchaId => {
            refuse(engine, json, WRONG_ID_FORMAT, WRONG_ID_TEXT)
        }
        Err(r) => refusal(engine, req, json, &r),
    }
}

/// The body of a `pingback` POST: `id=<task id>&code=<answer>` (form-encoded), the answer as
/// `res.php` would give it after `OK|` (or the error code of a failed task).
pub(crate) fn pingback_body(id: u64, state: &Result<TaskState, Refusal>) -> String {
    let code = match state {
        Ok(TaskState::Ready { solution, .. }) => as_text(&answer_of(solution).0),
        Ok(TaskState::Processing) => "CAPCHA_NOT_READY".to_owned(),
        Err(r) => url_code(&r.code, false),
    };
    form_urlencoded::Serializer::new(String::new())
        .append_pair("id", &id.to_string())
        .append_pair("code", &code)
        .finish()
}

/// `action=get&ids=1,2,3`: one poll of each task (each counted toward its cap), the answers
/// joined by `|` in the order asked, `CAPCHA_NOT_READY` or the error code in place of the
/// others. No `OK|` prefix in the text form; with `json=1` the joined text is the `request`.
/// A key error answers for the whole call.
fn get_bulk(engine: &mut Engine, req: &FormRequest) -> Reply {
    let json = req.wants_json();
    let mut parts = Vec::new();
    for raw in req.get("ids").unwrap_or_default().split(',') {
        let raw = raw.trim();
        let mut body = key_body(req);
        let id = raw
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| raw.parse::<u64>().ok())
            .flatten();
        if let Some(id) = id {
            body.insert("taskId".into(), json!(id));
        }
        parts.push(match engine.task_result(&body) {
            Ok(TaskState::Processing) => "CAPCHA_NOT_READY".to_owned(),
            Ok(TaskState::Ready { solution, .. }) => as_text(&answer_of(&solution).0),
            Err(r) if r.code == ErrorCode::KeyDoesNotExist => {
                return refusal(engine, req, json, &r);
            }
            Err(_) if id.is_none() => WRONG_ID_FORMAT.to_owned(),
            Err(r) => url_code(&r.code, false),
        });
    }
    bare_reply(json, 1, parts.join("|"))
}

fn balance(engine: &mut Engine, req: &FormRequest) -> Reply {
    let json = req.wants_json();
    match engine.balance(&key_body(req)) {
        Ok(b) => bare_reply(json, 1, money(b)),
        Err(r) => refusal(engine, req, json, &r),
    }
}

fn report(engine: &mut Engine, req: &FormRequest, kind: ReportKind) -> Reply {
    let json = req.wants_json();
    let (body, malformed_id) = id_body(req);
    match engine.report(kind, &body) {
        Ok(()) => bare_reply(json, 1, "OK_REPORT_RECORDED".to_owned()),
        Err(ReportFailure::Key(r)) => refusal(engine, req, json, &r),
        Err(ReportFailure::NotFound) if malformed_id => {
            refuse(engine, json, WRONG_ID_FORMAT, WRONG_ID_TEXT)
        }
        Err(ReportFailure::NotFound) => refuse(
            engine,
            json,
            "ERROR_WRONG_CAPTCHA_ID",
            "no task with this id for this key, or its result has expired",
        ),
        Err(ReportFailure::Duplicate) => refuse(
            engine,
            json,
            "ERROR_DUPLICATE_REPORT",
            "this task has been reported already",
        ),
        Err(ReportFailure::NotReportable) => refuse(
            engine,
            json,
            "ERROR_REPORT_NOT_RECORDED",
            "the task is not solved, or outside the report window",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_query(q: &str) -> FormRequest {
        FormRequest::parse(Endpoint::InPhp, Some(q), b"", None)
    }

    #[test]
    fn decoding_is_lenient() {
        assert_eq!(percent_decode("a%2Fb+c%zz%4"), "a/b c%zz%4");
        assert_eq!(percent_decode("%2B+%E2%82%AC%FF"), "+ \u{20ac}\u{fffd}");
        assert_eq!(
            pingback_body(7, &Err(Refusal::new(ErrorCode::CaptchaUnsolvable, "x"))),
            "id=7&code=ERROR_CAPTCHA_UNSOLVABLE"
        );
        let r = parse_query(
            "key=K&method=userrecaptcha&googlekey=G&pageurl=https://x.com/p.php?level=high&b=2&nocache=1",
        );
        assert_eq!(r.get("pageurl"), Some("https://x.com/p.php?level=high&b=2"));
        assert_eq!(r.get("nocache"), Some("1"));
        assert_eq!(r.get("b"), None);
    }

    #[test]
    fn proxies() {
        let mut t = Map::new();
        proxy("u:p:w@1.2.3.4:8080", Some("SOCKS5"), &mut t).unwrap();
        assert_eq!(
            Value::Object(t),
            json!({ "proxyType": "socks5", "proxyAddress": "1.2.3.4", "proxyPort": 8080,
                    "proxyLogin": "u", "proxyPassword": "p:w" })
        );
        let mut t = Map::new();
        proxy("[::1]:3128", None, &mut t).unwrap();
        assert_eq!(t["proxyAddress"], "::1");
        assert_eq!(t["proxyType"], "http");
        for bad in ["1.2.3.4", "1.2.3.4:x", ":80", "[::1]", "h:0"] {
            assert_eq!(
                proxy(bad, None, &mut Map::new()).unwrap_err().code,
                ErrorCode::ProxyFormat,
                "{bad}"
            );
        }
    }

    #[test]
    fn malformed_keys() {
        assert!(key_malformed(None));
        assert!(key_malformed(Some("__nocache")));
        assert!(key_malformed(Some("k____x")));
        assert!(key_malformed(Some("k__recognizingthreshold_101")));
        assert!(!key_malformed(Some("k__nocache__recognizingthreshold_70")));
    }

    #[test]
    fn money_is_short() {
        assert_eq!(money(0.0006), "0.0006");
        assert_eq!(money(100.0), "100");
        assert_eq!(money(100.0 - 2.0 * 0.0006), "99.9988");
    }
}
