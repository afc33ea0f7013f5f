//! Name resolution for the agent, kept for a short while.
//!
//! ureq resolves the host on every request, even one that goes out on a pooled connection, and
//! with a timeout set (here, always) its resolver spawns a thread per lookup. That thread (its
//! stack, its start and its end) was most of this client's CPU cost over the bare ureq loop (see
//! docs/BENCHMARKS.md). This resolver keeps the last host's addresses for [`KEEP_FOR`], and
//! answers an IP-literal host at once, so a request on a pooled connection neither spawns a
//! thread nor asks DNS.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::http::uri::{Authority, Scheme};
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// How long a lookup is reused. Short, so that a moved service is followed within the time an
/// idle pooled connection is kept anyway.
const KEEP_FOR: Duration = Duration::from_secs(30);

/// The default resolver behind a one-entry cache (a client talks to one host).
#[derive(Debug, Default)]
pub(crate) struct KeptResolver {
    lookup: DefaultResolver,
    last: Mutex<Option<Kept>>,
}

#[derive(Debug)]
struct Kept {
    scheme: Option<Scheme>,
    authority: Authority,
    at: Instant,
    addrs: ResolvedSocketAddrs,
}

impl Resolver for KeptResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let Some(authority) = uri.authority() else {
            return self.lookup.resolve(uri, config, timeout);
        };
        if let Some(addr) = ip_literal(uri.scheme(), authority) {
            let mut addrs = self.empty();
            addrs.push(addr);
            return Ok(addrs);
        }
        let now = Instant::now();
        {
            let last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(kept) = last.as_ref().filter(|k| {
                k.scheme.as_ref() == uri.scheme()
                    && &k.authority == authority
                    && now.saturating_duration_since(k.at) < KEEP_FOR
            }) {
                return Ok(kept.addrs.clone());
            }
        }
        let addrs = self.lookup.resolve(uri, config, timeout)?;
        *self.last.lock().unwrap_or_else(PoisonError::into_inner) = Some(Kept {
            scheme: uri.scheme().cloned(),
            authority: authority.clone(),
            at: now,
            addrs: addrs.clone(),
        });
        Ok(addrs)
    }
}

/// The address of a host written as an IP address (`127.0.0.1`, `[::1]`), with its port or the
/// scheme's; `None` for a name, or a scheme without a known port.
fn ip_literal(scheme: Option<&Scheme>, authority: &Authority) -> Option<SocketAddr> {
    let host = authority.host();
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    let ip: IpAddr = host.parse().ok()?;
    let port = match (authority.port_u16(), scheme.map(Scheme::as_str)) {
        (Some(port), _) => port,
        (None, Some("http")) => 80,
        (None, Some("https")) => 443,
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn literal(uri: &str) -> Option<SocketAddr> {
        let uri: Uri = uri.parse().unwrap();
        ip_literal(uri.scheme(), uri.authority().unwrap())
    }

    #[test]
    fn ip_literals_are_answered_without_a_lookup() {
        assert_eq!(
            literal("http://127.0.0.1:8080/x"),
            Some("127.0.0.1:8080".parse().unwrap())
        );
        assert_eq!(
            literal("https://[::1]/x"),
            Some("[::1]:443".parse().unwrap())
        );
        assert_eq!(
            literal("http://10.0.0.1/"),
            Some("10.0.0.1:80".parse().unwrap())
        );
        assert_eq!(literal("https://api.capmonster.cloud/createTask"), None);
        assert_eq!(literal("socks5://127.0.0.1/"), None);
    }

    #[test]
    fn a_name_is_looked_up_once_then_kept() {
        let resolver = KeptResolver::default();
        let config = Config::default();
        let uri: Uri = "http://localhost:1/".parse().unwrap();
        let first = resolver
            .resolve(&uri, &config, NextTimeout::default())
            .unwrap();
        let at = resolver.last.lock().unwrap().as_ref().unwrap().at;
        let second = resolver
            .resolve(&uri, &config, NextTimeout::default())
            .unwrap();
        assert_eq!(&first[..], &second[..]);
        // The second answer came from the cache: the entry was not replaced.
        assert_eq!(resolver.last.lock().unwrap().as_ref().unwrap().at, at);
        let other: Uri = "http://localhost:2/".parse().unwrap();
        let third = resolver
            .resolve(&other, &config, NextTimeout::default())
            .unwrap();
        assert!(third.iter().all(|a| a.port() == 2));
    }
}
