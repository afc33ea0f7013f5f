//! Error codes, their classes, and the errors the core returns.

use std::fmt;
use std::fmt::Write as _;

mod code;

pub use code::{ErrorClass, ErrorCode, UnknownCode};

/// `text` with every control character (C0 such as ESC, BEL, CR and LF, DEL, and C1) and every
/// bidirectional override written as an escape (`\u{1b}`), so that text from a server cannot
/// move the cursor, clear the screen or forge a line when it reaches a terminal. Every error
/// `Display` of the core shows server text through it; text without such characters is
/// borrowed unchanged.
pub fn escape_control(text: &str) -> std::borrow::Cow<'_, str> {
    fn unsafe_char(c: char) -> bool {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// An error answer from the service (`errorId` other than 0).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiError {
    /// The code (`errorCode`). A missing, null or empty code is [`ErrorCode::Missing`].
    pub code: ErrorCode,
    /// The service's text (`errorDescription`, or `error_text` in the URL form), if sent.
    pub description: Option<String>,
    /// The `errorId` as sent (CapMonster sends 1; Anti-Captcha sends the code's number).
    pub error_id: i64,
    /// The HTTP status the answer came with.
    pub http_status: u16,
}

impl ApiError {
    /// Builds an API error.
    pub fn new(
        code: ErrorCode,
        description: Option<String>,
        error_id: i64,
        http_status: u16,
    ) -> Self {
        Self {
            code,
            description,
            error_id,
            http_status,
        }
    }

    /// The code's class.
    pub fn class(&self) -> ErrorClass {
        self.code.class()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.code.as_str().is_empty() {
            write!(
                f,
                "the service answered errorId {} with no error code",
                self.error_id
            )?;
        } else {
            write!(f, "{}", self.code)?;
        }
        if let Some(d) = self.description.as_deref().filter(|d| !d.is_empty()) {
            write!(f, ": {}", escape_control(d))?;
        }
        if self.http_status != 200 {
            write!(f, " (HTTP {})", self.http_status)?;
        }
        write!(f, "; {}", self.code.hint())
    }
}

impl std::error::Error for ApiError {}

/// Local validation failed: the named field breaks the named rule. Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {field}: {rule}")]
pub struct ValidationError {
    field: String,
    rule: String,
}

impl ValidationError {
    /// Builds a validation error for `field` breaking `rule`.
    pub fn new(field: impl Into<String>, rule: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            rule: rule.into(),
        }
    }

    /// The JSON path of the field (`task.websiteURL`, `task.metadata.count`, ...).
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The rule it breaks, in words.
    pub fn rule(&self) -> &str {
        &self.rule
    }
}

/// How many bytes of an unparseable body an error keeps.
pub const BODY_PREFIX_LIMIT: usize = 256;

/// A response that is not an answer of the API: not JSON, empty, or JSON of the wrong shape.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnparseableResponse {
    /// The HTTP status.
    pub status: u16,
    /// What was wrong with it.
    pub reason: String,
    /// The first bytes of the body (at most [`BODY_PREFIX_LIMIT`]), lossily decoded.
    pub body_prefix: String,
    /// The body's full length in bytes.
    pub body_len: usize,
}

impl UnparseableResponse {
    /// Builds the error, keeping a bounded prefix of the body.
    pub fn new(status: u16, reason: impl Into<String>, body: &[u8]) -> Self {
        let cut = body.len().min(BODY_PREFIX_LIMIT);
        Self {
            status,
            reason: reason.into(),
            body_prefix: String::from_utf8_lossy(&body[..cut]).into_owned(),
            body_len: body.len(),
        }
    }

    /// True for the statuses that mean "try again later": 429 and 5xx.
    pub fn is_transient_status(&self) -> bool {
        self.status == 429 || (500..600).contains(&self.status)
    }
}

impl fmt::Display for UnparseableResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unreadable answer (HTTP {}): {}",
            self.status,
            escape_control(&self.reason)
        )?;
        if self.body_len == 0 {
            if !self.reason.contains("empty body") {
                f.write_str(", empty body")?;
            }
        } else {
            write!(f, ", body starts {:?}", self.body_prefix)?;
            if self.body_len > self.body_prefix.len() {
                write!(f, " ({} bytes in all)", self.body_len)?;
            }
        }
        match self.status {
            429 | 502..=504 => f.write_str("; the service is overloaded or down: retry later"),
            500..=599 => f.write_str(
                "; the server failed or does not speak this API: retry later, and check the \
                 base URL and service profile if it persists",
            ),
            _ => f.write_str("; check the base URL and service profile"),
        }
    }
}

impl std::error::Error for UnparseableResponse {}

/// Why a response could not be turned into the endpoint's output.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// The service answered with an error code.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The answer was not readable.
    #[error(transparent)]
    Unparseable(#[from] UnparseableResponse),
}

impl ResponseError {
    /// The API error, if that is what this is.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::Api(e) => Some(e),
            Self::Unparseable(_) => None,
        }
    }
}

/// Why a request could not be built. Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// A field broke a rule.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// The service does not have this operation (for example getUserAgent on Anti-Captcha).
    #[error("{operation} is not available on {service}; pick a service profile that has it")]
    Unsupported {
        /// The operation asked for.
        operation: &'static str,
        /// The service profile's name.
        service: &'static str,
    },
    /// The task type has no `in.php` method in the URL form.
    #[error("{task_type} has no in.php method in the URL form; use a JSON service profile")]
    NoUrlFormMethod {
        /// The task's `type` (and class).
        task_type: String,
    },
    /// A field of the task has no `in.php` parameter, so the task cannot be sent through the
    /// URL form without losing it.
    #[error(
        "{task_type}'s field `{field}` has no in.php parameter; drop it or use a JSON service profile"
    )]
    NoUrlFormField {
        /// The task's `type` (and class).
        task_type: String,
        /// The documented JSON field name.
        field: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_has_description_and_hint() {
        let e = ApiError::new(
            ErrorCode::ZeroBalance,
            Some("Account has zero balance".into()),
            1,
            402,
        );
        let s = e.to_string();
        assert_eq!(
            s,
            "ERROR_ZERO_BALANCE: Account has zero balance (HTTP 402); top up the balance; repeating this gets the IP banned for 10 minutes"
        );
        let u = UnparseableResponse::new(502, "not JSON", b"<html>bad gateway</html>");
        assert!(u.to_string().contains("retry later"), "{u}");
        let long = vec![b'x'; 10_000];
        let u = UnparseableResponse::new(200, "not JSON", &long);
        assert_eq!(u.body_prefix.len(), BODY_PREFIX_LIMIT);
        assert_eq!(u.body_len, 10_000);
    }
}
