//! A programmable misbehaving service on 127.0.0.1, and the table of hostile cases run against
//! both front ends (`tests/tests/hostile.rs`) and the `capmonster` binary
//! (`crates/capmonster-cli/tests/hostile_cli.rs`).
//!
//! A case is data: per route (createTask, getTaskResult, anything else) a list of raw replies,
//! served in order, the last one repeating. A reply is a status, headers and a body that may be
//! fixed bytes, an echo of the request, trickled, endless, or a closed connection. The checks
//! ([`Observed::check`]) are the promises of docs/RELIABILITY.md, applied to every case alike:
//! createTask resent only after an answer that shows nothing was created, every task id the
//! service handed out named in the result or the error, no task polled under an id it was not
//! given, no redirect followed, no secret in any output or trace, no raw control character in
//! an error's text, and the deadline kept.
//!
//! The server is bounded: it answers at most [`MAX_CONNECTIONS`] connections, for at most
//! [`MAX_TIME`] in all, reads at most 64 KiB of a request, and stops when dropped.

use std::io::Write as _;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::raw::RawServer;
use crate::{PROXY_PASSWORD, TEST_KEY};

/// Connections one hostile server answers before it stops accepting.
pub const MAX_CONNECTIONS: usize = 400;
/// How long one hostile server lives at most.
pub const MAX_TIME: Duration = Duration::from_secs(30);
/// The token every "ready" answer of the table carries.
pub const TOKEN: &str = "03AGdBq-hostile-token-0123456789";
/// The site key of the task the cases solve.
pub const SITE_KEY: &str = "6Le-wvkSAAAAAPBMRTvw0Q4Muexq9bi0DJwx_mJ-";
/// The proxy login of the task the cases solve (its password is [`PROXY_PASSWORD`]).
pub const PROXY_LOGIN: &str = "bob";
/// The task's proxy as a URL, as the CLI takes it.
pub fn proxy_url() -> String {
    format!("http://{PROXY_LOGIN}:{PROXY_PASSWORD}@8.8.8.8:1080")
}
/// The key without its `__` suffixes: it must not leak either.
pub fn bare_key() -> &'static str {
    TEST_KEY.split("__").next().unwrap_or(TEST_KEY)
}
/// Every text that must never be printed or traced.
pub fn secrets() -> [&'static str; 3] {
    [TEST_KEY, bare_key(), PROXY_PASSWORD]
}

/// Which call a request is, from its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `/createTask`, or the URL form's `/in.php`.
    Create,
    /// `/getTaskResult`, or the URL form's `/res.php?action=get`.
    Poll,
    /// Anything else.
    Other,
}

/// What a reply's body is.
#[derive(Debug, Clone)]
pub enum Body {
    /// These bytes, with a `content-length`.
    Bytes(Vec<u8>),
    /// An HTML page quoting the whole request (head and body), as an echo server would.
    EchoHtml,
    /// A JSON API error whose description quotes the whole request, as a careless service would.
    EchoJson,
    /// These bytes with a correct `content-length`, one byte every `every`.
    Trickle(Vec<u8>, Duration),
    /// A chunked body that never ends (one byte every 20 ms).
    Endless,
    /// Nothing: the connection is closed without an answer.
    Close,
    /// These bytes and nothing else: no status line, no headers (not HTTP at all).
    Raw(Vec<u8>),
}

/// One raw answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// Extra headers. `{host}` in a value becomes the request's `Host`, `{port}` its port.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
    /// The answer shows that nothing was created, so a resent createTask is allowed (a JSON
    /// error body, or a 429/503 under the documented rule).
    pub nothing_created: bool,
    /// A task id the client cannot be expected to read from this answer (compressed, behind
    /// oversized headers, trickled past the timeout): if the client does not read it, the solve
    /// must end in `AmbiguousCreate` instead of naming it.
    pub hidden: bool,
    /// A task id this answer hands out, when the scan of its body (`"taskId":`) would miss it.
    pub hands_out: Option<String>,
}

impl Reply {
    /// A reply of `status` with `body` and a content type.
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), content_type.into())],
            body: Body::Bytes(body.into()),
            nothing_created: false,
            hidden: false,
            hands_out: None,
        }
    }
    /// A JSON reply.
    pub fn json(status: u16, body: &str) -> Self {
        Self::new(status, "application/json", body)
    }
    /// An HTML reply.
    pub fn html(status: u16, body: &str) -> Self {
        Self::new(status, "text/html", body)
    }
    /// An empty reply.
    pub fn empty(status: u16) -> Self {
        Self::new(status, "text/plain", "")
    }
    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
    /// Marks the answer as one that shows nothing was created.
    pub fn nothing_created(mut self) -> Self {
        self.nothing_created = true;
        self
    }
    /// Marks the task id in it as one the client may be unable to read.
    pub fn hidden(mut self) -> Self {
        self.hidden = true;
        self
    }
    /// Replaces the body.
    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }
    /// The body trickled, one byte every `ms` milliseconds.
    pub fn trickled(mut self, ms: u64) -> Self {
        if let Body::Bytes(b) = self.body {
            self.body = Body::Trickle(b, Duration::from_millis(ms));
        }
        self
    }
    /// `n` padding headers of 1000 bytes each, after the others.
    pub fn padded(mut self, n: usize) -> Self {
        let pad = "p".repeat(1000);
        for i in 0..n {
            self.headers.push((format!("x-pad-{i}"), pad.clone()));
        }
        self
    }
    /// The task ids this answer hands out: `"taskId":` followed by a number-ish token in the
    /// body, or the declared one.
    pub fn handed_out(&self) -> Vec<String> {
        if let Some(id) = &self.hands_out {
            return vec![id.clone()];
        }
        let bytes = match &self.body {
            Body::Bytes(b) | Body::Trickle(b, _) => b,
            _ => return Vec::new(),
        };
        let text = String::from_utf8_lossy(bytes);
        let mut ids = Vec::new();
        let mut rest = &text[..];
        while let Some(at) = rest.find("\"taskId\"") {
            rest = &rest[at + 8..];
            let after = rest
                .trim_start()
                .strip_prefix(':')
                .unwrap_or("")
                .trim_start();
            let token: String = after
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '.'))
                .collect();
            if !token.is_empty() {
                ids.push(token);
            }
        }
        ids
    }
}

