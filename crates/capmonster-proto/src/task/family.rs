//! How a kind is reported and read back: the family and solution-shape columns of the kind
//! table.

/// How a kind is reported and read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    /// An image task (reportIncorrectImageCaptcha).
    Image,
    /// A reCAPTCHA token task (v2, v2 Enterprise, v3, v3 Enterprise).
    Recaptcha,
    /// Any other token task.
    Token,
    /// A task this crate does not know.
    Unknown,
}

/// The shape of a kind's solution, which `Solution::parse` reads it
/// into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `text`.
    Text,
    /// `gRecaptchaResponse` (and cookies, user agent).
    Recaptcha,
    /// Turnstile's token or `cf_clearance`.
    Turnstile,
    /// hCaptcha's token (and its response key).
    HCaptcha,
    /// ComplexImageTask's answers.
    ComplexImage,
    /// GeeTest v3 or v4.
    GeeTest,
    /// A plain `token`.
    Token,
    /// Amazon WAF's token or cookie.
    Amazon,
    /// CustomTask's domains, cookies and data.
    Custom,
    /// Unknown: the raw JSON.
    Raw,
}
