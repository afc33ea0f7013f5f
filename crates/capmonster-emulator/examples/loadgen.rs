//! A bounded load generator for the emulator: N getTaskResult requests over C keep-alive
//! connections on 127.0.0.1, then the rate.
//!
//! ```text
//! cargo run --release -p capmonster-emulator --example loadgen -- [--url http://127.0.0.1:PORT] [-n 200000] [-c 4]
//! ```
//!
//! Without `--url` it starts an emulator in-process (its own single-threaded runtime). Each task is
//! polled at most 100 times (the service allows 120), so the answers are real "ready" results.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use capmonster_emulator::{Config, EmulatorHandle, SolveTime};

const POLLS_PER_TASK: u64 = 100;

fn request(conn: &mut BufReader<TcpStream>, path: &str, body: &str) -> (u16, Vec<u8>) {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let s = conn.get_mut();
    s.write_all(head.as_bytes()).expect("write");
    s.write_all(body.as_bytes()).expect("write");
    let mut line = String::new();
    conn.read_line(&mut line).expect("status line");
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    let mut len = 0;
    loop {
        line.clear();
        conn.read_line(&mut line).expect("header");
        let h = line.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().expect("length");
            }
        }
    }
    let mut body = vec![0; len];
    conn.read_exact(&mut body).expect("body");
    (status, body)
}

fn connect(addr: SocketAddr) -> BufReader<TcpStream> {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_nodelay(true).expect("nodelay");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    BufReader::new(s)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let n: u64 = get("-n").map_or(200_000, |v| v.parse().expect("-n"));
    let c: u64 = get("-c").map_or(4, |v| v.parse().expect("-c")).max(1);
    let mut _local: Option<EmulatorHandle> = None;
    let addr: SocketAddr = match get("--url") {
        Some(url) => url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("--url http://127.0.0.1:PORT"),
        None => {
            let cfg = Config::new().solve_time(SolveTime::Fixed(Duration::ZERO));
            let h = EmulatorHandle::start_blocking(cfg).expect("start emulator");
            let a = h.addr();
            _local = Some(h);
            a
        }
    };
    assert!(addr.ip().is_loopback(), "loopback only");

    // Enough ready tasks that no task is polled more than POLLS_PER_TASK times.
    let tasks = n.div_ceil(POLLS_PER_TASK);
    let mut setup = connect(addr);
    let image: String = capmonster_proto::inputs::base64_encode(&[42u8; 200]);
    let ids: Vec<u64> = (0..tasks)
        .map(|_| {
            let body = format!(
                r#"{{"clientKey":"loadgen","task":{{"type":"ImageToTextTask","body":"{image}"}}}}"#
            );
            let (_, b) = request(&mut setup, "/createTask", &body);
            let v: serde_json::Value = serde_json::from_slice(&b).expect("json");
            v["taskId"]
                .as_u64()
                .unwrap_or_else(|| panic!("createTask failed: {v}"))
        })
        .collect();
    std::thread::sleep(Duration::from_millis(50));

    let per_conn = n / c;
    let t0 = Instant::now();
    let workers: Vec<_> = (0..c)
        .map(|w| {
            let ids = ids.clone();
            std::thread::spawn(move || {
                let mut conn = connect(addr);
                let mut ready = 0u64;
                for i in 0..per_conn {
                    let idx = ((w * per_conn + i) / POLLS_PER_TASK) as usize;
                    let body = format!(
                        r#"{{"clientKey":"loadgen","taskId":{}}}"#,
                        ids[idx.min(ids.len() - 1)]
                    );
                    let (status, b) = request(&mut conn, "/getTaskResult", &body);
                    if status == 200 && b.windows(7).any(|w| w == b"\"ready\"") {
                        ready += 1;
                    }
                }
                ready
            })
        })
        .collect();
    let ready: u64 = workers.into_iter().map(|w| w.join().expect("worker")).sum();
    let secs = t0.elapsed().as_secs_f64();
    let total = per_conn * c;
    println!(
        "{total} getTaskResult requests over {c} keep-alive connections in {secs:.3} s: {:.0} req/s ({ready} ready answers)",
        total as f64 / secs
    );
    assert_eq!(ready, total, "some answers were not ready results");
}
