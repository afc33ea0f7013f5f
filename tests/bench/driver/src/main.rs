//! `capmonster-bench`: runs N concurrent ImageToText solves against a running emulator and writes
//! one JSON file per run, for `tests/bench/run.sh` and `tests/bench/report.py`.
//!
//! ```text
//! capmonster-bench --url http://127.0.0.1:PORT --mode MODE -n N --out FILE
//!     [--table default|official] [--adaptive] [--warmup W] [--threads T] [--concurrency C]
//!     [--pingback]
//! ```
//!
//! Modes:
//! * `async`: our reqwest client, all N solves at once through `Client::solve_all` on a
//!   single-threaded tokio runtime (the process is pinned to one core anyway); `--concurrency C`
//!   caps the solves in flight at C instead.
//! * `blocking`: our ureq client on a pool of `--threads` threads (default 200).
//! * `bare-reqwest`, `bare-ureq`: the transport limit. The same request sequence (createTask, then
//!   getTaskResult at the table's first delay and interval) with pre-built bodies, the task id cut
//!   out of the answer by a byte search, and "ready" found by a substring test: no protocol work.
//!
//! `--table official` uses `TimingTable::official()` with the interval floor lowered to 200 ms
//! (first poll 350 ms, then every 200 ms for images, like the official clients). `--adaptive`
//! shares one `AdaptiveTiming` across the solves; `--warmup W` first solves W tasks (their ids are
//! listed apart, so the report leaves them out), so that the learnt timing is in use from the first
//! measured solve.
//!
//! `--pingback` (modes `async` and `blocking`): pingback mode, with the async crate's
//! `serve_pingbacks` on 127.0.0.1 (its own thread) handing the emulator's callbacks to the client.
//!
//! Every result carries the task id and the wall-clock (UNIX ms) time the client had the answer,
//! which the report joins with the emulator's per-task `ready_unix_ms`. Only 127.0.0.1 is
//! accepted as a target. The run is bounded: N tasks, and every solve has the table's deadline.

use std::io::{Read as _, Write as _};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use capmonster_async::proto::solver::TimingTable;
use capmonster_async::{AdaptiveTiming, ImageToTextTask, Policy};
use futures_util::StreamExt as _;
use serde_json::{Value, json};

const KEY: &str = "0123456789abcdef0123456789abcdef";

/// The peers' image: bytes 0..=255 twice (512 bytes), so every client sends the same body size.
fn image() -> Vec<u8> {
    (0..512u32).map(|i| (i % 256) as u8).collect()
}

#[derive(Debug, Clone)]
struct Args {
    url: String,
    mode: String,
    n: usize,
    out: String,
    official: bool,
    adaptive: bool,
    warmup: usize,
    threads: usize,
    concurrency: Option<usize>,
    pingback: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        url: String::new(),
        mode: "async".into(),
        n: 200,
        out: String::new(),
        official: false,
        adaptive: false,
        warmup: 0,
        threads: 200,
        concurrency: None,
        pingback: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => a.url = val()?,
            "--mode" => a.mode = val()?,
            "-n" => a.n = val()?.parse().map_err(|_| "-n: not a number")?,
            "--out" => a.out = val()?,
            "--table" => a.official = val()? == "official",
            "--adaptive" => a.adaptive = true,
            "--pingback" => a.pingback = true,
            "--warmup" => a.warmup = val()?.parse().map_err(|_| "--warmup: not a number")?,
            "--threads" => a.threads = val()?.parse().map_err(|_| "--threads: not a number")?,
            "--concurrency" => {
                a.concurrency = Some(val()?.parse().map_err(|_| "--concurrency: not a number")?);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if !a.url.starts_with("http://127.0.0.1:") {
        return Err("--url must be http://127.0.0.1:PORT (loopback only)".into());
    }
    if a.out.is_empty() {
        return Err("--out FILE is required".into());
    }
    Ok(a)
}

fn unix_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// One finished solve: task id (0 if none), client receive time, requests the client counted, ok.
type Row = (u64, f64, u32, bool);

fn policy(official: bool) -> Policy {
    if official {
        Policy::new()
            .with_table(TimingTable::official())
            .with_min_interval(Duration::from_millis(200))
    } else {
        Policy::new()
    }
}

/// First delay and interval of the ImageToText row, for the bare loops.
fn schedule(official: bool) -> (Duration, Duration) {
    if official {
        (Duration::from_millis(350), Duration::from_millis(200))
    } else {
        (Duration::from_millis(1000), Duration::from_secs(2))
    }
}

fn run_async(a: &Args) -> Result<(Vec<Row>, Vec<u64>), String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut builder = capmonster_async::Client::builder()
        .api_key(KEY)
        .base_url(&a.url)
        .policy(policy(a.official));
    let receiver = pingback_receiver(a)?;
    if let Some((base, _)) = &receiver {
        builder = builder.pingback(base);
    }
    let mut client = builder.build().map_err(|e| e.to_string())?;
    if let Some((_, slot)) = receiver {
        let c = client.clone();
        let _ = slot.set(Box::new(move |path, body| c.deliver(path, body)));
    }
    if a.adaptive {
        client = client.with_adaptive_polling(Arc::new(Mutex::new(AdaptiveTiming::new())));
    }
    let img = image();
    rt.block_on(async {
        let batch = |n: usize| {
            let tasks = (0..n).map(|_| ImageToTextTask::from_image_bytes(&img));
            client
                .solve_all(tasks, a.concurrency.unwrap_or(n).max(1))
                .map(|(_, r)| match r {
                    Ok(s) => (s.task_id, unix_ms(), s.requests(), true),
                    Err(e) => (e.task_id().unwrap_or(0), unix_ms(), 0, false),
                })
                .collect::<Vec<Row>>()
        };
        let warm: Vec<u64> = if a.warmup > 0 {
            batch(a.warmup).await.iter().map(|r| r.0).collect()
        } else {
            Vec::new()
        };
        Ok((batch(a.n).await, warm))
    })
}

