//! Token task types: hCaptcha, FunCaptcha, Amazon AWS WAF, Binance, Prosopo, MTCaptcha, Yidun.

use serde::{Deserialize, Serialize};

use super::common::{
    Proxy, check_bare_host, check_nonempty, check_opt_nonempty, check_optional_proxy,
    check_website_url, lenient_opt_bool, setters,
};
use crate::error::ValidationError;

/// hCaptcha (`HCaptchaTask`), with or without your own proxy.
///
/// **Draft in the documentation**: the hCaptcha page is unpublished (`draft: true`) since
/// hCaptcha was removed from the public docs in November 2024. The type is kept because the
/// draft page still describes it; the service may refuse it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HCaptchaTask {
    /// `websiteURL`: the page with the captcha. `websiteUrl` is accepted when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `websiteKey`: the hCaptcha site key.
    pub website_key: String,
    /// `isInvisible`: the invisible variant.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_opt_bool"
    )]
    pub is_invisible: Option<bool>,
    /// `data`: the one-time `rqdata` value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// `userAgent`: a current Windows browser User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// `cookies`: `name1=value1; name2=value2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookies: Option<String>,
    /// `fallbackToActualUA`: replace an outdated `userAgent` with the service's current one
    /// (returned in the solution) instead of failing with `ERROR_WRONG_USERAGENT`.
    #[serde(
        rename = "fallbackToActualUA",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_opt_bool"
    )]
    pub fallback_to_actual_ua: Option<bool>,
    /// Your own proxy (optional). Its address must be an IP, not a host name.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

impl HCaptchaTask {
    /// A task for the page `website_url` and the site key `website_key`.
    pub fn new(website_url: impl Into<String>, website_key: impl Into<String>) -> Self {
        Self {
            website_url: website_url.into(),
            website_key: website_key.into(),
            is_invisible: None,
            data: None,
            user_agent: None,
            cookies: None,
            fallback_to_actual_ua: None,
            proxy: None,
        }
    }

    /// Checks `websiteURL`, `websiteKey`, and the proxy (whose address must be an IP).
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        check_nonempty("task.websiteKey", &self.website_key)?;
        check_opt_nonempty("task.data", self.data.as_deref())?;
        if let Some(p) = &self.proxy {
            p.validate(false)?;
            let is_ip = p.address.parse::<std::net::IpAddr>().is_ok()
                || p.address
                    .strip_prefix('[')
                    .and_then(|a| a.strip_suffix(']'))
                    .is_some_and(|a| a.parse::<std::net::Ipv6Addr>().is_ok());
            if !is_ip {
                return Err(ValidationError::new(
                    "task.proxyAddress",
                    "must be an IPv4 or IPv6 address for hCaptcha (host names are not allowed)",
                ));
            }
        }
        Ok(())
    }
}

setters!(HCaptchaTask {
    with_invisible => is_invisible: bool, "Sets `isInvisible`.";
    with_fallback_to_actual_ua => fallback_to_actual_ua: bool, "Sets `fallbackToActualUA`.";
});

setters!(HCaptchaTask { proxy;
    with_data => data, "Sets `data` (the `rqdata` value).";
    with_user_agent => user_agent, "Sets `userAgent`.";
    with_cookies => cookies, "Sets `cookies`.";
});

/// FunCaptcha / Arkose Labs (`FunCaptchaTask`), with or without your own proxy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FunCaptchaTask {
    /// `websiteURL`: the page with the captcha. `websiteUrl` is accepted when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `websitePublicKey`: the Arkose public key (`pk`).
    pub website_public_key: String,
    /// `funcaptchaApiJSSubdomain`: the Arkose host (`surl`), only when it is not
    /// `client-api.arkoselabs.com`. A domain, without `https://`.
    #[serde(
        rename = "funcaptchaApiJSSubdomain",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub funcaptcha_api_js_subdomain: Option<String>,
    /// `data`: a JSON text such as `{"blob":"..."}`, when the site uses `data[blob]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// `userAgent`: a current Windows browser User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// `cookies`: `name1=value1; name2=value2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookies: Option<String>,
    /// Your own proxy (optional).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

impl FunCaptchaTask {
    /// A task for the page `website_url` and the public key `website_public_key`.
    pub fn new(website_url: impl Into<String>, website_public_key: impl Into<String>) -> Self {
        Self {
            website_url: website_url.into(),
            website_public_key: website_public_key.into(),
            funcaptcha_api_js_subdomain: None,
            data: None,
            user_agent: None,
            cookies: None,
            proxy: None,
        }
    }

