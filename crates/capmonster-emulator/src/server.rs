//! The HTTP side: a hyper 1 server on a tokio listener, one task per connection, faults applied
//! between the wire and the engine.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tokio::time::Sleep;

use capmonster_proto::ErrorCode;

use crate::callback::{loopback_target, post};
use crate::config::CallbackFault;
use crate::config::{Config, SolveTime};
use crate::engine::{CallbackForm, CallbackOutcome, Engine, NewCallback, StatsQuery, TaskState};
use crate::fault::{FaultKind, FaultRule, Scope};
use crate::json_api::{Endpoint, Reply, error_body, handle, result_json};
use crate::site::{MAX_SITES, Site};
use crate::stats::Stats;
use crate::urlform::{self, FormRequest};

/// Request bodies larger than this are refused (an image is at most 50 KB; base64 and JSON add a
/// third, so 1 MiB is generous).
const MAX_BODY: u64 = 1024 * 1024;

/// hyper's read buffer per connection, which bounds a request head (hyper's default is ~400 KB).
const MAX_HEAD: usize = 64 * 1024;

const HTML_502: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

#[derive(Debug)]
struct Shared {
    engine: Mutex<Engine>,
    /// The open connections, for the cap.
    connections: Mutex<HashMap<u64, Arc<ConnState>>>,
    limits: Limits,
    /// The origin of [`ConnState`]'s millisecond stamps.
    epoch: Instant,
    /// Request-body bytes that may still be reserved ([`Config::max_body_bytes_in_flight`]).
    body_budget: AtomicUsize,
}

impl Shared {
    fn engine(&self) -> MutexGuard<'_, Engine> {
        // A panic while holding the lock leaves counters at worst off by one: keep serving.
        self.engine.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn connections(&self) -> MutexGuard<'_, HashMap<u64, Arc<ConnState>>> {
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Milliseconds since the server started, plus one (0 means "not set" in [`ConnState`]).
    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX - 1) + 1
    }

    /// Closes the connection that has been idle the longest, else the one that has waited
    /// longest for a request body; `false` if every open connection is handling a request.
    fn evict_one(&self, conns: &mut HashMap<u64, Arc<ConnState>>) -> bool {
        let pick = |phase: u8| {
            conns
                .iter()
                .filter(|(_, c)| c.phase.load(Ordering::Relaxed) == phase)
                // Times are in milliseconds, so a burst of connections ties: the id (the
                // order they were accepted in) breaks the tie, oldest first.
                .min_by_key(|(id, c)| (c.since.load(Ordering::Relaxed), **id))
                .map(|(id, _)| *id)
        };
        let Some(id) = pick(PHASE_IDLE).or_else(|| pick(PHASE_BODY)) else {
            return false;
        };
        if let Some(c) = conns.remove(&id) {
            c.close.notify_one();
        }
        true
    }
}

/// Request-body bytes reserved from [`Shared::body_budget`] until the request is answered.
#[derive(Debug)]
struct BodyReservation {
    shared: Arc<Shared>,
    bytes: usize,
}

impl BodyReservation {
    /// Reserves `bytes`, or `None` if the budget does not have them.
    fn take(shared: &Arc<Shared>, bytes: usize) -> Option<Self> {
        shared
            .body_budget
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |left| {
                left.checked_sub(bytes)
            })
            .ok()?;
        Some(Self {
            shared: shared.clone(),
            bytes,
        })
    }
}

impl Drop for BodyReservation {
    fn drop(&mut self) {
        self.shared
            .body_budget
            .fetch_add(self.bytes, Ordering::AcqRel);
    }
}

/// A reply that also closes the connection (the request's body is left unread).
fn closing(reply: Reply) -> Response<EmuBody> {
    let mut resp = build(reply, None);
    resp.headers_mut().insert(
        hyper::header::CONNECTION,
        hyper::header::HeaderValue::from_static("close"),
    );
    resp
}

/// The server's limits, from [`Config`] (real time).
#[derive(Debug, Clone, Copy)]
struct Limits {
    header_read: Duration,
    body_read: Duration,
    idle: Duration,
    max_connections: usize,
}

/// No request in progress: before the first, or between keep-alive requests.
const PHASE_IDLE: u8 = 0;
/// A request's head has arrived; its body is being read.
const PHASE_BODY: u8 = 1;
/// A request is being answered.
const PHASE_BUSY: u8 = 2;

