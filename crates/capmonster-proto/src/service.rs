//! Where requests go, and in which dialect.

use std::borrow::Cow;

use crate::error::ValidationError;
use crate::task::TypeNaming;

/// The default base URL of the CapMonster Cloud JSON API.
pub const CAPMONSTER_BASE_URL: &str = "https://api.capmonster.cloud";
/// The documented address of getUserAgent, on its own host.
pub const CAPMONSTER_USER_AGENT_URL: &str = "https://capmonster.cloud/api/useragent/actual";
/// Anti-Captcha's JSON API.
pub const ANTI_CAPTCHA_BASE_URL: &str = "https://api.anti-captcha.com";
/// 2Captcha's JSON API v2.
pub const TWO_CAPTCHA_BASE_URL: &str = "https://api.2captcha.com";

/// CapMonster Cloud's in.php/res.php URL form over HTTPS (the documented example uses `http://`
/// on the same host; see [`CAPMONSTER_URL_FORM_DOCUMENTED_BASE_URL`]).
pub const CAPMONSTER_URL_FORM_BASE_URL: &str = "https://api.capmonster.cloud";
/// The base of the one documented in.php URL: plain `http://`, as the docs print it.
pub const CAPMONSTER_URL_FORM_DOCUMENTED_BASE_URL: &str = "http://api.capmonster.cloud";
/// 2Captcha's in.php/res.php API (v1).
pub const TWO_CAPTCHA_URL_FORM_BASE_URL: &str = "https://2captcha.com";

/// The `User-Agent` header this crate sends unless told otherwise.
pub const DEFAULT_USER_AGENT: &str = concat!("capmonster-rs/", env!("CARGO_PKG_VERSION"));

/// The wire dialect a service speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Dialect {
    /// CapMonster Cloud's JSON API (`errorId` is 1 on every error).
    CapMonster,
    /// Anti-Captcha's JSON API (`errorId` is the code's own number).
    AntiCaptcha,
    /// 2Captcha's JSON API v2.
    TwoCaptcha,
    /// The rucaptcha/2captcha `in.php`/`res.php` URL form.
    UrlForm,
}

impl Dialect {
    /// A short stable name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::CapMonster => "CapMonster Cloud",
            Self::AntiCaptcha => "Anti-Captcha",
            Self::TwoCaptcha => "2Captcha",
            Self::UrlForm => "the in.php/res.php URL form",
        }
    }
}

/// A service: its base URL, dialect, and the getUserAgent address.
///
/// Any scheme, host, port and path prefix works as a base URL, so a local emulator at
/// `http://127.0.0.1:PORT/prefix` is as good as the real service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    base_url: Cow<'static, str>,
    user_agent_url: Option<Cow<'static, str>>,
    dialect: Dialect,
    naming: TypeNaming,
    http_user_agent: Cow<'static, str>,
    url_form: UrlFormOptions,
}

impl Default for Service {
    fn default() -> Self {
        Self::capmonster()
    }
}

impl Service {
    /// CapMonster Cloud at its documented address.
    pub fn capmonster() -> Self {
        Self {
            base_url: Cow::Borrowed(CAPMONSTER_BASE_URL),
            user_agent_url: Some(Cow::Borrowed(CAPMONSTER_USER_AGENT_URL)),
            dialect: Dialect::CapMonster,
            naming: TypeNaming::Documented,
            http_user_agent: Cow::Borrowed(DEFAULT_USER_AGENT),
            url_form: UrlFormOptions::default(),
        }
    }

    /// Anti-Captcha's JSON API, with its `...Proxyless` type names.
    pub fn anti_captcha() -> Self {
        Self {
            base_url: Cow::Borrowed(ANTI_CAPTCHA_BASE_URL),
            user_agent_url: None,
            dialect: Dialect::AntiCaptcha,
            naming: TypeNaming::Legacy,
            http_user_agent: Cow::Borrowed(DEFAULT_USER_AGENT),
            url_form: UrlFormOptions::default(),
        }
    }

    /// 2Captcha's JSON API v2, with its `...Proxyless` type names.
    pub fn two_captcha() -> Self {
        Self {
            base_url: Cow::Borrowed(TWO_CAPTCHA_BASE_URL),
            user_agent_url: None,
            dialect: Dialect::TwoCaptcha,
            naming: TypeNaming::Legacy,
            http_user_agent: Cow::Borrowed(DEFAULT_USER_AGENT),
            url_form: UrlFormOptions::default(),
        }
    }

