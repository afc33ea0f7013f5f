//! The endpoint trait and what the endpoints return.
//!
//! An endpoint builds its `http::Request<Vec<u8>>` for a [`Service`] and a [`ClientKey`], and
//! parses an `http::Response<&[u8]>` into its typed output. A front end needs one generic
//! `send` for all of them:
//!
//! ```
//! use capmonster_proto::{ClientKey, Endpoint, GetBalance, Service};
//! let service = Service::default();
//! let key = ClientKey::new("0123456789abcdef").unwrap();
//! let request = GetBalance.build(&service, &key).unwrap();
//! assert_eq!(request.uri(), "https://api.capmonster.cloud/getBalance");
//! // ... send it, then:
//! let response = http::Response::builder()
//!     .status(200)
//!     .body(&br#"{"errorId":0,"balance":345.678}"#[..])
//!     .unwrap();
//! let balance = GetBalance.parse(&service, response).unwrap();
//! assert_eq!(balance.balance, 345.678);
//! ```

use crate::error::{BuildError, ResponseError};
use crate::key::ClientKey;
use crate::service::Service;

/// A task id, as createTask returns it.
pub type TaskId = u64;

/// An API method: how to build its request, and how to read its answer.
pub trait Endpoint {
    /// What a successful answer is parsed into.
    type Output;

    /// The method's name, as in the URL path (`createTask`, ...).
    fn method_name(&self, service: &Service) -> &'static str;

    /// Builds the HTTP request. Local validation runs here: nothing invalid is ever built.
    fn build(
        &self,
        service: &Service,
        key: &ClientKey,
    ) -> Result<http::Request<Vec<u8>>, BuildError>;

    /// Parses the HTTP response, whatever its status.
    fn parse(
        &self,
        service: &Service,
        response: http::Response<&[u8]>,
    ) -> Result<Self::Output, ResponseError>;
}

/// The account balance.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Balance {
    /// `balance`, in the account's currency (USD).
    pub balance: f64,
    /// `captchaCredits` (Anti-Captcha only).
    pub captcha_credits: Option<f64>,
}

/// getQueueStats' answer. Anti-Captcha caches it for 10 seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct QueueStats {
    /// `waiting`: idle workers.
    pub waiting: u64,
    /// `load`: queue load, in percent.
    pub load: f64,
    /// `bid`: the current bid, in USD.
    pub bid: f64,
    /// `speed`: average solving time, in seconds.
    pub speed: f64,
    /// `total`: workers online.
    pub total: u64,
}

/// A report accepted by the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReportAccepted;
