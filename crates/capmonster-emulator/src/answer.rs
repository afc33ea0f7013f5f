//! Deterministic answers, one shape per task kind, following the documented solution examples.
//!
//! Every answer is a function of the seed, the task id and the task itself, so a test can run the
//! same scenario twice and get the same tokens.
//!
//! ImageToText: if the decoded image contains the ASCII marker `TEXT:` followed by letters and
//! digits, those characters are the answer (`...TEXT:abc12...` gives `abc12`). Otherwise the answer
//! is [`image_text`]: six lowercase hex digits of the FNV-1a hash of the decoded image (six decimal
//! digits when `numeric` is 1). An image containing the marker `UNSOLVABLE` fails with
//! `ERROR_CAPTCHA_UNSOLVABLE` and is not charged.

use capmonster_proto::Dialect;
use serde_json::{Map, Value, json};

use crate::rng::{ALNUM, B64URL, HEX, Rng, fnv1a};
use crate::spec::{Accepted, flag_set, geetest_version, website_url};

/// The User-Agent the emulator hands out (getUserAgent, and `userAgent` in token solutions): a
/// current Windows Chrome.
pub const USER_AGENT: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36";

/// The ImageToText answer for an image without a `TEXT:` marker: six hex digits of its FNV-1a hash,
/// or six decimal digits when `numeric` is set.
pub fn image_text(image: &[u8], numeric: bool) -> String {
    let h = fnv1a(image);
    if numeric {
        format!("{:06}", h % 1_000_000)
    } else {
        format!("{:06x}", h & 0xff_ffff)
    }
}

/// The outcome of a solve.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    Solved(Value),
    Unsolvable,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn marker_text(image: &[u8]) -> Option<String> {
    let at = find(image, b"TEXT:")? + 5;
    let text: String = image[at..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .map(|b| *b as char)
        .collect();
    (!text.is_empty()).then_some(text)
}

fn host_of(task: &Map<String, Value>) -> String {
    let url = website_url(task)
        .and_then(Value::as_str)
        .unwrap_or("example.com");
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or(rest)
        .to_owned()
}

fn origin_of(task: &Map<String, Value>) -> String {
    let url = website_url(task)
        .and_then(Value::as_str)
        .unwrap_or("https://example.com");
    let scheme = url.split_once("://").map_or("https", |(s, _)| s);
    format!("{scheme}://{}", host_of(task))
}

fn ua(task: &Map<String, Value>) -> String {
    task.get("userAgent")
        .and_then(Value::as_str)
        .unwrap_or(USER_AGENT)
        .to_owned()
}

fn str_field<'a>(task: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    task.get(name).and_then(Value::as_str)
}

fn metadata(task: &Map<String, Value>) -> Option<&Map<String, Value>> {
    task.get("metadata").and_then(Value::as_object)
}

