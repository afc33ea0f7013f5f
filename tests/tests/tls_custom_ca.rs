//! Extra root certificates (`ClientBuilder::add_root_certificates_pem`): a server whose
//! certificate is signed by a private CA is refused by default, accepted once that CA is added,
//! and still refused when its certificate names another host. Verification stays on throughout.
//!
//! The CA and the two server certificates are in tests/tls/ (made by tests/tls/make.sh with the
//! openssl command, valid for 100 years; the CA's key was thrown away). The server here is
//! rustls on a thread, on 127.0.0.1, answering every request with a getBalance answer.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use capmonster_proto::client::ClientBuilder;
use capmonster_proto::{ClientError, Service};
use capmonster_tests::{Front, Kind, builder, front_from};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

fn tls_file(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tls")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// A TLS server on 127.0.0.1 presenting `cert` (tests/tls/NAME.pem with NAME.key). It answers
/// each request that completes a handshake with `{"errorId":0,"balance":12.5}`, and stops when
/// dropped.
struct TlsServer {
    port: u16,
    stop: Arc<AtomicBool>,
    served: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl TlsServer {
    fn start(name: &str) -> Self {
        let chain = vec![
            CertificateDer::from_pem_slice(&tls_file(&format!("{name}.pem")))
                .expect("a certificate"),
        ];
        let key = PrivateKeyDer::from_pem_slice(&tls_file(&format!("{name}.key")))
            .expect("a private key");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("the certificate fits its key");
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let served = Arc::new(AtomicUsize::new(0));
        let (stop2, served2) = (stop.clone(), served.clone());
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                if serve_one(stream, config.clone()).is_ok() {
                    served2.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
        Self {
            port,
            stop,
            served,
            thread: Some(thread),
        }
    }

    fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    fn served(&self) -> usize {
        self.served.load(Ordering::SeqCst)
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port)); // wakes the accept loop
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One connection: handshake, read one request (headers and `Content-Length` body), answer.
/// A client that refuses the certificate ends the handshake with an alert: an error here.
fn serve_one(tcp: TcpStream, config: Arc<rustls::ServerConfig>) -> std::io::Result<()> {
    tcp.set_read_timeout(Some(Duration::from_secs(5)))?;
    tcp.set_write_timeout(Some(Duration::from_secs(5)))?;
    let conn = rustls::ServerConnection::new(config).map_err(std::io::Error::other)?;
    let mut tls = BufReader::new(rustls::StreamOwned::new(conn, tcp));
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if tls.read_line(&mut line)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0; length.min(64 * 1024)];
    tls.read_exact(&mut body)?;
    let answer = br#"{"errorId":0,"balance":12.5}"#;
    let mut tls = tls.into_inner();
    write!(
        tls,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        answer.len()
    )?;
    tls.write_all(answer)?;
    tls.flush()?;
    tls.conn.send_close_notify();
    let _ = tls.flush();
    Ok(())
}

/// A front end of `kind` for `url`, with `roots` added when given.
fn client(kind: Kind, url: &str, roots: Option<&[u8]>) -> Box<dyn Front> {
    fn configure<C>(url: &str, roots: Option<&[u8]>) -> ClientBuilder<C> {
        let b = builder(url, Service::capmonster());
        match roots {
            Some(pem) => b.add_root_certificates_pem(pem),
            None => b,
        }
    }
    front_from(kind, |_| configure(url, roots), |_| configure(url, roots))
}

/// The error must be a refused connection (nothing was sent) that names the certificate. Gives
/// the error's text, lower-cased.
fn assert_refused(
    kind: Kind,
    what: &str,
    result: Result<capmonster_proto::Balance, ClientError>,
) -> String {
    let error = match result {
        Err(error @ ClientError::Transport { .. }) => error,
        other => panic!("{kind:?}: {what} was not refused: {other:?}"),
    };
    assert!(
        error.is_connect(),
        "{kind:?}: {what}: a refused handshake sends nothing, so it is a connect failure: {error:?}"
    );
    let text = format!("{error}").to_ascii_lowercase();
    assert!(
        text.contains("certificate"),
        "{kind:?}: {what}: refused, but not for the certificate: {error}"
    );
    println!("{kind:?}: {what}: {error}");
    text
}

#[test]
fn a_server_signed_by_a_private_ca_is_refused_without_the_option() {
    let server = TlsServer::start("server");
    for kind in [Kind::Blocking, Kind::Async] {
        let result = client(kind, &server.url(), None).balance();
        let text = assert_refused(kind, "a server signed by an unknown CA", result);
        assert!(
            text.contains("issuer") || text.contains("unknown"),
            "{kind:?}: refused, but not for the issuer: {text}"
        );
    }
    assert_eq!(server.served(), 0, "no request may reach the server");
}

#[test]
fn the_private_ca_added_as_a_root_is_trusted() {
    let server = TlsServer::start("server");
    let ca = tls_file("ca.pem");
    for kind in [Kind::Blocking, Kind::Async] {
        let balance = client(kind, &server.url(), Some(&ca))
            .balance()
            .unwrap_or_else(|e| panic!("{kind:?}: the added root was not trusted: {e}"));
        assert_eq!(balance.balance, 12.5, "{kind:?}");
    }
    assert_eq!(server.served(), 2, "one request from each front end");
}

#[test]
fn the_added_root_does_not_excuse_a_name_that_does_not_match() {
    // Signed by the same CA, but for wrong-name.invalid only, while the client dials 127.0.0.1.
    let server = TlsServer::start("wrong-name");
    let ca = tls_file("ca.pem");
    for kind in [Kind::Blocking, Kind::Async] {
        let result = client(kind, &server.url(), Some(&ca)).balance();
        let text = assert_refused(kind, "a certificate for another name", result);
        assert!(
            text.contains("not valid for name") || text.contains("hostname"),
            "{kind:?}: refused, but not for the name: {text}"
        );
    }
    assert_eq!(server.served(), 0, "no request may reach the server");
}

#[test]
fn a_root_that_is_not_a_pem_certificate_is_refused_at_build() {
    let key = tls_file("server.key");
    let garbled = b"-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n";
    for bad in [&key[..], &garbled[..]] {
        let blocking =
            builder::<capmonster_blocking::Client>("https://127.0.0.1:1", Service::capmonster())
                .add_root_certificates_pem(bad)
                .build()
                .unwrap_err();
        let r#async =
            builder::<capmonster_async::Client>("https://127.0.0.1:1", Service::capmonster())
                .add_root_certificates_pem(bad)
                .build()
                .unwrap_err();
        for error in [blocking, r#async] {
            let text = format!("{error}");
            assert!(text.contains("rootCertificates"), "{text}");
        }
    }
}
