//! nocache: every task records whether it was asked, and in which form; the stats count them.

mod common;

use common::*;
use serde_json::{Value, json};

fn recaptcha(key: &str, nocache: Option<bool>) -> Value {
    let mut task = json!({ "type": "RecaptchaV2TaskProxyless",
        "websiteURL": "https://example.com/login",
        "websiteKey": "6Lc_aCMTAAAAABx7u2W0WPXnVbI_v6ZdbM6rYf16" });
    if let Some(n) = nocache {
        task["nocache"] = json!(n);
    }
    json!({ "clientKey": key, "task": task })
}

#[test]
fn nocache_is_recorded_per_task_and_counted_by_form() {
    let emu = fast(fast_config());
    let a = emu.addr();
    let plain = create(a, &recaptcha("k", None));
    let off = create(a, &recaptcha("k", Some(false)));
    let field = create(a, &recaptcha("k", Some(true)));
    let suffix = create(a, &recaptcha("k__nocache", None));
    let both = create(a, &recaptcha("k__nocache", Some(true)));
    let r = form(
        a,
        "/in.php",
        "key=k&method=userrecaptcha&googlekey=6Lc_aCMTAAAAABx7u2W0WPXnVbI_v6ZdbM6rYf16&pageurl=https://example.com/p.php?level=high&nocache=1",
    );
    let in_php: u64 = r.text().strip_prefix("OK|").unwrap().parse().unwrap();
    let in_php_plain: u64 = form(
        a,
        "/in.php",
        "key=k&method=userrecaptcha&googlekey=6Lc_aCMTAAAAABx7u2W0WPXnVbI_v6ZdbM6rYf16&pageurl=https://example.com/",
    )
    .text()
    .strip_prefix("OK|")
    .unwrap()
    .parse()
    .unwrap();
    let s = emu.stats();
    let forms = |id: u64| s.tasks[&id].nocache.clone();
    assert!(forms(plain).is_empty());
    assert!(forms(off).is_empty());
    assert!(forms(in_php_plain).is_empty());
    assert_eq!(forms(field), ["task_field"]);
    assert_eq!(forms(suffix), ["key_suffix"]);
    assert_eq!(forms(both), ["key_suffix", "task_field"]);
    assert_eq!(forms(in_php), ["in_php"]);
    assert_eq!(s.nocache_tasks, 4);
    let by_form: Vec<(&str, u64)> = s
        .nocache_by_form
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        by_form,
        [("in_php", 1), ("key_suffix", 2), ("task_field", 2)]
    );
    // The same on the stats page, summary and per task.
    let page = get(a, "/_emulator/stats?tasks=1").json();
    assert_eq!(page["nocache_by_form"]["key_suffix"], 2);
    assert_eq!(page["nocache_tasks"], 4);
    assert_eq!(
        page["tasks"][both.to_string()]["nocache"],
        json!(["key_suffix", "task_field"])
    );
    assert_eq!(page["tasks"][plain.to_string()]["nocache"], json!([]));
}
