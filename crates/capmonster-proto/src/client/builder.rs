//! The builder both front ends share.

use std::time::Duration;

use super::{
    ClientConfig, DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_REQUEST_TIMEOUT,
};
use crate::error::ValidationError;
use crate::key::ClientKey;
use crate::service::Service;
use crate::solver::Policy;

/// Turns a finished [`ClientConfig`] into a front end's client. Each front end implements it
/// for its `Client`, and gets [`ClientBuilder`] for free.
pub trait FromClientConfig: Sized {
    /// Builds the client (its HTTP agent, connection pool and TLS).
    fn from_client_config(config: ClientConfig) -> Result<Self, crate::ClientError>;
}

/// The consuming builder of a front end's `Client`. Settings that can be wrong are checked at
/// [`ClientBuilder::build`], which names the field and the rule.
pub struct ClientBuilder<C> {
    key: Option<Result<ClientKey, ValidationError>>,
    service: Service,
    base_url: Option<String>,
    http_user_agent: Option<String>,
    policy: Policy,
    request_timeout: Duration,
    outbound_proxy: Option<String>,
    soft_id: Option<u32>,
    max_response_bytes: usize,
    max_in_flight: usize,
    extra_root_certificates: Vec<Vec<u8>>,
    pingback: Option<String>,
    client: std::marker::PhantomData<fn() -> C>,
}

impl<C> std::fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("key", &self.key.as_ref().map(|k| k.as_ref().ok()))
            .field("service", &self.service)
            .field("base_url", &self.base_url)
            .field("request_timeout", &self.request_timeout)
            .field(
                "outbound_proxy",
                &self.outbound_proxy.as_ref().map(|_| "[set]"),
            )
            .field("soft_id", &self.soft_id)
            .field(
                "extra_root_certificates",
                &self.extra_root_certificates.len(),
            )
            .field("pingback", &self.pingback)
            .finish_non_exhaustive()
    }
}

impl<C> Default for ClientBuilder<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C> ClientBuilder<C> {
    /// A builder with the defaults: CapMonster Cloud, the default policy, a 30-second request
    /// timeout, no outbound proxy.
    pub fn new() -> Self {
        Self {
            key: None,
            service: Service::default(),
            base_url: None,
            http_user_agent: None,
            policy: Policy::default(),
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            outbound_proxy: None,
            soft_id: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            extra_root_certificates: Vec::new(),
            pingback: None,
            client: std::marker::PhantomData,
        }
    }

    /// The account key. A key written with suffixes (`KEY__nocache`) is read into its options.
    #[must_use]
    pub fn api_key(mut self, key: &str) -> Self {
        self.key = Some(ClientKey::parse_with_suffixes(key));
        self
    }

    /// The account key, already typed.
    #[must_use]
    pub fn client_key(mut self, key: ClientKey) -> Self {
        self.key = Some(Ok(key));
        self
    }

    /// The service profile ([`Service::capmonster`], [`Service::anti_captcha`], ...).
    #[must_use]
    pub fn service(mut self, service: Service) -> Self {
        self.service = service;
        self
    }

    /// Sends everything to `url` instead, in the chosen profile's dialect (for example a local
    /// emulator at `http://127.0.0.1:PORT`).
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The default solve policy.
    #[must_use]
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// The timeout of each HTTP request.
    #[must_use]
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// An outbound proxy for the client's own traffic (`http://user:pass@host:port`).
    #[must_use]
    pub fn outbound_proxy(mut self, url: impl Into<String>) -> Self {
        self.outbound_proxy = Some(url.into());
        self
    }

    /// The HTTP `User-Agent` header of the client's own requests.
    #[must_use]
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.http_user_agent = Some(ua.into());
        self
    }

    /// `softId` sent with every createTask.
    #[must_use]
    pub fn soft_id(mut self, soft_id: u32) -> Self {
        self.soft_id = Some(soft_id);
        self
    }

    /// The largest answer read (default 2 MiB).
    #[must_use]
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// The most requests in flight at once (default 512); the rest wait for a slot.
    #[must_use]
    pub fn max_in_flight(mut self, requests: usize) -> Self {
        self.max_in_flight = requests;
        self
    }

    /// Trusts the root certificates in `pem` (PEM text: one or more `BEGIN CERTIFICATE`
    /// blocks) in addition to the built-in roots, for a proxy that intercepts TLS with its own
    /// root, or a self-hosted compatible service. Call it again to add more. Certificates are
    /// still verified (chain, validity, name); there is no way to turn that off.
    #[must_use]
    pub fn add_root_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_root_certificates.push(pem.into());
        self
    }

    /// Pingback mode: each solve's createTask carries its own callback URL, `base` followed by
    /// `/` and an unguessable token, and the service POSTs the result there when the task
    /// finishes. Hand each POST your web server receives under `base` to the client's
    /// `deliver(path, body)`. Solves still poll, slowly (first after 20 s, then every 15 s,
    /// always once before the deadline), so a lost delivery costs time, never the task.
    ///
    /// `base` is an `http://` or `https://` URL the service can reach, without query or
    /// fragment; the service must speak the JSON API.
    #[must_use]
    pub fn pingback(mut self, base: impl Into<String>) -> Self {
        self.pingback = Some(base.into());
        self
    }

    /// The configuration, checked.
    pub fn into_config(self) -> Result<ClientConfig, ValidationError> {
        let key = self.key.ok_or_else(|| {
            ValidationError::new(
                "apiKey",
                "is required: pass it to the builder (or set CAPMONSTER_API_KEY for the command)",
            )
        })??;
        let mut service = match &self.base_url {
            Some(url) => {
                let derived = Service::custom(url, self.service.dialect())?
                    .with_type_naming(self.service.type_naming());
                derived.with_url_form_options(self.service.url_form_options())
            }
            None => self.service,
        };
        if let Some(ua) = self.http_user_agent {
            service = service.with_http_user_agent(ua)?;
        }
        let config = ClientConfig {
            key,
            service,
            policy: self.policy,
            request_timeout: self.request_timeout,
            outbound_proxy: self.outbound_proxy,
            soft_id: self.soft_id,
            max_response_bytes: self.max_response_bytes,
            max_in_flight: self.max_in_flight,
            extra_root_certificates: self.extra_root_certificates,
            pingback: self.pingback,
        };
        config.validate()?;
        Ok(config)
    }
}

impl<C: FromClientConfig> ClientBuilder<C> {
    /// Builds the client.
    pub fn build(self) -> Result<C, crate::ClientError> {
        let config = self.into_config().map_err(crate::BuildError::from)?;
        C::from_client_config(config)
    }
}