    /// CapMonster Cloud's in.php/res.php URL form, over HTTPS.
    ///
    /// Only `in.php` with `method=userrecaptcha` is documented by CapMonster; the rest follows
    /// 2Captcha's API v1 (see docs/PROTOCOL-NOTES.md ("The URL form and the compatible services")).
    pub fn capmonster_url_form() -> Self {
        Self {
            base_url: Cow::Borrowed(CAPMONSTER_URL_FORM_BASE_URL),
            user_agent_url: Some(Cow::Borrowed(CAPMONSTER_USER_AGENT_URL)),
            dialect: Dialect::UrlForm,
            naming: TypeNaming::Documented,
            http_user_agent: Cow::Borrowed(DEFAULT_USER_AGENT),
            url_form: UrlFormOptions::default(),
        }
    }

    /// 2Captcha's in.php/res.php API (v1).
    pub fn two_captcha_url_form() -> Self {
        Self {
            base_url: Cow::Borrowed(TWO_CAPTCHA_URL_FORM_BASE_URL),
            user_agent_url: None,
            dialect: Dialect::UrlForm,
            naming: TypeNaming::Documented,
            http_user_agent: Cow::Borrowed(DEFAULT_USER_AGENT),
            url_form: UrlFormOptions::default(),
        }
    }

    /// A service at `base_url` speaking `dialect`.
    ///
    /// The URL needs an `http` or `https` scheme and a host; a port and a path prefix are kept.
    /// A trailing `/` is dropped. For the CapMonster dialect the getUserAgent address is derived
    /// from the base URL (`<base>/api/useragent/actual`), which is where the emulator serves it;
    /// set it explicitly with [`Service::with_user_agent_url`].
    pub fn custom(base_url: &str, dialect: Dialect) -> Result<Self, ValidationError> {
        let base = check_url("baseUrl", base_url)?;
        let user_agent_url = match dialect {
            // CapMonster serves its URL form too, and so does the emulator at any base.
            Dialect::CapMonster | Dialect::UrlForm => {
                Some(Cow::Owned(format!("{base}/api/useragent/actual")))
            }
            Dialect::AntiCaptcha | Dialect::TwoCaptcha => None,
        };
        let naming = match dialect {
            Dialect::CapMonster => TypeNaming::Documented,
            Dialect::AntiCaptcha | Dialect::TwoCaptcha | Dialect::UrlForm => TypeNaming::Legacy,
        };
        Ok(Self {
            base_url: Cow::Owned(base),
            user_agent_url,
            dialect,
            naming,
            http_user_agent: Cow::Borrowed(DEFAULT_USER_AGENT),
            url_form: UrlFormOptions::default(),
        })
    }

    /// Overrides where getUserAgent is sent.
    pub fn with_user_agent_url(mut self, url: &str) -> Result<Self, ValidationError> {
        self.user_agent_url = Some(Cow::Owned(check_url("userAgentUrl", url)?));
        Ok(self)
    }

    /// Chooses which task type names are written.
    #[must_use]
    pub fn with_type_naming(mut self, naming: TypeNaming) -> Self {
        self.naming = naming;
        self
    }

    /// Overrides the HTTP `User-Agent` header sent with every request.
    pub fn with_http_user_agent(mut self, ua: impl Into<String>) -> Result<Self, ValidationError> {
        let ua = ua.into();
        if ua.is_empty() || http::HeaderValue::from_str(&ua).is_err() {
            return Err(ValidationError::new(
                "userAgent",
                "must be non-empty visible ASCII, valid as an HTTP header",
            ));
        }
        self.http_user_agent = Cow::Owned(ua);
        Ok(self)
    }

    /// Sets the URL-form options (POST or GET, encoding, `json=1`) used by every endpoint that
    /// does not set its own, including `CreateTask` and the other JSON
    /// endpoints when they speak the URL form.
    #[must_use]
    pub fn with_url_form_options(mut self, options: UrlFormOptions) -> Self {
        self.url_form = options;
        self
    }

    /// The URL-form options.
    pub fn url_form_options(&self) -> UrlFormOptions {
        self.url_form
    }

    /// The base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The getUserAgent address, if this service has one.
    pub fn user_agent_url(&self) -> Option<&str> {
        self.user_agent_url.as_deref()
    }

    /// The dialect.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The task type naming.
    pub fn type_naming(&self) -> TypeNaming {
        self.naming
    }

    /// The HTTP `User-Agent` header value.
    pub fn http_user_agent(&self) -> &str {
        &self.http_user_agent
    }