/// One connection as the cap and the timeouts see it.
#[derive(Debug, Default)]
struct ConnState {
    /// `PHASE_*`.
    phase: AtomicU8,
    /// When the phase last changed ([`Shared::now_ms`]).
    since: AtomicU64,
    /// When the first byte of the next request head arrived while idle (0: not yet).
    head_started: AtomicU64,
    /// Wakes the connection's watchdog when the phase changes or a head starts.
    wake: Notify,
    /// Closes the connection (evicted by the cap).
    close: Notify,
}

impl ConnState {
    fn set_phase(&self, phase: u8, now_ms: u64) {
        self.phase.store(phase, Ordering::Relaxed);
        self.since.store(now_ms, Ordering::Relaxed);
        self.head_started.store(0, Ordering::Relaxed);
        self.wake.notify_one();
    }
}

/// Sets a connection idle again when its request is answered, or its answer is dropped.
#[derive(Debug)]
struct PhaseGuard {
    shared: Arc<Shared>,
    conn: Arc<ConnState>,
}

impl Drop for PhaseGuard {
    fn drop(&mut self) {
        self.conn.set_phase(PHASE_IDLE, self.shared.now_ms());
    }
}

/// The warning printed when the emulator binds `host`, or `None` for a loopback address.
///
/// The emulator has no authentication worth the name (any key is accepted unless keys are
/// configured) and no TLS, so anything that can reach a non-loopback address can use it.
pub fn bind_warning(host: std::net::IpAddr) -> Option<String> {
    (!host.is_loopback()).then(|| {
        format!(
            "warning: the CapMonster emulator is listening on {host}, which is not a loopback address: it has no real authentication and no TLS, so anyone who can reach this address can use it (bind 127.0.0.1 unless you mean this)"
        )
    })
}

/// Starts emulators.
#[derive(Debug, Clone, Copy, Default)]
pub struct Emulator;

impl Emulator {
    /// Binds `config.host:config.port` and serves on the current tokio runtime until the handle
    /// is stopped or dropped.
    pub async fn start(config: Config) -> io::Result<EmulatorHandle> {
        let (addr, shared, stop_tx, task) = spawn_server(config).await?;
        Ok(EmulatorHandle {
            addr,
            shared,
            stop_tx,
            task: Some(task),
            thread: None,
        })
    }
}

type Spawned = (
    SocketAddr,
    Arc<Shared>,
    watch::Sender<bool>,
    tokio::task::JoinHandle<()>,
);

async fn spawn_server(config: Config) -> io::Result<Spawned> {
    if config.sites.len() > MAX_SITES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} simulated sites configured; at most {MAX_SITES} are kept apart (use a site with the key * for a whole host)",
                config.sites.len()
            ),
        ));
    }
    let listener = TcpListener::bind((config.host, config.port)).await?;
    let addr = listener.local_addr()?;
    if let Some(warning) = bind_warning(addr.ip()) {
        eprintln!("{warning}");
    }
    let shared = Arc::new(Shared {
        engine: Mutex::new(Engine::new(&config)),
        connections: Mutex::new(HashMap::new()),
        limits: Limits {
            header_read: config.header_read_timeout,
            body_read: config.body_read_timeout,
            idle: config.idle_timeout,
            max_connections: config.max_connections.max(1),
        },
        epoch: Instant::now(),
        body_budget: AtomicUsize::new(config.max_body_bytes_in_flight),
    });
    let (stop_tx, stop_rx) = watch::channel(false);
    let task = tokio::spawn(accept_loop(listener, shared.clone(), stop_rx));
    Ok((addr, shared, stop_tx, task))
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            biased;
            _ = stop.changed() => break,
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _peer)) => stream,
                    Err(e) => {
                        // Out of file descriptors (EMFILE, ENFILE): close the longest idle
                        // connection so that idle sockets cannot lock everyone out, and let its
                        // task run (which closes it) before accepting again. Other errors, or
                        // nothing to close: back off briefly instead of spinning.
                        if matches!(e.raw_os_error(), Some(23 | 24))
                            && shared.evict_one(&mut shared.connections())
                        {
                            shared.engine().note_connection_evicted();
                            tokio::task::yield_now().await;
                        } else {
                            tokio::time::sleep(Duration::from_millis(10)).await;
                        }
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let conn = Arc::new(ConnState::default());
                conn.since.store(shared.now_ms(), Ordering::Relaxed);
                let id = shared.engine().note_connection();
                let (evicted, admitted) = {
                    let mut conns = shared.connections();
                    let mut evicted = false;
                    let admitted = conns.len() < shared.limits.max_connections || {
                        evicted = shared.evict_one(&mut conns);
                        evicted
                    };
                    if admitted {
                        conns.insert(id, conn.clone());
                    }
                    (evicted, admitted)
                };
                if evicted {
                    shared.engine().note_connection_evicted();
                }
                if !admitted {
                    // Every open connection is answering a request: close this one.
                    shared.engine().note_connection_refused();
                    drop(stream);
                    continue;
                }
                tokio::spawn(serve_connection(shared.clone(), stream, id, conn, stop.clone()));
            }
        }
    }
}

