//! Pieces shared by the task types: the proxy, and the validation rules.

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::secret::SecretString;

/// Whether a task type takes your own proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProxyRule {
    /// The type has no proxy fields; the service uses its own.
    None,
    /// A proxy may be given; without one the service uses its own.
    Optional,
    /// The type needs your own proxy (all five fields).
    Required,
}

/// The proxy protocol (`proxyType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ProxyType {
    /// `http`: a regular HTTP/HTTPS proxy.
    Http,
    /// `https`: try it only if `http` does not work.
    Https,
    /// `socks4`.
    Socks4,
    /// `socks5`.
    Socks5,
}

/// Your own proxy for a task. Its fields are sent flattened into the task
/// (`proxyType`, `proxyAddress`, `proxyPort`, `proxyLogin`, `proxyPassword`).
/// The password is redacted in `Debug`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Proxy {
    /// `proxyType`.
    #[serde(rename = "proxyType")]
    pub proxy_type: ProxyType,
    /// `proxyAddress`: the proxy's IPv4 or IPv6 address.
    #[serde(rename = "proxyAddress")]
    pub address: String,
    /// `proxyPort`.
    #[serde(rename = "proxyPort", deserialize_with = "lenient_port")]
    pub port: u16,
    /// `proxyLogin`.
    #[serde(
        rename = "proxyLogin",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub login: Option<String>,
    /// `proxyPassword`.
    #[serde(
        rename = "proxyPassword",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub password: Option<SecretString>,
}

impl Proxy {
    /// A proxy without authentication.
    pub fn new(proxy_type: ProxyType, address: impl Into<String>, port: u16) -> Self {
        Self {
            proxy_type,
            address: address.into(),
            port,
            login: None,
            password: None,
        }
    }

    /// Adds a login and password.
    #[must_use]
    pub fn with_auth(
        mut self,
        login: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Self {
        self.login = Some(login.into());
        self.password = Some(password.into());
        self
    }

    /// Reads a proxy written as a URL: `scheme://[login:password@]host:port`, where the scheme is
    /// `http`, `https`, `socks4` or `socks5`. The login and password may be percent-encoded.
    ///
    /// ```
    /// use capmonster_proto::{task::{Proxy, ProxyType}};
    /// let p = Proxy::from_url("socks5://bob:p%40ss@10.0.0.7:1080").unwrap();
    /// assert_eq!((p.proxy_type, p.address.as_str(), p.port), (ProxyType::Socks5, "10.0.0.7", 1080));
    /// assert_eq!(p.password.unwrap().expose_secret(), "p@ss");
    /// ```
    pub fn from_url(url: &str) -> Result<Self, ValidationError> {
        let bad = |rule: &str| ValidationError::new("proxy", rule.to_owned());
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("must look like http://login:password@host:port"))?;
        let proxy_type = match scheme.to_ascii_lowercase().as_str() {
            "http" => ProxyType::Http,
            "https" => ProxyType::Https,
            "socks4" => ProxyType::Socks4,
            "socks5" => ProxyType::Socks5,
            _ => return Err(bad("the scheme must be http, https, socks4 or socks5")),
        };
        let rest = rest.trim_end_matches('/');
        let (auth, host_port) = match rest.rsplit_once('@') {
            Some((auth, hp)) => (Some(auth), hp),
            None => (None, rest),
        };
        let (host, port) = host_port
            .rsplit_once(':')
            .ok_or_else(|| bad("needs a port after the host (host:port)"))?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let port: u16 = port
            .parse()
            .map_err(|_| bad("the port must be a number from 1 to 65535"))?;
        let mut proxy = Self::new(proxy_type, host, port);
        if let Some(auth) = auth {
            let (login, password) = auth.split_once(':').unwrap_or((auth, ""));
            let decode = |s: &str| {
                percent_decode(s)
                    .ok_or_else(|| bad("bad percent-encoding in the login or password"))
            };
            proxy = proxy.with_auth(decode(login)?, decode(password)?);
        }
        proxy.validate(false)?;
        Ok(proxy)
    }

