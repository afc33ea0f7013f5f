//! Callbacks: when a task created with `callbackUrl` is done, its getTaskResult body is POSTed
//! there (the docs: same JSON as getTaskResult; the receiver must accept within 2 s; its reply
//! is ignored). A task submitted to in.php with `pingback` gets 2captcha's form instead:
//! `id=<task id>&code=<answer>`, `application/x-www-form-urlencoded`.
//!
//! Only `http://` URLs on a loopback host (127.0.0.0/8, `[::1]`, `localhost`) are called, so an
//! emulator never sends traffic off the machine; other URLs are counted as refused. The 2 s limit
//! is real time (the speed factor does not apply).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio::net::TcpStream;

// Plain readiness loops: tokio's `io-util` feature (AsyncWriteExt) is not worth adding for this.
async fn write_all(s: &TcpStream, mut data: &[u8]) -> std::io::Result<()> {
    while !data.is_empty() {
        s.writable().await?;
        match s.try_write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

async fn read_some(s: &TcpStream, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        s.readable().await?;
        match s.try_read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            other => return other,
        }
    }
}

/// Where to POST: address, `Host` header and path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) addr: SocketAddr,
    pub(crate) host: String,
    pub(crate) path: String,
}

/// Reads an `http://` URL whose host is loopback; `None` for anything else.
pub(crate) fn loopback_target(url: &str) -> Option<Target> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) if rest.as_bytes()[i] == b'/' => (&rest[..i], rest[i..].to_owned()),
        Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
        None => (rest, "/".to_owned()),
    };
    if authority.contains('@') {
        return None;
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (h, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => 80,
            None => return None,
        };
        (h, port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().ok()?),
            None => (authority, 80),
        }
    };
    let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    } else {
        host.parse().ok()?
    };
    if !ip.is_loopback() {
        return None;
    }
    Some(Target {
        addr: SocketAddr::new(ip, port),
        host: authority.to_owned(),
        path,
    })
}

/// POSTs `body` (of `content_type`) and waits for the status line; true if the receiver answered
/// within 2 s.
pub(crate) async fn post(target: &Target, content_type: &str, body: &[u8]) -> bool {
    let attempt = async {
        let s = TcpStream::connect(target.addr).await.ok()?;
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\nUser-Agent: capmonster-emulator\r\n\r\n",
            target.path,
            target.host,
            body.len()
        );
        write_all(&s, head.as_bytes()).await.ok()?;
        write_all(&s, body).await.ok()?;
        let mut buf = [0u8; 16];
        let mut got = 0;
        while got < 9 {
            let n = read_some(&s, &mut buf[got..]).await.ok()?;
            if n == 0 {
                break;
            }
            got += n;
        }
        Some(buf[..got].starts_with(b"HTTP/1."))
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(2), attempt).await,
        Ok(Some(true))
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
        ] {
            assert!(loopback_target(bad).is_none(), "{bad}");
        }
    }
}
