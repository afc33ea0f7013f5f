//! `CustomTask` classes: DataDome, TenDI, Basilisk, Imperva, altcha, Castle, HUNT, tspd,
//! alibaba, Temu. One struct per class, each with its typed `metadata`.

use serde::{Deserialize, Serialize};

use super::common::{
    Proxy, check_nonempty, check_opt_nonempty, check_optional_proxy, check_required_proxy,
    check_website_url, setters,
};
use crate::error::ValidationError;

fn check_opt_url(field: &str, value: Option<&str>) -> Result<(), ValidationError> {
    match value {
        Some(v) => check_website_url(field, v),
        None => Ok(()),
    }
}

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

/// `metadata` of an altcha task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AltchaMetadata {
    /// `challenge`.
    pub challenge: String,
    /// `iterations`: the site's `maxnumber`. Sent as a string, as documented; a number is
    /// accepted when reading.
    #[serde(with = "iterations_as_string")]
    pub iterations: u64,
    /// `salt`: the full value, including any `?edk=...&codeChallenge=...&expires=...` suffix.
    pub salt: String,
    /// `signature`.
    pub signature: String,
}

mod iterations_as_string {
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(n: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(n)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum N {
            Int(u64),
            Text(String),
        }
        match N::deserialize(d)? {
            N::Int(n) => Ok(n),
            N::Text(t) => t
                .trim()
                .parse()
                .map_err(|_| serde::de::Error::custom("iterations must be a whole number")),
        }
    }
}

/// ALTCHA (`CustomTask`, class `altcha`), with or without your own proxy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AltchaTask {
    /// `websiteURL`: the page with the captcha. `websiteUrl` is accepted when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `websiteKey`: required by the documentation but may be empty; sent as `""` by default.
    #[serde(default)]
    pub website_key: String,
    /// `userAgent`: a current Windows browser User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// `metadata`.
    pub metadata: AltchaMetadata,
    /// Your own proxy (optional).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

impl AltchaTask {
    /// A task for the page and the challenge's `challenge`, `maxnumber` (iterations), `salt`
    /// and `signature`.
    pub fn new(
        website_url: impl Into<String>,
        challenge: impl Into<String>,
        iterations: u64,
        salt: impl Into<String>,
        signature: impl Into<String>,
    ) -> Self {
        Self {
            website_url: website_url.into(),
            website_key: String::new(),
            user_agent: None,
            metadata: AltchaMetadata {
                challenge: challenge.into(),
                iterations,
                salt: salt.into(),
                signature: signature.into(),
            },
            proxy: None,
        }
    }

    /// Sets `websiteKey`.
    #[must_use]
    pub fn with_website_key(mut self, key: impl Into<String>) -> Self {
        self.website_key = key.into();
        self
    }

    /// Checks `websiteURL`, the metadata and the proxy.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        check_nonempty("task.metadata.challenge", &self.metadata.challenge)?;
        if self.metadata.iterations == 0 {
            return Err(ValidationError::new(
                "task.metadata.iterations",
                "must be a positive number (the site's maxnumber)",
            ));
        }
        check_nonempty("task.metadata.salt", &self.metadata.salt)?;
        check_nonempty("task.metadata.signature", &self.metadata.signature)?;
        check_optional_proxy(self.proxy.as_ref())
    }
}

setters!(AltchaTask { proxy;
    with_user_agent => user_agent, "Sets `userAgent`.";
});

/// The most tokens one Castle task returns.
pub const CASTLE_MAX_COUNT: u32 = 49;

/// `metadata` of a Castle task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CastleMetadata {
    /// `wUrl`: the URL of `cw.js`.
    pub w_url: String,
    /// `swUrl`: the URL of `csw.js`.
    pub sw_url: String,
    /// `count`: how many tokens, 1 to 49 (the service's default is 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

/// Castle (`CustomTask`, class `Castle`), with or without your own proxy. The class is sent
/// under the key `class`; the documented examples' `Class` is read too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CastleTask {
    /// `websiteURL`: the page. `websiteUrl` is accepted when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `websiteKey`: the `pk_...` publishable key.
    pub website_key: String,
    /// `userAgent`: a current Windows browser User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// `metadata`.
    pub metadata: CastleMetadata,
    /// Your own proxy (optional).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

impl CastleTask {
    /// A task for the page, the publishable key, and the `cw.js` / `csw.js` URLs.
    pub fn new(
        website_url: impl Into<String>,
        website_key: impl Into<String>,
        w_url: impl Into<String>,
        sw_url: impl Into<String>,
    ) -> Self {
        Self {
            website_url: website_url.into(),
            website_key: website_key.into(),
            user_agent: None,
            metadata: CastleMetadata {
                w_url: w_url.into(),
                sw_url: sw_url.into(),
                count: None,
            },
            proxy: None,
        }
    }

