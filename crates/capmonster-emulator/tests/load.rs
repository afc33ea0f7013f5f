//! The emulator under abuse, in-process, on 127.0.0.1, with its default limits: 5,000 idle
//! sockets, a flood of stalled bodies and 100,000 createTask calls. Throughout, a fresh client's
//! getBalance and the stats page must answer within 1 s, and the process's RSS must stay under
//! [`RSS_BOUND_MB`].
//!
//! Bounded: every socket has a read timeout, the flood is a fixed count, and the emulator stops
//! when its handle drops.

mod common;

use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use capmonster_emulator::{Config, EmulatorHandle};
use common::*;
use serde_json::json;

const IDLE_SOCKETS: usize = 5_000;
const STALLED_BODIES: usize = 500;
const FLOOD: usize = 100_000;
const FLOOD_THREADS: usize = 4;
/// The bound on the test process's resident memory, emulator and client together (measured:
/// about 125 MB, nearly all of it the 100,000 tasks the emulator keeps, at most
/// `Config::max_tasks`, and their records; before the limits, the same flood held 168 MB and
/// the idle sockets another 85 MB).
const RSS_BOUND_MB: u64 = 192;
const ANSWER_WITHIN: Duration = Duration::from_secs(1);

fn rss_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS");
    kb / 1024
}

/// Raises the soft descriptor limit as far as the hard one allows; returns the soft limit.
fn raise_fd_limit() -> u64 {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let lim = getrlimit(Resource::Nofile);
    let mut want = lim;
    want.current = lim.maximum;
    let _ = setrlimit(Resource::Nofile, want);
    getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX)
}

/// Waits (at most 5 s) until the server has accepted `n` connections, besides the probes'.
fn catch_up(emu: &EmulatorHandle, n: u64) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while emu.stats().connections < n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// One getBalance on a new connection and one stats page: both must answer within 1 s.
fn probe(a: SocketAddr) -> (Duration, Duration) {
    let t0 = Instant::now();
    let r = post(a, "/getBalance", &json!({ "clientKey": "probe" }));
    assert_eq!(r.json()["errorId"], 0, "{:?}", r.json());
    let api = t0.elapsed();
    let t1 = Instant::now();
    let page = get(a, "/_emulator/stats");
    assert_eq!(page.status, 200);
    assert!(
        page.body.len() < 16 * 1024,
        "stats page of {} bytes",
        page.body.len()
    );
    (api, t1.elapsed())
}

