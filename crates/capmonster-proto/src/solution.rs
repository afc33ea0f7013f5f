//! Typed solutions, one per task family, with the raw JSON kept beside them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::task::{Shape, TaskKind};

mod complex_image;
mod custom;
mod geetest;
mod token;

pub use complex_image::{
    AnswerMetadata, AnswerType, ComplexImageAnswer, ComplexImageSolution, Point,
};
pub use custom::{CustomTaskSolution, DomainSolution};
pub use geetest::{GeeTestV3Solution, GeeTestV4Solution};
pub use token::{AWS_WAF_TOKEN, AmazonSolution, HCaptchaSolution, TokenSolution};

/// `ImageToTextTask`'s solution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TextSolution {
    /// `text`: the recognised text.
    pub text: String,
}

/// The solution of the reCAPTCHA token types (v2, v2 Enterprise, v3, v3 Enterprise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RecaptchaSolution {
    /// `gRecaptchaResponse`: the token (valid for about 60 seconds).
    pub g_recaptcha_response: String,
    /// `userAgent`: when sent, the token must be submitted with this User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// `cookies`: cookies to set when submitting, on some sites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookies: Option<BTreeMap<String, String>>,
}

/// `TurnstileTask`'s solution: a token (plain and challenge-token modes) or a `cf_clearance`
/// cookie (cf_clearance and wait_room modes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TurnstileSolution {
    /// `token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// `cf_clearance`: the cookie value to set.
    #[serde(
        rename = "cf_clearance",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cf_clearance: Option<String>,
    /// `userAgent`: submit with this User-Agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
}

/// A typed solution. The variant follows the task's kind; a solution whose shape does not match
/// its kind (or whose kind is unknown) is [`Solution::Raw`], and nothing is lost.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Solution {
    /// ImageToText.
    Text(TextSolution),
    /// reCAPTCHA v2, v2 Enterprise, v3, v3 Enterprise.
    Recaptcha(RecaptchaSolution),
    /// Turnstile, every mode.
    Turnstile(TurnstileSolution),
    /// hCaptcha.
    HCaptcha(HCaptchaSolution),
    /// ComplexImageTask, both classes.
    ComplexImage(ComplexImageSolution),
    /// GeeTest v3.
    GeeTestV3(GeeTestV3Solution),
    /// GeeTest v4 (and its site-specific shape without `captcha_id`).
    GeeTestV4(GeeTestV4Solution),
    /// FunCaptcha, Binance, Prosopo, MTCaptcha, Yidun.
    Token(TokenSolution),
    /// Amazon AWS WAF.
    Amazon(AmazonSolution),
    /// Every CustomTask class.
    Custom(CustomTaskSolution),
    /// Anything else: see [`Ready::raw_json`].
    Raw,
}

impl Solution {
    /// Parses the solution object for a task of `kind`. Falls back to [`Solution::Raw`].
    pub fn parse(kind: TaskKind, raw: &str) -> Self {
        fn typed<'a, T: Deserialize<'a>>(raw: &'a str, wrap: fn(T) -> Solution) -> Solution {
            serde_json::from_str(raw).map(wrap).unwrap_or(Solution::Raw)
        }
        match kind.info().shape {
            Shape::Text => typed(raw, Self::Text),
            Shape::Recaptcha => typed(raw, Self::Recaptcha),
            Shape::Turnstile => match serde_json::from_str::<TurnstileSolution>(raw) {
                Ok(s) if s.token.is_some() || s.cf_clearance.is_some() => Self::Turnstile(s),
                _ => Self::Raw,
            },
            Shape::HCaptcha => typed(raw, Self::HCaptcha),
            Shape::ComplexImage => typed(raw, Self::ComplexImage),
            // v3 is tried first and wins when both shapes fit. A v4 answer (`lot_number`, and no
            // `seccode` key, literal or escaped, that v3 requires) cannot fit v3, so it is read
            // as v4 at once instead of after a failed v3 parse.
            Shape::GeeTest
                if raw.contains("\"lot_number\"")
                    && !raw.contains("seccode")
                    && !raw.contains('\\') =>
            {
                match typed(raw, Self::GeeTestV4) {
                    Self::Raw => typed(raw, Self::GeeTestV3),
                    v4 => v4,
                }
            }
            Shape::GeeTest => match typed(raw, Self::GeeTestV3) {
                Self::Raw => typed(raw, Self::GeeTestV4),
                v3 => v3,
            },
            Shape::Token => typed(raw, Self::Token),
            Shape::Amazon => match serde_json::from_str::<AmazonSolution>(raw) {
                Ok(s) if s.is_recognised() => Self::Amazon(s),
                _ => Self::Raw,
            },
            Shape::Custom => match serde_json::from_str::<CustomTaskSolution>(raw) {
                Ok(mut s) if s.is_recognised() => {
                    s.kind = Some(kind);
                    Self::Custom(s)
                }
                _ => Self::Raw,
            },
            Shape::Raw => Self::Raw,
        }
    }

