//! GeeTest solutions.

use serde::{Deserialize, Serialize};

/// GeeTest v3's solution: all three values go into the site's form (the whole documented shape,
/// so it can be written as a literal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeeTestV3Solution {
    /// `challenge`.
    pub challenge: String,
    /// `validate`.
    pub validate: String,
    /// `seccode`.
    pub seccode: String,
}

/// GeeTest v4's solution. Some site-specific tasks (the documented `app.gal**.com` example)
/// answer without `captcha_id` and with an extra `encryptedData`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GeeTestV4Solution {
    /// `captcha_id` (absent in the site-specific shape).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captcha_id: Option<String>,
    /// `lot_number`.
    pub lot_number: String,
    /// `pass_token`.
    pub pass_token: String,
    /// `gen_time`: a Unix time in seconds, as a string.
    #[serde(deserialize_with = "string_or_number")]
    pub gen_time: String,
    /// `captcha_output`.
    pub captcha_output: String,
    /// `encryptedData` (site-specific shape; usually empty).
    #[serde(
        rename = "encryptedData",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub encrypted_data: Option<String>,
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum S {
        Text(String),
        Int(u64),
    }
    Ok(match S::deserialize(d)? {
        S::Text(t) => t,
        S::Int(n) => n.to_string(),
    })
}
