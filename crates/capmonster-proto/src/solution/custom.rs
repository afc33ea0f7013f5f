//! The shared `CustomTask` solution.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::task::TaskKind;

/// What the solution holds for one domain: cookies to set, and local storage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DomainSolution {
    /// `cookies`: name → value (TSPD's `Cookies` is read too). Imperva's values carry the
    /// cookie attributes (`...; Max-Age=...; Path=/`).
    #[serde(default, alias = "Cookies", skip_serializing_if = "Option::is_none")]
    pub cookies: Option<BTreeMap<String, String>>,
    /// `localStorage` (DataDome; `null` in the documented example).
    #[serde(
        rename = "localStorage",
        alias = "LocalStorage",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub local_storage: Option<Value>,
}

/// The solution of every `CustomTask` class.
///
/// Cookie results come in `domains`, keyed by host (`www.example.com`) or, for Imperva, by URL
/// (`https://example.com`): the key is kept as sent. Token results come in `data`, whose members
/// depend on the class (`token`, `tokens`, `ticket`/`randstr`, `captcha_response`, `number`).
/// TSPD's capitalised `Domains`/`Cookies` are read too.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomTaskSolution {
    /// `domains`: domain (host or URL) → cookies and local storage.
    #[serde(default, alias = "Domains", skip_serializing_if = "Option::is_none")]
    pub domains: Option<BTreeMap<String, DomainSolution>>,
    /// `data`: the class's token values.
    #[serde(default, alias = "Data", skip_serializing_if = "Option::is_none")]
    pub data: Option<Map<String, Value>>,
    /// `headers`: headers to send with the token (such as `User-Agent`).
    #[serde(default, alias = "Headers", skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// `url`.
    #[serde(default, alias = "Url", skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// `fingerprint` (its shape is not documented; `null` in the example).
    #[serde(
        default,
        alias = "Fingerprint",
        skip_serializing_if = "Option::is_none"
    )]
    pub fingerprint: Option<Value>,
    /// The class the solution belongs to (not part of the JSON); picks the main value.
    #[serde(skip)]
    pub(crate) kind: Option<TaskKind>,
}

impl CustomTaskSolution {
    /// A string member of `data` (`token`, `ticket`, `randstr`, `captcha_response`, ...).
    pub fn data_str(&self, key: &str) -> Option<&str> {
        self.data.as_ref()?.get(key)?.as_str()
    }

    /// `data.token` (altcha, HUNT).
    pub fn token(&self) -> Option<&str> {
        self.data_str("token")
    }

    /// `data.tokens` as a list: Castle sends an array of strings. (alibaba sends one string
    /// holding JSON; read it with [`CustomTaskSolution::data_str`].)
    pub fn tokens(&self) -> Vec<&str> {
        match self.data.as_ref().and_then(|d| d.get("tokens")) {
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// A cookie by name, from whichever domain has it.
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.domains
            .as_ref()?
            .values()
            .find_map(|d| d.cookies.as_ref()?.get(name))
            .map(String::as_str)
    }

    /// Every cookie of every domain, as a `Cookie` header value (`a=1; b=2`).
    pub fn cookie_header(&self) -> String {
        let mut parts = Vec::new();
        for domain in self.domains.iter().flat_map(BTreeMap::values) {
            for (name, value) in domain.cookies.iter().flatten() {
                let value = value.split(';').next().unwrap_or(value);
                parts.push(format!("{name}={value}"));
            }
        }
        parts.join("; ")
    }

    /// The `User-Agent` header to submit with.
    pub fn user_agent(&self) -> Option<&str> {
        self.headers
            .as_ref()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("user-agent"))
            .map(|(_, v)| v.as_str())
    }

    /// The main value for the class: the token, or the protection cookie.
    pub fn main_value(&self) -> Option<&str> {
        let by_class = match self.kind {
            Some(TaskKind::DataDome) => self.cookie("datadome"),
            Some(TaskKind::Imperva) => self.cookie("___utmvc"),
            Some(TaskKind::TenDi) => self.data_str("ticket"),
            Some(TaskKind::Basilisk) => self.data_str("captcha_response"),
            Some(TaskKind::Castle) => self.tokens().first().copied(),
            Some(TaskKind::Alibaba) => self.data_str("tokens"),
            Some(TaskKind::Tspd) => self.cookie("TSPD_101_DID"),
            _ => None,
        };
        by_class
            .or_else(|| self.token())
            .or_else(|| self.only_cookie())
    }

    fn only_cookie(&self) -> Option<&str> {
        let mut all = self
            .domains
            .iter()
            .flat_map(BTreeMap::values)
            .flat_map(|d| d.cookies.iter().flatten());
        match (all.next(), all.next()) {
            (Some((_, v)), None) => Some(v),
            _ => None,
        }
    }

    /// Whether it holds anything a CustomTask solution is documented to hold.
    pub(crate) fn is_recognised(&self) -> bool {
        self.domains.is_some() || self.data.is_some() || self.headers.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(kind: TaskKind, json: &str) -> CustomTaskSolution {
        let mut s: CustomTaskSolution = serde_json::from_str(json).unwrap();
        s.kind = Some(kind);
        s
    }

    #[test]
    fn a_single_cookie_is_the_main_value_and_many_are_not() {
        let one = parse(
            TaskKind::Temu,
            r#"{"domains":{"a.example":{"cookies":{"x":"1"}}}}"#,
        );
        assert_eq!(one.main_value(), Some("1"));
        let two = parse(
            TaskKind::Temu,
            r#"{"domains":{"a.example":{"cookies":{"x":"1","y":"2"}}}}"#,
        );
        assert_eq!(two.main_value(), None);
        assert_eq!(two.cookie_header(), "x=1; y=2");
    }

    #[test]
    fn capitalised_keys_are_read() {
        let s = parse(
            TaskKind::Tspd,
            r#"{"Domains":{"a.example":{"Cookies":{"TSPD_101_DID":"v"}}}}"#,
        );
        assert_eq!(s.main_value(), Some("v"));
        assert!(s.is_recognised());
        let written = serde_json::to_value(&s).unwrap();
        assert_eq!(
            written["domains"]["a.example"]["cookies"]["TSPD_101_DID"],
            "v"
        );
    }

    #[test]
    fn the_user_agent_header_is_found_in_any_case() {
        let s = parse(
            TaskKind::TenDi,
            r#"{"headers":{"user-agent":"ua"},"data":{"ticket":"t"}}"#,
        );
        assert_eq!(s.user_agent(), Some("ua"));
        assert_eq!(s.main_value(), Some("t"));
    }
}
