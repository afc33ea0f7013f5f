//! Solutions of the token types: hCaptcha, FunCaptcha, Binance, Prosopo, MTCaptcha, Yidun,
//! and Amazon AWS WAF.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The solution of the plain token types: `FunCaptchaTask`, `BinanceTask`, `ProsopoTask`,
/// `MTCaptchaTask` and `YidunTask`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TokenSolution {
    /// `token`.
    pub token: String,
    /// `userAgent`: submit the token with this User-Agent (FunCaptcha, Binance).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
}

/// `HCaptchaTask`'s solution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HCaptchaSolution {
    /// `gRecaptchaResponse`: the token (valid for about 60 seconds).
    pub g_recaptcha_response: String,
    /// `respKey`: the result of `hcaptcha.getRespKey()`, when available.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resp_key: Option<String>,
    /// `userAgent`: submit the token with this User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
}

/// The cookie name of an Amazon AWS WAF cookie solution.
pub const AWS_WAF_TOKEN: &str = "aws-waf-token";

/// `AmazonTask`'s solution, in either shape: `cookies` with `aws-waf-token` (and `userAgent`)
/// when the task set `cookieSolution: true`, otherwise `captcha_voucher` and `existing_token`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AmazonSolution {
    /// `cookies`: holds `aws-waf-token` (cookie solution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookies: Option<BTreeMap<String, String>>,
    /// `userAgent`: submit with this User-Agent.
    #[serde(rename = "userAgent", default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// `captcha_voucher` (without a cookie solution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captcha_voucher: Option<String>,
    /// `existing_token` (without a cookie solution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub existing_token: Option<String>,
}

impl AmazonSolution {
    /// The `aws-waf-token` cookie, when the solution is a cookie.
    pub fn aws_waf_token(&self) -> Option<&str> {
        self.cookies
            .as_ref()?
            .get(AWS_WAF_TOKEN)
            .map(String::as_str)
    }

    /// Whether it has either documented shape.
    pub(crate) fn is_recognised(&self) -> bool {
        self.aws_waf_token().is_some()
            || self.captcha_voucher.is_some()
            || self.existing_token.is_some()
    }
}
