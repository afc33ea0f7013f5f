//! `GeeTestTask`, versions 3 and 4.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::common::setters;
use super::common::{
    Proxy, check_bare_host, check_nonempty, check_opt_nonempty, check_website_url,
};
use crate::error::ValidationError;

/// GeeTest (`GeeTestTask`), v3 ([`GeeTestTask::v3`]) or v4 ([`GeeTestTask::v4`]), with or
/// without your own proxy. Proxies with IP authorisation are not supported by the service for
/// this type: give a login and password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GeeTestTask {
    /// `websiteURL`: the page where the captcha is initialised. `websiteUrl` is accepted when
    /// reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `gt`: the static `gt` key (v3), or the `captcha_id` (v4).
    pub gt: String,
    /// `challenge`: the dynamic key (v3 only, required there; fetch a fresh one per task).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<String>,
    /// `version`: `4` for v4. v3 tasks omit it, as the documented v3 examples do; `3` is
    /// accepted when reading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u8>,
    /// `initParameters`: v4 extras, such as `{"riskType": "slide"}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init_parameters: Option<Map<String, Value>>,
    /// `geetestApiServerSubdomain`: a custom API host (not `api.geetest.com`), without scheme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geetest_api_server_subdomain: Option<String>,
    /// `geetestGetLib`: the captcha script's path, as a JSON string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geetest_get_lib: Option<String>,
    /// `userAgent`: a current Windows browser User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Your own proxy (optional).
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

impl GeeTestTask {
    fn base(website_url: String, gt: String) -> Self {
        Self {
            website_url,
            gt,
            challenge: None,
            version: None,
            init_parameters: None,
            geetest_api_server_subdomain: None,
            geetest_get_lib: None,
            user_agent: None,
            proxy: None,
        }
    }

    /// A GeeTest v3 task: the page, the static `gt` key, and a fresh `challenge`.
    pub fn v3(
        website_url: impl Into<String>,
        gt: impl Into<String>,
        challenge: impl Into<String>,
    ) -> Self {
        Self {
            challenge: Some(challenge.into()),
            ..Self::base(website_url.into(), gt.into())
        }
    }

    /// A GeeTest v4 task: the page and the `captcha_id` (sent as `gt`), with `version: 4`.
    pub fn v4(website_url: impl Into<String>, captcha_id: impl Into<String>) -> Self {
        Self {
            version: Some(4),
            ..Self::base(website_url.into(), captcha_id.into())
        }
    }

    /// Whether this is a v4 task.
    pub fn is_v4(&self) -> bool {
        self.version == Some(4)
    }

    /// Sets `initParameters` (v4).
    #[must_use]
    pub fn with_init_parameters(mut self, params: Map<String, Value>) -> Self {
        self.init_parameters = Some(params);
        self
    }

    /// Checks `websiteURL`, `gt`, the version rules (v3 needs `challenge`; v4 takes
    /// `initParameters`), the subdomain and the proxy.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        check_nonempty("task.gt", &self.gt)?;
        match self.version {
            None | Some(3) => {
                match &self.challenge {
                    Some(c) => check_nonempty("task.challenge", c)?,
                    None => {
                        return Err(ValidationError::new(
                            "task.challenge",
                            "is required for GeeTest v3",
                        ));
                    }
                }
                if self.init_parameters.is_some() {
                    return Err(ValidationError::new(
                        "task.initParameters",
                        "is for GeeTest v4 only",
                    ));
                }
            }
            Some(4) => check_opt_nonempty("task.challenge", self.challenge.as_deref())?,
            Some(_) => {
                return Err(ValidationError::new("task.version", "must be 3 or 4"));
            }
        }
        if let Some(host) = &self.geetest_api_server_subdomain {
            check_bare_host("task.geetestApiServerSubdomain", host)?;
            if host.eq_ignore_ascii_case("api.geetest.com") {
                return Err(ValidationError::new(
                    "task.geetestApiServerSubdomain",
                    "must differ from the default api.geetest.com (leave it out instead)",
                ));
            }
        }
        check_opt_nonempty("task.geetestGetLib", self.geetest_get_lib.as_deref())?;
        // The GeeTest page says proxies with IP authorisation are not supported yet, so a
        // proxy here needs its login and password.
        match &self.proxy {
            Some(p) => p.validate(true),
            None => Ok(()),
        }
    }
}

setters!(GeeTestTask {
    proxy;
    with_api_server_subdomain => geetest_api_server_subdomain, "Sets `geetestApiServerSubdomain`.";
    with_get_lib => geetest_get_lib, "Sets `geetestGetLib`.";
    with_user_agent => user_agent, "Sets `userAgent`.";
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_omits_version_and_v4_sends_4() {
        let v3 = serde_json::to_value(GeeTestTask::v3("https://a.example", "gt", "c")).unwrap();
        assert!(v3.get("version").is_none());
        assert_eq!(v3["challenge"], "c");
        let v4 = serde_json::to_value(GeeTestTask::v4("https://a.example", "id")).unwrap();
        assert_eq!(v4["version"], 4);
        assert!(v4.get("challenge").is_none());
        let read: GeeTestTask = serde_json::from_value(serde_json::json!({
            "websiteURL": "https://a.example", "gt": "gt", "challenge": "c", "version": 3
        }))
        .unwrap();
        assert!(!read.is_v4());
        assert!(read.validate().is_ok());
    }
}
