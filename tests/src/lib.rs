//! Shared fixtures for the workspace's scenario tests.
//!
//! `fixture(name)` reads a file from `tests/fixtures/`, which holds the documented example
//! requests and responses copied from the reference material.

use std::path::PathBuf;

/// The folder holding the fixtures.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The text of fixture `name`. Panics with the path if it is missing, since a missing fixture
/// is a broken checkout.
pub fn fixture(name: &str) -> String {
    let path = fixtures_dir().join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read fixture {}: {e}", path.display()))
}

/// Fixture `name` parsed as JSON.
pub fn fixture_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}
