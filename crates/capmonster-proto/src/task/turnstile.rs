//! Cloudflare `TurnstileTask`, in its four modes.

use serde::{Deserialize, Serialize};

use super::common::setters;
use super::common::{
    Proxy, ProxyRule, check_nonempty, check_opt_nonempty, check_optional_proxy,
    check_required_proxy, check_website_url,
};
use crate::error::ValidationError;

/// The `cloudflareTaskType` of a [`TurnstileTask`]. Absent for a plain Turnstile widget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum CloudflareTaskType {
    /// `token`: a Cloudflare Challenge page, solved into a token.
    #[serde(rename = "token")]
    Token,
    /// `cf_clearance`: a Cloudflare Challenge page, solved into the `cf_clearance` cookie.
    #[serde(rename = "cf_clearance")]
    CfClearance,
    /// `wait_room`: a Cloudflare Waiting Room, solved into the `cf_clearance` cookie.
    #[serde(rename = "wait_room")]
    WaitRoom,
}

impl CloudflareTaskType {
    /// The wire string.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Token => "token",
            Self::CfClearance => "cf_clearance",
            Self::WaitRoom => "wait_room",
        }
    }
}

/// Cloudflare Turnstile and Challenge (`TurnstileTask`).
///
/// Four modes, one constructor each:
/// * [`TurnstileTask::new`]: a plain Turnstile widget (proxy optional), solved into a token.
/// * [`TurnstileTask::challenge_token`]: a Challenge page, solved into a token (proxy optional).
/// * [`TurnstileTask::cf_clearance`]: a Challenge page, solved into the `cf_clearance` cookie.
///   Your own proxy is required, so the constructor takes one.
/// * [`TurnstileTask::wait_room`]: a Waiting Room page, solved into `cf_clearance`. Proxy
///   required, as above.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TurnstileTask {
    /// `websiteURL`: the page with the widget. `websiteUrl` is accepted when reading.
    #[serde(rename = "websiteURL", alias = "websiteUrl")]
    pub website_url: String,
    /// `websiteKey`: the Turnstile site key (any string in `cf_clearance` mode).
    pub website_key: String,
    /// `cloudflareTaskType`: the mode; absent for a plain widget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloudflare_task_type: Option<CloudflareTaskType>,
    /// `pageAction`: the `action` of the render call (required in challenge-token mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_action: Option<String>,
    /// `data`: the `cData` value (required in challenge-token mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<String>,
    /// `pageData`: the `chlPageData` value (challenge-token mode only, required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_data: Option<String>,
    /// `apiJsUrl`: the captcha script's URL (challenge-token mode, optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_js_url: Option<String>,
    /// `htmlPageBase64`: the whole challenge or waiting-room page in base64
    /// (`cf_clearance` and `wait_room` modes, required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html_page_base64: Option<String>,
    /// `userAgent`: a current Windows browser User-Agent (required in every challenge mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// Your own proxy: optional for the token modes, required for `cf_clearance` and `wait_room`.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<Proxy>,
}

impl TurnstileTask {
    fn base(website_url: String, website_key: String) -> Self {
        Self {
            website_url,
            website_key,
            cloudflare_task_type: None,
            page_action: None,
            data: None,
            page_data: None,
            api_js_url: None,
            html_page_base64: None,
            user_agent: None,
            proxy: None,
        }
    }

    /// A plain Turnstile task for the page `website_url` and the site key `website_key`.
    pub fn new(website_url: impl Into<String>, website_key: impl Into<String>) -> Self {
        Self::base(website_url.into(), website_key.into())
    }

    /// A Cloudflare Challenge solved into a token (`cloudflareTaskType: "token"`). Every
    /// argument is required in this mode: `page_action` is the render call's `action`, `data`
    /// its `cData`, `page_data` its `chlPageData`.
    pub fn challenge_token(
        website_url: impl Into<String>,
        website_key: impl Into<String>,
        page_action: impl Into<String>,
        data: impl Into<String>,
        page_data: impl Into<String>,
        user_agent: impl Into<String>,
    ) -> Self {
        Self {
            cloudflare_task_type: Some(CloudflareTaskType::Token),
            page_action: Some(page_action.into()),
            data: Some(data.into()),
            page_data: Some(page_data.into()),
            user_agent: Some(user_agent.into()),
            ..Self::base(website_url.into(), website_key.into())
        }
    }

    /// A Cloudflare Challenge solved into the `cf_clearance` cookie. Needs the 403 page's HTML
    /// in base64, the User-Agent that loaded it, and your own proxy with login and password.
    pub fn cf_clearance(
        website_url: impl Into<String>,
        website_key: impl Into<String>,
        html_page_base64: impl Into<String>,
        user_agent: impl Into<String>,
        proxy: Proxy,
    ) -> Self {
        Self {
            cloudflare_task_type: Some(CloudflareTaskType::CfClearance),
            html_page_base64: Some(html_page_base64.into()),
            user_agent: Some(user_agent.into()),
            proxy: Some(proxy),
            ..Self::base(website_url.into(), website_key.into())
        }
    }

