//! `ComplexImageTask` solutions: an `answer` whose JSON type depends on the recognizer.

use serde::{Deserialize, Serialize};

/// A point to click, in image pixels (`{"X": ..., "Y": ...}`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Point {
    /// `X`.
    #[serde(rename = "X")]
    pub x: f64,
    /// `Y`.
    #[serde(rename = "Y")]
    pub y: f64,
}

impl Point {
    /// A point.
    pub fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }
}

/// The `answer` of a `ComplexImageTask`. Its JSON type depends on the recognizer; read
/// [`ComplexImageSolution::answer_type`] for what the service says it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ComplexImageAnswer {
    /// An array of booleans: one per grid cell, `true` to click it (reCAPTCHA click, `bls`).
    Booleans(Vec<bool>),
    /// An array of numbers: rotation angles, rotation counts, or digits heard (`bills_audio`).
    Numbers(Vec<f64>),
    /// An array of points to click, in order (`shein`).
    Points(Vec<Point>),
    /// A string (`dli`).
    Text(String),
}

impl ComplexImageAnswer {
    /// The booleans, for a grid answer.
    pub fn as_booleans(&self) -> Option<&[bool]> {
        match self {
            Self::Booleans(b) => Some(b),
            _ => None,
        }
    }

    /// The numbers, for a numeric answer.
    pub fn as_numbers(&self) -> Option<&[f64]> {
        match self {
            Self::Numbers(n) => Some(n),
            _ => None,
        }
    }

    /// The points, for a coordinate answer.
    pub fn as_points(&self) -> Option<&[Point]> {
        match self {
            Self::Points(p) => Some(p),
            _ => None,
        }
    }

    /// The text, for a string answer.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// `metadata.AnswerType` of a recognition answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
#[non_exhaustive]
pub enum AnswerType {
    /// `NumericArray`.
    NumericArray,
    /// `Grid`.
    Grid,
    /// `Coordinate`.
    Coordinate,
    /// `Text` (the answer may still be an array of digits, as for `bills_audio`).
    Text,
    /// Another value, kept verbatim.
    Other(String),
}

impl AnswerType {
    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            Self::NumericArray => "NumericArray",
            Self::Grid => "Grid",
            Self::Coordinate => "Coordinate",
            Self::Text => "Text",
            Self::Other(s) => s,
        }
    }
}

impl From<String> for AnswerType {
    fn from(s: String) -> Self {
        match s.as_str() {
            "NumericArray" => Self::NumericArray,
            "Grid" => Self::Grid,
            "Coordinate" => Self::Coordinate,
            "Text" => Self::Text,
            _ => Self::Other(s),
        }
    }
}

impl From<AnswerType> for String {
    fn from(t: AnswerType) -> Self {
        t.as_str().to_owned()
    }
}

/// The `metadata` of a recognition answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AnswerMetadata {
    /// `AnswerType`.
    #[serde(
        rename = "AnswerType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub answer_type: Option<AnswerType>,
}

/// `ComplexImageTask`'s solution (classes `recaptcha` and `recognition`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ComplexImageSolution {
    /// `answer`.
    pub answer: ComplexImageAnswer,
    /// `metadata` (recognition answers carry `AnswerType`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<AnswerMetadata>,
}

impl ComplexImageSolution {
    /// `metadata.AnswerType`, when sent.
    pub fn answer_type(&self) -> Option<&AnswerType> {
        self.metadata.as_ref()?.answer_type.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_by_their_json_type() {
        let read = |j: &str| serde_json::from_str::<ComplexImageAnswer>(j).unwrap();
        assert_eq!(
            read("[true,false]"),
            ComplexImageAnswer::Booleans(vec![true, false])
        );
        assert_eq!(read("[1,2.5]"), ComplexImageAnswer::Numbers(vec![1.0, 2.5]));
        assert_eq!(
            read(r#"[{"X":1,"Y":2}]"#),
            ComplexImageAnswer::Points(vec![Point::new(1.0, 2.0)])
        );
        assert_eq!(read(r#""1""#), ComplexImageAnswer::Text("1".into()));
        assert_eq!(read("[]"), ComplexImageAnswer::Booleans(vec![]));
        assert!(serde_json::from_str::<ComplexImageAnswer>("[1,true]").is_err());
    }

    #[test]
    fn unknown_answer_types_are_kept() {
        let t: AnswerType = serde_json::from_str(r#""Polygon""#).unwrap();
        assert_eq!(t, AnswerType::Other("Polygon".into()));
        assert_eq!(serde_json::to_value(&t).unwrap(), "Polygon");
        assert_eq!(serde_json::to_value(AnswerType::Grid).unwrap(), "Grid");
    }
}