    /// The URL of a method: `<base>/<method>`.
    pub fn method_url(&self, method: &str) -> String {
        let mut url = String::with_capacity(self.base_url.len() + 1 + method.len());
        url.push_str(&self.base_url);
        url.push('/');
        url.push_str(method);
        url
    }
}

fn check_url(field: &str, url: &str) -> Result<String, ValidationError> {
    let trimmed = url.trim_end_matches('/');
    let uri: http::Uri = trimmed
        .parse()
        .map_err(|_| ValidationError::new(field, "must be an absolute http:// or https:// URL"))?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => {
            return Err(ValidationError::new(
                field,
                "must start with http:// or https://",
            ));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(ValidationError::new(field, "must name a host"));
    }
    if uri.query().is_some() {
        return Err(ValidationError::new(field, "must not carry a query string"));
    }
    Ok(trimmed.to_owned())
}

/// How a URL-form call travels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UrlFormTransport {
    /// `POST` with an `application/x-www-form-urlencoded` body: the key stays out of the URL
    /// (and out of proxy and server access logs). The default.
    #[default]
    PostForm,
    /// `GET` with every parameter in the query string, as in the documented example.
    Get,
}

/// How values are written into a GET query string.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QueryEncoding {
    /// `application/x-www-form-urlencoded`: every byte outside `A-Za-z0-9*-._` is
    /// percent-encoded, so `pageurl=https%3A%2F%2F...`. The default, and always used for POST bodies.
    #[default]
    Percent,
    /// The documented example's style: only bytes that would change the meaning of the query
    /// (`&`, `#`, `+`, `%`) or are not allowed in a URI (spaces, controls, non-ASCII, `"<>\^`{|}[]`)
    /// are percent-encoded; `:/?=@` and the like stay as they are. The documented `in.php` URL is
    /// reproduced byte for byte in this mode.
    AsDocumented,
}

/// Options shared by every URL-form endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct UrlFormOptions {
    /// POST form (default) or GET.
    pub transport: UrlFormTransport,
    /// How GET query values are encoded.
    pub encoding: QueryEncoding,
    /// Send `json=1` (default `true`): the answer comes back as JSON, which is the only way to
    /// receive extras such as Turnstile's `useragent`, reCAPTCHA cookies and `get2`'s `price`.
    /// Plain text is read either way.
    pub json: bool,
    /// Poll with `res.php?action=get2` (default `false`), which sends each answer's price with
    /// it (read into `ResultExtras::cost`).
    pub price: bool,
}

impl Default for UrlFormOptions {
    fn default() -> Self {
        Self {
            transport: UrlFormTransport::PostForm,
            encoding: QueryEncoding::Percent,
            json: true,
            price: false,
        }
    }
}

impl UrlFormOptions {
    /// The documented example's options: GET, [`QueryEncoding::AsDocumented`], no `json=1`.
    pub fn as_documented() -> Self {
        Self {
            transport: UrlFormTransport::Get,
            encoding: QueryEncoding::AsDocumented,
            json: false,
            price: false,
        }
    }

    /// Sets the transport.
    #[must_use]
    pub fn with_transport(mut self, transport: UrlFormTransport) -> Self {
        self.transport = transport;
        self
    }

    /// Sets the GET query encoding.
    #[must_use]
    pub fn with_encoding(mut self, encoding: QueryEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// Turns `json=1` on or off.
    #[must_use]
    pub fn with_json(mut self, json: bool) -> Self {
        self.json = json;
        self
    }

    /// Turns `action=get2` (the answer with its price) on or off.
    #[must_use]
    pub fn with_price(mut self, price: bool) -> Self {
        self.price = price;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_base_keeps_port_and_prefix() {
        let s = Service::custom("http://127.0.0.1:8080/prefix/", Dialect::CapMonster).unwrap();
        assert_eq!(
            s.method_url("createTask"),
            "http://127.0.0.1:8080/prefix/createTask"
        );
        assert_eq!(
            s.user_agent_url(),
            Some("http://127.0.0.1:8080/prefix/api/useragent/actual")
        );
        assert_eq!(
            Service::default().method_url("getBalance"),
            "https://api.capmonster.cloud/getBalance"
        );
        assert_eq!(
            Service::default().user_agent_url(),
            Some(CAPMONSTER_USER_AGENT_URL)
        );
    }

    #[test]
    fn bad_base_urls_are_named() {
        for bad in [
            "ftp://x",
            "api.capmonster.cloud",
            "http://",
            "",
            "http://h/?q=1",
        ] {
            let e = Service::custom(bad, Dialect::CapMonster).unwrap_err();
            assert_eq!(e.field(), "baseUrl", "{bad}");
        }
    }
}