    /// The main value a user wants: the token, the text, or the cookie. `None` for raw
    /// solutions, for image answers that are not text, and for cookie sets with no single
    /// main cookie (use [`CustomTaskSolution::cookie_header`]).
    pub fn main_value(&self) -> Option<&str> {
        match self {
            Self::Text(s) => Some(&s.text),
            Self::Recaptcha(s) => Some(&s.g_recaptcha_response),
            Self::Turnstile(s) => s.token.as_deref().or(s.cf_clearance.as_deref()),
            Self::HCaptcha(s) => Some(&s.g_recaptcha_response),
            Self::ComplexImage(s) => s.answer.as_text(),
            Self::GeeTestV3(s) => Some(&s.validate),
            Self::GeeTestV4(s) => Some(&s.pass_token),
            Self::Token(s) => Some(&s.token),
            Self::Amazon(s) => s
                .aws_waf_token()
                .or(s.existing_token.as_deref())
                .or(s.captcha_voucher.as_deref()),
            Self::Custom(s) => s.main_value(),
            Self::Raw => None,
        }
    }

    /// The User-Agent the solution must be submitted with, when the service sent one.
    pub fn user_agent(&self) -> Option<&str> {
        match self {
            Self::Recaptcha(s) => s.user_agent.as_deref(),
            Self::Turnstile(s) => s.user_agent.as_deref(),
            Self::HCaptcha(s) => s.user_agent.as_deref(),
            Self::Token(s) => s.user_agent.as_deref(),
            Self::Amazon(s) => s.user_agent.as_deref(),
            Self::Custom(s) => s.user_agent(),
            _ => None,
        }
    }
}

/// Extra fields some services send with a ready result (Anti-Captcha and 2Captcha send all of
/// them; CapMonster sometimes sends `cost`). Numbers sent as strings are read too.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ResultExtras {
    /// `cost`: what the task was charged, in the account's currency (USD).
    pub cost: Option<f64>,
    /// `ip`: the address the task was created from.
    pub ip: Option<String>,
    /// `createTime` (Unix seconds).
    pub create_time: Option<u64>,
    /// `endTime` (Unix seconds).
    pub end_time: Option<u64>,
    /// `solveCount`: how many workers solved it.
    pub solve_count: Option<u64>,
}

/// A ready task: its typed solution, the raw solution JSON, and the extras.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Ready {
    /// The typed solution.
    pub solution: Solution,
    /// The extras (`cost`, ...).
    pub extras: ResultExtras,
    raw: Box<RawValue>,
}

impl Ready {
    pub(crate) fn new(kind: TaskKind, raw: Box<RawValue>, extras: ResultExtras) -> Self {
        Self {
            solution: Solution::parse(kind, raw.get()),
            extras,
            raw,
        }
    }

    /// True when a ready answer for a task of `kind` lacks the kind's main value: a solution of
    /// the wrong shape (read as [`Solution::Raw`]) or an empty token or text. Kinds whose main
    /// value may be absent by design (grid answers, some custom classes) are judged by their
    /// shape only, and an unknown kind never lacks anything.
    pub fn lacks_main_value(&self, kind: TaskKind) -> bool {
        if kind == TaskKind::Other {
            return false;
        }
        match &self.solution {
            Solution::Raw => true,
            Solution::ComplexImage(_) | Solution::Custom(_) => false,
            solution => solution.main_value().is_none_or(|v| v.trim().is_empty()),
        }
    }

    /// The solution object exactly as the service sent it.
    pub fn raw_json(&self) -> &str {
        self.raw.get()
    }

    /// The solution as a JSON value.
    pub fn raw_value(&self) -> serde_json::Value {
        serde_json::from_str(self.raw.get()).unwrap_or(serde_json::Value::Null)
    }

    /// `cost`, when the service sent it.
    pub fn cost(&self) -> Option<f64> {
        self.extras.cost
    }
}

impl PartialEq for Ready {
    fn eq(&self, other: &Self) -> bool {
        self.solution == other.solution
            && self.extras == other.extras
            && self.raw.get() == other.raw.get()
    }
}

/// What getTaskResult says about a task.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum TaskResult {
    /// Still being solved (`status: "processing"`, or `CAPTCHA_NOT_READY`).
    Processing,
    /// Solved.
    Ready(Box<Ready>),
}

impl TaskResult {
    /// The ready result, if it is ready.
    pub fn ready(&self) -> Option<&Ready> {
        match self {
            Self::Ready(r) => Some(r),
            Self::Processing => None,
        }
    }
}