    /// Sets `metadata.count` (1 to 49; checked by [`CastleTask::validate`]).
    #[must_use]
    pub fn with_count(mut self, count: u32) -> Self {
        self.metadata.count = Some(count);
        self
    }

    /// Checks `websiteURL`, `websiteKey`, the script URLs, `count` and the proxy.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        check_nonempty("task.websiteKey", &self.website_key)?;
        check_website_url("task.metadata.wUrl", &self.metadata.w_url)?;
        check_website_url("task.metadata.swUrl", &self.metadata.sw_url)?;
        if let Some(n) = self.metadata.count {
            if !(1..=CASTLE_MAX_COUNT).contains(&n) {
                return Err(ValidationError::new(
                    "task.metadata.count",
                    "must be from 1 to 49",
                ));
            }
        }
        check_optional_proxy(self.proxy.as_ref())
    }
}

setters!(CastleTask { proxy;
    with_user_agent => user_agent, "Sets `userAgent`.";
});

/// `metadata` of a HUNT task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HuntMetadata {
    /// `apiGetLib`: the full URL of `.../hd-api/external/apps/<hash>/api.js`.
    pub api_get_lib: String,
    /// `data`: the site's `meta.token`, to solve a captcha; without it the task generates an
    /// X-HD fingerprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
}

/// HUNT (`CustomTask`, class `HUNT`). Your own proxy is required.
///
/// Without `metadata.data` the result is an X-HD value tied to the proxy's IP; with it
/// ([`HuntTask::with_data`]) the result is a captcha token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HuntTask {
    /// `websiteURL`: the page. `websiteUrl` (one documented example's spelling) is accepted
    /// when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `userAgent`: a current Windows browser User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// `metadata`.
    pub metadata: HuntMetadata,
    /// Your own proxy (required; the constructor takes it).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

impl HuntTask {
    /// An X-HD task for the page, the `api.js` URL, and your proxy.
    pub fn new(
        website_url: impl Into<String>,
        api_get_lib: impl Into<String>,
        proxy: Proxy,
    ) -> Self {
        Self {
            website_url: website_url.into(),
            user_agent: None,
            metadata: HuntMetadata {
                api_get_lib: api_get_lib.into(),
                data: None,
            },
            proxy: Some(proxy),
        }
    }

    /// Sets `metadata.data` (the site's `meta.token`): solve a captcha instead of X-HD.
    #[must_use]
    pub fn with_data(mut self, meta_token: impl Into<String>) -> Self {
        self.metadata.data = Some(meta_token.into());
        self
    }

    /// Checks `websiteURL`, the metadata and the required proxy.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        check_website_url("task.metadata.apiGetLib", &self.metadata.api_get_lib)?;
        check_opt_nonempty("task.metadata.data", self.metadata.data.as_deref())?;
        check_required_proxy(self.proxy.as_ref())
    }
}

setters!(HuntTask { proxy;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn altcha_iterations_are_sent_as_a_string_and_read_from_either() {
        let t = AltchaTask::new("https://a.example", "c", 5000, "s", "sig");
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["metadata"]["iterations"], "5000");
        assert_eq!(json["websiteKey"], "");
        for iterations in [
            serde_json::json!("5000"),
            serde_json::json!(5000),
            serde_json::json!(" 5000 "),
        ] {
            let m: AltchaMetadata = serde_json::from_value(serde_json::json!({
                "challenge": "c", "iterations": iterations, "salt": "s", "signature": "sig"
            }))
            .unwrap();
            assert_eq!(m.iterations, 5000);
        }
        let bad: Result<AltchaMetadata, _> = serde_json::from_value(serde_json::json!({
            "challenge": "c", "iterations": "many", "salt": "s", "signature": "sig"
        }));
        assert!(bad.is_err());
    }

    #[test]
    fn castle_count_bounds() {
        let t = CastleTask::new(
            "https://a.example",
            "pk",
            "https://a.example/cw.js",
            "https://a.example/csw.js",
        );
        assert!(t.clone().with_count(1).validate().is_ok());
        assert!(t.clone().with_count(CASTLE_MAX_COUNT).validate().is_ok());
        for bad in [0, CASTLE_MAX_COUNT + 1] {
            let e = t.clone().with_count(bad).validate().unwrap_err();
            assert_eq!(e.field(), "task.metadata.count");
            assert_eq!(e.rule(), "must be from 1 to 49");
        }
    }

    #[test]
    fn tendi_metadata_is_left_out_until_set() {
        let t = TenDiTask::new("https://a.example", "1");
        assert!(serde_json::to_value(&t).unwrap().get("metadata").is_none());
        let t = t.with_captcha_url("https://a.example/TCaptcha.js");
        assert_eq!(
            serde_json::to_value(&t).unwrap()["metadata"]["captchaUrl"],
            "https://a.example/TCaptcha.js"
        );
    }
}