// ---- the vocabulary of the table -------------------------------------------------------------

/// createTask answered with task `id` (any JSON number text).
pub fn task(id: &str) -> Reply {
    Reply::json(200, &format!("{{\"errorId\":0,\"taskId\":{id}}}"))
}
/// A JSON API error, HTTP `status`. It shows nothing was created.
pub fn api_error(status: u16, code: &str, description: &str) -> Reply {
    Reply::json(
        status,
        &format!(
            "{{\"errorId\":1,\"errorCode\":\"{code}\",\"errorDescription\":\"{description}\"}}"
        ),
    )
    .nothing_created()
}
/// getTaskResult: still processing.
pub fn processing() -> Reply {
    Reply::json(200, r#"{"errorId":0,"status":"processing"}"#)
}
/// getTaskResult: ready, with this `solution` JSON text.
pub fn ready_with(solution: &str) -> Reply {
    Reply::json(
        200,
        &format!("{{\"errorId\":0,\"status\":\"ready\",\"solution\":{solution},\"cost\":0.0006}}"),
    )
}
/// getTaskResult: ready with [`TOKEN`].
pub fn ready() -> Reply {
    ready_with(&format!("{{\"gRecaptchaResponse\":\"{TOKEN}\"}}"))
}
/// A plain web server's 404 page.
pub fn not_found_page() -> Reply {
    Reply::html(
        404,
        "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><p>The requested URL was not found on this server.</p><hr><address>Apache/2.4.57 Server</address></body></html>",
    )
}
/// nginx's 502 page.
pub fn nginx_502() -> Reply {
    Reply::html(
        502,
        "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
    )
}
/// An HTML page quoting the request, with `status`.
pub fn echo_page(status: u16) -> Reply {
    Reply::html(status, "").body(Body::EchoHtml)
}
/// A JSON error quoting the request in its description.
pub fn echo_json() -> Reply {
    Reply::json(200, "").body(Body::EchoJson).nothing_created()
}
/// A redirect with `status` to `location` (`{host}` and `{port}` are filled in).
pub fn redirect(status: u16, location: &str) -> Reply {
    Reply::html(status, "<html><body>Moved</body></html>").header("location", location)
}
/// `body` gzip-encoded for real (stored deflate blocks), labelled `content-encoding: gzip`.
pub fn gzipped(body: &str) -> Reply {
    Reply::new(200, "application/json", gzip_stored(body.as_bytes()))
        .header("content-encoding", "gzip")
}
/// Garbage labelled with `content-encoding: encoding`.
pub fn garbage_encoded(encoding: &str) -> Reply {
    Reply::new(
        200,
        "application/json",
        &b"\x1f\x8b\x08\x00garbage\xff\xfe{\"errorId\":0}"[..],
    )
    .header("content-encoding", encoding)
}
/// Bytes that are not an HTTP answer at all.
pub fn not_http(bytes: &[u8]) -> Reply {
    Reply::empty(200).body(Body::Raw(bytes.to_vec()))
}
/// `body` with a UTF-8 byte-order mark in front.
pub fn bom(body: &str) -> Reply {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(body.as_bytes());
    Reply::new(200, "application/json", bytes)
}
/// The text of a JSON task answer with id `id`.
pub fn task_text(id: &str) -> String {
    format!("{{\"errorId\":0,\"taskId\":{id}}}")
}
/// The text of a ready answer with [`TOKEN`].
pub fn ready_text() -> String {
    format!(
        "{{\"errorId\":0,\"status\":\"ready\",\"solution\":{{\"gRecaptchaResponse\":\"{TOKEN}\"}}}}"
    )
}

/// A gzip member holding `data` in stored (uncompressed) deflate blocks: real gzip, no
/// compressor needed.
pub fn gzip_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    let chunks: Vec<&[u8]> = if data.is_empty() {
        vec![&[][..]]
    } else {
        data.chunks(65535).collect()
    };
    for (i, c) in chunks.iter().enumerate() {
        out.push(u8::from(i + 1 == chunks.len()));
        let len = c.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(c);
    }
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

// ---- cases --------------------------------------------------------------------------------

/// What the solve must end in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Solved, with [`TOKEN`].
    Solved,
    /// An error.
    Fails,
    /// Either is a correct reading (the row's comment says why); the other checks still hold.
    Either,
}

/// Which dialect the client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// CapMonster Cloud JSON.
    Json,
    /// CapMonster's in.php/res.php URL form.
    UrlForm,
}