    /// Checks the proxy fields. `required_auth` asks for login and password too (the types
    /// whose proxy is required list all five fields as required).
    pub fn validate(&self, required_auth: bool) -> Result<(), ValidationError> {
        check_nonempty("task.proxyAddress", &self.address)?;
        if self.address.contains("://") || self.address.contains('/') {
            return Err(ValidationError::new(
                "task.proxyAddress",
                "is a bare IP address or host, without a scheme or path",
            ));
        }
        if self.port == 0 {
            return Err(ValidationError::new(
                "task.proxyPort",
                "must be from 1 to 65535",
            ));
        }
        if required_auth {
            if self.login.as_deref().is_none_or(str::is_empty) {
                return Err(ValidationError::new(
                    "task.proxyLogin",
                    "is required for this task type's proxy",
                ));
            }
            if self
                .password
                .as_ref()
                .is_none_or(|p| p.expose_secret().is_empty())
            {
                return Err(ValidationError::new(
                    "task.proxyPassword",
                    "is required for this task type's proxy",
                ));
            }
        }
        Ok(())
    }
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn lenient_port<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Port {
        Number(u16),
        Text(String),
    }
    match Port::deserialize(d)? {
        Port::Number(n) => Ok(n),
        Port::Text(s) => s
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom("proxyPort must be a port number")),
    }
}

/// The smallest image the service accepts, in bytes.
pub const MIN_IMAGE_BYTES: usize = 100;
/// The largest image the service accepts, in bytes (50 KB).
pub const MAX_IMAGE_BYTES: usize = 50 * 1024;

/// A required string field must not be empty or blank.
pub(crate) fn check_nonempty(field: &str, value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(ValidationError::new(
            field,
            "is required and must not be empty",
        ));
    }
    Ok(())
}

/// `websiteURL` and friends: an absolute http(s) URL.
pub(crate) fn check_website_url(field: &str, value: &str) -> Result<(), ValidationError> {
    check_nonempty(field, value)?;
    let trimmed = value.trim_start();
    let scheme_len = if starts_with_ignore_case(trimmed, "https://") {
        8
    } else if starts_with_ignore_case(trimmed, "http://") {
        7
    } else {
        return Err(ValidationError::new(
            field,
            "must be a full http:// or https:// URL",
        ));
    };
    let rest = &trimmed[scheme_len..];
    if rest.is_empty() || rest.starts_with('/') {
        return Err(ValidationError::new(
            field,
            "must name a host after the scheme",
        ));
    }
    if value.chars().any(char::is_whitespace) {
        return Err(ValidationError::new(field, "must not contain whitespace"));
    }
    Ok(())
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// True for a byte of the standard base64 alphabet (padding aside). Without branches or a
/// table, so that the check of a whole image compiles to many bytes a step.
fn is_base64(b: u8) -> bool {
    let upper = b.wrapping_sub(b'A') < 26;
    let lower = b.wrapping_sub(b'a') < 26;
    let digit = b.wrapping_sub(b'0') < 10;
    upper | lower | digit | (b == b'+') | (b == b'/')
}

/// The decoded length of standard base64 text, or `None` if it is not base64 (line breaks,
/// a `data:` prefix and URL-safe characters are all refused, as the service refuses them).
pub(crate) fn base64_decoded_len(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    if bytes.len() % 4 != 0 {
        return None;
    }
    let pad = bytes.iter().rev().take_while(|&&b| b == b'=').count();
    if pad > 2 {
        return None;
    }
    let body = &bytes[..bytes.len() - pad];
    // Images are kilobytes, and this runs before every send: each chunk is checked whole
    // (no early exit inside it), which the compiler turns into vector compares.
    if !body
        .chunks(64)
        .all(|chunk| chunk.iter().fold(true, |ok, &b| ok & is_base64(b)))
    {
        return None;
    }
    Some(bytes.len() / 4 * 3 - pad)
}

/// An image given as base64: well-formed, and 100 bytes to 50 KB once decoded.
pub(crate) fn check_image_base64(field: &str, text: &str) -> Result<(), ValidationError> {
    if text.starts_with("data:") {
        return Err(ValidationError::new(
            field,
            "must be bare base64, without a `data:...;base64,` prefix",
        ));
    }
    let len = base64_decoded_len(text).ok_or_else(|| {
        ValidationError::new(
            field,
            "must be standard base64 without line breaks or spaces",
        )
    })?;
    if len < MIN_IMAGE_BYTES {
        return Err(ValidationError::new(
            field,
            format!("the image is {len} bytes; the service needs at least {MIN_IMAGE_BYTES}"),
        ));
    }
    if len > MAX_IMAGE_BYTES {
        return Err(ValidationError::new(
            field,
            format!(
                "the image is {len} bytes; the service takes at most {MAX_IMAGE_BYTES} (50 KB)"
            ),
        ));
    }
    Ok(())
}

/// A host name given without a scheme or path (`funcaptchaApiJSSubdomain`,
/// `yidunApiServerSubdomain`, `geetestApiServerSubdomain`).
pub(crate) fn check_bare_host(field: &str, value: &str) -> Result<(), ValidationError> {
    check_nonempty(field, value)?;
    if value.contains("://") || value.contains('/') || value.chars().any(char::is_whitespace) {
        return Err(ValidationError::new(
            field,
            "is a bare domain name, without a scheme, path or spaces",
        ));
    }
    Ok(())
}

/// An optional field that, when set, must not be blank.
pub(crate) fn check_opt_nonempty(field: &str, value: Option<&str>) -> Result<(), ValidationError> {
    match value {
        Some(v) if v.trim().is_empty() => {
            Err(ValidationError::new(field, "must not be empty when set"))
        }
        _ => Ok(()),
    }
}

/// The proxy of a type whose proxy is optional: checked when present.
pub(crate) fn check_optional_proxy(proxy: Option<&Proxy>) -> Result<(), ValidationError> {
    match proxy {
        Some(p) => p.validate(false),
        None => Ok(()),
    }
}

/// The proxy of a type (or mode) that needs your own: present, with login and password.
pub(crate) fn check_required_proxy(proxy: Option<&Proxy>) -> Result<(), ValidationError> {
    match proxy {
        Some(p) => p.validate(true),
        None => Err(ValidationError::new(
            "task.proxyType",
            "is required: this task type needs your own proxy (type, address, port, login and password)",
        )),
    }
}

/// Reads a boolean sent either as `true`/`false` or as the integers `1`/`0` (the documentation
/// uses both for flags such as `isEnterprise`).
pub(crate) fn lenient_opt_bool<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum B {
        Bool(bool),
        Int(i64),
        Text(String),
    }
    match Option::<B>::deserialize(d)? {
        None => Ok(None),
        Some(B::Bool(b)) => Ok(Some(b)),
        Some(B::Int(0)) => Ok(Some(false)),
        Some(B::Int(1)) => Ok(Some(true)),
        Some(B::Text(t)) => match t.as_str() {
            "true" | "1" => Ok(Some(true)),
            "false" | "0" => Ok(Some(false)),
            _ => Err(serde::de::Error::custom("expected a boolean, 0 or 1")),
        },
        Some(B::Int(_)) => Err(serde::de::Error::custom("expected a boolean, 0 or 1")),
    }
}

