//! For front ends: what the blocking and the async client share, so that each keeps only I/O.
//!
//! A front end's `ClientBuilder` ([`ClientBuilder`]) fills a [`ClientConfig`]; its `Client`
//! holds an HTTP agent and a [`Shared`], which builds each request, reads each answer, plans
//! and settles reports, and drives each solve as a [`Run`]. Nothing here does I/O or reads the
//! clock: the front end passes `now`.

mod accept_run;
mod builder;
mod pingback;
mod run;

use std::time::Duration;

pub use accept_run::{AcceptRun, AcceptStep};
pub use builder::{ClientBuilder, FromClientConfig};
pub use pingback::DeliveryRefused;
pub(crate) use pingback::{PingbackDesk, TOKEN_BYTES, check_base, named_task_id};
pub use run::{ExchangeFailure, Run, Shared, Step};

use crate::api::CreateTask;
use crate::error::ValidationError;
use crate::key::ClientKey;
use crate::service::Service;
use crate::solver::Policy;
use crate::task::Task;

/// The per-request timeout unless set: long enough for a slow answer, short enough that a
/// dead connection is noticed well before a solve's deadline.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest answer a client reads unless set (2 MiB). The biggest documented answers (cookie
/// sets, long tokens) are a few kilobytes; anything near this is not an API answer.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 2 * 1024 * 1024;

/// How many requests a client has in flight at once unless set. Each one holds a connection, so
/// this also bounds the open connections (and their memory) when thousands of solves poll at
/// once; 512 requests of ~100 ms each still carry about 5,000 requests a second. On loopback,
/// 512 measured better than 1,024 in memory, CPU and latency alike (docs/BENCHMARKS.md).
pub const DEFAULT_MAX_IN_FLIGHT: usize = 512;

/// The line that opens a certificate in PEM text.
const PEM_CERTIFICATE: &[u8] = b"-----BEGIN CERTIFICATE-----";

/// A client's configuration, shared by both front ends. Its `Debug` shows neither the key nor
/// the outbound proxy's password.
#[derive(Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The account key.
    pub key: ClientKey,
    /// Where and in which dialect.
    pub service: Service,
    /// The default solve policy (timing table, retries, deadline).
    pub policy: Policy,
    /// The timeout of each HTTP request (a solve's deadline also cuts requests in flight).
    pub request_timeout: Duration,
    /// An outbound HTTP proxy for the client's own traffic (`http://user:pass@host:port`).
    pub outbound_proxy: Option<String>,
    /// `softId` sent with every createTask.
    pub soft_id: Option<u32>,
    /// The largest answer read; a larger one becomes an error.
    pub max_response_bytes: usize,
    /// The most requests in flight at once; more wait for a slot, within their own timeout.
    pub max_in_flight: usize,
    /// Root certificates (PEM text, one or more certificates each) trusted in addition to the
    /// front end's built-in roots. Certificates are still verified against them.
    pub extra_root_certificates: Vec<Vec<u8>>,
    /// Pingback mode: the base URL under which each solve gets its own callback URL (see
    /// [`ClientBuilder::pingback`]).
    pub pingback: Option<String>,
}

impl std::fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientConfig")
            .field("key", &self.key)
            .field("service", &self.service)
            .field("policy", &self.policy)
            .field("request_timeout", &self.request_timeout)
            .field(
                "outbound_proxy",
                &self.outbound_proxy.as_deref().map(redact_proxy_password),
            )
            .field("soft_id", &self.soft_id)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_in_flight", &self.max_in_flight)
            .field(
                "extra_root_certificates",
                &self.extra_root_certificates.len(),
            )
            .field("pingback", &self.pingback)
            .finish()
    }
}

