//! reCAPTCHA task types.

use serde::{Deserialize, Serialize};

use serde_json::{Map, Value};

use super::common::setters;
use super::common::{
    Proxy, check_nonempty, check_opt_nonempty, check_optional_proxy, check_website_url,
    lenient_opt_bool,
};
use crate::error::ValidationError;

/// reCAPTCHA v2 (`RecaptchaV2Task`), with or without your own proxy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RecaptchaV2Task {
    /// `websiteURL`: the page with the captcha. `websiteUrl` is accepted when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `websiteKey`: the widget's `data-sitekey`.
    pub website_key: String,
    /// `recaptchaDataSValue`: the one-time `data-s` value of some custom widgets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recaptcha_data_s_value: Option<String>,
    /// `userAgent`: a current browser User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// `cookies`: `name1=value1; name2=value2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookies: Option<String>,
    /// `isInvisible`: an invisible reCAPTCHA (no checkbox). `1`/`0` are accepted when reading.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_opt_bool"
    )]
    pub is_invisible: Option<bool>,
    /// `nocache`: do not reuse older tokens.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_opt_bool"
    )]
    pub nocache: Option<bool>,
    /// Your own proxy (optional).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

impl RecaptchaV2Task {
    /// A task for the page `website_url` and the site key `website_key`.
    pub fn new(website_url: impl Into<String>, website_key: impl Into<String>) -> Self {
        Self {
            website_url: website_url.into(),
            website_key: website_key.into(),
            recaptcha_data_s_value: None,
            user_agent: None,
            cookies: None,
            is_invisible: None,
            nocache: None,
            proxy: None,
        }
    }

    /// Checks `websiteURL`, `websiteKey` and the proxy.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        check_nonempty("task.websiteKey", &self.website_key)?;
        check_optional_proxy(self.proxy.as_ref())
    }
}

setters!(RecaptchaV2Task {
    proxy;
    with_data_s_value => recaptcha_data_s_value, "Sets `recaptchaDataSValue`.";
    with_user_agent => user_agent, "Sets `userAgent`.";
    with_cookies => cookies, "Sets `cookies`.";
    with_invisible => is_invisible: bool, "Sets `isInvisible`.";
    with_nocache => nocache: bool, "Sets `nocache`.";
});

/// The hosts reCAPTCHA may be loaded from (`apiDomain`).
pub const RECAPTCHA_API_DOMAINS: &[&str] = &["www.google.com", "www.recaptcha.net"];

/// reCAPTCHA v2 Enterprise (`RecaptchaV2EnterpriseTask`), with or without your own proxy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RecaptchaV2EnterpriseTask {
    /// `websiteURL`: the page with the captcha. `websiteUrl` is accepted when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `websiteKey`: the site key (`data-sitekey`, or `k=` in the anchor iframe URL).
    pub website_key: String,
    /// `pageAction`: the widget's `action`, only when it differs from the default `verify`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_action: Option<String>,
    /// `enterprisePayload`: extra parameters of `grecaptcha.enterprise.render`, such as
    /// `{"s": "..."}`. Sent as a JSON object, as the documented example does; a string holding a
    /// JSON object is accepted when reading.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_payload"
    )]
    pub enterprise_payload: Option<Map<String, Value>>,
    /// `apiDomain`: `www.google.com` or `www.recaptcha.net`; only when you know it is needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_domain: Option<String>,
    /// `userAgent`: a current browser User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// `cookies`: `name1=value1; name2=value2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookies: Option<String>,
    /// Your own proxy (optional).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

fn lenient_payload<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Map<String, Value>>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(&s) {
            Ok(Value::Object(m)) => Ok(Some(m)),
            _ => Err(serde::de::Error::custom(
                "enterprisePayload must be a JSON object (or a string holding one)",
            )),
        },
        Some(_) => Err(serde::de::Error::custom(
            "enterprisePayload must be a JSON object",
        )),
    }
}

impl RecaptchaV2EnterpriseTask {
    /// A task for the page `website_url` and the site key `website_key`.
    pub fn new(website_url: impl Into<String>, website_key: impl Into<String>) -> Self {
        Self {
            website_url: website_url.into(),
            website_key: website_key.into(),
            page_action: None,
            enterprise_payload: None,
            api_domain: None,
            user_agent: None,
            cookies: None,
            proxy: None,
        }
    }

    /// Sets `enterprisePayload`.
    #[must_use]
    pub fn with_enterprise_payload(mut self, payload: Map<String, Value>) -> Self {
        self.enterprise_payload = Some(payload);
        self
    }

    /// Sets the `s` member of `enterprisePayload` (the common case).
    #[must_use]
    pub fn with_payload_s(mut self, s: impl Into<String>) -> Self {
        self.enterprise_payload
            .get_or_insert_with(Map::new)
            .insert("s".to_owned(), Value::String(s.into()));
        self
    }

