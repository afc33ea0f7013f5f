//! Slider and puzzle widgets: TenDI, Basilisk, alibaba and Temu.

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::task::common::{
    Proxy, check_nonempty, check_optional_proxy, check_website_url, setters,
};

fn check_opt_url(field: &str, value: Option<&str>) -> Result<(), ValidationError> {
    match value {
        Some(v) => check_website_url(field, v),
        None => Ok(()),
    }
}

/// `metadata` of a TenDI task.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TenDiMetadata {
    /// `captchaUrl`: the URL of `TCaptcha.js` / `TCaptcha-global.js`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captcha_url: Option<String>,
}

/// Tencent captcha (`CustomTask`, class `TenDI`), with or without your own proxy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TenDiTask {
    /// `websiteURL`: the page with the captcha. `websiteUrl` is accepted when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `websiteKey`: the `captchaAppId` (the `aid` parameter).
    pub website_key: String,
    /// `userAgent`: a current Windows browser User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// `metadata` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<TenDiMetadata>,
    /// Your own proxy (optional).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

impl TenDiTask {
    /// A task for the page and the `captchaAppId`.
    pub fn new(website_url: impl Into<String>, website_key: impl Into<String>) -> Self {
        Self {
            website_url: website_url.into(),
            website_key: website_key.into(),
            user_agent: None,
            metadata: None,
            proxy: None,
        }
    }

    /// Sets `metadata.captchaUrl`.
    #[must_use]
    pub fn with_captcha_url(mut self, url: impl Into<String>) -> Self {
        self.metadata
            .get_or_insert_with(TenDiMetadata::default)
            .captcha_url = Some(url.into());
        self
    }

    /// Checks `websiteURL`, `websiteKey`, `metadata.captchaUrl` and the proxy.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        check_nonempty("task.websiteKey", &self.website_key)?;
        check_opt_url(
            "task.metadata.captchaUrl",
            self.metadata
                .as_ref()
                .and_then(|m| m.captcha_url.as_deref()),
        )?;
        check_optional_proxy(self.proxy.as_ref())
    }
}

setters!(TenDiTask { proxy;
    with_user_agent => user_agent, "Sets `userAgent`.";
});

/// Basilisk / FaucetPay (`CustomTask`, class `Basilisk`), with or without your own proxy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BasiliskTask {
    /// `websiteURL`: the page with the captcha. `websiteUrl` is accepted when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `websiteKey`: the `data-sitekey` (or `site_key`).
    pub website_key: String,
    /// `userAgent`: a current Windows browser User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Your own proxy (optional).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

impl BasiliskTask {
    /// A task for the page and the site key.
    pub fn new(website_url: impl Into<String>, website_key: impl Into<String>) -> Self {
        Self {
            website_url: website_url.into(),
            website_key: website_key.into(),
            user_agent: None,
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

setters!(BasiliskTask { proxy;
    with_user_agent => user_agent, "Sets `userAgent`.";
});

/// `metadata` of an alibaba task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AlibabaMetadata {
    /// `sceneId`: the scenario id, such as `1ww7426c4`.
    pub scene_id: String,
    /// `prefix`: the subdomain of `https://<prefix>.captcha-open.<...>.aliyuncs.com/`.
    pub prefix: String,
}

/// Alibaba Cloud captcha (`CustomTask`, class `alibaba`), with or without your own proxy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AlibabaTask {
    /// `websiteURL`: the page. `websiteUrl` is accepted when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `userAgent`: a current Windows browser User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// `metadata`.
    pub metadata: AlibabaMetadata,
    /// Your own proxy (optional).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

impl AlibabaTask {
    /// A task for the page, the `sceneId` and the `prefix`.
    pub fn new(
        website_url: impl Into<String>,
        scene_id: impl Into<String>,
        prefix: impl Into<String>,
    ) -> Self {
        Self {
            website_url: website_url.into(),
            user_agent: None,
            metadata: AlibabaMetadata {
                scene_id: scene_id.into(),
                prefix: prefix.into(),
            },
            proxy: None,
        }
    }

    /// Checks `websiteURL`, the metadata and the proxy.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        check_nonempty("task.metadata.sceneId", &self.metadata.scene_id)?;
        check_nonempty("task.metadata.prefix", &self.metadata.prefix)?;
        if self.metadata.prefix.contains(['.', '/', ':']) {
            return Err(ValidationError::new(
                "task.metadata.prefix",
                "is only the first label of the captcha-open host, without dots or a scheme",
            ));
        }
        check_optional_proxy(self.proxy.as_ref())
    }
}

setters!(AlibabaTask { proxy;
    with_user_agent => user_agent, "Sets `userAgent`.";
});

/// `metadata` of a Temu task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TemuMetadata {
    /// `cookie`: `document.cookie` of the verification page.
    pub cookie: String,
}

/// Temu (`CustomTask`, class `Temu`), with or without your own proxy.
///
/// **Draft in the documentation**: the Temu page is unpublished (`draft: true`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TemuTask {
    /// `websiteURL`: the full `.../bgn_verification.html?...` URL. `websiteUrl` is accepted
    /// when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `userAgent`: a current Windows browser User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// `metadata`.
    pub metadata: TemuMetadata,
    /// Your own proxy (optional).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

impl TemuTask {
    /// A task for the verification page and its `document.cookie`.
    pub fn new(website_url: impl Into<String>, cookie: impl Into<String>) -> Self {
        Self {
            website_url: website_url.into(),
            user_agent: None,
            metadata: TemuMetadata {
                cookie: cookie.into(),
            },
            proxy: None,
        }
    }

    /// Checks `websiteURL`, `metadata.cookie` and the proxy.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        check_nonempty("task.metadata.cookie", &self.metadata.cookie)?;
        check_optional_proxy(self.proxy.as_ref())
    }
}

setters!(TemuTask { proxy;
    with_user_agent => user_agent, "Sets `userAgent`.";
});