#[test]
fn answers_within_a_second_and_stays_bounded_under_idle_sockets_stalled_bodies_and_a_flood() {
    let limit = raise_fd_limit();
    let config = Config::new();
    // Client sockets, plus the server's (at most its connection cap), plus slack.
    let need = (IDLE_SOCKETS + STALLED_BODIES + config.max_connections + 256) as u64;
    let idle_sockets = if limit >= need {
        IDLE_SOCKETS
    } else {
        // A hard limit too low to raise: hold as many as fit, and say so.
        let n = usize::try_from(limit - limit.min(need - IDLE_SOCKETS as u64)).unwrap_or(0);
        eprintln!(
            "note: descriptor limit {limit} < {need}: holding {n} idle sockets, not {IDLE_SOCKETS}"
        );
        n
    };
    let emu = EmulatorHandle::start_blocking(config).expect("start");
    let a = emu.addr();
    let rss_start = rss_mb();
    let mut worst_api = Duration::ZERO;
    let mut worst_stats = Duration::ZERO;
    let mut note = |(api, stats): (Duration, Duration)| {
        worst_api = worst_api.max(api);
        worst_stats = worst_stats.max(stats);
    };

    let phase = Instant::now();
    // 1. Idle sockets: never a byte.
    let mut held: Vec<TcpStream> = Vec::with_capacity(idle_sockets + STALLED_BODIES);
    for i in 0..idle_sockets {
        let s = TcpStream::connect(a).expect("connect idle");
        held.push(s);
        if i % 64 == 63 {
            // Let the server accept what is queued: a burst of connects faster than the accept
            // loop overflows the listen queue, and each dropped SYN costs the client a second
            // (the kernel's retry, not the emulator's doing).
            catch_up(&emu, i as u64 + 1);
        }
    }
    note(probe(a));
    // 2. Stalled bodies: a whole head, a few bytes of a 64 KiB body, then silence.
    for i in 0..STALLED_BODIES {
        if i % 64 == 63 {
            catch_up(&emu, (idle_sockets + i) as u64);
        }
        let mut s = TcpStream::connect(a).expect("connect stalled");
        s.write_all(b"POST /createTask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 65536\r\n\r\n{\"clientKey\":\"")
            .expect("write");
        held.push(s);
    }
    note(probe(a));
    let sockets_took = phase.elapsed();

    // 3. The flood, with a prober beside it.
    let done = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicU64::new(0));
    let body = image_task_body("flood").to_string();
    let flooders: Vec<_> = (0..FLOOD_THREADS)
        .map(|_| {
            let body = body.clone();
            let answered = answered.clone();
            std::thread::spawn(move || {
                let mut c = Conn::open(a);
                let mut codes = std::collections::BTreeMap::<String, u64>::new();
                for _ in 0..FLOOD / FLOOD_THREADS {
                    let r = c
                        .send("POST", "/createTask", body.as_bytes())
                        .expect("createTask");
                    let v = r.json();
                    let code = v["errorCode"].as_str().unwrap_or("ok").to_owned();
                    *codes.entry(code).or_default() += 1;
                    answered.fetch_add(1, Ordering::Relaxed);
                }
                codes
            })
        })
        .collect();
    let prober = {
        let done = done.clone();
        std::thread::spawn(move || {
            let mut worst = (Duration::ZERO, Duration::ZERO);
            let mut peak_rss = 0;
            while !done.load(Ordering::Relaxed) {
                let (api, stats) = probe(a);
                worst = (worst.0.max(api), worst.1.max(stats));
                peak_rss = peak_rss.max(rss_mb());
                std::thread::sleep(Duration::from_millis(100));
            }
            (worst, peak_rss)
        })
    };
    let t0 = Instant::now();
    let mut codes = std::collections::BTreeMap::<String, u64>::new();
    for f in flooders {
        for (k, v) in f.join().expect("flood thread") {
            *codes.entry(k).or_default() += v;
        }
    }
    let flood_took = t0.elapsed();
    done.store(true, Ordering::Relaxed);
    let ((api, stats), peak_rss) = prober.join().expect("prober");
    note((api, stats));
    note(probe(a));

    // 4. After: the stats page with a page of records is quick and small too.
    let t1 = Instant::now();
    let page = get(a, "/_emulator/stats?tasks=1&page=7&per_page=1000").json();
    let paged = t1.elapsed();
    let rss_end = rss_mb();
    eprintln!(
        "load: {idle_sockets} idle + {STALLED_BODIES} stalled sockets in {sockets_took:?}, {FLOOD} createTask in {flood_took:?} ({codes:?}); worst getBalance {worst_api:?}, worst stats {worst_stats:?}, paged stats {paged:?}; RSS {rss_start} MB at start, peak {peak_rss} MB, {rss_end} MB at end (bound {RSS_BOUND_MB} MB); server: {} open, {} evicted, {} kept tasks",
        page["connections_open"], page["connections_evicted"], page["tasks_kept"]
    );
    assert_eq!(answered.load(Ordering::Relaxed), FLOOD as u64);
    assert_eq!(codes.values().sum::<u64>(), FLOOD as u64);
    // Every answer is a task or the service's capacity code.
    assert!(
        codes
            .keys()
            .all(|c| c == "ok" || c == "ERROR_NO_SLOT_AVAILABLE"),
        "{codes:?}"
    );
    assert_eq!(
        page["tasks_created"].as_u64().unwrap()
            + page["tasks_over_key_limit"].as_u64().unwrap()
            + page["tasks_over_total_limit"].as_u64().unwrap(),
        FLOOD as u64
    );
    assert!(worst_api < ANSWER_WITHIN, "getBalance took {worst_api:?}");
    assert!(worst_stats < ANSWER_WITHIN, "stats took {worst_stats:?}");
    assert!(paged < ANSWER_WITHIN, "paged stats took {paged:?}");
    assert_eq!(page["tasks"].as_object().unwrap().len(), 1000);
    assert!(
        page["connections_open"].as_u64().unwrap() <= 1024,
        "{}",
        page["connections_open"]
    );
    assert!(page["tasks_kept"].as_u64().unwrap() <= 100_000);
    assert!(
        peak_rss.max(rss_end) < RSS_BOUND_MB,
        "RSS peaked at {peak_rss} MB, {rss_end} MB at the end"
    );
    drop(held);
    drop(emu);
}