/// Generates `with_*` setters for optional fields (strings by default, `: bool` for flags) and
/// the proxy: one macro for every task family.
macro_rules! setters {
    ($ty:ty { proxy; $($rest:tt)* }) => {
        setters!($ty { $($rest)* });
        impl $ty {
            /// Uses your own proxy.
            #[must_use]
            pub fn with_proxy(mut self, proxy: Proxy) -> Self {
                self.proxy = Some(proxy);
                self
            }
        }
    };
    ($ty:ty { $($fn:ident => $field:ident $(: $kind:ident)?, $doc:literal;)* }) => {
        impl $ty {
            $( setters!(@one $fn, $field, $doc $(, $kind)?); )*
        }
    };
    (@one $fn:ident, $field:ident, $doc:literal) => {
        #[doc = $doc]
        #[must_use]
        pub fn $fn(mut self, value: impl Into<String>) -> Self {
            self.$field = Some(value.into());
            self
        }
    };
    (@one $fn:ident, $field:ident, $doc:literal, bool) => {
        #[doc = $doc]
        #[must_use]
        pub fn $fn(mut self, value: bool) -> Self {
            self.$field = Some(value);
            self
        }
    };
}
pub(crate) use setters;

/// Standard base64 with padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_check_takes_exactly_the_standard_alphabet_anywhere_in_the_text() {
        for b in 0..=255u8 {
            let standard = b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
            assert_eq!(is_base64(b), standard, "byte {b:#04x}");
        }
        let good = base64_encode(&[0xA5; 300]);
        assert_eq!(base64_decoded_len(&good), Some(300));
        // One bad byte, at the start, at a chunk edge, mid-chunk and just before the padding.
        for at in [0, 63, 64, 100, good.len() - 1] {
            for bad in [b'-', b'_', b'\n', b' ', b'.', 0x7F] {
                let mut text = good.clone().into_bytes();
                text[at] = bad;
                let text = String::from_utf8_lossy(&text).into_owned();
                assert_eq!(base64_decoded_len(&text), None, "{bad:#04x} at {at}");
            }
        }
    }

    #[test]
    fn base64_encoder_matches_known_vectors() {
        assert_eq!(base64_encode(b""), "");
        assert_eq!(base64_encode(b"f"), "Zg==");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_encode(b"foo"), "Zm9v");
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        for n in 0..50 {
            let data: Vec<u8> = (0..n).map(|i| (i * 37) as u8).collect();
            assert_eq!(base64_decoded_len(&base64_encode(&data)), Some(n as usize));
        }
    }

    #[test]
    fn image_limits() {
        let small = base64_encode(&[1u8; 99]);
        let e = check_image_base64("task.body", &small).unwrap_err();
        assert!(e.rule().contains("at least 100"), "{e}");
        assert!(check_image_base64("task.body", &base64_encode(&[1u8; 100])).is_ok());
        assert!(check_image_base64("task.body", &base64_encode(&[1u8; 51_200])).is_ok());
        let e = check_image_base64("task.body", &base64_encode(&[1u8; 51_201])).unwrap_err();
        assert!(e.rule().contains("at most 51200"), "{e}");
        let with_newline = format!("{}\n{}", &small[..40], &small[40..]);
        assert!(check_image_base64("task.body", &with_newline).is_err());
        assert!(check_image_base64("task.body", "data:image/png;base64,AAAA").is_err());
    }

    #[test]
    fn website_url_rule() {
        assert!(check_website_url("task.websiteURL", "https://example.com/a?b=c").is_ok());
        assert!(check_website_url("task.websiteURL", "HTTP://EXAMPLE.COM").is_ok());
        for bad in [
            "",
            "example.com",
            "ftp://x.y",
            "https://",
            "https:///path",
            "https://a b",
        ] {
            let e = check_website_url("task.websiteURL", bad).unwrap_err();
            assert_eq!(e.field(), "task.websiteURL");
        }
    }

    #[test]
    fn flags_are_read_from_booleans_and_integers() {
        #[derive(Deserialize)]
        struct F {
            #[serde(default, deserialize_with = "lenient_opt_bool")]
            f: Option<bool>,
        }
        let read = |j: &str| serde_json::from_str::<F>(j).map(|f| f.f);
        assert_eq!(read(r#"{"f":true}"#).unwrap(), Some(true));
        assert_eq!(read(r#"{"f":0}"#).unwrap(), Some(false));
        assert_eq!(read(r#"{"f":1}"#).unwrap(), Some(true));
        assert_eq!(read(r#"{"f":"false"}"#).unwrap(), Some(false));
        assert_eq!(read(r#"{"f":null}"#).unwrap(), None);
        assert_eq!(read(r#"{}"#).unwrap(), None);
        assert!(read(r#"{"f":2}"#).is_err());
        assert!(read(r#"{"f":"yes"}"#).is_err());
    }

    #[test]
    fn bare_hosts_and_required_proxies() {
        assert!(check_bare_host("h", "api-na.geetest.com").is_ok());
        for bad in ["", "https://a.example", "a.example/path", "a b"] {
            assert_eq!(check_bare_host("h", bad).unwrap_err().field(), "h");
        }
        assert_eq!(
            check_required_proxy(None).unwrap_err().field(),
            "task.proxyType"
        );
        let p = Proxy::new(ProxyType::Http, "1.2.3.4", 1).with_auth("u", "p");
        assert!(check_required_proxy(Some(&p)).is_ok());
        assert!(check_optional_proxy(None).is_ok());
    }

    #[test]
    fn proxy_from_url() {
        let p = Proxy::from_url("http://user:pa:ss@8.8.8.8:8080").unwrap();
        assert_eq!(p.login.as_deref(), Some("user"));
        assert_eq!(p.password.unwrap().expose_secret(), "pa:ss");
        let p = Proxy::from_url("https://[2001:db8::1]:3128").unwrap();
        assert_eq!(
            (p.address.as_str(), p.port, p.login),
            ("2001:db8::1", 3128, None)
        );
        for (bad, needle) in [
            ("8.8.8.8:8080", "must look like"),
            ("ftp://h:1", "scheme"),
            ("http://host", "port"),
            ("http://host:99999", "port"),
            ("http://u:%zz@h:1", "percent"),
        ] {
            let e = Proxy::from_url(bad).unwrap_err();
            assert!(e.rule().contains(needle), "{bad}: {e}");
            assert_eq!(e.field(), "proxy");
        }
    }

    #[test]
    fn proxy_password_is_redacted_and_port_is_lenient() {
        let p = Proxy::new(ProxyType::Http, "8.8.8.8", 8080).with_auth("user", "hunter2");
        assert!(!format!("{p:?}").contains("hunter2"));
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["proxyPassword"], "hunter2");
        let back: Proxy = serde_json::from_str(
            r#"{"proxyType":"socks5","proxyAddress":"1.2.3.4","proxyPort":"1080"}"#,
        )
        .unwrap();
        assert_eq!(back.port, 1080);
        assert_eq!(back.proxy_type, ProxyType::Socks5);
        assert_eq!(
            Proxy::new(ProxyType::Http, "1.2.3.4", 8080)
                .validate(true)
                .unwrap_err()
                .field(),
            "task.proxyLogin"
        );
    }
}