fn run_blocking(a: &Args) -> Result<Vec<Row>, String> {
    let mut builder = capmonster_blocking::Client::builder()
        .api_key(KEY)
        .base_url(&a.url)
        .policy(policy(a.official));
    let receiver = pingback_receiver(a)?;
    if let Some((base, _)) = &receiver {
        builder = builder.pingback(base);
    }
    let client = builder.build().map_err(|e| e.to_string())?;
    if let Some((_, slot)) = receiver {
        let c = client.clone();
        let _ = slot.set(Box::new(move |path, body| c.deliver(path, body)));
    }
    let img = image();
    let next = AtomicUsize::new(0);
    let rows = Mutex::new(Vec::with_capacity(a.n));
    std::thread::scope(|s| {
        for _ in 0..a.threads.max(1) {
            s.spawn(|| {
                while next.fetch_add(1, Ordering::Relaxed) < a.n {
                    let row = match client.solve(ImageToTextTask::from_image_bytes(&img)) {
                        Ok(s) => (s.task_id, unix_ms(), s.requests(), true),
                        Err(e) => (e.task_id().unwrap_or(0), unix_ms(), 0, false),
                    };
                    rows.lock().unwrap_or_else(|p| p.into_inner()).push(row);
                }
            });
        }
    });
    Ok(rows.into_inner().unwrap_or_else(|p| p.into_inner()))
}

/// Where `--pingback`'s receiver hands each delivery: the client's `deliver`, set once built.
type DeliverSlot = Arc<
    std::sync::OnceLock<
        Box<dyn Fn(&str, &[u8]) -> Result<(), capmonster_async::DeliveryRefused> + Send + Sync>,
    >,
>;

/// With `--pingback`, starts `serve_pingbacks` on 127.0.0.1 on its own thread (it lives as
/// long as the process) and returns the base URL and the slot for the client's `deliver`.
fn pingback_receiver(a: &Args) -> Result<Option<(String, DeliverSlot)>, String> {
    if !a.pingback {
        return Ok(None);
    }
    let slot: DeliverSlot = Arc::default();
    let deliver = Arc::clone(&slot);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let base = format!(
        "http://{}/cb",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async move {
            let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                return;
            };
            capmonster_async::serve_pingbacks(listener, |path, body| match deliver.get() {
                Some(deliver) => deliver(path, body),
                None => Err(capmonster_async::DeliveryRefused::NotConfigured),
            })
            .await;
        });
    });
    Ok(Some((base, slot)))
}

/// The pre-built bodies of the bare loops. The poll body needs the task id, so it is the two
/// constant halves around it.
struct Bodies {
    create: Vec<u8>,
    poll_head: &'static [u8],
    poll_tail: &'static [u8],
}

impl Bodies {
    fn new() -> Self {
        let create = json!({
            "clientKey": KEY,
            "task": {"type": "ImageToTextTask", "body": b64(&image())},
        });
        Self {
            create: serde_json::to_vec(&create).unwrap_or_default(),
            poll_head: br#"{"clientKey":"0123456789abcdef0123456789abcdef","taskId":"#,
            poll_tail: b"}",
        }
    }

    fn poll(&self, id: u64) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.poll_head.len() + 24);
        v.extend_from_slice(self.poll_head);
        v.extend_from_slice(id.to_string().as_bytes());
        v.extend_from_slice(self.poll_tail);
        v
    }
}

fn b64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The digits after `"taskId":` in a createTask answer.
fn task_id_of(body: &[u8]) -> Option<u64> {
    let key = b"\"taskId\":";
    let at = body.windows(key.len()).position(|w| w == key)? + key.len();
    let digits = body[at..].iter().take_while(|b| b.is_ascii_digit());
    digits.fold(None, |acc: Option<u64>, d| {
        Some(acc.unwrap_or(0) * 10 + u64::from(d - b'0'))
    })
}

fn is_ready(body: &[u8]) -> bool {
    body.windows(7).any(|w| w == b"\"ready\"")
}

/// The bare loop's give-up time (the default table's image deadline).
const BARE_DEADLINE: Duration = Duration::from_secs(30);

