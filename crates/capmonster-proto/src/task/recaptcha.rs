//! reCAPTCHA task types.

use serde::{Deserialize, Serialize};

use super::common::{Proxy, check_nonempty, check_website_url};
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
    /// `isInvisible`: an invisible reCAPTCHA (no checkbox).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_invisible: Option<bool>,
    /// `nocache`: do not reuse older tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
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

    /// Sets `recaptchaDataSValue`.
    #[must_use]
    pub fn with_data_s_value(mut self, value: impl Into<String>) -> Self {
        self.recaptcha_data_s_value = Some(value.into());
        self
    }

    /// Sets `userAgent`.
    #[must_use]
    pub fn with_user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// Sets `cookies`.
    #[must_use]
    pub fn with_cookies(mut self, cookies: impl Into<String>) -> Self {
        self.cookies = Some(cookies.into());
        self
    }

    /// Sets `isInvisible`.
    #[must_use]
    pub fn with_invisible(mut self, invisible: bool) -> Self {
        self.is_invisible = Some(invisible);
        self
    }

    /// Sets `nocache`.
    #[must_use]
    pub fn with_nocache(mut self, nocache: bool) -> Self {
        self.nocache = Some(nocache);
        self
    }

    /// Uses your own proxy.
    #[must_use]
    pub fn with_proxy(mut self, proxy: Proxy) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// Checks `websiteURL`, `websiteKey` and the proxy.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        check_nonempty("task.websiteKey", &self.website_key)?;
        if let Some(p) = &self.proxy {
            p.validate(false)?;
        }
        Ok(())
    }
}
