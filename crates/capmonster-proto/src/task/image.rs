//! `ImageToTextTask`.

use serde::{Deserialize, Serialize};

use super::common::setters;
use super::common::{base64_encode, check_image_base64};
use crate::error::ValidationError;

/// Recognise the text on an image (`ImageToTextTask`). No proxy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ImageToTextTask {
    /// `body`: the image in base64, without line breaks. 100 bytes to 50 KB once decoded.
    pub body: String,
    /// `capMonsterModule`: a recognition module (`amazon`, `yandex`, `universal`, ...) or a
    /// custom trained module's name. `CapMonsterModule` is accepted when reading.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        alias = "CapMonsterModule"
    )]
    pub cap_monster_module: Option<String>,
    /// `recognizingThreshold`: 0 to 100. Below it the task ends unsolvable and is not charged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recognizing_threshold: Option<u8>,
    /// `case`: the answer is case-sensitive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<bool>,
    /// `numeric`: 1 for digits only, 0 otherwise. Sent as an integer; a boolean is accepted when reading.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "numeric_as_int",
        deserialize_with = "numeric_lenient"
    )]
    pub numeric: Option<bool>,
    /// `math`: the answer is the result of the arithmetic on the image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub math: Option<bool>,
}

/// The recognition modules the documentation lists (custom trained modules are also accepted).
pub const DOCUMENTED_MODULES: &[&str] = &[
    "amazon",
    "apple",
    "botdetect",
    "facebook",
    "gmx",
    "google",
    "hotmail",
    "mailru",
    "okeng",
    "okrus",
    "partiallyblur",
    "ramblerrus",
    "ramblerrusnew",
    "solvemedia",
    "steam",
    "vk",
    "whatsapp",
    "wikimedia_paddle_ensemble",
    "yandex",
    "yandexnew",
    "yandexwave",
    "captcha_math",
    "sat",
    "universal",
];

impl ImageToTextTask {
    /// A task for an image already in base64.
    pub fn new(body_base64: impl Into<String>) -> Self {
        Self {
            body: body_base64.into(),
            cap_monster_module: None,
            recognizing_threshold: None,
            case: None,
            numeric: None,
            math: None,
        }
    }

    /// A task for raw image bytes (PNG, JPEG, GIF...), encoded to base64 here.
    pub fn from_image_bytes(bytes: &[u8]) -> Self {
        Self::new(base64_encode(bytes))
    }

    /// Sets `recognizingThreshold` (0 to 100; checked by [`ImageToTextTask::validate`]).
    #[must_use]
    pub fn with_recognizing_threshold(mut self, threshold: u8) -> Self {
        self.recognizing_threshold = Some(threshold);
        self
    }

    /// Checks the image size and encoding, the threshold range and the module name.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_image_base64("task.body", &self.body)?;
        if let Some(t) = self.recognizing_threshold {
            if t > 100 {
                return Err(ValidationError::new(
                    "task.recognizingThreshold",
                    "must be from 0 to 100",
                ));
            }
        }
        if let Some(m) = &self.cap_monster_module {
            if m.trim().is_empty() {
                return Err(ValidationError::new(
                    "task.capMonsterModule",
                    "must not be empty when set",
                ));
            }
        }
        if self.math == Some(true) && self.cap_monster_module.as_deref() == Some("captcha_math") {
            return Err(ValidationError::new(
                "task.math",
                "must not be combined with the captcha_math module",
            ));
        }
        Ok(())
    }
}

setters!(ImageToTextTask {
    with_module => cap_monster_module, "Sets `capMonsterModule`.";
    with_case => case: bool, "Sets `case`.";
    with_numeric => numeric: bool, "Sets `numeric` (digits only).";
    with_math => math: bool, "Sets `math`.";
});

fn numeric_as_int<S: serde::Serializer>(v: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(b) => s.serialize_u8(u8::from(*b)),
        None => s.serialize_none(),
    }
}

fn numeric_lenient<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum N {
        Bool(bool),
        Int(i64),
    }
    Ok(match Option::<N>::deserialize(d)? {
        None => None,
        Some(N::Bool(b)) => Some(b),
        Some(N::Int(i)) => Some(i != 0),
    })
}
