//! `CustomTask` classes: DataDome, TenDI, Basilisk, Imperva, altcha, Castle, HUNT, tspd,
//! alibaba, Temu. One struct per class, each with its typed `metadata`, in three families.

mod antibot;
mod challenge;
mod slider;

pub use antibot::*;
pub use challenge::*;
pub use slider::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn altcha_iterations_are_sent_as_a_string_and_read_from_either() {
        let t = AltchaTask::new("https://a.example", "c", 5000, "s", "sig");
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["metadata"]["iterations"], "5000");
        assert_eq!(json["websiteKey"], "");
        for iterations in [
            serde_json::json!("5000"),
            serde_json::json!(5000),
            serde_json::json!(" 5000 "),
        ] {
            let m: AltchaMetadata = serde_json::from_value(serde_json::json!({
                "challenge": "c", "iterations": iterations, "salt": "s", "signature": "sig"
            }))
            .unwrap();
            assert_eq!(m.iterations, 5000);
        }
        let bad: Result<AltchaMetadata, _> = serde_json::from_value(serde_json::json!({
            "challenge": "c", "iterations": "many", "salt": "s", "signature": "sig"
        }));
        assert!(bad.is_err());
    }

    #[test]
    fn castle_count_bounds() {
        let t = CastleTask::new(
            "https://a.example",
            "pk",
            "https://a.example/cw.js",
            "https://a.example/csw.js",
        );
        assert!(t.clone().with_count(1).validate().is_ok());
        assert!(t.clone().with_count(CASTLE_MAX_COUNT).validate().is_ok());
        for bad in [0, CASTLE_MAX_COUNT + 1] {
            let e = t.clone().with_count(bad).validate().unwrap_err();
            assert_eq!(e.field(), "task.metadata.count");
            assert_eq!(e.rule(), "must be from 1 to 49");
        }
    }

    #[test]
    fn tendi_metadata_is_left_out_until_set() {
        let t = TenDiTask::new("https://a.example", "1");
        assert!(serde_json::to_value(&t).unwrap().get("metadata").is_none());
        let t = t.with_captcha_url("https://a.example/TCaptcha.js");
        assert_eq!(
            serde_json::to_value(&t).unwrap()["metadata"]["captchaUrl"],
            "https://a.example/TCaptcha.js"
        );
    }
}
