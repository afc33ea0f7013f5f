//! Callbacks: when a task created with `callbackUrl` is done, its getTaskResult body is POSTed
//! there (the docs: same JSON as getTaskResult; the receiver must accept within 2 s; its reply
//! is ignored). A task submitted to in.php with `pingback` gets 2captcha's form instead:
//! `id=<task id>&code=<answer>`, `application/x-www-form-urlencoded`.
//!
//! Only `http://` URLs on a loopback host (127.0.0.0/8, `[::1]`, `localhost`) are called, so an
//! emulator never sends traffic off the machine; other URLs (and any URL with a control
//! character or a space, CR and LF included) are counted as refused. The request is made with
//! hyper's HTTP/1 client, one connection per callback (`Connection: close`). The 2 s limit is
//! real time (the speed factor does not apply).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::pin::pin;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::client::conn::http1;
use hyper::{Request, Uri, header};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// Where to POST: address, `Host` header and path (with the query).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) addr: SocketAddr,
    pub(crate) host: String,
    pub(crate) path: String,
}

/// Reads an `http://` URL whose host is loopback; `None` for anything else: another scheme, a
/// host that is not loopback, user info, a bad port, or any control character or space (a CR or
/// LF could otherwise smuggle a header into the request).
pub(crate) fn loopback_target(url: &str) -> Option<Target> {
    if url.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return None;
    }
    let uri: Uri = url.parse().ok()?;
    if uri.scheme_str() != Some("http") {
        return None;
    }
    let authority = uri.authority()?;
    if authority.as_str().contains('@') {
        return None;
    }
    let host = authority.host();
    let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        host.trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .ok()?
    };
    if !ip.is_loopback() {
        return None;
    }
    // The port as written after the host: digits that fit, or none at all (80).
    let port = match authority
        .as_str()
        .strip_prefix(host)
        .and_then(|rest| rest.strip_prefix(':'))
    {
        Some(p) => p.parse().ok()?,
        None => 80,
    };
    let path = match uri.query() {
        Some(q) => format!("{}?{q}", uri.path()),
        None => uri.path().to_owned(),
    };
    Some(Target {
        addr: SocketAddr::new(ip, port),
        host: authority.as_str().to_owned(),
        path,
    })
}

/// POSTs `body` (of `content_type`) with hyper's HTTP/1 client; true if the receiver answered
/// (any status) within 2 s.
pub(crate) async fn post(target: &Target, content_type: &'static str, body: Bytes) -> bool {
    let attempt = async {
        let stream = TcpStream::connect(target.addr).await.ok()?;
        let (mut sender, conn) = http1::handshake(TokioIo::new(stream)).await.ok()?;
        let req = Request::post(target.path.as_str())
            .header(header::HOST, target.host.as_str())
            .header(header::CONTENT_TYPE, content_type)
            .header(header::USER_AGENT, "capmonster-emulator")
            .header(header::CONNECTION, "close")
            .body(Full::new(body))
            .ok()?;
        let mut conn = pin!(conn);
        let mut send = pin!(sender.send_request(req));
        let answered = tokio::select! {
            biased;
            r = send.as_mut() => r,
            // The connection ended first: the answer, if one came, is waiting.
            _ = conn.as_mut() => send.await,
        };
        answered.ok().map(|_| ())
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(2), attempt).await,
        Ok(Some(()))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http() {
        let t = loopback_target("http://127.0.0.1:8080/cb?x=1").unwrap();
        assert_eq!(
            (t.addr.port(), t.path.as_str(), t.host.as_str()),
            (8080, "/cb?x=1", "127.0.0.1:8080")
        );
        assert_eq!(
            loopback_target("http://localhost/").unwrap().addr,
            "127.0.0.1:80".parse().unwrap()
        );
        assert_eq!(
            loopback_target("http://[::1]:9/a").unwrap().addr,
            "[::1]:9".parse().unwrap()
        );
        assert_eq!(loopback_target("http://127.0.0.1:7?q").unwrap().path, "/?q");
        for bad in [
            "https://127.0.0.1/",
            "http://example.com/cb",
            "http://10.0.0.1/",
            "http://user@127.0.0.1/",
            "http://127.0.0.1:x/",
            "ftp://127.0.0.1/",
            "http://127.0.0.1/cb\r\nX-Injected: 1",
            "http://127.0.0.1/a\nb",
            "http://127.0.0.1/a b",
        ] {
            assert!(loopback_target(bad).is_none(), "{bad}");
        }
    }
}
