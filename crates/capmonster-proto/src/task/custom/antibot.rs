//! Anti-bot page protections: DataDome, Imperva (Incapsula) and TSPD.

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::task::common::{
    Proxy, check_nonempty, check_opt_nonempty, check_required_proxy, check_website_url, setters,
};

/// `metadata` of a DataDome task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DataDomeMetadata {
    /// `captchaUrl`: the captcha's URL (`https://geo.captcha-delivery.com/...`).
    pub captcha_url: String,
    /// `datadomeCookie`: the cookie, written `datadome=<value>`.
    pub datadome_cookie: String,
    /// `datadomeVersion`: `new` selects the updated solver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datadome_version: Option<String>,
}

/// DataDome (`CustomTask`, class `DataDome`). Your own proxy is required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DataDomeTask {
    /// `websiteURL`: the protected page. `websiteUrl` is accepted when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `userAgent`: a current Windows browser User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// `metadata`.
    pub metadata: DataDomeMetadata,
    /// Your own proxy (required; the constructor takes it).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

impl DataDomeTask {
    /// A task for the page, the captcha URL, the `datadome=...` cookie, and your proxy.
    pub fn new(
        website_url: impl Into<String>,
        captcha_url: impl Into<String>,
        datadome_cookie: impl Into<String>,
        proxy: Proxy,
    ) -> Self {
        Self {
            website_url: website_url.into(),
            user_agent: None,
            metadata: DataDomeMetadata {
                captcha_url: captcha_url.into(),
                datadome_cookie: datadome_cookie.into(),
                datadome_version: None,
            },
            proxy: Some(proxy),
        }
    }

    /// Sets `metadata.datadomeVersion` (`new` for the updated solver).
    #[must_use]
    pub fn with_datadome_version(mut self, version: impl Into<String>) -> Self {
        self.metadata.datadome_version = Some(version.into());
        self
    }

    /// Checks `websiteURL`, the metadata and the required proxy.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        check_website_url("task.metadata.captchaUrl", &self.metadata.captcha_url)?;
        check_nonempty(
            "task.metadata.datadomeCookie",
            &self.metadata.datadome_cookie,
        )?;
        check_opt_nonempty(
            "task.metadata.datadomeVersion",
            self.metadata.datadome_version.as_deref(),
        )?;
        check_required_proxy(self.proxy.as_ref())
    }
}

setters!(DataDomeTask { proxy;
    with_user_agent => user_agent, "Sets `userAgent`.";
});

/// `metadata` of an Imperva task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ImpervaMetadata {
    /// `incapsulaScriptUrl`: the Incapsula resource's name, such as
    /// `_Incapsula_Resource?SWJIYLWA=...` (a relative path).
    pub incapsula_script_url: String,
    /// `incapsulaCookies`: `incap_ses_*=...; visid_incap_*=...`.
    pub incapsula_cookies: String,
    /// `reese84UrlEndpoint`: the endpoint that receives the reese84 fingerprint.
    #[serde(
        rename = "reese84UrlEndpoint",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reese84_url_endpoint: Option<String>,
}

/// Imperva / Incapsula (`CustomTask`, class `Imperva`; the old class `Incapsula` is read too).
/// Your own proxy is required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ImpervaTask {
    /// `websiteURL`: the protected page. `websiteUrl` is accepted when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `userAgent`: a current Windows browser User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// `metadata`.
    pub metadata: ImpervaMetadata,
    /// Your own proxy (required; the constructor takes it).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

impl ImpervaTask {
    /// A task for the page, the Incapsula script name, the `incap_ses`/`visid_incap` cookies,
    /// and your proxy.
    pub fn new(
        website_url: impl Into<String>,
        incapsula_script_url: impl Into<String>,
        incapsula_cookies: impl Into<String>,
        proxy: Proxy,
    ) -> Self {
        Self {
            website_url: website_url.into(),
            user_agent: None,
            metadata: ImpervaMetadata {
                incapsula_script_url: incapsula_script_url.into(),
                incapsula_cookies: incapsula_cookies.into(),
                reese84_url_endpoint: None,
            },
            proxy: Some(proxy),
        }
    }

    /// Sets `metadata.reese84UrlEndpoint`.
    #[must_use]
    pub fn with_reese84_url_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.metadata.reese84_url_endpoint = Some(endpoint.into());
        self
    }

    /// Checks `websiteURL`, the metadata and the required proxy.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        check_nonempty(
            "task.metadata.incapsulaScriptUrl",
            &self.metadata.incapsula_script_url,
        )?;
        check_nonempty(
            "task.metadata.incapsulaCookies",
            &self.metadata.incapsula_cookies,
        )?;
        check_opt_nonempty(
            "task.metadata.reese84UrlEndpoint",
            self.metadata.reese84_url_endpoint.as_deref(),
        )?;
        check_required_proxy(self.proxy.as_ref())
    }
}

setters!(ImpervaTask { proxy;
    with_user_agent => user_agent, "Sets `userAgent`.";
});

/// `metadata` of a TSPD task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TspdMetadata {
    /// `tspdCookie`: the `TS...` cookies of the challenge response, `name=value; ...`.
    pub tspd_cookie: String,
    /// `htmlPageBase64`: the whole challenge page in base64.
    pub html_page_base64: String,
}

/// TSPD (`CustomTask`, class `tspd`). `userAgent` and your own proxy are required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TspdTask {
    /// `websiteURL`: the page. `websiteUrl` (the documented example's spelling) is accepted
    /// when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `userAgent`: the User-Agent that loaded the challenge (required).
    pub user_agent: String,
    /// `metadata`.
    pub metadata: TspdMetadata,
    /// Your own proxy (required; the constructor takes it).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

impl TspdTask {
    /// A task for the page, the User-Agent, the `TS...` cookies, the page's HTML in base64,
    /// and your proxy.
    pub fn new(
        website_url: impl Into<String>,
        user_agent: impl Into<String>,
        tspd_cookie: impl Into<String>,
        html_page_base64: impl Into<String>,
        proxy: Proxy,
    ) -> Self {
        Self {
            website_url: website_url.into(),
            user_agent: user_agent.into(),
            metadata: TspdMetadata {
                tspd_cookie: tspd_cookie.into(),
                html_page_base64: html_page_base64.into(),
            },
            proxy: Some(proxy),
        }
    }

    /// Uses another proxy.
    #[must_use]
    pub fn with_proxy(mut self, proxy: Proxy) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// Checks `websiteURL`, `userAgent`, the metadata and the required proxy.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        check_nonempty("task.userAgent", &self.user_agent)?;
        check_nonempty("task.metadata.tspdCookie", &self.metadata.tspd_cookie)?;
        check_nonempty(
            "task.metadata.htmlPageBase64",
            &self.metadata.html_page_base64,
        )?;
        check_required_proxy(self.proxy.as_ref())
    }
}
