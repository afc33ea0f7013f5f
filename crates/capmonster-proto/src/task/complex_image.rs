//! `ComplexImageTask`: class `recaptcha` (reCAPTCHA click grids) and class `recognition`.

use serde::{Deserialize, Serialize};

use super::common::setters;
use super::common::{
    base64_decoded_len, check_image_base64, check_nonempty, check_opt_nonempty, check_website_url,
};
use crate::error::ValidationError;

/// The grid of a reCAPTCHA click image (`metadata.Grid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Grid {
    /// `4x4`: one image cut into 16 cells.
    #[serde(rename = "4x4")]
    FourByFour,
    /// `3x3`: one image cut into 9 cells.
    #[serde(rename = "3x3")]
    ThreeByThree,
    /// `1x1`: a single new tile.
    #[serde(rename = "1x1")]
    OneByOne,
}

/// The `metadata` of a reCAPTCHA click task. `Task` and `TaskDefinition` are keys in
/// PascalCase, as documented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecaptchaClickMetadata {
    /// `Grid`.
    #[serde(rename = "Grid")]
    pub grid: Grid,
    /// `Task`: the instruction in English, such as `Click on traffic lights`.
    #[serde(rename = "Task", default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// `TaskDefinition`: the technical task id, such as `/m/015qff`.
    #[serde(
        rename = "TaskDefinition",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub task_definition: Option<String>,
}

/// reCAPTCHA click grids (`ComplexImageTask`, class `recaptcha`). No proxy.
///
/// The images come either as URLs ([`ComplexImageRecaptchaTask::from_urls`]) or as base64
/// ([`ComplexImageRecaptchaTask::from_base64`]); the instruction as `metadata.Task`
/// ([`ComplexImageRecaptchaTask::with_task`]) or `metadata.TaskDefinition`
/// ([`ComplexImageRecaptchaTask::with_task_definition`]), or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ComplexImageRecaptchaTask {
    /// `imageUrls`: the image(s) as URLs. Exactly one of this and `imagesBase64`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_urls: Option<Vec<String>>,
    /// `imagesBase64`: the image(s) in base64. Exactly one of this and `imageUrls`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images_base64: Option<Vec<String>>,
    /// `metadata`: the grid and the instruction.
    pub metadata: RecaptchaClickMetadata,
    /// `userAgent`: the User-Agent used to download `imageUrls`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// `websiteURL`: the page with the captcha. `websiteUrl` (the documented example's
    /// spelling) is accepted when reading.
    #[serde(
        rename = "websiteURL",
        alias = "websiteUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub website_url: Option<String>,
}

impl ComplexImageRecaptchaTask {
    fn with_images(grid: Grid, urls: Option<Vec<String>>, b64: Option<Vec<String>>) -> Self {
        Self {
            image_urls: urls,
            images_base64: b64,
            metadata: RecaptchaClickMetadata {
                grid,
                task: None,
                task_definition: None,
            },
            user_agent: None,
            website_url: None,
        }
    }

    /// A task for images given by URL. Add the instruction with
    /// [`with_task`](Self::with_task) or [`with_task_definition`](Self::with_task_definition).
    pub fn from_urls<I, S>(grid: Grid, urls: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::with_images(grid, Some(urls.into_iter().map(Into::into).collect()), None)
    }

    /// A task for images given in base64.
    pub fn from_base64<I, S>(grid: Grid, images: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self::with_images(
            grid,
            None,
            Some(images.into_iter().map(Into::into).collect()),
        )
    }

    /// Sets `metadata.Task`, the instruction text.
    #[must_use]
    pub fn with_task(mut self, text: impl Into<String>) -> Self {
        self.metadata.task = Some(text.into());
        self
    }

    /// Sets `metadata.TaskDefinition`, the technical task id.
    #[must_use]
    pub fn with_task_definition(mut self, id: impl Into<String>) -> Self {
        self.metadata.task_definition = Some(id.into());
        self
    }

    /// Checks the image pair (exactly one, non-empty, each image 100 B to 50 KB or an http(s)
    /// URL), the instruction pair (at least one), and `websiteURL`.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match (&self.image_urls, &self.images_base64) {
            (Some(_), Some(_)) => {
                return Err(ValidationError::new(
                    "task.imageUrls",
                    "give exactly one of imageUrls and imagesBase64, not both",
                ));
            }
            (None, None) => {
                return Err(ValidationError::new(
                    "task.imageUrls",
                    "give exactly one of imageUrls and imagesBase64",
                ));
            }
            (Some(urls), None) => {
                if urls.is_empty() {
                    return Err(ValidationError::new(
                        "task.imageUrls",
                        "must hold at least one image",
                    ));
                }
                for url in urls {
                    check_website_url("task.imageUrls", url)?;
                }
            }
            (None, Some(images)) => {
                if images.is_empty() {
                    return Err(ValidationError::new(
                        "task.imagesBase64",
                        "must hold at least one image",
                    ));
                }
                for image in images {
                    check_image_base64("task.imagesBase64", image)?;
                }
            }
        }
        check_opt_nonempty("task.metadata.Task", self.metadata.task.as_deref())?;
        check_opt_nonempty(
            "task.metadata.TaskDefinition",
            self.metadata.task_definition.as_deref(),
        )?;
        if self.metadata.task.is_none() && self.metadata.task_definition.is_none() {
            return Err(ValidationError::new(
                "task.metadata.Task",
                "give metadata.Task or metadata.TaskDefinition",
            ));
        }
        if let Some(url) = &self.website_url {
            check_website_url("task.websiteURL", url)?;
        }
        Ok(())
    }
}