/// Removes a connection from the open set when its task ends.
#[derive(Debug)]
struct Registered {
    shared: Arc<Shared>,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.shared.connections().remove(&self.id);
    }
}

async fn serve_connection(
    shared: Arc<Shared>,
    stream: TcpStream,
    id: u64,
    state: Arc<ConnState>,
    mut stop: watch::Receiver<bool>,
) {
    let _registered = Registered {
        shared: shared.clone(),
        id,
    };
    let stream = Arc::new(stream);
    let reset = Arc::new(Notify::new());
    let io = TokioIo::new(SharedStream {
        stream: stream.clone(),
        conn: state.clone(),
        shared: shared.clone(),
    });
    let reset_in_service = reset.clone();
    let stop_in_service = stop.clone();
    let shared_in_service = shared.clone();
    let state_in_service = state.clone();
    let service = service_fn(move |req| {
        respond(
            Connection {
                shared: shared_in_service.clone(),
                id,
                state: state_in_service.clone(),
                reset: reset_in_service.clone(),
                stop: stop_in_service.clone(),
            },
            req,
        )
    });
    let conn = http1::Builder::new()
        .keep_alive(true)
        // A request head (line and headers) over this is refused (431) instead of buffered.
        .max_buf_size(MAX_HEAD)
        .serve_connection(io, service);
    tokio::select! {
        _ = conn => {}
        _ = reset.notified() => {
            // SO_LINGER 0: closing sends RST instead of FIN. The connection future (and its
            // clone of the stream) is dropped when this select ends; ours goes last.
            let _ = stream.set_zero_linger();
        }
        _ = watchdog(&shared, &state) => shared.engine().note_connection_timed_out(),
        _ = state.close.notified() => {}
        _ = stop.changed() => {}
    }
}

/// Returns when the connection has been idle for [`Config::idle_timeout`], or has taken longer
/// than [`Config::header_read_timeout`] to send a request head since its first byte. The body
/// timeout is kept by `respond`.
async fn watchdog(shared: &Shared, conn: &ConnState) {
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX / 4);
    let (head_ms, idle_ms) = (ms(shared.limits.header_read), ms(shared.limits.idle));
    loop {
        let deadline = match conn.phase.load(Ordering::Relaxed) {
            PHASE_IDLE => match conn.head_started.load(Ordering::Relaxed) {
                0 => Some(conn.since.load(Ordering::Relaxed).saturating_add(idle_ms)),
                started => Some(started.saturating_add(head_ms)),
            },
            _ => None,
        };
        match deadline {
            Some(deadline) => {
                let now = shared.now_ms();
                if now >= deadline {
                    return;
                }
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(deadline - now)) => {}
                    _ = conn.wake.notified() => {}
                }
            }
            None => conn.wake.notified().await,
        }
    }
}

/// What a request's handler knows of its connection.
#[derive(Debug)]
struct Connection {
    shared: Arc<Shared>,
    id: u64,
    state: Arc<ConnState>,
    reset: Arc<Notify>,
    stop: watch::Receiver<bool>,
}

