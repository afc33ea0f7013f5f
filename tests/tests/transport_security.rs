//! Transport security: certificate verification cannot be skipped, and the URL form keeps the
//! key out of the URL (it goes in the POST body).
//!
//! Neither front end has a public switch that turns verification off: the builder
//! (`capmonster_proto::client::ClientBuilder`) takes a key, service, base URL, timeouts, policy,
//! outbound proxy, User-Agent, softId, a response cap and extra root certificates (trusted on
//! top of the webpki roots, still verified: tls_custom_ca.rs), and nothing that skips the
//! checks; the blocking client builds its ureq agent and the async client its reqwest client
//! privately. The test below shows the effect: a self-signed server is refused.

use std::io::Write as _;
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use capmonster_proto::{
    ClientError, ClientKey, CreateTask, Endpoint, GetBalance, Service, http, task::ImageToTextTask,
};
use capmonster_tests::raw::RawServer;
use capmonster_tests::{Kind, TEST_KEY, front_on};

/// An `openssl s_server` with a fresh self-signed certificate for 127.0.0.1, killed on drop.
struct SelfSigned {
    child: Child,
    port: u16,
    _dir: TempDir,
}

impl Drop for SelfSigned {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Starts the server, or says why it cannot (no `openssl` on this machine).
fn self_signed_server() -> Result<SelfSigned, String> {
    let dir = std::env::temp_dir().join(format!("capmonster-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let dir = TempDir(dir);
    let (cert, key) = (dir.0.join("cert.pem"), dir.0.join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args([
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("openssl cannot be run: {e}"))?;
    if !made.success() {
        return Err(format!("openssl req failed: {made}"));
    }
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        l.local_addr().map_err(|e| e.to_string())?.port()
    };
    let child = Command::new("openssl")
        .args(["s_server", "-quiet", "-www", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("openssl s_server cannot be run: {e}"))?;
    let server = SelfSigned {
        child,
        port,
        _dir: dir,
    };
    let until = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > until {
            return Err("openssl s_server did not start listening".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(server)
}

#[test]
fn a_self_signed_certificate_is_refused() {
    let server = match self_signed_server() {
        Ok(s) => s,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    let url = format!("https://127.0.0.1:{}", server.port);
    for kind in [Kind::Blocking, Kind::Async] {
        let result = front_on(kind, &url, Service::capmonster()).balance();
        let Err(error @ ClientError::Transport { .. }) = &result else {
            panic!("{kind:?}: a self-signed server was accepted: {result:?}");
        };
        assert!(
            error.is_connect(),
            "{kind:?}: a refused handshake sent nothing: {error:?}"
        );
        let text = format!("{error}").to_ascii_lowercase();
        assert!(
            text.contains("certificate") || text.contains("unknownissuer"),
            "{kind:?}: refused, but not for the certificate: {error}"
        );
        println!("{kind:?}: {error}");
    }
}

#[test]
fn the_url_form_built_by_the_core_keeps_the_key_in_the_post_body() {
    let key = ClientKey::parse_with_suffixes(TEST_KEY).unwrap();
    let base = TEST_KEY.split("__").next().unwrap();
    let service = Service::capmonster_url_form();
    let requests = [
        GetBalance.build(&service, &key).unwrap(),
        CreateTask::new(ImageToTextTask::from_image_bytes(&[7u8; 200]))
            .build(&service, &key)
            .unwrap(),
    ];
    for request in requests {
        assert_eq!(request.method(), http::Method::POST);
        let uri = request.uri().to_string();
        assert!(!uri.contains(base), "the key is in the URL: {uri}");
        let body = String::from_utf8(request.body().clone()).unwrap();
        assert!(body.contains(&format!("key={base}")), "{body}");
    }
}

#[test]
fn a_front_end_sends_the_url_form_key_in_the_body_not_the_request_line() {
    let base = TEST_KEY.split("__").next().unwrap();
    for kind in [Kind::Blocking, Kind::Async] {
        let server = RawServer::start(2, Duration::from_secs(10), |stream, _, _| {
            let body = "OK|12.5";
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        });
        let balance = front_on(kind, &server.base_url(), Service::capmonster_url_form())
            .balance()
            .unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(balance.balance, 12.5);
        let requests = server.requests();
        assert_eq!(requests.len(), 1, "{kind:?}");
        let text = String::from_utf8_lossy(&requests[0]);
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let request_line = head.lines().next().unwrap();
        assert!(request_line.starts_with("POST /res.php"), "{request_line}");
        assert!(
            !head.contains(base),
            "{kind:?}: the key is in the head: {head}"
        );
        assert!(body.contains(&format!("key={base}")), "{kind:?}: {body}");
    }
}

/// A guard against turning verification off by accident: no source file of the core or the
/// front ends names one of the switches ureq, reqwest or rustls offer for it.
#[test]
fn no_source_names_a_switch_that_skips_verification() {
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates");
    let mut checked = 0;
    for name in [
        "capmonster-proto",
        "capmonster-blocking",
        "capmonster-async",
    ] {
        let mut dirs = vec![crates.join(name).join("src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for switch in [
                    "danger_accept_invalid",
                    "disable_verification",
                    "dangerous()",
                    "ServerCertVerifier",
                    "NoVerifier",
                ] {
                    assert!(!text.contains(switch), "{} names {switch}", path.display());
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "the sources were found: {checked}");
}