/// Solves an accepted task. `seed` is the emulator's seed. The solution has the dialect's shape
/// where the services differ (Amazon: Anti-Captcha answers `token`).
pub(crate) fn solve(task: &Accepted, id: u64, seed: u64, dialect: Dialect) -> Outcome {
    let t = &task.task;
    let mut r =
        Rng::new(seed ^ id.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ fnv1a(task.label.as_bytes()));
    let solution = match (task.type_name.as_str(), task.class.as_deref()) {
        ("ImageToTextTask", _) => {
            let image = &task.images[0];
            if find(image, b"UNSOLVABLE").is_some() {
                return Outcome::Unsolvable;
            }
            let numeric = t.get("numeric").and_then(Value::as_i64) == Some(1);
            let text = marker_text(image).unwrap_or_else(|| image_text(image, numeric));
            json!({ "text": text })
        }
        ("ComplexImageTask", Some("recaptcha")) => {
            let cells = match metadata(t)
                .and_then(|m| m.get("Grid"))
                .and_then(Value::as_str)
            {
                Some("4x4") => 16,
                Some("1x1") => 1,
                _ => 9,
            };
            let answer: Vec<bool> = (0..cells).map(|_| r.below(3) == 0).collect();
            json!({ "answer": answer })
        }
        ("ComplexImageTask", _) => {
            let n = task.images.len().max(1);
            let kind = metadata(t)
                .and_then(|m| m.get("Task"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let (answer, answer_type) = match kind {
                "oocl_rotate_new" | "oocl_rotate_double_new" | "oocl_rotate" | "baidu" => {
                    (json!([r.below(360)]), "NumericArray")
                }
                "betpunch_3x3_rotate" => {
                    let v: Vec<u64> = (0..n).map(|_| 1 + r.below(4)).collect();
                    (json!(v), "NumericArray")
                }
                "bls_3x3" | "bls" => {
                    let v: Vec<bool> = (0..n).map(|_| r.below(3) == 0).collect();
                    (json!(v), "Grid")
                }
                "shein" => {
                    let pts: Vec<Value> = (0..3)
                        .map(|_| json!({ "X": r.below(30_000) as f64 / 100.0, "Y": r.below(30_000) as f64 / 100.0 }))
                        .collect();
                    (Value::Array(pts), "Coordinate")
                }
                "bills_audio" => {
                    let v: Vec<u64> = (0..4).map(|_| r.below(10)).collect();
                    (json!(v), "Text")
                }
                "dli" | "dli_ensemble" => (json!(r.below(10).to_string()), "Text"),
                _ => {
                    let v: Vec<u64> = (0..n).map(|_| r.below(360)).collect();
                    (json!(v), "NumericArray")
                }
            };
            json!({ "answer": answer, "metadata": { "AnswerType": answer_type } })
        }
        (
            "RecaptchaV2Task"
            | "NoCaptchaTask"
            | "NoCaptchaTaskProxyless"
            | "RecaptchaV2TaskProxyless",
            _,
        )
        | ("RecaptchaV2EnterpriseTask" | "RecaptchaV2EnterpriseTaskProxyless", _)
        | (
            "RecaptchaV3TaskProxyless"
            | "RecaptchaV3EnterpriseTask"
            | "RecaptchaV3EnterpriseTaskProxyless",
            _,
        ) => {
            json!({ "gRecaptchaResponse": format!("03AFcWeA{}", r.string(B64URL, 640)) })
        }
        ("HCaptchaTask" | "HCaptchaTaskProxyless", _) => json!({
            "gRecaptchaResponse": format!("P1_eyJ0eXAiOiJKV1Qi{}", r.string(B64URL, 1200)),
            "respKey": format!("E0_{}", r.string(B64URL, 120)),
            "userAgent": ua(t),
        }),
        ("GeeTestTask" | "GeeTestTaskProxyless", _) => {
            if geetest_version(t) == Some(4) {
                json!({
                    "captcha_id": str_field(t, "gt").unwrap_or_default(),
                    "lot_number": r.string(HEX, 32),
                    "pass_token": r.string(HEX, 64),
                    "gen_time": (1_700_000_000 + id % 100_000_000).to_string(),
                    "captcha_output": r.string(B64URL, 160),
                })
            } else {
                let challenge = str_field(t, "challenge").unwrap_or_default();
                let validate = r.string(HEX, 32);
                json!({
                    "challenge": format!("{challenge}{}", r.string(HEX, 2)),
                    "validate": validate,
                    "seccode": format!("{validate}|jordan"),
                })
            }
        }
        ("TurnstileTask" | "TurnstileTaskProxyless", _) => {
            match str_field(t, "cloudflareTaskType") {
                Some("cf_clearance" | "wait_room") => json!({
                    "cf_clearance": format!("{}-{}-1.2.1.1-{}", r.string(ALNUM, 43), 1_700_000_000 + id % 100_000_000, r.string(B64URL, 180)),
                }),
                _ => json!({
                    "token": format!("0.{}", r.string(B64URL, 420)),
                    "userAgent": ua(t),
                }),
            }
        }
        ("FunCaptchaTask" | "FunCaptchaTaskProxyless", _) => json!({
            "token": format!(
                "{}.{}|r=eu-west-1|meta=3|metabgclr=transparent|metaiconclr=%23757575|guitextcolor=%23000000|pk={}|at=40|sup=1|rid={}|ag=101|cdn_url=https%3A%2F%2Fclient-api.arkoselabs.com%2Fcdn%2Ffc|lurl=https%3A%2F%2Faudio-eu-west-1.arkoselabs.com|surl=https%3A%2F%2Fclient-api.arkoselabs.com|smurl=https%3A%2F%2Fclient-api.arkoselabs.com%2Fcdn%2Ffc%2Fassets%2Fstyle-manager",
                r.string(HEX, 17), r.below(10_000_000_000), str_field(t, "websitePublicKey").unwrap_or_default(), r.below(100)
            ),
            "userAgent": ua(t),
        }),
        ("AmazonTask" | "AmazonTaskProxyless", _) if dialect == Dialect::AntiCaptcha => {
            // Anti-Captcha: "the result of the task is a token", the value of the
            // `aws-waf-token` cookie (its AmazonTask page).
            json!({ "token": format!("{}-{}-{}-{}-{}:{}", r.string(HEX, 8), r.string(HEX, 4), r.string(HEX, 4), r.string(HEX, 4), r.string(HEX, 12), r.string(B64URL, 160)) })
        }
        ("AmazonTask" | "AmazonTaskProxyless", _) => {
            if flag_set(t, "cookieSolution") {
                json!({
                    "cookies": { "aws-waf-token": format!("{}-{}-{}-{}-{}:{}", r.string(HEX, 8), r.string(HEX, 4), r.string(HEX, 4), r.string(HEX, 4), r.string(HEX, 12), r.string(B64URL, 160)) },
                    "userAgent": ua(t),
                })
            } else {
                json!({
                    "captcha_voucher": format!("eyJ{}", r.string(B64URL, 300)),
                    "existing_token": format!("{}-{}:{}", r.string(HEX, 8), r.string(HEX, 4), r.string(B64URL, 120)),
                })
            }
        }
        ("BinanceTask" | "BinanceTaskProxyless", _) => json!({
            "token": format!("captcha#{}-{}", r.string(HEX, 32), r.string(ALNUM, 40)),
            "userAgent": ua(t),
        }),
        ("ProsopoTask" | "ProsopoTaskProxyless", _) => {
            json!({ "token": format!("0x{}", r.string(HEX, 256)) })
        }
        ("MTCaptchaTask" | "MTCaptchaTaskProxyless", _) => {
            json!({ "token": format!("v1({},{},MTPublic-{},{},{})", r.string(HEX, 8), r.string(HEX, 8), r.string(ALNUM, 9), r.string(HEX, 32), r.string(B64URL, 200)) })
        }
        ("YidunTask" | "YidunTaskProxyless", _) => {
            json!({ "token": format!("CN31_{}", r.string(B64URL, 300)) })
        }
        ("CustomTask", Some(class)) => custom(class, t, &mut r),
        _ => json!({}),
    };
    Outcome::Solved(solution)
}

fn custom(class: &str, t: &Map<String, Value>, r: &mut Rng) -> Value {
    let host = host_of(t);
    match class {
        "DataDome" => json!({
            "domains": { host: { "cookies": { "datadome": r.string(B64URL, 120) }, "localStorage": null } },
            "url": null, "fingerprint": null, "headers": null, "data": null,
        }),
        "TenDI" => json!({
            "data": { "randstr": format!("@{}", r.string(ALNUM, 3)), "ticket": format!("tr03{}*", r.string(B64URL, 200)) },
            "headers": { "User-Agent": ua(t) },
        }),
        "Basilisk" => json!({
            "data": { "captcha_response": r.string(HEX, 64) },
            "headers": { "User-Agent": ua(t) },
        }),
        "Imperva" | "Incapsula" => {
            let origin = origin_of(t);
            json!({ "domains": { origin: { "cookies": {
                "___utmvc": format!("{}; Max-Age=31536000; Domain=.{host}; Path=/; Secure; SameSite=Lax", r.string(B64URL, 200)),
            } } } })
        }
        "altcha" => {
            let number = r.below(100_000);
            let m = t.get("metadata").and_then(Value::as_object);
            let get = |k: &str| {
                m.and_then(|m| m.get(k))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let inner = json!({
                "algorithm": "SHA-256", "challenge": get("challenge"), "number": number,
                "salt": get("salt"), "signature": get("signature"), "took": r.below(2000),
            })
            .to_string();
            json!({ "data": { "token": capmonster_proto::inputs::base64_encode(inner.as_bytes()), "number": number } })
        }
        "Castle" => {
            let count = t
                .get("metadata")
                .and_then(|m| m.get("count"))
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .clamp(1, 49);
            let tokens: Vec<String> = (0..count).map(|_| r.string(B64URL, 180)).collect();
            json!({
                "data": { "tokens": tokens },
                "domains": { host: { "cookies": { "__cuid": r.string(HEX, 32) } } },
            })
        }
        "HUNT" => json!({ "data": { "token": r.string(B64URL, 240) } }),
        // Capitalised as in the documented example.
        "tspd" => json!({ "Domains": { host: { "Cookies": {
            "TSPD_101_DID": format!("08267{}", r.string(HEX, 120)),
            format!("TS{}", r.string(HEX, 11)): format!("08267{}", r.string(HEX, 120)),
        } } } }),
        "alibaba" => {
            let scene = t
                .get("metadata")
                .and_then(|m| m.get("sceneId"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            let inner = json!({
                "sceneId": scene, "certifyId": r.string(ALNUM, 10),
                "deviceToken": r.string(B64URL, 120), "data": r.string(B64URL, 160),
            })
            .to_string();
            json!({ "data": { "tokens": inner } })
        }
        "Temu" => json!({ "domains": { host: { "cookies": {
            "api_uid": r.string(B64URL, 24), "verifyAuthToken": r.string(B64URL, 32), "_nano_fp": r.string(ALNUM, 16),
        } } } }),
        _ => json!({}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_and_hash_text() {
        let mut img = vec![0u8; 120];
        img.extend_from_slice(b"TEXT:hello42 rest");
        assert_eq!(marker_text(&img).as_deref(), Some("hello42"));
        assert_eq!(marker_text(&[0u8; 200]), None);
        let t = image_text(&[7u8; 200], false);
        assert_eq!(t.len(), 6);
        assert!(t.chars().all(|c| c.is_ascii_hexdigit()));
        let n = image_text(&[7u8; 200], true);
        assert!(n.chars().all(|c| c.is_ascii_digit()) && n.len() == 6);
    }
}