async fn respond(
    conn: Connection,
    req: Request<Incoming>,
) -> Result<Response<EmuBody>, Infallible> {
    let Connection {
        shared,
        id: connection,
        state,
        reset,
        stop,
    } = conn;
    state.set_phase(PHASE_BODY, shared.now_ms());
    let _idle_again = PhaseGuard {
        shared: shared.clone(),
        conn: state.clone(),
    };
    let endpoint = Endpoint::from_path(req.uri().path());
    let is_post = req.method() == hyper::Method::POST;
    let is_get = req.method() == hyper::Method::GET;
    let query = req.uri().query().map(str::to_owned);
    let content_type = req
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let hint = hyper::body::Body::size_hint(req.body());
    let too_big = hint.lower() > MAX_BODY;
    // Reserve the body's bytes (its Content-Length, or the most a body may be) so that stalled
    // or slow uploads cannot hold more than the budget between them.
    let wanted = hint.upper().unwrap_or(MAX_BODY).min(MAX_BODY);
    let _reservation = if too_big {
        None
    } else {
        match BodyReservation::take(&shared, usize::try_from(wanted).unwrap_or(usize::MAX)) {
            Some(r) => Some(r),
            None => {
                shared.engine().note_body_budget_refusal();
                let text = "Too many request bodies in flight; try again shortly";
                let reply = if endpoint.is_url_form() {
                    urlform::error_reply(false, "ERROR_NO_SLOT_AVAILABLE", text, 503)
                } else {
                    let dialect = shared.engine().dialect;
                    Reply::json(503, &error_body(dialect, &ErrorCode::NoSlotAvailable, text))
                };
                return Ok(closing(reply));
            }
        }
    };
    let body = if too_big {
        Bytes::new()
    } else {
        let collect = http_body_util::Limited::new(req.into_body(), MAX_BODY as usize).collect();
        match tokio::time::timeout(shared.limits.body_read, collect).await {
            Ok(Ok(c)) => c.to_bytes(),
            Ok(Err(_)) => Bytes::new(),
            Err(_) => {
                shared.engine().note_body_timeout();
                return Ok(closing(Reply::text(
                    408,
                    "text/plain; charset=utf-8",
                    "Request Timeout: the request body did not arrive in time",
                )));
            }
        }
    };
    state.set_phase(PHASE_BUSY, shared.now_ms());
    // The URL form's parameters decide its fault scope and whether it answers JSON.
    let form = endpoint
        .is_url_form()
        .then(|| FormRequest::parse(endpoint, query.as_deref(), &body, content_type.as_deref()));
    // The JSON API takes POST only; the URL form GET and POST.
    let method_ok = if form.is_some() {
        is_post || is_get
    } else {
        is_post
    };
    let scope = match &form {
        Some(f) => f.scope(),
        None => endpoint.scope(),
    };
    let (fault, reply, stall) = {
        let mut engine = shared.engine();
        engine.note_request(connection, endpoint.name());
        let fault = match scope {
            Some(scope) if method_ok => engine.pick_fault(scope),
            _ => None,
        };
        let early = fault.and_then(|kind| fault_reply(&mut engine, kind, form.as_ref()));
        let stall = match fault {
            Some(FaultKind::Stall { duration }) => Some(engine.clock.real(duration)),
            _ => None,
        };
        (fault, early, stall)
    };
    if fault == Some(FaultKind::Reset) {
        reset.notify_one();
        return std::future::pending().await;
    }
    if let Some(reply) = reply {
        return Ok(build(reply, None));
    }
    if let Some(d) = stall {
        tokio::time::sleep(d).await;
    }
    let reply = if let Some(form) = &form {
        if !method_ok {
            urlform::error_reply(
                form.wants_json(),
                "ERROR_BAD_PARAMETERS",
                "in.php and res.php take GET or POST",
                405,
            )
        } else if too_big {
            urlform::error_reply(
                form.wants_json(),
                "ERROR_TOO_BIG_CAPTCHA_FILESIZE",
                "Request body too large",
                413,
            )
        } else {
            let mut engine = shared.engine();
            let reply = urlform::handle(&mut engine, form);
            spawn_callbacks(&shared, &mut engine, &stop);
            reply
        }
    } else if !method_ok && scope.is_some() {
        let engine = shared.engine();
        Reply::json(
            405,
            &error_body(
                engine.dialect,
                &ErrorCode::NoSuchMethod,
                "API methods take a POST with a JSON body",
            ),
        )
    } else if too_big {
        let engine = shared.engine();
        Reply::json(
            413,
            &error_body(
                engine.dialect,
                &ErrorCode::TooBigCaptchaFilesize,
                "Request body too large",
            ),
        )
    } else if endpoint == Endpoint::Stats {
        stats_reply(&shared, query.as_deref())
    } else if endpoint == Endpoint::SitesVerify && !is_post {
        Reply::json(
            405,
            &serde_json::json!({
                "accepted": false, "reason": "bad_request",
                "error": "the verify endpoint takes a POST with a JSON body",
            }),
        )
    } else {
        let mut engine = shared.engine();
        let reply = handle(&mut engine, endpoint, &body);
        spawn_callbacks(&shared, &mut engine, &stop);
        reply
    };
    match fault {
        Some(FaultKind::ResetAfterProcessing) => {
            reset.notify_one();
            std::future::pending().await
        }
        Some(FaultKind::Dribble { chunk, interval }) => Ok(build(reply, Some((chunk, interval)))),
        _ => Ok(build(reply, None)),
    }
}