/// A proxy URL with the password of its userinfo replaced (`http://bob:[redacted]@host:3128`).
fn redact_proxy_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let masked = if userinfo.contains(':') {
                format!("{user}:[redacted]")
            } else {
                user.to_owned()
            };
            format!("{scheme}://{masked}@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

impl ClientConfig {
    /// A configuration for `key` against CapMonster Cloud, with the defaults.
    pub fn new(key: ClientKey) -> Self {
        Self {
            key,
            service: Service::default(),
            policy: Policy::default(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            outbound_proxy: None,
            soft_id: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            extra_root_certificates: Vec::new(),
            pingback: None,
        }
    }

    /// Checks the settings that a front end cannot check by itself.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.request_timeout.is_zero() {
            return Err(ValidationError::new(
                "requestTimeout",
                "must be more than zero",
            ));
        }
        if self.max_in_flight == 0 {
            return Err(ValidationError::new("maxInFlight", "must be at least 1"));
        }
        if self.max_response_bytes < 1024 {
            return Err(ValidationError::new(
                "maxResponseBytes",
                "must be at least 1024 bytes",
            ));
        }
        for pem in &self.extra_root_certificates {
            if !pem
                .windows(PEM_CERTIFICATE.len())
                .any(|w| w == PEM_CERTIFICATE)
            {
                return Err(ValidationError::new(
                    "rootCertificates",
                    "must be PEM text holding at least one '-----BEGIN CERTIFICATE-----' block",
                ));
            }
        }
        if let Some(base) = &self.pingback {
            check_base(base, &self.service)?;
        }
        if let Some(proxy) = &self.outbound_proxy {
            let scheme_ok = ["http://", "https://", "socks5://", "socks4://"]
                .iter()
                .any(|s| proxy.starts_with(s));
            if !scheme_ok || proxy.parse::<http::Uri>().is_err() {
                return Err(ValidationError::new(
                    "outboundProxy",
                    "must be a URL such as http://host:port or socks5://user:pass@host:port",
                ));
            }
        }
        Ok(())
    }

    /// A warning when secrets would travel in clear text: the base URL is plain `http://` and
    /// its host is not loopback (`localhost`, `127.0.0.0/8`, `::1`), so the key does; or the
    /// pingback base is, so the callback URLs (whose token is all that guards a delivery) and
    /// the solved tokens do. Both front ends log it (tracing, `warn`) when the client is built,
    /// and the CLI prints it on stderr.
    pub fn cleartext_warning(&self) -> Option<String> {
        let base = self.service.base_url();
        let key = plain_off_loopback(base).then(|| {
            format!(
                "the base URL {base} is plain http on a host that is not loopback: the key \
                 travels in clear text; use https"
            )
        });
        let pingback = self
            .pingback
            .as_deref()
            .filter(|p| plain_off_loopback(p))
            .map(|p| {
                format!(
                    "the pingback base {p} is plain http on a host that is not loopback: the \
                     callback URLs and the solved tokens travel in clear text, and anyone who \
                     sees a callback URL can forge a delivery; use https"
                )
            });
        match (key, pingback) {
            (Some(k), Some(p)) => Some(format!("{k}; {p}")),
            (k, p) => k.or(p),
        }
    }

    /// The createTask for `task`, with this client's `softId`.
    pub fn create_task(&self, task: Task) -> CreateTask {
        let create = CreateTask::new(task);
        match self.soft_id {
            Some(id) => create.with_soft_id(id),
            None => create,
        }
    }

    /// The timeout for one request: the configured one, cut to what is left of a solve.
    pub fn request_limit(&self, time_left: Option<Duration>) -> Duration {
        match time_left {
            Some(left) => self.request_timeout.min(left),
            None => self.request_timeout,
        }
    }

    /// The strings a front end must scrub from any text it passes on: the key, with and without
    /// its suffixes, and the outbound proxy's URL (which may hold a password).
    pub fn secrets(&self) -> Vec<String> {
        // The key's own forms come first; the proxy's URL, user and password after.
        let mut out = vec![
            self.key.expose_secret(),
            self.key.expose_base_secret().to_owned(),
        ];
        if let Some(p) = &self.outbound_proxy {
            out.push(p.clone());
            if let Some(userinfo) = p.split("://").nth(1).and_then(|r| r.rsplit_once('@')) {
                out.push(userinfo.0.to_owned());
                if let Some((_, pass)) = userinfo.0.split_once(':') {
                    out.push(pass.to_owned());
                    if let Some(decoded) = percent_decoded(pass) {
                        out.push(decoded);
                    }
                }
            }
        }
        out
    }
}

