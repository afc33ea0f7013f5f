//! A tiny raw HTTP/1.1 server on 127.0.0.1 for tests that need answers no real server would
//! give (a 1 GiB body, a body that never ends) or need to see the request bytes exactly.
//!
//! Bounded on every side: it serves at most `max_connections`, each for at most `max_time`,
//! reads at most 64 KiB of request, and stops (its threads joined) when dropped.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What a connection handler gets: the stream, the request read so far (head and body), and a
/// flag that turns true when the server is being dropped.
pub type Handler = dyn Fn(&mut TcpStream, &[u8], &AtomicBool) + Send + Sync;

/// A running raw server. Drop it to stop it.
pub struct RawServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    requests: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl std::fmt::Debug for RawServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawServer")
            .field("addr", &self.addr)
            .finish()
    }
}

impl RawServer {
    /// Starts a server whose connections are answered by `handler`, at most `max_connections`
    /// of them, each cut after `max_time`.
    pub fn start(
        max_connections: usize,
        max_time: Duration,
        handler: impl Fn(&mut TcpStream, &[u8], &AtomicBool) + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener
            .set_nonblocking(true)
            .expect("nonblocking listener");
        let addr = listener.local_addr().expect("local address");
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let (stop2, requests2) = (stop.clone(), requests.clone());
        let thread = std::thread::spawn(move || {
            let give_up = Instant::now() + max_time;
            let mut workers = Vec::new();
            while workers.len() < max_connections
                && !stop2.load(Ordering::Relaxed)
                && Instant::now() < give_up
            {
                match listener.accept() {
                    Ok((mut stream, _)) => {
                        let (stop3, handler, requests3) =
                            (stop2.clone(), handler.clone(), requests2.clone());
                        workers.push(std::thread::spawn(move || {
                            let _ = stream.set_nonblocking(false);
                            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                            let _ = stream.set_write_timeout(Some(max_time));
                            let request = read_request(&mut stream);
                            requests3.lock().unwrap().push(request.clone());
                            handler(&mut stream, &request, &stop3);
                        }));
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    Err(_) => break,
                }
            }
            for w in workers {
                let _ = w.join();
            }
        });
        Self {
            addr,
            stop,
            thread: Some(thread),
            requests,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far, head and body, as sent.
    pub fn requests(&self) -> Vec<Vec<u8>> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads a request head and, if it declares one, its body (at most 64 KiB in all).
fn read_request(stream: &mut TcpStream) -> Vec<u8> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut want: Option<usize> = None;
    while buf.len() < 64 * 1024 {
        if let Some(total) = want {
            if buf.len() >= total {
                break;
            }
        }
        let n = match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        if want.is_none() {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                want = Some(end + 4 + length);
            }
        }
    }
    buf
}

/// Answers with `Content-Length: 1 GiB` and then zeros, 64 KiB at a time from one static
/// buffer (nothing the size of the body is ever allocated), until the client hangs up, the
/// server stops, or the gibibyte is written.
pub fn huge_body(stream: &mut TcpStream, _request: &[u8], stop: &AtomicBool) {
    const GIB: u64 = 1 << 30;
    static ZEROS: [u8; 64 * 1024] = [b'0'; 64 * 1024];
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {GIB}\r\n\r\n"
    );
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    let mut sent = 0u64;
    while sent < GIB && !stop.load(Ordering::Relaxed) {
        match stream.write(&ZEROS) {
            Ok(0) | Err(_) => return,
            Ok(n) => sent += n as u64,
        }
    }
}

/// Answers with a chunked body that never ends: one byte every 20 ms, until the client hangs
/// up or the server stops.
pub fn endless_body(stream: &mut TcpStream, _request: &[u8], stop: &AtomicBool) {
    let head =
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    endless_chunks(stream, stop);
}

/// Writes chunks of a body that never ends, after a head announcing `transfer-encoding:
/// chunked`: `{`, then one space every 20 ms, until the client hangs up or the server stops.
pub fn endless_chunks(stream: &mut TcpStream, stop: &AtomicBool) {
    if stream.write_all(b"1\r\n{\r\n").is_err() {
        return;
    }
    while !stop.load(Ordering::Relaxed) {
        if stream.write_all(b"1\r\n \r\n").is_err() || stream.flush().is_err() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