/// `GET /_emulator/stats`: the counters, and a page of records when asked. The engine is
/// locked only to copy them (bounded by the page size); the JSON is written after.
fn stats_reply(shared: &Shared, query: Option<&str>) -> Reply {
    let q = StatsQuery::parse(query);
    let open = shared.connections().len();
    let mut page = shared.engine().stats_page(&q);
    page["connections_open"] = open.into();
    Reply::json(200, &page)
}

/// The answer a fault sends instead of the normal one, in the request's wire form; `None` for the
/// faults applied around the normal answer (resets, stalls, dribbles).
fn fault_reply(engine: &mut Engine, kind: FaultKind, form: Option<&FormRequest>) -> Option<Reply> {
    let dialect = engine.dialect;
    // A status and an error for the wire form: JSON API body, or the URL form's text/JSON.
    let error = |status: u16, code: &ErrorCode, text: &str| match form {
        Some(f) => urlform::error_reply(f.wants_json(), code.as_str(), text, status),
        None => Reply::json(status, &error_body(dialect, code, text)),
    };
    Some(match kind {
        FaultKind::NoSlot => {
            engine.note_error(&ErrorCode::NoSlotAvailable);
            error(
                200,
                &ErrorCode::NoSlotAvailable,
                "No idle workers are available at the moment",
            )
        }
        FaultKind::Http429Json => error(429, &ErrorCode::TooMuchRequests, "Too many requests"),
        FaultKind::Http429Empty => Reply::text(429, "text/plain", ""),
        FaultKind::Http500 => {
            Reply::text(500, "text/plain; charset=utf-8", "Internal Server Error")
        }
        FaultKind::Http503Json => error(
            503,
            &ErrorCode::NoSlotAvailable,
            "Service temporarily unavailable",
        ),
        FaultKind::Html502 => Reply::text(502, "text/html", HTML_502),
        FaultKind::EmptyBody => {
            let content_type = if form.is_some_and(|f| !f.wants_json()) {
                "text/plain; charset=utf-8"
            } else {
                "application/json"
            };
            Reply::text(200, content_type, "")
        }
        _ => return None,
    })
}

/// Waits until the task is done, then POSTs its result to `url` (loopback `http://` only).
async fn send_callback(shared: Arc<Shared>, cb: NewCallback, mut stop: watch::Receiver<bool>) {
    let Some(target) = loopback_target(&cb.url) else {
        shared.engine().note_callback(CallbackOutcome::Refused);
        return;
    };
    let mut wait = shared.engine().clock.real(cb.delay) + Duration::from_millis(1);
    let (content_type, body) = loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
        let mut engine = shared.engine();
        let state = match engine.peek_result(cb.id) {
            Ok(TaskState::Processing) => {
                wait = Duration::from_millis(5);
                continue;
            }
            Ok(state) => Ok(state),
            Err(r) if r.code == ErrorCode::CaptchaUnsolvable => Err(r),
            // Expired or gone: nothing to send.
            Err(_) => return,
        };
        break match cb.form {
            CallbackForm::Json => {
                let body = match state {
                    Ok(state) => result_json(engine.dialect, state),
                    Err(r) => error_body(engine.dialect, &r.code, &r.description),
                };
                ("application/json", body.to_string())
            }
            CallbackForm::UrlForm => (
                "application/x-www-form-urlencoded",
                urlform::pingback_body(cb.id, &state),
            ),
        };
    };
    let fault = match cb.form {
        CallbackForm::Json => shared.engine().callback_fault,
        CallbackForm::UrlForm => CallbackFault::None,
    };
    let body = Bytes::from(body);
    let sent = match fault {
        CallbackFault::Drop => false,
        CallbackFault::Twice => {
            let first = post(&target, content_type, body.clone()).await;
            post(&target, content_type, body).await && first
        }
        CallbackFault::Delay(delay) => {
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = stop.changed() => return,
            }
            post(&target, content_type, body).await
        }
        _ => post(&target, content_type, body).await,
    };
    shared.engine().note_callback(if sent {
        CallbackOutcome::Sent
    } else {
        CallbackOutcome::Failed
    });
}