/// One hostile case.
#[derive(Debug, Clone)]
pub struct Case {
    /// Its name.
    pub name: &'static str,
    /// createTask answers, in order; the last repeats.
    pub create: Vec<Reply>,
    /// getTaskResult answers, in order; the last repeats (none: "processing").
    pub poll: Vec<Reply>,
    /// Answers to anything else (getBalance, reports, unknown paths), in order; the last
    /// repeats. By default a web server's 404 page.
    pub other: Vec<Reply>,
    /// What the solve ends in.
    pub expect: Expect,
    /// The CLI exit codes accepted; empty: the CLI does not run this case.
    pub cli_codes: &'static [i32],
    /// The error's Display must contain one of these (case-insensitive); empty: no check.
    pub mentions: &'static [&'static str],
    /// The dialect.
    pub dialect: Dialect,
    /// Use the real timing table (first poll after seconds), not the fast test policy.
    pub real_timing: bool,
    /// The solve's deadline.
    pub deadline: Duration,
    /// Nothing listens at the base URL (the connection is refused).
    pub unreachable: bool,
    /// The solve is refused before anything is sent.
    pub sends_nothing: bool,
}

/// The solve's deadline in the cases.
pub const DEADLINE: Duration = Duration::from_millis(2500);
/// The deadline of the cases that resend createTask: the binary's real back-off after a 429
/// takes 1.5-2 s.
pub const RESEND_DEADLINE: Duration = Duration::from_secs(6);
/// Each request's timeout in the cases.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(1);
/// How far past its deadline a library solve may end (thread wake-ups on a loaded machine).
pub const ALLOWANCE: Duration = Duration::from_millis(1000);

/// A case with the defaults: JSON dialect, fast timing, [`DEADLINE`].
pub fn case(
    name: &'static str,
    create: Vec<Reply>,
    poll: Vec<Reply>,
    expect: Expect,
    cli_codes: &'static [i32],
) -> Case {
    Case {
        name,
        create,
        poll,
        other: vec![not_found_page()],
        expect,
        cli_codes,
        mentions: &[],
        dialect: Dialect::Json,
        real_timing: false,
        deadline: DEADLINE,
        unreachable: false,
        sends_nothing: false,
    }
}

impl Case {
    /// The error must mention one of `words`.
    pub fn mentions(mut self, words: &'static [&'static str]) -> Self {
        self.mentions = words;
        self
    }
    /// Speak the URL form.
    pub fn url_form(mut self) -> Self {
        self.dialect = Dialect::UrlForm;
        self
    }
    /// This deadline instead of [`DEADLINE`].
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }
    /// Answers to anything but createTask and getTaskResult.
    pub fn other(mut self, replies: Vec<Reply>) -> Self {
        self.other = replies;
        self
    }
    /// The solve must be refused before anything is sent.
    pub fn sends_nothing(mut self) -> Self {
        self.sends_nothing = true;
        self
    }
    /// Nothing listens at the base URL.
    pub fn unreachable(mut self) -> Self {
        self.unreachable = true;
        self
    }
    /// The real timing table, and this deadline.
    pub fn real_timing(mut self, deadline: Duration) -> Self {
        self.real_timing = true;
        self.deadline = deadline;
        self
    }
}

const ESC_DESC: &str = "bell\\u0007 clear\\u001b[2J done\\r\\ncapmonster: forged line";

