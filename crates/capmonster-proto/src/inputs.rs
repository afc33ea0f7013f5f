//! What task fields take: base64 images, and the documented limits and value lists that
//! [`Task::validate`](crate::task::Task::validate) checks.

pub use crate::task::common::{MAX_IMAGE_BYTES, MIN_IMAGE_BYTES, base64_encode};
pub use crate::task::complex_image::DOCUMENTED_RECOGNIZERS;
pub use crate::task::custom::CASTLE_MAX_COUNT;
pub use crate::task::image::DOCUMENTED_MODULES;
pub use crate::task::recaptcha::{MIN_SCORE_HIGH, MIN_SCORE_LOW, RECAPTCHA_API_DOMAINS};
