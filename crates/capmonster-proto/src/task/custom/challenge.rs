//! Proof-of-work and scripted challenges: altcha, Castle and HUNT.

use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::task::common::{
    Proxy, check_nonempty, check_opt_nonempty, check_optional_proxy, check_required_proxy,
    check_website_url, setters,
};

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
