//! Cloudflare `TurnstileTask`.

use serde::{Deserialize, Serialize};

use super::common::{Proxy, check_nonempty, check_website_url};
use crate::error::ValidationError;

/// Cloudflare Turnstile (`TurnstileTask`), plain token mode, with or without your own proxy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TurnstileTask {
    /// `websiteURL`: the page with the widget.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `websiteKey`: the Turnstile site key.
    pub website_key: String,
    /// `pageAction`: the `action` of the render call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_action: Option<String>,
    /// `data`: the `cData` value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// `userAgent`: a current Windows browser User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Your own proxy (optional in this mode).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

impl TurnstileTask {
    /// A plain Turnstile task for the page `website_url` and the site key `website_key`.
    pub fn new(website_url: impl Into<String>, website_key: impl Into<String>) -> Self {
        Self {
            website_url: website_url.into(),
            website_key: website_key.into(),
            page_action: None,
            data: None,
            user_agent: None,
            proxy: None,
        }
    }

    /// Sets `pageAction`.
    #[must_use]
    pub fn with_page_action(mut self, action: impl Into<String>) -> Self {
        self.page_action = Some(action.into());
        self
    }

    /// Sets `data` (`cData`).
    #[must_use]
    pub fn with_data(mut self, data: impl Into<String>) -> Self {
        self.data = Some(data.into());
        self
    }

    /// Sets `userAgent`.
    #[must_use]
    pub fn with_user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
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
