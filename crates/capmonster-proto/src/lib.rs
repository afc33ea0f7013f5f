#![doc = include_str!("../README.md")]
//!
//! Out of scope here: HTTP, TLS, timeouts, sleeping, logging.
//!
//! ## Other services and the URL form
//!
//! A [`Service`] names a base URL and a [`Dialect`]: CapMonster Cloud (the default), Anti-Captcha,
//! 2Captcha's API v2, or the rucaptcha/2captcha `in.php`/`res.php` URL form
//! ([`Service::capmonster_url_form`], [`Service::two_captcha_url_form`], or any base URL with
//! [`Service::custom`]). The same endpoints work on all of them: on a URL-form service
//! [`CreateTask`], [`GetTaskResult`], [`GetBalance`] and the report request send
//! `in.php`/`res.php` requests (shaped by the service's [`UrlFormOptions`]) and read their text
//! or JSON replies into the same outputs. [`report`] has the per-service report rules, the one
//! report request they make, and a ledger that refuses reports the service would refuse.
//!
//! ## Errors
//!
//! Every answer is read whatever its HTTP status: a JSON error body becomes an [`ApiError`]
//! whose [`ErrorCode`] has an [`ErrorClass`] (not-ready, retry-call, retry-task, fatal-task,
//! fatal-config) and a hint of what to do; anything else becomes an [`UnparseableResponse`]
//! that keeps the status and a bounded prefix of the body. Bad input is refused before anything
//! is built, with a [`ValidationError`] naming the field and the rule.
//!
//! ## Secrets
//!
//! The [`ClientKey`] and proxy passwords ([`SecretString`]) are redacted in `Debug` and have no
//! `Display`.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod accept;
mod api;
pub mod client;
mod client_error;
mod desk;
mod endpoint;
mod error;
pub mod inputs;
mod key;
pub mod report;
mod secret;
mod service;
pub mod solution;
pub mod solver;
pub mod task;
mod wire;

pub use http;

pub use client_error::{ClientError, TransportError, redact};

pub use api::{CreateTask, GetBalance, GetQueueStats, GetTaskResult, GetUserAgent};
pub use endpoint::{Balance, Endpoint, QueueStats, ReportAccepted, TaskId};
pub use error::{
    ApiError, BODY_PREFIX_LIMIT, BuildError, ErrorClass, ErrorCode, ResponseError, UnknownCode,
    UnparseableResponse, ValidationError, escape_control,
};
pub use key::ClientKey;
pub use secret::SecretString;
pub use service::{
    ANTI_CAPTCHA_BASE_URL, CAPMONSTER_BASE_URL, CAPMONSTER_URL_FORM_BASE_URL,
    CAPMONSTER_URL_FORM_DOCUMENTED_BASE_URL, CAPMONSTER_USER_AGENT_URL, DEFAULT_USER_AGENT,
    Dialect, QueryEncoding, Service, TWO_CAPTCHA_BASE_URL, TWO_CAPTCHA_URL_FORM_BASE_URL,
    UrlFormOptions, UrlFormTransport,
};
pub use task::naming::TypeNaming;