setters!(ComplexImageRecaptchaTask {
    with_user_agent => user_agent, "Sets `userAgent`.";
    with_website_url => website_url, "Sets `websiteURL`.";
});

/// The `metadata` of a recognition task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecognitionMetadata {
    /// `Task`: the recognizer's name (`oocl_rotate_new`, `bls_3x3`, `shein`, `dli`, ...).
    #[serde(rename = "Task")]
    pub task: String,
    /// `TaskArgument`: the recognizer's argument (the number to find, for `bls_3x3`).
    #[serde(
        rename = "TaskArgument",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub task_argument: Option<String>,
    /// `PayloadType`: `Audio` for `bills_audio`.
    #[serde(
        rename = "PayloadType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub payload_type: Option<String>,
}

/// The recognizer names the documentation shows in its examples. Others exist; any name is sent.
pub const DOCUMENTED_RECOGNIZERS: &[&str] = &[
    "oocl_rotate_new",
    "oocl_rotate_double_new",
    "betpunch_3x3_rotate",
    "bls_3x3",
    "shein",
    "baidu",
    "bills_audio",
    "dli",
];

/// Image (or audio) recognition (`ComplexImageTask`, class `recognition`). No proxy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ComplexImageRecognitionTask {
    /// `imagesBase64`: the images (or the audio) in base64, in the order the recognizer expects.
    pub images_base64: Vec<String>,
    /// `metadata`: the recognizer and its arguments.
    pub metadata: RecognitionMetadata,
}

impl ComplexImageRecognitionTask {
    /// A task for the recognizer `task` (the `metadata.Task` value) on `images_base64`.
    pub fn new<I, S>(task: impl Into<String>, images_base64: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            images_base64: images_base64.into_iter().map(Into::into).collect(),
            metadata: RecognitionMetadata {
                task: task.into(),
                task_argument: None,
                payload_type: None,
            },
        }
    }

    /// Sets `metadata.TaskArgument`.
    #[must_use]
    pub fn with_task_argument(mut self, argument: impl Into<String>) -> Self {
        self.metadata.task_argument = Some(argument.into());
        self
    }

    /// Sets `metadata.PayloadType` (`Audio` for `bills_audio`).
    #[must_use]
    pub fn with_payload_type(mut self, payload_type: impl Into<String>) -> Self {
        self.metadata.payload_type = Some(payload_type.into());
        self
    }

    /// Whether the payload is audio (`PayloadType: "Audio"`).
    pub fn is_audio(&self) -> bool {
        self.metadata
            .payload_type
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case("audio"))
    }

    /// Checks `metadata.Task` and the images: at least one, each 100 B to 50 KB of base64.
    /// Audio payloads are only checked to be base64: the size limits are documented for
    /// images, and the documented WAV example is larger than 50 KB.
    pub fn validate(&self) -> Result<(), ValidationError> {
        check_nonempty("task.metadata.Task", &self.metadata.task)?;
        check_opt_nonempty(
            "task.metadata.TaskArgument",
            self.metadata.task_argument.as_deref(),
        )?;
        check_opt_nonempty(
            "task.metadata.PayloadType",
            self.metadata.payload_type.as_deref(),
        )?;
        if self.images_base64.is_empty() {
            return Err(ValidationError::new(
                "task.imagesBase64",
                "must hold at least one image",
            ));
        }
        let audio = self.is_audio();
        for image in &self.images_base64 {
            if audio {
                if base64_decoded_len(image).is_none_or(|n| n == 0) {
                    return Err(ValidationError::new(
                        "task.imagesBase64",
                        "must be standard base64 without line breaks or spaces",
                    ));
                }
            } else {
                check_image_base64("task.imagesBase64", image)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::base64_encode;

    #[test]
    fn grid_is_written_as_documented() {
        for (grid, text) in [
            (Grid::FourByFour, "4x4"),
            (Grid::ThreeByThree, "3x3"),
            (Grid::OneByOne, "1x1"),
        ] {
            assert_eq!(serde_json::to_value(grid).unwrap(), text);
        }
        assert!(serde_json::from_str::<Grid>("\"2x2\"").is_err());
    }

    #[test]
    fn audio_skips_the_image_size_limits_only() {
        let big = base64_encode(&vec![0u8; 60_000]);
        let image = ComplexImageRecognitionTask::new("shein", [big.clone()]);
        assert!(!image.is_audio());
        assert_eq!(image.validate().unwrap_err().field(), "task.imagesBase64");
        let audio =
            ComplexImageRecognitionTask::new("bills_audio", [big]).with_payload_type("audio");
        assert!(audio.is_audio());
        assert!(audio.validate().is_ok());
    }
}