    /// Sets `data` to `{"blob":"<blob>"}`, the common case.
    #[must_use]
    pub fn with_blob(mut self, blob: &str) -> Self {
        self.data = Some(serde_json::json!({ "blob": blob }).to_string());
        self
    }

    /// Checks `websiteURL`, `websitePublicKey`, the subdomain (no scheme), that `data` is JSON,
    /// and the proxy.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        check_nonempty("task.websitePublicKey", &self.website_public_key)?;
        if let Some(host) = &self.funcaptcha_api_js_subdomain {
            check_bare_host("task.funcaptchaApiJSSubdomain", host)?;
        }
        if let Some(data) = &self.data {
            if !matches!(
                serde_json::from_str::<serde_json::Value>(data),
                Ok(serde_json::Value::Object(_))
            ) {
                return Err(ValidationError::new(
                    "task.data",
                    "must be a JSON object written as a string, such as {\"blob\":\"...\"}",
                ));
            }
        }
        check_optional_proxy(self.proxy.as_ref())
    }
}

setters!(FunCaptchaTask { proxy;
    with_api_js_subdomain => funcaptcha_api_js_subdomain, "Sets `funcaptchaApiJSSubdomain`.";
    with_data => data, "Sets `data` (a JSON text such as `{\"blob\":\"...\"}`).";
    with_user_agent => user_agent, "Sets `userAgent`.";
    with_cookies => cookies, "Sets `cookies`.";
});

/// Amazon AWS WAF (`AmazonTask`), with or without your own proxy.
///
/// The documentation gives three parameter sets, one constructor each:
/// [`AmazonTask::captcha`] (a captcha loaded by `jsapi.js`), [`AmazonTask::challenge`]
/// (`challenge.js` with `window.gokuProps`), and [`AmazonTask::challenge_only`] (only
/// `challenge.js`, invisible; the other fields are sent as empty strings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AmazonTask {
    /// `websiteURL`: the page with the captcha. `websiteUrl` is accepted when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `websiteKey`: the render call's `apiKey`, or `window.gokuProps.key` (any string, even
    /// empty, for the challenge-only set).
    #[serde(default)]
    pub website_key: String,
    /// `captchaScript`: the URL of `jsapi.js` or `captcha.js`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captcha_script: Option<String>,
    /// `challengeScript`: the URL of `challenge.js`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge_script: Option<String>,
    /// `context`: `window.gokuProps.context`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// `iv`: `window.gokuProps.iv`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iv: Option<String>,
    /// `cookieSolution`: `true` returns the `aws-waf-token` cookie; `false` (the service's
    /// default) returns `captcha_voucher` and `existing_token`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_opt_bool"
    )]
    pub cookie_solution: Option<bool>,
    /// `userAgent`: a current Windows browser User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Your own proxy (optional).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

impl AmazonTask {
    fn base(website_url: String, website_key: String) -> Self {
        Self {
            website_url,
            website_key,
            captcha_script: None,
            challenge_script: None,
            context: None,
            iv: None,
            cookie_solution: None,
            user_agent: None,
            proxy: None,
        }
    }

    /// Parameter set 1: a captcha loaded by `jsapi.js`. `website_key` is the render call's
    /// `apiKey`, `captcha_script` the URL of `jsapi.js`.
    pub fn captcha(
        website_url: impl Into<String>,
        website_key: impl Into<String>,
        captcha_script: impl Into<String>,
    ) -> Self {
        Self {
            captcha_script: Some(captcha_script.into()),
            ..Self::base(website_url.into(), website_key.into())
        }
    }

    /// Parameter set 2: a challenge (and captcha) page. `website_key`, `context` and `iv` come
    /// from `window.gokuProps`; `challenge_script` is the URL of `challenge.js`. Add
    /// `captcha.js` with [`with_captcha_script`](Self::with_captcha_script).
    pub fn challenge(
        website_url: impl Into<String>,
        website_key: impl Into<String>,
        challenge_script: impl Into<String>,
        context: impl Into<String>,
        iv: impl Into<String>,
    ) -> Self {
        Self {
            challenge_script: Some(challenge_script.into()),
            context: Some(context.into()),
            iv: Some(iv.into()),
            ..Self::base(website_url.into(), website_key.into())
        }
    }