    /// Checks `websiteURL`, `websiteKey`, `apiDomain` and the proxy.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        check_nonempty("task.websiteKey", &self.website_key)?;
        check_opt_nonempty("task.pageAction", self.page_action.as_deref())?;
        if let Some(d) = &self.api_domain {
            if !RECAPTCHA_API_DOMAINS.contains(&d.as_str()) {
                return Err(ValidationError::new(
                    "task.apiDomain",
                    "must be www.google.com or www.recaptcha.net",
                ));
            }
        }
        check_optional_proxy(self.proxy.as_ref())
    }
}

setters!(RecaptchaV2EnterpriseTask {
    proxy;
    with_page_action => page_action, "Sets `pageAction`.";
    with_api_domain => api_domain, "Sets `apiDomain`.";
    with_user_agent => user_agent, "Sets `userAgent`.";
    with_cookies => cookies, "Sets `cookies`.";
});

/// The lowest `minScore` the service accepts.
pub const MIN_SCORE_LOW: f64 = 0.1;
/// The highest `minScore` the service accepts.
pub const MIN_SCORE_HIGH: f64 = 0.9;

fn check_min_score(score: Option<f64>) -> Result<(), ValidationError> {
    match score {
        Some(s) if !(MIN_SCORE_LOW..=MIN_SCORE_HIGH).contains(&s) => Err(ValidationError::new(
            "task.minScore",
            "must be from 0.1 to 0.9",
        )),
        _ => Ok(()),
    }
}

/// reCAPTCHA v3 (`RecaptchaV3TaskProxyless`). The service uses its own proxies; this type has
/// no proxy fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RecaptchaV3Task {
    /// `websiteURL`: the page with the captcha. `websiteUrl` is accepted when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `websiteKey`: the `render=` value of `api.js`.
    pub website_key: String,
    /// `isEnterprise`: solve it as reCAPTCHA v3 Enterprise. `1`/`0` are accepted when reading.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_opt_bool"
    )]
    pub is_enterprise: Option<bool>,
    /// `minScore`: 0.1 to 0.9.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_score: Option<f64>,
    /// `pageAction`: the widget's action (default `verify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_action: Option<String>,
    /// `nocache`: do not reuse older tokens.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_opt_bool"
    )]
    pub nocache: Option<bool>,
}

impl RecaptchaV3Task {
    /// A task for the page `website_url` and the site key `website_key`.
    pub fn new(website_url: impl Into<String>, website_key: impl Into<String>) -> Self {
        Self {
            website_url: website_url.into(),
            website_key: website_key.into(),
            is_enterprise: None,
            min_score: None,
            page_action: None,
            nocache: None,
        }
    }

    /// Sets `minScore` (0.1 to 0.9; checked by [`RecaptchaV3Task::validate`]).
    #[must_use]
    pub fn with_min_score(mut self, score: f64) -> Self {
        self.min_score = Some(score);
        self
    }

    /// Checks `websiteURL`, `websiteKey`, `minScore` and `pageAction`.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        check_nonempty("task.websiteKey", &self.website_key)?;
        check_min_score(self.min_score)?;
        check_opt_nonempty("task.pageAction", self.page_action.as_deref())
    }
}

setters!(RecaptchaV3Task {
    with_enterprise => is_enterprise: bool, "Sets `isEnterprise`.";
    with_page_action => page_action, "Sets `pageAction`.";
    with_nocache => nocache: bool, "Sets `nocache`.";
});

/// reCAPTCHA v3 Enterprise (`RecaptchaV3EnterpriseTask`). The service uses its own proxies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RecaptchaV3EnterpriseTask {
    /// `websiteURL`: the page with the captcha. `websiteUrl` is accepted when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `websiteKey`: the `render=` value of `enterprise.js`.
    pub website_key: String,
    /// `minScore`: 0.1 to 0.9.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_score: Option<f64>,
    /// `pageAction`: the widget's action (default `verify`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_action: Option<String>,
}

impl RecaptchaV3EnterpriseTask {
    /// A task for the page `website_url` and the site key `website_key`.
    pub fn new(website_url: impl Into<String>, website_key: impl Into<String>) -> Self {
        Self {
            website_url: website_url.into(),
            website_key: website_key.into(),
            min_score: None,
            page_action: None,
        }
    }

    /// Sets `minScore` (0.1 to 0.9).
    #[must_use]
    pub fn with_min_score(mut self, score: f64) -> Self {
        self.min_score = Some(score);
        self
    }

    /// Checks `websiteURL`, `websiteKey`, `minScore` and `pageAction`.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        check_nonempty("task.websiteKey", &self.website_key)?;
        check_min_score(self.min_score)?;
        check_opt_nonempty("task.pageAction", self.page_action.as_deref())
    }
}

setters!(RecaptchaV3EnterpriseTask {
    with_page_action => page_action, "Sets `pageAction`.";
});