/// The table. One row per case; see docs/RELIABILITY.md ("The hostile service") for what each
/// one means. Exit codes: 0 done, 3 configuration, 4 task failed or createTask ambiguous,
/// 5 timed out, 6 no usable answer.
#[rustfmt::skip]
pub fn cases() -> Vec<Case> {
    use Expect::{Either, Fails, Solved};
    let key = TEST_KEY;
    let bare = bare_key();
    let pw = PROXY_PASSWORD;
    vec![
        // The baseline: a well-behaved service.
        case("baseline", vec![task("730001")], vec![processing(), ready()], Solved, &[0]),
        // Finding 1. Headers over 64 KiB on the createTask answer: a client that reads them solves; one that cannot must end ambiguous, never resend.
        case("create_oversized_headers", vec![task("730002").padded(70).hidden()], vec![ready()], Either, &[0, 4]),
        case("create_one_huge_header", vec![task("730003").header("x-huge", &"h".repeat(70_000)).hidden()], vec![ready()], Either, &[0, 4]),
        case("poll_oversized_headers", vec![task("730004")], vec![ready().padded(70)], Either, &[0, 5, 6]),
        // Finding 1. Answers no HTTP library reads (a TLS alert, a broken status line, a bad length, HTTP/0.9): the request was sent, so ambiguous, never resent.
        case("create_tls_alert_bytes", vec![not_http(b"\x15\x03\x03\x00\x02\x02\x28"), task("730039")], vec![ready()], Fails, &[4, 6]),
        case("create_broken_status_line", vec![not_http(b"HTTP/1.1 abc\r\n\r\n"), task("730040")], vec![ready()], Fails, &[4, 6]),
        case("create_bad_content_length", vec![Reply::json(200, &task_text("730041")).header("content-length", "12abc").hidden(), task("730042")], vec![ready()], Either, &[0, 4, 6]),
        case("create_http09_body_only", vec![not_http(task_text("730043").as_bytes()), task("730044")], vec![ready()], Fails, &[4, 6]),
        // Finding 5. The key and proxy password echoed back.
        case("create_error_quotes_key", vec![api_error(200, "ERROR_KEY_DOES_NOT_EXIST", &format!("key {key} does not exist"))], vec![], Fails, &[3]),
        case("create_error_quotes_bare_key", vec![api_error(200, "ERROR_KEY_DOES_NOT_EXIST", &format!("key {bare} does not exist"))], vec![], Fails, &[3]),
        case("create_error_quotes_request", vec![echo_json()], vec![], Fails, &[3, 4, 6]),
        case("create_echo_page_200", vec![echo_page(200)], vec![], Fails, &[4, 6]),
        case("create_echo_page_404", vec![echo_page(404)], vec![], Fails, &[4, 6]).mentions(&["base url", "base-url", "base_url"]),
        case("url_form_echo_page", vec![echo_page(200)], vec![], Fails, &[4, 6]).url_form(),
        case("url_form_echo_page_404", vec![echo_page(404)], vec![], Fails, &[4, 6]).url_form().mentions(&["base url", "base-url", "base_url"]),
        case("poll_error_quotes_proxy_password", vec![task("730005")], vec![api_error(200, "ERROR_PROXY_CONNECTION_FAILED", &format!("proxy bob:{pw}@8.8.8.8:1080 refused the connection"))], Fails, &[4]),
        // Finding 4. Numbers that do not fit exactly: never rounded, never polled under another id; the error quotes the text.
        case("task_id_2_pow_64", vec![task("18446744073709551616")], vec![ready()], Fails, &[4, 6]),
        case("task_id_1e30", vec![task("1e30")], vec![ready()], Fails, &[4, 6]),
        case("task_id_2_pow_53_plus_1_float", vec![task("9007199254740993.0")], vec![ready()], Either, &[0, 4, 6]),
        case("task_id_negative", vec![task("-1")], vec![ready()], Fails, &[4, 6]),
        case("task_id_fraction", vec![task("1.5")], vec![ready()], Fails, &[4, 6]),
        case("create_error_id_half", vec![Reply::json(200, r#"{"errorId":0.5,"taskId":730006}"#)], vec![ready()], Fails, &[4, 6]),
        case("poll_error_id_half", vec![task("730007")], vec![Reply::json(200, &format!(r#"{{"errorId":0.5,"status":"ready","solution":{{"gRecaptchaResponse":"{TOKEN}"}}}}"#))], Fails, &[4, 5, 6]),
        // Finding 2. 429 (the rule of docs/RELIABILITY.md, promise 2): one that names no task is resent (RFC 6585: not processed) and the solve goes on; one that names a task is polled, never resent.
        case("create_429_html_then_task", vec![Reply::html(429, "<html><body><h1>429 Too Many Requests</h1></body></html>").nothing_created(), task("730008")], vec![ready()], Solved, &[0]).deadline(RESEND_DEADLINE),
        case("create_429_empty_then_task", vec![Reply::empty(429).nothing_created(), task("730009")], vec![ready()], Solved, &[0]).deadline(RESEND_DEADLINE),
        case("create_429_json_error_then_task", vec![api_error(429, "ERROR_TOO_MUCH_REQUESTS", "Too many requests"), task("730010")], vec![ready()], Solved, &[0]).deadline(RESEND_DEADLINE),
        case("create_429_names_a_task", vec![Reply::json(429, r#"{"errorId":0,"taskId":4242}"#), task("730011")], vec![ready()], Solved, &[0]),
        // 5xx on createTask: only a JSON error body shows nothing was created.
        case("create_502_html", vec![nginx_502(), task("730012")], vec![ready()], Fails, &[4]),
        case("create_500_empty", vec![Reply::empty(500), task("730013")], vec![ready()], Fails, &[4]),
        case("create_503_json_error_then_task", vec![api_error(503, "ERROR_NO_SLOT_AVAILABLE", "Service temporarily unavailable"), task("730014")], vec![ready()], Solved, &[0]).deadline(RESEND_DEADLINE),
        case("create_503_html", vec![Reply::html(503, "<html><body>Service Unavailable</body></html>"), task("730015")], vec![ready()], Fails, &[4]),
        case("poll_502_then_ready", vec![task("730016")], vec![nginx_502(), ready()], Solved, &[0]),
        case("poll_500_empty_then_ready", vec![task("730017")], vec![Reply::empty(500), ready()], Solved, &[0]),
        // Finding 8. Every poll fails until the deadline: the error names the task and keeps the cause.
        case("every_poll_500_html", vec![task("730018")], vec![Reply::html(500, "<html><body>Internal Server Error</body></html>")], Fails, &[5]).mentions(&["500"]),
        // Judgement: a poll cut by the deadline itself is no cause; the error keeps the last answer's (the deadline, 0.8 s, cuts the second poll before its 1 s request timeout would).
        case("poll_500_then_cut_by_deadline", vec![task("730045")], vec![Reply::html(500, "<html><body>Internal Server Error</body></html>"), Reply::json(200, "").body(Body::Endless)], Fails, &[5]).deadline(Duration::from_millis(800)).mentions(&["500"]),
        case("every_poll_closed", vec![task("730019")], vec![Reply::json(200, "").body(Body::Close)], Fails, &[5]),
        case("every_poll_bad_status", vec![task("730020")], vec![Reply::json(200, r#"{"errorId":0,"status":"weird"}"#)], Fails, &[4, 5, 6]).mentions(&["weird"]),
        // Finding 8. A plain web server at the base URL: the advice is to check the base URL.
        case("plain_http_server", vec![not_found_page()], vec![not_found_page()], Fails, &[4, 6]).mentions(&["base url", "base-url", "base_url"]),
        // Finding 8. Other non-API servers, and the messages of plain failures (each said once).
        case("plain_server_501_on_post", vec![Reply::html(501, "<html><head><title>Error response</title></head><body><h1>Error response</h1><p>Error code: 501</p><p>Message: Unsupported method ('POST').</p></body></html>")], vec![], Fails, &[4, 6]).mentions(&["base url", "base-url", "base_url"]),
        case("plain_server_405", vec![Reply::html(405, "<html><body><h1>405 Method Not Allowed</h1></body></html>")], vec![], Fails, &[4, 6]).mentions(&["base url", "base-url", "base_url"]),
        case("create_200_empty", vec![Reply::empty(200)], vec![ready()], Fails, &[4]),
        case("connection_refused", vec![task("730037")], vec![ready()], Fails, &[6]).unreachable().mentions(&["base url", "base-url", "base_url", "network"]),
        // Finding 7. Control characters from the server never reach a terminal raw.
        case("create_error_control_chars", vec![api_error(200, "ERROR_\\u001b[2J\\u0007", ESC_DESC)], vec![], Fails, &[3, 4, 6]),
        case("poll_error_control_chars", vec![task("730021")], vec![api_error(200, "ERROR_CAPTCHA_UNSOLVABLE", ESC_DESC)], Fails, &[4]),
        // Judgement: C1 controls (U+009B is CSI to many terminals) are escaped like C0 ones.
        case("poll_error_c1_control", vec![task("730038")], vec![api_error(200, "ERROR_CAPTCHA_UNSOLVABLE", "csi\\u009b2J and nel\\u0085 done")], Fails, &[4]),
        // Judgement: the library returns the token as the service sent it (data, not text for a terminal); the binary never prints it raw (it refuses it, exit 6, or escapes it).
        case("token_control_chars", vec![task("730022")], vec![ready_with(r#"{"gRecaptchaResponse":"tok\u001b[2J\u0007en\r\ncapmonster: forged line"}"#)], Either, &[0, 4, 6]),
        // Finding 9. A ready answer without the type's main value is an error naming the task.
        case("solution_empty_object", vec![task("730023")], vec![ready_with("{}")], Fails, &[4, 6]),
        case("solution_bare_string", vec![task("730024")], vec![ready_with("\"abc\"")], Fails, &[4, 6]),
        case("solution_token_is_number", vec![task("730025")], vec![ready_with(r#"{"gRecaptchaResponse":12345}"#)], Fails, &[4, 6]),
        case("solution_missing", vec![task("730026")], vec![Reply::json(200, r#"{"errorId":0,"status":"ready"}"#)], Fails, &[4, 5, 6]),
        // Trickled and endless bodies: cut by the request timeout; createTask then ambiguous.
        case("create_trickled_past_timeout", vec![Reply::json(200, &task_text("730027")).trickled(60).hidden()], vec![ready()], Fails, &[4, 5]),
        case("poll_trickled_in_time", vec![task("730028")], vec![Reply::json(200, &ready_text()).trickled(4)], Solved, &[0]),
        case("create_endless", vec![Reply::json(200, "").body(Body::Endless)], vec![ready()], Fails, &[4, 5]),
        case("poll_endless", vec![task("730029")], vec![Reply::json(200, "").body(Body::Endless)], Fails, &[5]),
        case("create_closed", vec![Reply::json(200, "").body(Body::Close), task("730030")], vec![ready()], Fails, &[4]),
        // Redirects are not followed (judgement: the API never redirects, and following one sends the key elsewhere).
        case("create_301_other_path", vec![redirect(301, "http://{host}/moved/createTask")], vec![ready()], Fails, &[4, 6]),
        case("create_302_other_host", vec![redirect(302, "http://localhost:{port}/createTask")], vec![ready()], Fails, &[4, 6]),
        case("create_307_other_path", vec![redirect(307, "/moved/createTask")], vec![ready()], Fails, &[4, 6]),
        case("poll_307_other_host", vec![task("730031")], vec![redirect(307, "http://localhost:{port}/getTaskResult")], Fails, &[4, 5, 6]),
        // Compressed bodies the client did not ask for: decoded (then solved) or unreadable (then ambiguous / polled until the deadline).
        case("create_gzip_garbage", vec![garbage_encoded("gzip")], vec![ready()], Fails, &[4, 6]),
        case("create_br_garbage", vec![garbage_encoded("br")], vec![ready()], Fails, &[4, 6]),
        case("create_gzip_real", vec![gzipped(&task_text("730032")).hidden()], vec![ready()], Either, &[0, 4, 6]),
        case("poll_gzip_real", vec![task("730033")], vec![gzipped(&ready_text())], Either, &[0, 5, 6]),
        // A byte-order mark (judgement: a client may strip it or refuse the answer; refusing a createTask answer is then ambiguous).
        case("create_bom", vec![bom(&task_text("730034")).hidden()], vec![ready()], Either, &[0, 4, 6]),
        case("every_poll_bom", vec![task("730035")], vec![bom(&ready_text())], Either, &[0, 5, 6]),
        // Finding 3. A deadline shorter than the first poll (a __nocache key waits 10 s): refused before anything is sent (the choice written down in docs/PROTOCOL-NOTES.md).
        case("deadline_before_first_poll", vec![task("730036")], vec![ready()], Fails, &[2]).real_timing(Duration::from_secs(3)).sends_nothing(),
    ]
}

/// Hostile answers to `getBalance` (the `other` route): the same promises outside a solve.
#[rustfmt::skip]
pub fn balance_cases() -> Vec<Case> {
    use Expect::Fails;
    let key = TEST_KEY;
    let on_balance = |name, reply: Reply| case(name, vec![], vec![], Fails, &[3, 4, 6]).other(vec![reply]);
    vec![
        on_balance("balance_error_quotes_key", api_error(200, "ERROR_KEY_DOES_NOT_EXIST", &format!("key {key} does not exist"))),
        on_balance("balance_error_quotes_request", echo_json()),
        on_balance("balance_echo_page", echo_page(200)),
        on_balance("balance_control_chars", api_error(200, "ERROR_\\u001b[2J", ESC_DESC)),
        on_balance("balance_out_of_range", Reply::json(200, r#"{"errorId":0,"balance":1e400}"#)),
        on_balance("balance_error_id_half", Reply::json(200, r#"{"errorId":0.5,"balance":1.5}"#)),
        on_balance("balance_plain_server", not_found_page()).mentions(&["base url", "base-url", "base_url"]),
    ]
}

// ---- the server -------------------------------------------------------------------------------

/// One request the server saw.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Its route.
    pub route: Route,
    /// The request line's target.
    pub target: String,
    /// The `Host` header.
    pub host: String,
    /// The body, as text.
    pub body: String,
    /// The whole body arrived (as long as its `content-length`): a client cut at its deadline
    /// may leave after the head.
    pub complete: bool,
    /// Which reply of its route's list answered it.
    pub reply: usize,
}

#[derive(Debug, Default)]
struct State {
    seen: Vec<Seen>,
    counts: [usize; 3],
}

/// A hostile server playing one [`Case`]. Drop it to stop it.
#[derive(Debug)]
pub struct HostileServer {
    raw: RawServer,
    state: Arc<Mutex<State>>,
    dead_url: Option<String>,
}

impl HostileServer {
    /// Starts serving `case` on 127.0.0.1 (port 0).
    pub fn start(case: &Case) -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let (create, poll, other) = (case.create.clone(), case.poll.clone(), case.other.clone());
        let state2 = state.clone();
        let raw = RawServer::start(MAX_CONNECTIONS, MAX_TIME, move |stream, request, stop| {
            let (route, target, host, body, complete) = parse(request);
            let (list, slot) = match route {
                Route::Create => (&create, 0),
                Route::Poll => (&poll, 1),
                Route::Other => (&other, 2),
            };
            let index = {
                let mut s = state2.lock().unwrap();
                let i = s.counts[slot];
                s.counts[slot] += 1;
                s.seen.push(Seen {
                    route,
                    target,
                    host: host.clone(),
                    body,
                    complete,
                    reply: i,
                });
                i
            };
            let reply = match list.get(index.min(list.len().saturating_sub(1))) {
                Some(r) => r.clone(),
                None => processing(),
            };
            write_reply(stream, &reply, request, &host, stop);
        });
        // Port 1 (tcpmux): nothing listens there, and unlike a port bound and closed here, it
        // is never handed out again to another case's server running in parallel.
        let dead_url = case.unreachable.then(|| "http://127.0.0.1:1".to_owned());
        Self {
            raw,
            state,
            dead_url,
        }
    }

    /// `http://127.0.0.1:PORT`: this server, or for an unreachable case a port nothing listens
    /// on (127.0.0.1:1).
    pub fn base_url(&self) -> String {
        self.dead_url.clone().unwrap_or_else(|| self.raw.base_url())
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }
}

fn parse(request: &[u8]) -> (Route, String, String, String, bool) {
    let text = String::from_utf8_lossy(request);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let target = head
        .lines()
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .unwrap_or("")
        .to_owned();
    let host = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("host")
                .then(|| value.trim().to_owned())
        })
        .unwrap_or_default();
    let route = if target.contains("createTask") || target.contains("in.php") {
        Route::Create
    } else if target.contains("getTaskResult")
        || (target.contains("res.php") && url_form_action(&target, body) == Some("get"))
    {
        Route::Poll
    } else {
        Route::Other
    };
    let length = head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse::<usize>().ok())
            .flatten()
    });
    let complete = text.contains("\r\n\r\n") && body.len() >= length.unwrap_or(0);
    (route, target, host, body.to_owned(), complete)
}

/// The URL form's `action=` from the query or the body.
fn url_form_action<'a>(target: &'a str, body: &'a str) -> Option<&'a str> {
    target
        .split(['?', '&'])
        .chain(body.split('&'))
        .find_map(|p| p.strip_prefix("action="))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Whatever",
    }
}

fn write_reply(
    stream: &mut TcpStream,
    reply: &Reply,
    request: &[u8],
    host: &str,
    stop: &AtomicBool,
) {
    let port = host.rsplit(':').next().unwrap_or("");
    let quoted = String::from_utf8_lossy(request).into_owned();
    let (bytes, trickle): (Vec<u8>, Option<Duration>) = match &reply.body {
        Body::Close => return,
        Body::Raw(b) => {
            let _ = stream.write_all(b);
            let _ = stream.flush();
            let _ = stream.shutdown(std::net::Shutdown::Write);
            std::thread::sleep(Duration::from_millis(20));
            return;
        }
        Body::Bytes(b) => (b.clone(), None),
        Body::Trickle(b, every) => (b.clone(), Some(*every)),
        Body::EchoHtml => (
            format!("<html><body><h1>Echo</h1><pre>{quoted}</pre></body></html>").into_bytes(),
            None,
        ),
        Body::EchoJson => (
            serde_json::json!({
                "errorId": 1,
                "errorCode": "ERROR_KEY_DOES_NOT_EXIST",
                "errorDescription": format!("cannot process request: {quoted}"),
            })
            .to_string()
            .into_bytes(),
            None,
        ),
        Body::Endless => (Vec::new(), None),
    };
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    for (name, value) in &reply.headers {
        let value = value.replace("{host}", host).replace("{port}", port);
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("connection: close\r\n");
    if matches!(reply.body, Body::Endless) {
        head.push_str("transfer-encoding: chunked\r\n\r\n");
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        crate::raw::endless_chunks(stream, stop);
        return;
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", bytes.len()));
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    match trickle {
        None => {
            let _ = stream.write_all(&bytes);
        }
        Some(every) => {
            for b in bytes {
                if stop.load(Ordering::Relaxed) || stream.write_all(&[b]).is_err() {
                    return;
                }
                let _ = stream.flush();
                std::thread::sleep(every);
            }
        }
    }
    let _ = stream.flush();
    // Let the client read before the socket closes (a close with unread input resets).
    let _ = stream.shutdown(std::net::Shutdown::Write);
    std::thread::sleep(Duration::from_millis(20));
}

// ---- the checks -------------------------------------------------------------------------------

/// What one run of a case produced, from any front end.
#[derive(Debug, Clone)]
pub struct Observed {
    /// Which front end ("blocking", "async", "cli ...").
    pub who: String,
    /// Solved: the token. Failed: `None`.
    pub token: Option<String>,
    /// The task id of the result or the error, as text, when the front end names one.
    pub task_id: Option<String>,
    /// Whether the error is `AmbiguousCreate` (or the CLI's equivalent).
    pub ambiguous: bool,
    /// Whether the error is a deadline (`Timeout`).
    pub timeout: bool,
    /// Whether nothing was sent (a usage or build error).
    pub refused_locally: bool,
    /// The error's user-facing text (Display, or the CLI's stderr): no raw control characters.
    pub message: String,
    /// Everything else printed or traced (Debug, trace lines, stdout): no secrets.
    pub other_output: Vec<String>,
    /// How long the run took.
    pub took: Duration,
    /// How long it may take.
    pub limit: Duration,
    /// The message is a terminal's output (lines end in `\n`), not one error's Display.
    pub multiline: bool,
}

/// The task ids `case`'s server handed out, with whether each was hidden from the client.
fn handed_out(case: &Case, seen: &[Seen]) -> Vec<(String, bool)> {
    let mut ids = Vec::new();
    for s in seen.iter().filter(|s| s.route == Route::Create) {
        if let Some(r) = case
            .create
            .get(s.reply.min(case.create.len().saturating_sub(1)))
        {
            if matches!(r.body, Body::Bytes(_) | Body::Trickle(..)) {
                for id in r.handed_out() {
                    ids.push((id, r.hidden));
                }
            }
        }
    }
    ids
}

/// The exact integer a number text stands for, if it is one that fits a u64.
pub fn exact_u64(text: &str) -> Option<u64> {
    let digits = text.strip_suffix(".0").unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn control_chars(text: &str, multiline: bool) -> Vec<char> {
    text.chars()
        .filter(|&c| c.is_control() && !(multiline && c == '\n'))
        .collect()
}

impl Observed {
    /// The message without log lines (a `-v` line starts with its timestamp): what the front
    /// end itself said, where task ids and causes must be named.
    pub fn own_text(&self) -> String {
        if !self.multiline {
            return self.message.clone();
        }
        self.message
            .lines()
            .filter(|l| !l.starts_with(|c: char| c.is_ascii_digit()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Checks every promise against what `server` saw while `case` ran. Returns the broken
    /// ones, each a sentence.
    pub fn check(&self, case: &Case, seen: &[Seen]) -> Vec<String> {
        let mut broken = Vec::new();
        let who = &self.who;
        let mut fail = |s: String| broken.push(format!("{} / {who}: {s}", case.name));
        // The outcome.
        match (case.expect, &self.token) {
            (Expect::Solved, None) => fail(format!(
                "expected a solution, got: {}",
                excerpt(&self.message)
            )),
            (Expect::Fails, Some(t)) => fail(format!("expected an error, got the token {t:?}")),
            _ => {}
        }
        if let Some(t) = &self.token {
            if !served_tokens(case).contains(t) {
                fail(format!("solved with {t:?}, not the service's token"));
            }
        }
        // createTask resent only after an answer that shows nothing was created.
        let creates: Vec<&Seen> = seen.iter().filter(|s| s.route == Route::Create).collect();
        for pair in creates.windows(2) {
            let before = &case.create[pair[0].reply.min(case.create.len() - 1)];
            if !before.nothing_created {
                fail(format!(
                    "createTask sent {} times; it was resent after an answer that may have created a task (status {})",
                    creates.len(),
                    before.status
                ));
                break;
            }
        }
        // Every task id handed out is named.
        let ids = handed_out(case, seen);
        // A front end that prints only the token on success (the CLI without --json) names no
        // task then: its ids are checked in the runs that do (--json, the libraries).
        let silent_success = self.token.is_some() && self.task_id.is_none();
        for (id, hidden) in ids.iter().filter(|_| !silent_success) {
            let named = match exact_u64(id) {
                Some(n) => self.task_id.as_deref() == Some(n.to_string().as_str()),
                None => false,
            } || self.own_text().contains(id.as_str());
            let excused = *hidden && self.ambiguous;
            if !(named || excused) {
                fail(format!(
                    "task {id} was handed out but is not in the result or the error (task id {:?}): {}",
                    self.task_id,
                    excerpt(&self.message)
                ));
            }
        }
        // No task polled under an id it was not given.
        let good: Vec<u64> = ids.iter().filter_map(|(id, _)| exact_u64(id)).collect();
        for s in seen.iter().filter(|s| s.route == Route::Poll && s.complete) {
            let polled = polled_id(&s.body, &s.target);
            match polled.as_deref().and_then(exact_u64) {
                Some(n) if good.contains(&n) => {}
                _ => fail(format!(
                    "polled task {polled:?}, which the service never handed out (it handed out {ids:?})"
                )),
            }
        }
        // No redirect followed.
        for s in seen {
            if s.target.contains("/moved") || s.host.starts_with("localhost") {
                fail(format!(
                    "followed a redirect to {} (host {})",
                    s.target, s.host
                ));
            }
        }
        // A deadline error comes after at least one poll of the task it created.
        let polls = seen.iter().filter(|s| s.route == Route::Poll).count();
        if !creates.is_empty() && polls == 0 && self.timeout {
            fail(format!(
                "created a task and gave up at the deadline without polling it once: {}",
                excerpt(&self.message)
            ));
        }
        if self.refused_locally && !seen.is_empty() {
            fail("refused locally, yet sent requests".into());
        }
        if case.sends_nothing && (!self.refused_locally || !seen.is_empty()) {
            fail(format!(
                "should be refused before anything is sent; {} requests were sent: {}",
                seen.len(),
                excerpt(&self.message)
            ));
        }
        // Mentions.
        if self.token.is_none() && !case.mentions.is_empty() {
            let lower = self.own_text().to_lowercase();
            if !case.mentions.iter().any(|m| lower.contains(m)) {
                fail(format!(
                    "the error should mention one of {:?}: {}",
                    case.mentions,
                    excerpt(&self.message)
                ));
            }
        }
        // No secret anywhere.
        for (secret, what) in
            secrets()
                .into_iter()
                .zip(["key", "key without its suffix", "proxy password"])
        {
            let leaks: Vec<&String> = std::iter::once(&self.message)
                .chain(&self.other_output)
                .filter(|text| text.contains(secret))
                .collect();
            if let Some(first) = leaks.first() {
                fail(format!(
                    "the {what} is in {} outputs or trace lines, e.g. {}",
                    leaks.len(),
                    excerpt(first)
                ));
            }
        }
        // No raw control character in the message.
        let raw = control_chars(&self.message, self.multiline);
        if !raw.is_empty() {
            let line = self
                .message
                .lines()
                .find(|l| l.contains(raw[0]))
                .unwrap_or(&self.message);
            fail(format!(
                "raw control characters {raw:?}, e.g. in the line: {}",
                excerpt(line)
            ));
        }
        if self
            .message
            .lines()
            .any(|l| l.trim_start().starts_with("capmonster: forged"))
        {
            fail(format!(
                "a forged line reached the output: {}",
                excerpt(&self.message)
            ));
        }
        // Finding 8: a message that says the same thing twice. Only where the server's text
        // cannot be the repetition: an echo of the request says what it likes (and its two
        // secrets both read "[redacted]").
        let echoes = case
            .create
            .iter()
            .chain(&case.poll)
            .any(|r| matches!(r.body, Body::EchoHtml | Body::EchoJson));
        let own_lines: Vec<&str> = if echoes {
            Vec::new()
        } else if self.multiline {
            self.message
                .lines()
                .filter(|l| l.starts_with("capmonster: "))
                .collect()
        } else {
            vec![self.message.as_str()]
        };
        for line in own_lines {
            if let Some(twice) = repeated_phrase(line) {
                fail(format!(
                    "the message says {twice:?} twice: {}",
                    excerpt(line)
                ));
            }
        }
        // The deadline.
        if self.took > self.limit {
            fail(format!("took {:?}, more than {:?}", self.took, self.limit));
        }
        broken
    }
}

/// A phrase (8 characters or more between punctuation) that `text` says twice.
pub fn repeated_phrase(text: &str) -> Option<String> {
    let phrases: Vec<&str> = text
        .split(['(', ')', ',', ';', ':', '"'])
        .map(str::trim)
        .filter(|p| p.len() >= 8)
        .collect();
    phrases
        .iter()
        .enumerate()
        .find(|(i, p)| phrases[i + 1..].contains(p))
        .map(|(_, p)| (*p).to_owned())
}

/// `text` escaped and cut to 300 characters, for a failure list.
pub fn excerpt(text: &str) -> String {
    let escaped = text.escape_debug().to_string();
    if escaped.chars().count() > 300 {
        format!("{}...", escaped.chars().take(300).collect::<String>())
    } else {
        escaped
    }
}

/// The tokens `case`'s ready answers carry: [`TOKEN`], and the `gRecaptchaResponse` string of
/// every ready answer that reads as JSON.
fn served_tokens(case: &Case) -> Vec<String> {
    let mut tokens = vec![TOKEN.to_owned()];
    for r in &case.poll {
        if let Body::Bytes(b) | Body::Trickle(b, _) = &r.body {
            if let Ok(v) = serde_json::from_slice::<serde_json::Value>(b) {
                if let Some(t) = v
                    .pointer("/solution/gRecaptchaResponse")
                    .and_then(|t| t.as_str())
                {
                    tokens.push(t.to_owned());
                }
            }
        }
    }
    tokens
}

/// The task id a getTaskResult request asks for (JSON `taskId`, or the URL form's `id=`).
pub fn polled_id(body: &str, target: &str) -> Option<String> {
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(body) {
        if let Some(id) = v.get("taskId") {
            return Some(id.to_string());
        }
    }
    for part in body.split('&').chain(target.split(['?', '&'])) {
        if let Some(id) = part.strip_prefix("id=") {
            return Some(id.to_owned());
        }
    }
    None
}