    /// Parameter set 3: only `challenge.js` (an invisible challenge). `websiteKey`,
    /// `captchaScript`, `context` and `iv` are required but may be any string: they are sent
    /// empty, as in the documented example, and `cookieSolution` is set to `true`.
    pub fn challenge_only(
        website_url: impl Into<String>,
        challenge_script: impl Into<String>,
    ) -> Self {
        Self {
            captcha_script: Some(String::new()),
            challenge_script: Some(challenge_script.into()),
            context: Some(String::new()),
            iv: Some(String::new()),
            cookie_solution: Some(true),
            ..Self::base(website_url.into(), String::new())
        }
    }

    /// Checks the fields of the parameter set in use, the script URLs and the proxy.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        let script = |field: &str, value: &Option<String>| match value.as_deref() {
            Some(v) if !v.is_empty() => check_website_url(field, v),
            _ => Ok(()),
        };
        match &self.challenge_script {
            None => {
                // Set 1: the key and jsapi.js are required.
                check_nonempty("task.websiteKey", &self.website_key)?;
                match self.captcha_script.as_deref() {
                    Some(s) => check_nonempty("task.captchaScript", s)?,
                    None => {
                        return Err(ValidationError::new(
                            "task.captchaScript",
                            "is required without challengeScript (the jsapi.js parameter set)",
                        ));
                    }
                }
            }
            Some(challenge) => {
                // Sets 2 and 3: context and iv must be present (set 3 allows any string).
                check_nonempty("task.challengeScript", challenge)?;
                if self.context.is_none() {
                    return Err(ValidationError::new(
                        "task.context",
                        "is required with challengeScript (window.gokuProps.context, or any string)",
                    ));
                }
                if self.iv.is_none() {
                    return Err(ValidationError::new(
                        "task.iv",
                        "is required with challengeScript (window.gokuProps.iv, or any string)",
                    ));
                }
            }
        }
        script("task.captchaScript", &self.captcha_script)?;
        script("task.challengeScript", &self.challenge_script)?;
        check_optional_proxy(self.proxy.as_ref())
    }
}

setters!(AmazonTask {
    with_cookie_solution => cookie_solution: bool, "Sets `cookieSolution`.";
});

setters!(AmazonTask { proxy;
    with_captcha_script => captcha_script, "Sets `captchaScript`.";
    with_user_agent => user_agent, "Sets `userAgent`.";
});

/// Binance (`BinanceTask`), with or without your own proxy. For logging in to your own account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BinanceTask {
    /// `websiteURL`: the page with the captcha. `websiteUrl` is accepted when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `websiteKey`: the `bizId` / `bizType` / `bizCode` value (such as `login`).
    pub website_key: String,
    /// `validateId`: the dynamic `validateId` / `securityId` value.
    pub validate_id: String,
    /// `userAgent`: a current Windows browser User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Your own proxy (optional).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

impl BinanceTask {
    /// A task for the page, the `bizId` key and the dynamic `validateId`.
    pub fn new(
        website_url: impl Into<String>,
        website_key: impl Into<String>,
        validate_id: impl Into<String>,
    ) -> Self {
        Self {
            website_url: website_url.into(),
            website_key: website_key.into(),
            validate_id: validate_id.into(),
            user_agent: None,
            proxy: None,
        }
    }

    /// Checks `websiteURL`, `websiteKey`, `validateId` and the proxy.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        check_nonempty("task.websiteKey", &self.website_key)?;
        check_nonempty("task.validateId", &self.validate_id)?;
        check_optional_proxy(self.proxy.as_ref())
    }
}

setters!(BinanceTask { proxy;
    with_user_agent => user_agent, "Sets `userAgent`.";
});

/// Prosopo Procaptcha (`ProsopoTask`), with or without your own proxy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProsopoTask {
    /// `websiteURL`: the page with the captcha. `websiteUrl` is accepted when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `websiteKey`: the page's `siteKey`.
    pub website_key: String,
    /// Your own proxy (optional).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

impl ProsopoTask {
    /// A task for the page `website_url` and the site key `website_key`.
    pub fn new(website_url: impl Into<String>, website_key: impl Into<String>) -> Self {
        Self {
            website_url: website_url.into(),
            website_key: website_key.into(),
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

setters!(ProsopoTask {
    proxy;
});

/// MTCaptcha (`MTCaptchaTask`), with or without your own proxy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MtCaptchaTask {
    /// `websiteURL`: the page with the captcha. `websiteUrl` is accepted when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `websiteKey`: the `sk` parameter (`MTPublic-...`).
    pub website_key: String,
    /// `pageAction`: the `act` parameter, only when it is not the default `%24`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_action: Option<String>,
    /// `isInvisible`: the invisible variant.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_opt_bool"
    )]
    pub is_invisible: Option<bool>,
    /// `userAgent`: a current Windows browser User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Your own proxy (optional).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

impl MtCaptchaTask {
    /// A task for the page `website_url` and the site key `website_key`.
    pub fn new(website_url: impl Into<String>, website_key: impl Into<String>) -> Self {
        Self {
            website_url: website_url.into(),
            website_key: website_key.into(),
            page_action: None,
            is_invisible: None,
            user_agent: None,
            proxy: None,
        }
    }

