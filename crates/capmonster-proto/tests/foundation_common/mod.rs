//! Helpers shared by the foundation's test files (foundation, foundation_responses).

#![allow(dead_code, unreachable_pub)]

use capmonster_proto::{
    ClientKey, Dialect,
    report::{ReportRequest, ReportVerdict},
    task::TaskKind,
};

/// The wrong-answer report CapMonster's rules make for task `id` of kind `kind` (the window is
/// not checked).
pub fn report(kind: TaskKind, id: u64) -> ReportRequest {
    ReportRequest::without_window(Dialect::CapMonster, ReportVerdict::Incorrect, kind, id).unwrap()
}

pub fn fixture(name: &str) -> String {
    let path = format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub fn key() -> ClientKey {
    ClientKey::new("API_KEY").unwrap()
}