/// Starts the callbacks of the tasks created by the request just answered.
fn spawn_callbacks(shared: &Arc<Shared>, engine: &mut Engine, stop: &watch::Receiver<bool>) {
    for cb in engine.take_callbacks() {
        tokio::spawn(send_callback(shared.clone(), cb, stop.clone()));
    }
}

fn build(reply: Reply, dribble: Option<(usize, Duration)>) -> Response<EmuBody> {
    let body = match dribble {
        Some((chunk, interval)) => EmuBody::Dribble {
            data: reply.body,
            chunk,
            interval,
            sleep: None,
            wait: false,
        },
        None => EmuBody::Full(Some(reply.body)),
    };
    let mut resp = Response::new(body);
    *resp.status_mut() = hyper::StatusCode::from_u16(reply.status).unwrap_or(hyper::StatusCode::OK);
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(reply.content_type),
    );
    resp
}

/// A response body: all at once, or dribbled a few bytes at a time.
#[derive(Debug)]
enum EmuBody {
    Full(Option<Bytes>),
    Dribble {
        data: Bytes,
        chunk: usize,
        interval: Duration,
        sleep: Option<Pin<Box<Sleep>>>,
        wait: bool,
    },
}

impl hyper::body::Body for EmuBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            EmuBody::Full(data) => Poll::Ready(
                data.take()
                    .filter(|d| !d.is_empty())
                    .map(|d| Ok(Frame::data(d))),
            ),
            EmuBody::Dribble {
                data,
                chunk,
                interval,
                sleep,
                wait,
            } => {
                if data.is_empty() {
                    return Poll::Ready(None);
                }
                if *wait {
                    let s = sleep.get_or_insert_with(|| Box::pin(tokio::time::sleep(*interval)));
                    ready!(s.as_mut().poll(cx));
                    *sleep = None;
                    *wait = false;
                }
                let piece = data.split_to((*chunk).min(data.len()));
                *wait = true;
                Poll::Ready(Some(Ok(Frame::data(piece))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            EmuBody::Full(d) => d.as_ref().is_none_or(Bytes::is_empty),
            EmuBody::Dribble { data, .. } => data.is_empty(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        let len = match self {
            EmuBody::Full(d) => d.as_ref().map_or(0, Bytes::len),
            EmuBody::Dribble { data, .. } => data.len(),
        };
        SizeHint::with_exact(len as u64)
    }
}

/// A TCP stream shared between hyper and the connection task, so that the task can still set
/// `SO_LINGER` and close it (a reset) while hyper owns the I/O. Reads note when the next
/// request's head starts (for the head timeout).
#[derive(Debug)]
struct SharedStream {
    stream: Arc<TcpStream>,
    conn: Arc<ConnState>,
    shared: Arc<Shared>,
}

impl AsyncRead for SharedStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            ready!(self.stream.poll_read_ready(cx))?;
            let want = buf.remaining().min(16 * 1024);
            let dst = buf.initialize_unfilled_to(want);
            match self.stream.try_read(dst) {
                Ok(n) => {
                    buf.advance(n);
                    let c = &self.conn;
                    if n > 0
                        && c.phase.load(Ordering::Relaxed) == PHASE_IDLE
                        && c.head_started.load(Ordering::Relaxed) == 0
                    {
                        c.head_started
                            .store(self.shared.now_ms(), Ordering::Relaxed);
                        c.wake.notify_one();
                    }
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl AsyncWrite for SharedStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            ready!(self.stream.poll_write_ready(cx))?;
            match self.stream.try_write(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                other => return Poll::Ready(other),
            }
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        loop {
            ready!(self.stream.poll_write_ready(cx))?;
            match self.stream.try_write_vectored(bufs) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                other => return Poll::Ready(other),
            }
        }
    }

    fn is_write_vectored(&self) -> bool {
        true
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // The socket closes (FIN) when the last clone is dropped.
        Poll::Ready(Ok(()))
    }
}

/// A running emulator. Stops on [`EmulatorHandle::stop`] or when dropped.
///
/// Every setter takes effect for the next request.
#[derive(Debug)]
pub struct EmulatorHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop_tx: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EmulatorHandle {
    /// Starts an emulator on its own single-threaded tokio runtime, on a background thread, so
    /// that code without tokio (the blocking front end, the CLI) can use it.
    pub fn start_blocking(config: Config) -> io::Result<EmulatorHandle> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?;
        let (tx, rx) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("capmonster-emulator".into())
            .spawn(move || {
                rt.block_on(async move {
                    match spawn_server(config).await {
                        Ok((addr, shared, stop_tx, task)) => {
                            let mut stop_rx = stop_tx.subscribe();
                            if tx.send(Ok((addr, shared, stop_tx))).is_err() {
                                return;
                            }
                            // Serve until stopped; the accept loop also watches the same signal.
                            let _ = stop_rx.wait_for(|s| *s).await;
                            let _ = task.await;
                        }
                        Err(e) => {
                            let _ = tx.send(Err(e));
                        }
                    }
                });
            })?;
        let (addr, shared, stop_tx) = rx
            .recv()
            .map_err(|_| io::Error::other("the emulator thread stopped before it started"))??;
        Ok(EmulatorHandle {
            addr,
            shared,
            stop_tx,
            task: None,
            thread: Some(thread),
        })
    }

    /// The base URL to give a client: `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        let open = self.shared.connections().len();
        let mut stats = self.shared.engine().stats();
        stats.connections_open = open as u64;
        stats
    }

    /// Adds a fault rule (a rate, or a script of the next N requests in a scope).
    pub fn add_fault(&self, rule: FaultRule) {
        self.shared.engine().add_fault(rule);
    }

    /// Makes the next `n` answers in `scope` fail with `kind`.
    pub fn script_faults(&self, scope: Scope, kind: FaultKind, n: u32) {
        self.add_fault(FaultRule::next(kind, scope, n));
    }

    /// Removes every fault rule and script.
    pub fn clear_faults(&self) {
        self.shared.engine().clear_faults();
    }

    /// Sets the solve time of every kind (and clears per-type settings).
    pub fn set_solve_time(&self, t: SolveTime) {
        self.shared.engine().set_solve_time(t);
    }

    /// Sets the solve time of one type (`ImageToTextTask`, `CustomTask/DataDome`, ...).
    pub fn set_solve_time_for(&self, type_name: &str, t: SolveTime) {
        self.shared
            .engine()
            .set_solve_time_for(type_name.to_owned(), t);
    }

    /// Changes the speed-up factor from now on (tasks already created keep their emulated ready time).
    pub fn set_speed(&self, factor: f64) {
        self.shared.engine().clock.set_speed(factor);
    }

    /// The speed-up factor.
    pub fn speed(&self) -> f64 {
        self.shared.engine().clock.speed()
    }

    /// Changes the price of a solved task.
    pub fn set_price(&self, usd: f64) {
        self.shared.engine().set_price(usd);
    }

    /// Sets a key's balance, adding the key. Once a key is set this way, unknown keys are refused.
    pub fn set_balance(&self, key: &str, usd: f64) {
        self.shared.engine().set_balance(key, usd);
    }

    /// Adds a simulated site, or replaces the one with the same host and key (see
    /// [`Config::sites`]). A new site applies to tasks created from now on; a replaced one keeps
    /// its tasks and counts, and its new probabilities apply to every later verification.
    /// `false` (and nothing changes) when [`MAX_SITES`] sites are simulated already.
    pub fn set_site(&self, site: Site) -> bool {
        self.shared.engine().set_site(site)
    }

    /// Emulated time since start (real time multiplied by the speed factor).
    pub fn emulated_now(&self) -> Duration {
        self.shared.engine().clock.now()
    }

    /// Stops serving: closes the listener and every connection. When started with
    /// [`EmulatorHandle::start_blocking`], waits for the background thread to end.
    pub fn stop(mut self) {
        self.stop_inner();
    }

    /// Stops serving and waits until the listener is closed (for handles from [`Emulator::start`]).
    pub async fn shutdown(mut self) {
        let _ = self.stop_tx.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.stop_inner();
    }

    fn stop_inner(&mut self) {
        let _ = self.stop_tx.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        self.stop_inner();
    }
}