    /// Checks `websiteURL`, `websiteKey`, `pageAction` and the proxy.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        check_nonempty("task.websiteKey", &self.website_key)?;
        check_opt_nonempty("task.pageAction", self.page_action.as_deref())?;
        check_optional_proxy(self.proxy.as_ref())
    }
}

setters!(MtCaptchaTask {
    with_invisible => is_invisible: bool, "Sets `isInvisible`.";
});

setters!(MtCaptchaTask { proxy;
    with_page_action => page_action, "Sets `pageAction` (the `act` parameter).";
    with_user_agent => user_agent, "Sets `userAgent`.";
});

/// Yidun / NECaptcha (`YidunTask`), with or without your own proxy. Enterprise sites also
/// need `challenge`, `hcg` and `hct` ([`YidunTask::with_enterprise`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct YidunTask {
    /// `websiteURL`: the page with the captcha. `websiteUrl` is accepted when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `websiteKey`: the `siteKey`.
    pub website_key: String,
    /// `userAgent`: a current Windows browser User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// `yidunGetLib`: the full URL of the loader script (recommended for Enterprise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yidun_get_lib: Option<String>,
    /// `yidunApiServerSubdomain`: a custom API host, without scheme (recommended for Enterprise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yidun_api_server_subdomain: Option<String>,
    /// `challenge`: the current captcha id (Enterprise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    /// `hcg`: the captcha hash (Enterprise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hcg: Option<String>,
    /// `hct`: the timestamp in milliseconds (Enterprise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hct: Option<u64>,
    /// Your own proxy (optional).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

impl YidunTask {
    /// A task for the page `website_url` and the site key `website_key`.
    pub fn new(website_url: impl Into<String>, website_key: impl Into<String>) -> Self {
        Self {
            website_url: website_url.into(),
            website_key: website_key.into(),
            user_agent: None,
            yidun_get_lib: None,
            yidun_api_server_subdomain: None,
            challenge: None,
            hcg: None,
            hct: None,
            proxy: None,
        }
    }

    /// Sets the Enterprise fields `challenge`, `hcg` and `hct` together.
    #[must_use]
    pub fn with_enterprise(
        mut self,
        challenge: impl Into<String>,
        hcg: impl Into<String>,
        hct: u64,
    ) -> Self {
        self.challenge = Some(challenge.into());
        self.hcg = Some(hcg.into());
        self.hct = Some(hct);
        self
    }

    /// Checks `websiteURL`, `websiteKey`, the loader URL, the subdomain, that the Enterprise
    /// fields come together, and the proxy.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        check_nonempty("task.websiteKey", &self.website_key)?;
        if let Some(url) = &self.yidun_get_lib {
            check_website_url("task.yidunGetLib", url)?;
        }
        if let Some(host) = &self.yidun_api_server_subdomain {
            check_bare_host("task.yidunApiServerSubdomain", host)?;
            if host.eq_ignore_ascii_case("c.dun.163.com")
                || host.eq_ignore_ascii_case("c-v6.dun.163.com")
            {
                return Err(ValidationError::new(
                    "task.yidunApiServerSubdomain",
                    "must differ from the default c.dun.163.com / c-v6.dun.163.com",
                ));
            }
        }
        check_opt_nonempty("task.challenge", self.challenge.as_deref())?;
        check_opt_nonempty("task.hcg", self.hcg.as_deref())?;
        let present = [
            self.challenge.is_some(),
            self.hcg.is_some(),
            self.hct.is_some(),
        ];
        if present.contains(&true) && present.contains(&false) {
            let missing = ["task.challenge", "task.hcg", "task.hct"]
                [present.iter().position(|p| !p).unwrap_or(0)];
            return Err(ValidationError::new(
                missing,
                "the Enterprise fields challenge, hcg and hct go together",
            ));
        }
        check_optional_proxy(self.proxy.as_ref())
    }
}

setters!(YidunTask { proxy;
    with_user_agent => user_agent, "Sets `userAgent`.";
    with_get_lib => yidun_get_lib, "Sets `yidunGetLib`.";
    with_api_server_subdomain => yidun_api_server_subdomain, "Sets `yidunApiServerSubdomain`.";
});
