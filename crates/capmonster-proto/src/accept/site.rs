//! Which site a task is for, and the `nocache` switch on a task.

use std::fmt;

use serde_json::{Map, Value};

use crate::task::{RawTask, Task, TaskKind};

/// The longest host kept (the DNS limit).
const MAX_HOST: usize = 253;
/// The longest site key kept; a longer one is cut (on a character boundary).
const MAX_SITE_KEY: usize = 256;

/// A site: the host of the page's URL (lowercased, without scheme, user info, port, path or a
/// trailing dot) and the site key (`websiteKey`, else `websitePublicKey`, else GeeTest's `gt`).
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct SiteKey {
    /// The page's host.
    pub host: String,
    /// The site key.
    pub key: String,
}

impl SiteKey {
    /// A site from a page URL (or a bare host) and a site key. Both are bounded: the host to
    /// 253 bytes, the key to 256.
    pub fn new(url_or_host: &str, key: &str) -> Self {
        Self {
            host: cut(&page_host(url_or_host), MAX_HOST),
            key: cut(key, MAX_SITE_KEY),
        }
    }

    /// The site of a task, read from the task as it goes on the wire. `None` for a task with no
    /// page URL (an image task), whose acceptance is not tracked per site.
    pub fn of_task(task: &Task) -> Option<Self> {
        let value = serde_json::to_value(task).ok()?;
        let object = value.as_object()?;
        let url = ["websiteURL", "websiteUrl"]
            .iter()
            .find_map(|f| object.get(*f).and_then(Value::as_str))?;
        let key = ["websiteKey", "websitePublicKey", "gt"]
            .iter()
            .find_map(|f| object.get(*f).and_then(Value::as_str))
            .unwrap_or_default();
        let site = Self::new(url, key);
        (!site.host.is_empty()).then_some(site)
    }
}

impl fmt::Display for SiteKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.host, self.key)
    }
}

/// The host of a URL or of a bare host name, normalised.
fn page_host(url_or_host: &str) -> String {
    let rest = url_or_host
        .split_once("://")
        .map_or(url_or_host, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().map(|h| format!("[{h}]")),
        None => host_port.split(':').next().map(str::to_owned),
    };
    host.unwrap_or_default()
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// `text` cut to at most `max` bytes, on a character boundary.
fn cut(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// True for the kinds whose `nocache` the documentation lists: reCAPTCHA v2 and v3.
pub(crate) fn takes_nocache(kind: TaskKind) -> bool {
    matches!(kind, TaskKind::RecaptchaV2 | TaskKind::RecaptchaV3)
}

/// The task with its `nocache` field on, for the kinds that take it; any other task unchanged.
pub(crate) fn with_nocache(task: Task) -> Task {
    match task {
        Task::RecaptchaV2(t) => Task::RecaptchaV2(t.with_nocache(true)),
        Task::RecaptchaV3(t) => Task::RecaptchaV3(t.with_nocache(true)),
        Task::Raw(raw) if takes_nocache(task_kind_of_raw(&raw)) => {
            let mut object: Map<String, Value> = raw.as_object().clone();
            object.insert("nocache".to_owned(), Value::Bool(true));
            match RawTask::new(object) {
                Ok(updated) => Task::Raw(updated),
                Err(_) => Task::Raw(raw),
            }
        }
        other => other,
    }
}

fn task_kind_of_raw(raw: &RawTask) -> TaskKind {
    TaskKind::from_names(raw.type_name(), raw.class())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::{RecaptchaV2Task, TurnstileTask};

    #[test]
    fn hosts_are_normalised_and_bounded() {
        let site = SiteKey::new("https://User:pw@Shop.Example.:8443/login?a=b", "K");
        assert_eq!(site.host, "shop.example");
        assert_eq!(SiteKey::new("http://[::1]:80/x", "K").host, "[::1]");
        assert_eq!(SiteKey::new("a.b#frag", "K").host, "a.b");
        let long = "é".repeat(200);
        assert!(SiteKey::new("a.b", &long).key.len() <= MAX_SITE_KEY);
        assert_eq!(SiteKey::new("a.b", "K").to_string(), "a.b/K");
    }

    #[test]
    fn a_task_names_its_site_and_takes_nocache_by_kind() {
        let task = Task::from(RecaptchaV2Task::new("https://Shop.example/x", "6Lc"));
        assert_eq!(
            SiteKey::of_task(&task),
            Some(SiteKey::new("shop.example", "6Lc"))
        );
        assert!(with_nocache(task).nocache());
        let turnstile = Task::from(TurnstileTask::new("https://a.b/", "0x4"));
        assert!(!with_nocache(turnstile).nocache());
        let raw = Task::from_json_value(serde_json::json!({
            "type": "RecaptchaV2TaskProxyless", "websiteURL": "https://r.example", "websiteKey": "k",
            "somethingNew": 1
        }))
        .unwrap();
        assert!(matches!(raw, Task::Raw(_)));
        assert!(with_nocache(raw.clone()).nocache());
        assert_eq!(SiteKey::of_task(&raw).unwrap().host, "r.example");
    }
}