fn run_bare_reqwest(a: &Args) -> Result<Vec<Row>, String> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    // The workspace turns on reqwest's `rustls-no-provider` (through capmonster-async), so a
    // provider must be installed even for plain HTTP. An error means one is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(usize::MAX)
        .build()
        .map_err(|e| e.to_string())?;
    let bodies = Bodies::new();
    let create_url = format!("{}/createTask", a.url);
    let poll_url = format!("{}/getTaskResult", a.url);
    let (first, every) = schedule(a.official);
    let post = |url: &str, body: Vec<u8>| {
        let req = http
            .post(url)
            .header("content-type", "application/json")
            .body(body);
        async move {
            let r = req.send().await.ok()?;
            r.bytes().await.ok()
        }
    };
    let one = || async {
        let start = Instant::now();
        let Some(answer) = post(&create_url, bodies.create.clone()).await else {
            return (0, unix_ms(), 1, false);
        };
        let Some(id) = task_id_of(&answer) else {
            return (0, unix_ms(), 1, false);
        };
        let mut requests = 1;
        let mut at = Instant::now() + first;
        while start.elapsed() < BARE_DEADLINE {
            tokio::time::sleep_until(at.into()).await;
            requests += 1;
            if let Some(r) = post(&poll_url, bodies.poll(id)).await {
                if is_ready(&r) {
                    return (id, unix_ms(), requests, true);
                }
            }
            at = Instant::now() + every;
        }
        (id, unix_ms(), requests, false)
    };
    Ok(rt.block_on(
        futures_util::stream::iter(0..a.n)
            .map(|_| one())
            .buffer_unordered(a.n.max(1))
            .collect(),
    ))
}

fn run_bare_ureq(a: &Args) -> Result<Vec<Row>, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_idle_connections(a.threads.max(1) * 2)
        .max_idle_connections_per_host(a.threads.max(1) * 2)
        .build()
        .into();
    let bodies = Bodies::new();
    let create_url = format!("{}/createTask", a.url);
    let poll_url = format!("{}/getTaskResult", a.url);
    let (first, every) = schedule(a.official);
    let post = |url: &str, body: &[u8]| -> Option<Vec<u8>> {
        let mut r = agent
            .post(url)
            .header("content-type", "application/json")
            .send(body)
            .ok()?;
        let mut v = Vec::new();
        r.body_mut().as_reader().read_to_end(&mut v).ok()?;
        Some(v)
    };
    let one = || -> Row {
        let start = Instant::now();
        let Some(id) = post(&create_url, &bodies.create).and_then(|b| task_id_of(&b)) else {
            return (0, unix_ms(), 1, false);
        };
        let mut requests = 1;
        let mut wait = first;
        while start.elapsed() < BARE_DEADLINE {
            std::thread::sleep(wait);
            requests += 1;
            if post(&poll_url, &bodies.poll(id)).is_some_and(|b| is_ready(&b)) {
                return (id, unix_ms(), requests, true);
            }
            wait = every;
        }
        (id, unix_ms(), requests, false)
    };
    let next = AtomicUsize::new(0);
    let rows = Mutex::new(Vec::with_capacity(a.n));
    std::thread::scope(|s| {
        for _ in 0..a.threads.max(1) {
            s.spawn(|| {
                while next.fetch_add(1, Ordering::Relaxed) < a.n {
                    let row = one();
                    rows.lock().unwrap_or_else(|p| p.into_inner()).push(row);
                }
            });
        }
    });
    Ok(rows.into_inner().unwrap_or_else(|p| p.into_inner()))
}

fn main() -> std::process::ExitCode {
    let a = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("capmonster-bench: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let t0 = unix_ms();
    let started = Instant::now();
    let result = match a.mode.as_str() {
        "async" => run_async(&a),
        "blocking" => run_blocking(&a).map(|r| (r, Vec::new())),
        "bare-reqwest" => run_bare_reqwest(&a).map(|r| (r, Vec::new())),
        "bare-ureq" => run_bare_ureq(&a).map(|r| (r, Vec::new())),
        other => Err(format!("unknown mode {other}")),
    };
    let (rows, warm) = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("capmonster-bench: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let wall = started.elapsed().as_secs_f64();
    let ok = rows.iter().filter(|r| r.3).count();
    let results: Vec<Value> = rows
        .iter()
        .map(|(id, t, req, ok)| json!({"task_id": id, "t_recv_ms": t, "requests": req, "ok": ok}))
        .collect();
    let out = json!({
        "client": format!("capmonster-rs {}", a.mode),
        "mode": a.mode, "n": a.n, "ok": ok, "wall_s": wall, "t_start_ms": t0,
        "table": if a.official { "official" } else { "default" },
        "adaptive": a.adaptive, "pingback": a.pingback, "warmup_ids": warm, "results": results,
    });
    let written =
        std::fs::File::create(&a.out).and_then(|mut f| f.write_all(out.to_string().as_bytes()));
    if let Err(e) = written {
        eprintln!("capmonster-bench: cannot write {}: {e}", a.out);
        return std::process::ExitCode::FAILURE;
    }
    println!("{} n={} ok={ok} wall={wall:.2}s", a.mode, a.n);
    if ok == a.n {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
