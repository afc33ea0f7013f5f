//! A minimal HTTP/1.1 client over std TCP (127.0.0.1 only) and test helpers.
#![allow(dead_code, unreachable_pub)]

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use capmonster_emulator::{Config, EmulatorHandle};
use serde_json::Value;

/// A parsed response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One keep-alive connection.
pub struct Conn {
    reader: BufReader<TcpStream>,
}

impl Conn {
    pub fn open(addr: SocketAddr) -> Self {
        assert!(addr.ip().is_loopback());
        let s = TcpStream::connect(addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.set_nodelay(true).unwrap();
        Self {
            reader: BufReader::new(s),
        }
    }

    pub fn send(&mut self, method: &str, path: &str, body: &[u8]) -> io::Result<Resp> {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let s = self.reader.get_mut();
        s.write_all(head.as_bytes())?;
        s.write_all(body)?;
        read_response(&mut self.reader)
    }

    /// A request with its own Content-Type (none when `None`).
    pub fn send_typed(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> io::Result<Resp> {
        let ct = content_type
            .map(|c| format!("Content-Type: {c}\r\n"))
            .unwrap_or_default();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{ct}Content-Length: {}\r\n\r\n",
            body.len()
        );
        let s = self.reader.get_mut();
        s.write_all(head.as_bytes())?;
        s.write_all(body)?;
        read_response(&mut self.reader)
    }

    /// A URL-form POST (`application/x-www-form-urlencoded`).
    pub fn form(&mut self, path: &str, form: &str) -> io::Result<Resp> {
        self.send_typed(
            "POST",
            path,
            Some("application/x-www-form-urlencoded"),
            form.as_bytes(),
        )
    }

    /// Sends a request built by the core (method, path and query, Content-Type, body).
    pub fn send_built(
        &mut self,
        req: &capmonster_proto::http::Request<Vec<u8>>,
    ) -> io::Result<Resp> {
        let path = req
            .uri()
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .to_owned();
        let ct = req
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok());
        self.send_typed(req.method().as_str(), &path, ct, req.body())
    }

    pub fn post(&mut self, path: &str, body: &Value) -> io::Result<Resp> {
        self.send("POST", path, body.to_string().as_bytes())
    }

    pub fn set_read_timeout(&self, d: Duration) {
        self.reader.get_ref().set_read_timeout(Some(d)).unwrap();
    }
}

fn read_response(r: &mut BufReader<TcpStream>) -> io::Result<Resp> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "connection closed before a response",
        ));
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::other(format!("bad status line {line:?}")))?;
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body)?;
    Ok(Resp {
        status,
        headers,
        body,
    })
}

/// One request on a fresh connection.
pub fn post(addr: SocketAddr, path: &str, body: &Value) -> Resp {
    Conn::open(addr).post(path, body).expect("request")
}

/// One raw-body request on a fresh connection.
pub fn post_raw(addr: SocketAddr, path: &str, body: &[u8]) -> Resp {
    Conn::open(addr).send("POST", path, body).expect("request")
}

/// A URL-form POST on a fresh connection.
pub fn form(addr: SocketAddr, path: &str, form: &str) -> Resp {
    Conn::open(addr).form(path, form).expect("request")
}

impl Resp {
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("UTF-8 body")
    }
}

pub fn get(addr: SocketAddr, path: &str) -> Resp {
    Conn::open(addr).send("GET", path, b"").expect("request")
}

/// A valid base64 "image" of `len` bytes (not a real picture: the emulator checks size only).
pub fn image(len: usize) -> String {
    let bytes: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
    b64(&bytes)
}

pub fn b64(bytes: &[u8]) -> String {
    capmonster_proto::inputs::base64_encode(bytes)
}

/// An image whose answer is `text` (the `TEXT:` marker rule).
pub fn image_with_text(text: &str) -> String {
    let mut bytes = vec![0u8; 120];
    bytes.extend_from_slice(format!("TEXT:{text}.").as_bytes());
    b64(&bytes)
}

/// An emulator on its own thread, sped up 1000x, with 20-second solves (20 ms real).
pub fn fast(config: Config) -> EmulatorHandle {
    EmulatorHandle::start_blocking(config).expect("start emulator")
}

pub fn fast_config() -> Config {
    Config::new()
        .speed(1000.0)
        .solve_time(capmonster_emulator::SolveTime::Fixed(Duration::from_secs(
            20,
        )))
}

pub fn image_task_body(key: &str) -> Value {
    serde_json::json!({ "clientKey": key, "task": { "type": "ImageToTextTask", "body": image(200) } })
}

/// Polls until ready (bounded).
pub fn wait_ready(addr: SocketAddr, key: &str, id: u64) -> Value {
    let mut conn = Conn::open(addr);
    for _ in 0..100 {
        let r = conn
            .post(
                "/getTaskResult",
                &serde_json::json!({ "clientKey": key, "taskId": id }),
            )
            .unwrap()
            .json();
        if r["status"] == "ready" || r["errorId"] != 0 {
            return r;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("task {id} never became ready");
}

pub fn create(addr: SocketAddr, body: &Value) -> u64 {
    let r = post(addr, "/createTask", body).json();
    assert_eq!(r["errorId"], 0, "{r}");
    r["taskId"].as_u64().unwrap()
}