/// `text` percent-decoded, when it has escapes and decodes to UTF-8.
fn percent_decoded(text: &str) -> Option<String> {
    if !text.contains('%') {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes[i] {
            b'%' => text
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok()),
            _ => None,
        };
        if let Some(b) = escaped {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// True when `url` is plain `http://` on a host that is not loopback.
fn plain_off_loopback(url: &str) -> bool {
    let Ok(uri) = url.parse::<http::Uri>() else {
        return false;
    };
    let Some(host) = uri.host() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    uri.scheme_str() == Some("http") && !loopback
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ClientConfig {
        ClientConfig::new(ClientKey::new("SECRETKEY1").unwrap().with_nocache(true))
    }

    #[test]
    fn debug_of_the_config_hides_the_proxy_password() {
        let mut c = config();
        c.outbound_proxy = Some("http://bob:s3cretpw@10.0.0.1:3128".into());
        let text = format!("{c:?}");
        assert!(!text.contains("s3cretpw"), "{text}");
        assert!(!text.contains("SECRETKEY1"), "{text}");
        assert!(
            text.contains("http://bob:[redacted]@10.0.0.1:3128"),
            "{text}"
        );
        assert_eq!(
            redact_proxy_password("socks5://a%40b:p%40ss@h:1/x"),
            "socks5://a%40b:[redacted]@h:1/x"
        );
        assert_eq!(redact_proxy_password("http://h:1"), "http://h:1");
        c.outbound_proxy = Some("http://bob:p%40ss@10.0.0.1:3128".into());
        assert!(c.secrets().iter().any(|s| s == "p@ss"));
    }

    #[test]
    fn plain_http_off_loopback_is_warned_about() {
        let mut c = config();
        assert_eq!(c.cleartext_warning(), None, "https by default");
        for (url, warned) in [
            ("http://127.0.0.1:8080", false),
            ("http://localhost:1", false),
            ("http://[::1]:1", false),
            ("http://api.example.com", true),
            ("http://10.0.0.1:80", true),
            ("https://api.example.com", false),
        ] {
            c.service = Service::custom(url, crate::service::Dialect::CapMonster).unwrap();
            assert_eq!(c.cleartext_warning().is_some(), warned, "{url}");
        }
        // The pingback base too: its URLs guard deliveries, and tokens travel on it.
        c.service = Service::capmonster();
        for (base, warned) in [
            ("http://127.0.0.1:9000/cb", false),
            ("https://hooks.example.com/cb", false),
            ("http://hooks.example.com/cb", true),
        ] {
            c.pingback = Some(base.to_owned());
            let warning = c.cleartext_warning();
            assert_eq!(warning.is_some(), warned, "{base}");
            assert!(
                warning.is_none_or(|w| w.contains("pingback base")),
                "{base}"
            );
        }
    }

    #[test]
    fn request_limit_is_cut_to_the_deadline() {
        let c = config();
        assert_eq!(c.request_limit(None), DEFAULT_REQUEST_TIMEOUT);
        assert_eq!(
            c.request_limit(Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
    }

    #[test]
    fn secrets_cover_key_and_proxy_password() {
        let mut c = config();
        c.outbound_proxy = Some("http://bob:s3cretpw@10.0.0.1:3128".into());
        c.validate().unwrap();
        let s = c.secrets();
        for needle in ["SECRETKEY1__nocache", "SECRETKEY1", "s3cretpw"] {
            assert!(s.iter().any(|x| x == needle), "{needle} missing from {s:?}");
        }
        c.outbound_proxy = Some("10.0.0.1:3128".into());
        assert_eq!(c.validate().unwrap_err().field(), "outboundProxy");
        c.outbound_proxy = None;
        c.request_timeout = Duration::ZERO;
        assert_eq!(c.validate().unwrap_err().field(), "requestTimeout");
    }

    #[test]
    fn extra_roots_must_be_pem_certificates() {
        let key = || ClientKey::new("SECRETKEY1").unwrap();
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        let config = ClientBuilder::<()>::new()
            .client_key(key())
            .add_root_certificates_pem(pem)
            .add_root_certificates_pem(pem.as_bytes())
            .into_config()
            .unwrap();
        assert_eq!(config.extra_root_certificates.len(), 2);
        for bad in [
            &b""[..],
            b"MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
            b"-----BEGIN PRIVATE KEY-----",
        ] {
            let refused = ClientBuilder::<()>::new()
                .client_key(key())
                .add_root_certificates_pem(bad)
                .into_config()
                .unwrap_err();
            assert_eq!(refused.field(), "rootCertificates");
        }
    }
}
