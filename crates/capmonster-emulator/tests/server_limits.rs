//! The emulator as a server: timeouts, the connection cap, the bounded stats page, and the
//! warning for a non-loopback address.

mod common;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, TcpStream};
use std::time::{Duration, Instant};

use capmonster_emulator::{FaultKind, Scope, bind_warning};
use common::*;
use serde_json::json;

/// Reads until the server closes the connection (EOF or reset); returns what arrived and how
/// long it took. Panics after 5 s.
fn read_until_closed(s: &mut TcpStream) -> (Vec<u8>, Duration) {
    let t0 = Instant::now();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
            Err(e) => panic!("still open after {:?}: {e}", t0.elapsed()),
        }
    }
    (got, t0.elapsed())
}

fn short_timeouts() -> capmonster_emulator::Config {
    fast_config().timeouts(
        Duration::from_millis(300),
        Duration::from_millis(300),
        Duration::from_millis(600),
    )
}

#[test]
fn idle_half_sent_and_stalled_connections_are_closed() {
    let emu = fast(short_timeouts());
    let a = emu.addr();
    // Idle, never a byte: closed by the idle timeout (600 ms), not the head timeout.
    let mut idle = TcpStream::connect(a).unwrap();
    // Half a head, then silence: closed 300 ms after its first byte.
    let mut half = TcpStream::connect(a).unwrap();
    half.write_all(b"POST /getBalance HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    // A whole head and part of the body: 408 after 300 ms, then closed.
    let mut stalled = TcpStream::connect(a).unwrap();
    stalled
        .write_all(b"POST /getBalance HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"cli")
        .unwrap();
    let (got, took) = read_until_closed(&mut half);
    assert!(got.is_empty(), "{got:?}");
    assert!(
        took < Duration::from_millis(550),
        "half head closed after {took:?}"
    );
    let (got, took) = read_until_closed(&mut stalled);
    assert!(
        got.starts_with(b"HTTP/1.1 408"),
        "{:?}",
        String::from_utf8_lossy(&got)
    );
    assert!(
        took < Duration::from_millis(550),
        "stalled body closed after {took:?}"
    );
    let (got, took) = read_until_closed(&mut idle);
    assert!(got.is_empty());
    assert!(
        took > Duration::from_millis(150) && took < Duration::from_secs(2),
        "idle closed after {took:?}"
    );
    // A keep-alive connection between requests is idle too, and is served until then.
    let mut c = Conn::open(a);
    for _ in 0..3 {
        let r = c.post("/getBalance", &json!({ "clientKey": "k" })).unwrap();
        assert_eq!(r.json()["errorId"], 0);
        std::thread::sleep(Duration::from_millis(200));
    }
    let s = emu.stats();
    assert_eq!(s.body_timeouts, 1);
    assert!(s.connections_timed_out >= 2, "{}", s.connections_timed_out);
    // The stalled request never reached the API: only the three getBalance calls count.
    assert_eq!(s.requests_per_connection.values().sum::<u64>(), 3);
}

#[test]
fn idle_sockets_over_the_cap_evict_the_oldest_and_never_lock_out_a_client() {
    let emu = fast(fast_config().max_connections(8));
    let a = emu.addr();
    let mut idle: Vec<TcpStream> = (0..40).map(|_| TcpStream::connect(a).unwrap()).collect();
    // Half-sent heads and stalled bodies count as idle or waiting, so they make room too.
    for s in idle.iter_mut().skip(30) {
        s.write_all(b"POST /createTask HTTP/1.1\r\nContent-Length: 9\r\n\r\n{")
            .unwrap();
    }
    let t0 = Instant::now();
    let r = post(a, "/getBalance", &json!({ "clientKey": "k" }));
    assert_eq!(r.json()["errorId"], 0);
    assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
    // The oldest idle socket was closed by the server.
    let (got, _) = read_until_closed(&mut idle[0]);
    assert!(got.is_empty());
    let deadline = Instant::now() + Duration::from_secs(5);
    let s = loop {
        let s = emu.stats();
        if s.connections_open <= 8 || Instant::now() > deadline {
            break s;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(s.connections_open <= 8, "{}", s.connections_open);
    assert!(s.connections_evicted >= 33, "{}", s.connections_evicted);
}

#[test]
fn a_connection_over_the_cap_is_closed_when_every_other_one_is_busy() {
    let emu = fast(fast_config().max_connections(2));
    let a = emu.addr();
    // Two requests held busy by a 2 s stall (real time at speed 1).
    emu.set_speed(1.0);
    emu.script_faults(
        Scope::Balance,
        FaultKind::Stall {
            duration: Duration::from_secs(2),
        },
        2,
    );
    let busy: Vec<_> = (0..2)
        .map(|_| std::thread::spawn(move || post(a, "/getBalance", &json!({ "clientKey": "k" }))))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(5);
    while emu.stats().requests_by_endpoint.get("getBalance").copied() != Some(2) {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut extra = TcpStream::connect(a).unwrap();
    let (got, took) = read_until_closed(&mut extra);
    assert!(got.is_empty());
    assert!(took < Duration::from_secs(1));
    for b in busy {
        assert_eq!(b.join().unwrap().json()["errorId"], 0);
    }
    assert_eq!(emu.stats().connections_refused, 1);
}

#[test]
fn binding_a_non_loopback_address_warns() {
    for host in [
        Ipv4Addr::UNSPECIFIED.into(),
        Ipv4Addr::new(192, 168, 1, 10).into(),
        Ipv6Addr::UNSPECIFIED.into(),
    ] {
        let w = bind_warning(host).unwrap_or_else(|| panic!("no warning for {host}"));
        assert!(
            w.contains(&host.to_string()) && w.contains("not a loopback"),
            "{w}"
        );
    }
    for host in [Ipv4Addr::LOCALHOST.into(), Ipv6Addr::LOCALHOST.into()] {
        assert_eq!(bind_warning(host), None, "{host}");
    }
}

#[test]
fn the_stats_page_is_a_summary_unless_a_page_of_records_is_asked() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let ids: Vec<u64> = (0..25).map(|_| create(a, &image_task_body("k"))).collect();
    let page = get(a, "/_emulator/stats").json();
    assert_eq!(page["tasks_created"], 25);
    assert_eq!(page["task_records"], 25);
    assert!(page.get("tasks").is_none(), "{page}");
    assert!(page.get("requests_per_connection").is_none());
    assert!(page["connections_open"].as_u64().unwrap() >= 1);
    // Page 3 of 10 per page: the last five tasks, by id.
    let page = get(a, "/_emulator/stats?tasks=1&page=3&per_page=10").json();
    let got: Vec<u64> = page["tasks"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.parse().unwrap())
        .collect();
    assert_eq!(got, ids[20..].to_vec());
    assert_eq!(
        page["tasks_page"],
        json!({ "page": 3, "per_page": 10, "total": 25, "pages": 3 })
    );
    assert_eq!(
        page["tasks"][ids[22].to_string()]["kind"],
        "ImageToTextTask"
    );
    // per_page is capped at 1,000; a bad number takes the default.
    let page = get(a, "/_emulator/stats?tasks=1&per_page=5000&page=x").json();
    assert_eq!(page["tasks_page"]["per_page"], 1000);
    assert_eq!(page["tasks_page"]["page"], 1);
    let page = get(a, "/_emulator/stats?connections=1&per_page=2").json();
    assert_eq!(
        page["requests_per_connection"].as_object().unwrap().len(),
        2
    );
    assert!(page["connections_page"]["total"].as_u64().unwrap() >= 25);
}

/// The emulator binary under a 128-descriptor limit, with 400 idle sockets open to it: running
/// out of descriptors closes the longest idle connection, so a new client still gets in.
#[cfg(target_os = "linux")]
#[test]
fn idle_sockets_beyond_the_descriptor_limit_do_not_lock_clients_out() {
    use rustix::process::{Pid, Resource, Rlimit, getrlimit, prlimit};
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let mut child = Command::new(env!("CARGO_BIN_EXE_capmonster-emulator"))
        .args(["--max-seconds", "60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap()).unwrap();
    // The child inherited our hard limit: keep it, lower the soft one.
    let hard = getrlimit(Resource::Nofile).maximum;
    prlimit(
        Some(pid),
        Resource::Nofile,
        Rlimit {
            current: Some(128),
            maximum: hard,
        },
    )
    .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let a: std::net::SocketAddr = line.trim().trim_start_matches("http://").parse().unwrap();
    assert!(a.ip().is_loopback());
    let mut idle = Vec::new();
    for i in 0..400 {
        idle.push(TcpStream::connect(a).unwrap());
        if i % 50 == 49 {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let t0 = Instant::now();
    let r = post(a, "/getBalance", &json!({ "clientKey": "k" }));
    let took = t0.elapsed();
    assert_eq!(r.json()["errorId"], 0);
    assert!(took < Duration::from_secs(1), "{took:?}");
    let stats = get(a, "/_emulator/stats").json();
    assert!(
        stats["connections_evicted"].as_u64().unwrap() >= 250,
        "{stats}"
    );
    assert!(stats["connections_open"].as_u64().unwrap() < 128, "{stats}");
    drop(idle);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn request_bodies_in_flight_share_a_budget_and_heads_are_bounded() {
    let emu = fast(fast_config().max_body_bytes_in_flight(100_000));
    let a = emu.addr();
    // A stalled 60,000-byte upload holds 60,000 bytes of the budget...
    let mut first = TcpStream::connect(a).unwrap();
    first
        .write_all(b"POST /createTask HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n{\"c")
        .unwrap();
    std::thread::sleep(Duration::from_millis(50));
    // ...so a second one does not fit: 503, the service's capacity code, and closed.
    let mut second = TcpStream::connect(a).unwrap();
    second
        .write_all(b"POST /createTask HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n{\"c")
        .unwrap();
    let (got, took) = read_until_closed(&mut second);
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("ERROR_NO_SLOT_AVAILABLE"), "{text}");
    assert!(took < Duration::from_secs(1));
    // A small request still fits beside it.
    assert_eq!(
        post(a, "/getBalance", &json!({ "clientKey": "k" })).json()["errorId"],
        0
    );
    // Once the first is gone, its bytes are back.
    drop(first);
    std::thread::sleep(Duration::from_millis(50));
    let mut third = TcpStream::connect(a).unwrap();
    let body = image_task_body("k").to_string();
    let padded = format!("{body:<60000}");
    third
        .write_all(
            format!(
                "POST /createTask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 60000\r\n\r\n{padded}"
            )
            .as_bytes(),
        )
        .unwrap();
    let (got, _) = read_until_closed(&mut third);
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("\"taskId\""), "{text}");
    assert_eq!(emu.stats().body_budget_refusals, 1);
    // A head over 64 KiB is refused rather than buffered.
    let mut big = TcpStream::connect(a).unwrap();
    let head = format!(
        "GET /_emulator/stats HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(100 * 1024)
    );
    let _ = big.write_all(head.as_bytes());
    let (got, _) = read_until_closed(&mut big);
    let text = String::from_utf8_lossy(&got);
    assert!(got.is_empty() || text.starts_with("HTTP/1.1 431"), "{text}");
}