    /// A Cloudflare Waiting Room solved into the `cf_clearance` cookie. Needs the waiting-room
    /// page's HTML in base64, the User-Agent, and your own proxy with login and password.
    pub fn wait_room(
        website_url: impl Into<String>,
        website_key: impl Into<String>,
        html_page_base64: impl Into<String>,
        user_agent: impl Into<String>,
        proxy: Proxy,
    ) -> Self {
        Self {
            cloudflare_task_type: Some(CloudflareTaskType::WaitRoom),
            html_page_base64: Some(html_page_base64.into()),
            user_agent: Some(user_agent.into()),
            proxy: Some(proxy),
            ..Self::base(website_url.into(), website_key.into())
        }
    }

    /// Whether this task's mode takes your own proxy: required for `cf_clearance` and
    /// `wait_room`, optional otherwise.
    pub fn proxy_rule(&self) -> ProxyRule {
        match self.cloudflare_task_type {
            Some(CloudflareTaskType::CfClearance | CloudflareTaskType::WaitRoom) => {
                ProxyRule::Required
            }
            _ => ProxyRule::Optional,
        }
    }

    /// Checks the fields each mode requires, and the proxy rule of the mode.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_website_url("task.websiteURL", &self.website_url)?;
        check_nonempty("task.websiteKey", &self.website_key)?;
        let required = |field: &str, value: &Option<String>| match value {
            Some(v) => check_nonempty(field, v),
            None => Err(ValidationError::new(
                field,
                "is required in this Cloudflare mode",
            )),
        };
        let forbidden = |field: &str, value: &Option<String>| match value {
            Some(_) => Err(ValidationError::new(
                field,
                "is not used in this Cloudflare mode",
            )),
            None => Ok(()),
        };
        match self.cloudflare_task_type {
            None => {
                check_opt_nonempty("task.pageAction", self.page_action.as_deref())?;
                forbidden("task.pageData", &self.page_data)?;
                forbidden("task.htmlPageBase64", &self.html_page_base64)?;
                forbidden("task.apiJsUrl", &self.api_js_url)?;
                check_optional_proxy(self.proxy.as_ref())
            }
            Some(CloudflareTaskType::Token) => {
                required("task.pageAction", &self.page_action)?;
                required("task.data", &self.data)?;
                required("task.pageData", &self.page_data)?;
                required("task.userAgent", &self.user_agent)?;
                forbidden("task.htmlPageBase64", &self.html_page_base64)?;
                if let Some(url) = &self.api_js_url {
                    check_website_url("task.apiJsUrl", url)?;
                }
                check_optional_proxy(self.proxy.as_ref())
            }
            Some(CloudflareTaskType::CfClearance | CloudflareTaskType::WaitRoom) => {
                required("task.htmlPageBase64", &self.html_page_base64)?;
                required("task.userAgent", &self.user_agent)?;
                forbidden("task.pageData", &self.page_data)?;
                forbidden("task.apiJsUrl", &self.api_js_url)?;
                check_required_proxy(self.proxy.as_ref())
            }
        }
    }
}

setters!(TurnstileTask {
    proxy;
    with_page_action => page_action, "Sets `pageAction`.";
    with_data => data, "Sets `data` (`cData`).";
    with_api_js_url => api_js_url, "Sets `apiJsUrl` (challenge-token mode).";
    with_user_agent => user_agent, "Sets `userAgent`.";
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::ProxyType;

    fn proxy() -> Proxy {
        Proxy::new(ProxyType::Http, "8.8.8.8", 8080).with_auth("u", "p")
    }

    #[test]
    fn modes_write_their_task_type_and_proxy_rule() {
        let plain = TurnstileTask::new("https://a.example", "k");
        assert_eq!(plain.proxy_rule(), ProxyRule::Optional);
        assert!(
            serde_json::to_value(&plain)
                .unwrap()
                .get("cloudflareTaskType")
                .is_none()
        );
        let token =
            TurnstileTask::challenge_token("https://a.example", "k", "managed", "d", "pd", "ua");
        assert_eq!(
            serde_json::to_value(&token).unwrap()["cloudflareTaskType"],
            "token"
        );
        assert_eq!(token.proxy_rule(), ProxyRule::Optional);
        let cf = TurnstileTask::cf_clearance("https://a.example", "k", "PGh0bWw+", "ua", proxy());
        assert_eq!(
            serde_json::to_value(&cf).unwrap()["cloudflareTaskType"],
            "cf_clearance"
        );
        assert_eq!(cf.proxy_rule(), ProxyRule::Required);
        assert!(cf.validate().is_ok());
        let wait = TurnstileTask::wait_room("https://a.example", "k", "PGh0bWw+", "ua", proxy());
        assert_eq!(
            serde_json::to_value(&wait).unwrap()["cloudflareTaskType"],
            "wait_room"
        );
        assert_eq!(CloudflareTaskType::WaitRoom.as_str(), "wait_room");
    }

    #[test]
    fn an_unknown_mode_is_not_read() {
        let r: Result<TurnstileTask, _> = serde_json::from_value(serde_json::json!({
            "websiteURL": "https://a.example", "websiteKey": "k", "cloudflareTaskType": "other"
        }));
        assert!(r.is_err());
    }
}
